//! The parents a header must list at each block level (rule 16, `check_indirect_parents`).
//!
//! Level 0 holds the direct parents. Level `l > 0` holds the blocks of level at least `l`
//! that the direct parents reference (themselves when their own level is high enough,
//! otherwise their own parents at level `l`), with every block that is in the past of
//! another candidate dropped. A header lists no level past the first whose only candidate
//! is genesis. A header with fewer levels than asked stands for genesis at the missing
//! levels.
//!
//! Followed: the reference's parents builder (`consensus/src/processes/parents_builder.rs`)
//! for a node that started from genesis, whose only "origin child" is genesis, so every
//! block is in the future of an origin child and each candidate is its own reference block.

use alloc::vec::Vec;

use pyrin_core::BlockHash;

/// What the builder needs to know about a block of the DAG.
pub trait ParentsSource {
    /// The block's level (from its proof of work; genesis has the maximum level).
    fn level(&self, block: &BlockHash) -> u8;
    /// The parents its header lists at `level` (genesis for a level past the header's
    /// last; nothing for genesis itself).
    fn parents_at_level(&self, block: &BlockHash, level: u8) -> Vec<BlockHash>;
    /// Whether `a` is `b` or in its past.
    fn is_ancestor(&self, a: &BlockHash, b: &BlockHash) -> bool;
}

/// The `parents_by_level` a header with these direct parents must carry.
pub fn expected_parents<S: ParentsSource>(
    source: &S,
    direct_parents: &[BlockHash],
    genesis: &BlockHash,
    max_block_level: u8,
) -> Vec<Vec<BlockHash>> {
    let mut levels = Vec::new();
    for level in 0..max_block_level {
        // A set, as the reference keeps it: a parent named twice is one candidate.
        let mut candidates: Vec<BlockHash> = Vec::new();
        for p in direct_parents.iter().filter(|p| source.level(p) >= level) {
            if !candidates.contains(p) {
                candidates.push(*p);
            }
        }
        let mut grandparents: Vec<BlockHash> = Vec::new();
        let mut first_parent_marker = 0;
        let push_unique = |list: &mut Vec<BlockHash>, h: BlockHash| {
            if !list.contains(&h) {
                list.push(h);
            }
        };
        if candidates.is_empty() {
            if let Some(first) = direct_parents.first() {
                for h in source.parents_at_level(first, level) {
                    push_unique(&mut grandparents, h);
                }
            }
            first_parent_marker = grandparents.len();
            for p in direct_parents.iter().skip(1) {
                for h in source.parents_at_level(p, level) {
                    push_unique(&mut grandparents, h);
                }
            }
        } else {
            for p in direct_parents.iter().filter(|p| source.level(p) < level) {
                for h in source.parents_at_level(p, level) {
                    push_unique(&mut grandparents, h);
                }
            }
        }
        for (i, parent) in grandparents.into_iter().enumerate() {
            if i < first_parent_marker {
                if !candidates.contains(&parent) {
                    candidates.push(parent);
                }
                continue;
            }
            let before = candidates.len();
            candidates.retain(|c| !source.is_ancestor(c, &parent));
            let removed_any = candidates.len() < before;
            if (removed_any || !candidates.iter().any(|c| source.is_ancestor(&parent, c)))
                && !candidates.contains(&parent)
            {
                candidates.push(parent);
            }
        }
        if level > 0 && candidates.len() == 1 && candidates[0] == *genesis {
            break;
        }
        levels.push(candidates);
    }
    levels
}

/// Whether `found` lists, level by level, the same sets as `expected`.
pub fn same_parents(expected: &[Vec<BlockHash>], found: &[Vec<BlockHash>]) -> bool {
    expected.len() == found.len()
        && expected.iter().zip(found).all(|(e, f)| e.len() == f.len() && f.iter().all(|h| e.contains(h)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    /// A chain G ← A ← B ← C where A has level 1 and B and C level 0.
    struct Chain;

    fn h(b: u8) -> BlockHash {
        BlockHash::from_bytes([b; 32])
    }

    impl ParentsSource for Chain {
        fn level(&self, block: &BlockHash) -> u8 {
            match block.as_bytes()[0] {
                0 => 225,
                1 => 1,
                _ => 0,
            }
        }
        fn parents_at_level(&self, block: &BlockHash, level: u8) -> Vec<BlockHash> {
            let levels: Vec<Vec<BlockHash>> = match block.as_bytes()[0] {
                0 => return Vec::new(),
                1 => vec![vec![h(0)]],
                2 => vec![vec![h(1)], vec![h(1)]],
                _ => vec![vec![h(2)], vec![h(1)]],
            };
            levels.get(usize::from(level)).cloned().unwrap_or_else(|| vec![h(0)])
        }
        fn is_ancestor(&self, a: &BlockHash, b: &BlockHash) -> bool {
            a.as_bytes()[0] <= b.as_bytes()[0]
        }
    }

    #[test]
    fn a_child_of_genesis_lists_one_level() {
        assert_eq!(expected_parents(&Chain, &[h(0)], &h(0), 225), vec![vec![h(0)]]);
    }

    #[test]
    fn a_level_one_parent_is_listed_at_level_one_by_its_descendants() {
        assert_eq!(expected_parents(&Chain, &[h(1)], &h(0), 225), vec![vec![h(1)], vec![h(1)]]);
        assert_eq!(expected_parents(&Chain, &[h(2)], &h(0), 225), vec![vec![h(2)], vec![h(1)]]);
    }

    #[test]
    fn levels_compare_as_sets() {
        assert!(same_parents(&[vec![h(1), h(2)]], &[vec![h(2), h(1)]]));
        assert!(!same_parents(&[vec![h(1)]], &[vec![h(1)], vec![h(0)]]));
    }
}
