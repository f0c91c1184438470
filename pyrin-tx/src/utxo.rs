//! UTXO sets as plain data: a read-only view trait ([`UtxoView`]), an in-memory set
//! ([`UtxoCollection`]), and the change a block's accepted transactions make
//! ([`UtxoDiff`]), which applies to a set, reverses, composes with the next one, and can be
//! seen through over a base view ([`DiffView`]) while a block is being validated.
//!
//! ```
//! use pyrin_core::{Amount, ScriptPublicKey, Transaction, TransactionInput, TransactionOutpoint, TransactionOutput};
//! use pyrin_tx::utxo::{entries_of, UtxoCollection, UtxoDiff, UtxoView};
//! use pyrin_tx::UtxoEntry;
//!
//! let funding = TransactionOutpoint::default();
//! let entry = UtxoEntry { amount: Amount::from_leor(10), script_public_key: ScriptPublicKey::default(), block_daa_score: 1, is_coinbase: false };
//! let mut set = UtxoCollection::new();
//! set.insert(funding, entry);
//!
//! let tx = Transaction {
//!     inputs: vec![TransactionInput::spending(funding)],
//!     outputs: vec![TransactionOutput::new(Amount::from_leor(9), ScriptPublicKey::default())],
//!     ..Transaction::default()
//! };
//! let mut diff = UtxoDiff::default();
//! let spent = entries_of(&diff.view(&set), &tx)?;
//! diff.add_transaction(&tx, &spent, 5)?;
//! let before = set.clone();
//! diff.apply_to(&mut set)?;
//! assert!(set.get(&funding).is_none());
//! assert_eq!(set.get(&TransactionOutpoint::new(tx.id(), 0)).unwrap().block_daa_score, 5);
//! diff.reversed().apply_to(&mut set)?;
//! assert_eq!(set, before);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Reference behaviour followed
//! The Rust reference node `Pyrinpyi/pyrin` (`consensus/core/src/utxo/`: `utxo_diff.rs`,
//! `utxo_collection.rs`, `utxo_view.rs`): a diff holds the entries it adds and the entries
//! it removes; adding an entry the diff removed (the same entry) cancels the removal and
//! removing an entry the diff added cancels the addition; an outpoint added or removed
//! twice is an error; a transaction's outputs become entries carrying the accepting
//! block's DAA score and whether it is a coinbase. Applying a diff here first checks that
//! it fits the set (every removed outpoint present, no added outpoint left present) and
//! changes nothing when it does not.

use alloc::vec::Vec;

use hashbrown::HashMap;
use pyrin_core::{Transaction, TransactionId, TransactionOutpoint};

use crate::rules::TxRuleError;
use crate::UtxoEntry;

/// Read access to a UTXO set. Object safe: a block validator can take `&dyn UtxoView`
/// over a database, a [`UtxoCollection`] or a [`DiffView`].
pub trait UtxoView {
    /// The unspent entry at `outpoint`, if any.
    fn get(&self, outpoint: &TransactionOutpoint) -> Option<UtxoEntry>;
}

impl<V: UtxoView + ?Sized> UtxoView for &V {
    fn get(&self, outpoint: &TransactionOutpoint) -> Option<UtxoEntry> {
        (**self).get(outpoint)
    }
}

/// The entries `tx` spends, one per input in input order, as `view` holds them.
///
/// # Errors
/// [`TxRuleError::MissingTxOutpoints`] when some input's outpoint is not in the view.
pub fn entries_of(view: &(impl UtxoView + ?Sized), tx: &Transaction) -> Result<Vec<UtxoEntry>, TxRuleError> {
    tx.inputs.iter().map(|i| view.get(&i.previous_outpoint).ok_or(TxRuleError::MissingTxOutpoints)).collect()
}

/// Why a diff does not fit a set or another diff.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UtxoAlgebraError {
    /// An outpoint added twice (or added where an entry already is).
    #[error("outpoint {0:?} is added while already present")]
    DuplicateAdd(TransactionOutpoint),
    /// An outpoint removed twice (or removed where no entry is).
    #[error("outpoint {0:?} is removed while absent")]
    DuplicateRemove(TransactionOutpoint),
}

