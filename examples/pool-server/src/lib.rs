//! The example stratum pool's server: `pyrin-examples`' sans-I/O stratum core
//! (`pyrin_examples::pool::core`) carried by tokio, over an in-process devnet node, with
//! share accounting in memory or in Redis.
//!
//! - [`server`]: the listener, one task per connection, templates, found blocks.
//! - [`accounting`]: the [`accounting::ShareStore`] trait, in memory and in Redis (the
//!   Redis keys are documented in [`accounting::redis`]).
//! - [`resp`]: the small Redis client the Redis store speaks through.
//! - [`cli`]: the command line shared by the `pyrin-pool` binary and the `pool` example.
//! - [`load`]: simulated miners for the load and scale measurements.
//!
//! This package is a workspace member of its own so that only the pool builds tokio.

pub mod accounting;
pub mod cli;
pub mod load;
pub mod resp;
pub mod server;
