//! GHOSTDAG: colouring and ordering blocks as they arrive.

use alloc::vec::Vec;
use core::cmp::Ordering;

use hashbrown::HashSet;
use pyrin_core::{BlueWork, Hash};

use crate::store::{BlockId, GhostdagData, GhostdagStore, MemoryStore};

/// Why a block was not added. Nothing is stored when any of these is returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GhostdagError {
    /// The block is already in the DAG.
    #[error("block {0} is already known")]
    DuplicateBlock(Hash),
    /// A non-genesis block without parents.
    #[error("block {0} has no parents")]
    NoParents(Hash),
    /// A parent the DAG does not know.
    #[error("block {block} names the unknown parent {parent}")]
    UnknownParent {
        /// The block.
        block: Hash,
        /// The parent.
        parent: Hash,
    },
    /// The same parent listed twice.
    #[error("block {block} lists parent {parent} twice")]
    DuplicateParent {
        /// The block.
        block: Hash,
        /// The parent.
        parent: Hash,
    },
    /// One parent is in the past of another, so the parents are not an antichain (the
    /// reference's header validation rejects such blocks before GHOSTDAG runs).
    #[error("block {block} names parent {parent}, which is already in the past of its parent {descendant}")]
    ParentInPast {
        /// The block.
        block: Hash,
        /// The redundant parent.
        parent: Hash,
        /// The parent whose past contains it.
        descendant: Hash,
    },
    /// The mergeset is larger than the configured limit.
    #[error("block {block} has a mergeset of {size} blocks, above the limit of {limit}")]
    MergesetTooLarge {
        /// The block.
        block: Hash,
        /// Mergeset size (selected parent included).
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// Blue work passed 2^192.
    #[error("blue work overflow at block {0}")]
    BlueWorkOverflow(Hash),
}

/// A block DAG with its GHOSTDAG data, over a store.
///
/// ```
/// use pyrin_core::{BlueWork, Hash};
/// use pyrin_ghostdag::Ghostdag;
///
/// let h = |b: u8| Hash::from_bytes([b; 32]);
/// let work = BlueWork::from_u64(1);
/// let mut dag = Ghostdag::new(18, h(0), work);
/// dag.add_block(h(1), &[h(0)], work)?;
/// dag.add_block(h(2), &[h(0)], work)?;
/// let tip = dag.add_block(h(3), &[h(1), h(2)], work)?;
/// let data = dag.data(tip);
/// assert_eq!(data.blue_score, 3); // genesis, 1 and 2 are blue
/// assert_eq!(dag.hash_of(data.selected_parent.unwrap()), h(2)); // equal work: the larger hash
/// # Ok::<(), pyrin_ghostdag::GhostdagError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Ghostdag<S: GhostdagStore = MemoryStore> {
    k: u16,
    mergeset_size_limit: Option<u64>,
    store: S,
    tips: Vec<BlockId>,
    scratch: Scratch,
}

/// Reusable buffers for the past-of queries.
#[derive(Clone, Debug, Default)]
struct Scratch {
    stamps: Vec<u32>,
    stamp: u32,
    stack: Vec<BlockId>,
}

impl Ghostdag<MemoryStore> {
    /// A DAG holding only `genesis` (with work `genesis_work`), in memory.
    pub fn new(k: u16, genesis: Hash, genesis_work: BlueWork) -> Self {
        Self::with_store(k, genesis, genesis_work, MemoryStore::default())
    }
}

impl<S: GhostdagStore> Ghostdag<S> {
    /// A DAG over `store`, which must be empty; `genesis` is stored first.
    pub fn with_store(k: u16, genesis: Hash, genesis_work: BlueWork, mut store: S) -> Self {
        let data = GhostdagData {
            blue_score: 0,
            blue_work: BlueWork::ZERO,
            work: genesis_work,
            selected_parent: None,
            mergeset_blues: Vec::new(),
            mergeset_reds: Vec::new(),
            blues_anticone_sizes: Vec::new(),
        };
        let id = store.insert(genesis, Vec::new(), data);
        Self { k, mergeset_size_limit: None, store, tips: alloc::vec![id], scratch: Scratch::default() }
    }

    /// Rejects blocks whose mergeset (selected parent included) is larger than `limit`.
    pub fn with_mergeset_size_limit(mut self, limit: u64) -> Self {
        self.mergeset_size_limit = Some(limit);
        self
    }

