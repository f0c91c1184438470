//! A block explorer on the library: the white paper's processor following the node's
//! selected chain into a database, an HTTP API with live updates, and a web page.
//!
//! The path from blocks to a page: the node's `BlockValidator` says how its selected chain
//! moved ([`pyrin_consensus::BlockValidator::selected_chain_changes`]) and what each chain
//! block accepted together with its UTXO diff; [`index`] turns that into rows (per
//! transaction and per address, with `pyrin:` addresses from `pyrin-tx`); the
//! [`processor`] writes them through [`store`] into a [`db`] (SQLite embedded, or
//! PostgreSQL), reverting chain blocks a reorganisation removed; [`api`] serves the index
//! and streams changes, answering addresses from a [`cache`] that the processor keeps
//! exact; [`replay`] records and replays a devnet's blocks so a separate processor process
//! can be killed and restarted over the same chain; [`pg`] starts a throw-away PostgreSQL
//! server for tests and measurements.

pub mod api;
pub mod cache;
pub mod db;
pub mod index;
pub mod pg;
pub mod processor;
pub mod replay;
pub mod store;
