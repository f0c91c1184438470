//! The MuHash UTXO commitment: a rolling multiplicative hash of a set, as a header's
//! `utxo_commitment` holds it.
//!
//! Each element (a UTXO, or any byte string) maps to a number modulo the prime
//! p = 2^3072 − 1103717; a set's value is the product of its elements' numbers. Adding an
//! element multiplies it in, removing one multiplies by its inverse, so the value depends
//! only on the set, never on the order of additions and removals, and two sets' values
//! combine by a single product. The commitment is a 32-byte hash of that value.
//!
//! ```
//! use pyrin_core::{Amount, ScriptPublicKey, TransactionId, TransactionOutpoint};
//! use pyrin_tx::muhash::{MuHash, EMPTY_COMMITMENT};
//! use pyrin_tx::UtxoEntry;
//!
//! let outpoint = TransactionOutpoint::new(TransactionId::from_bytes([7; 32]), 0);
//! let entry = UtxoEntry {
//!     amount: Amount::from_leor(5_000),
//!     script_public_key: ScriptPublicKey::new(0, vec![0x51]),
//!     block_daa_score: 10,
//!     is_coinbase: false,
//! };
//!
//! let mut set = MuHash::new();
//! assert_eq!(set.finalize(), EMPTY_COMMITMENT);
//! set.add_utxo(&outpoint, &entry);
//! let with_one = set.finalize();
//! set.remove_utxo(&outpoint, &entry);
//! assert_eq!(set.finalize(), EMPTY_COMMITMENT);
//!
//! // The 384-byte form keeps a running value, e.g. in a database.
//! let mut again = MuHash::deserialize(&MuHash::new().serialize())?;
//! again.add_utxo(&outpoint, &entry);
//! assert_eq!(again.finalize(), with_one);
//! # Ok::<(), pyrin_tx::muhash::MuHashError>(())
//! ```
//!
//! # Reference behaviour followed
//! `Pyrinpyi/pyrin`'s `crypto/muhash` (crate `kaspa-muhash`) and the UTXO serialization of
//! `consensus/core/src/muhash.rs`, byte for byte:
//! - An element's number: BLAKE2b with a 32-byte digest, *keyed* (BLAKE2b's key block, as
//!   `blake2b_simd::Params::key` does; not the personalization field) with the ASCII bytes
//!   `MuHashElement`, over the element's bytes; that digest seeds ChaCha20 (20 rounds, zero
//!   nonce, block counter from zero: the keystream `rand_chacha::ChaCha20Rng::from_seed`
//!   yields), and the first 384 keystream bytes, little-endian, are the number. It is used
//!   as it is, even in the negligible case that it is p or more.
//! - A set is a numerator (the product of the added elements) over a denominator (the
//!   product of the removed ones), both starting at 1. Removing an element never added is
//!   allowed: the value is then simply another field element.
//! - Serialization: the numerator times the inverse of the denominator, reduced below p, as
//!   384 little-endian bytes. A denominator of 0 (only reachable through a hash landing on
//!   a multiple of p) inverts to 0, as in the reference.
//! - Deserialization takes 384 little-endian bytes and refuses a number at or above p
//!   ([`MuHashError::NotBelowPrime`]); the numerator is that number, the denominator 1.
//! - The commitment: BLAKE2b-256 keyed with `MuHashFinalize` over the serialized form. The
//!   empty set's is [`EMPTY_COMMITMENT`].
//! - A UTXO's element bytes ([`write_utxo_element`]): transaction id (32 bytes) ‖ output
//!   index (u32 LE) ‖ DAA score (u64 LE) ‖ amount (u64 LE) ‖ coinbase flag (one byte, 0 or
//!   1) ‖ script version (u16 LE) ‖ script length (u64 LE) ‖ script.
//!
//! Where the reference's `serialize` and `finalize` take `&mut self` (they normalize the
//! value in place), ours take `&self`; [`MuHash::normalize`] does it explicitly, which saves
//! the inversion in later calls.
//!
//! # Implementation
//! - The 3072-bit product is two levels of Karatsuba over a 12-limb base case, reduced by
//!   the prime's special form (2^3072 ≡ 1103717). On x86-64 with BMI2 and ADX (detected at
//!   run time) the whole of it is assembly over `mulx` and the two carry chains of
//!   `adcx`/`adox` (`mulx.rs`); everywhere else it is safe Rust over a product-scanning base
//!   case. A schoolbook twin stays beside both and the tests hold them equal. (`crypto-bigint`'s
//!   `U3072`, constant-time and generic, measured about twice as slow for the product and
//!   over a hundred times slower for the inverse here; it stays a test-only cross-check.)
//! - BLAKE2b is our own small implementation (RFC 7693): the two keys are constants, so the
//!   key block is compressed at compile time and an element of up to 128 bytes (a UTXO with
//!   a standard script is 97) costs one compression, where a general keyed hasher spends
//!   two. On x86-64 with AVX2 a block is compressed with AVX2 (`blake2b_avx2.rs`), about
//!   0.8 times the time of the scalar compression. The tests hold both against
//!   `blake2b_simd`, the crate the reference hashes with.
//! - ChaCha20: on x86-64 with AVX2 (detected at run time with `std`), our own kernel
//!   computes the six blocks 0–5 as three pairs side by side, one 128-bit half per block in
//!   each row register (`chacha_avx2.rs`): about twice the speed of RustCrypto's `chacha20`
//!   crate, which stays the path everywhere else (it picks its own AVX2 or SSE2 backend at
//!   run time) and the tests' reference for ours.
//! - The inverse (once per [`MuHash::serialize`] or [`MuHash::finalize`] of a value with
//!   removals) takes Bernstein–Yang divsteps 62 at a time, in variable time: a UTXO set is
//!   public data. The plain twin, Fermat's x^(p−2), is held equal to it by the tests.
//! - With the `rayon` feature, [`MuHash::par_from_utxos`] hashes a whole set on every core
//!   and combines the partial products.

