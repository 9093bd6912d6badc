//! Reports through the JSON API: create and read reports, edit the outline, save
//! section text with its base revision, and comments. Thin adapters over the use cases
//! of `hyte_app::reports`, which the pages call too.

use super::responses::{BadRequest, JsonBody, Refusals};
use super::{ApiError, ApiResult, ApiRouter, ErrorDetail, OrgPath, ReportPath};
use crate::auth::{readable_org, Viewer};
use crate::extract::ApiReport;
use crate::pages::report_data::{can_edit_section, ReportAccess};
use crate::{AppError, AppState};
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use hyte_app::model::reports::{Comment, Report, Section};
use hyte_app::reports::comments::NewComment;
use hyte_app::reports::create::ReportDraft;
use hyte_app::reports::sections::{Saved, SectionMeta, SectionPatch, TextSave};
use hyte_app::ReportCtx;
use hyte_domain::report::{uncovered_areas, ContentArea, ReportKind, SectionStatus};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{OpenApi, ToSchema};

/// Routes of this module (mounted under `/api/v1`).
pub fn routes() -> ApiRouter {
    ApiRouter::new()
        .get("/organisations/{org}/reports", list_reports)
        .post("/organisations/{org}/reports", create_report)
        .get("/reports/{id}", report)
        .post("/reports/{id}/sections", add_section)
        .patch("/reports/{id}/sections/{sid}", patch_section)
        .put("/reports/{id}/sections/{sid}/text", save_text)
        .get("/reports/{id}/comments", comments)
        .post("/reports/{id}/comments", create_comment)
        .post("/reports/{id}/comments/{cid}/resolve", resolve_comment)
        .post("/reports/{id}/comments/{cid}/reopen", reopen_comment)
}

/// The documented paths of this module.
#[derive(OpenApi)]
#[openapi(paths(
    list_reports,
    create_report,
    report,
    add_section,
    patch_section,
    save_text,
    comments,
    create_comment,
    resolve_comment,
    reopen_comment
))]
pub struct Doc;

/// A rejection of one of axum's extractors (`status`, axum's sentence) as a JSON error
/// like every other API error.
fn rejected(status: StatusCode, message: String) -> ApiError {
    ApiError(AppError {
        status,
        message,
        json: true,
        code: "invalid_request",
        refusal: None,
    })
}

/// A JSON body whose rejections (malformed JSON 400, wrong shape 422, missing
/// content type 415) answer as JSON errors like every other API error.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        Json::<T>::from_request(req, state)
            .await
            .map(|Json(v)| ApiJson(v))
            .map_err(|r| rejected(r.status(), r.body_text()))
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
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(v)| ApiQuery(v))
            .map_err(|r| rejected(r.status(), r.body_text()))
    }
}

/// A UTF-8 text body (e.g. CSV) whose rejections (not UTF-8 400, too large 413)
/// answer as JSON errors like every other API error.
pub struct ApiText(pub String);

impl<S: Send + Sync> FromRequest<S> for ApiText {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        String::from_request(req, state)
            .await
            .map(ApiText)
            .map_err(|r| rejected(r.status(), r.body_text()))
    }
}

/// `Some(None)` for an explicit `null`, `None` when absent.
pub(crate) fn double<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// A 201 answer with its body.
pub(crate) type Created<T> = (StatusCode, Json<T>);

/// Answers 201 with the new resource.
pub(crate) fn created<T: Serialize>(v: T) -> Created<T> {
    (StatusCode::CREATED, Json(v))
}

/// What the caller may do with a report: `read` (the welfare region following a member
/// municipality's work) or, for a member, its role.
// The spellings of `Access::as_str`; a test checks that they agree.
#[derive(ToSchema)]
#[schema(as = ReportAccess, rename_all = "lowercase")]
pub enum AccessName {
    /// Read only.
    Read,
    /// A reader.
    Reader,
    /// A commenter.
    Commenter,
    /// An editor.
    Editor,
    /// A coordinator.
    Coordinator,
    /// An admin.
    Admin,
}

