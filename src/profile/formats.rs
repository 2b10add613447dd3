//! The timestamp forms of an import profile, tried in order: the contract's
//! ISO forms, epoch seconds or milliseconds, or a strftime-like pattern
//! (`%d/%b/%y %I:%M %p`, `%d-%m-%Y %H:%M:%S %z`). A pattern without an
//! offset is wall time in the input zone, with the contract's gap and fold
//! rules (`model::local_time`).

use chrono::format::{parse, Fixed, Item, Numeric, Parsed, StrftimeItems};

use crate::model::instant::in_span;
use crate::model::local_time::{self, Gap};
use crate::timestamp::{self, InputZone, TsError};

/// One timestamp form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimeFormat {
    /// CONTRACT.md section 3: `YYYY-MM-DD[T ]HH:MM[:SS[.f]][Z|+HH:MM]`.
    Iso,
    /// Whole seconds since 1970-01-01 UTC.
    EpochSeconds,
    /// Milliseconds since 1970-01-01 UTC (truncated to seconds).
    EpochMillis,
    /// A strftime-like pattern, pre-parsed.
    Pattern {
        text: String,
        items: Vec<Item<'static>>,
        offset: bool,
    },
}

impl TimeFormat {
    /// The form named in a profile: `iso`, `epoch`, `epoch_ms`, or a
    /// pattern with a date (`%Y`/`%y`, `%m`/`%b`, `%d`) and a time (`%H` or
    /// `%I` with `%p`, `%M`).
    pub fn new(text: &str) -> Result<TimeFormat, String> {
        match text {
            "iso" => return Ok(TimeFormat::Iso),
            "epoch" => return Ok(TimeFormat::EpochSeconds),
            "epoch_ms" => return Ok(TimeFormat::EpochMillis),
            _ => {}
        }
        let items: Vec<Item<'static>> = StrftimeItems::new(text)
            .map(|item| match item {
                Item::Literal(s) => Item::OwnedLiteral(s.into()),
                Item::Space(s) => Item::OwnedSpace(s.into()),
                other => other.to_owned(),
            })
            .collect();
        if items.iter().any(|i| matches!(i, Item::Error)) {
            return Err(format!("{text:?} is not a valid timestamp pattern"));
        }
        let has = |n: &[Numeric]| {
            items
                .iter()
                .any(|i| matches!(i, Item::Numeric(x, _) if n.contains(x)))
        };
        let month = has(&[Numeric::Month])
            || items
                .iter()
                .any(|i| matches!(i, Item::Fixed(Fixed::ShortMonthName | Fixed::LongMonthName)));
        let date = has(&[Numeric::Year, Numeric::YearMod100]) && month && has(&[Numeric::Day]);
        let time = has(&[Numeric::Hour, Numeric::Hour12]) && has(&[Numeric::Minute]);
        if !date || !time {
            return Err(format!(
                "{text:?} needs a date (%Y or %y, %m or %b, %d) and a time (%H or %I, %M); \
                 or use \"iso\", \"epoch\" or \"epoch_ms\""
            ));
        }
        let offset = items.iter().any(|i| {
            matches!(
                i,
                Item::Fixed(
                    Fixed::TimezoneOffset
                        | Fixed::TimezoneOffsetColon
                        | Fixed::TimezoneOffsetDoubleColon
                        | Fixed::TimezoneOffsetTripleColon
                        | Fixed::TimezoneOffsetColonZ
                        | Fixed::TimezoneOffsetZ
                        | Fixed::RFC3339
                )
            )
        });
        Ok(TimeFormat::Pattern {
            text: text.to_string(),
            items,
            offset,
        })
    }

    /// The name as a profile writes it.
    pub fn as_str(&self) -> &str {
        match self {
            TimeFormat::Iso => "iso",
            TimeFormat::EpochSeconds => "epoch",
            TimeFormat::EpochMillis => "epoch_ms",
            TimeFormat::Pattern { text, .. } => text,
        }
    }

    fn parse(
        &self,
        text: &str,
        zone: InputZone,
        iso: &mut timestamp::Parser,
    ) -> Result<i64, TsError> {
        let instant = match self {
            TimeFormat::Iso => return iso.parse(text, zone),
            TimeFormat::EpochSeconds => epoch(text, 1)?,
            TimeFormat::EpochMillis => epoch(text, 1000)?,
            TimeFormat::Pattern { items, offset, .. } => {
                let mut parsed = Parsed::new();
                parse(&mut parsed, text, items.iter()).map_err(|_| TsError::Bad)?;
                if *offset {
                    parsed.to_datetime().map_err(|_| TsError::Bad)?.timestamp()
                } else {
                    let local = parsed
                        .to_naive_datetime_with_offset(0)
                        .map_err(|_| TsError::Bad)?;
                    match zone {
                        InputZone::Utc => local.and_utc().timestamp(),
                        InputZone::Zone(tz) => local_time::to_utc(tz, local, Gap::Reject)
                            .ok_or(TsError::Nonexistent)?,
                    }
                }
            }
        };
        if in_span(instant) {
            Ok(instant)
        } else {
            Err(TsError::OutOfSpan)
        }
    }
}

/// `[-]digits` as seconds, from units of `1 / per_second` s (truncated
/// toward the past, as the contract truncates fractions).
fn epoch(text: &str, per_second: i64) -> Result<i64, TsError> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return Err(TsError::Bad);
    }
    let n: i64 = text.parse().map_err(|_| TsError::Bad)?;
    Ok(n.div_euclid(per_second))
}

