//! A report's task list: THL's template seeded once, the phases' progress, and the
//! changes (coordinators change everything; a task's owner may set its status).

use crate::access::{Access, ReportCtx};
use crate::{App, AppError, AppResult, Changed, Refusal};
use hyte_domain::process::{
    auto_status, current_phase, effective_status, is_overdue, parse_due_date, phase_progress,
    ProcessFacts, TaskState, TaskStatus, PHASE_COUNT,
};
use hyte_store::approval::ApprovalFacts;
use hyte_store::process::{Task, TaskChange};
use hyte_store::reports::Report;
use hyte_store::users::User;

/// Longest task title.
pub const MAX_TITLE_CHARS: usize = 300;

/// One task with what the report's real state and today make of it.
#[derive(Debug, Clone)]
pub struct ProcessTask {
    /// The task as stored.
    pub task: Task,
    /// Status shown: the real state for automatic tasks, else as a person set it.
    pub status: TaskStatus,
    /// Whether the status follows the report's real state.
    pub automatic: bool,
    /// Open and past its due date.
    pub overdue: bool,
    /// The owner's name.
    pub owner_name: Option<String>,
    /// Whether the caller may set the status (a coordinator, or the task's owner).
    pub can_set_status: bool,
}

/// One phase with its tasks in order.
#[derive(Debug, Clone)]
pub struct ProcessPhase {
    /// 1..=8.
    pub number: i64,
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
    pub tasks: Vec<ProcessTask>,
}

/// A report's whole process.
#[derive(Debug, Clone)]
pub struct Process {
    /// The eight phases.
    pub phases: Vec<ProcessPhase>,
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

/// A requested change to a task, as typed.
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

impl TaskInput {
    /// Whether the input changes anything.
    pub fn is_empty(&self) -> bool {
        self.title.is_none()
            && self.owner_id.is_none()
            && self.due_date.is_none()
            && self.status.is_none()
    }
}

fn require_coordinator(ctx: &ReportCtx) -> AppResult<()> {
    ctx.require(
        ctx.can_manage(),
        "proc-err-forbidden",
        "only the report's coordinators change the task list",
    )
}

fn check_title(title: &str) -> AppResult<String> {
    let t = title.trim();
    if t.is_empty() || t.chars().count() > MAX_TITLE_CHARS {
        return Err(AppError::invalid(
            "title",
            Refusal::new("proc-err-title", "a task title must be 1–300 characters"),
        ));
    }
    Ok(t.to_string())
}

fn check_phase(phase: i64) -> AppResult<i64> {
    if !(1..=PHASE_COUNT).contains(&phase) {
        return Err(AppError::invalid(
            "phase",
            Refusal::new(
                "proc-err-phase",
                format!("phase {phase} does not exist: phases are 1–8"),
            )
            .arg("phase", phase),
        ));
    }
    Ok(phase)
}

fn check_due(due: Option<&str>) -> AppResult<Option<String>> {
    match due.map(str::trim).filter(|s| !s.is_empty()) {
        Some(d) => parse_due_date(d).map(Some).map_err(|e| {
            AppError::invalid("due_date", Refusal::new("proc-err-due", e).arg("value", d))
        }),
        None => Ok(None),
    }
}

fn check_status(s: &str) -> AppResult<TaskStatus> {
    s.parse().map_err(|e: String| {
        AppError::invalid(
            "status",
            Refusal::new("proc-err-status", e).arg("status", s.trim()),
        )
    })
}

/// Whether `user` with `acc` may set a task's status: coordinators, and a member
/// who owns the task.
fn may_set_status(acc: Option<Access>, user: Option<&User>, t: &Task) -> bool {
    acc.is_some_and(|a| a.can_decide())
        || (acc.is_some_and(|a| matches!(a, Access::Member(_)))
            && user.is_some_and(|u| Some(u.id) == t.owner_id))
}

fn phases_of(tasks: Vec<ProcessTask>, today: &str) -> (Vec<ProcessPhase>, Option<i64>) {
    let states: Vec<TaskState<'_>> = tasks
        .iter()
        .map(|v| TaskState {
            phase: v.task.phase,
            status: v.status,
            due: v.task.due_date.as_deref(),
        })
        .collect();
    let progress = phase_progress(&states, today);
    let current = current_phase(&progress);
    let phases = progress
        .iter()
        .map(|p| ProcessPhase {
            number: p.phase,
            done: p.done,
            total: p.total,
            overdue: p.overdue,
            current: Some(p.phase) == current,
            complete: p.complete(),
            tasks: tasks
                .iter()
                .filter(|v| v.task.phase == p.phase)
                .cloned()
                .collect(),
        })
        .collect();
    (phases, current)
}

impl App {
    /// The users who can own a task of the report: those of its owner and partners.
    pub async fn task_owners(&self, ctx: &ReportCtx) -> AppResult<Vec<User>> {
        self.report_members(&ctx.report).await
    }

