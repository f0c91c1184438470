//! Signing and verifying P2PK inputs with secp256k1: Schnorr (BIP-340, x-only keys) and
//! ECDSA (compact 64-byte signatures, low-S as libsecp256k1 produces and requires).

use alloc::vec::Vec;
use core::fmt;

use secp256k1::{ecdsa, schnorr, Keypair, Message, PublicKey, Secp256k1, SecretKey, XOnlyPublicKey};
use zeroize::Zeroizing;

use crate::{
    script::{self, ScriptClass, SignatureScriptError},
    sighash::{SigHashType, SighashCache, SighashError},
    UtxoEntry,
};
use pyrin_core::Transaction;

/// A secp256k1 secret key, kept with its public keys.
///
/// # How the secret is handled
/// - **Erased on drop.** Dropping a key overwrites its secret scalar and the keypair
///   derived from it with volatile writes the optimiser cannot remove (secp256k1's
///   `non_secure_erase`, the same technique as the `zeroize` crate).
/// - **Not `Copy`.** A second copy only comes from an explicit [`Clone::clone`], and that
///   copy is erased when it is dropped too.
/// - **No secret in `Debug`.** It prints `PrivateKey(<redacted>)`; there is no `Display`.
/// - **Secret bytes erase themselves.** [`PrivateKey::secret_bytes`] returns a
///   [`Zeroizing`] array, wiped when it goes out of scope; [`PrivateKey::from_bytes`]
///   wipes its own copy of the bytes it is given (the caller's array is the caller's to
///   wipe: keep it in a `Zeroizing` as well).
///
/// What no library can promise: Rust may leave bitwise copies of a value on the stack
/// when it moves it (returning it from a function, pushing it into a `Vec`), and nothing
/// erases those. A key that must leave no trace should be made once, in its final place
/// (for example in a `Box`), and borrowed from there.
///
/// Its public keys are computed once, when the key is made, so signing costs one
/// signature and nothing more.
///
/// ```
/// use pyrin_tx::sign::PrivateKey;
///
/// let key = PrivateKey::from_bytes([7; 32])?;
/// assert_eq!(format!("{key:?}"), "PrivateKey(<redacted>)");
/// assert_eq!(*key.secret_bytes(), [7; 32]);
/// # Ok::<(), pyrin_tx::sign::SignError>(())
/// ```
///
/// It is not `Copy`:
///
/// ```compile_fail
/// fn copy<T: Copy>() {}
/// copy::<pyrin_tx::sign::PrivateKey>();
/// ```
#[derive(Clone)]
pub struct PrivateKey {
    secret: SecretKey,
    keypair: Keypair,
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PrivateKey(<redacted>)")
    }
}

impl Drop for PrivateKey {
    fn drop(&mut self) {
        self.secret.non_secure_erase();
        self.keypair.non_secure_erase();
    }
}

impl zeroize::ZeroizeOnDrop for PrivateKey {}

impl PrivateKey {
    /// A key from 32 secret bytes (a big-endian scalar in `[1, n)`).
    ///
    /// # Errors
    /// [`SignError::InvalidSecretKey`] when the bytes are zero or not below the curve order.
    pub fn from_bytes(bytes: [u8; 32]) -> Result<Self, SignError> {
        let bytes = Zeroizing::new(bytes);
        let secret = SecretKey::from_slice(bytes.as_slice()).map_err(|_| SignError::InvalidSecretKey)?;
        let keypair = Keypair::from_secret_key(&Secp256k1::signing_only(), &secret);
        Ok(Self { secret, keypair })
    }

    /// The x-only Schnorr public key (an address of version 0 carries it).
    pub fn schnorr_public_key(&self) -> [u8; 32] {
        self.keypair.x_only_public_key().0.serialize()
    }

    /// The compressed ECDSA public key (an address of version 1 carries it).
    pub fn ecdsa_public_key(&self) -> [u8; 33] {
        self.keypair.public_key().serialize()
    }

    /// The 32 secret bytes, in a buffer that erases itself when dropped. Copying them out
    /// of it (`*bytes`) makes a copy nothing erases.
    pub fn secret_bytes(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.secret.secret_bytes())
    }
}

