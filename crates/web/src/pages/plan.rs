//! The welfare plan of a report and its yearly follow-up: goals answering the report's
//! concerns, actions with responsible sector and person, resources per budget year,
//! follow-up indicators with baselines from the data, statutory plan tags with a
//! filtered view per tag, yearly progress, the accountability view, the generated
//! yearly report, and CSV/XLSX exports.
//!
//! The rules here (validation, permissions, the generated yearly report) are shared
//! with the JSON API in `api::plan`.

use super::render;
use crate::auth::Viewer;
use crate::export::{Cell, ExportFormat, Table};
use crate::i18n::Tr;
use crate::pages::login_redirect;
use crate::pages::report_data::{
    evidence_of, load_report, propose_from_data, ReportAccess, ReportHead,
};
use crate::pages::reports::DEFAULT_SECTORS;
use crate::view::Page;
use crate::{AppError, AppResult, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use hyte_domain::plan::{
    check_followup, check_schedule, check_text, tracking, valid_tag_key, ActionStatus, BudgetYear,
    Euros, PersonYears, PlanError, PlanTag, StatusCounts, Tracking, YearValue,
};
use hyte_domain::report::{ObservationKind, ReportKind, SelectionState};
use hyte_domain::{IndicatorId, Polarity, Role, Sex};
use hyte_stats::Outcome;
use hyte_store::indicators::ValueQuery;
use hyte_store::plan::{
    ActionInput, FollowUp, FollowUpInput, GoalInput, Plan, PlanAction, ProgressInput, Resource,
};
use hyte_store::reports::{NewReport, Report};
use hyte_store::users::User;
use serde::{Deserialize, Serialize};
use std::borrow::Borrow;
use std::collections::{BTreeSet, HashMap};
use std::sync::OnceLock;

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
        .route("/reports/{id}/plan/table.csv", get(plan_csv))
        .route("/reports/{id}/plan/table.xlsx", get(plan_xlsx))
        .route("/reports/{id}/plan/progress.csv", get(progress_csv))
        .route("/reports/{id}/plan/progress.xlsx", get(progress_xlsx))
        .route("/reports/{id}/yearly-reports", post(yearly_form))
}

// ---------------------------------------------------------------------------
// Configuration: the plan tags
// ---------------------------------------------------------------------------

/// The statutory and recommended plans, shipped as data (`data/presets/plan_tags.csv`).
pub const PLAN_TAGS_CSV: &str = include_str!("../../../../data/presets/plan_tags.csv");

#[derive(Deserialize)]
struct TagRow {
    key: String,
    name_fi: String,
    name_sv: String,
    name_en: String,
    law: String,
}

/// Parses a tag file (`key,name_fi,name_sv,name_en,law`).
pub fn parse_tags(text: &str) -> Result<Vec<PlanTag>, String> {
    let mut out: Vec<PlanTag> = vec![];
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    for (i, row) in rdr.deserialize::<TagRow>().enumerate() {
        let line = i + 2;
        let r = row.map_err(|e| format!("plan tags line {line}: {e}"))?;
        if !valid_tag_key(&r.key) {
            return Err(format!(
                "plan tags line {line}: key '{}' must be lower-case letters, digits and _",
                r.key
            ));
        }
        if out.iter().any(|t| t.key == r.key) {
            return Err(format!("plan tags line {line}: duplicate key '{}'", r.key));
        }
        if r.name_fi.trim().is_empty() || r.name_sv.trim().is_empty() || r.name_en.trim().is_empty()
        {
            return Err(format!(
                "plan tags line {line}: every tag needs a Finnish, Swedish and English name"
            ));
        }
        out.push(PlanTag {
            key: r.key,
            fi: r.name_fi,
            sv: r.name_sv,
            en: r.name_en,
            law: r.law,
        });
    }
    Ok(out)
}

/// The shipped tags (parsed once; a broken file is caught by the unit test).
pub fn plan_tags() -> &'static [PlanTag] {
    static T: OnceLock<Vec<PlanTag>> = OnceLock::new();
    T.get_or_init(|| parse_tags(PLAN_TAGS_CSV).unwrap_or_default())
}

fn tag_name(key: &str, lang: &str) -> String {
    plan_tags()
        .iter()
        .find(|t| t.key == key)
        .map(|t| t.name(lang).to_string())
        .unwrap_or_else(|| key.to_string())
}

// ---------------------------------------------------------------------------
// Refusals and permissions
// ---------------------------------------------------------------------------

/// Input refused by a plan rule: a catalogue key for the page and an English sentence
/// for the API.
#[derive(Debug, Clone)]
pub struct Refusal {
    /// Catalogue key (`plan-error-…`).
    pub key: &'static str,
    /// English sentence.
    pub message: String,
}

impl Refusal {
    fn new(key: &'static str, message: impl Into<String>) -> Self {
        Refusal {
            key,
            message: message.into(),
        }
    }
}

impl From<PlanError> for Refusal {
    fn from(e: PlanError) -> Self {
        let key = match &e {
            PlanError::Year(_) => "plan-error-year",
            PlanError::Euros(_) => "plan-error-euros",
            PlanError::PersonYears(_) => "plan-error-person-years",
            PlanError::Schedule { .. } => "plan-error-schedule",
            PlanError::Text { field: "title", .. } => "plan-error-title",
            PlanError::Text { .. } => "plan-error-text",
            PlanError::TargetYear { .. } => "plan-error-target-year",
            PlanError::TargetDirection { .. } => "plan-error-target-direction",
            PlanError::Number(_) => "plan-error-number",
        };
        Refusal::new(key, e.to_string())
    }
}

impl From<Refusal> for AppError {
    fn from(r: Refusal) -> Self {
        AppError::unprocessable(r.message)
    }
}

/// Errors of a plan operation: refused input (422 with a translatable key) or any
/// other error.
#[derive(Debug)]
pub enum PlanFail {
    /// Input refused.
    Refused(Refusal),
    /// Anything else (404, 403, database).
    Other(AppError),
}

impl From<AppError> for PlanFail {
    fn from(e: AppError) -> Self {
        PlanFail::Other(e)
    }
}

impl From<hyte_store::StoreError> for PlanFail {
    fn from(e: hyte_store::StoreError) -> Self {
        PlanFail::Other(e.into())
    }
}

impl From<PlanFail> for AppError {
    fn from(f: PlanFail) -> Self {
        match f {
            PlanFail::Refused(r) => r.into(),
            PlanFail::Other(e) => e,
        }
    }
}

fn refuse<T>(r: impl Into<Refusal>) -> Result<T, PlanFail> {
    Err(PlanFail::Refused(r.into()))
}

/// Whether the caller edits the plan (goals, actions, resources, follow-ups):
/// coordinators and admins.
pub fn can_edit_plan(acc: ReportAccess) -> bool {
    acc.can_decide()
}

/// Whether the caller records an action's yearly progress: coordinators always, an
/// editor when the action belongs to their sector.
pub fn can_update_progress(acc: ReportAccess, user: &User, a: &PlanAction) -> bool {
    match acc {
        ReportAccess::Member(r) if r.at_least(Role::Coordinator) => true,
        ReportAccess::Member(Role::Editor) => user.sector.as_deref() == Some(a.sector.as_str()),
        _ => false,
    }
}

// ---------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------

/// A goal as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct GoalDraft {
    /// Title.
    #[serde(default)]
    pub title: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Tag keys.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Observation ids.
    #[serde(default)]
    pub observations: Vec<i64>,
}

/// Planned resources as typed: numbers from the API, text from forms.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ResourceDraft {
    /// Budget year.
    pub year: i64,
    /// Euros.
    #[serde(default)]
    pub euros: f64,
    /// Person-years.
    #[serde(default)]
    pub person_years: f64,
}

/// An action as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ActionDraft {
    /// Title.
    #[serde(default)]
    pub title: String,
    /// Sector.
    #[serde(default)]
    pub sector: String,
    /// Responsible person.
    #[serde(default)]
    pub responsible: String,
    /// First year.
    pub start_year: i64,
    /// Last year.
    pub end_year: i64,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Resources.
    #[serde(default)]
    pub resources: Vec<ResourceDraft>,
}

/// A follow-up as typed. A missing baseline value is taken from the data.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct FollowUpDraft {
    /// Goal.
    pub goal_id: i64,
    /// Action of the goal.
    #[serde(default)]
    pub action_id: Option<i64>,
    /// Indicator.
    pub indicator_id: i64,
    /// Baseline year (default: the latest year with data).
    #[serde(default)]
    pub baseline_year: Option<i64>,
    /// Baseline value (default: the value in the data).
    #[serde(default)]
    pub baseline_value: Option<f64>,
    /// Target year.
    pub target_year: i64,
    /// Target value.
    pub target_value: f64,
}

/// Yearly progress as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProgressDraft {
    /// Status.
    pub status: String,
    /// Narrative.
    #[serde(default)]
    pub narrative: String,
    /// Euros used.
    #[serde(default)]
    pub euros_used: Option<f64>,
    /// Person-years used.
    #[serde(default)]
    pub person_years_used: Option<f64>,
}

