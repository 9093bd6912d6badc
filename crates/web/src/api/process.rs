//! The process through the JSON API: a report's phases and tasks, the working group
//! and its invitations, the audit log and the welfare region's overview. The rules
//! are the application layer's (`hyte_app::process`), the same the pages use.

use super::reports::{created, double, ApiJson, ApiQuery, Created};
use super::responses::{BadRequest, Conflict, Gone, NotFound, Refusals, Unprocessable};
use super::{one_of, ApiError, ApiResult, ApiRouter, OrgPath, ReportPath};
use crate::auth::Viewer;
use crate::extract::{ApiOrg, ApiReport};
use crate::i18n::Tr;
use crate::pages::process::{
    audit_filter, gone, invitation_id, invitation_link, member_id, process_view, region_members,
    region_shared, task_of, AuditQuery, PhaseView, RegionMember, SharedTheme, TaskView,
};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use hyte_app::model::approval::ApprovalFacts;
use hyte_app::model::audit::AuditEntry;
use hyte_app::model::process::Invitation;
use hyte_app::model::users::User;
use hyte_app::process::{Joining, MemberChange, NewInvitation, TaskInput, AUDIT_PAGE_SIZE};
use hyte_app::{AppError as UseCaseError, Refusal, ReportCtx};
use hyte_domain::process::{ProcessFacts, TaskStatus};
use hyte_domain::Role;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

/// Routes of this module (mounted under `/api/v1`).
pub fn routes() -> ApiRouter {
    ApiRouter::new()
        .get("/reports/{id}/tasks", tasks)
        .post("/reports/{id}/tasks", create_task)
        .patch("/reports/{id}/tasks/{tid}", patch_task)
        .delete("/reports/{id}/tasks/{tid}", delete_task)
        .get("/organisations/{org}/members", members)
        .patch("/organisations/{org}/members/{uid}", patch_member)
        .get("/organisations/{org}/invitations", invitations)
        .post("/organisations/{org}/invitations", create_invitation)
        .delete("/organisations/{org}/invitations/{iid}", delete_invitation)
        .post("/invitations/{token}/accept", accept_invitation)
        .get("/organisations/{org}/audit", audit)
        .get("/organisations/{org}/region-overview", region)
}

/// The documented paths of this module.
#[derive(OpenApi)]
#[openapi(paths(
    tasks,
    create_task,
    patch_task,
    delete_task,
    members,
    patch_member,
    invitations,
    create_invitation,
    delete_invitation,
    accept_invitation,
    audit,
    region
))]
pub struct Doc;

/// The roles a coordinator gives: every role but admin.
fn assignable_role() -> utoipa::openapi::Object {
    let roles: Vec<&str> = Role::ALL
        .iter()
        .filter(|r| **r != Role::Admin)
        .map(|r| r.as_str())
        .collect();
    one_of(&roles, false, "Role (not admin).")
}

/// A report's process.
#[derive(Serialize, ToSchema)]
#[schema(as = Process)]
pub struct ProcessJson {
    /// Where the work stands (`null` when everything is done).
    pub current_phase: Option<i64>,
    /// Tasks done in all phases.
    pub done: usize,
    /// Tasks that count in all phases.
    pub total: usize,
    /// The facts automatic tasks follow.
    pub facts: ProcessFacts,
    /// The approval state.
    pub approval: ApprovalFacts,
    /// THL's eight phases with their tasks.
    pub phases: Vec<PhaseView>,
    /// Ids of the open tasks past their due date.
    pub overdue: Vec<i64>,
}

/// The report's process
///
/// THL's eight phases with their tasks, the current phase, overdue tasks and the facts
/// automatic tasks follow (seeds the task list from the template on first use).
#[utoipa::path(
    get,
    path = "/reports/{id}/tasks",
    tag = "process",
    params(ReportPath),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "OK", body = ProcessJson), Refusals)
)]
pub async fn tasks(
    State(state): State<AppState>,
    ApiReport { viewer, ctx, .. }: ApiReport,
) -> ApiResult<Json<ProcessJson>> {
    let tr = Tr::new(viewer.lang);
    let v = process_view(state.app.process(&ctx).await?, &tr);
    let overdue = v.overdue_tasks().iter().map(|t| t.id).collect();
    Ok(Json(ProcessJson {
        current_phase: v.current_phase,
        done: v.done,
        total: v.total,
        facts: v.facts,
        approval: v.approval,
        phases: v.phases,
        overdue,
    }))
}

