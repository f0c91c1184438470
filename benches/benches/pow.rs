//! Benchmarks of pyrin-pow (to be written).

fn main() {}
