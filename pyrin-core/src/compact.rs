//! Compact target encoding ("bits") and the work of a target.
//!
//! `bits` packs a target as an exponent byte and a 23-bit mantissa with a sign bit
//! (0x0080_0000), the format Bitcoin inherited from OpenSSL and Kaspa and Pyrin kept.

use crate::uint::Uint256;

/// The sign bit of the compact mantissa; a set sign bit makes the target zero.
const SIGN_BIT: u32 = 0x0080_0000;

/// Decodes compact `bits` into a target.
///
/// With exponent `e` (top byte) and mantissa `m` (low 3 bytes): `m >> 8·(3−e)` when
/// `e ≤ 3`, else `m << 8·(e−3)`, bits shifted past 2^256 being lost. A mantissa with the
/// sign bit set gives zero.
///
/// Exponents above 35 ask for a shift of 256 bits or more. The reference node (a release
/// build of `kaspa-math`) then shifts by the amount modulo 256, so `0xff123456` decodes
/// to `0x123456 << 224`; this function does the same so every header's target agrees
/// with the network's.
pub fn target_from_bits(bits: u32) -> Uint256 {
    let exponent = bits >> 24;
    let mantissa = bits & 0x00ff_ffff;
    let (mantissa, shift) =
        if exponent <= 3 { (mantissa >> (8 * (3 - exponent)), 0) } else { (mantissa, 8 * (exponent - 3)) };
    if mantissa & SIGN_BIT != 0 {
        return Uint256::ZERO;
    }
    Uint256::from_u64(mantissa as u64) << (shift % Uint256::BITS)
}

/// Encodes a target as compact bits (the inverse of [`target_from_bits`] up to the
/// precision the mantissa keeps).
pub fn bits_from_target(target: &Uint256) -> u32 {
    let mut size = target.bits().div_ceil(8);
    let mut mantissa = if size <= 3 {
        (target.low_u64() << (8 * (3 - size))) as u32
    } else {
        (*target >> (8 * (size - 3))).low_u64() as u32
    };
    if mantissa & SIGN_BIT != 0 {
        mantissa >>= 8;
        size += 1;
    }
    mantissa | (size << 24)
}

/// The expected number of hashes to meet `target`: 2^256 / (target + 1), computed as
/// `(¬target / (target + 1)) + 1` so it stays inside 256 bits.
///
/// `None` for a zero target, whose work would be 2^256.
pub fn work_of_target(target: &Uint256) -> Option<Uint256> {
    if target.is_zero() {
        return None;
    }
    let Some(divisor) = target.checked_add(Uint256::ONE) else {
        // 2^256 / 2^256
        return Some(Uint256::ONE);
    };
    let (q, _) = (!*target).div_rem(divisor)?;
    Some(q + Uint256::ONE)
}

/// The work of a block with compact target `bits` (see [`work_of_target`]).
pub fn calc_work(bits: u32) -> Option<Uint256> {
    work_of_target(&target_from_bits(bits))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_small_exponents_by_shifting_right() {
        assert_eq!(target_from_bits(0x0112_3456), Uint256::from_u64(0x12));
        assert_eq!(target_from_bits(0x0312_3456), Uint256::from_u64(0x12_3456));
    }

    #[test]
    fn sign_bit_gives_zero() {
        assert_eq!(target_from_bits(0x0480_0000), Uint256::ZERO);
    }

    #[test]
    fn oversized_exponent_wraps_the_shift_like_the_node() {
        assert_eq!(target_from_bits(0xff12_3456), Uint256::from_u64(0x12_3456) << 224);
    }

    #[test]
    fn round_trips_a_network_target() {
        let bits = 0x1e7f_ffff;
        assert_eq!(bits_from_target(&target_from_bits(bits)), bits);
    }

    #[test]
    fn work_of_max_target_is_two() {
        assert_eq!(work_of_target(&(Uint256::MAX >> 1)), Some(Uint256::from_u64(2)));
        assert_eq!(work_of_target(&Uint256::ZERO), None);
    }
}
