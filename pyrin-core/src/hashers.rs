//! The domain-separated BLAKE3 hashers of the protocol.
//!
//! Each consensus hash is keyed BLAKE3 whose 32-byte key is the ASCII domain name padded
//! with zero bytes, so a transaction id can never collide with a block hash of the same
//! bytes. The proof of work uses plain, unkeyed BLAKE3 (see `pyrin-pow`).

use crate::encoding::Sink;
use crate::hash::Hash;

/// A hashing domain: the key its BLAKE3 hasher is built with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Domain {
    name: &'static str,
    key: [u8; 32],
}

const fn domain(name: &'static str) -> Domain {
    let bytes = name.as_bytes();
    let mut key = [0u8; 32];
    let mut i = 0;
    while i < bytes.len() {
        key[i] = bytes[i];
        i += 1;
    }
    Domain { name, key }
}

impl Domain {
    /// The domain's ASCII name.
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// The 32-byte BLAKE3 key: the name padded with zero bytes.
    pub const fn key(&self) -> &[u8; 32] {
        &self.key
    }

    /// A fresh hasher for this domain.
    #[inline]
    pub fn hasher(&self) -> DomainHasher {
        DomainHasher::new(*self)
    }

    /// Hashes one byte string in this domain.
    pub fn hash(&self, data: &[u8]) -> Hash {
        Hash::from_bytes(*blake3::keyed_hash(&self.key, data).as_bytes())
    }
}

/// Full transaction encoding (signature scripts included): [`Transaction::hash`](crate::Transaction::hash).
pub const TRANSACTION_HASH: Domain = domain("TransactionHash");
/// Transaction id encoding: [`Transaction::id`](crate::Transaction::id).
pub const TRANSACTION_ID: Domain = domain("TransactionID");
/// Schnorr signature hash of a transaction input.
pub const TRANSACTION_SIGNING_HASH: Domain = domain("TransactionSigningHash");
/// Block header hash.
pub const BLOCK_HASH: Domain = domain("BlockHash");
/// Proof-of-work domain name (the PoW itself hashes unkeyed; kept for completeness).
pub const PROOF_OF_WORK_HASH: Domain = domain("ProofOfWorkHash");
/// Inner nodes of the merkle trees.
pub const MERKLE_BRANCH_HASH: Domain = domain("MerkleBranchHash");
/// Elements of the MuHash UTXO commitment.
pub const MUHASH_ELEMENT: Domain = domain("MuHashElement");
/// Finalisation of the MuHash UTXO commitment.
pub const MUHASH_FINALIZE: Domain = domain("MuHashFinalize");
/// Signed personal messages.
pub const PERSONAL_MESSAGE_SIGNING_HASH: Domain = domain("PersonalMessageSigningHash");
/// Contract addresses.
pub const CONTRACT_ADDRESS: Domain = domain("ContractAddress");

/// The ASCII string whose SHA-256 prefixes the ECDSA signing hash.
pub const TRANSACTION_SIGNING_HASH_ECDSA_DOMAIN: &str = "TransactionSigningHashECDSA";

/// Bytes gathered before they are handed to BLAKE3: a header or an ordinary transaction
/// fits, so hashing one costs a single one-shot BLAKE3 call.
const BUFFER_LEN: usize = 1024;

/// Bytes gathered on the heap past the stack buffer before they are streamed into BLAKE3:
/// enough chunks at once for its SIMD lanes to hash several side by side.
const SPILL_LEN: usize = 16 * 1024;

/// An incremental keyed-BLAKE3 hasher that buffers small writes.
///
/// Consensus encodings are made of many small fields. They are gathered in a stack
/// buffer; if the whole encoding fits, it is hashed with BLAKE3's one-shot function
/// (which skips the streaming state). A longer encoding (a header with many parent
/// levels, a large transaction) is gathered on the heap and hashed in one call too,
/// and only past 16 KiB is a streaming hasher fed, in slices of that size.
/// Feeding BLAKE3 whole runs of 1 KiB chunks, never one chunk at a time, keeps its
/// multi-chunk SIMD path in use: a 2.4 KiB header costs what hashing its bytes does.
#[derive(Clone)]
pub struct DomainHasher {
    key: [u8; 32],
    buf: [u8; BUFFER_LEN],
    len: usize,
    // Empty (no allocation) until an encoding outgrows `buf`.
    spill: alloc::vec::Vec<u8>,
    // Boxed: the streaming state is ~2 KB and needed only past SPILL_LEN bytes.
    stream: Option<alloc::boxed::Box<blake3::Hasher>>,
}

