//! One error type for every handler, with small constructors.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hyte_store::StoreError;

/// Result of a handler.
pub type AppResult<T> = Result<T, AppError>;

/// An error shown to the client: a status and one clear sentence. Internal details
/// go to the log, never to the client.
#[derive(Debug)]
pub struct AppError {
    /// HTTP status.
    pub status: StatusCode,
    /// The sentence the client sees.
    pub message: String,
    /// Whether to answer as JSON (API routes) rather than HTML.
    pub json: bool,
}

impl AppError {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        AppError {
            status,
            message: message.into(),
            json: false,
        }
    }
    /// 400.
    pub fn bad_request(m: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, m)
    }
    /// 401.
    pub fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "sign in first")
    }
    /// 403.
    pub fn forbidden(m: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, m)
    }
    /// 404.
    pub fn not_found(m: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, m)
    }
    /// 409.
    pub fn conflict(m: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, m)
    }
    /// 422: well-formed but refused input.
    pub fn unprocessable(m: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, m)
    }
    /// 429.
    pub fn too_many(m: impl Into<String>) -> Self {
        Self::new(StatusCode::TOO_MANY_REQUESTS, m)
    }
    /// 500 with a generic message; the cause is logged.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!("internal error: {cause}");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "something went wrong on the server; the error was logged",
        )
    }
    /// 503 when the database is unreachable.
    pub fn unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "the database is not reachable right now; try again shortly",
        )
    }
    /// Answer as JSON.
    pub fn as_json(mut self) -> Self {
        self.json = true;
        self
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(m) => AppError::not_found(m),
            StoreError::Conflict(m) => AppError::conflict(m),
            StoreError::Invalid(m) => AppError::unprocessable(m),
            e if e.is_unavailable() => {
                tracing::warn!("database unavailable: {e}");
                AppError::unavailable()
            }
            other => AppError::internal(other),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::internal(e)
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if self.json {
            let body = serde_json::json!({
                "error": { "status": self.status.as_u16(), "message": self.message }
            });
            (self.status, axum::Json(body)).into_response()
        } else {
            crate::pages::error_page(self.status, &self.message)
        }
    }
}
