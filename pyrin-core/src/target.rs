use core::fmt;

use crate::uint::{BlueWork, Uint256};

/// The sign bit of the compact mantissa; a set sign bit makes the target zero.
const SIGN_BIT: u32 = 0x0080_0000;

/// `Debug` as `Name(hex)`, `Display` and `LowerHex` as the node prints 256-bit numbers
/// (big-endian hex without leading zeros), for the newtypes over [`Uint256`].
macro_rules! uint256_formatting {
    ($name:ident) => {
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl fmt::LowerHex for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::LowerHex::fmt(&self.0, f)
            }
        }
    };
}

/// A target in compact form: the `bits` field of a header.
///
/// ```
/// use pyrin_core::{CompactTarget, Target};
///
/// let bits = CompactTarget::from_consensus(0x1e7fffff);
/// let target = Target::from_compact(bits);
/// assert_eq!(target.to_compact_lossy(), bits);
/// assert_eq!(format!("{bits:x}"), "1e7fffff");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
#[cfg_attr(feature = "borsh", derive(borsh::BorshSerialize, borsh::BorshDeserialize))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(transparent))]
#[repr(transparent)]
pub struct CompactTarget(u32);

impl CompactTarget {
    /// Wraps the `bits` value of a header.
    pub const fn from_consensus(bits: u32) -> Self {
        CompactTarget(bits)
    }

    /// The `bits` value as the header stores it.
    pub const fn to_consensus(self) -> u32 {
        self.0
    }
}

impl fmt::LowerHex for CompactTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::LowerHex::fmt(&self.0, f)
    }
}

impl fmt::Debug for CompactTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CompactTarget({:#010x})", self.0)
    }
}

/// The largest PoW value a block may have.
///
/// # Targets, work and PoW values
///
/// All four are 256-bit numbers or encodings of one, and each means something different:
/// a target is the largest PoW value a block may have, a PoW value is what a nonce hashed
/// to, work is the expected number of hashes to meet a target. Each has its own type with
/// a private inner value, as in rust-bitcoin's `units::pow`, so they cannot be confused;
/// [`Uint256`] stays the plain arithmetic type underneath.
///
/// The compact form packs a target as an exponent byte and a 23-bit mantissa with a sign
/// bit (0x0080_0000), the format Bitcoin inherited from OpenSSL and Kaspa and Pyrin kept.
///
/// ```
/// use pyrin_core::{CompactTarget, PowValue, Target, Uint256};
///
/// let target = Target::from_compact(CompactTarget::from_consensus(0x207fffff));
/// assert!(target.is_met_by(PowValue::from_uint256(Uint256::from_u64(5))));
/// assert!(!target.is_met_by(PowValue::from_uint256(Uint256::MAX)));
/// assert_eq!(target.to_work().unwrap().to_uint256(), Uint256::from_u64(2));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Target(Uint256);

impl Target {
    /// The largest target, 2^256 − 1 (every PoW value meets it).
    pub const MAX: Target = Target(Uint256::MAX);
    /// The zero target (only the PoW value zero meets it).
    pub const ZERO: Target = Target(Uint256::ZERO);

    /// A target from a 256-bit number.
    pub const fn from_uint256(value: Uint256) -> Self {
        Target(value)
    }

    /// The target as a 256-bit number.
    pub const fn to_uint256(self) -> Uint256 {
        self.0
    }

    /// Decodes compact bits: the one decoder from bits to target in the crate family.
    ///
    /// With exponent `e` (top byte) and mantissa `m` (low 3 bytes): `m >> 8·(3−e)` when
    /// `e ≤ 3`, else `m << 8·(e−3)`, bits shifted past 2^256 being lost. A mantissa with
    /// the sign bit set gives zero.
    ///
    /// Exponents above 35 ask for a shift of 256 bits or more. The reference node (a
    /// release build of `kaspa-math`) then shifts by the amount modulo 256, so
    /// `0xff123456` decodes to `0x123456 << 224`; this does the same so every header's
    /// target agrees with the network's.
    pub fn from_compact(bits: CompactTarget) -> Self {
        let bits = bits.0;
        let exponent = bits >> 24;
        let mantissa = bits & 0x00ff_ffff;
        let (mantissa, shift) =
            if exponent <= 3 { (mantissa >> (8 * (3 - exponent)), 0) } else { (mantissa, 8 * (exponent - 3)) };
        if mantissa & SIGN_BIT != 0 {
            return Target::ZERO;
        }
        Target(Uint256::from_u64(mantissa as u64) << (shift % Uint256::BITS))
    }

    /// Encodes the target in compact form, keeping its top 23 significant bits (the
    /// inverse of [`Target::from_compact`] up to that precision).
    pub fn to_compact_lossy(self) -> CompactTarget {
        let target = self.0;
        let mut size = target.bits().div_ceil(8);
        let mut mantissa = if size <= 3 {
            (target.low_u64() << (8 * (3 - size))) as u32
        } else {
            (target >> (8 * (size - 3))).low_u64() as u32
        };
        if mantissa & SIGN_BIT != 0 {
            mantissa >>= 8;
            size += 1;
        }
        CompactTarget(mantissa | (size << 24))
    }

