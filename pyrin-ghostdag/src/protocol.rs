//! GHOSTDAG: colouring and ordering blocks as they arrive.

use alloc::vec::Vec;
use core::cmp::Ordering;

use hashbrown::HashSet;
use pyrin_core::BlockHash;
use pyrin_core::BlueWork;

use crate::reachability;
use crate::store::{BlockId, GhostdagData, GhostdagStore, MemoryStore, NewBlock};

/// The name errors give a hypothetical block ([`Ghostdag::ghostdag_of`], the virtual block):
/// the all-ones hash. No hash is reserved for it, so a real block may carry it too.
const HYPOTHETICAL: BlockHash = BlockHash::from_bytes([0xff; 32]);

/// Why a block was not added. Nothing is stored when any of these is returned.
///
/// `#[non_exhaustive]`: a later rule may refuse blocks for a new reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GhostdagError {
    /// The block is already in the DAG.
    #[error("block {0} is already known")]
    DuplicateBlock(BlockHash),
    /// A non-genesis block without parents.
    #[error("block {0} has no parents")]
    NoParents(BlockHash),
    /// A parent the DAG does not know.
    #[error("block {block} names the unknown parent {parent}")]
    UnknownParent {
        /// The block.
        block: BlockHash,
        /// The parent.
        parent: BlockHash,
    },
    /// The same parent listed twice.
    #[error("block {block} lists parent {parent} twice")]
    DuplicateParent {
        /// The block.
        block: BlockHash,
        /// The parent.
        parent: BlockHash,
    },
    /// One parent is in the past of another, so the parents are not an antichain (the
    /// reference's header validation rejects such blocks before GHOSTDAG runs).
    #[error("block {block} names parent {parent}, which is already in the past of its parent {descendant}")]
    ParentInPast {
        /// The block.
        block: BlockHash,
        /// The redundant parent.
        parent: BlockHash,
        /// The parent whose past contains it.
        descendant: BlockHash,
    },
    /// The mergeset is larger than the configured limit.
    #[error("block {block} has a mergeset of {size} blocks, above the limit of {limit}")]
    MergesetTooLarge {
        /// The block.
        block: BlockHash,
        /// Mergeset size (selected parent included).
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// Blue work passed 2^192.
    #[error("blue work overflow at block {0}")]
    BlueWorkOverflow(BlockHash),
    /// A block (or genesis) with zero work. Every valid `bits` value gives work of at
    /// least 1, and the consensus order relies on it: blue work must strictly grow from
    /// parent to child for ascending blue work to be a topological order.
    #[error("block {0} has zero work")]
    ZeroWork(BlockHash),
    /// [`Ghostdag::with_store`] was given a store that already holds blocks.
    #[error("the store already holds {0} blocks; a new DAG needs an empty one")]
    StoreNotEmpty(usize),
    /// [`Ghostdag::from_store`] was given a store without genesis.
    #[error("the store is empty; resuming needs at least genesis")]
    EmptyStore,
}

/// A block DAG with its GHOSTDAG data, over a store.
///
/// Blocks are named by [`BlockHash`] when they come in ([`Ghostdag::add_block`]) and by
/// [`BlockId`] inside ([`GhostdagData`] lists ids); [`Ghostdag::id_of`] and
/// [`Ghostdag::hash_of`] go between the two. Queries by id panic on an id this DAG did not
/// give out; their `try_` forms return `None` instead.
///
/// ```
/// use pyrin_core::BlockHash;
/// use pyrin_core::BlueWork;
/// use pyrin_ghostdag::Ghostdag;
///
/// let h = |b: u8| BlockHash::from_bytes([b; 32]);
/// let work = BlueWork::from_u64(1);
/// let mut dag = Ghostdag::new(18, h(0), work)?;
/// dag.add_block(h(1), &[h(0)], work)?;
/// dag.add_block(h(2), &[h(0)], work)?;
/// let tip = dag.add_block(h(3), &[h(1), h(2)], work)?;
/// let data = dag.data(tip);
/// assert_eq!(data.blue_score, 3); // genesis, 1 and 2 are blue
/// assert_eq!(dag.hash_of(data.selected_parent.unwrap()), h(2)); // equal work: the larger hash
/// assert_eq!(dag.tip_hashes().collect::<Vec<_>>(), [h(3)]);
/// # Ok::<(), pyrin_ghostdag::GhostdagError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Ghostdag<S: GhostdagStore = MemoryStore> {
    k: u16,
    mergeset_size_limit: Option<u64>,
    store: S,
    tips: Vec<BlockId>,
}

