//! The SLA policy: the embedded default, a TOML file that replaces it, and
//! validation that names the bad key (CONTRACT.md sections 4 and 7).
//!
//! [`Policy::from_toml`] parses and validates a policy file. Every error is a
//! [`PolicyError`] naming the offending key as a dotted path
//! (`plans.professional.targets.1.within`, `business_hours.monday`,
//! `timezone`); TOML syntax errors carry the line and column instead.
//!
//! Choices beyond the contract's text (it leaves them open):
//! - Unknown keys are fatal at every level (top level, `[holidays]`, a plan,
//!   a target): in an audit tool a typo such as `timezon` or `alias` must not
//!   silently fall back to a default.
//! - A missing optional key takes the embedded default's value; for a plan
//!   that means no aliases and no targets (a plan does not inherit the
//!   targets of a default plan with the same key).
//! - `[plans]` must define at least one plan, `[priorities]` one level.
//! - Names, aliases, priority names and excluded stages must not be empty
//!   after trimming.
//! - Values must have the documented TOML type: `default_priority` is an
//!   integer, holiday dates are `"YYYY-MM-DD"` strings (years 0001-9999),
//!   `within` is a string such as `"3h30m"`. Weekday keys, clock names, rule
//!   names and reclassification modes are matched exactly (they are
//!   lowercase in the contract).
//! - A `within` above 87600h (ten years) is rejected as a sanity limit.
//! - Plan order ("policy order") is recovered from the source positions of
//!   the keys, so it is the file order whether or not the `toml` crate's
//!   `preserve_order` feature is enabled.
//!
//! Matching ([`Policy::find_plan`], [`Policy::parse_priority`],
//! [`Policy::is_excluded_stage`]) trims with `str::trim` and compares Unicode
//! lowercase (`str::to_lowercase`), through maps built once at parse time;
//! ASCII input of up to 64 bytes is lowercased on the stack, so the common
//! case does not allocate. The lookup maps are private: build policies with
//! [`Policy::from_toml`] or [`Policy::embedded`], and do not edit `plans`,
//! `priorities` or `excluded_stages` afterwards (other fields, e.g.
//! `reclassification` for a command-line override, are free to change).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use chrono::NaiveDate;
use chrono_tz::Tz;
use toml::de::{DeTable, DeValue};

use crate::calendar::{HolidayRule, Week};
use crate::model::ClockKind;

mod sections;
mod toml_value;

use sections::{levels_list, parse_holidays, parse_plans, parse_priorities, parse_week};
use toml_value::*;

/// The embedded default policy, byte for byte as in CONTRACT.md section 4.
pub const DEFAULT_POLICY_TOML: &str = r##"timezone = "Europe/Bratislava"
default_priority = 3
reclassification = "current"          # current | prorata | restart | initial
excluded_stages = ["beta", "preview"]

[priorities]
1 = "Business Critical"
2 = "Degraded Service"
3 = "General Issue"

[business_hours]                      # local time, [open, close) pairs; "24:00" allowed
monday    = [["09:00", "17:00"]]
tuesday   = [["09:00", "17:00"]]
wednesday = [["09:00", "17:00"]]
thursday  = [["09:00", "17:00"]]
friday    = [["09:00", "17:00"]]
saturday  = []
sunday    = []

[holidays]
rules = ["new_years_day", "good_friday", "easter_monday", "labour_day",
         "christmas_eve", "christmas_day", "st_stephens_day"]
dates = []                            # extra "YYYY-MM-DD" dates

[plans.basic]
name = "Basic"
aliases = []
targets = {}

[plans.professional]
name = "Professional"
aliases = ["Profesional"]
targets = { 1 = { within = "3h", clock = "business" }, 2 = { within = "6h", clock = "business" }, 3 = { within = "9h", clock = "business" } }

[plans.advanced]
name = "Advanced"
aliases = []
targets = { 1 = { within = "1h", clock = "24x7" }, 2 = { within = "3h", clock = "business" }, 3 = { within = "6h", clock = "business" } }
"##;

/// Weekday keys of `[business_hours]`, Monday first (the `Week` index).
pub const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// Longest accepted `within`: ten years (a sanity limit, see module docs).
pub const MAX_WITHIN_S: i64 = 87_600 * 3600;

// every target fits `Measure::target_s`
const _: () = assert!(MAX_WITHIN_S <= i32::MAX as i64);

/// Plans a policy may define: the summaries pack the plan index into 10
/// bits of a group key (`aggregate::pack_key`).
pub const MAX_PLANS: usize = 1 << 10;

/// The keys a policy file must have; the others take the built-in values.
const REQUIRED_KEYS: [&str; 4] = ["timezone", "priorities", "business_hours", "plans"];

/// The optional keys, in the order they are reported when defaulted.
const OPTIONAL_KEYS: [&str; 4] = [
    "default_priority",
    "reclassification",
    "excluded_stages",
    "holidays",
];

const TOP_KEYS: [&str; 8] = [
    "timezone",
    "default_priority",
    "reclassification",
    "excluded_stages",
    "priorities",
    "business_hours",
    "holidays",
    "plans",
];
const HOLIDAY_KEYS: [&str; 2] = ["rules", "dates"];
const PLAN_KEYS: [&str; 3] = ["name", "aliases", "targets"];
const TARGET_KEYS: [&str; 2] = ["within", "clock"];

/// Longest input lowercased on the stack by the matching functions.
const STACK_LOWER: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Current,
    Prorata,
    Restart,
    Initial,
}

impl Mode {
    pub const ALL: [Mode; 4] = [Mode::Current, Mode::Prorata, Mode::Restart, Mode::Initial];
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Current => "current",
            Mode::Prorata => "prorata",
            Mode::Restart => "restart",
            Mode::Initial => "initial",
        }
    }
    /// Exact spelling: `current`, `prorata`, `restart` or `initial`.
    pub fn parse(s: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    pub within_s: i64,
    pub clock: ClockKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The table key under `[plans.KEY]`.
    pub key: String,
    pub name: String,
    pub aliases: Vec<String>,
    /// Priority level -> target.
    pub targets: BTreeMap<u32, Target>,
}

