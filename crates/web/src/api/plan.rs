//! The welfare plan through the JSON API: the plan (optionally one statutory plan's
//! items), goals, actions with planned resources, yearly progress, follow-up
//! indicators with their latest values and tracking, the accountability summary and
//! the generated yearly report. The rules, permissions and audit entries are the use
//! cases of `hyte_app::plan`, the same the pages call (`pages::plan`).

use super::reports::{created, AccessName, ApiJson, ApiQuery, Created};
use super::responses::{BadRequest, JsonBody, Refusals, Unauthorized};
use super::{ApiError, ApiResult, ApiRouter, ReportPath};
use crate::auth::Viewer;
use crate::extract::ApiReport;
use crate::i18n::Tr;
use crate::pages::plan::{
    can_edit_plan, can_update_progress, followup_statuses, generate_yearly, plan_tags, refresh,
    ActionDraft, FollowUpDraft, FollowUpStatus, GoalDraft, ProgressDraft,
};
use crate::{AppError, AppState};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use hyte_app::model::plan::{Plan, PlanAction, PlanGoal, Progress};
use hyte_app::model::reports::Report;
use hyte_app::ReportCtx;
use hyte_domain::plan::{ActionStatus, PlanTag, StatusCounts};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

/// Routes of this module (mounted under `/api/v1`).
pub fn routes() -> ApiRouter {
    ApiRouter::new()
        .get("/plan-tags", tags)
        .get("/reports/{id}/plan", plan)
        .post("/reports/{id}/plan/goals", add_goal)
        .put("/reports/{id}/plan/goals/{gid}", put_goal)
        .delete("/reports/{id}/plan/goals/{gid}", del_goal)
        .post("/reports/{id}/plan/goals/{gid}/actions", add_action)
        .put("/reports/{id}/plan/actions/{aid}", put_action)
        .delete("/reports/{id}/plan/actions/{aid}", del_action)
        .put(
            "/reports/{id}/plan/actions/{aid}/progress/{year}",
            put_progress,
        )
        .post("/reports/{id}/plan/follow-ups", add_followup)
        .put("/reports/{id}/plan/follow-ups/{fid}", put_followup)
        .delete("/reports/{id}/plan/follow-ups/{fid}", del_followup)
        .get("/reports/{id}/plan/progress", progress)
        .post("/reports/{id}/yearly-reports", yearly)
}

/// The documented paths of this module.
#[derive(OpenApi)]
#[openapi(paths(
    tags,
    plan,
    add_goal,
    put_goal,
    del_goal,
    add_action,
    put_action,
    del_action,
    put_progress,
    add_followup,
    put_followup,
    del_followup,
    progress,
    yearly
))]
pub struct Doc;

fn id_of(s: &str, what: &str) -> Result<i64, ApiError> {
    s.trim()
        .parse()
        .map_err(|_| AppError::not_found(format!("no {what} {s}")).into())
}

/// What a change just wrote, read back; gone only if someone removed it meanwhile.
fn written<T>(item: Option<T>, what: &str, id: i64) -> Result<T, ApiError> {
    item.ok_or_else(|| AppError::not_found(format!("no {what} {id}")).into())
}

/// Query of `GET /reports/{id}/plan`.
#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlanQ {
    /// A plan tag key, e.g. children_youth
    tag: Option<String>,
}

/// The plan tags.
#[derive(Serialize, ToSchema)]
pub struct PlanTagList {
    /// The statutory and recommended plans, in configuration order.
    pub items: &'static [PlanTag],
}

/// The statutory and recommended plans goals and actions can be tagged with (configuration data)
#[utoipa::path(
    get,
    path = "/plan-tags",
    tag = "plan",
    responses((status = 200, description = "OK", body = PlanTagList), Unauthorized)
)]
pub async fn tags(viewer: Viewer) -> ApiResult<Json<PlanTagList>> {
    viewer.user()?;
    Ok(Json(PlanTagList { items: plan_tags() }))
}