    async fn report_members(&self, report: &Report) -> AppResult<Vec<User>> {
        let mut users = self.store.users_of(&report.org).await?;
        for p in &report.partners {
            users.extend(self.store.users_of(p).await?);
        }
        Ok(users)
    }

    /// Seeds a report's task list from THL's template the first time it is needed.
    /// Not audited: nobody chose it, and every report gets the same list.
    async fn ensure_tasks(&self, report_id: i64, by: &str) -> AppResult<()> {
        let mut tx = self.store.begin().await?;
        if tx.ensure_tasks(report_id, by).await? {
            tx.commit().await?;
        }
        Ok(())
    }

    /// The process of a report as the caller sees it (everyone who reads the report
    /// reads its process); seeds the task list the first time.
    pub async fn process(&self, ctx: &ReportCtx) -> AppResult<Process> {
        self.process_of(&ctx.report, Some(ctx.access), Some(&ctx.actor.user))
            .await
    }

    /// The process of a report for a reader the caller has already been checked for
    /// (`acc`/`user` only decide who may set which status).
    pub(crate) async fn process_of(
        &self,
        report: &Report,
        acc: Option<Access>,
        user: Option<&User>,
    ) -> AppResult<Process> {
        let by = user.map(|u| u.email.as_str()).unwrap_or("hyte");
        self.ensure_tasks(report.id, by).await?;
        let tasks = self.store.tasks(report.id).await?;
        let facts = self.store.process_facts(report.id).await?;
        let approval = self.store.approval_facts(report.id).await?;
        let members = self.report_members(report).await?;
        let today = super::today();
        let rows: Vec<ProcessTask> = tasks
            .into_iter()
            .map(|t| {
                let status = effective_status(t.task_key.as_deref(), t.status, &facts);
                ProcessTask {
                    automatic: t
                        .task_key
                        .as_deref()
                        .and_then(|k| auto_status(k, &facts))
                        .is_some(),
                    overdue: is_overdue(status, t.due_date.as_deref(), &today),
                    owner_name: t
                        .owner_id
                        .and_then(|id| members.iter().find(|u| u.id == id))
                        .map(|u| u.name.clone()),
                    can_set_status: may_set_status(acc, user, &t),
                    status,
                    task: t,
                }
            })
            .collect();
        let (phases, current_phase) = phases_of(rows, &today);
        Ok(Process {
            done: phases.iter().map(|p| p.done).sum(),
            total: phases.iter().map(|p| p.total).sum(),
            phases,
            current_phase,
            facts,
            approval,
        })
    }

    /// A task of this report, or 404 (also for another report's task).
    pub async fn task(&self, ctx: &ReportCtx, tid: i64) -> AppResult<Task> {
        match self.store.task(tid).await? {
            Some(t) if t.report_id == ctx.report.id => Ok(t),
            _ => Err(AppError::NotFound(
                Refusal::new("proc-err-no-task", format!("no task {tid} in this report"))
                    .arg("id", tid),
            )),
        }
    }

    /// Adds a task at the end of a phase (coordinators), with an owner and a due
    /// date if given: all of it or nothing.
    pub async fn add_task(
        &self,
        ctx: &ReportCtx,
        phase: i64,
        title: &str,
        owner_id: Option<i64>,
        due_date: Option<&str>,
    ) -> AppResult<(Task, Changed)> {
        require_coordinator(ctx)?;
        let phase = check_phase(phase)?;
        let title = check_title(title)?;
        let owner = match owner_id {
            Some(id) => Some(self.task_owner(ctx, id).await?),
            None => None,
        };
        let due = check_due(due_date)?;
        self.ensure_tasks(ctx.report.id, ctx.actor.email()).await?;
        let mut tx = self.store.begin().await?;
        let mut t = tx
            .add_task(ctx.report.id, phase, &title, ctx.actor.email())
            .await?;
        tx.audit(&ctx.audit(
            "task_added",
            format!(
                "report {} task {} in phase {phase}: {title}",
                ctx.report.id, t.id
            ),
        ))
        .await?;
        if owner.is_some() || due.is_some() {
            let mut what = vec![];
            let mut change = TaskChange::default();
            if let Some(u) = &owner {
                what.push(format!("owner {}", u.email));
                change.owner_id = Some(Some(u.id));
            }
            if let Some(d) = &due {
                what.push(format!("due {d}"));
                change.due_date = Some(Some(d.clone()));
            }
            t = tx.update_task(t.id, &change, ctx.actor.email()).await?;
            tx.audit(&task_updated(ctx, &t, &what)).await?;
        }
        tx.commit().await?;
        Ok((t, Changed::Report(ctx.report.id)))
    }

