//! Spine chart: many indicators for one area, each row scaled around the country value
//! (Fingertips "area profile" style, BENCHMARKING.md section 8).

use std::fmt::Write;

use serde::{Deserialize, Serialize};

use crate::svg::{
    self, chart_width, document, footer, header, legend, marker, region_tick, text, text_lines,
    text_width, wrap, Anchor, Style, Swatch, FONT, INK, MARGIN, MUTED, N, SMALL,
};
use crate::{ChartMeta, Outcome, OutcomeLabels, Polarity};

/// Light band: the full range (min–max) of comparable areas.
const RANGE_FILL: &str = "#DADADA";
/// Dark band: the middle half (25th–75th percentile) of comparable areas.
const IQR_FILL: &str = "#A3A3A3";
/// Below this width the table-like layout does not fit and rows are stacked.
const STACK_BELOW: f64 = 600.0;

/// Inputs of [`spine_chart`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SpineChart {
    /// Accessible name, ids, width, number style.
    pub meta: ChartMeta,
    /// Column headers and legend words.
    pub labels: SpineLabels,
    /// One row per indicator, drawn in the given order.
    pub rows: Vec<SpineRow>,
}

/// Visible words of the spine chart, translated by the caller.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SpineLabels {
    /// Header of the indicator column, e.g. "Indicator".
    pub indicator: String,
    /// Header of the period column, e.g. "Year".
    pub period: String,
    /// Header of the count column (shown only if some row has `count_text`).
    pub count: String,
    /// Header of the area value column: the area's name, e.g. "Kuopio".
    pub area: String,
    /// Header of the region value column and legend word, e.g. "Pohjois-Savo".
    pub region: String,
    /// Header of the country value column and legend word, e.g. "Finland".
    pub country: String,
    /// Text over the left end of the bars, e.g. "Worse / lower".
    pub left_end: String,
    /// Text over the right end of the bars, e.g. "Better / higher".
    pub right_end: String,
    /// Legend word for the light band, e.g. "Range of municipalities".
    pub spread_range: String,
    /// Legend word for the dark band, e.g. "25th–75th percentile".
    pub spread_iqr: String,
    /// Outcome words for the legend and tooltips.
    pub outcome: OutcomeLabels,
}

/// The distribution of the indicator among comparable areas, precomputed by the caller.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Spread {
    /// Lowest value.
    pub min: f64,
    /// 25th percentile.
    pub p25: f64,
    /// Median; the row's centre when the country value is missing.
    pub median: f64,
    /// 75th percentile.
    pub p75: f64,
    /// Highest value.
    pub max: f64,
}

/// One indicator row.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SpineRow {
    /// Indicator title (wrapped to at most three lines; full text on hover).
    pub indicator: String,
    /// Period text, e.g. "2023" or "2021–2023".
    pub period: String,
    /// Optional count (numerator) text; the column appears when any row has one.
    pub count_text: Option<String>,
    /// Area value as displayed, formatted by the caller (e.g. with [`crate::format_number`]).
    pub value_text: String,
    /// Region value as displayed.
    pub region_text: String,
    /// Country value as displayed.
    pub country_text: String,
    /// Area value for positioning the marker; `None` draws no marker.
    pub value: Option<f64>,
    /// Region value for positioning the region tick; `None` draws none.
    pub region: Option<f64>,
    /// Country value: the centre line of the row.
    pub country: Option<f64>,
    /// Outcome of the area against the benchmark (colour and shape of the marker).
    pub outcome: Outcome,
    /// Spread among comparable areas; `None` draws no bands.
    pub spread: Option<Spread>,
    /// Polarity: `LowIsGood` rows are mirrored so that "better" is always on the right.
    pub polarity: Polarity,
}

/// Horizontal scale of one row: value → x.
///
/// Fingertips approach: the country value is the centre, and the larger of its distances
/// to the extremes maps to half the bar width, so every row uses its full width and the
/// centre line is shared. Values outside the spread (a region not among the comparable
/// areas) are included too, so no marker falls off the bar.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RowScale {
    centre_value: f64,
    max_dist: f64,
    sign: f64,
    centre_x: f64,
    half: f64,
}

