//! From bytes to a MuHash element: the bytes' BLAKE2b-256 keyed with `MuHashElement` seeds
//! ChaCha20, whose first 384 keystream bytes, read as a little-endian number, are the
//! element.

use chacha20::cipher::consts::U10;
use chacha20::cipher::{Block, KeyIvInit, StreamCipherCore};
use chacha20::ChaChaCore;

use super::blake2b::{Blake2bHasher, KeyedBlake2b, DIGEST};
use super::num3072::{Num3072, BYTES};
use super::product::LIMBS;

/// The key of the element hash.
const ELEMENT_KEY: KeyedBlake2b = KeyedBlake2b::new(b"MuHashElement");
/// The key of the finalizing hash.
const FINALIZE_KEY: KeyedBlake2b = KeyedBlake2b::new(b"MuHashFinalize");

/// ChaCha20 with 20 rounds (10 double rounds), the RFC 8439 layout: 32-bit block counter,
/// 96-bit nonce.
type ChaCha20Core = ChaChaCore<U10>;

/// Keystream blocks generated per element: the six that make 384 bytes, rounded up to a
/// multiple of the four blocks the AVX2 backend computes at once (two more are cheaper
/// than a separate pass for the last two).
const KEYSTREAM_BLOCKS: usize = 8;

/// A hasher for one element's bytes, fed in pieces.
#[inline]
pub(crate) fn element_hasher() -> Blake2bHasher {
    ELEMENT_KEY.hasher()
}

/// The element hash's prepared key (for the benchmarks' portable baseline).
#[inline]
pub(crate) fn element_key() -> &'static KeyedBlake2b {
    &ELEMENT_KEY
}

/// The element of the bytes fed to `hasher`.
#[inline]
pub(crate) fn element_of_hasher(hasher: Blake2bHasher) -> Num3072 {
    expand(&hasher.finalize())
}

/// The element of `data`.
#[inline]
pub(crate) fn element_of(data: &[u8]) -> Num3072 {
    expand(&ELEMENT_KEY.hash(data))
}

/// The finalized digest of a serialized MuHash.
#[inline]
pub(crate) fn finalize_digest(serialized: &[u8; BYTES]) -> [u8; DIGEST] {
    FINALIZE_KEY.hash(serialized)
}

/// The number a seed expands to: the first 384 bytes of the ChaCha20 keystream keyed by the
/// seed, with a zero nonce and the block counter starting at zero, little-endian. (The
/// reference draws them from `rand_chacha`'s `ChaCha20Rng` seeded with the same 32 bytes:
/// stream 0, counter 0, the same keystream.) The number is not reduced: it is below 2^3072
/// and may, with negligible probability, be at or above p, which the products allow.
///
/// On x86-64 with AVX2, the six blocks as three pairs side by side ([`super::chacha_avx2`]); elsewhere
/// the `chacha20` crate ([`expand_portable`]).
#[inline]
pub(crate) fn expand(seed: &[u8; DIGEST]) -> Num3072 {
    #[cfg(target_arch = "x86_64")]
    if let Some(limbs) = super::chacha_avx2::keystream(seed) {
        return Num3072(limbs);
    }
    expand_portable(seed)
}

/// [`expand`] by the `chacha20` crate (its own AVX2 or SSE2 backend where it finds one),
/// whatever the processor has: the path of every target but x86-64 with AVX2, and the
/// baseline of the AVX2 one.
pub(crate) fn expand_portable(seed: &[u8; DIGEST]) -> Num3072 {
    let mut core = ChaCha20Core::new(seed.into(), &Default::default());
    let mut blocks = [Block::<ChaCha20Core>::default(); KEYSTREAM_BLOCKS];
    core.write_keystream_blocks(&mut blocks);
    let mut limbs = [0u64; LIMBS];
    for (limb, chunk) in limbs.iter_mut().zip(blocks.iter().flat_map(|block| block.chunks_exact(8))) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        *limb = u64::from_le_bytes(word);
    }
    Num3072(limbs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expansion_is_the_rfc_8439_keystream_from_block_zero() {
        // RFC 8439 §2.4.2's key, and its test of block 0 with a zero nonce (A.2 test
        // vector #1: all-zero key, all-zero nonce): the first keystream bytes.
        for element in [expand(&[0u8; 32]), expand_portable(&[0u8; 32])] {
            let bytes = element.to_le_bytes();
            assert_eq!(
                &bytes[..16],
                &[0x76, 0xb8, 0xe0, 0xad, 0xa0, 0xf1, 0x3d, 0x90, 0x40, 0x5d, 0x6a, 0xe5, 0x53, 0x86, 0xbd, 0x28]
            );
        }
    }

    #[test]
    fn streaming_and_whole_hashes_agree() {
        let data = [0x5au8; 300];
        let mut hasher = element_hasher();
        hasher.update(&data[..7]);
        hasher.update(&data[7..]);
        assert_eq!(element_of_hasher(hasher), element_of(&data));
    }
}
