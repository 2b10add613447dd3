//! Replay: one ticket, its priority changes and the policy -> its SLA outcome,
//! for each reclassification mode (CONTRACT.md section 5). Pure.

use crate::calendar::BusinessCalendar;
use crate::ingest::{Change, Ticket};
use crate::policy::{ClockKind, Mode, Policy, Target};

/// The two clocks a target can run on.
pub struct Clocks {
    pub business: BusinessCalendar,
}

impl Clocks {
    /// Seconds of `kind` time in [a, b); 0 when b <= a.
    #[inline]
    pub fn elapsed(&self, kind: ClockKind, a: i64, b: i64) -> i64 {
        match kind {
            ClockKind::TwentyFourSeven => (b - a).max(0),
            ClockKind::Business => self.business.elapsed(a, b),
        }
    }

    /// The earliest instant t >= s with elapsed(s, t) == secs.
    #[inline]
    pub fn add(&self, kind: ClockKind, s: i64, secs: i64) -> i64 {
        match kind {
            ClockKind::TwentyFourSeven => s.saturating_add(secs),
            ClockKind::Business => self.business.add(s, secs),
        }
    }
}

/// A ticket's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    Met,
    Breached,
    Open,
    OpenBreached,
    NoTarget,
    Excluded,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::Met,
        Status::Breached,
        Status::Open,
        Status::OpenBreached,
        Status::NoTarget,
        Status::Excluded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::Breached => "breached",
            Status::Open => "open",
            Status::OpenBreached => "open_breached",
            Status::NoTarget => "no_target",
            Status::Excluded => "excluded",
        }
    }

    /// Met, breached and open-breached tickets count for attainment.
    pub fn counts_for_attainment(self) -> bool {
        matches!(self, Status::Met | Status::Breached | Status::OpenBreached)
    }
}

/// The measured part of an outcome (absent for `no_target` and `excluded`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Measure {
    pub clock: ClockKind,
    pub target_s: i64,
    pub elapsed_s: i64,
    pub deadline: i64,
}

impl Measure {
    pub fn margin_s(&self) -> i64 {
        self.target_s - self.elapsed_s
    }
}

/// One ticket's replayed outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The governing priority g.
    pub governing: u32,
    /// The response, when there is one at or before `as_of`.
    pub response: Option<i64>,
    pub status: Status,
    pub measure: Option<Measure>,
    /// Effective changes (from, to) over the whole history up to `as_of`.
    pub effective: Vec<(u32, u32)>,
    /// Files (indices) of changes whose `from_priority` did not match.
    pub mismatches: Vec<u32>,
}

