//! Difficulty adjustment: the next block's compact bits from its difficulty window.
//!
//! The rule, as the reference node applies it (`consensus/src/processes/difficulty.rs`):
//! with fewer than `min_window_len` blocks in the window the bits stay at the genesis
//! bits. Otherwise the block with the smallest (timestamp, blue work, hash) is dropped,
//! the targets of the others are averaged, and the average is scaled by the time the window
//! actually took (largest minus smallest timestamp, at least 1 ms) over the time it should
//! have taken (`target_time_per_block · sample_rate · blocks averaged`), capped at the
//! network's maximum target. Intermediate values are kept in 320 bits, as the reference
//! does, so nothing overflows.

use pyrin_core::{params::Params, BlockHash, BlueWork, CompactTarget, Target, Uint256};

/// One block of a difficulty window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WindowBlock {
    /// Timestamp in milliseconds.
    pub timestamp: u64,
    /// Compact target bits.
    pub bits: CompactTarget,
    /// Blue work (breaks timestamp ties when choosing the block to drop).
    pub blue_work: BlueWork,
    /// Hash (breaks the remaining ties).
    pub hash: BlockHash,
}

impl WindowBlock {
    fn order_key(&self) -> (u64, BlueWork, BlockHash) {
        (self.timestamp, self.blue_work, self.hash)
    }
}

/// The constants of a network's difficulty adjustment at a given DAA score.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DifficultyRules {
    /// Bits used until the window has `min_window_len` blocks.
    pub genesis_bits: CompactTarget,
    /// The easiest target allowed.
    pub max_target: Target,
    /// Fewest window blocks for the adjustment to act.
    pub min_window_len: usize,
    /// Target milliseconds between blocks.
    pub target_time_per_block: u64,
    /// One window block stands for this many blocks (1 for a full window).
    pub sample_rate: u64,
}

impl DifficultyRules {
    /// The rules of `params` for a block whose selected parent has this DAA score (the
    /// sample rate depends on whether sampled windows are active).
    pub fn from_params(params: &Params, selected_parent_daa_score: u64) -> Self {
        Self {
            genesis_bits: params.genesis.bits,
            max_target: params.max_difficulty_target,
            min_window_len: usize::try_from(params.min_difficulty_window_len).unwrap_or(usize::MAX),
            target_time_per_block: params.target_time_per_block,
            sample_rate: params.difficulty_sample_rate(selected_parent_daa_score),
        }
    }
}

/// The compact bits of the next block given its difficulty window (in any order).
///
/// ```
/// use pyrin_core::{BlockHash, BlueWork, CompactTarget, Target};
/// use pyrin_pow::difficulty::{next_bits, DifficultyRules, WindowBlock};
///
/// let bits = CompactTarget::from_consensus(0x1d00ffff);
/// let rules = DifficultyRules {
///     genesis_bits: CompactTarget::from_consensus(0x1e7fffff),
///     max_target: Target::from_compact(CompactTarget::from_consensus(0x1f00ffff)),
///     min_window_len: 3,
///     target_time_per_block: 1000,
///     sample_rate: 1,
/// };
/// // Blocks exactly one second apart keep the difficulty.
/// let window: Vec<WindowBlock> = (0..10u8)
///     .map(|i| WindowBlock { timestamp: 1000 * u64::from(i), bits, blue_work: BlueWork::from_u64(i.into()), hash: BlockHash::from_bytes([i; 32]) })
///     .collect();
/// assert_eq!(next_bits(&window, &rules), bits);
/// ```
///
/// # Panics
/// With overflow checks on (debug builds), when `target_time_per_block · sample_rate ·
/// (window.len() − 1)` passes `u128::MAX`, which takes rules no network comes near;
/// without them the product wraps.
pub fn next_bits(window: &[WindowBlock], rules: &DifficultyRules) -> CompactTarget {
    if window.len() < rules.min_window_len.max(2) {
        return rules.genesis_bits;
    }
    let min_index = window.iter().enumerate().min_by_key(|(_, b)| b.order_key()).map(|(i, _)| i).unwrap_or(0);
    let min_ts = window[min_index].timestamp;
    let max_ts = window.iter().map(|b| b.timestamp).max().unwrap_or(min_ts);
    let count = (window.len() - 1) as u64;

    // Neighbouring blocks of a window mostly share their bits: each run of equal bits
    // converts its target once.
    let mut sum = Wide::ZERO;
    let mut last: Option<(CompactTarget, Wide)> = None;
    for (i, block) in window.iter().enumerate() {
        if i == min_index {
            continue;
        }
        let target = match last {
            Some((bits, target)) if bits == block.bits => target,
            _ => Wide::from(Target::from_compact(block.bits).to_uint256()),
        };
        last = Some((block.bits, target));
        sum = sum.add(&target);
    }
    let average = sum.div_u64(count);
    let measured = max_ts.saturating_sub(min_ts).max(1);
    let expected = u128::from(rules.target_time_per_block) * u128::from(rules.sample_rate) * u128::from(count);
    let new_target = average.mul_u64(measured).div_u128(expected.max(1));
    let capped = match new_target.to_uint256() {
        Some(t) if t <= rules.max_target.to_uint256() => Target::from_uint256(t),
        _ => rules.max_target,
    };
    capped.to_compact_lossy()
}

