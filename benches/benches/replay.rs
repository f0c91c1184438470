//! Whole-history replay: a 2,000-block valid history (`block_history_2k.json.gz`, the
//! `block_sequence` form of `vectors/consensus/block_sequence.json`, built and judged by the
//! reference node) through [`BlockValidator`], every verdict and the end state checked,
//! beside what one thread of raw `secp256k1` needs to verify the history's signatures.
//!
//! ```text
//! cargo bench -p pyrin-benches --bench replay
//! PYRIN_BENCH_HISTORY=/path/to/history.json.gz cargo bench -p pyrin-benches --bench replay
//! ```
//!
//! The history is read from `$PYRIN_BENCH_HISTORY`, else from `../shared/bench/` beside the
//! workspace (the repository keeps only small vectors); without it the bench says so and
//! exits. Only the replays and the signature loop are timed, not reading the JSON nor
//! building blocks or sighashes. It prints:
//!
//! - `raw secp256k1`: one thread parsing each input's x-only key and Schnorr signature and
//!   running `verify_schnorr` against the input's sighash (computed beforehand with
//!   `pyrin_tx::sighash::SighashCache` over the spent outputs, found by indexing every
//!   output of the history);
//! - `blake3 80 B`: one BLAKE3 of 80 bytes (a header-sized yardstick);
//! - `wall` and `cpu`: wall-clock time and the CPU time the process used (all threads;
//!   `/proc/self/stat`), each with its ratio to the raw signature loop's. On cores shared
//!   with other work the CPU times compare the work done; the wall times need idle cores.
//! - `replay N threads`: `BlockValidator::validate_and_insert_all` over all blocks (on more
//!   than one thread it checks each next block's signatures while the block before it is
//!   validated) inside a rayon pool of N threads (pyrin-consensus's `rayon` feature), with
//!   the ratio to the raw signature time, blocks/s and tx/s, and the share of each
//!   validation stage (pyrin-consensus's `stage-timing` feature).
//! - Every figure is the best of `REPLAY_RUNS` runs (default 3; `REPLAY_THREADS` sets the
//!   first N), and each run times the baseline and every replay back to back, so that a
//!   shared machine's slow spells weigh on all of them alike.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use pyrin_consensus::{BlockStatus, BlockValidator, Config, StageTimes};
use pyrin_core::params::MAINNET_PARAMS;
use pyrin_core::{
    Amount, Block, BlockHash, BlueWork, CompactTarget, Header, ScriptPublicKey, SubnetworkId, Transaction,
    TransactionInput, TransactionOutpoint, TransactionOutput,
};
use pyrin_tx::sighash::{SigHashType, SighashCache};
use pyrin_tx::UtxoEntry;
use serde_json::Value;

fn u64_of(v: &Value) -> u64 {
    match v {
        Value::String(s) => s.parse().expect("a decimal u64"),
        other => other.as_u64().unwrap_or_else(|| panic!("a u64, found {other}")),
    }
}

fn bytes(v: &Value) -> Vec<u8> {
    pyrin_core::hex::decode(v.as_str().expect("a hex string")).expect("valid hex")
}

fn hash<H: std::str::FromStr>(v: &Value) -> H
where
    H::Err: std::fmt::Debug,
{
    v.as_str().expect("a hash string").parse().expect("a 32-byte hex hash")
}

fn header(v: &Value) -> Header {
    Header {
        version: u16::try_from(u64_of(&v["version"])).expect("u16"),
        parents_by_level: v["parents_by_level"]
            .as_array()
            .expect("levels")
            .iter()
            .map(|l| l.as_array().expect("a level").iter().map(hash).collect())
            .collect(),
        hash_merkle_root: hash(&v["hash_merkle_root"]),
        accepted_id_merkle_root: hash(&v["accepted_id_merkle_root"]),
        utxo_commitment: hash(&v["utxo_commitment"]),
        timestamp: u64_of(&v["timestamp"]),
        bits: CompactTarget::from_consensus(u32::try_from(u64_of(&v["bits"])).expect("u32")),
        nonce: u64_of(&v["nonce"]),
        daa_score: u64_of(&v["daa_score"]),
        blue_score: u64_of(&v["blue_score"]),
        blue_work: BlueWork::from_be_hex(v["blue_work"].as_str().expect("hex")).expect("blue work"),
        pruning_point: hash(&v["pruning_point"]),
    }
}

