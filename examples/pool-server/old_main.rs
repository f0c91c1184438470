//! A stratum mining pool on 127.0.0.1 fed by an in-process devnet node.
//!
//! ```text
//! cargo run --release --example pool -- [--port N] [--bits HEX] [--difficulty D] [--pplns N]
//! cargo run --release --example pool -- --demo [--miners N] [--seconds S]
//! ```

use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use pyrin_core::CompactTarget;
use pyrin_examples::pool::client::{run_miner, MinerStats};
use pyrin_examples::pool::server::{Pool, PoolConfig};
use pyrin_pow::Variant;
use pyrin_tx::address::{Address, Prefix, Version};
use pyrin_tx::sign::PrivateKey;

const USAGE: &str =
    "usage: pool [--port N] [--bits HEX] [--difficulty D] [--pplns N] [--demo [--miners N] [--seconds S]]
  --port        port on 127.0.0.1 (default 5555; 0 picks a free one)
  --bits        starting compact bits of the node's difficulty adjustment (default 1d400000, about 2^26 nonces)
  --difficulty  starting share difficulty, 1 = target 0xffff * 2^208 (default 1/1024); vardiff
                then aims at one share per second per miner
  --pplns       pay by PPLNS over the last N shares instead of per round
  --demo        run the pool and --miners miners (default 2) in this process for --seconds (default 15)";

/// A devnet address for demo miner `i`.
fn demo_address(i: u64) -> String {
    let key = PrivateKey::from_bytes([i as u8 + 1; 32]).expect("small keys are valid");
    let address =
        Address::new(Prefix::Devnet, Version::PubKey, key.schnorr_public_key().to_vec()).expect("32-byte key");
    format!("{address}.demo{i}")
}

fn print_stats(pool: &Pool, started: Instant) {
    let stats = pool.stats();
    let paid: u64 = stats.blocks.iter().map(|b| b.reward).sum();
    println!(
        "[{:>6.1}s] {} blocks found ({} rejected), {:.8} PYI split, {} clients dropped, {} refused",
        started.elapsed().as_secs_f64(),
        stats.blocks.len(),
        stats.rejected_blocks,
        paid as f64 / 1e8,
        stats.dropped_clients,
        stats.refused_clients
    );
    for (worker, w) in &stats.workers {
        println!(
            "  {worker}: {:.2} Mhash/s, {} shares, {} rejected, {} blocks, paid {:.8} PYI, difficulty {:.6}",
            w.hash_rate() / 1e6,
            w.shares,
            w.rejected,
            w.blocks,
            w.paid as f64 / 1e8,
            w.difficulty
        );
    }
}

fn main() -> ExitCode {
    let mut config = PoolConfig { bits: Some(CompactTarget::from_consensus(0x1d40_0000)), ..PoolConfig::default() };
    let (mut port, mut demo, mut miners, mut seconds) = (5555u16, false, 2u64, 15u64);
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut it = args.iter();
    let fail = |m: String| {
        eprintln!("error: {m}\n{USAGE}");
        ExitCode::from(2)
    };
    while let Some(flag) = it.next() {
        if flag == "--demo" {
            demo = true;
            continue;
        }
        let Some(value) = it.next() else { return fail(format!("{flag} needs a value")) };
        let ok = match flag.as_str() {
            "--port" => value.parse().map(|v| port = v).is_ok(),
            "--bits" => u32::from_str_radix(value.trim_start_matches("0x"), 16)
                .map(|v| config.bits = Some(CompactTarget::from_consensus(v)))
                .is_ok(),
            "--difficulty" => value
                .parse::<f64>()
                .ok()
                .filter(|d| d.is_finite() && *d > 0.0)
                .map(|d| config.start_difficulty = d)
                .is_some(),
            "--pplns" => {
                value.parse::<usize>().ok().filter(|n| *n > 0).map(|n| config.pplns_window = Some(n)).is_some()
            }
            "--miners" => value.parse().map(|v| miners = v).is_ok(),
            "--seconds" => value.parse().map(|v| seconds = v).is_ok(),
            _ => return fail(format!("unknown flag {flag}")),
        };
        if !ok {
            return fail(format!("{flag}: bad value {value:?}"));
        }
    }
    let bind = format!("127.0.0.1:{}", if demo { 0 } else { port });
    let pool = match Pool::start(config, &bind) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: cannot start the pool on {bind}: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("pool listening on {}", pool.address());
    let started = Instant::now();
    if !demo {
        loop {
            std::thread::sleep(Duration::from_secs(5));
            print_stats(&pool, started);
        }
    }
    let stop = Arc::new(AtomicBool::new(false));
    let handles: Vec<_> = (0..miners)
        .map(|i| {
            let (stop, address) = (Arc::clone(&stop), pool.address());
            std::thread::spawn(move || {
                let stats = Arc::new(MinerStats::default());
                run_miner(address, &demo_address(i), Variant::Legacy, i + 1, &stop, stats)
            })
        })
        .collect();
    while started.elapsed() < Duration::from_secs(seconds) {
        std::thread::sleep(Duration::from_secs(1).min(Duration::from_secs(seconds).saturating_sub(started.elapsed())));
        if started.elapsed().as_secs() % 5 == 0 {
            print_stats(&pool, started);
        }
    }
    stop.store(true, Ordering::SeqCst);
    pool.stop();
    for handle in handles {
        if let Ok(Err(e)) = handle.join() {
            eprintln!("miner: {e}");
        }
    }
    print_stats(&pool, started);
    let stats = pool.stats();
    for block in &stats.blocks {
        let sum: u64 = block.payouts.iter().map(|(_, a)| a).sum();
        if sum != block.reward {
            eprintln!("error: block {} paid {sum} of {}", block.hash, block.reward);
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