fn check_tags(tags: &[String]) -> Result<Vec<String>, Refusal> {
    let mut out: Vec<String> = vec![];
    for t in tags {
        let t = t.trim();
        if t.is_empty() {
            continue;
        }
        if !plan_tags().iter().any(|x| x.key == t) {
            return Err(Refusal::new(
                "plan-error-tag",
                format!(
                    "'{t}' is not a plan tag: use one of {}",
                    plan_tags()
                        .iter()
                        .map(|x| x.key.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        if !out.iter().any(|x| x == t) {
            out.push(t.to_string());
        }
    }
    Ok(out)
}

fn goal_input(d: &GoalDraft) -> Result<GoalInput, Refusal> {
    let title = check_text("title", &d.title, 300)?;
    if d.description.chars().count() > 5000 {
        return Err(PlanError::Text {
            field: "description",
            max: 5000,
        }
        .into());
    }
    let mut obs = d.observations.clone();
    obs.sort_unstable();
    obs.dedup();
    Ok(GoalInput {
        title,
        description: d.description.trim().to_string(),
        tags: check_tags(&d.tags)?,
        observations: obs,
    })
}

fn action_input(d: &ActionDraft) -> Result<ActionInput, Refusal> {
    let title = check_text("title", &d.title, 300)?;
    let sector = check_text("sector", &d.sector, 100).map_err(|_| {
        Refusal::new(
            "plan-error-sector",
            "an action needs a responsible sector (at most 100 characters)",
        )
    })?;
    if d.responsible.chars().count() > 200 {
        return Err(PlanError::Text {
            field: "responsible person",
            max: 200,
        }
        .into());
    }
    let (start, end) = check_schedule(d.start_year, d.end_year)?;
    let mut resources: Vec<Resource> = vec![];
    for r in &d.resources {
        let year = BudgetYear::new(r.year)?;
        if year < start || year > end {
            return Err(Refusal::new(
                "plan-error-resource-year",
                format!(
                    "resources for {} fall outside the action's schedule {}–{}",
                    r.year, d.start_year, d.end_year
                ),
            ));
        }
        if resources.iter().any(|x| x.year == year) {
            return Err(Refusal::new(
                "plan-error-resource-twice",
                format!("resources for {} are given twice", r.year),
            ));
        }
        resources.push(Resource {
            year,
            euros: Euros::from_f64(r.euros)?,
            person_years: PersonYears::from_f64(r.person_years)?,
        });
    }
    resources.sort_by_key(|r| r.year);
    Ok(ActionInput {
        title,
        sector,
        responsible: d.responsible.trim().to_string(),
        start_year: start,
        end_year: end,
        tags: check_tags(&d.tags)?,
        resources,
    })
}

fn progress_input(d: &ProgressDraft) -> Result<ProgressInput, Refusal> {
    let status: ActionStatus = d
        .status
        .parse()
        .map_err(|e: String| Refusal::new("plan-error-status", e))?;
    if d.narrative.chars().count() > 2000 {
        return Err(PlanError::Text {
            field: "narrative",
            max: 2000,
        }
        .into());
    }
    Ok(ProgressInput {
        status,
        narrative: d.narrative.trim().to_string(),
        euros_used: d.euros_used.map(Euros::from_f64).transpose()?,
        person_years_used: d.person_years_used.map(PersonYears::from_f64).transpose()?,
    })
}

// ---------------------------------------------------------------------------
// Operations shared with the API
// ---------------------------------------------------------------------------

async fn audit(
    state: &AppState,
    user: &User,
    report: &Report,
    action: &str,
    detail: String,
) -> AppResult<()> {
    state
        .store
        .audit(
            Some(&user.email),
            Some(&report.org),
            action,
            &format!("report {}: {detail}", report.id),
        )
        .await?;
    // Every plan change is audited, so this is where the public outputs of the report
    // (which show the plan) are made stale.
    state.outputs.forget(report.id);
    Ok(())
}

fn require_edit(acc: ReportAccess) -> Result<(), PlanFail> {
    if can_edit_plan(acc) {
        Ok(())
    } else {
        Err(AppError::forbidden("only the report's coordinators edit the plan").into())
    }
}

/// Adds a goal (coordinators).
pub async fn create_goal(
    state: &AppState,
    report: &Report,
    acc: ReportAccess,
    user: &User,
    d: &GoalDraft,
) -> Result<i64, PlanFail> {
    require_edit(acc)?;
    let g = goal_input(d).map_err(PlanFail::Refused)?;
    let id = state.store.add_goal(report.id, &g, &user.email).await?;
    audit(
        state,
        user,
        report,
        "plan_goal_added",
        format!("goal {id}: {}", g.title),
    )
    .await?;
    Ok(id)
}

/// Replaces a goal (coordinators).
pub async fn update_goal(
    state: &AppState,
    report: &Report,
    acc: ReportAccess,
    user: &User,
    gid: i64,
    d: &GoalDraft,
) -> Result<(), PlanFail> {
    require_edit(acc)?;
    goal_of(state, report, gid).await?;
    let g = goal_input(d).map_err(PlanFail::Refused)?;
    state.store.update_goal(gid, &g, &user.email).await?;
    audit(
        state,
        user,
        report,
        "plan_goal_changed",
        format!("goal {gid}: {}", g.title),
    )
    .await?;
    Ok(())
}

/// Deletes a goal with its actions (coordinators).
pub async fn delete_goal(
    state: &AppState,
    report: &Report,
    acc: ReportAccess,
    user: &User,
    gid: i64,
) -> Result<(), PlanFail> {
    require_edit(acc)?;
    goal_of(state, report, gid).await?;
    state.store.delete_goal(gid).await?;
    audit(
        state,
        user,
        report,
        "plan_goal_deleted",
        format!("goal {gid}"),
    )
    .await?;
    Ok(())
}

async fn goal_of(state: &AppState, report: &Report, gid: i64) -> AppResult<()> {
    match state.store.goal_report(gid).await? {
        Some(r) if r == report.id => Ok(()),
        _ => Err(AppError::not_found(format!("no goal {gid} in this report"))),
    }
}

async fn action_of(state: &AppState, report: &Report, aid: i64) -> AppResult<i64> {
    match state.store.action_place(aid).await? {
        Some((goal, r)) if r == report.id => Ok(goal),
        _ => Err(AppError::not_found(format!(
            "no action {aid} in this report"
        ))),
    }
}

/// Adds an action to a goal (coordinators).
pub async fn create_action(
    state: &AppState,
    report: &Report,
    acc: ReportAccess,
    user: &User,
    gid: i64,
    d: &ActionDraft,
) -> Result<i64, PlanFail> {
    require_edit(acc)?;
    goal_of(state, report, gid).await?;
    let a = action_input(d).map_err(PlanFail::Refused)?;
    let id = state.store.add_action(gid, &a, &user.email).await?;
    audit(
        state,
        user,
        report,
        "plan_action_added",
        format!("action {id} of goal {gid}: {} ({})", a.title, a.sector),
    )
    .await?;
    Ok(id)
}

/// Replaces an action (coordinators).
pub async fn update_action(
    state: &AppState,
    report: &Report,
    acc: ReportAccess,
    user: &User,
    aid: i64,
    d: &ActionDraft,
) -> Result<(), PlanFail> {
    require_edit(acc)?;
    action_of(state, report, aid).await?;
    let a = action_input(d).map_err(PlanFail::Refused)?;
    state.store.update_action(aid, &a, &user.email).await?;
    audit(
        state,
        user,
        report,
        "plan_action_changed",
        format!("action {aid}: {}", a.title),
    )
    .await?;
    Ok(())
}

/// Deletes an action (coordinators).
pub async fn delete_action(
    state: &AppState,
    report: &Report,
    acc: ReportAccess,
    user: &User,
    aid: i64,
) -> Result<(), PlanFail> {
    require_edit(acc)?;
    action_of(state, report, aid).await?;
    state.store.delete_action(aid).await?;
    audit(
        state,
        user,
        report,
        "plan_action_deleted",
        format!("action {aid}"),
    )
    .await?;
    Ok(())
}

/// Records an action's progress in a budget year (coordinators; editors of the
/// action's sector).
pub async fn record_progress(
    state: &AppState,
    report: &Report,
    acc: ReportAccess,
    user: &User,
    aid: i64,
    year: i64,
    d: &ProgressDraft,
) -> Result<(), PlanFail> {
    action_of(state, report, aid).await?;
    let plan = state.store.plan(report.id).await?;
    let Some(action) = plan.actions.iter().find(|a| a.id == aid) else {
        return Err(AppError::not_found(format!("no action {aid} in this report")).into());
    };
    if !can_update_progress(acc, user, action) {
        return Err(AppError::forbidden(
            "only coordinators and editors of the action's sector record its progress",
        )
        .into());
    }
    let year = BudgetYear::new(year).map_err(|e| PlanFail::Refused(e.into()))?;
    let p = progress_input(d).map_err(PlanFail::Refused)?;
    state.store.put_progress(aid, year, &p, &user.email).await?;
    audit(
        state,
        user,
        report,
        "plan_progress",
        format!("action {aid} in {year}: {}", p.status),
    )
    .await?;
    Ok(())
}

/// The value of an indicator for the report's organisation in a year, or in the
/// latest year with a value.
pub async fn value_from_data(
    state: &AppState,
    report: &Report,
    indicator_id: i64,
    year: Option<i64>,
) -> AppResult<Option<YearValue>> {
    let values = state
        .store
        .values(
            IndicatorId(indicator_id),
            &ValueQuery {
                regions: vec![report.org.clone()],
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

async fn followup_input(
    state: &AppState,
    report: &Report,
    d: &FollowUpDraft,
) -> Result<FollowUpInput, PlanFail> {
    goal_of(state, report, d.goal_id).await.map_err(|_| {
        PlanFail::Refused(Refusal::new(
            "plan-error-goal",
            format!("goal {} is not a goal of this report", d.goal_id),
        ))
    })?;
    if let Some(aid) = d.action_id {
        match state.store.action_place(aid).await? {
            Some((g, _)) if g == d.goal_id => {}
            _ => {
                return refuse(Refusal::new(
                    "plan-error-action",
                    format!("action {aid} is not an action of goal {}", d.goal_id),
                ))
            }
        }
    }
    let Some(ind) = state.store.indicator(IndicatorId(d.indicator_id)).await? else {
        return refuse(Refusal::new(
            "plan-error-indicator",
            format!(
                "Hyte has no indicator {}; choose one from the indicator catalogue",
                d.indicator_id
            ),
        ));
    };
    let (baseline, overridden) = match d.baseline_value {
        Some(v) => {
            let Some(y) = d.baseline_year else {
                return refuse(Refusal::new(
                    "plan-error-baseline-year",
                    "a baseline value typed in needs its year",
                ));
            };
            let from_data = value_from_data(state, report, ind.id.0, Some(y)).await?;
            let differs = from_data.is_none_or(|x| (x.value - v).abs() > 1e-9);
            (YearValue { year: y, value: v }, differs)
        }
        None => match value_from_data(state, report, ind.id.0, d.baseline_year).await? {
            Some(b) => (b, false),
            None => {
                return refuse(Refusal::new(
                    "plan-error-no-baseline",
                    match d.baseline_year {
                        Some(y) => format!(
                            "the data has no value of this indicator for the organisation in {y}: choose another year or type the baseline value"
                        ),
                        None => "the data has no value of this indicator for the organisation: type the baseline year and value".to_string(),
                    },
                ))
            }
        },
    };
    let target = YearValue {
        year: d.target_year,
        value: d.target_value,
    };
    check_followup(ind.polarity, baseline, target).map_err(|e| PlanFail::Refused(e.into()))?;
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
/// unless typed in.
pub async fn create_followup(
    state: &AppState,
    report: &Report,
    acc: ReportAccess,
    user: &User,
    d: &FollowUpDraft,
) -> Result<i64, PlanFail> {
    require_edit(acc)?;
    let f = followup_input(state, report, d).await?;
    let id = state.store.add_followup(&f, &user.email).await?;
    audit(
        state,
        user,
        report,
        "plan_followup_added",
        format!(
            "follow-up {id}: indicator {} from {} ({}) to {} ({})",
            f.indicator_id, f.baseline_value, f.baseline_year, f.target_value, f.target_year
        ),
    )
    .await?;
    Ok(id)
}

/// Replaces a follow-up indicator (coordinators).
pub async fn update_followup(
    state: &AppState,
    report: &Report,
    acc: ReportAccess,
    user: &User,
    fid: i64,
    d: &FollowUpDraft,
) -> Result<(), PlanFail> {
    require_edit(acc)?;
    followup_of(state, report, fid).await?;
    let f = followup_input(state, report, d).await?;
    state.store.update_followup(fid, &f, &user.email).await?;
    audit(
        state,
        user,
        report,
        "plan_followup_changed",
        format!("follow-up {fid}"),
    )
    .await?;
    Ok(())
}

/// Deletes a follow-up indicator (coordinators).
pub async fn delete_followup(
    state: &AppState,
    report: &Report,
    acc: ReportAccess,
    user: &User,
    fid: i64,
) -> Result<(), PlanFail> {
    require_edit(acc)?;
    followup_of(state, report, fid).await?;
    state.store.delete_followup(fid).await?;
    audit(
        state,
        user,
        report,
        "plan_followup_deleted",
        format!("follow-up {fid}"),
    )
    .await?;
    Ok(())
}

async fn followup_of(state: &AppState, report: &Report, fid: i64) -> AppResult<()> {
    match state.store.followup_report(fid).await? {
        Some(r) if r == report.id => Ok(()),
        _ => Err(AppError::not_found(format!(
            "no follow-up indicator {fid} in this report"
        ))),
    }
}

// ---------------------------------------------------------------------------
// Follow-up status from the data
// ---------------------------------------------------------------------------

/// A follow-up indicator with its latest value and whether it is on track.
#[derive(Debug, Clone, Serialize)]
pub struct FollowUpStatus {
    /// The stored follow-up.
    #[serde(flatten)]
    pub followup: FollowUp,
    /// Indicator title in the request's language.
    pub title: String,
    /// Polarity.
    pub polarity: Polarity,
    /// Decimals to show.
    #[serde(skip)]
    pub decimals: u32,
    /// Latest value of the organisation.
    pub latest: Option<YearValue>,
    /// Where it stands.
    pub tracking: Tracking,
}

/// The follow-ups of a plan with their latest values and tracking.
pub async fn followup_statuses(
    state: &AppState,
    report: &Report,
    plan: &Plan,
    lang: &str,
) -> AppResult<Vec<FollowUpStatus>> {
    let mut out = vec![];
    for f in &plan.followups {
        let ind = state.store.indicator(IndicatorId(f.indicator_id)).await?;
        let polarity = ind.as_ref().map(|i| i.polarity).unwrap_or_default();
        let latest = value_from_data(state, report, f.indicator_id, None).await?;
        let baseline = YearValue {
            year: f.baseline_year,
            value: f.baseline_value,
        };
        let target = YearValue {
            year: f.target_year,
            value: f.target_value,
        };
        out.push(FollowUpStatus {
            title: ind
                .as_ref()
                .map(|i| i.title.get(lang).to_string())
                .unwrap_or_else(|| f.indicator_id.to_string()),
            decimals: ind
                .as_ref()
                .map(|i| i.decimals.clamp(0, 6) as u32)
                .unwrap_or(1),
            polarity,
            tracking: tracking(polarity, baseline, target, latest),
            latest,
            followup: f.clone(),
        });
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// The plan as shown: a filtered, formatted view
// ---------------------------------------------------------------------------

fn fmt_num(v: f64, decimals: u32, lang: &str) -> String {
    hyte_charts::format_number(v, decimals, lang != "en")
}

fn fmt_yv(v: Option<YearValue>, decimals: u32, lang: &str) -> String {
    match v {
        Some(v) => format!("{} ({})", fmt_num(v.value, decimals, lang), v.year),
        None => "–".into(),
    }
}

fn sector_text(tr: &Tr, s: &str) -> String {
    if DEFAULT_SECTORS.contains(&s) {
        tr.t(&format!("rep-sector-{s}"))
    } else {
        s.to_string()
    }
}

fn tags_text(tags: &[String], lang: &str) -> String {
    tags.iter()
        .map(|t| tag_name(t, lang))
        .collect::<Vec<_>>()
        .join(", ")
}

fn resource_text(tr: &Tr, r: &Resource) -> String {
    let lang = tr.code();
    tr.ta(
        "plan-resource-line",
        &[
            ("year", r.year.to_string()),
            ("euros", r.euros.display(lang)),
            ("py", r.person_years.display(lang)),
        ],
    )
}

/// An option of a select or a checkbox.
pub struct Choice {
    /// Value.
    pub value: String,
    /// Text.
    pub text: String,
    /// Whether chosen.
    pub selected: bool,
}

/// A follow-up as shown.
pub struct FollowRow {
    /// Id.
    pub id: i64,
    /// Indicator title.
    pub title: String,
    /// Indicator id.
    pub indicator_id: i64,
    /// Action title, when it follows one action.
    pub action: String,
    /// Baseline text.
    pub baseline: String,
    /// Whether the baseline was typed in.
    pub overridden: bool,
    /// Latest text.
    pub latest: String,
    /// Target text.
    pub target: String,
    /// Tracking key.
    pub tracking: &'static str,
    /// Tracking text.
    pub tracking_text: String,
    /// Direction text.
    pub direction: String,
}

/// An action as shown.
pub struct ActionRow {
    /// Id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Sector text.
    pub sector: String,
    /// Responsible person.
    pub responsible: String,
    /// Schedule text.
    pub schedule: String,
    /// Tags text.
    pub tags: String,
    /// Planned resources, one line per year.
    pub resources: Vec<String>,
    /// Status key in the selected year.
    pub status: &'static str,
    /// Status text.
    pub status_text: String,
    /// Narrative of the selected year.
    pub narrative: String,
    /// Resources used in the selected year.
    pub used: String,
    /// Planned in the selected year.
    pub planned: String,
    /// Progress 0..=100.
    pub percent: u32,
    /// Whether the viewer records its progress.
    pub can_progress: bool,
    /// Status choices for the progress form.
    pub status_opts: Vec<Choice>,
    /// Euros used as typed.
    pub euros_used: String,
    /// Person-years used as typed.
    pub py_used: String,
}

/// A goal as shown.
pub struct GoalRow {
    /// Id.
    pub id: i64,
    /// Number in the plan (1-based, of the unfiltered plan).
    pub number: usize,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Tags text.
    pub tags: String,
    /// Concerns and joys it answers.
    pub answers: Vec<String>,
    /// Actions (filtered).
    pub actions: Vec<ActionRow>,
    /// Follow-ups.
    pub followups: Vec<FollowRow>,
    /// Status counts in the selected year.
    pub counts: Vec<(String, usize)>,
    /// Progress 0..=100.
    pub percent: u32,
    /// Progress in words.
    pub percent_text: String,
}

/// The plan, filtered by tag and formatted for one budget year. The same view serves
/// the working group (`read_only = false`) and, once published, the public.
pub struct PlanView {
    /// Goals.
    pub goals: Vec<GoalRow>,
    /// The budget year shown.
    pub year: i64,
    /// Heading of the accountability view.
    pub heading: String,
    /// Whether forms are hidden.
    pub read_only: bool,
    /// Counts of all shown actions.
    pub counts: Vec<(String, usize)>,
    /// Overall progress.
    pub percent: u32,
    /// Overall progress in words.
    pub percent_text: String,
    /// Total euros planned in the year.
    pub euros_planned: String,
    /// Total euros used in the year.
    pub euros_used: String,
    /// Person-years planned.
    pub py_planned: String,
    /// Person-years used.
    pub py_used: String,
}

fn counts_rows(tr: &Tr, c: &StatusCounts) -> Vec<(String, usize)> {
    ActionStatus::ALL
        .iter()
        .map(|s| (tr.t(&format!("plan-status-{s}")), c.get(*s)))
        .collect()
}

/// Whether an item with these tags is shown under a tag filter.
fn tagged(tags: &[String], tag: Option<&str>) -> bool {
    tag.is_none_or(|t| tags.iter().any(|x| x == t))
}

/// Builds the view. With a tag, only goals and actions carrying it are shown (a goal
/// with the tag shows all its actions; an untagged goal is shown when one of its
/// actions carries the tag, with only those actions).
#[allow(clippy::too_many_arguments)]
pub async fn plan_view(
    state: &AppState,
    report: &Report,
    plan: &Plan,
    tr: &Tr,
    tag: Option<&str>,
    year: i64,
    acc: Option<(ReportAccess, &User)>,
) -> AppResult<PlanView> {
    let lang = tr.code();
    let statuses = followup_statuses(state, report, plan, lang).await?;
    let observations: HashMap<i64, String> = state
        .store
        .observations(report.id)
        .await?
        .into_iter()
        .map(|o| {
            let kind = match o.kind {
                ObservationKind::Concern => tr.t("plan-concern"),
                ObservationKind::Joy => tr.t("plan-joy"),
            };
            (o.id, format!("{kind}: {}", o.body))
        })
        .collect();
    let read_only = acc.is_none();
    let mut goals = vec![];
    let mut all_statuses = vec![];
    let (mut ep, mut eu, mut pp, mut pu) = (0i64, 0i64, 0i64, 0i64);
    for (gi, g) in plan.goals.iter().enumerate() {
        let goal_tagged = tagged(&g.tags, tag);
        let acts: Vec<&PlanAction> = plan
            .actions
            .iter()
            .filter(|a| a.goal_id == g.id && (goal_tagged || tagged(&a.tags, tag)))
            .collect();
        if !goal_tagged && acts.is_empty() {
            continue;
        }
        let mut rows = vec![];
        let mut st = vec![];
        for a in &acts {
            let p = a.progress_in(year);
            let status = p.map(|p| p.status);
            st.push(status);
            let planned = a.resources_in(year);
            ep += planned.map(|r| r.euros.cents()).unwrap_or(0);
            pp += planned.map(|r| r.person_years.hundredths()).unwrap_or(0);
            eu += p.and_then(|p| p.euros_used).map(|e| e.cents()).unwrap_or(0);
            pu += p
                .and_then(|p| p.person_years_used)
                .map(|e| e.hundredths())
                .unwrap_or(0);
            let s = status.unwrap_or(ActionStatus::NotStarted);
            let used = match p {
                Some(p) if p.euros_used.is_some() || p.person_years_used.is_some() => tr.ta(
                    "plan-used-line",
                    &[
                        (
                            "euros",
                            p.euros_used.map(|e| e.display(lang)).unwrap_or("–".into()),
                        ),
                        (
                            "py",
                            p.person_years_used
                                .map(|e| e.display(lang))
                                .unwrap_or("–".into()),
                        ),
                    ],
                ),
                _ => "–".into(),
            };
            rows.push(ActionRow {
                id: a.id,
                title: a.title.clone(),
                sector: sector_text(tr, &a.sector),
                responsible: a.responsible.clone(),
                schedule: if a.start_year == a.end_year {
                    a.start_year.to_string()
                } else {
                    format!("{}–{}", a.start_year, a.end_year)
                },
                tags: tags_text(&a.tags, lang),
                resources: a.resources.iter().map(|r| resource_text(tr, r)).collect(),
                status: s.as_str(),
                status_text: tr.t(&format!("plan-status-{s}")),
                narrative: p.map(|p| p.narrative.clone()).unwrap_or_default(),
                used,
                planned: planned
                    .map(|r| resource_text(tr, r))
                    .unwrap_or_else(|| "–".into()),
                percent: (s.weight() * 100.0) as u32,
                can_progress: acc.is_some_and(|(acc, u)| can_update_progress(acc, u, a)),
                status_opts: ActionStatus::ALL
                    .iter()
                    .map(|x| Choice {
                        value: x.as_str().into(),
                        text: tr.t(&format!("plan-status-{x}")),
                        selected: *x == s,
                    })
                    .collect(),
                euros_used: p
                    .and_then(|p| p.euros_used)
                    .map(|e| e.display("en"))
                    .unwrap_or_default(),
                py_used: p
                    .and_then(|p| p.person_years_used)
                    .map(|e| e.display("en"))
                    .unwrap_or_default(),
            });
        }
        all_statuses.extend(st.iter().copied());
        let counts = StatusCounts::of(st);
        let followups = statuses
            .iter()
            .filter(|f| {
                f.followup.goal_id == g.id
                    && f.followup
                        .action_id
                        .is_none_or(|aid| acts.iter().any(|a| a.id == aid))
            })
            .map(|f| follow_row(tr, f, plan))
            .collect();
        goals.push(GoalRow {
            id: g.id,
            number: gi + 1,
            title: g.title.clone(),
            description: g.description.clone(),
            tags: tags_text(&g.tags, lang),
            answers: g
                .observations
                .iter()
                .filter_map(|o| observations.get(o).cloned())
                .collect(),
            actions: rows,
            followups,
            counts: counts_rows(tr, &counts),
            percent: counts.percent,
            percent_text: tr.ta(
                "plan-progress-percent",
                &[("percent", counts.percent.to_string())],
            ),
        });
    }
    let total = StatusCounts::of(all_statuses);
    let e = |c: i64| Euros::from_cents(c).unwrap_or_default().display(lang);
    let h = |c: i64| {
        PersonYears::from_hundredths(c)
            .unwrap_or_default()
            .display(lang)
    };
    Ok(PlanView {
        goals,
        year,
        heading: tr.ta("plan-accountability-title", &[("year", year.to_string())]),
        read_only,
        counts: counts_rows(tr, &total),
        percent: total.percent,
        percent_text: tr.ta(
            "plan-progress-percent",
            &[("percent", total.percent.to_string())],
        ),
        euros_planned: e(ep),
        euros_used: e(eu),
        py_planned: h(pp),
        py_used: h(pu),
    })
}

/// The plan of a published report, with its progress in the default budget year (the
/// report's year, or this year within the council term); `None` without goals.
pub async fn published_plan(
    state: &AppState,
    report: &Report,
    tr: &Tr,
) -> AppResult<Option<hyte_publish::PublishedPlan>> {
    use hyte_publish::{
        PlanColumns, PublishedAction, PublishedFollowUp, PublishedGoal, PublishedPlan, StatusCount,
    };
    let plan = state.store.plan(report.id).await?;
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
        columns: PlanColumns {
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
        },
        goals: view
            .goals
            .into_iter()
            .map(|g| PublishedGoal {
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
            })
            .collect(),
    }))
}

fn follow_row(tr: &Tr, f: &FollowUpStatus, plan: &Plan) -> FollowRow {
    let lang = tr.code();
    let d = f.decimals;
    FollowRow {
        id: f.followup.id,
        title: f.title.clone(),
        indicator_id: f.followup.indicator_id,
        action: f
            .followup
            .action_id
            .and_then(|aid| plan.actions.iter().find(|a| a.id == aid))
            .map(|a| a.title.clone())
            .unwrap_or_default(),
        baseline: fmt_yv(
            Some(YearValue {
                year: f.followup.baseline_year,
                value: f.followup.baseline_value,
            }),
            d,
            lang,
        ),
        overridden: f.followup.baseline_overridden,
        latest: fmt_yv(f.latest, d, lang),
        target: fmt_yv(
            Some(YearValue {
                year: f.followup.target_year,
                value: f.followup.target_value,
            }),
            d,
            lang,
        ),
        tracking: f.tracking.as_str(),
        tracking_text: tr.t(&format!("plan-tracking-{}", f.tracking)),
        direction: tr.t(
            if hyte_domain::plan::better_is_higher(
                f.polarity,
                f.followup.baseline_value,
                f.followup.target_value,
            ) {
                "plan-direction-up"
            } else {
                "plan-direction-down"
            },
        ),
    }
}

// ---------------------------------------------------------------------------
// Tables for export
// ---------------------------------------------------------------------------

/// The plan table (one row per action; goals without actions get a row of their
/// own), filtered by tag.
pub async fn plan_table(
    state: &AppState,
    report: &Report,
    plan: &Plan,
    tr: &Tr,
    tag: Option<&str>,
) -> AppResult<Table> {
    let lang = tr.code();
    let statuses = followup_statuses(state, report, plan, lang).await?;
    let mut t = Table::new(
        tr.t("plan-title"),
        [
            "plan-col-goal",
            "plan-col-goal-tags",
            "plan-col-action",
            "plan-col-sector",
            "plan-col-responsible",
            "plan-col-start",
            "plan-col-end",
            "plan-col-action-tags",
            "plan-col-resources",
            "plan-col-euros-total",
            "plan-col-py-total",
            "plan-col-followups",
        ]
        .iter()
        .map(|k| tr.t(k))
        .collect(),
    );
    for g in &plan.goals {
        let goal_tagged = tagged(&g.tags, tag);
        let acts: Vec<&PlanAction> = plan
            .actions
            .iter()
            .filter(|a| a.goal_id == g.id && (goal_tagged || tagged(&a.tags, tag)))
            .collect();
        if !goal_tagged && acts.is_empty() {
            continue;
        }
        let follow = |aid: Option<i64>| {
            statuses
                .iter()
                .filter(|f| f.followup.goal_id == g.id && f.followup.action_id == aid)
                .map(|f| {
                    format!(
                        "{}: {} → {} ({})",
                        f.title,
                        fmt_num(f.followup.baseline_value, f.decimals, lang),
                        fmt_num(f.followup.target_value, f.decimals, lang),
                        f.followup.target_year
                    )
                })
                .collect::<Vec<_>>()
                .join("; ")
        };
        if acts.is_empty() {
            t.push(vec![
                g.title.clone().into(),
                tags_text(&g.tags, lang).into(),
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                follow(None).into(),
            ]);
        }
        for a in acts {
            let euros: i64 = a.resources.iter().map(|r| r.euros.cents()).sum();
            let py: i64 = a
                .resources
                .iter()
                .map(|r| r.person_years.hundredths())
                .sum();
            let goal_follow = follow(None);
            let mine = follow(Some(a.id));
            t.push(vec![
                g.title.clone().into(),
                tags_text(&g.tags, lang).into(),
                a.title.clone().into(),
                sector_text(tr, &a.sector).into(),
                a.responsible.clone().into(),
                a.start_year.into(),
                a.end_year.into(),
                tags_text(&a.tags, lang).into(),
                a.resources
                    .iter()
                    .map(|r| resource_text(tr, r))
                    .collect::<Vec<_>>()
                    .join("; ")
                    .into(),
                (euros as f64 / 100.0).into(),
                (py as f64 / 100.0).into(),
                [goal_follow, mine]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join("; ")
                    .into(),
            ]);
        }
    }
    Ok(t)
}

/// The yearly tables: progress per action and follow-up indicators.
pub async fn progress_tables(
    state: &AppState,
    report: &Report,
    plan: &Plan,
    tr: &Tr,
    year: i64,
) -> AppResult<(Table, Table)> {
    let lang = tr.code();
    let mut p = Table::new(
        tr.ta("plan-progress-sheet", &[("year", year.to_string())]),
        [
            "plan-col-goal",
            "plan-col-action",
            "plan-col-sector",
            "plan-col-status",
            "plan-col-narrative",
            "plan-col-euros-planned",
            "plan-col-euros-used",
            "plan-col-py-planned",
            "plan-col-py-used",
        ]
        .iter()
        .map(|k| tr.t(k))
        .collect(),
    );
    for a in &plan.actions {
        let goal = plan
            .goals
            .iter()
            .find(|g| g.id == a.goal_id)
            .map(|g| g.title.clone())
            .unwrap_or_default();
        let pr = a.progress_in(year);
        let res = a.resources_in(year);
        let status = pr.map(|p| p.status).unwrap_or(ActionStatus::NotStarted);
        p.push(vec![
            goal.into(),
            a.title.clone().into(),
            sector_text(tr, &a.sector).into(),
            tr.t(&format!("plan-status-{status}")).into(),
            pr.map(|p| p.narrative.clone()).unwrap_or_default().into(),
            res.map(|r| r.euros.as_f64()).into(),
            pr.and_then(|p| p.euros_used).map(|e| e.as_f64()).into(),
            res.map(|r| r.person_years.as_f64()).into(),
            pr.and_then(|p| p.person_years_used)
                .map(|e| e.as_f64())
                .into(),
        ]);
    }
    let mut f = Table::new(
        tr.t("plan-followups"),
        [
            "plan-col-goal",
            "plan-col-indicator",
            "plan-col-baseline-year",
            "plan-col-baseline",
            "plan-col-latest-year",
            "plan-col-latest",
            "plan-col-target-year",
            "plan-col-target",
            "plan-col-tracking",
        ]
        .iter()
        .map(|k| tr.t(k))
        .collect(),
    );
    for s in followup_statuses(state, report, plan, lang).await? {
        let goal = plan
            .goals
            .iter()
            .find(|g| g.id == s.followup.goal_id)
            .map(|g| g.title.clone())
            .unwrap_or_default();
        f.push(vec![
            goal.into(),
            s.title.clone().into(),
            s.followup.baseline_year.into(),
            s.followup.baseline_value.into(),
            s.latest.map(|l| l.year).into(),
            s.latest.map(|l| l.value).into(),
            s.followup.target_year.into(),
            s.followup.target_value.into(),
            tr.t(&format!("plan-tracking-{}", s.tracking)).into(),
        ]);
    }
    Ok((p, f))
}

// ---------------------------------------------------------------------------
// The yearly report
// ---------------------------------------------------------------------------

/// One indicator of the term report's list whose value moved.
#[derive(Debug, Clone, Serialize)]
pub struct IndicatorChange {
    /// Indicator.
    pub indicator_id: i64,
    /// Title.
    pub title: String,
    /// The value it is compared with: as the council approved it in the term report,
    /// or (without an approved version) the one before the latest.
    pub previous: Option<YearValue>,
    /// The latest value.
    pub latest: YearValue,
    /// Whether the move is for the better (`None` without polarity).
    pub better: Option<bool>,
    /// Comparison of the latest value with the whole country (95 %).
    pub country_outcome: Option<Outcome>,
    /// Comparison with the welfare region.
    pub region_outcome: Option<Outcome>,
}

/// Indicator changes for a yearly report, and what they are measured against.
#[derive(Debug, Clone, Default)]
pub struct IndicatorChanges {
    /// The council decision date of the term report's frozen version the changes are
    /// measured from; `None` when the term report has no approved version yet (then
    /// each latest value is compared with the one before it).
    pub since_approval: Option<String>,
    /// The indicators whose value moved.
    pub items: Vec<IndicatorChange>,
}

/// Indicators of the term report's list (its included and added indicators, the
/// indicators of its joys and concerns and the plan's follow-ups) whose latest value
/// differs from the value the council approved in the term report (its latest frozen
/// version), with the benchmark outcomes of the latest value. An indicator the frozen
/// version did not show, or a term report not approved yet, is compared with the value
/// before its latest one.
pub async fn indicator_changes(
    state: &AppState,
    term: &Report,
    plan: &Plan,
    lang: &str,
) -> AppResult<IndicatorChanges> {
    let facts = state.store.approval_facts(term.id).await?;
    let frozen = match facts.latest_version {
        Some(n) => state.store.version_document(term.id, n).await?,
        None => None,
    };
    let snapshot = frozen.as_ref().map(|d| d.snapshot());
    let since_approval = frozen.as_ref().map(|d| d.version.decision.date.clone());
    let mut ids: BTreeSet<i64> = state
        .store
        .selections(term.id)
        .await?
        .into_iter()
        .filter(|s| matches!(s.state, SelectionState::Included | SelectionState::Added))
        .filter_map(|s| s.indicator_id)
        .collect();
    for o in state.store.observations(term.id).await? {
        if o.status != "dismissed" {
            ids.extend(o.indicators);
        }
    }
    ids.extend(plan.followups.iter().map(|f| f.indicator_id));
    let mut out = vec![];
    for id in ids {
        let Some(ind) = state.store.indicator(IndicatorId(id)).await? else {
            continue;
        };
        let values = state
            .store
            .values(
                ind.id,
                &ValueQuery {
                    regions: vec![term.org.clone()],
                    years: vec![],
                    sex: Some(Sex::Total),
                },
            )
            .await?;
        let mut series: Vec<YearValue> = values
            .iter()
            .filter_map(|v| {
                Some(YearValue {
                    year: v.year,
                    value: v.value?,
                })
            })
            .collect();
        series.sort_by_key(|v| v.year);
        let Some(latest) = series.last().copied() else {
            continue;
        };
        let query = ValueQuery {
            regions: vec![term.org.clone()],
            years: vec![],
            sex: Some(Sex::Total),
        };
        let approved = snapshot.as_ref().and_then(|snap| {
            snap.values(ind.id, &query)
                .iter()
                .filter_map(|v| {
                    Some(YearValue {
                        year: v.year,
                        value: v.value?,
                    })
                })
                .max_by_key(|v| v.year)
        });
        let previous = approved.or_else(|| series.iter().rev().nth(1).copied());
        if previous.is_some_and(|p| (p.value - latest.value).abs() < 1e-12) {
            continue;
        }
        let e = evidence_of(state, &ind, &term.org, lang).await?;
        let better = previous.and_then(|p| match ind.polarity {
            Polarity::HighIsGood => Some(latest.value > p.value),
            Polarity::LowIsGood => Some(latest.value < p.value),
            Polarity::NoJudgement => None,
        });
        out.push(IndicatorChange {
            indicator_id: id,
            title: ind.title.get(lang).to_string(),
            previous,
            latest,
            better,
            country_outcome: e.country.as_ref().map(|c| c.outcome),
            region_outcome: e.region.as_ref().map(|c| c.outcome),
        });
    }
    Ok(IndicatorChanges {
        since_approval,
        items: out,
    })
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn outcome_text(tr: &Tr, o: Option<Outcome>) -> String {
    match o {
        Some(o) => tr.t(&format!("plan-outcome-{}", outcome_key(o))),
        None => "–".into(),
    }
}

fn outcome_key(o: Outcome) -> &'static str {
    match o {
        Outcome::Better => "better",
        Outcome::Worse => "worse",
        Outcome::Similar => "similar",
        Outcome::Higher => "higher",
        Outcome::Lower => "lower",
        _ => "none",
    }
}

/// Generates the yearly report for a budget year from a term report's plan: a new
/// report of kind `yearly_report` whose sections hold the plan's progress, the
/// follow-up indicators and the indicator changes since the term report, and whose
/// joys and concerns get Hyte's proposals from the data. Returns the new report.
pub async fn generate_yearly(
    state: &AppState,
    term: &Report,
    acc: ReportAccess,
    user: &User,
    year: i64,
    tr: &Tr,
) -> Result<Report, PlanFail> {
    require_edit(acc)?;
    if term.kind == ReportKind::YearlyReport {
        return refuse(Refusal::new(
            "plan-error-yearly-of-yearly",
            "a yearly report is generated from a term report's plan, not from another yearly report",
        ));
    }
    let y = BudgetYear::new(year).map_err(|e| PlanFail::Refused(e.into()))?;
    if year < term.term_start || year > term.term_end + 1 {
        return refuse(Refusal::new(
            "plan-error-yearly-year",
            format!(
                "{year} is outside the council term {}–{} of this report",
                term.term_start, term.term_end
            ),
        ));
    }
    let plan = state.store.plan(term.id).await?;
    if plan.goals.is_empty() {
        return refuse(Refusal::new(
            "plan-error-yearly-empty",
            "the plan has no goals yet: a yearly report needs a plan to report on",
        ));
    }
    let lang = term.languages.first().map(String::as_str).unwrap_or("fi");
    // The document is written in the report's first language, like its outline.
    let dtr = Tr::new(crate::i18n::Lang::parse(lang).unwrap_or(tr.lang));
    let lang = dtr.code();
    let view = plan_view(state, term, &plan, &dtr, None, year, None).await?;
    let IndicatorChanges {
        since_approval,
        items: changes,
    } = indicator_changes(state, term, &plan, lang).await?;

    // 1. Plan progress.
    let mut progress = String::new();
    progress.push_str(&dtr.ta(
        "plan-yr-progress-intro",
        &[
            ("year", year.to_string()),
            ("percent", view.percent.to_string()),
            ("planned", view.euros_planned.clone()),
            ("used", view.euros_used.clone()),
            ("pyplanned", view.py_planned.clone()),
            ("pyused", view.py_used.clone()),
        ],
    ));
    progress.push_str("\n\n");
    progress.push_str(&format!(
        "| {} | {} |\n|---|---:|\n",
        dtr.t("plan-col-status"),
        dtr.t("plan-col-count")
    ));
    for (s, n) in &view.counts {
        progress.push_str(&format!("| {} | {n} |\n", md_cell(s)));
    }
    for g in &view.goals {
        progress.push_str(&format!(
            "\n### {}. {}\n\n{}\n\n",
            g.number,
            md_cell(&g.title),
            g.percent_text
        ));
        if g.actions.is_empty() {
            progress.push_str(&dtr.t("plan-no-actions"));
            progress.push_str("\n\n");
            continue;
        }
        progress.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n|---|---|---|---|---|---|\n",
            dtr.t("plan-col-action"),
            dtr.t("plan-col-sector"),
            dtr.t("plan-col-status"),
            dtr.t("plan-col-narrative"),
            dtr.t("plan-col-planned"),
            dtr.t("plan-col-used"),
        ));
        for a in &g.actions {
            progress.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} |\n",
                md_cell(&a.title),
                md_cell(&a.sector),
                md_cell(&a.status_text),
                md_cell(if a.narrative.is_empty() {
                    "–"
                } else {
                    &a.narrative
                }),
                md_cell(&a.planned),
                md_cell(&a.used),
            ));
        }
    }

    // 2. Follow-up indicators.
    let statuses = followup_statuses(state, term, &plan, lang).await?;
    let mut follow = String::new();
    if statuses.is_empty() {
        follow.push_str(&dtr.t("plan-no-followups"));
    } else {
        follow.push_str(&dtr.t("plan-yr-followups-intro"));
        follow.push_str(&format!(
            "\n\n| {} | {} | {} | {} | {} | {} |\n|---|---|---:|---:|---:|---|\n",
            dtr.t("plan-col-goal"),
            dtr.t("plan-col-indicator"),
            dtr.t("plan-col-baseline"),
            dtr.t("plan-col-latest"),
            dtr.t("plan-col-target"),
            dtr.t("plan-col-tracking"),
        ));
        for s in &statuses {
            let goal = plan
                .goals
                .iter()
                .find(|g| g.id == s.followup.goal_id)
                .map(|g| g.title.clone())
                .unwrap_or_default();
            let row = follow_row(&dtr, s, &plan);
            follow.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} |\n",
                md_cell(&goal),
                md_cell(&s.title),
                row.baseline,
                row.latest,
                row.target,
                row.tracking_text
            ));
        }
        // Live indicator blocks: the charts follow the data until approval freezes it.
        let mut shown = BTreeSet::new();
        for s in &statuses {
            if shown.insert(s.followup.indicator_id) {
                follow.push_str(&format!(
                    "\n{{{{indicator {} chart=trend compare=region,country}}}}\n",
                    s.followup.indicator_id
                ));
            }
        }
    }

    // 3. Indicator changes since the term report.
    let mut ch = String::new();
    if changes.is_empty() {
        ch.push_str(&dtr.t("plan-no-changes"));
    } else {
        ch.push_str(&match &since_approval {
            Some(date) => dtr.ta("plan-yr-changes-intro-approved", &[("date", date.clone())]),
            None => dtr.t("plan-yr-changes-intro"),
        });
        ch.push_str(&format!(
            "\n\n| {} | {} | {} | {} | {} | {} |\n|---|---:|---:|---|---|---|\n",
            dtr.t("plan-col-indicator"),
            dtr.t(if since_approval.is_some() {
                "plan-col-approved"
            } else {
                "plan-col-previous"
            }),
            dtr.t("plan-col-latest"),
            dtr.t("plan-col-change"),
            dtr.t("plan-col-vs-region"),
            dtr.t("plan-col-vs-country"),
        ));
        for c in &changes {
            let dec = state
                .store
                .indicator(IndicatorId(c.indicator_id))
                .await?
                .map(|i| i.decimals.clamp(0, 6) as u32)
                .unwrap_or(1);
            ch.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} |\n",
                md_cell(&c.title),
                fmt_yv(c.previous, dec, lang),
                fmt_yv(Some(c.latest), dec, lang),
                dtr.t(match c.better {
                    Some(true) => "plan-change-better",
                    Some(false) => "plan-change-worse",
                    None => "plan-change-moved",
                }),
                outcome_text(&dtr, c.region_outcome),
                outcome_text(&dtr, c.country_outcome),
            ));
        }
    }

    let title = dtr.ta(
        "plan-yr-title",
        &[("year", year.to_string()), ("term", term.title.clone())],
    );
    let title: String = title.chars().take(300).collect();
    let report = state
        .store
        .create_report(
            &NewReport {
                org: term.org.clone(),
                partners: term.partners.clone(),
                kind: ReportKind::YearlyReport,
                title,
                term_start: term.term_start,
                term_end: term.term_end,
                year: Some(year),
                languages: term.languages.clone(),
                created_by: user.email.clone(),
            },
            &[],
            lang,
        )
        .await?;
    state
        .store
        .link_yearly_report(report.id, term.id, y)
        .await?;
    use hyte_domain::report::ContentArea as A;
    let sections: [(String, Vec<A>, String); 4] = [
        (
            dtr.t("plan-yr-h-summary"),
            vec![A::WelfarePolicy],
            dtr.ta(
                "plan-yr-summary",
                &[
                    ("year", year.to_string()),
                    ("term", term.title.clone()),
                    ("percent", view.percent.to_string()),
                    ("changes", changes.len().to_string()),
                ],
            ),
        ),
        (
            dtr.t("plan-yr-h-progress"),
            vec![A::WelfarePolicy, A::PreventionEffects],
            progress,
        ),
        (
            dtr.t("plan-yr-h-followups"),
            vec![A::PopulationHealth],
            follow,
        ),
        (
            dtr.t("plan-yr-h-changes"),
            vec![A::PopulationHealth, A::GroupDifferences],
            ch,
        ),
    ];
    for (heading, areas, body) in sections {
        let sid = state
            .store
            .add_section(report.id, &heading, &areas, None, &user.email)
            .await?;
        state
            .store
            .save_section(sid, 0, &body, &user.email, Some("generated from the plan"))
            .await?;
    }
    // New concerns from the data, by the same mechanism as the term report's.
    let proposed = propose_from_data(state, &report, user, &dtr).await?;
    audit(
        state,
        user,
        term,
        "yearly_report_generated",
        format!(
            "yearly report {} for {year}: {} indicator changes, {} proposals",
            report.id,
            changes.len(),
            proposed.len()
        ),
    )
    .await?;
    Ok(report)
}

