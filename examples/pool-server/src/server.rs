//! The network edge around the sans-I/O core: a tokio server with one task per connection
//! (plus one writing task, behind a bounded queue), the in-process devnet node the
//! templates come from, and the share store.
//!
//! A connection's task feeds its [`Session`] the bytes it reads, the templates the pool
//! publishes and the passing of time, and carries out what comes back: lines go to the
//! client's bounded queue (a client that does not read fills its own queue and is dropped,
//! nobody waits for it), a share goes to the store and is answered only once recorded, a
//! block goes to the node. Share checks run in the connection's own task on the shared,
//! read-only template: there is no pool-wide lock around the PoW.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use pyrin_consensus::Config;
use pyrin_core::{Amount, Block, CompactTarget, ScriptPublicKey};
use pyrin_emission::coinbase::{CoinbaseData, PayloadLimits};
use pyrin_examples::devnet::node::Node;
use pyrin_examples::pool::core::admission::{client_cap, Admission, Refusal};
use pyrin_examples::pool::core::payout::PayoutRule;
use pyrin_examples::pool::core::session::{Event, Output, Session, SessionConfig, ShareEvent};
use pyrin_examples::pool::core::template::Template;
use pyrin_examples::pool::core::workers::{WorkerStats, WorkerTable};
use pyrin_examples::pool::stratum::{response, StratumError};
use pyrin_tx::address::{Address, Prefix, Version};
use pyrin_tx::script::pay_to_address;
use pyrin_tx::sign::PrivateKey;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::Runtime;
use tokio::sync::{mpsc, watch, Notify};

use crate::accounting::memory::MemoryStore;
use crate::accounting::redis::RedisStore;
use crate::accounting::{BlockPayout, ShareStore, StoreError};

/// How the pool runs.
#[derive(Clone, Debug)]
pub struct PoolConfig {
    /// The rules of every connection (network, difficulties, limits, deadlines).
    pub session: SessionConfig,
    /// Starting bits of the node's difficulty adjustment (the genesis bits when `None`).
    pub bits: Option<CompactTarget>,
    /// Connections served at once; more are refused. Lowered to what the open-file limit
    /// allows (one descriptor per client), and never above 65536 (one per extranonce).
    pub max_clients: usize,
    /// Connections one remote address may hold.
    pub max_per_address: usize,
    /// Lines waiting to be written to a client; a client whose queue is full is dropped.
    pub send_queue: usize,
    /// A write to a client that takes longer than this drops it.
    pub write_timeout: Duration,
    /// How found blocks are paid.
    pub payout: PayoutRule,
    /// Where the pool's blocks pay (`None`: a fixed demo address, for `--demo` only).
    pub payout_address: Option<Address>,
    /// Share accounting in Redis (`redis://HOST:PORT`) instead of in memory.
    pub redis: Option<String>,
    /// Prefix of every Redis key (pools with one prefix share rounds).
    pub redis_prefix: String,
    /// Workers the statistics keep at most.
    pub max_tracked_workers: usize,
    /// Threads of the async runtime.
    pub threads: usize,
}

impl Default for PoolConfig {
    fn default() -> Self {
        Self {
            session: SessionConfig::default(),
            bits: None,
            max_clients: 16_384,
            max_per_address: 256,
            send_queue: 256,
            write_timeout: Duration::from_secs(10),
            payout: PayoutRule::Proportional,
            payout_address: None,
            redis: None,
            redis_prefix: "pyrin-pool".into(),
            max_tracked_workers: 10_000,
            threads: 2,
        }
    }
}

/// The address demo blocks pay when no payout address is configured (a key anyone can
/// derive: for demos and tests, never for real rewards).
pub fn demo_payout_address(prefix: Prefix) -> Address {
    let key = PrivateKey::from_bytes([0x5a; 32]).unwrap_or_else(|_| unreachable!("a constant valid key"));
    match Address::new(prefix, Version::PubKey, key.schnorr_public_key().to_vec()) {
        Ok(address) => address,
        Err(_) => unreachable!("a 32-byte Schnorr key makes an address"),
    }
}

/// A block the pool found and how its reward was split.
#[derive(Clone, Debug)]
pub struct FoundBlock {
    /// Block hash (hex).
    pub hash: String,
    /// The round it closed.
    pub round: u64,
    /// The subsidy its coinbase claims (paid to the pool by the merging block).
    pub reward: u64,
    /// Per worker, in leor; sums to `reward` exactly (empty when no share backs it).
    pub payouts: Vec<(String, u64)>,
}

