//! The inverse modulo the MuHash prime by Bernstein–Yang "divsteps" ("Fast constant-time gcd
//! computation and modular inversion", 2019), in its variable-time form: a UTXO set is public,
//! so nothing here needs to hide its running time.
//!
//! A divstep maps `(δ, f, g)` with `f` odd to `(1 − δ, g, (g − f)/2)` when `δ > 0` and `g` is
//! odd, and to `(1 + δ, f, (g + (g mod 2)·f)/2)` otherwise; from `(1/2, p, x)` the steps reach
//! `g = 0` with `f = ±gcd(p, x) = ±1`. Starting from δ = 1/2 rather than 1 (the
//! "half-delta" steps of Bernstein and Yang's follow-up analysis, which libsecp256k1 uses)
//! takes fewer steps; δ is kept as `delta = δ − 1/2`, an integer, so `δ > 0` is
//! `delta ≥ 0` and `1 − δ` is `−delta`, that is `!delta + 1`. Sixty-two steps depend only on the low 62 bits of `f`
//! and `g` and on `δ`, so they run on single words, collecting a 2 × 2 matrix `T` with
//! `2^62·(f', g') = T·(f, g)`, which is then applied to the 3072-bit numbers at once. The
//! same matrix carries `d` and `e` with `f ≡ d·x` and `g ≡ e·x (mod p)`; dividing those by
//! 2^62 modulo p adds the multiple of p that clears their low bits. At the end
//! `x^-1 ≡ ±d`.
//!
//! Numbers are held as 50 signed limbs of 62 bits (the top limb carries the sign), which
//! leaves room for `d` and `e` to grow by less than p per batch without any reduction until
//! the end. [`super::num3072::Num3072::inverse_by_fermat`] is the plain twin.

use super::num3072::PRIME_GAP;
use super::product::LIMBS;

/// Limbs of 62 bits: 3100 bits, the 3072 of p plus room for sign and growth.
const N: usize = 50;
/// Bits per limb.
const BITS: u32 = 62;
/// The low 62 bits.
const MASK: u64 = (1 << BITS) - 1;

/// Bit 3072 (where p's 2^3072 sits) is bit `TOP_BIT_OFFSET` of 62-bit limb `TOP_BIT_LIMB`.
const TOP_BIT_LIMB: usize = 3072 / BITS as usize;
const TOP_BIT_OFFSET: u32 = 3072 % BITS;

/// `PRIME_GAP^-1 mod 2^62` (Newton's iteration; p ≡ −PRIME_GAP mod 2^62).
const GAP_INV: u64 = {
    let mut inv = PRIME_GAP;
    let mut i = 0;
    while i < 6 {
        inv = inv.wrapping_mul(2u64.wrapping_sub(PRIME_GAP.wrapping_mul(inv)));
        i += 1;
    }
    inv & MASK
};

/// A signed number: limbs `0..N-1` in `[0, 2^62)`, the top limb signed.
type Signed = [i64; N];

/// The transition matrix of 62 divsteps: `2^62·(f', g') = (u·f + v·g, q·f + r·g)`. Every
/// row's absolute sum is at most 2^62 (each step doubles a row or adds the rows).
#[derive(Clone, Copy)]
struct Matrix {
    u: i64,
    v: i64,
    q: i64,
    r: i64,
}

/// 48 little-endian u64 limbs (a number below 2^3072) as 62-bit limbs.
fn from_u64_limbs(x: &[u64; LIMBS]) -> Signed {
    let mut out = [0i64; N];
    for (i, limb) in out.iter_mut().enumerate() {
        let bit = i * BITS as usize;
        let (word, offset) = (bit / 64, (bit % 64) as u32);
        let mut w = x.get(word).copied().unwrap_or(0) >> offset;
        if offset > 64 - BITS {
            w |= x.get(word + 1).copied().unwrap_or(0) << (64 - offset);
        }
        *limb = (w & MASK) as i64;
    }
    out
}

/// A non-negative number below 2^3072 in 62-bit limbs, as 48 u64 limbs.
fn to_u64_limbs(x: &Signed) -> [u64; LIMBS] {
    let mut out = [0u64; LIMBS];
    for (i, &limb) in x.iter().enumerate() {
        let bit = i * BITS as usize;
        let (word, offset) = (bit / 64, (bit % 64) as u32);
        let limb = limb as u64;
        if let Some(w) = out.get_mut(word) {
            *w |= limb << offset;
        }
        if offset > 64 - BITS {
            if let Some(w) = out.get_mut(word + 1) {
                *w |= limb >> (64 - offset);
            }
        }
    }
    out
}

