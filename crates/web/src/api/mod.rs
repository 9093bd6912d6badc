//! The JSON API under `/api/v1`, documented in `docs/API.md` and in the OpenAPI
//! document served at `/api/v1/openapi.json`.
//!
//! The document is derived from the code (utoipa): every handler carries
//! `#[utoipa::path]` with its method, path, parameters, body and answers, and the
//! request and response types derive their schemas (`ToSchema`), here and on the model
//! types of the crates below. Each module lists its paths in its own `#[derive(OpenApi)]`
//! struct; [`openapi_document`] merges them with the shared parts (info, servers,
//! security schemes, the error answer). Every route is mounted through [`ApiRouter`],
//! which keeps the list of what it mounts, so a test can check that each route is
//! documented and each documented route is mounted.

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
use axum::handler::Handler;
use axum::response::{IntoResponse, Response};
use axum::routing::MethodFilter;
use axum::Router;
use serde::{Deserialize, Serialize};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};

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

/// The body of every error answer.
// `AppError` writes it; this type documents it (and a test checks that they agree).
#[derive(Serialize, ToSchema)]
#[schema(as = Error)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// The HTTP status again.
    #[schema(example = 422)]
    pub status: u16,
    /// Stable and machine-readable: the refusal's catalogue key (e.g. sec-err-note,
    /// rep-err-heading) where the use case refused with one, else the kind of error
    /// (not_found, forbidden, refused, conflict, unauthenticated, invalid_request,
    /// unavailable, internal).
    #[schema(example = "sec-err-note")]
    pub code: String,
    /// One sentence in English.
    #[schema(example = "the note is too long (at most 500 characters)")]
    pub message: String,
}

/// Reusable answers of the document (`#/components/responses`), and the error answers
/// of a path as a few named sets: `responses((status = 200, ...), BadRequest, Refusals)`
/// documents 400, 401, 403 and 404, each as the one [`Error`](responses::Error) answer.
pub mod responses {
    use std::collections::BTreeMap;
    use utoipa::openapi::{Ref, RefOr, Response};

    /// Error
    #[derive(utoipa::ToResponse)]
    #[response(description = "Error")]
    pub struct Error(pub super::ErrorBody);

    /// Each status, answered with [`Error`].
    fn errors(statuses: &[u16]) -> BTreeMap<String, RefOr<Response>> {
        statuses
            .iter()
            .map(|s| (s.to_string(), Ref::from_response_name("Error").into()))
            .collect()
    }

