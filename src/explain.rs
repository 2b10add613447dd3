//! `sla-report explain TICKET_ID`: one ticket's replay as a readable
//! timeline, for an auditor asking "why is this ticket breached?".
//!
//! The numbers come from the run's own code: the data set is read by
//! [`ingest`], `as_of` and the clocks are chosen as in [`pipeline`], the
//! verdict is [`replay::evaluate`] and the timeline is [`replay::trace`] /
//! [`replay::segments`] / [`replay::prorata`].

use std::fmt::Write as _;

use crate::ingest::{self, Dataset, Submission, SubmittedFrom};

use crate::model::{Change, Ticket};
use crate::pipeline::{self, RunConfig, RunError};
use crate::policy::{Mode, Plan, Policy};
use crate::replay::{self, Clocks, Share, StepKind};
use crate::report;
use crate::terminal::escape;
use crate::timestamp;

/// Why a ticket cannot be explained.
#[derive(Debug)]
pub enum ExplainError {
    Run(RunError),
    /// The id is not among the accepted tickets; `cause` says why.
    UnknownTicket {
        id: String,
        accepted: usize,
        cause: String,
    },
}

impl std::fmt::Display for ExplainError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExplainError::Run(e) => e.fmt(f),
            ExplainError::UnknownTicket {
                id,
                accepted,
                cause,
            } => write!(
                f,
                "ticket '{id}' is not among the {accepted} accepted tickets: {cause}"
            ),
        }
    }
}

impl std::error::Error for ExplainError {}

/// Reads the inputs of `cfg` and explains ticket `id` under `modes`.
pub fn explain(cfg: &RunConfig, id: &str, modes: &[Mode]) -> Result<String, ExplainError> {
    let ds = ingest::load(&cfg.tickets, &cfg.changes, &cfg.read_options())
        .map_err(|e| ExplainError::Run(RunError::Ingest(e)))?;
    let index = ds.tickets.iter().position(|t| ds.id(t) == id);
    let (Some(index), Some(as_of)) = (index, cfg.as_of.or_else(|| ingest::default_as_of(&ds)))
    else {
        return Err(ExplainError::UnknownTicket {
            id: id.to_string(),
            accepted: ds.tickets.len(),
            cause: why_not_accepted(cfg, &ds, id)?,
        });
    };
    let clocks = Clocks::new(&cfg.policy, pipeline::years_for(&ds, Some(as_of)));
    let (changes, later) = ticket_changes(&ds, index as u32, as_of);
    Ok(render(&Subject {
        ticket: &ds.tickets[index],
        index,
        changes: &changes,
        later,
        dataset: &ds,
        policy: &cfg.policy,
        clocks: &clocks,
        as_of,
        modes,
    }))
}

/// Why `id` is not an accepted ticket: its rejects (file, line, reason),
/// or, read again without `--as-of` and the period, when it was created.
fn why_not_accepted(cfg: &RunConfig, ds: &Dataset, id: &str) -> Result<String, ExplainError> {
    let rejected: Vec<String> = ds
        .rejects
        .iter()
        .filter(|r| {
            let file = &ds.files[r.file];
            file.kind == ingest::Kind::Tickets
                && file
                    .value_in(&r.record, ingest::FieldName::TicketId)
                    .as_deref()
                    == Some(id)
        })
        .map(|r| {
            format!(
                "{}:{} ({})",
                ds.files[r.file].path,
                r.line,
                r.reason.as_str()
            )
        })
        .collect();
    if !rejected.is_empty() {
        return Ok(format!("its row was rejected at {}", rejected.join(", ")));
    }
    let mut all = cfg.read_options();
    all.as_of = None;
    all.period = None;
    let everything = ingest::load(&cfg.tickets, &cfg.changes, &all)
        .map_err(|e| ExplainError::Run(RunError::Ingest(e)))?;
    let Some(t) = everything.tickets.iter().find(|t| everything.id(t) == id) else {
        return Ok("no ticket file has this id".to_string());
    };
    let created = timestamp::format_utc(t.created);
    if let Some(as_of) = cfg.as_of.filter(|&a| t.created > a) {
        return Ok(format!(
            "it was created at {created}, after --as-of {} (skipped)",
            timestamp::format_utc(as_of)
        ));
    }
    if cfg.period.is_some() {
        return Ok(format!(
            "it was created at {created}, outside the selected period"
        ));
    }
    Ok("it has no replay: no instant to report as of".to_string())
}

