//! A validating node over the crates: every rule it enforces is a call into one of them;
//! this module only keeps the blocks, moves the UTXO set along the selected chain and
//! puts the checks in order.
//!
//! Simplifications, all documented where they matter: parents are given on level 0 only
//! (block levels above 0 are not tracked), the pruning point stays at genesis (runs are far
//! shorter than the pruning depth), the UTXO commitment is not computed (the crates have no
//! MuHash) and must be zero, and a block's own transactions must all be valid against the
//! UTXO set of its past (stricter than the reference, which only leaves such transactions
//! unaccepted).

use std::collections::HashSet;

use pyrin_core::merkle::accepted_id_merkle_root;
use pyrin_core::params::Params;
use pyrin_core::{
    Amount, Block, BlockHash, BlueWork, CompactTarget, Header, ScriptPublicKey, Transaction, TransactionId,
    UtxoCommitment, Work,
};
use pyrin_emission::coinbase::{coinbase_transaction, BlockReward, CoinbaseData, CoinbaseError, PayloadLimits};
use pyrin_emission::EmissionSchedule;
use pyrin_ghostdag::{BlockId, Ghostdag, GhostdagData, GhostdagError};
use pyrin_pow::daa::{daa_score, past_median_time};
use pyrin_pow::difficulty::{next_bits, DifficultyRules, WindowBlock};
use pyrin_pow::{PowError, PowState};
use pyrin_tx::context::{check_in_context, ContextError};
use pyrin_tx::mass::{compute_mass, MassPrices};
use pyrin_tx::sign::SignError;
use pyrin_tx::UtxoEntry;

use super::utxo::{DiffBuilder, UtxoDiff, UtxoSet};

/// Where a block's entries sit in the node's per-block vectors (ids are dense, genesis 0).
pub(super) fn slot(id: BlockId) -> usize {
    id.index() as usize
}

/// The header version of every block after genesis.
pub const BLOCK_VERSION: u16 = 1;

