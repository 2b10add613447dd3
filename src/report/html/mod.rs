//! `report.html`: one self-contained page for people (charts embedded as
//! data URIs, no scripts, no network). Every figure comes from the same rows
//! as the CSV files and is formatted by the same functions, so the page and
//! the CSVs cannot disagree.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::aggregate::{attainment_hundredths, percent_text, SummaryRow};
use crate::analysis::{Analysis, ModeCounts};
use crate::calendar::HolidayRule;
use crate::evaluation::Evaluation;
use crate::ingest::{Counts, Kind};
use crate::labels::Labels;
use crate::model::month_text;
use crate::model::ClockKind;
use crate::model::Status;
use crate::period::Period;
use crate::policy::{Mode, Policy, Target};
use crate::report::csv::SUMMARY_HEADER;
use crate::timestamp;

mod analysis;
mod inputs;
mod tickets;

use analysis::{breakdowns_section, comparison_section, organizations_section};
use inputs::{customer_inputs_section, rejects_section};
use tickets::{at_risk_section, breaches_section};

/// How many breaches the "worst breaches" table lists.
pub const WORST_BREACHES: usize = 20;
/// How many mode-sensitive tickets, groups or assignees the page lists (the
/// CSV files have them all).
pub const LISTED: usize = 10;
/// How many open tickets the "next to breach" table lists.
pub const NEXT_TO_BREACH: usize = 20;

/// A chart to embed.
pub struct Chart<'a> {
    pub file: &'a str,
    pub title: &'a str,
    /// One or two sentences on how to read it.
    pub caption: &'a str,
    pub png: &'a [u8],
}

/// What the page shows.
pub struct ReportData<'a> {
    pub policy: &'a Policy,
    /// `--input-tz` as given.
    pub input_tz: &'a str,
    /// `--month` / `--from` / `--until`, when given.
    pub period: Option<&'a Period>,
    pub evaluation: &'a Evaluation,
    pub analysis: &'a Analysis,
    pub charts: Vec<Chart<'a>>,
    /// How a helpdesk export was read (none for the native files).
    pub input_note: Option<String>,
    /// The organization of a customer's own page (`--per-customer`): it
    /// names the customer and shows only figures of its tickets, so the
    /// sections about the whole export or other customers are left out.
    pub customer: Option<&'a str>,
}

