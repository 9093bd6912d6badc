//! The sex chart of a block: total, men and women side by side for the last years that
//! have the breakdown, with its own table.

use super::build::ChartPart;
use super::cells::{Cell, Row};
use super::context::BlockCtx;
use super::format::outcome_labels;
use super::series::sex_groups;
use crate::analysis::AssessedValue;
use hyte_charts as charts;

/// The sex chart and its table, or `None` when no year has a breakdown by sex.
pub(super) fn part(ctx: &BlockCtx<'_>) -> Option<ChartPart> {
    let org_series: Vec<AssessedValue> = ctx
        .all
        .iter()
        .filter(|a| a.region == ctx.org.key)
        .cloned()
        .collect();
    let groups = sex_groups(&org_series);
    if groups.is_empty() {
        return None;
    }
    let (tr, org_name) = (ctx.tr, &ctx.org_name);
    let meta = ctx.chart_meta(
        &format!("{}: {org_name}", ctx.title),
        &format!("{} – {org_name}", tr.t("ind-sex")),
    );
    let svg = charts::sex_chart(&charts::SexChart {
        meta,
        labels: charts::SexLabels {
            total: tr.t("sex-total"),
            male: tr.t("sex-male"),
            female: tr.t("sex-female"),
            y_axis: ctx.y_axis(),
            ci: ctx.ci_label(),
            outcome: outcome_labels(tr),
        },
        decimals: ctx.fmt.decimals,
        groups: groups.clone(),
    });
    let headers = vec![
        tr.t("ind-year"),
        tr.t("sex-total"),
        tr.t("sex-male"),
        tr.t("sex-female"),
    ];
    let fmt = &ctx.fmt;
    let rows: Vec<Row> = groups
        .into_iter()
        .map(|g| {
            let cells = vec![
                Cell::num(fmt.num(g.total.value)),
                Cell::num(fmt.num(g.male.value)),
                Cell::num(fmt.num(g.female.value)),
            ];
            (g.period, cells)
        })
        .collect();
    Some(ChartPart { svg, headers, rows })
}
