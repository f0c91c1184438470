//! Nonce search over a range, on one thread or (feature `rayon`) on all of them.

use core::ops::{Bound, RangeBounds};

use pyrin_core::PowValue;

use crate::{PowState, LANES};

/// A nonce whose PoW value meets the target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Solution {
    /// The nonce.
    pub nonce: u64,
    /// Its PoW value.
    pub value: PowValue,
}

/// What a search found and how much work it did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SearchOutcome {
    /// The solution, if one was found.
    pub solution: Option<Solution>,
    /// How many nonces were hashed (to compute a hash rate). A search that finds a
    /// solution may have hashed a few nonces beyond it (at most one batch per thread).
    pub tried: u64,
}

/// The first and last nonce of a range, or `None` when it is empty.
fn inclusive_bounds(nonces: &impl RangeBounds<u64>) -> Option<(u64, u64)> {
    let first = match nonces.start_bound() {
        Bound::Included(&n) => n,
        Bound::Excluded(&n) => n.checked_add(1)?,
        Bound::Unbounded => 0,
    };
    let last = match nonces.end_bound() {
        Bound::Included(&n) => n,
        Bound::Excluded(&n) => n.checked_sub(1)?,
        Bound::Unbounded => u64::MAX,
    };
    (first <= last).then_some((first, last))
}

/// Searches `nonces` in increasing order and returns the first nonce meeting the
/// template's target, or `None` with `tried` equal to the range's length.
///
/// Any range of `u64` is accepted, `0..=u64::MAX` (or `..`) included. A fruitless search
/// of all 2^64 nonces reports `tried` as `u64::MAX`, one short, since the count saturates.
///
/// ```
/// use pyrin_core::params::Network;
/// use pyrin_pow::{search, PowState};
///
/// let mut header = Network::Devnet.params().genesis.header();
/// header.bits = pyrin_core::CompactTarget::from_consensus(0x207fffff); // an easy target: about every other nonce meets it
/// let state = PowState::new(&header)?;
/// let outcome = search(&state, 0..1000);
/// let solution = outcome.solution.expect("found");
/// assert!(state.target().is_met_by(solution.value));
/// // The top of the nonce space is searchable too.
/// assert!(search(&state, u64::MAX - 100..=u64::MAX).solution.is_some());
/// # Ok::<(), pyrin_pow::PowError>(())
/// ```
pub fn search(state: &PowState, nonces: impl RangeBounds<u64>) -> SearchOutcome {
    match inclusive_bounds(&nonces) {
        Some((first, last)) => search_chunk(state, first, last, || false),
        None => SearchOutcome { solution: None, tried: 0 },
    }
}

/// Searches `first..=last` in batches, stopping early when `stop` says so (checked per
/// batch).
fn search_chunk(state: &PowState, first: u64, last: u64, stop: impl Fn() -> bool) -> SearchOutcome {
    let target = state.target();
    let mut values = [PowValue::default(); LANES];
    let mut tried = 0u64;
    let mut start = first;
    loop {
        if stop() {
            break;
        }
        // `last - start + 1` would overflow for the whole nonce space.
        let count = (last - start).min(LANES as u64 - 1) as usize + 1;
        state.pow_values(start, &mut values);
        for (i, value) in values[..count].iter().enumerate() {
            if target.is_met_by(*value) {
                tried = tried.saturating_add(i as u64 + 1);
                return SearchOutcome { solution: Some(Solution { nonce: start + i as u64, value: *value }), tried };
            }
        }
        tried = tried.saturating_add(count as u64);
        match start.checked_add(count as u64) {
            Some(next) if next <= last => start = next,
            _ => break,
        }
    }
    SearchOutcome { solution: None, tried }
}

