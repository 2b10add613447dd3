//! kill -9 at random moments of the write stage (issue 12, item 4): after
//! every kill the folder holds one complete report, the previous one or the
//! new one, whose run.json digests match its files. The moments come from
//! a seeded generator and a calibration run; the assertions do not depend
//! on where they fall (before the journal: the previous report; during the
//! commit: the journal; after it: the new report).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::*;

const JOURNAL: &str = ".sla-report.commit";

/// SplitMix64: the kill moments, the same on every machine for one seed.
struct Moments(u64);

impl Moments {
    fn next_unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The report the folder holds once an unfinished commit, if any, is rolled
/// forward, as the journal (README "Reliability") defines it: each `put`
/// whose temporary is still there puts it in place, each `remove` removes
/// its file while the digest matches.
fn after_roll_forward(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    use sha2::{Digest, Sha256};
    let mut report = report_files(dir);
    let Ok(journal) = std::fs::read_to_string(dir.join(JOURNAL)) else {
        return report;
    };
    let mut lines = journal.lines();
    assert_eq!(lines.next(), Some("sla-report commit"), "{journal}");
    for line in lines {
        match line.split(' ').collect::<Vec<_>>()[..] {
            ["put", name, id] => {
                if let Ok(bytes) = std::fs::read(dir.join(format!(".{name}.{id}.tmp"))) {
                    report.insert(name.to_string(), bytes);
                }
            }
            ["remove", name, sha256] => {
                let matches = report
                    .get(name)
                    .is_some_and(|b| format!("{:x}", Sha256::digest(b)) == sha256);
                if matches {
                    report.remove(name);
                }
            }
            _ => panic!("journal line {line:?}"),
        }
    }
    report
}

/// Waits until the temporary of `name` appears in `dir` (or the run
/// ends): the write stage has reached that file.
fn wait_for_temporary(dir: &Path, name: &str, child: &mut Child) {
    let prefix = format!(".{name}.");
    let there = || {
        std::fs::read_dir(dir).is_ok_and(|entries| {
            entries.flatten().any(|e| {
                let n = e.file_name();
                let n = n.to_string_lossy();
                n.starts_with(&prefix) && n.ends_with(".tmp")
            })
        })
    };
    while !there() && child.try_wait().unwrap().is_none() {
        std::thread::sleep(Duration::from_micros(200));
    }
}

fn spawn(args: &[String]) -> Child {
    Command::new(bin())
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// How long a run lasts from its first temporary (tickets.csv's) to its
/// end, watched as the kills will watch it: the median of three runs.
fn write_stage(dir: &Path, args: &[String]) -> Duration {
    let mut times: Vec<Duration> = (0..3)
        .map(|_| {
            let mut child = spawn(args);
            wait_for_temporary(dir, "tickets.csv", &mut child);
            let started = Instant::now();
            assert!(child.wait().unwrap().success());
            started.elapsed()
        })
        .collect();
    times.sort();
    times[1]
}

#[test]
fn a_run_killed_at_50_random_moments_of_the_write_stage_leaves_one_complete_report() {
    let dir = scratch("killed");
    let a = sample_data(&dir, "a", 150_000, 1);
    let b = sample_data(&dir, "b", 150_000, 2);
    let out_dir = dir.join("out");
    let o = out_dir.to_str().unwrap().to_string();
    // A writes every output; B no charts, so that its commit also removes
    // A's charts and page
    let runs: [Vec<String>; 2] = [
        [
            "run",
            "--parquet",
            "--tickets",
            &a.0,
            "--changes",
            &a.1,
            "--out",
            &o,
        ]
        .map(String::from),
        [
            "run",
            "--no-charts",
            "--tickets",
            &b.0,
            "--changes",
            &b.1,
            "--out",
            &o,
        ]
        .map(String::from),
    ]
    .map(Vec::from);
    let mut reports = Vec::new();
    let mut stages = Vec::new();
    for args in &runs {
        stages.push(write_stage(&out_dir, args));
        let report = report_files(&out_dir);
        assert_complete(&report, &args[1]);
        reports.push(report);
    }
    assert_ne!(reports[0].len(), reports[1].len());

    let mut moments = Moments(12);
    let (mut with_journal, mut finished, mut new) = (0, 0, 0);
    for kill in 0..50 {
        let which = kill % 2;
        // every other pair of kills aims at the commit: just after the last
        // file, run.json, is begun; the rest anywhere in the write stage
        let at_commit = kill % 4 >= 2;
        let after = if at_commit {
            Duration::from_micros(3000).mul_f64(moments.next_unit())
        } else {
            stages[which].mul_f64(1.1 * moments.next_unit())
        };
        let before = report_files(&out_dir);
        let mut child = spawn(&runs[which]);
        wait_for_temporary(&out_dir, "tickets.csv", &mut child);
        if at_commit {
            wait_for_temporary(&out_dir, "run.json", &mut child);
        }
        std::thread::sleep(after);
        let _ = child.kill(); // SIGKILL
        let status = child.wait().unwrap();
        finished += usize::from(status.success());
        with_journal += usize::from(out_dir.join(JOURNAL).exists());
        let report = after_roll_forward(&out_dir);
        let what = format!("kill {kill} ({status})");
        assert_complete(&report, &what);
        assert!(
            report == reports[0] || report == reports[1],
            "{what}: neither report"
        );
        new += usize::from(report != before);
    }
    eprintln!(
        "killed: 50 kills; {new} left the new report, {with_journal} a journal; \
         {finished} came after the run had finished"
    );
    // the next run rolls any journal forward, then writes its own report;
    // no leftovers stay
    let out = Command::new(bin()).args(&runs[0]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(report_files(&out_dir) == reports[0]);
    let hidden: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert_eq!(hidden, [LOCK]);
}
