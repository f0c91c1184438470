//! Shared code of the example programs: the devnet node and simulation ([`devnet`]), the
//! stratum pool and miner ([`pool`]), and reading test-vector files and checking each
//! case against the pyrin crates. The `conformance` example is a thin command line over
//! [`vectors`]; the workspace's vector tests (`examples/tests/vectors_*.rs`) use it too.

pub mod devnet;
pub mod explorer;
pub mod json;
pub mod kinds;
pub mod pool;
pub mod vectors;