fn filtered(plan: Plan, tag: Option<&str>) -> Plan {
    let Some(tag) = tag else {
        return plan;
    };
    let has = |tags: &[String]| tags.iter().any(|t| t == tag);
    let goals: Vec<_> = plan
        .goals
        .iter()
        .filter(|g| {
            has(&g.tags)
                || plan
                    .actions
                    .iter()
                    .any(|a| a.goal_id == g.id && has(&a.tags))
        })
        .cloned()
        .collect();
    let actions: Vec<_> = plan
        .actions
        .iter()
        .filter(|a| {
            goals
                .iter()
                .any(|g| g.id == a.goal_id && (has(&g.tags) || has(&a.tags)))
        })
        .cloned()
        .collect();
    let followups = plan
        .followups
        .iter()
        .filter(|f| {
            goals.iter().any(|g| g.id == f.goal_id)
                && f.action_id
                    .is_none_or(|a| actions.iter().any(|x| x.id == a))
        })
        .cloned()
        .collect();
    Plan {
        goals,
        actions,
        followups,
    }
}

/// An action with whether the caller may record its progress.
#[derive(Serialize, ToSchema)]
pub struct PlanActionView {
    /// The action.
    #[serde(flatten)]
    pub action: PlanAction,
    /// Whether the caller may record its yearly progress.
    pub can_update_progress: bool,
}

/// A yearly report generated from the plan.
#[derive(Serialize, ToSchema)]
pub struct YearlyReportRef {
    /// The yearly report.
    pub report_id: i64,
    /// Its budget year.
    pub year: i64,
}

/// A report's plan as the caller may use it.
#[derive(Serialize, ToSchema)]
#[schema(as = Plan)]
pub struct PlanJson {
    /// The report.
    pub report_id: i64,
    /// What the caller may do with the report.
    #[schema(value_type = AccessName)]
    pub access: &'static str,
    /// Whether the caller may change goals, actions and follow-ups.
    pub can_edit: bool,
    /// The plan tag shown, if one was asked for.
    pub tag: Option<String>,
    /// Goals in order.
    pub goals: Vec<PlanGoal>,
    /// Actions in goal order, then their own order.
    pub actions: Vec<PlanActionView>,
    /// Follow-up indicators with latest value and tracking.
    pub follow_ups: Vec<FollowUpStatus>,
    /// Yearly reports generated from this plan.
    pub yearly_reports: Vec<YearlyReportRef>,
}

async fn plan_json(
    state: &AppState,
    ctx: &ReportCtx,
    viewer: &Viewer,
    tag: Option<&str>,
) -> ApiResult<PlanJson> {
    if let Some(t) = tag {
        if !plan_tags().iter().any(|x| x.key == t) {
            return Err(AppError::not_found(format!("no plan tag '{t}'")).into());
        }
    }
    let user = viewer.user()?;
    let (r, acc) = (&ctx.report, ctx.access);
    let plan = filtered(state.app.plan(ctx).await?, tag);
    let follow_ups = followup_statuses(state, r, &plan, viewer.lang.code()).await?;
    let actions: Vec<PlanActionView> = plan
        .actions
        .into_iter()
        .map(|a| PlanActionView {
            can_update_progress: can_update_progress(acc, user, &a),
            action: a,
        })
        .collect();
    let yearly_reports = state
        .app
        .yearly_reports_of(ctx)
        .await?
        .into_iter()
        .map(|(report_id, year)| YearlyReportRef { report_id, year })
        .collect();
    Ok(PlanJson {
        report_id: r.id,
        access: acc.as_str(),
        can_edit: can_edit_plan(acc),
        tag: tag.map(str::to_string),
        goals: plan.goals,
        actions,
        follow_ups,
        yearly_reports,
    })
}

