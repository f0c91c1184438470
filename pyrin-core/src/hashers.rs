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

/// An incremental keyed-BLAKE3 hasher that buffers small writes.
///
/// Consensus encodings are made of many small fields; BLAKE3 is fastest fed whole
/// 64-byte blocks, so writes are gathered in a stack buffer first.
#[derive(Clone)]
pub struct DomainHasher {
    inner: blake3::Hasher,
    buf: [u8; 256],
    len: usize,
}

impl DomainHasher {
    /// A hasher keyed for `domain`.
    pub fn new(domain: Domain) -> Self {
        DomainHasher { inner: blake3::Hasher::new_keyed(&domain.key), buf: [0; 256], len: 0 }
    }

    /// Adds bytes.
    #[inline]
    pub fn update(&mut self, data: &[u8]) -> &mut Self {
        if self.len + data.len() <= self.buf.len() {
            self.buf[self.len..self.len + data.len()].copy_from_slice(data);
            self.len += data.len();
        } else {
            self.flush();
            if data.len() >= self.buf.len() {
                self.inner.update(data);
            } else {
                self.buf[..data.len()].copy_from_slice(data);
                self.len = data.len();
            }
        }
        self
    }

    fn flush(&mut self) {
        if self.len > 0 {
            self.inner.update(&self.buf[..self.len]);
            self.len = 0;
        }
    }

    /// The hash of everything written so far.
    pub fn finalize(mut self) -> Hash {
        self.flush();
        Hash::from_bytes(*self.inner.finalize().as_bytes())
    }
}

impl Sink for DomainHasher {
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        self.update(bytes);
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
        let data: alloc::vec::Vec<u8> = (0..1000u32).map(|i| (i * 7) as u8).collect();
        for split in [0, 1, 63, 64, 255, 256, 257, 700] {
            let mut h = TRANSACTION_HASH.hasher();
            h.update(&data[..split]);
            for chunk in data[split..].chunks(13) {
                h.update(chunk);
            }
            assert_eq!(h.finalize(), TRANSACTION_HASH.hash(&data));
        }
    }
}
