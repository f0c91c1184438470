//! The subsidy schedule of a network and the supply it implies.

use pyrin_core::params::{Network, Params};
use pyrin_core::Amount;

use crate::table::{MONTHS, SUBSIDY_BY_MONTH_1BPS};

/// Seconds in a month: 365.25 / 12 days.
pub const SECONDS_PER_MONTH: u64 = 2_629_800;

/// The highest block rate a schedule takes: one block per millisecond, the shortest
/// target block time the parameters can express.
pub const MAX_BPS: u64 = 1000;

/// A network's emission schedule with its monthly table already scaled to the network's
/// block rate and the cumulative sums precomputed, so that every query is O(1) (or
/// O(log n) for [`EmissionSchedule::daa_score_reaching`]).
///
/// ```
/// use pyrin_core::params::Network;
/// use pyrin_core::Amount;
/// use pyrin_emission::EmissionSchedule;
///
/// let mainnet = EmissionSchedule::for_network(Network::Mainnet);
/// assert_eq!(mainnet.subsidy(0), Amount::from_pyi(17).unwrap());
/// assert_eq!(mainnet.subsidy(15_519_600), Amount::from_pyi(14).unwrap());
/// assert_eq!(mainnet.max_supply().to_leor(), 91_981_090_796_898_600);
/// assert_eq!(mainnet.cumulative_subsidy(10), Amount::from_pyi(170).unwrap());
/// assert_eq!(mainnet.cumulative_subsidy_through(10), Amount::from_pyi(187).unwrap());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmissionSchedule {
    deflationary_phase_daa_score: u64,
    pre_deflationary_subsidy: Amount,
    blocks_per_month: u64,
    table: [u64; MONTHS],
    /// `before_month[m]`: everything paid in the deflationary phase before month `m`.
    before_month: [u64; MONTHS + 1],
}

impl EmissionSchedule {
    /// The schedule of `network` (from its [`Params`]).
    pub fn for_network(network: Network) -> Self {
        Self::from_params(network.params())
    }

    /// The schedule of the given parameters: `bps = 1000 / target_time_per_block` blocks per
    /// second, each monthly entry `ceil(entry / bps)`.
    pub fn from_params(params: &Params) -> Self {
        let bps = (1000 / params.target_time_per_block.max(1)).max(1);
        Self::new(params.deflationary_phase_daa_score, params.pre_deflationary_phase_base_subsidy, bps)
    }

    /// A schedule from its constants: the first deflationary DAA score, the subsidy before
    /// it and the blocks per second, clamped to `1..=`[`MAX_BPS`] (a block
    /// time is a whole number of milliseconds, so no network exceeds 1000 blocks/s; the
    /// clamp keeps every product below 2^64).
    pub fn new(deflationary_phase_daa_score: u64, pre_deflationary_subsidy: Amount, bps: u64) -> Self {
        let bps = bps.clamp(1, MAX_BPS);
        let table = SUBSIDY_BY_MONTH_1BPS.map(|entry| entry.div_ceil(bps));
        let blocks_per_month = SECONDS_PER_MONTH * bps;
        let mut before_month = [0u64; MONTHS + 1];
        for m in 0..MONTHS {
            // At most 366 · 1.4e9 · 2.6e6 ≈ 1.4e18 < 2^64 at any bps (entries shrink as bps grows).
            before_month[m + 1] = before_month[m].saturating_add(table[m].saturating_mul(blocks_per_month));
        }
        Self { deflationary_phase_daa_score, pre_deflationary_subsidy, blocks_per_month, table, before_month }
    }

    /// First DAA score of the deflationary phase.
    pub fn deflationary_phase_daa_score(&self) -> u64 {
        self.deflationary_phase_daa_score
    }

    /// The subsidy of every block before the deflationary phase.
    pub fn pre_deflationary_subsidy(&self) -> Amount {
        self.pre_deflationary_subsidy
    }

    /// DAA scores per month.
    pub fn blocks_per_month(&self) -> u64 {
        self.blocks_per_month
    }

    /// The monthly table scaled to this network's block rate: leor per block in each month
    /// of the deflationary phase (raw counts, as [`SUBSIDY_BY_MONTH_1BPS`](crate::SUBSIDY_BY_MONTH_1BPS)).
    pub fn monthly_table(&self) -> &[u64; MONTHS] {
        &self.table
    }

    /// The subsidy of a block with this DAA score.
    pub fn subsidy(&self, daa_score: u64) -> Amount {
        if daa_score < self.deflationary_phase_daa_score {
            return self.pre_deflationary_subsidy;
        }
        let month = (daa_score - self.deflationary_phase_daa_score) / self.blocks_per_month;
        let leor =
            usize::try_from(month).ok().and_then(|m| self.table.get(m)).copied().unwrap_or(self.table[MONTHS - 1]);
        Amount::from_leor(leor)
    }

