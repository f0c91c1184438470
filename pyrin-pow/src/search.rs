//! Nonce search over a range, on one thread or (feature `rayon`) on all of them.

use core::ops::Range;

use pyrin_core::Uint256;

use crate::{PowState, LANES};

/// A nonce whose PoW value meets the target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Solution {
    /// The nonce.
    pub nonce: u64,
    /// Its PoW value.
    pub value: Uint256,
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

/// Searches `nonces` in increasing order and returns the first nonce meeting the
/// template's target, or `None` with `tried` equal to the range's length.
///
/// ```
/// use pyrin_core::params::Network;
/// use pyrin_pow::{search, PowState};
///
/// let mut header = Network::Devnet.params().genesis.header();
/// header.bits = 0x207fffff; // an easy target: about every other nonce meets it
/// let state = PowState::new(&header)?;
/// let outcome = search(&state, 0..1000);
/// let solution = outcome.solution.expect("found");
/// assert!(solution.value <= state.target());
/// # Ok::<(), pyrin_pow::PowError>(())
/// ```
pub fn search(state: &PowState, nonces: Range<u64>) -> SearchOutcome {
    search_chunk(state, nonces, || false)
}

/// Searches `nonces` in batches, stopping early when `stop` says so (checked per batch).
fn search_chunk(state: &PowState, nonces: Range<u64>, stop: impl Fn() -> bool) -> SearchOutcome {
    let target = state.target();
    let mut values = [Uint256::ZERO; LANES];
    let mut tried = 0u64;
    let mut start = nonces.start;
    while start < nonces.end {
        if stop() {
            break;
        }
        let count = (nonces.end - start).min(LANES as u64) as usize;
        state.pow_values(start, &mut values);
        for (i, value) in values[..count].iter().enumerate() {
            if *value <= target {
                tried += i as u64 + 1;
                return SearchOutcome { solution: Some(Solution { nonce: start + i as u64, value: *value }), tried };
            }
        }
        tried += count as u64;
        start += count as u64;
    }
    SearchOutcome { solution: None, tried }
}

/// Searches `nonces` on all rayon threads: the range is cut into chunks that threads
/// take in turn, and every thread stops at its next batch once any thread finds a
/// solution. Which solution is returned when there are several is not specified (the
/// first found, not the lowest nonce).
#[cfg(feature = "rayon")]
pub fn par_search(state: &PowState, nonces: Range<u64>) -> SearchOutcome {
    use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    use rayon::prelude::*;

    // Big enough that scheduling costs nothing next to the hashing, small enough that
    // every thread gets many chunks.
    const CHUNK: u64 = 1 << 14;
    let found = AtomicBool::new(false);
    let tried = AtomicU64::new(0);
    let len = nonces.end.saturating_sub(nonces.start);
    let chunks = len.div_ceil(CHUNK);
    let solution = (0..chunks).into_par_iter().find_map_any(|c| {
        let start = nonces.start + c * CHUNK;
        let end = start.saturating_add(CHUNK).min(nonces.end);
        let outcome = search_chunk(state, start..end, || found.load(Ordering::Relaxed));
        tried.fetch_add(outcome.tried, Ordering::Relaxed);
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
        header.bits = bits;
        PowState::new(&header).unwrap()
    }

    #[test]
    fn finds_the_first_solution_in_order() {
        let state = easy_state(0x1f0fffff);
        let outcome = search(&state, 0..100_000);
        let solution = outcome.solution.expect("a solution among 100,000 nonces at this target");
        assert_eq!(outcome.tried, solution.nonce + 1);
        for nonce in 0..solution.nonce {
            assert!(state.pow_value_plain(nonce) > state.target());
        }
        assert_eq!(state.pow_value_plain(solution.nonce), solution.value);
    }

    #[test]
    fn counts_every_nonce_of_a_fruitless_range() {
        let state = easy_state(0x03000001);
        let outcome = search(&state, 5..1_000);
        assert_eq!(outcome, SearchOutcome { solution: None, tried: 995 });
        assert_eq!(search(&state, 7..7).tried, 0);
    }

    #[cfg(feature = "rayon")]
    #[test]
    fn parallel_search_finds_a_valid_solution() {
        let state = easy_state(0x1f0fffff);
        let outcome = par_search(&state, 0..1_000_000);
        let solution = outcome.solution.expect("found");
        assert!(solution.value <= state.target());
        assert_eq!(state.pow_value_plain(solution.nonce), solution.value);
        let none = par_search(&easy_state(0x03000001), 0..50_000);
        assert_eq!(none, SearchOutcome { solution: None, tried: 50_000 });
    }
}
