//! Where the per-block data lives: a trait a node can put over its own database, and an
//! in-memory store.

use alloc::vec::Vec;

use hashbrown::HashMap;
use pyrin_core::{BlueWork, Hash};

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

/// The per-block data GHOSTDAG reads and writes.
pub trait GhostdagStore {
    /// The id of a known block.
    fn id_of(&self, hash: &Hash) -> Option<BlockId>;
    /// The hash of a block id (ids come from this store).
    fn hash_of(&self, id: BlockId) -> Hash;
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
    /// Stores a new block (the caller has checked everything) and returns its id.
    fn insert(&mut self, hash: Hash, parents: Vec<BlockId>, data: GhostdagData) -> BlockId;
}

/// A store in memory: vectors indexed by id and a hash map from hash to id.
#[derive(Clone, Debug, Default)]
pub struct MemoryStore {
    ids: HashMap<Hash, BlockId>,
    hashes: Vec<Hash>,
    parents: Vec<Vec<BlockId>>,
    data: Vec<GhostdagData>,
}

impl GhostdagStore for MemoryStore {
    fn id_of(&self, hash: &Hash) -> Option<BlockId> {
        self.ids.get(hash).copied()
    }

    fn hash_of(&self, id: BlockId) -> Hash {
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

    fn insert(&mut self, hash: Hash, parents: Vec<BlockId>, data: GhostdagData) -> BlockId {
        let id = self.hashes.len() as BlockId;
        self.ids.insert(hash, id);
        self.hashes.push(hash);
        self.parents.push(parents);
        self.data.push(data);
        id
    }
}
