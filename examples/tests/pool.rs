//! The pool and two miners over loopback for a few seconds, with a misbehaving client
//! sending everything a pool must survive.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use pyrin_examples::pool::client::{run_miner, MinerStats};
use pyrin_examples::pool::server::{Pool, PoolConfig};
use pyrin_examples::pool::stratum::parse_notify;
use pyrin_pow::share::target_from_difficulty;
use pyrin_pow::{PowState, Variant};
use pyrin_tx::address::{Address, Prefix, Version};
use pyrin_tx::sign::PrivateKey;
use serde_json::{json, Value};

/// About 2^22 nonces per block.
const BITS: u32 = 0x1e04_0000;
const START_DIFFICULTY: f64 = 1.0 / 65536.0;

fn address(i: u8) -> String {
    let key = PrivateKey::from_bytes([i; 32]).unwrap();
    Address::new(Prefix::Devnet, Version::PubKey, key.schnorr_public_key().to_vec()).unwrap().to_string()
}

struct Raw {
    stream: TcpStream,
    reader: BufReader<TcpStream>,
}

impl Raw {
    fn connect(pool: SocketAddr) -> Self {
        let stream = TcpStream::connect(pool).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        Self { reader: BufReader::new(stream.try_clone().unwrap()), stream }
    }

    fn send(&mut self, line: &str) {
        writeln!(self.stream, "{line}").unwrap();
    }

    fn read(&mut self) -> Value {
        let mut line = String::new();
        self.reader.read_line(&mut line).unwrap();
        serde_json::from_str(&line).unwrap_or(Value::Null)
    }

    /// Sends a request and returns the reply with its id, skipping notifications.
    fn call(&mut self, id: u64, method: &str, params: Value) -> Value {
        self.send(&json!({"id": id, "method": method, "params": params}).to_string());
        loop {
            let value = self.read();
            if value.get("id") == Some(&json!(id)) {
                return value;
            }
            assert!(value.get("method").is_some(), "unexpected line {value}");
        }
    }

    fn error_code(reply: &Value) -> Option<i64> {
        reply.get("error")?.get(0)?.as_i64()
    }
}

