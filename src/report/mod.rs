//! The output files of a run, written from a [`Report`]: the contract's CSV
//! files and run.json, the analysis files, the optional Parquet files, the
//! charts and report.html. Each file writer takes an `impl Write` and the
//! report; [`OutputDir`] is the only place that touches the output folder.
//! [`each_ticket_column`] is the one list of the columns of tickets.csv and
//! tickets.parquet.

pub mod analysis;
pub mod charts;
pub mod columns;
pub mod csv;
pub mod customers;
pub mod html;
pub mod json;
pub mod lang;
pub mod output_dir;
pub mod parquet;
pub mod png;

use std::path::Path;

pub use columns::{each_ticket_column, ticket_columns, TicketRow, Value};
pub use output_dir::{refuse_overwriting_inputs, OutputDir, OutputError};

use crate::evaluation::Evaluation;
use crate::ingest::{Customers, Encoding};
use crate::period::Period;
use crate::policy::Policy;
use crate::profile::Profile;

/// What the reports are written from: a run's results and the choices that
/// shape the report, nothing of the command line.
#[derive(Clone, Copy)]
pub struct Report<'a> {
    pub policy: &'a Policy,
    /// How the inputs were read (`--format` / `--profile`).
    pub profile: &'a Profile,
    /// `--customers`, when given.
    pub customers: Option<&'a Customers>,
    /// `--encoding` of the CSV inputs.
    pub encoding: Encoding,
    pub evaluation: &'a Evaluation,
    /// `--input-tz` as given.
    pub input_tz: &'a str,
    /// `--month` / `--from` / `--until`, when given.
    pub period: Option<&'a Period>,
    /// Also tickets.parquet and summary.parquet.
    pub parquet: bool,
    /// Also the charts and report.html.
    pub charts: bool,
    /// `--per-customer`: the customers, each written into its folder.
    pub per_customer: Option<&'a [customers::Customer]>,
    /// The organization this report is about (a customer's own report).
    pub customer: Option<&'a str>,
    /// The language of report.html and the charts (`--lang`).
    pub lang: lang::Lang,
}

/// The page's sentence on how a helpdesk export was read.
fn input_note(r: &Report<'_>) -> Option<String> {
    if r.profile.is_native() && r.customers.is_none() {
        return None;
    }
    let t = r.lang.texts();
    let mut note = match r.profile.built_in_name() {
        Some(name) => (t.read_as_export)(name),
        None => (t.read_through_profile)(&r.profile.name),
    };
    match r.customers {
        // a customer's own page says nothing of how many others there are,
        // and gives the file's digest for its auditor
        Some(c) if r.customer.is_some() => {
            note += &(t.plans_from_customers_digest)(&c.path, &c.sha256);
        }
        Some(c) => note += &(t.plans_from_customers)(&c.path, c.len()),
        None => {}
    }
    Some(note)
}

/// The contract's report files (CONTRACT.md section 6), written by every
/// run; checked against the inputs before anything is read (every other
/// output is checked when written: `OutputDir::protect`).
pub const REPORT_FILES: [&str; 5] = [
    "tickets.csv",
    "summary.csv",
    "reclassifications.csv",
    "rejects.csv",
    "run.json",
];

/// One chart of the page: its file, its title and how to read it (in a
/// language's catalogue), and how to draw it.
struct ChartSpec {
    file: &'static str,
    text: fn(&lang::Texts) -> &lang::ChartCaption,
    draw: fn(&charts::ChartData) -> Result<charts::Figure, charts::ChartError>,
}

/// The charts, in the page's order.
const CHARTS: [ChartSpec; 3] = [
    ChartSpec {
        file: "attainment.png",
        text: |t| &t.attainment_chart,
        draw: charts::attainment_png,
    },
    ChartSpec {
        file: "response_times.png",
        text: |t| &t.response_times_chart,
        draw: charts::response_times_png,
    },
    ChartSpec {
        file: "reclassifications.png",
        text: |t| &t.reclassifications_chart,
        draw: charts::reclassifications_png,
    },
];

