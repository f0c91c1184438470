//! The only `unsafe` code of the crate: the AVX2 fast path.
//!
//! Invariants, for every `unsafe` block below:
//! 1. A function marked `#[target_feature(enable = "avx2")]`, and every `#[inline(always)]`
//!    `unsafe fn` helper that uses AVX2 intrinsics or instructions, is only called after
//!    `is_x86_feature_detected!("avx2")` returned true on this CPU ([`avx2_available`],
//!    whose result [`hash_lanes_avx2`] re-checks before calling), or from another function
//!    with the same target feature.
//! 2. Every pointer given to an unaligned load or store points into a Rust array that has
//!    at least 32 bytes from that offset (4 for a `vpbroadcastd`); the offsets are stated
//!    where the reads happen. The 32-byte arrays are read or written whole.
//! 3. The two `asm!` blocks (the product's inner loop and a single `vpshufb`) only read
//!    memory, within the bounds of invariant 2 (`readonly`), never touch the stack
//!    (`nostack`), and name every register they write as an output or a discarded one;
//!    they have no effect besides their outputs (`pure`).
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

/// The final hash of one nonce with the AVX2 product (the two compressions are scalar),
/// or `None` when the CPU lacks AVX2.
pub(crate) fn hash_one_avx2(state: &PowState, nonce: u64) -> Option<[u32; 8]> {
    #[cfg(target_arch = "x86_64")]
    if avx2_available() {
        // SAFETY: invariant 1, AVX2 was just detected.
        return Some(unsafe { x86::hash_one(state, nonce) });
    }
    let _ = (state, nonce);
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
    pub(super) unsafe fn hash_one(state: &PowState, nonce: u64) -> [u32; 8] {
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

    /// BLAKE3's compression of one block (chunk counter 0), the state held as four rows
    /// of four words: each step runs the four G functions of a column (or, after rotating
    /// rows 1-3, of a diagonal) side by side. Returns the first eight output words.
    // SAFETY contract: the CPU supports AVX2 (invariant 1); `unsafe` so that no safe
    // caller can reach AVX2 instructions without that check.
    #[inline(always)]
    unsafe fn compress1(cv: &[u32; 8], m: &[u32; 16], block_len: u32, flags: u32) -> __m256i {
        // SAFETY: only inlined into AVX2 functions (invariant 1); invariant 2 for `cv`.
        unsafe {
            let word = |i: usize| m[i] as i32;
            let mut rows = [
                _mm_loadu_si128(cv.as_ptr().cast()),
                _mm_loadu_si128(cv.as_ptr().add(4).cast()),
                _mm_setr_epi32(IV[0] as i32, IV[1] as i32, IV[2] as i32, IV[3] as i32),
                _mm_setr_epi32(0, 0, block_len as i32, flags as i32),
            ];
            for s in &SCHEDULE {
                let x = _mm_setr_epi32(word(s[0]), word(s[2]), word(s[4]), word(s[6]));
                let y = _mm_setr_epi32(word(s[1]), word(s[3]), word(s[5]), word(s[7]));
                g4(&mut rows, x, y);
                // Rows 1-3 rotated left by 1, 2, 3 words put each diagonal in a column.
                rows[1] = _mm_shuffle_epi32::<0x39>(rows[1]);
                rows[2] = _mm_shuffle_epi32::<0x4E>(rows[2]);
                rows[3] = _mm_shuffle_epi32::<0x93>(rows[3]);
                let x = _mm_setr_epi32(word(s[8]), word(s[10]), word(s[12]), word(s[14]));
                let y = _mm_setr_epi32(word(s[9]), word(s[11]), word(s[13]), word(s[15]));
                g4(&mut rows, x, y);
                rows[1] = _mm_shuffle_epi32::<0x93>(rows[1]);
                rows[2] = _mm_shuffle_epi32::<0x4E>(rows[2]);
                rows[3] = _mm_shuffle_epi32::<0x39>(rows[3]);
            }
            _mm256_set_m128i(_mm_xor_si128(rows[1], rows[3]), _mm_xor_si128(rows[0], rows[2]))
        }
    }

    /// Four G functions at once, one per column of `rows`.
    // SAFETY contract: the CPU supports AVX2 (invariant 1); `unsafe` so that no safe
    // caller can reach AVX2 instructions without that check.
    #[inline(always)]
    unsafe fn g4(rows: &mut [__m128i; 4], x: __m128i, y: __m128i) {
        // SAFETY: only inlined into AVX2 functions (invariant 1).
        unsafe {
            let [mut a, mut b, mut c, mut d] = *rows;
            a = _mm_add_epi32(_mm_add_epi32(a, b), x);
            d = shuffle_bytes128(_mm_xor_si128(d, a), &ROTR16);
            c = _mm_add_epi32(c, d);
            let t = _mm_xor_si128(b, c);
            b = _mm_or_si128(_mm_srli_epi32::<12>(t), _mm_slli_epi32::<20>(t));
            a = _mm_add_epi32(_mm_add_epi32(a, b), y);
            d = shuffle_bytes128(_mm_xor_si128(d, a), &ROTR8);
            c = _mm_add_epi32(c, d);
            let t = _mm_xor_si128(b, c);
            b = _mm_or_si128(_mm_srli_epi32::<7>(t), _mm_slli_epi32::<25>(t));
            *rows = [a, b, c, d];
        }
    }

    /// The product of one hash, XORed into it.
    // SAFETY contract: the CPU supports AVX2 (invariant 1); `unsafe` so that no safe
    // caller can reach AVX2 instructions without that check.
    #[inline(always)]
    unsafe fn product_xor_one(pairs: &[u8; 4096], hash: __m256i, variant: Variant) -> __m256i {
        // SAFETY: only inlined into AVX2 functions (invariant 1); the table comes from
        // `nibble_table1`, as `row_sums1` requires.
        unsafe {
            let table = nibble_table1(hash);
            _mm256_xor_si256(reduce(row_sums1(pairs, &table), variant), hash)
        }
    }

    /// `vpshufb` masks for the byte-aligned rotations.
    const ROTR16: [u8; 32] =
        [2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13, 2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13];
    const ROTR8: [u8; 32] =
        [1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12, 1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12];

    /// One `vpshufb`, hidden from the optimiser: seeing the constant mask, LLVM turns a
    /// 16-bit rotation into two shuffles and folds chains of rotations through the XORs
    /// into more shuffles, on the two ports the shifts also need.
    // SAFETY contract: the CPU supports AVX2 (invariant 1); `unsafe` so that no safe
    // caller can reach AVX2 instructions without that check.
    #[inline]
    #[target_feature(enable = "avx2")]
    unsafe fn shuffle_bytes(x: __m256i, mask: &[u8; 32]) -> __m256i {
        // SAFETY: only inlined into AVX2 functions (invariant 1); reads the 32-byte mask.
        unsafe {
            let out: __m256i;
            core::arch::asm!(
                "vpshufb {o}, {x}, ymmword ptr [{m}]",
                o = lateout(ymm_reg) out,
                x = in(ymm_reg) x,
                m = in(reg) mask.as_ptr(),
                options(pure, readonly, nostack, preserves_flags),
            );
            out
        }
    }

    /// [`shuffle_bytes`] on 128 bits, with the first half of `mask`.
    ///
    /// # Safety
    /// The CPU supports AVX2 (invariant 1).
    #[inline]
    #[target_feature(enable = "avx2")]
    unsafe fn shuffle_bytes128(x: __m128i, mask: &[u8; 32]) -> __m128i {
        // SAFETY: AVX2 per the contract (invariant 1); reads 16 of the mask's 32 bytes.
        unsafe {
            let out: __m128i;
            core::arch::asm!(
                "vpshufb {o}, {x}, xmmword ptr [{m}]",
                o = lateout(xmm_reg) out,
                x = in(xmm_reg) x,
                m = in(reg) mask.as_ptr(),
                options(pure, readonly, nostack, preserves_flags),
            );
            out
        }
    }

    // SAFETY contract: the CPU supports AVX2 (invariant 1); `unsafe` so that no safe
    // caller can reach AVX2 instructions without that check.
    #[inline(always)]
    unsafe fn rotr16(x: __m256i) -> __m256i {
        // SAFETY: only inlined into AVX2 functions (invariant 1).
        unsafe { shuffle_bytes(x, &ROTR16) }
    }

    // SAFETY contract: the CPU supports AVX2 (invariant 1); `unsafe` so that no safe
    // caller can reach AVX2 instructions without that check.
    #[inline(always)]
    unsafe fn rotr8(x: __m256i) -> __m256i {
        // SAFETY: only inlined into AVX2 functions (invariant 1).
        unsafe { shuffle_bytes(x, &ROTR8) }
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

    /// The (high, low) nibble pair of every byte of eight hashes, each pair twice in a
    /// 32-bit word, so that one `vpbroadcastd` load spreads it over a register.
    ///
    /// The input is word-major (`words[w]` holds word `w` of lanes 0-7). Entry `4w + k`
    /// holds lane `k` in its low 128-bit half and lane `k + 4` in its high half, bytes
    /// `4w..4w + 4` of the lane in order: lane `l`, byte `g` sits at byte offset
    /// `128·(g / 4) + 32·(l % 4) + 16·(l / 4) + 4·(g % 4)`.
    // SAFETY contract: the CPU supports AVX2 (invariant 1); `unsafe` so that no safe
    // caller can reach AVX2 instructions without that check.
    #[inline(always)]
    unsafe fn nibble_table(words: &[__m256i; 8]) -> [__m256i; 32] {
        // SAFETY: only inlined into AVX2 functions (invariant 1).
        unsafe {
            let low_nibbles = _mm256_set1_epi8(0x0F);
            let mut table = [_mm256_setzero_si256(); 32];
            for (w, &x) in words.iter().enumerate() {
                let hi = _mm256_and_si256(_mm256_srli_epi16::<4>(x), low_nibbles);
                let lo = _mm256_and_si256(x, low_nibbles);
                // Per 128-bit half: `a` holds the pairs of lanes 0, 1 (4, 5), `b` of 2, 3 (6, 7).
                let a = _mm256_unpacklo_epi8(hi, lo);
                let b = _mm256_unpackhi_epi8(hi, lo);
                table[4 * w] = _mm256_unpacklo_epi16(a, a);
                table[4 * w + 1] = _mm256_unpackhi_epi16(a, a);
                table[4 * w + 2] = _mm256_unpacklo_epi16(b, b);
                table[4 * w + 3] = _mm256_unpackhi_epi16(b, b);
            }
            table
        }
    }

    /// Byte offset of lane `l`'s first nibble pair in a [`nibble_table`].
    const fn table_offset(l: usize) -> usize {
        32 * (l % 4) + 16 * (l / 4)
    }

    /// The 64 row sums of two hashes' products, four registers of sixteen 16-bit sums each.
    ///
    /// Per pair of columns `g`: one `vpbroadcastd` per hash spreads its nibble pair, and
    /// `vpmaddubsw` multiplies each row's two entries by it and adds them, sixteen rows per
    /// instruction; each matrix load serves both hashes. Written in assembly because LLVM,
    /// given the same steps as intrinsics, unrolled all 32 column pairs, hoisted the loads
    /// and spilled the accumulators: the product cost about 60 ns per nonce that way,
    /// against about 28 ns for this loop (perf samples, same benchmark).
    ///
    /// # Safety
    /// The CPU supports AVX2 (invariant 1), `table` was built by [`nibble_table`], and
    /// `l0`, `l1` are below 8. Reads stay inside the arrays (invariant 2): the matrix at
    /// `512·w + 128·b + 32·q` for `w < 8`, `b < 4`, `q < 4` (the last read ends at byte
    /// 4096); the table at `table_offset(l) + 128·w + 4·b`, at most 112 + 896 + 12, plus
    /// 4 bytes (ends at byte 1024).
    #[inline]
    #[target_feature(enable = "avx2")]
    unsafe fn row_sums2(
        pairs: &[u8; 4096],
        table: &[__m256i; 32],
        l0: usize,
        l1: usize,
    ) -> ([__m256i; 4], [__m256i; 4]) {
        debug_assert!(l0 < 8 && l1 < 8);
        let (mut s0, mut s1) = ([_mm256_setzero_si256(); 4], [_mm256_setzero_si256(); 4]);
        let base = table.as_ptr().cast::<u8>();
        // SAFETY: the caller's contract; the pointers and offsets are those it states.
        unsafe {
            core::arch::asm!(
                "2:",
                // Four column pairs per pass: the four bytes of one hash word.
                "vpbroadcastd {n0}, dword ptr [{t0}]",
                "vpbroadcastd {n1}, dword ptr [{t1}]",
                "vmovdqu {m}, ymmword ptr [{mat}]",
                "vpmaddubsw {p0}, {m}, {n0}",
                "vpmaddubsw {p1}, {m}, {n1}",
                "vpaddw {a0}, {a0}, {p0}",
                "vpaddw {b0}, {b0}, {p1}",
                "vmovdqu {m}, ymmword ptr [{mat} + 32]",
                "vpmaddubsw {p0}, {m}, {n0}",
                "vpmaddubsw {p1}, {m}, {n1}",
                "vpaddw {a1}, {a1}, {p0}",
                "vpaddw {b1}, {b1}, {p1}",
                "vmovdqu {m}, ymmword ptr [{mat} + 64]",
                "vpmaddubsw {p0}, {m}, {n0}",
                "vpmaddubsw {p1}, {m}, {n1}",
                "vpaddw {a2}, {a2}, {p0}",
                "vpaddw {b2}, {b2}, {p1}",
                "vmovdqu {m}, ymmword ptr [{mat} + 96]",
                "vpmaddubsw {p0}, {m}, {n0}",
                "vpmaddubsw {p1}, {m}, {n1}",
                "vpaddw {a3}, {a3}, {p0}",
                "vpaddw {b3}, {b3}, {p1}",
                "vpbroadcastd {n0}, dword ptr [{t0} + 4]",
                "vpbroadcastd {n1}, dword ptr [{t1} + 4]",
                "vmovdqu {m}, ymmword ptr [{mat} + 128]",
                "vpmaddubsw {p0}, {m}, {n0}",
                "vpmaddubsw {p1}, {m}, {n1}",
                "vpaddw {a0}, {a0}, {p0}",
                "vpaddw {b0}, {b0}, {p1}",
                "vmovdqu {m}, ymmword ptr [{mat} + 160]",
                "vpmaddubsw {p0}, {m}, {n0}",
                "vpmaddubsw {p1}, {m}, {n1}",
                "vpaddw {a1}, {a1}, {p0}",
                "vpaddw {b1}, {b1}, {p1}",
                "vmovdqu {m}, ymmword ptr [{mat} + 192]",
                "vpmaddubsw {p0}, {m}, {n0}",
                "vpmaddubsw {p1}, {m}, {n1}",
                "vpaddw {a2}, {a2}, {p0}",
                "vpaddw {b2}, {b2}, {p1}",
                "vmovdqu {m}, ymmword ptr [{mat} + 224]",
                "vpmaddubsw {p0}, {m}, {n0}",
                "vpmaddubsw {p1}, {m}, {n1}",
                "vpaddw {a3}, {a3}, {p0}",
                "vpaddw {b3}, {b3}, {p1}",
                "vpbroadcastd {n0}, dword ptr [{t0} + 8]",
                "vpbroadcastd {n1}, dword ptr [{t1} + 8]",
                "vmovdqu {m}, ymmword ptr [{mat} + 256]",
                "vpmaddubsw {p0}, {m}, {n0}",
                "vpmaddubsw {p1}, {m}, {n1}",
                "vpaddw {a0}, {a0}, {p0}",
                "vpaddw {b0}, {b0}, {p1}",
                "vmovdqu {m}, ymmword ptr [{mat} + 288]",
                "vpmaddubsw {p0}, {m}, {n0}",
                "vpmaddubsw {p1}, {m}, {n1}",
                "vpaddw {a1}, {a1}, {p0}",
                "vpaddw {b1}, {b1}, {p1}",
                "vmovdqu {m}, ymmword ptr [{mat} + 320]",
                "vpmaddubsw {p0}, {m}, {n0}",
                "vpmaddubsw {p1}, {m}, {n1}",
                "vpaddw {a2}, {a2}, {p0}",
                "vpaddw {b2}, {b2}, {p1}",
                "vmovdqu {m}, ymmword ptr [{mat} + 352]",
                "vpmaddubsw {p0}, {m}, {n0}",
                "vpmaddubsw {p1}, {m}, {n1}",
                "vpaddw {a3}, {a3}, {p0}",
                "vpaddw {b3}, {b3}, {p1}",
                "vpbroadcastd {n0}, dword ptr [{t0} + 12]",
                "vpbroadcastd {n1}, dword ptr [{t1} + 12]",
                "vmovdqu {m}, ymmword ptr [{mat} + 384]",
                "vpmaddubsw {p0}, {m}, {n0}",
                "vpmaddubsw {p1}, {m}, {n1}",
                "vpaddw {a0}, {a0}, {p0}",
                "vpaddw {b0}, {b0}, {p1}",
                "vmovdqu {m}, ymmword ptr [{mat} + 416]",
                "vpmaddubsw {p0}, {m}, {n0}",
                "vpmaddubsw {p1}, {m}, {n1}",
                "vpaddw {a1}, {a1}, {p0}",
                "vpaddw {b1}, {b1}, {p1}",
                "vmovdqu {m}, ymmword ptr [{mat} + 448]",
                "vpmaddubsw {p0}, {m}, {n0}",
                "vpmaddubsw {p1}, {m}, {n1}",
                "vpaddw {a2}, {a2}, {p0}",
                "vpaddw {b2}, {b2}, {p1}",
                "vmovdqu {m}, ymmword ptr [{mat} + 480]",
                "vpmaddubsw {p0}, {m}, {n0}",
                "vpmaddubsw {p1}, {m}, {n1}",
                "vpaddw {a3}, {a3}, {p0}",
                "vpaddw {b3}, {b3}, {p1}",
                "add {mat}, 512",
                "add {t0}, 128",
                "add {t1}, 128",
                "dec {words:e}",
                "jnz 2b",
                mat = inout(reg) pairs.as_ptr() => _,
                t0 = inout(reg) base.add(table_offset(l0)) => _,
                t1 = inout(reg) base.add(table_offset(l1)) => _,
                words = inout(reg) 8u32 => _,
                a0 = inout(ymm_reg) s0[0],
                a1 = inout(ymm_reg) s0[1],
                a2 = inout(ymm_reg) s0[2],
                a3 = inout(ymm_reg) s0[3],
                b0 = inout(ymm_reg) s1[0],
                b1 = inout(ymm_reg) s1[1],
                b2 = inout(ymm_reg) s1[2],
                b3 = inout(ymm_reg) s1[3],
                n0 = out(ymm_reg) _,
                n1 = out(ymm_reg) _,
                m = out(ymm_reg) _,
                p0 = out(ymm_reg) _,
                p1 = out(ymm_reg) _,
                options(pure, readonly, nostack),
            );
        }
        (s0, s1)
    }

    /// The (high, low) nibble pairs of one hash's bytes, each pair twice in a 32-bit word:
    /// byte `g`'s at byte offset `4g` (128 bytes in all).
    // SAFETY contract: the CPU supports AVX2 (invariant 1); `unsafe` so that no safe
    // caller can reach AVX2 instructions without that check.
    #[inline(always)]
    unsafe fn nibble_table1(hash: __m256i) -> [__m256i; 4] {
        // SAFETY: only inlined into AVX2 functions (invariant 1).
        unsafe {
            let low_nibbles = _mm256_set1_epi8(0x0F);
            let hi = _mm256_and_si256(_mm256_srli_epi16::<4>(hash), low_nibbles);
            let lo = _mm256_and_si256(hash, low_nibbles);
            // Per 128-bit half: `a` holds the pairs of bytes 0-7 (16-23), `b` of 8-15 (24-31).
            let a = _mm256_unpacklo_epi8(hi, lo);
            let b = _mm256_unpackhi_epi8(hi, lo);
            // Bytes 0-3 | 16-19, 4-7 | 20-23, 8-11 | 24-27, 12-15 | 28-31.
            let q = [
                _mm256_unpacklo_epi16(a, a),
                _mm256_unpackhi_epi16(a, a),
                _mm256_unpacklo_epi16(b, b),
                _mm256_unpackhi_epi16(b, b),
            ];
            [
                _mm256_permute2x128_si256::<0x20>(q[0], q[1]),
                _mm256_permute2x128_si256::<0x20>(q[2], q[3]),
                _mm256_permute2x128_si256::<0x31>(q[0], q[1]),
                _mm256_permute2x128_si256::<0x31>(q[2], q[3]),
            ]
        }
    }

    /// The 64 row sums of one hash's product, as [`row_sums2`] computes them for two, the
    /// matrix rows read straight from memory by `vpmaddubsw`.
    ///
    /// # Safety
    /// The CPU supports AVX2 (invariant 1) and `table` was built by [`nibble_table1`].
    /// Reads stay inside the arrays (invariant 2): the matrix as in [`row_sums2`]; the
    /// table at `16·w + 4·b` for `w < 8`, `b < 4`, plus 4 bytes (ends at byte 128).
    #[inline]
    #[target_feature(enable = "avx2")]
    unsafe fn row_sums1(pairs: &[u8; 4096], table: &[__m256i; 4]) -> [__m256i; 4] {
        let mut s = [_mm256_setzero_si256(); 4];
        // SAFETY: the caller's contract; the pointers and offsets are those it states.
        unsafe {
            core::arch::asm!(
                "2:",
                "vpbroadcastd {n}, dword ptr [{t}]",
                "vpmaddubsw {p0}, {n}, ymmword ptr [{mat}]",
                "vpmaddubsw {p1}, {n}, ymmword ptr [{mat} + 32]",
                "vpaddw {a0}, {a0}, {p0}",
                "vpaddw {a1}, {a1}, {p1}",
                "vpmaddubsw {p0}, {n}, ymmword ptr [{mat} + 64]",
                "vpmaddubsw {p1}, {n}, ymmword ptr [{mat} + 96]",
                "vpaddw {a2}, {a2}, {p0}",
                "vpaddw {a3}, {a3}, {p1}",
                "vpbroadcastd {n}, dword ptr [{t} + 4]",
                "vpmaddubsw {p0}, {n}, ymmword ptr [{mat} + 128]",
                "vpmaddubsw {p1}, {n}, ymmword ptr [{mat} + 160]",
                "vpaddw {a0}, {a0}, {p0}",
                "vpaddw {a1}, {a1}, {p1}",
                "vpmaddubsw {p0}, {n}, ymmword ptr [{mat} + 192]",
                "vpmaddubsw {p1}, {n}, ymmword ptr [{mat} + 224]",
                "vpaddw {a2}, {a2}, {p0}",
                "vpaddw {a3}, {a3}, {p1}",
                "vpbroadcastd {n}, dword ptr [{t} + 8]",
                "vpmaddubsw {p0}, {n}, ymmword ptr [{mat} + 256]",
                "vpmaddubsw {p1}, {n}, ymmword ptr [{mat} + 288]",
                "vpaddw {a0}, {a0}, {p0}",
                "vpaddw {a1}, {a1}, {p1}",
                "vpmaddubsw {p0}, {n}, ymmword ptr [{mat} + 320]",
                "vpmaddubsw {p1}, {n}, ymmword ptr [{mat} + 352]",
                "vpaddw {a2}, {a2}, {p0}",
                "vpaddw {a3}, {a3}, {p1}",
                "vpbroadcastd {n}, dword ptr [{t} + 12]",
                "vpmaddubsw {p0}, {n}, ymmword ptr [{mat} + 384]",
                "vpmaddubsw {p1}, {n}, ymmword ptr [{mat} + 416]",
                "vpaddw {a0}, {a0}, {p0}",
                "vpaddw {a1}, {a1}, {p1}",
                "vpmaddubsw {p0}, {n}, ymmword ptr [{mat} + 448]",
                "vpmaddubsw {p1}, {n}, ymmword ptr [{mat} + 480]",
                "vpaddw {a2}, {a2}, {p0}",
                "vpaddw {a3}, {a3}, {p1}",
                "add {mat}, 512",
                "add {t}, 16",
                "dec {words:e}",
                "jnz 2b",
                mat = inout(reg) pairs.as_ptr() => _,
                t = inout(reg) table.as_ptr() => _,
                words = inout(reg) 8u32 => _,
                a0 = inout(ymm_reg) s[0],
                a1 = inout(ymm_reg) s[1],
                a2 = inout(ymm_reg) s[2],
                a3 = inout(ymm_reg) s[3],
                n = out(ymm_reg) _,
                p0 = out(ymm_reg) _,
                p1 = out(ymm_reg) _,
                options(pure, readonly, nostack),
            );
        }
        s
    }

    /// Reduces the 64 row sums (four registers of sixteen) by `variant` and packs them into
    /// the 32 bytes of the product vector.
    // SAFETY contract: the CPU supports AVX2 (invariant 1); `unsafe` so that no safe
    // caller can reach AVX2 instructions without that check.
    #[inline(always)]
    unsafe fn reduce(sums: [__m256i; 4], variant: Variant) -> __m256i {
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
            _mm256_permutevar8x32_epi32(packed, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7))
        }
    }

    /// The matrix products of eight hashes, XORed into them: word-major in, word-major out.
    // SAFETY contract: the CPU supports AVX2 (invariant 1); `unsafe` so that no safe
    // caller can reach AVX2 instructions without that check.
    #[inline(always)]
    unsafe fn product_xor8(pairs: &[u8; 4096], words: &[__m256i; 8], variant: Variant) -> [__m256i; 8] {
        // SAFETY: only inlined into AVX2 functions (invariant 1); `row_sums2` gets a table
        // from `nibble_table` and lanes below 8.
        unsafe {
            let table = nibble_table(words);
            let mut products = [_mm256_setzero_si256(); LANES];
            // Loops, not closures: a closure would be compiled without AVX2.
            for l in (0..LANES).step_by(2) {
                let (s0, s1) = row_sums2(pairs, &table, l, l + 1);
                products[l] = reduce(s0, variant);
                products[l + 1] = reduce(s1, variant);
            }
            let mut mixed = transpose8x8(&products);
            for (m, w) in mixed.iter_mut().zip(words) {
                *m = _mm256_xor_si256(*m, *w);
            }
            mixed
        }
    }

    /// The products of eight 32-byte hashes, for the tests.
    ///
    /// # Safety
    /// The CPU supports AVX2 (invariant 1).
    #[cfg(test)]
    #[target_feature(enable = "avx2")]
    unsafe fn product_xor_lanes(pairs: &[u8; 4096], hashes: &[[u8; 32]; LANES], variant: Variant) -> [[u8; 32]; LANES] {
        let mut words = [_mm256_setzero_si256(); 8];
        for (w, v) in words.iter_mut().enumerate() {
            let lanes: [u32; LANES] = core::array::from_fn(|l| {
                u32::from_le_bytes([hashes[l][4 * w], hashes[l][4 * w + 1], hashes[l][4 * w + 2], hashes[l][4 * w + 3]])
            });
            // SAFETY: invariant 2, a [u32; 8] is 32 bytes.
            *v = unsafe { _mm256_loadu_si256(lanes.as_ptr().cast()) };
        }
        // SAFETY: AVX2 per the caller (invariant 1).
        let mixed = unsafe { product_xor8(pairs, &words, variant) };
        let mut out = [[0u8; 32]; LANES];
        for (w, v) in mixed.iter().enumerate() {
            let mut lanes = [0u32; LANES];
            // SAFETY: invariant 2, a [u32; 8] is 32 bytes.
            unsafe { _mm256_storeu_si256(lanes.as_mut_ptr().cast(), *v) };
            for (o, lane) in out.iter_mut().zip(lanes) {
                o[4 * w..4 * w + 4].copy_from_slice(&lane.to_le_bytes());
            }
        }
        out
    }

    /// The one-hash product on 32-byte arrays, for the tests.
    ///
    /// # Safety
    /// The CPU supports AVX2 (invariant 1).
    #[cfg(test)]
    #[target_feature(enable = "avx2")]
    unsafe fn product_xor_one_bytes(pairs: &[u8; 4096], hash: &[u8; 32], variant: Variant) -> [u8; 32] {
        let mut out = [0u8; 32];
        // SAFETY: AVX2 per the contract (invariant 1); invariant 2, both arrays are 32 bytes.
        unsafe {
            let h = _mm256_loadu_si256(hash.as_ptr().cast());
            _mm256_storeu_si256(out.as_mut_ptr().cast(), product_xor_one(pairs, h, variant));
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
                let hashes: [[u8; 32]; LANES] = core::array::from_fn(|l| {
                    core::array::from_fn(|i| {
                        (i as u8).wrapping_mul(seed | 1).wrapping_add(seed ^ 0xA5 ^ (l as u8).wrapping_mul(37))
                    })
                });
                for variant in [Variant::Legacy, Variant::Relaunch] {
                    // SAFETY: AVX2 detected above.
                    let fast = unsafe { product_xor_lanes(packed.pairs(), &hashes, variant) };
                    for (f, h) in fast.iter().zip(&hashes) {
                        assert_eq!(*f, matrix.product_xor(h, variant));
                        // SAFETY: AVX2 detected above.
                        assert_eq!(unsafe { product_xor_one_bytes(packed.pairs(), h, variant) }, *f);
                    }
                }
            }
        }
    }
}