#[test]
fn pool_and_miners_over_loopback() {
    let config = PoolConfig { bits: Some(BITS), start_difficulty: START_DIFFICULTY, ..PoolConfig::default() };
    let pool = Pool::start(config, "127.0.0.1:0").unwrap();
    let at = pool.address();

    // Protocol errors, before any miner runs so the job stays put.
    let mut raw = Raw::connect(at);
    raw.send("this is not json");
    assert_eq!(Raw::error_code(&raw.read()), Some(20));
    let reply = raw.call(1, "mining.authorize", json!([address(9)]));
    assert_eq!(Raw::error_code(&reply), Some(25), "authorize before subscribe");
    assert!(raw.call(2, "mining.subscribe", json!([])).get("result").is_some());
    assert_eq!(Raw::error_code(&raw.call(3, "mining.submit", json!(["x", "1", "0x1"]))), Some(24));
    assert_eq!(Raw::error_code(&raw.call(4, "mining.authorize", json!([42]))), Some(20));
    assert_eq!(Raw::error_code(&raw.call(5, "mining.authorize", json!(["not-an-address.w"]))), Some(20));
    assert_eq!(Raw::error_code(&raw.call(6, "mining.nonsense", json!([]))), Some(20));
    let worker = format!("{}.raw", address(9));
    raw.send(&json!({"id": 7, "method": "mining.authorize", "params": [worker]}).to_string());
    let (mut job, mut difficulty) = (None, None);
    while job.is_none() || difficulty.is_none() {
        let v = raw.read();
        match v.get("method").and_then(Value::as_str) {
            Some("mining.set_difficulty") => difficulty = v["params"][0].as_f64(),
            Some("mining.notify") => job = parse_notify(v["params"].as_array().unwrap()),
            _ => {}
        }
    }
    let (job_id, pre_pow, timestamp) = job.unwrap();
    let share_target = target_from_difficulty(difficulty.unwrap()).unwrap();
    let state = PowState::from_parts(pre_pow, timestamp, BITS, Variant::Legacy).unwrap();
    let share_nonce = (0u64..)
        .find(|&n| {
            let c = state.check_share(n, &share_target);
            c.meets_share && !c.meets_network
        })
        .unwrap();
    let low_nonce = (0u64..).find(|&n| !state.check_share(n, &share_target).meets_share).unwrap();
    let hex = |n: u64| format!("{n:#x}");
    assert_eq!(raw.call(8, "mining.submit", json!([worker, job_id, hex(share_nonce)]))["result"], json!(true));
    assert_eq!(Raw::error_code(&raw.call(9, "mining.submit", json!([worker, job_id, hex(share_nonce)]))), Some(22));
    assert_eq!(Raw::error_code(&raw.call(10, "mining.submit", json!([worker, job_id, hex(low_nonce)]))), Some(23));
    assert_eq!(Raw::error_code(&raw.call(11, "mining.submit", json!([worker, "999999", "0x1"]))), Some(21));
    assert_eq!(Raw::error_code(&raw.call(12, "mining.submit", json!([worker, job_id, "zz"]))), Some(20));
    assert_eq!(Raw::error_code(&raw.call(13, "mining.submit", json!([worker]))), Some(20));
    // Disconnect mid-job.
    drop(raw);

    // An over-long line and a flood each get the client dropped.
    let mut long = Raw::connect(at);
    long.send(&"x".repeat(10_000));
    let mut flood = Raw::connect(at);
    let burst: String = (0..5000).map(|i| format!("{{\"id\":{i},\"method\":\"mining.subscribe\"}}\n")).collect();
    let _ = flood.stream.write_all(burst.as_bytes());

    // Two miners for a few seconds.
    let stop = Arc::new(AtomicBool::new(false));
    let miners: Vec<_> = (1..=2u8)
        .map(|i| {
            let stop = Arc::clone(&stop);
            let stats = Arc::new(MinerStats::default());
            let worker = format!("{}.rig{i}", address(i));
            let s = Arc::clone(&stats);
            (stats, std::thread::spawn(move || run_miner(at, &worker, Variant::Legacy, u64::from(i), &stop, s)))
        })
        .collect();
    let mut waited = 0;
    while waited < 30 && (waited < 4 || pool.stats().blocks.is_empty()) {
        std::thread::sleep(Duration::from_secs(1));
        waited += 1;
    }
    // The server still serves new clients after all of the above.
    let mut late = Raw::connect(at);
    assert!(late.call(1, "mining.subscribe", json!([])).get("result").is_some());
    stop.store(true, Ordering::SeqCst);
    pool.stop();
    for (stats, handle) in miners {
        handle.join().unwrap().unwrap();
        assert!(stats.accepted.load(Ordering::Relaxed) > 0, "each miner gets shares accepted");
    }

    let stats = pool.stats();
    assert!(!stats.blocks.is_empty(), "at least one block found");
    assert_eq!(stats.rejected_blocks, 0);
    assert_eq!(pool.node_blocks(), stats.blocks.len() + 1);
    assert!(stats.dropped_clients >= 2, "the over-long line and the flood are dropped");
    for block in &stats.blocks {
        assert_eq!(block.payouts.iter().map(|(_, a)| a).sum::<u64>(), block.reward);
    }
    let paid: u64 = stats.workers.values().map(|w| w.paid).sum();
    assert_eq!(paid, stats.blocks.iter().map(|b| b.reward).sum::<u64>());
    let shares: u64 = stats.workers.values().map(|w| w.shares).sum();
    assert!(shares >= 2);
    assert_eq!(stats.workers[&worker].shares, 1);
    assert_eq!(stats.workers[&worker].rejected, 5);
}
