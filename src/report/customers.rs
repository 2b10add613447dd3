//! `--per-customer`: one folder per organization under `customers/`, named
//! by [`folder_names`], each holding that customer's report.html,
//! tickets.csv and summary.csv over only its tickets, written by the main
//! report's writers from a subset of the run ([`Evaluation::subset`]); and
//! `customers/index.csv`, the list.

use std::io::{self, Write};
use std::path::Path;

use sha2::{Digest, Sha256};

use super::csv::{to_io, writer};
use super::output_dir::{is_folder_name, CUSTOMERS, CUSTOMER_INDEX, FOLDER_LIMIT};
use super::{csv, draw_charts, render_page, OutputDir, OutputError, Report};
use crate::aggregate::{attainment_hundredths, percent_text};
use crate::evaluation::Evaluation;
use crate::model::Status;

/// The folder of the tickets without an organization: it starts with `_`,
/// which no organization's folder does but a reserved name's (`_con`).
pub const NO_ORGANIZATION: &str = "_no-organization";

/// The folder names come from at most this many bytes of the slug.
const SLUG_LIMIT: usize = 80;

/// Hex digits of the name's SHA-256 that tell apart two organizations with
/// the same slug.
const DIGEST_HEX: usize = 8;

/// One customer of `--per-customer`: an organization (index into
/// `Dataset::organizations`; 0 is the empty one), its folder and its
/// tickets in input order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customer {
    pub organization: u32,
    pub folder: String,
    pub tickets: Vec<u32>,
}

/// The customers of an evaluated run, sorted by organization (its UTF-8
/// bytes, the empty one first), each with its folder; an error when two
/// organizations would share a folder.
pub fn customers(ev: &Evaluation) -> Result<Vec<Customer>, String> {
    let orgs = &ev.dataset.organizations;
    let mut tickets: Vec<Vec<u32>> = vec![Vec::new(); orgs.len()];
    for (i, t) in ev.dataset.tickets.iter().enumerate() {
        tickets[t.organization as usize].push(i as u32);
    }
    let mut present: Vec<u32> = (0..orgs.len() as u32)
        .filter(|&o| !tickets[o as usize].is_empty())
        .collect();
    present.sort_by(|&a, &b| orgs.name(a).cmp(orgs.name(b)));
    let names: Vec<&str> = present.iter().map(|&o| orgs.name(o)).collect();
    let folders = folder_names(&names)?;
    Ok(present
        .into_iter()
        .zip(folders)
        .map(|(organization, folder)| Customer {
            organization,
            folder,
            tickets: std::mem::take(&mut tickets[organization as usize]),
        })
        .collect())
}

/// The ASCII transliteration of a common Latin letter (lowercase), if it
/// has one.
fn transliterate(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'č' | 'ĉ' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'ğ' => "g",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => "i",
        'ľ' | 'ĺ' | 'ł' => "l",
        'ñ' | 'ń' | 'ň' | 'ņ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'œ' => "oe",
        'ŕ' | 'ř' => "r",
        'ś' | 'š' | 'ş' | 'ș' => "s",
        'ß' => "ss",
        'ť' | 'ţ' | 'ț' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        'þ' => "th",
        _ => return None,
    })
}

/// A readable ASCII form of an organization's name: common Latin letters
/// transliterated (`å` -> `a`, `ß` -> `ss`), lowercase, every run of other
/// characters one `-`, none at either end, at most [`SLUG_LIMIT`] bytes.
/// Only `a-z`, `0-9` and `-`: never a path, a dot or a hidden name.
pub fn slug(name: &str) -> String {
    let mut s = String::new();
    let mut gap = false;
    for c in name.chars().flat_map(char::to_lowercase) {
        let mut one = [0u8; 4];
        let part = match c {
            'a'..='z' | '0'..='9' => Some(&*c.encode_utf8(&mut one)),
            _ => transliterate(c),
        };
        match part {
            Some(part) => {
                if gap && !s.is_empty() {
                    s.push('-');
                }
                gap = false;
                s.push_str(part);
            }
            // a combining mark (an accent written apart) is dropped, not a gap
            None if is_combining(c) => {}
            None => gap = true,
        }
        if s.len() >= SLUG_LIMIT {
            break;
        }
    }
    s.truncate(SLUG_LIMIT);
    s.truncate(s.trim_end_matches('-').len());
    s
}

