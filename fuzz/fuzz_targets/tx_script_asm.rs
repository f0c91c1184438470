#![no_main]
//! The short-form script parser never panics on arbitrary text, and the formatter's
//! output parses back to the same bytes, for parsed scripts and for arbitrary bytes.

use libfuzzer_sys::fuzz_target;
use pyrin_tx::script_asm::{format, parse};

fuzz_target!(|input: (&str, &[u8])| {
    let (text, bytes) = input;
    if let Ok(script) = parse(text) {
        assert_eq!(parse(&format(&script)).as_deref(), Ok(script.as_slice()));
    }
    assert_eq!(parse(&format(bytes)).as_deref(), Ok(bytes));
});
