//! The header rules GHOSTDAG settles: blue score, blue work, the mergeset size limit and
//! the bounded merge depth, each with the reference's error name.
//!
//! Followed: the Rust reference node `Pyrinpyi/pyrin`,
//! `consensus/src/pipeline/header_processor/post_pow_validation.rs` (`check_blue_score`,
//! `check_blue_work`, `check_merge_size_limit`, `check_bounded_merge_depth`) and
//! `consensus/src/processes/block_depth.rs` for the merge depth root, for a DAG whose
//! pruning point is genesis: the root is genesis while the block's blue score is below the
//! merge depth, otherwise the highest block of its selected chain (from its selected parent
//! down) whose blue score is below its own minus the merge depth, or genesis. Kosherizing
//! blues are the mergeset blues with the root on their selected chain.

use pyrin_core::BlueWork;

use crate::{BlockId, Ghostdag, GhostdagData, GhostdagStore};

/// Why a header fails a GHOSTDAG rule; variants named as the reference's `RuleError`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GhostdagRuleError {
    /// `blue_score` is not GHOSTDAG's.
    #[error("expected header blue score {expected} but got {found}")]
    UnexpectedHeaderBlueScore {
        /// GHOSTDAG's.
        expected: u64,
        /// The header's.
        found: u64,
    },
    /// `blue_work` is not GHOSTDAG's.
    #[error("expected header blue work {expected:?} but got {found:?}")]
    UnexpectedHeaderBlueWork {
        /// GHOSTDAG's.
        expected: BlueWork,
        /// The header's.
        found: BlueWork,
    },
    /// The mergeset is larger than the limit.
    #[error("the block's mergeset size of {size} exceeds the limit of {limit}")]
    MergeSetTooBig {
        /// Mergeset size (selected parent included).
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// A merged red is neither in the future of the merge depth root nor in the past of a
    /// blue that is.
    #[error("block is violating bounded merge depth")]
    ViolatingBoundedMergeDepth,
}

/// Rule: the header's blue score is GHOSTDAG's.
///
/// # Errors
/// [`GhostdagRuleError::UnexpectedHeaderBlueScore`].
pub fn check_blue_score(data: &GhostdagData, header_blue_score: u64) -> Result<(), GhostdagRuleError> {
    if data.blue_score != header_blue_score {
        return Err(GhostdagRuleError::UnexpectedHeaderBlueScore {
            expected: data.blue_score,
            found: header_blue_score,
        });
    }
    Ok(())
}

/// Rule: the header's blue work is GHOSTDAG's.
///
/// # Errors
/// [`GhostdagRuleError::UnexpectedHeaderBlueWork`].
pub fn check_blue_work(data: &GhostdagData, header_blue_work: BlueWork) -> Result<(), GhostdagRuleError> {
    if data.blue_work != header_blue_work {
        return Err(GhostdagRuleError::UnexpectedHeaderBlueWork { expected: data.blue_work, found: header_blue_work });
    }
    Ok(())
}

/// Rule: the mergeset (selected parent included) holds at most `limit` blocks.
///
/// # Errors
/// [`GhostdagRuleError::MergeSetTooBig`].
pub fn check_merge_size_limit(data: &GhostdagData, limit: u64) -> Result<(), GhostdagRuleError> {
    let size = (data.mergeset_blues.len() + data.mergeset_reds.len()) as u64;
    if size > limit {
        return Err(GhostdagRuleError::MergeSetTooBig { size, limit });
    }
    Ok(())
}

/// The merge depth root of a block with GHOSTDAG data `data`, in a DAG pruned at genesis
/// (see the module documentation).
pub fn merge_depth_root<S: GhostdagStore>(dag: &Ghostdag<S>, data: &GhostdagData, merge_depth: u64) -> BlockId {
    if data.blue_score < merge_depth {
        return BlockId::GENESIS;
    }
    let required = data.blue_score - merge_depth;
    let mut current = data.selected_parent;
    while let Some(block) = current {
        let block_data = dag.data(block);
        if block_data.blue_score < required {
            return block;
        }
        current = block_data.selected_parent;
    }
    BlockId::GENESIS
}

/// Whether `ancestor` is `block` or on its selected chain.
pub fn is_chain_ancestor<S: GhostdagStore>(dag: &Ghostdag<S>, ancestor: BlockId, block: BlockId) -> bool {
    let floor = dag.data(ancestor).blue_work;
    let mut current = Some(block);
    while let Some(c) = current {
        if c == ancestor {
            return true;
        }
        let data = dag.data(c);
        if data.blue_work <= floor {
            return false;
        }
        current = data.selected_parent;
    }
    false
}