/// Whether this processor has every listed feature (x86-64): asked at run time (once: the
/// standard library caches it) with `std`, and in the tests, which always have the standard
/// library, so that the fast paths they check run wherever the processor has them; without
/// `std`, whether the build enabled the features.
#[cfg(target_arch = "x86_64")]
macro_rules! cpu_has {
    ($($feature:tt),+) => {{
        #[cfg(any(feature = "std", test))]
        {
            extern crate std;
            true $(&& std::is_x86_feature_detected!($feature))+
        }
        #[cfg(not(any(feature = "std", test)))]
        {
            true $(&& cfg!(target_feature = $feature))+
        }
    }};
}

mod blake2b;
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod blake2b_avx2;
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod chacha_avx2;
mod element;
mod inverse;
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod mulx;
mod num3072;
mod product;

use alloc::vec::Vec;

use pyrin_core::{Sink, TransactionOutpoint, UtxoCommitment};

use crate::UtxoEntry;
use num3072::Num3072;

/// Bytes of a serialized MuHash ([`MuHash::serialize`]): one 3072-bit number.
pub const SERIALIZED_LEN: usize = num3072::BYTES;

/// The commitment of the empty set ([`MuHash::new`]'s [`MuHash::finalize`]).
pub const EMPTY_COMMITMENT: UtxoCommitment = UtxoCommitment::from_bytes([
    0x54, 0x4e, 0xb3, 0x14, 0x2c, 0x00, 0x0f, 0x0a, 0xd2, 0xc7, 0x6a, 0xc4, 0x1f, 0x42, 0x22, 0xab, 0xba, 0xba, 0xbe,
    0xd8, 0x30, 0xee, 0xaf, 0xee, 0x4b, 0x6d, 0xc5, 0x6b, 0x52, 0xd5, 0xca, 0xc0,
]);

/// Why 384 bytes are not a serialized MuHash.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MuHashError {
    /// The little-endian number is at or above the prime 2^3072 − 1103717, so it is not the
    /// serialization of any set (serializing always reduces below the prime).
    #[error("a serialized MuHash must be below the prime 2^3072 - 1103717")]
    NotBelowPrime,
}

/// A multiset's MuHash: a running value that elements are added to and removed from in any
/// order. See the [module documentation](self).
///
/// Equality compares the sets' values (numerator₁ · denominator₂ = numerator₂ ·
/// denominator₁ modulo the prime), whatever the operations that led to them.
#[derive(Clone)]
pub struct MuHash {
    numerator: Num3072,
    denominator: Num3072,
}

impl MuHash {
    /// The empty set.
    pub const fn new() -> Self {
        MuHash { numerator: Num3072::ONE, denominator: Num3072::ONE }
    }

    /// Adds the element with these bytes (any length).
    pub fn add_element(&mut self, data: &[u8]) {
        multiply_in(&mut self.numerator, &element::element_of(data));
    }

    /// Removes the element with these bytes: multiplies by its inverse, so removing one that
    /// was never added is allowed (the value is then another field element).
    pub fn remove_element(&mut self, data: &[u8]) {
        multiply_in(&mut self.denominator, &element::element_of(data));
    }

