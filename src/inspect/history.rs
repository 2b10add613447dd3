//! A priority history as the run reads it: CSV (wide from/to rows or long
//! field-change rows) or JSON (Zendesk audits, Freshdesk activities).

use std::fmt::Write;
use std::ops::ControlFlow;

use super::tally::{self, quoted, Forms, Mapped, Values, Verdicts, SAMPLE_ROWS};
use super::tickets::{priority, zone_name};
use super::Setup;
use crate::ingest::{
    check_change, ChangeFields, CsvInput, IngestError, JsonInput, JsonRow, ReadOptions, Reason,
};
use crate::profile::{JsonShape, TimeFormats};
use crate::terminal::escape;
use crate::timestamp;

/// The tallies of a history's priority rows.
struct Rows<'s> {
    timestamps: &'s TimeFormats,
    forms: Forms,
    dates: timestamp::Parser,
    checks: timestamp::Parser,
    to: Values,
    from: Values,
    verdicts: Verdicts,
    samples: Vec<Vec<String>>,
}

impl<'s> Rows<'s> {
    fn new(timestamps: &'s TimeFormats) -> Rows<'s> {
        Rows {
            timestamps,
            forms: Forms::new(timestamps.names().iter().map(|s| s.to_string()).collect()),
            dates: timestamp::Parser::default(),
            checks: timestamp::Parser::default(),
            to: Values::default(),
            from: Values::default(),
            verdicts: Verdicts::default(),
            samples: Vec::new(),
        }
    }

    /// One priority row: its values, its timestamp's form, the run's checks.
    fn add(&mut self, line: u64, row: &ChangeFields<'_>, opts: &ReadOptions<'_>) {
        self.to.add(row.to);
        if !row.from.is_empty() {
            self.from.add(row.from);
        }
        let timestamps = self.timestamps;
        let dates = &mut self.dates;
        self.forms
            .add(line, row.changed_at, opts.change_zone(), |text, zone| {
                timestamps.parse_form(text, zone, dates)
            });
        match check_change(row, timestamps, &mut self.checks, opts) {
            Err((reason, _)) => self.verdicts.reject(line, reason),
            Ok((changed_at, to, from, by)) => {
                self.verdicts.accepted += 1;
                if self.samples.len() < SAMPLE_ROWS {
                    self.samples.push(vec![
                        escape(row.id).into_owned(),
                        tally::utc(Some(changed_at)),
                        opts.policy.priority_label(to),
                        from.map_or_else(|| "-".to_string(), |f| opts.policy.priority_label(f)),
                        by.as_str().to_string(),
                    ]);
                }
            }
        }
    }

    fn render(&self, out: &mut String, path: &str, setup: &Setup<'_>, ignored: Option<&str>) {
        let opts = &setup.opts;
        let _ = writeln!(out, "values:");
        self.to
            .render(out, "to_priority", |text| priority(text, opts));
        if self.from.rows > 0 {
            self.from
                .render(out, "from_priority", |text| priority(text, opts));
        }
        let _ = writeln!(out, "timestamps (the forms in the order tried):");
        let zone = zone_name(opts.profile.changes.timezone, setup);
        self.forms
            .render(out, "changes.changed_at", path, Some(&zone));
        self.verdicts.render(out, path, ignored);
        let _ = writeln!(
            out,
            "  (a row's ticket is looked up in the ticket files by the run: unknown_ticket, \
             ticket_rejected)"
        );
        let _ = writeln!(out, "first priority rows as the run reads them:");
        tally::table(
            out,
            &[
                "ticket_id",
                "changed_at (UTC)",
                "to_priority",
                "from_priority",
                "changed_by",
            ],
            &self.samples,
        );
    }
}

/// The sections of a CSV history; the run's fatal error when its columns
/// do not do (the values are counted all the same, over every row).
pub(super) fn csv(
    path: &str,
    csv: CsvInput,
    setup: &Setup<'_>,
    out: &mut String,
) -> Result<(), IngestError> {
    let opts = &setup.opts;
    let Some(spec) = &opts.profile.changes.csv else {
        // `Fit::best` takes a CSV for a history only when the profile reads one
        return csv.change_columns(opts).map(|_| ());
    };
    let decorations = opts.profile.header_decorations;
    let cols = csv.change_columns(opts);
    let find = |f: Option<&crate::profile::Field>| f.and_then(|f| csv.find(f, decorations));
    let field_column = spec.filter.as_ref().and_then(|f| find(Some(&f.field)));
    let header = csv.names().to_vec();
    // without the run's columns, the found ones, every row a priority row
    let found = [
        find(Some(&spec.changed_at)),
        find(Some(&spec.to_priority)),
        find(spec.from_priority.as_ref()),
    ];
    let mut fields = Values::default();
    let mut rows = Rows::new(&spec.timestamps);
    let read = csv.for_each(opts, |line, record| {
        rows.verdicts.records += 1;
        let values = match record {
            Err(reason) => return rows.verdicts.reject(line, reason),
            Ok(values) => values,
        };
        if let Some(c) = field_column {
            fields.add(values.get(Some(c)));
        }
        match &cols {
            Ok(cols) => match ChangeFields::of_record(values, cols) {
                None => rows.verdicts.ignored += 1,
                Some(row) => rows.add(line, &row, opts),
            },
            Err(_) => {
                let [changed_at, to, from] = found.map(|c| values.get(c));
                rows.to.add(to);
                if !from.is_empty() {
                    rows.from.add(from);
                }
                let timestamps = rows.timestamps;
                let dates = &mut rows.dates;
                rows.forms
                    .add(line, changed_at, opts.change_zone(), |text, zone| {
                        timestamps.parse_form(text, zone, dates)
                    });
            }
        }
    });
    if let (Some(c), Some(filter)) = (field_column, &spec.filter) {
        let _ = writeln!(out, "history fields:");
        let title = format!("changes.field ({})", quoted(&header[c]));
        fields.render(out, &title, |text| {
            if filter.values.iter().any(|v| v.eq_ignore_ascii_case(text)) {
                Mapped {
                    to: "a priority row".to_string(),
                    unmapped: false,
                }
            } else {
                Mapped {
                    to: "another field: ignored".to_string(),
                    unmapped: false,
                }
            }
        });
    }
    if cols.is_ok() {
        let ignored = spec.filter.as_ref().map(|_| "rows of other fields");
        rows.render(out, path, setup, ignored);
    } else {
        let _ = writeln!(out, "values (of every row: the columns do not do):");
        rows.to
            .render(out, "to_priority", |text| priority(text, opts));
        let _ = writeln!(
            out,
            "rows: {} records (not checked: the columns do not do)",
            rows.verdicts.records
        );
    }
    read?;
    cols.map(|_| ())
}

/// What a shape reads from each record, for a user who writes a profile.
fn shape_fields(shape: JsonShape) -> &'static str {
    match shape {
        JsonShape::ZendeskAudits => {
            "ticket_id, created_at (changed_at), author_id (changed_by); of its events, \
             the last with field_name \"priority\" and type Create or Change: value \
             (to_priority), previous_value (from_priority, Change only)"
        }
        JsonShape::FreshdeskActivities => {
            "ticket_id, performed_at (changed_at), performer_type (changed_by), \
             activity.priority (to_priority)"
        }
    }
}

