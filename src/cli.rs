//! Command-line definitions (clap) and their resolution into a validated
//! configuration. Nothing here reads input data.

use std::path::PathBuf;

use chrono_tz::Tz;
use clap::{Parser, Subcommand, ValueEnum};

use crate::ingest;
use crate::model::local_time;
use crate::period::{self, Period};
use crate::pipeline::RunConfig;
use crate::policy::{Mode, Policy};
use crate::profile::{self, Profile};
use crate::report::lang::Lang;
use crate::timestamp::{self, InputZone};

#[derive(Debug, Parser)]
#[command(
    name = "sla-report",
    version,
    about = "Audit support first-response SLAs from helpdesk ticket exports",
    long_about = "Audit support first-response SLAs from helpdesk ticket exports.\n\n\
        Replays every ticket's priority changes on the contract's clock (business hours \
        in the policy's time zone, holidays, 24/7 targets) and writes monthly attainment \
        per plan and priority, per-ticket evidence, reclassification counts and a list \
        of every input row that could not be used."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compute the SLA report from ticket and priority-change exports.
    Run(RunArgs),
    /// Explain one ticket's verdict: its replay as a readable timeline.
    Explain(ExplainArgs),
    /// Print the built-in SLA policy as TOML (a starting point for --policy).
    Policy,
    /// Print a built-in input format as an import profile (TOML), a
    /// starting point for --profile.
    Profile(ProfileArgs),
    /// Generate realistic example exports (tickets and priority changes).
    Sample(SampleArgs),
    /// Show how a run with these input flags would read each file, without
    /// a report: the columns that feed each field, the values and what
    /// they map to, the timestamp forms, the rows it would reject, a few
    /// rows as it reads them, and (without --format or --profile) the
    /// built-in format that fits best. Exits 1 when a run would stop.
    Inspect(InspectArgs),
}

/// `inspect FILE...`.
#[derive(Debug, Clone, clap::Args)]
pub struct InspectArgs {
    /// The files to look at: ticket exports and histories, told apart by
    /// their header (or JSON content).
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<String>,

    #[command(flatten)]
    pub read: ReadArgs,
}

/// `profile NAME`.
#[derive(Debug, Clone, clap::Args)]
pub struct ProfileArgs {
    /// The built-in format to print.
    #[arg(value_enum, value_name = "NAME")]
    pub name: FormatArg,
}

/// The built-in input formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// The contract's own columns (ticket_id, created_at, ...).
    Native,
    /// Zendesk Support: the ticket export CSV; history from Fivetran's
    /// ticket_field_history CSV or the Ticket Audits API (JSON).
    Zendesk,
    /// Freshdesk: the ticket export CSV; history from the
    /// ticket-activities export (JSON).
    Freshdesk,
}

impl FormatArg {
    pub fn as_str(self) -> &'static str {
        match self {
            FormatArg::Native => "native",
            FormatArg::Zendesk => "zendesk",
            FormatArg::Freshdesk => "freshdesk",
        }
    }

    /// The profile text of the built-in format.
    pub fn text(self) -> &'static str {
        profile::BUILT_IN
            .iter()
            .find(|(name, _)| *name == self.as_str())
            .map(|(_, text)| *text)
            .expect("every format is built in")
    }
}

/// How the governing priority and the clock start are chosen when agents
/// reclassified a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModeArg {
    /// The priority in effect at the response counts, timed from creation.
    Current,
    /// Each priority period uses up its share of that priority's target.
    Prorata,
    /// The clock restarts at the last reclassification.
    Restart,
    /// Only the priority the customer submitted counts.
    Initial,
}

impl From<ModeArg> for Mode {
    fn from(m: ModeArg) -> Mode {
        match m {
            ModeArg::Current => Mode::Current,
            ModeArg::Prorata => Mode::Prorata,
            ModeArg::Restart => Mode::Restart,
            ModeArg::Initial => Mode::Initial,
        }
    }
}