/// The forms of one input kind, in the order they are tried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeFormats(pub Vec<TimeFormat>);

impl TimeFormats {
    /// The contract's forms only (the native files).
    pub fn iso() -> TimeFormats {
        TimeFormats(vec![TimeFormat::Iso])
    }

    /// The first form that reads `text`. When none does, a wall time that
    /// one form read but the zone skips is `Nonexistent`, one outside the
    /// span `OutOfSpan`, anything else `Bad`.
    #[inline]
    pub fn parse(
        &self,
        text: &str,
        zone: InputZone,
        iso: &mut timestamp::Parser,
    ) -> Result<i64, TsError> {
        self.parse_form(text, zone, iso).map(|(_, t)| t)
    }

    /// `parse`, with the index of the form that read `text` (for `inspect`).
    #[inline]
    pub fn parse_form(
        &self,
        text: &str,
        zone: InputZone,
        iso: &mut timestamp::Parser,
    ) -> Result<(usize, i64), TsError> {
        let mut error = TsError::Bad;
        for (i, format) in self.0.iter().enumerate() {
            match format.parse(text, zone, iso) {
                Ok(t) => return Ok((i, t)),
                Err(TsError::Bad) => {}
                Err(e) => error = e,
            }
        }
        Err(error)
    }

    /// The forms as a profile writes them.
    pub fn names(&self) -> Vec<&str> {
        self.0.iter().map(TimeFormat::as_str).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Tz;

    fn read(formats: &[&str], text: &str, zone: InputZone) -> Result<i64, TsError> {
        let f = TimeFormats(
            formats
                .iter()
                .map(|f| TimeFormat::new(f).unwrap())
                .collect(),
        );
        f.parse(text, zone, &mut timestamp::Parser::default())
    }

    fn utc(text: &str) -> i64 {
        timestamp::parse(text, InputZone::Utc).unwrap()
    }

    #[test]
    fn the_forms_of_the_known_helpdesks_read_their_examples() {
        let cet = InputZone::new(Tz::Europe__Stockholm);
        let cases: &[(&str, &str, InputZone, &str)] = &[
            (
                "%d/%b/%y %I:%M %p",
                "02/Mar/26 9:15 AM",
                cet,
                "2026-03-02T08:15:00Z",
            ),
            (
                "%d/%b/%y %I:%M %p",
                "02/Mar/26 12:05 PM",
                cet,
                "2026-03-02T11:05:00Z",
            ),
            (
                "%Y-%m-%dT%H:%M:%S%.f%z",
                "2017-02-28T09:24:59.366-0600",
                cet,
                "2017-02-28T15:24:59Z",
            ),
            (
                "%d-%m-%Y %H:%M:%S %z",
                "01-01-2022 09:33:38 +0000",
                cet,
                "2022-01-01T09:33:38Z",
            ),
            (
                "%d.%m.%Y %H:%M",
                "02.03.2026 09:15",
                cet,
                "2026-03-02T08:15:00Z",
            ),
            ("epoch", "1772439300", cet, "2026-03-02T08:15:00Z"),
            ("epoch_ms", "1772439300999", cet, "2026-03-02T08:15:00Z"),
            ("iso", "2026-03-02 09:15", cet, "2026-03-02T08:15:00Z"),
        ];
        for &(format, text, zone, expect) in cases {
            assert_eq!(
                read(&[format], text, zone),
                Ok(utc(expect)),
                "{format} {text}"
            );
        }
    }

    #[test]
    fn forms_are_tried_in_order_and_the_gap_and_span_reasons_survive() {
        let formats = ["%d.%m.%Y %H:%M", "iso"];
        let utc_zone = InputZone::Utc;
        assert_eq!(
            read(&formats, "2026-03-02T08:15Z", utc_zone),
            Ok(utc("2026-03-02T08:15:00Z"))
        );
        assert_eq!(
            read(&formats, "02.03.2026 08:15", utc_zone),
            Ok(utc("2026-03-02T08:15:00Z"))
        );
        assert_eq!(read(&formats, "2026-03-02", utc_zone), Err(TsError::Bad));
        let cet = InputZone::new(Tz::Europe__Stockholm);
        assert_eq!(
            read(&formats, "29.03.2026 02:30", cet),
            Err(TsError::Nonexistent)
        );
        // the fold takes the earlier offset
        assert_eq!(
            read(&formats, "25.10.2026 02:30", cet),
            Ok(utc("2026-10-25T00:30:00Z"))
        );
        assert_eq!(
            read(&["epoch"], "99999999999", utc_zone),
            Err(TsError::OutOfSpan)
        );
        assert_eq!(read(&["epoch"], "12a", utc_zone), Err(TsError::Bad));
        assert_eq!(read(&["epoch"], "-1", utc_zone), Ok(-1));
        assert_eq!(read(&["epoch_ms"], "-1", utc_zone), Ok(-1));
        assert_eq!(
            read(&["%d.%m.%Y %H:%M"], "31.02.2026 08:15", utc_zone),
            Err(TsError::Bad)
        );
    }

    #[test]
    fn a_pattern_without_a_date_or_a_time_is_refused() {
        for bad in ["%d.%m.%Y", "%H:%M", "%Q", "%Y-%m-%d %H"] {
            assert!(TimeFormat::new(bad).is_err(), "{bad}");
        }
    }
}
