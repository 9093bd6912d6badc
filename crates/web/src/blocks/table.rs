//! The year-by-year table of a block, for the kinds without a table of their own
//! (trend, spine, table).

use super::cells::{Cell, Row};
use super::context::{BlockCtx, Cmp};
use super::format::badge;
use crate::analysis::AssessedValue;
use hyte_domain::document::ChartKind;
use hyte_stats::Outcome;

/// A comparator's value in the area's year, and the outcome when the test had one.
type CmpValue = (Option<f64>, Option<(Option<f64>, Outcome)>);

/// Headers and rows of the area's years (only the year shown for a spine). Columns
/// without any value (no interval, a comparator without data) are left out.
pub(super) fn year_table(ctx: &BlockCtx<'_>) -> (Vec<String>, Vec<Row>) {
    let tr = ctx.tr;
    let shown: Vec<&AssessedValue> = if ctx.block.chart == ChartKind::Spine {
        ctx.org_totals
            .iter()
            .copied()
            .filter(|a| Some(a.year) == ctx.year)
            .collect()
    } else {
        ctx.org_totals.clone()
    };
    let has_ci = shown.iter().any(|a| a.ci_lower.is_some());
    let with_data: Vec<&Cmp> = ctx
        .cmps
        .iter()
        .filter(|c| shown.iter().any(|a| cmp_value(ctx, a, c).0.is_some()))
        .collect();
    let mut headers = vec![tr.t("ind-year"), ctx.org_name.clone()];
    if has_ci {
        headers.push(format!("{} ({} %)", tr.t("ind-ci"), ctx.level.as_str()));
    }
    for c in &with_data {
        headers.push(c.name.clone());
        headers.push(tr.ta("blk-vs", &[("area", c.name.clone())]));
    }
    let rows = shown
        .into_iter()
        .map(|a| year_row(ctx, a, has_ci, &with_data))
        .collect();
    (headers, rows)
}

/// One year: the area's value, its interval when the table has them, then each
/// comparator's value and outcome.
fn year_row(ctx: &BlockCtx<'_>, a: &AssessedValue, has_ci: bool, with_data: &[&Cmp]) -> Row {
    let (tr, fmt) = (ctx.tr, &ctx.fmt);
    let mut cells = vec![Cell::num(format!(
        "{}{}",
        fmt.num(a.value),
        if a.derived {
            format!(" ({})", tr.t("ind-derived"))
        } else {
            String::new()
        }
    ))];
    if has_ci {
        cells.push(Cell::text(fmt.ci(a).unwrap_or_else(|| tr.t("ind-no-ci"))));
    }
    for c in with_data {
        let (v, r) = cmp_value(ctx, a, c);
        cells.push(Cell::num(fmt.num(v)));
        cells.push(Cell::badge(
            r.map(|(v, o)| badge(tr, o, &c.name, &fmt.num(v), ctx.level)),
        ));
    }
    (a.year.to_string(), cells)
}

/// A comparator in the year of `a`: its value (from the comparison, else its own
/// total) and the outcome, which needs both the area's and the comparator's value.
fn cmp_value(ctx: &BlockCtx<'_>, a: &AssessedValue, c: &Cmp) -> CmpValue {
    let r = if a.value.is_some() {
        ctx.compare_with(a, c)
    } else {
        None
    };
    let v = r
        .and_then(|(v, _)| v)
        .or_else(|| ctx.value_in(&c.key, a.year));
    (v, r.filter(|(v, _)| v.is_some()))
}
