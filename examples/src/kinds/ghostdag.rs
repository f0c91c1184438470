//! Vector kinds checked against `pyrin-ghostdag` (none yet).

use super::CaseCheck;

/// The checker for `kind`, if this area supports it.
pub fn checker(kind: &str) -> Option<CaseCheck> {
    let _ = kind;
    None
}
