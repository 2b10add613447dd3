//! `sla-report inspect`: how a run with the same input flags would read
//! each file, without a report. It is what a user runs first on an unknown
//! export, so it says what a profile needs: which header feeds each field
//! (and the candidates tried), the distinct priority, plan and stage values
//! with what each maps to, the timestamp forms that read the values, the
//! rows a run would reject, a few rows as the run reads them, and, when no
//! format was given, the built-in format whose columns fit the header best.
//!
//! Everything is read through the run's own functions (`ingest`'s header
//! and column resolution, value maps, timestamp forms and row checks), one
//! record at a time in bounded memory. Checks across rows (duplicate ids,
//! a history's tickets) are the run's alone.

use std::fmt::Write;

use chrono_tz::Tz;

use crate::ingest::{CsvInput, IngestError, Input, Kind, ReadOptions};
use crate::profile::{Field, Profile, Response, BUILT_IN};
use crate::terminal::escape;

mod history;
mod tally;
mod tickets;

use tally::{quoted, quoted_list};

/// What `inspect` was given besides the files.
pub struct Setup<'a> {
    /// As the run reads (no `as_of`, no period: every row counts).
    pub opts: ReadOptions<'a>,
    /// The zone of offsetless timestamps (`--input-tz`, else the profile's,
    /// else UTC), unless a kind's own `timezone` says otherwise.
    pub input_tz: Tz,
    /// How the shape was chosen, as the command line said it
    /// (`--format zendesk`, `--profile my.toml`); `None`: neither, the run
    /// reads native files and `inspect` looks for a better fit.
    pub given: Option<String>,
}

/// The text for stdout and, when a run with these flags would stop, its
/// message.
#[derive(Debug)]
pub struct Inspection {
    pub text: String,
    pub fatal: Option<String>,
}

/// Inspects each file in turn.
pub fn inspect(files: &[String], setup: &Setup<'_>) -> Inspection {
    let mut text = String::new();
    // the run reads every ticket file before the histories
    let mut fatal: [Option<String>; 2] = [None, None];
    for (i, path) in files.iter().enumerate() {
        if i > 0 {
            text.push('\n');
        }
        let (kind, error) = file(path, setup, &mut text);
        if let Some(e) = error {
            let message = e.to_string();
            let _ = writeln!(text, "a run would stop here: {}", escape(&message));
            fatal[(kind == Kind::Changes) as usize].get_or_insert(message);
        } else {
            let _ = writeln!(text, "a run can read this file");
        }
    }
    let [tickets, changes] = fatal;
    Inspection {
        text,
        fatal: tickets.or(changes),
    }
}

/// One file's sections; the kind it was taken for and the run's fatal
/// error, if any.
fn file(path: &str, setup: &Setup<'_>, out: &mut String) -> (Kind, Option<IngestError>) {
    let profile = setup.opts.profile;
    let _ = writeln!(out, "== {}", escape(path));
    let how = match &setup.given {
        Some(given) => escape(given).into_owned(),
        None => "format native (no --format or --profile given)".to_string(),
    };
    match Input::open(path, &setup.opts) {
        Err(e) => {
            let json = matches!(&e, IngestError::HistoryShape { .. });
            let _ = writeln!(
                out,
                "read as: {}, {how}",
                if json { "JSON history" } else { "unreadable" }
            );
            if json && setup.given.is_none() {
                suggest_json(path, setup, out);
            }
            let kind = if json { Kind::Changes } else { Kind::Tickets };
            (kind, Some(e))
        }
        Ok(Input::Json(json)) => {
            let error = history::json(path, json, setup, &how, out).err();
            (Kind::Changes, error)
        }
        Ok(Input::Csv(csv)) => {
            let fit = Fit::best(&csv, profile);
            let _ = writeln!(
                out,
                "read as: {} (CSV, delimiter '{}'), {how}",
                match fit.kind {
                    Kind::Tickets => "tickets",
                    Kind::Changes => "priority history",
                },
                csv.delimiter() as char
            );
            let _ = writeln!(
                out,
                "  the header has {} of the {} required columns of {} (and {} of {} in all)",
                fit.required.0,
                fit.required.1,
                fit.kind.as_str(),
                fit.found.0,
                fit.found.1
            );
            columns(&csv, setup, fit.kind, out);
            if setup.given.is_none() {
                suggest_csv(path, &csv, setup, out);
            }
            let error = match fit.kind {
                Kind::Tickets => tickets::csv(path, csv, setup, out),
                Kind::Changes => history::csv(path, csv, setup, out),
            }
            .err();
            (fit.kind, error)
        }
    }
}

