//! The analysis CSV files (README "Analysis outputs"): policy_comparison.csv,
//! mode_sensitive_tickets.csv, reclassification_summary.csv and
//! summary_by_group.csv / summary_by_assignee.csv /
//! summary_by_organization.csv, at_risk.csv. Same format as the
//! contract's files: UTF-8, `,`, LF, header first.

use std::io::{self, Write};

use super::csv::{opt, summary_record, to_io, writer, SUMMARY_HEADER};
use crate::aggregate::{attainment_hundredths, percent_text, SummaryRow};
use crate::analysis::{ComparisonRow, ReclassRow, Reclassified};
use crate::ingest::Dataset;
use crate::labels::Labels;
use crate::model::month_text;
use crate::policy::{Mode, Policy};

/// `month,plan,priority`, then per mode `<mode>_tickets,<mode>_attainment_pct`.
pub fn comparison_header() -> Vec<String> {
    let mut h: Vec<String> = ["month", "plan", "priority"].map(String::from).to_vec();
    for m in Mode::ALL {
        h.push(format!("{}_tickets", m.as_str()));
        h.push(format!("{}_attainment_pct", m.as_str()));
    }
    h
}

pub fn write_comparison<W: Write>(w: W, policy: &Policy, rows: &[ComparisonRow]) -> io::Result<()> {
    let mut out = writer(w);
    out.write_record(comparison_header()).map_err(to_io)?;
    for r in rows {
        let mut rec = vec![
            month_text(r.month),
            policy.plans[r.plan as usize].name.clone(),
            r.priority.to_string(),
        ];
        for m in &r.modes {
            rec.push(m.tickets.to_string());
            rec.push(opt(m.attainment_hundredths().map(percent_text)));
        }
        out.write_record(&rec).map_err(to_io)?;
    }
    out.flush()
}

/// `ticket_id,plan,month,submitted_priority,reclassifications`, then per
/// mode `<mode>_priority,<mode>_status`.
pub fn sensitive_header() -> Vec<String> {
    let mut h: Vec<String> = [
        "ticket_id",
        "plan",
        "month",
        "submitted_priority",
        "reclassifications",
    ]
    .map(String::from)
    .to_vec();
    for m in Mode::ALL {
        h.push(format!("{}_priority", m.as_str()));
        h.push(format!("{}_status", m.as_str()));
    }
    h
}

pub fn write_sensitive<W: Write>(
    w: W,
    policy: &Policy,
    ds: &Dataset,
    months: &[crate::model::MonthKey],
    rows: &[Reclassified],
) -> io::Result<()> {
    let mut out = writer(w);
    out.write_record(sensitive_header()).map_err(to_io)?;
    for r in rows.iter().filter(|r| r.mode_sensitive()) {
        let i = r.ticket as usize;
        let t = &ds.tickets[i];
        let mut rec = vec![
            ds.id(t).to_string(),
            policy.plans[t.plan()].name.clone(),
            month_text(months[i]),
            t.submitted.to_string(),
            r.reclass.effective.to_string(),
        ];
        for v in &r.verdicts {
            rec.push(v.priority.to_string());
            rec.push(v.status.as_str().to_string());
        }
        out.write_record(&rec).map_err(to_io)?;
    }
    out.flush()
}

pub const RECLASS_SUMMARY_HEADER: [&str; 14] = [
    "month",
    "plan",
    "tickets",
    "reclassified",
    "reclassified_pct",
    "downgrades",
    "upgrades",
    "submitted_p1",
    "p1_downgraded",
    "p1_downgraded_pct",
    "median_business_s_to_first_reclassification",
    "changes_by_agent",
    "changes_by_customer",
    "changes_by_other",
];

