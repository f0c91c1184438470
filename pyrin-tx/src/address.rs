//! `pyrin:` addresses: a network prefix, a version and a payload in Kaspa's bech32 variant.
//!
//! Encoding (as the reference `crypto/addresses` does it): the version byte and the
//! payload are cut into 5-bit groups (the last one zero padded), followed by a 40-bit
//! checksum (8 groups) computed with the 40-bit BCH polymod over the prefix's characters
//! (each `& 0x1f`), a zero, the payload groups and eight zeros; groups are written with
//! the charset `qpzry9x8gf2tvdw0s3jn54khce6mua7l` after `prefix:`. Only lower case is
//! accepted: the reference rejects an all-upper-case address (its prefix does not match).

use alloc::{string::String, vec::Vec};
use core::{fmt, str::FromStr};

use pyrin_core::params::Network;

const CHARSET: &[u8; 32] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";
const CHECKSUM_GROUPS: usize = 8;

/// The network an address belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Prefix {
    /// `pyrin` (mainnet).
    Mainnet,
    /// `pyrintest` (testnets).
    Testnet,
    /// `pyrinsim` (simnet).
    Simnet,
    /// `pyrindev` (devnet).
    Devnet,
}

impl Prefix {
    /// The prefix text.
    pub const fn as_str(self) -> &'static str {
        match self {
            Prefix::Mainnet => "pyrin",
            Prefix::Testnet => "pyrintest",
            Prefix::Simnet => "pyrinsim",
            Prefix::Devnet => "pyrindev",
        }
    }

    /// The prefix of a network's addresses.
    pub const fn of(network: Network) -> Self {
        match network {
            Network::Mainnet => Prefix::Mainnet,
            Network::Testnet10 | Network::Testnet11 => Prefix::Testnet,
            Network::Simnet => Prefix::Simnet,
            Network::Devnet => Prefix::Devnet,
        }
    }
}

impl FromStr for Prefix {
    type Err = AddressError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Prefix::Mainnet, Prefix::Testnet, Prefix::Simnet, Prefix::Devnet]
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or(AddressError::UnknownPrefix)
    }
}

/// What an address's payload is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Version {
    /// A 32-byte x-only Schnorr public key (version 0).
    PubKey,
    /// A 33-byte compressed ECDSA public key (version 1).
    PubKeyEcdsa,
    /// A 32-byte BLAKE3 hash of a redeem script (version 8).
    ScriptHash,
}

impl Version {
    /// The version byte.
    pub const fn to_u8(self) -> u8 {
        match self {
            Version::PubKey => 0,
            Version::PubKeyEcdsa => 1,
            Version::ScriptHash => 8,
        }
    }

    /// The version of a byte.
    pub fn from_u8(v: u8) -> Result<Self, AddressError> {
        match v {
            0 => Ok(Version::PubKey),
            1 => Ok(Version::PubKeyEcdsa),
            8 => Ok(Version::ScriptHash),
            _ => Err(AddressError::UnknownVersion(v)),
        }
    }

    /// The payload length of this version.
    pub const fn payload_len(self) -> usize {
        match self {
            Version::PubKey | Version::ScriptHash => 32,
            Version::PubKeyEcdsa => 33,
        }
    }
}

/// Why a string is not an address (or an address cannot be built).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    /// No `:` between prefix and payload.
    #[error("the address has no `prefix:` part")]
    MissingPrefix,
    /// The prefix is not one of Pyrin's.
    #[error("the address prefix is not pyrin, pyrintest, pyrinsim or pyrindev")]
    UnknownPrefix,
    /// The address has upper-case letters. Like the node, only the lower-case spelling
    /// is an address (bech32's all-upper-case form is not accepted).
    #[error("the address has upper-case letters; Pyrin addresses are lower case")]
    UpperCase,
    /// A character outside the bech32 charset.
    #[error("the address contains the invalid character {0:?}")]
    InvalidCharacter(char),
    /// Too short to hold a version and a checksum.
    #[error("the address is too short")]
    TooShort,
    /// The checksum does not match.
    #[error("the address checksum is invalid")]
    BadChecksum,
    /// An unknown version byte.
    #[error("unknown address version {0}")]
    UnknownVersion(u8),
    /// The payload length does not fit the version.
    #[error("a version-{version} address needs a {expected}-byte payload, not {len} bytes")]
    PayloadLength {
        /// The version byte.
        version: u8,
        /// The length it needs.
        expected: usize,
        /// The length found.
        len: usize,
    },
}

/// An address: prefix, version and payload.
///
/// ```
/// use pyrin_tx::address::{Address, Prefix, Version};
///
/// let address = Address::new(Prefix::Mainnet, Version::PubKey, vec![7; 32])?;
/// let text = address.to_string();
/// assert!(text.starts_with("pyrin:q"));
/// assert_eq!(text.parse::<Address>()?, address);
/// # Ok::<(), pyrin_tx::address::AddressError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Address {
    prefix: Prefix,
    version: Version,
    payload: Vec<u8>,
}

impl Address {
    /// An address, checking that the payload length fits the version.
    pub fn new(prefix: Prefix, version: Version, payload: Vec<u8>) -> Result<Self, AddressError> {
        if payload.len() != version.payload_len() {
            return Err(AddressError::PayloadLength {
                version: version.to_u8(),
                expected: version.payload_len(),
                len: payload.len(),
            });
        }
        Ok(Self { prefix, version, payload })
    }

