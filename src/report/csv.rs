//! The contract's CSV outputs (CONTRACT.md section 6): UTF-8, `,`, LF,
//! header first, fields quoted only where needed.

use std::io::{self, Write};

use crate::aggregate::{month_text, percent_text, FlowRow, SummaryRow};
use crate::ingest::{Dataset, Ticket};
use crate::policy::Policy;
use crate::replay::{Outcome, Status};
use crate::timestamp;

pub const TICKETS_HEADER: [&str; 14] = [
    "ticket_id",
    "plan",
    "month",
    "stage",
    "submitted_priority",
    "priority",
    "reclassifications",
    "clock",
    "target_s",
    "first_response_at",
    "elapsed_s",
    "deadline",
    "status",
    "margin_s",
];

pub const SUMMARY_HEADER: [&str; 14] = [
    "month",
    "plan",
    "priority",
    "tickets",
    "met",
    "breached",
    "open",
    "open_breached",
    "no_target",
    "excluded",
    "reclassified",
    "attainment_pct",
    "median_elapsed_s",
    "p90_elapsed_s",
];

pub const RECLASSIFICATIONS_HEADER: [&str; 5] =
    ["month", "plan", "from_priority", "to_priority", "changes"];

pub const REJECTS_HEADER: [&str; 4] = ["file", "line", "reason", "record"];

pub(crate) fn writer<W: Write>(w: W) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(w)
}

pub(crate) fn to_io(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

pub(crate) fn opt<T: ToString>(v: Option<T>) -> String {
    v.map_or_else(String::new, |v| v.to_string())
}

/// tickets.csv: one row per accepted ticket, in input order.
pub fn write_tickets<W: Write>(
    w: W,
    policy: &Policy,
    tickets: &[Ticket],
    months: &[String],
    outcomes: &[Outcome],
) -> io::Result<()> {
    let mut out = writer(w);
    out.write_record(TICKETS_HEADER).map_err(to_io)?;
    let mut response = String::new();
    let mut deadline = String::new();
    for ((t, month), o) in tickets.iter().zip(months).zip(outcomes) {
        response.clear();
        if let Some(r) = o.response {
            timestamp::push_utc(&mut response, r);
        }
        deadline.clear();
        let m = o.measure;
        if let Some(m) = m {
            timestamp::push_utc(&mut deadline, m.deadline);
        }
        out.write_record([
            &*t.id,
            &policy.plans[t.plan].name,
            month,
            &t.stage,
            &t.submitted.to_string(),
            &o.governing.to_string(),
            &o.effective.len().to_string(),
            m.map_or("", |m| m.clock.as_str()),
            &opt(m.map(|m| m.target_s)),
            &response,
            &opt(m.map(|m| m.elapsed_s)),
            &deadline,
            o.status.as_str(),
            &opt(m.map(|m| m.margin_s())),
        ])
        .map_err(to_io)?;
    }
    out.flush()
}

/// summary.csv.
pub fn write_summary<W: Write>(w: W, policy: &Policy, rows: &[SummaryRow]) -> io::Result<()> {
    let mut out = writer(w);
    out.write_record(SUMMARY_HEADER).map_err(to_io)?;
    for r in rows {
        out.write_record(summary_record(policy, r)).map_err(to_io)?;
    }
    out.flush()
}

/// The fields of one summary.csv row (`SUMMARY_HEADER` order).
pub fn summary_record(policy: &Policy, r: &SummaryRow) -> Vec<String> {
    let mut rec = vec![
        month_text(r.month),
        policy.plans[r.plan as usize].name.clone(),
        r.priority.to_string(),
        r.tickets.to_string(),
    ];
    rec.extend(Status::ALL.iter().map(|&s| r.count(s).to_string()));
    rec.push(r.reclassified.to_string());
    rec.push(opt(r.attainment_hundredths().map(percent_text)));
    rec.push(opt(r.median_elapsed_s));
    rec.push(opt(r.p90_elapsed_s));
    rec
}

/// reclassifications.csv.
pub fn write_reclassifications<W: Write>(
    w: W,
    policy: &Policy,
    rows: &[FlowRow],
) -> io::Result<()> {
    let mut out = writer(w);
    out.write_record(RECLASSIFICATIONS_HEADER).map_err(to_io)?;
    for r in rows {
        out.write_record([
            month_text(r.flow.month),
            policy.plans[r.flow.plan as usize].name.clone(),
            r.flow.from.to_string(),
            r.flow.to.to_string(),
            r.changes.to_string(),
        ])
        .map_err(to_io)?;
    }
    out.flush()
}

/// rejects.csv: ticket files first, then change files, each in line order.
pub fn write_rejects<W: Write>(w: W, ds: &Dataset) -> io::Result<()> {
    let mut out = writer(w);
    out.write_record(REJECTS_HEADER).map_err(to_io)?;
    for r in &ds.rejects {
        out.write_record([
            ds.files[r.file].path.as_str(),
            &r.line.to_string(),
            r.reason.as_str(),
            &r.record,
        ])
        .map_err(to_io)?;
    }
    out.flush()
}
