//! The 64×64 matrix of nibbles drawn per template, its rank test and the plain product.

use pyrin_core::PrePowHash;

use crate::{xoshiro::Xoshiro256PlusPlus, Backend, PowError, Variant};

/// Matrix side length.
pub const SIZE: usize = 64;

/// A 64×64 matrix of 4-bit entries (each stored in a `u8`, row by row).
#[derive(Clone, PartialEq, Eq)]
pub struct Matrix {
    rows: [[u8; SIZE]; SIZE],
}

impl core::fmt::Debug for Matrix {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Matrix").field("first_row", &self.rows[0]).finish_non_exhaustive()
    }
}

impl Matrix {
    /// The matrix the network derives from a pre-PoW hash: xoshiro256++ seeded with the
    /// hash fills the matrix row by row, sixteen nibbles per draw taken from the lowest up;
    /// a matrix of rank below 64 is thrown away and a new one drawn from the continuing
    /// generator.
    ///
    /// The all-zero hash is refused: xoshiro256++ seeded with zeros draws zeros forever,
    /// so no full-rank matrix ever comes (the reference node would loop). Every other seed
    /// starts a cycle of period 2^256 − 1, and a rank-deficient draw is rare.
    ///
    /// # Errors
    /// [`PowError::ZeroPrePowHash`] for the all-zero hash.
    pub fn generate(pre_pow_hash: &PrePowHash) -> Result<Self, PowError> {
        if pre_pow_hash.is_zero() {
            return Err(PowError::ZeroPrePowHash);
        }
        let mut generator = Xoshiro256PlusPlus::new(pre_pow_hash.as_raw_hash());
        loop {
            let matrix = Self::draw(&mut generator);
            if matrix.rank() == SIZE {
                return Ok(matrix);
            }
        }
    }

    fn draw(generator: &mut Xoshiro256PlusPlus) -> Self {
        let mut rows = [[0u8; SIZE]; SIZE];
        for row in rows.iter_mut() {
            for group in row.chunks_exact_mut(16) {
                let word = generator.next_u64();
                for (j, entry) in group.iter_mut().enumerate() {
                    *entry = ((word >> (4 * j)) & 0xF) as u8;
                }
            }
        }
        Self { rows }
    }

    /// Builds a matrix from explicit rows; entries above 15 are reduced to their low nibble.
    pub fn from_rows(mut rows: [[u8; SIZE]; SIZE]) -> Self {
        rows.iter_mut().flatten().for_each(|e| *e &= 0xF);
        Self { rows }
    }

    /// The rows.
    pub fn rows(&self) -> &[[u8; SIZE]; SIZE] {
        &self.rows
    }

    /// The rank as the reference computes it: Gaussian elimination in `f64` where a pivot
    /// counts when its magnitude exceeds 1e-9. Consensus depends on this exact procedure
    /// (including its rounding), not on the true rank.
    ///
    /// Runs the same elimination four columns at a time on AVX2 when [`Backend::detect`]
    /// picks it (separate multiplies and subtractions, never fused, so every rounding is
    /// the reference's); [`Matrix::rank_plain`] is the straightforward twin.
    pub fn rank(&self) -> usize {
        match Backend::detect() {
            Backend::Avx2 => crate::simd::rank_avx2(self).unwrap_or_else(|| self.rank_fixed_width()),
            Backend::Portable => self.rank_fixed_width(),
        }
    }

    /// [`Matrix::rank`] without SIMD: the reference's loops exactly as written, kept as
    /// the plain twin that tests hold the fast elimination to.
    pub fn rank_plain(&self) -> usize {
        const EPS: f64 = 1e-9;
        let mut m = self.to_f64();
        let mut rank = 0;
        let mut row_used = [false; SIZE];
        for col in 0..SIZE {
            let Some(pivot) = (0..SIZE).find(|&r| !row_used[r] && m[r][col].abs() > EPS) else {
                continue;
            };
            rank += 1;
            row_used[pivot] = true;
            let pivot_value = m[pivot][col];
            for entry in &mut m[pivot][col + 1..] {
                *entry /= pivot_value;
            }
            let pivot_row = m[pivot];
            for (k, row) in m.iter_mut().enumerate() {
                let factor = row[col];
                if k != pivot && factor.abs() > EPS {
                    for p in col + 1..SIZE {
                        row[p] -= pivot_row[p] * factor;
                    }
                }
            }
        }
        rank
    }

    fn to_f64(&self) -> [[f64; SIZE]; SIZE] {
        let mut m = [[0f64; SIZE]; SIZE];
        for (dst, src) in m.iter_mut().zip(&self.rows) {
            for (d, &s) in dst.iter_mut().zip(src) {
                *d = f64::from(s);
            }
        }
        m
    }

