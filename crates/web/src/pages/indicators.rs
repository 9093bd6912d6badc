//! The indicator explorer: many indicators of one area at a glance (spine chart and
//! table), one indicator in depth (trend, compare areas, sex, map, table, metadata),
//! the catalogue ([`detail`]: the indicator page; [`admin`]: curation and imports).

use super::render;
use crate::analysis::AssessedValue;
use crate::api::indicators::{attribution, parse_values_params, values_csv};
use crate::auth::{public_org, Viewer};
use crate::i18n::Tr;
use crate::view::Page;
use crate::{AppError, AppResult, AppState};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, Uri};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::Query;
use hyte_app::model::indicators::{Indicator, ValueQuery};
use hyte_app::model::orgs::Region;
use hyte_charts as charts;
use hyte_domain::{IndicatorId, RegionCategory, RegionKey, Sex};
use hyte_stats::{band, CiLevel, Outcome};
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
    area_series, area_trend, benchmark_points, chart_outcome, municipality_totals, outcome_labels,
    sex_groups, source_line, spine, trend_points, year_totals, Fmt,
};
pub use crate::blocks::{unit_label, Badge};

mod admin;
mod detail;

pub use admin::{curate, imports, upload, CurateForm};
pub use detail::{indicator_page, AreaRow, SeriesRow};

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
    let (t, series) = area_trend(&state.app.live_values(), ind, org).await?;
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
    let indicators = state.app.indicators().await?;
    let counts = state.app.value_counts().await?;
    let mut spine_rows = vec![];
    let mut groups: Vec<ThemeGroup> = vec![];
    let mut has_snapshot = false;
    for ind in indicators
        .iter()
        .filter(|i| counts.get(&i.id.0).copied().unwrap_or(0) > 0)
    {
        let found = explorer_row(&state, ind, &region, level, &tr, &mut has_snapshot).await?;
        let Some((row, spine_row)) = found else {
            continue;
        };
        spine_rows.extend(spine_row);
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
    let spine_svg = explorer_spine(&tr, &name, spine_rows);
    let merged_names = state
        .app
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

/// One indicator's row of the explorer, with its spine row when it is plotted;
/// `None` when the area has no value. Notes in `has_snapshot` an indicator with values
/// from the 2013 snapshot.
async fn explorer_row(
    state: &AppState,
    ind: &Indicator,
    region: &Region,
    level: CiLevel,
    tr: &Tr,
    has_snapshot: &mut bool,
) -> AppResult<Option<(ExplorerRow, Option<charts::SpineRow>)>> {
    let fmt = Fmt::new(ind, tr);
    let (trend, series) = trend_text(state, ind, &region.key, tr).await?;
    let Some(latest) = series.iter().rev().find(|a| a.value.is_some()) else {
        return Ok(None);
    };
    *has_snapshot |= ind.source == "sotkanet_snapshot_2013";
    let year = latest.year;
    let assessed = if level == CiLevel::P95 {
        latest.clone()
    } else {
        let q = ValueQuery {
            regions: vec![region.key.clone()],
            years: vec![year],
            sex: Some(Sex::Total),
        };
        match state.app.assess(ind, &q, level).await?.into_iter().next() {
            Some(a) => a,
            None => return Ok(None),
        }
    };
    let peers: Vec<f64> = municipality_totals(&state.app.live_values(), ind.id, year)
        .await?
        .into_iter()
        .map(|(_, v)| v)
        .collect();
    let position = if region.key.category() == RegionCategory::Kunta {
        band(assessed.value.unwrap_or_default(), &peers)
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
        title: ind.title.get(tr.code()).to_string(),
        year: year.to_string(),
        value: fmt.num(assessed.value),
        derived: assessed.derived,
        ci: fmt.ci(&assessed).unwrap_or_else(|| tr.t("ind-no-ci")),
        region_value: fmt.num(reg.and_then(|c| c.benchmark_value)),
        country_value: fmt.num(cty.and_then(|c| c.benchmark_value)),
        vs_region: fmt.vs(tr, reg, &region_name, level),
        vs_country: fmt.vs(tr, cty, &tr.t("ind-country"), level),
        trend,
        position,
    };
    // A count (e.g. population) differs with the size of the area; only rates,
    // shares and per-resident values are comparable on a spine.
    let plotted = ind.value_unit() != hyte_domain::ValueUnit::Count;
    let spine_row =
        plotted.then(|| spine::spine_row(&row.title, &fmt, &assessed, &peers, ind.polarity));
    Ok(Some((row, spine_row)))
}

/// The spine chart of the explorer (empty when no indicator is plotted).
fn explorer_spine(tr: &Tr, name: &str, rows: Vec<charts::SpineRow>) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let mut meta = charts::ChartMeta::new(
        "spine",
        &tr.t("ind-spine"),
        &tr.ta("ind-explorer-lead", &[("org", name.to_string())]),
    );
    meta.width = 900.0;
    meta.decimal_comma = tr.code() != "en";
    meta.source = Some("Sotkanet / THL, CC BY 4.0".into());
    charts::spine_chart(&charts::SpineChart {
        meta,
        labels: spine::labels(tr, name.to_string(), tr.t("ind-region")),
        rows,
    })
}

/// An indicator by its id in a path: 400 malformed, 404 unknown.
async fn load_indicator(state: &AppState, id: &str) -> AppResult<Indicator> {
    let id: i64 = id
        .parse()
        .map_err(|_| AppError::bad_request(format!("'{id}' is not an indicator id")))?;
    state
        .app
        .indicator(IndicatorId(id))
        .await?
        .ok_or_else(|| AppError::not_found(format!("no indicator {id}")))
}

/// The area, the indicator and the interval level of an indicator's page or table:
/// 404 for an unknown area or indicator, 400 for a malformed id or level.
async fn indicator_in(
    state: &AppState,
    org: &str,
    id: &str,
    q: &ExplorerQuery,
) -> AppResult<(Region, Indicator, CiLevel)> {
    let region = public_org(state, org).await?;
    let ind = load_indicator(state, id).await?;
    let level = parse_level(q.level.as_deref())?;
    Ok((region, ind, level))
}

/// `GET /org/{org}/indicators/{id}/table.csv`: the area's series with comparisons.
pub async fn table_csv(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((org, id)): Path<(String, String)>,
    Query(q): Query<ExplorerQuery>,
) -> AppResult<Response> {
    let (region, ind, level) = indicator_in(&state, &org, &id, &q).await?;
    let rows = state
        .app
        .assess(&ind, &area_series(&region.key), level)
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
    let counts = state.app.value_counts().await?;
    let rows = state
        .app
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
        .app
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
