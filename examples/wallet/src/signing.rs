//! Signing and verifying a wallet's transaction, and the signature hashes and digest
//! signatures beneath, with randomness the caller picks: fresh from the system for real
//! use, fixed auxiliary bytes when two builds must give the same signature.

use pyrin_core::Transaction;
use pyrin_tx::sighash::{SigHashType, SighashCache};
use pyrin_tx::sign::{schnorr_sign_digest, sign_transaction, verify_transaction, PrivateKey, Randomness};
use pyrin_tx::UtxoEntry;
use serde::Serialize;

use crate::draft::Draft;
use crate::error::WalletError;

/// The sighash type with this byte (0x01 ALL, 0x02 NONE, 0x04 SINGLE, each optionally
/// `| 0x80` ANYONE_CAN_PAY).
///
/// # Errors
/// [`WalletError::SighashType`] for any other byte.
pub fn sighash_type(byte: u8) -> Result<SigHashType, WalletError> {
    SigHashType::from_u8(byte).map_err(|_| WalletError::SighashType(byte))
}

/// The randomness of a signing call: BIP-340 auxiliary bytes fixed by the caller (the
/// same signature on every platform), or fresh bytes from the system's generator
/// (`crypto.getRandomValues` in a browser or Node.js).
fn randomness(aux: Option<[u8; 32]>) -> Randomness<'static> {
    match aux {
        Some(bytes) => Randomness::Fixed(bytes),
        None => Randomness::System,
    }
}

/// `draft` with every input signed by the key of `keys` that owns the output it spends,
/// under sighash type `ty`.
///
/// # Errors
/// [`WalletError::SighashType`], or [`WalletError::Sign`] with the library's reason (no
/// key owns an input, an input's sig-op count, the system generator failing).
pub fn sign_draft(draft: &Draft, keys: &[PrivateKey], ty: u8, aux: Option<[u8; 32]>) -> Result<Draft, WalletError> {
    let ty = sighash_type(ty)?;
    let mut signed = draft.clone();
    sign_transaction(&mut signed.transaction, &signed.utxo_entries, keys, ty, randomness(aux))?;
    Ok(signed)
}

/// Checks every input's scripts as the network does.
///
/// # Errors
/// [`WalletError::Sign`] naming the first input that fails and why.
pub fn verify_draft(draft: &Draft) -> Result<(), WalletError> {
    Ok(verify_transaction(&draft.transaction, &draft.utxo_entries)?)
}

/// The two signature hashes of one input under one sighash type, in hex.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Sighashes {
    /// What a Schnorr signature signs.
    pub schnorr: String,
    /// What an ECDSA signature signs.
    pub ecdsa: String,
}

/// The Schnorr and ECDSA signature hashes of input `input` of `tx`, which spends
/// `entries` (one per input).
///
/// # Errors
/// [`WalletError::SighashType`], or [`WalletError::Sighash`] when the entries do not
/// match the inputs or the index is out of range.
pub fn sighashes(tx: &Transaction, entries: &[UtxoEntry], input: usize, ty: u8) -> Result<Sighashes, WalletError> {
    let ty = sighash_type(ty)?;
    let cache = SighashCache::new(tx, entries)?;
    Ok(Sighashes {
        schnorr: pyrin_core::hex::encode(cache.schnorr_hash(input, ty)?.as_bytes()),
        ecdsa: pyrin_core::hex::encode(cache.ecdsa_hash(input, ty)?.as_bytes()),
    })
}

/// The BIP-340 signature of a 32-byte digest with these auxiliary bytes.
///
/// # Errors
/// [`WalletError::Sign`] (not expected with fixed bytes; kept for the library's contract).
pub fn sign_digest(key: &PrivateKey, digest: &[u8; 32], aux: [u8; 32]) -> Result<[u8; 64], WalletError> {
    Ok(schnorr_sign_digest(key, digest, Randomness::Fixed(aux))?)
}
