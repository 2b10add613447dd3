//! The charts: `attainment.png`, `response_times.png` and
//! `reclassifications.png`, drawn with plotters into an in-memory RGB buffer
//! and encoded as PNG here, so that a chart is a pure function of its data
//! (the same data gives the same bytes) and only `OutputDir` touches files.
//!
//! Text is DejaVu Sans, compiled into the binary and rasterised with
//! `ab_glyph`: no system font is ever looked up, so a machine without any
//! fonts draws the same pixels. (plotters' own `ab_glyph` text drops each
//! glyph's side bearing, which spaces letters unevenly; so plotters draws
//! lines, areas and markers, and this module draws every label.)

use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::OnceLock;

use ab_glyph::{point, Font, FontRef, PxScale, ScaleFont};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::png::encode_png;
use crate::aggregate::{FlowRow, SummaryRow};
use crate::model::{month_text, MonthKey, Outcome, Status, Ticket};
use crate::policy::Policy;
use crate::report::lang::{Texts, EN};

mod reclassifications;

pub use reclassifications::reclassifications_png;

/// Size of `attainment.png` and `response_times.png`.
pub const CHART_SIZE: (u32, u32) = (1200, 800);
/// Size of `reclassifications.png`.
pub const RECLASSIFICATIONS_SIZE: (u32, u32) = (1200, 900);
/// Smallest readable cell of the reclassification matrix, in pixels.
const MIN_MATRIX_CELL: i32 = 16;

static DEJAVU_SANS: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

const INK: RGBColor = RGBColor(33, 33, 33);
const MUTED: RGBColor = RGBColor(85, 85, 85);
const RULE: RGBColor = RGBColor(150, 150, 150);
const GRID: RGBColor = RGBColor(225, 225, 225);
/// Okabe-Ito colours (distinguishable with colour-blindness), by priority
/// rank in policy order.
const PRIORITY_COLORS: [RGBColor; 7] = [
    RGBColor(213, 94, 0),
    RGBColor(0, 114, 178),
    RGBColor(0, 158, 115),
    RGBColor(230, 159, 0),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(0, 0, 0),
];
/// By plan, in policy order: none of them is a priority's colour, so that
/// a colour means one thing across the charts (Paul Tol's muted scheme,
/// also readable with colour-blindness).
const PLAN_COLORS: [RGBColor; 6] = [
    RGBColor(119, 119, 119),
    RGBColor(170, 68, 153),
    RGBColor(153, 153, 51),
    RGBColor(51, 34, 136),
    RGBColor(136, 34, 85),
    RGBColor(68, 170, 153),
];
/// The band over a month the period selection left out.
const NOT_SELECTED: RGBColor = RGBColor(236, 236, 236);

/// A chart that could not be drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartError(pub String);

impl fmt::Display for ChartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot draw chart: {}", self.0)
    }
}

impl std::error::Error for ChartError {}

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for ChartError {
    fn from(e: DrawingAreaErrorKind<E>) -> Self {
        ChartError(e.to_string())
    }
}

type Area<'a> = DrawingArea<BitMapBackend<'a>, Shift>;
type Chart<'a, 'b> =
    ChartContext<'a, BitMapBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;
type Result<T> = std::result::Result<T, ChartError>;

/// The embedded font, parsed once per process.
fn face() -> Result<&'static FontRef<'static>> {
    static FACE: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
    FACE.get_or_init(|| FontRef::try_from_slice(DEJAVU_SANS).ok())
        .as_ref()
        .ok_or_else(|| ChartError("the embedded font cannot be read".into()))
}

const TOP_LEFT: Pos = Pos {
    h_pos: HPos::Left,
    v_pos: VPos::Top,
};
const CENTER: Pos = Pos {
    h_pos: HPos::Center,
    v_pos: VPos::Center,
};

