//! The block explorer: a devnet node, the processor that follows its selected chain into a
//! database, the HTTP API with live updates, and the web page, all on loopback.
//!
//! ```text
//! cargo run --release --example explorer -- [--port 8080] [--sqlite FILE | --postgres URL]
//!     [--blocks N] [--interval-ms MS] [--seed N] [--seconds N]
//! cargo run --release --example explorer -- --record FILE [--blocks N] [--seed N] [--bits HEX]
//! cargo run --release --example explorer -- --process-only --replay FILE (--sqlite FILE | --postgres URL)
//! cargo run --release --example explorer -- --bench --replay FILE [--postgres URL | --postgres-temp]
//! ```

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use pyrin_core::CompactTarget;
use pyrin_emission::EmissionSchedule;
use pyrin_examples::devnet::sim::{Devnet, DevnetConfig};
use pyrin_examples::explorer::api::{ApiServer, AppState, Pool};
use pyrin_examples::explorer::cache::AddressCache;
use pyrin_examples::explorer::db::{Db, DbConfig};
use pyrin_examples::explorer::pg::TempPostgres;
use pyrin_examples::explorer::processor::Processor;
use pyrin_examples::explorer::replay::BlockLog;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

const USAGE: &str = "usage: explorer [--port P] [--sqlite FILE | --postgres URL] [--blocks N] [--interval-ms MS] [--seed N] [--seconds N]
       explorer --record FILE [--blocks N] [--seed N] [--bits HEX]
       explorer --process-only --replay FILE (--sqlite FILE | --postgres URL)
       explorer --bench --replay FILE [--postgres URL | --postgres-temp] [--clients N] [--limit BLOCKS]
  (default)       devnet node + processor + API + page on 127.0.0.1; prints the URL
  --port          API port (default 8080; 0 picks a free one)
  --sqlite        the index's SQLite file (default: a new file in the temp directory)
  --postgres      the index in PostgreSQL instead (an empty database, or one indexed from the same --seed)
  --blocks        blocks the devnet mines (default 100000; --record: 1500)
  --interval-ms   pause between devnet rounds (default 1000: about two blocks a second)
  --seed          the devnet's seed (default 1)
  --seconds       stop after this many seconds (default: run until killed)
  --record        run a devnet to the end and write its blocks to FILE for --replay
  --bits          the devnet's starting bits, e.g. 1f100000 (default: the network's)
  --process-only  replay FILE's blocks into a fresh node and index them; exits when done
                  (killed at any point and restarted, it ends with the same index)
  --bench         index FILE's blocks into a fresh SQLite file and a PostgreSQL database, print blocks
                  per second, then the address endpoint's latency under --clients (default 200) clients;
                  --postgres-temp starts a throw-away server; --limit replays only the first BLOCKS blocks";

#[derive(Default)]
struct Args {
    port: Option<u16>,
    sqlite: Option<PathBuf>,
    postgres: Option<String>,
    postgres_temp: bool,
    blocks: Option<u64>,
    interval_ms: u64,
    seed: u64,
    seconds: Option<u64>,
    record: Option<PathBuf>,
    replay: Option<PathBuf>,
    bits: Option<CompactTarget>,
    process_only: bool,
    bench: bool,
    clients: usize,
    limit: Option<usize>,
}

fn parse_args(args: &[String]) -> Result<Args, String> {
    let mut a = Args { interval_ms: 1000, seed: 1, clients: 200, ..Args::default() };
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "--process-only" => a.process_only = true,
            "--bench" => a.bench = true,
            "--postgres-temp" => a.postgres_temp = true,
            "-h" | "--help" => return Err(String::new()),
            _ => {
                let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
                let number = |v: &str| v.parse::<u64>().map_err(|_| format!("{flag}: {v:?} is not a number"));
                match flag.as_str() {
                    "--port" => a.port = Some(u16::try_from(number(value)?).map_err(|_| "--port: too large")?),
                    "--sqlite" => a.sqlite = Some(value.into()),
                    "--postgres" => a.postgres = Some(value.clone()),
                    "--blocks" => a.blocks = Some(number(value)?),
                    "--interval-ms" => a.interval_ms = number(value)?,
                    "--seed" => a.seed = number(value)?,
                    "--seconds" => a.seconds = Some(number(value)?),
                    "--record" => a.record = Some(value.into()),
                    "--replay" => a.replay = Some(value.into()),
                    "--limit" => a.limit = Some(number(value)? as usize),
                    "--clients" => a.clients = number(value)?.clamp(1, 10_000) as usize,
                    "--bits" => {
                        let hex = value.trim_start_matches("0x");
                        a.bits = Some(CompactTarget::from_consensus(
                            u32::from_str_radix(hex, 16).map_err(|_| format!("--bits: {value:?} is not hex"))?,
                        ));
                    }
                    _ => return Err(format!("unknown flag {flag}")),
                }
            }
        }
    }
    if a.sqlite.is_some() && a.postgres.is_some() {
        return Err("--sqlite and --postgres exclude each other".into());
    }
    Ok(a)
}

