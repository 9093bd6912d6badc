//! A report's data through the JSON API: the indicator list (seed, decide, add), the
//! self-assessment, joys and concerns with the data's verdict (record, propose,
//! collect, accept or dismiss, link) and the appendix. Every change is a use case of
//! `hyte-app` (`hyte_app::indicators`, `hyte_app::observations`), the same the pages
//! call, so both answer the same refusal and write the same audit entry.

use super::reports::{created, double, ApiJson};
use super::ApiResult;
use crate::extract::ApiReport;
use crate::i18n::Tr;
use crate::pages::report_data::{observation_views, propose as propose_worded, ObservationView};
use crate::{AppError, AppState};
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use hyte_app::indicators::{preset, SelectionInput, SelfAssessmentInput, PRESET_ID};
use hyte_app::observations::{ObservationInput, ObservationPatch};
use hyte_app::ReportCtx;
use serde::Deserialize;
use serde_json::{json, Value};

/// Routes of this module (mounted under `/api/v1`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/reports/{id}/indicators", get(indicators))
        .route("/reports/{id}/indicators/seed", post(seed))
        .route("/reports/{id}/indicators/{item_key}", put(put_indicator))
        .route("/reports/{id}/self-assessments", post(self_assessment))
        .route(
            "/reports/{id}/observations",
            get(observations).post(create_observation),
        )
        .route("/reports/{id}/observations/propose", post(propose))
        .route("/reports/{id}/observations/collect", post(collect))
        .route(
            "/reports/{id}/observations/{oid}",
            axum::routing::patch(patch_observation),
        )
        .route("/reports/{id}/appendix", get(appendix_json))
}

/// `GET /api/v1/reports/{id}/indicators`: the indicator list, the self-assessment and
/// the preset it was seeded from.
pub async fn indicators(State(state): State<AppState>, r: ApiReport) -> ApiResult<Json<Value>> {
    let counts = state.app.value_counts().await?;
    let known: std::collections::HashSet<i64> = state
        .app
        .indicators()
        .await?
        .iter()
        .map(|i| i.id.0)
        .collect();
    let items: Vec<Value> = state
        .app
        .selections(&r.ctx)
        .await?
        .into_iter()
        .map(|s| {
            let has_data = s
                .indicator_id
                .is_some_and(|i| known.contains(&i) && counts.get(&i).copied().unwrap_or(0) > 0);
            let mut v = serde_json::to_value(&s).unwrap_or(Value::Null);
            v["has_data"] = Value::Bool(has_data);
            v
        })
        .collect();
    let assessments = state.app.self_assessments(&r.ctx).await?;
    Ok(Json(json!({
        "preset": {
            "id": PRESET_ID,
            "items": preset().len(),
            "note": "Example preset from real municipal reports; THL's official minimum list is not yet available as data (see data/presets/README.md).",
        },
        "count": items.len(),
        "items": items,
        "self_assessments": assessments,
    })))
}

/// `POST /api/v1/reports/{id}/indicators/seed`: adds the preset's missing items.
pub async fn seed(State(state): State<AppState>, r: ApiReport) -> ApiResult<Json<Value>> {
    let (added, _) = state.app.seed_indicators(&r.ctx).await?;
    let total = state.app.selections(&r.ctx).await?.len();
    Ok(Json(
        json!({ "preset": PRESET_ID, "added": added, "count": total }),
    ))
}

/// Body of `PUT /api/v1/reports/{id}/indicators/{item_key}`.
#[derive(Deserialize)]
pub struct SelectionBody {
    state: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    source: Option<String>,
    #[serde(default, deserialize_with = "double")]
    section_id: Option<Option<i64>>,
    #[serde(default)]
    measure_kind: Option<String>,
}

/// `PUT /api/v1/reports/{id}/indicators/{item_key}`: include, exclude (reason
/// required), reset, or add an indicator (`sotkanet:<id>`, reason and source
/// required). Refused input changes nothing.
pub async fn put_indicator(
    State(state): State<AppState>,
    r: ApiReport,
    ApiJson(b): ApiJson<SelectionBody>,
) -> ApiResult<Json<Value>> {
    let item_key = r.params.get("item_key").cloned().unwrap_or_default();
    let input = SelectionInput {
        state: b.state,
        reason: b.reason,
        source: b.source,
        section_id: b.section_id,
        measure_kind: b.measure_kind,
    };
    let (s, _) = state
        .app
        .decide_indicator(&r.ctx, &item_key, &input)
        .await?;
    Ok(Json(serde_json::to_value(&s).map_err(AppError::internal)?))
}

/// Body of `POST /api/v1/reports/{id}/self-assessments`.
#[derive(Deserialize)]
pub struct SelfAssessmentBody {
    topic: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    score: Option<i64>,
}

/// `POST /api/v1/reports/{id}/self-assessments`: a qualitative self-assessment entry
/// (editors and up).
pub async fn self_assessment(
    State(state): State<AppState>,
    r: ApiReport,
    ApiJson(b): ApiJson<SelfAssessmentBody>,
) -> ApiResult<Response> {
    let input = SelfAssessmentInput {
        topic: b.topic,
        body: b.body,
        score: b.score,
    };
    let (sid, _) = state.app.add_self_assessment(&r.ctx, &input).await?;
    Ok(created(json!({ "id": sid })))
}

