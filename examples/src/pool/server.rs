//! A stratum pool server over an in-process devnet node: it hands out jobs, checks every
//! share with pyrin-pow against the miner's share target and the network target in one
//! PoW computation, adjusts each miner's difficulty, submits blocks to the node and splits
//! each found block's reward with pyrin-emission's payout rules.
//!
//! Each connection has a reader thread and a writer thread. Everything the pool says to a
//! client goes through that client's bounded outbound queue, so the shared state is never
//! locked across a socket write: a client that stops reading fills its own queue and is
//! dropped, and nobody else waits for it.
//!
//! Bad input never takes the server down: every line is length-limited and must arrive
//! within a time limit, idle connections are closed, the number of clients is capped,
//! malformed requests get a stratum error, floods are answered with errors and then
//! dropped, and a client that disconnects only loses its connection (its accepted shares
//! stay counted).

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

use pyrin_core::params::Network;
use pyrin_core::{Amount, Block, BlockHash, CompactTarget};
use pyrin_emission::coinbase::{CoinbaseData, PayloadLimits};
use pyrin_emission::payout::{pplns, split_proportional, Share};
use pyrin_pow::share::{difficulty_of_target, target_from_difficulty};
use pyrin_pow::PowState;
use pyrin_tx::address::Address;
use serde_json::{json, Value};

use super::stratum::{self, parse_request, response, submitted_nonce, Request, StratumError};
use crate::devnet::sim::{Devnet, DevnetConfig};

/// How the pool runs.
#[derive(Clone, Debug)]
pub struct PoolConfig {
    /// Network of the in-process node.
    pub network: Network,
    /// Starting bits of the node's difficulty adjustment (the genesis bits when `None`).
    pub bits: Option<CompactTarget>,
    /// Share difficulty a new miner starts at (bridge units: 1 = target `0xffff · 2^208`).
    pub start_difficulty: f64,
    /// Lowest share difficulty vardiff goes to.
    pub min_difficulty: f64,
    /// Highest share difficulty vardiff goes to (never above the network's difficulty).
    pub max_difficulty: f64,
    /// Seconds between shares that vardiff aims for.
    pub share_seconds: f64,
    /// Longest accepted request line in bytes.
    pub max_line: usize,
    /// Requests per second a client may send before being refused, and dropped at 4×.
    pub max_requests_per_second: u32,
    /// Connections served at once; more are refused (at most 65536, one per extranonce).
    pub max_clients: usize,
    /// A client that sends no complete request for this long is dropped.
    pub idle_timeout: Duration,
    /// A request line must arrive whole within this time of its first byte.
    pub line_timeout: Duration,
    /// Lines waiting to be written to a client; a client whose queue is full is dropped.
    pub send_queue: usize,
    /// A write to a client that takes longer than this drops it.
    pub write_timeout: Duration,
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
            min_difficulty: 1.0 / 16_777_216.0,
            max_difficulty: 1e15,
            share_seconds: 1.0,
            max_line: 4096,
            max_requests_per_second: 500,
            max_clients: 1024,
            idle_timeout: Duration::from_secs(300),
            line_timeout: Duration::from_secs(10),
            send_queue: 1024,
            write_timeout: Duration::from_secs(10),
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
    pub hash: BlockHash,
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
    /// Connections dropped for bad behaviour (over-long or slow lines, floods, idling, not
    /// reading what the pool sends).
    pub dropped_clients: u64,
    /// Connections refused because the pool already served `max_clients`.
    pub refused_clients: u64,
}

/// A block template miners work on.
struct Template {
    block: Block,
    state: PowState,
    /// Nonces accepted for this template, by any client.
    nonces: HashSet<u64>,
}

/// A job as one client was sent it: a template at the difficulty in force then.
#[derive(Clone, Copy, Debug)]
struct ClientJob {
    id: u64,
    template: u64,
    difficulty: f64,
}

/// Jobs a client may still submit to (older ones are stale).
const CLIENT_JOBS: usize = 8;

