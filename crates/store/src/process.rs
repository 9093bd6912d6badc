//! The report as a process: the task list of THL's eight phases, the facts that
//! automatic tasks follow, invitations to the working group, membership changes and
//! the filtered audit log.

use crate::audit::AuditEntry;
use crate::users::token_hash;
use crate::{now_rfc3339, opt_str, Store, StoreError, StoreResult};
use hyte_domain::process::{thl_template, ProcessFacts, TaskStatus};
use hyte_domain::report::{ReportKind, SelectionState};
use hyte_domain::{RegionKey, Role};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

/// One task of a report's process.
#[derive(Debug, Clone, Serialize)]
pub struct Task {
    /// Id.
    pub id: i64,
    /// Report.
    pub report_id: i64,
    /// Phase 1..=8.
    pub phase: i64,
    /// Order within the phase.
    pub position: i64,
    /// Template key (`None` for a task the coordinator added).
    pub task_key: Option<String>,
    /// Own title (`None` while the template's title in the reader's language is used).
    pub title: Option<String>,
    /// Owner (a user of the organisation).
    pub owner_id: Option<i64>,
    /// Due date `YYYY-MM-DD`.
    pub due_date: Option<String>,
    /// Status as a person set it (automatic tasks show the real state instead).
    pub status: TaskStatus,
    /// Last changed by.
    pub updated_by: String,
    /// When.
    pub updated_at: String,
}

impl Task {
    /// The title to show: the own title, the template's in `lang`, or the key.
    pub fn title_in(&self, lang: &str) -> String {
        if let Some(t) = &self.title {
            return t.clone();
        }
        self.task_key
            .as_deref()
            .and_then(|k| thl_template().iter().find(|t| t.key == k))
            .map(|t| t.title(lang).to_string())
            .unwrap_or_else(|| self.task_key.clone().unwrap_or_default())
    }
}

/// A change to a task; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct TaskChange {
    /// New title (`Some(None)` goes back to the template's title).
    pub title: Option<Option<String>>,
    /// New owner (`Some(None)` clears it).
    pub owner_id: Option<Option<i64>>,
    /// New due date (`Some(None)` clears it).
    pub due_date: Option<Option<String>>,
    /// New status.
    pub status: Option<TaskStatus>,
}

/// An invitation to join an organisation.
#[derive(Debug, Clone, Serialize)]
pub struct Invitation {
    /// Id.
    pub id: i64,
    /// The organisation.
    pub org: RegionKey,
    /// Invited e-mail address.
    pub email: String,
    /// Role the invitee gets.
    pub role: Role,
    /// Sector the invitee gets.
    pub sector: Option<String>,
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

impl Invitation {
    /// `pending`, `accepted`, `revoked` or `expired`.
    pub fn state(&self) -> &'static str {
        if self.accepted_at.is_some() {
            "accepted"
        } else if self.revoked_at.is_some() {
            "revoked"
        } else if self.expires_at.as_str() <= now_rfc3339().as_str() {
            "expired"
        } else {
            "pending"
        }
    }
}

/// Filters of the audit log view.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Action name, exact.
    pub action: Option<String>,
    /// User e-mail, exact (case-insensitive).
    pub user: Option<String>,
    /// From this day `YYYY-MM-DD`, inclusive.
    pub from: Option<String>,
    /// To this day `YYYY-MM-DD`, inclusive.
    pub to: Option<String>,
}

/// Days an invitation link works.
pub const INVITATION_DAYS: i64 = 14;

const TASK_COLUMNS: &str =
    "id, report_id, phase, position, task_key, title, owner_id, due_date, status, updated_by, updated_at";

fn task_from_row(r: &AnyRow) -> StoreResult<Task> {
    let status: String = r.try_get("status")?;
    Ok(Task {
        id: r.try_get("id")?,
        report_id: r.try_get("report_id")?,
        phase: r.try_get("phase")?,
        position: r.try_get("position")?,
        task_key: opt_str(r, "task_key")?,
        title: opt_str(r, "title")?,
        owner_id: r.try_get("owner_id")?,
        due_date: opt_str(r, "due_date")?,
        status: status.parse().map_err(StoreError::Invalid)?,
        updated_by: r.try_get("updated_by")?,
        updated_at: r.try_get("updated_at")?,
    })
}

