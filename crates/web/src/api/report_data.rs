//! A report's data through the JSON API: the indicator list (seed, decide, add), the
//! self-assessment, joys and concerns with the data's verdict (record, propose,
//! collect, accept or dismiss, link) and the appendix. Every change is a use case of
//! `hyte-app` (`hyte_app::indicators`, `hyte_app::observations`), the same the pages
//! call, so both answer the same refusal and write the same audit entry.

use super::reports::{created, double, ApiJson, Created};
use super::responses::{JsonBody, Refusals, Unprocessable};
use super::{one_of, ApiResult, ApiRouter, CreatedId, ReportPath};
use crate::extract::ApiReport;
use crate::i18n::Tr;
use crate::pages::report_data::{
    observation_views, oid_param, propose as propose_worded, ObservationView,
};
use crate::{AppError, AppState};
use axum::extract::State;
use axum::Json;
use hyte_app::indicators::{
    preset, SelectionInput, SelfAssessmentInput, POPULATION_GROUPS, PRESET_ID,
};
use hyte_app::model::reports::{Selection, SelfAssessment};
use hyte_app::observations::{ObservationInput, ObservationPatch, PERSON_STATUSES};
use hyte_app::ReportCtx;
use hyte_domain::report::{MeasureKind, ObservationKind, ObservationOrigin, SelectionState};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

/// Routes of this module (mounted under `/api/v1`).
pub fn routes() -> ApiRouter {
    ApiRouter::new()
        .get("/reports/{id}/indicators", indicators)
        .post("/reports/{id}/indicators/seed", seed)
        .put("/reports/{id}/indicators/{item_key}", put_indicator)
        .post("/reports/{id}/self-assessments", self_assessment)
        .get("/reports/{id}/observations", observations)
        .post("/reports/{id}/observations", create_observation)
        .post("/reports/{id}/observations/propose", propose)
        .post("/reports/{id}/observations/collect", collect)
        .patch("/reports/{id}/observations/{oid}", patch_observation)
        .get("/reports/{id}/appendix", appendix_json)
}

/// The documented paths of this module.
#[derive(OpenApi)]
#[openapi(paths(
    indicators,
    seed,
    put_indicator,
    self_assessment,
    observations,
    create_observation,
    propose,
    collect,
    patch_observation,
    appendix_json
))]
pub struct Doc;

/// The preset a list is seeded from.
#[derive(Serialize, ToSchema)]
pub struct PresetInfo {
    /// Its id.
    #[schema(example = "example_municipal_reports")]
    pub id: &'static str,
    /// How many items it has.
    pub items: usize,
    /// What it is.
    pub note: &'static str,
}

/// An item of the list, with whether Hyte has data for it.
#[derive(Serialize, ToSchema)]
pub struct ListedSelection {
    /// The item.
    #[serde(flatten)]
    pub selection: Selection,
    /// Hyte has values for the indicator; false shows as no data yet
    pub has_data: bool,
}

/// A report's indicator list and self-assessment.
#[derive(Serialize, ToSchema)]
pub struct ReportIndicators {
    /// The preset the list is seeded from.
    pub preset: PresetInfo,
    /// How many items.
    pub count: usize,
    /// The items.
    pub items: Vec<ListedSelection>,
    /// Qualitative self-assessment entries.
    pub self_assessments: Vec<SelfAssessment>,
}

/// What seeding added.
#[derive(Serialize, ToSchema)]
pub struct Seeded {
    /// The preset's id.
    pub preset: &'static str,
    /// Items added.
    pub added: usize,
    /// Items on the list now.
    pub count: usize,
}

