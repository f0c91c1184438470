//! A stratum mining pool on 127.0.0.1 fed by an in-process devnet node.
//!
//! ```text
//! cargo run --release --example pool -- --demo [--miners N] [--seconds S] [--redis redis://HOST:PORT]
//! cargo run --release --example pool -- [--port N] [--redis redis://HOST:PORT] [--payout-address ADDR] ...
//! ```
//! `--help` lists every flag.

fn main() -> std::process::ExitCode {
    pyrin_pool::cli::main(std::env::args().skip(1).collect())
}
