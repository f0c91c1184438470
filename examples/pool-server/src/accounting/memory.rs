//! Share accounting in the pool process: the embedded default.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Mutex;

use pyrin_examples::pool::core::payout::{split, PayoutRule};

use super::{BlockPayout, ShareStore, StoreFuture};

#[derive(Debug, Default)]
struct State {
    open: BTreeMap<String, u64>,
    window: VecDeque<(String, u64)>,
    rounds: u64,
    payouts: HashMap<String, BlockPayout>,
}

/// Shares and payouts in memory.
#[derive(Debug)]
pub struct MemoryStore {
    rule: PayoutRule,
    state: Mutex<State>,
}

impl MemoryStore {
    /// An empty store paying by `rule`.
    pub fn new(rule: PayoutRule) -> Self {
        Self { rule, state: Mutex::new(State::default()) }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // Every change below is a single step; a panic cannot leave one half done.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl ShareStore for MemoryStore {
    fn record_share<'a>(&'a self, worker: &'a str, weight: u64) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let mut state = self.state();
            let sum = state.open.entry(worker.to_string()).or_default();
            *sum = sum.saturating_add(weight);
            if let PayoutRule::Pplns(n) = self.rule {
                state.window.push_back((worker.to_string(), weight));
                while state.window.len() > n {
                    state.window.pop_front();
                }
            }
            Ok(())
        })
    }

    fn close_round<'a>(&'a self, block: &'a str, reward: u64) -> StoreFuture<'a, BlockPayout> {
        Box::pin(async move {
            let mut state = self.state();
            if let Some(paid) = state.payouts.get(block) {
                return Ok(paid.clone());
            }
            state.rounds += 1;
            let round: Vec<(String, u64)> = std::mem::take(&mut state.open).into_iter().collect();
            let window: Vec<(String, u64)> = state.window.iter().cloned().collect();
            let payout = BlockPayout {
                block: block.to_string(),
                round: state.rounds,
                reward,
                payouts: split(self.rule, reward, &round, &window),
            };
            state.payouts.insert(block.to_string(), payout.clone());
            Ok(payout)
        })
    }

    fn settle(&self) -> StoreFuture<'_, Vec<BlockPayout>> {
        // Rounds close and pay in one step here.
        Box::pin(async { Ok(Vec::new()) })
    }

    fn open_round(&self) -> StoreFuture<'_, Vec<(String, u64)>> {
        Box::pin(async move { Ok(self.state().open.iter().map(|(w, s)| (w.clone(), *s)).collect()) })
    }

    fn payout<'a>(&'a self, block: &'a str) -> StoreFuture<'a, Option<BlockPayout>> {
        Box::pin(async move { Ok(self.state().payouts.get(block).cloned()) })
    }
}
