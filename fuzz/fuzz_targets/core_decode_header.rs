#![no_main]
//! Decoding arbitrary bytes as a header never panics, and whatever decodes re-encodes
//! to the same bytes.

use libfuzzer_sys::fuzz_target;
use pyrin_core::{Decode, Encode, Header};

fuzz_target!(|data: &[u8]| {
    if let Ok(header) = Header::from_bytes(data) {
        assert_eq!(header.to_bytes(), data);
        let _ = header.hash();
        let _ = header.pre_pow_hash();
    }
});
