//! Benchmarks of pyrin-ghostdag (to be written).

fn main() {}
