//! From a chain block of the node to the rows of the index, with no I/O: the library's
//! acceptance data (which transactions of which merged blocks a chain block accepted, in
//! order) and its UTXO diff (the entries those transactions spent, as they were) are all
//! that is needed. Each accepted transaction's inputs take their amount and owner from the
//! diff's removed entries, or from an output an earlier transaction of the same chain
//! block created (such a pair cancels out of the diff); at the end every removed entry must
//! have been spent once and every output left over must be an added entry, so the records
//! add up to the diff exactly.

use std::collections::{BTreeMap, HashMap};

use pyrin_consensus::BlockValidator;
use pyrin_core::{BlockHash, ScriptPublicKey, TransactionOutpoint};
use pyrin_tx::address::Prefix;
use pyrin_tx::script::address_of_script;

/// Why a chain block could not be turned into index rows.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum IndexError {
    /// The node holds no verified UTXO state (or header, or body) for the block.
    #[error("the node has no chain data for block {0}")]
    Unknown(BlockHash),
    /// An accepted transaction the merged block does not hold.
    #[error("block {0} holds no accepted transaction {1}")]
    MissingTransaction(BlockHash, String),
    /// An input whose entry is neither in the diff nor created earlier in the block.
    #[error("chain block {0}: input spends {1}, which its UTXO diff does not remove")]
    MissingEntry(BlockHash, String),
    /// The transactions do not add up to the chain block's diff.
    #[error("chain block {0}: the accepted transactions do not add up to its UTXO diff")]
    DiffMismatch(BlockHash),
    /// An amount overflows.
    #[error("chain block {0}: an amount overflows")]
    Overflow(BlockHash),
}

/// The key an output's owner is indexed under: its `pyrin:` address, or for a
/// non-standard script the script's hex (prefixed `v<version>-` when the script version is
/// not 0).
pub fn address_key(script: &ScriptPublicKey, prefix: Prefix) -> String {
    match address_of_script(script, prefix) {
        Some(address) => address.to_string(),
        None if script.version == 0 => pyrin_core::hex::encode(&script.script),
        None => format!("v{}-{}", script.version, pyrin_core::hex::encode(&script.script)),
    }
}

/// A row of `blocks`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockRecord {
    /// Block hash (hex).
    pub hash: String,
    /// Height on the selected chain (genesis 0), for a chain block.
    pub chain_height: Option<u64>,
    /// The selected parent, for a chain block other than genesis.
    pub selected_parent: Option<String>,
    /// The chain block that merged it, once there is one.
    pub accepted_by: Option<String>,
    /// Header timestamp (ms).
    pub timestamp: u64,
    /// DAA score.
    pub daa_score: u64,
    /// Blue score.
    pub blue_score: u64,
    /// Compact bits.
    pub bits: u32,
    /// Transactions in its body.
    pub tx_count: u64,
    /// For a chain block: transactions its mergeset had accepted; for a merged block: its
    /// own transactions that were accepted.
    pub accepted_tx_count: u64,
    /// For a chain block: the fees of what it accepted (its coinbase pays them).
    pub fees: u64,
}

/// One input or output as the index shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flow {
    /// The owner's key ([`address_key`]).
    pub address: String,
    /// Amount in leor.
    pub amount: u64,
    /// For an input: the outpoint spent (`txid:index`).
    pub outpoint: Option<String>,
}

/// A row of `transactions`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxRecord {
    /// Transaction id (hex).
    pub id: String,
    /// The merged block holding it.
    pub block_hash: String,
    /// Its position in the chain block's acceptance order.
    pub position: u64,
    /// Whether it is a coinbase.
    pub is_coinbase: bool,
    /// Fee in leor (0 for a coinbase).
    pub fee: u64,
    /// Inputs.
    pub inputs: Vec<Flow>,
    /// Outputs.
    pub outputs: Vec<Flow>,
}

impl TxRecord {
    /// Inputs and outputs as the JSON stored in `transactions.data`.
    pub fn data_json(&self) -> String {
        let flows = |flows: &[Flow]| -> Vec<serde_json::Value> {
            flows
                .iter()
                .map(|f| match &f.outpoint {
                    Some(o) => serde_json::json!({"address": f.address, "amount": f.amount, "outpoint": o}),
                    None => serde_json::json!({"address": f.address, "amount": f.amount}),
                })
                .collect()
        };
        serde_json::json!({"inputs": flows(&self.inputs), "outputs": flows(&self.outputs)}).to_string()
    }
}

/// A row of `address_transactions`: what one accepted transaction did to one address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddressTx {
    /// The address key.
    pub address: String,
    /// The transaction's position in the chain block's acceptance order.
    pub position: u64,
    /// Transaction id.
    pub txid: String,
    /// Paid to the address.
    pub received: u64,
    /// Spent from the address.
    pub sent: u64,
}

/// Everything one chain block adds to the index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainBlockUpdate {
    /// The chain block.
    pub block: BlockRecord,
    /// The blocks of its mergeset (selected parent first), each now accepted by it.
    pub merged: Vec<BlockRecord>,
    /// The transactions it accepted, in acceptance order.
    pub transactions: Vec<TxRecord>,
    /// Per accepted transaction and address it touched.
    pub address_txs: Vec<AddressTx>,
}

impl ChainBlockUpdate {
    /// The addresses it touches, sorted, each once.
    pub fn addresses(&self) -> Vec<String> {
        let mut keys: Vec<String> = self.address_txs.iter().map(|a| a.address.clone()).collect();
        keys.sort();
        keys.dedup();
        keys
    }
}