/// The report's indicator list (state, action and qualitative measures), its self-assessment entries, and the preset it is seeded from
#[utoipa::path(
    get,
    path = "/reports/{id}/indicators",
    tag = "reports",
    params(ReportPath),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "OK", body = ReportIndicators), Refusals)
)]
pub async fn indicators(
    State(state): State<AppState>,
    r: ApiReport,
) -> ApiResult<Json<ReportIndicators>> {
    let counts = state.app.value_counts().await?;
    let known: std::collections::HashSet<i64> = state
        .app
        .indicators()
        .await?
        .iter()
        .map(|i| i.id.0)
        .collect();
    let items: Vec<ListedSelection> = state
        .app
        .selections(&r.ctx)
        .await?
        .into_iter()
        .map(|s| ListedSelection {
            has_data: s
                .indicator_id
                .is_some_and(|i| known.contains(&i) && counts.get(&i).copied().unwrap_or(0) > 0),
            selection: s,
        })
        .collect();
    let assessments = state.app.self_assessments(&r.ctx).await?;
    Ok(Json(ReportIndicators {
        preset: PresetInfo {
            id: PRESET_ID,
            items: preset().len(),
            note: "Example preset from real municipal reports; THL's official minimum list is not yet available as data (see data/presets/README.md).",
        },
        count: items.len(),
        items,
        self_assessments: assessments,
    }))
}

/// Seed the list from the example preset (coordinators)
///
/// Idempotent: only items not on the list are added, as pending.
#[utoipa::path(
    post,
    path = "/reports/{id}/indicators/seed",
    tag = "reports",
    params(ReportPath),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "OK", body = Seeded), Refusals)
)]
pub async fn seed(State(state): State<AppState>, r: ApiReport) -> ApiResult<Json<Seeded>> {
    let (added, _) = state.app.seed_indicators(&r.ctx).await?;
    let total = state.app.selections(&r.ctx).await?.len();
    Ok(Json(Seeded {
        preset: PRESET_ID,
        added,
        count: total,
    }))
}

/// A decision on an item of the indicator list.
#[derive(Deserialize, ToSchema)]
#[schema(as = SelectionInput)]
pub struct SelectionBody {
    /// The decision.
    #[schema(value_type = SelectionState)]
    state: String,
    /// Required for excluded and added
    #[serde(default)]
    #[schema(max_length = 2000)]
    reason: String,
    /// Required for added
    #[serde(default)]
    #[schema(max_length = 1000)]
    source: Option<String>,
    /// Section of this report where it is shown; absent keeps, null clears
    #[serde(default, deserialize_with = "double")]
    #[schema(value_type = Option<i64>)]
    section_id: Option<Option<i64>>,
    /// Kind of measure.
    #[serde(default)]
    #[schema(value_type = Option<MeasureKind>)]
    measure_kind: Option<String>,
}

/// Decide an item of the indicator list (coordinators)
///
/// Include, exclude (reason required), reset to pending, or add an indicator not on the
/// list (state added, key sotkanet:<id>, reason and source required). Refused input
/// (422) changes nothing.
#[utoipa::path(
    put,
    path = "/reports/{id}/indicators/{item_key}",
    tag = "reports",
    params(
        ReportPath,
        ("item_key" = String, Path, description = "Item of the indicator list: sotkanet:<id> or preset:<slug>", pattern = "^(sotkanet:[0-9]+|preset:[a-z0-9-]+)$"),
    ),
    request_body = SelectionBody,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "OK", body = Selection), Refusals, JsonBody)
)]
pub async fn put_indicator(
    State(state): State<AppState>,
    r: ApiReport,
    ApiJson(b): ApiJson<SelectionBody>,
) -> ApiResult<Json<Selection>> {
    let item_key = r.param("item_key");
    let input = SelectionInput {
        state: b.state,
        reason: b.reason,
        source: b.source,
        section_id: b.section_id,
        measure_kind: b.measure_kind,
    };
    let (s, _) = state.app.decide_indicator(&r.ctx, item_key, &input).await?;
    Ok(Json(s))
}

/// A qualitative self-assessment entry.
#[derive(Deserialize, ToSchema)]
#[schema(as = NewSelfAssessment)]
pub struct SelfAssessmentBody {
    /// Topic.
    #[schema(max_length = 300)]
    topic: String,
    /// Text.
    #[serde(default)]
    #[schema(max_length = 10000)]
    body: String,
    /// Score 1..=5.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 5)]
    score: Option<i64>,
}

/// Add a qualitative self-assessment entry (editors and up)
#[utoipa::path(
    post,
    path = "/reports/{id}/self-assessments",
    tag = "reports",
    params(ReportPath),
    request_body = SelfAssessmentBody,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, description = "Created", body = CreatedId), Refusals, JsonBody)
)]
pub async fn self_assessment(
    State(state): State<AppState>,
    r: ApiReport,
    ApiJson(b): ApiJson<SelfAssessmentBody>,
) -> ApiResult<Created<CreatedId>> {
    let input = SelfAssessmentInput {
        topic: b.topic,
        body: b.body,
        score: b.score,
    };
    let (sid, _) = state.app.add_self_assessment(&r.ctx, &input).await?;
    Ok(created(CreatedId { id: sid }))
}

