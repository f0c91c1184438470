//! Signing P2PK inputs with secp256k1: Schnorr (BIP-340, x-only keys) and ECDSA (compact
//! 64-byte signatures, low-S as libsecp256k1 produces and requires); verifying any input
//! through the script engine ([`verify_transaction`], with an optional signature cache).
//!
//! # Signing a transaction
//! [`sign_transaction`] signs every input of a transaction with the keys of a [`KeyRing`]:
//! one [`PrivateKey`], a slice, array or `Vec` of them, or a key store of your own. Each
//! input must spend a P2PK output (Schnorr or ECDSA) of one of those keys and declare
//! **`sig_op_count = 1`**, the one `OP_CHECKSIG` its spend runs:
//!
//! ```text
//! TransactionInput { previous_outpoint, signature_script: vec![], sequence: 0, sig_op_count: 1 }
//! ```
//!
//! `TransactionInput::default()` declares 0, which the network refuses
//! ([`SignError::WrongSigOpCount`], from signing and from verifying alike). The count is
//! part of what the signature commits to and of the mass the fee pays for, so set it when
//! the input is built, before estimating the mass or signing.
//!
//! # Randomness
//! Every signing function takes a [`Randomness`]: where the 32 bytes of BIP-340 auxiliary
//! randomness of each Schnorr signature and the seed that blinds the signing context come
//! from. See its documentation for what to pass; in short, `Randomness::System` (with
//! the `rand` feature) in a wallet, [`Randomness::Fixed`] where signatures must be
//! reproducible.
//!
//! *Context blinding* is libsecp256k1's defence against side channels: the signing context
//! is randomised (`secp256k1_context_randomize`) so the secret-dependent multiplications it
//! performs do not run on values an observer can predict. Blinding never changes a
//! signature. Where the blinding seed comes from:
//!
//! - `Randomness::System`, and [`Randomness::Fixed`] when the `rand` feature is on: the
//!   operating system's generator. With `std` one context is blinded once per process and
//!   shared by every later call (as rust-secp256k1's global context is), so signing costs
//!   what raw libsecp256k1 signing costs; without `std`, each call blinds a fresh context.
//! - [`Randomness::Generator`]: the caller's generator, 32 bytes per signing call, each
//!   call blinding a fresh context (about one more signature's work per call, which
//!   [`sign_transaction`] pays once for all its inputs). Pass it to re-blind every call.
//! - [`Randomness::Fixed`] without `rand`: there is no randomness source, and public bytes
//!   would blind nothing, so the context is left as libsecp256k1 makes it.
//!
//! [`PrivateKey::from_bytes`] computes the public key in the operating-system-blinded
//! context when there is one.
//!
//! # Reference behaviour followed
//! The signature scripts are those of the reference wallet (`OP_DATA_65`, the 64-byte
//! signature, the sighash type byte), ECDSA nonces are RFC 6979 as in libsecp256k1, and
//! Schnorr signing takes fresh auxiliary randomness per signature as the reference does
//! (with `Randomness::System`).

use alloc::vec::Vec;
use core::fmt;

use pyrin_core::{ScriptPublicKey, Transaction};
use secp256k1::{
    ecdsa, schnorr, Keypair, Message, PublicKey, Secp256k1, SecretKey, SignOnly, VerifyOnly, XOnlyPublicKey,
};
use zeroize::Zeroizing;

use crate::{
    address::{Address, Prefix},
    engine::{self, Engine, ScriptError, SignatureCache},
    script::{self, ScriptClass},
    sighash::{SigHashType, SighashCache, SighashError},
    UtxoEntry,
};

