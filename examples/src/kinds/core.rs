//! Vector kinds checked against `pyrin-core`: `header_hash`, `compact_target`, `tx_hash`,
//! `merkle_root`.

use pyrin_core::{merkle, CompactTarget, Target};
use serde_json::Value;

use super::CaseCheck;
use crate::json::*;

/// The checker for `kind`, if this area supports it.
pub fn checker(kind: &str) -> Option<CaseCheck> {
    match kind {
        "header_hash" => Some(header_hash),
        "compact_target" => Some(compact_target),
        "tx_hash" => Some(tx_hash),
        "merkle_root" => Some(merkle_root),
        _ => None,
    }
}

fn header_hash(input: &Value, expected: &Value) -> Result<(), String> {
    let header = header_of(field(input, "header")?)?;
    expect_eq("hash", header.hash(), hash_field(expected, "hash")?)?;
    expect_eq("pre_pow_hash", header.pre_pow_hash(), hash_field(expected, "pre_pow_hash")?)
}

fn compact_target(input: &Value, expected: &Value) -> Result<(), String> {
    let bits = u32::try_from(u64_field(input, "bits")?).map_err(|_| "`bits` exceeds u32")?;
    let target = Target::from_compact(CompactTarget::from_consensus(bits));
    expect_eq("target", target.to_uint256(), uint256_field(expected, "target")?)?;
    let bits_of_target = u64::from(target.to_compact_lossy().to_consensus());
    expect_eq("bits_of_target", bits_of_target, u64_field(expected, "bits_of_target")?)?;
    match field(expected, "work")? {
        Value::Null => match target.to_work() {
            None => Ok(()),
            Some(w) => Err(format!("work: got {w:x}, expected null")),
        },
        _ => {
            let work = target.to_work().ok_or("work: got none for a non-zero expectation")?;
            expect_eq("work", work.to_uint256(), uint256_field(expected, "work")?)
        }
    }
}

fn tx_hash(input: &Value, expected: &Value) -> Result<(), String> {
    let tx = transaction_of(field(input, "transaction")?)?;
    expect_eq("id", tx.id(), hash_field(expected, "id")?)?;
    expect_eq("hash", tx.hash(), hash_field(expected, "hash")?)
}

fn merkle_root(input: &Value, expected: &Value) -> Result<(), String> {
    let txs = array_field(input, "transactions")?.iter().map(transaction_of).collect::<Result<Vec<_>, _>>()?;
    expect_eq("hash_merkle_root", merkle::hash_merkle_root(&txs), hash_field(expected, "hash_merkle_root")?)?;
    expect_eq(
        "accepted_id_merkle_root_of_ids",
        merkle::accepted_id_merkle_root(txs.iter().map(|t| t.id())),
        hash_field(expected, "accepted_id_merkle_root_of_ids")?,
    )
}
