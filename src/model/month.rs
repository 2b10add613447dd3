//! Months: the reporting period of a ticket is the month of its creation
//! in the policy zone (CONTRACT.md section 6).

use chrono::{Datelike, NaiveDate, NaiveTime};
use chrono_tz::Tz;

use super::local_time;

/// A month as `year * 12 + (month - 1)`, so that it sorts and groups as an
/// integer.
pub type MonthKey = i32;

pub fn month_key(year: i32, month: u32) -> MonthKey {
    year * 12 + month as i32 - 1
}

/// `YYYY-MM` of a month key.
pub fn month_text(key: MonthKey) -> String {
    format!("{:04}-{:02}", key.div_euclid(12), key.rem_euclid(12) + 1)
}

/// The month of an instant in `tz` (slow path: chrono-tz).
pub fn month_of(tz: Tz, t: i64) -> MonthKey {
    local_time::to_local(tz, t).map_or(0, |local| month_key(local.year(), local.month()))
}

/// Month of an instant by binary search over precomputed month starts.
pub struct Months {
    tz: Tz,
    first: MonthKey,
    /// UTC instant where each month of the span starts locally, plus the
    /// start of the month after the span.
    starts: Vec<i64>,
}

impl Months {
    /// The month starts of the local years `first_year..=last_year`;
    /// instants outside are answered exactly, only slower.
    pub fn new(tz: Tz, first_year: i32, last_year: i32) -> Months {
        let first = month_key(first_year, 1);
        let last = month_key(last_year, 12) + 1;
        let starts = (first..=last)
            .map(|m| {
                let date =
                    NaiveDate::from_ymd_opt(m.div_euclid(12), m.rem_euclid(12) as u32 + 1, 1)
                        .unwrap_or(NaiveDate::MIN);
                local_time::resolve(tz, date.and_time(NaiveTime::MIN))
            })
            .collect();
        Months { tz, first, starts }
    }

    #[inline]
    pub fn of(&self, t: i64) -> MonthKey {
        let n = self.starts.len();
        if n < 2 || t < self.starts[0] || t >= self.starts[n - 1] {
            return month_of(self.tz, t);
        }
        let i = self.starts.partition_point(|&s| s <= t) - 1;
        self.first + i as MonthKey
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Europe::Bratislava;

    #[test]
    fn a_month_key_sorts_as_its_text() {
        assert_eq!(month_text(month_key(2026, 3)), "2026-03");
        assert_eq!(month_key(2026, 12) + 1, month_key(2027, 1));
        assert_eq!(month_text(month_key(1900, 1)), "1900-01");
    }

    #[test]
    fn the_month_index_agrees_with_the_zone_at_every_local_month_start() {
        let months = Months::new(Bratislava, 2025, 2026);
        // 2026-03-31T22:00Z is 1 April 00:00 CEST; 2026-10-31T23:00Z is
        // 1 November 00:00 CET
        for (t, want) in [
            (1_774_994_400 - 1, month_key(2026, 3)),
            (1_774_994_400, month_key(2026, 4)),
            (1_793_487_600 - 1, month_key(2026, 10)),
            (1_793_487_600, month_key(2026, 11)),
        ] {
            assert_eq!(months.of(t), want, "{t}");
            assert_eq!(month_of(Bratislava, t), want, "{t}");
        }
        // outside the precomputed span: the slow path, same answer
        for t in (0..4_102_444_799).step_by(86_400 * 13 + 3_607) {
            assert_eq!(months.of(t), month_of(Bratislava, t), "{t}");
        }
    }
}
