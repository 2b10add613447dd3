//! A ticket file as the run reads it: its values, timestamps and rows.

use std::fmt::Write;

use super::tally::{self, quoted, Forms, Mapped, Values, Verdicts, SAMPLE_ROWS};
use super::Setup;
use crate::ingest::{
    after, check_ticket, parse_priority, plan_of, stage_of, CsvInput, IngestError, PlanFrom,
    ReadOptions, TicketParsers,
};
use crate::profile::Response;
use crate::terminal::escape;
use crate::timestamp;

/// What the value of a priority column maps to (tickets and histories).
pub(super) fn priority(text: &str, opts: &ReadOptions<'_>) -> Mapped {
    match parse_priority(text, opts) {
        Some(level) => Mapped {
            to: if text.is_empty() {
                format!("{} (the policy default)", opts.policy.priority_label(level))
            } else {
                opts.policy.priority_label(level)
            },
            unmapped: false,
        },
        None => Mapped {
            to: "unmapped: bad_priority".to_string(),
            unmapped: true,
        },
    }
}

/// The name of a plan by its index.
fn plan_name(index: usize, opts: &ReadOptions<'_>) -> String {
    opts.policy
        .plans
        .get(index)
        .map_or_else(|| format!("plan #{index}"), |p| p.name.clone())
}

/// The zone a kind's offsetless timestamps are read in, by name.
pub(super) fn zone_name(own: Option<chrono_tz::Tz>, setup: &Setup<'_>) -> String {
    own.unwrap_or(setup.input_tz).name().to_string()
}

