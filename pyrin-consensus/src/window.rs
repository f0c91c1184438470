//! The blue-work window of a block, built from its selected parent's window.
//!
//! A block's window is the `size` blocks with the most (blue work, hash) among the
//! mergesets of its selected chain, down to and excluding the chain block right above
//! genesis ([`Ghostdag::blue_work_window`]). Those mergesets are the block's own plus the
//! selected parent's candidates, and the best `size` of a union are the best `size` of one
//! part together with the best `size` of the other; so a block's window is its mergeset
//! merged into its selected parent's window, cut to `size`. Computing it from scratch walks
//! the whole window's worth of chain and sorts thousands of blocks per block, which was
//! the largest cost of a replay after the signatures; the merge reads a few mergeset
//! blocks and copies the rest.
//!
//! The reference caches its windows the same way in spirit (a window cache per block); we
//! keep the windows of the last [`WindowCache::CAPACITY`] blocks inserted, since new blocks
//! build on recent ones, and fall back to the full walk on a miss.

use alloc::collections::VecDeque;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::cmp::Ordering;

use hashbrown::HashMap;
use pyrin_ghostdag::{BlockId, Ghostdag, GhostdagData};
use pyrin_pow::difficulty::WindowBlock;

/// A block's window, best first: what the difficulty and median-time rules read of each
/// block, with its id beside it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Window {
    /// How many blocks the window was asked for (it holds fewer near genesis).
    pub(crate) size: usize,
    /// Descending by (blue work, hash).
    pub(crate) blocks: Vec<WindowBlock>,
    /// `ids[i]` is the block of `blocks[i]`.
    pub(crate) ids: Vec<BlockId>,
}

/// Orders window blocks best first: more blue work, then the larger hash.
fn best_first(a: &WindowBlock, b: &WindowBlock) -> Ordering {
    (b.blue_work, b.hash).cmp(&(a.blue_work, a.hash))
}

impl Window {
    /// Whether `block` (described by `entry`) is among the first `len` blocks.
    pub(crate) fn contains_in_first(&self, len: usize, id: BlockId, entry: &WindowBlock) -> bool {
        let head = &self.blocks[..len.min(self.blocks.len())];
        head.binary_search_by(|probe| best_first(probe, entry)).is_ok_and(|i| self.ids[i] == id)
    }

    /// The window of a block with GHOSTDAG data `data`: `parent`'s (the selected parent's
    /// window of the same size) with the block's mergeset merged in. `describe` gives what
    /// the rules read of a block.
    fn extended(parent: &Window, data: &GhostdagData, describe: &impl Fn(BlockId) -> WindowBlock) -> Window {
        let size = parent.size;
        let mut merged: Vec<(WindowBlock, BlockId)> =
            data.mergeset_blues.iter().chain(&data.mergeset_reds).map(|&b| (describe(b), b)).collect();
        merged.sort_unstable_by(|a, b| best_first(&a.0, &b.0));
        let mut blocks = Vec::with_capacity(size.min(parent.blocks.len() + merged.len()));
        let mut ids = Vec::with_capacity(blocks.capacity());
        let mut from_parent = 0;
        for (entry, id) in merged {
            if blocks.len() == size {
                break;
            }
            // Parent blocks better than this mergeset block come first, in one copy.
            let better = parent.blocks[from_parent..].partition_point(|p| best_first(p, &entry) == Ordering::Less);
            let take = better.min(size - blocks.len());
            blocks.extend_from_slice(&parent.blocks[from_parent..from_parent + take]);
            ids.extend_from_slice(&parent.ids[from_parent..from_parent + take]);
            from_parent += take;
            if blocks.len() < size {
                blocks.push(entry);
                ids.push(id);
            }
        }
        let take = (size - blocks.len()).min(parent.blocks.len() - from_parent);
        blocks.extend_from_slice(&parent.blocks[from_parent..from_parent + take]);
        ids.extend_from_slice(&parent.ids[from_parent..from_parent + take]);
        Window { size, blocks, ids }
    }

    /// The window from scratch: the walk down the selected chain.
    fn walked(dag: &Ghostdag, data: &GhostdagData, size: usize, describe: &impl Fn(BlockId) -> WindowBlock) -> Window {
        let ids = dag.blue_work_window(data, size);
        let blocks = ids.iter().map(|&b| describe(b)).collect();
        Window { size, blocks, ids }
    }
}

