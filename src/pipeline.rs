//! The `run` pipeline: ingest -> replay (parallel) -> aggregate -> write.
//! Reads only the files it is given and writes only into the output folder.

use std::fmt;
use std::path::PathBuf;

use chrono_tz::Tz;
use rayon::prelude::*;

use crate::aggregate;
use crate::analysis;
use crate::digest;
use crate::evaluation::{BatchSide, Evaluation, Replayer};
use crate::ingest::{self, Customers, Dataset, Encoding, IngestError, ReadOptions};
use crate::model::month::Months;
use crate::model::Change;
use crate::model::{Outcome, Status};
use crate::period::Period;
use crate::policy::{Mode, Policy};
use crate::profile::Profile;
use crate::replay::Clocks;
use crate::report::{self, OutputError, Report};
use crate::timestamp::{self, InputZone};

/// A validated `run`: every flag resolved, nothing read yet.
#[derive(Debug, Clone)]
pub struct RunConfig {
    pub tickets: Vec<String>,
    pub changes: Vec<String>,
    pub policy: Policy,
    /// How the inputs are shaped: `--format` or `--profile`.
    pub profile: Profile,
    /// `--customers`.
    pub customers: Option<Customers>,
    /// `--encoding` of the CSV inputs.
    pub encoding: Encoding,
    pub mode: Mode,
    pub as_of: Option<i64>,
    pub input_tz: Tz,
    pub input_tz_name: String,
    /// Whether the zone was chosen (`--input-tz` or the profile's), not
    /// UTC by default.
    pub input_tz_chosen: bool,
    pub out: PathBuf,
    pub delimiter: Option<u8>,
    /// `--max-record-size`, in bytes.
    pub max_record: usize,
    /// `--month` / `--from` / `--until`.
    pub period: Option<Period>,
    /// `--parquet`.
    pub parquet: bool,
    /// Also draw the charts (PNG) and report.html (off with `--no-charts`).
    pub charts: bool,
    /// `--per-customer`: also one report folder per organization.
    pub per_customer: bool,
    /// `--lang`: the language of report.html and the charts.
    pub lang: crate::report::lang::Lang,
}

impl RunConfig {
    /// How `run` and `explain` read the inputs.
    pub fn read_options(&self) -> ReadOptions<'_> {
        ReadOptions {
            policy: &self.policy,
            profile: &self.profile,
            customers: self.customers.as_ref(),
            encoding: self.encoding,
            zone: InputZone::new(self.input_tz),
            as_of: self.as_of,
            delimiter: self.delimiter,
            period: self.period.as_ref(),
            on_bytes: None,
            max_record: self.max_record,
        }
    }
}

/// A fatal error of a run.
#[derive(Debug)]
pub enum RunError {
    Ingest(IngestError),
    Output(OutputError),
    Aggregate(polars::error::PolarsError),
    /// `--per-customer` cannot tell the customers apart.
    PerCustomer(String),
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::Ingest(e) => e.fmt(f),
            RunError::Output(e) => {
                write!(f, "{e} (the previous report, if any, is left as it was)")
            }
            RunError::Aggregate(e) => write!(f, "aggregation failed: {e}"),
            RunError::PerCustomer(message) => f.write_str(message),
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

/// Where a run tells how far it got (a progress bar at the edge).
pub trait Progress: Sync {
    /// A stage begins; `total` is its amount of work when known (bytes for
    /// reading).
    fn stage(&self, _name: &'static str, _total: Option<u64>) {}
    /// `n` more units of the current stage are done.
    fn advance(&self, _n: u64) {}
    /// The run is over.
    fn finish(&self) {}
}

/// Wall time per stage, for `--timings`, with the CPU time all threads
/// spent in it and the process's peak resident memory so far after it
/// (where the system tells them), and the progress observer.
#[derive(Default)]
pub struct Timings {
    pub stages: Vec<StageTime>,
    pub progress: Option<Box<dyn Progress>>,
}

/// One stage's measurements.
pub struct StageTime {
    pub stage: &'static str,
    pub wall: std::time::Duration,
    pub cpu: Option<std::time::Duration>,
    pub peak_kib: Option<u64>,
}

impl Timings {
    fn stage(&self, name: &'static str, total: Option<u64>) {
        if let Some(p) = &self.progress {
            p.stage(name, total);
        }
    }
}

/// Peak resident memory of this process in KiB (Linux `VmHWM`).
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// CPU time of all this process's threads so far (Linux: the sum of
/// `/proc/self/task/*/schedstat`, in nanoseconds).
fn cpu_time() -> Option<std::time::Duration> {
    let mut ns = 0u64;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let stat = std::fs::read_to_string(task.ok()?.path().join("schedstat")).ok()?;
        ns += stat.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(std::time::Duration::from_nanos(ns))
}

/// A stage's start: wall clock and CPU time.
pub struct StageStart {
    wall: std::time::Instant,
    cpu: Option<std::time::Duration>,
}

impl StageStart {
    pub fn now() -> StageStart {
        StageStart {
            wall: std::time::Instant::now(),
            cpu: cpu_time(),
        }
    }
}

impl Timings {
    /// Runs `f` and records its wall time under `stage`.
    pub fn time<T>(&mut self, stage: &'static str, f: impl FnOnce() -> T) -> T {
        let start = StageStart::now();
        let out = f();
        self.record(stage, start);
        out
    }

