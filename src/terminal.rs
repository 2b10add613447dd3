//! Text from the data shown on a terminal.
//!
//! Ids, stages, names and paths come from files and command lines the
//! operator did not write: an escape sequence in an export (`\x1b]0;...`,
//! `\x1b[2J`) would retitle or clear the terminal that prints it. Every such
//! text goes through [`escape`] before it reaches stdout or stderr; the CSV
//! and other report files keep it as it is.

use std::borrow::Cow;

/// `text` with every control character (C0, DEL, C1) written as Rust's
/// `escape_debug` writes it: `\t`, `\n`, `\r`, `\0`, else `\u{1b}`-style.
/// Everything else is kept, letters like `Müller` too; a backslash is not
/// escaped (paths keep theirs), so the result is for reading, not parsing.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// [`escape`] for text of several lines: each line escaped, its line
/// ends kept.
pub fn escape_lines(text: &str) -> String {
    text.split_inclusive('\n')
        .map(|line| {
            let (body, end) = match line.strip_suffix('\n') {
                Some(body) => (body, "\n"),
                None => (line, ""),
            };
            format!("{}{end}", escape(body))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_letters_kept() {
        assert_eq!(escape("T-1"), "T-1");
        assert!(matches!(escape("Müller"), Cow::Borrowed("Müller")));
        assert_eq!(escape("\u{1b}]0;pwned\u{7}"), "\\u{1b}]0;pwned\\u{7}");
        assert_eq!(escape("a\tb\nc\rd\0"), "a\\tb\\nc\\rd\\0");
        assert_eq!(escape("\u{7f}\u{9b}2J"), "\\u{7f}\\u{9b}2J");
        assert_eq!(escape("C:\\exports\\t.csv"), "C:\\exports\\t.csv");
    }
}