/// Replays one ticket. `changes` are its changes with `changed_at <= as_of`,
/// sorted by `changed_at`, ties in input order.
pub fn evaluate(
    ticket: &Ticket,
    changes: &[Change],
    policy: &Policy,
    clocks: &Clocks,
    mode: Mode,
    as_of: i64,
) -> Outcome {
    let response = ticket.response.filter(|&r| r <= as_of);
    let end = response.unwrap_or(as_of);

    // Segments: cuts[i] = (t_i, p_i); only effective changes at or before
    // `end` cut; every effective change counts for the figures.
    let mut current = ticket.submitted;
    let mut cuts: Vec<(i64, u32)> = vec![(ticket.created, current)];
    let mut effective = Vec::new();
    let mut mismatches = Vec::new();
    for change in changes {
        if change.from.is_some_and(|from| from != current) {
            mismatches.push(change.file);
        }
        if change.to == current {
            continue;
        }
        effective.push((current, change.to));
        // a change dated before creation applies at creation
        let at = change.changed_at.max(ticket.created);
        if at <= end {
            cuts.push((at, change.to));
        }
        current = change.to;
    }
    let (last_cut, last_priority) = *cuts.last().expect("at least the creation");
    let governing = match mode {
        Mode::Initial => ticket.submitted,
        _ => last_priority,
    };
    let plan = &policy.plans[ticket.plan];
    let mut outcome = Outcome {
        governing,
        response,
        status: Status::NoTarget,
        measure: None,
        effective,
        mismatches,
    };
    if ticket.excluded {
        outcome.status = Status::Excluded;
        return outcome;
    }
    let Some(&target) = plan.targets.get(&governing) else {
        return outcome;
    };
    let t_g = target.within_s;
    let (elapsed_s, deadline, over) = match mode {
        Mode::Current | Mode::Initial => {
            let elapsed = clocks.elapsed(target.clock, ticket.created, end);
            let deadline = clocks.add(target.clock, ticket.created, t_g);
            (elapsed, deadline, elapsed > t_g)
        }
        Mode::Restart => {
            let elapsed = clocks.elapsed(target.clock, last_cut, end);
            let deadline = clocks.add(target.clock, last_cut, t_g);
            (elapsed, deadline, elapsed > t_g)
        }
        Mode::Prorata => {
            let p = prorata(&cuts, end, |p| plan.targets.get(&p).copied(), clocks);
            // elapsed = ceil(U * T_g), U = used / den
            let elapsed = ceil_div(p.used * t_g as i128, p.den);
            (clamp_i64(elapsed), p.deadline, p.used > p.den)
        }
    };
    outcome.status = match (response.is_some(), over) {
        (true, false) => Status::Met,
        (true, true) => Status::Breached,
        (false, false) => Status::Open,
        (false, true) => Status::OpenBreached,
    };
    outcome.measure = Some(Measure {
        clock: target.clock,
        target_s: t_g,
        elapsed_s,
        deadline,
    });
    outcome
}

/// The prorata budget: U = used / den exactly, and the deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prorata {
    pub used: i128,
    pub den: i128,
    pub deadline: i64,
}

fn gcd(mut a: i128, mut b: i128) -> i128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.abs()
}

fn ceil_div(a: i128, b: i128) -> i128 {
    -((-a).div_euclid(b))
}

fn clamp_i64(v: i128) -> i64 {
    v.clamp(i64::MIN as i128, i64::MAX as i128) as i64
}

/// Segment i consumes elapsed_{C_pi}(t_i, t_{i+1}) / T_pi of the budget
/// (nothing when p_i has no target). All fractions share the denominator
/// `den` = lcm of the targets met on the way, so the sum is exact.
/// The deadline lies in the segment where the running sum first reaches 1,
/// at C_pi.add(t_i, floor((1 - U_before) * T_pi)); if the budget is not used
/// up by `end`, it is projected on the last segment's clock the same way.
/// The last segment's priority must have a target.
pub fn prorata(
    cuts: &[(i64, u32)],
    end: i64,
    target_of: impl Fn(u32) -> Option<Target>,
    clocks: &Clocks,
) -> Prorata {
    let mut den: i128 = 1;
    for &(_, p) in cuts {
        if let Some(t) = target_of(p) {
            let t = t.within_s as i128;
            den = den / gcd(den, t) * t;
        }
    }
    let mut used: i128 = 0;
    let mut before: i128 = 0;
    let mut deadline = None;
    for (i, &(t_i, p_i)) in cuts.iter().enumerate() {
        let t_next = cuts.get(i + 1).map_or(end, |c| c.0);
        before = used;
        let Some(target) = target_of(p_i) else {
            continue;
        };
        let t = target.within_s as i128;
        used += clocks.elapsed(target.clock, t_i, t_next) as i128 * (den / t);
        if deadline.is_none() && used >= den {
            let left = (den - before) * t / den; // floor, both >= 0
            deadline = Some(clocks.add(target.clock, t_i, clamp_i64(left)));
        }
    }
    let deadline = deadline.unwrap_or_else(|| {
        let &(t_k, p_k) = cuts.last().expect("at least one segment");
        let target = target_of(p_k).expect("the governing priority has a target");
        let t = target.within_s as i128;
        let left = (den - before) * t / den;
        clocks.add(target.clock, t_k, clamp_i64(left))
    });
    Prorata {
        used,
        den,
        deadline,
    }
}
