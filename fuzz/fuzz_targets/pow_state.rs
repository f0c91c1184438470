#![no_main]
//! Builds a PoW state from arbitrary header bytes and evaluates arbitrary nonces on both
//! paths: no panic, and the fast path always equals the plain one.

use libfuzzer_sys::fuzz_target;
use pyrin_core::{Decode, Header};
use pyrin_pow::{share, PowState, Variant};

fuzz_target!(|data: &[u8]| {
    if data.len() < 17 {
        return;
    }
    let (nonce_bytes, rest) = data.split_at(8);
    let (difficulty_bytes, header_bytes) = rest.split_at(8);
    let nonce = u64::from_le_bytes(nonce_bytes.try_into().unwrap());
    let Ok(header) = Header::from_bytes(header_bytes) else { return };
    for variant in [Variant::Legacy, Variant::Relaunch] {
        let Ok(state) = PowState::with_variant(&header, variant) else { return };
        let check = state.check(nonce);
        assert_eq!(check.value, state.pow_value_plain(nonce));
        if let Ok(target) = share::target_from_difficulty(f64::from_le_bytes(difficulty_bytes.try_into().unwrap())) {
            let share = state.check_share(nonce, &target);
            assert_eq!(share.value, check.value);
        }
    }
    let _ = pyrin_pow::block_level(&header, 225);
});
