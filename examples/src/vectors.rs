//! Loading vector files (`.json` or gzip-compressed `.json.gz`) and running their cases.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::kinds;

/// Why a vector file could not be read at all.
#[derive(Debug)]
pub enum LoadError {
    /// The file could not be opened or read.
    Io(PathBuf, std::io::Error),
    /// The file is not valid JSON (after decompression for `.gz`).
    Json(PathBuf, serde_json::Error),
    /// The JSON does not have the `{kind, cases: [...]}` shape.
    Shape(PathBuf, String),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Io(p, e) => write!(f, "cannot read {}: {e}", p.display()),
            LoadError::Json(p, e) => write!(f, "{} is not valid JSON: {e}", p.display()),
            LoadError::Shape(p, e) => write!(f, "{} is not a vector file: {e}", p.display()),
        }
    }
}

impl std::error::Error for LoadError {}

/// One vector file: its kind and cases.
#[derive(Debug)]
pub struct VectorFile {
    /// Where it was read from.
    pub path: PathBuf,
    /// The `kind` field.
    pub kind: String,
    /// The `cases` array.
    pub cases: Vec<Value>,
}

/// Reads and parses a vector file; `.gz` files are decompressed first.
pub fn load(path: &Path) -> Result<VectorFile, LoadError> {
    let raw = std::fs::read(path).map_err(|e| LoadError::Io(path.into(), e))?;
    let text = if path.extension().is_some_and(|e| e == "gz") {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&raw[..]).read_to_end(&mut out).map_err(|e| LoadError::Io(path.into(), e))?;
        out
    } else {
        raw
    };
    let doc: Value = serde_json::from_slice(&text).map_err(|e| LoadError::Json(path.into(), e))?;
    let kind = doc
        .get("kind")
        .and_then(Value::as_str)
        .ok_or_else(|| LoadError::Shape(path.into(), "missing string field `kind`".into()))?
        .to_string();
    let cases = doc
        .get("cases")
        .and_then(Value::as_array)
        .ok_or_else(|| LoadError::Shape(path.into(), "missing array field `cases`".into()))?
        .clone();
    Ok(VectorFile { path: path.into(), kind, cases })
}

/// The outcome of one file's cases.
#[derive(Debug)]
pub struct FileReport {
    /// The file's kind.
    pub kind: String,
    /// Cases that passed.
    pub passed: usize,
    /// Total cases.
    pub total: usize,
    /// `(case name, reason)` of each failure.
    pub failures: Vec<(String, String)>,
    /// Set when no checker supports the kind (every case then counts as failed).
    pub unsupported: bool,
}

impl FileReport {
    /// Whether every case passed.
    pub fn all_passed(&self) -> bool {
        !self.unsupported && self.passed == self.total
    }
}

/// Runs every case of a file through its kind's checker.
pub fn run(file: &VectorFile) -> FileReport {
    let total = file.cases.len();
    let Some(check) = kinds::checker(&file.kind) else {
        return FileReport { kind: file.kind.clone(), passed: 0, total, failures: Vec::new(), unsupported: true };
    };
    let mut failures = Vec::new();
    for (i, case) in file.cases.iter().enumerate() {
        let name = case.get("name").and_then(Value::as_str).map_or_else(|| format!("case #{i}"), str::to_string);
        let result = match (case.get("input"), case.get("expected")) {
            (Some(input), Some(expected)) => match expected.get("error") {
                Some(reason) => expect_rejection(check(input, expected), reason),
                None => check(input, expected),
            },
            _ => Err("case lacks `input` or `expected`".to_string()),
        };
        if let Err(reason) = result {
            failures.push((name, reason));
        }
    }
    FileReport { kind: file.kind.clone(), passed: total - failures.len(), total, failures, unsupported: false }
}

/// The verdict on a case whose `expected` holds `error` (`vectors.md`): it passes when the
/// checker failed before reaching any expected value, that is when the library (or the
/// reading of the input into library types) refused the input.
fn expect_rejection(result: Result<(), String>, reason: &Value) -> Result<(), String> {
    match result {
        Err(e) if !e.starts_with(crate::json::ACCEPTED) => Ok(()),
        Err(e) => Err(e),
        Ok(()) => Err(format!("{} ({reason})", crate::json::ACCEPTED)),
    }
}

