//! The process through the JSON API: a report's phases and tasks, the working group
//! and its invitations, the audit log and the welfare region's overview. The rules
//! are the application layer's (`hyte_app::process`), the same the pages use.

use super::reports::ApiJson;
use super::{ApiError, ApiResult};
use crate::api::reports::double;
use crate::auth::Viewer;
use crate::i18n::Tr;
use crate::pages::process::{
    audit_filter, gone, invitation_id, invitation_link, managed_org, member_id, org_key,
    process_view, region_members, region_shared, task_of, AuditQuery, ProcessView,
};
use crate::pages::report_data::report_ctx;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, patch, post};
use axum::{Json, Router};
use hyte_app::model::process::Invitation;
use hyte_app::model::users::User;
use hyte_app::process::{Joining, MemberChange, NewInvitation, TaskInput, AUDIT_PAGE_SIZE};
use hyte_app::{AppError as UseCaseError, Refusal, ReportCtx};
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
    let ctx = report_ctx(&state, &viewer, &id).await?;
    let tr = Tr::new(viewer.lang);
    let v = process_view(state.app.process(&ctx).await?, &tr);
    Ok(Json(process_json(&v)))
}

/// One task as the task list shows it (after a change, with its real status).
async fn task_json(
    state: &AppState,
    viewer: &Viewer,
    ctx: &ReportCtx,
    tid: i64,
) -> ApiResult<Value> {
    let tr = Tr::new(viewer.lang);
    let v = process_view(state.app.process(ctx).await?, &tr);
    v.phases
        .iter()
        .flat_map(|p| p.tasks.iter())
        .find(|t| t.id == tid)
        .map(|t| json!(t))
        .ok_or_else(|| {
            UseCaseError::NotFound(
                Refusal::new("proc-err-no-task", format!("no task {tid} in this report"))
                    .arg("id", tid),
            )
            .into()
        })
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

/// `POST /api/v1/reports/{id}/tasks`: adds a task (coordinators), with its owner and
/// due date if given (a refused owner or date adds nothing).
pub async fn create_task(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<NewTask>,
) -> ApiResult<Response> {
    let ctx = report_ctx(&state, &viewer, &id).await?;
    let (t, _) = state
        .app
        .add_task(&ctx, b.phase, &b.title, b.owner_id, b.due_date.as_deref())
        .await?;
    let v = task_json(&state, &viewer, &ctx, t.id).await?;
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
    let ctx = report_ctx(&state, &viewer, &id).await?;
    let task = task_of(&state, &ctx, &tid).await?;
    if let Some(d) = &b.direction {
        state.app.move_task(&ctx, &task, d).await?;
    }
    let input = TaskInput {
        title: b.title.map(|t| t.unwrap_or_default()),
        owner_id: b.owner_id,
        due_date: b.due_date,
        status: b.status,
    };
    if !input.is_empty() {
        state.app.update_task(&ctx, &task, &input).await?;
    }
    Ok(Json(task_json(&state, &viewer, &ctx, task.id).await?))
}

/// `DELETE /api/v1/reports/{id}/tasks/{tid}` (coordinators).
pub async fn delete_task(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, tid)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let ctx = report_ctx(&state, &viewer, &id).await?;
    let task = task_of(&state, &ctx, &tid).await?;
    state.app.remove_task(&ctx, &task).await?;
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
    let g = managed_org(&state, &viewer, &org).await?;
    let users = state.app.members(&g).await?;
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
    let g = managed_org(&state, &viewer, &org).await?;
    let change = MemberChange {
        role: b.role,
        sector: b.sector,
    };
    let u = state
        .app
        .change_member(&g, member_id(&uid)?, &change)
        .await?;
    Ok(Json(member_json(&u)))
}

/// `GET /api/v1/organisations/{org}/invitations`.
pub async fn invitations(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(org): Path<String>,
) -> ApiResult<Json<Value>> {
    let g = managed_org(&state, &viewer, &org).await?;
    let list = state.app.invitations(&g).await?;
    let items: Vec<Value> = list.iter().map(invitation_json).collect();
    Ok(Json(json!({ "count": items.len(), "items": items })))
}

/// Body of `POST /organisations/{org}/invitations`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewInvitationBody {
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
    ApiJson(b): ApiJson<NewInvitationBody>,
) -> ApiResult<Response> {
    let g = managed_org(&state, &viewer, &org).await?;
    let input = NewInvitation {
        email: b.email,
        role: b.role,
        sector: b.sector,
    };
    let (inv, token) = state.app.invite(&g, &input).await?;
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
    let g = managed_org(&state, &viewer, &org).await?;
    let inv = state
        .app
        .revoke_invitation(&g, invitation_id(&iid)?)
        .await?;
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
/// sign-in needed: the token is the credential). 404 for an unknown link, 410 for a
/// used, revoked or expired one.
pub async fn accept_invitation(
    State(state): State<AppState>,
    Path(token): Path<String>,
    ApiJson(b): ApiJson<AcceptBody>,
) -> Result<Response, ApiError> {
    state.app.usable_invitation(&token).await.map_err(gone)?;
    let joining = Joining {
        name: b.name,
        repeat: b.password.clone(),
        password: b.password,
    };
    let u = state.app.accept_invitation(&token, &joining).await?;
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
    let g = managed_org(&state, &viewer, &org).await?;
    let (f, page) = audit_filter(&q)?;
    let log = state.app.audit_log(&g, &f, page).await?;
    Ok(Json(json!({
        "page": log.page, "page_size": AUDIT_PAGE_SIZE, "more": log.more,
        "count": log.entries.len(), "items": log.entries,
    })))
}

/// `GET /api/v1/organisations/{org}/region-overview`: a welfare region's member
/// municipalities with their reports' phase, progress, approval and observations.
pub async fn region(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(org): Path<String>,
) -> ApiResult<Json<Value>> {
    let key = org_key(&org)?;
    let actor = crate::auth::actor(&viewer)?;
    let o = state.app.region_overview(&actor, &key).await?;
    let tr = Tr::new(viewer.lang);
    let members = region_members(&o, &tr);
    let shared = region_shared(&o, &members, &tr);
    Ok(Json(json!({
        "region": o.region.key.to_string(), "count": members.len(), "members": members,
        "shared": shared,
    })))
}
