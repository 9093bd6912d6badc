//! Reports through the JSON API: create and read reports, edit the outline, save
//! section text with its base revision, and comments. Thin adapters over the use cases
//! of `hyte_app::reports`, which the pages call too.

use super::{ApiError, ApiResult};
use crate::auth::{readable_org, Viewer};
use crate::extract::ApiReport;
use crate::pages::report_data::{can_edit_section, report_ctx, ReportAccess};
use crate::{AppError, AppState};
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use hyte_app::model::reports::Section;
use hyte_app::reports::comments::NewComment;
use hyte_app::reports::create::ReportDraft;
use hyte_app::reports::sections::{Saved, SectionMeta, SectionPatch, TextSave};
use hyte_app::ReportCtx;
use hyte_domain::report::{uncovered_areas, ContentArea};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::{json, Value};

/// Routes of this module (mounted under `/api/v1`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/organisations/{org}/reports",
            get(list_reports).post(create_report),
        )
        .route("/reports/{id}", get(report))
        .route("/reports/{id}/sections", post(add_section))
        .route(
            "/reports/{id}/sections/{sid}",
            axum::routing::patch(patch_section),
        )
        .route("/reports/{id}/sections/{sid}/text", put(save_text))
        .route("/reports/{id}/comments", get(comments).post(create_comment))
        .route(
            "/reports/{id}/comments/{cid}/resolve",
            post(resolve_comment),
        )
        .route("/reports/{id}/comments/{cid}/reopen", post(reopen_comment))
}

/// A JSON body whose rejections (malformed JSON 400, wrong shape 422, missing
/// content type 415) answer as JSON errors like every other API error.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(rej) => Err(ApiError(AppError {
                status: rej.status(),
                message: rej.body_text(),
                json: true,
                code: "invalid_request",
                refusal: None,
            })),
        }
    }
}

/// Query parameters whose rejections (a missing or malformed parameter, 400) answer
/// as JSON errors like every other API error.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> axum::extract::FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(rej) => Err(ApiError(AppError {
                status: rej.status(),
                message: rej.body_text(),
                json: true,
                code: "invalid_request",
                refusal: None,
            })),
        }
    }
}

/// A UTF-8 text body (e.g. CSV) whose rejections (not UTF-8 400, too large 413)
/// answer as JSON errors like every other API error.
pub struct ApiText(pub String);

impl<S: Send + Sync> FromRequest<S> for ApiText {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match String::from_request(req, state).await {
            Ok(s) => Ok(ApiText(s)),
            Err(rej) => Err(ApiError(AppError {
                status: rej.status(),
                message: rej.body_text(),
                json: true,
                code: "invalid_request",
                refusal: None,
            })),
        }
    }
}

/// `Some(None)` for an explicit `null`, `None` when absent.
pub(crate) fn double<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

pub(crate) fn created(v: Value) -> Response {
    (StatusCode::CREATED, Json(v)).into_response()
}

async fn report_json(state: &AppState, ctx: &ReportCtx) -> ApiResult<Value> {
    let (r, acc, user) = (&ctx.report, ctx.access, &ctx.actor.user);
    let sections = state.app.sections(ctx).await?;
    let uncovered: Vec<ContentArea> =
        uncovered_areas(sections.iter().map(|s| s.content_areas.as_slice()));
    let sections: Vec<Value> = sections
        .iter()
        .map(|s| section_json(s, can_edit_section(acc, user, s)))
        .collect();
    Ok(json!({
        "report": r,
        "access": acc.as_str(),
        "sections": sections,
        "coverage": { "uncovered": uncovered, "complete": uncovered.is_empty() },
    }))
}

fn section_json(s: &Section, editable: bool) -> Value {
    json!({
        "id": s.id, "position": s.position, "heading": s.heading,
        "content_areas": s.content_areas, "owner_sector": s.owner_sector,
        "status": s.status, "revision": s.revision, "body": s.body,
        "assignees": s.assignees, "unresolved_comments": s.unresolved_comments,
        "updated_at": s.updated_at, "editable": editable,
    })
}

/// `GET /api/v1/organisations/{org}/reports`.
pub async fn list_reports(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(org): Path<String>,
) -> ApiResult<Json<Value>> {
    let region = readable_org(&state, &viewer, &org).await?;
    let items = state
        .app
        .reports_of(&crate::auth::actor(&viewer)?, &region)
        .await?;
    Ok(Json(json!({ "count": items.len(), "items": items })))
}

