//! Share accounting in a real `redis-server` (started on a free loopback port with a
//! temporary directory, killed when the test ends): two pool processes sharing a round,
//! a pool killed mid-round, Redis stopped and restarted, persistence, and payouts that
//! happen once per block.

mod common;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{address, wait_for, PoolProcess, Raw, Redis, BITS, FIXED, FIXED_WEIGHT};
use pyrin_examples::pool::core::payout::PayoutRule;
use pyrin_examples::pool::core::session::SessionConfig;
use pyrin_pool::accounting::redis::RedisStore;
use pyrin_pool::accounting::{BlockPayout, ShareStore};
use pyrin_pool::server::{Pool, PoolConfig};

const OPEN: &str = "pyrin-pool:round:open";

fn payouts(redis: &Redis) -> Vec<BlockPayout> {
    let reply = redis.command(&["HVALS", "pyrin-pool:payouts"]);
    reply.items().unwrap().iter().map(|r| BlockPayout::from_json(&r.as_text().unwrap()).unwrap()).collect()
}

fn in_process_pool(redis: &Redis) -> Arc<Pool> {
    let session = SessionConfig {
        start_difficulty: FIXED,
        min_difficulty: FIXED,
        max_difficulty: FIXED,
        ..SessionConfig::default()
    };
    let config = PoolConfig { bits: Some(BITS), session, redis: Some(redis.url()), ..PoolConfig::default() };
    Pool::start(config, "127.0.0.1:0").unwrap()
}

#[test]
fn two_pool_processes_on_one_redis_share_a_round() {
    let redis = Redis::start();
    let (one, two) = (PoolProcess::start(&["--redis", &redis.url()]), PoolProcess::start(&["--redis", &redis.url()]));
    let (a, b) = (format!("{}.a", address(1)), format!("{}.b", address(2)));
    let (mut on_one, mut on_two) = (Raw::connect(one.address), Raw::connect(two.address));
    let (job_a, job_b) = (on_one.join(&a), on_two.join(&b));
    let (mut ca, mut cb) = (0, 0);
    for id in 10..12 {
        assert_eq!(on_one.submit(id, &a, &job_a.id, job_a.next_share(&mut ca))["result"], true);
    }
    assert_eq!(on_two.submit(10, &b, &job_b.id, job_b.next_share(&mut cb))["result"], true);
    assert_eq!(redis.hash(OPEN), BTreeMap::from([(a.clone(), 2 * FIXED_WEIGHT), (b.clone(), FIXED_WEIGHT)]));

    // A block through the second pool pays the miners of both.
    assert_eq!(on_two.submit(11, &b, &job_b.id, job_b.block())["result"], true);
    assert!(wait_for(Duration::from_secs(10), || !payouts(&redis).is_empty()), "the block is paid");
    let paid = payouts(&redis);
    assert_eq!(paid.len(), 1);
    let block = &paid[0];
    assert_eq!(block.round, 1);
    let amounts: BTreeMap<_, _> = block.payouts.iter().cloned().collect();
    assert_eq!(amounts.values().sum::<u64>(), block.reward);
    // Two shares each, the block's own share included.
    assert_eq!(amounts[&a], amounts[&b]);
    assert_eq!(redis.hash("pyrin-pool:balances"), amounts);
    assert_eq!(redis.hash("pyrin-pool:round:1"), BTreeMap::from([(a.clone(), 512), (b.clone(), 512)]));
    assert!(redis.hash(OPEN).is_empty(), "a new round is open");
    // Shares after the block go to the new round, whichever pool takes them.
    assert_eq!(on_one.submit(12, &a, &job_a.id, job_a.next_share(&mut ca))["result"], true);
    assert_eq!(redis.hash(OPEN), BTreeMap::from([(a.clone(), FIXED_WEIGHT)]));
}

#[test]
fn a_pool_killed_mid_round_loses_no_acknowledged_share() {
    let redis = Redis::start();
    let mut pool = PoolProcess::start(&["--redis", &redis.url()]);
    let worker = format!("{}.steady", address(3));
    let accepted = Arc::new(AtomicU64::new(0));
    let answered = Arc::new(AtomicBool::new(false));
    let submitter = {
        let (address, worker, accepted, answered) =
            (pool.address, worker.clone(), Arc::clone(&accepted), Arc::clone(&answered));
        std::thread::spawn(move || {
            let mut raw = Raw::connect(address);
            let job = raw.join(&worker);
            let mut cursor = 0;
            // Bounded: at most 100,000 submissions or 30 s, ends when the pool dies.
            let started = Instant::now();
            for id in 10..100_010 {
                if started.elapsed() > Duration::from_secs(30) {
                    break;
                }
                match raw.try_submit(id, &worker, &job.id, job.next_share(&mut cursor)) {
                    Some(reply) if reply["result"] == true => {
                        accepted.fetch_add(1, Ordering::SeqCst);
                        answered.store(true, Ordering::SeqCst);
                    }
                    Some(_) => {}
                    None => break,
                }
            }
        })
    };
    assert!(wait_for(Duration::from_secs(10), || accepted.load(Ordering::SeqCst) >= 50));
    pool.kill();
    submitter.join().unwrap();
    let acknowledged = accepted.load(Ordering::SeqCst) * FIXED_WEIGHT;
    let counted = redis.hash(OPEN)[&worker];
    // Every acknowledged share is counted; at most the one in flight is counted unanswered.
    assert!(
        counted == acknowledged || counted == acknowledged + FIXED_WEIGHT,
        "counted {counted}, acknowledged {acknowledged}"
    );

    // The restarted pool goes on with the round, and its next block pays the share holder.
    let pool = PoolProcess::start(&["--redis", &redis.url()]);
    let finder = format!("{}.finder", address(4));
    let mut raw = Raw::connect(pool.address);
    let job = raw.join(&finder);
    assert_eq!(raw.submit(10, &finder, &job.id, job.block())["result"], true);
    assert!(wait_for(Duration::from_secs(10), || !payouts(&redis).is_empty()));
    let paid: BTreeMap<_, _> = payouts(&redis)[0].payouts.iter().cloned().collect();
    assert!(paid[&worker] > 0 && paid[&finder] > 0);
    assert_eq!(redis.hash("pyrin-pool:round:1")[&worker], counted);
}

