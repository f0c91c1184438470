//! Reading the consensus vectors (`vectors/consensus`, or `$PYRIN_VECTORS/consensus`)
//! into library types, shared by the tests of this directory.

#![allow(dead_code)]

use std::path::PathBuf;

use pyrin_core::{
    Amount, BlockHash, BlueWork, CompactTarget, Header, ScriptPublicKey, SubnetworkId, Transaction, TransactionInput,
    TransactionOutpoint, TransactionOutput,
};
use serde_json::Value;

/// The cases of `consensus/<name>`, or `None` when this checkout has no such file (a
/// packaged crate without `vectors/`).
pub fn cases(name: &str) -> Option<Vec<Value>> {
    let (dir, chosen) = match std::env::var_os("PYRIN_VECTORS") {
        Some(dir) => (PathBuf::from(dir), true),
        None => (PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../vectors")), false),
    };
    let path = dir.join("consensus").join(name);
    if !path.exists() {
        assert!(chosen || !dir.exists(), "{} is missing from the repository", path.display());
        eprintln!("skipped: no {}", path.display());
        return None;
    }
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(doc["kind"], "block_sequence");
    Some(doc["cases"].as_array().expect("a `cases` array").clone())
}

pub fn u64_of(v: &Value) -> u64 {
    match v {
        Value::String(s) => s.parse().expect("a decimal u64"),
        other => other.as_u64().unwrap_or_else(|| panic!("a u64, found {other}")),
    }
}

pub fn bytes(v: &Value) -> Vec<u8> {
    pyrin_core::hex::decode(v.as_str().expect("a hex string")).expect("valid hex")
}

pub fn hash<H: std::str::FromStr>(v: &Value) -> H
where
    H::Err: std::fmt::Debug,
{
    v.as_str().expect("a hash string").parse().expect("a 32-byte hex hash")
}

pub fn header(v: &Value) -> Header {
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

pub fn script_public_key(v: &Value) -> ScriptPublicKey {
    ScriptPublicKey::new(u16::try_from(u64_of(&v["version"])).expect("u16"), bytes(&v["script"]))
}

pub fn transaction(v: &Value) -> Transaction {
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

pub fn outpoint(v: &Value) -> TransactionOutpoint {
    TransactionOutpoint::new(hash(&v["transaction_id"]), u32::try_from(u64_of(&v["index"])).expect("u32"))
}

pub fn hashes(v: &Value) -> Vec<BlockHash> {
    let mut list: Vec<BlockHash> = v.as_array().expect("a hash list").iter().map(hash).collect();
    list.sort();
    list
}

/// A block object (`header`, `transactions`).
pub fn block(v: &Value) -> pyrin_core::Block {
    pyrin_core::Block::new(
        header(&v["header"]),
        v["transactions"].as_array().expect("transactions").iter().map(transaction).collect(),
    )
}

/// The validator settings of a case's `overrides`.
pub fn config(input: &Value) -> pyrin_consensus::Config {
    let mut config = pyrin_consensus::Config::new();
    for (name, value) in input["overrides"].as_object().expect("overrides") {
        match name.as_str() {
            "skip_proof_of_work" => config.skip_proof_of_work = value.as_bool().expect("a bool"),
            "coinbase_maturity" => config.coinbase_maturity = Some(u64_of(value)),
            other => panic!("unknown override {other}"),
        }
    }
    config
}

/// A small deterministic generator (xorshift64*), so failures reproduce.
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}
