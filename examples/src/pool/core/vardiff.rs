//! Variable difficulty: each miner's share difficulty moves toward one share per target
//! interval, so fast and slow miners both send a steady, small stream of shares.

/// The difficulty that moves a miner which found `shares` shares in `seconds` toward one
/// share per `share_seconds`, at most 4× up or down per step, kept within
/// `[floor, ceiling]`. `None` while the window is too short to judge (fewer than 6 shares
/// in under 10 target intervals) or when the change would be under 25 %.
pub fn retarget(current: f64, shares: u32, seconds: f64, share_seconds: f64, floor: f64, ceiling: f64) -> Option<f64> {
    if !window_full(shares, seconds, share_seconds) {
        return None;
    }
    let rate = f64::from(shares) / seconds.max(1e-3);
    let factor = (rate * share_seconds).clamp(0.25, 4.0);
    let next = (current * factor).clamp(floor, ceiling.max(floor));
    ((next / current - 1.0).abs() >= 0.25).then_some(next)
}

/// Whether a window of `shares` in `seconds` is long enough to judge (and so ends).
pub fn window_full(shares: u32, seconds: f64, share_seconds: f64) -> bool {
    shares >= 6 || seconds >= 10.0 * share_seconds
}

/// A share's weight in the accounting: its difficulty in units of 2^-32, at least 1 and at
/// most 2^53 (so sums of many shares stay well inside Redis's 64-bit integers).
pub fn share_weight(difficulty: f64) -> u64 {
    (difficulty * 4_294_967_296.0).round().clamp(1.0, (1u64 << 53) as f64) as u64
}

/// Expected hashes behind one share of this difficulty.
pub fn expected_hashes(difficulty: f64) -> f64 {
    difficulty * 4_294_967_296.0 * (65536.0 / 65535.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retarget_moves_toward_the_share_rate_within_floor_and_ceiling() {
        // Too little evidence: no change.
        assert_eq!(retarget(1.0, 3, 2.0, 1.0, 0.01, 100.0), None);
        // 20 shares in 5 s at one share per second aimed for: 4× harder (capped step).
        assert_eq!(retarget(1.0, 20, 5.0, 1.0, 0.01, 100.0), Some(4.0));
        // 6 shares in 3 s: twice too fast.
        assert_eq!(retarget(1.0, 6, 3.0, 1.0, 0.01, 100.0), Some(2.0));
        // Close enough to the aim: no change.
        assert_eq!(retarget(1.0, 10, 11.0, 1.0, 0.01, 100.0), None);
        // No share in 10 intervals: 4× easier.
        assert_eq!(retarget(1.0, 0, 10.0, 1.0, 0.01, 100.0), Some(0.25));
        // The ceiling and the floor hold, and a difficulty already at one stays.
        assert_eq!(retarget(60.0, 100, 1.0, 1.0, 0.01, 100.0), Some(100.0));
        assert_eq!(retarget(100.0, 100, 1.0, 1.0, 0.01, 100.0), None);
        assert_eq!(retarget(0.02, 0, 60.0, 1.0, 0.01, 100.0), Some(0.01));
        assert_eq!(retarget(0.01, 0, 60.0, 1.0, 0.01, 100.0), None);
    }

    #[test]
    fn weights_are_bounded() {
        assert_eq!(share_weight(1.0), 1 << 32);
        assert_eq!(share_weight(1e-30), 1);
        assert_eq!(share_weight(1e30), 1 << 53);
    }
}
