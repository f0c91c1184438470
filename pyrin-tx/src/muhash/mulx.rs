//! The MuHash product on x86-64 with the BMI2 and ADX instructions: two levels of
//! Karatsuba (48 → 24 → 12 limbs) over a 12 × 12-limb row product, then the fold of the
//! high half modulo p, all in assembly. About 1.5 times the speed of the portable product
//! (the one every other target uses) on the machines we run; one Karatsuba level over
//! 24-limb rows, with the additions in Rust, was 15% slower, and a third level slower still.
//!
//! `mulx` multiplies without touching the flags, and `adcx`/`adox` add with two separate
//! carry chains (the carry flag and the overflow flag), so each partial product's low half
//! goes into one chain and its high half into the other with no flag juggling. The same two
//! chains add the Karatsuba middle term (`z0 + z2 ± t` in one pass) and fold the high half
//! (`lo + 1103717·hi`: the products' low halves in one chain, their high halves in the
//! other). The blocks are written once, as templates over the limbs ([`for_limbs`]), and
//! unrolled by the macros.
//!
//! # Safety
//!
//! The module's `unsafe` code is `asm!` blocks, whose invariants are:
//!
//! 1. **The instructions exist**: [`mul_folded`] runs the assembly only after
//!    [`available`] found BMI2 and ADX (detected once by the standard library with `std`,
//!    or enabled at compile time without it).
//! 2. **Memory**: every block reads and writes only through pointers taken from references
//!    to arrays (or subslices) of known length, at constant offsets below those lengths;
//!    each block's `SAFETY` comment gives its bounds (the row product's row `i` of `N`
//!    touches `out[i..=i+N]`, at most the last limb).
//! 3. **Registers**: every register a block writes is declared (`rdx` and the named scratch
//!    registers as outputs, moved pointers and counters as clobbered); none uses the stack
//!    (`nostack`), and the flags they clobber are not preserved across a block (the default).
//! 4. **Arithmetic**: in the row product, after row `i` the running sum is below
//!    `2^(64·(i+N+1))`, so the row's top limb (its high half plus the two final carries)
//!    cannot overflow; the Karatsuba middle term is non-negative and below `2^(64·N+1)`, so
//!    its top limb is 0 or 1 once the complement's extra `2^(64·N)` is taken back; the
//!    fold's top limb is below `2^21 + 2`.
//!
//! The tests hold every level equal to the portable schoolbook product on random and
//! extreme limbs, and the fold equal to the portable fold.
use super::num3072::PRIME_GAP;
use super::product::{abs_diff, LIMBS};

/// Whether this processor has BMI2 and ADX (`std` asks it once; without `std`, whether
/// the build enabled them).
pub(crate) fn available() -> bool {
    cpu_has!("bmi2", "adx")
}

