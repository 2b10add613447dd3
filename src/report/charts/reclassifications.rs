//! The reclassification chart: the change matrices per plan and the
//! monthly share of reclassified tickets.

use super::*;

/// `reclassifications.png`: per plan, the from -> to matrix of effective
/// changes over the whole period (counts in the cells), and the monthly
/// share of tickets reclassified per plan.
pub fn reclassifications_png(data: &ChartData) -> Result<Figure> {
    let t = data.texts;
    render(RECLASSIFICATIONS_SIZE, |root| {
        let area = header(
            root,
            t.reclassifications_title,
            &t.reclassifications_subtitle,
        )?;
        if data.summary.is_empty() {
            return no_data(&area, t, t.reclassifications_no_data);
        }
        let (top, bottom) = area.split_vertically(400);
        flow_matrices(&top, data)?;
        monthly_share(root, &bottom, data)?;
        Ok(None)
    })
}

/// The top of reclassifications.png: per plan with tickets, the from -> to
/// matrix of effective changes, or one note when they cannot fit.
fn flow_matrices(top: &Area, data: &ChartData) -> Result<()> {
    let plans = &data.policy.plans;
    let t = data.texts;
    let (levels, k) = (&data.levels, data.levels.len());
    let counts = data.flow_matrix();
    let max = counts.values().copied().max().unwrap_or(0).max(1);
    // grid geometry: row labels on the left, column labels on top
    let (left, top_y) = (80, 78);
    let panel_w = top.dim_in_pixel().0 as i32 / data.plans.len().max(1) as i32;
    let side = |w: i32, h: i32| (w - left - 24).min(h - top_y - 12) / k.max(1) as i32;
    let cells = if side(panel_w, top.dim_in_pixel().1 as i32) >= MIN_MATRIX_CELL {
        top.split_evenly((1, data.plans.len().max(1)))
    } else {
        // more plans or levels than the image can show: the counts are
        // in reclassifications.csv, and the drawing stays bounded by
        // the image, not by the data
        let (w, h) = top.dim_in_pixel();
        let note = (t.matrix_too_large)(data.plans.len(), k);
        text(
            top,
            &note,
            (w as i32 / 2, h as i32 / 2),
            18.0,
            MUTED,
            CENTER,
        )?;
        Vec::new()
    };
    for (cell, &p) in cells.iter().zip(&data.plans) {
        let (w, h) = cell.dim_in_pixel();
        let cell_count = |f: u32, t: u32| counts.get(&(p, f, t)).copied().unwrap_or(0);
        let total: u64 = counts
            .range((p, 0, 0)..=(p, u32::MAX, u32::MAX))
            .map(|(_, c)| c)
            .sum();
        let side = side(w as i32, h as i32);
        let x0 = left + (w as i32 - left - 24 - side * k as i32) / 2;
        let mid_x = x0 + side * k as i32 / 2;
        text(
            cell,
            &format!("{}: {}", plans[p].name, t.count(total, t.change)),
            (mid_x, 4),
            20.0,
            INK,
            Pos::new(HPos::Center, VPos::Top),
        )?;
        text(
            cell,
            t.to_priority,
            (mid_x, 34),
            16.0,
            MUTED,
            Pos::new(HPos::Center, VPos::Top),
        )?;
        draw_text(
            cell,
            t.from_priority,
            (x0 - 56, top_y + side * k as i32 / 2),
            16.0,
            MUTED,
            CENTER,
            true,
        )?;
        for (j, &l) in levels.iter().enumerate() {
            text(
                cell,
                &format!("P{l}"),
                (x0 + side * j as i32 + side / 2, top_y - 4),
                16.0,
                INK,
                Pos::new(HPos::Center, VPos::Bottom),
            )?;
            text(
                cell,
                &format!("P{l}"),
                (x0 - 8, top_y + side * j as i32 + side / 2),
                16.0,
                INK,
                Pos::new(HPos::Right, VPos::Center),
            )?;
        }
        for (f, &from) in levels.iter().enumerate() {
            for (t, &to) in levels.iter().enumerate() {
                let c = cell_count(from, to);
                let (cx, cy) = (x0 + side * t as i32, top_y + side * f as i32);
                let rect = [(cx, cy), (cx + side, cy + side)];
                let (fill, label, ink) = if f == t {
                    (RGBColor(242, 242, 242), "\u{2013}".to_string(), MUTED)
                } else {
                    let s = c as f64 / max as f64;
                    let shade = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * s).round() as u8;
                    (
                        RGBColor(shade(247, 8), shade(251, 69), shade(255, 148)),
                        c.to_string(),
                        if s > 0.5 { WHITE } else { INK },
                    )
                };
                cell.draw(&Rectangle::new(rect, fill.filled()))?;
                cell.draw(&Rectangle::new(
                    rect,
                    ShapeStyle::from(&WHITE).stroke_width(2),
                ))?;
                text(
                    cell,
                    &label,
                    (cx + side / 2, cy + side / 2),
                    18.0,
                    ink,
                    CENTER,
                )?;
            }
        }
    }
    Ok(())
}

/// The bottom of reclassifications.png: per plan, the share of each month's
/// tickets that had an effective change.
fn monthly_share(root: &Area, bottom: &Area, data: &ChartData) -> Result<()> {
    let plans = &data.policy.plans;
    let t = data.texts;
    // monthly share reclassified per plan
    let n = data.months.len();
    // (tickets, reclassified) per plan with tickets and month index,
    // one pass over the summary rows
    let mut per_month = vec![vec![(0u64, 0u64); n]; data.plans.len()];
    for r in data.summary {
        if let (Ok(k), Some(i)) = (
            data.plans.binary_search(&(r.plan as usize)),
            data.month_index(r.month),
        ) {
            per_month[k][i].0 += r.tickets;
            per_month[k][i].1 += r.reclassified;
        }
    }
    let series: Vec<Vec<Option<f64>>> = per_month
        .iter()
        .map(|months| {
            months
                .iter()
                .map(|&(t, re)| (t > 0).then(|| 100.0 * re as f64 / t as f64))
                .collect()
        })
        .collect();
    let max_share = series
        .iter()
        .flatten()
        .flatten()
        .copied()
        .fold(0.0, f64::max);
    let hi = ((max_share / 10.0).floor() + 1.0) * 10.0;
    let entries: Vec<Entry> = data
        .plans
        .iter()
        .map(|&p| Entry {
            label: plans[p].name.clone(),
            color: data.plan_color(p),
        })
        .collect();
    let below = legend(bottom, &entries, (98, 8), 17.0)?;
    let plot = bottom.split_vertically(below).1;
    let x = (-0.5, n as f64 - 0.5);
    let mut chart = plot_in(&plot, x, (0.0, hi), false)?;
    not_selected_bands(root, &chart, t, &data.selected, (0.0, hi))?;
    draw_axes(
        root,
        &chart,
        &Axes {
            x,
            y: (0.0, hi),
            xticks: month_ticks(&data.months),
            yticks: percent_ticks(t, 0.0, hi, 10.0),
            xgrid: false,
            xdesc: t.month_axis,
            ydesc: t.reclassified_axis,
        },
    )?;
    for (&p, v) in data.plans.iter().zip(&series) {
        gapped_line(&mut chart, v, data.plan_color(p))?;
    }
    Ok(())
}