/// A P2PK spend runs one `OP_CHECKSIG` (or `OP_CHECKSIGECDSA`), so its input declares one
/// signature operation.
const P2PK_SIG_OPS: u8 = 1;

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
    /// A key from 32 secret bytes (a big-endian scalar in `[1, n)`). With the `rand`
    /// feature the public key is computed in a context blinded from the operating system's
    /// generator (left unblinded should that generator fail; the key is the same either way).
    ///
    /// # Errors
    /// [`SignError::InvalidSecretKey`] when the bytes are zero or not below the curve order.
    pub fn from_bytes(bytes: [u8; 32]) -> Result<Self, SignError> {
        let bytes = Zeroizing::new(bytes);
        let secret = SecretKey::from_slice(bytes.as_slice()).map_err(|_| SignError::InvalidSecretKey)?;
        let keypair = Keypair::from_secret_key(&key_context(), &secret);
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

    /// The pay-to-Schnorr-key address of this key on the network of `prefix` (accepts a
    /// [`Prefix`] or, through `From`, a [`Network`](pyrin_core::params::Network)).
    ///
    /// ```
    /// use pyrin_core::params::Network;
    /// use pyrin_tx::{address::Address, sign::PrivateKey};
    ///
    /// let key = PrivateKey::from_bytes([0x17; 32])?;
    /// let address = key.schnorr_address(Network::Mainnet);
    /// assert_eq!(address, Address::p2pk_schnorr(Network::Mainnet.into(), &key.schnorr_public_key()));
    /// assert!(address.to_string().starts_with("pyrin:q"));
    /// assert!(key.ecdsa_address(Network::Testnet10).to_string().starts_with("pyrintest:q"));
    /// # Ok::<(), pyrin_tx::sign::SignError>(())
    /// ```
    pub fn schnorr_address(&self, prefix: impl Into<Prefix>) -> Address {
        Address::p2pk_schnorr(prefix.into(), &self.schnorr_public_key())
    }

    /// The pay-to-ECDSA-key address of this key on the network of `prefix`.
    pub fn ecdsa_address(&self, prefix: impl Into<Prefix>) -> Address {
        Address::p2pk_ecdsa(prefix.into(), &self.ecdsa_public_key())
    }

    /// Whether this key can sign a spend of `script_public_key`: a P2PK script (Schnorr or
    /// ECDSA) of one of its public keys.
    pub fn owns(&self, script_public_key: &ScriptPublicKey) -> bool {
        match script::classify(script_public_key) {
            ScriptClass::PubKey(owner) => owner == self.schnorr_public_key(),
            ScriptClass::PubKeyEcdsa(owner) => owner == self.ecdsa_public_key(),
            ScriptClass::ScriptHash(_) | ScriptClass::NonStandard => false,
        }
    }

    /// The 32 secret bytes, in a buffer that erases itself when dropped. Copying them out
    /// of it (`*bytes`) makes a copy nothing erases.
    pub fn secret_bytes(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.secret.secret_bytes())
    }
}

/// The keys a signer holds, found by the script public key of the output an input spends.
///
/// Implemented for one [`PrivateKey`], for slices, arrays and `Vec`s of them (the first key
/// that [owns](PrivateKey::owns) the script), and for references to any of these.
/// Implement it for a key store of your own (an HD wallet's derived keys, say); whatever
/// key it returns, [`sign_transaction`] checks that the key owns the script before signing.
///
/// ```
/// use pyrin_core::ScriptPublicKey;
/// use pyrin_tx::sign::{KeyRing, PrivateKey};
///
/// /// Keys kept beside the scripts they own.
/// struct Wallet(Vec<(ScriptPublicKey, PrivateKey)>);
///
/// impl KeyRing for Wallet {
///     fn key_for(&self, spent: &ScriptPublicKey) -> Option<&PrivateKey> {
///         self.0.iter().find(|(script, _)| script == spent).map(|(_, key)| key)
///     }
/// }
/// ```
pub trait KeyRing {
    /// The key that can sign a spend of `spent`, if this ring holds one.
    fn key_for(&self, spent: &ScriptPublicKey) -> Option<&PrivateKey>;
}

impl KeyRing for PrivateKey {
    fn key_for(&self, spent: &ScriptPublicKey) -> Option<&PrivateKey> {
        self.owns(spent).then_some(self)
    }
}

impl KeyRing for [PrivateKey] {
    fn key_for(&self, spent: &ScriptPublicKey) -> Option<&PrivateKey> {
        self.iter().find(|key| key.owns(spent))
    }
}

impl<const N: usize> KeyRing for [PrivateKey; N] {
    fn key_for(&self, spent: &ScriptPublicKey) -> Option<&PrivateKey> {
        self.as_slice().key_for(spent)
    }
}

impl KeyRing for Vec<PrivateKey> {
    fn key_for(&self, spent: &ScriptPublicKey) -> Option<&PrivateKey> {
        self.as_slice().key_for(spent)
    }
}

