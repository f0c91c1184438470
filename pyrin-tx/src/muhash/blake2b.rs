//! Keyed BLAKE2b with a 32-byte digest (RFC 7693), the hash MuHash uses for its elements and
//! for its finalization.
//!
//! A keyed BLAKE2b hash starts by compressing the key, zero-padded to a whole 128-byte block.
//! MuHash's two keys are constants, so that first compression is done once, at compile time
//! ([`KeyedBlake2b::new`] is a `const fn`), and hashing an element of up to 128 bytes costs
//! a single compression instead of two. Only when no byte at all follows the key is the key
//! block itself the last block; that digest is a constant too.
//!
//! At run time a block is compressed by `blake2b_avx2` where the processor has AVX2
//! (x86-64), and by the scalar `const fn` compress everywhere else; that one also prepares
//! the keys at compile time.
//!
//! The tests hold both paths against `blake2b_simd` (the crate the reference node keys its
//! hashers with) for every length around the block boundaries.

/// Bytes in a BLAKE2b block.
pub(super) const BLOCK: usize = 128;
/// Bytes of the digest MuHash uses.
pub(crate) const DIGEST: usize = 32;

/// The initialization vector (the SHA-512 one).
pub(super) const IV: [u64; 8] = [
    0x6a09_e667_f3bc_c908,
    0xbb67_ae85_84ca_a73b,
    0x3c6e_f372_fe94_f82b,
    0xa54f_f53a_5f1d_36f1,
    0x510e_527f_ade6_82d1,
    0x9b05_688c_2b3e_6c1f,
    0x1f83_d9ab_fb41_bd6b,
    0x5be0_cd19_137e_2179,
];