pub fn write_reclass_summary<W: Write>(
    w: W,
    policy: &Policy,
    rows: &[ReclassRow],
) -> io::Result<()> {
    let mut out = writer(w);
    out.write_record(RECLASS_SUMMARY_HEADER).map_err(to_io)?;
    let pct = |n: u64, d: u64| opt(attainment_hundredths(n, d).map(percent_text));
    for r in rows {
        let mut rec = vec![
            month_text(r.month),
            policy.plans[r.plan as usize].name.clone(),
            r.tickets.to_string(),
            r.reclassified.to_string(),
            pct(r.reclassified, r.tickets),
            r.downgrades.to_string(),
            r.upgrades.to_string(),
            r.submitted_top.to_string(),
            r.top_downgraded.to_string(),
            pct(r.top_downgraded, r.submitted_top),
            opt(r.median_first_business_s),
        ];
        rec.extend(r.by.iter().map(u64::to_string));
        out.write_record(&rec).map_err(to_io)?;
    }
    out.flush()
}

/// summary_by_group.csv / summary_by_assignee.csv: `column` (the label),
/// then summary.csv's columns.
pub fn write_breakdown<W: Write>(
    w: W,
    policy: &Policy,
    column: &str,
    labels: &Labels,
    rows: &[(u32, SummaryRow)],
) -> io::Result<()> {
    let mut out = writer(w);
    let mut header = vec![column];
    header.extend(SUMMARY_HEADER);
    out.write_record(header).map_err(to_io)?;
    for (label, row) in rows {
        let mut rec = vec![labels.name(*label).to_string()];
        rec.extend(summary_record(policy, row));
        out.write_record(&rec).map_err(to_io)?;
    }
    out.flush()
}

/// at_risk.csv: the `open` tickets in `Analysis::at_risk` order, with the
/// time left on their clock (`margin_s` of tickets.csv).
pub fn write_at_risk<W: Write>(
    w: W,
    policy: &Policy,
    ev: &crate::evaluation::Evaluation,
    at_risk: &[u32],
) -> io::Result<()> {
    let ds = &ev.dataset;
    let mut out = writer(w);
    out.write_record([
        "ticket_id",
        "organization",
        "plan",
        "priority",
        "deadline",
        "remaining_s",
    ])
    .map_err(to_io)?;
    for &i in at_risk {
        let (t, o) = (&ds.tickets[i as usize], &ev.outcomes[i as usize]);
        let m = o.measure;
        out.write_record([
            ds.id(t),
            ds.organizations.name(t.organization),
            &policy.plans[t.plan()].name,
            &o.governing.to_string(),
            &opt(m
                .and_then(|m| m.written_deadline())
                .map(crate::timestamp::format_utc)),
            &opt(m.map(|m| m.margin_s())),
        ])
        .map_err(to_io)?;
    }
    out.flush()
}

/// Writes every analysis file into the output folder.
pub fn write_all(
    out: &mut super::OutputDir,
    r: &super::Report<'_>,
    a: &crate::analysis::Analysis,
) -> Result<(), super::OutputError> {
    let (policy, ev) = (r.policy, r.evaluation);
    let ds = &ev.dataset;
    out.write("policy_comparison.csv", |w| {
        write_comparison(w, policy, &a.comparison)
    })?;
    out.write("mode_sensitive_tickets.csv", |w| {
        write_sensitive(w, policy, ds, &ev.months, &a.reclassified)
    })?;
    out.write("reclassification_summary.csv", |w| {
        write_reclass_summary(w, policy, &a.reclass)
    })?;
    if let Some(rows) = &a.by_group {
        out.write("summary_by_group.csv", |w| {
            write_breakdown(w, policy, "group", &ds.groups, rows)
        })?;
    }
    if let Some(rows) = &a.by_assignee {
        out.write("summary_by_assignee.csv", |w| {
            write_breakdown(w, policy, "assignee", &ds.assignees, rows)
        })?;
    }
    if let Some(rows) = &a.by_organization {
        out.write("summary_by_organization.csv", |w| {
            write_breakdown(w, policy, "organization", &ds.organizations, rows)
        })?;
    }
    out.write("at_risk.csv", |w| write_at_risk(w, policy, ev, &a.at_risk))?;
    Ok(())
}
