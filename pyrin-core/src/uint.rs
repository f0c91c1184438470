use core::cmp::Ordering;
use core::fmt;
use core::ops::{Add, BitAnd, BitOr, Not, Shl, Shr, Sub};

use crate::hex::HexError;

/// An unsigned 256-bit integer, stored as four little-endian u64 limbs: the arithmetic
/// under [`Target`](crate::Target), [`Work`](crate::Work) and [`PowValue`](crate::PowValue).
///
/// Arithmetic wraps modulo 2^256 like the reference's `kaspa-math` types; checked variants
/// are provided where overflow matters.
///
/// ```
/// use pyrin_core::Uint256;
/// let x = Uint256::from_u64(1) << 200;
/// assert_eq!(x.bits(), 201);
/// assert_eq!(x.to_le_words(), [0, 0, 0, 1 << 8]);
/// assert!(Uint256::from_u64(1) < x);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Uint256([u64; 4]);

impl Uint256 {
    /// Zero.
    pub const ZERO: Uint256 = Uint256([0; 4]);
    /// One.
    pub const ONE: Uint256 = Uint256([1, 0, 0, 0]);
    /// 2^256 − 1.
    pub const MAX: Uint256 = Uint256([u64::MAX; 4]);
    /// Width in bits.
    pub const BITS: u32 = 256;

    /// A value from four little-endian u64 words (least significant first).
    pub const fn from_le_words(words: [u64; 4]) -> Self {
        Uint256(words)
    }

    /// The four little-endian u64 words (least significant first).
    pub const fn to_le_words(&self) -> [u64; 4] {
        self.0
    }

    /// A value from a u64.
    pub const fn from_u64(v: u64) -> Self {
        Uint256([v, 0, 0, 0])
    }

    /// A value from a u128.
    pub const fn from_u128(v: u128) -> Self {
        Uint256([v as u64, (v >> 64) as u64, 0, 0])
    }

    /// The low 64 bits.
    pub const fn low_u64(&self) -> u64 {
        self.0[0]
    }

    /// The value as a u64 when it fits.
    pub fn to_u64(&self) -> Option<u64> {
        (self.0[1] == 0 && self.0[2] == 0 && self.0[3] == 0).then_some(self.0[0])
    }

    /// The value as a u128 when it fits.
    pub fn to_u128(&self) -> Option<u128> {
        (self.0[2] == 0 && self.0[3] == 0).then_some(u128::from(self.0[0]) | (u128::from(self.0[1]) << 64))
    }

    /// Reads 32 little-endian bytes (how a PoW hash is read as a number).
    pub fn from_le_bytes(bytes: [u8; 32]) -> Self {
        let mut limbs = [0u64; 4];
        for (limb, chunk) in limbs.iter_mut().zip(bytes.chunks_exact(8)) {
            *limb = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
        }
        Uint256(limbs)
    }

    /// The 32 little-endian bytes.
    pub fn to_le_bytes(&self) -> [u8; 32] {
        let mut out = [0u8; 32];
        for (chunk, limb) in out.chunks_exact_mut(8).zip(self.0) {
            chunk.copy_from_slice(&limb.to_le_bytes());
        }
        out
    }

    /// Reads 32 big-endian bytes.
    pub fn from_be_bytes(mut bytes: [u8; 32]) -> Self {
        bytes.reverse();
        Self::from_le_bytes(bytes)
    }

    /// The 32 big-endian bytes.
    pub fn to_be_bytes(&self) -> [u8; 32] {
        let mut out = self.to_le_bytes();
        out.reverse();
        out
    }

    /// Reads up to 32 big-endian bytes (shorter inputs are zero-extended); `None` if longer.
    pub fn from_be_slice(bytes: &[u8]) -> Option<Self> {
        if bytes.len() > 32 {
            return None;
        }
        let mut buf = [0u8; 32];
        buf[32 - bytes.len()..].copy_from_slice(bytes);
        Some(Self::from_be_bytes(buf))
    }

