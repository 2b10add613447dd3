//! Fast byte formatting of the generated rows: ids, timestamps, and a sink
//! that hands the writer large chunks.

use std::io::{self, Write};

/// A byte buffer handed to the writer in large chunks.
pub(super) struct Sink<W: Write> {
    pub(super) w: W,
    pub(super) buf: Vec<u8>,
}

pub(super) const CHUNK: usize = 1 << 16;

impl<W: Write> Sink<W> {
    pub(super) fn new(w: W) -> Sink<W> {
        Sink {
            w,
            buf: Vec::with_capacity(CHUNK + 256),
        }
    }

    pub(super) fn maybe_flush(&mut self) -> io::Result<()> {
        if self.buf.len() >= CHUNK {
            self.w.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    pub(super) fn finish(mut self) -> io::Result<()> {
        self.w.write_all(&self.buf)?;
        self.buf.clear();
        self.w.flush()
    }
}

pub(super) fn digits(mut n: u64) -> usize {
    let mut d = 1;
    while n >= 10 {
        n /= 10;
        d += 1;
    }
    d
}

/// `T-` and `n` zero-padded to `width` digits.
pub(super) fn push_id(b: &mut Vec<u8>, n: u64, width: usize) {
    b.extend_from_slice(b"T-");
    let mut tmp = [b'0'; 20];
    let mut i = tmp.len();
    let mut v = n;
    loop {
        i -= 1;
        tmp[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    let len = tmp.len() - i;
    let start = if width > len {
        tmp.len().saturating_sub(width)
    } else {
        i
    };
    b.extend_from_slice(&tmp[start..]);
}

/// Unix seconds as `YYYY-MM-DDTHH:MM:SSZ` (years 0001-9999).
#[cfg(test)]
pub(super) fn push_ts(b: &mut Vec<u8>, t: i64) {
    b.extend_from_slice(&date_text(t.div_euclid(86_400)));
    push_time(b, t);
}

/// `YYYY-MM-DDT` of a day number (days since 1970-01-01).
pub(super) fn date_text(days: i64) -> [u8; 11] {
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as u32;
    let d = |v: u32| b'0' + (v % 10) as u8;
    [
        d(year / 1000),
        d(year / 100),
        d(year / 10),
        d(year),
        b'-',
        d(month / 10),
        d(month),
        b'-',
        d(day / 10),
        d(day),
        b'T',
    ]
}

/// `HH:MM:SSZ` of an instant.
pub(super) fn push_time(b: &mut Vec<u8>, t: i64) {
    push_hms(b, t);
    b.push(b'Z');
}

/// `HH:MM:SS` of a time of day.
fn push_hms(b: &mut Vec<u8>, t: i64) {
    let sod = t.rem_euclid(86_400) as u32;
    let (h, m, s) = (sod / 3600, sod / 60 % 60, sod % 60);
    let d = |v: u32| b'0' + v as u8;
    b.extend_from_slice(&[
        d(h / 10),
        d(h % 10),
        b':',
        d(m / 10),
        d(m % 10),
        b':',
        d(s / 10),
        d(s % 10),
    ]);
}

/// `YYYY-MM-DD HH:MM:SS`, without an offset, of seconds since 1970-01-01
/// 00:00 on a clock (a wall time, or UTC).
pub(super) fn push_plain(b: &mut Vec<u8>, t: i64) {
    let mut date = date_text(t.div_euclid(86_400));
    date[10] = b' ';
    b.extend_from_slice(&date);
    push_hms(b, t);
}

/// `DD-MM-YYYY HH:MM:SS +0000` of an instant (Freshdesk's `performed_at`).
pub(super) fn push_dmy_utc(b: &mut Vec<u8>, t: i64) {
    let d = date_text(t.div_euclid(86_400));
    b.extend_from_slice(&[
        d[8], d[9], b'-', d[5], d[6], b'-', d[0], d[1], d[2], d[3], b' ',
    ]);
    push_hms(b, t);
    b.extend_from_slice(b" +0000");
}

/// A number in decimal.
pub(super) fn push_num(b: &mut Vec<u8>, n: u64) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    let mut v = n;
    loop {
        i -= 1;
        tmp[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    b.extend_from_slice(&tmp[i..]);
}

/// A CSV field, quoted when it holds a comma, a quote or a line end.
pub(super) fn push_field(b: &mut Vec<u8>, text: &str) {
    if text.contains([',', '"', '\n', '\r']) {
        b.push(b'"');
        b.extend_from_slice(text.replace('"', "\"\"").as_bytes());
        b.push(b'"');
    } else {
        b.extend_from_slice(text.as_bytes());
    }
}

/// Timestamp writer with the date texts of the period precomputed.
pub(super) struct TsFmt {
    day0: i64,
    pub(super) dates: Vec<[u8; 11]>,
}

impl TsFmt {
    pub(super) fn new(start: i64, end: i64) -> TsFmt {
        let day0 = start.div_euclid(86_400);
        let day1 = end.div_euclid(86_400);
        TsFmt {
            day0,
            dates: (day0..=day1).map(date_text).collect(),
        }
    }

    pub(super) fn push(&self, b: &mut Vec<u8>, t: i64) {
        let i = t.div_euclid(86_400) - self.day0;
        match usize::try_from(i).ok().and_then(|i| self.dates.get(i)) {
            Some(date) => b.extend_from_slice(date),
            None => b.extend_from_slice(&date_text(t.div_euclid(86_400))),
        }
        push_time(b, t);
    }
}
