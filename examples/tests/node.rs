//! The devnet node end to end: a few hundred blocks with real PoW at an easy difficulty,
//! the supply invariants, tampered blocks refused without changing anything, and blocks
//! with a wrong UTXO state (commitment, accepted-id merkle root, coinbase, a transaction
//! invalid in context) disqualified from the chain.

use pyrin_consensus::{BlockStatus, RuleError, TemplateError};
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

/// A time far enough after every block of the run for the future-timestamp rule.
fn later(devnet: &Devnet) -> u64 {
    devnet.now(0) + 1_000_000
}

/// Submits a block the node must refuse; checks that nothing changed.
fn rejected(devnet: &mut Devnet, block: Block) -> RuleError {
    let before = devnet.node.hashes().len();
    let (tips, sink) = (devnet.node.tips(), devnet.node.validator().sink());
    let now = later(devnet);
    let error = match devnet.node.submit_block(block, now) {
        Err(BlockError::Rule(rule)) => rule,
        other => panic!("tampered block must be refused, got {other:?}"),
    };
    assert_eq!(devnet.node.hashes().len(), before);
    assert_eq!(devnet.node.tips(), tips);
    assert_eq!(devnet.node.validator().sink(), sink);
    error
}

/// Submits a chain candidate with a wrong UTXO state: stored, never the sink.
fn disqualified(devnet: &mut Devnet, block: Block) {
    let sink = devnet.node.validator().sink();
    let now = later(devnet);
    assert_eq!(devnet.node.submit_block(block, now).unwrap(), BlockStatus::DisqualifiedFromChain);
    assert_eq!(devnet.node.validator().sink(), sink);
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

#[test]
fn tampered_blocks_are_rejected_and_change_nothing() {
    let mut devnet = devnet(150);
    let script = devnet.miners[0].script.clone();
    let now = devnet.now(0) + 1000;
    // A template from the network's node: a chain candidate, so its UTXO state is checked.
    let mut good = devnet.node.template(&script, b"test", &[], now).unwrap();
    mine(&mut good, 0).unwrap();

    // A bit flipped without mining again fails the proof of work first.
    let mut bad = good.clone();
    bad.header.timestamp ^= 1 << 40;
    assert!(matches!(rejected(&mut devnet, bad), RuleError::InvalidPoW | RuleError::TimeTooFarIntoTheFuture { .. }));
    let mut bad = good.clone();
    bad.header.nonce ^= 1;
    assert!(matches!(rejected(&mut devnet, bad), RuleError::InvalidPoW));

    // Each header field the rules derive, changed and mined again: the rule is named.
    let changes: [(&str, HeaderChange); 9] = [
        ("UnexpectedDifficulty", |h| h.bits = CompactTarget::from_consensus(h.bits.to_consensus() ^ 1)),
        ("UnexpectedHeaderDaaScore", |h| h.daa_score += 1),
        ("UnexpectedHeaderBlueScore", |h| h.blue_score += 1),
        ("UnexpectedHeaderBlueWork", |h| h.blue_work = BlueWork::from_limbs(xor_low(h.blue_work.limbs()))),
        ("WrongHeaderPruningPoint", |h| {
            h.pruning_point = BlockHash::from_raw_hash(flip(h.pruning_point.to_raw_hash()))
        }),
        ("BadMerkleRoot", |h| h.hash_merkle_root = MerkleRoot::from_raw_hash(flip(h.hash_merkle_root.to_raw_hash()))),
        ("TimeTooOld", |h| h.timestamp = 1),
        ("WrongBlockVersion", |h| h.version += 1),
        ("MissingParents", |h| {
            h.parents_by_level[0][0] = BlockHash::from_raw_hash(flip(h.parents_by_level[0][0].to_raw_hash()))
        }),
    ];
    for (rule, change) in changes {
        let error = rejected(&mut devnet, remined(&good, change));
        assert_eq!(error.name(), rule, "{error}");
    }

    // The UTXO commitment, the accepted-id merkle root and an inflated coinbase (merkle
    // root and PoW redone): the block is stored but disqualified from the chain.
    disqualified(
        &mut devnet,
        remined(&good, |h| h.utxo_commitment = UtxoCommitment::from_raw_hash(flip(h.utxo_commitment.to_raw_hash()))),
    );
    disqualified(
        &mut devnet,
        remined(&good, |h| {
            h.accepted_id_merkle_root = MerkleRoot::from_raw_hash(flip(h.accepted_id_merkle_root.to_raw_hash()))
        }),
    );
    let mut bad = good.clone();
    bad.transactions[0].outputs[0].value = bad.transactions[0].outputs[0].value.checked_add(Amount::ONE_LEOR).unwrap();
    reseal(&mut bad).unwrap();
    disqualified(&mut devnet, bad);

    // The untampered block is accepted as the new sink.
    let good_hash = good.header.hash();
    assert_eq!(devnet.node.submit_block(good, now).unwrap(), BlockStatus::UtxoValid);
    assert_eq!(devnet.node.validator().sink(), good_hash);

    // A transfer, then a bad signature and a double spend of it.
    let (sender, tx) = (0..4)
        .find_map(|m| devnet.transfer_from(m, (m + 1) % 4).unwrap().map(|tx| (m, tx)))
        .expect("some wallet has mature coins after 150 blocks");
    let now = now + 1000;
    let mut with_tx = devnet.node.template(&script, b"test", std::slice::from_ref(&tx), now).unwrap();
    assert_eq!(with_tx.transactions.len(), 2);
    mine(&mut with_tx, 0).unwrap();

    // A bad signature: the block is a chain candidate with a transaction invalid in its
    // UTXO context.
    let mut bad = with_tx.clone();
    let sig = &mut bad.transactions[1].inputs[0].signature_script;
    sig[10] ^= 1;
    reseal(&mut bad).unwrap();
    disqualified(&mut devnet, bad);

    let mut bad = with_tx.clone();
    bad.transactions.push(tx.clone());
    reseal(&mut bad).unwrap();
    assert!(matches!(rejected(&mut devnet, bad), RuleError::DuplicateTransactions(id) if id == tx.id()));

    // A different transaction, validly signed by the same wallet, spending the same
    // outputs: each alone is valid, together they double spend.
    let rival = rival_transfer(&mut devnet, sender, &tx);
    assert_ne!(rival.id(), tx.id());
    let mut bad = with_tx.clone();
    bad.transactions.push(rival);
    reseal(&mut bad).unwrap();
    let spent = tx.inputs[0].previous_outpoint;
    assert!(matches!(rejected(&mut devnet, bad), RuleError::DoubleSpendInSameBlock(o) if o == spent));

    let with_tx_hash = with_tx.header.hash();
    assert_eq!(devnet.node.submit_block(with_tx, now).unwrap(), BlockStatus::UtxoValid);
    // The template builder refuses the transfer now that its outputs are spent...
    let refused =
        devnet.node.validator().virtual_block_template(&script, b"test", std::slice::from_ref(&tx), now + 1000);
    assert!(matches!(refused, Err(TemplateError::InvalidTransactions(list)) if list.len() == 1));
    // ... and a child block carrying it again is disqualified.
    let mut again = devnet.node.template(&script, b"test", &[], now + 1000).unwrap();
    assert_eq!(again.header.direct_parents()[0], with_tx_hash);
    again.transactions.push(tx);
    reseal(&mut again).unwrap();
    disqualified(&mut devnet, again);
}

/// `tx` paying one leor more in fee, signed again by `sender`'s wallet (its key derived
/// from the seed as the devnet derives it).
fn rival_transfer(devnet: &mut Devnet, sender: usize, tx: &Transaction) -> Transaction {
    let validator = devnet.node.validator();
    let entries: Vec<UtxoEntry> =
        tx.inputs.iter().map(|i| validator.virtual_utxo(&i.previous_outpoint).expect("unspent")).collect();
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
