//! The 24 × 24-limb product with the BMI2 and ADX instructions (x86-64), under the
//! Karatsuba step of [`super::product`]: about 1.6 times the speed of the portable product
//! on the machines we run (the portable one is what every other target uses).
//!
//! `mulx` multiplies without touching the flags, and `adcx`/`adox` add with two separate
//! carry chains (the carry flag and the overflow flag), so each partial product's low half
//! goes into one chain and its high half into the other with no flag juggling: the product
//! is taken row by row, `out[i..i+24] += a[i]·b` with the row's 24 products unrolled.
//!
//! # Safety
//!
//! This is the crate's one module with `unsafe` code, an `asm!` block whose invariants are:
//!
//! 1. **The instructions exist**: [`product_48`] runs the assembly only after
//!    [`available`] found BMI2 and ADX (detected once by the standard library with `std`,
//!    or enabled at compile time without it).
//! 2. **Memory**: the block reads `a[0..24]` and `b[0..24]` and reads and writes
//!    `out[0..48]`, through pointers taken from references to arrays of exactly those
//!    lengths, so every access is in bounds; the row `i` (of 24) touches
//!    `out[i..=i+24]`, at most `out[47]`.
//! 3. **Registers**: every register it writes is declared (`rdx` and the named scratch
//!    registers as outputs, the pointer and counter inputs as clobbered); it uses no stack
//!    (`nostack`) and the flags it clobbers are not preserved across the block (the default).
//! 4. **Arithmetic**: `out` starts at zero; after row `i` the running sum is below
//!    `2^(64·(i+25))`, so the row's last limb (its high half plus the two final carries)
//!    cannot overflow.
//!
//! The tests hold it equal to the portable schoolbook product on random and extreme limbs.
use super::product::{karatsuba, LIMBS};

/// Whether this processor has BMI2 and ADX (`std` asks it once; without `std`, whether
/// the build enabled them).
pub(crate) fn available() -> bool {
    #[cfg(feature = "std")]
    {
        std::is_x86_feature_detected!("bmi2") && std::is_x86_feature_detected!("adx")
    }
    #[cfg(not(feature = "std"))]
    {
        cfg!(all(target_feature = "bmi2", target_feature = "adx"))
    }
}