/// Escapes text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Standard base64 with padding (RFC 4648).
pub fn base64(data: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for c in data.chunks(3) {
        let n = (c[0] as u32) << 16
            | (*c.get(1).unwrap_or(&0) as u32) << 8
            | *c.get(2).unwrap_or(&0) as u32;
        out.push(ABC[(n >> 18) as usize & 63] as char);
        out.push(ABC[(n >> 12) as usize & 63] as char);
        out.push(if c.len() > 1 {
            ABC[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if c.len() > 2 {
            ABC[n as usize & 63] as char
        } else {
            '='
        });
    }
    out
}

/// A duration for people: `2h 15m`, `45m 10s`, `30s` (hours are not
/// turned into days: a business day is not 24 hours).
pub fn human_duration(seconds: i64) -> String {
    let s = seconds.abs();
    let sign = if seconds < 0 { "-" } else { "" };
    let (h, m, sec) = (s / 3600, s % 3600 / 60, s % 60);
    if h > 0 {
        format!("{sign}{h}h {m:02}m")
    } else if m > 0 {
        format!("{sign}{m}m {sec:02}s")
    } else {
        format!("{sign}{sec}s")
    }
}

/// `3 hours 30 minutes`, `1 hour`, `45 minutes`.
fn duration_words(seconds: i64) -> String {
    let (h, m, s) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
    let mut parts = Vec::new();
    let unit = |n: i64, one: &str| format!("{n} {one}{}", if n == 1 { "" } else { "s" });
    if h > 0 {
        parts.push(unit(h, "hour"));
    }
    if m > 0 {
        parts.push(unit(m, "minute"));
    }
    if s > 0 {
        parts.push(unit(s, "second"));
    }
    parts.join(" ")
}

/// A target in words, as in the contract's table.
fn target_words(t: Option<Target>) -> String {
    match t {
        None => "none".to_string(),
        Some(t) => {
            let d = duration_words(t.within_s);
            match t.clock {
                ClockKind::Business => {
                    // "3 business hours"; other spellings keep "of business time"
                    if t.within_s % 3600 == 0 {
                        let h = t.within_s / 3600;
                        format!("within {h} business hour{}", if h == 1 { "" } else { "s" })
                    } else {
                        format!("within {d} of business time")
                    }
                }
                ClockKind::TwentyFourSeven => format!("within {d}, 24/7"),
            }
        }
    }
}

fn holiday_words(rule: HolidayRule) -> &'static str {
    match rule {
        HolidayRule::NewYearsDay => "New Year's Day (1 Jan)",
        HolidayRule::Epiphany => "Epiphany (6 Jan)",
        HolidayRule::GoodFriday => "Good Friday",
        HolidayRule::EasterMonday => "Easter Monday",
        HolidayRule::LabourDay => "Labour Day (1 May)",
        HolidayRule::AscensionDay => "Ascension Day",
        HolidayRule::WhitMonday => "Whit Monday",
        HolidayRule::ChristmasEve => "Christmas Eve (24 Dec)",
        HolidayRule::ChristmasDay => "Christmas Day (25 Dec)",
        HolidayRule::StStephensDay => "St Stephen's Day (26 Dec)",
        HolidayRule::NewYearsEve => "New Year's Eve (31 Dec)",
    }
}

fn mode_words(mode: Mode) -> &'static str {
    match mode {
        Mode::Current => "the priority in effect at the first response decides the target, timed from creation",
        Mode::Restart => "the priority in effect at the first response decides the target, timed from the last reclassification",
        Mode::Initial => "the priority the customer submitted decides the target, timed from creation; reclassifications are ignored",
        Mode::Prorata => "each period of a ticket's life uses up its share of the target of the priority in effect then; breached when the shares add up to more than 1",
    }
}

