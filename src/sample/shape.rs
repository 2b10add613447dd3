//! What every output shape of `sample` shares: the generated ticket as the
//! shapes see it, how its instants are fitted to what a shape can write,
//! the time-ordered queue of history records, and the helpdesk's people
//! (organizations, agents, requesters), which the generator itself does not
//! draw.
//!
//! The shape-only choices (organization, agent, channel, ...) come from a
//! hash of the seed and the ticket number, never from the generator's random
//! stream: the same seed gives the same tickets and changes in every shape.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::io;

use chrono_tz::Europe::Stockholm;
use chrono_tz::Tz;

use super::PrioText;
use crate::model::local_time;

/// The zone of the helpdesks' offsetless times (the account's zone).
pub(super) const ZONE: Tz = Stockholm;
pub(super) const ZONE_NAME: &str = "Europe/Stockholm";

/// One generated ticket, its instants fitted to the shape.
pub(super) struct Ticket<'a> {
    /// 1-based, in creation order.
    pub index: u64,
    pub created: i64,
    pub response: Option<i64>,
    /// Full-capacity agent working seconds from creation to the response
    /// (what a helpdesk's "within business hours" figure approximates).
    pub work_s: Option<u64>,
    /// 0 Basic, 1 Professional, 2 Advanced.
    pub plan: usize,
    /// Index into `PLAN_TEXT` (the native spelling).
    pub plan_text: usize,
    /// The submitted priority (1..3) and how the native file writes it
    /// (`Empty`: the policy default, 3).
    pub submitted: u8,
    pub submitted_text: PrioText,
    /// Index into `STAGE_TEXT`.
    pub stage: usize,
    /// The changes in time order, all after creation and before the period
    /// end.
    pub changes: &'a [Change],
}

impl Ticket<'_> {
    /// The priority at the end of the history: what a helpdesk exports as
    /// the ticket's priority (EXPORTS.md rule 2).
    pub fn priority_now(&self) -> u8 {
        self.changes.last().map_or(self.submitted, |c| c.to)
    }
}

/// A generated priority change.
#[derive(Clone, Copy)]
pub(super) struct Change {
    pub at: i64,
    pub to: u8,
    /// The native file's spellings (`from` may be empty or, rarely, wrong).
    pub from_text: PrioText,
    pub to_text: PrioText,
    /// Index into `CHANGED_BY`.
    pub by: u8,
}

/// How the generated instants become instants a shape can write exactly.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Fit {
    /// UTC with seconds: everything as generated.
    Exact,
    /// Offsetless wall times in [`ZONE`] (a time in the repeated autumn hour
    /// reads as its first occurrence, CONTRACT.md section 3); the first
    /// response as whole minutes after creation when `minutes`. History
    /// rows at or before creation would be the submitted priority, not a
    /// change (EXPORTS.md rule 2), so a change at creation moves one second
    /// later.
    Wall { minutes: bool },
}

impl Fit {
    pub fn created(self, t: i64) -> i64 {
        match self {
            Fit::Exact => t,
            Fit::Wall { .. } => read_back(t),
        }
    }

    /// The response `r` to a ticket created at `created`, read back as
    /// `fitted` (from [`Fit::created`]).
    pub fn response(self, created: i64, fitted: i64, r: i64) -> i64 {
        match self {
            Fit::Exact => r,
            // whole minutes, a started minute counting as one: a reply is
            // never earlier in the export than it was
            Fit::Wall { minutes: true } => fitted + (r - created + 59).div_euclid(60) * 60,
            Fit::Wall { minutes: false } => read_back(r).max(fitted),
        }
    }

    pub fn change(self, fitted_created: i64, at: i64) -> i64 {
        match self {
            Fit::Exact => at,
            Fit::Wall { .. } => at.max(fitted_created + 1),
        }
    }
}