/// A report with its sections and the statutory content areas no section covers yet.
#[derive(Serialize, ToSchema)]
pub struct ReportDetail {
    /// The report.
    pub report: Report,
    /// What the caller may do with it.
    #[schema(value_type = AccessName)]
    pub access: &'static str,
    /// Sections in outline order.
    pub sections: Vec<SectionJson>,
    /// Coverage of the statutory content areas.
    pub coverage: Coverage,
}

/// Coverage of the six statutory content areas.
#[derive(Serialize, ToSchema)]
pub struct Coverage {
    /// Areas no section covers yet.
    pub uncovered: Vec<ContentArea>,
    /// Whether none is missing.
    pub complete: bool,
}

/// A section with its current text.
#[derive(Serialize, ToSchema)]
#[schema(as = Section)]
pub struct SectionJson {
    /// Id.
    pub id: i64,
    /// Order in the outline.
    pub position: i64,
    /// Heading.
    pub heading: String,
    /// Statutory content areas it covers.
    pub content_areas: Vec<ContentArea>,
    /// Owner sector.
    pub owner_sector: Option<String>,
    /// Status.
    pub status: SectionStatus,
    /// Current revision; 0 = never saved
    pub revision: i64,
    /// Current text (Markdown with indicator blocks).
    pub body: String,
    /// Assigned users (ids).
    pub assignees: Vec<i64>,
    /// Unresolved comments.
    pub unresolved_comments: i64,
    /// Last change.
    pub updated_at: String,
    /// Whether the caller may write its text
    pub editable: bool,
}

impl SectionJson {
    fn of(s: &Section, editable: bool) -> Self {
        SectionJson {
            id: s.id,
            position: s.position,
            heading: s.heading.clone(),
            content_areas: s.content_areas.clone(),
            owner_sector: s.owner_sector.clone(),
            status: s.status,
            revision: s.revision,
            body: s.body.clone(),
            assignees: s.assignees.clone(),
            unresolved_comments: s.unresolved_comments,
            updated_at: s.updated_at.clone(),
            editable,
        }
    }
}

async fn report_json(state: &AppState, ctx: &ReportCtx) -> ApiResult<ReportDetail> {
    let (r, acc, user) = (&ctx.report, ctx.access, &ctx.actor.user);
    let sections = state.app.sections(ctx).await?;
    let uncovered: Vec<ContentArea> =
        uncovered_areas(sections.iter().map(|s| s.content_areas.as_slice()));
    let sections: Vec<SectionJson> = sections
        .iter()
        .map(|s| SectionJson::of(s, can_edit_section(acc, user, s)))
        .collect();
    Ok(ReportDetail {
        report: r.clone(),
        access: acc.as_str(),
        sections,
        coverage: Coverage {
            complete: uncovered.is_empty(),
            uncovered,
        },
    })
}

/// Reports of an organisation.
#[derive(Serialize, ToSchema)]
pub struct ReportList {
    /// How many.
    pub count: usize,
    /// The reports.
    pub items: Vec<Report>,
}

/// Reports the organisation owns or takes part in (members, its welfare region, admins)
#[utoipa::path(
    get,
    path = "/organisations/{org}/reports",
    tag = "reports",
    params(OrgPath),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "OK", body = ReportList), BadRequest, Refusals)
)]
pub async fn list_reports(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(OrgPath { org }): Path<OrgPath>,
) -> ApiResult<Json<ReportList>> {
    let region = readable_org(&state, &viewer, &org).await?;
    let items = state
        .app
        .reports_of(&crate::auth::actor(&viewer)?, &region)
        .await?;
    Ok(Json(ReportList {
        count: items.len(),
        items,
    }))
}

/// The outline a new report starts from.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum Template {
    /// THL's recommended outline (headings in the organisation's majority language).
    Thl,
    /// No sections.
    Empty,
}

