//! Approval and frozen versions through the JSON API: the state, timeline and allowed
//! moves, making a move, the versions and one version as a whole document (the
//! [`VersionDocument`] publication serves), and what changed in the data since.
//! Same use cases as the pages (`hyte_app::approval`, through `pages::approval::apply_move`).

use super::reports::{created, ApiJson, Created};
use super::responses::{Conflict, JsonBody, Refusals};
use super::{ApiResult, ApiRouter, ReportPath};
use crate::extract::ApiReport;
use crate::i18n::Tr;
use crate::pages::approval::{allowed_moves, apply_move, load_version, version_changes};
use crate::AppState;
use axum::extract::State;
use axum::Json;
use hyte_app::approval::parse_move;
use hyte_app::model::approval::ApprovalEvent;
use hyte_app::model::versions::{ValueChange, VersionDocument, VersionSummary};
use hyte_app::ReportCtx;
use hyte_domain::approval::{ApprovalState, Decision, Move, MoveInput};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

/// Routes of this module (mounted under `/api/v1`).
pub fn routes() -> ApiRouter {
    ApiRouter::new()
        .get("/reports/{id}/approval", approval)
        .post("/reports/{id}/approval/transitions", transition)
        .get("/reports/{id}/versions", versions)
        .get("/reports/{id}/versions/{v}", version)
        .get("/reports/{id}/versions/{v}/changes", changes)
}

/// The documented paths of this module.
#[derive(OpenApi)]
#[openapi(paths(approval, transition, versions, version, changes))]
pub struct Doc;

/// A report's approval: state, timeline, versions and the caller's possible moves.
#[derive(Serialize, ToSchema)]
#[schema(as = Approval)]
pub struct ApprovalJson {
    /// The report.
    pub report_id: i64,
    /// Where the report is.
    pub state: ApprovalState,
    /// board_review and later lock the text; send_back unlocks it
    pub text_locked: bool,
    /// Approved by the council (approved or published).
    pub council_approved: bool,
    /// Published.
    pub published: bool,
    /// The latest council decision, if any.
    pub decision: Option<Decision>,
    /// The number of the latest frozen version, if any.
    pub latest_version: Option<i64>,
    /// The moves the caller may make now.
    pub allowed_moves: Vec<Move>,
    /// The timeline, oldest first.
    pub events: Vec<ApprovalEvent>,
    /// The frozen versions, oldest first.
    pub versions: Vec<VersionSummary>,
}

async fn approval_json(state: &AppState, ctx: &ReportCtx) -> ApiResult<ApprovalJson> {
    let facts = state.app.approval_facts(ctx).await?;
    Ok(ApprovalJson {
        report_id: ctx.report.id,
        state: facts.state,
        text_locked: facts.state.locks_text(),
        council_approved: facts.council_approved,
        published: facts.published,
        decision: facts.decision,
        latest_version: facts.latest_version,
        allowed_moves: allowed_moves(ctx.access, facts.state),
        events: state.app.approval_events(ctx).await?,
        versions: state.app.versions(ctx).await?,
    })
}

/// Approval state of a report
///
/// Whether its text is locked, the moves the caller may make, the timeline and the
/// frozen versions (anyone who may read the report).
#[utoipa::path(
    get,
    path = "/reports/{id}/approval",
    tag = "approval",
    params(ReportPath),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "OK", body = ApprovalJson), Refusals)
)]
pub async fn approval(
    State(state): State<AppState>,
    ApiReport { ctx, .. }: ApiReport,
) -> ApiResult<Json<ApprovalJson>> {
    Ok(Json(approval_json(&state, &ctx).await?))
}

/// A move of the approval workflow.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = TransitionRequest)]
pub struct TransitionBody {
    /// The move.
    #[serde(rename = "move")]
    #[schema(value_type = Move)]
    pub mv: String,
    /// Reason (required for `send_back`).
    #[serde(default)]
    pub reason: Option<String>,
    /// `YYYY-MM-DD` (required for `council_approve`).
    #[serde(default)]
    #[schema(format = Date)]
    pub decision_date: Option<String>,
    /// Minutes section, e.g. `§ 45` (required for `council_approve`).
    #[serde(default)]
    #[schema(example = "§ 45")]
    pub minutes_section: Option<String>,
    /// Link to the minutes.
    #[serde(default)]
    #[schema(format = "uri")]
    pub decision_link: Option<String>,
}

