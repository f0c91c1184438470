//! The JavaScript face of the wallet: `#[wasm_bindgen]` exports that forward to [`crate::api`]
//! and turn its errors into exceptions (`Result<_, JsError>`: the `Error`'s message is
//! the library's). Nothing here decides anything, so the native tests of `api` cover it.

use pyrin_tx::sign::PrivateKey;
use wasm_bindgen::prelude::*;

use crate::api;

/// A secret key. JavaScript: `new Key(bytes)` (a 32-byte `Uint8Array`) or
/// `Key.fromHex(hex)`; the secret stays in wasm memory and is erased when the object is
/// freed (`key.free()`).
#[wasm_bindgen(js_name = Key)]
pub struct JsKey(PrivateKey);

#[wasm_bindgen(js_class = Key)]
impl JsKey {
    /// A key from its 32 secret bytes.
    #[wasm_bindgen(constructor)]
    pub fn new(bytes: &[u8]) -> Result<JsKey, JsError> {
        Ok(JsKey(crate::address::key_from_bytes(bytes)?))
    }

    /// A key from 64 hex digits.
    #[wasm_bindgen(js_name = fromHex)]
    pub fn from_hex(hex: &str) -> Result<JsKey, JsError> {
        Ok(JsKey(api::key_from_hex(hex)?))
    }

    /// The x-only public key in hex.
    #[wasm_bindgen(js_name = publicKey)]
    pub fn public_key(&self) -> String {
        api::public_key(&self.0)
    }

    /// The key's `pyrin:` address on the named network (`mainnet`, `testnet-10`,
    /// `testnet-11`, `simnet`, `devnet`).
    pub fn address(&self, network: &str) -> Result<String, JsError> {
        Ok(api::key_address(&self.0, network)?)
    }
}

/// Parses and checks an address (against `network` when given); JSON `{address, prefix,
/// version, payload, scriptPublicKey}`.
#[wasm_bindgen(js_name = parseAddress)]
pub fn parse_address(address: &str, network: Option<String>) -> Result<String, JsError> {
    Ok(api::parse_address(address, network.as_deref().unwrap_or(""))?)
}

/// The address of a prefix, a version byte and a hex payload.
#[wasm_bindgen(js_name = encodeAddress)]
pub fn encode_address(prefix: &str, version: u8, payload_hex: &str) -> Result<String, JsError> {
    Ok(api::encode_address(prefix, version, payload_hex)?)
}

/// Builds a transaction from a request JSON (`{network, utxos, outputs, changeAddress,
/// feePerKilogram?}`); returns the draft JSON `{transaction, utxoEntries, fee, mass}`.
#[wasm_bindgen(js_name = buildTransaction)]
pub fn build_transaction(request_json: &str) -> Result<String, JsError> {
    Ok(api::build(request_json)?)
}

/// Signs every input of a draft with `key` under `sighashType` (1, 2, 4, 0x81, 0x82,
/// 0x84); `auxHex` fixes the BIP-340 auxiliary bytes, else they are fresh random bytes.
#[wasm_bindgen(js_name = signTransaction)]
pub fn sign_transaction(
    draft_json: &str,
    key: &JsKey,
    sighash_type: u8,
    aux_hex: Option<String>,
) -> Result<String, JsError> {
    Ok(api::sign(draft_json, &key.0, sighash_type, aux_hex.as_deref().unwrap_or(""))?)
}

/// Verifies a signed draft; throws with the failing input and reason.
#[wasm_bindgen(js_name = verifyTransaction)]
pub fn verify_transaction(draft_json: &str) -> Result<(), JsError> {
    Ok(api::verify(draft_json)?)
}

/// A transaction JSON's consensus encoding.
#[wasm_bindgen(js_name = transactionBytes)]
pub fn transaction_bytes(transaction_json: &str) -> Result<Vec<u8>, JsError> {
    Ok(api::transaction_bytes(transaction_json)?)
}

/// A transaction decoded from its consensus encoding, as JSON.
#[wasm_bindgen(js_name = transactionFromBytes)]
pub fn transaction_from_bytes(bytes: &[u8]) -> Result<String, JsError> {
    Ok(api::transaction_from_bytes(bytes)?)
}

/// A transaction JSON's id in hex.
#[wasm_bindgen(js_name = transactionId)]
pub fn transaction_id(transaction_json: &str) -> Result<String, JsError> {
    Ok(api::transaction_id(transaction_json)?)
}

/// A transaction JSON's compute mass on the named network (a `BigInt`).
#[wasm_bindgen(js_name = transactionMass)]
pub fn transaction_mass(transaction_json: &str, network: &str) -> Result<u64, JsError> {
    Ok(api::mass(transaction_json, network)?)
}

/// The Schnorr and ECDSA sighashes (JSON `{schnorr, ecdsa}`) of one input.
#[wasm_bindgen]
pub fn sighashes(
    transaction_json: &str,
    entries_json: &str,
    input_index: u32,
    sighash_type: u8,
) -> Result<String, JsError> {
    Ok(api::sighashes(transaction_json, entries_json, input_index as usize, sighash_type)?)
}

/// The BIP-340 signature (hex) of a 32-byte digest with fixed auxiliary bytes.
#[wasm_bindgen(js_name = signDigest)]
pub fn sign_digest(key: &JsKey, digest_hex: &str, aux_hex: &str) -> Result<String, JsError> {
    Ok(api::sign_digest(&key.0, digest_hex, aux_hex)?)
}
