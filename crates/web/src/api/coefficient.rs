//! The HYTE coefficient, TEAviisari scores and the welfare-region dialogue through the
//! JSON API: adapters over the same use cases as the pages (`hyte_app::coefficient`,
//! `hyte_app::dialogue`).

use super::reports::{created, ApiJson, ApiText, Created};
use super::responses::{BadRequest, Refusals, Unprocessable};
use super::{ApiError, ApiResult, ApiRouter, OrgPath};
use crate::auth::{actor, Viewer};
use crate::extract::ApiOrg;
use crate::pages::coefficient::{config, CoefficientReport};
use crate::{AppError, AppState};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use hyte_app::coefficient::{ScoreEntry, TeaviisariImport};
use hyte_app::dialogue::DialogueAccess;
use hyte_app::model::coefficient::StoredScore;
use hyte_app::model::dialogue::{Dialogue, DialogueInput};
use hyte_domain::coefficient::{CsvProblem, Dimension};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

/// Routes of this module (mounted under `/api/v1`).
pub fn routes() -> ApiRouter {
    ApiRouter::new()
        .get("/organisations/{org}/hyte-coefficient", coefficient)
        .get("/organisations/{org}/teaviisari", scores)
        .put("/organisations/{org}/teaviisari", put_scores)
        .post("/organisations/{org}/teaviisari/import", import)
        .get("/organisations/{org}/dialogues", list_dialogues)
        .post("/organisations/{org}/dialogues", create_dialogue)
        .get("/dialogues/{id}", one_dialogue)
        .put("/dialogues/{id}", put_dialogue)
        .delete("/dialogues/{id}", delete_dialogue)
}

/// The documented paths of this module.
#[derive(OpenApi)]
#[openapi(paths(
    coefficient,
    scores,
    put_scores,
    import,
    list_dialogues,
    create_dialogue,
    one_dialogue,
    put_dialogue,
    delete_dialogue
))]
pub struct Doc;

/// The organisation's HYTE coefficient
///
/// Blocks, components, ranks among peers and in the welfare region, distance to the
/// national level (members, its welfare region, admins).
#[utoipa::path(
    get,
    path = "/organisations/{org}/hyte-coefficient",
    tag = "hyte-coefficient",
    params(OrgPath),
    responses((status = 200, description = "OK", body = CoefficientReport), BadRequest, Refusals)
)]
async fn coefficient(
    State(state): State<AppState>,
    org: ApiOrg,
) -> ApiResult<Json<CoefficientReport>> {
    let lang = org.viewer.lang.code();
    let (_, report) = state.app.coefficient(&org.actor, &org.key, lang).await?;
    Ok(Json(report))
}

/// An organisation's TEAviisari scores.
#[derive(Serialize, ToSchema)]
pub struct TeaviisariScores {
    /// The organisation.
    pub organisation: String,
    /// The sectors its level reports.
    #[schema(value_type = Vec<Dimension>)]
    pub sectors: Vec<&'static Dimension>,
    /// The perspectives.
    pub perspectives: &'static [Dimension],
    /// Whether the caller may enter and import scores.
    pub can_edit: bool,
    /// How many scores.
    pub count: usize,
    /// Every stored score, newest year first.
    pub scores: Vec<StoredScore>,
}

/// TEAviisari scores of the organisation, with the sectors and perspectives it reports
#[utoipa::path(
    get,
    path = "/organisations/{org}/teaviisari",
    tag = "hyte-coefficient",
    params(OrgPath),
    responses((status = 200, description = "OK", body = TeaviisariScores), BadRequest, Refusals)
)]
async fn scores(State(state): State<AppState>, org: ApiOrg) -> ApiResult<Json<TeaviisariScores>> {
    let t = state.app.teaviisari(&org.actor, &org.key).await?;
    let cfg = config()?;
    let level = t.region.key.category().as_str();
    Ok(Json(TeaviisariScores {
        organisation: t.region.key.to_string(),
        sectors: cfg.sectors_for_level(level),
        perspectives: &cfg.perspectives,
        can_edit: t.can_edit,
        count: t.scores.len(),
        scores: t.scores,
    }))
}

