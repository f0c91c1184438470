//! An explorer's ledger over the transactions the validator accepted: the per-script
//! counters an explorer shows (balance and transaction count) and the coin flows of the
//! devnet summary, replayed in acceptance order. No rule is checked here: the validator
//! already accepted every transaction replayed.

use std::collections::{HashMap, HashSet};

use pyrin_core::{ScriptPublicKey, Transaction, TransactionOutpoint};

/// Counters an explorer shows per script public key.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ScriptStats {
    /// Sum of the unspent outputs it owns.
    pub balance: u64,
    /// Accepted transactions that spent from or paid to it.
    pub tx_count: u64,
}

/// The accepted transactions replayed in acceptance order.
#[derive(Clone, Debug, Default)]
pub struct Ledger {
    unspent: HashMap<TransactionOutpoint, (u64, ScriptPublicKey)>,
    stats: HashMap<ScriptPublicKey, ScriptStats>,
    /// Fees of every accepted transaction.
    pub fees_accepted: u64,
    /// Accepted transactions other than coinbases.
    pub transfers_accepted: u64,
}

impl Ledger {
    /// Records an accepted transaction: its inputs leave, its outputs arrive. Returns its
    /// fee (zero for a coinbase).
    pub fn accept(&mut self, tx: &Transaction) -> u64 {
        let mut touched = HashSet::new();
        let mut spent = 0u64;
        for input in &tx.inputs {
            if let Some((amount, script)) = self.unspent.remove(&input.previous_outpoint) {
                spent += amount;
                self.stats.entry(script.clone()).or_default().balance -= amount;
                touched.insert(script);
            }
        }
        let mut paid = 0u64;
        for (index, output) in tx.outputs.iter().enumerate() {
            let amount = output.value.to_leor();
            paid += amount;
            let outpoint = TransactionOutpoint::new(tx.id(), index as u32);
            self.unspent.insert(outpoint, (amount, output.script_public_key.clone()));
            self.stats.entry(output.script_public_key.clone()).or_default().balance += amount;
            touched.insert(output.script_public_key.clone());
        }
        for script in touched {
            self.stats.entry(script).or_default().tx_count += 1;
        }
        if tx.is_coinbase() {
            return 0;
        }
        let fee = spent - paid;
        self.fees_accepted += fee;
        self.transfers_accepted += 1;
        fee
    }

    /// The counters of every script that ever owned an output.
    pub fn stats(&self) -> &HashMap<ScriptPublicKey, ScriptStats> {
        &self.stats
    }
}
