//! Simulated miners over loopback, for the scale and load measurements: many idle miners
//! that subscribe, authorize and wait for their job, and busy ones that submit shares as
//! fast as they are answered (or at a set rate) and time each answer.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;

/// Handshakes in flight at once (a loopback listen backlog is finite).
const HANDSHAKES: usize = 256;

/// Connects `workers.len()` miners that subscribe, authorize and read their first job,
/// all within `deadline`. Returns the open connections (keep them to keep the miners) and
/// the time it took.
///
/// # Errors
/// The first miner that failed, or the deadline.
pub async fn connect_idle(
    pool: SocketAddr,
    workers: Vec<String>,
    deadline: Duration,
) -> Result<(Vec<BufReader<TcpStream>>, Duration), String> {
    let started = Instant::now();
    let gate = Arc::new(Semaphore::new(HANDSHAKES));
    let tasks: Vec<_> = workers
        .into_iter()
        .map(|worker| {
            let gate = Arc::clone(&gate);
            tokio::spawn(async move {
                let _permit = gate.acquire_owned().await.map_err(|e| e.to_string())?;
                let (connection, _, _) = handshake(pool, &worker).await?;
                Ok::<_, String>(connection)
            })
        })
        .collect();
    let joined = tokio::time::timeout(deadline, async {
        let mut connections = Vec::with_capacity(tasks.len());
        for task in tasks {
            connections.push(task.await.map_err(|e| e.to_string())??);
        }
        Ok::<_, String>(connections)
    })
    .await
    .map_err(|_| format!("not every miner had its job within {deadline:?}"))??;
    Ok((joined, started.elapsed()))
}

/// Subscribes and authorizes `worker`; returns the connection, its extranonce prefix and
/// the first job id.
///
/// # Errors
/// The connection failed or the pool answered otherwise.
pub async fn handshake(pool: SocketAddr, worker: &str) -> Result<(BufReader<TcpStream>, u64, String), String> {
    let mut stream = TcpStream::connect(pool).await.map_err(|e| format!("connect: {e}"))?;
    let hello = format!(
        "{}\n{}\n",
        serde_json::json!({"id": 1, "method": "mining.subscribe", "params": ["pyrin-rs-load/0.1"]}),
        serde_json::json!({"id": 2, "method": "mining.authorize", "params": [worker, "x"]})
    );
    stream.write_all(hello.as_bytes()).await.map_err(|e| format!("send: {e}"))?;
    let mut reader = BufReader::new(stream);
    let mut prefix = None;
    let mut line = String::new();
    for _ in 0..16 {
        line.clear();
        if reader.read_line(&mut line).await.map_err(|e| format!("read: {e}"))? == 0 {
            return Err("the pool closed the connection".into());
        }
        let value: serde_json::Value = serde_json::from_str(&line).map_err(|e| format!("{e}: {line}"))?;
        match value["method"].as_str() {
            Some("mining.set_extranonce") => {
                let params = value["params"].as_array().cloned().unwrap_or_default();
                prefix = pyrin_examples::pool::stratum::parse_extranonce(&params).map(|(p, _)| p);
            }
            Some("mining.notify") => {
                let job = value["params"][0].as_str().unwrap_or_default().to_string();
                return Ok((reader, prefix.ok_or("no extranonce before the job")?, job));
            }
            _ if !value["error"].is_null() => return Err(format!("refused: {line}")),
            _ => {}
        }
    }
    Err("no job in the first 16 lines".into())
}

/// What a busy run measured.
#[derive(Clone, Debug, Default)]
pub struct LoadReport {
    /// Shares answered `true`.
    pub accepted: u64,
    /// Submissions answered with an error (the deliberate duplicates among them).
    pub rejected: u64,
    /// Seconds the submissions ran.
    pub seconds: f64,
    /// Median submit-to-answer time.
    pub p50: Duration,
    /// 99th percentile submit-to-answer time.
    pub p99: Duration,
}

/// `workers.len()` miners submit for `duration`: every 10th submission repeats the one
/// before (a duplicate the pool must refuse), the others are fresh nonces, which a pool
/// whose share target is the maximum accepts. With `per_miner_rate` each miner submits at
/// most that many shares per second; otherwise as fast as it is answered.
///
/// # Errors
/// A miner failed to connect or its connection broke.
pub async fn submit_load(
    pool: SocketAddr,
    workers: Vec<String>,
    duration: Duration,
    per_miner_rate: Option<f64>,
) -> Result<LoadReport, String> {
    let mut miners = Vec::new();
    for worker in workers {
        miners.push((handshake(pool, &worker).await?, worker));
    }
    let started = Instant::now();
    let count = miners.len().max(1);
    let tasks: Vec<_> = miners
        .into_iter()
        .enumerate()
        .map(|(index, ((mut reader, prefix, job), worker))| {
            tokio::spawn(async move {
                let (mut accepted, mut rejected, mut latencies) = (0u64, 0u64, Vec::new());
                let gap = per_miner_rate.map(|r| Duration::from_secs_f64(1.0 / r));
                // Spread over one interval, so the miners do not all submit at once.
                let mut next = started + gap.map_or(Duration::ZERO, |g| g.mul_f64(index as f64 / count as f64));
                let mut line = String::new();
                for i in 1u64..=1_000_000 {
                    if started.elapsed() >= duration {
                        break;
                    }
                    if let Some(gap) = gap {
                        tokio::time::sleep_until(next.into()).await;
                        next += gap;
                    }
                    let nonce = prefix | if i % 10 == 0 { i - 1 } else { i };
                    let request = serde_json::json!({"id": i + 10, "method": "mining.submit",
                        "params": [worker, job, format!("{nonce:#018x}")]});
                    let sent = Instant::now();
                    reader.get_mut().write_all(format!("{request}\n").as_bytes()).await.map_err(|e| e.to_string())?;
                    loop {
                        line.clear();
                        if reader.read_line(&mut line).await.map_err(|e| e.to_string())? == 0 {
                            return Err("the pool closed the connection".to_string());
                        }
                        let value: serde_json::Value = serde_json::from_str(&line).unwrap_or_default();
                        if value["id"].as_u64() == Some(i + 10) {
                            latencies.push(sent.elapsed());
                            if value["result"] == serde_json::json!(true) {
                                accepted += 1;
                            } else {
                                rejected += 1;
                            }
                            break;
                        }
                    }
                }
                Ok((accepted, rejected, latencies))
            })
        })
        .collect();
    let mut report = LoadReport::default();
    let mut latencies = Vec::new();
    for task in tasks {
        let (a, r, l) = task.await.map_err(|e| e.to_string())??;
        report.accepted += a;
        report.rejected += r;
        latencies.extend(l);
    }
    report.seconds = started.elapsed().as_secs_f64();
    latencies.sort();
    let at = |q: f64| latencies.get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)));
    report.p50 = at(0.5).copied().unwrap_or_default();
    report.p99 = at(0.99).copied().unwrap_or_default();
    Ok(report)
}
