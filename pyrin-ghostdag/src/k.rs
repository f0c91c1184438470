//! The k parameter from the PHANTOM paper's bound on anticone sizes.

/// The maximal network delay the network's k assumes, in seconds.
pub const NETWORK_DELAY_BOUND_SECONDS: f64 = 5.0;
/// The tail probability the network's k allows for larger anticones.
pub const TAIL_DELTA: f64 = 0.01;

/// The smallest k such that an honest block's anticone exceeds k with probability below
/// `delta`, when anticone sizes follow a Poisson law of mean `x = 2·D·λ` (network delay
/// D seconds, λ blocks per second): eq. 1 of section 4.2 of "PHANTOM GHOSTDAG". Returns
/// `None` unless `x > 0` and `0 < delta < 1`.
///
/// ```
/// use pyrin_ghostdag::k::{ghostdag_k, k_for_bps};
/// assert_eq!(k_for_bps(1), Some(18));
/// assert_eq!(k_for_bps(10), Some(124));
/// assert_eq!(ghostdag_k(0.0, 0.01), None);
/// ```
pub fn ghostdag_k(x: f64, delta: f64) -> Option<u64> {
    if !(x > 0.0 && x.is_finite() && delta > 0.0 && delta < 1.0) {
        return None;
    }
    // Poisson CDF summed term by term; the same order of operations as the reference,
    // so that the rounding (and hence the network's table) is reproduced.
    let exp = core::f64::consts::E.powf(-x);
    let (mut k, mut sigma, mut term) = (0u64, 0.0f64, 1.0f64);
    loop {
        sigma += exp * term;
        if 1.0 - sigma < delta {
            return Some(k);
        }
        k += 1;
        term *= x / k as f64;
        if k > 1_000_000 {
            // exp underflowed to 0 (x beyond ~745): the sum can never reach 1 − δ.
            return None;
        }
    }
}

/// The network's k at `bps` blocks per second (D = 5 s, δ = 0.01).
pub fn k_for_bps(bps: u64) -> Option<u64> {
    ghostdag_k(2.0 * NETWORK_DELAY_BOUND_SECONDS * bps as f64, TAIL_DELTA)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reproduces_the_network_table() {
        let table = [18, 31, 43, 55, 67, 79, 90, 102, 113, 124, 135, 146, 157, 168, 179, 190, 201, 212, 223, 234];
        for (i, &k) in table.iter().enumerate() {
            assert_eq!(k_for_bps(i as u64 + 1), Some(k), "bps {}", i + 1);
        }
    }
}
