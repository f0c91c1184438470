//! The serde form of the consensus types: the Pyrin node's JSON.
//!
//! With the `serde` feature, [`Header`], [`Transaction`] (with [`TransactionInput`],
//! [`TransactionOutpoint`], [`TransactionOutput`] and [`ScriptPublicKey`]), [`Block`],
//! [`Hash`](struct@Hash) and its role types, [`SubnetworkId`], [`BlueWork`], [`Uint256`], [`Amount`]
//! and [`CompactTarget`] implement `Serialize` and `Deserialize`. This is the crate's one
//! serde form. In human-readable formats (JSON, YAML, TOML, …) it is the JSON the reference
//! node (`Pyrinpyi/pyrin`) writes and reads for its RPC: the field names of its header and
//! RPC transaction types in camelCase, hashes, subnetwork ids and byte strings as lowercase
//! hex (either case is read), blue work as big-endian hex without leading zeros.
//!
//! **Not the test-vector format.** The repository's test-vector files (`shared/vectors`)
//! write the same values with snake_case field names, no `hash` or `id`, and a script
//! public key as `{version, script}`. That is a separate format for tests only: the
//! conformance runner reads it with its own code (`examples/src/json.rs`), not with
//! these impls, and these impls refuse it (the field names differ).
//!
//! # Header
//!
//! | field | JSON | [`Header`] field |
//! | --- | --- | --- |
//! | `hash` | 64 hex digits; written, optional on input, **checked** (below) | — ([`Header::hash`]) |
//! | `version` | number (u16) | `version` |
//! | `parentsByLevel` | array of arrays of 64-hex-digit hashes, level 0 first | `parents_by_level` |
//! | `hashMerkleRoot` | 64 hex digits | `hash_merkle_root` |
//! | `acceptedIdMerkleRoot` | 64 hex digits | `accepted_id_merkle_root` |
//! | `utxoCommitment` | 64 hex digits | `utxo_commitment` |
//! | `timestamp` | u64 (milliseconds) | `timestamp` |
//! | `bits` | number (u32) | `bits` |
//! | `nonce` | u64 | `nonce` |
//! | `daaScore` | u64 | `daa_score` |
//! | `blueWork` | big-endian hex, no leading zeros (`"0"` for zero), at most 48 digits | `blue_work` |
//! | `blueScore` | u64 | `blue_score` |
//! | `pruningPoint` | 64 hex digits | `pruning_point` |
//!
//! "u64" means: written as a JSON number, read from a number or a decimal string
//! ([Numbers](#numbers)). Fields are written in this order; input may have them in any
//! order, and unknown fields are ignored.
//!
//! ```
//! use pyrin_core::Header;
//!
//! let json = r#"{
//!   "hash": "fbc9a5732c09abfa02b076a13bdd32c34def4c23136722a932114ed983fa1ec6",
//!   "version": 1,
//!   "parentsByLevel": [
//!     ["7ce0d7fd5653ddb5113f7fa0490095bbee8cb88b37ad7725f6a5c9d03b1ce269",
//!      "d5b2335e185dc73efc82f0043e0ee00d0840f559282911ba15dea5c5011a8ff5"],
//!     ["f497581a9ea545c7875b3d8f2b06e8275b111a4799a5cd732c08ff86d6a4c54e"]
//!   ],
//!   "hashMerkleRoot": "0acdf4169c5589c6eccdfd8a29c01acb2c847778ccf2345b71063d32e9b7a898",
//!   "acceptedIdMerkleRoot": "c90eb82a87a91a1c7cfef91eea7ebe6f415b3c86416619a03eddfc427d06ffc2",
//!   "utxoCommitment": "a9e1b5cbb5d5a2e3f0c4f8c1b8a0fd8e3dc5e5f6a7b8c9d0e1f2a3b4c5d6e7f8",
//!   "timestamp": 1724969400000,
//!   "bits": 511705087,
//!   "nonce": 3407084687226396187,
//!   "daaScore": 754,
//!   "blueWork": "448da4",
//!   "blueScore": 755,
//!   "pruningPoint": "0bcd7397eae5c14e980d866f6e6d8947bfa398c2e5402d4b7ffc3645255ad45b"
//! }"#;
//! let header: Header = serde_json::from_str(json)?;
//! assert_eq!(header.nonce, 3_407_084_687_226_396_187);
//! assert_eq!(header.hash().to_string(), "fbc9a5732c09abfa02b076a13bdd32c34def4c23136722a932114ed983fa1ec6");
//! // Writing gives the same document back.
//! let written = serde_json::to_value(&header)?;
//! assert_eq!(written, serde_json::from_str::<serde_json::Value>(json)?);
//! # Ok::<(), serde_json::Error>(())
//! ```
//!
//! # Transaction
//!
//! | field | JSON | [`Transaction`] field |
//! | --- | --- | --- |
//! | `version` | number (u16) | `version` |
//! | `inputs` | array of inputs (below) | `inputs` |
//! | `outputs` | array of outputs (below) | `outputs` |
//! | `lockTime` | u64 | `lock_time` |
//! | `subnetworkId` | 40 hex digits | `subnetwork_id` |
//! | `gas` | u64 | `gas` |
//! | `payload` | hex (`""` when empty) | `payload` |
//! | `id` | 64 hex digits; written, optional on input, **checked** | — ([`Transaction::id`]) |
//! | `verboseData` | not written; on input optional, its `transactionId` and `hash` **checked**, the rest ignored | — |
//!
//! An input is `{"previousOutpoint": {"transactionId": hex, "index": number (u32)},
//! "signatureScript": hex, "sequence": u64, "sigOpCount": number (u8)}`; an output is
//! `{"value": u64 (leor), "scriptPublicKey": hex}` where the script public key is one hex
//! string: its version as 2 big-endian bytes, then the script (`"0000…ac"` for a version-0
//! pay-to-public-key script).
//!
//! Which transaction id field: the node's consensus transaction type writes and requires
//! a top-level `id`; its RPC transaction carries the id as `verboseData.transactionId`
//! (and the transaction hash as `verboseData.hash`), beside `mass`, `verboseData.blockHash`
//! and the other verbose fields. This crate writes `id` (so the consensus type reads its
//! output) and reads both forms, so a transaction from either the node's RPC or this crate
//! deserialises. It writes neither `mass` (the committed storage mass, not part of the
//! id or hash on Pyrin, which this crate does not model) nor `verboseData`; the node's RPC
//! transaction type requires `mass`, so add it before submitting this crate's JSON there.
//!
//! ```
//! use pyrin_core::{Amount, Transaction};
//!
//! let json = r#"{
//!   "version": 0,
//!   "inputs": [{
//!     "previousOutpoint": {
//!       "transactionId": "165e38e8b3914595d9c641f3b8ee4a5f3c8d7e9a1b2c3d4e5f60718293a4b5c6",
//!       "index": 1
//!     },
//!     "signatureScript": "41abcd01",
//!     "sequence": 0,
//!     "sigOpCount": 1
//!   }],
//!   "outputs": [{
//!     "value": 150000000,
//!     "scriptPublicKey": "000020e2fb6fbb4cbc4c23b7ba4e2e4a3d9e5ec0e4b2a58b6ed1b9fba1f5a6e0d2c3b4ac"
//!   }],
//!   "lockTime": 0,
//!   "subnetworkId": "0000000000000000000000000000000000000000",
//!   "gas": 0,
//!   "payload": "",
//!   "id": "495d70f83d4f3c884a991c14ec73e17edc6cf2efd39fb5b41621137bf443d661"
//! }"#;
//! let tx: Transaction = serde_json::from_str(json)?;
//! assert_eq!(tx.outputs[0].value, Amount::from_leor(150_000_000));
//! assert_eq!(tx.outputs[0].script_public_key.version, 0);
//! assert_eq!(serde_json::to_value(&tx)?, serde_json::from_str::<serde_json::Value>(json)?);
//! # Ok::<(), serde_json::Error>(())
//! ```
//!
//! # Block
//!
//! `{"header": header, "transactions": [transaction, …]}`, coinbase first. The node's
//! `verboseData` beside them is ignored.
//!
//! # Numbers
//!
//! Every u64 field (`timestamp`, `nonce`, `daaScore`, `blueScore`, `lockTime`, `gas`,
//! `sequence`, an output's `value`, and [`Amount`] wherever it appears) is **written as a
//! JSON number**, as the node writes it, and **read from a number or a decimal string**:
//! JavaScript and other readers that hold numbers as doubles lose precision above 2^53,
//! so such values often travel as `"9007199254740993"`. A string must be the digits a
//! JSON number of the same value would have: `0` or a non-zero digit followed by digits,
//! at most `u64::MAX`. Refused, each with a serde `invalid value` or `invalid type` error
//! (in `serde_json`, [category](https://docs.rs/serde_json/1/serde_json/error/enum.Category.html)
//! `Data`): an empty string, a sign (`"-1"`, `"+1"`), a leading zero (`"01"`), anything
//! but digits (`"0x10"`, `"1.0"`, `"1e3"`, `" 1"`), a value past `u64::MAX`, a negative
//! number, a float (`1.5`, `1e3`). The u32, u16 and u8 fields (`bits`, `index`, `version`,
//! `sigOpCount`) are numbers only: they never reach 2^53. Other crates' types can follow
//! the same rule with [`u64_or_decimal_string`].
//!
//! ```
//! use pyrin_core::Amount;
//!
//! let big: Amount = serde_json::from_str(r#""18446744073709551615""#)?;
//! assert_eq!(big, Amount::from_leor(u64::MAX));
//! assert_eq!(serde_json::to_string(&big)?, "18446744073709551615"); // written as a number
//! for bad in [r#""-1""#, r#""0x10""#, r#""01""#, r#""18446744073709551616""#, "1.5"] {
//!     assert!(serde_json::from_str::<Amount>(bad).is_err(), "{bad}");
//! }
//! # Ok::<(), serde_json::Error>(())
//! ```
//!
//! # Claimed hashes are checked
//!
//! A header's `hash`, a transaction's `id` and its `verboseData.transactionId` and
//! `verboseData.hash` are derived from the other fields. When one is present (and not
//! `null`), deserialising recomputes it and **refuses the input if they differ**, with an
//! error naming the field and both values; when it is absent, nothing is checked. The node
//! trusts these fields as they come; this crate is stricter on purpose, so a header whose
//! fields were altered, truncated or mistyped after hashing is caught where it is read
//! rather than passed on under a hash it does not have. To read such a document anyway,
//! drop the field first.
//!
//! ```
//! use pyrin_core::Header;
//!
//! let header = Header { nonce: 7, ..Header::default() };
//! let mut json = serde_json::to_value(&header)?;
//! json["nonce"] = 8.into(); // the `hash` still names nonce 7
//! let err = serde_json::from_value::<Header>(json.clone()).unwrap_err();
//! assert!(err.to_string().contains("`hash`"));
//! json.as_object_mut().unwrap().remove("hash");
//! assert_eq!(serde_json::from_value::<Header>(json)?.nonce, 8);
//! # Ok::<(), serde_json::Error>(())
//! ```
//!
//! # Binary formats
//!
//! In formats that are not human-readable (`is_human_readable() == false`, e.g. postcard
//! or bincode) the same structs carry the same fields in the order of the tables, without
//! the derived `hash` and `id` (there is nothing to check; recompute them): u64s as plain
//! integers, hashes, subnetwork ids and byte strings as byte strings (blue work as its 24
//! big-endian bytes, a 256-bit integer as its 32), a script public key as
//! `(version, script)`.
//! For the consensus byte encoding use [`Encode`](crate::Encode) instead; for Borsh, the
//! `borsh` feature.

