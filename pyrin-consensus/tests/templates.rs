//! `BlockValidator::block_template` rebuilds the reference's own blocks: every valid block
//! of `block_sequence.json` was made by the reference's block-template code on chosen
//! parents (then given a timestamp and nonce), so a template on the same parents, with the
//! same miner data, transactions and timestamp, must be that block but for the nonce.

mod common;

use common::*;
use pyrin_consensus::BlockValidator;
use pyrin_core::params::MAINNET_PARAMS;
use pyrin_emission::coinbase::{CoinbaseData, PayloadLimits};

const NOW: u64 = 4_000_000_000_000;

#[test]
fn templates_rebuild_the_reference_blocks() {
    let Some(cases) = cases("block_sequence.json") else { return };
    let limits = PayloadLimits::from_params(&MAINNET_PARAMS);
    for case in &cases {
        let input = &case["input"];
        let mut validator = BlockValidator::new(&MAINNET_PARAMS, &config(input));
        let (mut rebuilt, mut skipped) = (0, 0);
        for b in input["blocks"].as_array().expect("blocks") {
            let name = b["name"].as_str().unwrap_or("?");
            let block = block(b);
            if !name.starts_with("invalid_") {
                let miner = CoinbaseData::decode(&block.transactions[0].payload, &limits).expect("a payload");
                let parents = block.header.direct_parents().to_vec();
                let others = block.transactions[1..].to_vec();
                match validator.block_template(&parents, &miner, others, block.header.timestamp) {
                    Ok(mut template) => {
                        template.header.nonce = block.header.nonce;
                        assert_eq!(template.header, block.header, "{name}: header");
                        assert_eq!(template.transactions, block.transactions, "{name}: transactions");
                        assert_eq!(template.hash(), block.hash(), "{name}: hash");
                        rebuilt += 1;
                    }
                    // The selected parent's UTXO state was never verified (a side branch).
                    Err(_) => skipped += 1,
                }
            }
            let _ = validator.validate_and_insert(&block, NOW);
        }
        eprintln!("{}: {rebuilt} blocks rebuilt, {skipped} on unverified parents", case["name"]);
        assert!(rebuilt > skipped, "too few blocks rebuilt: {rebuilt}, {skipped} skipped");
    }
}
