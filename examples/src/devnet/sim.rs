//! Simulated miners and wallets driving a [`Node`]: each round every miner mines with some
//! probability on the tips it can see (blocks of other miners reach it `delay` rounds
//! late, which is what makes the DAG wide), and wallets send signed transfers between the
//! miners' addresses.

use std::time::{Duration, Instant};

use pyrin_core::params::{Network, Params};
use pyrin_core::{
    Amount, Block, BlockHash, CompactTarget, ScriptPublicKey, Transaction, TransactionInput, TransactionOutpoint,
    TransactionOutput,
};
use pyrin_ghostdag::BlockId;
use pyrin_pow::PowState;
use pyrin_tx::address::{Address, Prefix};
use pyrin_tx::mass::{signed_compute_mass, MassPrices, SignedInput};
use pyrin_tx::policy::RelayPolicy;
use pyrin_tx::script::pay_to_address;
use pyrin_tx::sighash::SigHashType;
use pyrin_tx::sign::{sign_transaction, PrivateKey, Randomness};
use pyrin_tx::UtxoEntry;

use super::node::{slot, BlockError, Node};

/// How a devnet run goes.
#[derive(Clone, Debug)]
pub struct DevnetConfig {
    /// Network whose parameters and genesis the node uses.
    pub network: Network,
    /// Blocks to mine (genesis not counted).
    pub blocks: u64,
    /// Number of miners (each with its own key and address).
    pub miners: usize,
    /// Rounds before a block reaches the other miners.
    pub delay: u64,
    /// Seed of every random choice (keys, who mines, transfers, nonces).
    pub seed: u64,
    /// Genesis bits for the difficulty adjustment (the network's when `None`).
    pub bits: Option<CompactTarget>,
    /// Chance that a miner finds a block in a round.
    pub mine_probability: f64,
    /// Chance that a miner's wallet sends a transfer in a round.
    pub transfer_probability: f64,
}

impl Default for DevnetConfig {
    fn default() -> Self {
        Self {
            network: Network::Devnet,
            blocks: 1500,
            miners: 4,
            delay: 6,
            seed: 1,
            bits: None,
            mine_probability: 0.5,
            transfer_probability: 0.3,
        }
    }
}

/// A miner: its key and where it is paid.
pub struct Miner {
    key: PrivateKey,
    /// Its address.
    pub address: Address,
    /// The script paying its address.
    pub script: ScriptPublicKey,
}

/// Why a run stopped.
#[derive(Debug, thiserror::Error)]
pub enum DevnetError {
    /// The node rejected a block an honest miner built: a bug in the crates or the node.
    #[error("the node rejected an honest block: {0}")]
    Rejected(#[from] BlockError),
    /// A bad configuration.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// Signing a transfer failed.
    #[error("signing a transfer: {0}")]
    Sign(#[from] pyrin_tx::sign::SignError),
}

/// Per-address figures for the summary.
#[derive(Clone, Debug)]
pub struct AddressSummary {
    /// The address.
    pub address: String,
    /// Balance in leor.
    pub balance: u64,
    /// Accepted transactions involving it (coinbase payouts included).
    pub tx_count: u64,
    /// Blocks it mined.
    pub blocks_mined: u64,
}

/// What a run produced.
#[derive(Clone, Debug)]
pub struct Summary {
    /// Network name.
    pub network: String,
    /// Blocks in the DAG, genesis included.
    pub blocks: u64,
    /// Blocks coloured blue from the virtual's point of view.
    pub blues: u64,
    /// Blocks coloured red.
    pub reds: u64,
    /// Length of the virtual's selected chain (genesis included).
    pub chain_length: u64,
    /// Blocks per selected-chain block.
    pub mean_width: f64,
    /// Simulation rounds.
    pub rounds: u64,
    /// Nonces tried by all miners.
    pub nonces: u64,
    /// Nonces per second of PoW search.
    pub hash_rate: f64,
    /// Wall time in seconds.
    pub seconds: f64,
    /// Subsidy paid by accepted coinbases.
    pub subsidy_emitted: u64,
    /// The schedule's subsidies of the paid blocks (genesis: its payload's claim).
    pub subsidy_expected: u64,
    /// The schedule's cumulative subsidy before the virtual's DAA score.
    pub schedule_cumulative: u64,
    /// Fees paid by accepted coinbases.
    pub fees_paid: u64,
    /// Fees of every accepted transaction (some not paid until the next chain block).
    pub fees_accepted: u64,
    /// Sum of the UTXO set seen by the virtual.
    pub utxo_total: u128,
    /// Transfers the wallets signed.
    pub transfers_sent: u64,
    /// Transfers accepted by the virtual.
    pub transfers_accepted: u64,
    /// Per miner address.
    pub addresses: Vec<AddressSummary>,
}

impl Summary {
    /// The summary as JSON.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "network": self.network,
            "blocks": self.blocks,
            "blues": self.blues,
            "reds": self.reds,
            "chain_length": self.chain_length,
            "mean_width": self.mean_width,
            "rounds": self.rounds,
            "nonces": self.nonces,
            "hash_rate": self.hash_rate,
            "seconds": self.seconds,
            "subsidy_emitted": self.subsidy_emitted,
            "subsidy_expected": self.subsidy_expected,
            "schedule_cumulative": self.schedule_cumulative,
            "fees_paid": self.fees_paid,
            "fees_accepted": self.fees_accepted,
            "utxo_total": self.utxo_total.to_string(),
            "transfers_sent": self.transfers_sent,
            "transfers_accepted": self.transfers_accepted,
            "addresses": self.addresses.iter().map(|a| serde_json::json!({
                "address": a.address, "balance": a.balance, "tx_count": a.tx_count, "blocks_mined": a.blocks_mined,
            })).collect::<Vec<_>>(),
        })
    }
}

