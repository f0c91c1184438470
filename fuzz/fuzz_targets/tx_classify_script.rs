#![no_main]
//! Classifying arbitrary script public keys never panics; standard ones map to an address
//! whose script is the same bytes.

use libfuzzer_sys::fuzz_target;
use pyrin_core::ScriptPublicKey;
use pyrin_tx::{address::Prefix, script};

fuzz_target!(|input: (u16, Vec<u8>)| {
    let spk = ScriptPublicKey::new(input.0, input.1);
    let _ = script::classify(&spk);
    if let Some(address) = script::address_of_script(&spk, Prefix::Mainnet) {
        assert_eq!(script::pay_to_address(&address), spk);
    }
});
