//! The languages of report.html and the charts (`--lang`): one catalogue
//! per language, a [`Texts`] value holding every text the page and the
//! charts show. `Texts` is a plain struct, so a catalogue that misses a text
//! does not compile; a third language is one file (`de.rs` with
//! `pub const DE: Texts`) and one [`Lang`] variant.
//!
//! Texts are HTML where the page shows them (they may hold `<code>`,
//! `<b>` and links); the values given to a catalogue's functions are
//! already escaped. Chart texts are plain. Numbers with decimals and
//! percentages are written through the catalogue (`85.80%`, `85,80 %`);
//! counts, dates (ISO) and times are the same in every language. The CSV
//! files, Parquet and run.json never depend on the language.

use crate::calendar::HolidayRule;
use crate::ingest::Reason;
use crate::model::{month_text, MonthKey, Status};
use crate::period::Period;
use crate::policy::{Mode, Policy};
use crate::report::csv::SUMMARY_HEADER;

mod en;
mod sv;

pub use en::EN;
pub use sv::{SV, SWEDISH_ALSO_ENGLISH};

/// The words of `text`, lowercased, to check that a text in one language
/// has none of another's. Names are left out: a token (between white
/// space, its outer punctuation but not `-` trimmed) with a digit or one
/// of `_./-=@:`
/// is a file, column, flag, ticket, time or number (`tickets.csv`,
/// `margin_s`, `--as-of`, `P1`, `24/7`); so are one-letter words.
pub fn words(text: &str) -> std::collections::BTreeSet<String> {
    let mut out = std::collections::BTreeSet::new();
    for token in text.split_whitespace() {
        let token = token.trim_matches(|c: char| !c.is_alphanumeric() && c != '-');
        if token
            .chars()
            .any(|c| c.is_ascii_digit() || "_./-=@:".contains(c))
        {
            continue;
        }
        for word in token.split(|c: char| !c.is_alphabetic()) {
            if word.chars().count() > 1 {
                out.insert(word.to_lowercase());
            }
        }
    }
    out
}

/// A language of the page and the charts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Swedish.
    Sv,
}

impl Lang {
    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::En => &EN,
            Lang::Sv => &SV,
        }
    }
}

/// A noun's singular and plural, for counts: `1 ticket`, `2 tickets`.
#[derive(Debug, Clone, Copy)]
pub struct Noun {
    pub one: &'static str,
    pub many: &'static str,
}

/// A chart's title and caption on the page.
#[derive(Debug, Clone, Copy)]
pub struct ChartCaption {
    pub title: &'static str,
    /// How to read it (after `title (file):`).
    pub caption: &'static str,
}

/// One breakdown of the page (by group, assignee or organization).
#[derive(Debug, Clone, Copy)]
pub struct Breakdown {
    /// The section's heading.
    pub heading: &'static str,
    /// The first column's header.
    pub column: &'static str,
    /// `n values of group; per month, plan and priority in FILE` (FILE is
    /// the link); the sentence goes on with [`Texts::breakdown_order`].
    pub values: fn(usize, &str) -> String,
}

/// How many rows a listing shows, for the sentence that says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listed {
    /// All, by name.
    AllByName,
    /// All, the lowest attainment first.
    AllWorstFirst,
    /// The first n by name.
    FirstByName(usize),
    /// The n with the lowest attainment.
    Worst(usize),
}

/// Every text of report.html and the three charts, in one language.
pub struct Texts {
    /// The page's `<html lang>`.
    pub html_lang: &'static str,

