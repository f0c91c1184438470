//! GHOSTDAG against a plain twin on random small DAGs, and the protocol's invariants.

use std::collections::BTreeSet;

use proptest::prelude::*;
use pyrin_core::BlockHash;
use pyrin_core::BlueWork;
use pyrin_ghostdag::{BlockId, Ghostdag, GhostdagError, GhostdagStore, MemoryStore};

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

/// A random DAG as [`dag`] gives, with a work per block (genesis first): mostly small
/// values so that blue works tie and the hash rule decides, sometimes large ones so that
/// one heavy block outweighs several light ones.
#[allow(clippy::type_complexity)]
fn weighted_dag() -> impl Strategy<Value = (u16, Vec<Vec<usize>>, Vec<[u8; 31]>, Vec<u64>)> {
    dag().prop_flat_map(|(k, parents, salts)| {
        let n = salts.len();
        let work = prop_oneof![4 => 1u64..4, 1 => 1u64..1_000_000_000];
        (Just(k), Just(parents), Just(salts), prop::collection::vec(work, n))
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

fn hash(i: usize, salt: &[u8; 31]) -> BlockHash {
    let mut h = [0u8; 32];
    h[0] = i as u8;
    h[1..].copy_from_slice(salt);
    BlockHash::from_bytes(h)
}

/// The id of the block added `i`-th (genesis 0): [`build`] adds blocks in index order.
fn id(i: usize) -> BlockId {
    BlockId::from_index(i as u32)
}

fn index(id: BlockId) -> usize {
    id.index() as usize
}

/// The plain twin: pasts as explicit sets, colouring by counting anticones directly.
struct Twin {
    k: usize,
    hashes: Vec<BlockHash>,
    work: Vec<u64>,
    past: Vec<BTreeSet<usize>>,
    blue_work: Vec<u64>,
    blue_set: Vec<BTreeSet<usize>>,
    selected_parent: Vec<Option<usize>>,
    blues: Vec<Vec<usize>>,
    reds: Vec<Vec<usize>>,
}

impl Twin {
    fn new(k: usize, genesis: BlockHash, work: u64) -> Self {
        Twin {
            k,
            hashes: vec![genesis],
            work: vec![work],
            past: vec![BTreeSet::new()],
            blue_work: vec![0],
            blue_set: vec![BTreeSet::new()],
            selected_parent: vec![None],
            blues: vec![vec![]],
            reds: vec![vec![]],
        }
    }

    /// The twin of a whole random DAG.
    fn of(k: u16, parents: &[Vec<usize>], salts: &[[u8; 31]], works: &[u64]) -> Self {
        let mut twin = Twin::new(usize::from(k), hash(0, &salts[0]), works[0]);
        for (i, ps) in parents.iter().enumerate() {
            twin.add(hash(i + 1, &salts[i + 1]), ps.clone(), works[i + 1]);
        }
        twin
    }

    fn key(&self, b: usize) -> (u64, BlockHash) {
        (self.blue_work[b], self.hashes[b])
    }

    fn anticone_within(&self, b: usize, set: &BTreeSet<usize>) -> usize {
        set.iter().filter(|&&x| x != b && !self.past[b].contains(&x) && !self.past[x].contains(&b)).count()
    }

    fn add(&mut self, hash: BlockHash, parents: Vec<usize>, work: u64) {
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
        self.blue_work.push(self.blue_work[sp] + blues.iter().map(|&b| self.work[b]).sum::<u64>());
        self.hashes.push(hash);
        self.work.push(work);
        self.past.push(past);
        self.blue_set.push(blue_set);
        self.selected_parent.push(Some(sp));
        self.blues.push(blues);
        self.reds.push(reds);
    }
}

/// `items` in a pseudo-random order drawn from `seed` (Fisher–Yates over xorshift).
fn shuffled<T: Clone>(items: &[T], seed: u64) -> Vec<T> {
    let mut out = items.to_vec();
    let mut state = seed | 1;
    for i in (1..out.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.swap(i, (state % (i as u64 + 1)) as usize);
    }
    out
}

/// The fast implementation over a random DAG; `parent_order(i)` gives the seed the parents
/// of block i + 1 are shuffled with (`None` keeps the listed order).
fn build(
    k: u16,
    parents: &[Vec<usize>],
    salts: &[[u8; 31]],
    works: &[u64],
    parent_order: impl Fn(usize) -> Option<u64>,
) -> Ghostdag {
    let mut dag = Ghostdag::new(k, hash(0, &salts[0]), BlueWork::from_u64(works[0])).unwrap();
    for (i, ps) in parents.iter().enumerate() {
        let mut ph: Vec<BlockHash> = ps.iter().map(|&p| hash(p, &salts[p])).collect();
        if let Some(seed) = parent_order(i) {
            ph = shuffled(&ph, seed);
        }
        dag.add_block(hash(i + 1, &salts[i + 1]), &ph, BlueWork::from_u64(works[i + 1])).unwrap();
    }
    dag
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn fast_equals_the_plain_twin((k, parents, salts, works) in weighted_dag()) {
        let dag = build(k, &parents, &salts, &works, |_| None);
        let twin = Twin::of(k, &parents, &salts, &works);
        for (b, salt) in salts.iter().enumerate().skip(1) {
            let data = dag.data(dag.id_of(&hash(b, salt)).unwrap());
            let ids = |v: &[BlockId]| v.iter().map(|&x| index(x)).collect::<Vec<_>>();
            prop_assert_eq!(data.selected_parent.map(index), twin.selected_parent[b]);
            prop_assert_eq!(ids(&data.mergeset_blues), twin.blues[b].clone());
            prop_assert_eq!(ids(&data.mergeset_reds), twin.reds[b].clone());
            prop_assert_eq!(data.blue_work, BlueWork::from_u64(twin.blue_work[b]));
            // Blue score is the number of blues in the block's blue past.
            prop_assert_eq!(data.blue_score, twin.blue_set[b].len() as u64);
            // k-cluster: no blue has more than k blues in its anticone within the blue set.
            for &x in &twin.blue_set[b] {
                prop_assert!(twin.anticone_within(x, &twin.blue_set[b]) <= usize::from(k));
            }
        }
    }

    #[test]
    fn is_ancestor_equals_the_plain_pasts((k, parents, salts, works) in weighted_dag()) {
        let dag = build(k, &parents, &salts, &works, |_| None);
        let twin = Twin::of(k, &parents, &salts, &works);
        for a in 0..salts.len() {
            for b in 0..salts.len() {
                let expected = a == b || twin.past[b].contains(&a);
                prop_assert_eq!(dag.is_ancestor(id(a), id(b)), expected, "{} in past of {}", a, b);
            }
        }
    }

    #[test]
    fn blue_work_window_is_the_best_of_the_past((k, parents, salts, works) in weighted_dag(), size in 0usize..12) {
        let fast = build(k, &parents, &salts, &works, |_| None);
        let twin = Twin::of(k, &parents, &salts, &works);
        for b in 0..twin.hashes.len() {
            // The reference leaves out the past of the selected-chain block right above
            // genesis, which is genesis alone; genesis's own window is empty.
            let mut chain = b;
            while let Some(sp) = twin.selected_parent[chain].filter(|&sp| twin.selected_parent[sp].is_some()) {
                chain = sp;
            }
            let left_out = if b == 0 { BTreeSet::new() } else { twin.past[chain].clone() };
            let mut past: Vec<usize> = twin.past[b].difference(&left_out).copied().collect();
            past.sort_by_key(|&x| std::cmp::Reverse(twin.key(x)));
            past.truncate(size);
            let window: Vec<usize> =
                fast.blue_work_window(fast.data(id(b)), size).into_iter().map(index).collect();
            prop_assert_eq!(window, past);
        }
    }

    #[test]
    fn parent_order_does_not_matter(
        (k, parents, salts, works) in weighted_dag(),
        seeds in prop::collection::vec(any::<u64>(), 40),
    ) {
        let listed = build(k, &parents, &salts, &works, |_| None);
        let shuffled = build(k, &parents, &salts, &works, |i| Some(seeds[i % seeds.len()]));
        for i in 0..=parents.len() {
            prop_assert_eq!(listed.data(id(i)), shuffled.data(id(i)));
        }
        prop_assert_eq!(listed.dag_order().unwrap(), shuffled.dag_order().unwrap());
    }

    #[test]
    fn dag_order_is_topological_and_complete((k, parents, salts, works) in weighted_dag()) {
        let dag = build(k, &parents, &salts, &works, |_| None);
        let order = dag.dag_order().unwrap();
        let mut position = vec![usize::MAX; parents.len() + 1];
        for (pos, &b) in order.iter().enumerate() {
            prop_assert_eq!(position[index(b)], usize::MAX, "listed twice");
            position[index(b)] = pos;
        }
        prop_assert!(position.iter().all(|&p| p != usize::MAX), "every block is ordered");
        for (i, ps) in parents.iter().enumerate() {
            for &p in ps {
                prop_assert!(position[p] < position[i + 1]);
            }
        }
    }

    #[test]
    fn a_resumed_store_continues_the_same_dag((k, parents, salts, works) in weighted_dag()) {
        // Build the first half, resume over the store, add the rest: same data as in one go.
        let whole = build(k, &parents, &salts, &works, |_| None);
        let half = parents.len() / 2;
        let first = build(k, &parents[..half], &salts, &works, |_| None);
        let mut resumed = Ghostdag::from_store(k, first.store().clone()).unwrap();
        let mut tips_before: Vec<BlockId> = first.tips().to_vec();
        let mut tips_after: Vec<BlockId> = resumed.tips().to_vec();
        tips_before.sort_unstable();
        tips_after.sort_unstable();
        prop_assert_eq!(tips_before, tips_after);
        for (i, ps) in parents.iter().enumerate().skip(half) {
            let ph: Vec<BlockHash> = ps.iter().map(|&p| hash(p, &salts[p])).collect();
            resumed.add_block(hash(i + 1, &salts[i + 1]), &ph, BlueWork::from_u64(works[i + 1])).unwrap();
        }
        for i in 0..=parents.len() {
            prop_assert_eq!(whole.data(id(i)), resumed.data(id(i)));
        }
    }

    #[test]
    fn is_blue_is_membership_in_the_plain_blue_past((k, parents, salts, works) in weighted_dag()) {
        let dag = build(k, &parents, &salts, &works, |_| None);
        let mut twin = Twin::of(k, &parents, &salts, &works);
        let n = salts.len();
        // The virtual block, in the twin: one more block over the tips.
        let tips: Vec<usize> = (0..n).filter(|&b| !parents.iter().any(|ps| ps.contains(&b))).collect();
        twin.add(BlockHash::from_bytes([0xff; 32]), tips, 1);
        let virtual_data = dag.virtual_data().unwrap();
        for b in 0..n {
            for v in 0..n {
                let expected = twin.blue_set[v].contains(&b);
                prop_assert_eq!(dag.is_blue(id(b), dag.data(id(v))), expected, "{} blue in view of {}", b, v);
            }
            prop_assert_eq!(dag.is_blue(id(b), &virtual_data), twin.blue_set[n].contains(&b), "{} in the virtual", b);
        }
    }

    #[test]
    fn is_blue_agrees_with_the_colouring_along_the_chain((k, parents, salts, works) in weighted_dag()) {
        let dag = build(k, &parents, &salts, &works, |_| None);
        let virtual_data = dag.virtual_data().unwrap();
        let views = (0..salts.len()).map(|v| dag.data(id(v)).clone()).chain([virtual_data]);
        for view in views {
            // Every block of the view's past is merged by exactly one block of its chain
            // (the view included), as a blue or as a red.
            let mut colour = vec![None; salts.len()];
            let mut chain_block = Some(&view);
            while let Some(data) = chain_block {
                for &b in &data.mergeset_blues {
                    prop_assert_eq!(colour[index(b)].replace(true), None);
                }
                for &r in &data.mergeset_reds {
                    prop_assert_eq!(colour[index(r)].replace(false), None);
                }
                chain_block = data.selected_parent.map(|sp| dag.data(sp));
            }
            for (b, colour) in colour.into_iter().enumerate() {
                prop_assert_eq!(dag.is_blue(id(b), &view), colour == Some(true), "block {}", b);
            }
        }
    }

    #[test]
    fn virtual_data_is_ghostdag_of_the_tips_whatever_the_work(
        (k, parents, salts, works) in weighted_dag(),
        work in any::<u64>(),
        seed in any::<u64>(),
    ) {
        let dag = build(k, &parents, &salts, &works, |_| None);
        let tips = shuffled(&dag.tip_hashes().collect::<Vec<_>>(), seed);
        let mut of_tips = dag.ghostdag_of(&tips, BlueWork::from_u64(work)).unwrap();
        let virtual_data = dag.virtual_data().unwrap();
        prop_assert_eq!(virtual_data.work, BlueWork::ZERO);
        of_tips.work = BlueWork::ZERO;
        prop_assert_eq!(virtual_data, of_tips);
    }

    #[test]
    fn lookups_by_id_and_hash_agree_and_unknown_ids_give_none(
        (k, parents, salts, works) in weighted_dag(),
        beyond in 0u32..1000,
    ) {
        let dag = build(k, &parents, &salts, &works, |_| None);
        for (b, salt) in salts.iter().enumerate() {
            let hash = hash(b, salt);
            prop_assert_eq!(dag.id_of(&hash), Some(id(b)));
            prop_assert_eq!(dag.try_hash_of(id(b)), Some(hash));
            prop_assert_eq!(dag.hash_of(id(b)), hash);
            prop_assert_eq!(dag.try_data(id(b)), Some(dag.data(id(b))));
            prop_assert_eq!(dag.data_by_hash(&hash), Some(dag.data(id(b))));
        }
        let unknown = BlockId::from_index(salts.len() as u32 + beyond);
        prop_assert_eq!(dag.try_data(unknown), None);
        prop_assert_eq!(dag.try_hash_of(unknown), None);
        let tip_hashes: Vec<BlockHash> = dag.tips().iter().map(|&t| dag.hash_of(t)).collect();
        prop_assert_eq!(dag.tip_hashes().collect::<Vec<_>>(), tip_hashes);
    }
}

fn h(b: u8) -> BlockHash {
    BlockHash::from_bytes([b; 32])
}

const ONE: BlueWork = BlueWork::from_u64(1);

#[test]
fn bad_blocks_are_rejected_without_changes() {
    let mut dag = Ghostdag::new(3, h(0), ONE).unwrap();
    dag.add_block(h(1), &[h(0)], ONE).unwrap();
    let tips = dag.tips().to_vec();
    assert_eq!(dag.add_block(h(1), &[h(0)], ONE), Err(GhostdagError::DuplicateBlock(h(1))));
    assert_eq!(dag.add_block(h(2), &[], ONE), Err(GhostdagError::NoParents(h(2))));
    assert_eq!(dag.add_block(h(2), &[h(9)], ONE), Err(GhostdagError::UnknownParent { block: h(2), parent: h(9) }));
    assert_eq!(
        dag.add_block(h(2), &[h(1), h(1)], ONE),
        Err(GhostdagError::DuplicateParent { block: h(2), parent: h(1) })
    );
    assert_eq!(dag.add_block(h(2), &[h(1)], BlueWork::ZERO), Err(GhostdagError::ZeroWork(h(2))));
    assert_eq!(dag.store().len(), 2);
    assert_eq!(dag.tips(), &tips[..]);
}

/// Found by the `ghostdag_insert` fuzz target: the virtual block must not collide with a
/// real block whose hash is all ones.
#[test]
fn dag_order_works_with_an_all_ones_block() {
    let mut dag = Ghostdag::new(3, h(0), ONE).unwrap();
    dag.add_block(h(0xff), &[h(0)], ONE).unwrap();
    assert_eq!(dag.dag_order().unwrap().len(), 2);
    assert!(dag.ghostdag_of(&[h(0xff)], ONE).is_ok());
}

/// Found by the `ghostdag_insert` fuzz target: a parent in another parent's past would be
/// ordered twice, so such blocks are refused.
#[test]
fn parents_must_be_an_antichain() {
    let mut dag = Ghostdag::new(3, h(0), ONE).unwrap();
    dag.add_block(h(1), &[h(0)], ONE).unwrap();
    assert_eq!(
        dag.add_block(h(2), &[h(1), h(0)], ONE),
        Err(GhostdagError::ParentInPast { block: h(2), parent: h(0), descendant: h(1) })
    );
    assert_eq!(dag.store().len(), 2);
    assert_eq!(dag.dag_order().unwrap(), [id(0), id(1)]);
}

#[test]
fn parents_deep_in_the_past_are_refused_whatever_the_works() {
    // A light side block and a heavy chain: the side block's parent is far below.
    let mut dag = Ghostdag::new(3, h(0), ONE).unwrap();
    dag.add_block(h(1), &[h(0)], BlueWork::from_u64(1_000_000)).unwrap();
    for b in 2..40u8 {
        dag.add_block(h(b), &[h(b - 1)], ONE).unwrap();
    }
    assert_eq!(
        dag.add_block(h(100), &[h(39), h(1)], ONE),
        Err(GhostdagError::ParentInPast { block: h(100), parent: h(1), descendant: h(39) })
    );
    assert_eq!(
        dag.add_block(h(100), &[h(0), h(20)], ONE),
        Err(GhostdagError::ParentInPast { block: h(100), parent: h(0), descendant: h(20) })
    );
}

#[test]
fn zero_work_genesis_is_refused() {
    assert_eq!(Ghostdag::new(3, h(0), BlueWork::ZERO).err(), Some(GhostdagError::ZeroWork(h(0))));
}

#[test]
fn a_new_dag_needs_an_empty_store_and_resuming_needs_genesis() {
    let dag = Ghostdag::new(3, h(0), ONE).unwrap();
    let store = dag.store().clone();
    assert_eq!(Ghostdag::with_store(3, h(1), ONE, store).err(), Some(GhostdagError::StoreNotEmpty(1)));
    assert_eq!(Ghostdag::from_store(3, MemoryStore::default()).err(), Some(GhostdagError::EmptyStore));
}

/// Genesis with ten children, as tips.
fn wide_dag(limit: u64) -> Ghostdag {
    let mut dag = Ghostdag::new(18, h(0), ONE).unwrap().with_mergeset_size_limit(limit);
    for b in 1..=10 {
        dag.add_block(h(b), &[h(0)], ONE).unwrap();
    }
    dag
}

#[test]
fn a_mergeset_above_the_limit_is_refused_without_changes() {
    let mut dag = wide_dag(5);
    let tips = dag.tips().to_vec();
    let six: Vec<BlockHash> = (1..=6).map(h).collect();
    // The selected parent and five merged blocks: six, one above the limit.
    assert_eq!(
        dag.add_block(h(20), &six, ONE),
        Err(GhostdagError::MergesetTooLarge { block: h(20), size: 6, limit: 5 })
    );
    assert_eq!((dag.store().len(), dag.tips()), (11, &tips[..]));
    // Exactly at the limit is fine.
    dag.add_block(h(20), &six[..5], ONE).unwrap();
    assert_eq!(dag.store().len(), 12);
}

#[test]
fn the_virtual_block_is_not_held_to_the_mergeset_limit() {
    let dag = wide_dag(3);
    let virtual_data = dag.virtual_data().unwrap();
    assert_eq!(virtual_data.mergeset_blues.len() + virtual_data.mergeset_reds.len(), 10);
    let order = dag.dag_order().unwrap();
    assert_eq!(order.len(), 11);
    assert_eq!(order[0], BlockId::GENESIS);
}

#[test]
fn a_huge_window_is_clamped_to_the_dag() {
    let dag = wide_dag(20);
    let virtual_data = dag.virtual_data().unwrap();
    // The ten children of genesis; genesis is in no window.
    assert_eq!(dag.blue_work_window(&virtual_data, usize::MAX).len(), 10);
}

#[test]
fn ancestry_on_a_long_chain_with_side_blocks() {
    // A chain of 3000 blocks; every 7th chain block also gets a side child, merged by the
    // chain block after next.
    let mut dag = Ghostdag::new(18, BlockHash::from_bytes([0; 32]), ONE).unwrap();
    let hn = |n: u32, side: bool| {
        let mut b = [0u8; 32];
        b[..4].copy_from_slice(&n.to_le_bytes());
        b[4] = u8::from(side) + 1;
        BlockHash::from_bytes(b)
    };
    let genesis = BlockHash::from_bytes([0; 32]);
    let mut chain = vec![genesis];
    let mut sides = Vec::new();
    for n in 1..3000u32 {
        let mut parents = vec![chain[n as usize - 1]];
        if n >= 2 && (n - 2) % 7 == 0 && n > 2 {
            parents.push(hn(n - 2, true));
        }
        dag.add_block(hn(n, false), &parents, ONE).unwrap();
        chain.push(hn(n, false));
        if n % 7 == 0 {
            dag.add_block(hn(n, true), &[chain[n as usize - 1]], ONE).unwrap();
            sides.push(n);
        }
    }
    let id = |h: BlockHash| dag.id_of(&h).unwrap();
    for (i, &a) in chain.iter().enumerate().step_by(37) {
        for (j, &b) in chain.iter().enumerate().step_by(41) {
            assert_eq!(dag.is_ancestor(id(a), id(b)), i <= j, "chain {i} in past of chain {j}");
        }
    }
    for &n in &sides {
        let side = id(hn(n, true));
        let merged_by = n as usize + 2;
        for (j, &b) in chain.iter().enumerate().step_by(13) {
            assert_eq!(dag.is_ancestor(side, id(b)), j >= merged_by, "side {n} in past of chain {j}");
        }
    }
}

#[test]
fn unknown_hashes_give_none() {
    let dag = wide_dag(20);
    assert_eq!(dag.id_of(&h(99)), None);
    assert_eq!(dag.data_by_hash(&h(99)), None);
    assert_eq!(dag.try_data(BlockId::from_index(u32::MAX)), None);
    assert_eq!(dag.try_hash_of(BlockId::from_index(11)), None);
    assert_eq!(dag.try_hash_of(BlockId::from_index(10)), Some(h(10)));
}

#[test]
#[should_panic(expected = "not in this DAG")]
fn data_of_an_unknown_id_panics() {
    wide_dag(20).data(BlockId::from_index(11));
}

#[test]
#[should_panic(expected = "not in this DAG")]
fn hash_of_an_unknown_id_panics() {
    wide_dag(20).hash_of(BlockId::from_index(11));
}

#[test]
fn a_block_is_not_blue_in_its_own_view_nor_in_a_parallel_one() {
    let dag = wide_dag(20);
    let (one, two) = (dag.id_of(&h(1)).unwrap(), dag.id_of(&h(2)).unwrap());
    assert!(!dag.is_blue(one, dag.data(one)));
    assert!(!dag.is_blue(one, dag.data(two)));
    assert!(dag.is_blue(BlockId::GENESIS, dag.data(one)));
    assert!(!dag.is_blue(BlockId::GENESIS, dag.data(BlockId::GENESIS)));
    // k = 18: the virtual over ten parallel blocks sees them all blue.
    let virtual_data = dag.virtual_data().unwrap();
    assert!(dag.tips().iter().all(|&t| dag.is_blue(t, &virtual_data)));
}

#[test]
fn the_virtual_selects_the_best_tip() {
    let dag = wide_dag(20);
    // Equal blue work everywhere: the larger hash wins.
    assert_eq!(dag.virtual_data().unwrap().selected_parent, dag.id_of(&h(10)));
    let mut tips: Vec<BlockHash> = dag.tip_hashes().collect();
    tips.sort_unstable();
    assert_eq!(tips, (1..=10).map(h).collect::<Vec<_>>());
}

#[test]
fn is_blue_finds_blocks_merged_deep_down_a_long_chain() {
    // k = 0 and a chain of 500 blocks, each second one with a parallel side block merged
    // by the next chain block: every side block is red, every chain block blue.
    let mut dag = Ghostdag::new(0, BlockHash::from_bytes([0; 32]), ONE).unwrap();
    let hn = |n: u16, side: bool| {
        let mut b = [0u8; 32];
        b[..2].copy_from_slice(&n.to_le_bytes());
        // The side block's hash is the smaller, so the chain block wins the tie in blue
        // work (a block's own work only counts for its children).
        b[2] = u8::from(!side);
        BlockHash::from_bytes(b)
    };
    let mut previous = BlockHash::from_bytes([0; 32]);
    let mut sides = Vec::new();
    for n in 1..500u16 {
        let mut parents = vec![previous];
        parents.extend(sides.last().filter(|_| n % 2 == 1).copied());
        dag.add_block(hn(n, false), &parents, BlueWork::from_u64(10)).unwrap();
        if n % 2 == 0 {
            dag.add_block(hn(n, true), &[previous], ONE).unwrap();
            sides.push(hn(n, true));
        }
        previous = hn(n, false);
    }
    let virtual_data = dag.virtual_data().unwrap();
    for n in 1..500u16 {
        assert!(dag.is_blue(dag.id_of(&hn(n, false)).unwrap(), &virtual_data), "chain block {n}");
    }
    for side in sides {
        assert!(!dag.is_blue(dag.id_of(&side).unwrap(), &virtual_data), "side block {side}");
    }
}
