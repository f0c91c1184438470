//! The consensus rules of a block's body on its own: what the transactions of a block must
//! satisfy before any UTXO is looked at ([`check_block_body_in_isolation`] and the rule
//! functions it runs).
//!
//! ```
//! use pyrin_core::{params::Network, Block};
//! use pyrin_tx::body::{check_block_body_in_isolation, BodyRuleError};
//!
//! let params = Network::Mainnet.params();
//! let genesis = params.genesis.block();
//! assert_eq!(check_block_body_in_isolation(&genesis, params), Ok(0)); // a coinbase weighs 0
//! let empty = Block::new(genesis.header.clone(), vec![]);
//! assert_eq!(check_block_body_in_isolation(&empty, params), Err(BodyRuleError::NoTransactions));
//! ```
//!
//! # Reference behaviour followed
//! The Rust reference node `Pyrinpyi/pyrin`: `consensus/src/pipeline/body_processor/
//! body_validation_in_isolation.rs` (the checks and their order) and the variants of
//! `RuleError` in `consensus/core/src/errors/block.rs`, whose names [`BodyRuleError`]
//! keeps. Storage mass is active for a block whose DAA score is above
//! `Params::storage_mass_activation_daa_score`; from then the reference hashes each
//! transaction's committed mass into the merkle root (when not 0) and sums committed masses
//! instead of compute masses. [`pyrin_core::Transaction`] carries no mass commitment, so it
//! counts as 0 here: the merkle root is the one without masses, and any transaction that
//! weighs something fails [`BodyRuleError::MassFieldTooLow`] once storage mass is active
//! (never, on mainnet). Where the reference reports a second coinbase by its index among
//! the transactions after the first, [`BodyRuleError::MultipleCoinbases`] carries its index
//! in the block.

use alloc::vec::Vec;
use hashbrown::HashSet;
use pyrin_core::{params::Params, Block, MerkleRoot, Transaction, TransactionId, TransactionOutpoint};

use crate::mass::{compute_mass, MassPrices};
use crate::rules::{check_transaction_in_isolation, TxRuleError};

/// Why a block's body breaks a consensus rule.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BodyRuleError {
    /// The block has no transactions (not even the coinbase).
    #[error("block has no transactions")]
    NoTransactions,
    /// The header's hash merkle root is not the root over the transactions.
    #[error("invalid merkle root: header indicates {header} but calculated value is {calculated}")]
    BadMerkleRoot {
        /// The header's root.
        header: MerkleRoot,
        /// The root over the transactions.
        calculated: MerkleRoot,
    },
    /// The first transaction is not a coinbase.
    #[error("block first transaction is not coinbase")]
    FirstTxNotCoinbase,
    /// A transaction after the first is a coinbase.
    #[error("block has a second coinbase transaction at index {0}")]
    MultipleCoinbases(usize),
    /// A transaction breaks a rule in isolation.
    #[error("transaction in isolation validation failed for tx {tx}: {source}")]
    TxInIsolationValidationFailed {
        /// The transaction's id.
        tx: TransactionId,
        /// The rule it breaks.
        source: TxRuleError,
    },
    /// The transactions' masses add up to more than the block mass limit.
    #[error("block exceeded mass limit of {0}")]
    ExceedsMassLimit(u64),
    /// A transaction commits to less mass than its compute mass (once storage mass is active).
    #[error("transaction {tx} has mass field of {committed} but mass should be at least {calculated}")]
    MassFieldTooLow {
        /// The transaction's id.
        tx: TransactionId,
        /// The mass it commits to.
        committed: u64,
        /// Its compute mass.
        calculated: u64,
    },
    /// A transaction appears twice.
    #[error("transaction {0} is found more than once in the block")]
    DuplicateTransactions(TransactionId),
    /// Two inputs of the block spend one outpoint.
    #[error("outpoint {0:?} is spent more than once on the same block")]
    DoubleSpendInSameBlock(TransactionOutpoint),
    /// An input spends an output created in the same block.
    #[error("outpoint {0:?} is created and spent on the same block")]
    ChainedTransaction(TransactionOutpoint),
}

