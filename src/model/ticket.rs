//! What ingest accepts: tickets and their priority changes, compact (ids,
//! stages and labels live in the data set's tables).

/// An accepted ticket. Compact: ids and stages live in `Dataset` tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket {
    /// Index into `Dataset::ids` (see `Dataset::id`).
    pub id: u32,
    /// Index into `Policy::plans`.
    pub plan: u16,
    pub excluded: bool,
    pub submitted: u32,
    /// Index into `Dataset::stages` (see `Dataset::stage`).
    pub stage: u32,
    pub created: i64,
    /// The first response, when the file has one (may lie after `as_of`).
    pub response: Option<i64>,
    /// Index into `Dataset::groups` (0: empty or no `group` column).
    pub group: u32,
    /// Index into `Dataset::assignees` (0: empty or no `assignee` column).
    pub assignee: u32,
    /// Index into `Dataset::organizations` (0: empty or no `organization`
    /// column).
    pub organization: u32,
}

impl Ticket {
    /// Plan index in policy order.
    #[inline]
    pub fn plan(&self) -> usize {
        self.plan as usize
    }
}

/// An accepted priority change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    /// Index into `Dataset::tickets`.
    pub ticket: u32,
    pub changed_at: i64,
    pub to: u32,
    pub from: Option<u32>,
    /// Index into `Dataset::files`.
    pub file: u32,
    /// 1-based line (or JSON record line) where the row starts.
    pub line: u64,
    /// The `changed_by` column, classified.
    pub by: ChangedBy,
}

/// A row that was used but disagrees with what the replay knows
/// (warnings.csv).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Warning {
    /// Index into `Dataset::files`, and the row's line there.
    pub file: u32,
    pub line: u64,
    /// Index into `Dataset::tickets`.
    pub ticket: u32,
    pub kind: WarningKind,
    /// What the replay (or the export) says.
    pub expected: u32,
    /// What the row says.
    pub found: u32,
}

/// Why a row is a warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WarningKind {
    /// A change's `from_priority` is not the priority in effect (the
    /// change still applies).
    FromPriority,
    /// An import's history ends on another priority than the export's
    /// (the history wins); the row is the history's last.
    ExportPriority,
}

impl WarningKind {
    pub fn as_str(self) -> &'static str {
        match self {
            WarningKind::FromPriority => "from_priority",
            WarningKind::ExportPriority => "export_priority",
        }
    }
}

/// Who made a priority change, from the optional `changed_by` column:
/// `agent` and `customer` (trimmed, any case) are themselves; anything else
/// (a name, a system, an empty field, no column) is `Other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum ChangedBy {
    Agent,
    Customer,
    #[default]
    Other,
}

impl ChangedBy {
    pub const ALL: [ChangedBy; 3] = [ChangedBy::Agent, ChangedBy::Customer, ChangedBy::Other];

    pub fn parse(text: &str) -> ChangedBy {
        let text = text.trim();
        let is = |word: &str| {
            if text.is_ascii() {
                text.eq_ignore_ascii_case(word)
            } else {
                text.to_lowercase() == word
            }
        };
        if is("agent") {
            ChangedBy::Agent
        } else if is("customer") {
            ChangedBy::Customer
        } else {
            ChangedBy::Other
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ChangedBy::Agent => "agent",
            ChangedBy::Customer => "customer",
            ChangedBy::Other => "other",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_by_is_agent_customer_or_other() {
        assert_eq!(ChangedBy::parse(" Agent "), ChangedBy::Agent);
        assert_eq!(ChangedBy::parse("CUSTOMER"), ChangedBy::Customer);
        assert_eq!(ChangedBy::parse("jana.kovac"), ChangedBy::Other);
        assert_eq!(ChangedBy::parse(""), ChangedBy::Other);
        assert_eq!(ChangedBy::parse("agents"), ChangedBy::Other);
    }
}
