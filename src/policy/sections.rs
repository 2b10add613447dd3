//! The sections of a policy file: `[priorities]`, `[business_hours]`,
//! `[holidays]` and `[plans]`, each read and checked into the policy's
//! types.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use toml::de::{DeTable, DeValue};

use super::toml_value::*;
use super::*;

pub(super) fn levels_list(priorities: &BTreeMap<u32, String>) -> String {
    let v: Vec<String> = priorities.keys().map(u32::to_string).collect();
    v.join(", ")
}

/// `[priorities]`: level -> name, and the name lookup. A name must not be
/// another level's spelling (`N`, `PN`) nor another level's name.
pub(super) fn parse_priorities(
    root: &DeTable<'_>,
) -> Result<(BTreeMap<u32, String>, HashMap<String, u32>)> {
    let table = as_table(required(root, "", "priorities")?, "priorities")?;
    let list = entries(table);
    if list.is_empty() {
        return Err(PolicyError::new("priorities", "no priority levels defined"));
    }
    let mut priorities = BTreeMap::new();
    let mut in_order = Vec::new();
    for (k, v) in list {
        let path = join("priorities", k);
        let level = plain_level(k).ok_or_else(|| {
            PolicyError::new(
                path.clone(),
                "a priority level must be a positive integer without leading zeros or signs",
            )
        })?;
        let name = as_name(v, &path, "priority name")?;
        priorities.insert(level, name.to_string());
        in_order.push((level, path, name));
    }
    let mut names: HashMap<String, u32> = HashMap::new();
    for (level, path, name) in in_order {
        let folded = fold(name);
        if let Some(other) = numeric_level(&folded) {
            if other != level && priorities.contains_key(&other) {
                return Err(PolicyError::new(
                    path,
                    format!("name {name:?} is a spelling of priority {other}"),
                ));
            }
        }
        if let Some(&other) = names.get(&folded) {
            return Err(PolicyError::new(
                path,
                format!("name {name:?} is also the name of priority {other}"),
            ));
        }
        names.insert(folded, level);
    }
    Ok((priorities, names))
}

/// `[business_hours]`: a missing weekday is closed; empty intervals are
/// dropped; the rest sorted and checked for overlaps. The week must have
/// some open time.
pub(super) fn parse_week(root: &DeTable<'_>) -> Result<Week> {
    let table = as_table(required(root, "", "business_hours")?, "business_hours")?;
    let mut week: Week = Default::default();
    for (day, v) in entries(table) {
        let path = join("business_hours", day);
        let index = WEEKDAYS.iter().position(|d| *d == day).ok_or_else(|| {
            PolicyError::new(
                path.clone(),
                "unknown weekday (use monday, tuesday, wednesday, thursday, friday, saturday, sunday)",
            )
        })?;
        let mut intervals = Vec::new();
        for (i, item) in as_array(v, &path)?.into_iter().enumerate() {
            let n = i + 1;
            let shape = || {
                PolicyError::new(
                    path.clone(),
                    format!("interval {n}: expected a pair [\"HH:MM\", \"HH:MM\"]"),
                )
            };
            let pair = match item {
                DeValue::Array(a) if a.len() == 2 => [a[0].get_ref(), a[1].get_ref()],
                _ => return Err(shape()),
            };
            let mut edges = [0u32; 2];
            for (edge, value) in edges.iter_mut().zip(pair) {
                let DeValue::String(s) = value else {
                    return Err(shape());
                };
                *edge = parse_hhmm(s).ok_or_else(|| {
                    PolicyError::new(
                        path.clone(),
                        format!("interval {n}: bad time {s:?} (use \"HH:MM\", 00:00 to 24:00)"),
                    )
                })?;
            }
            let [open, close] = edges;
            if close < open {
                return Err(PolicyError::new(
                    path.clone(),
                    format!(
                        "interval {n}: close \"{}\" before open \"{}\"",
                        format_hhmm(close),
                        format_hhmm(open)
                    ),
                ));
            }
            if close > open {
                intervals.push((open, close));
            }
        }
        intervals.sort_unstable();
        for w in intervals.windows(2) {
            if w[1].0 < w[0].1 {
                return Err(PolicyError::new(
                    path,
                    format!(
                        "intervals [\"{}\", \"{}\"] and [\"{}\", \"{}\"] overlap",
                        format_hhmm(w[0].0),
                        format_hhmm(w[0].1),
                        format_hhmm(w[1].0),
                        format_hhmm(w[1].1)
                    ),
                ));
            }
        }
        week[index] = intervals;
    }
    if week.iter().all(Vec::is_empty) {
        return Err(PolicyError::new(
            "business_hours",
            "no open time on any weekday (the business clock would never run)",
        ));
    }
    Ok(week)
}