/// A ticket's changes at or before `as_of` sorted by `changed_at`, ties in
/// input order (as `pipeline::changes_by_ticket` gives them), and how many
/// came later.
pub fn ticket_changes(ds: &Dataset, ticket: u32, as_of: i64) -> (Vec<Change>, usize) {
    let mut changes: Vec<Change> = ds
        .changes
        .iter()
        .filter(|c| c.ticket == ticket)
        .copied()
        .collect();
    let total = changes.len();
    changes.retain(|c| c.changed_at <= as_of);
    // stable: ties keep input order
    changes.sort_by_key(|c| c.changed_at);
    let later = total - changes.len();
    (changes, later)
}

/// Everything the rendering needs.
pub struct Subject<'a> {
    pub ticket: &'a Ticket,
    /// The ticket's index in `dataset.tickets`.
    pub index: usize,
    pub changes: &'a [Change],
    /// Changes after `as_of` (not shown, they have not happened yet).
    pub later: usize,
    pub dataset: &'a Dataset,
    pub policy: &'a Policy,
    pub clocks: &'a Clocks,
    pub as_of: i64,
    pub modes: &'a [Mode],
}

/// `4h 05m 00s`, `-1s`-style durations.
pub fn duration_text(secs: i64) -> String {
    let sign = if secs < 0 { "-" } else { "" };
    let s = secs.unsigned_abs();
    format!("{sign}{}h {:02}m {:02}s", s / 3600, s / 60 % 60, s % 60)
}

/// The explanation text, for a terminal: every text from the data or the
/// policy (ids, names, stages, groups, assignees, paths) goes through
/// [`escape`].
pub fn render(s: &Subject<'_>) -> String {
    let page = Page::new(s);
    let mut o = String::new();
    page.header(&mut o);
    page.timeline(&mut o);
    page.segments(&mut o);
    for &mode in s.modes {
        page.mode(&mut o, mode);
    }
    o
}

/// What every section of the explanation reads: the subject and its replay.
struct Page<'a> {
    s: &'a Subject<'a>,
    plan: &'a Plan,
    plan_name: String,
    /// The response at or before `as_of`, and the end of the measured time.
    response: Option<i64>,
    end: i64,
    steps: Vec<replay::Step>,
    cuts: Vec<(i64, u32)>,
    segments: Vec<replay::Segment>,
}

