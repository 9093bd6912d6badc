//! Goals, actions with their planned resources, and yearly progress.

use super::inputs::{action_input, goal_input, progress_input, refused};
use super::{can_update_progress, no_action, plan_audit, require_edit};
use super::{ActionDraft, GoalDraft, ProgressDraft};
use crate::access::ReportCtx;
use crate::{App, AppResult, Changed};
use hyte_domain::plan::BudgetYear;

impl App {
    /// Adds a goal at the end of the plan (coordinators). Returns its id.
    pub async fn create_goal(&self, ctx: &ReportCtx, d: &GoalDraft) -> AppResult<(i64, Changed)> {
        require_edit(ctx)?;
        let g = goal_input(d)?;
        let mut tx = self.store.begin().await?;
        let id = tx.add_goal(ctx.report.id, &g, ctx.actor.email()).await?;
        tx.audit(&plan_audit(
            ctx,
            "plan_goal_added",
            format!("goal {id}: {}", g.title),
        ))
        .await?;
        tx.commit().await?;
        Ok((id, Changed::Plan(ctx.report.id)))
    }

    /// Replaces a goal's fields and linked joys and concerns (coordinators).
    pub async fn update_goal(
        &self,
        ctx: &ReportCtx,
        gid: i64,
        d: &GoalDraft,
    ) -> AppResult<Changed> {
        require_edit(ctx)?;
        self.goal_of(ctx, gid).await?;
        let g = goal_input(d)?;
        let mut tx = self.store.begin().await?;
        tx.update_goal(gid, &g, ctx.actor.email()).await?;
        tx.audit(&plan_audit(
            ctx,
            "plan_goal_changed",
            format!("goal {gid}: {}", g.title),
        ))
        .await?;
        tx.commit().await?;
        Ok(Changed::Plan(ctx.report.id))
    }

    /// Deletes a goal with its actions and follow-ups (coordinators).
    pub async fn delete_goal(&self, ctx: &ReportCtx, gid: i64) -> AppResult<Changed> {
        require_edit(ctx)?;
        self.goal_of(ctx, gid).await?;
        let mut tx = self.store.begin().await?;
        tx.delete_goal(gid).await?;
        tx.audit(&plan_audit(ctx, "plan_goal_deleted", format!("goal {gid}")))
            .await?;
        tx.commit().await?;
        Ok(Changed::Plan(ctx.report.id))
    }

    /// Adds an action with its planned resources to a goal (coordinators). Returns
    /// its id.
    pub async fn create_action(
        &self,
        ctx: &ReportCtx,
        gid: i64,
        d: &ActionDraft,
    ) -> AppResult<(i64, Changed)> {
        require_edit(ctx)?;
        self.goal_of(ctx, gid).await?;
        let a = action_input(d)?;
        let mut tx = self.store.begin().await?;
        let id = tx.add_action(gid, &a, ctx.actor.email()).await?;
        tx.audit(&plan_audit(
            ctx,
            "plan_action_added",
            format!("action {id} of goal {gid}: {} ({})", a.title, a.sector),
        ))
        .await?;
        tx.commit().await?;
        Ok((id, Changed::Plan(ctx.report.id)))
    }

    /// Replaces an action's fields and planned resources (coordinators).
    pub async fn update_action(
        &self,
        ctx: &ReportCtx,
        aid: i64,
        d: &ActionDraft,
    ) -> AppResult<Changed> {
        require_edit(ctx)?;
        self.action_of(ctx, aid).await?;
        let a = action_input(d)?;
        let mut tx = self.store.begin().await?;
        tx.update_action(aid, &a, ctx.actor.email()).await?;
        tx.audit(&plan_audit(
            ctx,
            "plan_action_changed",
            format!("action {aid}: {}", a.title),
        ))
        .await?;
        tx.commit().await?;
        Ok(Changed::Plan(ctx.report.id))
    }

    /// Deletes an action with its resources, progress and follow-ups (coordinators).
    pub async fn delete_action(&self, ctx: &ReportCtx, aid: i64) -> AppResult<Changed> {
        require_edit(ctx)?;
        self.action_of(ctx, aid).await?;
        let mut tx = self.store.begin().await?;
        tx.delete_action(aid).await?;
        tx.audit(&plan_audit(
            ctx,
            "plan_action_deleted",
            format!("action {aid}"),
        ))
        .await?;
        tx.commit().await?;
        Ok(Changed::Plan(ctx.report.id))
    }

    /// Records an action's status, narrative and resources used in a budget year
    /// (coordinators; editors of the action's sector).
    pub async fn record_progress(
        &self,
        ctx: &ReportCtx,
        aid: i64,
        year: i64,
        d: &ProgressDraft,
    ) -> AppResult<Changed> {
        self.action_of(ctx, aid).await?;
        let plan = self.store.plan(ctx.report.id).await?;
        let action = plan
            .actions
            .iter()
            .find(|a| a.id == aid)
            .ok_or_else(|| no_action(aid))?;
        ctx.require(
            can_update_progress(ctx.access, &ctx.actor.user, action),
            "plan-error-progress-forbidden",
            "only coordinators and editors of the action's sector record its progress",
        )?;
        let year = BudgetYear::new(year).map_err(refused)?;
        let p = progress_input(d)?;
        let mut tx = self.store.begin().await?;
        tx.put_progress(aid, year, &p, ctx.actor.email()).await?;
        tx.audit(&plan_audit(
            ctx,
            "plan_progress",
            format!("action {aid} in {year}: {}", p.status),
        ))
        .await?;
        tx.commit().await?;
        Ok(Changed::Plan(ctx.report.id))
    }
}
