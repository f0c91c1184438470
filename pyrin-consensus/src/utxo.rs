//! The UTXO set, the diff a chain block's mergeset makes to it, and the view of a set with
//! a diff on top.

use alloc::vec::Vec;

use hashbrown::HashMap;
use pyrin_core::{Transaction, TransactionOutpoint};
use pyrin_tx::context::created_entries;
use pyrin_tx::muhash::MuHash;
use pyrin_tx::UtxoEntry;

/// Anything that answers "which entry sits at this outpoint".
pub trait UtxoView {
    /// The unspent entry at `outpoint`, if any.
    fn get(&self, outpoint: &TransactionOutpoint) -> Option<&UtxoEntry>;
}

/// A whole UTXO set in memory.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UtxoSet {
    entries: HashMap<TransactionOutpoint, UtxoEntry>,
}

impl UtxoSet {
    /// Number of unspent outputs.
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

    /// Applies `diff` (computed against this exact state): its removals go, its
    /// additions come.
    pub fn apply(&mut self, diff: &UtxoDiff) {
        for outpoint in diff.removed.keys() {
            self.entries.remove(outpoint);
        }
        for (outpoint, entry) in &diff.added {
            self.entries.insert(*outpoint, entry.clone());
        }
    }

    /// Undoes `diff`, the last diff applied.
    pub fn undo(&mut self, diff: &UtxoDiff) {
        for outpoint in diff.added.keys() {
            self.entries.remove(outpoint);
        }
        for (outpoint, entry) in &diff.removed {
            self.entries.insert(*outpoint, entry.clone());
        }
    }
}

impl UtxoView for UtxoSet {
    fn get(&self, outpoint: &TransactionOutpoint) -> Option<&UtxoEntry> {
        self.entries.get(outpoint)
    }
}

/// What accepting transactions did to a base set: entries removed from it (with the entry,
/// so the diff can be undone) and entries added. An entry created and spent within the
/// diff appears in neither.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UtxoDiff {
    /// Entries of the base set spent.
    pub removed: HashMap<TransactionOutpoint, UtxoEntry>,
    /// Entries created and still unspent.
    pub added: HashMap<TransactionOutpoint, UtxoEntry>,
}

impl UtxoDiff {
    /// Records an accepted transaction: its inputs (with the entries they spend, one per
    /// input) leave, its outputs arrive with `daa_score`. The MuHash follows along.
    pub fn add_transaction(&mut self, tx: &Transaction, spent: &[UtxoEntry], daa_score: u64, multiset: &mut MuHash) {
        for (input, entry) in tx.inputs.iter().zip(spent) {
            let outpoint = input.previous_outpoint;
            multiset.remove_utxo(&outpoint, entry);
            if self.added.remove(&outpoint).is_none() {
                self.removed.insert(outpoint, entry.clone());
            }
        }
        for (outpoint, entry) in created_entries(tx, daa_score) {
            multiset.add_utxo(&outpoint, &entry);
            self.added.insert(outpoint, entry);
        }
    }
}

/// A base view with a diff on top.
pub struct Composed<'a, V: UtxoView + ?Sized> {
    /// The base.
    pub base: &'a V,
    /// The diff over it.
    pub diff: &'a UtxoDiff,
}

impl<V: UtxoView + ?Sized> UtxoView for Composed<'_, V> {
    fn get(&self, outpoint: &TransactionOutpoint) -> Option<&UtxoEntry> {
        if let Some(entry) = self.diff.added.get(outpoint) {
            return Some(entry);
        }
        if self.diff.removed.contains_key(outpoint) {
            return None;
        }
        self.base.get(outpoint)
    }
}

/// The entries a transaction spends, one per input, or `None` when one is missing.
pub fn populate<V: UtxoView + ?Sized>(view: &V, tx: &Transaction) -> Option<Vec<UtxoEntry>> {
    tx.inputs.iter().map(|input| view.get(&input.previous_outpoint).cloned()).collect()
}
