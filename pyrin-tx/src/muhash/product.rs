//! Full products of two 3072-bit numbers (48 little-endian u64 limbs each, 96 limbs out).
//!
//! [`karatsuba_48`] is the fast path: two levels of subtractive Karatsuba (48 → 24 → 12
//! limbs, three half-size products per level instead of four) over a 12 × 12-limb
//! product-scanning ("Comba") base case. [`schoolbook_48`] is its plain twin, limb by limb;
//! the tests hold the two equal.
//!
//! Everything is safe, portable Rust. The base case keeps two independent 128-bit column
//! sums (the low and the high halves of the partial products) so that the carry chains stay
//! short, and is written with constant loop bounds so that the compiler unrolls it.

/// Limbs of a 3072-bit number.
pub(crate) const LIMBS: usize = 48;

/// One column of an `N`-limb product: the sums of the low and of the high 64-bit halves of
/// every `a[i] · b[K - i]`. Both fit in a u128 (at most `N` terms below 2^64 each).
#[inline(always)]
fn column<const N: usize, const K: usize>(a: &[u64; N], b: &[u64; N]) -> (u128, u128) {
    let mut lo: u128 = 0;
    let mut hi: u128 = 0;
    for i in 0..N {
        if i <= K && K - i < N {
            let p = u128::from(a[i]) * u128::from(b[K - i]);
            lo += u128::from(p as u64);
            hi += p >> 64;
        }
    }
    (lo, hi)
}

/// Declares a product-scanning `N × N`-limb product over the listed columns `0..2N-1`.
macro_rules! comba {
    ($name:ident, $n:literal, [$($k:literal)*]) => {
        /// The `N × N`-limb product by columns.
        #[inline(never)]
        fn $name(a: &[u64; $n], b: &[u64; $n], out: &mut [u64; 2 * $n]) {
            // What column k receives from below, and the high halves of column k-1's products
            // (which belong one limb up).
            let mut carry: u128 = 0;
            let mut high: u128 = 0;
            $(
                let (lo, hi) = column::<$n, $k>(a, b);
                let t = lo + carry + u128::from(high as u64);
                out[$k] = t as u64;
                carry = (t >> 64) + (high >> 64);
                high = hi;
            )*
            // The top limb: the product is below 2^(128N), so this is exact.
            out[2 * $n - 1] = (carry + high) as u64;
        }
    };
}

comba!(comba_12, 12, [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22]);

/// `|x - y|` into `diff`, and whether `y > x`.
#[inline(always)]
pub(crate) fn abs_diff<const H: usize>(x: &[u64; H], y: &[u64; H], diff: &mut [u64; H]) -> bool {
    // Random operands differ in their top limb: one comparison, then one subtraction.
    let mut y_larger = false;
    for i in (0..H).rev() {
        if x[i] != y[i] {
            y_larger = x[i] < y[i];
            break;
        }
    }
    let (big, small) = if y_larger { (y, x) } else { (x, y) };
    let mut borrow = false;
    for i in 0..H {
        let (d, b1) = big[i].overflowing_sub(small[i]);
        let (d, b2) = d.overflowing_sub(u64::from(borrow));
        diff[i] = d;
        borrow = b1 | b2;
    }
    y_larger
}

/// Declares one Karatsuba level: an `N × N`-limb product from three `N/2 × N/2` ones.
///
/// With `a = a0 + a1·B` and `b = b0 + b1·B` (`B = 2^(64·N/2)`):
/// `a·b = z0 + (z0 + z2 + (a0 - a1)(b1 - b0))·B + z2·B²`, where `z0 = a0·b0` and
/// `z2 = a1·b1`. The middle product is taken on magnitudes, its sign applied after.
macro_rules! karatsuba {
    ($name:ident, $n:literal, $half:path) => {
        /// The `N × N`-limb product by one Karatsuba step.
        #[inline(never)]
        fn $name(a: &[u64; $n], b: &[u64; $n], out: &mut [u64; 2 * $n]) {
            const H: usize = $n / 2;
            let mut a0 = [0u64; H];
            let mut a1 = [0u64; H];
            let mut b0 = [0u64; H];
            let mut b1 = [0u64; H];
            for i in 0..H {
                a0[i] = a[i];
                a1[i] = a[H + i];
                b0[i] = b[i];
                b1[i] = b[H + i];
            }
            let mut z0 = [0u64; 2 * H];
            let mut z2 = [0u64; 2 * H];
            let mut t = [0u64; 2 * H];
            $half(&a0, &b0, &mut z0);
            $half(&a1, &b1, &mut z2);
            let mut da = [0u64; H];
            let mut db = [0u64; H];
            let a_negative = $crate::muhash::product::abs_diff(&a0, &a1, &mut da);
            let b_negative = $crate::muhash::product::abs_diff(&b1, &b0, &mut db);
            $half(&da, &db, &mut t);
            // (a0 - a1)(b1 - b0) = ±t; a negative t is added as its complement !t + 1, which
            // adds B² too much: taken back at the top below.
            let negative = a_negative != b_negative;
            let flip = if negative { u64::MAX } else { 0 };
            out[..H].copy_from_slice(&z0[..H]);
            let mut carry: u128 = u128::from(negative);
            for i in 0..2 * H {
                let k = H + i;
                let here = if k < 2 * H { z0[k] } else { z2[k - 2 * H] };
                let s = u128::from(here) + u128::from(z0[i]) + u128::from(z2[i]) + u128::from(t[i] ^ flip) + carry;
                out[k] = s as u64;
                carry = s >> 64;
            }
            // The middle term is non-negative, so this never wraps below zero overall.
            let mut c = (carry as u64).wrapping_sub(u64::from(negative));
            for i in 3 * H..4 * H {
                let (v, o) = z2[i - 2 * H].overflowing_add(c);
                out[i] = v;
                c = u64::from(o);
            }
        }
    };
}

