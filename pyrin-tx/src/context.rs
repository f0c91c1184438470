//! A transaction in the context of the block that accepts it: the checks that need the
//! entries it spends and the accepting block's DAA score, and the UTXO entries it creates.
//!
//! [`check_in_context`] checks that every coinbase output it spends has matured, that its
//! inputs stay within the supply and that its outputs do not exceed its inputs, and returns
//! the fee. Signatures are checked apart ([`crate::sign`]), as are the rules that need
//! no context at all.
//! [`created_entries`] gives the UTXO entries the outputs become once accepted.
//!
//! # Reference behaviour followed
//! The Rust reference node `Pyrinpyi/pyrin` (`consensus/src/processes/transaction_validator/
//! transaction_validator_populated.rs` and the UTXO diff of a chain block): the checks run
//! in the order maturity, input total, output total, and the first failing input is the
//! one reported; an output spent from a coinbase created at DAA score `s` matures at
//! `s + coinbase_maturity`; an input total above [`Amount::MAX_MONEY`] is refused; outputs become
//! entries carrying the *accepting* block's DAA score. Where the reference would overflow
//! a `u64` (a maturity score past `u64::MAX`, sums of hostile amounts), this module treats
//! the output as never maturing and sums in `u128`.

use pyrin_core::{Amount, Transaction, TransactionOutpoint};

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
    let id = tx.id();
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