impl Ghostdag<MemoryStore> {
    /// A DAG holding only `genesis` (with work `genesis_work`), in memory.
    ///
    /// # Errors
    /// [`GhostdagError::ZeroWork`] when `genesis_work` is zero.
    pub fn new(k: u16, genesis: BlockHash, genesis_work: BlueWork) -> Result<Self, GhostdagError> {
        Self::with_store(k, genesis, genesis_work, MemoryStore::default())
    }
}

impl<S: GhostdagStore> Ghostdag<S> {
    /// A DAG over `store`, which must be empty; `genesis` is stored first (as
    /// [`BlockId::GENESIS`]).
    ///
    /// # Errors
    /// [`GhostdagError::ZeroWork`] when `genesis_work` is zero, and
    /// [`GhostdagError::StoreNotEmpty`] when the store holds blocks (see
    /// [`Ghostdag::from_store`] to resume over those).
    pub fn with_store(k: u16, genesis: BlockHash, genesis_work: BlueWork, mut store: S) -> Result<Self, GhostdagError> {
        if !store.is_empty() {
            return Err(GhostdagError::StoreNotEmpty(store.len()));
        }
        if genesis_work.is_zero() {
            return Err(GhostdagError::ZeroWork(genesis));
        }
        let data = GhostdagData {
            blue_score: 0,
            blue_work: BlueWork::ZERO,
            work: genesis_work,
            selected_parent: None,
            mergeset_blues: Vec::new(),
            mergeset_reds: Vec::new(),
            blues_anticone_sizes: Vec::new(),
        };
        let block = NewBlock {
            hash: genesis,
            parents: Vec::new(),
            data,
            tree: reachability::TreeNode::genesis(BlockId::GENESIS),
            covers: Vec::new(),
        };
        let id = store.insert(block);
        Ok(Self { k, mergeset_size_limit: None, store, tips: alloc::vec![id] })
    }

    /// Resumes over a store that already holds a DAG, genesis first (for example one a
    /// node persisted). The tips are recomputed from the parents, in O(n).
    ///
    /// # Errors
    /// [`GhostdagError::EmptyStore`] when the store holds no block.
    pub fn from_store(k: u16, store: S) -> Result<Self, GhostdagError> {
        if store.is_empty() {
            return Err(GhostdagError::EmptyStore);
        }
        let n = store.len();
        let mut has_child = alloc::vec![false; n];
        let ids = || (0..n).map(|i| BlockId::from_index(i as u32));
        for id in ids() {
            for &p in store.parents(id) {
                has_child[p.slot()] = true;
            }
        }
        let tips = ids().filter(|id| !has_child[id.slot()]).collect();
        Ok(Self { k, mergeset_size_limit: None, store, tips })
    }

    /// Rejects blocks whose mergeset (selected parent included) is larger than `limit`
    /// when they are added. Hypothetical blocks ([`Ghostdag::ghostdag_of`],
    /// [`Ghostdag::virtual_data`]) are not limited: the virtual block over many tips may
    /// merge more than a real block could, and its order must still cover every block.
    pub fn with_mergeset_size_limit(mut self, limit: u64) -> Self {
        self.mergeset_size_limit = Some(limit);
        self
    }

    /// The mergeset size limit applied by [`Ghostdag::add_block`], if any.
    pub fn mergeset_size_limit(&self) -> Option<u64> {
        self.mergeset_size_limit
    }

