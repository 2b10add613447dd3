//! The hostile corpus in `tests/fixtures/hostile/`: every file gives either
//! a report (accepted rows, and exactly the rejects in
//! `NAME.expected_rejects.csv`) or one fatal message naming the file and the
//! problem; per-file accounting always holds. The native cases agree with
//! the conformance oracle (`tests/fixtures/hostile/oracle.sh`; it reads no
//! imports, so the `--format`/`--profile`/`--customers` cases are ours alone).
//! Hostile states of the output folder (symlinks, a file as `--out`, stale
//! temporaries) are set up by the tests in `outputs.rs`: git cannot hold them.

use super::*;

const DIR: &str = "tests/fixtures/hostile";

enum Expect {
    /// Exit 0; tickets.csv holds these ids in this order; per input file
    /// (read, accepted, rejected, skipped, ignored).
    Report {
        tickets: &'static [&'static str],
        files: &'static [(u64, u64, u64, u64, u64)],
    },
    /// Exit 1 with one message naming `file` and containing `message`.
    Fatal {
        file: &'static str,
        message: &'static str,
    },
}

struct Case {
    name: &'static str,
    /// `@x.csv` stands for `tests/fixtures/hostile/x.csv`.
    args: &'static [&'static str],
    expect: Expect,
}

use Expect::{Fatal, Report};

