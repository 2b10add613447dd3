//! The `run` pipeline: ingest -> replay (parallel) -> aggregate -> write.
//! Reads only the files it is given and writes only into the output folder.

use std::fmt;
use std::path::PathBuf;

use chrono::{Datelike, TimeZone};
use chrono_tz::Tz;
use rayon::prelude::*;

use crate::aggregate::{self, Fact, Flow, FlowRow, MonthKey, SummaryRow};
use crate::calendar::BusinessCalendar;
use crate::ingest::{self, Change, Dataset, IngestError, ReadOptions};
use crate::policy::{Mode, Policy};
use crate::replay::{self, Clocks, Outcome, Status};
use crate::report::json::RunFacts;
use crate::report::{self, OutputDir, OutputError};
use crate::timestamp::{self, InputZone};

/// A validated `run`: every flag resolved, nothing read yet.
#[derive(Debug, Clone)]
pub struct RunConfig {
    pub tickets: Vec<String>,
    pub changes: Vec<String>,
    pub policy: Policy,
    pub mode: Mode,
    pub as_of: Option<i64>,
    pub input_tz: Tz,
    pub input_tz_name: String,
    pub out: PathBuf,
    pub delimiter: Option<u8>,
    /// Also draw the charts (PNG) and report.html.
    pub charts: bool,
}

/// A fatal error of a run.
#[derive(Debug)]
pub enum RunError {
    Ingest(IngestError),
    Output(OutputError),
    Aggregate(polars::error::PolarsError),
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::Ingest(e) => e.fmt(f),
            RunError::Output(e) => {
                write!(f, "{e} (the previous report, if any, is left as it was)")
            }
            RunError::Aggregate(e) => write!(f, "aggregation failed: {e}"),
        }
    }
}

impl std::error::Error for RunError {}

impl From<IngestError> for RunError {
    fn from(e: IngestError) -> Self {
        RunError::Ingest(e)
    }
}
impl From<OutputError> for RunError {
    fn from(e: OutputError) -> Self {
        RunError::Output(e)
    }
}
impl From<polars::error::PolarsError> for RunError {
    fn from(e: polars::error::PolarsError) -> Self {
        RunError::Aggregate(e)
    }
}

/// Every accepted ticket replayed.
pub struct Evaluation {
    pub dataset: Dataset,
    pub as_of: Option<i64>,
    pub mode: Mode,
    /// Month of creation in the policy zone, per ticket.
    pub months: Vec<MonthKey>,
    /// Per ticket, in input order.
    pub outcomes: Vec<Outcome>,
    pub summary: Vec<SummaryRow>,
    pub flows: Vec<FlowRow>,
}

fn year_of(t: i64) -> i32 {
    timestamp::civil_from_days(t.div_euclid(86_400))
        .0
        .clamp(1, 9999) as i32
}

/// The month of an instant in the policy zone.
pub fn month_of(tz: Tz, t: i64) -> MonthKey {
    match chrono::DateTime::from_timestamp(t, 0) {
        Some(utc) => {
            let local = tz.from_utc_datetime(&utc.naive_utc());
            aggregate::month_key(local.year(), local.month())
        }
        None => 0,
    }
}

/// The clocks for a data set: business intervals precomputed for the years
/// the data spans (queries outside stay exact, only slower).
pub fn clocks_for(policy: &Policy, ds: &Dataset, as_of: Option<i64>) -> Clocks {
    let first = ds.tickets.iter().map(|t| t.created).min();
    let (first_year, last_year) = match (first, as_of) {
        (Some(first), Some(as_of)) => (year_of(first) - 1, year_of(as_of) + 1),
        _ => (2000, 2001),
    };
    Clocks {
        business: BusinessCalendar::new(
            policy.timezone,
            &policy.business_hours,
            &policy.holiday_rules,
            &policy.holiday_dates,
            first_year.max(1),
            last_year.min(9999),
        ),
    }
}