use alloc::vec::Vec;
use core::fmt;
use core::marker::PhantomData;
use core::str::FromStr;

use serde::de::{self, Deserializer, Unexpected, Visitor};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};

use crate::amount::Amount;
use crate::block::Block;
use crate::hash::{BlockHash, Hash, MerkleRoot, TransactionHash, TransactionId, UtxoCommitment};
use crate::header::Header;
use crate::subnets::SubnetworkId;
use crate::target::CompactTarget;
use crate::tx::{ScriptPublicKey, Transaction, TransactionInput, TransactionOutpoint, TransactionOutput};
use crate::uint::{BlueWork, Uint256};

// ---------------------------------------------------------------------------------------
// u64: a number, or (human-readable input only) a decimal string.

/// Serde for a `u64` field in the form of this module: written as a number, read from a
/// number or a decimal string in human-readable formats, a plain `u64` in binary formats.
///
/// For other crates' types that carry a `u64` beside the types of this crate (a UTXO
/// entry's DAA score, say), so that they read and write it the same way:
///
/// ```
/// # use pyrin_core::serde;
/// #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
/// #[serde(crate = "pyrin_core::serde", rename_all = "camelCase")]
/// struct Entry {
///     #[serde(with = "pyrin_core::serde_form::u64_or_decimal_string")]
///     block_daa_score: u64,
/// }
/// let big = Entry { block_daa_score: (1 << 53) + 1 };
/// assert_eq!(serde_json::to_string(&big)?, r#"{"blockDaaScore":9007199254740993}"#);
/// assert_eq!(serde_json::from_str::<Entry>(r#"{"blockDaaScore":"9007199254740993"}"#)?, big);
/// assert!(serde_json::from_str::<Entry>(r#"{"blockDaaScore":"-1"}"#).is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
pub mod u64_or_decimal_string {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes the value as a number (`serialize_u64`), in every format.
    ///
    /// # Errors
    /// Only those of the serializer.
    pub fn serialize<S: Serializer>(value: &u64, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(*value)
    }