/// Why signing or verification failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    /// The secret bytes are not a valid scalar.
    #[error("invalid secret key")]
    InvalidSecretKey,
    /// The signature hash could not be computed.
    #[error(transparent)]
    Sighash(#[from] SighashError),
    /// The signature script is not a P2PK spend.
    #[error("input {input}: {source}")]
    SignatureScript {
        /// The input.
        input: usize,
        /// What was wrong.
        source: SignatureScriptError,
    },
    /// The spent output is not a P2PK script.
    #[error("input {0} spends a script this crate does not verify (only P2PK Schnorr and ECDSA)")]
    UnsupportedScript(usize),
    /// The public key in the spent script is not a valid curve point.
    #[error("input {0}: invalid public key in the spent script")]
    InvalidPublicKey(usize),
    /// The signature does not verify.
    #[error("input {0}: invalid signature")]
    InvalidSignature(usize),
    /// A public key given on its own (not from a transaction input) is not a valid curve
    /// point or x coordinate.
    #[error("invalid public key")]
    MalformedPublicKey,
    /// The input declares a signature-operation count other than the one its spend
    /// performs (1 for a P2PK spend); the network rejects such a transaction.
    #[error("input {input}: declares {declared} signature operations, the spend performs {expected}")]
    WrongSigOpCount {
        /// The input.
        input: usize,
        /// The count the input declares.
        declared: u8,
        /// The count its spend performs.
        expected: u8,
    },
    /// The key does not own the spent output: its public key is not the one in the
    /// P2PK script (so the signature would never verify).
    #[error("input {0}: the signing key does not match the spent script's public key")]
    KeyMismatch(usize),
}

/// A BIP-340 Schnorr signature of a 32-byte digest with 32 bytes of auxiliary randomness.
pub fn schnorr_sign_digest(key: &PrivateKey, digest: &[u8; 32], aux_rand: &[u8; 32]) -> [u8; 64] {
    Secp256k1::signing_only()
        .sign_schnorr_with_aux_rand(&Message::from_digest(*digest), &key.keypair, aux_rand)
        .serialize()
}

/// Verifies a BIP-340 Schnorr signature of a 32-byte digest under an x-only public key.
/// `Ok(false)` for a signature that does not verify; an error for a key that is not a
/// valid x coordinate.
pub fn schnorr_verify_digest(
    public_key: &[u8; 32],
    digest: &[u8; 32],
    signature: &[u8; 64],
) -> Result<bool, SignError> {
    let key = XOnlyPublicKey::from_slice(public_key).map_err(|_| SignError::MalformedPublicKey)?;
    let Ok(sig) = schnorr::Signature::from_slice(signature) else { return Ok(false) };
    Ok(Secp256k1::verification_only().verify_schnorr(&sig, &Message::from_digest(*digest), &key).is_ok())
}

/// An ECDSA signature (RFC 6979 nonce, low S) of a 32-byte digest, in the 64-byte compact
/// form a P2PK signature script carries.
pub fn ecdsa_sign_digest(key: &PrivateKey, digest: &[u8; 32]) -> [u8; 64] {
    Secp256k1::signing_only().sign_ecdsa(&Message::from_digest(*digest), &key.secret).serialize_compact()
}

/// Verifies a compact ECDSA signature of a 32-byte digest under a compressed public key.
/// `Ok(false)` for a signature that does not verify (including a high-S one, which the
/// network refuses); an error for a key that is not a valid curve point.
pub fn ecdsa_verify_digest(public_key: &[u8; 33], digest: &[u8; 32], signature: &[u8; 64]) -> Result<bool, SignError> {
    let key = PublicKey::from_slice(public_key).map_err(|_| SignError::MalformedPublicKey)?;
    let Ok(sig) = ecdsa::Signature::from_compact(signature) else { return Ok(false) };
    Ok(Secp256k1::verification_only().verify_ecdsa(&Message::from_digest(*digest), &sig, &key).is_ok())
}

/// Signs input `index` of `cache`'s transaction with Schnorr (BIP-340 with the given 32
/// bytes of auxiliary randomness) and returns its signature script.
pub fn sign_schnorr_input(
    cache: &SighashCache<'_>,
    index: usize,
    key: &PrivateKey,
    ty: SigHashType,
    aux_rand: [u8; 32],
) -> Result<Vec<u8>, SignError> {
    let hash = cache.schnorr_hash(index, ty)?;
    let sig = schnorr_sign_digest(key, hash.as_bytes(), &aux_rand);
    Ok(script::p2pk_signature_script(&sig, ty.to_u8()))
}

