//! The welfare plan through the JSON API: the plan (optionally one statutory plan's
//! items), goals, actions with planned resources, yearly progress, follow-up
//! indicators with their latest values and tracking, the accountability summary and
//! the generated yearly report. The rules, permissions and audit entries are the use
//! cases of `hyte_app::plan`, the same the pages call (`pages::plan`).

use super::reports::ApiJson;
use super::{ApiError, ApiResult};
use crate::api::reports::created;
use crate::auth::Viewer;
use crate::i18n::Tr;
use crate::pages::plan::{
    can_edit_plan, can_update_progress, followup_statuses, generate_yearly, plan_tags, refresh,
    ActionDraft, FollowUpDraft, GoalDraft, ProgressDraft,
};
use crate::pages::report_data::report_ctx;
use crate::{AppError, AppState};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use hyte_app::model::plan::{Plan, PlanAction};
use hyte_app::ReportCtx;
use hyte_domain::plan::{ActionStatus, StatusCounts};
use serde::Deserialize;
use serde_json::{json, Value};

/// Routes of this module (mounted under `/api/v1`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/plan-tags", get(tags))
        .route("/reports/{id}/plan", get(plan))
        .route("/reports/{id}/plan/goals", post(add_goal))
        .route(
            "/reports/{id}/plan/goals/{gid}",
            put(put_goal).delete(del_goal),
        )
        .route("/reports/{id}/plan/goals/{gid}/actions", post(add_action))
        .route(
            "/reports/{id}/plan/actions/{aid}",
            put(put_action).delete(del_action),
        )
        .route(
            "/reports/{id}/plan/actions/{aid}/progress/{year}",
            put(put_progress),
        )
        .route("/reports/{id}/plan/follow-ups", post(add_followup))
        .route(
            "/reports/{id}/plan/follow-ups/{fid}",
            put(put_followup).delete(del_followup),
        )
        .route("/reports/{id}/plan/progress", get(progress))
        .route("/reports/{id}/yearly-reports", post(yearly))
}

fn id_of(s: &str, what: &str) -> Result<i64, ApiError> {
    s.trim()
        .parse()
        .map_err(|_| AppError::not_found(format!("no {what} {s}")).into())
}

/// Query of `GET /reports/{id}/plan`.
#[derive(Deserialize, Default)]
pub struct PlanQ {
    tag: Option<String>,
}

/// `GET /api/v1/plan-tags`: the statutory and recommended plans (configuration).
pub async fn tags(viewer: Viewer) -> ApiResult<Json<Value>> {
    viewer.user()?;
    Ok(Json(json!({ "items": plan_tags() })))
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

async fn plan_json(
    state: &AppState,
    ctx: &ReportCtx,
    viewer: &Viewer,
    tag: Option<&str>,
) -> ApiResult<Value> {
    if let Some(t) = tag {
        if !plan_tags().iter().any(|x| x.key == t) {
            return Err(AppError::not_found(format!("no plan tag '{t}'")).into());
        }
    }
    let user = viewer.user()?;
    let (r, acc) = (&ctx.report, ctx.access);
    let plan = filtered(state.app.plan(ctx).await?, tag);
    let statuses = followup_statuses(state, r, &plan, viewer.lang.code()).await?;
    let actions: Vec<Value> = plan
        .actions
        .iter()
        .map(|a| {
            let mut v = serde_json::to_value(a).unwrap_or(Value::Null);
            v["can_update_progress"] = json!(can_update_progress(acc, user, a));
            v
        })
        .collect();
    Ok(json!({
        "report_id": r.id,
        "access": acc.as_str(),
        "can_edit": can_edit_plan(acc),
        "tag": tag,
        "goals": plan.goals,
        "actions": actions,
        "follow_ups": statuses,
        "yearly_reports": state.app.yearly_reports_of(ctx).await?
            .into_iter().map(|(id, year)| json!({"report_id": id, "year": year})).collect::<Vec<_>>(),
    }))
}

/// `GET /api/v1/reports/{id}/plan?tag=`: the plan with follow-ups' latest values and
/// tracking.
pub async fn plan(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    crate::api::reports::ApiQuery(q): crate::api::reports::ApiQuery<PlanQ>,
) -> ApiResult<Json<Value>> {
    let ctx = report_ctx(&state, &viewer, &id).await?;
    Ok(Json(
        plan_json(&state, &ctx, &viewer, q.tag.as_deref()).await?,
    ))
}

/// `POST /api/v1/reports/{id}/plan/goals`.
pub async fn add_goal(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<GoalDraft>,
) -> ApiResult<Response> {
    let ctx = report_ctx(&state, &viewer, &id).await?;
    let (gid, changed) = state.app.create_goal(&ctx, &b).await?;
    refresh(&state, changed);
    let plan = state.app.plan(&ctx).await?;
    let g = plan.goals.iter().find(|g| g.id == gid);
    Ok(created(json!(g)))
}

/// `PUT /api/v1/reports/{id}/plan/goals/{gid}`.
pub async fn put_goal(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, gid)): Path<(String, String)>,
    ApiJson(b): ApiJson<GoalDraft>,
) -> ApiResult<Json<Value>> {
    let ctx = report_ctx(&state, &viewer, &id).await?;
    let gid = id_of(&gid, "goal")?;
    refresh(&state, state.app.update_goal(&ctx, gid, &b).await?);
    let plan = state.app.plan(&ctx).await?;
    Ok(Json(json!(plan.goals.iter().find(|g| g.id == gid))))
}