#[test]
fn with_redis_down_shares_are_refused_and_the_pool_recovers() {
    let mut redis = Redis::start();
    let pool = in_process_pool(&redis);
    let worker = format!("{}.patient", address(5));
    let mut raw = Raw::connect(pool.address());
    let job = raw.join(&worker);
    let mut cursor = 0;
    assert_eq!(raw.submit(10, &worker, &job.id, job.next_share(&mut cursor))["result"], true);

    redis.kill();
    for id in 11..16 {
        let reply = raw.submit(id, &worker, &job.id, job.next_share(&mut cursor));
        assert_eq!(reply["result"], serde_json::Value::Null, "never a false accept: {reply}");
        assert_eq!(Raw::error_code(&reply), Some(20));
        assert!(Raw::error_message(&reply).unwrap().contains("not recorded"));
    }
    std::thread::sleep(Duration::from_secs(2));
    // The connection is kept meanwhile.
    assert_eq!(raw.call(16, "mining.extranonce.subscribe", serde_json::json!([]))["result"], true);

    redis.restart();
    let started = Instant::now();
    let mut recovered = None;
    for id in 17..1000 {
        if started.elapsed() > Duration::from_secs(10) {
            break;
        }
        if raw.submit(id, &worker, &job.id, job.next_share(&mut cursor))["result"] == true {
            recovered = Some(started.elapsed());
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let recovered = recovered.expect("the pool records shares again once Redis is back");
    println!("recovered {recovered:?} after Redis came back");
    let stats = pool.stats();
    assert_eq!((stats.accepted_shares, stats.unrecorded_shares >= 5), (2, true));
    assert_eq!(redis.hash(OPEN)[&worker], FIXED_WEIGHT, "Redis restarted empty (no persistence), then one share");
    pool.stop();
}

#[test]
fn a_persistent_redis_restart_loses_no_acknowledged_share() {
    let mut redis = Redis::start_persistent();
    let pool = in_process_pool(&redis);
    let worker = format!("{}.durable", address(6));
    let mut raw = Raw::connect(pool.address());
    let job = raw.join(&worker);
    let mut cursor = 0;
    for id in 10..60 {
        assert_eq!(raw.submit(id, &worker, &job.id, job.next_share(&mut cursor))["result"], true);
    }
    redis.kill();
    redis.restart();
    assert_eq!(redis.hash(OPEN)[&worker], 50 * FIXED_WEIGHT);
    pool.stop();
}

#[test]
fn a_block_is_paid_once_however_often_its_round_is_closed() {
    let redis = Redis::start();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let store =
            RedisStore::start(&redis.url(), "pyrin-pool", PayoutRule::Proportional, Duration::from_secs(2)).unwrap();
        store.record_share("a", 1).await.unwrap();
        store.record_share("b", 3).await.unwrap();
        let first = store.close_round("b1", 1000).await.unwrap();
        assert_eq!(first.payouts, vec![("a".to_string(), 250), ("b".to_string(), 750)]);
        store.record_share("a", 5).await.unwrap();
        // A retry (or another pool) closing the same block changes nothing.
        assert_eq!(store.close_round("b1", 1000).await.unwrap(), first);
        assert_eq!(store.open_round().await.unwrap(), vec![("a".to_string(), 5)]);

        // A pool that died between closing and paying: the next start pays, once.
        redis.command(&["RENAME", OPEN, "pyrin-pool:round:2"]);
        redis.command(&["INCR", "pyrin-pool:rounds"]);
        redis.command(&["HSET", "pyrin-pool:blocks", "b2", "2 700"]);
        redis.command(&["SADD", "pyrin-pool:unpaid", "b2"]);
        let settled = store.settle().await.unwrap();
        assert_eq!(settled.len(), 1);
        assert_eq!(settled[0].payouts, vec![("a".to_string(), 700)]);
        assert!(store.settle().await.unwrap().is_empty());
        assert_eq!(store.close_round("b2", 700).await.unwrap(), settled[0]);
    });
    assert_eq!(redis.hash("pyrin-pool:balances"), BTreeMap::from([("a".into(), 950), ("b".into(), 750)]));
}

#[test]
fn pplns_pays_from_the_window_kept_in_redis() {
    let redis = Redis::start();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let store = RedisStore::start(&redis.url(), "pplns", PayoutRule::Pplns(3), Duration::from_secs(2)).unwrap();
        for (worker, weight) in [("a", 100), ("b", 1), ("b", 1), ("a", 2)] {
            store.record_share(worker, weight).await.unwrap();
        }
        // The last three shares: b 1, b 1, a 2.
        let paid = store.close_round("x", 400).await.unwrap();
        assert_eq!(paid.payouts, vec![("b".to_string(), 200), ("a".to_string(), 200)]);
    });
    assert_eq!(redis.command(&["LLEN", "pplns:pplns"]).as_integer(), Some(3));
}