/// Signs input `index` with ECDSA (RFC 6979 nonces) and returns its signature script.
pub fn sign_ecdsa_input(
    cache: &SighashCache<'_>,
    index: usize,
    key: &PrivateKey,
    ty: SigHashType,
) -> Result<Vec<u8>, SignError> {
    let hash = cache.ecdsa_hash(index, ty)?;
    let sig = ecdsa_sign_digest(key, hash.as_bytes());
    Ok(script::p2pk_signature_script(&sig, ty.to_u8()))
}

/// Signs every input of `tx` with `key` (Schnorr or ECDSA by the spent script's kind) and
/// writes the signature scripts; `entries[i]` is the output input `i` spends.
///
/// Every spent output must be a P2PK script of `key` itself: anything else
/// ([`SignError::UnsupportedScript`], [`SignError::KeyMismatch`]) is refused before any
/// signature script is written, so a failed call leaves `tx` unchanged.
///
/// ```
/// use pyrin_core::{ScriptPublicKey, Transaction, TransactionInput, TransactionOutpoint, TransactionOutput, ZERO_HASH};
/// use pyrin_tx::{address::{Address, Prefix, Version}, script::pay_to_address, sign::{sign_transaction, verify_transaction, PrivateKey}, sighash::SigHashType, UtxoEntry};
///
/// let key = PrivateKey::from_bytes([7; 32])?;
/// let mine = Address::new(Prefix::Mainnet, Version::PubKey, key.schnorr_public_key().to_vec()).unwrap();
/// let entries = vec![UtxoEntry { amount: 1_000, script_public_key: pay_to_address(&mine), block_daa_score: 1, is_coinbase: false }];
/// let mut tx = Transaction {
///     inputs: vec![TransactionInput { previous_outpoint: TransactionOutpoint::new(ZERO_HASH, 0), signature_script: vec![], sequence: 0, sig_op_count: 1 }],
///     outputs: vec![TransactionOutput { value: 900, script_public_key: pay_to_address(&mine) }],
///     ..Transaction::default()
/// };
/// sign_transaction(&mut tx, &entries, &key, SigHashType::ALL)?;
/// verify_transaction(&tx, &entries)?;
/// # Ok::<(), pyrin_tx::sign::SignError>(())
/// ```
pub fn sign_transaction(
    tx: &mut Transaction,
    entries: &[UtxoEntry],
    key: &PrivateKey,
    ty: SigHashType,
) -> Result<(), SignError> {
    let scripts = {
        let cache = SighashCache::new(tx, entries)?;
        (0..tx.inputs.len())
            .map(|i| match script::classify(&entries[i].script_public_key) {
                ScriptClass::PubKeyEcdsa(owner) if owner == key.ecdsa_public_key() => {
                    sign_ecdsa_input(&cache, i, key, ty)
                }
                ScriptClass::PubKey(owner) if owner == key.schnorr_public_key() => {
                    // Deterministic aux randomness from the sighash keeps signing reproducible.
                    let aux = cache.schnorr_hash(i, ty)?.to_bytes();
                    sign_schnorr_input(&cache, i, key, ty, aux)
                }
                ScriptClass::PubKey(_) | ScriptClass::PubKeyEcdsa(_) => Err(SignError::KeyMismatch(i)),
                ScriptClass::ScriptHash(_) | ScriptClass::NonStandard => Err(SignError::UnsupportedScript(i)),
            })
            .collect::<Result<Vec<_>, _>>()?
    };
    for (input, script) in tx.inputs.iter_mut().zip(scripts) {
        input.signature_script = script;
    }
    Ok(())
}