impl<'a> Page<'a> {
    fn new(s: &'a Subject<'a>) -> Page<'a> {
        let t = s.ticket;
        let plan = &s.policy.plans[t.plan()];
        let (response, end) = replay::end_of(t, s.as_of);
        let steps = replay::trace(t, s.changes, end);
        let cuts = replay::cuts(t, &steps);
        let segments = replay::segments(&cuts, end, |l| plan.targets.get(&l).copied(), s.clocks);
        Page {
            s,
            plan,
            plan_name: escape(&plan.name).into_owned(),
            response,
            end,
            steps,
            cuts,
            segments,
        }
    }

    /// An instant in the policy zone, with UTC in brackets.
    fn when(&self, at: i64) -> String {
        let tz = self.s.policy.timezone;
        let local = crate::model::local_time::to_local(tz, at).map_or_else(String::new, |l| {
            l.format("%Y-%m-%d %H:%M:%S %Z").to_string()
        });
        format!("{local} ({})", timestamp::format_utc(at))
    }

    fn prio(&self, level: u32) -> String {
        escape(&self.s.policy.priority_label(level)).into_owned()
    }

    fn target_text(&self, level: u32) -> String {
        let target = self.plan.targets.get(&level);
        if self.s.ticket.excluded {
            // tickets.csv writes no target for it either
            return match target {
                Some(t) => format!(
                    "none: the product stage is not covered (P{level}'s {} on the {} clock does not apply)",
                    duration_text(t.within_s),
                    t.clock.as_str()
                ),
                None => "none: the product stage is not covered".to_string(),
            };
        }
        match target {
            Some(t) => format!(
                "{} on the {} clock",
                duration_text(t.within_s),
                t.clock.as_str()
            ),
            None => format!("none ({} guarantees nothing for P{level})", self.plan_name),
        }
    }

    /// The ticket, its stage and labels, and the as-of instant.
    fn header(&self, o: &mut String) {
        let s = self.s;
        let t = self.s.ticket;
        let tz = self.s.policy.timezone;
        let plan_name = &self.plan_name;
        let when = |at: i64| self.when(at);
        let prio = |level: u32| self.prio(level);
        let _ = writeln!(
            o,
            "ticket {} — plan {plan_name}, submitted as {}",
            escape(s.dataset.id(t)),
            prio(t.submitted)
        );
        if let Some(sub) = s.dataset.submissions.get(s.index) {
            self.submission(o, sub);
        }
        let stage = s.dataset.stage(t);
        if !stage.is_empty() {
            let covered = if t.excluded {
                "not covered (excluded stage)"
            } else {
                "covered"
            };
            let _ = writeln!(o, "product stage: {} — {covered}", escape(stage));
        }
        if s.dataset.organizations.present {
            let name = s.dataset.organizations.name(t.organization);
            let name = if name.is_empty() { "(none)" } else { name };
            let _ = writeln!(o, "organization: {}", escape(name));
        }
        if s.dataset.groups.present || s.dataset.assignees.present {
            let _ = writeln!(
                o,
                "group: {}   assignee: {}",
                escape(s.dataset.groups.name(t.group)),
                escape(s.dataset.assignees.name(t.assignee))
            );
        }
        let _ = writeln!(
            o,
            "as of {}; times in {} (UTC in brackets)\n",
            when(s.as_of),
            tz.name()
        );
    }

    /// How an import's history gave the submitted priority (EXPORTS.md
    /// rule 2), and a disagreement with the export.
    fn submission(&self, o: &mut String, sub: &Submission) {
        let export = self.prio(sub.export);
        let why = match sub.from {
            SubmittedFrom::Export => "the export's priority (the history has no row for it)".to_string(),
            SubmittedFrom::Default => format!(
                "the policy default: its history starts after creation (the export says {export} now)"
            ),
            SubmittedFrom::History { file, at } => format!(
                "the last history row at or before creation, {} in {} (the export says {export} now)",
                self.when(at),
                escape(&self.s.dataset.files[file as usize].path)
            ),
        };
        let _ = writeln!(o, "submitted priority: {why}");
        if let Some(end) = sub.history_end.filter(|&end| end != sub.export) {
            let _ = writeln!(
                o,
                "warning: the history ends on {}, the export says {export}: the history wins",
                self.prio(end)
            );
        }
    }

    /// Creation, every change with what it did, and the response.
    fn timeline(&self, o: &mut String) {
        let s = self.s;
        let t = self.s.ticket;
        let response = self.response;
        let steps = &self.steps;
        let when = |at: i64| self.when(at);
        let _ = writeln!(o, "timeline");
        let _ = writeln!(
            o,
            "  created    {}  priority {}",
            when(t.created),
            t.submitted
        );
        let mut response_shown = false;
        for step in steps {
            if let Some(r) = response.filter(|&r| !response_shown && step.at > r) {
                let _ = writeln!(o, "  response   {}", when(r));
                response_shown = true;
            }
            let c = &s.changes[step.change];
            let file = escape(&s.dataset.files[c.file as usize].path);
            let mut line = format!(
                "  change     {}  P{} -> P{} by {} ({file})",
                when(c.changed_at),
                step.from,
                step.to,
                c.by.as_str()
            );
            let why = match step.kind {
                StepKind::Cuts => "effective: starts a new segment".to_string(),
                StepKind::AfterEnd => format!(
                    "effective, but after the {}: counts for reclassification figures only",
                    if response.is_some() {
                        "response"
                    } else {
                        "as-of instant"
                    }
                ),
                StepKind::NotEffective => {
                    format!("not effective: the ticket already had priority {}", step.to)
                }
            };
            let _ = write!(line, "\n               {why}");
            if c.changed_at < t.created {
                let _ = write!(line, "; dated before creation, so it applies at creation");
            }
            if step.from_mismatch {
                let _ = write!(
                    line,
                    "; warning: from_priority {} disagrees with the replayed P{}",
                    c.from.unwrap_or(0),
                    step.from
                );
            }
            let _ = writeln!(o, "{line}");
        }
        if s.later > 0 {
            let _ = writeln!(
                o,
                "  ({} later change(s) after as-of: not happened yet)",
                s.later
            );
        }
        match response {
            Some(_) if response_shown => {}
            Some(r) => {
                let _ = writeln!(o, "  response   {}", when(r));
            }
            None => {
                let note = match t.response {
                    Some(r) => format!(
                        " (the file's response {} is after as-of)",
                        timestamp::format_utc(r)
                    ),
                    None => String::new(),
                };
                let _ = writeln!(o, "  response   none by as-of{note}: measured until as-of");
            }
        }
    }

    /// Each priority period with the budget it used.
    fn segments(&self, o: &mut String) {
        let response = self.response;
        let segments = &self.segments;
        let when = |at: i64| self.when(at);
        let prio = |level: u32| self.prio(level);
        let _ = writeln!(
            o,
            "\nsegments (each priority period until {})",
            if response.is_some() {
                "the response"
            } else {
                "as-of"
            }
        );
        for (i, seg) in segments.iter().enumerate() {
            let _ = writeln!(
                o,
                "  {}. {} .. {}  {}",
                i + 1,
                when(seg.start),
                when(seg.end),
                prio(seg.priority)
            );
            let business = duration_text(seg.business_s);
            match seg.target {
                // an excluded ticket has no target (as in tickets.csv)
                _ if self.s.ticket.excluded => {
                    let _ = writeln!(
                        o,
                        "     not covered (excluded stage): consumes no budget; business time {business}"
                    );
                }
                Some(tg) => {
                    let used = Share::Small(i128::from(seg.clock_s), i128::from(tg.within_s));
                    let _ = writeln!(
                        o,
                        "     target {} on the {} clock; {} s ({}) on that clock, business time {business}; budget used {used} ({})",
                        duration_text(tg.within_s),
                        tg.clock.as_str(),
                        seg.clock_s,
                        duration_text(seg.clock_s),
                        used.percent_text(),
                    );
                }
                None => {
                    let _ = writeln!(
                        o,
                        "     no target for this priority: consumes no budget; business time {business}"
                    );
                }
            }
        }
    }

    /// The verdict under `mode`, and its row as tickets.csv writes it.
    fn mode(&self, o: &mut String, mode: Mode) {
        let s = self.s;
        let t = self.s.ticket;
        let p = self.s.policy;
        let tz = self.s.policy.timezone;
        let plan = self.plan;
        let response = self.response;
        let end = self.end;
        let cuts = &self.cuts;
        let when = |at: i64| self.when(at);
        let prio = |level: u32| self.prio(level);
        let target_of = |l: u32| plan.targets.get(&l).copied();
        let target_text = |level: u32| self.target_text(level);
        let out = replay::evaluate(t, s.changes, p, s.clocks, mode, s.as_of);
        let _ = writeln!(o, "\nmode {}", mode.as_str());
        let why = match mode {
            Mode::Initial => "the submitted priority; the history is ignored",
            _ if response.is_some() => "the priority in effect at the response",
            _ => "the priority in effect at as-of (no response yet)",
        };
        let _ = writeln!(o, "  governing priority  {} — {why}", prio(out.governing));
        let _ = writeln!(o, "  target              {}", target_text(out.governing));
        match out.measure {
            None => {
                let _ = writeln!(o, "  nothing is measured");
            }
            Some(m) => {
                let (&(last_cut, _), start) = (cuts.last().expect("creation"), t.created);
                let counted = match mode {
                    Mode::Restart => format!("from the last effective change, {}", when(last_cut)),
                    Mode::Prorata => {
                        let pr = replay::prorata(cuts, end, target_of, s.clocks);
                        format!(
                            "each segment uses its share of its own priority's target: U = {} ({}) of the budget; elapsed = ceil(U x target)",
                            pr.used,
                            pr.used.percent_text()
                        )
                    }
                    _ => format!("from creation, {}, on the governing clock", when(start)),
                };
                let _ = writeln!(o, "  counted             {counted}");
                let deadline = m.written_deadline().map_or_else(
                    || "none: the budget does not run out by 2099-12-31T23:59:59Z".to_string(),
                    when,
                );
                let _ = writeln!(o, "  deadline            {deadline}");
                let resp = response.map_or_else(|| "none by as-of".to_string(), when);
                let _ = writeln!(o, "  response            {resp}");
                let _ = writeln!(
                    o,
                    "  elapsed             {} s ({})",
                    m.elapsed_s,
                    duration_text(m.elapsed_s)
                );
                let _ = writeln!(
                    o,
                    "  margin              {} s ({})",
                    m.margin_s(),
                    duration_text(m.margin_s())
                );
            }
        }
        let _ = writeln!(o, "  status              {}", out.status.as_str());
        // every column of the row that is not free text, as the CSV writes it
        let row = report::TicketRow {
            dataset: s.dataset,
            ticket: t,
            outcome: &out,
            month: crate::model::month::month_of(tz, t.created),
            response,
        };
        let mut line = String::from("  as in tickets.csv  ");
        report::each_ticket_column(|c| {
            if let Some(text) = c.value.plain_text(&row) {
                let _ = write!(line, " {}={text}", c.name);
            }
        });
        let _ = writeln!(o, "{line}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_well() {
        assert_eq!(duration_text(14_400), "4h 00m 00s");
        assert_eq!(duration_text(-1), "-0h 00m 01s");
        assert_eq!(duration_text(23_400), "6h 30m 00s");
    }
}
