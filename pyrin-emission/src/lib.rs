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
//! - [`rules`]: the block rules about the coinbase (payload blue score and subsidy, the
//!   whole coinbase against the mergeset's rewards), with the reference's error names.
//! - [`payout`]: proportional and PPLNS splits of a block reward that always sum to the
//!   reward exactly.
//!
//! ```
//! use pyrin_core::params::Network;
//! use pyrin_core::{Amount, ScriptPublicKey};
//! use pyrin_emission::coinbase::{coinbase_outputs, BlockReward};
//! use pyrin_emission::payout::{pplns, split_proportional, Share};
//! use pyrin_emission::EmissionSchedule;
//!
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let mainnet = EmissionSchedule::for_network(Network::Mainnet);
//!
//!     // A block's subsidy: 17 PYI in the flat phase, then less every month.
//!     assert_eq!(mainnet.subsidy(0).to_string(), "17 PYI");
//!     assert_eq!(mainnet.subsidy(mainnet.deflationary_phase_daa_score()).to_string(), "14 PYI");
//!
//!     // The supply before DAA score 10 (scores 0 to 9) and through it (10 included).
//!     assert_eq!(mainnet.cumulative_subsidy(10).to_string(), "170 PYI");
//!     assert_eq!(mainnet.cumulative_subsidy_through(10).to_string(), "187 PYI");
//!     assert_eq!(mainnet.daa_score_reaching(Amount::from_leor(17_000_000_000)), Some(10));
//!     assert!(mainnet.max_supply() < Amount::MAX_MONEY);
//!
//!     // A block's coinbase: each blue of its mergeset is paid its subsidy and fees, and
//!     // everything the reds earned goes to this block's own miner.
//!     let script = |owner: u8| ScriptPublicKey::new(0, [&[0x20][..], &[owner; 32], &[0xac]].concat());
//!     let subsidy = mainnet.subsidy(1_000);
//!     let earned = |fees: u64, owner: u8| BlockReward {
//!         subsidy,
//!         fees: Amount::from_leor(fees),
//!         script_public_key: script(owner),
//!     };
//!     let blues = [earned(2_036, 1), earned(0, 2)];
//!     let reds = [earned(500, 3)];
//!     let outputs = coinbase_outputs(&blues, &reds, &script(9))?;
//!     let paid: Vec<String> = outputs.iter().map(|output| output.value.to_string()).collect();
//!     assert_eq!(paid, ["17.00002036 PYI", "17 PYI", "17.000005 PYI"]);
//!     assert_eq!(outputs[2].script_public_key, script(9));
//!
//!     // A pool splits its block's reward over its miners' shares, to the leor.
//!     let reward = outputs[0].value;
//!     let split = split_proportional(reward, &[3, 1])?;
//!     assert_eq!(split, [Amount::from_leor(1_275_001_527), Amount::from_leor(425_000_509)]);
//!     assert_eq!(Amount::checked_sum(split), Some(reward));
//!     // Or over the last N shares, weighted by difficulty (PPLNS).
//!     let shares = [
//!         Share { miner: "old", difficulty: 100 },
//!         Share { miner: "alice", difficulty: 2 },
//!         Share { miner: "bob", difficulty: 1 },
//!         Share { miner: "alice", difficulty: 1 },
//!     ];
//!     let by_miner = pplns(Amount::from_leor(900), &shares, 3)?;
//!     assert_eq!(by_miner, [("alice", Amount::from_leor(675)), ("bob", Amount::from_leor(225))]);
//!     Ok(())
//! }
//! ```
//!
//! # Features
//! One: `std` (default), `std` support in the dependencies. Without it the crate is
//! `no_std` + `alloc`, with the same API.
//!
//! # Reference behaviour followed
//! From the Rust reference node `Pyrinpyi/pyrin` (`consensus/src/processes/coinbase.rs`,
//! `consensus/core/src/config/params.rs`): a month is 2,629,800 seconds; at `bps` blocks
//! per second each table entry is `ceil(entry / bps)`; past the table the last entry (0)
//! applies; the coinbase pays blue mergeset blocks' subsidy plus fees in mergeset order,
//! skips zero amounts, and pays all red rewards to the block's own miner in one output.
//!
//! # Migrating from 0.1
//! - **Amounts.** Every `u64` of leor is a [`pyrin_core::Amount`]:
//!   [`EmissionSchedule::new`]'s subsidy, [`EmissionSchedule::subsidy`],
//!   [`EmissionSchedule::cumulative_subsidy`], [`EmissionSchedule::max_supply`],
//!   [`EmissionSchedule::pre_deflationary_subsidy`], [`EmissionSchedule::daa_score_reaching`]'s
//!   argument, `CoinbaseData::subsidy`, `BlockReward::subsidy` and `BlockReward::fees`, and
//!   the rewards and payouts of [`payout::split_proportional`] and [`payout::pplns`]. Wrap a
//!   count with `Amount::from_leor(v)`, read one with `.to_leor()`;
//!   `pyrin_core::params::LEOR_PER_PYI` → `Amount::LEOR_PER_PYI`.
//!   ([`EmissionSchedule::monthly_table`] and [`SUBSIDY_BY_MONTH_1BPS`] stay raw leor counts.)
//! - **Renamed.** `PayloadLimits::of` → [`coinbase::PayloadLimits::from_params`].
//! - **Supply through a score.** `cumulative_subsidy(daa_score + 1)` →
//!   [`EmissionSchedule::cumulative_subsidy_through`]`(daa_score)`, which also holds at
//!   `u64::MAX`.
//! - **`#[non_exhaustive]`.** A `match` on [`coinbase::CoinbaseError`] or
//!   [`payout::PayoutError`] needs a `_` arm.
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod coinbase;
pub mod payout;
pub mod rules;
mod schedule;
mod table;

pub use schedule::{EmissionSchedule, MAX_BPS, SECONDS_PER_MONTH};
pub use table::{MONTHS, SUBSIDY_BY_MONTH_1BPS};

/// The README's example, run as a doctest so that it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
