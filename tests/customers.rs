//! `run --per-customer`: customers/index.csv and one folder per
//! organization, each the report of that customer's tickets alone.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use proptest::prelude::*;

use crate::common::{bin, cases, fixture, read, scratch_in, sla, stderr, ROOT};

const AS_OF: &str = "2026-03-03T12:00:00Z";

/// Every file under `dir` (not the lock), as paths relative to it.
fn files_under(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                let rel = path
                    .strip_prefix(base)
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .to_string();
                if rel != ".sla-report.lock" {
                    out.push(rel);
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// The `folder` column of customers/index.csv, with the organization.
fn index(out: &Path) -> Vec<(String, String)> {
    let mut rdr = csv::Reader::from_path(out.join("customers/index.csv")).unwrap();
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_string(), r[1].to_string())
        })
        .collect()
}

/// The data lines of a CSV output (no header).
fn data_lines(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines().skip(1).map(String::from).collect()
}

/// `tests/fixtures/customers/tickets.csv`: Advanced P1 tickets (1 hour,
/// 24/7), all created 2026-03-02 10:00Z but H-15 (2026-03-03 11:30Z, open
/// at as-of 12:00Z), with hostile organization names.
mod hostile {
    use super::*;

    fn run(base: &Path) -> PathBuf {
        let out = base.join("out");
        let done = sla(&[
            "run",
            "--tickets",
            &fixture("customers/tickets.csv"),
            "--as-of",
            AS_OF,
            "--per-customer",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(done.status.success(), "{}", stderr(&done));
        out
    }

    #[test]
    fn index_csv_has_the_hand_checked_figures_of_every_customer() {
        let out = run(&scratch_in("customers", "index"));
        let o300 = "Ö".repeat(300);
        let o80 = "o".repeat(80);
        // H-1 met (30m), H-2 breached (2h), H-15 open; H-4 breached (1h30);
        // H-5 unanswered past its deadline; H-12 breached (1h15); the rest
        // answered within the hour. "/", "\", "..." and "東京" have no
        // letter to keep, "Åre Bygg AB" and "åre bygg ab" the same one:
        // each gets 8 hex of the SHA-256 of its name.
        let expected = format!(
            "organization,folder,tickets,met,breached,open,open_breached,attainment_pct\n\
             ,_no-organization,1,1,0,0,0,100.00\n\
             ...,_unnamed-ab5df625,1,1,0,0,0,100.00\n\
             ../../etc/passwd,etc-passwd,1,1,0,0,0,100.00\n\
             /,_unnamed-8a5edab2,1,0,1,0,0,0.00\n\
             \"Acme, Inc.\",acme-inc,3,1,1,1,0,50.00\n\
             CON,_con,1,1,0,0,0,100.00\n\
             \\,_unnamed-a9253dc8,1,0,0,0,1,0.00\n\
             a\\b/c,a-b-c,1,1,0,0,0,100.00\n\
             con.txt,con-txt,1,1,0,0,0,100.00\n\
             nul\0byte,nul-byte,1,1,0,0,0,100.00\n\
             Åre Bygg AB,are-bygg-ab-ee8f763d,1,1,0,0,0,100.00\n\
             {o300},{o80},1,1,0,0,0,100.00\n\
             åre bygg ab,are-bygg-ab-0d081df7,1,0,1,0,0,0.00\n\
             東京,_unnamed-130016b2,1,1,0,0,0,100.00\n"
        );
        assert_eq!(read(&out, "customers/index.csv"), expected);
        let acme = out.join("customers/acme-inc");
        assert_eq!(
            read(&acme, "summary.csv").lines().nth(1).unwrap(),
            "2026-03,Advanced,1,3,1,1,1,0,0,0,0,50.00,1800,7200"
        );
        let ids: Vec<String> = data_lines(&acme.join("tickets.csv"))
            .iter()
            .map(|l| l.split(',').next().unwrap().to_string())
            .collect();
        assert_eq!(ids, ["H-1", "H-2", "H-15"]);
    }

    #[test]
    fn nothing_is_written_outside_out_whatever_the_names_hold() {
        let base = scratch_in("customers", "outside");
        let out = run(&base);
        // the scratch folder holds the output folder and nothing else
        let top: Vec<_> = std::fs::read_dir(&base)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(top, ["out"]);
        // every customer file is one of the three in a folder of index.csv
        let folders: Vec<String> = index(&out).into_iter().map(|(_, f)| f).collect();
        let mut expected: Vec<String> = folders
            .iter()
            .flat_map(|f| {
                ["report.html", "summary.csv", "tickets.csv"].map(|n| format!("customers/{f}/{n}"))
            })
            .collect();
        expected.push("customers/index.csv".into());
        expected.sort();
        let customer_files: Vec<String> = files_under(&out)
            .into_iter()
            .filter(|f| f.starts_with("customers/"))
            .collect();
        assert_eq!(customer_files, expected);
        // run.json lists each of them with its digest
        let manifest = read(&out, "run.json");
        for f in &expected {
            assert!(manifest.contains(&format!("\"file\": \"{f}\"")), "{f}");
        }
    }

    #[test]
    fn a_customer_page_names_the_customer_and_no_other() {
        let out = run(&scratch_in("customers", "page"));
        let page = read(&out, "customers/acme-inc/report.html");
        // the text, without the charts' base64
        let page: String = page
            .split("data:image/png;base64,")
            .enumerate()
            .map(|(i, part)| {
                if i == 0 {
                    part
                } else {
                    &part[part.find('"').unwrap()..]
                }
            })
            .collect();
        assert!(page.contains("<h1>Acme, Inc. \u{2014} First-response SLA report</h1>"));
        assert!(page.contains("<title>Acme, Inc. \u{2014} SLA first-response report,"));
        for other in [
            "Bygg", "bygg", "passwd", "con.txt", "CON", "東京", "H-3", "H-4",
        ] {
            assert!(!page.contains(other), "{other} on Acme's page");
        }
        // no figure of the whole export, no section about other customers
        for absent in [
            "id=\"organizations\"",
            "id=\"rejects\"",
            "id=\"comparison\"",
            "16 rows",
            "rows rejected",
        ] {
            assert!(!page.contains(absent), "{absent}");
        }
        assert!(page.contains("Tickets evaluated:</b> 3"));
        // the inputs by name and digest, for the customer's auditor
        let sha = crate::common::json(&out)["files"][0]["sha256"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(page.contains(&sha), "the input's digest");
        assert!(page.contains("fixtures/customers/tickets.csv"));
    }

    #[test]
    fn the_next_run_removes_the_customer_folders_it_does_not_write_again() {
        let base = scratch_in("customers", "rerun");
        let out = run(&base);
        assert!(out.join("customers/acme-inc/report.html").is_file());
        let again = sla(&[
            "run",
            "--tickets",
            &fixture("customers/tickets.csv"),
            "--as-of",
            AS_OF,
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(again.status.success(), "{}", stderr(&again));
        assert!(!out.join("customers").exists());
    }
}

/// Runs `--per-customer` on `tickets` into a fresh folder `name`, expecting
/// exit 1 with nothing written; its stderr and the folder.
fn per_customer_fails(name: &str, tickets: &[&str]) -> (String, PathBuf) {
    let out = scratch_in("customers", name).join("out");
    let mut args = vec!["run", "--per-customer", "--out", out.to_str().unwrap()];
    for t in tickets {
        args.extend(["--tickets", t]);
    }
    let done = sla(&args);
    assert_eq!(done.status.code(), Some(1), "{}", stderr(&done));
    assert!(!out.exists());
    (stderr(&done), out)
}

#[test]
fn per_customer_without_an_organization_column_is_one_fatal_error_before_anything_is_written() {
    let tickets = fixture("worked/tickets.csv");
    let (err, _) = per_customer_fails("no-column", &[&tickets]);
    assert_eq!(
        err,
        format!(
            "sla-report: error: {tickets}: --per-customer writes one report per organization, and the \
             tickets file has no column 'organization'; add the organization of each ticket, or \
             run without --per-customer\n"
        )
    );
}

/// With several tickets files, each must have the column: the tickets of a
/// file without it would belong to no customer without a word.
#[test]
fn per_customer_with_a_tickets_file_lacking_the_column_is_one_fatal_error() {
    let (with, without) = (
        fixture("customers/tickets.csv"),
        fixture("worked/tickets.csv"),
    );
    let (err, out) = per_customer_fails("mixed-columns", &[&with, &without]);
    assert_eq!(
        err,
        format!(
            "sla-report: error: {without}: --per-customer writes one report per organization, and \
             this tickets file has no organization column while another one has; give every \
             tickets file the column, or run without --per-customer\n"
        )
    );
    // without the flag the same files are one report
    let done = sla(&[
        "run",
        "--tickets",
        &with,
        "--tickets",
        &without,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(done.status.success(), "{}", stderr(&done));
}

/// The sample data's first `n` tickets, each with an organization from a
/// list of hard names picked by its id (so a duplicated id keeps one
/// customer), written with the sample's priority changes into `dir`.
/// Returns the paths of the tickets and changes files.
fn with_organizations(dir: &Path, n: usize, seed: u64) -> (String, String) {
    const NAMES: [&str; 10] = [
        "Acme, Inc.",
        "\"Quoted\" Ltd",
        "../x",
        "CON",
        "  CON  ",
        "Åre Bygg AB",
        "åre bygg ab",
        "",
        "東京",
        "...",
    ];
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(Path::new(ROOT).join("sample-data/tickets.csv"))
        .unwrap();
    let mut w = csv::Writer::from_path(dir.join("tickets.csv")).unwrap();
    let mut header: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    header.push("organization".into());
    w.write_record(&header).unwrap();
    for r in rdr.records().take(n) {
        let r = r.unwrap();
        let mut h = seed;
        for b in r[0].bytes() {
            h = h.wrapping_mul(0x100_0000_01b3).wrapping_add(u64::from(b));
        }
        let mut rec: Vec<String> = r.iter().map(String::from).collect();
        rec.push(NAMES[(h % NAMES.len() as u64) as usize].to_string());
        w.write_record(&rec).unwrap();
    }
    w.flush().unwrap();
    let changes = Path::new(ROOT).join("sample-data/priority_changes.csv");
    (
        dir.join("tickets.csv").to_str().unwrap().to_string(),
        changes.to_str().unwrap().to_string(),
    )
}

/// Runs `run` with `threads` threads and `extra` flags.
fn run_on(tickets: &str, changes: &str, as_of: &str, out: &Path, threads: &str, extra: &[&str]) {
    let mut args = vec![
        "run",
        "--tickets",
        tickets,
        "--changes",
        changes,
        "--as-of",
        as_of,
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let done = Command::new(bin())
        .env("RAYON_NUM_THREADS", threads)
        .args(&args)
        .output()
        .unwrap();
    assert!(done.status.success(), "{args:?}: {}", stderr(&done));
}

/// The charts embedded in a page, as their base64.
fn charts(page: &str) -> Vec<&str> {
    page.split("data:image/png;base64,")
        .skip(1)
        .map(|part| &part[..part.find('"').unwrap()])
        .collect()
}

/// The rows of `tickets` whose organization (trimmed) is `organization`.
fn tickets_of(tickets: &str, organization: &str, into: &Path) {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(tickets)
        .unwrap();
    let mut w = csv::Writer::from_path(into).unwrap();
    let header = rdr.headers().unwrap().clone();
    let col = header.iter().position(|h| h == "organization").unwrap();
    w.write_record(&header).unwrap();
    for r in rdr.records() {
        let r = r.unwrap();
        if r.get(col).map(str::trim) == Some(organization) {
            w.write_record(&r).unwrap();
        }
    }
    w.flush().unwrap();
}

fn customers_are_runs_on_their_own_tickets(n: usize, seed: u64, as_of_row: usize) {
    let dir = scratch_in("customers", &format!("property-{n}-{seed}-{as_of_row}"));
    let (tickets, changes) = with_organizations(&dir, n, seed);
    // an as-of inside the data: some tickets still open, some after it
    let as_of = {
        let mut rdr = csv::Reader::from_path(&tickets).unwrap();
        let rows: Vec<String> = rdr.records().map(|r| r.unwrap()[1].to_string()).collect();
        let t = &rows[as_of_row.min(rows.len() - 1)];
        if t.ends_with('Z') && t.len() == 20 {
            t.clone()
        } else {
            "2026-02-01T12:00:00Z".to_string()
        }
    };
    let out = dir.join("out");
    run_on(&tickets, &changes, &as_of, &out, "2", &["--per-customer"]);
    let main = data_lines(&out.join("tickets.csv"));
    let mut union: BTreeMap<String, usize> = BTreeMap::new();
    for (organization, folder) in index(&out) {
        let folder = out.join("customers").join(&folder);
        let rows = data_lines(&folder.join("tickets.csv"));
        // in input order: a subsequence of the main tickets.csv
        let mut at = main.iter();
        for row in &rows {
            assert!(
                at.any(|m| m == row),
                "{row} out of order in {}",
                folder.display()
            );
            *union.entry(row.clone()).or_default() += 1;
        }
        // the same as a run on that customer's tickets alone
        let own = dir.join(format!(
            "own-{}",
            folder.file_name().unwrap().to_str().unwrap()
        ));
        std::fs::create_dir_all(&own).unwrap();
        let own_tickets = own.join("tickets.csv");
        tickets_of(&tickets, &organization, &own_tickets);
        let own_out = own.join("out");
        run_on(
            own_tickets.to_str().unwrap(),
            &changes,
            &as_of,
            &own_out,
            "2",
            &[],
        );
        for file in ["tickets.csv", "summary.csv"] {
            assert_eq!(
                read(&folder, file),
                read(&own_out, file),
                "{file} of {organization:?}"
            );
        }
        // the same charts (the reclassification flows too)
        assert_eq!(
            charts(&read(&folder, "report.html")),
            charts(&read(&own_out, "report.html")),
            "charts of {organization:?}"
        );
    }
    let mut main_counts: BTreeMap<String, usize> = BTreeMap::new();
    for row in &main {
        *main_counts.entry(row.clone()).or_default() += 1;
    }
    assert_eq!(union, main_counts, "the customers' rows are the main rows");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(3)))]

    /// The customers' tickets.csv files together hold exactly the main
    /// tickets.csv rows, each in input order, and each customer's folder
    /// is what a run on its tickets alone writes.
    #[test]
    fn each_customer_folder_is_the_report_of_its_tickets_alone(
        n in 50usize..600,
        seed in 0u64..1000,
        as_of_row in 20usize..600,
    ) {
        customers_are_runs_on_their_own_tickets(n, seed, as_of_row);
    }
}

#[test]
fn per_customer_outputs_are_byte_identical_across_thread_counts() {
    let dir = scratch_in("customers", "threads");
    let (tickets, changes) = with_organizations(&dir, usize::MAX, 7);
    let as_of = "2026-03-20T12:00:00Z";
    let (one, two) = (dir.join("one"), dir.join("two"));
    run_on(&tickets, &changes, as_of, &one, "1", &["--per-customer"]);
    run_on(&tickets, &changes, as_of, &two, "2", &["--per-customer"]);
    let files = files_under(&one);
    assert_eq!(files, files_under(&two));
    assert!(files.iter().filter(|f| f.starts_with("customers/")).count() > 20);
    for f in &files {
        let (a, b) = (
            std::fs::read(one.join(f)).unwrap(),
            std::fs::read(two.join(f)).unwrap(),
        );
        assert!(a == b, "{f} differs across thread counts");
    }
}

/// On the sample data, where each customer is on one plan: a customer's
/// headline shows its own plan only, and a Basic customer (no target) gets
/// the note that nothing is guaranteed instead of a table.
#[test]
fn a_customers_headline_shows_only_its_own_plan() {
    let out = scratch_in("customers", "sample-headline");
    let done = sla(&["run", "--per-customer", "--out", out.to_str().unwrap()]);
    assert!(done.status.success(), "{}", stderr(&done));
    let headline = |folder: &str| {
        let page = read(&out, &format!("customers/{folder}/report.html"));
        let start = page.find("<h2 id=\"headline\">").unwrap();
        let end = page.find("<h2 id=\"charts\">").unwrap();
        page[start..end].to_string()
    };
    let kiruna = headline("kiruna-mining-systems-ab");
    assert!(kiruna.contains("<th>Advanced</th>"), "{kiruna}");
    assert!(
        !kiruna.contains("Professional") && !kiruna.contains("Basic"),
        "{kiruna}"
    );
    let nordic = headline("nordic-retail-ab");
    assert!(!nordic.contains("<table"), "{nordic}");
    assert!(
        nordic.contains("No response time is guaranteed for: Basic (420 tickets)."),
        "{nordic}"
    );
    // the full report keeps every plan of the policy
    let main = read(&out, "report.html");
    let start = main.find("<h2 id=\"headline\">").unwrap();
    assert!(main[start..].contains("<th>Professional</th><th>Advanced</th>"));
    // charts: a Basic customer's page says in a line that there is no
    // attainment or response time to draw, and shows only the chart of
    // its reclassifications; the others show all three
    let charts = |page: &str| {
        let start = page.find("<h2 id=\"charts\">").unwrap();
        let end = page.find("<h2 id=\"summary\">").unwrap();
        page[start..end].to_string()
    };
    let basic = charts(&read(&out, "customers/nordic-retail-ab/report.html"));
    assert_eq!(basic.matches("<img").count(), 1, "{basic}");
    assert!(basic.contains("alt=\"Reclassifications\""), "{basic}");
    // (a customer's folder holds no PNG file, so its page names none)
    for note in [
        "<b>Attainment per month</b>: no chart: no ticket with a target was answered or overdue in this period.",
        "<b>Response times against the target</b>: no chart: no ticket with a target was answered in this period.",
    ] {
        assert!(basic.contains(note), "{basic}");
    }
    assert!(!basic.contains(".png"), "{basic}");
    let advanced = charts(&read(
        &out,
        "customers/kiruna-mining-systems-ab/report.html",
    ));
    let full = charts(&main);
    for shown in [&advanced, &full] {
        assert_eq!(shown.matches("<img").count(), 3);
        assert!(!shown.contains("no chart"));
    }
    assert!(!advanced.contains(".png"));
    assert!(full.contains("<b>Attainment per month</b> (attainment.png): "));
}
