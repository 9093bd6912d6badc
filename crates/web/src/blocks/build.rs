//! Building one block: resolve the indicator, comparators and values, then hand the
//! chart to its kind's builder, add the year table and the notes.

use super::cells::Row;
use super::context::{assess_areas, ci_level, resolve_comparators, BlockCtx};
use super::format::unit_label;
use super::template::{clean_id, BlockTpl};
use super::{compare, sex, spine, table, trend};
use crate::analysis::ValueSource;
use crate::api::indicators::attribution;
use crate::i18n::Tr;
use crate::AppResult;
use hyte_app::model::orgs::Region;
use hyte_domain::document::{ChartKind, IndicatorBlock};

/// What one chart kind contributes to a block: the chart and, for the kinds that have
/// their own, the table (an empty table gets the year-by-year one).
#[derive(Default)]
pub(super) struct ChartPart {
    pub(super) svg: String,
    pub(super) headers: Vec<String>,
    pub(super) rows: Vec<Row>,
}

/// The template data of one block: its chart, outcomes, table and notes, or the error
/// box when the indicator does not exist.
pub(super) async fn block_tpl_at(
    src: &ValueSource<'_>,
    org: &Region,
    block: &IndicatorBlock,
    line: Option<usize>,
    raw: Option<&str>,
    tr: &Tr,
    id_prefix: &str,
) -> AppResult<BlockTpl> {
    let id = clean_id(id_prefix);
    let Some(ind) = src.indicator(block.indicator).await? else {
        return Ok(unknown_indicator(tr, &id, block, line, raw));
    };
    // Notes keep the order of the steps: comparators, data, chart, benchmarks.
    let mut notes = vec![];
    let cmps = resolve_comparators(src, org, block, tr, &mut notes).await?;
    let all = assess_areas(src, &ind, org, &cmps, ci_level(block)).await?;
    let ctx = BlockCtx::new(tr, &ind, org, block, id, cmps, &all);
    notes.extend(ctx.data_notes());
    let outcomes = ctx.outcomes();
    let mut part = chart_part(src, &ctx, &mut notes).await?;
    if part.headers.is_empty() && !ctx.org_totals.is_empty() {
        let (headers, rows) = table::year_table(&ctx);
        part.headers = headers;
        part.rows.extend(rows);
    }
    notes.extend(ctx.no_benchmark_note());
    let subtitle = subtitle(&ctx);
    Ok(BlockTpl {
        tr: *tr,
        id: ctx.id,
        error: None,
        error_lead: String::new(),
        raw: block.to_line(),
        indicator_href: format!("/org/{}/indicators/{}", org.key, ind.id),
        title: ctx.title,
        subtitle,
        svg: part.svg,
        outcomes,
        headers: part.headers,
        rows: part.rows,
        table_open: block.chart == ChartKind::Table,
        notes,
        attribution: attribution(&ind, tr.code()),
        frozen: src.is_frozen(),
    })
}

/// The error box of a block whose indicator does not exist.
fn unknown_indicator(
    tr: &Tr,
    id: &str,
    block: &IndicatorBlock,
    line: Option<usize>,
    raw: Option<&str>,
) -> BlockTpl {
    let msg = tr.ta(
        "blk-unknown-indicator",
        &[("id", block.indicator.to_string())],
    );
    // The line as the author wrote it; without one, the block's own form.
    let raw = raw
        .map(|r| r.trim().to_string())
        .unwrap_or_else(|| block.to_line());
    BlockTpl::error(tr, id, line, &raw, msg)
}

/// The chart of the block's kind. A kind without the data it needs draws nothing and
/// leaves the year table to speak; a sex chart without a breakdown says so.
async fn chart_part(
    src: &ValueSource<'_>,
    ctx: &BlockCtx<'_>,
    notes: &mut Vec<String>,
) -> AppResult<ChartPart> {
    Ok(match ctx.block.chart {
        ChartKind::Sex => sex::part(ctx).unwrap_or_else(|| {
            if ctx.latest.is_some() {
                notes.push(ctx.tr.t("blk-no-sex"));
            }
            ChartPart::default()
        }),
        ChartKind::Trend if !ctx.org_totals.is_empty() => trend::part(ctx),
        ChartKind::Compare if ctx.org_at.is_some() => compare::part(ctx),
        ChartKind::Spine => match ctx.org_at {
            Some(a) => spine::part(src, ctx, a).await?,
            None => ChartPart::default(),
        },
        _ => ChartPart::default(),
    })
}

/// The caption line under the title: area, year, chart kind and unit, skipping what
/// is empty.
fn subtitle(ctx: &BlockCtx<'_>) -> String {
    [
        ctx.org_name.clone(),
        ctx.year_text(),
        ctx.tr.t(&format!("blk-chart-{}", ctx.block.chart.as_str())),
        unit_label(ctx.tr, &ctx.ind.unit),
    ]
    .into_iter()
    .filter(|s| !s.is_empty())
    .collect::<Vec<_>>()
    .join(" · ")
}
