//! The devnet node end to end: a few hundred blocks with real PoW at an easy difficulty,
//! the supply invariants, and tampered blocks rejected without changing anything.

use pyrin_core::{Amount, Block, BlockHash, BlueWork, CompactTarget, Header, MerkleRoot, Transaction, UtxoCommitment};
use pyrin_examples::devnet::node::BlockError;
use pyrin_examples::devnet::sim::{mine, reseal, Devnet, DevnetConfig, Rng};
use pyrin_pow::PowState;
use pyrin_tx::sighash::SigHashType;
use pyrin_tx::sign::{sign_transaction, verify_transaction, PrivateKey, Randomness};
use pyrin_tx::UtxoEntry;

/// About 4096 nonces per block.
const EASY_BITS: CompactTarget = CompactTarget::from_consensus(0x1f10_0000);
const SEED: u64 = 7;

fn devnet(blocks: u64) -> Devnet {
    let config = DevnetConfig { blocks, bits: Some(EASY_BITS), seed: SEED, ..DevnetConfig::default() };
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
    assert!(s.subsidy_emitted <= s.schedule_cumulative);
    // Coins only come from subsidies: fees move value from spenders to miners.
    assert_eq!(s.utxo_total, u128::from(s.subsidy_emitted) + u128::from(s.fees_paid) - u128::from(s.fees_accepted));
    assert!(s.transfers_accepted > 0, "transfers should be accepted once coinbases mature");
    // The per-address counters agree with the UTXO set. Nothing else is in it: genesis is
    // in no difficulty window, so no coinbase pays its reward, as on the network.
    let balances: u128 = s.addresses.iter().map(|a| u128::from(a.balance)).sum();
    assert_eq!(balances, s.utxo_total);
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

/// `good` with one header field changed and the nonce mined again, so the block has
/// valid proof of work and only the changed field is wrong.
fn remined(good: &Block, change: impl FnOnce(&mut Header)) -> Block {
    let mut bad = good.clone();
    change(&mut bad.header);
    mine(&mut bad, 0).expect("the changed header still hashes");
    assert!(PowState::new(&bad.header).unwrap().check(bad.header.nonce).meets_target);
    bad
}

/// A change to one header field.
type HeaderChange = fn(&mut Header);

fn header_field(error: &BlockError) -> Option<&'static str> {
    match error {
        BlockError::Header { field, .. } => Some(field),
        _ => None,
    }
}

