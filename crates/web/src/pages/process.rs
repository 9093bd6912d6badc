//! The report as a process, the working group and the organisation's records:
//! THL's eight phases as a task list with a timeline, invitations and member roles,
//! the filtered audit log, and the welfare region's view of its municipalities.
//!
//! The rules here (who may change which task, who manages the group, what an
//! invitation accepts) are shared with the JSON API in `api::process`.

use super::render;
use crate::auth::{
    access, check_new_password, hash_password, random_token, readable_org, Access, Viewer,
};
use crate::i18n::Tr;
use crate::pages::login_redirect;
use crate::pages::report_data::{load_report, ReportAccess, ReportHead};
use crate::pages::reports::{sector_label, short_time, FormData, DEFAULT_SECTORS};
use crate::view::Page;
use crate::{AppError, AppResult, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use hyte_domain::process::{
    auto_status, current_phase, effective_status, is_overdue, parse_due_date, phase_progress,
    ProcessFacts, TaskState, TaskStatus, PHASE_COUNT,
};
use hyte_domain::report::{ObservationKind, ReportKind};
use hyte_domain::{RegionCategory, Role};
use hyte_store::approval::ApprovalFacts;
use hyte_store::audit::AuditEntry;
use hyte_store::orgs::Region;
use hyte_store::process::{AuditFilter, Invitation, Task, TaskChange};
use hyte_store::reports::Report;
use hyte_store::users::User;
use serde::{Deserialize, Serialize};

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
        .route("/org/{org}/invitations", post(invite_form))
        .route("/org/{org}/invitations/{iid}/revoke", post(revoke_form))
        .route("/invite/{token}", get(invite_page).post(accept_form))
        .route("/org/{org}/audit", get(audit_page))
        .route("/org/{org}/region", get(region_page))
}

// ---------------------------------------------------------------------------
// Tasks: shared logic
// ---------------------------------------------------------------------------

/// Today as `YYYY-MM-DD` (UTC), for due dates.
pub fn today() -> String {
    hyte_store::now_rfc3339().chars().take(10).collect()
}

/// One task as shown to a reader.
#[derive(Debug, Clone, Serialize)]
pub struct TaskView {
    /// Id.
    pub id: i64,
    /// Phase 1..=8.
    pub phase: i64,
    /// Template key, if from the template.
    pub key: Option<String>,
    /// Title in the reader's language.
    pub title: String,
    /// Whether the title is the coordinator's own.
    pub renamed: bool,
    /// Whether the status follows the report's real state.
    pub automatic: bool,
    /// Status shown (the real state for automatic tasks).
    pub status: TaskStatus,
    /// Status as a person set it.
    pub stored_status: TaskStatus,
    /// Owner's user id.
    pub owner_id: Option<i64>,
    /// Owner's name.
    pub owner_name: Option<String>,
    /// Due date.
    pub due_date: Option<String>,
    /// Open and past its due date.
    pub overdue: bool,
    /// First in its phase (cannot move up).
    #[serde(skip)]
    pub first: bool,
    /// Last in its phase (cannot move down).
    #[serde(skip)]
    pub last: bool,
    /// Translated status.
    #[serde(skip)]
    pub status_text: String,
    /// Whether the caller may set the status (coordinator, or the task's owner).
    #[serde(skip)]
    pub can_set_status: bool,
}

/// One phase with its tasks.
#[derive(Debug, Clone, Serialize)]
pub struct PhaseView {
    /// 1..=8.
    pub number: i64,
    /// Name in the reader's language.
    pub name: String,
    /// Tasks done.
    pub done: usize,
    /// Tasks that count.
    pub total: usize,
    /// Open tasks past due.
    pub overdue: usize,
    /// Whether this is where the work stands.
    pub current: bool,
    /// Whether everything is done.
    pub complete: bool,
    /// Tasks in order.
    pub tasks: Vec<TaskView>,
}

/// The whole process of a report.
#[derive(Debug, Clone, Serialize)]
pub struct ProcessView {
    /// The eight phases.
    pub phases: Vec<PhaseView>,
    /// Where the work stands (`None` when everything is done).
    pub current_phase: Option<i64>,
    /// Tasks done in all phases.
    pub done: usize,
    /// Tasks that count in all phases.
    pub total: usize,
    /// The facts automatic tasks follow.
    pub facts: ProcessFacts,
    /// The approval state.
    pub approval: ApprovalFacts,
}

impl ProcessView {
    /// Open tasks past their due date, in phase order.
    pub fn overdue_tasks(&self) -> Vec<&TaskView> {
        self.phases
            .iter()
            .flat_map(|p| p.tasks.iter())
            .filter(|t| t.overdue)
            .collect()
    }
}

/// The translated name of a phase.
pub fn phase_name(tr: &Tr, phase: i64) -> String {
    tr.t(&format!("proc-phase-{phase}"))
}

fn status_text(tr: &Tr, s: TaskStatus) -> String {
    tr.t(&format!("proc-status-{}", s.as_str()))
}

/// Users who can own a task: those of the report's owner and partners.
pub async fn report_members(state: &AppState, report: &Report) -> AppResult<Vec<User>> {
    let mut users = state.store.users_of(&report.org).await?;
    for p in &report.partners {
        users.extend(state.store.users_of(p).await?);
    }
    Ok(users)
}