/// Invokes the pass macro `$pass` with its operands and, for each of the first 12, 24 or 48
/// limbs in order, `(byte offset, the register taking this limb's high half, the one holding
/// the previous limb's)`. The passes are unrolled over the limbs: a loop's `dec` would
/// clobber the overflow flag that carries their second chain. The limbs are listed once, in
/// quarters of 12, and appended quarter by quarter.
macro_rules! for_limbs {
    (12, $pass:ident, $($operands:tt)*) => { for_limbs!(@append $pass ($($operands)*) [] [q0]) };
    (24, $pass:ident, $($operands:tt)*) => { for_limbs!(@append $pass ($($operands)*) [] [q0 q1]) };
    (48, $pass:ident, $($operands:tt)*) => { for_limbs!(@append $pass ($($operands)*) [] [q0 q1 q2 q3]) };
    (@append $pass:ident $operands:tt [$($limbs:tt)*] []) => { $pass!($operands $($limbs)*) };
    (@append $pass:ident $operands:tt [$($limbs:tt)*] [q0 $($rest:ident)*]) => {
        for_limbs!(@append $pass $operands [
            $($limbs)*
                (0 "{h0}" "{h1}")
                (8 "{h1}" "{h0}")
                (16 "{h0}" "{h1}")
                (24 "{h1}" "{h0}")
                (32 "{h0}" "{h1}")
                (40 "{h1}" "{h0}")
                (48 "{h0}" "{h1}")
                (56 "{h1}" "{h0}")
                (64 "{h0}" "{h1}")
                (72 "{h1}" "{h0}")
                (80 "{h0}" "{h1}")
                (88 "{h1}" "{h0}")
            ] [$($rest)*])
    };
    (@append $pass:ident $operands:tt [$($limbs:tt)*] [q1 $($rest:ident)*]) => {
        for_limbs!(@append $pass $operands [
            $($limbs)*
                (96 "{h0}" "{h1}")
                (104 "{h1}" "{h0}")
                (112 "{h0}" "{h1}")
                (120 "{h1}" "{h0}")
                (128 "{h0}" "{h1}")
                (136 "{h1}" "{h0}")
                (144 "{h0}" "{h1}")
                (152 "{h1}" "{h0}")
                (160 "{h0}" "{h1}")
                (168 "{h1}" "{h0}")
                (176 "{h0}" "{h1}")
                (184 "{h1}" "{h0}")
            ] [$($rest)*])
    };
    (@append $pass:ident $operands:tt [$($limbs:tt)*] [q2 $($rest:ident)*]) => {
        for_limbs!(@append $pass $operands [
            $($limbs)*
                (192 "{h0}" "{h1}")
                (200 "{h1}" "{h0}")
                (208 "{h0}" "{h1}")
                (216 "{h1}" "{h0}")
                (224 "{h0}" "{h1}")
                (232 "{h1}" "{h0}")
                (240 "{h0}" "{h1}")
                (248 "{h1}" "{h0}")
                (256 "{h0}" "{h1}")
                (264 "{h1}" "{h0}")
                (272 "{h0}" "{h1}")
                (280 "{h1}" "{h0}")
            ] [$($rest)*])
    };
    (@append $pass:ident $operands:tt [$($limbs:tt)*] [q3 $($rest:ident)*]) => {
        for_limbs!(@append $pass $operands [
            $($limbs)*
                (288 "{h0}" "{h1}")
                (296 "{h1}" "{h0}")
                (304 "{h0}" "{h1}")
                (312 "{h1}" "{h0}")
                (320 "{h0}" "{h1}")
                (328 "{h1}" "{h0}")
                (336 "{h0}" "{h1}")
                (344 "{h1}" "{h0}")
                (352 "{h0}" "{h1}")
                (360 "{h1}" "{h0}")
                (368 "{h0}" "{h1}")
                (376 "{h1}" "{h0}")
            ] [$($rest)*])
    };
}

/// `out = a · b` row by row, `out[i..=i+N] += a[i] · b` for each of the `{n}` rows: each
/// product's low half joins the `adcx` chain (with what `out` holds), its high half the
/// `adox` chain one limb up; the row's top limb is written, not added (nothing is there
/// yet). `[{o} + $top]` is that top limb, `8·N` bytes up.
macro_rules! row_pass {
    (($top:literal, $($operands:tt)*) $(($off:literal $h_this:literal $h_prev:literal))*) => {
        core::arch::asm!(
            "2:",
            "mov rdx, qword ptr [{a}]",
            "xor {h1:e}, {h1:e}",
            $(
                concat!("mulx ", $h_this, ", {l}, qword ptr [{b} + ", $off, "]"),
                concat!("adcx {l}, qword ptr [{o} + ", $off, "]"),
                concat!("adox {l}, ", $h_prev),
                concat!("mov qword ptr [{o} + ", $off, "], {l}"),
            )*
            "mov {l:e}, 0",
            "adcx {h1}, {l}",
            "adox {h1}, {l}",
            concat!("mov qword ptr [{o} + ", $top, "], {h1}"),
            "lea {a}, [{a} + 8]",
            "lea {o}, [{o} + 8]",
            "dec {n}",
            "jnz 2b",
            $($operands)*
        )
    };
}

/// Declares `$name(a, b, out)`: `out = a · b` for `N`-limb `a` and `b`, by [`row_pass`].
macro_rules! row_product {
    ($name:ident, $n:tt, $top:literal) => {
        /// `out = a · b` by rows of `mulx`/`adcx`/`adox`.
        ///
        /// # Safety
        /// The processor has BMI2 and ADX ([`available`]).
        #[target_feature(enable = "bmi2,adx")]
        unsafe fn $name(a: &[u64; $n], b: &[u64; $n], out: &mut [u64; 2 * $n]) {
            // Row 0 adds into the lower half; every row `i` writes limb `i + N` before any
            // row reads it, so the upper half needs no clearing.
            out[..$n].fill(0);
            // SAFETY: invariants 2 (row `i` touches `out[i..=i+N]`, at most the last limb;
            // `a[i]` and `b[0..N]`), 3 (every written register declared, no stack) and 4 (no
            // limb overflows); the caller holds 1.
            unsafe {
                for_limbs!($n, row_pass, $top,
                    a = inout(reg) a.as_ptr() => _,
                    b = in(reg) b.as_ptr(),
                    o = inout(reg) out.as_mut_ptr() => _,
                    n = inout(reg) $n as usize => _,
                    l = out(reg) _,
                    h0 = out(reg) _,
                    h1 = out(reg) _,
                    out("rdx") _,
                    options(nostack),
                );
            }
        }
    };
}

