//! The page's sections from the analysis: the policy comparison, the
//! mode-sensitive tickets and the breakdowns by group, assignee and
//! organization.

use super::*;

/// Met and counted tickets under one mode, summed.
fn mode_attainment(c: &ModeCounts) -> String {
    match c.attainment_hundredths() {
        Some(a) => format!(
            "<td class=\"n\"><b>{}%</b><span class=\"sub\">{} met of {}</span></td>",
            percent_text(a),
            c.met,
            c.counted
        ),
        None => "<td class=\"n\">no counted tickets</td>".to_string(),
    }
}

pub(super) fn comparison_section(h: &mut String, r: &ReportData<'_>) {
    let p = r.policy;
    let ev = r.evaluation;
    let a = r.analysis;
    h.push_str("<h2 id=\"comparison\">Policy comparison: the four reclassification rules</h2>\n");
    h.push_str("<p>How much the reclassification rule moves the figures: every ticket judged under each rule, attainment over the whole period per plan. Per month and priority in <a href=\"policy_comparison.csv\"><code>policy_comparison.csv</code></a>.</p>\n");
    let mut per_plan: BTreeMap<u32, [ModeCounts; 4]> = BTreeMap::new();
    for row in &a.comparison {
        if p.plans[row.plan as usize].targets.is_empty() {
            continue;
        }
        let sums = per_plan.entry(row.plan).or_default();
        for (sum, c) in sums.iter_mut().zip(&row.modes) {
            sum.tickets += c.tickets;
            sum.met += c.met;
            sum.counted += c.counted;
        }
    }
    if per_plan.is_empty() {
        h.push_str("<p>No plan with a target has tickets.</p>\n");
    } else {
        h.push_str("<table id=\"comparison-table\"><tr><th>plan</th>");
        for m in Mode::ALL {
            let this = if m == ev.mode { " (this report)" } else { "" };
            let _ = write!(h, "<th><code>{}</code>{this}</th>", m.as_str());
        }
        h.push_str("</tr>\n");
        for (plan, modes) in &per_plan {
            let _ = write!(h, "<tr><td>{}</td>", esc(&p.plans[*plan as usize].name));
            for c in modes {
                h.push_str(&mode_attainment(c));
            }
            h.push_str("</tr>\n");
        }
        h.push_str("</table>\n");
    }
    let sensitive: Vec<_> = a
        .reclassified
        .iter()
        .filter(|t| t.mode_sensitive())
        .collect();
    let _ = writeln!(
        h,
        "<h3 id=\"mode-sensitive\">Mode-sensitive tickets</h3>\n<p><b>{}</b> with a status that depends on the rule (of {} reclassified); all are in <a href=\"mode_sensitive_tickets.csv\"><code>mode_sensitive_tickets.csv</code></a>{}.</p>",
        count(sensitive.len(), "ticket"),
        a.reclassified.len(),
        if sensitive.len() > LISTED {
            format!(", the first {LISTED} below")
        } else {
            String::new()
        }
    );
    if sensitive.is_empty() {
        return;
    }
    let ds = &ev.dataset;
    h.push_str("<table id=\"mode-sensitive-table\" class=\"compact\"><tr><th>ticket</th><th>plan</th><th>month</th><th>submitted</th>");
    for m in Mode::ALL {
        let _ = write!(h, "<th><code>{}</code></th>", m.as_str());
    }
    h.push_str("</tr>\n");
    for t in sensitive.iter().take(LISTED) {
        let i = t.ticket as usize;
        let ticket = &ds.tickets[i];
        let _ = write!(
            h,
            "<tr><td class=\"nw\">{}</td><td>{}</td><td class=\"nw\">{}</td><td>P{}</td>",
            esc(ds.id(ticket)),
            esc(&p.plans[ticket.plan()].name),
            month_text(ev.months[i]),
            ticket.submitted
        );
        for v in &t.verdicts {
            let _ = write!(h, "<td>P{} {}</td>", v.priority, v.status.as_str());
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n");
}

/// One breakdown's headline: per value, tickets and attainment over the
/// whole period.
/// The order of a breakdown table's rows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Order {
    /// By name (the CSV file's order).
    Name,
    /// The lowest attainment first (compared exactly), those without
    /// counted tickets last, ties by name.
    WorstFirst,
}

fn breakdown_table(
    h: &mut String,
    column: &str,
    file: &str,
    labels: &Labels,
    rows: &[(u32, SummaryRow)],
    order: Order,
) {
    let mut per: Vec<(u32, Tally)> = Vec::new();
    for (label, row) in rows {
        match per.last_mut() {
            Some((l, t)) if l == label => t.add(row),
            _ => {
                let mut t = Tally::default();
                t.add(row);
                per.push((*label, t));
            }
        }
    }
    let _ = writeln!(
        h,
        "<h3>By {column}</h3>\n<p>{} values of <code>{column}</code>; per month, plan and priority in <a href=\"{file}\"><code>{file}</code></a>{}.</p>",
        per.len(),
        match (per.len() > LISTED, order) {
            (false, Order::Name) => String::new(),
            (false, Order::WorstFirst) => "; below the lowest attainment first".to_string(),
            (true, Order::Name) => format!("; the first {LISTED} by name below"),
            (true, Order::WorstFirst) => format!("; the {LISTED} with the lowest attainment below"),
        }
    );
    if order == Order::WorstFirst {
        // met_a / counted_a < met_b / counted_b, without rounding
        per.sort_by(|(_, a), (_, b)| match (a.counted, b.counted) {
            (0, 0) => std::cmp::Ordering::Equal,
            (0, _) => std::cmp::Ordering::Greater,
            (_, 0) => std::cmp::Ordering::Less,
            _ => (u128::from(a.met) * u128::from(b.counted))
                .cmp(&(u128::from(b.met) * u128::from(a.counted))),
        });
    }
    let _ = writeln!(
        h,
        "<table id=\"by-{column}\"><tr><th>{column}</th><th>tickets</th><th>attainment</th></tr>"
    );
    for (label, t) in per.iter().take(LISTED) {
        let name = labels.name(*label);
        let name = if name.is_empty() {
            "<i>(empty)</i>".to_string()
        } else {
            esc(name)
        };
        let attainment = match t.attainment() {
            Some(a) => format!(
                "<b>{a}%</b><span class=\"sub\">{} met of {}</span>",
                t.met, t.counted
            ),
            None => "no counted tickets".to_string(),
        };
        let _ = writeln!(
            h,
            "<tr><td>{name}</td><td class=\"n\">{}</td><td class=\"n\">{attainment}</td></tr>",
            t.tickets
        );
    }
    h.push_str("</table>\n");
}

pub(super) fn breakdowns_section(h: &mut String, r: &ReportData<'_>) {
    let ds = &r.evaluation.dataset;
    let a = r.analysis;
    h.push_str("<h2 id=\"breakdowns\">Groups and assignees</h2>\n");
    if a.by_group.is_none() && a.by_assignee.is_none() {
        h.push_str("<p>The ticket files have no <code>group</code> or <code>assignee</code> column, so there is no breakdown.</p>\n");
        return;
    }
    h.push_str("<p>Attainment over the whole period and every plan and priority with a target; a ticket without a value (an empty field, or a file without the column) is under <i>(empty)</i>.</p>\n");
    if let Some(rows) = &a.by_group {
        breakdown_table(
            h,
            "group",
            "summary_by_group.csv",
            &ds.groups,
            rows,
            Order::Name,
        );
    }
    if let Some(rows) = &a.by_assignee {
        breakdown_table(
            h,
            "assignee",
            "summary_by_assignee.csv",
            &ds.assignees,
            rows,
            Order::Name,
        );
    }
}

/// Attainment per customer, the worst first; only when the ticket files
/// have an `organization` column.
pub(super) fn organizations_section(h: &mut String, r: &ReportData<'_>) {
    let Some(rows) = &r.analysis.by_organization else {
        return;
    };
    h.push_str("<h2 id=\"organizations\">Customers</h2>\n");
    h.push_str("<p>Attainment per <code>organization</code> over the whole period and every plan and priority with a target; a ticket without one is under <i>(empty)</i>.</p>\n");
    breakdown_table(
        h,
        "organization",
        "summary_by_organization.csv",
        &r.evaluation.dataset.organizations,
        rows,
        Order::WorstFirst,
    );
}