/// The message word schedule of each of the 12 rounds (rounds 10 and 11 repeat 0 and 1).
pub(super) const SIGMA: [[usize; 16]; 12] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
    [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
    [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
    [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
    [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
    [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
    [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
    [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
    [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
    [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
    [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
];

/// The mixing function G on columns or diagonals `(a, b, c, d)` of the work vector.
#[inline(always)]
const fn mix(v: &mut [u64; 16], a: usize, b: usize, c: usize, d: usize, x: u64, y: u64) {
    v[a] = v[a].wrapping_add(v[b]).wrapping_add(x);
    v[d] = (v[d] ^ v[a]).rotate_right(32);
    v[c] = v[c].wrapping_add(v[d]);
    v[b] = (v[b] ^ v[c]).rotate_right(24);
    v[a] = v[a].wrapping_add(v[b]).wrapping_add(y);
    v[d] = (v[d] ^ v[a]).rotate_right(16);
    v[c] = v[c].wrapping_add(v[d]);
    v[b] = (v[b] ^ v[c]).rotate_right(63);
}

/// One round: G on the four columns, then on the four diagonals.
#[inline(always)]
const fn round(v: &mut [u64; 16], m: &[u64; 16], s: &[usize; 16]) {
    mix(v, 0, 4, 8, 12, m[s[0]], m[s[1]]);
    mix(v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
    mix(v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
    mix(v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
    mix(v, 0, 5, 10, 15, m[s[8]], m[s[9]]);
    mix(v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
    mix(v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
    mix(v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
}

/// Compresses one block into the chain value `h`; `t` counts every byte hashed so far,
/// this block's included; `last` marks the final block. The portable path, and the one the
/// compiler runs for the keys.
#[inline(always)]
pub(super) const fn compress(h: &mut [u64; 8], block: &[u8; BLOCK], t: u128, last: bool) {
    let mut m = [0u64; 16];
    let mut i = 0;
    while i < 16 {
        let mut word = [0u8; 8];
        let mut j = 0;
        while j < 8 {
            word[j] = block[8 * i + j];
            j += 1;
        }
        m[i] = u64::from_le_bytes(word);
        i += 1;
    }
    let mut v = [0u64; 16];
    let mut i = 0;
    while i < 8 {
        v[i] = h[i];
        v[8 + i] = IV[i];
        i += 1;
    }
    v[12] ^= t as u64;
    v[13] ^= (t >> 64) as u64;
    if last {
        v[14] = !v[14];
    }
    // The twelve rounds written out, so that every message index is a constant.
    round(&mut v, &m, &SIGMA[0]);
    round(&mut v, &m, &SIGMA[1]);
    round(&mut v, &m, &SIGMA[2]);
    round(&mut v, &m, &SIGMA[3]);
    round(&mut v, &m, &SIGMA[4]);
    round(&mut v, &m, &SIGMA[5]);
    round(&mut v, &m, &SIGMA[6]);
    round(&mut v, &m, &SIGMA[7]);
    round(&mut v, &m, &SIGMA[8]);
    round(&mut v, &m, &SIGMA[9]);
    round(&mut v, &m, &SIGMA[10]);
    round(&mut v, &m, &SIGMA[11]);
    let mut i = 0;
    while i < 8 {
        h[i] ^= v[i] ^ v[8 + i];
        i += 1;
    }
}

/// Compresses one block (as [`compress`]) by the fastest path this processor has.
#[inline(always)]
fn compress_fastest(h: &mut [u64; 8], block: &[u8; BLOCK], t: u128, last: bool) {
    #[cfg(target_arch = "x86_64")]
    if super::blake2b_avx2::compress(h, block, t, last) {
        return;
    }
    compress(h, block, t, last);
}

/// The first 32 bytes of the chain value, little-endian: the digest.
const fn digest_of(h: &[u64; 8]) -> [u8; DIGEST] {
    let mut out = [0u8; DIGEST];
    let mut i = 0;
    while i < DIGEST {
        out[i] = h[i / 8].to_le_bytes()[i % 8];
        i += 1;
    }
    out
}

/// A BLAKE2b-256 key, prepared: the state after the key block, and the digest of the key
/// followed by nothing.
#[derive(Clone, Copy, Debug)]
pub(crate) struct KeyedBlake2b {
    after_key: [u64; 8],
    empty_digest: [u8; DIGEST],
}

impl KeyedBlake2b {
    /// Prepares `key` (1 to 64 bytes; MuHash's keys are ASCII words, and a longer key would
    /// be cut to 64 bytes).
    pub(crate) const fn new(key: &[u8]) -> Self {
        let key_len = if key.len() > 64 { 64 } else { key.len() };
        let mut h = IV;
        // The parameter block: digest length, key length, fanout 1, depth 1.
        h[0] ^= 0x0101_0000 ^ ((key_len as u64) << 8) ^ DIGEST as u64;
        let mut block = [0u8; BLOCK];
        let mut i = 0;
        while i < key_len {
            block[i] = key[i];
            i += 1;
        }
        let mut after_key = h;
        compress(&mut after_key, &block, BLOCK as u128, false);
        let mut empty = h;
        compress(&mut empty, &block, BLOCK as u128, true);
        KeyedBlake2b { after_key, empty_digest: digest_of(&empty) }
    }

    /// A hasher over this key.
    #[inline]
    pub(crate) const fn hasher(&self) -> Blake2bHasher {
        Blake2bHasher {
            h: self.after_key,
            counted: BLOCK as u128,
            buf: [0; BLOCK],
            buf_len: 0,
            empty_digest: self.empty_digest,
        }
    }

    /// The digest of `data` under this key.
    #[inline]
    pub(crate) fn hash(&self, data: &[u8]) -> [u8; DIGEST] {
        let mut hasher = self.hasher();
        hasher.update(data);
        hasher.finalize()
    }

    /// The digest of `data` under this key by the scalar compress alone, whatever the
    /// processor has (the baseline of the AVX2 path).
    pub(crate) fn hash_portable(&self, data: &[u8]) -> [u8; DIGEST] {
        let mut hasher = self.hasher();
        hasher.update_with(data, compress);
        hasher.finalize_with(compress)
    }
}

/// An incremental keyed BLAKE2b-256 hash whose key block is already compressed.
#[derive(Clone, Debug)]
pub(crate) struct Blake2bHasher {
    h: [u64; 8],
    /// Bytes compressed so far (the key block's 128 included).
    counted: u128,
    /// The bytes not yet compressed: BLAKE2b compresses a block only once it knows another
    /// byte follows, since the last block is compressed differently.
    buf: [u8; BLOCK],
    buf_len: usize,
    empty_digest: [u8; DIGEST],
}

impl Blake2bHasher {
    /// Appends bytes to the message.
    #[inline]
    pub(crate) fn update(&mut self, data: &[u8]) {
        self.update_with(data, compress_fastest);
    }

    /// The digest of everything appended.
    #[inline]
    pub(crate) fn finalize(self) -> [u8; DIGEST] {
        self.finalize_with(compress_fastest)
    }

    /// [`Self::update`] with the given compression function.
    #[inline(always)]
    fn update_with(&mut self, mut data: &[u8], compress: impl Fn(&mut [u64; 8], &[u8; BLOCK], u128, bool)) {
        if data.is_empty() {
            return;
        }
        if self.buf_len > 0 {
            let take = (BLOCK - self.buf_len).min(data.len());
            let (head, rest) = data.split_at(take);
            if let Some(dst) = self.buf.get_mut(self.buf_len..self.buf_len + take) {
                dst.copy_from_slice(head);
            }
            self.buf_len += take;
            data = rest;
            if data.is_empty() {
                return;
            }
            // More follows: the full buffer is not the last block.
            self.counted += BLOCK as u128;
            compress(&mut self.h, &self.buf, self.counted, false);
            self.buf_len = 0;
        }
        // Whole blocks straight from the input, keeping at least one byte back for the end.
        while data.len() > BLOCK {
            let (block, rest) = data.split_at(BLOCK);
            if let Ok(block) = <&[u8; BLOCK]>::try_from(block) {
                self.counted += BLOCK as u128;
                compress(&mut self.h, block, self.counted, false);
            }
            data = rest;
        }
        if let Some(dst) = self.buf.get_mut(..data.len()) {
            dst.copy_from_slice(data);
        }
        self.buf_len = data.len();
    }

    /// [`Self::finalize`] with the given compression function.
    #[inline(always)]
    fn finalize_with(mut self, compress: impl Fn(&mut [u64; 8], &[u8; BLOCK], u128, bool)) -> [u8; DIGEST] {
        if self.counted == BLOCK as u128 && self.buf_len == 0 {
            // Nothing followed the key: the key block was the last block.
            return self.empty_digest;
        }
        if let Some(tail) = self.buf.get_mut(self.buf_len..) {
            tail.fill(0);
        }
        self.counted += self.buf_len as u128;
        compress(&mut self.h, &self.buf, self.counted, true);
        digest_of(&self.h)
    }
}

impl pyrin_core::Sink for Blake2bHasher {
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        self.update(bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    fn reference(key: &[u8], data: &[u8]) -> [u8; DIGEST] {
        let hash = blake2b_simd::Params::new().hash_length(DIGEST).key(key).hash(data);
        let mut out = [0u8; DIGEST];
        out.copy_from_slice(hash.as_bytes());
        out
    }

    #[test]
    fn both_paths_equal_blake2b_simd_at_every_length_around_the_block_boundaries() {
        // `hash` takes the AVX2 path here: the machines we test on have it.
        #[cfg(target_arch = "x86_64")]
        assert!(super::super::blake2b_avx2::available(), "the AVX2 path must run here");
        let data: Vec<u8> = (0..1024u32).map(|i| (i.wrapping_mul(167) >> 3) as u8).collect();
        for key in [&b"MuHashElement"[..], b"MuHashFinalize", b"k", &[7u8; 64]] {
            let keyed = KeyedBlake2b::new(key);
            for len in (0..=400).chain([511, 512, 513, 1023, 1024]) {
                let expected = reference(key, &data[..len]);
                assert_eq!(keyed.hash(&data[..len]), expected, "key {key:?}, length {len}");
                assert_eq!(keyed.hash_portable(&data[..len]), expected, "portable, key {key:?}, length {len}");
            }
        }
    }

    #[test]
    fn any_split_of_the_input_gives_the_same_digest() {
        let keyed = KeyedBlake2b::new(b"MuHashElement");
        let data: Vec<u8> = (0..600u32).map(|i| i as u8).collect();
        let whole = keyed.hash(&data);
        for first in [0, 1, 127, 128, 129, 255, 256, 257, 599, 600] {
            for second in [0, 1, 128, 200] {
                let second = (first + second).min(data.len());
                let mut hasher = keyed.hasher();
                hasher.update(&data[..first]);
                hasher.update(&data[first..second]);
                hasher.update(&data[second..]);
                assert_eq!(hasher.finalize(), whole, "split at {first} and {second}");
            }
        }
    }
}
