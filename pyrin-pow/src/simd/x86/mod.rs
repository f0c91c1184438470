//! The AVX2 entry points. The BLAKE3 compressions live in [`compress`], the matrix
//! product in [`product`]; the invariants every `unsafe` block relies on are listed in
//! the parent module.

mod compress;
mod product;

use core::arch::x86_64::*;

use crate::{
    blake3_lanes::{CHUNK_END, CHUNK_START, IV, ROOT},
    PowState, LANES,
};
use compress::{compress1, compress8};
use product::{product_xor8, product_xor_one};

/// The matrix rank, with the elimination's row updates vectorised by the compiler.
///
/// # Safety
/// The CPU supports AVX2 (invariant 1).
#[target_feature(enable = "avx2")]
pub(in crate::simd) unsafe fn rank(matrix: &crate::Matrix) -> usize {
    matrix.rank_fixed_width()
}

/// The final hashes of eight consecutive nonces: both compressions eight lanes wide in
/// AVX2 registers, the matrix products two hashes at a time in between.
///
/// # Safety
/// The CPU supports AVX2 (invariant 1).
#[target_feature(enable = "avx2")]
pub(in crate::simd) unsafe fn hash_lanes(state: &PowState, first_nonce: u64) -> [[u32; LANES]; 8] {
    let zero = _mm256_setzero_si256();
    let mut cv = [zero; 8];
    for (c, &w) in cv.iter_mut().zip(state.first_block_cv()) {
        *c = _mm256_set1_epi32(w as i32);
    }
    let mut nonces = [first_nonce; LANES];
    for (l, n) in nonces.iter_mut().enumerate() {
        *n = first_nonce.wrapping_add(l as u64);
    }
    let mut block = [zero; 16];
    block[2] = _mm256_setr_epi32(
        nonces[0] as i32,
        nonces[1] as i32,
        nonces[2] as i32,
        nonces[3] as i32,
        nonces[4] as i32,
        nonces[5] as i32,
        nonces[6] as i32,
        nonces[7] as i32,
    );
    block[3] = _mm256_setr_epi32(
        (nonces[0] >> 32) as i32,
        (nonces[1] >> 32) as i32,
        (nonces[2] >> 32) as i32,
        (nonces[3] >> 32) as i32,
        (nonces[4] >> 32) as i32,
        (nonces[5] >> 32) as i32,
        (nonces[6] >> 32) as i32,
        (nonces[7] >> 32) as i32,
    );
    let pow_hash = compress8(&cv, &block, 16, CHUNK_END | ROOT);
    // SAFETY: AVX2 per this function's contract (invariant 1).
    let cols = unsafe { product_xor8(state.packed().pairs(), &pow_hash, state.variant()) };
    let mut block = [zero; 16];
    block[..8].copy_from_slice(&cols);
    let mut iv = [zero; 8];
    for (v, &w) in iv.iter_mut().zip(&IV) {
        *v = _mm256_set1_epi32(w as i32);
    }
    let out = compress8(&iv, &block, 32, CHUNK_START | CHUNK_END | ROOT);
    let mut result = [[0u32; LANES]; 8];
    // `out[w]` holds word w of every lane: exactly the layout returned.
    for (dst, v) in result.iter_mut().zip(&out) {
        // SAFETY: invariant 2, a [u32; 8] is 32 bytes.
        unsafe { _mm256_storeu_si256(dst.as_mut_ptr().cast(), *v) };
    }
    result
}

/// The final hash of one nonce: both compressions row-wise on one block (four
/// columns per SSE register; eight lanes would waste seven) and the one-hash product.
///
/// # Safety
/// The CPU supports AVX2 (invariant 1).
#[target_feature(enable = "avx2")]
pub(in crate::simd) unsafe fn hash_one(state: &PowState, nonce: u64) -> [u32; 8] {
    let mut block = [0u32; 16];
    block[2] = nonce as u32;
    block[3] = (nonce >> 32) as u32;
    let mut out = [0u32; 8];
    // SAFETY: AVX2 per this function's contract (invariant 1); invariant 2 for the
    // 32-byte arrays.
    unsafe {
        let pow_hash = compress1(state.first_block_cv(), &block, 16, CHUNK_END | ROOT);
        let mixed = product_xor_one(state.packed().pairs(), pow_hash, state.variant());
        let mut block = [0u32; 16];
        _mm256_storeu_si256(block.as_mut_ptr().cast(), mixed);
        let hash = compress1(&IV, &block, 32, CHUNK_START | CHUNK_END | ROOT);
        _mm256_storeu_si256(out.as_mut_ptr().cast(), hash);
    }
    out
}
