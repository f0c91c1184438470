//! Block templates: the block a miner builds on the virtual parents, every header field
//! and the coinbase as the rules require them, so that the block, once mined, is accepted
//! as a chain block.
//!
//! The builder follows the reference's `build_block_template` (virtual processor): the
//! header sits on the virtual block's parents with their parents at every level, carries
//! the virtual's bits, DAA score, blue score and blue work, the pruning point, the MuHash
//! of the virtual UTXO set (the sink's set with the virtual's own acceptance applied) as
//! its UTXO commitment, the merkle root of the ids the virtual accepts, a timestamp of at
//! least the virtual's past median time + 1, and the coinbase paying the virtual's
//! mergeset. Like the reference, it **refuses** transactions that are invalid in the
//! virtual's UTXO context instead of leaving them out: the error lists every such
//! transaction, so a caller (a mempool) can drop them and ask again.

use alloc::vec::Vec;

use pyrin_core::merkle::{accepted_id_merkle_root, hash_merkle_root};
use pyrin_core::{Block, Header, ScriptPublicKey, Transaction};
use pyrin_emission::coinbase::{coinbase_transaction, CoinbaseData, CoinbaseError, PayloadLimits};
use pyrin_emission::EmissionSchedule;
use pyrin_tx::body::{check_block_body_in_isolation, BodyRuleError};
use pyrin_tx::context::{check_transaction_in_context, TxContext, TxValidationFlags};
use pyrin_tx::rules::{check_transaction_in_isolation, check_tx_is_finalized, TxRuleError};
use pyrin_tx::utxo::{entries_of, UtxoView};
use pyrin_tx::UtxoEntry;

use crate::parents::expected_parents;
use crate::validator::MergedBlockAcceptance;
use crate::BlockValidator;
use pyrin_core::header_rules::BLOCK_VERSION;

/// Why a template cannot be built.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TemplateError {
    /// The miner data does not fit a coinbase payload (extra data too long, script too
    /// long).
    #[error("coinbase: {0}")]
    Coinbase(#[from] CoinbaseError),
    /// Transactions invalid in isolation, not final, or invalid in the virtual's UTXO
    /// context: each with its index among the transactions given and the rule it breaks.
    #[error("{} transactions are invalid in the virtual's context (first: #{}: {})",
        .0.len(), .0.first().map_or(0, |t| t.0), .0.first().map_or(TxRuleError::MissingTxOutpoints, |t| t.1.clone()))]
    InvalidTransactions(Vec<(usize, TxRuleError)>),
    /// The transactions together break a body rule (block mass, the same transaction
    /// twice, two spends of one outpoint, a transaction spending another's output).
    #[error("block body: {0}")]
    Body(#[from] BodyRuleError),
}

/// The virtual UTXO set as a [`UtxoView`].
struct VirtualView<'a>(&'a BlockValidator);

impl UtxoView for VirtualView<'_> {
    fn get(&self, outpoint: &pyrin_core::TransactionOutpoint) -> Option<UtxoEntry> {
        self.0.virtual_utxo(outpoint)
    }
}

