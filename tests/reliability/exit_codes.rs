//! Exit codes exactly per CONTRACT.md section 2: 0 success, 1 fatal, 2 usage
//! (checked before any file is read, so it wins over a fatal error), 3 rows
//! rejected under --strict. Never a panic.

use super::*;

const OK_TICKETS: &str = "tests/fixtures/worked/tickets.csv";
const REJECTS: &str = "tests/fixtures/reject_reasons/tickets.csv";
const MISSING_COLUMN: &str = "tests/fixtures/hostile/missing_column.csv";
const EMPTY: &str = "tests/fixtures/hostile/empty.csv";

#[test]
fn every_exit_code_of_the_contract() {
    let dir = scratch("exit-codes");
    let out = dir.join("out");
    let out = out.to_str().unwrap();
    let bad_policy = dir.join("policy.toml");
    std::fs::write(&bad_policy, "timezone = \"Mars/Olympus\"\n").unwrap();
    let bad_policy = bad_policy.to_str().unwrap();
    // a business clock with no open time: refused at load, never a hang
    let closed = dir.join("closed.toml");
    let text = sla_report::policy::DEFAULT_POLICY_TOML.replace("[[\"09:00\", \"17:00\"]]", "[]");
    std::fs::write(&closed, text).unwrap();
    let closed = closed.to_str().unwrap();
    let cases: &[(&[&str], i32)] = &[
        // 0: done, rejected rows do not fail a run
        (&["run", "--tickets", OK_TICKETS], 0),
        (&["run", "--tickets", REJECTS], 0),
        (&["run", "--tickets", OK_TICKETS, "--strict"], 0),
        (&["policy"], 0),
        (&["--help"], 0),
        (&["run", "--help"], 0),
        (&["--version"], 0),
        // 1: fatal
        (&["run", "--tickets", "/nonexistent/tickets.csv"], 1),
        (&["run", "--tickets", MISSING_COLUMN], 1),
        (&["run", "--tickets", EMPTY, "--strict"], 1),
        (&["run", "--tickets", OK_TICKETS, "--policy", bad_policy], 1),
        (
            &[
                "run",
                "--tickets",
                OK_TICKETS,
                "--policy",
                "/nonexistent.toml",
            ],
            1,
        ),
        (&["run", "--tickets", OK_TICKETS, "--policy", closed], 1),
        (
            &["run", "--tickets", OK_TICKETS, "--changes", MISSING_COLUMN],
            1,
        ),
        // 2: usage, also when a fatal error is waiting behind it
        (
            &["run", "--as-of", "yesterday", "--tickets", MISSING_COLUMN],
            2,
        ),
        (
            &["run", "--input-tz", "Mars/Olympus", "--policy", bad_policy],
            2,
        ),
        (
            &["run", "--reclassification", "never", "--tickets", EMPTY],
            2,
        ),
        (
            &["run", "--delimiter", "|", "--tickets", "/nonexistent.csv"],
            2,
        ),
        (
            &[
                "run",
                "--strict",
                "--as-of",
                "2026-03-02",
                "--tickets",
                REJECTS,
            ],
            2,
        ),
        (&["run", "--tickets"], 2),
        (&["run", "--bogus"], 2),
        // a size is bytes or KiB / MiB / GiB, at least one byte, and fits
        (
            &["run", "--max-record-size", "0", "--tickets", OK_TICKETS],
            2,
        ),
        (
            &["run", "--max-record-size", "64MB", "--tickets", OK_TICKETS],
            2,
        ),
        (
            &["run", "--max-record-size", "MiB", "--tickets", OK_TICKETS],
            2,
        ),
        (
            &["explain", "X", "--max-record-size", "99999999999999GiB"],
            2,
        ),
        (
            &["run", "--max-record-size", "1KiB", "--tickets", OK_TICKETS],
            0,
        ),
        (
            &["run", "--max-record-size", "60", "--tickets", OK_TICKETS],
            1,
        ),
        (&["frobnicate"], 2),
        (&[], 2),
        // 3: rejected rows under --strict (the report is still written)
        (&["run", "--tickets", REJECTS, "--strict"], 3),
    ];
    for (args, code) in cases {
        let mut args = args.to_vec();
        if args.first() == Some(&"run") && !args.contains(&"--help") {
            args.extend(["--out", out]);
        }
        let result = sla(&args);
        assert_no_panic(&result, &format!("{args:?}"));
        assert_eq!(
            result.status.code(),
            Some(*code),
            "{args:?}: {}",
            stderr(&result)
        );
        if matches!(code, 1 | 2) {
            let err = stderr(&result);
            assert!(!err.trim().is_empty(), "{args:?}: a message");
        }
    }
}