impl<K: KeyRing + ?Sized> KeyRing for &K {
    fn key_for(&self, spent: &ScriptPublicKey) -> Option<&PrivateKey> {
        (**self).key_for(spent)
    }
}

/// Where a signer's randomness comes from: the 32 bytes of BIP-340 auxiliary randomness
/// mixed into each Schnorr nonce, and the seed that blinds the signing context (see the
/// [module documentation](self)).
///
/// BIP-340 derives a signature's nonce from the secret key, the message and these 32
/// auxiliary bytes, so a nonce never repeats for two messages whatever the bytes are:
/// any choice below gives valid, secure signatures. What the choice decides:
///
/// - **Fresh secret bytes for every signature** (`System`, or a
///   [`Generator`](Self::Generator) backed by a cryptographically secure generator) make
///   every nonce computation run on values no one else knows or can make repeat, which is
///   BIP-340's recommendation and its protection against side-channel and fault attacks on
///   the signing device. A wallet should pass this.
/// - **The same bytes every time** ([`Fixed`](Self::Fixed)) make signing deterministic:
///   the same key, sighash and bytes always give the same signature. Use it for test
///   vectors, reproducible simulations, or where no randomness exists at all (all zeros is
///   then as good as any other constant). Public data such as the sighash itself adds
///   nothing over a constant.
///
/// ECDSA signatures take their nonces from RFC 6979 (deterministic: libsecp256k1's
/// `sign_ecdsa`, as the reference signs ECDSA); for them the randomness only seeds the
/// context blinding.
///
/// ```
/// use pyrin_tx::sign::{schnorr_sign_digest, PrivateKey, Randomness};
///
/// let key = PrivateKey::from_bytes([3; 32])?;
/// // Reproducible: the same bytes give the same signature.
/// let a = schnorr_sign_digest(&key, &[9; 32], Randomness::Fixed([0; 32]))?;
/// assert_eq!(a, schnorr_sign_digest(&key, &[9; 32], Randomness::Fixed([0; 32]))?);
/// // A generator of your own (here a counter, for the example only: use a real CSPRNG).
/// let mut counter = 0u8;
/// let mut next = || { counter += 1; [counter; 32] };
/// let b = schnorr_sign_digest(&key, &[9; 32], Randomness::Generator(&mut next))?;
/// assert_ne!(a, b);
/// # Ok::<(), pyrin_tx::sign::SignError>(())
/// ```
#[non_exhaustive]
pub enum Randomness<'a> {
    /// 32 fresh bytes from the operating system's generator (`getrandom`) for each
    /// signature; the context is blinded from the same generator (once per process with
    /// `std`, see the [module documentation](self)). Signing fails with
    /// [`SignError::Randomness`] if the generator does.
    #[cfg(feature = "rand")]
    #[cfg_attr(docsrs, doc(cfg(feature = "rand")))]
    System,
    /// 32 bytes from the caller's generator for each Schnorr signature, and 32 more to
    /// blind a fresh context for each signing call. For `no_std` targets with a generator
    /// of their own; it must be cryptographically secure for the protection to hold.
    Generator(&'a mut dyn FnMut() -> [u8; 32]),
    /// These 32 bytes as the auxiliary randomness of every Schnorr signature: signing is
    /// deterministic.
    Fixed([u8; 32]),
}

impl fmt::Debug for Randomness<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            #[cfg(feature = "rand")]
            Randomness::System => f.write_str("System"),
            Randomness::Generator(_) => f.write_str("Generator(..)"),
            Randomness::Fixed(_) => f.write_str("Fixed(..)"),
        }
    }
}

impl Randomness<'_> {
    /// The auxiliary randomness of the next Schnorr signature.
    fn aux(&mut self) -> Result<[u8; 32], SignError> {
        match self {
            #[cfg(feature = "rand")]
            Randomness::System => system_bytes().ok_or(SignError::Randomness),
            Randomness::Generator(next) => Ok(next()),
            Randomness::Fixed(bytes) => Ok(*bytes),
        }
    }

    /// The signing context for a call: the process's shared context blinded once from the
    /// operating system (with `std` and `rand`), a fresh one blinded from the caller's
    /// generator, or, with no randomness source at all, an unblinded one.
    fn context(&mut self) -> Result<Context, SignError> {
        match self {
            #[cfg(feature = "rand")]
            Randomness::System => os_blinded_context().ok_or(SignError::Randomness),
            Randomness::Generator(next) => Ok(Context::blinded(next())),
            // Fixed bytes are no secret to blind with: the operating system's generator
            // blinds when there is one, else the context stays as libsecp256k1 makes it.
            Randomness::Fixed(_) => {
                Ok(os_blinded_context().unwrap_or_else(|| Context::Owned(Secp256k1::signing_only())))
            }
        }
    }
}

