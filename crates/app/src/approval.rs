//! The approval workflow's moves: who may move a report, the domain's decision
//! (`hyte_domain::approval::decide`), the version a council approval freezes, and the
//! recording of the move, its publication and its audit entry in one transaction.
//!
//! Freezing a version renders the document (blocks and analysis live in the web
//! crate), so [`App::transition`] takes the freezing as a function from its caller
//! and calls it only for a decided council approval: a refused move never renders
//! anything.

use crate::access::{Access, ReportCtx};
use crate::{App, AppError, AppResult, Changed, Refusal};
use hyte_domain::approval::{
    decide, may_move, ApprovalError, ApprovalState, Move, MoveInput, Transition,
};
use hyte_domain::Role;
use hyte_store::approval::{ApprovalEvent, ApprovalFacts};
use hyte_store::versions::{Freeze, FrozenContent, ValueChange, VersionDocument, VersionSummary};
use hyte_store::Tx;
use std::future::Future;

/// The role the caller moves with, if any (readers of a member municipality's
/// report in a welfare region have none).
pub fn acting_role(acc: Access) -> Option<Role> {
    acc.role()
}

/// The moves the caller may make from `state` (none for those who may not move).
pub fn allowed_moves(acc: Access, state: ApprovalState) -> Vec<Move> {
    match acting_role(acc) {
        Some(r) if may_move(r) => Move::from_state(state),
        _ => vec![],
    }
}

/// The catalogue key of a refused move (`appr-err-<key>`).
fn move_key(e: &ApprovalError) -> &'static str {
    match e {
        ApprovalError::NotAllowed => "appr-err-not-allowed",
        ApprovalError::NotFromState { .. } => "appr-err-not-from-state",
        ApprovalError::ReasonRequired => "appr-err-reason-required",
        ApprovalError::DateRequired => "appr-err-date-required",
        ApprovalError::BadDate(_) => "appr-err-bad-date",
        ApprovalError::SectionRequired => "appr-err-section-required",
        ApprovalError::BadLink => "appr-err-bad-link",
        ApprovalError::TooLong(..) => "appr-err-too-long",
        ApprovalError::UnknownState(_) => "appr-err-unknown-state",
        ApprovalError::UnknownMove(_) => "appr-err-unknown-move",
    }
}

/// A refused move as an error: 403 for who asks, 422 for what was asked. The
/// `state` and `move` parameters are the API spellings (`board_review`, `to_board`);
/// an adapter with a catalogue may show them in words (`appr-state-*`,
/// `appr-move-*`).
pub fn move_error(e: &ApprovalError) -> AppError {
    let mut r = Refusal::new(move_key(e), e.to_string());
    match e {
        ApprovalError::NotFromState { from, mv } => {
            r = r.arg("state", from.as_str()).arg("move", mv.as_str());
        }
        ApprovalError::BadDate(d) => r = r.arg("date", d),
        _ => {}
    }
    if e.is_permission() {
        AppError::Forbidden(r)
    } else {
        AppError::Refused(r)
    }
}

/// Parses a move's name as a form or the API sends it (422 for an unknown one).
pub fn parse_move(name: &str) -> AppResult<Move> {
    name.parse()
        .map_err(|e: ApprovalError| match move_error(&e) {
            AppError::Refused(r) => AppError::invalid("move", r),
            other => other,
        })
}

/// Decides a move for the caller: the role first (403), then the domain's rules
/// for the state and the input (422).
pub fn decide_move(
    acc: Access,
    from: ApprovalState,
    mv: Move,
    input: &MoveInput,
) -> AppResult<Transition> {
    let role = acting_role(acc).ok_or_else(|| move_error(&ApprovalError::NotAllowed))?;
    decide(role, from, mv, input).map_err(|e| move_error(&e))
}

/// The audit detail of a move (the text the log has always had).
fn move_detail(ctx: &ReportCtx, t: &Transition, event: &ApprovalEvent) -> String {
    let mut detail = format!(
        "report {} '{}': {} → {} ({})",
        ctx.report.id, ctx.report.title, t.from, t.to, t.mv
    );
    if let Some(r) = &t.reason {
        detail.push_str(&format!("; reason: {r}"));
    }
    if let Some(d) = &t.decision {
        detail.push_str(&format!(
            "; council decision {} {}{}",
            d.date,
            d.minutes_section,
            d.link.as_ref().map(|l| format!(" {l}")).unwrap_or_default()
        ));
    }
    if let Some(n) = event.version_number {
        detail.push_str(&format!("; version {n} frozen"));
    }
    detail
}