const INVITATION_COLUMNS: &str =
    "id, org_key, email, role, sector, invited_by, created_at, expires_at, accepted_at, revoked_at";

fn invitation_from_row(r: &AnyRow) -> StoreResult<Invitation> {
    let org: String = r.try_get("org_key")?;
    let role: String = r.try_get("role")?;
    Ok(Invitation {
        id: r.try_get("id")?,
        org: org
            .parse()
            .map_err(|e: hyte_domain::RegionKeyError| StoreError::Invalid(e.to_string()))?,
        email: r.try_get("email")?,
        role: role.parse().map_err(StoreError::Invalid)?,
        sector: opt_str(r, "sector")?,
        invited_by: r.try_get("invited_by")?,
        created_at: r.try_get("created_at")?,
        expires_at: r.try_get("expires_at")?,
        accepted_at: opt_str(r, "accepted_at")?,
        revoked_at: opt_str(r, "revoked_at")?,
    })
}

fn rfc3339_in(secs: i64) -> StoreResult<String> {
    (time::OffsetDateTime::now_utc() + time::Duration::seconds(secs))
        .replace_nanosecond(0)
        .map_err(|e| StoreError::Invalid(e.to_string()))?
        .format(&time::format_description::well_known::Rfc3339)
        .map_err(|e| StoreError::Invalid(e.to_string()))
}

const USED: &str =
    "this invitation link has already been used; sign in, or ask your coordinator for a new one";