/// An outpoint as `txid:index`.
pub fn outpoint_text(outpoint: &TransactionOutpoint) -> String {
    format!("{}:{}", outpoint.transaction_id, outpoint.index)
}

fn record(v: &BlockValidator, hash: &BlockHash) -> Result<BlockRecord, IndexError> {
    let header = v.block_header(hash).ok_or(IndexError::Unknown(*hash))?;
    let tx_count = v.block_transactions(hash).map_or(0, |t| t.len() as u64);
    Ok(BlockRecord {
        hash: hash.to_string(),
        chain_height: None,
        selected_parent: None,
        accepted_by: None,
        timestamp: header.timestamp,
        daa_score: header.daa_score,
        blue_score: header.blue_score,
        bits: header.bits.to_consensus(),
        tx_count,
        accepted_tx_count: 0,
        fees: 0,
    })
}

/// The index rows of chain block `hash` at chain height `height`, from `v`'s acceptance
/// data and UTXO diff of the block.
///
/// # Errors
/// [`IndexError`] when the node lacks the block's data or the data do not add up.
pub fn chain_block_update(v: &BlockValidator, hash: &BlockHash, height: u64) -> Result<ChainBlockUpdate, IndexError> {
    let prefix = Prefix::from(v.params().network);
    let acceptance = v.chain_block_acceptance(hash).ok_or(IndexError::Unknown(*hash))?;
    let diff = v.chain_block_utxo_diff(hash).ok_or(IndexError::Unknown(*hash))?;
    let mut block = record(v, hash)?;
    block.chain_height = Some(height);
    block.selected_parent = acceptance.first().map(|m| m.block.to_string());
    let overflow = || IndexError::Overflow(*hash);

    let mut created: HashMap<TransactionOutpoint, (u64, String)> = HashMap::new();
    let mut spent_from_diff = 0usize;
    let (mut merged, mut transactions, mut address_txs) = (Vec::new(), Vec::new(), Vec::new());
    let mut position = 0u64;
    let mut fees = 0u64;
    for acceptance in acceptance {
        let mut merged_record = record(v, &acceptance.block)?;
        merged_record.accepted_by = Some(hash.to_string());
        merged_record.accepted_tx_count = acceptance.transaction_ids.len() as u64;
        merged.push(merged_record);
        let body = v.block_transactions(&acceptance.block).ok_or(IndexError::Unknown(acceptance.block))?;
        let by_id: HashMap<_, _> = body.iter().map(|tx| (tx.id(), tx)).collect();
        for id in &acceptance.transaction_ids {
            let tx = by_id.get(id).ok_or_else(|| IndexError::MissingTransaction(acceptance.block, id.to_string()))?;
            let mut per_address: BTreeMap<String, (u64, u64)> = BTreeMap::new();
            let mut inputs = Vec::with_capacity(tx.inputs.len());
            let mut spent = 0u64;
            for input in &tx.inputs {
                let outpoint = input.previous_outpoint;
                let (amount, address) = match created.remove(&outpoint) {
                    Some(entry) => entry,
                    None => {
                        let entry = diff
                            .removed
                            .get(&outpoint)
                            .ok_or_else(|| IndexError::MissingEntry(*hash, outpoint_text(&outpoint)))?;
                        spent_from_diff += 1;
                        (entry.amount.to_leor(), address_key(&entry.script_public_key, prefix))
                    }
                };
                spent = spent.checked_add(amount).ok_or_else(overflow)?;
                let slot = per_address.entry(address.clone()).or_default();
                slot.1 = slot.1.checked_add(amount).ok_or_else(overflow)?;
                inputs.push(Flow { address, amount, outpoint: Some(outpoint_text(&outpoint)) });
            }
            let mut outputs = Vec::with_capacity(tx.outputs.len());
            let mut paid = 0u64;
            for (index, output) in tx.outputs.iter().enumerate() {
                let amount = output.value.to_leor();
                let address = address_key(&output.script_public_key, prefix);
                paid = paid.checked_add(amount).ok_or_else(overflow)?;
                let slot = per_address.entry(address.clone()).or_default();
                slot.0 = slot.0.checked_add(amount).ok_or_else(overflow)?;
                created.insert(TransactionOutpoint::new(*id, index as u32), (amount, address.clone()));
                outputs.push(Flow { address, amount, outpoint: None });
            }
            let is_coinbase = tx.is_coinbase();
            let fee = if is_coinbase { 0 } else { spent.checked_sub(paid).ok_or_else(overflow)? };
            fees = fees.checked_add(fee).ok_or_else(overflow)?;
            for (address, (received, sent)) in per_address {
                address_txs.push(AddressTx { address, position, txid: id.to_string(), received, sent });
            }
            transactions.push(TxRecord {
                id: id.to_string(),
                block_hash: acceptance.block.to_string(),
                position,
                is_coinbase,
                fee,
                inputs,
                outputs,
            });
            position += 1;
        }
    }
    // The rows add up to the diff: every removed entry spent once, every output left is
    // an added entry with the same amount.
    let adds_up = spent_from_diff == diff.removed.len()
        && created.len() == diff.added.len()
        && created.iter().all(|(o, (amount, _))| diff.added.get(o).is_some_and(|e| e.amount.to_leor() == *amount));
    if !adds_up {
        return Err(IndexError::DiffMismatch(*hash));
    }
    block.accepted_tx_count = position;
    block.fees = fees;
    Ok(ChainBlockUpdate { block, merged, transactions, address_txs })
}