    /// Parses big-endian hex with or without leading zeros (`"0"` is zero), as the node
    /// prints targets and blue work.
    ///
    /// # Errors
    /// [`HexError::WrongLength`] for more than 64 digits, [`HexError::InvalidCharacter`]
    /// (with its index in `text`) for the first character that is not a hex digit.
    pub fn from_be_hex(text: &str) -> Result<Self, HexError> {
        if text.len() > 64 {
            return Err(HexError::WrongLength { expected: 32, found: text.len().div_ceil(2) });
        }
        let mut padded = [b'0'; 64];
        padded[64 - text.len()..].copy_from_slice(text.as_bytes());
        let mut out = [0u8; 32];
        // The padded text is ASCII wherever the input was; a non-ASCII input fails below.
        let padded = core::str::from_utf8(&padded).map_err(|e| HexError::InvalidCharacter {
            character: char::REPLACEMENT_CHARACTER,
            index: e.valid_up_to(),
        })?;
        crate::hex::decode_to_slice(padded, &mut out).map_err(|e| match e {
            HexError::InvalidCharacter { character, index } => {
                HexError::InvalidCharacter { character, index: index - (64 - text.len()) }
            }
            other => other,
        })?;
        Ok(Self::from_be_bytes(out))
    }

    /// Whether the value is zero.
    pub fn is_zero(&self) -> bool {
        self.0 == [0; 4]
    }

    /// The number of significant bits (0 for zero).
    pub fn bits(&self) -> u32 {
        for i in (0..4).rev() {
            if self.0[i] != 0 {
                return 64 * i as u32 + (64 - self.0[i].leading_zeros());
            }
        }
        0
    }

    /// Addition with an overflow flag.
    pub fn overflowing_add(self, rhs: Self) -> (Self, bool) {
        let mut out = [0u64; 4];
        let mut carry = false;
        for (i, o) in out.iter_mut().enumerate() {
            let (s1, c1) = self.0[i].overflowing_add(rhs.0[i]);
            let (s2, c2) = s1.overflowing_add(carry as u64);
            *o = s2;
            carry = c1 || c2;
        }
        (Uint256(out), carry)
    }

    /// Subtraction with a borrow flag.
    pub fn overflowing_sub(self, rhs: Self) -> (Self, bool) {
        let mut out = [0u64; 4];
        let mut borrow = false;
        for (i, o) in out.iter_mut().enumerate() {
            let (d1, b1) = self.0[i].overflowing_sub(rhs.0[i]);
            let (d2, b2) = d1.overflowing_sub(borrow as u64);
            *o = d2;
            borrow = b1 || b2;
        }
        (Uint256(out), borrow)
    }

    /// Addition, `None` on overflow.
    pub fn checked_add(self, rhs: Self) -> Option<Self> {
        match self.overflowing_add(rhs) {
            (v, false) => Some(v),
            _ => None,
        }
    }

    /// Subtraction, `None` on underflow.
    pub fn checked_sub(self, rhs: Self) -> Option<Self> {
        match self.overflowing_sub(rhs) {
            (v, false) => Some(v),
            _ => None,
        }
    }

    /// Multiplication by a u64 with the carry out of the top limb.
    pub fn overflowing_mul_u64(self, rhs: u64) -> (Self, u64) {
        let mut out = [0u64; 4];
        let mut carry = 0u128;
        for (i, o) in out.iter_mut().enumerate() {
            let p = self.0[i] as u128 * rhs as u128 + carry;
            *o = p as u64;
            carry = p >> 64;
        }
        (Uint256(out), carry as u64)
    }

    /// Multiplication by a u64, `None` on overflow.
    pub fn checked_mul_u64(self, rhs: u64) -> Option<Self> {
        match self.overflowing_mul_u64(rhs) {
            (v, 0) => Some(v),
            _ => None,
        }
    }

    /// Division by a u64 with remainder; `None` when dividing by zero.
    pub fn div_rem_u64(self, rhs: u64) -> Option<(Self, u64)> {
        if rhs == 0 {
            return None;
        }
        let mut out = [0u64; 4];
        let mut rem = 0u128;
        for i in (0..4).rev() {
            let cur = (rem << 64) | self.0[i] as u128;
            out[i] = (cur / rhs as u128) as u64;
            rem = cur % rhs as u128;
        }
        Some((Uint256(out), rem as u64))
    }

    /// Division with remainder; `None` when dividing by zero.
    pub fn div_rem(self, rhs: Self) -> Option<(Self, Self)> {
        if rhs.is_zero() {
            return None;
        }
        if let Some(small) = rhs.to_u64() {
            let (q, r) = self.div_rem_u64(small)?;
            return Some((q, Uint256::from_u64(r)));
        }
        if self < rhs {
            return Some((Uint256::ZERO, self));
        }
        // Shift-subtract long division over only the bits the quotient can have; for the
        // large targets of real blocks that is a few dozen steps.
        let shift = self.bits() - rhs.bits();
        let mut divisor = rhs << shift;
        let mut rem = self;
        let mut quotient = Uint256::ZERO;
        for i in (0..=shift).rev() {
            if rem >= divisor {
                rem = rem - divisor;
                quotient.0[(i / 64) as usize] |= 1 << (i % 64);
            }
            divisor = divisor >> 1;
        }
        Some((quotient, rem))
    }

