//! Vector kinds checked against the pool example's stratum code: `stratum_job`.

use pyrin_core::PrePowHash;
use serde_json::Value;

use super::CaseCheck;
use crate::json::*;
use crate::pool::stratum::{big_job, hash_to_words};

/// The checker for `kind`, if this area supports it.
pub fn checker(kind: &str) -> Option<CaseCheck> {
    match kind {
        "stratum_job" => Some(stratum_job),
        _ => None,
    }
}

/// Both job dialects of the Pyrin stratum bridge for a pre-PoW hash and a timestamp.
fn stratum_job(input: &Value, expected: &Value) -> Result<(), String> {
    let hash: PrePowHash = hash_field(input, "pre_pow_hash")?;
    let timestamp = u64_field(input, "timestamp")?;
    let want = array_field(expected, "job_words")?.iter().map(u64_of).collect::<Result<Vec<_>, _>>()?;
    let got = hash_to_words(&hash).to_vec();
    if got != want {
        return Err(format!("job_words: got {got:?}, expected {want:?}"));
    }
    expect_eq("big_job", big_job(&hash, timestamp).as_str(), str_field(expected, "big_job")?)
}
