//! Wall time in a zone <-> UTC instants (Unix seconds): the one place for
//! the DST rules of CONTRACT.md sections 3 and 5. Every other module that
//! turns a local time into an instant, or an instant into a local time,
//! goes through here.
//!
//! - A wall time that happens twice (fall-back fold) is its first
//!   occurrence, the earlier offset. Always.
//! - A wall time that never happens (spring-forward gap) depends on what it
//!   names, see [`Gap`].

use chrono::{DateTime, LocalResult, NaiveDateTime, Offset, TimeDelta, TimeZone};
use chrono_tz::Tz;

/// The IANA zone `name` (exact spelling, as the tz database writes it);
/// otherwise a message that suggests the right spelling when only the case
/// is wrong (`europe/bratislava`).
pub fn zone_named(name: &str) -> Result<Tz, String> {
    name.parse::<Tz>().map_err(|_| {
        let near = chrono_tz::TZ_VARIANTS
            .iter()
            .find(|tz| tz.name().eq_ignore_ascii_case(name.trim()));
        match near {
            Some(tz) => format!("unknown zone {name:?}; did you mean {:?}?", tz.name()),
            None => format!("unknown zone {name:?} (use an IANA name like \"Europe/Bratislava\")"),
        }
    })
}

/// What a wall time in a DST gap means, like jiff's `Disambiguation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gap {
    /// Nothing: a timestamp in an export that names it is
    /// `nonexistent_local_time`.
    Reject,
    /// The first valid instant after the gap (02:30 on a 02:00 -> 03:00 day
    /// gives 03:00): business-hour edges and month starts, which must
    /// exist on every date.
    Forward,
}

/// The instant of `local` in `tz`; `None` only for a wall time in a gap
/// under [`Gap::Reject`].
pub fn to_utc(tz: Tz, local: NaiveDateTime, gap: Gap) -> Option<i64> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => Some(t.timestamp()),
        LocalResult::Ambiguous(a, b) => Some(a.timestamp().min(b.timestamp())),
        LocalResult::None => match gap {
            Gap::Reject => None,
            Gap::Forward => Some(after_gap(tz, local)),
        },
    }
}

/// The UTC offset (seconds east) of every wall time in the hour that starts
/// at `hour_start`, when the zone has no transition that touches that hour:
/// its first and its last second each happen exactly once, with the same
/// offset. `None` otherwise (a gap, a fold or a change of offset in the
/// hour), where only [`to_utc`] answers. Exact under the assumption, true of
/// the tz database, that no two transitions lie within an hour of each
/// other.
pub fn hour_offset(tz: Tz, hour_start: NaiveDateTime) -> Option<i64> {
    let last = hour_start.checked_add_signed(TimeDelta::seconds(3599))?;
    match (
        tz.from_local_datetime(&hour_start),
        tz.from_local_datetime(&last),
    ) {
        (LocalResult::Single(a), LocalResult::Single(b)) => {
            let offset = a.offset().fix().local_minus_utc();
            (offset == b.offset().fix().local_minus_utc()).then_some(i64::from(offset))
        }
        _ => None,
    }
}

/// [`to_utc`] under [`Gap::Forward`], which always has an answer: the
/// smallest instant whose wall time is at or after `local`.
pub fn resolve(tz: Tz, local: NaiveDateTime) -> i64 {
    to_utc(tz, local, Gap::Forward).unwrap_or_else(|| after_gap(tz, local))
}

/// The wall time of instant `t` in `tz`; `None` outside chrono's range
/// (hundreds of thousands of years away).
pub fn to_local(tz: Tz, t: i64) -> Option<DateTime<Tz>> {
    DateTime::from_timestamp(t, 0).map(|utc| utc.with_timezone(&tz))
}

/// UTC offset (seconds east) of `tz` at instant `t` (0 outside chrono's
/// range).
pub fn offset_secs(tz: Tz, t: i64) -> i32 {
    to_local(tz, t).map_or(0, |l| l.offset().fix().local_minus_utc())
}

/// Longest DST gap searched for: real gaps are at most a day (Pacific/Apia
/// skipped 2011-12-30).
const MAX_GAP_SECS: i64 = 8 * 86_400;

