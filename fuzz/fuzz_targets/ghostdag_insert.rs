#![no_main]
//! Inserting arbitrary DAGs (arbitrary parent lists, duplicates, unknown parents, blocks
//! added twice, arbitrary works including zero, a small mergeset size limit) never
//! panics; rejected blocks change nothing (store and tips); the queries answer without
//! panicking and agree with each other.

use libfuzzer_sys::fuzz_target;
use pyrin_core::BlockHash;
use pyrin_core::BlueWork;
use pyrin_ghostdag::{BlockId, Ghostdag, GhostdagStore};

fuzz_target!(|input: (u8, u8, u8, Vec<(u8, u8, Vec<u8>)>)| {
    let (k, limit, genesis_work, blocks) = input;
    let h = |b: u8| BlockHash::from_bytes([b; 32]);
    let Ok(dag) = Ghostdag::new(u16::from(k % 8), h(0), BlueWork::from_u64(u64::from(genesis_work))) else {
        assert_eq!(genesis_work, 0, "only zero work is refused");
        return;
    };
    // Limits from 1 to 32, or none.
    let mut dag = if limit < 32 { dag.with_mergeset_size_limit(u64::from(limit) + 1) } else { dag };
    for (id, work, parents) in blocks.into_iter().take(64) {
        let parents: Vec<BlockHash> = parents.into_iter().take(8).map(h).collect();
        let before = dag.store().len();
        let tips_before = dag.tips().to_vec();
        match dag.add_block(h(id), &parents, BlueWork::from_u64(u64::from(work))) {
            Ok(new) => {
                assert_eq!(dag.store().len(), before + 1);
                assert!(work != 0, "zero work is refused");
                let data = dag.data(new);
                if let Some(limit) = dag.mergeset_size_limit() {
                    assert!((data.mergeset_blues.len() + data.mergeset_reds.len()) as u64 <= limit);
                }
                for &p in dag.store().parents(new) {
                    assert!(dag.is_ancestor(p, new) && !dag.is_ancestor(new, p));
                }
            }
            Err(_) => {
                assert_eq!(dag.store().len(), before);
                assert_eq!(dag.tips(), &tips_before[..], "a rejected block leaves the tips alone");
            }
        }
    }
    let n = dag.store().len() as u32;
    let virtual_data = dag.virtual_data().expect("works are below 256, far from overflowing");
    // Genesis is in no blue-work window (as in the reference), so the virtual's unbounded
    // window is every other block of the DAG, once each, best (blue work, hash) first;
    // a smaller window is its head.
    let window = dag.blue_work_window(&virtual_data, usize::MAX);
    assert_eq!(window.len() as u32, n - 1, "the virtual's past is the whole DAG, genesis left out");
    let mut seen = vec![false; n as usize];
    for &b in &window {
        assert!(b != BlockId::GENESIS, "genesis is in no window");
        assert!(!seen[b.index() as usize], "listed once");
        seen[b.index() as usize] = true;
    }
    let key = |b: BlockId| (dag.data(b).blue_work, dag.hash_of(b));
    assert!(window.windows(2).all(|w| key(w[0]) > key(w[1])), "best first");
    let size = usize::from(limit) % (window.len() + 1);
    assert_eq!(dag.blue_work_window(&virtual_data, size), window[..size], "a smaller window is the head");
    let merged = dag.consensus_ordered_mergeset(&virtual_data);
    assert_eq!(merged.len(), virtual_data.mergeset_blues.len() + virtual_data.mergeset_reds.len());
    let order = dag.dag_order().expect("tips are known");
    assert_eq!(order.len() as u32, n);
    let mut position = vec![u32::MAX; n as usize];
    let slot = |id: BlockId| id.index() as usize;
    for (pos, &b) in order.iter().enumerate() {
        assert_eq!(position[slot(b)], u32::MAX, "listed once");
        position[slot(b)] = pos as u32;
    }
    for b in (0..n).map(BlockId::from_index) {
        for &p in dag.store().parents(b) {
            assert!(position[slot(p)] < position[slot(b)], "topological");
        }
        // Genesis is in every block's past; a block is in no parent's past.
        assert!(dag.is_ancestor(BlockId::GENESIS, b));
    }
});
