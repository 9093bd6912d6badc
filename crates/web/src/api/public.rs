//! The open-data API of published content: no authentication, only published reports
//! (anything else is 404), ETag caching.
//!
//! It lives under `/api/v1/public/...` rather than reusing `/api/v1/organisations/{org}/reports`
//! and `/api/v1/reports/{id}`: those serve the signed-in working copy in another shape,
//! and one URL answering differently for anonymous and signed-in callers would make
//! caches and clients confuse the two.

use crate::api::{ApiError, ApiResult};
use crate::auth::Viewer;
use crate::pages::public::{published_output, published_report_by_id, with_etag, Rendered};
use crate::{AppError, AppState};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use hyte_domain::RegionKey;
use serde::Deserialize;

/// Routes under `/api/v1/public`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/public/organisations/{org}/reports", get(list))
        .route("/public/reports/{id}", get(one))
}

/// Paging of a list.
#[derive(Debug, Deserialize)]
pub struct Paging {
    /// 1-based page.
    pub page: Option<String>,
    /// Items per page (1..=100, default 20).
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

/// `GET /api/v1/public/organisations/{org}/reports`: published reports, newest first.
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
        items.push(serde_json::json!({
            "id": r.id,
            "title": r.title,
            "kind": r.kind.as_str(),
            "term_start": r.term_start,
            "term_end": r.term_end,
            "year": r.year,
            "languages": r.languages,
            "published_at": pb.published_at,
            "links": {
                "self": format!("/api/v1/public/reports/{}", r.id),
                "html": format!("/public/{key}/reports/{}", r.id),
                "pdf": format!("/public/{key}/reports/{}.pdf", r.id),
                "summary_pdf": format!("/public/{key}/reports/{}/summary.pdf", r.id),
            }
        }));
    }
    let body = serde_json::json!({
        "organisation": key.to_string(),
        "page": page,
        "per_page": per_page,
        "total": total,
        "items": items,
    });
    let bytes = serde_json::to_vec(&body).map_err(AppError::internal)?;
    Ok(with_etag(
        &headers,
        Rendered::new(bytes),
        "application/json",
    ))
}

/// `GET /api/v1/public/reports/{id}?lang=fi|sv|en`: the published document.
pub async fn one(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let (report, publication) = published_report_by_id(&state, &id).await?;
    let bytes = published_output(&state, &report, &publication, viewer.lang, "json").await?;
    Ok(with_etag(&headers, bytes, "application/json"))
}
