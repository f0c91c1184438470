//! A stratum pool server over an in-process devnet node: it hands out jobs, checks every
//! share with pyrin-pow against the miner's share target and the network target in one
//! PoW computation, adjusts each miner's difficulty, submits blocks to the node and splits
//! each found block's reward with pyrin-emission's payout rules.
//!
//! Bad input never takes the server down: every line is length-limited, malformed requests
//! get a stratum error, floods are answered with errors and then dropped, and a client
//! that disconnects only loses its connection (its accepted shares stay counted).

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

use pyrin_core::params::Network;
use pyrin_core::{Block, Hash};
use pyrin_emission::payout::{pplns, split_proportional, Share};
use pyrin_pow::share::target_from_difficulty;
use pyrin_pow::PowState;
use pyrin_tx::address::Address;
use serde_json::{json, Value};

use super::stratum::{self, parse_nonce, parse_request, response, Request, StratumError};
use crate::devnet::sim::{Devnet, DevnetConfig};

/// How the pool runs.
#[derive(Clone, Debug)]
pub struct PoolConfig {
    /// Network of the in-process node.
    pub network: Network,
    /// Starting bits of the node's difficulty adjustment (the genesis bits when `None`).
    pub bits: Option<u32>,
    /// Share difficulty a new miner starts at (bridge units: 1 = target `0xffff · 2^208`).
    pub start_difficulty: f64,
    /// Seconds between shares that vardiff aims for.
    pub share_seconds: f64,
    /// Longest accepted request line in bytes.
    pub max_line: usize,
    /// Requests per second a client may send before being refused, and dropped at 4×.
    pub max_requests_per_second: u32,
    /// Pay by PPLNS over this many last shares instead of proportionally per round.
    pub pplns_window: Option<usize>,
    /// Seed of the pool's key.
    pub seed: u64,
}

impl Default for PoolConfig {
    fn default() -> Self {
        Self {
            network: Network::Devnet,
            bits: None,
            start_difficulty: 1.0 / 1024.0,
            share_seconds: 1.0,
            max_line: 4096,
            max_requests_per_second: 500,
            pplns_window: None,
            seed: 1,
        }
    }
}

/// What the pool knows about a worker (`address.name`).
#[derive(Clone, Debug, Default)]
pub struct WorkerStats {
    /// Accepted shares.
    pub shares: u64,
    /// Expected hashes behind the accepted shares.
    pub hashes: f64,
    /// Rejected submissions (stale, duplicate, low difficulty, malformed).
    pub rejected: u64,
    /// Blocks its shares found.
    pub blocks: u64,
    /// Leor paid to it.
    pub paid: u64,
    /// Its current share difficulty.
    pub difficulty: f64,
    /// Seconds since it first authorized (for its hash rate).
    pub seconds: f64,
}

impl WorkerStats {
    /// Hash rate estimated from accepted shares.
    pub fn hash_rate(&self) -> f64 {
        self.hashes / self.seconds.max(1e-3)
    }
}

/// A block the pool found and how its reward was split.
#[derive(Clone, Debug)]
pub struct FoundBlock {
    /// Block hash.
    pub hash: Hash,
    /// The subsidy its coinbase claims (paid to the pool by the merging block).
    pub reward: u64,
    /// Per worker, in leor; sums to `reward` exactly.
    pub payouts: Vec<(String, u64)>,
}

/// A snapshot of the pool's accounting.
#[derive(Clone, Debug, Default)]
pub struct PoolStats {
    /// Per worker.
    pub workers: BTreeMap<String, WorkerStats>,
    /// Blocks found, in order.
    pub blocks: Vec<FoundBlock>,
    /// Blocks the node refused (should stay zero).
    pub rejected_blocks: u64,
    /// Connections dropped for bad behaviour (over-long lines, floods).
    pub dropped_clients: u64,
}

struct Job {
    block: Block,
    state: PowState,
    nonces: HashSet<u64>,
}