/// A new report.
#[derive(Deserialize, ToSchema)]
#[schema(as = NewReport)]
pub struct NewReportBody {
    /// Kind.
    #[schema(value_type = ReportKind)]
    kind: String,
    /// Title.
    #[schema(max_length = 300)]
    title: String,
    /// Council term start year.
    #[schema(example = 2025)]
    term_start: i64,
    /// Council term end year.
    #[schema(example = 2029)]
    term_end: i64,
    /// Required for a yearly report
    #[serde(default)]
    year: Option<i64>,
    /// Other organisations of a joint report
    #[serde(default)]
    partners: Vec<String>,
    /// The outline to start from.
    #[serde(default)]
    #[schema(value_type = Option<Template>, default = "thl")]
    template: Option<String>,
}

/// Create a report (coordinators and admins of the organisation)
///
/// The outline comes from the THL template or is empty.
#[utoipa::path(
    post,
    path = "/organisations/{org}/reports",
    tag = "reports",
    params(OrgPath),
    request_body = NewReportBody,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, description = "Created", body = ReportDetail), Refusals, JsonBody)
)]
pub async fn create_report(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(OrgPath { org }): Path<OrgPath>,
    ApiJson(b): ApiJson<NewReportBody>,
) -> ApiResult<Created<ReportDetail>> {
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
    Ok(created(report_json(&state, &ctx).await?))
}

/// A report with its sections (text and revision) and the statutory content areas no section covers yet
#[utoipa::path(
    get,
    path = "/reports/{id}",
    tag = "reports",
    params(ReportPath),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "OK", body = ReportDetail), Refusals)
)]
pub async fn report(
    State(state): State<AppState>,
    ApiReport { ctx, .. }: ApiReport,
) -> ApiResult<Json<ReportDetail>> {
    Ok(Json(report_json(&state, &ctx).await?))
}

/// A new section at the end of the outline.
#[derive(Deserialize, ToSchema)]
#[schema(as = NewSection)]
pub struct NewSectionBody {
    /// Heading.
    #[schema(max_length = 300)]
    heading: String,
    /// Statutory content areas it covers.
    #[serde(default)]
    #[schema(value_type = Vec<ContentArea>)]
    areas: Vec<String>,
    /// Owner sector.
    #[serde(default)]
    sector: Option<String>,
}

/// Add a section at the end of the outline (coordinators)
#[utoipa::path(
    post,
    path = "/reports/{id}/sections",
    tag = "reports",
    params(ReportPath),
    request_body = NewSectionBody,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, description = "Created", body = SectionJson), Refusals, JsonBody)
)]
pub async fn add_section(
    State(state): State<AppState>,
    ApiReport { ctx, .. }: ApiReport,
    ApiJson(b): ApiJson<NewSectionBody>,
) -> ApiResult<Created<SectionJson>> {
    let meta = SectionMeta {
        heading: b.heading,
        areas: b.areas,
        sector: b.sector,
    };
    let (sid, _) = state.app.add_section(&ctx, &meta).await?;
    let s = state.app.current_section(&ctx, sid).await?;
    Ok(created(SectionJson::of(&s, true)))
}

/// The current section named by the path's `sid` (404 for a removed section or one
/// of another report).
async fn path_section(state: &AppState, api: &ApiReport) -> ApiResult<Section> {
    let sid = api.id_param("sid")?;
    Ok(state.app.current_section(&api.ctx, sid).await?)
}

/// Changes to a section; absent fields stay as they are.
#[derive(Deserialize, ToSchema)]
#[schema(as = SectionChange)]
pub struct PatchSectionBody {
    /// Heading.
    #[serde(default)]
    #[schema(max_length = 300)]
    heading: Option<String>,
    /// Statutory content areas it covers.
    #[serde(default)]
    #[schema(value_type = Option<Vec<ContentArea>>)]
    areas: Option<Vec<String>>,
    /// null or "" clears the owner sector
    #[serde(default, deserialize_with = "double")]
    #[schema(value_type = Option<String>)]
    sector: Option<Option<String>>,
    /// Status.
    #[serde(default)]
    #[schema(value_type = Option<SectionStatus>)]
    status: Option<String>,
    /// E-mails of users of the report's organisations; replaces the assignees
    #[serde(default)]
    #[schema(value_type = Option<Vec<String>>, format = Email)]
    assignees: Option<Vec<String>>,
}

