//! pyrin-ghostdag: processing the benchmark DAGs (k = 18, 2^12..2^14 blocks, with and
//! without an attacker) from genesis, in blocks per second, beside a baseline that only
//! inserts the same blocks into a hash map (the cost floor of any store).

use std::{collections::HashMap, io::Read, path::PathBuf, time::Duration};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use pyrin_core::{BlueWork, Hash};
use pyrin_ghostdag::Ghostdag;

fn dags_dir() -> PathBuf {
    std::env::var_os("PYRIN_DAGS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/dags")))
}

fn hash_of(id: &str) -> Hash {
    let mut h = [0u8; 32];
    let b = id.as_bytes();
    h[..b.len().min(32)].copy_from_slice(&b[..b.len().min(32)]);
    Hash::from_bytes(h)
}

/// Blocks with their parents, parents first.
type Blocks = Vec<(Hash, Vec<Hash>)>;

/// (genesis, blocks with parents) of one DAG file.
fn load(name: &str) -> Option<(Hash, Blocks)> {
    let file = std::fs::File::open(dags_dir().join(name)).ok()?;
    let mut text = String::new();
    flate2::read::GzDecoder::new(file).read_to_string(&mut text).ok()?;
    let value: serde_json::Value = serde_json::from_str(&text).ok()?;
    let mut blocks = Vec::new();
    for b in value.as_array()? {
        let parents = b["parents"].as_array()?.iter().map(|p| p.as_str().map(hash_of)).collect::<Option<Vec<_>>>()?;
        blocks.push((hash_of(b["id"].as_str()?), parents));
    }
    let (genesis, _) = blocks.remove(0);
    Some((genesis, blocks))
}

fn run(genesis: Hash, blocks: &[(Hash, Vec<Hash>)]) -> Ghostdag {
    let one = BlueWork::from_u64(1);
    let mut dag = Ghostdag::new(18, genesis, one).expect("work is not zero");
    for (hash, parents) in blocks {
        dag.add_block(*hash, parents, one).expect("benchmark DAGs are valid");
    }
    dag
}

fn dags(c: &mut Criterion) {
    let mut g = c.benchmark_group("ghostdag");
    g.measurement_time(Duration::from_secs(5)).sample_size(10).warm_up_time(Duration::from_secs(1));
    for shape in ["noattack", "attack"] {
        for exp in [12, 13, 14] {
            let name = format!("{shape}-dag-blocks--2^{exp}-delay-factor--1-k--18.json.gz");
            let Some((genesis, blocks)) = load(&name) else {
                eprintln!("skipping {name}: not found under {}", dags_dir().display());
                continue;
            };
            g.throughput(Throughput::Elements(blocks.len() as u64 + 1));
            g.bench_with_input(BenchmarkId::new(shape, format!("2^{exp}")), &blocks, |b, blocks| {
                b.iter(|| run(genesis, blocks))
            });
            g.bench_with_input(
                BenchmarkId::new(format!("baseline_hashmap_{shape}"), format!("2^{exp}")),
                &blocks,
                |b, blocks| {
                    b.iter(|| {
                        let mut map = HashMap::with_capacity(blocks.len());
                        for (hash, parents) in blocks {
                            map.insert(*hash, parents.len());
                        }
                        map
                    })
                },
            );
        }
    }
    g.finish();
}

criterion_group!(benches, dags);
criterion_main!(benches);