/// `out = a · b` (24 × 24 limbs), by rows of `mulx`/`adcx`/`adox`.
///
/// # Safety
/// The processor has BMI2 and ADX ([`available`]).
#[target_feature(enable = "bmi2,adx")]
unsafe fn mul_24(a: &[u64; 24], b: &[u64; 24], out: &mut [u64; 48]) {
    *out = [0; 48];
    // SAFETY: invariants 2 (in-bounds accesses through the three arrays), 3 (every written
    // register declared, no stack) and 4 (no limb overflows); the caller holds 1.
    unsafe {
        core::arch::asm!(
            "2:",
            "mov rdx, qword ptr [{a}]",
            "xor {h1:e}, {h1:e}",
            "mulx {h0}, {l}, qword ptr [{b} + 0]",
            "adcx {l}, qword ptr [{o} + 0]",
            "adox {l}, {h1}",
            "mov qword ptr [{o} + 0], {l}",
            "mulx {h1}, {l}, qword ptr [{b} + 8]",
            "adcx {l}, qword ptr [{o} + 8]",
            "adox {l}, {h0}",
            "mov qword ptr [{o} + 8], {l}",
            "mulx {h0}, {l}, qword ptr [{b} + 16]",
            "adcx {l}, qword ptr [{o} + 16]",
            "adox {l}, {h1}",
            "mov qword ptr [{o} + 16], {l}",
            "mulx {h1}, {l}, qword ptr [{b} + 24]",
            "adcx {l}, qword ptr [{o} + 24]",
            "adox {l}, {h0}",
            "mov qword ptr [{o} + 24], {l}",
            "mulx {h0}, {l}, qword ptr [{b} + 32]",
            "adcx {l}, qword ptr [{o} + 32]",
            "adox {l}, {h1}",
            "mov qword ptr [{o} + 32], {l}",
            "mulx {h1}, {l}, qword ptr [{b} + 40]",
            "adcx {l}, qword ptr [{o} + 40]",
            "adox {l}, {h0}",
            "mov qword ptr [{o} + 40], {l}",
            "mulx {h0}, {l}, qword ptr [{b} + 48]",
            "adcx {l}, qword ptr [{o} + 48]",
            "adox {l}, {h1}",
            "mov qword ptr [{o} + 48], {l}",
            "mulx {h1}, {l}, qword ptr [{b} + 56]",
            "adcx {l}, qword ptr [{o} + 56]",
            "adox {l}, {h0}",
            "mov qword ptr [{o} + 56], {l}",
            "mulx {h0}, {l}, qword ptr [{b} + 64]",
            "adcx {l}, qword ptr [{o} + 64]",
            "adox {l}, {h1}",
            "mov qword ptr [{o} + 64], {l}",
            "mulx {h1}, {l}, qword ptr [{b} + 72]",
            "adcx {l}, qword ptr [{o} + 72]",
            "adox {l}, {h0}",
            "mov qword ptr [{o} + 72], {l}",
            "mulx {h0}, {l}, qword ptr [{b} + 80]",
            "adcx {l}, qword ptr [{o} + 80]",
            "adox {l}, {h1}",
            "mov qword ptr [{o} + 80], {l}",
            "mulx {h1}, {l}, qword ptr [{b} + 88]",
            "adcx {l}, qword ptr [{o} + 88]",
            "adox {l}, {h0}",
            "mov qword ptr [{o} + 88], {l}",
            "mulx {h0}, {l}, qword ptr [{b} + 96]",
            "adcx {l}, qword ptr [{o} + 96]",
            "adox {l}, {h1}",
            "mov qword ptr [{o} + 96], {l}",
            "mulx {h1}, {l}, qword ptr [{b} + 104]",
            "adcx {l}, qword ptr [{o} + 104]",
            "adox {l}, {h0}",
            "mov qword ptr [{o} + 104], {l}",
            "mulx {h0}, {l}, qword ptr [{b} + 112]",
            "adcx {l}, qword ptr [{o} + 112]",
            "adox {l}, {h1}",
            "mov qword ptr [{o} + 112], {l}",
            "mulx {h1}, {l}, qword ptr [{b} + 120]",
            "adcx {l}, qword ptr [{o} + 120]",
            "adox {l}, {h0}",
            "mov qword ptr [{o} + 120], {l}",
            "mulx {h0}, {l}, qword ptr [{b} + 128]",
            "adcx {l}, qword ptr [{o} + 128]",
            "adox {l}, {h1}",
            "mov qword ptr [{o} + 128], {l}",
            "mulx {h1}, {l}, qword ptr [{b} + 136]",
            "adcx {l}, qword ptr [{o} + 136]",
            "adox {l}, {h0}",
            "mov qword ptr [{o} + 136], {l}",
            "mulx {h0}, {l}, qword ptr [{b} + 144]",
            "adcx {l}, qword ptr [{o} + 144]",
            "adox {l}, {h1}",
            "mov qword ptr [{o} + 144], {l}",
            "mulx {h1}, {l}, qword ptr [{b} + 152]",
            "adcx {l}, qword ptr [{o} + 152]",
            "adox {l}, {h0}",
            "mov qword ptr [{o} + 152], {l}",
            "mulx {h0}, {l}, qword ptr [{b} + 160]",
            "adcx {l}, qword ptr [{o} + 160]",
            "adox {l}, {h1}",
            "mov qword ptr [{o} + 160], {l}",
            "mulx {h1}, {l}, qword ptr [{b} + 168]",
            "adcx {l}, qword ptr [{o} + 168]",
            "adox {l}, {h0}",
            "mov qword ptr [{o} + 168], {l}",
            "mulx {h0}, {l}, qword ptr [{b} + 176]",
            "adcx {l}, qword ptr [{o} + 176]",
            "adox {l}, {h1}",
            "mov qword ptr [{o} + 176], {l}",
            "mulx {h1}, {l}, qword ptr [{b} + 184]",
            "adcx {l}, qword ptr [{o} + 184]",
            "adox {l}, {h0}",
            "mov qword ptr [{o} + 184], {l}",
            "mov {l:e}, 0",
            "adcx {h1}, {l}",
            "adox {h1}, {l}",
            "mov qword ptr [{o} + 192], {h1}",
            "lea {a}, [{a} + 8]",
            "lea {o}, [{o} + 8]",
            "dec {n}",
            "jnz 2b",
            a = inout(reg) a.as_ptr() => _,
            b = in(reg) b.as_ptr(),
            o = inout(reg) out.as_mut_ptr() => _,
            n = inout(reg) 24usize => _,
            l = out(reg) _,
            h0 = out(reg) _,
            h1 = out(reg) _,
            out("rdx") _,
            options(nostack),
        );
    }
}

/// The Karatsuba step's half product: only reached through [`product_48`], after the check.
fn mul_24_checked(a: &[u64; 24], b: &[u64; 24], out: &mut [u64; 48]) {
    debug_assert!(available());
    // SAFETY: invariant 1: `product_48` calls the Karatsuba step (and so this) only when
    // `available()`.
    unsafe { mul_24(a, b, out) }
}

karatsuba!(karatsuba_48_mulx, 48, mul_24_checked);

/// The full 96-limb product of two 48-limb numbers by one Karatsuba step over the
/// `mulx` rows, or `None` when this processor lacks BMI2 or ADX.
pub(crate) fn product_48(a: &[u64; LIMBS], b: &[u64; LIMBS]) -> Option<[u64; 2 * LIMBS]> {
    if !available() {
        return None;
    }
    let mut out = [0u64; 2 * LIMBS];
    karatsuba_48_mulx(a, b, &mut out);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::super::product::schoolbook_48;
    use super::*;

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
    fn the_mulx_product_equals_the_schoolbook_product() {
        assert!(available(), "the machines we test on have BMI2 and ADX: this path must run here");
        let mut seed = 7;
        for round in 0..4000 {
            let a = limbs(&mut seed, round);
            let b = limbs(&mut seed, round / 5);
            assert_eq!(product_48(&a, &b), Some(schoolbook_48(&a, &b)), "round {round}");
        }
        let max = [u64::MAX; LIMBS];
        assert_eq!(product_48(&max, &max), Some(schoolbook_48(&max, &max)));
    }

    #[test]
    fn a_row_product_equals_the_schoolbook_rows() {
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
