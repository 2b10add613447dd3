//! `report.html`: one self-contained page for people (charts embedded as
//! data URIs, no scripts, no network). Every figure comes from the same rows
//! as the CSV files and is formatted by the same functions, so the page and
//! the CSVs cannot disagree.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::aggregate::{attainment_hundredths, SummaryRow};
use crate::analysis::{Analysis, ModeCounts};
use crate::evaluation::Evaluation;
use crate::ingest::{Counts, Kind};
use crate::labels::Labels;
use crate::model::month_text;
use crate::model::ClockKind;
use crate::model::Status;
use crate::period::Period;
use crate::policy::{Mode, Policy, Target};
use crate::report::lang::{Listed, Texts};
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
    /// The note the chart shows in place of a plot, when it has none:
    /// the page says it in a line instead of showing an empty chart.
    pub no_data: Option<&'a str>,
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
    /// The page's language.
    pub texts: &'a Texts,
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
            // shown, not obeyed: a bidi override in a name would reorder
            // the page's text around it
            c if crate::terminal::hidden(c) => out.extend(c.escape_debug()),
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

/// A target in words, as in the contract's table.
fn target_words(t: &Texts, target: Option<Target>) -> String {
    match target {
        None => t.no_target_words.to_string(),
        Some(target) => match target.clock {
            // "3 business hours"; other spellings keep "of business time"
            ClockKind::Business if target.within_s % 3600 == 0 => {
                (t.within_business_hours)(target.within_s / 3600)
            }
            ClockKind::Business => (t.within_business_time)(&t.duration_words(target.within_s)),
            ClockKind::TwentyFourSeven => (t.within_24_7)(&t.duration_words(target.within_s)),
        },
    }
}