/// `GET /api/v1/reports/{id}/observations`: joys and concerns, each with the evidence
/// of its linked indicators and the data's verdict.
pub async fn observations(State(state): State<AppState>, r: ApiReport) -> ApiResult<Json<Value>> {
    let obs = state.app.observations(&r.ctx).await?;
    let views = observation_views(&state, &r.ctx.report, obs, r.viewer.lang.code()).await?;
    Ok(Json(json!({ "count": views.len(), "items": views })))
}

/// Body of `POST /api/v1/reports/{id}/observations`.
#[derive(Deserialize)]
pub struct ObservationBody {
    kind: String,
    #[serde(alias = "body")]
    text: String,
    #[serde(default)]
    sector: Option<String>,
    origin: String,
    #[serde(default)]
    population_group: Option<String>,
    #[serde(default)]
    indicators: Vec<i64>,
}

/// The report's joys and concerns of these ids with the data's verdict.
async fn views_of(
    state: &AppState,
    ctx: &ReportCtx,
    ids: &[i64],
    lang: &'static str,
) -> ApiResult<Vec<ObservationView>> {
    let obs: Vec<_> = state
        .app
        .observations(ctx)
        .await?
        .into_iter()
        .filter(|o| ids.contains(&o.id))
        .collect();
    Ok(observation_views(state, &ctx.report, obs, lang).await?)
}

async fn one_view(
    state: &AppState,
    ctx: &ReportCtx,
    oid: i64,
    lang: &'static str,
) -> ApiResult<Value> {
    let v = views_of(state, ctx, &[oid], lang)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| AppError::not_found(format!("no joy or concern {oid}")))?;
    Ok(serde_json::to_value(&v).map_err(AppError::internal)?)
}

/// `POST /api/v1/reports/{id}/observations`: a new joy or concern (commenters and up).
pub async fn create_observation(
    State(state): State<AppState>,
    r: ApiReport,
    ApiJson(b): ApiJson<ObservationBody>,
) -> ApiResult<Response> {
    let input = ObservationInput {
        kind: b.kind,
        text: b.text,
        sector: b.sector,
        origin: b.origin,
        population_group: b.population_group,
        indicators: b.indicators,
    };
    let (oid, _) = state.app.add_observation(&r.ctx, &input).await?;
    Ok(created(
        one_view(&state, &r.ctx, oid, r.viewer.lang.code()).await?,
    ))
}

/// `POST /api/v1/reports/{id}/observations/propose`: Hyte proposes joys and concerns
/// from the data (idempotent per indicator).
pub async fn propose(State(state): State<AppState>, r: ApiReport) -> ApiResult<Json<Value>> {
    let tr = Tr::new(r.viewer.lang);
    let ids = propose_worded(&state, &r.ctx, &tr).await?;
    let views = views_of(&state, &r.ctx, &ids, r.viewer.lang.code()).await?;
    Ok(Json(json!({ "proposed": views.len(), "items": views })))
}

/// `POST /api/v1/reports/{id}/observations/collect`: a welfare region's report
/// collects its member municipalities' joys and concerns as proposals (idempotent
/// per collected item).
pub async fn collect(State(state): State<AppState>, r: ApiReport) -> ApiResult<Json<Value>> {
    let (c, _) = state.app.collect_from_members(&r.ctx).await?;
    let views = views_of(&state, &r.ctx, &c.ids, r.viewer.lang.code()).await?;
    Ok(Json(json!({
        "collected": views.len(),
        "members": c.members,
        "reports_read": c.reports_read,
        "items": views,
    })))
}

/// Body of `PATCH /api/v1/reports/{id}/observations/{oid}`.
#[derive(Deserialize)]
pub struct PatchObservationBody {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    indicators: Option<Vec<i64>>,
}

/// `PATCH /api/v1/reports/{id}/observations/{oid}`: accept or dismiss (editors and
/// up), change linked indicators (commenters and up).
pub async fn patch_observation(
    State(state): State<AppState>,
    r: ApiReport,
    ApiJson(b): ApiJson<PatchObservationBody>,
) -> ApiResult<Json<Value>> {
    let raw = r.params.get("oid").map(String::as_str).unwrap_or_default();
    let oid = crate::pages::parse_id(raw).ok_or_else(|| {
        hyte_app::AppError::NotFound(
            hyte_app::Refusal::new(
                "rd-error-no-observation",
                format!("no joy or concern {raw}"),
            )
            .arg("id", raw),
        )
    })?;
    let patch = ObservationPatch {
        status: b.status,
        indicators: b.indicators,
    };
    state.app.update_observation(&r.ctx, oid, &patch).await?;
    Ok(Json(
        one_view(&state, &r.ctx, oid, r.viewer.lang.code()).await?,
    ))
}

/// `GET /api/v1/reports/{id}/appendix`: indicators used, exclusions with reasons,
/// additions with reason and source.
pub async fn appendix_json(State(state): State<AppState>, r: ApiReport) -> ApiResult<Json<Value>> {
    let a = state.app.appendix(&r.ctx, r.viewer.lang.code()).await?;
    Ok(Json(json!({
        "report_id": r.ctx.report.id,
        "preset": PRESET_ID,
        "appendix": a,
    })))
}
