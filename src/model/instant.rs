//! The span of instants the tool reads (CONTRACT.md section 7).

/// The first instant the tool reads: 1900-01-01T00:00:00Z.
pub const FIRST_INSTANT: i64 = -2_208_988_800;
/// The last instant the tool reads: 2099-12-31T23:59:59Z. chrono-tz has no
/// DST rules after 2099, so later local times would be silently wrong
/// (CONTRACT.md section 7).
pub const LAST_INSTANT: i64 = 4_102_444_799;

/// Whether an instant lies in the span whose zone data is exact; a
/// timestamp outside it is `bad_timestamp`, a deadline outside it is not
/// written.
pub fn in_span(t: i64) -> bool {
    (FIRST_INSTANT..=LAST_INSTANT).contains(&t)
}
