//! Merkle roots over transaction hashes and ids (`MerkleBranchHash`).
//!
//! The leaves are padded to the next power of two. An inner node is keyed BLAKE3 of
//! left ‖ right, a missing right sibling counting as the zero hash; a pair with no left
//! node stays empty. No leaves give the zero hash, one leaf is its own root.

use alloc::vec::Vec;

use crate::hash::{Hash, MerkleRoot, TransactionId, ZERO_HASH};
use crate::hashers;
use crate::tx::Transaction;

/// Hashes two sibling nodes.
pub fn merkle_branch(left: &Hash, right: &Hash) -> Hash {
    let mut buf = [0u8; 64];
    buf[..32].copy_from_slice(left.as_bytes());
    buf[32..].copy_from_slice(right.as_bytes());
    hashers::MERKLE_BRANCH_HASH.hash(&buf)
}

/// The merkle root of `leaves`, in order.
///
/// ```
/// use pyrin_core::{merkle::merkle_root, Hash, MerkleRoot};
/// assert_eq!(merkle_root(Vec::<Hash>::new()), MerkleRoot::ZERO);
/// let leaf = Hash::from_bytes([1; 32]);
/// assert_eq!(merkle_root([leaf]).to_raw_hash(), leaf);
/// ```
pub fn merkle_root(leaves: impl IntoIterator<Item = Hash>) -> MerkleRoot {
    let mut level: Vec<Hash> = leaves.into_iter().collect();
    if level.is_empty() {
        return MerkleRoot::ZERO;
    }
    // Padding to a power of two with empty nodes is the same as hashing a lone left node
    // with the zero hash and dropping empty pairs, level by level.
    while level.len() > 1 {
        let next_len = level.len().div_ceil(2);
        for i in 0..next_len {
            let left = level[2 * i];
            let right = level.get(2 * i + 1).copied().unwrap_or(ZERO_HASH);
            level[i] = merkle_branch(&left, &right);
        }
        level.truncate(next_len);
    }
    MerkleRoot::from_raw_hash(level[0])
}

/// The hash merkle root of a block: the tree over its transactions' hashes.
pub fn hash_merkle_root<'a>(txs: impl IntoIterator<Item = &'a Transaction>) -> MerkleRoot {
    merkle_root(txs.into_iter().map(|tx| tx.hash().to_raw_hash()))
}

/// The accepted-id merkle root: the tree over accepted transaction ids, in the order given.
pub fn accepted_id_merkle_root(ids: impl IntoIterator<Item = TransactionId>) -> MerkleRoot {
    merkle_root(ids.into_iter().map(TransactionId::to_raw_hash))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaf(i: u8) -> Hash {
        Hash::from_bytes([i; 32])
    }

    #[test]
    fn three_leaves_pad_with_zero_hash() {
        let root = merkle_root([leaf(1), leaf(2), leaf(3)]);
        let expected = merkle_branch(&merkle_branch(&leaf(1), &leaf(2)), &merkle_branch(&leaf(3), &ZERO_HASH));
        assert_eq!(root.to_raw_hash(), expected);
    }

    #[test]
    fn five_leaves_keep_empty_subtrees_empty() {
        let l: Vec<Hash> = (1..=5).map(leaf).collect();
        let left = merkle_branch(&merkle_branch(&l[0], &l[1]), &merkle_branch(&l[2], &l[3]));
        let right = merkle_branch(&merkle_branch(&l[4], &ZERO_HASH), &ZERO_HASH);
        assert_eq!(merkle_root(l).to_raw_hash(), merkle_branch(&left, &right));
    }
}
