//! The indicator explorer: many indicators of one area at a glance (spine chart and
//! table), one indicator in depth (trend, compare areas, sex, map, table, metadata),
//! the catalogue, admin curation and the import page.

use super::render;
use crate::analysis::{assess, AssessedValue};
use crate::api::indicators::{attribution, parse_values_params, values_csv};
use crate::auth::{public_org, Viewer};
use crate::i18n::Tr;
use crate::view::Page;
use crate::{AppError, AppResult, AppState};
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::{header, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use axum_extra::extract::Query;
use hyte_charts as charts;
use hyte_domain::{IndicatorId, Polarity, RegionCategory, RegionKey, Role, Sex};
use hyte_stats::{band, spread, trend_outcome, trend_weighted, CiLevel, Outcome};
use hyte_store::indicators::{Denominator, ImportRun, Indicator, ValueQuery};
use hyte_store::orgs::Region;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::OnceLock;

const GEOJSON: &str = include_str!("../../../../data/geo/kuntarajat_nls.geojson");

fn geometry() -> Option<&'static charts::MapGeometry> {
    static GEO: OnceLock<Option<charts::MapGeometry>> = OnceLock::new();
    GEO.get_or_init(|| charts::MapGeometry::from_geojson(GEOJSON, "NATCODE").ok())
        .as_ref()
}

use crate::blocks::{
    badge, benchmark_points, chart_outcome, chart_polarity, outcome_labels, sex_groups,
    source_line, trend_points, Fmt,
};
pub use crate::blocks::{unit_label, Badge};

/// Query of the explorer pages.
#[derive(Deserialize, Default)]
pub struct ExplorerQuery {
    level: Option<String>,
    year: Option<String>,
    /// Comparison set of the compare-areas chart: `region` (default), `urban`, `size`.
    set: Option<String>,
}

fn parse_level(s: Option<&str>) -> AppResult<CiLevel> {
    Ok(parse_values_params(&[], &[], None, s)?.level)
}

/// A row of the explorer table.
pub struct ExplorerRow {
    /// Indicator id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Year of the latest value.
    pub year: String,
    /// Value text.
    pub value: String,
    /// Whether the value is derived.
    pub derived: bool,
    /// Interval text or the reason there is none.
    pub ci: String,
    /// Welfare-region value text.
    pub region_value: String,
    /// Country value text.
    pub country_value: String,
    /// Outcome against the welfare region.
    pub vs_region: Option<Badge>,
    /// Outcome against the country.
    pub vs_country: Option<Badge>,
    /// Trend wording.
    pub trend: String,
    /// Relative position wording.
    pub position: String,
}

/// A theme group of rows.
pub struct ThemeGroup {
    /// Theme name.
    pub theme: String,
    /// Rows.
    pub rows: Vec<ExplorerRow>,
}

#[derive(Template)]
#[template(path = "explorer.html")]
struct ExplorerTpl {
    page: Page,
    org: Region,
    lead: String,
    spine_svg: String,
    groups: Vec<ThemeGroup>,
    level: &'static str,
    merged_names: String,
    has_snapshot: bool,
}

async fn trend_text(
    state: &AppState,
    ind: &Indicator,
    org: &RegionKey,
    tr: &Tr,
) -> AppResult<(String, Vec<AssessedValue>)> {
    let q = ValueQuery {
        regions: vec![org.clone()],
        years: vec![],
        sex: Some(Sex::Total),
    };
    let series = assess(&state.store, ind, &q, CiLevel::P95).await?;
    let pts: Vec<(f64, f64, f64)> = series
        .iter()
        .filter_map(|a| Some((a.value?, a.ci_lower?, a.ci_upper?)))
        .collect();
    let t = trend_outcome(trend_weighted(&pts), ind.polarity);
    Ok((tr.t(&format!("trend-{}", t.as_str())), series))
}