/// The instant that the offsetless wall time of `t` in [`ZONE`] is read as.
fn read_back(t: i64) -> i64 {
    local_time::to_local(ZONE, t).map_or(t, |l| local_time::resolve(ZONE, l.naive_local()))
}

/// The wall time of `t` in [`ZONE`], as seconds on a UTC-like scale.
pub(super) fn wall(t: i64) -> i64 {
    t + i64::from(local_time::offset_secs(ZONE, t))
}

/// A writer of one shape's files.
pub(super) trait Shape {
    /// A history record waiting for its turn in time order.
    type Event;
    /// Writes the ticket's row and queues its history records.
    fn ticket(&mut self, t: &Ticket, queue: &mut Queue<Self::Event>) -> io::Result<()>;
    /// Writes a queued history record; they come in time order (ties in
    /// the order they were queued).
    fn event(&mut self, at: i64, event: Self::Event) -> io::Result<()>;
    /// History records written so far.
    fn records(&self) -> usize;
    /// Writes what remains and flushes every file.
    fn finish(self) -> io::Result<()>;
}

/// History records ordered by (instant, order queued).
pub(super) struct Queue<E> {
    heap: BinaryHeap<Reverse<Queued<E>>>,
    seq: u64,
}

struct Queued<E> {
    at: i64,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Queued<E> {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}
impl<E> Eq for Queued<E> {}
impl<E> PartialOrd for Queued<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Queued<E> {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.at, self.seq).cmp(&(other.at, other.seq))
    }
}

impl<E> Queue<E> {
    pub fn new() -> Queue<E> {
        Queue {
            heap: BinaryHeap::new(),
            seq: 0,
        }
    }

    pub fn push(&mut self, at: i64, event: E) {
        self.seq += 1;
        self.heap.push(Reverse(Queued {
            at,
            seq: self.seq,
            event,
        }));
    }

    /// The next record dated at or before `t`.
    pub fn pop_until(&mut self, t: i64) -> Option<(i64, E)> {
        if self.heap.peek().is_some_and(|q| q.0.at <= t) {
            let Reverse(q) = self.heap.pop().expect("peeked");
            Some((q.at, q.event))
        } else {
            None
        }
    }
}

/// A customer organization: its name, its plan as `customers.csv` writes
/// it, and its relative size (how many tickets it sends).
pub(super) struct Organization {
    pub name: &'static str,
    pub plan: usize,
    pub plan_text: &'static str,
    pub weight: u64,
}

const fn org(
    name: &'static str,
    plan: usize,
    plan_text: &'static str,
    weight: u64,
) -> Organization {
    Organization {
        name,
        plan,
        plan_text,
        weight,
    }
}

