//! Reading the JSON shapes of `shared/spec/vectors*.md` into library types.
//!
//! Every function returns a `String` error naming the field, so a malformed vector file
//! is reported, never a panic.

use pyrin_core::hex::HexError;
use pyrin_core::{
    Amount, BlueWork, CompactTarget, Header, ScriptPublicKey, SubnetworkId, Transaction, TransactionInput,
    TransactionOutpoint, TransactionOutput, Uint256,
};
use serde_json::Value;

/// How an error starts when a checker, given a case that must be rejected, accepted the
/// input and went on to read an expected value the case does not have.
pub const ACCEPTED: &str = "accepted an input the case rejects";

/// A field of an object, or an error naming it. On the `expected` object of a case that
/// must be rejected (it holds `error`), asking for any other field means the library
/// accepted the input, and the error says so (it starts with [`ACCEPTED`]).
pub fn field<'a>(v: &'a Value, name: &str) -> Result<&'a Value, String> {
    v.get(name).ok_or_else(|| match v.get("error") {
        Some(reason) => format!("{ACCEPTED} ({reason}): went on to compare `{name}`"),
        None => format!("missing field `{name}`"),
    })
}

/// A u64 written as a JSON number or a decimal string (at 2^53 and above).
pub fn u64_of(v: &Value) -> Result<u64, String> {
    match v {
        Value::Number(n) => n.as_u64().ok_or_else(|| format!("{n} is not a u64")),
        Value::String(s) => s.parse().map_err(|e| format!("{s:?} is not a u64: {e}")),
        other => Err(format!("expected a u64, found {other}")),
    }
}

/// A u64 field.
pub fn u64_field(v: &Value, name: &str) -> Result<u64, String> {
    u64_of(field(v, name)?).map_err(|e| format!("`{name}`: {e}"))
}

/// A string field.
pub fn str_field<'a>(v: &'a Value, name: &str) -> Result<&'a str, String> {
    field(v, name)?.as_str().ok_or_else(|| format!("`{name}` is not a string"))
}

/// An array field.
pub fn array_field<'a>(v: &'a Value, name: &str) -> Result<&'a Vec<Value>, String> {
    field(v, name)?.as_array().ok_or_else(|| format!("`{name}` is not an array"))
}

/// A bool field.
pub fn bool_field(v: &Value, name: &str) -> Result<bool, String> {
    field(v, name)?.as_bool().ok_or_else(|| format!("`{name}` is not a bool"))
}

/// A 32-byte hash in hex, as any hash role type (`Hash`, `BlockHash`, `TransactionId`, …).
pub fn hash_of<H: std::str::FromStr<Err = HexError>>(v: &Value) -> Result<H, String> {
    let s = v.as_str().ok_or_else(|| format!("expected a hash string, found {v}"))?;
    s.parse().map_err(|e| format!("bad hash {s:?}: {e}"))
}

/// A hash field, as any hash role type.
pub fn hash_field<H: std::str::FromStr<Err = HexError>>(v: &Value, name: &str) -> Result<H, String> {
    hash_of(field(v, name)?).map_err(|e| format!("`{name}`: {e}"))
}

/// An amount field (a decimal number of leor).
pub fn amount_field(v: &Value, name: &str) -> Result<Amount, String> {
    u64_field(v, name).map(Amount::from_leor)
}

/// A hex byte-string field.
pub fn bytes_field(v: &Value, name: &str) -> Result<Vec<u8>, String> {
    let s = str_field(v, name)?;
    pyrin_core::hex::decode(s).map_err(|e| format!("`{name}`: {e}"))
}

/// A big-endian hex 256-bit integer field (`"0"` for zero).
pub fn uint256_field(v: &Value, name: &str) -> Result<Uint256, String> {
    let s = str_field(v, name)?;
    Uint256::from_be_hex(s).map_err(|e| format!("`{name}`: {e}"))
}

