//! A transaction in the context of the block that accepts it: the checks that need the
//! entries it spends and the accepting block's DAA score, and the UTXO entries it creates.
//!
//! [`check_in_context`] checks that every coinbase output it spends has matured, that its
//! inputs stay within the supply and that its outputs do not exceed its inputs, and returns
//! the fee. Signatures are checked apart ([`crate::sign`]), as are the rules that need
//! no context at all.
//! [`created_entries`] gives the UTXO entries the outputs become once accepted.
//!
//! [`check_transaction_in_context`] runs every consensus rule of a transaction with its
//! UTXO entries, as a block validator needs them, with [`crate::rules::TxRuleError`]s:
//! coinbase maturity, input amounts, the fee, the mass commitment, sequence locks (relative
//! lock times in DAA score), declared sig-op counts and the scripts; each rule is a public
//! function too.
//!
//! # Reference behaviour followed
//! The Rust reference node `Pyrinpyi/pyrin` (`consensus/src/processes/transaction_validator/
//! transaction_validator_populated.rs` and the UTXO diff of a chain block): the checks run
//! in the order maturity, input total, output total, and the first failing input is the
//! one reported; an output spent from a coinbase created at DAA score `s` matures at
//! `s + coinbase_maturity`; an input total above [`Amount::MAX_MONEY`] is refused; outputs become
//! entries carrying the *accepting* block's DAA score. Where the reference would overflow
//! a `u64` (a maturity score past `u64::MAX`, sums of hostile amounts), this module treats
//! the output as never maturing and sums in `u128`. [`check_transaction_in_context`]
//! follows `validate_populated_transaction_and_get_fee` step for step; its sequence locks
//! are computed without the reference's `i64` casts (the same for every DAA score below
//! 2^63).

use pyrin_core::{params::Params, Amount, Transaction, TransactionId, TransactionOutpoint};

use crate::engine::{self, Engine, SignatureCache, SEQUENCE_LOCK_TIME_DISABLED, SEQUENCE_LOCK_TIME_MASK};
use crate::mass::{overall_mass, Kip9Version, MassPrices};
use crate::rules::TxRuleError;
use crate::sighash::SighashCache;
use crate::UtxoEntry;

/// Why a transaction cannot be accepted in a block's context.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ContextError {
    /// A coinbase spends nothing; the block rules build and check it instead.
    #[error("a coinbase transaction has no inputs to check in context")]
    Coinbase,
    /// The entries given are not one per input.
    #[error("{entries} UTXO entries given for {inputs} inputs")]
    EntryCount {
        /// Inputs of the transaction.
        inputs: usize,
        /// Entries given.
        entries: usize,
    },
    /// An input spends a coinbase output that has not matured.
    #[error(
        "input {input} spends a coinbase output created at DAA score {created}, \
         immature at {daa_score} (maturity {maturity})"
    )]
    ImmatureCoinbase {
        /// Index of the (first) immature input.
        input: usize,
        /// DAA score of the block that created the output.
        created: u64,
        /// DAA score of the accepting block.
        daa_score: u64,
        /// The network's coinbase maturity.
        maturity: u64,
    },
    /// The inputs add up to more than the largest amount there can be.
    #[error("inputs total {inputs} leor, above the maximum {}", Amount::MAX_MONEY.to_leor())]
    InputsTooHigh {
        /// Sum of the inputs.
        inputs: u128,
    },
    /// The outputs pay more than the inputs hold.
    #[error("outputs pay {outputs} leor from inputs of {inputs}")]
    Overspend {
        /// Sum of the inputs.
        inputs: u128,
        /// Sum of the outputs.
        outputs: u128,
    },
}

/// Whether `entry` may be spent by a transaction accepted at `daa_score`: always for a
/// non-coinbase output; for a coinbase output once `daa_score` reaches the entry's DAA
/// score plus `coinbase_maturity` (a sum past `u64::MAX` never matures).
///
/// ```
/// use pyrin_core::{Amount, ScriptPublicKey};
/// use pyrin_tx::{context::is_mature, UtxoEntry};
///
/// let entry = UtxoEntry { amount: Amount::from_leor(1), script_public_key: ScriptPublicKey::default(), block_daa_score: 100, is_coinbase: true };
/// assert!(!is_mature(&entry, 199, 100));
/// assert!(is_mature(&entry, 200, 100));
/// ```
pub fn is_mature(entry: &UtxoEntry, daa_score: u64, coinbase_maturity: u64) -> bool {
    !entry.is_coinbase
        || entry.block_daa_score.checked_add(coinbase_maturity).is_some_and(|mature_at| mature_at <= daa_score)
}