/// The plan
///
/// Goals, actions with resources and progress, follow-up indicators with latest value and
/// tracking; ?tag= shows one linked plan's items.
#[utoipa::path(
    get,
    path = "/reports/{id}/plan",
    tag = "plan",
    params(ReportPath, PlanQ),
    responses((status = 200, description = "OK", body = PlanJson), Refusals)
)]
pub async fn plan(
    State(state): State<AppState>,
    ApiReport { viewer, ctx, .. }: ApiReport,
    ApiQuery(q): ApiQuery<PlanQ>,
) -> ApiResult<Json<PlanJson>> {
    Ok(Json(
        plan_json(&state, &ctx, &viewer, q.tag.as_deref()).await?,
    ))
}

/// Add a goal (coordinators)
///
/// `observations` are the ids of the report's joys and concerns the goal answers.
#[utoipa::path(
    post,
    path = "/reports/{id}/plan/goals",
    tag = "plan",
    params(ReportPath),
    request_body = GoalDraft,
    responses((status = 201, description = "Created", body = PlanGoal), Refusals, JsonBody)
)]
pub async fn add_goal(
    State(state): State<AppState>,
    ApiReport { ctx, .. }: ApiReport,
    ApiJson(b): ApiJson<GoalDraft>,
) -> ApiResult<Created<PlanGoal>> {
    let (gid, changed) = state.app.create_goal(&ctx, &b).await?;
    refresh(&state, changed);
    let plan = state.app.plan(&ctx).await?;
    let g = plan.goals.into_iter().find(|g| g.id == gid);
    Ok(created(written(g, "goal", gid)?))
}

/// Replace a goal (coordinators)
#[utoipa::path(
    put,
    path = "/reports/{id}/plan/goals/{gid}",
    tag = "plan",
    params(ReportPath, ("gid" = i64, Path, description = "Goal id")),
    request_body = GoalDraft,
    responses((status = 200, description = "OK", body = PlanGoal), Refusals, JsonBody)
)]
pub async fn put_goal(
    State(state): State<AppState>,
    api: ApiReport,
    ApiJson(b): ApiJson<GoalDraft>,
) -> ApiResult<Json<PlanGoal>> {
    let gid = id_of(api.param("gid"), "goal")?;
    let ctx = api.ctx;
    refresh(&state, state.app.update_goal(&ctx, gid, &b).await?);
    let plan = state.app.plan(&ctx).await?;
    let g = plan.goals.into_iter().find(|g| g.id == gid);
    Ok(Json(written(g, "goal", gid)?))
}

/// Delete a goal with its actions and follow-ups (coordinators)
#[utoipa::path(
    delete,
    path = "/reports/{id}/plan/goals/{gid}",
    tag = "plan",
    params(ReportPath, ("gid" = i64, Path, description = "Goal id")),
    responses((status = 204, description = "Deleted"), Refusals)
)]
pub async fn del_goal(State(state): State<AppState>, api: ApiReport) -> ApiResult<StatusCode> {
    let gid = id_of(api.param("gid"), "goal")?;
    let ctx = api.ctx;
    refresh(&state, state.app.delete_goal(&ctx, gid).await?);
    Ok(StatusCode::NO_CONTENT)
}

/// Add an action with planned resources per budget year (coordinators)
///
/// The resources' budget years lie within the action's schedule.
#[utoipa::path(
    post,
    path = "/reports/{id}/plan/goals/{gid}/actions",
    tag = "plan",
    params(ReportPath, ("gid" = i64, Path, description = "Goal id")),
    request_body = ActionDraft,
    responses((status = 201, description = "Created", body = PlanAction), Refusals, JsonBody)
)]
pub async fn add_action(
    State(state): State<AppState>,
    api: ApiReport,
    ApiJson(b): ApiJson<ActionDraft>,
) -> ApiResult<Created<PlanAction>> {
    let gid = id_of(api.param("gid"), "goal")?;
    let ctx = api.ctx;
    let (aid, changed) = state.app.create_action(&ctx, gid, &b).await?;
    refresh(&state, changed);
    let plan = state.app.plan(&ctx).await?;
    let a = plan.actions.into_iter().find(|a| a.id == aid);
    Ok(created(written(a, "action", aid)?))
}