/// The windows of the last blocks inserted, by block.
#[derive(Debug, Default)]
pub(crate) struct WindowCache {
    windows: HashMap<BlockId, Arc<Window>>,
    order: VecDeque<BlockId>,
}

impl WindowCache {
    /// Windows kept. A window of mainnet's 2,641 blocks takes about 200 KB.
    pub(crate) const CAPACITY: usize = 32;

    /// The window of `size` blocks of a block with GHOSTDAG data `data`, from its selected
    /// parent's cached window when there is one of that size.
    pub(crate) fn window_of(
        &self,
        dag: &Ghostdag,
        data: &GhostdagData,
        size: usize,
        describe: impl Fn(BlockId) -> WindowBlock,
    ) -> Arc<Window> {
        let Some(sp) = data.selected_parent else { return Arc::new(Window { size, ..Window::default() }) };
        // A child of genesis has an empty window (the walk stops above genesis), and so
        // genesis's "window" cannot be extended.
        if dag.data(sp).selected_parent.is_none() || size == 0 {
            return Arc::new(Window { size, ..Window::default() });
        }
        let window = match self.windows.get(&sp) {
            Some(parent) if parent.size == size => Window::extended(parent, data, &describe),
            _ => Window::walked(dag, data, size, &describe),
        };
        debug_assert_eq!(window.ids, dag.blue_work_window(data, size), "the merged window is the walked one");
        Arc::new(window)
    }

    /// Keeps `window` as the window of `block`, dropping the oldest one kept when full.
    pub(crate) fn insert(&mut self, block: BlockId, window: Arc<Window>) {
        if self.windows.insert(block, window).is_none() {
            self.order.push_back(block);
            if self.order.len() > Self::CAPACITY {
                if let Some(old) = self.order.pop_front() {
                    self.windows.remove(&old);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pyrin_core::{BlockHash, BlueWork, CompactTarget};

    fn hash(n: u64) -> BlockHash {
        let mut bytes = [0u8; 32];
        bytes[..8].copy_from_slice(&n.wrapping_mul(0x9e37_79b9_7f4a_7c15).to_le_bytes());
        bytes[8..16].copy_from_slice(&n.to_le_bytes());
        BlockHash::from_bytes(bytes)
    }

    /// Every block's window, merged from its selected parent's cached one (or walked on a
    /// miss, with a cache smaller than the DAG), equals the walked window, for random DAGs
    /// of varied width and windows of varied size.
    #[test]
    fn merged_windows_are_the_walked_windows() {
        let mut seed = 0x1234_5678_9abc_def0u64;
        let mut next = move |n: u64| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) % n
        };
        for (round, size) in [1usize, 2, 7, 30, 200].into_iter().enumerate() {
            let mut dag = Ghostdag::new(3, hash(0), BlueWork::from_u64(1)).unwrap();
            let mut cache = WindowCache::default();
            let describe = |dag: &Ghostdag, b: BlockId| WindowBlock {
                timestamp: u64::from(b.index()),
                bits: CompactTarget::from_consensus(0x1d00_ffff),
                blue_work: dag.data(b).blue_work,
                hash: dag.hash_of(b),
            };
            for n in 1..400u64 {
                let tips = dag.tips().to_vec();
                let width = 1 + next(3) as usize;
                let mut parents: Vec<BlockHash> = tips.iter().rev().take(width).map(|&t| dag.hash_of(t)).collect();
                // Now and then an older parent, so the selected parent is not always the last.
                if next(5) == 0 && n > 10 {
                    let old = BlockId::from_index(u32::try_from(n - 1 - next(8)).unwrap());
                    if !dag.tips().iter().any(|&t| dag.is_ancestor(old, t) && t != old) || parents.is_empty() {
                        parents.push(dag.hash_of(old));
                    }
                }
                parents.sort();
                parents.dedup();
                let work = BlueWork::from_u64(1 + next(4));
                let Ok(id) = dag.add_block(hash(n + 1000 * round as u64), &parents, work) else { continue };
                let data = dag.data(id).clone();
                let window = cache.window_of(&dag, &data, size, |b| describe(&dag, b));
                assert_eq!(window.ids, dag.blue_work_window(&data, size), "block {n}, size {size}");
                assert!(window.blocks.iter().zip(&window.ids).all(|(w, &id)| *w == describe(&dag, id)));
                // Skip caching now and then: the next children walk instead.
                if next(7) != 0 {
                    cache.insert(id, window);
                }
            }
        }
    }
}
