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
    // an object without `events` is not an audit (another export's record,
    // e.g. a `{"tickets": [...]}` page read as one line): never ignored
    // unseen among the audits without a priority event
    let Some(events) = audit.events else {
        return Extracted::Malformed;
    };
    let Some(event) = events.0.into_iter().rev().find(|e| {
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
    // an object without `activity` is not an activity
    let Some(activity) = a.activity else {
        return Extracted::Malformed;
    };
    let Some(priority) = activity.and_then(|c| c.priority) else {
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

/// A record on one line for `rejects.csv`: its text without the white
/// space between tokens, every token as written (a number of any size, an
/// escape, the order of keys); its raw text (invalid UTF-8 as U+FFFD) when
/// it is not JSON.
pub(in crate::ingest) fn compact(text: &[u8]) -> String {
    // (serde_json passes over invalid UTF-8 in a string it ignores)
    if std::str::from_utf8(text).is_err() || serde_json::from_slice::<IgnoredAny>(text).is_err() {
        return String::from_utf8_lossy(text).into_owned();
    }
    let mut out = Vec::with_capacity(text.len());
    let (mut in_string, mut escaped) = (false, false);
    for &b in text {
        if in_string {
            out.push(b);
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if !matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
            in_string = b == b'"';
            out.push(b);
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn row(id: &str, at: &str, to: &str, from: Option<&str>, by: &str) -> Extracted {
        Extracted::Row(HistoryRow {
            id: id.into(),
            changed_at: at.into(),
            to: to.into(),
            from: from.map(str::to_string),
            by: by.into(),
        })
    }

    /// The records of a fixture page, through `extract`.
    fn fixture(bytes: &[u8], key: &str, extract: fn(&[u8]) -> Extracted) -> Vec<Extracted> {
        let page: serde_json::Value = serde_json::from_slice(bytes).unwrap();
        page[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| extract(serde_json::to_string_pretty(r).unwrap().as_bytes()))
            .collect()
    }

    #[test]
    fn the_zendesk_fixture_gives_a_row_per_audit_with_a_priority_event() {
        let got = fixture(
            include_bytes!("../../../tests/fixtures/zendesk/audits.json"),
            "audits",
            zendesk_audit,
        );
        assert_eq!(
            got,
            [
                row("101", "2026-03-02T08:00:00Z", "high", None, "7001"),
                row("102", "2026-03-02T09:15:00Z", "", None, "7002"),
                row(
                    "101",
                    "2026-03-03T10:30:00Z",
                    "urgent",
                    Some("high"),
                    "8001"
                ),
                Extracted::Ignored,
                row("104", "2026-03-05T07:05:00Z", "normal", None, "7004"),
                row("105", "2026-03-05T16:20:00Z", "low", None, "7005"),
                // two priority events: the last
                row(
                    "106",
                    "2026-03-06T11:00:00Z",
                    "urgent",
                    Some("normal"),
                    "-1"
                ),
            ]
        );
    }

    #[test]
    fn the_freshdesk_fixture_gives_a_row_per_activity_with_a_priority() {
        let got = fixture(
            include_bytes!("../../../tests/fixtures/freshdesk/activities.json"),
            "activities_data",
            freshdesk_activity,
        );
        let at = |d: &str| format!("{d}-03-2026");
        assert_eq!(
            got,
            [
                row("101", &(at("02") + " 08:00:00 +0000"), "3", None, "user"),
                Extracted::Ignored,
                row(
                    "101",
                    &(at("03") + " 10:30:00 +0000"),
                    "Urgent",
                    None,
                    "agent"
                ),
                Extracted::Ignored,
                row("103", &(at("05") + " 07:05:00 +0000"), "4", None, "system"),
                row("104", &(at("05") + " 16:20:00 +0000"), "Low", None, "user"),
                Extracted::Ignored,
                row("106", &(at("06") + " 11:30:00 +0000"), "2", None, "agent"),
            ]
        );
    }

    #[test]
    fn numbers_and_strings_are_accepted_for_each_other() {
        let audit = br#"{"ticket_id": "101", "created_at": "2026-03-02T08:00:00Z", "author_id": 7001.0,
            "events": [{"type": "Change", "field_name": "priority", "value": 2, "previous_value": -3}]}"#;
        assert_eq!(
            zendesk_audit(audit),
            row("101", "2026-03-02T08:00:00Z", "2", Some("-3"), "7001")
        );
        let activity = br#"{"ticket_id": 18446744073709551615, "performed_at": 1772438400,
            "performer_type": "agent", "activity": {"priority": 4.5}}"#;
        assert_eq!(
            freshdesk_activity(activity),
            row("18446744073709551615", "1772438400", "4.5", None, "agent")
        );
        // an escaped key is the same key
        let escaped = br#"{"ticket\u005fid": 7, "activity": {"priority": "High"}}"#;
        assert_eq!(freshdesk_activity(escaped), row("7", "", "High", None, ""));
    }

    #[test]
    fn a_value_of_the_wrong_kind_or_a_record_that_is_no_object_is_malformed() {
        let event = r#"{"type": "Create", "field_name": "priority", "value": "high"}"#;
        for audit in [
            format!(r#"{{"ticket_id": {{}}, "events": [{event}]}}"#),
            format!(r#"{{"ticket_id": [1], "events": [{event}]}}"#),
            format!(r#"{{"ticket_id": 1, "created_at": true, "events": [{event}]}}"#),
            format!(r#"{{"ticket_id": 1, "author_id": {{"id": 1}}, "events": [{event}]}}"#),
            r#"{"events": [{"type": "Create", "field_name": "priority", "value": ["high"]}]}"#
                .to_string(),
            r#"{"events": [{"type": "Create", "field_name": "priority", "value": false}]}"#
                .to_string(),
            r#"{"events": [{"type": "Change", "field_name": "priority", "value": "low",
                "previous_value": {}}]}"#
                .to_string(),
            // a priority event that says nothing
            r#"{"events": [{"type": "Create", "field_name": "priority"}]}"#.to_string(),
            r#"{"events": {"type": "Create"}}"#.to_string(),
            r#"{"events": [null]}"#.to_string(),
            // serde would read a struct from an array by position
            r#"{"events": [["Create", "priority", "high"]]}"#.to_string(),
            r#"[1, "2026-03-02T08:00:00Z", 7, []]"#.to_string(),
            format!(r#"{{"ticket_id": 1, "ticket_id": 2, "events": [{event}]}}"#),
            "null".into(),
            "\"audit\"".into(),
            "12".into(),
            "{\"ticket_id\": 1,".into(),
            "{\"ticket_id\": \"\\xff\"}".into(),
            format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
            format!(
                "{{\"events\": [{}]}}",
                "{\"a\": ".repeat(200) + &"}".repeat(200)
            ),
        ] {
            assert_eq!(
                zendesk_audit(audit.as_bytes()),
                Extracted::Malformed,
                "{:.80}",
                audit
            );
        }
        for activity in [
            r#"{"ticket_id": 1, "activity": {"priority": {"id": 4}}}"#,
            r#"{"ticket_id": true, "activity": {"priority": 4}}"#,
            r#"{"ticket_id": 1, "performer_type": ["agent"], "activity": {"priority": 4}}"#,
            r#"{"ticket_id": 1, "activity": "priority 4"}"#,
            r#"{"ticket_id": 1, "activity": [4]}"#,
            r#"{"activity": {"priority": 4, "priority": 3}}"#,
            r#"[{"activity": {"priority": 4}}]"#,
        ] {
            assert_eq!(
                freshdesk_activity(activity.as_bytes()),
                Extracted::Malformed,
                "{activity}"
            );
        }
        assert_eq!(zendesk_audit(b"\xff{}"), Extracted::Malformed);
    }

    #[test]
    fn records_without_a_priority_are_ignored_and_missing_fields_are_empty() {
        for audit in [
            r#"{"ticket_id": 1, "events": null}"#,
            r#"{"ticket_id": 1, "events": []}"#,
            r#"{"events": [{"type": "Comment", "body": "priority", "value": {"x": [1]}}]}"#,
            r#"{"events": [{"type": "Notification", "field_name": "priority", "value": "low"}]}"#,
            r#"{"events": [{"type": "Change", "field_name": "status", "value": "open"}]}"#,
            r#"{"events": [{"type": "Change", "field_name": "tags", "value": ["a"]}]}"#,
        ] {
            assert_eq!(
                zendesk_audit(audit.as_bytes()),
                Extracted::Ignored,
                "{audit}"
            );
        }
        for activity in [
            r#"{"ticket_id": 1, "activity": null}"#,
            r#"{"ticket_id": 1, "activity": {"status": "Closed", "note": {"id": 1}}}"#,
            r#"{"ticket_id": 1, "activity": {"custom_fields": {"priority": 4}}}"#,
        ] {
            assert_eq!(
                freshdesk_activity(activity.as_bytes()),
                Extracted::Ignored,
                "{activity}"
            );
        }
        let bare = br#"{"events": [{"type": "Change", "field_name": "priority", "value": null,
            "previous_value": null}]}"#;
        assert_eq!(zendesk_audit(bare), row("", "", "", Some(""), ""));
        let no_previous = br#"{"ticket_id": null, "events": [{"type": "Change",
            "field_name": "priority", "value": "low"}]}"#;
        assert_eq!(zendesk_audit(no_previous), row("", "", "low", None, ""));
        let bare = br#"{"activity": {"priority": null}}"#;
        assert_eq!(freshdesk_activity(bare), row("", "", "", None, ""));
    }

    /// An object without `events` (`activity`) is not an audit (activity):
    /// another export's record, such as a one-line `{"tickets": [...]}`
    /// page, is rejected, not ignored among the records without a priority.
    #[test]
    fn an_object_that_is_not_an_audit_or_an_activity_is_malformed() {
        for text in [
            "{}",
            r#"{"tickets": [{"id": 1, "priority": "high"}]}"#,
            r#"{"ticket_id": 1, "created_at": "2026-03-02T10:00:00Z"}"#,
        ] {
            assert_eq!(
                zendesk_audit(text.as_bytes()),
                Extracted::Malformed,
                "{text}"
            );
            assert_eq!(
                freshdesk_activity(text.as_bytes()),
                Extracted::Malformed,
                "{text}"
            );
        }
    }

    #[test]
    fn compact_gives_one_line_json_or_the_raw_text() {
        let pretty = b"{\n  \"b\": [1, 2.5, \"x\\u00e9\"],\r\n  \"a\": null\n}";
        assert_eq!(compact(pretty), r#"{"b":[1,2.5,"x\u00e9"],"a":null}"#);
        // tokens as written: a number beyond u64 and f64, spaces in strings
        let big = br#"{ "ticket_id" : 123456789012345678901234567890, "s": "a \" b" }"#;
        assert_eq!(
            compact(big),
            r#"{"ticket_id":123456789012345678901234567890,"s":"a \" b"}"#
        );
        assert_eq!(compact(b"{\"a\": tru\n"), "{\"a\": tru\n");
        assert_eq!(compact(b"{\"a\": \"\xff\"}"), "{\"a\": \"\u{FFFD}\"}");
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(compact(deep.as_bytes()), deep);
    }

    proptest::proptest! {
        #[test]
        fn random_records_never_panic(
            text in proptest::collection::vec(
                proptest::sample::select(
                    b"{}[]\",:\\ 0-.e\xC3\xA9tnull\"priority\"\"events\"\"type\"\"Change\"".to_vec(),
                ),
                0..300,
            ),
        ) {
            let _ = zendesk_audit(&text);
            let _ = freshdesk_activity(&text);
            let _ = compact(&text);
        }

        /// Well-formed audits with random scalars come out as their text.
        #[test]
        fn any_scalar_id_comes_out_as_its_text(id in proptest::prop_oneof![
            (0u64..u64::MAX).prop_map(|n| (n.to_string(), n.to_string())),
            (i64::MIN..0).prop_map(|n| (n.to_string(), n.to_string())),
            proptest::collection::vec(proptest::sample::select(b"az09 -".to_vec()), 0..12)
                .prop_map(|s| {
                    let s = String::from_utf8(s).unwrap();
                    (format!("\"{s}\""), s)
                }),
        ]) {
            let (json, text) = id;
            let audit = format!(
                r#"{{"ticket_id": {json}, "events": [{{"type": "Create", "field_name": "priority", "value": {json}}}]}}"#
            );
            proptest::prop_assert_eq!(
                zendesk_audit(audit.as_bytes()),
                row(&text, "", &text, None, "")
            );
        }
    }
}
