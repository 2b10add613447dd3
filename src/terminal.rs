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
    if !text.chars().any(hidden) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if hidden(c) {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A character that is not shown as itself: a control character, or a
/// bidirectional formatting character, which reorders the text around it
/// (a name holding U+202E would show the rest of a line backwards). Data
/// shown to people (the terminal, report.html) writes these as `\u{..}`.
pub fn hidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
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
        // bidirectional overrides and isolates would reorder the line
        assert_eq!(escape("Acme\u{202e}cba"), "Acme\\u{202e}cba");
        assert_eq!(
            escape("\u{2066}x\u{2069}\u{200f}"),
            "\\u{2066}x\\u{2069}\\u{200f}"
        );
        assert!(matches!(escape("شركة"), Cow::Borrowed(_)));
        assert_eq!(escape("C:\\exports\\t.csv"), "C:\\exports\\t.csv");
    }
}
