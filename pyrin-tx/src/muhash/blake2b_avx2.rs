//! BLAKE2b's compression function with AVX2 (x86-64): the 16-word work vector as four
//! 256-bit rows, G on four columns (then four diagonals) at once. The scalar compress of
//! [`super::blake2b`] stays the compile-time and portable path.
//!
//! Moving from columns to diagonals, the usual layout rotates rows b, c and d by one, two
//! and three lanes; here row b stays in place and a, c and d move instead. Row b is the last
//! one G writes and the first the next step reads (`a += b`), so a move of b would sit on
//! the round's critical path twice; a, c and d are written a few instructions earlier, and
//! their moves run while b is still being computed. Each row holds its words in the lane
//! order 0, 2, 1, 3, so that d's move by two words stays within the 128-bit halves, and a's
//! and c's moves by one are a swap of the halves and an in-half shuffle (4 cycles): a
//! lane-crossing `vpermq` takes about 8 cycles on Zen 3, more than the rows' slack. The
//! message words are gathered in the matching lane order.
//!
//! One block then takes about 0.9 times the scalar compression's time on Zen 3: G's chain
//! of dependent instructions (26 cycles a round) bounds a single block, where the scalar
//! code is bound by its instruction count.
//!
//! # Safety
//!
//! The module's `unsafe` is the call into [`compress_avx2`], a `#[target_feature(enable =
//! "avx2")]` function, and the `asm!` blocks inside it. Their invariants:
//!
//! 1. **The instructions exist**: [`compress`] calls it only after [`available`] found AVX2
//!    (detected once by the standard library with `std`, or enabled at compile time
//!    without it), and [`compress`] is the only caller.
//! 2. **No memory access through pointers**: the function reads the block with
//!    `u64::from_le_bytes`, builds its vectors with `_mm256_setr_epi64x` and reads them
//!    back with `_mm256_extract_epi64`; every intrinsic it calls is a value operation
//!    (safe to call in an AVX2 function since Rust 1.87; an `unsafe fn` here only so that
//!    our minimum Rust, 1.85, accepts the same code).
//! 3. **The `asm!` blocks** are each one AVX2 instruction (`vperm2i128`) from a vector
//!    register to a vector register: no memory (`nomem`), no stack (`nostack`), flags kept
//!    (`preserves_flags`), the output declared.
//!
//! The tests hold it equal to the scalar compress on thousands of random chain values,
//! blocks, counters and last-block flags, and run it on this machine.

use core::arch::x86_64::{
    __m256i, _mm256_add_epi64, _mm256_castpd_si256, _mm256_castsi256_pd, _mm256_extract_epi64, _mm256_permute_pd,
    _mm256_setr_epi64x, _mm256_setr_epi8, _mm256_shuffle_epi32, _mm256_shuffle_epi8, _mm256_srli_epi64,
    _mm256_xor_si256,
};

use super::blake2b::{BLOCK, IV, SIGMA};

/// Whether this processor has AVX2 (`std` asks it once and caches it; without `std`,
/// whether the build enabled it).
#[inline]
pub(crate) fn available() -> bool {
    cpu_has!("avx2")
}

/// Compresses one block into `h` with AVX2 and returns `true`, or returns `false` and leaves
/// `h` alone when this processor lacks AVX2. The arguments are the scalar compress's.
#[inline]
pub(crate) fn compress(h: &mut [u64; 8], block: &[u8; BLOCK], t: u128, last: bool) -> bool {
    if !available() {
        return false;
    }
    // SAFETY: invariant 1: AVX2 was just found; the function touches no memory through
    // pointers (invariant 2).
    unsafe { compress_avx2(h, block, t, last) };
    true
}

/// The words of `x` as `i64`, the type `_mm256_setr_epi64x` takes (a bit cast).
#[inline(always)]
const fn word(x: u64) -> i64 {
    x as i64
}

/// The bits of a lane read back as `u64` (a bit cast).
#[inline(always)]
const fn unword(x: i64) -> u64 {
    x as u64
}

