#![no_main]
//! Decoding arbitrary bytes as a transaction never panics, and whatever decodes
//! re-encodes to the same bytes.

use libfuzzer_sys::fuzz_target;
use pyrin_core::{Decode, Encode, Transaction};

fuzz_target!(|data: &[u8]| {
    if let Ok(tx) = Transaction::from_bytes(data) {
        assert_eq!(tx.to_bytes(), data);
        let _ = tx.id();
        let _ = tx.hash();
    }
});
