//! Vector kinds checked against `pyrin-pow`: `pow`.

use pyrin_pow::{PowState, Variant};
use serde_json::Value;

use super::CaseCheck;
use crate::json::*;

/// The checker for `kind`, if this area supports it.
pub fn checker(kind: &str) -> Option<CaseCheck> {
    match kind {
        "pow" => Some(pow),
        _ => None,
    }
}

fn pow(input: &Value, expected: &Value) -> Result<(), String> {
    let header = header_of(field(input, "header")?)?;
    let nonce = u64_field(input, "nonce")?;
    let variant: Variant = str_field(input, "variant")?.parse().map_err(|e| format!("`variant`: {e}"))?;
    let state = PowState::with_variant(&header, variant).map_err(|e| e.to_string())?;
    expect_eq("pow_hash", state.pow_hash(nonce), hash_field(expected, "pow_hash")?)?;
    let plain = state.pow_value_plain(nonce);
    let fast = state.pow_value(nonce);
    expect_eq("pow (plain path)", plain.to_uint256(), uint256_field(expected, "pow")?)?;
    expect_eq("pow (fast path)", fast, plain)?;
    let bytes = bytes_field(expected, "pow_bytes")?;
    if plain.to_uint256().to_le_bytes().as_slice() != bytes.as_slice() {
        return Err("pow_bytes differ from the value's little-endian bytes".into());
    }
    let meets = bool_field(expected, "meets_target")?;
    let check = state.check(nonce);
    if check.meets_target != meets {
        return Err(format!("meets_target: got {}, expected {meets}", check.meets_target));
    }
    Ok(())
}
