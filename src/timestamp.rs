//! Timestamps of the input files and the command line (CONTRACT.md section 3),
//! and the UTC RFC 3339 form of the outputs (section 6).
//!
//! Grammar: `YYYY-MM-DD`, then `T`, `t` or one space, then `HH:MM`, optionally
//! `:SS`, optionally a fraction `.d+` (only after seconds, truncated),
//! optionally `Z`, `z`, `+HH:MM` or `-HH:MM`. Nothing else is a timestamp.
//! All instants are whole Unix seconds.

use chrono::NaiveDate;
use chrono_tz::Tz;

use crate::model::instant::in_span;
use crate::model::local_time::{self, Gap};

/// Why a text is not a usable timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TsError {
    /// Not of the grammar, or an impossible date or time (`bad_timestamp`).
    Bad,
    /// A wall time that the zone skips (spring-forward gap).
    Nonexistent,
    /// A valid timestamp whose instant lies outside [`FIRST_INSTANT`] ..=
    /// [`LAST_INSTANT`] (`bad_timestamp`).
    OutOfSpan,
}

/// The zone in which offsetless timestamps are read.
#[derive(Debug, Clone, Copy)]
pub enum InputZone {
    Utc,
    Zone(Tz),
}

impl InputZone {
    pub fn new(tz: Tz) -> InputZone {
        if tz == Tz::UTC || tz == Tz::Etc__UTC {
            InputZone::Utc
        } else {
            InputZone::Zone(tz)
        }
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// (year, month, day) of a day count since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ => {
            if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 {
                29
            } else {
                28
            }
        }
    }
}

#[inline]
fn digits(b: &[u8], at: usize, n: usize) -> Option<u32> {
    let part = b.get(at..at + n)?;
    let mut v = 0u32;
    for &c in part {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + (c - b'0') as u32;
    }
    Some(v)
}

/// The date part of a timestamp, checked: year, month, day, and days since
/// 1970-01-01.
type Date = (u32, u32, u32, i64);

/// `YYYY-MM-DD` at the start of `b`, a real date of years 1-9999.
fn parse_date(b: &[u8]) -> Result<Date, TsError> {
    let year = digits(b, 0, 4).ok_or(TsError::Bad)?;
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return Err(TsError::Bad);
    }
    let month = digits(b, 5, 2).ok_or(TsError::Bad)?;
    let day = digits(b, 8, 2).ok_or(TsError::Bad)?;
    let year_i = year as i64;
    if year == 0 || !(1..=12).contains(&month) || day == 0 || day > days_in_month(year_i, month) {
        return Err(TsError::Bad);
    }
    Ok((year, month, day, days_from_civil(year_i, month, day)))
}

/// `YYYY-MM-DD` alone, a real calendar date of years 0001-9999: the one
/// date grammar of policy holiday dates, `--from`/`--until` and `sample
/// --start`, the same as a timestamp's date part.
pub fn parse_day(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    if b.len() != 10 {
        return None;
    }
    let (year, month, day, _) = parse_date(b).ok()?;
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)
}

/// Parses a timestamp; offsetless ones are wall time in `zone` (a wall time
/// in a DST gap is `Nonexistent`; in a fold the earlier offset is taken).
pub fn parse(text: &str, zone: InputZone) -> Result<i64, TsError> {
    Parser::default().parse(text, zone)
}

/// A wall-clock hour (`wall seconds / 3600`) in a zone, as [`Parser`]
/// knows it.
#[derive(Debug, Clone, Copy)]
struct ZoneHour {
    zone: Tz,
    hour: i64,
    offset: HourOffset,
}

#[derive(Debug, Clone, Copy)]
enum HourOffset {
    /// Read once, converted directly. The hour is checked when it comes
    /// again, so that input in no time order costs no more than before.
    Seen,
    /// No transition touches the hour: every wall time in it is
    /// `wall - offset`.
    Fixed(i64),
    /// A transition touches the hour: every wall time in it is converted
    /// directly.
    Varies,
}

/// `parse` for many timestamps in a row: remembers the last date it
/// checked, since the rows of an export mostly share their dates.
#[derive(Debug, Default)]
pub struct Parser {
    last: Option<([u8; 10], Date)>,
    /// The last wall-clock hour read in a zone, and what is known of its
    /// offset: its rows mostly share their hours too.
    hour: Option<ZoneHour>,
    /// How many timestamps it read without an offset (wall times in the
    /// input zone), for the warning when no zone was given.
    pub offsetless: u64,
}

