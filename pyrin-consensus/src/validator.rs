//! [`BlockValidator`]: blocks in, verdicts and the virtual state out.

use alloc::collections::BinaryHeap;
use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;

use hashbrown::{HashMap, HashSet};
use pyrin_core::header_rules::{
    check_block_timestamp_in_isolation, check_header_version, check_parents_limit, BLOCK_VERSION,
};
use pyrin_core::merkle::accepted_id_merkle_root;
use pyrin_core::params::Params;
use pyrin_core::{
    Block, BlockHash, BlueWork, CompactTarget, Header, Transaction, TransactionId, TransactionOutpoint, UtxoCommitment,
    Work,
};
use pyrin_emission::coinbase::{BlockReward, CoinbaseData, PayloadLimits};
use pyrin_emission::rules::{check_coinbase_blue_score_and_subsidy, paid_rewards, verify_coinbase_transaction};
use pyrin_emission::EmissionSchedule;
use pyrin_ghostdag::rules::{
    check_blue_score, check_blue_work, check_bounded_merge_depth, check_merge_size_limit, merge_depth_root,
    merge_depth_violators,
};
use pyrin_ghostdag::{BlockId, Ghostdag, GhostdagData};
use pyrin_pow::daa::{daa_score, past_median_time};
use pyrin_pow::difficulty::{next_bits, DifficultyRules, WindowBlock};
use pyrin_pow::rules::{check_difficulty_and_daa_score, check_median_timestamp, check_pow_and_calc_block_level};
use pyrin_tx::body::{check_block_body_in_isolation, BodyRuleError};
use pyrin_tx::context::{TxContext, TxValidationFlags};
use pyrin_tx::muhash::MuHash;
use pyrin_tx::rules::check_tx_is_finalized;
use pyrin_tx::utxo::{entries_of, UtxoCollection, UtxoDiff, UtxoView};
use pyrin_tx::UtxoEntry;

use crate::error::RuleError;
use crate::parents::{expected_parents, same_parents, ParentsSource};
use crate::timing::{Stage, StageTimes, Stages};
use crate::window::{Window, WindowCache};
use crate::{BlockStatus, Config};

/// The MuHash of a set after `diff`: `base` with the diff's added entries in and its
/// removed entries out.
///
/// A mergeset's MuHash is taken from its diff rather than transaction by transaction: an
/// output created and spent inside the same mergeset never enters, and only the states
/// that are committed to (chain blocks, templates) pay for it. With the `rayon` feature
/// the elements are hashed and multiplied on rayon's current pool.
fn multiset_after(base: &MuHash, diff: &UtxoDiff, parallel: bool) -> MuHash {
    let added = diff.added.iter().map(|(o, e)| (o, e, true));
    let removed = diff.removed.iter().map(|(o, e)| (o, e, false));
    let elements = added.chain(removed);
    let fold = |mut set: MuHash, (outpoint, entry, add): (&TransactionOutpoint, &UtxoEntry, bool)| {
        if add {
            set.add_utxo(outpoint, entry);
        } else {
            set.remove_utxo(outpoint, entry);
        }
        set
    };
    #[cfg(feature = "rayon")]
    if parallel {
        use rayon::prelude::*;
        let combined = |mut a: MuHash, b: MuHash| {
            a.combine(&b);
            a
        };
        let elements: Vec<_> = elements.collect();
        return combined(base.clone(), elements.into_par_iter().fold(MuHash::new, fold).reduce(MuHash::new, combined));
    }
    #[cfg(not(feature = "rayon"))]
    let _ = parallel;
    elements.fold(base.clone(), fold)
}

/// Records an accepted transaction (with its id) in a mergeset diff.
fn accept(diff: &mut UtxoDiff, tx: &Transaction, id: TransactionId, spent: &[UtxoEntry], daa_score: u64) {
    // The entries come from the view this diff extends and the body rules forbid spending
    // an outpoint twice, so the diff always takes the transaction.
    diff.add_transaction_with_id(tx, id, spent, daa_score).expect("an accepted transaction fits its mergeset diff");
}

/// The reference's signature cache size (`TransactionValidator`'s `sig_cache`).
#[cfg(feature = "std")]
const SIGNATURE_CACHE_SIZE: usize = 10_000;

/// The signature cache of a validator: a transaction whose scripts passed once (as a chain
/// candidate's own, say) costs lookups when a later mergeset accepts it. Without `std`
/// there is none.
#[cfg(feature = "std")]
type SigCache = pyrin_tx::engine::BoundedSignatureCache;
#[cfg(not(feature = "std"))]
type SigCache = ();

fn new_sig_cache() -> Arc<SigCache> {
    #[cfg(feature = "std")]
    return Arc::new(SigCache::new(SIGNATURE_CACHE_SIZE));
    #[cfg(not(feature = "std"))]
    Arc::new(())
}

/// A transaction that passed in context: the entries it spends and its fee.
type Checked = (Vec<UtxoEntry>, u64);

/// Runs the in-context rules of each of `txs` over `view`: its spent entries and fee when
/// it passes. With the `rayon` feature the transactions
/// are checked on rayon's current pool; they are independent (none spends another of the
/// same block).
fn check_in_context<V: UtxoView + Sync + ?Sized>(
    txs: &[Transaction],
    view: &V,
    ctx: &TxContext,
    flags: TxValidationFlags,
    sig_cache: &SigCache,
    parallel: bool,
) -> Vec<Option<Checked>> {
    let check = |tx: &Transaction| {
        let entries = entries_of(view, tx).ok()?;
        #[cfg(feature = "std")]
        let fee = pyrin_tx::context::check_transaction_in_context_with_cache(tx, &entries, ctx, flags, sig_cache);
        #[cfg(not(feature = "std"))]
        let fee = {
            let () = *sig_cache;
            pyrin_tx::context::check_transaction_in_context(tx, &entries, ctx, flags)
        };
        let fee = fee.ok()?.to_leor();
        Some((entries, fee))
    };
    #[cfg(feature = "rayon")]
    if parallel {
        use rayon::prelude::*;
        return txs.par_iter().map(check).collect();
    }
    #[cfg(not(feature = "rayon"))]
    let _ = parallel;
    txs.iter().map(check).collect()
}

/// Runs the scripts of transactions ahead of their block, for the signature cache only.
#[cfg(all(feature = "std", feature = "rayon"))]
fn check_ahead(txs: &[(&Transaction, Vec<UtxoEntry>)], sig_cache: &SigCache) {
    use rayon::prelude::*;
    txs.par_iter().for_each(|(tx, entries)| {
        // Only the cache's new entries matter: the verdict comes when the block's turn does.
        let _ = pyrin_tx::sign::verify_transaction_with_cache(tx, entries, sig_cache);
    });
}

/// Applies a diff computed against `set`'s exact state.
fn apply(set: &mut UtxoCollection, diff: &UtxoDiff) {
    diff.apply_to(set).expect("a chain block's diff fits its selected parent's set");
}

/// Undoes the diff applied last to `set`.
fn undo(set: &mut UtxoCollection, diff: &UtxoDiff) {
    diff.reversed().apply_to(set).expect("the last diff applied can be undone");
}

/// The transactions a chain block accepted from one block of its mergeset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MergedBlockAcceptance {
    /// The merged block.
    pub block: BlockHash,
    /// The ids accepted from it, in block order (for the selected parent, its coinbase
    /// first).
    pub transaction_ids: Vec<TransactionId>,
}