#[derive(Debug, Clone)]
pub struct Policy {
    pub timezone: Tz,
    pub default_priority: u32,
    pub reclassification: Mode,
    pub excluded_stages: Vec<String>,
    /// Priority level -> name.
    pub priorities: BTreeMap<u32, String>,
    /// Monday first; seconds after local midnight.
    pub business_hours: Week,
    pub holiday_rules: Vec<HolidayRule>,
    pub holiday_dates: Vec<NaiveDate>,
    /// In file order ("policy order").
    pub plans: Vec<Plan>,
    /// Trimmed, lowercased plan key / name / alias -> index into `plans`.
    plan_lookup: HashMap<String, usize>,
    /// Trimmed, lowercased priority name -> level.
    priority_names: HashMap<String, u32>,
    /// Trimmed, lowercased excluded stages.
    stage_set: HashSet<String>,
    /// The optional keys the file left out, which took the built-in
    /// policy's values (`holidays.rules` when only that part is missing).
    pub defaulted: Vec<String>,
}

/// A policy error; `Display` is one lowercase line naming the key.
///
/// `key` is the dotted path of the offending key (`plans.pro.targets.1.within`);
/// it is empty for a TOML syntax error, whose message gives line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    pub key: String,
    pub message: String,
}

impl PolicyError {
    fn new(key: impl Into<String>, message: impl Into<String>) -> PolicyError {
        PolicyError {
            key: key.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.key.is_empty() {
            write!(f, "policy: {}", self.message)
        } else {
            write!(f, "policy key {}: {}", self.key, self.message)
        }
    }
}

impl std::error::Error for PolicyError {}

type Result<T> = std::result::Result<T, PolicyError>;

// ---------------------------------------------------------------------------
// Small parsers and formatters
// ---------------------------------------------------------------------------

/// Parses a duration: `45s`, `90m`, `3h`, `3h30m`, `1h0m1s`. Units `h`, `m`,
/// `s` in that order, each at most once, each after one or more ASCII digits
/// (leading zeros allowed: `03h`); no spaces, no other units (no `d`); the
/// total must be above zero. Returns seconds.
pub fn parse_duration(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut total: i64 = 0;
    for (unit, mult) in [(b'h', 3600i64), (b'm', 60), (b's', 1)] {
        let mut j = i;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        if j > i && b.get(j) == Some(&unit) {
            let n: i64 = s[i..j].parse().ok()?;
            total = total.checked_add(n.checked_mul(mult)?)?;
            i = j + 1;
        }
    }
    (i == b.len() && total > 0).then_some(total)
}

/// Canonical spelling of a positive duration: `3h`, `3h30m`, `45s`,
/// `1h0m1s` (the inverse of [`parse_duration`]).
pub fn format_duration(seconds: i64) -> String {
    let (h, m, s) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
    let mut out = String::new();
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if m > 0 || (h > 0 && s > 0) {
        out.push_str(&format!("{m}m"));
    }
    if s > 0 || out.is_empty() {
        out.push_str(&format!("{s}s"));
    }
    out
}

/// Parses a business-hours edge `"HH:MM"` (two ASCII digits each, HH 00-23,
/// MM 00-59, or exactly `"24:00"`) into seconds after local midnight
/// (0..=86400).
pub fn parse_hhmm(s: &str) -> Option<u32> {
    let b = s.as_bytes();
    if b.len() != 5 || b[2] != b':' {
        return None;
    }
    let digit = |i: usize| b[i].is_ascii_digit().then(|| u32::from(b[i] - b'0'));
    let h = digit(0)? * 10 + digit(1)?;
    let m = digit(3)? * 10 + digit(4)?;
    match (h, m) {
        (24, 0) => Some(86_400),
        (0..=23, 0..=59) => Some(h * 3600 + m * 60),
        _ => None,
    }
}

/// `"HH:MM"` for seconds after local midnight (86400 -> `"24:00"`).
pub fn format_hhmm(seconds: u32) -> String {
    format!("{:02}:{:02}", seconds / 3600, seconds % 3600 / 60)
}

/// A priority level spelled `N` or `PN`/`pN`: ASCII digits, no leading zero,
/// no sign, fits in u32, above zero. Does not check that the level exists.
fn numeric_level(s: &str) -> Option<u32> {
    let digits = match s.as_bytes().first() {
        Some(b'p' | b'P') => &s[1..],
        _ => s,
    };
    plain_level(digits)
}

/// `N` only (a `[priorities]` or `targets` key).
fn plain_level(s: &str) -> Option<u32> {
    let b = s.as_bytes();
    if b.is_empty() || b[0] == b'0' || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    s.parse().ok()
}

/// Calls `f` with the Unicode lowercase of `s`, without allocating when `s`
/// is ASCII and short.
fn with_lowercase<R>(s: &str, f: impl FnOnce(&str) -> R) -> R {
    if s.len() <= STACK_LOWER && s.is_ascii() {
        let mut buf = [0u8; STACK_LOWER];
        let b = &mut buf[..s.len()];
        b.copy_from_slice(s.as_bytes());
        b.make_ascii_lowercase();
        if let Ok(lower) = std::str::from_utf8(b) {
            return f(lower);
        }
    }
    f(&s.to_lowercase())
}

/// The matching form of a spelling: trimmed, Unicode lowercase.
fn fold(s: &str) -> String {
    s.trim().to_lowercase()
}

// ---------------------------------------------------------------------------
// The policy
// ---------------------------------------------------------------------------

impl Policy {
    /// The embedded default (parsed from DEFAULT_POLICY_TOML).
    pub fn embedded() -> Policy {
        // The unit tests pin that the embedded text is valid.
        Policy::from_toml(DEFAULT_POLICY_TOML).expect("the embedded default policy is valid")
    }

