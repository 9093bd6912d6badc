//! The HYTE coefficient, TEAviisari scores and the welfare-region dialogue through the
//! JSON API. Same permissions and logic as the pages (`pages::coefficient`,
//! `pages::dialogue`).

use super::reports::ApiJson;
use super::{ApiError, ApiResult};
use crate::auth::{readable_org, Viewer};
use crate::pages::coefficient::{
    can_edit_scores, config, import_scores, report_of, save_scores, set_of,
};
use crate::pages::dialogue::{self, dialogue_access, parties, DialogueAccess};
use crate::{AppError, AppState};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use hyte_domain::coefficient::parse_year;
use hyte_store::dialogue::{Dialogue, DialogueInput};
use serde::Deserialize;
use serde_json::{json, Value};

/// Routes of this module (mounted under `/api/v1`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/organisations/{org}/hyte-coefficient", get(coefficient))
        .route(
            "/organisations/{org}/teaviisari",
            get(scores).put(put_scores),
        )
        .route("/organisations/{org}/teaviisari/import", post(import))
        .route(
            "/organisations/{org}/dialogues",
            get(list_dialogues).post(create_dialogue),
        )
        .route(
            "/dialogues/{id}",
            get(one_dialogue).put(put_dialogue).delete(delete_dialogue),
        )
}

/// `GET /organisations/{org}/hyte-coefficient`.
async fn coefficient(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(org): Path<String>,
) -> ApiResult<Json<Value>> {
    let region = readable_org(&state, &viewer, &org).await?;
    let report = report_of(&state, &region, viewer.lang.code()).await?;
    Ok(Json(
        serde_json::to_value(report).map_err(AppError::internal)?,
    ))
}

/// `GET /organisations/{org}/teaviisari`.
async fn scores(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(org): Path<String>,
) -> ApiResult<Json<Value>> {
    let region = readable_org(&state, &viewer, &org).await?;
    set_of(&region)?;
    let cfg = config()?;
    let level = region.key.category().as_str();
    let scores = state.store.teaviisari_scores(&region.key).await?;
    let can_edit = can_edit_scores(viewer.user()?, &region);
    Ok(Json(json!({
        "organisation": region.key.to_string(),
        "sectors": cfg.sectors_for_level(level),
        "perspectives": cfg.perspectives,
        "can_edit": can_edit,
        "count": scores.len(),
        "scores": scores,
    })))
}

#[derive(Debug, Deserialize)]
struct ScoreBody {
    sector: String,
    perspective: String,
    /// `null` removes the score.
    score: Option<f64>,
}

#[derive(Debug, Deserialize)]
struct PutScoresBody {
    year: i64,
    scores: Vec<ScoreBody>,
}

/// `PUT /organisations/{org}/teaviisari`: scores of one year; all or nothing.
async fn put_scores(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(org): Path<String>,
    ApiJson(b): ApiJson<PutScoresBody>,
) -> ApiResult<Json<Value>> {
    let region = readable_org(&state, &viewer, &org).await?;
    let user = viewer.user()?.clone();
    if !can_edit_scores(&user, &region) {
        return Err(AppError::forbidden(
            "only the organisation's coordinators enter TEAviisari scores",
        )
        .into());
    }
    set_of(&region)?;
    let year =
        parse_year(&b.year.to_string()).map_err(|e| AppError::unprocessable(e.to_string()))?;
    let entries: Vec<(String, String, Option<f64>)> = b
        .scores
        .into_iter()
        .map(|s| (s.sector, s.perspective, s.score))
        .collect();
    let changed = save_scores(&state, &region, &user, year, &entries, "API").await?;
    Ok(Json(json!({ "year": year, "changed": changed })))
}

/// `POST /organisations/{org}/teaviisari/import`: a CSV body (`text/csv`).
async fn import(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(org): Path<String>,
    crate::api::reports::ApiText(body): crate::api::reports::ApiText,
) -> Result<Response, ApiError> {
    let region = readable_org(&state, &viewer, &org).await?;
    let user = viewer.user()?.clone();
    if !can_edit_scores(&user, &region) {
        return Err(AppError::forbidden(
            "only the organisation's coordinators import TEAviisari scores",
        )
        .into());
    }
    set_of(&region)?;
    match import_scores(&state, &region, &user, "API upload", &body).await? {
        Ok(changed) => Ok(Json(json!({ "changed": changed })).into_response()),
        Err(problems) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({
                "error": {
                    "status": 422,
                    "message": format!("the file was not imported; nothing changed: {}", problems.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("; ")),
                    "problems": problems,
                }
            })),
        )
            .into_response()),
    }
}

fn dialogue_json(d: &Dialogue, acc: DialogueAccess) -> Value {
    let mut v = serde_json::to_value(d).unwrap_or(Value::Null);
    v["can_edit"] = json!(acc == DialogueAccess::Edit);
    v
}

/// `GET /organisations/{org}/dialogues`.
async fn list_dialogues(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(org): Path<String>,
) -> ApiResult<Json<Value>> {
    let region = readable_org(&state, &viewer, &org).await?;
    let user = viewer.user()?;
    let items: Vec<Value> = state
        .store
        .dialogues_of(&region.key)
        .await?
        .iter()
        .filter_map(|d| dialogue_access(user, d).map(|a| dialogue_json(d, a)))
        .collect();
    Ok(Json(json!({ "count": items.len(), "items": items })))
}

#[derive(Debug, Deserialize)]
struct NewDialogueBody {
    /// For a welfare region: the member municipality.
    municipality: Option<String>,
    #[serde(flatten)]
    input: DialogueInput,
}

/// `POST /organisations/{org}/dialogues`.
async fn create_dialogue(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(org): Path<String>,
    ApiJson(b): ApiJson<NewDialogueBody>,
) -> Result<Response, ApiError> {
    let region = readable_org(&state, &viewer, &org).await?;
    let user = viewer.user()?.clone();
    let (m, w) = parties(&state, &region, b.municipality.as_deref()).await?;
    let id = dialogue::create(&state, &user, &m, &w, b.input).await?;
    let d = state
        .store
        .dialogue(id)
        .await?
        .ok_or_else(|| AppError::internal("the new dialogue vanished"))?;
    Ok((
        StatusCode::CREATED,
        Json(dialogue_json(&d, DialogueAccess::Edit)),
    )
        .into_response())
}

fn dialogue_id(id: &str) -> Result<i64, ApiError> {
    id.parse()
        .map_err(|_| AppError::bad_request(format!("'{id}' is not a dialogue id")).into())
}

/// `GET /dialogues/{id}`.
async fn one_dialogue(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let (d, acc) = dialogue::load(&state, &viewer, dialogue_id(&id)?).await?;
    Ok(Json(dialogue_json(&d, acc)))
}

/// `PUT /dialogues/{id}`: replaces the content.
async fn put_dialogue(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<DialogueInput>,
) -> ApiResult<Json<Value>> {
    let (d, _) = dialogue::load(&state, &viewer, dialogue_id(&id)?).await?;
    let user = viewer.user()?.clone();
    dialogue::update(&state, &user, &d, input).await?;
    let d = state
        .store
        .dialogue(d.id)
        .await?
        .ok_or_else(|| AppError::not_found(format!("no dialogue {id}")))?;
    Ok(Json(dialogue_json(&d, DialogueAccess::Edit)))
}

/// `DELETE /dialogues/{id}`.
async fn delete_dialogue(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (d, _) = dialogue::load(&state, &viewer, dialogue_id(&id)?).await?;
    let user = viewer.user()?.clone();
    dialogue::delete(&state, &user, &d).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
