//! Indicators and their values: open data, no authentication.

use super::responses::{BadRequest, NotFound, Refusals};
use super::{ApiResult, ApiRouter};
use crate::analysis::AssessedValue;
use crate::auth::Viewer;
use crate::{AppError, AppState};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;
use axum_extra::extract::Query;
use hyte_app::model::indicators::{ImportRun, Indicator, Localized, ValueQuery};
use hyte_domain::{IndicatorId, Polarity, RegionCategory, RegionKey, Sex};
use hyte_stats::CiLevel;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

/// Routes of this module (mounted under `/api/v1`).
pub fn routes() -> ApiRouter {
    ApiRouter::new()
        .get("/indicators", list)
        .get("/indicators/{id}", one)
        .get("/indicators/{id}/values", values)
        .get("/imports", imports)
}

/// The documented paths of this module.
#[derive(OpenApi)]
#[openapi(paths(list, one, values, imports), components(schemas(Format)))]
pub struct Doc;

/// Attribution every answer carries (CC BY 4.0 requires naming source and producer
/// and saying what was derived), in the reader's language.
pub fn attribution(ind: &Indicator, lang: &str) -> String {
    let tr = crate::i18n::Tr::new(crate::i18n::Lang::parse(lang).unwrap_or(crate::i18n::Lang::En));
    let producer = ind.producer.get(lang);
    let mut parts = vec![tr.t("attr-source")];
    if !producer.is_empty() {
        parts.push(tr.ta("attr-producer", &[("producer", producer.to_string())]));
    }
    parts.push(format!(
        "\u{201c}{}\u{201d} ({} {})",
        ind.title.get(lang),
        tr.t("attr-indicator"),
        ind.id
    ));
    if let Some(d) = &ind.data_updated {
        parts.push(tr.ta("attr-updated", &[("date", d.clone())]));
    }
    parts.push("CC BY 4.0".into());
    parts.push(tr.t("attr-derived"));
    parts.join(" · ")
}

/// One indicator of the catalogue.
#[derive(Serialize, ToSchema)]
pub struct IndicatorSummary {
    /// Sotkanet id.
    pub id: IndicatorId,
    /// Title.
    pub title: Localized,
    /// Unit code.
    pub unit: String,
    /// Display decimals.
    pub decimals: i64,
    /// Which direction is good.
    pub polarity: Polarity,
    /// Theme, for grouping.
    pub theme: Option<String>,
    /// Population group.
    pub population_group: Option<String>,
    /// Producer organisation.
    pub producer: Localized,
    /// Sotkanet's `data-updated`.
    pub data_updated: Option<String>,
    /// Number of stored values.
    pub values: i64,
}

/// The indicator catalogue.
#[derive(Serialize, ToSchema)]
pub struct IndicatorList {
    /// How many.
    pub count: usize,
    /// The indicators.
    pub items: Vec<IndicatorSummary>,
}

/// Indicator catalogue with value counts
#[utoipa::path(
    get,
    path = "/indicators",
    operation_id = "list_indicators",
    tag = "open data",
    responses((status = 200, description = "OK", body = IndicatorList), BadRequest, NotFound)
)]
pub async fn list(State(state): State<AppState>) -> ApiResult<Json<IndicatorList>> {
    let items = state.app.indicators().await?;
    let counts = state.app.value_counts().await?;
    let items: Vec<IndicatorSummary> = items
        .into_iter()
        .map(|i| IndicatorSummary {
            values: counts.get(&i.id.0).copied().unwrap_or(0),
            id: i.id,
            title: i.title,
            unit: i.unit,
            decimals: i.decimals,
            polarity: i.polarity,
            theme: i.theme,
            population_group: i.population_group,
            producer: i.producer,
            data_updated: i.data_updated,
        })
        .collect();
    Ok(Json(IndicatorList {
        count: items.len(),
        items,
    }))
}

async fn load(state: &AppState, id: &str) -> Result<Indicator, AppError> {
    let id: i64 = id
        .trim()
        .parse()
        .map_err(|_| AppError::bad_request(format!("'{id}' is not an indicator id (a number)")))?;
    state
        .app
        .indicator(IndicatorId(id))
        .await?
        .ok_or_else(|| AppError::not_found(format!("no indicator {id}")))
}

/// One indicator with what a reader needs to use its data.
#[derive(Serialize, ToSchema)]
pub struct IndicatorDetail {
    /// The definition with its curated metadata.
    pub indicator: Indicator,
    /// Years with data.
    pub years: Vec<i64>,
    /// The indicator's page at Sotkanet.
    pub sotkanet_url: String,
    /// Licence of the data.
    #[schema(example = "CC BY 4.0")]
    pub licence: &'static str,
    /// Attribution the licence requires.
    pub attribution: String,
}

