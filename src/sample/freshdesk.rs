//! Freshdesk's shape (EXPORTS.md section 4): the ticket export CSV with the
//! helpdesk's offsetless wall times in [`ZONE`], `customers.csv` for the
//! plans, and the ticket-activities export `{"activities_data":[...]}`
//! (one activity a line): the new ticket with its priority, priority
//! changes as numbers (4 Urgent .. 1 Low; sometimes the name), replies and
//! status changes among them.

use std::io::{self, Write};

use super::shape::{wall, People, Queue, Shape, Ticket, AGENTS, ORGANIZATIONS};
use super::text::{push_dmy_utc, push_field, push_num, push_plain, Sink};
use super::STAGE_TEXT;

const TICKETS_HEADER: &str = "Ticket ID,Status,Priority,Source,Type,Agent,Group,Created time,\
Resolved time,Last updated time,Initial response time,First response time (in hrs),\
Company Name,Product stage\n";

const SOURCE: [&str; 4] = ["Email", "Portal", "Email", "Phone"];
const TYPE: [&str; 4] = ["Incident", "Question", "Problem", "Feature Request"];

pub(super) struct Freshdesk<W: Write> {
    tickets: Sink<W>,
    activities: Sink<W>,
    seed: u64,
    end: i64,
    activities_written: usize,
}

/// A queued activity.
pub(super) struct Activity {
    ticket: u64,
    performer: (&'static str, u64),
    what: What,
}

enum What {
    New { priority: u8, source: &'static str },
    Priority { number: u8, named: bool },
    Reply { note: u64 },
    Resolved,
}

/// `performer_type` and `performer_id` of whoever made change `by` (index
/// into `CHANGED_BY`).
pub(super) fn performer(p: &People, by: u8) -> (&'static str, u64) {
    match p.changer(by) {
        Some(agent) => agent_performer(agent),
        None => ("user", 81_000_000_000 + p.org as u64 * 1_000 + p.requester),
    }
}

fn agent_performer(agent: usize) -> (&'static str, u64) {
    ("agent", 80_000_000_001 + agent as u64)
}

/// Freshdesk's number of a priority (note the direction), with Medium or,
/// on some tickets, Low for 3.
fn number(priority: u8, low: bool) -> u8 {
    match priority {
        1 => 4,
        2 => 3,
        _ if low => 1,
        _ => 2,
    }
}

fn name(number: u8) -> &'static str {
    ["Low", "Medium", "High", "Urgent"][usize::from(number.clamp(1, 4) - 1)]
}

/// Every Freshdesk ticket has a priority: one submitted without is the
/// default, 3.
pub(super) fn submitted(t: &Ticket) -> Option<u8> {
    Some(t.submitted)
}

impl<W: Write> Freshdesk<W> {
    pub fn new([tickets, customers, activities]: [W; 3], seed: u64, end: i64) -> io::Result<Self> {
        let mut customers = Sink::new(customers);
        customers.buf = super::shape::customers_csv();
        customers.finish()?;
        let (mut tickets, mut activities) = (Sink::new(tickets), Sink::new(activities));
        tickets.buf.extend_from_slice(TICKETS_HEADER.as_bytes());
        activities.buf.extend_from_slice(b"{\"activities_data\":[");
        Ok(Freshdesk {
            tickets,
            activities,
            seed,
            end,
            activities_written: 0,
        })
    }
}

impl<W: Write> Shape for Freshdesk<W> {
    type Event = Activity;