impl RowScale {
    pub(crate) fn new(row: &SpineRow, centre_x: f64, half: f64) -> Option<RowScale> {
        let centre_value = row
            .country
            .filter(|v| v.is_finite())
            .or(row.spread.map(|s| s.median).filter(|v| v.is_finite()))?;
        let mut max_dist: f64 = 0.0;
        let mut consider = |v: f64| {
            if v.is_finite() {
                max_dist = max_dist.max((v - centre_value).abs());
            }
        };
        if let Some(s) = row.spread {
            consider(s.min);
            consider(s.max);
        }
        row.value.into_iter().for_each(&mut consider);
        row.region.into_iter().for_each(&mut consider);
        let sign = if row.polarity == Polarity::LowIsGood {
            -1.0
        } else {
            1.0
        };
        Some(RowScale {
            centre_value,
            max_dist,
            sign,
            centre_x,
            half,
        })
    }

    pub(crate) fn x(&self, v: f64) -> f64 {
        if self.max_dist <= 0.0 || !v.is_finite() {
            return self.centre_x;
        }
        self.centre_x + self.sign * (v - self.centre_value) / self.max_dist * self.half
    }
}

/// Draw a spine chart: one row per indicator with text columns (indicator, period,
/// optional count, area, region, country) and a bar showing where the area stands among
/// comparable areas. Below [`ChartMeta::width`] 600 the rows are stacked (title, values,
/// bar) so the chart stays readable on a phone.
pub fn spine_chart(chart: &SpineChart) -> String {
    let width = chart_width(&chart.meta);
    let (head, top) = header(&chart.meta, width);
    let mut body = head;
    let layout = Columns::fit(chart, width);
    let y = match layout {
        Some(cols) => draw_table(&mut body, chart, &cols, top),
        None => draw_stacked(&mut body, chart, width, top),
    };
    let y = draw_legend(&mut body, chart, width, y + 14.0);
    let (foot, height) = footer(&chart.meta, width, y);
    body.push_str(&foot);
    document(&chart.meta, "spine", width, height, "", &body)
}

/// Column geometry of the wide layout.
struct Columns {
    ind_x: f64,
    ind_w: f64,
    period_right: f64,
    count_right: Option<f64>,
    area_right: f64,
    region_right: f64,
    country_right: f64,
    bar_x0: f64,
    bar_x1: f64,
}

impl Columns {
    /// Fit the columns into `width`, or `None` when the stacked layout is needed.
    fn fit(chart: &SpineChart, width: f64) -> Option<Columns> {
        if width < STACK_BELOW {
            return None;
        }
        let l = &chart.labels;
        let widest = |texts: &mut dyn Iterator<Item = &str>, header: &str, lo: f64, hi: f64| {
            let data = texts.map(|t| text_width(t, FONT, true)).fold(0.0, f64::max);
            // Headers may wrap, so they only need to fit their longest word.
            let head = header
                .split_whitespace()
                .map(|w| text_width(w, SMALL, true))
                .fold(0.0, f64::max);
            (data.max(head) + 18.0).clamp(lo, hi)
        };
        let rows = &chart.rows;
        let period_w = widest(
            &mut rows.iter().map(|r| r.period.as_str()),
            &l.period,
            44.0,
            110.0,
        );
        let has_count = rows.iter().any(|r| r.count_text.is_some());
        let count_w = if has_count {
            widest(
                &mut rows.iter().filter_map(|r| r.count_text.as_deref()),
                &l.count,
                44.0,
                90.0,
            )
        } else {
            0.0
        };
        let area_w = widest(
            &mut rows.iter().map(|r| r.value_text.as_str()),
            &l.area,
            52.0,
            96.0,
        );
        let region_w = widest(
            &mut rows.iter().map(|r| r.region_text.as_str()),
            &l.region,
            52.0,
            96.0,
        );
        let country_w = widest(
            &mut rows.iter().map(|r| r.country_text.as_str()),
            &l.country,
            52.0,
            96.0,
        );
        let inner = width - 2.0 * MARGIN;
        let bar_w = (inner * 0.34).clamp(150.0, 340.0);
        let gap = 16.0;
        let ind_w = inner - period_w - count_w - area_w - region_w - country_w - bar_w - gap;
        if ind_w < 140.0 {
            return None;
        }
        let ind_x = MARGIN;
        let period_right = ind_x + ind_w + period_w - 6.0;
        let count_right = has_count.then_some(period_right + count_w);
        let area_right = period_right + count_w + area_w;
        let region_right = area_right + region_w;
        let country_right = region_right + country_w;
        let bar_x0 = country_right + gap + 6.0;
        Some(Columns {
            ind_x,
            ind_w,
            period_right,
            count_right,
            area_right,
            region_right,
            country_right,
            bar_x0,
            bar_x1: width - MARGIN,
        })
    }
}

