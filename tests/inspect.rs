//! `sla-report inspect`: the first look at an export. It must read each
//! file as the run does (the same rejects, the same fatal message) and say
//! enough to write a profile.

use std::collections::BTreeMap;

use crate::common::{rows, scratch_in, sla, stderr, stdout};

/// The output's lines with runs of white space as one space (the columns'
/// padding is not what these tests pin).
fn squashed(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

fn assert_has(text: &str, expected: &[&str]) {
    let lines = squashed(text);
    for want in expected {
        assert!(
            lines.iter().any(|l| l == want),
            "no line {want:?} in:\n{text}"
        );
    }
}

/// Runs `inspect` with `args`; its stdout, stderr and exit code.
fn inspect(args: &[&str]) -> (String, String, i32) {
    let out = sla(&[&["inspect"][..], args].concat());
    let code = out.status.code().unwrap_or(-1);
    (stdout(&out), stderr(&out), code)
}

/// The rejects a run with `flags` and `--tickets path` gives `path`, by reason.
fn run_rejects(name: &str, flags: &[&str], path: &str) -> BTreeMap<String, u64> {
    let dir = scratch_in("inspect", name);
    let out = sla(&[
        &["run", "--no-charts", "--out", dir.to_str().unwrap()][..],
        flags,
        &["--tickets", path],
    ]
    .concat());
    assert!(out.status.success(), "{}", stderr(&out));
    let mut counts = BTreeMap::new();
    for row in rows(&dir, "rejects.csv") {
        if row["file"] == path {
            *counts.entry(row["reason"].clone()).or_default() += 1;
        }
    }
    counts
}

/// The rejects `inspect` says a run's checks give the rows of `path`.
fn inspected_rejects(text: &str, path: &str) -> BTreeMap<String, u64> {
    let lines = squashed(text);
    let start = lines
        .iter()
        .position(|l| *l == format!("== {path}"))
        .unwrap_or_else(|| panic!("no section for {path}:\n{text}"));
    let mut counts = BTreeMap::new();
    for line in lines[start..]
        .iter()
        .take_while(|l| !l.starts_with("a run "))
    {
        if let Some(list) = line.strip_prefix("rejected: ") {
            for part in list.split(", ") {
                let (n, reason) = part.split_once(' ').unwrap();
                counts.insert(reason.to_string(), n.parse().unwrap());
            }
        }
    }
    counts
}

const ZENDESK: [&str; 6] = [
    "--format",
    "zendesk",
    "--input-tz",
    "Europe/Stockholm",
    "--customers",
    "tests/fixtures/zendesk/customers.csv",
];

#[test]
fn a_zendesk_export_is_read_as_the_run_reads_it() {
    let tickets = "tests/fixtures/zendesk/tickets.csv";
    let (out, err, code) = inspect(
        &[
            &ZENDESK[..],
            &[
                tickets,
                "tests/fixtures/zendesk/field_history.csv",
                "tests/fixtures/zendesk/audits.ndjson",
            ],
        ]
        .concat(),
    );
    assert_eq!((code, err.as_str()), (0, ""), "{out}");
    assert_has(
        &out,
        &[
            "read as: tickets (CSV, delimiter ','), --format zendesk",
            "tickets.ticket_id <- 'Id' (tried 'Id', 'ID', 'Ticket ID')",
            "tickets.plan <- none (tried 'Plan')",
            "tickets.product_stage <- 'Product stage [list]' (tried 'Product stage')",
            "plan from --customers by organization ('Organization'): 13 values, 5 distinct",
            "2 (empty) -> empty organization: unknown_plan",
            "1 'Unlisted Oy' -> not in --customers: unknown_plan",
            "1 '-' -> P3 General Issue",
            "1 'Beta' -> 'Beta': not covered (the policy's excluded_stages)",
            "tickets.created_at ('Created at'): 12 values, 11 read, 1 read by no form, 1 empty",
            "offsetless: 11 of the values read, as wall time in Europe/Stockholm",
            "tests/fixtures/zendesk/tickets.csv:14: '2026-03-29 02:30:00' (nonexistent_local_time)",
            "10 'minutes after created_at'",
            "101 2026-03-02T08:15:00Z 2026-03-02T09:50:00Z Professional P3 General Issue",
            // the history: its field column, the other fields ignored
            "read as: priority history (CSV, delimiter ','), --format zendesk",
            "changes.changed_at <- 'updated'",
            "4 'status' -> another field: ignored",
            "1 'solved' -> unmapped: bad_priority",
            "offsetless: 13 of the values read, as wall time in UTC",
            "rows: 18 records; the run's checks of each row alone accept 12, reject 1, \
             ignore 5 (rows of other fields)",
            "read as: priority history (JSON zendesk_audits, NDJSON), --format zendesk",
            "a run can read this file",
        ],
    );
    assert_eq!(
        inspected_rejects(&out, tickets),
        run_rejects("zendesk", &ZENDESK, tickets)
    );
    // nothing in it depends on the run
    assert_eq!(
        inspect(
            &[
                &ZENDESK[..],
                &[
                    tickets,
                    "tests/fixtures/zendesk/field_history.csv",
                    "tests/fixtures/zendesk/audits.ndjson",
                ],
            ]
            .concat()
        )
        .0,
        out
    );
}

#[test]
fn without_a_format_inspect_proposes_zendesk_and_stops_with_the_runs_message() {
    let tickets = "tests/fixtures/zendesk/tickets.csv";
    let (out, err, code) = inspect(&[tickets]);
    assert_eq!(code, 1, "{out}");
    assert_has(
        &out,
        &[
            "read as: tickets (CSV, delimiter ','), format native (no --format or --profile given)",
            "tickets.ticket_id <- none: required (tried 'ticket_id')",
            "zendesk tickets: 2 of 2 required columns, 8 of 9 in all",
            "best fit: zendesk; to read it so:",
            "sla-report inspect --format zendesk tests/fixtures/zendesk/tickets.csv",
            "sla-report run --format zendesk --tickets tests/fixtures/zendesk/tickets.csv \
             --customers CUSTOMERS.csv",
        ],
    );
    assert!(
        out.contains(
            "a run would stop here: tests/fixtures/zendesk/tickets.csv:1: missing required \
             column 'ticket_id'; the header has 'Summation column', 'Id',"
        ),
        "{out}"
    );
    let dir = scratch_in("inspect", "zendesk-native");
    let run = sla(&["run", "--tickets", tickets, "--out", dir.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(1));
    assert_eq!(err, stderr(&run));
}

#[test]
fn a_zendesk_export_without_customers_stops_as_the_run_does() {
    let tickets = "tests/fixtures/zendesk/tickets.csv";
    let (out, err, code) = inspect(&["--format", "zendesk", tickets]);
    assert_eq!(code, 1, "{out}");
    assert_has(
        &out,
        &["1 'Unlisted Oy' -> no --customers to look it up in"],
    );
    let dir = scratch_in("inspect", "zendesk-no-customers");
    let run = sla(&[
        "run",
        "--format",
        "zendesk",
        "--tickets",
        tickets,
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(1));
    assert_eq!(err, stderr(&run));
    assert!(err.contains("give --customers FILE"), "{err}");
}

#[test]
fn a_freshdesk_export_and_its_activities_are_read_as_the_run_reads_them() {
    let flags = [
        "--format",
        "freshdesk",
        "--input-tz",
        "Europe/Stockholm",
        "--customers",
        "tests/fixtures/freshdesk/customers.csv",
    ];
    let tickets = "tests/fixtures/freshdesk/tickets.csv";
    let (out, err, code) = inspect(
        &[
            &flags[..],
            &[tickets, "tests/fixtures/freshdesk/activities.json"],
        ]
        .concat(),
    );
    assert_eq!((code, err.as_str()), (0, ""), "{out}");
    assert_has(
        &out,
        &[
            "tickets.assignee <- 'Agent'",
            "1 'Critical' -> unmapped: bad_priority",
            "read as: priority history (JSON freshdesk_activities, page), --format freshdesk",
            "1 '4' -> P1 Business Critical",
            "5 '%d-%m-%Y %H:%M:%S %z'",
            "offsetless: 0 of the values read, as wall time in Europe/Stockholm",
            "rows: 8 records; the run's checks of each row alone accept 5, reject 0, \
             ignore 3 (records without a priority)",
        ],
    );
    assert_eq!(
        inspected_rejects(&out, tickets),
        run_rejects("freshdesk", &flags, tickets)
    );
}

#[test]
fn a_json_history_without_a_format_is_fatal_and_freshdesk_fits_it() {
    let history = "tests/fixtures/freshdesk/activities.json";
    let (out, err, code) = inspect(&[history]);
    assert_eq!(code, 1, "{out}");
    assert_has(
        &out,
        &[
            "freshdesk freshdesk_activities: 5 with a priority, 3 without, 0 malformed",
            "best fit: freshdesk; to read it so:",
            "sla-report inspect --format freshdesk tests/fixtures/freshdesk/activities.json",
        ],
    );
    let dir = scratch_in("inspect", "json-native");
    let run = sla(&[
        "run",
        "--tickets",
        "tests/fixtures/freshdesk/native/tickets.csv",
        "--changes",
        history,
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(1));
    assert_eq!(err, stderr(&run));
}

#[test]
fn an_unknown_jira_export_fits_no_built_in_and_its_profile_reads_it() {
    let jira = "tests/fixtures/inspect/jira.csv";
    let (out, _, code) = inspect(&[jira]);
    assert_eq!(code, 1, "{out}");
    assert_has(
        &out,
        &[
            "best fit: none has every required column; write a profile for it (start from \
             `sla-report profile zendesk`) and inspect with --profile FILE",
            "other columns (14): 'Summary', 'Issue key', 'Issue id', 'Issue Type', 'Status', \
             'Resolution', 'Reporter', 'Created', 'Updated', 'Labels', 'Labels', \
             'Custom field (Plan)', 'Custom field (First response)', 'Custom field (Product stage)'",
            "2 'Highest' -> unmapped: bad_priority",
        ],
    );
    let flags = [
        "--profile",
        "tests/fixtures/inspect/jira.toml",
        "--input-tz",
        "Europe/Stockholm",
    ];
    let (out, err, code) = inspect(&[&flags[..], &[jira]].concat());
    assert_eq!((code, err.as_str()), (0, ""), "{out}");
    assert_has(
        &out,
        &[
            "tickets.created_at <- 'Created'",
            "1 'Enterprise' -> unmapped: unknown_plan",
            "1 'Lowest' -> unmapped: bad_priority",
            "1 'Beta' -> 'Beta': not covered (the policy's excluded_stages)",
            "5 '%d/%b/%y %I:%M %p'",
            "tests/fixtures/inspect/jira.csv:6: '2026-03-04 10:00' (bad_timestamp)",
            "tests/fixtures/inspect/jira.csv:7: '29/Mar/26 2:30 AM' (nonexistent_local_time)",
            "SUP-101 2026-03-02T08:15:00Z 2026-03-02T08:40:00Z Professional P1 Business Critical",
        ],
    );
    assert_eq!(
        inspected_rejects(&out, jira),
        run_rejects("jira", &flags, jira)
    );
}

#[test]
fn a_profile_with_a_mistake_is_the_runs_fatal_error() {
    let dir = scratch_in("inspect", "bad-profile");
    let profile = dir.join("bad.toml");
    std::fs::write(&profile, "[tickets]\nticket_id = \"Id\"\n").unwrap();
    let profile = profile.to_str().unwrap();
    let (out, err, code) = inspect(&["--profile", profile, "tests/fixtures/inspect/jira.csv"]);
    assert_eq!((code, out.as_str()), (1, ""));
    let run = sla(&[
        "run",
        "--profile",
        profile,
        "--tickets",
        "tests/fixtures/inspect/jira.csv",
        "--out",
        dir.join("out").to_str().unwrap(),
    ]);
    assert_eq!(err, stderr(&run));
    assert!(
        err.contains("profile key tickets.created_at: missing"),
        "{err}"
    );
}

#[test]
fn control_characters_in_the_data_are_escaped() {
    let (out, _, code) = inspect(&[
        "tests/fixtures/terminal/tickets.csv",
        "tests/fixtures/terminal/changes.csv",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.chars().any(|c| c.is_control() && c != '\n'), "{out}");
    assert!(out.contains("T-\\u{1b}]0;pwned\\u{7}"), "{out}");
}
