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

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use pyrin_core::params::MAINNET_PARAMS;
    use pyrin_core::{ScriptPublicKey, SubnetworkId, TransactionInput, TransactionOutpoint, TransactionOutput};

    fn spk() -> ScriptPublicKey {
        ScriptPublicKey::new(0, vec![0x51])
    }

    fn outpoint(i: u8) -> TransactionOutpoint {
        TransactionOutpoint::new(pyrin_core::TransactionId::from_bytes([i; 32]), 0)
    }

    fn transfer() -> Transaction {
        Transaction {
            inputs: vec![TransactionInput::spending(outpoint(1))],
            outputs: vec![TransactionOutput::new(Amount::from_leor(900), spk())],
            ..Transaction::default()
        }
    }

    fn entry(amount: u64, daa_score: u64, is_coinbase: bool) -> UtxoEntry {
        UtxoEntry {
            amount: Amount::from_leor(amount),
            script_public_key: spk(),
            block_daa_score: daa_score,
            is_coinbase,
        }
    }

    #[test]
    fn a_plain_transfer_passes_in_isolation() {
        assert_eq!(check_in_isolation(&transfer(), &MAINNET_PARAMS), Ok(()));
    }

    #[test]
    fn isolation_rules_refuse_in_the_reference_order() {
        let p = &MAINNET_PARAMS;
        let mut tx = transfer();
        tx.inputs.clear();
        assert_eq!(check_in_isolation(&tx, p), Err(TxRuleError::NoTxInputs));
        let mut tx = transfer();
        tx.outputs[0].value = Amount::ZERO;
        assert_eq!(check_in_isolation(&tx, p), Err(TxRuleError::TxOutZero(0)));
        let mut tx = transfer();
        tx.outputs[0].value = Amount::from_leor(Amount::MAX_MONEY.to_leor() + 1);
        assert_eq!(check_in_isolation(&tx, p), Err(TxRuleError::TxOutTooHigh(0)));
        let mut tx = transfer();
        tx.outputs = vec![TransactionOutput::new(Amount::MAX_MONEY, spk()); 2];
        assert_eq!(check_in_isolation(&tx, p), Err(TxRuleError::TotalTxOutTooHigh));
        let mut tx = transfer();
        tx.inputs.push(tx.inputs[0].clone());
        assert_eq!(check_in_isolation(&tx, p), Err(TxRuleError::TxDuplicateInputs));
        let mut tx = transfer();
        tx.gas = 1;
        assert_eq!(check_in_isolation(&tx, p), Err(TxRuleError::TxHasGas));
        let mut tx = transfer();
        tx.payload = vec![1];
        assert_eq!(check_in_isolation(&tx, p), Err(TxRuleError::NonCoinbaseTxHasPayload));
        let mut tx = transfer();
        tx.version = 1;
        assert_eq!(check_in_isolation(&tx, p), Err(TxRuleError::UnknownTxVersion(1)));
        let mut tx = transfer();
        tx.subnetwork_id = SubnetworkId::COINBASE;
        assert_eq!(check_in_isolation(&tx, p), Err(TxRuleError::CoinbaseHasInputs(1)));
        let mut tx = transfer();
        tx.inputs[0].signature_script = vec![0; p.max_signature_script_len + 1];
        assert_eq!(check_in_isolation(&tx, p), Err(TxRuleError::TooBigSignatureScript(0, p.max_signature_script_len)));
        let mut tx = transfer();
        tx.outputs[0].script_public_key = ScriptPublicKey::new(0, vec![0; p.max_script_public_key_len + 1]);
        assert_eq!(check_in_isolation(&tx, p), Err(TxRuleError::TooBigScriptPublicKey(0, p.max_script_public_key_len)));
    }

    #[test]
    fn a_coinbase_pays_at_most_k_plus_two_outputs() {
        let p = &MAINNET_PARAMS;
        let limit = usize::from(p.ghostdag_k) + 2;
        let coinbase = |n| Transaction {
            subnetwork_id: SubnetworkId::COINBASE,
            outputs: vec![TransactionOutput::new(Amount::from_leor(1), spk()); n],
            ..Transaction::default()
        };
        assert_eq!(check_in_isolation(&coinbase(limit), p), Ok(()));
        assert_eq!(
            check_in_isolation(&coinbase(limit + 1), p),
            Err(TxRuleError::CoinbaseTooManyOutputs(limit + 1, limit as u64))
        );
    }

    #[test]
    fn lock_time_is_a_daa_score_below_the_threshold_and_a_time_above() {
        let mut tx = transfer();
        tx.inputs[0].sequence = 0;
        tx.lock_time = 100;
        assert_eq!(check_finalized(&tx, 101, 0), Ok(()));
        assert_eq!(check_finalized(&tx, 100, 0), Err(TxRuleError::NotFinalized(0)));
        tx.lock_time = LOCK_TIME_THRESHOLD + 5;
        assert_eq!(check_finalized(&tx, u64::MAX, LOCK_TIME_THRESHOLD + 6), Ok(()));
        assert_eq!(check_finalized(&tx, u64::MAX, LOCK_TIME_THRESHOLD + 5), Err(TxRuleError::NotFinalized(0)));
        // Every sequence at the maximum makes any lock time final.
        tx.inputs[0].sequence = u64::MAX;
        assert_eq!(check_finalized(&tx, 0, 0), Ok(()));
    }

    #[test]
    fn a_relative_lock_waits_its_daa_scores_out() {
        let mut tx = transfer();
        tx.inputs[0].sequence = 10;
        let spent = [entry(1000, 50, false)];
        assert_eq!(check_sequence_locks(&tx, &spent, 59), Err(TxRuleError::SequenceLockConditionsAreNotMet));
        assert_eq!(check_sequence_locks(&tx, &spent, 60), Ok(()));
        tx.inputs[0].sequence = 10 | SEQUENCE_LOCK_TIME_DISABLED;
        assert_eq!(check_sequence_locks(&tx, &spent, 0), Ok(()));
    }

    #[test]
    fn populated_rules_check_maturity_then_amounts() {
        let mut tx = transfer();
        tx.inputs[0].sequence = u64::MAX;
        assert_eq!(
            check_populated(&tx, &[entry(1000, 50, true)], 59, 10, false),
            Err(TxRuleError::ImmatureCoinbaseSpend { input: 0, created: 50, daa_score: 59, maturity: 10 })
        );
        assert_eq!(check_populated(&tx, &[entry(1000, 50, true)], 60, 10, false), Ok(100));
        assert_eq!(
            check_populated(&tx, &[entry(899, 50, false)], 60, 10, false),
            Err(TxRuleError::SpendTooHigh(900, 899))
        );
        let too_much = Amount::MAX_MONEY.to_leor() + 1;
        assert_eq!(
            check_populated(&tx, &[entry(too_much, 50, false)], 60, 10, false),
            Err(TxRuleError::InputAmountTooHigh)
        );
    }
}