/// The process of a report as `user` sees it; seeds the task list from THL's
/// template the first time.
pub async fn process_view(
    state: &AppState,
    report: &Report,
    acc: Option<ReportAccess>,
    user: Option<&User>,
    tr: &Tr,
) -> AppResult<ProcessView> {
    let by = user.map(|u| u.email.as_str()).unwrap_or("hyte");
    state.store.ensure_tasks(report.id, by).await?;
    let tasks = state.store.tasks(report.id).await?;
    let facts = state.store.process_facts(report.id).await?;
    let approval = state.store.approval_facts(report.id).await?;
    let members = report_members(state, report).await?;
    let today = today();
    let lang = tr.code();
    let views: Vec<TaskView> = tasks
        .iter()
        .map(|t| {
            let status = effective_status(t.task_key.as_deref(), t.status, &facts);
            let automatic = t
                .task_key
                .as_deref()
                .and_then(|k| auto_status(k, &facts))
                .is_some();
            let can_set_status = acc.is_some_and(|a| a.can_decide())
                || (acc.is_some_and(|a| matches!(a, ReportAccess::Member(_)))
                    && user.is_some_and(|u| Some(u.id) == t.owner_id));
            TaskView {
                id: t.id,
                phase: t.phase,
                key: t.task_key.clone(),
                title: t.title_in(lang),
                renamed: t.title.is_some(),
                automatic,
                status,
                stored_status: t.status,
                owner_id: t.owner_id,
                owner_name: t
                    .owner_id
                    .and_then(|id| members.iter().find(|u| u.id == id))
                    .map(|u| u.name.clone()),
                due_date: t.due_date.clone(),
                overdue: is_overdue(status, t.due_date.as_deref(), &today),
                first: false,
                last: false,
                status_text: status_text(tr, status),
                can_set_status,
            }
        })
        .collect();
    let states: Vec<TaskState<'_>> = views
        .iter()
        .map(|v| TaskState {
            phase: v.phase,
            status: v.status,
            due: v.due_date.as_deref(),
        })
        .collect();
    let progress = phase_progress(&states, &today);
    let current = current_phase(&progress);
    let phases: Vec<PhaseView> = progress
        .iter()
        .map(|p| {
            let mut tasks: Vec<TaskView> = views
                .iter()
                .filter(|v| v.phase == p.phase)
                .cloned()
                .collect();
            let n = tasks.len();
            for (i, t) in tasks.iter_mut().enumerate() {
                t.first = i == 0;
                t.last = i + 1 == n;
            }
            PhaseView {
                number: p.phase,
                name: phase_name(tr, p.phase),
                done: p.done,
                total: p.total,
                overdue: p.overdue,
                current: Some(p.phase) == current,
                complete: p.complete(),
                tasks,
            }
        })
        .collect();
    Ok(ProcessView {
        done: progress.iter().map(|p| p.done).sum(),
        total: progress.iter().map(|p| p.total).sum(),
        phases,
        current_phase: current,
        facts,
        approval,
    })
}

/// A task of this report, or 404.
pub async fn task_of(state: &AppState, report: &Report, tid: &str) -> AppResult<Task> {
    let not_found = || AppError::not_found(format!("no task {tid} in this report"));
    let id: i64 = tid.trim().parse().map_err(|_| not_found())?;
    match state.store.task(id).await? {
        Some(t) if t.report_id == report.id => Ok(t),
        _ => Err(not_found()),
    }
}

/// A requested change to a task, as typed (checked by [`change_task`]).
#[derive(Debug, Clone, Default)]
pub struct TaskInput {
    /// New title; an empty string goes back to the template's title.
    pub title: Option<String>,
    /// New owner; `Some(None)` clears it.
    pub owner_id: Option<Option<i64>>,
    /// New due date `YYYY-MM-DD`; `Some(None)` clears it.
    pub due_date: Option<Option<String>>,
    /// New status.
    pub status: Option<String>,
}

/// Changes a task: coordinators change everything; the task's owner may set its
/// status. Every change is audited.
pub async fn change_task(
    state: &AppState,
    report: &Report,
    acc: ReportAccess,
    user: &User,
    task: &Task,
    input: TaskInput,
) -> AppResult<Task> {
    let status_only = input.title.is_none() && input.owner_id.is_none() && input.due_date.is_none();
    let is_owner = matches!(acc, ReportAccess::Member(_)) && task.owner_id == Some(user.id);
    if !(acc.can_decide() || (is_owner && status_only)) {
        return Err(AppError::forbidden(if is_owner {
            "as the task's owner you may change its status; the coordinator changes the rest"
        } else {
            "only the report's coordinators change the task list"
        }));
    }
    let mut change = TaskChange::default();
    let mut what: Vec<String> = vec![];
    if let Some(t) = input.title {
        let t = t.trim().to_string();
        what.push(format!("title '{t}'"));
        change.title = Some(Some(t).filter(|s| !s.is_empty()));
    }
    if let Some(owner) = input.owner_id {
        if let Some(id) = owner {
            let members = report_members(state, report).await?;
            let Some(u) = members.iter().find(|u| u.id == id) else {
                return Err(AppError::unprocessable(format!(
                    "user {id} is not a member of the report's organisation"
                )));
            };
            what.push(format!("owner {}", u.email));
        } else {
            what.push("no owner".into());
        }
        change.owner_id = Some(owner);
    }
    if let Some(due) = input.due_date {
        let due = match due.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(d) => Some(parse_due_date(d).map_err(AppError::unprocessable)?),
            None => None,
        };
        what.push(format!("due {}", due.as_deref().unwrap_or("none")));
        change.due_date = Some(due);
    }
    if let Some(s) = input.status {
        let s: TaskStatus = s.parse().map_err(AppError::unprocessable)?;
        what.push(format!("status {s}"));
        change.status = Some(s);
    }
    let updated = state
        .store
        .update_task(task.id, &change, &user.email)
        .await?;
    state
        .store
        .audit(
            Some(&user.email),
            Some(&report.org),
            "task_updated",
            &format!(
                "report {} task {} ({}): {}",
                report.id,
                task.id,
                updated.title_in("fi"),
                what.join(", ")
            ),
        )
        .await?;
    Ok(updated)
}

/// Adds a task to a phase (coordinators).
pub async fn add_task(
    state: &AppState,
    report: &Report,
    acc: ReportAccess,
    user: &User,
    phase: i64,
    title: &str,
) -> AppResult<Task> {
    if !acc.can_decide() {
        return Err(AppError::forbidden(
            "only the report's coordinators change the task list",
        ));
    }
    state.store.ensure_tasks(report.id, &user.email).await?;
    let t = state
        .store
        .add_task(report.id, phase, title, &user.email)
        .await?;
    state
        .store
        .audit(
            Some(&user.email),
            Some(&report.org),
            "task_added",
            &format!(
                "report {} task {} in phase {phase}: {}",
                report.id,
                t.id,
                title.trim()
            ),
        )
        .await?;
    Ok(t)
}