#[derive(Debug, Clone, clap::Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Folder for the report files (created if missing); files already there
    /// are replaced only when the whole report has been written.
    #[arg(long, value_name = "DIR", default_value = "reports")]
    pub out: PathBuf,

    /// Exit with status 3 when any input row was rejected (the report is
    /// still written).
    #[arg(long)]
    pub strict: bool,

    /// Also write tickets.parquet and summary.parquet (for BI tools).
    #[arg(long)]
    pub parquet: bool,

    /// Skip the charts (attainment.png, response_times.png,
    /// reclassifications.png) and report.html; write only the CSV files and
    /// run.json.
    #[arg(long = "no-charts")]
    pub no_charts: bool,

    /// Also write one report per organization (the tickets' `organization`
    /// column): customers/index.csv and customers/FOLDER/ with that
    /// customer's report.html, tickets.csv and summary.csv.
    #[arg(long = "per-customer")]
    pub per_customer: bool,
    /// The language of report.html and the charts (the CSV files, Parquet
    /// and run.json are the same in every language).
    #[arg(long, value_enum, value_name = "LANG", default_value = "en")]
    pub lang: Lang,

    /// Print, per stage (read, replay, aggregate, write), the wall time, the
    /// CPU time of all threads and the peak memory so far, to stderr at the
    /// end.
    #[arg(long)]
    pub timings: bool,

    /// No progress bar (it is shown on stderr only when stderr is a
    /// terminal, never in the report files).
    #[arg(long, short)]
    pub quiet: bool,
}

/// `explain TICKET_ID`: the same inputs as `run`.
#[derive(Debug, Clone, clap::Args)]
pub struct ExplainArgs {
    /// The `ticket_id` to explain.
    #[arg(value_name = "TICKET_ID")]
    pub ticket_id: String,

    /// Explain the verdict under all four reclassification modes.
    #[arg(long = "all-modes")]
    pub all_modes: bool,

    #[command(flatten)]
    pub input: InputArgs,
}

/// What to read and how to measure it: shared by `run` and `explain`.
#[derive(Debug, Clone, clap::Args)]
pub struct InputArgs {
    /// Ticket export (CSV) to audit; repeat the flag to read several files as
    /// one data set. Default: sample-data/tickets.csv (and, when no --changes
    /// is given either, sample-data/priority_changes.csv).
    #[arg(long = "tickets", value_name = "PATH")]
    pub tickets: Vec<String>,

    /// Priority-change history (CSV); repeatable. When --tickets is given and
    /// --changes is not, no changes are read.
    #[arg(long = "changes", value_name = "PATH")]
    pub changes: Vec<String>,

    /// How reclassified tickets are measured; overrides the policy file's
    /// `reclassification`. Default: the policy's (built-in: current).
    #[arg(long, value_enum, value_name = "MODE")]
    pub reclassification: Option<ModeArg>,

    /// Report as known at this instant (e.g. 2026-03-31T17:00:00Z): later
    /// responses and changes have not happened yet, later tickets are left
    /// out. Without an offset it is read in --input-tz. Default: the latest
    /// timestamp in the accepted rows.
    #[arg(long = "as-of", value_name = "TIMESTAMP")]
    pub as_of: Option<String>,

    /// Only tickets created in this month (YYYY-MM, local date in the
    /// policy zone); repeatable; cannot be combined with --from/--until.
    /// Others are counted in run.json as outside the period, not rejected.
    #[arg(long = "month", value_name = "YYYY-MM", conflicts_with_all = ["from", "until"])]
    pub month: Vec<String>,

    /// Only tickets created on or after this local date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,

    /// Only tickets created on or before this local date (YYYY-MM-DD,
    /// inclusive: the whole day counts).
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,

    #[command(flatten)]
    pub read: ReadArgs,
}

/// How the input files are read: shared by `run`, `explain` and `inspect`.
#[derive(Debug, Clone, clap::Args)]
pub struct ReadArgs {
    /// SLA policy file (TOML) replacing the built-in one; see
    /// `sla-report policy` for the format. Default: the built-in policy.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,

    /// How the --tickets and --changes files are shaped: the contract's
    /// own columns, or a helpdesk's export as it gives it. Default: native.
    #[arg(long, value_enum, value_name = "FORMAT", conflicts_with = "profile")]
    pub format: Option<FormatArg>,

    /// An import profile (TOML) instead of a built-in format: which
    /// columns feed each field, the timestamp forms, the value maps; see
    /// `sla-report profile zendesk` for one to start from.
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,

