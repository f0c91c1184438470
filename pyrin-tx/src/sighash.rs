//! Signature hashes: what a Schnorr or ECDSA signature of a transaction input commits to.
//!
//! The layout follows the reference node (`consensus/core/src/hashing/sighash.rs`), all
//! hashed with the BLAKE3 `TransactionSigningHash` domain: version ‖ previous outputs
//! hash ‖ sequences hash ‖ sig-op counts hash ‖ the input's outpoint ‖ the spent script
//! public key ‖ amount ‖ sequence ‖ sig-op count ‖ outputs hash ‖ lock time ‖ subnetwork
//! ‖ gas ‖ payload hash ‖ sighash type. The four whole-transaction hashes are computed
//! once per transaction ([`SighashCache`]), so hashing all n inputs costs O(n). The ECDSA
//! hash is SHA-256(SHA-256("TransactionSigningHashECDSA") ‖ Schnorr hash).

use core::cell::OnceCell;

use pyrin_core::{
    hashers::{self, DomainHasher},
    Hash, ScriptPublicKey, Sink, Transaction, TransactionOutput, ZERO_HASH,
};
use sha2::{Digest, Sha256};

use crate::UtxoEntry;

pyrin_core::hash_newtype! {
    /// A signature hash: the 32-byte digest a Schnorr or ECDSA signature of one input
    /// commits to.
    pub struct SigHash;
}

/// A sighash type: which parts of the transaction a signature commits to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SigHashType(u8);

impl SigHashType {
    /// Commit to every input and output.
    pub const ALL: SigHashType = SigHashType(0x01);
    /// Commit to the inputs only.
    pub const NONE: SigHashType = SigHashType(0x02);
    /// Commit to the inputs and the output with this input's index.
    pub const SINGLE: SigHashType = SigHashType(0x04);
    /// `ALL`, committing to this input only.
    pub const ALL_ANYONE_CAN_PAY: SigHashType = SigHashType(0x81);
    /// `NONE`, committing to this input only.
    pub const NONE_ANYONE_CAN_PAY: SigHashType = SigHashType(0x82);
    /// `SINGLE`, committing to this input only.
    pub const SINGLE_ANYONE_CAN_PAY: SigHashType = SigHashType(0x84);
    /// The six types the network accepts.
    pub const ALL_TYPES: [SigHashType; 6] = [
        Self::ALL,
        Self::NONE,
        Self::SINGLE,
        Self::ALL_ANYONE_CAN_PAY,
        Self::NONE_ANYONE_CAN_PAY,
        Self::SINGLE_ANYONE_CAN_PAY,
    ];

    /// The type of a byte, if it is one of the six the network accepts.
    ///
    /// # Errors
    /// [`SighashError::InvalidSighashType`] for any other byte.
    pub fn from_u8(value: u8) -> Result<Self, SighashError> {
        Self::ALL_TYPES.into_iter().find(|t| t.0 == value).ok_or(SighashError::InvalidSighashType(value))
    }

    /// The byte.
    pub const fn to_u8(self) -> u8 {
        self.0
    }

    fn base(self) -> u8 {
        self.0 & 0x07
    }

    fn is_none(self) -> bool {
        self.base() == 0x02
    }

    fn is_single(self) -> bool {
        self.base() == 0x04
    }

    fn anyone_can_pay(self) -> bool {
        self.0 & 0x80 != 0
    }
}

/// Why a signature hash could not be computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SighashError {
    /// Not one of the six sighash types.
    #[error("invalid sighash type {0:#04x}")]
    InvalidSighashType(u8),
    /// No input with this index.
    #[error("input index {index} out of range for a transaction with {inputs} inputs")]
    InputIndexOutOfRange {
        /// The index asked for.
        index: usize,
        /// Inputs in the transaction.
        inputs: usize,
    },
    /// The UTXO entries do not match the inputs one for one.
    #[error("{entries} UTXO entries for {inputs} inputs")]
    EntryCountMismatch {
        /// Entries given.
        entries: usize,
        /// Inputs in the transaction.
        inputs: usize,
    },
}