    /// Reads a number or a decimal string in human-readable formats, a `u64` in binary
    /// formats.
    ///
    /// # Errors
    /// In human-readable formats: a negative number or a float (`invalid value` /
    /// `invalid type`), a string that is empty, signed, has a leading zero, holds anything
    /// but the digits 0-9, or exceeds `u64::MAX` (`invalid value`, saying which), any other
    /// JSON type (`invalid type`).
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
        if deserializer.is_human_readable() {
            deserializer.deserialize_any(super::U64Visitor)
        } else {
            u64::deserialize(deserializer)
        }
    }
}

/// Why a string is not a decimal u64; its `Display` is what a serde error says was expected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum NotDecimalU64 {
    Empty,
    Signed,
    LeadingZero,
    NotDigits,
    Overflow,
}

impl de::Expected for NotDecimalU64 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NotDecimalU64::Empty => "a u64 as decimal digits, not an empty string",
            NotDecimalU64::Signed => "a u64 as decimal digits without a sign",
            NotDecimalU64::LeadingZero => "a u64 as decimal digits without leading zeros",
            NotDecimalU64::NotDigits => "a u64 as decimal digits only (no hex, point, exponent or spaces)",
            NotDecimalU64::Overflow => "a u64 no larger than 18446744073709551615",
        })
    }
}

