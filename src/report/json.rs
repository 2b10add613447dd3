//! run.json: what was read, how, and the effective policy.

use std::io::{self, Write};

use serde_json::{json, Value};

use crate::ingest::Dataset;
use crate::policy::{Mode, Policy};
use crate::timestamp;

/// The facts of a run that run.json records.
pub struct RunFacts<'a> {
    pub as_of: Option<i64>,
    pub mode: Mode,
    pub input_tz: &'a str,
    pub policy: &'a Policy,
    pub dataset: &'a Dataset,
    pub tickets_evaluated: usize,
    /// `--month` / `--from` / `--until`, when given.
    pub period: Option<&'a crate::period::Period>,
}

pub fn run_json(f: &RunFacts<'_>) -> Value {
    let files: Vec<Value> = f
        .dataset
        .files
        .iter()
        .map(|s| {
            json!({
                "path": s.path,
                "kind": s.kind.as_str(),
                "sha256": s.sha256,
                "records_read": s.counts.read,
                "records_accepted": s.counts.accepted,
                "records_rejected": s.counts.rejected,
                "records_skipped": s.counts.skipped,
                "records_outside_period": s.counts.outside,
                "warnings": s.warnings,
            })
        })
        .collect();
    let mut reasons = serde_json::Map::new();
    for reason in crate::ingest::Reason::ALL {
        let n = f
            .dataset
            .rejects
            .iter()
            .filter(|r| r.reason == reason)
            .count();
        if n > 0 {
            reasons.insert(reason.as_str().to_string(), json!(n));
        }
    }
    json!({
        "tool": concat!("sla-report ", env!("CARGO_PKG_VERSION")),
        "as_of": f.as_of.map(timestamp::format_utc),
        "reclassification": f.mode.as_str(),
        "input_tz": f.input_tz,
        "policy": f.policy.to_json(),
        "files": files,
        "tickets_evaluated": f.tickets_evaluated,
        "rejected_total": f.dataset.rejects.len(),
        "rejected_by_reason": reasons,
        "skipped_total": f.dataset.files.iter().map(|s| s.counts.skipped).sum::<u64>(),
        "warnings_total": f.dataset.files.iter().map(|s| s.warnings).sum::<u64>(),
        "period": f.period.map(|p| p.to_json()),
        "outside_period_total": f.dataset.files.iter().map(|s| s.counts.outside).sum::<u64>(),
    })
}

pub fn write_run_json<W: Write>(mut w: W, f: &RunFacts<'_>) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut w, &run_json(f))?;
    w.write_all(b"\n")
}
