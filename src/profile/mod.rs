//! Import profiles (EXPORTS.md): how a helpdesk's export maps onto the
//! contract's fields. Which column feeds each field (candidate header
//! names), the timestamp forms, the value maps, where the plan and the first
//! response come from, and the history's shape. The built-in formats
//! (`native`, `zendesk`, `freshdesk`) are profile files embedded in the
//! binary, read by the same code as a user's `--profile`.

use std::collections::HashMap;
use std::fmt;

use crate::policy::Policy;

mod formats;

pub use formats::{TimeFormat, TimeFormats};

/// The built-in formats: name and profile text.
pub const BUILT_IN: [(&str, &str); 3] = [
    ("native", include_str!("native.toml")),
    ("zendesk", include_str!("zendesk.toml")),
    ("freshdesk", include_str!("freshdesk.toml")),
];

/// A profile with a mistake: the dotted key and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileError {
    pub key: String,
    pub message: String,
}

impl ProfileError {
    fn new(key: impl Into<String>, message: impl Into<String>) -> ProfileError {
        ProfileError {
            key: key.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for ProfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.key.is_empty() {
            write!(f, "profile: {}", self.message)
        } else {
            write!(f, "profile key {}: {}", self.key, self.message)
        }
    }
}

impl std::error::Error for ProfileError {}

type Result<T> = std::result::Result<T, ProfileError>;

/// A field's candidate header names, tried in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The profile key (`ticket_id`, `first_response_minutes`).
    pub key: &'static str,
    /// As written in the profile.
    pub columns: Vec<String>,
}

/// What the ticket export's priority column means (EXPORTS.md rule 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportPriority {
    /// The submitted priority: the native files.
    Submitted,
    /// The priority now: a helpdesk export; a history tells the submitted.
    Current,
}

/// Where the first response comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response {
    /// A timestamp column.
    At(Field),
    /// A calendar duration after `created_at`, in seconds per unit
    /// (60 for minutes, 3600 for hours), or `HH:MM[:SS]` when `None`.
    After(Field, Option<i64>),
}

impl Response {
    pub fn field(&self) -> &Field {
        match self {
            Response::At(f) | Response::After(f, _) => f,
        }
    }
}

/// A priority value map's target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PriorityValue {
    Level(u32),
    /// The policy's `default_priority`.
    Default,
}

/// Values matched after trimming, case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueMap<T> {
    /// Looked up once per row and field: foldhash, not SipHash (the keys
    /// are the profile's own).
    map: HashMap<String, T, foldhash::fast::FixedState>,
    /// In profile order, as written (for `inspect` and printing).
    pub written: Vec<(String, T)>,
}

/// The longest ASCII text that `ValueMap::get` lowercases on the stack.
const SHORT: usize = 64;

impl<T: Copy> ValueMap<T> {
    fn new() -> ValueMap<T> {
        ValueMap {
            map: HashMap::default(),
            written: Vec::new(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    pub fn get(&self, text: &str) -> Option<T> {
        let t = text.trim();
        if t.is_ascii() {
            if !t.bytes().any(|c| c.is_ascii_uppercase()) {
                return self.map.get(t).copied();
            }
            if t.len() <= SHORT {
                // the common case (`Normal`, `Urgent`): lowercased without
                // an allocation (an ASCII text lowercases to ASCII)
                let mut buf = [0u8; SHORT];
                let lower = &mut buf[..t.len()];
                lower.copy_from_slice(t.as_bytes());
                lower.make_ascii_lowercase();
                let lower = std::str::from_utf8(lower).expect("ASCII is UTF-8");
                return self.map.get(lower).copied();
            }
        }
        self.map.get(&t.to_lowercase()).copied()
    }
}

/// The ticket file's fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketSpec {
    pub timestamps: TimeFormats,
    /// The zone of this file kind's offsetless timestamps, a fact of the
    /// source: it wins over `--input-tz`.
    pub timezone: Option<chrono_tz::Tz>,
    pub ticket_id: Field,
    pub created_at: Field,
    pub response: Option<Response>,
    pub priority: Option<Field>,
    pub plan: Option<Field>,
    /// Every ticket's plan (instead of a column).
    pub plan_constant: Option<u16>,
    pub organization: Option<Field>,
    pub product_stage: Option<Field>,
    pub group: Option<Field>,
    pub assignee: Option<Field>,
}

/// A history of long field-change rows: only rows whose `field` column
/// holds one of `values` (lowercase) count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldFilter {
    pub field: Field,
    pub values: Vec<String>,
}

/// The JSON histories the tool reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonShape {
    /// Zendesk's Ticket Audits API: `{"audits":[...]}` or NDJSON.
    ZendeskAudits,
    /// Freshdesk's ticket-activities export: `{"activities_data":[...]}`.
    FreshdeskActivities,
}