fn script_public_key(v: &Value) -> ScriptPublicKey {
    ScriptPublicKey::new(u16::try_from(u64_of(&v["version"])).expect("u16"), bytes(&v["script"]))
}

fn outpoint(v: &Value) -> TransactionOutpoint {
    TransactionOutpoint::new(hash(&v["transaction_id"]), u32::try_from(u64_of(&v["index"])).expect("u32"))
}

fn transaction(v: &Value) -> Transaction {
    Transaction {
        version: u16::try_from(u64_of(&v["version"])).expect("u16"),
        inputs: v["inputs"]
            .as_array()
            .expect("inputs")
            .iter()
            .map(|i| TransactionInput {
                previous_outpoint: outpoint(&i["previous_outpoint"]),
                signature_script: bytes(&i["signature_script"]),
                sequence: u64_of(&i["sequence"]),
                sig_op_count: u8::try_from(u64_of(&i["sig_op_count"])).expect("u8"),
            })
            .collect(),
        outputs: v["outputs"]
            .as_array()
            .expect("outputs")
            .iter()
            .map(|o| TransactionOutput {
                value: Amount::from_leor(u64_of(&o["value"])),
                script_public_key: script_public_key(&o["script_public_key"]),
            })
            .collect(),
        lock_time: u64_of(&v["lock_time"]),
        subnetwork_id: v["subnetwork_id"].as_str().expect("hex").parse::<SubnetworkId>().expect("subnetwork id"),
        gas: u64_of(&v["gas"]),
        payload: bytes(&v["payload"]),
    }
}

fn hashes(v: &Value) -> Vec<BlockHash> {
    let mut list: Vec<BlockHash> = v.as_array().expect("a hash list").iter().map(hash).collect();
    list.sort();
    list
}

/// One block with the verdict the reference gave it.
struct Step {
    block: Block,
    verdict: String,
}

struct History {
    config: Config,
    genesis: BlockHash,
    steps: Vec<Step>,
    expected: Value,
}

