//! Share accounting: where accepted shares are counted and found blocks are paid, behind
//! one trait with two implementations.
//!
//! - [`memory::MemoryStore`]: in the pool process; nothing to install, lost with the
//!   process (the `--demo` default).
//! - [`redis::RedisStore`]: the white paper's design, in Redis; survives pool restarts,
//!   and several pool processes on one Redis share one round.
//!
//! The contract both keep: [`ShareStore::record_share`] returns only once the share is
//! counted (the pool acknowledges a share to its miner only then, so an acknowledged
//! share is never lost); [`ShareStore::close_round`] closes the open round for a block
//! atomically and records the block's payout once, however often it is called for that
//! block (a retry, a restart or another pool process never pays a block twice).

pub mod memory;
pub mod redis;

use std::future::Future;
use std::pin::Pin;

use pyrin_examples::pool::core::payout::Payouts;

/// Why the store could not do what was asked; the share or block is then not counted.
#[derive(Clone, Debug, thiserror::Error)]
pub enum StoreError {
    /// The store cannot be reached now (Redis down, a timeout).
    #[error("share store unavailable: {0}")]
    Unavailable(String),
    /// The store holds data this pool cannot read.
    #[error("share store data: {0}")]
    Data(String),
}

/// The future of a store operation.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// A found block's payout as recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockPayout {
    /// The block hash (hex).
    pub block: String,
    /// The round it closed (1 for the first).
    pub round: u64,
    /// The reward split, in leor.
    pub reward: u64,
    /// Worker and leor, summing to `reward` (empty when no share backs it).
    pub payouts: Payouts,
}

impl BlockPayout {
    /// The record as JSON text (how the Redis store keeps it).
    pub fn to_json(&self) -> String {
        serde_json::json!({
            "block": self.block, "round": self.round, "reward": self.reward, "payouts": self.payouts,
        })
        .to_string()
    }

    /// A record from [`BlockPayout::to_json`] text.
    ///
    /// # Errors
    /// [`StoreError::Data`] for any other text.
    pub fn from_json(text: &str) -> Result<Self, StoreError> {
        let bad = || StoreError::Data(format!("not a payout record: {text}"));
        let value: serde_json::Value = serde_json::from_str(text).map_err(|_| bad())?;
        let payouts = value["payouts"]
            .as_array()
            .ok_or_else(bad)?
            .iter()
            .map(|p| Some((p.get(0)?.as_str()?.to_string(), p.get(1)?.as_u64()?)))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(bad)?;
        Ok(Self {
            block: value["block"].as_str().ok_or_else(bad)?.to_string(),
            round: value["round"].as_u64().ok_or_else(bad)?,
            reward: value["reward"].as_u64().ok_or_else(bad)?,
            payouts,
        })
    }
}

/// Where shares are counted and blocks paid.
pub trait ShareStore: Send + Sync {
    /// Counts an accepted share of `weight` for `worker` in the open round (and the PPLNS
    /// window); resolves once it is recorded.
    fn record_share<'a>(&'a self, worker: &'a str, weight: u64) -> StoreFuture<'a, ()>;

    /// Closes the open round for `block` (hex hash) with `reward` leor, and records and
    /// returns the block's payout. Called again for the same block, it returns the payout
    /// already recorded and pays nothing more.
    fn close_round<'a>(&'a self, block: &'a str, reward: u64) -> StoreFuture<'a, BlockPayout>;

    /// Records the payouts of blocks whose round was closed but whose payout was not yet
    /// recorded (a pool that died between the two); returns them.
    fn settle(&self) -> StoreFuture<'_, Vec<BlockPayout>>;

    /// The open round: each worker's summed share weight.
    fn open_round(&self) -> StoreFuture<'_, Vec<(String, u64)>>;

    /// The payout recorded for `block`, if any.
    fn payout<'a>(&'a self, block: &'a str) -> StoreFuture<'a, Option<BlockPayout>>;
}