    /// The elimination of [`Matrix::rank_plain`] with each row update starting at a
    /// multiple of four columns, so that it runs in whole vector lanes, and only on rows
    /// not yet used as pivots. The extra columns it touches (at most three, all at or
    /// before the pivot column) and the used rows it leaves alone are never read again,
    /// so every value that decides a pivot is bit-for-bit the plain one's.
    #[inline(always)]
    pub(crate) fn rank_fixed_width(&self) -> usize {
        const EPS: f64 = 1e-9;
        let mut m = self.to_f64();
        let mut rank = 0;
        let mut row_used = [false; SIZE];
        for col in 0..SIZE {
            let Some(pivot) = (0..SIZE).find(|&r| !row_used[r] && m[r][col].abs() > EPS) else {
                continue;
            };
            rank += 1;
            row_used[pivot] = true;
            let pivot_value = m[pivot][col];
            for entry in &mut m[pivot][col + 1..] {
                *entry /= pivot_value;
            }
            let pivot_row = m[pivot];
            let from = (col + 1) & !3;
            for (k, row) in m.iter_mut().enumerate() {
                let factor = row[col];
                // Rows already used as pivots (this one included) are never read again:
                // the reference still updates them, but skipping them changes nothing.
                if !row_used[k] && factor.abs() > EPS {
                    for (r, p) in row[from..].iter_mut().zip(&pivot_row[from..]) {
                        *r -= p * factor;
                    }
                }
            }
        }
        rank
    }

    /// The plain heavy-hash step, one entry at a time: the matrix times the 64 nibbles of
    /// `pow_hash` (high nibble of each byte first), each pair of row sums reduced by
    /// `variant` into one byte, XORed with `pow_hash`. The result is what the final BLAKE3
    /// hashes. This is the reference the fast paths are tested against.
    pub fn product_xor(&self, pow_hash: &[u8; 32], variant: Variant) -> [u8; 32] {
        let mut nibbles = [0u16; SIZE];
        for (i, &b) in pow_hash.iter().enumerate() {
            nibbles[2 * i] = u16::from(b >> 4);
            nibbles[2 * i + 1] = u16::from(b & 0xF);
        }
        let row_sum = |r: usize| -> u16 { self.rows[r].iter().zip(&nibbles).map(|(&m, &v)| u16::from(m) * v).sum() };
        let mut out = [0u8; 32];
        for (i, o) in out.iter_mut().enumerate() {
            let hi = variant.reduce(row_sum(2 * i));
            let lo = variant.reduce(row_sum(2 * i + 1));
            *o = ((hi << 4) | lo) ^ pow_hash[i];
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_like_matrices_have_full_rank_and_zero_does_not() {
        let mut rows = [[0u8; SIZE]; SIZE];
        assert_eq!(Matrix::from_rows(rows).rank(), 0);
        for (i, row) in rows.iter_mut().enumerate() {
            row[i] = 1 + (i % 15) as u8;
        }
        assert_eq!(Matrix::from_rows(rows).rank(), SIZE);
        rows[5] = rows[4];
        assert_eq!(Matrix::from_rows(rows).rank(), SIZE - 1);
    }

    #[test]
    fn fast_rank_equals_the_plain_rank_on_random_and_deficient_matrices() {
        let mut generator = Xoshiro256PlusPlus::new(&pyrin_core::Hash::from_bytes([3; 32]));
        for trial in 0..200 {
            let mut m = Matrix::draw(&mut generator);
            // Copies and sums of rows make rank-deficient matrices, a few of them each.
            for d in 0..trial % 4 {
                let (a, b) = ((trial * 7 + d) % SIZE, (trial * 13 + 5 * d + 1) % SIZE);
                if trial % 2 == 0 {
                    m.rows[a] = m.rows[b];
                } else {
                    m.rows[a] = core::array::from_fn(|i| m.rows[b][i] & 0x7);
                }
            }
            assert_eq!(m.rank(), m.rank_plain(), "trial {trial}");
            assert_eq!(m.rank_fixed_width(), m.rank_plain(), "trial {trial}");
        }
    }

    #[test]
    fn generated_matrices_are_full_rank_nibbles() {
        assert_eq!(Matrix::generate(&PrePowHash::from_bytes([0; 32])), Err(PowError::ZeroPrePowHash));
        let m = Matrix::generate(&PrePowHash::from_bytes([7; 32])).unwrap();
        assert_eq!(m.rank(), SIZE);
        assert!(m.rows().iter().flatten().all(|&e| e < 16));
    }
}
