//! DAA score and past median time: what a block's difficulty window says about it besides
//! its bits.
//!
//! - [`daa_score`]: a block's DAA score is its selected parent's plus the number of its
//!   mergeset blocks that lie inside its difficulty window. The blocks outside the window
//!   (the *non-DAA* blocks) are neither counted nor rewarded: the coinbase pays only the
//!   blues and reds inside the window, which [`DaaScore`] lists apart.
//! - [`past_median_time`]: the median timestamp of the past-median-time window; a new
//!   block's timestamp must be later than it.
//!
//! Both are pure: the caller builds the windows (the `pyrin-ghostdag` crate finds the
//! blocks with the most blue work) and passes membership and timestamps in.
//!
//! # Reference behaviour followed
//! The Rust reference node `Pyrinpyi/pyrin`, full (unsampled) windows
//! (`consensus/src/processes/difficulty.rs`, `window.rs`, `past_median_time.rs`):
//!
//! - The DAA score adds the *whole* mergeset size, the selected parent included, minus
//!   the mergeset blocks ranked below the window's lowest block. Since the window holds
//!   the blocks of the past with the most (blue work, hash), that is the same as the
//!   mergeset blocks not in the window. The selected parent is tested like every other
//!   mergeset block; it always passes unless the window is empty, because nothing in a
//!   block's past outranks it. With an empty window the whole mergeset is non-DAA and the
//!   score stays at the selected parent's.
//! - The past median time sorts the window's timestamps and takes the element at index
//!   `len / 2`: for an even count, the upper of the two middle values. An empty window
//!   gives the genesis timestamp.
//!
//! The sampled windows of KIP-4 (active on a network from its sampling activation DAA
//! score) decide non-DAA blocks by blue score instead, and average the eleven middle
//! timestamps; they are not implemented here.

use alloc::vec::Vec;

/// A block's DAA score and how its mergeset splits around its difficulty window.
///
/// `B` is whatever names a block for the caller: a hash, a store id.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct DaaScore<B> {
    /// The block's DAA score.
    pub daa_score: u64,
    /// Mergeset blues inside the difficulty window, in the order given. The coinbase
    /// pays each of them.
    pub daa_blues: Vec<B>,
    /// Mergeset reds inside the difficulty window, in the order given. The coinbase pays
    /// each of them too (to the merging block's miner).
    pub daa_reds: Vec<B>,
    /// Mergeset blocks outside the difficulty window, blues then reds, each in the order
    /// given: not counted in the DAA score and not paid.
    pub non_daa: Vec<B>,
}

/// The DAA score of a block whose selected parent has DAA score
/// `selected_parent_daa_score`, with mergeset `mergeset_blues` (the selected parent among
/// them, as GHOSTDAG lists it) and `mergeset_reds`, where `in_window` tells whether a
/// block belongs to the new block's difficulty window.
///
/// Each mergeset block inside the window adds one to the selected parent's score; the
/// others are [`DaaScore::non_daa`]. A score that would pass `u64::MAX` stays there.
///
/// ```
/// use pyrin_pow::daa::daa_score;
///
/// // Block 7 is the selected parent; red 3 is too old to be in the window.
/// let window = [7u32, 6, 5, 4];
/// let score = daa_score(100, &[7, 5], &[3], |b| window.contains(b));
/// assert_eq!(score.daa_score, 102);
/// assert_eq!(score.daa_blues, [7, 5]);
/// assert!(score.daa_reds.is_empty());
/// assert_eq!(score.non_daa, [3]);
/// ```
pub fn daa_score<B: Clone>(
    selected_parent_daa_score: u64,
    mergeset_blues: &[B],
    mergeset_reds: &[B],
    mut in_window: impl FnMut(&B) -> bool,
) -> DaaScore<B> {
    let mut non_daa = Vec::new();
    let mut split = |blocks: &[B]| -> Vec<B> {
        let mut inside = Vec::with_capacity(blocks.len());
        for block in blocks {
            if in_window(block) {
                inside.push(block.clone());
            } else {
                non_daa.push(block.clone());
            }
        }
        inside
    };
    let daa_blues = split(mergeset_blues);
    let daa_reds = split(mergeset_reds);
    let counted = u64::try_from(daa_blues.len() + daa_reds.len()).unwrap_or(u64::MAX);
    DaaScore { daa_score: selected_parent_daa_score.saturating_add(counted), daa_blues, daa_reds, non_daa }
}

