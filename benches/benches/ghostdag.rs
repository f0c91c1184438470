//! pyrin-ghostdag: processing the benchmark DAGs (k = 18, 2^12..2^14 blocks, with and
//! without an attacker) from genesis, in blocks per second, beside a baseline that only
//! inserts the same blocks into a hash map (the cost floor of any store).

use std::{
    collections::HashMap,
    io::Read,
    path::{Path, PathBuf},
    time::Duration,
};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use pyrin_core::BlockHash;
use pyrin_core::BlueWork;
use pyrin_ghostdag::{BlockId, Ghostdag, GhostdagStore};

fn dags_dir() -> PathBuf {
    std::env::var_os("PYRIN_DAGS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/dags")))
}

fn hash_of(id: &str) -> BlockHash {
    let mut h = [0u8; 32];
    let b = id.as_bytes();
    h[..b.len().min(32)].copy_from_slice(&b[..b.len().min(32)]);
    BlockHash::from_bytes(h)
}

/// Blocks with their parents, parents first.
type Blocks = Vec<(BlockHash, Vec<BlockHash>)>;

/// Why a DAG file could not be used: absent (the bench is skipped) or broken (an error).
enum LoadError {
    NotFound,
    Broken(String),
}

/// (genesis, blocks with parents) of one DAG file.
fn load(path: &Path) -> Result<(BlockHash, Blocks), LoadError> {
    let file = std::fs::File::open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => LoadError::NotFound,
        _ => LoadError::Broken(format!("cannot open: {e}")),
    })?;
    let broken = |what: &str| LoadError::Broken(what.to_string());
    let mut text = String::new();
    flate2::read::GzDecoder::new(file)
        .read_to_string(&mut text)
        .map_err(|e| LoadError::Broken(format!("cannot decompress: {e}")))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| LoadError::Broken(format!("invalid JSON: {e}")))?;
    let mut blocks = Vec::new();
    for (i, b) in value.as_array().ok_or_else(|| broken("not a list of blocks"))?.iter().enumerate() {
        let parents = b["parents"]
            .as_array()
            .ok_or_else(|| broken(&format!("block {i}: no `parents` list")))?
            .iter()
            .map(|p| p.as_str().map(hash_of))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| broken(&format!("block {i}: a parent is not a string")))?;
        let id = b["id"].as_str().ok_or_else(|| broken(&format!("block {i}: no string `id`")))?;
        blocks.push((hash_of(id), parents));
    }
    if blocks.is_empty() {
        return Err(broken("no blocks (genesis missing)"));
    }
    let (genesis, _) = blocks.remove(0);
    Ok((genesis, blocks))
}

fn run(genesis: BlockHash, blocks: &[(BlockHash, Vec<BlockHash>)]) -> Ghostdag {
    let one = BlueWork::from_u64(1);
    let mut dag = Ghostdag::new(18, genesis, one).expect("work is not zero");
    for (hash, parents) in blocks {
        dag.add_block(*hash, parents, one).expect("benchmark DAGs are valid");
    }
    dag
}

/// Sizes of the reachability index's future covering sets (they bound the query cost).
fn covering_set_report(dag: &Ghostdag) -> String {
    let n = dag.store().len();
    let sizes = (0..n as u32).map(|i| dag.store().future_covering_set(BlockId::from_index(i)).len());
    let (max, total) = sizes.fold((0, 0), |(m, t), s| (m.max(s), t + s));
    format!("future covering sets: max {max}, mean {:.3} over {n} blocks", total as f64 / n as f64)
}

fn dags(c: &mut Criterion) {
    let mut g = c.benchmark_group("ghostdag");
    g.measurement_time(Duration::from_secs(5)).sample_size(10).warm_up_time(Duration::from_secs(1));
    for shape in ["noattack", "attack"] {
        for exp in [12, 13, 14] {
            let name = format!("{shape}-dag-blocks--2^{exp}-delay-factor--1-k--18.json.gz");
            let path = dags_dir().join(&name);
            let (genesis, blocks) = match load(&path) {
                Ok(dag) => dag,
                Err(LoadError::NotFound) => {
                    eprintln!("skipping {name}: not found under {}", dags_dir().display());
                    continue;
                }
                Err(LoadError::Broken(why)) => panic!("{}: {why}", path.display()),
            };
            eprintln!("{shape} 2^{exp}: {}", covering_set_report(&run(genesis, &blocks)));
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