fn db_config(a: &Args) -> DbConfig {
    match (&a.postgres, &a.sqlite) {
        (Some(url), _) => DbConfig::Postgres(url.clone()),
        (None, Some(path)) => DbConfig::Sqlite(path.clone()),
        (None, None) => {
            DbConfig::Sqlite(std::env::temp_dir().join(format!("pyrin-explorer-{}.sqlite", std::process::id())))
        }
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let a = match parse_args(&args) {
        Ok(a) => a,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("error: {message}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let result = if let Some(path) = &a.record {
        record(&a, path)
    } else if a.process_only {
        process_only(&a)
    } else if a.bench {
        bench(&a)
    } else {
        live(&a)
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

type AnyResult<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn record(a: &Args, path: &std::path::Path) -> AnyResult<()> {
    let config =
        DevnetConfig { blocks: a.blocks.unwrap_or(1500), seed: a.seed, bits: a.bits, ..DevnetConfig::default() };
    let network = config.network;
    let mut devnet = Devnet::new(config)?;
    let started = Instant::now();
    devnet.run(|_| {})?;
    let node = &devnet.node;
    let blocks = node.hashes()[1..].iter().filter_map(|h| node.block(h).cloned()).collect();
    BlockLog { network, bits: a.bits, blocks }.write(path)?;
    println!(
        "recorded {} blocks in {:.1} s to {}",
        devnet.blocks_mined(),
        started.elapsed().as_secs_f64(),
        path.display()
    );
    Ok(())
}

fn process_only(a: &Args) -> AnyResult<()> {
    let path = a.replay.as_ref().ok_or("--process-only needs --replay FILE")?;
    let log = BlockLog::read(path)?;
    let mut processor = Processor::new(Db::open(&db_config(a))?)?;
    log.replay(&mut processor, |_| {})?;
    let s = processor.stats();
    println!("indexed: {} chain blocks applied, {} reverted", s.applied, s.reverted);
    Ok(())
}

fn live(a: &Args) -> AnyResult<()> {
    let db = db_config(a);
    let config =
        DevnetConfig { blocks: a.blocks.unwrap_or(100_000), seed: a.seed, bits: a.bits, ..DevnetConfig::default() };
    let devnet = Arc::new(Mutex::new(Devnet::new(config)?));
    let schedule = EmissionSchedule::from_params(devnet.lock().map_err(|_| "devnet lock")?.node.params());
    let (events, _) = tokio::sync::broadcast::channel(1024);
    let cache = Arc::new(AddressCache::default());
    let mut processor = Processor::new(Db::open(&db)?)?.with_events(events.clone()).with_cache(Arc::clone(&cache));
    let state = Arc::new(AppState { pool: Arc::new(Pool::new(db.clone(), 4)), events, schedule, cache });
    let port = a.port.unwrap_or(8080);
    let server = ApiServer::start(SocketAddr::from(([127, 0, 0, 1], port)), state, 2)?;
    println!("explorer: http://{}/", server.address());
    match &db {
        DbConfig::Sqlite(path) => println!("index: SQLite {}", path.display()),
        DbConfig::Postgres(url) => println!("index: PostgreSQL {url}"),
    }
    let deadline = a.seconds.map(|s| Instant::now() + Duration::from_secs(s));
    let running = || deadline.is_none_or(|d| Instant::now() < d);
    let miner = {
        let devnet = Arc::clone(&devnet);
        let interval = Duration::from_millis(a.interval_ms);
        std::thread::spawn(move || -> Result<(), String> {
            loop {
                std::thread::sleep(interval);
                let mut d = devnet.lock().map_err(|_| "devnet lock")?;
                if d.blocks_mined() >= d.config().blocks {
                    return Ok(());
                }
                d.step().map_err(|e| e.to_string())?;
            }
        })
    };
    while running() {
        let plan = {
            let d = devnet.lock().map_err(|_| "devnet lock")?;
            processor.plan(d.node.validator(), 200)?
        };
        if plan.is_empty() {
            if miner.is_finished() {
                if let Ok(Err(e)) = miner.join() {
                    return Err(e.into());
                }
                println!("devnet finished; serving until killed");
                while running() {
                    std::thread::sleep(Duration::from_millis(200));
                }
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
            continue;
        }
        processor.execute(&plan)?;
    }
    Ok(())
}

/// Indexes the log into `db` and prints the rates.
fn bench_index(log: &BlockLog, db: &DbConfig, name: &str) -> AnyResult<()> {
    let mut processor = Processor::new(Db::open(db)?)?;
    let started = Instant::now();
    log.replay(&mut processor, |_| {})?;
    let wall = started.elapsed().as_secs_f64();
    let s = processor.stats();
    let index_secs = (s.write_time + s.plan_time).as_secs_f64();
    let target_ms = log.network.params().target_time_per_block;
    let devnet_rate = 1000.0 / target_ms as f64;
    let rate = s.applied as f64 / index_secs.max(1e-9);
    println!(
        "{name:<10} {} chain blocks applied, {} reverted in {:.2} s of processor time ({:.2} s writing): \
         {:.0} blocks applied/s ({:.0} applied + reverted/s) = {:.0}x the devnet's {:.1} blocks/s \
         (replay wall time with validation {:.1} s)",
        s.applied,
        s.reverted,
        index_secs,
        s.write_time.as_secs_f64(),
        rate,
        (s.applied + s.reverted) as f64 / index_secs.max(1e-9),
        rate / devnet_rate,
        devnet_rate,
        wall
    );
    Ok(())
}

/// How the load generator's clients ask.
#[derive(Clone, Copy, Debug)]
enum Load {
    /// Each client asks again as soon as it is answered (throughput-bound).
    Closed,
    /// Each client asks every `period`, from a random phase; a request is timed from when
    /// it was due, so one that waited for the previous answer counts that wait too.
    Paced { period: Duration },
}

/// A splitmix64 step: the clients' phases, reproducible from run to run.
fn mix(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Sends one GET on a keep-alive connection and reads the whole answer.
async fn get(
    read: &mut BufReader<tokio::net::tcp::OwnedReadHalf>,
    write: &mut tokio::net::tcp::OwnedWriteHalf,
    path: &str,
    line: &mut String,
    body: &mut Vec<u8>,
) -> std::io::Result<()> {
    write.write_all(format!("GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n").as_bytes()).await?;
    line.clear();
    read.read_line(line).await?;
    if !line.contains(" 200 ") {
        return Err(std::io::Error::other(format!("answer {line:?}")));
    }
    let mut length = 0usize;
    loop {
        line.clear();
        read.read_line(line).await?;
        if line == "\r\n" || line.is_empty() {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
    }
    body.resize(length, 0);
    read.read_exact(body).await?;
    Ok(())
}

/// One client: a keep-alive connection, one untimed request to open it, then `paths` in
/// turn from `start` on; returns each request's latency.
async fn client(
    address: SocketAddr,
    paths: Vec<String>,
    load: Load,
    start: Instant,
    phase: Duration,
) -> std::io::Result<Vec<Duration>> {
    let stream = tokio::net::TcpStream::connect(address).await?;
    stream.set_nodelay(true)?;
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    let (mut line, mut body) = (String::new(), Vec::new());
    get(&mut read, &mut write, &paths[0], &mut line, &mut body).await?;
    tokio::time::sleep_until(start.into()).await;
    let mut out = Vec::with_capacity(paths.len());
    for (k, path) in paths.iter().enumerate() {
        let started = match load {
            Load::Closed => Instant::now(),
            Load::Paced { period } => {
                let due = start + phase + period * u32::try_from(k).unwrap_or(u32::MAX);
                if Instant::now() >= due {
                    due
                } else {
                    tokio::time::sleep_until(due.into()).await;
                    Instant::now()
                }
            }
        };
        get(&mut read, &mut write, path, &mut line, &mut body).await?;
        out.push(started.elapsed());
    }
    Ok(out)
}

/// Runs `clients` clients on a thread of their own with a single-threaded runtime (the
/// server has its own two worker threads); returns every latency and the wall time.
fn run_load(
    server: SocketAddr,
    addresses: Arc<Vec<String>>,
    clients: usize,
    per_client: usize,
    load: Load,
) -> AnyResult<(Vec<Duration>, f64)> {
    let thread = std::thread::spawn(move || -> std::io::Result<(Vec<Duration>, f64)> {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        runtime.block_on(async move {
            // Connections are opened first; the timed part starts for everyone at once.
            let start = Instant::now() + Duration::from_millis(200 + clients as u64);
            let tasks: Vec<_> = (0..clients)
                .map(|c| {
                    let paths = (0..per_client)
                        .map(|i| format!("/api/addresses/{}", addresses[(c * 7 + i) % addresses.len()]))
                        .collect();
                    let phase = match load {
                        Load::Closed => Duration::ZERO,
                        Load::Paced { period } => period.mul_f64((mix(c as u64) >> 11) as f64 / (1u64 << 53) as f64),
                    };
                    tokio::spawn(client(server, paths, load, start, phase))
                })
                .collect();
            let mut all = Vec::with_capacity(clients * per_client);
            for task in tasks {
                all.extend(task.await.map_err(|e| std::io::Error::other(e.to_string()))??);
            }
            Ok((all, start.elapsed().as_secs_f64()))
        })
    });
    Ok(thread.join().map_err(|_| "load generator panicked")??)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).map_or(0.0, |d| d.as_secs_f64() * 1e3)
}

/// The machine's 1-minute load average (other work on the cores skews the figures).
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

/// The address endpoint under `clients` concurrent keep-alive clients, with the address
/// cache off (every answer from the database) and on: closed loop, then paced at 10
/// requests a second per client.
fn bench_latency(db: &DbConfig, addresses: &[String], clients: usize, name: &str) -> AnyResult<()> {
    let addresses = Arc::new(addresses.to_vec());
    for (cached, capacity) in [("no cache", 0), ("cache", 100_000)] {
        let (events, _) = tokio::sync::broadcast::channel(16);
        let schedule = EmissionSchedule::for_network(pyrin_core::params::Network::Devnet);
        let cache = Arc::new(AddressCache::new(capacity));
        let pool = Arc::new(Pool::new(db.clone(), 4));
        let state = Arc::new(AppState { pool, events, schedule, cache: Arc::clone(&cache) });
        let server = ApiServer::start(SocketAddr::from(([127, 0, 0, 1], 0)), state, 2)?;
        for (mode, load, per_client) in [
            ("closed loop", Load::Closed, 50usize),
            ("paced 10/s each", Load::Paced { period: Duration::from_millis(100) }, 30),
        ] {
            let (hits, misses) = cache.hits_and_misses();
            let load_avg = load_average();
            let (mut latencies, wall) = run_load(server.address(), Arc::clone(&addresses), clients, per_client, load)?;
            let (hits_after, misses_after) = cache.hits_and_misses();
            latencies.sort();
            let served = (hits_after - hits + misses_after - misses).max(1);
            println!(
                "{name:<10} address endpoint, {clients} clients, {cached:<8}, {mode:<15}: {} requests, {:.0}/s, \
                 p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({:.0}% cache hits; load average {load_avg})",
                latencies.len(),
                latencies.len() as f64 / wall,
                percentile(&latencies, 0.50),
                percentile(&latencies, 0.99),
                percentile(&latencies, 1.0),
                100.0 * (hits_after - hits) as f64 / served as f64,
            );
        }
    }
    Ok(())
}

fn bench(a: &Args) -> AnyResult<()> {
    let path = a.replay.as_ref().ok_or("--bench needs --replay FILE")?;
    let mut log = BlockLog::read(path)?;
    if let Some(limit) = a.limit {
        log.blocks.truncate(limit);
    }
    println!("block log: {} blocks", log.blocks.len());
    let sqlite =
        DbConfig::Sqlite(std::env::temp_dir().join(format!("pyrin-explorer-bench-{}.sqlite", std::process::id())));
    let cleanup = |db: &DbConfig| {
        if let DbConfig::Sqlite(p) = db {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", p.display()));
            }
        }
    };
    cleanup(&sqlite);
    let temp = if a.postgres_temp { Some(TempPostgres::start(true)?) } else { None };
    let postgres = match (&temp, &a.postgres) {
        (Some(server), _) => Some(DbConfig::Postgres(server.create_database("bench")?)),
        (None, Some(url)) => Some(DbConfig::Postgres(url.clone())),
        (None, None) => None,
    };
    let mut dbs = vec![("SQLite", sqlite.clone())];
    if let Some(pg) = postgres {
        dbs.push(("PostgreSQL", pg));
    }
    for (name, db) in &dbs {
        bench_index(&log, db, name)?;
    }
    let addresses: Vec<String> = {
        let mut db = Db::open(&sqlite)?;
        pyrin_examples::explorer::store::balances(&mut db)?.into_iter().map(|(a, _, _)| a).collect()
    };
    if addresses.is_empty() {
        return Err("no address indexed".into());
    }
    for (name, db) in &dbs {
        bench_latency(db, &addresses, a.clients, name)?;
    }
    cleanup(&sqlite);
    Ok(())
}
