//! Reading `--bits` from a command line: compact bits whose target a block can meet.
//!
//! Bits whose target decodes to zero (`0`, a negative mantissa like `00800000`, or
//! `ffffffff`) can never be met, so a node would search forever and a pool would take
//! shares it can never turn into a block; bits easier than the network's maximum target
//! are refused by the difficulty rules. Both are refused when the arguments are read.

use pyrin_core::params::Network;
use pyrin_core::{CompactTarget, Target};

/// Why bits were refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BitsError {
    /// Not up to 8 hex digits.
    #[error("{0:?} is not hex compact bits")]
    NotHex(String),
    /// The target is zero: no block can meet it.
    #[error("bits {0:08x} give a zero target, which no block can meet")]
    ZeroTarget(u32),
    /// The target is easier than the network allows.
    #[error("bits {0:08x} give a target above the network's maximum")]
    AboveMaximum(u32),
}

/// Parses hex compact bits (`0x` optional) valid for `network`.
///
/// # Errors
/// A [`BitsError`] saying what is wrong.
pub fn parse_bits(text: &str, network: Network) -> Result<CompactTarget, BitsError> {
    let digits = text.strip_prefix("0x").unwrap_or(text);
    if digits.is_empty() || digits.len() > 8 {
        return Err(BitsError::NotHex(text.to_string()));
    }
    let value = u32::from_str_radix(digits, 16).map_err(|_| BitsError::NotHex(text.to_string()))?;
    let bits = CompactTarget::from_consensus(value);
    let target = Target::from_compact(bits);
    if target == Target::ZERO {
        return Err(BitsError::ZeroTarget(value));
    }
    if target > network.params().max_difficulty_target {
        return Err(BitsError::AboveMaximum(value));
    }
    Ok(bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unmeetable_and_too_easy_bits_are_refused() {
        for zero in ["0", "00800000", "ffffffff"] {
            assert!(matches!(parse_bits(zero, Network::Devnet), Err(BitsError::ZeroTarget(_))), "{zero}");
        }
        assert!(matches!(parse_bits("2100ffff", Network::Mainnet), Err(BitsError::AboveMaximum(_))));
        assert!(matches!(parse_bits("xyz", Network::Devnet), Err(BitsError::NotHex(_))));
        assert!(matches!(parse_bits("123456789", Network::Devnet), Err(BitsError::NotHex(_))));
        assert_eq!(parse_bits("0x1e040000", Network::Devnet), Ok(CompactTarget::from_consensus(0x1e04_0000)));
        assert_eq!(parse_bits("1d400000", Network::Devnet), Ok(CompactTarget::from_consensus(0x1d40_0000)));
    }
}