fn load(path: &PathBuf) -> History {
    let mut text = String::new();
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    flate2::read::GzDecoder::new(file).read_to_string(&mut text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(doc["kind"], "block_sequence");
    let case = doc["cases"][0].take();
    let input = &case["input"];
    assert_eq!(input["network"], "mainnet");
    let mut config = Config::new();
    for (name, value) in input["overrides"].as_object().expect("overrides") {
        match name.as_str() {
            "skip_proof_of_work" => config.skip_proof_of_work = value.as_bool().expect("a bool"),
            "coinbase_maturity" => config.coinbase_maturity = Some(u64_of(value)),
            other => panic!("unknown override {other}"),
        }
    }
    let steps = input["blocks"]
        .as_array()
        .expect("blocks")
        .iter()
        .map(|b| {
            let block = Block::new(
                header(&b["header"]),
                b["transactions"].as_array().expect("txs").iter().map(transaction).collect(),
            );
            let expected = &b["expected"];
            assert_eq!(block.hash(), hash::<BlockHash>(&expected["hash"]), "block hash");
            let verdict = match (expected.get("status"), expected.get("error")) {
                (Some(s), _) => s.as_str().expect("status").to_string(),
                (None, Some(e)) => e.as_str().expect("error").split(':').next().expect("a variant").to_string(),
                _ => panic!("expected has neither status nor error"),
            };
            Step { block, verdict }
        })
        .collect();
    History { config, genesis: hash(&input["genesis_hash"]), steps, expected: case["expected"].clone() }
}

/// Replays the history, timing the replay only, and returns the time, the stage times and
/// the validator (to be checked).
fn replay(history: &History, now: u64) -> (Duration, Option<Duration>, StageTimes, BlockValidator) {
    let mut validator = BlockValidator::new(&MAINNET_PARAMS, &history.config);
    assert_eq!(validator.sink(), history.genesis);
    let (verdicts, elapsed, cpu) =
        timed(|| validator.validate_and_insert_all(history.steps.iter().map(|step| &step.block), now));
    for (i, (step, verdict)) in history.steps.iter().zip(&verdicts).enumerate() {
        let got = match verdict {
            Ok(status) => status.name().to_string(),
            Err(e) => e.name().to_string(),
        };
        assert_eq!(got, step.verdict, "verdict of block {i} ({verdict:?})");
    }
    let stages = validator.stage_times();
    (elapsed, cpu, stages, validator)
}

/// The end state the reference reached.
fn check_end_state(validator: &BlockValidator, expected: &Value) {
    assert_eq!(validator.sink().to_string(), expected["virtual_selected_parent"].as_str().unwrap());
    let mut parents = validator.virtual_parents().to_vec();
    parents.sort();
    assert_eq!(parents, hashes(&expected["virtual_parents"]), "virtual parents");
    let mut tips = validator.tips().to_vec();
    tips.sort();
    assert_eq!(tips, hashes(&expected["tips"]), "tips");
    assert_eq!(validator.virtual_daa_score(), u64_of(&expected["virtual_daa_score"]));
    assert_eq!(u64::from(validator.virtual_bits().to_consensus()), u64_of(&expected["virtual_bits"]));
    assert_eq!(validator.virtual_past_median_time(), u64_of(&expected["virtual_past_median_time"]));
    assert_eq!(validator.virtual_blue_score(), u64_of(&expected["virtual_blue_score"]));
    assert_eq!(
        validator.virtual_blue_work(),
        BlueWork::from_be_hex(expected["virtual_blue_work"].as_str().unwrap()).unwrap(),
        "virtual blue work"
    );
    assert_eq!(validator.virtual_utxo_commitment().to_string(), expected["virtual_utxo_commitment"].as_str().unwrap());
    type Row = (u64, u64, bool, ScriptPublicKey);
    let want: BTreeMap<TransactionOutpoint, Row> = expected["virtual_utxo_set"]
        .as_array()
        .expect("utxo set")
        .iter()
        .map(|pair| {
            let e = &pair[1];
            let row = (
                u64_of(&e["amount"]),
                u64_of(&e["block_daa_score"]),
                e["is_coinbase"].as_bool().expect("bool"),
                script_public_key(&e["script_public_key"]),
            );
            (outpoint(&pair[0]), row)
        })
        .collect();
    let got: BTreeMap<TransactionOutpoint, Row> = validator
        .virtual_utxo_set()
        .into_iter()
        .map(|(o, e)| (o, (e.amount.to_leor(), e.block_daa_score, e.is_coinbase, e.script_public_key)))
        .collect();
    assert_eq!(got.len() as u64, u64_of(&expected["virtual_utxo_set_size"]), "UTXO set size");
    assert!(got == want, "virtual UTXO set");
    let chain = validator.selected_chain();
    let want_chain = expected["selected_chain"].as_array().expect("chain");
    assert_eq!(chain.len(), want_chain.len(), "selected chain length");
    for (g, w) in chain.iter().zip(want_chain) {
        assert_eq!(g.hash.to_string(), w["hash"].as_str().unwrap());
        let got: Vec<(String, Vec<String>)> = g
            .accepted
            .iter()
            .map(|a| (a.block.to_string(), a.transaction_ids.iter().map(|t| t.to_string()).collect()))
            .collect();
        let want: Vec<(String, Vec<String>)> = w["accepted"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                let ids = a["transaction_ids"].as_array().unwrap().iter().map(|t| t.as_str().unwrap().into()).collect();
                (a["merged_block"].as_str().unwrap().to_string(), ids)
            })
            .collect();
        assert_eq!(got, want, "acceptance of {}", g.hash);
    }
    for (h, status) in expected["final_block_status"].as_object().expect("statuses") {
        let block: BlockHash = h.parse().expect("a hash");
        assert_eq!(validator.block_status(&block).map(BlockStatus::name), status.as_str(), "final status of {h}");
    }
}