/// Every `.json` / `.json.gz` file under `dir`, recursively, sorted.
pub fn files_under(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.to_str().is_some_and(|p| p.ends_with(".json") || p.ends_with(".json.gz")) {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// The vector directory: `$PYRIN_VECTORS`, else the repository's own copy, `vectors/` at
/// the top of the workspace.
pub fn vectors_dir() -> PathBuf {
    match std::env::var_os("PYRIN_VECTORS") {
        Some(dir) => PathBuf::from(dir),
        None => {
            let examples = Path::new(env!("CARGO_MANIFEST_DIR"));
            examples.parent().unwrap_or(examples).join("vectors")
        }
    }
}

/// Runs every vector file under `<vectors dir>/<subdir>` and panics with a report of each
/// failing case (for the workspace's tests). A missing directory fails, saying where it
/// looked.
pub fn assert_dir_passes(subdir: &str) {
    let dir = vectors_dir().join(subdir);
    let files = files_under(&dir).unwrap_or_else(|e| {
        panic!(
            "cannot read vector directory {} ({e}); set PYRIN_VECTORS to a vector directory (default: the repository's vectors/)",
            dir.display()
        )
    });
    assert!(!files.is_empty(), "no vector files under {}", dir.display());
    let mut problems = Vec::new();
    let mut cases = 0;
    for path in &files {
        let file = load(path).unwrap_or_else(|e| panic!("{e}"));
        let report = run(&file);
        cases += report.total;
        if report.unsupported {
            problems.push(format!("{}: unsupported kind {}", path.display(), report.kind));
        }
        for (name, reason) in &report.failures {
            problems.push(format!("{}: {name}: {reason}", path.display()));
        }
    }
    assert!(problems.is_empty(), "{} of {cases} cases failed:\n{}", problems.len(), problems.join("\n"));
    eprintln!("{cases} cases in {} files under {} passed", files.len(), dir.display());
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn report(kind: &str, cases: Vec<Value>) -> FileReport {
        run(&VectorFile { path: PathBuf::from("inline"), kind: kind.into(), cases })
    }

    fn case(input: Value, expected: Value) -> Value {
        json!({ "name": "c", "input": input, "expected": expected })
    }

    #[test]
    fn a_rejected_input_passes_a_case_that_expects_rejection() {
        let cases = vec![
            // Not an address at all.
            case(json!({ "decode": "pyrin:not-an-address" }), json!({ "error": "checksum" })),
            // A header whose hash is not hex: the library cannot take it.
            case(json!({ "header": { "version": 1 }, "nonce": 1, "variant": "legacy" }), json!({ "error": "bad" })),
        ];
        let kinds = ["address", "pow"];
        for (kind, c) in kinds.iter().zip(cases) {
            let r = report(kind, vec![c]);
            assert!(r.all_passed(), "{kind}: {:?}", r.failures);
        }
    }

    #[test]
    fn an_accepted_input_fails_a_case_that_expects_rejection() {
        let header = pyrin_core::params::Network::Mainnet.params().genesis.header();
        let header_json = json!({
            "version": header.version,
            "parents_by_level": [],
            "hash_merkle_root": header.hash_merkle_root.to_string(),
            "accepted_id_merkle_root": header.accepted_id_merkle_root.to_string(),
            "utxo_commitment": header.utxo_commitment.to_string(),
            "timestamp": header.timestamp,
            "bits": header.bits,
            "nonce": header.nonce,
            "daa_score": header.daa_score,
            "blue_score": header.blue_score,
            "blue_work": "0",
            "pruning_point": header.pruning_point.to_string(),
        });
        let r = report(
            "pow",
            vec![case(json!({ "header": header_json, "nonce": 7, "variant": "legacy" }), json!({ "error": "x" }))],
        );
        assert!(!r.all_passed());
        assert!(r.failures[0].1.starts_with(crate::json::ACCEPTED), "{:?}", r.failures);
        let r = report("compact_target", vec![case(json!({ "bits": 0x1d00ffff }), json!({ "error": "x" }))]);
        assert!(r.failures[0].1.starts_with(crate::json::ACCEPTED), "{:?}", r.failures);
    }

    #[test]
    fn a_missing_expected_field_is_still_reported_as_such() {
        let r = report("compact_target", vec![case(json!({ "bits": 0x1d00ffff }), json!({}))]);
        assert!(r.failures[0].1.contains("missing field"), "{:?}", r.failures);
    }
}