/// Wide layout. Returns the y below the last row.
fn draw_table(out: &mut String, chart: &SpineChart, c: &Columns, top: f64) -> f64 {
    let l = &chart.labels;
    // Header row: every header may wrap; they are bottom-aligned like a table header.
    let head_style = Style::new(SMALL).bold().fill(MUTED);
    let col_w = |right: f64, left: f64| (right - left - 4.0).max(30.0);
    let mut heads: Vec<(f64, Anchor, svg::Wrapped, &str)> = vec![(
        c.ind_x,
        Anchor::Start,
        wrap(&l.indicator, c.ind_w - 10.0, SMALL, true, 3),
        &l.indicator,
    )];
    let mut numeric_heads: Vec<(f64, &str)> = vec![(c.period_right, &l.period)];
    if let Some(right) = c.count_right {
        numeric_heads.push((right, &l.count));
    }
    numeric_heads.extend([
        (c.area_right, l.area.as_str()),
        (c.region_right, l.region.as_str()),
        (c.country_right, l.country.as_str()),
    ]);
    let mut prev = c.ind_x + c.ind_w;
    for (right, label) in numeric_heads {
        let w = wrap(label, col_w(right, prev), SMALL, true, 3);
        heads.push((right, Anchor::End, w, label));
        prev = right;
    }
    let half_bar = (c.bar_x1 - c.bar_x0) / 2.0 - 4.0;
    let left_end = wrap(&l.left_end, half_bar, SMALL, true, 3);
    let right_end = wrap(&l.right_end, half_bar, SMALL, true, 3);
    let head_lines = heads
        .iter()
        .map(|h| h.2.lines.len())
        .chain([left_end.lines.len(), right_end.lines.len()])
        .max()
        .unwrap_or(1)
        .max(1);
    let line_h = 15.0;
    let head_bottom = top + head_lines as f64 * line_h;
    out.push_str("<g class=\"spine-header\">");
    let mut bottom_aligned = |x: f64, anchor: Anchor, w: &svg::Wrapped, full: &str| {
        let first = head_bottom - (w.lines.len() as f64 - 1.0) * line_h - 4.0;
        text_lines(out, x, first, line_h, w, full, head_style.anchor(anchor));
    };
    for (x, anchor, w, full) in &heads {
        bottom_aligned(*x, *anchor, w, full);
    }
    bottom_aligned(c.bar_x0, Anchor::Start, &left_end, &l.left_end);
    bottom_aligned(c.bar_x1, Anchor::End, &right_end, &l.right_end);
    out.push_str("</g>");
    let _ = write!(
        out,
        "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{INK}\" stroke-width=\"1\"/>",
        N(MARGIN),
        N(head_bottom + 2.0),
        N(c.bar_x1),
        N(head_bottom + 2.0)
    );

    let mut y = head_bottom + 2.0;
    let centre_x = (c.bar_x0 + c.bar_x1) / 2.0;
    let half = (c.bar_x1 - c.bar_x0) / 2.0 - 8.0;
    for (i, row) in chart.rows.iter().enumerate() {
        let title = wrap(&row.indicator, c.ind_w - 14.0, FONT, false, 3);
        let n = title.lines.len().max(1) as f64;
        let row_h = (n * 16.0 + 14.0).max(32.0);
        let cy = y + row_h / 2.0;
        let _ = write!(out, "<g class=\"spine-row\" data-index=\"{i}\">");
        text_lines(
            out,
            c.ind_x,
            cy - (n - 1.0) * 8.0 + 4.5,
            16.0,
            &title,
            &row.indicator,
            Style::new(FONT),
        );
        let num = Style::new(FONT).anchor(Anchor::End).numeric();
        text(out, c.period_right, cy + 4.5, &row.period, num.fill(MUTED));
        if let (Some(x), Some(t)) = (c.count_right, row.count_text.as_deref()) {
            text(out, x, cy + 4.5, t, num);
        }
        text(out, c.area_right, cy + 4.5, &row.value_text, num.bold());
        text(out, c.region_right, cy + 4.5, &row.region_text, num);
        text(out, c.country_right, cy + 4.5, &row.country_text, num);
        draw_bar(
            out, chart, row, centre_x, half, cy, c.bar_x0, c.bar_x1, row_h,
        );
        out.push_str("</g>");
        y += row_h;
        let _ = write!(
            out,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#E6E6E6\" stroke-width=\"1\"/>",
            N(MARGIN),
            N(y),
            N(c.bar_x1),
            N(y)
        );
    }
    y
}

