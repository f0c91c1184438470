#![no_main]
//! Parsing arbitrary text as an address never panics, and what parses is the canonical
//! spelling: printing the address gives back exactly the text that was parsed (so one
//! payee has one string; the reference also accepts non-zero padding bits and extra
//! padding groups, this crate refuses them).

use libfuzzer_sys::fuzz_target;
use pyrin_tx::address::Address;

fuzz_target!(|text: &str| {
    if let Ok(address) = text.parse::<Address>() {
        assert_eq!(address.to_string(), text);
    }
});
