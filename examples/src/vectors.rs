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
            (Some(input), Some(expected)) => check(input, expected),
            _ => Err("case lacks `input` or `expected`".to_string()),
        };
        if let Err(reason) = result {
            failures.push((name, reason));
        }
    }
    FileReport { kind: file.kind.clone(), passed: total - failures.len(), total, failures, unsupported: false }
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

/// The vector directory: `$PYRIN_VECTORS`, else `../shared/vectors` beside the workspace.
pub fn vectors_dir() -> PathBuf {
    match std::env::var_os("PYRIN_VECTORS") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors"),
    }
}

/// Runs every vector file under `<vectors dir>/<subdir>` and panics with a report of each
/// failing case (for the workspace's tests). A missing directory fails, saying where it
/// looked.
pub fn assert_dir_passes(subdir: &str) {
    let dir = vectors_dir().join(subdir);
    let files = files_under(&dir).unwrap_or_else(|e| {
        panic!(
            "cannot read vector directory {} ({e}); set PYRIN_VECTORS to the shared/vectors directory",
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
