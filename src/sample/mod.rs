//! Deterministic generator of realistic helpdesk exports (`sla-report sample`).
//!
//! [`generate`] writes a `tickets.csv` and a `priority_changes.csv` in the
//! input format of CONTRACT.md section 3, for `tickets` tickets created over
//! `months` calendar months starting at local midnight of `start` in
//! `Europe/Bratislava`.
//!
//! What the data looks like:
//! - `created_at` follows business-hour peaks in Bratislava local time
//!   (Mon-Fri 08:00-18:00 mostly, Monday busiest, few tickets at night, on
//!   weekends and on the default holidays); DST change days fall out of the
//!   per-hour table naturally. Tickets are in creation order, ids
//!   `T-0000001`... zero-padded to the number of digits of `tickets`.
//! - `plan`: Basic / Professional / Advanced at about 30/45/25, with some
//!   lowercase spellings and the alias `Profesional`.
//! - `priority`: submitted 1 (~18%, often over-submitted), 2 (~27%), 3;
//!   mostly written `1`..`3`, some `P2`-style, some names, ~10% empty.
//! - `product_stage`: mostly empty or `production`, ~3% `beta`/`preview`.
//! - `first_response_at`: delays are log-normal-ish amounts of *agent working
//!   time* (staffing is full Mon-Fri 08:00-18:00 local, thin otherwise), with a
//!   median at about a third of the SLA target, plus a few forgotten tickets;
//!   Advanced P1 (1h, 24/7) is answered by on-call in wall time. About a
//!   quarter of responses fall on a whole minute. Empty when the response would
//!   fall after the period end (tickets near the end) and for ~0.2% of
//!   tickets never answered. Roughly 85-90% of covered tickets meet the SLA.
//! - priority changes: ~18% of tickets, ~0.2 change rows per ticket. Mostly
//!   P1 downgraded to P3/P2 by an agent (at triage, at the response or a bit
//!   later), some upgrades (P3->P1/P2, P2->P1, often by the customer, which
//!   speeds the response up), some P2->P3, occasionally a second change, a
//!   non-effective change (`to` = priority in effect), an empty
//!   `from_priority`, and rarely (~0.3% of rows) a `from_priority` that does
//!   not match the replayed priority. Every `changed_at` is at or after the
//!   ticket's `created_at` and before the period end.
//!
//! Row order of `priority_changes.csv`: sorted by `changed_at` (as a helpdesk
//! audit-log export would be), ties in ticket order, then in the order of the
//! changes on the ticket. It is produced streaming with a small min-heap.
//!
//! Determinism: everything comes from one xoshiro256** stream seeded with
//! SplitMix64 from `seed`, and uses only integer arithmetic and basic IEEE
//! float operations (no libm transcendental functions), so the same
//! configuration gives byte-identical output on every platform.
//!
//! Speed: rows are formatted by hand into a byte buffer that is handed to the
//! writers in 64 KiB chunks, so unbuffered writers are fine.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use chrono::{Datelike, Months, NaiveDate, NaiveDateTime, Timelike, Weekday};
use chrono_tz::Europe::Bratislava;

use crate::calendar::HolidayRule;

mod freshdesk;
mod native;
mod random;
mod shape;
mod text;
mod zendesk;

use crate::model::local_time;
use crate::timestamp;
use random::*;
use shape::{Fit, Queue, Shape};
use text::*;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleConfig {
    pub tickets: usize,
    pub seed: u64,
    /// First local date (Europe/Bratislava) of the period.
    pub start: NaiveDate,
    /// Length of the period in calendar months (at least 1).
    pub months: u32,
}

/// Rows written (headers not counted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SampleStats {
    pub tickets: usize,
    /// Priority changes after creation.
    pub changes: usize,
    /// Records of the history file: the changes, and in a helpdesk's shape
    /// also the priority at creation and other fields' records.
    pub history: usize,
}

/// The shape `sample` writes the generated tickets in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The contract's columns: `tickets.csv`, `priority_changes.csv`.
    Native,
    /// Zendesk's ticket export, `customers.csv` and Fivetran's
    /// `field_history.csv`.
    Zendesk,
    /// Freshdesk's ticket export, `customers.csv` and `activities.json`.
    Freshdesk,
}

/// A helpdesk whose sample can have a native twin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Helpdesk {
    Zendesk,
    Freshdesk,
}

impl Format {
    /// The files written, tickets first, history last.
    pub fn files(self) -> &'static [&'static str] {
        match self {
            Format::Native => &NATIVE_FILES,
            Format::Zendesk => &["tickets.csv", "customers.csv", "field_history.csv"],
            Format::Freshdesk => &["tickets.csv", "customers.csv", "activities.json"],
        }
    }

    /// The zone of the offsetless times in the files, if any.
    pub fn zone(self) -> Option<&'static str> {
        (self != Format::Native).then_some(shape::ZONE_NAME)
    }

    fn helpdesk(self) -> Option<Helpdesk> {
        match self {
            Format::Native => None,
            Format::Zendesk => Some(Helpdesk::Zendesk),
            Format::Freshdesk => Some(Helpdesk::Freshdesk),
        }
    }

    fn fit(self) -> Fit {
        match self {
            Format::Native => Fit::Exact,
            Format::Zendesk => Fit::Wall { minutes: true },
            Format::Freshdesk => Fit::Wall { minutes: false },
        }
    }
}