row_product!(mul_12, 12, 96);

/// `mid = z0 + z2 + t + neg` over N limbs into `t`, with two carry chains (`adcx` adds
/// `z2`, `adox` adds `t`); `top` receives the two final carries.
macro_rules! mid_pass {
    (($($operands:tt)*) $(($off:literal $h_this:literal $h_prev:literal))*) => {
        core::arch::asm!(
            // CF = neg (`neg` sets the carry flag exactly when its operand is non-zero) and
            // OF = 0 (the operand is 0 or 1, never the most negative number).
            "neg {top}",
            $(
                concat!("mov {l}, qword ptr [{z0} + ", $off, "]"),
                concat!("adcx {l}, qword ptr [{z2} + ", $off, "]"),
                concat!("adox {l}, qword ptr [{t} + ", $off, "]"),
                concat!("mov qword ptr [{t} + ", $off, "], {l}"),
            )*
            "mov {top:e}, 0",
            "mov {l:e}, 0",
            "adcx {top}, {l}",
            "adox {top}, {l}",
            $($operands)*
        )
    };
}

/// `w[0..N] += t`, then `w[N] += top` (at byte `$top`), then the carry up through the
/// `$carries` limbs from byte `$above` on, by a loop that stops at the first limb that does
/// not carry (`dec` leaves the carry flag alone).
macro_rules! add_mid_pass {
    (($top:literal, $above:literal, $carries:literal, $($operands:tt)*)
        $(($off:literal $h_this:literal $h_prev:literal))*) => {
        core::arch::asm!(
            "xor {l:e}, {l:e}",
            $(
                concat!("mov {l}, qword ptr [{w} + ", $off, "]"),
                concat!("adcx {l}, qword ptr [{t} + ", $off, "]"),
                concat!("mov qword ptr [{w} + ", $off, "], {l}"),
            )*
            concat!("adcx {top}, qword ptr [{w} + ", $top, "]"),
            concat!("mov qword ptr [{w} + ", $top, "], {top}"),
            concat!("mov {n:e}, ", $carries),
            "3:",
            "jnc 4f",
            concat!("adc qword ptr [{w} + ", $above, "], 0"),
            "lea {w}, [{w} + 8]",
            "dec {n}",
            "jnz 3b",
            "4:",
            $($operands)*
        )
    };
}

/// `out = lo + PRIME_GAP · hi` over 48 limbs (`rdx` holds `PRIME_GAP`): each high limb's
/// product splits into the `adcx` chain (low half, with `lo`) and the `adox` chain (high
/// half, one limb up); `{h1}` ends with the limb above (below 2^21 + 2).
macro_rules! fold_pass {
    (($($operands:tt)*) $(($off:literal $h_this:literal $h_prev:literal))*) => {
        core::arch::asm!(
            "xor {h1:e}, {h1:e}",
            $(
                concat!("mulx ", $h_this, ", {l}, qword ptr [{hi} + ", $off, "]"),
                concat!("adcx {l}, qword ptr [{lo} + ", $off, "]"),
                concat!("adox {l}, ", $h_prev),
                concat!("mov qword ptr [{out} + ", $off, "], {l}"),
            )*
            "mov {l:e}, 0",
            "adcx {h1}, {l}",
            "adox {h1}, {l}",
            $($operands)*
        )
    };
}

