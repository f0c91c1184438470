//! The Pyrin heavy-hash proof of work: exact, and fast enough to mine with.
//!
//! Pyrin's PoW (see the crate family's `consensus-core.md`) hashes a header template with
//! BLAKE3, multiplies a 64×64 nibble matrix drawn from the template by the hash's 64
//! nibbles, folds the row sums back into 32 bytes, XORs them with the hash and hashes them
//! again with BLAKE3. The result, read as a little-endian 256-bit integer, must not exceed
//! the target of the header's compact bits.
//!
//! - [`PowState`] holds everything per template (matrix, target, the BLAKE3 state after
//!   the nonce-independent first block) and computes the PoW of a nonce, by a plain route
//!   ([`PowState::pow_value_plain`]) and by the fast one ([`PowState::pow_value`],
//!   [`PowState::pow_values`]), which hashes [`LANES`] nonces at once and uses AVX2 when
//!   the CPU has it.
//! - [`Variant`] is the matrix-reduction rule: the original one and the one the relaunch
//!   hard fork activated. [`Variant::for_header`] picks it as the reference node does.
//! - [`search()`] and, with the `rayon` feature, `par_search` look for a nonce;
//!   [`share`] derives stratum share targets and checks a share against both targets at
//!   once; [`block_level`] and [`difficulty::next_bits`] are the other PoW rules, with
//!   [`daa::daa_score()`] and [`daa::past_median_time`] deriving the rest of what a
//!   block's windows say: its DAA score, the mergeset blocks it pays, the time it must pass.
//! - [`rules`]: the header rules over those values (PoW with the block level, DAA score
//!   then bits, timestamp after the past median time), each with the reference's error name.
//!
//! ```
//! use pyrin_core::params::Network;
//! use pyrin_core::CompactTarget;
//! use pyrin_pow::share::{difficulty_of_target, target_from_difficulty};
//! use pyrin_pow::{search, PowState, Variant};
//!
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     // A header's PoW state: the fast path and the plain route agree on every nonce.
//!     let genesis = Network::Mainnet.params().genesis.header();
//!     let state = PowState::new(&genesis)?;
//!     assert_eq!(state.variant(), Variant::Legacy); // before the relaunch hard fork
//!     let check = state.check(genesis.nonce);
//!     assert_eq!(check.value, state.pow_value_plain(genesis.nonce));
//!     assert_eq!(check.meets_target, state.target().is_met_by(check.value));
//!
//!     // A stratum job carries a template's pre-PoW hash, timestamp and bits. This one's
//!     // target is easy (about one nonce in 4,096 meets it) so the example runs fast.
//!     let mut template = Network::Devnet.params().genesis.header();
//!     template.bits = CompactTarget::from_consensus(0x1f0f_ffff);
//!     let variant = Variant::for_header(&template);
//!     let job = PowState::from_parts(template.pre_pow_hash(), template.timestamp, template.bits, variant)?;
//!
//!     // A miner searches a range of nonces for a block.
//!     let outcome = search(&job, 0..100_000);
//!     let block = outcome.solution.ok_or("no block among 100,000 nonces")?;
//!     assert_eq!(outcome.tried, block.nonce + 1);
//!
//!     // The pool checks a submitted nonce against the miner's share target and the network
//!     // target at once. Stratum difficulty 2^-24 makes shares 16 times easier than blocks.
//!     let share_target = target_from_difficulty(1.0 / 16_777_216.0)?;
//!     assert_eq!(difficulty_of_target(share_target), 1.0 / 16_777_216.0);
//!     let share = job.check_share(block.nonce, share_target);
//!     assert!(share.meets_share && share.meets_network);
//!     // Every block is a share; most shares are not blocks.
//!     let checks: Vec<_> = (0..2_048).map(|nonce| job.check_share(nonce, share_target)).collect();
//!     assert!(checks.iter().all(|c| c.meets_share || !c.meets_network));
//!     let shares = checks.iter().filter(|c| c.meets_share).count();
//!     let blocks = checks.iter().filter(|c| c.meets_network).count();
//!     assert!(shares > blocks);
//!     Ok(())
//! }
//! ```
//!
//! # Features
//! | feature | default | what it adds |
//! | --- | --- | --- |
//! | `std` | yes | run-time CPU detection ([`Backend::detect`]); without it the crate is `no_std` + `alloc` and uses AVX2 only when compiled for it |
//! | `rayon` | no | `par_search`, the nonce search on all threads (needs `std`) |
//! | `portable` | no | testing only: [`Backend::detect`] always answers [`Backend::Portable`], so a test run on an AVX2 machine covers the code other CPUs run |
//!
//! # Reference behaviour followed
//! Facts were taken from the Rust reference node `Pyrinpyi/pyrin` (`consensus/pow`,
//! `crypto/hashes/src/pow_hashers.rs`, `consensus/src/processes/difficulty.rs`):
//! the matrix rank test is its floating-point Gaussian elimination with ε = 1e-9; the
//! relaunch variant applies to DAA scores strictly above the *mainnet* relaunch score on
//! every network; the difficulty window drops the block with the smallest
//! (timestamp, blue work, hash) before averaging targets. For the DAA score and past median
//! time (`difficulty.rs`, `window.rs`, `past_median_time.rs`), see [`daa`].
//!
//! # Migrating from 0.1
//! - **Typed numbers from `pyrin-core`.** `Uint256` targets → [`Target`](pyrin_core::Target)
//!   ([`PowState::target`], `DifficultyRules::max_target`, [`share::DIFFICULTY_1_TARGET`],
//!   [`share::target_from_difficulty`]); `Uint256` PoW values →
//!   [`PowValue`](pyrin_core::PowValue) ([`PowState::pow_value`],
//!   [`PowState::pow_value_plain`], [`PowState::pow_values`], `PowCheck::value`,
//!   `ShareCheck::value`, `Solution::value`, [`level_of_value`]); `u32` bits →
//!   [`CompactTarget`](pyrin_core::CompactTarget) ([`PowState::from_parts`],
//!   `WindowBlock::bits`, `DifficultyRules::genesis_bits`, [`difficulty::next_bits`]); `Hash`
//!   → [`PrePowHash`](pyrin_core::PrePowHash) ([`PowState::from_parts`],
//!   [`PowState::pre_pow_hash`], [`Matrix::generate`]) and
//!   [`BlockHash`](pyrin_core::BlockHash) (`WindowBlock::hash`).
//! - **Comparisons.** `value <= state.target()` → `state.target().is_met_by(value)`.
//! - **Renamed.** `DifficultyRules::of` → [`difficulty::DifficultyRules::from_params`].
//! - **Shares.** `state.check_share(nonce, &target)` → `state.check_share(nonce, target)`
//!   ([`PowState::check_share`] takes a `Target` or a `CompactTarget`);
//!   `difficulty_of_target(&target)` → [`share::difficulty_of_target`]`(target)`.
//! - **Paths.** `pyrin_pow::daa_score`, `pyrin_pow::past_median_time` and
//!   `pyrin_pow::DaaScore` → [`daa::daa_score`], [`daa::past_median_time`],
//!   [`daa::DaaScore`]; `pyrin_pow::search::{search, par_search, SearchOutcome, Solution}` →
//!   `pyrin_pow::{search, par_search, SearchOutcome, Solution}` (the `search` module is
//!   private).
//! - **`#[non_exhaustive]`.** A `match` on [`PowError`], [`share::ShareError`], [`Variant`]
//!   or [`Backend`] needs a `_` arm.
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]
#![deny(unsafe_code)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod blake3_lanes;
pub mod daa;
pub mod difficulty;
mod fast;
mod level;
mod matrix;
pub mod rules;
mod search;
pub mod share;
#[allow(unsafe_code)]
mod simd;
mod state;
mod variant;
mod xoshiro;

/// Why a PoW state could not be built.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PowError {
    /// The pre-PoW hash is all zeros: the matrix generator would draw zeros forever
    /// (the reference node loops on it); no header can have it in practice.
    #[error("the pre-PoW hash is zero, from which no full-rank matrix can be drawn")]
    ZeroPrePowHash,
}

pub use fast::{Backend, LANES};
pub use level::{block_level, level_of_value};
pub use matrix::Matrix;
#[cfg(feature = "rayon")]
#[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
pub use search::par_search;
pub use search::{search, SearchOutcome, Solution};
pub use state::{PowCheck, PowState};
pub use variant::{UnknownVariant, Variant};
pub use xoshiro::Xoshiro256PlusPlus;

/// The README's example, run as a doctest so that it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