impl BlockValidator {
    /// A block template over the virtual parents paying `miner_script_public_key`, with
    /// `extra_payload` as the coinbase's extra data and `transactions` after the coinbase
    /// in the order given. The nonce is zero: set it by mining
    /// ([`pyrin_pow::PowState`]). The timestamp is `timestamp`, raised to the virtual's
    /// past median time + 1 when below it.
    ///
    /// Once mined, the block is accepted, and it is a chain block ([`crate::BlockStatus::UtxoValid`])
    /// when no heavier block arrives first.
    ///
    /// ```
    /// use pyrin_consensus::{BlockStatus, BlockValidator, Config};
    /// use pyrin_core::params::DEVNET_PARAMS;
    /// use pyrin_core::ScriptPublicKey;
    ///
    /// let mut validator = BlockValidator::new(&DEVNET_PARAMS, &Config::new().with_skip_proof_of_work());
    /// let miner = ScriptPublicKey::new(0, vec![0x51]);
    /// let now = DEVNET_PARAMS.genesis.timestamp + 1000;
    /// let block = validator.virtual_block_template(&miner, b"my miner", &[], now)?;
    /// assert_eq!(block.header.utxo_commitment, validator.virtual_utxo_commitment());
    /// // (Search a nonce here; this validator skips the proof-of-work check.)
    /// assert_eq!(validator.validate_and_insert(&block, now), Ok(BlockStatus::UtxoValid));
    /// assert_eq!(validator.sink(), block.header.hash());
    /// # Ok::<(), pyrin_consensus::TemplateError>(())
    /// ```
    ///
    /// # Errors
    /// [`TemplateError::Coinbase`] when the miner data does not fit a payload;
    /// [`TemplateError::InvalidTransactions`] listing every transaction that is invalid
    /// in isolation, not final, spends an output missing from the virtual UTXO set, or
    /// breaks a rule in its context (maturity, amounts, signatures, sequence locks);
    /// [`TemplateError::Body`] when the transactions together break a body rule.
    pub fn virtual_block_template(
        &self,
        miner_script_public_key: &ScriptPublicKey,
        extra_payload: &[u8],
        transactions: &[Transaction],
        timestamp: u64,
    ) -> Result<Block, TemplateError> {
        let params = self.params();
        let daa_score = self.virtual_daa_score();
        let past_median_time = self.virtual_past_median_time();
        let tx_context = TxContext::from_params(params, daa_score);
        let view = VirtualView(self);
        let invalid: Vec<(usize, TxRuleError)> = transactions
            .iter()
            .enumerate()
            .filter_map(|(index, tx)| {
                check_transaction_in_isolation(tx, params)
                    .and_then(|()| check_tx_is_finalized(tx, daa_score, past_median_time))
                    .and_then(|()| entries_of(&view, tx))
                    .and_then(|entries| {
                        check_transaction_in_context(tx, &entries, &tx_context, TxValidationFlags::Full)
                    })
                    .err()
                    .map(|e| (index, e))
            })
            .collect();
        if !invalid.is_empty() {
            return Err(TemplateError::InvalidTransactions(invalid));
        }

        let acceptance = self.virtual_acceptance_data();
        let limits = PayloadLimits::from_params(params);
        let data = CoinbaseData {
            blue_score: self.virtual_blue_score(),
            subsidy: EmissionSchedule::from_params(params).subsidy(daa_score),
            script_public_key: miner_script_public_key.clone(),
            extra_data: extra_payload.to_vec(),
        };
        let coinbase = coinbase_transaction(&data, &acceptance.blue_rewards, &acceptance.red_rewards, &limits)?;
        let mut all = Vec::with_capacity(transactions.len() + 1);
        all.push(coinbase);
        all.extend_from_slice(transactions);

        let genesis = params.genesis.hash;
        let header = Header {
            version: BLOCK_VERSION,
            parents_by_level: expected_parents(self, self.virtual_parents(), &genesis, params.max_block_level),
            hash_merkle_root: hash_merkle_root(&all),
            accepted_id_merkle_root: accepted_id_merkle_root(acceptance.accepted_ids.iter().copied()),
            utxo_commitment: self.virtual_utxo_commitment(),
            timestamp: timestamp.max(past_median_time.saturating_add(1)),
            bits: self.virtual_bits(),
            nonce: 0,
            daa_score,
            blue_score: self.virtual_blue_score(),
            blue_work: self.virtual_blue_work(),
            // The pruning point never moves here (see the crate docs).
            pruning_point: genesis,
        };
        let block = Block::new(header, all);
        check_block_body_in_isolation(&block, params)?;
        Ok(block)
    }