/// Width and height (ascent + descent) of `s` at `size` pixels.
fn measure(s: &str, size: f32) -> Result<(f32, f32)> {
    let font = face()?.as_scaled(PxScale::from(size));
    let mut width = 0.0;
    let mut prev = None;
    for c in s.chars() {
        let id = font.glyph_id(c);
        if let Some(p) = prev {
            width += font.kern(p, id);
        }
        width += font.h_advance(id);
        prev = Some(id);
    }
    Ok((width, font.ascent() - font.descent()))
}

/// Draws `s` anchored at `at` (area pixels) by `pos`; `upright` text reads
/// bottom to top (for vertical axis titles).
fn draw_text(
    area: &Area,
    s: &str,
    at: (i32, i32),
    size: f32,
    color: RGBColor,
    pos: Pos,
    upright: bool,
) -> Result<()> {
    let scale = PxScale::from(size);
    let font = face()?.as_scaled(scale);
    let (w, h) = measure(s, size)?;
    let left = match pos.h_pos {
        HPos::Left => 0.0,
        HPos::Center => -w / 2.0,
        HPos::Right => -w,
    };
    let top = match pos.v_pos {
        VPos::Top => 0.0,
        VPos::Center => -h / 2.0,
        VPos::Bottom => -h,
    };
    let mut pixels: Vec<(i32, i32, f32)> = Vec::new();
    let mut pen = 0.0;
    let mut prev = None;
    for c in s.chars() {
        let id = font.glyph_id(c);
        if let Some(p) = prev {
            pen += font.kern(p, id);
        }
        let glyph = id.with_scale_and_position(scale, point(left + pen, top + font.ascent()));
        if let Some(outline) = font.outline_glyph(glyph) {
            let b = outline.px_bounds();
            outline.draw(|x, y, coverage| {
                if coverage > 0.0 {
                    pixels.push((
                        b.min.x as i32 + x as i32,
                        b.min.y as i32 + y as i32,
                        coverage,
                    ));
                }
            });
        }
        pen += font.h_advance(id);
        prev = Some(id);
    }
    for (u, v, coverage) in pixels {
        // upright: the text box turned a quarter anticlockwise about `at`
        let (x, y) = if upright {
            (at.0 + v, at.1 - u)
        } else {
            (at.0 + u, at.1 + v)
        };
        area.draw_pixel((x, y), &color.mix(coverage.min(1.0) as f64))?;
    }
    Ok(())
}

fn text(area: &Area, s: &str, at: (i32, i32), size: f32, color: RGBColor, pos: Pos) -> Result<()> {
    draw_text(area, s, at, size, color, pos, false)
}

/// Axes, grid, tick labels and axis titles of a chart, drawn by hand (see
/// the module note); `root` is the whole image, as `backend_coord` answers
/// in image pixels.
struct Axes<'s> {
    x: (f64, f64),
    y: (f64, f64),
    xticks: Vec<(f64, String)>,
    yticks: Vec<(f64, String)>,
    xgrid: bool,
    xdesc: &'s str,
    ydesc: &'s str,
}

