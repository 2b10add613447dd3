//! Reliability tests: hostile input files, property tests of the
//! invariants, outputs that never half-exist (also when killed), exit codes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

pub use crate::common::*;

mod exit_codes;
mod generated;
mod hostile;
mod killed;
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

/// The lock file every run leaves in its output folder.
const LOCK: &str = ".sla-report.lock";

/// The report in a folder: its visible files, name -> bytes (hidden files
/// are the tool's lock, journal and temporaries, or the user's).
fn report_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (name, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

/// Checks that `report` (name -> bytes) is one complete report: run.json
/// lists every other file, sorted by name, each with its size and SHA-256.
fn assert_complete(report: &BTreeMap<String, Vec<u8>>, what: &str) {
    use sha2::{Digest, Sha256};
    let run: serde_json::Value = serde_json::from_slice(
        report
            .get("run.json")
            .unwrap_or_else(|| panic!("{what}: no run.json")),
    )
    .unwrap_or_else(|e| panic!("{what}: run.json: {e}"));
    let outputs = run["outputs"]
        .as_array()
        .unwrap_or_else(|| panic!("{what}: no outputs"));
    let listed: Vec<&str> = outputs
        .iter()
        .map(|o| o["file"].as_str().unwrap())
        .collect();
    let mut expected: Vec<&str> = report
        .keys()
        .map(String::as_str)
        .filter(|n| *n != "run.json")
        .collect();
    expected.sort();
    assert_eq!(listed, expected, "{what}: the files run.json lists");
    for o in outputs {
        let bytes = &report[o["file"].as_str().unwrap()];
        assert_eq!(o["bytes"].as_u64(), Some(bytes.len() as u64), "{what}: {o}");
        let digest = format!("{:x}", Sha256::digest(bytes));
        assert_eq!(o["sha256"].as_str(), Some(digest.as_str()), "{what}: {o}");
    }
}

/// `sample` data in `dir/name`: (tickets, changes) paths.
fn sample_data(dir: &Path, name: &str, tickets: u32, seed: u32) -> (String, String) {
    let data = dir.join(name);
    let out = sla(&[
        "sample",
        "--tickets",
        &tickets.to_string(),
        "--seed",
        &seed.to_string(),
        "--out",
        data.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let path = |f: &str| data.join(f).to_str().unwrap().to_string();
    (path("tickets.csv"), path("priority_changes.csv"))
}
