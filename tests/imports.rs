//! Helpdesk exports read through the built-in formats and import profiles
//! (EXPORTS.md): each fixture has a native twin, hand-converted, and both
//! must give the same report.

use std::path::{Path, PathBuf};

use crate::common::{fixture, json, read, rows, scratch_in, sla, stderr, stdout};

fn scratch(name: &str) -> PathBuf {
    scratch_in("imports", name)
}

const MODES: [&str; 4] = ["current", "prorata", "restart", "initial"];

/// The files of a report that must not depend on how the inputs were shaped.
const SAME: [&str; 3] = ["tickets.csv", "summary.csv", "reclassifications.csv"];

fn run_ok(args: &[&str]) -> String {
    let out = sla(args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    stderr(&out)
}

/// Runs an export and its native twin in every mode; their reports agree.
fn assert_same_as_native(name: &str, import: &[&str], native: &[&str]) {
    for mode in MODES {
        let (a, b) = (
            scratch(&format!("{name}-{mode}-import")),
            scratch(&format!("{name}-{mode}-native")),
        );
        let common = [
            "--reclassification",
            mode,
            "--as-of",
            "2026-03-31T00:00:00Z",
            "--no-charts",
        ];
        let a_str = a.to_str().unwrap();
        let b_str = b.to_str().unwrap();
        run_ok(&[&["run", "--out", a_str][..], &common, import].concat());
        run_ok(&[&["run", "--out", b_str][..], &common, native].concat());
        for file in SAME {
            assert_eq!(read(&a, file), read(&b, file), "{name} {mode}: {file}");
        }
    }
}

fn zendesk_args() -> Vec<String> {
    [
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
    ]
    .map(String::from)
    .to_vec()
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn native_twin(dir: &str) -> Vec<String> {
    vec![
        "--tickets".into(),
        fixture(&format!("{dir}/native/tickets.csv")),
        "--changes".into(),
        fixture(&format!("{dir}/native/priority_changes.csv")),
    ]
}

#[test]
fn a_zendesk_export_with_field_history_gives_the_report_of_its_native_twin_in_every_mode() {
    assert_same_as_native(
        "zendesk",
        &strs(&zendesk_args()),
        &strs(&native_twin("zendesk")),
    );
}

/// The submitted-priority rule, case by case (the fixture's README), with
/// the accounting of every record.
#[test]
fn a_zendesk_export_accounts_for_every_record_and_takes_the_submitted_priority_from_the_history() {
    let out = scratch("zendesk-accounting");
    let mut args = vec!["run", "--out", out.to_str().unwrap(), "--no-charts"];
    let z = zendesk_args();
    args.extend(strs(&z));
    let err = run_ok(&args);
    assert!(
        err.contains("changes: 18 rows read, 10 applied, 3 rejected, 5 of other fields ignored"),
        "{err}"
    );
    assert!(
        err.contains("1 ticket(s) whose history ends on another priority"),
        "{err}"
    );
    let tickets = rows(&out, "tickets.csv");
    let submitted: Vec<(&str, &str)> = tickets
        .iter()
        .map(|t| (t["ticket_id"].as_str(), t["submitted_priority"].as_str()))
        .collect();
    assert_eq!(
        submitted,
        [
            ("101", "2"), // a row at creation: high
            ("102", "3"), // rows only after creation: the default
            ("103", "2"), // no history: the export's high
            ("104", "1"), // two rows at creation, the later line wins
            ("105", "3"), // history ends on high, the export says urgent
            ("106", "3"), // only a junk row (rejected): the export's
            ("109", "3"), // an empty value at creation: the default
            ("110", "3"), // low
            ("111", "3"),
        ]
    );
    let rejects: Vec<(String, String, String)> = rows(&out, "rejects.csv")
        .into_iter()
        .map(|r| {
            let file = Path::new(&r["file"])
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (file, r["line"].clone(), r["reason"].clone())
        })
        .collect();
    let expect = [
        ("tickets.csv", "9", "unknown_plan"),  // no organization
        ("tickets.csv", "10", "unknown_plan"), // not in customers.csv
        ("tickets.csv", "14", "nonexistent_local_time"), // 02:30 on the DST day
        ("tickets.csv", "15", "missing_field"), // the Total row
        ("field_history.csv", "13", "bad_priority"), // value `solved`
        ("field_history.csv", "15", "ticket_rejected"),
        ("field_history.csv", "16", "unknown_ticket"),
    ]
    .map(|(f, l, r)| (f.to_string(), l.to_string(), r.to_string()));
    assert_eq!(rejects, expect);
    let run = json(&out);
    assert_eq!(run["input"]["format"], "zendesk");
    assert_eq!(run["input"]["customers"]["organizations"], 3);
    for f in run["files"].as_array().unwrap() {
        let n = |k: &str| f[k].as_u64().unwrap();
        assert_eq!(
            n("records_read"),
            n("records_accepted")
                + n("records_rejected")
                + n("records_skipped")
                + n("records_outside_period")
                + n("records_ignored"),
            "{f}"
        );
    }
    let history = &run["files"][1];
    assert_eq!(history["records_ignored"], 5);
    assert_eq!(history["export_priority_mismatches"], 1);
    // the Stockholm wall times are UTC+1 in March
    assert_eq!(tickets[0]["created_at"], "2026-03-02T08:15:00Z");
    assert_eq!(tickets[0]["first_response_at"], "2026-03-02T09:50:00Z");
}

#[test]
fn the_printed_built_in_profile_as_a_profile_file_gives_the_same_report() {
    let dir = scratch("printed-profile");
    for format in ["zendesk", "freshdesk", "native"] {
        let out = sla(&["profile", format]);
        assert!(out.status.success());
        std::fs::write(dir.join(format!("{format}.toml")), stdout(&out)).unwrap();
    }
    let z = zendesk_args();
    let with_format = strs(&z);
    let profile = dir.join("zendesk.toml");
    let mut with_profile = vec!["--profile", profile.to_str().unwrap()];
    with_profile.extend_from_slice(&with_format[2..]);
    let (a, b) = (dir.join("a"), dir.join("b"));
    run_ok(
        &[
            &["run", "--no-charts", "--out", a.to_str().unwrap()][..],
            &with_format,
        ]
        .concat(),
    );
    run_ok(
        &[
            &["run", "--no-charts", "--out", b.to_str().unwrap()][..],
            &with_profile,
        ]
        .concat(),
    );
    for file in [
        "tickets.csv",
        "summary.csv",
        "reclassifications.csv",
        "rejects.csv",
    ] {
        assert_eq!(read(&a, file), read(&b, file), "{file}");
    }
    // the built-in text is recorded by name, any other profile whole
    assert_eq!(json(&b)["input"]["format"], "zendesk");
    let mine = format!("{}# our Zendesk\n", read(&dir, "zendesk.toml"));
    std::fs::write(&profile, &mine).unwrap();
    run_ok(
        &[
            &["run", "--no-charts", "--out", b.to_str().unwrap()][..],
            &with_profile,
        ]
        .concat(),
    );
    assert_eq!(json(&b)["input"]["profile"]["text"], mine.as_str());
    assert_eq!(read(&a, "tickets.csv"), read(&b, "tickets.csv"));
    // the native profile reads the native files as the default does
    let native = dir.join("native.toml");
    let c = dir.join("c");
    let d = dir.join("d");
    run_ok(&["run", "--no-charts", "--out", c.to_str().unwrap()]);
    run_ok(&[
        "run",
        "--no-charts",
        "--out",
        d.to_str().unwrap(),
        "--profile",
        native.to_str().unwrap(),
    ]);
    for file in [
        "tickets.csv",
        "summary.csv",
        "reclassifications.csv",
        "rejects.csv",
    ] {
        assert_eq!(read(&c, file), read(&d, file), "{file}");
    }
}

#[test]
fn a_zendesk_export_without_plan_column_or_customers_names_both() {
    let out = sla(&[
        "run",
        "--format",
        "zendesk",
        "--tickets",
        &fixture("zendesk/tickets.csv"),
        "--out",
        scratch("no-plan").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("zendesk/tickets.csv:1: no plan for the tickets: no column 'Plan'; give --customers FILE (organization,plan) to look up column 'Organization'"),
        "{err}"
    );
}

#[test]
fn a_profile_with_a_mistake_is_one_message_naming_the_file_and_key() {
    let dir = scratch("bad-profile");
    let path = dir.join("p.toml");
    std::fs::write(
        &path,
        "[tickets]\nticket_id = \"Id\"\ncreated_at = \"Created\"\n[values.priority]\nkritisk = 9\n",
    )
    .unwrap();
    let out = sla(&[
        "run",
        "--profile",
        path.to_str().unwrap(),
        "--out",
        dir.join("o").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains(
            "p.toml: invalid profile: profile key values.priority.kritisk: 9 is not a priority"
        ),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    let out = sla(&[
        "run",
        "--profile",
        path.to_str().unwrap(),
        "--format",
        "zendesk",
    ]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "--format and --profile exclude each other"
    );
}

#[test]
fn a_customers_file_with_an_organization_twice_is_fatal_with_its_line() {
    let dir = scratch("bad-customers");
    let path = dir.join("customers.csv");
    std::fs::write(
        &path,
        "Organization,Plan\nÅre Bygg AB,Professional\nÅre Bygg AB ,Advanced\n",
    )
    .unwrap();
    let mut args: Vec<String> = zendesk_args();
    args[5] = path.to_str().unwrap().to_string();
    let out_dir = dir.join("o");
    let mut all = vec!["run", "--out", out_dir.to_str().unwrap()];
    all.extend(strs(&args));
    let out = sla(&all);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("customers.csv:3: customers file: organization \"Åre Bygg AB\" is listed twice (also on line 2)"), "{err}");
    assert!(!out_dir.exists(), "nothing is written");
}

#[test]
fn zendesk_audits_as_a_page_or_ndjson_give_the_report_of_their_native_twin_in_every_mode() {
    let tickets = fixture("zendesk/api/tickets.csv");
    let native = native_twin("zendesk/api");
    for audits in ["zendesk/audits.json", "zendesk/audits.ndjson"] {
        let audits = fixture(audits);
        let import = [
            "--format",
            "zendesk",
            "--tickets",
            &tickets,
            "--changes",
            &audits,
        ];
        assert_same_as_native("zendesk-audits", &import, &strs(&native));
    }
}

#[test]
fn a_freshdesk_export_in_stockholm_time_with_activities_gives_the_report_of_its_native_twin() {
    let import = [
        "--format",
        "freshdesk",
        "--input-tz",
        "Europe/Stockholm",
        "--customers",
        &fixture("freshdesk/customers.csv"),
        "--tickets",
        &fixture("freshdesk/tickets.csv"),
        "--changes",
        &fixture("freshdesk/activities.json"),
    ];
    assert_same_as_native("freshdesk", &import, &strs(&native_twin("freshdesk")));
    let out = scratch("freshdesk-accounting");
    run_ok(
        &[
            &["run", "--no-charts", "--out", out.to_str().unwrap()][..],
            &import,
        ]
        .concat(),
    );
    let run = json(&out);
    let history = &run["files"][1];
    assert_eq!(
        (
            history["records_read"].as_u64(),
            history["records_accepted"].as_u64(),
            history["records_ignored"].as_u64()
        ),
        (Some(8), Some(5), Some(3))
    );
    assert_eq!(
        history["export_priority_mismatches"], 1,
        "104: Low in the history, High exported"
    );
    let reasons: Vec<String> = rows(&out, "rejects.csv")
        .iter()
        .map(|r| format!("{}:{}", r["line"], r["reason"]))
        .collect();
    assert_eq!(reasons, ["9:bad_priority", "10:unknown_plan"]);
}

/// JSON rejects name the line where the record starts and keep it as
/// compact JSON; a history of a shape the format does not read is fatal.
#[test]
fn a_rejected_json_record_keeps_its_line_and_compact_text() {
    let dir = scratch("json-rejects");
    let audits = dir.join("audits.ndjson");
    std::fs::write(
        &audits,
        concat!(
            "{\"id\":1,\"ticket_id\":101,\"created_at\":\"2026-03-02T08:00:00Z\",\"author_id\":7,\"events\":[{\"type\":\"Create\",\"field_name\":\"priority\",\"value\":\"high\"}]}\n",
            "{\"id\":2,\"ticket_id\":999, \"created_at\":\"2026-03-02T08:00:00Z\",\"author_id\":7,\"events\":[{\"type\":\"Change\",\"field_name\":\"priority\",\"value\":\"high\",\"previous_value\":\"low\"}]}\n",
            "\n",
            "{\"id\":3,\"ticket_id\":\"102\",\"created_at\":\"2026-03-02T10:00:00Z\",\"events\":[{\"type\":\"Change\",\"field_name\":\"priority\",\"value\":\"p0\"}]}\n",
            "{\"id\":4,\"ticket_id\":102,\n",
            "{\"id\":5,\"ticket_id\":102,\"created_at\":\"2026-03-02T10:00:00Z\",\"events\":[{\"type\":\"Comment\",\"body\":\"hi\"}]}\n",
        ),
    )
    .unwrap();
    let tickets = fixture("zendesk/api/tickets.csv");
    let out = dir.join("out");
    run_ok(&[
        "run",
        "--no-charts",
        "--format",
        "zendesk",
        "--tickets",
        &tickets,
        "--changes",
        audits.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let rejects: Vec<(String, String, String)> = rows(&out, "rejects.csv")
        .into_iter()
        .filter(|r| r["file"].ends_with("audits.ndjson"))
        .map(|r| (r["line"].clone(), r["reason"].clone(), r["record"].clone()))
        .collect();
    assert_eq!(rejects.len(), 3, "{rejects:?}");
    assert_eq!(rejects[0].0, "2");
    assert_eq!(rejects[0].1, "unknown_ticket");
    assert!(
        rejects[0]
            .2
            .starts_with("{\"id\":2,\"ticket_id\":999,\"created_at\""),
        "compact: {}",
        rejects[0].2
    );
    assert_eq!(
        (rejects[1].0.as_str(), rejects[1].1.as_str()),
        ("4", "bad_priority")
    );
    assert_eq!(
        (rejects[2].0.as_str(), rejects[2].1.as_str()),
        ("5", "malformed_row")
    );
    let history = &json(&out)["files"][1];
    assert_eq!(history["records_read"], 5);
    assert_eq!(history["records_ignored"], 1);
    // Freshdesk's history is JSON only
    let fields = fixture("zendesk/field_history.csv");
    let res = sla(&[
        "run",
        "--format",
        "freshdesk",
        "--tickets",
        &fixture("freshdesk/tickets.csv"),
        "--customers",
        &fixture("freshdesk/customers.csv"),
        "--changes",
        &fields,
        "--out",
        dir.join("o2").to_str().unwrap(),
    ]);
    assert_eq!(res.status.code(), Some(1));
    assert!(
        stderr(&res)
            .contains("field_history.csv: a CSV history, which format freshdesk does not read"),
        "{}",
        stderr(&res)
    );
}

/// The README's worked profile for a helpdesk that is not built in.
#[test]
fn the_servicenow_profile_of_the_readme_gives_the_report_of_its_native_twin() {
    let import = [
        "--profile",
        &fixture("servicenow/profile.toml"),
        "--input-tz",
        "Europe/Stockholm",
        "--customers",
        &fixture("servicenow/customers.csv"),
        "--tickets",
        &fixture("servicenow/incidents.csv"),
        "--changes",
        &fixture("servicenow/sys_audit.csv"),
    ];
    assert_same_as_native("servicenow", &import, &strs(&native_twin("servicenow")));
}

/// An auditor sees where an imported ticket's submitted priority came from.
#[test]
fn explain_tells_where_an_imported_tickets_submitted_priority_came_from() {
    let z = zendesk_args();
    let explain = |id: &str| {
        let mut args = vec!["explain", id];
        args.extend(strs(&z));
        let out = sla(&args);
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out)
    };
    let text = explain("101");
    assert!(
        text.contains("submitted priority: the last history row at or before creation, 2026-03-02 09:15:00 CET (2026-03-02T08:15:00Z) in ")
            && text.contains("field_history.csv (the export says P3 General Issue now)"),
        "{text}"
    );
    let text = explain("102");
    assert!(text.contains("submitted priority: the policy default: its history starts after creation (the export says P1 Business Critical now)"), "{text}");
    assert!(explain("103")
        .contains("submitted priority: the export's priority (the history has no row for it)"));
    assert!(explain("105").contains("warning: the history ends on P2 Degraded Service, the export says P1 Business Critical: the history wins"));
    // the native files say nothing of it
    let out = sla(&["explain", "T-0001"]);
    assert!(
        !stdout(&out).contains("submitted priority:"),
        "{}",
        stdout(&out)
    );
}

/// Zendesk's `Organization` (the column `--customers` looks the plan up
/// by) is also each ticket's organization: the breakdown by customer.
#[test]
fn a_zendesk_organization_feeds_the_summary_by_organization() {
    let out = scratch("zendesk-organizations");
    let z = zendesk_args();
    run_ok(
        &[
            &["run", "--no-charts", "--out", out.to_str().unwrap()][..],
            &strs(&z),
        ]
        .concat(),
    );
    let mut customers: Vec<String> = rows(&out, "summary_by_organization.csv")
        .into_iter()
        .map(|r| r["organization"].clone())
        .collect();
    customers.dedup();
    assert_eq!(
        customers,
        ["Kovač s.r.o.", "Nordic Retail, AB", "Åre Bygg AB"]
    );
}