impl JsonShape {
    pub fn as_str(self) -> &'static str {
        match self {
            JsonShape::ZendeskAudits => "zendesk_audits",
            JsonShape::FreshdeskActivities => "freshdesk_activities",
        }
    }
}

/// A CSV history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvHistory {
    pub timestamps: TimeFormats,
    pub ticket_id: Field,
    pub changed_at: Field,
    pub to_priority: Field,
    pub from_priority: Option<Field>,
    pub changed_by: Option<Field>,
    pub filter: Option<FieldFilter>,
}

/// The change files' shapes: a CSV file is read by `csv`, a JSON one by
/// `json` (told apart by content).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeSpec {
    /// As `TicketSpec::timezone`, for the history files.
    pub timezone: Option<chrono_tz::Tz>,
    pub csv: Option<CsvHistory>,
    pub json: Option<(JsonShape, TimeFormats)>,
}

/// A validated import profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub name: String,
    /// The profile text (recorded in run.json, printed by `profile`).
    pub text: String,
    pub export_priority: ExportPriority,
    /// Whether `Plan [list]` matches `Plan` (Zendesk's type decorations).
    pub header_decorations: bool,
    /// The zone of offsetless timestamps, unless `--input-tz` is given
    /// (a kind's own `timezone` wins over both).
    pub timezone: Option<chrono_tz::Tz>,
    pub tickets: TicketSpec,
    pub changes: ChangeSpec,
    /// `None`: the policy's own words (`1`..`N`, `PN`, names).
    pub priority: Option<ValueMap<PriorityValue>>,
    /// Tried before the policy's plan keys, names and aliases.
    pub plan: ValueMap<u16>,
    /// Stage texts as the policy's `excluded_stages` know them.
    pub stage: ValueMap<u32>,
    /// The stage map's targets (indexed by its values).
    pub stage_names: Vec<String>,
}

