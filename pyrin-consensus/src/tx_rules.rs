//! Transaction rules as block validation runs them: alone, against the block's lock-time
//! context, and with the UTXO entries they spend.
//!
//! These stay behind this module's few functions so that the same rules in `pyrin-tx` can
//! replace them without touching the validator.

use hashbrown::HashSet;
use pyrin_core::params::Params;
use pyrin_core::{Amount, Transaction};
use pyrin_tx::UtxoEntry;

use crate::error::TxRuleError;

/// The only transaction version (rule 35).
pub const TX_VERSION: u16 = 0;
/// Lock times below this are DAA scores, at or above it timestamps in milliseconds (rule 36).
pub const LOCK_TIME_THRESHOLD: u64 = 500_000_000_000;
/// A sequence with this bit set has no relative lock (rule 41).
pub const SEQUENCE_LOCK_TIME_DISABLED: u64 = 1 << 63;
/// The bits of a sequence that hold the relative lock in DAA scores (rule 41).
pub const SEQUENCE_LOCK_TIME_MASK: u64 = 0x0000_0000_ffff_ffff;

/// Rules 26–35: a transaction alone (counts, sizes, coinbase shape, value ranges,
/// duplicate inputs, gas, payload, version), in the reference's order.
///
/// # Errors
/// The first rule broken.
pub fn check_in_isolation(tx: &Transaction, params: &Params) -> Result<(), TxRuleError> {
    let coinbase = tx.is_coinbase();
    if !coinbase && tx.inputs.is_empty() {
        return Err(TxRuleError::NoTxInputs);
    }
    if tx.inputs.len() > params.max_tx_inputs {
        return Err(TxRuleError::TooManyInputs(tx.inputs.len(), params.max_tx_inputs));
    }
    if let Some(i) = tx.inputs.iter().position(|i| i.signature_script.len() > params.max_signature_script_len) {
        return Err(TxRuleError::TooBigSignatureScript(i, params.max_signature_script_len));
    }
    if tx.outputs.len() > params.max_tx_outputs {
        return Err(TxRuleError::TooManyOutputs(tx.outputs.len(), params.max_tx_outputs));
    }
    if let Some(i) = tx.outputs.iter().position(|o| o.script_public_key.script.len() > params.max_script_public_key_len)
    {
        return Err(TxRuleError::TooBigScriptPublicKey(i, params.max_script_public_key_len));
    }
    if coinbase {
        if !tx.inputs.is_empty() {
            return Err(TxRuleError::CoinbaseHasInputs(tx.inputs.len()));
        }
        let limit = u64::from(params.ghostdag_k) + 2;
        if tx.outputs.len() as u64 > limit {
            return Err(TxRuleError::CoinbaseTooManyOutputs(tx.outputs.len(), limit));
        }
        let max = usize::from(params.coinbase_payload_script_public_key_max_len);
        if let Some(i) = tx.outputs.iter().position(|o| o.script_public_key.script.len() > max) {
            return Err(TxRuleError::CoinbaseScriptPublicKeyTooLong(i));
        }
    }
    let max = Amount::MAX_MONEY.to_leor();
    let mut total = 0u64;
    for (i, output) in tx.outputs.iter().enumerate() {
        let value = output.value.to_leor();
        if value == 0 {
            return Err(TxRuleError::TxOutZero(i));
        }
        if value > max {
            return Err(TxRuleError::TxOutTooHigh(i));
        }
        total = total.checked_add(value).ok_or(TxRuleError::OutputsValueOverflow)?;
        if total > max {
            return Err(TxRuleError::TotalTxOutTooHigh);
        }
    }
    let mut seen = HashSet::with_capacity(tx.inputs.len());
    if !tx.inputs.iter().all(|i| seen.insert(i.previous_outpoint)) {
        return Err(TxRuleError::TxDuplicateInputs);
    }
    if tx.gas > 0 {
        return Err(TxRuleError::TxHasGas);
    }
    if !coinbase && !tx.payload.is_empty() {
        return Err(TxRuleError::NonCoinbaseTxHasPayload);
    }
    if tx.version != TX_VERSION {
        return Err(TxRuleError::UnknownTxVersion(tx.version));
    }
    Ok(())
}