/// A signing context: shared by the whole process, or made for one call.
enum Context {
    /// Blinded once per process from the operating system's generator.
    #[cfg(all(feature = "std", feature = "rand"))]
    Shared(&'static Secp256k1<SignOnly>),
    /// Made (and, when a seed was given, blinded) for this call.
    Owned(Secp256k1<SignOnly>),
}

impl Context {
    /// A fresh context blinded with `seed`.
    fn blinded(seed: [u8; 32]) -> Self {
        let seed = Zeroizing::new(seed);
        let mut secp = Secp256k1::signing_only();
        secp.seeded_randomize(&seed);
        Context::Owned(secp)
    }
}

impl core::ops::Deref for Context {
    type Target = Secp256k1<SignOnly>;

    fn deref(&self) -> &Self::Target {
        match self {
            #[cfg(all(feature = "std", feature = "rand"))]
            Context::Shared(secp) => secp,
            Context::Owned(secp) => secp,
        }
    }
}

/// A context blinded from the operating system's generator, or `None` without one (or
/// when it fails). With `std` the context is made and blinded once per process and then
/// shared, as rust-secp256k1's global context is, so signing pays for blinding once; a
/// caller who wants a fresh blinding per call passes a [`Randomness::Generator`].
fn os_blinded_context() -> Option<Context> {
    #[cfg(all(feature = "std", feature = "rand"))]
    {
        static SHARED: std::sync::OnceLock<Secp256k1<SignOnly>> = std::sync::OnceLock::new();
        if let Some(secp) = SHARED.get() {
            return Some(Context::Shared(secp));
        }
        let Context::Owned(secp) = Context::blinded(system_bytes()?) else { return None };
        Some(Context::Shared(SHARED.get_or_init(|| secp)))
    }
    #[cfg(all(not(feature = "std"), feature = "rand"))]
    {
        system_bytes().map(Context::blinded)
    }
    #[cfg(not(feature = "rand"))]
    {
        None
    }
}

/// 32 bytes from the operating system's generator, or `None` if it fails.
#[cfg(feature = "rand")]
fn system_bytes() -> Option<[u8; 32]> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).ok()?;
    Some(bytes)
}

/// The context a key's public key is computed in: blinded from the operating system's
/// generator when there is one.
fn key_context() -> Context {
    os_blinded_context().unwrap_or_else(|| Context::Owned(Secp256k1::signing_only()))
}

/// Why signing or verification failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// The secret bytes are not a valid scalar.
    #[error("invalid secret key")]
    InvalidSecretKey,
    /// The signature hash could not be computed.
    #[error(transparent)]
    Sighash(#[from] SighashError),
    /// The spent output is not a P2PK script (signing only: [`verify_input`] runs any
    /// script).
    #[error("input {0} spends a script this crate does not sign (only P2PK Schnorr and ECDSA)")]
    UnsupportedScript(usize),
    /// The input's scripts fail.
    #[error("input {input}: {source}")]
    Script {
        /// The input.
        input: usize,
        /// Why its scripts fail.
        source: ScriptError,
    },
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
        /// The count its scripts perform ([`engine::sig_op_count`]).
        expected: u64,
    },
    /// No key given owns the output the input spends (no key's public key is the one in
    /// its P2PK script), so no signature of ours would verify.
    #[error("input {0}: no key given owns the output it spends")]
    MissingKey(usize),
    /// The operating system's random generator failed.
    #[error("the operating system's random generator failed")]
    Randomness,
}

/// A BIP-340 Schnorr signature of a 32-byte digest, its auxiliary randomness from
/// `randomness` (with [`Randomness::Fixed`] this is BIP-340's `Sign(sk, m, a)` exactly).
///
/// # Errors
/// [`SignError::Randomness`] if the operating system's generator fails
/// (`Randomness::System` only).
pub fn schnorr_sign_digest(
    key: &PrivateKey,
    digest: &[u8; 32],
    mut randomness: Randomness<'_>,
) -> Result<[u8; 64], SignError> {
    let secp = randomness.context()?;
    schnorr_sign_with(&secp, key, digest, &mut randomness)
}