/// An in-memory UTXO set.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UtxoCollection {
    entries: HashMap<TransactionOutpoint, UtxoEntry>,
}

impl UtxoCollection {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// The entry at `outpoint`.
    pub fn get(&self, outpoint: &TransactionOutpoint) -> Option<&UtxoEntry> {
        self.entries.get(outpoint)
    }

    /// Whether an entry is at `outpoint`.
    pub fn contains(&self, outpoint: &TransactionOutpoint) -> bool {
        self.entries.contains_key(outpoint)
    }

    /// Puts `entry` at `outpoint`, returning the entry it replaces.
    pub fn insert(&mut self, outpoint: TransactionOutpoint, entry: UtxoEntry) -> Option<UtxoEntry> {
        self.entries.insert(outpoint, entry)
    }

    /// Takes the entry at `outpoint` out.
    pub fn remove(&mut self, outpoint: &TransactionOutpoint) -> Option<UtxoEntry> {
        self.entries.remove(outpoint)
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every entry, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&TransactionOutpoint, &UtxoEntry)> {
        self.entries.iter()
    }
}

impl FromIterator<(TransactionOutpoint, UtxoEntry)> for UtxoCollection {
    fn from_iter<I: IntoIterator<Item = (TransactionOutpoint, UtxoEntry)>>(iter: I) -> Self {
        Self { entries: iter.into_iter().collect() }
    }
}

impl UtxoView for UtxoCollection {
    fn get(&self, outpoint: &TransactionOutpoint) -> Option<UtxoEntry> {
        self.entries.get(outpoint).cloned()
    }
}

/// A change to a UTXO set: the entries it adds and the entries it removes. An outpoint
/// may be in both when the diff replaces its entry (removed first, then added).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UtxoDiff {
    /// Entries created.
    pub added: UtxoCollection,
    /// Entries spent, as they were.
    pub removed: UtxoCollection,
}

impl UtxoDiff {
    /// Records `entry` added at `outpoint`: cancels a removal of the same entry, else adds.
    ///
    /// # Errors
    /// [`UtxoAlgebraError::DuplicateAdd`] when the diff already adds `outpoint`.
    pub fn add_entry(&mut self, outpoint: TransactionOutpoint, entry: UtxoEntry) -> Result<(), UtxoAlgebraError> {
        if self.removed.get(&outpoint) == Some(&entry) {
            self.removed.remove(&outpoint);
            return Ok(());
        }
        if self.added.contains(&outpoint) {
            return Err(UtxoAlgebraError::DuplicateAdd(outpoint));
        }
        self.added.insert(outpoint, entry);
        Ok(())
    }

    /// Records the entry at `outpoint` removed: cancels an addition, else removes `entry`.
    ///
    /// # Errors
    /// [`UtxoAlgebraError::DuplicateRemove`] when the diff already removes `outpoint`.
    pub fn remove_entry(&mut self, outpoint: TransactionOutpoint, entry: UtxoEntry) -> Result<(), UtxoAlgebraError> {
        if self.added.remove(&outpoint).is_some() {
            return Ok(());
        }
        if self.removed.contains(&outpoint) {
            return Err(UtxoAlgebraError::DuplicateRemove(outpoint));
        }
        self.removed.insert(outpoint, entry);
        Ok(())
    }

    /// Records the effect of accepting `tx` at DAA score `daa_score`: its inputs spend
    /// `entries` (one per input, in input order), its outputs become entries
    /// ([`created_entries`](crate::context::created_entries)). A coinbase spends nothing.
    ///
    /// # Errors
    /// As [`UtxoDiff::remove_entry`] and [`UtxoDiff::add_entry`]; entries not one per input
    /// are [`UtxoAlgebraError::DuplicateRemove`] of the first input without one. On error the
    /// diff may hold part of the transaction.
    pub fn add_transaction(
        &mut self,
        tx: &Transaction,
        entries: &[UtxoEntry],
        daa_score: u64,
    ) -> Result<(), UtxoAlgebraError> {
        self.add_transaction_with_id(tx, tx.id(), entries, daa_score)
    }