/// Rule 36: final by lock time in a block with this DAA score and past median time. A
/// lock time of zero, or one already passed, is final; otherwise every input's sequence
/// must be `u64::MAX`.
///
/// # Errors
/// [`TxRuleError::NotFinalized`] with the first input that is not.
pub fn check_finalized(tx: &Transaction, daa_score: u64, past_median_time: u64) -> Result<(), TxRuleError> {
    if tx.lock_time == 0 {
        return Ok(());
    }
    let now = if tx.lock_time < LOCK_TIME_THRESHOLD { daa_score } else { past_median_time };
    if tx.lock_time < now {
        return Ok(());
    }
    match tx.inputs.iter().position(|i| i.sequence != u64::MAX) {
        Some(i) => Err(TxRuleError::NotFinalized(i)),
        None => Ok(()),
    }
}

/// Rules 37–43: a non-coinbase transaction with the entries it spends (`entries[i]` for
/// input `i`) accepted at `daa_score`: coinbase maturity, input amounts, no overspend,
/// sequence locks, then (when `check_scripts`) sig-op counts and scripts. Returns the fee.
///
/// The mass commitment (rule 40) only applies once storage mass is active, which it is
/// not on any network this crate's vectors cover; it is not checked.
///
/// # Errors
/// The first rule broken.
pub fn check_populated(
    tx: &Transaction,
    entries: &[UtxoEntry],
    daa_score: u64,
    coinbase_maturity: u64,
    check_scripts: bool,
) -> Result<u64, TxRuleError> {
    if let Some((input, entry)) = entries
        .iter()
        .enumerate()
        .find(|(_, e)| e.is_coinbase && e.block_daa_score.saturating_add(coinbase_maturity) > daa_score)
    {
        return Err(TxRuleError::ImmatureCoinbaseSpend {
            input,
            created: entry.block_daa_score,
            daa_score,
            maturity: coinbase_maturity,
        });
    }
    let max = Amount::MAX_MONEY.to_leor();
    let mut total_in = 0u64;
    for entry in entries {
        total_in = total_in.checked_add(entry.amount.to_leor()).ok_or(TxRuleError::InputAmountTooHigh)?;
        if total_in > max {
            return Err(TxRuleError::InputAmountTooHigh);
        }
    }
    let total_out: u128 = tx.outputs.iter().map(|o| u128::from(o.value.to_leor())).sum();
    if u128::from(total_in) < total_out {
        return Err(TxRuleError::SpendTooHigh(total_out, u128::from(total_in)));
    }
    check_sequence_locks(tx, entries, daa_score)?;
    if check_scripts {
        pyrin_tx::sign::verify_transaction(tx, entries).map_err(TxRuleError::SignatureInvalid)?;
    }
    // Outputs at most the inputs, which fit a u64.
    Ok(total_in - total_out as u64)
}

/// Rule 41: every input with a relative lock has waited it out (in DAA scores since the
/// spent entry's DAA score).
///
/// # Errors
/// [`TxRuleError::SequenceLockConditionsAreNotMet`].
pub fn check_sequence_locks(tx: &Transaction, entries: &[UtxoEntry], daa_score: u64) -> Result<(), TxRuleError> {
    let locked = tx.inputs.iter().zip(entries).filter(|(i, _)| i.sequence & SEQUENCE_LOCK_TIME_DISABLED == 0).any(
        |(input, entry)| {
            let relative = i128::from(input.sequence & SEQUENCE_LOCK_TIME_MASK);
            // The lock ends at the entry's DAA score plus the relative lock, minus one.
            i128::from(entry.block_daa_score) + relative > i128::from(daa_score)
        },
    );
    if locked {
        Err(TxRuleError::SequenceLockConditionsAreNotMet)
    } else {
        Ok(())
    }
}