    async fn task_owner(&self, ctx: &ReportCtx, id: i64) -> AppResult<User> {
        self.report_members(&ctx.report)
            .await?
            .into_iter()
            .find(|u| u.id == id)
            .ok_or_else(|| {
                AppError::invalid(
                    "owner_id",
                    Refusal::new(
                        "proc-err-owner",
                        format!("user {id} is not a member of the report's organisation"),
                    )
                    .arg("user", id),
                )
            })
    }

    /// Changes a task: coordinators change everything; the task's owner may set its
    /// status. Every change is audited.
    pub async fn update_task(
        &self,
        ctx: &ReportCtx,
        task: &Task,
        input: &TaskInput,
    ) -> AppResult<(Task, Changed)> {
        let status_only =
            input.title.is_none() && input.owner_id.is_none() && input.due_date.is_none();
        let is_owner =
            matches!(ctx.access, Access::Member(_)) && task.owner_id == Some(ctx.actor.user.id);
        if !(ctx.can_manage() || (is_owner && status_only)) {
            return Err(if is_owner {
                AppError::forbidden(
                    "proc-err-owner-status",
                    "as the task's owner you may change its status; the coordinator changes the rest",
                )
            } else {
                AppError::forbidden(
                    "proc-err-forbidden",
                    "only the report's coordinators change the task list",
                )
            });
        }
        let (change, what) = self.task_change(ctx, task, input).await?;
        let mut tx = self.store.begin().await?;
        let updated = tx.update_task(task.id, &change, ctx.actor.email()).await?;
        tx.audit(&task_updated(ctx, &updated, &what)).await?;
        tx.commit().await?;
        Ok((updated, Changed::Report(ctx.report.id)))
    }

    /// Checks a task change and describes it for the audit log.
    async fn task_change(
        &self,
        ctx: &ReportCtx,
        task: &Task,
        input: &TaskInput,
    ) -> AppResult<(TaskChange, Vec<String>)> {
        let mut change = TaskChange::default();
        let mut what: Vec<String> = vec![];
        if let Some(t) = &input.title {
            let t = t.trim().to_string();
            what.push(format!("title '{t}'"));
            change.title = Some(if t.is_empty() {
                // Back to the template's wording; a task added by hand has none.
                if task.task_key.is_none() {
                    return Err(AppError::invalid(
                        "title",
                        Refusal::new(
                            "proc-err-title-needed",
                            "a task added by hand needs a title",
                        ),
                    ));
                }
                None
            } else {
                Some(check_title(&t)?)
            });
        }
        if let Some(owner) = input.owner_id {
            match owner {
                Some(id) => what.push(format!("owner {}", self.task_owner(ctx, id).await?.email)),
                None => what.push("no owner".into()),
            }
            change.owner_id = Some(owner);
        }
        if let Some(due) = &input.due_date {
            let due = check_due(due.as_deref())?;
            what.push(format!("due {}", due.as_deref().unwrap_or("none")));
            change.due_date = Some(due);
        }
        if let Some(s) = &input.status {
            let s = check_status(s)?;
            what.push(format!("status {s}"));
            change.status = Some(s);
        }
        Ok((change, what))
    }

    /// Moves a task one place `up` or `down` within its phase (coordinators).
    pub async fn move_task(
        &self,
        ctx: &ReportCtx,
        task: &Task,
        direction: &str,
    ) -> AppResult<Changed> {
        require_coordinator(ctx)?;
        let up = parse_direction(direction)?;
        let mut tx = self.store.begin().await?;
        tx.move_task(task.id, if up { -1 } else { 1 }).await?;
        tx.audit(&ctx.audit(
            "task_moved",
            format!("report {} task {} {direction}", ctx.report.id, task.id),
        ))
        .await?;
        tx.commit().await?;
        Ok(Changed::Report(ctx.report.id))
    }

    /// Removes a task (coordinators).
    pub async fn remove_task(&self, ctx: &ReportCtx, task: &Task) -> AppResult<Changed> {
        require_coordinator(ctx)?;
        let mut tx = self.store.begin().await?;
        tx.remove_task(task.id).await?;
        tx.audit(&ctx.audit(
            "task_removed",
            format!(
                "report {} task {} ({})",
                ctx.report.id,
                task.id,
                task.title_in("fi")
            ),
        ))
        .await?;
        tx.commit().await?;
        Ok(Changed::Report(ctx.report.id))
    }
}

/// A move's direction as the API and the form spell it: `up` (true) or `down`.
fn parse_direction(direction: &str) -> AppResult<bool> {
    match direction {
        "up" => Ok(true),
        "down" => Ok(false),
        other => Err(AppError::invalid(
            "move",
            Refusal::new("proc-err-move", format!("move '{other}' is not up or down"))
                .arg("move", other),
        )),
    }
}

fn task_updated(ctx: &ReportCtx, t: &Task, what: &[String]) -> hyte_store::Audit {
    ctx.audit(
        "task_updated",
        format!(
            "report {} task {} ({}): {}",
            ctx.report.id,
            t.id,
            t.title_in("fi"),
            what.join(", ")
        ),
    )
}