/// `Monday to Friday 09:00–17:00; Saturday, Sunday closed`.
fn business_hours_words(t: &Texts, policy: &Policy) -> String {
    let week = &policy.business_hours;
    let mut parts = Vec::new();
    let mut i = 0;
    while i < 7 {
        let mut j = i;
        while j + 1 < 7 && week[j + 1] == week[i] {
            j += 1;
        }
        let days = match j - i {
            0 => t.weekdays[i].to_string(),
            1 => format!("{}, {}", t.weekdays[i], t.weekdays[j]),
            _ => (t.day_range)(t.weekdays[i], t.weekdays[j]),
        };
        let hours = if week[i].is_empty() {
            t.closed.to_string()
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

/// `<thead><tr><th>a</th><th>b</th></tr></thead>` and a line break (a
/// table head, which print repeats on every page the table is on).
fn header_row(h: &mut String, columns: &[&str]) {
    h.push_str("<thead><tr>");
    for c in columns {
        let _ = write!(h, "<th>{c}</th>");
    }
    h.push_str("</tr></thead>\n");
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
.no-chart{color:#444}
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
    let t = r.texts;
    let zone = esc(r.policy.timezone.name());
    match r.period {
        Some(period) => {
            let flags = match period {
                Period::Months(_) => t.selected_with_month,
                Period::Dates {
                    from: Some(_),
                    until: Some(_),
                } => t.selected_with_from_until,
                Period::Dates { from: Some(_), .. } => t.selected_with_from,
                Period::Dates { .. } => t.selected_with_until,
            };
            let text = t.period(period);
            let line = (t.selected_period)(&esc(&text), flags, &zone);
            (text, line)
        }
        None => {
            let months = r.evaluation.summary.iter().map(|s| s.month);
            let text = match (months.clone().min(), months.max()) {
                (Some(a), Some(b)) if a == b => month_text(a),
                (Some(a), Some(b)) => (t.range)(&month_text(a), &month_text(b)),
                _ => t.no_tickets.to_string(),
            };
            let line = (t.whole_period)(&esc(&text), &zone);
            (text, line)
        }
    }
}

/// Which page a section is on.
#[derive(Clone, Copy, PartialEq, Eq)]
enum On {
    Both,
    /// The full report only: the section is about the whole export, other
    /// customers, or files that are not in a customer's folder.
    Full,
    /// A customer's own page only.
    Customer,
}

/// A section of the page: its anchor, its link in the navigation (the
/// catalogue's text), the pages it is on, and how it is written.
struct Section {
    anchor: &'static str,
    label: fn(&Texts) -> &'static str,
    on: On,
    write: fn(&mut String, &ReportData<'_>),
}

/// The page's sections, in order.
const SECTIONS: [Section; 12] = [
    Section {
        anchor: "policy",
        label: |t| t.nav[0],
        on: On::Both,
        write: |h, r| policy_section(h, r.texts, r.policy, r.evaluation.mode),
    },
    Section {
        anchor: "headline",
        label: |t| t.nav[1],
        on: On::Both,
        write: headline_section,
    },
    Section {
        anchor: "charts",
        label: |t| t.nav[2],
        on: On::Both,
        write: charts_section,
    },
    Section {
        anchor: "summary",
        label: |t| t.nav[3],
        on: On::Both,
        write: summary_section,
    },
    Section {
        anchor: "breaches",
        label: |t| t.nav[4],
        on: On::Both,
        write: breaches_section,
    },
    Section {
        anchor: "at-risk",
        label: |t| t.nav[5],
        on: On::Full,
        write: at_risk_section,
    },
    Section {
        anchor: "comparison",
        label: |t| t.nav[6],
        on: On::Full,
        write: comparison_section,
    },
    Section {
        anchor: "reclassifications",
        label: |t| t.nav[7],
        on: On::Full,
        write: reclassification_section,
    },
    Section {
        anchor: "breakdowns",
        label: |t| t.nav[8],
        on: On::Full,
        write: breakdowns_section,
    },
    Section {
        anchor: "organizations",
        label: |t| t.nav[9],
        on: On::Full,
        write: organizations_section,
    },
    Section {
        anchor: "rejects",
        label: |t| t.nav[10],
        on: On::Full,
        write: rejects_section,
    },
    Section {
        anchor: "inputs",
        label: |t| t.customer_inputs_heading,
        on: On::Customer,
        write: customer_inputs_section,
    },
];

/// The page.
pub fn render(r: &ReportData<'_>) -> String {
    let p = r.policy;
    let ev = r.evaluation;
    let t = r.texts;
    let mut h = String::with_capacity(1 << 20);
    let (period, period_line) = period_words(r);
    let as_of = match ev.as_of {
        Some(at) => format!(
            "{} <span class=\"note\">({})</span>",
            timestamp::format_utc(at),
            esc(&local(p, at))
        ),
        None => t.no_as_of.to_string(),
    };

    let _ = writeln!(
        h,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">",
        t.html_lang
    );
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    // a customer's own page names the customer first
    let with_customer = |text: &str| match r.customer {
        Some(c) => format!("{} \u{2014} {text}", esc(c)),
        None => text.to_string(),
    };
    let _ = writeln!(
        h,
        "<title>{}</title>",
        with_customer(&(t.title)(&esc(&period)))
    );
    let _ = writeln!(h, "<style>{CSS}</style>\n</head>\n<body>\n<main>");
    let _ = writeln!(h, "<h1>{}</h1>", with_customer(t.heading));
    let _ = writeln!(
        h,
        "<p class=\"meta\" id=\"period\"><b>{}</b> {period_line}</p>\n<p class=\"meta\"><b>{}</b> {} &nbsp; <b>{}</b> {}</p>",
        t.period_label,
        t.as_of_label,
        as_of,
        t.tickets_evaluated_label,
        ev.outcomes.len()
    );
    let _ = writeln!(
        h,
        "<p class=\"meta\"><b>{}</b> {}: {}. <b>{}</b> <code>{}</code>. {}</p>",
        t.rule_label,
        (t.mode_name)(ev.mode),
        (t.mode_words)(ev.mode),
        t.input_tz_label,
        esc(r.input_tz),
        (t.made_by)(concat!("sla-report ", env!("CARGO_PKG_VERSION")))
    );
    let page = if r.customer.is_some() {
        On::Customer
    } else {
        On::Full
    };
    let sections = || {
        SECTIONS
            .iter()
            .filter(move |s| s.on == On::Both || s.on == page)
    };
    h.push_str("<nav>");
    for s in sections() {
        // the per-organization section is there only with the column
        if s.anchor != "organizations" || r.analysis.by_organization.is_some() {
            let _ = write!(h, "<a href=\"#{}\">{}</a>", s.anchor, (s.label)(t));
        }
    }
    h.push_str("</nav>\n");
    for s in sections() {
        (s.write)(&mut h, r);
    }
    h.push_str("</main>\n</body>\n</html>\n");
    h
}

fn policy_section(h: &mut String, t: &Texts, p: &Policy, mode: Mode) {
    let _ = writeln!(h, "<h2 id=\"policy\">{}</h2>", t.policy_heading);
    let _ = write!(
        h,
        "<p>{}</p>\n<table><thead><tr><th>{}</th>",
        t.policy_intro, t.priority_header
    );
    for plan in &p.plans {
        let _ = write!(h, "<th>{}</th>", esc(&plan.name));
    }
    h.push_str("</tr></thead>\n");
    for &level in p.priorities.keys() {
        let _ = write!(
            h,
            "<tr><td>{level} {}</td>",
            esc(t.priority_name(p, level).unwrap_or_default())
        );
        for plan in &p.plans {
            let _ = write!(
                h,
                "<td>{}</td>",
                target_words(t, plan.targets.get(&level).copied())
            );
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n<ul>\n");
    let _ = writeln!(
        h,
        "<li>{}</li>",
        (t.business_hours_line)(
            &business_hours_words(t, p),
            &format!("<code>{}</code>", esc(p.timezone.name()))
        )
    );
    let mut holidays: Vec<String> = p
        .holiday_rules
        .iter()
        .map(|&r| (t.holiday)(r).to_string())
        .collect();
    holidays.extend(
        p.holiday_dates
            .iter()
            .map(|d| d.format("%Y-%m-%d").to_string()),
    );
    let _ = writeln!(
        h,
        "<li>{}</li>",
        (t.holidays_line)(&if holidays.is_empty() {
            t.no_holidays.to_string()
        } else {
            esc(&holidays.join(", "))
        })
    );
    let _ = writeln!(
        h,
        "<li>{}</li>",
        (t.not_covered_line)(&if p.excluded_stages.is_empty() {
            t.no_stages.to_string()
        } else {
            p.excluded_stages
                .iter()
                .map(|s| format!("<code>{}</code>", esc(s)))
                .collect::<Vec<_>>()
                .join(", ")
        })
    );
    let _ = writeln!(
        h,
        "<li>{}</li>",
        (t.default_priority_line)(&esc(&t.priority_label(p, p.default_priority)))
    );
    let _ = writeln!(
        h,
        "<li>{}</li>\n</ul>",
        (t.reclassified_line)((t.mode_name)(mode), (t.mode_words)(mode))
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
    fn attainment(&self) -> Option<u64> {
        attainment_hundredths(self.met, self.counted)
    }
}

fn headline_section(h: &mut String, r: &ReportData<'_>) {
    let p = r.policy;
    let t = r.texts;
    let _ = writeln!(
        h,
        "<h2 id=\"headline\">{}</h2>\n<p>{}</p>",
        t.headline_heading, t.headline_intro
    );
    // tickets per plan in one pass (not one pass per plan)
    let mut tickets: BTreeMap<usize, u64> = BTreeMap::new();
    for s in &r.evaluation.summary {
        *tickets.entry(s.plan as usize).or_default() += s.tickets;
    }
    // a customer's own page shows only the plans it has tickets in (a
    // customer is on one plan), the full report every plan of the policy
    let shown = |i: usize| r.customer.is_none() || tickets.contains_key(&i);
    let plans: Vec<usize> = (0..p.plans.len())
        .filter(|&i| !p.plans[i].targets.is_empty() && shown(i))
        .collect();
    let without: Vec<String> = (0..p.plans.len())
        .filter(|&i| p.plans[i].targets.is_empty() && shown(i))
        .map(|i| {
            let n = tickets.get(&i).copied().unwrap_or(0);
            format!("{} ({})", esc(&p.plans[i].name), t.count(n, t.ticket))
        })
        .collect();
    let no_guarantee = |h: &mut String| {
        if !without.is_empty() {
            let _ = writeln!(
                h,
                "<p class=\"note\">{}</p>",
                (t.no_guarantee)(&without.join(", "))
            );
        }
    };
    if plans.is_empty() {
        if without.is_empty() || r.customer.is_none() {
            let _ = writeln!(h, "<p>{}</p>", t.no_plan_with_target);
        }
        no_guarantee(h);
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
    let cell = |tally: Option<&Tally>, has_target: bool| -> String {
        if !has_target {
            return format!("<td class=\"n\">{}</td>", t.no_target);
        }
        match tally.and_then(|tally| tally.attainment().map(|a| (a, tally))) {
            Some((a, tally)) => format!(
                "<td class=\"n\"><span class=\"big\">{}</span><span class=\"sub\">{}</span></td>",
                t.percent(a),
                (t.met_of)(tally.met, tally.counted)
            ),
            None => format!("<td class=\"n\">{}</td>", t.no_counted_tickets),
        }
    };
    let _ = write!(h, "<table><thead><tr><th>{}</th>", t.priority_header);
    for &i in &plans {
        let _ = write!(h, "<th>{}</th>", esc(&p.plans[i].name));
    }
    h.push_str("</tr></thead>\n");
    for &level in p.priorities.keys() {
        let _ = write!(h, "<tr><td>{}</td>", esc(&t.priority_label(p, level)));
        for &i in &plans {
            h.push_str(&cell(
                by.get(&(i, level)),
                p.plans[i].targets.contains_key(&level),
            ));
        }
        h.push_str("</tr>\n");
    }
    let _ = write!(h, "<tr><td><b>{}</b></td>", t.all_priorities_with_target);
    for &i in &plans {
        h.push_str(&cell(per_plan.get(&i), true));
    }
    h.push_str("</tr>\n</table>\n");
    no_guarantee(h);
}

fn charts_section(h: &mut String, r: &ReportData<'_>) {
    let _ = writeln!(h, "<h2 id=\"charts\">{}</h2>", r.texts.charts_heading);
    for c in &r.charts {
        // the full report's folder holds the PNG files; a customer's
        // folder does not, so its page does not name them
        let file = match r.customer {
            None => format!(" ({})", esc(c.file)),
            Some(_) => String::new(),
        };
        if let Some(note) = c.no_data {
            let _ = writeln!(
                h,
                "<p class=\"no-chart\"><b>{}</b>{file}: {}.</p>",
                esc(c.title),
                esc(&(r.texts.no_chart)(note))
            );
            continue;
        }
        let _ = writeln!(
            h,
            "<figure><img src=\"data:image/png;base64,{}\" alt=\"{}\" width=\"1200\"><figcaption><b>{}</b>{file}: {}</figcaption></figure>",
            base64(c.png),
            esc(c.title),
            esc(c.title),
            esc(c.caption)
        );
    }
}

fn summary_section(h: &mut String, r: &ReportData<'_>) {
    let p = r.policy;
    let t = r.texts;
    let _ = writeln!(
        h,
        "<h2 id=\"summary\">{}</h2>\n<p>{}</p>",
        t.summary_heading, t.summary_intro
    );
    h.push_str("<div class=\"wide\"><table id=\"summary-table\" class=\"compact\"><thead><tr>");
    for col in t.summary_columns {
        // let the long column names break after an underscore
        let _ = write!(h, "<th>{}</th>", col.replace('_', "_<wbr>"));
    }
    h.push_str("</tr></thead>\n");
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
            opt(s.attainment_hundredths().map(|a| t.hundredths(a)))
        );
        for v in [s.median_elapsed_s, s.p90_elapsed_s] {
            match v {
                Some(v) => {
                    let _ = write!(
                        h,
                        "<td class=\"n\">{v}<span class=\"sub\">{}</span></td>",
                        t.duration(v)
                    );
                }
                None => h.push_str("<td class=\"n\"></td>"),
            }
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table></div>\n");
}

fn reclassification_section(h: &mut String, r: &ReportData<'_>) {
    let p = r.policy;
    let t = r.texts;
    let _ = writeln!(
        h,
        "<h2 id=\"reclassifications\">{}</h2>\n<p>{}</p>",
        t.reclassification_heading, t.reclassification_intro
    );
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
    h.push_str("<table id=\"reclassification-plans\">");
    header_row(h, &t.reclassification_columns);
    for (i, plan) in p.plans.iter().enumerate() {
        let tally = per_plan[i];
        let (all, down, up) = changes[i];
        let [agent, customer, other] = by[i];
        let share = attainment_hundredths(tally.reclassified, tally.tickets).map(|s| t.percent(s));
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{all}</td><td class=\"n\">{down}</td><td class=\"n\">{up}</td><td class=\"n\">{agent}</td><td class=\"n\">{customer}</td><td class=\"n\">{other}</td></tr>",
            esc(&plan.name),
            tally.tickets,
            tally.reclassified,
            share.unwrap_or_default(),
        );
    }
    h.push_str("</table>\n");
    let mut top: Vec<((u32, u32, u32), u64)> = pairs.into_iter().collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    if top.is_empty() {
        let _ = writeln!(h, "<p>{}</p>", t.no_changes);
        return;
    }
    let _ = write!(h, "<h3>{}</h3>\n<table>", t.frequent_heading);
    header_row(h, &t.frequent_columns);
    for ((plan, from, to), n) in top.iter().take(5) {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{n}</td></tr>",
            esc(&p.plans[*plan as usize].name),
            esc(&t.priority_label(p, *from)),
            esc(&t.priority_label(p, *to)),
        );
    }
    h.push_str("</table>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::lang::{EN, SV};

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
    fn targets_read_like_the_contract_table() {
        let t = |s, clock| Some(Target { within_s: s, clock });
        let target_words = |target| target_words(&EN, target);
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
    fn bidi_and_control_characters_are_shown_not_obeyed() {
        assert_eq!(esc("Acme\u{202e}bA"), "Acme\\u{202e}bA");
        assert_eq!(esc("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(esc("Åre Bygg"), "Åre Bygg");
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
            business_hours_words(&EN, &p),
            "Monday to Friday 09:00\u{2013}17:00; Saturday, Sunday closed"
        );
        assert_eq!(
            business_hours_words(&SV, &p),
            "måndag\u{2013}fredag 09:00\u{2013}17:00; lördag, söndag stängt"
        );
    }
}
