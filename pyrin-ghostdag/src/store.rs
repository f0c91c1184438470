//! Where the per-block data lives: a trait a node can put over its own database, and an
//! in-memory store.

use alloc::vec::Vec;
use core::fmt;

use hashbrown::HashMap;
use pyrin_core::BlockHash;
use pyrin_core::BlueWork;

use crate::reachability::TreeNode;

/// A block's position in a store: ids are dense and given in insertion order, genesis
/// first ([`BlockId::GENESIS`]), so the ids of a store holding `n` blocks are exactly
/// `from_index(0)` to `from_index(n - 1)`.
///
/// An id only means something to the store (and the [`crate::Ghostdag`]) that gave it out.
/// It is a plain index, so it is cheap to copy, compare and hash; ids order as the blocks
/// were added, which is a topological order (parents before children) but not the
/// consensus order ([`crate::Ghostdag::dag_order`]).
///
/// ```
/// use pyrin_ghostdag::BlockId;
/// let id = BlockId::from_index(7);
/// assert_eq!(id.index(), 7);
/// assert_eq!(id.to_string(), "7");
/// assert!(BlockId::GENESIS < id);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct BlockId(u32);

impl BlockId {
    /// Genesis, the first block of every store.
    pub const GENESIS: BlockId = BlockId(0);

    /// The id of the block stored after `index` others (for a store's
    /// [`GhostdagStore::insert`], or to walk every id of a DAG).
    pub const fn from_index(index: u32) -> Self {
        BlockId(index)
    }

    /// The number of blocks stored before this one.
    pub const fn index(self) -> u32 {
        self.0
    }

    /// The index as a `usize`, for indexing the vectors of an in-memory store.
    pub(crate) const fn slot(self) -> usize {
        self.0 as usize
    }
}

impl fmt::Display for BlockId {
    /// The index, in decimal.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// What GHOSTDAG computes for a block.
///
/// Not `#[non_exhaustive]`: a store over a database must rebuild this from its own
/// encoding to return it from [`GhostdagStore::data`], so its fields are its API.
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
///
/// Not `#[non_exhaustive]`: a field added here is something every store must keep, so it
/// should break the stores' builds rather than be dropped silently by a `..` pattern.
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
///
/// Ids are the store's to give: `insert` returns `BlockId::from_index(n)` where `n` is the
/// number of blocks stored before. The methods taking an id are only ever called with an
/// id the store returned, so an implementation may panic on any other (the in-memory
/// store does); [`crate::Ghostdag`] offers checked forms such as
/// [`crate::Ghostdag::try_data`] on top.
pub trait GhostdagStore {
    /// The id of a known block, `None` for a hash never inserted.
    fn id_of(&self, hash: &BlockHash) -> Option<BlockId>;
    /// The hash of a block.
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
    /// covering set of each block in `block.covers`, and returns its id:
    /// `BlockId::from_index(n)` for `n` blocks stored before it.
    fn insert(&mut self, block: NewBlock) -> BlockId;
}

/// A store in memory: vectors indexed by id and a hash map from hash to id.
///
/// Its methods panic when given an id it did not return (an index out of bounds), and
/// [`GhostdagStore::insert`] panics on the 2^32-th block, which no id could name.
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
        self.hashes[id.slot()]
    }

    fn parents(&self, id: BlockId) -> &[BlockId] {
        &self.parents[id.slot()]
    }

    fn data(&self, id: BlockId) -> &GhostdagData {
        &self.data[id.slot()]
    }

    fn len(&self) -> usize {
        self.hashes.len()
    }

    fn tree_node(&self, id: BlockId) -> TreeNode {
        self.tree[id.slot()]
    }

    fn future_covering_set(&self, id: BlockId) -> &[BlockId] {
        &self.future_covering_sets[id.slot()]
    }

    fn insert(&mut self, block: NewBlock) -> BlockId {
        let id = BlockId::from_index(u32::try_from(self.hashes.len()).expect("a block id is a u32"));
        for &covered in &block.covers {
            self.future_covering_sets[covered.slot()].push(id);
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