/// First valid instant after the gap that contains `local`: find the first
/// existing wall time after it (exponential probe, then bisection; the gap
/// end may be at any second, e.g. after a local-mean-time offset) and take
/// its first occurrence.
fn after_gap(tz: Tz, local: NaiveDateTime) -> i64 {
    let at = |secs: i64| local.checked_add_signed(TimeDelta::seconds(secs));
    let exists =
        |secs: i64| at(secs).is_some_and(|t| tz.from_local_datetime(&t).earliest().is_some());
    // no gap is this long: read the wall time with the offset in force at
    // that UTC instant rather than fail
    let fallback = || {
        let guess = local.and_utc().timestamp();
        guess - i64::from(offset_secs(tz, guess))
    };
    // Invariant: local + lo does not exist, local + hi does.
    let (mut lo, mut hi) = (0_i64, 1_i64);
    while !exists(hi) {
        if hi > MAX_GAP_SECS {
            return fallback();
        }
        lo = hi;
        hi *= 2;
    }
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if exists(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    match at(hi).map(|first_valid| tz.from_local_datetime(&first_valid).earliest()) {
        Some(Some(t)) => t.timestamp(),
        _ => fallback(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_zone_spelled_in_the_wrong_case_gets_its_spelling_suggested() {
        assert_eq!(zone_named("Europe/Vienna"), Ok(Tz::Europe__Vienna));
        assert_eq!(
            zone_named("europe/bratislava").unwrap_err(),
            "unknown zone \"europe/bratislava\"; did you mean \"Europe/Bratislava\"?"
        );
        assert!(zone_named("Mars/Base")
            .unwrap_err()
            .contains("use an IANA name"));
    }
    use chrono::NaiveDate;
    use chrono_tz::Europe::Bratislava;

    fn wall(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, min, 0)
            .unwrap()
    }

    #[test]
    fn a_gap_is_rejected_or_moved_forward_and_a_fold_takes_the_earlier_offset() {
        // spring forward 2026-03-29 02:00 -> 03:00 (01:00Z)
        let gap = wall(2026, 3, 29, 2, 30);
        assert_eq!(to_utc(Bratislava, gap, Gap::Reject), None);
        assert_eq!(to_utc(Bratislava, gap, Gap::Forward), Some(1_774_746_000));
        assert_eq!(resolve(Bratislava, gap), 1_774_746_000);
        // fall back 2026-10-25 03:00 -> 02:00: 02:30 is first at 00:30Z
        let fold = wall(2026, 10, 25, 2, 30);
        for g in [Gap::Reject, Gap::Forward] {
            assert_eq!(to_utc(Bratislava, fold, g), Some(1_792_888_200));
        }
        assert_eq!(offset_secs(Bratislava, 1_792_888_200), 7200);
        assert_eq!(offset_secs(Bratislava, 1_792_888_200 + 3600), 3600);
        let back = to_local(Bratislava, 1_774_746_000).unwrap();
        assert_eq!(back.naive_local(), wall(2026, 3, 29, 3, 0));
        assert_eq!(to_local(Bratislava, i64::MAX), None);
    }

    #[test]
    fn an_hour_has_one_offset_only_when_no_transition_touches_it() {
        use chrono_tz::America::St_Johns;
        assert_eq!(hour_offset(Bratislava, wall(2026, 3, 29, 1, 0)), Some(3600));
        assert_eq!(hour_offset(Bratislava, wall(2026, 3, 29, 3, 0)), Some(7200));
        // the gap and the fold themselves
        assert_eq!(hour_offset(Bratislava, wall(2026, 3, 29, 2, 0)), None);
        assert_eq!(hour_offset(Bratislava, wall(2026, 10, 25, 2, 0)), None);
        // St John's sprang forward at 00:01 (to 01:01) until 2011: the
        // hour's first second exists, the rest of it does not
        assert_eq!(hour_offset(St_Johns, wall(2010, 3, 14, 0, 0)), None);
        assert_eq!(hour_offset(St_Johns, wall(2010, 3, 14, 1, 0)), None);
        assert_eq!(hour_offset(St_Johns, wall(2010, 3, 14, 2, 0)), Some(-9000));
    }
}
