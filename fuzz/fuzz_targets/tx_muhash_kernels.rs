#![no_main]
//! The MuHash fast kernels (x86-64: the `mulx` product, the AVX2 BLAKE2b and ChaCha20) equal
//! their portable twins on arbitrary input, and the product equals the schoolbook one.
//!
//! The first 768 bytes (padded with 0xff, so that short inputs reach numbers at and just
//! above the prime) are two unreduced 3072-bit numbers; their product is taken by every
//! path and compared reduced. The whole input is also hashed as an element's bytes by
//! both BLAKE2b paths, and the seed expanded by both ChaCha20 paths.

use libfuzzer_sys::fuzz_target;
use pyrin_tx::muhash::internals::{element_seed, element_seed_portable, expand, expand_portable, Number};
use pyrin_tx::muhash::SERIALIZED_LEN;

fuzz_target!(|data: &[u8]| {
    let mut bytes = [0xffu8; 2 * SERIALIZED_LEN];
    let n = data.len().min(bytes.len());
    bytes[..n].copy_from_slice(&data[..n]);
    let (x, y) = bytes.split_at(SERIALIZED_LEN);
    let x = Number::from_le_bytes(x.try_into().unwrap());
    let y = Number::from_le_bytes(y.try_into().unwrap());

    let fast = x.mul(&y).to_canonical_le_bytes();
    assert_eq!(fast, x.mul_portable(&y).to_canonical_le_bytes(), "fast and portable products differ");
    assert_eq!(fast, x.mul_plain(&y).to_canonical_le_bytes(), "fast and schoolbook products differ");
    assert_eq!(fast, y.mul(&x).to_canonical_le_bytes(), "the product does not commute");

    let seed = element_seed(data);
    assert_eq!(seed, element_seed_portable(data), "fast and portable BLAKE2b differ");
    assert_eq!(
        expand(&seed).to_canonical_le_bytes(),
        expand_portable(&seed).to_canonical_le_bytes(),
        "fast and portable ChaCha20 differ"
    );
});
