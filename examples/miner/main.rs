//! A stratum miner for the example pool (or any pool speaking the same dialect).
//!
//! ```text
//! cargo run --release --example miner -- --pool 127.0.0.1:5555 --address pyrindev:... [--worker NAME] [--variant legacy|relaunch]
//! ```

use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use pyrin_examples::pool::client::{run_miner, MinerStats};
use pyrin_pow::Variant;
use pyrin_tx::address::Address;

const USAGE: &str = "usage: miner --address ADDRESS [--pool HOST:PORT] [--worker NAME] [--variant legacy|relaunch]
  --pool     pool address (default 127.0.0.1:5555)
  --address  the pyrin address to be paid
  --worker   worker name (default rig)
  --variant  matrix reduction of the pool's network: legacy (devnet and before the relaunch) or relaunch";

fn main() -> ExitCode {
    let (mut pool, mut address, mut worker, mut variant) =
        ("127.0.0.1:5555".to_string(), None::<String>, "rig".to_string(), Variant::Legacy);
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let Some(value) = it.next() else {
            eprintln!("error: {flag} needs a value\n{USAGE}");
            return ExitCode::from(2);
        };
        match flag.as_str() {
            "--pool" => pool = value.clone(),
            "--address" => address = Some(value.clone()),
            "--worker" => worker = value.clone(),
            "--variant" => match value.parse() {
                Ok(v) => variant = v,
                Err(e) => {
                    eprintln!("error: {e}\n{USAGE}");
                    return ExitCode::from(2);
                }
            },
            _ => {
                eprintln!("error: unknown flag {flag}\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    let Some(address) = address else {
        eprintln!("error: --address is required\n{USAGE}");
        return ExitCode::from(2);
    };
    if let Err(e) = address.parse::<Address>() {
        eprintln!("error: {address}: {e}");
        return ExitCode::from(2);
    }
    let Ok(pool_address) = pool.parse() else {
        eprintln!("error: {pool} is not HOST:PORT");
        return ExitCode::from(2);
    };
    let stats = Arc::new(MinerStats::default());
    let stop = Arc::new(AtomicBool::new(false));
    let reporter = {
        let (stats, stop) = (Arc::clone(&stats), Arc::clone(&stop));
        std::thread::spawn(move || {
            let started = Instant::now();
            while !stop.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_secs(5));
                let nonces = stats.nonces.load(Ordering::Relaxed);
                println!(
                    "{:.2} Mhash/s, {} shares submitted, {} accepted, {} rejected",
                    nonces as f64 / started.elapsed().as_secs_f64() / 1e6,
                    stats.submitted.load(Ordering::Relaxed),
                    stats.accepted.load(Ordering::Relaxed),
                    stats.rejected.load(Ordering::Relaxed)
                );
            }
        })
    };
    let worker = format!("{address}.{worker}");
    // The pool's extranonce keeps miners apart; the seed only picks where this one starts
    // in its own range, so a restarted miner does not redo the nonces it already tried.
    let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64)
        ^ u64::from(std::process::id());
    let result = run_miner(pool_address, &worker, variant, seed, &stop, stats);
    stop.store(true, Ordering::SeqCst);
    let _ = reporter.join();
    match result {
        Ok(()) => {
            println!("the pool closed the connection");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