impl Parser {
    /// As `parse`.
    pub fn parse(&mut self, text: &str, zone: InputZone) -> Result<i64, TsError> {
        let b = text.as_bytes();
        let head = b.get(..10);
        let (year, month, day, days) = match &self.last {
            Some((key, date)) if head == Some(&key[..]) => *date,
            _ => {
                let date = parse_date(b)?;
                // a checked date is 10 bytes long
                if let Some(head) = head.and_then(|h| <[u8; 10]>::try_from(h).ok()) {
                    self.last = Some((head, date));
                }
                date
            }
        };
        if !matches!(b.get(10), Some(b'T' | b't' | b' ')) {
            return Err(TsError::Bad);
        }
        let hour = digits(b, 11, 2).ok_or(TsError::Bad)?;
        if b.get(13) != Some(&b':') {
            return Err(TsError::Bad);
        }
        let minute = digits(b, 14, 2).ok_or(TsError::Bad)?;
        let mut i = 16;
        let mut second = 0;
        if b.get(i) == Some(&b':') {
            second = digits(b, i + 1, 2).ok_or(TsError::Bad)?;
            i += 3;
            if b.get(i) == Some(&b'.') {
                i += 1;
                let start = i;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                if i == start {
                    return Err(TsError::Bad);
                }
            }
        }
        let offset: Option<i64> = match b.get(i) {
            None => None,
            Some(b'Z' | b'z') => {
                i += 1;
                Some(0)
            }
            Some(&sign @ (b'+' | b'-')) => {
                let oh = digits(b, i + 1, 2).ok_or(TsError::Bad)?;
                if b.get(i + 3) != Some(&b':') {
                    return Err(TsError::Bad);
                }
                let om = digits(b, i + 4, 2).ok_or(TsError::Bad)?;
                if oh > 23 || om > 59 {
                    return Err(TsError::Bad);
                }
                i += 6;
                let secs = (oh * 3600 + om * 60) as i64;
                Some(if sign == b'-' { -secs } else { secs })
            }
            Some(_) => return Err(TsError::Bad),
        };
        if i != b.len() || hour > 23 || minute > 59 || second > 59 {
            return Err(TsError::Bad);
        }
        let wall = days * 86_400 + (hour * 3600 + minute * 60 + second) as i64;
        if offset.is_none() {
            self.offsetless += 1;
        }
        let instant = match (offset, zone) {
            (Some(off), _) => wall - off,
            (None, InputZone::Utc) => wall,
            (None, InputZone::Zone(tz)) => {
                let key = wall.div_euclid(3600);
                let known = self.hour.filter(|h| h.zone == tz && h.hour == key);
                if let Some(ZoneHour {
                    offset: HourOffset::Fixed(offset),
                    ..
                }) = known
                {
                    wall - offset
                } else {
                    let date =
                        NaiveDate::from_ymd_opt(year as i32, month, day).ok_or(TsError::Bad)?;
                    let naive = date.and_hms_opt(hour, minute, second).ok_or(TsError::Bad)?;
                    let instant =
                        local_time::to_utc(tz, naive, Gap::Reject).ok_or(TsError::Nonexistent)?;
                    let offset = match known.map(|h| h.offset) {
                        None => HourOffset::Seen,
                        Some(HourOffset::Seen) => date
                            .and_hms_opt(hour, 0, 0)
                            .and_then(|start| local_time::hour_offset(tz, start))
                            .map_or(HourOffset::Varies, HourOffset::Fixed),
                        Some(known) => known,
                    };
                    self.hour = Some(ZoneHour {
                        zone: tz,
                        hour: key,
                        offset,
                    });
                    instant
                }
            }
        };
        if !in_span(instant) {
            return Err(TsError::OutOfSpan);
        }
        Ok(instant)
    }
}

