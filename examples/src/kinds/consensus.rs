//! Vector kinds checked against `pyrin-consensus`: `block_sequence`.

use std::collections::BTreeMap;

use pyrin_consensus::{BlockStatus, BlockValidator, Config};
use pyrin_core::params::Network;
use pyrin_core::{Block, BlockHash, BlueWork, TransactionOutpoint};
use serde_json::Value;

use super::CaseCheck;
use crate::json::*;

/// The checker for `kind`, if this area supports it.
pub fn checker(kind: &str) -> Option<CaseCheck> {
    match kind {
        "block_sequence" => Some(block_sequence),
        _ => None,
    }
}

/// A sorted list of block hashes.
fn sorted_hashes(v: &Value) -> Result<Vec<BlockHash>, String> {
    let mut list =
        v.as_array().ok_or("expected a hash list")?.iter().map(hash_of).collect::<Result<Vec<BlockHash>, _>>()?;
    list.sort();
    Ok(list)
}

fn outpoint_of(v: &Value) -> Result<TransactionOutpoint, String> {
    let index = u32::try_from(u64_field(v, "index")?).map_err(|_| "outpoint `index` exceeds u32")?;
    Ok(TransactionOutpoint::new(hash_field(v, "transaction_id")?, index))
}

/// An entry as comparable plain values: amount, DAA score, coinbase flag, script.
type EntryKey = (u64, u64, bool, u16, Vec<u8>);

fn validator_of(input: &Value) -> Result<BlockValidator, String> {
    let network: Network = str_field(input, "network")?.parse().map_err(|e| format!("`network`: {e}"))?;
    let mut config = Config::new();
    let overrides = field(input, "overrides")?.as_object().ok_or("`overrides` is not an object")?;
    for (name, value) in overrides {
        match name.as_str() {
            "skip_proof_of_work" => {
                config.skip_proof_of_work = value.as_bool().ok_or("`skip_proof_of_work` is not a bool")?
            }
            "coinbase_maturity" => config.coinbase_maturity = Some(u64_of(value)?),
            other => return Err(format!("override `{other}` is not a test setting the validator takes")),
        }
    }
    let validator = BlockValidator::new(network.params(), &config);
    expect_eq("genesis hash", validator.sink(), hash_field(input, "genesis_hash")?)?;
    Ok(validator)
}

