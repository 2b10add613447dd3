//! Replay: one ticket, its priority changes and the policy -> its SLA outcome,
//! for each reclassification mode (CONTRACT.md section 5). Pure.

use num_bigint::BigInt;

use crate::calendar::BusinessCalendar;
use crate::model::{Change, ClockKind, Measure, Outcome, Status, Ticket};
use crate::policy::{Mode, Policy, Target};

/// The two clocks a target can run on.
#[derive(Clone)]
pub struct Clocks {
    pub business: BusinessCalendar,
}

impl Clocks {
    /// The clocks of `policy`, with business intervals precomputed for the
    /// local years `first_year..=last_year` (queries outside stay exact,
    /// only slower).
    pub fn new(policy: &Policy, (first_year, last_year): (i32, i32)) -> Clocks {
        Clocks {
            business: BusinessCalendar::new(
                policy.timezone,
                &policy.business_hours,
                &policy.holiday_rules,
                &policy.holiday_dates,
                first_year,
                last_year,
            ),
        }
    }

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

/// Receives the details of a replay that are not kept in `Outcome`.
pub trait ReplaySink {
    /// An effective change (to a different priority), in replay order.
    fn effective(&mut self, _from: u32, _to: u32) {}
    /// A change whose `from_priority` disagrees with the priority in
    /// effect, `in_effect`.
    fn mismatch(&mut self, _change: &Change, _in_effect: u32) {}
}

impl ReplaySink for () {}

/// Collects the effective changes and mismatches of one replay (tests).
#[cfg(test)]
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Collect {
    pub effective: Vec<(u32, u32)>,
    pub mismatches: Vec<u32>,
}

#[cfg(test)]
impl ReplaySink for Collect {
    fn effective(&mut self, from: u32, to: u32) {
        self.effective.push((from, to));
    }
    fn mismatch(&mut self, change: &Change, _in_effect: u32) {
        self.mismatches.push(change.file);
    }
}

/// The response that counts: the first response when it is at or before
/// `as_of` (a later one has not happened yet).
#[inline]
pub fn response_by(ticket: &Ticket, as_of: i64) -> Option<i64> {
    ticket.response.filter(|&r| r <= as_of)
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
    evaluate_into(ticket, changes, policy, clocks, mode, as_of, &mut ())
}

/// `evaluate`, reporting effective changes and mismatches to `sink`.
pub fn evaluate_into(
    ticket: &Ticket,
    changes: &[Change],
    policy: &Policy,
    clocks: &Clocks,
    mode: Mode,
    as_of: i64,
    sink: &mut impl ReplaySink,
) -> Outcome {
    let response = response_by(ticket, as_of);
    let end = response.unwrap_or(as_of);

    // Segments: cuts[i] = (t_i, p_i); only effective changes at or before
    // `end` cut; every effective change counts for the figures.
    let mut cuts = Cuts::new(ticket.created, ticket.submitted);
    let mut reclassifications = 0u32;
    for (change, step) in changes.iter().zip(walk(ticket, changes, end)) {
        if step.from_mismatch {
            sink.mismatch(change, step.from);
        }
        if step.kind == StepKind::NotEffective {
            continue;
        }
        reclassifications += 1;
        sink.effective(step.from, step.to);
        if step.kind == StepKind::Cuts {
            cuts.push((step.at, step.to));
        }
    }
    let (last_cut, last_priority) = cuts.last();
    let governing = match mode {
        Mode::Initial => ticket.submitted,
        _ => last_priority,
    };
    let plan = &policy.plans[ticket.plan()];
    let mut outcome = Outcome {
        governing,
        reclassifications,
        status: Status::NoTarget,
        measure: None,
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
            // g is the last segment's priority, so its T_g is the one used
            let p = prorata(
                cuts.as_slice(),
                end,
                |p| plan.targets.get(&p).copied(),
                clocks,
            );
            (p.elapsed_s, p.deadline, p.over)
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
        // the policy bounds every target by MAX_WITHIN_S (checked above)
        target_s: i32::try_from(t_g).unwrap_or(i32::MAX),
        elapsed_s,
        deadline,
    });
    outcome
}

/// The segment starts (t_i, p_i) of a replay; the first few live inline, so
/// a ticket with few changes allocates nothing.
struct Cuts {
    inline: [(i64, u32); 4],
    len: usize,
    spill: Vec<(i64, u32)>,
}

impl Cuts {
    fn new(created: i64, priority: u32) -> Cuts {
        Cuts {
            inline: [(created, priority); 4],
            len: 1,
            spill: Vec::new(),
        }
    }

    fn push(&mut self, cut: (i64, u32)) {
        if self.len < self.inline.len() {
            self.inline[self.len] = cut;
            self.len += 1;
        } else {
            if self.spill.is_empty() {
                self.spill.extend_from_slice(&self.inline);
            }
            self.spill.push(cut);
        }
    }

    fn as_slice(&self) -> &[(i64, u32)] {
        if self.spill.is_empty() {
            &self.inline[..self.len]
        } else {
            &self.spill
        }
    }

    fn last(&self) -> (i64, u32) {
        *self.as_slice().last().unwrap_or(&self.inline[0])
    }
}

/// The prorata budget of a replay.
#[derive(Debug, Clone)]
pub struct Prorata {
    /// U, the share of the budget used, exactly.
    pub used: Share,
    /// ceil(U * T_g), T_g the last segment's target.
    pub elapsed_s: i64,
    /// U > 1: over target.
    pub over: bool,
    pub deadline: i64,
}

/// A share of a budget, exactly: `num / den` with `num >= 0`, `den > 0`; in
/// `i128` when the sums fit there, else in big integers. Displays reduced:
/// `13/12`, `1`.
#[derive(Debug, Clone)]
pub enum Share {
    Small(i128, i128),
    Big(BigInt, BigInt),
}