fn draw_axes(root: &Area, chart: &Chart, a: &Axes) -> Result<()> {
    let (left, bottom) = chart.backend_coord(&(a.x.0, a.y.0));
    let (right, top) = chart.backend_coord(&(a.x.1, a.y.1));
    let grid = ShapeStyle::from(&GRID).stroke_width(1);
    let ink = ShapeStyle::from(&INK).stroke_width(1);
    for (v, label) in &a.yticks {
        let (_, py) = chart.backend_coord(&(a.x.0, *v));
        root.draw(&PathElement::new(vec![(left, py), (right, py)], grid))?;
        root.draw(&PathElement::new(vec![(left - 6, py), (left, py)], ink))?;
        text(
            root,
            label,
            (left - 10, py),
            16.0,
            INK,
            Pos::new(HPos::Right, VPos::Center),
        )?;
    }
    for (v, label) in &a.xticks {
        let (px, _) = chart.backend_coord(&(*v, a.y.0));
        if a.xgrid {
            root.draw(&PathElement::new(vec![(px, top), (px, bottom)], grid))?;
        }
        root.draw(&PathElement::new(vec![(px, bottom), (px, bottom + 6)], ink))?;
        text(
            root,
            label,
            (px, bottom + 10),
            16.0,
            INK,
            Pos::new(HPos::Center, VPos::Top),
        )?;
    }
    root.draw(&PathElement::new(
        vec![(left, top), (left, bottom), (right, bottom)],
        ink,
    ))?;
    text(
        root,
        a.xdesc,
        ((left + right) / 2, bottom + 38),
        17.0,
        INK,
        Pos::new(HPos::Center, VPos::Top),
    )?;
    draw_text(
        root,
        a.ydesc,
        (left - 62, (top + bottom) / 2),
        17.0,
        INK,
        CENTER,
        true,
    )?;
    Ok(())
}

/// Month ticks where month `i` sits at `x = i`: every month, or every
/// k-th when there are more than twelve.
fn month_ticks(months: &[MonthKey]) -> Vec<(f64, String)> {
    let step = months.len().div_ceil(12).max(1);
    months
        .iter()
        .enumerate()
        .filter(|(i, _)| i % step == 0)
        .map(|(i, &m)| (i as f64, month_text(m)))
        .collect()
}

fn percent_ticks(t: &Texts, lo: f64, hi: f64, step: f64) -> Vec<(f64, String)> {
    let mut v = Vec::new();
    let mut y = lo;
    while y <= hi + 1e-9 {
        v.push((y, t.whole_percent(y)));
        y += step;
    }
    v
}

/// A plot inside `cell`: room for the caption, tick labels and axis titles.
fn plot_in<'a, 'b>(
    cell: &'a Area<'b>,
    x: (f64, f64),
    y: (f64, f64),
    caption: bool,
) -> Result<Chart<'a, 'b>> {
    Ok(ChartBuilder::on(cell)
        .margin(14)
        .margin_top(if caption { 44 } else { 14 })
        .margin_right(24)
        .x_label_area_size(64)
        .y_label_area_size(84)
        .build_cartesian_2d(x.0..x.1, y.0..y.1)?)
}

/// Draws a line per run of consecutive `Some` values, and a dot for each.
fn gapped_line(chart: &mut Chart, values: &[Option<f64>], color: RGBColor) -> Result<()> {
    let line = ShapeStyle::from(&color).stroke_width(3);
    let mut run: Vec<(f64, f64)> = Vec::new();
    for (i, a) in values.iter().chain([&None]).enumerate() {
        match a {
            Some(a) => run.push((i as f64, *a)),
            None => {
                if run.len() > 1 {
                    chart.draw_series(LineSeries::new(std::mem::take(&mut run), line))?;
                }
                run.clear();
            }
        }
    }
    chart.draw_series(
        values
            .iter()
            .enumerate()
            .filter_map(|(i, a)| a.map(|a| Circle::new((i as f64, a), 5, color.filled()))),
    )?;
    Ok(())
}

/// A grey band, labelled upright, over each month (at `x = i`) that the
/// period selection left out; drawn before the axes and lines.
fn not_selected_bands(
    root: &Area,
    chart: &Chart,
    t: &Texts,
    selected: &[bool],
    y: (f64, f64),
) -> Result<()> {
    for (i, _) in selected.iter().enumerate().filter(|(_, &s)| !s) {
        let x = i as f64;
        let (left, top) = chart.backend_coord(&(x - 0.5, y.1));
        let (right, bottom) = chart.backend_coord(&(x + 0.5, y.0));
        root.draw(&Rectangle::new(
            [(left, top), (right, bottom)],
            NOT_SELECTED.filled(),
        ))?;
        draw_text(
            root,
            t.not_selected,
            ((left + right) / 2, (top + bottom) / 2),
            16.0,
            MUTED,
            CENTER,
            true,
        )?;
    }
    Ok(())
}