fn schnorr_sign_with(
    secp: &Secp256k1<SignOnly>,
    key: &PrivateKey,
    digest: &[u8; 32],
    randomness: &mut Randomness<'_>,
) -> Result<[u8; 64], SignError> {
    let aux = Zeroizing::new(randomness.aux()?);
    Ok(secp.sign_schnorr_with_aux_rand(&Message::from_digest(*digest), &key.keypair, &aux).serialize())
}

/// Verifies a BIP-340 Schnorr signature of a 32-byte digest under an x-only public key.
/// `Ok(false)` for a signature that does not verify.
///
/// # Errors
/// [`SignError::MalformedPublicKey`] for a key that is not a valid x coordinate.
pub fn schnorr_verify_digest(
    public_key: &[u8; 32],
    digest: &[u8; 32],
    signature: &[u8; 64],
) -> Result<bool, SignError> {
    let key = XOnlyPublicKey::from_slice(public_key).map_err(|_| SignError::MalformedPublicKey)?;
    Ok(schnorr_verify_parsed(&key, digest, signature))
}

/// [`schnorr_verify_digest`] under a key already parsed.
pub(crate) fn schnorr_verify_parsed(key: &XOnlyPublicKey, digest: &[u8; 32], signature: &[u8; 64]) -> bool {
    let Ok(sig) = schnorr::Signature::from_slice(signature) else { return false };
    with_verifier(|secp| secp.verify_schnorr(&sig, &Message::from_digest(*digest), key).is_ok())
}

/// An ECDSA signature (RFC 6979 nonce, low S) of a 32-byte digest, in the 64-byte compact
/// form a P2PK signature script carries. Deterministic: `randomness` only blinds the
/// signing context.
///
/// # Errors
/// [`SignError::Randomness`] if the operating system's generator fails
/// (`Randomness::System` only).
pub fn ecdsa_sign_digest(
    key: &PrivateKey,
    digest: &[u8; 32],
    mut randomness: Randomness<'_>,
) -> Result<[u8; 64], SignError> {
    Ok(ecdsa_sign_with(&*randomness.context()?, key, digest))
}

fn ecdsa_sign_with(secp: &Secp256k1<SignOnly>, key: &PrivateKey, digest: &[u8; 32]) -> [u8; 64] {
    secp.sign_ecdsa(&Message::from_digest(*digest), &key.secret).serialize_compact()
}

/// Verifies a compact ECDSA signature of a 32-byte digest under a compressed public key.
/// `Ok(false)` for a signature that does not verify (including a high-S one, which the
/// network refuses).
///
/// # Errors
/// [`SignError::MalformedPublicKey`] for a key that is not a valid curve point.
pub fn ecdsa_verify_digest(public_key: &[u8; 33], digest: &[u8; 32], signature: &[u8; 64]) -> Result<bool, SignError> {
    let key = PublicKey::from_slice(public_key).map_err(|_| SignError::MalformedPublicKey)?;
    let Ok(sig) = ecdsa::Signature::from_compact(signature) else { return Ok(false) };
    Ok(with_verifier(|secp| secp.verify_ecdsa(&Message::from_digest(*digest), &sig, &key).is_ok()))
}

/// Runs `f` with a verification context: with `std` one context made once per process and
/// shared (verification uses no secret, so there is nothing to blind), without it a fresh
/// one per call (a small allocation).
fn with_verifier<R>(f: impl FnOnce(&Secp256k1<VerifyOnly>) -> R) -> R {
    #[cfg(feature = "std")]
    {
        static SHARED: std::sync::OnceLock<Secp256k1<VerifyOnly>> = std::sync::OnceLock::new();
        f(SHARED.get_or_init(Secp256k1::verification_only))
    }
    #[cfg(not(feature = "std"))]
    {
        f(&Secp256k1::verification_only())
    }
}

