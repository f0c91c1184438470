//! The pool and two miners over loopback with in-memory accounting, misbehaving clients
//! sending everything a pool must survive, the connection limits, and a regression test
//! for each defect found by attacking the earlier pool.

mod common;

use std::io::Write;
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{address, Raw, BITS, START_DIFFICULTY};
use pyrin_examples::pool::client::{run_miner, MinerStats};
use pyrin_examples::pool::core::session::SessionConfig;
use pyrin_pool::server::{Pool, PoolConfig};
use pyrin_pow::Variant;
use pyrin_tx::address::{Address, Prefix, Version};
use pyrin_tx::script::pay_to_address;
use serde_json::json;

fn config() -> PoolConfig {
    PoolConfig {
        bits: Some(BITS),
        session: SessionConfig { start_difficulty: START_DIFFICULTY, ..SessionConfig::default() },
        ..PoolConfig::default()
    }
}

#[test]
fn pool_and_miners_over_loopback() {
    // A queue long enough for a whole flood's replies, so the flooder is dropped by the
    // rate limit and not for leaving its replies unread.
    let pool = Pool::start(PoolConfig { send_queue: 8192, ..config() }, "127.0.0.1:0").unwrap();
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
    assert_eq!(Raw::error_code(&raw.call(4, "mining.nonsense", json!([]))), Some(20));
    let worker = format!("{}.raw", address(9));
    let job = raw.join(&worker);
    assert_eq!(Raw::error_code(&raw.call(5, "mining.authorize", json!([42]))), Some(20));
    assert_eq!(Raw::error_code(&raw.call(6, "mining.authorize", json!(["not-an-address.w"]))), Some(20));
    let share = job.share(0);
    let low = (0u64..)
        .map(|n| job.prefix | n)
        .find(|&n| {
            !job.state.check_share(n, pyrin_pow::share::target_from_difficulty(job.difficulty).unwrap()).meets_share
        })
        .unwrap();
    let short = |n: u64| format!("{:#x}", n & ((1 << 48) - 1));
    assert_eq!(raw.call(8, "mining.submit", json!([worker, job.id, short(share)]))["result"], json!(true));
    // The same nonce written whole is a duplicate.
    assert_eq!(Raw::error_code(&raw.submit(9, &worker, &job.id, share)), Some(22));
    assert_eq!(Raw::error_code(&raw.submit(10, &worker, &job.id, low)), Some(23));
    assert_eq!(Raw::error_code(&raw.call(11, "mining.submit", json!([worker, "999999", "0x1"]))), Some(21));
    assert_eq!(Raw::error_code(&raw.call(12, "mining.submit", json!([worker, job.id, "zz"]))), Some(20));
    assert_eq!(Raw::error_code(&raw.call(13, "mining.submit", json!([worker]))), Some(20));
    let reply = raw.submit(14, &worker, &job.id, share ^ (1 << 48));
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
    let flood_job = flood.join(&flooder);
    let burst: String = (0..5000)
        .map(|i| {
            let params = json!([flooder, flood_job.id, short(i)]);
            format!("{}\n", json!({"id": 100 + i, "method": "mining.submit", "params": params}))
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
    common::wait_for(Duration::from_secs(5), || pool.stats().unsettled_blocks == 0);
    let stats = pool.stats();
    pool.stop();

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
    let session = SessionConfig {
        line_timeout: Duration::from_millis(300),
        idle_timeout: Duration::from_millis(800),
        ..config().session
    };
    let pool = Pool::start(PoolConfig { max_clients: 2, session, ..config() }, "127.0.0.1:0").unwrap();
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

#[test]
fn empty_lines_do_not_hold_a_slot_and_unauthorized_clients_are_dropped() {
    let session = SessionConfig { authorize_deadline: Duration::from_millis(600), ..config().session };
    let pool = Pool::start(PoolConfig { max_clients: 1, session, ..config() }, "127.0.0.1:0").unwrap();
    let mut squatter = Raw::connect(pool.address());
    let started = Instant::now();
    // Bare newlines (and a subscription) every 50 ms: never an authorization.
    let mut lines = Vec::new();
    squatter.call(1, "mining.subscribe", json!([]));
    while started.elapsed() < Duration::from_secs(5) {
        if squatter.stream.write_all(b"\n").is_err() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
        squatter.stream.set_nonblocking(true).unwrap();
        let mut peek = [0u8; 1];
        let closed = squatter.stream.peek(&mut peek).is_ok();
        squatter.stream.set_nonblocking(false).unwrap();
        if closed {
            lines = squatter.read_to_end();
            break;
        }
    }
    assert_eq!(lines.iter().rev().find_map(Raw::error_message), Some("not authorized in time"));
    assert!(started.elapsed() < Duration::from_secs(3));
    // The slot is free for a real miner.
    let mut miner = Raw::connect(pool.address());
    miner.join(&format!("{}.real", address(3)));
    pool.stop();
}

#[test]
fn one_address_holds_at_most_its_share_of_slots() {
    let pool = Pool::start(PoolConfig { max_per_address: 2, ..config() }, "127.0.0.1:0").unwrap();
    let (mut a, mut b) = (Raw::connect(pool.address()), Raw::connect(pool.address()));
    assert_eq!(a.call(1, "mining.subscribe", json!([]))["result"][0], json!(true));
    assert_eq!(b.call(1, "mining.subscribe", json!([]))["result"][0], json!(true));
    let mut third = Raw::connect(pool.address());
    assert_eq!(third.read_to_end().last().and_then(Raw::error_message), Some("too many connections from your address"));
    assert_eq!(pool.stats().refused_clients, 1);
    pool.stop();
}

#[test]
fn worker_names_do_not_grow_the_statistics_without_bound() {
    let pool = Pool::start(PoolConfig { max_tracked_workers: 16, ..config() }, "127.0.0.1:0").unwrap();
    for round in 0..25 {
        let mut raw = Raw::connect(pool.address());
        raw.call(1, "mining.subscribe", json!([]));
        // At most 8 names per connection; the 9th is refused.
        for i in 0..9u64 {
            let reply = raw.call(2 + i, "mining.authorize", json!([format!("{}.n{round}x{i}", address(4))]));
            assert_eq!(reply["result"] == json!(true), i < 8, "{reply}");
        }
        drop(raw);
    }
    assert!(common::wait_for(Duration::from_secs(5), || pool.stats().clients == 0));
    assert!(pool.stats().workers.len() <= 16, "{} workers kept", pool.stats().workers.len());
    pool.stop();
}

#[test]
fn shares_count_for_the_worker_named_in_the_submission() {
    let pool = Pool::start(config(), "127.0.0.1:0").unwrap();
    let mut raw = Raw::connect(pool.address());
    let (a, b) = (format!("{}.a", address(5)), format!("{}.b", address(6)));
    let job = raw.join(&a);
    assert_eq!(raw.call(3, "mining.authorize", json!([b]))["result"], json!(true));
    assert_eq!(raw.submit(4, &b, &job.id, job.share(0))["result"], json!(true));
    assert_eq!(raw.submit(5, &b, &job.id, job.share(1))["result"], json!(true));
    assert_eq!(raw.submit(6, &a, &job.id, job.share(2))["result"], json!(true));
    let stranger = format!("{}.c", address(7));
    assert_eq!(Raw::error_code(&raw.submit(7, &stranger, &job.id, job.share(3))), Some(24));
    let stats = pool.stats();
    assert_eq!((stats.workers[&a].shares, stats.workers[&b].shares), (1, 2));
    let round: std::collections::BTreeMap<_, _> = pool.open_round().unwrap().into_iter().collect();
    assert_eq!(round[&b], 2 * round[&a]);
    pool.stop();
}

#[test]
fn addresses_of_other_networks_are_not_authorized() {
    let pool = Pool::start(config(), "127.0.0.1:0").unwrap();
    let mut raw = Raw::connect(pool.address());
    raw.call(1, "mining.subscribe", json!([]));
    let key = pyrin_tx::sign::PrivateKey::from_bytes([9; 32]).unwrap();
    for prefix in [Prefix::Mainnet, Prefix::Testnet, Prefix::Simnet] {
        let address = Address::new(prefix, Version::PubKey, key.schnorr_public_key().to_vec()).unwrap();
        let reply = raw.call(2, "mining.authorize", json!([format!("{address}.w")]));
        assert_eq!(Raw::error_message(&reply), Some("the address is not of this pool's network"), "{prefix:?}");
    }
    pool.stop();
}

#[test]
fn blocks_pay_the_configured_payout_address() {
    let payout: Address = address(11).parse().unwrap();
    let pool = Pool::start(PoolConfig { payout_address: Some(payout.clone()), ..config() }, "127.0.0.1:0").unwrap();
    let coinbase = &pool.current_block().transactions[0];
    let limits = pyrin_emission::coinbase::PayloadLimits::from_params(pyrin_core::params::Network::Devnet.params());
    let data = pyrin_emission::coinbase::CoinbaseData::decode(&coinbase.payload, &limits).unwrap();
    assert_eq!(data.script_public_key, pay_to_address(&payout));
    pool.stop();
}

#[test]
fn the_miner_survives_a_pool_sending_endless_lines() {
    // A "pool" that sends one line without end: the miner gives up on it and returns.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let at: SocketAddr = listener.local_addr().unwrap();
    let server = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let chunk = vec![b'x'; 64 * 1024];
        for _ in 0..64 {
            if stream.write_all(&chunk).is_err() {
                break;
            }
        }
    });
    let stop = AtomicBool::new(false);
    let started = Instant::now();
    let outcome = run_miner(at, &format!("{}.w", address(1)), Variant::Legacy, 1, &stop, Arc::default());
    assert!(outcome.is_ok(), "the miner ends cleanly: {outcome:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
    let _ = server.join();
}
