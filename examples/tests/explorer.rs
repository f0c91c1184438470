//! The explorer end to end on SQLite and PostgreSQL: the index after a devnet run with
//! reorganisations agrees with the node, a processor killed (SIGKILL) at random points and
//! restarted ends with the index of an uninterrupted run, and malformed API input is a 400
//! with a reason.
//!
//! PostgreSQL runs for real: a temporary server on a free loopback port (the tests fail,
//! naming the package, when it is not installed).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use pyrin_core::CompactTarget;
use pyrin_emission::EmissionSchedule;
use pyrin_examples::devnet::sim::{Devnet, DevnetConfig, Rng};
use pyrin_examples::explorer::api::{ApiServer, AppState, Pool};
use pyrin_examples::explorer::cache::AddressCache;
use pyrin_examples::explorer::db::{Db, DbConfig};
use pyrin_examples::explorer::index::address_key;
use pyrin_examples::explorer::pg::TempPostgres;
use pyrin_examples::explorer::processor::Processor;
use pyrin_examples::explorer::replay::BlockLog;
use pyrin_examples::explorer::store;
use pyrin_tx::address::Prefix;

/// About 4096 nonces per block.
const EASY_BITS: CompactTarget = CompactTarget::from_consensus(0x1f10_0000);

fn devnet_config(blocks: u64, seed: u64) -> DevnetConfig {
    DevnetConfig { blocks, bits: Some(EASY_BITS), seed, ..DevnetConfig::default() }
}

/// A temporary directory removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
        let dir = std::env::temp_dir().join(format!("pyrin-explorer-test-{name}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn path(&self, file: &str) -> PathBuf {
        self.0.join(file)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn postgres() -> TempPostgres {
    TempPostgres::start(false).unwrap_or_else(|e| panic!("the explorer tests need PostgreSQL: {e}"))
}

/// Runs a devnet with the processor following the node after every round (so it goes
/// through every reorganisation), then compares the index with the node.
///
/// Compared: (1) for every address key, the database's balance equals the sum of the
/// node's UTXO set at the sink (`sink_utxo_set`: the state every chain block's diff has
/// been applied to; the virtual's own acceptance is not a chain block yet) per key, and
/// no other key has a balance; (2) the database's total equals the subsidy the accepted
/// coinbases emitted less the pending fees: the summary's `subsidy_emitted` (every chain
/// block's coinbase, which the node test holds equal to the emission schedule's amounts)
/// minus the subsidy of the sink's coinbase (which only the virtual accepts), minus the
/// fees the sink accepted (paid by that same coinbase, so still pending); (3) the
/// indexed chain is the node's selected chain, block for block.
fn index_matches_node(db: Db) {
    let mut devnet = Devnet::new(devnet_config(240, 11)).unwrap();
    let mut processor = Processor::new(db).unwrap();
    processor.sync(devnet.node.validator()).unwrap();
    while devnet.blocks_mined() < devnet.config().blocks {
        devnet.step().unwrap();
        processor.sync(devnet.node.validator()).unwrap();
    }
    let stats = processor.stats();
    assert!(stats.reverted > 0, "the devnet must have reorganised the chain under the processor");

    let v = devnet.node.validator();
    let prefix = Prefix::from(v.params().network);
    let mut node: BTreeMap<String, u64> = BTreeMap::new();
    for (_, entry) in v.sink_utxo_set() {
        *node.entry(address_key(&entry.script_public_key, prefix)).or_default() += entry.amount.to_leor();
    }
    let db = processor.db();
    let indexed: BTreeMap<String, u64> =
        store::balances(db).unwrap().into_iter().filter(|(_, b, _)| *b > 0).map(|(a, b, _)| (a, b)).collect();
    assert_eq!(indexed, node, "per-address balances: index vs node");
    assert!(node.len() >= 4);

    let (total, _) = store::totals(db).unwrap();
    let sink = v.sink();
    let sink_coinbase: u64 = v.block_transactions(&sink).unwrap()[0].outputs.iter().map(|o| o.value.to_leor()).sum();
    let sink_fees = store::block(db, &sink.to_string()).unwrap().unwrap()["fees"].as_u64().unwrap();
    let summary = devnet.summary().unwrap();
    assert_eq!(summary.subsidy_emitted, summary.subsidy_expected, "the emission schedule's amounts");
    let sink_subsidy = sink_coinbase - sink_fees;
    assert_eq!(total, summary.subsidy_emitted - sink_subsidy - sink_fees, "total = emitted - pending fees");

    let chain = devnet.node.validator().selected_chain();
    let db = processor.db();
    let cursor = store::cursor(db).unwrap().unwrap();
    assert_eq!(cursor.hash, chain.last().unwrap().hash.to_string());
    assert_eq!(cursor.height, chain.len() as u64);
    let latest = store::latest_blocks(db, 100).unwrap();
    for (block, chain_block) in latest.iter().zip(chain.iter().rev()) {
        assert_eq!(block["hash"].as_str().unwrap(), chain_block.hash.to_string());
    }
    // The transaction counts agree with the accepted transactions touching each address.
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for chain_block in &chain {
        for merged in &chain_block.accepted {
            let body = devnet.node.block(&merged.block).unwrap();
            for tx in body.transactions.iter().filter(|t| merged.transaction_ids.contains(&t.id())) {
                let mut touched: Vec<String> =
                    tx.outputs.iter().map(|o| address_key(&o.script_public_key, prefix)).collect();
                for input in &tx.inputs {
                    let json = store::transaction(db, &tx.id().to_string()).unwrap().unwrap();
                    let _ = input;
                    for i in json["inputs"].as_array().unwrap() {
                        touched.push(i["address"].as_str().unwrap().to_string());
                    }
                }
                touched.sort();
                touched.dedup();
                for key in touched {
                    *counts.entry(key).or_default() += 1;
                }
            }
        }
    }
    let indexed_counts: BTreeMap<String, u64> =
        store::balances(db).unwrap().into_iter().map(|(a, _, c)| (a, c)).collect();
    assert_eq!(indexed_counts, counts, "per-address transaction counts");
}

#[test]
fn the_sqlite_index_matches_the_node_after_reorganisations() {
    let dir = TempDir::new("match");
    index_matches_node(Db::open(&DbConfig::Sqlite(dir.path("index.sqlite"))).unwrap());
}

#[test]
fn the_postgres_index_matches_the_node_after_reorganisations() {
    let server = postgres();
    let url = server.create_database("matches").unwrap();
    index_matches_node(Db::open(&DbConfig::Postgres(url)).unwrap());
}

/// The explorer example binary, which `cargo test` builds beside the tests.
fn explorer_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let path = exe.parent().and_then(Path::parent).unwrap().join("examples").join("explorer");
    assert!(
        path.exists(),
        "{} missing: cargo test builds the examples (cargo build --example explorer)",
        path.display()
    );
    path
}

/// A child process killed on drop.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn process_only(log: &Path, db: &[&str]) -> Process {
    Process(
        Command::new(explorer_binary())
            .args(["--process-only", "--replay"])
            .arg(log)
            .args(db)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    )
}