    /// Adds a UTXO, serialized as [`write_utxo_element`] does (without allocating).
    pub fn add_utxo(&mut self, outpoint: &TransactionOutpoint, entry: &UtxoEntry) {
        multiply_in(&mut self.numerator, &utxo_element(outpoint, entry));
    }

    /// Removes a UTXO (spends it), serialized as [`write_utxo_element`] does.
    pub fn remove_utxo(&mut self, outpoint: &TransactionOutpoint, entry: &UtxoEntry) {
        multiply_in(&mut self.denominator, &utxo_element(outpoint, entry));
    }

    /// Adds every element of `other` and removes every element `other` removed: the value
    /// of the two sets together.
    pub fn combine(&mut self, other: &MuHash) {
        multiply_in(&mut self.numerator, &other.numerator);
        multiply_in(&mut self.denominator, &other.denominator);
    }

    /// Divides the numerator by the denominator (one inversion), so that the following
    /// [`MuHash::serialize`] and [`MuHash::finalize`] calls need none. The value is unchanged.
    pub fn normalize(&mut self) {
        self.numerator = self.value();
        self.denominator = Num3072::ONE;
    }

    /// The set's value: 384 little-endian bytes of a number below the prime. Costs an
    /// inversion unless the denominator is 1 (nothing removed, or [`MuHash::normalize`]d).
    pub fn serialize(&self) -> [u8; SERIALIZED_LEN] {
        self.value().to_le_bytes()
    }

    /// Reads a value written by [`MuHash::serialize`].
    ///
    /// # Errors
    /// [`MuHashError::NotBelowPrime`] when the little-endian number is at or above the prime
    /// (the only 384-byte strings that are not a serialized value).
    pub fn deserialize(bytes: &[u8; SERIALIZED_LEN]) -> Result<Self, MuHashError> {
        let numerator = Num3072::from_le_bytes(bytes);
        if !numerator.is_canonical() {
            return Err(MuHashError::NotBelowPrime);
        }
        Ok(MuHash { numerator, denominator: Num3072::ONE })
    }

    /// The commitment: BLAKE2b-256 keyed with `MuHashFinalize` over [`MuHash::serialize`].
    pub fn finalize(&self) -> UtxoCommitment {
        UtxoCommitment::from_bytes(element::finalize_digest(&self.serialize()))
    }

    /// The MuHash of a set of UTXOs, hashed on every core (feature `rayon`): each worker
    /// multiplies its share of the elements, and the partial products are combined.
    ///
    /// ```
    /// # #[cfg(feature = "rayon")] {
    /// use pyrin_core::{Amount, ScriptPublicKey, TransactionId, TransactionOutpoint};
    /// use pyrin_tx::muhash::MuHash;
    /// use pyrin_tx::UtxoEntry;
    /// use rayon::prelude::*;
    ///
    /// let utxos: Vec<(TransactionOutpoint, UtxoEntry)> = (0..100u32)
    ///     .map(|i| {
    ///         let outpoint = TransactionOutpoint::new(TransactionId::from_bytes([1; 32]), i);
    ///         let spk = ScriptPublicKey::new(0, vec![0x51]);
    ///         (outpoint, UtxoEntry { amount: Amount::from_leor(u64::from(i)), script_public_key: spk, block_daa_score: 1, is_coinbase: false })
    ///     })
    ///     .collect();
    /// let parallel = MuHash::par_from_utxos(utxos.par_iter().map(|(o, e)| (o, e)));
    /// let sequential: MuHash = utxos.iter().map(|(o, e)| (o, e)).collect();
    /// assert_eq!(parallel.finalize(), sequential.finalize());
    /// # }
    /// ```
    #[cfg(feature = "rayon")]
    #[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
    pub fn par_from_utxos<'a, I>(utxos: I) -> MuHash
    where
        I: rayon::iter::IntoParallelIterator<Item = (&'a TransactionOutpoint, &'a UtxoEntry)>,
    {
        use rayon::iter::ParallelIterator;
        utxos
            .into_par_iter()
            .fold(MuHash::new, |mut set, (outpoint, entry)| {
                set.add_utxo(outpoint, entry);
                set
            })
            .reduce(MuHash::new, |mut a, b| {
                a.combine(&b);
                a
            })
    }

    /// Numerator over denominator, below the prime.
    fn value(&self) -> Num3072 {
        if self.denominator.is_one() {
            return self.numerator.canonical();
        }
        self.numerator.mul(&self.denominator.inverse()).canonical()
    }
}

/// `a · b`, skipping the product when either is one: a fresh set's first element (a
/// transaction's own MuHash starts from one) and combining with an empty side cost nothing.
fn multiply_unless_one(a: &Num3072, b: &Num3072) -> Num3072 {
    let mut out = *a;
    multiply_in(&mut out, b);
    out
}