/// Sixty-two divsteps on the low bits of `f` (odd) and `g`; the new `δ` and the matrix.
///
/// Runs of even `g` are taken at once (each halves `g` and adds one to `δ`). An odd `g`
/// with `δ > 0` first becomes the other case by `(f, g, δ) ← (g, −f, −δ)` (the matrix rows
/// alike), after which both cases are `g ← (g + f)/2, δ ← δ + 1`: the swap is done with masks,
/// not a branch the processor would mispredict half the time.
fn divsteps_62(mut delta: i64, mut f: u64, mut g: u64) -> (i64, Matrix) {
    let (mut u, mut v, mut q, mut r) = (1u64, 0u64, 0u64, 1u64);
    let mut left = BITS;
    loop {
        let zeros = g.trailing_zeros().min(left);
        g >>= zeros;
        u <<= zeros;
        v <<= zeros;
        delta = delta.wrapping_add(i64::from(zeros));
        left -= zeros;
        if left == 0 {
            break;
        }
        // g is odd. Swap and negate when δ > 0, that is `delta ≥ 0`.
        let swap = u64::from(delta >= 0).wrapping_neg();
        let x = (f ^ g) & swap;
        f ^= x;
        g = (g ^ x ^ swap).wrapping_sub(swap);
        let x = (u ^ q) & swap;
        u ^= x;
        q = (q ^ x ^ swap).wrapping_sub(swap);
        let x = (v ^ r) & swap;
        v ^= x;
        r = (r ^ x ^ swap).wrapping_sub(swap);
        // δ ← −δ is `delta ← −delta − 1` = `!delta`.
        delta ^= swap as i64;
        // g ← (g + f)/2
        g = g.wrapping_add(f) >> 1;
        q = q.wrapping_add(u);
        r = r.wrapping_add(v);
        u <<= 1;
        v <<= 1;
        delta = delta.wrapping_add(1);
        left -= 1;
    }
    (delta, Matrix { u: u as i64, v: v as i64, q: q as i64, r: r as i64 })
}

/// `(f, g) ← T·(f, g) / 2^62`, exactly, on the low `len` limbs (the top one signed).
fn apply_to_fg(t: Matrix, f: &mut Signed, g: &mut Signed, len: usize) {
    let (u, v, q, r) = (i128::from(t.u), i128::from(t.v), i128::from(t.q), i128::from(t.r));
    let mut cf = u * i128::from(f[0]) + v * i128::from(g[0]);
    let mut cg = q * i128::from(f[0]) + r * i128::from(g[0]);
    // The low 62 bits of both are zero by construction of T.
    cf >>= BITS;
    cg >>= BITS;
    for i in 1..len {
        cf += u * i128::from(f[i]) + v * i128::from(g[i]);
        cg += q * i128::from(f[i]) + r * i128::from(g[i]);
        f[i - 1] = (cf as i64) & MASK as i64;
        g[i - 1] = (cg as i64) & MASK as i64;
        cf >>= BITS;
        cg >>= BITS;
    }
    f[len - 1] = cf as i64;
    g[len - 1] = cg as i64;
}

/// `(d, e) ← (T·(d, e) + (m_d, m_e)·p) / 2^62` with the `m`s in `[0, 2^62)` that make the
/// division exact: `d` and `e` keep their residues divided by 2^62 modulo p, and grow by
/// less than p in absolute value.
///
/// With p = 2^3072 − c, adding `m·p` is subtracting `m·c` at the bottom (which is what clears
/// the low bits: `m = (T·(d, e))·c^-1 mod 2^62`) and adding `m` at bit 3072, so the multiples
/// of p cost no product per limb.
fn apply_to_de(t: Matrix, d: &mut Signed, e: &mut Signed) {
    let (u, v, q, r) = (i128::from(t.u), i128::from(t.v), i128::from(t.q), i128::from(t.r));
    let mut cd = u * i128::from(d[0]) + v * i128::from(e[0]);
    let mut ce = q * i128::from(d[0]) + r * i128::from(e[0]);
    let md = i128::from((cd as u64).wrapping_mul(GAP_INV) & MASK);
    let me = i128::from((ce as u64).wrapping_mul(GAP_INV) & MASK);
    cd -= md * i128::from(PRIME_GAP);
    ce -= me * i128::from(PRIME_GAP);
    cd >>= BITS;
    ce >>= BITS;
    for i in 1..N {
        cd += u * i128::from(d[i]) + v * i128::from(e[i]);
        ce += q * i128::from(d[i]) + r * i128::from(e[i]);
        if i == TOP_BIT_LIMB {
            // m·2^3072 / 2^62 = m·2^(62·48 + 34): into the limb this step writes.
            cd += md << TOP_BIT_OFFSET;
            ce += me << TOP_BIT_OFFSET;
        }
        d[i - 1] = (cd as i64) & MASK as i64;
        e[i - 1] = (ce as i64) & MASK as i64;
        cd >>= BITS;
        ce >>= BITS;
    }
    d[N - 1] = cd as i64;
    e[N - 1] = ce as i64;
}