/// Waits for the process to end (bounded), returning whether it succeeded.
fn wait(process: &mut Process, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = process.0.try_wait().unwrap() {
            return status.success();
        }
        assert!(Instant::now() < deadline, "the processor did not finish in {limit:?}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Kills the processor at random points, restarting it each time, then lets it finish;
/// the index must equal the uninterrupted run's.
fn killed_processor_restarts(db_args: impl Fn(&str) -> (Vec<String>, DbConfig), log: &Path, seed: u64) {
    let (args, reference_db) = db_args("reference");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let started = Instant::now();
    let mut reference = process_only(log, &args);
    assert!(wait(&mut reference, Duration::from_secs(120)), "the uninterrupted run failed");
    let full = started.elapsed();
    let expected = store::dump(&mut Db::open(&reference_db).unwrap()).unwrap();
    assert!(expected.len() > 100);

    let (args, killed_db) = db_args("killed");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut rng = Rng::new(seed);
    let mut kills = 0;
    // The kill lands in the first three quarters of the uninterrupted run's time; when a
    // run finished first (the machine got faster meanwhile), the window halves. Bounded:
    // six kills or twelve runs.
    let mut window = full.as_micros() as u64 * 3 / 4;
    for _ in 0..12 {
        if kills == 6 {
            break;
        }
        let mut process = process_only(log, &args);
        let after = Duration::from_micros(rng.below(window + 1));
        std::thread::sleep(after);
        if process.0.try_wait().unwrap().is_none() {
            process.0.kill().unwrap(); // SIGKILL
            process.0.wait().unwrap();
            kills += 1;
        } else {
            window /= 2;
        }
    }
    let mut last = process_only(log, &args);
    assert!(wait(&mut last, Duration::from_secs(120)), "the run after the kills failed");
    assert!(kills >= 3, "only {kills} kills landed");
    let got = store::dump(&mut Db::open(&killed_db).unwrap()).unwrap();
    assert_eq!(got.len(), expected.len());
    assert!(got == expected, "the index after {kills} kills differs from the uninterrupted run's");
}

fn recorded_log(dir: &TempDir) -> PathBuf {
    let path = dir.path("devnet.blocks");
    let mut devnet = Devnet::new(devnet_config(150, 5)).unwrap();
    devnet.run(|_| {}).unwrap();
    let node = &devnet.node;
    let blocks = node.hashes()[1..].iter().map(|h| node.block(h).unwrap().clone()).collect();
    BlockLog { network: devnet.config().network, bits: Some(EASY_BITS), blocks }.write(&path).unwrap();
    path
}

#[test]
fn a_killed_sqlite_processor_restarts_to_the_same_index() {
    let dir = TempDir::new("kill-sqlite");
    let log = recorded_log(&dir);
    let db = |name: &str| {
        let path = dir.path(&format!("{name}.sqlite"));
        (vec!["--sqlite".to_string(), path.display().to_string()], DbConfig::Sqlite(path))
    };
    killed_processor_restarts(db, &log, 3);
}

#[test]
fn a_killed_postgres_processor_restarts_to_the_same_index() {
    let dir = TempDir::new("kill-postgres");
    let log = recorded_log(&dir);
    let server = postgres();
    let db = |name: &str| {
        let url = server.create_database(name).unwrap();
        (vec!["--postgres".to_string(), url.clone()], DbConfig::Postgres(url))
    };
    killed_processor_restarts(db, &log, 4);
}

/// A blocking HTTP GET: status and body.
fn get(address: SocketAddr, path: &str) -> (u16, serde_json::Value) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    let text = String::from_utf8_lossy(&answer);
    let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = text.split("\r\n\r\n").nth(1).unwrap_or("");
    (status, serde_json::from_str(body).unwrap_or(serde_json::Value::Null))
}

#[test]
fn malformed_api_input_gets_a_400_with_a_reason() {
    let dir = TempDir::new("api");
    let db = DbConfig::Sqlite(dir.path("index.sqlite"));
    let mut devnet = Devnet::new(devnet_config(30, 2)).unwrap();
    devnet.run(|_| {}).unwrap();
    let cache = Arc::new(AddressCache::default());
    let mut processor = Processor::new(Db::open(&db).unwrap()).unwrap().with_cache(Arc::clone(&cache));
    processor.sync(devnet.node.validator()).unwrap();
    let (events, _) = tokio::sync::broadcast::channel(16);
    let schedule = EmissionSchedule::from_params(devnet.node.params());
    let state = Arc::new(AppState { pool: Arc::new(Pool::new(db, 4)), events, schedule, cache });
    let server = ApiServer::start(SocketAddr::from(([127, 0, 0, 1], 0)), state, 2).unwrap();
    let at = server.address();
    let address = devnet.miners[0].address.to_string();
    let sink = devnet.node.validator().sink().to_string();

    // Well-formed questions are answered.
    let (status, block) = get(at, &format!("/api/blocks/{sink}"));
    assert_eq!((status, block["hash"].as_str()), (200, Some(sink.as_str())));
    assert_eq!(get(at, &format!("/api/addresses/{address}")).0, 200);
    assert_eq!(get(at, &format!("/api/addresses/{address}/transactions?page=2&page_size=5")).0, 200);
    assert_eq!(get(at, "/api/supply").0, 200);
    assert_eq!(get(at, "/api/blocks?limit=5").0, 200);
    assert_eq!(get(at, &format!("/api/blocks/{}", "ab".repeat(32))).0, 404);

    let huge = "9".repeat(40);
    let bad = [
        "/api/blocks/xyz".to_string(),
        format!("/api/blocks/{}", "a".repeat(63)),
        format!("/api/blocks/{}", "g".repeat(64)),
        format!("/api/blocks/{}", "a".repeat(10_000)),
        "/api/transactions/nothex".to_string(),
        "/api/addresses/pyrin:notanaddress".to_string(),
        "/api/addresses/pyrindev:qqqqqqqq".to_string(),
        "/api/addresses/abc".to_string(),
        "/api/addresses/ZZ".to_string(),
        "/api/addresses/v99999-51".to_string(),
        format!("/api/addresses/{address}/transactions?page={huge}"),
        format!("/api/addresses/{address}/transactions?page=18446744073709551615"),
        format!("/api/addresses/{address}/transactions?page=1000001"),
        format!("/api/addresses/{address}/transactions?page=-1"),
        format!("/api/addresses/{address}/transactions?page_size=0"),
        format!("/api/addresses/{address}/transactions?page_size=101"),
        "/api/blocks?limit=1e9".to_string(),
        "/api/blocks?limit=0".to_string(),
        "/api/stream?addresses=nope:nope".to_string(),
        "/api/blocks/%FF%FE".to_string(),
    ];
    for path in &bad {
        let (status, body) = get(at, path);
        assert_eq!(status, 400, "{path}: {body}");
        if !path.contains('%') {
            let reason = body["error"].as_str().unwrap_or_else(|| panic!("{path}: no reason in {body}"));
            assert!(!reason.is_empty());
        }
    }
    // The server is still up.
    assert_eq!(get(at, "/api/supply").0, 200);
}

/// The address cache never answers older than the database: after every commit of a
/// devnet run with reorganisations (the processor idle meanwhile), the API's answer for
/// each miner's address is the database's row, while a second client keeps asking for the
/// same addresses to race fills against the writes.
#[test]
fn the_cached_address_answer_is_the_committed_row() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let dir = TempDir::new("cache");
    let db = DbConfig::Sqlite(dir.path("index.sqlite"));
    let mut devnet = Devnet::new(devnet_config(10_000, 5)).unwrap();
    let cache = Arc::new(AddressCache::default());
    let mut processor = Processor::new(Db::open(&db).unwrap()).unwrap().with_cache(Arc::clone(&cache));
    let (events, _) = tokio::sync::broadcast::channel(16);
    let schedule = EmissionSchedule::from_params(devnet.node.params());
    let pool = Arc::new(Pool::new(db.clone(), 4));
    let state = Arc::new(AppState { pool, events, schedule, cache: Arc::clone(&cache) });
    let server = ApiServer::start(SocketAddr::from(([127, 0, 0, 1], 0)), state, 2).unwrap();
    let at = server.address();
    let addresses: Vec<String> = devnet.miners.iter().map(|m| m.address.to_string()).collect();
    let stop = Arc::new(AtomicBool::new(false));
    let deadline = Instant::now() + Duration::from_secs(60);
    let racer = {
        let (stop, addresses) = (Arc::clone(&stop), addresses.clone());
        std::thread::spawn(move || {
            let mut asked = 0u64;
            while !stop.load(Ordering::Relaxed) && Instant::now() < deadline {
                for address in &addresses {
                    assert_eq!(get(at, &format!("/api/addresses/{address}")).0, 200);
                    asked += 1;
                }
            }
            asked
        })
    };
    let mut reader = Db::open(&db).unwrap();
    let mut checks = 0;
    while devnet.blocks_mined() < 40 && Instant::now() < deadline {
        devnet.step().unwrap();
        processor.sync(devnet.node.validator()).unwrap();
        for address in &addresses {
            let row = store::address(&mut reader, address).unwrap();
            let (status, answer) = get(at, &format!("/api/addresses/{address}"));
            assert_eq!(status, 200);
            let expected =
                row.as_ref().map_or((0, 0), |r| (r["balance"].as_u64().unwrap(), r["tx_count"].as_u64().unwrap()));
            assert_eq!(
                (answer["balance"].as_u64().unwrap(), answer["tx_count"].as_u64().unwrap()),
                expected,
                "{address}"
            );
            checks += 1;
        }
    }
    stop.store(true, Ordering::Relaxed);
    let asked = racer.join().unwrap();
    let (hits, _) = cache.hits_and_misses();
    assert!(devnet.blocks_mined() >= 40, "the devnet did not mine 40 blocks in time");
    assert!(processor.stats().reverted > 0, "no reorganisation: the revert path went untested");
    assert!(hits > 0 && asked > 0 && checks > 0, "hits {hits}, racer asked {asked}, checks {checks}");
}