/// The sections of a JSON history.
pub(super) fn json(
    path: &str,
    mut json: JsonInput,
    setup: &Setup<'_>,
    how: &str,
    out: &mut String,
) -> Result<(), IngestError> {
    let opts = &setup.opts;
    let Some((shape, timestamps)) = &opts.profile.changes.json else {
        unreachable!("a JSON input is opened only for a profile that reads JSON");
    };
    let mut rows = Rows::new(timestamps);
    let mut malformed: Vec<(u64, String)> = Vec::new();
    let read = json.for_each(|line, text, record| {
        rows.verdicts.records += 1;
        match record {
            JsonRow::Row(row) => rows.add(line, &row, opts),
            JsonRow::Ignored => rows.verdicts.ignored += 1,
            JsonRow::Malformed => {
                rows.verdicts.reject(line, Reason::MalformedRow);
                if malformed.len() < tally::SHOWN_ROWS {
                    let mut compact = crate::ingest::compact_json(text);
                    if compact.chars().count() > 120 {
                        compact = compact.chars().take(117).collect::<String>() + "...";
                    }
                    malformed.push((line, compact));
                }
            }
        }
        ControlFlow::Continue(())
    });
    let _ = writeln!(
        out,
        "read as: priority history (JSON {}, {}), {how}",
        shape.as_str(),
        json.layout().unwrap_or("no records")
    );
    let _ = writeln!(out, "  each record gives {}", shape_fields(*shape));
    rows.render(out, path, setup, Some("records without a priority"));
    if !malformed.is_empty() {
        let _ = writeln!(out, "malformed records:");
        for (line, text) in &malformed {
            let _ = writeln!(out, "  {}:{line}: {}", escape(path), escape(text));
        }
    }
    read
}

/// Of a JSON file's first `n` records: how many give a priority row, how
/// many are without one, how many are malformed.
pub(super) fn first_records(json: &mut JsonInput, n: u64) -> Result<[u64; 3], IngestError> {
    let mut counts = [0u64; 3];
    json.for_each(|_, _, record| {
        counts[match record {
            JsonRow::Row(_) => 0,
            JsonRow::Ignored => 1,
            JsonRow::Malformed => 2,
        }] += 1;
        if counts.iter().sum::<u64>() >= n {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })?;
    Ok(counts)
}