/// A transaction with the UTXO entries its inputs spend, and the whole-transaction hashes
/// computed on first use and reused for every input.
///
/// ```
/// use pyrin_core::{Amount, ScriptPublicKey, Transaction, TransactionId, TransactionInput, TransactionOutpoint};
/// use pyrin_tx::{sighash::{SighashCache, SigHashType}, UtxoEntry};
///
/// let tx = Transaction {
///     inputs: vec![TransactionInput::spending(TransactionOutpoint::new(TransactionId::ZERO, 0))],
///     ..Transaction::default()
/// };
/// let entries = [UtxoEntry { amount: Amount::from_leor(5), script_public_key: ScriptPublicKey::new(0, vec![]), block_daa_score: 0, is_coinbase: false }];
/// let cache = SighashCache::new(&tx, &entries)?;
/// let hash = cache.schnorr_hash(0, SigHashType::ALL)?;
/// assert_ne!(hash, cache.schnorr_hash(0, SigHashType::NONE)?);
/// # Ok::<(), pyrin_tx::sighash::SighashError>(())
/// ```
#[derive(Debug)]
pub struct SighashCache<'a> {
    tx: &'a Transaction,
    entries: &'a [UtxoEntry],
    previous_outputs: OnceCell<Hash>,
    sequences: OnceCell<Hash>,
    sig_op_counts: OnceCell<Hash>,
    outputs: OnceCell<Hash>,
    payload: OnceCell<Hash>,
}

impl<'a> SighashCache<'a> {
    /// A cache over `tx` whose input `i` spends `entries[i]`.
    ///
    /// # Errors
    /// [`SighashError::EntryCountMismatch`] unless there is one entry per input.
    pub fn new(tx: &'a Transaction, entries: &'a [UtxoEntry]) -> Result<Self, SighashError> {
        if tx.inputs.len() != entries.len() {
            return Err(SighashError::EntryCountMismatch { entries: entries.len(), inputs: tx.inputs.len() });
        }
        Ok(Self {
            tx,
            entries,
            previous_outputs: OnceCell::new(),
            sequences: OnceCell::new(),
            sig_op_counts: OnceCell::new(),
            outputs: OnceCell::new(),
            payload: OnceCell::new(),
        })
    }