/// Combining diacritical marks (U+0300..U+036F).
fn is_combining(c: char) -> bool {
    ('\u{300}'..='\u{36f}').contains(&c)
}

/// Names Windows reserves for devices, whatever follows a dot.
fn is_reserved(slug: &str) -> bool {
    matches!(slug, "con" | "prn" | "aux" | "nul")
        || (slug.len() == 4
            && (slug.starts_with("com") || slug.starts_with("lpt"))
            && matches!(slug.as_bytes()[3], b'1'..=b'9'))
}

/// The folder of one organization before collisions are settled: its slug,
/// or a safe form of a reserved (`_con`) or empty one (`_unnamed`); the
/// empty organization's is [`NO_ORGANIZATION`].
fn base_folder(name: &str) -> String {
    if name.is_empty() {
        return NO_ORGANIZATION.to_string();
    }
    let s = slug(name);
    if s.is_empty() {
        "_unnamed".to_string()
    } else if is_reserved(&s) {
        format!("_{s}")
    } else {
        s
    }
}

/// The first [`DIGEST_HEX`] hex digits of the SHA-256 of `name`.
fn short_digest(name: &str) -> String {
    let mut hex = format!("{:x}", Sha256::digest(name.as_bytes()));
    hex.truncate(DIGEST_HEX);
    hex
}

/// The folder of each of `names` (distinct organizations): its base folder,
/// and when two or more share one, each of them with `-` and a short digest
/// of its exact name appended, so that a name keeps its folder from month to
/// month. Fails, naming them, when two names still share a folder.
pub fn folder_names(names: &[&str]) -> Result<Vec<String>, String> {
    let bases: Vec<String> = names.iter().map(|n| base_folder(n)).collect();
    let mut shared = std::collections::HashMap::<&str, usize>::new();
    for b in &bases {
        *shared.entry(b).or_default() += 1;
    }
    let folders: Vec<String> = names
        .iter()
        .zip(&bases)
        .map(|(name, base)| {
            if shared[base.as_str()] == 1 {
                return base.clone();
            }
            let mut base = base.clone();
            base.truncate(SLUG_LIMIT - 1 - DIGEST_HEX);
            format!("{}-{}", base.trim_end_matches('-'), short_digest(name))
        })
        .collect();
    let mut seen = std::collections::HashMap::<&str, &str>::new();
    for (folder, name) in folders.iter().zip(names) {
        debug_assert!(is_folder_name(folder) && folder.len() <= FOLDER_LIMIT);
        if let Some(other) = seen.insert(folder, name) {
            return Err(format!(
                "--per-customer: the organizations {other:?} and {name:?} would share the \
                 folder customers/{folder}; rename one of them"
            ));
        }
    }
    Ok(folders)
}

/// One customer's report, ready to write: its evaluation and its page.
struct Prepared<'a> {
    customer: &'a Customer,
    name: &'a str,
    evaluation: Evaluation,
    page: Option<Vec<u8>>,
}

/// A customer's evaluation, charts and page (everything but tickets.csv,
/// which is formatted as it is written).
fn prepare<'a>(
    r: &Report<'a>,
    dir: &Path,
    customer: &'a Customer,
) -> Result<Prepared<'a>, CustomerError> {
    let ev = r.evaluation;
    let name = ev.dataset.organizations.name(customer.organization);
    let evaluation = ev.subset(r.policy, &customer.tickets)?;
    let page = if r.charts {
        let report = customer_report(r, &evaluation, name);
        let pngs = draw_charts(&report, &dir.join(CUSTOMERS).join(&customer.folder))?;
        // the page's sections from the analysis are not on a customer's
        Some(render_page(
            &report,
            &crate::analysis::Analysis::default(),
            &pngs,
        ))
    } else {
        None
    };
    Ok(Prepared {
        customer,
        name,
        evaluation,
        page,
    })
}