/// One score of a sector and perspective.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = TeaviisariScoreInput)]
struct ScoreBody {
    /// Sector id.
    sector: String,
    /// Perspective id.
    perspective: String,
    /// `null` removes the score.
    #[schema(minimum = 0, maximum = 100)]
    score: Option<f64>,
}

/// Scores of one year.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = TeaviisariScoresInput)]
struct PutScoresBody {
    /// Collection year.
    #[schema(minimum = 2010, maximum = 2100)]
    year: i64,
    /// The scores; each sector and perspective once.
    scores: Vec<ScoreBody>,
}

/// How many scores a write changed.
#[derive(Serialize, ToSchema)]
pub struct ScoresChanged {
    /// The year.
    pub year: i64,
    /// Scores added, changed or removed.
    pub changed: usize,
}

/// Sets TEAviisari scores of one year (coordinators); all or nothing; a null score removes it; audited
#[utoipa::path(
    put,
    path = "/organisations/{org}/teaviisari",
    tag = "hyte-coefficient",
    params(OrgPath),
    request_body = PutScoresBody,
    responses(
        (status = 200, description = "OK", body = ScoresChanged),
        BadRequest, Refusals, Unprocessable,
    )
)]
async fn put_scores(
    State(state): State<AppState>,
    org: ApiOrg,
    ApiJson(b): ApiJson<PutScoresBody>,
) -> ApiResult<Json<ScoresChanged>> {
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
        .save_teaviisari_scores(&org.actor, &org.key, b.year, &entries, "API")
        .await?;
    Ok(Json(ScoresChanged {
        year: b.year,
        changed,
    }))
}

/// How many scores an import changed.
#[derive(Serialize, ToSchema)]
pub struct ImportedScores {
    /// Scores added or changed.
    pub changed: usize,
}

/// A refused import: nothing changed.
#[derive(Serialize, ToSchema)]
pub struct ImportRefused {
    /// The error, with every problem of the file.
    pub error: ImportProblems,
}

/// Why an import was refused.
#[derive(Serialize, ToSchema)]
pub struct ImportProblems {
    /// 422.
    pub status: u16,
    /// One sentence in English listing the problems.
    pub message: String,
    /// Every problem with its line and field.
    pub problems: Vec<CsvProblem>,
}

/// Imports TEAviisari scores from CSV
///
/// Header year,sector,perspective,score; ';' with decimal commas also accepted. A broken
/// file changes nothing; the 422 answer lists every problem with line and field.
#[utoipa::path(
    post,
    path = "/organisations/{org}/teaviisari/import",
    tag = "hyte-coefficient",
    params(OrgPath),
    request_body(content = String, content_type = "text/csv"),
    responses(
        (status = 200, description = "OK", body = ImportedScores),
        (status = 422, description = "The file was refused; nothing changed", body = ImportRefused),
        BadRequest, Refusals,
    )
)]
async fn import(
    State(state): State<AppState>,
    org: ApiOrg,
    ApiText(body): ApiText,
) -> Result<Response, ApiError> {
    match state
        .app
        .import_teaviisari(&org.actor, &org.key, "API upload", &body)
        .await?
    {
        TeaviisariImport::Imported(changed) => Ok(Json(ImportedScores { changed }).into_response()),
        TeaviisariImport::Refused(problems) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(ImportRefused {
                error: ImportProblems {
                    status: StatusCode::UNPROCESSABLE_ENTITY.as_u16(),
                    message: format!(
                        "the file was not imported; nothing changed: {}",
                        problems
                            .iter()
                            .map(|p| p.to_string())
                            .collect::<Vec<_>>()
                            .join("; ")
                    ),
                    problems,
                },
            }),
        )
            .into_response()),
    }
}

/// A dialogue with whether the caller may change it.
#[derive(Serialize, ToSchema)]
#[schema(as = DialogueView)]
pub struct DialogueJson {
    /// The dialogue.
    #[serde(flatten)]
    pub dialogue: Dialogue,
    /// Whether the caller may change it.
    pub can_edit: bool,
}

impl DialogueJson {
    fn of(dialogue: Dialogue, acc: DialogueAccess) -> Self {
        DialogueJson {
            dialogue,
            can_edit: acc == DialogueAccess::Edit,
        }
    }
}

