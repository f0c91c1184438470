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
//! Past-of queries ([`Ghostdag::is_ancestor`]) use a reachability index kept in the store
//! beside the GHOSTDAG data: the selected-parent tree with one skip pointer per block
//! (ancestor at a height in O(log n)) plus a future covering set per block, so a query
//! costs O((1 + |FCS(A)|) · log n) and never rewrites stored data. [`reachability`] gives
//! the design, why it is correct, and what bounds the covering sets.
//!
//! ```
//! use pyrin_core::{BlockHash, BlueWork};
//! use pyrin_ghostdag::Ghostdag;
//!
//! let h = |b: u8| BlockHash::from_bytes([b; 32]);
//! let mut dag = Ghostdag::new(1, h(0), BlueWork::from_u64(1))?;
//! for (block, parents) in [(1, vec![0]), (2, vec![0]), (3, vec![0]), (4, vec![1, 2, 3])] {
//!     let parents: Vec<BlockHash> = parents.into_iter().map(h).collect();
//!     dag.add_block(h(block), &parents, BlueWork::from_u64(1))?;
//! }
//! let four = dag.data(dag.id_of(&h(4)).unwrap());
//! // k = 1: of three mutually parallel blocks only two can be blue.
//! assert_eq!((four.mergeset_blues.len(), four.mergeset_reds.len()), (2, 1));
//! # Ok::<(), pyrin_ghostdag::GhostdagError>(())
//! ```
//!
//! # Reference behaviour followed
//! The Rust reference node `Pyrinpyi/pyrin` (`consensus/src/processes/ghostdag/`): the
//! selected parent is the parent with the largest (blue work, hash), hashes compared as
//! byte strings; the mergeset is found by a breadth-first walk from the other parents that
//! stops at the selected parent's past, and coloured in ascending (blue work, hash) order;
//! a candidate is red once the mergeset holds k + 1 blues, or once its blue anticone would
//! pass k or it would push a blue's anticone past k; the selected parent is the first
//! mergeset blue, and genesis has blue score 0 and blue work 0.
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

/// Needs `std` for `f64::powf` (the formula must round exactly as the reference does).
#[cfg(feature = "std")]
pub mod k;
mod protocol;
pub mod reachability;
mod store;

pub use protocol::{Ghostdag, GhostdagError};
pub use reachability::TreeNode;
pub use store::{BlockId, GhostdagData, GhostdagStore, MemoryStore, NewBlock};