    /// k.
    pub fn k(&self) -> u16 {
        self.k
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Whether this DAG gave out `id` (ids are dense: those below the block count).
    fn knows(&self, id: BlockId) -> bool {
        id.slot() < self.store.len()
    }

    /// The id of a block, `None` for a hash this DAG does not hold.
    pub fn id_of(&self, hash: &BlockHash) -> Option<BlockId> {
        self.store.id_of(hash)
    }

    /// The hash of a block, `None` for an id this DAG did not give out.
    pub fn try_hash_of(&self, id: BlockId) -> Option<BlockHash> {
        self.knows(id).then(|| self.store.hash_of(id))
    }

    /// The hash of a block.
    ///
    /// # Panics
    /// When this DAG did not give out `id` (see [`Ghostdag::try_hash_of`]); ids read from
    /// its own [`GhostdagData`], tips and orders are always known.
    pub fn hash_of(&self, id: BlockId) -> BlockHash {
        assert!(self.knows(id), "block id {id} is not in this DAG");
        self.store.hash_of(id)
    }

    /// The GHOSTDAG data of a block, `None` for an id this DAG did not give out.
    pub fn try_data(&self, id: BlockId) -> Option<&GhostdagData> {
        self.knows(id).then(|| self.store.data(id))
    }

    /// The GHOSTDAG data of a block.
    ///
    /// # Panics
    /// When this DAG did not give out `id` (see [`Ghostdag::try_data`]); ids read from its
    /// own [`GhostdagData`], tips and orders are always known.
    pub fn data(&self, id: BlockId) -> &GhostdagData {
        assert!(self.knows(id), "block id {id} is not in this DAG");
        self.store.data(id)
    }

    /// The GHOSTDAG data of a block, `None` for a hash this DAG does not hold.
    pub fn data_by_hash(&self, hash: &BlockHash) -> Option<&GhostdagData> {
        self.store.id_of(hash).map(|id| self.store.data(id))
    }

    /// The current tips (blocks without children), in no particular order.
    pub fn tips(&self) -> &[BlockId] {
        &self.tips
    }

    /// The hashes of the current tips, in the order of [`Ghostdag::tips`]: the parents a
    /// new block over the whole DAG would name.
    pub fn tip_hashes(&self) -> impl ExactSizeIterator<Item = BlockHash> + '_ {
        self.tips.iter().map(|&t| self.store.hash_of(t))
    }

    fn sort_key(&self, id: BlockId) -> (BlueWork, BlockHash) {
        (self.store.data(id).blue_work, self.store.hash_of(id))
    }

    fn cmp_blocks(&self, a: BlockId, b: BlockId) -> Ordering {
        self.sort_key(a).cmp(&self.sort_key(b))
    }

    /// Whether `a` is `b` or in `b`'s past, from the reachability index (see
    /// [`crate::reachability`]): O((1 + |FCS(a)|) · log n) in the worst case, a few steps
    /// for nearby blocks.
    ///
    /// # Panics
    /// When this DAG did not give out `a` or `b` (the store's lookup fails).
    pub fn is_ancestor(&self, a: BlockId, b: BlockId) -> bool {
        reachability::is_ancestor(&self.store, a, b)
    }

    /// Whether `block` is blue in the view of the block whose GHOSTDAG data is
    /// `in_view_of`, that is, in the blue set of that block's past: merged as a blue by it
    /// or by a block of its selected chain. False when `block` is red there, and when it is
    /// not in that block's past at all (a block is not in its own past).
    ///
    /// `in_view_of` is any data of this DAG: [`Ghostdag::data`] of a block,
    /// [`Ghostdag::virtual_data`] for the colouring the whole DAG agrees on now, or
    /// [`Ghostdag::ghostdag_of`] for a hypothetical block. The chain block that merged
    /// `block` is found by galloping down the selected chain and bisecting, so the cost is
    /// O(log d) past-of queries for a block merged d chain blocks down.
    ///
    /// ```
    /// use pyrin_core::BlockHash;
    /// use pyrin_core::BlueWork;
    /// use pyrin_ghostdag::Ghostdag;
    ///
    /// let h = |b: u8| BlockHash::from_bytes([b; 32]);
    /// let work = BlueWork::from_u64(1);
    /// // k = 0: of two parallel blocks only one is blue (the one with the larger hash).
    /// let mut dag = Ghostdag::new(0, h(0), work)?;
    /// let one = dag.add_block(h(1), &[h(0)], work)?;
    /// let two = dag.add_block(h(2), &[h(0)], work)?;
    /// let virtual_block = dag.virtual_data()?;
    /// assert!(dag.is_blue(two, &virtual_block));
    /// assert!(!dag.is_blue(one, &virtual_block));
    /// // In the view of block 2, block 1 is not in the past at all.
    /// assert!(!dag.is_blue(one, dag.data(two)));
    /// # Ok::<(), pyrin_ghostdag::GhostdagError>(())
    /// ```
    ///
    /// # Panics
    /// When this DAG did not give out `block` or an id `in_view_of` names (data from
    /// another DAG).
    pub fn is_blue(&self, block: BlockId, in_view_of: &GhostdagData) -> bool {
        assert!(self.knows(block), "block id {block} is not in this DAG");
        // The view's own mergeset (its selected parent first), then its selected chain.
        if in_view_of.mergeset_blues.contains(&block) {
            return true;
        }
        if in_view_of.mergeset_reds.contains(&block) {
            return false;
        }
        let Some(top) = in_view_of.selected_parent else { return false };
        match self.merging_chain_block(block, top) {
            None => false,
            // On the selected chain: the selected parent of the next chain block, so blue.
            Some(merger) if merger == block => true,
            Some(merger) => self.store.data(merger).mergeset_blues.contains(&block),
        }
    }