    fn ticket(&mut self, t: &Ticket, queue: &mut Queue<Activity>) -> io::Result<()> {
        let p = People::of(self.seed, t);
        let low = p.pick(4, 1) == 0;
        let agent = &AGENTS[p.agent];
        let solved = p.solved(t.response, self.end);
        let source = SOURCE[p.pick(SOURCE.len(), 2)];

        let b = &mut self.tickets.buf;
        push_num(b, t.index);
        b.push(b',');
        b.extend_from_slice(match (solved, t.response) {
            (Some(_), _) => b"Resolved",
            (None, Some(_)) => b"Pending",
            (None, None) => b"Open",
        });
        b.push(b',');
        b.extend_from_slice(name(number(t.priority_now(), low)).as_bytes());
        b.push(b',');
        b.extend_from_slice(source.as_bytes());
        b.push(b',');
        b.extend_from_slice(TYPE[p.pick(TYPE.len(), 3)].as_bytes());
        b.push(b',');
        if t.response.is_some() {
            push_field(b, agent.name);
        }
        b.push(b',');
        push_field(b, agent.group);
        b.push(b',');
        push_plain(b, wall(t.created));
        b.push(b',');
        if let Some(s) = solved {
            push_plain(b, wall(s));
        }
        b.push(b',');
        push_plain(b, wall(solved.or(t.response).unwrap_or(t.created)));
        b.push(b',');
        if let Some(r) = t.response {
            push_plain(b, wall(r));
        }
        b.push(b',');
        if let Some(w) = t.work_s {
            // hundredths of an hour, as Freshdesk writes its own figure
            let h = w / 36;
            push_num(b, h / 100);
            b.push(b'.');
            b.extend_from_slice(&[b'0' + (h / 10 % 10) as u8, b'0' + (h % 10) as u8]);
        }
        b.push(b',');
        push_field(b, ORGANIZATIONS[p.org].name);
        b.push(b',');
        b.extend_from_slice(STAGE_TEXT[t.stage].as_bytes());
        b.push(b'\n');
        self.tickets.maybe_flush()?;

        let activity = |performer, what| Activity {
            ticket: t.index,
            performer,
            what,
        };
        let priority = submitted(t).unwrap_or(3);
        let new = What::New {
            priority: number(priority, low),
            source,
        };
        queue.push(t.created, activity(performer(&p, super::CUSTOMER), new));
        for (k, c) in t.changes.iter().enumerate() {
            let what = What::Priority {
                number: number(c.to, low),
                named: p.pick(10, 4 + k as u32) == 0,
            };
            queue.push(c.at, activity(performer(&p, c.by), what));
        }
        let by_agent = agent_performer(p.agent);
        if let Some(r) = t.response {
            let note = 90_000_000_000 + t.index * 2;
            queue.push(r, activity(by_agent, What::Reply { note }));
        }
        if let Some(s) = solved {
            queue.push(s, activity(by_agent, What::Resolved));
        }
        Ok(())
    }

    fn event(&mut self, at: i64, a: Activity) -> io::Result<()> {
        let b = &mut self.activities.buf;
        if self.activities_written > 0 {
            b.push(b',');
        }
        b.extend_from_slice(b"\n{\"performer_id\":");
        push_num(b, a.performer.1);
        b.extend_from_slice(b",\"ticket_id\":");
        push_num(b, a.ticket);
        b.extend_from_slice(b",\"performed_at\":\"");
        push_dmy_utc(b, at);
        b.extend_from_slice(b"\",\"performer_type\":\"");
        b.extend_from_slice(a.performer.0.as_bytes());
        b.extend_from_slice(b"\",\"activity\":{");
        match a.what {
            What::New { priority, source } => {
                b.extend_from_slice(b"\"new_ticket\":true,\"status\":\"Open\",\"priority\":");
                push_num(b, u64::from(priority));
                b.extend_from_slice(b",\"source\":\"");
                b.extend_from_slice(source.as_bytes());
                b.push(b'"');
            }
            What::Priority { number, named } => {
                b.extend_from_slice(b"\"priority\":");
                if named {
                    b.push(b'"');
                    b.extend_from_slice(name(number).as_bytes());
                    b.push(b'"');
                } else {
                    push_num(b, u64::from(number));
                }
            }
            What::Reply { note } => {
                b.extend_from_slice(b"\"note\":{\"id\":");
                push_num(b, note);
                b.extend_from_slice(b",\"type\":\"public\"},\"status\":\"Pending\"");
            }
            What::Resolved => b.extend_from_slice(b"\"status\":\"Resolved\""),
        }
        b.extend_from_slice(b"}}");
        self.activities_written += 1;
        self.activities.maybe_flush()
    }

    fn records(&self) -> usize {
        self.activities_written
    }

    fn finish(mut self) -> io::Result<()> {
        self.activities.buf.extend_from_slice(b"\n]}\n");
        self.tickets.finish()?;
        self.activities.finish()
    }
}