/// A snapshot of the pool's statistics.
#[derive(Clone, Debug, Default)]
pub struct PoolStats {
    /// Per worker (at most `max_tracked_workers`).
    pub workers: BTreeMap<String, WorkerStats>,
    /// Blocks whose payout is recorded, in order.
    pub blocks: Vec<FoundBlock>,
    /// Blocks found but not yet closed in the store (it was unreachable).
    pub unsettled_blocks: usize,
    /// Blocks the node refused (should stay zero).
    pub rejected_blocks: u64,
    /// Connections dropped for bad behaviour (over-long or slow lines, floods, idling, no
    /// authorization in time, not reading what the pool sends).
    pub dropped_clients: u64,
    /// Connections refused (pool full, too many from one address).
    pub refused_clients: u64,
    /// Connections served now.
    pub clients: usize,
    /// Shares recorded in the store and acknowledged.
    pub accepted_shares: u64,
    /// Valid shares the store could not record (answered with an error).
    pub unrecorded_shares: u64,
}

#[derive(Debug)]
struct Stats {
    workers: WorkerTable,
    blocks: Vec<FoundBlock>,
    rejected_blocks: u64,
    dropped_clients: u64,
    refused_clients: u64,
}

/// A found block waiting for its round to be closed in the store.
#[derive(Clone, Debug)]
struct Unsettled {
    hash: String,
    reward: u64,
}

struct Shared {
    config: PoolConfig,
    session: Arc<SessionConfig>,
    node: Mutex<Node>,
    script: ScriptPublicKey,
    started: Instant,
    next_template: AtomicU64,
    template: watch::Sender<Arc<Template>>,
    store: Box<dyn ShareStore>,
    stats: Mutex<Stats>,
    admission: Mutex<Admission>,
    accepted: AtomicU64,
    unrecorded: AtomicU64,
    unsettled: Mutex<Vec<Unsettled>>,
    settle: Notify,
}

/// Locks a mutex whose data every holder leaves consistent, even after a panic elsewhere.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

/// A running pool.
pub struct Pool {
    shared: Arc<Shared>,
    address: SocketAddr,
    shutdown: watch::Sender<bool>,
    runtime: Mutex<Option<Runtime>>,
}

