use core::fmt;
use core::str::FromStr;

use crate::hex::HexError;

/// A 20-byte subnetwork id.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[cfg_attr(feature = "borsh", derive(borsh::BorshSerialize, borsh::BorshDeserialize))]
pub struct SubnetworkId([u8; 20]);

impl SubnetworkId {
    /// Size in bytes.
    pub const SIZE: usize = 20;
    /// Native (ordinary) transactions: all zeros.
    pub const NATIVE: SubnetworkId = SubnetworkId::from_byte(0);
    /// Coinbase transactions: first byte 1, then zeros.
    pub const COINBASE: SubnetworkId = SubnetworkId::from_byte(1);
    /// Registry transactions: first byte 2, then zeros.
    pub const REGISTRY: SubnetworkId = SubnetworkId::from_byte(2);

    /// An id whose first byte is `b` and the rest zero.
    pub const fn from_byte(b: u8) -> Self {
        let mut bytes = [0u8; 20];
        bytes[0] = b;
        SubnetworkId(bytes)
    }

    /// Wraps 20 bytes.
    pub const fn from_bytes(bytes: [u8; 20]) -> Self {
        SubnetworkId(bytes)
    }

    /// The 20 bytes.
    pub const fn as_bytes(&self) -> &[u8; 20] {
        &self.0
    }

    /// Whether this is the coinbase subnetwork.
    pub fn is_coinbase(&self) -> bool {
        *self == Self::COINBASE
    }

    /// Whether this is a built-in subnetwork: coinbase or registry (the node does not count
    /// the native subnetwork as built-in).
    pub fn is_builtin(&self) -> bool {
        *self == Self::COINBASE || *self == Self::REGISTRY
    }

    /// Whether this is the native subnetwork.
    pub fn is_native(&self) -> bool {
        *self == Self::NATIVE
    }
}

impl fmt::Display for SubnetworkId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for SubnetworkId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SubnetworkId({self})")
    }
}

impl FromStr for SubnetworkId {
    type Err = HexError;
    /// Reads 40 hex digits (either case).
    ///
    /// # Errors
    /// [`HexError::OddLength`], [`HexError::WrongLength`] unless the text holds 40 digits,
    /// [`HexError::InvalidCharacter`] (see [`crate::hex::decode_to_slice`]).
    fn from_str(s: &str) -> Result<Self, HexError> {
        let mut out = [0u8; 20];
        crate::hex::decode_to_slice(s, &mut out)?;
        Ok(SubnetworkId(out))
    }
}