/// A kind's fields in a profile: the field and whether it is required.
fn fields(profile: &Profile, kind: Kind) -> Vec<(&Field, bool)> {
    let mut out = Vec::new();
    match kind {
        Kind::Tickets => {
            let t = &profile.tickets;
            out.push((&t.ticket_id, true));
            out.push((&t.created_at, true));
            let optional = [
                t.response.as_ref().map(Response::field),
                t.priority.as_ref(),
                t.plan.as_ref(),
                t.organization.as_ref(),
                t.product_stage.as_ref(),
                t.group.as_ref(),
                t.assignee.as_ref(),
            ];
            out.extend(optional.into_iter().flatten().map(|f| (f, false)));
        }
        Kind::Changes => {
            if let Some(c) = &profile.changes.csv {
                out.push((&c.ticket_id, true));
                out.push((&c.changed_at, true));
                out.push((&c.to_priority, true));
                if let Some(filter) = &c.filter {
                    out.push((&filter.field, true));
                }
                let optional = [c.from_priority.as_ref(), c.changed_by.as_ref()];
                out.extend(optional.into_iter().flatten().map(|f| (f, false)));
            }
        }
    }
    out
}

/// How well a header fits a kind of a profile: required and all fields
/// with a column (found, of).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Fit {
    kind: Kind,
    required: (usize, usize),
    found: (usize, usize),
}

impl Fit {
    fn of(csv: &CsvInput, profile: &Profile, kind: Kind) -> Fit {
        let fields = fields(profile, kind);
        let has = |f: &Field| csv.find(f, profile.header_decorations).is_some();
        let required = fields.iter().filter(|(_, r)| *r);
        Fit {
            kind,
            required: (
                required.clone().filter(|(f, _)| has(f)).count(),
                required.count(),
            ),
            found: (fields.iter().filter(|(f, _)| has(f)).count(), fields.len()),
        }
    }

    /// Orders fits: the larger share of required columns found, then the
    /// more columns found.
    fn key(&self) -> (u64, usize) {
        let (found, of) = self.required;
        // a share as a fraction of a common scale, exact for small counts
        let share = if of == 0 {
            0
        } else {
            (found as u64 * 5040) / of as u64
        };
        (share, self.found.0)
    }

    /// The kind whose required columns the header fits best (tickets on a
    /// tie; a profile without a CSV history reads CSV tickets only).
    fn best(csv: &CsvInput, profile: &Profile) -> Fit {
        let tickets = Fit::of(csv, profile, Kind::Tickets);
        if profile.changes.csv.is_none() {
            return tickets;
        }
        let changes = Fit::of(csv, profile, Kind::Changes);
        if changes.key() > tickets.key() {
            changes
        } else {
            tickets
        }
    }

    fn complete(&self) -> bool {
        self.required.0 == self.required.1
    }
}

