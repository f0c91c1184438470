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
//! - network parameters and genesis blocks ([`params`]);
//! - the rules a header passes on its own: version, timestamp against "now", parents
//!   limit ([`header_rules`]).
//!
//! Everything is bit-exact with the Pyrin reference node (`Pyrinpyi/pyrin`, a rusty-kaspa
//! fork): the header and transaction layouts, the keyed-BLAKE3 domains, the merkle tree
//! and the compact target arithmetic follow it, and the test suite checks them against
//! vectors produced by running that node and against real mined blocks.
//!
//! ```
//! use pyrin_core::params::Network;
//! use pyrin_core::{
//!     Amount, BlockHash, BlueWork, Decode, Encode, Header, ScriptPublicKey, Target, Transaction, TransactionId,
//!     TransactionInput, TransactionOutpoint, TransactionOutput, Work,
//! };
//!
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     // A header: mainnet's genesis, its block hash, its consensus bytes read back.
//!     let genesis = Network::Mainnet.params().genesis.header();
//!     let hash: BlockHash = "db28f93655e579b3bbc276433711cd214b397ac8467401cb82b28f655d25f762".parse()?;
//!     assert_eq!(genesis.hash(), hash);
//!     assert_eq!(Header::from_bytes(&genesis.to_bytes())?, genesis);
//!
//!     // The pre-PoW hash leaves the nonce out; a pool hashes a found nonce in place.
//!     let mut mined = genesis.clone();
//!     mined.nonce += 1;
//!     assert_eq!(mined.pre_pow_hash(), genesis.pre_pow_hash());
//!     assert_eq!(genesis.hash_with_nonce(mined.nonce), mined.hash());
//!
//!     // Targets: a header's compact bits, the target they encode, the work it takes.
//!     let target = Target::from_compact(genesis.bits);
//!     assert_eq!(target, genesis.target());
//!     assert_eq!(target.to_compact_lossy(), genesis.bits);
//!     let work = Work::from_compact(genesis.bits).ok_or("a zero target has no work")?;
//!     let blue_work = BlueWork::ZERO.checked_add_work(work).ok_or("blue work overflow")?;
//!     assert!(!blue_work.is_zero());
//!
//!     // Amounts: leor, checked arithmetic, PYI on display.
//!     let value = Amount::from_pyi(12).ok_or("too many PYI")?.checked_add(Amount::from_leor(2_036)).ok_or("overflow")?;
//!     assert_eq!(value.to_string(), "12.00002036 PYI");
//!     assert_eq!("12.00002036 PYI".parse::<Amount>()?, value);
//!
//!     // A transaction paying `value` to a Schnorr P2PK script (OP_DATA_32, key, OP_CHECKSIG).
//!     let mut script = vec![0x20];
//!     script.extend([7; 32]);
//!     script.push(0xac);
//!     let spent = TransactionOutpoint::new(TransactionId::from_bytes([3; 32]), 0);
//!     let mut tx = Transaction {
//!         inputs: vec![TransactionInput::spending(spent)],
//!         outputs: vec![TransactionOutput::new(value, ScriptPublicKey::new(0, script))],
//!         ..Transaction::default()
//!     };
//!     // Signing fills in the signature script: the id stays, the hash changes.
//!     let (id, unsigned_hash) = (tx.id(), tx.hash());
//!     tx.inputs[0].signature_script = vec![0x41; 66];
//!     assert_eq!(tx.id(), id);
//!     assert_ne!(tx.hash(), unsigned_hash);
//!     assert_eq!(Transaction::from_bytes(&tx.to_bytes())?, tx);
//!     Ok(())
//! }
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
//!
//! # Migrating from 0.1
//! - **Paths.** The modules `block`, `encoding`, `hash`, `header`, `subnets`, `tx` and `uint`
//!   are private: import their types from the root (`pyrin_core::header::Header` →
//!   [`pyrin_core::Header`](Header), `pyrin_core::encoding::Reader` → [`Reader`]). `compact` is
//!   gone (below); `hashers`, `hex`, `merkle` and `params` stay.
//! - **Hash roles.** `Hash` and its aliases `BlockHash`/`TransactionId` → [`BlockHash`] (block
//!   hashes, parents, pruning point), [`TransactionId`] ([`Transaction::id`], outpoints),
//!   [`TransactionHash`] ([`Transaction::hash`]), [`MerkleRoot`] (the header's roots,
//!   [`Block::hash_merkle_root`], [`merkle::hash_merkle_root`]), [`PrePowHash`]
//!   ([`Header::pre_pow_hash`]) and [`UtxoCommitment`]. `Hash::from_bytes(b)` →
//!   `BlockHash::from_bytes(b)`; a raw [`Hash`](struct@Hash) converts with
//!   `BlockHash::from_raw_hash(h)` and back with `.to_raw_hash()`; `ZERO_HASH` in a role →
//!   `BlockHash::ZERO` (and so on). Other crates declare roles with [`hash_newtype!`].
//! - **Bits.** `header.bits: u32` → [`CompactTarget`]: `CompactTarget::from_consensus(bits)`,
//!   `bits.to_consensus()` (also `GenesisBlock::bits`).
//! - **Targets and work.** `Uint256::from_compact_bits(b)` or `compact::target_from_bits(b)` →
//!   [`Target::from_compact`]; `to_compact_bits()` or `compact::bits_from_target(&t)` →
//!   [`Target::to_compact_lossy`]; `compact::work_of_target(&t)` → [`Target::to_work`];
//!   `compact::calc_work(b)` → [`Work::from_compact`]; `BlueWork::from_bits(b)` →
//!   `Work::from_compact(b).and_then(Work::to_blue_work)`, or add a block's work with
//!   [`BlueWork::checked_add_work`]. [`Header::target`] and `Params::max_difficulty_target`
//!   are [`Target`]s; `value <= target` → [`Target::is_met_by`] with a [`PowValue`]; a
//!   [`Target`], [`Work`] or [`PowValue`] gives its number with `.to_uint256()`.
//! - **`Uint256`.** Its field is private: `Uint256(words)` → [`Uint256::from_le_words`],
//!   `.0` → [`Uint256::to_le_words`].
//! - **Amounts.** `u64` leor → [`Amount`] (`TransactionOutput::value`,
//!   `Params::pre_deflationary_phase_base_subsidy`): `Amount::from_leor(v)`, `.to_leor()`;
//!   `params::MAX_LEOR` → [`Amount::MAX_MONEY`], `params::LEOR_PER_PYI` →
//!   [`Amount::LEOR_PER_PYI`].
//! - **Constructors.** A P2PK input `TransactionInput { previous_outpoint, signature_script:
//!   vec![], sequence: 0, sig_op_count: 1 }` → [`TransactionInput::spending`]`(outpoint)`
//!   (any other: [`TransactionInput::new`]); `TransactionOutput { value, script_public_key }`
//!   → [`TransactionOutput::new`]. A found nonce's block hash without cloning the header:
//!   [`Header::hash_with_nonce`].
//! - **Features.** `borsh` is no longer a default feature: add `features = ["borsh"]` where
//!   you use it. With `serde`, a header's `hash` and a transaction's `id` are now checked
//!   when present instead of ignored, u64 fields are also read from decimal strings, and
//!   binary formats no longer carry `hash` and `id` (see `serde_form`).
//! - **`#[non_exhaustive]`.** [`DecodeError`] and [`hex::HexError`] need a `_` arm in a
//!   `match`; [`params::Params`] cannot be built with a struct literal: clone a network's
//!   (`let mut params = Network::Devnet.params().clone();`) and set its fields.
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod amount;
mod block;
mod encoding;
mod hash;
pub mod hashers;
mod header;
pub mod header_rules;
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

/// The README's example, run as a doctest so that it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
