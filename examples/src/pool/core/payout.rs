//! Splitting a found block's reward over the shares behind it, with `pyrin-emission`'s
//! exact integer rules: proportional over the closed round (the white paper's
//! `R_i = R · S_i / S_total`), or PPLNS over the last N shares, whatever round they fell in.

use pyrin_core::Amount;
use pyrin_emission::payout::{pplns, split_proportional, Share};

/// How a found block's reward is split.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PayoutRule {
    /// Over the round's summed share weights.
    Proportional,
    /// Over the last N shares (the window).
    Pplns(usize),
}

/// One block's split: worker and leor, summing to the reward (empty when no share backs
/// it; the pool keeps that reward).
pub type Payouts = Vec<(String, u64)>;

/// The split of `reward` leor under `rule`, from the closed round's weights per worker
/// (`round`) and the PPLNS window (`window`, oldest share first, each worker and weight).
pub fn split(rule: PayoutRule, reward: u64, round: &[(String, u64)], window: &[(String, u64)]) -> Payouts {
    let reward = Amount::from_leor(reward);
    match rule {
        PayoutRule::Pplns(n) => {
            let shares: Vec<Share<String>> =
                window.iter().map(|(miner, weight)| Share { miner: miner.clone(), difficulty: *weight }).collect();
            pplns(reward, &shares, n)
                .map(|paid| paid.into_iter().map(|(w, a)| (w, a.to_leor())).collect())
                .unwrap_or_default()
        }
        PayoutRule::Proportional => {
            let mut round: Vec<(String, u64)> = round.iter().filter(|(_, w)| *w > 0).cloned().collect();
            // One order whatever order the store gave, so a retried split is the same.
            round.sort();
            let weights: Vec<u64> = round.iter().map(|(_, w)| *w).collect();
            match split_proportional(reward, &weights) {
                Ok(amounts) => round.into_iter().zip(amounts).map(|((w, _), a)| (w, a.to_leor())).collect(),
                Err(_) => Vec::new(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(name: &str, weight: u64) -> (String, u64) {
        (name.to_string(), weight)
    }

    #[test]
    fn proportional_pays_by_weight_in_any_order() {
        let paid = split(PayoutRule::Proportional, 100, &[w("b", 3), w("a", 1)], &[]);
        assert_eq!(paid, vec![w("a", 25), w("b", 75)]);
        assert_eq!(split(PayoutRule::Proportional, 100, &[w("b", 3), w("a", 1)], &[]), paid);
        assert!(split(PayoutRule::Proportional, 100, &[], &[]).is_empty());
    }

    #[test]
    fn pplns_pays_the_last_shares() {
        let window = [w("a", 1), w("b", 1), w("b", 2)];
        assert_eq!(split(PayoutRule::Pplns(2), 90, &[], &window), vec![w("b", 90)]);
        let paid = split(PayoutRule::Pplns(3), 100, &[], &window);
        assert_eq!(paid.iter().map(|(_, a)| a).sum::<u64>(), 100);
    }
}