/// Everything the charts show, taken from the same rows as the CSVs.
pub struct ChartData<'a> {
    pub policy: &'a Policy,
    /// Every month from the first to the last with tickets (gaps included).
    pub months: Vec<MonthKey>,
    pub summary: &'a [SummaryRow],
    pub flows: &'a [FlowRow],
    /// Per plan index and governing priority, `elapsed_s / target_s` of
    /// the answered (met or breached) tickets, sorted: one response-time
    /// curve each.
    pub curves: BTreeMap<(usize, u32), Vec<f64>>,
    /// Plans (index, policy order) with at least one ticket. The charts
    /// draw what the data uses, never every plan or level of the policy:
    /// a policy of a thousand levels and plans with one ticket draws one
    /// panel of one level, in memory and time bounded by the data.
    pub plans: Vec<usize>,
    /// Priority levels that are some ticket's governing priority or the
    /// end of an effective change, ascending.
    pub levels: Vec<u32>,
    /// Per plan with a target and tickets (policy order), the levels it
    /// has a target for and tickets of (ascending): the lines and curves.
    pub targeted: Vec<(usize, Vec<u32>)>,
    /// Per month of `months`, whether the period selection (if any) takes
    /// in any of its days.
    pub selected: Vec<bool>,
    /// The charts' language.
    pub texts: &'static Texts,
}

impl<'a> ChartData<'a> {
    pub fn new(
        policy: &'a Policy,
        tickets: &[Ticket],
        outcomes: &[Outcome],
        summary: &'a [SummaryRow],
        flows: &'a [FlowRow],
    ) -> ChartData<'a> {
        let months = match (
            summary.iter().map(|r| r.month).min(),
            summary.iter().map(|r| r.month).max(),
        ) {
            (Some(a), Some(b)) => (a..=b).collect(),
            _ => Vec::new(),
        };
        type Curves = BTreeMap<(usize, u32), Vec<f64>>;
        let mut curves = tickets
            .par_iter()
            .zip(outcomes)
            .fold(Curves::new, |mut curves, (t, o)| {
                if let (Status::Met | Status::Breached, Some(m)) = (o.status, o.measure) {
                    if m.target_s > 0 {
                        let ratio = m.elapsed_s as f64 / m.target_s as f64;
                        curves
                            .entry((t.plan(), o.governing))
                            .or_default()
                            .push(ratio);
                    }
                }
                curves
            })
            .reduce(Curves::new, |mut a, b| {
                for (cell, mut ratios) in b {
                    a.entry(cell).or_default().append(&mut ratios);
                }
                a
            });
        // sorted, the order in which the threads met them no longer shows
        curves
            .par_iter_mut()
            .for_each(|(_, ratios)| ratios.sort_unstable_by(f64::total_cmp));
        let used: BTreeSet<(usize, u32)> = summary
            .iter()
            .map(|r| (r.plan as usize, r.priority))
            .collect();
        let plans: BTreeSet<usize> = used.iter().map(|&(p, _)| p).collect();
        let levels: BTreeSet<u32> = used
            .iter()
            .map(|&(_, l)| l)
            .chain(flows.iter().flat_map(|r| [r.flow.from, r.flow.to]))
            .collect();
        let mut targeted: Vec<(usize, Vec<u32>)> = Vec::new();
        for &(p, level) in &used {
            if !policy.plans[p].targets.contains_key(&level) {
                continue;
            }
            match targeted.last_mut() {
                Some((q, levels)) if *q == p => levels.push(level),
                _ => targeted.push((p, vec![level])),
            }
        }
        ChartData {
            policy,
            summary,
            flows,
            curves,
            selected: vec![true; months.len()],
            texts: &EN,
            months,
            plans: plans.into_iter().collect(),
            levels: levels.into_iter().collect(),
            targeted,
        }
    }

    /// Marks the months that `period` leaves out.
    pub fn with_period(mut self, period: Option<&crate::period::Period>) -> Self {
        if let Some(period) = period {
            self.selected = self
                .months
                .iter()
                .map(|&m| period.selects_month(m))
                .collect();
        }
        self
    }

    /// Draws the texts in the language of `texts`.
    pub fn with_texts(mut self, texts: &'static Texts) -> Self {
        self.texts = texts;
        self
    }

    fn plan_color(&self, plan: usize) -> RGBColor {
        PLAN_COLORS[plan % PLAN_COLORS.len()]
    }

    /// Effective changes per (plan, from, to) over the whole period: only
    /// the cells the data has.
    pub fn flow_matrix(&self) -> BTreeMap<(usize, u32, u32), u64> {
        let mut counts = BTreeMap::new();
        for r in self.flows {
            *counts
                .entry((r.flow.plan as usize, r.flow.from, r.flow.to))
                .or_default() += r.changes;
        }
        counts
    }

    fn priority_rank(&self, level: u32) -> usize {
        self.policy
            .priorities
            .keys()
            .position(|&k| k == level)
            .unwrap_or(0)
    }

    fn priority_color(&self, level: u32) -> RGBColor {
        PRIORITY_COLORS[self.priority_rank(level) % PRIORITY_COLORS.len()]
    }

    fn month_index(&self, month: MonthKey) -> Option<usize> {
        let first = *self.months.first()?;
        let i = (month - first) as usize;
        (i < self.months.len()).then_some(i)
    }
}

