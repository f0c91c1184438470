use alloc::vec::Vec;

use crate::amount::Amount;
use crate::encoding::{Decode, DecodeError, Encode, Reader, Sink};
use crate::hash::{TransactionHash, TransactionId};
use crate::hashers;
use crate::subnets::SubnetworkId;

/// The script an output is locked with, and its script version.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "borsh", derive(borsh::BorshSerialize, borsh::BorshDeserialize))]
pub struct ScriptPublicKey {
    /// Script version (0 for every standard script today).
    pub version: u16,
    /// The script bytes.
    pub script: Vec<u8>,
}

impl ScriptPublicKey {
    /// A script public key.
    pub fn new(version: u16, script: Vec<u8>) -> Self {
        ScriptPublicKey { version, script }
    }
}

impl core::fmt::Debug for ScriptPublicKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ScriptPublicKey")
            .field("version", &self.version)
            .field("script", &crate::hex::encode(&self.script))
            .finish()
    }
}

/// A reference to an output of an earlier transaction.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, Debug, PartialOrd, Ord)]
#[cfg_attr(feature = "borsh", derive(borsh::BorshSerialize, borsh::BorshDeserialize))]
pub struct TransactionOutpoint {
    /// The id of the transaction holding the output.
    pub transaction_id: TransactionId,
    /// The output's index in that transaction.
    pub index: u32,
}

impl TransactionOutpoint {
    /// An outpoint.
    pub fn new(transaction_id: TransactionId, index: u32) -> Self {
        TransactionOutpoint { transaction_id, index }
    }
}

/// A transaction input.
///
/// `sig_op_count` is charged as mass and must equal the number of signature checks the
/// spent script performs (1 for a standard pay-to-public-key output): build inputs with
/// [`TransactionInput::new`] or [`TransactionInput::spending`] rather than `default()`,
/// whose count of 0 no signed standard input passes.
///
/// ```
/// use pyrin_core::{TransactionId, TransactionInput, TransactionOutpoint};
/// let outpoint = TransactionOutpoint::new(TransactionId::from_bytes([3; 32]), 0);
/// let input = TransactionInput::spending(outpoint);
/// assert_eq!((input.sig_op_count, input.sequence), (1, 0));
/// assert!(input.signature_script.is_empty()); // filled in when signing
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "borsh", derive(borsh::BorshSerialize, borsh::BorshDeserialize))]
pub struct TransactionInput {
    /// The output being spent.
    pub previous_outpoint: TransactionOutpoint,
    /// The script that unlocks it (signatures).
    pub signature_script: Vec<u8>,
    /// The sequence number (relative lock time).
    pub sequence: u64,
    /// The number of signature operations the script performs (charged as mass).
    pub sig_op_count: u8,
}

impl TransactionInput {
    /// An unsigned input spending `previous_outpoint`, with the given sequence and
    /// signature-operation count; signing fills in the signature script.
    pub fn new(previous_outpoint: TransactionOutpoint, sequence: u64, sig_op_count: u8) -> Self {
        TransactionInput { previous_outpoint, signature_script: Vec::new(), sequence, sig_op_count }
    }

    /// An unsigned input spending a standard pay-to-public-key output (Schnorr or ECDSA):
    /// one signature operation, sequence 0.
    pub fn spending(previous_outpoint: TransactionOutpoint) -> Self {
        Self::new(previous_outpoint, 0, 1)
    }
}

impl core::fmt::Debug for TransactionInput {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TransactionInput")
            .field("previous_outpoint", &self.previous_outpoint)
            .field("signature_script", &crate::hex::encode(&self.signature_script))
            .field("sequence", &self.sequence)
            .field("sig_op_count", &self.sig_op_count)
            .finish()
    }
}

/// A transaction output.
#[derive(Clone, PartialEq, Eq, Hash, Default, Debug)]
#[cfg_attr(feature = "borsh", derive(borsh::BorshSerialize, borsh::BorshDeserialize))]
pub struct TransactionOutput {
    /// The amount it carries.
    pub value: Amount,
    /// The script locking it.
    pub script_public_key: ScriptPublicKey,
}

impl TransactionOutput {
    /// An output paying `value` to `script_public_key`.
    pub fn new(value: Amount, script_public_key: ScriptPublicKey) -> Self {
        TransactionOutput { value, script_public_key }
    }
}

