//! The welfare plan of a report and its yearly follow-up: goals answering the report's
//! concerns, actions with responsible sector and person, resources per budget year,
//! follow-up indicators with baselines from the data, statutory plan tags with a
//! filtered view per tag, yearly progress, the accountability view, the generated
//! yearly report, and CSV/XLSX exports.
//!
//! The rules (validation, permissions, the writes and their audit entries) are the
//! use cases of `hyte_app::plan`, shared with the JSON API in `api::plan`; this module
//! parses the forms and renders the pages. After a change it forgets the report's
//! cached published outputs ([`refresh`]): the published page shows the plan live.

mod export;
mod forms;
mod page;
mod published;
mod view;
mod yearly;

pub use export::{plan_download, plan_table, progress_tables};
pub use forms::{
    action_delete_form, action_form, followup_delete_form, followup_form, goal_delete_form,
    goal_form, progress_form, yearly_form,
};
pub use hyte_app::plan::{
    can_edit_plan, can_update_progress, parse_tags, plan_tags, ActionDraft, FollowUpDraft,
    GoalDraft, ProgressDraft, ResourceDraft, PLAN_TAGS_CSV,
};
pub use page::{parse_query, plan_page, progress_page, Draft, PlanQuery};
pub use published::published_plan;
pub use view::{
    followup_statuses, plan_view, ActionRow, Choice, FollowRow, FollowUpStatus, GoalRow, PlanView,
};
pub use yearly::{generate_yearly, indicator_changes, IndicatorChange, IndicatorChanges};

use crate::AppState;
use axum::routing::{get, post};
use axum::Router;
use hyte_app::Changed;

/// Routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/reports/{id}/plan", get(plan_page))
        .route("/reports/{id}/plan/goals", post(goal_form))
        .route(
            "/reports/{id}/plan/goals/{gid}/delete",
            post(goal_delete_form),
        )
        .route("/reports/{id}/plan/goals/{gid}/actions", post(action_form))
        .route(
            "/reports/{id}/plan/actions/{aid}/delete",
            post(action_delete_form),
        )
        .route(
            "/reports/{id}/plan/actions/{aid}/progress",
            post(progress_form),
        )
        .route("/reports/{id}/plan/follow-ups", post(followup_form))
        .route(
            "/reports/{id}/plan/follow-ups/{fid}/delete",
            post(followup_delete_form),
        )
        .route("/reports/{id}/plan/progress", get(progress_page))
        .route(
            "/reports/{id}/plan/table.csv",
            get(plan_download::<false, false>),
        )
        .route(
            "/reports/{id}/plan/table.xlsx",
            get(plan_download::<false, true>),
        )
        .route(
            "/reports/{id}/plan/progress.csv",
            get(plan_download::<true, false>),
        )
        .route(
            "/reports/{id}/plan/progress.xlsx",
            get(plan_download::<true, true>),
        )
        .route("/reports/{id}/yearly-reports", post(yearly_form))
}

/// Forgets the cached published outputs a change made stale: a plan change (or a
/// report change) those of its report, new data all of them.
pub fn refresh(state: &AppState, changed: Changed) {
    state.refresh(changed);
}
