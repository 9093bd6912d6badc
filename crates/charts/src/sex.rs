//! Inequalities by sex: total, male and female bars with confidence whiskers, for one
//! period or several (BENCHMARKING.md section 8, "Inequalities").

use std::fmt::Write;

use serde::{Deserialize, Serialize};

use crate::format::{format_number, nice_ticks, ticks_decimals};
use crate::svg::{
    axis_title, chart_width, document, ellipsize, esc, footer, header, legend, marker, text,
    text_width, Anchor, Style, Swatch, AXIS, FONT, GRID, INK, MARGIN, MUTED, N, SMALL,
};
use crate::trend::Linear;
use crate::{ChartMeta, Outcome, OutcomeLabels};

/// Series fills: neutral grey for the total, and two colours from the colour-blind-safe
/// "Dark2" set for the sexes, kept away from the outcome colours (blue, yellow, vermillion,
/// purple) so a bar colour is never read as a judgement. The comparison with the total is
/// shown by outcome markers instead.
const SERIES: [(&str, &str); 3] = [
    ("#8C8C8C", "#5A5A5A"),
    ("#1B9E77", "#106149"),
    ("#A6761D", "#6B4A10"),
];

/// Inputs of [`sex_chart`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SexChart {
    /// Accessible name, ids, width, number style.
    pub meta: ChartMeta,
    /// Visible words.
    pub labels: SexLabels,
    /// Decimals of value labels and tooltips.
    pub decimals: u32,
    /// One group of three bars per period, in the given order.
    pub groups: Vec<SexGroup>,
}

/// Visible words of the chart by sex, translated by the caller.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SexLabels {
    /// e.g. "Total".
    pub total: String,
    /// e.g. "Men".
    pub male: String,
    /// e.g. "Women".
    pub female: String,
    /// Unit or axis title shown above the y axis.
    pub y_axis: String,
    /// Legend word for the whiskers, e.g. "95 % confidence interval".
    pub ci: String,
    /// Outcome words (of each sex compared with the total), for legend and tooltips.
    pub outcome: OutcomeLabels,
}

/// The three values of one period.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SexGroup {
    /// Period text, e.g. "2023".
    pub period: String,
    /// Both sexes together.
    pub total: SexValue,
    /// Men / boys.
    pub male: SexValue,
    /// Women / girls.
    pub female: SexValue,
}

/// One bar.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct SexValue {
    /// Value; `None` leaves the slot empty.
    pub value: Option<f64>,
    /// Lower confidence limit.
    pub lower: Option<f64>,
    /// Upper confidence limit.
    pub upper: Option<f64>,
    /// Comparison with the total ("compared to total"), drawn as a marker over the bar;
    /// `None` draws no marker (normal for the total itself).
    pub outcome: Option<Outcome>,
}

