//! The plan's forms: each parses the posted fields, calls the use case, and either
//! redirects back to the plan or shows the page again with the refusal and the typed
//! input.

use super::page::{render_plan, Draft, PlanQuery};
use super::refresh;
use super::yearly::generate_yearly;
use crate::auth::Viewer;
use crate::extract::viewer_and_form;
use crate::i18n::Tr;
use crate::pages::login_redirect;
use crate::pages::report_data::report_ctx;
use crate::pages::reports::FormData;
use crate::{AppError, AppResult, AppState};
use axum::extract::{FromRequest, FromRequestParts, Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hyte_app::model::reports::Report;
use hyte_app::plan::{
    refused, ActionDraft, FollowUpDraft, GoalDraft, ProgressDraft, ResourceDraft,
};
use hyte_app::ReportCtx;
use hyte_domain::plan::{BudgetYear, Euros, PersonYears};

/// A posted form as pairs (checkbox groups repeat names).
struct Fields(Vec<(String, String)>);

impl Fields {
    fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
    fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect()
    }
    /// Every value of a repeated field, blanks included (rows of a table).
    fn column(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// Input refused while reading the form (422, shown at the form).
fn refuse(key: &'static str, english: impl Into<String>) -> AppError {
    hyte_app::AppError::refused(key, english).into()
}

fn int_field(f: &Fields, name: &'static str, key: &'static str) -> AppResult<i64> {
    let v = f.get(name).trim();
    v.parse::<i64>()
        .map_err(|_| refuse(key, format!("'{v}' in {name} is not a whole number")))
}

fn opt_int(f: &Fields, name: &'static str) -> AppResult<Option<i64>> {
    match f.get(name).trim() {
        "" => Ok(None),
        v => v.parse::<i64>().map(Some).map_err(|_| {
            refuse(
                "plan-error-number",
                format!("'{v}' in {name} is not a number"),
            )
        }),
    }
}

fn opt_decimal(f: &Fields, name: &'static str) -> AppResult<Option<f64>> {
    match f.get(name).trim() {
        "" => Ok(None),
        v => {
            let t: String = v
                .chars()
                .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
                .collect::<String>()
                .replace(',', ".")
                .replace('−', "-");
            t.parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .map(Some)
                .ok_or_else(|| refuse("plan-error-number", format!("'{v}' is not a number")))
        }
    }
}

fn money(v: &str) -> AppResult<Option<f64>> {
    match v.trim() {
        "" => Ok(None),
        s => Ok(Some(s.parse::<Euros>().map_err(refused)?.as_f64())),
    }
}

fn person_years(v: &str) -> AppResult<Option<f64>> {
    match v.trim() {
        "" => Ok(None),
        s => Ok(Some(s.parse::<PersonYears>().map_err(refused)?.as_f64())),
    }
}

/// A posted plan form: the report for the signed-in viewer, with the CSRF token
/// checked. A visitor who is not signed in is sent to sign in, coming back to the
/// plan (not to the form's address, which only takes posts).
pub struct PlanForm {
    viewer: Viewer,
    ctx: ReportCtx,
    f: Fields,
    /// The path's parameter after the report's `{id}` (`{gid}`, `{aid}`, `{fid}`), or "".
    item: String,
}

impl FromRequest<AppState> for PlanForm {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let Path(params) = Path::<Vec<(String, String)>>::from_request_parts(&mut parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let (viewer, FormData(f)) =
            viewer_and_form(Request::from_parts(parts, body), state).await?;
        let param = |name: &str| {
            params
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let id = param("id");
        if viewer.user.is_none() {
            return Err(login_redirect(&format!("/reports/{id}/plan")));
        }
        let f = Fields(f);
        let ctx = async {
            viewer.check_csrf(f.get("csrf"))?;
            report_ctx(state, &viewer, &id).await
        }
        .await
        .map_err(IntoResponse::into_response)?;
        let item = ["gid", "aid", "fid"]
            .into_iter()
            .map(param)
            .find(|v| !v.is_empty())
            .unwrap_or_default();
        Ok(PlanForm {
            viewer,
            ctx,
            f,
            item,
        })
    }
}

/// What a delete form removes.
enum Item {
    Goal,
    Action,
    FollowUp,
}

/// The delete forms: remove the item of the path and go back to the plan.
async fn delete_form(state: AppState, p: PlanForm, item: Item) -> AppResult<Response> {
    let PlanForm {
        ctx, f, item: raw, ..
    } = p;
    // Each use case is its own future type, hence an await in every arm.
    let changed = match item {
        Item::Goal => {
            let gid = parse_id(&raw, "goal")?;
            state.app.delete_goal(&ctx, gid).await?
        }
        Item::Action => {
            let aid = parse_id(&raw, "action")?;
            state.app.delete_action(&ctx, aid).await?
        }
        Item::FollowUp => {
            let fid = parse_id(&raw, "follow-up")?;
            state.app.delete_followup(&ctx, fid).await?
        }
    };
    refresh(&state, changed);
    Ok(Redirect::to(&back(&ctx.report, &f, "deleted", "")).into_response())
}

/// Redirect after a post, or the page again with the refusal and the typed input
/// (for input refused by a rule; any other error is an error page).
async fn finish(
    state: &AppState,
    viewer: &Viewer,
    ctx: &ReportCtx,
    f: Fields,
    result: AppResult<String>,
    (form, target): (&str, i64),
) -> AppResult<Response> {
    let refusal = match result {
        Ok(to) => return Ok(Redirect::to(&to).into_response()),
        Err(e) => match (&e.refusal, e.status) {
            (Some(r), StatusCode::UNPROCESSABLE_ENTITY) => r.clone(),
            _ => return Err(e),
        },
    };
    let tr = Tr::new(viewer.lang);
    let q = PlanQuery {
        tag: Some(f.get("tag").to_string()).filter(|s| !s.is_empty()),
        year: Some(f.get("view_year").to_string()).filter(|s| !s.is_empty()),
        done: None,
    };
    let draft = Draft {
        form: form.to_string(),
        target,
        error: format!("{} {}", tr.t("plan-error-not-saved"), tr.refusal(&refusal)),
        fields: f.0,
    };
    let mut res = render_plan(state, viewer, ctx, &q, draft).await?;
    *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(res)
}

fn back(report: &Report, f: &Fields, done: &str, anchor: &str) -> String {
    let mut q = format!("done={done}");
    if !f.get("tag").is_empty() {
        q.push_str(&format!("&tag={}", f.get("tag")));
    }
    if let Ok(y) = f.get("view_year").parse::<BudgetYear>() {
        q.push_str(&format!("&year={y}"));
    }
    format!("/reports/{}/plan?{q}{anchor}", report.id)
}

fn parse_id(s: &str, what: &str) -> AppResult<i64> {
    s.trim()
        .parse()
        .map_err(|_| AppError::not_found(format!("no {what} {s}")))
}

/// `POST /reports/{id}/plan/goals`: adds a goal.
pub async fn goal_form(State(state): State<AppState>, p: PlanForm) -> AppResult<Response> {
    let PlanForm { viewer, ctx, f, .. } = p;
    let result = async {
        let d = GoalDraft {
            title: f.get("title").into(),
            description: f.get("description").into(),
            tags: f.all("tags"),
            observations: f
                .all("observations")
                .iter()
                .map(|o| o.parse::<i64>())
                .collect::<Result<_, _>>()
                .map_err(|_| refuse("plan-error-number", "bad observation id"))?,
        };
        let (gid, changed) = state.app.create_goal(&ctx, &d).await?;
        refresh(&state, changed);
        Ok(back(&ctx.report, &f, "goal", &format!("#goal-{gid}")))
    }
    .await;
    finish(&state, &viewer, &ctx, f, result, ("goal", 0)).await
}

/// `POST /reports/{id}/plan/goals/{gid}/delete`.
pub async fn goal_delete_form(State(state): State<AppState>, p: PlanForm) -> AppResult<Response> {
    delete_form(state, p, Item::Goal).await
}

fn action_draft(f: &Fields) -> AppResult<ActionDraft> {
    let mut resources = vec![];
    let (euros, pys) = (f.column("res_euros"), f.column("res_py"));
    for (i, y) in f.column("res_year").iter().enumerate() {
        let e = euros.get(i).copied().unwrap_or("");
        let p = pys.get(i).copied().unwrap_or("");
        if y.trim().is_empty() {
            if !e.trim().is_empty() || !p.trim().is_empty() {
                return Err(refuse(
                    "plan-error-resource-no-year",
                    "resources need their budget year",
                ));
            }
            continue;
        }
        let year = y.trim().parse::<BudgetYear>().map_err(refused)?.get();
        resources.push(ResourceDraft {
            year,
            euros: money(e)?.unwrap_or(0.0),
            person_years: person_years(p)?.unwrap_or(0.0),
        });
    }
    Ok(ActionDraft {
        title: f.get("title").into(),
        sector: if f.get("sector") == "other" {
            f.get("sector_other").into()
        } else {
            f.get("sector").into()
        },
        responsible: f.get("responsible").into(),
        start_year: int_field(f, "start_year", "plan-error-year")?,
        end_year: int_field(f, "end_year", "plan-error-year")?,
        tags: f.all("tags"),
        resources,
    })
}

/// `POST /reports/{id}/plan/goals/{gid}/actions`: adds an action with its planned
/// resources.
pub async fn action_form(State(state): State<AppState>, p: PlanForm) -> AppResult<Response> {
    let PlanForm {
        viewer,
        ctx,
        f,
        item: gid,
    } = p;
    let gid = parse_id(&gid, "goal")?;
    let result = async {
        let d = action_draft(&f)?;
        let (aid, changed) = state.app.create_action(&ctx, gid, &d).await?;
        refresh(&state, changed);
        Ok(back(&ctx.report, &f, "action", &format!("#action-{aid}")))
    }
    .await;
    finish(&state, &viewer, &ctx, f, result, ("action", gid)).await
}

/// `POST /reports/{id}/plan/actions/{aid}/delete`.
pub async fn action_delete_form(State(state): State<AppState>, p: PlanForm) -> AppResult<Response> {
    delete_form(state, p, Item::Action).await
}

/// `POST /reports/{id}/plan/actions/{aid}/progress`: status, narrative and resources
/// used in a budget year.
pub async fn progress_form(State(state): State<AppState>, p: PlanForm) -> AppResult<Response> {
    let PlanForm {
        viewer,
        ctx,
        f,
        item: aid,
    } = p;
    let aid = parse_id(&aid, "action")?;
    let result = async {
        let year = int_field(&f, "year", "plan-error-year")?;
        let d = ProgressDraft {
            status: f.get("status").into(),
            narrative: f.get("narrative").into(),
            euros_used: money(f.get("euros_used"))?,
            person_years_used: person_years(f.get("py_used"))?,
        };
        let changed = state.app.record_progress(&ctx, aid, year, &d).await?;
        refresh(&state, changed);
        Ok(back(&ctx.report, &f, "progress", &format!("#action-{aid}")))
    }
    .await;
    finish(&state, &viewer, &ctx, f, result, ("progress", aid)).await
}

fn followup_draft(f: &Fields) -> AppResult<FollowUpDraft> {
    let target_value = opt_decimal(f, "target_value")?.ok_or_else(|| {
        refuse(
            "plan-error-target-value",
            "a follow-up needs a target value",
        )
    })?;
    Ok(FollowUpDraft {
        goal_id: int_field(f, "goal_id", "plan-error-goal")?,
        action_id: opt_int(f, "action_id")?,
        indicator_id: int_field(f, "indicator_id", "plan-error-indicator")?,
        baseline_year: opt_int(f, "baseline_year")?,
        baseline_value: opt_decimal(f, "baseline_value")?,
        target_year: int_field(f, "target_year", "plan-error-year")?,
        target_value,
    })
}

/// `POST /reports/{id}/plan/follow-ups`: adds a follow-up indicator; an empty
/// baseline value is taken from the data.
pub async fn followup_form(State(state): State<AppState>, p: PlanForm) -> AppResult<Response> {
    let PlanForm { viewer, ctx, f, .. } = p;
    let result = async {
        let d = followup_draft(&f)?;
        let (_, changed) = state.app.create_followup(&ctx, &d).await?;
        refresh(&state, changed);
        Ok(back(
            &ctx.report,
            &f,
            "followup",
            &format!("#goal-{}", d.goal_id),
        ))
    }
    .await;
    finish(&state, &viewer, &ctx, f, result, ("followup", 0)).await
}

/// `POST /reports/{id}/plan/follow-ups/{fid}/delete`.
pub async fn followup_delete_form(
    State(state): State<AppState>,
    p: PlanForm,
) -> AppResult<Response> {
    delete_form(state, p, Item::FollowUp).await
}

/// `POST /reports/{id}/yearly-reports`: generates the yearly report of a year and
/// opens it.
pub async fn yearly_form(State(state): State<AppState>, p: PlanForm) -> AppResult<Response> {
    let PlanForm { viewer, ctx, f, .. } = p;
    let tr = Tr::new(viewer.lang);
    let result = async {
        let year = int_field(&f, "year", "plan-error-year")?;
        let yid = generate_yearly(&state, &ctx, year, &tr).await?;
        Ok(format!("/reports/{yid}"))
    }
    .await;
    finish(&state, &viewer, &ctx, f, result, ("yearly", 0)).await
}
