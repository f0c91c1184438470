use alloc::vec::Vec;

use crate::encoding::{Decode, DecodeError, Encode, Reader, Sink};
use crate::hash::{BlockHash, MerkleRoot};
use crate::header::Header;
use crate::merkle;
use crate::tx::Transaction;

/// A block. The first transaction is the coinbase.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
#[cfg_attr(feature = "borsh", derive(borsh::BorshSerialize, borsh::BorshDeserialize))]
pub struct Block {
    /// The header.
    pub header: Header,
    /// The transactions, coinbase first.
    pub transactions: Vec<Transaction>,
}

/// Smallest encoded transaction: version 2, two empty lists 16, lock time 8,
/// subnetwork 20, gas 8, empty payload 8.
const MIN_TX_LEN: usize = 2 + 16 + 8 + 20 + 8 + 8;

impl Block {
    /// A block.
    pub fn new(header: Header, transactions: Vec<Transaction>) -> Self {
        Block { header, transactions }
    }

    /// The block hash (the header's hash).
    pub fn hash(&self) -> BlockHash {
        self.header.hash()
    }

    /// The hash merkle root of the transactions, to compare with the header's.
    pub fn hash_merkle_root(&self) -> MerkleRoot {
        merkle::hash_merkle_root(&self.transactions)
    }
}

impl Encode for Block {
    /// Header encoding ‖ number of transactions (u64) ‖ each transaction's full encoding.
    fn encode_to<S: Sink + ?Sized>(&self, sink: &mut S) {
        self.header.encode_to(sink);
        sink.put_len(self.transactions.len());
        for tx in &self.transactions {
            tx.encode_to(sink);
        }
    }
}

impl Decode for Block {
    fn decode_from(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let header = Header::decode_from(r)?;
        let n = r.len("transactions", MIN_TX_LEN)?;
        let mut transactions = Vec::with_capacity(n);
        for _ in 0..n {
            transactions.push(Transaction::decode_from(r)?);
        }
        Ok(Block { header, transactions })
    }
}
