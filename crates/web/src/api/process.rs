//! The process through the JSON API: a report's phases and tasks, the working group
//! and its invitations, the audit log and the welfare region's overview. Same rules
//! as the pages (`pages::process` holds them).

use super::reports::ApiJson;
use super::{ApiError, ApiResult};
use crate::api::reports::double;
use crate::auth::{readable_org, Viewer};
use crate::i18n::Tr;
use crate::pages::process::{
    accept, add_task, audit_filter, change_member, change_task, invitation_link, invite,
    managed_org, move_task, process_view, region_overview, region_shared, remove_task, revoke,
    task_of, AuditQuery, ProcessView, TaskInput, AUDIT_PAGE_SIZE,
};
use crate::pages::report_data::load_report;
use crate::{AppError, AppState};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, patch, post};
use axum::{Json, Router};
use hyte_store::process::Invitation;
use hyte_store::users::User;
use serde::Deserialize;
use serde_json::{json, Value};

/// Routes of this module (mounted under `/api/v1`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/reports/{id}/tasks", get(tasks).post(create_task))
        .route(
            "/reports/{id}/tasks/{tid}",
            patch(patch_task).delete(delete_task),
        )
        .route("/organisations/{org}/members", get(members))
        .route("/organisations/{org}/members/{uid}", patch(patch_member))
        .route(
            "/organisations/{org}/invitations",
            get(invitations).post(create_invitation),
        )
        .route(
            "/organisations/{org}/invitations/{iid}",
            delete(delete_invitation),
        )
        .route("/invitations/{token}/accept", post(accept_invitation))
        .route("/organisations/{org}/audit", get(audit))
        .route("/organisations/{org}/region-overview", get(region))
}

fn process_json(v: &ProcessView) -> Value {
    json!({
        "current_phase": v.current_phase,
        "done": v.done,
        "total": v.total,
        "facts": v.facts,
        "approval": v.approval,
        "phases": v.phases,
        "overdue": v.overdue_tasks().iter().map(|t| t.id).collect::<Vec<_>>(),
    })
}

/// `GET /api/v1/reports/{id}/tasks`: the eight phases with their tasks.
pub async fn tasks(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let (report, acc) = load_report(&state, &viewer, &id).await?;
    let tr = Tr::new(viewer.lang);
    let v = process_view(&state, &report, Some(acc), viewer.user.as_ref(), &tr).await?;
    Ok(Json(process_json(&v)))
}

async fn task_json(state: &AppState, viewer: &Viewer, id: &str, tid: i64) -> ApiResult<Value> {
    let (report, acc) = load_report(state, viewer, id).await?;
    let tr = Tr::new(viewer.lang);
    let v = process_view(state, &report, Some(acc), viewer.user.as_ref(), &tr).await?;
    v.phases
        .iter()
        .flat_map(|p| p.tasks.iter())
        .find(|t| t.id == tid)
        .map(|t| json!(t))
        .ok_or_else(|| AppError::not_found(format!("no task {tid}")).into())
}

/// Body of `POST /reports/{id}/tasks`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewTask {
    phase: i64,
    title: String,
    #[serde(default)]
    owner_id: Option<i64>,
    #[serde(default)]
    due_date: Option<String>,
}

/// `POST /api/v1/reports/{id}/tasks`: adds a task (coordinators).
pub async fn create_task(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<NewTask>,
) -> ApiResult<Response> {
    let (report, acc) = load_report(&state, &viewer, &id).await?;
    let user = viewer.user()?.clone();
    let t = add_task(&state, &report, acc, &user, b.phase, &b.title).await?;
    if b.owner_id.is_some() || b.due_date.is_some() {
        let input = TaskInput {
            owner_id: b.owner_id.map(Some),
            due_date: b.due_date.map(Some),
            ..Default::default()
        };
        if let Err(e) = change_task(&state, &report, acc, &user, &t, input).await {
            // Nothing half-made: a refused owner or date takes the new task back.
            state.store.remove_task(t.id).await?;
            return Err(e.into());
        }
    }
    let v = task_json(&state, &viewer, &id, t.id).await?;
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

/// Body of `PATCH /reports/{id}/tasks/{tid}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatchTask {
    #[serde(default, deserialize_with = "double")]
    title: Option<Option<String>>,
    #[serde(default, deserialize_with = "double")]
    owner_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double")]
    due_date: Option<Option<String>>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default, rename = "move")]
    direction: Option<String>,
}

