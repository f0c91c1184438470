//! Vector kinds checked against `pyrin-tx`: `sighash`, `address`, `address_script`.

use pyrin_tx::{
    address::{Address, Prefix, Version},
    script,
    sighash::{SigHashType, SighashCache},
    UtxoEntry,
};
use serde_json::Value;

use super::CaseCheck;
use crate::json::*;

/// The checker for `kind`, if this area supports it.
pub fn checker(kind: &str) -> Option<CaseCheck> {
    match kind {
        "sighash" => Some(sighash),
        "address" => Some(address),
        "address_script" => Some(address_script),
        _ => None,
    }
}

fn utxo_entry_of(v: &Value) -> Result<UtxoEntry, String> {
    Ok(UtxoEntry {
        amount: amount_field(v, "amount")?,
        script_public_key: script_public_key_of(field(v, "script_public_key")?)?,
        block_daa_score: u64_field(v, "block_daa_score")?,
        is_coinbase: bool_field(v, "is_coinbase")?,
    })
}

fn sighash(input: &Value, expected: &Value) -> Result<(), String> {
    let tx = transaction_of(field(input, "transaction")?)?;
    let entries = array_field(input, "utxo_entries")?.iter().map(utxo_entry_of).collect::<Result<Vec<_>, _>>()?;
    let cache = SighashCache::new(&tx, &entries).map_err(|e| e.to_string())?;
    for case in array_field(expected, "sighashes")? {
        let index = usize::try_from(u64_field(case, "input_index")?).map_err(|_| "input_index too large")?;
        let ty = u8::try_from(u64_field(case, "sighash_type")?).map_err(|_| "sighash_type exceeds u8")?;
        let ty = SigHashType::from_u8(ty).map_err(|e| e.to_string())?;
        let what = format!("input {index} type {:#04x}", ty.to_u8());
        let schnorr = cache.schnorr_hash(index, ty).map_err(|e| e.to_string())?;
        expect_eq(&format!("schnorr {what}"), schnorr, hash_field(case, "schnorr")?)?;
        let ecdsa = cache.ecdsa_hash(index, ty).map_err(|e| e.to_string())?;
        expect_eq(&format!("ecdsa {what}"), ecdsa, hash_field(case, "ecdsa")?)?;
    }
    Ok(())
}

fn address(input: &Value, expected: &Value) -> Result<(), String> {
    if let Some(text) = input.get("decode") {
        let text = text.as_str().ok_or("`decode` is not a string")?;
        // A refusal ends the check here: the runner passes it when the case expects one.
        let got = text.parse::<Address>().map_err(|e| format!("rejected: {e}"))?;
        let want = field(expected, "decodes_to")?;
        expect_eq("prefix", got.prefix().as_str(), str_field(want, "prefix")?)?;
        expect_eq("version", u64::from(got.version().to_u8()), u64_field(want, "version")?)?;
        return expect_eq("payload", hex_of(got.payload()), hex_of(&bytes_field(want, "payload")?));
    }
    let prefix: Prefix =
        str_field(input, "prefix")?.parse().map_err(|e: pyrin_tx::address::AddressError| e.to_string())?;
    let version = u8::try_from(u64_field(input, "version")?).map_err(|_| "version exceeds u8")?;
    let version = Version::from_u8(version).map_err(|e| e.to_string())?;
    let address = Address::new(prefix, version, bytes_field(input, "payload")?).map_err(|e| e.to_string())?;
    expect_eq("address", address.to_string().as_str(), str_field(expected, "address")?)
}

fn address_script(input: &Value, expected: &Value) -> Result<(), String> {
    let address: Address =
        str_field(input, "address")?.parse().map_err(|e: pyrin_tx::address::AddressError| e.to_string())?;
    let spk = script::pay_to_address(&address);
    let want = script_public_key_of(field(expected, "script_public_key")?)?;
    expect_eq("version", u64::from(spk.version), u64::from(want.version))?;
    expect_eq("script", hex_of(&spk.script), hex_of(&want.script))?;
    let back = script::address_of_script(&spk, address.prefix()).ok_or("a standard script did not classify")?;
    expect_eq("address of script", back.to_string(), address.to_string())
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
