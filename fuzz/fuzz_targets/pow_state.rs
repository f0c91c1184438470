#![no_main]
//! Builds a PoW state from arbitrary bytes (as a header when they decode as one, otherwise
//! from raw parts) and evaluates arbitrary nonces, including runs that wrap past u64::MAX,
//! on both paths: no panic, and the fast path always equals the plain one. A short search
//! from the nonce (which may run to the top of the nonce space) agrees with the plain path.

use libfuzzer_sys::fuzz_target;
use pyrin_core::{CompactTarget, Decode, Header, PowValue, PrePowHash};
use pyrin_pow::{search, share, PowState, Variant, LANES};

fn check_state(state: &PowState, nonce: u64, difficulty: f64) {
    let check = state.check(nonce);
    assert_eq!(check.value, state.pow_value_plain(nonce));
    if let Ok(target) = share::target_from_difficulty(difficulty) {
        assert_eq!(state.check_share(nonce, target).value, check.value);
    }
    // A batch of lanes may start anywhere, including just below the wrap.
    let mut values = [PowValue::default(); LANES];
    state.pow_values(nonce, &mut values);
    for (i, value) in values.iter().enumerate() {
        assert_eq!(*value, state.pow_value_plain(nonce.wrapping_add(i as u64)));
    }
    let last = nonce.saturating_add(nonce % 24);
    let outcome = search(state, nonce..=last);
    match outcome.solution {
        Some(solution) => {
            assert_eq!(outcome.tried, solution.nonce - nonce + 1);
            assert_eq!(solution.value, state.pow_value_plain(solution.nonce));
            assert!(state.target().is_met_by(solution.value));
            assert!((nonce..solution.nonce).all(|n| !state.target().is_met_by(state.pow_value_plain(n))));
        }
        None => {
            assert_eq!(outcome.tried, last - nonce + 1);
            assert!((nonce..=last).all(|n| !state.target().is_met_by(state.pow_value_plain(n))));
        }
    }
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 17 {
        return;
    }
    let (nonce_bytes, rest) = data.split_at(8);
    let (difficulty_bytes, body) = rest.split_at(8);
    let nonce = u64::from_le_bytes(nonce_bytes.try_into().unwrap());
    let difficulty = f64::from_le_bytes(difficulty_bytes.try_into().unwrap());
    let variants = [Variant::Legacy, Variant::Relaunch];
    if let Ok(header) = Header::from_bytes(body) {
        for variant in variants {
            let Ok(state) = PowState::with_variant(&header, variant) else { return };
            check_state(&state, nonce, difficulty);
        }
        let _ = pyrin_pow::block_level(&header, 225);
    } else if body.len() >= 44 {
        // pre-PoW hash ‖ timestamp ‖ bits, the parts a pool's job carries.
        let pre_pow_hash = PrePowHash::from_bytes(body[..32].try_into().unwrap());
        let timestamp = u64::from_le_bytes(body[32..40].try_into().unwrap());
        let bits = CompactTarget::from_consensus(u32::from_le_bytes(body[40..44].try_into().unwrap()));
        let variant = variants[usize::from(body.len() % 2 == 1)];
        if let Ok(state) = PowState::from_parts(pre_pow_hash, timestamp, bits, variant) {
            check_state(&state, nonce, difficulty);
        }
    }
});
