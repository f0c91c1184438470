//! A stratum miner: connects to a pool, follows its jobs and difficulty, and searches
//! nonces with pyrin-pow on every core, submitting each nonce that meets the share target.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use pyrin_core::compact::bits_from_target;
use pyrin_core::Hash;
use pyrin_pow::share::target_from_difficulty;
use pyrin_pow::{PowState, Variant};
use serde_json::{json, Value};

use super::stratum::{parse_notify, parse_request};

/// Counters a miner keeps.
#[derive(Debug, Default)]
pub struct MinerStats {
    /// Nonces tried.
    pub nonces: AtomicU64,
    /// Shares submitted.
    pub submitted: AtomicU64,
    /// Shares the pool accepted.
    pub accepted: AtomicU64,
    /// Shares the pool rejected.
    pub rejected: AtomicU64,
}

#[derive(Clone, Debug, Default)]
struct Work {
    job: Option<(String, Hash, u64)>,
    difficulty: Option<f64>,
    generation: u64,
}

/// Nonces searched between looks at the job.
const CHUNK: u64 = 1 << 15;

/// Mines for the pool at `pool` as `worker` (`address.name`) until `stop` is set or the
/// pool closes the connection. `variant` is the matrix reduction the pool's network uses
/// at its current DAA score (stratum jobs do not carry it).
pub fn run_miner(
    pool: SocketAddr,
    worker: &str,
    variant: Variant,
    seed: u64,
    stop: &AtomicBool,
    stats: Arc<MinerStats>,
) -> std::io::Result<()> {
    let stream = TcpStream::connect(pool)?;
    stream.set_nodelay(true)?;
    let writer = Arc::new(Mutex::new(stream.try_clone()?));
    let send = |value: Value| -> std::io::Result<()> {
        let mut w = writer.lock().unwrap_or_else(|p| p.into_inner());
        writeln!(w, "{value}")
    };
    send(json!({"id": 1, "method": "mining.subscribe", "params": ["pyrin-rs-miner/0.1"]}))?;
    send(json!({"id": 2, "method": "mining.authorize", "params": [worker, "x"]}))?;

    let work = Arc::new(Mutex::new(Work::default()));
    let closed = Arc::new(AtomicBool::new(false));
    let reader = {
        let (work, closed) = (Arc::clone(&work), Arc::clone(&closed));
        let stream = stream.try_clone()?;
        let t = Arc::clone(&stats);
        thread::spawn(move || {
            let reader = BufReader::new(stream);
            for line in reader.lines() {
                let Ok(line) = line else { break };
                let Ok(value) = serde_json::from_str::<Value>(&line) else { continue };
                if let Some(id) = value.get("id").and_then(Value::as_u64) {
                    if id >= 3 {
                        let ok = value.get("result") == Some(&Value::Bool(true));
                        if ok { &t.accepted } else { &t.rejected }.fetch_add(1, Ordering::Relaxed);
                    }
                    continue;
                }
                let Ok(request) = parse_request(&line) else { continue };
                let mut w = work.lock().unwrap_or_else(|p| p.into_inner());
                match request.method.as_str() {
                    "mining.set_difficulty" => {
                        w.difficulty = request.params.first().and_then(Value::as_f64);
                        w.generation += 1;
                    }
                    "mining.notify" => {
                        if let Some(job) = parse_notify(&request.params) {
                            w.job = Some(job);
                            w.generation += 1;
                        }
                    }
                    _ => {}
                }
            }
            closed.store(true, Ordering::SeqCst);
        })
    };

    let mut rng = seed | 1;
    let mut next_id = 3u64;
    let mut prepared: Option<(u64, PowState, String)> = None;
    let mut nonce = 0u64;
    while !stop.load(Ordering::SeqCst) && !closed.load(Ordering::SeqCst) {
        let current = work.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let (Some((job_id, pre_pow, timestamp)), Some(difficulty)) = (current.job, current.difficulty) else {
            thread::sleep(Duration::from_millis(5));
            continue;
        };
        if prepared.as_ref().map(|p| p.0) != Some(current.generation) {
            let Ok(target) = target_from_difficulty(difficulty) else {
                thread::sleep(Duration::from_millis(5));
                continue;
            };
            // The search compares against the header target, so the share target is
            // handed over as bits (compact rounding only makes it slightly harder).
            match PowState::from_parts(pre_pow, timestamp, bits_from_target(&target), variant) {
                Ok(state) => prepared = Some((current.generation, state, job_id)),
                Err(_) => {
                    thread::sleep(Duration::from_millis(5));
                    continue;
                }
            }
            // xorshift for a fresh random start per job.
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            nonce = rng;
        }
        let Some((_, state, job_id)) = prepared.as_ref() else { continue };
        let outcome = pyrin_pow::par_search(state, nonce..nonce.saturating_add(CHUNK));
        stats.nonces.fetch_add(outcome.tried, Ordering::Relaxed);
        match outcome.solution {
            Some(solution) => {
                send(json!({"id": next_id, "method": "mining.submit",
                    "params": [worker, job_id, format!("{:#018x}", solution.nonce)]}))?;
                next_id += 1;
                stats.submitted.fetch_add(1, Ordering::Relaxed);
                nonce = solution.nonce.wrapping_add(1);
            }
            None => nonce = nonce.wrapping_add(CHUNK),
        }
    }
    let _ = stream.shutdown(std::net::Shutdown::Both);
    let _ = reader.join();
    Ok(())
}
