//! A local devnet in one process, built only from the crates: a validating [`node`], its
//! [`utxo`] set with explorer counters, and a [`sim`]ulation of miners and wallets.

pub mod node;
pub mod sim;
pub mod utxo;