    /// Whether a PoW value meets the target (is at most it).
    pub fn is_met_by(self, value: PowValue) -> bool {
        value.0 <= self.0
    }

    /// The expected number of hashes to meet the target: 2^256 / (target + 1), computed
    /// as `(¬target / (target + 1)) + 1` so it stays inside 256 bits.
    ///
    /// `None` for a zero target, whose work would be 2^256.
    pub fn to_work(self) -> Option<Work> {
        let target = self.0;
        if target.is_zero() {
            return None;
        }
        let Some(divisor) = target.checked_add(Uint256::ONE) else {
            // 2^256 / 2^256
            return Some(Work(Uint256::ONE));
        };
        let (q, _) = (!target).div_rem(divisor)?;
        Some(Work(q + Uint256::ONE))
    }
}

impl From<CompactTarget> for Target {
    /// Decodes compact bits ([`Target::from_compact`]), so a function taking
    /// `impl Into<Target>` accepts either form.
    fn from(bits: CompactTarget) -> Self {
        Target::from_compact(bits)
    }
}

uint256_formatting!(Target);

/// The work of one block: the expected number of hashes to meet its target.
///
/// ```
/// use pyrin_core::{BlueWork, CompactTarget, Work};
///
/// let work = Work::from_compact(CompactTarget::from_consensus(0x1e7fffff)).unwrap();
/// let blue_work = BlueWork::ZERO.checked_add_work(work).unwrap();
/// assert_eq!(blue_work.to_string(), work.to_uint256().to_string());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Work(Uint256);

impl Work {
    /// Work from a 256-bit number.
    pub const fn from_uint256(value: Uint256) -> Self {
        Work(value)
    }

    /// The work as a 256-bit number.
    pub const fn to_uint256(self) -> Uint256 {
        self.0
    }

    /// The work of a block with compact target `bits`; `None` when the target is zero.
    pub fn from_compact(bits: CompactTarget) -> Option<Self> {
        Target::from_compact(bits).to_work()
    }

    /// The work as blue work (192 bits); `None` when it needs more than 192 bits (targets
    /// below 2^64, which no valid block carries).
    pub fn to_blue_work(self) -> Option<BlueWork> {
        BlueWork::from_uint256(self.0)
    }
}

uint256_formatting!(Work);

/// The PoW value of a header and nonce: the final hash read as a little-endian number,
/// which meets a [`Target`] when it is at most the target.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct PowValue(Uint256);

impl PowValue {
    /// A PoW value from a 256-bit number.
    pub const fn from_uint256(value: Uint256) -> Self {
        PowValue(value)
    }

    /// The PoW value as a 256-bit number.
    pub const fn to_uint256(self) -> Uint256 {
        self.0
    }

    /// Reads a final hash's 32 bytes as a little-endian number, as the PoW does.
    pub fn from_le_bytes(bytes: [u8; 32]) -> Self {
        PowValue(Uint256::from_le_bytes(bytes))
    }
}

uint256_formatting!(PowValue);

#[cfg(test)]
mod tests {
    use super::*;

    fn target(bits: u32) -> Uint256 {
        Target::from_compact(CompactTarget::from_consensus(bits)).to_uint256()
    }

    #[test]
    fn decodes_small_exponents_by_shifting_right() {
        assert_eq!(target(0x0112_3456), Uint256::from_u64(0x12));
        assert_eq!(target(0x0312_3456), Uint256::from_u64(0x12_3456));
    }

    #[test]
    fn sign_bit_gives_zero() {
        assert_eq!(target(0x0480_0000), Uint256::ZERO);
    }

    #[test]
    fn oversized_exponent_wraps_the_shift_like_the_node() {
        assert_eq!(target(0xff12_3456), Uint256::from_u64(0x12_3456) << 224);
    }

    #[test]
    fn round_trips_a_network_target() {
        let bits = CompactTarget::from_consensus(0x1e7f_ffff);
        assert_eq!(Target::from_compact(bits).to_compact_lossy(), bits);
    }

    #[test]
    fn work_of_max_target_is_two() {
        assert_eq!(Target::from_uint256(Uint256::MAX >> 1).to_work(), Some(Work(Uint256::from_u64(2))));
        assert_eq!(Target::MAX.to_work(), Some(Work(Uint256::ONE)));
        assert_eq!(Target::ZERO.to_work(), None);
    }

    #[test]
    fn a_value_meets_a_target_up_to_equality() {
        let t = Target::from_uint256(Uint256::from_u64(10));
        assert!(t.is_met_by(PowValue::from_uint256(Uint256::from_u64(10))));
        assert!(!t.is_met_by(PowValue::from_uint256(Uint256::from_u64(11))));
    }
}
