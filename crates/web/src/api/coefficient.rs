//! The HYTE coefficient, TEAviisari scores and the welfare-region dialogue through the
//! JSON API: adapters over the same use cases as the pages (`hyte_app::coefficient`,
//! `hyte_app::dialogue`).

use super::reports::ApiJson;
use super::{ApiError, ApiResult};
use crate::auth::{actor, Viewer};
use crate::pages::coefficient::{config, parse_org};
use crate::{AppError, AppState};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use hyte_app::coefficient::{ScoreEntry, TeaviisariImport};
use hyte_app::dialogue::DialogueAccess;
use hyte_app::model::dialogue::{Dialogue, DialogueInput};
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
    let actor = actor(&viewer)?;
    let (_, report) = state
        .app
        .coefficient(&actor, &parse_org(&org)?, viewer.lang.code())
        .await?;
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
    let actor = actor(&viewer)?;
    let t = state.app.teaviisari(&actor, &parse_org(&org)?).await?;
    let cfg = config()?;
    let level = t.region.key.category().as_str();
    Ok(Json(json!({
        "organisation": t.region.key.to_string(),
        "sectors": cfg.sectors_for_level(level),
        "perspectives": cfg.perspectives,
        "can_edit": t.can_edit,
        "count": t.scores.len(),
        "scores": t.scores,
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
    let actor = actor(&viewer)?;
    let entries: Vec<ScoreEntry> = b
        .scores
        .into_iter()
        .map(|s| ScoreEntry {
            sector: s.sector,
            perspective: s.perspective,
            score: s.score,
        })
        .collect();
    let changed = state
        .app
        .save_teaviisari_scores(&actor, &parse_org(&org)?, b.year, &entries, "API")
        .await?;
    Ok(Json(json!({ "year": b.year, "changed": changed })))
}

/// `POST /organisations/{org}/teaviisari/import`: a CSV body (`text/csv`).
async fn import(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(org): Path<String>,
    crate::api::reports::ApiText(body): crate::api::reports::ApiText,
) -> Result<Response, ApiError> {
    let actor = actor(&viewer)?;
    let key = parse_org(&org)?;
    match state
        .app
        .import_teaviisari(&actor, &key, "API upload", &body)
        .await?
    {
        TeaviisariImport::Imported(changed) => Ok(Json(json!({ "changed": changed })).into_response()),
        TeaviisariImport::Refused(problems) => Ok((
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
    let actor = actor(&viewer)?;
    let (_, list) = state.app.dialogues(&actor, &parse_org(&org)?).await?;
    let items: Vec<Value> = list.iter().map(|(d, a)| dialogue_json(d, *a)).collect();
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
    let actor = actor(&viewer)?;
    let d = state
        .app
        .create_dialogue(
            &actor,
            &parse_org(&org)?,
            b.municipality.as_deref(),
            b.input,
        )
        .await?;
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
    let actor = actor(&viewer)?;
    let (d, acc) = state.app.dialogue(&actor, dialogue_id(&id)?).await?;
    Ok(Json(dialogue_json(&d, acc)))
}

/// `PUT /dialogues/{id}`: replaces the content.
async fn put_dialogue(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<DialogueInput>,
) -> ApiResult<Json<Value>> {
    let actor = actor(&viewer)?;
    let d = state
        .app
        .update_dialogue(&actor, dialogue_id(&id)?, input)
        .await?;
    Ok(Json(dialogue_json(&d, DialogueAccess::Edit)))
}

/// `DELETE /dialogues/{id}`.
async fn delete_dialogue(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let actor = actor(&viewer)?;
    state.app.delete_dialogue(&actor, dialogue_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
