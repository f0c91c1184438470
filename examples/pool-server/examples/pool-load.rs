//! Load and scale measurements of the pool on loopback (figures, not a test).
//!
//! ```text
//! cargo run --release -p pyrin-pool --example pool-load -- [--miners N] [--seconds S] [--rate R] [--redis URL]
//! cargo run --release -p pyrin-pool --example pool-load -- --idle N
//! ```
//! The first form starts a pool in this process whose share target is the maximum (every
//! fresh nonce is a share, so the miners need no hashing and the pool's own cost is what
//! is measured: parsing, the PoW check of every share, accounting, answering), then `N`
//! miners (default 2000) submit for `S` seconds (default 10), every 10th submission a
//! duplicate; with `--rate R` the miners together aim at R shares per second. It prints
//! accepted shares per second and the p50/p99 submit-to-answer latency, with the
//! accounting in memory, or in Redis with `--redis`.
//!
//! `--idle N` starts the `pyrin-pool` binary beside this one, connects N miners that
//! subscribe, authorize and receive a job, and prints the time that took and the pool
//! process's resident memory.

use std::io::BufRead;
use std::process::{Command, ExitCode, Stdio};
use std::time::Duration;

use pyrin_examples::pool::core::session::SessionConfig;
use pyrin_pool::cli::demo_worker;
use pyrin_pool::load::{connect_idle, submit_load};
use pyrin_pool::server::{Pool, PoolConfig};
use pyrin_tx::address::Prefix;

fn workers(n: usize) -> Vec<String> {
    (0..n as u64).filter_map(|i| demo_worker(i, Prefix::Devnet)).collect()
}

fn busy(miners: usize, seconds: u64, rate: Option<f64>, redis: Option<String>) -> Result<(), String> {
    // 2^-40: a share target above 2^256, so the maximum.
    let every_nonce = 2f64.powi(-40);
    let config = PoolConfig {
        session: SessionConfig {
            start_difficulty: every_nonce,
            min_difficulty: every_nonce,
            max_difficulty: every_nonce,
            max_requests_per_second: 100_000,
            ..SessionConfig::default()
        },
        max_per_address: miners + 16,
        redis: redis.clone(),
        redis_prefix: format!("pyrin-pool-load-{}", std::process::id()),
        ..PoolConfig::default()
    };
    let pool = Pool::start(config, "127.0.0.1:0").map_err(|e| e.to_string())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let per_miner = rate.map(|r| r / miners as f64);
    let report =
        runtime.block_on(submit_load(pool.address(), workers(miners), Duration::from_secs(seconds), per_miner))?;
    let stats = pool.stats();
    pool.stop();
    println!(
        "{} accounting, {miners} miners, {seconds} s{}: {:.0} accepted shares/s ({} accepted, {} rejected, pool counted {}), \
         latency p50 {:.2} ms, p99 {:.2} ms",
        if redis.is_some() { "redis" } else { "in-memory" },
        rate.map_or(String::new(), |r| format!(" at {r:.0} shares/s")),
        report.accepted as f64 / report.seconds,
        report.accepted,
        report.rejected,
        stats.accepted_shares,
        report.p50.as_secs_f64() * 1e3,
        report.p99.as_secs_f64() * 1e3,
    );
    Ok(())
}

fn idle(miners: usize) -> Result<(), String> {
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let binary = exe.parent().and_then(|d| d.parent()).map(|d| d.join("pyrin-pool")).ok_or("no target directory")?;
    let mut child = Command::new(&binary)
        .args(["--demo", "--seconds", "3600", "--miners", "0", "--port", "0"])
        .args(["--max-per-address", &(miners + 16).to_string(), "--max-clients", &(miners + 16).to_string()])
        .args(["--authorize-seconds", "600"])
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{}: {e} (build it with cargo build --release -p pyrin-pool)", binary.display()))?;
    let result = (|| {
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut first = String::new();
        let mut stdout = std::io::BufReader::new(stdout);
        stdout.read_line(&mut first).map_err(|e| e.to_string())?;
        // Keep reading, so the pool's statistics never meet a closed pipe.
        std::thread::spawn(move || stdout.lines().map_while(Result::ok).for_each(drop));
        let address = first.trim().rsplit(' ').next().and_then(|a| a.parse().ok()).ok_or(format!("{first:?}"))?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        let (connections, took) = runtime.block_on(connect_idle(address, workers(miners), Duration::from_secs(120)))?;
        let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap_or_default();
        let rss = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap_or("VmRSS: unknown").to_string();
        println!(
            "{} idle miners connected, subscribed, authorized and sent a job in {:.2} s; pool {}",
            connections.len(),
            took.as_secs_f64(),
            rss.split_whitespace().skip(1).collect::<Vec<_>>().join(" ")
        );
        Ok::<_, String>(())
    })();
    let _ = child.kill();
    let _ = child.wait();
    result
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (mut miners, mut seconds, mut rate, mut redis, mut idle_miners) = (2000usize, 10u64, None, None, None);
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let Some(value) = it.next() else {
            eprintln!("{flag} needs a value");
            return ExitCode::from(2);
        };
        let ok = match flag.as_str() {
            "--miners" => value.parse().map(|v| miners = v).is_ok(),
            "--seconds" => value.parse().map(|v| seconds = v).is_ok(),
            "--rate" => value.parse().map(|v| rate = Some(v)).is_ok(),
            "--redis" => {
                redis = Some(value.clone());
                true
            }
            "--idle" => value.parse().map(|v| idle_miners = Some(v)).is_ok(),
            _ => false,
        };
        if !ok {
            eprintln!("bad flag {flag} {value}");
            return ExitCode::from(2);
        }
    }
    let outcome = match idle_miners {
        Some(n) => idle(n),
        None => busy(miners, seconds, rate, redis),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