    /// The transaction.
    pub fn transaction(&self) -> &'a Transaction {
        self.tx
    }

    /// The UTXO entries.
    pub fn entries(&self) -> &'a [UtxoEntry] {
        self.entries
    }

    fn hasher() -> DomainHasher {
        hashers::TRANSACTION_SIGNING_HASH.hasher()
    }

    fn previous_outputs_hash(&self, ty: SigHashType) -> Hash {
        if ty.anyone_can_pay() {
            return ZERO_HASH;
        }
        *self.previous_outputs.get_or_init(|| {
            let mut h = Self::hasher();
            for input in &self.tx.inputs {
                h.put_hash(input.previous_outpoint.transaction_id.as_raw_hash());
                h.put_u32(input.previous_outpoint.index);
            }
            h.finalize()
        })
    }

    fn sequences_hash(&self, ty: SigHashType) -> Hash {
        if ty.is_single() || ty.is_none() || ty.anyone_can_pay() {
            return ZERO_HASH;
        }
        *self.sequences.get_or_init(|| {
            let mut h = Self::hasher();
            for input in &self.tx.inputs {
                h.put_u64(input.sequence);
            }
            h.finalize()
        })
    }

    fn sig_op_counts_hash(&self, ty: SigHashType) -> Hash {
        if ty.anyone_can_pay() {
            return ZERO_HASH;
        }
        *self.sig_op_counts.get_or_init(|| {
            let mut h = Self::hasher();
            for input in &self.tx.inputs {
                h.put_u8(input.sig_op_count);
            }
            h.finalize()
        })
    }

    fn outputs_hash(&self, ty: SigHashType, input_index: usize) -> Hash {
        if ty.is_none() {
            return ZERO_HASH;
        }
        if ty.is_single() {
            // Only the output with this input's index, or nothing when there is none.
            return match self.tx.outputs.get(input_index) {
                Some(output) => {
                    let mut h = Self::hasher();
                    put_output(&mut h, output);
                    h.finalize()
                }
                None => ZERO_HASH,
            };
        }
        *self.outputs.get_or_init(|| {
            let mut h = Self::hasher();
            for output in &self.tx.outputs {
                put_output(&mut h, output);
            }
            h.finalize()
        })
    }

    fn payload_hash(&self) -> Hash {
        if self.tx.subnetwork_id.is_native() {
            return ZERO_HASH;
        }
        *self.payload.get_or_init(|| {
            let mut h = Self::hasher();
            h.put_var_bytes(&self.tx.payload);
            h.finalize()
        })
    }

    /// The Schnorr signature hash of input `input_index` under `ty`.
    ///
    /// # Errors
    /// [`SighashError::InputIndexOutOfRange`] when there is no such input.
    pub fn schnorr_hash(&self, input_index: usize, ty: SigHashType) -> Result<SigHash, SighashError> {
        let inputs = self.tx.inputs.len();
        let (Some(input), Some(entry)) = (self.tx.inputs.get(input_index), self.entries.get(input_index)) else {
            return Err(SighashError::InputIndexOutOfRange { index: input_index, inputs });
        };
        let mut h = Self::hasher();
        h.put_u16(self.tx.version);
        h.put_hash(&self.previous_outputs_hash(ty));
        h.put_hash(&self.sequences_hash(ty));
        h.put_hash(&self.sig_op_counts_hash(ty));
        h.put_hash(input.previous_outpoint.transaction_id.as_raw_hash());
        h.put_u32(input.previous_outpoint.index);
        put_script_public_key(&mut h, &entry.script_public_key);
        h.put_u64(entry.amount.to_leor());
        h.put_u64(input.sequence);
        h.put_u8(input.sig_op_count);
        h.put_hash(&self.outputs_hash(ty, input_index));
        h.put_u64(self.tx.lock_time);
        h.put(self.tx.subnetwork_id.as_bytes());
        h.put_u64(self.tx.gas);
        h.put_hash(&self.payload_hash());
        h.put_u8(ty.to_u8());
        Ok(SigHash::from_raw_hash(h.finalize()))
    }

    /// The ECDSA signature hash of input `input_index` under `ty`.
    ///
    /// # Errors
    /// [`SighashError::InputIndexOutOfRange`] when there is no such input.
    pub fn ecdsa_hash(&self, input_index: usize, ty: SigHashType) -> Result<SigHash, SighashError> {
        Ok(ecdsa_of_schnorr_hash(&self.schnorr_hash(input_index, ty)?))
    }
}

/// SHA-256(SHA-256("TransactionSigningHashECDSA") ‖ hash): the ECDSA signature hash of
/// a Schnorr one.
pub fn ecdsa_of_schnorr_hash(hash: &SigHash) -> SigHash {
    let domain = Sha256::digest(hashers::TRANSACTION_SIGNING_HASH_ECDSA_DOMAIN.as_bytes());
    let mut sha = Sha256::new();
    sha.update(domain);
    sha.update(hash.as_bytes());
    SigHash::from_bytes(sha.finalize().into())
}

fn put_script_public_key(h: &mut impl Sink, spk: &ScriptPublicKey) {
    h.put_u16(spk.version);
    h.put_var_bytes(&spk.script);
}

fn put_output(h: &mut impl Sink, output: &TransactionOutput) {
    h.put_u64(output.value.to_leor());
    put_script_public_key(h, &output.script_public_key);
}