/// The compression (see [`compress`]).
///
/// # Safety
/// The processor has AVX2 ([`available`]).
#[target_feature(enable = "avx2")]
unsafe fn compress_avx2(h: &mut [u64; 8], block: &[u8; BLOCK], t: u128, last: bool) {
    let mut m = [0u64; 16];
    for (word, bytes) in m.iter_mut().zip(block.chunks_exact(8)) {
        let mut le = [0u8; 8];
        le.copy_from_slice(bytes);
        *word = u64::from_le_bytes(le);
    }
    // Byte shuffles rotating each 64-bit lane right by 24 and by 16 bits. The second mask is
    // hidden from LLVM, which would otherwise turn its `vpshufb` into `vpshuflw` and
    // `vpshufhw`: one more cycle on the critical path, 24 times a block (about 5% here).
    let rot24 = _mm256_setr_epi8(
        3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10, 3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10,
    );
    let rot16 = core::hint::black_box(_mm256_setr_epi8(
        2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9, 2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9,
    ));

    // Each row holds its words 0, 2, 1, 3 in lanes 0 to 3 (see the module documentation).
    let h_low = _mm256_setr_epi64x(word(h[0]), word(h[2]), word(h[1]), word(h[3]));
    let h_high = _mm256_setr_epi64x(word(h[4]), word(h[6]), word(h[5]), word(h[7]));
    let mut a = h_low;
    let mut b = h_high;
    let mut c = _mm256_setr_epi64x(word(IV[0]), word(IV[2]), word(IV[1]), word(IV[3]));
    let mut d = _mm256_setr_epi64x(
        word(IV[4] ^ t as u64),
        word(if last { !IV[6] } else { IV[6] }),
        word(IV[5] ^ (t >> 64) as u64),
        word(IV[7]),
    );

    // Four message words of round `r` by their places in its schedule, lane 0 first.
    macro_rules! words {
        ($r:expr, $i0:expr, $i1:expr, $i2:expr, $i3:expr) => {
            _mm256_setr_epi64x(
                word(m[SIGMA[$r][$i0]]),
                word(m[SIGMA[$r][$i1]]),
                word(m[SIGMA[$r][$i2]]),
                word(m[SIGMA[$r][$i3]]),
            )
        };
    }
    // Half of G on all four lanes: `x` the message words, then the two rotations.
    macro_rules! half_g {
        ($x:expr, $rot_d:ident, $rot_b:ident) => {
            // `a + x` first: `a` is ready before `b`, which is on the critical path.
            a = _mm256_add_epi64(_mm256_add_epi64(a, $x), b);
            d = $rot_d!(_mm256_xor_si256(d, a));
            c = _mm256_add_epi64(c, d);
            b = $rot_b!(_mm256_xor_si256(b, c));
        };
    }
    // The rotations right of each 64-bit lane (by 63: x + x is x << 1).
    macro_rules! rotr32 {
        ($x:expr) => {
            _mm256_shuffle_epi32($x, 0b10_11_00_01)
        };
    }
    macro_rules! rotr24 {
        ($x:expr) => {
            _mm256_shuffle_epi8($x, rot24)
        };
    }
    macro_rules! rotr16 {
        ($x:expr) => {
            _mm256_shuffle_epi8($x, rot16)
        };
    }
    macro_rules! rotr63 {
        ($x:expr) => {{
            let x = $x;
            _mm256_xor_si256(_mm256_srli_epi64(x, 63), _mm256_add_epi64(x, x))
        }};
    }
    // The lane moves of the diagonal steps. With the rows' words in the order 0, 2, 1, 3, a
    // move by two words stays within each 128-bit half (`vpshufd`, 1 cycle), and a move by
    // one is a swap of the halves (`vperm2i128`, 3 cycles) and an in-half `vpermilpd` (1
    // cycle). A single lane-crossing `vpermq` takes about 8 cycles on Zen 3, more than a
    // row's slack. The swap is written in assembly: LLVM would merge the pair back into one
    // `vpermq`.
    macro_rules! halves_swapped {
        ($x:expr) => {{
            let x: __m256i = $x;
            let swapped: __m256i;
            // SAFETY: invariant 3: one AVX2 instruction from register to register.
            unsafe {
                core::arch::asm!(
                    "vperm2i128 {out}, {x}, {x}, 1",
                    x = in(ymm_reg) x,
                    out = lateout(ymm_reg) swapped,
                    options(pure, nomem, nostack, preserves_flags),
                );
            }
            swapped
        }};
    }
    macro_rules! words_up {
        // Word j takes word j - 1's place: lanes [x0, x2, x1, x3] to [x3, x1, x0, x2].
        ($x:expr) => {
            _mm256_castpd_si256(_mm256_permute_pd(_mm256_castsi256_pd(halves_swapped!($x)), 0b1001))
        };
    }
    macro_rules! words_down {
        // Word j takes word j + 1's place: lanes [x0, x2, x1, x3] to [x1, x3, x2, x0].
        ($x:expr) => {
            _mm256_castpd_si256(_mm256_permute_pd(_mm256_castsi256_pd(halves_swapped!($x)), 0b0110))
        };
    }
    macro_rules! words_by_two {
        // Word j takes word j + 2's place: lanes [x0, x2, x1, x3] to [x2, x0, x3, x1].
        ($x:expr) => {
            _mm256_shuffle_epi32($x, 0b01_00_11_10)
        };
    }
    // One round. Columns: the lane of word j of b holds column j. Diagonals: row b stays,
    // and the lane of its word j holds the diagonal through it (4 + j), i.e. G number 8, 5,
    // 6, 7 of the schedule for j = 0 to 3; a, c and d move to meet it (a's word j - 1, c's
    // word j + 1, d's word j + 2).
    macro_rules! round {
        ($r:expr) => {
            half_g!(words!($r, 0, 4, 2, 6), rotr32, rotr24);
            half_g!(words!($r, 1, 5, 3, 7), rotr16, rotr63);
            a = words_up!(a);
            c = words_down!(c);
            d = words_by_two!(d);
            half_g!(words!($r, 14, 10, 8, 12), rotr32, rotr24);
            half_g!(words!($r, 15, 11, 9, 13), rotr16, rotr63);
            a = words_down!(a);
            c = words_up!(c);
            d = words_by_two!(d);
        };
    }
    round!(0);
    round!(1);
    round!(2);
    round!(3);
    round!(4);
    round!(5);
    round!(6);
    round!(7);
    round!(8);
    round!(9);
    round!(10);
    round!(11);

    let low = _mm256_xor_si256(h_low, _mm256_xor_si256(a, c));
    let high = _mm256_xor_si256(h_high, _mm256_xor_si256(b, d));
    *h = [
        unword(_mm256_extract_epi64(low, 0)),
        unword(_mm256_extract_epi64(low, 2)),
        unword(_mm256_extract_epi64(low, 1)),
        unword(_mm256_extract_epi64(low, 3)),
        unword(_mm256_extract_epi64(high, 0)),
        unword(_mm256_extract_epi64(high, 2)),
        unword(_mm256_extract_epi64(high, 1)),
        unword(_mm256_extract_epi64(high, 3)),
    ];
}

