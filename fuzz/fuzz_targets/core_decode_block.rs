#![no_main]
//! Decoding arbitrary bytes as a block never panics, and whatever decodes re-encodes to
//! the same bytes.

use libfuzzer_sys::fuzz_target;
use pyrin_core::{Block, Decode, Encode};

fuzz_target!(|data: &[u8]| {
    if let Ok(block) = Block::from_bytes(data) {
        assert_eq!(block.to_bytes(), data);
        let _ = block.hash_merkle_root();
    }
});