impl Helpdesk {
    /// The submitted priority as the helpdesk's history tells it (`None`:
    /// submitted without, the policy default).
    fn submitted(self, t: &shape::Ticket) -> Option<u8> {
        match self {
            Helpdesk::Zendesk => zendesk::submitted(t),
            Helpdesk::Freshdesk => freshdesk::submitted(t),
        }
    }
}

/// The two files of the native format.
const NATIVE_FILES: [&str; 2] = ["tickets.csv", "priority_changes.csv"];

/// The period being generated, as the shapes need it.
struct Period {
    start: i64,
    end: i64,
    id_width: usize,
}

/// Writes tickets.csv and priority_changes.csv content (the native format)
/// to the two writers.
pub fn generate<W: io::Write>(
    cfg: &SampleConfig,
    tickets_out: W,
    changes_out: W,
) -> io::Result<SampleStats> {
    drive(cfg, Fit::Exact, |p| {
        Ok(native::Native::new(
            [tickets_out, changes_out],
            TsFmt::new(p.start, p.end),
            p.id_width,
            cfg.seed,
            None,
        ))
    })
}

/// Generates the tickets of `cfg` with instants fitted by `fit`, written by
/// the shape that `make` builds for the period.
fn drive<S: Shape>(
    cfg: &SampleConfig,
    fit: Fit,
    make: impl FnOnce(&Period) -> io::Result<S>,
) -> io::Result<SampleStats> {
    let (start_utc, end_utc) = cfg
        .validate()
        .map_err(|msg| io::Error::new(io::ErrorKind::InvalidInput, msg))?;
    let slots = Slots::build(start_utc, end_utc);
    let mut rng = Rng::new(cfg.seed);

    // Pass 1: how many tickets are created in each creation slot (an exact
    // multinomial draw over the per-hour weights), so that pass 2 can emit
    // them in time order without holding them all in memory.
    let mut per_slot = vec![0u32; slots.weights.len()];
    let alias = Alias::new(&slots.weights);
    for _ in 0..cfg.tickets {
        per_slot[alias.sample(&mut rng)] += 1;
    }

    let period = Period {
        start: start_utc,
        end: end_utc,
        id_width: digits(cfg.tickets as u64),
    };
    let mut gen = TicketGen {
        rng,
        slots: &slots,
        end: end_utc,
        fit,
        shape: make(&period)?,
        queue: Queue::new(),
        changes: 0,
    };
    let mut offsets: Vec<u32> = Vec::new();
    let mut index: u64 = 0;
    for (slot, &count) in per_slot.iter().enumerate() {
        if count == 0 {
            continue;
        }
        let slot_start = slots.start(slot);
        let len = (slots.start(slot + 1).min(end_utc) - slot_start) as u64;
        offsets.clear();
        for _ in 0..count {
            offsets.push(gen.rng.below(len) as u32);
        }
        offsets.sort_unstable();
        for &off in &offsets {
            index += 1;
            let created = slot_start + i64::from(off);
            gen.flush_until(created)?;
            gen.ticket(index, created)?;
        }
    }
    gen.flush_until(i64::MAX)?;
    let stats = SampleStats {
        tickets: cfg.tickets,
        changes: gen.changes,
        history: gen.shape.records(),
    };
    gen.shape.finish()?;
    Ok(stats)
}

/// The organizations listed in a helpdesk sample's `customers.csv`.
pub const ORGANIZATIONS: usize = shape::ORGANIZATIONS.len();

/// Why [`write_folder`] wrote nothing.
#[derive(Debug)]
pub enum SampleError {
    /// The configuration cannot be generated (a usage error).
    Config(String),
    /// An output file is already there and replacing it was not asked for.
    Exists(PathBuf),
    /// A file or the folder could not be written.
    Io { path: PathBuf, error: io::Error },
}

impl std::fmt::Display for SampleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SampleError::Config(msg) => f.write_str(msg),
            SampleError::Exists(path) => write!(
                f,
                "{}: already exists; give --force to replace it",
                path.display()
            ),
            SampleError::Io { path, error } => {
                write!(f, "{}: cannot write: {error}", path.display())
            }
        }
    }
}

impl std::error::Error for SampleError {}

/// Writes the files of `format` ([`Format::files`]) into `dir` (created if
/// missing), all or nothing: the configuration is checked first, existing
/// files are refused unless `force`, and every file is generated into a
/// temporary file beside it (created exclusively, never over anything)
/// that is renamed into place only when all are complete (a rename that
/// fails midway, in one folder, leaves the earlier ones replaced and says
/// which file failed). Returns the rows written and the paths.
pub fn write_folder(
    cfg: &SampleConfig,
    format: Format,
    dir: &Path,
    force: bool,
) -> Result<(SampleStats, Vec<PathBuf>), SampleError> {
    write_files(cfg, format, false, dir, force)
}

/// Writes the native twin of a helpdesk sample into `dir`, like
/// [`write_folder`]: the tickets and changes of `sample --format FORMAT`
/// (its instants, ids, plans and people) in the native format, without the
/// records that only the helpdesk's files have. Both give the same report.
/// For [`Format::Native`] it is the native sample itself.
pub fn write_native_twin(
    cfg: &SampleConfig,
    format: Format,
    dir: &Path,
    force: bool,
) -> Result<(SampleStats, Vec<PathBuf>), SampleError> {
    write_files(cfg, format, true, dir, force)
}

