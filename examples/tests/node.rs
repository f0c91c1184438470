//! The devnet node end to end: a few hundred blocks with real PoW at an easy difficulty,
//! the supply invariants, and tampered blocks rejected without changing anything.

use pyrin_core::Block;
use pyrin_examples::devnet::node::BlockError;
use pyrin_examples::devnet::sim::{reseal, Devnet, DevnetConfig};

/// About 4096 nonces per block.
const EASY_BITS: u32 = 0x1f10_0000;

fn devnet(blocks: u64) -> Devnet {
    let config = DevnetConfig { blocks, bits: Some(EASY_BITS), seed: 7, ..DevnetConfig::default() };
    let mut devnet = Devnet::new(config).expect("valid config");
    devnet.run(|_| {}).expect("every honest block is accepted");
    devnet
}

#[test]
fn a_devnet_run_keeps_the_supply_invariants() {
    let mut devnet = devnet(300);
    let s = devnet.summary().unwrap();
    assert_eq!(s.blocks, 301);
    assert_eq!(s.blues + s.reds, s.blocks);
    assert!(s.reds > 0, "delay 6 should produce reds at k = 18");
    // Every paid subsidy is the schedule's amount for the paid block's DAA score.
    assert_eq!(s.subsidy_emitted, s.subsidy_expected);
    assert!(s.subsidy_emitted <= s.schedule_cumulative + devnet.node.blocks()[0].subsidy);
    // Coins only come from subsidies: fees move value from spenders to miners.
    assert_eq!(s.utxo_total, u128::from(s.subsidy_emitted) + u128::from(s.fees_paid) - u128::from(s.fees_accepted));
    assert!(s.transfers_accepted > 0, "transfers should be accepted once coinbases mature");
    // The per-address counters agree with the UTXO set; what is left belongs to the
    // genesis reward's unspendable script.
    let balances: u128 = s.addresses.iter().map(|a| u128::from(a.balance)).sum();
    let genesis_reward = u128::from(devnet.node.blocks()[0].subsidy);
    assert_eq!(balances + genesis_reward, s.utxo_total);
    assert_eq!(s.addresses.iter().map(|a| a.blocks_mined).sum::<u64>(), 300);
}

fn rejected(devnet: &mut Devnet, block: Block) -> BlockError {
    let before = devnet.node.blocks().len();
    let tips = devnet.node.tips();
    let error = devnet.node.submit_block(block).expect_err("tampered block must be rejected");
    assert_eq!(devnet.node.blocks().len(), before);
    assert_eq!(devnet.node.tips(), tips);
    error
}

#[test]
fn tampered_blocks_are_rejected_and_change_nothing() {
    let mut devnet = devnet(150);
    let good = devnet.mine_block(0).unwrap();

    // One bit flipped in each header field that is not the nonce or the PoW's inputs alone.
    let flips: [fn(&mut Block); 6] = [
        |b| b.header.timestamp ^= 1 << 40,
        |b| b.header.bits ^= 1,
        |b| b.header.daa_score ^= 1,
        |b| b.header.blue_score ^= 1,
        |b| b.header.hash_merkle_root = flip(b.header.hash_merkle_root),
        |b| b.header.accepted_id_merkle_root = flip(b.header.accepted_id_merkle_root),
    ];
    for tamper in flips {
        let mut bad = good.clone();
        tamper(&mut bad);
        rejected(&mut devnet, bad);
    }

    // An inflated coinbase, otherwise valid (merkle root and PoW redone).
    let mut bad = good.clone();
    bad.transactions[0].outputs[0].value += 1;
    reseal(&mut bad).unwrap();
    assert!(matches!(rejected(&mut devnet, bad), BlockError::Coinbase { what: "outputs", .. }));

    // The untampered block is still accepted.
    devnet.node.submit_block(good).expect("the honest block");

    // A transfer, then a bad signature and a double spend of it.
    let tx = (0..4)
        .find_map(|m| devnet.transfer_from(m, (m + 1) % 4).unwrap())
        .expect("some wallet has mature coins after 150 blocks");
    let tips = devnet.node.tips();
    let script = devnet.miners[0].script.clone();
    let now = devnet.now(0) + 1000;
    let mut with_tx = devnet.node.template(&tips, &script, b"test", std::slice::from_ref(&tx), now).unwrap();
    assert_eq!(with_tx.transactions.len(), 2);
    reseal(&mut with_tx).unwrap();

    let mut bad = with_tx.clone();
    let sig = &mut bad.transactions[1].inputs[0].signature_script;
    sig[10] ^= 1;
    reseal(&mut bad).unwrap();
    assert!(matches!(rejected(&mut devnet, bad), BlockError::Signature { tx: 1, .. }));

    let mut bad = with_tx.clone();
    bad.transactions.push(tx.clone());
    reseal(&mut bad).unwrap();
    assert!(matches!(rejected(&mut devnet, bad), BlockError::DuplicateTransaction(2)));

    let accepted = devnet.node.submit_block(with_tx).expect("the block with the transfer");
    // The same transfer again in a child block spends outputs that are gone.
    let mut again = devnet.node.template(&[accepted], &script, b"test", &[], now + 1000).unwrap();
    again.transactions.push(tx);
    reseal(&mut again).unwrap();
    assert!(matches!(rejected(&mut devnet, again), BlockError::MissingOutput { tx: 1, input: 0 }));
}

fn flip(hash: pyrin_core::Hash) -> pyrin_core::Hash {
    let mut bytes = hash.to_bytes();
    bytes[0] ^= 1;
    pyrin_core::Hash::from_bytes(bytes)
}
