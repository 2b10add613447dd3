//! The contract's own columns (CONTRACT.md section 3): `tickets.csv` and
//! `priority_changes.csv`, as `sample` has always written them, or the
//! native twin of a helpdesk sample: the same tickets as the helpdesk's
//! files tell them (its ids, its people, no `from_priority`), so that both
//! must give the same report.

use std::io::{self, Write};

use super::shape::{Queue, Shape, Ticket, ORGANIZATIONS};
use super::text::{push_field, push_id, push_num, Sink, TsFmt};
use super::{freshdesk, priority_text, zendesk, Helpdesk, PrioText, CHANGED_BY, PLAN_TEXT};
use super::{shape::People, STAGE_TEXT};

pub(super) const TICKETS_HEADER: &str =
    "ticket_id,created_at,first_response_at,plan,priority,product_stage,organization\n";
pub(super) const CHANGES_HEADER: &str =
    "ticket_id,changed_at,from_priority,to_priority,changed_by\n";
const TWIN_TICKETS_HEADER: &str =
    "ticket_id,created_at,first_response_at,plan,priority,product_stage,group,assignee,organization\n";
const TWIN_CHANGES_HEADER: &str = "ticket_id,changed_at,to_priority,changed_by\n";

pub(super) struct Native<W: Write> {
    tickets: Sink<W>,
    changes: Sink<W>,
    ts: TsFmt,
    id_width: usize,
    seed: u64,
    /// The helpdesk whose sample this is the twin of.
    twin: Option<Helpdesk>,
    rows: usize,
}

/// A queued change row.
pub(super) struct Row {
    ticket: u64,
    from: PrioText,
    to: PrioText,
    /// The `changed_by` text's index into `CHANGED_BY`, or for a twin the
    /// helpdesk's own text.
    by: By,
}

enum By {
    Native(u8),
    Twin(String),
}

impl<W: Write> Native<W> {
    pub fn new(
        [tickets, changes]: [W; 2],
        ts: TsFmt,
        id_width: usize,
        seed: u64,
        twin: Option<Helpdesk>,
    ) -> Native<W> {
        let (mut tickets, mut changes) = (Sink::new(tickets), Sink::new(changes));
        let headers = match twin {
            None => [TICKETS_HEADER, CHANGES_HEADER],
            Some(_) => [TWIN_TICKETS_HEADER, TWIN_CHANGES_HEADER],
        };
        tickets.buf.extend_from_slice(headers[0].as_bytes());
        changes.buf.extend_from_slice(headers[1].as_bytes());
        Native {
            tickets,
            changes,
            ts,
            id_width,
            seed,
            twin,
            rows: 0,
        }
    }

    fn push_ticket_id(&mut self, index: u64, sink: Which) {
        let b = match sink {
            Which::Tickets => &mut self.tickets.buf,
            Which::Changes => &mut self.changes.buf,
        };
        match self.twin {
            None => push_id(b, index, self.id_width),
            Some(_) => push_num(b, index),
        }
    }
}

enum Which {
    Tickets,
    Changes,
}

impl<W: Write> Shape for Native<W> {
    type Event = Row;

    fn ticket(&mut self, t: &Ticket, queue: &mut Queue<Row>) -> io::Result<()> {
        self.push_ticket_id(t.index, Which::Tickets);
        let b = &mut self.tickets.buf;
        b.push(b',');
        self.ts.push(b, t.created);
        b.push(b',');
        if let Some(r) = t.response {
            self.ts.push(b, r);
        }
        b.push(b',');
        let people = People::of(self.seed, t);
        match self.twin {
            Some(helpdesk) => {
                let p = &people;
                b.extend_from_slice(ORGANIZATIONS[p.org].plan_text.as_bytes());
                b.push(b',');
                if let Some(n) = helpdesk.submitted(t) {
                    push_num(b, u64::from(n));
                }
                b.push(b',');
                b.extend_from_slice(STAGE_TEXT[t.stage].as_bytes());
                b.push(b',');
                let agent = &super::shape::AGENTS[p.agent];
                push_field(b, agent.group);
                b.push(b',');
                if t.response.is_some() {
                    push_field(b, agent.name);
                }
            }
            None => {
                b.extend_from_slice(PLAN_TEXT[t.plan_text].as_bytes());
                b.push(b',');
                b.extend_from_slice(priority_text(t.submitted_text));
                b.push(b',');
                b.extend_from_slice(STAGE_TEXT[t.stage].as_bytes());
            }
        }
        b.push(b',');
        push_field(b, ORGANIZATIONS[people.org].name);
        b.push(b'\n');
        self.tickets.maybe_flush()?;
        for c in t.changes {
            let by = match self.twin {
                Some(Helpdesk::Zendesk) => By::Twin(zendesk::user_id(&people, c.by).to_string()),
                Some(Helpdesk::Freshdesk) => {
                    By::Twin(freshdesk::performer(&people, c.by).0.to_string())
                }
                None => By::Native(c.by),
            };
            let row = Row {
                ticket: t.index,
                from: c.from_text,
                to: match self.twin {
                    None => c.to_text,
                    Some(_) => PrioText::Num(c.to),
                },
                by,
            };
            queue.push(c.at, row);
        }
        Ok(())
    }

    fn event(&mut self, at: i64, row: Row) -> io::Result<()> {
        self.push_ticket_id(row.ticket, Which::Changes);
        let b = &mut self.changes.buf;
        b.push(b',');
        self.ts.push(b, at);
        b.push(b',');
        match row.by {
            By::Native(by) => {
                b.extend_from_slice(priority_text(row.from));
                b.push(b',');
                b.extend_from_slice(priority_text(row.to));
                b.push(b',');
                b.extend_from_slice(CHANGED_BY[by as usize].as_bytes());
            }
            By::Twin(by) => {
                b.extend_from_slice(priority_text(row.to));
                b.push(b',');
                b.extend_from_slice(by.as_bytes());
            }
        }
        b.push(b'\n');
        self.rows += 1;
        self.changes.maybe_flush()
    }

    fn records(&self) -> usize {
        self.rows
    }

    fn finish(self) -> io::Result<()> {
        self.tickets.finish()?;
        self.changes.finish()
    }
}
