//! pyrin-pow hot paths beside a raw 80-byte `blake3::hash` baseline (the PoW input's size).
//!
//! Per-nonce figures: `pow/plain_nonce` (the straightforward scalar route),
//! `pow/fast_one_nonce` and `pow/fast_portable_one_nonce` (one nonce alone, as a share
//! check computes it), `pow/fast_nonces` and `pow/fast_portable_nonces` (per nonce,
//! [`LANES`] at a time), and
//! the searches over 2^20 nonces on one thread and on all rayon threads.

use std::time::Duration;

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use pyrin_core::{BlockHash, BlueWork, CompactTarget, Hash, Header, MerkleRoot, PowValue, UtxoCommitment};
use pyrin_pow::{par_search, search, PowState, LANES};

fn template() -> Header {
    let h = |i: u8| Hash::from_bytes([i; 32]);
    let bh = |i: u8| BlockHash::from_bytes([i; 32]);
    Header {
        version: 1,
        parents_by_level: vec![(0..10).map(bh).collect(), vec![bh(20)]],
        hash_merkle_root: MerkleRoot::from_raw_hash(h(30)),
        accepted_id_merkle_root: MerkleRoot::from_raw_hash(h(31)),
        utxo_commitment: UtxoCommitment::from_raw_hash(h(32)),
        timestamp: 1_724_969_400_000,
        // A target no nonce meets, so that searches run their whole range.
        bits: CompactTarget::from_consensus(0x0300_0001),
        nonce: 0,
        daa_score: 30_000_000,
        blue_score: 29_000_000,
        blue_work: BlueWork::from_limbs([0x1234_5678_9abc_def0, 0x12_3456, 0]),
        pruning_point: bh(33),
    }
}

fn per_nonce(c: &mut Criterion) {
    let header = template();
    let state = PowState::new(&header).expect("non-zero pre-PoW hash");
    let mut portable = state.clone();
    portable.force_portable();
    eprintln!("fast path backend on this CPU: {:?}", state.backend());

    let mut g = c.benchmark_group("pow");
    g.measurement_time(Duration::from_secs(3)).sample_size(30).warm_up_time(Duration::from_secs(1));

    let mut input = [0u8; 80];
    input[..32].copy_from_slice(&[7; 32]);
    g.throughput(Throughput::Elements(1));
    g.bench_function("baseline_blake3_hash_80_bytes", |b| {
        b.iter(|| {
            input[72] = input[72].wrapping_add(1);
            blake3::hash(black_box(&input))
        })
    });
    g.bench_function("template_setup", |b| b.iter(|| PowState::new(black_box(&header))));
    // The setup's dominant step, the rank test, on its fast and plain routes.
    g.bench_function("matrix_rank", |b| b.iter(|| black_box(state.matrix()).rank()));
    g.bench_function("matrix_rank_plain", |b| b.iter(|| black_box(state.matrix()).rank_plain()));
    let mut nonce = 0u64;
    g.bench_function("plain_nonce", |b| {
        b.iter(|| {
            nonce = nonce.wrapping_add(1);
            state.pow_value_plain(black_box(nonce))
        })
    });
    // One nonce alone, as a pool checks a share: one lane's compressions, the fast product.
    g.bench_function("fast_one_nonce", |b| {
        b.iter(|| {
            nonce = nonce.wrapping_add(1);
            state.pow_value(black_box(nonce))
        })
    });
    g.bench_function("fast_portable_one_nonce", |b| {
        b.iter(|| {
            nonce = nonce.wrapping_add(1);
            portable.pow_value(black_box(nonce))
        })
    });
    g.throughput(Throughput::Elements(LANES as u64));
    let mut values = [PowValue::default(); LANES];
    g.bench_function("fast_nonces", |b| {
        b.iter(|| {
            nonce = nonce.wrapping_add(LANES as u64);
            state.pow_values(black_box(nonce), &mut values);
            values[3]
        })
    });
    g.bench_function("fast_portable_nonces", |b| {
        b.iter(|| {
            nonce = nonce.wrapping_add(LANES as u64);
            portable.pow_values(black_box(nonce), &mut values);
            values[3]
        })
    });
    g.finish();
}

fn searches(c: &mut Criterion) {
    let state = PowState::new(&template()).expect("non-zero pre-PoW hash");
    let mut g = c.benchmark_group("pow_search_2^20");
    g.measurement_time(Duration::from_secs(10)).sample_size(10).warm_up_time(Duration::from_secs(1));
    g.throughput(Throughput::Elements(1 << 20));
    g.bench_function("sequential", |b| b.iter(|| search(&state, black_box(0..1 << 20))));
    g.bench_function("rayon", |b| b.iter(|| par_search(&state, black_box(0..1 << 20))));
    g.finish();
}

criterion_group!(benches, per_nonce, searches);
criterion_main!(benches);
