//! Build, sign, verify and display Pyrin transactions exactly as the network does.
//!
//! - [`sighash`]: signature hashes for every sighash type, Schnorr and ECDSA, with the
//!   whole-transaction parts computed once per transaction (O(n) for n inputs).
//! - [`sign`]: Schnorr (BIP-340) and ECDSA signing of P2PK inputs, verification of a
//!   transaction's inputs (sequential, and in parallel with the `rayon` feature); secret
//!   keys never appear in `Debug` output.
//! - [`script`]: the standard script public keys (P2PK Schnorr, P2PK ECDSA, P2SH), their
//!   classification, address ↔ script, and P2PK signature scripts.
//! - [`address`]: `pyrin:` addresses (Kaspa's bech32 variant) with typed parse errors.
//! - [`mass`]: the compute mass the network charges.
//! - [`context`]: a transaction in its accepting block's context: coinbase maturity, input
//!   and output totals, the fee, and the UTXO entries its outputs become.
//!
//! Without default features the crate is `no_std` + `alloc`; `std` only adds
//! `std::error::Error` impls through the dependencies, `rayon` needs `std`.
//!
//! # Reference behaviour followed
//! The Rust reference node `Pyrinpyi/pyrin`: `consensus/core/src/hashing/sighash.rs`
//! (the payload hash is zero for native-subnetwork transactions; `SINGLE` with no output
//! at the input's index hashes zero), `crypto/addresses` (polymod, charset, no upper case),
//! `crypto/txscript/src/standard.rs` (P2SH with `OP_BLAKE3`), and the mass calculator.
//! Where the reference panics (an address with a payload of the wrong length, or with no
//! payload at all), this crate returns an error.
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod address;
pub mod context;
pub mod mass;
pub mod policy;
pub mod script;
pub mod sighash;
pub mod sign;

use pyrin_core::ScriptPublicKey;

/// The output an input spends, as the UTXO set records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UtxoEntry {
    /// Amount in leor.
    pub amount: u64,
    /// The script locking it.
    pub script_public_key: ScriptPublicKey,
    /// DAA score of the block that created it.
    pub block_daa_score: u64,
    /// Whether it is a coinbase output.
    pub is_coinbase: bool,
}
