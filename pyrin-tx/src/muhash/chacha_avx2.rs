//! The first six ChaCha20 keystream blocks of a seed with AVX2 (x86-64): twice the speed of
//! the `chacha20` crate for a MuHash element, whose path stays that of every other target
//! and of processors without AVX2.
//!
//! A block's rounds are four chains of dependent additions, xors and rotations, and on the
//! processors we measure (Zen 3) a round is bound by their latency: more chains side by side
//! cost little more time, up to three or so. The crate keeps two blocks in four registers
//! (one 128-bit half each, a row of the 4 × 4 state per register) and runs two such pairs
//! at a time, so it takes two passes for its eight blocks. Here the six blocks are three
//! pairs in one pass, twelve registers with the two rotation masks and two temporaries:
//! nothing spills. (Eight blocks "vertically", one register per state word and one block
//! per lane, needs four chains of sixteen registers, spills, computes two blocks for
//! nothing, and measured a quarter slower.)
//!
//! Between the column and the diagonal rounds, rows a, c and d are rotated rather than b
//! (the same diagonals, one lane over): b is the last row a round finishes, so the
//! shuffles stay off the critical path.
//!
//! # Safety
//!
//! The module's `unsafe` code rests on two invariants:
//!
//! 1. **The instructions exist**: [`keystream_avx2`] (compiled with AVX2) is called only by
//!    [`keystream`], after [`available`] found AVX2 (detected once by the standard library
//!    with `std`, or enabled at compile time without it).
//! 2. **Memory**: the only pointer accesses are the twelve unaligned 32-byte stores of the
//!    output, at `limbs[4·i..4·i + 4]` for `i` in `0..12`, through a pointer taken from a
//!    `&mut [u64; 48]`: every byte written lies inside the array, and `storeu` needs no
//!    alignment.
//!
//! The tests hold it equal to the `chacha20` crate on thousands of seeds and to the RFC 8439
//! vectors.
use core::arch::x86_64::{
    __m256i, _mm256_add_epi32, _mm256_castsi256_si128, _mm256_inserti128_si256, _mm256_or_si256,
    _mm256_permute2x128_si256, _mm256_setr_epi32, _mm256_setr_epi8, _mm256_shuffle_epi32, _mm256_shuffle_epi8,
    _mm256_slli_epi32, _mm256_srli_epi32, _mm256_storeu_si256, _mm256_xor_si256,
};
use core::hint::black_box;

use super::product::LIMBS;

/// "expand 32-byte k", the first row of every block (as the lane values the intrinsics
/// take; every word is below 2^31).
const SIGMA: [i32; 4] = [0x6170_7865, 0x3320_646e, 0x7962_2d32, 0x6b20_6574];

/// Pairs of blocks computed side by side: blocks `2g` and `2g + 1` in pair `g`.
const PAIRS: usize = 3;

/// Whether this processor has AVX2 (`std` asks it once; without `std`, whether the build
/// enabled it).
pub(crate) fn available() -> bool {
    cpu_has!("avx2")
}

/// The first 384 keystream bytes of ChaCha20 keyed by `seed` (zero nonce, counter from 0),
/// as 48 little-endian limbs, or `None` when this processor lacks AVX2.
#[inline]
pub(crate) fn keystream(seed: &[u8; 32]) -> Option<[u64; LIMBS]> {
    if !available() {
        return None;
    }
    // SAFETY: invariant 1, checked just above.
    Some(unsafe { keystream_avx2(seed) })
}

/// Key words `4·half..4·half + 4` of the seed (little-endian).
#[inline(always)]
fn key_row(seed: &[u8; 32], half: usize) -> [i32; 4] {
    let mut row = [0i32; 4];
    for (word, bytes) in row.iter_mut().zip(seed[16 * half..16 * half + 16].chunks_exact(4)) {
        *word = i32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    }
    row
}