/// Moves a task up or down within its phase (coordinators).
pub async fn move_task(
    state: &AppState,
    report: &Report,
    acc: ReportAccess,
    user: &User,
    task: &Task,
    direction: &str,
) -> AppResult<()> {
    if !acc.can_decide() {
        return Err(AppError::forbidden(
            "only the report's coordinators change the task list",
        ));
    }
    let d = match direction {
        "up" => -1,
        "down" => 1,
        other => {
            return Err(AppError::unprocessable(format!(
                "move '{other}' is not up or down"
            )))
        }
    };
    state.store.move_task(task.id, d).await?;
    state
        .store
        .audit(
            Some(&user.email),
            Some(&report.org),
            "task_moved",
            &format!("report {} task {} {direction}", report.id, task.id),
        )
        .await?;
    Ok(())
}

/// Removes a task (coordinators).
pub async fn remove_task(
    state: &AppState,
    report: &Report,
    acc: ReportAccess,
    user: &User,
    task: &Task,
) -> AppResult<()> {
    if !acc.can_decide() {
        return Err(AppError::forbidden(
            "only the report's coordinators change the task list",
        ));
    }
    state.store.remove_task(task.id).await?;
    state
        .store
        .audit(
            Some(&user.email),
            Some(&report.org),
            "task_removed",
            &format!(
                "report {} task {} ({})",
                report.id,
                task.id,
                task.title_in("fi")
            ),
        )
        .await?;
    Ok(())
}

// ---------------------------------------------------------------------------
// Tasks: pages
// ---------------------------------------------------------------------------

/// An option of a select.
pub struct Choice {
    /// Value.
    pub value: String,
    /// Text.
    pub text: String,
}

#[derive(Template)]
#[template(path = "process_phases.html")]
struct PhasesTpl {
    page: Page,
    head: ReportHead,
    view: ProcessView,
    current_text: String,
    overdue: Vec<TaskView>,
    can_decide: bool,
    owners: Vec<Choice>,
    statuses: Vec<Choice>,
    phase_choices: Vec<Choice>,
    message: Option<String>,
}

/// Query of pages that report a finished change.
#[derive(Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

/// `GET /reports/{id}/process`: the eight phases, the timeline and the tasks.
pub async fn process_page(
    State(state): State<AppState>,
    viewer: Viewer,
    uri: Uri,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login_redirect(&format!("/reports/{id}/process")));
    }
    let (report, acc) = load_report(&state, &viewer, &id).await?;
    let user = viewer.user()?;
    let tr = Tr::new(viewer.lang);
    let view = process_view(&state, &report, Some(acc), Some(user), &tr).await?;
    let head = crate::pages::report_data::head(&state, &report, acc, &tr, "process").await?;
    let current_text = match view.current_phase {
        Some(p) => tr.ta(
            "proc-current",
            &[("number", p.to_string()), ("phase", phase_name(&tr, p))],
        ),
        None => tr.t("proc-all-done"),
    };
    let mut owners = vec![Choice {
        value: String::new(),
        text: tr.t("proc-no-owner"),
    }];
    for u in report_members(&state, &report).await? {
        owners.push(Choice {
            value: u.id.to_string(),
            text: u.name.clone(),
        });
    }
    let statuses = TaskStatus::ALL
        .iter()
        .map(|s| Choice {
            value: s.as_str().to_string(),
            text: status_text(&tr, *s),
        })
        .collect();
    let phase_choices = (1..=PHASE_COUNT)
        .map(|p| Choice {
            value: p.to_string(),
            text: format!("{p}. {}", phase_name(&tr, p)),
        })
        .collect();
    let message = q
        .done
        .as_deref()
        .filter(|d| ["added", "saved", "moved", "removed"].contains(d))
        .map(|d| tr.t(&format!("proc-done-{d}")));
    let overdue = view.overdue_tasks().into_iter().cloned().collect();
    let page = Page::new(
        &viewer,
        format!("{} – {}", tr.t("proc-title"), report.title),
        &uri.to_string(),
    );
    render(&PhasesTpl {
        page,
        head,
        view,
        current_text,
        overdue,
        can_decide: acc.can_decide(),
        owners,
        statuses,
        phase_choices,
        message,
    })
}

async fn form_report(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    f: &FormData,
) -> AppResult<(Report, ReportAccess, User)> {
    viewer.check_csrf(f.get("csrf"))?;
    let (report, acc) = load_report(state, viewer, id).await?;
    Ok((report, acc, viewer.user()?.clone()))
}

fn back(report: &Report, done: &str, anchor: &str) -> Response {
    Redirect::to(&format!(
        "/reports/{}/process?done={done}{anchor}",
        report.id
    ))
    .into_response()
}

/// `POST /reports/{id}/process/tasks`: adds a task to a phase.
pub async fn add_task_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login_redirect(&format!("/reports/{id}/process")));
    }
    let f = FormData(f);
    let (report, acc, user) = form_report(&state, &viewer, &id, &f).await?;
    let phase: i64 = f
        .get("phase")
        .trim()
        .parse()
        .map_err(|_| AppError::unprocessable("choose a phase from 1 to 8"))?;
    let t = add_task(&state, &report, acc, &user, phase, f.get("title")).await?;
    Ok(back(&report, "added", &format!("#task-{}", t.id)))
}

/// `POST /reports/{id}/process/tasks/{tid}`: owner, due date, status, title.
pub async fn update_task_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, tid)): Path<(String, String)>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login_redirect(&format!("/reports/{id}/process")));
    }
    let f = FormData(f);
    let (report, acc, user) = form_report(&state, &viewer, &id, &f).await?;
    let task = task_of(&state, &report, &tid).await?;
    let present = |name: &str| f.0.iter().any(|(k, _)| k == name);
    let owner_id = if present("owner") {
        Some(match f.opt("owner") {
            Some(v) => Some(
                v.parse::<i64>()
                    .map_err(|_| AppError::unprocessable(format!("'{v}' is not a user")))?,
            ),
            None => None,
        })
    } else {
        None
    };
    let input = TaskInput {
        title: present("title").then(|| f.get("title").to_string()),
        owner_id,
        due_date: present("due").then(|| f.opt("due").map(str::to_string)),
        status: f.opt("status").map(str::to_string),
    };
    change_task(&state, &report, acc, &user, &task, input).await?;
    Ok(back(&report, "saved", &format!("#task-{}", task.id)))
}

/// `POST /reports/{id}/process/tasks/{tid}/move`: up or down within the phase.
pub async fn move_task_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, tid)): Path<(String, String)>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login_redirect(&format!("/reports/{id}/process")));
    }
    let f = FormData(f);
    let (report, acc, user) = form_report(&state, &viewer, &id, &f).await?;
    let task = task_of(&state, &report, &tid).await?;
    move_task(&state, &report, acc, &user, &task, f.get("direction")).await?;
    Ok(back(&report, "moved", &format!("#task-{}", task.id)))
}