// ---------------------------------------------------------------------------
// Pages
// ---------------------------------------------------------------------------

/// Query of the plan pages.
#[derive(Debug, Deserialize, Default)]
pub struct PlanQuery {
    /// Tag filter.
    pub tag: Option<String>,
    /// Budget year shown.
    pub year: Option<String>,
    /// Message after a successful post.
    pub done: Option<String>,
}

fn parse_query(q: &PlanQuery, report: &Report) -> AppResult<(Option<String>, i64)> {
    let tag = q
        .tag
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string);
    if let Some(t) = &tag {
        if !plan_tags().iter().any(|x| &x.key == t) {
            return Err(AppError::not_found(format!("no plan tag '{t}'")));
        }
    }
    let year = match q.year.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => s
            .parse::<BudgetYear>()
            .map_err(|e| AppError::bad_request(e.to_string()))?
            .get(),
        None => report.year.unwrap_or_else(|| {
            crate::pages::current_year().clamp(report.term_start, report.term_end)
        }),
    };
    Ok((tag, year))
}

/// What a refused form had, so the page shows it again.
#[derive(Default)]
pub struct Draft {
    form: String,
    target: i64,
    fields: Vec<(String, String)>,
    error: String,
}

impl Draft {
    /// A field's typed value when this form (and target) was refused.
    pub fn val(&self, form: &str, target: impl Borrow<i64>, name: &str) -> String {
        let target = *target.borrow();
        if self.form == form && self.target == target {
            self.fields
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        } else {
            String::new()
        }
    }
    /// The n-th value of a repeated field.
    pub fn nth(
        &self,
        form: &str,
        target: impl Borrow<i64>,
        name: &str,
        n: impl Borrow<usize>,
    ) -> String {
        let (target, n) = (*target.borrow(), *n.borrow());
        if self.form == form && self.target == target {
            self.fields
                .iter()
                .filter(|(k, _)| k == name)
                .nth(n)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        } else {
            String::new()
        }
    }
    /// Whether a checkbox value was ticked.
    pub fn has(&self, form: &str, target: impl Borrow<i64>, name: &str, value: &str) -> bool {
        let target = *target.borrow();
        self.form == form
            && self.target == target
            && self.fields.iter().any(|(k, v)| k == name && v == value)
    }
    /// The error of this form, if it was refused.
    pub fn error(&self, form: &str, target: impl Borrow<i64>) -> String {
        let target = *target.borrow();
        if self.form == form && self.target == target {
            self.error.clone()
        } else {
            String::new()
        }
    }
}