/// Checks that input `index` exists and declares the one signature operation a P2PK
/// spend performs.
fn check_p2pk_sig_ops(cache: &SighashCache<'_>, index: usize) -> Result<(), SignError> {
    let inputs = &cache.transaction().inputs;
    let input = inputs.get(index).ok_or(SighashError::InputIndexOutOfRange { index, inputs: inputs.len() })?;
    if input.sig_op_count != P2PK_SIG_OPS {
        return Err(SignError::WrongSigOpCount {
            input: index,
            declared: input.sig_op_count,
            expected: u64::from(P2PK_SIG_OPS),
        });
    }
    Ok(())
}

/// Signs input `index` of `cache`'s transaction with Schnorr and returns its P2PK
/// signature script. The key is not checked against the spent script
/// ([`sign_transaction`] does that).
///
/// # Errors
/// [`SignError::Sighash`] for an index out of range, [`SignError::WrongSigOpCount`] when
/// the input does not declare `sig_op_count = 1`, [`SignError::Randomness`] if the
/// operating system's generator fails.
pub fn sign_schnorr_input(
    cache: &SighashCache<'_>,
    index: usize,
    key: &PrivateKey,
    ty: SigHashType,
    mut randomness: Randomness<'_>,
) -> Result<Vec<u8>, SignError> {
    check_p2pk_sig_ops(cache, index)?;
    let secp = randomness.context()?;
    let hash = cache.schnorr_hash(index, ty)?;
    let sig = schnorr_sign_with(&secp, key, hash.as_bytes(), &mut randomness)?;
    Ok(script::p2pk_signature_script(&sig, ty.to_u8()))
}

/// Signs input `index` with ECDSA (RFC 6979 nonces) and returns its P2PK signature
/// script. The key is not checked against the spent script ([`sign_transaction`] does
/// that).
///
/// # Errors
/// As [`sign_schnorr_input`].
pub fn sign_ecdsa_input(
    cache: &SighashCache<'_>,
    index: usize,
    key: &PrivateKey,
    ty: SigHashType,
    mut randomness: Randomness<'_>,
) -> Result<Vec<u8>, SignError> {
    check_p2pk_sig_ops(cache, index)?;
    let secp = randomness.context()?;
    let hash = cache.ecdsa_hash(index, ty)?;
    Ok(script::p2pk_signature_script(&ecdsa_sign_with(&secp, key, hash.as_bytes()), ty.to_u8()))
}