    /// A set of error statuses for `responses(...)` of `#[utoipa::path]`.
    macro_rules! error_set {
        ($($(#[$doc:meta])* $name:ident = [$($status:literal),+];)+) => {$(
            $(#[$doc])*
            pub struct $name;

            impl utoipa::IntoResponses for $name {
                fn responses() -> BTreeMap<String, RefOr<Response>> {
                    errors(&[$($status),+])
                }
            }
        )+};
    }

    error_set! {
        /// 401 not signed in, 403 not allowed, 404 no such thing (or none the caller may see).
        Refusals = [401, 403, 404];
        /// A JSON body: 400 malformed, 415 not `application/json`, 422 of the wrong shape
        /// or refused by a rule.
        JsonBody = [400, 415, 422];
        /// 400: a malformed path parameter or query.
        BadRequest = [400];
        /// 401: not signed in.
        Unauthorized = [401];
        /// 404: no such thing.
        NotFound = [404];
        /// 409: the state does not allow it.
        Conflict = [409];
        /// 410: no longer valid.
        Gone = [410];
        /// 422: input refused by a rule.
        Unprocessable = [422];
    }
}

/// A string schema with a closed set of values, taken from the constant the code checks
/// input against (so that the document cannot drift from it); `nullable` for an
/// `Option`. For `#[schema(schema_with = ...)]`, which replaces the field's doc comment,
/// hence the description.
pub(crate) fn one_of(
    values: &[&str],
    nullable: bool,
    description: &str,
) -> utoipa::openapi::Object {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    let mut listed: Vec<serde_json::Value> = values.iter().map(|v| (*v).into()).collect();
    let ty = if nullable {
        listed.push(serde_json::Value::Null);
        SchemaType::from_iter([Type::String, Type::Null])
    } else {
        SchemaType::new(Type::String)
    };
    ObjectBuilder::new()
        .schema_type(ty)
        .enum_values(Some(listed))
        .description(Some(description))
        .build()
}

/// The values of string fields of model types whose crates cannot name, in a
/// `#[schema]` attribute, the type or constant the values come from (the enums of
/// `hyte-stats`, constants of `hyte-app` and `hyte-store`, words spelled in code):
/// (schema, property, values). [`openapi_document`] lists them as the field's `enum`.
fn value_sets() -> Vec<(&'static str, &'static str, Vec<serde_json::Value>)> {
    use hyte_stats::{CiLevel, CiMethod, Comparison, NoCi, Outcome, TrendOutcome};
    // As serde writes them, which is what the API answers.
    fn spelled<T: Serialize>(all: &[T]) -> Vec<serde_json::Value> {
        all.iter()
            .map(|v| serde_json::to_value(v).unwrap_or_default())
            .collect()
    }
    fn words(all: &[&str]) -> Vec<serde_json::Value> {
        all.iter().map(|v| (*v).into()).collect()
    }
    let labels = |all: Vec<&'static str>| words(&all);
    let outcomes = spelled(Outcome::ALL);
    // A person's statuses and Hyte's own `proposed`.
    let mut observation_status = hyte_app::observations::PERSON_STATUSES.to_vec();
    observation_status.insert(1, "proposed");
    vec![
        ("Comparison", "comparison", spelled(Comparison::ALL)),
        ("Comparison", "outcome", outcomes.clone()),
        (
            "AssessedValue",
            "ci_level",
            labels(CiLevel::ALL.iter().map(|l| l.as_str()).collect()),
        ),
        (
            "AssessedValue",
            "ci_method",
            labels(CiMethod::ALL.iter().map(|m| m.as_str()).collect()),
        ),
        (
            "AssessedValue",
            "no_ci_reason",
            labels(NoCi::ALL.iter().map(|r| r.as_str()).collect()),
        ),
        ("Evidence", "trend", spelled(TrendOutcome::ALL)),
        ("Observation", "status", words(&observation_status)),
        (
            "Indicator",
            "population_group",
            words(&hyte_app::indicators::POPULATION_GROUPS),
        ),
        (
            "DialogueGoal",
            "status",
            words(hyte_app::model::dialogue::GOAL_STATUSES),
        ),
        // Spelled by the pages' region overview.
        (
            "RegionReport",
            "approval",
            words(&["in_preparation", "council_approved", "published"]),
        ),
        ("SharedTheme", "kind", words(&["tag", "indicator"])),
        // The published document carries the domain's words as text.
        (
            "PublishedDocument",
            "kind",
            spelled(hyte_domain::report::ReportKind::ALL),
        ),
        (
            "PublishedAction",
            "status",
            spelled(hyte_domain::plan::ActionStatus::ALL),
        ),
        (
            "PublishedFollowUp",
            "tracking",
            spelled(hyte_domain::plan::Tracking::ALL),
        ),
        ("BlockOutcome", "outcome", outcomes.clone()),
        ("OutcomeRef", "outcome", outcomes),
    ]
    .into_iter()
    .chain(coefficient_value_sets())
    .collect()
}

/// [`value_sets`] of the HYTE coefficient's answers.
fn coefficient_value_sets() -> Vec<(&'static str, &'static str, Vec<serde_json::Value>)> {
    fn words(all: &[&str]) -> Vec<serde_json::Value> {
        all.iter().map(|v| (*v).into()).collect()
    }
    vec![
        // Spelled where the coefficient report is built (`hyte_app::coefficient`).
        (
            "HyteComponent",
            "basis",
            words(&["official_concept", "approximation"]),
        ),
        (
            "HyteComponent",
            "source",
            words(&["teaviisari", "sotkanet", "unavailable"]),
        ),
        (
            "HyteComponent",
            "missing",
            words(&["not_entered", "no_data", "unavailable"]),
        ),
        (
            "CsvProblem",
            "code",
            words(&[
                "empty",
                "quote",
                "header",
                "field_count",
                "not_number",
                "out_of_range",
                "bad_year",
                "unknown_sector",
                "unknown_perspective",
                "duplicate",
                "no_scores",
            ]),
        ),
    ]
}

/// Sets the [`value_sets`] on the document's schemas (with `null` for an optional field).
fn add_value_sets(doc: &mut serde_json::Value) -> Result<(), String> {
    for (schema, property, mut values) in value_sets() {
        let pointer = format!("/components/schemas/{schema}/properties/{property}");
        let field = doc
            .pointer_mut(&pointer)
            .and_then(serde_json::Value::as_object_mut)
            .ok_or_else(|| format!("the document has no {pointer} to list the values of"))?;
        let nullable = field
            .get("type")
            .and_then(serde_json::Value::as_array)
            .is_some_and(|t| t.iter().any(|t| t == "null"));
        if nullable {
            values.push(serde_json::Value::Null);
        }
        field.insert("enum".into(), serde_json::Value::Array(values));
    }
    Ok(())
}

/// The path's `{org}`, for `params(...)` of `#[utoipa::path]` (and `Path` where a handler
/// reads it as written).
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct OrgPath {
    /// Organisation id CATEGORY:CODE, e.g. KUNTA:016
    #[param(pattern = "^[A-Z]+:[0-9A-Z]+$")]
    pub org: String,
}

/// The path's `{id}` of a report, for `params(...)` of `#[utoipa::path]` (the handlers
/// read it through [`ApiReport`](crate::extract::ApiReport)).
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ReportPath {
    /// Report id
    pub id: i64,
}

/// A created resource's id.
#[derive(Serialize, ToSchema)]
pub struct CreatedId {
    /// Id of the new resource.
    pub id: i64,
}

/// The shared parts of the document; the paths come from each module's own
/// `OpenApi` struct (see [`openapi_document`]).
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Hyte API",
        version = "1",
        description = "JSON API of Hyte, the welfare report and plan system. Open data needs no authentication; an organisation's non-public work needs a personal API token (Authorization: Bearer TOKEN) with the same permissions as its user. Errors are JSON {\"error\": {\"status\", \"code\", \"message\"}}. Indicator data: Sotkanet / THL and the producers named per indicator, CC BY 4.0; intervals, comparisons and derived values computed by Hyte.",
        license(name = "EUPL-1.2")
    ),
    servers((url = "/api/v1")),
    paths(openapi),
    components(schemas(ErrorBody), responses(responses::Error)),
    modifiers(&SecuritySchemes)
)]
struct SharedDoc;