struct Client {
    writer: TcpStream,
    worker: Option<String>,
    subscribed: bool,
    difficulty: f64,
    job_difficulty: HashMap<u64, f64>,
    share_times: VecDeque<Instant>,
}

struct Shared {
    devnet: Devnet,
    started: Instant,
    jobs: HashMap<u64, Job>,
    current_job: u64,
    /// Shares since the last block: (worker, weight).
    round: Vec<(String, u64)>,
    /// Recent shares for PPLNS.
    recent: VecDeque<Share<String>>,
    stats: PoolStats,
    first_seen: HashMap<String, Instant>,
    clients: HashMap<u64, Client>,
}

/// A running pool.
pub struct Pool {
    config: PoolConfig,
    shared: Mutex<Shared>,
    stop: AtomicBool,
    next_client: AtomicU64,
    address: SocketAddr,
}

/// A share's weight: its difficulty in units of 2^-32, at least 1.
fn share_weight(difficulty: f64) -> u64 {
    (difficulty * 4_294_967_296.0).round().clamp(1.0, u64::MAX as f64) as u64
}

/// Expected hashes per share of this difficulty.
fn expected_hashes(difficulty: f64) -> f64 {
    difficulty * 4_294_967_296.0 * (65536.0 / 65535.0)
}

impl Pool {
    /// Binds `address` (port 0 picks a free one), builds the first job and starts accepting
    /// miners on a background thread.
    pub fn start(config: PoolConfig, address: &str) -> std::io::Result<Arc<Self>> {
        let devnet_config = DevnetConfig {
            network: config.network,
            bits: config.bits,
            miners: 1,
            seed: config.seed,
            ..Default::default()
        };
        let devnet = Devnet::new(devnet_config).map_err(|e| std::io::Error::other(e.to_string()))?;
        let listener = TcpListener::bind(address)?;
        listener.set_nonblocking(true)?;
        let pool = Arc::new(Self {
            shared: Mutex::new(Shared {
                devnet,
                started: Instant::now(),
                jobs: HashMap::new(),
                current_job: 0,
                round: Vec::new(),
                recent: VecDeque::new(),
                stats: PoolStats::default(),
                first_seen: HashMap::new(),
                clients: HashMap::new(),
            }),
            address: listener.local_addr()?,
            config,
            stop: AtomicBool::new(false),
            next_client: AtomicU64::new(1),
        });
        pool.lock().new_job().map_err(std::io::Error::other)?;
        let accepting = Arc::clone(&pool);
        thread::spawn(move || accepting.accept_loop(listener));
        Ok(pool)
    }