/// Blocks 0 to 5 of the keystream: three pairs of blocks, one block per 128-bit half of
/// each row register.
///
/// # Safety
/// The processor has AVX2 ([`available`]).
#[target_feature(enable = "avx2")]
unsafe fn keystream_avx2(seed: &[u8; 32]) -> [u64; LIMBS] {
    // Byte shuffles for the rotations by whole bytes (one instruction instead of three).
    // Hidden from the optimizer: knowing them, it splits the rotation by 16 into two word
    // shuffles and moves the one by 8 across the xor, extra instructions on the two ports
    // that also take every shift.
    let rot16 = black_box(_mm256_setr_epi8(
        2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13, 2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13,
    ));
    let rot8 = black_box(_mm256_setr_epi8(
        3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14, 3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14,
    ));
    let [s0, s1, s2, s3] = SIGMA;
    let row0 = _mm256_setr_epi32(s0, s1, s2, s3, s0, s1, s2, s3);
    let [k0, k1, k2, k3] = key_row(seed, 0);
    let row1 = _mm256_setr_epi32(k0, k1, k2, k3, k0, k1, k2, k3);
    let [k4, k5, k6, k7] = key_row(seed, 1);
    let row2 = _mm256_setr_epi32(k4, k5, k6, k7, k4, k5, k6, k7);
    // The block counter, then the zero nonce.
    let row3 = [
        _mm256_setr_epi32(0, 0, 0, 0, 1, 0, 0, 0),
        _mm256_setr_epi32(2, 0, 0, 0, 3, 0, 0, 0),
        _mm256_setr_epi32(4, 0, 0, 0, 5, 0, 0, 0),
    ];
    let (mut a, mut b, mut c, mut d) = ([row0; PAIRS], [row1; PAIRS], [row2; PAIRS], row3);

    /// Rotates each 32-bit lane left by `n` bits (not a multiple of 8): shift, shift, or.
    macro_rules! rotl {
        ($v:expr, $n:literal) => {
            _mm256_or_si256(_mm256_slli_epi32::<$n>($v), _mm256_srli_epi32::<{ 32 - $n }>($v))
        };
    }
    /// The quarter rounds of all four lanes of the rows, in the three pairs, step by step.
    macro_rules! quarter_rounds {
        () => {
            for g in 0..PAIRS {
                a[g] = _mm256_add_epi32(a[g], b[g]);
                d[g] = _mm256_shuffle_epi8(_mm256_xor_si256(d[g], a[g]), rot16);
            }
            for g in 0..PAIRS {
                c[g] = _mm256_add_epi32(c[g], d[g]);
                b[g] = rotl!(_mm256_xor_si256(b[g], c[g]), 12);
            }
            for g in 0..PAIRS {
                a[g] = _mm256_add_epi32(a[g], b[g]);
                d[g] = _mm256_shuffle_epi8(_mm256_xor_si256(d[g], a[g]), rot8);
            }
            for g in 0..PAIRS {
                c[g] = _mm256_add_epi32(c[g], d[g]);
                b[g] = rotl!(_mm256_xor_si256(b[g], c[g]), 7);
            }
        };
    }

    for _ in 0..10 {
        quarter_rounds!();
        // Lane j of the diagonal round works on a[j-1], b[j], c[j+1], d[j+2].
        for g in 0..PAIRS {
            a[g] = _mm256_shuffle_epi32::<0b10_01_00_11>(a[g]);
            c[g] = _mm256_shuffle_epi32::<0b00_11_10_01>(c[g]);
            d[g] = _mm256_shuffle_epi32::<0b01_00_11_10>(d[g]);
        }
        quarter_rounds!();
        for g in 0..PAIRS {
            a[g] = _mm256_shuffle_epi32::<0b00_11_10_01>(a[g]);
            c[g] = _mm256_shuffle_epi32::<0b10_01_00_11>(c[g]);
            d[g] = _mm256_shuffle_epi32::<0b01_00_11_10>(d[g]);
        }
    }

    let mut limbs = [0u64; LIMBS];
    let out = limbs.as_mut_ptr().cast::<__m256i>();
    for g in 0..PAIRS {
        let r0 = _mm256_add_epi32(a[g], row0);
        let r1 = _mm256_add_epi32(b[g], row1);
        let r2 = _mm256_add_epi32(c[g], row2);
        let r3 = _mm256_add_epi32(d[g], row3[g]);
        // Block 2g is the low halves of the four rows, block 2g + 1 the high halves.
        let halves = [
            _mm256_inserti128_si256::<1>(r0, _mm256_castsi256_si128(r1)),
            _mm256_inserti128_si256::<1>(r2, _mm256_castsi256_si128(r3)),
            _mm256_permute2x128_si256::<0x31>(r0, r1),
            _mm256_permute2x128_si256::<0x31>(r2, r3),
        ];
        for (i, half) in halves.into_iter().enumerate() {
            // SAFETY: invariant 2: `4g + i` < 12.
            unsafe { _mm256_storeu_si256(out.add(4 * g + i), half) };
        }
    }
    limbs
}