    /// CSV `organization,plan`: the plan of each customer, for exports
    /// whose tickets name the organization but not the plan.
    #[arg(long, value_name = "FILE")]
    pub customers: Option<String>,

    /// Text encoding of the CSV files: utf-8, windows-1252 (what Excel on
    /// Windows saves in Sweden and most of Western Europe) or iso-8859-1.
    /// JSON files are always UTF-8. Default: utf-8.
    #[arg(long, value_name = "NAME")]
    pub encoding: Option<String>,

    /// Time zone of timestamps written without an offset (IANA name, e.g.
    /// Europe/Bratislava). Default: the profile's `timezone`, else UTC.
    #[arg(long = "input-tz", value_name = "ZONE")]
    pub input_tz: Option<String>,

    /// Field separator of all input files: "," or ";". Default: detected per
    /// file (";" when the header line has ";" and no ",", as Excel writes in
    /// much of Europe).
    #[arg(long, value_name = "CHAR", value_parser = [",", ";"], hide_possible_values = true)]
    pub delimiter: Option<String>,

    /// The longest record an input file may hold (header, row, or quoted
    /// text over several lines), without its line end: bytes, or a number
    /// with KiB, MiB or GiB (e.g. 256MiB). A longer record stops the run
    /// with its file and line. Default: 64MiB.
    #[arg(long = "max-record-size", value_name = "SIZE")]
    pub max_record_size: Option<String>,
}

impl ReadArgs {
    /// `--format NAME` or `--profile FILE` as given; `None` for neither.
    pub fn shape_flag(&self) -> Option<String> {
        match (&self.profile, self.format) {
            (Some(path), _) => Some(format!("--profile {}", path.display())),
            (None, Some(format)) => Some(format!("--format {}", format.as_str())),
            (None, None) => None,
        }
    }
}

#[derive(Debug, Clone, clap::Args)]
pub struct SampleArgs {
    /// How many tickets to generate.
    #[arg(long, value_name = "N", default_value_t = 3000)]
    pub tickets: usize,
    /// Random seed: the same seed gives the same files.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,
    /// First local date of the generated period (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", default_value = "2026-01-01")]
    pub start: String,
    /// Number of calendar months the tickets span.
    #[arg(long, value_name = "K", default_value_t = 4)]
    pub months: u32,
    /// The shape of the files: native (tickets.csv, priority_changes.csv),
    /// or the same tickets as a helpdesk exports them: zendesk (tickets.csv,
    /// customers.csv, field_history.csv) or freshdesk (tickets.csv,
    /// customers.csv, activities.json), with times in Europe/Stockholm.
    #[arg(long, value_enum, value_name = "FORMAT", default_value = "native")]
    pub format: FormatArg,
    /// Folder to write the files into (created if missing).
    #[arg(long, value_name = "DIR", default_value = "sample-data")]
    pub out: PathBuf,
    /// Replace the files when they exist (without it, existing files are
    /// refused: the default --out is the committed sample data that `run`
    /// reads).
    #[arg(long)]
    pub force: bool,
}

/// A command-line error: a usage error (exit 2) or a fatal one (exit 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CliError {
    Usage(String),
    Fatal(String),
}

/// Resolves `run` flags into a validated configuration: flags are checked
/// before any file is read, then the policy is loaded.
pub fn resolve_run(args: &RunArgs) -> Result<RunConfig, CliError> {
    let mut cfg = resolve_input(&args.input)?;
    cfg.out = args.out.clone();
    cfg.parquet = args.parquet;
    cfg.charts = !args.no_charts;
    cfg.per_customer = args.per_customer;
    cfg.lang = args.lang;
    Ok(cfg)
}

