//! The BLAKE3 compression function over `L` independent inputs at once.
//!
//! Every value is an array of `L` lanes and every operation a loop over them, so the
//! compiler turns one call into SIMD instructions of whatever width the calling function
//! is compiled for (see `simd.rs`, which compiles it once for AVX2). With `L = 1` it is a
//! plain compression, used for the per-template chaining value.
//!
//! Only the single-chunk case is needed here: the PoW input (80 bytes) and the final hash
//! input (32 bytes) each fit in one 1 KiB chunk, so the chunk counter is always 0.

/// BLAKE3's initialisation vector (the SHA-256 one).
pub const IV: [u32; 8] =
    [0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A, 0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19];

/// Domain flag of a chunk's first block.
pub const CHUNK_START: u32 = 1;
/// Domain flag of a chunk's last block.
pub const CHUNK_END: u32 = 2;
/// Domain flag of the block whose output is the hash.
pub const ROOT: u32 = 8;

/// `L` 32-bit words, one per input.
pub type Lanes<const L: usize> = [u32; L];

#[inline(always)]
fn add<const L: usize>(a: Lanes<L>, b: Lanes<L>) -> Lanes<L> {
    let mut r = a;
    for i in 0..L {
        r[i] = a[i].wrapping_add(b[i]);
    }
    r
}

#[inline(always)]
fn xor_rotr<const L: usize>(a: Lanes<L>, b: Lanes<L>, n: u32) -> Lanes<L> {
    let mut r = a;
    for i in 0..L {
        r[i] = (a[i] ^ b[i]).rotate_right(n);
    }
    r
}

#[inline(always)]
fn g<const L: usize>(v: &mut [Lanes<L>; 16], a: usize, b: usize, c: usize, d: usize, x: Lanes<L>, y: Lanes<L>) {
    v[a] = add(add(v[a], v[b]), x);
    v[d] = xor_rotr(v[d], v[a], 16);
    v[c] = add(v[c], v[d]);
    v[b] = xor_rotr(v[b], v[c], 12);
    v[a] = add(add(v[a], v[b]), y);
    v[d] = xor_rotr(v[d], v[a], 8);
    v[c] = add(v[c], v[d]);
    v[b] = xor_rotr(v[b], v[c], 7);
}

#[inline(always)]
fn round<const L: usize>(v: &mut [Lanes<L>; 16], m: &[Lanes<L>; 16]) {
    g(v, 0, 4, 8, 12, m[0], m[1]);
    g(v, 1, 5, 9, 13, m[2], m[3]);
    g(v, 2, 6, 10, 14, m[4], m[5]);
    g(v, 3, 7, 11, 15, m[6], m[7]);
    g(v, 0, 5, 10, 15, m[8], m[9]);
    g(v, 1, 6, 11, 12, m[10], m[11]);
    g(v, 2, 7, 8, 13, m[12], m[13]);
    g(v, 3, 4, 9, 14, m[14], m[15]);
}

/// BLAKE3's message permutation, applied between rounds.
#[inline(always)]
fn permute<const L: usize>(m: &[Lanes<L>; 16]) -> [Lanes<L>; 16] {
    [m[2], m[6], m[3], m[10], m[7], m[0], m[4], m[13], m[1], m[11], m[12], m[5], m[9], m[14], m[15], m[8]]
}

/// Compresses one 64-byte block (as 16 little-endian words) per lane with chunk counter 0
/// and returns the first half of the output: the next chaining value, or for a `ROOT`
/// block the 32-byte hash as eight little-endian words.
#[inline(always)]
pub fn compress<const L: usize>(
    cv: &[Lanes<L>; 8],
    block: &[Lanes<L>; 16],
    block_len: u32,
    flags: u32,
) -> [Lanes<L>; 8] {
    let mut v = [[0u32; L]; 16];
    v[..8].copy_from_slice(cv);
    for i in 0..4 {
        v[8 + i] = [IV[i]; L];
    }
    // Words 12 and 13 are the chunk counter, always 0 here.
    v[14] = [block_len; L];
    v[15] = [flags; L];
    // Seven rounds, the message permuted between them; written out so that every index
    // is a constant and the whole state can live in registers.
    let mut m = *block;
    round(&mut v, &m);
    for _ in 0..6 {
        m = permute(&m);
        round(&mut v, &m);
    }
    let mut out = [[0u32; L]; 8];
    for i in 0..8 {
        for l in 0..L {
            out[i][l] = v[i][l] ^ v[i + 8][l];
        }
    }
    out
}

/// Reads up to 64 bytes as 16 little-endian words, zero padded (one lane).
pub fn block_words(bytes: &[u8]) -> [Lanes<1>; 16] {
    let mut words = [[0u32; 1]; 16];
    for (w, chunk) in words.iter_mut().zip(bytes.chunks(4)) {
        let mut le = [0u8; 4];
        le[..chunk.len()].copy_from_slice(chunk);
        *w = [u32::from_le_bytes(le)];
    }
    words
}

/// Eight words as 32 little-endian bytes (one lane).
pub fn words_to_bytes(words: &[u32; 8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (o, w) in out.chunks_exact_mut(4).zip(words) {
        o.copy_from_slice(&w.to_le_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_block_hash(input: &[u8]) -> [u8; 32] {
        let out =
            compress::<1>(&IV.map(|w| [w]), &block_words(input), input.len() as u32, CHUNK_START | CHUNK_END | ROOT);
        words_to_bytes(&out.map(|w| w[0]))
    }

    #[test]
    fn single_block_inputs_match_the_blake3_crate() {
        for len in [0usize, 1, 32, 63, 64] {
            let input: alloc::vec::Vec<u8> = (0..len as u8).map(|i| i.wrapping_mul(37)).collect();
            assert_eq!(one_block_hash(&input), *blake3::hash(&input).as_bytes(), "length {len}");
        }
    }

    #[test]
    fn two_block_input_matches_the_blake3_crate() {
        let input: [u8; 80] = core::array::from_fn(|i| (i * 13 + 5) as u8);
        let cv = compress::<1>(&IV.map(|w| [w]), &block_words(&input[..64]), 64, CHUNK_START);
        let out = compress::<1>(&cv, &block_words(&input[64..]), 16, CHUNK_END | ROOT);
        assert_eq!(words_to_bytes(&out.map(|w| w[0])), *blake3::hash(&input).as_bytes());
    }

    #[test]
    fn lanes_are_independent() {
        let a = block_words(b"first");
        let b = block_words(b"second input");
        let mut both = [[0u32; 2]; 16];
        for i in 0..16 {
            both[i] = [a[i][0], b[i][0]];
        }
        let out = compress::<2>(&IV.map(|w| [w, w]), &both, 5, CHUNK_START | CHUNK_END | ROOT);
        let first = compress::<1>(&IV.map(|w| [w]), &a, 5, CHUNK_START | CHUNK_END | ROOT);
        for i in 0..8 {
            assert_eq!(out[i][0], first[i][0]);
        }
    }
}