/// Groups the changes at or before `as_of` by ticket: the sorted changes
/// and, per ticket, the range of its changes.
pub fn changes_by_ticket(ds: &Dataset, as_of: i64) -> (Vec<Change>, Vec<u32>) {
    let mut changes: Vec<Change> = ds
        .changes
        .iter()
        .filter(|c| c.changed_at <= as_of)
        .copied()
        .collect();
    // stable: ties keep input order (file order, then line)
    changes.sort_by_key(|c| (c.ticket, c.changed_at));
    let mut offsets = vec![0u32; ds.tickets.len() + 1];
    for c in &changes {
        offsets[c.ticket as usize + 1] += 1;
    }
    for i in 1..offsets.len() {
        offsets[i] += offsets[i - 1];
    }
    (changes, offsets)
}

/// Reads the inputs and replays every ticket under `mode`.
pub fn evaluate(cfg: &RunConfig) -> Result<Evaluation, RunError> {
    let opts = ReadOptions {
        policy: &cfg.policy,
        zone: InputZone::new(cfg.input_tz),
        as_of: cfg.as_of,
        delimiter: cfg.delimiter,
    };
    let mut dataset = ingest::load(&cfg.tickets, &cfg.changes, &opts)?;
    let as_of = cfg.as_of.or_else(|| ingest::default_as_of(&dataset));
    let mut months = Vec::new();
    let mut outcomes = Vec::new();
    if let Some(as_of) = as_of {
        let clocks = clocks_for(&cfg.policy, &dataset, Some(as_of));
        let (changes, offsets) = changes_by_ticket(&dataset, as_of);
        let policy = &cfg.policy;
        let tz = policy.timezone;
        (months, outcomes) = dataset
            .tickets
            .par_iter()
            .enumerate()
            .map(|(i, t)| {
                let mine = &changes[offsets[i] as usize..offsets[i + 1] as usize];
                (
                    month_of(tz, t.created),
                    replay::evaluate(t, mine, policy, &clocks, cfg.mode, as_of),
                )
            })
            .unzip();
        for o in &outcomes {
            for &file in &o.mismatches {
                dataset.files[file as usize].warnings += 1;
            }
        }
    }
    let facts: Vec<Fact> = dataset
        .tickets
        .iter()
        .zip(&months)
        .zip(&outcomes)
        .map(|((t, &month), o)| Fact {
            month,
            plan: t.plan as u32,
            priority: o.governing,
            status: o.status,
            reclassified: !o.effective.is_empty(),
            elapsed_s: match o.status {
                Status::Met | Status::Breached => o.measure.map(|m| m.elapsed_s),
                _ => None,
            },
        })
        .collect();
    let flows: Vec<Flow> = dataset
        .tickets
        .iter()
        .zip(&months)
        .zip(&outcomes)
        .flat_map(|((t, &month), o)| {
            o.effective.iter().map(move |&(from, to)| Flow {
                month,
                plan: t.plan as u32,
                from,
                to,
            })
        })
        .collect();
    let summary = aggregate::summarize(&facts)?;
    let flows = aggregate::count_flows(&flows)?;
    Ok(Evaluation {
        dataset,
        as_of,
        mode: cfg.mode,
        months,
        outcomes,
        summary,
        flows,
    })
}

/// What a finished run reports back to the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunSummary {
    pub tickets: usize,
    pub rejected: usize,
    pub skipped: u64,
    pub warnings: u64,
    pub out: PathBuf,
}

/// `sla-report run`: evaluates and writes every output.
pub fn run(cfg: &RunConfig) -> Result<RunSummary, RunError> {
    let ev = evaluate(cfg)?;
    write_reports(cfg, &ev)?;
    let ds = &ev.dataset;
    Ok(RunSummary {
        tickets: ds.tickets.len(),
        rejected: ds.rejects.len(),
        skipped: ds.files.iter().map(|f| f.skipped).sum(),
        warnings: ds.files.iter().map(|f| f.warnings).sum(),
        out: cfg.out.clone(),
    })
}

