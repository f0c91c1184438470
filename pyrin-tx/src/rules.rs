//! The consensus rules of a transaction on its own: the checks that need nothing but the
//! transaction and the network's limits ([`check_transaction_in_isolation`] and the rule
//! functions it runs), and finality by lock time ([`is_finalized`]). The rules that need
//! the spent UTXO entries are in [`crate::context`]; the errors of both are [`TxRuleError`].
//!
//! ```
//! use pyrin_core::{params::Network, Amount, ScriptPublicKey, Transaction, TransactionInput, TransactionOutpoint, TransactionOutput};
//! use pyrin_tx::rules::{check_transaction_in_isolation, TxRuleError};
//!
//! let params = Network::Mainnet.params();
//! let mut tx = Transaction {
//!     inputs: vec![TransactionInput::spending(TransactionOutpoint::default())],
//!     outputs: vec![TransactionOutput::new(Amount::from_leor(1_000), ScriptPublicKey::new(0, vec![0x51]))],
//!     ..Transaction::default()
//! };
//! assert_eq!(check_transaction_in_isolation(&tx, params), Ok(()));
//! tx.outputs[0].value = Amount::ZERO;
//! assert_eq!(check_transaction_in_isolation(&tx, params), Err(TxRuleError::TxOutZero { output: 0 }));
//! ```
//!
//! # Reference behaviour followed
//! The Rust reference node `Pyrinpyi/pyrin`: `consensus/src/processes/transaction_validator/
//! tx_validation_in_isolation.rs` (the checks and their order), `tx_validation_not_utxo_related.rs`
//! (lock time) and the error variants of `consensus/core/src/errors/tx.rs`, whose names
//! [`TxRuleError`] keeps. Zero-value outputs are refused in every transaction, the coinbase
//! too, as the reference does. Script public key versions are not limited here (an unknown
//! version is accepted and not executed by the script engine), as in the reference.
//! Where the reference reports the input count and the input limit for too many *outputs*,
//! [`TxRuleError::TooManyOutputs`] carries the output count and the output limit.

use hashbrown::HashSet;
use pyrin_core::{params::Params, Amount, Transaction, TransactionOutpoint};

use crate::engine::{ScriptError, LOCK_TIME_THRESHOLD};

/// The transaction version the network accepts.
pub const TX_VERSION: u16 = 0;
/// The sequence that leaves an input final whatever the lock time.
pub const MAX_TX_IN_SEQUENCE_NUM: u64 = u64::MAX;

