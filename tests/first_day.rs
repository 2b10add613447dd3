//! The first day with the tool (issue 14): what a run says on stderr when
//! its inputs are not what it expects.

use crate::common::{fixture, read, rows, scratch_in, sla, stderr};

fn run(name: &str, args: &[&str]) -> (Option<i32>, String, std::path::PathBuf) {
    let out = scratch_in("first_day", name);
    let mut all = vec!["run", "-q", "--no-charts", "--out", out.to_str().unwrap()];
    all.extend_from_slice(args);
    let res = sla(&all);
    (res.status.code(), stderr(&res), out)
}

#[test]
fn a_run_where_every_row_was_rejected_says_so_and_names_the_column_and_the_forms() {
    let file = fixture("first_day/local_dates.csv");
    let (code, err, _) = run("all-rejected", &["--tickets", &file]);
    assert_eq!(code, Some(0), "the exit status stays as the contract says");
    assert!(
        err.contains("sla-report: tickets: 3 rows read, 0 evaluated, 3 rejected"),
        "{err}"
    );
    assert!(
        err.contains("sla-report: changes: no changes file was read"),
        "{err}"
    );
    assert!(
        err.contains("warning: NO ticket was accepted (3 of 3 rejected): the report is empty"),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "3  bad_timestamp in column 'created_at', e.g. \"02.03.2026 09:15\" at {file}:2"
        )),
        "{err}"
    );
    assert!(
        err.contains("timestamps are read as: YYYY-MM-DD HH:MM[:SS] with an optional Z or +HH:MM"),
        "{err}"
    );
}

#[test]
fn a_month_that_selects_no_ticket_says_the_report_is_empty() {
    let (code, err, _) = run("empty-month", &["--month", "2030-01"]);
    assert_eq!(code, Some(0));
    assert!(
        err.contains(
            "warning: no ticket lies in the selected period (3000 outside it): the report is empty"
        ),
        "{err}"
    );
    assert!(
        err.contains("changes: 603 rows read, 0 applied, 603 of tickets outside the period"),
        "{err}"
    );
}

#[test]
fn offsetless_timestamps_read_as_utc_without_input_tz_are_a_warning_naming_the_flag() {
    let file = fixture("first_day/offsetless.csv");
    let (_, err, out) = run("offsetless", &["--tickets", &file]);
    assert!(
        err.contains("warning: 2 timestamp(s) without an offset were read as UTC; if the export is in local time, give its zone with --input-tz"),
        "{err}"
    );
    assert_eq!(rows(&out, "tickets.csv")[0]["elapsed_s"], "7200");
    let (_, err, out) = run(
        "offsetless-tz",
        &["--tickets", &file, "--input-tz", "Europe/Bratislava"],
    );
    assert!(!err.contains("without an offset"), "{err}");
    assert_eq!(
        rows(&out, "tickets.csv")[0]["created_at"],
        "2026-03-02T08:00:00Z"
    );
}

#[test]
fn a_windows_1252_export_is_read_with_encoding_and_the_digest_suggests_the_flag() {
    let file = fixture("first_day/windows1252.csv");
    let (_, err, out) = run("cp1252-utf8", &["--tickets", &file]);
    assert!(err.contains("2  malformed_row, e.g. at"), "{err}");
    assert!(
        err.contains("read it with --encoding windows-1252"),
        "{err}"
    );
    assert_eq!(rows(&out, "rejects.csv").len(), 2);
    let (_, err, out) = run(
        "cp1252",
        &["--tickets", &file, "--encoding", "windows-1252"],
    );
    assert!(!err.contains("rejected"), "{err}");
    let names: Vec<String> = rows(&out, "summary_by_assignee.csv")
        .iter()
        .map(|r| r["assignee"].clone())
        .collect();
    assert!(
        names.contains(&"Müller".to_string()) && names.contains(&"Åsa Åre".to_string()),
        "{names:?}"
    );
    assert!(read(&out, "run.json").contains("\"encoding\": \"windows-1252\""));
    let res = sla(&["run", "--encoding", "ebcdic"]);
    assert_eq!(res.status.code(), Some(2));
}

#[test]
fn strict_says_why_it_exits_3() {
    let file = fixture("first_day/local_dates.csv");
    let (code, err, _) = run("strict", &["--tickets", &file, "--strict"]);
    assert_eq!(code, Some(3));
    assert!(
        err.contains(
            "sla-report: exit status 3: 3 rows rejected under --strict (the report was written)"
        ),
        "{err}"
    );
}

#[test]
fn a_policy_that_leaves_out_holidays_says_it_gets_the_built_in_ones() {
    let policy = fixture("first_day/vienna_policy.toml");
    let (code, err, out) = run("vienna", &["--policy", &policy]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains(
            "note: the policy file leaves out holidays: they take the built-in policy's values"
        ),
        "{err}"
    );
    let run_json: serde_json::Value = serde_json::from_str(&read(&out, "run.json")).unwrap();
    assert_eq!(
        run_json["policy_keys_defaulted"],
        serde_json::json!(["holidays"])
    );
    // the built-in policy leaves out nothing
    let (_, err, _) = run("builtin", &[]);
    assert!(!err.contains("leaves out"), "{err}");
}

