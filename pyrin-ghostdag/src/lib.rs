//! GHOSTDAG colouring and ordering of a block DAG, as a pure library.
//!
//! [`Ghostdag`] takes blocks one at a time (parents first) and computes what the network
//! computes for each: the selected parent, the mergeset in order, its colouring into blues
//! and reds under the k-cluster rule (with the blue anticone sizes the rule needs), blue
//! score and blue work. It also gives the consensus order of a mergeset and of the whole
//! DAG from a virtual block over the tips, and past-of queries. The data lives behind the
//! [`GhostdagStore`] trait; [`MemoryStore`] keeps it in memory. `k` (with the `std` feature) computes
//! k from the PHANTOM paper's formula.
//!
//! Blocks come in named by [`pyrin_core::BlockHash`]; inside, the DAG names them
//! by [`BlockId`], a dense index given in insertion order, which is what
//! [`GhostdagData`] lists. [`Ghostdag::id_of`] and [`Ghostdag::hash_of`] go between the
//! two, and the common questions have direct forms: [`Ghostdag::data_by_hash`],
//! [`Ghostdag::tip_hashes`], [`Ghostdag::is_blue`], [`Ghostdag::virtual_data`] (the view
//! of a virtual block over all tips, the colouring the DAG agrees on now) and
//! [`Ghostdag::dag_order`].
//!
//! ```
//! use pyrin_core::BlockHash;
//! use pyrin_core::BlueWork;
//! use pyrin_ghostdag::{BlockId, Ghostdag};
//!
//! // Blocks named by one repeated byte, all with the same work.
//! let h = |b: u8| BlockHash::from_bytes([b; 32]);
//! let work = BlueWork::from_u64(1);
//!
//! //      ┌── 1 ──┐
//! //  0 ──┼── 2 ──┼── 4        k = 1: a blue block has at most one blue in its anticone
//! //      └── 3 ──┘
//! let mut dag = Ghostdag::new(1, h(0), work)?;
//! for (block, parents) in [(1, vec![0]), (2, vec![0]), (3, vec![0]), (4, vec![1, 2, 3])] {
//!     let parents: Vec<BlockHash> = parents.into_iter().map(h).collect();
//!     dag.add_block(h(block), &parents, work)?;
//! }
//! let hashes = |ids: &[BlockId]| ids.iter().map(|&id| dag.hash_of(id)).collect::<Vec<_>>();
//!
//! // Block 4 selects 3 (equal blue work: the larger hash), then colours 1 and 2 in
//! // ascending order: 1 is blue, and with two blues 2 must be red.
//! let four = dag.data_by_hash(&h(4)).expect("block 4 was added");
//! assert_eq!(hashes(&four.mergeset_blues), [h(3), h(1)]);
//! assert_eq!(hashes(&four.mergeset_reds), [h(2)]);
//!
//! // The virtual block over the tips (only 4 here) selects 4 and sees 2 as red.
//! let virtual_block = dag.virtual_data()?;
//! assert_eq!(virtual_block.selected_parent.map(|id| dag.hash_of(id)), Some(h(4)));
//! assert_eq!(dag.tip_hashes().collect::<Vec<_>>(), [h(4)]);
//! let blue = |b: u8| dag.id_of(&h(b)).is_some_and(|id| dag.is_blue(id, &virtual_block));
//! assert_eq!((0..=4).filter(|&b| blue(b)).collect::<Vec<_>>(), [0, 1, 3, 4]);
//!
//! // The consensus order: along the selected chain 0, 3, 4, each chain block after the
//! // blocks it merges.
//! assert_eq!(hashes(&dag.dag_order()?), [h(0), h(3), h(1), h(2), h(4)]);
//! # Ok::<(), pyrin_ghostdag::GhostdagError>(())
//! ```
//!
//! Past-of queries ([`Ghostdag::is_ancestor`]) use a reachability index kept in the store
//! beside the GHOSTDAG data: the selected-parent tree with one skip pointer per block
//! (ancestor at a height in O(log n)) plus a future covering set per block, so a query
//! costs O((1 + |FCS(A)|) · log n) and never rewrites stored data. [`reachability`] gives
//! the design, why it is correct, and what bounds the covering sets.
//!
//! # Reference behaviour followed
//! The Rust reference node `Pyrinpyi/pyrin` (`consensus/src/processes/ghostdag/`): the
//! selected parent is the parent with the largest (blue work, hash), hashes compared as
//! byte strings; the mergeset is found by a breadth-first walk from the other parents that
//! stops at the selected parent's past, and coloured in ascending (blue work, hash) order;
//! a candidate is red once the mergeset holds k + 1 blues, or once its blue anticone would
//! pass k or it would push a blue's anticone past k; the selected parent is the first
//! mergeset blue, and genesis has blue score 0 and blue work 0.
//!
//! # Migrating from 0.1
//! - **Block hashes.** `pyrin_core::Hash` → [`pyrin_core::BlockHash`] wherever a block is
//!   named: [`Ghostdag::new`], [`Ghostdag::with_store`], [`Ghostdag::add_block`],
//!   [`Ghostdag::ghostdag_of`], [`Ghostdag::id_of`], [`Ghostdag::hash_of`],
//!   [`GhostdagStore::id_of`], [`GhostdagStore::hash_of`], `NewBlock::hash` and the
//!   [`GhostdagError`] variants. `Hash::from_bytes(b)` → `BlockHash::from_bytes(b)`.
//! - **Block ids.** [`BlockId`] was `u32` and is a newtype: `0` → [`BlockId::GENESIS`],
//!   `n as BlockId` → [`BlockId::from_index`]`(n)`, `id as usize` or arithmetic on an id →
//!   [`BlockId::index`]`()`.
//! - **Paths.** `pyrin_ghostdag::TreeNode` → [`reachability::TreeNode`], which no longer
//!   implements `Default`.
//! - **Direct forms.** `dag.data(dag.id_of(&hash).unwrap())` → [`Ghostdag::data_by_hash`];
//!   an id that may be foreign → [`Ghostdag::try_data`], [`Ghostdag::try_hash_of`];
//!   `dag.tips().iter().map(|&t| dag.hash_of(t))` → [`Ghostdag::tip_hashes`]; the virtual
//!   block's data, `dag.ghostdag_of(&tip_hashes, work)` → [`Ghostdag::virtual_data`]; whether
//!   a block is blue for a block or the virtual → [`Ghostdag::is_blue`].
//! - **`#[non_exhaustive]`.** A `match` on [`GhostdagError`] needs a `_` arm.
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

/// Needs `std` for `f64::powf` (the formula must round exactly as the reference does).
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
pub mod k;
mod protocol;
pub mod reachability;
pub mod rules;
mod store;

pub use protocol::{Ghostdag, GhostdagError};
pub use store::{BlockId, GhostdagData, GhostdagStore, MemoryStore, NewBlock};

/// The README's example, run as a doctest so that it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