impl Pool {
    /// Raises the open-file limit, binds `address` (port 0 picks a free one), connects the
    /// share store, pays any block a previous run closed but did not pay, builds the first
    /// job and serves miners on a runtime of its own.
    ///
    /// # Errors
    /// The listener cannot be bound, the runtime cannot start, the Redis URL is malformed,
    /// or the first template cannot be built.
    pub fn start(config: PoolConfig, address: &str) -> std::io::Result<Arc<Self>> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(config.threads.max(1))
            .thread_name("pool")
            .enable_all()
            .build()?;
        // One descriptor per client: take what the hard limit allows.
        let descriptors = rlimit::increase_nofile_limit(u64::MAX).unwrap_or(1024);
        let max_clients = client_cap(config.max_clients, descriptors, 64);
        let params = config.session.network.params();
        let node = Node::new(params, config.bits, &Config::new());
        let payout_address =
            config.payout_address.clone().unwrap_or_else(|| demo_payout_address(Prefix::from(config.session.network)));
        let io_error = |e: String| std::io::Error::other(e);
        let (shutdown, _) = watch::channel(false);
        let shared = runtime.block_on(async {
            let store: Box<dyn ShareStore> = match &config.redis {
                Some(url) => Box::new(
                    RedisStore::start(url, &config.redis_prefix, config.payout, Duration::from_secs(2))
                        .map_err(|e| io_error(e.to_string()))?,
                ),
                None => Box::new(MemoryStore::new(config.payout)),
            };
            let placeholder = node.template(&pay_to_address(&payout_address), b"", &[], params.genesis.timestamp);
            let placeholder = placeholder.map_err(|e| io_error(e.to_string()))?;
            let (template, _) =
                watch::channel(Arc::new(Template::new(0, placeholder).map_err(|e| io_error(e.to_string()))?));
            let shared = Arc::new(Shared {
                session: Arc::new(config.session.clone()),
                admission: Mutex::new(Admission::new(max_clients, config.max_per_address)),
                stats: Mutex::new(Stats {
                    workers: WorkerTable::new(config.max_tracked_workers),
                    blocks: Vec::new(),
                    rejected_blocks: 0,
                    dropped_clients: 0,
                    refused_clients: 0,
                }),
                config,
                node: Mutex::new(node),
                script: pay_to_address(&payout_address),
                started: Instant::now(),
                next_template: AtomicU64::new(1),
                template,
                store,
                accepted: AtomicU64::new(0),
                unrecorded: AtomicU64::new(0),
                unsettled: Mutex::new(Vec::new()),
                settle: Notify::new(),
            });
            shared.new_template().map_err(io_error)?;
            Ok::<_, std::io::Error>(shared)
        })?;
        let listener = runtime.block_on(TcpListener::bind(address))?;
        let address = listener.local_addr()?;
        runtime.spawn(accept_loop(Arc::clone(&shared), listener, shutdown.subscribe()));
        runtime.spawn(settle_loop(Arc::clone(&shared), shutdown.subscribe()));
        Ok(Arc::new(Self { shared, address, shutdown, runtime: Mutex::new(Some(runtime)) }))
    }

    /// The address miners connect to.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Stops accepting and closes every connection.
    pub fn stop(&self) {
        let _ = self.shutdown.send(true);
        if let Some(runtime) = lock(&self.runtime).take() {
            runtime.shutdown_timeout(Duration::from_secs(2));
        }
    }

    /// The statistics so far.
    pub fn stats(&self) -> PoolStats {
        let stats = lock(&self.shared.stats);
        PoolStats {
            workers: stats.workers.iter().map(|(w, s)| (w.clone(), s.clone())).collect(),
            blocks: stats.blocks.clone(),
            unsettled_blocks: lock(&self.shared.unsettled).len(),
            rejected_blocks: stats.rejected_blocks,
            dropped_clients: stats.dropped_clients,
            refused_clients: stats.refused_clients,
            clients: lock(&self.shared.admission).clients(),
            accepted_shares: self.shared.accepted.load(Ordering::Relaxed),
            unrecorded_shares: self.shared.unrecorded.load(Ordering::Relaxed),
        }
    }

    /// Time since the pool started (the clock of [`WorkerStats`]).
    pub fn uptime(&self) -> Duration {
        self.shared.started.elapsed()
    }

    /// Blocks in the pool's node (genesis included).
    pub fn node_blocks(&self) -> usize {
        lock(&self.shared.node).hashes().len()
    }

    /// The block the pool's miners work on now.
    pub fn current_block(&self) -> Block {
        self.shared.template.borrow().block().clone()
    }

    /// The open round in the share store: each worker's summed share weight.
    ///
    /// # Errors
    /// The store cannot be read.
    pub fn open_round(&self) -> Result<Vec<(String, u64)>, StoreError> {
        let runtime = lock(&self.runtime);
        let runtime = runtime.as_ref().ok_or_else(|| StoreError::Unavailable("the pool is stopped".into()))?;
        runtime.block_on(self.shared.store.open_round())
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        self.stop();
    }
}

impl Shared {
    /// Pool time: what the sessions' clocks read.
    fn now(&self) -> Duration {
        self.started.elapsed()
    }

    fn current(&self) -> Arc<Template> {
        Arc::clone(&self.template.borrow())
    }

    /// A fresh template on the node's virtual parents paying the pool, published to every
    /// connection; jobs on older templates become stale.
    fn new_template(&self) -> Result<(), String> {
        let block = {
            let node = lock(&self.node);
            // Timestamps run from genesis at wall-clock speed, so the difficulty adjustment
            // sees the real block rate.
            let now = node.params().genesis.timestamp + self.started.elapsed().as_millis() as u64;
            node.template(&self.script, b"pyrin-rs pool", &[], now).map_err(|e| e.to_string())?
        };
        let id = self.next_template.fetch_add(1, Ordering::SeqCst);
        let template = Template::new(id, block).map_err(|e| e.to_string())?;
        self.template.send_replace(Arc::new(template));
        Ok(())
    }

