//! The pool and two miners over loopback for a few seconds, with misbehaving clients
//! sending everything a pool must survive, and the connection limits.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use pyrin_examples::pool::client::{run_miner, MinerStats};
use pyrin_examples::pool::server::{Pool, PoolConfig};
use pyrin_examples::pool::stratum::{parse_extranonce, parse_notify};
use pyrin_pow::share::target_from_difficulty;
use pyrin_pow::{PowState, Variant};
use pyrin_tx::address::{Address, Prefix, Version};
use pyrin_tx::sign::PrivateKey;
use serde_json::{json, Value};

/// About 2^22 nonces per block.
const BITS: pyrin_core::CompactTarget = pyrin_core::CompactTarget::from_consensus(0x1e04_0000);
const START_DIFFICULTY: f64 = 1.0 / 65536.0;

fn address(i: u8) -> String {
    let key = PrivateKey::from_bytes([i; 32]).unwrap();
    Address::new(Prefix::Devnet, Version::PubKey, key.schnorr_public_key().to_vec()).unwrap().to_string()
}

struct Raw {
    stream: TcpStream,
    reader: BufReader<TcpStream>,
    /// Notifications read while waiting for replies.
    notes: Vec<Value>,
}

impl Raw {
    fn connect(pool: SocketAddr) -> Self {
        let stream = TcpStream::connect(pool).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        Self { reader: BufReader::new(stream.try_clone().unwrap()), stream, notes: Vec::new() }
    }

    fn send(&mut self, line: &str) {
        writeln!(self.stream, "{line}").unwrap();
    }

    fn read(&mut self) -> Value {
        let mut line = String::new();
        self.reader.read_line(&mut line).unwrap();
        serde_json::from_str(&line).unwrap_or(Value::Null)
    }

    /// Every line until the pool closes the connection.
    fn read_to_end(&mut self) -> Vec<Value> {
        let mut lines = Vec::new();
        let mut line = String::new();
        while self.reader.read_line(&mut line).is_ok_and(|n| n > 0) {
            lines.push(serde_json::from_str(&line).unwrap_or(Value::Null));
            line.clear();
        }
        lines
    }

    /// Sends a request and returns the reply with its id, keeping notifications.
    fn call(&mut self, id: u64, method: &str, params: Value) -> Value {
        self.send(&json!({"id": id, "method": method, "params": params}).to_string());
        loop {
            let value = self.read();
            if value.get("id") == Some(&json!(id)) {
                return value;
            }
            assert!(value.get("method").is_some(), "unexpected line {value}");
            self.notes.push(value);
        }
    }

    /// Reads up to the first notification of `method` (kept ones first).
    fn note(&mut self, method: &str) -> Value {
        if let Some(i) = self.notes.iter().position(|v| v["method"] == method) {
            return self.notes.remove(i);
        }
        loop {
            let value = self.read();
            if value["method"] == method {
                return value;
            }
            self.notes.push(value);
        }
    }

    /// Subscribes and authorizes `worker`; returns the extranonce prefix and the job.
    fn join(&mut self, worker: &str) -> (u64, f64, String, PowState) {
        assert_eq!(self.call(1, "mining.subscribe", json!([]))["result"][0], json!(true));
        let (prefix, _) = parse_extranonce(self.note("mining.set_extranonce")["params"].as_array().unwrap()).unwrap();
        assert_eq!(self.call(2, "mining.authorize", json!([worker]))["result"], json!(true));
        let difficulty = self.note("mining.set_difficulty")["params"][0].as_f64().unwrap();
        let (job, pre_pow, timestamp) = parse_notify(self.note("mining.notify")["params"].as_array().unwrap()).unwrap();
        (prefix, difficulty, job, PowState::from_parts(pre_pow, timestamp, BITS, Variant::Legacy).unwrap())
    }

    fn error_code(reply: &Value) -> Option<i64> {
        reply.get("error")?.get(0)?.as_i64()
    }

    fn error_message(reply: &Value) -> Option<&str> {
        reply.get("error")?.get(1)?.as_str()
    }
}

