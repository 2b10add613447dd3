//! Hostile inputs too big to commit, generated at test time: enormous
//! fields and a million and a half changes for one ticket.

use std::io::Write;
use std::time::{Duration, Instant};

use super::*;

#[test]
fn enormous_fields_are_read_whole_and_keep_line_numbers() {
    let dir = scratch("enormous");
    let path = dir.join("tickets.csv");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    writeln!(f, "ticket_id,created_at,plan,subject").unwrap();
    // line 2: a 24 MiB field in an ignored column
    let big = "x".repeat(24 << 20);
    writeln!(f, "G-1,2026-03-02T08:00:00Z,Advanced,{big}").unwrap();
    // line 3: an 8 MiB plan: rejected, its whole record in rejects.csv
    let plan = "P".repeat(8 << 20);
    writeln!(f, "G-2,2026-03-02T08:00:00Z,{plan},x").unwrap();
    // line 4: a quoted field over 200 000 lines
    let lines = "line\n".repeat(200_000);
    writeln!(f, "G-3,2026-03-02T08:00:00Z,Advanced,\"{lines}end\"").unwrap();
    // line 200 005: counted after it
    writeln!(f, "G-4,2026-03-02T08:00:00Z,Nope,x").unwrap();
    // line 200 006: a 4 MiB id
    let id = "I".repeat(4 << 20);
    writeln!(f, "{id},2026-03-02T08:00:00Z,Advanced,x").unwrap();
    f.flush().unwrap();
    drop(f);

    let out_dir = dir.join("out");
    let started = Instant::now();
    let out = sla(&[
        "run",
        "--tickets",
        path.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    let took = started.elapsed();
    assert_no_panic(&out, "enormous");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(took < Duration::from_secs(60), "took {took:?}");
    let rejects = rows(&out_dir, "rejects.csv");
    assert_eq!(rejects.len(), 2);
    assert_eq!(rejects[0]["line"], "3");
    assert_eq!(rejects[0]["reason"], "unknown_plan");
    assert_eq!(
        rejects[0]["record"].len(),
        "G-2,2026-03-02T08:00:00Z,,x".len() + (8 << 20)
    );
    assert_eq!(rejects[1]["line"], "200005");
    let tickets = rows(&out_dir, "tickets.csv");
    let ids: Vec<usize> = tickets.iter().map(|t| t["ticket_id"].len()).collect();
    assert_eq!(ids, [3, 3, 4 << 20]);
    assert_eq!(
        accounting(&out_dir),
        [(path.to_str().unwrap().to_string(), 5, 3, 2, 0, 0)]
    );
}

#[test]
fn a_million_and_a_half_changes_for_one_ticket_take_seconds() {
    const N: usize = 1_500_000;
    let dir = scratch("million-changes");
    let tickets = dir.join("tickets.csv");
    std::fs::write(
        &tickets,
        "ticket_id,created_at,first_response_at,plan,priority\n\
         M-1,2026-03-02T08:00:00Z,2026-03-20T08:00:00Z,Professional,1\n\
         M-2,2026-03-02T08:00:00Z,2026-03-02T09:00:00Z,Professional,1\n",
    )
    .unwrap();
    let changes = dir.join("changes.csv");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&changes).unwrap());
    writeln!(f, "ticket_id,changed_at,from_priority,to_priority").unwrap();
    let created = 1_772_438_400i64; // 2026-03-02T08:00:00Z
    for i in 1..=N {
        // 1 -> 3 -> 1 -> ... one second apart, every change effective
        let (from, to) = if i % 2 == 1 { (1, 3) } else { (3, 1) };
        let t = created + i as i64;
        let (d, s) = (t.div_euclid(86_400), t.rem_euclid(86_400));
        let (y, m, dd) = sla_report::timestamp::civil_from_days(d);
        writeln!(
            f,
            "M-1,{y:04}-{m:02}-{dd:02}T{:02}:{:02}:{:02}Z,{from},{to}",
            s / 3600,
            s / 60 % 60,
            s % 60
        )
        .unwrap();
    }
    f.flush().unwrap();
    drop(f);

    for mode in ["current", "prorata", "restart"] {
        let out_dir = dir.join(mode);
        let started = Instant::now();
        let out = sla(&[
            "run",
            "--tickets",
            tickets.to_str().unwrap(),
            "--changes",
            changes.to_str().unwrap(),
            "--reclassification",
            mode,
            "--out",
            out_dir.to_str().unwrap(),
        ]);
        let took = started.elapsed();
        assert_no_panic(&out, mode);
        assert_eq!(out.status.code(), Some(0), "{mode}: {}", stderr(&out));
        assert!(took < Duration::from_secs(60), "{mode}: took {took:?}");
        let t = &rows(&out_dir, "tickets.csv")[0];
        assert_eq!(t["ticket_id"], "M-1");
        assert_eq!(t["reclassifications"], N.to_string(), "{mode}");
        assert_eq!(t["priority"], "1", "{mode}");
        // restart: the clock starts at the last change, Thursday 19 March
        // 16:40Z (17:40 CET, closed), so the response at Friday's opening
        // used no business time
        let (status, deadline) = match mode {
            "restart" => ("met", "2026-03-20T11:00:00Z"),
            "current" => ("breached", "2026-03-02T11:00:00Z"),
            // each P1 second uses 1/10800 of the budget, each P3 second
            // 1/32400: it runs out after 16 200 s, Monday 12:30Z
            _ => ("breached", "2026-03-02T12:30:00Z"),
        };
        assert_eq!(
            (t["status"].as_str(), t["deadline"].as_str()),
            (status, deadline),
            "{mode}"
        );
        let flows = rows(&out_dir, "reclassifications.csv");
        let counts: Vec<(&str, &str, &str)> = flows
            .iter()
            .map(|r| {
                (
                    r["from_priority"].as_str(),
                    r["to_priority"].as_str(),
                    r["changes"].as_str(),
                )
            })
            .collect();
        let half = (N / 2).to_string();
        assert_eq!(
            counts,
            [("1", "3", half.as_str()), ("3", "1", half.as_str())]
        );
        let files = accounting(&out_dir);
        assert_eq!(files[1].1, N as u64);
        assert_eq!(files[1].2, N as u64);
        assert_eq!(json(&out_dir)["warnings_total"], 0);
    }
}