/// One indicator's definition, curated metadata, years with data and attribution
#[utoipa::path(
    get,
    path = "/indicators/{id}",
    operation_id = "indicator",
    tag = "open data",
    params(("id" = i64, Path, description = "Sotkanet indicator id")),
    responses((status = 200, description = "OK", body = IndicatorDetail), BadRequest, NotFound)
)]
pub async fn one(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<IndicatorDetail>> {
    let ind = load(&state, &id).await?;
    let years = state.app.indicator_years(ind.id).await?;
    Ok(Json(IndicatorDetail {
        years,
        sotkanet_url: ind.sotkanet_url("en"),
        licence: "CC BY 4.0",
        attribution: attribution(&ind, "en"),
        indicator: ind,
    }))
}

/// Query of the values endpoint.
#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ValuesParams {
    /// Area id; repeat or comma-separate; all areas if absent
    #[serde(default)]
    #[param(style = Form, explode)]
    region: Vec<String>,
    /// Year; repeat or comma-separate; all years if absent
    #[serde(default)]
    #[param(style = Form, explode, value_type = Vec<i64>)]
    year: Vec<String>,
    /// total, male or female; all if absent
    #[param(value_type = Option<Sex>)]
    gender: Option<String>,
    /// Confidence level
    #[param(value_type = Option<Level>, default = "95")]
    level: Option<String>,
    /// csv for CSV
    #[param(value_type = Option<Format>)]
    format: Option<String>,
}

/// Level of the confidence intervals.
#[derive(ToSchema)]
pub enum Level {
    /// 95 %.
    #[schema(rename = "95")]
    P95,
    /// 99.8 %.
    #[schema(rename = "99.8")]
    P998,
}

/// Another format than JSON.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum Format {
    /// Comma-separated values.
    Csv,
}

/// Parsed values query, shared with the HTML pages' CSV download.
pub struct ParsedValues {
    /// Store query.
    pub query: ValueQuery,
    /// Interval level.
    pub level: CiLevel,
}

/// Parses and validates the values query: 400 with a clear message on bad input.
pub fn parse_values_params(
    region: &[String],
    year: &[String],
    gender: Option<&str>,
    level: Option<&str>,
) -> Result<ParsedValues, AppError> {
    let mut regions = Vec::new();
    for r in region
        .iter()
        .flat_map(|r| r.split(','))
        .filter(|r| !r.is_empty())
    {
        regions.push(
            r.parse::<RegionKey>()
                .map_err(|e| AppError::bad_request(e.to_string()))?,
        );
    }
    let mut years = Vec::new();
    for y in year
        .iter()
        .flat_map(|y| y.split(','))
        .filter(|y| !y.is_empty())
    {
        let y: i64 = y
            .trim()
            .parse()
            .ok()
            .filter(|y| (1900..=2100).contains(y))
            .ok_or_else(|| AppError::bad_request(format!("'{y}' is not a year")))?;
        years.push(y);
    }
    let sex = match gender {
        None | Some("") | Some("all") => None,
        Some(g) => Some(g.parse::<Sex>().map_err(AppError::bad_request)?),
    };
    let level = match level {
        None | Some("") => CiLevel::P95,
        Some("95") => CiLevel::P95,
        Some("99.8") => CiLevel::P998,
        Some(other) => {
            return Err(AppError::bad_request(format!(
                "level '{other}' is not supported: use 95 or 99.8"
            )))
        }
    };
    Ok(ParsedValues {
        query: ValueQuery {
            regions,
            years,
            sex,
        },
        level,
    })
}

/// The indicator, as the values answer names it.
#[derive(Serialize, ToSchema)]
pub struct IndicatorHead<'a> {
    /// Sotkanet id.
    id: i64,
    /// Title.
    title: &'a Localized,
    /// Unit code.
    unit: &'a str,
    /// Display decimals.
    decimals: i64,
    /// Which direction is good.
    polarity: Polarity,
}

/// Values of one indicator.
#[derive(Serialize, ToSchema)]
#[schema(as = Values)]
pub struct ValuesJson<'a> {
    /// The indicator.
    indicator: IndicatorHead<'a>,
    /// Level of the intervals.
    #[schema(value_type = Level)]
    ci_level: &'static str,
    /// How many values.
    count: usize,
    /// The values.
    items: Vec<ValueRowJson<'a>>,
    /// Attribution the licence requires.
    attribution: String,
}

/// One value with its interval and comparisons.
#[derive(Serialize, ToSchema)]
#[schema(as = Value)]
pub struct ValueRowJson<'a> {
    #[serde(flatten)]
    v: &'a AssessedValue,
    /// Unit code of the indicator.
    unit: &'a str,
    /// Polarity of the indicator.
    polarity: Polarity,
}

