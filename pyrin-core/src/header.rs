use alloc::vec::Vec;

use crate::encoding::{Decode, DecodeError, Encode, Reader, Sink};
use crate::hash::{BlockHash, MerkleRoot, PrePowHash, UtxoCommitment};
use crate::hashers;
use crate::target::{CompactTarget, Target};
use crate::uint::BlueWork;

/// A block header.
///
/// # Hashes
/// The block hash is `BlockHash`-keyed BLAKE3 over: version (u16) ‖ number of parent
/// levels (u64) ‖ for each level its length (u64) and hashes ‖ hash merkle root ‖
/// accepted-id merkle root ‖ UTXO commitment ‖ timestamp (u64) ‖ bits (u32) ‖ nonce (u64)
/// ‖ DAA score (u64) ‖ blue score (u64) ‖ blue work (var bytes: big-endian, leading zero
/// bytes removed) ‖ pruning point. The pre-PoW hash is the same with timestamp and nonce
/// written as zero. Both mainnet genesis blocks and real mined blocks reproduce with it.
///
/// ```
/// use pyrin_core::{BlockHash, BlueWork, CompactTarget, Header};
///
/// let header = Header {
///     parents_by_level: vec![vec![BlockHash::from_bytes([1; 32])]],
///     bits: CompactTarget::from_consensus(0x1e7fffff),
///     timestamp: 1_724_969_400_000,
///     nonce: 7,
///     blue_work: BlueWork::from_u64(1 << 40),
///     ..Header::default()
/// };
/// // A miner hashes the template once, then varies only timestamp and nonce.
/// let template = header.pre_pow_hash();
/// let mut mined = header.clone();
/// mined.nonce = 8;
/// assert_eq!(mined.pre_pow_hash(), template);
/// assert_ne!(mined.hash(), header.hash());
/// // A pool checks a found nonce's block hash without copying the header.
/// assert_eq!(header.hash_with_nonce(8), mined.hash());
/// ```
#[derive(Clone, PartialEq, Eq, Debug, Default, Hash)]
#[cfg_attr(feature = "borsh", derive(borsh::BorshSerialize, borsh::BorshDeserialize))]
pub struct Header {
    /// Block version.
    pub version: u16,
    /// Parents per block level; level 0 holds the direct parents.
    pub parents_by_level: Vec<Vec<BlockHash>>,
    /// Merkle root of the block's transaction hashes.
    pub hash_merkle_root: MerkleRoot,
    /// Merkle root of the transaction ids the block accepts.
    pub accepted_id_merkle_root: MerkleRoot,
    /// MuHash commitment to the UTXO set.
    pub utxo_commitment: UtxoCommitment,
    /// Milliseconds since the Unix epoch.
    pub timestamp: u64,
    /// Compact PoW target.
    pub bits: CompactTarget,
    /// PoW nonce.
    pub nonce: u64,
    /// DAA score.
    pub daa_score: u64,
    /// Blue score (number of blue blocks in the past).
    pub blue_score: u64,
    /// Accumulated blue work.
    pub blue_work: BlueWork,
    /// The pruning point this block commits to.
    pub pruning_point: BlockHash,
}

/// Smallest encoded header: 2 + 8 + 3·32 + 8 + 4 + 8 + 8 + 8 + 8 + 32.
const MIN_HEADER_LEN: usize = 182;

impl Header {
    /// Writes the hashed encoding with the given timestamp and nonce (so the pre-PoW hash
    /// needs no copy of the header).
    fn encode_with<S: Sink + ?Sized>(&self, sink: &mut S, timestamp: u64, nonce: u64) {
        sink.put_u16(self.version);
        sink.put_len(self.parents_by_level.len());
        for level in &self.parents_by_level {
            sink.put_len(level.len());
            for parent in level {
                sink.put_hash(parent.as_raw_hash());
            }
        }
        sink.put_hash(self.hash_merkle_root.as_raw_hash());
        sink.put_hash(self.accepted_id_merkle_root.as_raw_hash());
        sink.put_hash(self.utxo_commitment.as_raw_hash());
        sink.put_u64(timestamp);
        sink.put_u32(self.bits.to_consensus());
        sink.put_u64(nonce);
        sink.put_u64(self.daa_score);
        sink.put_u64(self.blue_score);
        let work = self.blue_work.to_be_bytes();
        let start = work.iter().position(|&b| b != 0).unwrap_or(work.len());
        sink.put_var_bytes(&work[start..]);
        sink.put_hash(self.pruning_point.as_raw_hash());
    }

    /// The block hash.
    pub fn hash(&self) -> BlockHash {
        self.hash_with_nonce(self.nonce)
    }

