#![no_main]
//! Inserting arbitrary DAGs (arbitrary parent lists, duplicates, unknown parents, blocks
//! added twice) never panics; rejected blocks change nothing.

use libfuzzer_sys::fuzz_target;
use pyrin_core::{BlueWork, Hash};
use pyrin_ghostdag::{Ghostdag, GhostdagStore};

fuzz_target!(|input: (u8, Vec<(u8, Vec<u8>)>)| {
    let (k, blocks) = input;
    let h = |b: u8| Hash::from_bytes([b; 32]);
    let one = BlueWork::from_u64(1);
    let mut dag = Ghostdag::new(u16::from(k % 8), h(0), one).expect("work is not zero");
    for (id, parents) in blocks.into_iter().take(64) {
        let parents: Vec<Hash> = parents.into_iter().take(8).map(h).collect();
        let before = dag.store().len();
        match dag.add_block(h(id), &parents, one) {
            Ok(_) => assert_eq!(dag.store().len(), before + 1),
            Err(_) => assert_eq!(dag.store().len(), before),
        }
    }
    let order = dag.dag_order().expect("tips are known");
    assert_eq!(order.len(), dag.store().len());
});