/// `acc ← acc · b`, skipping the product when either is 1.
#[inline]
fn multiply_in(acc: &mut Num3072, b: &Num3072) {
    if b.is_one() {
        return;
    }
    if acc.is_one() {
        *acc = *b;
    } else {
        acc.mul_assign(b);
    }
}

/// Bytes of a UTXO's element besides its script.
const UTXO_FIXED_LEN: usize = 32 + 4 + 8 + 8 + 1 + 2 + 8;

/// The element of a UTXO. With a script of up to 128 bytes (every standard one) the bytes are
/// laid out on the stack and hashed at once; a longer script streams into the hash.
fn utxo_element(outpoint: &TransactionOutpoint, entry: &UtxoEntry) -> Num3072 {
    if entry.script_public_key.script.len() <= 128 {
        let mut buf = StackBytes { bytes: [0; UTXO_FIXED_LEN + 128], len: 0 };
        write_utxo_element(&mut buf, outpoint, entry);
        if let Some(bytes) = buf.bytes.get(..buf.len) {
            return element::element_of(bytes);
        }
    }
    let mut hasher = element::element_hasher();
    write_utxo_element(&mut hasher, outpoint, entry);
    element::element_of_hasher(hasher)
}

/// A fixed buffer to serialize a UTXO into (bytes past its end are dropped, which the caller
/// rules out by the script's length).
struct StackBytes {
    bytes: [u8; UTXO_FIXED_LEN + 128],
    len: usize,
}

impl Sink for StackBytes {
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        let end = self.len + bytes.len();
        if let Some(dst) = self.bytes.get_mut(self.len..end) {
            dst.copy_from_slice(bytes);
            self.len = end;
        }
    }
}

impl Default for MuHash {
    fn default() -> Self {
        MuHash::new()
    }
}

impl PartialEq for MuHash {
    fn eq(&self, other: &Self) -> bool {
        multiply_unless_one(&self.numerator, &other.denominator).canonical()
            == multiply_unless_one(&other.numerator, &self.denominator).canonical()
    }
}

impl Eq for MuHash {}

impl core::fmt::Debug for MuHash {
    /// Shows the commitment (which costs an inversion when something was removed).
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("MuHash").field(&format_args!("{}", self.finalize())).finish()
    }
}

impl<'a> Extend<(&'a TransactionOutpoint, &'a UtxoEntry)> for MuHash {
    /// Adds every UTXO.
    fn extend<I: IntoIterator<Item = (&'a TransactionOutpoint, &'a UtxoEntry)>>(&mut self, utxos: I) {
        for (outpoint, entry) in utxos {
            self.add_utxo(outpoint, entry);
        }
    }
}

impl<'a> FromIterator<(&'a TransactionOutpoint, &'a UtxoEntry)> for MuHash {
    /// The MuHash of a set of UTXOs (one after the other; [`MuHash::par_from_utxos`] uses
    /// every core).
    fn from_iter<I: IntoIterator<Item = (&'a TransactionOutpoint, &'a UtxoEntry)>>(utxos: I) -> Self {
        let mut set = MuHash::new();
        set.extend(utxos);
        set
    }
}

/// Writes the bytes a UTXO enters the MuHash as: transaction id (32 bytes) ‖ output index
/// (u32 LE) ‖ DAA score (u64 LE) ‖ amount (u64 LE) ‖ coinbase flag (u8) ‖ script version
/// (u16 LE) ‖ script length (u64 LE) ‖ script.
pub fn write_utxo_element<S: Sink + ?Sized>(sink: &mut S, outpoint: &TransactionOutpoint, entry: &UtxoEntry) {
    sink.put(outpoint.transaction_id.as_bytes());
    sink.put_u32(outpoint.index);
    sink.put_u64(entry.block_daa_score);
    sink.put_u64(entry.amount.to_leor());
    sink.put_u8(u8::from(entry.is_coinbase));
    sink.put_u16(entry.script_public_key.version);
    sink.put_var_bytes(&entry.script_public_key.script);
}

/// The bytes a UTXO enters the MuHash as ([`write_utxo_element`]), in a vector:
/// `MuHash::add_element(&utxo_element_bytes(o, e))` equals `MuHash::add_utxo(o, e)`.
pub fn utxo_element_bytes(outpoint: &TransactionOutpoint, entry: &UtxoEntry) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(UTXO_FIXED_LEN + entry.script_public_key.script.len());
    write_utxo_element(&mut bytes, outpoint, entry);
    bytes
}