impl Profile {
    /// The built-in format `name`, read against `policy`.
    pub fn built_in(name: &str, policy: &Policy) -> Option<Result<Profile>> {
        BUILT_IN
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, text)| Profile::from_toml(text, policy))
    }

    /// The native format, whatever the policy.
    pub fn native(policy: &Policy) -> Profile {
        Profile::built_in("native", policy)
            .expect("native is built in")
            .expect("the native profile holds no policy values")
    }

    /// The native format, shared (it holds no policy values).
    pub fn native_ref() -> &'static Profile {
        static NATIVE: std::sync::OnceLock<Profile> = std::sync::OnceLock::new();
        NATIVE.get_or_init(|| Profile::native(&Policy::embedded()))
    }

    /// The built-in format this profile is, word for word (a printed
    /// built-in given as `--profile` is that format).
    pub fn built_in_name(&self) -> Option<&'static str> {
        BUILT_IN
            .iter()
            .find(|(name, text)| *name == self.name && *text == self.text)
            .map(|(name, _)| *name)
    }

    pub fn is_native(&self) -> bool {
        self.export_priority == ExportPriority::Submitted
            && !self.header_decorations
            && self.priority.is_none()
    }

    /// Reads and checks a profile; priority and plan targets must exist in
    /// `policy`.
    pub fn from_toml(text: &str, policy: &Policy) -> Result<Profile> {
        let root: toml::Table = text.parse().map_err(|e: toml::de::Error| {
            let message = e.message().to_string();
            let at = e
                .span()
                .map(|s| {
                    let line = text[..s.start.min(text.len())].matches('\n').count() + 1;
                    format!(" (line {line})")
                })
                .unwrap_or_default();
            ProfileError::new("", format!("not valid TOML{at}: {message}"))
        })?;
        check_keys(
            &root,
            "",
            &[
                "name",
                "export_priority",
                "header_decorations",
                "timezone",
                "tickets",
                "changes",
                "values",
            ],
        )?;
        let name = match root.get("name") {
            None => "custom".to_string(),
            Some(v) => string(v, "name")?.to_string(),
        };
        let export_priority = match root.get("export_priority") {
            None => ExportPriority::Current,
            Some(v) => match string(v, "export_priority")? {
                "current" => ExportPriority::Current,
                "submitted" => ExportPriority::Submitted,
                other => {
                    return Err(ProfileError::new(
                        "export_priority",
                        format!("{other:?}: expected \"current\" or \"submitted\""),
                    ))
                }
            },
        };
        let header_decorations = match root.get("header_decorations") {
            None => true,
            Some(v) => v
                .as_bool()
                .ok_or_else(|| wrong("header_decorations", "a boolean", v))?,
        };
        let timezone = zone(root.get("timezone"), "timezone")?;
        let empty = toml::Table::new();
        let values = table_or_empty(&root, "values", &empty)?;
        check_keys(values, "values", &["priority", "plan", "stage"])?;
        let priority = match values.get("priority") {
            None => None,
            Some(v) => Some(priority_map(table(v, "values.priority")?, policy)?),
        };
        let plan = plan_map(table_or_empty(values, "plan", &empty)?, policy)?;
        let (stage, stage_names) = stage_map(table_or_empty(values, "stage", &empty)?)?;
        let tickets = ticket_spec(
            root.get("tickets")
                .ok_or_else(|| ProfileError::new("tickets", "missing: the ticket file's columns"))
                .and_then(|v| table(v, "tickets"))?,
            policy,
        )?;
        let changes = change_spec(table_or_empty(&root, "changes", &empty)?)?;
        Ok(Profile {
            name,
            text: text.to_string(),
            export_priority,
            header_decorations,
            timezone,
            tickets,
            changes,
            priority,
            plan,
            stage,
            stage_names,
        })
    }
}

fn ticket_spec(t: &toml::Table, policy: &Policy) -> Result<TicketSpec> {
    check_keys(
        t,
        "tickets",
        &[
            "timezone",
            "timestamps",
            "ticket_id",
            "created_at",
            "first_response_at",
            "first_response_minutes",
            "first_response_hours",
            "first_response_hms",
            "priority",
            "plan",
            "plan_constant",
            "organization",
            "product_stage",
            "group",
            "assignee",
        ],
    )?;
    let responses: Vec<Response> = [
        ("first_response_at", None, false),
        ("first_response_minutes", Some(60), true),
        ("first_response_hours", Some(3600), true),
        ("first_response_hms", None, true),
    ]
    .into_iter()
    .filter_map(|(key, unit, after)| {
        field(t, "tickets", key).transpose().map(|f| {
            f.map(|f| {
                if after {
                    Response::After(f, unit)
                } else {
                    Response::At(f)
                }
            })
        })
    })
    .collect::<Result<_>>()?;
    if responses.len() > 1 {
        return Err(ProfileError::new(
            format!("tickets.{}", responses[1].field().key),
            format!(
                "the first response comes from one column kind: tickets.{} is given too",
                responses[0].field().key
            ),
        ));
    }
    let plan_constant = match t.get("plan_constant") {
        None => None,
        Some(v) => {
            let s = string(v, "tickets.plan_constant")?;
            let plan = policy.find_plan(s).ok_or_else(|| {
                ProfileError::new(
                    "tickets.plan_constant",
                    format!("{s:?} is not a plan of the policy"),
                )
            })?;
            Some(plan as u16)
        }
    };
    let plan = field(t, "tickets", "plan")?;
    if plan.is_some() && plan_constant.is_some() {
        return Err(ProfileError::new(
            "tickets.plan_constant",
            "give the plan as a column (tickets.plan) or a constant, not both",
        ));
    }
    Ok(TicketSpec {
        timezone: zone(t.get("timezone"), "tickets.timezone")?,
        timestamps: timestamps(t, "tickets", "timestamps")?,
        ticket_id: required_field(t, "tickets", "ticket_id")?,
        created_at: required_field(t, "tickets", "created_at")?,
        response: responses.into_iter().next(),
        priority: field(t, "tickets", "priority")?,
        plan,
        plan_constant,
        organization: field(t, "tickets", "organization")?,
        product_stage: field(t, "tickets", "product_stage")?,
        group: field(t, "tickets", "group")?,
        assignee: field(t, "tickets", "assignee")?,
    })
}

