//! One test per block rule the reference's history (`block_sequence.json`) does not break:
//! a valid block of that history with one thing changed, submitted where the history
//! submitted the original.

mod common;

use common::*;
use pyrin_consensus::{BlockStatus, BlockValidator, RuleError};
use pyrin_core::merkle::hash_merkle_root;
use pyrin_core::params::MAINNET_PARAMS;
use pyrin_core::{Amount, Block, BlockHash, Transaction, TransactionOutput};
use serde_json::Value;

/// Far after every timestamp of the vectors.
const NOW: u64 = 4_000_000_000_000;

/// A validator that accepted the history's blocks before `name`, and the block `name`.
fn before(name: &str) -> Option<(BlockValidator, Block, Vec<Value>)> {
    let case = cases("block_sequence.json")?.swap_remove(0);
    let input = &case["input"];
    let mut validator = BlockValidator::new(&MAINNET_PARAMS, &config(input));
    let blocks = input["blocks"].as_array().expect("blocks").clone();
    for b in &blocks {
        if b["name"] == name {
            return Some((validator, block(b), blocks));
        }
        let _ = validator.validate_and_insert(&block(b), NOW);
    }
    panic!("no block {name}");
}

fn rejected(validator: &mut BlockValidator, block: &Block) -> RuleError {
    validator.validate_and_insert(block, NOW).expect_err("the block must be refused")
}

fn with_transactions(mut block: Block, transactions: Vec<Transaction>) -> Block {
    block.header.hash_merkle_root = hash_merkle_root(&transactions);
    block.transactions = transactions;
    block
}

#[test]
fn a_block_without_parents_is_refused_unrecorded() {
    let Some((mut v, mut b, _)) = before("L06a") else { return };
    b.header.parents_by_level = vec![vec![]];
    assert_eq!(rejected(&mut v, &b).name(), "NoParents");
    assert_eq!(v.block_status(&b.hash()), None);
}

#[test]
fn more_parents_than_the_limit_are_refused() {
    let Some((mut v, mut b, _)) = before("L06a") else { return };
    b.header.parents_by_level = vec![(1..=11u8).map(|i| BlockHash::from_bytes([i; 32])).collect()];
    assert_eq!(rejected(&mut v, &b).name(), "TooManyParents");
}

#[test]
fn an_unknown_parent_is_missing() {
    let Some((mut v, mut b, _)) = before("L06a") else { return };
    b.header.parents_by_level = vec![vec![BlockHash::from_bytes([7; 32])]];
    assert_eq!(rejected(&mut v, &b), RuleError::MissingParents(vec![BlockHash::from_bytes([7; 32])]));
}

#[test]
fn a_parent_in_the_past_of_another_is_refused() {
    let Some((mut v, mut b, blocks)) = before("L06a") else { return };
    let grandparent = block(&blocks[4]).hash(); // L04, in the past of L05
    b.header.parents_by_level[0].push(grandparent);
    assert_eq!(rejected(&mut v, &b).name(), "InvalidParentsRelation");
}

#[test]
fn a_child_of_an_invalid_block_is_refused_and_resubmitting_it_is_known_invalid() {
    let Some((mut v, b, blocks)) = before("L06a") else { return };
    let mut bad = b.clone();
    bad.header.blue_score += 1;
    assert_eq!(rejected(&mut v, &bad).name(), "UnexpectedHeaderBlueScore");
    assert_eq!(v.block_status(&bad.hash()), Some(BlockStatus::Invalid));
    assert_eq!(rejected(&mut v, &bad), RuleError::KnownInvalid);
    let mut child = block(&blocks[6]); // L06b, same parents as L06a
    child.header.parents_by_level = vec![vec![bad.hash()]];
    assert_eq!(rejected(&mut v, &child), RuleError::InvalidParent(bad.hash()));
}

#[test]
fn a_timestamp_too_far_in_the_future_is_refused() {
    let Some((mut v, b, _)) = before("L06a") else { return };
    let now = b.header.timestamp - MAINNET_PARAMS.legacy_timestamp_deviation_tolerance * 1000 - 1;
    let error = v.validate_and_insert(&b, now).expect_err("too far in the future");
    assert_eq!(error.name(), "TimeTooFarIntoTheFuture");
    // One millisecond later the same block is fine.
    assert_eq!(v.validate_and_insert(&b, now + 1), Ok(BlockStatus::UtxoValid));
}

#[test]
fn a_known_block_returns_its_status_again() {
    let Some((mut v, b, _)) = before("L06a") else { return };
    let status = v.validate_and_insert(&b, NOW).expect("valid");
    assert_eq!(v.validate_and_insert(&b, NOW), Ok(status));
}

#[test]
fn a_block_without_transactions_is_refused() {
    let Some((mut v, b, _)) = before("L06a") else { return };
    let b = with_transactions(b, Vec::new());
    assert_eq!(rejected(&mut v, &b), RuleError::NoTransactions);
    assert_eq!(v.block_status(&b.hash()), Some(BlockStatus::Invalid));
}

#[test]
fn a_bad_merkle_root_leaves_the_header_recorded() {
    let Some((mut v, mut b, _)) = before("L06a") else { return };
    b.header.hash_merkle_root = Default::default();
    assert_eq!(rejected(&mut v, &b).name(), "BadMerkleRoot");
    assert_eq!(v.block_status(&b.hash()), Some(BlockStatus::HeaderOnly));
}

#[test]
fn the_first_transaction_must_be_the_coinbase() {
    let Some((mut v, b, blocks)) = before("L06a") else { return };
    let transfer =
        blocks.iter().map(block).flat_map(|b| b.transactions).find(|t| !t.is_coinbase()).expect("a transfer");
    let b = with_transactions(b, vec![transfer]);
    assert_eq!(rejected(&mut v, &b), RuleError::FirstTxNotCoinbase);
}

#[test]
fn a_transaction_breaking_a_rule_in_isolation_refuses_the_block() {
    let Some((mut v, b, _)) = before("L06a") else { return };
    let mut coinbase = b.transactions[0].clone();
    coinbase.outputs.push(TransactionOutput::new(Amount::ZERO, coinbase.outputs[0].script_public_key.clone()));
    let b = with_transactions(b, vec![coinbase]);
    assert_eq!(rejected(&mut v, &b).name(), "TxInIsolationValidationFailed");
}

#[test]
fn the_coinbase_payload_must_carry_the_header_blue_score() {
    let Some((mut v, b, _)) = before("L06a") else { return };
    let mut coinbase = b.transactions[0].clone();
    coinbase.payload[0] ^= 1; // the blue score is the payload's first (little-endian) word
    let b = with_transactions(b, vec![coinbase]);
    assert_eq!(rejected(&mut v, &b).name(), "BadCoinbasePayloadBlueScore");
}

#[test]
fn a_coinbase_payload_that_does_not_decode_is_refused() {
    let Some((mut v, b, _)) = before("L06a") else { return };
    let mut coinbase = b.transactions[0].clone();
    coinbase.payload.truncate(10);
    let b = with_transactions(b, vec![coinbase]);
    assert_eq!(rejected(&mut v, &b).name(), "BadCoinbasePayload");
}

#[test]
fn a_parent_named_twice_breaks_the_parents_by_level_rule() {
    let Some((mut v, mut b, _)) = before("L06a") else { return };
    let p = b.header.parents_by_level[0][0];
    b.header.parents_by_level[0].push(p);
    assert_eq!(rejected(&mut v, &b).name(), "UnexpectedIndirectParents");
    assert_eq!(v.block_status(&b.hash()), Some(BlockStatus::Invalid));
}