impl Store {
    /// A report's tasks in phase order.
    pub async fn tasks(&self, report_id: i64) -> StoreResult<Vec<Task>> {
        let rows = sqlx::query(&format!(
            "SELECT {TASK_COLUMNS} FROM process_task WHERE report_id = $1 ORDER BY phase, position, id"
        ))
        .bind(report_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(task_from_row).collect()
    }

    /// One task.
    pub async fn task(&self, id: i64) -> StoreResult<Option<Task>> {
        let row = sqlx::query(&format!(
            "SELECT {TASK_COLUMNS} FROM process_task WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(task_from_row).transpose()
    }

    /// What Hyte knows about a report's real state, for the automatic tasks.
    pub async fn process_facts(&self, report_id: i64) -> StoreResult<ProcessFacts> {
        let Some(report) = self.report(report_id).await? else {
            return Err(StoreError::NotFound(format!("no report {report_id}")));
        };
        let selections = self.selections(report_id).await?;
        let observations: Vec<_> = self
            .observations(report_id)
            .await?
            .into_iter()
            .filter(|o| o.status != "dismissed" && o.status != "proposed")
            .collect();
        let approval = self.approval_facts(report_id).await?;
        let mut yearly_report_approved = false;
        if report.kind != ReportKind::YearlyReport {
            for r in self.reports_of(&report.org).await? {
                if r.kind == ReportKind::YearlyReport
                    && r.org == report.org
                    && r.term_start == report.term_start
                    && self.approval_facts(r.id).await?.council_approved
                {
                    yearly_report_approved = true;
                }
            }
        } else {
            yearly_report_approved = approval.council_approved;
        }
        Ok(ProcessFacts {
            outline_agreed: report.outline_agreed_at.is_some(),
            indicator_list_started: !selections.is_empty(),
            indicator_list_fixed: !selections.is_empty()
                && selections
                    .iter()
                    .all(|s| s.state != SelectionState::Pending),
            observations_recorded: !observations.is_empty(),
            observations_checked: !observations.is_empty()
                && observations.iter().all(|o| !o.indicators.is_empty()),
            council_approved: approval.council_approved,
            published: approval.published,
            yearly_report_approved,
        })
    }

    /// An organisation's invitations, newest first.
    pub async fn invitations_of(&self, org: &RegionKey) -> StoreResult<Vec<Invitation>> {
        let rows = sqlx::query(&format!(
            "SELECT {INVITATION_COLUMNS} FROM invitation WHERE org_key = $1 ORDER BY id DESC"
        ))
        .bind(org.to_string())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(invitation_from_row).collect()
    }

    /// The invitation a link's token belongs to, whatever its state.
    pub async fn invitation_by_token(&self, token: &str) -> StoreResult<Option<Invitation>> {
        let row = sqlx::query(&format!(
            "SELECT {INVITATION_COLUMNS} FROM invitation WHERE token_hash = $1"
        ))
        .bind(token_hash(token))
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(invitation_from_row).transpose()
    }

    /// One page of an organisation's audit log, newest first, with the data imports
    /// (which change every organisation's numbers). Returns the entries and whether
    /// there are more.
    pub async fn audit_page(
        &self,
        org: &RegionKey,
        f: &AuditFilter,
        offset: i64,
        limit: i64,
    ) -> StoreResult<(Vec<AuditEntry>, bool)> {
        let mut sql = String::from(
            "SELECT id, at, user_email, org_key, action, detail FROM audit_log
             WHERE (org_key = $1 OR (org_key IS NULL AND action = 'import'))",
        );
        let mut binds: Vec<String> = vec![org.to_string()];
        let mut push = |cond: &str, v: String, binds: &mut Vec<String>| {
            binds.push(v);
            sql.push_str(&cond.replace('?', &format!("${}", binds.len())));
        };
        if let Some(a) = f.action.as_deref().filter(|s| !s.is_empty()) {
            push(" AND action = ?", a.to_string(), &mut binds);
        }
        if let Some(u) = f.user.as_deref().filter(|s| !s.is_empty()) {
            push(" AND user_email = ?", u.trim().to_lowercase(), &mut binds);
        }
        if let Some(d) = f.from.as_deref().filter(|s| !s.is_empty()) {
            push(" AND SUBSTR(at, 1, 10) >= ?", d.to_string(), &mut binds);
        }
        if let Some(d) = f.to.as_deref().filter(|s| !s.is_empty()) {
            push(" AND SUBSTR(at, 1, 10) <= ?", d.to_string(), &mut binds);
        }
        sql.push_str(&format!(
            " ORDER BY id DESC LIMIT ${} OFFSET ${}",
            binds.len() + 1,
            binds.len() + 2
        ));
        let mut q = sqlx::query(&sql);
        for b in binds {
            q = q.bind(b);
        }
        let rows = q
            .bind(limit + 1)
            .bind(offset.max(0))
            .fetch_all(self.pool())
            .await?;
        let more = rows.len() as i64 > limit;
        let entries = rows
            .iter()
            .take(limit.max(0) as usize)
            .map(|r| {
                Ok(AuditEntry {
                    id: r.try_get("id")?,
                    at: r.try_get("at")?,
                    user_email: opt_str(r, "user_email")?,
                    org_key: opt_str(r, "org_key")?,
                    action: r.try_get("action")?,
                    detail: r.try_get("detail")?,
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        Ok((entries, more))
    }

    /// The action names that occur in an organisation's audit log (for the filter).
    pub async fn audit_actions(&self, org: &RegionKey) -> StoreResult<Vec<String>> {
        let rows = sqlx::query(
            "SELECT DISTINCT action FROM audit_log WHERE org_key = $1 OR (org_key IS NULL AND action = 'import') ORDER BY action",
        )
        .bind(org.to_string())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok(r.try_get::<String, _>("action")?))
            .collect()
    }
}

/// The writes of the process. The application layer checks the rules (who may, a
/// task's title, a phase, an invitation's state) before it calls them; each runs
/// inside the caller's transaction with the audit entry that records it.
impl crate::tx::Tx {
    async fn task_in(&mut self, id: i64) -> StoreResult<Task> {
        let row = sqlx::query(&format!(
            "SELECT {TASK_COLUMNS} FROM process_task WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.conn())
        .await?;
        match row {
            Some(r) => task_from_row(&r),
            None => Err(StoreError::NotFound(format!("no task {id}"))),
        }
    }

    /// Seeds a report's task list from THL's template the first time it is needed
    /// (reports made before the process existed get theirs on first view). Returns
    /// whether it seeded now; of two simultaneous first views only one seeds.
    pub async fn ensure_tasks(&mut self, report_id: i64, by: &str) -> StoreResult<bool> {
        let now = now_rfc3339();
        let claimed = sqlx::query(
            "INSERT INTO report_process (report_id, seeded_at) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(report_id)
        .bind(now.clone())
        .execute(self.conn())
        .await?
        .rows_affected();
        if claimed == 0 {
            return Ok(false);
        }
        for (i, t) in thl_template().iter().enumerate() {
            sqlx::query(
                "INSERT INTO process_task (report_id, phase, position, task_key, status, updated_by, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(report_id)
            .bind(t.phase)
            .bind((i as i64 + 1) * 10)
            .bind(t.key.clone())
            .bind(TaskStatus::Todo.as_str())
            .bind(by.to_string())
            .bind(now.clone())
            .execute(self.conn())
            .await?;
        }
        Ok(true)
    }

    /// Adds a task at the end of a phase (the title as given: the caller checks it).
    pub async fn add_task(
        &mut self,
        report_id: i64,
        phase: i64,
        title: &str,
        by: &str,
    ) -> StoreResult<Task> {
        let row = sqlx::query(&format!(
            "INSERT INTO process_task (report_id, phase, position, title, status, updated_by, updated_at)
             VALUES ($1, $2, (SELECT COALESCE(MAX(position), 0) + 10 FROM process_task WHERE report_id = $1), $3, $4, $5, $6)
             RETURNING {TASK_COLUMNS}"
        ))
        .bind(report_id)
        .bind(phase)
        .bind(title.to_string())
        .bind(TaskStatus::Todo.as_str())
        .bind(by.to_string())
        .bind(now_rfc3339())
        .fetch_one(self.conn())
        .await?;
        task_from_row(&row)
    }

    /// Changes a task's title, owner, due date or status.
    pub async fn update_task(&mut self, id: i64, c: &TaskChange, by: &str) -> StoreResult<Task> {
        let t = self.task_in(id).await?;
        let row = sqlx::query(&format!(
            "UPDATE process_task SET title = $1, owner_id = $2, due_date = $3, status = $4, updated_by = $5, updated_at = $6
             WHERE id = $7 RETURNING {TASK_COLUMNS}"
        ))
        .bind(c.title.clone().unwrap_or(t.title))
        .bind(c.owner_id.unwrap_or(t.owner_id))
        .bind(c.due_date.clone().unwrap_or(t.due_date))
        .bind(c.status.unwrap_or(t.status).as_str())
        .bind(by.to_string())
        .bind(now_rfc3339())
        .bind(id)
        .fetch_one(self.conn())
        .await?;
        task_from_row(&row)
    }

    /// Moves a task one place up (`-1`) or down (`1`) within its phase; at either end
    /// nothing moves.
    pub async fn move_task(&mut self, id: i64, direction: i64) -> StoreResult<()> {
        let t = self.task_in(id).await?;
        let rows = sqlx::query(&format!(
            "SELECT {TASK_COLUMNS} FROM process_task WHERE report_id = $1 AND phase = $2 ORDER BY position, id"
        ))
        .bind(t.report_id)
        .bind(t.phase)
        .fetch_all(self.conn())
        .await?;
        let list = rows
            .iter()
            .map(task_from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        let Some(i) = list.iter().position(|x| x.id == id) else {
            return Ok(());
        };
        let j = i as i64 + direction.signum();
        if j < 0 || j as usize >= list.len() {
            return Ok(());
        }
        // Renumber the whole phase in its new order, so equal positions cannot make
        // a swap a no-op.
        let mut order: Vec<i64> = list.iter().map(|x| x.id).collect();
        order.swap(i, j as usize);
        let base = list.iter().map(|x| x.position).min().unwrap_or(0);
        for (n, tid) in order.iter().enumerate() {
            sqlx::query("UPDATE process_task SET position = $1 WHERE id = $2")
                .bind(base + n as i64)
                .bind(*tid)
                .execute(self.conn())
                .await?;
        }
        Ok(())
    }

    /// Removes a task.
    pub async fn remove_task(&mut self, id: i64) -> StoreResult<()> {
        sqlx::query("DELETE FROM process_task WHERE id = $1")
            .bind(id)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// Records an invitation under the hash of `token`, valid for
    /// [`INVITATION_DAYS`]. The caller has checked the address (no account, no
    /// pending invitation to the same organisation).
    pub async fn create_invitation(
        &mut self,
        org: &RegionKey,
        email: &str,
        role: Role,
        sector: Option<&str>,
        token: &str,
        by: &str,
    ) -> StoreResult<Invitation> {
        let row = sqlx::query(&format!(
            "INSERT INTO invitation (org_key, email, role, sector, token_hash, invited_by, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {INVITATION_COLUMNS}"
        ))
        .bind(org.to_string())
        .bind(email.trim().to_lowercase())
        .bind(role.as_str())
        .bind(sector.map(str::to_string))
        .bind(token_hash(token))
        .bind(by.to_string())
        .bind(now_rfc3339())
        .bind(rfc3339_in(INVITATION_DAYS * 86_400)?)
        .fetch_one(self.conn())
        .await?;
        invitation_from_row(&row)
    }

    /// Revokes a pending invitation of an organisation; `None` when there is no such
    /// invitation in that organisation. A used or already revoked one comes back
    /// unchanged.
    pub async fn revoke_invitation(
        &mut self,
        org: &RegionKey,
        id: i64,
    ) -> StoreResult<Option<Invitation>> {
        sqlx::query(
            "UPDATE invitation SET revoked_at = $1 WHERE id = $2 AND org_key = $3 AND accepted_at IS NULL AND revoked_at IS NULL",
        )
        .bind(now_rfc3339())
        .bind(id)
        .bind(org.to_string())
        .execute(self.conn())
        .await?;
        let row = sqlx::query(&format!(
            "SELECT {INVITATION_COLUMNS} FROM invitation WHERE id = $1 AND org_key = $2"
        ))
        .bind(id)
        .bind(org.to_string())
        .fetch_optional(self.conn())
        .await?;
        row.as_ref().map(invitation_from_row).transpose()
    }

    /// Uses an invitation: creates the user with the invitation's organisation, role
    /// and sector, and marks the link used. Only one of two simultaneous uses of the
    /// same link succeeds (the other is a conflict). Returns the new user's id.
    pub async fn accept_invitation(
        &mut self,
        inv: &Invitation,
        name: &str,
        password_hash: &str,
    ) -> StoreResult<i64> {
        let now = now_rfc3339();
        let claimed = sqlx::query(
            "UPDATE invitation SET accepted_at = $1 WHERE id = $2 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $1",
        )
        .bind(now.clone())
        .bind(inv.id)
        .execute(self.conn())
        .await?
        .rows_affected();
        if claimed == 0 {
            return Err(StoreError::Conflict(USED.into()));
        }
        let id: i64 = sqlx::query(
            "INSERT INTO app_user (email, name, password_hash, org_key, role, sector, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(inv.email.clone())
        .bind(name.to_string())
        .bind(password_hash.to_string())
        .bind(inv.org.to_string())
        .bind(inv.role.as_str())
        .bind(inv.sector.clone())
        .bind(now)
        .fetch_one(self.conn())
        .await?
        .try_get("id")?;
        sqlx::query("UPDATE invitation SET accepted_user_id = $1 WHERE id = $2")
            .bind(id)
            .bind(inv.id)
            .execute(self.conn())
            .await?;
        Ok(id)
    }

    /// Changes a member's role and sector within their organisation.
    pub async fn set_member(
        &mut self,
        org: &RegionKey,
        user_id: i64,
        role: Role,
        sector: Option<&str>,
    ) -> StoreResult<()> {
        let r = sqlx::query(
            "UPDATE app_user SET role = $1, sector = $2 WHERE id = $3 AND org_key = $4",
        )
        .bind(role.as_str())
        .bind(sector.map(str::to_string))
        .bind(user_id)
        .bind(org.to_string())
        .execute(self.conn())
        .await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!(
                "no member {user_id} in {org}"
            )));
        }
        Ok(())
    }
}