/// Every signed input of the history: (x-only key, signature, sighash), computed outside
/// any timing.
fn signed_inputs(history: &History) -> Vec<([u8; 32], [u8; 64], [u8; 32])> {
    let mut outputs: HashMap<TransactionOutpoint, UtxoEntry> = HashMap::new();
    for step in &history.steps {
        for tx in &step.block.transactions {
            let id = tx.id();
            for (i, o) in tx.outputs.iter().enumerate() {
                let entry = UtxoEntry {
                    amount: o.value,
                    script_public_key: o.script_public_key.clone(),
                    block_daa_score: 0,
                    is_coinbase: false,
                };
                outputs.insert(TransactionOutpoint::new(id, i as u32), entry);
            }
        }
    }
    let mut signed = Vec::new();
    for step in &history.steps {
        for tx in step.block.transactions.iter().skip(1) {
            let entries: Vec<UtxoEntry> = tx.inputs.iter().map(|i| outputs[&i.previous_outpoint].clone()).collect();
            let cache = SighashCache::new(tx, &entries).expect("one entry per input");
            for (i, (input, entry)) in tx.inputs.iter().zip(&entries).enumerate() {
                // P2PK Schnorr: <65-byte push: signature ‖ type> spending <32-byte push: key> OP_CHECKSIG.
                let script = &input.signature_script;
                assert_eq!((script.len(), script[0]), (66, 65), "a P2PK Schnorr signature script");
                let spk = &entry.script_public_key.script;
                assert_eq!((spk.len(), spk[0], spk[33]), (34, 32, 0xac), "a P2PK Schnorr script");
                let ty = SigHashType::from_u8(script[65]).expect("a sighash type");
                let digest = cache.schnorr_hash(i, ty).expect("a sighash");
                signed.push((spk[1..33].try_into().unwrap(), script[1..65].try_into().unwrap(), digest.to_bytes()));
            }
        }
    }
    signed
}

/// The CPU time this process has used (all threads), from `/proc/self/stat` (Linux; 10 ms
/// ticks): beside the wall-clock time it shows what a run cost when other processes share
/// the cores.
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which ends with the last ')'): state is field 3,
    // utime and stime are fields 14 and 15.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// Wall-clock and CPU time of `f`.
fn timed<R>(f: impl FnOnce() -> R) -> (R, Duration, Option<Duration>) {
    let cpu = cpu_time();
    let started = Instant::now();
    let r = f();
    let wall = started.elapsed();
    (r, wall, cpu.zip(cpu_time()).map(|(a, b)| b.saturating_sub(a)))
}

fn raw_verify(signed: &[([u8; 32], [u8; 64], [u8; 32])]) -> Duration {
    let secp = secp256k1::Secp256k1::verification_only();
    let started = Instant::now();
    for (key, sig, digest) in signed {
        let key = secp256k1::XOnlyPublicKey::from_slice(key).expect("a key");
        let sig = secp256k1::schnorr::Signature::from_slice(sig).expect("a signature");
        let msg = secp256k1::Message::from_digest(*digest);
        secp.verify_schnorr(&sig, &msg, &key).expect("a valid signature");
    }
    started.elapsed()
}

fn blake3_80() -> Duration {
    let data = [0x5au8; 80];
    let n = 1_000_000u32;
    let started = Instant::now();
    let mut acc = 0u8;
    for i in 0..n {
        let mut d = data;
        d[0] = i as u8;
        acc ^= blake3::hash(std::hint::black_box(&d)).as_bytes()[0];
    }
    std::hint::black_box(acc);
    started.elapsed() / n
}

/// A replay's wall time, CPU time (where the platform tells) and stage times.
type Run = (Duration, Option<Duration>, StageTimes);