/// The charts, drawn in memory (they are small) as (file name, figure);
/// `dir` is the output folder, for messages.
pub(crate) fn draw_charts(
    r: &Report<'_>,
    dir: &Path,
) -> Result<Vec<(&'static str, charts::Figure)>, OutputError> {
    let ev = r.evaluation;
    let ds = &ev.dataset;
    let data = charts::ChartData::new(r.policy, &ds.tickets, &ev.outcomes, &ev.summary, &ev.flows)
        .with_period(r.period)
        .with_texts(r.lang.texts());
    // the charts are independent: drawn and encoded in parallel
    let drawn: Vec<Result<charts::Figure, charts::ChartError>> = {
        use rayon::prelude::*;
        CHARTS.par_iter().map(|c| (c.draw)(&data)).collect()
    };
    let mut pngs = Vec::with_capacity(CHARTS.len());
    for (spec, png) in CHARTS.iter().zip(drawn) {
        let png = png.map_err(|e| {
            OutputError::io(&dir.join(spec.file), std::io::Error::other(e.to_string()))
        })?;
        pngs.push((spec.file, png));
    }
    Ok(pngs)
}

/// report.html, with the charts `pngs` (in `CHARTS` order) and the analysis.
pub(crate) fn render_page(
    r: &Report<'_>,
    analysis: &crate::analysis::Analysis,
    pngs: &[(&'static str, charts::Figure)],
) -> Vec<u8> {
    let ev = r.evaluation;
    let texts = r.lang.texts();
    let page = html::ReportData {
        policy: r.policy,
        input_tz: r.input_tz,
        period: r.period,
        evaluation: ev,
        analysis,
        input_note: input_note(r),
        customer: r.customer,
        charts: CHARTS
            .iter()
            .zip(pngs)
            .map(|(spec, (_, figure))| html::Chart {
                file: spec.file,
                title: (spec.text)(texts).title,
                caption: (spec.text)(texts).caption,
                png: &figure.png,
                no_data: figure.no_data,
            })
            .collect(),
        texts,
    };
    html::render(&page).into_bytes()
}

/// Writes every output of `r` into `dir`, refusing to overwrite any of
/// `inputs`, and commits them all or none (run.json, which lists the others
/// with their digests, is written last). `analyze` computes the analysis
/// while tickets.csv, by far the largest output, is formatted and written,
/// and the charts are drawn; the page, which shows the analysis, follows.
pub fn write_all<E, P>(
    dir: &Path,
    inputs: &[P],
    r: &Report<'_>,
    analyze: impl FnOnce() -> Result<crate::analysis::Analysis, E> + Send,
) -> Result<(), E>
where
    E: From<OutputError> + From<polars::error::PolarsError> + Send,
    P: AsRef<Path>,
{
    let mut out = OutputDir::create(dir)?.protect(inputs);
    let (analysis, (tickets, rendered)) = rayon::join(analyze, || {
        rayon::join(
            || out.write("tickets.csv", |w| csv::write_tickets(w, r)),
            || {
                if r.charts {
                    draw_charts(r, dir).map(Some)
                } else {
                    Ok(None)
                }
            },
        )
    });
    let analysis = analysis?;
    tickets?;
    // the page shows the analysis, so it is rendered once that is done
    let rendered = rendered?.map(|figures| {
        let page = render_page(r, &analysis, &figures);
        let mut files: Vec<(&str, Vec<u8>)> =
            figures.into_iter().map(|(name, f)| (name, f.png)).collect();
        files.push(("report.html", page));
        files
    });
    out.write("summary.csv", |w| csv::write_summary(w, r))?;
    out.write("reclassifications.csv", |w| {
        csv::write_reclassifications(w, r)
    })?;
    out.write("rejects.csv", |w| csv::write_rejects(w, r))?;
    if !r.evaluation.warnings.is_empty() {
        out.write("warnings.csv", |w| csv::write_warnings(w, r))?;
    }
    analysis::write_all(&mut out, r, &analysis)?;
    if r.parquet {
        out.write("tickets.parquet", |w| parquet::write_tickets(w, r))?;
        out.write("summary.parquet", |w| parquet::write_summary(w, r))?;
    }
    for (name, bytes) in rendered.into_iter().flatten() {
        out.write(name, |w| w.write_all(&bytes))?;
    }
    if let Some(list) = r.per_customer {
        customers::write_all(&mut out, dir, r, list).map_err(|e| match e {
            customers::CustomerError::Output(e) => E::from(e),
            customers::CustomerError::Aggregate(e) => E::from(e),
        })?;
    }
    // last: run.json lists every other file with its digest
    let outputs = out.written();
    out.write("run.json", |w| json::write_run_json(w, r, &outputs))?;
    out.commit()?;
    Ok(())
}