/// Why a transaction breaks a consensus rule, alone or with the entries it spends.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TxRuleError {
    /// A transaction other than a coinbase spends nothing.
    #[error("transaction has no inputs")]
    NoTxInputs,
    /// More inputs than the network allows.
    #[error("transaction has {inputs} inputs where the max allowed is {max}")]
    TooManyInputs {
        /// Inputs of the transaction.
        inputs: usize,
        /// The network's limit.
        max: usize,
    },
    /// A signature script longer than the network allows.
    #[error("transaction input #{input} signature script is above {max} bytes")]
    TooBigSignatureScript {
        /// Index of the (first) input.
        input: usize,
        /// The network's limit.
        max: usize,
    },
    /// More outputs than the network allows.
    #[error("transaction has {outputs} outputs where the max allowed is {max}")]
    TooManyOutputs {
        /// Outputs of the transaction.
        outputs: usize,
        /// The network's limit.
        max: usize,
    },
    /// A script public key longer than the network allows.
    #[error("transaction output #{output} script public key is above {max} bytes")]
    TooBigScriptPublicKey {
        /// Index of the (first) output.
        output: usize,
        /// The network's limit.
        max: usize,
    },
    /// A coinbase with inputs.
    #[error("coinbase transaction has {0} inputs while none are expected")]
    CoinbaseHasInputs(usize),
    /// A coinbase with more outputs than GHOSTDAG's k + 2.
    #[error("coinbase transaction has {outputs} outputs while at most {max} are expected")]
    CoinbaseTooManyOutputs {
        /// Outputs of the coinbase.
        outputs: usize,
        /// k + 2.
        max: u64,
    },
    /// A coinbase output whose script public key is longer than the coinbase payload allows.
    #[error("script public key of coinbase output #{output} is too long")]
    CoinbaseScriptPublicKeyTooLong {
        /// Index of the (first) output.
        output: usize,
    },
    /// An output of value 0.
    #[error("transaction output {output} has zero value")]
    TxOutZero {
        /// Index of the output.
        output: usize,
    },
    /// An output above the maximum supply.
    #[error("transaction output {output} value is higher than the max allowed of {}", Amount::MAX_MONEY.to_leor())]
    TxOutTooHigh {
        /// Index of the output.
        output: usize,
    },
    /// The outputs' running total overflowed a `u64`.
    #[error("transaction total outputs value overflowed u64")]
    OutputsValueOverflow,
    /// The outputs add up to more than the maximum supply.
    #[error("transaction total outputs value is higher than the max allowed of {}", Amount::MAX_MONEY.to_leor())]
    TotalTxOutTooHigh,
    /// Two inputs spend the same outpoint.
    #[error("transaction has duplicate inputs")]
    TxDuplicateInputs,
    /// Gas on a transaction (no subnetwork meters gas today).
    #[error("transaction has non zero gas value")]
    TxHasGas,
    /// A payload on a transaction other than the coinbase.
    #[error("a non coinbase transaction has a payload")]
    NonCoinbaseTxHasPayload,
    /// A version other than [`TX_VERSION`].
    #[error("transaction version {0} is unknown")]
    UnknownTxVersion(u16),
    /// The lock time has not passed and an input's sequence is not final.
    #[error("transaction input #{input} is not finalized")]
    NotFinalized {
        /// Index of the first input whose sequence is not [`MAX_TX_IN_SEQUENCE_NUM`].
        input: usize,
    },
    /// The entries given are not one per input (our own: the reference's transactions carry
    /// their entries).
    #[error("{entries} UTXO entries given for {inputs} inputs")]
    EntryCount {
        /// Inputs of the transaction.
        inputs: usize,
        /// Entries given.
        entries: usize,
    },
    /// An input spends a coinbase output that has not matured.
    #[error(
        "transaction input #{input} spends coinbase outpoint {outpoint:?} created at DAA score {created}, \
         immature at DAA score {daa_score} (maturity {maturity})"
    )]
    ImmatureCoinbaseSpend {
        /// Index of the (first) immature input.
        input: usize,
        /// The outpoint it spends.
        outpoint: TransactionOutpoint,
        /// DAA score of the block that created the output.
        created: u64,
        /// DAA score of the accepting block.
        daa_score: u64,
        /// The network's coinbase maturity.
        maturity: u64,
    },
    /// The inputs' running total overflowed a `u64`.
    #[error("transaction total inputs spending amount overflowed u64")]
    InputAmountOverflow,
    /// The inputs add up to more than the maximum supply.
    #[error("transaction total inputs spending amount is higher than the max allowed of {}", Amount::MAX_MONEY.to_leor())]
    InputAmountTooHigh,
    /// The outputs pay more than the inputs hold.
    #[error("transaction tries to spend {outputs} while its total inputs amount is {inputs}")]
    SpendTooHigh {
        /// Sum of the outputs, in leor.
        outputs: u64,
        /// Sum of the inputs, in leor.
        inputs: u64,
    },
    /// An input's relative lock time (in DAA score) has not passed.
    #[error("one of the transaction sequence locks conditions was not met")]
    SequenceLockConditionsAreNotMet,
    /// Some input's outpoint is not in the UTXO view.
    #[error("outpoints corresponding to some transaction inputs are missing from current utxo context")]
    MissingTxOutpoints,
    /// An input's scripts fail.
    #[error("failed to verify the signature script of input {input}: {source}")]
    SignatureInvalid {
        /// Index of the input.
        input: usize,
        /// What the script engine found.
        source: ScriptError,
    },
    /// An input declares a signature-operation count other than its scripts'.
    #[error("input {input} sig op count is {declared}, but the calculated value is {calculated}")]
    WrongSigOpCount {
        /// Index of the input.
        input: usize,
        /// The count the input declares.
        declared: u64,
        /// The count of its scripts.
        calculated: u64,
    },
    /// The storage mass cannot be computed (see [`crate::mass::storage_mass`]).
    #[error("contextual mass (including storage mass) is incomputable")]
    MassIncomputable,
    /// The committed mass differs from the calculated one (once storage mass is active).
    #[error("calculated contextual mass (including storage mass) {calculated} is not equal to the committed mass field {committed}")]
    WrongMass {
        /// Storage mass plus compute mass.
        calculated: u64,
        /// The mass the transaction commits to.
        committed: u64,
    },
}