    /// The address miners connect to.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Stops accepting and closes every connection.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
        for client in self.lock().clients.values() {
            let _ = client.writer.shutdown(std::net::Shutdown::Both);
        }
    }

    /// The accounting so far.
    pub fn stats(&self) -> PoolStats {
        let shared = self.lock();
        let mut stats = shared.stats.clone();
        for (name, worker) in stats.workers.iter_mut() {
            worker.seconds = shared.first_seen.get(name).map_or(0.0, |t| t.elapsed().as_secs_f64());
        }
        stats
    }

    /// Blocks in the pool's node (genesis included).
    pub fn node_blocks(&self) -> usize {
        self.lock().devnet.node.blocks().len()
    }

    fn lock(&self) -> MutexGuard<'_, Shared> {
        // A panic in another connection's handler must not stop the pool; the state is
        // only ever changed in steps that leave it consistent.
        self.shared.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn accept_loop(self: Arc<Self>, listener: TcpListener) {
        while !self.stop.load(Ordering::SeqCst) {
            match listener.accept() {
                Ok((stream, _)) => {
                    let pool = Arc::clone(&self);
                    thread::spawn(move || pool.serve(stream));
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => thread::sleep(Duration::from_millis(10)),
                Err(_) => thread::sleep(Duration::from_millis(10)),
            }
        }
    }

    fn serve(self: Arc<Self>, stream: TcpStream) {
        let id = self.next_client.fetch_add(1, Ordering::SeqCst);
        let (Ok(writer), Ok(())) = (stream.try_clone(), stream.set_read_timeout(Some(Duration::from_millis(200))))
        else {
            return;
        };
        let _ = writer.set_write_timeout(Some(Duration::from_secs(2)));
        let _ = stream.set_nodelay(true);
        self.lock().clients.insert(
            id,
            Client {
                writer,
                worker: None,
                subscribed: false,
                difficulty: self.config.start_difficulty,
                job_difficulty: HashMap::new(),
                share_times: VecDeque::new(),
            },
        );
        let mut reader = BufReader::new(stream);
        let mut line = Vec::new();
        let mut window = (Instant::now(), 0u32);
        let outcome = loop {
            if self.stop.load(Ordering::SeqCst) {
                break Ok(());
            }
            let room = (self.config.max_line + 1).saturating_sub(line.len()) as u64;
            match reader.by_ref().take(room).read_until(b'\n', &mut line) {
                Ok(0) if line.is_empty() => break Ok(()),
                Ok(_) => {}
                Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => continue,
                Err(_) => break Ok(()),
            }
            if line.last() != Some(&b'\n') {
                if line.len() > self.config.max_line {
                    break Err("request line too long");
                }
                // EOF in the middle of a line.
                break Ok(());
            }
            if window.0.elapsed() >= Duration::from_secs(1) {
                window = (Instant::now(), 0);
            }
            window.1 += 1;
            let text = String::from_utf8_lossy(&line).trim().to_string();
            line.clear();
            if text.is_empty() {
                continue;
            }
            if window.1 > 4 * self.config.max_requests_per_second {
                break Err("too many requests");
            }
            let reply = if window.1 > self.config.max_requests_per_second {
                response(&Value::Null, Err((StratumError::Other, "rate limited")))
            } else {
                match parse_request(&text) {
                    Ok(request) => self.handle(id, request),
                    Err(message) => response(&Value::Null, Err((StratumError::Other, &message))),
                }
            };
            if !reply.is_empty() && !self.send(id, &reply) {
                break Ok(());
            }
        };
        let mut shared = self.lock();
        if let (Err(reason), Some(client)) = (outcome, shared.clients.get_mut(&id)) {
            let _ = writeln!(client.writer, "{}", response(&Value::Null, Err((StratumError::Other, reason))));
            shared.stats.dropped_clients += 1;
        }
        if let Some(client) = shared.clients.remove(&id) {
            let _ = client.writer.shutdown(std::net::Shutdown::Both);
        }
    }

    fn send(&self, client: u64, line: &str) -> bool {
        let mut shared = self.lock();
        match shared.clients.get_mut(&client) {
            Some(c) => writeln!(c.writer, "{line}").is_ok(),
            None => false,
        }
    }

    fn handle(&self, client: u64, request: Request) -> String {
        let mut shared = self.lock();
        let result = match request.method.as_str() {
            "mining.subscribe" => {
                if let Some(c) = shared.clients.get_mut(&client) {
                    c.subscribed = true;
                }
                Ok(json!([true, "EthereumStratum/1.0.0"]))
            }
            "mining.extranonce.subscribe" => Ok(json!(true)),
            "mining.authorize" => shared.authorize(client, &request.params),
            "mining.submit" => shared.submit(&self.config, client, &request.params),
            _ => Err((StratumError::Other, "unknown method")),
        };
        let reply = match result {
            Ok(value) => response(&request.id, Ok(value)),
            Err((code, message)) => response(&request.id, Err((code, message))),
        };
        // Authorizing sends the difficulty and the current job right after the reply.
        if request.method == "mining.authorize" && reply.contains("\"result\":true") {
            if let Some(c) = shared.clients.get_mut(&client) {
                let _ = writeln!(c.writer, "{reply}");
            }
            shared.notify_client(client);
            return String::new();
        }
        reply
    }
}

