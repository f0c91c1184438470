//! A devnet node: storage for the blocks it received around a
//! [`pyrin_consensus::BlockValidator`], which judges every block exactly as the Pyrin
//! reference node does (header, body, and for chain blocks the real MuHash UTXO
//! commitment, accepted-id merkle root, coinbase and transactions in UTXO context) and
//! builds the block templates the miners mine. This module holds no consensus rule.
//!
//! What the validator does not implement (pruning, finality; see its crate docs) never
//! matters here: devnet runs are far shorter than the pruning depth.

use std::collections::HashMap;

use pyrin_consensus::{BlockStatus, BlockValidator, Config, RuleError, TemplateError};
use pyrin_core::params::Params;
use pyrin_core::{Block, BlockHash, CompactTarget, ScriptPublicKey, Transaction};

/// Why the node did not take a block as a chain block.
#[derive(Debug, thiserror::Error)]
pub enum BlockError {
    /// The block breaks a rule: it is not stored.
    #[error("block refused: {name} ({0})", name = .0.name())]
    Rule(#[from] RuleError),
    /// The block was a chain candidate with a wrong UTXO state (commitment, accepted-id
    /// merkle root, coinbase, or a transaction invalid in its UTXO context): it is stored
    /// but never becomes a chain block.
    #[error("block {0} is disqualified from the chain")]
    Disqualified(BlockHash),
}

/// A node: the validator and every block it stored, in arrival order.
pub struct Node {
    validator: BlockValidator,
    blocks: HashMap<BlockHash, Block>,
    order: Vec<BlockHash>,
}

impl Node {
    /// A node at the genesis of `params`. `genesis_bits`, when given, replaces the genesis
    /// bits (a devnet made easier or harder: the difficulty adjustment starts from them).
    pub fn new(params: &Params, genesis_bits: Option<CompactTarget>, config: &Config) -> Self {
        let mut params = params.clone();
        if let Some(bits) = genesis_bits {
            params.genesis.bits = bits;
        }
        let validator = BlockValidator::new(&params, config);
        let genesis = validator.params().genesis.block();
        let hash = validator.params().genesis.hash;
        Self { validator, blocks: HashMap::from([(hash, genesis)]), order: vec![hash] }
    }

    /// The parameters in force.
    pub fn params(&self) -> &Params {
        self.validator.params()
    }

    /// The validator: the DAG, statuses, the selected chain and the virtual state.
    pub fn validator(&self) -> &BlockValidator {
        &self.validator
    }

    /// A stored block.
    pub fn block(&self, hash: &BlockHash) -> Option<&Block> {
        self.blocks.get(hash)
    }

    /// Every stored block's hash, in arrival order (genesis first).
    pub fn hashes(&self) -> &[BlockHash] {
        &self.order
    }

    /// The current tips.
    pub fn tips(&self) -> Vec<BlockHash> {
        self.validator.tips().to_vec()
    }

    /// Validates `block` at `now_ms` and stores it when valid. Returns its status.
    ///
    /// # Errors
    /// [`BlockError::Rule`] for a refused block (nothing changes).
    pub fn submit_block(&mut self, block: Block, now_ms: u64) -> Result<BlockStatus, BlockError> {
        let status = self.validator.validate_and_insert(&block, now_ms)?;
        let hash = block.header.hash();
        if self.blocks.insert(hash, block).is_none() {
            self.order.push(hash);
        }
        Ok(status)
    }

    /// [`Node::submit_block`] for an honest block, which must become valid.
    ///
    /// # Errors
    /// As [`Node::submit_block`], and [`BlockError::Disqualified`] when the block was a
    /// chain candidate with a wrong UTXO state.
    pub fn submit_honest_block(&mut self, block: Block, now_ms: u64) -> Result<BlockHash, BlockError> {
        let hash = block.header.hash();
        match self.submit_block(block, now_ms)? {
            BlockStatus::DisqualifiedFromChain => Err(BlockError::Disqualified(hash)),
            _ => Ok(hash),
        }
    }

    /// A block template over the virtual parents paying `miner`, with the candidates the
    /// validator takes: the ones it refuses in the virtual's context are dropped (as a
    /// mempool drops them), and while the rest break a body rule together (mass, a double
    /// spend) the last is dropped.
    ///
    /// # Errors
    /// [`TemplateError::Coinbase`] when the miner data does not fit a coinbase payload.
    pub fn template(
        &self,
        miner: &ScriptPublicKey,
        extra_data: &[u8],
        candidates: &[Transaction],
        timestamp: u64,
    ) -> Result<Block, TemplateError> {
        let mut transactions = candidates.to_vec();
        loop {
            match self.validator.virtual_block_template(miner, extra_data, &transactions, timestamp) {
                Err(TemplateError::InvalidTransactions(invalid)) => {
                    let mut index = 0;
                    transactions.retain(|_| {
                        index += 1;
                        !invalid.iter().any(|(i, _)| *i == index - 1)
                    });
                }
                Err(TemplateError::Body(_)) if !transactions.is_empty() => {
                    transactions.pop();
                }
                result => return result,
            }
        }
    }
}
