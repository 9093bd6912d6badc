//! The approval workflow's storage: the report's `approval_state`, the append-only
//! `approval_event` timeline and the atomic move (state change + event + frozen version
//! in one transaction). The rules of who may move what are in
//! `hyte_domain::approval`; this module only records a decided
//! [`Transition`].

use crate::versions::Freeze;
use crate::{now_rfc3339, opt_str, Store, StoreError, StoreResult};
use hyte_domain::approval::{ApprovalState, Decision, Transition};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

/// One recorded move.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ApprovalEvent {
    /// Sequence number.
    pub id: i64,
    /// When, RFC 3339.
    pub at: String,
    /// Who (e-mail).
    pub user_email: String,
    /// The move (`start_commenting`, `to_board`, `council_approve`, `publish`, `send_back`).
    #[serde(rename = "move")]
    #[schema(value_type = hyte_domain::approval::Move)]
    pub mv: String,
    /// State before.
    pub from: ApprovalState,
    /// State after.
    pub to: ApprovalState,
    /// Reason (required for a send back) or note.
    pub reason: Option<String>,
    /// The council's decision, for a council approval.
    pub decision: Option<Decision>,
    /// The version frozen by this move, if any.
    pub version_number: Option<i64>,
}

/// What other parts of Hyte need to know about a report's approval (the process
/// checklist marks "council approval recorded" from this).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ApprovalFacts {
    /// The current state.
    pub state: ApprovalState,
    /// Approved by the council (approved or published).
    pub council_approved: bool,
    /// Published.
    pub published: bool,
    /// The latest council decision, if any.
    pub decision: Option<Decision>,
    /// The number of the latest frozen version, if any.
    pub latest_version: Option<i64>,
}

pub(crate) fn event_from_row(r: &AnyRow) -> StoreResult<ApprovalEvent> {
    let parse = |s: String| {
        s.parse::<ApprovalState>()
            .map_err(|e| StoreError::Invalid(e.to_string()))
    };
    let date = opt_str(r, "decision_date")?;
    let section = opt_str(r, "minutes_section")?;
    Ok(ApprovalEvent {
        id: r.try_get("id")?,
        at: r.try_get("at")?,
        user_email: r.try_get("user_email")?,
        mv: r.try_get("move")?,
        from: parse(r.try_get("from_state")?)?,
        to: parse(r.try_get("to_state")?)?,
        reason: opt_str(r, "reason")?,
        decision: match (date, section) {
            (Some(date), Some(minutes_section)) => Some(Decision {
                date,
                minutes_section,
                link: opt_str(r, "decision_link")?,
            }),
            _ => None,
        },
        version_number: r.try_get::<Option<i64>, _>("version_number")?,
    })
}

const EVENT_COLUMNS: &str = "id, at, user_email, move, from_state, to_state, reason, decision_date, minutes_section, decision_link, version_number";

impl Store {
    /// The approval state of a report (404 when there is no such report).
    pub async fn approval_state(&self, report_id: i64) -> StoreResult<ApprovalState> {
        let row = sqlx::query("SELECT approval_state FROM report WHERE id = $1")
            .bind(report_id)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("no report {report_id}")))?;
        let s: String = row.try_get("approval_state")?;
        s.parse()
            .map_err(|e: hyte_domain::approval::ApprovalError| StoreError::Invalid(e.to_string()))
    }

    /// The facts of a report's approval: state, council approval, publication, the
    /// latest decision and version.
    pub async fn approval_facts(&self, report_id: i64) -> StoreResult<ApprovalFacts> {
        let state = self.approval_state(report_id).await?;
        let events = self.approval_events(report_id).await?;
        let last_approval = events
            .iter()
            .rev()
            .find(|e| e.to == ApprovalState::CouncilApproved && e.decision.is_some());
        Ok(ApprovalFacts {
            state,
            council_approved: state.council_approved(),
            published: state == ApprovalState::Published,
            decision: last_approval.and_then(|e| e.decision.clone()),
            latest_version: events.iter().rev().find_map(|e| e.version_number),
        })
    }

    /// The timeline of a report's moves, oldest first.
    pub async fn approval_events(&self, report_id: i64) -> StoreResult<Vec<ApprovalEvent>> {
        let rows = sqlx::query(&format!(
            "SELECT {EVENT_COLUMNS} FROM approval_event WHERE report_id = $1 ORDER BY id"
        ))
        .bind(report_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(event_from_row).collect()
    }

    /// Refuses a change of the report's text while its approval state locks it
    /// (board review and later): what the board and council decide on must not change
    /// under them. Sending the report back to draft unlocks it.
    pub async fn ensure_text_unlocked(&self, report_id: i64) -> StoreResult<()> {
        let state = self.approval_state(report_id).await?;
        if state.locks_text() {
            return Err(StoreError::Conflict(locked_message(state)));
        }
        Ok(())
    }

    /// [`Store::ensure_text_unlocked`] for the report of a section (404 when there is
    /// no such section).
    pub async fn ensure_section_unlocked(&self, section_id: i64) -> StoreResult<()> {
        let row = sqlx::query("SELECT report_id FROM section WHERE id = $1")
            .bind(section_id)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("no section {section_id}")))?;
        self.ensure_text_unlocked(row.try_get("report_id")?).await
    }
}