/// The digits a JSON number for the same value would have: `0`, or a non-zero digit
/// followed by digits, at most `u64::MAX`.
fn parse_decimal_u64(text: &str) -> Result<u64, NotDecimalU64> {
    let bytes = text.as_bytes();
    match bytes {
        [] => return Err(NotDecimalU64::Empty),
        [b'+' | b'-', ..] => return Err(NotDecimalU64::Signed),
        _ if !bytes.iter().all(u8::is_ascii_digit) => return Err(NotDecimalU64::NotDigits),
        [b'0', _, ..] => return Err(NotDecimalU64::LeadingZero),
        _ => {}
    }
    bytes.iter().try_fold(0u64, |acc, &digit| {
        acc.checked_mul(10).and_then(|acc| acc.checked_add(u64::from(digit - b'0'))).ok_or(NotDecimalU64::Overflow)
    })
}

struct U64Visitor;

impl Visitor<'_> for U64Visitor {
    type Value = u64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a u64 as a number or a decimal string")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
        Ok(v)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
        u64::try_from(v).map_err(|_| E::invalid_value(Unexpected::Signed(v), &"a non-negative u64"))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<u64, E> {
        u64::try_from(v).map_err(|_| E::invalid_value(Unexpected::Other("a 128-bit integer"), &NotDecimalU64::Overflow))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<u64, E> {
        u64::try_from(v).map_err(|_| E::invalid_value(Unexpected::Other("a 128-bit integer"), &"a u64"))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<u64, E> {
        Err(E::invalid_type(Unexpected::Float(v), &self))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<u64, E> {
        parse_decimal_u64(v).map_err(|problem| E::invalid_value(Unexpected::Str(v), &problem))
    }
}

/// A `u64` field in the form of [`u64_or_decimal_string`].
#[derive(Clone, Copy)]
struct U64(u64);

impl Serialize for U64 {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        u64_or_decimal_string::serialize(&self.0, s)
    }
}

impl<'de> Deserialize<'de> for U64 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        u64_or_decimal_string::deserialize(d).map(U64)
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        u64_or_decimal_string::serialize(&self.to_leor(), s)
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        u64_or_decimal_string::deserialize(d).map(Amount::from_leor)
    }
}

