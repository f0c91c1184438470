//! pyrin-tx: sighash of every input of 1..1000-input transactions (the cost per input
//! stays flat: O(n) in all), Schnorr and ECDSA sign and verify beside the same raw
//! `secp256k1` calls, and whole-transaction verification sequential vs rayon.
//!
//! `schnorr_sign` and `ecdsa_sign` run with the `rand` feature, as a wallet does: they sign
//! in the process's shared context, blinded once from the operating system
//! (`pyrin_tx::sign`'s side-channel defence), so they should cost what the raw calls cost.

use std::time::Duration;

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use pyrin_core::{Amount, Transaction, TransactionId, TransactionInput, TransactionOutpoint, TransactionOutput};
use pyrin_tx::{
    address::{Address, Prefix, Version},
    script::pay_to_address,
    sighash::{SigHashType, SighashCache},
    sign::{
        ecdsa_sign_digest, ecdsa_verify_digest, par_verify_transaction, schnorr_sign_digest, schnorr_verify_digest,
        sign_transaction, verify_transaction, PrivateKey, Randomness,
    },
    UtxoEntry,
};
use secp256k1::{Keypair, Message, Secp256k1, SecretKey};

fn spend(inputs: usize, owner: &Address) -> (Transaction, Vec<UtxoEntry>) {
    let tx = Transaction {
        inputs: (0..inputs)
            .map(|i| TransactionInput {
                previous_outpoint: TransactionOutpoint::new(TransactionId::from_bytes([(i % 251) as u8; 32]), i as u32),
                signature_script: vec![],
                sequence: 0,
                sig_op_count: 1,
            })
            .collect(),
        outputs: vec![TransactionOutput::new(Amount::from_leor(1_000), pay_to_address(owner)); 2],
        ..Transaction::default()
    };
    let entries = (0..inputs)
        .map(|_| UtxoEntry {
            amount: Amount::from_leor(5_000),
            script_public_key: pay_to_address(owner),
            block_daa_score: 1,
            is_coinbase: false,
        })
        .collect();
    (tx, entries)
}

