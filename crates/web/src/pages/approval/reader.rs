//! The signed-in reader of an approval page: every page of the approval workflow and
//! its versions opens the same way (sign in first, then the report of the path).

use crate::auth::Viewer;
use crate::i18n::Tr;
use crate::pages::login_redirect_from;
use crate::pages::report_data::{head, report_ctx, ReportHead};
use crate::view::Page;
use crate::{AppResult, AppState};
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use hyte_app::ReportCtx;
use std::collections::HashMap;

/// The report of the path (`{id}`) as a signed-in user reads it, in the reader's
/// language. A visitor is sent to sign in first and comes back to the page (the
/// rejection is that redirect); a report the user may not read answers as
/// [`report_ctx`] does.
pub struct ReportPage {
    /// Who reads.
    pub viewer: Viewer,
    /// The requested address (the page's own link).
    pub uri: Uri,
    /// The report and the reader's access to it.
    pub ctx: ReportCtx,
    /// The reader's language.
    pub tr: Tr,
}

impl FromRequestParts<AppState> for ReportPage {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let viewer = Viewer::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let uri = parts.uri.clone();
        // The path is read before the sign-in check, as the handlers' own `Path` was.
        let Path(params) = Path::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        if viewer.user.is_none() {
            return Err(login_redirect_from(&uri));
        }
        let id = params.get("id").map(String::as_str).unwrap_or_default();
        let ctx = report_ctx(state, &viewer, id)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(ReportPage {
            tr: Tr::new(viewer.lang),
            viewer,
            uri,
            ctx,
        })
    }
}

impl ReportPage {
    /// The page frame with a title, linking to the requested address.
    pub fn frame(&self, title: String) -> Page {
        Page::new(&self.viewer, title, &self.uri.to_string())
    }

    /// The report's heading with the approval tab chosen.
    pub async fn head(&self, state: &AppState) -> AppResult<ReportHead> {
        let ctx = &self.ctx;
        head(state, &ctx.report, ctx.access, &self.tr, "approval").await
    }
}
