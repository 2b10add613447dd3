//! Business-hours clock: `elapsed(a, b)` and `add(s, T)` in whole seconds, on
//! instants given as Unix seconds (UTC). CONTRACT.md section 5 "Clocks"; the
//! holiday rules are section 4. (The 24x7 clock is just `b - a` and lives with
//! the caller.)
//!
//! # Model
//!
//! Each local date of the zone that is not a holiday opens the `[open, close)`
//! intervals listed for its weekday. A local edge is mapped to UTC by
//! [`local_time::resolve`]: an edge in a DST gap moves forward to the first valid
//! instant after the gap, an edge in a repeated (fall-back) hour takes the
//! earlier offset, and `24:00` is the next date's `00:00` under the same rules.
//! An interval whose resolved end is not after its start is empty.
//!
//! That mapping is monotone (a later wall time never maps to an earlier
//! instant), so the intervals of all dates, taken in date order, are sorted and
//! never overlap; intervals of consecutive dates may touch (`00:00-24:00`
//! every day) and are merged in the precomputed table.
//!
//! # Speed
//!
//! For the local years `first_year..=last_year` given to
//! [`BusinessCalendar::new`], the open intervals are precomputed as sorted,
//! merged UTC pairs with prefix sums of business seconds: `elapsed` is two
//! binary searches and `add` one more. Outside that span a query walks the
//! local dates near its ends one by one and skips the whole months and years
//! between by their business seconds, each summed once per clock on first
//! use: however far a deadline lies, a query walks a few months of dates.
//!
//! # Limits
//!
//! The clock is open only on local dates of years `1..=9999` (the contract's
//! range, CONTRACT.md section 7); before and after it is closed. Instants far
//! outside (anywhere in `i64`) are clamped, never a panic. When a budget cannot
//! be used up before the end of year 9999 — in particular when the week has no
//! open time at all — [`BusinessCalendar::add`] returns [`NEVER`].
//!
//! Time-zone data come from `chrono-tz`, whose tables list DST transitions up to
//! the year 2100; later years keep the last offset (no DST).

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate, NaiveTime, TimeDelta};
use chrono_tz::Tz;

use crate::model::local_time;

/// What [`BusinessCalendar::add`] returns when the budget cannot be used up
/// before the end of year 9999 (e.g. a week without open time).
pub const NEVER: i64 = i64::MAX;

/// Seconds in a nominal day; also the `24:00` edge.
const DAY_SECS: u32 = 86_400;

/// First and last local years in which the clock can be open.
const FIRST_OPEN_YEAR: i32 = 1;
const LAST_OPEN_YEAR: i32 = 9999;

/// Instants are clamped to this range before they are turned into local
/// dates: a few days around years 1..=9999, well inside chrono's range, so
/// that `i64::MIN` / `i64::MAX` never reach chrono (which would panic or fail).
const CLAMP_MIN_INSTANT: i64 = -62_135_596_800 - 3 * 86_400; // 0000-12-29T00:00Z
const CLAMP_MAX_INSTANT: i64 = 253_402_300_800 + 3 * 86_400; // 10000-01-04T00:00Z

/// Holiday-rule years are clamped to this range, inside chrono's
/// (about ±262 143), so that [`HolidayRule::date`] never panics.
const RULE_YEAR_MIN: i32 = -262_000;
const RULE_YEAR_MAX: i32 = 262_000;

fn first_open_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(FIRST_OPEN_YEAR, 1, 1).expect("valid constant date")
}

fn last_open_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(LAST_OPEN_YEAR, 12, 31).expect("valid constant date")
}

/// Holiday rules the policy may name (CONTRACT.md section 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HolidayRule {
    NewYearsDay,
    Epiphany,
    GoodFriday,
    EasterMonday,
    LabourDay,
    AscensionDay,
    WhitMonday,
    ChristmasEve,
    ChristmasDay,
    StStephensDay,
    NewYearsEve,
}

impl HolidayRule {
    pub const ALL: [HolidayRule; 11] = [
        HolidayRule::NewYearsDay,
        HolidayRule::Epiphany,
        HolidayRule::GoodFriday,
        HolidayRule::EasterMonday,
        HolidayRule::LabourDay,
        HolidayRule::AscensionDay,
        HolidayRule::WhitMonday,
        HolidayRule::ChristmasEve,
        HolidayRule::ChristmasDay,
        HolidayRule::StStephensDay,
        HolidayRule::NewYearsEve,
    ];

    /// The policy-file spelling, e.g. `good_friday`.
    pub fn name(self) -> &'static str {
        match self {
            HolidayRule::NewYearsDay => "new_years_day",
            HolidayRule::Epiphany => "epiphany",
            HolidayRule::GoodFriday => "good_friday",
            HolidayRule::EasterMonday => "easter_monday",
            HolidayRule::LabourDay => "labour_day",
            HolidayRule::AscensionDay => "ascension_day",
            HolidayRule::WhitMonday => "whit_monday",
            HolidayRule::ChristmasEve => "christmas_eve",
            HolidayRule::ChristmasDay => "christmas_day",
            HolidayRule::StStephensDay => "st_stephens_day",
            HolidayRule::NewYearsEve => "new_years_eve",
        }
    }

    /// Parses the policy-file spelling (exact, as written in the contract).
    pub fn from_name(name: &str) -> Option<HolidayRule> {
        HolidayRule::ALL.into_iter().find(|r| r.name() == name)
    }

    /// The rule's date in `year` (Western Easter for the movable ones).
    ///
    /// Every rule's date lies inside `year` itself (Easter + 50 is at latest
    /// 14 June). Years beyond chrono's range (about ±262 000) are clamped
    /// instead of panicking.
    pub fn date(self, year: i32) -> NaiveDate {
        let year = year.clamp(RULE_YEAR_MIN, RULE_YEAR_MAX);
        let fixed = |month, day| NaiveDate::from_ymd_opt(year, month, day).expect("fixed feast");
        let easter = |offset: i64| easter_sunday(year) + TimeDelta::days(offset);
        match self {
            HolidayRule::NewYearsDay => fixed(1, 1),
            HolidayRule::Epiphany => fixed(1, 6),
            HolidayRule::GoodFriday => easter(-2),
            HolidayRule::EasterMonday => easter(1),
            HolidayRule::LabourDay => fixed(5, 1),
            HolidayRule::AscensionDay => easter(39),
            HolidayRule::WhitMonday => easter(50),
            HolidayRule::ChristmasEve => fixed(12, 24),
            HolidayRule::ChristmasDay => fixed(12, 25),
            HolidayRule::StStephensDay => fixed(12, 26),
            HolidayRule::NewYearsEve => fixed(12, 31),
        }
    }
}

/// Western (Gregorian) Easter Sunday of `year`, by the anonymous Gregorian
/// algorithm (Meeus/Jones/Butcher), proleptic for early years. Always a
/// Sunday between 22 March and 25 April. Years beyond chrono's range are
/// clamped (about ±262 000).
pub fn easter_sunday(year: i32) -> NaiveDate {
    let year = year.clamp(RULE_YEAR_MIN, RULE_YEAR_MAX);
    let y = i64::from(year);
    // Floor division keeps the algorithm valid for years <= 0 as well.
    let a = y.rem_euclid(19);
    let (b, c) = (y.div_euclid(100), y.rem_euclid(100));
    let (d, e) = (b.div_euclid(4), b.rem_euclid(4));
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let (i, k) = (c / 4, c % 4);
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l) / 451;
    let n = h + l - 7 * m + 114;
    let (month, day) = (n / 31, n % 31 + 1);
    // (month, day) is 22 March..=25 April for every year in the clamped range
    // (checked exhaustively), so the date always exists.
    NaiveDate::from_ymd_opt(year, month as u32, day as u32).expect("Easter is in March or April")
}

/// Weekly schedule: index 0 = Monday .. 6 = Sunday; each entry a sorted list
/// of non-overlapping `[open, close)` pairs in seconds after local midnight,
/// `close <= 86_400` (`24:00` closes the day). Empty pairs (open == close) may
/// be present and mean nothing.
pub type Week = [Vec<(u32, u32)>; 7];

