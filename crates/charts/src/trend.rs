//! Trend chart: one indicator for one area over time, with confidence band, outcome-coloured
//! points and dashed benchmark lines (BENCHMARKING.md section 8, "Trend with CI").

use std::fmt::Write;

use serde::{Deserialize, Serialize};

use crate::format::{format_number, nice_ticks, ticks_decimals};
use crate::svg::{
    axis_title, chart_width, document, footer, header, legend, marker, text, text_width, Anchor,
    Style, Swatch, AXIS, GRID, INK, MARGIN, MUTED, N, SMALL,
};
use crate::{ChartMeta, Outcome, OutcomeLabels};

/// Colour of the confidence band (drawn translucent).
const CI_FILL: &str = "#5A7FA8";
const CI_OPACITY: f64 = 0.22;
/// Line styles of benchmark series, in order: they differ by dash pattern *and* darkness
/// so they stay distinct in greyscale print and for every colour vision.
const BENCH_STYLES: [(&str, &str, f64); 3] = [
    ("#1A1A1A", "7 4", 1.8),
    ("#707070", "2 3", 2.2),
    ("#707070", "10 3 2 3", 1.8),
];

/// How to draw confidence intervals (the toggle of BENCHMARKING.md section 8).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CiStyle {
    /// A shaded band between consecutive years (isolated years get whiskers).
    #[default]
    Band,
    /// A vertical whisker with caps at every point.
    Whiskers,
}

/// Inputs of [`trend_chart`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TrendChart {
    /// Accessible name, ids, width, number style.
    pub meta: ChartMeta,
    /// Visible words.
    pub labels: TrendLabels,
    /// Decimals of values in tooltips.
    pub decimals: u32,
    /// The area's series; any order (sorted by year when drawn).
    pub points: Vec<TrendPoint>,
    /// Benchmark series (e.g. welfare region, then country), drawn as dashed lines.
    pub benchmarks: Vec<BenchmarkSeries>,
    /// Band or whiskers for the confidence interval.
    pub ci_style: CiStyle,
    /// Start the y axis at zero (recommended for counts, rates and percentages, so that
    /// small changes are not exaggerated); otherwise the axis fits the data.
    pub y_from_zero: bool,
}

/// Visible words of the trend chart, translated by the caller.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TrendLabels {
    /// Name of the area series in the legend, e.g. "Kuopio".
    pub area: String,
    /// Unit or axis title shown above the y axis, e.g. "per 1 000 inhabitants".
    pub y_axis: String,
    /// Legend word for the interval, e.g. "95 % confidence interval".
    pub ci: String,
    /// Outcome words for the legend and tooltips.
    pub outcome: OutcomeLabels,
}

/// One year of the area series.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct TrendPoint {
    /// Year (for pooled periods, the year the caller wants it placed at, e.g. the last).
    pub year: i32,
    /// Value; `None` is a missing year and breaks the line.
    pub value: Option<f64>,
    /// Lower confidence limit.
    pub lower: Option<f64>,
    /// Upper confidence limit.
    pub upper: Option<f64>,
    /// Outcome of this year against its benchmark (colour and shape of the point).
    pub outcome: Outcome,
}

/// A benchmark line such as the welfare region or the whole country.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BenchmarkSeries {
    /// Legend name, e.g. "Finland".
    pub name: String,
    /// `(year, value)`; `None` breaks the line.
    pub points: Vec<(i32, Option<f64>)>,
}

