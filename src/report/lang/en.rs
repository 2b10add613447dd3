//! English, the default: the page and charts as they have always read.

use super::{Breakdown, ChartCaption, Listed, Noun, Texts};
use crate::calendar::HolidayRule;
use crate::model::Status;
use crate::policy::Mode;
use crate::report::csv::SUMMARY_HEADER;

pub const EN: Texts = Texts {
    html_lang: "en",

    decimal_mark: '.',
    percent_sign: "%",
    short_units: ["h", "m", "s"],
    target_length: crate::policy::format_duration,
    hour: Noun { one: "hour", many: "hours" },
    minute: Noun { one: "minute", many: "minutes" },
    second: Noun { one: "second", many: "seconds" },
    ticket: Noun { one: "ticket", many: "tickets" },
    open_ticket: Noun { one: "open ticket", many: "open tickets" },
    change: Noun { one: "change", many: "changes" },

    built_in_priorities: ["Business Critical", "Degraded Service", "General Issue"],
    no_target_words: "none",
    within_business_hours: |h| format!("within {h} business hour{}", if h == 1 { "" } else { "s" }),
    within_business_time: |d| format!("within {d} of business time"),
    within_24_7: |d| format!("within {d}, 24/7"),
    holiday: |rule| match rule {
        HolidayRule::NewYearsDay => "New Year's Day (1 Jan)",
        HolidayRule::Epiphany => "Epiphany (6 Jan)",
        HolidayRule::GoodFriday => "Good Friday",
        HolidayRule::EasterMonday => "Easter Monday",
        HolidayRule::LabourDay => "Labour Day (1 May)",
        HolidayRule::AscensionDay => "Ascension Day",
        HolidayRule::WhitMonday => "Whit Monday",
        HolidayRule::ChristmasEve => "Christmas Eve (24 Dec)",
        HolidayRule::ChristmasDay => "Christmas Day (25 Dec)",
        HolidayRule::StStephensDay => "St Stephen's Day (26 Dec)",
        HolidayRule::NewYearsEve => "New Year's Eve (31 Dec)",
    },
    mode_name: |mode| match mode {
        Mode::Current => "<code>current</code>",
        Mode::Restart => "<code>restart</code>",
        Mode::Initial => "<code>initial</code>",
        Mode::Prorata => "<code>prorata</code>",
    },
    mode_words: |mode| match mode {
        Mode::Current => "the priority in effect at the first response decides the target, timed from creation",
        Mode::Restart => "the priority in effect at the first response decides the target, timed from the last reclassification",
        Mode::Initial => "the priority the customer submitted decides the target, timed from creation; reclassifications are ignored",
        Mode::Prorata => "each period of a ticket's life uses up its share of the target of the priority in effect then; breached when the shares add up to more than 1",
    },
    weekdays: ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    day_range: |a, b| format!("{a} to {b}"),
    closed: "closed",
    status: Status::as_str,
    business_time: "business time",
    time_24_7: "24/7 time",
    business_short: "business",
    short_24_7: "24/7",
    time_on_clock: |d, clock| format!("{d} of {clock}"),

    range: |a, b| format!("{a} to {b}"),
    and: "and",
    from_date: |d| format!("from {d}"),
    until_date: |d| format!("until {d}"),
    no_month: "no month",
    every_date: "every date",
    no_tickets: "no tickets",
    selected_with_month: "<code>--month</code>",
    selected_with_from_until: "<code>--from</code> and <code>--until</code>, both days included",
    selected_with_from: "<code>--from</code>",
    selected_with_until: "<code>--until</code>, that day included",
    selected_period: |text, flags, zone| {
        format!("tickets created {text} (selected with {flags}; dates of ticket creation in {zone})")
    },
    whole_period: |text, zone| {
        format!("{text} (every ticket of the files, no period selected; month of ticket creation in {zone})")
    },

    title: |period| format!("SLA first-response report, {period}"),
    heading: "First-response SLA report",
    period_label: "Period:",
    as_of_label: "As of:",
    no_as_of: "none (no accepted rows)",
    tickets_evaluated_label: "Tickets evaluated:",
    rule_label: "Reclassification rule:",
    input_tz_label: "Input time zone:",
    made_by: |by| format!("Made by {by}."),
    nav: [
        "Policy",
        "Headline",
        "Charts",
        "Monthly summary",
        "Worst breaches",
        "Next to breach",
        "Policy comparison",
        "Reclassifications",
        "Groups and assignees",
        "Customers",
        "Input and rejects",
    ],

    policy_heading: "The policy measured",
    policy_intro: "Guaranteed first-response times, by plan and ticket priority, as this run read them:",
    priority_header: "priority",
    business_hours_line: |hours, zone| {
        format!("Business hours: {hours}, in {zone} local time (with its daylight-saving rules).")
    },
    holidays_line: |h| format!("Holidays (closed all day): {h}."),
    no_holidays: "none",
    not_covered_line: |stages| format!("Not covered: tickets about products in stage {stages}."),
    no_stages: "(none)",
    default_priority_line: |p| format!("A ticket submitted without a priority is {p}."),
    reclassified_line: |name, words| format!("Reclassified tickets ({name}): {words}."),

    headline_heading: "Attainment over the whole period",
    headline_intro: "Attainment = met / (met + breached + open and already breached), over all months; rounded half to even like <code>attainment_pct</code> in summary.csv. Open tickets still within target are not counted yet.",
    no_plan_with_target: "No plan has a target.",
    no_target: "no target",
    no_counted_tickets: "no counted tickets",
    met_of: |met, of| format!("{met} met of {of}"),
    all_priorities_with_target: "all priorities with a target",
    no_guarantee: |plans| format!("No response time is guaranteed for: {plans}."),

    charts_heading: "Charts",
    no_chart: |note| format!("no chart: {note}"),
    attainment_chart: ChartCaption {
        title: "Attainment per month",
        caption: "one panel per plan with targets, one line per priority, \
                  on a scale from 0 to 100%; the black line is 100%; a \
                  break in a line is a month without counted tickets; a \
                  grey band is a month the period selection left out.",
    },
    response_times_chart: ChartCaption {
        title: "Response times against the target",
        caption: "for answered tickets, the share answered within x times \
                  the target; the dashed line at 1.0 is the deadline, so \
                  the height of a curve there is the share answered in time.",
    },
    reclassifications_chart: ChartCaption {
        title: "Reclassifications",
        caption: "the effective priority changes, whoever made them \
                  (agent, customer or other), per plan (row: from, \
                  column: to), and the share of each month's tickets that \
                  were reclassified.",
    },

    summary_heading: "Monthly summary",
    summary_intro: "Every row of <a href=\"summary.csv\"><code>summary.csv</code></a>, same figures, same columns. Times are seconds on the target's clock (business or 24/7), with hours and minutes below.",
    summary_columns: SUMMARY_HEADER,

    breaches_heading: |n| format!("The {n} worst breaches"),
    breaches_intro: "Breached tickets (answered late, or still open past the deadline), ranked by how late they are <b>relative to their target</b>: the time counted beyond the target (<code>-margin_s</code> of tickets.csv) divided by the target, so that business-hour and 24/7 targets, long and short ones, are ranked by one measure. \u{201c}Late by\u{201d} is time on the ticket's own clock: business hours for business-hour targets, every hour for 24/7 ones. It is given in targets (2.0\u{d7} = twice the target beyond the deadline), then as time and in seconds. For open tickets it grows until they are answered.",
    no_breaches: "No breaches.",
    breaches_columns: [
        "#",
        "ticket",
        "plan",
        "priority",
        "target",
        "deadline (UTC, as in tickets.csv; local below)",
        "first response (UTC; local below)",
        "late by",
    ],
    no_response_yet: "none yet (open)",
    times_the_target: |x| format!("<b>{x}</b> the target"),
    breaches_total: |n| {
        format!("{n} tickets breached in all; every one is in <a href=\"tickets.csv\"><code>tickets.csv</code></a> (status <code>breached</code> or <code>open_breached</code>).")
    },

    at_risk_heading: "Next to breach",
    at_risk_intro: |open, late| {
        format!(
            "Open tickets still within their target (status <code>open</code>), the earliest deadline first; \u{201c}left\u{201d} is the time left on the ticket's own clock at the as-of instant (<code>remaining_s</code>, the <code>margin_s</code> of tickets.csv). All {} are in <a href=\"at_risk.csv\"><code>at_risk.csv</code></a>. Besides them, <b>{}</b> already past the deadline and still unanswered (<code>open_breached</code>, in the worst breaches above). Run with <code>--as-of</code> at the current instant to see the tickets as they stand now.",
            EN.count(open as u64, EN.open_ticket),
            if late == 1 {
                "1 ticket is".to_string()
            } else {
                format!("{late} tickets are")
            },
        )
    },
    none_at_risk: "No open ticket is within its target.",
    at_risk_columns: ["#", "ticket", "organization", "plan", "priority", "left"],
    deadline_in: |zone| format!("deadline ({zone}; UTC below)"),
    never: "never",

    comparison_heading: "Policy comparison: the four reclassification rules",
    comparison_intro: "How much the reclassification rule moves the figures: every ticket judged under each rule, attainment over the whole period per plan. Per month and priority in <a href=\"policy_comparison.csv\"><code>policy_comparison.csv</code></a>.",
    no_plan_with_tickets: "No plan with a target has tickets.",
    plan_header: "plan",
    this_report: " (this report)",
    mode_sensitive_heading: "Mode-sensitive tickets",
    mode_sensitive_intro: |n, reclassified, listed| {
        format!(
            "<b>{}</b> with a status that depends on the rule (of {reclassified} reclassified); all are in <a href=\"mode_sensitive_tickets.csv\"><code>mode_sensitive_tickets.csv</code></a>{}.",
            EN.count(n as u64, EN.ticket),
            listed.map_or_else(String::new, |k| format!(", the first {k} below")),
        )
    },
    mode_sensitive_columns: ["ticket", "plan", "month", "submitted"],

    breakdowns_heading: "Groups and assignees",
    no_breakdown: "The ticket files have no <code>group</code> or <code>assignee</code> column, so there is no breakdown.",
    breakdowns_intro: "Attainment over the whole period and every plan and priority with a target; a ticket without a value (an empty field, or a file without the column) is under <i>(empty)</i>.",
    by_group: Breakdown {
        heading: "By group",
        column: "group",
        values: |n, file| format!("{n} values of <code>group</code>; per month, plan and priority in {file}"),
    },
    by_assignee: Breakdown {
        heading: "By assignee",
        column: "assignee",
        values: |n, file| format!("{n} values of <code>assignee</code>; per month, plan and priority in {file}"),
    },
    by_organization: Breakdown {
        heading: "By organization",
        column: "organization",
        values: |n, file| {
            format!("{n} values of <code>organization</code>; per month, plan and priority in {file}")
        },
    },
    breakdown_order: |listed| match listed {
        Listed::AllByName => String::new(),
        Listed::AllWorstFirst => "; below the lowest attainment first".to_string(),
        Listed::FirstByName(k) => format!("; the first {k} by name below"),
        Listed::Worst(k) => format!("; the {k} with the lowest attainment below"),
    },
    tickets_header: "tickets",
    attainment_header: "attainment",
    empty_value: "<i>(empty)</i>",
    organizations_heading: "Customers",
    organizations_intro: "Attainment per <code>organization</code> over the whole period and every plan and priority with a target; a ticket without one is under <i>(empty)</i>.",

    reclassification_heading: "Reclassification highlights",
    reclassification_intro: "An effective change moves a ticket to a different priority. An upgrade moves it to a more urgent priority (a lower number, e.g. P3 to P1), a downgrade to a less urgent one. Counts include changes after the first response, up to the as-of instant, as in <a href=\"reclassifications.csv\"><code>reclassifications.csv</code></a>; who made them (the <code>changed_by</code> column: <code>agent</code>, <code>customer</code>, anything else is other) as in <a href=\"reclassification_summary.csv\"><code>reclassification_summary.csv</code></a>.",
    reclassification_columns: [
        "plan",
        "tickets",
        "reclassified tickets",
        "share",
        "effective changes",
        "downgrades",
        "upgrades",
        "by agents",
        "by customers",
        "by others",
    ],
    no_changes: "No effective priority changes.",
    frequent_heading: "Most frequent changes over the period",
    frequent_columns: ["plan", "from", "to", "changes"],

    rejects_heading: "Input files and rejected rows",
    rows_rejected: |n| {
        format!("<b>{n} rows rejected</b>; each is listed with its file, line and reason in <a href=\"rejects.csv\"><code>rejects.csv</code></a>. Rejected rows do not enter any figure above.")
    },
    rejects_columns: ["reason", "rows"],
    reject_reason: |reason| format!("<code>{}</code>", reason.as_str()),
    ticket_rows: "Ticket rows",
    change_rows: "Priority-change rows",
    no_file_of_kind: "no file of this kind was read",
    identity: |read, accepted, rejected, skipped| {
        format!("{read} read = {accepted} accepted + {rejected} rejected + {skipped} skipped (after as-of)")
    },
    identity_outside: |n| format!(" + {n} outside the period"),
    identity_ignored: |n| format!(" + {n} ignored (other fields)"),
    files_columns: [
        "file",
        "kind",
        "records read",
        "accepted",
        "rejected",
        "skipped (after as-of)",
        "outside the period",
        "ignored (other fields)",
        "warnings",
        "SHA-256",
    ],
    kind_tickets: "tickets",
    kind_changes: "changes",
    warnings_note: "Warnings: priority changes whose <code>from_priority</code> disagreed with the replayed priority (the change still applied)",
    warnings_mismatches: |n| {
        format!("; and {n} ticket(s) whose history ends on another priority than the export's (the history wins)")
    },
    warnings_where: ". Each is listed with its file, line and ticket in <a href=\"warnings.csv\"><code>warnings.csv</code></a> (written when there are any).",
    read_as_export: |name| format!("The inputs were read as {name} exports (--format {name})."),
    read_through_profile: |name| {
        format!("The inputs were read through the import profile \"{name}\" (recorded whole in run.json).")
    },
    plans_from_customers: |path, n| {
        format!(" Plans come from {path} ({n} organizations) where the tickets carry none.")
    },
    plans_from_customers_digest: |path, sha256| {
        format!(" Plans come from {path} (SHA-256 {sha256}) where the tickets carry none.")
    },

    customer_inputs_heading: "Input files",
    customer_inputs_note: |customer| {
        format!("The figures above are those of the tickets whose <code>organization</code> is <b>{customer}</b> in the files below, and of no other; <a href=\"tickets.csv\"><code>tickets.csv</code></a> lists each of them with its verdict. Rows rejected while reading belong to no customer and are in the full report.")
    },

    no_data: "No data",
    not_selected: "not selected",
    month_axis: "month of ticket creation",
    attainment_title: "First-response SLA attainment per month",
    attainment_subtitle: [
        "Share of tickets answered within target: met / (met + breached + open and already breached), by month of creation.",
        "A break in a line: no ticket of that plan and priority counted in that month.",
    ],
    attainment_band: "A grey band: a month that the period selection left out.",
    attainment_no_data: "no ticket with a target was answered or overdue in this period",
    attainment_axis: "attainment (%)",
    every_ticket_in_time: "100% = every ticket in time",
    response_title: "How close to the deadline are first responses?",
    response_subtitle: [
        "Share of answered tickets (met or breached) whose response time was at most x times the target.",
        "Left of the dashed line: in time. Where a curve ends below 100%, the rest took longer than 3\u{d7} the target.",
        "A rise at 0: answered before any time counted (e.g. a business-hours ticket answered overnight).",
    ],
    response_no_data: "no ticket with a target was answered in this period",
    response_x_axis: "response time \u{f7} target (1.0 = deadline)",
    response_y_axis: "answered tickets (cumulative %)",
    deadline: "deadline",
    answered: |label, n| format!("{label}: {n} answered"),
    in_time: |n| format!(", {n} in time"),
    beyond: |n| format!(", {n} beyond 3\u{d7}"),
    reclassifications_title: "Priority reclassifications",
    reclassifications_subtitle: [
        "Top: effective priority changes (to a different priority) over the whole period, by plan; row = from, column = to.",
        "Changes by anyone are counted: agents, customers and others.",
        "Bottom: share of the tickets created in a month that had at least one effective change.",
    ],
    reclassifications_no_data: "no tickets in this period",
    matrix_too_large: |plans, k| {
        format!("{plans} plans \u{d7} {k} priority levels do not fit here; see reclassifications.csv")
    },
    to_priority: "to priority",
    from_priority: "from priority",
    reclassified_axis: "tickets reclassified (%)",
};