/// Verifies input `index`: its signature script must be a P2PK spend whose signature, over
/// the sighash of the type it names, verifies against the key of the spent script, and
/// the input must declare exactly the one signature operation that spend performs (the
/// node's sig-op count check).
pub fn verify_input(cache: &SighashCache<'_>, index: usize) -> Result<(), SignError> {
    /// A P2PK spend runs one OP_CHECKSIG.
    const P2PK_SIG_OPS: u8 = 1;
    let tx = cache.transaction();
    let input = tx.inputs.get(index).ok_or(SighashError::InputIndexOutOfRange { index, inputs: tx.inputs.len() })?;
    let class = script::classify(&cache.entries()[index].script_public_key);
    if matches!(class, ScriptClass::ScriptHash(_) | ScriptClass::NonStandard) {
        return Err(SignError::UnsupportedScript(index));
    }
    if input.sig_op_count != P2PK_SIG_OPS {
        return Err(SignError::WrongSigOpCount { input: index, declared: input.sig_op_count, expected: P2PK_SIG_OPS });
    }
    let (signature, ty) = script::parse_p2pk_signature_script(&input.signature_script)
        .map_err(|source| SignError::SignatureScript { input: index, source })?;
    let ty = SigHashType::from_u8(ty)?;
    let secp = Secp256k1::verification_only();
    match class {
        ScriptClass::PubKey(key) => {
            let key = XOnlyPublicKey::from_slice(&key).map_err(|_| SignError::InvalidPublicKey(index))?;
            let sig = schnorr::Signature::from_slice(&signature).map_err(|_| SignError::InvalidSignature(index))?;
            let msg = Message::from_digest(cache.schnorr_hash(index, ty)?.to_bytes());
            secp.verify_schnorr(&sig, &msg, &key).map_err(|_| SignError::InvalidSignature(index))
        }
        ScriptClass::PubKeyEcdsa(key) => {
            let key = PublicKey::from_slice(&key).map_err(|_| SignError::InvalidPublicKey(index))?;
            let sig = ecdsa::Signature::from_compact(&signature).map_err(|_| SignError::InvalidSignature(index))?;
            let msg = Message::from_digest(cache.ecdsa_hash(index, ty)?.to_bytes());
            secp.verify_ecdsa(&msg, &sig, &key).map_err(|_| SignError::InvalidSignature(index))
        }
        ScriptClass::ScriptHash(_) | ScriptClass::NonStandard => Err(SignError::UnsupportedScript(index)),
    }
}

/// Verifies every input of `tx` (standard P2PK spends only) against `entries`, in order;
/// the first failure is returned.
pub fn verify_transaction(tx: &Transaction, entries: &[UtxoEntry]) -> Result<(), SignError> {
    let cache = SighashCache::new(tx, entries)?;
    (0..tx.inputs.len()).try_for_each(|i| verify_input(&cache, i))
}

/// [`verify_transaction`] on all rayon threads: the inputs are cut into one run per
/// thread, each with its own sighash cache (so the whole-transaction hashes are computed
/// once per run, keeping the cost linear). Which failure is reported when several inputs
/// fail is not specified.
#[cfg(feature = "rayon")]
pub fn par_verify_transaction(tx: &Transaction, entries: &[UtxoEntry]) -> Result<(), SignError> {
    use rayon::prelude::*;
    SighashCache::new(tx, entries)?;
    let n = tx.inputs.len();
    let runs = rayon::current_num_threads().max(1) * 4;
    let per_run = n.div_ceil(runs).max(1);
    (0..n).step_by(per_run).collect::<Vec<_>>().into_par_iter().try_for_each(|start| {
        let cache = SighashCache::new(tx, entries)?;
        (start..(start + per_run).min(n)).try_for_each(|i| verify_input(&cache, i))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    #[test]
    fn a_key_never_prints_its_secret() {
        let key = PrivateKey::from_bytes([0xab; 32]).unwrap();
        let printed = format!("{key:?} {:#?}", key.clone());
        assert!(!printed.to_lowercase().contains("abab"), "{printed}");
        assert_eq!(printed, "PrivateKey(<redacted>) PrivateKey(<redacted>)");
    }

    #[test]
    fn secret_bytes_round_trip_and_erase_themselves() {
        fn erased_on_drop<T: zeroize::ZeroizeOnDrop>(_: &T) {}
        let key = PrivateKey::from_bytes([0x42; 32]).unwrap();
        let bytes = key.secret_bytes();
        erased_on_drop(&bytes);
        erased_on_drop(&key);
        assert_eq!(*bytes, [0x42; 32]);
        let again = PrivateKey::from_bytes(*bytes).unwrap();
        assert_eq!(again.schnorr_public_key(), key.schnorr_public_key());
    }

    #[test]
    fn scalars_outside_the_group_are_not_keys() {
        assert_eq!(PrivateKey::from_bytes([0; 32]).err(), Some(SignError::InvalidSecretKey));
        assert_eq!(PrivateKey::from_bytes([0xff; 32]).err(), Some(SignError::InvalidSecretKey));
    }
}