/// Checks a non-coinbase transaction against the entries it spends (`entries[i]` for
/// `tx.inputs[i]`) in a block at `daa_score`, and returns its fee in leor.
///
/// The checks, in order: one entry per input; every coinbase entry mature (see
/// [`is_mature`]); the inputs' total at most [`Amount::MAX_MONEY`]; the outputs' total (summed in
/// `u128`, so no amount overflows) at most the inputs'. The fee is the difference.
///
/// # Errors
/// [`ContextError::Coinbase`] for a coinbase; then, for the first check that fails:
/// [`ContextError::EntryCount`], [`ContextError::ImmatureCoinbase`] (the first immature
/// input), [`ContextError::InputsTooHigh`], [`ContextError::Overspend`].
///
/// ```
/// use pyrin_core::{Amount, ScriptPublicKey, Transaction, TransactionInput, TransactionOutput};
/// use pyrin_tx::context::{check_in_context, ContextError};
/// use pyrin_tx::UtxoEntry;
///
/// let tx = Transaction {
///     inputs: vec![TransactionInput::default()],
///     outputs: vec![TransactionOutput::new(Amount::from_leor(900), ScriptPublicKey::default())],
///     ..Transaction::default()
/// };
/// let spent = UtxoEntry { amount: Amount::from_leor(1000), script_public_key: ScriptPublicKey::default(), block_daa_score: 50, is_coinbase: true };
/// // A coinbase output created at DAA score 50 matures at 150 with a maturity of 100.
/// assert!(matches!(check_in_context(&tx, &[spent.clone()], 149, 100), Err(ContextError::ImmatureCoinbase { input: 0, .. })));
/// assert_eq!(check_in_context(&tx, &[spent], 150, 100), Ok(Amount::from_leor(100)));
/// ```
pub fn check_in_context(
    tx: &Transaction,
    entries: &[UtxoEntry],
    daa_score: u64,
    coinbase_maturity: u64,
) -> Result<Amount, ContextError> {
    if tx.is_coinbase() {
        return Err(ContextError::Coinbase);
    }
    if entries.len() != tx.inputs.len() {
        return Err(ContextError::EntryCount { inputs: tx.inputs.len(), entries: entries.len() });
    }
    if let Some((input, entry)) = entries.iter().enumerate().find(|(_, e)| !is_mature(e, daa_score, coinbase_maturity))
    {
        return Err(ContextError::ImmatureCoinbase {
            input,
            created: entry.block_daa_score,
            daa_score,
            maturity: coinbase_maturity,
        });
    }
    let inputs: u128 = entries.iter().map(|e| u128::from(e.amount.to_leor())).sum();
    let fits = u64::try_from(inputs).ok().map(Amount::from_leor).filter(|&total| total <= Amount::MAX_MONEY);
    let Some(inputs_total) = fits else {
        return Err(ContextError::InputsTooHigh { inputs });
    };
    let outputs: u128 = tx.outputs.iter().map(|o| u128::from(o.value.to_leor())).sum();
    // Outputs at most the inputs, which fit a u64: so do the outputs and the fee.
    match u64::try_from(outputs).ok().and_then(|out| inputs_total.checked_sub(Amount::from_leor(out))) {
        Some(fee) => Ok(fee),
        None => Err(ContextError::Overspend { inputs, outputs }),
    }
}

/// The UTXO entries `tx` creates when a block at `daa_score` accepts it: one per output,
/// at outpoint (`tx.id()`, output index), carrying the accepting block's DAA score and
/// whether `tx` is a coinbase. (Output indices past `u32::MAX` cannot be named by an
/// outpoint and are not listed.)
///
/// ```
/// use pyrin_core::{Amount, ScriptPublicKey, Transaction, TransactionOutput};
/// use pyrin_tx::context::created_entries;
///
/// let tx = Transaction {
///     outputs: vec![TransactionOutput::new(Amount::from_leor(7), ScriptPublicKey::default())],
///     ..Transaction::default()
/// };
/// let created: Vec<_> = created_entries(&tx, 42).collect();
/// assert_eq!(created[0].0.transaction_id, tx.id());
/// assert_eq!((created[0].1.amount.to_leor(), created[0].1.block_daa_score), (7, 42));
/// ```
pub fn created_entries(
    tx: &Transaction,
    daa_score: u64,
) -> impl Iterator<Item = (TransactionOutpoint, UtxoEntry)> + '_ {
    created_entries_with_id(tx, tx.id(), daa_score)
}

/// [`created_entries`] given the transaction's id (`id` must be `tx.id()`).
pub(crate) fn created_entries_with_id(
    tx: &Transaction,
    id: TransactionId,
    daa_score: u64,
) -> impl Iterator<Item = (TransactionOutpoint, UtxoEntry)> + '_ {
    let is_coinbase = tx.is_coinbase();
    tx.outputs.iter().zip(0u32..).map(move |(output, index)| {
        let entry = UtxoEntry {
            amount: output.value,
            script_public_key: output.script_public_key.clone(),
            block_daa_score: daa_score,
            is_coinbase,
        };
        (TransactionOutpoint::new(id, index), entry)
    })
}