/// One task as the task list shows it (after a change, with its real status).
async fn task_json(
    state: &AppState,
    viewer: &Viewer,
    ctx: &ReportCtx,
    tid: i64,
) -> ApiResult<TaskView> {
    let tr = Tr::new(viewer.lang);
    let v = process_view(state.app.process(ctx).await?, &tr);
    v.phases
        .into_iter()
        .flat_map(|p| p.tasks)
        .find(|t| t.id == tid)
        .ok_or_else(|| {
            UseCaseError::NotFound(
                Refusal::new("proc-err-no-task", format!("no task {tid} in this report"))
                    .arg("id", tid),
            )
            .into()
        })
}

/// A new task.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTask {
    /// Phase 1..=8.
    #[schema(minimum = 1, maximum = 8)]
    phase: i64,
    /// Title.
    title: String,
    /// Owner (a user of the organisation).
    #[serde(default)]
    owner_id: Option<i64>,
    /// Due date `YYYY-MM-DD`.
    #[serde(default)]
    #[schema(format = Date)]
    due_date: Option<String>,
}

/// Add a task to a phase (coordinators)
#[utoipa::path(
    post,
    path = "/reports/{id}/tasks",
    tag = "process",
    params(ReportPath),
    request_body = NewTask,
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 201, description = "Created", body = TaskView),
        BadRequest, Refusals, Unprocessable,
    )
)]
pub async fn create_task(
    State(state): State<AppState>,
    ApiReport { viewer, ctx, .. }: ApiReport,
    ApiJson(b): ApiJson<NewTask>,
) -> ApiResult<Created<TaskView>> {
    let (t, _) = state
        .app
        .add_task(&ctx, b.phase, &b.title, b.owner_id, b.due_date.as_deref())
        .await?;
    Ok(created(task_json(&state, &viewer, &ctx, t.id).await?))
}

/// Where a task moves within its phase.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum Direction {
    /// One place up.
    Up,
    /// One place down.
    Down,
}

/// Changes to a task; absent fields stay as they are.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = TaskChange)]
pub struct PatchTask {
    /// Own title; null = THL's wording.
    #[serde(default, deserialize_with = "double")]
    #[schema(value_type = Option<String>)]
    title: Option<Option<String>>,
    /// Owner; null removes.
    #[serde(default, deserialize_with = "double")]
    #[schema(value_type = Option<i64>)]
    owner_id: Option<Option<i64>>,
    /// Due date `YYYY-MM-DD`; null removes.
    #[serde(default, deserialize_with = "double")]
    #[schema(value_type = Option<String>, format = Date)]
    due_date: Option<Option<String>>,
    /// Status.
    #[serde(default)]
    #[schema(value_type = Option<TaskStatus>)]
    status: Option<String>,
    /// Move the task within its phase.
    #[serde(default, rename = "move")]
    #[schema(value_type = Option<Direction>)]
    direction: Option<String>,
}

