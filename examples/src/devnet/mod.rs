//! A local devnet in one process, built only from the crates: a [`node`] storing the
//! blocks `pyrin-consensus` validates, an explorer's [`utxo`] ledger with per-script
//! counters, and a [`sim`]ulation of miners, their network and their wallets.

pub mod bits;
pub mod node;
pub mod sim;
pub mod utxo;