/// `block_sequence`: every block's verdict, then the end state.
fn block_sequence(input: &Value, expected: &Value) -> Result<(), String> {
    let mut validator = validator_of(input)?;
    // The vectors' timestamps are in 2024: any later "now" keeps the future rule quiet.
    let now =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_err(|e| e.to_string())?.as_millis();
    let now = u64::try_from(now).unwrap_or(u64::MAX);
    for b in array_field(input, "blocks")? {
        let name = str_field(b, "name")?;
        let header = header_of(field(b, "header")?).map_err(|e| format!("{name}: {e}"))?;
        let transactions = array_field(b, "transactions")?.iter().map(transaction_of).collect::<Result<Vec<_>, _>>()?;
        let block = Block::new(header, transactions);
        let want = field(b, "expected")?;
        expect_eq(&format!("{name}: hash"), block.hash(), hash_field(want, "hash")?)?;
        let verdict = validator.validate_and_insert(&block, now);
        let want_verdict = match (want.get("status"), want.get("error")) {
            (Some(s), _) => s.as_str().ok_or("`status` is not a string")?.to_string(),
            (None, Some(e)) => {
                e.as_str().ok_or("`error` is not a string")?.split(':').next().unwrap_or_default().to_string()
            }
            _ => return Err(format!("{name}: `expected` has neither `status` nor `error`")),
        };
        let got = match &verdict {
            Ok(status) => status.name().to_string(),
            Err(e) => format!("{} ({e})", e.name()),
        };
        if got.split(' ').next() != Some(want_verdict.as_str()) {
            return Err(format!("{name}: got {got}, expected {want_verdict}"));
        }
    }

    expect_eq("sink", validator.sink(), hash_field(expected, "virtual_selected_parent")?)?;
    let mut parents = validator.virtual_parents().to_vec();
    parents.sort();
    expect_eq(
        "virtual parents",
        format!("{parents:?}"),
        format!("{:?}", sorted_hashes(field(expected, "virtual_parents")?)?),
    )?;
    let mut tips = validator.tips().to_vec();
    tips.sort();
    expect_eq("tips", format!("{tips:?}"), format!("{:?}", sorted_hashes(field(expected, "tips")?)?))?;
    expect_eq("virtual DAA score", validator.virtual_daa_score(), u64_field(expected, "virtual_daa_score")?)?;
    expect_eq(
        "virtual bits",
        u64::from(validator.virtual_bits().to_consensus()),
        u64_field(expected, "virtual_bits")?,
    )?;
    expect_eq(
        "virtual past median time",
        validator.virtual_past_median_time(),
        u64_field(expected, "virtual_past_median_time")?,
    )?;
    expect_eq("virtual blue score", validator.virtual_blue_score(), u64_field(expected, "virtual_blue_score")?)?;
    let blue_work = BlueWork::from_be_hex(str_field(expected, "virtual_blue_work")?).map_err(|e| e.to_string())?;
    if validator.virtual_blue_work() != blue_work {
        return Err(format!("virtual blue work: got {:?}, expected {blue_work:?}", validator.virtual_blue_work()));
    }
    expect_eq(
        "virtual UTXO commitment",
        validator.virtual_utxo_commitment(),
        hash_field(expected, "virtual_utxo_commitment")?,
    )?;

    let got: BTreeMap<TransactionOutpoint, EntryKey> = validator
        .virtual_utxo_set()
        .into_iter()
        .map(|(o, e)| {
            let key = (
                e.amount.to_leor(),
                e.block_daa_score,
                e.is_coinbase,
                e.script_public_key.version,
                e.script_public_key.script,
            );
            (o, key)
        })
        .collect();
    let mut want = BTreeMap::new();
    for pair in array_field(expected, "virtual_utxo_set")? {
        let (o, e) = (&pair[0], &pair[1]);
        let spk = script_public_key_of(field(e, "script_public_key")?)?;
        let key = (
            u64_field(e, "amount")?,
            u64_field(e, "block_daa_score")?,
            bool_field(e, "is_coinbase")?,
            spk.version,
            spk.script,
        );
        want.insert(outpoint_of(o)?, key);
    }
    expect_eq("virtual UTXO set size", got.len() as u64, u64_field(expected, "virtual_utxo_set_size")?)?;
    if got != want {
        let missing = want.keys().find(|o| got.get(o) != want.get(o));
        let extra = got.keys().find(|o| !want.contains_key(o));
        return Err(format!(
            "virtual UTXO set differs: first expected entry not matched {missing:?}, first extra {extra:?}"
        ));
    }

    let chain = validator.selected_chain();
    let want_chain = array_field(expected, "selected_chain")?;
    expect_eq("selected chain length", chain.len(), want_chain.len())?;
    for (g, w) in chain.iter().zip(want_chain) {
        expect_eq("selected chain block", g.hash, hash_field(w, "hash")?)?;
        let accepted = array_field(w, "accepted")?;
        expect_eq(&format!("mergeset size of chain block {}", g.hash), g.accepted.len(), accepted.len())?;
        for (ga, wa) in g.accepted.iter().zip(accepted) {
            expect_eq(&format!("merged block of {}", g.hash), ga.block, hash_field(wa, "merged_block")?)?;
            let ids = array_field(wa, "transaction_ids")?.iter().map(hash_of).collect::<Result<Vec<_>, _>>()?;
            if ga.transaction_ids != ids {
                return Err(format!(
                    "chain block {} accepted {:?} from {}, expected {ids:?}",
                    g.hash, ga.transaction_ids, ga.block
                ));
            }
        }
    }

    let statuses = field(expected, "final_block_status")?.as_object().ok_or("`final_block_status` is not an object")?;
    for (h, status) in statuses {
        let block: BlockHash = hash_of(&Value::String(h.clone()))?;
        let got = validator.block_status(&block).map(BlockStatus::name);
        if got != status.as_str() {
            return Err(format!("final status of {h}: got {got:?}, expected {status}"));
        }
    }
    Ok(())
}