// ---------------------------------------------------------------------------------------
// Bytes: hex strings for humans, byte strings for machines.

/// Reads a byte string (or, from formats without one, a sequence of bytes).
struct ByteBufVisitor;

impl<'de> Visitor<'de> for ByteBufVisitor {
    type Value = Vec<u8>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a byte string")
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Vec<u8>, E> {
        Ok(v.to_vec())
    }

    fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
        Ok(v)
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<u8>, A::Error> {
        // The length hint is the input's claim: cap what it may make us reserve.
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(byte) = seq.next_element()? {
            out.push(byte);
        }
        Ok(out)
    }
}

fn deserialize_byte_buf<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
    d.deserialize_byte_buf(ByteBufVisitor)
}

/// Reads a value from its text form with `FromStr`, without copying the text.
struct FromStrVisitor<T>(&'static str, PhantomData<T>);

impl<T> Visitor<'_> for FromStrVisitor<T>
where
    T: FromStr,
    T::Err: fmt::Display,
{
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} as a hex string", self.0)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        v.parse().map_err(|e| E::custom(format_args!("invalid {}: {e}", self.0)))
    }
}

fn deserialize_from_str<'de, D, T>(d: D, what: &'static str) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: FromStr,
    T::Err: fmt::Display,
{
    d.deserialize_str(FromStrVisitor(what, PhantomData))
}

/// Hex text in human-readable formats, its bytes in binary ones.
macro_rules! hex_string_serde {
    ($ty:ty, $what:literal, $length:literal, $to_bytes:expr, $from_bytes:expr) => {
        #[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                if s.is_human_readable() {
                    s.collect_str(self)
                } else {
                    s.serialize_bytes(&$to_bytes(self))
                }
            }
        }

        #[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                if d.is_human_readable() {
                    deserialize_from_str(d, $what)
                } else {
                    let bytes = deserialize_byte_buf(d)?;
                    $from_bytes(&bytes).ok_or_else(|| de::Error::invalid_length(bytes.len(), &$length))
                }
            }
        }
    };
}

hex_string_serde!(Hash, "hash", "32 bytes", |h: &Hash| h.to_bytes(), Hash::from_slice);
hex_string_serde!(SubnetworkId, "subnetwork id", "20 bytes", |id: &SubnetworkId| *id.as_bytes(), |b: &[u8]| b
    .try_into()
    .ok()
    .map(SubnetworkId::from_bytes));