/// `POST /reports/{id}/process/tasks/{tid}/remove`.
pub async fn remove_task_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, tid)): Path<(String, String)>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login_redirect(&format!("/reports/{id}/process")));
    }
    let f = FormData(f);
    let (report, acc, user) = form_report(&state, &viewer, &id, &f).await?;
    let task = task_of(&state, &report, &tid).await?;
    remove_task(&state, &report, acc, &user, &task).await?;
    Ok(back(&report, "removed", &format!("#phase-{}", task.phase)))
}

// ---------------------------------------------------------------------------
// The working group: shared logic
// ---------------------------------------------------------------------------

/// Loads an organisation that the caller manages (its coordinators and admins):
/// 400/404 for a bad id, 401 signed out, 403 otherwise.
pub async fn managed_org(state: &AppState, viewer: &Viewer, org: &str) -> AppResult<Region> {
    let region = readable_org(state, viewer, org).await?;
    let user = viewer.user()?;
    if !matches!(access(user, &region), Access::Member(r) if r.at_least(Role::Coordinator)) {
        return Err(AppError::forbidden(format!(
            "only coordinators of {} and admins manage its working group and read its audit log",
            region.name(viewer.lang.code())
        )));
    }
    Ok(region)
}

fn check_email(email: &str) -> AppResult<String> {
    let e = email.trim().to_lowercase();
    let ok = e.len() <= 254
        && !e.chars().any(char::is_whitespace)
        && e.split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.starts_with('.'));
    if !ok {
        return Err(AppError::unprocessable(format!(
            "'{}' is not an e-mail address",
            email.trim()
        )));
    }
    Ok(e)
}

fn check_role(role: &str) -> AppResult<Role> {
    let r: Role = role.parse().map_err(AppError::unprocessable)?;
    if r == Role::Admin {
        return Err(AppError::unprocessable(
            "an organisation's member cannot be made a system admin; use `hyte user add --role admin`",
        ));
    }
    Ok(r)
}

fn check_sector(s: Option<&str>) -> AppResult<Option<String>> {
    let s = s.map(str::trim).filter(|s| !s.is_empty());
    if s.is_some_and(|s| s.chars().count() > 100) {
        return Err(AppError::unprocessable(
            "a sector name is at most 100 characters",
        ));
    }
    Ok(s.map(str::to_string))
}

/// The absolute link of an invitation token, from the request's host. Hyte sends no
/// mail yet: the coordinator passes the link on (see docs/API.md).
pub fn invitation_link(state: &AppState, headers: &HeaderMap, token: &str) -> String {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = if state.config.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}/invite/{token}")
}

/// Creates an invitation and returns it with its single-use token (shown once).
pub async fn invite(
    state: &AppState,
    org: &Region,
    by: &User,
    email: &str,
    role: &str,
    sector: Option<&str>,
) -> AppResult<(Invitation, String)> {
    let email = check_email(email)?;
    let role = check_role(role)?;
    let sector = check_sector(sector)?;
    let token = random_token();
    let inv = state
        .store
        .create_invitation(&org.key, &email, role, sector.as_deref(), &token, &by.email)
        .await?;
    state
        .store
        .audit(
            Some(&by.email),
            Some(&org.key),
            "invitation_created",
            &format!(
                "{email} invited as {role}{}",
                sector.map(|s| format!(", sector {s}")).unwrap_or_default()
            ),
        )
        .await?;
    Ok((inv, token))
}

/// Revokes a pending invitation of the organisation.
pub async fn revoke(state: &AppState, org: &Region, by: &User, iid: &str) -> AppResult<Invitation> {
    let not_found = || AppError::not_found(format!("no invitation {iid} in this organisation"));
    let id: i64 = iid.trim().parse().map_err(|_| not_found())?;
    let inv = state
        .store
        .revoke_invitation(&org.key, id)
        .await?
        .ok_or_else(not_found)?;
    state
        .store
        .audit(
            Some(&by.email),
            Some(&org.key),
            "invitation_revoked",
            &format!("invitation of {} ({})", inv.email, inv.state()),
        )
        .await?;
    Ok(inv)
}

/// Uses an invitation link: the invitee chooses a name and a password.
pub async fn accept(
    state: &AppState,
    token: &str,
    name: &str,
    password: &str,
    confirm: &str,
    tr: &Tr,
) -> AppResult<User> {
    if password != confirm {
        return Err(AppError::unprocessable(tr.t("password-mismatch")));
    }
    check_new_password(password).map_err(|k| AppError::unprocessable(tr.t(k)))?;
    let hash = hash_password(password)?;
    let user = state.store.accept_invitation(token, name, &hash).await?;
    state
        .store
        .audit(
            Some(&user.email),
            user.org.as_ref(),
            "invitation_accepted",
            &format!("{} joined as {}", user.email, user.role),
        )
        .await?;
    Ok(user)
}

/// Changes a member's role and sector; every change is a permission change in the
/// audit log. Nobody changes their own role (so an organisation cannot lose its last
/// coordinator by accident).
pub async fn change_member(
    state: &AppState,
    org: &Region,
    by: &User,
    uid: &str,
    role: Option<&str>,
    sector: Option<Option<&str>>,
) -> AppResult<User> {
    let not_found = || AppError::not_found(format!("no member {uid} in this organisation"));
    let id: i64 = uid.trim().parse().map_err(|_| not_found())?;
    let Some(member) = state
        .store
        .users_of(&org.key)
        .await?
        .into_iter()
        .find(|u| u.id == id)
    else {
        return Err(not_found());
    };
    let role = match role {
        Some(r) => check_role(r)?,
        None => member.role,
    };
    let sector = match sector {
        Some(s) => check_sector(s)?,
        None => member.sector.clone(),
    };
    if member.id == by.id && role != member.role {
        return Err(AppError::unprocessable(
            "you cannot change your own role; ask another coordinator or an admin",
        ));
    }
    let updated = state
        .store
        .set_member(&org.key, id, role, sector.as_deref())
        .await?;
    state
        .store
        .audit(
            Some(&by.email),
            Some(&org.key),
            "permission_changed",
            &format!(
                "{}: role {} → {}, sector {} → {}",
                member.email,
                member.role,
                updated.role,
                member.sector.as_deref().unwrap_or("–"),
                updated.sector.as_deref().unwrap_or("–")
            ),
        )
        .await?;
    Ok(updated)
}