/// A block of the selected chain with what it accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainBlock {
    /// The chain block.
    pub hash: BlockHash,
    /// Its mergeset in consensus order (selected parent first), each with the ids accepted.
    pub accepted: Vec<MergedBlockAcceptance>,
}

/// How the selected chain moved between an earlier chain block and the current sink: the
/// chain blocks to take off (from the earlier block down, exclusive of the common chain
/// block) and the ones to put on (upward, ending at the sink). A follower of the chain
/// (an explorer's processor) reverts `removed` in order, then applies `added` in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChainChanges {
    /// Chain blocks no longer on the selected chain, highest first.
    pub removed: Vec<BlockHash>,
    /// Chain blocks now on the selected chain, lowest first (the last is the sink).
    pub added: Vec<BlockHash>,
}

/// What verifying a chain block's UTXO state stored.
#[derive(Clone)]
struct ChainState {
    diff: UtxoDiff,
    multiset: MuHash,
    acceptance: Vec<MergedBlockAcceptance>,
}

#[derive(Clone)]
struct Stored {
    header: Header,
    transactions: Vec<Transaction>,
    /// `tx_ids[i]` is the id of `transactions[i]`, hashed once.
    tx_ids: Vec<TransactionId>,
    id: BlockId,
    level: u8,
    non_daa: Vec<BlockId>,
    chain: Option<ChainState>,
}

/// Everything the header rules derive from a block's parents.
#[derive(Clone)]
struct HeaderContext {
    ghostdag: GhostdagData,
    daa_score: u64,
    bits: CompactTarget,
    past_median_time: u64,
    non_daa: Vec<BlockId>,
    /// The block's blue-work window (kept for its children's windows).
    window: Arc<Window>,
}

/// The virtual block: the view over the DAG's valid tips.
#[derive(Clone)]
struct VirtualState {
    parents: Vec<BlockHash>,
    ghostdag: GhostdagData,
    daa_score: u64,
    bits: CompactTarget,
    past_median_time: u64,
    non_daa: Vec<BlockId>,
    window: Arc<Window>,
    /// Its UTXO state over the sink's set. The next block over the same parents has the
    /// same mergeset and DAA score, hence this same state: its header context and UTXO
    /// state are taken from here instead of computed again.
    utxo: UtxoContext,
}

#[derive(Clone)]
struct UtxoContext {
    diff: UtxoDiff,
    /// The MuHash after the diff, for the states that are committed to (`None` for the
    /// virtual block's, computed when asked for).
    multiset: Option<MuHash>,
    accepted_ids: Vec<TransactionId>,
    acceptance: Vec<MergedBlockAcceptance>,
    rewards: HashMap<BlockId, BlockReward>,
}

/// Validates blocks one by one as the Pyrin reference node does and keeps the state it
/// needs: the DAG with its GHOSTDAG data, every valid block, the statuses, the UTXO set at
/// the sink and the virtual block over the valid tips.
///
/// Nothing is read from a clock: [`BlockValidator::validate_and_insert`] takes "now".
pub struct BlockValidator {
    params: Params,
    schedule: EmissionSchedule,
    limits: PayloadLimits,
    dag: Ghostdag,
    blocks: HashMap<BlockHash, Stored>,
    hashes: Vec<BlockHash>,
    statuses: HashMap<BlockHash, BlockStatus>,
    body_tips: Vec<BlockHash>,
    utxo: UtxoCollection,
    utxo_at: BlockId,
    virtual_state: VirtualState,
    stages: Stages,
    /// Shared with the look-ahead of [`BlockValidator::validate_and_insert_all`].
    sig_cache: Arc<SigCache>,
    /// Whether a block's transactions and MuHash elements go to rayon's pool (with the
    /// `rayon` feature): off while the look-ahead keeps the other threads busy.
    parallel: bool,
    /// The header context of the last block whose header rules ran, with its parents: the
    /// next blocks of a layer of parallel blocks have the same parents.
    recent_header: Option<(Vec<BlockHash>, HeaderContext)>,
    /// The UTXO state of the last chain block verified, with its mergeset and DAA score: a
    /// parallel block over the same parents that is heavier has the same state.
    recent_utxo: Option<(GhostdagData, u64, UtxoContext)>,
    /// The blue-work windows of the last blocks inserted.
    windows: WindowCache,
}

impl core::fmt::Debug for BlockValidator {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("BlockValidator")
            .field("network", &self.params.network)
            .field("blocks", &self.blocks.len())
            .field("sink", &self.sink())
            .finish_non_exhaustive()
    }
}

fn work_of(bits: CompactTarget) -> BlueWork {
    Work::from_compact(bits).and_then(Work::to_blue_work).unwrap_or(BlueWork::ZERO)
}

impl BlockValidator {
    /// A validator holding only the genesis of `params`, with `config`'s test settings
    /// applied.
    ///
    /// # Panics
    /// When the network's genesis bits encode no target (no network's do).
    pub fn new(params: &Params, config: &Config) -> Self {
        let params = config.apply(params);
        let genesis = params.genesis.block();
        let hash = params.genesis.hash;
        let dag = Ghostdag::new(params.ghostdag_k, hash, work_of(genesis.header.bits))
            .expect("a network's genesis bits encode a target")
            .with_mergeset_size_limit(params.mergeset_size_limit);
        let ghostdag = dag.data(BlockId::GENESIS).clone();
        let stored = Stored {
            header: genesis.header.clone(),
            tx_ids: genesis.transactions.iter().map(Transaction::id).collect(),
            transactions: genesis.transactions,
            id: BlockId::GENESIS,
            level: params.max_block_level,
            non_daa: Vec::new(),
            chain: Some(ChainState { diff: UtxoDiff::default(), multiset: MuHash::new(), acceptance: Vec::new() }),
        };
        let mut blocks = HashMap::new();
        blocks.insert(hash, stored);
        let mut statuses = HashMap::new();
        statuses.insert(hash, BlockStatus::UtxoValid);
        let virtual_state = VirtualState {
            parents: vec![hash],
            ghostdag,
            daa_score: params.genesis.daa_score,
            bits: params.genesis.bits,
            past_median_time: params.genesis.timestamp,
            non_daa: Vec::new(),
            window: Arc::default(),
            utxo: UtxoContext {
                diff: UtxoDiff::default(),
                multiset: None,
                accepted_ids: Vec::new(),
                acceptance: Vec::new(),
                rewards: HashMap::new(),
            },
        };
        let mut validator = Self {
            schedule: EmissionSchedule::from_params(&params),
            limits: PayloadLimits::from_params(&params),
            params,
            dag,
            blocks,
            hashes: vec![hash],
            statuses,
            body_tips: vec![hash],
            utxo: UtxoCollection::new(),
            utxo_at: BlockId::GENESIS,
            virtual_state,
            stages: Stages::default(),
            sig_cache: new_sig_cache(),
            parallel: true,
            recent_header: None,
            recent_utxo: None,
            windows: WindowCache::default(),
        };
        validator.resolve_virtual();
        validator
    }

    /// The parameters in force (the network's with the config applied).
    pub fn params(&self) -> &Params {
        &self.params
    }

    /// The GHOSTDAG state of the valid blocks.
    pub fn dag(&self) -> &Ghostdag {
        &self.dag
    }

    fn stored(&self, id: BlockId) -> &Stored {
        &self.blocks[&self.hashes[id.index() as usize]]
    }

    fn hash_of(&self, id: BlockId) -> BlockHash {
        self.hashes[id.index() as usize]
    }