/// Narrow layout: each row is title, a line of values, then the bar.
fn draw_stacked(out: &mut String, chart: &SpineChart, width: f64, top: f64) -> f64 {
    let l = &chart.labels;
    let inner = width - 2.0 * MARGIN;
    let (x0, x1) = (MARGIN, width - MARGIN);
    let half_w = inner / 2.0 - 4.0;
    let left_end = wrap(&l.left_end, half_w, SMALL, true, 2);
    let right_end = wrap(&l.right_end, half_w, SMALL, true, 2);
    let lines = left_end.lines.len().max(right_end.lines.len()).max(1) as f64;
    let st = Style::new(SMALL).bold().fill(MUTED);
    out.push_str("<g class=\"spine-header\">");
    text_lines(out, x0, top + 10.0, 15.0, &left_end, &l.left_end, st);
    text_lines(
        out,
        x1,
        top + 10.0,
        15.0,
        &right_end,
        &l.right_end,
        st.anchor(Anchor::End),
    );
    out.push_str("</g>");
    let mut y = top + 10.0 + (lines - 1.0) * 15.0 + 8.0;
    let _ = write!(
        out,
        "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{INK}\" stroke-width=\"1\"/>",
        N(x0),
        N(y),
        N(x1),
        N(y)
    );
    let centre_x = (x0 + x1) / 2.0;
    let half = inner / 2.0 - 8.0;
    for (i, row) in chart.rows.iter().enumerate() {
        let _ = write!(out, "<g class=\"spine-row\" data-index=\"{i}\">");
        let title = wrap(&row.indicator, inner, FONT, true, 4);
        y += 10.0 + FONT;
        text_lines(
            out,
            x0,
            y,
            17.0,
            &title,
            &row.indicator,
            Style::new(FONT).bold(),
        );
        y += (title.lines.len().max(1) as f64 - 1.0) * 17.0;
        // Values flow as unbreakable "label: value" items so a pair is never split.
        let mut items: Vec<(String, bool)> = vec![(row.period.clone(), false)];
        if let Some(cnt) = &row.count_text {
            items.push((format!("{}: {}", l.count, cnt), false));
        }
        items.push((format!("{}: {}", l.area, row.value_text), true));
        items.push((format!("{}: {}", l.region, row.region_text), false));
        items.push((format!("{}: {}", l.country, row.country_text), false));
        let mut x = x0;
        y += 18.0;
        for (item, bold) in items.iter().filter(|(s, _)| !s.trim().is_empty()) {
            let w = text_width(item, SMALL, *bold);
            if x > x0 && x + w > x1 {
                x = x0;
                y += 16.0;
            }
            let mut st = Style::new(SMALL).numeric();
            if *bold {
                st = st.bold();
            } else {
                st = st.fill(MUTED);
            }
            text(out, x, y, item, st);
            x += w + 14.0;
        }
        let cy = y + 18.0;
        draw_bar(out, chart, row, centre_x, half, cy, x0, x1, 26.0);
        out.push_str("</g>");
        y = cy + 14.0;
        let _ = write!(
            out,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#E6E6E6\" stroke-width=\"1\"/>",
            N(x0),
            N(y),
            N(x1),
            N(y)
        );
    }
    y
}

