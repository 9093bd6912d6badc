//! The plan page (with the forms of those who edit) and the accountability view.

use super::view::{plan_view, Choice, PlanView};
use crate::auth::Viewer;
use crate::extract::ReportPage;
use crate::i18n::Tr;
use crate::pages::render;
use crate::pages::report_data::ReportHead;
use crate::pages::reports::DEFAULT_SECTORS;
use crate::view::Page;
use crate::{AppError, AppResult, AppState};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use hyte_app::model::plan::Plan;
use hyte_app::model::reports::{Observation, Report};
use hyte_app::plan::{can_edit_plan, plan_tags, tag_name};
use hyte_app::ReportCtx;
use hyte_domain::plan::BudgetYear;
use hyte_domain::report::{ObservationKind, SelectionState};
use serde::Deserialize;
use std::borrow::Borrow;
use std::collections::BTreeSet;

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

/// The tag filter (404 for an unknown tag) and the budget year shown (default: the
/// report's year, or this year within the council term).
pub fn parse_query(q: &PlanQuery, report: &Report) -> AppResult<(Option<String>, i64)> {
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
    pub(super) form: String,
    pub(super) target: i64,
    pub(super) fields: Vec<(String, String)>,
    pub(super) error: String,
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
    ctx: &ReportCtx,
    lang: &str,
    selected: &str,
) -> AppResult<Vec<Choice>> {
    let mut ids: BTreeSet<i64> = state
        .app
        .selections(ctx)
        .await?
        .into_iter()
        .filter(|s| s.state != SelectionState::Excluded)
        .filter_map(|s| s.indicator_id)
        .collect();
    for o in state.app.observations(ctx).await? {
        ids.extend(o.indicators);
    }
    let all = state.app.indicators().await?;
    let counts = state.app.value_counts().await?;
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

fn tag_choices(lang: &str, tag: Option<&str>) -> Vec<Choice> {
    plan_tags()
        .iter()
        .map(|t| Choice {
            value: t.key.clone(),
            text: t.name(lang).to_string(),
            selected: tag == Some(t.key.as_str()),
        })
        .collect()
}

fn observation_choices(tr: &Tr, observations: &[Observation]) -> Vec<Choice> {
    observations
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
        .collect()
}

fn sector_choices(tr: &Tr) -> Vec<Choice> {
    DEFAULT_SECTORS
        .iter()
        .map(|s| Choice {
            value: s.to_string(),
            text: tr.t(&format!("rep-sector-{s}")),
            selected: false,
        })
        .collect()
}

/// The goals and actions the follow-up form offers: under a tag filter only what the
/// view shows.
fn goal_action_choices(plan: &Plan, view: &PlanView, draft: &Draft) -> (Vec<Choice>, Vec<Choice>) {
    let shown_goals: Vec<i64> = view.goals.iter().map(|g| g.id).collect();
    let shown_actions: Vec<i64> = view
        .goals
        .iter()
        .flat_map(|g| g.actions.iter().map(|a| a.id))
        .collect();
    let goals = plan
        .goals
        .iter()
        .enumerate()
        .filter(|(_, g)| shown_goals.contains(&g.id))
        .map(|(i, g)| Choice {
            value: g.id.to_string(),
            text: format!("{}. {}", i + 1, g.title),
            selected: draft.val("followup", 0, "goal_id") == g.id.to_string(),
        })
        .collect();
    let actions = plan
        .actions
        .iter()
        .filter(|a| shown_actions.contains(&a.id))
        .map(|a| Choice {
            value: a.id.to_string(),
            text: a.title.clone(),
            selected: draft.val("followup", 0, "action_id") == a.id.to_string(),
        })
        .collect();
    (goals, actions)
}

/// The page's title and path, and the query of its downloads.
fn page_texts(
    tr: &Tr,
    report: &Report,
    tag: Option<&(String, String)>,
    year: i64,
) -> (String, String, String) {
    let title = match tag {
        Some((_, n)) => format!("{n}: {}", report.title),
        None => format!("{}: {}", tr.t("plan-title"), report.title),
    };
    let path = format!(
        "/reports/{}/plan{}",
        report.id,
        tag.map(|(t, _)| format!("?tag={t}")).unwrap_or_default()
    );
    let mut export_query = format!("?year={year}");
    if let Some((t, _)) = tag {
        export_query.push_str(&format!("&tag={t}"));
    }
    (title, path, export_query)
}

/// Renders the plan page, with the message of the query's `done` or a refused form's
/// input.
pub(super) async fn render_plan(
    state: &AppState,
    viewer: &Viewer,
    ctx: &ReportCtx,
    q: &PlanQuery,
    draft: Draft,
) -> AppResult<Response> {
    let (report, acc) = (&ctx.report, ctx.access);
    let user = viewer.user()?;
    let tr = Tr::new(viewer.lang);
    let lang = tr.code();
    let (tag, year) = parse_query(q, report)?;
    let plan = state.app.plan(ctx).await?;
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
    let (title, path, export_query) = page_texts(&tr, report, tag_named.as_ref(), year);
    let observations = state.app.observations(ctx).await?;
    let (goal_choices, action_choices) = goal_action_choices(&plan, &view, &draft);
    let indicator_choices = if can_edit {
        let sel = draft.val("followup", 0, "indicator_id");
        indicator_candidates(state, ctx, lang, &sel).await?
    } else {
        vec![]
    };
    let tpl = PlanTpl {
        page: Page::new(viewer, title, &path),
        head: crate::pages::report_data::head(state, report, acc, &tr, "plan").await?,
        tag_links: tag_choices(lang, tag.as_deref()),
        tag_choices: tag_choices(lang, None),
        observation_choices: observation_choices(&tr, &observations),
        sector_choices: sector_choices(&tr),
        goal_choices,
        action_choices,
        indicator_choices,
        can_edit,
        message: done_message(&tr, q.done.as_deref()),
        yearly: state.app.yearly_reports_of(ctx).await?,
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
    page: ReportPage,
    Query(q): Query<PlanQuery>,
) -> AppResult<Response> {
    render_plan(&state, &page.viewer, &page.ctx, &q, Draft::default()).await
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
    ReportPage {
        viewer, ctx, tr, ..
    }: ReportPage,
    Query(q): Query<PlanQuery>,
) -> AppResult<Response> {
    let (report, acc) = (&ctx.report, ctx.access);
    let (tag, year) = parse_query(&q, report)?;
    let plan = state.app.plan(&ctx).await?;
    let view = plan_view(&state, report, &plan, &tr, tag.as_deref(), year, None).await?;
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
        head: crate::pages::report_data::head(&state, report, acc, &tr, "plan").await?,
        export_query: format!("?year={year}"),
        view,
    };
    render(&tpl)
}