impl std::fmt::Display for Share {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        fn reduced<N: Exact + std::fmt::Display>(
            f: &mut std::fmt::Formatter<'_>,
            num: &N,
            den: &N,
        ) -> std::fmt::Result {
            let g = gcd(num.clone(), den.clone());
            let (n, d) = (num.div_rem(&g).0, den.div_rem(&g).0);
            if d == N::of(1) {
                write!(f, "{n}")
            } else {
                write!(f, "{n}/{d}")
            }
        }
        match self {
            Share::Small(num, den) => reduced(f, num, den),
            Share::Big(num, den) => reduced(f, num, den),
        }
    }
}

impl Share {
    /// The share as a percentage with one decimal, rounded half up, exactly:
    /// `1601/1200` is `133.4%`.
    pub fn percent_text(&self) -> String {
        let (num, den) = match self {
            Share::Small(n, d) => (BigInt::from(*n), BigInt::from(*d)),
            Share::Big(n, d) => (n.clone(), d.clone()),
        };
        // tenths of a percent: floor((num * 1000 / den) + 1/2)
        let tenths: BigInt = (num * 2000 + &den) / (den * 2);
        let ten = BigInt::from(10);
        format!("{}.{}%", &tenths / &ten, &tenths % &ten)
    }
}

/// The integers prorata computes in, so that its arithmetic is written
/// once: `i128` with every step checked (`None` on overflow), and
/// `BigInt`, which does not overflow (always `Some`). All values are >= 0:
/// clock seconds, positive targets, and the sums, products and differences
/// the algorithm forms from them; divisors are > 0.
trait Exact: Clone + Ord {
    fn of(v: i64) -> Self;
    fn add(&self, o: &Self) -> Option<Self>;
    fn sub(&self, o: &Self) -> Option<Self>;
    fn mul(&self, o: &Self) -> Option<Self>;
    /// (floor(self / d), self mod d), for self >= 0 and d > 0.
    fn div_rem(&self, d: &Self) -> (Self, Self);
    fn to_i64(&self) -> Option<i64>;
    fn share(num: Self, den: Self) -> Share;
}

impl Exact for i128 {
    fn of(v: i64) -> Self {
        i128::from(v)
    }
    fn add(&self, o: &Self) -> Option<Self> {
        self.checked_add(*o)
    }
    fn sub(&self, o: &Self) -> Option<Self> {
        self.checked_sub(*o)
    }
    fn mul(&self, o: &Self) -> Option<Self> {
        self.checked_mul(*o)
    }
    fn div_rem(&self, d: &Self) -> (Self, Self) {
        (self / d, self % d)
    }
    fn to_i64(&self) -> Option<i64> {
        i64::try_from(*self).ok()
    }
    fn share(num: Self, den: Self) -> Share {
        Share::Small(num, den)
    }
}

impl Exact for BigInt {
    fn of(v: i64) -> Self {
        BigInt::from(v)
    }
    fn add(&self, o: &Self) -> Option<Self> {
        Some(self + o)
    }
    fn sub(&self, o: &Self) -> Option<Self> {
        Some(self - o)
    }
    fn mul(&self, o: &Self) -> Option<Self> {
        Some(self * o)
    }
    fn div_rem(&self, d: &Self) -> (Self, Self) {
        (self / d, self % d)
    }
    fn to_i64(&self) -> Option<i64> {
        i64::try_from(self).ok()
    }
    fn share(num: Self, den: Self) -> Share {
        Share::Big(num, den)
    }
}

fn gcd<N: Exact>(mut a: N, mut b: N) -> N {
    let zero = N::of(0);
    while b != zero {
        let r = a.div_rem(&b).1;
        (a, b) = (b, r);
    }
    a
}

// Why the results fit in i64. Every segment's share is
// elapsed_i / T_i <= elapsed_i (T_i >= 1 s), and the segments are
// consecutive pieces of [created, end) on clocks that count at most wall
// time, so U <= end - created <= LAST_INSTANT - FIRST_INSTANT (instants lie
// in 1900..2099, CONTRACT.md section 7). Hence elapsed_s = ceil(U * T_g) <=
// (LAST_INSTANT - FIRST_INSTANT) * MAX_WITHIN_S (an integer), which fits
// (asserted here: about 2.0e18 < 9.2e18). A deadline's offset
// floor((1 - U_before) * T_i) lies in [0, T_i], since U_before < 1 there.
// Outside the contract (the replay is pure and takes any i64) the checked
// conversions saturate instead of wrapping.
const _: () = assert!(
    (crate::model::instant::LAST_INSTANT - crate::model::instant::FIRST_INSTANT)
        .checked_mul(crate::policy::MAX_WITHIN_S)
        .is_some()
);

/// A result (elapsed_s, a deadline's offset) as i64: it fits, as above.
fn saturating_i64<N: Exact>(v: &N) -> i64 {
    v.to_i64().unwrap_or(i64::MAX)
}

/// Segment i consumes elapsed_{C_pi}(t_i, t_{i+1}) / T_pi of the budget
/// (nothing when p_i has no target). All fractions share the denominator
/// `den` = lcm of the targets met on the way, so the sum is exact.
/// The deadline lies in the segment where the running sum first reaches 1,
/// at C_pi.add(t_i, floor((1 - U_before) * T_pi)); if the budget is not used
/// up by `end`, it is projected on the last segment's clock the same way.
/// The last segment's priority must have a target.
///
/// The sums are kept in i128 when they fit (nearly always), else in big
/// integers: a few large, near-coprime targets (ten years less a few
/// seconds each) have an lcm that times the elapsed seconds passes 2^127.
pub fn prorata(
    cuts: &[(i64, u32)],
    end: i64,
    target_of: impl Fn(u32) -> Option<Target>,
    clocks: &Clocks,
) -> Prorata {
    prorata_in::<i128>(cuts, end, &target_of, clocks)
        .or_else(|| prorata_in::<BigInt>(cuts, end, &target_of, clocks))
        .expect("big integers do not overflow")
}

