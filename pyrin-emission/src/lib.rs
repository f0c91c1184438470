//! Pyrin's emission: the block subsidy schedule, the supply it implies, the coinbase
//! payload and outputs, and exact pool reward splits.
//!
//! - [`EmissionSchedule`]: the subsidy of a DAA score on any network (a flat
//!   pre-deflationary subsidy, then a monthly table shrinking by (1/2)^(1/12) a month,
//!   scaled to the network's blocks per second), the cumulative subsidy before any score
//!   in O(1), the maximum supply, the last rewarding score, and the score at which a
//!   given supply is reached.
//! - [`coinbase`]: the coinbase payload (encode/decode with the network's limits) and the
//!   coinbase outputs of a block from its mergeset's rewards.
//! - [`payout`]: proportional and PPLNS splits of a block reward that always sum to the
//!   reward exactly.
//!
//! ```
//! use pyrin_core::{params::Network, Amount};
//! use pyrin_emission::EmissionSchedule;
//!
//! let schedule = EmissionSchedule::for_network(Network::Testnet10); // 10 blocks/s
//! assert_eq!(schedule.subsidy(0).to_string(), "1.7 PYI"); // 17 PYI per second over 10 blocks
//! assert!(schedule.max_supply() < Amount::MAX_MONEY);
//! ```
//!
//! # Reference behaviour followed
//! From the Rust reference node `Pyrinpyi/pyrin` (`consensus/src/processes/coinbase.rs`,
//! `consensus/core/src/config/params.rs`): a month is 2,629,800 seconds; at `bps` blocks
//! per second each table entry is `ceil(entry / bps)`; past the table the last entry (0)
//! applies; the coinbase pays blue mergeset blocks' subsidy plus fees in mergeset order,
//! skips zero amounts, and pays all red rewards to the block's own miner in one output.
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod coinbase;
pub mod payout;
mod schedule;
mod table;

pub use schedule::{EmissionSchedule, MAX_BPS, SECONDS_PER_MONTH};
pub use table::{MONTHS, SUBSIDY_BY_MONTH_1BPS};