hex_string_serde!(BlueWork, "blue work", "at most 24 bytes", |w: &BlueWork| w.to_be_bytes(), BlueWork::from_be_slice);
hex_string_serde!(
    Uint256,
    "256-bit integer",
    "at most 32 bytes",
    |v: &Uint256| v.to_be_bytes(),
    Uint256::from_be_slice
);

/// A byte string written as hex in human-readable formats.
struct HexBytes<'a>(&'a [u8]);

impl Serialize for HexBytes<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.serialize_str(&crate::hex::encode(self.0))
        } else {
            s.serialize_bytes(self.0)
        }
    }
}

/// A byte string read from hex in human-readable formats.
struct HexByteBuf(Vec<u8>);

impl<'de> Deserialize<'de> for HexByteBuf {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct HexText(Vec<u8>);
        impl FromStr for HexText {
            type Err = crate::hex::HexError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                crate::hex::decode(s).map(HexText)
            }
        }
        if d.is_human_readable() {
            deserialize_from_str(d, "bytes").map(|HexText(bytes)| HexByteBuf(bytes))
        } else {
            deserialize_byte_buf(d).map(HexByteBuf)
        }
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl Serialize for ScriptPublicKey {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            let mut text = crate::hex::encode(&self.version.to_be_bytes());
            text.push_str(&crate::hex::encode(&self.script));
            s.serialize_str(&text)
        } else {
            (self.version, HexBytes(&self.script)).serialize(s)
        }
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<'de> Deserialize<'de> for ScriptPublicKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if d.is_human_readable() {
            let HexByteBuf(bytes) = HexByteBuf::deserialize(d)?;
            match bytes.as_slice() {
                [hi, lo, script @ ..] => Ok(ScriptPublicKey::new(u16::from_be_bytes([*hi, *lo]), script.to_vec())),
                _ => Err(de::Error::invalid_length(bytes.len(), &"2 version bytes and then the script")),
            }
        } else {
            let (version, HexByteBuf(script)) = <(u16, HexByteBuf)>::deserialize(d)?;
            Ok(ScriptPublicKey::new(version, script))
        }
    }
}

