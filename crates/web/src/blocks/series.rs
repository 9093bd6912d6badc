//! Chart series built from assessed values: the trend points, benchmark lines and sex
//! groups that blocks and the indicator pages (`pages::indicators`) both draw.

use super::format::chart_outcome;
use crate::analysis::{assess_in, AssessedValue, ValueSource};
use crate::AppResult;
use hyte_app::model::indicators::{Indicator, ValueQuery};
use hyte_charts as charts;
use hyte_domain::{IndicatorId, RegionCategory, RegionKey, Sex};
use hyte_stats::{trend_outcome, trend_weighted, CiLevel, Outcome, TrendOutcome};
use std::collections::BTreeMap;

/// The points of a trend chart from an area's yearly totals (colour: against the
/// whole country).
pub fn trend_points(totals: &[&AssessedValue]) -> Vec<charts::TrendPoint> {
    totals
        .iter()
        .map(|a| charts::TrendPoint {
            year: a.year as i32,
            value: a.value,
            lower: a.ci_lower,
            upper: a.ci_upper,
            outcome: chart_outcome(
                a.against(RegionCategory::Maa)
                    .map(|c| c.outcome)
                    .unwrap_or(Outcome::NotCompared),
            ),
        })
        .collect()
}

/// A benchmark line of a trend chart: the benchmark's value in each year of the
/// area's series, as the comparisons recorded it.
pub fn benchmark_points(
    totals: &[&AssessedValue],
    benchmark: &RegionKey,
) -> Vec<(i32, Option<f64>)> {
    totals
        .iter()
        .map(|t| {
            (
                t.year as i32,
                t.comparisons
                    .iter()
                    .find(|x| x.benchmark == *benchmark)
                    .and_then(|x| x.benchmark_value),
            )
        })
        .collect()
}

/// Total, men and women of the last five years that have a breakdown by sex.
pub fn sex_groups(series: &[AssessedValue]) -> Vec<charts::SexGroup> {
    // Indexed by the sex code: 0 total, 1 men, 2 women.
    let mut by_year: BTreeMap<i64, [Option<&AssessedValue>; 3]> = Default::default();
    for a in series {
        let e = by_year.entry(a.year).or_default();
        e[a.gender.code() as usize] = Some(a);
    }
    let with_sex: Vec<_> = by_year
        .iter()
        .filter(|(_, v)| v[1].is_some() || v[2].is_some())
        .collect();
    with_sex[with_sex.len().saturating_sub(5)..]
        .iter()
        .map(|(y, v)| {
            let sv = |a: Option<&AssessedValue>| charts::SexValue {
                value: a.and_then(|a| a.value),
                lower: a.and_then(|a| a.ci_lower),
                upper: a.and_then(|a| a.ci_upper),
                outcome: None,
            };
            charts::SexGroup {
                period: y.to_string(),
                total: sv(v[0]),
                male: sv(v[1]),
                female: sv(v[2]),
            }
        })
        .collect()
}

/// An area's values in every year, every sex.
pub fn area_series(area: &RegionKey) -> ValueQuery {
    ValueQuery {
        regions: vec![area.clone()],
        years: vec![],
        sex: None,
    }
}

/// An area's totals in every year.
pub fn area_totals(area: &RegionKey) -> ValueQuery {
    ValueQuery {
        regions: vec![area.clone()],
        years: vec![],
        sex: Some(Sex::Total),
    }
}

/// Every area's totals in one year.
pub fn year_totals(year: i64) -> ValueQuery {
    ValueQuery {
        regions: vec![],
        years: vec![year],
        sex: Some(Sex::Total),
    }
}

/// Every municipality's own (not derived) total of an indicator in a year, by area:
/// the spread a value is placed in, or the population a size band is read from.
pub async fn municipality_totals(
    src: &ValueSource<'_>,
    id: IndicatorId,
    year: i64,
) -> AppResult<Vec<(RegionKey, f64)>> {
    Ok(src
        .values(id, &year_totals(year))
        .await?
        .into_iter()
        .filter(|v| v.region.category() == RegionCategory::Kunta && !v.derived)
        .filter_map(|v| v.value.map(|x| (v.region, x)))
        .collect())
}

/// An area's yearly totals (95 % intervals) and their trend, weighted by the
/// intervals and judged by the indicator's polarity.
pub async fn area_trend(
    src: &ValueSource<'_>,
    ind: &Indicator,
    area: &RegionKey,
) -> AppResult<(TrendOutcome, Vec<AssessedValue>)> {
    let series = assess_in(src, ind, &area_totals(area), CiLevel::P95).await?;
    let pts: Vec<(f64, f64, f64)> = series
        .iter()
        .filter_map(|a| Some((a.value?, a.ci_lower?, a.ci_upper?)))
        .collect();
    Ok((trend_outcome(trend_weighted(&pts), ind.polarity), series))
}
