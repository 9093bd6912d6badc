//! Follow-up indicators of goals and actions: a baseline (from the data unless typed
//! in) and a target that is not worse than the baseline.

use super::inputs::{refuse, refused};
use super::{plan_audit, require_edit, FollowUpDraft};
use crate::access::ReportCtx;
use crate::{App, AppError, AppResult, Changed, Refusal};
use hyte_domain::plan::{check_followup, YearValue};
use hyte_domain::IndicatorId;
use hyte_store::plan::FollowUpInput;

impl App {
    /// Checks that the follow-up's goal and action belong to the report.
    async fn followup_place(&self, ctx: &ReportCtx, d: &FollowUpDraft) -> AppResult<()> {
        self.goal_of(ctx, d.goal_id).await.map_err(|_| {
            AppError::Refused(
                Refusal::new(
                    "plan-error-goal",
                    format!("goal {} is not a goal of this report", d.goal_id),
                )
                .arg("id", d.goal_id),
            )
        })?;
        if let Some(aid) = d.action_id {
            match self.store.action_place(aid).await? {
                Some((g, _)) if g == d.goal_id => {}
                _ => {
                    return refuse(
                        "plan-error-action",
                        format!("action {aid} is not an action of goal {}", d.goal_id),
                    )
                }
            }
        }
        Ok(())
    }

    /// The baseline: as typed (overridden when it differs from the data), or the
    /// value in the data in the given year or the latest year.
    async fn baseline(
        &self,
        ctx: &ReportCtx,
        indicator_id: i64,
        d: &FollowUpDraft,
    ) -> AppResult<(YearValue, bool)> {
        let org = &ctx.report.org;
        if let Some(v) = d.baseline_value {
            let Some(y) = d.baseline_year else {
                return refuse(
                    "plan-error-baseline-year",
                    "a baseline value typed in needs its year",
                );
            };
            let from_data = self.indicator_value(org, indicator_id, Some(y)).await?;
            let differs = from_data.is_none_or(|x| (x.value - v).abs() > 1e-9);
            return Ok((YearValue { year: y, value: v }, differs));
        }
        match self.indicator_value(org, indicator_id, d.baseline_year).await? {
            Some(b) => Ok((b, false)),
            None => refuse(
                "plan-error-no-baseline",
                match d.baseline_year {
                    Some(y) => format!(
                        "the data has no value of this indicator for the organisation in {y}: choose another year or type the baseline value"
                    ),
                    None => "the data has no value of this indicator for the organisation: type the baseline year and value".to_string(),
                },
            ),
        }
    }

    async fn followup_input(&self, ctx: &ReportCtx, d: &FollowUpDraft) -> AppResult<FollowUpInput> {
        self.followup_place(ctx, d).await?;
        let Some(ind) = self.store.indicator(IndicatorId(d.indicator_id)).await? else {
            return Err(AppError::Refused(
                Refusal::new(
                    "plan-error-indicator",
                    format!(
                        "Hyte has no indicator {}; choose one from the indicator catalogue",
                        d.indicator_id
                    ),
                )
                .arg("id", d.indicator_id),
            ));
        };
        let (baseline, overridden) = self.baseline(ctx, ind.id.0, d).await?;
        let target = YearValue {
            year: d.target_year,
            value: d.target_value,
        };
        check_followup(ind.polarity, baseline, target).map_err(refused)?;
        Ok(FollowUpInput {
            goal_id: d.goal_id,
            action_id: d.action_id,
            indicator_id: ind.id.0,
            baseline_year: baseline.year,
            baseline_value: baseline.value,
            baseline_overridden: overridden,
            target_year: target.year,
            target_value: target.value,
        })
    }

    /// Adds a follow-up indicator (coordinators); the baseline comes from the data
    /// unless typed in. Returns its id.
    pub async fn create_followup(
        &self,
        ctx: &ReportCtx,
        d: &FollowUpDraft,
    ) -> AppResult<(i64, Changed)> {
        require_edit(ctx)?;
        let f = self.followup_input(ctx, d).await?;
        let mut tx = self.store.begin().await?;
        let id = tx.add_followup(&f, ctx.actor.email()).await?;
        tx.audit(&plan_audit(
            ctx,
            "plan_followup_added",
            format!(
                "follow-up {id}: indicator {} from {} ({}) to {} ({})",
                f.indicator_id, f.baseline_value, f.baseline_year, f.target_value, f.target_year
            ),
        ))
        .await?;
        tx.commit().await?;
        Ok((id, Changed::Plan(ctx.report.id)))
    }

    /// Replaces a follow-up indicator (coordinators).
    pub async fn update_followup(
        &self,
        ctx: &ReportCtx,
        fid: i64,
        d: &FollowUpDraft,
    ) -> AppResult<Changed> {
        require_edit(ctx)?;
        self.followup_of(ctx, fid).await?;
        let f = self.followup_input(ctx, d).await?;
        let mut tx = self.store.begin().await?;
        tx.update_followup(fid, &f, ctx.actor.email()).await?;
        tx.audit(&plan_audit(
            ctx,
            "plan_followup_changed",
            format!("follow-up {fid}"),
        ))
        .await?;
        tx.commit().await?;
        Ok(Changed::Plan(ctx.report.id))
    }

    /// Deletes a follow-up indicator (coordinators).
    pub async fn delete_followup(&self, ctx: &ReportCtx, fid: i64) -> AppResult<Changed> {
        require_edit(ctx)?;
        self.followup_of(ctx, fid).await?;
        let mut tx = self.store.begin().await?;
        tx.delete_followup(fid).await?;
        tx.audit(&plan_audit(
            ctx,
            "plan_followup_deleted",
            format!("follow-up {fid}"),
        ))
        .await?;
        tx.commit().await?;
        Ok(Changed::Plan(ctx.report.id))
    }
}