// ---------------------------------------------------------------------------------------
// Transactions.

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OutpointForm {
    transaction_id: TransactionId,
    index: u32,
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl Serialize for TransactionOutpoint {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        OutpointForm { transaction_id: self.transaction_id, index: self.index }.serialize(s)
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<'de> Deserialize<'de> for TransactionOutpoint {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let OutpointForm { transaction_id, index } = OutpointForm::deserialize(d)?;
        Ok(TransactionOutpoint { transaction_id, index })
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct InputOut<'a> {
    previous_outpoint: &'a TransactionOutpoint,
    signature_script: HexBytes<'a>,
    sequence: U64,
    sig_op_count: u8,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct InputIn {
    previous_outpoint: TransactionOutpoint,
    signature_script: HexByteBuf,
    sequence: U64,
    sig_op_count: u8,
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl Serialize for TransactionInput {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        InputOut {
            previous_outpoint: &self.previous_outpoint,
            signature_script: HexBytes(&self.signature_script),
            sequence: U64(self.sequence),
            sig_op_count: self.sig_op_count,
        }
        .serialize(s)
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<'de> Deserialize<'de> for TransactionInput {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let r = InputIn::deserialize(d)?;
        Ok(TransactionInput {
            previous_outpoint: r.previous_outpoint,
            signature_script: r.signature_script.0,
            sequence: r.sequence.0,
            sig_op_count: r.sig_op_count,
        })
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OutputOut<'a> {
    value: Amount,
    script_public_key: &'a ScriptPublicKey,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OutputIn {
    value: Amount,
    script_public_key: ScriptPublicKey,
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl Serialize for TransactionOutput {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        OutputOut { value: self.value, script_public_key: &self.script_public_key }.serialize(s)
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<'de> Deserialize<'de> for TransactionOutput {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let OutputIn { value, script_public_key } = OutputIn::deserialize(d)?;
        Ok(TransactionOutput { value, script_public_key })
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TransactionOut<'a> {
    version: u16,
    inputs: &'a [TransactionInput],
    outputs: &'a [TransactionOutput],
    lock_time: U64,
    subnetwork_id: SubnetworkId,
    gas: U64,
    payload: HexBytes<'a>,
    /// Human-readable formats only.
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<TransactionId>,
}

/// The fields every format carries, in order.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TransactionIn {
    version: u16,
    inputs: Vec<TransactionInput>,
    outputs: Vec<TransactionOutput>,
    lock_time: U64,
    subnetwork_id: SubnetworkId,
    gas: U64,
    payload: HexByteBuf,
}

/// The human-readable form: the same fields and the optional claims that are checked.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TransactionJson {
    version: u16,
    inputs: Vec<TransactionInput>,
    outputs: Vec<TransactionOutput>,
    lock_time: U64,
    subnetwork_id: SubnetworkId,
    gas: U64,
    payload: HexByteBuf,
    #[serde(default)]
    id: Option<TransactionId>,
    #[serde(default)]
    verbose_data: Option<TransactionVerboseJson>,
}

/// The parts of the node's RPC `verboseData` that the transaction itself determines.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TransactionVerboseJson {
    #[serde(default)]
    transaction_id: Option<TransactionId>,
    #[serde(default)]
    hash: Option<TransactionHash>,
}

impl From<TransactionIn> for Transaction {
    fn from(r: TransactionIn) -> Self {
        Transaction {
            version: r.version,
            inputs: r.inputs,
            outputs: r.outputs,
            lock_time: r.lock_time.0,
            subnetwork_id: r.subnetwork_id,
            gas: r.gas.0,
            payload: r.payload.0,
        }
    }
}

/// Refuses a claimed value that differs from the one recomputed from the fields.
fn check_claim<T: PartialEq + fmt::Display, E: de::Error>(
    field: &str,
    claimed: Option<T>,
    computed: impl FnOnce() -> T,
) -> Result<(), E> {
    match claimed {
        Some(claimed) => {
            let computed = computed();
            if claimed == computed {
                Ok(())
            } else {
                Err(E::custom(format_args!(
                    "{field} {claimed} does not match {computed}, recomputed from the other fields"
                )))
            }
        }
        None => Ok(()),
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl Serialize for Transaction {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let id = if s.is_human_readable() { Some(self.id()) } else { None };
        TransactionOut {
            version: self.version,
            inputs: &self.inputs,
            outputs: &self.outputs,
            lock_time: U64(self.lock_time),
            subnetwork_id: self.subnetwork_id,
            gas: U64(self.gas),
            payload: HexBytes(&self.payload),
            id,
        }
        .serialize(s)
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<'de> Deserialize<'de> for Transaction {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if !d.is_human_readable() {
            return TransactionIn::deserialize(d).map(Transaction::from);
        }
        let r = TransactionJson::deserialize(d)?;
        let tx = Transaction::from(TransactionIn {
            version: r.version,
            inputs: r.inputs,
            outputs: r.outputs,
            lock_time: r.lock_time,
            subnetwork_id: r.subnetwork_id,
            gas: r.gas,
            payload: r.payload,
        });
        let (verbose_id, verbose_hash) = r.verbose_data.map_or((None, None), |v| (v.transaction_id, v.hash));
        check_claim("transaction `id`", r.id, || tx.id())?;
        check_claim("transaction `verboseData.transactionId`", verbose_id, || tx.id())?;
        check_claim("transaction `verboseData.hash`", verbose_hash, || tx.hash())?;
        Ok(tx)
    }
}

// ---------------------------------------------------------------------------------------
// Headers and blocks.

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct HeaderOut<'a> {
    /// Human-readable formats only.
    #[serde(skip_serializing_if = "Option::is_none")]
    hash: Option<BlockHash>,
    version: u16,
    parents_by_level: &'a [Vec<BlockHash>],
    hash_merkle_root: MerkleRoot,
    accepted_id_merkle_root: MerkleRoot,
    utxo_commitment: UtxoCommitment,
    timestamp: U64,
    bits: CompactTarget,
    nonce: U64,
    daa_score: U64,
    blue_work: BlueWork,
    blue_score: U64,
    pruning_point: BlockHash,
}

/// The fields every format carries, in order.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct HeaderIn {
    version: u16,
    parents_by_level: Vec<Vec<BlockHash>>,
    hash_merkle_root: MerkleRoot,
    accepted_id_merkle_root: MerkleRoot,
    utxo_commitment: UtxoCommitment,
    timestamp: U64,
    bits: CompactTarget,
    nonce: U64,
    daa_score: U64,
    blue_work: BlueWork,
    blue_score: U64,
    pruning_point: BlockHash,
}

/// The human-readable form: the claimed block hash, then the same fields.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct HeaderJson {
    #[serde(default)]
    hash: Option<BlockHash>,
    version: u16,
    parents_by_level: Vec<Vec<BlockHash>>,
    hash_merkle_root: MerkleRoot,
    accepted_id_merkle_root: MerkleRoot,
    utxo_commitment: UtxoCommitment,
    timestamp: U64,
    bits: CompactTarget,
    nonce: U64,
    daa_score: U64,
    blue_work: BlueWork,
    blue_score: U64,
    pruning_point: BlockHash,
}

impl From<HeaderIn> for Header {
    fn from(r: HeaderIn) -> Self {
        Header {
            version: r.version,
            parents_by_level: r.parents_by_level,
            hash_merkle_root: r.hash_merkle_root,
            accepted_id_merkle_root: r.accepted_id_merkle_root,
            utxo_commitment: r.utxo_commitment,
            timestamp: r.timestamp.0,
            bits: r.bits,
            nonce: r.nonce.0,
            daa_score: r.daa_score.0,
            blue_score: r.blue_score.0,
            blue_work: r.blue_work,
            pruning_point: r.pruning_point,
        }
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl Serialize for Header {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let hash = if s.is_human_readable() { Some(self.hash()) } else { None };
        HeaderOut {
            hash,
            version: self.version,
            parents_by_level: &self.parents_by_level,
            hash_merkle_root: self.hash_merkle_root,
            accepted_id_merkle_root: self.accepted_id_merkle_root,
            utxo_commitment: self.utxo_commitment,
            timestamp: U64(self.timestamp),
            bits: self.bits,
            nonce: U64(self.nonce),
            daa_score: U64(self.daa_score),
            blue_work: self.blue_work,
            blue_score: U64(self.blue_score),
            pruning_point: self.pruning_point,
        }
        .serialize(s)
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<'de> Deserialize<'de> for Header {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if !d.is_human_readable() {
            return HeaderIn::deserialize(d).map(Header::from);
        }
        let r = HeaderJson::deserialize(d)?;
        let header = Header::from(HeaderIn {
            version: r.version,
            parents_by_level: r.parents_by_level,
            hash_merkle_root: r.hash_merkle_root,
            accepted_id_merkle_root: r.accepted_id_merkle_root,
            utxo_commitment: r.utxo_commitment,
            timestamp: r.timestamp,
            bits: r.bits,
            nonce: r.nonce,
            daa_score: r.daa_score,
            blue_work: r.blue_work,
            blue_score: r.blue_score,
            pruning_point: r.pruning_point,
        });
        check_claim("header `hash`", r.hash, || header.hash())?;
        Ok(header)
    }
}

#[derive(Serialize)]
struct BlockOut<'a> {
    header: &'a Header,
    transactions: &'a [Transaction],
}

#[derive(Deserialize)]
struct BlockIn {
    header: Header,
    transactions: Vec<Transaction>,
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl Serialize for Block {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        BlockOut { header: &self.header, transactions: &self.transactions }.serialize(s)
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<'de> Deserialize<'de> for Block {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let BlockIn { header, transactions } = BlockIn::deserialize(d)?;
        Ok(Block { header, transactions })
    }
}