/// Runs the rules of a transaction in isolation in the reference's order: inputs count,
/// signature scripts, outputs count, script public keys, coinbase shape, output values,
/// duplicate inputs, gas, payload, version.
///
/// # Errors
/// The first broken rule.
pub fn check_transaction_in_isolation(tx: &Transaction, params: &Params) -> Result<(), TxRuleError> {
    check_inputs_count(tx, params)?;
    check_signature_scripts(tx, params)?;
    check_outputs_count(tx, params)?;
    check_script_public_keys(tx, params)?;
    check_coinbase_in_isolation(tx, params)?;
    check_output_value_ranges(tx)?;
    check_duplicate_inputs(tx)?;
    check_gas(tx)?;
    check_payload(tx)?;
    check_version(tx)
}

/// A transaction other than a coinbase has at least one input; none has more than
/// `params.max_tx_inputs`.
///
/// # Errors
/// [`TxRuleError::NoTxInputs`], [`TxRuleError::TooManyInputs`].
pub fn check_inputs_count(tx: &Transaction, params: &Params) -> Result<(), TxRuleError> {
    if !tx.is_coinbase() && tx.inputs.is_empty() {
        return Err(TxRuleError::NoTxInputs);
    }
    if tx.inputs.len() > params.max_tx_inputs {
        return Err(TxRuleError::TooManyInputs { inputs: tx.inputs.len(), max: params.max_tx_inputs });
    }
    Ok(())
}

/// No signature script is longer than `params.max_signature_script_len`.
///
/// # Errors
/// [`TxRuleError::TooBigSignatureScript`] for the first one that is.
pub fn check_signature_scripts(tx: &Transaction, params: &Params) -> Result<(), TxRuleError> {
    let max = params.max_signature_script_len;
    match tx.inputs.iter().position(|i| i.signature_script.len() > max) {
        Some(input) => Err(TxRuleError::TooBigSignatureScript { input, max }),
        None => Ok(()),
    }
}

/// No more than `params.max_tx_outputs` outputs.
///
/// # Errors
/// [`TxRuleError::TooManyOutputs`].
pub fn check_outputs_count(tx: &Transaction, params: &Params) -> Result<(), TxRuleError> {
    if tx.outputs.len() > params.max_tx_outputs {
        return Err(TxRuleError::TooManyOutputs { outputs: tx.outputs.len(), max: params.max_tx_outputs });
    }
    Ok(())
}

/// No script public key is longer than `params.max_script_public_key_len`.
///
/// # Errors
/// [`TxRuleError::TooBigScriptPublicKey`] for the first one that is.
pub fn check_script_public_keys(tx: &Transaction, params: &Params) -> Result<(), TxRuleError> {
    let max = params.max_script_public_key_len;
    match tx.outputs.iter().position(|o| o.script_public_key.script.len() > max) {
        Some(output) => Err(TxRuleError::TooBigScriptPublicKey { output, max }),
        None => Ok(()),
    }
}

/// A coinbase has no inputs, at most `ghostdag_k + 2` outputs, and no output script longer
/// than `params.coinbase_payload_script_public_key_max_len`. Other transactions pass. (The
/// payload's own limits are checked with the block's context, where it is parsed.)
///
/// # Errors
/// [`TxRuleError::CoinbaseHasInputs`], [`TxRuleError::CoinbaseTooManyOutputs`],
/// [`TxRuleError::CoinbaseScriptPublicKeyTooLong`].
pub fn check_coinbase_in_isolation(tx: &Transaction, params: &Params) -> Result<(), TxRuleError> {
    if !tx.is_coinbase() {
        return Ok(());
    }
    if !tx.inputs.is_empty() {
        return Err(TxRuleError::CoinbaseHasInputs(tx.inputs.len()));
    }
    let max = u64::from(params.ghostdag_k) + 2;
    if tx.outputs.len() as u64 > max {
        return Err(TxRuleError::CoinbaseTooManyOutputs { outputs: tx.outputs.len(), max });
    }
    let longest = usize::from(params.coinbase_payload_script_public_key_max_len);
    match tx.outputs.iter().position(|o| o.script_public_key.script.len() > longest) {
        Some(output) => Err(TxRuleError::CoinbaseScriptPublicKeyTooLong { output }),
        None => Ok(()),
    }
}

