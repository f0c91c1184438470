//! A stratum mining pool over the devnet node, and the miner that connects to it.

pub mod client;
pub mod server;
pub mod stratum;