    /// Records a stage that started at `start`.
    pub fn record(&mut self, stage: &'static str, start: StageStart) {
        let wall = start.wall.elapsed();
        let cpu = cpu_time()
            .zip(start.cpu)
            .map(|(end, begin)| end.saturating_sub(begin));
        self.stages.push(StageTime {
            stage,
            wall,
            cpu,
            peak_kib: peak_rss_kib(),
        });
    }

    /// One line per stage, then the total.
    pub fn render(&self) -> String {
        let total: std::time::Duration = self.stages.iter().map(|s| s.wall).sum();
        let mut out = String::new();
        for s in &self.stages {
            let (stage, d) = (s.stage, s.wall);
            out.push_str(&format!("  {stage:<10} {:>8.3} s", d.as_secs_f64()));
            if let Some(cpu) = s.cpu {
                let cores = cpu.as_secs_f64() / d.as_secs_f64().max(1e-9);
                out.push_str(&format!(
                    "   cpu {:>8.3} s ({cores:.1} cores)",
                    cpu.as_secs_f64()
                ));
            }
            if let Some(kib) = s.peak_kib {
                out.push_str(&format!("   peak memory so far {:>6} MiB", kib / 1024));
            }
            out.push('\n');
        }
        out.push_str(&format!(
            "  {:<10} {:>8.3} s\n",
            "total",
            total.as_secs_f64()
        ));
        out
    }
}

fn year_of(t: i64) -> i32 {
    timestamp::civil_from_days(t.div_euclid(86_400))
        .0
        .clamp(1, 9999) as i32
}

/// The span of years precomputed for a data set's clocks and months: from
/// the year before the first creation to the year after `as_of`.
pub fn years_for(ds: &Dataset, as_of: Option<i64>) -> (i32, i32) {
    let Some(as_of) = as_of else {
        return (2000, 2001);
    };
    let first = ds
        .tickets
        .par_iter()
        .map(|t| t.created)
        .min()
        .unwrap_or(as_of);
    ((year_of(first) - 1).max(1), (year_of(as_of) + 1).min(9999))
}

/// Groups the changes at or before `as_of` by ticket: the sorted changes
/// and, per ticket, the range of its changes. Moves them out of `ds` (no
/// second copy of millions of changes; nothing after reads them there).
pub fn changes_by_ticket(ds: &mut Dataset, as_of: i64) -> (Vec<Change>, Vec<u32>) {
    let mut changes = std::mem::take(&mut ds.changes);
    changes.retain(|c| c.changed_at <= as_of);
    // stable: ties keep input order (file order, then line)
    changes.par_sort_by_key(|c| (c.ticket, c.changed_at));
    let mut offsets = vec![0u32; ds.tickets.len() + 1];
    for c in &changes {
        offsets[c.ticket as usize + 1] += 1;
    }
    for i in 1..offsets.len() {
        offsets[i] += offsets[i - 1];
    }
    (changes, offsets)
}

/// Tickets per parallel work item; fixed, so results never depend on the
/// number of threads.
const BATCH: usize = 1 << 14;

/// Reads the inputs and replays every ticket under `mode`.
pub fn evaluate(cfg: &RunConfig, timings: &mut Timings) -> Result<Evaluation, RunError> {
    let opts = cfg.read_options();
    let total: u64 = cfg
        .tickets
        .iter()
        .chain(&cfg.changes)
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    timings.stage("reading", Some(total));
    let progress = timings.progress.as_deref();
    let on_bytes = |n: u64| {
        if let Some(p) = progress {
            p.advance(n);
        }
    };
    let opts = ReadOptions {
        on_bytes: Some(&on_bytes),
        ..opts
    };
    let start = StageStart::now();
    let dataset = ingest::load(&cfg.tickets, &cfg.changes, &opts);
    timings.record("read", start);
    let mut dataset = dataset?;
    timings.stage("replaying", None);
    let as_of = cfg.as_of.or_else(|| ingest::default_as_of(&dataset));
    let replay_start = StageStart::now();
    let years = years_for(&dataset, as_of);
    let clocks = Clocks::new(&cfg.policy, years);
    let mut months = Vec::new();
    let mut outcomes = Vec::new();
    let mut flows = Vec::new();
    let mut warnings = std::mem::take(&mut dataset.export_warnings);
    let mut grouped = (Vec::new(), Vec::new());
    if let Some(as_of) = as_of {
        let month_index = Months::new(cfg.policy.timezone, years.0, years.1);
        grouped = changes_by_ticket(&mut dataset, as_of);
        let (changes, offsets) = (&grouped.0, &grouped.1);
        let replayer = Replayer {
            policy: &cfg.policy,
            clocks: &clocks,
            mode: cfg.mode,
            as_of,
        };
        let n = dataset.tickets.len();
        months = vec![0; n];
        // filled on all threads: the first touch of its pages is the cost
        let blank = Outcome {
            governing: 0,
            reclassifications: 0,
            status: Status::NoTarget,
            measure: None,
        };
        (0..n)
            .into_par_iter()
            .map(|_| blank)
            .collect_into_vec(&mut outcomes);
        let sides: Vec<BatchSide> = dataset
            .tickets
            .par_chunks(BATCH)
            .zip(months.par_chunks_mut(BATCH))
            .zip(outcomes.par_chunks_mut(BATCH))
            .enumerate()
            .map(|(b, ((tickets, months), outcomes))| {
                let mut side = BatchSide::default();
                for (k, t) in tickets.iter().enumerate() {
                    let i = b * BATCH + k;
                    let mine = &changes[offsets[i] as usize..offsets[i + 1] as usize];
                    let month = month_index.of(t.created);
                    months[k] = month;
                    outcomes[k] = replayer.replay(i as u32, t, mine, month, &mut side);
                }
                side
            })
            .collect();
        for side in sides {
            flows.extend_from_slice(&side.flows);
            for w in &side.warnings {
                dataset.files[w.file as usize].warnings += 1;
            }
            warnings.extend_from_slice(&side.warnings);
        }
    }
    timings.record("replay", replay_start);
    timings.stage("aggregating", None);
    let aggregate_start = StageStart::now();
    let facts = aggregate::FactColumns::of_tickets(&dataset.tickets, &months, &outcomes);
    let summary = aggregate::summarize_columns(facts)?;
    let flows = aggregate::count_flows(&flows)?;
    timings.record("aggregate", aggregate_start);
    Ok(Evaluation {
        dataset,
        as_of,
        clocks,
        mode: cfg.mode,
        months,
        outcomes,
        summary,
        flows,
        changes: grouped.0,
        change_offsets: grouped.1,
        warnings: {
            // by file and line, as warnings.csv lists them
            warnings.sort_unstable();
            warnings
        },
    })
}

/// What a finished run reports back to the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunSummary {
    pub tickets: usize,
    pub rejected: usize,
    pub skipped: u64,
    /// Rows outside the selected period.
    pub outside: u64,
    pub warnings: u64,
    /// Tickets whose history ends on another priority than the export's.
    pub export_mismatches: u64,
    /// Records of other fields in long histories.
    pub ignored: u64,
    /// Timestamps read without an offset.
    pub offsetless: u64,
    /// The end-of-run lines (`digest::summary`).
    pub counts: String,
    /// The digest of the rejects and the loud warnings (`digest::rejects`).
    pub rejects: String,
    pub out: PathBuf,
}

/// The customers of `--per-customer`, or why there are none: the tickets
/// have no organization column, or two organizations would share a folder.
fn customers_of(
    cfg: &RunConfig,
    ev: &Evaluation,
) -> Result<Vec<report::customers::Customer>, RunError> {
    let without: Vec<&str> = ev
        .dataset
        .files
        .iter()
        .filter(|f| f.kind == ingest::Kind::Tickets && !f.has_organization)
        .map(|f| f.path.as_str())
        .collect();
    if ev.dataset.organizations.present && !without.is_empty() {
        // their tickets would belong to no customer without saying so
        return Err(RunError::PerCustomer(format!(
            "{}: --per-customer writes one report per organization, and this tickets file has \
             no organization column while another one has; give every tickets file the column, \
             or run without --per-customer",
            without.join(", ")
        )));
    }
    if !ev.dataset.organizations.present {
        let files = cfg.tickets.join(", ");
        let field = cfg.profile.tickets.organization.as_ref();
        let why = match (field, cfg.profile.built_in_name()) {
            (Some(f), _) if cfg.profile.is_native() => {
                format!("has no column '{}'", f.columns.join("' or '"))
            }
            (Some(f), Some(format)) => format!(
                "has no column '{}' (tickets.organization of --format {format})",
                f.columns.join("' or '")
            ),
            (Some(f), None) => format!(
                "has no column '{}' (tickets.organization of the import profile \"{}\")",
                f.columns.join("' or '"),
                cfg.profile.name
            ),
            (None, _) => format!(
                "cannot say: the import profile \"{}\" has no tickets.organization",
                cfg.profile.name
            ),
        };
        return Err(RunError::PerCustomer(format!(
            "{files}: --per-customer writes one report per organization, and the tickets file {why}; \
             add the organization of each ticket, or run without --per-customer"
        )));
    }
    report::customers::customers(ev).map_err(RunError::PerCustomer)
}

/// `sla-report run`: evaluates and writes every output.
pub fn run(cfg: &RunConfig, timings: &mut Timings) -> Result<RunSummary, RunError> {
    let inputs: Vec<&String> = cfg
        .tickets
        .iter()
        .chain(&cfg.changes)
        .chain(cfg.customers.as_ref().map(|c| &c.path))
        .collect();
    report::refuse_overwriting_inputs(&cfg.out, &report::REPORT_FILES, &inputs)?;
    let ev = evaluate(cfg, timings)?;
    let customers = if cfg.per_customer {
        Some(customers_of(cfg, &ev)?)
    } else {
        None
    };
    timings.stage("comparing modes and writing", None);
    // the analysis (the four-mode comparison) runs while tickets.csv is
    // written: the time of both is the write stage's
    let out = Report {
        policy: &cfg.policy,
        profile: &cfg.profile,
        customers: cfg.customers.as_ref(),
        encoding: cfg.encoding,
        evaluation: &ev,
        input_tz: &cfg.input_tz_name,
        period: cfg.period.as_ref(),
        parquet: cfg.parquet,
        charts: cfg.charts,
        per_customer: customers.as_deref(),
        customer: None,
        lang: cfg.lang,
    };
    timings.time("write", || {
        report::write_all(&cfg.out, &inputs, &out, || {
            analysis::analyze(&cfg.policy, &ev).map_err(RunError::from)
        })
    })?;
    if let Some(p) = &timings.progress {
        p.finish();
    }
    let ds = &ev.dataset;
    Ok(RunSummary {
        tickets: ds.tickets.len(),
        rejected: ds.rejects.len(),
        skipped: ds.files.iter().map(|f| f.counts.skipped).sum(),
        outside: ds.files.iter().map(|f| f.counts.outside).sum(),
        warnings: ds.files.iter().map(|f| f.warnings).sum(),
        export_mismatches: ds.files.iter().map(|f| f.export_mismatches).sum(),
        ignored: ds.files.iter().map(|f| f.counts.ignored).sum(),
        offsetless: ds.files.iter().map(|f| f.offsetless).sum(),
        counts: digest::summary(ds, &cfg.out.display().to_string()),
        rejects: digest::rejects(ds, &cfg.profile),
        out: cfg.out.clone(),
    })
}