/// `GET /org/{org}/indicators`: every indicator of an area at a glance.
pub async fn explorer(
    State(state): State<AppState>,
    viewer: Viewer,
    uri: Uri,
    Path(org): Path<String>,
    Query(q): Query<ExplorerQuery>,
) -> AppResult<Response> {
    let region = public_org(&state, &org).await?;
    let level = parse_level(q.level.as_deref())?;
    let tr = Tr::new(viewer.lang);
    let lang = tr.code();
    let indicators = state.store.indicators().await?;
    let counts = state.store.value_counts().await?;
    let mut spine_rows = vec![];
    let mut groups: Vec<ThemeGroup> = vec![];
    let mut has_snapshot = false;
    for ind in indicators
        .iter()
        .filter(|i| counts.get(&i.id.0).copied().unwrap_or(0) > 0)
    {
        let fmt = Fmt::new(ind, &tr);
        let (trend, series) = trend_text(&state, ind, &region.key, &tr).await?;
        let Some(latest) = series.iter().rev().find(|a| a.value.is_some()) else {
            continue;
        };
        has_snapshot |= ind.source == "sotkanet_snapshot_2013";
        let year = latest.year;
        let assessed = if level == CiLevel::P95 {
            latest.clone()
        } else {
            let q = ValueQuery {
                regions: vec![region.key.clone()],
                years: vec![year],
                sex: Some(Sex::Total),
            };
            match assess(&state.store, ind, &q, level)
                .await?
                .into_iter()
                .next()
            {
                Some(a) => a,
                None => continue,
            }
        };
        let peers: Vec<f64> = state
            .store
            .values(
                ind.id,
                &ValueQuery {
                    regions: vec![],
                    years: vec![year],
                    sex: Some(Sex::Total),
                },
            )
            .await?
            .into_iter()
            .filter(|v| v.region.category() == RegionCategory::Kunta && !v.derived)
            .filter_map(|v| v.value)
            .collect();
        let value = assessed.value.unwrap_or_default();
        let position = if region.key.category() == RegionCategory::Kunta {
            band(value, &peers)
                .map(|b| tr.t(&format!("band-{}", b.as_str())))
                .unwrap_or_default()
        } else {
            String::new()
        };
        let reg = assessed.against(RegionCategory::Hyvinvointialue);
        let cty = assessed.against(RegionCategory::Maa);
        let region_name = region
            .welfare_region
            .as_ref()
            .map(|_| tr.t("ind-region"))
            .unwrap_or_default();
        let row = ExplorerRow {
            id: ind.id.0,
            title: ind.title.get(lang).to_string(),
            year: year.to_string(),
            value: fmt.num(assessed.value),
            derived: assessed.derived,
            ci: fmt.ci(&assessed).unwrap_or_else(|| tr.t("ind-no-ci")),
            region_value: fmt.num(reg.and_then(|c| c.benchmark_value)),
            country_value: fmt.num(cty.and_then(|c| c.benchmark_value)),
            vs_region: reg.map(|c| {
                badge(
                    &tr,
                    c.outcome,
                    &region_name,
                    &fmt.num(c.benchmark_value),
                    level,
                )
            }),
            vs_country: cty.map(|c| {
                badge(
                    &tr,
                    c.outcome,
                    &tr.t("ind-country"),
                    &fmt.num(c.benchmark_value),
                    level,
                )
            }),
            trend,
            position,
        };
        // A count (e.g. population) differs with the size of the area; only rates,
        // shares and per-resident values are comparable on a spine.
        let plotted = ind.value_unit() != hyte_domain::ValueUnit::Count;
        if plotted {
            spine_rows.push(charts::SpineRow {
                indicator: row.title.clone(),
                period: row.year.clone(),
                count_text: None,
                value_text: row.value.clone(),
                region_text: row.region_value.clone(),
                country_text: row.country_value.clone(),
                value: assessed.value,
                region: reg.and_then(|c| c.benchmark_value),
                country: cty.and_then(|c| c.benchmark_value),
                outcome: chart_outcome(cty.map(|c| c.outcome).unwrap_or(Outcome::NotCompared)),
                spread: spread(&peers).map(|s| charts::Spread {
                    min: s.min,
                    p25: s.p25,
                    median: s.median,
                    p75: s.p75,
                    max: s.max,
                }),
                polarity: chart_polarity(ind.polarity),
            });
        }
        let theme = ind.theme.clone().unwrap_or_else(|| "–".into());
        match groups.iter_mut().find(|g| g.theme == theme) {
            Some(g) => g.rows.push(row),
            None => groups.push(ThemeGroup {
                theme,
                rows: vec![row],
            }),
        }
    }
    let name = region.name(lang).to_string();
    let mut meta = charts::ChartMeta::new(
        "spine",
        &tr.t("ind-spine"),
        &tr.ta("ind-explorer-lead", &[("org", name.clone())]),
    );
    meta.width = 900.0;
    meta.decimal_comma = lang != "en";
    meta.source = Some("Sotkanet / THL, CC BY 4.0".into());
    let spine_svg = if spine_rows.is_empty() {
        String::new()
    } else {
        charts::spine_chart(&charts::SpineChart {
            meta,
            labels: charts::SpineLabels {
                indicator: tr.t("ind-indicator"),
                period: tr.t("ind-year"),
                count: String::new(),
                area: name.clone(),
                region: tr.t("ind-region"),
                country: tr.t("ind-country"),
                left_end: tr.t("outcome-worse"),
                right_end: tr.t("outcome-better"),
                spread_range: "min–max".into(),
                spread_iqr: "25–75 %".into(),
                outcome: outcome_labels(&tr),
            },
            rows: spine_rows,
        })
    };
    let merged_names = state
        .store
        .predecessors_of(&region.key)
        .await?
        .iter()
        .map(|p| {
            format!(
                "{} ({})",
                p.name(lang),
                p.valid_to.map(|y| y + 1).unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let page = Page::new(
        &viewer,
        format!("{} – {}", tr.t("ind-title"), name),
        &uri.to_string(),
    );
    render(&ExplorerTpl {
        lead: tr.ta("ind-explorer-lead", &[("org", name)]),
        page,
        org: region,
        spine_svg,
        groups,
        level: level.as_str(),
        merged_names,
        has_snapshot,
    })
}

/// A row of the indicator page's table.
pub struct SeriesRow {
    /// Year.
    pub year: i64,
    /// Value.
    pub value: String,
    /// Derived flag.
    pub derived: bool,
    /// Interval.
    pub ci: String,
    /// Region value.
    pub region_value: String,
    /// Outcome vs region.
    pub vs_region: Option<Badge>,
    /// Country value.
    pub country_value: String,
    /// Outcome vs country.
    pub vs_country: Option<Badge>,
}

/// A row of the compare-areas table.
pub struct AreaRow {
    /// Area name.
    pub name: String,
    /// Value.
    pub value: String,
    /// Interval.
    pub ci: String,
    /// Outcome vs country.
    pub vs_country: Option<Badge>,
}

#[derive(Template)]
#[template(path = "indicator.html")]
struct IndicatorTpl {
    page: Page,
    org: Region,
    ind: Indicator,
    title: String,
    unit_text: String,
    polarity_text: String,
    producer: String,
    description: String,
    interpretation: String,
    limits: String,
    sotkanet_url: String,
    attribution: String,
    trend_svg: String,
    trend_word: String,
    compare_svg: String,
    compare_rows: Vec<AreaRow>,
    sex_svg: String,
    map_svg: String,
    rows: Vec<SeriesRow>,
    level: &'static str,
    set: &'static str,
    set_label: String,
    year: i64,
    years: Vec<i64>,
    is_admin: bool,
    merged_names: String,
    has_derived: bool,
}

/// Which municipalities the compare-areas chart shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ComparisonSet {
    /// Municipalities of the same welfare region.
    Region,
    /// The same urban/rural class (Statistics Finland's kuntaryhmitys).
    Urban,
    /// A similar size: the same population band in the chosen year.
    Size,
}

impl ComparisonSet {
    fn parse(s: Option<&str>) -> AppResult<ComparisonSet> {
        match s.unwrap_or("") {
            "" | "region" => Ok(ComparisonSet::Region),
            "urban" => Ok(ComparisonSet::Urban),
            "size" => Ok(ComparisonSet::Size),
            other => Err(AppError::bad_request(format!(
                "unknown comparison set '{other}': use region, urban or size"
            ))),
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            ComparisonSet::Region => "region",
            ComparisonSet::Urban => "urban",
            ComparisonSet::Size => "size",
        }
    }
}

/// Population bands for "similar size": under 5 000, 5 000–9 999, 10 000–19 999,
/// 20 000–49 999, 50 000–99 999, and 100 000 or more residents.
fn size_band(population: f64) -> u8 {
    match population {
        p if p < 5_000.0 => 0,
        p if p < 10_000.0 => 1,
        p if p < 20_000.0 => 2,
        p if p < 50_000.0 => 3,
        p if p < 100_000.0 => 4,
        _ => 5,
    }
}

async fn load_indicator(state: &AppState, id: &str) -> AppResult<Indicator> {
    let id: i64 = id
        .parse()
        .map_err(|_| AppError::bad_request(format!("'{id}' is not an indicator id")))?;
    state
        .store
        .indicator(IndicatorId(id))
        .await?
        .ok_or_else(|| AppError::not_found(format!("no indicator {id}")))
}

/// `GET /org/{org}/indicators/{id}`: one indicator in depth.
pub async fn indicator_page(
    State(state): State<AppState>,
    viewer: Viewer,
    uri: Uri,
    Path((org, id)): Path<(String, String)>,
    Query(q): Query<ExplorerQuery>,
) -> AppResult<Response> {
    let region = public_org(&state, &org).await?;
    let ind = load_indicator(&state, &id).await?;
    let level = parse_level(q.level.as_deref())?;
    let tr = Tr::new(viewer.lang);
    let lang = tr.code();
    let fmt = Fmt::new(&ind, &tr);
    let name = region.name(lang).to_string();
    let title = ind.title.get(lang).to_string();
    let (trend_word, _) = trend_text(&state, &ind, &region.key, &tr).await?;
    let series = assess(
        &state.store,
        &ind,
        &ValueQuery {
            regions: vec![region.key.clone()],
            years: vec![],
            sex: None,
        },
        level,
    )
    .await?;
    let totals: Vec<&AssessedValue> = series.iter().filter(|a| a.gender == Sex::Total).collect();
    let years: Vec<i64> = state.store.indicator_years(ind.id).await?;
    let latest = totals
        .iter()
        .rev()
        .find(|a| a.value.is_some())
        .map(|a| a.year)
        .or_else(|| years.last().copied())
        .unwrap_or(0);
    let year = match q.year.as_deref() {
        Some(y) if !y.is_empty() => y
            .parse::<i64>()
            .ok()
            .filter(|y| years.contains(y))
            .ok_or_else(|| AppError::bad_request(format!("no data for year '{y}'")))?,
        _ => latest,
    };
    let region_label = tr.t("ind-region");
    let rows: Vec<SeriesRow> = totals
        .iter()
        .map(|a| {
            let reg = a.against(RegionCategory::Hyvinvointialue);
            let cty = a.against(RegionCategory::Maa);
            SeriesRow {
                year: a.year,
                value: fmt.num(a.value),
                derived: a.derived,
                ci: fmt.ci(a).unwrap_or_else(|| tr.t("ind-no-ci")),
                region_value: fmt.num(reg.and_then(|c| c.benchmark_value)),
                vs_region: reg.map(|c| {
                    badge(
                        &tr,
                        c.outcome,
                        &region_label,
                        &fmt.num(c.benchmark_value),
                        level,
                    )
                }),
                country_value: fmt.num(cty.and_then(|c| c.benchmark_value)),
                vs_country: cty.map(|c| {
                    badge(
                        &tr,
                        c.outcome,
                        &tr.t("ind-country"),
                        &fmt.num(c.benchmark_value),
                        level,
                    )
                }),
            }
        })
        .collect();
    let has_derived = totals
        .iter()
        .any(|a| a.derived || a.comparisons.iter().any(|c| c.benchmark_derived));
    let comma = lang != "en";
    let source = source_line(&ind, lang);
    // Trend chart with the welfare region and the country as benchmark lines.
    let mut trend_meta = charts::ChartMeta::new(
        "trend",
        &format!("{title}: {name}"),
        &format!("{} {}", tr.t("ind-trend"), name),
    );
    trend_meta.decimal_comma = comma;
    trend_meta.width = 760.0;
    trend_meta.source = Some(source.clone());
    let mut benchmarks = vec![];
    if let Some(a) = totals.first() {
        for c in &a.comparisons {
            let label = if c.benchmark.category() == RegionCategory::Maa {
                tr.t("ind-country")
            } else {
                region_label.clone()
            };
            let pts = benchmark_points(&totals, &c.benchmark);
            benchmarks.push(charts::BenchmarkSeries {
                name: label,
                points: pts,
            });
        }
    }
    let trend_svg = if totals.is_empty() {
        String::new()
    } else {
        charts::trend_chart(&charts::TrendChart {
            meta: trend_meta,
            labels: charts::TrendLabels {
                area: name.clone(),
                y_axis: unit_label(&tr, &ind.unit),
                ci: format!("{} {} %", tr.t("ind-ci"), level.as_str()),
                outcome: outcome_labels(&tr),
            },
            decimals: fmt.decimals,
            points: trend_points(&totals),
            benchmarks,
            ci_style: charts::CiStyle::Band,
            y_from_zero: false,
        })
    };
    // Compare areas of a comparison set in the chosen year: the same welfare region
    // (default), the same urban/rural class, or a similar size (population band).
    let set = ComparisonSet::parse(q.set.as_deref())?;
    let group_key = match region.key.category() {
        RegionCategory::Hyvinvointialue => Some(region.key.clone()),
        _ => region.welfare_region.clone(),
    };
    let size_band_of: HashMap<String, u8> = if set == ComparisonSet::Size {
        state
            .store
            .values(
                IndicatorId(crate::analysis::POPULATION_INDICATOR),
                &ValueQuery {
                    regions: vec![],
                    years: vec![year],
                    sex: Some(Sex::Total),
                },
            )
            .await?
            .into_iter()
            .filter(|v| v.region.category() == RegionCategory::Kunta && !v.derived)
            .filter_map(|v| v.value.map(|p| (v.region.to_string(), size_band(p))))
            .collect()
    } else {
        HashMap::new()
    };
    let own_band = size_band_of.get(&region.key.to_string()).copied();
    let mut compare_rows = vec![];
    let mut compare_svg = String::new();
    let mut map_svg = String::new();
    if let Some(gk) = &group_key {
        let all = assess(
            &state.store,
            &ind,
            &ValueQuery {
                regions: vec![],
                years: vec![year],
                sex: Some(Sex::Total),
            },
            level,
        )
        .await?;
        let regions: HashMap<String, Region> = state
            .store
            .regions(Some(RegionCategory::Kunta))
            .await?
            .into_iter()
            .map(|r| (r.key.to_string(), r))
            .collect();
        let country_value = all
            .iter()
            .find(|a| a.region.category() == RegionCategory::Maa)
            .and_then(|a| a.value);
        let members: Vec<&AssessedValue> = all
            .iter()
            .filter(|a| {
                let Some(r) = regions.get(&a.region.to_string()) else {
                    return false;
                };
                match set {
                    ComparisonSet::Region => r.welfare_region.as_ref() == Some(gk),
                    ComparisonSet::Urban => {
                        region.urban_class.is_some() && r.urban_class == region.urban_class
                    }
                    ComparisonSet::Size => {
                        own_band.is_some()
                            && size_band_of.get(&a.region.to_string()).copied() == own_band
                    }
                }
            })
            .collect();
        let bars = members
            .iter()
            .map(|a| {
                let r = &regions[&a.region.to_string()];
                let o = a
                    .against(RegionCategory::Maa)
                    .map(|c| c.outcome)
                    .unwrap_or(Outcome::NotCompared);
                compare_rows.push(AreaRow {
                    name: r.name(lang).to_string(),
                    value: fmt.num(a.value),
                    ci: fmt.ci(a).unwrap_or_else(|| tr.t("ind-no-ci")),
                    vs_country: a.against(RegionCategory::Maa).map(|c| {
                        badge(
                            &tr,
                            c.outcome,
                            &tr.t("ind-country"),
                            &fmt.num(c.benchmark_value),
                            level,
                        )
                    }),
                });
                charts::CompareBar {
                    name: r.name(lang).to_string(),
                    value: a.value,
                    lower: a.ci_lower,
                    upper: a.ci_upper,
                    outcome: chart_outcome(o),
                    selected: a.region == region.key,
                }
            })
            .collect::<Vec<_>>();
        if !bars.is_empty() {
            let mut meta = charts::ChartMeta::new(
                "compare",
                &format!("{title} {year}"),
                &format!("{} ({year})", tr.t("ind-compare")),
            );
            meta.decimal_comma = comma;
            meta.width = 760.0;
            meta.source = Some(source.clone());
            compare_svg = charts::compare_chart(&charts::CompareChart {
                meta,
                labels: charts::CompareLabels {
                    value_axis: unit_label(&tr, &ind.unit),
                    benchmark: tr.t("ind-country"),
                    ci: format!("{} {} %", tr.t("ind-ci"), level.as_str()),
                    missing: tr.t("ind-no-data"),
                    outcome: outcome_labels(&tr),
                },
                decimals: fmt.decimals,
                bars,
                benchmark: country_value,
                sort: charts::SortOrder::Descending,
            });
        }
        // Map of all municipalities: outcome against the country at the 99.8 % level
        // when showing ~300 areas at once (BENCHMARKING.md section 1).
        if let Some(geo) = geometry() {
            let wide = assess(
                &state.store,
                &ind,
                &ValueQuery {
                    regions: vec![],
                    years: vec![year],
                    sex: Some(Sex::Total),
                },
                CiLevel::P998,
            )
            .await?;
            let by_code: HashMap<&str, &AssessedValue> = wide
                .iter()
                .filter(|a| a.region.category() == RegionCategory::Kunta)
                .map(|a| (a.region.code(), a))
                .collect();
            let peers: Vec<f64> = by_code.values().filter_map(|a| a.value).collect();
            let any_ci = by_code.values().any(|a| a.ci_lower.is_some());
            let areas = geo
                .features()
                .iter()
                .map(|f| {
                    let a = by_code.get(f.code.as_str());
                    let category = match a.and_then(|a| a.value) {
                        None => charts::MapCategory::NoData,
                        Some(_) if any_ci => charts::MapCategory::Outcome(chart_outcome(
                            a.and_then(|a| a.against(RegionCategory::Maa))
                                .map(|c| c.outcome)
                                .unwrap_or(Outcome::NotCompared),
                        )),
                        Some(v) => charts::MapCategory::Quintile(
                            hyte_stats::quintile(v, &peers).unwrap_or(3),
                        ),
                    };
                    let rname = f
                        .properties
                        .get(if lang == "sv" { "NAMESWE" } else { "NAMEFIN" })
                        .cloned()
                        .unwrap_or_else(|| f.code.clone());
                    charts::MapArea {
                        code: f.code.clone(),
                        name: rname,
                        value_text: a.map(|a| fmt.num(a.value)),
                        category,
                    }
                })
                .collect();
            let mut meta = charts::ChartMeta::new(
                "map",
                &format!("{title} {year}"),
                &format!("{} ({year})", tr.t("ind-map")),
            );
            meta.decimal_comma = comma;
            meta.width = 640.0;
            meta.source = Some(format!("{source} · Maanmittauslaitos CC BY 4.0"));
            map_svg = charts::choropleth_map(&charts::MapChart {
                meta,
                labels: charts::MapLabels {
                    legend_title: if any_ci {
                        format!("{} (99,8 %)", tr.t("ind-outcome"))
                    } else {
                        tr.t("ind-position")
                    },
                    quintiles: ["1".into(), "2".into(), "3".into(), "4".into(), "5".into()],
                    outcome: outcome_labels(&tr),
                    no_data: tr.t("ind-no-data"),
                },
                geometry: geo,
                areas,
                selected: Some(region.key.code().to_string()),
            });
        }
    }
    finish_indicator_page(
        &state,
        viewer,
        uri,
        region,
        ind,
        level,
        set,
        year,
        years,
        rows,
        trend_svg,
        trend_word,
        compare_svg,
        compare_rows,
        map_svg,
        series,
        has_derived,
        &fmt,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn finish_indicator_page(
    state: &AppState,
    viewer: Viewer,
    uri: Uri,
    region: Region,
    ind: Indicator,
    level: CiLevel,
    set: ComparisonSet,
    year: i64,
    years: Vec<i64>,
    rows: Vec<SeriesRow>,
    trend_svg: String,
    trend_word: String,
    compare_svg: String,
    compare_rows: Vec<AreaRow>,
    map_svg: String,
    series: Vec<AssessedValue>,
    has_derived: bool,
    fmt: &Fmt,
) -> AppResult<Response> {
    let tr = Tr::new(viewer.lang);
    let lang = tr.code();
    let name = region.name(lang).to_string();
    let title = ind.title.get(lang).to_string();
    // Sex breakdown where the data has it.
    let groups: Vec<charts::SexGroup> = sex_groups(&series);
    let sex_svg = if groups.is_empty() {
        String::new()
    } else {
        let mut meta = charts::ChartMeta::new("sex", &format!("{title}: {name}"), &tr.t("ind-sex"));
        meta.decimal_comma = lang != "en";
        charts::sex_chart(&charts::SexChart {
            meta,
            labels: charts::SexLabels {
                total: tr.t("sex-total"),
                male: tr.t("sex-male"),
                female: tr.t("sex-female"),
                y_axis: unit_label(&tr, &ind.unit),
                ci: tr.t("ind-ci"),
                outcome: outcome_labels(&tr),
            },
            decimals: fmt.decimals,
            groups,
        })
    };
    let merged_names = state
        .store
        .predecessors_of(&region.key)
        .await?
        .iter()
        .map(|p| p.name(lang).to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let page = Page::new(&viewer, format!("{title} – {name}"), &uri.to_string());
    render(&IndicatorTpl {
        title,
        unit_text: unit_label(&tr, &ind.unit),
        polarity_text: tr.t(&format!("polarity-{}", ind.polarity.as_str())),
        producer: ind.producer.get(lang).to_string(),
        description: ind.description.get(lang).to_string(),
        interpretation: ind.interpretation.get(lang).to_string(),
        limits: ind.limits.get(lang).to_string(),
        sotkanet_url: ind.sotkanet_url(lang),
        attribution: attribution(&ind, lang),
        is_admin: viewer.is_admin(),
        page,
        org: region,
        ind,
        trend_svg,
        trend_word,
        compare_svg,
        compare_rows,
        sex_svg,
        map_svg,
        rows,
        level: level.as_str(),
        set: set.as_str(),
        set_label: tr.t(&format!("set-{}", set.as_str())),
        year,
        years,
        merged_names,
        has_derived,
    })
}

/// `GET /org/{org}/indicators/{id}/table.csv`: the area's series with comparisons.
pub async fn table_csv(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((org, id)): Path<(String, String)>,
    Query(q): Query<ExplorerQuery>,
) -> AppResult<Response> {
    let region = public_org(&state, &org).await?;
    let ind = load_indicator(&state, &id).await?;
    let level = parse_level(q.level.as_deref())?;
    let rows = assess(
        &state.store,
        &ind,
        &ValueQuery {
            regions: vec![region.key.clone()],
            years: vec![],
            sex: None,
        },
        level,
    )
    .await?;
    let body = values_csv(&ind, &rows, viewer.lang.code())?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"hyte-{}-{}.csv\"",
                    region.key.to_string().replace(':', "-"),
                    ind.id
                ),
            ),
        ],
        body,
    )
        .into_response())
}