/// The charts and report.html, on top of the contract's outputs.
fn write_charts_and_page(
    cfg: &RunConfig,
    ev: &Evaluation,
    out: &mut OutputDir,
) -> Result<(), RunError> {
    use report::charts::{self, ChartData};
    use report::html::{self, Chart, ReportData};
    let policy = &cfg.policy;
    let ds = &ev.dataset;
    let data = ChartData::new(policy, &ds.tickets, &ev.outcomes, &ev.summary, &ev.flows);
    let drawn = |name: &str, png: Result<Vec<u8>, charts::ChartError>| {
        png.map_err(|e| OutputError {
            path: out.path(name),
            error: std::io::Error::other(e.to_string()),
        })
    };
    let attainment = drawn("attainment.png", charts::attainment_png(&data))?;
    let response_times = drawn("response_times.png", charts::response_times_png(&data))?;
    let reclassifications = drawn(
        "reclassifications.png",
        charts::reclassifications_png(&data),
    )?;
    let pngs = [
        ("attainment.png", &attainment),
        ("response_times.png", &response_times),
        ("reclassifications.png", &reclassifications),
    ];
    for (name, png) in pngs {
        out.write(name, |w| w.write_all(png))?;
    }
    let page = ReportData {
        policy,
        as_of: ev.as_of,
        mode: ev.mode,
        input_tz: &cfg.input_tz_name,
        dataset: ds,
        outcomes: &ev.outcomes,
        summary: &ev.summary,
        flows: &ev.flows,
        rejects_path: out.path("rejects.csv").display().to_string(),
        charts: vec![
            Chart {
                file: "attainment.png",
                title: "Attainment per month",
                caption: "one panel per plan with targets, one line per priority; \
                          the black line is 100%; a break in a line is a month \
                          without counted tickets.",
                png: &attainment,
            },
            Chart {
                file: "response_times.png",
                title: "Response times against the target",
                caption: "for answered tickets, the share answered within x times \
                          the target; the dashed line at 1.0 is the deadline, so \
                          the height of a curve there is the share answered in time.",
                png: &response_times,
            },
            Chart {
                file: "reclassifications.png",
                title: "Reclassifications",
                caption: "which priority changes agents made, per plan (row: from, \
                          column: to), and the share of each month's tickets that \
                          were reclassified.",
                png: &reclassifications,
            },
        ],
    };
    out.write("report.html", |w| html::write_report(w, &page))?;
    Ok(())
}

/// Writes the contract's outputs into `cfg.out`.
pub fn write_reports(cfg: &RunConfig, ev: &Evaluation) -> Result<(), RunError> {
    let policy = &cfg.policy;
    let ds = &ev.dataset;
    let mut out = OutputDir::create(&cfg.out)?;
    let months: Vec<String> = ev
        .months
        .iter()
        .map(|&m| aggregate::month_text(m))
        .collect();
    out.write("tickets.csv", |w| {
        report::csv::write_tickets(w, policy, &ds.tickets, &months, &ev.outcomes)
    })?;
    out.write("summary.csv", |w| {
        report::csv::write_summary(w, policy, &ev.summary)
    })?;
    out.write("reclassifications.csv", |w| {
        report::csv::write_reclassifications(w, policy, &ev.flows)
    })?;
    out.write("rejects.csv", |w| report::csv::write_rejects(w, ds))?;
    let facts = RunFacts {
        as_of: ev.as_of,
        mode: ev.mode,
        input_tz: &cfg.input_tz_name,
        policy,
        dataset: ds,
        tickets_evaluated: ev.outcomes.len(),
    };
    out.write("run.json", |w| report::json::write_run_json(w, &facts))?;
    if cfg.charts {
        write_charts_and_page(cfg, ev, &mut out)?;
    }
    out.commit()?;
    Ok(())
}