/// One replay on `pool`, its end state checked.
fn replay_in_pool(history: &History, pool: &rayon::ThreadPool, now: u64) -> Run {
    let (elapsed, cpu, stages, validator) = pool.install(|| replay(history, now));
    check_end_state(&validator, &history.expected);
    (elapsed, cpu, stages)
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs this too: keep that quick.
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let path = std::env::var_os("PYRIN_BENCH_HISTORY").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/bench/block_history_2k.json.gz"))
    });
    if !path.exists() {
        println!("replay: skipped, no {} (set PYRIN_BENCH_HISTORY to a block_sequence .json.gz)", path.display());
        return;
    }
    if !std::env::args().any(|a| a == "--bench") {
        println!("replay: skipped outside `cargo bench` (a multi-second run)");
        return;
    }
    let runs: usize = std::env::var("REPLAY_RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(3).max(1);
    let started = Instant::now();
    let history = load(&path);
    let blocks = history.steps.len();
    let txs: usize = history.steps.iter().map(|s| s.block.transactions.len() - 1).sum();
    let signed = signed_inputs(&history);
    println!(
        "history: {} ({blocks} blocks, {txs} transactions, {} signed inputs), loaded in {:.2?}",
        path.display(),
        signed.len(),
        started.elapsed()
    );
    let now =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("after 1970").as_millis() as u64;

    let blake = blake3_80();
    let all = std::env::var("REPLAY_THREADS").ok().and_then(|r| r.parse().ok()).unwrap_or(rayon::current_num_threads());
    let mut thread_counts = vec![all];
    if all != 1 {
        thread_counts.push(1);
    }
    let pools: Vec<rayon::ThreadPool> = thread_counts
        .iter()
        .map(|&threads| rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("a thread pool"))
        .collect();
    // Each run times the baseline and every replay back to back, and each keeps its best:
    // a shared machine's slow spells then weigh on the baseline and the replays alike.
    let mut raw: Option<(Duration, Option<Duration>)> = None;
    let mut best: Vec<Option<Run>> = vec![None; pools.len()];
    for _ in 0..runs {
        let (wall, _, cpu) = timed(|| raw_verify(&signed));
        if raw.is_none_or(|(b, _)| wall < b) {
            raw = Some((wall, cpu));
        }
        for (pool, best) in pools.iter().zip(best.iter_mut()) {
            let run = replay_in_pool(&history, pool, now);
            if best.as_ref().is_none_or(|(b, _, _)| run.0 < *b) {
                *best = Some(run);
            }
        }
    }
    let (raw, raw_cpu) = raw.expect("a run");
    let rows: Vec<(usize, Run)> = thread_counts.into_iter().zip(best.into_iter().map(|b| b.expect("a run"))).collect();

    let secs = |d: Duration| d.as_secs_f64();
    let cpu_secs = |d: Option<Duration>| d.map_or(f64::NAN, secs);
    println!();
    println!(
        "{:<26} {:>9} {:>8} {:>9} {:>8} {:>9} {:>9}",
        "what", "wall", "vs raw", "cpu", "vs raw", "blocks/s", "tx/s"
    );
    println!(
        "{:<26} {:>8.3}s {:>8} {:>8.2}s {:>8} {:>9} {:>9}   ({:.1} µs per signature)",
        "raw secp256k1, 1 thread",
        secs(raw),
        "1.00",
        cpu_secs(raw_cpu),
        "1.00",
        "",
        "",
        secs(raw) * 1e6 / signed.len() as f64
    );
    println!("{:<26} {:>8.0}ns", "blake3 of 80 bytes", blake.as_nanos() as f64);
    for (threads, (time, cpu, _)) in &rows {
        println!(
            "{:<26} {:>8.3}s {:>8.2} {:>8.2}s {:>8.2} {:>9.0} {:>9.0}",
            format!("replay, {threads} thread{}", if *threads == 1 { "" } else { "s" }),
            secs(*time),
            secs(*time) / secs(raw),
            cpu_secs(*cpu),
            cpu_secs(*cpu) / cpu_secs(raw_cpu),
            blocks as f64 / secs(*time),
            txs as f64 / secs(*time),
        );
    }
    println!();
    println!("{:<20} {:>8} {:>8} {:>8} {:>11}", "stage share", "header", "body", "utxo", "commitment");
    for (threads, (_, _, s)) in &rows {
        let total = secs(s.total()).max(f64::MIN_POSITIVE);
        let pct = |d: Duration| format!("{:.1}%", 100.0 * secs(d) / total);
        println!(
            "{:<20} {:>8} {:>8} {:>8} {:>11}",
            format!("{threads} thread{}", if *threads == 1 { "" } else { "s" }),
            pct(s.header),
            pct(s.body),
            pct(s.utxo),
            pct(s.commitment)
        );
    }
}
