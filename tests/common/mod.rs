//! Helpers shared by the integration-test modules: running the binary,
//! scratch folders, reading its outputs.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The binary under test; `SLA_REPORT_BIN` points the tests at another
/// build (e.g. a private copy when several worktrees share one
/// `CARGO_TARGET_DIR`, whose `release/sla-report` the last build replaces).
pub fn bin() -> String {
    std::env::var("SLA_REPORT_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_sla-report").into())
}

pub fn fixture(rel: &str) -> String {
    format!("{ROOT}/tests/fixtures/{rel}")
}

/// A fresh, empty folder for one test, under `area` (one per test module).
pub fn scratch_in(area: &str, name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(area).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs the binary in `cwd`.
pub fn sla_in(cwd: &Path, args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run sla-report")
}

/// Runs the binary from the crate root (fixture paths are relative to it).
pub fn sla(args: &[&str]) -> Output {
    sla_in(Path::new(ROOT), args)
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// An output file's text.
pub fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The raw lines of a CSV output.
pub fn lines(dir: &Path, name: &str) -> Vec<String> {
    read(dir, name).lines().map(String::from).collect()
}

/// Rows of a CSV output as maps from column name to value.
pub fn rows(dir: &Path, name: &str) -> Vec<HashMap<String, String>> {
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

/// run.json of an output folder.
pub fn json(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&read(dir, "run.json")).unwrap()
}

/// `n` property-test cases, or `PROPTEST_CASES` when set (for longer runs).
pub fn cases(n: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(n)
}
