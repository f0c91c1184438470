//! Splitting a block reward among a pool's miners, to the leor.
//!
//! Miner *i* is owed `R · S_i / S_total`. In whole leor each gets the floor of that; the
//! leftover (fewer leor than there are miners) goes one leor each to the miners with the
//! largest remainders `R · S_i mod S_total`, ties to the miner listed first. So payouts
//! always sum to exactly `R`, nobody gets more than one leor above their exact share, and
//! the result depends only on the input order, never on hashing or randomness. All
//! products are taken in 128 bits (256 when a PPLNS miner's summed difficulties pass
//! u64): any u64 reward, share counts and difficulties are safe.

use alloc::{collections::BTreeMap, vec::Vec};

use pyrin_core::{Amount, Uint256};

/// Why a reward could not be split.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PayoutError {
    /// No miners (or an empty PPLNS window).
    #[error("no shares to split the reward over")]
    NoShares,
    /// Every share count (or difficulty) is zero.
    #[error("the shares sum to zero")]
    ZeroTotal,
}

/// Splits `reward` over `shares` (one weight per miner, in a stable order) proportionally;
/// returns one payout per entry, summing to exactly `reward`.
///
/// ```
/// use pyrin_core::Amount;
/// use pyrin_emission::payout::split_proportional;
///
/// let leor = |v: Vec<u64>| v.into_iter().map(Amount::from_leor).collect::<Vec<_>>();
/// let payouts = split_proportional(Amount::from_leor(100), &[1, 1, 1])?;
/// assert_eq!(payouts, leor(vec![34, 33, 33])); // the leftover leor goes to the first listed
/// assert_eq!(split_proportional(Amount::from_leor(1_000), &[3, 1])?, leor(vec![750, 250]));
/// # Ok::<(), pyrin_emission::payout::PayoutError>(())
/// ```
///
/// # Errors
/// [`PayoutError::NoShares`] when `shares` is empty, [`PayoutError::ZeroTotal`] when every
/// weight is zero.
pub fn split_proportional(reward: Amount, shares: &[u64]) -> Result<Vec<Amount>, PayoutError> {
    Ok(split_weighted(reward.to_leor(), shares)?.into_iter().map(Amount::from_leor).collect())
}

/// The split behind both public rules, over weights that may pass u64 (a PPLNS miner's
/// summed difficulties). The total always fits in u128 (fewer than 2^64 weights, each a
/// sum of u64s), and so does every remainder; only `R · w` for a weight past u64 needs
/// more than 128 bits, and takes the 256-bit route.
fn split_weighted<W: Copy + Into<u128>>(reward: u64, weights: &[W]) -> Result<Vec<u64>, PayoutError> {
    if weights.is_empty() {
        return Err(PayoutError::NoShares);
    }
    let total: u128 = weights.iter().map(|&w| w.into()).sum();
    if total == 0 {
        return Err(PayoutError::ZeroTotal);
    }
    let mut payouts = Vec::with_capacity(weights.len());
    let mut remainders = Vec::with_capacity(weights.len());
    let mut paid = 0u64;
    for (i, &w) in weights.iter().enumerate() {
        let w: u128 = w.into();
        // Each quotient is ≤ reward because w ≤ total, and each remainder < total.
        let (base, rem) = match u64::try_from(w) {
            Ok(w) => {
                let owed = u128::from(reward) * u128::from(w);
                ((owed / total) as u64, owed % total)
            }
            Err(_) => {
                let owed = Uint256::from_u128(w).checked_mul_u64(reward).unwrap_or(Uint256::MAX);
                let (q, r) = owed.div_rem(Uint256::from_u128(total)).unwrap_or((Uint256::ZERO, Uint256::ZERO));
                (q.to_u64().unwrap_or(reward), r.to_u128().unwrap_or(0))
            }
        };
        payouts.push(base);
        paid += base;
        remainders.push((rem, i));
    }
    let leftover = (reward - paid) as usize;
    if leftover > 0 {
        // Largest remainder first, then the earlier entry.
        let by_claim = |a: &(u128, usize), b: &(u128, usize)| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
        if leftover < remainders.len() {
            remainders.select_nth_unstable_by(leftover - 1, by_claim);
        }
        for &(_, i) in &remainders[..leftover] {
            payouts[i] += 1;
        }
    }
    Ok(payouts)
}