impl Shared {
    fn authorize(&mut self, client: u64, params: &[Value]) -> Result<Value, (StratumError, &'static str)> {
        let c = self.clients.get_mut(&client).ok_or((StratumError::Other, "unknown client"))?;
        if !c.subscribed {
            return Err((StratumError::NotSubscribed, "subscribe first"));
        }
        let worker = params.first().and_then(Value::as_str).ok_or((StratumError::Other, "worker name expected"))?;
        if worker.is_empty() || worker.len() > 200 {
            return Err((StratumError::Other, "worker name must be 1 to 200 bytes"));
        }
        let address = worker.split('.').next().unwrap_or_default();
        address.parse::<Address>().map_err(|_| (StratumError::Other, "worker must start with a pyrin address"))?;
        c.worker = Some(worker.to_string());
        let difficulty = c.difficulty;
        self.first_seen.entry(worker.to_string()).or_insert_with(Instant::now);
        self.stats.workers.entry(worker.to_string()).or_default().difficulty = difficulty;
        Ok(json!(true))
    }

    /// Sends the client its difficulty and the current job.
    fn notify_client(&mut self, client: u64) {
        let job_id = self.current_job;
        let Some(job) = self.jobs.get(&job_id) else { return };
        let (pre_pow, timestamp) = (job.state.pre_pow_hash(), job.state.timestamp());
        let Some(c) = self.clients.get_mut(&client) else { return };
        if c.worker.is_none() {
            return;
        }
        let difficulty = c.difficulty;
        let entry = c.job_difficulty.entry(job_id).or_insert(difficulty);
        // A share in flight for the old difficulty still counts.
        *entry = entry.min(difficulty);
        let lines = [
            stratum::notification("mining.set_difficulty", json!([difficulty])),
            stratum::notify(&job_id.to_string(), &pre_pow, timestamp),
        ];
        for line in lines {
            let _ = writeln!(c.writer, "{line}");
        }
    }

    /// A fresh template on the node's tips paying the pool, sent to every miner.
    fn new_job(&mut self) -> Result<(), String> {
        let tips = self.devnet.node.tips();
        let script = self.devnet.miners[0].script.clone();
        // Timestamps run from genesis at wall-clock speed, so the difficulty adjustment
        // sees the real block rate.
        let now = self.devnet.node.params().genesis.timestamp + self.started.elapsed().as_millis() as u64;
        let block = self.devnet.node.template(&tips, &script, b"pyrin-rs pool", &[], now).map_err(|e| e.to_string())?;
        let state = PowState::new(&block.header).map_err(|e| e.to_string())?;
        self.current_job += 1;
        self.jobs.clear();
        self.jobs.insert(self.current_job, Job { block, state, nonces: HashSet::new() });
        let clients: Vec<u64> = self.clients.keys().copied().collect();
        for client in clients {
            if let Some(c) = self.clients.get_mut(&client) {
                c.job_difficulty.clear();
            }
            self.notify_client(client);
        }
        Ok(())
    }

    fn submit(
        &mut self,
        config: &PoolConfig,
        client: u64,
        params: &[Value],
    ) -> Result<Value, (StratumError, &'static str)> {
        let worker = self
            .clients
            .get(&client)
            .and_then(|c| c.worker.clone())
            .ok_or((StratumError::Unauthorized, "authorize first"))?;
        let outcome = self.check_submission(client, params);
        let stats = self.stats.workers.entry(worker.clone()).or_default();
        let (difficulty, block) = match outcome {
            Ok(accepted) => accepted,
            Err(e) => {
                stats.rejected += 1;
                return Err(e);
            }
        };
        stats.shares += 1;
        stats.hashes += expected_hashes(difficulty);
        let weight = share_weight(difficulty);
        self.round.push((worker.clone(), weight));
        self.recent.push_back(Share { miner: worker.clone(), difficulty: weight });
        let keep = config.pplns_window.unwrap_or(0);
        while self.recent.len() > keep {
            self.recent.pop_front();
        }
        if let Some(block) = block {
            self.stats.workers.entry(worker).or_default().blocks += 1;
            self.found_block(block);
        }
        self.vardiff(config, client);
        Ok(json!(true))
    }