struct Client {
    outbox: SyncSender<String>,
    socket: TcpStream,
    worker: Option<String>,
    subscribed: bool,
    extranonce: u16,
    difficulty: f64,
    jobs: VecDeque<ClientJob>,
    /// Start of the current vardiff window and the shares accepted in it.
    window: (Instant, u32),
}

struct Shared {
    devnet: Devnet,
    started: Instant,
    templates: HashMap<u64, Template>,
    current_template: u64,
    last_job: u64,
    next_extranonce: u16,
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
    connections: AtomicUsize,
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

/// Vardiff: the difficulty that moves a miner which found `shares` shares in `seconds`
/// toward one share per `share_seconds`, at most 4× up or down per step, kept within
/// `[floor, ceiling]`. `None` while the window is too short to judge (fewer than 6 shares
/// in under 10 target intervals) or when the change would be under 25 %.
pub fn retarget(current: f64, shares: u32, seconds: f64, share_seconds: f64, floor: f64, ceiling: f64) -> Option<f64> {
    if shares < 6 && seconds < 10.0 * share_seconds {
        return None;
    }
    let rate = f64::from(shares) / seconds.max(1e-3);
    let factor = (rate * share_seconds).clamp(0.25, 4.0);
    let next = (current * factor).clamp(floor, ceiling.max(floor));
    ((next / current - 1.0).abs() >= 0.25).then_some(next)
}

/// Gives a connection slot back when its reader thread ends, however it ends.
struct Slot<'a>(&'a AtomicUsize);

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Writes a client's queued lines until the queue closes or a write fails, then closes
/// the socket (which ends the client's reader too).
fn write_loop(mut socket: TcpStream, outbox: Receiver<String>) {
    let mut buffer = String::new();
    while let Ok(line) = outbox.recv() {
        buffer.clear();
        buffer.push_str(&line);
        while let Ok(more) = outbox.try_recv() {
            buffer.push_str(&more);
        }
        if socket.write_all(buffer.as_bytes()).is_err() {
            let _ = socket.shutdown(std::net::Shutdown::Both);
            return;
        }
    }
    linger(socket);
}

