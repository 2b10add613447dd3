//! Reliability tests: hostile input files, property tests of the
//! invariants, outputs that never half-exist, exit codes.

use std::path::{Path, PathBuf};
use std::process::Output;

pub use crate::common::*;

mod exit_codes;
mod generated;
mod hostile;
mod outputs;
mod properties;
mod resources;
mod terminal;

/// A fresh, empty folder for one test.
fn scratch(name: &str) -> PathBuf {
    scratch_in("reliability", name)
}

/// Never a panic, whatever the outcome.
fn assert_no_panic(out: &Output, what: &str) {
    let err = stderr(out);
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "{what}: {err}"
    );
    assert!(out.status.code().is_some(), "{what}: killed by a signal");
}

/// Per input file (path, read, accepted, rejected, skipped, ignored) from
/// run.json, after checking read = accepted + rejected + skipped + outside
/// + ignored for every file and that the rejected counts match rejects.csv.
#[allow(clippy::type_complexity)]
fn accounting(dir: &Path) -> Vec<(String, u64, u64, u64, u64, u64)> {
    let run = json(dir);
    let rejects = rows(dir, "rejects.csv");
    let files: Vec<_> = run["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let n = |k: &str| f[k].as_u64().unwrap_or_else(|| panic!("{k}: {f}"));
            let path = f["path"].as_str().unwrap().to_string();
            let (read, accepted, rejected, skipped, outside, ignored) = (
                n("records_read"),
                n("records_accepted"),
                n("records_rejected"),
                n("records_skipped"),
                n("records_outside_period"),
                n("records_ignored"),
            );
            assert_eq!(
                read,
                accepted + rejected + skipped + outside + ignored,
                "{path}: read = a + r + s + o + i"
            );
            let listed = rejects.iter().filter(|r| r["file"] == path).count() as u64;
            assert_eq!(rejected, listed, "{path}: rejected vs rejects.csv");
            (path, read, accepted, rejected, skipped, ignored)
        })
        .collect();
    let total: u64 = files.iter().map(|f| f.3).sum();
    assert_eq!(
        total as usize,
        rejects.len(),
        "every reject belongs to a file"
    );
    files
}