/// Building blocks, public for the benchmarks and fuzz targets only: not part of the stable
/// API, and may change in any release.
#[doc(hidden)]
pub mod internals {
    use super::num3072::Num3072;

    /// A 3072-bit number standing for its residue modulo the MuHash prime.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct Number(Num3072);

    impl Number {
        /// The number with these little-endian bytes.
        pub fn from_le_bytes(bytes: &[u8; super::SERIALIZED_LEN]) -> Self {
            Number(Num3072::from_le_bytes(bytes))
        }
        /// Its little-endian bytes, reduced below the prime.
        pub fn to_canonical_le_bytes(&self) -> [u8; super::SERIALIZED_LEN] {
            self.0.canonical().to_le_bytes()
        }
        /// The product modulo the prime (on x86-64 with BMI2 and ADX, Karatsuba over
        /// `mulx` rows; elsewhere the portable Karatsuba).
        pub fn mul(&self, rhs: &Number) -> Number {
            Number(self.0.mul(&rhs.0))
        }
        /// The product modulo the prime by the portable Karatsuba product, whatever the
        /// processor has (the baseline of the `mulx` path).
        pub fn mul_portable(&self, rhs: &Number) -> Number {
            Number(self.0.mul_portable(&rhs.0))
        }
        /// The product modulo the prime (schoolbook, the plain twin).
        pub fn mul_plain(&self, rhs: &Number) -> Number {
            Number(self.0.mul_plain(&rhs.0))
        }
        /// The inverse modulo the prime (zero for zero), by divsteps.
        pub fn inverse(&self) -> Number {
            Number(self.0.inverse())
        }
        /// The inverse by Fermat's little theorem with the schoolbook product (the plain twin).
        pub fn inverse_plain(&self) -> Number {
            Number(self.0.inverse_by_fermat())
        }
    }

    /// The element of `data` (hash, then expansion).
    pub fn element(data: &[u8]) -> Number {
        Number(super::element::element_of(data))
    }

    /// The 32-byte keyed BLAKE2b seed of `data` alone.
    pub fn element_seed(data: &[u8]) -> [u8; 32] {
        let mut hasher = super::element::element_hasher();
        hasher.update(data);
        hasher.finalize()
    }

    /// [`element_seed`] by the portable BLAKE2b compression, whatever the processor has
    /// (the baseline of the AVX2 path).
    pub fn element_seed_portable(data: &[u8]) -> [u8; 32] {
        super::element::element_key().hash_portable(data)
    }

    /// The ChaCha20 expansion of a seed alone (on x86-64 with AVX2, our three-pair kernel).
    pub fn expand(seed: &[u8; 32]) -> Number {
        Number(super::element::expand(seed))
    }

    /// The ChaCha20 expansion by the `chacha20` crate, whatever the processor has (the
    /// baseline of the AVX2 kernel).
    pub fn expand_portable(seed: &[u8; 32]) -> Number {
        Number(super::element::expand_portable(seed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_empty_commitment_is_the_empty_sets() {
        assert_eq!(MuHash::new().finalize(), EMPTY_COMMITMENT);
        assert_eq!(MuHash::default().serialize(), Num3072::ONE.to_le_bytes());
    }

    #[test]
    fn deserialize_refuses_the_prime_and_above_and_takes_everything_below() {
        let prime = Num3072::PRIME.to_le_bytes();
        assert_eq!(MuHash::deserialize(&prime), Err(MuHashError::NotBelowPrime));
        assert_eq!(MuHash::deserialize(&[0xff; SERIALIZED_LEN]), Err(MuHashError::NotBelowPrime));
        let mut below = prime;
        below[0] -= 1;
        let value = MuHash::deserialize(&below).expect("p - 1 is below p");
        assert_eq!(value.serialize(), below);
        let zero = MuHash::deserialize(&[0; SERIALIZED_LEN]).expect("zero is below p");
        assert_eq!(zero.serialize(), [0; SERIALIZED_LEN]);
    }

    #[test]
    fn removing_what_was_added_restores_the_empty_set() {
        let mut set = MuHash::new();
        set.add_element(b"a");
        set.add_element(b"");
        assert_ne!(set, MuHash::new());
        set.remove_element(b"");
        set.remove_element(b"a");
        assert_eq!(set, MuHash::new());
        assert_eq!(set.finalize(), EMPTY_COMMITMENT);
    }

    #[test]
    fn normalizing_keeps_the_value() {
        let mut set = MuHash::new();
        set.add_element(b"kept");
        set.remove_element(b"gone");
        let before = set.serialize();
        set.normalize();
        assert!(set.denominator.is_one());
        assert_eq!(set.serialize(), before);
    }
}