/// Values with confidence intervals and comparisons with the welfare region and the country
///
/// Accept: text/csv (or format=csv) for CSV.
#[utoipa::path(
    get,
    path = "/indicators/{id}/values",
    tag = "open data",
    params(("id" = i64, Path, description = "Sotkanet indicator id"), ValuesParams),
    responses(
        (status = 200, description = "Values", content(
            (ValuesJson = "application/json"),
            (String = "text/csv"),
        )),
        BadRequest, NotFound,
    )
)]
pub async fn values(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(p): Query<ValuesParams>,
) -> ApiResult<Response> {
    let ind = load(&state, &id).await?;
    let parsed = parse_values_params(&p.region, &p.year, p.gender.as_deref(), p.level.as_deref())?;
    let rows = state.app.assess(&ind, &parsed.query, parsed.level).await?;
    let wants_csv = p.format.as_deref() == Some("csv")
        || headers
            .get(header::ACCEPT)
            .and_then(|h| h.to_str().ok())
            .is_some_and(|a| a.contains("text/csv"));
    if wants_csv {
        let body = values_csv(&ind, &rows, viewer.lang.code())?;
        return Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"hyte-indicator-{}.csv\"", ind.id),
                ),
            ],
            body,
        )
            .into_response());
    }
    let items: Vec<ValueRowJson> = rows
        .iter()
        .map(|v| ValueRowJson {
            v,
            unit: &ind.unit,
            polarity: ind.polarity,
        })
        .collect();
    // Serialised straight from borrowed rows: building a serde_json::Value tree of
    // ~10 000 rows first cost more than the query (bench/run query).
    let body = ValuesJson {
        indicator: IndicatorHead {
            id: ind.id.0,
            title: &ind.title,
            unit: &ind.unit,
            decimals: ind.decimals,
            polarity: ind.polarity,
        },
        ci_level: parsed.level.as_str(),
        count: items.len(),
        items,
        attribution: attribution(&ind, "en"),
    };
    let bytes = serde_json::to_vec(&body).map_err(AppError::internal)?;
    Ok(([(header::CONTENT_TYPE, "application/json")], bytes).into_response())
}

/// The CSV form of assessed values, with the attribution as a last comment line.
pub fn values_csv(ind: &Indicator, rows: &[AssessedValue], lang: &str) -> Result<String, AppError> {
    let mut w = csv::Writer::from_writer(vec![]);
    let f = |x: Option<f64>| x.map(|v| v.to_string()).unwrap_or_default();
    w.write_record([
        "indicator",
        "region",
        "year",
        "gender",
        "value",
        "abs_value",
        "derived",
        "ci_lower",
        "ci_upper",
        "ci_level",
        "ci_method",
        "unit",
        "polarity",
        "region_benchmark",
        "region_benchmark_value",
        "region_outcome",
        "country_value",
        "country_outcome",
    ])
    .map_err(AppError::internal)?;
    for r in rows {
        let reg = r.against(RegionCategory::Hyvinvointialue);
        let cty = r.against(RegionCategory::Maa);
        w.write_record([
            ind.id.to_string(),
            r.region.to_string(),
            r.year.to_string(),
            r.gender.as_str().to_string(),
            f(r.value),
            f(r.abs_value),
            r.derived.to_string(),
            f(r.ci_lower),
            f(r.ci_upper),
            r.ci_level.to_string(),
            r.ci_method.unwrap_or_default().to_string(),
            crate::export::csv_text(&ind.unit).into_owned(),
            ind.polarity.as_str().to_string(),
            reg.map(|c| c.benchmark.to_string()).unwrap_or_default(),
            f(reg.and_then(|c| c.benchmark_value)),
            reg.map(|c| c.outcome.as_str().to_string())
                .unwrap_or_default(),
            f(cty.and_then(|c| c.benchmark_value)),
            cty.map(|c| c.outcome.as_str().to_string())
                .unwrap_or_default(),
        ])
        .map_err(AppError::internal)?;
    }
    let mut out = String::from_utf8(w.into_inner().map_err(AppError::internal)?)
        .map_err(AppError::internal)?;
    out.push_str(&format!("# {}\n", attribution(ind, lang)));
    Ok(out)
}

/// Import runs, newest first.
#[derive(Serialize, ToSchema)]
pub struct ImportList {
    /// How many.
    pub count: usize,
    /// The runs.
    pub items: Vec<ImportRun>,
}

/// Import history (coordinators and admins)
#[utoipa::path(
    get,
    path = "/imports",
    tag = "workspace",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "OK", body = ImportList), BadRequest, Refusals)
)]
pub async fn imports(State(state): State<AppState>, viewer: Viewer) -> ApiResult<Json<ImportList>> {
    let runs = state
        .app
        .import_runs(&crate::auth::actor(&viewer)?, 200)
        .await?;
    Ok(Json(ImportList {
        count: runs.len(),
        items: runs,
    }))
}
