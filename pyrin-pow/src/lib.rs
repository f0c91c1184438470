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
//!
//! ```
//! use pyrin_core::params::Network;
//! use pyrin_pow::{PowState, Variant};
//!
//! let genesis = Network::Mainnet.params().genesis.header();
//! let state = PowState::new(&genesis)?;
//! assert_eq!(state.variant(), Variant::Legacy);
//! // The fast path and the plain one agree on every nonce.
//! assert_eq!(state.pow_value(42), state.pow_value_plain(42));
//! # Ok::<(), pyrin_pow::PowError>(())
//! ```
//!
//! # Reference behaviour followed
//! Facts were taken from the Rust reference node `Pyrinpyi/pyrin` (`consensus/pow`,
//! `crypto/hashes/src/pow_hashers.rs`, `consensus/src/processes/difficulty.rs`):
//! the matrix rank test is its floating-point Gaussian elimination with ε = 1e-9; the
//! relaunch variant applies to DAA scores strictly above the *mainnet* relaunch score on
//! every network; the difficulty window drops the block with the smallest
//! (timestamp, blue work, hash) before averaging targets. For the DAA score and past median
//! time (`difficulty.rs`, `window.rs`, `past_median_time.rs`), see [`daa`].
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs)]
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