/// Every output is above 0 and at most [`Amount::MAX_MONEY`], and so is their running
/// total, output by output.
///
/// # Errors
/// [`TxRuleError::TxOutZero`], [`TxRuleError::TxOutTooHigh`],
/// [`TxRuleError::OutputsValueOverflow`], [`TxRuleError::TotalTxOutTooHigh`]: the first met.
pub fn check_output_value_ranges(tx: &Transaction) -> Result<(), TxRuleError> {
    let mut total = 0u64;
    for (output, out) in tx.outputs.iter().enumerate() {
        let value = out.value.to_leor();
        if value == 0 {
            return Err(TxRuleError::TxOutZero { output });
        }
        if value > Amount::MAX_MONEY.to_leor() {
            return Err(TxRuleError::TxOutTooHigh { output });
        }
        total = total.checked_add(value).ok_or(TxRuleError::OutputsValueOverflow)?;
        if total > Amount::MAX_MONEY.to_leor() {
            return Err(TxRuleError::TotalTxOutTooHigh);
        }
    }
    Ok(())
}

/// No two inputs spend the same outpoint.
///
/// # Errors
/// [`TxRuleError::TxDuplicateInputs`].
pub fn check_duplicate_inputs(tx: &Transaction) -> Result<(), TxRuleError> {
    let mut seen = HashSet::with_capacity(tx.inputs.len());
    if tx.inputs.iter().all(|i| seen.insert(i.previous_outpoint)) {
        Ok(())
    } else {
        Err(TxRuleError::TxDuplicateInputs)
    }
}

/// Gas is 0 (no subnetwork meters gas today, on any subnetwork).
///
/// # Errors
/// [`TxRuleError::TxHasGas`].
pub fn check_gas(tx: &Transaction) -> Result<(), TxRuleError> {
    if tx.gas > 0 {
        return Err(TxRuleError::TxHasGas);
    }
    Ok(())
}

/// Only a coinbase carries a payload.
///
/// # Errors
/// [`TxRuleError::NonCoinbaseTxHasPayload`].
pub fn check_payload(tx: &Transaction) -> Result<(), TxRuleError> {
    if !tx.is_coinbase() && !tx.payload.is_empty() {
        return Err(TxRuleError::NonCoinbaseTxHasPayload);
    }
    Ok(())
}

/// The version is [`TX_VERSION`].
///
/// # Errors
/// [`TxRuleError::UnknownTxVersion`].
pub fn check_version(tx: &Transaction) -> Result<(), TxRuleError> {
    if tx.version != TX_VERSION {
        return Err(TxRuleError::UnknownTxVersion(tx.version));
    }
    Ok(())
}

/// Whether `tx` is final in a block of DAA score `daa_score` whose past median time is
/// `past_median_time` (milliseconds): a lock time of 0 always is; a lock time below
/// [`LOCK_TIME_THRESHOLD`] is a DAA score, at or above it a time, and the transaction is
/// final once that value is *below* the block's; until then it is final only if every
/// input's sequence is [`MAX_TX_IN_SEQUENCE_NUM`].
///
/// ```
/// use pyrin_core::{Transaction, TransactionInput};
/// use pyrin_tx::rules::is_finalized;
///
/// let tx = Transaction { lock_time: 100, inputs: vec![TransactionInput::default()], ..Transaction::default() };
/// assert!(!is_finalized(&tx, 100, 0));
/// assert!(is_finalized(&tx, 101, 0));
/// ```
pub fn is_finalized(tx: &Transaction, daa_score: u64, past_median_time: u64) -> bool {
    check_tx_is_finalized(tx, daa_score, past_median_time).is_ok()
}

