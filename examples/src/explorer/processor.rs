//! The processor: follows the node's selected chain into the index. Each call compares
//! the index's cursor with the node's chain ([`BlockValidator::selected_chain_changes`]),
//! reverts the chain blocks the node took off (highest first), then applies the new ones
//! (lowest first), each in its own database transaction with the cursor. A crash between
//! two transactions leaves the index at a chain block it fully holds; the next run starts
//! from there.
//!
//! The work is split in two so a node shared between threads is locked only briefly:
//! [`Processor::plan`] reads the node (rows built in memory), [`Processor::execute`]
//! writes them without it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use pyrin_consensus::BlockValidator;
use serde_json::{json, Value as Json};
use tokio::sync::broadcast;

use super::cache::AddressCache;
use super::db::{migrate, DbError, Sql};
use super::index::{chain_block_update, ChainBlockUpdate, IndexError};
use super::store;

/// Why the processor stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProcessorError {
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// The node's data could not be indexed.
    #[error(transparent)]
    Index(#[from] IndexError),
}

/// A live update for subscribers (the API's event stream).
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// A chain block entered the index (its row as the API shows blocks).
    Block(Json),
    /// A chain block left the index (a reorganisation); its hash.
    Reverted(String),
    /// An address's counters changed (its row as the API shows addresses; balance 0 and
    /// no transactions once it left the index).
    Address(Json),
}

impl Event {
    /// The event's name on the stream.
    pub fn name(&self) -> &'static str {
        match self {
            Event::Block(_) => "block",
            Event::Reverted(_) => "reverted",
            Event::Address(_) => "address",
        }
    }

    /// The event's data on the stream.
    pub fn data(&self) -> Json {
        match self {
            Event::Block(b) => b.clone(),
            Event::Reverted(h) => json!({"hash": h}),
            Event::Address(a) => a.clone(),
        }
    }

    /// The address it is about, for an address event.
    pub fn address(&self) -> Option<&str> {
        match self {
            Event::Address(a) => a["address"].as_str(),
            _ => None,
        }
    }
}

/// What the node's chain asks of the index: revert these chain blocks (highest first),
/// then apply these updates (lowest first).
#[derive(Clone, Debug, Default)]
pub struct Plan {
    /// Hashes of the chain blocks to revert.
    pub revert: Vec<String>,
    /// The chain blocks to apply.
    pub apply: Vec<ChainBlockUpdate>,
}

impl Plan {
    /// Whether there is nothing to do.
    pub fn is_empty(&self) -> bool {
        self.revert.is_empty() && self.apply.is_empty()
    }
}

/// Counters of a processor's work.
#[derive(Clone, Copy, Debug, Default)]
pub struct ProcessorStats {
    /// Chain blocks applied.
    pub applied: u64,
    /// Chain blocks reverted.
    pub reverted: u64,
    /// Time spent writing the index.
    pub write_time: Duration,
    /// Time spent reading the node and building rows.
    pub plan_time: Duration,
}

/// The processor over one database connection.
pub struct Processor<S: Sql> {
    db: S,
    events: Option<broadcast::Sender<Event>>,
    cache: Option<Arc<AddressCache>>,
    stats: ProcessorStats,
}

impl<S: Sql> Processor<S> {
    /// A processor writing to `db`, whose migrations it applies.
    ///
    /// # Errors
    /// The driver's error.
    pub fn new(mut db: S) -> Result<Self, ProcessorError> {
        migrate(&mut db)?;
        Ok(Self { db, events: None, cache: None, stats: ProcessorStats::default() })
    }

    /// Publishes an [`Event`] per change on `sender`.
    pub fn with_events(mut self, sender: broadcast::Sender<Event>) -> Self {
        self.events = Some(sender);
        self
    }

    /// Tells `cache` (the API's) about every write, so it never answers older than the
    /// database: the processor must then be the index's only writer.
    pub fn with_cache(mut self, cache: Arc<AddressCache>) -> Self {
        self.cache = Some(cache);
        self
    }

    /// The work done so far.
    pub fn stats(&self) -> ProcessorStats {
        self.stats
    }