/// A transaction.
///
/// # Encoding, id and hash
/// Encoding (little-endian integers, u64 lengths): version (u16) ‖ inputs ‖ outputs ‖
/// lock_time (u64) ‖ subnetwork id (20 bytes) ‖ gas (u64) ‖ payload (var bytes), where an
/// input is outpoint (tx id ‖ u32 index) ‖ signature script (var bytes) ‖ sig_op_count (u8)
/// ‖ sequence (u64) and an output is value (u64) ‖ script version (u16) ‖ script (var bytes).
///
/// The id leaves signature scripts out (an empty var bytes and no sig_op_count byte) so
/// that signing does not change it; coinbase transactions keep the full encoding. The
/// reference node's optional storage-mass commitment is not part of either hash here, as
/// on the Pyrin network.
///
/// ```
/// use pyrin_core::{SubnetworkId, Transaction};
/// let coinbase = Transaction {
///     subnetwork_id: SubnetworkId::COINBASE,
///     payload: b"hello".to_vec(),
///     ..Transaction::default()
/// };
/// assert!(coinbase.is_coinbase());
/// // The id and the hash are different roles: comparing them takes an explicit step.
/// assert_ne!(coinbase.id().to_raw_hash(), coinbase.hash().to_raw_hash());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "borsh", derive(borsh::BorshSerialize, borsh::BorshDeserialize))]
pub struct Transaction {
    /// Transaction version.
    pub version: u16,
    /// Inputs, in order.
    pub inputs: Vec<TransactionInput>,
    /// Outputs, in order.
    pub outputs: Vec<TransactionOutput>,
    /// Absolute lock time (DAA score or milliseconds).
    pub lock_time: u64,
    /// The subnetwork this transaction belongs to.
    pub subnetwork_id: SubnetworkId,
    /// Gas (for subnetworks that meter it).
    pub gas: u64,
    /// Arbitrary payload (the coinbase data of a coinbase transaction).
    pub payload: Vec<u8>,
}

impl core::fmt::Debug for Transaction {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Transaction")
            .field("version", &self.version)
            .field("inputs", &self.inputs)
            .field("outputs", &self.outputs)
            .field("lock_time", &self.lock_time)
            .field("subnetwork_id", &self.subnetwork_id)
            .field("gas", &self.gas)
            .field("payload", &crate::hex::encode(&self.payload))
            .finish()
    }
}

/// Which parts of a transaction an encoding includes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TxEncoding {
    /// Everything: what [`Transaction::hash`] covers and what [`Decode`] reads.
    Full,
    /// Signature scripts (and sig-op counts) left out: what [`Transaction::id`] covers
    /// for non-coinbase transactions.
    ExcludeSignatureScripts,
}

/// Smallest possible encoded input: outpoint 36, empty script 8, sig-op count 1, sequence 8.
const MIN_INPUT_LEN: usize = 36 + 8 + 1 + 8;
/// Smallest possible encoded output: value 8, version 2, empty script 8.
const MIN_OUTPUT_LEN: usize = 8 + 2 + 8;

impl Transaction {
    /// Whether this is a coinbase transaction (its subnetwork is the coinbase one).
    pub fn is_coinbase(&self) -> bool {
        self.subnetwork_id.is_coinbase()
    }

    /// Writes the chosen encoding into a sink.
    pub fn encode_with<S: Sink + ?Sized>(&self, sink: &mut S, encoding: TxEncoding) {
        sink.put_u16(self.version);
        sink.put_len(self.inputs.len());
        for input in &self.inputs {
            sink.put_hash(input.previous_outpoint.transaction_id.as_raw_hash());
            sink.put_u32(input.previous_outpoint.index);
            match encoding {
                TxEncoding::Full => {
                    sink.put_var_bytes(&input.signature_script);
                    sink.put_u8(input.sig_op_count);
                }
                TxEncoding::ExcludeSignatureScripts => sink.put_var_bytes(&[]),
            }
            sink.put_u64(input.sequence);
        }
        sink.put_len(self.outputs.len());
        for output in &self.outputs {
            sink.put_u64(output.value.to_leor());
            sink.put_u16(output.script_public_key.version);
            sink.put_var_bytes(&output.script_public_key.script);
        }
        sink.put_u64(self.lock_time);
        sink.put(self.subnetwork_id.as_bytes());
        sink.put_u64(self.gas);
        sink.put_var_bytes(&self.payload);
    }