/// [`is_finalized`] as a rule.
///
/// # Errors
/// [`TxRuleError::NotFinalized`] with the first input whose sequence is not final.
pub fn check_tx_is_finalized(tx: &Transaction, daa_score: u64, past_median_time: u64) -> Result<(), TxRuleError> {
    if tx.lock_time == 0 {
        return Ok(());
    }
    let now = if tx.lock_time < LOCK_TIME_THRESHOLD { daa_score } else { past_median_time };
    if tx.lock_time < now {
        return Ok(());
    }
    match tx.inputs.iter().position(|i| i.sequence != MAX_TX_IN_SEQUENCE_NUM) {
        Some(input) => Err(TxRuleError::NotFinalized { input }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use pyrin_core::params::{Network, MAINNET_PARAMS, TESTNET11_PARAMS};
    use pyrin_core::{ScriptPublicKey, SubnetworkId, TransactionId, TransactionInput, TransactionOutput};

    fn outpoint(i: u32) -> TransactionOutpoint {
        TransactionOutpoint::new(TransactionId::from_bytes([9; 32]), i)
    }

    fn valid() -> Transaction {
        Transaction {
            inputs: vec![TransactionInput::spending(outpoint(0)), TransactionInput::spending(outpoint(1))],
            outputs: vec![TransactionOutput::new(Amount::from_leor(10), ScriptPublicKey::new(0, vec![0x51]))],
            ..Transaction::default()
        }
    }

    fn coinbase(outputs: usize) -> Transaction {
        Transaction {
            subnetwork_id: SubnetworkId::COINBASE,
            inputs: vec![],
            outputs: vec![TransactionOutput::new(Amount::from_leor(5), ScriptPublicKey::new(0, vec![0x51])); outputs],
            payload: vec![1, 2, 3],
            ..Transaction::default()
        }
    }

    fn check(tx: &Transaction) -> Result<(), TxRuleError> {
        check_transaction_in_isolation(tx, &MAINNET_PARAMS)
    }

    #[test]
    fn a_plain_transaction_and_a_coinbase_pass() {
        assert_eq!(check(&valid()), Ok(()));
        assert_eq!(check(&coinbase(20)), Ok(()));
    }

    #[test]
    fn a_transaction_without_inputs_is_refused() {
        assert_eq!(check(&Transaction { inputs: vec![], ..valid() }), Err(TxRuleError::NoTxInputs));
    }

    #[test]
    fn inputs_above_the_limit_are_refused() {
        let tx =
            Transaction { inputs: (0..10_001).map(|i| TransactionInput::spending(outpoint(i))).collect(), ..valid() };
        assert_eq!(
            check_inputs_count(&tx, &TESTNET11_PARAMS),
            Err(TxRuleError::TooManyInputs { inputs: 10_001, max: 10_000 })
        );
        assert_eq!(check_inputs_count(&tx, &MAINNET_PARAMS), Ok(()));
    }

    #[test]
    fn a_signature_script_above_the_limit_is_refused() {
        let mut tx = valid();
        tx.inputs[1].signature_script = vec![0; 1_000_001];
        let expected = Err(TxRuleError::TooBigSignatureScript { input: 1, max: 1_000_000 });
        assert_eq!(check_transaction_in_isolation(&tx, &TESTNET11_PARAMS), expected);
        tx.inputs[1].signature_script.pop();
        assert_eq!(check_transaction_in_isolation(&tx, &TESTNET11_PARAMS), Ok(()));
    }

    #[test]
    fn outputs_above_the_limit_are_refused() {
        let out = TransactionOutput::new(Amount::from_leor(1), ScriptPublicKey::new(0, vec![0x51]));
        let tx = Transaction { outputs: vec![out; 10_001], ..valid() };
        let expected = Err(TxRuleError::TooManyOutputs { outputs: 10_001, max: 10_000 });
        assert_eq!(check_transaction_in_isolation(&tx, &TESTNET11_PARAMS), expected);
    }

    #[test]
    fn a_script_public_key_above_the_limit_is_refused() {
        let mut tx = valid();
        tx.outputs[0].script_public_key.script = vec![0x51; 1_000_001];
        let expected = Err(TxRuleError::TooBigScriptPublicKey { output: 0, max: 1_000_000 });
        assert_eq!(check_transaction_in_isolation(&tx, &TESTNET11_PARAMS), expected);
    }

    #[test]
    fn a_coinbase_with_inputs_is_refused() {
        let tx = Transaction { inputs: vec![TransactionInput::default()], ..coinbase(1) };
        assert_eq!(check(&tx), Err(TxRuleError::CoinbaseHasInputs(1)));
    }

    #[test]
    fn a_coinbase_has_at_most_k_plus_two_outputs() {
        assert_eq!(check(&coinbase(21)), Err(TxRuleError::CoinbaseTooManyOutputs { outputs: 21, max: 20 }));
    }

    #[test]
    fn a_coinbase_output_script_is_bounded() {
        let mut tx = coinbase(2);
        tx.outputs[1].script_public_key.script = vec![0x51; 151];
        assert_eq!(check(&tx), Err(TxRuleError::CoinbaseScriptPublicKeyTooLong { output: 1 }));
        tx.outputs[1].script_public_key.script.pop();
        assert_eq!(check(&tx), Ok(()));
    }

    #[test]
    fn output_values_are_bounded_each_and_in_total() {
        let max = Amount::MAX_MONEY;
        let mut tx = valid();
        tx.outputs[0].value = Amount::ZERO;
        assert_eq!(check(&tx), Err(TxRuleError::TxOutZero { output: 0 }));
        tx.outputs[0].value = Amount::from_leor(max.to_leor() + 1);
        assert_eq!(check(&tx), Err(TxRuleError::TxOutTooHigh { output: 0 }));
        tx.outputs[0].value = max;
        assert_eq!(check(&tx), Ok(()));
        tx.outputs.push(TransactionOutput::new(Amount::from_leor(1), ScriptPublicKey::default()));
        assert_eq!(check(&tx), Err(TxRuleError::TotalTxOutTooHigh));
    }

    #[test]
    fn a_zero_value_coinbase_output_is_refused_too() {
        let mut tx = coinbase(1);
        tx.outputs[0].value = Amount::ZERO;
        assert_eq!(check(&tx), Err(TxRuleError::TxOutZero { output: 0 }));
    }

    #[test]
    fn duplicate_inputs_are_refused() {
        let mut tx = valid();
        tx.inputs[1].previous_outpoint = tx.inputs[0].previous_outpoint;
        assert_eq!(check(&tx), Err(TxRuleError::TxDuplicateInputs));
    }

    #[test]
    fn gas_is_refused() {
        assert_eq!(check(&Transaction { gas: 1, ..valid() }), Err(TxRuleError::TxHasGas));
    }

    #[test]
    fn only_a_coinbase_carries_a_payload() {
        assert_eq!(check(&Transaction { payload: vec![0], ..valid() }), Err(TxRuleError::NonCoinbaseTxHasPayload));
    }

    #[test]
    fn only_version_zero_is_known() {
        assert_eq!(check(&Transaction { version: 1, ..valid() }), Err(TxRuleError::UnknownTxVersion(1)));
    }

    #[test]
    fn the_rules_run_in_the_reference_order() {
        // No inputs and a payload and gas: the inputs count is reported first.
        let tx = Transaction { inputs: vec![], gas: 1, payload: vec![1], version: 3, ..valid() };
        assert_eq!(check(&tx), Err(TxRuleError::NoTxInputs));
        // Zero output and duplicate inputs: values before duplicates.
        let mut tx = valid();
        tx.inputs[1] = tx.inputs[0].clone();
        tx.outputs[0].value = Amount::ZERO;
        assert_eq!(check(&tx), Err(TxRuleError::TxOutZero { output: 0 }));
        // Gas before payload before version.
        assert_eq!(check(&Transaction { gas: 1, payload: vec![1], version: 2, ..valid() }), Err(TxRuleError::TxHasGas));
        assert_eq!(
            check(&Transaction { payload: vec![1], version: 2, ..valid() }),
            Err(TxRuleError::NonCoinbaseTxHasPayload)
        );
    }

    #[test]
    fn a_zero_lock_time_is_final() {
        assert!(is_finalized(&valid(), 0, 0));
    }

    #[test]
    fn a_daa_score_lock_time_is_final_once_below_the_score() {
        let tx = Transaction { lock_time: 1000, ..valid() };
        assert_eq!(check_tx_is_finalized(&tx, 1000, u64::MAX), Err(TxRuleError::NotFinalized { input: 0 }));
        assert_eq!(check_tx_is_finalized(&tx, 1001, 0), Ok(()));
    }

    #[test]
    fn a_time_lock_time_compares_with_the_past_median_time() {
        let tx = Transaction { lock_time: LOCK_TIME_THRESHOLD, ..valid() };
        assert!(!is_finalized(&tx, u64::MAX, LOCK_TIME_THRESHOLD));
        assert!(is_finalized(&tx, 0, LOCK_TIME_THRESHOLD + 1));
    }

    #[test]
    fn final_sequences_make_a_locked_transaction_final() {
        let mut tx = Transaction { lock_time: 1000, ..valid() };
        tx.inputs[0].sequence = MAX_TX_IN_SEQUENCE_NUM;
        assert_eq!(check_tx_is_finalized(&tx, 5, 0), Err(TxRuleError::NotFinalized { input: 1 }));
        tx.inputs[1].sequence = MAX_TX_IN_SEQUENCE_NUM;
        assert_eq!(check_tx_is_finalized(&tx, 5, 0), Ok(()));
    }

    #[test]
    fn every_network_accepts_the_plain_transaction() {
        for network in Network::ALL {
            assert_eq!(check_transaction_in_isolation(&valid(), network.params()), Ok(()));
        }
    }
}