/// The two ways to authenticate: a personal API token or the browser session.
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::auth::SESSION_COOKIE,
                "The browser's session cookie. A state-changing request (POST, PUT, PATCH, \
                 DELETE) authenticated by it must carry the session's CSRF token in the \
                 X-CSRF-Token header, or it is refused with 403 (bearer tokens need none).",
            ))),
        );
    }
}

/// The document of each module, in the order of the old hand-written fragments.
fn module_docs() -> Vec<(&'static str, utoipa::openapi::OpenApi)> {
    vec![
        ("orgs", orgs::Doc::openapi()),
        ("indicators", indicators::Doc::openapi()),
        ("reports", reports::Doc::openapi()),
        ("report_data", report_data::Doc::openapi()),
        ("process", process::Doc::openapi()),
        ("approval", approval::Doc::openapi()),
        ("plan", plan::Doc::openapi()),
        ("coefficient", coefficient::Doc::openapi()),
        ("public", public::Doc::openapi()),
    ]
}

/// The whole OpenAPI document. Fails when two modules document the same path or
/// define different schemas under one name (a test calls this, so such a mistake never
/// ships).
pub fn openapi_document() -> Result<serde_json::Value, String> {
    let mut doc = SharedDoc::openapi();
    for (name, part) in module_docs() {
        for path in part.paths.paths.keys() {
            if doc.paths.paths.contains_key(path) {
                return Err(format!("{name}: path {path} documented twice"));
            }
        }
        if let (Some(have), Some(new)) = (&doc.components, &part.components) {
            for (key, schema) in &new.schemas {
                if let Some(old) = have.schemas.get(key) {
                    let same = serde_json::to_value(old).ok() == serde_json::to_value(schema).ok();
                    if !same {
                        return Err(format!("{name}: two different schemas are named {key}"));
                    }
                }
            }
        }
        doc.merge(part);
    }
    let mut value = serde_json::to_value(&doc).map_err(|e| e.to_string())?;
    add_value_sets(&mut value)?;
    check_operation_ids(&value)?;
    Ok(value)
}

/// Operation ids are the handlers' names unless set: they must stay unique.
fn check_operation_ids(doc: &serde_json::Value) -> Result<(), String> {
    let mut seen = std::collections::BTreeSet::new();
    let paths = doc["paths"]
        .as_object()
        .ok_or("the document has no paths")?;
    for (path, ops) in paths {
        for (method, op) in ops.as_object().into_iter().flatten() {
            if let Some(id) = op["operationId"].as_str() {
                if !seen.insert(id.to_string()) {
                    return Err(format!("{method} {path}: operationId {id} is used twice"));
                }
            }
        }
    }
    Ok(())
}

static OPENAPI: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    openapi_document()
        .map(|doc| doc.to_string())
        .unwrap_or_else(|e| serde_json::json!({ "error": e }).to_string())
});

/// This OpenAPI document.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "open data",
    responses((status = 200, description = "The OpenAPI document (JSON)", content_type = "application/json"))
)]
async fn openapi() -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        OPENAPI.as_str(),
    )
        .into_response()
}

