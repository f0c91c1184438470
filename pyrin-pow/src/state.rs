//! The per-template state and the PoW of one nonce.

use pyrin_core::{CompactTarget, Hash, Header, PowValue, PrePowHash, Target};

use crate::{
    blake3_lanes::{self, CHUNK_START, IV},
    fast::{self, Backend, PackedMatrix},
    Matrix, PowError, Variant,
};

/// Everything about a block template the PoW needs, computed once: the pre-PoW hash, the
/// matrix (plain and in the fast path's layouts), the target, the variant and the BLAKE3
/// state after the first 64 input bytes, which do not depend on the nonce.
///
/// ```
/// use pyrin_core::params::Network;
/// use pyrin_pow::PowState;
///
/// let genesis = Network::Mainnet.params().genesis.header();
/// let state = PowState::new(&genesis)?;
/// let check = state.check(genesis.nonce);
/// assert_eq!(check.value, state.pow_value_plain(genesis.nonce));
/// # Ok::<(), pyrin_pow::PowError>(())
/// ```
#[derive(Clone, Debug)]
pub struct PowState {
    pre_pow_hash: PrePowHash,
    timestamp: u64,
    target: Target,
    variant: Variant,
    matrix: Matrix,
    packed: PackedMatrix,
    first_block_cv: [u32; 8],
    backend: Backend,
}

/// The result of checking one nonce against a target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PowCheck {
    /// The PoW value: the final hash read as a little-endian 256-bit integer.
    pub value: PowValue,
    /// Whether `value ≤ target`.
    pub meets_target: bool,
}

impl PowState {
    /// The state for `header`'s template (its nonce is ignored), with the variant the
    /// network applies to it ([`Variant::for_header`]).
    ///
    /// # Errors
    /// [`PowError::ZeroPrePowHash`] when the header's pre-PoW hash is zero (see
    /// [`Matrix::generate`]); no real header has one.
    pub fn new(header: &Header) -> Result<Self, PowError> {
        Self::with_variant(header, Variant::for_header(header))
    }

    /// The state for `header`'s template with an explicit variant.
    ///
    /// # Errors
    /// As [`PowState::new`].
    pub fn with_variant(header: &Header, variant: Variant) -> Result<Self, PowError> {
        Self::from_parts(header.pre_pow_hash(), header.timestamp, header.bits, variant)
    }

    /// The state from what a stratum job carries: the pre-PoW hash, the timestamp, the
    /// compact target bits and the variant.
    ///
    /// # Errors
    /// [`PowError::ZeroPrePowHash`] when `pre_pow_hash` is zero (see [`Matrix::generate`]).
    pub fn from_parts(
        pre_pow_hash: PrePowHash,
        timestamp: u64,
        bits: CompactTarget,
        variant: Variant,
    ) -> Result<Self, PowError> {
        let matrix = Matrix::generate(&pre_pow_hash)?;
        let mut first_block = [0u8; 64];
        first_block[..32].copy_from_slice(pre_pow_hash.as_bytes());
        first_block[32..40].copy_from_slice(&timestamp.to_le_bytes());
        // Bytes 40..64 are the first 24 of the 32 zero bytes; the other 8 and the nonce
        // make up the second block.
        let cv =
            blake3_lanes::compress::<1>(&IV.map(|w| [w]), &blake3_lanes::block_words(&first_block), 64, CHUNK_START);
        Ok(Self {
            pre_pow_hash,
            timestamp,
            target: Target::from_compact(bits),
            variant,
            packed: PackedMatrix::new(&matrix),
            matrix,
            first_block_cv: cv.map(|w| w[0]),
            backend: Backend::detect(),
        })
    }

    /// The pre-PoW hash (the header hash with timestamp and nonce zeroed).
    pub fn pre_pow_hash(&self) -> PrePowHash {
        self.pre_pow_hash
    }

    /// The template's timestamp.
    pub fn timestamp(&self) -> u64 {
        self.timestamp
    }

    /// The network target from the header's bits.
    pub fn target(&self) -> Target {
        self.target
    }

    /// The variant this state hashes with.
    pub fn variant(&self) -> Variant {
        self.variant
    }

    /// The matrix.
    pub fn matrix(&self) -> &Matrix {
        &self.matrix
    }

    /// The implementation the fast path picked for this CPU.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Restricts the fast path to the portable implementation (results are identical).
    ///
    /// A hook for this family's own tests and benchmarks, hidden from the docs and not
    /// part of the stable API: to run portable everywhere, build with the `portable`
    /// feature instead.
    #[doc(hidden)]
    pub fn force_portable(&mut self) {
        self.backend = Backend::Portable;
    }

    pub(crate) fn first_block_cv(&self) -> &[u32; 8] {
        &self.first_block_cv
    }

    pub(crate) fn packed(&self) -> &PackedMatrix {
        &self.packed
    }

    /// The first BLAKE3: of pre-PoW hash ‖ timestamp ‖ 32 zero bytes ‖ nonce, all
    /// integers little-endian (computed with the `blake3` crate).
    pub fn pow_hash(&self, nonce: u64) -> Hash {
        let mut input = [0u8; 80];
        input[..32].copy_from_slice(self.pre_pow_hash.as_bytes());
        input[32..40].copy_from_slice(&self.timestamp.to_le_bytes());
        input[72..].copy_from_slice(&nonce.to_le_bytes());
        Hash::from_bytes(*blake3::hash(&input).as_bytes())
    }

    /// The PoW value by the plain route: the `blake3` crate for both hashes and the
    /// entry-by-entry matrix product. The reference for everything faster.
    pub fn pow_value_plain(&self, nonce: u64) -> PowValue {
        let pow_hash = self.pow_hash(nonce);
        let mixed = self.matrix.product_xor(pow_hash.as_bytes(), self.variant);
        PowValue::from_le_bytes(*blake3::hash(&mixed).as_bytes())
    }

    /// The PoW value of one nonce by the fast path: one lane's compressions and the SIMD
    /// product (about 0.45× the plain route on AVX2). To scan nonces, [`Self::pow_values`]
    /// costs less per nonce.
    pub fn pow_value(&self, nonce: u64) -> PowValue {
        fast::pow_value(self, nonce)
    }

    /// The PoW values of the [`LANES`](crate::LANES) consecutive nonces from `first_nonce`
    /// (wrapping past `u64::MAX`), computed together.
    pub fn pow_values(&self, first_nonce: u64, out: &mut [PowValue; fast::LANES]) {
        fast::pow_values(self, first_nonce, out)
    }

    /// Checks one nonce against the network target.
    pub fn check(&self, nonce: u64) -> PowCheck {
        let value = self.pow_value(nonce);
        PowCheck { value, meets_target: self.target.is_met_by(value) }
    }
}
