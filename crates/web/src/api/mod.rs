//! The JSON API under `/api/v1`, documented in `docs/API.md` and in the OpenAPI
//! document served at `/api/v1/openapi.json`.

pub mod approval;
pub mod coefficient;
pub mod indicators;
pub mod orgs;
pub mod plan;
pub mod process;
pub mod public;
pub mod report_data;
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

/// The OpenAPI document is kept as one base file plus one fragment per API domain
/// (`crates/web/openapi/`), so that each domain documents its own paths and schemas
/// next to the others without one ever-growing file.
const OPENAPI_BASE: &str = include_str!("../../openapi/base.json");

/// Fragments: `{"paths": {...}, "components": {"schemas": {...}}}`.
const OPENAPI_FRAGMENTS: &[(&str, &str)] = &[
    ("core", include_str!("../../openapi/core.json")),
    ("reports", include_str!("../../openapi/reports.json")),
    ("process", include_str!("../../openapi/process.json")),
    ("approval", include_str!("../../openapi/approval.json")),
    ("plan", include_str!("../../openapi/plan.json")),
    (
        "coefficient",
        include_str!("../../openapi/coefficient.json"),
    ),
    ("public", include_str!("../../openapi/public.json")),
];

/// The merged OpenAPI document. Fails when a fragment is malformed or a path or
/// schema is defined twice (a test calls this, so such a mistake never ships).
pub fn openapi_document() -> Result<serde_json::Value, String> {
    use serde_json::Value;
    let mut doc: Value =
        serde_json::from_str(OPENAPI_BASE).map_err(|e| format!("base.json: {e}"))?;
    for (name, text) in OPENAPI_FRAGMENTS {
        let fragment: Value =
            serde_json::from_str(text).map_err(|e| format!("{name}.json: {e}"))?;
        for (section, pointer) in [("paths", "/paths"), ("schemas", "/components/schemas")] {
            let Some(Value::Object(entries)) = fragment.pointer(pointer) else {
                continue;
            };
            let Some(Value::Object(target)) = doc.pointer_mut(pointer) else {
                return Err(format!("base.json has no {pointer}"));
            };
            for (key, value) in entries {
                if target.insert(key.clone(), value.clone()).is_some() {
                    return Err(format!("{name}.json: {section} entry {key} defined twice"));
                }
            }
        }
    }
    Ok(doc)
}

static OPENAPI: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    openapi_document()
        .map(|doc| doc.to_string())
        .unwrap_or_else(|e| serde_json::json!({ "error": e }).to_string())
});

async fn openapi() -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        OPENAPI.as_str(),
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
        .merge(report_data::routes())
        .merge(process::routes())
        .merge(approval::routes())
        .merge(plan::routes())
        .merge(coefficient::routes())
        .merge(public::routes())
}

#[cfg(test)]
mod tests {
    #[test]
    fn openapi_fragments_merge_without_clashes() {
        let doc = super::openapi_document().expect("fragments merge");
        let paths = doc["paths"].as_object().expect("paths");
        assert!(paths.contains_key("/indicators/{id}/values"));
        assert!(paths.contains_key("/reports/{id}/sections"));
        // Every $ref points at a schema, response or scheme that exists.
        let text = doc.to_string();
        for piece in text.split("\"#/components/").skip(1) {
            let reference = &piece[..piece.find('"').expect("closing quote")];
            let pointer = format!("/components/{reference}");
            assert!(doc.pointer(&pointer).is_some(), "dangling $ref {pointer}");
        }
    }
}
