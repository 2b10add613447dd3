//! History rows from one JSON record: a Zendesk ticket audit or a
//! Freshdesk ticket activity (EXPORTS.md sections 3 and 4).
//!
//! Records are parsed with serde_json through visitors that read only the
//! few keys a history row needs and skip the rest unallocated (comment
//! bodies, notifications, custom fields). serde_json's recursion limit
//! turns absurd nesting into an error, so a record is never a panic nor a
//! stack overflow: whatever cannot be read is `Malformed`.
//!
//! Each visitor accepts objects only: serde would otherwise read a struct
//! from an array by position.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// One priority change (or submitted priority) of a history, as text: the
/// caller parses and checks it like a native change row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(in crate::ingest) struct HistoryRow {
    /// The ticket id; a number as its decimal text (`123`). Empty when
    /// missing or null (the caller's `missing_field`).
    pub(in crate::ingest) id: String,
    /// The timestamp as written; empty when missing or null.
    pub(in crate::ingest) changed_at: String,
    /// The new priority as written; empty when null (a priority cleared:
    /// the policy default).
    pub(in crate::ingest) to: String,
    /// The old priority, when the record holds one: `None` when it does not
    /// (a Zendesk `Create`, a Freshdesk activity), `Some("")` when it says
    /// there was none (`"previous_value": null`).
    pub(in crate::ingest) from: Option<String>,
    /// Who changed it (Zendesk `author_id`, Freshdesk `performer_type`).
    pub(in crate::ingest) by: String,
}

/// What a record gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(in crate::ingest) enum Extracted {
    Row(HistoryRow),
    /// Well-formed, but no priority in it (EXPORTS.md rule 3).
    Ignored,
    /// Not JSON, not an object, or a value of the wrong kind.
    Malformed,
}

/// A value where a scalar is expected.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Scalar {
    /// A string, or a number as its decimal text.
    Text(String),
    Null,
    /// An object, array or boolean (skipped, not kept).
    Other,
}

impl Scalar {
    /// The text of a field that may be missing: empty when missing or
    /// null, `None` when it is not a scalar.
    fn text(field: Option<Scalar>) -> Option<String> {
        match field {
            None | Some(Scalar::Null) => Some(String::new()),
            Some(Scalar::Text(s)) => Some(s),
            Some(Scalar::Other) => None,
        }
    }
}

/// A number as text: integers as their digits; other floats in Rust's
/// shortest round-trip form (`4.0` is `4`, `1e3` is `1000`).
fn float_text(v: f64) -> String {
    format!("{v}")
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Scalar, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_str<E>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar::Text(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<Scalar, E> {
                Ok(Scalar::Text(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar::Text(itoa::Buffer::new().format(v).to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar::Text(itoa::Buffer::new().format(v).to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar::Text(float_text(v)))
            }
            fn visit_unit<E>(self) -> Result<Scalar, E> {
                Ok(Scalar::Null)
            }
            fn visit_none<E>(self) -> Result<Scalar, E> {
                Ok(Scalar::Null)
            }
            fn visit_bool<E>(self, _: bool) -> Result<Scalar, E> {
                Ok(Scalar::Other)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Scalar, A::Error> {
                IgnoredAny.visit_seq(seq).map(|_| Scalar::Other)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Scalar, A::Error> {
                IgnoredAny.visit_map(map).map(|_| Scalar::Other)
            }
        }
        d.deserialize_any(V)
    }
}

/// Reads the map `map` into `fields`: for each key in `names`, its value as
/// `T`; other keys skipped; a repeated wanted key is an error (which of
/// the two would be meant is a guess).
fn read_fields<'de, A: MapAccess<'de>, const N: usize>(
    mut map: A,
    names: [&str; N],
    mut read: impl FnMut(usize, &mut A) -> Result<(), A::Error>,
) -> Result<(), A::Error> {
    let mut seen = [false; N];
    while let Some(key) = map.next_key::<Key<'de>>()? {
        match names.iter().position(|n| *n == key.as_str()) {
            Some(i) => {
                if std::mem::replace(&mut seen[i], true) {
                    return Err(de::Error::custom(format_args!(
                        "duplicate key {}",
                        key.as_str()
                    )));
                }
                read(i, &mut map)?;
            }
            None => {
                map.next_value::<IgnoredAny>()?;
            }
        }
    }
    Ok(())
}

/// A key, borrowed from the record unless it holds escapes.
enum Key<'de> {
    Borrowed(&'de str),
    Owned(String),
}

impl Key<'_> {
    fn as_str(&self) -> &str {
        match self {
            Key::Borrowed(s) => s,
            Key::Owned(s) => s,
        }
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Key<'de>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key::Borrowed(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key::Owned(v.to_string()))
            }
        }
        d.deserialize_str(V)
    }
}

