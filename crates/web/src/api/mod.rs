//! The JSON API under `/api/v1`, documented in `docs/API.md` and in the OpenAPI
//! document served at `/api/v1/openapi.json`.

pub mod indicators;
pub mod orgs;
pub mod reports;

use crate::{AppError, AppState};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

/// An API error: an [`AppError`] that always answers as JSON.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into().as_json())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.as_json().into_response()
    }
}

/// Result of an API handler.
pub type ApiResult<T> = Result<T, ApiError>;

const OPENAPI: &str = include_str!("../../openapi.json");

async fn openapi() -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        OPENAPI,
    )
        .into_response()
}

/// Routes of the API.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/me", get(orgs::me))
        .route("/organisations", get(orgs::organisations))
        .route("/organisations/{org}", get(orgs::organisation))
        .route("/organisations/{org}/dashboard", get(orgs::dashboard))
        .route("/regions", get(orgs::regions))
        .route("/indicators", get(indicators::list))
        .route("/indicators/{id}", get(indicators::one))
        .route("/indicators/{id}/values", get(indicators::values))
        .route("/imports", get(indicators::imports))
        .merge(reports::routes())
}