/// Joys and concerns of a report.
#[derive(Serialize, ToSchema)]
pub struct ObservationList {
    /// How many.
    pub count: usize,
    /// The joys and concerns with their evidence and verdict.
    pub items: Vec<ObservationView>,
}

/// Joys and concerns, each with the evidence of its linked indicators for the report's organisation and the data's verdict
#[utoipa::path(
    get,
    path = "/reports/{id}/observations",
    tag = "reports",
    params(ReportPath),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "OK", body = ObservationList), Refusals)
)]
pub async fn observations(
    State(state): State<AppState>,
    r: ApiReport,
) -> ApiResult<Json<ObservationList>> {
    let obs = state.app.observations(&r.ctx).await?;
    let views = observation_views(&state, &r.ctx.report, obs, r.viewer.lang.code()).await?;
    Ok(Json(ObservationList {
        count: views.len(),
        items: views,
    }))
}

/// A population group of the THL outline (`hyte_app::indicators::POPULATION_GROUPS`).
fn population_group() -> utoipa::openapi::Object {
    one_of(&POPULATION_GROUPS, true, "Population group.")
}

/// The statuses a person sets (`hyte_app::observations::PERSON_STATUSES`).
fn person_status() -> utoipa::openapi::Object {
    one_of(&PERSON_STATUSES, false, "Accept, dismiss or reopen.")
}

/// A new joy or concern.
#[derive(Deserialize, ToSchema)]
#[schema(as = ObservationInput)]
pub struct ObservationBody {
    /// Joy or concern.
    #[schema(value_type = ObservationKind)]
    kind: String,
    /// Also accepted as body
    #[serde(alias = "body")]
    #[schema(max_length = 2000)]
    text: String,
    /// Sector.
    #[serde(default)]
    #[schema(max_length = 100)]
    sector: Option<String>,
    /// data is reserved for Hyte's proposals, municipality for items a welfare region's report collects
    #[schema(value_type = ObservationOrigin)]
    origin: String,
    /// Population group.
    #[serde(default)]
    #[schema(schema_with = population_group)]
    population_group: Option<String>,
    /// Linked indicators (Sotkanet ids).
    #[serde(default)]
    #[schema(max_items = 50)]
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
) -> ApiResult<ObservationView> {
    Ok(views_of(state, ctx, &[oid], lang)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| AppError::not_found(format!("no joy or concern {oid}")))?)
}

/// Add a joy or concern (commenters and up)
#[utoipa::path(
    post,
    path = "/reports/{id}/observations",
    tag = "reports",
    params(ReportPath),
    request_body = ObservationBody,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, description = "Created", body = ObservationView), Refusals, JsonBody)
)]
pub async fn create_observation(
    State(state): State<AppState>,
    r: ApiReport,
    ApiJson(b): ApiJson<ObservationBody>,
) -> ApiResult<Created<ObservationView>> {
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

/// Joys and concerns Hyte proposed from the data.
#[derive(Serialize, ToSchema)]
pub struct Proposed {
    /// How many are new.
    pub proposed: usize,
    /// The new proposals.
    pub items: Vec<ObservationView>,
}

/// Hyte proposes joys and concerns from the data
///
/// Concerns: the latest value is significantly worse than the whole country, or the
/// trend is getting worse; joys: significantly better. Stored with origin data and
/// status proposed. An indicator is proposed at most once per report. Commenters and up.
#[utoipa::path(
    post,
    path = "/reports/{id}/observations/propose",
    tag = "reports",
    params(ReportPath),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "OK", body = Proposed), Refusals)
)]
pub async fn propose(State(state): State<AppState>, r: ApiReport) -> ApiResult<Json<Proposed>> {
    let tr = Tr::new(r.viewer.lang);
    let ids = propose_worded(&state, &r.ctx, &tr).await?;
    let views = views_of(&state, &r.ctx, &ids, r.viewer.lang.code()).await?;
    Ok(Json(Proposed {
        proposed: views.len(),
        items: views,
    }))
}

