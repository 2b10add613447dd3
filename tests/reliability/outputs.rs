//! Outputs never half-exist: a failed run leaves the previous report as it
//! was (and says so); an output never overwrites an input; nothing in the
//! folder is written through, and nothing the tool did not write is
//! removed; two runs into one folder never mix.
//!
//! The hostile folder states (a planted symlink, `--out` a file, a stale
//! temporary folder) live here rather than in `tests/fixtures/hostile/`:
//! git keeps no empty folders, and a committed symlink pointing out of the
//! tree would be a trap in the repository itself.

use super::*;

const TICKETS: &str = "tests/fixtures/worked/tickets.csv";
const CHANGES: &str = "tests/fixtures/worked/changes.csv";
const REPORT: [&str; 5] = [
    "tickets.csv",
    "summary.csv",
    "reclassifications.csv",
    "rejects.csv",
    "run.json",
];

fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    listing(dir)
        .into_iter()
        .filter(|n| dir.join(n).is_file())
        .map(|n| {
            let bytes = std::fs::read(dir.join(&n)).unwrap();
            (n, bytes)
        })
        .collect()
}

#[test]
fn a_failed_write_leaves_the_previous_report_intact_and_says_so() {
    let out_dir = scratch("failed-write");
    let out = sla(&[
        "run",
        "--tickets",
        TICKETS,
        "--changes",
        CHANGES,
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let whole = listing(&out_dir);
    for name in REPORT {
        assert!(whole.iter().any(|n| n == name), "{name}");
    }
    // one output path becomes a folder: that write cannot complete
    for blocked in ["summary.csv", "run.json", "tickets.csv"] {
        let before = {
            let _ = std::fs::remove_file(out_dir.join(blocked));
            std::fs::create_dir_all(out_dir.join(blocked).join("keep")).unwrap();
            snapshot(&out_dir)
        };
        let names_before = listing(&out_dir);
        // a different run (other data, other mode) that would change every file
        let out = sla(&[
            "run",
            "--tickets",
            "tests/fixtures/reject_reasons/tickets.csv",
            "--reclassification",
            "prorata",
            "--out",
            out_dir.to_str().unwrap(),
        ]);
        assert_no_panic(&out, blocked);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{blocked}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(err.contains(blocked), "{err}");
        assert!(err.contains("previous report"), "{err}");
        assert_eq!(snapshot(&out_dir), before, "{blocked}: old files unchanged");
        assert_eq!(
            listing(&out_dir),
            names_before,
            "{blocked}: no temporaries left"
        );
        assert!(out_dir.join(blocked).join("keep").is_dir());
        std::fs::remove_dir_all(out_dir.join(blocked)).unwrap();
        // put a file back so the next round starts from a whole report
        let again = sla(&[
            "run",
            "--tickets",
            TICKETS,
            "--changes",
            CHANGES,
            "--out",
            out_dir.to_str().unwrap(),
        ]);
        assert_eq!(again.status.code(), Some(0));
        assert_eq!(listing(&out_dir), whole);
    }
}

#[test]
fn an_output_folder_holding_the_inputs_is_refused_only_when_a_write_would_overwrite_one() {
    let dir = scratch("overwrite-inputs");
    let data = dir.join("data");
    std::fs::create_dir_all(&data).unwrap();
    let tickets_text = std::fs::read(TICKETS).unwrap();
    let changes_text = std::fs::read(CHANGES).unwrap();
    std::fs::write(data.join("tickets.csv"), &tickets_text).unwrap();
    std::fs::write(data.join("export-changes.csv"), &changes_text).unwrap();
    let t = data.join("tickets.csv");
    let c = data.join("export-changes.csv");
    let spellings = [data.clone(), data.join("..").join("data"), data.join(".")];
    for out_dir in &spellings {
        let out = sla(&[
            "run",
            "--tickets",
            t.to_str().unwrap(),
            "--changes",
            c.to_str().unwrap(),
            "--out",
            out_dir.to_str().unwrap(),
        ]);
        assert_no_panic(&out, "overwrite");
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{}: {err}", out_dir.display());
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(
            err.contains("tickets.csv") && err.contains("input"),
            "{err}"
        );
        // nothing written, the inputs untouched
        assert_eq!(listing(&data), ["export-changes.csv", "tickets.csv"]);
        assert_eq!(std::fs::read(&t).unwrap(), tickets_text);
    }
    // the same folder is fine when no report file has an input's name
    std::fs::rename(&t, data.join("export-tickets.csv")).unwrap();
    let t = data.join("export-tickets.csv");
    let out = sla(&[
        "run",
        "--tickets",
        t.to_str().unwrap(),
        "--changes",
        c.to_str().unwrap(),
        "--out",
        data.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(std::fs::read(&t).unwrap(), tickets_text);
    assert_eq!(std::fs::read(&c).unwrap(), changes_text);
    let written = listing(&data);
    for name in REPORT {
        assert!(written.iter().any(|n| n == name), "{name}");
    }
    // nothing hidden but the folder's lock file
    assert!(
        !written
            .iter()
            .any(|n| n.starts_with('.') && n != ".sla-report.lock"),
        "{written:?}"
    );
}

#[test]
fn an_output_folder_that_is_a_file_is_a_fatal_error_naming_it() {
    let dir = scratch("out-is-file");
    let file = dir.join("reports");
    std::fs::write(&file, "not a folder").unwrap();
    let out = sla(&["run", "--tickets", TICKETS, "--out", file.to_str().unwrap()]);
    assert_no_panic(&out, "out is a file");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!(
            "{}: is a file, not a folder; choose another --out",
            file.display()
        )),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "not a folder");
}

fn run_worked(out_dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "run",
        "--tickets",
        TICKETS,
        "--changes",
        CHANGES,
        "--out",
        out_dir.to_str().unwrap(),
    ];
    args.extend(extra);
    sla(&args)
}

/// Regression: `ln -s ../victim.txt out/.summary.csv.tmp` made the next run
/// overwrite victim.txt, outside `--out`, with summary.csv (and put the
/// symlink in place as summary.csv).
#[test]
fn a_planted_symlink_at_the_old_temporary_name_leaves_its_target_untouched() {
    let dir = scratch("planted-symlink");
    let out_dir = dir.join("out");
    std::fs::write(dir.join("victim.txt"), "the victim's own text\n").unwrap();
    assert_eq!(run_worked(&out_dir, &[]).status.code(), Some(0));
    std::os::unix::fs::symlink("../victim.txt", out_dir.join(".summary.csv.tmp")).unwrap();
    let out = run_worked(&out_dir, &["--reclassification", "prorata"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        std::fs::read(dir.join("victim.txt")).unwrap(),
        b"the victim's own text\n"
    );
    let summary = std::fs::symlink_metadata(out_dir.join("summary.csv")).unwrap();
    assert!(summary.is_file());
    assert_complete(&report_files(&out_dir), "after the planted symlink");
}

#[test]
fn an_output_path_that_is_a_symlink_is_refused_naming_it() {
    let dir = scratch("symlink-output");
    let out_dir = dir.join("out");
    std::fs::write(dir.join("victim.txt"), "victim").unwrap();
    assert_eq!(run_worked(&out_dir, &[]).status.code(), Some(0));
    std::fs::remove_file(out_dir.join("summary.csv")).unwrap();
    std::os::unix::fs::symlink("../victim.txt", out_dir.join("summary.csv")).unwrap();
    let before = snapshot(&out_dir);
    let out = run_worked(&out_dir, &["--reclassification", "prorata"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.contains(&format!(
            "{}: is a symbolic link; sla-report writes only regular files - remove it",
            out_dir.join("summary.csv").display()
        )),
        "{err}"
    );
    assert_eq!(std::fs::read(dir.join("victim.txt")).unwrap(), b"victim");
    assert_eq!(snapshot(&out_dir), before);
}

/// Regression: a stale folder at `out/.tickets.csv.tmp` blocked every run
/// with `out/tickets.csv: cannot write: Is a directory`.
#[test]
fn a_stale_folder_at_the_old_temporary_name_does_not_block_a_run() {
    let out_dir = scratch("stale-temporary-folder");
    std::fs::create_dir_all(out_dir.join(".tickets.csv.tmp").join("inside")).unwrap();
    let out = run_worked(&out_dir, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out_dir.join(".tickets.csv.tmp").join("inside").is_dir());
    assert_complete(&report_files(&out_dir), "beside a stale folder");
}

/// Regression: a second run into a folder in use mixed its files with the
/// first's. With the folder's lock held, a run stops at once, naming the
/// folder, and changes nothing.
#[test]
fn a_run_into_a_folder_in_use_fails_at_once_and_changes_nothing() {
    let out_dir = scratch("in-use");
    assert_eq!(run_worked(&out_dir, &[]).status.code(), Some(0));
    let lock = std::fs::File::open(out_dir.join(LOCK)).unwrap();
    lock.try_lock().unwrap();
    let before = snapshot(&out_dir);
    let out = run_worked(&out_dir, &["--reclassification", "prorata"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.contains(&format!(
            "{}: is in use by another sla-report run; wait for it or choose another --out",
            out_dir.display()
        )),
        "{err}"
    );
    assert_eq!(snapshot(&out_dir), before);
    drop(lock);
    assert_eq!(run_worked(&out_dir, &[]).status.code(), Some(0));
}

/// Regression: two concurrent runs into one folder left run A's
/// tickets.csv beside run B's summary.csv and run.json (6 of 16 tries).
/// Now one of them wins and the other says the folder is in use; the
/// folder always holds exactly one run's report.
#[test]
fn two_concurrent_runs_never_leave_a_mixed_report() {
    let dir = scratch("concurrent");
    let a = sample_data(&dir, "a", 40_000, 1);
    let b = sample_data(&dir, "b", 40_000, 2);
    let out_dir = dir.join("out");
    let o = out_dir.to_str().unwrap();
    let args = |(t, c): &(String, String)| {
        [
            "run",
            "--no-charts",
            "--tickets",
            t,
            "--changes",
            c,
            "--out",
            o,
        ]
        .map(String::from)
    };
    let mut reports = Vec::new();
    for input in [&a, &b] {
        let out = sla(&args(input).each_ref().map(String::as_str));
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        reports.push(report_files(&out_dir));
    }
    assert_complete(&reports[0], "a");
    for round in 0..12 {
        let spawn = |input| {
            std::process::Command::new(bin())
                .args(args(input))
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (first, second) = if round % 2 == 0 { (&a, &b) } else { (&b, &a) };
        let runs = [spawn(first), spawn(second)];
        let mut succeeded = 0;
        for run in runs {
            let out = run.wait_with_output().unwrap();
            let err = stderr(&out);
            match out.status.code() {
                Some(0) => succeeded += 1,
                Some(1) => assert!(
                    err.contains("is in use by another sla-report run"),
                    "round {round}: {err}"
                ),
                code => panic!("round {round}: exit {code:?}: {err}"),
            }
        }
        assert!(succeeded >= 1, "round {round}");
        let now = report_files(&out_dir);
        assert!(
            now == reports[0] || now == reports[1],
            "round {round}: a mixed report"
        );
    }
}

/// Regression: `--out mydocs --no-charts` deleted the user's own
/// report.html, attainment.png and summary_by_group.csv. Only the files a
/// previous run.json lists are ever removed.
#[test]
fn files_the_tool_never_wrote_survive_a_run() {
    let out_dir = scratch("mydocs");
    let mine = [
        ("report.html", "my page"),
        ("attainment.png", "my chart"),
        ("summary_by_group.csv", "my table"),
        ("tickets.parquet", "my data"),
    ];
    for (name, text) in mine {
        std::fs::write(out_dir.join(name), text).unwrap();
    }
    let out = run_worked(&out_dir, &["--no-charts"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for (name, text) in mine {
        assert_eq!(read(&out_dir, name), text, "{name}");
    }
    // and a second run, now with a run.json there, leaves them too
    let out = run_worked(&out_dir, &["--no-charts"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for (name, text) in mine {
        assert_eq!(read(&out_dir, name), text, "{name}");
    }
}

/// The previous run's outputs that this run does not write go only while
/// they are as that run wrote them: a page the user edited stays.
#[test]
fn an_earlier_output_the_user_edited_is_not_removed() {
    let out_dir = scratch("edited");
    assert_eq!(run_worked(&out_dir, &[]).status.code(), Some(0));
    std::fs::write(out_dir.join("report.html"), "my notes on the report").unwrap();
    let out = run_worked(&out_dir, &["--no-charts"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(read(&out_dir, "report.html"), "my notes on the report");
    assert!(!out_dir.join("attainment.png").exists());
    let run = json(&out_dir);
    let listed: Vec<&str> = run["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["file"].as_str().unwrap())
        .collect();
    assert!(!listed.contains(&"report.html"), "{listed:?}");
}

#[test]
fn run_json_lists_every_output_with_its_size_and_sha256() {
    let out_dir = scratch("digests");
    let out = run_worked(&out_dir, &["--parquet"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = report_files(&out_dir);
    // every output but warnings.csv and the breakdowns (the fixture has no
    // group, assignee or organization)
    assert_eq!(report.len(), 15, "{:?}", report.keys());
    assert_complete(&report, "worked");
}
