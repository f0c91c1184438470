//! The 64×64 nibble matrix product on AVX2: nibble-pair tables, the `vpmaddubsw` loops
//! (in assembly) and the reduction of the row sums. The invariants every `unsafe` block
//! relies on are listed in the `simd` module.

use core::arch::x86_64::*;

use crate::{Variant, LANES};

/// The product of one hash, XORed into it.
// SAFETY contract: the CPU supports AVX2 (invariant 1); `unsafe` so that no safe
// caller can reach AVX2 instructions without that check.
#[inline(always)]
pub(super) unsafe fn product_xor_one(pairs: &[u8; 4096], hash: __m256i, variant: Variant) -> __m256i {
    // SAFETY: only inlined into AVX2 functions (invariant 1); the table comes from
    // `nibble_table1`, as `row_sums1` requires.
    unsafe {
        let table = nibble_table1(hash);
        _mm256_xor_si256(reduce(row_sums1(pairs, &table), variant), hash)
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

/// The (high, low) nibble pair of each of the 32 bytes of `x`, each pair twice in a
/// 32-bit word. Per 128-bit half, result `k` holds bytes `4k..4k + 4` of that half in order.
// SAFETY contract: the CPU supports AVX2 (invariant 1); `unsafe` so that no safe
// caller can reach AVX2 instructions without that check.
#[inline(always)]
unsafe fn doubled_nibble_pairs(x: __m256i) -> [__m256i; 4] {
    // SAFETY: only inlined into AVX2 functions (invariant 1).
    unsafe {
        let low_nibbles = _mm256_set1_epi8(0x0F);
        let hi = _mm256_and_si256(_mm256_srli_epi16::<4>(x), low_nibbles);
        let lo = _mm256_and_si256(x, low_nibbles);
        // Per 128-bit half: `a` holds the pairs of bytes 0-7, `b` of bytes 8-15.
        let a = _mm256_unpacklo_epi8(hi, lo);
        let b = _mm256_unpackhi_epi8(hi, lo);
        [
            _mm256_unpacklo_epi16(a, a),
            _mm256_unpackhi_epi16(a, a),
            _mm256_unpacklo_epi16(b, b),
            _mm256_unpackhi_epi16(b, b),
        ]
    }
}

/// The nibble pairs of eight hashes, as [`doubled_nibble_pairs`] lays them out, so that
/// one `vpbroadcastd` load spreads a pair over a register.
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
        let mut table = [_mm256_setzero_si256(); 32];
        for (chunk, &x) in table.chunks_exact_mut(4).zip(words) {
            // A 32-bit lane of `x` is four bytes of one hash, so result `k` holds lanes
            // `k` and `k + 4`.
            chunk.copy_from_slice(&doubled_nibble_pairs(x));
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
unsafe fn row_sums2(pairs: &[u8; 4096], table: &[__m256i; 32], l0: usize, l1: usize) -> ([__m256i; 4], [__m256i; 4]) {
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
        // Bytes 0-3 | 16-19, 4-7 | 20-23, 8-11 | 24-27, 12-15 | 28-31: put the halves in order.
        let q = doubled_nibble_pairs(hash);
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
pub(super) unsafe fn product_xor8(pairs: &[u8; 4096], words: &[__m256i; 8], variant: Variant) -> [__m256i; 8] {
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

    #[test]
    fn avx2_product_matches_the_plain_one() {
        if !crate::simd::avx2_available() {
            return;
        }
        for seed in 0..40u8 {
            let matrix = Matrix::generate(&pyrin_core::PrePowHash::from_bytes([seed | 1; 32])).unwrap();
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