    /// Parses and validates a policy file; missing optional keys take the
    /// embedded default's values.
    pub fn from_toml(text: &str) -> std::result::Result<Policy, PolicyError> {
        let doc = DeTable::parse(text).map_err(|e| syntax_error(text, &e))?;
        let root = doc.get_ref();
        check_keys(root, "", &TOP_KEYS)?;
        // every missing required key at once, before any other check can
        // hide one (a wrong default_priority behind a missing [plans])
        let missing: Vec<&str> = REQUIRED_KEYS
            .iter()
            .copied()
            .filter(|k| get(root, k).is_none())
            .collect();
        if !missing.is_empty() {
            return Err(PolicyError::new(
                missing.join(", "),
                "missing (required; `sla-report policy` prints a complete policy to start from)",
            ));
        }

        // timezone
        let zone = as_str(required(root, "", "timezone")?, "timezone")?;
        let timezone: Tz = crate::model::local_time::zone_named(zone)
            .map_err(|e| PolicyError::new("timezone", e))?;

        // priorities
        let (priorities, priority_names) = parse_priorities(root)?;

        // optional keys: missing ones take the embedded default's value,
        // read and checked by the same code as the file's own
        let builtin_doc = DeTable::parse(DEFAULT_POLICY_TOML).map_err(|e| {
            PolicyError::new("", format!("the embedded default policy is invalid: {e}"))
        })?;
        let builtin = builtin_doc.get_ref();
        let optional = |key: &str| optional(root, builtin, "", key);

        // default_priority
        let (v, defaulted) = optional("default_priority")?;
        let n = as_int(v, "default_priority")?;
        let default_priority = match u32::try_from(n).ok().filter(|l| priorities.contains_key(l)) {
            Some(level) => level,
            None => {
                let missing = if defaulted {
                    "missing, and the default "
                } else {
                    ""
                };
                return Err(PolicyError::new(
                    "default_priority",
                    format!(
                        "{missing}{n} is not a defined priority (defined: {})",
                        levels_list(&priorities)
                    ),
                ));
            }
        };

        // reclassification
        let s = as_str(optional("reclassification")?.0, "reclassification")?;
        let reclassification = Mode::parse(s).ok_or_else(|| {
            PolicyError::new(
                "reclassification",
                format!("unknown mode {s:?} (use current, prorata, restart or initial)"),
            )
        })?;

        // excluded_stages
        let list = as_string_list(optional("excluded_stages")?.0, "excluded_stages")?;
        if let Some(i) = list.iter().position(|s| s.trim().is_empty()) {
            return Err(PolicyError::new(
                "excluded_stages",
                format!(
                    "item {}: empty stage (an empty stage is always covered)",
                    i + 1
                ),
            ));
        }
        let excluded_stages: Vec<String> = list.into_iter().map(str::to_string).collect();
        let stage_set = excluded_stages.iter().map(|s| fold(s)).collect();

        // business_hours
        let business_hours = parse_week(root)?;

        // holidays
        let (holiday_rules, holiday_dates) = parse_holidays(root, builtin)?;

        // plans
        let (plans, plan_lookup) = parse_plans(root, &priorities)?;

        let mut defaulted: Vec<String> = OPTIONAL_KEYS
            .iter()
            .filter(|k| get(root, k).is_none())
            .map(|k| k.to_string())
            .collect();
        if let Some(DeValue::Table(holidays)) = get(root, "holidays") {
            for part in ["rules", "dates"] {
                if !holidays.iter().any(|(k, _)| k.get_ref().as_ref() == part) {
                    defaulted.push(format!("holidays.{part}"));
                }
            }
        }

        Ok(Policy {
            timezone,
            default_priority,
            reclassification,
            excluded_stages,
            priorities,
            business_hours,
            holiday_rules,
            holiday_dates,
            plans,
            plan_lookup,
            priority_names,
            stage_set,
            defaulted,
        })
    }

    /// `P2 Degraded Service`: a level with its name, as the reports and
    /// `explain` show it (`P7` for a level the policy does not name).
    pub fn priority_label(&self, level: u32) -> String {
        match self.priorities.get(&level) {
            Some(name) => format!("P{level} {name}"),
            None => format!("P{level}"),
        }
    }

    /// The effective policy as JSON (for run.json), defaults filled in.
    ///
    /// Mirrors the TOML schema; `business_hours` lists all seven days as
    /// `"HH:MM"` pairs (empty intervals dropped), `plans` is an array in
    /// policy order with each plan's `key`, and durations are canonical
    /// (`"3h30m"`). `reclassification` is this policy's field: set it to a
    /// command-line override before calling, if any.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::{json, Map, Value};
        let priorities: Map<String, Value> = self
            .priorities
            .iter()
            .map(|(l, n)| (l.to_string(), json!(n)))
            .collect();
        let hours: Map<String, Value> = WEEKDAYS
            .iter()
            .zip(self.business_hours.iter())
            .map(|(day, intervals)| {
                let pairs: Vec<Value> = intervals
                    .iter()
                    .map(|&(o, c)| json!([format_hhmm(o), format_hhmm(c)]))
                    .collect();
                (day.to_string(), Value::Array(pairs))
            })
            .collect();
        let plans: Vec<Value> = self
            .plans
            .iter()
            .map(|p| {
                let targets: Map<String, Value> = p
                    .targets
                    .iter()
                    .map(|(l, t)| {
                        (
                            l.to_string(),
                            json!({
                                "within": format_duration(t.within_s),
                                "clock": t.clock.as_str(),
                            }),
                        )
                    })
                    .collect();
                json!({
                    "key": p.key,
                    "name": p.name,
                    "aliases": p.aliases,
                    "targets": targets,
                })
            })
            .collect();
        json!({
            "timezone": self.timezone.name(),
            "default_priority": self.default_priority,
            "reclassification": self.reclassification.as_str(),
            "excluded_stages": self.excluded_stages,
            "priorities": priorities,
            "business_hours": hours,
            "holidays": {
                "rules": self.holiday_rules.iter().map(|r| r.name()).collect::<Vec<_>>(),
                "dates": self
                    .holiday_dates
                    .iter()
                    .map(|d| d.format("%Y-%m-%d").to_string())
                    .collect::<Vec<_>>(),
            },
            "plans": plans,
        })
    }

    /// Plan index by key, name or alias (trimmed, Unicode-lowercase).
    pub fn find_plan(&self, s: &str) -> Option<usize> {
        with_lowercase(s.trim(), |k| self.plan_lookup.get(k).copied())
    }

    /// Priority by `N` (no leading zeros/signs), `PN`, or its name
    /// (trimmed, case-insensitive); must be a defined level.
    pub fn parse_priority(&self, s: &str) -> Option<u32> {
        let t = s.trim();
        if let Some(level) = numeric_level(t) {
            if self.priorities.contains_key(&level) {
                return Some(level);
            }
        }
        // A name may look numeric (e.g. "02", or "P7" with no level 7).
        with_lowercase(t, |k| self.priority_names.get(k).copied())
    }

    /// Whether a (trimmed, case-insensitive) stage is excluded.
    pub fn is_excluded_stage(&self, s: &str) -> bool {
        let t = s.trim();
        !t.is_empty() && with_lowercase(t, |k| self.stage_set.contains(k))
    }