/// A catalogue entry.
pub struct CatalogueRow {
    /// Id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Theme.
    pub theme: String,
    /// Producer.
    pub producer: String,
    /// Number of values.
    pub values: i64,
}

#[derive(Template)]
#[template(path = "catalogue.html")]
struct CatalogueTpl {
    page: Page,
    rows: Vec<CatalogueRow>,
    orgs: Vec<(String, String)>,
}

/// `GET /indicators`: the catalogue, with an area picker.
pub async fn catalogue(
    State(state): State<AppState>,
    viewer: Viewer,
    uri: Uri,
) -> AppResult<Response> {
    let tr = Tr::new(viewer.lang);
    let lang = tr.code();
    let counts = state.store.value_counts().await?;
    let rows = state
        .store
        .indicators()
        .await?
        .into_iter()
        .map(|i| CatalogueRow {
            id: i.id.0,
            title: i.title.get(lang).to_string(),
            theme: i.theme.clone().unwrap_or_default(),
            producer: i.producer.get(lang).to_string(),
            values: counts.get(&i.id.0).copied().unwrap_or(0),
        })
        .collect();
    let orgs = state
        .store
        .organisations()
        .await?
        .into_iter()
        .map(|r| (r.key.to_string(), r.name(lang).to_string()))
        .collect();
    render(&CatalogueTpl {
        page: Page::new(&viewer, tr.t("ind-title"), &uri.to_string()),
        rows,
        orgs,
    })
}