/// Runs the rules of a block body in isolation in the reference's order: has transactions,
/// merkle root, only one coinbase (first), each transaction in isolation, block mass,
/// duplicate transactions, double spends, chained transactions. Returns the block's mass.
///
/// # Errors
/// The first broken rule.
pub fn check_block_body_in_isolation(block: &Block, params: &Params) -> Result<u64, BodyRuleError> {
    check_has_transactions(&block.transactions)?;
    check_hash_merkle_root(block)?;
    check_only_one_coinbase(&block.transactions)?;
    check_transactions_in_isolation(&block.transactions, params)?;
    let mass = check_block_mass(block, params)?;
    // Each id once: hashing every transaction is most of what the last rules cost.
    let ids: Vec<TransactionId> = block.transactions.iter().map(Transaction::id).collect();
    duplicate_ids(&ids)?;
    check_block_double_spends(&block.transactions)?;
    chained_spends(&block.transactions, &ids)?;
    Ok(mass)
}

/// There is at least one transaction.
///
/// # Errors
/// [`BodyRuleError::NoTransactions`].
pub fn check_has_transactions(txs: &[Transaction]) -> Result<(), BodyRuleError> {
    if txs.is_empty() {
        return Err(BodyRuleError::NoTransactions);
    }
    Ok(())
}

/// The header's hash merkle root is the root over the transactions' hashes.
///
/// # Errors
/// [`BodyRuleError::BadMerkleRoot`].
pub fn check_hash_merkle_root(block: &Block) -> Result<(), BodyRuleError> {
    let calculated = block.hash_merkle_root();
    if calculated != block.header.hash_merkle_root {
        return Err(BodyRuleError::BadMerkleRoot { header: block.header.hash_merkle_root, calculated });
    }
    Ok(())
}

/// The first transaction is a coinbase and no other is.
///
/// # Errors
/// [`BodyRuleError::NoTransactions`] for no transactions, [`BodyRuleError::FirstTxNotCoinbase`],
/// [`BodyRuleError::MultipleCoinbases`] with the block index of the second coinbase.
pub fn check_only_one_coinbase(txs: &[Transaction]) -> Result<(), BodyRuleError> {
    let (first, rest) = txs.split_first().ok_or(BodyRuleError::NoTransactions)?;
    if !first.is_coinbase() {
        return Err(BodyRuleError::FirstTxNotCoinbase);
    }
    match rest.iter().position(Transaction::is_coinbase) {
        Some(i) => Err(BodyRuleError::MultipleCoinbases(i + 1)),
        None => Ok(()),
    }
}

/// Every transaction passes [`check_transaction_in_isolation`].
///
/// # Errors
/// [`BodyRuleError::TxInIsolationValidationFailed`] for the first that does not.
pub fn check_transactions_in_isolation(txs: &[Transaction], params: &Params) -> Result<(), BodyRuleError> {
    for tx in txs {
        check_transaction_in_isolation(tx, params)
            .map_err(|source| BodyRuleError::TxInIsolationValidationFailed { tx: tx.id(), source })?;
    }
    Ok(())
}

/// The running sum of the transactions' compute masses (their committed masses, 0 here,
/// once storage mass is active, each at least its compute mass) stays within
/// `params.max_block_mass`; returns the sum.
///
/// # Errors
/// [`BodyRuleError::MassFieldTooLow`], [`BodyRuleError::ExceedsMassLimit`].
pub fn check_block_mass(block: &Block, params: &Params) -> Result<u64, BodyRuleError> {
    let prices = MassPrices::from_params(params);
    let storage_mass_active = block.header.daa_score > params.storage_mass_activation_daa_score;
    let mut total = 0u64;
    for tx in &block.transactions {
        let calculated = compute_mass(tx, &prices);
        let mass = if storage_mass_active {
            let committed = 0;
            if committed < calculated {
                return Err(BodyRuleError::MassFieldTooLow { tx: tx.id(), committed, calculated });
            }
            committed
        } else {
            calculated
        };
        total = total.saturating_add(mass);
        if total > params.max_block_mass {
            return Err(BodyRuleError::ExceedsMassLimit(params.max_block_mass));
        }
    }
    Ok(total)
}