    /// [`UtxoDiff::add_transaction`] for a caller that has the transaction's id at hand
    /// (a block validator hashes each transaction once): `id` must be `tx.id()`.
    ///
    /// # Errors
    /// As [`UtxoDiff::add_transaction`].
    pub fn add_transaction_with_id(
        &mut self,
        tx: &Transaction,
        id: TransactionId,
        entries: &[UtxoEntry],
        daa_score: u64,
    ) -> Result<(), UtxoAlgebraError> {
        debug_assert_eq!(id, tx.id(), "the id of the transaction");
        if let Some(missing) = tx.inputs.get(entries.len()) {
            return Err(UtxoAlgebraError::DuplicateRemove(missing.previous_outpoint));
        }
        for (input, entry) in tx.inputs.iter().zip(entries) {
            self.remove_entry(input.previous_outpoint, entry.clone())?;
        }
        for (outpoint, entry) in crate::context::created_entries_with_id(tx, id, daa_score) {
            self.add_entry(outpoint, entry)?;
        }
        Ok(())
    }

    /// Whether the diff fits `set`: everything it removes is there, and nothing it adds is
    /// there once its removals are made.
    ///
    /// # Errors
    /// The first misfit found.
    pub fn check_fits(&self, set: &UtxoCollection) -> Result<(), UtxoAlgebraError> {
        if let Some((outpoint, _)) = self.removed.iter().find(|(o, _)| !set.contains(o)) {
            return Err(UtxoAlgebraError::DuplicateRemove(*outpoint));
        }
        if let Some((outpoint, _)) = self.added.iter().find(|(o, _)| set.contains(o) && !self.removed.contains(o)) {
            return Err(UtxoAlgebraError::DuplicateAdd(*outpoint));
        }
        Ok(())
    }

    /// Applies the diff to `set`: its removals, then its additions.
    ///
    /// # Errors
    /// As [`UtxoDiff::check_fits`]; `set` is then left unchanged.
    pub fn apply_to(&self, set: &mut UtxoCollection) -> Result<(), UtxoAlgebraError> {
        self.check_fits(set)?;
        for (outpoint, _) in self.removed.iter() {
            set.remove(outpoint);
        }
        for (outpoint, entry) in self.added.iter() {
            set.insert(*outpoint, entry.clone());
        }
        Ok(())
    }

    /// The diff that undoes this one: applied after it, it restores the set.
    pub fn reversed(&self) -> UtxoDiff {
        UtxoDiff { added: self.removed.clone(), removed: self.added.clone() }
    }

    /// This diff followed by `next` as one diff: applying it equals applying the two in turn.
    ///
    /// # Errors
    /// As [`UtxoDiff::remove_entry`] and [`UtxoDiff::add_entry`], when `next` does not fit
    /// after this diff.
    pub fn compose(&self, next: &UtxoDiff) -> Result<UtxoDiff, UtxoAlgebraError> {
        let mut out = self.clone();
        for (outpoint, entry) in next.removed.iter() {
            out.remove_entry(*outpoint, entry.clone())?;
        }
        for (outpoint, entry) in next.added.iter() {
            out.add_entry(*outpoint, entry.clone())?;
        }
        Ok(out)
    }

    /// `base` as it is with this diff applied.
    pub fn view<'a, V: UtxoView + ?Sized>(&'a self, base: &'a V) -> DiffView<'a, V> {
        DiffView { base, diff: self }
    }
}

/// A base view with a diff applied, without copying either.
#[derive(Debug)]
pub struct DiffView<'a, V: ?Sized> {
    base: &'a V,
    diff: &'a UtxoDiff,
}