/// `DELETE /api/v1/reports/{id}/plan/goals/{gid}`.
pub async fn del_goal(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, gid)): Path<(String, String)>,
) -> ApiResult<Response> {
    let ctx = report_ctx(&state, &viewer, &id).await?;
    let gid = id_of(&gid, "goal")?;
    refresh(&state, state.app.delete_goal(&ctx, gid).await?);
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST /api/v1/reports/{id}/plan/goals/{gid}/actions`.
pub async fn add_action(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, gid)): Path<(String, String)>,
    ApiJson(b): ApiJson<ActionDraft>,
) -> ApiResult<Response> {
    let ctx = report_ctx(&state, &viewer, &id).await?;
    let gid = id_of(&gid, "goal")?;
    let (aid, changed) = state.app.create_action(&ctx, gid, &b).await?;
    refresh(&state, changed);
    let plan = state.app.plan(&ctx).await?;
    Ok(created(json!(plan.actions.iter().find(|a| a.id == aid))))
}

/// `PUT /api/v1/reports/{id}/plan/actions/{aid}`.
pub async fn put_action(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, aid)): Path<(String, String)>,
    ApiJson(b): ApiJson<ActionDraft>,
) -> ApiResult<Json<Value>> {
    let ctx = report_ctx(&state, &viewer, &id).await?;
    let aid = id_of(&aid, "action")?;
    refresh(&state, state.app.update_action(&ctx, aid, &b).await?);
    let plan = state.app.plan(&ctx).await?;
    Ok(Json(json!(plan.actions.iter().find(|a| a.id == aid))))
}

/// `DELETE /api/v1/reports/{id}/plan/actions/{aid}`.
pub async fn del_action(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, aid)): Path<(String, String)>,
) -> ApiResult<Response> {
    let ctx = report_ctx(&state, &viewer, &id).await?;
    let aid = id_of(&aid, "action")?;
    refresh(&state, state.app.delete_action(&ctx, aid).await?);
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `PUT /api/v1/reports/{id}/plan/actions/{aid}/progress/{year}`.
pub async fn put_progress(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, aid, year)): Path<(String, String, String)>,
    ApiJson(b): ApiJson<ProgressDraft>,
) -> ApiResult<Json<Value>> {
    let ctx = report_ctx(&state, &viewer, &id).await?;
    let aid = id_of(&aid, "action")?;
    let year: i64 = year
        .trim()
        .parse()
        .map_err(|_| AppError::bad_request(format!("'{year}' is not a year")))?;
    refresh(
        &state,
        state.app.record_progress(&ctx, aid, year, &b).await?,
    );
    let plan = state.app.plan(&ctx).await?;
    let p = plan
        .actions
        .iter()
        .find(|a| a.id == aid)
        .and_then(|a| a.progress_in(year));
    Ok(Json(json!(p)))
}

/// `POST /api/v1/reports/{id}/plan/follow-ups`.
pub async fn add_followup(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<FollowUpDraft>,
) -> ApiResult<Response> {
    let ctx = report_ctx(&state, &viewer, &id).await?;
    let (fid, changed) = state.app.create_followup(&ctx, &b).await?;
    refresh(&state, changed);
    let plan = state.app.plan(&ctx).await?;
    let s = followup_statuses(&state, &ctx.report, &plan, viewer.lang.code()).await?;
    Ok(created(json!(s.iter().find(|f| f.followup.id == fid))))
}

/// `PUT /api/v1/reports/{id}/plan/follow-ups/{fid}`.
pub async fn put_followup(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, fid)): Path<(String, String)>,
    ApiJson(b): ApiJson<FollowUpDraft>,
) -> ApiResult<Json<Value>> {
    let ctx = report_ctx(&state, &viewer, &id).await?;
    let fid = id_of(&fid, "follow-up")?;
    refresh(&state, state.app.update_followup(&ctx, fid, &b).await?);
    let plan = state.app.plan(&ctx).await?;
    let s = followup_statuses(&state, &ctx.report, &plan, viewer.lang.code()).await?;
    Ok(Json(json!(s.iter().find(|f| f.followup.id == fid))))
}

/// `DELETE /api/v1/reports/{id}/plan/follow-ups/{fid}`.
pub async fn del_followup(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, fid)): Path<(String, String)>,
) -> ApiResult<Response> {
    let ctx = report_ctx(&state, &viewer, &id).await?;
    let fid = id_of(&fid, "follow-up")?;
    refresh(&state, state.app.delete_followup(&ctx, fid).await?);
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Query of the progress summary.
#[derive(Deserialize)]
pub struct YearQ {
    year: i64,
}

/// `GET /api/v1/reports/{id}/plan/progress?year=`: status counts per goal and overall,
/// resources planned and used (the accountability view as data).
pub async fn progress(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    crate::api::reports::ApiQuery(q): crate::api::reports::ApiQuery<YearQ>,
) -> ApiResult<Json<Value>> {
    let ctx = report_ctx(&state, &viewer, &id).await?;
    let plan = state.app.plan(&ctx).await?;
    let status_of = |a: &PlanAction| a.progress_in(q.year).map(|p| p.status);
    let goals: Vec<Value> = plan
        .goals
        .iter()
        .map(|g| {
            let acts: Vec<_> = plan.actions.iter().filter(|a| a.goal_id == g.id).collect();
            json!({
                "goal_id": g.id,
                "title": g.title,
                "counts": StatusCounts::of(acts.iter().map(|a| status_of(a))),
                "actions": acts.iter().map(|a| json!({
                    "action_id": a.id,
                    "title": a.title,
                    "sector": a.sector,
                    "status": status_of(a).unwrap_or(ActionStatus::NotStarted),
                    "narrative": a.progress_in(q.year).map(|p| p.narrative.clone()).unwrap_or_default(),
                    "euros_planned": a.resources_in(q.year).map(|x| x.euros.as_f64()),
                    "euros_used": a.progress_in(q.year).and_then(|p| p.euros_used).map(|e| e.as_f64()),
                    "person_years_planned": a.resources_in(q.year).map(|x| x.person_years.as_f64()),
                    "person_years_used": a.progress_in(q.year).and_then(|p| p.person_years_used).map(|e| e.as_f64()),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    Ok(Json(json!({
        "year": q.year,
        "counts": StatusCounts::of(plan.actions.iter().map(status_of)),
        "goals": goals,
    })))
}

/// Body of `POST /reports/{id}/yearly-reports`.
#[derive(Deserialize)]
pub struct YearlyBody {
    year: i64,
}

/// `POST /api/v1/reports/{id}/yearly-reports`: generates the yearly report of a year
/// from the term report's plan.
pub async fn yearly(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<YearlyBody>,
) -> ApiResult<Response> {
    let ctx = report_ctx(&state, &viewer, &id).await?;
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
    Ok(created(json!({
        "report": yctx.report,
        "term_report_id": ctx.report.id,
        "sections": sections.iter().map(|s| json!({"id": s.id, "heading": s.heading, "body": s.body, "revision": s.revision})).collect::<Vec<_>>(),
        "proposed_observations": proposals,
    })))
}
