//! BLAKE3's compression on AVX2: eight blocks side by side in the lanes of sixteen
//! registers, or one block row-wise (four columns per SSE register). The invariants every
//! `unsafe` block relies on are listed in the `simd` module.

use core::arch::x86_64::*;

use crate::blake3_lanes::IV;

/// BLAKE3's compression of one block (chunk counter 0), the state held as four rows
/// of four words: each step runs the four G functions of a column (or, after rotating
/// rows 1-3, of a diagonal) side by side. Returns the first eight output words.
// SAFETY contract: the CPU supports AVX2 (invariant 1); `unsafe` so that no safe
// caller can reach AVX2 instructions without that check.
#[inline(always)]
pub(super) unsafe fn compress1(cv: &[u32; 8], m: &[u32; 16], block_len: u32, flags: u32) -> __m256i {
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
pub(super) unsafe fn compress8(cv: &[__m256i; 8], m: &[__m256i; 16], block_len: u32, flags: u32) -> [__m256i; 8] {
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
