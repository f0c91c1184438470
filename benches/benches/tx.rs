//! Benchmarks of pyrin-tx (to be written).

fn main() {}
