//! Block levels.

use pyrin_core::{Header, PowValue};

use crate::{PowError, PowState};

/// A header's block level: `max_block_level` minus the bit length of its PoW value, at
/// least 0. A header without parents (genesis) has the maximum level.
///
/// `max_block_level` is the network's (`Params::max_block_level`, 225 on mainnet).
///
/// # Errors
/// [`PowError::ZeroPrePowHash`] when the header has parents and its pre-PoW hash is zero
/// (see [`crate::Matrix::generate`]).
pub fn block_level(header: &Header, max_block_level: u8) -> Result<u8, PowError> {
    if header.parents_by_level.is_empty() {
        return Ok(max_block_level);
    }
    let value = PowState::new(header)?.pow_value(header.nonce);
    Ok(level_of_value(&value, max_block_level))
}

/// The level of a PoW value (see [`block_level`]).
pub fn level_of_value(value: &PowValue, max_block_level: u8) -> u8 {
    // bits() ≤ 256, so the difference fits an i32; clamp to the u8 range.
    (i32::from(max_block_level) - value.to_uint256().bits() as i32).max(0) as u8
}

#[cfg(test)]
mod tests {
    use super::*;
    use pyrin_core::Uint256;

    fn v(value: Uint256) -> PowValue {
        PowValue::from_uint256(value)
    }

    #[test]
    fn levels_of_values() {
        assert_eq!(level_of_value(&v(Uint256::ZERO), 225), 225);
        assert_eq!(level_of_value(&v(Uint256::ONE), 225), 224);
        assert_eq!(level_of_value(&v(Uint256::MAX), 225), 0);
        assert_eq!(level_of_value(&v(Uint256::ONE << 200), 225), 24);
    }
}