impl DomainHasher {
    /// A hasher keyed for `domain`.
    #[inline]
    pub fn new(domain: Domain) -> Self {
        DomainHasher { key: domain.key, buf: [0; BUFFER_LEN], len: 0, spill: alloc::vec::Vec::new(), stream: None }
    }

    /// Adds bytes.
    #[inline]
    pub fn update(&mut self, data: &[u8]) -> &mut Self {
        if self.len + data.len() <= BUFFER_LEN {
            self.buf[self.len..self.len + data.len()].copy_from_slice(data);
            self.len += data.len();
        } else {
            self.spill(data);
        }
        self
    }

    /// Adds a fixed-size field; with `N` known the copy compiles to plain moves instead
    /// of a `memcpy` call, which matters for encodings made of many small fields.
    #[inline(always)]
    fn put_fixed<const N: usize>(&mut self, bytes: &[u8; N]) {
        if self.len + N <= BUFFER_LEN {
            self.buf[self.len..self.len + N].copy_from_slice(bytes);
            self.len += N;
        } else {
            self.spill(bytes);
        }
    }

    #[cold]
    fn spill(&mut self, data: &[u8]) {
        if self.spill.is_empty() {
            self.spill.reserve(2 * BUFFER_LEN + data.len());
        }
        self.spill.extend_from_slice(&self.buf[..self.len]);
        self.len = 0;
        self.spill.extend_from_slice(data);
        if self.spill.len() >= SPILL_LEN {
            let key = self.key;
            let stream = self.stream.get_or_insert_with(|| alloc::boxed::Box::new(blake3::Hasher::new_keyed(&key)));
            stream.update(&self.spill);
            self.spill.clear();
        }
    }

    /// The hash of everything written so far.
    pub fn finalize(mut self) -> Hash {
        let out = match (self.stream, self.spill.is_empty()) {
            (None, true) => blake3::keyed_hash(&self.key, &self.buf[..self.len]),
            (None, false) => {
                self.spill.extend_from_slice(&self.buf[..self.len]);
                blake3::keyed_hash(&self.key, &self.spill)
            }
            (Some(mut stream), _) => {
                stream.update(&self.spill);
                stream.update(&self.buf[..self.len]);
                stream.finalize()
            }
        };
        Hash::from_bytes(*out.as_bytes())
    }
}

impl Sink for DomainHasher {
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        self.update(bytes);
    }
    #[inline]
    fn put_u8(&mut self, v: u8) {
        self.put_fixed(&[v]);
    }
    #[inline]
    fn put_u16(&mut self, v: u16) {
        self.put_fixed(&v.to_le_bytes());
    }
    #[inline]
    fn put_u32(&mut self, v: u32) {
        self.put_fixed(&v.to_le_bytes());
    }
    #[inline]
    fn put_u64(&mut self, v: u64) {
        self.put_fixed(&v.to_le_bytes());
    }
    #[inline]
    fn put_hash(&mut self, hash: &Hash) {
        self.put_fixed(hash.as_bytes());
    }
}

impl core::fmt::Debug for DomainHasher {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DomainHasher").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_is_name_padded_with_zeros() {
        let key = BLOCK_HASH.key();
        assert_eq!(&key[..9], b"BlockHash");
        assert!(key[9..].iter().all(|&b| b == 0));
    }

    #[test]
    fn buffered_writes_equal_one_shot_hash() {
        let data: alloc::vec::Vec<u8> = (0..40_000u32).map(|i| (i * 7) as u8).collect();
        for split in [0, 1, 63, 64, 255, 256, 257, 700, 1023, 1024, 1025, 16_383, 16_384, 20_000] {
            let mut h = TRANSACTION_HASH.hasher();
            h.update(&data[..split]);
            for chunk in data[split..].chunks(13) {
                h.update(chunk);
            }
            assert_eq!(h.finalize(), TRANSACTION_HASH.hash(&data));
            for len in [split, split + 1, 3000] {
                let mut h = TRANSACTION_HASH.hasher();
                h.update(&data[..split.min(len)]);
                h.update(&data[split.min(len)..len]);
                assert_eq!(h.finalize(), TRANSACTION_HASH.hash(&data[..len]), "len {len}");
            }
        }
    }
}
