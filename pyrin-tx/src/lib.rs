//! Build, sign, verify, price and display Pyrin transactions exactly as the network does.
//!
//! ```
//! use pyrin_core::params::Network;
//! use pyrin_core::{Amount, Transaction, TransactionId, TransactionInput, TransactionOutpoint, TransactionOutput};
//! use pyrin_tx::address::Address;
//! use pyrin_tx::mass::{compute_mass, signed_compute_mass, MassPrices, SignedInput};
//! use pyrin_tx::policy::RelayPolicy;
//! use pyrin_tx::script::pay_to_address;
//! use pyrin_tx::sighash::SigHashType;
//! use pyrin_tx::sign::{sign_transaction, verify_transaction, PrivateKey, Randomness};
//! use pyrin_tx::UtxoEntry;
//!
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let network = Network::Mainnet;
//!
//!     // A key (in a wallet: 32 bytes from a secure generator or an HD derivation) and the
//!     // address that pays it.
//!     let key = PrivateKey::from_bytes([0x17; 32])?;
//!     let mine = key.schnorr_address(network);
//!     assert!(mine.to_string().starts_with("pyrin:q"));
//!
//!     // An output the key owns, as the node's UTXO index reports it, and where it was created.
//!     let funding = TransactionOutpoint::new(TransactionId::from_bytes([0xf0; 32]), 0);
//!     let entries = [UtxoEntry {
//!         amount: Amount::from_leor(50_000),
//!         script_public_key: pay_to_address(&mine),
//!         block_daa_score: 1_000,
//!         is_coinbase: false,
//!     }];
//!
//!     // Pay 20 000 leor, the rest back as change. A P2PK spend declares one signature operation.
//!     let payee: Address = "pyrin:qzrlq0da7ewa84zev9wu80n9chfq87eczfa9a4nfn5c2qlu8c2r4c3ze9jnnc".parse()?;
//!     let mut tx = Transaction {
//!         inputs: vec![TransactionInput::spending(funding)],
//!         outputs: vec![
//!             TransactionOutput::new(Amount::from_leor(20_000), pay_to_address(&payee)),
//!             TransactionOutput::new(Amount::from_leor(30_000), pay_to_address(&mine)),
//!         ],
//!         ..Transaction::default()
//!     };
//!
//!     // The fee: the minimum relay fee for the mass the signed transaction will have, taken
//!     // from the change (amounts do not enter the mass, so the price stays the same).
//!     let prices = MassPrices::from_params(network.params());
//!     let mass = signed_compute_mass(&tx, &[SignedInput::P2pk], &prices)?;
//!     let fee = RelayPolicy::DEFAULT.minimum_fee(mass);
//!     tx.outputs[1].value = tx.outputs[1].value.checked_sub(fee).ok_or("the change cannot pay the fee")?;
//!     assert!(!RelayPolicy::DEFAULT.is_dust(&tx.outputs[1]));
//!
//!     // Sign. A wallet passes `Randomness::System` (feature `rand`): fresh auxiliary
//!     // randomness for every Schnorr signature. Fixed bytes keep this example reproducible.
//!     sign_transaction(&mut tx, &entries, &key, SigHashType::ALL, Randomness::Fixed([0; 32]))?;
//!     verify_transaction(&tx, &entries)?;
//!     assert_eq!(compute_mass(&tx, &prices), mass);
//!     println!("{} pays {fee} for {mass} grams", tx.id());
//!     Ok(())
//! }
//! ```
//!
//! - [`sighash`]: signature hashes for every sighash type, Schnorr and ECDSA, with the
//!   whole-transaction parts computed once per transaction (O(n) for n inputs).
//! - [`sign`]: keys that erase themselves ([`sign::PrivateKey`]), Schnorr (BIP-340) and
//!   ECDSA signing of P2PK inputs owned by one key or several ([`sign::KeyRing`]), with
//!   the randomness the caller chooses ([`sign::Randomness`]) and blinded signing
//!   contexts; verification of a transaction's inputs (sequential, and in parallel with
//!   the `rayon` feature) through the script engine, whatever the script.
//! - [`script`]: the standard script public keys (P2PK Schnorr, P2PK ECDSA, P2SH), their
//!   classification (with the reference's class names), address ↔ script, P2PK and P2SH
//!   signature scripts, unspendable scripts.
//! - [`multisig`]: m-of-n multisig, Schnorr or ECDSA: the redeem script, its P2SH script
//!   public key and address, and cosigners signing a spend separately (in any order, in
//!   other processes), assembled and checked by the engine.
//! - [`script_builder`]: scripts with the smallest push for every element and minimal
//!   script numbers, refusing the elements and scripts the engine would refuse.
//! - [`engine`]: the script interpreter, as the reference node runs an input's signature
//!   script, script public key and P2SH redeem script, with a typed [`engine::ScriptError`];
//!   sig-op counting. Not yet part of [`sign::verify_transaction`].
//! - [`opcodes`]: every opcode byte with the reference's name; an instruction iterator.
//! - [`script_asm`]: the script test suite's short form, parsed into bytes and formatted
//!   back.
//! - [`address`]: `pyrin:` addresses (Kaspa's bech32 variant) with typed parse errors,
//!   canonical spellings only.
//! - [`mass`]: the compute mass the network charges, the mass a transaction will have
//!   once signed, and KIP-9 storage mass (both of the reference's formulas).
//! - [`rules`]: the consensus rules of a transaction in isolation, one public function per
//!   rule, and finality by lock time; [`rules::TxRuleError`] for every transaction rule.
//! - [`utxo`]: UTXO sets as plain data: the [`utxo::UtxoView`] trait, the in-memory
//!   [`utxo::UtxoCollection`], and [`utxo::UtxoDiff`] (a transaction's effect, apply,
//!   reverse, compose, a view through a diff).
//! - [`body`]: the consensus rules of a block body in isolation (merkle root, one coinbase,
//!   block mass, duplicates, double spends, chained transactions).
//! - [`policy`]: the mempool's relay policy: minimum relay fee, dust, standard mass, the
//!   standardness checks of a transaction alone and with its UTXO entries; why KIP-9
//!   storage mass does not enter the fee on mainnet.
//! - [`context`]: a transaction in its accepting block's context: every consensus rule
//!   with its UTXO entries (coinbase maturity, amounts, the fee, mass commitment, sequence
//!   locks, sig-op counts, scripts), and the UTXO entries its outputs become.
//! - [`muhash`]: the MuHash UTXO commitment (a header's `utxo_commitment`): add and remove
//!   UTXOs or raw elements in any order, combine sets, serialize the running value,
//!   finalize; a whole set on every core with the `rayon` feature.
//!
//! # Features
//! Without default features the crate is `no_std` + `alloc`. `std` (default) only adds
//! `std::error::Error` impls through the dependencies; `rand` takes randomness from the
//! operating system (`getrandom`) for signing; `rayon` (needs `std`) verifies inputs in
//! parallel and hashes a UTXO set's MuHash on every core; `serde` writes and reads addresses
//! as strings.
//!
//! On `wasm32-unknown-unknown` the crate builds with every feature (secp256k1's C code needs
//! clang there). `rand` then reads `crypto.getRandomValues` once the final program enables
//! getrandom's `wasm_js` feature (the web wallet in `examples/wallet` does); `rayon` runs
//! its work on the calling thread, as that target has no threads.
//!
//! # Reference behaviour followed
//! The Rust reference node `Pyrinpyi/pyrin`: `consensus/core/src/hashing/sighash.rs`
//! (the payload hash is zero for native-subnetwork transactions; `SINGLE` with no output
//! at the input's index hashes zero), `crypto/addresses` (polymod, charset, no upper case),
//! `crypto/txscript/src/standard.rs` (P2SH with `OP_BLAKE3`) with `standard/multisig.rs`,
//! `script_builder.rs` and `script_class.rs`, the mass calculator, the mempool's
//! standardness rules (`mining/src/mempool`), and `crypto/muhash` with
//! `consensus/core/src/muhash.rs` for the UTXO commitment (details in [`muhash`]). Where
//! the reference panics (an
//! address with a payload of the wrong length, or with no payload at all), this crate
//! returns an error; where it accepts two spellings of one address, this crate accepts
//! only the canonical one ([`address`]).
//!
//! # Migrating from 0.1
//! - **Amounts.** `UtxoEntry::amount` and the fee [`context::check_in_context`] returns are
//!   [`pyrin_core::Amount`]s (as are output values, in `pyrin-core`):
//!   `Amount::from_leor(v)`, `.to_leor()`; `pyrin_core::params::MAX_LEOR` →
//!   `Amount::MAX_MONEY`.
//! - **Renames.** `Prefix::of(network)` → `Prefix::from(network)` ([`address::Prefix`]
//!   implements `From<Network>`); `MassPrices::of(params)` →
//!   [`mass::MassPrices::from_params`]; `script::ScriptAddressError` →
//!   [`address::AddressError`]; `SignError::KeyMismatch(i)` →
//!   [`sign::SignError::MissingKey`]`(i)`.
//! - **Signature hashes.** [`sighash::SighashCache::schnorr_hash`],
//!   [`sighash::SighashCache::ecdsa_hash`] and [`sighash::ecdsa_of_schnorr_hash`] take and
//!   return a [`sighash::SigHash`] instead of a `Hash` (`.as_bytes()` works as before).
//! - **Randomness.** Every signing function takes a [`sign::Randomness`] last and returns a
//!   `Result`: `schnorr_sign_digest(key, digest, &aux)` →
//!   `schnorr_sign_digest(key, digest, Randomness::Fixed(aux))?`;
//!   `ecdsa_sign_digest(key, digest)` → `ecdsa_sign_digest(key, digest, randomness)?`;
//!   `sign_schnorr_input(cache, i, key, ty, aux)` → `…, Randomness::Fixed(aux))`;
//!   `sign_ecdsa_input(cache, i, key, ty)` and `sign_transaction(tx, entries, &key, ty)` gain
//!   the argument (`Randomness::System` with the `rand` feature). 0.1's `sign_transaction`
//!   took each sighash as its auxiliary randomness, so its Schnorr signatures differ from
//!   0.2's (both verify).
//! - **Keys.** [`sign::sign_transaction`] takes any [`sign::KeyRing`] (one key, a slice,
//!   array or `Vec` of keys, or your own store) and refuses an input whose `sig_op_count` is
//!   not 1 before signing anything: build inputs with `TransactionInput::spending`.
//!   [`sign::PrivateKey::secret_bytes`] returns a `Zeroizing<[u8; 32]>` (`*bytes` for the
//!   array).
//! - **Addresses.** Only the canonical spelling parses ([`address::AddressError::NonZeroPadding`],
//!   [`address::AddressError::ExcessPadding`]); `Address::new(prefix, Version::PubKey,
//!   key.to_vec())?` → [`address::Address::p2pk_schnorr`]`(prefix, &key)` (and
//!   [`address::Address::p2pk_ecdsa`]).
//! - **Verification runs the script engine.** [`sign::verify_input`],
//!   [`sign::verify_transaction`] and [`sign::par_verify_transaction`] accept any script the
//!   network accepts (0.1 refused all but P2PK). A failing script is
//!   [`sign::SignError::Script`] with the engine's [`engine::ScriptError`] (0.1's
//!   `SignatureScript`, `InvalidPublicKey` and `InvalidSignature` variants are gone), and
//!   [`sign::SignError::WrongSigOpCount`]'s `expected` is the `u64` the engine counts.
//! - **`#[non_exhaustive]`.** A `match` on any error enum of the crate, on
//!   [`sign::Randomness`] or on [`mass::SignedInput`] needs a `_` arm.
#![no_std]
// Only the x86-64 kernels of MuHash may use `unsafe`, each module with its invariants
// documented and tested: `muhash::mulx` (the multiplication in assembly),
// `muhash::chacha_avx2` (the ChaCha20 keystream in AVX2) and `muhash::blake2b_avx2` (the
// BLAKE2b compression in AVX2). Everything else is safe code.
#![deny(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod address;
pub mod body;
pub mod context;
pub mod engine;
pub mod mass;
pub mod muhash;
pub mod multisig;
pub mod opcodes;
pub mod policy;
pub mod rules;
pub mod script;
pub mod script_asm;
pub mod script_builder;
pub mod sighash;
pub mod sign;
pub mod utxo;

