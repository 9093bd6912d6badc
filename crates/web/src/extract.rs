//! Extractors for what every handler repeated: a signed-in user (pages: a redirect
//! to the sign-in page; API: 401 JSON), an authorised report context from the path's
//! `{id}`, the organisation of the path's `{org}` (API), and a form with its CSRF
//! check (repeated keys kept).

use crate::api::ApiError;
use crate::auth::{actor, Viewer};
use crate::i18n::Tr;
use crate::pages::reports::FormData;
use crate::{AppError, AppState};
use axum::extract::{Form, FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use hyte_app::{Actor, ReportCtx};
use hyte_domain::RegionKey;
use std::collections::HashMap;

/// A signed-in browser (pages). Signed out: a redirect to the sign-in page that
/// comes back to the requested address.
pub struct SignedIn {
    /// The request's viewer (language, CSRF token).
    pub viewer: Viewer,
    /// Who acts.
    pub actor: Actor,
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let viewer = Viewer::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        match actor(&viewer) {
            Ok(actor) => Ok(SignedIn { viewer, actor }),
            Err(_) => Err(crate::pages::login_redirect_from(&parts.uri)),
        }
    }
}

/// A form whose CSRF token has been checked (403 otherwise, which is also what a
/// signed-out browser gets: it has no session, so no token can match).
pub struct CheckedForm {
    /// The request's viewer.
    pub viewer: Viewer,
    /// The form's fields, repeated names kept.
    pub form: FormData,
}

impl FromRequest<AppState> for CheckedForm {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (viewer, form) = viewer_and_form(req, state).await?;
        viewer
            .check_csrf(form.get("csrf"))
            .map_err(IntoResponse::into_response)?;
        Ok(CheckedForm { viewer, form })
    }
}

/// The request's viewer and its urlencoded body (repeated names kept), the CSRF token
/// not yet checked.
pub(crate) async fn viewer_and_form(
    req: Request,
    state: &AppState,
) -> Result<(Viewer, FormData), Response> {
    let (mut parts, body) = req.into_parts();
    let viewer = Viewer::from_request_parts(&mut parts, state)
        .await
        .map_err(IntoResponse::into_response)?;
    let form = form_of(Request::from_parts(parts, body), state).await?;
    Ok((viewer, form))
}

/// A form posted by a signed-in browser outside a report (organisation pages):
/// [`SignedIn`] plus the form, whose CSRF token has been checked (403 otherwise).
pub struct SignedForm {
    /// The request's viewer.
    pub viewer: Viewer,
    /// Who acts.
    pub actor: Actor,
    /// The form's fields, repeated names kept.
    pub form: FormData,
}

impl FromRequest<AppState> for SignedForm {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let SignedIn { viewer, actor } = SignedIn::from_request_parts(&mut parts, state).await?;
        let form = form_of(Request::from_parts(parts, body), state).await?;
        viewer
            .check_csrf(form.get("csrf"))
            .map_err(IntoResponse::into_response)?;
        Ok(SignedForm {
            viewer,
            actor,
            form,
        })
    }
}

/// The urlencoded body with repeated names kept.
async fn form_of(req: Request, state: &AppState) -> Result<FormData, Response> {
    let Form(pairs) = Form::<Vec<(String, String)>>::from_request(req, state)
        .await
        .map_err(IntoResponse::into_response)?;
    Ok(FormData(pairs))
}

/// The report named by the path's `{id}`, loaded and checked for the signed-in
/// user (pages): 404 for an unknown report, 403 for someone outside it.
pub struct ReportPage {
    /// The request's viewer.
    pub viewer: Viewer,
    /// The report as this user may use it.
    pub ctx: ReportCtx,
    /// Translator in the viewer's language.
    pub tr: Tr,
    /// The path's other parameters (`sid`, `cid`, ...).
    pub params: HashMap<String, String>,
}

impl ReportPage {
    /// A numeric path parameter (404 when it is not a positive number).
    pub fn id_param(&self, name: &str) -> Result<i64, AppError> {
        path_id(&self.params, name)
    }
}

/// A path parameter as written ("" when the route has none of that name).
fn param<'a>(params: &'a HashMap<String, String>, name: &str) -> &'a str {
    params.get(name).map(String::as_str).unwrap_or_default()
}

