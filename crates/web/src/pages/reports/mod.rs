//! Report pages: list and creation, outline, sections with live indicator blocks,
//! history and comments.
//!
//! Permissions (checked on the server for every route, see [`ReportCtx`]): admins and
//! the owner's (or a partner's) coordinators edit everything; editors edit the sections
//! of their sector and those they are assigned to; commenters comment; readers and a
//! welfare region following its municipalities read. Everyone else gets 403, the
//! anonymous a redirect to the sign-in page.

use super::render;
use crate::auth::{access, readable_org, Access, Viewer};
use crate::blocks::{self, RenderedPart};
use crate::extract::{ReportForm, ReportPage, SignedIn};
use crate::i18n::Tr;
use crate::pages::login_redirect_from;
use crate::view::Page;
use crate::{AppError, AppResult, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use hyte_app::model::orgs::Region;
use hyte_app::model::reports::{Comment, Report, Section};
use hyte_app::model::users::User;
use hyte_app::reports::comments::NewComment;
use hyte_app::reports::create::ReportDraft;
use hyte_app::reports::sections::{Saved, SectionMeta, SectionPatch, TextSave};
use hyte_domain::document::{ChartKind, Comparator, IndicatorBlock, MAX_SECTION_CHARS};
use hyte_domain::report::{uncovered_areas, ContentArea, ReportKind, SectionStatus};
use hyte_domain::{IndicatorId, RegionKey, Role};
use serde::Deserialize;
use std::collections::HashMap;

/// Routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/org/{org}/reports", get(list).post(create))
        .route("/reports/{id}", get(outline))
        .route("/reports/{id}/agree", post(agree))
        .route("/reports/{id}/sections", post(add_section))
        .route(
            "/reports/{id}/sections/{sid}",
            get(section_page).post(save_section),
        )
        .route("/reports/{id}/sections/{sid}/meta", post(update_meta))
        .route("/reports/{id}/sections/{sid}/move", post(move_section))
        .route("/reports/{id}/sections/{sid}/remove", post(remove_section))
        .route("/reports/{id}/sections/{sid}/status", post(set_status))
        .route(
            "/reports/{id}/sections/{sid}/assignees",
            post(set_assignees),
        )
        .route("/reports/{id}/sections/{sid}/history", get(history))
        .route("/reports/{id}/sections/{sid}/restore", post(restore))
        .route("/reports/{id}/sections/{sid}/comments", post(add_comment))
        .route(
            "/reports/{id}/sections/{sid}/comments/{cid}/resolve",
            post(resolve_comment),
        )
        .route(
            "/reports/{id}/sections/{sid}/comments/{cid}/reopen",
            post(reopen_comment),
        )
}

/// Sectors offered in pickers besides those already used (DOMAIN.md section 10; sectors
/// are data, so any other word is accepted too).
pub const DEFAULT_SECTORS: [&str; 8] = [
    "central_administration",
    "education",
    "leisure",
    "youth",
    "technical_environment",
    "vitality_employment",
    "elderly_services",
    "welfare_region",
];

// ---------------------------------------------------------------------------
// Form data and small helpers

/// An urlencoded form as pairs, so that repeated names (checkboxes) are kept.
pub struct FormData(pub Vec<(String, String)>);

impl FormData {
    /// The first value of a field, or "".
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    /// The trimmed first value, `None` when empty.
    pub fn opt(&self, name: &str) -> Option<&str> {
        Some(self.get(name).trim()).filter(|v| !v.is_empty())
    }

    /// Every value of a field.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

fn see_other(to: String) -> Response {
    Redirect::to(&to).into_response()
}

/// Redirects (303) to `rest` below the report's own address `/reports/{id}`.
pub fn to_report(page: &ReportPage, rest: impl std::fmt::Display) -> Response {
    see_other(format!("/reports/{}{rest}", page.ctx.report.id))
}

/// `2025-03-01T10:11:12Z` → `2025-03-01 10:11`.
pub fn short_time(s: &str) -> String {
    s.get(..16).unwrap_or(s).replace('T', " ")
}

/// The sector's name in the UI language; unknown sectors as written.
pub fn sector_label(tr: &Tr, sector: &str) -> String {
    let key = format!("rep-sector-{sector}");
    match tr.t(&key) {
        t if t == key => sector.to_string(),
        t => t,
    }
}

fn area_label(tr: &Tr, a: ContentArea) -> String {
    tr.t(&format!("rep-area-{}", a.as_str()))
}

fn status_label(tr: &Tr, s: SectionStatus) -> String {
    tr.t(&format!("sec-status-{}", s.as_str()))
}

fn kind_label(tr: &Tr, k: ReportKind) -> String {
    tr.t(&format!("rep-kind-{}", k.as_str()))
}

// ---------------------------------------------------------------------------
// Permissions

/// A report as one signed-in user may use it (the application layer's context).
pub use hyte_app::ReportCtx;

/// Loads a report by the id in a path and checks that the viewer may read it: 404 for
/// an unknown id, 401 when not signed in, 403 for another organisation.
pub async fn load_report(state: &AppState, viewer: &Viewer, id: &str) -> AppResult<ReportCtx> {
    super::report_data::report_ctx(state, viewer, id).await
}

/// Loads a section of the report: 404 when it does not exist or belongs to another
/// report. `current` is false for a section removed from the outline.
pub async fn load_section(
    state: &AppState,
    ctx: &ReportCtx,
    sid: &str,
) -> AppResult<(Section, bool)> {
    let id =
        super::parse_id(sid).ok_or_else(|| AppError::not_found(format!("no section '{sid}'")))?;
    Ok(state.app.section(ctx, id).await?)
}

/// The report and section of a section page for the signed-in viewer; `None` for a
/// visitor who is not signed in (sent to sign in by the caller).
async fn open_section(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    sid: &str,
) -> AppResult<Option<(ReportCtx, Section, bool)>> {
    if viewer.user.is_none() {
        return Ok(None);
    }
    let ctx = load_report(state, viewer, id).await?;
    let (s, current) = load_section(state, &ctx, sid).await?;
    Ok(Some((ctx, s, current)))
}

/// The current section named by the path's `sid` (404 for a removed section or one
/// of another report).
async fn path_section(state: &AppState, page: &ReportPage) -> AppResult<Section> {
    let sid = page.id_param("sid")?;
    Ok(state.app.current_section(&page.ctx, sid).await?)
}

/// Saves `patch` to section `s` and goes back to the work area of its page.
async fn patch_section(
    state: &AppState,
    page: &ReportPage,
    s: &Section,
    patch: SectionPatch,
) -> AppResult<Response> {
    state.app.update_section(&page.ctx, s, &patch).await?;
    Ok(to_report(page, format!("/sections/{}#work", s.id)))
}

mod history;
mod list;
mod outline;
mod section;

pub use history::*;
pub use list::*;
pub use outline::*;
pub use section::*;
