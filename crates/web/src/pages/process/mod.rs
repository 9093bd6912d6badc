//! The report as a process, the working group and the organisation's records:
//! THL's eight phases as a task list with a timeline, invitations and member roles,
//! the filtered audit log, and the welfare region's view of its municipalities.
//!
//! The rules (who may change which task, who manages the group, what an invitation
//! accepts) are the application layer's (`hyte_app::process`); these pages and the
//! JSON API in `api::process` only parse input and render the answers.

mod audit;
mod group;
mod region;
mod tasks;

pub use audit::{audit_filter, audit_page, AuditQuery};
pub use group::{
    accept_form, gone, invitation_id, invitation_link, invite_form, invite_page, member_disable,
    member_enable, member_form, member_id, member_lifecycle, member_remove, member_reset_link,
    members_page, public_link, revoke_form, MemberLifecycle,
};
pub use hyte_app::process::AUDIT_PAGE_SIZE;
pub use region::{
    region_members, region_page, region_shared, shared_themes, RegionMember, RegionReport,
    SharedTheme,
};
pub use tasks::{
    add_task_form, move_task_form, phase_name, process_page, process_view, remove_task_form,
    task_of, update_task_form, PhaseView, ProcessView, TaskView,
};

use crate::auth::Viewer;
use crate::{AppError, AppResult, AppState};
use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use hyte_app::process::ManagedOrg;
use hyte_domain::RegionKey;
use serde::Deserialize;

/// Routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/reports/{id}/process", get(process_page))
        .route("/reports/{id}/process/tasks", post(add_task_form))
        .route("/reports/{id}/process/tasks/{tid}", post(update_task_form))
        .route(
            "/reports/{id}/process/tasks/{tid}/move",
            post(move_task_form),
        )
        .route(
            "/reports/{id}/process/tasks/{tid}/remove",
            post(remove_task_form),
        )
        .route("/org/{org}/members", get(members_page))
        .route("/org/{org}/members/{uid}", post(member_form))
        .route("/org/{org}/members/{uid}/disable", post(member_disable))
        .route("/org/{org}/members/{uid}/enable", post(member_enable))
        .route("/org/{org}/members/{uid}/remove", post(member_remove))
        .route(
            "/org/{org}/members/{uid}/reset-link",
            post(member_reset_link),
        )
        .route("/org/{org}/invitations", post(invite_form))
        .route("/org/{org}/invitations/{iid}/revoke", post(revoke_form))
        .route("/invite/{token}", get(invite_page).post(accept_form))
        .route("/org/{org}/audit", get(audit_page))
        .route("/org/{org}/region", get(region_page))
}

/// An option of a select.
pub struct Choice {
    /// Value.
    pub value: String,
    /// Text.
    pub text: String,
}

/// Renders a form page; one whose input a use case refused answers 422, so that
/// clients (and the tests) tell a refused form from a shown one.
pub fn render_refusable<T: Template>(tpl: &T, refused: bool) -> AppResult<Response> {
    let mut res = super::render(tpl)?;
    if refused {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

/// Query of pages that report a finished change (also the dialogue list's).
#[derive(Debug, Deserialize, Default)]
pub struct DoneQuery {
    /// The change just made, e.g. `saved`.
    pub done: Option<String>,
}

/// An organisation id from a path: 400 when malformed.
pub fn org_key(org: &str) -> AppResult<RegionKey> {
    org.parse()
        .map_err(|e: hyte_domain::RegionKeyError| AppError::bad_request(e.to_string()))
}

/// The organisation in the path whose working group the caller manages: 400 for a
/// malformed id, 401 signed out, 404 unknown, 403 for anyone but its coordinators
/// and the admins.
pub async fn managed_org(state: &AppState, viewer: &Viewer, org: &str) -> AppResult<ManagedOrg> {
    let key = org_key(org)?;
    let actor = crate::auth::actor(viewer)?;
    Ok(state.app.managed_org(&actor, &key).await?)
}