type FileOut = io::BufWriter<fs::File>;

fn write_files(
    cfg: &SampleConfig,
    format: Format,
    twin: bool,
    dir: &Path,
    force: bool,
) -> Result<(SampleStats, Vec<PathBuf>), SampleError> {
    cfg.validate().map_err(SampleError::Config)?;
    let names = if twin { &NATIVE_FILES } else { format.files() };
    let finals: Vec<PathBuf> = names.iter().map(|name| dir.join(name)).collect();
    if !force {
        if let Some(path) = finals.iter().find(|p| fs::symlink_metadata(p).is_ok()) {
            return Err(SampleError::Exists(path.clone()));
        }
    }
    let io_error = |path: &Path| {
        let path = path.to_path_buf();
        move |error| SampleError::Io { path, error }
    };
    fs::create_dir_all(dir).map_err(io_error(dir))?;
    let mut temps = Temporaries(Vec::new());
    let mut outs: Vec<FileOut> = Vec::new();
    for name in names {
        let (path, file) = create_temporary(dir, name).map_err(io_error(&dir.join(name)))?;
        temps.0.push(path);
        outs.push(io::BufWriter::with_capacity(1 << 20, file));
    }
    let fit = format.fit();
    let seed = cfg.seed;
    let stats = match (format.helpdesk(), twin) {
        (helpdesk, true) | (helpdesk @ None, false) => {
            let outs: [FileOut; 2] = outs.try_into().expect("two native files");
            drive(cfg, fit, |p| {
                let ts = TsFmt::new(p.start, p.end);
                Ok(native::Native::new(outs, ts, p.id_width, seed, helpdesk))
            })
        }
        (Some(Helpdesk::Zendesk), false) => {
            let outs: [FileOut; 3] = outs.try_into().expect("three zendesk files");
            drive(cfg, fit, |p| zendesk::Zendesk::new(outs, seed, p.end))
        }
        (Some(Helpdesk::Freshdesk), false) => {
            let outs: [FileOut; 3] = outs.try_into().expect("three freshdesk files");
            drive(cfg, fit, |p| freshdesk::Freshdesk::new(outs, seed, p.end))
        }
    }
    .map_err(io_error(dir))?;
    for (tmp, fin) in temps.0.iter().zip(&finals) {
        fs::rename(tmp, fin).map_err(io_error(fin))?;
    }
    temps.0.clear();
    Ok((stats, finals))
}

/// Temporary files, removed on drop unless renamed into place.
struct Temporaries(Vec<PathBuf>);

impl Drop for Temporaries {
    fn drop(&mut self) {
        for path in &self.0 {
            let _ = fs::remove_file(path);
        }
    }
}

