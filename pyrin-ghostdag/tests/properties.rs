//! GHOSTDAG against a plain twin on random small DAGs, and the protocol's invariants.

use std::collections::BTreeSet;

use proptest::prelude::*;
use pyrin_core::{BlueWork, Hash};
use pyrin_ghostdag::{Ghostdag, GhostdagError, GhostdagStore};

/// A random DAG: block i (1..n) has 1-4 distinct parents among blocks 0..i, none in
/// another's past (as header validation requires), and a random hash (the index in
/// byte 0 keeps hashes distinct).
fn dag() -> impl Strategy<Value = (u16, Vec<Vec<usize>>, Vec<[u8; 31]>)> {
    (1u16..5, 2usize..40).prop_flat_map(|(k, n)| {
        let parents = (1..n)
            .map(|i| prop::collection::btree_set(0..i, 1..=i.min(4)).prop_map(|s| s.into_iter().collect::<Vec<_>>()))
            .collect::<Vec<_>>();
        (Just(k), parents.prop_map(antichains), prop::collection::vec(any::<[u8; 31]>(), n))
    })
}

/// Drops every parent that is in the past of another parent of the same block.
fn antichains(parents: Vec<Vec<usize>>) -> Vec<Vec<usize>> {
    let mut past: Vec<BTreeSet<usize>> = vec![BTreeSet::new()];
    let mut out = Vec::with_capacity(parents.len());
    for ps in parents {
        let kept: Vec<usize> = ps.iter().copied().filter(|&p| !ps.iter().any(|&q| past[q].contains(&p))).collect();
        let mut mine = BTreeSet::new();
        for &p in &kept {
            mine.insert(p);
            mine.extend(past[p].iter().copied());
        }
        past.push(mine);
        out.push(kept);
    }
    out
}

fn hash(i: usize, salt: &[u8; 31]) -> Hash {
    let mut h = [0u8; 32];
    h[0] = i as u8;
    h[1..].copy_from_slice(salt);
    Hash::from_bytes(h)
}

/// The plain twin: pasts as explicit sets, colouring by counting anticones directly.
struct Twin {
    k: usize,
    parents: Vec<Vec<usize>>,
    hashes: Vec<Hash>,
    past: Vec<BTreeSet<usize>>,
    blue_work: Vec<u64>,
    blue_set: Vec<BTreeSet<usize>>,
    selected_parent: Vec<Option<usize>>,
    blues: Vec<Vec<usize>>,
    reds: Vec<Vec<usize>>,
}

impl Twin {
    fn new(k: usize, genesis: Hash) -> Self {
        Twin {
            k,
            parents: vec![vec![]],
            hashes: vec![genesis],
            past: vec![BTreeSet::new()],
            blue_work: vec![0],
            blue_set: vec![BTreeSet::new()],
            selected_parent: vec![None],
            blues: vec![vec![]],
            reds: vec![vec![]],
        }
    }

    fn key(&self, b: usize) -> (u64, Hash) {
        (self.blue_work[b], self.hashes[b])
    }

    fn anticone_within(&self, b: usize, set: &BTreeSet<usize>) -> usize {
        set.iter().filter(|&&x| x != b && !self.past[b].contains(&x) && !self.past[x].contains(&b)).count()
    }

    fn add(&mut self, hash: Hash, parents: Vec<usize>) {
        let mut past = BTreeSet::new();
        for &p in &parents {
            past.insert(p);
            past.extend(self.past[p].iter().copied());
        }
        let sp = *parents.iter().max_by_key(|&&p| self.key(p)).unwrap();
        let mut sp_past = self.past[sp].clone();
        sp_past.insert(sp);
        let mut mergeset: Vec<usize> = past.difference(&sp_past).copied().collect();
        mergeset.sort_by_key(|&b| self.key(b));
        let mut blue_set = self.blue_set[sp].clone();
        blue_set.insert(sp);
        let (mut blues, mut reds) = (vec![sp], vec![]);
        for c in mergeset {
            let anticone: Vec<usize> = blue_set
                .iter()
                .copied()
                .filter(|&b| !self.past[c].contains(&b) && !self.past[b].contains(&c))
                .collect();
            let mut with_c = blue_set.clone();
            with_c.insert(c);
            let ok = blues.len() < self.k + 1
                && anticone.len() <= self.k
                && anticone.iter().all(|&b| self.anticone_within(b, &with_c) <= self.k);
            if ok {
                blues.push(c);
                blue_set.insert(c);
            } else {
                reds.push(c);
            }
        }
        self.blue_work.push(self.blue_work[sp] + blues.len() as u64);
        self.hashes.push(hash);
        self.parents.push(parents);
        self.past.push(past);
        self.blue_set.push(blue_set);
        self.selected_parent.push(Some(sp));
        self.blues.push(blues);
        self.reds.push(reds);
    }
}

