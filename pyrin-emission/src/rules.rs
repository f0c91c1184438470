//! The block rules about the coinbase: its payload against the header and the schedule,
//! and the whole coinbase against the one the rewards of the mergeset give.
//!
//! Followed: the Rust reference node `Pyrinpyi/pyrin`:
//! `consensus/src/pipeline/body_processor/body_validation_in_context.rs`
//! (`check_coinbase_blue_score_and_subsidy`: the payload decodes, its blue score is the
//! header's, then its subsidy is the schedule's at the header's DAA score) and
//! `consensus/src/pipeline/virtual_processor/utxo_validation.rs`
//! (`verify_coinbase_transaction`: the expected coinbase is built with the block's own
//! miner data and compared by transaction hash).

use alloc::vec::Vec;

use pyrin_core::{Amount, Transaction};

use crate::coinbase::{coinbase_transaction, BlockReward, CoinbaseData, CoinbaseError, PayloadLimits};

/// Why a coinbase breaks a block rule; variants named as the reference's `RuleError`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CoinbaseRuleError {
    /// The payload does not decode.
    #[error("bad coinbase payload: {0}")]
    BadCoinbasePayload(CoinbaseError),
    /// The payload's blue score is not the header's.
    #[error("bad coinbase payload blue score: expected {header} but got {payload}")]
    BadCoinbasePayloadBlueScore {
        /// The payload's.
        payload: u64,
        /// The header's.
        header: u64,
    },
    /// The payload's subsidy is not the schedule's.
    #[error("wrong coinbase subsidy: expected {expected} but got {found}")]
    WrongSubsidy {
        /// The schedule's.
        expected: Amount,
        /// The payload's.
        found: Amount,
    },
    /// The coinbase is not the expected one (outputs, amounts or payload).
    #[error("coinbase transaction is not built as expected")]
    BadCoinbaseTransaction,
}

/// Rule (body in context): the coinbase payload decodes, carries the header's blue score,
/// then the schedule's subsidy (`expected_subsidy`, from
/// [`crate::EmissionSchedule::subsidy`] at the header's DAA score). Returns the payload.
///
/// # Errors
/// [`CoinbaseRuleError::BadCoinbasePayload`], then
/// [`CoinbaseRuleError::BadCoinbasePayloadBlueScore`], then [`CoinbaseRuleError::WrongSubsidy`].
pub fn check_coinbase_blue_score_and_subsidy(
    coinbase: &Transaction,
    header_blue_score: u64,
    expected_subsidy: Amount,
    limits: &PayloadLimits,
) -> Result<CoinbaseData, CoinbaseRuleError> {
    let data = CoinbaseData::decode(&coinbase.payload, limits).map_err(CoinbaseRuleError::BadCoinbasePayload)?;
    if data.blue_score != header_blue_score {
        return Err(CoinbaseRuleError::BadCoinbasePayloadBlueScore {
            payload: data.blue_score,
            header: header_blue_score,
        });
    }
    if data.subsidy != expected_subsidy {
        return Err(CoinbaseRuleError::WrongSubsidy { expected: expected_subsidy, found: data.subsidy });
    }
    Ok(data)
}

/// The coinbase a block must carry: the payload with the block's `blue_score`, the
/// schedule's `subsidy` and the miner data (script public key, extra data) of the block's
/// own `coinbase`; the outputs of [`coinbase_transaction`] for the rewards of its mergeset
/// blues and reds inside the DAA window (in GHOSTDAG order).
///
/// # Errors
/// [`CoinbaseRuleError::BadCoinbasePayload`] when the block's own payload does not decode;
/// [`CoinbaseRuleError::BadCoinbaseTransaction`] when the rewards overflow.
pub fn expected_coinbase(
    coinbase: &Transaction,
    blue_score: u64,
    subsidy: Amount,
    blues: &[BlockReward],
    reds: &[BlockReward],
    limits: &PayloadLimits,
) -> Result<Transaction, CoinbaseRuleError> {
    let own = CoinbaseData::decode(&coinbase.payload, limits).map_err(CoinbaseRuleError::BadCoinbasePayload)?;
    let data =
        CoinbaseData { blue_score, subsidy, script_public_key: own.script_public_key, extra_data: own.extra_data };
    coinbase_transaction(&data, blues, reds, limits).map_err(|_| CoinbaseRuleError::BadCoinbaseTransaction)
}

