//! The pool as a binary (what the fault tests start, kill and restart); the same program as
//! `cargo run --example pool`.

fn main() -> std::process::ExitCode {
    pyrin_pool::cli::main(std::env::args().skip(1).collect())
}
