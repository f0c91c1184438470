//! The 32-byte hash used for block hashes, transaction ids and merkle roots.

use core::fmt;
use core::str::FromStr;

use crate::hex::{self, HexError};

/// A 32-byte hash, printed as 64 lowercase hex characters of its bytes in storage order
/// (no byte reversal, unlike Bitcoin).
///
/// One type serves every hash of the protocol, as in the reference node; the aliases
/// [`BlockHash`] and [`TransactionId`] document intent at API boundaries.
///
/// ```
/// use pyrin_core::Hash;
/// let h: Hash = "db28f93655e579b3bbc276433711cd214b397ac8467401cb82b28f655d25f762".parse()?;
/// assert_eq!(h.as_bytes()[0], 0xdb);
/// assert_eq!(h.to_string().len(), 64);
/// # Ok::<(), pyrin_core::hex::HexError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[cfg_attr(feature = "borsh", derive(borsh::BorshSerialize, borsh::BorshDeserialize))]
pub struct Hash([u8; 32]);

/// A block hash.
pub type BlockHash = Hash;
/// A transaction id.
pub type TransactionId = Hash;

/// The all-zero hash (an empty merkle tree, an absent pruning point).
pub const ZERO_HASH: Hash = Hash([0; 32]);

impl Hash {
    /// Size of a hash in bytes.
    pub const SIZE: usize = 32;

    /// Wraps 32 bytes.
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        Hash(bytes)
    }

    /// Copies a hash out of a slice; `None` unless it holds exactly 32 bytes.
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        Some(Hash(bytes.try_into().ok()?))
    }

    /// The bytes in storage order.
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The bytes in storage order, by value.
    pub const fn to_bytes(self) -> [u8; 32] {
        self.0
    }

    /// Reads the hash as four little-endian u64 words (the order the PoW matrix seed and
    /// the reference's `Hash::to_le_u64` use).
    pub fn to_le_u64(&self) -> [u64; 4] {
        let mut out = [0u64; 4];
        for (word, chunk) in out.iter_mut().zip(self.0.chunks_exact(8)) {
            *word = u64::from_le_bytes(chunk.try_into().expect("chunks of 8"));
        }
        out
    }

    /// Builds a hash from four little-endian u64 words.
    pub fn from_le_u64(words: [u64; 4]) -> Self {
        let mut out = [0u8; 32];
        for (chunk, word) in out.chunks_exact_mut(8).zip(words) {
            chunk.copy_from_slice(&word.to_le_bytes());
        }
        Hash(out)
    }

    /// Whether every byte is zero.
    pub fn is_zero(&self) -> bool {
        self.0 == [0; 32]
    }
}

impl From<[u8; 32]> for Hash {
    fn from(bytes: [u8; 32]) -> Self {
        Hash(bytes)
    }
}

impl From<Hash> for [u8; 32] {
    fn from(hash: Hash) -> Self {
        hash.0
    }
}

impl AsRef<[u8]> for Hash {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl AsRef<[u8; 32]> for Hash {
    fn as_ref(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::LowerHex::fmt(self, f)
    }
}

impl fmt::LowerHex for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = [0u8; 64];
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        for (i, b) in self.0.iter().enumerate() {
            buf[2 * i] = DIGITS[(b >> 4) as usize];
            buf[2 * i + 1] = DIGITS[(b & 0xf) as usize];
        }
        f.write_str(core::str::from_utf8(&buf).expect("hex digits are ascii"))
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({self})")
    }
}

impl FromStr for Hash {
    type Err = HexError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut out = [0u8; 32];
        hex::decode_to_slice(s, &mut out)?;
        Ok(Hash(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn display_is_storage_order_lowercase() {
        let mut bytes = [0u8; 32];
        bytes[0] = 0xAB;
        bytes[31] = 0x01;
        let text = Hash::from_bytes(bytes).to_string();
        assert!(text.starts_with("ab00"));
        assert!(text.ends_with("0001"));
    }

    #[test]
    fn parse_rejects_wrong_length() {
        assert!(matches!("00".parse::<Hash>(), Err(HexError::WrongLength { expected: 32, found: 1 })));
    }

    #[test]
    fn le_words_round_trip() {
        let h = Hash::from_bytes(core::array::from_fn(|i| i as u8));
        assert_eq!(Hash::from_le_u64(h.to_le_u64()), h);
        assert_eq!(h.to_le_u64()[0], u64::from_le_bytes([0, 1, 2, 3, 4, 5, 6, 7]));
    }
}