/// Change a section: heading, content areas, owner sector, assignees (coordinators) or status only (coordinators and the section's editors)
#[utoipa::path(
    patch,
    path = "/reports/{id}/sections/{sid}",
    tag = "reports",
    params(ReportPath, ("sid" = i64, Path, description = "Section id (of this report)")),
    request_body = PatchSectionBody,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "OK", body = SectionJson), Refusals, JsonBody)
)]
pub async fn patch_section(
    State(state): State<AppState>,
    api: ApiReport,
    ApiJson(b): ApiJson<PatchSectionBody>,
) -> ApiResult<Json<SectionJson>> {
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
    Ok(Json(SectionJson::of(&s, ctx.can_edit(&s))))
}

/// A section's new text with the revision the edit started from.
#[derive(Deserialize, ToSchema)]
#[schema(as = TextSave)]
pub struct TextBody {
    /// The revision the edit started from
    base_revision: i64,
    /// Markdown with indicator blocks
    body: String,
    /// Note on the revision.
    #[serde(default)]
    #[schema(max_length = 500)]
    note: Option<String>,
}

/// A saved revision.
#[derive(Serialize, ToSchema)]
pub struct SavedRevision {
    /// The section.
    pub section_id: i64,
    /// The new revision's number.
    pub revision: i64,
    /// Its author (e-mail).
    pub author: String,
    /// Its note.
    pub note: Option<String>,
    /// When.
    pub created_at: String,
}

/// The answer to a save based on an old revision: nothing was written; the current
/// text is returned for merging.
#[derive(Serialize, ToSchema)]
pub struct SaveConflict {
    /// The error (status 409, code `conflict`).
    pub error: ErrorDetail,
    /// The current revision number.
    pub current_revision: i64,
    /// The current text.
    pub current_body: String,
    /// Who saved it.
    pub current_author: String,
}

/// Save a section's text as a new revision, based on the revision the client has
///
/// Coordinators and admins; editors of the section's owner sector or assigned to it.
#[utoipa::path(
    put,
    path = "/reports/{id}/sections/{sid}/text",
    tag = "reports",
    params(ReportPath, ("sid" = i64, Path, description = "Section id (of this report)")),
    request_body = TextBody,
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "OK", body = SavedRevision),
        (status = 409, description = "The base revision is stale: someone saved first. Nothing was written; the current text is returned for merging.", body = SaveConflict),
        Refusals, JsonBody,
    )
)]
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
        Saved::Revision(rev) => Ok(Json(SavedRevision {
            section_id: s.id,
            revision: rev.number,
            author: rev.author_email,
            note: rev.note,
            created_at: rev.created_at,
        })
        .into_response()),
        Saved::Conflict {
            current_revision,
            current_body,
            current_author,
        } => Ok((
            StatusCode::CONFLICT,
            Json(SaveConflict {
                error: ErrorDetail {
                    status: StatusCode::CONFLICT.as_u16(),
                    code: "conflict".into(),
                    message: format!(
                        "the section was saved by {current_author} after revision {} (now revision {current_revision}); nothing was written: merge your text with the current one and save again with base_revision {current_revision}",
                        save.base_revision
                    ),
                },
                current_revision,
                current_body,
                current_author,
            }),
        )
            .into_response()),
    }
}

/// Comments of a report.
#[derive(Serialize, ToSchema)]
pub struct CommentList {
    /// How many.
    pub count: usize,
    /// The comments, oldest first.
    pub items: Vec<Comment>,
}

/// Comments of the report, oldest first
#[utoipa::path(
    get,
    path = "/reports/{id}/comments",
    tag = "reports",
    params(ReportPath),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "OK", body = CommentList), Refusals)
)]
pub async fn comments(
    State(state): State<AppState>,
    ApiReport { ctx, .. }: ApiReport,
) -> ApiResult<Json<CommentList>> {
    let items = state.app.comments(&ctx).await?;
    Ok(Json(CommentList {
        count: items.len(),
        items,
    }))
}