// ---------------------------------------------------------------------------
// The working group: pages
// ---------------------------------------------------------------------------

struct MemberRow {
    user: User,
    role_text: String,
    sector_text: String,
    is_self: bool,
}

struct InvitationRow {
    inv: Invitation,
    role_text: String,
    state_text: String,
    pending: bool,
    expires: String,
}

#[derive(Template)]
#[template(path = "group_members.html")]
struct MembersTpl {
    page: Page,
    org: Region,
    members: Vec<MemberRow>,
    invitations: Vec<InvitationRow>,
    roles: Vec<Choice>,
    sectors: Vec<Choice>,
    new_link: Option<String>,
    new_email: String,
    error: Option<String>,
    message: Option<String>,
    draft_email: String,
    draft_role: String,
    draft_sector: String,
}

struct MembersExtra {
    new_link: Option<(String, String)>,
    error: Option<String>,
    message: Option<String>,
    draft: (String, String, String),
}

async fn render_members(
    state: &AppState,
    viewer: &Viewer,
    uri: &Uri,
    org: Region,
    extra: MembersExtra,
) -> AppResult<Response> {
    let tr = Tr::new(viewer.lang);
    let me = viewer.user()?.id;
    let members = state
        .store
        .users_of(&org.key)
        .await?
        .into_iter()
        .map(|u| MemberRow {
            role_text: tr.t(&format!("role-{}", u.role)),
            sector_text: u
                .sector
                .as_deref()
                .map(|s| sector_label(&tr, s))
                .unwrap_or_default(),
            is_self: u.id == me,
            user: u,
        })
        .collect();
    let invitations = state
        .store
        .invitations_of(&org.key)
        .await?
        .into_iter()
        .map(|inv| InvitationRow {
            role_text: tr.t(&format!("role-{}", inv.role)),
            state_text: tr.t(&format!("grp-inv-{}", inv.state())),
            pending: inv.state() == "pending",
            expires: short_time(&inv.expires_at),
            inv,
        })
        .collect();
    let roles = [
        Role::Reader,
        Role::Commenter,
        Role::Editor,
        Role::Coordinator,
    ]
    .iter()
    .map(|r| Choice {
        value: r.as_str().to_string(),
        text: tr.t(&format!("role-{r}")),
    })
    .collect();
    let sectors = DEFAULT_SECTORS
        .iter()
        .map(|s| Choice {
            value: s.to_string(),
            text: sector_label(&tr, s),
        })
        .collect();
    let page = Page::new(
        viewer,
        format!("{} – {}", tr.t("grp-title"), org.name(tr.code())),
        &uri.to_string(),
    );
    let (new_email, new_link) = match extra.new_link {
        Some((e, l)) => (e, Some(l)),
        None => (String::new(), None),
    };
    let failed = extra.error.is_some();
    let mut res = render(&MembersTpl {
        page,
        org,
        members,
        invitations,
        roles,
        sectors,
        new_link,
        new_email,
        error: extra.error,
        message: extra.message,
        draft_email: extra.draft.0,
        draft_role: extra.draft.1,
        draft_sector: extra.draft.2,
    })?;
    if failed {
        *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

/// `GET /org/{org}/members`: the working group, its roles and sectors, invitations.
pub async fn members_page(
    State(state): State<AppState>,
    viewer: Viewer,
    uri: Uri,
    Path(org): Path<String>,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login_redirect(&format!("/org/{org}/members")));
    }
    let region = managed_org(&state, &viewer, &org).await?;
    let tr = Tr::new(viewer.lang);
    let message = q
        .done
        .as_deref()
        .filter(|d| ["member", "revoked"].contains(d))
        .map(|d| tr.t(&format!("grp-done-{d}")));
    render_members(
        &state,
        &viewer,
        &uri,
        region,
        MembersExtra {
            new_link: None,
            error: None,
            message,
            draft: (String::new(), "editor".into(), String::new()),
        },
    )
    .await
}

/// `POST /org/{org}/invitations`: invites an e-mail address; the page shows the link.
pub async fn invite_form(
    State(state): State<AppState>,
    viewer: Viewer,
    uri: Uri,
    headers: HeaderMap,
    Path(org): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login_redirect(&format!("/org/{org}/members")));
    }
    let f = FormData(f);
    viewer.check_csrf(f.get("csrf"))?;
    let region = managed_org(&state, &viewer, &org).await?;
    let user = viewer.user()?.clone();
    let tr = Tr::new(viewer.lang);
    let page_uri: Uri = format!("/org/{org}/members")
        .parse()
        .unwrap_or_else(|_| uri.clone());
    match invite(
        &state,
        &region,
        &user,
        f.get("email"),
        f.get("role"),
        f.opt("sector"),
    )
    .await
    {
        Ok((inv, token)) => {
            let link = invitation_link(&state, &headers, &token);
            render_members(
                &state,
                &viewer,
                &page_uri,
                region,
                MembersExtra {
                    new_link: Some((inv.email, link)),
                    error: None,
                    message: None,
                    draft: (String::new(), "editor".into(), String::new()),
                },
            )
            .await
        }
        Err(e)
            if e.status == axum::http::StatusCode::UNPROCESSABLE_ENTITY
                || e.status == axum::http::StatusCode::CONFLICT =>
        {
            render_members(
                &state,
                &viewer,
                &page_uri,
                region,
                MembersExtra {
                    new_link: None,
                    error: Some(format!("{} {}", tr.t("grp-invite-refused"), e.message)),
                    message: None,
                    draft: (
                        f.get("email").to_string(),
                        f.get("role").to_string(),
                        f.get("sector").to_string(),
                    ),
                },
            )
            .await
        }
        Err(e) => Err(e),
    }
}

/// `POST /org/{org}/invitations/{iid}/revoke`.
pub async fn revoke_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((org, iid)): Path<(String, String)>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login_redirect(&format!("/org/{org}/members")));
    }
    let f = FormData(f);
    viewer.check_csrf(f.get("csrf"))?;
    let region = managed_org(&state, &viewer, &org).await?;
    revoke(&state, &region, viewer.user()?, &iid).await?;
    Ok(Redirect::to(&format!(
        "/org/{}/members?done=revoked#invitations",
        region.key
    ))
    .into_response())
}