/// Which header feeds each field of `kind`, the candidates tried, the
/// required ones without a column, and the header's other columns.
fn columns(csv: &CsvInput, setup: &Setup<'_>, kind: Kind, out: &mut String) {
    let profile = setup.opts.profile;
    let section = kind.as_str();
    let fields = fields(profile, kind);
    let _ = writeln!(out, "columns (profile key <- header):");
    let mut used = vec![false; csv.names().len()];
    let rows: Vec<(String, String)> = fields
        .iter()
        .map(|(f, required)| {
            let found = csv.find(f, profile.header_decorations);
            let mut text = match found {
                Some(i) => {
                    used[i] = true;
                    quoted(&csv.names()[i])
                }
                None if *required => "none: required".to_string(),
                None => "none".to_string(),
            };
            let exact =
                found.is_some_and(|i| f.columns.len() == 1 && f.columns[0] == csv.names()[i]);
            if !exact {
                let _ = write!(text, " (tried {})", quoted_list(&f.columns));
            }
            (format!("{section}.{}", f.key), text)
        })
        .collect();
    let w = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
    for (key, text) in rows {
        let _ = writeln!(out, "  {key:<w$}  <- {text}");
    }
    if kind == Kind::Tickets {
        if let Some(plan) = profile.tickets.plan_constant {
            let name = setup.opts.policy.plans[plan as usize].name.as_str();
            let _ = writeln!(out, "  tickets.plan_constant = {}", quoted(name));
        }
    }
    let other: Vec<String> = csv
        .names()
        .iter()
        .zip(&used)
        .filter(|(_, u)| !**u)
        .map(|(n, _)| n.clone())
        .collect();
    let _ = writeln!(
        out,
        "  other columns ({}): {}",
        other.len(),
        if other.is_empty() {
            "none".to_string()
        } else {
            quoted_list(&other)
        }
    );
}

/// A path as one shell word.
fn shell_word(path: &str) -> String {
    let plain = !path.is_empty()
        && path
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"/._-+:=@,".contains(&c));
    if plain {
        path.to_string()
    } else {
        format!("'{}'", escape(&path.replace('\'', r"'\''")))
    }
}

/// The built-in formats read against the policy (one that does not fit
/// it is left out, as `--format` would refuse it).
fn built_ins(setup: &Setup<'_>) -> Vec<Profile> {
    BUILT_IN
        .iter()
        .filter_map(|(name, _)| Profile::built_in(name, setup.opts.policy)?.ok())
        .collect()
}

/// The built-in formats scored against a CSV header, the best first, and
/// the command line of the best when it has every required column.
fn suggest_csv(path: &str, csv: &CsvInput, setup: &Setup<'_>, out: &mut String) {
    let mut fits: Vec<(Profile, Fit)> = built_ins(setup)
        .into_iter()
        .map(|p| {
            let fit = Fit::best(csv, &p);
            (p, fit)
        })
        .collect();
    // stable: a tie keeps the built-in order
    fits.sort_by_key(|(_, fit)| std::cmp::Reverse(fit.key()));
    let _ = writeln!(out, "built-in formats against this header:");
    let w = fits.iter().map(|(p, _)| p.name.len()).max().unwrap_or(0);
    for (p, fit) in &fits {
        let _ = writeln!(
            out,
            "  {:<w$}  {}: {} of {} required columns, {} of {} in all",
            p.name,
            fit.kind.as_str(),
            fit.required.0,
            fit.required.1,
            fit.found.0,
            fit.found.1
        );
    }
    match fits.first() {
        Some((p, fit)) if fit.complete() && fit.found.0 > 0 => {
            let flag = match fit.kind {
                Kind::Tickets => "--tickets",
                Kind::Changes => "--changes",
            };
            let customers = fit.kind == Kind::Tickets
                && p.tickets.plan_constant.is_none()
                && match &p.tickets.plan {
                    Some(f) => csv.find(f, p.header_decorations).is_none(),
                    None => true,
                };
            let word = shell_word(path);
            let _ = writeln!(out, "best fit: {}; to read it so:", p.name);
            let _ = writeln!(out, "  sla-report inspect --format {} {word}", p.name);
            let _ = writeln!(
                out,
                "  sla-report run --format {} {flag} {word}{}",
                p.name,
                if customers {
                    " --customers CUSTOMERS.csv"
                } else {
                    ""
                }
            );
        }
        _ => {
            let _ = writeln!(
                out,
                "best fit: none has every required column; write a profile for it \
                 (start from `sla-report profile zendesk`) and inspect with --profile FILE"
            );
        }
    }
}

