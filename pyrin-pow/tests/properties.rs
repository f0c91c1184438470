//! The fast paths agree with the plain one on random templates and nonces.

use proptest::prelude::*;
use pyrin_core::{CompactTarget, PowValue, PrePowHash};
use pyrin_pow::{search, share, PowState, Variant, LANES};

fn variant() -> impl Strategy<Value = Variant> {
    prop_oneof![Just(Variant::Legacy), Just(Variant::Relaunch)]
}

fn state() -> impl Strategy<Value = PowState> {
    (any::<[u8; 32]>(), any::<u64>(), any::<u32>(), variant()).prop_filter_map("zero hash", |(h, ts, bits, v)| {
        PowState::from_parts(PrePowHash::from_bytes(h), ts, CompactTarget::from_consensus(bits), v).ok()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn fast_equals_plain_on_every_backend(mut state in state(), first in any::<u64>()) {
        let mut batch = [PowValue::default(); LANES];
        for _ in 0..2 {
            state.pow_values(first, &mut batch);
            for (i, value) in batch.iter().enumerate() {
                prop_assert_eq!(*value, state.pow_value_plain(first.wrapping_add(i as u64)));
            }
            prop_assert_eq!(state.pow_value(first), batch[0]);
            let check = state.check(first);
            prop_assert_eq!(check.meets_target, state.target().is_met_by(check.value));
            state.force_portable();
        }
    }

    #[test]
    fn share_checks_agree_with_the_value(state in state(), nonce in any::<u64>(), difficulty in 1e-6f64..1e12) {
        let share_target = share::target_from_difficulty(difficulty).unwrap();
        let check = state.check_share(nonce, share_target);
        prop_assert_eq!(check.value, state.pow_value_plain(nonce));
        prop_assert_eq!(check.meets_share, share_target.is_met_by(check.value));
        prop_assert_eq!(check.meets_network, state.target().is_met_by(check.value));
    }

    #[test]
    fn search_reports_the_first_hit(state in state(), start in any::<u32>(), len in 0u64..200) {
        let start = u64::from(start);
        let outcome = search(&state, start..start + len);
        let first = (start..start + len).find(|&n| state.target().is_met_by(state.pow_value_plain(n)));
        prop_assert_eq!(outcome.solution.map(|s| s.nonce), first);
        prop_assert_eq!(outcome.tried, first.map_or(len, |n| n - start + 1));
    }

    #[test]
    fn share_target_is_monotone(a in 1e-3f64..1e15, b in 1e-3f64..1e15) {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        prop_assert!(share::target_from_difficulty(lo).unwrap() >= share::target_from_difficulty(hi).unwrap());
    }
}