/// [`prorata`] in `N`; `None` when a step overflows `N`.
fn prorata_in<N: Exact>(
    cuts: &[(i64, u32)],
    end: i64,
    target_of: &impl Fn(u32) -> Option<Target>,
    clocks: &Clocks,
) -> Option<Prorata> {
    let mut den = N::of(1);
    for &(_, p) in cuts {
        if let Some(t) = target_of(p) {
            let t = N::of(t.within_s);
            den = den.div_rem(&gcd(den.clone(), t.clone())).0.mul(&t)?;
        }
    }
    // floor((1 - before / den) * t), both >= 0
    let left = |before: &N, t: &N| -> Option<i64> {
        Some(saturating_i64(&den.sub(before)?.mul(t)?.div_rem(&den).0))
    };
    let mut used = N::of(0);
    let mut before = N::of(0);
    let mut deadline = None;
    for (i, &(t_i, p_i)) in cuts.iter().enumerate() {
        let t_next = cuts.get(i + 1).map_or(end, |c| c.0);
        before = used.clone();
        let Some(target) = target_of(p_i) else {
            continue;
        };
        let t = N::of(target.within_s);
        let elapsed = N::of(clocks.elapsed(target.clock, t_i, t_next));
        used = used.add(&elapsed.mul(&den.div_rem(&t).0)?)?;
        if deadline.is_none() && used >= den {
            deadline = Some(clocks.add(target.clock, t_i, left(&before, &t)?));
        }
    }
    let &(t_k, p_k) = cuts.last().expect("at least one segment");
    let target = target_of(p_k).expect("the governing priority has a target");
    let t_g = N::of(target.within_s);
    let deadline = match deadline {
        Some(d) => d,
        None => clocks.add(target.clock, t_k, left(&before, &t_g)?),
    };
    // elapsed = ceil(U * T_g)
    let (q, r) = used.mul(&t_g)?.div_rem(&den);
    let elapsed = if r == N::of(0) { q } else { q.add(&N::of(1))? };
    Some(Prorata {
        elapsed_s: saturating_i64(&elapsed),
        over: used > den,
        deadline,
        used: N::share(used, den),
    })
}

/// What one priority change did in the replay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepKind {
    /// Effective (a different priority) at or before `end`: starts a segment.
    Cuts,
    /// Effective but after `end` (the response or `as_of`): it counts for the
    /// reclassification figures only.
    AfterEnd,
    /// `to_priority` is the priority already in effect: nothing changes.
    NotEffective,
}

/// One change as the replay saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    /// Index into the `changes` slice given to [`trace`].
    pub change: usize,
    /// When it applies: `changed_at`, or `created_at` if dated before it.
    pub at: i64,
    /// The priority in effect before it.
    pub from: u32,
    pub to: u32,
    pub kind: StepKind,
    /// `from_priority` was given and differs from `from`.
    pub from_mismatch: bool,
}

/// `(response, end)`: the response at or before `as_of`, and the end of the
/// measured time (the response, else `as_of`).
pub fn end_of(ticket: &Ticket, as_of: i64) -> (Option<i64>, i64) {
    let response = response_by(ticket, as_of);
    (response, response.unwrap_or(as_of))
}

/// The walk over a ticket's changes (`changes` as for [`evaluate`]), one
/// step per change: the one place for what a change does. It is effective
/// when `to` differs from the priority in effect; it applies at
/// `changed_at`, or at creation when dated before it; it cuts a segment
/// when effective at or before `end`.
#[inline]
pub fn walk<'c>(
    ticket: &Ticket,
    changes: &'c [Change],
    end: i64,
) -> impl Iterator<Item = Step> + 'c {
    let (created, mut current) = (ticket.created, ticket.submitted);
    changes.iter().enumerate().map(move |(i, c)| {
        let at = c.changed_at.max(created);
        let kind = if c.to == current {
            StepKind::NotEffective
        } else if at <= end {
            StepKind::Cuts
        } else {
            StepKind::AfterEnd
        };
        let step = Step {
            change: i,
            at,
            from: current,
            to: c.to,
            kind,
            from_mismatch: c.from.is_some_and(|f| f != current),
        };
        current = c.to;
        step
    })
}

/// The replay of a ticket's changes, step by step, as [`evaluate`] sees
/// them.
pub fn trace(ticket: &Ticket, changes: &[Change], end: i64) -> Vec<Step> {
    walk(ticket, changes, end).collect()
}

/// The segment starts `(t_i, p_i)` of a trace: creation, then every change
/// that cuts.
pub fn cuts(ticket: &Ticket, steps: &[Step]) -> Vec<(i64, u32)> {
    std::iter::once((ticket.created, ticket.submitted))
        .chain(
            steps
                .iter()
                .filter(|s| s.kind == StepKind::Cuts)
                .map(|s| (s.at, s.to)),
        )
        .collect()
}

/// One priority period [start, end) of a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    pub start: i64,
    pub end: i64,
    pub priority: u32,
    /// The plan's target for this priority, if any.
    pub target: Option<Target>,
    /// Time on the target's clock in [start, end) (0 without a target): the
    /// budget this period consumed under `prorata` is `clock_s / target`.
    pub clock_s: i64,
    /// Business time in [start, end).
    pub business_s: i64,
}

/// The segments of a replay with what each consumed.
pub fn segments(
    cuts: &[(i64, u32)],
    end: i64,
    target_of: impl Fn(u32) -> Option<Target>,
    clocks: &Clocks,
) -> Vec<Segment> {
    cuts.iter()
        .enumerate()
        .map(|(i, &(start, priority))| {
            let seg_end = cuts.get(i + 1).map_or(end, |c| c.0);
            let target = target_of(priority);
            Segment {
                start,
                end: seg_end,
                priority,
                target,
                clock_s: target.map_or(0, |t| clocks.elapsed(t.clock, start, seg_end)),
                business_s: clocks.business.elapsed(start, seg_end),
            }
        })
        .collect()
}

