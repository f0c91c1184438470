//! Properties of the schedule, the coinbase payload and the payout split.

use proptest::prelude::*;
use pyrin_core::{params::Network, Amount, ScriptPublicKey, Uint256};
use pyrin_emission::{
    coinbase::{CoinbaseData, PayloadLimits},
    payout::{pplns, split_proportional, Share},
    EmissionSchedule,
};

fn network() -> impl Strategy<Value = Network> {
    prop::sample::select(Network::ALL.to_vec())
}

proptest! {
    #[test]
    fn subsidy_never_increases(net in network(), a in 0.0f64..1.0, b in 0.0f64..1.0) {
        let s = EmissionSchedule::for_network(net);
        // Scores drawn across the paying range and a little past it, where the subsidy
        // changes; uniform u64s would nearly always land past the last paid score.
        let span = s.last_rewarding_daa_score() + 2 * s.blocks_per_month();
        let (a, b) = ((a * span as f64) as u64, (b * span as f64) as u64);
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        prop_assert!(s.subsidy(lo) >= s.subsidy(hi));
    }

    #[test]
    fn cumulative_equals_the_brute_force_sum(net in network(), start in 0u64..1_200_000_000, len in 0u64..3_000) {
        let s = EmissionSchedule::for_network(net);
        let brute: u64 = (start..start + len).map(|d| s.subsidy(d).to_leor()).sum();
        prop_assert_eq!(s.cumulative_subsidy(start + len).to_leor() - s.cumulative_subsidy(start).to_leor(), brute);
        prop_assert_eq!(s.cumulative_subsidy_through(start + len), s.cumulative_subsidy(start + len + 1));
    }

    #[test]
    fn cumulative_near_phase_and_month_boundaries(net in network(), month in 0u64..370, offset in -2_000i64..2_000) {
        let s = EmissionSchedule::for_network(net);
        let boundary = s.deflationary_phase_daa_score() + month * s.blocks_per_month();
        let start = boundary.saturating_add_signed(offset);
        let brute: u64 = (start..start + 4_000).map(|d| s.subsidy(d).to_leor()).sum();
        prop_assert_eq!(s.cumulative_subsidy(start + 4_000).to_leor() - s.cumulative_subsidy(start).to_leor(), brute);
    }

    #[test]
    fn payouts_sum_to_the_reward_and_stay_within_a_leor(reward in any::<u64>(), shares in prop::collection::vec(any::<u64>(), 1..60)) {
        let total: u128 = shares.iter().map(|&s| u128::from(s)).sum();
        prop_assume!(total > 0);
        let payouts = split_proportional(Amount::from_leor(reward), &shares).unwrap();
        let payouts: Vec<u64> = payouts.into_iter().map(Amount::to_leor).collect();
        prop_assert_eq!(payouts.iter().map(|&p| u128::from(p)).sum::<u128>(), u128::from(reward));
        for (&p, &s) in payouts.iter().zip(&shares) {
            let exact_floor = u128::from(reward) * u128::from(s) / total;
            prop_assert!(u128::from(p) == exact_floor || u128::from(p) == exact_floor + 1);
        }
    }

    #[test]
    fn pplns_sums_to_the_reward(reward in any::<u64>(), shares in prop::collection::vec((0u8..8, 1u64..1_000_000), 1..200), window in 1usize..300) {
        let shares: Vec<Share<u8>> = shares.into_iter().map(|(miner, difficulty)| Share { miner, difficulty }).collect();
        let payouts = pplns(Amount::from_leor(reward), &shares, window).unwrap();
        prop_assert_eq!(payouts.iter().map(|(_, p)| u128::from(p.to_leor())).sum::<u128>(), u128::from(reward));
    }

    #[test]
    fn pplns_is_exact_with_difficulties_near_u64_max(reward in any::<u64>(), shares in prop::collection::vec((0u8..4, u64::MAX - 1_000..=u64::MAX), 1..40)) {
        let shares: Vec<Share<u8>> = shares.into_iter().map(|(miner, difficulty)| Share { miner, difficulty }).collect();
        let payouts = pplns(Amount::from_leor(reward), &shares, shares.len()).unwrap();
        prop_assert_eq!(payouts.iter().map(|(_, p)| u128::from(p.to_leor())).sum::<u128>(), u128::from(reward));
        let weight = |m: u8| shares.iter().filter(|s| s.miner == m).map(|s| u128::from(s.difficulty)).sum::<u128>();
        let total: u128 = shares.iter().map(|s| u128::from(s.difficulty)).sum();
        for (miner, paid) in payouts {
            let paid = paid.to_leor();
            let owed = Uint256::from_u128(weight(miner)).checked_mul_u64(reward).unwrap();
            let floor = owed.checked_div(Uint256::from_u128(total)).unwrap().to_u64().unwrap();
            prop_assert!(paid == floor || paid == floor + 1, "{miner}: paid {paid}, exact floor {floor}");
        }
    }

    #[test]
    fn coinbase_payload_round_trips(blue_score in any::<u64>(), subsidy in any::<u64>(), version in any::<u16>(),
                                    script in prop::collection::vec(any::<u8>(), 0..150), extra in prop::collection::vec(any::<u8>(), 0..35)) {
        let limits = PayloadLimits::from_params(Network::Mainnet.params());
        let data = CoinbaseData { blue_score, subsidy: Amount::from_leor(subsidy), script_public_key: ScriptPublicKey::new(version, script), extra_data: extra };
        match data.encode(&limits) {
            Ok(payload) => prop_assert_eq!(CoinbaseData::decode(&payload, &limits).unwrap(), data),
            Err(_) => prop_assert!(19 + data.script_public_key.script.len() + data.extra_data.len() > limits.max_payload_len),
        }
    }
}

#[test]
fn every_network_stays_below_a_billion_pyi() {
    for net in Network::ALL {
        let s = EmissionSchedule::for_network(net);
        assert!(s.max_supply() < Amount::MAX_MONEY, "{net:?}");
        assert_eq!(s.subsidy(s.last_rewarding_daa_score() + 1), Amount::ZERO);
        assert!(s.subsidy(s.last_rewarding_daa_score()) > Amount::ZERO);
    }
}