/// The bar of one row: range band, middle-half band, country line, region tick, marker.
#[allow(clippy::too_many_arguments)]
fn draw_bar(
    out: &mut String,
    chart: &SpineChart,
    row: &SpineRow,
    centre_x: f64,
    half: f64,
    cy: f64,
    x0: f64,
    x1: f64,
    row_h: f64,
) {
    let Some(scale) = RowScale::new(row, centre_x, half) else {
        return;
    };
    let l = &chart.labels;
    let band_h = 14.0;
    let band = |out: &mut String, a: f64, b: f64, fill: &str, class: &str| {
        let (xa, xb) = (scale.x(a), scale.x(b));
        let (lo, hi) = (xa.min(xb).max(x0), xa.max(xb).min(x1));
        let _ = write!(
            out,
            "<rect class=\"{class}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\"/>",
            N(lo),
            N(cy - band_h / 2.0),
            N((hi - lo).max(0.0)),
            N(band_h)
        );
    };
    if let Some(s) = row.spread {
        band(out, s.min, s.max, RANGE_FILL, "spread-range");
        band(out, s.p25, s.p75, IQR_FILL, "spread-iqr");
    }
    if row.country.is_some() {
        let _ = write!(
            out,
            "<line class=\"country-line\" x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"{INK}\" stroke-width=\"1.5\"/>",
            N(cy - row_h / 2.0),
            N(cy + row_h / 2.0),
            x = N(centre_x)
        );
    }
    if let Some(r) = row.region.filter(|v| v.is_finite()) {
        let tip = format!("{}: {}", l.region, row.region_text);
        region_tick(out, scale.x(r), cy, 18.0, Some(&tip));
    }
    if let Some(v) = row.value.filter(|v| v.is_finite()) {
        let tip = format!(
            "{}: {} ({})",
            l.area,
            row.value_text,
            l.outcome.get(row.outcome)
        );
        marker(
            out,
            row.outcome,
            scale.x(v),
            cy,
            6.5,
            "area-marker",
            Some(&tip),
        );
    }
}

/// Legend: outcomes used, then region, country, and the two bands.
fn draw_legend(out: &mut String, chart: &SpineChart, width: f64, y: f64) -> f64 {
    let l = &chart.labels;
    let mut items: Vec<(Swatch, String)> = Outcome::ALL
        .iter()
        .filter(|o| {
            chart
                .rows
                .iter()
                .any(|r| r.outcome == **o && r.value.is_some())
        })
        .map(|o| (Swatch::Marker(*o), l.outcome.get(*o).to_string()))
        .collect();
    if chart.rows.iter().any(|r| r.region.is_some()) {
        items.push((Swatch::Tick, l.region.clone()));
    }
    if chart.rows.iter().any(|r| r.country.is_some()) {
        items.push((
            Swatch::Line {
                colour: INK,
                dash: None,
                width: 1.5,
            },
            l.country.clone(),
        ));
    }
    if chart.rows.iter().any(|r| r.spread.is_some()) {
        items.push((
            Swatch::Band {
                fill: RANGE_FILL,
                opacity: 1.0,
            },
            l.spread_range.clone(),
        ));
        items.push((
            Swatch::Band {
                fill: IQR_FILL,
                opacity: 1.0,
            },
            l.spread_iqr.clone(),
        ));
    }
    items.retain(|(_, s)| !s.trim().is_empty());
    let (svg, h) = legend(&items, MARGIN, y, width - 2.0 * MARGIN);
    out.push_str(&svg);
    y + h
}