/// A new file `.NAME.PID-N.tmp` in `dir`: created exclusively, so it never
/// truncates anything (a leftover of a killed run is stepped over).
fn create_temporary(dir: &Path, name: &str) -> io::Result<(PathBuf, fs::File)> {
    let pid = std::process::id();
    let mut n = 0u32;
    loop {
        let path = dir.join(format!(".{name}.{pid}-{n}.tmp"));
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(file) => return Ok((path, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && n < 100 => n += 1,
            Err(e) => return Err(e),
        }
    }
}

impl SampleConfig {
    /// The period as UTC Unix seconds `[start, end)`, or why this
    /// configuration cannot be generated (a usage error, found before any
    /// file is touched). Every generated instant lies in the period, so the
    /// period must lie in the span the tool reads (CONTRACT.md section 7):
    /// local midnight of 1900-01-01 in Bratislava is already
    /// 1899-12-31T23:00:00Z, outside it.
    pub fn validate(&self) -> Result<(i64, i64), String> {
        if u32::try_from(self.tickets).is_err() {
            return Err(format!("--tickets {}: at most {}", self.tickets, u32::MAX));
        }
        if self.months == 0 {
            return Err("--months 0: the period must have at least one month".to_string());
        }
        let outside = || {
            format!(
                "--start {} --months {}: the period must lie within {} .. {}",
                self.start,
                self.months,
                timestamp::format_utc(crate::model::instant::FIRST_INSTANT),
                timestamp::format_utc(crate::model::instant::LAST_INSTANT)
            )
        };
        // far-off years are refused before any time-zone lookup
        let end = self
            .start
            .checked_add_months(Months::new(self.months))
            .filter(|end| self.start.year() >= 1899 && end.year() <= 2100)
            .ok_or_else(outside)?;
        let (start_utc, end_utc) = (local_midnight_utc(self.start), local_midnight_utc(end));
        if !crate::model::instant::in_span(start_utc)
            || !crate::model::instant::in_span(end_utc - 1)
        {
            let instants = format!(
                " (local midnights in Europe/Bratislava: {} .. {})",
                timestamp::format_utc(start_utc),
                timestamp::format_utc(end_utc)
            );
            return Err(outside() + &instants);
        }
        Ok((start_utc, end_utc))
    }
}

/// First instant of a local date in Europe/Bratislava, as Unix seconds.
fn local_midnight_utc(date: NaiveDate) -> i64 {
    local_time::resolve(Bratislava, date.and_time(chrono::NaiveTime::MIN))
}

/// Whether `date` is one of the built-in policy's holidays (`rules`).
fn is_holiday(rules: &[HolidayRule], date: NaiveDate) -> bool {
    rules.iter().any(|r| r.date(date.year()) == date)
}

/// Relative ticket-creation rate per local hour.
const CREATE_WEEKDAY: [u64; 24] = [
    3, 2, 2, 2, 2, 3, 6, 14, 40, 55, 60, 58, 48, 52, 54, 50, 44, 34, 22, 15, 11, 9, 7, 5,
];
const CREATE_WEEKEND: [u64; 24] = [
    2, 2, 1, 1, 1, 1, 2, 3, 5, 7, 8, 8, 8, 8, 8, 7, 7, 6, 6, 5, 5, 4, 3, 3,
];
/// Agent capacity (percent of full staffing) per local hour.
const STAFF_WEEKDAY: [u64; 24] = [
    4, 4, 4, 4, 4, 4, 4, 30, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 50, 15, 15, 15, 4, 4,
];
const STAFF_WEEKEND: [u64; 24] = [
    3, 3, 3, 3, 3, 3, 3, 3, 3, 15, 15, 15, 15, 15, 15, 15, 15, 5, 5, 5, 5, 5, 5, 5,
];
/// Responses are simulated this long past the period end (later = open).
const STAFF_SLACK_S: i64 = 60 * 86_400;

/// Hour slots from the period start, with creation weights (over the period)
/// and agent working capacity (over the period plus a slack).
struct Slots {
    start: i64,
    /// Creation weight per slot of the period.
    weights: Vec<u64>,
    /// Agent capacity (percent) per slot.
    cap: Vec<u64>,
    /// Prefix sums of work units (capacity * seconds), `cap.len() + 1` entries.
    work_cum: Vec<u64>,
}

impl Slots {
    fn build(start: i64, end: i64) -> Slots {
        let n_created = ((end - start + 3599) / 3600) as usize;
        let n_staff = ((end + STAFF_SLACK_S - start + 3599) / 3600) as usize;
        let mut weights = Vec::with_capacity(n_created);
        let mut cap = Vec::with_capacity(n_staff);
        let mut work_cum = Vec::with_capacity(n_staff + 1);
        work_cum.push(0);
        let holidays = crate::policy::Policy::embedded().holiday_rules;
        let mut holiday_cache: Option<(NaiveDate, bool)> = None;
        for slot in 0..n_staff {
            let t = start + slot as i64 * 3600;
            let local =
                local_time::to_local(Bratislava, t).map_or(NaiveDateTime::MIN, |l| l.naive_local());
            let date = local.date();
            let holiday = match holiday_cache {
                Some((d, h)) if d == date => h,
                _ => {
                    let h = is_holiday(&holidays, date);
                    holiday_cache = Some((date, h));
                    h
                }
            };
            let hour = local.hour() as usize;
            let weekday = date.weekday();
            let off = holiday || matches!(weekday, Weekday::Sat | Weekday::Sun);
            let len = (3600).min(if slot < n_created { end - t } else { 3600 }) as u64;
            if slot < n_created {
                let w = if off {
                    let day = if weekday == Weekday::Sun { 8 } else { 10 };
                    CREATE_WEEKEND[hour] * day
                } else {
                    let day = match weekday {
                        Weekday::Mon => 12,
                        Weekday::Fri => 9,
                        _ => 10,
                    };
                    CREATE_WEEKDAY[hour] * day
                };
                weights.push(w * len);
            }
            let c = if off {
                STAFF_WEEKEND[hour]
            } else {
                STAFF_WEEKDAY[hour]
            };
            cap.push(c);
            work_cum.push(work_cum[slot] + c * len);
        }
        Slots {
            start,
            weights,
            cap,
            work_cum,
        }
    }

    fn start(&self, slot: usize) -> i64 {
        self.start + slot as i64 * 3600
    }

    /// Full-capacity agent working seconds in `[from, to)`.
    fn work_between(&self, from: i64, to: i64) -> u64 {
        (self.work_at(to) - self.work_at(from)) / 100
    }

    /// Work units (capacity * seconds) done from the period start to `t`.
    fn work_at(&self, t: i64) -> u64 {
        let slot = ((t - self.start).max(0) / 3600) as usize;
        match self.cap.get(slot) {
            Some(&cap) => self.work_cum[slot] + cap * (t - self.start(slot)) as u64,
            None => self.work_cum[self.cap.len()],
        }
    }

    /// The instant when `work_s` seconds of full-capacity agent work have
    /// been done since `from`; `None` past the simulated horizon.
    fn add_work(&self, from: i64, work_s: u64) -> Option<i64> {
        let slot = ((from - self.start) / 3600) as usize;
        if slot >= self.cap.len() {
            return None;
        }
        let within = (from - self.start(slot)) as u64;
        let target = self.work_cum[slot] + self.cap[slot] * within + work_s * 100;
        // Gallop forward from `slot` (most responses come within hours),
        // then binary-search the bracket: first index with cum > target.
        let cum = &self.work_cum;
        let mut lo = slot + 1;
        let mut step = 1;
        let mut hi = lo;
        while hi < cum.len() && cum[hi] <= target {
            lo = hi + 1;
            hi += step;
            step *= 2;
        }
        let hi = hi.min(cum.len());
        let next = lo + cum[lo.min(hi)..hi].partition_point(|&c| c <= target);
        if next > self.cap.len() {
            return None;
        }
        let s = next - 1;
        let rest = target - self.work_cum[s];
        Some(self.start(s) + rest.div_ceil(self.cap[s]) as i64)
    }
}

/// Priority spellings; see [`priority_text`].
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum PrioText {
    Empty,
    Num(u8),
    PNum(u8),
    LowerP(u8),
    Name(u8),
    LowerName(u8),
}

fn priority_text(p: PrioText) -> &'static [u8] {
    const NUM: [&str; 3] = ["1", "2", "3"];
    const PNUM: [&str; 3] = ["P1", "P2", "P3"];
    const LOWER_P: [&str; 3] = ["p1", "p2", "p3"];
    const NAME: [&str; 3] = ["Business Critical", "Degraded Service", "General Issue"];
    const LOWER_NAME: [&str; 3] = ["business critical", "degraded service", "general issue"];
    let s = match p {
        PrioText::Empty => "",
        PrioText::Num(n) => NUM[n as usize - 1],
        PrioText::PNum(n) => PNUM[n as usize - 1],
        PrioText::LowerP(n) => LOWER_P[n as usize - 1],
        PrioText::Name(n) => NAME[n as usize - 1],
        PrioText::LowerName(n) => LOWER_NAME[n as usize - 1],
    };
    s.as_bytes()
}