fn change_spec(t: &toml::Table) -> Result<ChangeSpec> {
    check_keys(
        t,
        "changes",
        &[
            "timezone",
            "timestamps",
            "ticket_id",
            "changed_at",
            "to_priority",
            "from_priority",
            "changed_by",
            "field",
            "field_values",
            "json",
            "json_timestamps",
        ],
    )?;
    let csv_keys = ["ticket_id", "changed_at", "to_priority"];
    let csv = if csv_keys.iter().any(|k| t.contains_key(*k)) {
        let filter = match (field(t, "changes", "field")?, t.get("field_values")) {
            (None, None) => None,
            (Some(field), Some(v)) => {
                let values = string_list(v, "changes.field_values")?
                    .into_iter()
                    .map(|s| s.trim().to_lowercase())
                    .collect();
                Some(FieldFilter { field, values })
            }
            (Some(_), None) => {
                return Err(ProfileError::new(
                    "changes.field_values",
                    "missing: the field names that hold the priority (e.g. [\"priority\"])",
                ))
            }
            (None, Some(_)) => {
                return Err(ProfileError::new(
                    "changes.field",
                    "missing: the column that names each row's field",
                ))
            }
        };
        Some(CsvHistory {
            timestamps: timestamps(t, "changes", "timestamps")?,
            ticket_id: required_field(t, "changes", "ticket_id")?,
            changed_at: required_field(t, "changes", "changed_at")?,
            to_priority: required_field(t, "changes", "to_priority")?,
            from_priority: field(t, "changes", "from_priority")?,
            changed_by: field(t, "changes", "changed_by")?,
            filter,
        })
    } else {
        for key in [
            "timestamps",
            "from_priority",
            "changed_by",
            "field",
            "field_values",
        ] {
            if t.contains_key(key) {
                return Err(ProfileError::new(
                    format!("changes.{key}"),
                    "a CSV history needs changes.ticket_id, changes.changed_at and \
                     changes.to_priority",
                ));
            }
        }
        None
    };
    let json = match t.get("json") {
        None => {
            if t.contains_key("json_timestamps") {
                return Err(ProfileError::new(
                    "changes.json_timestamps",
                    "without changes.json no JSON history is read",
                ));
            }
            None
        }
        Some(v) => {
            let shape = match string(v, "changes.json")? {
                "zendesk_audits" => JsonShape::ZendeskAudits,
                "freshdesk_activities" => JsonShape::FreshdeskActivities,
                other => {
                    return Err(ProfileError::new(
                        "changes.json",
                        format!(
                            "{other:?}: expected \"zendesk_audits\" or \"freshdesk_activities\""
                        ),
                    ))
                }
            };
            Some((shape, timestamps(t, "changes", "json_timestamps")?))
        }
    };
    Ok(ChangeSpec {
        timezone: zone(t.get("timezone"), "changes.timezone")?,
        csv,
        json,
    })
}

fn priority_map(t: &toml::Table, policy: &Policy) -> Result<ValueMap<PriorityValue>> {
    let mut map = ValueMap::new();
    for (raw, v) in t {
        let key = format!("values.priority.{}", seg(raw));
        if raw.trim().is_empty() {
            return Err(ProfileError::new(
                &key,
                "an empty priority is always the policy default; it cannot be mapped",
            ));
        }
        let target = match v {
            toml::Value::Integer(n) => u32::try_from(*n)
                .ok()
                .filter(|n| policy.priorities.contains_key(n))
                .map(PriorityValue::Level),
            toml::Value::String(s) if s.trim().eq_ignore_ascii_case("default") => {
                Some(PriorityValue::Default)
            }
            toml::Value::String(s) => policy.parse_priority(s).map(PriorityValue::Level),
            other => return Err(wrong(&key, "a priority (a number or a name)", other)),
        };
        let target = target.ok_or_else(|| {
            ProfileError::new(
                &key,
                format!(
                    "{v} is not a priority of the policy (1..{}), nor \"default\"",
                    policy.priorities.len()
                ),
            )
        })?;
        insert(&mut map, raw, target, &key)?;
    }
    Ok(map)
}