    /// The lowest block of `top`'s selected chain (`top` included) that is `block` or has
    /// it in its past: the chain block that merged `block`, or `block` itself when it is on
    /// the chain. `None` when `block` is neither `top` nor in its past. Holding `block` is
    /// monotone along the chain, so gallop down from `top` (recent blocks are merged near
    /// it), then bisect.
    fn merging_chain_block(&self, block: BlockId, top: BlockId) -> Option<BlockId> {
        let holds = |height: u32| {
            let chain_block = reachability::ancestor_at(&self.store, top, height);
            self.is_ancestor(block, chain_block).then_some(chain_block)
        };
        let mut hi = self.store.tree_node(top).height;
        let mut found = holds(hi)?;
        // `found`, at height `hi`, holds `block`; no chain block below height `lo` does.
        let mut lo = 0;
        let mut step = 1u32;
        while hi > 0 {
            let probe = hi.saturating_sub(step);
            match holds(probe) {
                Some(chain_block) => (found, hi, step) = (chain_block, probe, step.saturating_mul(2)),
                None => {
                    lo = probe + 1;
                    break;
                }
            }
        }
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match holds(mid) {
                Some(chain_block) => (found, hi) = (chain_block, mid),
                None => lo = mid + 1,
            }
        }
        Some(found)
    }

    /// Adds a block with known parents and the given work (from its bits, e.g.
    /// `BlueWork::from_bits`), computes its GHOSTDAG data and returns its id.
    ///
    /// On any error nothing is stored and the tips are unchanged.
    ///
    /// # Errors
    /// - [`GhostdagError::DuplicateBlock`] when `hash` is already in the DAG;
    /// - [`GhostdagError::ZeroWork`] when `work` is zero;
    /// - [`GhostdagError::NoParents`], [`GhostdagError::UnknownParent`] and
    ///   [`GhostdagError::DuplicateParent`] for an empty, unknown or repeated parent;
    /// - [`GhostdagError::ParentInPast`] when the parents are not an antichain (one in
    ///   another's past), which the reference's header validation refuses before its
    ///   GHOSTDAG step runs;
    /// - [`GhostdagError::MergesetTooLarge`] above the configured limit;
    /// - [`GhostdagError::BlueWorkOverflow`] when the blue work would pass 2^192.
    pub fn add_block(
        &mut self,
        hash: BlockHash,
        parents: &[BlockHash],
        work: BlueWork,
    ) -> Result<BlockId, GhostdagError> {
        if self.store.id_of(&hash).is_some() {
            return Err(GhostdagError::DuplicateBlock(hash));
        }
        if work.is_zero() {
            return Err(GhostdagError::ZeroWork(hash));
        }
        let (parent_ids, data) = self.compute(hash, parents, work, self.mergeset_size_limit)?;
        let selected_parent = data.selected_parent.ok_or(GhostdagError::NoParents(hash))?;
        let tree = reachability::child_node(&self.store, selected_parent);
        let merged = data.mergeset_blues.iter().skip(1).chain(&data.mergeset_reds).copied();
        let covers = reachability::covered_by_new_block(&self.store, selected_parent, merged);
        self.tips.retain(|t| !parent_ids.contains(t));
        let id = self.store.insert(NewBlock { hash, parents: parent_ids, data, tree, covers });
        self.tips.push(id);
        Ok(id)
    }

    /// The GHOSTDAG data a block with these parents would get, without adding it (e.g. for
    /// a block template). Nothing is stored, so `work` may be anything (zero included; it
    /// only fills [`GhostdagData::work`]) and the mergeset size limit is not applied:
    /// compare `mergeset_blues.len() + mergeset_reds.len()` with
    /// [`Ghostdag::mergeset_size_limit`] to know whether a real block with these parents
    /// would be accepted. For the virtual block over the tips, see
    /// [`Ghostdag::virtual_data`].
    ///
    /// # Errors
    /// As [`Ghostdag::add_block`] for the parents ([`GhostdagError::NoParents`],
    /// [`GhostdagError::UnknownParent`], [`GhostdagError::DuplicateParent`],
    /// [`GhostdagError::ParentInPast`]) and [`GhostdagError::BlueWorkOverflow`]. Errors
    /// name the hypothetical block by the all-ones hash; no hash is reserved for it, so
    /// this works whatever the DAG holds.
    pub fn ghostdag_of(&self, parents: &[BlockHash], work: BlueWork) -> Result<GhostdagData, GhostdagError> {
        self.compute(HYPOTHETICAL, parents, work, None).map(|(_, d)| d)
    }

    /// The GHOSTDAG data of the virtual block: a block over all current tips, the view the
    /// whole DAG agrees on now. Its selected parent is the best tip (the head of the
    /// selected chain), its mergeset blues and reds colour the tips' unmerged blocks, and
    /// it is what [`Ghostdag::dag_order`] and [`Ghostdag::is_blue`] read the DAG's colouring
    /// from. Its [`GhostdagData::work`] is zero (the virtual block has no header); otherwise
    /// it equals [`Ghostdag::ghostdag_of`] the tips, whatever work that is given. Like
    /// that, it is not held to the mergeset size limit.
    ///
    /// # Errors
    /// [`GhostdagError::BlueWorkOverflow`] when the virtual's blue work would pass 2^192
    /// (the tips are known and an antichain, so no parent error can occur).
    pub fn virtual_data(&self) -> Result<GhostdagData, GhostdagError> {
        self.colour(HYPOTHETICAL, &self.tips, BlueWork::ZERO, None)
    }

    fn compute(
        &self,
        hash: BlockHash,
        parents: &[BlockHash],
        work: BlueWork,
        limit: Option<u64>,
    ) -> Result<(Vec<BlockId>, GhostdagData), GhostdagError> {
        if parents.is_empty() {
            return Err(GhostdagError::NoParents(hash));
        }
        let mut parent_ids = Vec::with_capacity(parents.len());
        for parent in parents {
            let id = self.store.id_of(parent).ok_or(GhostdagError::UnknownParent { block: hash, parent: *parent })?;
            if parent_ids.contains(&id) {
                return Err(GhostdagError::DuplicateParent { block: hash, parent: *parent });
            }
            parent_ids.push(id);
        }
        self.check_antichain(hash, &parent_ids)?;
        let data = self.colour(hash, &parent_ids, work, limit)?;
        Ok((parent_ids, data))
    }

    fn check_antichain(&self, hash: BlockHash, parents: &[BlockId]) -> Result<(), GhostdagError> {
        for &a in parents {
            for &b in parents {
                if a != b && self.is_ancestor(a, b) {
                    return Err(GhostdagError::ParentInPast {
                        block: hash,
                        parent: self.store.hash_of(a),
                        descendant: self.store.hash_of(b),
                    });
                }
            }
        }
        Ok(())
    }

    fn colour(
        &self,
        hash: BlockHash,
        parents: &[BlockId],
        work: BlueWork,
        limit: Option<u64>,
    ) -> Result<GhostdagData, GhostdagError> {
        // Parents are non-empty (checked by the caller).
        let selected_parent =
            parents.iter().copied().max_by(|&a, &b| self.cmp_blocks(a, b)).ok_or(GhostdagError::NoParents(hash))?;
        let mergeset = self.ordered_mergeset(selected_parent, parents);
        if let Some(limit) = limit {
            let size = mergeset.len() as u64 + 1;
            if size > limit {
                return Err(GhostdagError::MergesetTooLarge { block: hash, size, limit });
            }
        }
        let mut data = GhostdagData {
            blue_score: 0,
            blue_work: BlueWork::ZERO,
            work,
            selected_parent: Some(selected_parent),
            mergeset_blues: alloc::vec![selected_parent],
            mergeset_reds: Vec::new(),
            blues_anticone_sizes: alloc::vec![(selected_parent, 0)],
        };
        for candidate in mergeset {
            match self.check_blue_candidate(&data, candidate) {
                Some((size, affected)) => {
                    data.mergeset_blues.push(candidate);
                    data.blues_anticone_sizes.push((candidate, size));
                    for (blue, s) in affected {
                        match data.blues_anticone_sizes.iter_mut().find(|(b, _)| *b == blue) {
                            Some(entry) => entry.1 = s + 1,
                            None => data.blues_anticone_sizes.push((blue, s + 1)),
                        }
                    }
                }
                None => data.mergeset_reds.push(candidate),
            }
        }
        let sp = self.store.data(selected_parent);
        data.blue_score = sp.blue_score + data.mergeset_blues.len() as u64;
        let mut blue_work = sp.blue_work;
        for &blue in &data.mergeset_blues {
            blue_work =
                blue_work.checked_add(self.store.data(blue).work).ok_or(GhostdagError::BlueWorkOverflow(hash))?;
        }
        data.blue_work = blue_work;
        Ok(data)
    }

    /// The block's past outside its selected parent's past (the selected parent left out),
    /// ascending by (blue work, hash): the order candidates are coloured in.
    fn ordered_mergeset(&self, selected_parent: BlockId, parents: &[BlockId]) -> Vec<BlockId> {
        let mut queue: alloc::collections::VecDeque<BlockId> =
            parents.iter().copied().filter(|&p| p != selected_parent).collect();
        let mut mergeset: HashSet<BlockId> = queue.iter().copied().collect();
        let mut past: HashSet<BlockId> = HashSet::new();
        while let Some(current) = queue.pop_front() {
            for &parent in self.store.parents(current) {
                if mergeset.contains(&parent) || past.contains(&parent) {
                    continue;
                }
                if self.is_ancestor(parent, selected_parent) {
                    past.insert(parent);
                    continue;
                }
                mergeset.insert(parent);
                queue.push_back(parent);
            }
        }
        let mut ordered: Vec<BlockId> = mergeset.into_iter().collect();
        ordered.sort_by_cached_key(|&b| self.sort_key(b));
        ordered
    }

    /// The blue anticone size of `blue` as seen from `context`: from the context's own
    /// record, else from the nearest selected-chain block that recorded one.
    fn blue_anticone_size(&self, blue: BlockId, context: &GhostdagData) -> u16 {
        let mut current = context;
        loop {
            if let Some(size) = current.blue_anticone_size(blue) {
                return size;
            }
            match current.selected_parent {
                Some(sp) => current = self.store.data(sp),
                // Every mergeset blue of the chain is recorded along the chain; reaching
                // genesis means the block is not blue there, which cannot be as called.
                None => return 0,
            }
        }
    }

    /// `Some((anticone size, affected blues with their current sizes))` when `candidate`
    /// can be blue without breaking the k-cluster rule, `None` when it must be red.
    fn check_blue_candidate(&self, data: &GhostdagData, candidate: BlockId) -> Option<(u16, Vec<(BlockId, u16)>)> {
        let k = self.k;
        if data.mergeset_blues.len() == usize::from(k) + 1 {
            return None;
        }
        let mut affected: Vec<(BlockId, u16)> = Vec::new();
        let mut anticone_size: u16 = 0;
        let mut chain_hash: Option<BlockId> = None;
        let mut chain_data = data;
        loop {
            if let Some(h) = chain_hash {
                if self.is_ancestor(h, candidate) {
                    return Some((anticone_size, affected));
                }
            }
            for &blue in &chain_data.mergeset_blues {
                if self.is_ancestor(blue, candidate) {
                    continue;
                }
                let size = self.blue_anticone_size(blue, data);
                affected.push((blue, size));
                anticone_size += 1;
                if anticone_size > k || size >= k {
                    return None;
                }
            }
            match chain_data.selected_parent {
                Some(sp) => {
                    chain_hash = Some(sp);
                    chain_data = self.store.data(sp);
                }
                // Genesis is in every block's past, so the walk ends above.
                None => return Some((anticone_size, affected)),
            }
        }
    }

    /// The `size` blocks with the most blue work (ties by hash), best first, of the past of
    /// a block with GHOSTDAG data `data`, genesis left out: the reference's full
    /// (unsampled) difficulty and past-median-time windows. Found by walking the selected
    /// chain and its mergesets, stopping once no deeper block can enter, so the cost is
    /// about `size · log size` whatever the DAG's size. A `size` above the number of blocks
    /// is clamped to it.
    ///
    /// Genesis is in no window because the reference (`Pyrinpyi/pyrin`,
    /// `consensus/src/processes/window.rs`, full window manager) stops its walk at the
    /// chain block whose selected parent is genesis, before pushing that block's mergeset,
    /// which is genesis alone (a child of genesis has no other parent). The windows of
    /// genesis and of its children are therefore empty.
    ///
    /// # Panics
    /// When `data` names an id this DAG did not give out (data from another DAG).
    pub fn blue_work_window(&self, data: &GhostdagData, size: usize) -> Vec<BlockId> {
        use alloc::collections::BinaryHeap;
        use core::cmp::Reverse;
        if size == 0 {
            return Vec::new();
        }
        // No window holds more than every block: the clamp keeps the allocation (and
        // `size + 1`) bounded for a caller passing `usize::MAX`.
        let size = size.min(self.store.len());
        // Min-heap keeping the `size` best (blue work, hash) seen.
        let mut best: BinaryHeap<Reverse<(BlueWork, BlockHash, BlockId)>> = BinaryHeap::with_capacity(size + 1);
        let mut current = data;
        // Genesis itself has no selected parent and an empty window.
        while let Some(sp) = current.selected_parent {
            let sp_data = self.store.data(sp);
            if sp_data.selected_parent.is_none() {
                // `current` is the chain block right above genesis: stop, as the reference does.
                break;
            }
            if let (true, Some(Reverse(worst))) = (best.len() >= size, best.peek()) {
                // Everything merged from here down has less blue work than the selected
                // parent, which itself cannot enter.
                if sp_data.blue_work < worst.0 {
                    break;
                }
            }
            for &b in current.mergeset_blues.iter().chain(&current.mergeset_reds) {
                let key = (self.store.data(b).blue_work, self.store.hash_of(b), b);
                if best.len() < size {
                    best.push(Reverse(key));
                } else if best.peek().is_some_and(|w| key > w.0) {
                    best.pop();
                    best.push(Reverse(key));
                }
            }
            current = sp_data;
        }
        let mut window: Vec<(BlueWork, BlockHash, BlockId)> = best.into_iter().map(|r| r.0).collect();
        window.sort_unstable_by(|a, b| b.cmp(a));
        window.into_iter().map(|(_, _, id)| id).collect()
    }

    /// A block's mergeset in consensus order: the selected parent first, then the other
    /// blues and the reds together, ascending by (blue work, hash).
    ///
    /// # Panics
    /// When `data` names an id this DAG did not give out (data from another DAG).
    pub fn consensus_ordered_mergeset(&self, data: &GhostdagData) -> Vec<BlockId> {
        let mut rest: Vec<BlockId> = data.mergeset_blues.iter().skip(1).chain(&data.mergeset_reds).copied().collect();
        rest.sort_by_cached_key(|&b| self.sort_key(b));
        data.selected_parent.into_iter().chain(rest).collect()
    }

    /// The order of the whole DAG as seen from the virtual block over the current tips
    /// ([`Ghostdag::virtual_data`]): walking the virtual's selected chain from genesis, each
    /// chain block is preceded by the rest of its consensus-ordered mergeset; the virtual's
    /// own mergeset ends the order. The virtual block merges every tip, however many there
    /// are: the mergeset size limit does not apply to it, so every block is listed once.
    ///
    /// # Errors
    /// As [`Ghostdag::virtual_data`].
    pub fn dag_order(&self) -> Result<Vec<BlockId>, GhostdagError> {
        let virtual_data = self.virtual_data()?;
        let mut chain = Vec::new();
        let mut current = virtual_data.selected_parent;
        while let Some(c) = current {
            chain.push(c);
            current = self.store.data(c).selected_parent;
        }
        let mut order = Vec::with_capacity(self.store.len());
        for &block in chain.iter().rev() {
            let data = self.store.data(block);
            order.extend(self.consensus_ordered_mergeset(data).into_iter().skip(1));
            order.push(block);
        }
        order.extend(self.consensus_ordered_mergeset(&virtual_data).into_iter().skip(1));
        Ok(order)
    }
}
