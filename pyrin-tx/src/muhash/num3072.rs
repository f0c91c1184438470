//! Numbers modulo the MuHash prime p = 2^3072 − 1103717.
//!
//! A [`Num3072`] is any 3072-bit number (48 little-endian u64 limbs); it stands for its
//! residue modulo p, and is brought below p ([`Num3072::canonical`]) only where the bytes
//! are observed (serialization, comparison). Products reduce by the prime's special form:
//! since 2^3072 ≡ 1103717 (mod p), the high half of a 6144-bit product folds onto the low
//! half after a multiplication by that small constant.
//!
//! The inverse (Bernstein–Yang divsteps, [`super::inverse`]) runs in variable time, which is
//! harmless here (nothing secret enters a MuHash); the plain twin
//! [`Num3072::inverse_by_fermat`] (x^(p−2)) is held equal to it by the tests.

use super::product::{karatsuba_48, schoolbook_48, LIMBS};

/// p = 2^3072 − `PRIME_GAP`.
pub(crate) const PRIME_GAP: u64 = 1_103_717;

/// Bytes of a serialized number.
pub(crate) const BYTES: usize = 384;

/// p's lowest limb, 2^64 − `PRIME_GAP` (every other limb of p is `u64::MAX`).
const P0: u64 = PRIME_GAP.wrapping_neg();

/// A 3072-bit number standing for its residue modulo p.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Num3072(pub(crate) [u64; LIMBS]);

impl core::fmt::Debug for Num3072 {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Num3072(0x")?;
        for limb in self.0.iter().rev() {
            write!(f, "{limb:016x}")?;
        }
        f.write_str(")")
    }
}

impl Num3072 {
    /// Zero.
    #[cfg(test)]
    pub(crate) const ZERO: Num3072 = Num3072([0; LIMBS]);
    /// One: the value of the empty set.
    pub(crate) const ONE: Num3072 = {
        let mut limbs = [0; LIMBS];
        limbs[0] = 1;
        Num3072(limbs)
    };
    /// The prime itself (≡ 0).
    pub(crate) const PRIME: Num3072 = {
        let mut limbs = [u64::MAX; LIMBS];
        limbs[0] = P0;
        Num3072(limbs)
    };

    /// The number with these little-endian bytes.
    pub(crate) fn from_le_bytes(bytes: &[u8; BYTES]) -> Self {
        let mut limbs = [0u64; LIMBS];
        for (limb, chunk) in limbs.iter_mut().zip(bytes.chunks_exact(8)) {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            *limb = u64::from_le_bytes(word);
        }
        Num3072(limbs)
    }

    /// Its little-endian bytes (of the number as it stands, not reduced).
    pub(crate) fn to_le_bytes(self) -> [u8; BYTES] {
        let mut bytes = [0u8; BYTES];
        for (chunk, limb) in bytes.chunks_exact_mut(8).zip(self.0.iter()) {
            chunk.copy_from_slice(&limb.to_le_bytes());
        }
        bytes
    }

    /// Whether the number is below p (the one representative of its residue).
    #[inline]
    pub(crate) fn is_canonical(&self) -> bool {
        // At or above p only if every limb but the lowest is all ones and the lowest is at
        // least p's.
        self.0[0] < P0 || self.0[1..].iter().any(|&limb| limb != u64::MAX)
    }

    /// The representative below p.
    #[inline]
    pub(crate) fn canonical(&self) -> Self {
        if self.is_canonical() {
            return *self;
        }
        // p ≤ x < 2^3072: x − p = x + PRIME_GAP − 2^3072, so add and drop the carry out.
        let mut out = *self;
        add_small(&mut out.0, PRIME_GAP);
        out
    }

    /// Whether the number is 1 exactly (not merely ≡ 1).
    #[inline]
    pub(crate) fn is_one(&self) -> bool {
        // The lowest limb decides almost every time, before any other is read.
        self.0[0] == 1 && self.0[1..].iter().all(|&limb| limb == 0)
    }

    /// `self · rhs mod p` (fast path), below 2^3072 but not necessarily below p.
    #[inline]
    pub(crate) fn mul(&self, rhs: &Self) -> Self {
        let mut out = *self;
        out.mul_assign(rhs);
        out
    }

    /// `self ← self · rhs mod p` (fast path), below 2^3072 but not necessarily below p: in
    /// place, so that a running product is not copied per factor.
    #[inline]
    pub(crate) fn mul_assign(&mut self, rhs: &Self) {
        #[cfg(target_arch = "x86_64")]
        if let Some(carry) = super::mulx::mul_folded(&mut self.0, &rhs.0) {
            fold_carry(&mut self.0, carry);
            return;
        }
        *self = reduce_wide(&karatsuba_48(&self.0, &rhs.0));
    }