impl<V: UtxoView + ?Sized> UtxoView for DiffView<'_, V> {
    fn get(&self, outpoint: &TransactionOutpoint) -> Option<UtxoEntry> {
        if let Some(entry) = self.diff.added.get(outpoint) {
            return Some(entry.clone());
        }
        if self.diff.removed.contains(outpoint) {
            return None;
        }
        self.base.get(outpoint)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use proptest::prelude::*;
    use pyrin_core::{Amount, ScriptPublicKey, SubnetworkId, TransactionId, TransactionInput, TransactionOutput};

    fn op(seed: u8, index: u32) -> TransactionOutpoint {
        TransactionOutpoint::new(TransactionId::from_bytes([seed; 32]), index)
    }

    fn entry(amount: u64) -> UtxoEntry {
        UtxoEntry {
            amount: Amount::from_leor(amount),
            script_public_key: ScriptPublicKey::new(0, vec![0x51]),
            block_daa_score: 3,
            is_coinbase: false,
        }
    }

    fn spend(from: TransactionOutpoint, outputs: usize) -> Transaction {
        Transaction {
            inputs: vec![TransactionInput::spending(from)],
            outputs: vec![TransactionOutput::new(Amount::from_leor(1), ScriptPublicKey::default()); outputs],
            ..Transaction::default()
        }
    }

    #[test]
    fn a_transaction_spends_its_inputs_and_creates_its_outputs() {
        let tx = spend(op(1, 0), 2);
        let mut diff = UtxoDiff::default();
        diff.add_transaction(&tx, &[entry(5)], 9).unwrap();
        assert_eq!(diff.removed.get(&op(1, 0)), Some(&entry(5)));
        assert_eq!(diff.added.len(), 2);
        let created = diff.added.get(&TransactionOutpoint::new(tx.id(), 1)).unwrap();
        assert_eq!((created.block_daa_score, created.is_coinbase), (9, false));
    }

    #[test]
    fn a_coinbase_creates_coinbase_entries() {
        let tx = Transaction { subnetwork_id: SubnetworkId::COINBASE, inputs: vec![], ..spend(op(0, 0), 1) };
        let mut diff = UtxoDiff::default();
        diff.add_transaction(&tx, &[], 4).unwrap();
        assert!(diff.added.get(&TransactionOutpoint::new(tx.id(), 0)).unwrap().is_coinbase);
        assert!(diff.removed.is_empty());
    }

    #[test]
    fn spending_an_output_created_in_the_diff_cancels_it() {
        let parent = spend(op(1, 0), 1);
        let child = spend(TransactionOutpoint::new(parent.id(), 0), 1);
        let mut diff = UtxoDiff::default();
        diff.add_transaction(&parent, &[entry(5)], 9).unwrap();
        let spent = entries_of(&diff.view(&UtxoCollection::new()), &child).unwrap();
        diff.add_transaction(&child, &spent, 9).unwrap();
        assert_eq!(diff.added.len(), 1);
        assert!(diff.added.contains(&TransactionOutpoint::new(child.id(), 0)));
        assert_eq!(diff.removed.len(), 1);
    }

    #[test]
    fn a_double_spend_in_a_diff_is_refused() {
        let mut diff = UtxoDiff::default();
        diff.remove_entry(op(1, 0), entry(5)).unwrap();
        assert_eq!(diff.remove_entry(op(1, 0), entry(5)), Err(UtxoAlgebraError::DuplicateRemove(op(1, 0))));
        diff.add_entry(op(2, 0), entry(1)).unwrap();
        assert_eq!(diff.add_entry(op(2, 0), entry(1)), Err(UtxoAlgebraError::DuplicateAdd(op(2, 0))));
    }

    #[test]
    fn missing_entries_are_missing_outpoints() {
        assert_eq!(entries_of(&UtxoCollection::new(), &spend(op(1, 0), 1)), Err(TxRuleError::MissingTxOutpoints));
        let mut diff = UtxoDiff::default();
        assert_eq!(diff.add_transaction(&spend(op(1, 0), 1), &[], 0), Err(UtxoAlgebraError::DuplicateRemove(op(1, 0))));
    }

    #[test]
    fn a_diff_that_does_not_fit_leaves_the_set_alone() {
        let mut set: UtxoCollection = [(op(1, 0), entry(1))].into_iter().collect();
        let before = set.clone();
        let mut diff = UtxoDiff::default();
        diff.add_entry(op(3, 0), entry(3)).unwrap();
        diff.remove_entry(op(2, 0), entry(2)).unwrap();
        assert_eq!(diff.apply_to(&mut set), Err(UtxoAlgebraError::DuplicateRemove(op(2, 0))));
        assert_eq!(set, before);
        let mut adds_present = UtxoDiff::default();
        adds_present.add_entry(op(1, 0), entry(9)).unwrap();
        assert_eq!(adds_present.apply_to(&mut set), Err(UtxoAlgebraError::DuplicateAdd(op(1, 0))));
    }

    #[test]
    fn a_diff_view_sees_additions_and_hides_removals() {
        let base: UtxoCollection = [(op(1, 0), entry(1)), (op(2, 0), entry(2))].into_iter().collect();
        let mut diff = UtxoDiff::default();
        diff.remove_entry(op(1, 0), entry(1)).unwrap();
        diff.add_entry(op(3, 0), entry(3)).unwrap();
        let view: &dyn UtxoView = &diff.view(&base);
        assert_eq!(view.get(&op(1, 0)), None);
        assert_eq!(view.get(&op(2, 0)), Some(entry(2)));
        assert_eq!(view.get(&op(3, 0)), Some(entry(3)));
    }

    /// A set of outpoints (seed 0..8, index 0..4) with amounts.
    fn set_strategy() -> impl Strategy<Value = UtxoCollection> {
        proptest::collection::vec(((0u8..8, 0u32..4), 1u64..1000), 0..20)
            .prop_map(|v| v.into_iter().map(|((s, i), a)| (op(s, i), entry(a))).collect())
    }

    /// A diff that fits `set`: removes the chosen entries present, adds fresh outpoints
    /// (seed `fresh`) and re-adds some removed outpoints with new amounts.
    fn diff_for(set: &UtxoCollection, removes: &[bool], adds: &[u64], fresh: u8) -> UtxoDiff {
        let mut keys: Vec<_> = set.iter().map(|(o, e)| (*o, e.clone())).collect();
        keys.sort_by_key(|(o, _)| *o);
        let mut diff = UtxoDiff::default();
        let mut removed = Vec::new();
        for ((outpoint, e), remove) in keys.into_iter().zip(removes.iter().cycle()) {
            if *remove {
                diff.remove_entry(outpoint, e).unwrap();
                removed.push(outpoint);
            }
        }
        for (i, amount) in adds.iter().enumerate() {
            let target = match removed.get(i) {
                Some(o) if amount % 2 == 0 => *o,
                _ => op(fresh, i as u32),
            };
            if !diff.added.contains(&target) {
                diff.add_entry(target, entry(*amount + 1000)).unwrap();
            }
        }
        diff
    }

    proptest! {
        #[test]
        fn applying_then_reversing_restores_the_set(
            set in set_strategy(),
            removes in proptest::collection::vec(any::<bool>(), 1..8),
            adds in proptest::collection::vec(0u64..100, 0..6),
        ) {
            let diff = diff_for(&set, &removes, &adds, 100);
            let mut work = set.clone();
            diff.apply_to(&mut work).unwrap();
            diff.reversed().apply_to(&mut work).unwrap();
            prop_assert_eq!(work, set);
        }

        #[test]
        fn composing_equals_applying_in_turn(
            set in set_strategy(),
            removes1 in proptest::collection::vec(any::<bool>(), 1..8),
            adds1 in proptest::collection::vec(0u64..100, 0..6),
            removes2 in proptest::collection::vec(any::<bool>(), 1..8),
            adds2 in proptest::collection::vec(0u64..100, 0..6),
        ) {
            let first = diff_for(&set, &removes1, &adds1, 100);
            let mut in_turn = set.clone();
            first.apply_to(&mut in_turn).unwrap();
            let second = diff_for(&in_turn, &removes2, &adds2, 101);
            second.apply_to(&mut in_turn).unwrap();

            let composed = first.compose(&second).unwrap();
            let mut at_once = set.clone();
            composed.apply_to(&mut at_once).unwrap();
            prop_assert_eq!(at_once, in_turn);
        }

        #[test]
        fn a_diff_view_equals_the_applied_set(
            set in set_strategy(),
            removes in proptest::collection::vec(any::<bool>(), 1..8),
            adds in proptest::collection::vec(0u64..100, 0..6),
        ) {
            let diff = diff_for(&set, &removes, &adds, 100);
            let mut applied = set.clone();
            diff.apply_to(&mut applied).unwrap();
            let view = diff.view(&set);
            for seed in (0u8..8).chain([100]) {
                for index in 0..6 {
                    let o = op(seed, index);
                    prop_assert_eq!(UtxoView::get(&view, &o), applied.get(&o).cloned());
                }
            }
        }
    }
}