/// A business-hours clock in one IANA zone.
///
/// Cheap to share between threads (`Send + Sync`, immutable after `new`).
#[derive(Debug, Clone)]
pub struct BusinessCalendar {
    tz: Tz,
    /// Normalised week: per weekday, sorted, merged, non-empty local pairs.
    week: [Vec<(u32, u32)>; 7],
    /// Deduplicated holiday rules.
    rules: Vec<HolidayRule>,
    /// Sorted, deduplicated explicit holiday dates.
    dates: Vec<NaiveDate>,
    /// Precomputed span; `None` when it is empty.
    table: Option<Table>,
    /// Months and years outside the span, as far as queries went.
    totals: Totals,
}

/// Open intervals of the local dates `first..=last`, in UTC, merged.
///
/// Invariants: `starts` and `ends` are strictly increasing,
/// `starts[i] < ends[i] < starts[i + 1]` (touching intervals are merged),
/// all within `[lo, hi]`; `cum[i]` is the business time before interval `i`
/// and `cum[n]` the span's total. Intervals of dates before `first` end at or
/// before `lo`; those of dates after `last` start at or after `hi`.
#[derive(Debug, Clone)]
struct Table {
    first: NaiveDate,
    last: NaiveDate,
    /// UTC instant of `first` 00:00 local.
    lo: i64,
    /// UTC instant of `last` 24:00 local.
    hi: i64,
    starts: Vec<i64>,
    ends: Vec<i64>,
    cum: Vec<i64>,
    /// `buckets[k]`: how many intervals start before `lo + k * BUCKET`,
    /// for `k` up to past `hi`. A bucket holds at most a day's few starts,
    /// so finding an instant's interval is a lookup and a short search.
    buckets: Vec<u32>,
}

/// Months are numbered `year * 12 + (month - 1)` (see `month_of`); the
/// clock can be open in months `FIRST_MONTH..=LAST_MONTH`.
const FIRST_MONTH: i32 = FIRST_OPEN_YEAR * 12;
const LAST_MONTH: i32 = LAST_OPEN_YEAR * 12 + 11;

/// The month number of a date.
fn month_of(d: NaiveDate) -> i32 {
    d.year() * 12 + d.month0() as i32
}

/// First date of month `m`. Queries only meet months of years 0..=10000
/// (instants are clamped to a few days around years 1..=9999), well inside
/// chrono's range.
fn month_first(m: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(m.div_euclid(12), m.rem_euclid(12) as u32 + 1, 1)
        .expect("a month inside chrono's range")
}

/// Last date of month `m`.
fn month_last(m: i32) -> NaiveDate {
    month_first(m + 1)
        .pred_opt()
        .expect("a month inside chrono's range")
}

/// Business seconds per local month and per local year of the dates
/// outside the precomputed span, each computed on first use and kept: a
/// query that leaves the span skips whole months and years in one step
/// each (at most 9999 years and 22 months), and a month's dates are walked
/// once per clock, not once per query. Shared by the threads: two threads
/// may compute one value at once, and store the same number.
#[derive(Debug, Clone, Default)]
struct Totals {
    /// Per month number, from `FIRST_MONTH`.
    months: Cache,
    /// Per year, from `FIRST_OPEN_YEAR`.
    years: Cache,
}

/// Non-negative numbers computed on first use; allocated on first use.
#[derive(Default)]
struct Cache(OnceLock<Box<[AtomicI64]>>);

/// A cache entry not computed yet.
const UNKNOWN: i64 = -1;

impl Cache {
    /// Entry `i` of `len`, computed by `compute` if not known yet.
    fn get(&self, len: usize, i: usize, compute: impl FnOnce() -> i64) -> i64 {
        let cells = self
            .0
            .get_or_init(|| (0..len).map(|_| AtomicI64::new(UNKNOWN)).collect());
        match cells[i].load(Ordering::Relaxed) {
            UNKNOWN => {
                let v = compute();
                cells[i].store(v, Ordering::Relaxed);
                v
            }
            v => v,
        }
    }
}

/// A clone starts empty: it is only a cache.
impl Clone for Cache {
    fn clone(&self) -> Cache {
        Cache::default()
    }
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Cache { .. }")
    }
}

/// Seconds per `Table::buckets` entry (about 9 hours).
const BUCKET_BITS: u32 = 15;

/// `cum.partition_point(|&c| c < target)` for a sorted `cum` whose
/// boundary is expected near its start: doubling steps, then a binary
/// search within the last step.
fn gallop(cum: &[i64], target: i64) -> usize {
    let mut end = 1;
    while end < cum.len() && cum[end - 1] < target {
        end *= 2;
    }
    let end = end.min(cum.len());
    let start = end / 2;
    start + cum[start..end].partition_point(|&c| c < target)
}

impl Table {
    /// The bucket index of a built table.
    fn with_buckets(mut self) -> Table {
        let n = ((self.hi - self.lo) >> BUCKET_BITS) as usize + 2;
        self.buckets = (0..n)
            .map(|k| {
                let edge = self.lo + ((k as i64) << BUCKET_BITS);
                self.starts.partition_point(|&s| s < edge) as u32
            })
            .collect();
        self
    }

    /// How many intervals start at or before `t`:
    /// `starts.partition_point(|&s| s <= t)`.
    fn locate(&self, t: i64) -> usize {
        if t < self.lo || t > self.hi {
            return self.starts.partition_point(|&s| s <= t);
        }
        let k = ((t - self.lo) >> BUCKET_BITS) as usize;
        let (a, b) = (self.buckets[k] as usize, self.buckets[k + 1] as usize);
        a + self.starts[a..b].partition_point(|&s| s <= t)
    }

    /// Business seconds in `[lo, t)`, for `lo <= t <= hi`, with
    /// `i = locate(t)`.
    fn cum_at_located(&self, t: i64, i: usize) -> i64 {
        if i == 0 {
            return 0;
        }
        let j = i - 1;
        self.cum[j] + (t.min(self.ends[j]) - self.starts[j])
    }

    /// Business seconds in `[lo, t)`, for `lo <= t <= hi`.
    fn cum_at(&self, t: i64) -> i64 {
        self.cum_at_located(t, self.locate(t))
    }

    fn total(&self) -> i64 {
        self.cum[self.cum.len() - 1]
    }

    /// `add` inside the span: `Ok(t)` when `remaining > 0` seconds run out in
    /// the span counting from `s` (`lo <= s < hi`), else `Err` with what is
    /// left at `hi`. A budget used up exactly at a closing edge gives that
    /// edge.
    fn add(&self, s: i64, remaining: i64) -> Result<i64, i64> {
        let i = self.locate(s);
        let c0 = self.cum_at_located(s, i);
        let available = self.total() - c0;
        if remaining > available {
            return Err(remaining - available);
        }
        let target = c0 + remaining;
        // First interval j whose end reaches the target: cum[j + 1] >= target.
        // With time left to spend, no interval before s's own (i - 1)
        // reaches it (their ends are all <= c0 < target): search from there.
        let j = if remaining > 0 {
            let from = i.saturating_sub(1);
            from + gallop(&self.cum[1 + from..], target)
        } else {
            self.cum[1..].partition_point(|&c| c < target)
        };
        Ok(self.starts[j] + (target - self.cum[j]))
    }
}

impl BusinessCalendar {
    /// Builds the clock. `first_year..=last_year` is the span of local years
    /// to precompute (open intervals in UTC + prefix sums); queries outside it
    /// must still be answered correctly (just slower).
    ///
    /// The span is clamped to years 1..=9999; an empty span (`first_year >
    /// last_year`) is allowed and makes every query walk. The week is
    /// normalised defensively: closes above `86_400` are clamped, empty pairs
    /// dropped, pairs sorted and overlaps merged.
    pub fn new(
        tz: Tz,
        week: &Week,
        rules: &[HolidayRule],
        dates: &[NaiveDate],
        first_year: i32,
        last_year: i32,
    ) -> BusinessCalendar {
        let week = std::array::from_fn(|i| normalise_day(&week[i]));
        let mut rules = rules.to_vec();
        rules.sort_unstable();
        rules.dedup();
        let mut dates = dates.to_vec();
        dates.sort_unstable();
        dates.dedup();
        let mut calendar = BusinessCalendar {
            tz,
            week,
            rules,
            dates,
            table: None,
            totals: Totals::default(),
        };
        let first_year = first_year.max(FIRST_OPEN_YEAR);
        let last_year = last_year.min(LAST_OPEN_YEAR);
        if first_year <= last_year {
            calendar.table = Some(calendar.build_table(first_year, last_year));
        }
        calendar
    }