/// Replace an action and its planned resources (coordinators)
#[utoipa::path(
    put,
    path = "/reports/{id}/plan/actions/{aid}",
    tag = "plan",
    params(ReportPath, ("aid" = i64, Path, description = "Action id")),
    request_body = ActionDraft,
    responses((status = 200, description = "OK", body = PlanAction), Refusals, JsonBody)
)]
pub async fn put_action(
    State(state): State<AppState>,
    api: ApiReport,
    ApiJson(b): ApiJson<ActionDraft>,
) -> ApiResult<Json<PlanAction>> {
    let aid = id_of(api.param("aid"), "action")?;
    let ctx = api.ctx;
    refresh(&state, state.app.update_action(&ctx, aid, &b).await?);
    let plan = state.app.plan(&ctx).await?;
    let a = plan.actions.into_iter().find(|a| a.id == aid);
    Ok(Json(written(a, "action", aid)?))
}

/// Delete an action (coordinators)
#[utoipa::path(
    delete,
    path = "/reports/{id}/plan/actions/{aid}",
    tag = "plan",
    params(ReportPath, ("aid" = i64, Path, description = "Action id")),
    responses((status = 204, description = "Deleted"), Refusals)
)]
pub async fn del_action(State(state): State<AppState>, api: ApiReport) -> ApiResult<StatusCode> {
    let aid = id_of(api.param("aid"), "action")?;
    let ctx = api.ctx;
    refresh(&state, state.app.delete_action(&ctx, aid).await?);
    Ok(StatusCode::NO_CONTENT)
}

/// Record an action's status, narrative and resources used in a budget year (coordinators; editors of the action's sector)
#[utoipa::path(
    put,
    path = "/reports/{id}/plan/actions/{aid}/progress/{year}",
    tag = "plan",
    params(
        ReportPath,
        ("aid" = i64, Path, description = "Action id"),
        ("year" = i64, Path, description = "Budget year"),
    ),
    request_body = ProgressDraft,
    responses((status = 200, description = "OK", body = Progress), Refusals, JsonBody)
)]
pub async fn put_progress(
    State(state): State<AppState>,
    api: ApiReport,
    ApiJson(b): ApiJson<ProgressDraft>,
) -> ApiResult<Json<Progress>> {
    let aid = id_of(api.param("aid"), "action")?;
    let year = api.param("year");
    let year: i64 = year
        .trim()
        .parse()
        .map_err(|_| AppError::bad_request(format!("'{year}' is not a year")))?;
    let ctx = api.ctx;
    refresh(
        &state,
        state.app.record_progress(&ctx, aid, year, &b).await?,
    );
    let plan = state.app.plan(&ctx).await?;
    let p = plan
        .actions
        .iter()
        .find(|a| a.id == aid)
        .and_then(|a| a.progress_in(year))
        .cloned();
    Ok(Json(written(p, "progress of action", aid)?))
}

/// Add a follow-up indicator (coordinators)
///
/// Without baseline_value the baseline is taken from the data for the organisation; a
/// typed value is flagged baseline_overridden. The target may not be worse than the
/// baseline for the indicator's polarity.
#[utoipa::path(
    post,
    path = "/reports/{id}/plan/follow-ups",
    tag = "plan",
    params(ReportPath),
    request_body = FollowUpDraft,
    responses((status = 201, description = "Created", body = FollowUpStatus), Refusals, JsonBody)
)]
pub async fn add_followup(
    State(state): State<AppState>,
    ApiReport { viewer, ctx, .. }: ApiReport,
    ApiJson(b): ApiJson<FollowUpDraft>,
) -> ApiResult<Created<FollowUpStatus>> {
    let (fid, changed) = state.app.create_followup(&ctx, &b).await?;
    refresh(&state, changed);
    let plan = state.app.plan(&ctx).await?;
    let s = followup_statuses(&state, &ctx.report, &plan, viewer.lang.code()).await?;
    let f = s.into_iter().find(|f| f.followup.id == fid);
    Ok(created(written(f, "follow-up", fid)?))
}

