//! Untrusted blocks never panic the validator: the reference's history replayed with, at
//! every step, mutated copies of the next block submitted first (header fields changed,
//! parents dropped, repeated or invented, transactions dropped, repeated, reordered or
//! altered). Each gets a verdict, whatever it is.

mod common;

use common::*;
use pyrin_consensus::BlockValidator;
use pyrin_core::params::MAINNET_PARAMS;
use pyrin_core::{Amount, Block, BlockHash, BlueWork, CompactTarget};

fn mutate(block: &Block, rng: &mut Rng, known: &[BlockHash]) -> Block {
    let mut b = block.clone();
    let h = &mut b.header;
    match rng.below(16) {
        0 => h.version = rng.next() as u16,
        1 => h.timestamp = rng.next(),
        2 => h.bits = CompactTarget::from_consensus(rng.next() as u32),
        3 => h.daa_score = h.daa_score.wrapping_add(rng.next() % 3).wrapping_sub(1),
        4 => h.blue_work = BlueWork::from_u64(rng.next()),
        5 => h.parents_by_level.clear(),
        6 => {
            let p = h.parents_by_level[0][0];
            h.parents_by_level[0].push(p);
        }
        7 => h.parents_by_level[0].push(known[rng.below(known.len())]),
        8 => h.parents_by_level[0] = vec![known[rng.below(known.len())]],
        9 => h.parents_by_level.push(vec![BlockHash::from_bytes([rng.next() as u8; 32])]),
        10 => b.transactions.clear(),
        11 => {
            let t = b.transactions[rng.below(b.transactions.len())].clone();
            b.transactions.push(t);
        }
        12 => b.transactions.reverse(),
        13 => {
            let i = rng.below(b.transactions.len());
            let tx = &mut b.transactions[i];
            if let Some(o) = tx.outputs.first_mut() {
                o.value = Amount::from_leor(rng.next());
            }
            tx.payload.truncate(rng.below(tx.payload.len() + 1));
        }
        14 => {
            let i = rng.below(b.transactions.len());
            let tx = &mut b.transactions[i];
            if let Some(input) = tx.inputs.first_mut() {
                input.previous_outpoint.index = rng.next() as u32;
                input.sequence = rng.next();
            }
            tx.lock_time = rng.next() % 30_000_000;
        }
        _ => h.nonce = rng.next(),
    }
    // Half the time keep the merkle root in step, so the body rules behind it run too.
    if rng.below(2) == 0 {
        b.header.hash_merkle_root = b.hash_merkle_root();
    }
    b
}

#[test]
fn mutated_blocks_get_a_verdict_and_never_panic() {
    let Some(cases) = cases("block_sequence.json") else { return };
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    for case in &cases {
        let input = &case["input"];
        let mut v = BlockValidator::new(&MAINNET_PARAMS, &config(input));
        let mut known = vec![MAINNET_PARAMS.genesis.hash];
        for b in input["blocks"].as_array().expect("blocks") {
            let original = block(b);
            for _ in 0..6 {
                let mutated = mutate(&original, &mut rng, &known);
                let _ = v.validate_and_insert(&mutated, 4_000_000_000_000);
            }
            let _ = v.validate_and_insert(&original, 4_000_000_000_000);
            known.push(original.hash());
        }
        // The state stays readable.
        let _ = (v.sink(), v.virtual_utxo_commitment(), v.selected_chain(), v.virtual_utxo_set());
    }
}
