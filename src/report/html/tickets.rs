//! The page's ticket lists: the worst breaches and the tickets next to breach.

use super::*;

/// `10.6×`: `late / target` to a tenth, rounded half up (exact integers).
fn times_text(late: i64, target: i64) -> String {
    let tenths = (i128::from(late) * 20 + i128::from(target)) / (2 * i128::from(target));
    format!("{}.{}\u{d7}", tenths / 10, tenths % 10)
}

fn clock_words(clock: ClockKind) -> &'static str {
    match clock {
        ClockKind::Business => "business time",
        ClockKind::TwentyFourSeven => "24/7 time",
    }
}

pub(super) fn breaches_section(h: &mut String, r: &ReportData<'_>) {
    let p = r.policy;
    let ev = r.evaluation;
    let ds = &ev.dataset;
    let _ = writeln!(
        h,
        "<h2 id=\"breaches\">The {WORST_BREACHES} worst breaches</h2>"
    );
    h.push_str("<p>Breached tickets (answered late, or still open past the deadline), ranked by how late they are <b>relative to their target</b>: the time counted beyond the target (<code>-margin_s</code> of tickets.csv) divided by the target, so that business-hour and 24/7 targets, long and short ones, are ranked by one measure. \u{201c}Late by\u{201d} is time on the ticket's own clock: business hours for business-hour targets, every hour for 24/7 ones. It is given in targets (2.0\u{d7} = twice the target beyond the deadline), then as time and in seconds. For open tickets it grows until they are answered.</p>\n");
    // (late_s, target_s, index) of the breached tickets with a measure
    let mut late: Vec<(i64, i64, usize)> = ev
        .outcomes
        .iter()
        .enumerate()
        .filter(|(_, o)| matches!(o.status, Status::Breached | Status::OpenBreached))
        .filter_map(|(i, o)| {
            let m = o.measure?;
            (m.target_s > 0).then(|| (-m.margin_s(), i64::from(m.target_s), i))
        })
        .collect();
    // late_a / target_a > late_b / target_b, compared exactly; then the
    // longer time, then input order
    late.sort_by(|a, b| {
        (i128::from(b.0) * i128::from(a.1))
            .cmp(&(i128::from(a.0) * i128::from(b.1)))
            .then(b.0.cmp(&a.0))
            .then(a.2.cmp(&b.2))
    });
    if late.is_empty() {
        h.push_str("<p>No breaches.</p>\n");
        return;
    }
    h.push_str("<table id=\"worst-breaches\"><tr><th>#</th><th>ticket</th><th>plan</th><th>priority</th><th>target</th><th>deadline (UTC, as in tickets.csv; local below)</th><th>first response (UTC; local below)</th><th>late by</th></tr>\n");
    for (rank, &(late_s, target_s, i)) in late.iter().take(WORST_BREACHES).enumerate() {
        let t = &ds.tickets[i];
        let o = &ev.outcomes[i];
        let m = o.measure.expect("filtered");
        let response = match ev.response(i) {
            Some(resp) => format!(
                "{}<span class=\"sub\">{}</span>",
                timestamp::format_utc(resp),
                esc(&local(p, resp))
            ),
            None => "none yet (open)".to_string(),
        };
        let _ = writeln!(
            h,
            "<tr><td class=\"n\">{}</td><td class=\"nw\">{}</td><td>{}</td><td>{}</td><td class=\"nw\">{} {}</td><td>{}<span class=\"sub\">{}</span></td><td>{}</td><td class=\"n\"><b>{}</b> the target<span class=\"sub\">{} of {}</span><span class=\"sub\">{} s</span></td></tr>",
            rank + 1,
            esc(ds.id(t)),
            esc(&p.plans[t.plan()].name),
            esc(&p.priority_label(o.governing)),
            policy_duration(target_s),
            if m.clock == ClockKind::Business { "business" } else { "24/7" },
            timestamp::format_utc(m.deadline),
            esc(&local(p, m.deadline)),
            response,
            times_text(late_s, target_s),
            human_duration(late_s),
            clock_words(m.clock),
            late_s,
        );
    }
    h.push_str("</table>\n");
    let _ = writeln!(
        h,
        "<p class=\"note\">{} tickets breached in all; every one is in <a href=\"tickets.csv\"><code>tickets.csv</code></a> (status <code>breached</code> or <code>open_breached</code>).</p>",
        late.len()
    );
}

/// The open tickets nearest their deadline (at_risk.csv's first rows), and
/// the open ones already past it, counted apart.
pub(super) fn at_risk_section(h: &mut String, r: &ReportData<'_>) {
    let p = r.policy;
    let ev = r.evaluation;
    let ds = &ev.dataset;
    let at_risk = &r.analysis.at_risk;
    let late = ev
        .outcomes
        .iter()
        .filter(|o| o.status == Status::OpenBreached)
        .count();
    h.push_str("<h2 id=\"at-risk\">Next to breach</h2>\n");
    let _ = writeln!(
        h,
        "<p>Open tickets still within their target (status <code>open</code>), the earliest deadline first; \u{201c}left\u{201d} is the time left on the ticket's own clock at the as-of instant (<code>remaining_s</code>, the <code>margin_s</code> of tickets.csv). All {} are in <a href=\"at_risk.csv\"><code>at_risk.csv</code></a>. Besides them, <b>{}</b> already past the deadline and still unanswered (<code>open_breached</code>, in the worst breaches above). Run with <code>--as-of</code> at the current instant to see the tickets as they stand now.</p>",
        count(at_risk.len(), "open ticket"),
        if late == 1 {
            "1 ticket is".to_string()
        } else {
            format!("{late} tickets are")
        },
    );
    if at_risk.is_empty() {
        h.push_str("<p>No open ticket is within its target.</p>\n");
        return;
    }
    let customers = ds.organizations.present;
    let _ = writeln!(
        h,
        "<table id=\"next-to-breach\"><tr><th>#</th><th>ticket</th>{}<th>plan</th><th>priority</th><th>deadline ({}; UTC below)</th><th>left</th></tr>",
        if customers { "<th>organization</th>" } else { "" },
        esc(p.timezone.name()),
    );
    for (rank, &i) in at_risk.iter().take(NEXT_TO_BREACH).enumerate() {
        let (t, o) = (&ds.tickets[i as usize], &ev.outcomes[i as usize]);
        let m = o.measure.expect("an open ticket is measured");
        let deadline = match m.written_deadline() {
            Some(d) => format!(
                "{}<span class=\"sub\">{}</span>",
                esc(&local(p, d)),
                timestamp::format_utc(d)
            ),
            None => "never".to_string(),
        };
        let organization = if customers {
            format!("<td>{}</td>", esc(ds.organizations.name(t.organization)))
        } else {
            String::new()
        };
        let _ = writeln!(
            h,
            "<tr><td class=\"n\">{}</td><td class=\"nw\">{}</td>{organization}<td>{}</td><td>{}</td><td class=\"nw\">{deadline}</td><td class=\"n\"><b>{}</b><span class=\"sub\">{} of {}</span><span class=\"sub\">{} s</span></td></tr>",
            rank + 1,
            esc(ds.id(t)),
            esc(&p.plans[t.plan()].name),
            esc(&p.priority_label(o.governing)),
            human_duration(m.margin_s()),
            policy_duration(i64::from(m.target_s)),
            clock_words(m.clock),
            m.margin_s(),
        );
    }
    h.push_str("</table>\n");
}
