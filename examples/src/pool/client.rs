//! A stratum miner: connects to a pool, follows its jobs, difficulty and extranonce, and
//! searches nonces with pyrin-pow on every core, submitting each nonce that meets the share
//! target.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use pyrin_core::PrePowHash;
use pyrin_pow::share::target_from_difficulty;
use pyrin_pow::{PowState, Variant};
use serde_json::{json, Value};

use super::stratum::{parse_extranonce, parse_notify, parse_request};

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

/// What the pool asked for, as the reader thread last saw it.
#[derive(Clone, Debug, Default)]
struct Work {
    /// The current job: id, pre-PoW hash, timestamp and the difficulty it was sent at.
    job: Option<(String, PrePowHash, u64, f64)>,
    /// The latest `mining.set_difficulty`; it applies to the jobs notified after it.
    difficulty: Option<f64>,
    /// The nonce bits the pool fixed (`mining.set_extranonce`): prefix and free-bit mask.
    extranonce: Option<(u64, u64)>,
    /// Bumped on every change, so the search knows to start over.
    generation: u64,
}

/// Nonces searched between looks at the job.
const CHUNK: u64 = 1 << 15;

/// Longest line the miner takes from a pool; a longer one closes the connection, so a
/// broken or hostile pool cannot make the miner buffer without limit.
pub const MAX_LINE: usize = 64 * 1024;

/// Reads one line of at most `max` bytes (newline excluded). `None` at the end of the
/// stream, on a read error or on a longer line.
pub fn read_bounded_line(reader: &mut impl BufRead, max: usize) -> Option<String> {
    let mut line = Vec::new();
    let read = reader.by_ref().take(max as u64 + 1).read_until(b'\n', &mut line).ok()?;
    if read == 0 || (line.last() != Some(&b'\n') && line.len() > max) {
        return None;
    }
    if line.last() == Some(&b'\n') {
        line.pop();
    }
    Some(String::from_utf8_lossy(&line).into_owned())
}

/// How long a stopping miner waits for the replies to its last submissions.
const DRAIN: Duration = Duration::from_secs(3);

/// Mines for the pool at `pool` as `worker` (`address.name`) until `stop` is set or the
/// pool closes the connection. `variant` is the matrix reduction the pool's network uses
/// at its current DAA score (stratum jobs do not carry it). Every nonce tried carries the
/// extranonce the pool assigned, so miners never search the same nonces; `seed` only
/// picks where in its own range this miner starts. On `stop` the miner waits briefly for
/// the pool's replies to its submissions, so `stats` counts every share the pool counted.
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
        w.write_all(format!("{value}\n").as_bytes())
    };
    send(json!({"id": 1, "method": "mining.subscribe", "params": ["pyrin-rs-miner/0.1"]}))?;
    send(json!({"id": 2, "method": "mining.authorize", "params": [worker, "x"]}))?;

    let work = Arc::new(Mutex::new(Work::default()));
    let closed = Arc::new(AtomicBool::new(false));
    let reader = {
        let (work, closed) = (Arc::clone(&work), Arc::clone(&closed));
        let stream = stream.try_clone()?;
        let t = Arc::clone(&stats);
        thread::Builder::new().name("miner-reader".into()).spawn(move || {
            let mut reader = BufReader::new(stream);
            while let Some(line) = read_bounded_line(&mut reader, MAX_LINE) {
                let Ok(value) = serde_json::from_str::<Value>(&line) else { continue };
                if let Some(id) = value.get("id").and_then(Value::as_u64) {
                    if id >= 3 {
                        let ok = value.get("result") == Some(&Value::Bool(true));
                        if ok { &t.accepted } else { &t.rejected }.fetch_add(1, Ordering::SeqCst);
                    }
                    continue;
                }
                let Ok(request) = parse_request(&line) else { continue };
                let mut w = work.lock().unwrap_or_else(|p| p.into_inner());
                match request.method.as_str() {
                    "mining.set_difficulty" => {
                        w.difficulty = request.params.first().and_then(Value::as_f64);
                    }
                    "mining.set_extranonce" => {
                        w.extranonce = parse_extranonce(&request.params);
                        w.generation += 1;
                    }
                    "mining.notify" => {
                        let difficulty = w.difficulty.or(w.job.as_ref().map(|j| j.3));
                        if let (Some((id, pre_pow, timestamp)), Some(d)) = (parse_notify(&request.params), difficulty) {
                            w.job = Some((id, pre_pow, timestamp, d));
                            w.generation += 1;
                        }
                    }
                    _ => {}
                }
            }
            closed.store(true, Ordering::SeqCst);
        })?
    };

    let mut rng = seed | 1;
    let mut next_id = 3u64;
    let mut prepared: Option<(u64, PowState, String)> = None;
    // The search runs over `prefix | local` with `local` in the miner's free bits.
    let (mut prefix, mut mask, mut local) = (0u64, u64::MAX, 0u64);
    while !stop.load(Ordering::SeqCst) && !closed.load(Ordering::SeqCst) {
        let current = work.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let Some((job_id, pre_pow, timestamp, difficulty)) = current.job else {
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
            match PowState::from_parts(pre_pow, timestamp, target.to_compact_lossy(), variant) {
                Ok(state) => prepared = Some((current.generation, state, job_id)),
                Err(_) => {
                    thread::sleep(Duration::from_millis(5));
                    continue;
                }
            }
            (prefix, mask) = current.extranonce.unwrap_or((0, u64::MAX));
            // xorshift for a fresh random start per job.
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            local = rng & mask;
        }
        let Some((_, state, job_id)) = prepared.as_ref() else { continue };
        if local >= mask {
            local = 0;
        }
        let end = local.saturating_add(CHUNK).min(mask);
        let outcome = pyrin_pow::par_search(state, (prefix | local)..(prefix | end));
        stats.nonces.fetch_add(outcome.tried, Ordering::Relaxed);
        match outcome.solution {
            Some(solution) => {
                stats.submitted.fetch_add(1, Ordering::SeqCst);
                send(json!({"id": next_id, "method": "mining.submit",
                    "params": [worker, job_id, format!("{:#018x}", solution.nonce)]}))?;
                next_id += 1;
                local = (solution.nonce & mask).saturating_add(1);
            }
            None => local = end,
        }
    }
    let waiting = Instant::now();
    while !closed.load(Ordering::SeqCst)
        && stats.accepted.load(Ordering::SeqCst) + stats.rejected.load(Ordering::SeqCst)
            < stats.submitted.load(Ordering::SeqCst)
        && waiting.elapsed() < DRAIN
    {
        thread::sleep(Duration::from_millis(5));
    }
    let _ = stream.shutdown(std::net::Shutdown::Both);
    let _ = reader.join();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_lines_are_read_with_a_limit() {
        let mut input: &[u8] = b"short\nexactly8\n";
        assert_eq!(read_bounded_line(&mut input, 8).as_deref(), Some("short"));
        assert_eq!(read_bounded_line(&mut input, 8).as_deref(), Some("exactly8"));
        assert_eq!(read_bounded_line(&mut input, 8), None);
        let long = vec![b'x'; 1 << 20];
        assert_eq!(read_bounded_line(&mut long.as_slice(), 1024), None);
    }
}