fn path_id(params: &HashMap<String, String>, name: &str) -> Result<i64, AppError> {
    let raw = param(params, name);
    crate::pages::parse_id(raw).ok_or_else(|| AppError::not_found(format!("no {name} '{raw}'")))
}

/// The path's parameters by name (400 when they cannot be read).
async fn path_params(
    parts: &mut Parts,
    state: &AppState,
) -> Result<HashMap<String, String>, AppError> {
    let Path(params) = Path::<HashMap<String, String>>::from_request_parts(parts, state)
        .await
        .map_err(|e| AppError::bad_request(e.body_text()))?;
    Ok(params)
}

async fn report_of(
    parts: &mut Parts,
    state: &AppState,
    actor: &Actor,
) -> Result<(ReportCtx, HashMap<String, String>), AppError> {
    let params = path_params(parts, state).await?;
    let raw = param(&params, "id");
    let id = crate::pages::parse_id(raw).ok_or_else(|| {
        AppError::from(hyte_app::AppError::NotFound(
            hyte_app::Refusal::new("rep-err-no-report", format!("no report {raw}")).arg("id", raw),
        ))
    })?;
    let ctx = state.app.load_report(actor, id).await?;
    Ok((ctx, params))
}

impl FromRequestParts<AppState> for ReportPage {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let SignedIn { viewer, actor } = SignedIn::from_request_parts(parts, state).await?;
        let (ctx, params) = report_of(parts, state, &actor)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(ReportPage {
            tr: Tr::new(viewer.lang),
            viewer,
            ctx,
            params,
        })
    }
}

/// A form posted to a report's page: [`ReportPage`] plus the form, whose CSRF token
/// has been checked (403 otherwise).
pub struct ReportForm {
    /// The report page's context.
    pub page: ReportPage,
    /// The form's fields, repeated names kept.
    pub form: FormData,
}

impl FromRequest<AppState> for ReportForm {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let page = ReportPage::from_request_parts(&mut parts, state).await?;
        let form = form_of(Request::from_parts(parts, body), state).await?;
        page.viewer
            .check_csrf(form.get("csrf"))
            .map_err(IntoResponse::into_response)?;
        Ok(ReportForm { page, form })
    }
}

/// A signed-in API client (401 JSON otherwise).
async fn api_actor(parts: &mut Parts, state: &AppState) -> Result<(Viewer, Actor), ApiError> {
    let viewer = Viewer::from_request_parts(parts, state).await?;
    let actor = actor(&viewer)?;
    Ok((viewer, actor))
}

/// The report named by the path's `{id}` for an API client (401 JSON when not
/// authenticated; every refusal as JSON).
pub struct ApiReport {
    /// The request's viewer.
    pub viewer: Viewer,
    /// The report as this client's user may use it.
    pub ctx: ReportCtx,
    /// The path's other parameters.
    pub params: HashMap<String, String>,
}

impl ApiReport {
    /// A numeric path parameter (404 when it is not a positive number).
    pub fn id_param(&self, name: &str) -> Result<i64, AppError> {
        path_id(&self.params, name).map_err(AppError::as_json)
    }

    /// A path parameter as written (`{gid}`, `{v}`, ...).
    pub fn param(&self, name: &str) -> &str {
        param(&self.params, name)
    }
}

impl FromRequestParts<AppState> for ApiReport {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let (viewer, actor) = api_actor(parts, state).await?;
        let (ctx, params) = report_of(parts, state, &actor).await?;
        Ok(ApiReport {
            viewer,
            ctx,
            params,
        })
    }
}

/// The organisation named by the path's `{org}` for an API client: 401 JSON when not
/// authenticated, then 400 for a malformed id. Whether the client may read or change
/// the organisation's work is for the use case to say.
pub struct ApiOrg {
    /// The request's viewer.
    pub viewer: Viewer,
    /// Who asks.
    pub actor: Actor,
    /// The organisation.
    pub key: RegionKey,
    params: HashMap<String, String>,
}

impl ApiOrg {
    /// A path parameter as written (`{uid}`, `{iid}`).
    pub fn param(&self, name: &str) -> &str {
        param(&self.params, name)
    }
}

impl FromRequestParts<AppState> for ApiOrg {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let (viewer, actor) = api_actor(parts, state).await?;
        let params = path_params(parts, state).await?;
        let key = crate::pages::process::org_key(param(&params, "org"))?;
        Ok(ApiOrg {
            viewer,
            actor,
            key,
            params,
        })
    }
}