/// One accepted share in a PPLNS window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Share<M> {
    /// Who submitted it.
    pub miner: M,
    /// The share difficulty it met (its weight).
    pub difficulty: u64,
}

/// Pay-per-last-N-shares: splits `reward` over the last `window` shares of `shares`
/// (oldest first), each weighted by its difficulty. Returns one payout per miner in
/// order of each miner's first share within the window, summing to exactly `reward`
/// (leftover rule as in [`split_proportional`], over that order).
///
/// ```
/// use pyrin_core::Amount;
/// use pyrin_emission::payout::{pplns, Share};
///
/// let shares = [
///     Share { miner: "old", difficulty: 100 },
///     Share { miner: "alice", difficulty: 2 },
///     Share { miner: "bob", difficulty: 1 },
///     Share { miner: "alice", difficulty: 1 },
/// ];
/// let paid = pplns(Amount::from_leor(900), &shares, 3)?;
/// assert_eq!(paid, vec![("alice", Amount::from_leor(675)), ("bob", Amount::from_leor(225))]);
/// # Ok::<(), pyrin_emission::payout::PayoutError>(())
/// ```
///
/// # Errors
/// [`PayoutError::NoShares`] when the window holds no share (`shares` is empty or
/// `window` is 0), [`PayoutError::ZeroTotal`] when every share in it has difficulty 0.
pub fn pplns<M: Ord + Clone>(
    reward: Amount,
    shares: &[Share<M>],
    window: usize,
) -> Result<Vec<(M, Amount)>, PayoutError> {
    let recent = &shares[shares.len().saturating_sub(window)..];
    if recent.is_empty() {
        return Err(PayoutError::NoShares);
    }
    let mut slot_of: BTreeMap<&M, usize> = BTreeMap::new();
    let mut miners: Vec<&M> = Vec::new();
    let mut weights: Vec<u128> = Vec::new();
    for share in recent {
        let slot = *slot_of.entry(&share.miner).or_insert_with(|| {
            miners.push(&share.miner);
            weights.push(0);
            miners.len() - 1
        });
        // A miner's summed difficulties may pass u64; u128 holds any window (fewer than
        // 2^64 shares), so the split stays exact.
        weights[slot] += u128::from(share.difficulty);
    }
    let payouts = split_weighted(reward.to_leor(), &weights)?;
    Ok(miners.into_iter().cloned().zip(payouts.into_iter().map(Amount::from_leor)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn split_proportional(reward: u64, shares: &[u64]) -> Result<Vec<u64>, PayoutError> {
        Ok(super::split_proportional(Amount::from_leor(reward), shares)?.into_iter().map(Amount::to_leor).collect())
    }

    fn pplns<M: Ord + Clone>(reward: u64, shares: &[Share<M>], window: usize) -> Result<Vec<(M, Amount)>, PayoutError> {
        super::pplns(Amount::from_leor(reward), shares, window)
    }

    #[test]
    fn errors() {
        assert_eq!(split_proportional(5, &[]), Err(PayoutError::NoShares));
        assert_eq!(split_proportional(5, &[0, 0]), Err(PayoutError::ZeroTotal));
        assert_eq!(pplns::<u8>(5, &[], 10), Err(PayoutError::NoShares));
        assert_eq!(pplns(5, &[Share { miner: 1u8, difficulty: 1 }], 0), Err(PayoutError::NoShares));
    }

    #[test]
    fn extreme_inputs_do_not_overflow() {
        let p = split_proportional(u64::MAX, &[u64::MAX, u64::MAX, 1]).unwrap();
        assert_eq!(p.iter().map(|&x| u128::from(x)).sum::<u128>(), u128::from(u64::MAX));
        assert_eq!(split_proportional(0, &[1, 2]).unwrap(), vec![0, 0]);
        assert_eq!(split_proportional(7, &[0, 5]).unwrap(), vec![0, 7]);
    }

    #[test]
    fn largest_remainders_win_the_leftover() {
        // Exact shares 2.5, 1.6666…, 0.8333…: floors 2, 1, 0 leave 2 leor; remainders
        // rank the third (0.83) then the second (0.67).
        assert_eq!(split_proportional(5, &[3, 2, 1]).unwrap(), vec![2, 2, 1]);
    }
}
