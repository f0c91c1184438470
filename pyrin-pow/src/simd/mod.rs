//! The only `unsafe` code of the crate: the AVX2 fast path.
//!
//! Invariants, for every `unsafe` block below:
//! 1. A function marked `#[target_feature(enable = "avx2")]`, and every `#[inline(always)]`
//!    `unsafe fn` helper that uses AVX2 intrinsics or instructions, is only called after
//!    `is_x86_feature_detected!("avx2")` returned true on this CPU ([`avx2_available`],
//!    which asks once and remembers the answer, and which [`hash_lanes_avx2`] and the
//!    other entry points re-check before calling), or from another function with the
//!    same target feature.
//! 2. Every pointer given to an unaligned load or store points into a Rust array that has
//!    at least 32 bytes from that offset (4 for a `vpbroadcastd`); the offsets are stated
//!    where the reads happen. The 32-byte arrays are read or written whole.
//! 3. The `asm!` blocks (the product's inner loops for two hashes and for one, and a
//!    single `vpshufb` on 256 or 128 bits) only read memory, within the bounds of
//!    invariant 2 (`readonly`; a `vpshufb` reads its 32-byte mask, or the first 16 bytes
//!    of it), never touch the stack (`nostack`), and name every register they write as an
//!    output or a discarded one; they have no effect besides their outputs (`pure`).
//!
//! Layout: the dispatching functions here; in `x86`, the entry points, with the BLAKE3
//! compressions in `x86::compress` and the matrix product in `x86::product`.
//!
//! The tests run both backends on the same inputs and compare them with the plain path.

use crate::PowState;

/// Whether this CPU can run the AVX2 path, detected on the first call and remembered
/// (0 = not yet asked, 1 = no, 2 = yes), so the hot paths pay one relaxed load instead of a
/// CPUID query. Racing first calls store the same answer.
pub(crate) fn avx2_available() -> bool {
    use core::sync::atomic::{AtomicU8, Ordering};
    static DETECTED: AtomicU8 = AtomicU8::new(0);
    match DETECTED.load(Ordering::Relaxed) {
        1 => false,
        2 => true,
        _ => {
            let available = detect_avx2();
            DETECTED.store(if available { 2 } else { 1 }, Ordering::Relaxed);
            available
        }
    }
}

/// Asks the CPU (or, without `std`, the compile-time target features).
fn detect_avx2() -> bool {
    #[cfg(all(feature = "std", target_arch = "x86_64"))]
    {
        std::is_x86_feature_detected!("avx2")
    }
    #[cfg(all(not(feature = "std"), target_arch = "x86_64", target_feature = "avx2"))]
    {
        true
    }
    #[cfg(not(any(
        all(feature = "std", target_arch = "x86_64"),
        all(target_arch = "x86_64", target_feature = "avx2")
    )))]
    {
        false
    }
}

/// The final hashes of [`crate::LANES`] nonces on AVX2, or `None` when the CPU lacks it.
pub(crate) fn hash_lanes_avx2(state: &PowState, first_nonce: u64) -> Option<[[u32; crate::LANES]; 8]> {
    #[cfg(target_arch = "x86_64")]
    if avx2_available() {
        // SAFETY: invariant 1, AVX2 was just detected.
        return Some(unsafe { x86::hash_lanes(state, first_nonce) });
    }
    let _ = (state, first_nonce);
    None
}

/// The final hash of one nonce with the AVX2 product (the two compressions are scalar),
/// or `None` when the CPU lacks AVX2.
pub(crate) fn hash_one_avx2(state: &PowState, nonce: u64) -> Option<[u32; 8]> {
    #[cfg(target_arch = "x86_64")]
    if avx2_available() {
        // SAFETY: invariant 1, AVX2 was just detected.
        return Some(unsafe { x86::hash_one(state, nonce) });
    }
    let _ = (state, nonce);
    None
}

/// [`crate::Matrix::rank`] compiled for AVX2 (four `f64` lanes), or `None` when the CPU
/// lacks it. No FMA is enabled, so products and differences round exactly as the scalar
/// code's do.
pub(crate) fn rank_avx2(matrix: &crate::Matrix) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    if avx2_available() {
        // SAFETY: invariant 1, AVX2 was just detected.
        return Some(unsafe { x86::rank(matrix) });
    }
    let _ = matrix;
    None
}

#[cfg(target_arch = "x86_64")]
mod x86;
