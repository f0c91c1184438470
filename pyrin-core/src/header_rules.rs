//! The rules a header must pass on its own (the reference's header checks "in isolation"),
//! as pure functions: the version, the timestamp against "now", the number of parents.
//!
//! "Now" is a parameter: nothing here reads a clock. Proof of work is `pyrin-pow`'s; the
//! rules that need the DAG are in `pyrin-pow`, `pyrin-ghostdag` and `pyrin-consensus`.
//!
//! Followed: the Rust reference node `Pyrinpyi/pyrin`,
//! `consensus/src/pipeline/header_processor/pre_ghostdag_validation.rs` (in that order:
//! version, timestamp, parents limit; the deviation tolerance is in seconds, multiplied by
//! 1000 whatever the network's block rate).

use crate::Header;

/// The header version of every block after genesis, on every network.
pub const BLOCK_VERSION: u16 = 1;

/// Why a header fails a rule in isolation; variants named as the reference's `RuleError`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HeaderRuleError {
    /// Not the expected version.
    #[error("wrong block version: got {found} but expected {expected}")]
    WrongBlockVersion {
        /// The header's version.
        found: u16,
        /// The version expected.
        expected: u16,
    },
    /// The timestamp is too far in the future of "now".
    #[error("block timestamp of {timestamp} is too far into the future, expected at most {max}")]
    TimeTooFarIntoTheFuture {
        /// The header's timestamp (ms).
        timestamp: u64,
        /// The latest timestamp allowed (ms).
        max: u64,
    },
    /// No direct parents.
    #[error("block has no parents")]
    NoParents,
    /// More direct parents than allowed.
    #[error("block has too many parents: got {found} when the limit is {max}")]
    TooManyParents {
        /// Direct parents given.
        found: usize,
        /// The network's limit.
        max: usize,
    },
}

/// Rule: the header carries `expected` (normally [`BLOCK_VERSION`]).
///
/// # Errors
/// [`HeaderRuleError::WrongBlockVersion`].
pub fn check_header_version(header: &Header, expected: u16) -> Result<(), HeaderRuleError> {
    if header.version != expected {
        return Err(HeaderRuleError::WrongBlockVersion { found: header.version, expected });
    }
    Ok(())
}

/// Rule: the timestamp is at most `now_ms` plus `tolerance_seconds` (the network's timestamp
/// deviation tolerance) seconds.
///
/// ```
/// use pyrin_core::header_rules::{check_block_timestamp_in_isolation, HeaderRuleError};
/// use pyrin_core::Header;
///
/// let header = Header { timestamp: 10_000, ..Header::default() };
/// assert_eq!(check_block_timestamp_in_isolation(&header, 8_000, 2), Ok(()));
/// assert_eq!(
///     check_block_timestamp_in_isolation(&header, 7_999, 2),
///     Err(HeaderRuleError::TimeTooFarIntoTheFuture { timestamp: 10_000, max: 9_999 })
/// );
/// ```
///
/// # Errors
/// [`HeaderRuleError::TimeTooFarIntoTheFuture`].
pub fn check_block_timestamp_in_isolation(
    header: &Header,
    now_ms: u64,
    tolerance_seconds: u64,
) -> Result<(), HeaderRuleError> {
    let max = now_ms.saturating_add(tolerance_seconds.saturating_mul(1000));
    if header.timestamp > max {
        return Err(HeaderRuleError::TimeTooFarIntoTheFuture { timestamp: header.timestamp, max });
    }
    Ok(())
}

/// Rule: at least one and at most `max_parents` direct parents.
///
/// # Errors
/// [`HeaderRuleError::NoParents`], [`HeaderRuleError::TooManyParents`].
pub fn check_parents_limit(header: &Header, max_parents: usize) -> Result<(), HeaderRuleError> {
    let found = header.direct_parents().len();
    if found == 0 {
        return Err(HeaderRuleError::NoParents);
    }
    if found > max_parents {
        return Err(HeaderRuleError::TooManyParents { found, max: max_parents });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::BlockHash;
    use alloc::vec;

    fn with_parents(n: u8) -> Header {
        Header { parents_by_level: vec![(0..n).map(|i| BlockHash::from_bytes([i; 32])).collect()], ..Header::default() }
    }

    #[test]
    fn only_the_expected_version_passes() {
        let header = Header { version: BLOCK_VERSION, ..Header::default() };
        assert_eq!(check_header_version(&header, BLOCK_VERSION), Ok(()));
        assert_eq!(
            check_header_version(&header, 2),
            Err(HeaderRuleError::WrongBlockVersion { found: BLOCK_VERSION, expected: 2 })
        );
    }

    #[test]
    fn the_future_limit_does_not_overflow() {
        let header = Header { timestamp: u64::MAX, ..Header::default() };
        assert_eq!(check_block_timestamp_in_isolation(&header, u64::MAX - 1, 1), Ok(()));
    }

    #[test]
    fn parents_are_between_one_and_the_limit() {
        assert_eq!(check_parents_limit(&Header::default(), 10), Err(HeaderRuleError::NoParents));
        assert_eq!(check_parents_limit(&with_parents(0), 10), Err(HeaderRuleError::NoParents));
        assert_eq!(check_parents_limit(&with_parents(10), 10), Ok(()));
        assert_eq!(
            check_parents_limit(&with_parents(11), 10),
            Err(HeaderRuleError::TooManyParents { found: 11, max: 10 })
        );
    }
}