fn is_negative(x: &Signed) -> bool {
    x[N - 1] < 0
}

/// `x ← x + sign·y` (sign ±1), limbs renormalized.
fn add_signed(x: &mut Signed, y: &Signed, sign: i64) {
    let mut carry: i64 = 0;
    for i in 0..N - 1 {
        let s = x[i] + sign * y[i] + carry;
        x[i] = s & MASK as i64;
        carry = s >> BITS;
    }
    x[N - 1] += sign * y[N - 1] + carry;
}

fn negate(x: &mut Signed) {
    let zero = [0i64; N];
    let copy = *x;
    *x = zero;
    add_signed(x, &copy, -1);
}

/// `x ≥ y` for `y ≥ 0`.
fn at_least(x: &Signed, y: &Signed) -> bool {
    for i in (0..N).rev() {
        if x[i] != y[i] {
            return x[i] > y[i];
        }
    }
    true
}

/// The inverse of `x` (below p) modulo p = 2^3072 − `PRIME_GAP`, given as u64 limbs; zero
/// for zero.
pub(crate) fn inverse(x: &[u64; LIMBS], prime: &[u64; LIMBS]) -> [u64; LIMBS] {
    let p = from_u64_limbs(prime);
    // δ = 1/2 (`delta` = 0).
    let mut delta: i64 = 0;
    let mut f = p;
    let mut g = from_u64_limbs(x);
    let mut d = [0i64; N];
    let mut e = [0i64; N];
    e[0] = 1;
    // f and g only shrink: `len` limbs hold them, the top one signed.
    let mut len = N;
    while g[..len].iter().any(|&limb| limb != 0) {
        let (next, t) = divsteps_62(delta, f[0] as u64, g[0] as u64);
        delta = next;
        apply_to_fg(t, &mut f, &mut g, len);
        apply_to_de(t, &mut d, &mut e);
        // A top limb of 0 or −1 in both folds into the limb below (as its sign).
        while len > 1 && matches!(f[len - 1], 0 | -1) && matches!(g[len - 1], 0 | -1) {
            f[len - 2] += f[len - 1] << BITS;
            g[len - 2] += g[len - 1] << BITS;
            f[len - 1] = 0;
            g[len - 1] = 0;
            len -= 1;
        }
    }
    // f = ±gcd(p, x): ±1, or ±p when x is zero (whose "inverse" is zero, d being 0).
    if f[len - 1] < 0 {
        negate(&mut d);
    }
    // |d| is below (batches + 1)·p: bring it into [0, p).
    while is_negative(&d) {
        add_signed(&mut d, &p, 1);
    }
    while at_least(&d, &p) {
        add_signed(&mut d, &p, -1);
    }
    to_u64_limbs(&d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_constants_are_what_they_claim() {
        assert_eq!(PRIME_GAP.wrapping_mul(GAP_INV) & MASK, 1);
        assert_eq!((TOP_BIT_LIMB, TOP_BIT_OFFSET), (49, 34));
    }

    #[test]
    fn limb_conversions_round_trip() {
        let mut x = [0u64; LIMBS];
        for (i, limb) in x.iter_mut().enumerate() {
            *limb = (i as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
        assert_eq!(to_u64_limbs(&from_u64_limbs(&x)), x);
        let max = [u64::MAX; LIMBS];
        assert_eq!(to_u64_limbs(&from_u64_limbs(&max)), max);
    }

    #[test]
    fn divsteps_matrix_rows_stay_within_2_to_the_62() {
        for (f, g) in [(1u64, 0u64), (3, 1), (u64::MAX, u64::MAX - 1), (0x1234_5677, 0xdead_beef), (1, 1 << 61)] {
            for delta in [-100i64, -1, 0, 1, 2, 100] {
                let (_, t) = divsteps_62(delta, f, g);
                assert!(t.u.unsigned_abs() + t.v.unsigned_abs() <= 1 << 62);
                assert!(t.q.unsigned_abs() + t.r.unsigned_abs() <= 1 << 62);
            }
        }
    }
}