/// The admin curation form.
#[derive(Deserialize)]
pub struct CurateForm {
    #[serde(default)]
    csrf: String,
    polarity: String,
    denominator: String,
    kind: String,
    #[serde(default)]
    back: String,
}

/// `POST /admin/indicators/{id}`: an admin sets what Sotkanet lacks (polarity,
/// denominator, kind); derived benchmarks are recomputed.
pub async fn curate(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(f): Form<CurateForm>,
) -> AppResult<Response> {
    viewer.check_csrf(&f.csrf)?;
    let user = viewer.user()?;
    if user.role != Role::Admin {
        return Err(AppError::forbidden(
            "only administrators curate indicator metadata",
        ));
    }
    let ind = load_indicator(&state, &id).await?;
    let polarity: Polarity = f.polarity.parse().map_err(AppError::unprocessable)?;
    let denominator = match f.denominator.as_str() {
        "population" => Denominator::Population,
        "none" => Denominator::None,
        other => {
            return Err(AppError::unprocessable(format!(
                "unknown denominator '{other}'"
            )))
        }
    };
    if !["register", "survey", "projection", "finance", "other"].contains(&f.kind.as_str()) {
        return Err(AppError::unprocessable(format!(
            "unknown kind '{}'",
            f.kind
        )));
    }
    state
        .store
        .set_indicator_curation(ind.id, polarity, denominator, &f.kind)
        .await?;
    state.store.recompute_derived(&[ind.id.0]).await?;
    state
        .store
        .audit(
            Some(&user.email),
            None,
            "indicator_curated",
            &format!(
                "indicator {}: polarity {}, denominator {}, kind {}",
                ind.id, f.polarity, f.denominator, f.kind
            ),
        )
        .await?;
    let back = if f.back.starts_with("/org/") && !f.back.contains("//") {
        f.back
    } else {
        "/indicators".into()
    };
    Ok(Redirect::to(&back).into_response())
}

