//! Typed access to the parsed TOML of a policy file, with the dotted key
//! path of the offending key in every error.

use std::borrow::Cow;

use toml::de::{DeTable, DeValue};

use super::{PolicyError, Result};

/// One path segment: bare when it is a TOML bare key, quoted otherwise.
pub(super) fn seg(key: &str) -> Cow<'_, str> {
    let bare = !key.is_empty()
        && key
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-');
    if bare {
        Cow::Borrowed(key)
    } else {
        Cow::Owned(format!("{key:?}"))
    }
}

pub(super) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        seg(key).into_owned()
    } else {
        format!("{path}.{}", seg(key))
    }
}

pub(super) fn type_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "string",
        DeValue::Integer(_) => "integer",
        DeValue::Float(_) => "float",
        DeValue::Boolean(_) => "boolean",
        DeValue::Datetime(_) => "datetime",
        DeValue::Array(_) => "array",
        DeValue::Table(_) => "table",
    }
}

pub(super) fn wrong_type(path: &str, expected: &str, v: &DeValue<'_>) -> PolicyError {
    PolicyError::new(path, format!("expected {expected}, found {}", type_name(v)))
}

/// The entries of a table in file order (by the position of each key).
pub(super) fn entries<'a, 'i>(t: &'a DeTable<'i>) -> Vec<(&'a str, &'a DeValue<'i>)> {
    let mut v: Vec<_> = t
        .iter()
        .map(|(k, v)| (k.span().start, k.get_ref().as_ref(), v.get_ref()))
        .collect();
    v.sort_by_key(|e| e.0);
    v.into_iter().map(|(_, k, v)| (k, v)).collect()
}

pub(super) fn get<'a, 'i>(t: &'a DeTable<'i>, key: &str) -> Option<&'a DeValue<'i>> {
    t.iter()
        .find(|(k, _)| k.get_ref().as_ref() == key)
        .map(|(_, v)| v.get_ref())
}

/// An optional key of `table` (at `path`): the file's value, or else the
/// embedded default policy's at the same place (`builtin`), and whether it
/// was the default.
pub(super) fn optional<'a, 'i>(
    table: &'a DeTable<'i>,
    builtin: &'a DeTable<'i>,
    path: &str,
    key: &str,
) -> Result<(&'a DeValue<'i>, bool)> {
    match get(table, key) {
        Some(v) => Ok((v, false)),
        None => get(builtin, key).map(|v| (v, true)).ok_or_else(|| {
            PolicyError::new(join(path, key), "missing from the embedded default policy")
        }),
    }
}

pub(super) fn required<'a, 'i>(
    t: &'a DeTable<'i>,
    path: &str,
    key: &str,
) -> Result<&'a DeValue<'i>> {
    get(t, key).ok_or_else(|| PolicyError::new(join(path, key), "missing (required)"))
}

pub(super) fn check_keys(t: &DeTable<'_>, path: &str, allowed: &[&str]) -> Result<()> {
    for (k, _) in entries(t) {
        if !allowed.contains(&k) {
            return Err(PolicyError::new(
                join(path, k),
                format!("unknown key (expected one of: {})", allowed.join(", ")),
            ));
        }
    }
    Ok(())
}

pub(super) fn as_str<'a>(v: &'a DeValue<'_>, path: &str) -> Result<&'a str> {
    match v {
        DeValue::String(s) => Ok(s.as_ref()),
        _ => Err(wrong_type(path, "a string", v)),
    }
}

/// A string that is not empty after trimming.
pub(super) fn as_name<'a>(v: &'a DeValue<'_>, path: &str, what: &str) -> Result<&'a str> {
    let s = as_str(v, path)?;
    if s.trim().is_empty() {
        return Err(PolicyError::new(path, format!("empty {what}")));
    }
    Ok(s)
}

pub(super) fn as_table<'a, 'i>(v: &'a DeValue<'i>, path: &str) -> Result<&'a DeTable<'i>> {
    match v {
        DeValue::Table(t) => Ok(t),
        _ => Err(wrong_type(path, "a table", v)),
    }
}

pub(super) fn as_array<'a, 'i>(v: &'a DeValue<'i>, path: &str) -> Result<Vec<&'a DeValue<'i>>> {
    match v {
        DeValue::Array(a) => Ok(a.iter().map(|x| x.get_ref()).collect()),
        _ => Err(wrong_type(path, "an array", v)),
    }
}

pub(super) fn as_string_list<'a>(v: &'a DeValue<'_>, path: &str) -> Result<Vec<&'a str>> {
    as_array(v, path)?
        .into_iter()
        .enumerate()
        .map(|(i, x)| match x {
            DeValue::String(s) => Ok(s.as_ref()),
            _ => Err(PolicyError::new(
                path,
                format!("item {}: expected a string, found {}", i + 1, type_name(x)),
            )),
        })
        .collect()
}

pub(super) fn as_int(v: &DeValue<'_>, path: &str) -> Result<i64> {
    match v {
        DeValue::Integer(n) => i64::from_str_radix(n.as_str(), n.radix())
            .map_err(|_| PolicyError::new(path, format!("integer {n} out of range"))),
        _ => Err(wrong_type(path, "an integer", v)),
    }
}

/// A TOML syntax error as one line: the toml crate's message, with the line
/// and column (1-based, in characters) of where it was detected.
pub(super) fn syntax_error(text: &str, e: &toml::de::Error) -> PolicyError {
    let message = e.message().trim().replace('\n', "; ");
    let at = match e.span() {
        Some(span) => {
            let mut start = span.start.min(text.len());
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            let before = &text[..start];
            let line = before.matches('\n').count() + 1;
            let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
            format!(" at line {line}, column {col}")
        }
        None => String::new(),
    };
    PolicyError::new("", format!("toml syntax error{at}: {message}"))
}