    /// `self · rhs mod p` by the portable Karatsuba product, whatever the processor has:
    /// the baseline of the `mulx` path.
    pub(crate) fn mul_portable(&self, rhs: &Self) -> Self {
        reduce_wide(&karatsuba_48(&self.0, &rhs.0))
    }

    /// `self · rhs mod p`, schoolbook: the plain twin of [`Num3072::mul`].
    pub(crate) fn mul_plain(&self, rhs: &Self) -> Self {
        reduce_wide(&schoolbook_48(&self.0, &rhs.0))
    }

    /// The inverse modulo p, below p; zero (which has none) maps to zero
    /// ([`super::inverse`]: Bernstein–Yang divsteps, variable time).
    pub(crate) fn inverse(&self) -> Self {
        Num3072(super::inverse::inverse(&self.canonical().0, &Self::PRIME.0))
    }

    /// The inverse by Fermat's little theorem, x^(p−2) with the plain product: the plain twin
    /// of [`Num3072::inverse`] (thousands of times slower).
    pub(crate) fn inverse_by_fermat(&self) -> Self {
        // p − 2 = 2^3072 − 1103719: square-and-multiply from the top bit down.
        let mut exponent = Self::PRIME;
        sub_small(&mut exponent.0, 2);
        let mut result = Self::ONE;
        for bit in (0..3072).rev() {
            result = result.mul_plain(&result);
            if (exponent.0[bit / 64] >> (bit % 64)) & 1 == 1 {
                result = result.mul_plain(self);
            }
        }
        result.canonical()
    }
}

/// Folds a 96-limb product to 48 limbs modulo p: below 2^3072, not necessarily below p.
#[inline]
fn reduce_wide(wide: &[u64; 2 * LIMBS]) -> Num3072 {
    let (mut out, carry) = fold_high(wide);
    fold_carry(&mut out, carry);
    Num3072(out)
}

/// low + high·2^3072 ≡ low + high·PRIME_GAP: a 3072 + 21-bit number, as 48 limbs and the
/// limb above them.
#[inline]
pub(crate) fn fold_high(wide: &[u64; 2 * LIMBS]) -> ([u64; LIMBS], u64) {
    let mut out = [0u64; LIMBS];
    let mut carry = 0u64;
    for i in 0..LIMBS {
        let t = u128::from(wide[i]) + u128::from(wide[LIMBS + i]) * u128::from(PRIME_GAP) + u128::from(carry);
        out[i] = t as u64;
        carry = (t >> 64) as u64;
    }
    (out, carry)
}

/// Folds the limb above a once-folded product (below 2^22) back in: below 2^3072.
#[inline]
fn fold_carry(out: &mut [u64; LIMBS], carry: u64) {
    // The 21 bits above fold once more (carry·PRIME_GAP < 2^43).
    let overflow = add_wide_small(out, u128::from(carry) * u128::from(PRIME_GAP));
    if overflow {
        // What is left below 2^3072 is under 2^43, so adding PRIME_GAP cannot carry out.
        add_small(out, PRIME_GAP);
    }
}

/// `x += small` modulo 2^3072; whether it carried out.
#[inline]
fn add_wide_small(x: &mut [u64; LIMBS], small: u128) -> bool {
    let mut carry = small;
    for limb in x.iter_mut() {
        if carry == 0 {
            return false;
        }
        let t = u128::from(*limb) + carry;
        *limb = t as u64;
        carry = t >> 64;
    }
    carry != 0
}

/// `x += small` modulo 2^3072; whether it carried out.
#[inline]
fn add_small(x: &mut [u64; LIMBS], small: u64) -> bool {
    add_wide_small(x, u128::from(small))
}

/// `x −= small` modulo 2^3072; whether it borrowed.
#[inline]
fn sub_small(x: &mut [u64; LIMBS], small: u64) -> bool {
    sub_two_limbs(x, small, 0)
}

