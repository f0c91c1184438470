//! The only `unsafe` code of the crate: the AVX2 fast path.
//!
//! Invariants, for every `unsafe` block below:
//! 1. A function marked `#[target_feature(enable = "avx2")]`, and every `#[inline(always)]`
//!    `unsafe fn` helper that uses AVX2 intrinsics, is only called after
//!    `is_x86_feature_detected!("avx2")` returned true on this CPU ([`avx2_available`],
//!    whose result [`hash_lanes_avx2`] re-checks before calling), or from another function
//!    with the same target feature.
//! 2. Every pointer given to an unaligned load or store points into a Rust array that has
//!    at least 32 bytes from that offset: `pairs` has 4096 bytes and is read at
//!    `g·128 + q·32` for `g < 32`, `q < 4` (the last read ends at byte 4096); the 32-byte
//!    arrays are read or written whole.
//!
//! The tests run both backends on the same inputs and compare them with the plain path.

use crate::PowState;

/// Whether this CPU can run the AVX2 path.
pub(crate) fn avx2_available() -> bool {
    #[cfg(all(feature = "std", target_arch = "x86_64"))]
    {
        std::is_x86_feature_detected!("avx2")
    }
    #[cfg(all(not(feature = "std"), target_arch = "x86_64", target_feature = "avx2"))]
    {
        true
    }
    #[cfg(not(any(
        all(feature = "std", target_arch = "x86_64"),
        all(target_arch = "x86_64", target_feature = "avx2")
    )))]
    {
        false
    }
}

/// The final hashes of [`crate::LANES`] nonces on AVX2, or `None` when the CPU lacks it.
pub(crate) fn hash_lanes_avx2(state: &PowState, first_nonce: u64) -> Option<[[u32; crate::LANES]; 8]> {
    #[cfg(target_arch = "x86_64")]
    if avx2_available() {
        // SAFETY: invariant 1, AVX2 was just detected.
        return Some(unsafe { x86::hash_lanes(state, first_nonce) });
    }
    let _ = (state, first_nonce);
    None
}