    /// The sum of [`subsidy`](Self::subsidy) over every DAA score *below* `daa_score` (one
    /// block per score), in O(1): the supply before that block. Saturates at `u64::MAX`
    /// leor, which no schedule reaches.
    pub fn cumulative_subsidy(&self, daa_score: u64) -> Amount {
        let pre_phase = daa_score.min(self.deflationary_phase_daa_score);
        let paid_before = u128::from(pre_phase) * u128::from(self.pre_deflationary_subsidy.to_leor());
        let paid_after = if daa_score <= self.deflationary_phase_daa_score {
            0
        } else {
            let into = daa_score - self.deflationary_phase_daa_score;
            let month = into / self.blocks_per_month;
            match usize::try_from(month).ok().filter(|&m| m < MONTHS) {
                Some(m) => {
                    u128::from(self.before_month[m])
                        + u128::from(into % self.blocks_per_month) * u128::from(self.table[m])
                }
                // Past the table every block is paid the last entry (0 on every network).
                None => {
                    let extra = into - MONTHS as u64 * self.blocks_per_month;
                    u128::from(self.before_month[MONTHS]) + u128::from(extra) * u128::from(self.table[MONTHS - 1])
                }
            }
        };
        Amount::from_leor(u64::try_from(paid_before + paid_after).unwrap_or(u64::MAX))
    }

    /// The supply *through* `daa_score`: the sum of the subsidies of every DAA score up to
    /// and including it (`cumulative_subsidy(daa_score + 1)`, saturating).
    pub fn cumulative_subsidy_through(&self, daa_score: u64) -> Amount {
        match daa_score.checked_add(1) {
            Some(next) => self.cumulative_subsidy(next),
            None => self.cumulative_subsidy(u64::MAX).saturating_add(self.subsidy(u64::MAX)),
        }
    }

    /// The highest DAA score still paid more than 0.
    pub fn last_rewarding_daa_score(&self) -> u64 {
        match self.table.iter().rposition(|&s| s > 0) {
            Some(m) => self.deflationary_phase_daa_score.saturating_add((m as u64 + 1) * self.blocks_per_month - 1),
            None => self.deflationary_phase_daa_score.saturating_sub(1),
        }
    }

    /// Everything the schedule ever pays: the cumulative subsidy once it pays 0.
    pub fn max_supply(&self) -> Amount {
        self.cumulative_subsidy(self.last_rewarding_daa_score().saturating_add(1))
    }

    /// The smallest DAA score `d` with `cumulative_subsidy(d) ≥ amount` (so the blocks
    /// before `d` have paid `amount`), or `None` if the schedule never pays that much.
    pub fn daa_score_reaching(&self, amount: Amount) -> Option<u64> {
        if amount > self.max_supply() {
            return None;
        }
        // cumulative_subsidy is non-decreasing: binary search over [0, last + 1].
        let (mut lo, mut hi) = (0u64, self.last_rewarding_daa_score().saturating_add(1));
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.cumulative_subsidy(mid) >= amount {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        Some(lo)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mainnet_constants() {
        let s = EmissionSchedule::for_network(Network::Mainnet);
        assert_eq!(s.deflationary_phase_daa_score(), 15_519_600);
        assert_eq!(s.blocks_per_month(), 2_629_800);
        assert_eq!(s.last_rewarding_daa_score(), 975_396_599);
        assert_eq!(s.subsidy(975_396_599), Amount::ONE_LEOR);
        assert_eq!(s.subsidy(975_396_600), Amount::ZERO);
        assert_eq!(s.subsidy(u64::MAX), Amount::ZERO);
        assert_eq!(s.cumulative_subsidy_through(u64::MAX), s.max_supply());
        assert_eq!(s.cumulative_subsidy_through(0), s.subsidy(0));
        assert_eq!(s.cumulative_subsidy(u64::MAX), s.max_supply());
    }

    #[test]
    fn reaching_a_supply_inverts_the_cumulative_sum() {
        let s = EmissionSchedule::for_network(Network::Testnet10);
        let max = s.max_supply().to_leor();
        for amount in [0, 1, 170_000_000, 170_000_001, max / 3, max].map(Amount::from_leor) {
            let d = s.daa_score_reaching(amount).unwrap();
            assert!(s.cumulative_subsidy(d) >= amount);
            assert!(d == 0 || s.cumulative_subsidy(d - 1) < amount);
        }
        assert_eq!(s.daa_score_reaching(Amount::from_leor(max + 1)), None);
    }
}