/// Change a task
///
/// Its title (null = THL's wording), owner, due date, status, or move it up or down
/// within its phase. Coordinators change everything; a task's owner may change its
/// status.
#[utoipa::path(
    patch,
    path = "/reports/{id}/tasks/{tid}",
    tag = "process",
    params(ReportPath, ("tid" = i64, Path, description = "Task id")),
    request_body = PatchTask,
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "OK", body = TaskView),
        BadRequest, Refusals, Unprocessable,
    )
)]
pub async fn patch_task(
    State(state): State<AppState>,
    api: ApiReport,
    ApiJson(b): ApiJson<PatchTask>,
) -> ApiResult<Json<TaskView>> {
    let task = task_of(&state, &api.ctx, api.param("tid")).await?;
    let ApiReport { viewer, ctx, .. } = api;
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

/// Remove a task (coordinators)
#[utoipa::path(
    delete,
    path = "/reports/{id}/tasks/{tid}",
    tag = "process",
    params(ReportPath, ("tid" = i64, Path, description = "Task id")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 204, description = "Removed"), Refusals)
)]
pub async fn delete_task(State(state): State<AppState>, api: ApiReport) -> ApiResult<StatusCode> {
    let task = task_of(&state, &api.ctx, api.param("tid")).await?;
    state.app.remove_task(&api.ctx, &task).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A member of an organisation.
#[derive(Serialize, ToSchema)]
pub struct Member {
    /// User id.
    pub id: i64,
    /// Sign-in e-mail.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Role in the organisation.
    pub role: Role,
    /// Sector.
    pub sector: Option<String>,
    /// When the account was made.
    pub created_at: String,
}

impl From<&User> for Member {
    fn from(u: &User) -> Self {
        Member {
            id: u.id,
            email: u.email.clone(),
            name: u.name.clone(),
            role: u.role,
            sector: u.sector.clone(),
            created_at: u.created_at.clone(),
        }
    }
}

/// The state of an invitation (`Invitation::state`).
fn invitation_state() -> utoipa::openapi::Object {
    one_of(
        &["pending", "accepted", "revoked", "expired"],
        false,
        "Whether it can still be used.",
    )
}

/// An invitation to join an organisation.
#[derive(Serialize, ToSchema)]
#[schema(as = Invitation)]
pub struct InvitationJson {
    /// Id.
    pub id: i64,
    /// The organisation.
    pub org: String,
    /// Invited e-mail address.
    pub email: String,
    /// Role the invitee gets.
    pub role: Role,
    /// Sector the invitee gets.
    pub sector: Option<String>,
    /// Whether it can still be used.
    #[schema(schema_with = invitation_state)]
    pub state: &'static str,
    /// Who invited.
    pub invited_by: String,
    /// When.
    pub created_at: String,
    /// Until when the link works.
    pub expires_at: String,
    /// When it was used.
    pub accepted_at: Option<String>,
    /// When it was revoked.
    pub revoked_at: Option<String>,
}

impl From<&Invitation> for InvitationJson {
    fn from(i: &Invitation) -> Self {
        InvitationJson {
            id: i.id,
            org: i.org.to_string(),
            email: i.email.clone(),
            role: i.role,
            sector: i.sector.clone(),
            state: i.state(),
            invited_by: i.invited_by.clone(),
            created_at: i.created_at.clone(),
            expires_at: i.expires_at.clone(),
            accepted_at: i.accepted_at.clone(),
            revoked_at: i.revoked_at.clone(),
        }
    }
}

/// Members of an organisation.
#[derive(Serialize, ToSchema)]
pub struct MemberList {
    /// How many.
    pub count: usize,
    /// The members.
    pub items: Vec<Member>,
}

/// The organisation's members with role and sector (its coordinators and admins)
#[utoipa::path(
    get,
    path = "/organisations/{org}/members",
    tag = "process",
    params(OrgPath),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "OK", body = MemberList), BadRequest, Refusals)
)]
pub async fn members(State(state): State<AppState>, org: ApiOrg) -> ApiResult<Json<MemberList>> {
    let g = state.app.managed_org(&org.actor, &org.key).await?;
    let users = state.app.members(&g).await?;
    let items: Vec<Member> = users.iter().map(Member::from).collect();
    Ok(Json(MemberList {
        count: items.len(),
        items,
    }))
}

/// Changes to a member; absent fields stay as they are.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = MemberChange)]
pub struct PatchMember {
    /// Role (not admin, not your own).
    #[serde(default)]
    #[schema(schema_with = assignable_role)]
    role: Option<String>,
    /// Sector; null clears it.
    #[serde(default, deserialize_with = "double")]
    #[schema(value_type = Option<String>)]
    sector: Option<Option<String>>,
}

/// Change a member's role (not admin, not your own) and sector; recorded in the audit log as a permission change
#[utoipa::path(
    patch,
    path = "/organisations/{org}/members/{uid}",
    tag = "process",
    params(OrgPath, ("uid" = i64, Path, description = "User id")),
    request_body = PatchMember,
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "OK", body = Member),
        BadRequest, Refusals, Unprocessable,
    )
)]
pub async fn patch_member(
    State(state): State<AppState>,
    org: ApiOrg,
    ApiJson(b): ApiJson<PatchMember>,
) -> ApiResult<Json<Member>> {
    let g = state.app.managed_org(&org.actor, &org.key).await?;
    let change = MemberChange {
        role: b.role,
        sector: b.sector,
    };
    let u = state
        .app
        .change_member(&g, member_id(org.param("uid"))?, &change)
        .await?;
    Ok(Json(Member::from(&u)))
}

