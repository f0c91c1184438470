//! Per-worker statistics in a table of bounded size.
//!
//! Every distinct worker name a client authorizes would otherwise stay in memory forever.
//! The table holds at most `capacity` names: a new name at capacity takes the place of the
//! least recently active worker with no live connection, and is not tracked when every
//! tracked worker is connected (its shares still count in the accounting, which is the
//! share store's job, not this table's).

use std::collections::HashMap;
use std::time::Duration;

use super::vardiff::expected_hashes;

/// What the pool knows about a worker (`address.name`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WorkerStats {
    /// Accepted shares.
    pub shares: u64,
    /// Expected hashes behind the accepted shares.
    pub hashes: f64,
    /// Rejected submissions (stale, duplicate, low difficulty, malformed, unrecorded).
    pub rejected: u64,
    /// Blocks its shares found.
    pub blocks: u64,
    /// Leor paid to it.
    pub paid: u64,
    /// Its current share difficulty.
    pub difficulty: f64,
    /// When it first authorized (pool time).
    pub first_seen: Duration,
    /// Its last authorization or share (pool time).
    pub last_seen: Duration,
    /// Connections that authorized it and are still open.
    pub connections: u32,
}

impl WorkerStats {
    /// Hash rate estimated from accepted shares up to `now`.
    pub fn hash_rate(&self, now: Duration) -> f64 {
        self.hashes / now.saturating_sub(self.first_seen).as_secs_f64().max(1e-3)
    }
}

/// The bounded table.
#[derive(Clone, Debug)]
pub struct WorkerTable {
    capacity: usize,
    workers: HashMap<String, WorkerStats>,
}

impl WorkerTable {
    /// A table of at most `capacity` workers.
    pub fn new(capacity: usize) -> Self {
        Self { capacity, workers: HashMap::new() }
    }

    /// A connection authorized `worker` at `now`.
    pub fn connected(&mut self, worker: &str, difficulty: f64, now: Duration) {
        if let Some(w) = self.entry(worker, now) {
            w.connections += 1;
            w.difficulty = difficulty;
            w.last_seen = now;
        }
    }

    /// A connection that had authorized `worker` closed.
    pub fn disconnected(&mut self, worker: &str) {
        if let Some(w) = self.workers.get_mut(worker) {
            w.connections = w.connections.saturating_sub(1);
        }
    }

    /// An accepted share of `difficulty`.
    pub fn accepted(&mut self, worker: &str, difficulty: f64, now: Duration) {
        if let Some(w) = self.workers.get_mut(worker) {
            w.shares += 1;
            w.hashes += expected_hashes(difficulty);
            w.last_seen = now;
        }
    }

    /// A rejected submission.
    pub fn rejected(&mut self, worker: &str) {
        if let Some(w) = self.workers.get_mut(worker) {
            w.rejected += 1;
        }
    }

    /// A new share difficulty.
    pub fn difficulty(&mut self, worker: &str, difficulty: f64) {
        if let Some(w) = self.workers.get_mut(worker) {
            w.difficulty = difficulty;
        }
    }

    /// A block found by `worker`'s share.
    pub fn found_block(&mut self, worker: &str) {
        if let Some(w) = self.workers.get_mut(worker) {
            w.blocks += 1;
        }
    }

    /// Leor paid to `worker`.
    pub fn paid(&mut self, worker: &str, leor: u64) {
        if let Some(w) = self.workers.get_mut(worker) {
            w.paid = w.paid.saturating_add(leor);
        }
    }

    /// The tracked workers.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &WorkerStats)> {
        self.workers.iter()
    }

    /// A tracked worker.
    pub fn get(&self, worker: &str) -> Option<&WorkerStats> {
        self.workers.get(worker)
    }

    /// How many workers are tracked.
    pub fn len(&self) -> usize {
        self.workers.len()
    }

    /// Whether no worker is tracked.
    pub fn is_empty(&self) -> bool {
        self.workers.is_empty()
    }

    fn entry(&mut self, worker: &str, now: Duration) -> Option<&mut WorkerStats> {
        if !self.workers.contains_key(worker) {
            if self.workers.len() >= self.capacity {
                let idle = self
                    .workers
                    .iter()
                    .filter(|(_, w)| w.connections == 0)
                    .min_by_key(|(_, w)| w.last_seen)
                    .map(|(name, _)| name.clone())?;
                self.workers.remove(&idle);
            }
            let stats = WorkerStats { first_seen: now, last_seen: now, ..WorkerStats::default() };
            self.workers.insert(worker.to_string(), stats);
        }
        self.workers.get_mut(worker)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_names_do_not_grow_the_table_past_its_capacity() {
        let mut table = WorkerTable::new(4);
        let t = Duration::from_secs;
        table.connected("live", 1.0, t(0));
        for i in 0..1000 {
            let name = format!("churn{i}");
            table.connected(&name, 1.0, t(i + 1));
            table.disconnected(&name);
        }
        assert_eq!(table.len(), 4);
        // The connected worker stays; the churned names took each other's places.
        assert!(table.get("live").is_some());
        assert!(table.get("churn999").is_some() && table.get("churn0").is_none());
        // With every tracked worker connected, a new name is not tracked.
        let mut full = WorkerTable::new(1);
        full.connected("a", 1.0, t(0));
        full.connected("b", 1.0, t(1));
        assert_eq!((full.len(), full.get("b")), (1, None));
    }
}
