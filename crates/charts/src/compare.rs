//! Compare-areas chart: one indicator, many areas, one year, as sorted horizontal bars
//! with confidence whiskers and a benchmark line (BENCHMARKING.md section 8).

use std::fmt::Write;

use serde::{Deserialize, Serialize};

use crate::format::{format_number, nice_ticks, ticks_decimals};
use crate::svg::{
    chart_width, document, ellipsize, esc, footer, header, legend, marker, text, text_width,
    Anchor, Style, Swatch, AXIS, FONT, GRID, INK, MARGIN, MUTED, N, SMALL,
};
use crate::trend::Linear;
use crate::{ChartMeta, Outcome, OutcomeLabels};

/// Row pitch and bar thickness. 22 units keeps 300 municipalities scrollable yet legible.
const ROW: f64 = 22.0;
const BAR: f64 = 14.0;

/// Order of the bars.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    /// Highest value first; areas without a value last.
    #[default]
    Descending,
    /// Lowest value first; areas without a value last.
    Ascending,
    /// Keep the caller's order (e.g. alphabetical, or already sorted by polarity).
    AsGiven,
}

/// Inputs of [`compare_chart`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CompareChart {
    /// Accessible name, ids, width, number style.
    pub meta: ChartMeta,
    /// Visible words.
    pub labels: CompareLabels,
    /// Decimals of the value column and tooltips.
    pub decimals: u32,
    /// One bar per area.
    pub bars: Vec<CompareBar>,
    /// Benchmark value (e.g. Finland), drawn as a vertical line.
    pub benchmark: Option<f64>,
    /// Order of the bars.
    pub sort: SortOrder,
}

/// Visible words of the compare chart, translated by the caller.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CompareLabels {
    /// Axis title / unit, e.g. "% of pupils".
    pub value_axis: String,
    /// Benchmark name, e.g. "Finland"; its formatted value is appended on the chart.
    pub benchmark: String,
    /// Legend word for the whiskers, e.g. "95 % confidence interval".
    pub ci: String,
    /// Text in the value column when an area has no value, e.g. "no data".
    pub missing: String,
    /// Outcome words for the legend and tooltips.
    pub outcome: OutcomeLabels,
}

/// One area's bar.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CompareBar {
    /// Area name.
    pub name: String,
    /// Value; `None` keeps the row (with the "missing" text) but draws no bar.
    pub value: Option<f64>,
    /// Lower confidence limit.
    pub lower: Option<f64>,
    /// Upper confidence limit.
    pub upper: Option<f64>,
    /// Outcome against the benchmark (bar colour and marker shape).
    pub outcome: Outcome,
    /// The area the page is about: bold label and a highlighted row.
    pub selected: bool,
}

