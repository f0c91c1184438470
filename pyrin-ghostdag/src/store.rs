//! Where the per-block data lives: a trait a node can put over its own database, and an
//! in-memory store.

use alloc::vec::Vec;

use hashbrown::HashMap;
use pyrin_core::{BlockHash, BlueWork};

use crate::reachability::TreeNode;

/// A block's index in a store (dense, in insertion order; genesis is 0).
pub type BlockId = u32;

/// What GHOSTDAG computes for a block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GhostdagData {
    /// Number of blue blocks in the block's past.
    pub blue_score: u64,
    /// Sum of the work of the blue blocks in its past.
    pub blue_work: BlueWork,
    /// The block's own work (from its bits).
    pub work: BlueWork,
    /// The parent with the most blue work (ties by the larger hash); `None` for genesis.
    pub selected_parent: Option<BlockId>,
    /// Blue blocks of the mergeset in acceptance order, the selected parent first.
    pub mergeset_blues: Vec<BlockId>,
    /// Red blocks of the mergeset in acceptance order.
    pub mergeset_reds: Vec<BlockId>,
    /// For the block's mergeset blues and the chain blues they affect: the size of each
    /// one's blue anticone as seen from this block.
    pub blues_anticone_sizes: Vec<(BlockId, u16)>,
}

impl GhostdagData {
    /// The anticone size recorded for `block`, if this block recorded one.
    pub fn blue_anticone_size(&self, block: BlockId) -> Option<u16> {
        self.blues_anticone_sizes.iter().find(|(b, _)| *b == block).map(|(_, s)| *s)
    }
}

/// Everything stored for a new block, in one piece so that a store can write it
/// atomically (one database batch).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewBlock {
    /// The block's hash.
    pub hash: BlockHash,
    /// Its parents, as given (an antichain of known blocks).
    pub parents: Vec<BlockId>,
    /// Its GHOSTDAG data.
    pub data: GhostdagData,
    /// Its node in the selected-parent tree (reachability index).
    pub tree: TreeNode,
    /// Earlier blocks whose future covering set (reachability index) gains the new block.
    pub covers: Vec<BlockId>,
}

/// The per-block data GHOSTDAG reads and writes: parents, GHOSTDAG data and the
/// reachability index (see [`crate::reachability`]). Everything is written by
/// [`GhostdagStore::insert`], one call per block, so a store over a database can persist
/// each block in one batch.
pub trait GhostdagStore {
    /// The id of a known block.
    fn id_of(&self, hash: &BlockHash) -> Option<BlockId>;
    /// The hash of a block id (ids come from this store).
    fn hash_of(&self, id: BlockId) -> BlockHash;
    /// The parents of a block.
    fn parents(&self, id: BlockId) -> &[BlockId];
    /// The GHOSTDAG data of a block.
    fn data(&self, id: BlockId) -> &GhostdagData;
    /// Number of blocks stored.
    fn len(&self) -> usize;
    /// Whether the store is empty.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The block's node in the selected-parent tree.
    fn tree_node(&self, id: BlockId) -> TreeNode;
    /// The block's future covering set: blocks that merged it, none on another's
    /// selected chain.
    fn future_covering_set(&self, id: BlockId) -> &[BlockId];
    /// Stores a new block (the caller has checked everything), appends it to the future
    /// covering set of each block in `block.covers`, and returns its id (the number of
    /// blocks stored before it).
    fn insert(&mut self, block: NewBlock) -> BlockId;
}

/// A store in memory: vectors indexed by id and a hash map from hash to id.
#[derive(Clone, Debug, Default)]
pub struct MemoryStore {
    ids: HashMap<BlockHash, BlockId>,
    hashes: Vec<BlockHash>,
    parents: Vec<Vec<BlockId>>,
    data: Vec<GhostdagData>,
    tree: Vec<TreeNode>,
    future_covering_sets: Vec<Vec<BlockId>>,
}

impl GhostdagStore for MemoryStore {
    fn id_of(&self, hash: &BlockHash) -> Option<BlockId> {
        self.ids.get(hash).copied()
    }

    fn hash_of(&self, id: BlockId) -> BlockHash {
        self.hashes[id as usize]
    }

    fn parents(&self, id: BlockId) -> &[BlockId] {
        &self.parents[id as usize]
    }

    fn data(&self, id: BlockId) -> &GhostdagData {
        &self.data[id as usize]
    }

    fn len(&self) -> usize {
        self.hashes.len()
    }

    fn tree_node(&self, id: BlockId) -> TreeNode {
        self.tree[id as usize]
    }

    fn future_covering_set(&self, id: BlockId) -> &[BlockId] {
        &self.future_covering_sets[id as usize]
    }

    fn insert(&mut self, block: NewBlock) -> BlockId {
        let id = self.hashes.len() as BlockId;
        for &covered in &block.covers {
            self.future_covering_sets[covered as usize].push(id);
        }
        self.ids.insert(block.hash, id);
        self.hashes.push(block.hash);
        self.parents.push(block.parents);
        self.data.push(block.data);
        self.tree.push(block.tree);
        self.future_covering_sets.push(Vec::new());
        id
    }
}