    /// Division, `None` when dividing by zero.
    pub fn checked_div(self, rhs: Self) -> Option<Self> {
        self.div_rem(rhs).map(|(q, _)| q)
    }
}

impl Ord for Uint256 {
    fn cmp(&self, other: &Self) -> Ordering {
        for i in (0..4).rev() {
            match self.0[i].cmp(&other.0[i]) {
                Ordering::Equal => continue,
                unequal => return unequal,
            }
        }
        Ordering::Equal
    }
}

impl PartialOrd for Uint256 {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Add for Uint256 {
    type Output = Uint256;
    /// Wrapping addition.
    fn add(self, rhs: Self) -> Self {
        self.overflowing_add(rhs).0
    }
}

impl Sub for Uint256 {
    type Output = Uint256;
    /// Wrapping subtraction.
    fn sub(self, rhs: Self) -> Self {
        self.overflowing_sub(rhs).0
    }
}

impl Not for Uint256 {
    type Output = Uint256;
    fn not(self) -> Self {
        Uint256(self.0.map(|l| !l))
    }
}

impl BitAnd for Uint256 {
    type Output = Uint256;
    fn bitand(self, rhs: Self) -> Self {
        Uint256(core::array::from_fn(|i| self.0[i] & rhs.0[i]))
    }
}

impl BitOr for Uint256 {
    type Output = Uint256;
    fn bitor(self, rhs: Self) -> Self {
        Uint256(core::array::from_fn(|i| self.0[i] | rhs.0[i]))
    }
}

impl Shl<u32> for Uint256 {
    type Output = Uint256;
    /// Shift left; bits shifted past 2^255 are lost, a shift of 256 or more gives zero.
    fn shl(self, shift: u32) -> Self {
        if shift >= 256 {
            return Uint256::ZERO;
        }
        let (limbs, bits) = ((shift / 64) as usize, shift % 64);
        let mut out = [0u64; 4];
        for i in (limbs..4).rev() {
            out[i] = self.0[i - limbs] << bits;
            if bits > 0 && i > limbs {
                out[i] |= self.0[i - limbs - 1] >> (64 - bits);
            }
        }
        Uint256(out)
    }
}

impl Shr<u32> for Uint256 {
    type Output = Uint256;
    /// Shift right; a shift of 256 or more gives zero.
    fn shr(self, shift: u32) -> Self {
        if shift >= 256 {
            return Uint256::ZERO;
        }
        let (limbs, bits) = ((shift / 64) as usize, shift % 64);
        let mut out = [0u64; 4];
        for (i, o) in out.iter_mut().enumerate().take(4 - limbs) {
            *o = self.0[i + limbs] >> bits;
            if bits > 0 && i + limbs + 1 < 4 {
                *o |= self.0[i + limbs + 1] << (64 - bits);
            }
        }
        Uint256(out)
    }
}

impl From<u64> for Uint256 {
    fn from(v: u64) -> Self {
        Uint256::from_u64(v)
    }
}

impl From<BlueWork> for Uint256 {
    fn from(w: BlueWork) -> Self {
        Uint256([w.0[0], w.0[1], w.0[2], 0])
    }
}

fn fmt_be_hex(limbs: &[u64], f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let mut started = false;
    for &limb in limbs.iter().rev() {
        if started {
            write!(f, "{limb:016x}")?;
        } else if limb != 0 {
            write!(f, "{limb:x}")?;
            started = true;
        }
    }
    if !started {
        f.write_str("0")?;
    }
    Ok(())
}

impl fmt::LowerHex for Uint256 {
    /// Big-endian hex without leading zeros, `0` for zero (as the node prints targets).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_be_hex(&self.0, f)
    }
}

impl fmt::Display for Uint256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::LowerHex::fmt(self, f)
    }
}

impl fmt::Debug for Uint256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Uint256(0x{self:x})")
    }
}

/// Accumulated work of a chain of blocks, a 192-bit unsigned integer as the node keeps it.
///
/// Consensus encodes it as its big-endian bytes with leading zero bytes removed.
///
/// ```
/// use pyrin_core::BlueWork;
/// let w = BlueWork::from_be_hex("140000").unwrap();
/// assert_eq!(w.to_be_bytes_trimmed(), [0x14, 0x00, 0x00]);
/// assert_eq!(w.to_string(), "140000");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct BlueWork(Limbs192);