/// `PATCH /api/v1/reports/{id}/tasks/{tid}`: title, owner, due date, status, or a
/// move up or down.
pub async fn patch_task(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, tid)): Path<(String, String)>,
    ApiJson(b): ApiJson<PatchTask>,
) -> ApiResult<Json<Value>> {
    let (report, acc) = load_report(&state, &viewer, &id).await?;
    let user = viewer.user()?.clone();
    let task = task_of(&state, &report, &tid).await?;
    if let Some(d) = &b.direction {
        move_task(&state, &report, acc, &user, &task, d).await?;
    }
    let input = TaskInput {
        title: b.title.map(|t| t.unwrap_or_default()),
        owner_id: b.owner_id,
        due_date: b.due_date,
        status: b.status,
    };
    let any = input.title.is_some()
        || input.owner_id.is_some()
        || input.due_date.is_some()
        || input.status.is_some();
    if any {
        change_task(&state, &report, acc, &user, &task, input).await?;
    }
    Ok(Json(task_json(&state, &viewer, &id, task.id).await?))
}

/// `DELETE /api/v1/reports/{id}/tasks/{tid}` (coordinators).
pub async fn delete_task(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, tid)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let (report, acc) = load_report(&state, &viewer, &id).await?;
    let user = viewer.user()?.clone();
    let task = task_of(&state, &report, &tid).await?;
    remove_task(&state, &report, acc, &user, &task).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn member_json(u: &User) -> Value {
    json!({
        "id": u.id, "email": u.email, "name": u.name, "role": u.role,
        "sector": u.sector, "created_at": u.created_at,
    })
}

fn invitation_json(i: &Invitation) -> Value {
    json!({
        "id": i.id, "org": i.org.to_string(), "email": i.email, "role": i.role,
        "sector": i.sector, "state": i.state(), "invited_by": i.invited_by,
        "created_at": i.created_at, "expires_at": i.expires_at,
        "accepted_at": i.accepted_at, "revoked_at": i.revoked_at,
    })
}

/// `GET /api/v1/organisations/{org}/members` (coordinators and admins).
pub async fn members(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(org): Path<String>,
) -> ApiResult<Json<Value>> {
    let region = managed_org(&state, &viewer, &org).await?;
    let users = state.store.users_of(&region.key).await?;
    let items: Vec<Value> = users.iter().map(member_json).collect();
    Ok(Json(json!({ "count": items.len(), "items": items })))
}

/// Body of `PATCH /organisations/{org}/members/{uid}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatchMember {
    #[serde(default)]
    role: Option<String>,
    #[serde(default, deserialize_with = "double")]
    sector: Option<Option<String>>,
}

/// `PATCH /api/v1/organisations/{org}/members/{uid}`: role and sector.
pub async fn patch_member(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((org, uid)): Path<(String, String)>,
    ApiJson(b): ApiJson<PatchMember>,
) -> ApiResult<Json<Value>> {
    let region = managed_org(&state, &viewer, &org).await?;
    let u = change_member(
        &state,
        &region,
        viewer.user()?,
        &uid,
        b.role.as_deref(),
        b.sector.as_ref().map(|s| s.as_deref()),
    )
    .await?;
    Ok(Json(member_json(&u)))
}

