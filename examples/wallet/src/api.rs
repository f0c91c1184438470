//! The binding's functions in plain Rust: text and bytes in, text and bytes out, one
//! function per JavaScript export with the same arguments. The wasm-bindgen layer only
//! forwards to these, so the native tests, the expected-output generator and the native
//! benchmark run exactly what JavaScript runs.
//!
//! Documents are JSON text: transactions in the node's JSON (`pyrin_core::serde_form`),
//! drafts as [`Draft`], build requests as [`BuildRequest`].

use pyrin_core::{Decode, Encode, Transaction};
use pyrin_tx::mass::{compute_mass, MassPrices};
use pyrin_tx::sign::PrivateKey;
use pyrin_tx::UtxoEntry;
use serde::de::DeserializeOwned;
use serde::Serialize;
use zeroize::Zeroizing;

use crate::address::{self, network};
use crate::draft::{build_transaction, BuildRequest, Draft};
use crate::error::{hex_array, WalletError};
use crate::signing;

/// Reads the JSON document `what`.
fn from_json<T: DeserializeOwned>(what: &'static str, text: &str) -> Result<T, WalletError> {
    serde_json::from_str(text).map_err(WalletError::json(what))
}

/// Writes a document as JSON. The wallet's types always serialise (no maps with
/// non-string keys, no failing `Serialize` impls); an error is still reported, not
/// unwrapped.
fn to_json<T: Serialize>(what: &'static str, value: &T) -> Result<String, WalletError> {
    serde_json::to_string(value).map_err(WalletError::json(what))
}

/// A key from 64 hex digits.
///
/// # Errors
/// [`WalletError::Hex`], [`WalletError::Length`] or [`WalletError::Sign`].
pub fn key_from_hex(hex: &str) -> Result<PrivateKey, WalletError> {
    // The decoded copy of the secret is erased when dropped, as the key erases its own.
    let bytes = Zeroizing::new(pyrin_core::hex::decode(hex.trim()).map_err(WalletError::hex("secret key"))?);
    address::key_from_bytes(&bytes)
}

/// The key's x-only public key in hex.
pub fn public_key(key: &PrivateKey) -> String {
    pyrin_core::hex::encode(&key.schnorr_public_key())
}

/// The key's `pyrin:` address on the named network.
///
/// # Errors
/// [`WalletError::Network`] for an unknown name.
pub fn key_address(key: &PrivateKey, network_name: &str) -> Result<String, WalletError> {
    Ok(address::key_address(key, network(network_name)?))
}

/// [`address::AddressInfo`] as JSON; `network_name` empty accepts any network.
///
/// # Errors
/// [`WalletError::Network`], [`WalletError::Address`], [`WalletError::WrongNetwork`].
pub fn parse_address(text: &str, network_name: &str) -> Result<String, WalletError> {
    let network = if network_name.is_empty() { None } else { Some(network(network_name)?) };
    to_json("address", &address::parse_address(text, network)?)
}

/// The address of a prefix (`pyrin`, …), a version byte and a hex payload.
///
/// # Errors
/// [`WalletError::Hex`], [`WalletError::Address`].
pub fn encode_address(prefix: &str, version: u8, payload_hex: &str) -> Result<String, WalletError> {
    let payload = pyrin_core::hex::decode(payload_hex).map_err(WalletError::hex("payload"))?;
    address::encode_address(prefix, version, &payload)
}

/// [`build_transaction`] from a [`BuildRequest`] document to a [`Draft`] document.
///
/// # Errors
/// [`WalletError::Json`] and those of [`build_transaction`].
pub fn build(request_json: &str) -> Result<String, WalletError> {
    let request: BuildRequest = from_json("build request", request_json)?;
    to_json("draft", &build_transaction(&request)?)
}

/// The draft signed with `key` under sighash type `ty`; `aux_hex` empty takes fresh
/// system randomness, else 64 hex digits fix BIP-340's auxiliary bytes.
///
/// # Errors
/// [`WalletError::Json`], [`WalletError::Hex`], [`WalletError::Length`] and those of
/// [`signing::sign_draft`].
pub fn sign(draft_json: &str, key: &PrivateKey, ty: u8, aux_hex: &str) -> Result<String, WalletError> {
    let draft: Draft = from_json("draft", draft_json)?;
    let aux = if aux_hex.is_empty() { None } else { Some(hex_array("aux bytes", aux_hex)?) };
    to_json("draft", &signing::sign_draft(&draft, core::slice::from_ref(key), ty, aux)?)
}

/// Verifies a signed draft.
///
/// # Errors
/// [`WalletError::Json`], or [`WalletError::Sign`] for the first input that fails.
pub fn verify(draft_json: &str) -> Result<(), WalletError> {
    signing::verify_draft(&from_json("draft", draft_json)?)
}

/// A transaction's consensus encoding (what its hash covers).
///
/// # Errors
/// [`WalletError::Json`].
pub fn transaction_bytes(transaction_json: &str) -> Result<Vec<u8>, WalletError> {
    Ok(from_json::<Transaction>("transaction", transaction_json)?.to_bytes())
}

/// A transaction decoded from its consensus encoding, as the node's JSON.
///
/// # Errors
/// [`WalletError::Decode`] saying which field is malformed.
pub fn transaction_from_bytes(bytes: &[u8]) -> Result<String, WalletError> {
    to_json("transaction", &Transaction::from_bytes(bytes)?)
}

/// A transaction's id in hex.
///
/// # Errors
/// [`WalletError::Json`].
pub fn transaction_id(transaction_json: &str) -> Result<String, WalletError> {
    Ok(from_json::<Transaction>("transaction", transaction_json)?.id().to_string())
}

/// A transaction's compute mass under the named network's prices.
///
/// # Errors
/// [`WalletError::Json`], [`WalletError::Network`].
pub fn mass(transaction_json: &str, network_name: &str) -> Result<u64, WalletError> {
    let tx: Transaction = from_json("transaction", transaction_json)?;
    Ok(compute_mass(&tx, &MassPrices::from_params(network(network_name)?.params())))
}

/// [`signing::Sighashes`] as JSON, for input `input` of a transaction spending
/// `entries_json` (a JSON array of the node's UTXO entries).
///
/// # Errors
/// [`WalletError::Json`] and those of [`signing::sighashes`].
pub fn sighashes(transaction_json: &str, entries_json: &str, input: usize, ty: u8) -> Result<String, WalletError> {
    let tx: Transaction = from_json("transaction", transaction_json)?;
    let entries: Vec<UtxoEntry> = from_json("UTXO entries", entries_json)?;
    to_json("sighashes", &signing::sighashes(&tx, &entries, input, ty)?)
}

/// The BIP-340 signature (hex) of a 32-byte digest (hex) with fixed auxiliary bytes (hex).
///
/// # Errors
/// [`WalletError::Hex`], [`WalletError::Length`].
pub fn sign_digest(key: &PrivateKey, digest_hex: &str, aux_hex: &str) -> Result<String, WalletError> {
    let digest = hex_array("digest", digest_hex)?;
    let aux = hex_array("aux bytes", aux_hex)?;
    Ok(pyrin_core::hex::encode(&signing::sign_digest(key, &digest, aux)?))
}
