//! The UTXO set of one point of view, moved along the selected chain by diffs, with the
//! per-script counters an explorer keeps (balance and transaction count), updated from
//! the same diffs so they cost O(1) per change.

use std::collections::HashMap;

use pyrin_core::{ScriptPublicKey, Transaction, TransactionOutpoint};
use pyrin_tx::context::created_entries;
use pyrin_tx::UtxoEntry;

/// What accepting one chain block's mergeset did to the UTXO set: every change with the
/// entry involved, so the diff can be undone exactly.
#[derive(Clone, Debug, Default)]
pub struct UtxoDiff {
    /// Entries spent, in the order they were spent.
    pub removed: Vec<(TransactionOutpoint, UtxoEntry)>,
    /// Entries created, in the order they were created.
    pub added: Vec<(TransactionOutpoint, UtxoEntry)>,
    /// Per script: how many accepted transactions touched it.
    pub touched: Vec<(ScriptPublicKey, u64)>,
}

/// Counters an explorer shows per script public key.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ScriptStats {
    /// Sum of the unspent outputs it owns.
    pub balance: u64,
    /// Accepted transactions that spent from or paid to it.
    pub tx_count: u64,
}

/// A UTXO set with per-script counters.
#[derive(Clone, Debug, Default)]
pub struct UtxoSet {
    entries: HashMap<TransactionOutpoint, UtxoEntry>,
    stats: HashMap<ScriptPublicKey, ScriptStats>,
}

impl UtxoSet {
    /// The entry at an outpoint.
    pub fn get(&self, outpoint: &TransactionOutpoint) -> Option<&UtxoEntry> {
        self.entries.get(outpoint)
    }

    /// Every unspent entry.
    pub fn iter(&self) -> impl Iterator<Item = (&TransactionOutpoint, &UtxoEntry)> {
        self.entries.iter()
    }

    /// Number of unspent outputs.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Sum of every unspent output.
    pub fn total(&self) -> u128 {
        self.entries.values().map(|e| u128::from(e.amount.to_leor())).sum()
    }

    /// The counters of every script that ever owned an output or took part in a transaction.
    pub fn stats(&self) -> &HashMap<ScriptPublicKey, ScriptStats> {
        &self.stats
    }

    /// Applies a diff (which must have been computed against this exact state).
    pub fn apply(&mut self, diff: &UtxoDiff) {
        for (outpoint, entry) in &diff.removed {
            self.entries.remove(outpoint);
            self.stats.entry(entry.script_public_key.clone()).or_default().balance -= entry.amount.to_leor();
        }
        for (outpoint, entry) in &diff.added {
            self.entries.insert(*outpoint, entry.clone());
            self.stats.entry(entry.script_public_key.clone()).or_default().balance += entry.amount.to_leor();
        }
        for (script, count) in &diff.touched {
            self.stats.entry(script.clone()).or_default().tx_count += count;
        }
    }

    /// Undoes a diff applied last.
    pub fn undo(&mut self, diff: &UtxoDiff) {
        for (script, count) in &diff.touched {
            self.stats.entry(script.clone()).or_default().tx_count -= count;
        }
        for (outpoint, entry) in diff.added.iter().rev() {
            self.entries.remove(outpoint);
            self.stats.entry(entry.script_public_key.clone()).or_default().balance -= entry.amount.to_leor();
        }
        for (outpoint, entry) in diff.removed.iter().rev() {
            self.entries.insert(*outpoint, entry.clone());
            self.stats.entry(entry.script_public_key.clone()).or_default().balance += entry.amount.to_leor();
        }
    }
}

/// A diff being built on top of a base set: lookups see the base with the diff's changes.
pub struct DiffBuilder<'a> {
    base: &'a UtxoSet,
    spent: HashMap<TransactionOutpoint, ()>,
    created: HashMap<TransactionOutpoint, UtxoEntry>,
    diff: UtxoDiff,
    touched: HashMap<ScriptPublicKey, u64>,
}

impl<'a> DiffBuilder<'a> {
    /// An empty diff over `base`.
    pub fn new(base: &'a UtxoSet) -> Self {
        Self {
            base,
            spent: HashMap::new(),
            created: HashMap::new(),
            diff: UtxoDiff::default(),
            touched: HashMap::new(),
        }
    }

    /// The entry at an outpoint as seen through the diff.
    pub fn get(&self, outpoint: &TransactionOutpoint) -> Option<&UtxoEntry> {
        if let Some(entry) = self.created.get(outpoint) {
            return Some(entry);
        }
        if self.spent.contains_key(outpoint) {
            return None;
        }
        self.base.get(outpoint)
    }

    /// The entries `tx` spends, or `None` if any is missing (spent or never created).
    pub fn entries_of(&self, tx: &Transaction) -> Option<Vec<UtxoEntry>> {
        let mut seen = std::collections::HashSet::new();
        tx.inputs
            .iter()
            .map(|i| if seen.insert(i.previous_outpoint) { self.get(&i.previous_outpoint).cloned() } else { None })
            .collect()
    }

    /// Records `tx` as accepted at `daa_score`: spends its inputs (which must be present,
    /// as [`DiffBuilder::entries_of`] checks) and creates its outputs.
    pub fn accept(&mut self, tx: &Transaction, daa_score: u64) {
        let mut scripts = std::collections::HashSet::new();
        for input in &tx.inputs {
            let outpoint = input.previous_outpoint;
            let entry = match self.created.remove(&outpoint) {
                Some(e) => e,
                None => {
                    self.spent.insert(outpoint, ());
                    self.base.get(&outpoint).cloned().unwrap_or_else(|| UtxoEntry {
                        amount: pyrin_core::Amount::ZERO,
                        script_public_key: ScriptPublicKey::default(),
                        block_daa_score: 0,
                        is_coinbase: false,
                    })
                }
            };
            scripts.insert(entry.script_public_key.clone());
            self.diff.removed.push((outpoint, entry));
        }
        for (outpoint, entry) in created_entries(tx, daa_score) {
            scripts.insert(entry.script_public_key.clone());
            self.created.insert(outpoint, entry.clone());
            self.diff.added.push((outpoint, entry));
        }
        for script in scripts {
            *self.touched.entry(script).or_default() += 1;
        }
    }

    /// The finished diff.
    pub fn finish(mut self) -> UtxoDiff {
        // An output created and spent within the same diff appears in both lists; applying
        // removes before adding would resurrect it, so such pairs cancel out here.
        let spent_created: std::collections::HashSet<TransactionOutpoint> =
            self.diff.removed.iter().filter(|(o, _)| !self.base.entries.contains_key(o)).map(|(o, _)| *o).collect();
        self.diff.removed.retain(|(o, _)| !spent_created.contains(o));
        self.diff.added.retain(|(o, _)| !spent_created.contains(o));
        let mut touched: Vec<(ScriptPublicKey, u64)> = self.touched.into_iter().collect();
        touched.sort_by(|a, b| a.0.script.cmp(&b.0.script).then(a.0.version.cmp(&b.0.version)));
        self.diff.touched = touched;
        self.diff
    }
}