/// Split year-ordered points into runs that may be joined by a line.
///
/// A run breaks at a missing value and wherever the step to the next year is larger than
/// the series' usual spacing, so a missing year is a visible gap even when the caller
/// simply left it out, while a survey done every second year still draws one line.
pub(crate) fn segments(years_values: &[(i32, Option<f64>)]) -> Vec<Vec<(i32, f64)>> {
    let mut years: Vec<i32> = years_values.iter().map(|(y, _)| *y).collect();
    years.sort_unstable();
    years.dedup();
    let spacing = years
        .windows(2)
        .map(|w| w[1] - w[0])
        .min()
        .unwrap_or(1)
        .max(1);
    let mut sorted: Vec<(i32, Option<f64>)> = years_values.to_vec();
    sorted.sort_by_key(|(y, _)| *y);
    let mut out: Vec<Vec<(i32, f64)>> = Vec::new();
    let mut cur: Vec<(i32, f64)> = Vec::new();
    for (year, value) in sorted {
        match value.filter(|v| v.is_finite()) {
            Some(v) => {
                if let Some(&(prev, _)) = cur.last() {
                    if year - prev > spacing {
                        out.push(std::mem::take(&mut cur));
                    }
                }
                cur.push((year, v));
            }
            None => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Linear scale from a data domain to a pixel range.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Linear {
    pub d0: f64,
    pub d1: f64,
    pub r0: f64,
    pub r1: f64,
}

impl Linear {
    pub(crate) fn map(&self, v: f64) -> f64 {
        if self.d1 == self.d0 {
            return (self.r0 + self.r1) / 2.0;
        }
        self.r0 + (v - self.d0) / (self.d1 - self.d0) * (self.r1 - self.r0)
    }
}

/// Draw a trend chart: years on x (spaced by their real distance), the area series as a
/// line with outcome-coloured markers and a confidence band, benchmark series as dashed
/// lines, gaps where years are missing, a y axis with nice ticks and a legend.
pub fn trend_chart(chart: &TrendChart) -> String {
    let meta = &chart.meta;
    let width = chart_width(meta);
    let (head, top) = header(meta, width);
    let mut body = head;
    let l = &chart.labels;

    // Domain: everything drawn must fit, including interval ends and benchmarks.
    let mut values: Vec<f64> = Vec::new();
    for p in &chart.points {
        values.extend([p.value, p.lower, p.upper].into_iter().flatten());
    }
    for b in &chart.benchmarks {
        values.extend(b.points.iter().filter_map(|(_, v)| *v));
    }
    values.retain(|v| v.is_finite());
    if chart.y_from_zero {
        values.push(0.0);
    }
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = if lo.is_finite() { (lo, hi) } else { (0.0, 1.0) };
    let plot_h = (width * 0.5).clamp(200.0, 320.0);
    let ticks = nice_ticks(lo, hi, ((plot_h / 50.0) as usize).clamp(3, 7));
    let dec = ticks_decimals(&ticks);
    let tick_text: Vec<String> = ticks
        .iter()
        .map(|t| format_number(*t, dec, meta.decimal_comma))
        .collect();
    let label_w = tick_text
        .iter()
        .map(|t| text_width(t, SMALL, false))
        .fold(0.0, f64::max);

    let mut y = top;
    y = axis_title(&mut body, &l.y_axis, y, width);
    let plot_top = y + 6.0;
    let plot_bottom = plot_top + plot_h;
    let px0 = MARGIN + label_w + 8.0;
    let px1 = width - MARGIN - 10.0;
    let ys = Linear {
        d0: ticks[0],
        d1: *ticks.last().unwrap_or(&1.0),
        r0: plot_bottom,
        r1: plot_top,
    };

    // Years: the union of all series, so benchmarks longer than the area still show.
    let mut years: Vec<i32> = chart.points.iter().map(|p| p.year).collect();
    for b in &chart.benchmarks {
        years.extend(b.points.iter().map(|(y, _)| *y));
    }
    years.sort_unstable();
    years.dedup();
    let (y_first, y_last) = (
        years.first().copied().unwrap_or(0),
        years.last().copied().unwrap_or(0),
    );
    let inset = 16.0;
    let xs = Linear {
        d0: y_first as f64,
        d1: y_last as f64,
        r0: px0 + inset,
        r1: px1 - inset,
    };

    // Grid and y axis labels.
    body.push_str("<g class=\"y-axis\">");
    for (t, s) in ticks.iter().zip(&tick_text) {
        let ty = ys.map(*t);
        let _ = write!(
            body,
            "<line x1=\"{}\" y1=\"{ty}\" x2=\"{}\" y2=\"{ty}\" stroke=\"{}\" stroke-width=\"1\"/>",
            N(px0),
            N(px1),
            if *t == 0.0 { AXIS } else { GRID },
            ty = N(ty)
        );
        text(
            &mut body,
            px0 - 6.0,
            ty + 4.0,
            s,
            Style::new(SMALL).fill(MUTED).anchor(Anchor::End).numeric(),
        );
    }
    body.push_str("</g>");

    // X axis: label as many years as fit, keeping a regular step from the first year.
    let year_w = text_width("2000", SMALL, false) + 12.0;
    let max_labels = (((px1 - px0) / year_w).floor() as usize).max(2);
    let step = [1, 2, 5, 10, 20, 50, 100]
        .into_iter()
        .find(|k| years.iter().filter(|y| (**y - y_first) % k == 0).count() <= max_labels)
        .unwrap_or(100);
    let _ = write!(
        body,
        "<g class=\"x-axis\"><line x1=\"{}\" y1=\"{b}\" x2=\"{}\" y2=\"{b}\" stroke=\"{AXIS}\" stroke-width=\"1\"/>",
        N(px0),
        N(px1),
        b = N(plot_bottom)
    );
    for yr in years.iter().filter(|y| (**y - y_first) % step == 0) {
        let x = xs.map(*yr as f64);
        let _ = write!(
            body,
            "<line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"{AXIS}\" stroke-width=\"1\"/>",
            N(plot_bottom),
            N(plot_bottom + 5.0),
            x = N(x)
        );
        text(
            &mut body,
            x,
            plot_bottom + 19.0,
            &yr.to_string(),
            Style::new(SMALL)
                .fill(MUTED)
                .anchor(Anchor::Middle)
                .numeric(),
        );
    }
    body.push_str("</g>");

    // Confidence interval.
    let ci_pairs: Vec<(i32, Option<f64>)> = chart
        .points
        .iter()
        .map(|p| {
            let both = match (p.lower, p.upper) {
                (Some(a), Some(b)) if a.is_finite() && b.is_finite() => Some(a),
                _ => None,
            };
            (p.year, both)
        })
        .collect();
    let upper_of = |year: i32| {
        chart
            .points
            .iter()
            .find(|p| p.year == year)
            .and_then(|p| p.upper)
            .unwrap_or(0.0)
    };
    let mut whiskers: Vec<(i32, f64, f64)> = Vec::new();
    body.push_str("<g class=\"ci\">");
    for seg in segments(&ci_pairs) {
        if chart.ci_style == CiStyle::Band && seg.len() >= 2 {
            let mut d = String::new();
            for (i, (yr, _)) in seg.iter().enumerate() {
                let _ = write!(
                    d,
                    "{}{},{}",
                    if i == 0 { "M" } else { "L" },
                    N(xs.map(*yr as f64)),
                    N(ys.map(upper_of(*yr)))
                );
            }
            for (yr, lower) in seg.iter().rev() {
                let _ = write!(d, "L{},{}", N(xs.map(*yr as f64)), N(ys.map(*lower)));
            }
            let _ = write!(
                body,
                "<path class=\"ci-band\" d=\"{d}Z\" fill=\"{CI_FILL}\" fill-opacity=\"{}\" stroke=\"none\"/>",
                N(CI_OPACITY)
            );
        } else {
            whiskers.extend(seg.iter().map(|(yr, lo)| (*yr, *lo, upper_of(*yr))));
        }
    }
    body.push_str("</g>");

    // Benchmarks under the area line, so the area series stays on top.
    for (i, b) in chart.benchmarks.iter().enumerate() {
        let (colour, dash, w) = BENCH_STYLES[i % BENCH_STYLES.len()];
        let _ = write!(body, "<g class=\"benchmark\" data-index=\"{i}\">");
        for seg in segments(&b.points) {
            let mut d = String::new();
            if seg.len() == 1 {
                // A lone year still shows as a short level mark.
                let (yr, v) = seg[0];
                let (x, yv) = (xs.map(yr as f64), ys.map(v));
                let _ = write!(d, "M{},{}H{}", N(x - 9.0), N(yv), N(x + 9.0));
            } else {
                for (j, (yr, v)) in seg.iter().enumerate() {
                    let _ = write!(
                        d,
                        "{}{},{}",
                        if j == 0 { "M" } else { "L" },
                        N(xs.map(*yr as f64)),
                        N(ys.map(*v))
                    );
                }
            }
            let _ = write!(
                body,
                "<path class=\"benchmark-line\" d=\"{d}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"{}\" stroke-dasharray=\"{dash}\" stroke-linejoin=\"round\"><title>{}</title></path>",
                N(w),
                crate::svg::esc(&b.name)
            );
        }
        body.push_str("</g>");
    }

    // Area line, one path per run so gaps are real gaps.
    let area_pairs: Vec<(i32, Option<f64>)> =
        chart.points.iter().map(|p| (p.year, p.value)).collect();
    body.push_str("<g class=\"area-series\">");
    for seg in segments(&area_pairs).iter().filter(|s| s.len() >= 2) {
        let mut d = String::new();
        for (j, (yr, v)) in seg.iter().enumerate() {
            let _ = write!(
                d,
                "{}{},{}",
                if j == 0 { "M" } else { "L" },
                N(xs.map(*yr as f64)),
                N(ys.map(*v))
            );
        }
        let _ = write!(
            body,
            "<path class=\"area-line\" d=\"{d}\" fill=\"none\" stroke=\"#333333\" stroke-width=\"2.2\" stroke-linejoin=\"round\" stroke-linecap=\"round\"/>"
        );
    }
    for (yr, lo, up) in &whiskers {
        let x = xs.map(*yr as f64);
        let (a, b) = (ys.map(*lo), ys.map(*up));
        let _ = write!(
            body,
            "<path class=\"ci-whisker\" d=\"M{x},{a}V{b}M{l},{a}H{r}M{l},{b}H{r}\" stroke=\"{INK}\" stroke-width=\"1.2\" fill=\"none\"/>",
            x = N(x),
            a = N(a),
            b = N(b),
            l = N(x - 4.0),
            r = N(x + 4.0)
        );
    }
    let mut sorted = chart.points.clone();
    sorted.sort_by_key(|p| p.year);
    let fmt = |v: f64| format_number(v, chart.decimals, meta.decimal_comma);
    for p in &sorted {
        let Some(v) = p.value.filter(|v| v.is_finite()) else {
            continue;
        };
        let mut tip = format!("{}: {}", p.year, fmt(v));
        if let (Some(a), Some(b)) = (p.lower, p.upper) {
            let _ = write!(tip, " ({}\u{2013}{})", fmt(a), fmt(b));
        }
        let word = l.outcome.get(p.outcome);
        if !word.is_empty() {
            let _ = write!(tip, ", {word}");
        }
        marker(
            &mut body,
            p.outcome,
            xs.map(p.year as f64),
            ys.map(v),
            5.5,
            "point",
            Some(&tip),
        );
    }
    body.push_str("</g>");

    // Legend.
    let mut items: Vec<(Swatch, String)> = vec![(
        Swatch::Line {
            colour: "#333333",
            dash: None,
            width: 2.2,
        },
        l.area.clone(),
    )];
    if ci_pairs.iter().any(|(_, v)| v.is_some()) {
        let swatch = match chart.ci_style {
            CiStyle::Band => Swatch::Band {
                fill: CI_FILL,
                opacity: CI_OPACITY,
            },
            CiStyle::Whiskers => Swatch::Whisker,
        };
        items.push((swatch, l.ci.clone()));
    }
    for (i, b) in chart.benchmarks.iter().enumerate() {
        let (colour, dash, w) = BENCH_STYLES[i % BENCH_STYLES.len()];
        items.push((
            Swatch::Line {
                colour,
                dash: Some(dash),
                width: w,
            },
            b.name.clone(),
        ));
    }
    for o in Outcome::ALL {
        if chart
            .points
            .iter()
            .any(|p| p.outcome == o && p.value.is_some())
        {
            items.push((Swatch::Marker(o), l.outcome.get(o).to_string()));
        }
    }
    items.retain(|(_, s)| !s.trim().is_empty());
    let (lg, h) = legend(&items, MARGIN, plot_bottom + 30.0, width - 2.0 * MARGIN);
    body.push_str(&lg);
    let (foot, height) = footer(meta, width, plot_bottom + 30.0 + h);
    body.push_str(&foot);
    document(meta, "trend", width, height, "", &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_break_on_missing_and_on_skipped_years() {
        let s = segments(&[
            (2015, Some(1.0)),
            (2016, Some(2.0)),
            (2018, Some(3.0)),
            (2019, None),
            (2020, Some(4.0)),
        ]);
        assert_eq!(s.len(), 3);
        assert_eq!(s[0].len(), 2);
        // Biennial surveys are one line.
        let s = segments(&[(2017, Some(1.0)), (2019, Some(2.0)), (2021, Some(3.0))]);
        assert_eq!(s.len(), 1);
    }
}