#[derive(Template)]
#[template(path = "plan_page.html")]
struct PlanTpl {
    page: Page,
    head: ReportHead,
    view: PlanView,
    tag: Option<(String, String)>,
    tag_links: Vec<Choice>,
    tag_choices: Vec<Choice>,
    observation_choices: Vec<Choice>,
    sector_choices: Vec<Choice>,
    goal_choices: Vec<Choice>,
    action_choices: Vec<Choice>,
    indicator_choices: Vec<Choice>,
    can_edit: bool,
    message: Option<String>,
    draft: Draft,
    yearly: Vec<(i64, i64)>,
    year_rows: [usize; 3],
    default_start: i64,
    default_end: i64,
    export_query: String,
}

async fn indicator_candidates(
    state: &AppState,
    report: &Report,
    lang: &str,
    selected: &str,
) -> AppResult<Vec<Choice>> {
    let mut ids: BTreeSet<i64> = state
        .store
        .selections(report.id)
        .await?
        .into_iter()
        .filter(|s| s.state != SelectionState::Excluded)
        .filter_map(|s| s.indicator_id)
        .collect();
    for o in state.store.observations(report.id).await? {
        ids.extend(o.indicators);
    }
    let all = state.store.indicators().await?;
    let counts = state.store.value_counts().await?;
    let mut out: Vec<Choice> = all
        .iter()
        .filter(|i| {
            (ids.is_empty() || ids.contains(&i.id.0))
                && counts.get(&i.id.0).copied().unwrap_or(0) > 0
        })
        .map(|i| Choice {
            value: i.id.0.to_string(),
            text: format!("{} ({})", i.title.get(lang), i.id.0),
            selected: i.id.0.to_string() == selected,
        })
        .collect();
    out.sort_by(|a, b| a.text.cmp(&b.text));
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
async fn render_plan(
    state: &AppState,
    viewer: &Viewer,
    report: &Report,
    acc: ReportAccess,
    q: &PlanQuery,
    message: Option<String>,
    draft: Draft,
) -> AppResult<Response> {
    let user = viewer.user()?;
    let tr = Tr::new(viewer.lang);
    let lang = tr.code();
    let (tag, year) = parse_query(q, report)?;
    let plan = state.store.plan(report.id).await?;
    let view = plan_view(
        state,
        report,
        &plan,
        &tr,
        tag.as_deref(),
        year,
        Some((acc, user)),
    )
    .await?;
    let can_edit = can_edit_plan(acc);
    let tag_named = tag.as_ref().map(|t| (t.clone(), tag_name(t, lang)));
    let title = match &tag_named {
        Some((_, n)) => format!("{n}: {}", report.title),
        None => format!("{}: {}", tr.t("plan-title"), report.title),
    };
    let path = format!(
        "/reports/{}/plan{}",
        report.id,
        tag.as_ref()
            .map(|t| format!("?tag={t}"))
            .unwrap_or_default()
    );
    let mut export_query = format!("?year={year}");
    if let Some(t) = &tag {
        export_query.push_str(&format!("&tag={t}"));
    }
    let observations = state.store.observations(report.id).await?;
    let sel_ind = draft.val("followup", 0, "indicator_id");
    // Under a tag filter the forms offer only what the view shows.
    let shown_goals: Vec<i64> = view.goals.iter().map(|g| g.id).collect();
    let shown_actions: Vec<i64> = view
        .goals
        .iter()
        .flat_map(|g| g.actions.iter().map(|a| a.id))
        .collect();
    let tpl = PlanTpl {
        page: Page::new(viewer, title, &path),
        head: crate::pages::report_data::head(state, report, acc, &tr, "plan").await?,
        tag_links: plan_tags()
            .iter()
            .map(|t| Choice {
                value: t.key.clone(),
                text: t.name(lang).to_string(),
                selected: tag.as_deref() == Some(t.key.as_str()),
            })
            .collect(),
        tag_choices: plan_tags()
            .iter()
            .map(|t| Choice {
                value: t.key.clone(),
                text: t.name(lang).to_string(),
                selected: false,
            })
            .collect(),
        observation_choices: observations
            .iter()
            .filter(|o| o.status != "dismissed" && o.status != "proposed")
            .map(|o| Choice {
                value: o.id.to_string(),
                text: format!(
                    "{}: {}",
                    tr.t(match o.kind {
                        ObservationKind::Concern => "plan-concern",
                        ObservationKind::Joy => "plan-joy",
                    }),
                    o.body
                ),
                selected: false,
            })
            .collect(),
        sector_choices: DEFAULT_SECTORS
            .iter()
            .map(|s| Choice {
                value: s.to_string(),
                text: tr.t(&format!("rep-sector-{s}")),
                selected: false,
            })
            .collect(),
        goal_choices: plan
            .goals
            .iter()
            .enumerate()
            .filter(|(_, g)| shown_goals.contains(&g.id))
            .map(|(i, g)| Choice {
                value: g.id.to_string(),
                text: format!("{}. {}", i + 1, g.title),
                selected: draft.val("followup", 0, "goal_id") == g.id.to_string(),
            })
            .collect(),
        action_choices: plan
            .actions
            .iter()
            .filter(|a| shown_actions.contains(&a.id))
            .map(|a| Choice {
                value: a.id.to_string(),
                text: a.title.clone(),
                selected: draft.val("followup", 0, "action_id") == a.id.to_string(),
            })
            .collect(),
        indicator_choices: if can_edit {
            indicator_candidates(state, report, lang, &sel_ind).await?
        } else {
            vec![]
        },
        can_edit,
        message,
        yearly: state.store.yearly_reports_of(report.id).await?,
        year_rows: [0, 1, 2],
        default_start: year,
        default_end: report.term_end.max(year),
        export_query,
        tag: tag_named,
        view,
        draft,
    };
    render(&tpl)
}

fn done_message(tr: &Tr, done: Option<&str>) -> Option<String> {
    match done {
        Some(k @ ("goal" | "action" | "followup" | "progress" | "deleted")) => {
            Some(tr.t(&format!("plan-done-{k}")))
        }
        _ => None,
    }
}

/// `GET /reports/{id}/plan?tag=&year=`: the plan, optionally only one statutory
/// plan's items, with the year's progress and the forms of those who edit.
pub async fn plan_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<PlanQuery>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login_redirect(&format!("/reports/{id}/plan")));
    }
    let (report, acc) = load_report(&state, &viewer, &id).await?;
    let tr = Tr::new(viewer.lang);
    let message = done_message(&tr, q.done.as_deref());
    render_plan(&state, &viewer, &report, acc, &q, message, Draft::default()).await
}

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
}