/// Dialogues of an organisation.
#[derive(Serialize, ToSchema)]
pub struct DialogueList {
    /// How many.
    pub count: usize,
    /// The dialogues.
    pub items: Vec<DialogueJson>,
}

/// Dialogues the organisation is a party of (the municipality and its welfare region read them)
#[utoipa::path(
    get,
    path = "/organisations/{org}/dialogues",
    tag = "hyte-coefficient",
    params(OrgPath),
    responses((status = 200, description = "OK", body = DialogueList), BadRequest, Refusals)
)]
async fn list_dialogues(
    State(state): State<AppState>,
    org: ApiOrg,
) -> ApiResult<Json<DialogueList>> {
    let (_, list) = state.app.dialogues(&org.actor, &org.key).await?;
    let items: Vec<DialogueJson> = list
        .into_iter()
        .map(|(d, a)| DialogueJson::of(d, a))
        .collect();
    Ok(Json(DialogueList {
        count: items.len(),
        items,
    }))
}

/// A new dialogue.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = NewDialogue)]
struct NewDialogueBody {
    /// Member municipality, when posted under a welfare region
    municipality: Option<String>,
    #[serde(flatten)]
    input: DialogueInput,
}

/// Records a dialogue (coordinators of the municipality or its welfare region; a welfare region names the municipality)
#[utoipa::path(
    post,
    path = "/organisations/{org}/dialogues",
    tag = "hyte-coefficient",
    params(OrgPath),
    request_body = NewDialogueBody,
    responses(
        (status = 201, description = "Created", body = DialogueJson),
        BadRequest, Refusals, Unprocessable,
    )
)]
async fn create_dialogue(
    State(state): State<AppState>,
    org: ApiOrg,
    ApiJson(b): ApiJson<NewDialogueBody>,
) -> ApiResult<Created<DialogueJson>> {
    let d = state
        .app
        .create_dialogue(&org.actor, &org.key, b.municipality.as_deref(), b.input)
        .await?;
    Ok(created(DialogueJson::of(d, DialogueAccess::Edit)))
}

fn dialogue_id(id: &str) -> Result<i64, ApiError> {
    id.parse()
        .map_err(|_| AppError::bad_request(format!("'{id}' is not a dialogue id")).into())
}

/// One dialogue (parties only; others 403)
#[utoipa::path(
    get,
    path = "/dialogues/{id}",
    tag = "hyte-coefficient",
    params(("id" = i64, Path, description = "Dialogue id")),
    responses((status = 200, description = "OK", body = DialogueJson), BadRequest, Refusals)
)]
async fn one_dialogue(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> ApiResult<Json<DialogueJson>> {
    let actor = actor(&viewer)?;
    let (d, acc) = state.app.dialogue(&actor, dialogue_id(&id)?).await?;
    Ok(Json(DialogueJson::of(d, acc)))
}

/// Replaces a dialogue's content (coordinators of either party)
#[utoipa::path(
    put,
    path = "/dialogues/{id}",
    tag = "hyte-coefficient",
    params(("id" = i64, Path, description = "Dialogue id")),
    request_body = DialogueInput,
    responses(
        (status = 200, description = "OK", body = DialogueJson),
        BadRequest, Refusals, Unprocessable,
    )
)]
async fn put_dialogue(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<DialogueInput>,
) -> ApiResult<Json<DialogueJson>> {
    let actor = actor(&viewer)?;
    let d = state
        .app
        .update_dialogue(&actor, dialogue_id(&id)?, input)
        .await?;
    Ok(Json(DialogueJson::of(d, DialogueAccess::Edit)))
}

/// Deletes a dialogue (coordinators of either party)
#[utoipa::path(
    delete,
    path = "/dialogues/{id}",
    tag = "hyte-coefficient",
    params(("id" = i64, Path, description = "Dialogue id")),
    responses((status = 204, description = "Deleted"), BadRequest, Refusals)
)]
async fn delete_dialogue(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let actor = actor(&viewer)?;
    state.app.delete_dialogue(&actor, dialogue_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