/// Appends the bytes of `YYYY-MM-DDTHH:MM:SSZ` for an instant.
///
/// An instant outside years 0000-9999 (reachable from an in-range wall time
/// with an offset, e.g. `9999-12-31T23:30:00-01:00`) keeps its true year,
/// ISO 8601 expanded style (`10000-01-01T00:30:00Z`, `-0001-...`): never a
/// plausible but wrong date.
pub fn push_utc_bytes(out: &mut Vec<u8>, t: i64) {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let (hh, mm, ss) = (secs / 3600, secs / 60 % 60, secs % 60);
    if !(0..=9999).contains(&y) {
        use std::io::Write as _;
        let sign = if y < 0 { "-" } else { "" };
        let _ = write!(
            out,
            "{sign}{:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}Z",
            y.unsigned_abs()
        );
        return;
    }
    let mut buf = [0u8; 20];
    let put = |buf: &mut [u8], at: usize, v: i64, n: usize| {
        let mut v = v;
        for k in (0..n).rev() {
            buf[at + k] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    put(&mut buf, 0, y, 4);
    buf[4] = b'-';
    put(&mut buf, 5, m as i64, 2);
    buf[7] = b'-';
    put(&mut buf, 8, d as i64, 2);
    buf[10] = b'T';
    put(&mut buf, 11, hh, 2);
    buf[13] = b':';
    put(&mut buf, 14, mm, 2);
    buf[16] = b':';
    put(&mut buf, 17, ss, 2);
    buf[19] = b'Z';
    out.extend_from_slice(&buf);
}

/// `push_utc_bytes` for many instants in a row: remembers the date text of
/// the last few days, since the rows of a file mostly fall on a few days
/// (a ticket's response and deadline within days of its creation).
#[derive(Debug)]
pub struct UtcWriter {
    /// Day number per cache slot (`day mod DAYS`); `i64::MIN`: none yet.
    days: [i64; UtcWriter::DAYS],
    dates: [[u8; 11]; UtcWriter::DAYS],
}

impl Default for UtcWriter {
    fn default() -> UtcWriter {
        UtcWriter {
            days: [i64::MIN; UtcWriter::DAYS],
            dates: [[0; 11]; UtcWriter::DAYS],
        }
    }
}

impl UtcWriter {
    const DAYS: usize = 8;

    /// Appends `t` as `push_utc_bytes` does.
    pub fn push(&mut self, out: &mut Vec<u8>, t: i64) {
        let days = t.div_euclid(86_400);
        let k = days.rem_euclid(Self::DAYS as i64) as usize;
        if self.days[k] != days {
            let (y, _, _) = civil_from_days(days);
            if !(0..=9999).contains(&y) {
                return push_utc_bytes(out, t);
            }
            let mut text = Vec::with_capacity(20);
            push_utc_bytes(&mut text, t);
            self.dates[k].copy_from_slice(&text[..11]);
            self.days[k] = days;
        }
        let secs = t.rem_euclid(86_400);
        let two = |v: i64| [b'0' + (v / 10) as u8, b'0' + (v % 10) as u8];
        let (h, m, s) = (two(secs / 3600), two(secs / 60 % 60), two(secs % 60));
        let mut b = [0u8; 20];
        b[..11].copy_from_slice(&self.dates[k]);
        b[11..13].copy_from_slice(&h);
        b[13] = b':';
        b[14..16].copy_from_slice(&m);
        b[16] = b':';
        b[17..19].copy_from_slice(&s);
        b[19] = b'Z';
        out.extend_from_slice(&b);
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` for an instant.
pub fn format_utc(t: i64) -> String {
    let mut bytes = Vec::with_capacity(20);
    push_utc_bytes(&mut bytes, t);
    String::from_utf8(bytes).expect("ascii")
}

#[cfg(test)]
mod tests {
    use crate::model::instant::{FIRST_INSTANT, LAST_INSTANT};

    #[test]
    fn the_date_caching_parser_parses_what_parse_parses() {
        let zones = [
            InputZone::Utc,
            InputZone::Zone(chrono_tz::Europe::Bratislava),
        ];
        let bases = [
            "2026-03-29T02:30:00",
            "2026-03-29 01:59:59Z",
            "2026-10-25T02:30:00",
            "2024-02-29T23:59:59.5+01:00",
            "2023-02-29T10:00:00Z",
            "2026-13-01T10:00:00Z",
            "0000-01-01T00:00:00Z",
            "9999-12-31T23:59:59-01:00",
        ];
        // every base, then variants that keep the date and change the rest
        // (and the other way round), in an order that hits and misses the
        // remembered date
        let tails = [
            "",
            "Z",
            "T25:00:00Z",
            " 10:61",
            "T10:00:00+24:00",
            "x",
            "T10:00",
        ];
        let mut texts: Vec<String> = Vec::new();
        for b in bases {
            texts.push(b.to_string());
            for t in tails {
                texts.push(format!("{}{t}", &b[..10]));
                texts.push(format!("{}{t}", &b[..b.len().min(16)]));
            }
            texts.push(b[..9].to_string());
            texts.push(b.replacen('-', "/", 1));
        }
        for zone in zones {
            let mut parser = Parser::default();
            for round in 0..2 {
                for text in &texts {
                    assert_eq!(
                        parser.parse(text, zone),
                        parse(text, zone),
                        "{text:?} round {round}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_hour_offset_cache_agrees_with_the_direct_conversion_1990_to_2040() {
        use std::fmt::Write;
        // Stockholm, and zones with odd transitions: a negative DST
        // (Dublin), a 30-minute shift (Lord Howe), a half-hour offset (St
        // John's)
        let zones = [
            chrono_tz::Europe::Stockholm,
            chrono_tz::Europe::Dublin,
            chrono_tz::Australia::Lord_Howe,
            chrono_tz::America::St_Johns,
        ];
        // the first time reads an hour, the second checks it, the rest
        // come from the cache
        let times = [
            "00:00", "00:00", "00:01", "14:59", "15:00", "29:59", "30:00", "30:01", "44:59",
            "45:00", "59:59",
        ];
        let mut text = String::new();
        for tz in zones {
            let zone = InputZone::Zone(tz);
            let mut parser = Parser::default();
            for day in days_from_civil(1990, 1, 1)..days_from_civil(2041, 1, 1) {
                let (y, m, d) = civil_from_days(day);
                for h in 0..24 {
                    for t in times {
                        text.clear();
                        write!(text, "{y:04}-{m:02}-{d:02}T{h:02}:{t}").unwrap();
                        let naive = NaiveDate::from_ymd_opt(y as i32, m, d)
                            .unwrap()
                            .and_hms_opt(h, t[..2].parse().unwrap(), t[3..].parse().unwrap())
                            .unwrap();
                        let direct =
                            local_time::to_utc(tz, naive, Gap::Reject).ok_or(TsError::Nonexistent);
                        assert_eq!(parser.parse(&text, zone), direct, "{tz} {text}");
                    }
                }
            }
        }
    }

    #[test]
    fn the_day_caching_writer_writes_what_push_utc_bytes_writes() {
        let mut w = UtcWriter::default();
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut instants = vec![
            0,
            -1,
            86_399,
            86_400,
            253_402_300_799,
            253_402_300_800,
            -62_167_219_200,
            -62_167_219_201,
        ];
        for _ in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let base = instants[instants.len() - 1];
            // mostly a few minutes on, often up to 12 days back or on
            // (cached days, and days that share a cache slot), sometimes
            // anywhere in 0000-10000
            instants.push(match seed % 8 {
                0 => (seed % 320_000_000_000) as i64 - 62_200_000_000,
                1 | 2 => base + (seed / 8 % 2_073_600) as i64 - 1_036_800,
                _ => base + (seed % 7_200) as i64,
            });
        }
        let (mut got, mut want) = (Vec::new(), Vec::new());
        for &t in &instants {
            w.push(&mut got, t);
            push_utc_bytes(&mut want, t);
            got.push(b' ');
            want.push(b' ');
        }
        assert_eq!(
            String::from_utf8(got).unwrap(),
            String::from_utf8(want).unwrap()
        );
    }

    use super::*;

    fn utc(s: &str) -> Result<i64, TsError> {
        parse(s, InputZone::Utc)
    }

    #[test]
    fn accepts_every_form_of_the_grammar() {
        let base = utc("2026-03-02T08:15:00Z").unwrap();
        assert_eq!(format_utc(base), "2026-03-02T08:15:00Z");
        assert_eq!(utc("2026-03-02t08:15z"), Ok(base));
        assert_eq!(utc("2026-03-02 09:15+01:00"), Ok(base));
        assert_eq!(utc("2026-03-02 08:15:00.999"), Ok(base));
        assert_eq!(utc("2026-03-02T03:15:00-05:00"), Ok(base));
        assert_eq!(utc("1970-01-01T00:00"), Ok(0));
        assert_eq!(utc("1900-01-01T00:00:00Z"), Ok(FIRST_INSTANT));
        assert_eq!(utc("2099-12-31T23:59:59Z"), Ok(LAST_INSTANT));
        assert_eq!(format_utc(LAST_INSTANT), "2099-12-31T23:59:59Z");
        assert_eq!(format_utc(FIRST_INSTANT), "1900-01-01T00:00:00Z");
    }

    /// chrono-tz has no DST rules after 2099: `2100-07-01T07:00Z` answered
    /// at 08:00 measured 0 s of business time in Europe/Bratislava (09:00
    /// summer time would be 08:00Z). Instants outside 1900..2099 are
    /// `bad_timestamp` now, after the offset or zone is applied.
    #[test]
    fn instants_outside_1900_to_2099_are_out_of_span() {
        let z = InputZone::new(chrono_tz::Europe::Bratislava);
        for (text, zone) in [
            ("2100-07-01T07:00:00Z", InputZone::Utc),
            ("2150-03-31T22:30:00Z", InputZone::Utc),
            ("2100-01-01T00:00:00Z", InputZone::Utc),
            ("1899-12-31T23:59:59Z", InputZone::Utc),
            ("2099-12-31T23:30:00-01:00", InputZone::Utc),
            ("1900-01-01T00:30:00+01:00", InputZone::Utc),
            ("2100-01-01 01:00", z),
            ("0001-01-01T00:00:00Z", InputZone::Utc),
            ("9999-12-31T23:59:59Z", InputZone::Utc),
        ] {
            assert_eq!(parse(text, zone), Err(TsError::OutOfSpan), "{text}");
        }
        // 00:30 local on 1 January 2100 is 23:30Z on 31 December 2099
        assert_eq!(parse("2100-01-01 00:30", z), utc("2099-12-31T23:30:00Z"));
        assert_eq!(utc("1900-01-01T01:00:00+01:00"), Ok(FIRST_INSTANT));
    }

    #[test]
    fn rejects_what_the_grammar_excludes() {
        for bad in [
            "",
            "2026-03-02",
            "2026-03-02T08:15:00+0100",
            "2026-03-02T08:15:00+01",
            "2026-03-02T08:15,5",
            "2026-03-02T08:15.5",
            "2026-03-02T08:15:00 +01:00",
            "2026-03-02T24:00",
            "2026-03-02T08:60",
            "2026-03-02T08:15:60",
            "2026-02-29T08:15",
            "2026-13-01T08:15",
            "0000-01-01T00:00",
            "2026-03-02T08:15:00.",
            "2026-03-02T08:15:00+24:00",
            "2026-03-02T08:15:00+01:60",
            "2026-03-02  08:15",
            "2026-3-02T08:15",
            " 2026-03-02T08:15",
            "2026-03-02T08:15Zjunk",
            "２026-03-02T08:15",
        ] {
            assert_eq!(utc(bad), Err(TsError::Bad), "{bad:?}");
        }
        assert_eq!(utc("2024-02-29T00:00Z").map(|_| ()), Ok(()));
    }

    #[test]
    fn offsetless_times_follow_the_input_zone_dst_rules() {
        let z = InputZone::new(chrono_tz::Europe::Bratislava);
        // spring forward 2026-03-29 02:00 -> 03:00
        assert_eq!(parse("2026-03-29 02:30", z), Err(TsError::Nonexistent));
        assert_eq!(parse("2026-03-29 03:00", z), utc("2026-03-29T01:00:00Z"));
        // fall back 2026-10-25 03:00 -> 02:00: 02:30 happens twice, take the first
        assert_eq!(parse("2026-10-25 02:30", z), utc("2026-10-25T00:30:00Z"));
        assert_eq!(parse("2026-07-01 12:00", z), utc("2026-07-01T10:00:00Z"));
        assert_eq!(parse("2026-07-01 12:00Z", z), utc("2026-07-01T12:00:00Z"));
    }

    #[test]
    fn civil_round_trip() {
        for days in (-800_000..3_000_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    /// Regression: years outside 0000-9999 were clamped to `9999` with the
    /// month and day kept, so `9999-12-31T23:30:00-01:00` came out as
    /// `9999-01-01T00:30:00Z`, a year before the instant it names.
    #[test]
    fn instants_beyond_year_9999_keep_their_true_year() {
        // 9999-12-31T23:30:00-01:00 and 0001-01-01T00:30:00+01:00
        assert_eq!(format_utc(253_402_302_600), "10000-01-01T00:30:00Z");
        assert_eq!(format_utc(-62_135_598_600), "0000-12-31T23:30:00Z");
        assert_eq!(
            format_utc(-62_167_219_200 - 86_400),
            "-0001-12-31T00:00:00Z"
        );
    }
}
