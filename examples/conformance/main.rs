//! Conformance runner: checks test-vector files against the pyrin crates.
//!
//! ```text
//! cargo run --release --example conformance                      # the repository's vectors/
//! cargo run --release --example conformance -- FILE...
//! cargo run --release --example conformance -- ../shared/vectors   # every file under a directory
//! ```
//!
//! Without arguments it checks every file under `$PYRIN_VECTORS`, else under the
//! repository's own copy of the vectors, `vectors/` at the top of the workspace.
//!
//! Prints `PASS|FAIL <kind> <file> <passed>/<total>` per file, then up to 10 failing case
//! names, and finally `N passed, M failed` over all cases (a file that cannot be read or
//! parsed counts as one failed case). Exits 0 only if every case of
//! every file passed.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// `println!` that ends the program quietly when stdout is gone (e.g. piped into `head`)
/// instead of panicking.
macro_rules! out {
    ($($arg:tt)*) => {
        if writeln!(std::io::stdout(), $($arg)*).is_err() {
            std::process::exit(1);
        }
    };
}

use pyrin_examples::vectors;

const MAX_LISTED_FAILURES: usize = 10;

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "-h" || a == "--help") {
        eprintln!(
            "usage: conformance [FILE_OR_DIR...]\n  checks .json / .json.gz vector files (directories are searched recursively);\n  \
             without arguments, every file under $PYRIN_VECTORS, else the repository's vectors/ ({})",
            vectors::vectors_dir().display()
        );
        return ExitCode::SUCCESS;
    }
    if args.is_empty() {
        args.push(vectors::vectors_dir().display().to_string());
    }
    let mut files: Vec<PathBuf> = Vec::new();
    let (mut passed, mut failed, mut all_ok) = (0usize, 0usize, true);
    for arg in &args {
        let path = PathBuf::from(arg);
        if path.is_dir() {
            match vectors::files_under(&path) {
                // A directory without vector files is almost always a wrong path: say so
                // rather than report a vacuous success.
                Ok(found) if found.is_empty() => {
                    out!("FAIL - {} 0/1\n  no .json or .json.gz vector files under this directory", path.display());
                    all_ok = false;
                    failed += 1;
                }
                Ok(found) => files.extend(found),
                Err(e) => {
                    out!("FAIL - {} 0/1\n  cannot list directory: {e}", path.display());
                    all_ok = false;
                    failed += 1;
                }
            }
        } else {
            files.push(path);
        }
    }

    for path in &files {
        let file = match vectors::load(path) {
            Ok(file) => file,
            Err(e) => {
                // An unreadable file counts as one failed case so the totals show it.
                out!("FAIL - {} 0/1\n  {e}", path.display());
                all_ok = false;
                failed += 1;
                continue;
            }
        };
        let report = vectors::run(&file);
        let status = if report.all_passed() { "PASS" } else { "FAIL" };
        out!("{status} {} {} {}/{}", report.kind, path.display(), report.passed, report.total);
        if report.unsupported {
            out!("  unsupported kind {}", report.kind);
        }
        for (name, reason) in report.failures.iter().take(MAX_LISTED_FAILURES) {
            out!("  {name}: {reason}");
        }
        if report.failures.len() > MAX_LISTED_FAILURES {
            out!("  ... and {} more", report.failures.len() - MAX_LISTED_FAILURES);
        }
        all_ok &= report.all_passed();
        passed += report.passed;
        failed += report.total - report.passed;
    }
    out!("{passed} passed, {failed} failed");
    if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
