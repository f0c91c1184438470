//! Per-area checkers: each module maps the vector kinds it supports to a check function.

pub mod consensus;
pub mod core;
pub mod emission;
pub mod ghostdag;
pub mod pool;
pub mod pow;
pub mod tx;

use serde_json::Value;

/// Checks one case: `Ok` when the library reproduces `expected` from `input`, otherwise
/// an explanation of the first difference.
pub type CaseCheck = fn(input: &Value, expected: &Value) -> Result<(), String>;

/// The checker for a vector kind, if any area supports it.
pub fn checker(kind: &str) -> Option<CaseCheck> {
    core::checker(kind)
        .or_else(|| pow::checker(kind))
        .or_else(|| tx::checker(kind))
        .or_else(|| ghostdag::checker(kind))
        .or_else(|| emission::checker(kind))
        .or_else(|| consensus::checker(kind))
        .or_else(|| pool::checker(kind))
}