    /// Checks a submission; returns the difficulty it was accepted at and, when it also
    /// meets the network target, the block it completes.
    #[allow(clippy::type_complexity)]
    fn check_submission(
        &mut self,
        client: u64,
        params: &[Value],
    ) -> Result<(f64, Option<Block>), (StratumError, &'static str)> {
        let job_id = match params.get(1) {
            Some(Value::String(s)) => s.parse::<u64>().ok(),
            Some(Value::Number(n)) => n.as_u64(),
            _ => None,
        }
        .ok_or((StratumError::Other, "job id expected"))?;
        let nonce = params
            .get(2)
            .and_then(Value::as_str)
            .and_then(parse_nonce)
            .ok_or((StratumError::Other, "nonce must be hex"))?;
        let difficulty = {
            let c = self.clients.get(&client).ok_or((StratumError::Other, "unknown client"))?;
            c.job_difficulty.get(&job_id).copied().unwrap_or(c.difficulty)
        };
        let job = self.jobs.get_mut(&job_id).ok_or((StratumError::StaleJob, "stale job"))?;
        if !job.nonces.insert(nonce) {
            return Err((StratumError::Duplicate, "duplicate share"));
        }
        let target = target_from_difficulty(difficulty).map_err(|_| (StratumError::Other, "bad difficulty"))?;
        let check = job.state.check_share(nonce, &target);
        if !check.meets_share {
            return Err((StratumError::LowDifficulty, "low difficulty share"));
        }
        let block = check.meets_network.then(|| {
            let mut block = job.block.clone();
            block.header.nonce = nonce;
            block
        });
        Ok((difficulty, block))
    }

    fn found_block(&mut self, block: Block) {
        match self.devnet.node.submit_block(block) {
            Ok(hash) => {
                let reward = self.devnet.node.block(&hash).map_or(0, |b| b.subsidy);
                let payouts = self.split(reward);
                for (worker, amount) in &payouts {
                    self.stats.workers.entry(worker.clone()).or_default().paid += amount;
                }
                self.stats.blocks.push(FoundBlock { hash, reward, payouts });
                self.round.clear();
            }
            Err(_) => self.stats.rejected_blocks += 1,
        }
        // Every miner moves to the new tips; a failure here leaves the old job current.
        let _ = self.new_job();
    }

    /// The reward split over the round's shares (or the PPLNS window).
    fn split(&self, reward: u64) -> Vec<(String, u64)> {
        if !self.recent.is_empty() {
            let shares: Vec<Share<String>> = self.recent.iter().cloned().collect();
            if let Ok(paid) = pplns(reward, &shares, shares.len()) {
                return paid;
            }
        }
        let mut weights: BTreeMap<String, u64> = BTreeMap::new();
        for (worker, weight) in &self.round {
            let w = weights.entry(worker.clone()).or_default();
            *w = w.saturating_add(*weight);
        }
        let (workers, shares): (Vec<String>, Vec<u64>) = weights.into_iter().unzip();
        match split_proportional(reward, &shares) {
            Ok(amounts) => workers.into_iter().zip(amounts).collect(),
            Err(_) => Vec::new(),
        }
    }

    /// Moves a client's difficulty toward one share per `share_seconds`.
    fn vardiff(&mut self, config: &PoolConfig, client: u64) {
        let Some(c) = self.clients.get_mut(&client) else { return };
        c.share_times.push_back(Instant::now());
        let (Some(first), n) = (c.share_times.front().copied(), c.share_times.len()) else { return };
        let elapsed = first.elapsed().as_secs_f64();
        if n < 6 && elapsed < 10.0 * config.share_seconds {
            return;
        }
        let rate = (n - 1) as f64 / elapsed.max(1e-3);
        let factor = (rate * config.share_seconds).clamp(0.25, 4.0);
        c.share_times.clear();
        if (factor - 1.0).abs() < 0.25 {
            return;
        }
        c.difficulty *= factor;
        let difficulty = c.difficulty;
        if let Some(worker) = c.worker.clone() {
            self.stats.workers.entry(worker).or_default().difficulty = difficulty;
        }
        self.notify_client(client);
    }
}