/// Searches `nonces` on all rayon threads: the range is cut into chunks that threads
/// take in turn, and every thread stops at its next batch once any thread finds a
/// solution. Which solution is returned when there are several is not specified (the
/// first found, not the lowest nonce).
#[cfg(feature = "rayon")]
#[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
pub fn par_search(state: &PowState, nonces: impl RangeBounds<u64>) -> SearchOutcome {
    use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    use rayon::prelude::*;

    // Big enough that scheduling costs nothing next to the hashing, small enough that
    // every thread gets many chunks.
    const CHUNK: u64 = 1 << 14;
    let Some((first, last)) = inclusive_bounds(&nonces) else {
        return SearchOutcome { solution: None, tried: 0 };
    };
    let found = AtomicBool::new(false);
    let tried = AtomicU64::new(0);
    // At most 2^50 chunks, which rayon's u64 ranges handle.
    let chunks = (last - first) / CHUNK + 1;
    let solution = (0..chunks).into_par_iter().find_map_any(|c| {
        let start = first + c * CHUNK;
        let end = start.saturating_add(CHUNK - 1).min(last);
        let outcome = search_chunk(state, start, end, || found.load(Ordering::Relaxed));
        // Saturating, like the sequential count: only the whole nonce space reaches it.
        let _ = tried.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |t| Some(t.saturating_add(outcome.tried)));
        if outcome.solution.is_some() {
            found.store(true, Ordering::Relaxed);
        }
        outcome.solution
    });
    SearchOutcome { solution, tried: tried.load(Ordering::Relaxed) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pyrin_core::params::Network;

    fn easy_state(bits: u32) -> PowState {
        let mut header = Network::Devnet.params().genesis.header();
        header.bits = pyrin_core::CompactTarget::from_consensus(bits);
        PowState::new(&header).unwrap()
    }

    #[test]
    fn finds_the_first_solution_in_order() {
        let state = easy_state(0x1f0fffff);
        let outcome = search(&state, 0..100_000);
        let solution = outcome.solution.expect("a solution among 100,000 nonces at this target");
        assert_eq!(outcome.tried, solution.nonce + 1);
        for nonce in 0..solution.nonce {
            assert!(!state.target().is_met_by(state.pow_value_plain(nonce)));
        }
        assert_eq!(state.pow_value_plain(solution.nonce), solution.value);
    }

    #[test]
    fn counts_every_nonce_of_a_fruitless_range() {
        let state = easy_state(0x03000001);
        let outcome = search(&state, 5..1_000);
        assert_eq!(outcome, SearchOutcome { solution: None, tried: 995 });
        assert_eq!(search(&state, 7..7).tried, 0);
        // A reversed range is empty.
        let (high, low) = (9, 8);
        assert_eq!(search(&state, high..=low).tried, 0);
        assert_eq!(search(&state, ..0).tried, 0);
        assert_eq!(search(&state, 3..=3).tried, 1);
        // Ranges ending at the top of the nonce space, in every batch alignment.
        for len in 1..=20u64 {
            assert_eq!(search(&state, u64::MAX - (len - 1)..).tried, len);
            assert_eq!(search(&state, u64::MAX - len..u64::MAX).tried, len);
        }
    }

    #[test]
    fn solutions_at_the_top_of_the_nonce_space_match_the_plain_path() {
        let state = easy_state(0x1f0fffff);
        let first = u64::MAX - 200_000;
        let outcome = search(&state, first..=u64::MAX);
        let solution = outcome.solution.expect("a solution among 200,001 nonces at this target");
        assert_eq!(outcome.tried, solution.nonce - first + 1);
        assert!((first..solution.nonce).all(|n| !state.target().is_met_by(state.pow_value_plain(n))));
        assert_eq!(state.pow_value_plain(solution.nonce), solution.value);
    }

    #[cfg(feature = "rayon")]
    #[test]
    fn parallel_search_finds_a_valid_solution() {
        let state = easy_state(0x1f0fffff);
        let outcome = par_search(&state, 0..1_000_000);
        let solution = outcome.solution.expect("found");
        assert!(state.target().is_met_by(solution.value));
        assert_eq!(state.pow_value_plain(solution.nonce), solution.value);
        let none = par_search(&easy_state(0x03000001), 0..50_000);
        assert_eq!(none, SearchOutcome { solution: None, tried: 50_000 });
        let top = par_search(&easy_state(0x03000001), u64::MAX - 40_000..=u64::MAX);
        assert_eq!(top, SearchOutcome { solution: None, tried: 40_001 });
        assert_eq!(par_search(&state, 5..5).tried, 0);
    }
}