use pyrin_core::{Amount, ScriptPublicKey};

/// The README's example, run as a doctest so that it keeps compiling and passing.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

/// The output an input spends, as the UTXO set records it.
///
/// With the `serde` feature it reads and writes the node's UTXO-entry JSON:
/// `{"amount", "scriptPublicKey", "blockDaaScore", "isCoinbase"}`, the u64 fields read from
/// a number or a decimal string as everywhere in [`pyrin_core::serde_form`].
///
/// ```
/// # #[cfg(feature = "serde")] {
/// use pyrin_tx::UtxoEntry;
///
/// let json = r#"{"amount":"5000","scriptPublicKey":"000020aa","blockDaaScore":7,"isCoinbase":false}"#;
/// let entry: UtxoEntry = serde_json::from_str(json).unwrap();
/// assert_eq!((entry.amount.to_leor(), entry.block_daa_score), (5000, 7));
/// assert_eq!(serde_json::to_string(&entry).unwrap(), json.replace(r#""5000""#, "5000"));
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub struct UtxoEntry {
    /// The amount the output carries.
    pub amount: Amount,
    /// The script locking it.
    pub script_public_key: ScriptPublicKey,
    /// DAA score of the block that created it.
    #[cfg_attr(feature = "serde", serde(with = "pyrin_core::serde_form::u64_or_decimal_string"))]
    pub block_daa_score: u64,
    /// Whether it is a coinbase output.
    pub is_coinbase: bool,
}