/// No transaction id appears twice.
///
/// # Errors
/// [`BodyRuleError::DuplicateTransactions`] with the first repeated id.
pub fn check_duplicate_transactions(txs: &[Transaction]) -> Result<(), BodyRuleError> {
    let ids: Vec<TransactionId> = txs.iter().map(Transaction::id).collect();
    duplicate_ids(&ids)
}

fn duplicate_ids(ids: &[TransactionId]) -> Result<(), BodyRuleError> {
    let mut seen = HashSet::with_capacity(ids.len());
    for &id in ids {
        if !seen.insert(id) {
            return Err(BodyRuleError::DuplicateTransactions(id));
        }
    }
    Ok(())
}

/// No outpoint is spent twice by the block's inputs.
///
/// # Errors
/// [`BodyRuleError::DoubleSpendInSameBlock`] with the first outpoint spent again.
pub fn check_block_double_spends(txs: &[Transaction]) -> Result<(), BodyRuleError> {
    let mut spent = HashSet::new();
    for input in txs.iter().flat_map(|tx| &tx.inputs) {
        if !spent.insert(input.previous_outpoint) {
            return Err(BodyRuleError::DoubleSpendInSameBlock(input.previous_outpoint));
        }
    }
    Ok(())
}

/// No input spends an output of a transaction of the same block.
///
/// # Errors
/// [`BodyRuleError::ChainedTransaction`] with the first such outpoint.
pub fn check_no_chained_transactions(txs: &[Transaction]) -> Result<(), BodyRuleError> {
    let ids: Vec<TransactionId> = txs.iter().map(Transaction::id).collect();
    chained_spends(txs, &ids)
}