/// A recorded move with the new approval state.
#[derive(Serialize, ToSchema)]
pub struct Transition {
    /// The new approval state.
    #[serde(flatten)]
    pub approval: ApprovalJson,
    /// The recorded move.
    pub event: ApprovalEvent,
}

/// Move the report (coordinators of the report's organisations and admins)
///
/// send_back needs a reason; council_approve needs decision_date and minutes_section and
/// freezes a version of the text and every indicator value shown.
#[utoipa::path(
    post,
    path = "/reports/{id}/approval/transitions",
    tag = "approval",
    params(ReportPath),
    request_body = TransitionBody,
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 201, description = "Recorded", body = Transition),
        Refusals, JsonBody, Conflict,
    )
)]
pub async fn transition(
    State(state): State<AppState>,
    ApiReport { ctx, .. }: ApiReport,
    ApiJson(body): ApiJson<TransitionBody>,
) -> ApiResult<Created<Transition>> {
    let mv = parse_move(&body.mv)?;
    let input = MoveInput {
        reason: body.reason.unwrap_or_default(),
        decision_date: body.decision_date.unwrap_or_default(),
        minutes_section: body.minutes_section.unwrap_or_default(),
        decision_link: body.decision_link.unwrap_or_default(),
    };
    let event = apply_move(&state, &ctx, mv, &input).await?;
    Ok(created(Transition {
        approval: approval_json(&state, &ctx).await?,
        event,
    }))
}

/// The frozen versions of a report.
#[derive(Serialize, ToSchema)]
pub struct VersionList {
    /// Oldest first.
    pub versions: Vec<VersionSummary>,
}

/// Frozen versions of a report, oldest first
#[utoipa::path(
    get,
    path = "/reports/{id}/versions",
    tag = "approval",
    params(ReportPath),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "OK", body = VersionList), Refusals)
)]
pub async fn versions(
    State(state): State<AppState>,
    ApiReport { ctx, .. }: ApiReport,
) -> ApiResult<Json<VersionList>> {
    Ok(Json(VersionList {
        versions: state.app.versions(&ctx).await?,
    }))
}

/// One frozen version as a whole document
///
/// Sections as approved, indicator definitions, every frozen value with interval and
/// provenance, and the approval record.
#[utoipa::path(
    get,
    path = "/reports/{id}/versions/{v}",
    tag = "approval",
    params(ReportPath, ("v" = i64, Path, description = "Version number, from 1")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "OK", body = VersionDocument), Refusals)
)]
pub async fn version(
    State(state): State<AppState>,
    api: ApiReport,
) -> ApiResult<Json<VersionDocument>> {
    let tr = Tr::new(api.viewer.lang);
    Ok(Json(
        load_version(&state, &api.ctx, api.param("v"), &tr).await?,
    ))
}

/// What changed in the data since a version.
#[derive(Serialize, ToSchema)]
pub struct VersionChanges {
    /// The version's number.
    pub version: i64,
    /// Values that differ (old → new), and values published since.
    pub changes: Vec<ValueChange>,
}

/// Values shown by the version that differ in the current data (old → new), and values published since
#[utoipa::path(
    get,
    path = "/reports/{id}/versions/{v}/changes",
    tag = "approval",
    params(ReportPath, ("v" = i64, Path, description = "Version number, from 1")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "OK", body = VersionChanges), Refusals)
)]
pub async fn changes(
    State(state): State<AppState>,
    api: ApiReport,
) -> ApiResult<Json<VersionChanges>> {
    let tr = Tr::new(api.viewer.lang);
    let (doc, changes) = version_changes(&state, &api.ctx, api.param("v"), &tr).await?;
    Ok(Json(VersionChanges {
        version: doc.version.number,
        changes,
    }))
}