    /// Validates `block` at wall-clock time `now_ms` (milliseconds since the Unix epoch,
    /// only used for the "not too far in the future" rule) and, when it is valid, stores it
    /// and resolves the virtual block. Returns the block's status after that: `UtxoValid`
    /// when it became (or was checked as) a chain block, `UtxoPendingVerification` when it
    /// was not a selected-chain candidate, `DisqualifiedFromChain` when it was a candidate
    /// whose UTXO state is wrong (it stays stored and a tip).
    ///
    /// A block already known returns its status again.
    ///
    /// # Errors
    /// The first rule the block breaks, in the reference's order. The block is not stored;
    /// [`BlockValidator::block_status`] then reports it as the reference would (`Invalid`,
    /// `HeaderOnly` after a bad merkle root, or unknown for the checks that run before a
    /// block is recorded).
    pub fn validate_and_insert(&mut self, block: &Block, now_ms: u64) -> Result<BlockStatus, RuleError> {
        let hash = block.header.hash();
        match self.statuses.get(&hash) {
            Some(BlockStatus::Invalid) => return Err(RuleError::KnownInvalid),
            Some(BlockStatus::HeaderOnly) | None => {}
            Some(status) => return Ok(*status),
        }
        let started = Stages::start();
        let (context, level) = self.validate_header(&block.header, now_ms)?;
        self.recent_header = Some((block.header.direct_parents().to_vec(), context.clone()));
        // From here on the header is recorded: a failure marks the block.
        let in_context = self.validate_header_in_context(&block.header, &context);
        self.stages.add(Stage::Header, started);
        if let Err(e) = in_context {
            self.statuses.insert(hash, BlockStatus::Invalid);
            return Err(e);
        }
        self.statuses.entry(hash).or_insert(BlockStatus::HeaderOnly);
        let started = Stages::start();
        let body = self.validate_body(block, &context);
        self.stages.add(Stage::Body, started);
        if let Err(e) = body {
            if !matches!(e, RuleError::BadMerkleRoot { .. } | RuleError::MissingParents(_)) {
                self.statuses.insert(hash, BlockStatus::Invalid);
            }
            return Err(e);
        }
        let parents = block.header.direct_parents().to_vec();
        let id = self
            .dag
            .add_block(hash, &parents, work_of(block.header.bits))
            .map_err(|_| RuleError::MissingParents(parents.clone()))?;
        debug_assert_eq!(id.index() as usize, self.hashes.len());
        self.hashes.push(hash);
        self.windows.insert(id, context.window.clone());
        self.blocks.insert(
            hash,
            Stored {
                header: block.header.clone(),
                transactions: block.transactions.clone(),
                tx_ids: block.transactions.iter().map(Transaction::id).collect(),
                id,
                level,
                non_daa: context.non_daa,
                chain: None,
            },
        );
        self.statuses.insert(hash, BlockStatus::UtxoPendingVerification);
        self.body_tips.retain(|t| !parents.contains(t));
        self.body_tips.push(hash);
        let started = Stages::start();
        self.resolve_virtual();
        self.stages.add(Stage::Utxo, started);
        Ok(self.statuses[&hash])
    }

    /// Validates and inserts `blocks` in order, each exactly as
    /// [`BlockValidator::validate_and_insert`] would (the same verdicts, the same state),
    /// and returns their verdicts in order.
    ///
    /// With the `rayon` feature and more than one thread in the current rayon pool, the
    /// signatures of each next block are checked into the signature cache while the block
    /// before it is validated, so that the parts of a block's validation that run on one
    /// thread (header, body, acceptance, commitment) overlap with the next block's
    /// signature checks. The look-ahead reads the inputs' entries from the virtual UTXO set
    /// and only ever adds true facts (this signature is or is not valid for this digest
    /// and key) to the cache, so it cannot change a verdict.
    ///
    /// ```
    /// use pyrin_consensus::{BlockValidator, Config};
    /// use pyrin_core::params::DEVNET_PARAMS;
    ///
    /// let mut validator = BlockValidator::new(&DEVNET_PARAMS, &Config::new());
    /// let verdicts = validator.validate_and_insert_all([], 0);
    /// assert!(verdicts.is_empty());
    /// ```
    pub fn validate_and_insert_all<'a, I>(&mut self, blocks: I, now_ms: u64) -> Vec<Result<BlockStatus, RuleError>>
    where
        I: IntoIterator<Item = &'a Block>,
    {
        let blocks: Vec<&Block> = blocks.into_iter().collect();
        let mut verdicts = Vec::with_capacity(blocks.len());
        for (i, block) in blocks.iter().copied().enumerate() {
            verdicts.push(self.validate_looking_ahead(block, blocks.get(i + 1).copied(), now_ms));
        }
        verdicts
    }

    /// [`BlockValidator::validate_and_insert`] of `block`, checking the signatures of
    /// `next` meanwhile on the pool's other threads.
    fn validate_looking_ahead(
        &mut self,
        block: &Block,
        next: Option<&Block>,
        now_ms: u64,
    ) -> Result<BlockStatus, RuleError> {
        #[cfg(all(feature = "std", feature = "rayon"))]
        if let Some(next) = next.filter(|_| rayon::current_num_threads() > 1) {
            let ahead = self.spendable_inputs(next);
            let cache = Arc::clone(&self.sig_cache);
            // The block's own checks mostly hit the cache the look-ahead filled: they run
            // on this thread, and the other threads take the next block's signatures (this
            // thread joins them when done).
            // Off for this block only, whatever it was before.
            let parallel = core::mem::replace(&mut self.parallel, false);
            let (verdict, ()) =
                rayon::join(|| self.validate_and_insert(block, now_ms), move || check_ahead(&ahead, &cache));
            self.parallel = parallel;
            return verdict;
        }
        #[cfg(not(all(feature = "std", feature = "rayon")))]
        let _ = next;
        self.validate_and_insert(block, now_ms)
    }

