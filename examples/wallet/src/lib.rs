//! A web wallet over the pyrin crates, for the browser and Node.js through WebAssembly.
//!
//! The white paper's wallet runs in the browser; this crate shows the library crates
//! doing that job on `wasm32-unknown-unknown` with the ecosystem's usual tooling
//! (wasm-bindgen), and proves it: its tests under Node.js and in headless Chromium compare
//! every output with the native build's, byte for byte. It is a program, not a library
//! for crates.io (`publish = false`).
//!
//! Layers, each in its own module:
//! - [`address`], [`draft`], [`signing`]: the wallet's work in typed Rust over `pyrin-tx`:
//!   a key's address on a network, parsing and checking an address, building a
//!   transaction from UTXOs and payments with the relay fee for its signed mass, signing
//!   (Schnorr, every sighash type, fixed or fresh auxiliary randomness) and verifying.
//! - [`api`]: the same operations over JSON text and bytes, one function per JavaScript
//!   export, so native tests and benchmarks run exactly what JavaScript runs.
//! - [`bindings`]: the `#[wasm_bindgen]` exports, forwarding to [`api`]; every error
//!   ([`WalletError`]) reaches JavaScript as an exception with the library's message.
//!
//! Build it for the browser (see the repository README, "In the browser"):
//! `cargo build -p pyrin-wallet --profile wasm-release --target wasm32-unknown-unknown`,
//! then `wasm-bindgen --target web` on the `.wasm`; `examples/wallet/web/index.html` is
//! the one-page wallet over it.

pub mod address;
pub mod api;
pub mod bindings;
pub mod draft;
mod error;
pub mod signing;

pub use error::WalletError;