/// Invitations of an organisation.
#[derive(Serialize, ToSchema)]
pub struct InvitationList {
    /// How many.
    pub count: usize,
    /// The invitations.
    pub items: Vec<InvitationJson>,
}

/// The organisation's invitations with their state
#[utoipa::path(
    get,
    path = "/organisations/{org}/invitations",
    tag = "process",
    params(OrgPath),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "OK", body = InvitationList), BadRequest, Refusals)
)]
pub async fn invitations(
    State(state): State<AppState>,
    org: ApiOrg,
) -> ApiResult<Json<InvitationList>> {
    let g = state.app.managed_org(&org.actor, &org.key).await?;
    let list = state.app.invitations(&g).await?;
    let items: Vec<InvitationJson> = list.iter().map(InvitationJson::from).collect();
    Ok(Json(InvitationList {
        count: items.len(),
        items,
    }))
}

/// Whom to invite, with which role and sector.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewInvitation)]
pub struct NewInvitationBody {
    /// E-mail address to invite.
    email: String,
    /// Role the invitee gets (not admin).
    #[schema(schema_with = assignable_role)]
    role: String,
    /// Sector the invitee gets.
    #[serde(default)]
    sector: Option<String>,
}

/// A new invitation with its single-use link (shown only here).
#[derive(Serialize, ToSchema)]
pub struct NewInvitationAnswer {
    /// The invitation.
    #[serde(flatten)]
    pub invitation: InvitationJson,
    /// The single-use token (Hyte keeps only its hash).
    pub token: String,
    /// The link to send to the invitee.
    pub link: String,
}

/// Invite an e-mail address with a role and sector
///
/// The answer holds the single-use token and link (valid 14 days), shown only here:
/// Hyte sends no e-mail yet.
#[utoipa::path(
    post,
    path = "/organisations/{org}/invitations",
    tag = "process",
    params(OrgPath),
    request_body = NewInvitationBody,
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 201, description = "Created", body = NewInvitationAnswer),
        BadRequest, Refusals, Conflict, Unprocessable,
    )
)]
pub async fn create_invitation(
    State(state): State<AppState>,
    headers: HeaderMap,
    org: ApiOrg,
    ApiJson(b): ApiJson<NewInvitationBody>,
) -> ApiResult<Created<NewInvitationAnswer>> {
    let g = state.app.managed_org(&org.actor, &org.key).await?;
    let input = NewInvitation {
        email: b.email,
        role: b.role,
        sector: b.sector,
    };
    let (inv, token) = state.app.invite(&g, &input).await?;
    Ok(created(NewInvitationAnswer {
        invitation: InvitationJson::from(&inv),
        link: invitation_link(&state, &headers, &token),
        token,
    }))
}

/// Revoke a pending invitation
#[utoipa::path(
    delete,
    path = "/organisations/{org}/invitations/{iid}",
    tag = "process",
    params(OrgPath, ("iid" = i64, Path, description = "Invitation id")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "OK", body = InvitationJson), Refusals)
)]
pub async fn delete_invitation(
    State(state): State<AppState>,
    org: ApiOrg,
) -> ApiResult<Json<InvitationJson>> {
    let g = state.app.managed_org(&org.actor, &org.key).await?;
    let inv = state
        .app
        .revoke_invitation(&g, invitation_id(org.param("iid"))?)
        .await?;
    Ok(Json(InvitationJson::from(&inv)))
}

/// The invitee's new account.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = AcceptInvitation)]
pub struct AcceptBody {
    /// Display name.
    name: String,
    /// Password: at least 12 characters, not a common password, not trivially
    /// guessable, not made of the invitee's e-mail address or name
    /// (`hyte_domain::password`; refusal codes `password-*`).
    #[schema(min_length = 12)]
    password: String,
}

/// The account an invitation created.
#[derive(Serialize, ToSchema)]
pub struct NewAccount {
    /// The member.
    #[serde(flatten)]
    pub member: Member,
    /// The organisation.
    pub org: Option<String>,
}

