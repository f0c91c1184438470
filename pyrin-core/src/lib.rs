//! Consensus types of the [Pyrin](https://pyrin.network) block-DAG.
//!
//! `pyrin-core` is the foundation of the pyrin crate family: every other crate hashes
//! through it. It provides
//!
//! - [`Hash`](struct@Hash), the 32-byte hash, its role types ([`BlockHash`],
//!   [`TransactionId`], [`TransactionHash`], [`MerkleRoot`], [`PrePowHash`],
//!   [`UtxoCommitment`]) and the domain-separated BLAKE3 hashers ([`hashers`]);
//! - [`Amount`], a quantity of PYI in leor with checked arithmetic;
//! - [`CompactTarget`] (a header's `bits`), [`Target`], [`Work`] and [`PowValue`]
//!   ([`Target`] explains the four), over the plain [`Uint256`], and [`BlueWork`];
//! - [`Header`] with its block hash and pre-PoW hash, [`Transaction`] with its id and
//!   hash, [`Block`], and the merkle roots ([`merkle`]);
//! - the consensus byte encoding of all of them ([`Encode`], [`Decode`]), whose decoder never panics
//!   and never allocates more than the input justifies;
//! - network parameters and genesis blocks ([`params`]).
//!
//! Everything is bit-exact with the Pyrin reference node (`Pyrinpyi/pyrin`, a rusty-kaspa
//! fork): the header and transaction layouts, the keyed-BLAKE3 domains, the merkle tree
//! and the compact target arithmetic follow it, and the test suite checks them against
//! vectors produced by running that node and against real mined blocks.
//!
//! ```
//! use pyrin_core::{params::Network, Header};
//!
//! let genesis = Network::Mainnet.params().genesis.header();
//! assert_eq!(
//!     genesis.hash().to_string(),
//!     "db28f93655e579b3bbc276433711cd214b397ac8467401cb82b28f655d25f762"
//! );
//! ```
//!
//! # Features
//! | feature | default | what it adds |
//! | --- | --- | --- |
//! | `std` | yes | `std` support in this crate and its dependencies; without it the crate is `no_std` + `alloc` |
//! | `serde` | no | `Serialize`/`Deserialize` for every type, in the node's JSON form (camelCase field names; hashes, byte strings and blue work as hex strings); re-exports `serde` as `pyrin_core::serde` |
//! | `borsh` | no | Borsh encoding for every type; re-exports `borsh` as `pyrin_core::borsh` |
//!
//! Both encodings are opt-in, so a crate that needs neither compiles neither. Every
//! combination builds, with and without `std`. The consensus byte encoding
//! ([`Encode`], [`Decode`]) needs no feature.
//!
//! # Serde form
//! The crate has one serde form, the JSON of the Pyrin node's RPC, documented field by
//! field with examples in the `serde_form` module (present with the `serde` feature):
//! camelCase field names; hashes, subnetwork ids, byte strings and blue work as hex
//! strings; every u64 written as a JSON number and read from a number or a decimal string
//! (for readers that lose precision above 2^53). A header's `hash` and a transaction's `id`
//! are written, and when present on input they must match the values recomputed from the
//! other fields: the node trusts them, this crate refuses a mismatch on purpose. Binary
//! serde formats get the same fields as plain integers and bytes.
//!
//! The snake_case JSON of the repository's test-vector files (`shared/vectors`) is a
//! different format, used only by the tests: the conformance runner reads it with its own
//! code (`examples/src/json.rs`), not through serde.
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod amount;
mod block;
mod encoding;
mod hash;
pub mod hashers;
mod header;
pub mod hex;
pub mod merkle;
pub mod params;
mod subnets;
mod target;
mod tx;
mod uint;

#[cfg(feature = "serde")]
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
pub mod serde_form;

#[cfg(feature = "borsh")]
#[cfg_attr(docsrs, doc(cfg(feature = "borsh")))]
pub use borsh;
#[cfg(feature = "serde")]
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
pub use serde;

pub use amount::{Amount, ParseAmountError};
pub use block::Block;
pub use encoding::{Decode, DecodeError, Encode, LenCounter, Reader, Sink};
pub use hash::{BlockHash, Hash, MerkleRoot, PrePowHash, TransactionHash, TransactionId, UtxoCommitment, ZERO_HASH};
pub use header::Header;
pub use subnets::SubnetworkId;
pub use target::{CompactTarget, PowValue, Target, Work};
pub use tx::{ScriptPublicKey, Transaction, TransactionInput, TransactionOutpoint, TransactionOutput, TxEncoding};
pub use uint::{BlueWork, Uint256};