    // numbers and durations
    /// Between the whole and the fractional part: `85.80`, `85,80`.
    pub decimal_mark: char,
    /// After a percentage, HTML and charts alike: `%`, or a no-break
    /// space and `%`.
    pub percent_sign: &'static str,
    /// `2h 15m`: the units after hours, minutes and seconds.
    pub short_units: [&'static str; 3],
    /// A target's length in a table cell: `3h30m`, `3 h 30 min`.
    pub target_length: fn(i64) -> String,
    pub hour: Noun,
    pub minute: Noun,
    pub second: Noun,
    pub ticket: Noun,
    pub open_ticket: Noun,
    pub change: Noun,

    // the policy in words
    /// The built-in policy's priority names, levels 1 to 3. In [`EN`] they
    /// are the embedded policy's own names: a priority is built-in when
    /// its name is exactly that.
    pub built_in_priorities: [&'static str; 3],
    /// A missing target.
    pub no_target_words: &'static str,
    /// `within 3 business hours`.
    pub within_business_hours: fn(i64) -> String,
    /// `within 1 hour 30 minutes of business time` (a duration in words).
    pub within_business_time: fn(&str) -> String,
    /// `within 1 hour, 24/7`.
    pub within_24_7: fn(&str) -> String,
    pub holiday: fn(HolidayRule) -> &'static str,
    /// A reclassification rule's name on the page (HTML): `<code>current</code>`.
    pub mode_name: fn(Mode) -> &'static str,
    /// What a reclassification rule does, as a clause.
    pub mode_words: fn(Mode) -> &'static str,
    /// Monday to Sunday.
    pub weekdays: [&'static str; 7],
    /// `Monday to Friday`.
    pub day_range: fn(&str, &str) -> String,
    pub closed: &'static str,
    /// A status word as the page shows it (CSV files keep the contract's
    /// tokens).
    pub status: fn(Status) -> &'static str,
    /// `business time`, `24/7 time`: the clock a time was counted on.
    pub business_time: &'static str,
    pub time_24_7: &'static str,
    /// The clock after a target's length in a cell: `3h business`.
    pub business_short: &'static str,
    pub short_24_7: &'static str,
    /// `2h 15m of business time`: a duration and a clock.
    pub time_on_clock: fn(&str, &str) -> String,

    // the period
    /// `2026-01 to 2026-03` (months or dates).
    pub range: fn(&str, &str) -> String,
    /// The last joint of a list: `2026-01, 2026-02 and 2026-04`.
    pub and: &'static str,
    pub from_date: fn(&str) -> String,
    pub until_date: fn(&str) -> String,
    pub no_month: &'static str,
    pub every_date: &'static str,
    pub no_tickets: &'static str,
    /// How the period was selected (HTML).
    pub selected_with_month: &'static str,
    pub selected_with_from_until: &'static str,
    pub selected_with_from: &'static str,
    pub selected_with_until: &'static str,
    /// `tickets created PERIOD (selected with FLAGS; dates of ticket
    /// creation in ZONE)`.
    pub selected_period: fn(&str, &str, &str) -> String,
    /// `PERIOD (every ticket of the files, ...; month of ticket creation in
    /// ZONE)`.
    pub whole_period: fn(&str, &str) -> String,

    // the page's head
    /// The `<title>`, with the period.
    pub title: fn(&str) -> String,
    pub heading: &'static str,
    pub period_label: &'static str,
    pub as_of_label: &'static str,
    pub no_as_of: &'static str,
    pub tickets_evaluated_label: &'static str,
    pub rule_label: &'static str,
    pub input_tz_label: &'static str,
    /// `Made by sla-report 1.2.`
    pub made_by: fn(&str) -> String,
    /// The navigation links, in page order: policy, headline, charts,
    /// summary, breaches, at risk, comparison, reclassifications,
    /// breakdowns, organizations, rejects.
    pub nav: [&'static str; 11],

    // the policy measured
    pub policy_heading: &'static str,
    pub policy_intro: &'static str,
    pub priority_header: &'static str,
    /// Business hours, in a zone (HTML).
    pub business_hours_line: fn(&str, &str) -> String,
    pub holidays_line: fn(&str) -> String,
    pub no_holidays: &'static str,
    pub not_covered_line: fn(&str) -> String,
    pub no_stages: &'static str,
    pub default_priority_line: fn(&str) -> String,
    /// The rule's name (HTML) and what it does.
    pub reclassified_line: fn(&str, &str) -> String,

    // the headline
    pub headline_heading: &'static str,
    pub headline_intro: &'static str,
    pub no_plan_with_target: &'static str,
    pub no_target: &'static str,
    pub no_counted_tickets: &'static str,
    /// `12 met of 14`.
    pub met_of: fn(u64, u64) -> String,
    pub all_priorities_with_target: &'static str,
    pub no_guarantee: fn(&str) -> String,

    // charts on the page
    pub charts_heading: &'static str,
    /// In place of a chart with nothing to plot: its note (plain text).
    pub no_chart: fn(&str) -> String,
    pub attainment_chart: ChartCaption,
    pub response_times_chart: ChartCaption,
    pub reclassifications_chart: ChartCaption,

    // the monthly summary
    pub summary_heading: &'static str,
    pub summary_intro: &'static str,
    /// summary.csv's columns on the page (HTML), in its order.
    pub summary_columns: [&'static str; SUMMARY_HEADER.len()],

    // the worst breaches
    pub breaches_heading: fn(usize) -> String,
    pub breaches_intro: &'static str,
    pub no_breaches: &'static str,
    /// The table's header cells.
    pub breaches_columns: [&'static str; 8],
    pub no_response_yet: &'static str,
    /// `<b>10.6×</b> the target`.
    pub times_the_target: fn(&str) -> String,
    pub breaches_total: fn(usize) -> String,

    // next to breach
    pub at_risk_heading: &'static str,
    /// Open tickets in time and those already late.
    pub at_risk_intro: fn(usize, usize) -> String,
    pub none_at_risk: &'static str,
    /// #, ticket, organization, plan, priority, left (the deadline's
    /// header is [`Texts::deadline_in`]).
    pub at_risk_columns: [&'static str; 6],
    pub deadline_in: fn(&str) -> String,
    pub never: &'static str,

    // the policy comparison
    pub comparison_heading: &'static str,
    pub comparison_intro: &'static str,
    pub no_plan_with_tickets: &'static str,
    pub plan_header: &'static str,
    pub this_report: &'static str,
    pub mode_sensitive_heading: &'static str,
    /// Mode-sensitive tickets, reclassified ones, and how many are listed.
    pub mode_sensitive_intro: fn(usize, usize, Option<usize>) -> String,
    /// ticket, plan, month, submitted.
    pub mode_sensitive_columns: [&'static str; 4],

    // the breakdowns
    pub breakdowns_heading: &'static str,
    pub no_breakdown: &'static str,
    pub breakdowns_intro: &'static str,
    pub by_group: Breakdown,
    pub by_assignee: Breakdown,
    pub by_organization: Breakdown,
    /// How the breakdown table is cut and ordered, after its sentence.
    pub breakdown_order: fn(Listed) -> String,
    pub tickets_header: &'static str,
    pub attainment_header: &'static str,
    pub empty_value: &'static str,
    pub organizations_heading: &'static str,
    pub organizations_intro: &'static str,

    // reclassifications
    pub reclassification_heading: &'static str,
    pub reclassification_intro: &'static str,
    /// plan, tickets, reclassified tickets, share, effective changes,
    /// downgrades, upgrades, by agents, by customers, by others.
    pub reclassification_columns: [&'static str; 10],
    pub no_changes: &'static str,
    pub frequent_heading: &'static str,
    /// plan, from, to, changes.
    pub frequent_columns: [&'static str; 4],

    // input files and rejects
    pub rejects_heading: &'static str,
    pub rows_rejected: fn(usize) -> String,
    /// reason, rows.
    pub rejects_columns: [&'static str; 2],
    /// A reject reason's cell (HTML), with the contract's token of
    /// rejects.csv.
    pub reject_reason: fn(Reason) -> String,
    pub ticket_rows: &'static str,
    pub change_rows: &'static str,
    pub no_file_of_kind: &'static str,
    /// read, accepted, rejected, skipped.
    pub identity: fn(u64, u64, u64, u64) -> String,
    pub identity_outside: fn(u64) -> String,
    pub identity_ignored: fn(u64) -> String,
    /// file, kind, records read, accepted, rejected, skipped (after
    /// as-of), outside the period, ignored (other fields), warnings,
    /// SHA-256.
    pub files_columns: [&'static str; 10],
    pub kind_tickets: &'static str,
    pub kind_changes: &'static str,
    pub warnings_note: &'static str,
    pub warnings_mismatches: fn(u64) -> String,
    pub warnings_where: &'static str,
    /// How a built-in helpdesk export was read: its name. This note and
    /// the next two are plain text (the page escapes them).
    pub read_as_export: fn(&str) -> String,
    /// Through an import profile: its name.
    pub read_through_profile: fn(&str) -> String,
    /// Plans from `--customers`: its path and organizations.
    pub plans_from_customers: fn(&str, usize) -> String,
    /// The same on a customer's own page: its path and SHA-256.
    pub plans_from_customers_digest: fn(&str, &str) -> String,

    // a customer's own page (`--per-customer`)
    pub customer_inputs_heading: &'static str,
    /// What the figures are of: the organization (escaped HTML).
    pub customer_inputs_note: fn(&str) -> String,

    // the charts' own texts (plain text, drawn into the PNGs)
    pub no_data: &'static str,
    pub not_selected: &'static str,
    pub month_axis: &'static str,
    pub attainment_title: &'static str,
    pub attainment_subtitle: [&'static str; 2],
    pub attainment_band: &'static str,
    pub attainment_no_data: &'static str,
    pub attainment_axis: &'static str,
    pub every_ticket_in_time: &'static str,
    pub response_title: &'static str,
    pub response_subtitle: [&'static str; 3],
    pub response_no_data: &'static str,
    pub response_x_axis: &'static str,
    pub response_y_axis: &'static str,
    pub deadline: &'static str,
    /// `P1 Business Critical: 12 answered`, `, 10 in time`, `, 1 beyond 3×`.
    pub answered: fn(&str, usize) -> String,
    pub in_time: fn(usize) -> String,
    pub beyond: fn(usize) -> String,
    pub reclassifications_title: &'static str,
    pub reclassifications_subtitle: [&'static str; 3],
    pub reclassifications_no_data: &'static str,
    /// Plans and levels that do not fit the matrix.
    pub matrix_too_large: fn(usize, usize) -> String,
    pub to_priority: &'static str,
    pub from_priority: &'static str,
    pub reclassified_axis: &'static str,
}

impl Texts {
    /// The selection in words, for the page: the months (`2026-01 and
    /// 2026-03`; three or more in a row as `2026-01 to 2026-03`), or the dates
    /// (`2026-03-01 to 2026-03-15`, `from 2026-03-01`, `until 2026-03-15`;
    /// both ends are included).
    pub fn period(&self, period: &Period) -> String {
        let t = self;
        match period {
            Period::Months(months) => {
                let mut runs: Vec<(MonthKey, MonthKey)> = Vec::new();
                for &m in months {
                    match runs.last_mut() {
                        Some((_, last)) if *last + 1 == m => *last = m,
                        _ => runs.push((m, m)),
                    }
                }
                // three or more consecutive months read as a range
                let items: Vec<String> = runs
                    .iter()
                    .flat_map(|&(a, b)| {
                        if b - a >= 2 {
                            vec![(t.range)(&month_text(a), &month_text(b))]
                        } else {
                            (a..=b).map(month_text).collect()
                        }
                    })
                    .collect();
                if items.is_empty() {
                    t.no_month.to_string()
                } else {
                    t.and_list(&items)
                }
            }
            Period::Dates { from, until } => match (from, until) {
                (Some(f), Some(u)) => (t.range)(&f.to_string(), &u.to_string()),
                (Some(f), None) => (t.from_date)(&f.to_string()),
                (None, Some(u)) => (t.until_date)(&u.to_string()),
                (None, None) => t.every_date.to_string(),
            },
        }
    }

    /// `85.80`: hundredths with the language's decimal mark.
    pub fn hundredths(&self, h: u64) -> String {
        format!("{}{}{:02}", h / 100, self.decimal_mark, h % 100)
    }

    /// `85.80%`, `85,80 %`.
    pub fn percent(&self, h: u64) -> String {
        format!("{}{}", self.hundredths(h), self.percent_sign)
    }

    /// A whole percentage: `20%`, `20 %` (chart ticks).
    pub fn whole_percent(&self, p: f64) -> String {
        format!("{p:.0}{}", self.percent_sign)
    }

    /// Tenths: `10.6`, `10,6`.
    pub fn tenths(&self, t: i128) -> String {
        format!("{}{}{}", t / 10, self.decimal_mark, t % 10)
    }

    /// `1 ticket`, `2 tickets`.
    pub fn count(&self, n: u64, noun: Noun) -> String {
        format!("{n} {}", if n == 1 { noun.one } else { noun.many })
    }

    /// A duration for people: `2h 15m`, `45m 10s`, `30s` (hours are not
    /// turned into days: a business day is not 24 hours).
    pub fn duration(&self, seconds: i64) -> String {
        let s = seconds.abs();
        let sign = if seconds < 0 { "-" } else { "" };
        let (h, m, sec) = (s / 3600, s % 3600 / 60, s % 60);
        let [uh, um, us] = self.short_units;
        if h > 0 {
            format!("{sign}{h}{uh} {m:02}{um}")
        } else if m > 0 {
            format!("{sign}{m}{um} {sec:02}{us}")
        } else {
            format!("{sign}{sec}{us}")
        }
    }

    /// `3 hours 30 minutes`, `1 hour`, `45 minutes`.
    pub fn duration_words(&self, seconds: i64) -> String {
        let (h, m, s) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
        [(h, self.hour), (m, self.minute), (s, self.second)]
            .into_iter()
            .filter(|&(n, _)| n > 0)
            .map(|(n, noun)| self.count(n as u64, noun))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// A priority's name on the page: a built-in priority (its name is
    /// exactly the embedded policy's English name for its level) in this
    /// language, a custom policy's as written.
    pub fn priority_name<'p>(&self, policy: &'p Policy, level: u32) -> Option<&'p str> {
        let name = policy.priorities.get(&level)?;
        let built_in = (1..=3)
            .contains(&level)
            .then(|| level as usize - 1)
            .filter(|&i| EN.built_in_priorities[i] == name);
        Some(match built_in {
            Some(i) => self.built_in_priorities[i],
            None => name,
        })
    }

    /// `P1 Business Critical`, or `P7` for a level the policy does not name.
    pub fn priority_label(&self, policy: &Policy, level: u32) -> String {
        match self.priority_name(policy, level) {
            Some(name) => format!("P{level} {name}"),
            None => format!("P{level}"),
        }
    }

    /// The list `a, b and c`.
    pub fn and_list(&self, items: &[String]) -> String {
        match items.split_last() {
            Some((last, [])) => last.clone(),
            Some((last, rest)) => format!("{} {} {last}", rest.join(", "), self.and),
            None => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::model::month_key;
    use chrono::NaiveDate;

    /// The selection in each language's words, as a method to read like
    /// the page's use.
    trait Described {
        fn period_en(&self) -> String;
        fn period_sv(&self) -> String;
    }

    impl Described for Period {
        fn period_en(&self) -> String {
            EN.period(self)
        }
        fn period_sv(&self) -> String {
            SV.period(self)
        }
    }

    #[test]
    fn a_selection_reads_as_what_was_selected() {
        let months =
            |ms: &[(i32, u32)]| Period::Months(ms.iter().map(|&(y, m)| month_key(y, m)).collect());
        assert_eq!(months(&[(2026, 3)]).period_en(), "2026-03");
        assert_eq!(
            months(&[(2026, 1), (2026, 3)]).period_en(),
            "2026-01 and 2026-03"
        );
        assert_eq!(
            months(&[
                (2025, 12),
                (2026, 1),
                (2026, 2),
                (2026, 4),
                (2026, 5),
                (2026, 7)
            ])
            .period_en(),
            "2025-12 to 2026-02, 2026-04, 2026-05 and 2026-07"
        );
        let day = |d| NaiveDate::from_ymd_opt(2026, 3, d);
        let dates = |from, until| Period::Dates { from, until };
        assert_eq!(
            dates(day(1), day(15)).period_en(),
            "2026-03-01 to 2026-03-15"
        );
        assert_eq!(dates(day(1), None).period_en(), "from 2026-03-01");
        assert_eq!(dates(None, day(15)).period_en(), "until 2026-03-15");
        assert_eq!(
            months(&[(2026, 1), (2026, 3)]).period_sv(),
            "2026-01 och 2026-03"
        );
        assert_eq!(dates(None, day(15)).period_sv(), "till och med 2026-03-15");
        // a month counts as selected when any of its days is
        let march = dates(day(15), day(15));
        assert!(march.selects_month(month_key(2026, 3)));
        assert!(!march.selects_month(month_key(2026, 2)));
        assert!(!march.selects_month(month_key(2026, 4)));
        assert!(!months(&[(2026, 1), (2026, 3)]).selects_month(month_key(2026, 2)));
    }

    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn swedish_writes_a_decimal_comma_and_a_no_break_space_before_percent() {
        assert_eq!(SV.percent(8580), "85,80\u{a0}%");
        assert_eq!(SV.hundredths(10_000), "100,00");
        assert_eq!(SV.tenths(106), "10,6");
        assert_eq!(SV.whole_percent(20.0), "20\u{a0}%");
    }

    #[test]
    fn english_numbers_are_unchanged() {
        assert_eq!(EN.percent(8580), "85.80%");
        assert_eq!(EN.hundredths(312), crate::aggregate::percent_text(312));
        assert_eq!(EN.tenths(106), "10.6");
        assert_eq!(EN.whole_percent(20.0), "20%");
    }

    #[test]
    fn durations_read_as_hours_and_minutes() {
        assert_eq!(EN.duration(8100), "2h 15m");
        assert_eq!(EN.duration(3600), "1h 00m");
        assert_eq!(EN.duration(45 * 60 + 10), "45m 10s");
        assert_eq!(EN.duration(30), "30s");
        assert_eq!(EN.duration(-90), "-1m 30s");
        assert_eq!(EN.duration_words(3 * 3600 + 1800), "3 hours 30 minutes");
        assert_eq!(EN.duration_words(3600), "1 hour");
        assert_eq!(SV.duration(8100), "2\u{a0}h 15\u{a0}min");
        assert_eq!(SV.duration_words(3600 + 60), "1 timme 1 minut");
        assert_eq!(SV.duration_words(2 * 3600 + 120), "2 timmar 2 minuter");
    }

    #[test]
    fn english_built_in_priority_names_are_the_embedded_policys() {
        let p = Policy::embedded();
        let names: Vec<&str> = p.priorities.values().map(String::as_str).collect();
        assert_eq!(names, EN.built_in_priorities);
        assert_eq!(p.priorities.keys().copied().collect::<Vec<_>>(), [1, 2, 3]);
    }

    #[test]
    fn built_in_priorities_are_translated_and_custom_names_kept() {
        let mut p = Policy::embedded();
        assert_eq!(SV.priority_label(&p, 1), "P1 Affärskritiskt");
        assert_eq!(SV.priority_label(&p, 2), "P2 Degraderad service");
        assert_eq!(SV.priority_label(&p, 3), "P3 Allmänna problem");
        assert_eq!(EN.priority_label(&p, 1), p.priority_label(1));
        assert_eq!(SV.priority_label(&p, 9), "P9");
        // a custom name, and a built-in name on another level, stay as written
        p.priorities.insert(1, "Urgent".into());
        p.priorities.insert(4, "Business Critical".into());
        assert_eq!(SV.priority_label(&p, 1), "P1 Urgent");
        assert_eq!(SV.priority_label(&p, 4), "P4 Business Critical");
    }

    /// Every text the charts draw, with sample values.
    fn chart_texts(t: &Texts) -> Vec<String> {
        let mut v: Vec<String> = [
            t.no_data,
            t.not_selected,
            t.month_axis,
            t.attainment_title,
            t.attainment_band,
            t.attainment_no_data,
            t.attainment_axis,
            t.every_ticket_in_time,
            t.response_title,
            t.response_no_data,
            t.response_x_axis,
            t.response_y_axis,
            t.deadline,
            t.reclassifications_title,
            t.reclassifications_no_data,
            t.to_priority,
            t.from_priority,
            t.reclassified_axis,
        ]
        .into_iter()
        .chain(t.attainment_subtitle)
        .chain(t.response_subtitle)
        .chain(t.reclassifications_subtitle)
        .map(String::from)
        .collect();
        let p = Policy::embedded();
        for level in 1..=3 {
            v.push((t.answered)(&t.priority_label(&p, level), 12));
        }
        v.extend([
            (t.in_time)(10),
            (t.beyond)(1),
            (t.matrix_too_large)(40, 12),
            t.count(1, t.change),
            t.count(2, t.change),
            t.whole_percent(20.0),
            t.tenths(15),
        ]);
        v
    }

    #[test]
    fn no_swedish_chart_text_is_an_english_word() {
        let english: BTreeSet<String> = chart_texts(&EN)
            .iter()
            .flat_map(|s| words(s))
            .chain(["the", "of", "tickets", "breached", "attainment", "met"].map(String::from))
            .filter(|w| !SWEDISH_ALSO_ENGLISH.contains(&w.as_str()))
            .collect();
        assert!(english.contains("deadline") && english.contains("reclassifications"));
        let swedish: BTreeSet<String> = chart_texts(&SV).iter().flat_map(|s| words(s)).collect();
        let left: Vec<&String> = swedish.intersection(&english).collect();
        assert!(
            left.is_empty(),
            "English words in the Swedish charts: {left:?}"
        );
        assert!(swedish.contains("måluppfyllelse") && swedish.contains("affärskritiskt"));
    }

    #[test]
    fn words_leave_out_names_and_numbers() {
        let w = words("See tickets.csv (margin_s), (--month; --as-of, P1 and 24/7: \u{201d}kvar\u{201d} 2,0\u{d7} t.ex. Stephen's");
        let w: Vec<&str> = w.iter().map(String::as_str).collect();
        assert_eq!(w, ["and", "kvar", "see", "stephen"]);
    }

    #[test]
    fn plurals_are_the_catalogues() {
        assert_eq!(EN.count(1, EN.ticket), "1 ticket");
        assert_eq!(EN.count(2, EN.ticket), "2 tickets");
        assert_eq!(SV.count(1, SV.ticket), "1 ärende");
        assert_eq!(SV.count(0, SV.ticket), "0 ärenden");
    }
}