/// Declares a struct read from a JSON object only, with the named fields.
macro_rules! object {
    ($name:ident { $($field:ident : $ty:ty = $key:literal),* $(,)? }) => {
        #[derive(Default)]
        struct $name {
            $($field: Option<$ty>,)*
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<$name, D::Error> {
                struct V;
                impl<'de> Visitor<'de> for V {
                    type Value = $name;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str("an object")
                    }
                    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<$name, A::Error> {
                        let mut out = $name::default();
                        let names = [$($key),*];
                        read_fields(map, names, |i, map| {
                            let mut k = 0;
                            $(
                                if i == k {
                                    out.$field = Some(map.next_value()?);
                                    return Ok(());
                                }
                                k += 1;
                            )*
                            let _ = k;
                            unreachable!("a listed key")
                        })?;
                        Ok(out)
                    }
                }
                d.deserialize_map(V)
            }
        }
    };
}

object!(Audit {
    ticket_id: Scalar = "ticket_id",
    created_at: Scalar = "created_at",
    author_id: Scalar = "author_id",
    events: Events = "events",
});

object!(Event {
    kind: Scalar = "type",
    field_name: Scalar = "field_name",
    value: Scalar = "value",
    previous_value: Scalar = "previous_value",
});

object!(Activity {
    ticket_id: Scalar = "ticket_id",
    performed_at: Scalar = "performed_at",
    performer_type: Scalar = "performer_type",
    activity: Option<Changes> = "activity",
});

object!(Changes {
    priority: Scalar = "priority",
});

/// An audit's events: an array of objects, or null (none).
struct Events(Vec<Event>);

impl<'de> Deserialize<'de> for Events {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Events, D::Error> {
        Option::<Vec<Event>>::deserialize(d).map(|e| Events(e.unwrap_or_default()))
    }
}

fn parse<'a, T: Deserialize<'a>>(text: &'a [u8]) -> Option<T> {
    serde_json::from_slice(text).ok()
}

/// A Zendesk ticket audit: a row when it has a priority event (`Create` or
/// `Change` of `field_name` `priority`; the last one when several).
pub(in crate::ingest) fn zendesk_audit(text: &[u8]) -> Extracted {
    let Some(audit) = parse::<Audit>(text) else {
        return Extracted::Malformed;
    };
    let Some(event) = audit.events.into_iter().flat_map(|e| e.0).rev().find(|e| {
        matches!(&e.field_name, Some(Scalar::Text(f)) if f == "priority")
            && matches!(&e.kind, Some(Scalar::Text(k)) if k == "Create" || k == "Change")
    }) else {
        return Extracted::Ignored;
    };
    let change = matches!(&event.kind, Some(Scalar::Text(k)) if k == "Change");
    let from = match (change, event.previous_value) {
        (false, _) | (true, None) => None,
        (true, Some(v)) => match Scalar::text(Some(v)) {
            Some(s) => Some(s),
            None => return Extracted::Malformed,
        },
    };
    // a priority event without a value says nothing: no guess
    if event.value.is_none() {
        return Extracted::Malformed;
    }
    let row = (|| {
        Some(HistoryRow {
            id: Scalar::text(audit.ticket_id)?,
            changed_at: Scalar::text(audit.created_at)?,
            to: Scalar::text(event.value)?,
            from,
            by: Scalar::text(audit.author_id)?,
        })
    })();
    row.map_or(Extracted::Malformed, Extracted::Row)
}

/// A Freshdesk ticket activity: a row when its `activity` has a
/// `priority` (a number or a name, as written).
pub(in crate::ingest) fn freshdesk_activity(text: &[u8]) -> Extracted {
    let Some(a) = parse::<Activity>(text) else {
        return Extracted::Malformed;
    };
    let Some(priority) = a.activity.flatten().and_then(|c| c.priority) else {
        return Extracted::Ignored;
    };
    let row = (|| {
        Some(HistoryRow {
            id: Scalar::text(a.ticket_id)?,
            changed_at: Scalar::text(a.performed_at)?,
            to: Scalar::text(Some(priority))?,
            from: None,
            by: Scalar::text(a.performer_type)?,
        })
    })();
    row.map_or(Extracted::Malformed, Extracted::Row)
}

/// A record as compact JSON for `rejects.csv`; its raw text (invalid
/// UTF-8 as U+FFFD) when it does not parse.
pub(in crate::ingest) fn compact(text: &[u8]) -> String {
    match serde_json::from_slice::<serde_json::Value>(text) {
        Ok(v) => v.to_string(),
        Err(_) => String::from_utf8_lossy(text).into_owned(),
    }
}