/// Closes a connection after its last line: closing with unread input would reset the
/// connection and could destroy that line (the error telling a dropped client why) before
/// the client reads it, so the input is drained for a moment first.
fn linger(mut socket: TcpStream) {
    let _ = socket.shutdown(std::net::Shutdown::Write);
    let _ = socket.set_read_timeout(Some(Duration::from_millis(100)));
    let started = Instant::now();
    let mut sink = [0u8; 4096];
    while started.elapsed() < Duration::from_secs(1) {
        match socket.read(&mut sink) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
            Err(_) => break,
        }
    }
    let _ = socket.shutdown(std::net::Shutdown::Both);
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
                templates: HashMap::new(),
                current_template: 0,
                last_job: 0,
                next_extranonce: 0,
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
            connections: AtomicUsize::new(0),
        });
        pool.lock().new_job().map_err(std::io::Error::other)?;
        let accepting = Arc::clone(&pool);
        thread::Builder::new().name("pool-accept".into()).spawn(move || accepting.accept_loop(listener))?;
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
            let _ = client.socket.shutdown(std::net::Shutdown::Both);
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
        self.lock().devnet.node.hashes().len()
    }

    fn lock(&self) -> MutexGuard<'_, Shared> {
        // A panic in another connection's handler must not stop the pool; the state is
        // only ever changed in steps that leave it consistent.
        self.shared.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn accept_loop(self: Arc<Self>, listener: TcpListener) {
        let mut last_tick = Instant::now();
        while !self.stop.load(Ordering::SeqCst) {
            if last_tick.elapsed() >= Duration::from_millis(500) {
                last_tick = Instant::now();
                self.lock().vardiff_idle(&self.config, last_tick);
            }
            match listener.accept() {
                Ok((stream, _)) => self.admit(stream),
                Err(_) => thread::sleep(Duration::from_millis(10)),
            }
        }
    }

    /// Serves a new connection on its own thread, or refuses it when the pool is full or
    /// no thread can be started.
    fn admit(self: &Arc<Self>, stream: TcpStream) {
        let limit = self.config.max_clients.min(1 << 16);
        if self.connections.fetch_add(1, Ordering::SeqCst) >= limit {
            self.connections.fetch_sub(1, Ordering::SeqCst);
            self.lock().stats.refused_clients += 1;
            let _ = stream.set_nonblocking(true);
            let line = response(&Value::Null, Err((StratumError::Other, "the pool is full")));
            let _ = (&stream).write_all(format!("{line}\n").as_bytes());
            let _ = stream.shutdown(std::net::Shutdown::Both);
            return;
        }
        let pool = Arc::clone(self);
        let spawned = thread::Builder::new().name("pool-client".into()).spawn(move || pool.serve(stream));
        if spawned.is_err() {
            self.connections.fetch_sub(1, Ordering::SeqCst);
        }
    }

    fn serve(self: Arc<Self>, stream: TcpStream) {
        let slot = Slot(&self.connections);
        let id = self.next_client.fetch_add(1, Ordering::SeqCst);
        let setup = (|| {
            stream.set_nonblocking(false)?;
            stream.set_read_timeout(Some(Duration::from_millis(100)))?;
            stream.set_nodelay(true)?;
            let writer = stream.try_clone()?;
            writer.set_write_timeout(Some(self.config.write_timeout))?;
            let socket = stream.try_clone()?;
            let (outbox, queue) = sync_channel(self.config.send_queue.max(4));
            thread::Builder::new().name("pool-writer".into()).spawn(move || write_loop(writer, queue))?;
            Ok::<_, std::io::Error>((outbox, socket))
        })();
        let Ok((outbox, socket)) = setup else {
            let _ = stream.shutdown(std::net::Shutdown::Both);
            return;
        };
        self.lock().add_client(id, outbox, socket, self.config.start_difficulty);

        let mut reader = BufReader::new(stream);
        let mut line = Vec::new();
        let mut window = (Instant::now(), 0u32);
        let (mut last_line, mut line_started) = (Instant::now(), None::<Instant>);
        let outcome = loop {
            if self.stop.load(Ordering::SeqCst) {
                break Ok(());
            }
            let room = (self.config.max_line + 1).saturating_sub(line.len()) as u64;
            let read = reader.by_ref().take(room).read_until(b'\n', &mut line);
            match &read {
                Ok(0) if line.is_empty() => break Ok(()),
                Ok(_) => {}
                Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
                Err(_) => break Ok(()),
            }
            if line.last() != Some(&b'\n') {
                if line.len() > self.config.max_line {
                    break Err("request line too long");
                }
                if read.as_ref().is_ok_and(|n| *n == 0) {
                    // EOF in the middle of a line.
                    break Ok(());
                }
                let now = Instant::now();
                if line.is_empty() {
                    if now.duration_since(last_line) >= self.config.idle_timeout {
                        break Err("idle for too long");
                    }
                } else if now.duration_since(*line_started.get_or_insert(now)) >= self.config.line_timeout {
                    break Err("request line timed out");
                }
                continue;
            }
            (last_line, line_started) = (Instant::now(), None);
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
            let served = match parse_request(&text) {
                Ok(request) if window.1 > self.config.max_requests_per_second => {
                    self.lock().send(id, &response(&request.id, Err((StratumError::Other, "rate limited"))))
                }
                Ok(request) => self.handle(id, request),
                Err(message) => self.lock().send(id, &response(&Value::Null, Err((StratumError::Other, &message)))),
            };
            if !served {
                break Ok(());
            }
        };
        let mut shared = self.lock();
        if let Err(reason) = outcome {
            if shared.clients.contains_key(&id) {
                shared.send(id, &response(&Value::Null, Err((StratumError::Other, reason))));
                shared.stats.dropped_clients += 1;
            }
        }
        // The slot is free before the client can see its connection close; removing the
        // client closes its queue, and the writer closes the socket once the queue is
        // written.
        drop(slot);
        shared.clients.remove(&id);
    }

    /// Answers one request; false when the client is gone.
    fn handle(&self, client: u64, request: Request) -> bool {
        let mut shared = self.lock();
        let result = match request.method.as_str() {
            "mining.subscribe" => match shared.clients.get_mut(&client) {
                Some(c) => {
                    c.subscribed = true;
                    Ok(json!([true, "EthereumStratum/1.0.0"]))
                }
                None => Err((StratumError::Other, "unknown client")),
            },
            "mining.extranonce.subscribe" => Ok(json!(true)),
            "mining.authorize" => shared.authorize(client, &request.params),
            "mining.submit" => shared.submit(&self.config, client, &request.params),
            _ => Err((StratumError::Other, "unknown method")),
        };
        let ok = result.is_ok();
        if !shared.send(client, &response(&request.id, result)) {
            return false;
        }
        match request.method.as_str() {
            // The extranonce right after the subscription, the difficulty and the current
            // job right after the authorization.
            "mining.subscribe" if ok => {
                let extranonce = shared.clients.get(&client).map_or(0, |c| c.extranonce);
                shared.send(client, &stratum::set_extranonce(extranonce))
            }
            "mining.authorize" if ok => shared.notify_client(client),
            _ => true,
        }
    }
}

