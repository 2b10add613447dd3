//! The page's sections from the analysis: the policy comparison, the
//! mode-sensitive tickets and the breakdowns by group, assignee and
//! organization.

use super::*;
use crate::report::lang::Breakdown;

/// Met and counted tickets under one mode, summed.
fn mode_attainment(t: &Texts, c: &ModeCounts) -> String {
    match c.attainment_hundredths() {
        Some(a) => format!(
            "<td class=\"n\"><b>{}</b><span class=\"sub\">{}</span></td>",
            t.percent(a),
            (t.met_of)(c.met, c.counted)
        ),
        None => format!("<td class=\"n\">{}</td>", t.no_counted_tickets),
    }
}

pub(super) fn comparison_section(h: &mut String, r: &ReportData<'_>) {
    let p = r.policy;
    let ev = r.evaluation;
    let a = r.analysis;
    let t = r.texts;
    let _ = writeln!(
        h,
        "<h2 id=\"comparison\">{}</h2>\n<p>{}</p>",
        t.comparison_heading, t.comparison_intro
    );
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
        let _ = writeln!(h, "<p>{}</p>", t.no_plan_with_tickets);
    } else {
        let _ = write!(
            h,
            "<table id=\"comparison-table\"><thead><tr><th>{}</th>",
            t.plan_header
        );
        for m in Mode::ALL {
            let this = if m == ev.mode { t.this_report } else { "" };
            let _ = write!(h, "<th>{}{this}</th>", (t.mode_name)(m));
        }
        h.push_str("</tr></thead>\n");
        for (plan, modes) in &per_plan {
            let _ = write!(h, "<tr><td>{}</td>", esc(&p.plans[*plan as usize].name));
            for c in modes {
                h.push_str(&mode_attainment(t, c));
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
        "<h3 id=\"mode-sensitive\">{}</h3>\n<p>{}</p>",
        t.mode_sensitive_heading,
        (t.mode_sensitive_intro)(
            sensitive.len(),
            a.reclassified.len(),
            (sensitive.len() > LISTED).then_some(LISTED)
        )
    );
    if sensitive.is_empty() {
        return;
    }
    let ds = &ev.dataset;
    h.push_str("<table id=\"mode-sensitive-table\" class=\"compact\"><thead><tr>");
    for c in t.mode_sensitive_columns {
        let _ = write!(h, "<th>{c}</th>");
    }
    for m in Mode::ALL {
        let _ = write!(h, "<th>{}</th>", (t.mode_name)(m));
    }
    h.push_str("</tr></thead>\n");
    for s in sensitive.iter().take(LISTED) {
        let i = s.ticket as usize;
        let ticket = &ds.tickets[i];
        let _ = write!(
            h,
            "<tr><td class=\"nw\">{}</td><td>{}</td><td class=\"nw\">{}</td><td>P{}</td>",
            esc(ds.id(ticket)),
            esc(&p.plans[ticket.plan()].name),
            month_text(ev.months[i]),
            ticket.submitted
        );
        for v in &s.verdicts {
            let _ = write!(h, "<td>P{} {}</td>", v.priority, (t.status)(v.status));
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

/// One breakdown's table: `key` is the ticket column (the table's id; the
/// file is `summary_by_{key}.csv`), `text` its words on the page.
fn breakdown_table(
    h: &mut String,
    t: &Texts,
    key: &str,
    text: &Breakdown,
    labels: &Labels,
    rows: &[(u32, SummaryRow)],
    order: Order,
) {
    let file = format!("summary_by_{key}.csv");
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
    let listed = match (per.len() > LISTED, order) {
        (false, Order::Name) => Listed::AllByName,
        (false, Order::WorstFirst) => Listed::AllWorstFirst,
        (true, Order::Name) => Listed::FirstByName(LISTED),
        (true, Order::WorstFirst) => Listed::Worst(LISTED),
    };
    let _ = writeln!(
        h,
        "<h3>{}</h3>\n<p>{}{}.</p>",
        text.heading,
        (text.values)(
            per.len(),
            &format!("<a href=\"{file}\"><code>{file}</code></a>")
        ),
        (t.breakdown_order)(listed)
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
        "<table id=\"by-{key}\"><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>",
        text.column, t.tickets_header, t.attainment_header
    );
    for (label, tally) in per.iter().take(LISTED) {
        let name = labels.name(*label);
        let name = if name.is_empty() {
            t.empty_value.to_string()
        } else {
            esc(name)
        };
        let attainment = match tally.attainment() {
            Some(a) => format!(
                "<b>{}</b><span class=\"sub\">{}</span>",
                t.percent(a),
                (t.met_of)(tally.met, tally.counted)
            ),
            None => t.no_counted_tickets.to_string(),
        };
        let _ = writeln!(
            h,
            "<tr><td>{name}</td><td class=\"n\">{}</td><td class=\"n\">{attainment}</td></tr>",
            tally.tickets
        );
    }
    h.push_str("</table>\n");
}

pub(super) fn breakdowns_section(h: &mut String, r: &ReportData<'_>) {
    let ds = &r.evaluation.dataset;
    let a = r.analysis;
    let t = r.texts;
    let _ = writeln!(h, "<h2 id=\"breakdowns\">{}</h2>", t.breakdowns_heading);
    if a.by_group.is_none() && a.by_assignee.is_none() {
        let _ = writeln!(h, "<p>{}</p>", t.no_breakdown);
        return;
    }
    let _ = writeln!(h, "<p>{}</p>", t.breakdowns_intro);
    if let Some(rows) = &a.by_group {
        breakdown_table(h, t, "group", &t.by_group, &ds.groups, rows, Order::Name);
    }
    if let Some(rows) = &a.by_assignee {
        breakdown_table(
            h,
            t,
            "assignee",
            &t.by_assignee,
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
    let t = r.texts;
    let _ = writeln!(
        h,
        "<h2 id=\"organizations\">{}</h2>\n<p>{}</p>",
        t.organizations_heading, t.organizations_intro
    );
    breakdown_table(
        h,
        t,
        "organization",
        &t.by_organization,
        &r.evaluation.dataset.organizations,
        rows,
        Order::WorstFirst,
    );
}