/// The customers, grouped by plan, each on one plan: a few large ones and
/// many small ones, as a vendor's book of customers looks (a comma and
/// non-ASCII letters in some names, a lowercase plan and the policy's alias
/// `Profesional`, as real customer lists have).
pub(super) const ORGANIZATIONS: [Organization; 40] = [
    org("Åre Bygg AB", 0, "Basic", 2),
    org("Lindqvist & Söner", 0, "Basic", 1),
    org("Fjällbacka Fisk AB", 0, "basic", 1),
    org("Kaffebaren i Lund", 0, "Basic", 1),
    org("Nordic Retail, AB", 0, "Basic", 12),
    org("Tatra Tours s.r.o.", 0, "Basic", 2),
    org("Pekáreň Horáková", 0, "Basic", 1),
    org("Visby Vandrarhem", 0, "Basic", 1),
    org("Žilina Auto s.r.o.", 0, "Basic", 3),
    org("Norrlands Skog AB", 0, "Basic", 2),
    org("Kovač s.r.o.", 1, "Professional", 2),
    org("Mälardalens Energi AB", 1, "Professional", 14),
    org("Dunaj Logistics a.s.", 1, "Professional", 4),
    org("Göta Resor AB", 1, "Profesional", 3),
    org("Vltava Software s.r.o.", 1, "Professional", 2),
    org("Skånska Mejerier AB", 1, "professional", 2),
    org("Baltic Freight OÜ", 1, "Professional", 3),
    org("Helsinki Apps Oy", 1, "Professional", 1),
    org("Orava Media s.r.o.", 1, "Professional", 1),
    org("Västerås Verkstad AB", 1, "Professional", 2),
    org("Košice Steel Services a.s.", 1, "Professional", 6),
    org("Gävle Hamnlogistik AB", 1, "Professional", 1),
    org("Brno Analytics s.r.o.", 1, "Professional", 1),
    org("Jönköping Bokförlag AB", 1, "Professional", 1),
    org("Tampere Robotics Oy", 1, "Professional", 2),
    org("Kiruna Mining Systems AB", 2, "Advanced", 10),
    org("Bratislava Clearing a.s.", 2, "Advanced", 4),
    org("Slovnet Telecom a.s.", 2, "Advanced", 8),
    org("Öresund Health AB", 2, "Advanced", 3),
    org("Carpathia Payments a.s.", 2, "Advanced", 2),
    org("Uppsala Labs AB", 2, "Advanced", 1),
    org("Danube Energy Trading", 2, "Advanced", 2),
    org("Malmö Hamn Data AB", 2, "ADVANCED", 1),
    org("Luleå Kraftnät AB", 2, "Advanced", 2),
    org("Nitra Insurance a.s.", 2, "Advanced", 1),
    org("Tallinn Ledger AS", 2, "Advanced", 1),
    org("Riga Transit SIA", 2, "Advanced", 1),
    org("Sundsvall Sjukvård AB", 2, "Advanced", 1),
    org("Trenčín Cloud s.r.o.", 2, "Advanced", 1),
    org("Örebro Försäkring AB", 2, "Advanced", 1),
];

/// An agent: the name the exports show, the group, and the login the
/// native sample's `changed_by` uses (`None`: not among them).
pub(super) struct Agent {
    pub name: &'static str,
    pub group: &'static str,
}

/// The native `CHANGED_BY` names 2.. are agents 0..; two more agents
/// answer tickets but never appear there.
pub(super) const AGENTS: [Agent; 8] = [
    Agent {
        name: "Ján Novák",
        group: "Tier 2",
    },
    Agent {
        name: "Mária Kováčová",
        group: "Tier 1",
    },
    Agent {
        name: "Peter Horváth",
        group: "Tier 2",
    },
    Agent {
        name: "Zuzana Tóthová",
        group: "Tier 1",
    },
    Agent {
        name: "Ladislav Varga",
        group: "Billing",
    },
    Agent {
        name: "Eva Balážová",
        group: "Tier 1",
    },
    Agent {
        name: "Anna Berg",
        group: "Tier 1",
    },
    Agent {
        name: "Erik Lund",
        group: "Tier 2",
    },
];

/// The shape-only facts of one ticket.
pub(super) struct People {
    /// Index into [`ORGANIZATIONS`].
    pub org: usize,
    /// Index into [`AGENTS`]: the assignee (once answered) and the group.
    pub agent: usize,
    /// The requester among the organization's users (0..40).
    pub requester: u64,
    /// Further draws for the shape (channel, type, solve delay).
    pub extra: u64,
}

impl People {
    pub fn of(seed: u64, t: &Ticket) -> People {
        let h = mix(seed ^ mix(t.index));
        People {
            org: organization_of(t.plan, h),
            agent: ((h >> 16) % AGENTS.len() as u64) as usize,
            requester: (h >> 24) % 40,
            extra: mix(h),
        }
    }

    /// The agent who made a change `by` (index into `CHANGED_BY`): the
    /// assignee for the generic `agent`, a named one, or `None` for the
    /// customer.
    pub fn changer(&self, by: u8) -> Option<usize> {
        match by {
            super::AGENT => Some(self.agent),
            super::CUSTOMER => None,
            named => Some(named as usize - 2),
        }
    }