/// Limbs compared most significant first, so the derived order is numeric.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
struct Limbs192([u64; 3]);

impl Ord for Limbs192 {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.iter().rev().cmp(other.0.iter().rev())
    }
}

impl PartialOrd for Limbs192 {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl core::ops::Index<usize> for Limbs192 {
    type Output = u64;
    fn index(&self, i: usize) -> &u64 {
        &self.0[i]
    }
}

impl BlueWork {
    /// Zero work.
    pub const ZERO: BlueWork = BlueWork(Limbs192([0; 3]));
    /// The largest representable work, 2^192 − 1.
    pub const MAX: BlueWork = BlueWork(Limbs192([u64::MAX; 3]));

    /// Work from three little-endian u64 limbs.
    pub const fn from_limbs(limbs: [u64; 3]) -> Self {
        BlueWork(Limbs192(limbs))
    }

    /// The three little-endian u64 limbs.
    pub const fn limbs(&self) -> [u64; 3] {
        self.0 .0
    }

    /// Work from a u64.
    pub const fn from_u64(v: u64) -> Self {
        BlueWork(Limbs192([v, 0, 0]))
    }

    /// Narrows a 256-bit value; `None` if it needs more than 192 bits.
    pub fn from_uint256(v: Uint256) -> Option<Self> {
        (v.0[3] == 0).then_some(BlueWork(Limbs192([v.0[0], v.0[1], v.0[2]])))
    }

    /// Adds one block's work; `None` when the sum needs more than 192 bits.
    pub fn checked_add_work(self, work: crate::target::Work) -> Option<Self> {
        self.checked_add(Self::from_uint256(work.to_uint256())?)
    }

    /// Whether the work is zero.
    pub fn is_zero(&self) -> bool {
        self.0 .0 == [0; 3]
    }

    /// Addition, `None` on overflow past 2^192.
    pub fn checked_add(self, rhs: Self) -> Option<Self> {
        let mut out = [0u64; 3];
        let mut carry = false;
        for (i, o) in out.iter_mut().enumerate() {
            let (s1, c1) = self.0[i].overflowing_add(rhs.0[i]);
            let (s2, c2) = s1.overflowing_add(carry as u64);
            *o = s2;
            carry = c1 || c2;
        }
        (!carry).then_some(BlueWork(Limbs192(out)))
    }

    /// Addition that stops at [`BlueWork::MAX`].
    pub fn saturating_add(self, rhs: Self) -> Self {
        self.checked_add(rhs).unwrap_or(Self::MAX)
    }

    /// Subtraction, `None` if `rhs` is larger.
    pub fn checked_sub(self, rhs: Self) -> Option<Self> {
        let (v, borrow) = Uint256::from(self).overflowing_sub(Uint256::from(rhs));
        if borrow {
            None
        } else {
            Self::from_uint256(v)
        }
    }

    /// The 24 big-endian bytes.
    pub fn to_be_bytes(&self) -> [u8; 24] {
        let mut out = [0u8; 24];
        for (i, limb) in self.0 .0.iter().rev().enumerate() {
            out[8 * i..8 * i + 8].copy_from_slice(&limb.to_be_bytes());
        }
        out
    }

    /// The big-endian bytes without leading zero bytes (empty for zero): the consensus
    /// encoding of blue work inside a header.
    pub fn to_be_bytes_trimmed(&self) -> alloc::vec::Vec<u8> {
        let bytes = self.to_be_bytes();
        let start = bytes.iter().position(|&b| b != 0).unwrap_or(24);
        bytes[start..].to_vec()
    }

    /// Reads up to 24 big-endian bytes; `None` if longer.
    pub fn from_be_slice(bytes: &[u8]) -> Option<Self> {
        if bytes.len() > 24 {
            return None;
        }
        Self::from_uint256(Uint256::from_be_slice(bytes)?)
    }

    /// Parses big-endian hex, leading zeros optional.
    ///
    /// # Errors
    /// Those of [`Uint256::from_be_hex`], and [`HexError::WrongLength`] (`expected: 24`,
    /// `found`: the bytes the value needs) for a value past 192 bits.
    pub fn from_be_hex(text: &str) -> Result<Self, HexError> {
        let v = Uint256::from_be_hex(text)?;
        Self::from_uint256(v).ok_or(HexError::WrongLength { expected: 24, found: v.bits().div_ceil(8) as usize })
    }
}

impl Add for BlueWork {
    type Output = BlueWork;
    /// Addition.
    ///
    /// # Panics
    /// On overflow past 2^192, in every build (as integer overflow does in debug builds);
    /// use [`BlueWork::checked_add`] on untrusted values.
    fn add(self, rhs: Self) -> Self {
        self.checked_add(rhs).expect("blue work overflowed 192 bits")
    }
}

impl fmt::LowerHex for BlueWork {
    /// Big-endian hex without leading zeros, `0` for zero (as the node prints blue work).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_be_hex(&self.0 .0, f)
    }
}