/// Draw a compare-areas chart: one row per area with name, outcome marker, bar from zero,
/// CI whisker and value; a benchmark line across all rows; value axis at the top (and at
/// the bottom as well for long lists).
pub fn compare_chart(chart: &CompareChart) -> String {
    let meta = &chart.meta;
    let width = chart_width(meta);
    let l = &chart.labels;
    let (head, top) = header(meta, width);
    let mut body = head;
    let fmt = |v: f64| format_number(v, chart.decimals, meta.decimal_comma);

    let mut bars: Vec<&CompareBar> = chart.bars.iter().collect();
    let key = |b: &&CompareBar| b.value.filter(|v| v.is_finite());
    match chart.sort {
        SortOrder::Descending => bars.sort_by(|a, b| match (key(a), key(b)) {
            (Some(x), Some(y)) => y.total_cmp(&x),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        }),
        SortOrder::Ascending => bars.sort_by(|a, b| match (key(a), key(b)) {
            (Some(x), Some(y)) => x.total_cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        }),
        SortOrder::AsGiven => {}
    }

    let inner = width - 2.0 * MARGIN;
    let value_texts: Vec<String> = bars
        .iter()
        .map(|b| key(b).map(fmt).unwrap_or_else(|| l.missing.clone()))
        .collect();
    let value_w = value_texts
        .iter()
        .zip(&bars)
        .map(|(t, b)| text_width(t, FONT, b.selected))
        .fold(0.0, f64::max)
        .max(28.0)
        + 10.0;
    let name_w = bars
        .iter()
        .map(|b| text_width(&b.name, FONT, b.selected))
        .fold(0.0, f64::max)
        .min(inner * 0.38)
        .max(40.0);
    let name_right = MARGIN + name_w;
    let marker_x = name_right + 12.0;
    let bx0 = name_right + 26.0;
    let bx1 = width - MARGIN - value_w;

    // Bars start at zero, so zero is always in the domain.
    let mut lo: f64 = 0.0;
    let mut hi: f64 = 0.0;
    for b in &bars {
        for v in [b.value, b.lower, b.upper].into_iter().flatten() {
            if v.is_finite() {
                lo = lo.min(v);
                hi = hi.max(v);
            }
        }
    }
    if let Some(bm) = chart.benchmark.filter(|v| v.is_finite()) {
        lo = lo.min(bm);
        hi = hi.max(bm);
    }
    let ticks = nice_ticks(lo, hi, (((bx1 - bx0) / 70.0) as usize).clamp(3, 6));
    let dec = ticks_decimals(&ticks);
    let xs = Linear {
        d0: ticks[0],
        d1: *ticks.last().unwrap_or(&1.0),
        r0: bx0,
        r1: bx1,
    };

    let mut y = top;
    if !l.value_axis.trim().is_empty() {
        text(
            &mut body,
            bx0,
            y + 10.0,
            &ellipsize(&l.value_axis, bx1 - bx0, SMALL, false, false),
            Style::new(SMALL).fill(MUTED),
        );
        y += 20.0;
    }
    let benchmark = chart.benchmark.filter(|v| v.is_finite());
    if let Some(bm) = benchmark {
        // The benchmark label gets its own line so it never collides with tick labels.
        let label = if l.benchmark.trim().is_empty() {
            fmt(bm)
        } else {
            format!("{} {}", l.benchmark, fmt(bm))
        };
        let lw = text_width(&label, SMALL, true);
        let x = xs
            .map(bm)
            .clamp(MARGIN + lw / 2.0, width - MARGIN - lw / 2.0);
        text(
            &mut body,
            x,
            y + 10.0,
            &label,
            Style::new(SMALL).bold().anchor(Anchor::Middle),
        );
        y += 18.0;
    }
    let axis_labels = |body: &mut String, ty: f64| {
        for t in &ticks {
            text(
                body,
                xs.map(*t),
                ty,
                &format_number(*t, dec, meta.decimal_comma),
                Style::new(SMALL)
                    .fill(MUTED)
                    .anchor(Anchor::Middle)
                    .numeric(),
            );
        }
    };
    axis_labels(&mut body, y + 10.0);
    let rows_top = y + 16.0;
    let rows_bottom = rows_top + bars.len() as f64 * ROW;

    // Grid.
    body.push_str("<g class=\"grid\">");
    for t in &ticks {
        let x = xs.map(*t);
        let _ = write!(
            body,
            "<line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"1\"/>",
            N(rows_top - 3.0),
            N(rows_bottom),
            if *t == 0.0 { AXIS } else { GRID },
            x = N(x)
        );
    }
    body.push_str("</g>");

    body.push_str("<g class=\"bars\">");
    for (i, (b, vt)) in bars.iter().zip(&value_texts).enumerate() {
        let top = rows_top + i as f64 * ROW;
        let cy = top + ROW / 2.0;
        let _ = write!(
            body,
            "<g class=\"bar-row{}\">",
            if b.selected { " selected" } else { "" }
        );
        if b.selected {
            let _ = write!(
                body,
                "<rect class=\"highlight\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#EBEBEB\"/>",
                N(MARGIN - 4.0),
                N(top),
                N(inner + 8.0),
                N(ROW)
            );
        }
        let mut name_style = Style::new(FONT).anchor(Anchor::End);
        if b.selected {
            name_style = name_style.bold();
        }
        let name = ellipsize(&b.name, name_w, FONT, b.selected, false);
        if name != b.name {
            let _ = write!(body, "<g><title>{}</title>", esc(&b.name));
        }
        text(&mut body, name_right, cy + 4.5, &name, name_style);
        if name != b.name {
            body.push_str("</g>");
        }
        let value = key(b);
        let mut tip = format!("{}: {vt}", b.name);
        if let (Some(lo), Some(up)) = (b.lower, b.upper) {
            let _ = write!(tip, " ({}\u{2013}{})", fmt(lo), fmt(up));
        }
        let word = l.outcome.get(b.outcome);
        if !word.is_empty() {
            let _ = write!(tip, ", {word}");
        }
        if let Some(v) = value {
            marker(&mut body, b.outcome, marker_x, cy, 5.0, "bar-marker", None);
            let (x0, x1) = (xs.map(0.0), xs.map(v));
            let _ = write!(
                body,
                "<rect class=\"bar outcome-{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" stroke=\"{}\" stroke-width=\"1\"><title>{}</title></rect>",
                b.outcome.key(),
                N(x0.min(x1)),
                N(cy - BAR / 2.0),
                N((x1 - x0).abs()),
                N(BAR),
                b.outcome.colour(),
                b.outcome.stroke(),
                esc(&tip)
            );
            if let (Some(lo), Some(up)) = (b.lower, b.upper) {
                if lo.is_finite() && up.is_finite() {
                    let (a, c) = (xs.map(lo), xs.map(up));
                    let _ = write!(
                        body,
                        "<path class=\"ci-whisker\" d=\"M{a},{cy}H{c}M{a},{t}V{bt}M{c},{t}V{bt}\" stroke=\"{INK}\" stroke-width=\"1.2\" fill=\"none\"/>",
                        a = N(a),
                        c = N(c),
                        cy = N(cy),
                        t = N(cy - 4.0),
                        bt = N(cy + 4.0)
                    );
                }
            }
        }
        let mut vs = Style::new(FONT).anchor(Anchor::End).numeric();
        if b.selected {
            vs = vs.bold();
        }
        if value.is_none() {
            vs = vs.fill(MUTED);
        }
        text(&mut body, width - MARGIN, cy + 4.5, vt, vs);
        body.push_str("</g>");
    }
    body.push_str("</g>");

    if let Some(bm) = benchmark {
        let x = xs.map(bm);
        let _ = write!(
            body,
            "<line class=\"benchmark-line\" x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"{INK}\" stroke-width=\"1.6\" stroke-dasharray=\"5 3\"/>",
            N(rows_top - 6.0),
            N(rows_bottom + 2.0),
            x = N(x)
        );
    }
    let mut y = rows_bottom + 4.0;
    if bars.len() > 12 {
        axis_labels(&mut body, y + 12.0);
        y += 18.0;
    }

    let mut items: Vec<(Swatch, String)> = Outcome::ALL
        .iter()
        .filter(|o| bars.iter().any(|b| b.outcome == **o && key(b).is_some()))
        .map(|o| (Swatch::Marker(*o), l.outcome.get(*o).to_string()))
        .collect();
    if benchmark.is_some() {
        items.push((
            Swatch::Line {
                colour: INK,
                dash: Some("5 3"),
                width: 1.6,
            },
            l.benchmark.clone(),
        ));
    }
    if bars.iter().any(|b| b.lower.is_some() && b.upper.is_some()) {
        items.push((Swatch::Whisker, l.ci.clone()));
    }
    items.retain(|(_, s)| !s.trim().is_empty());
    let (lg, h) = legend(&items, MARGIN, y + 10.0, inner);
    body.push_str(&lg);
    let (foot, height) = footer(meta, width, y + 10.0 + h);
    body.push_str(&foot);
    document(meta, "compare", width, height, "", &body)
}