/// `GET /api/v1/organisations/{org}/invitations`.
pub async fn invitations(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(org): Path<String>,
) -> ApiResult<Json<Value>> {
    let region = managed_org(&state, &viewer, &org).await?;
    let list = state.store.invitations_of(&region.key).await?;
    let items: Vec<Value> = list.iter().map(invitation_json).collect();
    Ok(Json(json!({ "count": items.len(), "items": items })))
}

/// Body of `POST /organisations/{org}/invitations`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewInvitation {
    email: String,
    role: String,
    #[serde(default)]
    sector: Option<String>,
}

/// `POST /api/v1/organisations/{org}/invitations`: answers with the single-use
/// link (shown only here; Hyte keeps only its hash).
pub async fn create_invitation(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(org): Path<String>,
    ApiJson(b): ApiJson<NewInvitation>,
) -> ApiResult<Response> {
    let region = managed_org(&state, &viewer, &org).await?;
    let (inv, token) = invite(
        &state,
        &region,
        viewer.user()?,
        &b.email,
        &b.role,
        b.sector.as_deref(),
    )
    .await?;
    let mut v = invitation_json(&inv);
    v["token"] = json!(token);
    v["link"] = json!(invitation_link(&state, &headers, &token));
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

/// `DELETE /api/v1/organisations/{org}/invitations/{iid}`: revokes it.
pub async fn delete_invitation(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((org, iid)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let region = managed_org(&state, &viewer, &org).await?;
    let inv = revoke(&state, &region, viewer.user()?, &iid).await?;
    Ok(Json(invitation_json(&inv)))
}

/// Body of `POST /invitations/{token}/accept`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcceptBody {
    name: String,
    password: String,
}

/// `POST /api/v1/invitations/{token}/accept`: creates the invitee's account (no
/// sign-in needed: the token is the credential).
pub async fn accept_invitation(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
    ApiJson(b): ApiJson<AcceptBody>,
) -> Result<Response, ApiError> {
    let tr = Tr::new(viewer.lang);
    match state.store.invitation_by_token(&token).await? {
        None => {
            return Err(AppError::not_found(
                "this invitation link is not valid; ask your coordinator for a new one",
            )
            .into())
        }
        Some(i) if i.state() != "pending" => {
            return Err(AppError {
                status: StatusCode::GONE,
                message: format!(
                "this invitation link cannot be used: it is {}; ask your coordinator for a new one",
                i.state()
            ),
                json: true,
            }
            .into())
        }
        Some(_) => {}
    }
    let u = accept(&state, &token, &b.name, &b.password, &b.password, &tr).await?;
    let mut v = member_json(&u);
    v["org"] = json!(u.org.map(|k| k.to_string()));
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

/// `GET /api/v1/organisations/{org}/audit?action=&user=&from=&to=&page=`.
pub async fn audit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(org): Path<String>,
    crate::api::reports::ApiQuery(q): crate::api::reports::ApiQuery<AuditQuery>,
) -> ApiResult<Json<Value>> {
    let region = managed_org(&state, &viewer, &org).await?;
    let (f, page) = audit_filter(&q)?;
    let (entries, more) = state
        .store
        .audit_page(
            &region.key,
            &f,
            (page - 1) * AUDIT_PAGE_SIZE,
            AUDIT_PAGE_SIZE,
        )
        .await?;
    Ok(Json(json!({
        "page": page, "page_size": AUDIT_PAGE_SIZE, "more": more,
        "count": entries.len(), "items": entries,
    })))
}

/// `GET /api/v1/organisations/{org}/region-overview`: a welfare region's member
/// municipalities with their reports' phase, progress, approval and observations.
pub async fn region(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(org): Path<String>,
) -> ApiResult<Json<Value>> {
    let region = readable_org(&state, &viewer, &org).await?;
    let tr = Tr::new(viewer.lang);
    let members = region_overview(&state, &region, &tr).await?;
    let shared = region_shared(&state, &members, &tr).await?;
    Ok(Json(json!({
        "region": region.key.to_string(), "count": members.len(), "members": members,
        "shared": shared,
    })))
}