/// `POST /org/{org}/members/{uid}`: changes a member's role and sector.
pub async fn member_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((org, uid)): Path<(String, String)>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login_redirect(&format!("/org/{org}/members")));
    }
    let f = FormData(f);
    viewer.check_csrf(f.get("csrf"))?;
    let region = managed_org(&state, &viewer, &org).await?;
    let u = change_member(
        &state,
        &region,
        viewer.user()?,
        &uid,
        f.opt("role"),
        Some(f.opt("sector")),
    )
    .await?;
    Ok(Redirect::to(&format!(
        "/org/{}/members?done=member#member-{}",
        region.key, u.id
    ))
    .into_response())
}

#[derive(Template)]
#[template(path = "group_invite.html")]
struct InviteTpl {
    page: Page,
    org_name: String,
    email: String,
    role_text: String,
    token: String,
    error: Option<String>,
    draft_name: String,
    joined: bool,
}

async fn usable_invitation(state: &AppState, token: &str) -> AppResult<Invitation> {
    let inv = state
        .store
        .invitation_by_token(token)
        .await?
        .ok_or_else(|| {
            AppError::not_found(
                "this invitation link is not valid; ask your coordinator for a new one",
            )
        })?;
    let gone = |m: &str| AppError {
        status: axum::http::StatusCode::GONE,
        message: m.to_string(),
        json: false,
    };
    match inv.state() {
        "accepted" => Err(gone(
            "this invitation link has already been used; sign in, or ask your coordinator for a new one",
        )),
        "revoked" => Err(gone(
            "this invitation was revoked; ask your coordinator for a new one",
        )),
        "expired" => Err(gone(
            "this invitation link has expired; ask your coordinator for a new one",
        )),
        _ => Ok(inv),
    }
}

async fn invite_tpl(
    state: &AppState,
    viewer: &Viewer,
    inv: &Invitation,
    token: &str,
) -> AppResult<InviteTpl> {
    let tr = Tr::new(viewer.lang);
    let org_name = state
        .store
        .region(&inv.org)
        .await?
        .map(|r| r.name(tr.code()).to_string())
        .unwrap_or_else(|| inv.org.to_string());
    // The language links stay on this page (same origin, the address bar already
    // holds the link), so the invitee can switch language before joining.
    let page = Page::new(viewer, tr.t("grp-join-title"), &format!("/invite/{token}"));
    Ok(InviteTpl {
        page,
        org_name,
        email: inv.email.clone(),
        role_text: tr.t(&format!("role-{}", inv.role)),
        token: token.to_string(),
        error: None,
        draft_name: String::new(),
        joined: false,
    })
}

/// `GET /invite/{token}`: the invitee chooses a name and a password. Used, revoked or
/// expired links answer 410 with a clear sentence; unknown ones 404.
pub async fn invite_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let inv = usable_invitation(&state, &token).await?;
    let tpl = invite_tpl(&state, &viewer, &inv, &token).await?;
    render(&tpl)
}

/// `POST /invite/{token}`: creates the account. The form needs no CSRF token: only
/// someone holding the secret link can post it.
pub async fn accept_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let f = FormData(f);
    let inv = usable_invitation(&state, &token).await?;
    let tr = Tr::new(viewer.lang);
    let mut tpl = invite_tpl(&state, &viewer, &inv, &token).await?;
    match accept(
        &state,
        &token,
        f.get("name"),
        f.get("password"),
        f.get("password2"),
        &tr,
    )
    .await
    {
        Ok(_) => {
            tpl.joined = true;
            render(&tpl)
        }
        Err(e) if e.status == axum::http::StatusCode::UNPROCESSABLE_ENTITY => {
            tpl.error = Some(e.message);
            tpl.draft_name = f.get("name").to_string();
            let mut res = render(&tpl)?;
            *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------------------
// The audit log
// ---------------------------------------------------------------------------

/// Filters and page of the audit log (pages and API).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AuditQuery {
    /// Action name.
    pub action: Option<String>,
    /// User e-mail.
    pub user: Option<String>,
    /// From day `YYYY-MM-DD`.
    pub from: Option<String>,
    /// To day `YYYY-MM-DD`.
    pub to: Option<String>,
    /// Page from 1.
    pub page: Option<String>,
}

/// Rows per page of the audit log.
pub const AUDIT_PAGE_SIZE: i64 = 50;

/// Checks the filters: malformed dates or page are 400.
pub fn audit_filter(q: &AuditQuery) -> AppResult<(AuditFilter, i64)> {
    let day = |s: &Option<String>, what: &str| -> AppResult<Option<String>> {
        match s.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(d) => parse_due_date(d)
                .map(Some)
                .map_err(|e| AppError::bad_request(format!("{what}: {e}"))),
            None => Ok(None),
        }
    };
    let page =
        match q.page.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(p) => p.parse::<i64>().ok().filter(|p| *p >= 1).ok_or_else(|| {
                AppError::bad_request(format!("page '{p}' is not a number from 1"))
            })?,
            None => 1,
        };
    let clean = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    Ok((
        AuditFilter {
            action: clean(&q.action),
            user: clean(&q.user),
            from: day(&q.from, "from")?,
            to: day(&q.to, "to")?,
        },
        page,
    ))
}

struct AuditRow {
    e: AuditEntry,
    at: String,
    action_text: String,
}

#[derive(Template)]
#[template(path = "group_audit.html")]
struct AuditTpl {
    page: Page,
    org: Region,
    rows: Vec<AuditRow>,
    actions: Vec<Choice>,
    f: AuditFilter,
    page_no: i64,
    prev: Option<String>,
    next: Option<String>,
}

fn action_text(tr: &Tr, action: &str) -> String {
    let key = format!("audit-action-{action}");
    match tr.t(&key) {
        t if t == key => action.to_string(),
        t => t,
    }
}

fn audit_href(org: &Region, f: &AuditFilter, page: i64) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    let mut q = vec![];
    for (k, v) in [
        ("action", &f.action),
        ("user", &f.user),
        ("from", &f.from),
        ("to", &f.to),
    ] {
        if let Some(v) = v {
            q.push(format!("{k}={}", enc(v)));
        }
    }
    q.push(format!("page={page}"));
    format!("/org/{}/audit?{}", org.key, q.join("&"))
}

