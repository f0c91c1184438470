//! The block template miners work on: the block, its PoW state (built once, shared by every
//! share check) and the nonces already accepted for it.
//!
//! Share checks run on an `Arc<Template>` without any pool-wide lock: the PoW state is
//! read-only, and only the duplicate check touches a lock, this template's own, for one set
//! insertion after the PoW passed.

use std::collections::HashSet;
use std::sync::Mutex;

use pyrin_core::Block;
use pyrin_pow::share::difficulty_of_target;
use pyrin_pow::{PowError, PowState};

/// A template and what was submitted for it.
#[derive(Debug)]
pub struct Template {
    id: u64,
    block: Block,
    state: PowState,
    accepted: Mutex<HashSet<u64>>,
}

impl Template {
    /// Template number `id` (the pool numbers them in order) for `block`.
    ///
    /// # Errors
    /// As [`PowState::new`] for a header whose PoW state cannot be built.
    pub fn new(id: u64, block: Block) -> Result<Self, PowError> {
        let state = PowState::new(&block.header)?;
        Ok(Self { id, block, state, accepted: Mutex::new(HashSet::new()) })
    }

    /// Its number.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The block (nonce not set).
    pub fn block(&self) -> &Block {
        &self.block
    }

    /// The PoW state of its header.
    pub fn state(&self) -> &PowState {
        &self.state
    }

    /// The network difficulty in share units (a share above it is a block).
    pub fn network_difficulty(&self) -> f64 {
        difficulty_of_target(self.state.target())
    }

    /// Records `nonce` as accepted; false when it already was (a duplicate).
    pub fn first_submission(&self, nonce: u64) -> bool {
        // A panic elsewhere cannot leave a half-inserted set; keep serving.
        self.accepted.lock().unwrap_or_else(|p| p.into_inner()).insert(nonce)
    }

    /// The block with `nonce` in its header.
    pub fn block_with_nonce(&self, nonce: u64) -> Block {
        let mut block = self.block.clone();
        block.header.nonce = nonce;
        block
    }
}