/// Use an invitation: create the invitee's account
///
/// No authentication: the token is the credential. 404 unknown, 410 used, revoked or
/// expired.
#[utoipa::path(
    post,
    path = "/invitations/{token}/accept",
    tag = "process",
    params(("token" = String, Path, description = "The invitation token")),
    request_body = AcceptBody,
    responses(
        (status = 201, description = "Created", body = NewAccount),
        BadRequest, NotFound, Gone, Unprocessable,
    )
)]
pub async fn accept_invitation(
    State(state): State<AppState>,
    Path(token): Path<String>,
    ApiJson(b): ApiJson<AcceptBody>,
) -> Result<Created<NewAccount>, ApiError> {
    state.app.usable_invitation(&token).await.map_err(gone)?;
    let joining = Joining {
        name: b.name,
        repeat: b.password.clone(),
        password: b.password,
    };
    let u = state.app.accept_invitation(&token, &joining).await?;
    Ok(created(NewAccount {
        member: Member::from(&u),
        org: u.org.map(|k| k.to_string()),
    }))
}

/// Filters and page of the audit log: the documentation of `AuditQuery`, which the
/// pages share and which parses them as text.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct AuditParams {
    /// Action name, e.g. login, permission_changed
    action: Option<String>,
    /// User e-mail
    user: Option<String>,
    /// From day YYYY-MM-DD
    #[param(format = Date)]
    from: Option<String>,
    /// To day YYYY-MM-DD
    #[param(format = Date)]
    to: Option<String>,
    /// Page from 1
    page: Option<i64>,
}

/// One page of an organisation's audit log.
#[derive(Serialize, ToSchema)]
pub struct AuditPage {
    /// The page number, from 1.
    pub page: i64,
    /// Entries per page.
    #[schema(example = 50)]
    pub page_size: i64,
    /// Whether older entries follow.
    pub more: bool,
    /// Entries on this page.
    pub count: usize,
    /// The entries, newest first.
    pub items: Vec<AuditEntry>,
}

/// The organisation's append-only audit log (and data imports), newest first, 50 per page; its coordinators and admins only
#[utoipa::path(
    get,
    path = "/organisations/{org}/audit",
    tag = "process",
    params(OrgPath, AuditParams),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "OK", body = AuditPage), BadRequest, Refusals)
)]
pub async fn audit(
    State(state): State<AppState>,
    org: ApiOrg,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Json<AuditPage>> {
    let g = state.app.managed_org(&org.actor, &org.key).await?;
    let (f, page) = audit_filter(&q)?;
    let log = state.app.audit_log(&g, &f, page).await?;
    Ok(Json(AuditPage {
        page: log.page,
        page_size: AUDIT_PAGE_SIZE,
        more: log.more,
        count: log.entries.len(),
        items: log.entries,
    }))
}

/// A welfare region's overview of its member municipalities.
#[derive(Serialize, ToSchema)]
pub struct RegionOverview {
    /// The welfare region.
    pub region: String,
    /// How many member municipalities.
    pub count: usize,
    /// The member municipalities with their reports.
    pub members: Vec<RegionMember>,
    /// Plan tags and follow-up indicators that at least two member municipalities
    /// share, the most shared first.
    pub shared: Vec<SharedTheme>,
}

/// A welfare region's member municipalities with their reports' progress
///
/// Their reports' current phase, task progress, approval state, top concerns and joys,
/// plan goals, and the plan themes and follow-up indicators they share.
#[utoipa::path(
    get,
    path = "/organisations/{org}/region-overview",
    tag = "process",
    params(OrgPath),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "OK", body = RegionOverview), BadRequest, Refusals)
)]
pub async fn region(State(state): State<AppState>, org: ApiOrg) -> ApiResult<Json<RegionOverview>> {
    let o = state.app.region_overview(&org.actor, &org.key).await?;
    let tr = Tr::new(org.viewer.lang);
    let members = region_members(&o, &tr);
    let shared = region_shared(&o, &members, &tr);
    Ok(Json(RegionOverview {
        region: o.region.key.to_string(),
        count: members.len(),
        members,
        shared,
    }))
}