/// Replace a follow-up indicator (coordinators)
#[utoipa::path(
    put,
    path = "/reports/{id}/plan/follow-ups/{fid}",
    tag = "plan",
    params(ReportPath, ("fid" = i64, Path, description = "Follow-up id")),
    request_body = FollowUpDraft,
    responses((status = 200, description = "OK", body = FollowUpStatus), Refusals, JsonBody)
)]
pub async fn put_followup(
    State(state): State<AppState>,
    api: ApiReport,
    ApiJson(b): ApiJson<FollowUpDraft>,
) -> ApiResult<Json<FollowUpStatus>> {
    let fid = id_of(api.param("fid"), "follow-up")?;
    let ApiReport { viewer, ctx, .. } = api;
    refresh(&state, state.app.update_followup(&ctx, fid, &b).await?);
    let plan = state.app.plan(&ctx).await?;
    let s = followup_statuses(&state, &ctx.report, &plan, viewer.lang.code()).await?;
    let f = s.into_iter().find(|f| f.followup.id == fid);
    Ok(Json(written(f, "follow-up", fid)?))
}

/// Delete a follow-up indicator (coordinators)
#[utoipa::path(
    delete,
    path = "/reports/{id}/plan/follow-ups/{fid}",
    tag = "plan",
    params(ReportPath, ("fid" = i64, Path, description = "Follow-up id")),
    responses((status = 204, description = "Deleted"), Refusals)
)]
pub async fn del_followup(State(state): State<AppState>, api: ApiReport) -> ApiResult<StatusCode> {
    let fid = id_of(api.param("fid"), "follow-up")?;
    let ctx = api.ctx;
    refresh(&state, state.app.delete_followup(&ctx, fid).await?);
    Ok(StatusCode::NO_CONTENT)
}

/// Query of the progress summary.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearQ {
    /// Budget year.
    year: i64,
}

/// An action's status and resources in a budget year.
#[derive(Serialize, ToSchema)]
pub struct ActionProgress {
    /// The action.
    pub action_id: i64,
    /// Its title.
    pub title: String,
    /// Responsible sector.
    pub sector: String,
    /// Status in the year (not started when none is recorded).
    pub status: ActionStatus,
    /// What was done.
    pub narrative: String,
    /// Euros planned for the year.
    pub euros_planned: Option<f64>,
    /// Euros used in the year.
    pub euros_used: Option<f64>,
    /// Person-years planned for the year.
    pub person_years_planned: Option<f64>,
    /// Person-years used in the year.
    pub person_years_used: Option<f64>,
}

/// A goal's actions in a budget year.
#[derive(Serialize, ToSchema)]
pub struct GoalProgress {
    /// The goal.
    pub goal_id: i64,
    /// Its title.
    pub title: String,
    /// Its actions per status.
    pub counts: StatusCounts,
    /// Its actions.
    pub actions: Vec<ActionProgress>,
}

/// The accountability summary of a budget year.
#[derive(Serialize, ToSchema)]
pub struct ProgressSummary {
    /// The budget year.
    pub year: i64,
    /// All actions per status.
    pub counts: StatusCounts,
    /// Per goal.
    pub goals: Vec<GoalProgress>,
}

