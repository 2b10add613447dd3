//! Zendesk Support's shape (EXPORTS.md section 3): the ticket export CSV
//! with the account's offsetless wall times in [`ZONE`] and the first reply
//! in whole minutes, `customers.csv` for the plans, and the history as
//! Fivetran's `ticket_field_history` table: one row per field change, UTC,
//! new value only; the priority at creation, status and assignee rows
//! among the priority changes.

use std::io::{self, Write};

use super::shape::{wall, People, Queue, Shape, Ticket, AGENTS, ORGANIZATIONS};
use super::text::{push_field, push_num, push_plain, Sink};
use super::{PrioText, STAGE_TEXT};

const TICKETS_HEADER: &str = "Id,Status,Priority,Organization,Group,Assignee,Via,Ticket type,\
Created at,Updated at,First reply time in minutes,\
First reply time in minutes within business hours,Product stage [list]\n";
const HISTORY_HEADER: &str = "field_name,ticket_id,updated,user_id,value,_fivetran_synced\n";

const VIA: [&str; 5] = ["Web form", "Email", "Email", "Chat", "API"];
const TYPE: [&str; 4] = ["Incident", "Question", "Problem", "Task"];

pub(super) struct Zendesk<W: Write> {
    tickets: Sink<W>,
    history: Sink<W>,
    seed: u64,
    end: i64,
    /// `_fivetran_synced` of every row: the sync after the period.
    synced: Vec<u8>,
    history_rows: usize,
}

/// A queued `ticket_field_history` row.
pub(super) struct Row {
    ticket: u64,
    field: &'static str,
    value: Value,
    user: u64,
}

enum Value {
    Word(&'static str),
    Number(u64),
}

/// The user id of whoever made change `by` (index into `CHANGED_BY`).
pub(super) fn user_id(p: &People, by: u8) -> u64 {
    match p.changer(by) {
        Some(agent) => agent_id(agent),
        None => requester_id(p),
    }
}

fn agent_id(agent: usize) -> u64 {
    364_100_000_101 + agent as u64
}

fn requester_id(p: &People) -> u64 {
    365_000_000_000 + p.org as u64 * 1_000 + p.requester
}

/// The priority field's values (priority 3 is `normal`, or `low` on some
/// tickets: both are 3 in the profile).
fn word(priority: u8, low: bool) -> &'static str {
    match priority {
        1 => "urgent",
        2 => "high",
        _ if low => "low",
        _ => "normal",
    }
}

/// Whether Zendesk knows a submitted priority: an empty one was submitted
/// without (the policy default), with no history row at creation.
pub(super) fn submitted(t: &Ticket) -> Option<u8> {
    (t.submitted_text != PrioText::Empty).then_some(t.submitted)
}

impl<W: Write> Zendesk<W> {
    pub fn new([tickets, customers, history]: [W; 3], seed: u64, end: i64) -> io::Result<Self> {
        let mut customers = Sink::new(customers);
        customers.buf = super::shape::customers_csv();
        customers.finish()?;
        let (mut tickets, mut history) = (Sink::new(tickets), Sink::new(history));
        tickets.buf.extend_from_slice(TICKETS_HEADER.as_bytes());
        history.buf.extend_from_slice(HISTORY_HEADER.as_bytes());
        let mut synced = Vec::new();
        push_plain(&mut synced, end + 3 * 3600 + 17 * 60);
        Ok(Zendesk {
            tickets,
            history,
            seed,
            end,
            synced,
            history_rows: 0,
        })
    }
}

impl<W: Write> Shape for Zendesk<W> {
    type Event = Row;

    fn ticket(&mut self, t: &Ticket, queue: &mut Queue<Row>) -> io::Result<()> {
        let p = People::of(self.seed, t);
        let low = p.pick(4, 1) == 0;
        let agent = &AGENTS[p.agent];
        let solved = p.solved(t.response, self.end);
        let now = t.priority_now();
        let history_known = submitted(t).is_some() || !t.changes.is_empty();

        let b = &mut self.tickets.buf;
        push_num(b, t.index);
        b.push(b',');
        b.extend_from_slice(match (solved, t.response) {
            (Some(_), _) => b"Solved",
            (None, Some(_)) => b"Open",
            (None, None) => b"New",
        });
        b.push(b',');
        if history_known {
            let w = word(now, low).as_bytes();
            b.push(w[0].to_ascii_uppercase());
            b.extend_from_slice(&w[1..]);
        } else {
            b.push(b'-');
        }
        b.push(b',');
        push_field(b, ORGANIZATIONS[p.org].name);
        b.push(b',');
        push_field(b, agent.group);
        b.push(b',');
        if t.response.is_some() {
            push_field(b, agent.name);
        }
        b.push(b',');
        b.extend_from_slice(VIA[p.pick(VIA.len(), 2)].as_bytes());
        b.push(b',');
        b.extend_from_slice(TYPE[p.pick(TYPE.len(), 3)].as_bytes());
        b.push(b',');
        push_plain(b, wall(t.created));
        b.push(b',');
        push_plain(b, wall(solved.or(t.response).unwrap_or(t.created)));
        b.push(b',');
        if let Some(r) = t.response {
            push_num(b, ((r - t.created) / 60) as u64);
        }
        b.push(b',');
        if let Some(w) = t.work_s {
            push_num(b, w / 60);
        }
        b.push(b',');
        b.extend_from_slice(STAGE_TEXT[t.stage].as_bytes());
        b.push(b'\n');
        self.tickets.maybe_flush()?;

        let row = |field, value, user| Row {
            ticket: t.index,
            field,
            value,
            user,
        };
        let requester = requester_id(&p);
        if let Some(s) = submitted(t) {
            queue.push(
                t.created,
                row("priority", Value::Word(word(s, low)), requester),
            );
        }
        queue.push(t.created, row("status", Value::Word("new"), requester));
        for c in t.changes {
            let value = Value::Word(word(c.to, low));
            queue.push(c.at, row("priority", value, user_id(&p, c.by)));
        }
        if let Some(r) = t.response {
            let id = agent_id(p.agent);
            queue.push(r, row("assignee_id", Value::Number(id), id));
            queue.push(r, row("status", Value::Word("open"), id));
        }
        if let Some(s) = solved {
            queue.push(s, row("status", Value::Word("solved"), agent_id(p.agent)));
        }
        Ok(())
    }

    fn event(&mut self, at: i64, row: Row) -> io::Result<()> {
        let b = &mut self.history.buf;
        b.extend_from_slice(row.field.as_bytes());
        b.push(b',');
        push_num(b, row.ticket);
        b.push(b',');
        push_plain(b, at);
        b.push(b',');
        push_num(b, row.user);
        b.push(b',');
        match row.value {
            Value::Word(w) => b.extend_from_slice(w.as_bytes()),
            Value::Number(n) => push_num(b, n),
        }
        b.push(b',');
        b.extend_from_slice(&self.synced);
        b.push(b'\n');
        self.history_rows += 1;
        self.history.maybe_flush()
    }

    fn records(&self) -> usize {
        self.history_rows
    }

    fn finish(self) -> io::Result<()> {
        self.tickets.finish()?;
        self.history.finish()
    }
}
