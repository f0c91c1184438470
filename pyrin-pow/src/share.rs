//! Stratum share difficulty and share validation for pools.
//!
//! Kaspa-family stratum pools and miners (kaspa-miner, the kaspa stratum bridge, and the
//! Pyrin ones derived from them) express a share difficulty `d` relative to Bitcoin's
//! difficulty-1 target, `0xffff · 2^208`: a share meets difficulty `d` when its PoW value
//! is at most `0xffff · 2^208 / d`. `mining.set_difficulty` carries `d` as a JSON number,
//! so this module accepts any positive finite `f64`.

use pyrin_core::{PowValue, Target, Uint256};

use crate::PowState;

/// The target of share difficulty 1: `0xffff · 2^208`.
pub const DIFFICULTY_1_TARGET: Target = Target::from_uint256(Uint256::from_le_words([0, 0, 0, 0xffff << 16]));

/// Why a share difficulty was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ShareError {
    /// Zero, negative, infinite or NaN.
    #[error("share difficulty must be a positive finite number")]
    InvalidDifficulty,
}

/// The share target of difficulty `difficulty`: `⌊0xffff · 2^208 / difficulty⌋`, computed
/// exactly from the binary value of the `f64`; difficulties so small that the quotient
/// passes 2^256 − 1 give [`Target::MAX`].
///
/// ```
/// use pyrin_pow::share::{target_from_difficulty, DIFFICULTY_1_TARGET};
///
/// assert_eq!(target_from_difficulty(1.0).unwrap(), DIFFICULTY_1_TARGET);
/// assert_eq!(target_from_difficulty(4.0).unwrap().to_uint256(), DIFFICULTY_1_TARGET.to_uint256() >> 2);
/// assert!(target_from_difficulty(0.0).is_err());
/// ```
///
/// # Errors
/// [`ShareError::InvalidDifficulty`] for a difficulty that is zero, negative, infinite
/// or NaN.
pub fn target_from_difficulty(difficulty: f64) -> Result<Target, ShareError> {
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
        let (quotient, _) =
            DIFFICULTY_1_TARGET.to_uint256().div_rem_u64(mantissa).ok_or(ShareError::InvalidDifficulty)?;
        return Ok(Target::from_uint256(if exponent >= 256 { Uint256::ZERO } else { quotient >> exponent as u32 }));
    }
    // Divide 0xffff · 2^(208 + shift) by the mantissa in 384 bits; the quotient passes
    // 2^256 for any shift above 86 since the mantissa is below 2^53.
    let shift = exponent.unsigned_abs();
    if shift > 100 {
        return Ok(Target::MAX);
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
        return Ok(Target::MAX);
    }
    Ok(Target::from_uint256(Uint256::from_le_words([wide[0], wide[1], wide[2], wide[3]])))
}

/// The share difficulty a target corresponds to, `0xffff · 2^208 / target`, as an `f64`
/// (for display and hash-rate estimates; a zero target gives infinity).
pub fn difficulty_of_target(target: Target) -> f64 {
    to_f64(&DIFFICULTY_1_TARGET.to_uint256()) / to_f64(&target.to_uint256())
}

fn to_f64(v: &Uint256) -> f64 {
    v.to_le_words().iter().rev().fold(0.0, |acc, &limb| acc * 18_446_744_073_709_551_616.0 + limb as f64)
}

/// A nonce checked against a pool's share target and the network target at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShareCheck {
    /// The PoW value.
    pub value: PowValue,
    /// Whether the value meets the share target (the share is accepted).
    pub meets_share: bool,
    /// Whether the value meets the network target (the share is also a block).
    pub meets_network: bool,
}

impl PowState {
    /// Checks `nonce` against a share target and the template's network target with a
    /// single PoW computation. The share target is a [`Target`] or, as some pools keep
    /// it, a [`CompactTarget`](pyrin_core::CompactTarget).
    pub fn check_share(&self, nonce: u64, share_target: impl Into<Target>) -> ShareCheck {
        let value = self.pow_value(nonce);
        ShareCheck {
            value,
            meets_share: share_target.into().is_met_by(value),
            meets_network: self.target().is_met_by(value),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_and_fractional_difficulties() {
        let one = DIFFICULTY_1_TARGET.to_uint256();
        let target = |d: f64| target_from_difficulty(d).unwrap().to_uint256();
        assert_eq!(target(3.0), one.div_rem_u64(3).unwrap().0);
        assert_eq!(target(0.5), one << 1);
        assert_eq!(target(1.5), (one << 1).div_rem_u64(3).unwrap().0);
        assert_eq!(target(2f64.powi(-32)), one << 32);
        assert_eq!(target(2f64.powi(-40)), Uint256::MAX);
        assert_eq!(target(f64::MIN_POSITIVE / 4.0), Uint256::MAX);
        assert_eq!(target(f64::MAX), Uint256::ZERO);
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert_eq!(target_from_difficulty(bad), Err(ShareError::InvalidDifficulty));
        }
    }

    #[test]
    fn difficulty_round_trips_approximately() {
        for d in [1.0, 16.0, 1234.5, 1e9] {
            let back = difficulty_of_target(target_from_difficulty(d).unwrap());
            assert!((back - d).abs() / d < 1e-9, "{d} -> {back}");
        }
    }
}
