use core::fmt;
use core::str::FromStr;

use crate::hex::{self, HexError};

/// A 32-byte hash, printed as 64 lowercase hex characters of its bytes in storage order
/// (no byte reversal, unlike Bitcoin): the raw output of the protocol's hashers.
///
/// # Hash roles
/// The protocol hashes many things with one 32-byte output, and mixing them up (passing a
/// transaction id where a block hash belongs) is a bug the compiler should catch. So each
/// role has its own type, in the manner of rust-bitcoin's `hash_newtype!`: [`BlockHash`],
/// [`TransactionId`], [`TransactionHash`], [`MerkleRoot`], [`PrePowHash`] and
/// [`UtxoCommitment`]. They share the bytes, hex form, borsh and serde form of `Hash`;
/// converting between a role and the raw hash is explicit (`from_raw_hash`,
/// `to_raw_hash`). Other crates of the family declare their own roles with
/// [`hash_newtype!`](crate::hash_newtype).
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

    /// Reads 64 hex digits (either case) as the 32 bytes in storage order.
    ///
    /// # Errors
    /// As [`hex::decode_to_slice`] into 32 bytes: [`HexError::OddLength`],
    /// [`HexError::WrongLength`] unless the text holds 64 digits,
    /// [`HexError::InvalidCharacter`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut out = [0u8; 32];
        hex::decode_to_slice(s, &mut out)?;
        Ok(Hash(out))
    }
}

/// Declares a hash role type: a 32-byte hash that the compiler keeps apart from every
/// other role.
///
/// The type wraps a [`Hash`](struct@crate::Hash) and gets its byte accessors, lowercase-hex `Display`,
/// `FromStr` and `Debug`, borsh (with the `borsh` feature of `pyrin-core`) and serde (with
/// its `serde` feature) in exactly the form of `Hash`. Conversions to and from the raw
/// hash are explicit: `from_raw_hash`, `to_raw_hash`, `as_raw_hash`.
///
/// ```
/// pyrin_core::hash_newtype! {
///     /// The digest a signature commits to.
///     pub struct SigHash;
/// }
/// let digest = SigHash::from_bytes([7; 32]);
/// assert_eq!(digest.to_raw_hash().as_bytes(), &[7; 32]);
/// assert_eq!(format!("{digest:?}"), format!("SigHash({})", "07".repeat(32)));
/// ```
#[macro_export]
macro_rules! hash_newtype {
    ($(#[$meta:meta])* $vis:vis struct $name:ident;) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
        #[repr(transparent)]
        $vis struct $name($crate::Hash);

        impl $name {
            /// Size in bytes.
            pub const SIZE: usize = 32;
            /// The all-zero value.
            pub const ZERO: Self = Self($crate::Hash::from_bytes([0; 32]));

            /// Wraps 32 bytes in storage order.
            pub const fn from_bytes(bytes: [u8; 32]) -> Self {
                Self($crate::Hash::from_bytes(bytes))
            }

            /// Copies a value out of a slice; `None` unless it holds exactly 32 bytes.
            pub fn from_slice(bytes: &[u8]) -> ::core::option::Option<Self> {
                $crate::Hash::from_slice(bytes).map(Self)
            }

            /// Gives a raw hash this role.
            pub const fn from_raw_hash(hash: $crate::Hash) -> Self {
                Self(hash)
            }

            /// The raw hash, without its role.
            pub const fn to_raw_hash(self) -> $crate::Hash {
                self.0
            }

            /// The raw hash, by reference.
            pub const fn as_raw_hash(&self) -> &$crate::Hash {
                &self.0
            }

            /// The bytes in storage order.
            pub const fn as_bytes(&self) -> &[u8; 32] {
                self.0.as_bytes()
            }

            /// The bytes in storage order, by value.
            pub const fn to_bytes(self) -> [u8; 32] {
                self.0.to_bytes()
            }

            /// Whether every byte is zero.
            pub fn is_zero(&self) -> bool {
                self.0.is_zero()
            }
        }

        impl ::core::convert::AsRef<[u8]> for $name {
            fn as_ref(&self) -> &[u8] {
                self.0.as_bytes()
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                ::core::fmt::Display::fmt(&self.0, f)
            }
        }

        impl ::core::fmt::LowerHex for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                ::core::fmt::LowerHex::fmt(&self.0, f)
            }
        }

        impl ::core::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                ::core::write!(f, "{}({})", ::core::stringify!($name), self.0)
            }
        }

        impl ::core::str::FromStr for $name {
            type Err = $crate::hex::HexError;
            /// Reads 64 hex digits (either case), as `Hash` does.
            ///
            /// # Errors
            /// The `HexError` of `Hash::from_str`: odd length, not 64 digits, or a
            /// character that is not a hex digit.
            fn from_str(s: &str) -> ::core::result::Result<Self, Self::Err> {
                s.parse::<$crate::Hash>().map(Self)
            }
        }

        $crate::__hash_newtype_borsh!($name);
        $crate::__hash_newtype_serde!($name);
    };
}

#[cfg(feature = "borsh")]
#[doc(hidden)]
#[macro_export]
macro_rules! __hash_newtype_borsh {
    ($name:ident) => {
        impl $crate::borsh::BorshSerialize for $name {
            fn serialize<W: $crate::borsh::io::Write>(&self, writer: &mut W) -> $crate::borsh::io::Result<()> {
                $crate::borsh::BorshSerialize::serialize(&self.0, writer)
            }
        }
        impl $crate::borsh::BorshDeserialize for $name {
            fn deserialize_reader<R: $crate::borsh::io::Read>(reader: &mut R) -> $crate::borsh::io::Result<Self> {
                <$crate::Hash as $crate::borsh::BorshDeserialize>::deserialize_reader(reader).map(Self)
            }
        }
    };
}

#[cfg(not(feature = "borsh"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __hash_newtype_borsh {
    ($name:ident) => {};
}

#[cfg(feature = "serde")]
#[doc(hidden)]
#[macro_export]
macro_rules! __hash_newtype_serde {
    ($name:ident) => {
        impl $crate::serde::Serialize for $name {
            fn serialize<S: $crate::serde::Serializer>(&self, s: S) -> ::core::result::Result<S::Ok, S::Error> {
                $crate::serde::Serialize::serialize(&self.0, s)
            }
        }
        impl<'de> $crate::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::serde::Deserializer<'de>>(d: D) -> ::core::result::Result<Self, D::Error> {
                <$crate::Hash as $crate::serde::Deserialize<'de>>::deserialize(d).map(Self)
            }
        }
    };
}

#[cfg(not(feature = "serde"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __hash_newtype_serde {
    ($name:ident) => {};
}

hash_newtype! {
    /// A block hash: the identity of a block, and what headers name their parents and
    /// pruning point by.
    pub struct BlockHash;
}

hash_newtype! {
    /// A transaction id: the hash of a transaction without its signature scripts, what
    /// outpoints name the spent transaction by.
    pub struct TransactionId;
}

hash_newtype! {
    /// A transaction hash: the hash of a transaction's full encoding, signature scripts
    /// included; the leaves of a block's hash merkle root.
    pub struct TransactionHash;
}

hash_newtype! {
    /// The root of a merkle tree (a header's hash merkle root or accepted-id merkle root).
    pub struct MerkleRoot;
}

hash_newtype! {
    /// The pre-PoW hash of a header: its block hash with timestamp and nonce written as
    /// zero, from which the PoW of every nonce of a template starts.
    pub struct PrePowHash;
}

hash_newtype! {
    /// A header's commitment to the UTXO set (a finalized MuHash).
    pub struct UtxoCommitment;
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
