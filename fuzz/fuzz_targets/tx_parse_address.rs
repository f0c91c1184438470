#![no_main]
//! Parsing arbitrary text as an address never panics, and what parses prints as an address
//! that parses back to the same value. (Like the node, the parser accepts a few spellings
//! that print differently, e.g. non-zero padding bits, so the text itself may differ.)

use libfuzzer_sys::fuzz_target;
use pyrin_tx::address::Address;

fuzz_target!(|text: &str| {
    if let Ok(address) = text.parse::<Address>() {
        assert_eq!(address.to_string().parse::<Address>(), Ok(address));
    }
});
