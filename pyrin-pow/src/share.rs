//! Stratum share difficulty and share validation for pools.
//!
//! Kaspa-family stratum pools and miners (kaspa-miner, the kaspa stratum bridge, and the
//! Pyrin ones derived from them) express a share difficulty `d` relative to Bitcoin's
//! difficulty-1 target, `0xffff · 2^208`: a share meets difficulty `d` when its PoW value
//! is at most `0xffff · 2^208 / d`. `mining.set_difficulty` carries `d` as a JSON number,
//! so this module accepts any positive finite `f64`.

use pyrin_core::Uint256;

use crate::PowState;

/// The target of share difficulty 1: `0xffff · 2^208`.
pub const DIFFICULTY_1_TARGET: Uint256 = Uint256([0, 0, 0, 0xffff << 16]);

/// Why a share difficulty was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ShareError {
    /// Zero, negative, infinite or NaN.
    #[error("share difficulty must be a positive finite number")]
    InvalidDifficulty,
}

/// The share target of difficulty `difficulty`: `⌊0xffff · 2^208 / difficulty⌋`, computed
/// exactly from the binary value of the `f64`; difficulties so small that the quotient
/// passes 2^256 − 1 give [`Uint256::MAX`].
///
/// ```
/// use pyrin_pow::share::{target_from_difficulty, DIFFICULTY_1_TARGET};
///
/// assert_eq!(target_from_difficulty(1.0).unwrap(), DIFFICULTY_1_TARGET);
/// assert_eq!(target_from_difficulty(4.0).unwrap(), DIFFICULTY_1_TARGET >> 2);
/// assert!(target_from_difficulty(0.0).is_err());
/// ```
pub fn target_from_difficulty(difficulty: f64) -> Result<Uint256, ShareError> {
    if !difficulty.is_finite() || difficulty <= 0.0 {
        return Err(ShareError::InvalidDifficulty);
    }
    // difficulty = mantissa · 2^exponent exactly.
    let raw = difficulty.to_bits();
    let biased = ((raw >> 52) & 0x7FF) as i32;
    let fraction = raw & ((1 << 52) - 1);
    let (mut mantissa, mut exponent) =
        if biased == 0 { (fraction, -1074) } else { (fraction | (1 << 52), biased - 1075) };
    let zeros = mantissa.trailing_zeros();
    mantissa >>= zeros;
    exponent += zeros as i32;
    if exponent >= 0 {
        let (quotient, _) = DIFFICULTY_1_TARGET.div_rem_u64(mantissa).ok_or(ShareError::InvalidDifficulty)?;
        return Ok(if exponent >= 256 { Uint256::ZERO } else { quotient >> exponent as u32 });
    }
    // Divide 0xffff · 2^(208 + shift) by the mantissa in 384 bits; the quotient passes
    // 2^256 for any shift above 86 since the mantissa is below 2^53.
    let shift = exponent.unsigned_abs();
    if shift > 100 {
        return Ok(Uint256::MAX);
    }
    let bit = 208 + shift;
    let mut wide = [0u64; 6];
    // 0xffff occupies 16 bits from `bit`; it may straddle two limbs.
    let value = 0xffffu128 << (bit % 64);
    wide[(bit / 64) as usize] = value as u64;
    if (bit / 64) as usize + 1 < wide.len() {
        wide[(bit / 64) as usize + 1] = (value >> 64) as u64;
    }
    let mut remainder = 0u128;
    for limb in wide.iter_mut().rev() {
        let current = (remainder << 64) | u128::from(*limb);
        *limb = (current / u128::from(mantissa)) as u64;
        remainder = current % u128::from(mantissa);
    }
    if wide[4] != 0 || wide[5] != 0 {
        return Ok(Uint256::MAX);
    }
    Ok(Uint256([wide[0], wide[1], wide[2], wide[3]]))
}

/// The share difficulty a target corresponds to, `0xffff · 2^208 / target`, as an `f64`
/// (for display and hash-rate estimates; a zero target gives infinity).
pub fn difficulty_of_target(target: &Uint256) -> f64 {
    to_f64(&DIFFICULTY_1_TARGET) / to_f64(target)
}

fn to_f64(v: &Uint256) -> f64 {
    v.0.iter().rev().fold(0.0, |acc, &limb| acc * 18_446_744_073_709_551_616.0 + limb as f64)
}

/// A nonce checked against a pool's share target and the network target at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShareCheck {
    /// The PoW value.
    pub value: Uint256,
    /// Whether the value meets the share target (the share is accepted).
    pub meets_share: bool,
    /// Whether the value meets the network target (the share is also a block).
    pub meets_network: bool,
}

impl PowState {
    /// Checks `nonce` against `share_target` and the template's network target with a
    /// single PoW computation.
    pub fn check_share(&self, nonce: u64, share_target: &Uint256) -> ShareCheck {
        let value = self.pow_value(nonce);
        ShareCheck { value, meets_share: value <= *share_target, meets_network: value <= self.target() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_and_fractional_difficulties() {
        assert_eq!(target_from_difficulty(3.0).unwrap(), DIFFICULTY_1_TARGET.div_rem_u64(3).unwrap().0);
        assert_eq!(target_from_difficulty(0.5).unwrap(), DIFFICULTY_1_TARGET << 1);
        assert_eq!(target_from_difficulty(1.5).unwrap(), (DIFFICULTY_1_TARGET << 1).div_rem_u64(3).unwrap().0);
        assert_eq!(target_from_difficulty(2f64.powi(-32)).unwrap(), DIFFICULTY_1_TARGET << 32);
        assert_eq!(target_from_difficulty(2f64.powi(-40)).unwrap(), Uint256::MAX);
        assert_eq!(target_from_difficulty(f64::MIN_POSITIVE / 4.0).unwrap(), Uint256::MAX);
        assert_eq!(target_from_difficulty(f64::MAX).unwrap(), Uint256::ZERO);
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert_eq!(target_from_difficulty(bad), Err(ShareError::InvalidDifficulty));
        }
    }

    #[test]
    fn difficulty_round_trips_approximately() {
        for d in [1.0, 16.0, 1234.5, 1e9] {
            let back = difficulty_of_target(&target_from_difficulty(d).unwrap());
            assert!((back - d).abs() / d < 1e-9, "{d} -> {back}");
        }
    }
}