/// Renders `draw` into a `w` x `h` RGB image and encodes it as PNG.
/// A chart drawn: its PNG, and the note it shows in place of a plot when
/// there is nothing to plot (so that a page can say so in a line).
pub struct Figure {
    pub png: Vec<u8>,
    pub no_data: Option<&'static str>,
}

/// What a chart's drawing showed: a plot, or the note of `no_data`.
type Shown = Option<&'static str>;

fn render(size: (u32, u32), draw: impl FnOnce(&Area) -> Result<Shown>) -> Result<Figure> {
    face()?;
    let (w, h) = size;
    let mut buf = vec![0u8; w as usize * h as usize * 3];
    let no_data = {
        let root = BitMapBackend::with_buffer(&mut buf, size).into_drawing_area();
        root.fill(&WHITE)?;
        let shown = draw(&root)?;
        root.present()?;
        shown
    };
    let png = encode_png(w, h, &buf).map_err(|e| ChartError(format!("png encoding: {e}")))?;
    Ok(Figure { png, no_data })
}

/// Title and subtitle lines at the top; returns the area below them.
fn header<'a>(root: &Area<'a>, title: &str, subtitle: &[&str]) -> Result<Area<'a>> {
    text(root, title, (24, 14), 28.0, INK, TOP_LEFT)?;
    let mut y = 56;
    for line in subtitle {
        text(root, line, (24, y), 17.0, MUTED, TOP_LEFT)?;
        y += 24;
    }
    Ok(root.split_vertically(y + 10).1)
}

/// A "no data" note in the middle of `area`.
fn no_data(area: &Area, t: &Texts, note: &'static str) -> Result<Shown> {
    let (w, h) = area.dim_in_pixel();
    let (cx, cy) = (w as i32 / 2, h as i32 / 2);
    let (tw, _) = measure(note, 18.0)?;
    let half = (tw as i32 / 2 + 40).max(200);
    area.draw(&Rectangle::new(
        [(cx - half, cy - 60), (cx + half, cy + 60)],
        ShapeStyle::from(&RULE).stroke_width(2),
    ))?;
    text(area, t.no_data, (cx, cy - 20), 30.0, INK, CENTER)?;
    text(area, note, (cx, cy + 24), 18.0, MUTED, CENTER)?;
    Ok(Some(note))
}

