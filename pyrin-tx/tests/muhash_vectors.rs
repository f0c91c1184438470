//! The reference node's MuHash values (`vectors/tx/muhash_element.json` and
//! `vectors/tx/utxo_commitment.json`, computed by running `Pyrinpyi/pyrin`'s own code) through
//! `pyrin_tx::muhash`.
//!
//! The files are read from `$PYRIN_VECTORS/tx` when that variable is set, otherwise from the
//! repository's `vectors/tx` beside this crate. The published crate carries no vector data:
//! there, with no `vectors/` directory, the tests say so and pass.

use std::path::PathBuf;

use pyrin_core::{Amount, ScriptPublicKey, TransactionId, TransactionOutpoint, UtxoCommitment};
use pyrin_tx::muhash::{MuHash, EMPTY_COMMITMENT};
use pyrin_tx::UtxoEntry;
use serde_json::Value;

/// The cases of `tx/<name>`, or `None` when this checkout has no such file to read.
fn cases(name: &str) -> Option<Vec<Value>> {
    let (dir, chosen) = match std::env::var_os("PYRIN_VECTORS") {
        Some(dir) => (PathBuf::from(dir), true),
        None => (PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../vectors")), false),
    };
    let path = dir.join("tx").join(name);
    if !path.exists() {
        // The repository always has its own copy; only a packaged crate (no `vectors/` at
        // all) or a PYRIN_VECTORS directory without this file may lack it.
        assert!(chosen || !dir.exists(), "{} is missing from the repository", path.display());
        eprintln!("skipped: no {}", path.display());
        return None;
    }
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Some(doc["cases"].as_array().expect("a `cases` array").clone())
}

fn hex(v: &Value) -> Vec<u8> {
    pyrin_core::hex::decode(v.as_str().expect("a hex string")).expect("valid hex")
}

fn commitment(v: &Value) -> UtxoCommitment {
    v.as_str().expect("a hash string").parse().expect("a 32-byte hex hash")
}

/// A u64 written as a number or, at 2^53 and above, a decimal string.
fn u64_of(v: &Value) -> u64 {
    match v {
        Value::String(s) => s.parse().expect("a decimal u64"),
        other => other.as_u64().expect("a u64"),
    }
}

fn utxo(pair: &Value) -> (TransactionOutpoint, UtxoEntry) {
    let (outpoint, entry) = (&pair[0], &pair[1]);
    let id: TransactionId = outpoint["transaction_id"].as_str().expect("an id").parse().expect("a 32-byte id");
    let index = u32::try_from(u64_of(&outpoint["index"])).expect("an index below 2^32");
    let spk = &entry["script_public_key"];
    let entry = UtxoEntry {
        amount: Amount::from_leor(u64_of(&entry["amount"])),
        script_public_key: ScriptPublicKey::new(
            u16::try_from(u64_of(&spk["version"])).expect("a u16 version"),
            hex(&spk["script"]),
        ),
        block_daa_score: u64_of(&entry["block_daa_score"]),
        is_coinbase: entry["is_coinbase"].as_bool().expect("a bool"),
    };
    (TransactionOutpoint::new(id, index), entry)
}

#[test]
fn muhash_elements_match_the_reference() {
    let Some(cases) = cases("muhash_element.json") else { return };
    assert!(!cases.is_empty());
    for case in &cases {
        let name = &case["name"];
        let data = hex(&case["input"]["data"]);
        let expected = &case["expected"];
        let mut added = MuHash::new();
        added.add_element(&data);
        assert_eq!(added.finalize(), commitment(&expected["finalize"]), "{name}: finalize");
        let mut removed = MuHash::new();
        removed.remove_element(&data);
        assert_eq!(removed.finalize(), commitment(&expected["finalize_removed"]), "{name}: finalize_removed");
        assert_eq!(EMPTY_COMMITMENT, commitment(&expected["empty"]), "{name}: empty");
    }
}

#[test]
fn utxo_commitments_match_the_reference() {
    let Some(cases) = cases("utxo_commitment.json") else { return };
    assert!(!cases.is_empty());
    for case in &cases {
        let name = &case["name"];
        let adds: Vec<_> = case["input"]["add"].as_array().expect("`add`").iter().map(utxo).collect();
        let removes: Vec<_> = case["input"]["remove"].as_array().expect("`remove`").iter().map(utxo).collect();
        let want = commitment(&case["expected"]["commitment"]);

        let mut set = MuHash::new();
        for (outpoint, entry) in &adds {
            set.add_utxo(outpoint, entry);
        }
        for (outpoint, entry) in &removes {
            set.remove_utxo(outpoint, entry);
        }
        assert_eq!(set.finalize(), want, "{name}");

        // The same set through the other entry points: raw element bytes, removals first,
        // and (with rayon) the parallel builder combined with the removals.
        let mut raw = MuHash::new();
        for (outpoint, entry) in &removes {
            raw.remove_element(&pyrin_tx::muhash::utxo_element_bytes(outpoint, entry));
        }
        for (outpoint, entry) in adds.iter().rev() {
            raw.add_element(&pyrin_tx::muhash::utxo_element_bytes(outpoint, entry));
        }
        assert_eq!(raw.finalize(), want, "{name}: raw elements, removals first");

        #[cfg(feature = "rayon")]
        {
            use rayon::prelude::*;
            let mut parallel = MuHash::par_from_utxos(adds.par_iter().map(|(o, e)| (o, e)));
            let mut spent = MuHash::new();
            for (outpoint, entry) in &removes {
                spent.remove_utxo(outpoint, entry);
            }
            parallel.combine(&spent);
            assert_eq!(parallel.finalize(), want, "{name}: parallel");
        }
    }
}