/// [`check_no_chained_transactions`] with `ids[i]` the id of `txs[i]`.
fn chained_spends(txs: &[Transaction], ids: &[TransactionId]) -> Result<(), BodyRuleError> {
    // Outputs by their transaction's id: an outpoint is created here when its index is
    // below the output count of a transaction with its id.
    let created: hashbrown::HashMap<TransactionId, usize> =
        ids.iter().zip(txs).map(|(&id, tx)| (id, tx.outputs.len())).collect();
    for input in txs.iter().flat_map(|tx| &tx.inputs) {
        let outpoint = input.previous_outpoint;
        if created.get(&outpoint.transaction_id).is_some_and(|&outputs| (outpoint.index as usize) < outputs) {
            return Err(BodyRuleError::ChainedTransaction(outpoint));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use alloc::vec::Vec;
    use pyrin_core::params::{MAINNET_PARAMS, TESTNET11_PARAMS};
    use pyrin_core::{Amount, ScriptPublicKey, SubnetworkId, TransactionInput, TransactionOutput};

    fn out(v: u64) -> TransactionOutput {
        TransactionOutput::new(Amount::from_leor(v), ScriptPublicKey::new(0, vec![0x51]))
    }

    fn coinbase() -> Transaction {
        Transaction {
            subnetwork_id: SubnetworkId::COINBASE,
            outputs: vec![out(50)],
            payload: vec![7; 8],
            ..Transaction::default()
        }
    }

    fn spend(seed: u8) -> Transaction {
        let outpoint = TransactionOutpoint::new(TransactionId::from_bytes([seed; 32]), 0);
        Transaction {
            inputs: vec![TransactionInput::new(outpoint, 0, 0)],
            outputs: vec![out(10)],
            ..Transaction::default()
        }
    }

    /// A block over `txs` whose header commits to their merkle root.
    fn block(txs: Vec<Transaction>) -> Block {
        let mut block = Block::new(MAINNET_PARAMS.genesis.header(), txs);
        block.header.hash_merkle_root = block.hash_merkle_root();
        block
    }

    fn check(b: &Block) -> Result<u64, BodyRuleError> {
        check_block_body_in_isolation(b, &MAINNET_PARAMS)
    }

    #[test]
    fn a_valid_body_returns_its_mass() {
        let txs = vec![coinbase(), spend(1), spend(2)];
        let prices = MassPrices::from_params(&MAINNET_PARAMS);
        let expected = compute_mass(&txs[1], &prices) + compute_mass(&txs[2], &prices);
        assert_eq!(check(&block(txs)), Ok(expected));
    }

    #[test]
    fn a_body_without_transactions_is_refused() {
        assert_eq!(check(&block(vec![])), Err(BodyRuleError::NoTransactions));
        assert_eq!(check_only_one_coinbase(&[]), Err(BodyRuleError::NoTransactions));
    }

    #[test]
    fn a_wrong_merkle_root_is_refused() {
        let mut b = block(vec![coinbase(), spend(1)]);
        let calculated = b.header.hash_merkle_root;
        b.header.hash_merkle_root = MerkleRoot::ZERO;
        assert_eq!(check(&b), Err(BodyRuleError::BadMerkleRoot { header: MerkleRoot::ZERO, calculated }));
    }

    #[test]
    fn the_first_transaction_must_be_the_coinbase() {
        assert_eq!(check(&block(vec![spend(1), coinbase()])), Err(BodyRuleError::FirstTxNotCoinbase));
    }

    #[test]
    fn a_second_coinbase_is_reported_by_its_block_index() {
        let second = Transaction { payload: vec![9], ..coinbase() };
        assert_eq!(check(&block(vec![coinbase(), spend(1), second])), Err(BodyRuleError::MultipleCoinbases(2)));
    }

    #[test]
    fn a_transaction_failing_in_isolation_is_reported_with_its_id() {
        let bad = Transaction { gas: 1, ..spend(1) };
        let expected = BodyRuleError::TxInIsolationValidationFailed { tx: bad.id(), source: TxRuleError::TxHasGas };
        assert_eq!(check(&block(vec![coinbase(), bad])), Err(expected));
    }

    #[test]
    fn the_block_mass_limit_is_enforced() {
        let mut big = spend(1);
        big.inputs[0].signature_script = vec![0; 499_900];
        assert_eq!(check(&block(vec![coinbase(), big])), Err(BodyRuleError::ExceedsMassLimit(500_000)));
    }

    #[test]
    fn with_storage_mass_active_an_uncommitted_mass_is_too_low() {
        let mut b = block(vec![coinbase(), spend(1)]);
        b.header.daa_score = 1;
        let calculated = compute_mass(&b.transactions[1], &MassPrices::from_params(&TESTNET11_PARAMS));
        let expected = BodyRuleError::MassFieldTooLow { tx: b.transactions[1].id(), committed: 0, calculated };
        assert_eq!(check_block_mass(&b, &TESTNET11_PARAMS), Err(expected));
        assert_eq!(check_block_mass(&block(vec![coinbase()]), &TESTNET11_PARAMS), Ok(0));
    }

    #[test]
    fn a_transaction_twice_is_refused() {
        let tx = spend(1);
        // Caught as a double spend's cause only later: duplicates come first.
        assert_eq!(
            check(&block(vec![coinbase(), tx.clone(), tx.clone()])),
            Err(BodyRuleError::DuplicateTransactions(tx.id()))
        );
    }

    #[test]
    fn an_outpoint_spent_twice_is_refused() {
        let a = spend(1);
        let mut b = spend(1);
        b.outputs[0].value = Amount::from_leor(11);
        let outpoint = a.inputs[0].previous_outpoint;
        assert_eq!(check(&block(vec![coinbase(), a, b])), Err(BodyRuleError::DoubleSpendInSameBlock(outpoint)));
    }

    #[test]
    fn spending_an_output_of_the_same_block_is_refused() {
        let parent = spend(1);
        let outpoint = TransactionOutpoint::new(parent.id(), 0);
        let child = Transaction { inputs: vec![TransactionInput::new(outpoint, 0, 0)], ..spend(2) };
        assert_eq!(check(&block(vec![coinbase(), parent, child])), Err(BodyRuleError::ChainedTransaction(outpoint)));
    }

    #[test]
    fn spending_an_index_past_the_outputs_is_not_chained() {
        let parent = spend(1);
        let outpoint = TransactionOutpoint::new(parent.id(), 1);
        let child = Transaction { inputs: vec![TransactionInput::new(outpoint, 0, 0)], ..spend(2) };
        assert_eq!(check_no_chained_transactions(&[parent, child]), Ok(()));
    }
}