    /// A share met the network target: the block goes to the node, miners get new work,
    /// and the round is closed in the store (now, or by the settling task once it can).
    fn found_block(&self, block: Block, worker: &str) {
        let accepted = {
            let mut node = lock(&self.node);
            let limits = PayloadLimits::from_params(node.params());
            let reward = block.transactions.first().and_then(|cb| CoinbaseData::decode(&cb.payload, &limits).ok());
            let reward = reward.map_or(Amount::ZERO, |data| data.subsidy).to_leor();
            let now = node.params().genesis.timestamp + self.started.elapsed().as_millis() as u64;
            node.submit_honest_block(block, now).map(|hash| (hash, reward))
        };
        match accepted {
            Ok((hash, reward)) => {
                lock(&self.stats).workers.found_block(worker);
                lock(&self.unsettled).push(Unsettled { hash: hash.to_string(), reward });
                self.settle.notify_one();
            }
            Err(_) => lock(&self.stats).rejected_blocks += 1,
        }
        // Every miner moves to the new tips; a failure here leaves the old job current.
        let _ = self.new_template();
    }

    /// Counts a recorded payout in the statistics (once per block).
    fn paid(&self, payout: &BlockPayout) {
        let mut stats = lock(&self.stats);
        if stats.blocks.iter().any(|b| b.hash == payout.block) {
            return;
        }
        for (worker, leor) in &payout.payouts {
            stats.workers.paid(worker, *leor);
        }
        stats.blocks.push(FoundBlock {
            hash: payout.block.clone(),
            round: payout.round,
            reward: payout.reward,
            payouts: payout.payouts.clone(),
        });
    }
}

/// Closes the rounds of found blocks in the store, retrying while it is unreachable, and
/// pays what a previous run (or another pool process) closed and did not pay.
async fn settle_loop(shared: Arc<Shared>, mut shutdown: watch::Receiver<bool>) {
    let mut settled_leftovers = false;
    loop {
        if !settled_leftovers {
            if let Ok(payouts) = shared.store.settle().await {
                payouts.iter().for_each(|p| shared.paid(p));
                settled_leftovers = true;
            }
        }
        let waiting = lock(&shared.unsettled).clone();
        for block in waiting {
            match shared.store.close_round(&block.hash, block.reward).await {
                Ok(payout) => {
                    shared.paid(&payout);
                    lock(&shared.unsettled).retain(|b| b.hash != block.hash);
                }
                Err(_) => break,
            }
        }
        tokio::select! {
            _ = shared.settle.notified() => {}
            _ = tokio::time::sleep(Duration::from_millis(500)) => {}
            _ = shutdown.changed() => return,
        }
    }
}

async fn accept_loop(shared: Arc<Shared>, listener: TcpListener, mut shutdown: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let admitted = lock(&shared.admission).admit(peer.ip());
                    match admitted {
                        Ok(extranonce) => {
                            tokio::spawn(serve(Arc::clone(&shared), stream, peer.ip(), extranonce, shutdown.clone()));
                        }
                        Err(refusal) => {
                            lock(&shared.stats).refused_clients += 1;
                            tokio::spawn(refuse(stream, refusal));
                        }
                    }
                }
                // Out of descriptors or a connection reset before it was taken: wait a
                // moment rather than spin.
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            },
            _ = shutdown.changed() => return,
        }
    }
}

/// Tells a refused client why, then closes.
async fn refuse(mut stream: TcpStream, refusal: Refusal) {
    let line = format!("{}\n", response(&Value::Null, Err((StratumError::Other, &refusal.to_string()))));
    let _ = tokio::time::timeout(Duration::from_secs(1), stream.write_all(line.as_bytes())).await;
    let (reader, writer) = stream.into_split();
    linger(reader, writer).await;
}

