//! End-to-end tests of the `sla-report` binary on small named fixtures.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::*;

/// A fresh, empty folder for one test.
fn scratch(name: &str) -> PathBuf {
    scratch_in("cli", name)
}

mod rejects {
    use super::*;

    #[test]
    fn every_reject_reason_is_reported_with_file_and_line() {
        let out_dir = scratch("reject_reasons");
        let tickets = fixture("reject_reasons/tickets.csv");
        let changes = fixture("reject_reasons/changes.csv");
        let out = sla(&[
            "run",
            "--tickets",
            &tickets,
            "--changes",
            &changes,
            "--input-tz",
            "Europe/Bratislava",
            "--out",
            out_dir.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        let got: Vec<(String, String, String)> = rows(&out_dir, "rejects.csv")
            .into_iter()
            .map(|r| (r["file"].clone(), r["line"].clone(), r["reason"].clone()))
            .collect();
        let t = |line: &str, reason: &str| (tickets.clone(), line.to_string(), reason.to_string());
        let c = |line: &str, reason: &str| (changes.clone(), line.to_string(), reason.to_string());
        assert_eq!(
            got,
            vec![
                t("3", "malformed_row"),
                t("4", "missing_field"),
                t("5", "bad_timestamp"),
                t("6", "nonexistent_local_time"),
                t("7", "unknown_plan"),
                t("8", "bad_priority"),
                t("9", "duplicate_ticket_id"),
                t("10", "response_before_created"),
                c("3", "malformed_row"),
                c("4", "missing_field"),
                c("5", "bad_timestamp"),
                c("6", "bad_priority"),
                c("7", "unknown_ticket"),
                c("8", "ticket_rejected"),
                c("9", "unknown_ticket"),
                c("10", "bad_priority"),
            ]
        );
        let rejects = rows(&out_dir, "rejects.csv");
        assert_eq!(
            rejects[0]["record"],
            "MAL-1,2026-03-02T08:00:00Z,2026-03-02T09:00:00Z,Professional,1"
        );
        let run = json(&out_dir);
        let files = run["files"].as_array().unwrap();
        for (file, read, accepted, rejected) in [(0, 9, 1, 8), (1, 9, 1, 8)] {
            let f = &files[file];
            assert_eq!(f["records_read"], read);
            assert_eq!(f["records_accepted"], accepted);
            assert_eq!(f["records_rejected"], rejected);
            assert_eq!(f["records_skipped"], 0);
        }
        // the one accepted ticket, downgraded P1 -> P3 half an hour in
        let tickets = rows(&out_dir, "tickets.csv");
        assert_eq!(tickets.len(), 1);
        let ok = &tickets[0];
        assert_eq!(ok["ticket_id"], "OK-1");
        assert_eq!(ok["submitted_priority"], "1");
        assert_eq!(ok["priority"], "3");
        assert_eq!(ok["reclassifications"], "1");
        assert_eq!(ok["elapsed_s"], "3600");
        assert_eq!(ok["target_s"], "32400");
        // Monday 09:00 CET + 9 business hours = Tuesday 10:00 CET
        assert_eq!(ok["deadline"], "2026-03-03T09:00:00Z");
        assert_eq!(ok["status"], "met");
        assert_eq!(ok["margin_s"], "28800");
    }

    #[test]
    fn excel_exports_with_bom_semicolons_crlf_and_latin1_are_read() {
        let out_dir = scratch("excel");
        let tickets = fixture("excel/tickets.csv");
        let out = sla(&[
            "run",
            "--tickets",
            &tickets,
            "--out",
            out_dir.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        let t = rows(&out_dir, "tickets.csv");
        let ids: Vec<&str> = t.iter().map(|r| r["ticket_id"].as_str()).collect();
        assert_eq!(ids, ["X-1", "X-2"]);
        assert_eq!(t[0]["plan"], "Professional");
        assert_eq!(t[0]["submitted_priority"], "2");
        assert_eq!(t[0]["elapsed_s"], "1800");
        assert_eq!(t[0]["status"], "met");
        assert_eq!(t[1]["status"], "excluded");
        assert_eq!(t[1]["stage"], "Beta");
        assert_eq!(t[1]["target_s"], "");
        let r = rows(&out_dir, "rejects.csv");
        assert_eq!(r.len(), 1);
        assert_eq!(
            r[0]["line"], "6",
            "the record after a quoted line break and a blank line"
        );
        assert_eq!(r[0]["reason"], "malformed_row");
        assert!(
            r[0]["record"].ends_with("\u{FFFD}t\u{FFFD}"),
            "{:?}",
            r[0]["record"]
        );
        let run = json(&out_dir);
        assert_eq!(run["files"][0]["records_read"], 3);
    }
}

mod modes {
    use super::*;

    /// The README's worked example: an Advanced P1 created Monday 09:00 CET,
    /// downgraded to P3 at 09:30, answered at 13:00.
    #[test]
    fn worked_example_gives_the_documented_numbers_in_every_mode() {
        let expected = [
            ("current", "3", "14400", "2026-03-02T14:00:00Z", "met"),
            ("restart", "3", "12600", "2026-03-02T14:30:00Z", "met"),
            ("initial", "1", "14400", "2026-03-02T09:00:00Z", "breached"),
            ("prorata", "3", "23400", "2026-03-02T11:30:00Z", "breached"),
        ];
        for (mode, priority, elapsed, deadline, status) in expected {
            let out_dir = scratch(&format!("worked-{mode}"));
            let out = sla(&[
                "run",
                "--tickets",
                &fixture("worked/tickets.csv"),
                "--changes",
                &fixture("worked/changes.csv"),
                "--input-tz",
                "Europe/Bratislava",
                "--reclassification",
                mode,
                "--out",
                out_dir.to_str().unwrap(),
            ]);
            assert!(out.status.success(), "{}", stderr(&out));
            let t = &rows(&out_dir, "tickets.csv")[0];
            assert_eq!(
                (
                    t["priority"].as_str(),
                    t["elapsed_s"].as_str(),
                    t["deadline"].as_str(),
                    t["status"].as_str()
                ),
                (priority, elapsed, deadline, status),
                "mode {mode}"
            );
            assert_eq!(json(&out_dir)["reclassification"], mode);
        }
    }

    /// Four near-coprime targets of ten years less a few seconds: prorata's
    /// sums pass i128 (they wrapped to elapsed_s -6689 and a 2028
    /// deadline). The run and `explain` give the exact figures.
    #[test]
    fn prorata_on_four_near_coprime_ten_year_targets_is_exact() {
        let dir = "prorata_ten_year_targets";
        let inputs = [
            "--policy",
            &fixture(&format!("{dir}/policy.toml")),
            "--tickets",
            &fixture(&format!("{dir}/tickets.csv")),
            "--changes",
            &fixture(&format!("{dir}/changes.csv")),
            "--as-of",
            "2031-01-01T00:00:00Z",
        ]
        .map(String::from);
        let out_dir = scratch("ten-year-targets");
        let mut args = vec!["run", "--out", out_dir.to_str().unwrap()];
        args.extend(inputs.iter().map(String::as_str));
        let out = sla(&args);
        assert!(out.status.success(), "{}", stderr(&out));
        let t = &rows(&out_dir, "tickets.csv")[0];
        let got =
            ["priority", "elapsed_s", "deadline", "status", "margin_s"].map(|k| t[k].as_str());
        assert_eq!(
            got,
            ["4", "155088006", "2035-12-29T23:59:54Z", "met", "160271987"]
        );
        let mut args = vec!["explain", "D-1"];
        args.extend(inputs.iter().map(String::as_str));
        let out = sla(&args);
        assert!(out.status.success(), "{}", stderr(&out));
        // U = 365 d / T1 + 365 d / T2 + 366 d / T3 + (699 d 7 s) / T4, reduced
        // (as Python's Fraction reduces it); the policy's mode is prorata
        let u = "U = 810674986406254304141902589812793/1648447648907045781404040437520007 (49.2%) of the budget";
        assert!(stdout(&out).contains(u), "{}", stdout(&out));
        assert!(stdout(&out).contains("elapsed_s=155088006 deadline=2035-12-29T23:59:54Z"));
    }
}

mod exit_codes {
    use super::*;

    #[test]
    fn strict_fails_with_3_when_rows_were_rejected_but_still_writes_the_report() {
        let out_dir = scratch("strict");
        let out = sla(&[
            "run",
            "--tickets",
            &fixture("excel/tickets.csv"),
            "--strict",
            "--out",
            out_dir.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
        assert!(out_dir.join("summary.csv").exists());
    }

    #[test]
    fn usage_errors_exit_2_before_any_file_is_read() {
        for args in [
            &[
                "run",
                "--as-of",
                "2026-03-02",
                "--tickets",
                "/nonexistent.csv",
            ][..],
            &[
                "run",
                "--input-tz",
                "Mars/Olympus",
                "--tickets",
                "/nonexistent.csv",
            ][..],
            &["run", "--reclassification", "sometimes"][..],
            &["run", "--delimiter", "|"][..],
            &[
                "run",
                "--input-tz",
                "Europe/Bratislava",
                "--as-of",
                "2026-03-29 02:30",
            ][..],
            &["frobnicate"][..],
        ] {
            let out = sla(args);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        }
    }

    #[test]
    fn fatal_errors_exit_1_with_one_message_naming_the_file() {
        let dir = scratch("fatal");
        let no_plan = dir.join("no_plan.csv");
        std::fs::write(&no_plan, "ticket_id,created_at\nA,2026-03-02T08:00Z\n").unwrap();
        let empty = dir.join("empty.csv");
        std::fs::write(&empty, "").unwrap();
        let bad_policy = dir.join("policy.toml");
        let policy = sla_report::policy::DEFAULT_POLICY_TOML.replace("\"3h\"", "\"1d\"");
        std::fs::write(&bad_policy, policy).unwrap();
        let cases: [(Vec<&str>, &str); 4] = [
            (
                vec!["run", "--tickets", no_plan.to_str().unwrap()],
                "missing required column 'plan'",
            ),
            (vec!["run", "--tickets", empty.to_str().unwrap()], "empty"),
            (
                vec!["run", "--tickets", "/nonexistent/t.csv"],
                "/nonexistent/t.csv",
            ),
            (
                vec!["run", "--policy", bad_policy.to_str().unwrap()],
                "plans.professional.targets.1.within",
            ),
        ];
        for (mut args, needle) in cases {
            let out_dir = dir.join("out");
            args.extend(["--out", out_dir.to_str().unwrap()]);
            let out = sla(&args);
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
            assert!(err.contains(needle), "{args:?}: {err}");
            assert_eq!(err.trim().lines().count(), 1, "one message: {err}");
            if needle != "empty" {
                assert!(!err.contains("panicked"), "{err}");
            }
        }
    }
}

mod determinism {
    use super::*;

    fn run_with_threads(threads: &str, data: &Path, out_dir: &Path, mode: &str) {
        let out = Command::new(bin())
            .env("RAYON_NUM_THREADS", threads)
            .args([
                "run",
                "--tickets",
                data.join("tickets.csv").to_str().unwrap(),
                "--changes",
                data.join("priority_changes.csv").to_str().unwrap(),
                "--reclassification",
                mode,
                "--out",
                out_dir.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }

    #[test]
    fn outputs_are_byte_identical_across_thread_counts_and_runs() {
        let dir = scratch("determinism");
        let data = dir.join("data");
        let out = sla(&[
            "sample",
            "--tickets",
            "4000",
            "--seed",
            "7",
            "--out",
            data.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        // a folder per run: nothing written depends on --out (report.html
        // links its files relative to itself, and run.json lists its digest)
        for mode in ["current", "prorata"] {
            let mut reports = Vec::new();
            for (run, threads) in ["1", "2", "2"].into_iter().enumerate() {
                let out_dir = dir.join(format!("{mode}-{run}"));
                run_with_threads(threads, &data, &out_dir, mode);
                let report: Vec<(String, Vec<u8>)> = std::fs::read_dir(&out_dir)
                    .unwrap()
                    .map(|e| e.unwrap().path())
                    .map(|p| {
                        let name = p.file_name().unwrap().to_string_lossy().into_owned();
                        (name, std::fs::read(&p).unwrap())
                    })
                    .collect();
                reports.push(std::collections::BTreeMap::from_iter(report));
            }
            assert!(reports[0].len() > 10, "{:?}", reports[0].keys());
            for (i, report) in reports.iter().enumerate().skip(1) {
                for (name, bytes) in &reports[0] {
                    assert!(report[name] == *bytes, "{mode} {name}: run {i}");
                }
                assert_eq!(report.len(), reports[0].len());
            }
            assert!(rows(&dir.join(format!("{mode}-0")), "tickets.csv").len() > 3000);
        }
    }

    #[test]
    fn the_sample_generator_is_deterministic() {
        let dir = scratch("sample-determinism");
        for name in ["a", "b"] {
            let out = sla(&[
                "sample",
                "--tickets",
                "500",
                "--seed",
                "3",
                "--out",
                dir.join(name).to_str().unwrap(),
            ]);
            assert!(out.status.success(), "{}", stderr(&out));
        }
        for file in ["tickets.csv", "priority_changes.csv"] {
            assert_eq!(
                std::fs::read(dir.join("a").join(file)).unwrap(),
                std::fs::read(dir.join("b").join(file)).unwrap()
            );
        }
    }
}

mod sample_command {
    use super::*;

    /// A folder holding a previous sample of 30 tickets, and its bytes.
    fn previous_sample(name: &str) -> (PathBuf, Vec<Vec<u8>>) {
        let dir = scratch(name);
        let data = dir.join("s");
        let out = sla(&["sample", "--tickets", "30", "--out", data.to_str().unwrap()]);
        assert!(out.status.success(), "{}", stderr(&out));
        let bytes = ["tickets.csv", "priority_changes.csv"]
            .map(|f| std::fs::read(data.join(f)).unwrap())
            .to_vec();
        (data, bytes)
    }

    /// The folder holds exactly the two files, with these bytes.
    fn assert_untouched(data: &Path, bytes: &[Vec<u8>]) {
        for (f, b) in ["tickets.csv", "priority_changes.csv"].iter().zip(bytes) {
            assert_eq!(&std::fs::read(data.join(f)).unwrap(), b, "{f}");
        }
        assert_eq!(
            std::fs::read_dir(data).unwrap().count(),
            2,
            "no temporaries"
        );
    }

    #[test]
    fn an_empty_or_out_of_span_period_is_a_usage_error_that_leaves_the_files_alone() {
        let (data, bytes) = previous_sample("sample-bad-period");
        let cases: &[&[&str]] = &[
            &["--months", "0"],
            &["--start", "9999-01-01", "--months", "12"],
            // local midnight in Bratislava is 1899-12-31T23:00:00Z
            &["--start", "1900-01-01"],
            &["--start", "2099-12-02", "--months", "1"],
            &["--start", "2026-02-30"],
        ];
        for flags in cases {
            // --force too: a usage error comes before any file is touched
            let mut args = vec!["sample", "--force", "--out", data.to_str().unwrap()];
            args.extend(flags.iter());
            let out = sla(&args);
            assert_eq!(out.status.code(), Some(2), "{flags:?}: {}", stderr(&out));
            assert!(
                stderr(&out).starts_with("sla-report: usage error: --"),
                "{}",
                stderr(&out)
            );
            assert_untouched(&data, &bytes);
        }
        let edge = sla(&[
            "sample",
            "--start",
            "2099-12-01",
            "--months",
            "1",
            "--tickets",
            "50",
            "--out",
            data.join("edge").to_str().unwrap(),
        ]);
        assert!(edge.status.success(), "{}", stderr(&edge));
    }

    #[test]
    fn existing_files_are_refused_without_force() {
        let (data, bytes) = previous_sample("sample-no-force");
        let out = sla(&["sample", "--tickets", "40", "--out", data.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert_eq!(
            stderr(&out),
            format!(
                "sla-report: error: {}: already exists; give --force to replace it\n",
                data.join("tickets.csv").display()
            )
        );
        assert_untouched(&data, &bytes);
        // one file alone is refused too, by its name
        std::fs::remove_file(data.join("tickets.csv")).unwrap();
        let out = sla(&["sample", "--out", data.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1));
        assert!(stderr(&out).contains("priority_changes.csv: already exists; give --force"));
    }

    #[test]
    fn the_default_out_does_not_overwrite_the_committed_sample_data() {
        let dir = scratch("sample-default-out");
        std::fs::create_dir_all(dir.join("sample-data")).unwrap();
        let committed = Path::new(ROOT).join("sample-data").join("tickets.csv");
        std::fs::copy(&committed, dir.join("sample-data/tickets.csv")).unwrap();
        let out = sla_in(&dir, &["sample", "--tickets", "10"]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert!(stderr(&out).contains("sample-data/tickets.csv: already exists; give --force"));
        assert_eq!(
            std::fs::read(dir.join("sample-data/tickets.csv")).unwrap(),
            std::fs::read(committed).unwrap()
        );
        assert!(!dir.join("sample-data/priority_changes.csv").exists());
    }

    #[test]
    fn force_replaces_both_files_and_leaves_no_temporaries() {
        let (data, _) = previous_sample("sample-force");
        let out = sla(&[
            "sample",
            "--tickets",
            "40",
            "--force",
            "--out",
            data.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(lines(&data, "tickets.csv").len(), 41);
        assert!(lines(&data, "priority_changes.csv")[0].starts_with("ticket_id,changed_at"));
        assert_eq!(std::fs::read_dir(&data).unwrap().count(), 2);
    }
}

mod defaults {
    use super::*;

    #[test]
    fn run_without_flags_reads_the_committed_sample_data() {
        let out_dir = scratch("defaults");
        let out = sla(&["run", "--out", out_dir.to_str().unwrap()]);
        assert!(out.status.success(), "{}", stderr(&out));
        let run = json(&out_dir);
        assert_eq!(run["files"][0]["path"], "sample-data/tickets.csv");
        assert_eq!(run["files"][1]["path"], "sample-data/priority_changes.csv");
        assert_eq!(run["reclassification"], "current");
        let accepted = run["files"][0]["records_accepted"].as_u64().unwrap();
        assert!(accepted >= 1000, "{accepted}");
        assert!(!rows(&out_dir, "summary.csv").is_empty());
    }

    #[test]
    fn the_printed_policy_is_the_embedded_one() {
        let dir = scratch("policy-roundtrip");
        let out = sla(&["policy"]);
        assert!(out.status.success());
        let printed = String::from_utf8(out.stdout).unwrap();
        assert_eq!(printed, sla_report::policy::DEFAULT_POLICY_TOML);
        let file = dir.join("policy.toml");
        std::fs::write(&file, &printed).unwrap();
        let args = |out: &Path| {
            vec![
                "run".to_string(),
                "--tickets".into(),
                fixture("worked/tickets.csv"),
                "--changes".into(),
                fixture("worked/changes.csv"),
                "--out".into(),
                out.to_str().unwrap().to_string(),
            ]
        };
        let a = dir.join("a");
        let b = dir.join("b");
        let mut with_policy = args(&b);
        with_policy.extend(["--policy".into(), file.to_str().unwrap().into()]);
        assert!(sla(&refs(&args(&a))).status.success());
        assert!(sla(&refs(&with_policy)).status.success());
        assert_eq!(read(&a, "tickets.csv"), read(&b, "tickets.csv"));
    }
}

fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

mod progress_and_timings {
    use super::*;

    #[test]
    fn timings_report_every_stage_and_no_progress_bar_reaches_a_pipe() {
        let out_dir = scratch("timings");
        let out = sla(&["run", "--timings", "--out", out_dir.to_str().unwrap()]);
        assert!(out.status.success(), "{}", stderr(&out));
        let err = stderr(&out);
        for stage in ["read", "replay", "aggregate", "write", "total"] {
            assert!(
                err.lines().any(|l| l.trim_start().starts_with(stage)),
                "{stage} missing in {err}"
            );
        }
        // on Linux every stage also tells the CPU time of all threads
        if cfg!(target_os = "linux") {
            let read = err
                .lines()
                .find(|l| l.trim_start().starts_with("read"))
                .unwrap_or_default();
            let cpu: Vec<&str> = read.split_whitespace().collect();
            let at = cpu.iter().position(|&w| w == "cpu").expect(read);
            assert!(cpu[at + 1].parse::<f64>().is_ok_and(|s| s > 0.0), "{read}");
            assert!(cpu[at + 4] == "cores)", "{read}");
        }
        // stderr is a pipe here: no bar, no terminal control codes
        assert!(!err.contains('\u{1b}'), "{err:?}");
        assert!(!err.contains("reading ["), "{err}");
        let quiet = sla(&["run", "--quiet", "--out", out_dir.to_str().unwrap()]);
        assert!(quiet.status.success());
        assert_eq!(read(&out_dir, "tickets.csv").lines().count(), 3001);
    }
}
