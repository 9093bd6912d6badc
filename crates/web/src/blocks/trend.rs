//! The trend chart of a block: the area's yearly values with their interval band and
//! one line per comparator.

use super::build::ChartPart;
use super::context::{BlockCtx, Cmp};
use super::format::outcome_labels;
use super::series::trend_points;
use hyte_charts as charts;

/// The trend chart; the year table is left to the common one.
pub(super) fn part(ctx: &BlockCtx<'_>) -> ChartPart {
    let (tr, org_name) = (ctx.tr, &ctx.org_name);
    let meta = ctx.chart_meta(
        &format!("{}: {org_name}", ctx.title),
        &format!("{} {org_name}", tr.t("ind-trend")),
    );
    let benchmarks = ctx.cmps.iter().map(|c| benchmark_series(ctx, c)).collect();
    let svg = charts::trend_chart(&charts::TrendChart {
        meta,
        labels: charts::TrendLabels {
            area: org_name.clone(),
            y_axis: ctx.y_axis(),
            ci: ctx.ci_label(),
            outcome: outcome_labels(tr),
        },
        decimals: ctx.fmt.decimals,
        points: trend_points(&ctx.org_totals),
        benchmarks,
        ci_style: charts::CiStyle::Band,
        y_from_zero: false,
    });
    ChartPart {
        svg,
        ..ChartPart::default()
    }
}

/// A comparator's line over the area's years: the value its comparison recorded, else
/// the comparator's own total that year (areas other than the region and country have
/// no recorded comparison).
fn benchmark_series(ctx: &BlockCtx<'_>, c: &Cmp) -> charts::BenchmarkSeries {
    let own = ctx.totals(&c.key);
    charts::BenchmarkSeries {
        name: c.name.clone(),
        points: ctx
            .org_totals
            .iter()
            .map(|t| {
                let from_cmp = t
                    .comparisons
                    .iter()
                    .find(|x| x.benchmark == c.key)
                    .and_then(|x| x.benchmark_value);
                let own_value = own.iter().find(|b| b.year == t.year).and_then(|b| b.value);
                (t.year as i32, from_cmp.or(own_value))
            })
            .collect(),
    }
}
