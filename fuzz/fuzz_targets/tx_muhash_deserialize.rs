#![no_main]
//! Arbitrary 384 bytes either deserialize as a MuHash or are refused, never a panic; the
//! refusal happens exactly when the little-endian number is at or above the prime
//! 2^3072 − 1103717; and what deserializes serializes back to exactly the same bytes (the
//! accepted numbers are the canonical representatives, so the round trip is the identity).
//! Input past the first 384 bytes, when there is some, is added to the deserialized value
//! and removed again, which must give back the same bytes once more.
//!
//! Inputs shorter than 384 bytes are padded with 0xff, so that short inputs reach the
//! numbers just below and above the prime.

use libfuzzer_sys::fuzz_target;
use pyrin_tx::muhash::{MuHash, SERIALIZED_LEN};

/// 2^64 − 1103717: the prime's lowest limb (every other limb is all ones).
const PRIME_LOW_LIMB: u64 = 1_103_717u64.wrapping_neg();

fuzz_target!(|data: &[u8]| {
    let mut bytes = [0xffu8; SERIALIZED_LEN];
    let n = data.len().min(SERIALIZED_LEN);
    bytes[..n].copy_from_slice(&data[..n]);
    let rest = &data[n..];

    let low = u64::from_le_bytes(bytes[..8].try_into().unwrap());
    let at_or_above_prime = low >= PRIME_LOW_LIMB && bytes[8..].iter().all(|&b| b == 0xff);

    match MuHash::deserialize(&bytes) {
        Ok(mut set) => {
            assert!(!at_or_above_prime, "accepted a number at or above the prime");
            assert_eq!(set.serialize(), bytes);
            if !rest.is_empty() {
                set.add_element(rest);
                set.remove_element(rest);
                assert_eq!(set.serialize(), bytes);
            }
        }
        Err(_) => assert!(at_or_above_prime, "refused a number below the prime"),
    }
});
