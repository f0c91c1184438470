//! pyrin-core hot paths, each beside a baseline that hashes the same pre-serialised
//! bytes with keyed `blake3` directly, so the ratio shows the cost of our encoding.

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use pyrin_core::TxEncoding;
use pyrin_core::{
    hashers, merkle, Amount, BlockHash, BlueWork, CompactTarget, Encode, Hash, Header, MerkleRoot, ScriptPublicKey,
    SubnetworkId, Transaction, TransactionId, TransactionInput, TransactionOutpoint, TransactionOutput, UtxoCommitment,
};

/// A mainnet-shaped header: 10 direct parents and a few higher levels.
fn sample_header() -> Header {
    let h = |i: u8| Hash::from_bytes([i; 32]);
    let bh = |i: u8| BlockHash::from_bytes([i; 32]);
    Header {
        version: 1,
        parents_by_level: vec![(0..10).map(bh).collect(), (10..13).map(bh).collect(), vec![bh(20)]],
        hash_merkle_root: MerkleRoot::from_raw_hash(h(30)),
        accepted_id_merkle_root: MerkleRoot::from_raw_hash(h(31)),
        utxo_commitment: UtxoCommitment::from_raw_hash(h(32)),
        timestamp: 1_724_969_400_000,
        bits: CompactTarget::from_consensus(0x1d0f_ffff),
        nonce: 0x1234_5678_9abc_def0,
        daa_score: 27_000_000,
        blue_score: 26_000_000,
        blue_work: BlueWork::from_limbs([0x1234_5678_9abc_def0, 0x12_3456, 0]),
        pruning_point: bh(33),
    }
}

/// A header past the 1 KiB hashing buffer, like the vectors' real headers with many
/// levels (10 direct parents and 25 higher levels of 2: about 2.4 KiB encoded).
fn large_header() -> Header {
    let mut header = sample_header();
    header.parents_by_level = core::iter::once((0..10).map(|i| BlockHash::from_bytes([i; 32])).collect())
        .chain((0..25u8).map(|l| vec![BlockHash::from_bytes([100 + l; 32]), BlockHash::from_bytes([200 - l; 32])]))
        .collect();
    header
}

/// A 2-input, 2-output P2PK transfer.
fn sample_tx(seed: u8) -> Transaction {
    let input = |i: u8| TransactionInput {
        previous_outpoint: TransactionOutpoint::new(TransactionId::from_bytes([seed ^ i; 32]), i as u32),
        signature_script: vec![0x41; 66],
        sequence: 0,
        sig_op_count: 1,
    };
    let output = |v: u64| TransactionOutput::new(Amount::from_leor(v), ScriptPublicKey::new(0, vec![0x20; 34]));
    Transaction {
        version: 0,
        inputs: vec![input(0), input(1)],
        outputs: vec![output(100_000_000), output(5_000)],
        lock_time: 0,
        subnetwork_id: SubnetworkId::NATIVE,
        gas: 0,
        payload: vec![],
    }
}

fn header_hashing(c: &mut Criterion) {
    let header = sample_header();
    let bytes = header.to_bytes();
    let mut zeroed = header.clone();
    zeroed.timestamp = 0;
    zeroed.nonce = 0;
    let zeroed_bytes = zeroed.to_bytes();
    let key = hashers::BLOCK_HASH.key();

    let mut g = c.benchmark_group("header");
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.bench_function("hash", |b| b.iter(|| black_box(&header).hash()));
    g.bench_function("hash/baseline_blake3_keyed_preserialised", |b| {
        b.iter(|| blake3::keyed_hash(key, black_box(&bytes)))
    });
    let large = large_header();
    let large_bytes = large.to_bytes();
    g.throughput(Throughput::Bytes(large_bytes.len() as u64));
    g.bench_function("hash_large", |b| b.iter(|| black_box(&large).hash()));
    g.bench_function("hash_large/baseline_blake3_keyed_preserialised", |b| {
        b.iter(|| blake3::keyed_hash(key, black_box(&large_bytes)))
    });
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.bench_function("pre_pow_hash", |b| b.iter(|| black_box(&header).pre_pow_hash()));
    g.bench_function("pre_pow_hash/baseline_blake3_keyed_preserialised", |b| {
        b.iter(|| blake3::keyed_hash(key, black_box(&zeroed_bytes)))
    });
    g.finish();
}

fn tx_hashing(c: &mut Criterion) {
    let tx = sample_tx(1);
    let mut id_bytes = Vec::new();
    tx.encode_with(&mut id_bytes, TxEncoding::ExcludeSignatureScripts);
    let key = hashers::TRANSACTION_ID.key();

    let mut g = c.benchmark_group("tx");
    g.bench_function("id", |b| b.iter(|| black_box(&tx).id()));
    g.bench_function("id/baseline_blake3_keyed_preserialised", |b| {
        b.iter(|| blake3::keyed_hash(key, black_box(&id_bytes)))
    });
    g.finish();
}

fn merkle_roots(c: &mut Criterion) {
    let txs: Vec<Transaction> = (0..1000).map(|i| sample_tx(i as u8)).collect();
    let encoded: Vec<Vec<u8>> = txs.iter().map(|t| t.to_bytes()).collect();
    let hash_key = hashers::TRANSACTION_HASH.key();
    let branch_key = hashers::MERKLE_BRANCH_HASH.key();

    let mut g = c.benchmark_group("merkle");
    g.throughput(Throughput::Elements(1000));
    g.bench_with_input(BenchmarkId::new("hash_merkle_root", 1000), &txs, |b, txs| {
        b.iter(|| merkle::hash_merkle_root(txs))
    });
    g.bench_with_input(
        BenchmarkId::new("hash_merkle_root/baseline_blake3_keyed_preserialised", 1000),
        &encoded,
        |b, enc| {
            b.iter(|| {
                // The same tree with the leaves hashed from pre-serialised bytes.
                let mut level: Vec<[u8; 32]> =
                    enc.iter().map(|e| *blake3::keyed_hash(hash_key, e).as_bytes()).collect();
                while level.len() > 1 {
                    let next: Vec<[u8; 32]> = level
                        .chunks(2)
                        .map(|pair| {
                            let mut buf = [0u8; 64];
                            buf[..32].copy_from_slice(&pair[0]);
                            if let Some(right) = pair.get(1) {
                                buf[32..].copy_from_slice(right);
                            }
                            *blake3::keyed_hash(branch_key, &buf).as_bytes()
                        })
                        .collect();
                    level = next;
                }
                level[0]
            })
        },
    );
    g.finish();
}

criterion_group!(benches, header_hashing, tx_hashing, merkle_roots);
criterion_main!(benches);