/// What a transaction is checked against in UTXO context: the accepting block's DAA
/// score and the network's rules that depend on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct TxContext {
    /// DAA score of the block whose point of view the transaction is validated from.
    pub daa_score: u64,
    /// The network's coinbase maturity (`Params::coinbase_maturity`).
    pub coinbase_maturity: u64,
    /// DAA score after which the mass commitment is checked
    /// (`Params::storage_mass_activation_daa_score`; `u64::MAX`: never).
    pub storage_mass_activation_daa_score: u64,
    /// The compute-mass prices.
    pub mass_prices: MassPrices,
    /// KIP-9's storage-mass parameter C (`Params::storage_mass_parameter`).
    pub storage_mass_parameter: u64,
}

impl TxContext {
    /// The context of a network's parameters at DAA score `daa_score`.
    pub fn from_params(params: &Params, daa_score: u64) -> Self {
        Self {
            daa_score,
            coinbase_maturity: params.coinbase_maturity,
            storage_mass_activation_daa_score: params.storage_mass_activation_daa_score,
            mass_prices: MassPrices::from_params(params),
            storage_mass_parameter: params.storage_mass_parameter,
        }
    }
}

/// Which of the checks of [`check_transaction_in_context`] run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TxValidationFlags {
    /// Every check, scripts included.
    Full,
    /// Every check but the sig-op counts and the scripts (already verified, say when the
    /// transaction entered the mempool).
    SkipScriptChecks,
    /// Every check but the mass commitment.
    SkipMassCheck,
}

/// Runs the rules of a transaction spending `entries` (one per input, in input order) in
/// the reference's order: coinbase maturity, input amounts, output values (the fee), the
/// mass commitment (once storage mass is active, unless skipped), sequence locks, then
/// (unless skipped) sig-op counts and scripts. Returns the fee.
///
/// The transaction's rules in isolation ([`crate::rules::check_transaction_in_isolation`])
/// are assumed to have passed, as in the reference (the output total then fits).
///
/// [`Transaction`] carries no mass commitment, so its committed mass counts as 0: once
/// storage mass is active every transaction but a coinbase fails
/// [`TxRuleError::WrongMass`] here. A caller that has the commitment runs
/// [`TxValidationFlags::SkipMassCheck`] and [`check_mass_commitment`] itself.
///
/// ```
/// use pyrin_core::{params::Network, Amount, ScriptPublicKey, Transaction, TransactionInput, TransactionOutput};
/// use pyrin_tx::context::{check_transaction_in_context, TxContext, TxValidationFlags};
/// use pyrin_tx::{rules::TxRuleError, UtxoEntry};
///
/// // An output locked by OP_TRUE, spent with an empty signature script.
/// let spent = UtxoEntry { amount: Amount::from_leor(1000), script_public_key: ScriptPublicKey::new(0, vec![0x51]), block_daa_score: 50, is_coinbase: false };
/// let tx = Transaction {
///     inputs: vec![TransactionInput::default()],
///     outputs: vec![TransactionOutput::new(Amount::from_leor(900), ScriptPublicKey::new(0, vec![0x51]))],
///     ..Transaction::default()
/// };
/// let ctx = TxContext::from_params(Network::Mainnet.params(), 100);
/// assert_eq!(check_transaction_in_context(&tx, &[spent], &ctx, TxValidationFlags::Full), Ok(Amount::from_leor(100)));
/// ```
///
/// # Errors
/// [`TxRuleError::EntryCount`] unless there is one entry per input, then the first broken
/// rule.
pub fn check_transaction_in_context(
    tx: &Transaction,
    entries: &[UtxoEntry],
    ctx: &TxContext,
    flags: TxValidationFlags,
) -> Result<Amount, TxRuleError> {
    check_in_context_with(tx, entries, ctx, flags, None)
}

/// [`check_transaction_in_context`], consulting `sig_cache` before each signature check and
/// recording each result in it.
///
/// # Errors
/// As [`check_transaction_in_context`].
pub fn check_transaction_in_context_with_cache(
    tx: &Transaction,
    entries: &[UtxoEntry],
    ctx: &TxContext,
    flags: TxValidationFlags,
    sig_cache: &dyn SignatureCache,
) -> Result<Amount, TxRuleError> {
    check_in_context_with(tx, entries, ctx, flags, Some(sig_cache))
}