/// The sections of a ticket file; the run's fatal error when its columns
/// do not do (the values are counted all the same).
pub(super) fn csv(
    path: &str,
    csv: CsvInput,
    setup: &Setup<'_>,
    out: &mut String,
) -> Result<(), IngestError> {
    let opts = &setup.opts;
    let spec = &opts.profile.tickets;
    let decorations = opts.profile.header_decorations;
    let find = |f: Option<&crate::profile::Field>| f.and_then(|f| csv.find(f, decorations));
    let cols = csv.ticket_columns(opts);
    let header = csv.names().to_vec();
    // the plan: a column, --customers by the organization, or a constant
    let (plan_title, plan_column) = match &cols {
        Ok(cols) => match cols.plan {
            PlanFrom::Column(c) => (Some(format!("plan ({})", quoted(&header[c]))), Some(c)),
            PlanFrom::Customers(c) => (
                Some(format!(
                    "plan from --customers by organization ({})",
                    quoted(&header[c])
                )),
                Some(c),
            ),
            // printed with the columns
            PlanFrom::Constant(_) => (None, None),
        },
        Err(_) => match find(spec.organization.as_ref()) {
            Some(c) => (
                Some(format!("organization ({})", quoted(&header[c]))),
                Some(c),
            ),
            None => (None, None),
        },
    };
    let by_customers = matches!(&cols, Ok(c) if matches!(c.plan, PlanFrom::Customers(_)))
        || (cols.is_err() && plan_column.is_some());
    let priority_column = find(spec.priority.as_ref());
    let stage_column = find(spec.product_stage.as_ref());
    let created_column = find(Some(&spec.created_at));
    let response_column = find(spec.response.as_ref().map(Response::field));

    let zone = opts.ticket_zone();
    let names = spec
        .timestamps
        .names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut created_forms = Forms::new(names);
    let mut response_forms = match &spec.response {
        Some(Response::After(f, unit)) => Forms::new(vec![match unit {
            Some(60) => "minutes after created_at".to_string(),
            Some(3600) => "hours after created_at".to_string(),
            _ => format!("{} after created_at", f.key),
        }]),
        _ => Forms::new(
            spec.timestamps
                .names()
                .iter()
                .map(|s| s.to_string())
                .collect(),
        ),
    };
    let (mut plans, mut priorities, mut stages) =
        (Values::default(), Values::default(), Values::default());
    let mut verdicts = Verdicts::default();
    let mut samples: Vec<Vec<String>> = Vec::new();
    let mut parsers = TicketParsers::default();
    let (mut created_dates, mut response_dates) =
        (timestamp::Parser::default(), timestamp::Parser::default());
    let read = csv.for_each(opts, |line, record| {
        verdicts.records += 1;
        let values = match record {
            Err(reason) => return verdicts.reject(line, reason),
            Ok(values) => values,
        };
        if let Some(c) = plan_column {
            plans.add(values.get(Some(c)));
        }
        if let Some(c) = priority_column {
            priorities.add(values.get(Some(c)));
        }
        if let Some(c) = stage_column {
            stages.add(values.get(Some(c)));
        }
        let created = created_column.and_then(|c| {
            created_forms.add(line, values.get(Some(c)), zone, |text, zone| {
                spec.timestamps.parse_form(text, zone, &mut created_dates)
            })
        });
        if let Some(c) = response_column {
            let text = values.get(Some(c));
            match &spec.response {
                Some(Response::After(_, unit)) => {
                    // a duration's form does not need the creation to be readable
                    let from = created.unwrap_or(0);
                    response_forms.add(line, text, zone, |text, _| {
                        after(from, text, *unit).map(|t| (0, t))
                    });
                }
                _ => {
                    response_forms.add(line, text, zone, |text, zone| {
                        spec.timestamps.parse_form(text, zone, &mut response_dates)
                    });
                }
            }
        }
        let Ok(cols) = &cols else {
            return;
        };
        match check_ticket(values, cols, opts, &mut parsers) {
            Err((reason, _)) => verdicts.reject(line, reason),
            Ok(t) => match t.rejected() {
                Some(reason) => verdicts.reject(line, reason),
                None => {
                    verdicts.accepted += 1;
                    if samples.len() < SAMPLE_ROWS {
                        samples.push(vec![
                            escape(t.id).into_owned(),
                            tally::utc(Some(t.created)),
                            tally::utc(t.response),
                            plan_name(t.plan as usize, opts),
                            opts.policy.priority_label(t.priority),
                            escape(t.stage).into_owned(),
                        ]);
                    }
                }
            },
        }
    });

    let _ = writeln!(out, "values:");
    if let Some(title) = plan_title {
        plans.render(out, &title, |text| {
            if by_customers {
                let plan = opts.customers.and_then(|c| c.plan(text));
                match plan {
                    Some(p) => Mapped {
                        to: plan_name(p as usize, opts),
                        unmapped: false,
                    },
                    None if opts.customers.is_none() => Mapped {
                        to: "no --customers to look it up in".to_string(),
                        unmapped: true,
                    },
                    None if text.is_empty() => Mapped {
                        to: "empty organization: unknown_plan".to_string(),
                        unmapped: true,
                    },
                    None => Mapped {
                        to: "not in --customers: unknown_plan".to_string(),
                        unmapped: true,
                    },
                }
            } else if text.is_empty() {
                Mapped {
                    to: "missing_field".to_string(),
                    unmapped: true,
                }
            } else {
                match plan_of(text, opts) {
                    Some(p) => Mapped {
                        to: plan_name(p, opts),
                        unmapped: false,
                    },
                    None => Mapped {
                        to: "unmapped: unknown_plan".to_string(),
                        unmapped: true,
                    },
                }
            }
        });
    }
    if let Some(c) = priority_column {
        let words = if opts.profile.priority.is_some() {
            "the profile's [values.priority]"
        } else {
            "the policy's own words"
        };
        let title = format!("priority ({}, through {words})", quoted(&header[c]));
        priorities.render(out, &title, |text| priority(text, opts));
    }
    if let Some(c) = stage_column {
        let title = format!("product_stage ({})", quoted(&header[c]));
        stages.render(out, &title, |text| {
            let stage = stage_of(text, opts);
            let to = if stage.is_empty() {
                "no stage: covered".to_string()
            } else if opts.policy.is_excluded_stage(stage) {
                format!(
                    "{}: not covered (the policy's excluded_stages)",
                    quoted(stage)
                )
            } else {
                format!("{}: covered", quoted(stage))
            };
            Mapped {
                to,
                unmapped: false,
            }
        });
    }

    let zone_name = zone_name(spec.timezone, setup);
    let _ = writeln!(out, "timestamps (the forms in the order tried):");
    if created_column.is_none() && response_column.is_none() {
        let _ = writeln!(out, "  no timestamp column found");
    }
    if let Some(c) = created_column {
        let title = format!("tickets.created_at ({})", quoted(&header[c]));
        created_forms.render(out, &title, path, Some(&zone_name));
    }
    if let (Some(c), Some(response)) = (response_column, &spec.response) {
        let title = format!("tickets.{} ({})", response.field().key, quoted(&header[c]));
        let zone = matches!(response, Response::At(_)).then_some(zone_name.as_str());
        response_forms.render(out, &title, path, zone);
    }

    if cols.is_ok() {
        verdicts.render(out, path, None);
        let _ = writeln!(out, "first rows as the run reads them:");
        tally::table(
            out,
            &[
                "ticket_id",
                "created_at (UTC)",
                "first_response_at (UTC)",
                "plan",
                "priority",
                "product_stage",
            ],
            &samples,
        );
        if opts.profile.export_priority == crate::profile::ExportPriority::Current {
            let _ = writeln!(
                out,
                "  (the priority is the export's, the priority now: a history file tells the \
                 submitted one)"
            );
        }
    } else {
        let _ = writeln!(
            out,
            "rows: {} records (not checked: the columns do not do)",
            verdicts.records
        );
    }
    read?;
    cols.map(|_| ())
}
