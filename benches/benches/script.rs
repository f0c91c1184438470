//! pyrin-tx's script engine beside raw libsecp256k1, on the scripts the issue names (the
//! same scripts a scratch harness runs through the reference's `kaspa-txscript`):
//!
//! - `p2pk_engine`: a P2PK Schnorr input through the engine, with a fresh sighash cache per
//!   run (so its signature hash is computed each time) and no signature cache, beside
//!   `p2pk_raw`: parsing the key and the signature and verifying them with libsecp256k1.
//! - `multisig_2of3_engine`: a 2-of-3 P2SH Schnorr multisig input, beside
//!   `schnorr_verify_parsed`: one raw verify of already-parsed objects.
//! - `fixed`: an input whose script public key is `OP_TRUE`: the fixed cost of a run.
//! - `add_pairs/N`, `dup_drop_pairs/N`: `OP_1` then N × (`OP_1 OP_ADD`) or
//!   N × (`OP_DUP OP_DROP`); the cost of a pair is (t(100) − t(0)) / 100.
//! - `blake3_80`: a raw BLAKE3 hash of 80 bytes, the yardstick shared by every run.

use std::time::Duration;

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion};
use pyrin_core::{
    Amount, ScriptPublicKey, Transaction, TransactionId, TransactionInput, TransactionOutpoint, TransactionOutput,
};
use pyrin_tx::engine::Engine;
use pyrin_tx::opcodes::{OP_ADD, OP_CHECK_MULTI_SIG, OP_DROP, OP_DUP, OP_TRUE};
use pyrin_tx::script::{p2pk_signature_script, pay_to_address, pay_to_script_hash};
use pyrin_tx::script_asm::{push_data, push_number};
use pyrin_tx::sighash::{SigHashType, SighashCache};
use pyrin_tx::sign::{schnorr_sign_digest, PrivateKey, Randomness};
use pyrin_tx::UtxoEntry;
use secp256k1::{schnorr, Message, Secp256k1, XOnlyPublicKey};

fn entry(script_public_key: ScriptPublicKey) -> UtxoEntry {
    UtxoEntry { amount: Amount::from_leor(10_000), script_public_key, block_daa_score: 1, is_coinbase: false }
}

/// A one-input, one-output spend declaring `sig_op_count`.
fn spend(sig_op_count: u8) -> Transaction {
    let input = TransactionInput::new(TransactionOutpoint::new(TransactionId::from_bytes([7; 32]), 0), 0, sig_op_count);
    Transaction {
        inputs: vec![input],
        outputs: vec![TransactionOutput::new(Amount::from_leor(9_000), ScriptPublicKey::new(0, vec![OP_TRUE]))],
        ..Transaction::default()
    }
}

/// Signs input 0 of `tx` with each key and returns the signature-script pushes.
fn signatures(tx: &Transaction, entries: &[UtxoEntry], keys: &[&PrivateKey]) -> Vec<u8> {
    let cache = SighashCache::new(tx, entries).unwrap();
    let digest = cache.schnorr_hash(0, SigHashType::ALL).unwrap();
    let mut script = Vec::new();
    for key in keys {
        let sig = schnorr_sign_digest(key, digest.as_bytes(), Randomness::Fixed([1; 32])).unwrap();
        script.extend(p2pk_signature_script(&sig, SigHashType::ALL.to_u8()));
    }
    script
}

fn run(tx: &Transaction, entries: &[UtxoEntry]) {
    let cache = SighashCache::new(tx, entries).unwrap();
    Engine::new(&cache, 0).unwrap().execute().unwrap();
}

fn benches(c: &mut Criterion) {
    let keys: Vec<PrivateKey> = (1..=3).map(|b| PrivateKey::from_bytes([b; 32]).unwrap()).collect();
    let secp = Secp256k1::verification_only();

    let mut g = c.benchmark_group("script");
    g.measurement_time(Duration::from_secs(3)).sample_size(30).warm_up_time(Duration::from_millis(500));
    g.bench_function("blake3_80", |b| b.iter(|| blake3::hash(black_box(&[0x5a; 80]))));

    // P2PK.
    let p2pk = [entry(pay_to_address(&keys[0].schnorr_address(Prefix::Mainnet)))];
    let mut p2pk_tx = spend(1);
    p2pk_tx.inputs[0].signature_script = signatures(&p2pk_tx, &p2pk, &[&keys[0]]);
    g.bench_function("p2pk_engine", |b| b.iter(|| run(black_box(&p2pk_tx), &p2pk)));
    let digest = SighashCache::new(&p2pk_tx, &p2pk).unwrap().schnorr_hash(0, SigHashType::ALL).unwrap();
    let (raw_key, raw_sig) = (keys[0].schnorr_public_key(), p2pk_tx.inputs[0].signature_script[1..65].to_vec());
    g.bench_function("p2pk_raw", |b| {
        b.iter(|| {
            let key = XOnlyPublicKey::from_slice(black_box(&raw_key)).unwrap();
            let sig = schnorr::Signature::from_slice(black_box(&raw_sig)).unwrap();
            secp.verify_schnorr(&sig, &Message::from_digest(digest.to_bytes()), &key).unwrap();
        })
    });

    // 2-of-3 P2SH multisig, signed by the first and the second key (two verifications, as in
    // the reference harness).
    let mut redeem = Vec::new();
    push_number(&mut redeem, 2);
    for key in &keys {
        push_data(&mut redeem, &key.schnorr_public_key()).unwrap();
    }
    push_number(&mut redeem, 3);
    redeem.push(OP_CHECK_MULTI_SIG);
    let multisig = [entry(pay_to_script_hash(&redeem))];
    let mut multisig_tx = spend(3);
    let mut script = signatures(&multisig_tx, &multisig, &[&keys[0], &keys[1]]);
    push_data(&mut script, &redeem).unwrap();
    multisig_tx.inputs[0].signature_script = script;
    g.bench_function("multisig_2of3_engine", |b| b.iter(|| run(black_box(&multisig_tx), &multisig)));
    let key = XOnlyPublicKey::from_slice(&raw_key).unwrap();
    let sig = schnorr::Signature::from_slice(&raw_sig).unwrap();
    let msg = Message::from_digest(digest.to_bytes());
    g.bench_function("schnorr_verify_parsed", |b| {
        b.iter(|| secp.verify_schnorr(black_box(&sig), black_box(&msg), black_box(&key)).unwrap())
    });

    // Interpretation.
    let bare = |script: Vec<u8>| (spend(0), [entry(ScriptPublicKey::new(0, script))]);
    let (tx, entries) = bare(vec![OP_TRUE]);
    g.bench_function("fixed", |b| b.iter(|| run(black_box(&tx), &entries)));
    for (name, pair) in [("add_pairs", [OP_TRUE, OP_ADD]), ("dup_drop_pairs", [OP_DUP, OP_DROP])] {
        for n in [0usize, 100] {
            let mut script = vec![OP_TRUE];
            for _ in 0..n {
                script.extend(pair);
            }
            let (tx, entries) = bare(script);
            g.bench_with_input(BenchmarkId::new(name, n), &n, |b, _| b.iter(|| run(black_box(&tx), &entries)));
        }
    }
    g.finish();
}

use pyrin_tx::address::Prefix;

criterion_group!(script, benches);
criterion_main!(script);