/// `x −= lo + hi·2^64` modulo 2^3072; whether it borrowed.
#[inline]
fn sub_two_limbs(x: &mut [u64; LIMBS], lo: u64, hi: u64) -> bool {
    let (v, b0) = x[0].overflowing_sub(lo);
    x[0] = v;
    let (v, b1) = x[1].overflowing_sub(hi);
    let (v, b2) = v.overflowing_sub(u64::from(b0));
    x[1] = v;
    let mut borrow = b1 | b2;
    for limb in x[2..].iter_mut() {
        if !borrow {
            return false;
        }
        let (v, b) = limb.overflowing_sub(1);
        *limb = v;
        borrow = b;
    }
    borrow
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn num() -> impl Strategy<Value = Num3072> {
        proptest::collection::vec(any::<u64>(), LIMBS).prop_map(|v| {
            let mut limbs = [0u64; LIMBS];
            limbs.copy_from_slice(&v);
            Num3072(limbs)
        })
    }

    /// Numbers at or just below p, and just below 2^3072: where reductions carry.
    fn edge(k: u64) -> Num3072 {
        let mut x = Num3072::PRIME;
        if k < PRIME_GAP {
            add_small(&mut x.0, k);
        }
        x
    }

    #[test]
    fn the_constants_are_what_they_claim() {
        assert!(!Num3072::PRIME.is_canonical());
        assert_eq!(Num3072::PRIME.canonical(), Num3072::ZERO);
        let mut below = Num3072::PRIME;
        sub_small(&mut below.0, 1);
        assert!(below.is_canonical());
        assert!(!edge(PRIME_GAP - 1).is_canonical());
        assert_eq!(edge(PRIME_GAP - 1).canonical().0[0], PRIME_GAP - 1);
    }

    #[test]
    fn minus_one_squared_is_one() {
        let mut minus_one = Num3072::PRIME;
        sub_small(&mut minus_one.0, 1);
        assert_eq!(minus_one.mul(&minus_one).canonical(), Num3072::ONE);
        assert_eq!(minus_one.mul_plain(&minus_one).canonical(), Num3072::ONE);
    }

    #[test]
    fn products_of_unreduced_numbers_reduce() {
        // 2^3072 − 1 ≡ PRIME_GAP − 1: its square is (PRIME_GAP − 1)^2.
        let all_ones = Num3072([u64::MAX; LIMBS]);
        let expected = (PRIME_GAP - 1) * (PRIME_GAP - 1);
        let mut want = Num3072::ZERO;
        want.0[0] = expected;
        assert_eq!(all_ones.mul(&all_ones).canonical(), want);
        for k in [0, 1, 2, PRIME_GAP - 1, PRIME_GAP] {
            let x = edge(k);
            assert_eq!(x.mul(&x).canonical(), x.mul_plain(&x).canonical());
            assert_eq!(x.mul(&Num3072::ONE).canonical(), x.canonical());
        }
    }

    #[test]
    fn zero_inverts_to_zero() {
        assert_eq!(Num3072::ZERO.inverse(), Num3072::ZERO);
        assert_eq!(Num3072::PRIME.inverse(), Num3072::ZERO);
    }

    #[test]
    fn the_inverse_equals_fermats() {
        let mut x = Num3072::ZERO;
        for (i, limb) in x.0.iter_mut().enumerate() {
            *limb = (i as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
        assert_eq!(x.inverse(), x.inverse_by_fermat());
        let small = Num3072::ONE.mul(&Num3072::ONE);
        assert_eq!(small.inverse(), Num3072::ONE);
        assert_eq!(edge(PRIME_GAP - 1).inverse(), edge(PRIME_GAP - 1).inverse_by_fermat());
        let mut two = Num3072::ZERO;
        two.0[0] = 2;
        let mut minus_one = Num3072::PRIME;
        sub_small(&mut minus_one.0, 1);
        for x in [Num3072::ONE, two, minus_one, Num3072([u64::MAX; LIMBS])] {
            assert_eq!(x.inverse(), x.inverse_by_fermat(), "{x:?}");
            assert_eq!(x.mul(&x.inverse()).canonical(), Num3072::ONE, "{x:?}");
        }
        assert_eq!(minus_one.inverse(), minus_one);
    }

    #[test]
    fn products_agree_with_an_independent_big_integer_library() {
        use crypto_bigint::{Limb, U3072};
        let mut x = Num3072::ZERO;
        let mut y = Num3072::ZERO;
        for round in 0..32u64 {
            for i in 0..LIMBS {
                x.0[i] = (i as u64 + round).wrapping_mul(0x9e37_79b9_7f4a_7c15);
                y.0[i] = (i as u64 ^ round).wrapping_mul(0xc2b2_ae3d_27d4_eb4f);
            }
            let (x, y) = (x.canonical(), y.canonical());
            let want = U3072::from_words(x.0).mul_mod_special(&U3072::from_words(y.0), Limb(PRIME_GAP));
            assert_eq!(x.mul(&y).canonical().0, want.to_words());
        }
    }

    proptest! {
        #[test]
        fn fast_and_plain_products_agree(a in num(), b in num()) {
            prop_assert_eq!(a.mul(&b).canonical(), a.mul_plain(&b).canonical());
        }

        #[test]
        fn a_number_times_its_inverse_is_one(a in num()) {
            let inverse = a.inverse();
            prop_assert!(inverse.is_canonical());
            prop_assert_eq!(a.mul(&inverse).canonical(), Num3072::ONE);
        }

        #[test]
        fn byte_round_trip(a in num()) {
            prop_assert_eq!(Num3072::from_le_bytes(&a.to_le_bytes()), a);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4))]
        #[test]
        fn fast_and_plain_inverses_agree(a in num()) {
            prop_assert_eq!(a.inverse(), a.inverse_by_fermat());
        }
    }
}
