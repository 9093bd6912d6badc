//! The welfare plan of a report and its yearly follow-up: goals answering the report's
//! concerns, actions with responsible sector and person and resources per budget
//! year, follow-up indicators with baselines from the data, yearly progress, and the
//! yearly report generated from a term report's plan.
//!
//! Every change is made by coordinators (yearly progress also by the editors of the
//! action's sector), is written with its audit entry (`plan_*`, detail
//! `report {id}: …`) in one transaction, and returns [`Changed::Plan`]: the plan is
//! shown live on the report's published page, so the adapter forgets those outputs.

mod followups;
mod goals;
mod inputs;
mod queries;
mod tags;
mod yearly;

pub use inputs::{
    action_input, goal_input, plan_refusal, progress_input, refused, ActionDraft, FollowUpDraft,
    GoalDraft, ProgressDraft, ResourceDraft,
};
pub use tags::{check_tags, parse_tags, plan_tags, tag_name, PLAN_TAGS_CSV};
pub use yearly::{YearlyDoc, YearlySection};

use crate::access::{Access, ReportCtx};
use crate::{App, AppError, AppResult, Refusal};
use hyte_domain::plan::YearValue;
use hyte_domain::{IndicatorId, RegionKey, Role, Sex};
use hyte_store::indicators::ValueQuery;
use hyte_store::plan::PlanAction;
use hyte_store::users::User;
use hyte_store::Audit;

/// Whether the caller edits the plan (goals, actions, resources, follow-ups):
/// coordinators and admins.
pub fn can_edit_plan(acc: Access) -> bool {
    acc.can_decide()
}

/// Whether the caller records an action's yearly progress: coordinators always, an
/// editor when the action belongs to their sector.
pub fn can_update_progress(acc: Access, user: &User, a: &PlanAction) -> bool {
    match acc {
        Access::Member(r) if r.at_least(Role::Coordinator) => true,
        Access::Member(Role::Editor) => user.sector.as_deref() == Some(a.sector.as_str()),
        _ => false,
    }
}

fn require_edit(ctx: &ReportCtx) -> AppResult<()> {
    ctx.require(
        can_edit_plan(ctx.access),
        "plan-error-edit-forbidden",
        "only the report's coordinators edit the plan",
    )
}

/// The audit entry of a plan change: today's detail format `report {id}: {detail}`.
fn plan_audit(ctx: &ReportCtx, action: &str, detail: impl std::fmt::Display) -> Audit {
    ctx.audit(action, format!("report {}: {detail}", ctx.report.id))
}

fn no_action(aid: i64) -> AppError {
    AppError::NotFound(
        Refusal::new(
            "plan-error-no-action",
            format!("no action {aid} in this report"),
        )
        .arg("id", aid),
    )
}

impl App {
    /// 404 unless the goal belongs to the report.
    async fn goal_of(&self, ctx: &ReportCtx, gid: i64) -> AppResult<()> {
        match self.store.goal_report(gid).await? {
            Some(r) if r == ctx.report.id => Ok(()),
            _ => Err(AppError::NotFound(
                Refusal::new(
                    "plan-error-no-goal",
                    format!("no goal {gid} in this report"),
                )
                .arg("id", gid),
            )),
        }
    }

    /// The goal of an action of the report (404 for another report's action).
    async fn action_of(&self, ctx: &ReportCtx, aid: i64) -> AppResult<i64> {
        match self.store.action_place(aid).await? {
            Some((goal, r)) if r == ctx.report.id => Ok(goal),
            _ => Err(no_action(aid)),
        }
    }

    /// 404 unless the follow-up belongs to the report.
    async fn followup_of(&self, ctx: &ReportCtx, fid: i64) -> AppResult<()> {
        match self.store.followup_report(fid).await? {
            Some(r) if r == ctx.report.id => Ok(()),
            _ => Err(AppError::NotFound(
                Refusal::new(
                    "plan-error-no-followup",
                    format!("no follow-up indicator {fid} in this report"),
                )
                .arg("id", fid),
            )),
        }
    }

    /// The value of an indicator for an organisation (both sexes) in a year, or in
    /// the latest year with a value: the baseline of a follow-up and its latest value.
    pub async fn indicator_value(
        &self,
        org: &RegionKey,
        indicator_id: i64,
        year: Option<i64>,
    ) -> AppResult<Option<YearValue>> {
        let values = self
            .store
            .values(
                IndicatorId(indicator_id),
                &ValueQuery {
                    regions: vec![org.clone()],
                    years: year.into_iter().collect(),
                    sex: Some(Sex::Total),
                },
            )
            .await?;
        Ok(values
            .iter()
            .filter_map(|v| {
                Some(YearValue {
                    year: v.year,
                    value: v.value?,
                })
            })
            .max_by_key(|v| v.year))
    }
}
