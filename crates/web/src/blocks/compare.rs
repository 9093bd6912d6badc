//! The compare chart of a block: the area and its comparators side by side in the
//! year shown, the country as the benchmark line, with its own table.

use super::build::ChartPart;
use super::cells::{Cell, Row};
use super::context::{BlockCtx, CmpKind};
use super::format::{badge, chart_outcome, outcome_labels};
use hyte_charts as charts;
use hyte_domain::{RegionCategory, RegionKey};
use hyte_stats::Outcome;

/// The compare chart and its table (one row per area, then the country's value).
pub(super) fn part(ctx: &BlockCtx<'_>) -> ChartPart {
    let tr = ctx.tr;
    let country = ctx.cmps.iter().find(|c| c.kind == CmpKind::Country);
    // The country is the benchmark line, not a bar.
    let mut areas: Vec<(&RegionKey, &str, bool)> = vec![(&ctx.org.key, &ctx.org_name, true)];
    areas.extend(
        ctx.cmps
            .iter()
            .filter(|c| c.kind != CmpKind::Country)
            .map(|c| (&c.key, c.name.as_str(), false)),
    );
    let headers = vec![
        tr.t("blk-area"),
        tr.t("ind-value"),
        tr.t("ind-ci"),
        tr.ta(
            "blk-vs",
            &[(
                "area",
                country
                    .map(|c| c.name.clone())
                    .unwrap_or_else(|| tr.t("ind-country")),
            )],
        ),
    ];
    let (bars, mut rows): (Vec<charts::CompareBar>, Vec<Row>) = areas
        .into_iter()
        .map(|(k, name, selected)| area_bar_and_row(ctx, k, name, selected))
        .unzip();
    // The country's own value, else the one the area's comparison recorded.
    let benchmark = country
        .and_then(|c| ctx.at_year(&c.key))
        .and_then(|a| a.value)
        .or_else(|| {
            country.and_then(|_| {
                ctx.org_at
                    .and_then(|a| a.against(RegionCategory::Maa))
                    .and_then(|c| c.benchmark_value)
            })
        });
    if let Some(v) = benchmark {
        rows.push((
            tr.t("ind-country"),
            vec![
                Cell::num(ctx.fmt.num(Some(v))),
                Cell::text(String::new()),
                Cell::badge(None),
            ],
        ));
    }
    let svg = compare_svg(ctx, bars, benchmark);
    ChartPart { svg, headers, rows }
}

/// One area's bar and table row in the year shown (coloured against the country).
fn area_bar_and_row(
    ctx: &BlockCtx<'_>,
    k: &RegionKey,
    name: &str,
    selected: bool,
) -> (charts::CompareBar, Row) {
    let (tr, fmt) = (ctx.tr, &ctx.fmt);
    let a = ctx.at_year(k);
    let o = a
        .and_then(|a| a.against(RegionCategory::Maa))
        .map(|c| c.outcome)
        .unwrap_or(Outcome::NotCompared);
    let bar = charts::CompareBar {
        name: name.to_string(),
        value: a.and_then(|a| a.value),
        lower: a.and_then(|a| a.ci_lower),
        upper: a.and_then(|a| a.ci_upper),
        outcome: chart_outcome(o),
        selected,
    };
    let row = (
        name.to_string(),
        vec![
            Cell::num(fmt.num(a.and_then(|a| a.value))),
            Cell::text(
                a.and_then(|a| fmt.ci(a))
                    .unwrap_or_else(|| tr.t("ind-no-ci")),
            ),
            Cell::badge(a.and_then(|a| a.against(RegionCategory::Maa)).map(|c| {
                badge(
                    tr,
                    c.outcome,
                    &tr.t("ind-country"),
                    &fmt.num(c.benchmark_value),
                    ctx.level,
                )
            })),
        ],
    );
    (bar, row)
}

/// The compare chart's SVG.
fn compare_svg(
    ctx: &BlockCtx<'_>,
    bars: Vec<charts::CompareBar>,
    benchmark: Option<f64>,
) -> String {
    let tr = ctx.tr;
    let year_text = ctx.year_text();
    let meta = ctx.chart_meta(
        &format!("{} {year_text}", ctx.title),
        &format!("{} ({year_text})", tr.t("ind-compare")),
    );
    charts::compare_chart(&charts::CompareChart {
        meta,
        labels: charts::CompareLabels {
            value_axis: ctx.y_axis(),
            benchmark: tr.t("ind-country"),
            ci: ctx.ci_label(),
            missing: tr.t("ind-no-data"),
            outcome: outcome_labels(tr),
        },
        decimals: ctx.fmt.decimals,
        bars,
        benchmark,
        sort: charts::SortOrder::AsGiven,
    })
}
