//! The page's account of the input files: the identity of every file's
//! records and the rejects.

use super::*;

/// `read = accepted + rejected + ...` of one kind of file, in words.
fn identity_words(c: &Counts, period: bool, ignored: bool) -> String {
    let mut s = format!(
        "{} read = {} accepted + {} rejected + {} skipped (after as-of)",
        c.read, c.accepted, c.rejected, c.skipped
    );
    if period {
        let _ = write!(s, " + {} outside the period", c.outside);
    }
    if ignored {
        let _ = write!(s, " + {} ignored (other fields)", c.ignored);
    }
    s
}

/// A customer's page: the files its figures come from, by name and digest
/// (their counts are the whole export's, so they are not shown).
pub(super) fn customer_inputs_section(h: &mut String, r: &ReportData<'_>) {
    h.push_str("<h2 id=\"inputs\">Input files</h2>\n");
    let _ = writeln!(
        h,
        "<p>The figures above are those of the tickets whose <code>organization</code> is <b>{}</b> in the files below, and of no other; <a href=\"tickets.csv\"><code>tickets.csv</code></a> lists each of them with its verdict. Rows rejected while reading belong to no customer and are in the full report.</p>",
        esc(r.customer.unwrap_or_default())
    );
    if let Some(note) = &r.input_note {
        let _ = writeln!(h, "<p>{}</p>", esc(note));
    }
    h.push_str("<table id=\"input-files\"><tr><th>file</th><th>kind</th><th>SHA-256</th></tr>\n");
    for f in &r.evaluation.dataset.files {
        let _ = writeln!(
            h,
            "<tr><td class=\"nw\"><code>{}</code></td><td>{}</td><td><code class=\"hash\">{}</code></td></tr>",
            esc(&f.path),
            f.kind.as_str(),
            esc(&f.sha256)
        );
    }
    h.push_str("</table>\n");
}

pub(super) fn rejects_section(h: &mut String, r: &ReportData<'_>) {
    let ds = &r.evaluation.dataset;
    h.push_str("<h2 id=\"rejects\">Input files and rejected rows</h2>\n");
    let _ = writeln!(
        h,
        "<p><b>{} rows rejected</b>; each is listed with its file, line and reason in <a href=\"rejects.csv\"><code>rejects.csv</code></a>. Rejected rows do not enter any figure above.</p>",
        ds.rejects.len(),
    );
    if let Some(note) = &r.input_note {
        let _ = writeln!(h, "<p>{}</p>", esc(note));
    }
    if !ds.rejects.is_empty() {
        h.push_str("<table><tr><th>reason</th><th>rows</th></tr>\n");
        for reason in crate::ingest::Reason::ALL {
            let n = ds.rejects.iter().filter(|x| x.reason == reason).count();
            if n > 0 {
                let _ = writeln!(
                    h,
                    "<tr><td><code>{}</code></td><td class=\"n\">{n}</td></tr>",
                    reason.as_str()
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
        (Kind::Tickets, "Ticket rows"),
        (Kind::Changes, "Priority-change rows"),
    ] {
        let mut sum = Counts::default();
        let mut files = 0;
        for f in ds.files.iter().filter(|f| f.kind == kind) {
            sum.merge(&f.counts);
            files += 1;
        }
        let _ = if files == 0 {
            writeln!(h, "<li><b>{noun}:</b> no file of this kind was read.</li>")
        } else {
            writeln!(
                h,
                "<li><b>{noun}:</b> {}.</li>",
                identity_words(&sum, period, ignored)
            )
        };
    }
    h.push_str("</ul>\n");
    let mismatches: u64 = ds.files.iter().map(|f| f.export_mismatches).sum();
    h.push_str("<table id=\"input-files\"><tr><th>file</th><th>kind</th><th>records read</th><th>accepted</th><th>rejected</th><th>skipped (after as-of)</th>");
    if period {
        h.push_str("<th>outside the period</th>");
    }
    if ignored {
        h.push_str("<th>ignored (other fields)</th>");
    }
    h.push_str("<th>warnings</th><th>SHA-256</th></tr>\n");
    for f in &ds.files {
        let _ = write!(
            h,
            "<tr><td class=\"nw\"><code>{}</code></td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>",
            esc(&f.path),
            f.kind.as_str(),
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
    h.push_str("</table>\n<p class=\"note\">Warnings: priority changes whose <code>from_priority</code> disagreed with the replayed priority (the change still applied)");
    if mismatches > 0 {
        let _ = write!(
            h,
            "; and {mismatches} ticket(s) whose history ends on another priority than the export's (the history wins)"
        );
    }
    h.push_str(". Each is listed with its file, line and ticket in <a href=\"warnings.csv\"><code>warnings.csv</code></a> (written when there are any).</p>\n");
}