/// One legend entry: a line sample with a dot, and a label.
struct Entry {
    label: String,
    color: RGBColor,
}

/// Draws legend entries left to right from `(x, y)`, wrapping at the
/// area's width; returns the y below the last row.
fn legend(area: &Area, entries: &[Entry], (x0, y0): (i32, i32), size: f32) -> Result<i32> {
    let (w, _) = area.dim_in_pixel();
    let row_h = (size * 1.7) as i32;
    let (mut x, mut y) = (x0, y0);
    for e in entries {
        let (tw, _) = measure(&e.label, size)?;
        let needed = 44 + tw as i32 + 32;
        if x > x0 && x + needed > w as i32 - 10 {
            x = x0;
            y += row_h;
        }
        let mid = y + row_h / 2;
        area.draw(&PathElement::new(
            vec![(x, mid), (x + 34, mid)],
            ShapeStyle::from(&e.color).stroke_width(3),
        ))?;
        area.draw(&Circle::new((x + 17, mid), 5, e.color.filled()))?;
        text(
            area,
            &e.label,
            (x + 44, mid),
            size,
            INK,
            Pos::new(HPos::Left, VPos::Center),
        )?;
        x += needed;
    }
    Ok(y + row_h)
}

/// Splits `area` into one cell per panel, at most three per row.
fn panels<'a>(area: &Area<'a>, n: usize) -> Vec<Area<'a>> {
    let cols = n.clamp(1, 3);
    let rows = n.div_ceil(cols).max(1);
    area.split_evenly((rows, cols))
}

/// A panel caption, centred at the top of `cell`.
fn caption(cell: &Area, s: &str) -> Result<()> {
    let (w, _) = cell.dim_in_pixel();
    text(
        cell,
        s,
        (w as i32 / 2 + 35, 10),
        22.0,
        INK,
        Pos::new(HPos::Center, VPos::Top),
    )
}

/// `attainment.png`: attainment per month for every plan x priority with a
/// target, one panel per plan, against the 100% line; a month without
/// counted tickets is a gap in the line.
pub fn attainment_png(data: &ChartData) -> Result<Figure> {
    let t = data.texts;
    render(CHART_SIZE, |root| {
        let mut subtitle = t.attainment_subtitle.to_vec();
        if data.selected.contains(&false) {
            subtitle.push(t.attainment_band);
        }
        let area = header(root, t.attainment_title, &subtitle)?;
        let plans: Vec<usize> = data.targeted.iter().map(|&(p, _)| p).collect();
        // (plan, level) -> attainment % per month index, one pass over the
        // summary rows
        let mut values: BTreeMap<(usize, u32), Vec<Option<f64>>> = data
            .targeted
            .iter()
            .flat_map(|(p, levels)| {
                levels
                    .iter()
                    .map(|&l| ((*p, l), vec![None; data.months.len()]))
            })
            .collect();
        for r in data.summary {
            if let (Some(v), Some(i), Some(a)) = (
                values.get_mut(&(r.plan as usize, r.priority)),
                data.month_index(r.month),
                r.attainment_hundredths(),
            ) {
                v[i] = Some(a as f64 / 100.0);
            }
        }
        let values: Vec<(usize, u32, Vec<Option<f64>>)> =
            values.into_iter().map(|((p, l), v)| (p, l, v)).collect();
        let min = values
            .iter()
            .flat_map(|(_, _, v)| v.iter().flatten().copied())
            .fold(f64::INFINITY, f64::min);
        if !min.is_finite() {
            return no_data(&area, t, t.attainment_no_data);
        }
        // from 0: a shorter axis would magnify small differences
        let (lo, hi) = (0.0, 107.0);
        let mut levels: Vec<u32> = values.iter().map(|v| v.1).collect();
        levels.sort_unstable();
        levels.dedup();
        let entries: Vec<Entry> = levels
            .iter()
            .map(|&l| Entry {
                label: t.priority_label(data.policy, l),
                color: data.priority_color(l),
            })
            .collect();
        let below = legend(&area, &entries, (24, 0), 18.0)?;
        let area = area.split_vertically(below + 6).1;
        let n = data.months.len();
        let x = (-0.5, n as f64 - 0.5);
        for (cell, &p) in panels(&area, plans.len()).iter().zip(&plans) {
            caption(cell, &data.policy.plans[p].name)?;
            let mut chart = plot_in(cell, x, (lo, hi), true)?;
            not_selected_bands(root, &chart, t, &data.selected, (lo, hi))?;
            draw_axes(
                root,
                &chart,
                &Axes {
                    x,
                    y: (lo, hi),
                    xticks: month_ticks(&data.months),
                    yticks: percent_ticks(t, lo, 100.0, 20.0),
                    xgrid: false,
                    xdesc: t.month_axis,
                    ydesc: t.attainment_axis,
                },
            )?;
            chart.draw_series(LineSeries::new(
                [(x.0, 100.0), (x.1, 100.0)],
                ShapeStyle::from(&INK).stroke_width(2),
            ))?;
            let (px, py) = chart.backend_coord(&(x.1, 100.0));
            text(
                root,
                t.every_ticket_in_time,
                (px - 6, py - 5),
                15.0,
                INK,
                Pos::new(HPos::Right, VPos::Bottom),
            )?;
            for (_, level, v) in values.iter().filter(|(plan, _, _)| *plan == p) {
                gapped_line(&mut chart, v, data.priority_color(*level))?;
            }
        }
        Ok(None)
    })
}

