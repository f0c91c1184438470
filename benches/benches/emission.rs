//! pyrin-emission: subsidy lookup, cumulative supply (O(1) beside a month-by-month loop)
//! and reward splits over 10,000 miners (beside a plain floor-only division, which loses
//! the leftover leor).

use std::time::Duration;

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use pyrin_core::{params::Network, Amount};
use pyrin_emission::{
    payout::{pplns, split_proportional, Share},
    EmissionSchedule,
};

fn schedule(c: &mut Criterion) {
    let s = EmissionSchedule::for_network(Network::Mainnet);
    let mut g = c.benchmark_group("emission");
    g.measurement_time(Duration::from_secs(2)).sample_size(30).warm_up_time(Duration::from_millis(500));
    let mut d = 0u64;
    g.bench_function("subsidy", |b| {
        b.iter(|| {
            d = d.wrapping_add(7_919_113) % 1_000_000_000;
            s.subsidy(black_box(d))
        })
    });
    g.bench_function("cumulative_subsidy", |b| {
        b.iter(|| {
            d = d.wrapping_add(7_919_113) % 1_000_000_000;
            s.cumulative_subsidy(black_box(d))
        })
    });
    g.bench_function("baseline_cumulative_by_month_loop", |b| {
        b.iter(|| {
            d = d.wrapping_add(7_919_113) % 1_000_000_000;
            cumulative_by_loop(&s, black_box(d))
        })
    });
    g.bench_function("daa_score_reaching", |b| {
        b.iter(|| s.daa_score_reaching(black_box(Amount::from_leor(50_000_000_000_000_000))))
    });

    let shares: Vec<u64> = (0..10_000u64).map(|i| 1 + (i * 2_654_435_761) % 10_000).collect();
    let window: Vec<Share<u32>> =
        (0..10_000u32).map(|i| Share { miner: i % 2_000, difficulty: 1 + u64::from(i % 64) * 1024 }).collect();
    g.throughput(Throughput::Elements(10_000));
    g.bench_function("split_10000_miners", |b| {
        b.iter(|| split_proportional(black_box(Amount::from_leor(1_400_000_000)), &shares))
    });
    g.bench_function("baseline_floor_split_10000_miners", |b| {
        b.iter(|| {
            let total: u128 = shares.iter().map(|&s| u128::from(s)).sum();
            shares
                .iter()
                .map(|&s| (u128::from(black_box(1_400_000_000u64)) * u128::from(s) / total) as u64)
                .collect::<Vec<_>>()
        })
    });
    g.bench_function("pplns_10000_shares", |b| {
        b.iter(|| pplns(black_box(Amount::from_leor(1_400_000_000)), &window, 10_000))
    });
    g.finish();
}

/// The plain way: add whole months until the score.
fn cumulative_by_loop(s: &EmissionSchedule, daa_score: u64) -> u64 {
    let pre = daa_score.min(s.deflationary_phase_daa_score());
    let mut total = pre * s.pre_deflationary_subsidy().to_leor();
    let mut at = s.deflationary_phase_daa_score();
    for &entry in s.monthly_table() {
        if at >= daa_score {
            break;
        }
        let blocks = (daa_score - at).min(s.blocks_per_month());
        total += blocks * entry;
        at += blocks;
    }
    total
}

criterion_group!(benches, schedule);
criterion_main!(benches);