impl fmt::Display for BlueWork {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::LowerHex::fmt(self, f)
    }
}

impl fmt::Debug for BlueWork {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BlueWork(0x{self:x})")
    }
}

impl core::str::FromStr for BlueWork {
    type Err = HexError;
    /// Parses big-endian hex: [`BlueWork::from_be_hex`].
    ///
    /// # Errors
    /// As [`BlueWork::from_be_hex`].
    fn from_str(s: &str) -> Result<Self, HexError> {
        Self::from_be_hex(s)
    }
}

impl core::str::FromStr for Uint256 {
    type Err = HexError;
    /// Parses big-endian hex: [`Uint256::from_be_hex`].
    ///
    /// # Errors
    /// As [`Uint256::from_be_hex`].
    fn from_str(s: &str) -> Result<Self, HexError> {
        Self::from_be_hex(s)
    }
}

#[cfg(feature = "borsh")]
mod borsh_impl {
    use super::*;
    use borsh::io::{Read, Result, Write};
    use borsh::{BorshDeserialize, BorshSerialize};

    #[cfg_attr(docsrs, doc(cfg(feature = "borsh")))]
    impl BorshSerialize for Uint256 {
        fn serialize<W: Write>(&self, w: &mut W) -> Result<()> {
            w.write_all(&self.to_le_bytes())
        }
    }
    #[cfg_attr(docsrs, doc(cfg(feature = "borsh")))]
    impl BorshDeserialize for Uint256 {
        fn deserialize_reader<R: Read>(r: &mut R) -> Result<Self> {
            Ok(Uint256::from_le_bytes(<[u8; 32]>::deserialize_reader(r)?))
        }
    }
    #[cfg_attr(docsrs, doc(cfg(feature = "borsh")))]
    impl BorshSerialize for BlueWork {
        fn serialize<W: Write>(&self, w: &mut W) -> Result<()> {
            self.limbs().serialize(w)
        }
    }
    #[cfg_attr(docsrs, doc(cfg(feature = "borsh")))]
    impl BorshDeserialize for BlueWork {
        fn deserialize_reader<R: Read>(r: &mut R) -> Result<Self> {
            Ok(BlueWork::from_limbs(<[u64; 3]>::deserialize_reader(r)?))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    #[test]
    fn shifts_move_across_limbs() {
        let one = Uint256::ONE;
        assert_eq!((one << 64).0, [0, 1, 0, 0]);
        assert_eq!((one << 255) >> 255, one);
        assert_eq!(one << 256, Uint256::ZERO);
        assert_eq!(((one << 100) >> 36).0, [0, 1, 0, 0]);
    }

    #[test]
    fn division_matches_u128() {
        let pairs = [(u128::MAX, 3u128), (1 << 100, (1 << 70) + 5), (12345, 1 << 90), (u128::MAX, u128::MAX / 7)];
        for (a, b) in pairs {
            let (q, r) = Uint256::from_u128(a).div_rem(Uint256::from_u128(b)).unwrap();
            assert_eq!(q, Uint256::from_u128(a / b));
            assert_eq!(r, Uint256::from_u128(a % b));
        }
        assert!(Uint256::ONE.div_rem(Uint256::ZERO).is_none());
    }

    #[test]
    fn hex_is_big_endian_without_leading_zeros() {
        assert_eq!(format!("{:x}", Uint256::ZERO), "0");
        assert_eq!(format!("{:x}", Uint256([0, 1, 0, 0])), "10000000000000000");
        assert_eq!(Uint256::from_be_hex("10000000000000000").unwrap(), Uint256([0, 1, 0, 0]));
        assert!(Uint256::from_be_hex("zz").is_err());
    }

    #[test]
    fn blue_work_orders_numerically() {
        let small = BlueWork::from_limbs([u64::MAX, 0, 0]);
        let big = BlueWork::from_limbs([0, 1, 0]);
        assert!(small < big);
        assert_eq!(small.checked_add(BlueWork::from_u64(1)), Some(big));
        assert_eq!(BlueWork::MAX.checked_add(BlueWork::from_u64(1)), None);
    }
}