/// A header object.
pub fn header_of(v: &Value) -> Result<Header, String> {
    let mut parents_by_level = Vec::new();
    for level in array_field(v, "parents_by_level")? {
        let level = level.as_array().ok_or("a parents level is not an array")?;
        parents_by_level.push(level.iter().map(hash_of).collect::<Result<Vec<_>, _>>()?);
    }
    let blue_work = str_field(v, "blue_work")?;
    Ok(Header {
        version: u16::try_from(u64_field(v, "version")?).map_err(|_| "`version` exceeds u16")?,
        parents_by_level,
        hash_merkle_root: hash_field(v, "hash_merkle_root")?,
        accepted_id_merkle_root: hash_field(v, "accepted_id_merkle_root")?,
        utxo_commitment: hash_field(v, "utxo_commitment")?,
        timestamp: u64_field(v, "timestamp")?,
        bits: CompactTarget::from_consensus(u32::try_from(u64_field(v, "bits")?).map_err(|_| "`bits` exceeds u32")?),
        nonce: u64_field(v, "nonce")?,
        daa_score: u64_field(v, "daa_score")?,
        blue_score: u64_field(v, "blue_score")?,
        blue_work: BlueWork::from_be_hex(blue_work).map_err(|e| format!("`blue_work`: {e}"))?,
        pruning_point: hash_field(v, "pruning_point")?,
    })
}

/// A script public key object `{version, script}`.
pub fn script_public_key_of(v: &Value) -> Result<ScriptPublicKey, String> {
    Ok(ScriptPublicKey {
        version: u16::try_from(u64_field(v, "version")?).map_err(|_| "script `version` exceeds u16")?,
        script: bytes_field(v, "script")?,
    })
}

/// A UTXO entry object `{amount, script_public_key, block_daa_score, is_coinbase}`.
pub fn utxo_entry_of(v: &Value) -> Result<pyrin_tx::UtxoEntry, String> {
    Ok(pyrin_tx::UtxoEntry {
        amount: amount_field(v, "amount")?,
        script_public_key: script_public_key_of(field(v, "script_public_key")?)?,
        block_daa_score: u64_field(v, "block_daa_score")?,
        is_coinbase: bool_field(v, "is_coinbase")?,
    })
}

/// A transaction object.
pub fn transaction_of(v: &Value) -> Result<Transaction, String> {
    let mut inputs = Vec::new();
    for input in array_field(v, "inputs")? {
        let outpoint = field(input, "previous_outpoint")?;
        inputs.push(TransactionInput {
            previous_outpoint: TransactionOutpoint {
                transaction_id: hash_field(outpoint, "transaction_id")?,
                index: u32::try_from(u64_field(outpoint, "index")?).map_err(|_| "outpoint `index` exceeds u32")?,
            },
            signature_script: bytes_field(input, "signature_script")?,
            sequence: u64_field(input, "sequence")?,
            sig_op_count: u8::try_from(u64_field(input, "sig_op_count")?).map_err(|_| "`sig_op_count` exceeds u8")?,
        });
    }
    let mut outputs = Vec::new();
    for output in array_field(v, "outputs")? {
        outputs.push(TransactionOutput {
            value: Amount::from_leor(u64_field(output, "value")?),
            script_public_key: script_public_key_of(field(output, "script_public_key")?)?,
        });
    }
    let subnetwork = str_field(v, "subnetwork_id")?;
    Ok(Transaction {
        version: u16::try_from(u64_field(v, "version")?).map_err(|_| "`version` exceeds u16")?,
        inputs,
        outputs,
        lock_time: u64_field(v, "lock_time")?,
        subnetwork_id: subnetwork.parse::<SubnetworkId>().map_err(|e| format!("`subnetwork_id`: {e}"))?,
        gas: u64_field(v, "gas")?,
        payload: bytes_field(v, "payload")?,
    })
}

/// Compares a computed value with an expected one, naming the field on mismatch.
pub fn expect_eq<T: PartialEq + std::fmt::Display>(what: &str, got: T, expected: T) -> Result<(), String> {
    if got == expected {
        Ok(())
    } else {
        Err(format!("{what}: got {got}, expected {expected}"))
    }
}
