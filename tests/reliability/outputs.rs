//! Outputs never half-exist: a failed run leaves the previous report as it
//! was (and says so); an output never overwrites an input.

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
    assert!(!written.iter().any(|n| n.starts_with('.')), "{written:?}");
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
    assert!(err.contains(file.to_str().unwrap()), "{err}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "not a folder");
}