fn int_field(f: &Fields, name: &'static str, key: &'static str) -> Result<i64, Refusal> {
    let v = f.get(name).trim();
    v.parse::<i64>()
        .map_err(|_| Refusal::new(key, format!("'{v}' in {name} is not a whole number")))
}

fn opt_int(f: &Fields, name: &'static str) -> Result<Option<i64>, Refusal> {
    match f.get(name).trim() {
        "" => Ok(None),
        v => v.parse::<i64>().map(Some).map_err(|_| {
            Refusal::new(
                "plan-error-number",
                format!("'{v}' in {name} is not a number"),
            )
        }),
    }
}

fn opt_decimal(f: &Fields, name: &'static str) -> Result<Option<f64>, Refusal> {
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
                .ok_or_else(|| Refusal::new("plan-error-number", format!("'{v}' is not a number")))
        }
    }
}

fn money(v: &str) -> Result<Option<f64>, Refusal> {
    match v.trim() {
        "" => Ok(None),
        s => Ok(Some(s.parse::<Euros>()?.as_f64())),
    }
}

fn person_years(v: &str) -> Result<Option<f64>, Refusal> {
    match v.trim() {
        "" => Ok(None),
        s => Ok(Some(s.parse::<PersonYears>()?.as_f64())),
    }
}

