//! Simulated miners and wallets around a [`Node`]: each miner runs its own node, which a
//! simulated network feeds the other miners' blocks `delay` rounds late (which is what
//! makes the DAG wide); each round every miner mines with some probability on a template
//! from its own node, the network's node (the one every block reaches at once) judges the
//! block, and wallets send signed transfers between the miners' addresses.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use pyrin_consensus::{ChainBlock, MergedBlockAcceptance};

use pyrin_consensus::{Config, TemplateError};
use pyrin_core::params::{Network, Params};
use pyrin_core::{
    Amount, Block, BlockHash, BlueWork, CompactTarget, ScriptPublicKey, Transaction, TransactionInput,
    TransactionOutpoint, TransactionOutput,
};
use pyrin_emission::EmissionSchedule;
use pyrin_pow::{PowError, PowState};
use pyrin_tx::address::{Address, Prefix};
use pyrin_tx::mass::{signed_compute_mass, MassPrices, SignedInput};
use pyrin_tx::policy::RelayPolicy;
use pyrin_tx::script::pay_to_address;
use pyrin_tx::sighash::SigHashType;
use pyrin_tx::sign::{sign_transaction, PrivateKey, Randomness};
use pyrin_tx::UtxoEntry;

use super::node::{BlockError, Node};
use super::utxo::Ledger;

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
    /// The validator could not build a template.
    #[error("block template: {0}")]
    Template(#[from] TemplateError),
    /// The header of a template cannot be hashed for proof of work.
    #[error(transparent)]
    Pow(#[from] PowError),
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
pub fn reseal(block: &mut Block) -> Result<u64, PowError> {
    block.header.hash_merkle_root = block.hash_merkle_root();
    mine(block, block.header.nonce.wrapping_add(1))
}

/// Searches a nonce for `block` with every core; returns the nonces tried.
pub fn mine(block: &mut Block, start: u64) -> Result<u64, PowError> {
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

/// A block on the simulated network: the round it was mined in, by whom, its hash.
#[derive(Clone, Copy, Debug)]
struct Mined {
    round: u64,
    miner: usize,
    hash: BlockHash,
}

/// A devnet: the network's node, the miners with their own nodes and wallets, the
/// simulated network and the simulation clock.
pub struct Devnet {
    config: DevnetConfig,
    /// The network's node: every block reaches it at once.
    pub node: Node,
    /// The miners.
    pub miners: Vec<Miner>,
    /// Each miner's own node, fed by the network.
    views: Vec<Node>,
    /// Per miner: how many of `mined` the network has delivered to its node.
    delivered: Vec<usize>,
    rng: Rng,
    /// Every block mined, in order.
    mined: Vec<Mined>,
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
        let node = Node::new(&params, config.bits, &Config::new());
        let views = (0..miners.len()).map(|_| Node::new(&params, config.bits, &Config::new())).collect();
        Ok(Self {
            config,
            node,
            delivered: vec![0; miners.len()],
            views,
            miners,
            rng,
            mined: Vec::new(),
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
        self.mined.len() as u64
    }

    /// Nonces tried so far.
    pub fn nonces(&self) -> u64 {
        self.nonces
    }

    /// Nonces per second of search so far.
    pub fn hash_rate(&self) -> f64 {
        self.nonces as f64 / self.pow_time.as_secs_f64().max(1e-9)
    }

    /// The timestamp of the current round for a miner.
    pub fn now(&self, miner: usize) -> u64 {
        self.node.params().genesis.timestamp + (self.round + 1) * self.tick_ms + miner as u64
    }

    /// The network delivers to `miner`'s node every block of the others mined at least
    /// `delay` rounds ago, in the order they were mined (so parents come first).
    fn deliver(&mut self, miner: usize) -> Result<(), DevnetError> {
        let now = self.now(miner);
        while let Some(&next) = self.mined.get(self.delivered[miner]) {
            if next.round + self.config.delay > self.round {
                break;
            }
            if next.miner != miner {
                let block = self.node.block(&next.hash).cloned().expect("the network's node stores every block");
                self.views[miner].submit_honest_block(block, now)?;
            }
            self.delivered[miner] += 1;
        }
        Ok(())
    }

    /// The tips `miner`'s node sees.
    pub fn tips_seen_by(&self, miner: usize) -> Vec<BlockHash> {
        self.views[miner].tips()
    }

    /// Builds and mines a block for `miner` on a template from its own node (the blocks
    /// it has received), without submitting it.
    pub fn mine_block(&mut self, miner: usize) -> Result<Block, DevnetError> {
        self.deliver(miner)?;
        let extra = format!("pyrin-rs devnet miner {miner}");
        let now = self.now(miner);
        let mut block = self.views[miner].template(&self.miners[miner].script, extra.as_bytes(), &self.mempool, now)?;
        let started = Instant::now();
        self.nonces += mine(&mut block, self.rng.next_u64())?;
        self.pow_time += started.elapsed();
        Ok(block)
    }

    /// Submits a block mined by `miner` to the network's node and to the miner's own.
    pub fn submit(&mut self, block: Block, miner: usize) -> Result<BlockHash, BlockError> {
        let now = self.now(miner);
        let hash = self.node.submit_honest_block(block.clone(), now)?;
        self.views[miner].submit_honest_block(block, now)?;
        self.mined.push(Mined { round: self.round, miner, hash });
        Ok(hash)
    }

    /// One round: miners mine, then wallets send transfers. Returns the blocks added.
    pub fn step(&mut self) -> Result<u64, DevnetError> {
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
        let validator = self.node.validator();
        self.mempool.retain(|tx| tx.inputs.iter().all(|i| validator.virtual_utxo(&i.previous_outpoint).is_some()));
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
        let validator = self.node.validator();
        let daa_score = validator.virtual_daa_score();
        let script = &self.miners[miner].script;
        let mut spendable: Vec<(TransactionOutpoint, UtxoEntry)> = validator
            .virtual_utxo_set()
            .into_iter()
            .filter(|(o, e)| {
                // A margin over maturity so the transfer stays valid in parallel blocks.
                e.script_public_key == *script
                    && !in_mempool.contains(o)
                    && (!e.is_coinbase || e.block_daa_score + maturity + 10 <= daa_score)
            })
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

    /// The blocks whose rewards chain block `block`'s coinbase pays: its mergeset inside
    /// the DAA window, which the DAA score it adds tells apart (genesis is in no window; a
    /// devnet run is shorter than the window, so nothing else falls out of it).
    fn paid_blocks(
        &self,
        chain_block: &ChainBlock,
        selected_parent: &BlockHash,
    ) -> Result<Vec<BlockHash>, DevnetError> {
        let header = |h: &BlockHash| &self.node.block(h).expect("a chain block is stored").header;
        let added = header(&chain_block.hash).daa_score - header(selected_parent).daa_score;
        let genesis = self.node.params().genesis.hash;
        let mut merged: Vec<BlockHash> = chain_block.accepted.iter().map(|a| a.block).collect();
        if merged.len() as u64 != added {
            merged.retain(|b| *b != genesis);
        }
        if merged.len() as u64 != added {
            return Err(DevnetError::Config(format!(
                "chain block {} merges blocks outside its DAA window",
                chain_block.hash
            )));
        }
        Ok(merged)
    }

    /// The run's figures, from the virtual's point of view.
    pub fn summary(&mut self) -> Result<Summary, DevnetError> {
        let seconds = self.started.elapsed().as_secs_f64();
        let validator = self.node.validator();
        let params = validator.params();
        let schedule = EmissionSchedule::from_params(params);
        let dag = validator.dag();
        let chain = validator.selected_chain();
        let virtual_ghostdag = dag
            .ghostdag_of(validator.virtual_parents(), BlueWork::ZERO)
            .map_err(|e| DevnetError::Config(e.to_string()))?;
        let (mut blues, mut reds) =
            (virtual_ghostdag.mergeset_blues.len() as u64, virtual_ghostdag.mergeset_reds.len() as u64);
        let mut ledger = Ledger::default();
        let (mut coinbases_paid, mut subsidy_expected, mut fees_paid) = (0u64, 0u64, 0u64);
        let replay = |ledger: &mut Ledger, merged: &MergedBlockAcceptance| -> u64 {
            let block = self.node.block(&merged.block).expect("a merged block is stored");
            let by_id: HashMap<_, _> = block.transactions.iter().map(|tx| (tx.id(), tx)).collect();
            merged.transaction_ids.iter().map(|id| ledger.accept(by_id[id])).sum()
        };
        let mut selected_parent = params.genesis.hash;
        for chain_block in &chain {
            let data = dag.data_by_hash(&chain_block.hash).expect("a chain block is in the DAG");
            blues += data.mergeset_blues.len() as u64;
            reds += data.mergeset_reds.len() as u64;
            let paid = self.paid_blocks(chain_block, &selected_parent)?;
            for merged in &chain_block.accepted {
                let fees = replay(&mut ledger, merged);
                if paid.contains(&merged.block) {
                    fees_paid += fees;
                    let daa_score = self.node.block(&merged.block).expect("stored").header.daa_score;
                    subsidy_expected += schedule.subsidy(daa_score).to_leor();
                }
            }
            // Every chain block's coinbase is accepted, by its chain child or the virtual.
            let coinbase = &self.node.block(&chain_block.hash).expect("stored").transactions[0];
            coinbases_paid += coinbase.outputs.iter().map(|o| o.value.to_leor()).sum::<u64>();
            selected_parent = chain_block.hash;
        }
        for merged in &validator.virtual_acceptance() {
            replay(&mut ledger, merged);
        }
        let utxo = validator.virtual_utxo_set();
        let utxo_total: u128 = utxo.iter().map(|(_, e)| u128::from(e.amount.to_leor())).sum();
        let mut balances: HashMap<&ScriptPublicKey, u64> = HashMap::new();
        for (_, entry) in &utxo {
            *balances.entry(&entry.script_public_key).or_default() += entry.amount.to_leor();
        }
        let addresses = self
            .miners
            .iter()
            .enumerate()
            .map(|(i, m)| AddressSummary {
                address: m.address.to_string(),
                balance: balances.get(&m.script).copied().unwrap_or(0),
                tx_count: ledger.stats().get(&m.script).map_or(0, |s| s.tx_count),
                blocks_mined: self.mined.iter().filter(|b| b.miner == i).count() as u64,
            })
            .collect();
        let block_count = self.node.hashes().len() as u64;
        let chain_length = chain.len() as u64 + 1;
        Ok(Summary {
            network: params.network.name().to_string(),
            blocks: block_count,
            blues,
            reds,
            chain_length,
            mean_width: block_count as f64 / chain_length as f64,
            rounds: self.round,
            nonces: self.nonces,
            hash_rate: self.hash_rate(),
            seconds,
            subsidy_emitted: coinbases_paid - fees_paid,
            subsidy_expected,
            schedule_cumulative: schedule.cumulative_subsidy(validator.virtual_daa_score()).to_leor(),
            fees_paid,
            fees_accepted: ledger.fees_accepted,
            utxo_total,
            transfers_sent: self.transfers_sent,
            transfers_accepted: ledger.transfers_accepted,
            addresses,
        })
    }
}