#[test]
fn pool_and_miners_over_loopback() {
    // A queue long enough for a whole flood's replies, so the flooder is dropped by the
    // rate limit and not for leaving its replies unread.
    let config =
        PoolConfig { bits: Some(BITS), start_difficulty: START_DIFFICULTY, send_queue: 8192, ..PoolConfig::default() };
    let pool = Pool::start(config, "127.0.0.1:0").unwrap();
    let at = pool.address();

    // Protocol errors, before any miner runs so the job stays put.
    let mut raw = Raw::connect(at);
    raw.send("this is not json");
    assert_eq!(Raw::error_code(&raw.read()), Some(20));
    let reply = raw.call(1, "mining.authorize", json!([address(9)]));
    assert_eq!(Raw::error_code(&reply), Some(25), "authorize before subscribe");
    assert_eq!(Raw::error_code(&raw.call(2, "mining.submit", json!(["x", "1", "0x1"]))), Some(24));
    raw.send(r#"{"id": 3, "method": "mining.subscribe", "params": {}}"#);
    assert_eq!(Raw::error_message(&raw.read()), Some("params must be an array"));
    let worker = format!("{}.raw", address(9));
    let (prefix, difficulty, job_id, state) = {
        assert_eq!(Raw::error_code(&raw.call(4, "mining.nonsense", json!([]))), Some(20));
        raw.join(&worker)
    };
    assert_eq!(Raw::error_code(&raw.call(5, "mining.authorize", json!([42]))), Some(20));
    assert_eq!(Raw::error_code(&raw.call(6, "mining.authorize", json!(["not-an-address.w"]))), Some(20));
    let share_target = target_from_difficulty(difficulty).unwrap();
    // Nonces of the miner's part only (the pool puts the extranonce in front).
    let share_nonce = (0u64..)
        .find(|&n| {
            let c = state.check_share(prefix | n, share_target);
            c.meets_share && !c.meets_network
        })
        .unwrap();
    let low_nonce = (0u64..).find(|&n| !state.check_share(prefix | n, share_target).meets_share).unwrap();
    let short = |n: u64| format!("{n:#x}");
    let full = |n: u64| format!("{:#018x}", prefix | n);
    assert_eq!(raw.call(8, "mining.submit", json!([worker, job_id, short(share_nonce)]))["result"], json!(true));
    // The same nonce written whole is a duplicate.
    assert_eq!(Raw::error_code(&raw.call(9, "mining.submit", json!([worker, job_id, full(share_nonce)]))), Some(22));
    assert_eq!(Raw::error_code(&raw.call(10, "mining.submit", json!([worker, job_id, full(low_nonce)]))), Some(23));
    assert_eq!(Raw::error_code(&raw.call(11, "mining.submit", json!([worker, "999999", "0x1"]))), Some(21));
    assert_eq!(Raw::error_code(&raw.call(12, "mining.submit", json!([worker, job_id, "zz"]))), Some(20));
    assert_eq!(Raw::error_code(&raw.call(13, "mining.submit", json!([worker]))), Some(20));
    let foreign = format!("{:#018x}", (prefix ^ (1 << 48)) | share_nonce);
    let reply = raw.call(14, "mining.submit", json!([worker, job_id, foreign]));
    assert_eq!(Raw::error_code(&reply), Some(20), "a nonce outside the miner's extranonce");
    // Disconnect mid-job.
    drop(raw);

    // An over-long line gets the client dropped with an error.
    let mut long = Raw::connect(at);
    long.send(&"x".repeat(10_000));
    let lines = long.read_to_end();
    assert_eq!(lines.last().and_then(Raw::error_message), Some("request line too long"));

    // A flood of submissions: answered, then rate limited, then dropped.
    let mut flood = Raw::connect(at);
    let flooder = format!("{}.flood", address(8));
    let (_, _, job_id, _) = flood.join(&flooder);
    let burst: String = (0..5000)
        .map(|i| {
            format!("{}\n", json!({"id": 100 + i, "method": "mining.submit", "params": [flooder, job_id, short(i)]}))
        })
        .collect();
    let _ = flood.stream.write_all(burst.as_bytes());
    let lines = flood.read_to_end();
    assert_eq!(lines.last().and_then(Raw::error_message), Some("too many requests"));
    let limited = lines.iter().filter(|v| Raw::error_message(v) == Some("rate limited")).count();
    assert!(limited > 0 && lines.len() < 2100, "{limited} rate limited of {} replies", lines.len());
    // Every submission that was not refused was checked and counted.
    let checked = lines.iter().filter(|v| v["id"].as_u64().is_some() && Raw::error_message(v) != Some("rate limited"));
    let flood_stats = pool.stats().workers[&flooder].clone();
    assert_eq!(flood_stats.shares + flood_stats.rejected, checked.count() as u64);
    assert!(flood_stats.shares + flood_stats.rejected <= 500, "at most a second's worth of requests");

    // Two miners, each with its own extranonce, for a few seconds.
    let started = Instant::now();
    let stop = Arc::new(AtomicBool::new(false));
    let miners: Vec<_> = (1..=2u8)
        .map(|i| {
            let stop = Arc::clone(&stop);
            let stats = Arc::new(MinerStats::default());
            let worker = format!("{}.rig{i}", address(i));
            let (s, w) = (Arc::clone(&stats), worker.clone());
            // The same seed: only the extranonce keeps the two apart.
            (worker, stats, std::thread::spawn(move || run_miner(at, &w, Variant::Legacy, 1, &stop, s)))
        })
        .collect();
    while started.elapsed() < Duration::from_secs(30)
        && (started.elapsed() < Duration::from_secs(2) || pool.stats().blocks.is_empty())
    {
        std::thread::sleep(Duration::from_millis(100));
    }
    // The server still serves new clients after all of the above.
    let mut late = Raw::connect(at);
    assert!(late.call(1, "mining.subscribe", json!([])).get("result").is_some());
    // The miners stop and collect the replies to their last shares before the pool stops.
    stop.store(true, Ordering::SeqCst);
    let miners: Vec<_> = miners.into_iter().map(|(w, s, h)| (w, s, h.join().unwrap())).collect();
    pool.stop();

    let stats = pool.stats();
    for (worker, miner, outcome) in miners {
        outcome.unwrap();
        let pool_side = &stats.workers[&worker];
        let accepted = miner.accepted.load(Ordering::SeqCst);
        assert!(accepted > 0, "{worker} gets shares accepted");
        // Every accepted share is accounted for, on both sides.
        assert_eq!(pool_side.shares, accepted, "{worker}: shares the pool counted vs the miner saw accepted");
        assert_eq!(pool_side.rejected, miner.rejected.load(Ordering::SeqCst), "{worker}: rejections");
        assert_eq!(miner.submitted.load(Ordering::SeqCst), accepted + miner.rejected.load(Ordering::SeqCst));
    }
    assert!(!stats.blocks.is_empty(), "at least one block found");
    assert_eq!(stats.rejected_blocks, 0);
    assert_eq!(pool.node_blocks(), stats.blocks.len() + 1);
    assert_eq!(stats.dropped_clients, 2, "the over-long line and the flood are dropped");
    for block in &stats.blocks {
        assert_eq!(block.payouts.iter().map(|(_, a)| a).sum::<u64>(), block.reward);
    }
    let paid: u64 = stats.workers.values().map(|w| w.paid).sum();
    assert_eq!(paid, stats.blocks.iter().map(|b| b.reward).sum::<u64>());
    assert_eq!(stats.workers[&worker].shares, 1);
    assert_eq!(stats.workers[&worker].rejected, 6);
}

#[test]
fn connection_limits_and_timeouts() {
    let config = PoolConfig {
        bits: Some(BITS),
        max_clients: 2,
        line_timeout: Duration::from_millis(300),
        idle_timeout: Duration::from_millis(800),
        ..PoolConfig::default()
    };
    let pool = Pool::start(config, "127.0.0.1:0").unwrap();
    let at = pool.address();
    let (mut half, mut idle) = (Raw::connect(at), Raw::connect(at));
    assert_eq!(half.call(1, "mining.subscribe", json!([]))["result"][0], json!(true));
    assert_eq!(idle.call(1, "mining.subscribe", json!([]))["result"][0], json!(true));

    // A third client is refused while two are served.
    let mut third = Raw::connect(at);
    assert_eq!(third.read_to_end().last().and_then(Raw::error_message), Some("the pool is full"));

    // Half a line that never ends, and silence, each get the client dropped.
    let started = Instant::now();
    half.stream.write_all(br#"{"id": 2, "method": "#).unwrap();
    assert_eq!(half.read_to_end().last().and_then(Raw::error_message), Some("request line timed out"));
    assert!(started.elapsed() < Duration::from_millis(800), "the line limit comes before the idle limit");
    assert_eq!(idle.read_to_end().last().and_then(Raw::error_message), Some("idle for too long"));

    // Their places are free again.
    let mut next = Raw::connect(at);
    assert_eq!(next.call(1, "mining.subscribe", json!([]))["result"][0], json!(true));
    let stats = pool.stats();
    assert_eq!((stats.dropped_clients, stats.refused_clients), (2, 1));
    pool.stop();
}