async fn form_start(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    f: &Fields,
) -> AppResult<(Report, ReportAccess, User)> {
    viewer.check_csrf(f.get("csrf"))?;
    let (report, acc) = load_report(state, viewer, id).await?;
    Ok((report, acc, viewer.user()?.clone()))
}

/// Redirect after a post, or the page again with the refusal and the typed input.
#[allow(clippy::too_many_arguments)]
async fn finish(
    state: &AppState,
    viewer: &Viewer,
    report: &Report,
    acc: ReportAccess,
    f: Fields,
    result: Result<String, PlanFail>,
    form: &str,
    target: i64,
) -> AppResult<Response> {
    match result {
        Ok(to) => Ok(Redirect::to(&to).into_response()),
        Err(PlanFail::Refused(r)) => {
            let tr = Tr::new(viewer.lang);
            let q = PlanQuery {
                tag: Some(f.get("tag").to_string()).filter(|s| !s.is_empty()),
                year: Some(f.get("view_year").to_string()).filter(|s| !s.is_empty()),
                done: None,
            };
            let draft = Draft {
                form: form.to_string(),
                target,
                error: format!("{} {}", tr.t("plan-error-not-saved"), tr.t(r.key)),
                fields: f.0,
            };
            let mut res = render_plan(state, viewer, report, acc, &q, None, draft).await?;
            *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(PlanFail::Other(e)) => Err(e),
    }
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
pub async fn goal_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login_redirect(&format!("/reports/{id}/plan")));
    }
    let f = Fields(f);
    let (report, acc, user) = form_start(&state, &viewer, &id, &f).await?;
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
                .map_err(|_| {
                    PlanFail::Refused(Refusal::new("plan-error-number", "bad observation id"))
                })?,
        };
        let gid = create_goal(&state, &report, acc, &user, &d).await?;
        Ok(back(&report, &f, "goal", &format!("#goal-{gid}")))
    }
    .await;
    finish(&state, &viewer, &report, acc, f, result, "goal", 0).await
}

