//! The pool's command line: flags into a [`PoolConfig`], then either serve (printing
//! statistics every 5 s) or run a demo with in-process miners.

use std::io::Write;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use pyrin_core::CompactTarget;
use pyrin_examples::devnet::bits::parse_bits;
use pyrin_examples::pool::client::{run_miner, MinerStats};
use pyrin_examples::pool::core::payout::PayoutRule;
use pyrin_pow::Variant;
use pyrin_tx::address::{Address, Prefix, Version};
use pyrin_tx::sign::PrivateKey;

use crate::server::{Pool, PoolConfig};

const USAGE: &str = "usage: pool [FLAGS] [--demo [--miners N] [--seconds S]]
  --port N               port on 127.0.0.1 (default 5555; 0 picks a free one)
  --bits HEX             starting compact bits of the node's difficulty adjustment (default 1d400000,
                         about 2^26 nonces); bits whose target is zero or above the network's are refused
  --difficulty D         starting share difficulty, 1 = target 0xffff * 2^208 (default 1/1024); vardiff
                         then aims at one share per second per miner
  --min-difficulty D     lowest share difficulty vardiff may set (default 2^-24)
  --max-difficulty D     highest share difficulty vardiff may set (default 1e15; never above the network's)
  --pplns N              pay by PPLNS over the last N shares instead of per round
  --redis URL            count shares in Redis (redis://HOST:PORT) instead of in memory; pools on one
                         Redis (and one --redis-prefix) share rounds
  --redis-prefix P       prefix of the pool's Redis keys (default pyrin-pool)
  --payout-address ADDR  where the pool's blocks pay (required unless --demo)
  --max-clients N        connections served at once (default 16384, lowered to the open-file limit)
  --max-per-address N    connections one remote address may hold (default 256)
  --authorize-seconds S  drop connections that have not authorized a worker by then (default 20)
  --demo                 run the pool and --miners miners (default 2) in this process for --seconds
                         (default 15), paying a demo address unless --payout-address is given";

/// A demo miner's worker name: a devnet address from a key made of `i`, then `.demo<i>`.
/// Valid for every `i` (the key is `i + 1` as a 256-bit number, far below the group order).
pub fn demo_worker(i: u64, prefix: Prefix) -> Option<String> {
    let mut secret = [0u8; 32];
    secret[24..].copy_from_slice(&(i.checked_add(1)?).to_be_bytes());
    let key = PrivateKey::from_bytes(secret).ok()?;
    let address = Address::new(prefix, Version::PubKey, key.schnorr_public_key().to_vec()).ok()?;
    Some(format!("{address}.demo{i}"))
}

/// What the command line asked for.
struct Args {
    config: PoolConfig,
    port: u16,
    demo: bool,
    miners: u64,
    seconds: u64,
}

fn parse_args(args: &[String]) -> Result<Args, String> {
    let mut config = PoolConfig::default();
    let (mut port, mut demo, mut miners, mut seconds) = (5555u16, false, 2u64, 15u64);
    let mut bits = "1d400000".to_string();
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "--demo" => {
                demo = true;
                continue;
            }
            "-h" | "--help" => return Err(String::new()),
            _ => {}
        }
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let bad = || format!("{flag}: bad value {value:?}");
        let positive = |v: &str| v.parse::<f64>().ok().filter(|d| d.is_finite() && *d > 0.0).ok_or_else(bad);
        let count = |v: &str| v.parse::<usize>().ok().filter(|n| *n > 0).ok_or_else(bad);
        match flag.as_str() {
            "--port" => port = value.parse().map_err(|_| bad())?,
            "--bits" => bits = value.clone(),
            "--difficulty" => config.session.start_difficulty = positive(value)?,
            "--min-difficulty" => config.session.min_difficulty = positive(value)?,
            "--max-difficulty" => config.session.max_difficulty = positive(value)?,
            "--pplns" => config.payout = PayoutRule::Pplns(count(value)?),
            "--redis" => {
                crate::resp::parse_url(value).map_err(|e| format!("--redis: {e}"))?;
                config.redis = Some(value.clone());
            }
            "--redis-prefix" => config.redis_prefix = value.clone(),
            "--payout-address" => {
                let address: Address = value.parse().map_err(|e| format!("--payout-address: {e}"))?;
                config.payout_address = Some(address);
            }
            "--max-clients" => config.max_clients = count(value)?,
            "--max-per-address" => config.max_per_address = count(value)?,
            "--authorize-seconds" => config.session.authorize_deadline = Duration::from_secs_f64(positive(value)?),
            "--miners" => miners = value.parse().ok().filter(|n| (0..=4096).contains(n)).ok_or_else(bad)?,
            "--seconds" => seconds = value.parse().map_err(|_| bad())?,
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    let network = config.session.network;
    let parsed: CompactTarget = parse_bits(&bits, network).map_err(|e| format!("--bits: {e}"))?;
    config.bits = Some(parsed);
    if let Some(address) = &config.payout_address {
        if address.prefix() != Prefix::from(network) {
            return Err("--payout-address: not an address of the pool's network".into());
        }
    } else if !demo {
        return Err("--payout-address is required (the pool's blocks pay it)".into());
    }
    if config.session.min_difficulty > config.session.start_difficulty {
        config.session.min_difficulty = config.session.start_difficulty;
    }
    Ok(Args { config, port, demo, miners, seconds })
}

fn print_stats(pool: &Pool, started: Instant) {
    let stats = pool.stats();
    let paid: u64 = stats.blocks.iter().map(|b| b.reward).sum();
    println!(
        "[{:>6.1}s] {} clients, {} shares accepted ({} not recorded), {} blocks paid ({} waiting, {} rejected), \
         {:.8} PYI split, {} clients dropped, {} refused",
        started.elapsed().as_secs_f64(),
        stats.clients,
        stats.accepted_shares,
        stats.unrecorded_shares,
        stats.blocks.len(),
        stats.unsettled_blocks,
        stats.rejected_blocks,
        paid as f64 / 1e8,
        stats.dropped_clients,
        stats.refused_clients
    );
    // The ten busiest workers: the output stays short whatever the number of miners.
    let now = pool.uptime();
    let mut workers: Vec<_> = stats.workers.iter().collect();
    workers.sort_by(|a, b| b.1.hashes.total_cmp(&a.1.hashes));
    for (worker, w) in workers.iter().take(10) {
        println!(
            "  {worker}: {:.2} Mhash/s, {} shares, {} rejected, {} blocks, paid {:.8} PYI, difficulty {:.6}",
            w.hash_rate(now) / 1e6,
            w.shares,
            w.rejected,
            w.blocks,
            w.paid as f64 / 1e8,
            w.difficulty
        );
    }
    if workers.len() > 10 {
        println!("  ... and {} more workers", workers.len() - 10);
    }
    let _ = std::io::stdout().flush();
}

/// Runs the pool with `args` (without the program name).
pub fn main(args: Vec<String>) -> ExitCode {
    let args = match parse_args(&args) {
        Ok(a) => a,
        Err(e) if e.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("error: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let bind = format!("127.0.0.1:{}", if args.demo { 0 } else { args.port });
    let pool = match Pool::start(args.config.clone(), &bind) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: cannot start the pool on {bind}: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("pool listening on {}", pool.address());
    let _ = std::io::stdout().flush();
    let started = Instant::now();
    if !args.demo {
        loop {
            std::thread::sleep(Duration::from_secs(5));
            print_stats(&pool, started);
        }
    }
    let stop = Arc::new(AtomicBool::new(false));
    let prefix = Prefix::from(args.config.session.network);
    let mut handles = Vec::new();
    for i in 0..args.miners {
        let Some(worker) = demo_worker(i, prefix) else { continue };
        let (stop, address) = (Arc::clone(&stop), pool.address());
        let spawned = std::thread::Builder::new()
            .name(format!("miner{i}"))
            .spawn(move || run_miner(address, &worker, Variant::Legacy, i + 1, &stop, Arc::new(MinerStats::default())));
        match spawned {
            Ok(handle) => handles.push(handle),
            Err(e) => eprintln!("miner {i}: cannot start a thread: {e}"),
        }
    }
    let total = Duration::from_secs(args.seconds);
    while started.elapsed() < total {
        std::thread::sleep(Duration::from_secs(1).min(total.saturating_sub(started.elapsed())));
        if started.elapsed().as_secs() % 5 == 0 {
            print_stats(&pool, started);
        }
    }
    stop.store(true, Ordering::SeqCst);
    let mut failed = false;
    for handle in handles {
        match handle.join() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("miner: {e}"),
            Err(_) => {
                eprintln!("error: a miner thread panicked");
                failed = true;
            }
        }
    }
    // The last payouts may still be settling.
    let settling = Instant::now();
    while pool.stats().unsettled_blocks > 0 && settling.elapsed() < Duration::from_secs(3) {
        std::thread::sleep(Duration::from_millis(50));
    }
    pool.stop();
    print_stats(&pool, started);
    for block in &pool.stats().blocks {
        let sum: u64 = block.payouts.iter().map(|(_, a)| a).sum();
        if !block.payouts.is_empty() && sum != block.reward {
            eprintln!("error: block {} paid {sum} of {}", block.hash, block.reward);
            failed = true;
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_demo_miner_has_a_valid_address() {
        // 256 miners used to panic one miner thread (a key byte overflowed).
        for i in [0, 254, 255, 256, 300, 4095, u64::MAX - 1] {
            let worker = demo_worker(i, Prefix::Devnet).unwrap();
            assert!(worker.split('.').next().unwrap().parse::<Address>().is_ok(), "{worker}");
        }
        assert_eq!(demo_worker(u64::MAX, Prefix::Devnet), None);
    }

    #[test]
    fn bad_arguments_are_refused_when_read() {
        let args = |s: &str| s.split_whitespace().map(String::from).collect::<Vec<_>>();
        for bits in ["0", "00800000", "ffffffff"] {
            let error = parse_args(&args(&format!("--demo --bits {bits}"))).err().unwrap();
            assert!(error.contains("zero target"), "{error}");
        }
        assert!(parse_args(&args("--port 1")).err().unwrap().contains("--payout-address is required"));
        let mainnet = Address::new(Prefix::Mainnet, Version::PubKey, vec![7; 32]).unwrap();
        assert!(parse_args(&args(&format!("--payout-address {mainnet}"))).is_err());
        let devnet = Address::new(Prefix::Devnet, Version::PubKey, vec![7; 32]).unwrap();
        let parsed = parse_args(&args(&format!("--payout-address {devnet} --redis redis://127.0.0.1:1"))).unwrap();
        assert_eq!(parsed.config.payout_address, Some(devnet));
        assert!(parse_args(&args("--demo --redis http://x")).is_err());
    }
}
