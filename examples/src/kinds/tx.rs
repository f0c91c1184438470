//! Vector kinds checked against `pyrin-tx`: `sighash`, `address`, `address_script`, `script`,
//! `script_multisig`, `muhash_element`, `utxo_commitment`, `transaction_mass`.

use pyrin_core::{
    Amount, ScriptPublicKey, Transaction, TransactionId, TransactionInput, TransactionOutpoint, TransactionOutput,
};
use pyrin_tx::{
    address::{Address, Prefix, Version},
    engine::{Engine, ScriptError},
    muhash::{MuHash, EMPTY_COMMITMENT},
    script, script_asm,
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
        "script" => Some(script_case),
        "script_multisig" => Some(script_multisig),
        "muhash_element" => Some(muhash_element),
        "utxo_commitment" => Some(utxo_commitment),
        "transaction_mass" => Some(transaction_mass),
        _ => None,
    }
}

/// Every expected field of a `transaction_mass` case, with mainnet's mass parameters.
fn transaction_mass(input: &Value, expected: &Value) -> Result<(), String> {
    use pyrin_tx::mass::{
        compute_mass, estimated_serialized_size, overall_mass, storage_mass, Kip9Version, MassPrices,
    };
    let tx = transaction_of(field(input, "transaction")?)?;
    let entries = array_field(input, "utxo_entries")?.iter().map(utxo_entry_of).collect::<Result<Vec<_>, _>>()?;
    let params = pyrin_core::params::Network::Mainnet.params();
    let prices = MassPrices::from_params(params);
    let c = params.storage_mass_parameter;
    let optional = |name: &str| -> Result<Option<u64>, String> {
        match field(expected, name)? {
            Value::Null => Ok(None),
            v => u64_of(v).map(Some),
        }
    };
    let show = |v: Option<u64>| v.map_or("none".to_string(), |v| v.to_string());
    expect_eq("compute_mass", compute_mass(&tx, &prices), u64_field(expected, "compute_mass")?)?;
    let checks = [
        ("storage_mass", storage_mass(&tx, &entries, c, Kip9Version::Beta)),
        ("storage_mass_alpha", storage_mass(&tx, &entries, c, Kip9Version::Alpha)),
        ("storage_mass_beta", storage_mass(&tx, &entries, c, Kip9Version::Beta)),
        ("overall_mass_alpha", overall_mass(&tx, &entries, &prices, c, Kip9Version::Alpha)),
        ("overall_mass_beta", overall_mass(&tx, &entries, &prices, c, Kip9Version::Beta)),
    ];
    for (name, got) in checks {
        expect_eq(name, show(got), show(optional(name)?))?;
    }
    expect_eq(
        "estimated_serialized_size",
        estimated_serialized_size(&tx),
        u64_field(expected, "estimated_serialized_size")?,
    )?;
    expect_eq("transaction_id", tx.id(), hash_field(expected, "transaction_id")?)
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

/// A case of the script suite (vectors-script.md): the spending transaction around the two
/// scripts, run on its only input; `OK` or one of the names the engine's error answers to.
fn script_case(input: &Value, expected: &Value) -> Result<(), String> {
    let want = str_field(expected, "result")?;
    let parse = |name: &str| -> Result<Result<Vec<u8>, &'static [&'static str]>, String> {
        match script_asm::parse(str_field(input, name)?) {
            Ok(bytes) => Ok(Ok(bytes)),
            Err(script_asm::AsmError::PushSize(_)) => Ok(Err(&["PUSH_SIZE"])),
            Err(e) => Err(format!("{name}: {e}")),
        }
    };
    let outcome = match (parse("signature_script")?, parse("script_public_key")?) {
        (Ok(sig), Ok(spk)) => run_scripts(sig, ScriptPublicKey::new(0, spk)),
        (Err(names), _) | (_, Err(names)) => Err(names),
    };
    match outcome {
        Ok(()) if want == "OK" => Ok(()),
        Err(names) if names.contains(&want) => Ok(()),
        Ok(()) => Err(format!("expected {want}, the scripts succeed")),
        Err(names) => Err(format!("expected {want}, the engine fails with {names:?}")),
    }
}