fn build(k: u16, parents: &[Vec<usize>], salts: &[[u8; 31]], reverse_parents: bool) -> Ghostdag {
    let one = BlueWork::from_u64(1);
    let mut dag = Ghostdag::new(k, hash(0, &salts[0]), one);
    for (i, ps) in parents.iter().enumerate() {
        let mut ph: Vec<Hash> = ps.iter().map(|&p| hash(p, &salts[p])).collect();
        if reverse_parents {
            ph.reverse();
        }
        dag.add_block(hash(i + 1, &salts[i + 1]), &ph, one).unwrap();
    }
    dag
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn fast_equals_the_plain_twin((k, parents, salts) in dag()) {
        let dag = build(k, &parents, &salts, false);
        let mut twin = Twin::new(usize::from(k), hash(0, &salts[0]));
        for (i, ps) in parents.iter().enumerate() {
            twin.add(hash(i + 1, &salts[i + 1]), ps.clone());
        }
        for (b, salt) in salts.iter().enumerate().skip(1) {
            let data = dag.data(dag.id_of(&hash(b, salt)).unwrap());
            let ids = |v: &[u32]| v.iter().map(|&x| x as usize).collect::<Vec<_>>();
            prop_assert_eq!(data.selected_parent.map(|x| x as usize), twin.selected_parent[b]);
            prop_assert_eq!(ids(&data.mergeset_blues), twin.blues[b].clone());
            prop_assert_eq!(ids(&data.mergeset_reds), twin.reds[b].clone());
            // Blue score is the number of blues in the block's blue past.
            prop_assert_eq!(data.blue_score, twin.blue_set[b].len() as u64);
            // k-cluster: no blue has more than k blues in its anticone within the blue set.
            for &x in &twin.blue_set[b] {
                prop_assert!(twin.anticone_within(x, &twin.blue_set[b]) <= usize::from(k));
            }
        }
    }

    #[test]
    fn blue_work_window_is_the_best_of_the_past((k, parents, salts) in dag(), size in 0usize..12) {
        let fast = build(k, &parents, &salts, false);
        let mut twin = Twin::new(usize::from(k), hash(0, &salts[0]));
        for (i, ps) in parents.iter().enumerate() {
            twin.add(hash(i + 1, &salts[i + 1]), ps.clone());
        }
        for b in 0..twin.hashes.len() {
            let mut past: Vec<usize> = twin.past[b].iter().copied().collect();
            past.sort_by_key(|&x| std::cmp::Reverse(twin.key(x)));
            past.truncate(size);
            let window: Vec<usize> =
                fast.blue_work_window(fast.data(b as u32), size).into_iter().map(|x| x as usize).collect();
            prop_assert_eq!(window, past);
        }
    }

    #[test]
    fn parent_order_does_not_matter((k, parents, salts) in dag()) {
        let a = build(k, &parents, &salts, false);
        let b = build(k, &parents, &salts, true);
        for i in 0..=parents.len() {
            prop_assert_eq!(a.data(i as u32), b.data(i as u32));
        }
    }

    #[test]
    fn dag_order_is_topological_and_complete((k, parents, salts) in dag()) {
        let mut dag = build(k, &parents, &salts, false);
        let order = dag.dag_order().unwrap();
        let mut position = vec![usize::MAX; parents.len() + 1];
        for (pos, &b) in order.iter().enumerate() {
            prop_assert_eq!(position[b as usize], usize::MAX, "listed twice");
            position[b as usize] = pos;
        }
        prop_assert!(position.iter().all(|&p| p != usize::MAX), "every block is ordered");
        for (i, ps) in parents.iter().enumerate() {
            for &p in ps {
                prop_assert!(position[p] < position[i + 1]);
            }
        }
    }
}

#[test]
fn bad_blocks_are_rejected_without_changes() {
    let h = |b: u8| Hash::from_bytes([b; 32]);
    let one = BlueWork::from_u64(1);
    let mut dag = Ghostdag::new(3, h(0), one);
    dag.add_block(h(1), &[h(0)], one).unwrap();
    assert_eq!(dag.add_block(h(1), &[h(0)], one), Err(GhostdagError::DuplicateBlock(h(1))));
    assert_eq!(dag.add_block(h(2), &[], one), Err(GhostdagError::NoParents(h(2))));
    assert_eq!(dag.add_block(h(2), &[h(9)], one), Err(GhostdagError::UnknownParent { block: h(2), parent: h(9) }));
    assert_eq!(
        dag.add_block(h(2), &[h(1), h(1)], one),
        Err(GhostdagError::DuplicateParent { block: h(2), parent: h(1) })
    );
    assert_eq!(dag.store().len(), 2);
    assert_eq!(dag.tips().len(), 1);
}

/// Found by the `ghostdag_insert` fuzz target: the virtual block must not collide with a
/// real block whose hash is all ones.
#[test]
fn dag_order_works_with_an_all_ones_block() {
    let h = |b: u8| Hash::from_bytes([b; 32]);
    let one = BlueWork::from_u64(1);
    let mut dag = Ghostdag::new(3, h(0), one);
    dag.add_block(h(0xff), &[h(0)], one).unwrap();
    assert_eq!(dag.dag_order().unwrap().len(), 2);
    assert!(dag.ghostdag_of(&[h(0xff)], one).is_ok());
}

/// Found by the `ghostdag_insert` fuzz target: a parent in another parent's past would be
/// ordered twice, so such blocks are refused.
#[test]
fn parents_must_be_an_antichain() {
    let h = |b: u8| Hash::from_bytes([b; 32]);
    let one = BlueWork::from_u64(1);
    let mut dag = Ghostdag::new(3, h(0), one);
    dag.add_block(h(1), &[h(0)], one).unwrap();
    assert_eq!(
        dag.add_block(h(2), &[h(1), h(0)], one),
        Err(GhostdagError::ParentInPast { block: h(2), parent: h(0), descendant: h(1) })
    );
    assert_eq!(dag.store().len(), 2);
    assert_eq!(dag.dag_order().unwrap().len(), 2);
}