    /// The transactions of `block` whose inputs all have entries in the virtual UTXO set,
    /// with those entries.
    #[cfg(all(feature = "std", feature = "rayon"))]
    fn spendable_inputs<'b>(&self, block: &'b Block) -> Vec<(&'b Transaction, Vec<UtxoEntry>)> {
        let view = self.virtual_state.utxo.diff.view(&self.utxo);
        block.transactions.iter().skip(1).filter_map(|tx| Some((tx, entries_of(&view, tx).ok()?))).collect()
    }

    // ---- header ----------------------------------------------------------------------

    /// Rules 1–7 and 9: in isolation, parent relations, then DAA score and bits. None of
    /// these record the block.
    fn validate_header(&self, header: &Header, now_ms: u64) -> Result<(HeaderContext, u8), RuleError> {
        check_header_version(header, BLOCK_VERSION)?;
        check_block_timestamp_in_isolation(header, now_ms, self.params.legacy_timestamp_deviation_tolerance)?;
        check_parents_limit(header, usize::from(self.params.max_block_parents))?;
        let parents = header.direct_parents();
        let level =
            check_pow_and_calc_block_level(header, self.params.max_block_level, self.params.skip_proof_of_work)?;
        let mut missing = Vec::new();
        let mut ids = Vec::with_capacity(parents.len());
        for parent in parents {
            match self.statuses.get(parent) {
                None => missing.push(*parent),
                Some(BlockStatus::Invalid) => return Err(RuleError::InvalidParent(*parent)),
                Some(_) => match self.blocks.get(parent) {
                    Some(s) => ids.push(s.id),
                    // A header without its body: the body rules refuse the child.
                    None => missing.push(*parent),
                },
            }
        }
        if !missing.is_empty() {
            return Err(RuleError::MissingParents(missing));
        }
        for (i, &a) in ids.iter().enumerate() {
            for (j, &b) in ids.iter().enumerate() {
                // A parent named twice is not its own ancestor here (the reference compares
                // hashes); the parents-by-level rule refuses the repetition later.
                if a != b && self.dag.is_ancestor(a, b) {
                    return Err(RuleError::InvalidParentsRelation(parents[i], parents[j]));
                }
            }
        }
        let mut distinct: Vec<BlockHash> = Vec::with_capacity(parents.len());
        for p in parents {
            if !distinct.contains(p) {
                distinct.push(*p);
            }
        }
        let context = match self.virtual_header_context(&distinct, work_of(header.bits)) {
            Some(context) => context,
            None => {
                let ghostdag = self
                    .dag
                    .ghostdag_of(&distinct, work_of(header.bits))
                    .map_err(|_| RuleError::MissingParents(Vec::new()))?;
                self.header_context(ghostdag)
            }
        };
        check_difficulty_and_daa_score(header, context.daa_score, context.bits)?;
        Ok((context, level))
    }

    /// The header context of a block over exactly the virtual block's parents or the last
    /// checked header's (in any order): theirs, with the block's own work. GHOSTDAG, the
    /// windows and the DAA score depend on the parents alone.
    fn virtual_header_context(&self, parents: &[BlockHash], work: BlueWork) -> Option<HeaderContext> {
        let same = |known: &[BlockHash]| parents.len() == known.len() && parents.iter().all(|p| known.contains(p));
        let v = &self.virtual_state;
        let context = if same(&v.parents) {
            HeaderContext {
                ghostdag: GhostdagData { work, ..v.ghostdag.clone() },
                daa_score: v.daa_score,
                bits: v.bits,
                past_median_time: v.past_median_time,
                non_daa: v.non_daa.clone(),
                window: v.window.clone(),
            }
        } else {
            match &self.recent_header {
                Some((known, c)) if same(known) => {
                    HeaderContext { ghostdag: GhostdagData { work, ..c.ghostdag.clone() }, ..c.clone() }
                }
                _ => return None,
            }
        };
        debug_assert!(self.dag.ghostdag_of(parents, work).is_ok_and(|g| {
            let computed = self.header_context(g);
            computed.ghostdag == context.ghostdag
                && (computed.daa_score, computed.bits, computed.past_median_time)
                    == (context.daa_score, context.bits, context.past_median_time)
                && computed.non_daa == context.non_daa
        }));
        Some(context)
    }

    /// The DAA score, bits, past median time and non-DAA mergeset blocks of a block (or
    /// the virtual) with this GHOSTDAG data: full windows of the blocks with the most blue
    /// work.
    fn header_context(&self, ghostdag: GhostdagData) -> HeaderContext {
        let sp = ghostdag.selected_parent.unwrap_or(BlockId::GENESIS);
        let sp_daa = self.stored(sp).header.daa_score;
        let difficulty_size = usize::try_from(self.params.difficulty_window_size(sp_daa)).unwrap_or(usize::MAX);
        let median_size = usize::try_from(self.params.past_median_time_window_size(sp_daa)).unwrap_or(usize::MAX);
        let describe = |b: BlockId| {
            let h = &self.stored(b).header;
            WindowBlock {
                timestamp: h.timestamp,
                bits: h.bits,
                blue_work: self.dag.data(b).blue_work,
                hash: self.hash_of(b),
            }
        };
        let window = self.windows.window_of(&self.dag, &ghostdag, difficulty_size.max(median_size), describe);
        let daa = daa_score(sp_daa, &ghostdag.mergeset_blues, &ghostdag.mergeset_reds, |&b| {
            window.contains_in_first(difficulty_size, b, &describe(b))
        });
        let difficulty_window = &window.blocks[..difficulty_size.min(window.blocks.len())];
        let bits = next_bits(difficulty_window, &DifficultyRules::from_params(&self.params, sp_daa));
        let past_median_time = past_median_time(
            window.blocks[..median_size.min(window.blocks.len())].iter().map(|b| b.timestamp),
            self.params.genesis.timestamp,
        );
        HeaderContext { ghostdag, daa_score: daa.daa_score, bits, past_median_time, non_daa: daa.non_daa, window }
    }

    /// Rules 10–16: after these fail the reference marks the block invalid.
    fn validate_header_in_context(&self, header: &Header, context: &HeaderContext) -> Result<(), RuleError> {
        let g = &context.ghostdag;
        check_blue_score(g, header.blue_score)?;
        check_blue_work(g, header.blue_work)?;
        check_median_timestamp(header, context.past_median_time)?;
        check_merge_size_limit(g, self.params.mergeset_size_limit)?;
        check_bounded_merge_depth(&self.dag, g, self.params.merge_depth)?;
        let pruning_point = self.params.genesis.hash;
        if header.pruning_point != pruning_point {
            return Err(RuleError::WrongHeaderPruningPoint { expected: pruning_point, found: header.pruning_point });
        }
        let expected =
            expected_parents(self, header.direct_parents(), &self.params.genesis.hash, self.params.max_block_level);
        if !same_parents(&expected, &header.parents_by_level) {
            return Err(RuleError::UnexpectedIndirectParents { expected, found: header.parents_by_level.clone() });
        }
        Ok(())
    }

    // ---- body ------------------------------------------------------------------------

    /// Rules 17–25: the body alone, then in the block's context.
    fn validate_body(&self, block: &Block, context: &HeaderContext) -> Result<(), RuleError> {
        check_block_body_in_isolation(block, &self.params).map_err(body_error)?;
        let txs = &block.transactions;
        let coinbase = &txs[0];
        // In context. Parent bodies exist: every stored parent has its body here.
        check_coinbase_blue_score_and_subsidy(
            coinbase,
            block.header.blue_score,
            self.schedule.subsidy(block.header.daa_score),
            &self.limits,
        )?;
        for tx in txs {
            check_tx_is_finalized(tx, block.header.daa_score, context.past_median_time)
                .map_err(|e| RuleError::TxInContextFailed(tx.id(), e))?;
        }
        Ok(())
    }

    // ---- UTXO state ------------------------------------------------------------------

    /// Rule 44: accepts the selected parent's coinbase and the mergeset's transactions
    /// that are valid, in consensus order, over `base` (the selected parent's UTXO set).
    /// With the selected parent's MuHash, the MuHash after the diff too.
    fn calculate_utxo_state(
        &self,
        base: &UtxoCollection,
        ghostdag: &GhostdagData,
        selected_parent_multiset: Option<&MuHash>,
        pov_daa_score: u64,
    ) -> UtxoContext {
        let sp = ghostdag.selected_parent.unwrap_or(BlockId::GENESIS);
        let mut ctx = UtxoContext {
            diff: UtxoDiff::default(),
            multiset: None,
            accepted_ids: Vec::new(),
            acceptance: Vec::new(),
            rewards: HashMap::new(),
        };
        let sp_coinbase = &self.stored(sp).transactions[0];
        let sp_coinbase_id = self.stored(sp).tx_ids[0];
        accept(&mut ctx.diff, sp_coinbase, sp_coinbase_id, &[], pov_daa_score);
        ctx.accepted_ids.push(sp_coinbase_id);
        let tx_context = TxContext::from_params(&self.params, pov_daa_score);
        for (i, merged) in self.dag.consensus_ordered_mergeset(ghostdag).into_iter().enumerate() {
            let is_selected_parent = i == 0;
            let txs = &self.stored(merged).transactions;
            let tx_ids = &self.stored(merged).tx_ids;
            // The selected parent's transactions passed the scripts in this same context
            // when it was verified.
            let flags = if is_selected_parent { TxValidationFlags::SkipScriptChecks } else { TxValidationFlags::Full };
            let checked =
                check_in_context(&txs[1..], &ctx.diff.view(base), &tx_context, flags, &self.sig_cache, self.parallel);
            let validated = checked
                .into_iter()
                .enumerate()
                .filter_map(|(i, checked)| checked.map(|(entries, fee)| (i + 1, entries, fee)));
            let mut fees = 0u64;
            let mut ids = Vec::with_capacity(txs.len());
            if is_selected_parent {
                ids.push(sp_coinbase_id);
            }
            for (index, entries, fee) in validated {
                let tx = &txs[index];
                let id = tx_ids[index];
                accept(&mut ctx.diff, tx, id, &entries, pov_daa_score);
                ctx.accepted_ids.push(id);
                ids.push(id);
                fees = fees.saturating_add(fee);
            }
            ctx.acceptance.push(MergedBlockAcceptance { block: self.hash_of(merged), transaction_ids: ids });
            let reward = match CoinbaseData::decode(&txs[0].payload, &self.limits) {
                Ok(data) => BlockReward {
                    subsidy: data.subsidy,
                    fees: pyrin_core::Amount::from_leor(fees),
                    script_public_key: data.script_public_key,
                },
                // Only genesis can get here (every other block's payload was decoded by
                // the body rules); it is never paid.
                Err(_) => BlockReward {
                    subsidy: pyrin_core::Amount::ZERO,
                    fees: pyrin_core::Amount::from_leor(fees),
                    script_public_key: Default::default(),
                },
            };
            ctx.rewards.insert(merged, reward);
        }
        ctx.accepted_ids.sort_unstable();
        if let Some(base) = selected_parent_multiset {
            let started = Stages::start();
            ctx.multiset = Some(multiset_after(base, &ctx.diff, self.parallel));
            self.stages.add(Stage::Commitment, started);
        }
        ctx
    }

    /// Rules 45–48 for a chain candidate.
    fn verify_expected_utxo_state(
        &self,
        ctx: &UtxoContext,
        base: &UtxoCollection,
        stored: &Stored,
        ghostdag: &GhostdagData,
    ) -> Result<(), RuleError> {
        let header = &stored.header;
        let hash = self.hash_of(stored.id);
        let started = Stages::start();
        let commitment = ctx.multiset.as_ref().expect("a chain candidate's state has its MuHash").finalize();
        let accepted = accepted_id_merkle_root(ctx.accepted_ids.iter().copied());
        self.stages.add(Stage::Commitment, started);
        if commitment != header.utxo_commitment {
            return Err(RuleError::BadUTXOCommitment {
                block: hash,
                found: header.utxo_commitment,
                expected: commitment,
            });
        }
        if accepted != header.accepted_id_merkle_root {
            return Err(RuleError::BadAcceptedIDMerkleRoot {
                block: hash,
                found: header.accepted_id_merkle_root,
                expected: accepted,
            });
        }
        let reward_of = |b: &BlockId| ctx.rewards.get(b).cloned();
        verify_coinbase_transaction(
            &stored.transactions[0],
            ghostdag.blue_score,
            self.schedule.subsidy(header.daa_score),
            &paid_rewards(&ghostdag.mergeset_blues, &stored.non_daa, reward_of),
            &paid_rewards(&ghostdag.mergeset_reds, &stored.non_daa, reward_of),
            &self.limits,
        )?;
        let view = ctx.diff.view(base);
        let tx_context = TxContext::from_params(&self.params, header.daa_score);
        let total = stored.transactions.len() - 1;
        let transactions = &stored.transactions[1..];
        let checked =
            check_in_context(transactions, &view, &tx_context, TxValidationFlags::Full, &self.sig_cache, self.parallel);
        let valid = checked.iter().filter(|c| c.is_some()).count();
        if valid < total {
            return Err(RuleError::InvalidTransactionsInUtxoContext { invalid: total - valid, total });
        }
        Ok(())
    }

    /// Moves the UTXO set from chain block `from` (where it stands) towards `to`, verifying
    /// the chain blocks not verified yet. Returns the highest UTXO-valid block of `to`'s
    /// chain reached (`to` itself when its state is valid), where the set now stands.
    fn utxo_state_relatively(&mut self, from: BlockId, to: BlockId) -> BlockId {
        if self.statuses[&self.hash_of(to)] == BlockStatus::DisqualifiedFromChain {
            return from;
        }
        let key = |v: &Self, id: BlockId| (v.dag.data(id).blue_work, v.hash_of(id));
        let (mut down, mut up) = (from, to);
        let mut path = Vec::new();
        while down != up {
            if key(self, down) > key(self, up) {
                let hash = self.hash_of(down);
                let diff = &self.blocks[&hash].chain.as_ref().expect("a block the set passed was verified").diff;
                undo(&mut self.utxo, diff);
                down = self.dag.data(down).selected_parent.expect("genesis is on every chain");
            } else {
                path.push(up);
                up = self.dag.data(up).selected_parent.expect("genesis is on every chain");
            }
        }
        let mut diff_point = down;
        for current in path.into_iter().rev() {
            let hash = self.hash_of(current);
            let selected_parent = self.dag.data(current).selected_parent.expect("not genesis");
            if selected_parent != diff_point {
                self.statuses.insert(hash, BlockStatus::DisqualifiedFromChain);
                continue;
            }
            if let Some(chain) = &self.blocks[&hash].chain {
                apply(&mut self.utxo, &chain.diff);
                diff_point = current;
                continue;
            }
            if self.statuses[&hash] == BlockStatus::DisqualifiedFromChain {
                continue;
            }
            let stored = &self.blocks[&hash];
            let ghostdag = self.dag.data(current);
            let sp_multiset = &self.blocks[&self.hash_of(selected_parent)].chain.as_ref().expect("verified").multiset;
            let daa_score = stored.header.daa_score;
            // The virtual block or the last chain block over the same mergeset, computed
            // over this same set (the selected parent's): the same state.
            let same = |g: &GhostdagData, d: u64| {
                g.selected_parent == ghostdag.selected_parent
                    && g.mergeset_blues == ghostdag.mergeset_blues
                    && g.mergeset_reds == ghostdag.mergeset_reds
                    && d == daa_score
            };
            let v = &self.virtual_state;
            let known = if same(&v.ghostdag, v.daa_score) {
                Some(&v.utxo)
            } else {
                self.recent_utxo.as_ref().filter(|(g, d, _)| same(g, *d)).map(|(_, _, c)| c)
            };
            let ctx = match known {
                Some(known) => {
                    let mut ctx = known.clone();
                    if ctx.multiset.is_none() {
                        let started = Stages::start();
                        ctx.multiset = Some(multiset_after(sp_multiset, &ctx.diff, self.parallel));
                        self.stages.add(Stage::Commitment, started);
                    }
                    debug_assert!({
                        let computed = self.calculate_utxo_state(&self.utxo, ghostdag, Some(sp_multiset), daa_score);
                        computed.multiset.map(|m| m.finalize()) == ctx.multiset.as_ref().map(MuHash::finalize)
                            && computed.accepted_ids == ctx.accepted_ids
                            && computed.acceptance == ctx.acceptance
                            && computed.rewards == ctx.rewards
                    });
                    ctx
                }
                None => self.calculate_utxo_state(&self.utxo, ghostdag, Some(sp_multiset), daa_score),
            };
            match self.verify_expected_utxo_state(&ctx, &self.utxo, stored, ghostdag) {
                Ok(()) => {
                    self.recent_utxo = Some((ghostdag.clone(), daa_score, ctx.clone()));
                    apply(&mut self.utxo, &ctx.diff);
                    let multiset = ctx.multiset.expect("computed above");
                    let chain = ChainState { diff: ctx.diff, multiset, acceptance: ctx.acceptance };
                    if let Some(s) = self.blocks.get_mut(&hash) {
                        s.chain = Some(chain);
                    }
                    self.statuses.insert(hash, BlockStatus::UtxoValid);
                    diff_point = current;
                }
                Err(_) => {
                    self.statuses.insert(hash, BlockStatus::DisqualifiedFromChain);
                }
            }
        }
        diff_point
    }

    /// Finds the sink (the heaviest tip, or below it, whose UTXO state is valid), picks
    /// the virtual parents and computes the virtual block's state.
    fn resolve_virtual(&mut self) {
        let mut heap: BinaryHeap<(BlueWork, BlockHash, BlockId)> = self
            .body_tips
            .iter()
            .map(|h| (self.dag.data(self.blocks[h].id).blue_work, *h, self.blocks[h].id))
            .collect();
        let mut diff_point = self.utxo_at;
        let (sink, rest) = loop {
            let Some((_, _, candidate)) = heap.pop() else {
                // Genesis is always valid, so the search ends before the heap runs dry.
                break (diff_point, Vec::new());
            };
            diff_point = self.utxo_state_relatively(diff_point, candidate);
            if diff_point == candidate {
                let root = merge_depth_root(&self.dag, self.dag.data(candidate), self.params.merge_depth);
                let floor = self.dag.data(root).blue_work;
                let rest: Vec<BlockId> =
                    heap.into_sorted_vec().into_iter().rev().take_while(|k| k.0 >= floor).map(|k| k.2).collect();
                break (candidate, rest);
            }
            let parents = self.blocks[&self.hash_of(candidate)].header.direct_parents().to_vec();
            for parent in parents {
                let Some(stored) = self.blocks.get(&parent) else { continue };
                let pid = stored.id;
                if !heap.iter().any(|k| self.dag.is_ancestor(pid, k.2)) {
                    heap.push((self.dag.data(pid).blue_work, parent, pid));
                }
            }
        };
        self.utxo_at = diff_point;
        let parents = self.pick_virtual_parents(sink, rest);
        let parent_hashes: Vec<BlockHash> = parents.iter().map(|&p| self.hash_of(p)).collect();
        let ghostdag = self.dag.ghostdag_of(&parent_hashes, BlueWork::ZERO).expect("virtual parents are an antichain");
        let context = self.header_context(ghostdag);
        // The virtual's MuHash is computed only when asked for: most virtual states are
        // never committed to.
        let ctx = self.calculate_utxo_state(&self.utxo, &context.ghostdag, None, context.daa_score);
        self.virtual_state = VirtualState {
            parents: parent_hashes,
            daa_score: context.daa_score,
            bits: context.bits,
            past_median_time: context.past_median_time,
            ghostdag: context.ghostdag,
            non_daa: context.non_daa,
            window: context.window,
            utxo: ctx,
        };
    }

    /// The sink first, then candidates by descending blue work while the parent count and
    /// the mergeset size limit allow; a candidate that would pass the limit is replaced by
    /// the block of its past where the budget ran out. Then the parents that would merge a
    /// red breaking the merge depth bound are dropped.
    ///
    /// Unlike the reference, the order of the candidates beyond half the parent limit is
    /// not shuffled (the reference shuffles them at random, so only a DAG whose
    /// candidates all fit has a reproducible virtual block).
    fn pick_virtual_parents(&self, sink: BlockId, candidates: Vec<BlockId>) -> Vec<BlockId> {
        use alloc::collections::VecDeque;
        let max_parents = usize::from(self.params.max_block_parents);
        let limit = self.params.mergeset_size_limit;
        let mut candidates: VecDeque<BlockId> = candidates.into_iter().collect();
        let mut parents = vec![sink];
        let mut mergeset_size = 1u64;
        while let Some(candidate) = candidates.pop_front() {
            if mergeset_size >= limit || parents.len() >= max_parents {
                break;
            }
            match self.mergeset_increase(&parents, candidate, limit - mergeset_size) {
                Ok(increase) => {
                    mergeset_size += increase;
                    parents.push(candidate);
                }
                Err(new_candidate) => {
                    if candidates.iter().any(|&c| self.dag.is_ancestor(c, new_candidate)) {
                        continue;
                    }
                    candidates.retain(|&c| !self.dag.is_ancestor(new_candidate, c));
                    candidates.push_back(new_candidate);
                }
            }
        }
        let hashes: Vec<BlockHash> = parents.iter().map(|&p| self.hash_of(p)).collect();
        let Ok(ghostdag) = self.dag.ghostdag_of(&hashes, BlueWork::ZERO) else { return parents };
        let bad = merge_depth_violators(&self.dag, &ghostdag, self.params.merge_depth);
        if !bad.is_empty() {
            parents.retain(|&p| !bad.iter().any(|&r| self.dag.is_ancestor(r, p)));
        }
        parents
    }

    /// How many blocks `candidate` adds to the mergeset of a block over `parents` (itself
    /// and its past outside theirs), or the block where that passes `budget`.
    fn mergeset_increase(&self, parents: &[BlockId], candidate: BlockId, budget: u64) -> Result<u64, BlockId> {
        use alloc::collections::VecDeque;
        let mut queue: VecDeque<BlockId> = self.direct_parent_ids(candidate).into_iter().collect();
        let mut visited: HashSet<BlockId> = queue.iter().copied().collect();
        let mut increase = 1u64;
        while let Some(current) = queue.pop_front() {
            if parents.iter().any(|&p| self.dag.is_ancestor(current, p)) {
                continue;
            }
            increase += 1;
            if increase > budget {
                return Err(current);
            }
            for parent in self.direct_parent_ids(current) {
                if visited.insert(parent) {
                    queue.push_back(parent);
                }
            }
        }
        Ok(increase)
    }

    fn direct_parent_ids(&self, id: BlockId) -> Vec<BlockId> {
        self.stored(id).header.direct_parents().iter().filter_map(|h| self.blocks.get(h).map(|s| s.id)).collect()
    }

    // ---- templates -----------------------------------------------------------------

    /// A block on `parents` that these rules accept: the header fields the rules derive
    /// (parents at every level, bits, DAA score, blue score and work, the accepted-id merkle
    /// root and UTXO commitment of its mergeset, the pruning point), the expected coinbase
    /// paying `miner` (its script public key and extra data; blue score and subsidy are
    /// filled in), then `transactions` as given, which the caller picks valid in the
    /// block's UTXO context. The timestamp is `timestamp`, raised to the past median time
    /// plus one when below it; the nonce is zero (mine it, or validate with
    /// `skip_proof_of_work`).
    ///
    /// # Errors
    /// [`RuleError::MissingParents`] for parents that are not stored valid blocks or whose
    /// selected parent has no verified UTXO state (a disqualified or never-checked chain),
    /// [`RuleError::InvalidParentsRelation`] when they are not an antichain, and
    /// [`RuleError::BadCoinbaseTransaction`] when the rewards overflow.
    pub fn block_template(
        &mut self,
        parents: &[BlockHash],
        miner: &CoinbaseData,
        transactions: Vec<Transaction>,
        timestamp: u64,
    ) -> Result<Block, RuleError> {
        let missing: Vec<BlockHash> = parents.iter().filter(|p| !self.blocks.contains_key(*p)).copied().collect();
        if !missing.is_empty() || parents.is_empty() {
            return Err(RuleError::MissingParents(missing));
        }
        let ghostdag = self.dag.ghostdag_of(parents, BlueWork::ZERO).map_err(|_| {
            RuleError::InvalidParentsRelation(parents[0], parents.get(1).copied().unwrap_or(parents[0]))
        })?;
        let sp = ghostdag.selected_parent.expect("a block with parents has a selected parent");
        if self.stored(sp).chain.is_none() {
            return Err(RuleError::MissingParents(vec![self.hash_of(sp)]));
        }
        let context = self.header_context(ghostdag);
        // Move the set to the selected parent's view, build, and come back to the sink's.
        let sink = self.utxo_at;
        let reached = self.utxo_state_relatively(sink, sp);
        debug_assert_eq!(reached, sp);
        let sp_multiset = &self.stored(sp).chain.as_ref().expect("checked above").multiset;
        let ctx = self.calculate_utxo_state(&self.utxo, &context.ghostdag, Some(sp_multiset), context.daa_score);
        let back = self.utxo_state_relatively(sp, sink);
        debug_assert_eq!(back, sink);
        let g = &context.ghostdag;
        let data = CoinbaseData {
            blue_score: g.blue_score,
            subsidy: self.schedule.subsidy(context.daa_score),
            script_public_key: miner.script_public_key.clone(),
            extra_data: miner.extra_data.clone(),
        };
        let payload_only = pyrin_emission::coinbase::coinbase_transaction(&data, &[], &[], &self.limits)
            .map_err(|_| RuleError::BadCoinbaseTransaction)?;
        let reward_of = |b: &BlockId| ctx.rewards.get(b).cloned();
        let coinbase = pyrin_emission::rules::expected_coinbase(
            &payload_only,
            g.blue_score,
            data.subsidy,
            &paid_rewards(&g.mergeset_blues, &context.non_daa, reward_of),
            &paid_rewards(&g.mergeset_reds, &context.non_daa, reward_of),
            &self.limits,
        )?;
        let mut all = Vec::with_capacity(transactions.len() + 1);
        all.push(coinbase);
        all.extend(transactions);
        let header = Header {
            version: BLOCK_VERSION,
            parents_by_level: expected_parents(self, parents, &self.params.genesis.hash, self.params.max_block_level),
            hash_merkle_root: pyrin_core::merkle::hash_merkle_root(&all),
            accepted_id_merkle_root: accepted_id_merkle_root(ctx.accepted_ids.iter().copied()),
            utxo_commitment: ctx.multiset.as_ref().expect("asked for").finalize(),
            timestamp: timestamp.max(context.past_median_time.saturating_add(1)),
            bits: context.bits,
            nonce: 0,
            daa_score: context.daa_score,
            blue_score: g.blue_score,
            blue_work: g.blue_work,
            pruning_point: self.params.genesis.hash,
        };
        Ok(Block::new(header, all))
    }

    // ---- state ---------------------------------------------------------------------

    /// The virtual block's selected parent: the head of the selected chain.
    pub fn sink(&self) -> BlockHash {
        self.hash_of(self.virtual_state.ghostdag.selected_parent.unwrap_or(BlockId::GENESIS))
    }

    /// The virtual block's parents, the sink first.
    pub fn virtual_parents(&self) -> &[BlockHash] {
        &self.virtual_state.parents
    }

    /// The valid blocks without valid children (disqualified ones included).
    pub fn tips(&self) -> &[BlockHash] {
        &self.body_tips
    }

    /// The virtual block's DAA score.
    pub fn virtual_daa_score(&self) -> u64 {
        self.virtual_state.daa_score
    }

    /// The bits a block over the virtual parents must carry.
    pub fn virtual_bits(&self) -> CompactTarget {
        self.virtual_state.bits
    }

    /// The virtual block's past median time.
    pub fn virtual_past_median_time(&self) -> u64 {
        self.virtual_state.past_median_time
    }

    /// The virtual block's blue score.
    pub fn virtual_blue_score(&self) -> u64 {
        self.virtual_state.ghostdag.blue_score
    }

    /// The virtual block's blue work.
    pub fn virtual_blue_work(&self) -> BlueWork {
        self.virtual_state.ghostdag.blue_work
    }

    /// The MuHash of the virtual UTXO set: the `utxo_commitment` of a block over the
    /// virtual parents.
    pub fn virtual_utxo_commitment(&self) -> UtxoCommitment {
        let v = &self.virtual_state.utxo;
        match &v.multiset {
            Some(multiset) => multiset.finalize(),
            None => {
                let sink = self.virtual_state.ghostdag.selected_parent.unwrap_or(BlockId::GENESIS);
                let sink_multiset = &self.stored(sink).chain.as_ref().expect("the sink is verified").multiset;
                multiset_after(sink_multiset, &v.diff, self.parallel).finalize()
            }
        }
    }

    /// The whole virtual UTXO set, sorted by outpoint.
    pub fn virtual_utxo_set(&self) -> Vec<(TransactionOutpoint, UtxoEntry)> {
        let diff = &self.virtual_state.utxo.diff;
        let mut set: Vec<(TransactionOutpoint, UtxoEntry)> = self
            .utxo
            .iter()
            .filter(|(o, _)| !diff.removed.contains(o))
            .map(|(o, e)| (*o, e.clone()))
            .chain(diff.added.iter().map(|(o, e)| (*o, e.clone())))
            .collect();
        set.sort_unstable_by_key(|(outpoint, _)| *outpoint);
        set
    }

    /// The entry at `outpoint` in the virtual UTXO set.
    pub fn virtual_utxo(&self, outpoint: &TransactionOutpoint) -> Option<UtxoEntry> {
        self.virtual_state.utxo.diff.view(&self.utxo).get(outpoint)
    }

    /// The selected chain from genesis (exclusive) to the sink, each block with what it
    /// accepted.
    pub fn selected_chain(&self) -> Vec<ChainBlock> {
        let mut chain = Vec::new();
        let mut current = self.virtual_state.ghostdag.selected_parent;
        while let Some(id) = current {
            let data = self.dag.data(id);
            if data.selected_parent.is_none() {
                break;
            }
            let hash = self.hash_of(id);
            let accepted = self.blocks[&hash].chain.as_ref().map(|c| c.acceptance.clone()).unwrap_or_default();
            chain.push(ChainBlock { hash, accepted });
            current = data.selected_parent;
        }
        chain.reverse();
        chain
    }

    /// The UTXO diff chain block `hash` applies over its selected parent's UTXO set: the
    /// entries its mergeset's accepted transactions spend (`removed`, as they were) and
    /// create (`added`). Known for every block whose UTXO state was verified as a chain
    /// block, including one a reorganisation has since taken off the selected chain (so a
    /// follower can revert it); `None` for other blocks. Genesis has the empty diff.
    pub fn chain_block_utxo_diff(&self, hash: &BlockHash) -> Option<&UtxoDiff> {
        self.blocks.get(hash)?.chain.as_ref().map(|c| &c.diff)
    }

    /// What chain block `hash` accepted: its mergeset in consensus order (selected parent
    /// first, its coinbase the first id), each with the ids accepted. Known for the same
    /// blocks as [`BlockValidator::chain_block_utxo_diff`].
    pub fn chain_block_acceptance(&self, hash: &BlockHash) -> Option<&[MergedBlockAcceptance]> {
        self.blocks.get(hash)?.chain.as_ref().map(|c| c.acceptance.as_slice())
    }

    /// The transactions of a stored block (its body), `None` for a block not stored.
    pub fn block_transactions(&self, hash: &BlockHash) -> Option<&[Transaction]> {
        self.blocks.get(hash).map(|s| s.transactions.as_slice())
    }

    /// The header of a stored block, `None` for a block not stored.
    pub fn block_header(&self, hash: &BlockHash) -> Option<&Header> {
        self.blocks.get(hash).map(|s| &s.header)
    }

    /// The UTXO set at the sink (the selected chain's head, without what only the virtual
    /// accepts), sorted by outpoint: the state every chain block's diff has been applied to.
    pub fn sink_utxo_set(&self) -> Vec<(TransactionOutpoint, UtxoEntry)> {
        let mut set: Vec<(TransactionOutpoint, UtxoEntry)> = self.utxo.iter().map(|(o, e)| (*o, e.clone())).collect();
        set.sort_unstable_by_key(|(outpoint, _)| *outpoint);
        set
    }

    /// How the selected chain moved since `from`, a block that was (or still is) a chain
    /// block: the chain blocks to revert down to the highest chain block that `from`'s
    /// selected chain and the current one share, and those to apply from there up to the
    /// sink. `None` when `from` is not a valid block of the DAG.
    ///
    /// Costs time in the depth of the change, not the length of the chain: the two walks
    /// down the selected-parent tree meet at the common block, stepping the heavier side.
    ///
    /// ```
    /// use pyrin_consensus::{BlockValidator, Config};
    /// use pyrin_core::params::DEVNET_PARAMS;
    ///
    /// let validator = BlockValidator::new(&DEVNET_PARAMS, &Config::new());
    /// let genesis = DEVNET_PARAMS.genesis.hash;
    /// let changes = validator.selected_chain_changes(&genesis).unwrap();
    /// assert!(changes.removed.is_empty() && changes.added.is_empty());
    /// ```
    pub fn selected_chain_changes(&self, from: &BlockHash) -> Option<ChainChanges> {
        let mut down = self.blocks.get(from)?.id;
        let sink_hash = self.sink();
        let mut up = self.blocks.get(&sink_hash)?.id;
        let mut changes = ChainChanges::default();
        while down != up {
            let (d, u) = (self.dag.data(down), self.dag.data(up));
            if (d.blue_work, self.hash_of(down)) > (u.blue_work, self.hash_of(up)) {
                changes.removed.push(self.hash_of(down));
                down = d.selected_parent?;
            } else {
                changes.added.push(self.hash_of(up));
                up = u.selected_parent?;
            }
        }
        changes.added.reverse();
        Some(changes)
    }

    /// The time spent so far in each stage of validation, with the `stage-timing` feature
    /// (a profiling hook); zeros without it.
    pub fn stage_times(&self) -> StageTimes {
        self.stages.times()
    }

    /// The status of a block: `None` for a hash never seen or refused before it was
    /// recorded (wrong version, parents, PoW, DAA score or bits).
    pub fn block_status(&self, hash: &BlockHash) -> Option<BlockStatus> {
        self.statuses.get(hash).copied()
    }
}