/// The operator-facing sentence for a locked text (the web layer shows a translated one).
pub fn locked_message(state: ApprovalState) -> String {
    format!(
        "the text is locked while the report is in approval ({state}): the board and the council decide on this text; send the report back to draft to change it"
    )
}

impl crate::tx::Tx {
    /// Records a decided move in one transaction: the state changes only if it is still
    /// `t.from` (of two concurrent moves one wins, the other gets a conflict), the event
    /// is appended, and a council approval stores its frozen version.
    pub async fn record_transition(
        &mut self,
        report_id: i64,
        t: &Transition,
        user_email: &str,
        freeze: Option<&Freeze>,
    ) -> StoreResult<ApprovalEvent> {
        let changed = sqlx::query(
            "UPDATE report SET approval_state = $1 WHERE id = $2 AND approval_state = $3",
        )
        .bind(t.to.as_str())
        .bind(report_id)
        .bind(t.from.as_str())
        .execute(self.conn())
        .await?
        .rows_affected();
        if changed == 0 {
            let now = self.approval_state(report_id).await?;
            return Err(StoreError::Conflict(format!(
                "the report's approval state is now {now}, not {}: reload the page",
                t.from
            )));
        }
        let version_number: Option<i64> = match freeze {
            Some(_) => {
                let row = sqlx::query(
                    "SELECT COALESCE(MAX(number), 0) AS n FROM report_version WHERE report_id = $1",
                )
                .bind(report_id)
                .fetch_one(self.conn())
                .await?;
                Some(row.try_get::<i64, _>("n")? + 1)
            }
            None => None,
        };
        let now = now_rfc3339();
        let decision = t.decision.as_ref();
        let event_id: i64 = sqlx::query(
            "INSERT INTO approval_event (report_id, at, user_email, move, from_state, to_state, reason, decision_date, minutes_section, decision_link, version_number)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(report_id)
        .bind(now.clone())
        .bind(user_email.to_string())
        .bind(t.mv.as_str())
        .bind(t.from.as_str())
        .bind(t.to.as_str())
        .bind(t.reason.clone())
        .bind(decision.map(|d| d.date.clone()))
        .bind(decision.map(|d| d.minutes_section.clone()))
        .bind(decision.and_then(|d| d.link.clone()))
        .bind(version_number)
        .fetch_one(self.conn())
        .await?
        .try_get("id")?;
        if let (Some(f), Some(number)) = (freeze, version_number) {
            let d = decision.ok_or_else(|| {
                StoreError::Invalid("a frozen version needs the council's decision".into())
            })?;
            crate::versions::insert_version(
                self.conn(),
                report_id,
                number,
                event_id,
                &now,
                user_email,
                d,
                f,
            )
            .await?;
        }
        Ok(ApprovalEvent {
            id: event_id,
            at: now,
            user_email: user_email.to_string(),
            mv: t.mv.as_str().to_string(),
            from: t.from,
            to: t.to,
            reason: t.reason.clone(),
            decision: t.decision.clone(),
            version_number,
        })
    }

    /// The approval state, read inside the transaction.
    pub async fn approval_state(&mut self, report_id: i64) -> StoreResult<ApprovalState> {
        let row = sqlx::query("SELECT approval_state FROM report WHERE id = $1")
            .bind(report_id)
            .fetch_optional(self.conn())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("no report {report_id}")))?;
        let s: String = row.try_get("approval_state")?;
        s.parse()
            .map_err(|e: hyte_domain::approval::ApprovalError| StoreError::Invalid(e.to_string()))
    }

    /// [`Store::ensure_text_unlocked`] inside the transaction.
    pub async fn ensure_text_unlocked(&mut self, report_id: i64) -> StoreResult<()> {
        let state = self.approval_state(report_id).await?;
        if state.locks_text() {
            return Err(StoreError::Conflict(locked_message(state)));
        }
        Ok(())
    }

    /// [`Store::ensure_section_unlocked`] inside the transaction.
    pub async fn ensure_section_unlocked(&mut self, section_id: i64) -> StoreResult<()> {
        let row = sqlx::query("SELECT report_id FROM section WHERE id = $1")
            .bind(section_id)
            .fetch_optional(self.conn())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("no section {section_id}")))?;
        self.ensure_text_unlocked(row.try_get("report_id")?).await
    }
}
