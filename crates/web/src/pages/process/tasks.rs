//! The phases page and its task forms; the process as the API and the pages show it
//! (translated titles, statuses and phase names).

use super::{Choice, DoneQuery};
use crate::auth::Viewer;
use crate::extract::SignedIn;
use crate::i18n::Tr;
use crate::pages::login_redirect;
use crate::pages::render;
use crate::pages::report_data::{head_of, report_ctx, ReportHead};
use crate::pages::reports::FormData;
use crate::view::Page;
use crate::{AppResult, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use hyte_app::model::approval::ApprovalFacts;
use hyte_app::model::process::Task;
use hyte_app::process::{Process, ProcessTask, TaskInput};
use hyte_app::{AppError as UseCaseError, Refusal, ReportCtx};
use hyte_domain::process::{ProcessFacts, TaskStatus, PHASE_COUNT};
use serde::Serialize;

/// One task as shown to a reader.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Task)]
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
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Phase)]
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

fn task_view(tr: &Tr, t: ProcessTask, first: bool, last: bool) -> TaskView {
    TaskView {
        id: t.task.id,
        phase: t.task.phase,
        title: t.task.title_in(tr.code()),
        renamed: t.task.title.is_some(),
        key: t.task.task_key,
        automatic: t.automatic,
        status: t.status,
        stored_status: t.task.status,
        owner_id: t.task.owner_id,
        owner_name: t.owner_name,
        due_date: t.task.due_date,
        overdue: t.overdue,
        first,
        last,
        status_text: status_text(tr, t.status),
        can_set_status: t.can_set_status,
    }
}

/// The application layer's process in the reader's language.
pub fn process_view(p: Process, tr: &Tr) -> ProcessView {
    let phases = p
        .phases
        .into_iter()
        .map(|ph| {
            let n = ph.tasks.len();
            PhaseView {
                number: ph.number,
                name: phase_name(tr, ph.number),
                done: ph.done,
                total: ph.total,
                overdue: ph.overdue,
                current: ph.current,
                complete: ph.complete,
                tasks: ph
                    .tasks
                    .into_iter()
                    .enumerate()
                    .map(|(i, t)| task_view(tr, t, i == 0, i + 1 == n))
                    .collect(),
            }
        })
        .collect();
    ProcessView {
        phases,
        current_phase: p.current_phase,
        done: p.done,
        total: p.total,
        facts: p.facts,
        approval: p.approval,
    }
}

