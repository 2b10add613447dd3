//! `--encoding`: the text encoding of the CSV inputs. Excel on Windows
//! saves "CSV" in the system's code page, windows-1252 in Sweden and most
//! of Western Europe; both it and ISO-8859-1 are single-byte encodings, so
//! any block of bytes decodes on its own (a block boundary never splits a
//! character) and line ends stay where they were. The two tables are
//! small enough to hold here; a general encoding library would bring
//! every code page of the web for these two.

/// How the bytes of a CSV input are text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    #[default]
    Utf8,
    Windows1252,
    Iso8859_1,
}

/// windows-1252 at 0x80..=0x9F (WHATWG's table; the five unassigned bytes
/// keep their ISO-8859-1 control characters, as WHATWG decodes them).
const CP1252_HIGH: [char; 32] = [
    '\u{20AC}', '\u{0081}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}',
    '\u{02C6}', '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{008D}', '\u{017D}', '\u{008F}',
    '\u{0090}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}',
    '\u{02DC}', '\u{2122}', '\u{0161}', '\u{203A}', '\u{0153}', '\u{009D}', '\u{017E}', '\u{0178}',
];

impl Encoding {
    /// The flag's value: `utf-8`, `windows-1252` (also `cp1252`), `iso-8859-1`
    /// (also `latin1`), any case.
    pub fn parse(name: &str) -> Option<Encoding> {
        match name.trim().to_ascii_lowercase().as_str() {
            "utf-8" | "utf8" => Some(Encoding::Utf8),
            "windows-1252" | "cp1252" => Some(Encoding::Windows1252),
            "iso-8859-1" | "latin1" | "latin-1" => Some(Encoding::Iso8859_1),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Windows1252 => "windows-1252",
            Encoding::Iso8859_1 => "iso-8859-1",
        }
    }

    /// Replaces `buf[from..]` by its UTF-8 text (nothing to do for UTF-8).
    pub(super) fn decode_tail(self, buf: &mut Vec<u8>, from: usize) {
        if self == Encoding::Utf8 || buf[from..].is_ascii() {
            return;
        }
        let mut text = String::with_capacity((buf.len() - from) * 2);
        for &b in &buf[from..] {
            text.push(self.char_of(b));
        }
        buf.truncate(from);
        buf.extend_from_slice(text.as_bytes());
    }

    /// A whole file's bytes as UTF-8.
    pub(super) fn decode(self, bytes: &[u8]) -> Vec<u8> {
        let mut buf = bytes.to_vec();
        self.decode_tail(&mut buf, 0);
        buf
    }

    fn char_of(self, b: u8) -> char {
        match (self, b) {
            (Encoding::Windows1252, 0x80..=0x9F) => CP1252_HIGH[(b - 0x80) as usize],
            _ => char::from(b),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excel_bytes_decode_to_their_letters() {
        let mut buf = b"id;M\xFCller;\xC5re;\x80 5;\x96".to_vec();
        Encoding::Windows1252.decode_tail(&mut buf, 3);
        assert_eq!(String::from_utf8(buf).unwrap(), "id;Müller;Åre;€ 5;–");
        let mut buf = b"\x80\xE9".to_vec();
        Encoding::Iso8859_1.decode_tail(&mut buf, 0);
        assert_eq!(String::from_utf8(buf).unwrap(), "\u{80}é");
        let mut buf = b"caf\xC3\xA9".to_vec();
        Encoding::Utf8.decode_tail(&mut buf, 0);
        assert_eq!(buf, b"caf\xC3\xA9");
        assert_eq!(Encoding::parse("CP1252"), Some(Encoding::Windows1252));
        assert_eq!(Encoding::parse("ebcdic"), None);
    }
}