#[derive(Template)]
#[template(path = "imports.html")]
struct ImportsTpl {
    page: Page,
    runs: Vec<ImportRun>,
    message: Option<String>,
    error: Option<String>,
    can_upload: bool,
}

async fn imports_page(
    state: &AppState,
    viewer: &Viewer,
    message: Option<String>,
    error: Option<String>,
) -> AppResult<Response> {
    let user = viewer.user()?;
    if !user.role.at_least(Role::Coordinator) {
        return Err(AppError::forbidden(
            "import history is for coordinators and admins",
        ));
    }
    let tr = Tr::new(viewer.lang);
    let failed = error.is_some();
    let mut res = render(&ImportsTpl {
        page: Page::new(viewer, tr.t("imports-title"), "/admin/imports"),
        runs: state.store.import_runs(100).await?,
        message,
        error,
        can_upload: user.role == Role::Admin,
    })?;
    if failed {
        *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

/// `GET /admin/imports`: import history and the upload form.
pub async fn imports(State(state): State<AppState>, viewer: Viewer) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(Redirect::to("/login?next=/admin/imports").into_response());
    }
    imports_page(&state, &viewer, None, None).await
}

/// `POST /admin/imports`: an admin uploads a Sotkanet file; it is imported whole or
/// refused whole.
pub async fn upload(
    State(state): State<AppState>,
    viewer: Viewer,
    mut multipart: Multipart,
) -> AppResult<Response> {
    let mut csrf = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| AppError::bad_request(format!("the upload could not be read: {e}")))?
    {
        match field.name() {
            Some("csrf") => {
                csrf = field
                    .text()
                    .await
                    .map_err(|e| AppError::bad_request(e.to_string()))?
            }
            Some("file") => {
                let name = field
                    .file_name()
                    .map(|n| n.rsplit(['/', '\\']).next().unwrap_or(n).to_string())
                    .unwrap_or_else(|| "upload".into());
                let bytes = field.bytes().await.map_err(|e| {
                    AppError::bad_request(format!("the upload could not be read: {e}"))
                })?;
                file = Some((name, bytes.to_vec()));
            }
            _ => {}
        }
    }
    viewer.check_csrf(&csrf)?;
    let user = viewer.user()?.clone();
    if user.role != Role::Admin {
        return Err(AppError::forbidden("only administrators import data"));
    }
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return imports_page(&state, &viewer, None, Some("no file was chosen".into())).await;
    };
    let tr = Tr::new(viewer.lang);
    match state
        .store
        .ingest(&name, bytes, Some(&user.email), "upload in the browser")
        .await
    {
        Ok(outcome) => {
            // Public outputs show live plan follow-up values.
            state.outputs.clear();
            state
                .store
                .audit(
                    Some(&user.email),
                    None,
                    "import",
                    &format!(
                        "{name}: {}",
                        serde_json::to_string(&outcome).unwrap_or_default()
                    ),
                )
                .await?;
            imports_page(&state, &viewer, Some(tr.t("imports-done")), None).await
        }
        Err(hyte_store::StoreError::Invalid(reason)) => {
            imports_page(&state, &viewer, None, Some(reason)).await
        }
        Err(e) => Err(e.into()),
    }
}
