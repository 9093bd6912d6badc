//! The spine chart of a block: the area in the year shown against the spread of all
//! municipalities, with the welfare region and the country marked.

use super::build::ChartPart;
use super::context::{BlockCtx, CmpKind};
use super::format::{chart_outcome, chart_polarity, outcome_labels, Fmt};
use super::series::municipality_totals;
use crate::analysis::{AssessedValue, ValueSource};
use crate::i18n::Tr;
use crate::AppResult;
use hyte_charts as charts;
use hyte_domain::{Polarity, RegionCategory};
use hyte_stats::{spread, Outcome};

/// The spine chart of the area's total `a`; the year table is left to the common one.
pub(super) async fn part(
    src: &ValueSource<'_>,
    ctx: &BlockCtx<'_>,
    a: &AssessedValue,
) -> AppResult<ChartPart> {
    let peers = municipality_values(src, ctx, a.year).await?;
    let (tr, org_name, y) = (ctx.tr, &ctx.org_name, a.year);
    let meta = ctx.chart_meta(
        &format!("{}: {org_name} {y}", ctx.title),
        &format!("{} – {org_name} {y}", tr.t("blk-chart-spine")),
    );
    let svg = charts::spine_chart(&charts::SpineChart {
        meta,
        labels: spine_labels(ctx),
        rows: vec![spine_row(&ctx.title, &ctx.fmt, a, &peers, ctx.ind.polarity)],
    });
    Ok(ChartPart {
        svg,
        ..ChartPart::default()
    })
}

/// Every municipality's own (not derived) total in a year: the spread drawn behind.
async fn municipality_values(
    src: &ValueSource<'_>,
    ctx: &BlockCtx<'_>,
    year: i64,
) -> AppResult<Vec<f64>> {
    let totals = municipality_totals(src, ctx.ind.id, year).await?;
    Ok(totals.into_iter().map(|(_, v)| v).collect())
}

/// The spine's words; the region is named after the block's welfare region when it
/// is one of the comparators.
fn spine_labels(ctx: &BlockCtx<'_>) -> charts::SpineLabels {
    let tr = ctx.tr;
    let region_name = ctx
        .cmps
        .iter()
        .find(|c| c.kind == CmpKind::Region)
        .map(|c| c.name.clone())
        .unwrap_or_else(|| tr.t("ind-region"));
    labels(tr, ctx.org_name.clone(), region_name)
}

/// The spine's words with the area and the welfare region named.
pub fn labels(tr: &Tr, area: String, region: String) -> charts::SpineLabels {
    charts::SpineLabels {
        indicator: tr.t("ind-indicator"),
        period: tr.t("ind-year"),
        count: String::new(),
        area,
        region,
        country: tr.t("ind-country"),
        left_end: tr.t("outcome-worse"),
        right_end: tr.t("outcome-better"),
        spread_range: "min–max".into(),
        spread_iqr: "25–75 %".into(),
        outcome: outcome_labels(tr),
    }
}

/// A row of the spine: the area's value `a` of the indicator `title`, its welfare
/// region and the country as their comparisons recorded them, over the
/// municipalities' spread.
pub fn spine_row(
    title: &str,
    fmt: &Fmt,
    a: &AssessedValue,
    peers: &[f64],
    polarity: Polarity,
) -> charts::SpineRow {
    let reg = a.against(RegionCategory::Hyvinvointialue);
    let cty = a.against(RegionCategory::Maa);
    charts::SpineRow {
        indicator: title.to_string(),
        period: a.year.to_string(),
        count_text: None,
        value_text: fmt.num(a.value),
        region_text: fmt.num(reg.and_then(|c| c.benchmark_value)),
        country_text: fmt.num(cty.and_then(|c| c.benchmark_value)),
        value: a.value,
        region: reg.and_then(|c| c.benchmark_value),
        country: cty.and_then(|c| c.benchmark_value),
        outcome: chart_outcome(cty.map(|c| c.outcome).unwrap_or(Outcome::NotCompared)),
        spread: spread(peers).map(|s| charts::Spread {
            min: s.min,
            p25: s.p25,
            median: s.median,
            p75: s.p75,
            max: s.max,
        }),
        polarity: chart_polarity(polarity),
    }
}
