//! Approval and frozen versions through the JSON API: the state, timeline and allowed
//! moves, making a move, the versions and one version as a whole document (the
//! [`VersionDocument`] publication serves), and what changed in the data since.
//! Same use cases as the pages (`hyte_app::approval`, through `pages::approval::apply_move`).

use super::reports::ApiJson;
use super::ApiResult;
use crate::auth::Viewer;
use crate::i18n::Tr;
use crate::pages::approval::{allowed_moves, apply_move, load_version, version_changes};
use crate::pages::report_data::report_ctx;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use hyte_app::approval::parse_move;
use hyte_app::model::versions::VersionDocument;
use hyte_app::ReportCtx;
use hyte_domain::approval::MoveInput;
use serde::Deserialize;
use serde_json::{json, Value};

/// Routes of this module (mounted under `/api/v1`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/reports/{id}/approval", get(approval))
        .route("/reports/{id}/approval/transitions", post(transition))
        .route("/reports/{id}/versions", get(versions))
        .route("/reports/{id}/versions/{v}", get(version))
        .route("/reports/{id}/versions/{v}/changes", get(changes))
}

async fn approval_json(state: &AppState, ctx: &ReportCtx) -> ApiResult<Value> {
    let facts = state.app.approval_facts(ctx).await?;
    Ok(json!({
        "report_id": ctx.report.id,
        "state": facts.state,
        "text_locked": facts.state.locks_text(),
        "council_approved": facts.council_approved,
        "published": facts.published,
        "decision": facts.decision,
        "latest_version": facts.latest_version,
        "allowed_moves": allowed_moves(ctx.access, facts.state),
        "events": state.app.approval_events(ctx).await?,
        "versions": state.app.versions(ctx).await?,
    }))
}

/// `GET /api/v1/reports/{id}/approval`.
pub async fn approval(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let ctx = report_ctx(&state, &viewer, &id).await?;
    Ok(Json(approval_json(&state, &ctx).await?))
}

/// Body of a move.
#[derive(Debug, Deserialize)]
pub struct TransitionBody {
    /// `start_commenting`, `to_board`, `council_approve`, `publish` or `send_back`.
    #[serde(rename = "move")]
    pub mv: String,
    /// Reason (required for `send_back`).
    #[serde(default)]
    pub reason: Option<String>,
    /// `YYYY-MM-DD` (required for `council_approve`).
    #[serde(default)]
    pub decision_date: Option<String>,
    /// Minutes section, e.g. `§ 45` (required for `council_approve`).
    #[serde(default)]
    pub minutes_section: Option<String>,
    /// Link to the minutes.
    #[serde(default)]
    pub decision_link: Option<String>,
}

/// `POST /api/v1/reports/{id}/approval/transitions`: 201 with the recorded event and
/// the new approval state. The same use case as the page (`App::transition`).
pub async fn transition(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<TransitionBody>,
) -> ApiResult<Response> {
    let ctx = report_ctx(&state, &viewer, &id).await?;
    let mv = parse_move(&body.mv)?;
    let input = MoveInput {
        reason: body.reason.unwrap_or_default(),
        decision_date: body.decision_date.unwrap_or_default(),
        minutes_section: body.minutes_section.unwrap_or_default(),
        decision_link: body.decision_link.unwrap_or_default(),
    };
    let event = apply_move(&state, &ctx, mv, &input).await?;
    let mut out = approval_json(&state, &ctx).await?;
    out["event"] = json!(event);
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

/// `GET /api/v1/reports/{id}/versions`.
pub async fn versions(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let ctx = report_ctx(&state, &viewer, &id).await?;
    Ok(Json(json!({ "versions": state.app.versions(&ctx).await? })))
}

/// `GET /api/v1/reports/{id}/versions/{v}`: the whole frozen version.
pub async fn version(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, v)): Path<(String, String)>,
) -> ApiResult<Json<VersionDocument>> {
    let ctx = report_ctx(&state, &viewer, &id).await?;
    let tr = Tr::new(viewer.lang);
    Ok(Json(load_version(&state, &ctx, &v, &tr).await?))
}

/// `GET /api/v1/reports/{id}/versions/{v}/changes`: values shown by the version that
/// differ in the current data.
pub async fn changes(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, v)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let ctx = report_ctx(&state, &viewer, &id).await?;
    let tr = Tr::new(viewer.lang);
    let (doc, changes) = version_changes(&state, &ctx, &v, &tr).await?;
    Ok(Json(
        json!({ "version": doc.version.number, "changes": changes }),
    ))
}
