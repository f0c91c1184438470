//! Benchmarks of pyrin-emission (to be written).

fn main() {}
