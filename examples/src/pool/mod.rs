//! The mining pool's portable parts and the miner that connects to it: the stratum wire
//! format ([`stratum`]), the sans-I/O protocol [`core`], and a stratum miner ([`client`]).
//! The server around the core (tokio, Redis) is the `pyrin-pool` package, so the other
//! example programs do not build its dependencies.

pub mod client;
pub mod core;
pub mod stratum;