/// A task of this report by the id in a path, or 404.
pub async fn task_of(state: &AppState, ctx: &ReportCtx, tid: &str) -> AppResult<Task> {
    let Some(id) = crate::pages::parse_id(tid) else {
        return Err(UseCaseError::NotFound(
            Refusal::new("proc-err-no-task", format!("no task {tid} in this report"))
                .arg("id", tid),
        )
        .into());
    };
    Ok(state.app.task(ctx, id).await?)
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

/// The choices of the phases page's selects: owners, statuses and phases.
async fn choices(
    state: &AppState,
    ctx: &ReportCtx,
    tr: &Tr,
) -> AppResult<(Vec<Choice>, Vec<Choice>, Vec<Choice>)> {
    let mut owners = vec![Choice {
        value: String::new(),
        text: tr.t("proc-no-owner"),
    }];
    for u in state.app.task_owners(ctx).await? {
        owners.push(Choice {
            value: u.id.to_string(),
            text: u.name.clone(),
        });
    }
    let statuses = TaskStatus::ALL
        .iter()
        .map(|s| Choice {
            value: s.as_str().to_string(),
            text: status_text(tr, *s),
        })
        .collect();
    let phases = (1..=PHASE_COUNT)
        .map(|p| Choice {
            value: p.to_string(),
            text: format!("{p}. {}", phase_name(tr, p)),
        })
        .collect();
    Ok((owners, statuses, phases))
}

/// `GET /reports/{id}/process`: the eight phases, the timeline and the tasks.
pub async fn process_page(
    State(state): State<AppState>,
    SignedIn { viewer, .. }: SignedIn,
    uri: Uri,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    let ctx = report_ctx(&state, &viewer, &id).await?;
    let tr = Tr::new(viewer.lang);
    let view = process_view(state.app.process(&ctx).await?, &tr);
    let head = head_of(&ctx, &tr, "process");
    let current_text = match view.current_phase {
        Some(p) => tr.ta(
            "proc-current",
            &[("number", p.to_string()), ("phase", phase_name(&tr, p))],
        ),
        None => tr.t("proc-all-done"),
    };
    let (owners, statuses, phase_choices) = choices(&state, &ctx, &tr).await?;
    let message = q
        .done
        .as_deref()
        .filter(|d| ["added", "saved", "moved", "removed"].contains(d))
        .map(|d| tr.t(&format!("proc-done-{d}")));
    let overdue = view.overdue_tasks().into_iter().cloned().collect();
    let page = Page::new(
        &viewer,
        format!("{} – {}", tr.t("proc-title"), ctx.report.title),
        &uri.to_string(),
    );
    render(&PhasesTpl {
        page,
        head,
        view,
        current_text,
        overdue,
        can_decide: ctx.can_manage(),
        owners,
        statuses,
        phase_choices,
        message,
    })
}

async fn form_ctx(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    f: &FormData,
) -> AppResult<ReportCtx> {
    viewer.check_csrf(f.get("csrf"))?;
    report_ctx(state, viewer, id).await
}

fn back(ctx: &ReportCtx, done: &str, anchor: &str) -> Response {
    Redirect::to(&format!(
        "/reports/{}/process?done={done}{anchor}",
        ctx.report.id
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
    let ctx = form_ctx(&state, &viewer, &id, &f).await?;
    let phase: i64 = f.get("phase").trim().parse().map_err(|_| {
        UseCaseError::invalid(
            "phase",
            Refusal::new("proc-err-phase-choose", "choose a phase from 1 to 8"),
        )
    })?;
    let (t, _) = state
        .app
        .add_task(&ctx, phase, f.get("title"), None, None)
        .await?;
    Ok(back(&ctx, "added", &format!("#task-{}", t.id)))
}

/// The task change a form asks for: only the fields it has.
fn form_input(f: &FormData) -> AppResult<TaskInput> {
    let present = |name: &str| f.0.iter().any(|(k, _)| k == name);
    let owner_id = if present("owner") {
        Some(match f.opt("owner") {
            Some(v) => Some(v.parse::<i64>().map_err(|_| {
                UseCaseError::invalid(
                    "owner",
                    Refusal::new(
                        "proc-err-owner",
                        format!("user {v} is not a member of the report's organisation"),
                    )
                    .arg("user", v),
                )
            })?),
            None => None,
        })
    } else {
        None
    };
    Ok(TaskInput {
        title: present("title").then(|| f.get("title").to_string()),
        owner_id,
        due_date: present("due").then(|| f.opt("due").map(str::to_string)),
        status: f.opt("status").map(str::to_string),
    })
}

/// `POST /reports/{id}/process/tasks/{tid}`: owner, due date, status, title.
pub async fn update_task_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(ids): Path<(String, String)>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    task_form(state, viewer, ids, f, TaskAction::Update).await
}

/// `POST /reports/{id}/process/tasks/{tid}/move`: up or down within the phase.
pub async fn move_task_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(ids): Path<(String, String)>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    task_form(state, viewer, ids, f, TaskAction::Move).await
}

/// `POST /reports/{id}/process/tasks/{tid}/remove`.
pub async fn remove_task_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(ids): Path<(String, String)>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    task_form(state, viewer, ids, f, TaskAction::Remove).await
}

/// What a form on one task asks for.
enum TaskAction {
    Update,
    Move,
    Remove,
}

/// The forms on one task share their steps: sign-in, CSRF, the report and the task;
/// only the change and where the reader lands differ.
async fn task_form(
    state: AppState,
    viewer: Viewer,
    (id, tid): (String, String),
    f: Vec<(String, String)>,
    action: TaskAction,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login_redirect(&format!("/reports/{id}/process")));
    }
    let f = FormData(f);
    let ctx = form_ctx(&state, &viewer, &id, &f).await?;
    let task = task_of(&state, &ctx, &tid).await?;
    let (done, anchor) = match action {
        TaskAction::Update => {
            let input = form_input(&f)?;
            state.app.update_task(&ctx, &task, &input).await?;
            ("saved", format!("#task-{}", task.id))
        }
        TaskAction::Move => {
            state.app.move_task(&ctx, &task, f.get("direction")).await?;
            ("moved", format!("#task-{}", task.id))
        }
        TaskAction::Remove => {
            state.app.remove_task(&ctx, &task).await?;
            ("removed", format!("#phase-{}", task.phase))
        }
    };
    Ok(back(&ctx, done, &anchor))
}