/// A new comment or reply.
#[derive(Deserialize, ToSchema)]
#[schema(as = NewComment)]
pub struct CommentBody {
    /// Section commented on (none: the whole report).
    #[serde(default)]
    section_id: Option<i64>,
    /// Line of the indicator block in the section text
    #[serde(default)]
    #[schema(minimum = 1)]
    block_line: Option<i64>,
    /// The comment replied to; a reply belongs to its parent's section
    #[serde(default)]
    parent_id: Option<i64>,
    /// Text.
    #[schema(max_length = 5000)]
    body: String,
}

/// A new comment.
#[derive(Serialize, ToSchema)]
pub struct CreatedComment {
    /// Its id.
    pub id: i64,
    /// The comment.
    pub comment: Comment,
}

/// Comment on a section or an indicator block, or reply (commenters and up)
#[utoipa::path(
    post,
    path = "/reports/{id}/comments",
    tag = "reports",
    params(ReportPath),
    request_body = CommentBody,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, description = "Created", body = CreatedComment), Refusals, JsonBody)
)]
pub async fn create_comment(
    State(state): State<AppState>,
    ApiReport { ctx, .. }: ApiReport,
    ApiJson(b): ApiJson<CommentBody>,
) -> ApiResult<Created<CreatedComment>> {
    let c = NewComment {
        section_id: b.section_id,
        block_line: b.block_line,
        parent_id: b.parent_id,
        body: b.body,
    };
    let (comment, _) = state.app.add_comment(&ctx, &c).await?;
    Ok(created(CreatedComment {
        id: comment.id,
        comment,
    }))
}

/// A comment thread resolved or reopened.
#[derive(Serialize, ToSchema)]
pub struct ResolvedComment {
    /// The comment's id.
    pub id: i64,
    /// Whether it is resolved now.
    pub resolved: bool,
    /// The comment.
    pub comment: Comment,
}

async fn resolve(
    state: AppState,
    api: ApiReport,
    resolve: bool,
) -> ApiResult<Json<ResolvedComment>> {
    let cid = api.id_param("cid")?;
    let (comment, _) = state
        .app
        .resolve_comment(&api.ctx, cid, None, resolve)
        .await?;
    Ok(Json(ResolvedComment {
        id: cid,
        resolved: resolve,
        comment,
    }))
}

/// Resolve a comment thread
///
/// Its author or whoever may edit its section (coordinators for a comment on the whole
/// report), as on the page; 422 for a reply.
#[utoipa::path(
    post,
    path = "/reports/{id}/comments/{cid}/resolve",
    tag = "reports",
    params(ReportPath, ("cid" = i64, Path, description = "Comment id (of this report)")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "OK", body = ResolvedComment), Refusals)
)]
pub async fn resolve_comment(
    State(state): State<AppState>,
    api: ApiReport,
) -> ApiResult<Json<ResolvedComment>> {
    resolve(state, api, true).await
}

/// Reopen a resolved comment thread
///
/// Its author or whoever may edit its section (coordinators for a comment on the whole
/// report), as on the page; 422 for a reply.
#[utoipa::path(
    post,
    path = "/reports/{id}/comments/{cid}/reopen",
    tag = "reports",
    params(ReportPath, ("cid" = i64, Path, description = "Comment id (of this report)")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "OK", body = ResolvedComment), Refusals)
)]
pub async fn reopen_comment(
    State(state): State<AppState>,
    api: ApiReport,
) -> ApiResult<Json<ResolvedComment>> {
    resolve(state, api, false).await
}

#[cfg(test)]
mod tests {
    use super::AccessName;
    use crate::pages::report_data::ReportAccess;
    use hyte_domain::Role;
    use utoipa::PartialSchema;

    #[test]
    fn the_documented_access_names_are_the_answered_ones() {
        let schema = serde_json::to_value(AccessName::schema()).expect("schema as JSON");
        let documented: Vec<&str> = schema["enum"]
            .as_array()
            .expect("an enum")
            .iter()
            .filter_map(|v| v.as_str())
            .collect();
        let answered: Vec<&str> = std::iter::once(ReportAccess::Read)
            .chain(Role::ALL.into_iter().map(ReportAccess::Member))
            .map(|a| a.as_str())
            .collect();
        assert_eq!(documented, answered);
    }
}
