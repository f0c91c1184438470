//! Ten thousand miners on one pool process: each connects over loopback, subscribes,
//! authorizes and receives its job, within a bounded time. The figures (time, the pool's
//! resident memory) are printed; `pool-load --idle N` measures the same outside the tests.

mod common;

use std::time::Duration;

use common::PoolProcess;
use pyrin_pool::cli::demo_worker;
use pyrin_pool::load::connect_idle;
use pyrin_tx::address::Prefix;

const MINERS: usize = 10_000;

#[test]
fn ten_thousand_miners_get_their_jobs() {
    // This process holds the miners' ends: one descriptor each.
    let limit = rlimit::increase_nofile_limit(u64::MAX).unwrap();
    assert!(limit > MINERS as u64 + 100, "the open-file hard limit ({limit}) is too low for {MINERS} miners");
    let cap = (MINERS + 100).to_string();
    let pool = PoolProcess::start(&["--max-clients", &cap, "--max-per-address", &cap, "--authorize-seconds", "600"]);
    let workers: Vec<String> = (0..MINERS as u64).map(|i| demo_worker(i, Prefix::Devnet).unwrap()).collect();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let (connections, took) = runtime.block_on(connect_idle(pool.address, workers, Duration::from_secs(90))).unwrap();
    assert_eq!(connections.len(), MINERS);
    let status = std::fs::read_to_string(format!("/proc/{}/status", pool.pid())).unwrap_or_default();
    let rss_kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0);
    println!(
        "{MINERS} miners had their jobs in {:.2} s; pool resident memory {} MiB",
        took.as_secs_f64(),
        rss_kib / 1024
    );
    assert!(rss_kib < 1024 * 1024, "under 1 GiB resident");
    drop(connections);
}