fn benches(c: &mut Criterion) {
    let key = PrivateKey::from_bytes([0x42; 32]).unwrap();
    let owner = Address::new(Prefix::Mainnet, Version::PubKey, key.schnorr_public_key().to_vec()).unwrap();

    let mut g = c.benchmark_group("tx_sighash_all_inputs");
    g.measurement_time(Duration::from_secs(2)).sample_size(20).warm_up_time(Duration::from_millis(500));
    for n in [1usize, 10, 100, 1000] {
        let (tx, entries) = spend(n, &owner);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, &n| {
            b.iter(|| {
                let cache = SighashCache::new(&tx, &entries).unwrap();
                (0..n).map(|i| cache.schnorr_hash(i, SigHashType::ALL).unwrap()).last()
            })
        });
    }
    g.finish();

    let mut g = c.benchmark_group("tx_signatures");
    g.measurement_time(Duration::from_secs(2)).sample_size(30).warm_up_time(Duration::from_millis(500));
    let digest = [7u8; 32];
    let aux = [9u8; 32];
    let secp = Secp256k1::new();
    let raw_key = SecretKey::from_slice(&[0x42; 32]).unwrap();
    let keypair = Keypair::from_secret_key(&secp, &raw_key);
    let xonly = keypair.x_only_public_key().0;
    let pubkey = key.schnorr_public_key();
    let sig = schnorr_sign_digest(&key, &digest, Randomness::Fixed(aux)).unwrap();
    let raw_sig = secp.sign_schnorr_with_aux_rand(&Message::from_digest(digest), &keypair, &aux);
    g.bench_function("schnorr_sign", |b| {
        b.iter(|| schnorr_sign_digest(&key, black_box(&digest), Randomness::Fixed(aux)))
    });
    g.bench_function("baseline_raw_schnorr_sign", |b| {
        b.iter(|| secp.sign_schnorr_with_aux_rand(&Message::from_digest(black_box(digest)), &keypair, &aux))
    });
    g.bench_function("schnorr_verify", |b| b.iter(|| schnorr_verify_digest(&pubkey, black_box(&digest), &sig)));
    g.bench_function("baseline_raw_schnorr_verify", |b| {
        b.iter(|| secp.verify_schnorr(&raw_sig, &Message::from_digest(black_box(digest)), &xonly))
    });
    // Like for like with `schnorr_verify`: key and signature arrive as bytes and are parsed.
    let (xonly_bytes, sig_bytes) = (xonly.serialize(), raw_sig.serialize());
    g.bench_function("baseline_raw_schnorr_parse_and_verify", |b| {
        b.iter(|| {
            let key = secp256k1::XOnlyPublicKey::from_slice(black_box(&xonly_bytes)).unwrap();
            let sig = secp256k1::schnorr::Signature::from_slice(black_box(&sig_bytes)).unwrap();
            secp.verify_schnorr(&sig, &Message::from_digest(black_box(digest)), &key).is_ok()
        })
    });
    let ecdsa_sig = secp.sign_ecdsa(&Message::from_digest(digest), &raw_key);
    let ecdsa_pub = raw_key.public_key(&secp);
    let (ecdsa_pub_bytes, ecdsa_sig_bytes) =
        (key.ecdsa_public_key(), ecdsa_sign_digest(&key, &digest, Randomness::Fixed(aux)).unwrap());
    g.bench_function("ecdsa_sign", |b| b.iter(|| ecdsa_sign_digest(&key, black_box(&digest), Randomness::Fixed(aux))));
    g.bench_function("ecdsa_verify", |b| {
        b.iter(|| ecdsa_verify_digest(&ecdsa_pub_bytes, black_box(&digest), &ecdsa_sig_bytes))
    });
    // Like for like with `ecdsa_verify`: key and signature arrive as bytes and are parsed.
    g.bench_function("baseline_raw_ecdsa_parse_and_verify", |b| {
        b.iter(|| {
            let key = secp256k1::PublicKey::from_slice(black_box(&ecdsa_pub_bytes)).unwrap();
            let sig = secp256k1::ecdsa::Signature::from_compact(black_box(&ecdsa_sig_bytes)).unwrap();
            secp.verify_ecdsa(&Message::from_digest(black_box(digest)), &sig, &key).is_ok()
        })
    });
    g.bench_function("baseline_raw_ecdsa_sign", |b| {
        b.iter(|| secp.sign_ecdsa(&Message::from_digest(black_box(digest)), &raw_key))
    });
    g.bench_function("baseline_raw_ecdsa_verify", |b| {
        b.iter(|| secp.verify_ecdsa(&Message::from_digest(black_box(digest)), &ecdsa_sig, &ecdsa_pub))
    });
    // One signed P2PK input, verified through the whole-transaction path.
    let (mut one, one_entries) = spend(1, &owner);
    sign_transaction(&mut one, &one_entries, &key, SigHashType::ALL, Randomness::Fixed(aux)).unwrap();
    g.bench_function("verify_transaction_1_input", |b| b.iter(|| verify_transaction(black_box(&one), &one_entries)));
    let ecdsa_owner = Address::new(Prefix::Mainnet, Version::PubKeyEcdsa, key.ecdsa_public_key().to_vec()).unwrap();
    let (mut one_ecdsa, ecdsa_entries) = spend(1, &ecdsa_owner);
    sign_transaction(&mut one_ecdsa, &ecdsa_entries, &key, SigHashType::ALL, Randomness::Fixed(aux)).unwrap();
    g.bench_function("verify_transaction_1_input_ecdsa", |b| {
        b.iter(|| verify_transaction(black_box(&one_ecdsa), &ecdsa_entries))
    });
    g.finish();

    let mut g = c.benchmark_group("tx_verify_1000_inputs");
    g.measurement_time(Duration::from_secs(6)).sample_size(10).warm_up_time(Duration::from_secs(1));
    let (mut big, big_entries) = spend(1000, &owner);
    sign_transaction(&mut big, &big_entries, &key, SigHashType::ALL, Randomness::Fixed(aux)).unwrap();
    g.throughput(Throughput::Elements(1000));
    g.bench_function("sequential", |b| b.iter(|| verify_transaction(black_box(&big), &big_entries)));
    g.bench_function("rayon", |b| b.iter(|| par_verify_transaction(black_box(&big), &big_entries)));
    g.finish();
}

criterion_group!(tx, benches);
criterion_main!(tx);