/// Declares `$name(a, b, out)`: `out = a · b` for `N`-limb `a` and `b` by one Karatsuba
/// step over the half product `$half`. `$top`, `$above` and `$carries` place the middle
/// term's top limb and the carry after it (see [`add_mid_pass`]): `8·N`, `8·N + 8` and
/// `N/2 − 1`.
macro_rules! karatsuba_step {
    ($name:ident, $n:tt, $h:tt, $half:ident, $top:literal, $above:literal, $carries:literal) => {
        /// `out = a · b` by one Karatsuba step over the `mulx` rows.
        ///
        /// # Safety
        /// The processor has BMI2 and ADX ([`available`]).
        #[target_feature(enable = "bmi2,adx")]
        unsafe fn $name(a: &[u64; $n], b: &[u64; $n], out: &mut [u64; 2 * $n]) {
            let (a0, a1) = halves::<$n, $h>(a);
            let (b0, b1) = halves::<$n, $h>(b);
            let mut da = [0u64; $h];
            let mut db = [0u64; $h];
            let neg = abs_diff(a0, a1, &mut da) != abs_diff(b1, b0, &mut db);
            let mut t = [0u64; $n];
            {
                let (z0, z2) = out.split_at_mut($n);
                // SAFETY (the three products): the caller holds invariant 1.
                unsafe {
                    $half(a0, b0, z0.try_into().expect("N limbs"));
                    $half(a1, b1, z2.try_into().expect("N limbs"));
                    $half(&da, &db, &mut t);
                }
            }
            // a·b = z0 + (z0 + z2 + (a0 − a1)(b1 − b0))·B + z2·B², B = 2^(32·N). A
            // negative middle product −t is added as !t + 1, which is 2^(64·N) too much:
            // its top limb takes it back (the middle term a0·b1 + a1·b0 is never negative).
            let flip = u64::from(neg).wrapping_neg();
            for limb in t.iter_mut() {
                *limb ^= flip;
            }
            let mut top = u64::from(neg);
            let (z0, z2) = out.split_at(2 * $h);
            // SAFETY: invariant 2 (every offset is below 8·N bytes, inside `z0`, `z2` and
            // `t`) and 3 (written registers declared, no stack); the caller holds 1.
            unsafe {
                for_limbs!($n, mid_pass,
                    z0 = in(reg) z0.as_ptr(),
                    z2 = in(reg) z2.as_ptr(),
                    t = in(reg) t.as_mut_ptr(),
                    top = inout(reg) top,
                    l = out(reg) _,
                    options(nostack),
                );
            }
            top -= u64::from(neg);
            let upper = &mut out[$h..];
            debug_assert_eq!(upper.len(), 3 * $h);
            // SAFETY: invariant 2 (the unrolled part touches `upper[0..=N]`, the loop at
            // most the `N/2 − 1` limbs after it, up to the end of `upper`, which has `3N/2`;
            // `t[0..N]`) and 3; the caller holds 1.
            unsafe {
                for_limbs!($n, add_mid_pass, $top, $above, $carries,
                    w = inout(reg) upper.as_mut_ptr() => _,
                    t = in(reg) t.as_ptr(),
                    top = inout(reg) top => _,
                    l = out(reg) _,
                    n = out(reg) _,
                    options(nostack),
                );
            }
        }
    };
}

karatsuba_step!(karatsuba_24, 24, 12, mul_12, 192, 200, 11);
karatsuba_step!(karatsuba_48, 48, 24, karatsuba_24, 384, 392, 23);

/// `out = lo + PRIME_GAP · hi` limb by limb; returns the limb above `out` (below 2^21 + 2).
///
/// # Safety
/// The processor has BMI2 and ADX ([`available`]).
#[target_feature(enable = "bmi2,adx")]
unsafe fn fold(wide: &[u64; 96], out: &mut [u64; 48]) -> u64 {
    let carry: u64;
    // SAFETY: invariant 2 (offsets below 384 bytes: `lo` and `hi` are the two halves of
    // `wide`, `out` has 48 limbs) and 3; the caller holds 1.
    unsafe {
        for_limbs!(48, fold_pass,
            lo = in(reg) wide.as_ptr(),
            hi = in(reg) wide[48..].as_ptr(),
            out = in(reg) out.as_mut_ptr(),
            l = out(reg) _,
            h0 = out(reg) _,
            h1 = out(reg) carry,
            in("rdx") PRIME_GAP,
            options(nostack),
        );
    }
    carry
}

/// `a ← a · b` folded once modulo p: 48 limbs, and the limb above them returned (below
/// 2^21 + 2).
///
/// # Safety
/// The processor has BMI2 and ADX ([`available`]).
#[target_feature(enable = "bmi2,adx")]
unsafe fn mul_fold(a: &mut [u64; LIMBS], b: &[u64; LIMBS]) -> u64 {
    let mut wide = [0u64; 2 * LIMBS];
    // SAFETY: the caller holds invariant 1.
    unsafe {
        karatsuba_48(a, b, &mut wide);
        fold(&wide, a)
    }
}

/// The two halves of an `N`-limb number, low first.
#[inline(always)]
fn halves<const N: usize, const H: usize>(x: &[u64; N]) -> (&[u64; H], &[u64; H]) {
    let (lo, hi) = x.split_at(H);
    (lo.try_into().expect("N/2 limbs"), hi.try_into().expect("N/2 limbs"))
}