    /// The database connection (for reads between calls).
    pub fn db(&mut self) -> &mut S {
        &mut self.db
    }

    /// What bringing the index to the node's sink takes, with at most `max_apply` blocks to
    /// apply. Empty when the index is at the sink, or when the node does not know the
    /// cursor's block (a node still catching up after a restart).
    ///
    /// # Errors
    /// The database's or the node data's error.
    pub fn plan(&mut self, node: &BlockValidator, max_apply: usize) -> Result<Plan, ProcessorError> {
        let started = Instant::now();
        let mut plan = Plan::default();
        let (from, height) = match store::cursor(&mut self.db)? {
            Some(cursor) => match cursor.hash.parse() {
                Ok(hash) => (hash, cursor.height),
                Err(_) => return Err(DbError::Inconsistent(format!("cursor hash {}", cursor.hash)).into()),
            },
            None => {
                let genesis = node.params().genesis.hash;
                plan.apply.push(chain_block_update(node, &genesis, 0)?);
                (genesis, 0)
            }
        };
        let Some(changes) = node.selected_chain_changes(&from) else { return Ok(plan) };
        plan.revert = changes.removed.iter().map(|h| h.to_string()).collect();
        let base = height.saturating_sub(changes.removed.len() as u64);
        for (i, hash) in changes.added.iter().take(max_apply).enumerate() {
            plan.apply.push(chain_block_update(node, hash, base + 1 + i as u64)?);
        }
        self.stats.plan_time += started.elapsed();
        Ok(plan)
    }

    /// Writes a plan: each revert, then each update, one transaction each; then tells
    /// subscribers.
    ///
    /// # Errors
    /// The database's error; what was committed before it stays.
    pub fn execute(&mut self, plan: &Plan) -> Result<(), ProcessorError> {
        let started = Instant::now();
        let mut touched = Vec::new();
        let mut events = Vec::new();
        for hash in &plan.revert {
            // A revert's addresses are known only inside its transaction: all are marked.
            let _write = self.cache.as_deref().map(|cache| cache.begin_write(None));
            touched.extend(store::revert(&mut self.db, hash)?);
            self.stats.reverted += 1;
            events.push(Event::Reverted(hash.clone()));
        }
        for update in &plan.apply {
            let addresses = update.addresses();
            let write = self.cache.as_deref().map(|cache| cache.begin_write(Some(addresses.clone())));
            store::apply(&mut self.db, update)?;
            drop(write);
            self.stats.applied += 1;
            touched.extend(addresses);
            if self.events.is_some() {
                let b = &update.block;
                events.push(Event::Block(json!({
                    "hash": b.hash, "chain_height": b.chain_height, "timestamp": b.timestamp,
                    "daa_score": b.daa_score, "blue_score": b.blue_score, "tx_count": b.tx_count,
                    "accepted_tx_count": b.accepted_tx_count, "fees": b.fees,
                })));
            }
        }
        self.stats.write_time += started.elapsed();
        if let Some(sender) = &self.events {
            if sender.receiver_count() > 0 {
                touched.sort();
                touched.dedup();
                for address in touched {
                    let row = store::address(&mut self.db, &address)?
                        .unwrap_or_else(|| json!({"address": address, "balance": 0, "tx_count": 0}));
                    events.push(Event::Address(row));
                }
                for event in events {
                    // No receiver left is not an error: nobody is listening.
                    let _ = sender.send(event);
                }
            }
        }
        Ok(())
    }

    /// [`Processor::plan`] and [`Processor::execute`] until the index is at the node's
    /// sink (or the node does not know the cursor). Returns the blocks applied.
    ///
    /// # Errors
    /// As [`Processor::plan`] and [`Processor::execute`].
    pub fn sync(&mut self, node: &BlockValidator) -> Result<u64, ProcessorError> {
        let before = self.stats.applied;
        loop {
            let plan = self.plan(node, 500)?;
            if plan.is_empty() {
                return Ok(self.stats.applied - before);
            }
            self.execute(&plan)?;
        }
    }
}
