#![no_main]
//! Parsing arbitrary signature scripts never panics; what parses rebuilds the same bytes.

use libfuzzer_sys::fuzz_target;
use pyrin_tx::script;

fuzz_target!(|data: &[u8]| {
    if let Ok((signature, ty)) = script::parse_p2pk_signature_script(data) {
        assert_eq!(script::p2pk_signature_script(&signature, ty), data);
    }
});