const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// `Monday to Friday 09:00–17:00; Saturday, Sunday closed`.
fn business_hours_words(policy: &Policy) -> String {
    let week = &policy.business_hours;
    let mut parts = Vec::new();
    let mut i = 0;
    while i < 7 {
        let mut j = i;
        while j + 1 < 7 && week[j + 1] == week[i] {
            j += 1;
        }
        let days = match j - i {
            0 => WEEKDAYS[i].to_string(),
            1 => format!("{}, {}", WEEKDAYS[i], WEEKDAYS[j]),
            _ => format!("{} to {}", WEEKDAYS[i], WEEKDAYS[j]),
        };
        let hours = if week[i].is_empty() {
            "closed".to_string()
        } else {
            week[i]
                .iter()
                .map(|&(a, b)| {
                    format!(
                        "{}\u{2013}{}",
                        crate::policy::format_hhmm(a),
                        crate::policy::format_hhmm(b)
                    )
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        parts.push(format!("{days} {hours}"));
        i = j + 1;
    }
    parts.join("; ")
}

/// `2026-03-02 10:15 CET` in the policy zone.
fn local(policy: &Policy, t: i64) -> String {
    crate::model::local_time::to_local(policy.timezone, t)
        .map_or_else(String::new, |l| l.format("%Y-%m-%d %H:%M %Z").to_string())
}

/// `1 ticket`, `2 tickets`.
fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map_or_else(String::new, |v| v.to_string())
}

const CSS: &str = "
body{font-family:'DejaVu Sans',Verdana,Arial,sans-serif;color:#212121;margin:0;background:#fff;font-size:15px;line-height:1.45}
main{max-width:1240px;margin:0 auto;padding:24px 20px 48px}
h1{font-size:28px;margin:0 0 6px}
h2{font-size:21px;margin:36px 0 10px;padding-top:10px;border-top:2px solid #ddd}
h3{font-size:17px;margin:22px 0 8px}
p{margin:6px 0}
.meta{color:#444}
table{border-collapse:collapse;margin:8px 0 4px}
th,td{border:1px solid #d0d0d0;padding:4px 8px;vertical-align:top}
th{background:#f2f2f2;text-align:left;font-weight:bold}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.sub{display:block;color:#666;font-size:12px}
tr.month-start td{border-top:2px solid #999}
code{font-family:'DejaVu Sans Mono',monospace;font-size:13px}
figure{margin:18px 0 28px}
figure img{max-width:100%;height:auto;outline:1px solid #ddd}
figcaption{color:#444;margin-top:4px}
.big{font-size:20px;font-weight:bold}
.good{color:#1b5e20}
.bad{color:#b71c1c}
.note{color:#555;font-size:13px}
nav a{margin-right:14px}
.wide{overflow-x:auto}
table.compact{font-size:13px}
table.compact th{font-size:12px}
.nw{white-space:nowrap}
code.hash{font-size:11px;word-break:break-all}
@page{size:A4;margin:14mm 12mm 16mm}
@media print{
body{font-size:10pt;line-height:1.35}
main{max-width:none;padding:0}
nav{display:none}
a{color:inherit;text-decoration:none}
h2{margin-top:18px}
h2,h3{break-after:avoid}
tr,figure,img,.big{break-inside:avoid}
thead{display:table-header-group}
.wide{overflow:visible}
table.compact{font-size:8pt}
table.compact th{font-size:7.5pt}
figure{margin:8px 0 14px}
figure img{max-height:112mm;max-width:100%;width:auto;outline:none}
}
";

/// The period in words: for the title, and for the page's first line (HTML).
fn period_words(r: &ReportData<'_>) -> (String, String) {
    let zone = esc(r.policy.timezone.name());
    match r.period {
        Some(period) => {
            let flags = match period {
                Period::Months(_) => "<code>--month</code>",
                Period::Dates {
                    from: Some(_),
                    until: Some(_),
                } => "<code>--from</code> and <code>--until</code>, both days included",
                Period::Dates { from: Some(_), .. } => "<code>--from</code>",
                Period::Dates { .. } => "<code>--until</code>, that day included",
            };
            let text = period.describe();
            let line = format!(
                "tickets created {} (selected with {flags}; dates of ticket creation in {zone})",
                esc(&text)
            );
            (text, line)
        }
        None => {
            let months = r.evaluation.summary.iter().map(|s| s.month);
            let text = match (months.clone().min(), months.max()) {
                (Some(a), Some(b)) if a == b => month_text(a),
                (Some(a), Some(b)) => format!("{} to {}", month_text(a), month_text(b)),
                _ => "no tickets".to_string(),
            };
            let line = format!(
                "{} (every ticket of the files, no period selected; month of ticket creation in {zone})",
                esc(&text)
            );
            (text, line)
        }
    }
}

/// The page.
pub fn render(r: &ReportData<'_>) -> String {
    let p = r.policy;
    let ev = r.evaluation;
    let mut h = String::with_capacity(1 << 20);
    let (period, period_line) = period_words(r);
    let as_of = match ev.as_of {
        Some(t) => format!(
            "{} <span class=\"note\">({})</span>",
            timestamp::format_utc(t),
            esc(&local(p, t))
        ),
        None => "none (no accepted rows)".to_string(),
    };

    h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let customer = r
        .customer
        .map(|c| format!(": {}", esc(c)))
        .unwrap_or_default();
    let _ = writeln!(
        h,
        "<title>SLA first-response report{customer}, {}</title>",
        esc(&period)
    );
    let _ = writeln!(h, "<style>{CSS}</style>\n</head>\n<body>\n<main>");
    let _ = writeln!(h, "<h1>First-response SLA report{customer}</h1>");
    let _ = writeln!(
        h,
        "<p class=\"meta\" id=\"period\"><b>Period:</b> {period_line}</p>\n<p class=\"meta\"><b>As of:</b> {} &nbsp; <b>Tickets evaluated:</b> {}</p>",
        as_of,
        ev.outcomes.len()
    );
    let _ = writeln!(
        h,
        "<p class=\"meta\"><b>Reclassification rule:</b> <code>{}</code>: {}. <b>Input time zone:</b> <code>{}</code>. Made by {}.</p>",
        ev.mode.as_str(),
        mode_words(ev.mode),
        esc(r.input_tz),
        concat!("sla-report ", env!("CARGO_PKG_VERSION"))
    );
    h.push_str("<nav><a href=\"#policy\">Policy</a><a href=\"#headline\">Headline</a><a href=\"#charts\">Charts</a><a href=\"#summary\">Monthly summary</a><a href=\"#breaches\">Worst breaches</a>");
    if r.customer.is_some() {
        h.push_str("<a href=\"#inputs\">Input files</a></nav>\n");
    } else {
        h.push_str("<a href=\"#at-risk\">Next to breach</a><a href=\"#comparison\">Policy comparison</a><a href=\"#reclassifications\">Reclassifications</a><a href=\"#breakdowns\">Groups and assignees</a>");
        if r.analysis.by_organization.is_some() {
            h.push_str("<a href=\"#organizations\">Customers</a>");
        }
        h.push_str("<a href=\"#rejects\">Input and rejects</a></nav>\n");
    }

    policy_section(&mut h, p, ev.mode);
    headline_section(&mut h, r);
    charts_section(&mut h, r);
    summary_section(&mut h, r);
    breaches_section(&mut h, r);
    if r.customer.is_some() {
        // the rest is about the whole export, other customers, or files
        // that are not in a customer's folder
        customer_inputs_section(&mut h, r);
    } else {
        at_risk_section(&mut h, r);
        comparison_section(&mut h, r);
        reclassification_section(&mut h, r);
        breakdowns_section(&mut h, r);
        organizations_section(&mut h, r);
        rejects_section(&mut h, r);
    }
    h.push_str("</main>\n</body>\n</html>\n");
    h
}

fn policy_section(h: &mut String, p: &Policy, mode: Mode) {
    h.push_str("<h2 id=\"policy\">The policy measured</h2>\n");
    h.push_str("<p>Guaranteed first-response times, by plan and ticket priority, as this run read them:</p>\n<table><tr><th>priority</th>");
    for plan in &p.plans {
        let _ = write!(h, "<th>{}</th>", esc(&plan.name));
    }
    h.push_str("</tr>\n");
    for (&level, name) in &p.priorities {
        let _ = write!(h, "<tr><td>{level} {}</td>", esc(name));
        for plan in &p.plans {
            let _ = write!(
                h,
                "<td>{}</td>",
                target_words(plan.targets.get(&level).copied())
            );
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n<ul>\n");
    let _ = writeln!(
        h,
        "<li>Business hours: {}, in <code>{}</code> local time (with its daylight-saving rules).</li>",
        business_hours_words(p),
        esc(p.timezone.name())
    );
    let mut holidays: Vec<String> = p
        .holiday_rules
        .iter()
        .map(|&r| holiday_words(r).to_string())
        .collect();
    holidays.extend(
        p.holiday_dates
            .iter()
            .map(|d| d.format("%Y-%m-%d").to_string()),
    );
    let _ = writeln!(
        h,
        "<li>Holidays (closed all day): {}.</li>",
        if holidays.is_empty() {
            "none".to_string()
        } else {
            esc(&holidays.join(", "))
        }
    );
    let _ = writeln!(
        h,
        "<li>Not covered: tickets about products in stage {}.</li>",
        if p.excluded_stages.is_empty() {
            "(none)".to_string()
        } else {
            p.excluded_stages
                .iter()
                .map(|s| format!("<code>{}</code>", esc(s)))
                .collect::<Vec<_>>()
                .join(", ")
        }
    );
    let _ = writeln!(
        h,
        "<li>A ticket submitted without a priority is {}.</li>",
        esc(&p.priority_label(p.default_priority))
    );
    let _ = writeln!(
        h,
        "<li>Reclassified tickets (<code>{}</code>): {}.</li>\n</ul>",
        mode.as_str(),
        mode_words(mode)
    );
}

/// Met, breached, open-breached and ticket counts summed over rows.
#[derive(Default, Clone, Copy)]
struct Tally {
    tickets: u64,
    met: u64,
    counted: u64,
    reclassified: u64,
}

impl Tally {
    fn add(&mut self, s: &SummaryRow) {
        self.tickets += s.tickets;
        self.met += s.count(Status::Met);
        self.counted += s.counted();
        self.reclassified += s.reclassified;
    }
    fn attainment(&self) -> Option<String> {
        attainment_hundredths(self.met, self.counted).map(percent_text)
    }
}

fn headline_section(h: &mut String, r: &ReportData<'_>) {
    let p = r.policy;
    h.push_str("<h2 id=\"headline\">Attainment over the whole period</h2>\n");
    h.push_str("<p>Attainment = met / (met + breached + open and already breached), over all months; rounded half to even like <code>attainment_pct</code> in summary.csv. Open tickets still within target are not counted yet.</p>\n");
    let plans: Vec<usize> = (0..p.plans.len())
        .filter(|&i| !p.plans[i].targets.is_empty())
        .collect();
    if plans.is_empty() {
        h.push_str("<p>No plan has a target.</p>\n");
        return;
    }
    let mut by: BTreeMap<(usize, u32), Tally> = BTreeMap::new();
    let mut per_plan: BTreeMap<usize, Tally> = BTreeMap::new();
    for s in &r.evaluation.summary {
        by.entry((s.plan as usize, s.priority)).or_default().add(s);
        if p.plans[s.plan as usize].targets.contains_key(&s.priority) {
            per_plan.entry(s.plan as usize).or_default().add(s);
        }
    }
    let cell = |t: Option<&Tally>, has_target: bool| -> String {
        if !has_target {
            return "<td class=\"n\">no target</td>".to_string();
        }
        match t.and_then(|t| t.attainment().map(|a| (a, t))) {
            Some((a, t)) => format!(
                "<td class=\"n\"><span class=\"big\">{a}%</span><span class=\"sub\">{} met of {}</span></td>",
                t.met, t.counted
            ),
            None => "<td class=\"n\">no counted tickets</td>".to_string(),
        }
    };
    h.push_str("<table><tr><th>priority</th>");
    for &i in &plans {
        let _ = write!(h, "<th>{}</th>", esc(&p.plans[i].name));
    }
    h.push_str("</tr>\n");
    for &level in p.priorities.keys() {
        let _ = write!(h, "<tr><td>{}</td>", esc(&p.priority_label(level)));
        for &i in &plans {
            h.push_str(&cell(
                by.get(&(i, level)),
                p.plans[i].targets.contains_key(&level),
            ));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("<tr><td><b>all priorities with a target</b></td>");
    for &i in &plans {
        h.push_str(&cell(per_plan.get(&i), true));
    }
    h.push_str("</tr>\n</table>\n");
    // tickets per plan in one pass (not one pass per plan)
    let mut tickets: BTreeMap<usize, u64> = BTreeMap::new();
    for s in &r.evaluation.summary {
        *tickets.entry(s.plan as usize).or_default() += s.tickets;
    }
    let without: Vec<String> = (0..p.plans.len())
        .filter(|&i| p.plans[i].targets.is_empty())
        .map(|i| {
            let n = tickets.get(&i).copied().unwrap_or(0);
            format!(
                "{} ({})",
                esc(&p.plans[i].name),
                count(n as usize, "ticket")
            )
        })
        .collect();
    if !without.is_empty() {
        let _ = writeln!(
            h,
            "<p class=\"note\">No response time is guaranteed for: {}.</p>",
            without.join(", ")
        );
    }
}

fn charts_section(h: &mut String, r: &ReportData<'_>) {
    h.push_str("<h2 id=\"charts\">Charts</h2>\n");
    for c in &r.charts {
        let _ = writeln!(
            h,
            "<figure><img src=\"data:image/png;base64,{}\" alt=\"{}\" width=\"1200\"><figcaption><b>{}</b> ({}): {}</figcaption></figure>",
            base64(c.png),
            esc(c.title),
            esc(c.title),
            esc(c.file),
            esc(c.caption)
        );
    }
}

fn summary_section(h: &mut String, r: &ReportData<'_>) {
    let p = r.policy;
    h.push_str("<h2 id=\"summary\">Monthly summary</h2>\n");
    h.push_str("<p>Every row of <a href=\"summary.csv\"><code>summary.csv</code></a>, same figures, same columns. Times are seconds on the target's clock (business or 24/7), with hours and minutes below.</p>\n");
    h.push_str("<div class=\"wide\"><table id=\"summary-table\" class=\"compact\"><tr>");
    for col in SUMMARY_HEADER {
        // let the long column names break after an underscore
        let _ = write!(h, "<th>{}</th>", col.replace('_', "_<wbr>"));
    }
    h.push_str("</tr>\n");
    let mut prev_month = None;
    for s in &r.evaluation.summary {
        let class = if prev_month.is_some_and(|m| m != s.month) {
            " class=\"month-start\""
        } else {
            ""
        };
        prev_month = Some(s.month);
        let _ = write!(
            h,
            "<tr{class}><td class=\"nw\">{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>",
            month_text(s.month),
            esc(&p.plans[s.plan as usize].name),
            s.priority,
            s.tickets
        );
        for st in Status::ALL {
            let _ = write!(h, "<td class=\"n\">{}</td>", s.count(st));
        }
        let _ = write!(h, "<td class=\"n\">{}</td>", s.reclassified);
        let _ = write!(
            h,
            "<td class=\"n\">{}</td>",
            opt(s.attainment_hundredths().map(percent_text))
        );
        for v in [s.median_elapsed_s, s.p90_elapsed_s] {
            match v {
                Some(v) => {
                    let _ = write!(
                        h,
                        "<td class=\"n\">{v}<span class=\"sub\">{}</span></td>",
                        human_duration(v)
                    );
                }
                None => h.push_str("<td class=\"n\"></td>"),
            }
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table></div>\n");
}

fn policy_duration(s: i64) -> String {
    crate::policy::format_duration(s)
}

fn reclassification_section(h: &mut String, r: &ReportData<'_>) {
    let p = r.policy;
    h.push_str("<h2 id=\"reclassifications\">Reclassification highlights</h2>\n");
    h.push_str("<p>An effective change moves a ticket to a different priority. An upgrade moves it to a more urgent priority (a lower number, e.g. P3 to P1), a downgrade to a less urgent one. Counts include changes after the first response, up to the as-of instant, as in <a href=\"reclassifications.csv\"><code>reclassifications.csv</code></a>; who made them (the <code>changed_by</code> column: <code>agent</code>, <code>customer</code>, anything else is other) as in <a href=\"reclassification_summary.csv\"><code>reclassification_summary.csv</code></a>.</p>\n");
    let mut per_plan = vec![Tally::default(); p.plans.len()];
    for s in &r.evaluation.summary {
        per_plan[s.plan as usize].add(s);
    }
    let mut changes = vec![(0u64, 0u64, 0u64); p.plans.len()];
    let mut pairs: BTreeMap<(u32, u32, u32), u64> = BTreeMap::new();
    for f in &r.evaluation.flows {
        let c = &mut changes[f.flow.plan as usize];
        c.0 += f.changes;
        if f.flow.to > f.flow.from {
            c.1 += f.changes;
        } else {
            c.2 += f.changes;
        }
        *pairs
            .entry((f.flow.plan, f.flow.from, f.flow.to))
            .or_default() += f.changes;
    }
    // who made them, from reclassification_summary.csv
    let mut by = vec![[0u64; 3]; p.plans.len()];
    for row in &r.analysis.reclass {
        for (sum, n) in by[row.plan as usize].iter_mut().zip(row.by) {
            *sum += n;
        }
    }
    h.push_str("<table id=\"reclassification-plans\"><tr><th>plan</th><th>tickets</th><th>reclassified tickets</th><th>share</th><th>effective changes</th><th>downgrades</th><th>upgrades</th><th>by agents</th><th>by customers</th><th>by others</th></tr>\n");
    for (i, plan) in p.plans.iter().enumerate() {
        let t = per_plan[i];
        let (all, down, up) = changes[i];
        let [agent, customer, other] = by[i];
        let share = attainment_hundredths(t.reclassified, t.tickets).map(percent_text);
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{all}</td><td class=\"n\">{down}</td><td class=\"n\">{up}</td><td class=\"n\">{agent}</td><td class=\"n\">{customer}</td><td class=\"n\">{other}</td></tr>",
            esc(&plan.name),
            t.tickets,
            t.reclassified,
            share.map(|s| format!("{s}%")).unwrap_or_default(),
        );
    }
    h.push_str("</table>\n");
    let mut top: Vec<((u32, u32, u32), u64)> = pairs.into_iter().collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    if top.is_empty() {
        h.push_str("<p>No effective priority changes.</p>\n");
        return;
    }
    h.push_str("<h3>Most frequent changes over the period</h3>\n<table><tr><th>plan</th><th>from</th><th>to</th><th>changes</th></tr>\n");
    for ((plan, from, to), n) in top.iter().take(5) {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{n}</td></tr>",
            esc(&p.plans[*plan as usize].name),
            esc(&p.priority_label(*from)),
            esc(&p.priority_label(*to)),
        );
    }
    h.push_str("</table>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foob"), "Zm9vYg==");
        assert_eq!(base64(b"fooba"), "Zm9vYmE=");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64(&[0xff, 0xfe, 0xfd]), "//79");
    }

    #[test]
    fn durations_read_as_hours_and_minutes() {
        assert_eq!(human_duration(8100), "2h 15m");
        assert_eq!(human_duration(3600), "1h 00m");
        assert_eq!(human_duration(45 * 60 + 10), "45m 10s");
        assert_eq!(human_duration(30), "30s");
        assert_eq!(human_duration(-90), "-1m 30s");
        assert_eq!(duration_words(3 * 3600 + 1800), "3 hours 30 minutes");
        assert_eq!(duration_words(3600), "1 hour");
    }

    #[test]
    fn targets_read_like_the_contract_table() {
        let t = |s, clock| Some(Target { within_s: s, clock });
        assert_eq!(target_words(None), "none");
        assert_eq!(
            target_words(t(3 * 3600, ClockKind::Business)),
            "within 3 business hours"
        );
        assert_eq!(
            target_words(t(3600, ClockKind::TwentyFourSeven)),
            "within 1 hour, 24/7"
        );
        assert_eq!(
            target_words(t(5400, ClockKind::Business)),
            "within 1 hour 30 minutes of business time"
        );
    }

    #[test]
    fn html_special_characters_are_escaped() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }

    #[test]
    fn business_hours_group_equal_weekdays() {
        let p = Policy::embedded();
        assert_eq!(
            business_hours_words(&p),
            "Monday to Friday 09:00\u{2013}17:00; Saturday, Sunday closed"
        );
    }
}