/// The report of one customer: `r` over `evaluation`, that customer's.
fn customer_report<'a>(r: &Report<'a>, evaluation: &'a Evaluation, name: &'a str) -> Report<'a> {
    Report {
        evaluation,
        customer: Some(name),
        per_customer: None,
        parquet: false,
        ..*r
    }
}

/// Writes a prepared customer's files into its folder.
fn write_customer(
    out: &mut OutputDir,
    r: &Report<'_>,
    c: &Prepared<'_>,
) -> Result<(), OutputError> {
    let report = customer_report(r, &c.evaluation, c.name);
    let path = |file: &str| format!("{CUSTOMERS}/{}/{file}", c.customer.folder);
    out.write(&path("tickets.csv"), |w| csv::write_tickets(w, &report))?;
    out.write(&path("summary.csv"), |w| csv::write_summary(w, &report))?;
    if let Some(page) = &c.page {
        out.write(&path("report.html"), |w| w.write_all(page))?;
    }
    Ok(())
}

/// Writes `customers/index.csv` and every customer's folder into `out`.
/// While one customer's files are written, the next one's evaluation,
/// charts and page are made: two customers in memory at a time.
pub(super) fn write_all(
    out: &mut OutputDir,
    dir: &Path,
    r: &Report<'_>,
    customers: &[Customer],
) -> Result<(), CustomerError> {
    let mut index = Vec::with_capacity(customers.len());
    let mut next = customers.first().map(|c| prepare(r, dir, c)).transpose()?;
    let mut rest = customers.iter().skip(1);
    while let Some(current) = next.take() {
        let following = rest.next();
        let (written, prepared) = rayon::join(
            || write_customer(out, r, &current),
            || following.map(|c| prepare(r, dir, c)).transpose(),
        );
        written?;
        next = prepared?;
        index.push(IndexRow::of(
            current.name,
            &current.customer.folder,
            &current.evaluation,
        ));
    }
    out.write(CUSTOMER_INDEX, |w| write_index(w, &index))?;
    Ok(())
}

/// A failure while writing the customers' reports.
#[derive(Debug)]
pub enum CustomerError {
    Output(OutputError),
    Aggregate(polars::error::PolarsError),
}

impl From<OutputError> for CustomerError {
    fn from(e: OutputError) -> Self {
        CustomerError::Output(e)
    }
}

impl From<polars::error::PolarsError> for CustomerError {
    fn from(e: polars::error::PolarsError) -> Self {
        CustomerError::Aggregate(e)
    }
}

/// One row of index.csv: a customer's counts over all its summary rows.
struct IndexRow<'a> {
    organization: &'a str,
    folder: &'a str,
    tickets: u64,
    met: u64,
    breached: u64,
    open: u64,
    open_breached: u64,
    counted: u64,
}

impl<'a> IndexRow<'a> {
    fn of(organization: &'a str, folder: &'a str, sub: &Evaluation) -> IndexRow<'a> {
        let mut row = IndexRow {
            organization,
            folder,
            tickets: 0,
            met: 0,
            breached: 0,
            open: 0,
            open_breached: 0,
            counted: 0,
        };
        for s in &sub.summary {
            row.tickets += s.tickets;
            row.met += s.count(Status::Met);
            row.breached += s.count(Status::Breached);
            row.open += s.count(Status::Open);
            row.open_breached += s.count(Status::OpenBreached);
            row.counted += s.counted();
        }
        row
    }
}

/// The columns of index.csv.
pub const INDEX_HEADER: [&str; 8] = [
    "organization",
    "folder",
    "tickets",
    "met",
    "breached",
    "open",
    "open_breached",
    "attainment_pct",
];

