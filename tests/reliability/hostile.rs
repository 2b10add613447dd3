//! The hostile corpus in `tests/fixtures/hostile/`: every file gives either
//! a report (accepted rows, and exactly the rejects in
//! `NAME.expected_rejects.csv`) or one fatal message naming the file and the
//! problem; per-file accounting always holds. The same cases agree with the
//! conformance oracle (`tests/fixtures/hostile/oracle.sh`).

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