impl Shared {
    /// Registers a connection with an extranonce no other connected client holds.
    fn add_client(&mut self, id: u64, outbox: SyncSender<String>, socket: TcpStream, difficulty: f64) {
        let taken: HashSet<u16> = self.clients.values().map(|c| c.extranonce).collect();
        // At most 65536 clients are served at once, so a free extranonce exists.
        let mut extranonce = self.next_extranonce;
        for _ in 0..=u16::MAX {
            if !taken.contains(&extranonce) {
                break;
            }
            extranonce = extranonce.wrapping_add(1);
        }
        self.next_extranonce = extranonce.wrapping_add(1);
        let client = Client {
            outbox,
            socket,
            worker: None,
            subscribed: false,
            extranonce,
            difficulty,
            jobs: VecDeque::new(),
            window: (Instant::now(), 0),
        };
        self.clients.insert(id, client);
    }

    /// Queues a line for a client without waiting; a client whose queue is full is dropped.
    /// False when the client is gone.
    fn send(&mut self, client: u64, line: &str) -> bool {
        let Some(c) = self.clients.get(&client) else { return false };
        match c.outbox.try_send(format!("{line}\n")) {
            Ok(()) => true,
            Err(TrySendError::Full(_)) => {
                let _ = c.socket.shutdown(std::net::Shutdown::Both);
                self.clients.remove(&client);
                self.stats.dropped_clients += 1;
                false
            }
            Err(TrySendError::Disconnected(_)) => {
                self.clients.remove(&client);
                false
            }
        }
    }

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
        c.window = (Instant::now(), 0);
        let difficulty = c.difficulty;
        self.first_seen.entry(worker.to_string()).or_insert_with(Instant::now);
        self.stats.workers.entry(worker.to_string()).or_default().difficulty = difficulty;
        Ok(json!(true))
    }

    /// Sends an authorized client its difficulty and the current template as a new job
    /// at that difficulty. False when the client is gone.
    fn notify_client(&mut self, client: u64) -> bool {
        let template = self.current_template;
        let Some(t) = self.templates.get(&template) else { return true };
        let (pre_pow, timestamp) = (t.state.pre_pow_hash(), t.state.timestamp());
        let Some(c) = self.clients.get_mut(&client) else { return false };
        if c.worker.is_none() {
            return true;
        }
        self.last_job += 1;
        let job = ClientJob { id: self.last_job, template, difficulty: c.difficulty };
        c.jobs.push_back(job);
        while c.jobs.len() > CLIENT_JOBS {
            c.jobs.pop_front();
        }
        self.send(client, &stratum::notification("mining.set_difficulty", json!([job.difficulty])))
            && self.send(client, &stratum::notify(&job.id.to_string(), &pre_pow, timestamp))
    }

    /// A fresh template on the node's virtual parents paying the pool, sent to every miner; jobs on
    /// older templates become stale.
    fn new_job(&mut self) -> Result<(), String> {
        let script = self.devnet.miners[0].script.clone();
        // Timestamps run from genesis at wall-clock speed, so the difficulty adjustment
        // sees the real block rate.
        let now = self.devnet.node.params().genesis.timestamp + self.started.elapsed().as_millis() as u64;
        let block = self.devnet.node.template(&script, b"pyrin-rs pool", &[], now).map_err(|e| e.to_string())?;
        let state = PowState::new(&block.header).map_err(|e| e.to_string())?;
        self.current_template += 1;
        self.templates.clear();
        self.templates.insert(self.current_template, Template { block, state, nonces: HashSet::new() });
        let clients: Vec<u64> = self.clients.keys().copied().collect();
        for client in clients {
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
        if let Some(c) = self.clients.get_mut(&client) {
            c.window.1 += 1;
        }
        if let Some(block) = block {
            self.stats.workers.entry(worker).or_default().blocks += 1;
            self.found_block(block);
        }
        self.vardiff(config, client, Instant::now());
        Ok(json!(true))
    }

    /// Checks a submission; returns the difficulty it was accepted at (that of the job as
    /// the client was sent it) and, when it also meets the network target, the block it
    /// completes.
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
        let c = self.clients.get(&client).ok_or((StratumError::Other, "unknown client"))?;
        let text = params.get(2).and_then(Value::as_str).ok_or((StratumError::Other, "nonce must be hex"))?;
        let nonce = submitted_nonce(text, c.extranonce)
            .ok_or((StratumError::Other, "nonce must be hex within the extranonce"))?;
        let job = c.jobs.iter().find(|j| j.id == job_id).copied().ok_or((StratumError::StaleJob, "stale job"))?;
        let template = self.templates.get_mut(&job.template).ok_or((StratumError::StaleJob, "stale job"))?;
        let target = target_from_difficulty(job.difficulty).map_err(|_| (StratumError::Other, "bad difficulty"))?;
        let check = template.state.check_share(nonce, target);
        // A block is always worth taking, whatever the share target.
        if !check.meets_share && !check.meets_network {
            return Err((StratumError::LowDifficulty, "low difficulty share"));
        }
        if !template.nonces.insert(nonce) {
            return Err((StratumError::Duplicate, "duplicate share"));
        }
        let block = check.meets_network.then(|| {
            let mut block = template.block.clone();
            block.header.nonce = nonce;
            block
        });
        Ok((job.difficulty, block))
    }

    fn found_block(&mut self, block: Block) {
        // The subsidy this block claims (paid to the pool by the block that merges it).
        let limits = PayloadLimits::from_params(self.devnet.node.params());
        let reward = block.transactions.first().and_then(|cb| CoinbaseData::decode(&cb.payload, &limits).ok());
        let reward = reward.map_or(Amount::ZERO, |data| data.subsidy);
        let now = self.devnet.node.params().genesis.timestamp + self.started.elapsed().as_millis() as u64;
        match self.devnet.node.submit_honest_block(block, now) {
            Ok(hash) => {
                let payouts = self.split(reward);
                for (worker, amount) in &payouts {
                    self.stats.workers.entry(worker.clone()).or_default().paid += amount.to_leor();
                }
                let payouts = payouts.into_iter().map(|(worker, amount)| (worker, amount.to_leor())).collect();
                self.stats.blocks.push(FoundBlock { hash, reward: reward.to_leor(), payouts });
                self.round.clear();
            }
            Err(_) => self.stats.rejected_blocks += 1,
        }
        // Every miner moves to the new tips; a failure here leaves the old job current.
        let _ = self.new_job();
    }

    /// The reward split over the round's shares (or the PPLNS window).
    fn split(&self, reward: Amount) -> Vec<(String, Amount)> {
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

    /// Moves a client's difficulty toward one share per `share_seconds` once its window
    /// allows a judgement; a change takes effect at once with a fresh job.
    fn vardiff(&mut self, config: &PoolConfig, client: u64, now: Instant) {
        let network = self.templates.get(&self.current_template).map(|t| difficulty_of_target(t.state.target()));
        let Some(c) = self.clients.get_mut(&client) else { return };
        if c.worker.is_none() {
            return;
        }
        let (since, shares) = c.window;
        let seconds = now.saturating_duration_since(since).as_secs_f64();
        // A share above the network difficulty would be a block the pool cannot see.
        let ceiling = config.max_difficulty.min(network.unwrap_or(f64::INFINITY));
        let next = retarget(c.difficulty, shares, seconds, config.share_seconds, config.min_difficulty, ceiling);
        if shares >= 6 || seconds >= 10.0 * config.share_seconds {
            c.window = (now, 0);
        }
        if let Some(difficulty) = next {
            self.set_difficulty(client, difficulty);
        }
    }

    /// Vardiff for every client, so one that finds no shares gets an easier difficulty.
    fn vardiff_idle(&mut self, config: &PoolConfig, now: Instant) {
        let clients: Vec<u64> = self.clients.keys().copied().collect();
        for client in clients {
            self.vardiff(config, client, now);
        }
    }

    /// Gives a client a new share difficulty, effective with the fresh job sent with it.
    fn set_difficulty(&mut self, client: u64, difficulty: f64) {
        let Some(c) = self.clients.get_mut(&client) else { return };
        c.difficulty = difficulty;
        if let Some(worker) = c.worker.clone() {
            self.stats.workers.entry(worker).or_default().difficulty = difficulty;
        }
        self.notify_client(client);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pool::stratum::{parse_extranonce, parse_notify};
    use pyrin_pow::Variant;

    #[test]
    fn retarget_moves_toward_the_share_rate_within_floor_and_ceiling() {
        // Too little evidence: no change.
        assert_eq!(retarget(1.0, 3, 2.0, 1.0, 0.01, 100.0), None);
        // 20 shares in 5 s at one share per second aimed for: 4× harder (capped step).
        assert_eq!(retarget(1.0, 20, 5.0, 1.0, 0.01, 100.0), Some(4.0));
        // 6 shares in 3 s: twice too fast.
        assert_eq!(retarget(1.0, 6, 3.0, 1.0, 0.01, 100.0), Some(2.0));
        // Close enough to the aim: no change.
        assert_eq!(retarget(1.0, 10, 11.0, 1.0, 0.01, 100.0), None);
        // No share in 10 intervals: 4× easier.
        assert_eq!(retarget(1.0, 0, 10.0, 1.0, 0.01, 100.0), Some(0.25));
        // The ceiling and the floor hold, and a difficulty already at one stays.
        assert_eq!(retarget(60.0, 100, 1.0, 1.0, 0.01, 100.0), Some(100.0));
        assert_eq!(retarget(100.0, 100, 1.0, 1.0, 0.01, 100.0), None);
        assert_eq!(retarget(0.02, 0, 60.0, 1.0, 0.01, 100.0), Some(0.01));
        assert_eq!(retarget(0.01, 0, 60.0, 1.0, 0.01, 100.0), None);
    }

    /// A line-by-line stratum client.
    struct Raw(BufReader<TcpStream>);

    impl Raw {
        fn send(&mut self, value: Value) {
            self.0.get_mut().write_all(format!("{value}\n").as_bytes()).unwrap();
        }

        fn read(&mut self) -> Value {
            let mut line = String::new();
            self.0.read_line(&mut line).unwrap();
            serde_json::from_str(&line).unwrap()
        }

        /// Reads up to the next `mining.notify`: the difficulty sent before it and the job.
        fn job(&mut self) -> (f64, (String, pyrin_core::PrePowHash, u64)) {
            let mut difficulty = None;
            loop {
                let v = self.read();
                match v["method"].as_str() {
                    Some("mining.set_difficulty") => difficulty = v["params"][0].as_f64(),
                    Some("mining.notify") => {
                        return (difficulty.unwrap(), parse_notify(v["params"].as_array().unwrap()).unwrap())
                    }
                    _ => {}
                }
            }
        }

        fn submit(&mut self, id: u64, job: &str, nonce: u64) -> Value {
            self.send(json!({"id": id, "method": "mining.submit", "params": ["w", job, format!("{nonce:#018x}")]}));
            loop {
                let v = self.read();
                if v["id"] == json!(id) {
                    return v;
                }
            }
        }
    }

    #[test]
    fn a_new_difficulty_takes_effect_with_a_fresh_job() {
        const BITS: CompactTarget = CompactTarget::from_consensus(0x1e04_0000);
        let (easy, hard) = (2f64.powi(-22), 2f64.powi(-16));
        let config = PoolConfig { bits: Some(BITS), start_difficulty: easy, ..PoolConfig::default() };
        let pool = Pool::start(config.clone(), "127.0.0.1:0").unwrap();
        let stream = TcpStream::connect(pool.address()).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut raw = Raw(BufReader::new(stream));
        let worker = format!("{}.w", pool.lock().devnet.miners[0].address);
        raw.send(json!({"id": 1, "method": "mining.subscribe", "params": []}));
        raw.send(json!({"id": 2, "method": "mining.authorize", "params": [worker]}));
        let prefix = loop {
            let v = raw.read();
            if v["method"] == "mining.set_extranonce" {
                break parse_extranonce(v["params"].as_array().unwrap()).unwrap().0;
            }
        };
        let (difficulty, (old_job, pre_pow, timestamp)) = raw.job();
        assert_eq!(difficulty, easy);

        // The pool raises the difficulty: it says so with a fresh job on the same template.
        let client = *pool.lock().clients.keys().next().unwrap();
        pool.lock().set_difficulty(client, hard);
        let (difficulty, (new_job, same_pre_pow, _)) = raw.job();
        assert_eq!((difficulty, same_pre_pow), (hard, pre_pow));
        assert_ne!(new_job, old_job);

        // Each job keeps the difficulty it was sent with.
        let state = PowState::from_parts(pre_pow, timestamp, BITS, Variant::Legacy).unwrap();
        let meets = |n: u64, d: f64| state.check_share(n, target_from_difficulty(d).unwrap()).meets_share;
        let only_easy = (0u64..).map(|n| prefix | n).find(|&n| meets(n, easy) && !meets(n, hard)).unwrap();
        let both = (0u64..).map(|n| prefix | n).find(|&n| meets(n, hard)).unwrap();
        assert_eq!(raw.submit(3, &new_job, only_easy)["error"][0], json!(23));
        assert_eq!(raw.submit(4, &old_job, only_easy)["result"], json!(true));
        assert_eq!(raw.submit(5, &new_job, both)["result"], json!(true));
        let stats = pool.stats().workers[&worker].clone();
        assert_eq!((stats.shares, stats.rejected, stats.difficulty), (2, 1, hard));
        assert_eq!(stats.hashes, expected_hashes(easy) + expected_hashes(hard));

        // Vardiff: two shares in 20 s at one per second aimed for lowers it 4×, at once.
        pool.lock().vardiff(&config, client, Instant::now() + Duration::from_secs(20));
        let (difficulty, (newest_job, _, _)) = raw.job();
        assert_eq!(difficulty, hard / 4.0);
        assert_ne!(newest_job, new_job);
        pool.stop();
    }
}
