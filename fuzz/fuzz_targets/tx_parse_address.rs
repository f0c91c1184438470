#![no_main]
//! Parsing arbitrary text as an address never panics, and what parses prints back the same.

use libfuzzer_sys::fuzz_target;
use pyrin_tx::address::Address;

fuzz_target!(|text: &str| {
    if let Ok(address) = text.parse::<Address>() {
        assert_eq!(address.to_string(), text);
    }
});