const PLAN_TEXT: [&str; 7] = [
    "Basic",
    "Professional",
    "Advanced",
    "basic",
    "professional",
    "advanced",
    "Profesional",
];
const STAGE_TEXT: [&str; 5] = ["", "production", "beta", "preview", "Beta"];
const CHANGED_BY: [&str; 8] = [
    "agent",
    "customer",
    "j.novak",
    "m.kovacova",
    "p.horvath",
    "z.tothova",
    "l.varga",
    "e.balazova",
];
const AGENT: u8 = 0;
const CUSTOMER: u8 = 1;

struct TicketGen<'a, S: Shape> {
    rng: Rng,
    slots: &'a Slots,
    end: i64,
    fit: Fit,
    shape: S,
    queue: Queue<S::Event>,
    /// Priority changes handed to the shape.
    changes: usize,
}

/// Business-clock SLA targets in seconds (index plan, priority-1); 0 = none.
const TARGET_S: [[u64; 3]; 3] = [[0, 0, 0], [10_800, 21_600, 32_400], [3_600, 10_800, 21_600]];
/// Median response (agent working seconds) for the Basic plan.
const BASIC_MEDIAN_S: [u64; 3] = [7_200, 14_400, 21_600];

impl<S: Shape> TicketGen<'_, S> {
    /// Instant of a first response to a ticket of `plan` at `priority`, asked
    /// for at `from`, or `None` beyond the simulated horizon.
    fn response_after(&mut self, from: i64, plan: usize, priority: u8) -> Option<i64> {
        let p = priority as usize - 1;
        let forgotten = self.rng.chance(25);
        let factor = if forgotten { 3 + self.rng.below(6) } else { 1 };
        if plan == 2 && priority == 1 {
            // Advanced P1: 24/7 on-call, wall time.
            let d = self.rng.lognormal(1_080.0, 0.75) * factor;
            return Some(from + 30 + d as i64);
        }
        let (median, sigma) = if plan == 0 {
            (BASIC_MEDIAN_S[p] as f64, 1.1)
        } else {
            (TARGET_S[plan][p] as f64 * 0.35, 1.1)
        };
        let work = 60 + self.rng.lognormal(median, sigma) * factor;
        self.slots.add_work(from, work)
    }

    fn pick_prio_text(&mut self, p: u8) -> PrioText {
        match self.rng.below(100) {
            0..=87 => PrioText::Num(p),
            88..=93 => PrioText::PNum(p),
            94..=97 => PrioText::Name(p),
            98 => PrioText::LowerName(p),
            _ => PrioText::LowerP(p),
        }
    }

    fn change_text(&mut self, p: u8) -> PrioText {
        match self.rng.below(100) {
            0..=95 => PrioText::Num(p),
            96..=98 => PrioText::PNum(p),
            _ => PrioText::Name(p),
        }
    }

    fn name(&mut self) -> u8 {
        2 + self.rng.below(CHANGED_BY.len() as u64 - 2) as u8
    }

    /// Draws one ticket and its changes and writes their rows.
    ///
    /// Longer than most functions on purpose: the order of the random
    /// draws here is the generated data (the same seed must give the same
    /// bytes), and one straight sequence keeps that order visible.
    fn ticket(&mut self, index: u64, created: i64) -> io::Result<()> {
        let rng = &mut self.rng;
        let plan = match rng.below(100) {
            0..=29 => 0,
            30..=74 => 1,
            _ => 2,
        };
        let plan_text = match rng.below(1000) {
            0..=19 => plan + 3,
            20..=39 if plan == 1 => 6,
            _ => plan,
        };
        let submitted: u8 = match rng.below(100) {
            0..=17 => 1,
            18..=44 => 2,
            _ => 3,
        };
        let submitted_text = if submitted == 3 && rng.chance(180) {
            PrioText::Empty
        } else {
            self.pick_prio_text(submitted)
        };
        let rng = &mut self.rng;
        let stage = match rng.below(1000) {
            0..=549 => 0,
            550..=969 => 1,
            970..=987 => 2,
            988..=996 => 3,
            _ => 4,
        };

        // The response as planned from the submitted priority.
        let abandoned = rng.chance(2);
        let planned = if abandoned {
            None
        } else {
            self.response_after(created, plan, submitted)
        };

        // Priority changes as (changed_at, to, changed_by); from_priority is
        // written from the replay when the rows are queued.
        let mut ch: [(i64, u8, u8); 3] = [(0, 0, 0); 3];
        let mut n = 0;
        let rng = &mut self.rng;
        let roll = rng.below(1000);
        let first: Option<(u8, u8, bool)> = match submitted {
            // (to, by, upgrade)
            1 if roll < 560 => {
                let to = if rng.chance(600) { 3 } else { 2 };
                Some((to, AGENT, false))
            }
            2 if roll < 80 => Some((3, AGENT, false)),
            2 if roll < 140 => Some((1, CUSTOMER, true)),
            3 if roll < 70 => {
                let to = if rng.chance(350) { 1 } else { 2 };
                Some((to, CUSTOMER, true))
            }
            _ => None,
        };
        if let Some((to, by, upgrade)) = first {
            let by = match self.rng.below(100) {
                0..=9 => self.name(),
                10..=54 if upgrade => AGENT,
                10..=11 => CUSTOMER,
                _ => by,
            };
            let rng = &mut self.rng;
            let at = match planned {
                Some(r) => {
                    let span = (r - created).max(1) as u64;
                    let kind = rng.below(100);
                    if upgrade || kind < 65 {
                        // Triage: early in the wait, skewed towards creation.
                        let u = rng.unit();
                        created + (span as f64 * u * u) as i64
                    } else if kind < 85 {
                        // While answering.
                        r + rng.below(180) as i64
                    } else {
                        r + rng.below(6 * 3600) as i64
                    }
                }
                None => created + rng.below(3 * 86_400) as i64,
            };
            ch[n] = (at, to, by);
            n += 1;
            if rng.chance(80) {
                // A second change: pushed back, or escalated further.
                let to2 = match (submitted, to) {
                    (1, 3) => 2,
                    (1, 2) => 3,
                    (_, 1) => 2,
                    (_, 2) => 1,
                    _ => 2,
                };
                let at2 = at + 600 + rng.below(86_400) as i64;
                let by2 = if to2 < to { CUSTOMER } else { AGENT };
                ch[n] = (at2, to2, by2);
                n += 1;
            }
        }
        let rng = &mut self.rng;
        if rng.chance(8) {
            // Not effective: an agent re-confirms the priority in effect.
            let horizon = planned.unwrap_or(created + 86_400) + 3600 - created;
            let at = created + rng.below(horizon.max(1) as u64) as i64;
            let by = if rng.chance(800) { AGENT } else { self.name() };
            ch[n] = (at, 0, by); // 0: resolved to the priority in effect below
            n += 1;
        }
        let changes = &mut ch[..n];
        changes.sort_by_key(|c| c.0);

        // Replay: resolve non-effective changes, and let upgrades before the
        // planned response speed it up.
        let mut response = planned;
        let mut current = submitted;
        for c in changes.iter_mut() {
            if c.1 == 0 {
                c.1 = current;
            }
            if c.1 < current {
                if let Some(r) = response {
                    if c.0 < r {
                        let faster = self.response_after(c.0, plan, c.1);
                        if let Some(f) = faster {
                            response = Some(r.min(f));
                        }
                    }
                }
            }
            current = c.1;
        }
        let rng = &mut self.rng;
        let response = response.map(|r| {
            if rng.chance(250) && r % 60 != 0 {
                r - r.rem_euclid(60) + 60
            } else {
                r
            }
        });
        // What the shape can tell: the response fitted before the period
        // end decides whether the ticket is still open.
        let fitted = self.fit.created(created);
        let response = response
            .map(|r| self.fit.response(created, fitted, r))
            .filter(|&r| r < self.end);
        let work_s = response.map(|r| self.slots.work_between(created, r.max(created)));

        // The change rows (from_priority as the replay has it, now and
        // then empty or wrong).
        // (The draws depend on the generated instants only, so that every
        // shape draws the same; a change that fitting moves past the end
        // is dropped.)
        let mut rows = [None; 3];
        let mut current = submitted;
        for (row, &(at, to, by)) in rows.iter_mut().zip(changes.iter()) {
            if at >= self.end {
                break;
            }
            let rng = &mut self.rng;
            let from_text = match rng.below(1000) {
                0..=2 => self.change_text((current % 3) + 1), // mismatch
                3..=12 => PrioText::Empty,
                _ => self.change_text(current),
            };
            let to_text = self.change_text(to);
            let at = self.fit.change(fitted, at);
            *row = (at < self.end).then_some(shape::Change {
                at,
                to,
                from_text,
                to_text,
                by,
            });
            current = to;
        }
        let rows: Vec<shape::Change> = rows.into_iter().map_while(|r| r).collect();
        self.changes += rows.len();
        let ticket = shape::Ticket {
            index,
            created: fitted,
            response,
            work_s,
            plan,
            plan_text,
            submitted,
            submitted_text,
            stage,
            changes: &rows,
        };
        self.shape.ticket(&ticket, &mut self.queue)
    }

    /// Writes the queued history records dated at or before `t` (every
    /// later ticket is created at or after `t`, so nothing earlier can
    /// still come, but for a creation read back an hour earlier in the
    /// autumn fold).
    fn flush_until(&mut self, t: i64) -> io::Result<()> {
        while let Some((at, event)) = self.queue.pop_until(t) {
            self.shape.event(at, event)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};
    use std::collections::HashMap;

    fn cfg(tickets: usize, seed: u64) -> SampleConfig {
        SampleConfig {
            tickets,
            seed,
            start: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            months: 12,
        }
    }

    fn run(c: &SampleConfig) -> (String, String, SampleStats) {
        let mut t = Vec::new();
        let mut ch = Vec::new();
        let stats = generate(c, &mut t, &mut ch).unwrap();
        (
            String::from_utf8(t).unwrap(),
            String::from_utf8(ch).unwrap(),
            stats,
        )
    }

    /// Strict parse of `YYYY-MM-DDTHH:MM:SSZ`.
    fn parse_ts(s: &str) -> i64 {
        assert_eq!(s.len(), 20, "{s:?}");
        let b = s.as_bytes();
        for (i, &c) in b.iter().enumerate() {
            match i {
                4 | 7 => assert_eq!(c, b'-', "{s:?}"),
                10 => assert_eq!(c, b'T', "{s:?}"),
                13 | 16 => assert_eq!(c, b':', "{s:?}"),
                19 => assert_eq!(c, b'Z', "{s:?}"),
                _ => assert!(c.is_ascii_digit(), "{s:?}"),
            }
        }
        let dt = NaiveDateTime::parse_from_str(&s[..19], "%Y-%m-%dT%H:%M:%S")
            .unwrap_or_else(|e| panic!("{s:?}: {e}"));
        dt.and_utc().timestamp()
    }

    fn ticket_rows(text: &str) -> Vec<Vec<String>> {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(text.as_bytes());
        r.records()
            .map(|x| x.unwrap().iter().map(str::to_string).collect())
            .collect()
    }

    #[test]
    fn deterministic_and_seed_dependent() {
        let c = cfg(5_000, 42);
        let a = run(&c);
        let b = run(&c);
        assert_eq!(a.0, b.0);
        assert_eq!(a.1, b.1);
        assert_eq!(a.2, b.2);
        let other = run(&cfg(5_000, 43));
        assert_ne!(a.0, other.0);
    }

    #[test]
    fn headers_columns_and_line_ends() {
        let (t, ch, _) = run(&cfg(3_000, 7));
        assert!(t.starts_with(native::TICKETS_HEADER));
        assert!(ch.starts_with(native::CHANGES_HEADER));
        for (text, cols) in [(&t, 7), (&ch, 5)] {
            assert!(text.ends_with('\n'));
            assert!(!text.contains('\r'));
            let mut rows = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(text.as_bytes());
            for row in rows.records() {
                assert_eq!(row.unwrap().len(), cols);
            }
        }
        // only an organization with a comma in its name is quoted
        for line in t.lines().filter(|l| l.contains('"')) {
            assert!(line.ends_with(",\"Nordic Retail, AB\""), "{line:?}");
        }
    }

    #[test]
    fn row_counts_match_stats() {
        for n in [0, 1, 9, 10, 2_345] {
            let (t, ch, s) = run(&cfg(n, 3));
            assert_eq!(s.tickets, n);
            assert_eq!(t.lines().count(), n + 1);
            assert_eq!(ch.lines().count(), s.changes + 1);
        }
    }

    #[test]
    fn ids_are_padded_and_in_order() {
        let (t, _, _) = run(&cfg(1_000, 5));
        let rows = ticket_rows(&t);
        assert_eq!(rows[0][0], "T-0001");
        assert_eq!(rows[999][0], "T-1000");
        let (t, _, _) = run(&cfg(9, 5));
        assert_eq!(ticket_rows(&t)[8][0], "T-9");
    }

    #[test]
    fn timestamps_well_formed_and_in_period() {
        let c = SampleConfig {
            tickets: 20_000,
            seed: 11,
            start: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            months: 2,
        };
        // 2026-03-01 00:00 CET .. 2026-05-01 00:00 CEST.
        let start = parse_ts("2026-02-28T23:00:00Z");
        let end = parse_ts("2026-04-30T22:00:00Z");
        let (t, ch, _) = run(&c);
        let mut created_of = HashMap::new();
        let mut last_created = start;
        let mut open = 0;
        for row in ticket_rows(&t) {
            let created = parse_ts(&row[1]);
            assert!(created >= start && created < end, "{row:?}");
            assert!(created >= last_created, "tickets in creation order");
            last_created = created;
            if row[2].is_empty() {
                open += 1;
            } else {
                let r = parse_ts(&row[2]);
                assert!(r > created && r < end, "{row:?}");
            }
            created_of.insert(row[0].clone(), created);
        }
        assert!(open > 0 && open < 1_000, "open tickets: {open}");
        let mut last = start;
        for row in ticket_rows(&ch) {
            let at = parse_ts(&row[1]);
            assert!(at >= created_of[&row[0]] && at < end, "{row:?}");
            assert!(at >= last, "changes sorted by changed_at");
            last = at;
        }
    }

    #[test]
    fn formatter_matches_chrono() {
        let mut rng = Rng::new(1);
        for _ in 0..10_000 {
            let t = rng.below(253_402_300_800) as i64 - 62_135_596_800; // 0001..9999
            let mut b = Vec::new();
            push_ts(&mut b, t);
            let expected = DateTime::<Utc>::from_timestamp(t, 0)
                .unwrap()
                .format("%Y-%m-%dT%H:%M:%SZ")
                .to_string();
            assert_eq!(String::from_utf8(b).unwrap(), expected);
        }
    }

    #[test]
    fn changes_per_ticket_about_one_fifth() {
        let (t, ch, s) = run(&cfg(50_000, 9));
        let per_ticket = s.changes as f64 / s.tickets as f64;
        assert!((0.17..=0.23).contains(&per_ticket), "{per_ticket}");
        let ids: std::collections::HashSet<String> =
            ticket_rows(&ch).into_iter().map(|r| r[0].clone()).collect();
        let share = ids.len() as f64 / s.tickets as f64;
        assert!((0.15..=0.22).contains(&share), "{share}");
        let _ = t;
    }

    #[test]
    fn changes_refer_to_existing_tickets_after_creation() {
        let (t, ch, _) = run(&cfg(10_000, 21));
        let created: HashMap<String, i64> = ticket_rows(&t)
            .into_iter()
            .map(|r| (r[0].clone(), parse_ts(&r[1])))
            .collect();
        let mut mismatches = 0;
        let mut current: HashMap<String, String> = HashMap::new();
        let tickets = ticket_rows(&t);
        let norm = |s: &str| match s.to_lowercase().as_str() {
            "1" | "p1" | "business critical" => "1",
            "2" | "p2" | "degraded service" => "2",
            "3" | "p3" | "general issue" | "" => "3",
            other => panic!("bad priority {other:?}"),
        };
        for r in &tickets {
            current.insert(r[0].clone(), norm(&r[4]).to_string());
        }
        let rows = ticket_rows(&ch);
        for r in &rows {
            let c = created
                .get(&r[0])
                .unwrap_or_else(|| panic!("unknown ticket {r:?}"));
            assert!(parse_ts(&r[1]) >= *c, "{r:?}");
            assert!(matches!(
                r[4].as_str(),
                "agent"
                    | "customer"
                    | "j.novak"
                    | "m.kovacova"
                    | "p.horvath"
                    | "z.tothova"
                    | "l.varga"
                    | "e.balazova"
            ));
            let cur = current.get_mut(&r[0]).unwrap();
            if !r[2].is_empty() && norm(&r[2]) != cur {
                mismatches += 1;
            }
            *cur = norm(&r[3]).to_string();
        }
        assert!(
            mismatches * 200 < rows.len(),
            "{mismatches} of {}",
            rows.len()
        );
    }

    #[test]
    fn realistic_mix() {
        let (t, _, _) = run(&cfg(40_000, 2));
        let rows = ticket_rows(&t);
        let n = rows.len() as f64;
        let share =
            |f: &dyn Fn(&Vec<String>) -> bool| rows.iter().filter(|r| f(r)).count() as f64 / n;
        let basic = share(&|r| r[3].eq_ignore_ascii_case("basic"));
        let pro = share(&|r| r[3].to_lowercase().starts_with("profe"));
        assert!((0.27..0.33).contains(&basic) && (0.42..0.48).contains(&pro));
        let excluded = share(&|r| matches!(r[5].to_lowercase().as_str(), "beta" | "preview"));
        assert!((0.02..0.04).contains(&excluded), "{excluded}");
        let empty_prio = share(&|r| r[4].is_empty());
        assert!((0.05..0.15).contains(&empty_prio), "{empty_prio}");
        // Business-hour peak: most tickets on weekdays 08:00-18:00 local.
        let peak = share(&|r| {
            let local = local_time::to_local(Bratislava, parse_ts(&r[1]))
                .unwrap()
                .naive_local();
            local.weekday().num_days_from_monday() < 5 && (8..18).contains(&local.hour())
        });
        assert!((0.65..0.85).contains(&peak), "{peak}");
    }

    #[test]
    fn rejects_empty_period() {
        let mut c = cfg(10, 1);
        c.months = 0;
        assert!(generate(&c, Vec::new(), Vec::new()).is_err());
    }

    #[test]
    fn the_period_must_lie_in_the_span_the_tool_reads() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let mut c = cfg(10, 1);
        for (start, months, ok) in [
            (day(1900, 1, 1), 1, false), // 1899-12-31T23:00:00Z
            (day(1900, 1, 2), 1, true),
            (day(2099, 12, 1), 1, true), // ends 2099-12-31T23:00:00Z
            (day(2099, 12, 2), 1, false),
            (day(9999, 1, 1), 12, false),
            (day(1, 1, 1), 1, false),
        ] {
            (c.start, c.months) = (start, months);
            assert_eq!(c.validate().is_ok(), ok, "{start} {months}");
        }
    }

    #[test]
    fn exp_is_accurate() {
        for i in -100..=100 {
            let x = f64::from(i) / 10.0;
            let rel = (exp_det(x) - x.exp()).abs() / x.exp();
            assert!(rel < 1e-12, "{x}: {rel}");
        }
    }
}
