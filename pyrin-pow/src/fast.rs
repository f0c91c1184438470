//! The fast path: several nonces per call, with the matrix in layouts made for SIMD.
//!
//! Per nonce the PoW is two BLAKE3 compressions (the first 64 input bytes are hashed once
//! per template, see [`PowState`]) and a 64×64 nibble matrix product. The compressions of
//! [`LANES`] nonces run side by side in SIMD lanes ([`crate::blake3_lanes`]); the product
//! runs per nonce on packed bytes. A single nonce (a share check) takes one lane's
//! compressions instead, so it does not pay for a whole batch. [`Backend`] picks AVX2 when
//! the CPU has it (checked at run time) and a portable version otherwise; both give
//! bit-identical results to [`PowState::pow_value_plain`], which the property tests check.

use pyrin_core::{PowValue, Uint256};

use crate::{
    blake3_lanes::{self, CHUNK_END, CHUNK_START, IV, ROOT},
    matrix::SIZE,
    Matrix, PowState, Variant,
};

/// How many nonces the fast path hashes per call.
pub const LANES: usize = 8;

/// The implementation of the fast path in use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Backend {
    /// Plain Rust, vectorised by the compiler for the baseline of the target.
    Portable,
    /// AVX2 (x86-64), chosen at run time when the CPU supports it.
    Avx2,
}

impl Backend {
    /// The best implementation this CPU supports, detected once per process (later
    /// calls read the remembered answer). Without the `std` feature run-time detection is
    /// unavailable and this is [`Backend::Portable`] unless the crate was compiled with
    /// AVX2 enabled. With the `portable` feature it is always [`Backend::Portable`], so a
    /// test run can hold every fast path to its portable twin on any CPU.
    pub fn detect() -> Self {
        if cfg!(feature = "portable") || !crate::simd::avx2_available() {
            Backend::Portable
        } else {
            Backend::Avx2
        }
    }
}

/// The matrix in the layouts the fast products read.
#[derive(Clone)]
pub(crate) struct PackedMatrix {
    /// Column-major `u16` entries: `columns[j][r] = M[r][j]`.
    columns: [[u16; SIZE]; SIZE],
    /// For each pair of columns `g` and each row `r`, the bytes `M[r][2g], M[r][2g+1]`:
    /// one multiply-add of byte pairs gives a row's contribution from two nibbles. Only the
    /// x86-64 backend reads it; other targets (wasm32, ARM) neither build nor store it.
    #[cfg(target_arch = "x86_64")]
    pairs: [u8; SIZE * SIZE],
}

impl core::fmt::Debug for PackedMatrix {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PackedMatrix").finish_non_exhaustive()
    }
}

impl PackedMatrix {
    pub(crate) fn new(matrix: &Matrix) -> Self {
        let mut columns = [[0u16; SIZE]; SIZE];
        for (r, row) in matrix.rows().iter().enumerate() {
            for (j, &entry) in row.iter().enumerate() {
                columns[j][r] = u16::from(entry);
            }
        }
        #[cfg(target_arch = "x86_64")]
        {
            let mut pairs = [0u8; SIZE * SIZE];
            for (r, row) in matrix.rows().iter().enumerate() {
                for (j, &entry) in row.iter().enumerate() {
                    pairs[(j / 2) * 2 * SIZE + 2 * r + j % 2] = entry;
                }
            }
            Self { columns, pairs }
        }
        #[cfg(not(target_arch = "x86_64"))]
        Self { columns }
    }

    #[cfg(target_arch = "x86_64")]
    pub(crate) fn pairs(&self) -> &[u8; SIZE * SIZE] {
        &self.pairs
    }
}

/// Turns the 64 row sums into the 32 bytes the final hash reads.
#[inline(always)]
fn reduce_and_mix(sums: &[u16; SIZE], pow_hash: &[u8; 32], variant: Variant) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, o) in out.iter_mut().enumerate() {
        *o = ((variant.reduce(sums[2 * i]) << 4) | variant.reduce(sums[2 * i + 1])) ^ pow_hash[i];
    }
    out
}

/// The product one column at a time, which compilers vectorise over the rows.
#[inline(always)]
pub(crate) fn product_xor_portable(packed: &PackedMatrix, pow_hash: &[u8; 32], variant: Variant) -> [u8; 32] {
    let mut sums = [0u16; SIZE];
    for (i, &byte) in pow_hash.iter().enumerate() {
        let hi = u16::from(byte >> 4);
        let lo = u16::from(byte & 0xF);
        let (even, odd) = (&packed.columns[2 * i], &packed.columns[2 * i + 1]);
        for r in 0..SIZE {
            // At most 64·15·15 = 14,400: no overflow.
            sums[r] += even[r] * hi + odd[r] * lo;
        }
    }
    reduce_and_mix(&sums, pow_hash, variant)
}