fn check_in_context_with(
    tx: &Transaction,
    entries: &[UtxoEntry],
    ctx: &TxContext,
    flags: TxValidationFlags,
    sig_cache: Option<&dyn SignatureCache>,
) -> Result<Amount, TxRuleError> {
    check_entry_count(tx, entries)?;
    check_coinbase_maturity(tx, entries, ctx.daa_score, ctx.coinbase_maturity)?;
    let total_in = check_input_amounts(entries)?;
    let fee = check_output_values(tx, total_in)?;
    if flags != TxValidationFlags::SkipMassCheck && ctx.daa_score > ctx.storage_mass_activation_daa_score {
        check_mass_commitment(tx, entries, 0, &ctx.mass_prices, ctx.storage_mass_parameter)?;
    }
    check_sequence_locks(tx, entries, ctx.daa_score)?;
    if flags != TxValidationFlags::SkipScriptChecks {
        check_sig_op_counts(tx, entries)?;
        check_scripts_with(tx, entries, sig_cache)?;
    }
    Ok(fee)
}

fn check_entry_count(tx: &Transaction, entries: &[UtxoEntry]) -> Result<(), TxRuleError> {
    if entries.len() != tx.inputs.len() {
        return Err(TxRuleError::EntryCount { inputs: tx.inputs.len(), entries: entries.len() });
    }
    Ok(())
}

/// No input spends a coinbase output that has not matured at `daa_score` ([`is_mature`]).
///
/// # Errors
/// [`TxRuleError::ImmatureCoinbaseSpend`] for the first input that does.
pub fn check_coinbase_maturity(
    tx: &Transaction,
    entries: &[UtxoEntry],
    daa_score: u64,
    coinbase_maturity: u64,
) -> Result<(), TxRuleError> {
    let immature =
        tx.inputs.iter().zip(entries).enumerate().find(|(_, (_, e))| !is_mature(e, daa_score, coinbase_maturity));
    match immature {
        Some((input, (spending, entry))) => Err(TxRuleError::ImmatureCoinbaseSpend {
            input,
            outpoint: spending.previous_outpoint,
            created: entry.block_daa_score,
            daa_score,
            maturity: coinbase_maturity,
        }),
        None => Ok(()),
    }
}

/// The amounts spent, summed entry by entry, never overflow a `u64` nor pass
/// [`Amount::MAX_MONEY`]; returns their total.
///
/// # Errors
/// [`TxRuleError::InputAmountOverflow`], [`TxRuleError::InputAmountTooHigh`]: the first met
/// along the running sum.
pub fn check_input_amounts(entries: &[UtxoEntry]) -> Result<Amount, TxRuleError> {
    let mut total = 0u64;
    for entry in entries {
        total = total.checked_add(entry.amount.to_leor()).ok_or(TxRuleError::InputAmountOverflow)?;
        if total > Amount::MAX_MONEY.to_leor() {
            return Err(TxRuleError::InputAmountTooHigh);
        }
    }
    Ok(Amount::from_leor(total))
}

/// The outputs pay at most `total_in`; returns the fee.
///
/// # Errors
/// [`TxRuleError::SpendTooHigh`] (with the output total saturated at `u64::MAX` when it
/// does not fit, which the rules in isolation refuse first).
pub fn check_output_values(tx: &Transaction, total_in: Amount) -> Result<Amount, TxRuleError> {
    let total_out = tx.outputs.iter().fold(0u64, |sum, o| sum.saturating_add(o.value.to_leor()));
    total_in
        .checked_sub(Amount::from_leor(total_out))
        .ok_or(TxRuleError::SpendTooHigh { outputs: total_out, inputs: total_in.to_leor() })
}

/// The mass `tx` commits to equals its storage mass plus compute mass (KIP-9's Alpha
/// formula, [`crate::mass::overall_mass`]): the rule once storage mass is active.
///
/// # Errors
/// [`TxRuleError::MassIncomputable`], [`TxRuleError::WrongMass`].
pub fn check_mass_commitment(
    tx: &Transaction,
    entries: &[UtxoEntry],
    committed: u64,
    prices: &MassPrices,
    storage_mass_parameter: u64,
) -> Result<(), TxRuleError> {
    let calculated = overall_mass(tx, entries, prices, storage_mass_parameter, Kip9Version::Alpha)
        .ok_or(TxRuleError::MassIncomputable)?;
    if calculated != committed {
        return Err(TxRuleError::WrongMass { calculated, committed });
    }
    Ok(())
}