/// `response_times.png`: per plan, the cumulative share of answered tickets
/// by response time as a multiple of the target (1.0 = the deadline), one
/// curve per priority with a target.
pub fn response_times_png(data: &ChartData) -> Result<Figure> {
    const X_MAX: f64 = 3.0;
    let t = data.texts;
    render(CHART_SIZE, |root| {
        let area = header(root, t.response_title, &t.response_subtitle)?;
        if data.curves.is_empty() || data.targeted.is_empty() {
            return no_data(&area, t, t.response_no_data);
        }
        let x = (0.0, X_MAX);
        let y = (0.0, 100.0);
        for (cell, (p, levels)) in panels(&area, data.targeted.len())
            .iter()
            .zip(&data.targeted)
        {
            let p = *p;
            let entries: Vec<(u32, &[f64])> = levels
                .iter()
                .map(|&l| (l, data.curves.get(&(p, l)).map_or(&[][..], |r| &r[..])))
                .collect();
            // the legend goes under the plot, one line per priority
            let legend_h = 28 * entries.len() as u32 + 10;
            let h = cell.dim_in_pixel().1;
            let (plot, below) = cell.split_vertically(h.saturating_sub(legend_h));
            caption(&plot, &data.policy.plans[p].name)?;
            let mut chart = plot_in(&plot, x, y, true)?;
            draw_axes(
                root,
                &chart,
                &Axes {
                    x,
                    y,
                    xticks: (0..=6).map(|i| (i as f64 * 0.5, t.tenths(i * 5))).collect(),
                    yticks: percent_ticks(t, 0.0, 100.0, 20.0),
                    xgrid: true,
                    xdesc: t.response_x_axis,
                    ydesc: t.response_y_axis,
                },
            )?;
            // the deadline, dashed
            let dash = ShapeStyle::from(&INK).stroke_width(2);
            let mut v: f64 = 0.0;
            while v < 100.0 {
                chart.draw_series(LineSeries::new(
                    [(1.0, v), (1.0, (v + 3.0).min(100.0))],
                    dash,
                ))?;
                v += 5.0;
            }
            let (px, py) = chart.backend_coord(&(1.0, 0.0));
            text(
                root,
                t.deadline,
                (px + 6, py - 6),
                15.0,
                INK,
                Pos::new(HPos::Left, VPos::Bottom),
            )?;
            let mut rows = Vec::new();
            for (level, r) in &entries {
                let color = data.priority_color(*level);
                let n = r.len();
                let beyond = r.iter().filter(|&&v| v > X_MAX).count();
                let within = r.iter().filter(|&&v| v <= 1.0).count();
                let mut label = (t.answered)(&t.priority_label(data.policy, *level), n);
                if n > 0 {
                    label.push_str(&(t.in_time)(within));
                }
                if beyond > 0 {
                    label.push_str(&(t.beyond)(beyond));
                }
                rows.push(Entry { label, color });
                if n == 0 {
                    continue;
                }
                // the empirical distribution: after the i-th fastest
                // response, (i + 1) / n of the tickets are answered
                let mut pts = vec![(0.0, 0.0), (r[0].min(X_MAX), 0.0)];
                let mut share = 0.0;
                for (i, &v) in r.iter().enumerate() {
                    if v > X_MAX {
                        break;
                    }
                    share = 100.0 * (i + 1) as f64 / n as f64;
                    pts.push((v, share));
                }
                pts.push((X_MAX, share));
                chart.draw_series(LineSeries::new(
                    pts,
                    ShapeStyle::from(&color).stroke_width(2),
                ))?;
            }
            let mut ly = 0;
            for e in &rows {
                ly = legend(&below, std::slice::from_ref(e), (98, ly), 16.0)?;
            }
        }
        Ok(None)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::Flow;

    /// Regression: a valid policy of 1000 levels and 1024 plans with one
    /// reclassified ticket needed plans x levels x levels counts (8.2 GB)
    /// and a minute of drawing; the charts now keep what the data uses.
    #[test]
    fn many_levels_and_plans_with_one_ticket_chart_one_plan_and_two_levels() {
        let policy = Policy::from_toml(include_str!(
            "../../../tests/fixtures/hostile/many_levels_and_plans.toml"
        ))
        .unwrap();
        assert_eq!((policy.plans.len(), policy.priorities.len()), (1024, 1000));
        let month = crate::model::month_key(2026, 3);
        let summary = [SummaryRow {
            month,
            plan: 0,
            priority: 1,
            tickets: 1,
            by_status: [1, 0, 0, 0, 0, 0],
            reclassified: 1,
            median_elapsed_s: Some(60),
            p90_elapsed_s: Some(60),
        }];
        let flows = [FlowRow {
            flow: Flow {
                month,
                plan: 0,
                from: 1000,
                to: 1,
            },
            changes: 1,
        }];
        let data = ChartData::new(&policy, &[], &[], &summary, &flows);
        assert_eq!(data.plans, [0]);
        assert_eq!(data.levels, [1, 1000]);
        assert_eq!(data.targeted, [(0, vec![1])]);
        assert_eq!(data.flow_matrix().len(), 1);
        // no ticket is given, so there is no response time to plot: that
        // chart says so, and reports it
        let t = data.texts;
        for (png, no_data) in [
            (attainment_png(&data), None),
            (response_times_png(&data), Some(t.response_no_data)),
            (reclassifications_png(&data), None),
        ] {
            let figure = png.unwrap();
            assert!(figure.png.starts_with(b"\x89PNG"));
            assert_eq!(figure.no_data, no_data);
        }
        // forty levels in use do not fit the matrix: a note, not 1600
        // unreadable cells
        let many: Vec<SummaryRow> = (1..=40)
            .map(|priority| SummaryRow {
                priority,
                ..summary[0].clone()
            })
            .collect();
        let data = ChartData::new(&policy, &[], &[], &many, &flows);
        assert_eq!(data.levels.len(), 41);
        assert!(reclassifications_png(&data).is_ok());
    }
}
