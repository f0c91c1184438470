//! Serde support in the JSON shape the Pyrin node uses.
//!
//! Human-readable formats (JSON) get camelCase field names; hashes, subnetwork ids, byte
//! strings and 192/256-bit integers as hex strings; a script public key as one hex string
//! of its version (2 bytes, big-endian) followed by the script, as the node prints it.
//! Serialised headers carry their `hash` and transactions their `id`, as the node's do;
//! both are recomputed, never trusted, and ignored when deserialising. Binary formats get
//! raw bytes.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};

use crate::amount::Amount;
use crate::hash::{BlockHash, Hash, MerkleRoot, TransactionId, UtxoCommitment};
use crate::header::Header;
use crate::subnets::SubnetworkId;
use crate::target::CompactTarget;
use crate::tx::{ScriptPublicKey, Transaction, TransactionInput, TransactionOutpoint, TransactionOutput};
use crate::uint::{BlueWork, Uint256};

/// Deserialises a string (borrowed or owned) and converts it.
fn from_str_with<'de, D, T, E, F>(deserializer: D, what: &'static str, parse: F) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    E: fmt::Display,
    F: FnOnce(&str) -> Result<T, E>,
{
    struct StrVisitor(&'static str);
    impl<'de> Visitor<'de> for StrVisitor {
        type Value = String;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "{} as a hex string", self.0)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
            Ok(v.into())
        }
    }
    let text = deserializer.deserialize_str(StrVisitor(what))?;
    parse(&text).map_err(de::Error::custom)
}

macro_rules! hex_string_serde {
    ($ty:ty, $what:literal, $bytes:expr, $from_bytes:expr) => {
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                if s.is_human_readable() {
                    s.collect_str(self)
                } else {
                    let bytes: &[u8] = &$bytes(self);
                    s.serialize_bytes(bytes)
                }
            }
        }
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                if d.is_human_readable() {
                    from_str_with(d, $what, |s| s.parse::<$ty>())
                } else {
                    let bytes = <Vec<u8>>::deserialize(d)?;
                    $from_bytes(&bytes).ok_or_else(|| de::Error::custom(concat!("wrong length for ", $what)))
                }
            }
        }
    };
}

hex_string_serde!(Hash, "hash", |h: &Hash| *h.as_bytes(), Hash::from_slice);
hex_string_serde!(SubnetworkId, "subnetwork id", |h: &SubnetworkId| *h.as_bytes(), |b: &[u8]| b
    .try_into()
    .ok()
    .map(SubnetworkId::from_bytes));
hex_string_serde!(BlueWork, "blue work", |w: &BlueWork| w.to_be_bytes(), BlueWork::from_be_slice);
hex_string_serde!(Uint256, "256-bit integer", |w: &Uint256| w.to_be_bytes(), Uint256::from_be_slice);

/// Byte strings as hex in human-readable formats.
mod hex_bytes {
    use super::*;

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.serialize_str(&crate::hex::encode(bytes))
        } else {
            s.serialize_bytes(bytes)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        if d.is_human_readable() {
            from_str_with(d, "bytes", crate::hex::decode)
        } else {
            <Vec<u8>>::deserialize(d)
        }
    }
}

impl Serialize for ScriptPublicKey {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            let mut text = crate::hex::encode(&self.version.to_be_bytes());
            text.push_str(&crate::hex::encode(&self.script));
            s.serialize_str(&text)
        } else {
            (self.version, serde_bytes_ref(&self.script)).serialize(s)
        }
    }
}

struct BytesRef<'a>(&'a [u8]);
impl Serialize for BytesRef<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(self.0)
    }
}
fn serde_bytes_ref(b: &[u8]) -> BytesRef<'_> {
    BytesRef(b)
}

impl<'de> Deserialize<'de> for ScriptPublicKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if d.is_human_readable() {
            from_str_with(d, "script public key", |s| {
                let bytes = crate::hex::decode(s).map_err(|e| alloc::format!("{e}"))?;
                if bytes.len() < 2 {
                    return Err(alloc::format!("script public key of {} bytes lacks its 2-byte version", bytes.len()));
                }
                Ok(ScriptPublicKey { version: u16::from_be_bytes([bytes[0], bytes[1]]), script: bytes[2..].to_vec() })
            })
        } else {
            #[derive(Deserialize)]
            struct Raw(u16, Vec<u8>);
            let Raw(version, script) = Raw::deserialize(d)?;
            Ok(ScriptPublicKey { version, script })
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OutpointRepr {
    transaction_id: TransactionId,
    index: u32,
}

impl Serialize for TransactionOutpoint {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        OutpointRepr { transaction_id: self.transaction_id, index: self.index }.serialize(s)
    }
}