/// The merged reds that break the merge depth bound: neither in the future of the merge
/// depth root nor in the past of a kosherizing blue. The virtual block drops the parents
/// that would merge them.
pub fn merge_depth_violators<S: GhostdagStore>(
    dag: &Ghostdag<S>,
    data: &GhostdagData,
    merge_depth: u64,
) -> alloc::vec::Vec<BlockId> {
    let root = merge_depth_root(dag, data, merge_depth);
    let kosherizing = || data.mergeset_blues.iter().copied().filter(move |&b| is_chain_ancestor(dag, root, b));
    data.mergeset_reds
        .iter()
        .copied()
        .filter(|&red| !dag.is_ancestor(root, red) && !kosherizing().any(|b| dag.is_ancestor(red, b)))
        .collect()
}

/// Rule: every merged red is in the future of the merge depth root, or in the past of a
/// mergeset blue that is (a "kosherizing" blue).
///
/// # Errors
/// [`GhostdagRuleError::ViolatingBoundedMergeDepth`].
pub fn check_bounded_merge_depth<S: GhostdagStore>(
    dag: &Ghostdag<S>,
    data: &GhostdagData,
    merge_depth: u64,
) -> Result<(), GhostdagRuleError> {
    if merge_depth_violators(dag, data, merge_depth).is_empty() {
        Ok(())
    } else {
        Err(GhostdagRuleError::ViolatingBoundedMergeDepth)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pyrin_core::BlockHash;

    fn h(b: u8) -> BlockHash {
        BlockHash::from_bytes([b; 32])
    }

    /// k = 0: of two parallel blocks the second is red in their merge.
    fn dag() -> (Ghostdag, GhostdagData) {
        let work = BlueWork::from_u64(1);
        let mut dag = Ghostdag::new(0, h(0), work).expect("genesis");
        dag.add_block(h(1), &[h(0)], work).expect("1");
        dag.add_block(h(2), &[h(0)], work).expect("2");
        let merge = dag.ghostdag_of(&[h(1), h(2)], work).expect("merge");
        (dag, merge)
    }

    #[test]
    fn blue_score_and_work_must_be_ghostdags() {
        let (_, data) = dag();
        assert_eq!(check_blue_score(&data, data.blue_score), Ok(()));
        assert_eq!(
            check_blue_score(&data, data.blue_score + 1),
            Err(GhostdagRuleError::UnexpectedHeaderBlueScore { expected: data.blue_score, found: data.blue_score + 1 })
        );
        assert_eq!(check_blue_work(&data, data.blue_work), Ok(()));
        assert!(check_blue_work(&data, BlueWork::ZERO).is_err());
    }

    #[test]
    fn the_mergeset_limit_counts_the_selected_parent() {
        let (_, data) = dag();
        assert_eq!(data.mergeset_blues.len() + data.mergeset_reds.len(), 2);
        assert_eq!(check_merge_size_limit(&data, 2), Ok(()));
        assert_eq!(check_merge_size_limit(&data, 1), Err(GhostdagRuleError::MergeSetTooBig { size: 2, limit: 1 }));
    }

    #[test]
    fn a_red_below_the_merge_depth_root_breaks_the_bound() {
        let (dag, data) = dag();
        assert_eq!(data.mergeset_reds.len(), 1);
        // Merge depth 1: blue score 2 requires 1; the highest chain block below that is
        // genesis, whose future holds the red. Merge depth 0 puts the root at the selected
        // parent (blue score 1 < 2): the red is not in its future and no blue of the
        // mergeset has it in its past.
        let sp = data.selected_parent.expect("a parent");
        assert_eq!(merge_depth_root(&dag, &data, 1), BlockId::GENESIS);
        assert_eq!(check_bounded_merge_depth(&dag, &data, 1), Ok(()));
        assert_eq!(merge_depth_root(&dag, &data, 0), sp);
        assert_eq!(check_bounded_merge_depth(&dag, &data, 0), Err(GhostdagRuleError::ViolatingBoundedMergeDepth));
        assert_eq!(merge_depth_violators(&dag, &data, 0), data.mergeset_reds);
        assert!(is_chain_ancestor(&dag, BlockId::GENESIS, sp));
        // A deep bound keeps the root at genesis, whose future holds everything.
        assert_eq!(merge_depth_root(&dag, &data, 100), BlockId::GENESIS);
        assert_eq!(check_bounded_merge_depth(&dag, &data, 100), Ok(()));
    }
}