/// `POST /reports/{id}/plan/goals/{gid}/delete`.
pub async fn goal_delete_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, gid)): Path<(String, String)>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login_redirect(&format!("/reports/{id}/plan")));
    }
    let f = Fields(f);
    let (report, acc, user) = form_start(&state, &viewer, &id, &f).await?;
    let gid = parse_id(&gid, "goal")?;
    delete_goal(&state, &report, acc, &user, gid).await?;
    Ok(Redirect::to(&back(&report, &f, "deleted", "")).into_response())
}

fn action_draft(f: &Fields) -> Result<ActionDraft, Refusal> {
    let mut resources = vec![];
    let years: Vec<&str> =
        f.0.iter()
            .filter(|(k, _)| k == "res_year")
            .map(|(_, v)| v.as_str())
            .collect();
    let euros: Vec<&str> =
        f.0.iter()
            .filter(|(k, _)| k == "res_euros")
            .map(|(_, v)| v.as_str())
            .collect();
    let pys: Vec<&str> =
        f.0.iter()
            .filter(|(k, _)| k == "res_py")
            .map(|(_, v)| v.as_str())
            .collect();
    for (i, y) in years.iter().enumerate() {
        let e = euros.get(i).copied().unwrap_or("");
        let p = pys.get(i).copied().unwrap_or("");
        if y.trim().is_empty() {
            if !e.trim().is_empty() || !p.trim().is_empty() {
                return Err(Refusal::new(
                    "plan-error-resource-no-year",
                    "resources need their budget year",
                ));
            }
            continue;
        }
        let year = y.trim().parse::<BudgetYear>()?.get();
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
pub async fn action_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, gid)): Path<(String, String)>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login_redirect(&format!("/reports/{id}/plan")));
    }
    let f = Fields(f);
    let (report, acc, user) = form_start(&state, &viewer, &id, &f).await?;
    let gid = parse_id(&gid, "goal")?;
    let result = async {
        let d = action_draft(&f).map_err(PlanFail::Refused)?;
        let aid = create_action(&state, &report, acc, &user, gid, &d).await?;
        Ok(back(&report, &f, "action", &format!("#action-{aid}")))
    }
    .await;
    finish(&state, &viewer, &report, acc, f, result, "action", gid).await
}