/// [`crate::Matrix::rank`] compiled for AVX2 (four `f64` lanes), or `None` when the CPU
/// lacks it. No FMA is enabled, so products and differences round exactly as the scalar
/// code's do.
pub(crate) fn rank_avx2(matrix: &crate::Matrix) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    if avx2_available() {
        // SAFETY: invariant 1, AVX2 was just detected.
        return Some(unsafe { x86::rank(matrix) });
    }
    let _ = matrix;
    None
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use core::arch::x86_64::*;

    use crate::{
        blake3_lanes::{CHUNK_END, CHUNK_START, IV, ROOT},
        PowState, Variant, LANES,
    };

    /// The matrix rank, with the elimination's row updates vectorised by the compiler.
    ///
    /// # Safety
    /// The CPU supports AVX2 (invariant 1).
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn rank(matrix: &crate::Matrix) -> usize {
        matrix.rank_fixed_width()
    }

    /// The final hashes of eight consecutive nonces: both compressions eight lanes wide in
    /// AVX2 registers, the matrix products one nonce at a time in between.
    ///
    /// # Safety
    /// The CPU supports AVX2 (invariant 1).
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn hash_lanes(state: &PowState, first_nonce: u64) -> [[u32; LANES]; 8] {
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
        // Word-major to one 32-byte hash per register, multiply, and back to word-major.
        let hashes = transpose8x8(&pow_hash);
        let pairs = state.packed().pairs();
        let variant = state.variant();
        // Loops, not closures: a closure would be compiled without AVX2.
        let mut mixed = [zero; LANES];
        for l in (0..LANES).step_by(2) {
            (mixed[l], mixed[l + 1]) = product_xor2(pairs, hashes[l], hashes[l + 1], variant);
        }
        let cols = transpose8x8(&mixed);
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

    // SAFETY contract: the CPU supports AVX2 (invariant 1); `unsafe` so that no safe
    // caller can reach AVX2 instructions without that check.
    #[inline(always)]
    unsafe fn rotr16(x: __m256i) -> __m256i {
        // SAFETY: only inlined into AVX2 functions (invariant 1).
        unsafe {
            _mm256_shuffle_epi8(
                x,
                _mm256_setr_epi8(
                    2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13, 2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15,
                    12, 13,
                ),
            )
        }
    }

    // SAFETY contract: the CPU supports AVX2 (invariant 1); `unsafe` so that no safe
    // caller can reach AVX2 instructions without that check.
    #[inline(always)]
    unsafe fn rotr8(x: __m256i) -> __m256i {
        // SAFETY: only inlined into AVX2 functions (invariant 1).
        unsafe {
            _mm256_shuffle_epi8(
                x,
                _mm256_setr_epi8(
                    1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12, 1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14,
                    15, 12,
                ),
            )
        }
    }

    // SAFETY contract: the CPU supports AVX2 (invariant 1); `unsafe` so that no safe
    // caller can reach AVX2 instructions without that check.
    #[inline(always)]
    unsafe fn g(v: &mut [__m256i; 16], a: usize, b: usize, c: usize, d: usize, x: __m256i, y: __m256i) {
        // SAFETY: only inlined into AVX2 functions (invariant 1).
        unsafe {
            v[a] = _mm256_add_epi32(_mm256_add_epi32(v[a], v[b]), x);
            v[d] = rotr16(_mm256_xor_si256(v[d], v[a]));
            v[c] = _mm256_add_epi32(v[c], v[d]);
            let t = _mm256_xor_si256(v[b], v[c]);
            v[b] = _mm256_or_si256(_mm256_srli_epi32::<12>(t), _mm256_slli_epi32::<20>(t));
            v[a] = _mm256_add_epi32(_mm256_add_epi32(v[a], v[b]), y);
            v[d] = rotr8(_mm256_xor_si256(v[d], v[a]));
            v[c] = _mm256_add_epi32(v[c], v[d]);
            let t = _mm256_xor_si256(v[b], v[c]);
            v[b] = _mm256_or_si256(_mm256_srli_epi32::<7>(t), _mm256_slli_epi32::<25>(t));
        }
    }

    /// Message word order of each of BLAKE3's seven rounds.
    const SCHEDULE: [[usize; 16]; 7] = [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
        [2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8],
        [3, 4, 10, 12, 13, 2, 7, 14, 6, 5, 9, 0, 11, 15, 8, 1],
        [10, 7, 12, 9, 14, 3, 13, 15, 4, 0, 11, 2, 5, 8, 1, 6],
        [12, 13, 9, 11, 15, 10, 14, 8, 7, 2, 5, 3, 0, 1, 6, 4],
        [9, 14, 11, 5, 8, 12, 15, 1, 13, 3, 0, 10, 2, 6, 4, 7],
        [11, 15, 5, 0, 1, 9, 8, 6, 14, 10, 2, 12, 3, 4, 7, 13],
    ];

    // SAFETY contract: the CPU supports AVX2 (invariant 1); `unsafe` so that no safe
    // caller can reach AVX2 instructions without that check.
    #[inline(always)]
    unsafe fn round(v: &mut [__m256i; 16], m: &[__m256i; 16], s: &[usize; 16]) {
        g(v, 0, 4, 8, 12, m[s[0]], m[s[1]]);
        g(v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
        g(v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
        g(v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
        g(v, 0, 5, 10, 15, m[s[8]], m[s[9]]);
        g(v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
        g(v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
        g(v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
    }

    /// BLAKE3's compression of eight blocks at once (chunk counter 0), as in
    /// [`crate::blake3_lanes::compress`], returning the first eight output words. Always
    /// inlined into the AVX2 caller, where the many zero message words fold away.
    // SAFETY contract: the CPU supports AVX2 (invariant 1); `unsafe` so that no safe
    // caller can reach AVX2 instructions without that check.
    #[inline(always)]
    unsafe fn compress8(cv: &[__m256i; 8], m: &[__m256i; 16], block_len: u32, flags: u32) -> [__m256i; 8] {
        // SAFETY: only inlined into AVX2 functions (invariant 1).
        unsafe {
            let mut v = [_mm256_setzero_si256(); 16];
            v[..8].copy_from_slice(cv);
            v[8] = _mm256_set1_epi32(IV[0] as i32);
            v[9] = _mm256_set1_epi32(IV[1] as i32);
            v[10] = _mm256_set1_epi32(IV[2] as i32);
            v[11] = _mm256_set1_epi32(IV[3] as i32);
            v[14] = _mm256_set1_epi32(block_len as i32);
            v[15] = _mm256_set1_epi32(flags as i32);
            round(&mut v, m, &SCHEDULE[0]);
            round(&mut v, m, &SCHEDULE[1]);
            round(&mut v, m, &SCHEDULE[2]);
            round(&mut v, m, &SCHEDULE[3]);
            round(&mut v, m, &SCHEDULE[4]);
            round(&mut v, m, &SCHEDULE[5]);
            round(&mut v, m, &SCHEDULE[6]);
            let mut out = [_mm256_setzero_si256(); 8];
            for (i, o) in out.iter_mut().enumerate() {
                *o = _mm256_xor_si256(v[i], v[i + 8]);
            }
            out
        }
    }

    /// Transposes an 8×8 matrix of 32-bit words held one row per register.
    // SAFETY contract: the CPU supports AVX2 (invariant 1); `unsafe` so that no safe
    // caller can reach AVX2 instructions without that check.
    #[inline(always)]
    unsafe fn transpose8x8(rows: &[__m256i; 8]) -> [__m256i; 8] {
        // SAFETY: only inlined into AVX2 functions (invariant 1).
        unsafe {
            let t = [
                _mm256_unpacklo_epi32(rows[0], rows[1]),
                _mm256_unpackhi_epi32(rows[0], rows[1]),
                _mm256_unpacklo_epi32(rows[2], rows[3]),
                _mm256_unpackhi_epi32(rows[2], rows[3]),
                _mm256_unpacklo_epi32(rows[4], rows[5]),
                _mm256_unpackhi_epi32(rows[4], rows[5]),
                _mm256_unpacklo_epi32(rows[6], rows[7]),
                _mm256_unpackhi_epi32(rows[6], rows[7]),
            ];
            // u[0..4]: columns (0|4), (1|5), (2|6), (3|7) of rows 0-3; u[4..8] of rows 4-7.
            let u = [
                _mm256_unpacklo_epi64(t[0], t[2]),
                _mm256_unpackhi_epi64(t[0], t[2]),
                _mm256_unpacklo_epi64(t[1], t[3]),
                _mm256_unpackhi_epi64(t[1], t[3]),
                _mm256_unpacklo_epi64(t[4], t[6]),
                _mm256_unpackhi_epi64(t[4], t[6]),
                _mm256_unpacklo_epi64(t[5], t[7]),
                _mm256_unpackhi_epi64(t[5], t[7]),
            ];
            [
                _mm256_permute2x128_si256::<0x20>(u[0], u[4]),
                _mm256_permute2x128_si256::<0x20>(u[1], u[5]),
                _mm256_permute2x128_si256::<0x20>(u[2], u[6]),
                _mm256_permute2x128_si256::<0x20>(u[3], u[7]),
                _mm256_permute2x128_si256::<0x31>(u[0], u[4]),
                _mm256_permute2x128_si256::<0x31>(u[1], u[5]),
                _mm256_permute2x128_si256::<0x31>(u[2], u[6]),
                _mm256_permute2x128_si256::<0x31>(u[3], u[7]),
            ]
        }
    }

    /// Shuffle masks that copy 16-bit word k of each 128-bit half to all its words.
    static SPREAD: [[u8; 32]; 8] = {
        let mut masks = [[0u8; 32]; 8];
        let mut k = 0;
        while k < 8 {
            let mut i = 0;
            while i < 32 {
                masks[k][i] = (2 * k + i % 2) as u8;
                i += 1;
            }
            k += 1;
        }
        masks
    };

    /// The nibbles of a hash as four registers of 16-bit (high, low) nibble pairs, each
    /// holding eight consecutive bytes' pairs in both 128-bit halves, ready for in-half
    /// broadcasts: quarter `k` covers bytes `8k..8k+8`.
    // SAFETY contract: the CPU supports AVX2 (invariant 1); `unsafe` so that no safe
    // caller can reach AVX2 instructions without that check.
    #[inline(always)]
    unsafe fn nibble_quarters(hash: __m256i) -> [__m256i; 4] {
        // SAFETY: only inlined into AVX2 functions (invariant 1).
        unsafe {
            let low_nibbles = _mm256_set1_epi8(0x0F);
            let hi = _mm256_and_si256(_mm256_srli_epi16::<4>(hash), low_nibbles);
            let lo = _mm256_and_si256(hash, low_nibbles);
            // The unpacks work per 128-bit half: `a` holds bytes 0-7 | 16-23, `b` 8-15 | 24-31.
            let a = _mm256_unpacklo_epi8(hi, lo);
            let b = _mm256_unpackhi_epi8(hi, lo);
            [
                _mm256_permute2x128_si256::<0x00>(a, a),
                _mm256_permute2x128_si256::<0x00>(b, b),
                _mm256_permute2x128_si256::<0x11>(a, a),
                _mm256_permute2x128_si256::<0x11>(b, b),
            ]
        }
    }

    /// Reduces the 64 row sums (four registers of sixteen) by `variant`, packs them into
    /// 32 bytes and XORs them with the hash.
    // SAFETY contract: the CPU supports AVX2 (invariant 1); `unsafe` so that no safe
    // caller can reach AVX2 instructions without that check.
    #[inline(always)]
    unsafe fn reduce_and_mix(sums: [__m256i; 4], hash: __m256i, variant: Variant) -> __m256i {
        // SAFETY: only inlined into AVX2 functions (invariant 1).
        unsafe {
            let nibble = _mm256_set1_epi16(0xF);
            // Rows 2i and 2i+1 share a 32-bit lane; put (r[2i] << 4) | r[2i+1] in its low byte.
            let low_byte = _mm256_set1_epi32(0xFF);
            let mut bytes = sums;
            for b in bytes.iter_mut() {
                let s = *b;
                let r = match variant {
                    Variant::Legacy => _mm256_srli_epi16::<10>(s),
                    Variant::Relaunch => _mm256_and_si256(
                        _mm256_xor_si256(_mm256_xor_si256(s, _mm256_srli_epi16::<4>(s)), _mm256_srli_epi16::<8>(s)),
                        nibble,
                    ),
                };
                *b = _mm256_and_si256(_mm256_or_si256(_mm256_slli_epi32::<4>(r), _mm256_srli_epi32::<16>(r)), low_byte);
            }
            // Pack 4×8 dwords to 32 bytes; the packs interleave 128-bit halves, the permute
            // puts the dwords back in order.
            let packed =
                _mm256_packus_epi16(_mm256_packus_epi32(bytes[0], bytes[1]), _mm256_packus_epi32(bytes[2], bytes[3]));
            let ordered = _mm256_permutevar8x32_epi32(packed, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
            _mm256_xor_si256(ordered, hash)
        }
    }

    /// The matrix product of two hashes at once, on byte pairs: `vpmaddubsw` multiplies
    /// each row's two entries of a column pair by the pair of nibbles and adds them, for
    /// 16 rows at once; four registers hold a hash's 64 row sums, and each matrix load
    /// serves both hashes.
    // SAFETY contract: the CPU supports AVX2 (invariant 1); `unsafe` so that no safe
    // caller can reach AVX2 instructions without that check.
    #[inline(always)]
    unsafe fn product_xor2(pairs: &[u8; 4096], h0: __m256i, h1: __m256i, variant: Variant) -> (__m256i, __m256i) {
        // SAFETY: only inlined into AVX2 functions (invariant 1); loads per invariant 2.
        unsafe {
            let (n0, n1) = (nibble_quarters(h0), nibble_quarters(h1));
            let mut s0 = [_mm256_setzero_si256(); 4];
            let mut s1 = [_mm256_setzero_si256(); 4];
            for quarter in 0..4 {
                // Opaque to the optimiser: seeing the constant masks, it would turn each
                // one-instruction `vpshufb` broadcast into two shuffles.
                for (k, mask) in core::hint::black_box(&SPREAD).iter().enumerate() {
                    // Invariant 2: each SPREAD row is 32 bytes.
                    let spread = _mm256_loadu_si256(mask.as_ptr().cast());
                    let v0 = _mm256_shuffle_epi8(n0[quarter], spread);
                    let v1 = _mm256_shuffle_epi8(n1[quarter], spread);
                    let g = quarter * 8 + k;
                    for q in 0..4 {
                        // Invariant 2: g·128 + q·32 + 32 ≤ 4096.
                        let m = _mm256_loadu_si256(pairs.as_ptr().add(g * 128 + q * 32).cast());
                        // Each pair is at most 2·225 and each sum 14,400: no saturation.
                        s0[q] = _mm256_add_epi16(s0[q], _mm256_maddubs_epi16(m, v0));
                        s1[q] = _mm256_add_epi16(s1[q], _mm256_maddubs_epi16(m, v1));
                    }
                }
            }
            (reduce_and_mix(s0, h0, variant), reduce_and_mix(s1, h1, variant))
        }
    }

    /// The product on 32-byte arrays, for the tests.
    ///
    /// # Safety
    /// The CPU supports AVX2 (invariant 1).
    #[cfg(test)]
    #[target_feature(enable = "avx2")]
    unsafe fn product_xor_bytes(pairs: &[u8; 4096], pow_hash: &[u8; 32], variant: Variant) -> [u8; 32] {
        let mut out = [0u8; 32];
        // SAFETY: invariant 2, both arrays are 32 bytes.
        unsafe {
            let h = _mm256_loadu_si256(pow_hash.as_ptr().cast());
            _mm256_storeu_si256(out.as_mut_ptr().cast(), product_xor2(pairs, h, h, variant).1);
        }
        out
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use crate::{fast::PackedMatrix, Matrix};
        use pyrin_core::Hash;

        #[test]
        fn avx2_product_matches_the_plain_one() {
            if !super::super::avx2_available() {
                return;
            }
            for seed in 0..40u8 {
                let matrix = Matrix::generate(&Hash::from_bytes([seed | 1; 32])).unwrap();
                let packed = PackedMatrix::new(&matrix);
                let h: [u8; 32] = core::array::from_fn(|i| (i as u8).wrapping_mul(seed | 1).wrapping_add(seed ^ 0xA5));
                for variant in [Variant::Legacy, Variant::Relaunch] {
                    // SAFETY: AVX2 detected above.
                    let fast = unsafe { product_xor_bytes(packed.pairs(), &h, variant) };
                    assert_eq!(fast, matrix.product_xor(&h, variant));
                }
            }
        }
    }
}