/// The API's routes together with the list of what they mount (method, path). Every
/// API route is mounted through this type, so that [`mounted_routes`] is complete and
/// a test can compare it with the OpenAPI document.
#[derive(Default)]
pub struct ApiRouter {
    router: Router<AppState>,
    mounted: Vec<(&'static str, &'static str)>,
}

impl ApiRouter {
    /// No routes yet.
    pub fn new() -> Self {
        Self::default()
    }

    fn on<H, T>(
        mut self,
        method: &'static str,
        filter: MethodFilter,
        path: &'static str,
        handler: H,
    ) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        // Methods of one path merge into one method router (axum's `route` does that).
        self.router = self.router.route(path, axum::routing::on(filter, handler));
        self.mounted.push((method, path));
        self
    }

    /// A `GET` route (it answers `HEAD` too).
    pub fn get<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, handler: H) -> Self {
        self.on("get", MethodFilter::GET, path, handler)
    }

    /// A `POST` route.
    pub fn post<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, handler: H) -> Self {
        self.on("post", MethodFilter::POST, path, handler)
    }

    /// A `PUT` route.
    pub fn put<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, handler: H) -> Self {
        self.on("put", MethodFilter::PUT, path, handler)
    }

    /// A `PATCH` route.
    pub fn patch<H: Handler<T, AppState>, T: 'static>(
        self,
        path: &'static str,
        handler: H,
    ) -> Self {
        self.on("patch", MethodFilter::PATCH, path, handler)
    }

    /// A `DELETE` route.
    pub fn delete<H: Handler<T, AppState>, T: 'static>(
        self,
        path: &'static str,
        handler: H,
    ) -> Self {
        self.on("delete", MethodFilter::DELETE, path, handler)
    }

    /// Adds another module's routes.
    pub fn merge(mut self, other: ApiRouter) -> Self {
        self.router = self.router.merge(other.router);
        self.mounted.extend(other.mounted);
        self
    }
}

fn api_router() -> ApiRouter {
    ApiRouter::new()
        .get("/openapi.json", openapi)
        .merge(orgs::routes())
        .merge(indicators::routes())
        .merge(reports::routes())
        .merge(report_data::routes())
        .merge(process::routes())
        .merge(approval::routes())
        .merge(plan::routes())
        .merge(coefficient::routes())
        .merge(public::routes())
}

/// Routes of the API.
pub fn routes() -> Router<AppState> {
    api_router().router
}

/// Every route the API mounts, as (lower-case method, path under `/api/v1`).
pub fn mounted_routes() -> Vec<(&'static str, &'static str)> {
    api_router().mounted
}

#[cfg(test)]
mod tests {
    use super::{ErrorBody, ErrorDetail};
    use axum::response::IntoResponse;
    use utoipa::PartialSchema;

    /// The property names of a schema.
    fn properties(schema: utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>) -> Vec<String> {
        let schema = serde_json::to_value(schema).expect("schema as JSON");
        let mut names: Vec<String> = schema["properties"]
            .as_object()
            .expect("properties")
            .keys()
            .cloned()
            .collect();
        names.sort();
        names
    }

    #[tokio::test]
    async fn the_documented_error_body_is_the_answered_one() {
        let answer =
            super::ApiError::from(crate::AppError::not_found("no such thing")).into_response();
        let bytes = axum::body::to_bytes(answer.into_body(), 1 << 16)
            .await
            .expect("the body");
        let body: serde_json::Value = serde_json::from_slice(&bytes).expect("JSON");
        let keys = |v: &serde_json::Value| {
            let mut k: Vec<String> = v.as_object().expect("an object").keys().cloned().collect();
            k.sort();
            k
        };
        assert_eq!(keys(&body), properties(ErrorBody::schema()));
        assert_eq!(keys(&body["error"]), properties(ErrorDetail::schema()));
    }

    #[test]
    fn the_openapi_document_merges_and_every_ref_resolves() {
        let doc = super::openapi_document().expect("the modules' documents merge");
        let paths = doc["paths"].as_object().expect("paths");
        assert!(paths.contains_key("/indicators/{id}/values"));
        assert!(paths.contains_key("/reports/{id}/sections"));
        // Every $ref points at a schema, response or scheme that exists.
        let text = doc.to_string();
        let refs = text.split("\"#/components/").skip(1);
        assert!(refs.clone().count() > 50, "the document uses references");
        for piece in refs {
            let reference = &piece[..piece.find('"').expect("closing quote")];
            let pointer = format!("/components/{reference}");
            assert!(doc.pointer(&pointer).is_some(), "dangling $ref {pointer}");
        }
    }
}