#[test]
fn tampered_blocks_are_rejected_and_change_nothing() {
    let mut devnet = devnet(150);
    let good = devnet.mine_block(0).unwrap();

    // A bit flipped without mining again fails the proof of work first.
    let mut bad = good.clone();
    bad.header.timestamp ^= 1 << 40;
    assert!(matches!(rejected(&mut devnet, bad), BlockError::InsufficientPow(_)));

    // Each header field the rules derive, changed and mined again: the field is named.
    let changes: [(&str, HeaderChange); 9] = [
        ("bits", |h| h.bits = CompactTarget::from_consensus(h.bits.to_consensus() ^ 1)),
        ("daa_score", |h| h.daa_score += 1),
        ("blue_score", |h| h.blue_score += 1),
        ("blue_work", |h| h.blue_work = BlueWork::from_limbs(xor_low(h.blue_work.limbs()))),
        ("pruning_point", |h| h.pruning_point = BlockHash::from_raw_hash(flip(h.pruning_point.to_raw_hash()))),
        ("utxo_commitment", |h| {
            h.utxo_commitment = UtxoCommitment::from_raw_hash(flip(h.utxo_commitment.to_raw_hash()))
        }),
        ("hash_merkle_root", |h| {
            h.hash_merkle_root = MerkleRoot::from_raw_hash(flip(h.hash_merkle_root.to_raw_hash()))
        }),
        ("accepted_id_merkle_root", |h| {
            h.accepted_id_merkle_root = MerkleRoot::from_raw_hash(flip(h.accepted_id_merkle_root.to_raw_hash()))
        }),
        ("timestamp", |h| h.timestamp = 1),
    ];
    for (field, change) in changes {
        let error = rejected(&mut devnet, remined(&good, change));
        match field {
            "timestamp" => assert!(matches!(error, BlockError::TimeTooOld { timestamp: 1, .. }), "{error}"),
            _ => assert_eq!(header_field(&error), Some(field), "{error}"),
        }
    }
    let error = rejected(&mut devnet, remined(&good, |h| h.version += 1));
    assert!(matches!(error, BlockError::Version(v) if v == good.header.version + 1));
    let error = rejected(
        &mut devnet,
        remined(&good, |h| {
            h.parents_by_level[0][0] = BlockHash::from_raw_hash(flip(h.parents_by_level[0][0].to_raw_hash()))
        }),
    );
    assert!(matches!(error, BlockError::Ghostdag(_)), "{error}");

    // An inflated coinbase, otherwise valid (merkle root and PoW redone).
    let mut bad = good.clone();
    bad.transactions[0].outputs[0].value = bad.transactions[0].outputs[0].value.checked_add(Amount::ONE_LEOR).unwrap();
    reseal(&mut bad).unwrap();
    assert!(matches!(rejected(&mut devnet, bad), BlockError::Coinbase { what: "outputs", .. }));

    // The untampered block is still accepted.
    devnet.node.submit_block(good).expect("the honest block");

    // A transfer, then a bad signature and a double spend of it.
    let (sender, tx) = (0..4)
        .find_map(|m| devnet.transfer_from(m, (m + 1) % 4).unwrap().map(|tx| (m, tx)))
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

    // A different transaction, validly signed by the same wallet, spending the same
    // outputs: each alone is valid, together they double spend.
    let rival = rival_transfer(&mut devnet, sender, &tx);
    assert_ne!(rival.id(), tx.id());
    let mut bad = with_tx.clone();
    bad.transactions.push(rival);
    reseal(&mut bad).unwrap();
    assert!(matches!(rejected(&mut devnet, bad), BlockError::MissingOutput { tx: 2, input: 0 }));

    let accepted = devnet.node.submit_block(with_tx).expect("the block with the transfer");
    // The same transfer again in a child block spends outputs that are gone.
    let mut again = devnet.node.template(&[accepted], &script, b"test", &[], now + 1000).unwrap();
    again.transactions.push(tx);
    reseal(&mut again).unwrap();
    assert!(matches!(rejected(&mut devnet, again), BlockError::MissingOutput { tx: 1, input: 0 }));
}

/// `tx` paying one leor more in fee, signed again by `sender`'s wallet (its key derived
/// from the seed as the devnet derives it).
fn rival_transfer(devnet: &mut Devnet, sender: usize, tx: &Transaction) -> Transaction {
    let (utxo, _) = devnet.node.virtual_utxo().unwrap();
    let entries: Vec<UtxoEntry> =
        tx.inputs.iter().map(|i| utxo.get(&i.previous_outpoint).expect("unspent").clone()).collect();
    let mut rival = tx.clone();
    rival.outputs[1].value = rival.outputs[1].value.checked_sub(Amount::ONE_LEOR).unwrap();
    let mut rng = Rng::new(SEED);
    let mut keys = Vec::new();
    while keys.len() <= sender {
        let mut secret = [0u8; 32];
        for chunk in secret.chunks_mut(8) {
            chunk.copy_from_slice(&rng.next_u64().to_le_bytes());
        }
        keys.extend(PrivateKey::from_bytes(secret));
    }
    sign_transaction(&mut rival, &entries, &keys[sender], SigHashType::ALL, Randomness::Fixed([0; 32])).unwrap();
    verify_transaction(&rival, &entries).expect("the rival is validly signed");
    rival
}

fn xor_low(mut limbs: [u64; 3]) -> [u64; 3] {
    limbs[0] ^= 1;
    limbs
}
fn flip(hash: pyrin_core::Hash) -> pyrin_core::Hash {
    let mut bytes = hash.to_bytes();
    bytes[0] ^= 1;
    pyrin_core::Hash::from_bytes(bytes)
}