/// The DAA score an input's relative lock keeps it locked through, or `None` when its
/// sequence disables the lock ([`SEQUENCE_LOCK_TIME_DISABLED`] set): the spent entry's DAA
/// score plus the sequence's low 32 bits ([`SEQUENCE_LOCK_TIME_MASK`]) minus one. The
/// input may be spent from a block whose DAA score is above it. (Signed, as the reference
/// computes it: a lock of 0 on an entry of score 0 gives −1.)
///
/// ```
/// use pyrin_tx::context::sequence_lock_daa_score;
/// assert_eq!(sequence_lock_daa_score(10, 1000), Some(1009));
/// assert_eq!(sequence_lock_daa_score(1 << 63 | 10, 1000), None);
/// ```
pub fn sequence_lock_daa_score(sequence: u64, entry_daa_score: u64) -> Option<i128> {
    if sequence & SEQUENCE_LOCK_TIME_DISABLED == SEQUENCE_LOCK_TIME_DISABLED {
        return None;
    }
    Some(i128::from(entry_daa_score) + i128::from(sequence & SEQUENCE_LOCK_TIME_MASK) - 1)
}

/// Every input's relative lock ([`sequence_lock_daa_score`]) is below `daa_score`.
///
/// # Errors
/// [`TxRuleError::SequenceLockConditionsAreNotMet`].
pub fn check_sequence_locks(tx: &Transaction, entries: &[UtxoEntry], daa_score: u64) -> Result<(), TxRuleError> {
    let locked = tx
        .inputs
        .iter()
        .zip(entries)
        .filter_map(|(input, entry)| sequence_lock_daa_score(input.sequence, entry.block_daa_score))
        .any(|lock| lock >= i128::from(daa_score));
    if locked {
        return Err(TxRuleError::SequenceLockConditionsAreNotMet);
    }
    Ok(())
}

/// Every input declares the signature operations its scripts perform
/// ([`engine::sig_op_count`]).
///
/// # Errors
/// [`TxRuleError::WrongSigOpCount`] for the first input that does not.
pub fn check_sig_op_counts(tx: &Transaction, entries: &[UtxoEntry]) -> Result<(), TxRuleError> {
    for (input, (spending, entry)) in tx.inputs.iter().zip(entries).enumerate() {
        let calculated = engine::sig_op_count(&spending.signature_script, &entry.script_public_key.script);
        if calculated != u64::from(spending.sig_op_count) {
            return Err(TxRuleError::WrongSigOpCount { input, declared: u64::from(spending.sig_op_count), calculated });
        }
    }
    Ok(())
}

/// Every input's scripts run to true in the script engine, in input order, consulting
/// `sig_cache` when given.
///
/// # Errors
/// [`TxRuleError::EntryCount`] unless there is one entry per input;
/// [`TxRuleError::SignatureInvalid`] for the first failing input.
pub fn check_scripts(
    tx: &Transaction,
    entries: &[UtxoEntry],
    sig_cache: Option<&dyn SignatureCache>,
) -> Result<(), TxRuleError> {
    check_scripts_with(tx, entries, sig_cache)
}