fn write_index<W: Write>(w: W, rows: &[IndexRow<'_>]) -> io::Result<()> {
    let mut out = writer(w);
    out.write_record(INDEX_HEADER).map_err(to_io)?;
    for r in rows {
        let attainment = attainment_hundredths(r.met, r.counted).map(percent_text);
        out.write_record([
            r.organization.to_string(),
            r.folder.to_string(),
            r.tickets.to_string(),
            r.met.to_string(),
            r.breached.to_string(),
            r.open.to_string(),
            r.open_breached.to_string(),
            attainment.unwrap_or_default(),
        ])
        .map_err(to_io)?;
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_readable_ascii() {
        assert_eq!(slug("Åre Bygg AB"), "are-bygg-ab");
        assert_eq!(slug("åre bygg ab"), "are-bygg-ab");
        assert_eq!(slug("Ödeshög Öl & Café"), "odeshog-ol-cafe");
        assert_eq!(
            slug("Straße Søren Æbleø Müller"),
            "strasse-soren-aebleo-muller"
        );
        assert_eq!(slug("\"Quoted\" Ltd"), "quoted-ltd");
        assert_eq!(slug("Acme, Inc."), "acme-inc");
        // an accent written apart (e + U+0301) is dropped, not a gap
        assert_eq!(slug("Cafe\u{301} Noir"), "cafe-noir");
        assert_eq!(slug("Kovač s.r.o."), "kovac-s-r-o");
        assert_eq!(slug("東京 Tokyo 株式会社"), "tokyo");
    }

    #[test]
    fn hostile_names_give_plain_folder_names() {
        for (name, folder) in [
            ("../x", "x"),
            ("../../etc/passwd", "etc-passwd"),
            ("/", "_unnamed"),
            ("\\", "_unnamed"),
            ("a\\b/c", "a-b-c"),
            ("nul\0byte", "nul-byte"),
            ("\0", "_unnamed"),
            ("...", "_unnamed"),
            (".", "_unnamed"),
            ("CON", "_con"),
            ("  con  ", "_con"),
            ("con.txt", "con-txt"),
            ("PRN", "_prn"),
            ("Aux", "_aux"),
            ("NUL", "_nul"),
            ("COM1", "_com1"),
            ("lpt9", "_lpt9"),
            ("COM0", "com0"),
            ("com10", "com10"),
            ("東京", "_unnamed"),
            ("", NO_ORGANIZATION),
        ] {
            assert_eq!(base_folder(name), folder, "{name:?}");
            assert!(is_folder_name(&base_folder(name)));
        }
        let long = "Å".repeat(300);
        assert_eq!(base_folder(&long), "a".repeat(SLUG_LIMIT));
        let words = "ab ".repeat(100);
        let s = slug(&words);
        assert!(s.len() <= SLUG_LIMIT && !s.ends_with('-'), "{s}");
    }

    #[test]
    fn organizations_with_the_same_slug_each_get_a_digest_of_their_name() {
        let names = ["Acme", "Åre Bygg AB", "åre bygg ab", "x"];
        let folders = folder_names(&names).unwrap();
        assert_eq!(folders[0], "acme");
        assert_eq!(folders[3], "x");
        assert_eq!(
            folders[1],
            format!("are-bygg-ab-{}", short_digest("Åre Bygg AB"))
        );
        assert_eq!(
            folders[2],
            format!("are-bygg-ab-{}", short_digest("åre bygg ab"))
        );
        assert_ne!(folders[1], folders[2]);
        // the same name keeps its folder whoever else is there
        let again = folder_names(&["Åre Bygg AB", "ÅRE BYGG AB"]).unwrap();
        assert_eq!(again[0], folders[1]);
        // long names with a digest stay within the limit
        let long = ["Å".repeat(300), "å".repeat(300)];
        let folders = folder_names(&[&long[0], &long[1]]).unwrap();
        for f in &folders {
            assert!(f.len() <= SLUG_LIMIT && is_folder_name(f), "{f}");
        }
    }

    #[test]
    fn two_organizations_on_one_folder_are_an_error_not_an_overwrite() {
        // "acme" and "ACME" share a slug and get digests; a third name
        // spelling out one of those folders collides
        let folded = format!("acme-{}", short_digest("ACME"));
        let err = folder_names(&["acme", "ACME", &folded]).unwrap_err();
        assert!(err.contains(&format!("customers/{folded}")), "{err}");
    }
}