/// Closes a connection after its last line: closing with unread input would reset the
/// connection and could destroy that line (the error telling a dropped client why) before
/// the client reads it, so the input is drained for a moment first.
async fn linger(mut reader: OwnedReadHalf, mut writer: OwnedWriteHalf) {
    let _ = writer.shutdown().await;
    let mut sink = [0u8; 1024];
    let drain = async {
        while let Ok(n) = reader.read(&mut sink).await {
            if n == 0 {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(1), drain).await;
}

/// Writes a client's queued lines until the queue closes (then hands the socket back) or
/// a write fails or stalls.
async fn write_loop(
    mut writer: OwnedWriteHalf,
    mut lines: mpsc::Receiver<String>,
    timeout: Duration,
) -> Option<OwnedWriteHalf> {
    let mut buffer = String::new();
    while let Some(line) = lines.recv().await {
        buffer.clear();
        buffer.push_str(&line);
        buffer.push('\n');
        while buffer.len() < 64 * 1024 {
            let Ok(more) = lines.try_recv() else { break };
            buffer.push_str(&more);
            buffer.push('\n');
        }
        match tokio::time::timeout(timeout, writer.write_all(buffer.as_bytes())).await {
            Ok(Ok(())) => {}
            _ => return None,
        }
    }
    Some(writer)
}

/// How a connection ends.
enum End {
    /// The client left, or the pool stops.
    Left,
    /// The pool dropped it (the reason was sent).
    Dropped,
}

async fn serve(
    shared: Arc<Shared>,
    stream: TcpStream,
    peer: IpAddr,
    extranonce: u16,
    mut shutdown: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let (mut reader, writer) = stream.into_split();
    let (queue, lines) = mpsc::channel::<String>(shared.config.send_queue.max(4));
    let writing = tokio::spawn(write_loop(writer, lines, shared.config.write_timeout));
    let mut templates = shared.template.subscribe();
    templates.mark_unchanged();
    let mut session = Session::new(Arc::clone(&shared.session), extranonce, shared.now());
    let mut buffer = vec![0u8; 2048];
    let mut out = Vec::new();
    let end = loop {
        let deadline = shared.started + session.next_deadline();
        tokio::select! {
            read = reader.read(&mut buffer) => match read {
                Ok(n) if n > 0 => session.on_bytes(&buffer[..n], shared.now(), &shared.current(), &mut out),
                _ => break End::Left,
            },
            changed = templates.changed() => {
                if changed.is_err() {
                    break End::Left;
                }
                let template = Arc::clone(&templates.borrow_and_update());
                session.on_template(&template, &mut out);
            }
            _ = tokio::time::sleep_until(deadline.into()) => session.on_tick(shared.now(), &shared.current(), &mut out),
            _ = shutdown.changed() => break End::Left,
        }
        if let Some(end) = carry_out(&shared, &mut session, &mut out, &queue).await {
            break end;
        }
    };
    if let End::Dropped = end {
        lock(&shared.stats).dropped_clients += 1;
    }
    drop(queue);
    let writer = writing.await;
    // The slot is free before the client can see its connection close.
    lock(&shared.admission).release(peer, extranonce);
    {
        let mut stats = lock(&shared.stats);
        for worker in session.workers() {
            stats.workers.disconnected(worker);
        }
    }
    if let Ok(Some(writer)) = writer {
        linger(reader, writer).await;
    }
}

/// Carries out a session's outputs in order; `Some` when the connection must end.
async fn carry_out(
    shared: &Shared,
    session: &mut Session,
    out: &mut Vec<Output>,
    queue: &mpsc::Sender<String>,
) -> Option<End> {
    let mut pending: std::collections::VecDeque<Output> = out.drain(..).collect();
    while let Some(output) = pending.pop_front() {
        match output {
            Output::Line(line) => match queue.try_send(line) {
                Ok(()) => {}
                Err(mpsc::error::TrySendError::Full(_)) => return Some(End::Dropped),
                Err(mpsc::error::TrySendError::Closed(_)) => return Some(End::Left),
            },
            Output::Close(_) => return Some(End::Dropped),
            Output::Event(Event::Authorized { worker, difficulty }) => {
                lock(&shared.stats).workers.connected(&worker, difficulty, shared.now());
            }
            Output::Event(Event::Rejected { worker: Some(worker), .. }) => {
                lock(&shared.stats).workers.rejected(&worker)
            }
            Output::Event(Event::Rejected { worker: None, .. }) => {}
            Output::Event(Event::Difficulty(difficulty)) => {
                let mut stats = lock(&shared.stats);
                for worker in session.workers() {
                    stats.workers.difficulty(worker, difficulty);
                }
            }
            Output::Event(Event::Share(share)) => {
                let more = record(shared, session, share).await;
                for output in more.into_iter().rev() {
                    pending.push_front(output);
                }
            }
        }
    }
    None
}

/// Records a share, then lets the session answer it; a block goes to the node after.
async fn record(shared: &Shared, session: &mut Session, share: ShareEvent) -> Vec<Output> {
    let recorded = shared.store.record_share(&share.worker, share.weight).await.is_ok();
    let now = shared.now();
    if recorded {
        shared.accepted.fetch_add(1, Ordering::Relaxed);
        lock(&shared.stats).workers.accepted(&share.worker, share.difficulty, now);
    } else {
        shared.unrecorded.fetch_add(1, Ordering::Relaxed);
    }
    let mut out = Vec::new();
    session.share_recorded(&share, recorded, now, &shared.current(), &mut out);
    // A block is the pool's whatever became of the share.
    if let Some(block) = share.block {
        shared.found_block(*block, &share.worker);
    }
    out
}