/// `[holidays]`: `rules` and `dates`, each defaulting separately to the
/// embedded default's (`builtin`, the whole default policy).
pub(super) fn parse_holidays(
    root: &DeTable<'_>,
    builtin: &DeTable<'_>,
) -> Result<(Vec<HolidayRule>, Vec<NaiveDate>)> {
    let table = as_table(optional(root, builtin, "", "holidays")?.0, "holidays")?;
    check_keys(table, "holidays", &HOLIDAY_KEYS)?;
    let builtin = as_table(required(builtin, "", "holidays")?, "holidays")?;
    let rules = as_string_list(
        optional(table, builtin, "holidays", "rules")?.0,
        "holidays.rules",
    )?
    .into_iter()
    .map(|name| {
        HolidayRule::from_name(name).ok_or_else(|| {
            let known: Vec<&str> = HolidayRule::ALL.iter().map(|r| r.name()).collect();
            PolicyError::new(
                "holidays.rules",
                format!("unknown rule {name:?} (known: {})", known.join(", ")),
            )
        })
    })
    .collect::<Result<_>>()?;
    let mut dates = Vec::new();
    {
        let v = optional(table, builtin, "holidays", "dates")?.0;
        let path = "holidays.dates";
        let items = as_array(v, path)?;
        for item in items {
            let date = match item {
                DeValue::String(s) => crate::timestamp::parse_day(s).ok_or_else(|| {
                    PolicyError::new(path, format!("bad date {s:?} (use \"YYYY-MM-DD\")"))
                })?,
                other => {
                    return Err(PolicyError::new(
                        path,
                        format!(
                            "expected a \"YYYY-MM-DD\" string, found {} (quote the date)",
                            type_name(other)
                        ),
                    ))
                }
            };
            dates.push(date);
        }
    }
    Ok((rules, dates))
}

/// What a plan spelling is, for conflict messages.
#[derive(Clone, Copy)]
pub(super) enum Spelling {
    Key,
    Name,
    Alias,
}

impl Spelling {
    fn as_str(self) -> &'static str {
        match self {
            Spelling::Key => "key",
            Spelling::Name => "name",
            Spelling::Alias => "alias",
        }
    }
}