/// `GET /org/{org}/audit`: the organisation's append-only audit log with filters
/// and paging, for its coordinators and admins. There are no routes that change it.
pub async fn audit_page(
    State(state): State<AppState>,
    viewer: Viewer,
    uri: Uri,
    Path(org): Path<String>,
    Query(q): Query<AuditQuery>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login_redirect(&format!("/org/{org}/audit")));
    }
    let region = managed_org(&state, &viewer, &org).await?;
    let (f, page_no) = audit_filter(&q)?;
    let (entries, more) = state
        .store
        .audit_page(
            &region.key,
            &f,
            (page_no - 1) * AUDIT_PAGE_SIZE,
            AUDIT_PAGE_SIZE,
        )
        .await?;
    let tr = Tr::new(viewer.lang);
    let mut actions = vec![Choice {
        value: String::new(),
        text: tr.t("audit-all-actions"),
    }];
    for a in state.store.audit_actions(&region.key).await? {
        actions.push(Choice {
            text: action_text(&tr, &a),
            value: a,
        });
    }
    let rows = entries
        .into_iter()
        .map(|e| AuditRow {
            at: short_time(&e.at),
            action_text: action_text(&tr, &e.action),
            e,
        })
        .collect();
    let prev = (page_no > 1).then(|| audit_href(&region, &f, page_no - 1));
    let next = more.then(|| audit_href(&region, &f, page_no + 1));
    let page = Page::new(
        &viewer,
        format!("{} – {}", tr.t("org-audit"), region.name(tr.code())),
        &uri.to_string(),
    );
    render(&AuditTpl {
        page,
        org: region,
        rows,
        actions,
        f,
        page_no,
        prev,
        next,
    })
}

// ---------------------------------------------------------------------------
// The welfare region's view of its municipalities
// ---------------------------------------------------------------------------

/// One member municipality's report in the region overview.
#[derive(Debug, Clone, Serialize)]
pub struct RegionReport {
    /// Report id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Kind.
    pub kind: String,
    /// Term.
    pub term: String,
    /// Current phase (`None` when all is done).
    pub current_phase: Option<i64>,
    /// Its name.
    pub current_phase_name: String,
    /// Tasks done.
    pub done: usize,
    /// Tasks that count.
    pub total: usize,
    /// Overdue tasks.
    pub overdue: usize,
    /// `in_preparation`, `council_approved` or `published`.
    pub approval: &'static str,
    /// Its text.
    #[serde(skip)]
    pub approval_text: String,
    /// Up to three concerns.
    pub concerns: Vec<String>,
    /// Up to three joys.
    pub joys: Vec<String>,
    /// Titles of the plan's goals, in order.
    pub goals: Vec<String>,
    /// Plan tags of its goals (keys of `plan_tags.csv`), each once.
    pub goal_tags: Vec<String>,
    /// Sotkanet indicators its plan follows up, each once.
    pub followed_indicators: Vec<i64>,
}

/// A theme several member municipalities' plans share: a plan tag or a follow-up
/// indicator, with the municipalities (names) whose goals carry it.
#[derive(Debug, Clone, Serialize)]
pub struct SharedTheme {
    /// `tag` or `indicator`.
    pub kind: &'static str,
    /// The tag key or the indicator id.
    pub key: String,
    /// Its name in the reader's language.
    pub name: String,
    /// Municipalities, in the overview's order.
    pub municipalities: Vec<String>,
}

/// What the members' plans have in common: every plan tag and follow-up indicator
/// that at least two municipalities share, the most shared first. The basis of the
/// region's yearly negotiation with its municipalities.
pub fn shared_themes(
    members: &[RegionMember],
    tag_name: impl Fn(&str) -> String,
    indicator_name: impl Fn(i64) -> String,
) -> Vec<SharedTheme> {
    let mut tags: Vec<(String, Vec<String>)> = vec![];
    let mut indicators: Vec<(i64, Vec<String>)> = vec![];
    fn add<K: PartialEq + Clone>(list: &mut Vec<(K, Vec<String>)>, key: &K, who: &str) {
        match list.iter_mut().find(|(k, _)| k == key) {
            Some((_, w)) if w.iter().any(|x| x == who) => {}
            Some((_, w)) => w.push(who.to_string()),
            None => list.push((key.clone(), vec![who.to_string()])),
        }
    }
    for m in members {
        for r in &m.reports {
            for t in &r.goal_tags {
                add(&mut tags, t, &m.name);
            }
            for i in &r.followed_indicators {
                add(&mut indicators, i, &m.name);
            }
        }
    }
    let mut out: Vec<SharedTheme> = tags
        .into_iter()
        .filter(|(_, w)| w.len() >= 2)
        .map(|(k, w)| SharedTheme {
            kind: "tag",
            name: tag_name(&k),
            key: k,
            municipalities: w,
        })
        .chain(
            indicators
                .into_iter()
                .filter(|(_, w)| w.len() >= 2)
                .map(|(k, w)| SharedTheme {
                    kind: "indicator",
                    key: k.to_string(),
                    name: indicator_name(k),
                    municipalities: w,
                }),
        )
        .collect();
    // Stable: equally shared themes keep tags before indicators, in first-seen order.
    out.sort_by_key(|t| std::cmp::Reverse(t.municipalities.len()));
    out
}

/// One member municipality.
#[derive(Debug, Clone, Serialize)]
pub struct RegionMember {
    /// `KUNTA:016`.
    pub org: String,
    /// Name.
    pub name: String,
    /// Its reports.
    pub reports: Vec<RegionReport>,
}