    /// When a ticket is solved: some time after its first response, when
    /// that is before the sample's `end`.
    pub fn solved(&self, response: Option<i64>, end: i64) -> Option<i64> {
        response
            .map(|r| r + 600 + (self.extra % (3 * 86_400)) as i64)
            .filter(|&s| s < end)
    }

    /// One of `n` choices, independent of the other draws.
    pub fn pick(&self, n: usize, salt: u32) -> usize {
        (mix(self.extra ^ u64::from(salt)) % n as u64) as usize
    }
}

/// The organization of a ticket of `plan`: drawn by `h` among that plan's
/// customers in proportion to their weights.
fn organization_of(plan: usize, h: u64) -> usize {
    let of_plan = || {
        ORGANIZATIONS
            .iter()
            .enumerate()
            .filter(|(_, o)| o.plan == plan)
    };
    let total: u64 = of_plan().map(|(_, o)| o.weight).sum();
    let mut draw = h % total.max(1);
    for (i, o) in of_plan() {
        if draw < o.weight {
            return i;
        }
        draw -= o.weight;
    }
    0
}

/// SplitMix64's finaliser.
pub(super) fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// `customers.csv`: `organization,plan`.
pub(super) fn customers_csv() -> Vec<u8> {
    let mut b = b"organization,plan\n".to_vec();
    for o in &ORGANIZATIONS {
        super::text::push_field(&mut b, o.name);
        b.push(b',');
        b.extend_from_slice(o.plan_text.as_bytes());
        b.push(b'\n');
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> i64 {
        crate::timestamp::parse(s, crate::timestamp::InputZone::Utc).unwrap()
    }

    #[test]
    fn a_time_in_the_repeated_autumn_hour_is_read_back_as_its_first_occurrence() {
        // 2026-10-25: 03:00 CEST -> 02:00 CET in Stockholm
        let first = utc("2026-10-25T00:30:00Z"); // 02:30 CEST
        let second = utc("2026-10-25T01:30:00Z"); // 02:30 CET
        let fit = Fit::Wall { minutes: false };
        assert_eq!(fit.created(first), first);
        assert_eq!(fit.created(second), first);
        assert_eq!(fit.created(second + 3600), second + 3600);
        // a response read back before its ticket is at its creation
        assert_eq!(
            fit.response(first + 1200, first + 1200, second),
            first + 1200
        );
        assert_eq!(Fit::Exact.created(second), second);
    }

    #[test]
    fn zendesk_counts_whole_minutes_from_the_read_back_creation() {
        let c = utc("2026-03-02T08:15:10Z");
        let fit = Fit::Wall { minutes: true };
        assert_eq!(fit.response(c, c, c + 1), c + 60);
        assert_eq!(fit.response(c, c, c + 59), c + 60);
        assert_eq!(fit.response(c, c, c + 60), c + 60);
        assert_eq!(fit.response(c, c, c + 61), c + 120);
        assert_eq!(fit.response(c, c - 3600, c + 90), c - 3600 + 120);
    }

    #[test]
    fn a_change_at_creation_moves_after_it_in_the_helpdesk_shapes() {
        let fit = Fit::Wall { minutes: true };
        assert_eq!(fit.change(100, 100), 101);
        assert_eq!(fit.change(100, 250), 250);
        assert_eq!(Fit::Exact.change(100, 100), 100);
    }

    #[test]
    fn every_plan_has_organizations_and_customers_csv_quotes_a_comma() {
        for plan in 0..3 {
            assert!(ORGANIZATIONS.iter().any(|o| o.plan == plan));
        }
        let text = String::from_utf8(customers_csv()).unwrap();
        assert!(text.contains("\"Nordic Retail, AB\",Basic\n"), "{text}");
    }
}