    /// What the virtual block accepts: its mergeset in consensus order (the sink first,
    /// its coinbase the first id), each block with the ids of its transactions the
    /// virtual's UTXO context accepts. These are the transactions a block built on
    /// [`BlockValidator::virtual_block_template`] accepts, and what the virtual UTXO set already
    /// shows.
    pub fn virtual_acceptance(&self) -> Vec<MergedBlockAcceptance> {
        self.virtual_acceptance_data().acceptance
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{BlockStatus, Config};
    use alloc::vec;
    use pyrin_core::params::{Params, DEVNET_PARAMS};
    use pyrin_core::{Amount, TransactionInput, TransactionOutpoint, TransactionOutput, UtxoCommitment};
    use pyrin_tx::muhash::MuHash;

    fn anyone_can_spend() -> ScriptPublicKey {
        // OP_TRUE: spendable with an empty signature script.
        ScriptPublicKey::new(0, vec![0x51])
    }

    fn validator() -> BlockValidator {
        BlockValidator::new(&DEVNET_PARAMS, &Config::new().with_skip_proof_of_work().with_coinbase_maturity(2))
    }

    fn params(v: &BlockValidator) -> &Params {
        v.params()
    }

    /// Builds a template at `now`, submits it and checks it became the sink.
    fn mine_one(v: &mut BlockValidator, txs: &[Transaction], now: u64) -> Block {
        let block = v.virtual_block_template(&anyone_can_spend(), b"test", txs, now).expect("a template");
        assert_eq!(v.validate_and_insert(&block, now), Ok(BlockStatus::UtxoValid));
        assert_eq!(v.sink(), block.header.hash());
        block
    }

    fn commitment_of(set: &[(TransactionOutpoint, UtxoEntry)]) -> UtxoCommitment {
        let mut multiset = MuHash::new();
        for (outpoint, entry) in set {
            multiset.add_utxo(outpoint, entry);
        }
        multiset.finalize()
    }

    #[test]
    fn a_template_on_genesis_is_accepted_as_the_sink() {
        let mut v = validator();
        let now = params(&v).genesis.timestamp + 1000;
        let (bits, daa_score) = (v.virtual_bits(), v.virtual_daa_score());
        let block = mine_one(&mut v, &[], now);
        assert_eq!(block.header.direct_parents(), &[params(&v).genesis.hash]);
        assert_eq!((block.header.bits, block.header.daa_score), (bits, daa_score));
        assert_eq!(block.header.timestamp, now);
    }

    #[test]
    fn the_commitment_is_the_muhash_of_the_virtual_utxo_set() {
        let mut v = validator();
        let start = params(&v).genesis.timestamp;
        let mut blocks = Vec::new();
        for i in 1..=4 {
            blocks.push(mine_one(&mut v, &[], start + i * 1000));
        }
        let template = v.virtual_block_template(&anyone_can_spend(), b"", &[], start + 5000).unwrap();
        let set = v.virtual_utxo_set();
        assert!(!set.is_empty(), "the coinbases of the chain blocks are accepted");
        assert_eq!(template.header.utxo_commitment, commitment_of(&set));
        // Not the empty set's commitment: the check is not vacuous.
        assert_ne!(template.header.utxo_commitment, MuHash::new().finalize());
    }

    #[test]
    fn the_timestamp_is_raised_above_the_past_median_time() {
        let mut v = validator();
        let start = params(&v).genesis.timestamp;
        mine_one(&mut v, &[], start + 5000);
        let block = v.virtual_block_template(&anyone_can_spend(), b"", &[], 0).unwrap();
        assert_eq!(block.header.timestamp, v.virtual_past_median_time() + 1);
    }

    fn mature_output(v: &BlockValidator) -> (TransactionOutpoint, UtxoEntry) {
        v.virtual_utxo_set()
            .into_iter()
            .find(|(_, e)| e.script_public_key == anyone_can_spend() && e.block_daa_score + 2 < v.virtual_daa_score())
            .expect("a mature coinbase output")
    }

    fn transfer(outpoint: TransactionOutpoint, entry: &UtxoEntry, fee: u64) -> Transaction {
        Transaction {
            // OP_TRUE needs no signature: no signature operations.
            inputs: vec![TransactionInput::new(outpoint, 0, 0)],
            outputs: vec![TransactionOutput::new(
                entry.amount.checked_sub(Amount::from_leor(fee)).unwrap(),
                ScriptPublicKey::new(0, vec![0x51, 0x51]),
            )],
            ..Transaction::default()
        }
    }

    #[test]
    fn a_transfer_is_accepted_and_later_templates_commit_to_it() {
        let mut v = validator();
        let start = params(&v).genesis.timestamp;
        let mut now = start;
        for _ in 0..6 {
            now += 1000;
            mine_one(&mut v, &[], now);
        }
        let (outpoint, entry) = mature_output(&v);
        let tx = transfer(outpoint, &entry, 5000);
        now += 1000;
        let with_tx = mine_one(&mut v, core::slice::from_ref(&tx), now);
        assert_eq!(with_tx.transactions.len(), 2);
        // The next chain block accepts it: the coinbase pays its fee, the set shows it.
        now += 1000;
        let next = mine_one(&mut v, &[], now);
        let chain = v.selected_chain();
        let accepted = &chain.last().unwrap().accepted;
        assert!(accepted.iter().any(|a| a.block == with_tx.header.hash() && a.transaction_ids.contains(&tx.id())));
        assert!(v.virtual_utxo(&outpoint).is_none());
        assert!(v.virtual_utxo(&TransactionOutpoint::new(tx.id(), 0)).is_some());
        assert_eq!(next.header.utxo_commitment, {
            // The commitment of `next` is the set before `next`'s own coinbase is accepted.
            let mut set = v.virtual_utxo_set();
            let own = next.transactions[0].id();
            set.retain(|(o, _)| o.transaction_id != own);
            commitment_of(&set)
        });
        // Spending the same output again is refused by the builder.
        let again = transfer(outpoint, &entry, 6000);
        let refused = v.virtual_block_template(&anyone_can_spend(), b"", &[again], now + 1000).unwrap_err();
        assert_eq!(refused, TemplateError::InvalidTransactions(vec![(0, TxRuleError::MissingTxOutpoints)]));
    }

    #[test]
    fn immature_and_conflicting_transactions_are_refused() {
        let mut v = validator();
        let start = params(&v).genesis.timestamp;
        let mut now = start;
        for _ in 0..6 {
            now += 1000;
            mine_one(&mut v, &[], now);
        }
        let (outpoint, entry) = mature_output(&v);
        let a = transfer(outpoint, &entry, 5000);
        let b = transfer(outpoint, &entry, 6000);
        let error = v.virtual_block_template(&anyone_can_spend(), b"", &[a, b], now + 1000).unwrap_err();
        assert!(matches!(error, TemplateError::Body(BodyRuleError::DoubleSpendInSameBlock(o)) if o == outpoint));

        let newest = v
            .virtual_utxo_set()
            .into_iter()
            .filter(|(_, e)| e.is_coinbase && e.script_public_key == anyone_can_spend())
            .max_by_key(|(_, e)| e.block_daa_score)
            .unwrap();
        let immature = transfer(newest.0, &newest.1, 5000);
        let error = v.virtual_block_template(&anyone_can_spend(), b"", &[immature], now + 1000).unwrap_err();
        assert!(
            matches!(&error, TemplateError::InvalidTransactions(list) if list.len() == 1 && list[0].0 == 0),
            "{error}"
        );
    }

    #[test]
    fn a_tampered_commitment_disqualifies_the_block() {
        let mut v = validator();
        let now = params(&v).genesis.timestamp + 1000;
        let mut block = v.virtual_block_template(&anyone_can_spend(), b"", &[], now).unwrap();
        block.header.utxo_commitment = UtxoCommitment::ZERO;
        assert_eq!(v.validate_and_insert(&block, now), Ok(BlockStatus::DisqualifiedFromChain));
        assert_eq!(v.sink(), params(&v).genesis.hash);
    }
}
