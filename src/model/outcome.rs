//! What the replay gives a ticket: its status and, when it has a target,
//! the measure (clock, target, elapsed time, deadline).

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockKind {
    Business,
    TwentyFourSeven,
}

impl ClockKind {
    /// `business` or `24x7`.
    pub fn as_str(self) -> &'static str {
        match self {
            ClockKind::Business => "business",
            ClockKind::TwentyFourSeven => "24x7",
        }
    }

    /// Parses `business` or `24x7` (exact spelling).
    pub fn parse(s: &str) -> Option<ClockKind> {
        match s {
            "business" => Some(ClockKind::Business),
            "24x7" => Some(ClockKind::TwentyFourSeven),
            _ => None,
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
    /// At most `policy::MAX_WITHIN_S`, so 32 bits (keeps `Outcome` at 40
    /// bytes: millions are kept).
    pub target_s: i32,
    pub elapsed_s: i64,
    pub deadline: i64,
}

const _: () = assert!(std::mem::size_of::<Outcome>() == 40);

impl Measure {
    pub fn margin_s(&self) -> i64 {
        i64::from(self.target_s) - self.elapsed_s
    }

    /// The deadline as the reports write it: `None` when the budget cannot
    /// run out within the instant span (`calendar::NEVER`, or past
    /// `timestamp::LAST_INSTANT`, where the zone data is no longer exact).
    pub fn written_deadline(&self) -> Option<i64> {
        super::instant::in_span(self.deadline).then_some(self.deadline)
    }
}

/// One ticket's replayed outcome (40 bytes: millions are kept).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// The governing priority g.
    pub governing: u32,
    /// Effective changes over the whole history up to `as_of`.
    pub reclassifications: u32,
    pub status: Status,
    pub measure: Option<Measure>,
}
