//! The one list of the columns of tickets.csv and tickets.parquet, which
//! the CSV and Parquet writers, the header and `explain` all read.

use crate::ingest::Dataset;

use crate::model::Ticket;
use crate::model::{month_text, MonthKey};
use crate::model::{Measure, Outcome};
use crate::timestamp;

/// What a ticket column holds, with how to get it from a ticket's row.
/// The kind decides how each writer renders it (CSV text, a Parquet type).
#[derive(Clone, Copy)]
pub enum Value {
    /// Free text, CSV-quoted where needed.
    Text(for<'a> fn(&TicketRow<'a>) -> &'a str),
    /// A plan, by index into `Policy::plans`.
    Plan(fn(&TicketRow<'_>) -> usize),
    /// A stage, by index into `Dataset::stages`; its empty text is none.
    Stage(fn(&TicketRow<'_>) -> usize),
    Month(fn(&TicketRow<'_>) -> MonthKey),
    /// A priority level or a count.
    Count(fn(&TicketRow<'_>) -> u32),
    /// Seconds; none where nothing is measured.
    Seconds(fn(&TicketRow<'_>) -> Option<i64>),
    /// A fixed ASCII word (a clock, a status), never quoted.
    Word(fn(&TicketRow<'_>) -> Option<&'static str>),
    /// An instant (Unix seconds), written in UTC.
    Instant(fn(&TicketRow<'_>) -> Option<i64>),
}

impl Value {
    /// The field as tickets.csv writes it, for the values that are never
    /// free text: `None` for texts, plans and stages, which may hold spaces.
    pub fn plain_text(self, r: &TicketRow<'_>) -> Option<String> {
        Some(match self {
            Value::Text(_) | Value::Plan(_) | Value::Stage(_) => return None,
            Value::Month(get) => month_text(get(r)),
            Value::Count(get) => get(r).to_string(),
            Value::Seconds(get) => get(r).map_or_else(String::new, |v| v.to_string()),
            Value::Word(get) => get(r).unwrap_or_default().to_string(),
            Value::Instant(get) => get(r).map_or_else(String::new, timestamp::format_utc),
        })
    }
}

/// One column of tickets.csv and tickets.parquet.
#[derive(Clone, Copy)]
pub struct TicketColumn {
    pub name: &'static str,
    pub value: Value,
}

/// What the ticket columns are read from: one accepted ticket and its
/// outcome.
pub struct TicketRow<'a> {
    pub dataset: &'a Dataset,
    pub ticket: &'a Ticket,
    pub outcome: &'a Outcome,
    /// The month of creation in the policy zone.
    pub month: MonthKey,
    /// The first response at or before `as_of`.
    pub response: Option<i64>,
}

impl TicketRow<'_> {
    fn measure(&self) -> Option<Measure> {
        self.outcome.measure
    }
}

/// Calls `f` with each column of tickets.csv (CONTRACT.md section 6), in
/// order: the one definition of the columns, which the CSV and Parquet
/// writers, the header and `explain` all read.
///
/// Straight-line calls rather than a table: a writer that visits the
/// columns once per row gets each column's getter inlined, where a loop
/// over a table would make an indirect call per field (+27% instructions
/// in the tickets.csv writer).
#[inline(always)]
#[rustfmt::skip]
pub fn each_ticket_column(mut f: impl FnMut(TicketColumn)) {
    let mut column = |name, value| f(TicketColumn { name, value });
    column("ticket_id", Value::Text(|r| r.dataset.id(r.ticket)));
    column("plan", Value::Plan(|r| r.ticket.plan()));
    column("month", Value::Month(|r| r.month));
    column("stage", Value::Stage(|r| r.ticket.stage as usize));
    column("submitted_priority", Value::Count(|r| r.ticket.submitted));
    column("priority", Value::Count(|r| r.outcome.governing));
    column("reclassifications", Value::Count(|r| r.outcome.reclassifications));
    column("clock", Value::Word(|r| r.measure().map(|m| m.clock.as_str())));
    column("target_s", Value::Seconds(|r| r.measure().map(|m| i64::from(m.target_s))));
    column("created_at", Value::Instant(|r| Some(r.ticket.created)));
    column("first_response_at", Value::Instant(|r| r.response));
    column("elapsed_s", Value::Seconds(|r| r.measure().map(|m| m.elapsed_s)));
    column("deadline", Value::Instant(|r| r.measure().and_then(|m| m.written_deadline())));
    column("status", Value::Word(|r| Some(r.outcome.status.as_str())));
    column("margin_s", Value::Seconds(|r| r.measure().map(|m| m.margin_s())));
}

/// The columns of tickets.csv, in order.
pub fn ticket_columns() -> Vec<TicketColumn> {
    let mut columns = Vec::new();
    each_ticket_column(|c| columns.push(c));
    columns
}