/// Why a block was rejected. A rejected block changes nothing.
#[derive(Debug, thiserror::Error)]
pub enum BlockError {
    /// Already in the DAG.
    #[error("block {0} is already known")]
    Duplicate(BlockHash),
    /// Wrong header version.
    #[error("header version {0}, expected {BLOCK_VERSION}")]
    Version(u16),
    /// No direct parents, too many, or parents above level 0.
    #[error("block has {count} direct parents and {levels} parent levels (at most {max} parents, one level)")]
    Parents {
        /// Direct parents.
        count: usize,
        /// Levels given.
        levels: usize,
        /// The network's maximum.
        max: u8,
    },
    /// GHOSTDAG refused the parents (unknown, duplicated, not an antichain, mergeset too large).
    #[error(transparent)]
    Ghostdag(#[from] GhostdagError),
    /// The header cannot be hashed for PoW.
    #[error(transparent)]
    PowState(#[from] PowError),
    /// The PoW value is above the header's target.
    #[error("proof of work does not meet the target of bits {0:#010x}")]
    InsufficientPow(CompactTarget),
    /// The timestamp is not after the past median time.
    #[error("timestamp {timestamp} is not after the past median time {median}")]
    TimeTooOld {
        /// Header timestamp.
        timestamp: u64,
        /// Past median time.
        median: u64,
    },
    /// A header field differs from the value the rules give.
    #[error("header field {field} is {found}, expected {expected}")]
    Header {
        /// Which field.
        field: &'static str,
        /// Its value.
        found: String,
        /// What the rules give.
        expected: String,
    },
    /// The block has no transactions or its first is not a coinbase.
    #[error("the first transaction must be the coinbase")]
    MissingCoinbase,
    /// A coinbase after the first transaction.
    #[error("transaction {0} is a second coinbase")]
    ExtraCoinbase(usize),
    /// The coinbase payload does not decode.
    #[error("coinbase payload: {0}")]
    CoinbasePayload(#[from] CoinbaseError),
    /// The coinbase differs from the one the rules give (amounts, outputs, payload).
    #[error("coinbase {what}: found {found}, expected {expected}")]
    Coinbase {
        /// What differs.
        what: &'static str,
        /// Its value.
        found: String,
        /// What the rules give.
        expected: String,
    },
    /// The same transaction twice.
    #[error("transaction {0} appears twice")]
    DuplicateTransaction(usize),
    /// An input spends an output that is not in the UTXO set of the block's past, or one
    /// an earlier input of the block already spent.
    #[error("transaction {tx} input {input} spends a missing or already spent output")]
    MissingOutput {
        /// Transaction index.
        tx: usize,
        /// Input index.
        input: usize,
    },
    /// A transaction is invalid in the block's context: it spends an immature coinbase
    /// output, or its outputs exceed its inputs.
    #[error("transaction {tx}: {source}")]
    Context {
        /// Transaction index.
        tx: usize,
        /// What pyrin-tx found.
        source: ContextError,
    },
    /// A signature does not verify.
    #[error("transaction {tx}: {source}")]
    Signature {
        /// Transaction index.
        tx: usize,
        /// The verification error.
        source: SignError,
    },
    /// The block's mass is above the network's limit.
    #[error("block mass {mass} above the limit {max}")]
    Mass {
        /// The block's mass.
        mass: u64,
        /// The limit.
        max: u64,
    },
}

fn header_mismatch<T: core::fmt::Display>(field: &'static str, found: T, expected: T) -> BlockError {
    BlockError::Header { field, found: found.to_string(), expected: expected.to_string() }
}

/// Everything the rules derive for a block from its parents alone: what its header and
/// coinbase must say, and what it accepts from its mergeset.
#[derive(Clone, Debug)]
pub struct BlockContext {
    /// GHOSTDAG data.
    pub ghostdag: GhostdagData,
    /// DAA score.
    pub daa_score: u64,
    /// Compact bits from the difficulty adjustment.
    pub bits: CompactTarget,
    /// The median timestamp of the past median time window.
    pub past_median_time: u64,
    /// What accepting the mergeset does to the selected parent's UTXO set.
    pub diff: UtxoDiff,
    /// Accepted transaction ids, in consensus order.
    pub accepted_ids: Vec<TransactionId>,
    /// Fees of the accepted transactions.
    pub accepted_fees: Amount,
    /// Rewards of the blue mergeset blocks inside the DAA window, in `mergeset_blues` order.
    pub blue_rewards: Vec<BlockReward>,
    /// Rewards of the red mergeset blocks inside the DAA window.
    pub red_rewards: Vec<BlockReward>,
    /// The blocks those rewards are for: blues then reds.
    pub paid_blocks: Vec<BlockId>,
}

impl BlockContext {
    /// Subsidy paid by this block's coinbase (blues and reds).
    pub fn subsidy_paid(&self) -> Amount {
        self.blue_rewards.iter().chain(&self.red_rewards).map(|r| r.subsidy).sum()
    }
}

/// A stored block with what validation derived for it.
#[derive(Clone, Debug)]
pub struct StoredBlock {
    /// The block.
    pub block: Block,
    /// Its hash.
    pub hash: BlockHash,
    /// The context it was validated in.
    pub context: BlockContext,
    /// Subsidy its coinbase payload claims (paid later by a merging block).
    pub subsidy: Amount,
    /// Script its reward goes to.
    pub miner_script: ScriptPublicKey,
}

/// A node: the DAG, the blocks and the UTXO set positioned at one block's past.
pub struct Node {
    params: Params,
    genesis_bits: CompactTarget,
    schedule: EmissionSchedule,
    limits: PayloadLimits,
    mass_prices: MassPrices,
    dag: Ghostdag,
    blocks: Vec<StoredBlock>,
    utxo: UtxoSet,
    /// The UTXO set is that of this block's past plus its mergeset's acceptance.
    utxo_at: BlockId,
    /// Set while the UTXO set shows the virtual block's view (this diff applied on top).
    virtual_diff: Option<UtxoDiff>,
}

impl Node {
    /// A node at the genesis of `params`. `genesis_bits`, when given, replaces the genesis
    /// bits the difficulty adjustment starts from (a devnet made easier or harder).
    pub fn new(params: Params, genesis_bits: Option<CompactTarget>) -> Self {
        let genesis = params.genesis.block();
        let hash = params.genesis.hash;
        let dag = Work::from_compact(genesis.header.bits)
            .and_then(Work::to_blue_work)
            .ok_or(GhostdagError::ZeroWork(hash))
            .and_then(|work| Ghostdag::new(params.ghostdag_k, hash, work))
            .expect("a network's genesis bits encode a target, so its work is at least 1")
            .with_mergeset_size_limit(params.mergeset_size_limit);
        let limits = PayloadLimits::from_params(&params);
        let payload = genesis.transactions.first().map(|t| t.payload.clone()).unwrap_or_default();
        let data = CoinbaseData::decode(&payload, &limits).ok();
        let context = BlockContext {
            ghostdag: dag.data(BlockId::GENESIS).clone(),
            daa_score: params.genesis.daa_score,
            bits: genesis.header.bits,
            past_median_time: genesis.header.timestamp,
            diff: UtxoDiff::default(),
            accepted_ids: Vec::new(),
            accepted_fees: Amount::ZERO,
            blue_rewards: Vec::new(),
            red_rewards: Vec::new(),
            paid_blocks: Vec::new(),
        };
        let stored = StoredBlock {
            subsidy: data.as_ref().map_or(Amount::ZERO, |d| d.subsidy),
            miner_script: data.map(|d| d.script_public_key).unwrap_or_default(),
            block: genesis,
            hash,
            context,
        };
        Self {
            genesis_bits: genesis_bits.unwrap_or(params.genesis.bits),
            schedule: EmissionSchedule::from_params(&params),
            mass_prices: MassPrices::from_params(&params),
            limits,
            params,
            dag,
            blocks: vec![stored],
            utxo: UtxoSet::default(),
            utxo_at: BlockId::GENESIS,
            virtual_diff: None,
        }
    }

    /// The network parameters.
    pub fn params(&self) -> &Params {
        &self.params
    }

    /// The emission schedule.
    pub fn schedule(&self) -> &EmissionSchedule {
        &self.schedule
    }

    /// The GHOSTDAG state.
    pub fn dag(&self) -> &Ghostdag {
        &self.dag
    }

    /// Every stored block, by id.
    pub fn blocks(&self) -> &[StoredBlock] {
        &self.blocks
    }

    /// A stored block by hash.
    pub fn block(&self, hash: &BlockHash) -> Option<&StoredBlock> {
        self.dag.id_of(hash).map(|id| &self.blocks[slot(id)])
    }

    /// The current tips.
    pub fn tips(&self) -> Vec<BlockHash> {
        self.dag.tip_hashes().collect()
    }

    /// Moves the UTXO set to the view of `target`'s past plus its mergeset's acceptance.
    fn move_utxo_to(&mut self, target: BlockId) {
        if let Some(diff) = self.virtual_diff.take() {
            self.utxo.undo(&diff);
        }
        let key = |node: &Self, id: BlockId| (node.dag.data(id).blue_work, id);
        let (mut from, mut to) = (self.utxo_at, target);
        let mut redo = Vec::new();
        while from != to {
            if key(self, from) >= key(self, to) {
                self.utxo.undo(&self.blocks[slot(from)].context.diff);
                from = self.dag.data(from).selected_parent.unwrap_or(BlockId::GENESIS);
            } else {
                redo.push(to);
                to = self.dag.data(to).selected_parent.unwrap_or(BlockId::GENESIS);
            }
        }
        for id in redo.into_iter().rev() {
            self.utxo.apply(&self.blocks[slot(id)].context.diff);
        }
        self.utxo_at = target;
    }

    /// The context of a (new or hypothetical) block with these direct parents. Leaves the
    /// UTXO set at the selected parent's view.
    pub fn context(&mut self, parents: &[BlockHash]) -> Result<BlockContext, BlockError> {
        let ghostdag = self.dag.ghostdag_of(parents, BlueWork::ZERO)?;
        let sp = ghostdag.selected_parent.unwrap_or(BlockId::GENESIS);
        let sp_daa = self.blocks[slot(sp)].context.daa_score;
        let difficulty_size = usize::try_from(self.params.difficulty_window_size(sp_daa)).unwrap_or(usize::MAX);
        let median_size = usize::try_from(self.params.past_median_time_window_size(sp_daa)).unwrap_or(usize::MAX);
        let window = self.dag.blue_work_window(&ghostdag, difficulty_size.max(median_size));
        let difficulty_window = &window[..difficulty_size.min(window.len())];
        let in_daa_window: HashSet<BlockId> = difficulty_window.iter().copied().collect();
        let daa = daa_score(sp_daa, &ghostdag.mergeset_blues, &ghostdag.mergeset_reds, |b| in_daa_window.contains(b));
        let daa_score = daa.daa_score;

        let window_blocks: Vec<WindowBlock> = difficulty_window
            .iter()
            .map(|&b| {
                let h = &self.blocks[slot(b)].block.header;
                WindowBlock {
                    timestamp: h.timestamp,
                    bits: h.bits,
                    blue_work: self.dag.data(b).blue_work,
                    hash: self.blocks[slot(b)].hash,
                }
            })
            .collect();
        let mut rules = DifficultyRules::from_params(&self.params, sp_daa);
        rules.genesis_bits = self.genesis_bits;
        let bits = next_bits(&window_blocks, &rules);
        let past_median_time = past_median_time(
            window[..median_size.min(window.len())].iter().map(|&b| self.blocks[slot(b)].block.header.timestamp),
            self.params.genesis.timestamp,
        );

        self.move_utxo_to(sp);
        let maturity = self.params.coinbase_maturity;
        let mut builder = DiffBuilder::new(&self.utxo);
        let mut accepted_ids = Vec::new();
        let mut fees_of: Vec<(BlockId, Amount)> = Vec::new();
        for merged in self.dag.consensus_ordered_mergeset(&ghostdag) {
            let mut fees = Amount::ZERO;
            for tx in &self.blocks[slot(merged)].block.transactions {
                if tx.is_coinbase() {
                    // Only the selected parent's coinbase is accepted: every chain block
                    // pays its whole mergeset, so merged blocks' own coinbases are moot.
                    if merged == sp {
                        builder.accept(tx, daa_score);
                        accepted_ids.push(tx.id());
                    }
                    continue;
                }
                let Some(entries) = builder.entries_of(tx) else { continue };
                // A transaction invalid in this context is left unaccepted.
                let Ok(fee) = check_in_context(tx, &entries, daa_score, maturity) else { continue };
                fees = fees.saturating_add(fee);
                builder.accept(tx, daa_score);
                accepted_ids.push(tx.id());
            }
            fees_of.push((merged, fees));
        }
        let diff = builder.finish();
        let reward = |id: BlockId| {
            let stored = &self.blocks[slot(id)];
            let fees = fees_of.iter().find(|(b, _)| *b == id).map_or(Amount::ZERO, |(_, f)| *f);
            BlockReward { subsidy: stored.subsidy, fees, script_public_key: stored.miner_script.clone() }
        };
        // The coinbase pays the mergeset blocks inside the DAA window, blues then reds.
        let blue_rewards = daa.daa_blues.iter().map(|&b| reward(b)).collect();
        let red_rewards = daa.daa_reds.iter().map(|&b| reward(b)).collect();
        let paid_blocks = daa.daa_blues.into_iter().chain(daa.daa_reds).collect();
        Ok(BlockContext {
            ghostdag,
            daa_score,
            bits,
            past_median_time,
            diff,
            accepted_fees: fees_of.iter().map(|(_, f)| *f).sum(),
            accepted_ids,
            blue_rewards,
            red_rewards,
            paid_blocks,
        })
    }

    /// A block template on `parents` paying `miner`: header fields from the rules, the
    /// coinbase, and the transactions of `candidates` that are valid in the block's
    /// context (in the order given, within the mass limit). The nonce is left at zero.
    pub fn template(
        &mut self,
        parents: &[BlockHash],
        miner: &ScriptPublicKey,
        extra_data: &[u8],
        candidates: &[Transaction],
        timestamp: u64,
    ) -> Result<Block, BlockError> {
        let context = self.context(parents)?;
        let data = CoinbaseData {
            blue_score: context.ghostdag.blue_score,
            subsidy: self.schedule.subsidy(context.daa_score),
            script_public_key: miner.clone(),
            extra_data: extra_data.to_vec(),
        };
        let coinbase = coinbase_transaction(&data, &context.blue_rewards, &context.red_rewards, &self.limits)?;
        let mut transactions = vec![coinbase];
        self.utxo.apply(&context.diff);
        let mut spent = HashSet::new();
        let mut mass = 0u64;
        for tx in candidates {
            let tx_mass = compute_mass(tx, &self.mass_prices);
            if mass + tx_mass > self.params.max_block_mass || tx.is_coinbase() {
                continue;
            }
            if self.check_spend(tx, 0, context.daa_score, &spent).is_ok() {
                spent.extend(tx.inputs.iter().map(|i| i.previous_outpoint));
                mass += tx_mass;
                transactions.push(tx.clone());
            }
        }
        self.utxo.undo(&context.diff);
        let header = Header {
            version: BLOCK_VERSION,
            parents_by_level: vec![parents.to_vec()],
            hash_merkle_root: pyrin_core::merkle::hash_merkle_root(&transactions),
            accepted_id_merkle_root: accepted_id_merkle_root(context.accepted_ids.iter().copied()),
            utxo_commitment: UtxoCommitment::ZERO,
            timestamp: timestamp.max(context.past_median_time + 1),
            bits: context.bits,
            nonce: 0,
            daa_score: context.daa_score,
            blue_score: context.ghostdag.blue_score,
            blue_work: context.ghostdag.blue_work,
            pruning_point: self.params.genesis.hash,
        };
        Ok(Block::new(header, transactions))
    }

    /// The entries a non-coinbase transaction spends, checked against the current UTXO set
    /// (outputs in `spent` count as gone): every input present once, then pyrin-tx's
    /// checks in context (mature, enough value).
    fn check_spend(
        &self,
        tx: &Transaction,
        index: usize,
        daa_score: u64,
        spent: &HashSet<pyrin_core::TransactionOutpoint>,
    ) -> Result<Vec<UtxoEntry>, BlockError> {
        let mut entries = Vec::with_capacity(tx.inputs.len());
        let mut own = HashSet::new();
        for (input_index, input) in tx.inputs.iter().enumerate() {
            let outpoint = input.previous_outpoint;
            let entry = match self.utxo.get(&outpoint) {
                Some(e) if !spent.contains(&outpoint) && own.insert(outpoint) => e,
                _ => return Err(BlockError::MissingOutput { tx: index, input: input_index }),
            };
            entries.push(entry.clone());
        }
        check_in_context(tx, &entries, daa_score, self.params.coinbase_maturity)
            .map_err(|source| BlockError::Context { tx: index, source })?;
        Ok(entries)
    }

    /// Validates a block as a receiving node would and adds it. On any error nothing
    /// changes (the UTXO set may sit at another block's view, which is not observable).
    pub fn submit_block(&mut self, block: Block) -> Result<BlockHash, BlockError> {
        let header = &block.header;
        let hash = header.hash();
        if self.dag.id_of(&hash).is_some() {
            return Err(BlockError::Duplicate(hash));
        }
        if header.version != BLOCK_VERSION {
            return Err(BlockError::Version(header.version));
        }
        let parents = header.direct_parents().to_vec();
        let max = self.params.max_block_parents;
        if parents.is_empty() || parents.len() > usize::from(max) || header.parents_by_level.len() != 1 {
            return Err(BlockError::Parents { count: parents.len(), levels: header.parents_by_level.len(), max });
        }
        // PoW before anything costly: a block without work is not worth a context.
        if !PowState::new(header)?.check(header.nonce).meets_target {
            return Err(BlockError::InsufficientPow(header.bits));
        }
        let context = self.context(&parents)?;
        self.check_header(header, &block, &context)?;
        self.check_coinbase(&block, &context)?;
        self.utxo.apply(&context.diff);
        let body = self.check_transactions(&block, &context);
        self.utxo.undo(&context.diff);
        body?;

        // Everything that can fail comes before the DAG learns of the block, so a
        // rejected block is never half inserted.
        let coinbase = block.transactions.first().ok_or(BlockError::MissingCoinbase)?;
        let data = CoinbaseData::decode(&coinbase.payload, &self.limits)?;
        let work = Work::from_compact(header.bits).and_then(Work::to_blue_work).ok_or(GhostdagError::ZeroWork(hash))?;
        let id = self.dag.add_block(hash, &parents, work)?;
        debug_assert_eq!(slot(id), self.blocks.len());
        self.blocks.push(StoredBlock {
            block,
            hash,
            context,
            subsidy: data.subsidy,
            miner_script: data.script_public_key,
        });
        Ok(hash)
    }

    fn check_header(&self, header: &Header, block: &Block, context: &BlockContext) -> Result<(), BlockError> {
        if header.timestamp <= context.past_median_time {
            return Err(BlockError::TimeTooOld { timestamp: header.timestamp, median: context.past_median_time });
        }
        let hex_bits = |b: CompactTarget| format!("{b:#010x}");
        if header.bits != context.bits {
            return Err(header_mismatch("bits", hex_bits(header.bits), hex_bits(context.bits)));
        }
        if header.daa_score != context.daa_score {
            return Err(header_mismatch("daa_score", header.daa_score, context.daa_score));
        }
        if header.blue_score != context.ghostdag.blue_score {
            return Err(header_mismatch("blue_score", header.blue_score, context.ghostdag.blue_score));
        }
        if header.blue_work != context.ghostdag.blue_work {
            return Err(header_mismatch(
                "blue_work",
                format!("{:?}", header.blue_work),
                format!("{:?}", context.ghostdag.blue_work),
            ));
        }
        if header.pruning_point != self.params.genesis.hash {
            return Err(header_mismatch("pruning_point", header.pruning_point, self.params.genesis.hash));
        }
        if !header.utxo_commitment.is_zero() {
            return Err(header_mismatch("utxo_commitment", header.utxo_commitment, UtxoCommitment::ZERO));
        }
        let merkle = block.hash_merkle_root();
        if header.hash_merkle_root != merkle {
            return Err(header_mismatch("hash_merkle_root", header.hash_merkle_root, merkle));
        }
        let accepted = accepted_id_merkle_root(context.accepted_ids.iter().copied());
        if header.accepted_id_merkle_root != accepted {
            return Err(header_mismatch("accepted_id_merkle_root", header.accepted_id_merkle_root, accepted));
        }
        Ok(())
    }

    fn check_coinbase(&self, block: &Block, context: &BlockContext) -> Result<(), BlockError> {
        let coinbase = block.transactions.first().filter(|t| t.is_coinbase()).ok_or(BlockError::MissingCoinbase)?;
        if let Some(i) = block.transactions.iter().skip(1).position(Transaction::is_coinbase) {
            return Err(BlockError::ExtraCoinbase(i + 1));
        }
        let data = CoinbaseData::decode(&coinbase.payload, &self.limits)?;
        let subsidy = self.schedule.subsidy(context.daa_score);
        if data.subsidy != subsidy {
            return Err(BlockError::Coinbase {
                what: "subsidy",
                found: data.subsidy.to_string(),
                expected: subsidy.to_string(),
            });
        }
        if data.blue_score != context.ghostdag.blue_score {
            return Err(BlockError::Coinbase {
                what: "blue score",
                found: data.blue_score.to_string(),
                expected: context.ghostdag.blue_score.to_string(),
            });
        }
        let expected = coinbase_transaction(&data, &context.blue_rewards, &context.red_rewards, &self.limits)?;
        if *coinbase != expected {
            let total = |t: &Transaction| t.outputs.iter().map(|o| u128::from(o.value.to_leor())).sum::<u128>();
            return Err(BlockError::Coinbase {
                what: "outputs",
                found: format!("{} outputs paying {}", coinbase.outputs.len(), total(coinbase)),
                expected: format!("{} outputs paying {}", expected.outputs.len(), total(&expected)),
            });
        }
        Ok(())
    }

    /// The non-coinbase transactions against the UTXO set of the block's past (applied by
    /// the caller): no duplicates, every input present once, mature, no overspend, every
    /// signature valid, total mass within the limit.
    fn check_transactions(&self, block: &Block, context: &BlockContext) -> Result<(), BlockError> {
        let mut ids = HashSet::new();
        let mut spent = HashSet::new();
        let mut mass = 0u64;
        for (index, tx) in block.transactions.iter().enumerate() {
            if !ids.insert(tx.id()) {
                return Err(BlockError::DuplicateTransaction(index));
            }
            mass = mass.saturating_add(compute_mass(tx, &self.mass_prices));
            if index == 0 {
                continue;
            }
            let entries = self.check_spend(tx, index, context.daa_score, &spent)?;
            spent.extend(tx.inputs.iter().map(|i| i.previous_outpoint));
            pyrin_tx::sign::par_verify_transaction(tx, &entries)
                .map_err(|source| BlockError::Signature { tx: index, source })?;
        }
        if mass > self.params.max_block_mass {
            return Err(BlockError::Mass { mass, max: self.params.max_block_mass });
        }
        Ok(())
    }

    /// The context of the virtual block over the current tips. The virtual block is not
    /// held to the mergeset size limit (pyrin-ghostdag orders every block under it); a
    /// block mined over a context that passes the limit is refused when submitted.
    pub fn virtual_context(&mut self) -> Result<BlockContext, BlockError> {
        let tips = self.tips();
        self.context(&tips)
    }

    /// The UTXO set as the virtual block sees it (every block's accepted transactions).
    /// Returns the set with the virtual's DAA score.
    pub fn virtual_utxo(&mut self) -> Result<(&UtxoSet, u64), BlockError> {
        let context = self.virtual_context()?;
        self.utxo.apply(&context.diff);
        self.virtual_diff = Some(context.diff);
        Ok((&self.utxo, context.daa_score))
    }
}