impl<'de> Deserialize<'de> for TransactionOutpoint {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let r = OutpointRepr::deserialize(d)?;
        Ok(TransactionOutpoint { transaction_id: r.transaction_id, index: r.index })
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct InputRepr {
    previous_outpoint: TransactionOutpoint,
    #[serde(with = "hex_bytes")]
    signature_script: Vec<u8>,
    sequence: u64,
    sig_op_count: u8,
}

impl Serialize for TransactionInput {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        InputRepr {
            previous_outpoint: self.previous_outpoint,
            signature_script: self.signature_script.clone(),
            sequence: self.sequence,
            sig_op_count: self.sig_op_count,
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for TransactionInput {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let r = InputRepr::deserialize(d)?;
        Ok(TransactionInput {
            previous_outpoint: r.previous_outpoint,
            signature_script: r.signature_script,
            sequence: r.sequence,
            sig_op_count: r.sig_op_count,
        })
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OutputRepr {
    value: Amount,
    script_public_key: ScriptPublicKey,
}

impl Serialize for TransactionOutput {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        OutputRepr { value: self.value, script_public_key: self.script_public_key.clone() }.serialize(s)
    }
}

impl<'de> Deserialize<'de> for TransactionOutput {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let r = OutputRepr::deserialize(d)?;
        Ok(TransactionOutput { value: r.value, script_public_key: r.script_public_key })
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TransactionRepr {
    version: u16,
    inputs: Vec<TransactionInput>,
    outputs: Vec<TransactionOutput>,
    lock_time: u64,
    subnetwork_id: SubnetworkId,
    gas: u64,
    #[serde(with = "hex_bytes")]
    payload: Vec<u8>,
    #[serde(default, skip_deserializing)]
    id: TransactionId,
}

impl Serialize for Transaction {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        TransactionRepr {
            version: self.version,
            inputs: self.inputs.clone(),
            outputs: self.outputs.clone(),
            lock_time: self.lock_time,
            subnetwork_id: self.subnetwork_id,
            gas: self.gas,
            payload: self.payload.clone(),
            id: self.id(),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Transaction {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let r = TransactionRepr::deserialize(d)?;
        Ok(Transaction {
            version: r.version,
            inputs: r.inputs,
            outputs: r.outputs,
            lock_time: r.lock_time,
            subnetwork_id: r.subnetwork_id,
            gas: r.gas,
            payload: r.payload,
        })
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct HeaderRepr {
    #[serde(default, skip_deserializing)]
    hash: BlockHash,
    version: u16,
    parents_by_level: Vec<Vec<BlockHash>>,
    hash_merkle_root: MerkleRoot,
    accepted_id_merkle_root: MerkleRoot,
    utxo_commitment: UtxoCommitment,
    timestamp: u64,
    bits: CompactTarget,
    nonce: u64,
    daa_score: u64,
    blue_work: BlueWork,
    blue_score: u64,
    pruning_point: BlockHash,
}

impl Serialize for Header {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        HeaderRepr {
            hash: self.hash(),
            version: self.version,
            parents_by_level: self.parents_by_level.clone(),
            hash_merkle_root: self.hash_merkle_root,
            accepted_id_merkle_root: self.accepted_id_merkle_root,
            utxo_commitment: self.utxo_commitment,
            timestamp: self.timestamp,
            bits: self.bits,
            nonce: self.nonce,
            daa_score: self.daa_score,
            blue_work: self.blue_work,
            blue_score: self.blue_score,
            pruning_point: self.pruning_point,
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Header {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let r = HeaderRepr::deserialize(d)?;
        Ok(Header {
            version: r.version,
            parents_by_level: r.parents_by_level,
            hash_merkle_root: r.hash_merkle_root,
            accepted_id_merkle_root: r.accepted_id_merkle_root,
            utxo_commitment: r.utxo_commitment,
            timestamp: r.timestamp,
            bits: r.bits,
            nonce: r.nonce,
            daa_score: r.daa_score,
            blue_score: r.blue_score,
            blue_work: r.blue_work,
            pruning_point: r.pruning_point,
        })
    }
}

#[derive(Serialize, Deserialize)]
struct BlockRepr {
    header: Header,
    transactions: Vec<Transaction>,
}

impl Serialize for crate::Block {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        BlockRepr { header: self.header.clone(), transactions: self.transactions.clone() }.serialize(s)
    }
}

impl<'de> Deserialize<'de> for crate::Block {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let r = BlockRepr::deserialize(d)?;
        Ok(crate::Block { header: r.header, transactions: r.transactions })
    }
}