/// Draw total/male/female bars per period with CI whiskers. With a single period the bars
/// are wide, labelled underneath and carry their values; with several periods they are
/// grouped by period with a legend for the three series.
pub fn sex_chart(chart: &SexChart) -> String {
    let meta = &chart.meta;
    let width = chart_width(meta);
    let l = &chart.labels;
    let (head, top) = header(meta, width);
    let mut body = head;
    let fmt = |v: f64| format_number(v, chart.decimals, meta.decimal_comma);
    let names = [l.total.as_str(), l.male.as_str(), l.female.as_str()];
    let single = chart.groups.len() <= 1;

    let mut lo: f64 = 0.0;
    let mut hi: f64 = 0.0;
    for g in &chart.groups {
        for s in [&g.total, &g.male, &g.female] {
            for v in [s.value, s.lower, s.upper].into_iter().flatten() {
                if v.is_finite() {
                    lo = lo.min(v);
                    hi = hi.max(v);
                }
            }
        }
    }
    let plot_h = (width * 0.45).clamp(190.0, 300.0);
    let ticks = nice_ticks(lo, hi, ((plot_h / 50.0) as usize).clamp(3, 6));
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
    // Room above the tallest bar for its value label and outcome marker.
    let plot_top = y + if single { 34.0 } else { 24.0 };
    let plot_bottom = plot_top + plot_h;
    let px0 = MARGIN + label_w + 8.0;
    let px1 = width - MARGIN;
    let ys = Linear {
        d0: ticks[0],
        d1: *ticks.last().unwrap_or(&1.0),
        r0: plot_bottom,
        r1: plot_top,
    };

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

    let n = chart.groups.len().max(1) as f64;
    let group_w = (px1 - px0) / n;
    let bar_w = if single {
        ((px1 - px0) * 0.62 / 3.0).min(96.0)
    } else {
        (group_w * 0.78 / 3.0).min(40.0)
    };
    let gap = if single { 14.0 } else { 2.0 };
    let show_values = bar_w >= 34.0;
    // Period labels: thin them out when groups are narrower than a label.
    let period_w = chart
        .groups
        .iter()
        .map(|g| text_width(&g.period, SMALL, false))
        .fold(0.0, f64::max)
        + 8.0;
    let every = ((period_w / group_w).ceil() as usize).max(1);
    let zero_y = ys.map(0.0_f64.clamp(ticks[0], *ticks.last().unwrap_or(&0.0)));

    body.push_str("<g class=\"bars\">");
    for (gi, g) in chart.groups.iter().enumerate() {
        let gx = px0 + group_w * (gi as f64 + 0.5);
        let total_w = 3.0 * bar_w + 2.0 * gap;
        for (si, s) in [&g.total, &g.male, &g.female].into_iter().enumerate() {
            let x = gx - total_w / 2.0 + si as f64 * (bar_w + gap);
            let cx = x + bar_w / 2.0;
            if single {
                text(
                    &mut body,
                    cx,
                    plot_bottom + 18.0,
                    &ellipsize(names[si], bar_w + gap, SMALL, true, false),
                    Style::new(SMALL).bold().anchor(Anchor::Middle),
                );
            }
            let Some(v) = s.value.filter(|v| v.is_finite()) else {
                continue;
            };
            let (fill, stroke) = SERIES[si];
            let vy = ys.map(v);
            let mut tip = format!("{} {}: {}", g.period, names[si], fmt(v));
            if let (Some(a), Some(b)) = (s.lower, s.upper) {
                let _ = write!(tip, " ({}\u{2013}{})", fmt(a), fmt(b));
            }
            if let Some(o) = s.outcome {
                let word = l.outcome.get(o);
                if !word.is_empty() {
                    let _ = write!(tip, ", {word}");
                }
            }
            let _ = write!(
                body,
                "<rect class=\"bar series-{si}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"1\"><title>{}</title></rect>",
                N(x),
                N(vy.min(zero_y)),
                N(bar_w),
                N((vy - zero_y).abs()),
                esc(&tip)
            );
            let mut above = vy.min(zero_y);
            if let (Some(a), Some(b)) = (s.lower, s.upper) {
                if a.is_finite() && b.is_finite() {
                    let (ya, yb) = (ys.map(a), ys.map(b));
                    let cap = (bar_w * 0.25).clamp(3.0, 8.0);
                    let _ = write!(
                        body,
                        "<path class=\"ci-whisker\" d=\"M{cx},{ya}V{yb}M{l},{ya}H{r}M{l},{yb}H{r}\" stroke=\"{INK}\" stroke-width=\"1.3\" fill=\"none\"/>",
                        cx = N(cx),
                        ya = N(ya),
                        yb = N(yb),
                        l = N(cx - cap),
                        r = N(cx + cap)
                    );
                    above = above.min(ya.min(yb));
                }
            }
            if show_values {
                text(
                    &mut body,
                    cx,
                    above - 5.0,
                    &fmt(v),
                    Style::new(SMALL).bold().anchor(Anchor::Middle).numeric(),
                );
                above -= 16.0;
            }
            if let Some(o) = s.outcome {
                marker(&mut body, o, cx, above - 11.0, 5.0, "sex-marker", None);
            }
        }
        if gi % every == 0 {
            let py = if single {
                plot_bottom + 36.0
            } else {
                plot_bottom + 18.0
            };
            text(
                &mut body,
                gx,
                py,
                &g.period,
                Style::new(if single { FONT } else { SMALL })
                    .fill(MUTED)
                    .anchor(Anchor::Middle),
            );
        }
    }
    body.push_str("</g>");
    let _ = write!(
        body,
        "<line x1=\"{}\" y1=\"{b}\" x2=\"{}\" y2=\"{b}\" stroke=\"{AXIS}\" stroke-width=\"1\"/>",
        N(px0),
        N(px1),
        b = N(zero_y)
    );

    let mut items: Vec<(Swatch, String)> = Vec::new();
    if !single {
        for (si, name) in names.iter().enumerate() {
            let (fill, stroke) = SERIES[si];
            items.push((Swatch::Rect { fill, stroke }, name.to_string()));
        }
    }
    let all: Vec<&SexValue> = chart
        .groups
        .iter()
        .flat_map(|g| [&g.total, &g.male, &g.female])
        .collect();
    if all.iter().any(|s| s.lower.is_some() && s.upper.is_some()) {
        items.push((Swatch::Whisker, l.ci.clone()));
    }
    for o in Outcome::ALL {
        if all
            .iter()
            .any(|s| s.outcome == Some(o) && s.value.is_some())
        {
            items.push((Swatch::Marker(o), l.outcome.get(o).to_string()));
        }
    }
    items.retain(|(_, s)| !s.trim().is_empty());
    let legend_y = plot_bottom + if single { 50.0 } else { 32.0 };
    let (lg, h) = legend(&items, MARGIN, legend_y, width - 2.0 * MARGIN);
    body.push_str(&lg);
    let (foot, height) = footer(meta, width, legend_y + h);
    body.push_str(&foot);
    document(meta, "sex", width, height, "", &body)
}
