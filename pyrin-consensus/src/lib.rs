//! Pyrin block validation: a [`BlockValidator`] that judges blocks as the Pyrin reference
//! node does (header, body, then the virtual block's UTXO resolution) and keeps the state
//! that needs: the DAG with its GHOSTDAG data, block statuses, the UTXO set along the
//! selected chain with its MuHash commitment, and the virtual block over the valid tips.
//!
//! ```
//! use pyrin_consensus::{BlockValidator, Config};
//! use pyrin_core::params::MAINNET_PARAMS;
//!
//! let validator = BlockValidator::new(&MAINNET_PARAMS, &Config::default());
//! assert_eq!(validator.sink(), MAINNET_PARAMS.genesis.hash);
//! assert_eq!(validator.virtual_daa_score(), MAINNET_PARAMS.genesis.daa_score);
//! // Submit blocks with `validator.validate_and_insert(&block, now_ms)`.
//! ```
//!
//! # What a verdict is
//! [`BlockValidator::validate_and_insert`] returns either the first [`RuleError`] the
//! block breaks (the block is not stored) or its [`BlockStatus`] once the virtual block
//! has been resolved: [`BlockStatus::UtxoValid`] for a block whose UTXO state was checked
//! as a selected-chain block, [`BlockStatus::UtxoPendingVerification`] for a valid block
//! that was not a chain candidate, [`BlockStatus::DisqualifiedFromChain`] for a chain
//! candidate whose UTXO commitment, accepted-id merkle root, coinbase or own transactions
//! are wrong: it stays stored, stays a tip and can still be merged by the virtual block.
//! [`RuleError::name`] gives the reference's variant name of every rule.
//!
//! # Modules
//! - [`error`]: [`RuleError`], one variant per block rule; the transaction errors it
//!   carries are `pyrin_tx::rules::TxRuleError`.
//! - [`parents`]: the parents a header lists at each block level.
//! - [`validator`]: the [`BlockValidator`].
//! - [`template`]: [`BlockValidator::virtual_block_template`], the block a miner builds on
//!   the virtual parents (header fields, real UTXO commitment, coinbase), and
//!   [`BlockValidator::virtual_acceptance`]; [`TemplateError`] when the transactions given
//!   are invalid in the virtual's context (they are refused, not left out).
//!
//! Every rule that needs only one lower crate lives there and is called from here:
//! `pyrin_core::header_rules`, `pyrin_pow::rules`, `pyrin_ghostdag::rules`,
//! `pyrin_emission::rules`, and `pyrin-tx`'s `body`, `rules`, `context` and `utxo`.
//!
//! The rule inventory (`RULES.md` beside this crate) maps each of the reference's 48
//! block rules to the function here that enforces it and the test that proves it.
//!
//! # Reference behaviour followed
//! The Rust reference node `Pyrinpyi/pyrin` (0.14.5): the header processor's checks in
//! its order (`pre_ghostdag_validation.rs`, `pre_pow_validation.rs`,
//! `post_pow_validation.rs`: DAA score before bits, and only failures after those two
//! mark a block invalid), the body processor (`body_validation_in_isolation.rs`,
//! `body_validation_in_context.rs`: a bad merkle root leaves the header recorded), the
//! transaction validator, and the virtual processor (`processor.rs`,
//! `utxo_validation.rs`): the sink search over the tips by blue work that verifies chain
//! blocks from the split point up and disqualifies a failing one and everything above it,
//! virtual parents picked from the remaining candidates (within the parent and mergeset
//! limits, dropping those that would merge a red beyond the merge depth bound), the
//! selected parent's coinbase
//! accepted first, mergeset transactions validated against the view before their own
//! block's (the selected parent's without scripts), accepted ids sorted before their
//! merkle root, and the four checks of a chain candidate in the reference's order.
//!
//! # Not implemented (see `RULES.md`)
//! KIP-4 sampled difficulty and median-time windows: the validator computes the full
//! windows of mainnet, testnet-10 and devnet, not the sampled ones of networks where
//! sampling is active (testnet-11, simnet). Pruning: the pruning point stays at genesis and no pruning proof is built or checked;
//! finality is never violated (the finality point stays at genesis); the virtual parents'
//! random shuffle among more candidates than half the parent limit is not done (all are
//! taken in blue-work order while they fit); `pyrin_core::Transaction` carries no mass
//! commitment, so storage mass (KIP-9, inactive on mainnet) would refuse every transfer.
//! These only matter once a DAG is deeper than the finality depth, has more tips than half
//! the parent limit, or runs on a network with storage mass active.

#![cfg_attr(not(feature = "std"), no_std)]
#![cfg_attr(docsrs, feature(doc_auto_cfg))]
#![deny(missing_docs)]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod error;
pub mod parents;
pub mod template;
pub mod timing;
pub mod validator;
mod window;

pub use error::RuleError;
pub use template::TemplateError;
pub use timing::StageTimes;
pub use validator::{BlockValidator, ChainBlock, ChainChanges, MergedBlockAcceptance};

use pyrin_core::params::Params;

/// A block's status, as the reference records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BlockStatus {
    /// Refused.
    Invalid,
    /// The header is recorded, the body is not (a bad merkle root).
    HeaderOnly,
    /// Valid, its UTXO state not checked (it was not a selected-chain candidate).
    UtxoPendingVerification,
    /// Its UTXO state was checked as a chain block.
    UtxoValid,
    /// Valid header and body, wrong UTXO state: never a chain block.
    DisqualifiedFromChain,
}

impl BlockStatus {
    /// The reference's name (`"StatusUTXOValid"`, …).
    pub fn name(self) -> &'static str {
        match self {
            Self::Invalid => "StatusInvalid",
            Self::HeaderOnly => "StatusHeaderOnly",
            Self::UtxoPendingVerification => "StatusUTXOPendingVerification",
            Self::UtxoValid => "StatusUTXOValid",
            Self::DisqualifiedFromChain => "StatusDisqualifiedFromChain",
        }
    }
}

/// The settings a test may change from a network's params; nothing else may differ.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Config {
    /// Skip the proof-of-work check (`bits` are still checked against the DAA).
    pub skip_proof_of_work: bool,
    /// Replace the network's coinbase maturity (in DAA scores).
    pub coinbase_maturity: Option<u64>,
}

impl Config {
    /// The network as it is.
    pub fn new() -> Self {
        Self::default()
    }

    /// With the proof-of-work check off.
    pub fn with_skip_proof_of_work(mut self) -> Self {
        self.skip_proof_of_work = true;
        self
    }

    /// With another coinbase maturity.
    pub fn with_coinbase_maturity(mut self, maturity: u64) -> Self {
        self.coinbase_maturity = Some(maturity);
        self
    }

    /// `params` with these settings applied.
    pub fn apply(&self, params: &Params) -> Params {
        let mut params = params.clone();
        params.skip_proof_of_work |= self.skip_proof_of_work;
        if let Some(maturity) = self.coinbase_maturity {
            params.coinbase_maturity = maturity;
        }
        params
    }
}

/// The README's example, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