/// A 384-bit unsigned integer (little-endian limbs): room for a 320-bit sum of targets
/// times a 64-bit duration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Wide([u64; 6]);

impl Wide {
    const ZERO: Wide = Wide([0; 6]);

    fn add(&self, other: &Wide) -> Wide {
        let mut out = [0u64; 6];
        let mut carry = false;
        for (i, o) in out.iter_mut().enumerate() {
            let (s1, c1) = self.0[i].overflowing_add(other.0[i]);
            let (s2, c2) = s1.overflowing_add(u64::from(carry));
            *o = s2;
            carry = c1 || c2;
        }
        Wide(out)
    }

    fn mul_u64(&self, m: u64) -> Wide {
        let mut out = [0u64; 6];
        let mut carry = 0u128;
        for (o, &limb) in out.iter_mut().zip(&self.0) {
            let product = u128::from(limb) * u128::from(m) + carry;
            *o = product as u64;
            carry = product >> 64;
        }
        Wide(out)
    }

    fn div_u64(&self, d: u64) -> Wide {
        self.div_u128(u128::from(d))
    }

    /// Division by a divisor below 2^127 (always the case here: a product of three u64
    /// values that fit a duration in milliseconds and a window length).
    fn div_u128(&self, d: u128) -> Wide {
        if d >> 64 == 0 {
            let d = d as u64;
            let mut out = [0u64; 6];
            let mut rem = 0u128;
            for (o, &limb) in out.iter_mut().zip(&self.0).rev() {
                let cur = (rem << 64) | u128::from(limb);
                *o = (cur / u128::from(d)) as u64;
                rem = cur % u128::from(d);
            }
            return Wide(out);
        }
        // Bit-by-bit long division for wide divisors.
        let mut quotient = [0u64; 6];
        let mut rem = 0u128;
        for bit in (0..384).rev() {
            let overflow = rem >> 127 != 0;
            rem = (rem << 1) | u128::from((self.0[bit / 64] >> (bit % 64)) & 1);
            if overflow || rem >= d {
                rem = rem.wrapping_sub(d);
                quotient[bit / 64] |= 1 << (bit % 64);
            }
        }
        Wide(quotient)
    }

    fn to_uint256(self) -> Option<Uint256> {
        (self.0[4] == 0 && self.0[5] == 0)
            .then_some(Uint256::from_le_words([self.0[0], self.0[1], self.0[2], self.0[3]]))
    }
}

impl From<Uint256> for Wide {
    fn from(v: Uint256) -> Self {
        let [a, b, c, d] = v.to_le_words();
        Wide([a, b, c, d, 0, 0])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    fn c(bits: u32) -> CompactTarget {
        CompactTarget::from_consensus(bits)
    }

    fn t(bits: CompactTarget) -> Uint256 {
        Target::from_compact(bits).to_uint256()
    }

    fn rules() -> DifficultyRules {
        DifficultyRules {
            genesis_bits: c(0x207fffff),
            max_target: Target::from_compact(c(0x207fffff)),
            min_window_len: 4,
            target_time_per_block: 1000,
            sample_rate: 1,
        }
    }

    fn window(spacing: u64, bits: u32, n: u8) -> Vec<WindowBlock> {
        (0..n)
            .map(|i| WindowBlock {
                timestamp: 1_000_000 + spacing * u64::from(i),
                bits: c(bits),
                blue_work: BlueWork::from_u64(u64::from(i)),
                hash: BlockHash::from_bytes([i; 32]),
            })
            .collect()
    }

    #[test]
    fn short_windows_keep_the_genesis_bits() {
        assert_eq!(next_bits(&window(1000, 0x1d00ffff, 3), &rules()), c(0x207fffff));
        assert_eq!(next_bits(&[], &rules()), c(0x207fffff));
    }

    #[test]
    fn slow_blocks_ease_and_fast_blocks_harden() {
        let on_time = next_bits(&window(1000, 0x1d00ffff, 20), &rules());
        assert_eq!(on_time, c(0x1d00ffff));
        let slow = t(next_bits(&window(2000, 0x1d00ffff, 20), &rules()));
        let fast = t(next_bits(&window(500, 0x1d00ffff, 20), &rules()));
        let base = t(c(0x1d00ffff));
        assert!(slow > base && fast < base);
        assert_eq!(slow, base << 1);
    }

    #[test]
    fn capped_at_the_maximum_target() {
        assert_eq!(next_bits(&window(1_000_000, 0x207fffff, 20), &rules()), c(0x207fffff));
    }

    #[test]
    fn wide_division_by_large_divisors() {
        let x = Wide([u64::MAX; 6]);
        let d = (1u128 << 100) + 12345;
        let q = x.div_u128(d);
        // q·d ≤ x < (q+1)·d, checked in the low limbs' arithmetic via a multiply back.
        let back = q.mul_u64((d >> 64) as u64);
        assert!(back.0[5] <= x.0[5]);
        assert_eq!(Wide::from(Uint256::from_u64(100)).div_u128(3), Wide::from(Uint256::from_u64(33)));
    }
}
