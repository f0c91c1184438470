//! pyrin-tx's MuHash: adding one UTXO (element hash + one 3072-bit modular product) and its
//! parts, beside plain BLAKE3 of the same bytes and the schoolbook twin of the product; the
//! inverse and `finalize`; the commitment of a 1,000,000-UTXO set, one core and all cores.
//!
//! The reference node (`kaspa-muhash`) is measured elsewhere; its figures on these machines
//! are about 2.4 µs per added element and 2.4 s for a 1,000,000-element set.

use std::time::Duration;

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use pyrin_core::{Amount, TransactionId, TransactionOutpoint};
use pyrin_tx::address::{Address, Prefix, Version};
use pyrin_tx::muhash::internals::{self, Number};
use pyrin_tx::muhash::{utxo_element_bytes, MuHash};
use pyrin_tx::script::pay_to_address;
use pyrin_tx::UtxoEntry;
use rayon::prelude::*;

/// A P2PK Schnorr UTXO (97 element bytes), varied by `i`.
fn utxo(i: u32) -> (TransactionOutpoint, UtxoEntry) {
    let mut id = [0u8; 32];
    id[..4].copy_from_slice(&i.to_le_bytes());
    id[4..8].copy_from_slice(&i.wrapping_mul(0x9e37_79b9).to_le_bytes());
    let owner = Address::new(Prefix::Mainnet, Version::PubKey, vec![(i % 251) as u8; 32]).unwrap();
    (
        TransactionOutpoint::new(TransactionId::from_bytes(id), i % 7),
        UtxoEntry {
            amount: Amount::from_leor(u64::from(i) * 1_000 + 1),
            script_public_key: pay_to_address(&owner),
            block_daa_score: 1_000_000 + u64::from(i),
            is_coinbase: i % 10 == 0,
        },
    )
}

fn number(fill: u8) -> Number {
    let mut bytes = [fill; 384];
    bytes[383] = 0x7f;
    internals::element(&bytes).mul(&Number::from_le_bytes(&bytes))
}

fn one_element(c: &mut Criterion) {
    let (outpoint, entry) = utxo(7);
    let bytes = utxo_element_bytes(&outpoint, &entry);
    assert_eq!(bytes.len(), 97);

    let mut g = c.benchmark_group("muhash");
    g.measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_millis(500));
    g.throughput(Throughput::Elements(1));

    g.bench_function("add_utxo", |b| {
        let mut set = MuHash::new();
        b.iter(|| set.add_utxo(black_box(&outpoint), black_box(&entry)));
        black_box(set);
    });
    g.bench_function("remove_utxo", |b| {
        let mut set = MuHash::new();
        b.iter(|| set.remove_utxo(black_box(&outpoint), black_box(&entry)));
        black_box(set);
    });
    g.bench_function("add_element_97_bytes", |b| {
        let mut set = MuHash::new();
        b.iter(|| set.add_element(black_box(&bytes)));
        black_box(set);
    });

    // The parts of an addition.
    g.bench_function("element_hash", |b| b.iter(|| internals::element(black_box(&bytes))));
    g.bench_function("element_hash/blake2b_keyed", |b| b.iter(|| internals::element_seed(black_box(&bytes))));
    g.bench_function("element_hash/blake2b_keyed/portable", |b| {
        b.iter(|| internals::element_seed_portable(black_box(&bytes)))
    });
    let seed = internals::element_seed(&bytes);
    g.bench_function("element_hash/chacha20_expand", |b| b.iter(|| internals::expand(black_box(&seed))));
    g.bench_function("element_hash/chacha20_expand/portable", |b| {
        b.iter(|| internals::expand_portable(black_box(&seed)))
    });
    g.bench_function("baseline_blake3_97_bytes", |b| b.iter(|| blake3::hash(black_box(&bytes))));

    let (x, y) = (number(0x5a), number(0xa7));
    g.bench_function("field_mul", |b| b.iter(|| black_box(&x).mul(black_box(&y))));
    g.bench_function("field_mul/portable_karatsuba", |b| b.iter(|| black_box(&x).mul_portable(black_box(&y))));
    g.bench_function("field_mul/schoolbook_twin", |b| b.iter(|| black_box(&x).mul_plain(black_box(&y))));
    g.bench_function("field_inverse", |b| b.iter(|| black_box(&x).inverse()));

    // A value with additions and removals (the inversion included), and a normalized one.
    let mut set = MuHash::new();
    set.add_element(b"added");
    set.remove_element(b"removed");
    g.bench_function("finalize", |b| b.iter(|| black_box(&set).finalize()));
    let mut normalized = set.clone();
    normalized.normalize();
    g.bench_function("finalize/normalized", |b| b.iter(|| black_box(&normalized).finalize()));
    g.finish();
}

fn whole_set(c: &mut Criterion) {
    const N: u32 = 1_000_000;
    let utxos: Vec<(TransactionOutpoint, UtxoEntry)> = (0..N).map(utxo).collect();
    let expected = {
        let mut set = MuHash::new();
        for (outpoint, entry) in &utxos[..1000] {
            set.add_utxo(outpoint, entry);
        }
        set.finalize()
    };
    assert_eq!(
        MuHash::par_from_utxos(utxos[..1000].par_iter().map(|(o, e)| (o, e))).finalize(),
        expected,
        "the parallel and sequential sets differ"
    );

    let mut g = c.benchmark_group("muhash/set_1m");
    g.sample_size(10).measurement_time(Duration::from_secs(20)).warm_up_time(Duration::from_secs(1));
    g.throughput(Throughput::Elements(u64::from(N)));
    g.bench_function(BenchmarkId::new("commitment", "sequential"), |b| {
        b.iter(|| utxos.iter().map(|(o, e)| (o, e)).collect::<MuHash>().finalize())
    });
    g.bench_function(
        BenchmarkId::new("commitment", format!("parallel_{}_threads", rayon::current_num_threads())),
        |b| b.iter(|| MuHash::par_from_utxos(utxos.par_iter().map(|(o, e)| (o, e))).finalize()),
    );
    g.finish();
}

criterion_group!(muhash, one_element, whole_set);
criterion_main!(muhash);
