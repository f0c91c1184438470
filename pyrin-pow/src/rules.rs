//! The header rules that need only proof of work and a block's windows: the PoW check
//! with the block level, the DAA score and bits against those the difficulty window gives,
//! and the timestamp against the past median time. The caller computes the expected values
//! ([`crate::daa`], [`crate::difficulty`]) from the DAG; these functions compare.
//!
//! Followed: the Rust reference node `Pyrinpyi/pyrin`,
//! `consensus/src/pipeline/header_processor/` (`check_pow_and_calc_block_level`: the level
//! is computed even when the PoW check is skipped; `check_difficulty_and_daa_score`: the
//! DAA score is compared before the bits; `check_median_timestamp`: strictly after).

use pyrin_core::{CompactTarget, Header};

use crate::{block_level, PowState};

/// Why a header fails a PoW or window rule; variants named as the reference's `RuleError`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PowRuleError {
    /// The PoW value is above the target of `bits` (or no PoW state can be built).
    #[error("block has invalid proof-of-work")]
    InvalidPoW,
    /// `daa_score` is not the window's.
    #[error("expected header daa score {expected} but got {found}")]
    UnexpectedHeaderDaaScore {
        /// From the window.
        expected: u64,
        /// The header's.
        found: u64,
    },
    /// `bits` are not the difficulty adjustment's.
    #[error("block difficulty of {} is not the expected value of {}", found.to_consensus(), expected.to_consensus())]
    UnexpectedDifficulty {
        /// The header's.
        found: CompactTarget,
        /// From the window.
        expected: CompactTarget,
    },
    /// The timestamp is not after the past median time.
    #[error("block timestamp of {timestamp} is not after expected {past_median_time}")]
    TimeTooOld {
        /// The header's timestamp.
        timestamp: u64,
        /// The past median time.
        past_median_time: u64,
    },
}

/// Rule: the header's PoW meets the target of its `bits` (unless `skip_proof_of_work`, a
/// test setting). Returns the block level either way.
///
/// # Errors
/// [`PowRuleError::InvalidPoW`].
pub fn check_pow_and_calc_block_level(
    header: &Header,
    max_block_level: u8,
    skip_proof_of_work: bool,
) -> Result<u8, PowRuleError> {
    let level = block_level(header, max_block_level).map_err(|_| PowRuleError::InvalidPoW)?;
    if !skip_proof_of_work {
        let state = PowState::new(header).map_err(|_| PowRuleError::InvalidPoW)?;
        if !state.check(header.nonce).meets_target {
            return Err(PowRuleError::InvalidPoW);
        }
    }
    Ok(level)
}

/// Rule: the DAA score, then the bits, are the ones the difficulty window gives.
///
/// # Errors
/// [`PowRuleError::UnexpectedHeaderDaaScore`], then [`PowRuleError::UnexpectedDifficulty`].
pub fn check_difficulty_and_daa_score(
    header: &Header,
    expected_daa_score: u64,
    expected_bits: CompactTarget,
) -> Result<(), PowRuleError> {
    if header.daa_score != expected_daa_score {
        return Err(PowRuleError::UnexpectedHeaderDaaScore { expected: expected_daa_score, found: header.daa_score });
    }
    if header.bits != expected_bits {
        return Err(PowRuleError::UnexpectedDifficulty { found: header.bits, expected: expected_bits });
    }
    Ok(())
}

/// Rule: the timestamp is after the past median time ([`crate::daa::past_median_time`]).
///
/// ```
/// use pyrin_core::Header;
/// use pyrin_pow::rules::{check_median_timestamp, PowRuleError};
///
/// let header = Header { timestamp: 1001, ..Header::default() };
/// assert_eq!(check_median_timestamp(&header, 1000), Ok(()));
/// assert_eq!(
///     check_median_timestamp(&header, 1001),
///     Err(PowRuleError::TimeTooOld { timestamp: 1001, past_median_time: 1001 })
/// );
/// ```
///
/// # Errors
/// [`PowRuleError::TimeTooOld`].
pub fn check_median_timestamp(header: &Header, past_median_time: u64) -> Result<(), PowRuleError> {
    if header.timestamp <= past_median_time {
        return Err(PowRuleError::TimeTooOld { timestamp: header.timestamp, past_median_time });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use pyrin_core::BlockHash;

    #[test]
    fn the_daa_score_is_compared_before_the_bits() {
        let header = Header { daa_score: 5, bits: CompactTarget::from_consensus(1), ..Header::default() };
        let other = CompactTarget::from_consensus(2);
        assert_eq!(
            check_difficulty_and_daa_score(&header, 6, other),
            Err(PowRuleError::UnexpectedHeaderDaaScore { expected: 6, found: 5 })
        );
        assert_eq!(
            check_difficulty_and_daa_score(&header, 5, other),
            Err(PowRuleError::UnexpectedDifficulty { found: header.bits, expected: other })
        );
        assert_eq!(check_difficulty_and_daa_score(&header, 5, header.bits), Ok(()));
    }

    #[test]
    fn a_skipped_pow_check_still_gives_the_level() {
        // The hardest target: no nonce meets it, but the level is computed.
        let header = Header {
            parents_by_level: vec![vec![BlockHash::from_bytes([1; 32])]],
            bits: CompactTarget::from_consensus(0x0301_0000),
            ..Header::default()
        };
        assert_eq!(check_pow_and_calc_block_level(&header, 225, false), Err(PowRuleError::InvalidPoW));
        let level = check_pow_and_calc_block_level(&header, 225, true).expect("skipped");
        assert_eq!(Ok(level), block_level(&header, 225).map_err(|_| PowRuleError::InvalidPoW));
    }
}