/// What a welfare region's report collected from its members.
#[derive(Serialize, ToSchema)]
pub struct CollectedItems {
    /// New proposals
    pub collected: usize,
    /// Member municipalities of the welfare region
    pub members: usize,
    /// Member municipalities' term reports of an overlapping term that were read
    pub reports_read: usize,
    /// The new proposals.
    pub items: Vec<ObservationView>,
}

/// A welfare region's report collects its member municipalities' joys and concerns
///
/// On a welfare region's report (regional_report of a HYVINVOINTIALUE organisation):
/// from each member municipality's own term reports whose council term overlaps this
/// report's, the items its working group recorded or accepted (status open or accepted)
/// are copied with origin municipality, status proposed, their sector, population group
/// and linked indicators, and source_org / source_observation_id naming where they came
/// from. An item is collected at most once per report (also after the region dismissed
/// it). 422 on a municipality's report. Commenters and up.
#[utoipa::path(
    post,
    path = "/reports/{id}/observations/collect",
    tag = "reports",
    params(ReportPath),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "OK", body = CollectedItems), Refusals, Unprocessable)
)]
pub async fn collect(
    State(state): State<AppState>,
    r: ApiReport,
) -> ApiResult<Json<CollectedItems>> {
    let (c, _) = state.app.collect_from_members(&r.ctx).await?;
    let views = views_of(&state, &r.ctx, &c.ids, r.viewer.lang.code()).await?;
    Ok(Json(CollectedItems {
        collected: views.len(),
        members: c.members,
        reports_read: c.reports_read,
        items: views,
    }))
}

/// Changes to a joy or concern; absent fields stay as they are.
#[derive(Deserialize, ToSchema)]
#[schema(as = ObservationChange)]
pub struct PatchObservationBody {
    /// Accept, dismiss or reopen.
    #[serde(default)]
    #[schema(schema_with = person_status)]
    status: Option<String>,
    /// Linked indicators (Sotkanet ids); replaces them.
    #[serde(default)]
    indicators: Option<Vec<i64>>,
}

/// Accept, dismiss or reopen (status: editors and up) or change the linked indicators (commenters and up)
#[utoipa::path(
    patch,
    path = "/reports/{id}/observations/{oid}",
    tag = "reports",
    params(ReportPath, ("oid" = i64, Path, description = "Joy or concern id (of this report)")),
    request_body = PatchObservationBody,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "OK", body = ObservationView), Refusals, JsonBody)
)]
pub async fn patch_observation(
    State(state): State<AppState>,
    r: ApiReport,
    ApiJson(b): ApiJson<PatchObservationBody>,
) -> ApiResult<Json<ObservationView>> {
    let oid = oid_param(&r.params)?;
    let patch = ObservationPatch {
        status: b.status,
        indicators: b.indicators,
    };
    state.app.update_observation(&r.ctx, oid, &patch).await?;
    Ok(Json(
        one_view(&state, &r.ctx, oid, r.viewer.lang.code()).await?,
    ))
}

/// The THL appendix of a report.
#[derive(Serialize, ToSchema)]
pub struct AppendixAnswer {
    /// The report.
    pub report_id: i64,
    /// The preset the list was seeded from.
    pub preset: &'static str,
    /// The appendix.
    pub appendix: hyte_app::indicators::Appendix,
}

/// The THL appendix, generated from the list
///
/// Indicators used (included and added, with their section), exclusions with reasons,
/// additions with reason and source.
#[utoipa::path(
    get,
    path = "/reports/{id}/appendix",
    tag = "reports",
    params(ReportPath),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "OK", body = AppendixAnswer), Refusals)
)]
pub async fn appendix_json(
    State(state): State<AppState>,
    r: ApiReport,
) -> ApiResult<Json<AppendixAnswer>> {
    let a = state.app.appendix(&r.ctx, r.viewer.lang.code()).await?;
    Ok(Json(AppendixAnswer {
        report_id: r.ctx.report.id,
        preset: PRESET_ID,
        appendix: a,
    }))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_documented_link_limit_is_the_checked_one() {
        // `max_items = 50` on ObservationBody::indicators documents this constant.
        assert_eq!(hyte_app::observations::MAX_LINKS, 50);
    }
}