fn plan_map(t: &toml::Table, policy: &Policy) -> Result<ValueMap<u16>> {
    let mut map = ValueMap::new();
    for (raw, v) in t {
        let key = format!("values.plan.{}", seg(raw));
        if raw.trim().is_empty() {
            return Err(ProfileError::new(
                &key,
                "an empty plan is a missing field; it cannot be mapped (plan_constant gives \
                 every ticket one plan)",
            ));
        }
        let s = string(v, &key)?;
        let plan = policy
            .find_plan(s)
            .ok_or_else(|| ProfileError::new(&key, format!("{s:?} is not a plan of the policy")))?;
        insert(&mut map, raw, plan as u16, &key)?;
    }
    Ok(map)
}

fn stage_map(t: &toml::Table) -> Result<(ValueMap<u32>, Vec<String>)> {
    let mut map = ValueMap::new();
    let mut names: Vec<String> = Vec::new();
    for (raw, v) in t {
        let key = format!("values.stage.{}", seg(raw));
        let s = string(v, &key)?.trim().to_string();
        let index = match names.iter().position(|n| *n == s) {
            Some(i) => i,
            None => {
                names.push(s);
                names.len() - 1
            }
        };
        insert(&mut map, raw, index as u32, &key)?;
    }
    Ok((map, names))
}

/// Adds `raw -> target`; two spellings of one value are a mistake.
fn insert<T: Copy>(map: &mut ValueMap<T>, raw: &str, target: T, key: &str) -> Result<()> {
    let folded = raw.trim().to_lowercase();
    if map.map.insert(folded, target).is_some() {
        return Err(ProfileError::new(
            key,
            "listed twice (values are matched case-insensitively after trimming)",
        ));
    }
    map.written.push((raw.to_string(), target));
    Ok(())
}

fn zone(v: Option<&toml::Value>, key: &str) -> Result<Option<chrono_tz::Tz>> {
    let Some(v) = v else {
        return Ok(None);
    };
    let s = string(v, key)?;
    crate::model::local_time::zone_named(s)
        .map(Some)
        .map_err(|e| ProfileError::new(key, e))
}

fn timestamps(t: &toml::Table, path: &str, key: &str) -> Result<TimeFormats> {
    let full = format!("{path}.{key}");
    match t.get(key) {
        None => Ok(TimeFormats::iso()),
        Some(v) => {
            let list = string_list(v, &full)?;
            if list.is_empty() {
                return Err(ProfileError::new(&full, "empty: list at least one form"));
            }
            list.into_iter()
                .enumerate()
                .map(|(i, s)| {
                    TimeFormat::new(s).map_err(|m| ProfileError::new(format!("{full}[{i}]"), m))
                })
                .collect::<Result<_>>()
                .map(TimeFormats)
        }
    }
}

fn required_field(t: &toml::Table, path: &str, key: &'static str) -> Result<Field> {
    field(t, path, key)?.ok_or_else(|| {
        ProfileError::new(
            format!("{path}.{key}"),
            "missing: the column (or candidate columns) that feed it",
        )
    })
}

/// A field's candidate columns: a string or a list of strings.
fn field(t: &toml::Table, path: &str, key: &'static str) -> Result<Option<Field>> {
    let full = format!("{path}.{key}");
    let Some(v) = t.get(key) else {
        return Ok(None);
    };
    let columns: Vec<String> = match v {
        toml::Value::String(s) => vec![s.clone()],
        _ => string_list(v, &full)?
            .into_iter()
            .map(str::to_string)
            .collect(),
    };
    if columns.is_empty() || columns.iter().any(|c| c.trim().is_empty()) {
        return Err(ProfileError::new(
            &full,
            "list one or more column names, none empty (leave the key out for none)",
        ));
    }
    Ok(Some(Field { key, columns }))
}

