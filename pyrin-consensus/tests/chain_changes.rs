//! Following the selected chain from outside: `selected_chain_changes` names the chain
//! blocks a reorganisation takes off and puts on, and the per-chain-block UTXO diffs
//! (`chain_block_utxo_diff`), reverted and applied in that order, carry a follower's copy
//! of the UTXO set to the validator's own at the sink.

use pyrin_consensus::{BlockStatus, BlockValidator, ChainChanges, Config};
use pyrin_core::params::DEVNET_PARAMS;
use pyrin_core::{Amount, Block, BlockHash, ScriptPublicKey};
use pyrin_emission::coinbase::CoinbaseData;
use pyrin_tx::utxo::UtxoCollection;

fn validator() -> BlockValidator {
    BlockValidator::new(&DEVNET_PARAMS, &Config::new().with_skip_proof_of_work())
}

/// A block on `parents` paying a script named by `tag`, inserted into `v`.
fn add(v: &mut BlockValidator, parents: &[BlockHash], tag: u8, now: u64) -> Block {
    let miner = CoinbaseData {
        blue_score: 0,
        subsidy: Amount::ZERO,
        script_public_key: ScriptPublicKey::new(0, vec![0x51, tag]),
        extra_data: vec![tag],
    };
    let block = v.block_template(parents, &miner, vec![], now).expect("a template on valid parents");
    let status = v.validate_and_insert(&block, now).expect("a valid block");
    assert_ne!(status, BlockStatus::DisqualifiedFromChain);
    block
}

/// A follower's UTXO set: every diff of the genesis-to-sink chain applied in order.
fn follow(v: &BlockValidator, set: &mut UtxoCollection, changes: &ChainChanges) {
    for removed in &changes.removed {
        v.chain_block_utxo_diff(removed).expect("a reverted block keeps its diff").reversed().apply_to(set).unwrap();
    }
    for added in &changes.added {
        v.chain_block_utxo_diff(added).expect("a chain block has a diff").apply_to(set).unwrap();
    }
}

fn sorted(set: &UtxoCollection) -> Vec<(pyrin_core::TransactionOutpoint, pyrin_tx::UtxoEntry)> {
    let mut entries: Vec<_> = set.iter().map(|(o, e)| (*o, e.clone())).collect();
    entries.sort_unstable_by_key(|(o, _)| *o);
    entries
}

#[test]
fn a_heavier_branch_reverts_the_old_chain_and_applies_the_new_one() {
    let mut v = validator();
    let genesis = DEVNET_PARAMS.genesis.hash;
    let t = DEVNET_PARAMS.genesis.timestamp;
    let mut set = UtxoCollection::new();
    assert_eq!(v.selected_chain_changes(&genesis), Some(ChainChanges::default()));

    // Chain A: three blocks.
    let mut a = vec![genesis];
    for i in 1..=3u64 {
        let block = add(&mut v, &[*a.last().unwrap()], 1, t + i * 1000);
        a.push(block.header.hash());
    }
    let changes = v.selected_chain_changes(&genesis).unwrap();
    assert_eq!(changes.removed, Vec::<BlockHash>::new());
    assert_eq!(changes.added, a[1..].to_vec());
    follow(&v, &mut set, &changes);
    assert_eq!(sorted(&set), v.sink_utxo_set());
    let cursor = v.sink();

    // Chain B from genesis, built by another validator that never saw A, grows past A:
    // the sink moves to it.
    let mut other = validator();
    let mut b = vec![genesis];
    for i in 1..=5u64 {
        let block = add(&mut other, &[*b.last().unwrap()], 2, t + i * 1000 + 500);
        v.validate_and_insert(&block, t + i * 1000 + 500).expect("a valid block");
        b.push(block.header.hash());
    }
    assert_eq!(v.sink(), *b.last().unwrap());
    let changes = v.selected_chain_changes(&cursor).unwrap();
    assert_eq!(changes.removed, vec![a[3], a[2], a[1]]);
    assert_eq!(changes.added, b[1..].to_vec());
    assert_eq!(v.chain_block_acceptance(&b[2]).unwrap()[0].block, b[1], "the selected parent is accepted first");
    follow(&v, &mut set, &changes);
    assert_eq!(sorted(&set), v.sink_utxo_set());
    assert!(!set.is_empty());
    // Nothing moves until a block arrives.
    assert_eq!(v.selected_chain_changes(&v.sink()), Some(ChainChanges::default()));
}

#[test]
fn unknown_blocks_have_no_changes_or_diffs() {
    let v = validator();
    let unknown = BlockHash::from_bytes([7; 32]);
    assert_eq!(v.selected_chain_changes(&unknown), None);
    assert!(v.chain_block_utxo_diff(&unknown).is_none());
    assert!(v.chain_block_acceptance(&unknown).is_none());
    assert!(v.block_header(&unknown).is_none());
    assert!(v.block_transactions(&unknown).is_none());
    assert!(v.chain_block_utxo_diff(&DEVNET_PARAMS.genesis.hash).unwrap().added.is_empty());
}