/// SplitMix64: a tiny seeded generator for the simulation's choices.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }

    /// A number below `n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

/// The devnet's wallets sign deterministically, so a run is reproducible from its seed
/// (their keys come from that seed too, so fresh randomness would protect nothing here).
const DEVNET_RANDOMNESS: Randomness<'static> = Randomness::Fixed([0; 32]);

/// The nonces one PoW search call covers before checking back.
const SEARCH_CHUNK: u64 = 1 << 16;

/// Recomputes a block's hash merkle root (after its transactions changed) and mines it
/// again; returns the nonces tried.
pub fn reseal(block: &mut Block) -> Result<u64, BlockError> {
    block.header.hash_merkle_root = block.hash_merkle_root();
    mine(block, block.header.nonce.wrapping_add(1))
}

/// Searches a nonce for `block` with every core; returns the nonces tried.
pub fn mine(block: &mut Block, start: u64) -> Result<u64, BlockError> {
    let state = PowState::new(&block.header)?;
    let mut tried = 0u64;
    let mut base = start;
    loop {
        let outcome = pyrin_pow::par_search(&state, base..base.saturating_add(SEARCH_CHUNK));
        tried += outcome.tried;
        if let Some(solution) = outcome.solution {
            block.header.nonce = solution.nonce;
            return Ok(tried);
        }
        base = base.checked_add(SEARCH_CHUNK).unwrap_or(0);
    }
}

/// A devnet: the node, its miners and wallets, and the simulation clock.
pub struct Devnet {
    config: DevnetConfig,
    /// The validating node every block goes through.
    pub node: Node,
    /// The miners.
    pub miners: Vec<Miner>,
    rng: Rng,
    /// Per block id: the round it was mined in and by whom (genesis: none).
    origin: Vec<(u64, Option<usize>)>,
    children: Vec<Vec<BlockId>>,
    /// Blocks that still lack a child every miner sees.
    uncovered: Vec<BlockId>,
    mempool: Vec<Transaction>,
    round: u64,
    tick_ms: u64,
    nonces: u64,
    pow_time: Duration,
    started: Instant,
    transfers_sent: u64,
}