fn check_keys(t: &toml::Table, path: &str, allowed: &[&str]) -> Result<()> {
    for key in t.keys() {
        if !allowed.contains(&key.as_str()) {
            let full = if path.is_empty() {
                seg(key)
            } else {
                format!("{path}.{}", seg(key))
            };
            return Err(ProfileError::new(
                full,
                format!("unknown key; expected one of: {}", allowed.join(", ")),
            ));
        }
    }
    Ok(())
}

fn seg(key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-');
    if bare {
        key.to_string()
    } else {
        format!("{key:?}")
    }
}

fn wrong(key: &str, expected: &str, v: &toml::Value) -> ProfileError {
    ProfileError::new(key, format!("expected {expected}, found {}", v.type_str()))
}

fn string<'v>(v: &'v toml::Value, key: &str) -> Result<&'v str> {
    v.as_str().ok_or_else(|| wrong(key, "a string", v))
}

fn string_list<'v>(v: &'v toml::Value, key: &str) -> Result<Vec<&'v str>> {
    let list = v
        .as_array()
        .ok_or_else(|| wrong(key, "a list of strings", v))?;
    list.iter()
        .enumerate()
        .map(|(i, item)| string(item, &format!("{key}[{i}]")))
        .collect()
}

fn table<'v>(v: &'v toml::Value, key: &str) -> Result<&'v toml::Table> {
    v.as_table().ok_or_else(|| wrong(key, "a table", v))
}