/// The final hashes (eight little-endian words per lane) of `L` consecutive nonces, with
/// `product` for the matrix step. Inlined into each backend so that the compressions are
/// compiled for its instruction set.
#[inline(always)]
pub(crate) fn hash_lanes<const L: usize>(
    state: &PowState,
    first_nonce: u64,
    product: impl Fn(&[u8; 32]) -> [u8; 32],
) -> [[u32; L]; 8] {
    let cv = state.first_block_cv().map(|w| [w; L]);
    // Second block: the last 8 of the 32 zero bytes, then the nonce; zero padded.
    let mut block = [[0u32; L]; 16];
    let nonces: [u64; L] = core::array::from_fn(|l| first_nonce.wrapping_add(l as u64));
    block[2] = nonces.map(|n| n as u32);
    block[3] = nonces.map(|n| (n >> 32) as u32);
    let pow_hash = blake3_lanes::compress::<L>(&cv, &block, 16, CHUNK_END | ROOT);
    let mut mixed = [[0u32; L]; 16];
    for l in 0..L {
        let words: [u32; 8] = core::array::from_fn(|w| pow_hash[w][l]);
        let bytes = product(&blake3_lanes::words_to_bytes(&words));
        for (w, chunk) in bytes.chunks_exact(4).enumerate() {
            mixed[w][l] = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        }
    }
    blake3_lanes::compress::<L>(&IV.map(|w| [w; L]), &mixed, 32, CHUNK_START | CHUNK_END | ROOT)
}

fn hash_lanes_portable(state: &PowState, first_nonce: u64) -> [[u32; LANES]; 8] {
    // One nonce at a time: without a known SIMD width, scalar compressions (in which the
    // zero message words fold away) beat arrays of lanes the compiler may not vectorise.
    let mut out = [[0u32; LANES]; 8];
    for l in 0..LANES {
        let one = hash_lanes::<1>(state, first_nonce.wrapping_add(l as u64), |h| {
            product_xor_portable(state.packed(), h, state.variant())
        });
        for (o, w) in out.iter_mut().zip(&one) {
            o[l] = w[0];
        }
    }
    out
}

/// The PoW value of one nonce: one lane's compressions (a batch would waste the others),
/// with the best product the backend has.
pub(crate) fn pow_value(state: &PowState, nonce: u64) -> PowValue {
    let words = match state.backend() {
        Backend::Avx2 => crate::simd::hash_one_avx2(state, nonce),
        Backend::Portable => None,
    }
    .unwrap_or_else(|| {
        hash_lanes::<1>(state, nonce, |h| product_xor_portable(state.packed(), h, state.variant())).map(|w| w[0])
    });
    value_of_words(&words)
}

/// A final hash's eight little-endian words read as the 256-bit PoW value.
fn value_of_words(words: &[u32; 8]) -> PowValue {
    let limb = |k: usize| u64::from(words[2 * k]) | (u64::from(words[2 * k + 1]) << 32);
    PowValue::from_uint256(Uint256::from_le_words([limb(0), limb(1), limb(2), limb(3)]))
}

/// The PoW values of `LANES` consecutive nonces from `first_nonce`.
pub(crate) fn pow_values(state: &PowState, first_nonce: u64, out: &mut [PowValue; LANES]) {
    let words = match state.backend() {
        Backend::Avx2 => {
            crate::simd::hash_lanes_avx2(state, first_nonce).unwrap_or_else(|| hash_lanes_portable(state, first_nonce))
        }
        Backend::Portable => hash_lanes_portable(state, first_nonce),
    };
    for (l, value) in out.iter_mut().enumerate() {
        *value = value_of_words(&words.map(|w| w[l]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn portable_product_matches_the_plain_one() {
        let matrix = Matrix::generate(&pyrin_core::PrePowHash::from_bytes([3; 32])).unwrap();
        let packed = PackedMatrix::new(&matrix);
        for seed in 0..50u8 {
            let h: [u8; 32] = core::array::from_fn(|i| (i as u8).wrapping_mul(seed).wrapping_add(seed ^ 0x5A));
            for variant in [Variant::Legacy, Variant::Relaunch] {
                assert_eq!(product_xor_portable(&packed, &h, variant), matrix.product_xor(&h, variant));
            }
        }
    }
}