    /// Business seconds in [a, b); 0 when b <= a.
    pub fn elapsed(&self, a: i64, b: i64) -> i64 {
        if b <= a {
            return 0;
        }
        let Some(table) = &self.table else {
            return self.walk_elapsed(a, b);
        };
        let mut total = 0;
        if a < table.lo {
            total += self.walk_elapsed(a, b.min(table.lo));
        }
        let (lo, hi) = (a.max(table.lo), b.min(table.hi));
        if lo < hi {
            total += table.cum_at(hi) - table.cum_at(lo);
        }
        if b > table.hi {
            total += self.walk_elapsed(a.max(table.hi), b);
        }
        total
    }

    /// The earliest instant t >= s with elapsed(s, t) == t_s (t_s >= 0).
    ///
    /// A budget used up exactly at a closing edge gives that edge, not the
    /// next opening; `add(s, 0) == s` (also in closed time; a negative budget
    /// counts as 0). Returns [`NEVER`] when the budget cannot be used up
    /// before the end of year 9999, e.g. when the week has no open time.
    pub fn add(&self, s: i64, t_s: i64) -> i64 {
        if t_s <= 0 {
            return s;
        }
        if self.week.iter().all(Vec::is_empty) {
            return NEVER;
        }
        let mut remaining = t_s;
        let Some(table) = &self.table else {
            return self
                .walk_add(s, remaining, last_open_date())
                .unwrap_or(NEVER);
        };
        if s < table.lo {
            // Dates before the span have all their intervals before `lo`.
            let until = table.first.pred_opt().unwrap_or(table.first);
            match self.walk_add(s, remaining, until) {
                Ok(t) => return t,
                Err(left) => remaining = left,
            }
        }
        if s < table.hi {
            match table.add(s.max(table.lo), remaining) {
                Ok(t) => return t,
                Err(left) => remaining = left,
            }
        }
        self.walk_add(s.max(table.hi), remaining, last_open_date())
            .unwrap_or(NEVER)
    }

    /// True when the local date is a holiday of this calendar.
    pub fn is_holiday(&self, date: NaiveDate) -> bool {
        self.dates.binary_search(&date).is_ok()
            || self.rules.iter().any(|r| r.date(date.year()) == date)
    }

    /// The zone of this clock.
    pub fn timezone(&self) -> Tz {
        self.tz
    }

    /// Local date of an instant, with the instant clamped to a few days
    /// around years 1..=9999 (so any `i64` is fine).
    fn local_date(&self, t: i64) -> NaiveDate {
        let t = t.clamp(CLAMP_MIN_INSTANT, CLAMP_MAX_INSTANT);
        // a clamped instant is always in chrono's range
        local_time::to_local(self.tz, t).map_or(first_open_date(), |l| l.date_naive())
    }

    /// Appends the UTC open intervals of one local date to `out`, sorted and
    /// non-overlapping. Holidays and dates outside years 1..=9999 open
    /// nothing; intervals that are empty after resolving are dropped (e.g.
    /// `02:00-02:30` inside a spring-forward gap).
    fn day_intervals(&self, date: NaiveDate, out: &mut Vec<(i64, i64)>) {
        #[cfg(test)]
        tests::DATES_WALKED.with(|n| n.set(n.get() + 1));
        if date < first_open_date() || date > last_open_date() || self.is_holiday(date) {
            return;
        }
        let pairs = &self.week[date.weekday().num_days_from_monday() as usize];
        for &(open, close) in pairs {
            let start = self.edge(date, open);
            let end = self.edge(date, close);
            if end > start {
                out.push((start, end));
            }
        }
    }

    /// UTC instant of `secs` seconds after local midnight of `date`
    /// (`86_400` = the next date's 00:00), resolved by [`local_time::resolve`].
    fn edge(&self, date: NaiveDate, secs: u32) -> i64 {
        let (date, secs) = if secs >= DAY_SECS {
            (date.succ_opt().unwrap_or(date), 0)
        } else {
            (date, secs)
        };
        let time = NaiveTime::from_num_seconds_from_midnight_opt(secs, 0).expect("secs < 86_400");
        local_time::resolve(self.tz, date.and_time(time))
    }

    /// Calls `f` with the open intervals of the local dates `from..=to`
    /// (clamped to years 1..=9999), in order, skipping the dates of the
    /// precomputed span; stops when `f` breaks.
    fn walk<B>(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        mut f: impl FnMut(i64, i64) -> ControlFlow<B>,
    ) -> Option<B> {
        let mut date = from.max(first_open_date());
        let to = to.min(last_open_date());
        let mut buf = Vec::with_capacity(4);
        while date <= to {
            if let Some(table) = &self.table {
                if table.first <= date && date <= table.last {
                    date = table.last.succ_opt()?;
                    continue;
                }
            }
            buf.clear();
            self.day_intervals(date, &mut buf);
            for &(start, end) in &buf {
                if let ControlFlow::Break(b) = f(start, end) {
                    return Some(b);
                }
            }
            date = date.succ_opt()?;
        }
        None
    }

    /// `elapsed(a, b)` over the dates outside the span; `a < b`. Walks the
    /// dates near `a` and near `b` (a date early and a date late: an
    /// instant's local date bounds its position only up to DST shifts, so
    /// to the end and from the start of the neighbouring dates' months) and
    /// takes the whole months and years between from `Totals`.
    fn walk_elapsed(&self, a: i64, b: i64) -> i64 {
        let (da, db) = (self.local_date(a), self.local_date(b));
        let from = da.pred_opt().unwrap_or(NaiveDate::MIN);
        let to = db.succ_opt().unwrap_or(NaiveDate::MAX);
        let near = month_of(da.succ_opt().unwrap_or(da));
        let far = month_of(db.pred_opt().unwrap_or(db));
        // every date of months near+1..=far-1 lies at least two dates after
        // a's and before b's: all of its intervals are inside [a, b)
        if far - near < 2 {
            return self.walk_dates_elapsed(a, b, from, to);
        }
        self.walk_dates_elapsed(a, b, from, month_last(near))
            + self.months_total(near + 1, far - 1)
            + self.walk_dates_elapsed(a, b, month_first(far), to)
    }

    /// `elapsed(a, b)` over the dates `from..=to` outside the span, by
    /// walking them one by one.
    fn walk_dates_elapsed(&self, a: i64, b: i64, from: NaiveDate, to: NaiveDate) -> i64 {
        let mut total = 0;
        self.walk(from, to, |start, end| {
            if start >= b {
                return ControlFlow::Break(());
            }
            let (lo, hi) = (start.max(a), end.min(b));
            if hi > lo {
                total += hi - lo;
            }
            ControlFlow::Continue(())
        });
        total
    }

    /// `add(s, remaining)` over the dates outside the span up to `until`:
    /// `Ok(t)` when the budget runs out, else `Err(left)`. Walks the dates
    /// near `s` (to the end of the next date's month), then skips whole
    /// months and years by their `Totals`, and walks the month in which the
    /// budget runs out: a bounded number of steps however far the deadline.
    fn walk_add(&self, s: i64, remaining: i64, until: NaiveDate) -> Result<i64, i64> {
        let ds = self.local_date(s);
        let from = ds.pred_opt().unwrap_or(NaiveDate::MIN);
        let near = month_of(ds.succ_opt().unwrap_or(ds));
        let left = match self.walk_dates_add(s, remaining, from, month_last(near).min(until)) {
            Ok(t) => return Ok(t),
            Err(left) => left,
        };
        // whole months after `near` and up to `until`: all their intervals
        // start after s
        let last_whole = if until.succ_opt().is_some_and(|d| d.day() == 1) {
            month_of(until)
        } else {
            month_of(until) - 1
        };
        match self.months_add(near + 1, last_whole, left) {
            Ok((m, left)) => self.walk_dates_add(s, left, month_first(m), month_last(m)),
            Err(left) => {
                let after = month_first(last_whole.max(near) + 1);
                self.walk_dates_add(s, left, after, until)
            }
        }
    }