/// What a block over the virtual parents accepts and pays, recomputed from the virtual
/// state for the template builder (`crate::template`).
pub(crate) struct VirtualAcceptance {
    /// The accepted transaction ids, sorted (the accepted-id merkle root's leaves).
    pub(crate) accepted_ids: Vec<TransactionId>,
    /// Per merged block, in consensus order, the ids accepted from it.
    pub(crate) acceptance: Vec<MergedBlockAcceptance>,
    /// Rewards of the blue mergeset blocks inside the DAA window, in `mergeset_blues` order.
    pub(crate) blue_rewards: Vec<BlockReward>,
    /// Rewards of the red mergeset blocks inside the DAA window.
    pub(crate) red_rewards: Vec<BlockReward>,
}

impl BlockValidator {
    /// The virtual block's acceptance (rule 44 over the virtual parents) and the rewards
    /// its coinbase would pay (rule 45), as a chain block over the virtual parents gets them.
    pub(crate) fn virtual_acceptance_data(&self) -> VirtualAcceptance {
        let context = self.header_context(self.virtual_state.ghostdag.clone());
        let ctx = self.calculate_utxo_state(&self.utxo, &context.ghostdag, None, context.daa_score);
        let paid = |blocks: &[BlockId]| -> Vec<BlockReward> {
            blocks.iter().filter(|b| !context.non_daa.contains(b)).filter_map(|b| ctx.rewards.get(b).cloned()).collect()
        };
        VirtualAcceptance {
            blue_rewards: paid(&context.ghostdag.mergeset_blues),
            red_rewards: paid(&context.ghostdag.mergeset_reds),
            accepted_ids: ctx.accepted_ids,
            acceptance: ctx.acceptance,
        }
    }
}