    /// The network prefix.
    pub fn prefix(&self) -> Prefix {
        self.prefix
    }

    /// The version.
    pub fn version(&self) -> Version {
        self.version
    }

    /// The payload (public key or script hash).
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }
}

fn polymod(values: impl Iterator<Item = u8>) -> u64 {
    let mut c = 1u64;
    for d in values {
        let top = c >> 35;
        c = ((c & 0x07_ffff_ffff) << 5) ^ u64::from(d);
        for (bit, generator) in
            [0x98f2bc8e61u64, 0x79b76d99e2, 0xf33e5fb3c4, 0xae2eabe2a8, 0x1e4f43e470].into_iter().enumerate()
        {
            if top >> bit & 1 == 1 {
                c ^= generator;
            }
        }
    }
    c ^ 1
}

fn checksum(prefix: Prefix, groups: &[u8]) -> u64 {
    let prefix_groups = prefix.as_str().bytes().map(|c| c & 0x1f);
    polymod(prefix_groups.chain([0]).chain(groups.iter().copied()).chain([0; CHECKSUM_GROUPS]))
}

fn to_groups(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() * 8 / 5 + 1);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &b in bytes {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(((acc >> bits) & 31) as u8);
        }
    }
    if bits > 0 {
        out.push(((acc << (5 - bits)) & 31) as u8);
    }
    out
}

/// 5-bit groups back to bytes; leftover bits (the padding) are dropped, as the
/// reference drops them.
fn from_groups(groups: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(groups.len() * 5 / 8);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &g in groups {
        acc = (acc << 5) | u32::from(g);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut bytes = Vec::with_capacity(1 + self.payload.len());
        bytes.push(self.version.to_u8());
        bytes.extend_from_slice(&self.payload);
        let groups = to_groups(&bytes);
        let sum = checksum(self.prefix, &groups);
        let mut text = String::with_capacity(self.prefix.as_str().len() + 1 + groups.len() + CHECKSUM_GROUPS);
        text.push_str(self.prefix.as_str());
        text.push(':');
        for &g in groups.iter().chain(to_groups(&sum.to_be_bytes()[3..]).iter()) {
            text.push(char::from(CHARSET[usize::from(g)]));
        }
        f.write_str(&text)
    }
}

impl FromStr for Address {
    type Err = AddressError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(AddressError::UpperCase);
        }
        let (prefix, body) = s.split_once(':').ok_or(AddressError::MissingPrefix)?;
        let prefix: Prefix = prefix.parse()?;
        let groups = body
            .chars()
            .map(|c| {
                u8::try_from(c)
                    .ok()
                    .and_then(|b| CHARSET.iter().position(|&x| x == b))
                    .map(|p| p as u8)
                    .ok_or(AddressError::InvalidCharacter(c))
            })
            .collect::<Result<Vec<u8>, _>>()?;
        if groups.len() <= CHECKSUM_GROUPS {
            return Err(AddressError::TooShort);
        }
        let (data, sum) = groups.split_at(groups.len() - CHECKSUM_GROUPS);
        let mut sum_bytes = [0u8; 8];
        sum_bytes[3..].copy_from_slice(&from_groups(sum));
        if checksum(prefix, data) != u64::from_be_bytes(sum_bytes) {
            return Err(AddressError::BadChecksum);
        }
        let bytes = from_groups(data);
        let (&version, payload) = bytes.split_first().ok_or(AddressError::TooShort)?;
        Address::new(prefix, Version::from_u8(version)?, payload.to_vec())
    }
}

#[cfg(feature = "serde")]
mod serde_impl {
    use super::Address;
    use alloc::string::{String, ToString};

    impl serde::Serialize for Address {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_str(&self.to_string())
        }
    }

    impl<'de> serde::Deserialize<'de> for Address {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let text = String::deserialize(d)?;
            text.parse().map_err(serde::de::Error::custom)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn malformed_inputs_are_typed_errors() {
        assert_eq!("".parse::<Address>(), Err(AddressError::MissingPrefix));
        assert_eq!("pyrin:".parse::<Address>(), Err(AddressError::TooShort));
        assert_eq!("pyrin:qqqqqqqq".parse::<Address>(), Err(AddressError::TooShort));
        assert_eq!("kaspa:qq".parse::<Address>(), Err(AddressError::UnknownPrefix));
        assert_eq!("pyrin:qb".parse::<Address>(), Err(AddressError::InvalidCharacter('b')));
        assert_eq!("pyrin:qé".parse::<Address>(), Err(AddressError::InvalidCharacter('é')));
        let good = Address::new(Prefix::Testnet, Version::PubKeyEcdsa, alloc::vec![3; 33]).unwrap().to_string();
        assert_eq!(good.to_uppercase().parse::<Address>(), Err(AddressError::UpperCase));
        let mixed = good.replacen('q', "Q", 1);
        assert_eq!(mixed.parse::<Address>(), Err(AddressError::UpperCase));
        assert!(Address::new(Prefix::Mainnet, Version::PubKey, alloc::vec![0; 31]).is_err());
    }
}
