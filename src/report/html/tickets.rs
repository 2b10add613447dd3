//! The page's ticket lists: the worst breaches and the tickets next to breach.

use super::*;

/// `10.6×`: `late / target` to a tenth, rounded half up (exact integers).
fn times_text(t: &Texts, late: i64, target: i64) -> String {
    let tenths = (i128::from(late) * 20 + i128::from(target)) / (2 * i128::from(target));
    format!("{}\u{d7}", t.tenths(tenths))
}

fn clock_words(t: &Texts, clock: ClockKind) -> &'static str {
    match clock {
        ClockKind::Business => t.business_time,
        ClockKind::TwentyFourSeven => t.time_24_7,
    }
}

pub(super) fn breaches_section(h: &mut String, r: &ReportData<'_>) {
    let p = r.policy;
    let ev = r.evaluation;
    let ds = &ev.dataset;
    let t = r.texts;
    let _ = writeln!(
        h,
        "<h2 id=\"breaches\">{}</h2>\n<p>{}</p>",
        (t.breaches_heading)(WORST_BREACHES),
        t.breaches_intro
    );
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
        let _ = writeln!(h, "<p>{}</p>", t.no_breaches);
        return;
    }
    h.push_str("<table id=\"worst-breaches\">");
    header_row(h, &t.breaches_columns);
    for (rank, &(late_s, target_s, i)) in late.iter().take(WORST_BREACHES).enumerate() {
        let ticket = &ds.tickets[i];
        let o = &ev.outcomes[i];
        let m = o.measure.expect("filtered");
        let response = match ev.response(i) {
            Some(resp) => format!(
                "{}<span class=\"sub\">{}</span>",
                timestamp::format_utc(resp),
                esc(&local(p, resp))
            ),
            None => t.no_response_yet.to_string(),
        };
        let _ = writeln!(
            h,
            "<tr><td class=\"n\">{}</td><td class=\"nw\">{}</td><td>{}</td><td>{}</td><td class=\"nw\">{} {}</td><td>{}<span class=\"sub\">{}</span></td><td>{}</td><td class=\"n\">{}<span class=\"sub\">{}</span><span class=\"sub\">{} s</span></td></tr>",
            rank + 1,
            esc(ds.id(ticket)),
            esc(&p.plans[ticket.plan()].name),
            esc(&t.priority_label(p, o.governing)),
            (t.target_length)(target_s),
            if m.clock == ClockKind::Business { t.business_short } else { t.short_24_7 },
            timestamp::format_utc(m.deadline),
            esc(&local(p, m.deadline)),
            response,
            (t.times_the_target)(&times_text(t, late_s, target_s)),
            (t.time_on_clock)(&t.duration(late_s), clock_words(t, m.clock)),
            late_s,
        );
    }
    h.push_str("</table>\n");
    let _ = writeln!(
        h,
        "<p class=\"note\">{}</p>",
        (t.breaches_total)(late.len())
    );
}

/// The open tickets nearest their deadline (at_risk.csv's first rows), and
/// the open ones already past it, counted apart.
pub(super) fn at_risk_section(h: &mut String, r: &ReportData<'_>) {
    let p = r.policy;
    let ev = r.evaluation;
    let ds = &ev.dataset;
    let at_risk = &r.analysis.at_risk;
    let t = r.texts;
    let late = ev
        .outcomes
        .iter()
        .filter(|o| o.status == Status::OpenBreached)
        .count();
    let _ = writeln!(
        h,
        "<h2 id=\"at-risk\">{}</h2>\n<p>{}</p>",
        t.at_risk_heading,
        (t.at_risk_intro)(at_risk.len(), late)
    );
    if at_risk.is_empty() {
        let _ = writeln!(h, "<p>{}</p>", t.none_at_risk);
        return;
    }
    let customers = ds.organizations.present;
    let [number, ticket, organization, plan, priority, left] = t.at_risk_columns;
    let _ = writeln!(
        h,
        "<table id=\"next-to-breach\"><thead><tr><th>{number}</th><th>{ticket}</th>{}<th>{plan}</th><th>{priority}</th><th>{}</th><th>{left}</th></tr></thead>",
        if customers { format!("<th>{organization}</th>") } else { String::new() },
        (t.deadline_in)(&esc(p.timezone.name())),
    );
    for (rank, &i) in at_risk.iter().take(NEXT_TO_BREACH).enumerate() {
        let (ticket, o) = (&ds.tickets[i as usize], &ev.outcomes[i as usize]);
        let m = o.measure.expect("an open ticket is measured");
        let deadline = match m.written_deadline() {
            Some(d) => format!(
                "{}<span class=\"sub\">{}</span>",
                esc(&local(p, d)),
                timestamp::format_utc(d)
            ),
            None => t.never.to_string(),
        };
        let organization = if customers {
            format!(
                "<td>{}</td>",
                esc(ds.organizations.name(ticket.organization))
            )
        } else {
            String::new()
        };
        let _ = writeln!(
            h,
            "<tr><td class=\"n\">{}</td><td class=\"nw\">{}</td>{organization}<td>{}</td><td>{}</td><td class=\"nw\">{deadline}</td><td class=\"n\"><b>{}</b><span class=\"sub\">{}</span><span class=\"sub\">{} s</span></td></tr>",
            rank + 1,
            esc(ds.id(ticket)),
            esc(&p.plans[ticket.plan()].name),
            esc(&t.priority_label(p, o.governing)),
            t.duration(m.margin_s()),
            (t.time_on_clock)(&(t.target_length)(i64::from(m.target_s)), clock_words(t, m.clock)),
            m.margin_s(),
        );
    }
    h.push_str("</table>\n");
}