impl Devnet {
    /// A devnet at genesis.
    pub fn new(config: DevnetConfig) -> Result<Self, DevnetError> {
        if config.miners == 0 || !(config.mine_probability > 0.0 && config.mine_probability <= 1.0) {
            return Err(DevnetError::Config("need at least one miner and a mining chance in (0, 1]".into()));
        }
        let params: Params = config.network.params().clone();
        let prefix = Prefix::from(config.network);
        let mut rng = Rng::new(config.seed);
        let mut miners = Vec::with_capacity(config.miners);
        while miners.len() < config.miners {
            let mut secret = [0u8; 32];
            for chunk in secret.chunks_mut(8) {
                chunk.copy_from_slice(&rng.next_u64().to_le_bytes());
            }
            let Ok(key) = PrivateKey::from_bytes(secret) else { continue };
            // Every third miner uses an ECDSA address, the others Schnorr.
            let address = if miners.len() % 3 == 2 {
                Address::p2pk_ecdsa(prefix, &key.ecdsa_public_key())
            } else {
                Address::p2pk_schnorr(prefix, &key.schnorr_public_key())
            };
            let script = pay_to_address(&address);
            miners.push(Miner { key, address, script });
        }
        // Rounds last long enough for the miners together to find one block per target time
        // on average, so the difficulty adjustment stays near the starting bits.
        let per_round = config.miners as f64 * config.mine_probability;
        let tick_ms = ((params.target_time_per_block as f64) * per_round).round().max(1.0) as u64;
        let node = Node::new(params, config.bits);
        Ok(Self {
            config,
            node,
            miners,
            rng,
            origin: vec![(0, None)],
            children: vec![Vec::new()],
            uncovered: vec![BlockId::GENESIS],
            mempool: Vec::new(),
            round: 0,
            tick_ms,
            nonces: 0,
            pow_time: Duration::ZERO,
            started: Instant::now(),
            transfers_sent: 0,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &DevnetConfig {
        &self.config
    }

    /// Blocks mined so far (genesis not counted).
    pub fn blocks_mined(&self) -> u64 {
        self.origin.len() as u64 - 1
    }

    /// Nonces tried so far.
    pub fn nonces(&self) -> u64 {
        self.nonces
    }

    /// Nonces per second of search so far.
    pub fn hash_rate(&self) -> f64 {
        self.nonces as f64 / self.pow_time.as_secs_f64().max(1e-9)
    }

    fn visible(&self, block: BlockId, miner: usize) -> bool {
        let (round, by) = self.origin[slot(block)];
        by.is_none() || by == Some(miner) || round + self.config.delay <= self.round
    }

    /// The tips miner `miner` sees, best blue work first, at most the network's parent limit.
    pub fn tips_seen_by(&self, miner: usize) -> Vec<BlockHash> {
        let dag = self.node.dag();
        let mut tips: Vec<BlockId> = self
            .uncovered
            .iter()
            .copied()
            .filter(|&b| self.visible(b, miner))
            .filter(|&b| !self.children[slot(b)].iter().any(|&c| self.visible(c, miner)))
            .collect();
        tips.sort_by_key(|&b| core::cmp::Reverse((dag.data(b).blue_work, dag.hash_of(b))));
        tips.truncate(usize::from(self.node.params().max_block_parents));
        tips.into_iter().map(|b| dag.hash_of(b)).collect()
    }

    /// The timestamp of the current round for a miner.
    pub fn now(&self, miner: usize) -> u64 {
        self.node.params().genesis.timestamp + (self.round + 1) * self.tick_ms + miner as u64
    }

    /// Builds and mines a block for `miner` on the tips it sees, without submitting it.
    pub fn mine_block(&mut self, miner: usize) -> Result<Block, DevnetError> {
        let tips = self.tips_seen_by(miner);
        let extra = format!("pyrin-rs devnet miner {miner}");
        let script = self.miners[miner].script.clone();
        let now = self.now(miner);
        let mut block = self.node.template(&tips, &script, extra.as_bytes(), &self.mempool, now)?;
        let started = Instant::now();
        self.nonces += mine(&mut block, self.rng.next_u64())?;
        self.pow_time += started.elapsed();
        Ok(block)
    }

    /// Submits a block mined by `miner` and records where it came from.
    pub fn submit(&mut self, block: Block, miner: usize) -> Result<BlockHash, BlockError> {
        let parents = block.header.direct_parents().to_vec();
        let hash = self.node.submit_block(block)?;
        let id = self.node.dag().id_of(&hash).unwrap_or(BlockId::GENESIS);
        for parent in parents {
            if let Some(p) = self.node.dag().id_of(&parent) {
                self.children[slot(p)].push(id);
            }
        }
        self.origin.push((self.round, Some(miner)));
        self.children.push(Vec::new());
        self.uncovered.push(id);
        Ok(hash)
    }

    /// One round: miners mine, then wallets send transfers. Returns the blocks added.
    pub fn step(&mut self) -> Result<u64, DevnetError> {
        let (origin, children, delay, round) = (&self.origin, &self.children, self.config.delay, self.round);
        self.uncovered.retain(|&b| !children[slot(b)].iter().any(|&c| origin[slot(c)].0 + delay <= round));
        let mut added = 0;
        for miner in 0..self.miners.len() {
            if self.blocks_mined() >= self.config.blocks {
                break;
            }
            if !self.rng.chance(self.config.mine_probability) {
                continue;
            }
            let block = self.mine_block(miner)?;
            self.submit(block, miner)?;
            added += 1;
        }
        self.send_transfers()?;
        self.round += 1;
        Ok(added)
    }

    /// Drops mempool transactions the virtual no longer allows, then lets each wallet send
    /// a transfer with the configured chance.
    fn send_transfers(&mut self) -> Result<(), DevnetError> {
        let (utxo, _) = self.node.virtual_utxo()?;
        self.mempool.retain(|tx| tx.inputs.iter().all(|i| utxo.get(&i.previous_outpoint).is_some()));
        if self.miners.len() < 2 {
            return Ok(());
        }
        for miner in 0..self.miners.len() {
            if !self.rng.chance(self.config.transfer_probability) {
                continue;
            }
            let mut recipient = self.rng.below(self.miners.len() as u64 - 1) as usize;
            if recipient >= miner {
                recipient += 1;
            }
            if let Some(tx) = self.transfer_from(miner, recipient)? {
                self.mempool.push(tx);
                self.transfers_sent += 1;
            }
        }
        Ok(())
    }

    /// The transactions waiting for a block.
    pub fn mempool(&self) -> &[Transaction] {
        &self.mempool
    }

    /// A signed transfer from `miner`'s wallet to `recipient`'s address spending one or two
    /// of its mature outputs in the virtual's UTXO set that no mempool transaction spends;
    /// `None` when it has none. The transfer is not added to the mempool.
    pub fn transfer_from(&mut self, miner: usize, recipient: usize) -> Result<Option<Transaction>, DevnetError> {
        if miner >= self.miners.len() || recipient >= self.miners.len() {
            return Err(DevnetError::Config(format!("no miner {miner} or {recipient}")));
        }
        let maturity = self.node.params().coinbase_maturity;
        let prices = MassPrices::from_params(self.node.params());
        let in_mempool: std::collections::HashSet<TransactionOutpoint> =
            self.mempool.iter().flat_map(|tx| tx.inputs.iter().map(|i| i.previous_outpoint)).collect();
        let (utxo, daa_score) = self.node.virtual_utxo()?;
        let script = &self.miners[miner].script;
        let mut spendable: Vec<(TransactionOutpoint, UtxoEntry)> = utxo
            .iter()
            .filter(|(o, e)| {
                // A margin over maturity so the transfer stays valid in parallel blocks.
                e.script_public_key == *script
                    && !in_mempool.contains(o)
                    && (!e.is_coinbase || e.block_daa_score + maturity + 10 <= daa_score)
            })
            .map(|(o, e)| (*o, e.clone()))
            .collect();
        if spendable.is_empty() {
            return Ok(None);
        }
        spendable.sort_by_key(|(o, _)| *o);
        let take = 1 + self.rng.below(2) as usize;
        let start = self.rng.below(spendable.len() as u64) as usize;
        let chosen: Vec<_> = spendable.iter().cycle().skip(start).take(take.min(spendable.len())).cloned().collect();
        self.transfer(miner, recipient, &chosen, &prices)
    }

    /// A signed transfer of a quarter of the chosen outputs to `recipient`, change back,
    /// paying the minimum relay fee (one leor per gram of mass). `None` when the outputs
    /// cannot pay the fee.
    fn transfer(
        &mut self,
        miner: usize,
        recipient: usize,
        chosen: &[(TransactionOutpoint, UtxoEntry)],
        prices: &MassPrices,
    ) -> Result<Option<Transaction>, DevnetError> {
        let Some(total) = Amount::checked_sum(chosen.iter().map(|(_, e)| e.amount)) else { return Ok(None) };
        let entries: Vec<UtxoEntry> = chosen.iter().map(|(_, e)| e.clone()).collect();
        let build = |fee: Amount| -> Option<Transaction> {
            let send = total.checked_div(4)?;
            let change = total.checked_sub(send)?.checked_sub(fee)?;
            Some(Transaction {
                inputs: chosen.iter().map(|(o, _)| TransactionInput::spending(*o)).collect(),
                outputs: vec![
                    TransactionOutput::new(send, self.miners[recipient].script.clone()),
                    TransactionOutput::new(change, self.miners[miner].script.clone()),
                ],
                ..Transaction::default()
            })
        };
        // Priced before signing: the mass of the signed transfer, whatever the fee it pays.
        let Some(draft) = build(Amount::ZERO) else { return Ok(None) };
        let signed = vec![SignedInput::P2pk; draft.inputs.len()];
        let mass = signed_compute_mass(&draft, &signed, prices).map_err(|e| DevnetError::Config(e.to_string()))?;
        let fee = RelayPolicy::DEFAULT.minimum_fee(mass);
        let Some(mut tx) = build(fee) else { return Ok(None) };
        sign_transaction(&mut tx, &entries, &self.miners[miner].key, SigHashType::ALL, DEVNET_RANDOMNESS)?;
        Ok(Some(tx))
    }

    /// Runs rounds until the configured number of blocks is mined, calling `progress`
    /// after each round that added blocks.
    pub fn run(&mut self, mut progress: impl FnMut(&Self)) -> Result<(), DevnetError> {
        while self.blocks_mined() < self.config.blocks {
            if self.step()? > 0 {
                progress(self);
            }
        }
        Ok(())
    }

    /// The run's figures, from the virtual's point of view.
    pub fn summary(&mut self) -> Result<Summary, DevnetError> {
        let seconds = self.started.elapsed().as_secs_f64();
        let virtual_context = self.node.virtual_context()?;
        let blocks = self.node.blocks();
        let dag = self.node.dag();
        let schedule = self.node.schedule();
        let mut chain = Vec::new();
        let mut current = virtual_context.ghostdag.selected_parent;
        while let Some(c) = current {
            chain.push(c);
            current = dag.data(c).selected_parent;
        }
        let mut blues = virtual_context.ghostdag.mergeset_blues.len() as u64;
        let mut reds = virtual_context.ghostdag.mergeset_reds.len() as u64;
        let (mut subsidy_emitted, mut subsidy_expected, mut fees_paid) = (0u64, 0u64, 0u64);
        let mut fees_accepted = virtual_context.accepted_fees.to_leor();
        for &c in &chain {
            let context = &blocks[slot(c)].context;
            blues += context.ghostdag.mergeset_blues.len() as u64;
            reds += context.ghostdag.mergeset_reds.len() as u64;
            // Chain blocks' coinbases are accepted by their chain child or the virtual.
            subsidy_emitted += context.subsidy_paid().to_leor();
            fees_paid += context.blue_rewards.iter().chain(&context.red_rewards).map(|r| r.fees.to_leor()).sum::<u64>();
            fees_accepted += context.accepted_fees.to_leor();
            for &paid in &context.paid_blocks {
                subsidy_expected += if paid == BlockId::GENESIS {
                    blocks[0].subsidy
                } else {
                    schedule.subsidy(blocks[slot(paid)].context.daa_score)
                }
                .to_leor();
            }
        }
        let schedule_cumulative = schedule.cumulative_subsidy(virtual_context.daa_score).to_leor();
        let mut mined = vec![0u64; self.miners.len()];
        for (_, by) in &self.origin {
            if let Some(m) = by {
                mined[*m] += 1;
            }
        }
        let virtual_ids: std::collections::HashSet<_> = virtual_context.accepted_ids.iter().copied().collect();
        let mut transfers_accepted =
            virtual_ids.len() as u64 - u64::from(virtual_context.ghostdag.selected_parent.is_some());
        for &c in &chain {
            let context = &blocks[slot(c)].context;
            let coinbase = usize::from(context.ghostdag.selected_parent.is_some());
            transfers_accepted += (context.accepted_ids.len() - coinbase) as u64;
        }
        let block_count = blocks.len() as u64;
        let chain_length = chain.len() as u64;
        let network = self.node.params().network.name().to_string();
        let hash_rate = self.hash_rate();
        let (utxo, _) = self.node.virtual_utxo()?;
        let addresses = self
            .miners
            .iter()
            .zip(&mined)
            .map(|(m, &blocks_mined)| {
                let stats = utxo.stats().get(&m.script).copied().unwrap_or_default();
                AddressSummary {
                    address: m.address.to_string(),
                    balance: stats.balance,
                    tx_count: stats.tx_count,
                    blocks_mined,
                }
            })
            .collect();
        Ok(Summary {
            network,
            blocks: block_count,
            blues,
            reds,
            chain_length,
            mean_width: block_count as f64 / chain_length.max(1) as f64,
            rounds: self.round,
            nonces: self.nonces,
            hash_rate,
            seconds,
            subsidy_emitted,
            subsidy_expected,
            schedule_cumulative,
            fees_paid,
            fees_accepted,
            utxo_total: utxo.total(),
            transfers_sent: self.transfers_sent,
            transfers_accepted,
            addresses,
        })
    }
}