/// Body of `POST /api/v1/organisations/{org}/reports`.
#[derive(Deserialize)]
pub struct NewReportBody {
    kind: String,
    title: String,
    term_start: i64,
    term_end: i64,
    #[serde(default)]
    year: Option<i64>,
    #[serde(default)]
    partners: Vec<String>,
    #[serde(default)]
    template: Option<String>,
}

/// `POST /api/v1/organisations/{org}/reports`: coordinators and admins create a
/// report from the THL outline or empty.
pub async fn create_report(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(org): Path<String>,
    ApiJson(b): ApiJson<NewReportBody>,
) -> ApiResult<Response> {
    let region = readable_org(&state, &viewer, &org).await?;
    let actor = crate::auth::actor(&viewer)?;
    let draft = ReportDraft {
        kind: b.kind,
        title: b.title,
        term_start: b.term_start.to_string(),
        term_end: b.term_end.to_string(),
        year: b.year.map(|y| y.to_string()).unwrap_or_default(),
        partners: b.partners,
        outline: b.template,
        languages: vec![],
    };
    let r = state.app.create_report(&actor, &region.key, &draft).await?;
    // The creator is a member of the organisation (create_report checked it).
    let access = ReportAccess::Member(actor.user.role);
    let ctx = ReportCtx {
        report: r,
        org: region,
        actor,
        access,
    };
    let v = report_json(&state, &ctx).await?;
    Ok(created(v))
}

/// `GET /api/v1/reports/{id}`: the report, its sections with text and revision, and
/// the statutory content areas no section covers yet.
pub async fn report(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let ctx = report_ctx(&state, &viewer, &id).await?;
    Ok(Json(report_json(&state, &ctx).await?))
}

/// Body of `POST /api/v1/reports/{id}/sections`.
#[derive(Deserialize)]
pub struct NewSectionBody {
    heading: String,
    #[serde(default)]
    areas: Vec<String>,
    #[serde(default)]
    sector: Option<String>,
}

/// `POST /api/v1/reports/{id}/sections`: adds a section at the end (coordinators).
pub async fn add_section(
    State(state): State<AppState>,
    ApiReport { ctx, .. }: ApiReport,
    ApiJson(b): ApiJson<NewSectionBody>,
) -> ApiResult<Response> {
    let meta = SectionMeta {
        heading: b.heading,
        areas: b.areas,
        sector: b.sector,
    };
    let (sid, _) = state.app.add_section(&ctx, &meta).await?;
    let s = state.app.current_section(&ctx, sid).await?;
    Ok(created(section_json(&s, true)))
}

/// The current section named by the path's `sid` (404 for a removed section or one
/// of another report).
async fn path_section(state: &AppState, api: &ApiReport) -> ApiResult<Section> {
    let sid = api.id_param("sid")?;
    Ok(state.app.current_section(&api.ctx, sid).await?)
}

/// Body of `PATCH /api/v1/reports/{id}/sections/{sid}`.
#[derive(Deserialize)]
pub struct PatchSectionBody {
    #[serde(default)]
    heading: Option<String>,
    #[serde(default)]
    areas: Option<Vec<String>>,
    #[serde(default, deserialize_with = "double")]
    sector: Option<Option<String>>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    assignees: Option<Vec<String>>,
}

/// `PATCH /api/v1/reports/{id}/sections/{sid}`: heading, content areas, owner sector
/// and assignees (coordinators); status (coordinators and the section's editors).
pub async fn patch_section(
    State(state): State<AppState>,
    api: ApiReport,
    ApiJson(b): ApiJson<PatchSectionBody>,
) -> ApiResult<Json<Value>> {
    let (ctx, s) = (&api.ctx, path_section(&state, &api).await?);
    let assignees = match &b.assignees {
        Some(emails) => {
            let users = state.app.assignable_users(ctx).await?;
            let mut ids = vec![];
            for e in emails {
                let u = users
                    .iter()
                    .find(|u| u.email.eq_ignore_ascii_case(e.trim()))
                    .ok_or_else(|| {
                        AppError::unprocessable(format!(
                            "{e} is not a user of the report's organisations"
                        ))
                    })?;
                ids.push(u.id);
            }
            Some(ids)
        }
        None => None,
    };
    let patch = SectionPatch {
        heading: b.heading,
        areas: b.areas,
        sector: b.sector,
        status: b.status,
        assignees,
    };
    state.app.update_section(ctx, &s, &patch).await?;
    let s = state.app.current_section(ctx, s.id).await?;
    Ok(Json(section_json(&s, ctx.can_edit(&s))))
}