    /// k.
    pub fn k(&self) -> u16 {
        self.k
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The id of a known block.
    pub fn id_of(&self, hash: &Hash) -> Option<BlockId> {
        self.store.id_of(hash)
    }

    /// The hash of a block id.
    pub fn hash_of(&self, id: BlockId) -> Hash {
        self.store.hash_of(id)
    }

    /// The GHOSTDAG data of a block.
    pub fn data(&self, id: BlockId) -> &GhostdagData {
        self.store.data(id)
    }

    /// The current tips (blocks without children), in no particular order.
    pub fn tips(&self) -> &[BlockId] {
        &self.tips
    }

    fn sort_key(&self, id: BlockId) -> (BlueWork, Hash) {
        (self.store.data(id).blue_work, self.store.hash_of(id))
    }

    fn cmp_blocks(&self, a: BlockId, b: BlockId) -> Ordering {
        self.sort_key(a).cmp(&self.sort_key(b))
    }

    /// Whether `a` is `b` or in `b`'s past.
    ///
    /// Blue work strictly grows from parent to child (every block's work is at least 1), so
    /// the search walks `b`'s past only through blocks with more blue work than `a`: the
    /// cost is the size of that slice of the DAG, small for the nearby blocks GHOSTDAG asks
    /// about. (A reachability index with interval labels would make every query O(1) on
    /// chain blocks; this design keeps the store to parents and GHOSTDAG data only.)
    pub fn is_ancestor(&mut self, a: BlockId, b: BlockId) -> bool {
        let mut scratch = core::mem::take(&mut self.scratch);
        let result = self.is_ancestor_with(&mut scratch, a, b);
        self.scratch = scratch;
        result
    }

    fn is_ancestor_with(&self, scratch: &mut Scratch, a: BlockId, b: BlockId) -> bool {
        if a == b {
            return true;
        }
        let floor = self.store.data(a).blue_work;
        if floor >= self.store.data(b).blue_work {
            return false;
        }
        if scratch.stamps.len() < self.store.len() {
            scratch.stamps.resize(self.store.len(), 0);
        }
        scratch.stamp = scratch.stamp.wrapping_add(1);
        if scratch.stamp == 0 {
            scratch.stamps.iter_mut().for_each(|s| *s = 0);
            scratch.stamp = 1;
        }
        let stamp = scratch.stamp;
        scratch.stack.clear();
        scratch.stack.push(b);
        while let Some(x) = scratch.stack.pop() {
            for &p in self.store.parents(x) {
                if p == a {
                    return true;
                }
                let seen = &mut scratch.stamps[p as usize];
                if *seen == stamp {
                    continue;
                }
                *seen = stamp;
                if self.store.data(p).blue_work > floor {
                    scratch.stack.push(p);
                }
            }
        }
        false
    }

    /// Adds a block with known parents and the given work (from its bits, e.g.
    /// `pyrin_core::compact::calc_work`), computes its GHOSTDAG data and returns its id.
    ///
    /// Parents must form an antichain (none in another's past), as the reference's header
    /// validation demands before its GHOSTDAG step runs; otherwise
    /// [`GhostdagError::ParentInPast`] is returned.
    pub fn add_block(&mut self, hash: Hash, parents: &[Hash], work: BlueWork) -> Result<BlockId, GhostdagError> {
        if self.store.id_of(&hash).is_some() {
            return Err(GhostdagError::DuplicateBlock(hash));
        }
        let (parent_ids, data) = self.compute(hash, parents, work)?;
        let id = self.store.insert(hash, parent_ids.clone(), data);
        self.tips.retain(|t| !parent_ids.contains(t));
        self.tips.push(id);
        Ok(id)
    }

    /// The GHOSTDAG data a block with these parents would get, without adding it (e.g. for
    /// the virtual block over the tips). Errors name the hypothetical block by the all-ones
    /// hash; no block hash is reserved for it, so this works whatever the DAG holds.
    pub fn ghostdag_of(&mut self, parents: &[Hash], work: BlueWork) -> Result<GhostdagData, GhostdagError> {
        self.compute(Hash::from_bytes([0xff; 32]), parents, work).map(|(_, d)| d)
    }

    fn compute(
        &mut self,
        hash: Hash,
        parents: &[Hash],
        work: BlueWork,
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
        let mut scratch = core::mem::take(&mut self.scratch);
        let result = self
            .check_antichain(hash, &parent_ids, &mut scratch)
            .and_then(|()| self.colour(hash, &parent_ids, work, &mut scratch));
        self.scratch = scratch;
        result.map(|data| (parent_ids, data))
    }

    fn check_antichain(&self, hash: Hash, parents: &[BlockId], scratch: &mut Scratch) -> Result<(), GhostdagError> {
        for &a in parents {
            for &b in parents {
                if a != b && self.is_ancestor_with(scratch, a, b) {
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
        hash: Hash,
        parents: &[BlockId],
        work: BlueWork,
        scratch: &mut Scratch,
    ) -> Result<GhostdagData, GhostdagError> {
        // Parents are non-empty (checked by the caller).
        let selected_parent =
            parents.iter().copied().max_by(|&a, &b| self.cmp_blocks(a, b)).ok_or(GhostdagError::NoParents(hash))?;
        let mergeset = self.ordered_mergeset(selected_parent, parents, scratch);
        if let Some(limit) = self.mergeset_size_limit {
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
            match self.check_blue_candidate(&data, candidate, scratch) {
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
    fn ordered_mergeset(&self, selected_parent: BlockId, parents: &[BlockId], scratch: &mut Scratch) -> Vec<BlockId> {
        let mut queue: alloc::collections::VecDeque<BlockId> =
            parents.iter().copied().filter(|&p| p != selected_parent).collect();
        let mut mergeset: HashSet<BlockId> = queue.iter().copied().collect();
        let mut past: HashSet<BlockId> = HashSet::new();
        while let Some(current) = queue.pop_front() {
            for &parent in self.store.parents(current) {
                if mergeset.contains(&parent) || past.contains(&parent) {
                    continue;
                }
                if self.is_ancestor_with(scratch, parent, selected_parent) {
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
    fn check_blue_candidate(
        &self,
        data: &GhostdagData,
        candidate: BlockId,
        scratch: &mut Scratch,
    ) -> Option<(u16, Vec<(BlockId, u16)>)> {
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
                if self.is_ancestor_with(scratch, h, candidate) {
                    return Some((anticone_size, affected));
                }
            }
            for &blue in &chain_data.mergeset_blues {
                if self.is_ancestor_with(scratch, blue, candidate) {
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

    /// The `size` blocks of the past of a block with GHOSTDAG data `data` that have the most
    /// blue work (ties by hash), best first: the reference's full (unsampled) difficulty and
    /// past-median-time windows. Found by walking the selected chain and its mergesets,
    /// stopping once no deeper block can enter, so the cost is about `size · log size`
    /// whatever the DAG's size.
    pub fn blue_work_window(&self, data: &GhostdagData, size: usize) -> Vec<BlockId> {
        use alloc::collections::BinaryHeap;
        use core::cmp::Reverse;
        if size == 0 {
            return Vec::new();
        }
        // Min-heap keeping the `size` best (blue work, hash) seen.
        let mut best: BinaryHeap<Reverse<(BlueWork, Hash, BlockId)>> = BinaryHeap::with_capacity(size + 1);
        let mut current = Some(data);
        while let Some(d) = current {
            if let (true, Some(Reverse(worst)), Some(sp)) = (best.len() >= size, best.peek(), d.selected_parent) {
                // Everything merged from here down has less blue work than the selected
                // parent, which itself cannot enter.
                if self.store.data(sp).blue_work < worst.0 {
                    break;
                }
            }
            for &b in d.mergeset_blues.iter().chain(&d.mergeset_reds) {
                let key = (self.store.data(b).blue_work, self.store.hash_of(b), b);
                if best.len() < size {
                    best.push(Reverse(key));
                } else if best.peek().is_some_and(|w| key > w.0) {
                    best.pop();
                    best.push(Reverse(key));
                }
            }
            current = d.selected_parent.map(|sp| self.store.data(sp));
        }
        let mut window: Vec<(BlueWork, Hash, BlockId)> = best.into_iter().map(|r| r.0).collect();
        window.sort_unstable_by(|a, b| b.cmp(a));
        window.into_iter().map(|(_, _, id)| id).collect()
    }

    /// A block's mergeset in consensus order: the selected parent first, then the other
    /// blues and the reds together, ascending by (blue work, hash).
    pub fn consensus_ordered_mergeset(&self, data: &GhostdagData) -> Vec<BlockId> {
        let mut rest: Vec<BlockId> = data.mergeset_blues.iter().skip(1).chain(&data.mergeset_reds).copied().collect();
        rest.sort_by_cached_key(|&b| self.sort_key(b));
        data.selected_parent.into_iter().chain(rest).collect()
    }

    /// The order of the whole DAG as seen from a virtual block over the current tips:
    /// walking the virtual's selected chain from genesis, each chain block is preceded by
    /// the rest of its consensus-ordered mergeset; the virtual's own mergeset ends the order.
    pub fn dag_order(&mut self) -> Result<Vec<BlockId>, GhostdagError> {
        let tips: Vec<Hash> = self.tips.iter().map(|&t| self.store.hash_of(t)).collect();
        let virtual_data = self.ghostdag_of(&tips, BlueWork::from_u64(1))?;
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