/// A ticket's reclassification figures: its effective changes at or before
/// `as_of` (the whole known history, also after the response).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Reclass {
    pub effective: u32,
    /// To a higher level number (less urgent: P1 -> P3).
    pub downgrades: u32,
    /// To a lower level number (more urgent).
    pub upgrades: u32,
    /// Effective changes by `changed_by`, in `ChangedBy::ALL` order.
    pub by: [u32; 3],
    /// When the first effective change applied.
    pub first_at: Option<i64>,
}

/// The reclassification figures of one ticket (`changes` as for
/// [`evaluate`]); the same effective changes as `evaluate_into` reports.
pub fn reclass(ticket: &Ticket, changes: &[Change]) -> Reclass {
    let mut r = Reclass::default();
    for (c, step) in changes.iter().zip(walk(ticket, changes, i64::MAX)) {
        if step.kind == StepKind::NotEffective {
            continue;
        }
        r.effective += 1;
        if step.to > step.from {
            r.downgrades += 1;
        } else {
            r.upgrades += 1;
        }
        r.by[c.by as usize] += 1;
        r.first_at.get_or_insert(step.at);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timestamp::{self, InputZone};

    #[test]
    fn a_share_reads_as_a_fraction_and_a_percentage() {
        let small = Share::Small(1601, 1200);
        assert_eq!(
            (small.to_string(), small.percent_text()),
            ("1601/1200".into(), "133.4%".into())
        );
        assert_eq!(Share::Small(13, 12).percent_text(), "108.3%");
        assert_eq!(Share::Small(1, 2).percent_text(), "50.0%");
        // half a tenth rounds up: 1/2000 = 0.05%
        assert_eq!(Share::Small(1, 2000).percent_text(), "0.1%");
        assert_eq!(Share::Small(0, 7).percent_text(), "0.0%");
        let big = Share::Big(BigInt::from(i128::MAX) * 3, BigInt::from(i128::MAX) * 2);
        assert_eq!(big.percent_text(), "150.0%");
    }

    fn policy() -> Policy {
        Policy::embedded()
    }

    fn clocks(p: &Policy) -> Clocks {
        Clocks::new(p, (2025, 2027))
    }

    /// Wall time in Bratislava.
    fn local(s: &str) -> i64 {
        timestamp::parse(s, InputZone::new(chrono_tz::Europe::Bratislava)).unwrap()
    }

    fn ticket(plan: &str, priority: u32, created: &str, response: Option<&str>) -> Ticket {
        let p = policy();
        Ticket {
            id: 0,
            plan: p.find_plan(plan).unwrap() as u16,
            excluded: false,
            submitted: priority,
            stage: 0,
            created: local(created),
            response: response.map(local),
            group: 0,
            assignee: 0,
            organization: 0,
        }
    }

    fn change(at: &str, to: u32) -> Change {
        Change {
            ticket: 0,
            changed_at: local(at),
            to,
            from: None,
            file: 1,
            line: 0,
            by: crate::model::ChangedBy::Agent,
        }
    }

    /// The outcome and what the replay reported on the side.
    fn eval(t: &Ticket, changes: &[Change], mode: Mode, as_of: &str) -> Out {
        let p = policy();
        let mut sink = Collect::default();
        let o = evaluate_into(t, changes, &p, &clocks(&p), mode, local(as_of), &mut sink);
        assert_eq!(o, evaluate(t, changes, &p, &clocks(&p), mode, local(as_of)));
        assert_eq!(o.reclassifications as usize, sink.effective.len());
        Out {
            governing: o.governing,
            status: o.status,
            measure: o.measure,
            response: response_by(t, local(as_of)),
            effective: sink.effective,
            mismatches: sink.mismatches,
        }
    }

    struct Out {
        governing: u32,
        status: Status,
        measure: Option<Measure>,
        response: Option<i64>,
        effective: Vec<(u32, u32)>,
        mismatches: Vec<u32>,
    }

    fn measure(o: &Out) -> (i64, i64, Status) {
        let m = o.measure.expect("measured");
        (m.elapsed_s, m.deadline, o.status)
    }

    const H: i64 = 3600;

    #[test]
    fn nights_and_weekends_do_not_count() {
        // Professional P1 (3 business hours) created Friday 16:00: one hour
        // on Friday, two on Monday -> deadline Monday 11:00
        let t = ticket(
            "Professional",
            1,
            "2026-03-06 16:00",
            Some("2026-03-09 10:30"),
        );
        let o = eval(&t, &[], Mode::Current, "2026-03-10 00:00");
        assert_eq!(
            measure(&o),
            (H + 90 * 60, local("2026-03-09 11:00"), Status::Met)
        );
        // created at night: the clock starts at 09:00
        let t = ticket(
            "Professional",
            1,
            "2026-03-03 02:00",
            Some("2026-03-03 12:00"),
        );
        let o = eval(&t, &[], Mode::Current, "2026-03-04 00:00");
        assert_eq!(measure(&o), (3 * H, local("2026-03-03 12:00"), Status::Met));
    }

    #[test]
    fn good_friday_and_easter_monday_are_closed() {
        // Thursday 2 April 2026 16:00 + 3h: 1h Thursday, then Tuesday 7 April
        let t = ticket(
            "Professional",
            1,
            "2026-04-02 16:00",
            Some("2026-04-07 11:00"),
        );
        let o = eval(&t, &[], Mode::Current, "2026-04-08 00:00");
        assert_eq!(measure(&o), (3 * H, local("2026-04-07 11:00"), Status::Met));
        // one second later is breached
        let t = ticket(
            "Professional",
            1,
            "2026-04-02 16:00",
            Some("2026-04-07 11:00:01"),
        );
        let o = eval(&t, &[], Mode::Current, "2026-04-08 00:00");
        assert_eq!(o.status, Status::Breached);
        assert_eq!(o.measure.unwrap().margin_s(), -1);
    }

    #[test]
    fn dst_changes_keep_business_hours_in_local_time() {
        // Friday 27 March 2026 (CET, +01:00) 15:00 -> Monday 30 March (CEST,
        // +02:00): 2h Friday + 4h Monday for Professional P2 (6h)
        let t = ticket("Professional", 2, "2026-03-27 15:00", None);
        let o = eval(&t, &[], Mode::Current, "2026-03-30 12:00");
        assert_eq!(
            measure(&o),
            (5 * H, local("2026-03-30 13:00"), Status::Open)
        );
        assert_eq!(
            o.measure.unwrap().deadline,
            timestamp::parse("2026-03-30T11:00:00Z", InputZone::Utc).unwrap()
        );
        // autumn: Friday 23 October 2026 (CEST) -> Monday 26 October (CET)
        let t = ticket(
            "Professional",
            2,
            "2026-10-23 15:00",
            Some("2026-10-26 13:00:01"),
        );
        let o = eval(&t, &[], Mode::Current, "2026-10-27 00:00");
        assert_eq!(
            measure(&o),
            (6 * H + 1, local("2026-10-26 13:00"), Status::Breached)
        );
    }

    #[test]
    fn advanced_p1_runs_on_the_24x7_clock() {
        // Saturday night: one wall-clock hour
        let t = ticket("Advanced", 1, "2026-03-07 23:30", Some("2026-03-08 00:30"));
        let o = eval(&t, &[], Mode::Current, "2026-03-09 00:00");
        let m = o.measure.unwrap();
        assert_eq!(m.clock, ClockKind::TwentyFourSeven);
        assert_eq!(measure(&o), (H, local("2026-03-08 00:30"), Status::Met));
        // across the spring-forward night: 01:30 -> 03:30 local is one hour
        let t = ticket("Advanced", 1, "2026-03-29 01:30", Some("2026-03-29 03:30"));
        let o = eval(&t, &[], Mode::Current, "2026-03-30 00:00");
        assert_eq!(measure(&o), (H, local("2026-03-29 03:30"), Status::Met));
        let t = ticket("Advanced", 1, "2026-03-29 01:30", None);
        let o = eval(&t, &[], Mode::Current, "2026-03-29 03:31");
        assert_eq!(o.status, Status::OpenBreached);
    }

    #[test]
    fn response_at_the_deadline_is_met_one_second_later_breached() {
        let at = ticket(
            "Professional",
            1,
            "2026-03-02 10:00",
            Some("2026-03-02 13:00:00"),
        );
        let after = ticket(
            "Professional",
            1,
            "2026-03-02 10:00",
            Some("2026-03-02 13:00:01"),
        );
        assert_eq!(
            eval(&at, &[], Mode::Current, "2026-03-03 00:00").status,
            Status::Met
        );
        assert_eq!(
            eval(&after, &[], Mode::Current, "2026-03-03 00:00").status,
            Status::Breached
        );
    }

    #[test]
    fn a_response_in_closed_hours_just_after_a_17_00_deadline_is_met() {
        // Professional P1 created 14:00: the deadline is 17:00 (the close)
        let t = ticket(
            "Professional",
            1,
            "2026-03-02 14:00",
            Some("2026-03-02 17:20"),
        );
        let o = eval(&t, &[], Mode::Current, "2026-03-03 00:00");
        assert_eq!(measure(&o), (3 * H, local("2026-03-02 17:00"), Status::Met));
        assert_eq!(o.measure.unwrap().margin_s(), 0);
        // and under prorata the same
        let o = eval(&t, &[], Mode::Prorata, "2026-03-03 00:00");
        assert_eq!(measure(&o), (3 * H, local("2026-03-02 17:00"), Status::Met));
    }

    #[test]
    fn basic_has_no_target_and_beta_is_excluded() {
        let t = ticket("Basic", 1, "2026-03-02 10:00", Some("2026-03-05 10:00"));
        let o = eval(&t, &[], Mode::Current, "2026-03-06 00:00");
        assert_eq!((o.status, o.measure), (Status::NoTarget, None));
        let mut t = ticket(
            "Professional",
            1,
            "2026-03-02 10:00",
            Some("2026-03-05 10:00"),
        );
        t.excluded = true;
        let o = eval(&t, &[], Mode::Current, "2026-03-06 00:00");
        assert_eq!((o.status, o.measure), (Status::Excluded, None));
    }

    /// Advanced P1 (1h 24x7) downgraded to P3 (6 business hours).
    #[test]
    fn every_mode_on_a_p1_to_p3_downgrade() {
        let t = ticket("Advanced", 1, "2026-03-02 09:00", Some("2026-03-02 13:00"));
        let ch = [change("2026-03-02 09:30", 3)];
        let as_of = "2026-03-03 00:00";
        let cur = eval(&t, &ch, Mode::Current, as_of);
        assert_eq!(
            (cur.governing, measure(&cur)),
            (3, (4 * H, local("2026-03-02 15:00"), Status::Met))
        );
        let res = eval(&t, &ch, Mode::Restart, as_of);
        assert_eq!(
            measure(&res),
            (3 * H + 1800, local("2026-03-02 15:30"), Status::Met)
        );
        let ini = eval(&t, &ch, Mode::Initial, as_of);
        assert_eq!(
            (ini.governing, measure(&ini)),
            (1, (4 * H, local("2026-03-02 10:00"), Status::Breached))
        );
        assert_eq!(ini.measure.unwrap().clock, ClockKind::TwentyFourSeven);
        // U = 1/2 + 3.5/6 = 13/12; elapsed = ceil(13/12 * 6h) = 6.5h; the
        // remaining half of the budget is 3 P3 hours from 09:30
        let pro = eval(&t, &ch, Mode::Prorata, as_of);
        assert_eq!(
            measure(&pro),
            (6 * H + 1800, local("2026-03-02 12:30"), Status::Breached)
        );
        for o in [&cur, &res, &ini, &pro] {
            assert_eq!(o.effective, vec![(1, 3)]);
        }
    }

    /// Advanced P3 (6 business hours) upgraded to P1 (1h 24x7): the clock
    /// switches from business to 24x7.
    #[test]
    fn every_mode_on_a_p3_to_p1_upgrade() {
        // created Friday 16:00, upgraded Saturday 10:00, answered 10:40
        let t = ticket("Advanced", 3, "2026-03-06 16:00", Some("2026-03-07 10:40"));
        let ch = [change("2026-03-07 10:00", 1)];
        let as_of = "2026-03-08 00:00";
        // current: P1 on 24x7 from creation: 18h40 elapsed
        let cur = eval(&t, &ch, Mode::Current, as_of);
        assert_eq!(
            (cur.governing, measure(&cur)),
            (
                1,
                (18 * H + 2400, local("2026-03-06 17:00"), Status::Breached)
            )
        );
        // restart: 40 minutes since the upgrade
        let res = eval(&t, &ch, Mode::Restart, as_of);
        assert_eq!(
            measure(&res),
            (2400, local("2026-03-07 11:00"), Status::Met)
        );
        // initial: P3 business hours: 1h on Friday, nothing on Saturday
        let ini = eval(&t, &ch, Mode::Initial, as_of);
        assert_eq!(
            (ini.governing, measure(&ini)),
            (3, (H, local("2026-03-09 14:00"), Status::Met))
        );
        // prorata: 1h/6h of P3 + 40min/60min of P1 = 1/6 + 2/3 = 5/6
        let pro = eval(&t, &ch, Mode::Prorata, as_of);
        let m = pro.measure.unwrap();
        assert_eq!(
            (m.clock, i64::from(m.target_s), m.elapsed_s),
            (ClockKind::TwentyFourSeven, H, 3000)
        );
        assert_eq!(pro.status, Status::Met);
        // the remaining 5/6 of P1 is 50 minutes after 10:00
        assert_eq!(m.deadline, local("2026-03-07 10:50"));
    }

    #[test]
    fn changes_before_creation_apply_at_creation_and_non_effective_ones_do_not_count() {
        let t = ticket(
            "Professional",
            1,
            "2026-03-02 10:00",
            Some("2026-03-02 12:00"),
        );
        let mut from_mismatch = change("2026-03-02 11:00", 2);
        from_mismatch.from = Some(3);
        let ch = [
            change("2026-03-01 10:00", 2),
            change("2026-03-02 10:30", 2),
            from_mismatch,
        ];
        let o = eval(&t, &ch, Mode::Restart, "2026-03-03 00:00");
        assert_eq!(o.effective, vec![(1, 2)]);
        assert_eq!(o.governing, 2);
        // restart from creation (the change applied there)
        assert_eq!(o.measure.unwrap().elapsed_s, 2 * H);
        assert_eq!(o.mismatches, vec![1]);
    }

    #[test]
    fn later_responses_and_changes_after_the_response_do_not_touch_the_sla() {
        let t = ticket(
            "Professional",
            1,
            "2026-03-02 10:00",
            Some("2026-03-02 12:00"),
        );
        // a downgrade after the response counts as a reclassification only
        let ch = [change("2026-03-02 12:30", 3)];
        let o = eval(&t, &ch, Mode::Current, "2026-03-03 00:00");
        assert_eq!((o.governing, o.effective.len()), (1, 1));
        // a response after as_of leaves the ticket open
        let o = eval(&t, &[], Mode::Current, "2026-03-02 11:00");
        assert_eq!((o.status, o.response), (Status::Open, None));
        assert_eq!(o.measure.unwrap().elapsed_s, H);
    }
    /// trace / cuts / segments / reclass give the same history as evaluate:
    /// the worked example's segments consume 1/2 and 7/12 of their budgets,
    /// summing to prorata's U = 13/12.
    #[test]
    fn trace_segments_and_reclass_agree_with_evaluate() {
        let p = policy();
        let c = clocks(&p);
        let t = ticket("Advanced", 1, "2026-03-02 09:00", Some("2026-03-02 13:00"));
        let mut same = change("2026-03-02 09:10", 1);
        same.from = Some(2);
        let mut late = change("2026-03-02 14:00", 2);
        late.by = crate::model::ChangedBy::Customer;
        let ch = [
            change("2026-03-01 12:00", 1),
            same,
            change("2026-03-02 09:30", 3),
            late,
        ];
        let as_of = local("2026-03-03 00:00");
        let mut sink = Collect::default();
        let o = evaluate_into(&t, &ch, &p, &c, Mode::Prorata, as_of, &mut sink);
        let (response, end) = end_of(&t, as_of);
        assert_eq!(response, response_by(&t, as_of));
        let steps = trace(&t, &ch, end);
        let kinds: Vec<StepKind> = steps.iter().map(|s| s.kind).collect();
        use StepKind::*;
        assert_eq!(kinds, [NotEffective, NotEffective, Cuts, AfterEnd]);
        assert!(steps[1].from_mismatch && !steps[0].from_mismatch);
        // a change dated before creation applies at creation
        assert_eq!(steps[0].at, t.created);
        let effective: Vec<(u32, u32)> = steps
            .iter()
            .filter(|s| s.kind != NotEffective)
            .map(|s| (s.from, s.to))
            .collect();
        assert_eq!(effective, sink.effective);
        assert_eq!(o.reclassifications, 2);
        let cuts = cuts(&t, &steps);
        assert_eq!(cuts, [(t.created, 1), (local("2026-03-02 09:30"), 3)]);
        let plan = &p.plans[t.plan()];
        let segs = segments(&cuts, end, |l| plan.targets.get(&l).copied(), &c);
        let used: Vec<(i64, i64)> = segs
            .iter()
            .map(|s| (s.clock_s, s.target.unwrap().within_s))
            .collect();
        assert_eq!(used, [(1800, H), (3 * H + 1800, 6 * H)]);
        let pr = prorata(&cuts, end, |l| plan.targets.get(&l).copied(), &c);
        assert_eq!(pr.used.to_string(), "13/12");
        assert!(matches!(pr.used, Share::Small(..)));
        let r = reclass(&t, &ch);
        assert_eq!((r.effective, r.downgrades, r.upgrades), (2, 1, 1));
        assert_eq!(r.by, [1, 1, 0]);
        assert_eq!(r.first_at, Some(local("2026-03-02 09:30")));
    }

    #[test]
    fn shares_display_reduced() {
        assert_eq!(Share::Small(1800, 3600).to_string(), "1/2");
        assert_eq!(Share::Small(26, 24).to_string(), "13/12");
        assert_eq!(Share::Small(0, 5).to_string(), "0");
        assert_eq!(Share::Small(7, 7).to_string(), "1");
        let big = |v: i128| BigInt::from(v) << 200;
        assert_eq!(Share::Big(big(26), big(24)).to_string(), "13/12");
        assert_eq!(
            Share::Big(big(3) + 1, big(1)).to_string(),
            format!("{}/{}", big(3) + 1, big(1))
        );
    }

    /// The case: four priorities with targets of ten years less
    /// 1, 2, 3 and 7 seconds; a ticket created 2026-01-01 goes P1 -> P2 ->
    /// P3 -> P4 a year apart and is answered 2030-12-01T00:00:07Z. The lcm
    /// of the targets times the elapsed seconds passed i128 and wrapped
    /// (elapsed_s -6689, a deadline in 2028).
    #[test]
    fn prorata_on_four_near_coprime_ten_year_targets_does_not_wrap() {
        let dir = "tests/fixtures/prorata_ten_year_targets";
        let p = Policy::from_toml(include_str!(
            "../tests/fixtures/prorata_ten_year_targets/policy.toml"
        ))
        .unwrap_or_else(|e| panic!("{dir}/policy.toml: {e}"));
        let c = Clocks::new(&p, (2025, 2036));
        let utc = |s: &str| timestamp::parse(s, InputZone::Utc).unwrap();
        let t = Ticket {
            id: 0,
            plan: p.find_plan("Decade").unwrap() as u16,
            excluded: false,
            submitted: 1,
            stage: 0,
            created: utc("2026-01-01T00:00:00Z"),
            response: Some(utc("2030-12-01T00:00:07Z")),
            group: 0,
            assignee: 0,
            organization: 0,
        };
        let ch: Vec<Change> = [("2027", 2), ("2028", 3), ("2029", 4)]
            .map(|(year, to)| Change {
                changed_at: utc(&format!("{year}-01-01T00:00:00Z")),
                ..change("2026-01-01 00:00", to)
            })
            .to_vec();
        let as_of = utc("2031-01-01T00:00:00Z");
        let o = evaluate(&t, &ch, &p, &c, Mode::Prorata, as_of);
        let m = o.measure.unwrap();
        assert_eq!(
            (o.governing, m.target_s, m.elapsed_s, o.status),
            (4, 315_359_993, 155_088_006, Status::Met)
        );
        assert_eq!(
            m.written_deadline().map(timestamp::format_utc).as_deref(),
            Some("2035-12-29T23:59:54Z")
        );
        // the sums needed big integers; the fast path saw the overflow
        let plan = &p.plans[t.plan()];
        let target_of = |l: u32| plan.targets.get(&l).copied();
        let (_, end) = end_of(&t, as_of);
        let cuts = cuts(&t, &trace(&t, &ch, end));
        assert!(matches!(
            prorata(&cuts, end, target_of, &c).used,
            Share::Big(..)
        ));
        assert!(prorata_in::<i128>(&cuts, end, &target_of, &c).is_none());
    }

    /// Prorata against a plain big-rational computation (a sum of reduced
    /// fractions, then ceil and floor), with more than 3 levels, odd-second
    /// targets and near-coprime ones close to `MAX_WITHIN_S`, on the
    /// embedded Bratislava business clock (DST, holidays) and on 24x7.
    mod props {
        use super::*;
        use crate::policy::MAX_WITHIN_S;
        use proptest::prelude::*;

        /// The embedded business clock, tabulated over every year the
        /// scenarios and their deadlines reach.
        fn long_clocks() -> &'static Clocks {
            static CLOCKS: std::sync::OnceLock<Clocks> = std::sync::OnceLock::new();
            CLOCKS.get_or_init(|| Clocks::new(&policy(), (2024, 2099)))
        }

        /// Ten years less up to 40 seconds (neighbours are near coprime),
        /// any odd number of seconds, or a few odd hours and seconds; on
        /// either clock; now and then none.
        fn target() -> impl Strategy<Value = Option<Target>> {
            let within = prop_oneof![
                (0i64..40).prop_map(|k| MAX_WITHIN_S - k),
                (0i64..MAX_WITHIN_S / 2).prop_map(|k| 2 * k + 1),
                (0i64..100 * 3600).prop_map(|k| 2 * k + 1),
            ];
            let clock = prop::sample::select(vec![ClockKind::Business, ClockKind::TwentyFourSeven]);
            prop::option::weighted(
                0.9,
                (within, clock).prop_map(|(within_s, clock)| Target { within_s, clock }),
            )
        }

        /// Levels 1..=n with their targets (n from 4 to 8), a creation in
        /// 2025-2026, and segments (duration up to two years, at odd
        /// seconds too; level) whose consecutive levels differ.
        fn scenario() -> impl Strategy<Value = (Vec<Option<Target>>, i64, Vec<(i64, u32)>)> {
            prop::collection::vec(target(), 4..=8).prop_flat_map(|targets| {
                let n = targets.len() as u32;
                (
                    Just(targets),
                    1_735_689_600i64..1_798_761_600,
                    0..n,
                    prop::collection::vec(
                        (prop_oneof![0i64..86_400, 0i64..2 * 365 * 86_400], 1..n),
                        1..=10,
                    ),
                )
                    .prop_map(move |(targets, created, first, steps)| {
                        let mut level = first;
                        let segs = steps
                            .into_iter()
                            .map(|(len, step)| {
                                let seg = (len, level + 1);
                                level = (level + step) % n;
                                seg
                            })
                            .collect();
                        (targets, created, segs)
                    })
            })
        }

        fn big_gcd(mut a: BigInt, mut b: BigInt) -> BigInt {
            while b != BigInt::ZERO {
                let r = &a % &b;
                (a, b) = (b, r);
            }
            a
        }

        /// What prorata must give, on big rationals: (U reduced as text,
        /// ceil(U * T_g), U > 1, the deadline).
        fn reference(
            cuts: &[(i64, u32)],
            end: i64,
            target_of: impl Fn(u32) -> Option<Target>,
            clocks: &Clocks,
        ) -> (String, i64, bool, i64) {
            let big = |v: i64| BigInt::from(v);
            // floor((1 - n / d) * t)
            let left = |(n, d): &(BigInt, BigInt), t: i64| -> i64 {
                i64::try_from((d - n) * big(t) / d).unwrap()
            };
            let (mut u, mut before) = ((big(0), big(1)), (big(0), big(1)));
            let mut deadline = None;
            for (i, &(t_i, p_i)) in cuts.iter().enumerate() {
                let t_next = cuts.get(i + 1).map_or(end, |c| c.0);
                before = u.clone();
                let Some(target) = target_of(p_i) else {
                    continue;
                };
                let e = clocks.elapsed(target.clock, t_i, t_next);
                let (n, d) = (
                    &u.0 * big(target.within_s) + big(e) * &u.1,
                    &u.1 * big(target.within_s),
                );
                let g = big_gcd(n.clone(), d.clone());
                u = (n / &g, d / &g);
                if deadline.is_none() && u.0 >= u.1 {
                    deadline = Some(clocks.add(target.clock, t_i, left(&before, target.within_s)));
                }
            }
            let &(t_k, p_k) = cuts.last().unwrap();
            let t_g = target_of(p_k).unwrap();
            let deadline =
                deadline.unwrap_or_else(|| clocks.add(t_g.clock, t_k, left(&before, t_g.within_s)));
            let scaled = &u.0 * big(t_g.within_s);
            let elapsed = (&scaled + &u.1 - 1) / &u.1;
            let text = if u.1 == big(1) {
                u.0.to_string()
            } else {
                format!("{}/{}", u.0, u.1)
            };
            (text, i64::try_from(elapsed).unwrap(), u.0 > u.1, deadline)
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]

            #[test]
            fn prorata_is_exact_whatever_the_targets(
                (targets, created, segs) in scenario(),
                answered in prop::bool::weighted(0.7),
            ) {
                let clocks = long_clocks();
                let mut p = policy();
                let levels = 1..=targets.len() as u32;
                p.priorities = levels.map(|l| (l, format!("L{l}"))).collect();
                let plan = p.find_plan("Professional").unwrap();
                p.plans[plan].targets = targets
                    .iter()
                    .zip(1u32..)
                    .filter_map(|(t, l)| t.map(|t| (l, t)))
                    .collect();
                let target_of = |l: u32| targets[l as usize - 1];

                // the segments as a ticket and its changes
                let mut at = created;
                let mut cuts = Vec::new();
                for &(len, level) in &segs {
                    cuts.push((at, level));
                    at += len;
                }
                let end = at;
                let ticket = Ticket {
                    id: 0,
                    plan: plan as u16,
                    excluded: false,
                    submitted: cuts[0].1,
                    stage: 0,
                    created,
                    response: answered.then_some(end),
                    group: 0,
                    assignee: 0,
                    organization: 0,
                };
                let changes: Vec<Change> = cuts[1..]
                    .iter()
                    .map(|&(changed_at, to)| Change {
                        changed_at,
                        ..change("2026-01-01 00:00", to)
                    })
                    .collect();
                let o = evaluate(&ticket, &changes, &p, clocks, Mode::Prorata, end);
                let Some(t_g) = target_of(cuts[cuts.len() - 1].1) else {
                    prop_assert_eq!(o.status, Status::NoTarget);
                    return Ok(());
                };

                let (u, elapsed, over, deadline) = reference(&cuts, end, target_of, clocks);
                let expected = (u, elapsed, over, deadline);
                let got = |pr: Prorata| (pr.used.to_string(), pr.elapsed_s, pr.over, pr.deadline);
                // i128 where it fits, else big integers; and big integers
                // also where i128 would do
                let pr = prorata(&cuts, end, target_of, clocks);
                prop_assert_eq!(got(pr), expected.clone());
                let big = prorata_in::<BigInt>(&cuts, end, &target_of, clocks).unwrap();
                prop_assert_eq!(got(big), expected);

                let m = o.measure.unwrap();
                prop_assert_eq!((o.governing, m.clock), (cuts[cuts.len() - 1].1, t_g.clock));
                prop_assert_eq!(
                    (i64::from(m.target_s), m.elapsed_s, m.deadline),
                    (t_g.within_s, elapsed, deadline)
                );
                // met <=> elapsed_s <= target_s (<=> U <= 1)
                let within = m.elapsed_s <= i64::from(m.target_s);
                prop_assert_eq!(within, !over);
                prop_assert_eq!(o.status == Status::Met, answered && within);
                let status = match (answered, over) {
                    (true, false) => Status::Met,
                    (true, true) => Status::Breached,
                    (false, false) => Status::Open,
                    (false, true) => Status::OpenBreached,
                };
                prop_assert_eq!(o.status, status);
            }
        }
    }
}