fn check_scripts_with(
    tx: &Transaction,
    entries: &[UtxoEntry],
    sig_cache: Option<&dyn SignatureCache>,
) -> Result<(), TxRuleError> {
    let cache = SighashCache::new(tx, entries)
        .map_err(|_| TxRuleError::EntryCount { inputs: tx.inputs.len(), entries: entries.len() })?;
    for input in 0..tx.inputs.len() {
        let engine = Engine::new(&cache, input).map_err(|source| TxRuleError::SignatureInvalid { input, source })?;
        let engine = match sig_cache {
            Some(c) => engine.with_signature_cache(c),
            None => engine,
        };
        engine.execute().map_err(|source| TxRuleError::SignatureInvalid { input, source })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAX_LEOR: u64 = Amount::MAX_MONEY.to_leor();

    fn leor(v: u64) -> Amount {
        Amount::from_leor(v)
    }
    use alloc::vec;
    use alloc::vec::Vec;
    use proptest::prelude::*;
    use pyrin_core::{ScriptPublicKey, SubnetworkId, TransactionInput, TransactionOutput};

    const MATURITY: u64 = 100;

    fn entry(amount: u64, block_daa_score: u64, is_coinbase: bool) -> UtxoEntry {
        UtxoEntry {
            amount: Amount::from_leor(amount),
            script_public_key: ScriptPublicKey::new(0, vec![1]),
            block_daa_score,
            is_coinbase,
        }
    }

    fn tx(inputs: usize, outputs: &[u64]) -> Transaction {
        Transaction {
            inputs: (0..inputs)
                .map(|i| TransactionInput {
                    previous_outpoint: TransactionOutpoint::new(Default::default(), i as u32),
                    ..TransactionInput::default()
                })
                .collect(),
            outputs: outputs
                .iter()
                .map(|&value| TransactionOutput::new(Amount::from_leor(value), ScriptPublicKey::new(0, vec![2])))
                .collect(),
            ..Transaction::default()
        }
    }

    #[test]
    fn the_fee_is_inputs_minus_outputs() {
        let entries = [entry(600, 0, false), entry(500, 0, false)];
        assert_eq!(check_in_context(&tx(2, &[700, 300]), &entries, 10, MATURITY), Ok(leor(100)));
    }

    #[test]
    fn spending_exactly_the_inputs_pays_no_fee() {
        assert_eq!(check_in_context(&tx(1, &[500]), &[entry(500, 0, false)], 10, MATURITY), Ok(leor(0)));
    }

    #[test]
    fn outputs_above_inputs_are_an_overspend() {
        let error = check_in_context(&tx(1, &[300, 201]), &[entry(500, 0, false)], 10, MATURITY);
        assert_eq!(error, Err(ContextError::Overspend { inputs: 500, outputs: 501 }));
    }

    #[test]
    fn outputs_summing_past_u64_are_an_overspend_not_an_overflow() {
        let error = check_in_context(&tx(1, &[u64::MAX, u64::MAX]), &[entry(500, 0, false)], 10, MATURITY);
        let outputs = 2 * u128::from(u64::MAX);
        assert_eq!(error, Err(ContextError::Overspend { inputs: 500, outputs }));
    }

    #[test]
    fn inputs_above_the_maximum_amount_are_refused() {
        let entries = [entry(MAX_LEOR, 0, false), entry(1, 0, false)];
        let error = check_in_context(&tx(2, &[1]), &entries, 10, MATURITY);
        assert_eq!(error, Err(ContextError::InputsTooHigh { inputs: u128::from(MAX_LEOR) + 1 }));
        let huge = [entry(u64::MAX, 0, false), entry(u64::MAX, 0, false)];
        assert!(matches!(check_in_context(&tx(2, &[1]), &huge, 10, MATURITY), Err(ContextError::InputsTooHigh { .. })));
        assert_eq!(check_in_context(&tx(1, &[0]), &[entry(MAX_LEOR, 0, false)], 10, MATURITY), Ok(leor(MAX_LEOR)));
    }

    #[test]
    fn a_coinbase_output_matures_after_the_coinbase_maturity() {
        let spent = [entry(500, 1000, true)];
        let immature = check_in_context(&tx(1, &[400]), &spent, 1000 + MATURITY - 1, MATURITY);
        let expected = ContextError::ImmatureCoinbase { input: 0, created: 1000, daa_score: 1099, maturity: MATURITY };
        assert_eq!(immature, Err(expected));
        assert_eq!(check_in_context(&tx(1, &[400]), &spent, 1000 + MATURITY, MATURITY), Ok(leor(100)));
    }

    #[test]
    fn non_coinbase_outputs_are_spendable_at_once() {
        assert_eq!(check_in_context(&tx(1, &[400]), &[entry(500, 1000, false)], 1000, MATURITY), Ok(leor(100)));
    }

    #[test]
    fn the_first_immature_input_is_reported() {
        let entries = [entry(1, 0, false), entry(1, 50, true), entry(1, 60, true)];
        let error = check_in_context(&tx(3, &[1]), &entries, 100, MATURITY);
        assert!(matches!(error, Err(ContextError::ImmatureCoinbase { input: 1, created: 50, .. })));
    }

    #[test]
    fn immaturity_is_checked_before_amounts() {
        let error = check_in_context(&tx(1, &[1000]), &[entry(1, 50, true)], 100, MATURITY);
        assert!(matches!(error, Err(ContextError::ImmatureCoinbase { .. })));
    }

    #[test]
    fn a_maturity_past_the_largest_score_never_comes() {
        let spent = entry(1, u64::MAX - 5, true);
        assert!(!is_mature(&spent, u64::MAX, MATURITY));
        assert!(matches!(
            check_in_context(&tx(1, &[1]), &[spent], u64::MAX, MATURITY),
            Err(ContextError::ImmatureCoinbase { .. })
        ));
    }

    #[test]
    fn entries_must_match_the_inputs_one_to_one() {
        let error = check_in_context(&tx(2, &[1]), &[entry(5, 0, false)], 10, MATURITY);
        assert_eq!(error, Err(ContextError::EntryCount { inputs: 2, entries: 1 }));
    }

    #[test]
    fn a_coinbase_is_not_checked_in_context() {
        let coinbase = Transaction { subnetwork_id: SubnetworkId::COINBASE, ..tx(0, &[5]) };
        assert_eq!(check_in_context(&coinbase, &[], 10, MATURITY), Err(ContextError::Coinbase));
    }

    #[test]
    fn created_entries_carry_the_accepting_score_and_the_coinbase_flag() {
        let plain = tx(1, &[3, 4]);
        let created: Vec<_> = created_entries(&plain, 77).collect();
        assert_eq!(created.len(), 2);
        for (i, (outpoint, entry)) in created.iter().enumerate() {
            assert_eq!(*outpoint, TransactionOutpoint::new(plain.id(), i as u32));
            assert_eq!(entry.amount, plain.outputs[i].value);
            assert_eq!(entry.script_public_key, plain.outputs[i].script_public_key);
            assert_eq!(entry.block_daa_score, 77);
            assert!(!entry.is_coinbase);
        }
        let coinbase = Transaction { subnetwork_id: SubnetworkId::COINBASE, ..tx(0, &[5]) };
        assert!(created_entries(&coinbase, 1).all(|(_, e)| e.is_coinbase));
    }

    mod rules {
        use super::*;
        use crate::engine::ScriptError;
        use crate::rules::TxRuleError;
        use pyrin_core::params::{Network, TESTNET11_PARAMS};

        const OP_TRUE: u8 = 0x51;

        fn spendable(amount: u64, block_daa_score: u64) -> UtxoEntry {
            UtxoEntry {
                amount: Amount::from_leor(amount),
                script_public_key: ScriptPublicKey::new(0, vec![OP_TRUE]),
                block_daa_score,
                is_coinbase: false,
            }
        }

        fn spend(outputs: &[u64]) -> Transaction {
            let mut t = tx(1, outputs);
            t.inputs[0].sig_op_count = 0;
            t
        }

        fn ctx(daa_score: u64) -> TxContext {
            TxContext::from_params(Network::Mainnet.params(), daa_score)
        }

        fn full(t: &Transaction, entries: &[UtxoEntry], daa_score: u64) -> Result<Amount, TxRuleError> {
            check_transaction_in_context(t, entries, &ctx(daa_score), TxValidationFlags::Full)
        }

        #[test]
        fn a_valid_spend_returns_the_fee() {
            assert_eq!(full(&spend(&[700]), &[spendable(1000, 5)], 10), Ok(leor(300)));
        }

        #[test]
        fn entries_must_be_one_per_input() {
            assert_eq!(full(&spend(&[1]), &[], 10), Err(TxRuleError::EntryCount { inputs: 1, entries: 0 }));
        }

        #[test]
        fn an_immature_coinbase_spend_is_refused() {
            let entry = UtxoEntry { is_coinbase: true, ..spendable(1000, 50) };
            let t = spend(&[1]);
            let expected = TxRuleError::ImmatureCoinbaseSpend {
                input: 0,
                outpoint: t.inputs[0].previous_outpoint,
                created: 50,
                daa_score: 149,
                maturity: 100,
            };
            assert_eq!(full(&t, core::slice::from_ref(&entry), 149), Err(expected));
            assert_eq!(full(&t, &[entry], 150), Ok(leor(999)));
        }

        #[test]
        fn input_amounts_overflow_or_pass_the_supply() {
            let max = Amount::MAX_MONEY.to_leor();
            let t = tx(2, &[1]);
            assert_eq!(
                check_input_amounts(&[spendable(max, 0), spendable(1, 0)]),
                Err(TxRuleError::InputAmountTooHigh)
            );
            assert_eq!(
                check_input_amounts(&[spendable(1, 0), spendable(u64::MAX, 0)]),
                Err(TxRuleError::InputAmountOverflow)
            );
            assert_eq!(full(&t, &[spendable(u64::MAX, 0), spendable(1, 0)], 10), Err(TxRuleError::InputAmountTooHigh));
            assert_eq!(check_input_amounts(&[spendable(max - 1, 0), spendable(1, 0)]), Ok(Amount::MAX_MONEY));
        }

        #[test]
        fn spending_more_than_the_inputs_is_refused() {
            assert_eq!(
                full(&spend(&[600, 401]), &[spendable(1000, 0)], 10),
                Err(TxRuleError::SpendTooHigh { outputs: 1001, inputs: 1000 })
            );
        }

        #[test]
        fn a_relative_lock_holds_until_the_score_passes_it() {
            let mut t = spend(&[1]);
            t.inputs[0].sequence = 10;
            // Created at 100, locked through 109.
            assert_eq!(full(&t, &[spendable(5, 100)], 109), Err(TxRuleError::SequenceLockConditionsAreNotMet));
            assert_eq!(full(&t, &[spendable(5, 100)], 110), Ok(leor(4)));
            t.inputs[0].sequence |= SEQUENCE_LOCK_TIME_DISABLED;
            assert_eq!(full(&t, &[spendable(5, 100)], 0), Ok(leor(4)));
        }

        #[test]
        fn a_zero_sequence_locks_nothing() {
            assert_eq!(sequence_lock_daa_score(0, 0), Some(-1));
            assert_eq!(check_sequence_locks(&spend(&[1]), &[spendable(5, 7)], 7), Ok(()));
            let mut t = spend(&[1]);
            t.inputs[0].sequence = 1;
            assert_eq!(
                check_sequence_locks(&t, &[spendable(5, 7)], 7),
                Err(TxRuleError::SequenceLockConditionsAreNotMet)
            );
            assert_eq!(check_sequence_locks(&t, &[spendable(5, 7)], 8), Ok(()));
        }

        #[test]
        fn the_sequence_lock_uses_only_the_low_32_bits() {
            assert_eq!(sequence_lock_daa_score(0x7fff_ffff_0000_0002, 10), Some(11));
        }

        #[test]
        fn a_wrong_sig_op_count_is_refused() {
            let mut t = spend(&[1]);
            t.inputs[0].sig_op_count = 1;
            let expected = TxRuleError::WrongSigOpCount { input: 0, declared: 1, calculated: 0 };
            assert_eq!(full(&t, &[spendable(5, 0)], 10), Err(expected));
            let skip =
                check_transaction_in_context(&t, &[spendable(5, 0)], &ctx(10), TxValidationFlags::SkipScriptChecks);
            assert_eq!(skip, Ok(leor(4)));
        }

        #[test]
        fn a_failing_script_is_refused() {
            let entry = UtxoEntry { script_public_key: ScriptPublicKey::new(0, vec![0x00]), ..spendable(5, 0) };
            let expected = TxRuleError::SignatureInvalid { input: 0, source: ScriptError::EvalFalse };
            assert_eq!(full(&spend(&[1]), &[entry], 10), Err(expected));
        }

        #[test]
        fn the_mass_commitment_is_checked_once_storage_mass_is_active() {
            let t = spend(&[1]);
            let ctx = TxContext::from_params(&TESTNET11_PARAMS, 10);
            let result = check_transaction_in_context(&t, &[spendable(5, 0)], &ctx, TxValidationFlags::Full);
            assert!(matches!(result, Err(TxRuleError::WrongMass { committed: 0, .. })));
            let skipped = check_transaction_in_context(&t, &[spendable(5, 0)], &ctx, TxValidationFlags::SkipMassCheck);
            assert_eq!(skipped, Ok(leor(4)));
            let prices = MassPrices::from_params(&TESTNET11_PARAMS);
            let c = TESTNET11_PARAMS.storage_mass_parameter;
            let mass = overall_mass(&t, &[spendable(5, 0)], &prices, c, Kip9Version::Alpha).unwrap();
            assert_eq!(check_mass_commitment(&t, &[spendable(5, 0)], mass, &prices, c), Ok(()));
            let zero_output =
                Transaction { outputs: vec![TransactionOutput::new(Amount::ZERO, ScriptPublicKey::default())], ..t };
            assert_eq!(
                check_mass_commitment(&zero_output, &[spendable(5, 0)], mass, &prices, c),
                Err(TxRuleError::MassIncomputable)
            );
        }

        #[test]
        fn maturity_comes_before_amounts_and_amounts_before_locks() {
            let mut t = spend(&[10]);
            t.inputs[0].sequence = 1000;
            let immature = UtxoEntry { is_coinbase: true, ..spendable(1, 50) };
            assert!(matches!(full(&t, &[immature], 60), Err(TxRuleError::ImmatureCoinbaseSpend { .. })));
            assert!(matches!(full(&t, &[spendable(1, 50)], 60), Err(TxRuleError::SpendTooHigh { .. })));
        }
    }

    proptest! {
        /// The plain twin: the rule stated directly over u128 sums.
        #[test]
        fn the_fee_matches_the_plain_rule(
            amounts in proptest::collection::vec(0u64..=MAX_LEOR, 1..6),
            outputs in proptest::collection::vec(0u64..=MAX_LEOR, 0..6),
        ) {
            let entries: Vec<UtxoEntry> = amounts.iter().map(|&a| entry(a, 0, false)).collect();
            let result = check_in_context(&tx(entries.len(), &outputs), &entries, 10, MATURITY);
            let ins: u128 = amounts.iter().map(|&a| u128::from(a)).sum();
            let outs: u128 = outputs.iter().map(|&o| u128::from(o)).sum();
            if ins > u128::from(MAX_LEOR) {
                prop_assert_eq!(result, Err(ContextError::InputsTooHigh { inputs: ins }));
            } else if outs > ins {
                prop_assert_eq!(result, Err(ContextError::Overspend { inputs: ins, outputs: outs }));
            } else {
                prop_assert_eq!(result.map(|fee| u128::from(fee.to_leor())), Ok(ins - outs));
            }
        }

        #[test]
        fn maturity_is_the_plain_comparison(created in 0u64..1 << 62, daa_score in 0u64..1 << 62, maturity in 0u64..1 << 40) {
            let spent = entry(1, created, true);
            prop_assert_eq!(is_mature(&spent, daa_score, maturity), created + maturity <= daa_score);
        }
    }
}
