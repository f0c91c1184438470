#![no_main]
//! Validating an arbitrary block body in isolation never panics, and a body it accepts
//! holds what the rules promise: the first transaction is the only coinbase, the mass is
//! within the limit, no transaction appears twice, no outpoint is spent twice, and no
//! transaction spends an output of the same block.
//!
//! The header's merkle root is set to the transactions' root before validating, so that
//! the fuzzer reaches the rules after it (a random root fails the second check).

use std::collections::HashSet;

use libfuzzer_sys::fuzz_target;
use pyrin_core::params::MAINNET_PARAMS;
use pyrin_core::{Block, Decode};
use pyrin_tx::body::check_block_body_in_isolation;

fuzz_target!(|data: &[u8]| {
    let Ok(mut block) = Block::from_bytes(data) else { return };
    let as_given = check_block_body_in_isolation(&block, &MAINNET_PARAMS);
    block.header.hash_merkle_root = block.hash_merkle_root();
    let verdict = check_block_body_in_isolation(&block, &MAINNET_PARAMS);
    assert_eq!(verdict, check_block_body_in_isolation(&block, &MAINNET_PARAMS), "deterministic");
    if as_given.is_ok() {
        assert_eq!(as_given, verdict, "a body that passed had the right root already");
    }
    let Ok(mass) = verdict else { return };
    assert!(mass <= MAINNET_PARAMS.max_block_mass);
    let txs = &block.transactions;
    assert!(txs[0].is_coinbase() && txs[1..].iter().all(|tx| !tx.is_coinbase()));
    let ids: HashSet<_> = txs.iter().map(|tx| tx.id()).collect();
    assert_eq!(ids.len(), txs.len(), "no duplicate transactions");
    let mut spent = HashSet::new();
    for input in txs.iter().flat_map(|tx| &tx.inputs) {
        assert!(spent.insert(input.previous_outpoint), "no double spend");
        assert!(!ids.contains(&input.previous_outpoint.transaction_id), "no chained transaction");
    }
});