/// Records a decided move inside `tx`: the state and the event (and the frozen
/// version), the publication switch when the move enters or leaves `published` (the
/// public site serves what the publish move publishes), and the `approval` audit
/// entry.
pub(crate) async fn record_move(
    tx: &mut Tx,
    ctx: &ReportCtx,
    t: &Transition,
    frozen: Option<&Freeze>,
) -> AppResult<ApprovalEvent> {
    let email = ctx.actor.email();
    let event = tx
        .record_transition(ctx.report.id, t, email, frozen)
        .await?;
    let publishes = t.to == ApprovalState::Published;
    let withdraws = t.from == ApprovalState::Published && !publishes;
    if publishes || withdraws {
        tx.set_published(ctx.report.id, publishes, email).await?;
    }
    tx.audit(&ctx.audit("approval", move_detail(ctx, t, &event)))
        .await?;
    Ok(event)
}

impl App {
    /// Makes an approval move (coordinators and admins): the domain decides whether
    /// the move is possible from the current state and has the input it needs; a
    /// council approval freezes the document with `freeze` (called only then); the
    /// move, its version, the publication it makes and its `approval` audit entry
    /// are written in one transaction. Of two concurrent moves one wins, the other
    /// gets a conflict.
    pub async fn transition<F, Fut>(
        &self,
        ctx: &ReportCtx,
        mv: Move,
        input: &MoveInput,
        freeze: F,
    ) -> AppResult<(ApprovalEvent, Changed)>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = AppResult<Freeze>>,
    {
        let from = self.store.approval_state(ctx.report.id).await?;
        let t = decide_move(ctx.access, from, mv, input)?;
        // Rendered before the transaction opens: rendering is slow and reads through
        // the pool, and the write transaction should hold its locks only briefly.
        // `record_transition` still refuses the move if the state changed meanwhile.
        let frozen = if t.to == ApprovalState::CouncilApproved {
            let mut f = freeze().await?;
            f.content = Some(self.content_to_freeze(ctx.report.id).await?);
            Some(f)
        } else {
            None
        };
        let mut tx = self.store.begin().await?;
        let event = record_move(&mut tx, ctx, &t, frozen.as_ref()).await?;
        tx.commit().await?;
        Ok((event, Changed::Report(ctx.report.id)))
    }
}

impl App {
    /// What a council approval freezes besides the text and the numbers: every joy
    /// and concern, the summary and the infographic's choices as they are now. The
    /// public document is made from them (issue #14, item 2: nothing added after the
    /// council's decision reaches the public site without a new approval).
    async fn content_to_freeze(&self, report_id: i64) -> AppResult<FrozenContent> {
        let publication = self.store.publication(report_id).await?;
        Ok(FrozenContent {
            observations: self.store.observations(report_id).await?,
            summary: publication.summary,
            infographic: publication.infographic,
        })
    }
}

/// What the approval pages read about a report the caller may read.
impl App {
    /// The report's approval state.
    pub async fn approval_state(&self, ctx: &ReportCtx) -> AppResult<ApprovalState> {
        Ok(self.store.approval_state(ctx.report.id).await?)
    }

    /// The report's approval facts: state, council approval, publication, decision,
    /// latest version.
    pub async fn approval_facts(&self, ctx: &ReportCtx) -> AppResult<ApprovalFacts> {
        Ok(self.store.approval_facts(ctx.report.id).await?)
    }

    /// The report's approval timeline, oldest first.
    pub async fn approval_events(&self, ctx: &ReportCtx) -> AppResult<Vec<ApprovalEvent>> {
        Ok(self.store.approval_events(ctx.report.id).await?)
    }

    /// The report's frozen versions, oldest first.
    pub async fn versions(&self, ctx: &ReportCtx) -> AppResult<Vec<VersionSummary>> {
        Ok(self.store.versions(ctx.report.id).await?)
    }

    /// One frozen version of the report as a whole document, if it exists.
    pub async fn version_document(
        &self,
        ctx: &ReportCtx,
        number: i64,
    ) -> AppResult<Option<VersionDocument>> {
        Ok(self.store.version_document(ctx.report.id, number).await?)
    }

    /// The values a version shows that differ in the current data (`None` for an
    /// unknown version).
    pub async fn version_changes(
        &self,
        ctx: &ReportCtx,
        number: i64,
    ) -> AppResult<Option<Vec<ValueChange>>> {
        Ok(self.store.version_changes(ctx.report.id, number).await?)
    }
}
