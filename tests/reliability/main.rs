//! Reliability tests (issue 6): hostile input files, property tests of the
//! invariants, outputs that never half-exist, exit codes. One test binary,
//! one module per area.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod exit_codes;
mod generated;
mod hostile;
mod outputs;
mod properties;

/// The binary under test; `SLA_REPORT_BIN` points the tests at another
/// build (e.g. a private copy when several worktrees share one
/// `CARGO_TARGET_DIR`, whose `release/sla-report` the last build replaces).
fn bin() -> String {
    std::env::var("SLA_REPORT_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_sla-report").into())
}

/// A fresh, empty folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("reliability")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs the binary from the crate root (fixture paths are relative to it).
fn sla(args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run sla-report")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
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

/// Rows of a CSV output as maps from column name to value.
fn rows(dir: &Path, name: &str) -> Vec<std::collections::HashMap<String, String>> {
    let mut rdr = csv::Reader::from_path(dir.join(name)).unwrap();
    let header = rdr.headers().unwrap().clone();
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            header
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

fn json(dir: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("run.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Per input file (path, read, accepted, rejected, skipped) from run.json,
/// after checking read = accepted + rejected + skipped for every file and
/// that the rejected counts match rejects.csv.
fn accounting(dir: &Path) -> Vec<(String, u64, u64, u64, u64)> {
    let run = json(dir);
    let rejects = rows(dir, "rejects.csv");
    let files: Vec<_> = run["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let n = |k: &str| f[k].as_u64().unwrap_or_else(|| panic!("{k}: {f}"));
            let path = f["path"].as_str().unwrap().to_string();
            let (read, accepted, rejected, skipped) = (
                n("records_read"),
                n("records_accepted"),
                n("records_rejected"),
                n("records_skipped"),
            );
            assert_eq!(
                read,
                accepted + rejected + skipped,
                "{path}: read = a + r + s"
            );
            let listed = rejects.iter().filter(|r| r["file"] == path).count() as u64;
            assert_eq!(rejected, listed, "{path}: rejected vs rejects.csv");
            (path, read, accepted, rejected, skipped)
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