/// The past median time of a block from the timestamps (milliseconds) of its
/// past-median-time window, in any order: the element at index `len / 2` of the sorted
/// timestamps (for an even count the upper middle one), or `genesis_timestamp` for an
/// empty window. A block's timestamp must be greater than its past median time.
///
/// ```
/// use pyrin_pow::daa::past_median_time;
///
/// assert_eq!(past_median_time([30, 10, 20], 0), 20);
/// // An even count takes the upper of the two middle timestamps.
/// assert_eq!(past_median_time([40, 10, 30, 20], 0), 30);
/// assert_eq!(past_median_time([], 5), 5);
/// ```
pub fn past_median_time(timestamps: impl IntoIterator<Item = u64>, genesis_timestamp: u64) -> u64 {
    let mut timestamps: Vec<u64> = timestamps.into_iter().collect();
    if timestamps.is_empty() {
        return genesis_timestamp;
    }
    // Selecting the middle element gives what indexing the sorted list would, in linear time.
    let middle = timestamps.len() / 2;
    *timestamps.select_nth_unstable(middle).1
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use proptest::prelude::*;

    #[test]
    fn every_mergeset_block_in_the_window_counts_once() {
        let score = daa_score(10, &[1u8, 2, 3], &[4, 5], |_| true);
        assert_eq!(score.daa_score, 15);
        assert_eq!(score.daa_blues, [1, 2, 3]);
        assert_eq!(score.daa_reds, [4, 5]);
        assert!(score.non_daa.is_empty());
    }

    #[test]
    fn blocks_outside_the_window_neither_count_nor_get_paid() {
        let score = daa_score(10, &[1u8, 2, 3], &[4, 5], |b| *b != 2 && *b != 5);
        assert_eq!(score.daa_score, 13);
        assert_eq!(score.daa_blues, [1, 3]);
        assert_eq!(score.daa_reds, [4]);
        assert_eq!(score.non_daa, [2, 5]);
    }

    #[test]
    fn an_empty_window_keeps_the_selected_parents_score() {
        let score = daa_score(42, &[1u8, 2], &[3], |_| false);
        assert_eq!(score.daa_score, 42);
        assert!(score.daa_blues.is_empty() && score.daa_reds.is_empty());
        assert_eq!(score.non_daa, [1, 2, 3]);
    }

    #[test]
    fn the_selected_parent_is_tested_like_any_mergeset_block() {
        // Only an empty window can leave it out, and then it is non-DAA like the rest.
        let score = daa_score(0, &[9u8], &[], |b| *b != 9);
        assert_eq!((score.daa_score, score.non_daa), (0, vec![9]));
    }

    #[test]
    fn the_score_saturates_instead_of_overflowing() {
        assert_eq!(daa_score(u64::MAX - 1, &[1u8, 2, 3], &[], |_| true).daa_score, u64::MAX);
    }

    #[test]
    fn the_median_of_an_odd_window_is_its_middle_timestamp() {
        assert_eq!(past_median_time([5, 1, 4, 2, 3], 0), 3);
        assert_eq!(past_median_time([7], 0), 7);
    }

    #[test]
    fn the_median_of_an_even_window_is_the_upper_middle_timestamp() {
        assert_eq!(past_median_time([1, 2], 0), 2);
        assert_eq!(past_median_time([4, 3, 2, 1], 0), 3);
    }

    #[test]
    fn an_empty_window_gives_the_genesis_timestamp() {
        assert_eq!(past_median_time([], 1234), 1234);
    }

    #[test]
    fn equal_timestamps_are_kept_apart() {
        assert_eq!(past_median_time([9, 1, 9, 9], 0), 9);
        assert_eq!(past_median_time([1, 1, 1, 9], 0), 1);
    }

    proptest! {
        /// The plain twin: sort everything and index the middle.
        #[test]
        fn past_median_time_matches_a_full_sort(mut times in proptest::collection::vec(any::<u64>(), 1..64)) {
            let fast = past_median_time(times.iter().copied(), 0);
            times.sort_unstable();
            prop_assert_eq!(fast, times[times.len() / 2]);
        }

        #[test]
        fn the_mergeset_splits_into_daa_and_non_daa_blocks(
            blues in proptest::collection::vec(any::<u16>(), 0..40),
            reds in proptest::collection::vec(any::<u16>(), 0..40),
            sp_score in 0u64..1 << 60,
            cutoff: u16,
        ) {
            let score = daa_score(sp_score, &blues, &reds, |b| *b >= cutoff);
            prop_assert_eq!(score.daa_blues.len() + score.daa_reds.len() + score.non_daa.len(), blues.len() + reds.len());
            prop_assert_eq!(score.daa_score - sp_score, (score.daa_blues.len() + score.daa_reds.len()) as u64);
            prop_assert!(score.non_daa.iter().all(|b| *b < cutoff));
            prop_assert!(score.daa_blues.iter().chain(&score.daa_reds).all(|b| *b >= cutoff));
        }
    }
}
