//! The page's account of the input files: the identity of every file's
//! records and the rejects.

use super::*;

/// `read = accepted + rejected + ...` of one kind of file, in words.
fn identity_words(t: &Texts, c: &Counts, period: bool, ignored: bool) -> String {
    let mut s = (t.identity)(c.read, c.accepted, c.rejected, c.skipped);
    if period {
        s += &(t.identity_outside)(c.outside);
    }
    if ignored {
        s += &(t.identity_ignored)(c.ignored);
    }
    s
}

/// A customer's page: the files its figures come from, by name and digest
/// (their counts are the whole export's, so they are not shown).
pub(super) fn customer_inputs_section(h: &mut String, r: &ReportData<'_>) {
    let t = r.texts;
    let _ = writeln!(
        h,
        "<h2 id=\"inputs\">{}</h2>\n<p>{}</p>",
        t.customer_inputs_heading,
        (t.customer_inputs_note)(&esc(r.customer.unwrap_or_default()))
    );
    if let Some(note) = &r.input_note {
        let _ = writeln!(h, "<p>{}</p>", esc(note));
    }
    h.push_str("<table id=\"input-files\">");
    let [file, kind, .., sha256] = t.files_columns;
    header_row(h, &[file, kind, sha256]);
    for f in &r.evaluation.dataset.files {
        let kind = match f.kind {
            Kind::Tickets => t.kind_tickets,
            Kind::Changes => t.kind_changes,
        };
        let _ = writeln!(
            h,
            "<tr><td class=\"nw\"><code>{}</code></td><td>{kind}</td><td><code class=\"hash\">{}</code></td></tr>",
            esc(&f.path),
            esc(&f.sha256)
        );
    }
    h.push_str("</table>\n");
}

pub(super) fn rejects_section(h: &mut String, r: &ReportData<'_>) {
    let ds = &r.evaluation.dataset;
    let t = r.texts;
    let _ = writeln!(
        h,
        "<h2 id=\"rejects\">{}</h2>\n<p>{}</p>",
        t.rejects_heading,
        (t.rows_rejected)(ds.rejects.len()),
    );
    if let Some(note) = &r.input_note {
        let _ = writeln!(h, "<p>{}</p>", esc(note));
    }
    if !ds.rejects.is_empty() {
        h.push_str("<table>");
        header_row(h, &t.rejects_columns);
        for reason in crate::ingest::Reason::ALL {
            let n = ds.rejects.iter().filter(|x| x.reason == reason).count();
            if n > 0 {
                let _ = writeln!(
                    h,
                    "<tr><td>{}</td><td class=\"n\">{n}</td></tr>",
                    (t.reject_reason)(reason)
                );
            }
        }
        h.push_str("</table>\n");
    }
    // every record read is accounted for, per kind of file (a changes row
    // outside the period is one of a ticket outside it)
    let period = r.period.is_some();
    // history rows of other fields exist only in an import's long history
    let ignored = ds.files.iter().any(|f| f.counts.ignored > 0);
    h.push_str("<ul id=\"identity\">\n");
    for (kind, noun) in [
        (Kind::Tickets, t.ticket_rows),
        (Kind::Changes, t.change_rows),
    ] {
        let mut sum = Counts::default();
        let mut files = 0;
        for f in ds.files.iter().filter(|f| f.kind == kind) {
            sum.merge(&f.counts);
            files += 1;
        }
        let _ = if files == 0 {
            writeln!(h, "<li><b>{noun}:</b> {}.</li>", t.no_file_of_kind)
        } else {
            writeln!(
                h,
                "<li><b>{noun}:</b> {}.</li>",
                identity_words(t, &sum, period, ignored)
            )
        };
    }
    h.push_str("</ul>\n");
    let mismatches: u64 = ds.files.iter().map(|f| f.export_mismatches).sum();
    let columns = t.files_columns;
    h.push_str("<table id=\"input-files\"><thead><tr>");
    for (i, c) in columns.iter().enumerate() {
        // the period's and the ignored records' columns only when they count
        if (i == 6 && !period) || (i == 7 && !ignored) {
            continue;
        }
        let _ = write!(h, "<th>{c}</th>");
    }
    h.push_str("</tr></thead>\n");
    for f in &ds.files {
        let _ = write!(
            h,
            "<tr><td class=\"nw\"><code>{}</code></td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>",
            esc(&f.path),
            match f.kind {
                Kind::Tickets => t.kind_tickets,
                Kind::Changes => t.kind_changes,
            },
            f.counts.read,
            f.counts.accepted,
            f.counts.rejected,
            f.counts.skipped,
        );
        if period {
            let _ = write!(h, "<td class=\"n\">{}</td>", f.counts.outside);
        }
        if ignored {
            let _ = write!(h, "<td class=\"n\">{}</td>", f.counts.ignored);
        }
        let _ = writeln!(
            h,
            "<td class=\"n\">{}</td><td><code class=\"hash\">{}</code></td></tr>",
            f.warnings + f.export_mismatches,
            esc(&f.sha256)
        );
    }
    let _ = write!(h, "</table>\n<p class=\"note\">{}", t.warnings_note);
    if mismatches > 0 {
        h.push_str(&(t.warnings_mismatches)(mismatches));
    }
    let _ = writeln!(h, "{}</p>", t.warnings_where);
}