/// `[plans]` in file order, and the lookup of every plan's key, name and
/// aliases (which must not collide across plans).
pub(super) fn parse_plans(
    root: &DeTable<'_>,
    priorities: &BTreeMap<u32, String>,
) -> Result<(Vec<Plan>, HashMap<String, usize>)> {
    let table = as_table(required(root, "", "plans")?, "plans")?;
    let list = entries(table);
    if list.is_empty() {
        return Err(PolicyError::new("plans", "no plans defined"));
    }
    if list.len() > MAX_PLANS {
        return Err(PolicyError::new(
            "plans",
            format!("{} plans, at most {MAX_PLANS} are supported", list.len()),
        ));
    }
    let mut plans: Vec<Plan> = Vec::with_capacity(list.len());
    for (key, v) in list {
        let path = join("plans", key);
        let body = as_table(v, &path)?;
        check_keys(body, &path, &PLAN_KEYS)?;
        let name_path = format!("{path}.name");
        let name = match get(body, "name") {
            Some(v) => as_name(v, &name_path, "plan name")?,
            None => {
                return Err(PolicyError::new(
                    name_path,
                    "missing (every plan needs a name)",
                ))
            }
        };
        let aliases_path = format!("{path}.aliases");
        let aliases = match get(body, "aliases") {
            None => Vec::new(),
            Some(v) => as_string_list(v, &aliases_path)?,
        };
        if let Some(i) = aliases.iter().position(|a| a.trim().is_empty()) {
            return Err(PolicyError::new(
                aliases_path,
                format!("item {}: empty alias", i + 1),
            ));
        }
        let targets = match get(body, "targets") {
            None => BTreeMap::new(),
            Some(v) => parse_targets(v, &format!("{path}.targets"), priorities)?,
        };

        plans.push(Plan {
            key: key.to_string(),
            name: name.to_string(),
            aliases: aliases.into_iter().map(str::to_string).collect(),
            targets,
        });
    }

    // Keys and names first, then aliases: a clash is reported at the later
    // name, or at the alias (a plan's identity wins over an extra spelling).
    let mut lookup: HashMap<String, (usize, Spelling)> = HashMap::new();
    let mut spellings: Vec<(usize, &str, Spelling, String)> = Vec::new();
    for (index, plan) in plans.iter().enumerate() {
        let path = join("plans", &plan.key);
        spellings.push((index, &plan.key, Spelling::Key, path.clone()));
        spellings.push((index, &plan.name, Spelling::Name, format!("{path}.name")));
    }
    for (index, plan) in plans.iter().enumerate() {
        let path = format!("{}.aliases", join("plans", &plan.key));
        for alias in &plan.aliases {
            spellings.push((index, alias, Spelling::Alias, path.clone()));
        }
    }
    for (index, text, kind, at) in spellings {
        let folded = fold(text);
        match lookup.get(&folded) {
            Some(&(other, other_kind)) if other != index => {
                return Err(PolicyError::new(
                    at,
                    format!(
                        "{} {text:?} is also the {} of {}",
                        kind.as_str(),
                        other_kind.as_str(),
                        join("plans", &plans[other].key)
                    ),
                ));
            }
            // Report a clash with a plan's name as such, even when its key
            // is spelled the same.
            Some(&(_, Spelling::Key)) if matches!(kind, Spelling::Name) => {
                lookup.insert(folded, (index, kind));
            }
            Some(_) => {}
            None => {
                lookup.insert(folded, (index, kind));
            }
        }
    }
    let lookup = lookup.into_iter().map(|(k, (i, _))| (k, i)).collect();
    Ok((plans, lookup))
}

/// A plan's `targets = { LEVEL = { within = "3h", clock = "business" } }`.
pub(super) fn parse_targets(
    v: &DeValue<'_>,
    path: &str,
    priorities: &BTreeMap<u32, String>,
) -> Result<BTreeMap<u32, Target>> {
    let table = as_table(v, path)?;
    let mut targets = BTreeMap::new();
    for (k, v) in entries(table) {
        let tpath = join(path, k);
        let level = plain_level(k)
            .filter(|l| priorities.contains_key(l))
            .ok_or_else(|| {
                PolicyError::new(
                    tpath.clone(),
                    format!(
                        "not a defined priority level (defined: {})",
                        levels_list(priorities)
                    ),
                )
            })?;
        let body = as_table(v, &tpath)?;
        check_keys(body, &tpath, &TARGET_KEYS)?;
        let within_path = format!("{tpath}.within");
        let within = match required(body, &tpath, "within")? {
            DeValue::String(s) => s.as_ref(),
            other => {
                return Err(wrong_type(&within_path, "a string like \"3h30m\"", other));
            }
        };
        let within_s = parse_duration(within).ok_or_else(|| {
            PolicyError::new(
                within_path.clone(),
                format!("bad duration {within:?} (use h, m, s like \"3h30m\")"),
            )
        })?;
        if within_s > MAX_WITHIN_S {
            return Err(PolicyError::new(
                within_path,
                format!("duration {within:?} is too long (at most 87600h)"),
            ));
        }
        let clock_path = format!("{tpath}.clock");
        let clock_name = as_str(required(body, &tpath, "clock")?, &clock_path)?;
        let clock = ClockKind::parse(clock_name).ok_or_else(|| {
            PolicyError::new(
                clock_path,
                format!("unknown clock {clock_name:?} (use \"business\" or \"24x7\")"),
            )
        })?;
        targets.insert(level, Target { within_s, clock });
    }
    Ok(targets)
}