#[cfg(test)]
mod tests {
    use super::super::blake2b::compress as scalar_compress;
    use super::*;

    /// The next value of a fixed 64-bit generator (xorshift-multiply).
    fn next(seed: &mut u64) -> u64 {
        *seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        *seed ^ (*seed >> 29)
    }

    #[test]
    fn the_avx2_compress_equals_the_scalar_compress() {
        #[cfg(feature = "std")]
        assert!(available(), "the machines we test on have AVX2: this path must run here");
        if !available() {
            return;
        }
        let mut seed = 3;
        for round in 0..5000u32 {
            let mut h = [0u64; 8];
            h.iter_mut().for_each(|w| *w = next(&mut seed));
            let mut block = [0u8; BLOCK];
            for chunk in block.chunks_exact_mut(8) {
                chunk.copy_from_slice(&next(&mut seed).to_le_bytes());
            }
            // Counters of every size, the 128-bit high half included, and extreme blocks.
            let t = match round % 4 {
                0 => u128::from(next(&mut seed) % 4096),
                1 => u128::from(next(&mut seed)),
                2 => (u128::from(next(&mut seed)) << 64) | u128::from(next(&mut seed)),
                _ => u128::MAX - u128::from(round),
            };
            match round % 7 {
                0 => block = [0; BLOCK],
                1 => block = [0xff; BLOCK],
                _ => {}
            }
            let last = round % 3 == 0;
            let mut fast = h;
            assert!(compress(&mut fast, &block, t, last));
            let mut slow = h;
            scalar_compress(&mut slow, &block, t, last);
            assert_eq!(fast, slow, "round {round}");
        }
    }
}