/// Body of `PUT /api/v1/reports/{id}/sections/{sid}/text`.
#[derive(Deserialize)]
pub struct TextBody {
    base_revision: i64,
    body: String,
    #[serde(default)]
    note: Option<String>,
}

/// `PUT /api/v1/reports/{id}/sections/{sid}/text`: saves the text as a new revision
/// if `base_revision` is still current; otherwise 409 with the current text.
pub async fn save_text(
    State(state): State<AppState>,
    api: ApiReport,
    ApiJson(b): ApiJson<TextBody>,
) -> ApiResult<Response> {
    let (ctx, s) = (&api.ctx, path_section(&state, &api).await?);
    let save = TextSave {
        base_revision: b.base_revision,
        body: b.body,
        note: b.note,
    };
    match state.app.save_section_text(ctx, &s, &save).await? {
        Saved::Revision(rev) => Ok(Json(json!({
            "section_id": s.id,
            "revision": rev.number,
            "author": rev.author_email,
            "note": rev.note,
            "created_at": rev.created_at,
        }))
        .into_response()),
        Saved::Conflict {
            current_revision,
            current_body,
            current_author,
        } => Ok((
            StatusCode::CONFLICT,
            Json(json!({
                "error": {
                    "status": 409,
                    "code": "conflict",
                    "message": format!(
                        "the section was saved by {current_author} after revision {} (now revision {current_revision}); nothing was written: merge your text with the current one and save again with base_revision {current_revision}",
                        save.base_revision
                    ),
                },
                "current_revision": current_revision,
                "current_body": current_body,
                "current_author": current_author,
            })),
        )
            .into_response()),
    }
}

/// `GET /api/v1/reports/{id}/comments`.
pub async fn comments(
    State(state): State<AppState>,
    ApiReport { ctx, .. }: ApiReport,
) -> ApiResult<Json<Value>> {
    let items = state.app.comments(&ctx).await?;
    Ok(Json(json!({ "count": items.len(), "items": items })))
}

/// Body of `POST /api/v1/reports/{id}/comments`.
#[derive(Deserialize)]
pub struct CommentBody {
    #[serde(default)]
    section_id: Option<i64>,
    #[serde(default)]
    block_line: Option<i64>,
    #[serde(default)]
    parent_id: Option<i64>,
    body: String,
}

/// `POST /api/v1/reports/{id}/comments`: a comment on a section or an indicator
/// block, or a reply (commenters and up).
pub async fn create_comment(
    State(state): State<AppState>,
    ApiReport { ctx, .. }: ApiReport,
    ApiJson(b): ApiJson<CommentBody>,
) -> ApiResult<Response> {
    let c = NewComment {
        section_id: b.section_id,
        block_line: b.block_line,
        parent_id: b.parent_id,
        body: b.body,
    };
    let (comment, _) = state.app.add_comment(&ctx, &c).await?;
    Ok(created(json!({ "id": comment.id, "comment": comment })))
}

async fn resolve(state: AppState, api: ApiReport, resolve: bool) -> ApiResult<Json<Value>> {
    let cid = api.id_param("cid")?;
    let (comment, _) = state
        .app
        .resolve_comment(&api.ctx, cid, None, resolve)
        .await?;
    Ok(Json(
        json!({ "id": cid, "resolved": resolve, "comment": comment }),
    ))
}

/// `POST /api/v1/reports/{id}/comments/{cid}/resolve`.
pub async fn resolve_comment(
    State(state): State<AppState>,
    api: ApiReport,
) -> ApiResult<Json<Value>> {
    resolve(state, api, true).await
}

/// `POST /api/v1/reports/{id}/comments/{cid}/reopen`.
pub async fn reopen_comment(
    State(state): State<AppState>,
    api: ApiReport,
) -> ApiResult<Json<Value>> {
    resolve(state, api, false).await
}