fn run_scripts(signature_script: Vec<u8>, spk: ScriptPublicKey) -> Result<(), &'static [&'static str]> {
    let mut funding =
        TransactionInput::new(TransactionOutpoint::new(TransactionId::from_bytes([0; 32]), u32::MAX), u64::MAX, 0);
    funding.signature_script = vec![0, 0];
    let crediting = Transaction {
        version: 1,
        inputs: vec![funding],
        outputs: vec![TransactionOutput::new(Amount::from_leor(0), spk.clone())],
        ..Transaction::default()
    };
    let mut spend = TransactionInput::new(TransactionOutpoint::new(crediting.id(), 0), u64::MAX, 0);
    spend.signature_script = signature_script;
    let spending = Transaction {
        version: 1,
        inputs: vec![spend],
        outputs: vec![TransactionOutput::new(Amount::from_leor(0), ScriptPublicKey::new(0, vec![]))],
        ..Transaction::default()
    };
    let entries =
        [UtxoEntry { amount: Amount::from_leor(0), script_public_key: spk, block_daa_score: 0, is_coinbase: true }];
    let cache = SighashCache::new(&spending, &entries).map_err(|_| &[] as &[&str])?;
    Engine::new(&cache, 0).and_then(Engine::execute).map_err(|e| e.suite_names())
}

/// A transaction of P2SH multisig spends: every input's scripts run true, or the first
/// failing input fails with the reference's error variant (a refusal at another input or
/// with another variant counts as a failed case).
fn script_multisig(input: &Value, expected: &Value) -> Result<(), String> {
    let tx = transaction_of(field(input, "transaction")?)?;
    let entries = array_field(input, "utxo_entries")?.iter().map(utxo_entry_of).collect::<Result<Vec<_>, _>>()?;
    let cache = SighashCache::new(&tx, &entries).map_err(|e| e.to_string())?;
    let failure =
        (0..tx.inputs.len()).find_map(|i| Engine::new(&cache, i).and_then(Engine::execute).err().map(|e| (i, e)));
    if bool_field(expected, "valid")? {
        return match failure {
            None => Ok(()),
            Some((i, e)) => Err(format!("input {i} fails: {e}")),
        };
    }
    let want_input = u64_field(expected, "failed_input")?;
    let want = str_field(expected, "error_variant")?;
    let Some((i, e)) = failure else { return Ok(()) };
    let variant = match e {
        ScriptError::NullFail => "NullFail",
        ScriptError::SigHashType(_) => "InvalidSigHashType",
        ScriptError::InvalidStackOperation { .. } => "InvalidStackOperation",
        ScriptError::EvalFalse => "EvalFalse",
        ScriptError::CleanStack(_) => "CleanStack",
        ScriptError::EmptyStack => "EmptyStack",
        ScriptError::Verify => "VerifyError",
        ScriptError::SigLength(_) => "SigLength",
        ScriptError::PubKeyFormat => "PubKeyFormat",
        _ => "other",
    };
    if i as u64 != want_input || variant != want {
        // Refused, but not as the reference refuses: the case fails as if accepted.
        return Err(format!("{ACCEPTED}, or rather refuses it otherwise: input {i} fails with {e} ({variant}), the reference's input {want_input} with {want}"));
    }
    Err(format!("input {i} refused: {e}"))
}

/// One raw element: the MuHash holding it, the MuHash of its removal alone, and the empty
/// set's commitment.
fn muhash_element(input: &Value, expected: &Value) -> Result<(), String> {
    let data = bytes_field(input, "data")?;
    let mut added = MuHash::new();
    added.add_element(&data);
    expect_eq("finalize", added.finalize(), hash_field(expected, "finalize")?)?;
    let mut removed = MuHash::new();
    removed.remove_element(&data);
    expect_eq("finalize_removed", removed.finalize(), hash_field(expected, "finalize_removed")?)?;
    expect_eq("empty", MuHash::new().finalize(), hash_field(expected, "empty")?)?;
    expect_eq("empty constant", EMPTY_COMMITMENT, hash_field(expected, "empty")?)
}

/// A UTXO set's commitment: every `add`, then every `remove`.
fn utxo_commitment(input: &Value, expected: &Value) -> Result<(), String> {
    let utxo = |pair: &Value| -> Result<(TransactionOutpoint, UtxoEntry), String> {
        let pair = pair.as_array().filter(|p| p.len() == 2).ok_or("a UTXO is not an [outpoint, entry] pair")?;
        let outpoint = TransactionOutpoint::new(
            hash_field(&pair[0], "transaction_id")?,
            u32::try_from(u64_field(&pair[0], "index")?).map_err(|_| "`index` exceeds u32")?,
        );
        Ok((outpoint, utxo_entry_of(&pair[1])?))
    };
    let mut set = MuHash::new();
    for pair in array_field(input, "add")? {
        let (outpoint, entry) = utxo(pair)?;
        set.add_utxo(&outpoint, &entry);
    }
    for pair in array_field(input, "remove")? {
        let (outpoint, entry) = utxo(pair)?;
        set.remove_utxo(&outpoint, &entry);
    }
    expect_eq("commitment", set.finalize(), hash_field(expected, "commitment")?)
}