    /// The transaction id: `TransactionID`-keyed BLAKE3 over the encoding without
    /// signature scripts, or over the full encoding for a coinbase transaction.
    pub fn id(&self) -> TransactionId {
        let encoding = if self.is_coinbase() { TxEncoding::Full } else { TxEncoding::ExcludeSignatureScripts };
        let mut hasher = hashers::TRANSACTION_ID.hasher();
        self.encode_with(&mut hasher, encoding);
        TransactionId::from_raw_hash(hasher.finalize())
    }

    /// The transaction hash: `TransactionHash`-keyed BLAKE3 over the full encoding. The
    /// block's hash merkle root is built from these.
    pub fn hash(&self) -> TransactionHash {
        let mut hasher = hashers::TRANSACTION_HASH.hasher();
        self.encode_with(&mut hasher, TxEncoding::Full);
        TransactionHash::from_raw_hash(hasher.finalize())
    }
}

impl Encode for Transaction {
    fn encode_to<S: Sink + ?Sized>(&self, sink: &mut S) {
        self.encode_with(sink, TxEncoding::Full);
    }
}

impl Decode for Transaction {
    fn decode_from(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let version = r.u16("version")?;
        let n_inputs = r.len("inputs", MIN_INPUT_LEN)?;
        let mut inputs = Vec::with_capacity(n_inputs);
        for _ in 0..n_inputs {
            let transaction_id = TransactionId::from_raw_hash(r.hash("input outpoint transaction id")?);
            let index = r.u32("input outpoint index")?;
            let signature_script = r.var_bytes("input signature script")?.to_vec();
            let sig_op_count = r.u8("input sig op count")?;
            let sequence = r.u64("input sequence")?;
            inputs.push(TransactionInput {
                previous_outpoint: TransactionOutpoint { transaction_id, index },
                signature_script,
                sequence,
                sig_op_count,
            });
        }
        let n_outputs = r.len("outputs", MIN_OUTPUT_LEN)?;
        let mut outputs = Vec::with_capacity(n_outputs);
        for _ in 0..n_outputs {
            let value = Amount::from_leor(r.u64("output value")?);
            let version = r.u16("output script version")?;
            let script = r.var_bytes("output script")?.to_vec();
            outputs.push(TransactionOutput { value, script_public_key: ScriptPublicKey { version, script } });
        }
        let lock_time = r.u64("lock time")?;
        let subnetwork_id = SubnetworkId::from_bytes(r.take(20, "subnetwork id")?.try_into().expect("20 bytes"));
        let gas = r.u64("gas")?;
        let payload = r.var_bytes("payload")?.to_vec();
        Ok(Transaction { version, inputs, outputs, lock_time, subnetwork_id, gas, payload })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Transaction {
        Transaction {
            version: 1,
            inputs: alloc::vec![TransactionInput {
                previous_outpoint: TransactionOutpoint::new(TransactionId::from_bytes([7; 32]), 3),
                signature_script: alloc::vec![1, 2, 3],
                sequence: 9,
                sig_op_count: 1,
            }],
            outputs: alloc::vec![TransactionOutput {
                value: Amount::from_leor(100),
                script_public_key: ScriptPublicKey::new(0, alloc::vec![0x20; 34]),
            }],
            lock_time: 5,
            subnetwork_id: SubnetworkId::NATIVE,
            gas: 0,
            payload: alloc::vec![],
        }
    }

    #[test]
    fn id_ignores_signature_scripts() {
        let tx = sample();
        let mut signed = tx.clone();
        signed.inputs[0].signature_script = alloc::vec![9; 65];
        assert_eq!(tx.id(), signed.id());
        assert_ne!(tx.hash(), signed.hash());
    }

    #[test]
    fn coinbase_id_covers_signature_scripts() {
        let mut tx = sample();
        tx.subnetwork_id = SubnetworkId::COINBASE;
        let mut changed = tx.clone();
        changed.inputs[0].signature_script.push(0);
        assert_ne!(tx.id(), changed.id());
    }

    #[test]
    fn full_encoding_round_trips() {
        let tx = sample();
        assert_eq!(Transaction::from_bytes(&tx.to_bytes()), Ok(tx));
    }
}
