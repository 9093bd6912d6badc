//! One error type for every handler, with small constructors.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// Result of a handler.
pub type AppResult<T> = Result<T, AppError>;

/// An error shown to the client: a status and one clear sentence. Internal details
/// go to the log, never to the client.
///
/// A use case's refusal ([`hyte_app::AppError`]) keeps its catalogue key: the API
/// answers `{"error": {"status", "code", "message"}}` with the key as `code` and the
/// English sentence, and pages show it translated into the reader's language
/// (`security::headers` translates it, knowing the request).
#[derive(Debug)]
pub struct AppError {
    /// HTTP status.
    pub status: StatusCode,
    /// The sentence the client sees (English for a refusal with a key).
    pub message: String,
    /// Whether to answer as JSON (API routes) rather than HTML.
    pub json: bool,
    /// A stable machine-readable code (`not_found`, `forbidden`, `refused`, ...).
    pub code: &'static str,
    /// The refusal's key and parameters, translated where the language is known.
    pub refusal: Option<hyte_app::Refusal>,
}

/// A page error whose text is translated by `security::headers` in the request's
/// language (a response extension).
#[derive(Debug, Clone)]
pub struct Untranslated(pub hyte_app::Refusal);

impl AppError {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        AppError {
            status,
            message: message.into(),
            json: false,
            code: code_of(status),
            refusal: None,
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
    /// 422 for text holding a NUL character (U+0000), naming the field (a form name,
    /// a query parameter or a JSON pointer); translated on pages.
    pub fn nul_character(field: &str) -> Self {
        let refusal = hyte_app::Refusal::new(
            "err-nul-character",
            format!("{field} contains a NUL character (U+0000), which Hyte does not accept"),
        )
        .arg("field", field);
        AppError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message: refusal.english.clone(),
            json: false,
            code: refusal.key,
            refusal: Some(refusal),
        }
    }
    /// 413 for a request body over `limit` bytes; translated on pages.
    pub fn too_large(limit: usize) -> Self {
        let mib = limit / (1024 * 1024);
        let refusal = hyte_app::Refusal::new(
            "err-too-large",
            format!("the request is too large (at most {mib} MiB)"),
        )
        .arg("mib", mib);
        AppError {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            message: refusal.english.clone(),
            json: false,
            code: refusal.key,
            refusal: Some(refusal),
        }
    }
    /// Answer as JSON.
    pub fn as_json(mut self) -> Self {
        self.json = true;
        self
    }
}

fn code_of(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "bad_request",
        401 => "unauthenticated",
        403 => "forbidden",
        404 => "not_found",
        409 => "conflict",
        413 => "too_large",
        415 => "unsupported_media_type",
        422 => "refused",
        429 => "too_many_requests",
        503 => "unavailable",
        _ => "internal",
    }
}

impl From<hyte_app::AppError> for AppError {
    fn from(e: hyte_app::AppError) -> Self {
        use hyte_app::AppError as E;
        let status = match &e {
            E::Unauthenticated => StatusCode::UNAUTHORIZED,
            E::NotFound(_) => StatusCode::NOT_FOUND,
            E::Forbidden(_) => StatusCode::FORBIDDEN,
            E::Refused(_) | E::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            E::Conflict(_) | E::Locked(_) => StatusCode::CONFLICT,
            E::Unavailable => return AppError::unavailable(),
            E::Internal(cause) => return AppError::internal(cause),
        };
        let message = match &e {
            E::Invalid { field, refusal } if !refusal.english.contains(field) => {
                format!("{field}: {}", refusal.english)
            }
            E::Unauthenticated => "sign in first".to_string(),
            other => other
                .refusal()
                .map(|r| r.english.clone())
                .unwrap_or_default(),
        };
        // The API's `code` is the refusal's catalogue key where it has one of its own
        // (stable, specific), else the kind of error.
        let code = match e.refusal() {
            Some(r) if r.key != "err-detail" => r.key,
            _ => e.code(),
        };
        AppError {
            status,
            message,
            json: false,
            code,
            refusal: e.refusal().cloned(),
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
                "error": {
                    "status": self.status.as_u16(),
                    "code": self.code,
                    "message": self.message,
                }
            });
            (self.status, axum::Json(body)).into_response()
        } else {
            let mut res = crate::pages::error_page(self.status, &self.message);
            if let Some(r) = self.refusal {
                res.extensions_mut().insert(Untranslated(r));
            }
            res
        }
    }
}
