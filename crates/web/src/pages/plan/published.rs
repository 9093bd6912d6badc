//! The plan on a published report's page: the accountability view of the default
//! budget year, read-only.

use super::page::{parse_query, PlanQuery};
use super::view::{plan_view, GoalRow};
use crate::i18n::Tr;
use crate::{AppResult, AppState};
use hyte_app::model::reports::Report;
use hyte_publish::{
    PlanColumns, PublishedAction, PublishedFollowUp, PublishedGoal, PublishedPlan, StatusCount,
};

/// The plan of a published report, with its progress in the default budget year (the
/// report's year, or this year within the council term); `None` without goals.
pub async fn published_plan(
    state: &AppState,
    report: &Report,
    tr: &Tr,
) -> AppResult<Option<PublishedPlan>> {
    let plan = state.app.public_plan(report).await?;
    if plan.goals.is_empty() {
        return Ok(None);
    }
    let (_, year) = parse_query(&PlanQuery::default(), report)?;
    let view = plan_view(state, report, &plan, tr, None, year, None).await?;
    let t = |k: &str| tr.t(k);
    Ok(Some(PublishedPlan {
        heading: view.heading,
        year,
        percent: view.percent,
        progress_text: view.percent_text,
        counts: view
            .counts
            .into_iter()
            .map(|(label, count)| StatusCount { label, count })
            .collect(),
        resources: format!(
            "{}: {} € · {}: {} € · {}: {} · {}: {}",
            t("plan-euros-planned"),
            view.euros_planned,
            t("plan-euros-used"),
            view.euros_used,
            t("plan-py-planned"),
            view.py_planned,
            t("plan-py-used"),
            view.py_used
        ),
        columns: columns(tr),
        goals: view.goals.into_iter().map(published_goal).collect(),
    }))
}

fn columns(tr: &Tr) -> PlanColumns {
    let t = |k: &str| tr.t(k);
    PlanColumns {
        action: t("plan-col-action"),
        sector: t("plan-col-sector"),
        status: t("plan-col-status"),
        narrative: t("plan-col-narrative"),
        planned: t("plan-col-planned"),
        used: t("plan-col-used"),
        indicator: t("plan-col-indicator"),
        baseline: t("plan-col-baseline"),
        latest: t("plan-col-latest"),
        target: t("plan-col-target"),
        tracking: t("plan-col-tracking"),
        followups: t("plan-followups"),
        answers: t("plan-answers"),
        goal_progress: t("plan-goal-progress"),
        overall_progress: t("plan-overall-progress"),
    }
}

fn published_goal(g: GoalRow) -> PublishedGoal {
    PublishedGoal {
        number: g.number,
        title: g.title,
        description: g.description,
        answers: g.answers,
        percent: g.percent,
        progress_text: g.percent_text,
        actions: g
            .actions
            .into_iter()
            .map(|a| PublishedAction {
                title: a.title,
                sector: a.sector,
                responsible: a.responsible,
                schedule: a.schedule,
                status: a.status.to_string(),
                status_text: a.status_text,
                percent: a.percent,
                narrative: a.narrative,
                planned: a.planned,
                used: a.used,
            })
            .collect(),
        followups: g
            .followups
            .into_iter()
            .map(|f| PublishedFollowUp {
                indicator_id: f.indicator_id,
                title: f.title,
                baseline: f.baseline,
                latest: f.latest,
                target: f.target,
                tracking: f.tracking.to_string(),
                tracking_text: f.tracking_text,
            })
            .collect(),
    }
}