/// `POST /reports/{id}/plan/actions/{aid}/delete`.
pub async fn action_delete_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, aid)): Path<(String, String)>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login_redirect(&format!("/reports/{id}/plan")));
    }
    let f = Fields(f);
    let (report, acc, user) = form_start(&state, &viewer, &id, &f).await?;
    let aid = parse_id(&aid, "action")?;
    delete_action(&state, &report, acc, &user, aid).await?;
    Ok(Redirect::to(&back(&report, &f, "deleted", "")).into_response())
}

/// `POST /reports/{id}/plan/actions/{aid}/progress`: status, narrative and resources
/// used in a budget year.
pub async fn progress_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, aid)): Path<(String, String)>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login_redirect(&format!("/reports/{id}/plan")));
    }
    let f = Fields(f);
    let (report, acc, user) = form_start(&state, &viewer, &id, &f).await?;
    let aid = parse_id(&aid, "action")?;
    let result = async {
        let year = int_field(&f, "year", "plan-error-year").map_err(PlanFail::Refused)?;
        let d = ProgressDraft {
            status: f.get("status").into(),
            narrative: f.get("narrative").into(),
            euros_used: money(f.get("euros_used")).map_err(PlanFail::Refused)?,
            person_years_used: person_years(f.get("py_used")).map_err(PlanFail::Refused)?,
        };
        record_progress(&state, &report, acc, &user, aid, year, &d).await?;
        Ok(back(&report, &f, "progress", &format!("#action-{aid}")))
    }
    .await;
    finish(&state, &viewer, &report, acc, f, result, "progress", aid).await
}

/// `POST /reports/{id}/plan/follow-ups`: adds a follow-up indicator; an empty
/// baseline value is taken from the data.
pub async fn followup_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login_redirect(&format!("/reports/{id}/plan")));
    }
    let f = Fields(f);
    let (report, acc, user) = form_start(&state, &viewer, &id, &f).await?;
    let result = async {
        let r = |e: Refusal| PlanFail::Refused(e);
        let target_value = opt_decimal(&f, "target_value").map_err(r)?.ok_or_else(|| {
            PlanFail::Refused(Refusal::new(
                "plan-error-target-value",
                "a follow-up needs a target value",
            ))
        })?;
        let d = FollowUpDraft {
            goal_id: int_field(&f, "goal_id", "plan-error-goal").map_err(r)?,
            action_id: opt_int(&f, "action_id").map_err(r)?,
            indicator_id: int_field(&f, "indicator_id", "plan-error-indicator").map_err(r)?,
            baseline_year: opt_int(&f, "baseline_year").map_err(r)?,
            baseline_value: opt_decimal(&f, "baseline_value").map_err(r)?,
            target_year: int_field(&f, "target_year", "plan-error-year").map_err(r)?,
            target_value,
        };
        create_followup(&state, &report, acc, &user, &d).await?;
        Ok(back(
            &report,
            &f,
            "followup",
            &format!("#goal-{}", d.goal_id),
        ))
    }
    .await;
    finish(&state, &viewer, &report, acc, f, result, "followup", 0).await
}

/// `POST /reports/{id}/plan/follow-ups/{fid}/delete`.
pub async fn followup_delete_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, fid)): Path<(String, String)>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login_redirect(&format!("/reports/{id}/plan")));
    }
    let f = Fields(f);
    let (report, acc, user) = form_start(&state, &viewer, &id, &f).await?;
    let fid = parse_id(&fid, "follow-up")?;
    delete_followup(&state, &report, acc, &user, fid).await?;
    Ok(Redirect::to(&back(&report, &f, "deleted", "")).into_response())
}

/// `POST /reports/{id}/yearly-reports`: generates the yearly report of a year and
/// opens it.
pub async fn yearly_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login_redirect(&format!("/reports/{id}/plan")));
    }
    let f = Fields(f);
    let (report, acc, user) = form_start(&state, &viewer, &id, &f).await?;
    let tr = Tr::new(viewer.lang);
    let result = async {
        let year = int_field(&f, "year", "plan-error-year").map_err(PlanFail::Refused)?;
        let r = generate_yearly(&state, &report, acc, &user, year, &tr).await?;
        Ok(format!("/reports/{}", r.id))
    }
    .await;
    finish(&state, &viewer, &report, acc, f, result, "yearly", 0).await
}

#[derive(Template)]
#[template(path = "plan_progress.html")]
struct ProgressTpl {
    page: Page,
    head: ReportHead,
    view: PlanView,
    export_query: String,
}

/// `GET /reports/{id}/plan/progress?year=`: the accountability view: progress of every
/// goal and action in a budget year, for the working group (read-only rendering,
/// reusable for the public page).
pub async fn progress_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<PlanQuery>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login_redirect(&format!("/reports/{id}/plan/progress")));
    }
    let (report, acc) = load_report(&state, &viewer, &id).await?;
    let tr = Tr::new(viewer.lang);
    let (tag, year) = parse_query(&q, &report)?;
    let plan = state.store.plan(report.id).await?;
    let view = plan_view(&state, &report, &plan, &tr, tag.as_deref(), year, None).await?;
    let tpl = ProgressTpl {
        page: Page::new(
            &viewer,
            format!(
                "{}: {}",
                tr.ta("plan-accountability-title", &[("year", year.to_string())]),
                report.title
            ),
            &format!("/reports/{}/plan/progress?year={year}", report.id),
        ),
        head: crate::pages::report_data::head(&state, &report, acc, &tr, "plan").await?,
        export_query: format!("?year={year}"),
        view,
    };
    render(&tpl)
}

async fn export_plan(
    state: AppState,
    viewer: Viewer,
    id: String,
    q: PlanQuery,
    format: ExportFormat,
) -> AppResult<Response> {
    let (report, _) = load_report(&state, &viewer, &id).await?;
    let tr = Tr::new(viewer.lang);
    let (tag, _) = parse_query(&q, &report)?;
    let plan = state.store.plan(report.id).await?;
    let t = plan_table(&state, &report, &plan, &tr, tag.as_deref()).await?;
    let stem = match &tag {
        Some(t) => format!("plan-{}-{t}", report.id),
        None => format!("plan-{}", report.id),
    };
    Table::download(&[&t], format, &stem)
}

async fn export_progress(
    state: AppState,
    viewer: Viewer,
    id: String,
    q: PlanQuery,
    format: ExportFormat,
) -> AppResult<Response> {
    let (report, _) = load_report(&state, &viewer, &id).await?;
    let tr = Tr::new(viewer.lang);
    let (_, year) = parse_query(&q, &report)?;
    let plan = state.store.plan(report.id).await?;
    let (p, f) = progress_tables(&state, &report, &plan, &tr, year).await?;
    Table::download(
        &[&p, &f],
        format,
        &format!("plan-{}-progress-{year}", report.id),
    )
}

/// `GET /reports/{id}/plan/table.csv?tag=`.
pub async fn plan_csv(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<PlanQuery>,
) -> AppResult<Response> {
    export_plan(state, viewer, id, q, ExportFormat::Csv).await
}

/// `GET /reports/{id}/plan/table.xlsx?tag=`.
pub async fn plan_xlsx(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<PlanQuery>,
) -> AppResult<Response> {
    export_plan(state, viewer, id, q, ExportFormat::Xlsx).await
}

/// `GET /reports/{id}/plan/progress.csv?year=` (the progress table).
pub async fn progress_csv(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<PlanQuery>,
) -> AppResult<Response> {
    export_progress(state, viewer, id, q, ExportFormat::Csv).await
}

/// `GET /reports/{id}/plan/progress.xlsx?year=` (progress and follow-up sheets).
pub async fn progress_xlsx(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<PlanQuery>,
) -> AppResult<Response> {
    export_progress(state, viewer, id, q, ExportFormat::Xlsx).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_tags_parse() {
        let t = parse_tags(PLAN_TAGS_CSV).unwrap();
        assert_eq!(t.len(), 7);
        assert!(t.iter().any(|x| x.key == "children_youth"));
        assert!(parse_tags("key,name_fi,name_sv,name_en,law\nBad Key,a,b,c,\n").is_err());
        assert!(parse_tags("key,name_fi,name_sv,name_en,law\na,x,y,z,\na,x,y,z,\n").is_err());
    }

    #[test]
    fn action_validation_refuses_clearly() {
        let mut d = ActionDraft {
            title: "Liikuntaneuvonta".into(),
            sector: "leisure".into(),
            responsible: "Liikuntapalvelupäällikkö".into(),
            start_year: 2026,
            end_year: 2027,
            tags: vec!["children_youth".into()],
            resources: vec![ResourceDraft {
                year: 2026,
                euros: 15000.0,
                person_years: 0.5,
            }],
        };
        assert!(action_input(&d).is_ok());
        d.resources[0].year = 2030;
        assert_eq!(
            action_input(&d).unwrap_err().key,
            "plan-error-resource-year"
        );
        d.resources.clear();
        d.end_year = 2025;
        assert_eq!(action_input(&d).unwrap_err().key, "plan-error-schedule");
        d.end_year = 2027;
        d.tags = vec!["nope".into()];
        assert_eq!(action_input(&d).unwrap_err().key, "plan-error-tag");
    }
}