/// The built-in formats with a JSON history tried on a JSON file's first
/// records, and the command line of the one that reads priority rows.
fn suggest_json(path: &str, setup: &Setup<'_>, out: &mut String) {
    const TRIED: u64 = 200;
    let _ = writeln!(
        out,
        "built-in formats against this JSON (its first {TRIED} records):"
    );
    let mut best: Option<(String, u64)> = None;
    let profiles = built_ins(setup);
    let w = profiles.iter().map(|p| p.name.len()).max().unwrap_or(0);
    for p in profiles {
        let Some((shape, _)) = &p.changes.json else {
            continue;
        };
        let opts = ReadOptions {
            profile: &p,
            ..setup.opts
        };
        let counted = Input::open(path, &opts).and_then(|input| match input {
            Input::Json(mut json) => history::first_records(&mut json, TRIED),
            Input::Csv(_) => unreachable!("the file starts like JSON"),
        });
        let line = match counted {
            Ok([rows, ignored, malformed]) => {
                let better = match &best {
                    Some(b) => rows > b.1,
                    None => true,
                };
                if rows > 0 && better {
                    best = Some((p.name.clone(), rows));
                }
                format!("{rows} with a priority, {ignored} without, {malformed} malformed")
            }
            Err(e) => format!("does not read it: {}", escape(&e.to_string())),
        };
        let _ = writeln!(out, "  {:<w$}  {}: {line}", p.name, shape.as_str());
    }
    match best {
        Some((name, _)) => {
            let word = shell_word(path);
            let _ = writeln!(out, "best fit: {name}; to read it so:");
            let _ = writeln!(out, "  sla-report inspect --format {name} {word}");
            let _ = writeln!(
                out,
                "  sla-report run --format {name} --tickets TICKETS.csv --changes {word}"
            );
        }
        None => {
            let _ = writeln!(out, "best fit: none reads a priority from it");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Policy;

    /// The kind a header is taken for under a built-in format.
    fn kind_of(format: &str, header: &str) -> Fit {
        let dir = std::env::temp_dir().join(format!("sla-inspect-fit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{format}-{}.csv", header.len()));
        std::fs::write(&path, format!("{header}\n")).unwrap();
        let policy = Policy::embedded();
        let profile = Profile::built_in(format, &policy).unwrap().unwrap();
        let opts = ReadOptions {
            policy: &policy,
            profile: &profile,
            customers: None,
            encoding: crate::ingest::Encoding::Utf8,
            zone: crate::timestamp::InputZone::Utc,
            as_of: None,
            delimiter: None,
            period: None,
            on_bytes: None,
            max_record: crate::ingest::DEFAULT_MAX_RECORD,
        };
        let Ok(Input::Csv(csv)) = Input::open(path.to_str().unwrap(), &opts) else {
            panic!("not a CSV file");
        };
        Fit::best(&csv, &profile)
    }

    #[test]
    fn a_header_is_taken_for_the_kind_whose_required_columns_it_fits_best() {
        let fit = kind_of("native", "ticket_id,created_at,plan");
        assert_eq!(
            (fit.kind, fit.required, fit.found),
            (Kind::Tickets, (2, 2), (3, 9))
        );
        // ticket_id is a column of both kinds: the history's share is larger
        let fit = kind_of("native", "ticket_id,changed_at,to_priority,from_priority");
        assert_eq!((fit.kind, fit.required), (Kind::Changes, (3, 3)));
        let fit = kind_of("zendesk", "field_name,ticket_id,updated,user_id,value");
        assert_eq!(
            (fit.kind, fit.required, fit.found),
            (Kind::Changes, (4, 4), (5, 5))
        );
        // nothing fits: tickets, the kind every run needs
        assert_eq!(kind_of("native", "Issue key,Created").kind, Kind::Tickets);
        // a format without a CSV history reads CSV tickets only
        assert_eq!(
            kind_of("freshdesk", "ticket_id,changed_at,to_priority").kind,
            Kind::Tickets
        );
    }

    #[test]
    fn paths_become_one_shell_word() {
        assert_eq!(shell_word("exports/t-1.csv"), "exports/t-1.csv");
        assert_eq!(shell_word("my export.csv"), "'my export.csv'");
        assert_eq!(shell_word("it's.csv"), r"'it'\''s.csv'");
    }
}