/// Accountability summary of a budget year
///
/// Status counts overall and per goal, resources planned and used per action.
#[utoipa::path(
    get,
    path = "/reports/{id}/plan/progress",
    tag = "plan",
    params(ReportPath, YearQ),
    responses((status = 200, description = "OK", body = ProgressSummary), BadRequest, Refusals)
)]
pub async fn progress(
    State(state): State<AppState>,
    ApiReport { ctx, .. }: ApiReport,
    ApiQuery(q): ApiQuery<YearQ>,
) -> ApiResult<Json<ProgressSummary>> {
    let plan = state.app.plan(&ctx).await?;
    let status_of = |a: &PlanAction| a.progress_in(q.year).map(|p| p.status);
    let goals: Vec<GoalProgress> = plan
        .goals
        .iter()
        .map(|g| {
            let acts: Vec<_> = plan.actions.iter().filter(|a| a.goal_id == g.id).collect();
            GoalProgress {
                goal_id: g.id,
                title: g.title.clone(),
                counts: StatusCounts::of(acts.iter().map(|a| status_of(a))),
                actions: acts
                    .iter()
                    .map(|a| {
                        let done = a.progress_in(q.year);
                        let planned = a.resources_in(q.year);
                        ActionProgress {
                            action_id: a.id,
                            title: a.title.clone(),
                            sector: a.sector.clone(),
                            status: status_of(a).unwrap_or(ActionStatus::NotStarted),
                            narrative: done.map(|p| p.narrative.clone()).unwrap_or_default(),
                            euros_planned: planned.map(|x| x.euros.as_f64()),
                            euros_used: done.and_then(|p| p.euros_used).map(|e| e.as_f64()),
                            person_years_planned: planned.map(|x| x.person_years.as_f64()),
                            person_years_used: done
                                .and_then(|p| p.person_years_used)
                                .map(|e| e.as_f64()),
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    Ok(Json(ProgressSummary {
        year: q.year,
        counts: StatusCounts::of(plan.actions.iter().map(status_of)),
        goals,
    }))
}

/// The budget year a yearly report reports on.
#[derive(Deserialize, ToSchema)]
#[schema(as = NewYearlyReport)]
pub struct YearlyBody {
    /// The budget year.
    #[schema(example = 2026)]
    year: i64,
}

/// A generated section of a yearly report.
#[derive(Serialize, ToSchema)]
pub struct YearlySection {
    /// Section id.
    pub id: i64,
    /// Heading.
    pub heading: String,
    /// Generated, editable text (Markdown with indicator blocks).
    pub body: String,
    /// Current revision.
    pub revision: i64,
}

/// A generated yearly report.
#[derive(Serialize, ToSchema)]
pub struct YearlyReport {
    /// The new report.
    pub report: Report,
    /// The term report whose plan it reports on.
    pub term_report_id: i64,
    /// Its generated sections.
    pub sections: Vec<YearlySection>,
    /// Joys and concerns proposed from the data.
    pub proposed_observations: usize,
}

/// Generate the yearly report of a budget year from this term report's plan (coordinators)
///
/// A new report of kind yearly_report with generated, editable sections (plan progress,
/// follow-up indicators, indicator changes) and joys and concerns proposed from the data.
#[utoipa::path(
    post,
    path = "/reports/{id}/yearly-reports",
    tag = "plan",
    params(ReportPath),
    request_body = YearlyBody,
    responses((status = 201, description = "Created", body = YearlyReport), Refusals, JsonBody)
)]
pub async fn yearly(
    State(state): State<AppState>,
    ApiReport { viewer, ctx, .. }: ApiReport,
    ApiJson(b): ApiJson<YearlyBody>,
) -> ApiResult<Created<YearlyReport>> {
    let tr = Tr::new(viewer.lang);
    let yid = generate_yearly(&state, &ctx, b.year, &tr).await?;
    // The new report belongs to the term report's organisation: the caller reads it.
    let yctx = state.app.load_report(&ctx.actor, yid).await?;
    let sections = state.app.sections(&yctx).await?;
    let proposals = state
        .app
        .observations(&yctx)
        .await?
        .into_iter()
        .filter(|o| o.status == "proposed")
        .count();
    Ok(created(YearlyReport {
        report: yctx.report,
        term_report_id: ctx.report.id,
        sections: sections
            .into_iter()
            .map(|s| YearlySection {
                id: s.id,
                heading: s.heading,
                body: s.body,
                revision: s.revision,
            })
            .collect(),
        proposed_observations: proposals,
    }))
}