/// Signs every input of `tx` with the key of `keys` that owns the output it spends
/// (Schnorr or ECDSA by that output's script) and writes the signature scripts;
/// `entries[i]` is the output input `i` spends. The inputs may belong to different keys.
///
/// Every input is checked before anything is signed, so a failed call leaves `tx`
/// unchanged. The signatures commit to each input's `sig_op_count`, which must already be
/// 1 (see the [module documentation](self)).
///
/// # Errors
/// For the first input (in order) that cannot be signed:
/// [`SignError::UnsupportedScript`] when it spends anything but a P2PK script,
/// [`SignError::MissingKey`] when no key of `keys` owns that script,
/// [`SignError::WrongSigOpCount`] when it does not declare `sig_op_count = 1`; before
/// those, [`SignError::Sighash`] when `entries` are not one per input; and
/// [`SignError::Randomness`] if the operating system's generator fails.
///
/// ```
/// use pyrin_core::{Amount, Transaction, TransactionId, TransactionInput, TransactionOutpoint, TransactionOutput};
/// use pyrin_tx::{address::{Address, Prefix, Version}, script::pay_to_address, sighash::SigHashType, UtxoEntry};
/// use pyrin_tx::sign::{sign_transaction, verify_transaction, PrivateKey, Randomness};
///
/// let (alice, bob) = (PrivateKey::from_bytes([7; 32])?, PrivateKey::from_bytes([8; 32])?);
/// let owned_by = |key: &PrivateKey| {
///     let address = Address::new(Prefix::Mainnet, Version::PubKey, key.schnorr_public_key().to_vec()).unwrap();
///     UtxoEntry { amount: Amount::from_leor(1_000), script_public_key: pay_to_address(&address), block_daa_score: 1, is_coinbase: false }
/// };
/// let entries = vec![owned_by(&alice), owned_by(&bob)];
/// // `spending` declares sig_op_count = 1: one OP_CHECKSIG per P2PK spend.
/// let input = |index| TransactionInput::spending(TransactionOutpoint::new(TransactionId::ZERO, index));
/// let mut tx = Transaction {
///     inputs: vec![input(0), input(1)],
///     outputs: vec![TransactionOutput::new(Amount::from_leor(1_900), entries[0].script_public_key.clone())],
///     ..Transaction::default()
/// };
/// // `Randomness::System` in a wallet (feature `rand`); fixed bytes keep this example reproducible.
/// sign_transaction(&mut tx, &entries, &[alice, bob], SigHashType::ALL, Randomness::Fixed([0; 32]))?;
/// verify_transaction(&tx, &entries)?;
/// # Ok::<(), pyrin_tx::sign::SignError>(())
/// ```
pub fn sign_transaction<K: KeyRing + ?Sized>(
    tx: &mut Transaction,
    entries: &[UtxoEntry],
    keys: &K,
    ty: SigHashType,
    mut randomness: Randomness<'_>,
) -> Result<(), SignError> {
    let scripts = {
        let cache = SighashCache::new(tx, entries)?;
        let signers = entries
            .iter()
            .enumerate()
            .map(|(i, entry)| {
                let spent = &entry.script_public_key;
                let ecdsa = match script::classify(spent) {
                    ScriptClass::PubKey(_) => false,
                    ScriptClass::PubKeyEcdsa(_) => true,
                    ScriptClass::ScriptHash(_) | ScriptClass::NonStandard => {
                        return Err(SignError::UnsupportedScript(i))
                    }
                };
                let key = keys.key_for(spent).filter(|key| key.owns(spent)).ok_or(SignError::MissingKey(i))?;
                check_p2pk_sig_ops(&cache, i)?;
                Ok((key, ecdsa))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let secp = randomness.context()?;
        signers
            .into_iter()
            .enumerate()
            .map(|(i, (key, ecdsa))| {
                let sig = if ecdsa {
                    ecdsa_sign_with(&secp, key, cache.ecdsa_hash(i, ty)?.as_bytes())
                } else {
                    schnorr_sign_with(&secp, key, cache.schnorr_hash(i, ty)?.as_bytes(), &mut randomness)?
                };
                Ok(script::p2pk_signature_script(&sig, ty.to_u8()))
            })
            .collect::<Result<Vec<_>, SignError>>()?
    };
    for (input, script) in tx.inputs.iter_mut().zip(scripts) {
        input.signature_script = script;
    }
    Ok(())
}

/// Verifies input `index` as the network does: the input declares exactly the signature
/// operations its scripts perform ([`engine::sig_op_count`]), and the script engine runs
/// its signature script and the script public key it spends (and, for P2SH, the redeem
/// script) to a true result. Any script the network accepts verifies: P2PK Schnorr and
/// ECDSA, P2SH multisig, lock-time scripts, non-standard scripts.
///
/// # Errors
/// In the order checked: [`SignError::Sighash`] when there is no such input or entry,
/// [`SignError::WrongSigOpCount`], then [`SignError::Script`] with the engine's error.
pub fn verify_input(cache: &SighashCache<'_>, index: usize) -> Result<(), SignError> {
    verify_input_with(cache, index, None)
}

fn verify_input_with(
    cache: &SighashCache<'_>,
    index: usize,
    sig_cache: Option<&dyn SignatureCache>,
) -> Result<(), SignError> {
    let tx = cache.transaction();
    let inputs = tx.inputs.len();
    let input = tx.inputs.get(index).ok_or(SighashError::InputIndexOutOfRange { index, inputs })?;
    let entry = cache.entries().get(index).ok_or(SighashError::InputIndexOutOfRange { index, inputs })?;
    let expected = engine::sig_op_count(&input.signature_script, &entry.script_public_key.script);
    if u64::from(input.sig_op_count) != expected {
        return Err(SignError::WrongSigOpCount { input: index, declared: input.sig_op_count, expected });
    }
    let engine = Engine::new(cache, index).map_err(|source| SignError::Script { input: index, source })?;
    let engine = match sig_cache {
        Some(c) => engine.with_signature_cache(c),
        None => engine,
    };
    engine.execute().map_err(|source| SignError::Script { input: index, source })
}

/// Verifies every input of `tx` against `entries`, in order, as [`verify_input`] does.
///
/// # Errors
/// [`SignError::Sighash`] unless there is one entry per input; then the first input's
/// failure, as [`verify_input`] reports it.
pub fn verify_transaction(tx: &Transaction, entries: &[UtxoEntry]) -> Result<(), SignError> {
    let cache = SighashCache::new(tx, entries)?;
    (0..tx.inputs.len()).try_for_each(|i| verify_input_with(&cache, i, None))
}

/// [`verify_transaction`], consulting `sig_cache` before each signature check and recording
/// each result in it: a signature seen before (when the transaction entered the mempool,
/// say) costs a lookup instead of a verification.
///
/// ```
/// # #[cfg(feature = "std")] {
/// use pyrin_tx::engine::BoundedSignatureCache;
/// use pyrin_tx::sign::verify_transaction_with_cache;
/// # use pyrin_core::{Amount, Transaction, TransactionId, TransactionInput, TransactionOutpoint};
/// # use pyrin_tx::{script::pay_to_address, sighash::SigHashType, sign::*, UtxoEntry};
/// # let key = PrivateKey::from_bytes([3; 32]).unwrap();
/// # let spk = pay_to_address(&key.schnorr_address(pyrin_core::params::Network::Mainnet));
/// # let entries = [UtxoEntry { amount: Amount::from_leor(5), script_public_key: spk, block_daa_score: 0, is_coinbase: false }];
/// # let mut tx = Transaction { inputs: vec![TransactionInput::spending(TransactionOutpoint::new(TransactionId::ZERO, 0))], ..Transaction::default() };
/// # sign_transaction(&mut tx, &entries, &key, SigHashType::ALL, Randomness::Fixed([0; 32])).unwrap();
///
/// let cache = BoundedSignatureCache::new(100_000);
/// verify_transaction_with_cache(&tx, &entries, &cache)?; // verifies, and remembers
/// verify_transaction_with_cache(&tx, &entries, &cache)?; // a lookup
/// assert_eq!(cache.len(), 1);
/// # }
/// # Ok::<(), pyrin_tx::sign::SignError>(())
/// ```
///
/// # Errors
/// As [`verify_transaction`].
pub fn verify_transaction_with_cache(
    tx: &Transaction,
    entries: &[UtxoEntry],
    sig_cache: &dyn SignatureCache,
) -> Result<(), SignError> {
    let cache = SighashCache::new(tx, entries)?;
    (0..tx.inputs.len()).try_for_each(|i| verify_input_with(&cache, i, Some(sig_cache)))
}

/// [`verify_transaction`] on all rayon threads: the inputs are cut into one run per
/// thread, each with its own sighash cache (so the whole-transaction hashes are computed
/// once per run, keeping the cost linear).
///
/// # Errors
/// As [`verify_transaction`], except that which failure is reported when several inputs
/// fail is not specified.
#[cfg(feature = "rayon")]
#[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
pub fn par_verify_transaction(tx: &Transaction, entries: &[UtxoEntry]) -> Result<(), SignError> {
    par_verify(tx, entries, None)
}

/// [`par_verify_transaction`] with a signature cache, as [`verify_transaction_with_cache`].
///
/// # Errors
/// As [`par_verify_transaction`].
#[cfg(feature = "rayon")]
#[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
pub fn par_verify_transaction_with_cache(
    tx: &Transaction,
    entries: &[UtxoEntry],
    sig_cache: &(dyn SignatureCache + Sync),
) -> Result<(), SignError> {
    par_verify(tx, entries, Some(sig_cache))
}

#[cfg(feature = "rayon")]
fn par_verify(
    tx: &Transaction,
    entries: &[UtxoEntry],
    sig_cache: Option<&(dyn SignatureCache + Sync)>,
) -> Result<(), SignError> {
    use rayon::prelude::*;
    SighashCache::new(tx, entries)?;
    let n = tx.inputs.len();
    let runs = rayon::current_num_threads().max(1) * 4;
    let per_run = n.div_ceil(runs).max(1);
    (0..n).step_by(per_run).collect::<Vec<_>>().into_par_iter().try_for_each(|start| {
        let cache = SighashCache::new(tx, entries)?;
        let sig_cache = sig_cache.map(|c| c as &dyn SignatureCache);
        (start..(start + per_run).min(n)).try_for_each(|i| verify_input_with(&cache, i, sig_cache))
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