/// Rule (chain block): the block's `coinbase` is [`expected_coinbase`], compared by
/// transaction hash.
///
/// # Errors
/// As [`expected_coinbase`], and [`CoinbaseRuleError::BadCoinbaseTransaction`] when the
/// coinbase differs.
pub fn verify_coinbase_transaction(
    coinbase: &Transaction,
    blue_score: u64,
    subsidy: Amount,
    blues: &[BlockReward],
    reds: &[BlockReward],
    limits: &PayloadLimits,
) -> Result<(), CoinbaseRuleError> {
    let expected = expected_coinbase(coinbase, blue_score, subsidy, blues, reds, limits)?;
    if expected.hash() != coinbase.hash() {
        return Err(CoinbaseRuleError::BadCoinbaseTransaction);
    }
    Ok(())
}

/// The rewards of the blocks of `blocks` that are not in `non_daa`, in order, looked up
/// with `reward_of` (blocks without a reward are left out): the `blues` or `reds` argument
/// of [`verify_coinbase_transaction`] from a mergeset and its non-DAA blocks.
pub fn paid_rewards<B: PartialEq>(
    blocks: &[B],
    non_daa: &[B],
    mut reward_of: impl FnMut(&B) -> Option<BlockReward>,
) -> Vec<BlockReward> {
    blocks.iter().filter(|b| !non_daa.contains(b)).filter_map(&mut reward_of).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use pyrin_core::ScriptPublicKey;

    fn limits() -> PayloadLimits {
        PayloadLimits { max_script_len: 150, max_payload_len: 204 }
    }

    fn spk(b: u8) -> ScriptPublicKey {
        ScriptPublicKey::new(0, vec![b; 34])
    }

    fn reward(subsidy: u64, b: u8) -> BlockReward {
        BlockReward { subsidy: Amount::from_leor(subsidy), fees: Amount::ZERO, script_public_key: spk(b) }
    }

    fn coinbase(blue_score: u64, subsidy: u64, blues: &[BlockReward]) -> Transaction {
        let data = CoinbaseData {
            blue_score,
            subsidy: Amount::from_leor(subsidy),
            script_public_key: spk(9),
            extra_data: vec![1, 2, 3],
        };
        coinbase_transaction(&data, blues, &[], &limits()).expect("a coinbase")
    }

    #[test]
    fn the_payload_must_carry_the_blue_score_then_the_subsidy() {
        let cb = coinbase(7, 100, &[]);
        let ok = check_coinbase_blue_score_and_subsidy(&cb, 7, Amount::from_leor(100), &limits());
        assert_eq!(ok.map(|d| d.extra_data), Ok(vec![1, 2, 3]));
        assert_eq!(
            check_coinbase_blue_score_and_subsidy(&cb, 8, Amount::from_leor(101), &limits()),
            Err(CoinbaseRuleError::BadCoinbasePayloadBlueScore { payload: 7, header: 8 })
        );
        assert_eq!(
            check_coinbase_blue_score_and_subsidy(&cb, 7, Amount::from_leor(101), &limits()),
            Err(CoinbaseRuleError::WrongSubsidy { expected: Amount::from_leor(101), found: Amount::from_leor(100) })
        );
        let mut short = cb.clone();
        short.payload.truncate(3);
        assert!(matches!(
            check_coinbase_blue_score_and_subsidy(&short, 7, Amount::from_leor(100), &limits()),
            Err(CoinbaseRuleError::BadCoinbasePayload(_))
        ));
    }

    #[test]
    fn the_coinbase_must_pay_the_mergeset_exactly() {
        let blues = [reward(50, 1), reward(60, 2)];
        let cb = coinbase(7, 100, &blues);
        let l = limits();
        assert_eq!(verify_coinbase_transaction(&cb, 7, Amount::from_leor(100), &blues, &[], &l), Ok(()));
        let mut overpaid = cb.clone();
        overpaid.outputs[0].value = Amount::from_leor(51);
        assert_eq!(
            verify_coinbase_transaction(&overpaid, 7, Amount::from_leor(100), &blues, &[], &l),
            Err(CoinbaseRuleError::BadCoinbaseTransaction)
        );
        // The expected payload takes the block's blue score and subsidy, not the payload's.
        assert_eq!(
            verify_coinbase_transaction(&cb, 8, Amount::from_leor(100), &blues, &[], &l),
            Err(CoinbaseRuleError::BadCoinbaseTransaction)
        );
    }

    #[test]
    fn blocks_outside_the_daa_window_are_not_paid() {
        let paid = paid_rewards(&[1u8, 2, 3], &[2], |&b| Some(reward(u64::from(b), b)));
        assert_eq!(paid.iter().map(|r| r.subsidy.to_leor()).collect::<Vec<_>>(), vec![1, 3]);
    }
}