    /// The plan's target for a priority level, if any.
    pub fn target(&self, plan: usize, level: u32) -> Option<Target> {
        self.plans.get(plan)?.targets.get(&level).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3600;

    /// Only the required keys (and one plan).
    const MINIMAL: &str = r#"timezone = "UTC"
[priorities]
1 = "Business Critical"
2 = "Degraded Service"
3 = "General Issue"
[business_hours]
monday = [["09:00", "17:00"]]
[plans.pro]
name = "Pro"
"#;

    fn err(text: &str) -> PolicyError {
        match Policy::from_toml(text) {
            Ok(_) => panic!("expected an error for:\n{text}"),
            Err(e) => e,
        }
    }

    /// The default policy with one exact substring replaced.
    fn default_with(from: &str, to: &str) -> String {
        assert!(DEFAULT_POLICY_TOML.contains(from), "{from}");
        DEFAULT_POLICY_TOML.replacen(from, to, 1)
    }

    fn assert_err(text: &str, key: &str, fragment: &str) {
        let e = err(text);
        assert_eq!(e.key, key, "{e}");
        assert!(e.message.contains(fragment), "{e} lacks {fragment:?}");
        let shown = e.to_string();
        assert!(!shown.contains('\n'), "{shown}");
        assert!(shown.starts_with(&format!("policy key {key}: ")), "{shown}");
        assert!(!e.message.starts_with(char::is_uppercase), "{shown}");
    }

    fn t(within_s: i64, clock: ClockKind) -> Target {
        Target { within_s, clock }
    }

    #[test]
    fn a_policy_with_more_plans_than_summaries_tell_apart_names_the_plans_key() {
        let plans = |n: usize| {
            let mut text = MINIMAL.replace("[plans.pro]\nname = \"Pro\"\n", "");
            for i in 0..n {
                text.push_str(&format!("[plans.p{i}]\nname = \"Plan {i}\"\n"));
            }
            text
        };
        assert_eq!(
            Policy::from_toml(&plans(MAX_PLANS)).unwrap().plans.len(),
            MAX_PLANS
        );
        assert_err(&plans(MAX_PLANS + 1), "plans", "1025 plans, at most 1024");
    }

    /// CONTRACT.md section 1's major holidays.
    const CONTRACT_HOLIDAYS: [HolidayRule; 7] = [
        HolidayRule::NewYearsDay,
        HolidayRule::GoodFriday,
        HolidayRule::EasterMonday,
        HolidayRule::LabourDay,
        HolidayRule::ChristmasEve,
        HolidayRule::ChristmasDay,
        HolidayRule::StStephensDay,
    ];

    #[test]
    fn default_text_is_the_contracts() {
        let d = DEFAULT_POLICY_TOML;
        assert!(d.starts_with("timezone = \"Europe/Bratislava\"\ndefault_priority = 3\n"));
        assert!(d.ends_with(
            "targets = { 1 = { within = \"1h\", clock = \"24x7\" }, 2 = { within = \"3h\", \
             clock = \"business\" }, 3 = { within = \"6h\", clock = \"business\" } }\n"
        ));
        assert!(d.contains(
            "reclassification = \"current\"          # current | prorata | restart | initial\n"
        ));
        assert!(d.contains(
            "[business_hours]                      # local time, [open, close) pairs; \
             \"24:00\" allowed\nmonday    = [[\"09:00\", \"17:00\"]]\n"
        ));
        assert!(d.contains(
            "rules = [\"new_years_day\", \"good_friday\", \"easter_monday\", \"labour_day\",\n         \
             \"christmas_eve\", \"christmas_day\", \"st_stephens_day\"]\n"
        ));
        assert!(d.contains("dates = []                            # extra \"YYYY-MM-DD\" dates\n"));
        assert!(d.contains(
            "[plans.professional]\nname = \"Professional\"\naliases = [\"Profesional\"]\n"
        ));
        assert_eq!(d.lines().count(), 38);
        assert!(!d.contains('\r') && !d.contains('\t'));
    }

    #[test]
    fn embedded_default_values() {
        let p = Policy::embedded();
        assert_eq!(p.timezone, chrono_tz::Europe::Bratislava);
        assert_eq!(p.default_priority, 3);
        assert_eq!(p.reclassification, Mode::Current);
        assert_eq!(p.excluded_stages, ["beta", "preview"]);
        let names: Vec<&str> = p.priorities.values().map(String::as_str).collect();
        assert_eq!(
            names,
            ["Business Critical", "Degraded Service", "General Issue"]
        );
        assert_eq!(p.priorities.keys().copied().collect::<Vec<_>>(), [1, 2, 3]);
        for day in 0..5 {
            assert_eq!(p.business_hours[day], [(9 * 3600, 17 * 3600)]);
        }
        assert!(p.business_hours[5].is_empty() && p.business_hours[6].is_empty());
        assert_eq!(p.holiday_rules, CONTRACT_HOLIDAYS);
        assert!(p.holiday_dates.is_empty());
        let keys: Vec<&str> = p.plans.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["basic", "professional", "advanced"]);
        let names: Vec<&str> = p.plans.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["Basic", "Professional", "Advanced"]);
        assert!(p.plans[0].targets.is_empty() && p.plans[0].aliases.is_empty());
        assert_eq!(p.plans[1].aliases, ["Profesional"]);
        use ClockKind::*;
        let pro: Vec<_> = p.plans[1].targets.iter().map(|(l, t)| (*l, *t)).collect();
        assert_eq!(
            pro,
            [
                (1, t(3 * H, Business)),
                (2, t(6 * H, Business)),
                (3, t(9 * H, Business))
            ]
        );
        let adv: Vec<_> = p.plans[2].targets.iter().map(|(l, t)| (*l, *t)).collect();
        assert_eq!(
            adv,
            [
                (1, t(H, TwentyFourSeven)),
                (2, t(3 * H, Business)),
                (3, t(6 * H, Business))
            ]
        );
        assert_eq!(p.target(1, 1), Some(t(3 * H, Business)));
        assert_eq!(p.target(0, 1), None);
    }

    #[test]
    fn defaults_for_optional_keys_equal_the_embedded_values() {
        let e = Policy::embedded();
        let m = Policy::from_toml(MINIMAL).unwrap();
        assert_eq!(m.default_priority, e.default_priority);
        assert_eq!(m.reclassification, e.reclassification);
        assert_eq!(m.excluded_stages, e.excluded_stages);
        assert_eq!(m.holiday_rules, e.holiday_rules);
        assert_eq!(m.holiday_dates, e.holiday_dates);
        // The rest comes from the file: missing weekdays are closed, the
        // plan has no aliases and no targets.
        assert_eq!(m.timezone, chrono_tz::UTC);
        assert_eq!(m.business_hours[0], [(9 * 3600, 17 * 3600)]);
        assert!(m.business_hours[1..].iter().all(Vec::is_empty));
        assert_eq!(m.plans.len(), 1);
        assert!(m.plans[0].aliases.is_empty() && m.plans[0].targets.is_empty());
        assert!(m.is_excluded_stage("Beta"));
        assert_eq!(m.parse_priority(""), None);
    }

    #[test]
    fn holidays_rules_and_dates_default_separately() {
        let only_dates = format!("{MINIMAL}[holidays]\ndates = [\"2026-03-03\"]\n");
        let p = Policy::from_toml(&only_dates).unwrap();
        assert_eq!(p.holiday_rules, CONTRACT_HOLIDAYS);
        assert_eq!(
            p.holiday_dates,
            [NaiveDate::from_ymd_opt(2026, 3, 3).unwrap()]
        );
        let only_rules = format!("{MINIMAL}[holidays]\nrules = [\"epiphany\", \"whit_monday\"]\n");
        let p = Policy::from_toml(&only_rules).unwrap();
        assert_eq!(
            p.holiday_rules,
            [HolidayRule::Epiphany, HolidayRule::WhitMonday]
        );
        assert!(p.holiday_dates.is_empty());
        let none = format!("{MINIMAL}[holidays]\nrules = []\n");
        assert!(Policy::from_toml(&none).unwrap().holiday_rules.is_empty());
    }

    #[test]
    fn plan_order_is_file_order() {
        let text = r#"timezone = "UTC"
[priorities]
1 = "Only"
[business_hours]
friday = [["09:00", "17:00"]]
[plans.zeta]
name = "Zeta"
[plans.alpha]
name = "Alpha"
[plans.mid]
name = "Mid"
[plans.beta]
name = "Beta"
[plans.aardvark]
name = "Aardvark"
"#;
        let text = text.replace("1 = \"Only\"", "1 = \"Only\"\n2 = \"Two\"\n3 = \"Three\"");
        let p = Policy::from_toml(&text).unwrap();
        let keys: Vec<&str> = p.plans.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["zeta", "alpha", "mid", "beta", "aardvark"]);
        let json = p.to_json();
        let json: Vec<&str> = json["plans"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["key"].as_str().unwrap())
            .collect();
        assert_eq!(json, keys);
        assert_eq!(p.find_plan("MID"), Some(2));
        // Dotted keys and inline tables keep their order as well.
        let inline = text
            .replace("[plans.zeta]\nname = \"Zeta\"\n[plans.alpha]\nname = \"Alpha\"\n", "")
            .replace(
                "timezone = \"UTC\"\n",
                "timezone = \"UTC\"\nplans.zeta.name = \"Zeta\"\nplans.alpha = { name = \"Alpha\" }\n",
            );
        let p = Policy::from_toml(&inline).unwrap();
        let keys: Vec<&str> = p.plans.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["zeta", "alpha", "mid", "beta", "aardvark"]);
    }

    #[test]
    fn durations() {
        let good = [
            ("45s", 45),
            ("90m", 5400),
            ("3h", 10800),
            ("3h30m", 12600),
            ("1h0m1s", 3601),
            ("0h1s", 1),
            ("36h", 129600),
            ("03h", 10800),
            ("1m30s", 90),
            ("2h5s", 7205),
        ];
        for (s, n) in good {
            assert_eq!(parse_duration(s), Some(n), "{s}");
        }
        let bad = [
            "",
            "3",
            "h",
            "1.5h",
            "3H",
            "30m3h",
            "0h",
            "0h0m0s",
            "1h1h",
            "3h 30m",
            " 3h",
            "3h ",
            "1d",
            "2d",
            "1d2h",
            "2h1d",
            "1D",
            "-1h",
            "+1h",
            "9 hours",
            "h3",
            "3hm",
            "99999999999999999999h",
            "1m1m",
            "1s1m",
        ];
        for s in bad {
            assert_eq!(parse_duration(s), None, "{s}");
        }
        for (s, canon) in [
            ("3h", "3h"),
            ("3h30m", "3h30m"),
            ("45s", "45s"),
            ("90m", "1h30m"),
            ("1h0m1s", "1h0m1s"),
            ("03h", "3h"),
            ("3600s", "1h"),
            ("61s", "1m1s"),
        ] {
            let n = parse_duration(s).unwrap();
            assert_eq!(format_duration(n), canon);
            assert_eq!(parse_duration(canon), Some(n));
        }
    }

    #[test]
    fn hhmm() {
        assert_eq!(parse_hhmm("00:00"), Some(0));
        assert_eq!(parse_hhmm("09:30"), Some(34200));
        assert_eq!(parse_hhmm("23:59"), Some(86340));
        assert_eq!(parse_hhmm("24:00"), Some(86400));
        for s in [
            "9:00",
            "24:01",
            "25:00",
            "12:60",
            "12:5",
            "12-00",
            " 12:00",
            "１２:00",
            "+1:00",
        ] {
            assert_eq!(parse_hhmm(s), None, "{s}");
        }
        assert_eq!(format_hhmm(86400), "24:00");
        assert_eq!(format_hhmm(34200), "09:30");
    }

    #[test]
    fn intervals_empty_adjacent_and_sorted() {
        let text = MINIMAL.replace(
            "monday = [[\"09:00\", \"17:00\"]]",
            "monday = [[\"13:00\", \"17:00\"], [\"12:00\", \"12:00\"], [\"09:00\", \"13:00\"]]\n\
             tuesday = [[\"00:00\", \"24:00\"], [\"24:00\", \"24:00\"]]\n\
             sunday = [[\"00:00\", \"00:00\"]]",
        );
        let p = Policy::from_toml(&text).unwrap();
        assert_eq!(p.business_hours[0], [(32400, 46800), (46800, 61200)]);
        assert_eq!(p.business_hours[1], [(0, 86400)]);
        assert!(p.business_hours[6].is_empty());
        let json = p.to_json();
        assert_eq!(
            json["business_hours"]["tuesday"],
            serde_json::json!([["00:00", "24:00"]])
        );
        assert_eq!(json["business_hours"]["sunday"], serde_json::json!([]));
    }

    #[test]
    fn syntax_error_has_line_and_column() {
        let e = err("timezone = \"UTC\"\n[priorities\n1 = \"A\"\n");
        assert_eq!(e.key, "");
        assert!(e.message.contains("line 2, column"), "{e}");
        assert!(
            e.to_string()
                .starts_with("policy: toml syntax error at line 2"),
            "{e}"
        );
        assert!(!e.to_string().contains('\n'));
        let e = err(&format!("{DEFAULT_POLICY_TOML}[priorities]\n"));
        assert_eq!(e.key, "");
        assert!(e.message.contains("line 39"), "{e}");
        let e = err("timezone = \"UTC\"\ntimezone = \"UTC\"\n");
        assert_eq!(e.key, "");
        assert!(e.message.contains("line 2, column 1"), "{e}");
    }

    #[test]
    fn bad_duration_message() {
        let text = default_with("within = \"9h\"", "within = \"1d\"");
        let e = err(&text);
        assert_eq!(
            e.to_string(),
            "policy key plans.professional.targets.3.within: bad duration \"1d\" \
             (use h, m, s like \"3h30m\")"
        );
    }

    #[test]
    fn fatal_errors_name_the_key() {
        let d = DEFAULT_POLICY_TOML;
        let cases: Vec<(String, &str, &str)> = vec![
            // required keys
            (d.replacen("timezone = \"Europe/Bratislava\"\n", "", 1), "timezone", "missing"),
            (
                MINIMAL.replace("[priorities]\n1 = \"Business Critical\"\n2 = \"Degraded Service\"\n3 = \"General Issue\"\n", ""),
                "priorities",
                "missing",
            ),
            (MINIMAL.replace("[business_hours]\nmonday = [[\"09:00\", \"17:00\"]]\n", ""), "business_hours", "missing"),
            (MINIMAL.replace("[plans.pro]\nname = \"Pro\"\n", ""), "plans", "missing"),
            (format!("{MINIMAL}targets = {{ 1 = {{ clock = \"24x7\" }} }}\n"), "plans.pro.targets.1.within", "missing"),
            (format!("{MINIMAL}targets = {{ 1 = {{ within = \"1h\" }} }}\n"), "plans.pro.targets.1.clock", "missing"),
            // values
            (default_with("Europe/Bratislava", "Europe/Atlantis"), "timezone", "unknown zone \"Europe/Atlantis\""),
            (default_with("Europe/Bratislava", "europe/bratislava"), "timezone", "unknown zone"),
            (
                default_with("monday    = [[\"09:00\", \"17:00\"]]", "monday    = [[\"09:00\", \"13:00\"], [\"12:00\", \"17:00\"]]"),
                "business_hours.monday",
                "overlap",
            ),
            (
                default_with("monday    = [[\"09:00\", \"17:00\"]]", "monday    = [[\"09:00\", \"17:00\"], [\"09:00\", \"17:00\"]]"),
                "business_hours.monday",
                "overlap",
            ),
            (
                default_with("tuesday   = [[\"09:00\", \"17:00\"]]", "tuesday   = [[\"17:00\", \"09:00\"]]"),
                "business_hours.tuesday",
                "close \"09:00\" before open \"17:00\"",
            ),
            (default_with("[[\"09:00\", \"17:00\"]]", "[[\"24:00\", \"17:00\"]]"), "business_hours.monday", "before open"),
            (default_with("[[\"09:00\", \"17:00\"]]", "[[\"9:00\", \"17:00\"]]"), "business_hours.monday", "bad time \"9:00\""),
            (default_with("[[\"09:00\", \"17:00\"]]", "[[\"09:00\", \"24:01\"]]"), "business_hours.monday", "bad time"),
            (default_with("[[\"09:00\", \"17:00\"]]", "[[\"09:00\", \"17:60\"]]"), "business_hours.monday", "bad time"),
            (default_with("[[\"09:00\", \"17:00\"]]", "[[\"09:00\"]]"), "business_hours.monday", "pair"),
            (default_with("[[\"09:00\", \"17:00\"]]", "[\"09:00\", \"17:00\"]"), "business_hours.monday", "pair"),
            (default_with("[[\"09:00\", \"17:00\"]]", "[[9, 17]]"), "business_hours.monday", "pair"),
            (default_with("saturday  = []", "funday    = []"), "business_hours.funday", "unknown weekday"),
            (default_with("saturday  = []", "Saturday  = []"), "business_hours.Saturday", "unknown weekday"),
            (default_with("\"labour_day\"", "\"labor_day\""), "holidays.rules", "unknown rule \"labor_day\""),
            (default_with("clock = \"24x7\"", "clock = \"24/7\""), "plans.advanced.targets.1.clock", "unknown clock \"24/7\""),
            (default_with("within = \"9h\"", "within = \"9 hours\""), "plans.professional.targets.3.within", "bad duration"),
            (default_with("within = \"9h\"", "within = \"0h\""), "plans.professional.targets.3.within", "bad duration"),
            (default_with("within = \"9h\"", "within = 9"), "plans.professional.targets.3.within", "found integer"),
            (default_with("within = \"9h\"", "within = \"87601h\""), "plans.professional.targets.3.within", "too long"),
            (default_with("name = \"Basic\"\n", ""), "plans.basic.name", "missing"),
            (default_with("name = \"Basic\"", "name = \" \""), "plans.basic.name", "empty"),
            (default_with("name = \"Advanced\"", "name = \"PROFESSIONAL\""), "plans.advanced.name", "name \"PROFESSIONAL\" is also the name of plans.professional"),
            (default_with("3 = { within = \"6h\"", "4 = { within = \"6h\""), "plans.advanced.targets.4", "not a defined priority"),
            (default_with("3 = { within = \"6h\"", "03 = { within = \"6h\""), "plans.advanced.targets.03", "not a defined priority"),
            (default_with("\"current\"", "\"later\""), "reclassification", "unknown mode \"later\""),
            (default_with("\"current\"", "\"Current\""), "reclassification", "unknown mode"),
            (default_with("default_priority = 3", "default_priority = 4"), "default_priority", "4 is not a defined priority"),
            (default_with("default_priority = 3", "default_priority = -1"), "default_priority", "not a defined priority"),
            (default_with("default_priority = 3", "default_priority = \"3\""), "default_priority", "found string"),
            (
                MINIMAL.replace("3 = \"General Issue\"\n", ""),
                "default_priority",
                "default 3 is not a defined priority",
            ),
            // plan spellings collide
            (default_with("[plans.basic]\nname = \"Basic\"\naliases = []", "[plans.basic]\nname = \"Basic\"\naliases = [\"Professional\"]"), "plans.basic.aliases", "alias \"Professional\" is also the name of plans.professional"),
            (default_with("[plans.basic]\nname = \"Basic\"\naliases = []", "[plans.basic]\nname = \"Basic\"\naliases = [\"x\"]").replace("aliases = [\"Profesional\"]", "aliases = [\"X\"]"), "plans.professional.aliases", "alias \"X\" is also the alias of plans.basic"),
            (default_with("[plans.advanced]", "[plans.Basic]"), "plans.Basic", "key \"Basic\" is also the name of plans.basic"),
            (default_with("aliases = [\"Profesional\"]", "aliases = [\" BASIC \"]").replace("name = \"Basic\"", "name = \"Basic Plan\""), "plans.professional.aliases", "is also the key of plans.basic"),
            (default_with("aliases = [\"Profesional\"]", "aliases = [\" BASIC \"]"), "plans.professional.aliases", "is also the name of plans.basic"),
            (default_with("[plans.advanced]", "[plans.profesional]"), "plans.professional.aliases", "alias \"Profesional\" is also the key of plans.profesional"),
            (default_with("[plans.advanced]\nname = \"Advanced\"", "[plans.advanced]\nname = \"basic\""), "plans.advanced.name", "name \"basic\" is also the name of plans.basic"),
            // priority spellings collide
            (default_with("1 = \"Business Critical\"", "1 = \"P2\""), "priorities.1", "spelling of priority 2"),
            (default_with("1 = \"Business Critical\"", "1 = \" 3 \""), "priorities.1", "spelling of priority 3"),
            (default_with("2 = \"Degraded Service\"", "2 = \"business CRITICAL\""), "priorities.2", "also the name of priority 1"),
            (default_with("2 = \"Degraded Service\"", "2 = \"\""), "priorities.2", "empty"),
            (default_with("2 = \"Degraded Service\"", "02 = \"Degraded Service\""), "priorities.02", "positive integer"),
            (default_with("2 = \"Degraded Service\"", "0 = \"Degraded Service\""), "priorities.0", "positive integer"),
            (default_with("2 = \"Degraded Service\"", "-2 = \"Degraded Service\""), "priorities.-2", "positive integer"),
            (default_with("2 = \"Degraded Service\"", "P2 = \"Degraded Service\""), "priorities.P2", "positive integer"),
            (default_with("2 = \"Degraded Service\"", "99999999999 = \"Degraded Service\""), "priorities.99999999999", "positive integer"),
            (default_with("2 = \"Degraded Service\"", "2 = 2"), "priorities.2", "expected a string, found integer"),
            // holidays
            (default_with("dates = []", "dates = [\"2026-02-30\"]"), "holidays.dates", "bad date \"2026-02-30\""),
            (default_with("dates = []", "dates = [\"2026-3-3\"]"), "holidays.dates", "bad date"),
            (default_with("dates = []", "dates = [\"0000-01-01\"]"), "holidays.dates", "bad date"),
            (default_with("dates = []", "dates = [2026-03-03]"), "holidays.dates", "found datetime"),
            (default_with("dates = []", "dates = \"2026-03-03\""), "holidays.dates", "expected an array"),
            (default_with("dates = []", "extra = []"), "holidays.extra", "unknown key"),
            (default_with("\"labour_day\"", "1"), "holidays.rules", "item 4: expected a string"),
            // a week without open time
            (
                d.replace("[[\"09:00\", \"17:00\"]]", "[]"),
                "business_hours",
                "no open time",
            ),
            (MINIMAL.replace("[[\"09:00\", \"17:00\"]]", "[[\"09:00\", \"09:00\"]]"), "business_hours", "no open time"),
            // types and unknown keys
            (default_with("timezone = \"Europe/Bratislava\"", "timezone = 1"), "timezone", "expected a string, found integer"),
            (default_with("excluded_stages = [\"beta\", \"preview\"]", "excluded_stages = \"beta\""), "excluded_stages", "expected an array, found string"),
            (default_with("excluded_stages = [\"beta\", \"preview\"]", "excluded_stages = [\"beta\", \"\"]"), "excluded_stages", "empty stage"),
            (default_with("timezone", "timezon"), "timezon", "unknown key"),
            (format!("extra = 1\n{d}"), "extra", "unknown key"),
            (default_with("name = \"Basic\"", "name = \"Basic\"\nalias = []"), "plans.basic.alias", "unknown key"),
            (default_with("clock = \"24x7\"", "clock = \"24x7\", note = \"x\""), "plans.advanced.targets.1.note", "unknown key"),
            (default_with("aliases = [\"Profesional\"]", "aliases = \"Profesional\""), "plans.professional.aliases", "expected an array"),
            (default_with("aliases = [\"Profesional\"]", "aliases = [\"\"]"), "plans.professional.aliases", "empty alias"),
            (default_with("targets = {}", "targets = []"), "plans.basic.targets", "expected a table, found array"),
            (default_with("targets = {}", "targets = { 1 = \"3h\" }"), "plans.basic.targets.1", "expected a table, found string"),
            (MINIMAL.replace("[plans.pro]\nname = \"Pro\"\n", "[plans]\n"), "plans", "no plans"),
            (MINIMAL.replace("[plans.pro]\nname = \"Pro\"\n", "[plans]\npro = \"Pro\"\n"), "plans.pro", "expected a table"),
            (MINIMAL.replace("[plans.pro]", "[plans.\"pro plan\"]").replace("name = \"Pro\"", "name = 1"), "plans.\"pro plan\".name", "found integer"),
            (MINIMAL.replace("[priorities]\n1 = \"Business Critical\"\n2 = \"Degraded Service\"\n3 = \"General Issue\"\n", "[priorities]\n"), "priorities", "no priority levels"),
            (MINIMAL.replace("[business_hours]\nmonday = [[\"09:00\", \"17:00\"]]\n", "").replace("timezone = \"UTC\"\n", "timezone = \"UTC\"\nbusiness_hours = 1\n"), "business_hours", "expected a table"),
        ];
        for (text, key, fragment) in &cases {
            assert_err(text, key, fragment);
        }
    }

    #[test]
    fn matching_plans() {
        let p = Policy::embedded();
        assert_eq!(p.find_plan("basic"), Some(0));
        assert_eq!(p.find_plan("Basic"), Some(0));
        assert_eq!(p.find_plan("Profesional"), Some(1));
        assert_eq!(p.find_plan("PROFESSIONAL"), Some(1));
        assert_eq!(p.find_plan(" professional\t"), Some(1));
        assert_eq!(p.find_plan("ADVANCED "), Some(2));
        assert_eq!(p.find_plan("\u{3000}Advanced\u{a0}"), Some(2));
        assert_eq!(p.find_plan("Advance"), None);
        assert_eq!(p.find_plan("plans.advanced"), None);
        assert_eq!(p.find_plan(""), None);
        // Non-ASCII and long names go through str::to_lowercase.
        let text = MINIMAL.replace("name = \"Pro\"", "name = \"Ärztekammer Premium Support Plan With A Rather Long Name For Tests\"\naliases = [\"ΣΟΦΙΑ\", \"Straße\"]");
        let p = Policy::from_toml(&text).unwrap();
        assert_eq!(
            p.find_plan("ärztekammer premium support plan with a rather long name for tests"),
            Some(0)
        );
        assert_eq!(
            p.find_plan("ÄRZTEKAMMER PREMIUM SUPPORT PLAN WITH A RATHER LONG NAME FOR TESTS"),
            Some(0)
        );
        assert_eq!(p.find_plan("σοφια"), Some(0));
        assert_eq!(p.find_plan("STRASSE"), None);
        assert_eq!(p.find_plan("STRAẞE"), Some(0));
    }

    #[test]
    fn matching_priorities() {
        let p = Policy::embedded();
        for s in [
            "2",
            "P2",
            "p2",
            "degraded service",
            "DEGRADED SERVICE",
            " Degraded Service ",
            " p2\t",
        ] {
            assert_eq!(p.parse_priority(s), Some(2), "{s}");
        }
        assert_eq!(p.parse_priority("1"), Some(1));
        assert_eq!(p.parse_priority("general issue"), Some(3));
        for s in [
            "02",
            "+2",
            "-2",
            "4",
            "P4",
            "P0",
            "0",
            "P02",
            "p 2",
            "P",
            "",
            "2.0",
            "degraded",
            "Business  Critical",
            "２",
            "99999999999999",
        ] {
            assert_eq!(p.parse_priority(s), None, "{s}");
        }
        // Names are trimmed in the policy too; a name may look numeric when
        // it is no other level's spelling; levels need not be contiguous.
        let text = MINIMAL
            .replace("1 = \"Business Critical\"", "1 = \" Urgent \"")
            .replace("2 = \"Degraded Service\"", "2 = \"P7\"")
            .replace("3 = \"General Issue\"", "3 = \"02\"\n10 = \"Later\"");
        let p = Policy::from_toml(&text).unwrap();
        assert_eq!(p.parse_priority("urgent"), Some(1));
        assert_eq!(p.parse_priority("p7"), Some(2));
        assert_eq!(p.parse_priority("02"), Some(3));
        assert_eq!(p.parse_priority("10"), Some(10));
        assert_eq!(p.parse_priority("P10"), Some(10));
        assert_eq!(p.parse_priority("4"), None);
        // A name equal to its own spelling is fine.
        let own = MINIMAL.replace("1 = \"Business Critical\"", "1 = \"P1\"");
        assert_eq!(
            Policy::from_toml(&own).unwrap().parse_priority("p1"),
            Some(1)
        );
    }

    #[test]
    fn matching_stages() {
        let p = Policy::embedded();
        assert!(p.is_excluded_stage("beta"));
        assert!(p.is_excluded_stage(" BETA "));
        assert!(p.is_excluded_stage("Preview"));
        assert!(!p.is_excluded_stage("ga"));
        assert!(!p.is_excluded_stage(""));
        assert!(!p.is_excluded_stage("   "));
        assert!(!p.is_excluded_stage("beta 2"));
        let text = format!("excluded_stages = [\"Early Access\", \" legacy \"]\n{MINIMAL}");
        let p = Policy::from_toml(&text).unwrap();
        assert!(p.is_excluded_stage("early ACCESS"));
        assert!(p.is_excluded_stage("LEGACY"));
        assert!(!p.is_excluded_stage("Early"));
        assert!(!p.is_excluded_stage("beta"));
        assert_eq!(p.excluded_stages, ["Early Access", " legacy "]);
    }

    #[test]
    fn json_mirrors_the_schema() {
        let j = Policy::embedded().to_json();
        assert_eq!(j["timezone"], "Europe/Bratislava");
        assert_eq!(j["default_priority"], 3);
        assert_eq!(j["reclassification"], "current");
        assert_eq!(j["excluded_stages"], serde_json::json!(["beta", "preview"]));
        assert_eq!(j["priorities"]["2"], "Degraded Service");
        assert_eq!(
            j["business_hours"]["monday"],
            serde_json::json!([["09:00", "17:00"]])
        );
        assert_eq!(j["business_hours"]["saturday"], serde_json::json!([]));
        assert_eq!(j["holidays"]["rules"][1], "good_friday");
        assert_eq!(j["holidays"]["rules"].as_array().unwrap().len(), 7);
        assert_eq!(j["holidays"]["dates"], serde_json::json!([]));
        assert_eq!(
            j["plans"][0],
            serde_json::json!({"key": "basic", "name": "Basic", "aliases": [], "targets": {}})
        );
        assert_eq!(j["plans"][1]["aliases"], serde_json::json!(["Profesional"]));
        assert_eq!(
            j["plans"][2]["targets"]["1"],
            serde_json::json!({"within": "1h", "clock": "24x7"})
        );
        assert_eq!(
            j["plans"][2]["targets"]["3"],
            serde_json::json!({"within": "6h", "clock": "business"})
        );

        let text = format!(
            "{}[holidays]\ndates = [\"2026-03-03\"]\n[plans.pro.targets]\n1 = {{ within = \"90m\", clock = \"24x7\" }}\n2 = {{ within = \"3h30m\", clock = \"business\" }}\n3 = {{ within = \"45s\", clock = \"business\" }}\n",
            MINIMAL.replace("timezone", "reclassification = \"prorata\"\ntimezone")
        );
        let j = Policy::from_toml(&text).unwrap().to_json();
        assert_eq!(j["reclassification"], "prorata");
        assert_eq!(j["timezone"], "UTC");
        assert_eq!(j["holidays"]["dates"], serde_json::json!(["2026-03-03"]));
        assert_eq!(j["plans"][0]["targets"]["1"]["within"], "1h30m");
        assert_eq!(j["plans"][0]["targets"]["2"]["within"], "3h30m");
        assert_eq!(j["plans"][0]["targets"]["3"]["within"], "45s");
    }

    #[test]
    fn modes_and_clocks() {
        for m in Mode::ALL {
            assert_eq!(Mode::parse(m.as_str()), Some(m));
        }
        assert_eq!(Mode::parse("CURRENT"), None);
        assert_eq!(Mode::parse(" current"), None);
        for c in [ClockKind::Business, ClockKind::TwentyFourSeven] {
            assert_eq!(ClockKind::parse(c.as_str()), Some(c));
        }
        assert_eq!(ClockKind::TwentyFourSeven.as_str(), "24x7");
    }
}