/// The cases as a table, and one test per case named after it
/// (`reliability::hostile::case::NAME`).
macro_rules! cases {
    ($($(#[$doc:meta])* $name:ident { args: $args:expr, expect: $expect:expr $(,)? })*) => {
        const CASES: &[Case] = &[$(Case {
            name: stringify!($name),
            args: $args,
            expect: $expect,
        }),*];

        mod case {
            $(
                $(#[$doc])*
                #[test]
                fn $name() {
                    super::check(stringify!($name));
                }
            )*
        }
    };
}

cases! {
    excel_semicolon {
        args: &[
            "--tickets",
            "@excel_semicolon.csv",
            "--changes",
            "@excel_semicolon.changes.csv",
            "--input-tz",
            "Europe/Bratislava",
        ],
        expect: Report {
            tickets: &["E-1", "E-2", "E-5"],
            files: &[(5, 3, 2, 0, 0), (3, 1, 2, 0, 0)],
        },
    }
    quoted_newlines {
        args: &["--tickets", "@quoted_newlines.csv"],
        expect: Report {
            tickets: &["Q-1", "Q-2", "Q-3", "Q-6"],
            files: &[(6, 4, 2, 0, 0)],
        },
    }
    blank_lines {
        args: &["--tickets", "@blank_lines.csv"],
        expect: Report {
            tickets: &["B-1", "B-2", "B-3"],
            files: &[(5, 3, 2, 0, 0)],
        },
    }
    lone_cr {
        args: &["--tickets", "@lone_cr.csv"],
        expect: Report {
            tickets: &["C-1", "C-3"],
            files: &[(3, 2, 1, 0, 0)],
        },
    }
    latin1 {
        args: &["--tickets", "@latin1.csv"],
        expect: Report {
            tickets: &["L-1", "L-6"],
            files: &[(6, 2, 4, 0, 0)],
        },
    }
    truncated_no_newline {
        args: &["--tickets", "@truncated_no_newline.csv"],
        expect: Report {
            tickets: &["T-1", "T-2"],
            files: &[(2, 2, 0, 0, 0)],
        },
    }
    truncated_in_quote {
        args: &["--tickets", "@truncated_in_quote.csv"],
        expect: Report {
            tickets: &["U-1"],
            files: &[(2, 1, 1, 0, 0)],
        },
    }
    // the quote is open at the end of the file, after a line end: the
    // record keeps its last line end, which is field text
    truncated_in_quote_line_end {
        args: &["--tickets", "@truncated_in_quote_line_end.csv"],
        expect: Report {
            tickets: &["U-1"],
            files: &[(2, 1, 1, 0, 0)],
        },
    }
    truncated_mid_row {
        args: &["--tickets", "@truncated_mid_row.csv"],
        expect: Report {
            tickets: &["V-1"],
            files: &[(2, 1, 1, 0, 0)],
        },
    }
    header_only {
        args: &["--tickets", "@header_only.csv"],
        expect: Report {
            tickets: &[],
            files: &[(0, 0, 0, 0, 0)],
        },
    }
    header_only_no_newline {
        args: &["--tickets", "@header_only_no_newline.csv"],
        expect: Report {
            tickets: &[],
            files: &[(0, 0, 0, 0, 0)],
        },
    }
    semicolon_comma_in_header {
        args: &[
            "--tickets",
            "@semicolon_comma_in_header.csv",
            "--delimiter",
            ";",
        ],
        expect: Report {
            tickets: &["S-1"],
            files: &[(1, 1, 0, 0, 0)],
        },
    }
    duplicated_header {
        args: &["--tickets", "@duplicated_header.csv"],
        expect: Report {
            tickets: &["D-1"],
            files: &[(3, 1, 2, 0, 0)],
        },
    }
    absurd_timestamps {
        args: &[
            "--tickets",
            "@absurd_timestamps.csv",
            "--as-of",
            "2026-03-02T10:00:00Z",
        ],
        expect: Report {
            tickets: &["Y-1970", "Y-EPOCH-"],
            files: &[(17, 2, 15, 0, 0)],
        },
    }
    end_of_span {
        args: &["--tickets", "@end_of_span.csv"],
        expect: Report {
            tickets: &["S-LAST", "S-24X7", "S-IN", "S-FIRST"],
            files: &[(7, 4, 3, 0, 0)],
        },
    }
    field_counts {
        args: &["--tickets", "@field_counts.csv"],
        expect: Report {
            tickets: &["W-4"],
            files: &[(6, 1, 5, 0, 0)],
        },
    }
    // changes given first on the command line, for tickets of a later file
    later_tickets {
        args: &[
            "--changes",
            "@later_tickets.changes.csv",
            "--tickets",
            "@later_tickets.1.csv",
            "--tickets",
            "@later_tickets.2.csv",
        ],
        expect: Report {
            tickets: &["A-1", "B-1", "A-2"],
            files: &[(2, 1, 1, 0, 0), (4, 2, 2, 0, 0), (5, 4, 1, 0, 0)],
        },
    }
    // BOMs at the start of records (only the file's first one is a BOM)
    bom_records {
        args: &["--tickets", "@bom_records.csv"],
        expect: Report {
            tickets: &["A", "\u{feff}B", "\u{feff}\"C\""],
            files: &[(4, 3, 1, 0, 0)],
        },
    }
    // one BOM is ignored; a second one is part of the first header name
    double_bom {
        args: &["--tickets", "@double_bom.csv"],
        expect: Fatal {
            file: "double_bom.csv",
            message: "missing required column 'ticket_id'",
        },
    }
    // a record (here a quoted subject over several lines) longer than
    // --max-record-size: fatal, naming the line where it starts
    long_record {
        args: &["--tickets", "@long_record.csv", "--max-record-size", "200"],
        expect: Fatal {
            file: "long_record.csv",
            message: "long_record.csv:3: record longer than 200 bytes",
        },
    }
    latin1_header {
        args: &["--tickets", "@latin1_header.csv"],
        expect: Fatal {
            file: "latin1_header.csv",
            message: "header row is not valid UTF-8",
        },
    }
    empty {
        args: &["--tickets", "@empty.csv"],
        expect: Fatal {
            file: "empty.csv",
            message: "empty file",
        },
    }
    bom_only {
        args: &["--tickets", "@bom_only.csv"],
        expect: Fatal {
            file: "bom_only.csv",
            message: "empty file",
        },
    }
    blank_only {
        args: &["--tickets", "@blank_only.csv"],
        expect: Fatal {
            file: "blank_only.csv",
            message: "empty file",
        },
    }
    missing_column {
        args: &["--tickets", "@missing_column.csv"],
        expect: Fatal {
            file: "missing_column.csv",
            message: "missing required column 'plan'",
        },
    }
    missing_column_changes {
        args: &[
            "--tickets",
            "@later_tickets.1.csv",
            "--changes",
            "@missing_column.changes.csv",
        ],
        expect: Fatal {
            file: "missing_column.changes.csv",
            message: "missing required column 'to_priority'",
        },
    }
    // a ',' inside a quoted header name: detected as ',' (CONTRACT.md 3)
    semicolon_comma_in_header_detected {
        args: &["--tickets", "@semicolon_comma_in_header.csv"],
        expect: Fatal {
            file: "semicolon_comma_in_header.csv",
            message: "missing required column 'ticket_id'",
        },
    }
    // imports (EXPORTS.md): JSON histories, profiles, --customers, Zendesk
    // headers and durations
    json_truncated_page {
        args: &["--format", "zendesk", "--tickets", "@zendesk_tickets.csv",
            "--changes", "@json_truncated_page.json"],
        expect: Fatal {
            file: "json_truncated_page.json",
            message: "json_truncated_page.json:1: the file ends inside the page that starts here",
        },
    }
    json_truncated_array {
        args: &["--format", "zendesk", "--tickets", "@zendesk_tickets.csv",
            "--changes", "@json_truncated_array.json"],
        expect: Fatal {
            file: "json_truncated_array.json",
            message: "json_truncated_array.json:1: the file ends inside the array that starts here",
        },
    }
    // NDJSON cut inside its last line: that line is one malformed record
    json_truncated_ndjson {
        args: &["--format", "zendesk", "--tickets", "@zendesk_tickets.csv",
            "--changes", "@json_truncated_ndjson.ndjson"],
        expect: Report {
            tickets: &["123", "124", "125"],
            files: &[(3, 3, 0, 0, 0), (3, 2, 1, 0, 0)],
        },
    }
    // 1000 levels: a record of arrays and an audit whose events nest
    // (malformed), an audit with a deep object in a key it skips
    // (accepted), a deep value after the page's records (skipped)
    json_deep_nesting {
        args: &["--format", "zendesk", "--tickets", "@zendesk_tickets.csv",
            "--changes", "@json_deep_nesting.json"],
        expect: Report {
            tickets: &["123", "124", "125"],
            files: &[(3, 3, 0, 0, 0), (4, 2, 2, 0, 0)],
        },
    }
    // ids 123 and 124.0 match the CSV's 123 and 124; "value": 4 and
    // "previous_value": 3 are no Zendesk priority; a number for
    // created_at is no timestamp; "ticket_id": true is malformed
    json_numbers_for_strings {
        args: &["--format", "zendesk", "--tickets", "@zendesk_tickets.csv",
            "--changes", "@json_numbers_for_strings.ndjson"],
        expect: Report {
            tickets: &["123", "124", "125"],
            files: &[(3, 3, 0, 0, 0), (6, 2, 4, 0, 0)],
        },
    }
    json_bom_page {
        args: &["--format", "zendesk", "--tickets", "@zendesk_tickets.csv",
            "--changes", "@json_bom_page.json"],
        expect: Report {
            tickets: &["123", "124", "125"],
            files: &[(3, 3, 0, 0, 0), (2, 2, 0, 0, 0)],
        },
    }
    json_bom_ndjson {
        args: &["--format", "zendesk", "--tickets", "@zendesk_tickets.csv",
            "--changes", "@json_bom_ndjson.ndjson"],
        expect: Report {
            tickets: &["123", "124", "125"],
            files: &[(3, 3, 0, 0, 0), (2, 2, 0, 0, 0)],
        },
    }
    // regression: a record that is not an audit (another export's page on
    // one line) was ignored like an audit without a priority event
    json_not_audits {
        args: &["--format", "zendesk", "--tickets", "@zendesk_tickets.csv",
            "--changes", "@json_not_audits.ndjson"],
        expect: Report {
            tickets: &["123", "124", "125"],
            files: &[(3, 3, 0, 0, 0), (2, 1, 1, 0, 0)],
        },
    }
    // regression: a top-level `null` was read as a CSV header `null`
    // ("no column for field: ... the header has 'null'")
    json_null {
        args: &["--format", "zendesk", "--tickets", "@zendesk_tickets.csv",
            "--changes", "@json_null.json"],
        expect: Fatal {
            file: "json_null.json",
            message: "json_null.json:1: expected {\"audits\":[...]}, an array of records, or \
                      NDJSON (one record a line), found 'null'",
        },
    }
    // regression: "a CSV history, which format freshdesk does not read"
    json_null_freshdesk {
        args: &["--format", "freshdesk", "--tickets", "@freshdesk_tickets.csv",
            "--changes", "@json_null.json"],
        expect: Fatal {
            file: "json_null.json",
            message: "json_null.json:1: expected {\"activities_data\":[...]}",
        },
    }
    // "priority": 4 is Urgent, "2" Medium, 5 and true are not priorities;
    // "ticket_id": 1 matches the CSV's 1; a status change is ignored
    freshdesk_numbers {
        args: &["--format", "freshdesk", "--tickets", "@freshdesk_tickets.csv",
            "--changes", "@freshdesk_numbers.json"],
        expect: Report {
            tickets: &["1", "2"],
            files: &[(2, 2, 0, 0, 0), (6, 3, 2, 0, 1)],
        },
    }
    profile_deep_toml {
        args: &["--profile", "@profile_deep_toml.toml", "--tickets", "@zendesk_tickets.csv"],
        expect: Fatal {
            file: "profile_deep_toml.toml",
            message: "invalid profile: profile: not valid TOML (line 4)",
        },
    }
    profile_strftime_junk {
        args: &["--profile", "@profile_strftime_junk.toml", "--tickets", "@zendesk_tickets.csv"],
        expect: Fatal {
            file: "profile_strftime_junk.toml",
            message: "profile key tickets.timestamps[0]: \"%Y-%m-%d %H:%M %\" is not a valid \
                      timestamp pattern",
        },
    }
    profile_empty_candidates {
        args: &["--profile", "@profile_empty_candidates.toml", "--tickets", "@zendesk_tickets.csv"],
        expect: Fatal {
            file: "profile_empty_candidates.toml",
            message: "profile key tickets.ticket_id: list one or more column names",
        },
    }
    profile_unknown_key {
        args: &["--profile", "@profile_unknown_key.toml", "--tickets", "@zendesk_tickets.csv"],
        expect: Fatal {
            file: "profile_unknown_key.toml",
            message: "profile key changes.ticket_idd: unknown key",
        },
    }
    // regression: `"" = 1` was accepted and never applied
    profile_empty_value {
        args: &["--profile", "@profile_empty_value.toml", "--tickets", "@zendesk_tickets.csv"],
        expect: Fatal {
            file: "profile_empty_value.toml",
            message: "profile key values.priority.\"\": an empty priority is always the policy \
                      default",
        },
    }
    // whole minutes and decimals only: -5, 1e9, +5, .5, 5., 1,5, 0x10 and
    // clock forms are bad; 99999999999999 minutes is past 2099
    zendesk_durations {
        args: &["--format", "zendesk", "--tickets", "@zendesk_durations.csv",
            "--as-of", "2026-03-10T00:00:00Z"],
        expect: Report {
            tickets: &["D-1", "D-5", "D-8", "D-9"],
            files: &[(16, 4, 12, 0, 0)],
        },
    }
    // the same values as H:MM[:SS] (first_response_hms)
    profile_hms_durations {
        args: &["--profile", "@profile_hms.toml", "--tickets", "@profile_hms_durations.csv",
            "--as-of", "2026-03-10T00:00:00Z"],
        expect: Report {
            tickets: &["D-6", "D-15", "D-16"],
            files: &[(16, 3, 13, 0, 0)],
        },
    }
    // a BOM, `;`, CRLF, quotes with `;` and `""` inside, padded names;
    // organizations compare exactly (a lower-case one is unknown_plan)
    customers_bom_semicolon_quotes {
        args: &["--format", "zendesk", "--tickets", "@customers_tickets.csv",
            "--customers", "@customers_bom_semicolon_quotes.csv"],
        expect: Report {
            tickets: &["1", "2", "3", "4"],
            files: &[(7, 4, 3, 0, 0)],
        },
    }
    customers_duplicate_after_trimming {
        args: &["--format", "zendesk", "--tickets", "@customers_tickets.csv",
            "--customers", "@customers_duplicate_after_trimming.csv"],
        expect: Fatal {
            file: "customers_duplicate_after_trimming.csv",
            message: "customers_duplicate_after_trimming.csv:4: customers file: organization \
                      \"\u{c5}re Bygg AB\" is listed twice (also on line 2)",
        },
    }
    // regression: a second `organization` column was silently unused
    customers_repeated_column {
        args: &["--format", "zendesk", "--tickets", "@customers_tickets.csv",
            "--customers", "@customers_repeated_column.csv"],
        expect: Fatal {
            file: "customers_repeated_column.csv",
            message: "customers_repeated_column.csv:1: customers file: column 'organization' \
                      appears twice (columns 1 and 3)",
        },
    }
    // Id, Priority and Plan twice: the first column of each wins
    zendesk_repeated_column {
        args: &["--format", "zendesk", "--tickets", "@zendesk_repeated_column.csv"],
        expect: Report {
            tickets: &["R-1"],
            files: &[(3, 1, 2, 0, 0)],
        },
    }
    // regression: `Plan [list]` then `Plan`: the later `Plan` won; the
    // first column wins
    zendesk_decorated_and_plain_plan {
        args: &["--format", "zendesk", "--tickets", "@zendesk_decorated_and_plain_plan.csv"],
        expect: Report {
            tickets: &["P-1"],
            files: &[(3, 1, 2, 0, 0)],
        },
    }
}

fn expand(args: &[&str]) -> Vec<String> {
    args.iter()
        .map(|a| match a.strip_prefix('@') {
            Some(name) => format!("{DIR}/{name}"),
            None => a.to_string(),
        })
        .collect()
}

fn run_case(case: &Case, out_dir: &Path, strict: bool) -> Output {
    let mut args = vec!["run".to_string()];
    args.extend(expand(case.args));
    args.extend(["--out".to_string(), out_dir.to_str().unwrap().to_string()]);
    if strict {
        args.push("--strict".into());
    }
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = sla(&refs);
    assert_no_panic(&out, case.name);
    out
}

/// Runs one case: a report with exactly its rejects, accepted tickets and
/// per-file counts (and `--strict` exiting 3 exactly when a row was
/// rejected), or one fatal message and nothing written.
fn check(name: &str) {
    let case = CASES.iter().find(|c| c.name == name).unwrap();
    let base = scratch(&format!("hostile/{name}"));
    let out_dir = base.join("out");
    let out = run_case(case, &out_dir, false);
    let err = stderr(&out);
    match case.expect {
        Report { tickets, files } => {
            assert_eq!(out.status.code(), Some(0), "{name}: {err}");
            let expected =
                std::fs::read_to_string(format!("{DIR}/{name}.expected_rejects.csv")).unwrap();
            let actual = std::fs::read_to_string(out_dir.join("rejects.csv")).unwrap();
            assert_eq!(actual, expected, "{name}: rejects.csv");
            let ids: Vec<String> = rows(&out_dir, "tickets.csv")
                .into_iter()
                .map(|r| r["ticket_id"].clone())
                .collect();
            assert_eq!(ids, tickets, "{name}: accepted tickets");
            let counts: Vec<(u64, u64, u64, u64, u64)> = accounting(&out_dir)
                .into_iter()
                .map(|(_, r, a, j, s, i)| (r, a, j, s, i))
                .collect();
            assert_eq!(counts, files, "{name}: run.json files");
            let strict = run_case(case, &base.join("strict"), true);
            let has_rejects = expected.lines().count() > 1;
            assert_eq!(
                strict.status.code(),
                Some(if has_rejects { 3 } else { 0 }),
                "{name} --strict"
            );
        }
        Fatal { file, message } => {
            assert_eq!(out.status.code(), Some(1), "{name}: {err}");
            assert_eq!(err.trim().lines().count(), 1, "{name}: one message: {err}");
            assert!(
                err.contains(&format!("{DIR}/{file}")) && err.contains(message),
                "{name}: {err}"
            );
            assert!(!out_dir.exists(), "{name}: nothing written");
        }
    }
}

#[test]
fn every_committed_expectation_belongs_to_a_report_case() {
    for entry in std::fs::read_dir(DIR).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if let Some(case) = name.strip_suffix(".expected_rejects.csv") {
            assert!(
                CASES
                    .iter()
                    .any(|c| c.name == case && matches!(c.expect, Report { .. })),
                "unused {name}"
            );
        }
    }
}

/// Regression: `--tickets /dev/zero` (no line end, ever) grew until the
/// allocator aborted. It stops at the default record limit with one fatal
/// message, having read little more than the limit.
#[test]
fn dev_zero_ends_with_one_fatal_message_at_the_record_limit() {
    if !Path::new("/dev/zero").exists() {
        return;
    }
    let out_dir = scratch("dev-zero");
    let out = sla(&[
        "run",
        "--tickets",
        "/dev/zero",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert_no_panic(&out, "/dev/zero");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.contains("/dev/zero:1: record longer than 67108864 bytes"),
        "{err}"
    );
}

/// Regression: chrono-tz has no DST rules after 2099, so a ticket at
/// `2100-07-01T07:00Z` answered at 08:00 measured 0 s of business time
/// instead of 3600, and `2150-03-31T22:30Z` fell in month 2150-03 instead
/// of 2150-04. Instants outside 1900..2099 are `bad_timestamp` now, and a
/// deadline past 2099 is written empty while elapsed, margin and status
/// still hold.
#[test]
fn instants_past_2099_are_rejected_and_deadlines_past_it_written_empty() {
    let out_dir = scratch("end-of-span");
    let out = sla(&[
        "run",
        "--tickets",
        &format!("{DIR}/end_of_span.csv"),
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert_no_panic(&out, "end of span");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(json(&out_dir)["as_of"], "2099-12-31T23:30:00Z");
    let tickets = rows(&out_dir, "tickets.csv");
    let get = |id: &str| tickets.iter().find(|t| t["ticket_id"] == id).unwrap();
    // Thursday 31 December 2099, 16:00 local: one business hour that day,
    // then the clock next opens in 2100
    let last = get("S-LAST");
    assert_eq!(
        (&*last["elapsed_s"], &*last["margin_s"], &*last["status"]),
        ("3600", "28800", "open")
    );
    assert_eq!(last["deadline"], "");
    assert_eq!(get("S-24X7")["deadline"], "", "23:30Z + 1 h is in 2100");
    assert_eq!(get("S-IN")["deadline"], "2099-12-31T23:00:00Z");
    let rejects = std::fs::read_to_string(out_dir.join("rejects.csv")).unwrap();
    for id in ["S-2100", "S-2150", "S-1899"] {
        assert!(
            rejects.contains(&format!("bad_timestamp,\"{id},")),
            "{id}: {rejects}"
        );
    }
    // an --as-of outside the span is a usage error
    let out = sla(&[
        "run",
        "--tickets",
        &format!("{DIR}/end_of_span.csv"),
        "--as-of",
        "2100-01-01T00:00:00Z",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("2099-12-31T23:59:59Z"),
        "{}",
        stderr(&out)
    );
}

/// A 100 MB string in a JSON history (a comment body, in a page and in
/// NDJSON) is longer than the default record limit: one fatal message
/// naming the file and the line where its record starts, found before
/// the rest of it is read.
#[test]
fn a_100_mb_string_in_a_json_history_is_fatal_at_the_record_limit() {
    let dir = scratch("hostile-100mb");
    let audit = |id: u32, body: &str| {
        format!(
            "{{\"ticket_id\":{id},\"created_at\":\"2026-03-02T09:00:00Z\",\"author_id\":1,\
             \"events\":[{{\"type\":\"Comment\",\"body\":\"{body}\"}},\
             {{\"type\":\"Create\",\"field_name\":\"priority\",\"value\":\"high\"}}]}}"
        )
    };
    let big = "x".repeat(100 << 20);
    let files = [
        (
            "audits.json",
            format!(
                "{{\"audits\":[\n{},\n{}\n]}}\n",
                audit(123, "hello"),
                audit(124, &big)
            ),
            3,
        ),
        (
            "audits.ndjson",
            format!("{}\n{}\n", audit(123, "hello"), audit(124, &big)),
            2,
        ),
    ];
    drop(big);
    for (name, text, line) in files {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        let out_dir = dir.join(format!("{name}-out"));
        let out = sla(&[
            "run",
            "--format",
            "zendesk",
            "--tickets",
            &format!("{DIR}/zendesk_tickets.csv"),
            "--changes",
            path.to_str().unwrap(),
            "--out",
            out_dir.to_str().unwrap(),
        ]);
        assert_no_panic(&out, name);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{name}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{name}: {err}");
        let expect = format!(
            "{}:{line}: record longer than 67108864 bytes",
            path.display()
        );
        assert!(err.contains(&expect), "{name}: {err}");
        assert!(!out_dir.exists(), "{name}: nothing written");
        std::fs::remove_file(&path).unwrap();
    }
}

/// A profile with 100 000 priority spellings, one of them 1 MiB long, reads
/// and maps like a small one; run.json records its whole text.
#[test]
fn a_profile_with_a_huge_value_map_reads_and_is_recorded_whole() {
    let dir = scratch("hostile-huge-map");
    let mut text = String::from(
        "name = \"huge\"\n[tickets]\nticket_id = [\"Id\"]\ncreated_at = [\"Created at\"]\n\
         first_response_minutes = [\"First reply time in minutes\"]\npriority = [\"Priority\"]\n\
         plan = [\"Plan\"]\n[values.priority]\nnormal = 3\nurgent = 1\nlow = \"default\"\n",
    );
    for i in 0..100_000 {
        text.push_str(&format!("\"spelling {i}\" = {}\n", 1 + i % 3));
    }
    text.push_str(&format!("\"{}\" = 2\n", "x".repeat(1 << 20)));
    let profile = dir.join("huge.toml");
    std::fs::write(&profile, &text).unwrap();
    let out_dir = dir.join("out");
    let out = sla(&[
        "run",
        "--profile",
        profile.to_str().unwrap(),
        "--tickets",
        &format!("{DIR}/zendesk_tickets.csv"),
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert_no_panic(&out, "huge map");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let priorities: Vec<(String, String)> = rows(&out_dir, "tickets.csv")
        .into_iter()
        .map(|r| (r["ticket_id"].clone(), r["submitted_priority"].clone()))
        .collect();
    let expect = [("123", "3"), ("124", "1"), ("125", "3")];
    assert_eq!(
        priorities,
        expect.map(|(a, b)| (a.to_string(), b.to_string()))
    );
    assert_eq!(json(&out_dir)["input"]["profile"]["text"], text.as_str());
    assert_eq!(accounting(&out_dir)[0].1, 3);
}

/// Durations become instants on the calendar clock: whole and decimal
/// minutes (truncated to the second), `H:MM[:SS]` with any hours.
#[test]
fn first_response_durations_become_instants_after_creation() {
    let responses = |args: &[&str]| -> Vec<(String, String)> {
        let out_dir = scratch(&format!(
            "hostile-durations-{}",
            args[0].trim_start_matches('-')
        ));
        let mut all = vec!["run"];
        all.extend(args);
        all.extend([
            "--as-of",
            "2026-03-10T00:00:00Z",
            "--out",
            out_dir.to_str().unwrap(),
        ]);
        let out = sla(&all);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        rows(&out_dir, "tickets.csv")
            .into_iter()
            .map(|r| (r["ticket_id"].clone(), r["first_response_at"].clone()))
            .collect()
    };
    let pairs = |p: &[(&str, &str)]| -> Vec<(String, String)> {
        p.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };
    let minutes = format!("{DIR}/zendesk_durations.csv");
    assert_eq!(
        responses(&["--format", "zendesk", "--tickets", &minutes]),
        pairs(&[
            ("D-1", "2026-03-02T09:30:00Z"),
            ("D-5", "2026-03-02T09:01:30Z"),
            ("D-8", "2026-03-02T09:00:00Z"),
            ("D-9", "2026-03-02T09:07:00Z"),
        ])
    );
    let profile = format!("{DIR}/profile_hms.toml");
    let hms = format!("{DIR}/profile_hms_durations.csv");
    assert_eq!(
        responses(&["--profile", &profile, "--tickets", &hms]),
        pairs(&[
            ("D-6", "2026-03-02T10:30:00Z"),
            ("D-15", "2026-03-02T10:30:00Z"),
            ("D-16", "2026-03-06T13:00:00Z"),
        ])
    );
}