fn table_or_empty<'v>(
    t: &'v toml::Table,
    key: &str,
    empty: &'v toml::Table,
) -> Result<&'v toml::Table> {
    match t.get(key) {
        None => Ok(empty),
        Some(v) => table(v, key),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Profile> {
        Profile::from_toml(text, &Policy::embedded())
    }

    #[test]
    fn every_built_in_format_reads_against_the_embedded_policy() {
        let policy = Policy::embedded();
        for (name, _) in BUILT_IN {
            let p = Profile::built_in(name, &policy).unwrap().unwrap();
            assert_eq!(p.name, name);
        }
        assert!(Profile::native(&policy).is_native());
        let z = Profile::built_in("zendesk", &policy).unwrap().unwrap();
        assert!(!z.is_native());
        let map = z.priority.as_ref().unwrap();
        assert_eq!(map.get(" URGENT "), Some(PriorityValue::Level(1)));
        assert_eq!(map.get("-"), Some(PriorityValue::Default));
        assert_eq!(map.get("p1"), None);
        assert_eq!(
            z.tickets.response,
            Some(Response::After(
                Field {
                    key: "first_response_minutes",
                    columns: vec!["First reply time in minutes".into()]
                },
                Some(60)
            ))
        );
        let f = Profile::built_in("freshdesk", &policy).unwrap().unwrap();
        let map = f.priority.as_ref().unwrap();
        assert_eq!(map.get("4"), Some(PriorityValue::Level(1)));
        assert_eq!(map.get("1"), Some(PriorityValue::Level(3)));
        assert!(f.changes.csv.is_none());
    }

    #[test]
    fn a_mistake_is_one_message_naming_the_key() {
        let base = "[tickets]\nticket_id = \"Id\"\ncreated_at = \"Created\"\n";
        let cases: &[(&str, &str)] = &[
            ("", "profile key tickets: missing"),
            ("[tickets]\ncreated_at = \"c\"\n", "profile key tickets.ticket_id: missing"),
            (&format!("{base}colour = 1\n"), "profile key tickets.colour: unknown key"),
            (&format!("{base}ticket = 1\n"), "profile key tickets.ticket: unknown key"),
            (
                &format!("{base}first_response_at = \"a\"\nfirst_response_minutes = \"m\"\n"),
                "profile key tickets.first_response_minutes: the first response comes from one",
            ),
            (
                &format!("{base}timestamps = [\"%d.%m.%Y\"]\n"),
                "profile key tickets.timestamps[0]: \"%d.%m.%Y\" needs a date",
            ),
            (
                &format!("{base}[values.priority]\nkritisk = 7\n"),
                "profile key values.priority.kritisk: 7 is not a priority of the policy (1..3)",
            ),
            (
                &format!("{base}[values.priority]\nHigh = 1\n\" high\" = 2\n"),
                "profile key values.priority.\" high\": listed twice",
            ),
            (
                &format!("{base}[values.plan]\nGold = \"Platinum\"\n"),
                "profile key values.plan.Gold: \"Platinum\" is not a plan of the policy",
            ),
            (
                &format!("{base}plan = \"Plan\"\nplan_constant = \"Basic\"\n"),
                "profile key tickets.plan_constant: give the plan as a column",
            ),
            (
                &format!("{base}[changes]\nticket_id = \"t\"\nchanged_at = \"c\"\nto_priority = \"v\"\nfield = \"f\"\n"),
                "profile key changes.field_values: missing",
            ),
            (
                &format!("{base}[changes]\njson = \"jira\"\n"),
                "profile key changes.json: \"jira\": expected",
            ),
            (
                &format!("{base}[changes]\nchanged_by = \"who\"\n"),
                "profile key changes.changed_by: a CSV history needs",
            ),
            (&format!("{base}ticket_id = \"again\"\n"), "profile: not valid TOML (line 4)"),
            (&format!("timezone = \"Mars/Base\"\n{base}"), "profile key timezone: unknown zone \"Mars/Base\""),
        ];
        for (text, expect) in cases {
            let err = read(text).unwrap_err().to_string();
            assert!(
                err.starts_with(expect),
                "{text}\n  got: {err}\n want: {expect}"
            );
        }
    }

    /// Regression: `"" = 1` was accepted and never applied (an empty
    /// priority is the default, an empty plan a missing field before any
    /// map), a mapping silently ignored.
    #[test]
    fn an_empty_value_in_a_priority_or_plan_map_is_a_mistake() {
        let base = "[tickets]\nticket_id = \"Id\"\ncreated_at = \"Created\"\n";
        for (table, key) in [
            ("[values.priority]\n\"\" = 1\n", "values.priority.\"\""),
            (
                "[values.priority]\n\" \" = \"default\"\n",
                "values.priority.\" \"",
            ),
            ("[values.plan]\n\"\" = \"Basic\"\n", "values.plan.\"\""),
        ] {
            let err = read(&format!("{base}{table}")).unwrap_err().to_string();
            assert!(
                err.starts_with(&format!("profile key {key}: an empty")),
                "{table}: {err}"
            );
        }
        // an empty stage is a stage like any other
        let p = read(&format!("{base}[values.stage]\n\"\" = \"live\"\n")).unwrap();
        assert_eq!(p.stage.get(""), Some(0));
    }

    #[test]
    fn value_maps_fold_case_and_space_and_keep_the_written_order() {
        let p = read(
            "[tickets]\nticket_id = \"Id\"\ncreated_at = \"Created\"\n\
             [values.priority]\n\"1 - Critical\" = \"P1\"\nLOW = \"default\"\n\
             [values.stage]\nSandbox = \"beta\"\nTest = \"beta\"\nLive = \"\"\n",
        )
        .unwrap();
        let map = p.priority.unwrap();
        assert_eq!(map.get("1 - critical"), Some(PriorityValue::Level(1)));
        assert_eq!(map.get(" low"), Some(PriorityValue::Default));
        assert_eq!(map.written[0].0, "1 - Critical");
        assert_eq!(p.stage.get("SANDBOX"), p.stage.get("test"));
        assert_eq!(p.stage_names, vec!["beta".to_string(), String::new()]);
        // non-ASCII and long texts fold too (the short ASCII ones on the
        // stack, the others through `to_lowercase`)
        let long = "Q".repeat(SHORT + 6);
        let p = read(&format!(
            "[tickets]\nticket_id = \"Id\"\ncreated_at = \"Created\"\n\
             [values.stage]\n\"Övrigt Ä\" = \"other\"\n{long} = \"long\"\nMid = \"mid\"\n"
        ))
        .unwrap();
        for (text, want) in [
            ("ÖVRIGT ä", Some(0)),
            ("övrigt ä ", Some(0)),
            ("Ovrigt A", None),
            (long.as_str(), Some(1)),
            (long.to_lowercase().as_str(), Some(1)),
            ("MID", Some(2)),
            ("mId", Some(2)),
        ] {
            assert_eq!(p.stage.get(text), want, "{text}");
        }
        assert_eq!(p.export_priority, ExportPriority::Current);
        assert!(p.header_decorations);
    }
}