    /// `add(s, remaining)` over the dates `from..=to` outside the span, by
    /// walking them one by one.
    fn walk_dates_add(
        &self,
        s: i64,
        remaining: i64,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<i64, i64> {
        let mut left = remaining;
        let found = self.walk(from, to, |start, end| {
            if end <= s {
                return ControlFlow::Continue(());
            }
            let lo = start.max(s);
            let available = end - lo;
            if available >= left {
                return ControlFlow::Break(lo + left);
            }
            left -= available;
            ControlFlow::Continue(())
        });
        found.ok_or(left)
    }

    /// Business seconds of the dates outside the span in months
    /// `first..=last` (`month_of` numbers): whole years at once.
    fn months_total(&self, first: i32, last: i32) -> i64 {
        let (mut m, last) = (first.max(FIRST_MONTH), last.min(LAST_MONTH));
        let mut total = 0;
        while m <= last {
            if m % 12 == 0 && m + 11 <= last {
                total += self.year_total(m / 12);
                m += 12;
            } else {
                total += self.month_total(m);
                m += 1;
            }
        }
        total
    }

    /// The month of `first..=last` in which a budget of `remaining > 0`
    /// runs out, with what is left of it at that month's start; else what
    /// is left after `last`.
    fn months_add(&self, first: i32, last: i32, mut remaining: i64) -> Result<(i32, i64), i64> {
        let (mut m, last) = (first.max(FIRST_MONTH), last.min(LAST_MONTH));
        while m <= last {
            if m % 12 == 0 && m + 11 <= last {
                let year = self.year_total(m / 12);
                if year < remaining {
                    remaining -= year;
                    m += 12;
                    continue;
                }
            }
            let month = self.month_total(m);
            if month >= remaining {
                return Ok((m, remaining));
            }
            remaining -= month;
            m += 1;
        }
        Err(remaining)
    }

    /// Business seconds of the dates of month `m` outside the span.
    fn month_total(&self, m: i32) -> i64 {
        let len = (LAST_MONTH - FIRST_MONTH + 1) as usize;
        self.totals.months.get(len, (m - FIRST_MONTH) as usize, || {
            self.walk_dates_elapsed(i64::MIN, i64::MAX, month_first(m), month_last(m))
        })
    }

    /// Business seconds of the dates of local year `y` outside the span.
    fn year_total(&self, y: i32) -> i64 {
        let len = (LAST_OPEN_YEAR - FIRST_OPEN_YEAR + 1) as usize;
        self.totals
            .years
            .get(len, (y - FIRST_OPEN_YEAR) as usize, || {
                (0..12).map(|k| self.month_total(y * 12 + k)).sum()
            })
    }

    /// Precomputes the intervals of local years `first_year..=last_year`
    /// (already clamped to 1..=9999 and non-empty).
    fn build_table(&self, first_year: i32, last_year: i32) -> Table {
        let first = NaiveDate::from_ymd_opt(first_year, 1, 1).expect("year in 1..=9999");
        let last = NaiveDate::from_ymd_opt(last_year, 12, 31).expect("year in 1..=9999");
        let lo = self.edge(first, 0);
        let hi = self.edge(last, DAY_SECS);
        let mut starts: Vec<i64> = Vec::new();
        let mut ends: Vec<i64> = Vec::new();
        let mut buf = Vec::with_capacity(4);
        let mut date = first;
        while date <= last {
            buf.clear();
            self.day_intervals(date, &mut buf);
            for &(start, end) in &buf {
                match ends.last_mut() {
                    // Touching (or, defensively, overlapping) the previous
                    // interval, e.g. 24:00 of one date and 00:00 of the next.
                    Some(prev_end) if start <= *prev_end => *prev_end = (*prev_end).max(end),
                    _ => {
                        starts.push(start);
                        ends.push(end);
                    }
                }
            }
            match date.succ_opt() {
                Some(next) => date = next,
                None => break,
            }
        }
        let mut cum = Vec::with_capacity(starts.len() + 1);
        let mut acc = 0;
        cum.push(acc);
        for (start, end) in starts.iter().zip(&ends) {
            acc += end - start;
            cum.push(acc);
        }
        Table {
            first,
            last,
            lo,
            hi,
            starts,
            ends,
            cum,
            buckets: Vec::new(),
        }
        .with_buckets()
    }
}

/// Sorts one weekday's pairs, clamps closes to `24:00`, drops empty pairs
/// (open >= close) and merges overlapping or touching ones.
fn normalise_day(pairs: &[(u32, u32)]) -> Vec<(u32, u32)> {
    let mut sorted: Vec<(u32, u32)> = pairs
        .iter()
        .map(|&(open, close)| (open, close.min(DAY_SECS)))
        .filter(|&(open, close)| open < close)
        .collect();
    sorted.sort_unstable();
    let mut merged: Vec<(u32, u32)> = Vec::with_capacity(sorted.len());
    for (open, close) in sorted {
        match merged.last_mut() {
            Some(prev) if open <= prev.1 => prev.1 = prev.1.max(close),
            _ => merged.push((open, close)),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Weekday;
    use chrono_tz::{America, Asia, Australia, Europe, Pacific};

    const H: i64 = 3600;
    const M: i64 = 60;

    thread_local! {
        /// Local dates whose intervals this thread computed: the clock's
        /// steps, counted to bound the work of a query.
        pub(super) static DATES_WALKED: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    }

    /// Dates walked by `f` on this thread.
    fn dates_walked(f: impl FnOnce()) -> u64 {
        let before = DATES_WALKED.with(|n| n.get());
        f();
        DATES_WALKED.with(|n| n.get()) - before
    }

    /// Regression: a clock open one minute a week with a ten-year target
    /// walked every local date from the precomputed span to the year 9999
    /// on every `add` (0.45 s a ticket). Now the months and years outside
    /// the span are summed once per clock and skipped in one step each.
    #[test]
    fn far_deadlines_walk_each_date_once_per_clock_not_once_per_query() {
        let mut week: Week = Default::default();
        week[0] = vec![(hm(9, 0), hm(9, 1))];
        let cal = BusinessCalendar::new(Europe::Bratislava, &week, &[], &[], 2025, 2027);
        let ten_years = 87_600 * H;
        let s = utc(2026, 3, 2, 8, 0);
        // 60 s a week: ten years of budget take about 100 000 years
        let first = dates_walked(|| assert_eq!(cal.add(s, ten_years), NEVER));
        assert!(
            first > 2_800_000,
            "{first}: every date after the span, once"
        );
        for k in 0..10 {
            let s = s + k * 86_400;
            let steps = dates_walked(|| {
                assert_eq!(cal.add(s, ten_years), NEVER);
                assert_eq!(
                    cal.elapsed(s, utc(9000, 1, 1, 0, 0)),
                    cal.elapsed(s, utc(2027, 12, 31, 0, 0))
                        + cal.elapsed(utc(2027, 12, 31, 0, 0), utc(9000, 1, 1, 0, 0))
                );
            });
            assert!(steps < 400, "{steps} dates walked for one query");
        }
        // a deadline far out but reached: one minute a week for 50 years
        let budget = 50 * 52 * M;
        let steps = dates_walked(|| {
            let t = cal.add(s, budget);
            assert_eq!(cal.elapsed(s, t), budget);
            assert!(cal.elapsed(s, t - 1) < budget);
        });
        assert!(steps < 400, "{steps} dates walked for one query");
    }

    /// Seconds after midnight of `HH:MM`.
    fn hm(h: u32, m: u32) -> u32 {
        h * 3600 + m * 60
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// Unix seconds of a UTC wall time.
    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> i64 {
        date(y, mo, d)
            .and_hms_opt(h, mi, 0)
            .unwrap()
            .and_utc()
            .timestamp()
    }

    const DEFAULT_RULES: [HolidayRule; 7] = [
        HolidayRule::NewYearsDay,
        HolidayRule::GoodFriday,
        HolidayRule::EasterMonday,
        HolidayRule::LabourDay,
        HolidayRule::ChristmasEve,
        HolidayRule::ChristmasDay,
        HolidayRule::StStephensDay,
    ];

    /// Mon-Fri `open..close`, weekend closed.
    fn weekdays(open: u32, close: u32) -> Week {
        let day = vec![(open, close)];
        [
            day.clone(),
            day.clone(),
            day.clone(),
            day.clone(),
            day,
            vec![],
            vec![],
        ]
    }

    /// The same pairs on every day.
    fn every_day(pairs: &[(u32, u32)]) -> Week {
        std::array::from_fn(|_| pairs.to_vec())
    }

    /// Only Sundays open, with `pairs`.
    fn sundays(pairs: &[(u32, u32)]) -> Week {
        let mut week: Week = Default::default();
        week[6] = pairs.to_vec();
        week
    }

    /// The contract's default policy: Europe/Bratislava, Mon-Fri 09:00-17:00,
    /// default holidays.
    fn default_cal(first: i32, last: i32) -> BusinessCalendar {
        BusinessCalendar::new(
            Europe::Bratislava,
            &weekdays(hm(9, 0), hm(17, 0)),
            &DEFAULT_RULES,
            &[],
            first,
            last,
        )
    }

    fn plain(tz: Tz, week: &Week) -> BusinessCalendar {
        BusinessCalendar::new(tz, week, &[], &[], 2015, 2030)
    }

    #[test]
    fn the_bucket_index_finds_what_a_binary_search_finds() {
        // business hours over two years, and a week open around the clock
        // (one interval for the whole span)
        let mut all = Week::default();
        for day in all.iter_mut() {
            day.push((hm(0, 0), hm(24, 0)));
        }
        for cal in [default_cal(2026, 2027), plain(Europe::Bratislava, &all)] {
            let table = cal.table.as_ref().unwrap();
            let mut probes = vec![table.lo - 1, table.lo, table.hi, table.hi + 1];
            for (&a, &b) in table.starts.iter().zip(&table.ends) {
                probes.extend([a - 1, a, a + 1, b - 1, b, b + 1]);
            }
            let mut seed = 7u64;
            for _ in 0..20_000 {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                probes.push(table.lo + (seed >> 20) as i64 % (table.hi - table.lo + 1));
            }
            for t in probes {
                let want = table.starts.partition_point(|&s| s <= t);
                assert_eq!(table.locate(t), want, "t = {t}");
            }
            for target in (0..=table.total()).step_by(997).chain([table.total()]) {
                let want = table.cum.partition_point(|&c| c < target);
                assert_eq!(gallop(&table.cum, target), want, "target {target}");
            }
        }
        for n in 0..40 {
            let cum: Vec<i64> = (0..n).map(|i| i / 3).collect();
            for target in -1..=n / 3 + 1 {
                assert_eq!(
                    gallop(&cum, target),
                    cum.partition_point(|&c| c < target),
                    "n {n} target {target}"
                );
            }
        }
    }

    /// `add` and `elapsed` agree at one point (round trip and earliest).
    fn check_add(cal: &BusinessCalendar, s: i64, t: i64, expected: i64) {
        assert_eq!(cal.add(s, t), expected, "add({s}, {t})");
        assert_eq!(cal.elapsed(s, expected), t, "elapsed(s, add(s, {t}))");
        if t > 0 {
            assert!(
                cal.elapsed(s, expected - 1) < t,
                "add({s}, {t}) not earliest"
            );
        }
    }

    // ---- holiday rules -------------------------------------------------

    #[test]
    fn rule_names_round_trip() {
        for rule in HolidayRule::ALL {
            assert_eq!(HolidayRule::from_name(rule.name()), Some(rule));
        }
        assert_eq!(
            HolidayRule::from_name("st_stephens_day"),
            Some(HolidayRule::StStephensDay)
        );
        assert_eq!(HolidayRule::from_name("Good_Friday"), None);
        assert_eq!(HolidayRule::from_name("boxing_day"), None);
    }

    #[test]
    fn easter_known_years() {
        for (year, m, d) in [
            (1818, 3, 22), // earliest possible
            (1943, 4, 25), // latest possible
            (2000, 4, 23),
            (2008, 3, 23),
            (2011, 4, 24),
            (2019, 4, 21),
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2038, 4, 25),
            (2285, 3, 22),
        ] {
            assert_eq!(easter_sunday(year), date(year, m, d), "Easter {year}");
        }
    }

    #[test]
    fn easter_is_a_spring_sunday_in_every_year() {
        for year in FIRST_OPEN_YEAR..=LAST_OPEN_YEAR {
            let e = easter_sunday(year);
            assert_eq!(e.weekday(), Weekday::Sun, "{year}");
            assert!(date(year, 3, 22) <= e && e <= date(year, 4, 25), "{year}");
        }
    }

    #[test]
    fn rule_dates_2026() {
        let expect = [
            (HolidayRule::NewYearsDay, date(2026, 1, 1)),
            (HolidayRule::Epiphany, date(2026, 1, 6)),
            (HolidayRule::GoodFriday, date(2026, 4, 3)),
            (HolidayRule::EasterMonday, date(2026, 4, 6)),
            (HolidayRule::LabourDay, date(2026, 5, 1)),
            (HolidayRule::AscensionDay, date(2026, 5, 14)),
            (HolidayRule::WhitMonday, date(2026, 5, 25)),
            (HolidayRule::ChristmasEve, date(2026, 12, 24)),
            (HolidayRule::ChristmasDay, date(2026, 12, 25)),
            (HolidayRule::StStephensDay, date(2026, 12, 26)),
            (HolidayRule::NewYearsEve, date(2026, 12, 31)),
        ];
        for (rule, d) in expect {
            assert_eq!(rule.date(2026), d, "{}", rule.name());
        }
    }

    #[test]
    fn rule_dates_never_panic_at_extreme_years() {
        for year in [i32::MIN, -300_000, 0, 1, 9999, 10_000, 300_000, i32::MAX] {
            for rule in HolidayRule::ALL {
                let _ = rule.date(year);
            }
        }
    }

    #[test]
    fn is_holiday_rules_and_dates() {
        let cal = BusinessCalendar::new(
            Europe::Bratislava,
            &weekdays(hm(9, 0), hm(17, 0)),
            &DEFAULT_RULES,
            &[date(2026, 7, 6)],
            2026,
            2026,
        );
        assert!(cal.is_holiday(date(2026, 4, 3)));
        assert!(cal.is_holiday(date(2026, 4, 6)));
        assert!(cal.is_holiday(date(2026, 7, 6)));
        assert!(cal.is_holiday(date(1999, 12, 24)));
        assert!(
            !cal.is_holiday(date(2026, 4, 5)),
            "Easter Sunday is no rule"
        );
        assert!(
            !cal.is_holiday(date(2026, 5, 14)),
            "ascension not in the rules"
        );
        assert!(
            !cal.is_holiday(date(2027, 7, 6)),
            "explicit dates do not repeat"
        );
    }

    // ---- default policy, hand-worked ------------------------------------

    #[test]
    fn inside_one_day_and_over_a_night() {
        let cal = default_cal(2026, 2026);
        // Mon 2 March 2026, CET (UTC+1): open 08:00Z-16:00Z.
        assert_eq!(
            cal.elapsed(utc(2026, 3, 2, 8, 0), utc(2026, 3, 2, 16, 0)),
            8 * H
        );
        assert_eq!(
            cal.elapsed(utc(2026, 3, 2, 6, 0), utc(2026, 3, 2, 20, 0)),
            8 * H
        );
        assert_eq!(
            cal.elapsed(utc(2026, 3, 2, 9, 15), utc(2026, 3, 2, 9, 45)),
            30 * M
        );
        // The night is closed.
        assert_eq!(
            cal.elapsed(utc(2026, 3, 2, 16, 0), utc(2026, 3, 3, 8, 0)),
            0
        );
        // 15:00Z Monday to 09:00Z Tuesday: 1 h + 1 h.
        assert_eq!(
            cal.elapsed(utc(2026, 3, 2, 15, 0), utc(2026, 3, 3, 9, 0)),
            2 * H
        );
        // Reversed or empty ranges.
        assert_eq!(
            cal.elapsed(utc(2026, 3, 3, 9, 0), utc(2026, 3, 2, 15, 0)),
            0
        );
        assert_eq!(cal.elapsed(utc(2026, 3, 2, 9, 0), utc(2026, 3, 2, 9, 0)), 0);
        check_add(&cal, utc(2026, 3, 2, 15, 0), 2 * H, utc(2026, 3, 3, 9, 0));
        // Submitted in the night: the clock starts at 09:00 local.
        check_add(&cal, utc(2026, 3, 2, 22, 0), 3 * H, utc(2026, 3, 3, 11, 0));
    }

    #[test]
    fn weekend_is_closed() {
        let cal = default_cal(2026, 2026);
        // Fri 6 March 16:00 local to Mon 9 March 10:00 local.
        let fri = utc(2026, 3, 6, 15, 0);
        let mon = utc(2026, 3, 9, 9, 0);
        assert_eq!(cal.elapsed(fri, mon), 2 * H);
        assert_eq!(cal.elapsed(utc(2026, 3, 7, 0, 0), utc(2026, 3, 9, 0, 0)), 0);
        check_add(&cal, fri, 2 * H, mon);
        // From Saturday: Monday 09:00 local + 1 h.
        check_add(&cal, utc(2026, 3, 7, 12, 0), H, utc(2026, 3, 9, 9, 0));
    }

    #[test]
    fn add_zero_is_identity_even_when_closed() {
        let cal = default_cal(2026, 2026);
        for s in [
            utc(2026, 3, 7, 12, 0),
            utc(2026, 3, 2, 16, 0),
            utc(2026, 3, 2, 10, 0),
        ] {
            assert_eq!(cal.add(s, 0), s);
            assert_eq!(cal.add(s, -5), s);
        }
    }

    #[test]
    fn add_lands_exactly_on_the_17_00_close() {
        let cal = default_cal(2026, 2026);
        // Mon 2 March 14:00 local + 3 h = 17:00 local (16:00Z), not Tuesday 09:00.
        let s = utc(2026, 3, 2, 13, 0);
        check_add(&cal, s, 3 * H, utc(2026, 3, 2, 16, 0));
        // One second more spills into Tuesday.
        check_add(&cal, s, 3 * H + 1, utc(2026, 3, 3, 8, 0) + 1);
        // A whole business day from the opening lands on the close.
        check_add(&cal, utc(2026, 3, 3, 8, 0), 8 * H, utc(2026, 3, 3, 16, 0));
        // Friday's close stays Friday's close, not Monday's opening.
        check_add(&cal, utc(2026, 3, 6, 14, 0), 2 * H, utc(2026, 3, 6, 16, 0));
    }

    #[test]
    fn easter_2026_good_friday_and_easter_monday() {
        let cal = default_cal(2026, 2026);
        // CEST (UTC+2) since 29 March: open 07:00Z-15:00Z.
        assert_eq!(cal.elapsed(utc(2026, 4, 3, 0, 0), utc(2026, 4, 4, 0, 0)), 0);
        assert_eq!(cal.elapsed(utc(2026, 4, 6, 0, 0), utc(2026, 4, 7, 0, 0)), 0);
        // Thu 2 April 16:00 local to Tue 7 April 10:00 local: 1 h + 1 h.
        let thu = utc(2026, 4, 2, 14, 0);
        let tue = utc(2026, 4, 7, 8, 0);
        assert_eq!(cal.elapsed(thu, tue), 2 * H);
        check_add(&cal, thu, 2 * H, tue);
        // Exactly the Thursday close.
        check_add(&cal, thu, H, utc(2026, 4, 2, 15, 0));
    }

    #[test]
    fn christmas_and_new_year_2026() {
        let cal = default_cal(2026, 2027);
        // Wed 23 Dec 2026 16:00 local; 24, 25 (Fri), weekend, 26 closed;
        // Mon 28 Dec opens.
        let s = utc(2026, 12, 23, 15, 0);
        check_add(&cal, s, 2 * H, utc(2026, 12, 28, 9, 0));
        // Thu 31 Dec 16:00 local; 1 Jan (Fri) closed; weekend; Mon 4 Jan.
        check_add(&cal, utc(2026, 12, 31, 15, 0), 2 * H, utc(2027, 1, 4, 9, 0));
    }

    #[test]
    fn dst_spring_forward_2026_default_hours() {
        let cal = default_cal(2026, 2026);
        // Fri 27 March 16:00 CET (15:00Z) + 2 h = Mon 30 March 10:00 CEST (08:00Z).
        let fri = utc(2026, 3, 27, 15, 0);
        let mon = utc(2026, 3, 30, 8, 0);
        assert_eq!(cal.elapsed(fri, mon), 2 * H);
        check_add(&cal, fri, 2 * H, mon);
        // A whole week across the change is still 5 x 8 h.
        assert_eq!(
            cal.elapsed(utc(2026, 3, 23, 0, 0), utc(2026, 3, 30, 16, 0)),
            48 * H
        );
    }

    #[test]
    fn dst_fall_back_2026_default_hours() {
        let cal = default_cal(2026, 2026);
        // Fri 23 Oct 16:00 CEST (14:00Z) + 2 h = Mon 26 Oct 10:00 CET (09:00Z).
        let fri = utc(2026, 10, 23, 14, 0);
        let mon = utc(2026, 10, 26, 9, 0);
        assert_eq!(cal.elapsed(fri, mon), 2 * H);
        check_add(&cal, fri, 2 * H, mon);
    }

    #[test]
    fn dst_day_lasts_23_and_25_hours_on_a_24_hour_schedule() {
        // Only Sundays open, 00:00-24:00: the interval crosses the change.
        let cal = BusinessCalendar::new(
            Europe::Bratislava,
            &sundays(&[(0, DAY_SECS)]),
            &[],
            &[],
            2026,
            2026,
        );
        let week = |a: i64| cal.elapsed(a, a + 7 * 24 * H);
        assert_eq!(week(utc(2026, 3, 25, 0, 0)), 23 * H);
        assert_eq!(week(utc(2026, 10, 21, 0, 0)), 25 * H);
        assert_eq!(week(utc(2026, 3, 4, 0, 0)), 24 * H);
        // 29 March: 00:00 CET = 28th 23:00Z, 24:00 = 30th 00:00 CEST = 29th 22:00Z.
        let s = utc(2026, 3, 25, 0, 0);
        check_add(&cal, s, 23 * H, utc(2026, 3, 29, 22, 0));
        check_add(&cal, s, 23 * H + 1, utc(2026, 4, 4, 22, 0) + 1);
        // 25 October: 24:00 = 26th 00:00 CET = 25th 23:00Z.
        check_add(
            &cal,
            utc(2026, 10, 21, 0, 0),
            25 * H,
            utc(2026, 10, 25, 23, 0),
        );
    }

    #[test]
    fn edges_inside_the_spring_forward_gap() {
        // 29 March 2026: 02:00 CET jumps to 03:00 CEST (01:00Z).
        let sunday = |pairs: &[(u32, u32)]| {
            let cal = plain(Europe::Bratislava, &sundays(pairs));
            cal.elapsed(utc(2026, 3, 28, 0, 0), utc(2026, 3, 30, 0, 0))
        };
        // 02:30 becomes 03:00 local: [01:00Z, 02:00Z).
        assert_eq!(sunday(&[(hm(2, 30), hm(4, 0))]), H);
        // Both edges in the gap: empty.
        assert_eq!(sunday(&[(hm(2, 0), hm(2, 30))]), 0);
        // 01:00 CET (00:00Z) to 02:30 -> 03:00 CEST (01:00Z).
        assert_eq!(sunday(&[(hm(1, 0), hm(2, 30))]), H);
        // 01:00-03:00 is one wall hour shorter.
        assert_eq!(sunday(&[(hm(1, 0), hm(3, 0))]), H);
        let cal = plain(Europe::Bratislava, &sundays(&[(hm(2, 30), hm(4, 0))]));
        check_add(&cal, utc(2026, 3, 28, 0, 0), 1, utc(2026, 3, 29, 1, 0) + 1);
        check_add(&cal, utc(2026, 3, 28, 0, 0), H, utc(2026, 3, 29, 2, 0));
        // The gap resolves to the transition instant.
        let gap = date(2026, 3, 29).and_hms_opt(2, 30, 0).unwrap();
        assert_eq!(
            local_time::resolve(Europe::Bratislava, gap),
            utc(2026, 3, 29, 1, 0)
        );
    }

    #[test]
    fn gap_ending_at_an_odd_second() {
        // Monrovia, 7 January 1972: -00:44:30 to UTC, so local 00:00:00 to
        // 00:44:29 never happened; the first valid instant is 00:44:30 local.
        let gap = date(1972, 1, 7).and_hms_opt(0, 10, 0).unwrap();
        assert_eq!(
            local_time::resolve(chrono_tz::Africa::Monrovia, gap),
            63_593_070
        );
        let cal = BusinessCalendar::new(
            chrono_tz::Africa::Monrovia,
            &every_day(&[(0, hm(1, 0))]),
            &[],
            &[],
            1972,
            1972,
        );
        // That day opens 00:44:30-01:00 local: 15 min 30 s.
        let day = utc(1972, 1, 6, 12, 0);
        assert_eq!(cal.elapsed(day, day + 24 * H), 15 * M + 30);
    }

    #[test]
    fn edges_inside_the_fall_back_fold() {
        // 25 October 2026: 03:00 CEST goes back to 02:00 CET (01:00Z);
        // 02:00-03:00 local happens twice; edges take the first occurrence.
        let sunday = |pairs: &[(u32, u32)]| {
            let cal = plain(Europe::Bratislava, &sundays(pairs));
            cal.elapsed(utc(2026, 10, 24, 0, 0), utc(2026, 10, 26, 0, 0))
        };
        // 02:30 CEST (00:30Z) to 03:30 CET (02:30Z).
        assert_eq!(sunday(&[(hm(2, 30), hm(3, 30))]), 2 * H);
        // 02:00 CEST (00:00Z) to 02:30 CEST (00:30Z).
        assert_eq!(sunday(&[(hm(2, 0), hm(2, 30))]), 30 * M);
        // 01:00 CEST (23:00Z) to 02:30 CEST (00:30Z).
        assert_eq!(sunday(&[(hm(1, 0), hm(2, 30))]), 90 * M);
        // 02:30 CEST (00:30Z) to 24:00 (23:00Z).
        assert_eq!(sunday(&[(hm(2, 30), DAY_SECS)]), 22 * H + 30 * M);
        let fold = date(2026, 10, 25).and_hms_opt(2, 30, 0).unwrap();
        assert_eq!(
            local_time::resolve(Europe::Bratislava, fold),
            utc(2026, 10, 25, 0, 30)
        );
    }

    #[test]
    fn several_intervals_per_day() {
        // Mon-Fri 08:00-12:00 and 13:00-17:30, Kolkata (UTC+05:30, no DST).
        let day = vec![(hm(8, 0), hm(12, 0)), (hm(13, 0), hm(17, 30))];
        let mut week: Week = Default::default();
        for d in week.iter_mut().take(5) {
            *d = day.clone();
        }
        let cal = plain(Asia::Kolkata, &week);
        // Mon 2 March 2026 local 08:00 = 02:30Z.
        let open = utc(2026, 3, 2, 2, 30);
        assert_eq!(cal.elapsed(open, open + 24 * H), 8 * H + 30 * M);
        // 4 h reaches the 12:00 close exactly; one second more is after lunch.
        check_add(&cal, open, 4 * H, utc(2026, 3, 2, 6, 30));
        check_add(&cal, open, 4 * H + 1, utc(2026, 3, 2, 7, 30) + 1);
        // Lunch is closed.
        assert_eq!(
            cal.elapsed(utc(2026, 3, 2, 6, 30), utc(2026, 3, 2, 7, 30)),
            0
        );
    }

    #[test]
    fn round_the_clock_schedule_equals_wall_time() {
        // Touching intervals over consecutive dates (00:00-24:00 daily).
        for tz in [Europe::Bratislava, Australia::Lord_Howe, America::New_York] {
            let cal = plain(tz, &every_day(&[(0, DAY_SECS)]));
            let s = utc(2026, 3, 27, 13, 17);
            for t in [0, 1, 17 * H, 3 * 24 * H, 300 * 24 * H] {
                assert_eq!(cal.add(s, t), s + t);
                assert_eq!(cal.elapsed(s, s + t), t);
            }
        }
    }

    #[test]
    fn other_zones_dst_days() {
        let day_len = |tz: Tz, d: NaiveDate| {
            let cal = plain(tz, &every_day(&[(0, DAY_SECS)]));
            let a = local_time::resolve(tz, d.and_hms_opt(0, 0, 0).unwrap());
            let b = local_time::resolve(tz, d.succ_opt().unwrap().and_hms_opt(0, 0, 0).unwrap());
            (cal.elapsed(a, b), b - a)
        };
        // New York: 8 March 2026 02:00 -> 03:00; 1 November 02:00 -> 01:00.
        assert_eq!(
            day_len(America::New_York, date(2026, 3, 8)),
            (23 * H, 23 * H)
        );
        assert_eq!(
            day_len(America::New_York, date(2026, 11, 1)),
            (25 * H, 25 * H)
        );
        // Lord Howe: 30-minute DST; 5 April 2026 02:00 -> 01:30, 4 October
        // 02:00 -> 02:30.
        let lh = Australia::Lord_Howe;
        assert_eq!(
            day_len(lh, date(2026, 4, 5)),
            (24 * H + 30 * M, 24 * H + 30 * M)
        );
        assert_eq!(
            day_len(lh, date(2026, 10, 4)),
            (23 * H + 30 * M, 23 * H + 30 * M)
        );
        // An edge at 02:15 on the Lord Howe spring day becomes 02:30.
        let cal = plain(lh, &sundays(&[(hm(2, 15), hm(3, 0))]));
        let a = utc(2026, 10, 2, 0, 0);
        assert_eq!(cal.elapsed(a, a + 5 * 24 * H), 30 * M);
        // Sao Paulo 2018: DST began at midnight (4 Nov 00:00 -> 01:00) and
        // ended at midnight (17 Feb 2019 00:00 -> 16 Feb 23:00).
        let sp = America::Sao_Paulo;
        assert_eq!(day_len(sp, date(2018, 11, 4)), (23 * H, 23 * H));
        assert_eq!(day_len(sp, date(2019, 2, 16)), (25 * H, 25 * H));
        // 4 Nov 2018 00:00-00:30 lies in the gap: empty.
        let cal = BusinessCalendar::new(sp, &sundays(&[(0, hm(0, 30))]), &[], &[], 2018, 2018);
        assert_eq!(
            cal.elapsed(utc(2018, 11, 3, 0, 0), utc(2018, 11, 6, 0, 0)),
            0
        );
        assert_eq!(
            cal.elapsed(utc(2018, 11, 10, 0, 0), utc(2018, 11, 13, 0, 0)),
            30 * M
        );
        // Kolkata: 09:00-17:00 is 03:30Z-11:30Z.
        let cal = plain(Asia::Kolkata, &weekdays(hm(9, 0), hm(17, 0)));
        check_add(&cal, utc(2026, 3, 2, 0, 0), 8 * H, utc(2026, 3, 2, 11, 30));
    }

    #[test]
    fn a_skipped_date_opens_nothing() {
        // Samoa skipped Friday 30 December 2011 entirely.
        let cal = plain(Pacific::Apia, &every_day(&[(hm(9, 0), hm(17, 0))]));
        let a = local_time::resolve(
            Pacific::Apia,
            date(2011, 12, 29).and_hms_opt(0, 0, 0).unwrap(),
        );
        let b = local_time::resolve(
            Pacific::Apia,
            date(2012, 1, 1).and_hms_opt(0, 0, 0).unwrap(),
        );
        assert_eq!(b - a, 48 * H, "29 and 31 December are the only local dates");
        assert_eq!(cal.elapsed(a, b), 16 * H);
    }

    #[test]
    fn outside_the_precomputed_span_equals_inside() {
        let spans = [(2026, 2026), (2020, 2032), (2030, 2010), (1900, 2100)];
        let cals: Vec<BusinessCalendar> = spans
            .iter()
            .map(|&(first, last)| default_cal(first, last))
            .collect();
        let mut rng = Lcg(7);
        let lo = utc(2024, 6, 1, 0, 0);
        let hi = utc(2028, 6, 1, 0, 0);
        for _ in 0..400 {
            let a = rng.range(lo, hi);
            let b = rng.range(lo, hi);
            let t = rng.range(0, 2000 * H);
            let e = cals[0].elapsed(a, b);
            let d = cals[0].add(a, t);
            for cal in &cals[1..] {
                assert_eq!(cal.elapsed(a, b), e, "elapsed({a}, {b})");
                assert_eq!(cal.add(a, t), d, "add({a}, {t})");
            }
        }
        // Queries straddling both ends of the 2026 span.
        let s = utc(2025, 12, 23, 12, 0);
        assert_eq!(cals[0].add(s, 400 * 8 * H), cals[2].add(s, 400 * 8 * H));
        assert_eq!(
            cals[0].elapsed(s, utc(2027, 2, 1, 0, 0)),
            cals[2].elapsed(s, utc(2027, 2, 1, 0, 0))
        );
    }

    #[test]
    fn year_limits_never_panic() {
        let cal = default_cal(9998, 9999);
        // The clock closes after 9999-12-31: the budget cannot be used up.
        assert_eq!(cal.add(utc(9999, 12, 31, 12, 0), 9 * H), NEVER);
        check_add(
            &cal,
            utc(9999, 12, 30, 8, 0),
            8 * H,
            utc(9999, 12, 30, 16, 0),
        );
        assert_eq!(cal.add(i64::MAX - 1, H), NEVER);
        assert_eq!(cal.elapsed(i64::MAX - 10, i64::MAX), 0);
        // Friday 31 December 9999 is the last open day.
        assert_eq!(cal.elapsed(utc(9999, 12, 31, 0, 0), i64::MAX), 8 * H);
        assert_eq!(cal.elapsed(utc(9999, 12, 30, 0, 0), i64::MAX), 16 * H);
        // Year 1 is the first open year: 1 January 0001 is a Monday holiday.
        let early = default_cal(1, 1);
        let t = early.add(i64::MIN, H);
        assert_eq!(early.elapsed(i64::MIN, t), H);
        assert_eq!(early.local_date(t), date(1, 1, 2));
        assert_eq!(early.elapsed(i64::MIN, utc(1, 1, 2, 0, 0)), 0);
        // No span at all at the far ends.
        let none = default_cal(10_000, 0);
        assert_eq!(none.elapsed(i64::MIN, utc(1, 1, 5, 0, 0)), 24 * H);
        assert!(!none.is_holiday(NaiveDate::MAX));
    }

    #[test]
    fn week_without_open_time_gives_never() {
        let empty: Week = Default::default();
        let cal = BusinessCalendar::new(Europe::Bratislava, &empty, &[], &[], 2026, 2026);
        assert_eq!(cal.add(utc(2026, 3, 2, 0, 0), 1), NEVER);
        assert_eq!(cal.add(utc(2026, 3, 2, 0, 0), 0), utc(2026, 3, 2, 0, 0));
        assert_eq!(cal.elapsed(utc(2020, 1, 1, 0, 0), utc(2030, 1, 1, 0, 0)), 0);
        // Only empty pairs is no open time either.
        let cal = plain(Europe::Bratislava, &every_day(&[(hm(9, 0), hm(9, 0))]));
        assert_eq!(cal.add(utc(2026, 3, 2, 0, 0), 1), NEVER);
    }

    #[test]
    fn week_is_normalised() {
        // Unsorted, overlapping, touching and over-long pairs.
        let messy = every_day(&[
            (hm(13, 0), hm(17, 0)),
            (hm(9, 0), hm(12, 0)),
            (hm(11, 0), hm(13, 0)),
            (hm(20, 0), 100_000),
        ]);
        let clean = every_day(&[(hm(9, 0), hm(17, 0)), (hm(20, 0), DAY_SECS)]);
        let a = plain(Europe::Bratislava, &messy);
        let b = plain(Europe::Bratislava, &clean);
        let s = utc(2026, 3, 2, 0, 0);
        assert_eq!(a.elapsed(s, s + 7 * 24 * H), 7 * 12 * H);
        for t in [H, 8 * H, 9 * H, 30 * H] {
            assert_eq!(a.add(s, t), b.add(s, t));
        }
    }

    // ---- invariants over random schedules --------------------------------

    /// Small deterministic generator for the table-driven checks above.
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            self.0 >> 33
        }

        /// Uniform-ish in `[lo, hi)`.
        fn range(&mut self, lo: i64, hi: i64) -> i64 {
            lo + (self.next() % (hi - lo) as u64) as i64
        }
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        const ZONES: [Tz; 7] = [
            Europe::Bratislava,
            America::New_York,
            Australia::Lord_Howe,
            America::Sao_Paulo,
            Asia::Kolkata,
            Pacific::Apia,
            Tz::UTC,
        ];

        /// One weekday: up to 3 pairs on a 30-minute grid, `24:00` allowed,
        /// empty days and empty pairs included; edges often land in DST
        /// gaps and folds (02:00-03:00).
        fn day() -> impl Strategy<Value = Vec<(u32, u32)>> {
            prop::collection::vec(0u32..=48, 0..=6).prop_map(|mut cuts| {
                cuts.sort_unstable();
                cuts.chunks_exact(2)
                    .map(|p| (p[0] * 1800, p[1] * 1800))
                    .collect()
            })
        }

        fn week() -> impl Strategy<Value = Week> {
            prop::array::uniform7(day())
        }

        fn calendar_parts() -> impl Strategy<Value = (Tz, Week, Vec<HolidayRule>, i32)> {
            (
                prop::sample::select(ZONES.to_vec()),
                week(),
                prop::sample::subsequence(HolidayRule::ALL.to_vec(), 0..=11),
                2016i32..=2020,
            )
        }

        /// Instants between 2015 and 2022, so that queries fall inside,
        /// outside and across the random two-year span.
        fn instant() -> impl Strategy<Value = i64> {
            1_420_070_400i64..1_640_995_200
        }

        /// Extra holiday dates in the query range (2015-2022).
        fn holiday_dates() -> impl Strategy<Value = Vec<NaiveDate>> {
            prop::collection::vec((2015i32..=2022, 1u32..=12, 1u32..=28), 0..12).prop_map(|v| {
                v.into_iter()
                    .map(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).unwrap())
                    .collect()
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(64))]

            /// With holiday dates too: additivity at any three points, and
            /// `add` monotone in the start and in the budget.
            #[test]
            fn additive_and_monotone_with_holiday_dates(
                (tz, week, rules, first) in calendar_parts(),
                dates in holiday_dates(),
                queries in prop::collection::vec(
                    (instant(), instant(), instant(), 0i64..300 * 3600, 0i64..300 * 3600),
                    6,
                ),
            ) {
                let cal = BusinessCalendar::new(tz, &week, &rules, &dates, first, first + 1);
                let walker = BusinessCalendar::new(tz, &week, &rules, &dates, 1, 0);
                for d in &dates {
                    prop_assert!(cal.is_holiday(*d));
                }
                for (x, y, z, t1, t2) in queries {
                    let mut p = [x, y, z];
                    p.sort_unstable();
                    let [a, b, c] = p;
                    let e = cal.elapsed(a, c);
                    prop_assert_eq!(e, cal.elapsed(a, b) + cal.elapsed(b, c), "additivity");
                    prop_assert!(e <= c - a, "elapsed <= wall time");
                    prop_assert_eq!(e, walker.elapsed(a, c), "table == walk");
                    let (t1, t2) = (t1.min(t2), t1.max(t2));
                    // monotone in T, then in s
                    prop_assert!(cal.add(a, t1) <= cal.add(a, t2), "add monotone in T");
                    prop_assert!(cal.add(a, t1) <= cal.add(b, t1), "add monotone in s");
                    let d = cal.add(a, t2);
                    prop_assert_eq!(d, walker.add(a, t2), "table == walk (add)");
                    if d != NEVER {
                        prop_assert_eq!(cal.elapsed(a, d), t2, "elapsed(s, add(s, T)) == T");
                        if t2 > 0 {
                            prop_assert!(cal.elapsed(a, d - 1) < t2, "add is the earliest");
                        }
                    }
                }
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(96))]

            #[test]
            fn invariants(
                (tz, week, rules, first) in calendar_parts(),
                queries in prop::collection::vec((instant(), instant(), 0i64..600 * 3600), 8),
            ) {
                let cal = BusinessCalendar::new(tz, &week, &rules, &[], first, first + 1);
                let walker = BusinessCalendar::new(tz, &week, &rules, &[], 1, 0);
                let has_open = week.iter().any(|d| d.iter().any(|&(o, c)| o < c));
                for (a, b, t) in queries {
                    let (a, b) = (a.min(b), a.max(b));
                    let e = cal.elapsed(a, b);
                    prop_assert!(e >= 0 && e <= b - a, "elapsed <= wall time");
                    prop_assert_eq!(e, walker.elapsed(a, b), "table == walk");
                    let mid = a + (b - a) / 3;
                    prop_assert_eq!(e, cal.elapsed(a, mid) + cal.elapsed(mid, b), "additivity");
                    let d = cal.add(a, t);
                    prop_assert_eq!(d, walker.add(a, t), "table == walk (add)");
                    if !has_open {
                        prop_assert!(t == 0 || d == NEVER);
                        continue;
                    }
                    prop_assert!(d >= a);
                    prop_assert_eq!(cal.elapsed(a, d), t, "elapsed(s, add(s, T)) == T");
                    if t > 0 {
                        prop_assert!(cal.elapsed(a, d - 1) < t, "add is the earliest");
                    }
                }
            }
        }
    }
}