/// The period flags, or `None` when none is given.
pub fn resolve_period(args: &InputArgs) -> Result<Option<Period>, CliError> {
    if !args.month.is_empty() {
        let mut months = args
            .month
            .iter()
            .map(|m| {
                period::parse_month(m).ok_or_else(|| {
                    CliError::Usage(format!("--month '{m}': not a month (use YYYY-MM)"))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        months.sort_unstable();
        months.dedup();
        return Ok(Some(Period::Months(months)));
    }
    let date = |flag: &str, v: &Option<String>| {
        v.as_deref()
            .map(|text| {
                timestamp::parse_day(text).ok_or_else(|| {
                    CliError::Usage(format!("--{flag} '{text}': not a date (use YYYY-MM-DD)"))
                })
            })
            .transpose()
    };
    let (from, until) = (date("from", &args.from)?, date("until", &args.until)?);
    if let (Some(f), Some(u)) = (from, until) {
        if f > u {
            return Err(CliError::Usage(format!(
                "--from {f} is after --until {u}: the period is empty"
            )));
        }
    }
    Ok((from.is_some() || until.is_some()).then_some(Period::Dates { from, until }))
}

/// `--max-record-size`: bytes, or a whole number of KiB, MiB or GiB; at
/// least one byte.
fn parse_size(text: &str) -> Option<usize> {
    let (digits, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        None => (text, 1),
        Some(i) => (
            &text[..i],
            match &text[i..] {
                "KiB" => 1 << 10,
                "MiB" => 1 << 20,
                "GiB" => 1 << 30,
                _ => return None,
            },
        ),
    };
    if digits.is_empty() {
        return None;
    }
    digits
        .parse::<usize>()
        .ok()?
        .checked_mul(unit)
        .filter(|&n| n > 0)
}

/// The import profile of `--format` or `--profile` (native by default),
/// read against the policy.
fn resolve_profile(args: &ReadArgs, policy: &Policy) -> Result<Profile, CliError> {
    match (&args.profile, args.format) {
        (Some(path), _) => {
            let text = std::fs::read(path).map_err(|e| {
                CliError::Fatal(format!("{}: cannot read profile: {e}", path.display()))
            })?;
            let text = String::from_utf8(text).map_err(|_| {
                CliError::Fatal(format!("{}: profile file is not UTF-8", path.display()))
            })?;
            Profile::from_toml(&text, policy)
                .map_err(|e| CliError::Fatal(format!("{}: invalid profile: {e}", path.display())))
        }
        (None, format) => {
            let format = format.unwrap_or(FormatArg::Native);
            Profile::from_toml(format.text(), policy).map_err(|e| {
                CliError::Fatal(format!(
                    "--format {0}: the built-in profile does not fit the policy: {e}; \
                     start a profile of your own from `sla-report profile {0}`",
                    format.as_str()
                ))
            })
        }
    }
}

/// The input-reading flags, resolved: how every input file is read.
#[derive(Debug, Clone)]
pub struct ReadConfig {
    pub policy: Policy,
    pub profile: Profile,
    pub customers: Option<ingest::Customers>,
    /// The zone of offsetless timestamps: `--input-tz`, else the profile's
    /// `timezone`, else UTC.
    pub input_tz: Tz,
    /// As given (for run.json).
    pub input_tz_name: String,
    /// Whether the zone was chosen (`--input-tz` or the profile's).
    pub input_tz_chosen: bool,
    pub encoding: ingest::Encoding,
    pub delimiter: Option<u8>,
    pub max_record: usize,
}

impl ReadConfig {
    /// How `inspect` reads: every row counts (no `as_of`, no period).
    pub fn read_options(&self) -> ingest::ReadOptions<'_> {
        ingest::ReadOptions {
            policy: &self.policy,
            profile: &self.profile,
            customers: self.customers.as_ref(),
            encoding: self.encoding,
            zone: InputZone::new(self.input_tz),
            as_of: None,
            delimiter: self.delimiter,
            period: None,
            on_bytes: None,
            max_record: self.max_record,
        }
    }
}

/// Resolves the flags that say how the input files are read: the usage
/// errors first, then the policy, the profile and the customers file.
pub fn resolve_read(args: &ReadArgs) -> Result<ReadConfig, CliError> {
    let input_tz = match &args.input_tz {
        None => None,
        Some(name) => Some(
            local_time::zone_named(name)
                .map_err(|e| CliError::Usage(format!("--input-tz: {e}")))?,
        ),
    };
    let delimiter = args.delimiter.as_deref().map(|d| d.as_bytes()[0]);
    let max_record = match &args.max_record_size {
        None => ingest::DEFAULT_MAX_RECORD,
        Some(text) => parse_size(text).ok_or_else(|| {
            CliError::Usage(format!(
                "--max-record-size '{text}': not a size (use bytes, or e.g. 64MiB, 1GiB)"
            ))
        })?,
    };
    let policy = match &args.policy {
        None => Policy::embedded(),
        Some(path) => {
            let text = std::fs::read(path).map_err(|e| {
                CliError::Fatal(format!("{}: cannot read policy: {e}", path.display()))
            })?;
            let text = String::from_utf8(text).map_err(|_| {
                CliError::Fatal(format!("{}: policy file is not UTF-8", path.display()))
            })?;
            Policy::from_toml(&text)
                .map_err(|e| CliError::Fatal(format!("{}: invalid policy: {e}", path.display())))?
        }
    };
    let profile = resolve_profile(args, &policy)?;
    let input_tz_chosen = input_tz.is_some() || profile.timezone.is_some();
    let (input_tz, input_tz_name) = match (input_tz, profile.timezone) {
        (Some(tz), _) => (tz, args.input_tz.clone().unwrap_or_default()),
        (None, Some(tz)) => (tz, tz.name().to_string()),
        (None, None) => (Tz::UTC, "UTC".to_string()),
    };
    let encoding = match &args.encoding {
        None => ingest::Encoding::Utf8,
        Some(name) => ingest::Encoding::parse(name).ok_or_else(|| {
            CliError::Usage(format!(
                "--encoding '{name}': not an encoding (use utf-8, windows-1252 or iso-8859-1)"
            ))
        })?,
    };
    let customers = match &args.customers {
        None => None,
        Some(path) => Some(
            ingest::Customers::load(path, &policy, encoding)
                .map_err(|e| CliError::Fatal(e.to_string()))?,
        ),
    };
    Ok(ReadConfig {
        policy,
        profile,
        customers,
        input_tz,
        input_tz_name,
        input_tz_chosen,
        encoding,
        delimiter,
        max_record,
    })
}

/// Resolves the input flags shared by `run` and `explain` (the output
/// settings take their defaults).
pub fn resolve_input(args: &InputArgs) -> Result<RunConfig, CliError> {
    let period = resolve_period(args)?;
    let ReadConfig {
        mut policy,
        profile,
        customers,
        input_tz,
        input_tz_name,
        input_tz_chosen,
        encoding,
        delimiter,
        max_record,
    } = resolve_read(&args.read)?;
    let as_of = match &args.as_of {
        None => None,
        Some(text) => Some(
            timestamp::parse(text, InputZone::new(input_tz)).map_err(|e| {
                CliError::Usage(format!(
                    "--as-of '{text}': {}",
                    match e {
                        timestamp::TsError::Bad =>
                            "not a timestamp (use e.g. 2026-03-31T17:00:00Z or 2026-03-31 17:00)",
                        timestamp::TsError::Nonexistent =>
                            "this wall time does not exist in --input-tz (daylight-saving gap)",
                        timestamp::TsError::OutOfSpan =>
                            "outside 1900-01-01T00:00:00Z .. 2099-12-31T23:59:59Z, the span \
                             in which the time-zone data is exact",
                    }
                ))
            })?,
        ),
    };
    let mode = args
        .reclassification
        .map(Mode::from)
        .unwrap_or(policy.reclassification);
    // run.json records the policy as applied, with the flag's override
    policy.reclassification = mode;
    let (tickets, changes) = if args.tickets.is_empty() {
        let changes = if args.changes.is_empty() {
            vec!["sample-data/priority_changes.csv".to_string()]
        } else {
            args.changes.clone()
        };
        (vec!["sample-data/tickets.csv".to_string()], changes)
    } else {
        (args.tickets.clone(), args.changes.clone())
    };
    Ok(RunConfig {
        tickets,
        changes,
        policy,
        mode,
        as_of,
        input_tz,
        input_tz_name,
        input_tz_chosen,
        profile,
        customers,
        encoding,
        out: PathBuf::from("reports"),
        delimiter,
        max_record,
        period,
        parquet: false,
        charts: true,
        per_customer: false,
        lang: Lang::En,
    })
}