karatsuba!(karatsuba_24, 24, comba_12);
karatsuba!(karatsuba_48_inner, 48, karatsuba_24);

/// The full 96-limb product of two 48-limb numbers, by Karatsuba.
#[inline]
pub(crate) fn karatsuba_48(a: &[u64; LIMBS], b: &[u64; LIMBS]) -> [u64; 2 * LIMBS] {
    let mut out = [0u64; 2 * LIMBS];
    karatsuba_48_inner(a, b, &mut out);
    out
}

/// The full 96-limb product of two 48-limb numbers, row by row: the plain twin.
pub(crate) fn schoolbook_48(a: &[u64; LIMBS], b: &[u64; LIMBS]) -> [u64; 2 * LIMBS] {
    let mut out = [0u64; 2 * LIMBS];
    for (i, &ai) in a.iter().enumerate() {
        let mut carry = 0u64;
        for (j, &bj) in b.iter().enumerate() {
            let t = u128::from(ai) * u128::from(bj) + u128::from(out[i + j]) + u128::from(carry);
            out[i + j] = t as u64;
            carry = (t >> 64) as u64;
        }
        out[i + LIMBS] = carry;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn limbs() -> impl Strategy<Value = [u64; LIMBS]> {
        // Random limbs, and limbs drawn from the edges (0, 1, MAX) where carries pile up.
        // (Built in a vector: arrays of strategies make deep stack frames in debug builds.)
        let limb = prop_oneof![any::<u64>(), Just(0u64), Just(1u64), Just(u64::MAX), Just(u64::MAX - 1)];
        prop_oneof![proptest::collection::vec(any::<u64>(), LIMBS), proptest::collection::vec(limb, LIMBS)].prop_map(
            |v| {
                let mut out = [0u64; LIMBS];
                out.copy_from_slice(&v);
                out
            },
        )
    }

    #[test]
    fn karatsuba_equals_schoolbook() {
        // Two 48-limb value trees and their shrinking outgrow the default test thread's
        // stack in some builds (a release build of the crate with its consensus rules
        // overflowed it), so the property runs on a thread with room to spare.
        let run = || {
            proptest!(|(a in limbs(), b in limbs())| {
                prop_assert_eq!(karatsuba_48(&a, &b), schoolbook_48(&a, &b));
            });
        };
        extern crate std;
        std::thread::Builder::new().stack_size(64 << 20).spawn(run).expect("a test thread").join().expect("no panic");
    }

    #[test]
    fn karatsuba_equals_schoolbook_at_the_extremes() {
        let max = [u64::MAX; LIMBS];
        let zero = [0u64; LIMBS];
        let mut one = [0u64; LIMBS];
        one[0] = 1;
        let mut halves = [0u64; LIMBS];
        halves[24..].fill(u64::MAX);
        for a in [max, zero, one, halves] {
            for b in [max, zero, one, halves] {
                assert_eq!(karatsuba_48(&a, &b), schoolbook_48(&a, &b));
            }
        }
    }

    #[test]
    fn schoolbook_equals_an_independent_big_integer_library() {
        use crypto_bigint::U3072;
        let mut x = [0u64; LIMBS];
        let mut y = [0u64; LIMBS];
        for round in 0..64u64 {
            for i in 0..LIMBS {
                x[i] = (i as u64 + round).wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(round as u32);
                y[i] = (i as u64 * round + 3).wrapping_mul(0xc2b2_ae3d_27d4_eb4f) ^ round;
            }
            let (lo, hi) = U3072::from_words(x).split_mul(&U3072::from_words(y));
            let product = schoolbook_48(&x, &y);
            assert_eq!(&product[..LIMBS], lo.as_words());
            assert_eq!(&product[LIMBS..], hi.as_words());
        }
    }
}
