//! Period selection (`--month`, `--from`, `--until`): which tickets a run
//! reports on, by the local date of `created_at` in the policy zone.
//! Tickets outside are not rejected: run.json counts them per file.

use chrono::{Datelike, NaiveDate};
use chrono_tz::Tz;

use crate::model::{month_key, month_text, MonthKey};

/// The selected creation dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Period {
    /// Whole calendar months, sorted, without repeats.
    Months(Vec<MonthKey>),
    /// From `from` to `until`, both inclusive; either end may be open.
    Dates {
        from: Option<NaiveDate>,
        until: Option<NaiveDate>,
    },
}

/// Parses `YYYY-MM` (year 0001-9999, month 01-12).
pub fn parse_month(text: &str) -> Option<MonthKey> {
    let b = text.as_bytes();
    if b.len() != 7 || b[4] != b'-' || !text.is_ascii() {
        return None;
    }
    let (y, m) = (&text[..4], &text[5..]);
    if !y.bytes().chain(m.bytes()).all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (y, m): (i32, u32) = (y.parse().ok()?, m.parse().ok()?);
    ((1..=9999).contains(&y) && (1..=12).contains(&m)).then(|| month_key(y, m))
}

impl Period {
    /// Whether a ticket created at `created` (UTC seconds) is selected.
    pub fn contains(&self, tz: Tz, created: i64) -> bool {
        let Some(local) = crate::model::local_time::to_local(tz, created) else {
            return false;
        };
        let date = local.date_naive();
        match self {
            Period::Months(months) => months
                .binary_search(&month_key(date.year(), date.month()))
                .is_ok(),
            Period::Dates { from, until } => {
                !matches!(from, Some(f) if date < *f) && !matches!(until, Some(u) if date > *u)
            }
        }
    }

    /// Whether any day of `month` is selected.
    pub fn selects_month(&self, month: MonthKey) -> bool {
        match self {
            Period::Months(months) => months.binary_search(&month).is_ok(),
            Period::Dates { from, until } => {
                let key = |d: &NaiveDate| month_key(d.year(), d.month());
                !matches!(from, Some(f) if month < key(f))
                    && !matches!(until, Some(u) if month > key(u))
            }
        }
    }

    /// For run.json: `{"months": [...]}` or `{"from": .., "until": ..}`.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Period::Months(months) => serde_json::json!({
                "months": months.iter().map(|&m| month_text(m)).collect::<Vec<_>>(),
            }),
            Period::Dates { from, until } => serde_json::json!({
                "from": from.map(|d| d.to_string()),
                "until": until.map(|d| d.to_string()),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timestamp::{self, InputZone};

    fn at(s: &str) -> i64 {
        timestamp::parse(s, InputZone::Utc).unwrap()
    }

    #[test]
    fn months_and_dates_parse_strictly() {
        assert_eq!(parse_month("2026-03"), Some(month_key(2026, 3)));
        for bad in [
            "2026-13", "2026-00", "2026-3", "26-03", "2026/03", "0000-01", "+026-03",
        ] {
            assert_eq!(parse_month(bad), None, "{bad}");
        }
        assert_eq!(
            crate::timestamp::parse_day("2026-02-28"),
            NaiveDate::from_ymd_opt(2026, 2, 28)
        );
        for bad in ["2026-02-29", "2026-2-01", "2026-02-01T00:00", "+026-02-01"] {
            assert_eq!(crate::timestamp::parse_day(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_local_date_in_the_policy_zone_decides() {
        let tz = chrono_tz::Europe::Bratislava;
        let march = Period::Months(vec![month_key(2026, 3)]);
        // 28 Feb 23:30 UTC is 1 March 00:30 in Bratislava
        assert!(march.contains(tz, at("2026-02-28T23:30:00Z")));
        assert!(!march.contains(tz, at("2026-02-28T22:59:59Z")));
        // 31 March 21:59:59 UTC is 23:59:59 CEST; 22:00 UTC is 1 April
        assert!(march.contains(tz, at("2026-03-31T21:59:59Z")));
        assert!(!march.contains(tz, at("2026-03-31T22:00:00Z")));
        let days = Period::Dates {
            from: NaiveDate::from_ymd_opt(2026, 3, 2),
            until: NaiveDate::from_ymd_opt(2026, 3, 3),
        };
        // --until is inclusive: all of 3 March local time
        assert!(days.contains(tz, at("2026-03-03T22:59:59Z")));
        assert!(!days.contains(tz, at("2026-03-03T23:00:00Z")));
        assert!(days.contains(tz, at("2026-03-01T23:00:00Z")));
        assert!(!days.contains(tz, at("2026-03-01T22:59:59Z")));
    }
}
