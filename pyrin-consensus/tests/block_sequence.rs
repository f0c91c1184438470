//! The reference node's whole-block histories (`vectors/consensus/block_sequence.json`,
//! `shared/spec/vectors-consensus.md`) replayed through [`BlockValidator`]: every verdict
//! and the end state must be the reference's.
//!
//! The file is read from `$PYRIN_VECTORS/consensus` when that variable is set, otherwise
//! from the repository's `vectors/consensus` beside this crate. The published crate carries
//! no vector data: there, with no `vectors/` directory, the test says so and passes.

mod common;

use std::collections::BTreeMap;

use common::*;
use pyrin_consensus::{BlockStatus, BlockValidator, Config};
use pyrin_core::params::Network;
use pyrin_core::{Block, BlockHash, BlueWork, ScriptPublicKey, TransactionOutpoint};
use serde_json::Value;

/// Replays one case and returns every difference found (empty when it matches): block by
/// block, or (`all`) through [`BlockValidator::validate_and_insert_all`].
fn replay(case: &Value, all: bool) -> Vec<String> {
    let input = &case["input"];
    let network: Network = input["network"].as_str().expect("a network name").parse().expect("a known network");
    let overrides = input["overrides"].as_object().expect("overrides");
    let mut config = Config::new();
    for (name, value) in overrides {
        match name.as_str() {
            "skip_proof_of_work" => config.skip_proof_of_work = value.as_bool().expect("a bool"),
            "coinbase_maturity" => config.coinbase_maturity = Some(u64_of(value)),
            other => panic!("unknown override {other}"),
        }
    }
    let mut validator = BlockValidator::new(network.params(), &config);
    assert_eq!(validator.sink(), hash::<BlockHash>(&input["genesis_hash"]));
    let now =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("after 1970").as_millis() as u64;
    let mut problems = Vec::new();
    let blocks = input["blocks"].as_array().expect("blocks");
    let built: Vec<Block> = blocks
        .iter()
        .map(|b| {
            Block::new(
                header(&b["header"]),
                b["transactions"].as_array().expect("txs").iter().map(transaction).collect(),
            )
        })
        .collect();
    let mut verdicts = if all {
        validator.validate_and_insert_all(&built, now)
    } else {
        built.iter().map(|block| validator.validate_and_insert(block, now)).collect()
    };
    assert_eq!(verdicts.len(), built.len());
    for ((b, block), verdict) in blocks.iter().zip(&built).zip(verdicts.drain(..)) {
        let name = b["name"].as_str().unwrap_or("?");
        let expected = &b["expected"];
        let expected_hash: BlockHash = hash(&expected["hash"]);
        if block.hash() != expected_hash {
            problems.push(format!("{name}: hash {} expected {expected_hash}", block.hash()));
        }
        let expected_verdict = match (expected.get("status"), expected.get("error")) {
            (Some(s), _) => s.as_str().expect("status").to_string(),
            (None, Some(e)) => e.as_str().expect("error").split(':').next().expect("a variant").to_string(),
            _ => panic!("{name}: expected has neither status nor error"),
        };
        let got = match &verdict {
            Ok(status) => status.name().to_string(),
            Err(e) => e.name().to_string(),
        };
        if got != expected_verdict {
            let detail = match &verdict {
                Err(e) => e.to_string(),
                Ok(_) => String::new(),
            };
            problems.push(format!("{name}: got {got} ({detail}), expected {expected_verdict}"));
        }
    }

    let expected = &case["expected"];
    let mut check = |what: &str, got: String, want: String| {
        if got != want {
            problems.push(format!("end state {what}: got {got}, expected {want}"));
        }
    };
    check("sink", validator.sink().to_string(), expected["virtual_selected_parent"].as_str().unwrap_or("").into());
    let mut parents = validator.virtual_parents().to_vec();
    parents.sort();
    check("virtual_parents", format!("{parents:?}"), format!("{:?}", hashes(&expected["virtual_parents"])));
    let mut tips = validator.tips().to_vec();
    tips.sort();
    check("tips", format!("{tips:?}"), format!("{:?}", hashes(&expected["tips"])));
    check(
        "virtual_daa_score",
        validator.virtual_daa_score().to_string(),
        u64_of(&expected["virtual_daa_score"]).to_string(),
    );
    check(
        "virtual_bits",
        validator.virtual_bits().to_consensus().to_string(),
        u64_of(&expected["virtual_bits"]).to_string(),
    );
    check(
        "virtual_past_median_time",
        validator.virtual_past_median_time().to_string(),
        u64_of(&expected["virtual_past_median_time"]).to_string(),
    );
    check(
        "virtual_blue_score",
        validator.virtual_blue_score().to_string(),
        u64_of(&expected["virtual_blue_score"]).to_string(),
    );
    check(
        "virtual_blue_work",
        format!("{:?}", validator.virtual_blue_work()),
        format!("{:?}", BlueWork::from_be_hex(expected["virtual_blue_work"].as_str().unwrap_or("")).expect("hex")),
    );
    check(
        "virtual_utxo_commitment",
        validator.virtual_utxo_commitment().to_string(),
        expected["virtual_utxo_commitment"].as_str().unwrap_or("").into(),
    );

    let set = validator.virtual_utxo_set();
    let want: BTreeMap<TransactionOutpoint, (u64, u64, bool, ScriptPublicKey)> = expected["virtual_utxo_set"]
        .as_array()
        .expect("utxo set")
        .iter()
        .map(|pair| {
            let e = &pair[1];
            (
                outpoint(&pair[0]),
                (
                    u64_of(&e["amount"]),
                    u64_of(&e["block_daa_score"]),
                    e["is_coinbase"].as_bool().expect("bool"),
                    script_public_key(&e["script_public_key"]),
                ),
            )
        })
        .collect();
    let got: BTreeMap<TransactionOutpoint, (u64, u64, bool, ScriptPublicKey)> = set
        .iter()
        .map(|(o, e)| (*o, (e.amount.to_leor(), e.block_daa_score, e.is_coinbase, e.script_public_key.clone())))
        .collect();
    check("virtual_utxo_set_size", got.len().to_string(), u64_of(&expected["virtual_utxo_set_size"]).to_string());
    for (o, w) in &want {
        match got.get(o) {
            None => check("virtual_utxo_set", format!("no {o:?}"), format!("{w:?}")),
            Some(g) if g != w => check("virtual_utxo_set", format!("{o:?} {g:?}"), format!("{w:?}")),
            _ => {}
        }
    }
    for o in got.keys().filter(|o| !want.contains_key(o)) {
        check("virtual_utxo_set", format!("extra {o:?}"), "absent".into());
    }

    let chain = validator.selected_chain();
    let want_chain = expected["selected_chain"].as_array().expect("chain");
    check("selected_chain length", chain.len().to_string(), want_chain.len().to_string());
    for (g, w) in chain.iter().zip(want_chain) {
        check("selected_chain block", g.hash.to_string(), w["hash"].as_str().unwrap_or("").into());
        let got_acc: Vec<(String, Vec<String>)> = g
            .accepted
            .iter()
            .map(|a| (a.block.to_string(), a.transaction_ids.iter().map(|t| t.to_string()).collect()))
            .collect();
        let want_acc: Vec<(String, Vec<String>)> = w["accepted"]
            .as_array()
            .expect("accepted")
            .iter()
            .map(|a| {
                (
                    a["merged_block"].as_str().unwrap_or("").to_string(),
                    a["transaction_ids"]
                        .as_array()
                        .expect("ids")
                        .iter()
                        .map(|t| t.as_str().unwrap_or("").into())
                        .collect(),
                )
            })
            .collect();
        check(&format!("acceptance of {}", g.hash), format!("{got_acc:?}"), format!("{want_acc:?}"));
    }

    for (h, status) in expected["final_block_status"].as_object().expect("statuses") {
        let block: BlockHash = h.parse().expect("a hash");
        let got = validator.block_status(&block).map(BlockStatus::name);
        let want = status.as_str();
        if got != want {
            problems.push(format!("final status of {h}: got {got:?}, expected {want:?}"));
        }
    }
    problems
}

#[test]
fn block_sequences_replay_with_the_reference_verdicts_and_end_state() {
    let Some(cases) = cases("block_sequence.json") else { return };
    let mut failures = Vec::new();
    for case in &cases {
        let problems = replay(case, false);
        eprintln!("case {}: {} differences", case["name"], problems.len());
        if !problems.is_empty() {
            failures.push(format!("case {}:\n  {}", case["name"], problems.join("\n  ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The same cases through `validate_and_insert_all`, which on several threads checks each
/// next block's signatures ahead: the same verdicts and end state.
#[cfg(feature = "rayon")]
#[test]
fn block_sequences_validated_all_at_once_on_two_threads_match_too() {
    let Some(cases) = cases("block_sequence.json") else { return };
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().expect("a pool");
    let mut failures = Vec::new();
    for case in &cases {
        let problems = pool.install(|| replay(case, true));
        if !problems.is_empty() {
            failures.push(format!("case {}:\n  {}", case["name"], problems.join("\n  ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
