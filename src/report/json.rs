//! run.json: what was read, how, the effective policy, and the files
//! written beside it.

use std::io::{self, Write};

use serde_json::{json, Value};

use crate::report::output_dir::Written;
use crate::report::Report;
use crate::timestamp;

/// `outputs`: every other file of the report (sorted by name), so that a
/// bundle can be verified later and the next run knows what it may remove.
pub fn run_json(r: &Report<'_>, outputs: &[Written]) -> Value {
    let ev = r.evaluation;
    let files: Vec<Value> = ev
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
                "records_ignored": s.counts.ignored,
                "warnings": s.warnings + s.export_mismatches,
                "export_priority_mismatches": s.export_mismatches,
            })
        })
        .collect();
    let mut reasons = serde_json::Map::new();
    for reason in crate::ingest::Reason::ALL {
        let n = ev
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
        "as_of": ev.as_of.map(timestamp::format_utc),
        "reclassification": ev.mode.as_str(),
        "input_tz": r.input_tz,
        "input": input_json(r),
        "policy": r.policy.to_json(),
        "policy_keys_defaulted": r.policy.defaulted,
        "files": files,
        "tickets_evaluated": ev.outcomes.len(),
        "rejected_total": ev.dataset.rejects.len(),
        "rejected_by_reason": reasons,
        "skipped_total": ev.dataset.files.iter().map(|s| s.counts.skipped).sum::<u64>(),
        "warnings_total": ev.dataset.files.iter().map(|s| s.warnings + s.export_mismatches).sum::<u64>(),
        "period": r.period.map(|p| p.to_json()),
        "outside_period_total": ev.dataset.files.iter().map(|s| s.counts.outside).sum::<u64>(),
        "outputs": outputs
            .iter()
            .map(|o| json!({"file": o.file, "sha256": o.sha256, "bytes": o.bytes}))
            .collect::<Vec<Value>>(),
    })
}

/// How the inputs were read: a built-in format by name, a profile file
/// whole (as the policy is recorded), and the customers file.
fn input_json(r: &Report<'_>) -> Value {
    let mut input = serde_json::Map::new();
    if let Some(name) = r.profile.built_in_name() {
        input.insert("format".into(), json!(name));
    } else {
        input.insert(
            "profile".into(),
            json!({"name": r.profile.name, "text": r.profile.text}),
        );
    }
    if r.encoding != crate::ingest::Encoding::Utf8 {
        input.insert("encoding".into(), json!(r.encoding.as_str()));
    }
    if let Some(c) = r.customers {
        input.insert(
            "customers".into(),
            json!({"path": c.path, "sha256": c.sha256, "organizations": c.len()}),
        );
    }
    Value::Object(input)
}

pub fn write_run_json<W: Write>(mut w: W, r: &Report<'_>, outputs: &[Written]) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut w, &run_json(r, outputs))?;
    w.write_all(b"\n")
}