    /// The block hash the header would have with `nonce` in place of its own: what a pool
    /// or miner computes for a found nonce, without copying the header.
    pub fn hash_with_nonce(&self, nonce: u64) -> BlockHash {
        let mut hasher = hashers::BLOCK_HASH.hasher();
        self.encode_with(&mut hasher, self.timestamp, nonce);
        BlockHash::from_raw_hash(hasher.finalize())
    }

    /// The pre-PoW hash: the block hash with timestamp and nonce set to zero. The PoW of
    /// every nonce of a template starts from it.
    pub fn pre_pow_hash(&self) -> PrePowHash {
        let mut hasher = hashers::BLOCK_HASH.hasher();
        self.encode_with(&mut hasher, 0, 0);
        PrePowHash::from_raw_hash(hasher.finalize())
    }

    /// The direct parents (level 0), empty for genesis.
    pub fn direct_parents(&self) -> &[BlockHash] {
        self.parents_by_level.first().map_or(&[], |level| level.as_slice())
    }

    /// The PoW target the header's `bits` encode.
    pub fn target(&self) -> Target {
        Target::from_compact(self.bits)
    }
}

impl Encode for Header {
    fn encode_to<S: Sink + ?Sized>(&self, sink: &mut S) {
        self.encode_with(sink, self.timestamp, self.nonce);
    }
}

impl Decode for Header {
    fn decode_from(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        if r.remaining() < MIN_HEADER_LEN {
            return Err(DecodeError::UnexpectedEnd {
                field: "header",
                needed: MIN_HEADER_LEN as u64,
                remaining: r.remaining(),
            });
        }
        let version = r.u16("version")?;
        let n_levels = r.len("parents by level", 8)?;
        let mut parents_by_level = Vec::with_capacity(n_levels);
        for _ in 0..n_levels {
            let n = r.len("parent level", 32)?;
            let mut level = Vec::with_capacity(n);
            for _ in 0..n {
                level.push(BlockHash::from_raw_hash(r.hash("parent")?));
            }
            parents_by_level.push(level);
        }
        let hash_merkle_root = MerkleRoot::from_raw_hash(r.hash("hash merkle root")?);
        let accepted_id_merkle_root = MerkleRoot::from_raw_hash(r.hash("accepted id merkle root")?);
        let utxo_commitment = UtxoCommitment::from_raw_hash(r.hash("utxo commitment")?);
        let timestamp = r.u64("timestamp")?;
        let bits = CompactTarget::from_consensus(r.u32("bits")?);
        let nonce = r.u64("nonce")?;
        let daa_score = r.u64("daa score")?;
        let blue_score = r.u64("blue score")?;
        let work = r.var_bytes("blue work")?;
        if work.first() == Some(&0) {
            return Err(DecodeError::NonCanonicalBlueWork);
        }
        let blue_work = BlueWork::from_be_slice(work).ok_or(DecodeError::BlueWorkTooLong(work.len() as u64))?;
        let pruning_point = BlockHash::from_raw_hash(r.hash("pruning point")?);
        Ok(Header {
            version,
            parents_by_level,
            hash_merkle_root,
            accepted_id_merkle_root,
            utxo_commitment,
            timestamp,
            bits,
            nonce,
            daa_score,
            blue_score,
            blue_work,
            pruning_point,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Header {
        Header {
            version: 1,
            parents_by_level: alloc::vec![
                alloc::vec![BlockHash::from_bytes([1; 32]), BlockHash::from_bytes([2; 32])],
                alloc::vec![]
            ],
            timestamp: 1_700_000_000_000,
            bits: CompactTarget::from_consensus(0x1e7fffff),
            nonce: 42,
            daa_score: 7,
            blue_score: 6,
            blue_work: BlueWork::from_u64(0x1234),
            ..Header::default()
        }
    }

    #[test]
    fn pre_pow_hash_ignores_timestamp_and_nonce() {
        let h = sample();
        let mut other = h.clone();
        other.timestamp += 1;
        other.nonce += 1;
        assert_eq!(h.pre_pow_hash(), other.pre_pow_hash());
        assert_ne!(h.hash(), other.hash());
    }

    #[test]
    fn encoding_round_trips() {
        let h = sample();
        assert_eq!(Header::from_bytes(&h.to_bytes()), Ok(h));
    }

    #[test]
    fn non_minimal_blue_work_is_rejected() {
        let mut h = sample();
        h.blue_work = BlueWork::ZERO;
        let mut bytes = h.to_bytes();
        // Zero work is the empty string; splice in a one-byte zero instead.
        let at = bytes.len() - 32 - 8;
        bytes[at] = 1;
        bytes.insert(at + 8, 0);
        assert_eq!(Header::from_bytes(&bytes), Err(DecodeError::NonCanonicalBlueWork));
    }

    #[test]
    fn hash_equals_keyed_blake3_of_encoding() {
        let h = sample();
        assert_eq!(h.hash().to_raw_hash(), hashers::BLOCK_HASH.hash(&h.to_bytes()));
    }
}
