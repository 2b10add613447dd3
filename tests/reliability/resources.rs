//! Resources bounded by the input: the hostile policies in
//! `tests/fixtures/hostile/` that once needed gigabytes or hours. The sizes
//! and step counts are pinned by unit tests next to the code
//! (`report::charts`, `analysis`, `calendar`); these run the binary on the
//! fixtures and check the reports.

use super::*;

const DIR: &str = "tests/fixtures/hostile";

fn run_policy(name: &str, policy: &str, tickets: &str, changes: Option<&str>) -> PathBuf {
    let out_dir = scratch(name);
    let (policy, tickets) = (format!("{DIR}/{policy}"), format!("{DIR}/{tickets}"));
    let mut args = vec!["run", "--policy", &policy, "--tickets", &tickets];
    let changes = changes.map(|c| format!("{DIR}/{c}"));
    if let Some(c) = &changes {
        args.extend(["--changes", c]);
    }
    args.extend(["--out", out_dir.to_str().unwrap()]);
    let out = sla(&args);
    assert_no_panic(&out, name);
    assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr(&out));
    out_dir
}

/// Regression: 1000 levels x 1024 plans and one reclassified ticket; the
/// reclassification chart allocated plans x levels x levels (8.2 GB).
#[test]
fn many_levels_and_plans_with_one_ticket_give_a_report() {
    let out = run_policy(
        "many-levels-and-plans",
        "many_levels_and_plans.toml",
        "many_levels_and_plans.csv",
        Some("many_levels_and_plans.changes.csv"),
    );
    let tickets = rows(&out, "tickets.csv");
    assert_eq!(tickets.len(), 1);
    // submitted 1000 (9 business hours), changed to 1 (1 h, 24x7) after
    // ten minutes, answered after four hours
    assert_eq!(
        (&*tickets[0]["priority"], &*tickets[0]["status"]),
        ("1", "breached")
    );
    assert_eq!(
        lines(&out, "reclassifications.csv"),
        [
            "month,plan,from_priority,to_priority,changes",
            "2026-03,p1,1000,1,1"
        ]
    );
    for chart in [
        "attainment.png",
        "response_times.png",
        "reclassifications.png",
    ] {
        assert!(out.join(chart).is_file(), "{chart}");
    }
}

/// Regression: open one minute a week with an 87600h target; every open
/// ticket walked each local date up to the year 9999 (0.45 s a ticket).
#[test]
fn far_deadlines_stay_open_with_no_deadline() {
    let out = run_policy(
        "far-deadline",
        "far_deadline.toml",
        "far_deadline.csv",
        None,
    );
    let got: Vec<(String, String, String, String)> = rows(&out, "tickets.csv")
        .into_iter()
        .map(|r| {
            (
                r["ticket_id"].clone(),
                r["elapsed_s"].clone(),
                r["deadline"].clone(),
                r["status"].clone(),
            )
        })
        .collect();
    let row = |id: &str, e: &str, s: &str| (id.into(), e.into(), String::new(), s.into());
    // as_of is F-2's response, Monday 9 March 09:30 local: F-1 (created
    // at 09:00 local on the 2nd) saw both Mondays' minutes, F-2 (10:00 on
    // the 2nd) and F-3 (08:00 on the 9th) only the second
    assert_eq!(
        got,
        [
            row("F-1", "120", "open"),
            row("F-2", "60", "met"),
            row("F-3", "60", "open"),
        ]
    );
}