#[test]
fn a_policy_missing_required_keys_names_them_all_first() {
    let dir = scratch_in("first_day", "partial-policy");
    let path = dir.join("p.toml");
    std::fs::write(&path, "timezone = \"UTC\"\ndefault_priority = 9\n").unwrap();
    let res = sla(&[
        "run",
        "--policy",
        path.to_str().unwrap(),
        "--out",
        dir.join("o").to_str().unwrap(),
    ]);
    assert_eq!(res.status.code(), Some(1));
    assert!(
        stderr(&res).contains(
            "invalid policy: policy key priorities, business_hours, plans: missing (required"
        ),
        "{}",
        stderr(&res)
    );
}

#[test]
fn a_missing_column_lists_the_header_the_delimiter_and_what_to_try() {
    let dir = scratch_in("first_day", "tsv");
    let path = dir.join("export.tsv");
    std::fs::write(
        &path,
        "Ticket ID\tCreated at\tPlan\n1\t2026-03-02 09:00\tBasic\n",
    )
    .unwrap();
    let (code, err, _) = run("tsv-run", &["--tickets", path.to_str().unwrap()]);
    assert_eq!(code, Some(1));
    assert!(err.contains("missing required column 'ticket_id'; the header has 'Ticket ID\\tCreated at\\tPlan' (fields split at ','; a tab-separated file must be saved as CSV with ',' or ';')"), "{err}");
    assert!(err.contains("A helpdesk export? Read it with --format zendesk|freshdesk or --profile FILE; `sla-report inspect "), "{err}");
}

#[test]
fn a_file_name_without_its_flag_says_each_file_needs_its_own_flag() {
    for args in [
        &["run", "sample-data/tickets.csv"][..],
        &[
            "run",
            "--tickets",
            "sample-data/tickets.csv",
            "sample-data/priority_changes.csv",
        ],
    ] {
        let res = sla(args);
        assert_eq!(res.status.code(), Some(2));
        assert!(
            stderr(&res).contains(
                "hint: each input file needs its own flag: --tickets a.csv --tickets b.csv"
            ),
            "{}",
            stderr(&res)
        );
    }
}

#[test]
fn a_zone_in_the_wrong_case_gets_its_spelling_suggested() {
    let res = sla(&["run", "--input-tz", "Europe/bratislava"]);
    assert_eq!(res.status.code(), Some(2));
    assert!(
        stderr(&res).contains(
            "--input-tz: unknown zone \"Europe/bratislava\"; did you mean \"Europe/Bratislava\"?"
        ),
        "{}",
        stderr(&res)
    );
}

/// Regression: the page said "full details in run.json", which held only a
/// count.
#[test]
fn from_priority_and_export_priority_warnings_are_listed_in_warnings_csv() {
    let (_, err, out) = run("warnings", &[]);
    assert!(err.contains("1 from_priority warning(s): changes whose from_priority disagreed with the replayed priority (they still applied); see warnings.csv"), "{err}");
    assert_eq!(
        read(&out, "warnings.csv"),
        "file,line,ticket_id,kind,expected,found\nsample-data/priority_changes.csv,26,T-0148,from_priority,1,2\n"
    );
    let (_, _, out) = run(
        "warnings-zendesk",
        &[
            "--format",
            "zendesk",
            "--input-tz",
            "Europe/Stockholm",
            "--customers",
            &fixture("zendesk/customers.csv"),
            "--tickets",
            &fixture("zendesk/tickets.csv"),
            "--changes",
            &fixture("zendesk/field_history.csv"),
        ],
    );
    let rows = rows(&out, "warnings.csv");
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (
            rows[0]["line"].as_str(),
            rows[0]["ticket_id"].as_str(),
            rows[0]["kind"].as_str(),
            rows[0]["expected"].as_str(),
            rows[0]["found"].as_str()
        ),
        ("12", "105", "export_priority", "1", "2")
    );
    // no warnings, no file
    let (_, _, out) = run(
        "no-warnings",
        &["--tickets", &fixture("first_day/offsetless.csv")],
    );
    assert!(!out.join("warnings.csv").exists());
}

#[test]
fn explain_says_which_cause_kept_a_ticket_out() {
    let cases: [(&[&str], &str); 4] = [
        (&["explain", "T-0001", "--month", "2026-03"], "not among the 805 accepted tickets: it was created at 2026-01-01T07:07:50Z, outside the selected period"),
        (&["explain", "T-0001", "--as-of", "2025-12-31T00:00:00Z"], "it was created at 2026-01-01T07:07:50Z, after --as-of 2025-12-31T00:00:00Z (skipped)"),
        (&["explain", "T-9999"], "not among the 3000 accepted tickets: no ticket file has this id"),
        (&["explain", "D-2", "--tickets", "tests/fixtures/first_day/local_dates.csv"], "its row was rejected at tests/fixtures/first_day/local_dates.csv:3 (bad_timestamp)"),
    ];
    for (args, expect) in cases {
        let res = sla(args);
        assert_eq!(res.status.code(), Some(1));
        assert!(stderr(&res).contains(expect), "{args:?}: {}", stderr(&res));
    }
}

#[test]
fn run_help_tells_what_timings_month_and_as_of_do() {
    let res = sla(&["run", "--help"]);
    let help = crate::common::stdout(&res)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for want in [
        "the wall time, the CPU time of all threads and the peak memory so far",
        "cannot be combined with --from/--until",
        "Without an offset it is read in --input-tz",
        "--encoding",
    ] {
        assert!(help.contains(want), "{want}: {help}");
    }
}
