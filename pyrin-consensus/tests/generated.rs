//! Histories the validator builds for itself: random DAG shapes (parallel blocks, merges
//! of several tips, blocks on older tips) made of its own templates, each of which it must
//! accept; the end state must then agree with itself.

mod common;

use common::Rng;
use pyrin_consensus::{BlockStatus, BlockValidator, Config};
use pyrin_core::params::MAINNET_PARAMS;
use pyrin_core::{BlockHash, ScriptPublicKey};
use pyrin_emission::coinbase::CoinbaseData;

fn miner(i: u8) -> CoinbaseData {
    let mut script = vec![0x20];
    script.extend([i; 32]);
    script.push(0xac);
    CoinbaseData {
        blue_score: 0,
        subsidy: pyrin_core::Amount::ZERO,
        script_public_key: ScriptPublicKey::new(0, script),
        extra_data: vec![i],
    }
}

#[test]
fn random_dags_of_templates_are_accepted() {
    for seed in 1..=4u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let config = Config::new().with_skip_proof_of_work().with_coinbase_maturity(10);
        let mut v = BlockValidator::new(&MAINNET_PARAMS, &config);
        let mut time = MAINNET_PARAMS.genesis.timestamp;
        let mut all: Vec<BlockHash> = vec![MAINNET_PARAMS.genesis.hash];
        for n in 0..80u32 {
            time += 500 + rng.below(1000) as u64;
            let tips = v.tips().to_vec();
            // Mostly the tips (up to four of them), sometimes a single older block.
            let parents: Vec<BlockHash> = if rng.below(6) == 0 && all.len() > 3 {
                vec![all[all.len() - 2 - rng.below(2)]]
            } else {
                let mut chosen = tips.clone();
                while chosen.len() > 1 + rng.below(4) {
                    chosen.remove(rng.below(chosen.len()));
                }
                chosen
            };
            let template = match v.block_template(&parents, &miner((n % 5) as u8), Vec::new(), time) {
                Ok(t) => t,
                // An older block whose parents form no antichain with the others, or whose
                // selected parent was never verified: pick again next round.
                Err(_) => continue,
            };
            let hash = template.hash();
            let status =
                v.validate_and_insert(&template, u64::MAX).unwrap_or_else(|e| panic!("seed {seed} block {n}: {e}"));
            assert!(
                matches!(status, BlockStatus::UtxoValid | BlockStatus::UtxoPendingVerification),
                "seed {seed} block {n}: {status:?}"
            );
            all.push(hash);
        }
        // The sink is a verified tip-side block, every virtual parent a tip, and the virtual
        // UTXO set holds one coinbase output per paid block.
        assert_eq!(v.block_status(&v.sink()), Some(BlockStatus::UtxoValid));
        assert!(v.virtual_parents().iter().all(|p| v.tips().contains(p)));
        assert_eq!(v.virtual_parents()[0], v.sink());
        let chain = v.selected_chain();
        assert_eq!(chain.last().map(|c| c.hash), Some(v.sink()));
        assert!(chain.iter().all(|c| v.block_status(&c.hash) == Some(BlockStatus::UtxoValid)));
        assert!(!v.virtual_utxo_set().is_empty());
    }
}