/// The member municipalities of a welfare region with their reports' progress.
pub async fn region_overview(
    state: &AppState,
    region: &Region,
    tr: &Tr,
) -> AppResult<Vec<RegionMember>> {
    if region.key.category() != RegionCategory::Hyvinvointialue {
        return Err(AppError::not_found(format!(
            "{} is not a welfare region",
            region.key
        )));
    }
    let mut out = vec![];
    for m in state.store.members_of(&region.key).await? {
        let mut reports = vec![];
        for r in state.store.reports_of(&m.key).await? {
            if r.org != m.key {
                continue;
            }
            let view = process_view(state, &r, None, None, tr).await?;
            let approval = if view.approval.published {
                "published"
            } else if view.approval.council_approved {
                "council_approved"
            } else {
                "in_preparation"
            };
            let obs: Vec<_> = state
                .store
                .observations(r.id)
                .await?
                .into_iter()
                .filter(|o| o.status != "dismissed" && o.status != "proposed")
                .collect();
            let pick = |k: ObservationKind| {
                obs.iter()
                    .filter(|o| o.kind == k)
                    .take(3)
                    .map(|o| o.body.clone())
                    .collect::<Vec<_>>()
            };
            let plan = state.store.plan(r.id).await?;
            let mut goal_tags: Vec<String> = vec![];
            for t in plan.goals.iter().flat_map(|g| g.tags.iter()) {
                if !goal_tags.contains(t) {
                    goal_tags.push(t.clone());
                }
            }
            let mut followed_indicators: Vec<i64> = vec![];
            for f in &plan.followups {
                if !followed_indicators.contains(&f.indicator_id) {
                    followed_indicators.push(f.indicator_id);
                }
            }
            let (overdue, current) = (
                view.phases.iter().map(|p| p.overdue).sum(),
                view.current_phase,
            );
            reports.push(RegionReport {
                id: r.id,
                title: r.title.clone(),
                kind: r.kind.as_str().to_string(),
                term: format!("{}–{}", r.term_start, r.term_end),
                current_phase: current,
                current_phase_name: match current {
                    Some(p) => format!("{p}. {}", phase_name(tr, p)),
                    None => tr.t("proc-all-done"),
                },
                done: view.done,
                total: view.total,
                overdue,
                approval,
                approval_text: tr.t(&format!("region-approval-{approval}")),
                concerns: pick(ObservationKind::Concern),
                joys: pick(ObservationKind::Joy),
                goals: plan.goals.iter().map(|g| g.title.clone()).collect(),
                goal_tags,
                followed_indicators,
            });
        }
        out.push(RegionMember {
            org: m.key.to_string(),
            name: m.name(tr.code()).to_string(),
            reports,
        });
    }
    Ok(out)
}

/// [`shared_themes`] with names in the reader's language.
pub async fn region_shared(
    state: &AppState,
    members: &[RegionMember],
    tr: &Tr,
) -> AppResult<Vec<SharedTheme>> {
    let lang = tr.code();
    let titles: std::collections::HashMap<i64, String> = state
        .store
        .indicators()
        .await?
        .into_iter()
        .map(|i| (i.id.0, i.title.get(lang).to_string()))
        .collect();
    let tags = super::plan::plan_tags();
    Ok(shared_themes(
        members,
        |k| {
            tags.iter()
                .find(|t| t.key == k)
                .map(|t| t.name(lang).to_string())
                .unwrap_or_else(|| k.to_string())
        },
        |i| {
            titles
                .get(&i)
                .map(|t| format!("{t} ({i})"))
                .unwrap_or_else(|| i.to_string())
        },
    ))
}

#[derive(Template)]
#[template(path = "region_overview.html")]
struct RegionTpl {
    page: Page,
    org: Region,
    members: Vec<RegionMember>,
    /// Themes the members' plans share.
    shared: Vec<SharedTheme>,
    /// The region's own reports (id, title, term), which collect the members' joys
    /// and concerns.
    own: Vec<(i64, String, String)>,
}

/// `GET /org/{org}/region`: a welfare region sees its municipalities' reports side
/// by side. Readable by the region's own users and admins (`auth::access`).
pub async fn region_page(
    State(state): State<AppState>,
    viewer: Viewer,
    uri: Uri,
    Path(org): Path<String>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login_redirect(&format!("/org/{org}/region")));
    }
    let region = readable_org(&state, &viewer, &org).await?;
    let tr = Tr::new(viewer.lang);
    let members = region_overview(&state, &region, &tr).await?;
    let shared = region_shared(&state, &members, &tr).await?;
    let own = state
        .store
        .reports_of(&region.key)
        .await?
        .into_iter()
        .filter(|r| r.org == region.key && r.kind == ReportKind::RegionalReport)
        .map(|r| (r.id, r.title, format!("{}–{}", r.term_start, r.term_end)))
        .collect();
    let page = Page::new(
        &viewer,
        format!("{} – {}", tr.t("region-title"), region.name(tr.code())),
        &uri.to_string(),
    );
    render(&RegionTpl {
        page,
        org: region,
        members,
        shared,
        own,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(tags: &[&str], indicators: &[i64]) -> RegionReport {
        RegionReport {
            id: 1,
            title: String::new(),
            kind: "term_report".into(),
            term: String::new(),
            current_phase: None,
            current_phase_name: String::new(),
            done: 0,
            total: 0,
            overdue: 0,
            approval: "in_preparation",
            approval_text: String::new(),
            concerns: vec![],
            joys: vec![],
            goals: vec![],
            goal_tags: tags.iter().map(|t| t.to_string()).collect(),
            followed_indicators: indicators.to_vec(),
        }
    }

    fn member(name: &str, reports: Vec<RegionReport>) -> RegionMember {
        RegionMember {
            org: String::new(),
            name: name.into(),
            reports,
        }
    }

    #[test]
    fn shared_themes_need_two_municipalities_and_count_each_once() {
        let members = vec![
            // Two reports of one municipality sharing a tag count once.
            member(
                "Asikkala",
                vec![report(&["youth"], &[289]), report(&["youth"], &[])],
            ),
            member("Hartola", vec![report(&["older"], &[289, 181])]),
            member("Lahti", vec![report(&["youth", "older"], &[289])]),
            member("Sysmä", vec![report(&["safety"], &[181])]),
            member("Padasjoki", vec![]),
        ];
        let themes = shared_themes(&members, |k| format!("tag {k}"), |i| format!("ind {i}"));
        let got: Vec<(&str, &str, Vec<&str>)> = themes
            .iter()
            .map(|t| {
                (
                    t.kind,
                    t.name.as_str(),
                    t.municipalities.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("indicator", "ind 289", vec!["Asikkala", "Hartola", "Lahti"]),
                ("tag", "tag youth", vec!["Asikkala", "Lahti"]),
                ("tag", "tag older", vec!["Hartola", "Lahti"]),
                ("indicator", "ind 181", vec!["Hartola", "Sysmä"]),
            ]
        );
    }
}