impl ParentsSource for BlockValidator {
    fn level(&self, block: &BlockHash) -> u8 {
        self.blocks.get(block).map_or(0, |s| s.level)
    }

    fn parents_at_level(&self, block: &BlockHash, level: u8) -> Vec<BlockHash> {
        let Some(stored) = self.blocks.get(block) else { return Vec::new() };
        let levels = &stored.header.parents_by_level;
        if levels.is_empty() {
            Vec::new()
        } else if let Some(l) = levels.get(usize::from(level)) {
            l.clone()
        } else {
            vec![self.params.genesis.hash]
        }
    }

    fn is_ancestor(&self, a: &BlockHash, b: &BlockHash) -> bool {
        match (self.blocks.get(a), self.blocks.get(b)) {
            (Some(a), Some(b)) => self.dag.is_ancestor(a.id, b.id),
            _ => false,
        }
    }
}

/// The block rule of a body rule of pyrin-tx (same names as the reference's).
fn body_error(e: BodyRuleError) -> RuleError {
    match e {
        BodyRuleError::NoTransactions => RuleError::NoTransactions,
        BodyRuleError::BadMerkleRoot { header, calculated } => {
            RuleError::BadMerkleRoot { found: header, expected: calculated }
        }
        BodyRuleError::FirstTxNotCoinbase => RuleError::FirstTxNotCoinbase,
        BodyRuleError::MultipleCoinbases(i) => RuleError::MultipleCoinbases(i),
        BodyRuleError::TxInIsolationValidationFailed { tx, source } => {
            RuleError::TxInIsolationValidationFailed(tx, source)
        }
        BodyRuleError::ExceedsMassLimit(max) => RuleError::ExceedsMassLimit(max),
        BodyRuleError::MassFieldTooLow { tx, committed, calculated } => {
            RuleError::MassFieldTooLow { tx, committed, calculated }
        }
        BodyRuleError::DuplicateTransactions(id) => RuleError::DuplicateTransactions(id),
        BodyRuleError::DoubleSpendInSameBlock(o) => RuleError::DoubleSpendInSameBlock(o),
        BodyRuleError::ChainedTransaction(o) => RuleError::ChainedTransaction(o),
        // A body rule pyrin-tx adds later: keep its name visible.
        other => RuleError::Body(other),
    }
}
