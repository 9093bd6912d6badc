//! The open-data API of published content: no authentication, only published reports
//! (anything else is 404), ETag caching.
//!
//! It lives under `/api/v1/public/...` rather than reusing `/api/v1/organisations/{org}/reports`
//! and `/api/v1/reports/{id}`: those serve the signed-in working copy in another shape,
//! and one URL answering differently for anonymous and signed-in callers would make
//! caches and clients confuse the two.

use super::responses::{BadRequest, NotFound};
use super::{ApiError, ApiResult, ApiRouter};
use crate::auth::Viewer;
use crate::pages::public::{published_output, published_report_by_id, with_etag, Rendered};
use crate::{AppError, AppState};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use hyte_domain::RegionKey;
use hyte_publish::PublishedDocument;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

/// Routes under `/api/v1/public`.
pub fn routes() -> ApiRouter {
    ApiRouter::new()
        .get("/public/organisations/{org}/reports", list)
        .get("/public/reports/{id}", one)
}

/// The documented paths of this module.
#[derive(OpenApi)]
#[openapi(paths(list, one), components(schemas(Language)))]
pub struct Doc;

/// Paging of a list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// 1-based page.
    #[param(value_type = Option<i64>, minimum = 1, default = 1)]
    pub page: Option<String>,
    /// Items per page (1..=100, default 20).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100, default = 20)]
    pub per_page: Option<String>,
}

fn number(v: &Option<String>, name: &str, default: i64, max: i64) -> Result<i64, ApiError> {
    match v.as_deref() {
        None | Some("") => Ok(default),
        Some(s) => match s.parse::<i64>() {
            Ok(n) if (1..=max).contains(&n) => Ok(n),
            _ => Err(ApiError::from(AppError::bad_request(format!(
                "{name} must be a whole number from 1 to {max}, not '{s}'"
            )))),
        },
    }
}

/// Links to a published report's forms.
#[derive(Serialize, ToSchema)]
pub struct PublishedLinks {
    /// This API's JSON document.
    #[serde(rename = "self")]
    pub self_: String,
    /// The public page.
    pub html: String,
    /// The PDF.
    pub pdf: String,
    /// The one-page summary PDF.
    pub summary_pdf: String,
}

/// A published report in a list.
#[derive(Serialize, ToSchema)]
pub struct PublishedReportItem {
    /// Report id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Kind.
    #[schema(value_type = hyte_domain::report::ReportKind)]
    pub kind: &'static str,
    /// Council term, first year.
    pub term_start: i64,
    /// Council term, last year.
    pub term_end: i64,
    /// Year of a yearly report.
    pub year: Option<i64>,
    /// Languages it is published in.
    pub languages: Vec<String>,
    /// When it was published (RFC 3339).
    pub published_at: Option<String>,
    /// Its forms.
    pub links: PublishedLinks,
}

/// One page of an organisation's published reports.
#[derive(Serialize, ToSchema)]
pub struct PublishedReportList {
    /// The organisation.
    #[schema(example = "KUNTA:016")]
    pub organisation: String,
    /// The page, from 1.
    pub page: i64,
    /// Items per page.
    pub per_page: i64,
    /// Published reports in all pages.
    pub total: i64,
    /// This page's reports.
    pub items: Vec<PublishedReportItem>,
}

/// Published reports of an organisation, newest term first (open data, no authentication)
#[utoipa::path(
    get,
    path = "/public/organisations/{org}/reports",
    operation_id = "published_reports",
    tag = "public",
    params(
        ("org" = String, Path, description = "Organisation id CATEGORY:CODE", example = "KUNTA:016"),
        Paging,
        ("If-None-Match" = Option<String>, Header, description = "ETag of a previous answer; 304 when unchanged"),
    ),
    security(()),
    responses(
        (status = 200, description = "OK (with an ETag header)", body = PublishedReportList,
            headers(("ETag" = String, description = "Version of the answer, for If-None-Match"))),
        (status = 304, description = "Not modified"),
        BadRequest, NotFound,
    )
)]
pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(org): Path<String>,
    crate::api::reports::ApiQuery(p): crate::api::reports::ApiQuery<Paging>,
) -> ApiResult<Response> {
    let key: RegionKey = org
        .parse()
        .map_err(|_| AppError::not_found(format!("no organisation {org}")))?;
    if state.app.region(&key).await?.is_none() {
        return Err(AppError::not_found(format!("no organisation {org}")).into());
    }
    let page = number(&p.page, "page", 1, 100_000)?;
    let per_page = number(&p.per_page, "per_page", 20, 100)?;
    let ids = state.app.published_report_ids(&key).await?;
    let total = ids.len() as i64;
    let mut items = vec![];
    for id in ids
        .iter()
        .skip(((page - 1) * per_page) as usize)
        .take(per_page as usize)
    {
        let Some((r, pb)) = state.app.published_report(*id).await? else {
            continue;
        };
        items.push(PublishedReportItem {
            id: r.id,
            kind: r.kind.as_str(),
            term_start: r.term_start,
            term_end: r.term_end,
            year: r.year,
            published_at: pb.published_at,
            links: PublishedLinks {
                self_: format!("/api/v1/public/reports/{}", r.id),
                html: format!("/public/{key}/reports/{}", r.id),
                pdf: format!("/public/{key}/reports/{}.pdf", r.id),
                summary_pdf: format!("/public/{key}/reports/{}/summary.pdf", r.id),
            },
            title: r.title,
            languages: r.languages,
        });
    }
    let body = PublishedReportList {
        organisation: key.to_string(),
        page,
        per_page,
        total,
        items,
    };
    let bytes = serde_json::to_vec(&body).map_err(AppError::internal)?;
    Ok(with_etag(
        &headers,
        Rendered::new(bytes),
        "application/json",
    ))
}

/// A language of the published document.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum Language {
    /// Finnish.
    Fi,
    /// Swedish.
    Sv,
    /// English.
    En,
}

/// One published report as open data
///
/// Sections, indicator blocks with their values, summary, infographic data, approval
/// record (unpublished: 404).
#[utoipa::path(
    get,
    path = "/public/reports/{id}",
    operation_id = "published_report",
    tag = "public",
    params(
        ("id" = i64, Path, description = "Report id"),
        ("lang" = Option<Language>, Query, description = "Language of labels, chart texts and indicator titles"),
        ("If-None-Match" = Option<String>, Header, description = "ETag of a previous answer; 304 when unchanged"),
    ),
    security(()),
    responses(
        (status = 200, description = "OK (with an ETag header)", body = PublishedDocument,
            headers(("ETag" = String, description = "Version of the answer, for If-None-Match"))),
        (status = 304, description = "Not modified"),
        NotFound,
    )
)]
pub async fn one(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let (report, publication) = published_report_by_id(&state, &id).await?;
    // The bytes are the `PublishedDocument` serialised (and cached) by the pages.
    let bytes = published_output(&state, &report, &publication, viewer.lang, "json").await?;
    Ok(with_etag(&headers, bytes, "application/json"))
}
