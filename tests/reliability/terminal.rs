//! Terminal output: a full stream is a fatal error (exit 1), never a panic;
//! a closed pipe ends the output quietly; control characters from the data
//! are escaped, never written raw.

use std::process::{Command, Stdio};

use super::*;

const TICKETS: &str = "tests/fixtures/worked/tickets.csv";
const CHANGES: &str = "tests/fixtures/worked/changes.csv";
/// One ticket whose id, stage, group and assignee hold escape sequences
/// (retitle, clear the screen, colour, a C1 CSI) and a name with umlauts.
const HOSTILE_TICKETS: &str = "tests/fixtures/terminal/tickets.csv";
const HOSTILE_CHANGES: &str = "tests/fixtures/terminal/changes.csv";
const HOSTILE_ID: &str = "T-\u{1b}]0;pwned\u{7}";

/// Runs the binary from the crate root with stdout and stderr as given.
fn sla_with(args: &[&str], stdout: Stdio, stderr: Stdio) -> std::process::Child {
    Command::new(bin())
        .args(args)
        .current_dir(ROOT)
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .expect("run sla-report")
}

fn dev_full() -> Stdio {
    Stdio::from(
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap(),
    )
}

#[test]
#[cfg(target_os = "linux")]
fn policy_explain_and_help_to_a_full_stdout_exit_1_with_a_message() {
    let cases: &[&[&str]] = &[
        &["policy"],
        &["explain", "W-1", "--tickets", TICKETS, "--changes", CHANGES],
        &["--help"],
    ];
    for args in cases {
        let out = sla_with(args, dev_full(), Stdio::piped())
            .wait_with_output()
            .unwrap();
        assert_no_panic(&out, &format!("{args:?}"));
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        assert_eq!(
            stderr(&out),
            "sla-report: error: cannot write to stdout: No space left on device (os error 28)\n",
            "{args:?}"
        );
    }
}

#[test]
#[cfg(target_os = "linux")]
fn run_and_sample_with_a_full_stderr_exit_1_not_a_panic() {
    let dir = scratch("full-stderr");
    let out = dir.join("out");
    let data = dir.join("data");
    let cases: &[&[&str]] = &[
        &["run", "--tickets", TICKETS, "--out", out.to_str().unwrap()],
        &[
            "run",
            "--timings",
            "--tickets",
            TICKETS,
            "--out",
            out.to_str().unwrap(),
        ],
        &["sample", "--tickets", "20", "--out", data.to_str().unwrap()],
    ];
    for args in cases {
        let status = sla_with(args, Stdio::null(), dev_full()).wait().unwrap();
        // stderr is full: the panic message could not be seen either, but
        // a panic exits 101
        assert_eq!(status.code(), Some(1), "{args:?}");
    }
    // the work itself was done: the report and the sample are whole
    let input = std::fs::read_to_string(Path::new(ROOT).join(TICKETS)).unwrap();
    assert_eq!(lines(&out, "tickets.csv").len(), input.lines().count());
    assert_eq!(lines(&data, "tickets.csv").len(), 21);
}

#[test]
fn a_closed_stdout_pipe_ends_policy_and_explain_quietly() {
    let cases: &[&[&str]] = &[
        &["policy"],
        &[
            "explain",
            "W-1",
            "--all-modes",
            "--tickets",
            TICKETS,
            "--changes",
            CHANGES,
        ],
    ];
    for args in cases {
        let mut child = sla_with(args, Stdio::piped(), Stdio::piped());
        // the reader goes away before the first write, as `| head -0` would
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert_no_panic(&out, &format!("{args:?}"));
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        assert_eq!(stderr(&out), "", "{args:?}");
    }
}

#[test]
fn a_closed_stderr_pipe_keeps_the_exit_status_of_the_run() {
    let dir = scratch("closed-stderr");
    let out = dir.join("out");
    let rejects = "tests/fixtures/reject_reasons/tickets.csv";
    for (args, code) in [
        (vec!["run", "--tickets", TICKETS], 0),
        (
            vec!["run", "--strict", "--timings", "--tickets", rejects],
            3,
        ),
    ] {
        let mut args = args;
        args.extend(["--out", out.to_str().unwrap()]);
        let mut child = sla_with(&args, Stdio::null(), Stdio::piped());
        drop(child.stderr.take());
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(code), "{args:?}");
    }
}

#[test]
fn explain_escapes_control_characters_from_the_data_and_keeps_letters() {
    let out = sla(&[
        "explain",
        HOSTILE_ID,
        "--tickets",
        HOSTILE_TICKETS,
        "--changes",
        HOSTILE_CHANGES,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        !text.chars().any(|c| c.is_control() && c != '\n'),
        "{text:?}"
    );
    for shown in [
        "ticket T-\\u{1b}]0;pwned\\u{7} — plan Basic",
        "product stage: prod\\u{1b}[2J — covered",
        "group: L1\\u{1b}[31m   assignee: Jürgen Müller\\u{9b}",
        "P1 -> P3 by agent (tests/fixtures/terminal/changes.csv)",
    ] {
        assert!(text.contains(shown), "{shown} in {text}");
    }
    // the report files keep the data as it is
    let dir = scratch("escape-outputs");
    let run = sla(&[
        "run",
        "--tickets",
        HOSTILE_TICKETS,
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(run.status.success(), "{}", stderr(&run));
    assert_eq!(rows(&dir, "tickets.csv")[0]["ticket_id"], HOSTILE_ID);
}

#[test]
fn explain_escapes_control_characters_in_policy_names() {
    let dir = scratch("escape-policy");
    let policy = dir.join("policy.toml");
    let text = sla_report::policy::DEFAULT_POLICY_TOML.replace("Basic", "Ba\\u001b[2Jsic");
    assert_ne!(text, sla_report::policy::DEFAULT_POLICY_TOML);
    std::fs::write(&policy, text).unwrap();
    let out = sla(&[
        "explain",
        HOSTILE_ID,
        "--tickets",
        HOSTILE_TICKETS,
        "--policy",
        policy.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(!text.contains('\u{1b}'), "{text:?}");
    assert!(text.contains("plan Ba\\u{1b}[2Jsic"), "{text}");
}

#[test]
fn error_messages_escape_the_data_they_quote() {
    let out = sla(&[
        "explain",
        "X\u{1b}[2J\u{1b}]0;pwned\u{7}",
        "--tickets",
        HOSTILE_TICKETS,
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(!err.contains('\u{1b}') && !err.contains('\u{7}'), "{err:?}");
    assert!(
        err.contains("ticket 'X\\u{1b}[2J\\u{1b}]0;pwned\\u{7}' is not among the 1 accepted"),
        "{err}"
    );
    // a path from the command line, quoted in a fatal error
    let out = sla(&[
        "run",
        "--tickets",
        "/nonexistent/\u{1b}[2J.csv",
        "--out",
        "/nonexistent",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("/nonexistent/\\u{1b}[2J.csv"), "{err:?}");
    assert!(!err.contains('\u{1b}'), "{err:?}");
}