/// `a ← a · b` folded once modulo p (48 limbs, and the limb above them returned, below
/// 2^21 + 2), or `None`, `a` untouched, when this processor lacks BMI2 or ADX.
pub(crate) fn mul_folded(a: &mut [u64; LIMBS], b: &[u64; LIMBS]) -> Option<u64> {
    if !available() {
        return None;
    }
    // SAFETY: invariant 1, just checked.
    Some(unsafe { mul_fold(a, b) })
}

#[cfg(test)]
mod tests {
    use super::super::num3072::fold_high;
    use super::super::product::schoolbook_48;
    use super::*;

    /// `a · b` folded, by [`mul_folded`] (which must take the fast path here).
    fn folded(a: &[u64; LIMBS], b: &[u64; LIMBS]) -> ([u64; LIMBS], u64) {
        let mut out = *a;
        let carry = mul_folded(&mut out, b).expect("the machines we test on have BMI2 and ADX");
        (out, carry)
    }

    /// The 24-limb Karatsuba product (over the row product), after the check.
    fn mul_24_checked(a: &[u64; 24], b: &[u64; 24], out: &mut [u64; 48]) {
        assert!(available());
        // SAFETY: invariant 1, just checked.
        unsafe { karatsuba_24(a, b, out) }
    }

    /// Limbs from a fixed generator, with runs of zeros and all-ones limbs mixed in (where
    /// carries pile up).
    fn limbs(seed: &mut u64, round: u64) -> [u64; LIMBS] {
        let mut out = [0u64; LIMBS];
        for limb in out.iter_mut() {
            *seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            *limb = match (round % 5, *seed >> 61) {
                (0, _) => u64::MAX,
                (1, 0..=3) => 0,
                (2, 0..=5) => u64::MAX,
                _ => *seed ^ (*seed >> 29),
            };
        }
        out
    }

    #[test]
    fn the_mulx_product_folds_to_the_schoolbook_product_folded() {
        assert!(available(), "the machines we test on have BMI2 and ADX: this path must run here");
        let mut seed = 7;
        for round in 0..4000 {
            let a = limbs(&mut seed, round);
            let b = limbs(&mut seed, round / 5);
            assert_eq!(folded(&a, &b), fold_high(&schoolbook_48(&a, &b)), "round {round}");
        }
        let max = [u64::MAX; LIMBS];
        assert_eq!(folded(&max, &max), fold_high(&schoolbook_48(&max, &max)));
        // Operands whose halves are equal make the middle product zero, of either sign.
        let mut twin = [0u64; LIMBS];
        twin[..24].fill(u64::MAX);
        twin[24..].fill(u64::MAX);
        assert_eq!(folded(&twin, &max), fold_high(&schoolbook_48(&twin, &max)));
    }

    #[test]
    fn the_row_product_equals_the_schoolbook_product_whatever_out_held() {
        assert!(available());
        let mut seed = 13;
        for round in 0..2000 {
            let a48 = limbs(&mut seed, round);
            let b48 = limbs(&mut seed, round + 1);
            let (mut a, mut b) = ([0u64; 12], [0u64; 12]);
            a.copy_from_slice(&a48[..12]);
            b.copy_from_slice(&b48[12..24]);
            let mut out = [u64::MAX; 24];
            // SAFETY: invariant 1, just checked.
            unsafe { mul_12(&a, &b, &mut out) };
            let mut wide_a = [0u64; LIMBS];
            let mut wide_b = [0u64; LIMBS];
            wide_a[..12].copy_from_slice(&a);
            wide_b[..12].copy_from_slice(&b);
            assert_eq!(out[..], schoolbook_48(&wide_a, &wide_b)[..24], "round {round}");
        }
    }

    #[test]
    fn a_half_product_equals_the_schoolbook_product() {
        let mut seed = 11;
        for round in 0..2000 {
            let a48 = limbs(&mut seed, round);
            let b48 = limbs(&mut seed, round + 2);
            let (mut a, mut b) = ([0u64; 24], [0u64; 24]);
            a.copy_from_slice(&a48[..24]);
            b.copy_from_slice(&b48[24..]);
            let mut out = [1u64; 48];
            mul_24_checked(&a, &b, &mut out);
            let mut wide_a = [0u64; LIMBS];
            let mut wide_b = [0u64; LIMBS];
            wide_a[..24].copy_from_slice(&a);
            wide_b[..24].copy_from_slice(&b);
            assert_eq!(out[..], schoolbook_48(&wide_a, &wide_b)[..48], "round {round}");
        }
    }
}