#[cfg(test)]
mod tests {
    use super::super::element::expand_portable;
    use super::*;

    /// RFC 8439 A.1 test vectors #1 and #2: the all-zero key's blocks 0 and 1 (zero nonce).
    const ZERO_KEY_BLOCKS_0_1: [u8; 128] = [
        0x76, 0xb8, 0xe0, 0xad, 0xa0, 0xf1, 0x3d, 0x90, 0x40, 0x5d, 0x6a, 0xe5, 0x53, 0x86, 0xbd, 0x28, 0xbd, 0xd2,
        0x19, 0xb8, 0xa0, 0x8d, 0xed, 0x1a, 0xa8, 0x36, 0xef, 0xcc, 0x8b, 0x77, 0x0d, 0xc7, 0xda, 0x41, 0x59, 0x7c,
        0x51, 0x57, 0x48, 0x8d, 0x77, 0x24, 0xe0, 0x3f, 0xb8, 0xd8, 0x4a, 0x37, 0x6a, 0x43, 0xb8, 0xf4, 0x15, 0x18,
        0xa1, 0x1c, 0xc3, 0x87, 0xb6, 0x69, 0xb2, 0xee, 0x65, 0x86, 0x9f, 0x07, 0xe7, 0xbe, 0x55, 0x51, 0x38, 0x7a,
        0x98, 0xba, 0x97, 0x7c, 0x73, 0x2d, 0x08, 0x0d, 0xcb, 0x0f, 0x29, 0xa0, 0x48, 0xe3, 0x65, 0x69, 0x12, 0xc6,
        0x53, 0x3e, 0x32, 0xee, 0x7a, 0xed, 0x29, 0xb7, 0x21, 0x76, 0x9c, 0xe6, 0x4e, 0x43, 0xd5, 0x71, 0x33, 0xb0,
        0x74, 0xd8, 0x39, 0xd5, 0x31, 0xed, 0x1f, 0x28, 0x51, 0x0a, 0xfb, 0x45, 0xac, 0xe1, 0x0a, 0x1f, 0x4b, 0x79,
        0x4d, 0x6f,
    ];

    /// The AVX2 keystream, which must exist on the machines we test on.
    fn fast(seed: &[u8; 32]) -> [u64; LIMBS] {
        keystream(seed).expect("the machines we test on have AVX2: this path must run here")
    }

    #[test]
    fn the_keystream_is_rfc_8439s() {
        let limbs = fast(&[0; 32]);
        let bytes: alloc::vec::Vec<u8> = limbs.iter().flat_map(|limb| limb.to_le_bytes()).collect();
        assert_eq!(bytes[..128], ZERO_KEY_BLOCKS_0_1);
    }

    #[test]
    fn the_avx2_keystream_equals_the_chacha20_crates() {
        assert!(available(), "the machines we test on have AVX2: this path must run here");
        for seed in [[0u8; 32], [0xff; 32]] {
            assert_eq!(fast(&seed), expand_portable(&seed).0);
        }
        let mut state = 0x0123_4567_89ab_cdef_u64;
        for round in 0..5000 {
            let mut seed = [0u8; 32];
            for chunk in seed.chunks_exact_mut(8) {
                state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                chunk.copy_from_slice(&(state ^ (state >> 29)).to_le_bytes());
            }
            // Some seeds with a single bit set, where a wrong rotation shows most plainly.
            if round % 10 == 0 {
                seed = [0; 32];
                seed[(round / 10) % 32] = 1 << (round / 320 % 8);
            }
            assert_eq!(fast(&seed), expand_portable(&seed).0, "round {round}");
        }
    }
}
