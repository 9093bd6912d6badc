//! The plan and its yearly progress as tables (CSV and XLSX downloads).

use super::page::{parse_query, PlanQuery};
use super::view::{
    fmt_num, followup_statuses, goal_title, resource_text, sector_text, shown_actions, tags_text,
    FollowUpStatus,
};
use crate::auth::Viewer;
use crate::export::{Cell, ExportFormat, Table};
use crate::i18n::Tr;
use crate::pages::report_data::report_ctx;
use crate::{AppResult, AppState};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use hyte_app::model::plan::{Plan, PlanAction, PlanGoal};
use hyte_app::model::reports::Report;
use hyte_domain::plan::ActionStatus;

fn header(tr: &Tr, keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| tr.t(k)).collect()
}

/// The follow-ups of a goal (`aid = None`) or of one of its actions, in one cell.
fn follow_text(statuses: &[FollowUpStatus], gid: i64, aid: Option<i64>, lang: &str) -> String {
    statuses
        .iter()
        .filter(|f| f.followup.goal_id == gid && f.followup.action_id == aid)
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
}

fn action_cells(tr: &Tr, g: &PlanGoal, a: &PlanAction, follow: String) -> Vec<Cell> {
    let lang = tr.code();
    let euros: i64 = a.resources.iter().map(|r| r.euros.cents()).sum();
    let py: i64 = a
        .resources
        .iter()
        .map(|r| r.person_years.hundredths())
        .sum();
    vec![
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
        follow.into(),
    ]
}

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
        header(
            tr,
            &[
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
            ],
        ),
    );
    for g in &plan.goals {
        let Some(acts) = shown_actions(plan, g, tag) else {
            continue;
        };
        let goal_follow = follow_text(&statuses, g.id, None, lang);
        if acts.is_empty() {
            let mut row: Vec<Cell> = vec![g.title.clone().into(), tags_text(&g.tags, lang).into()];
            row.extend(std::iter::repeat_with(|| Cell::Empty).take(9));
            row.push(goal_follow.clone().into());
            t.push(row);
        }
        for a in acts {
            let mine = follow_text(&statuses, g.id, Some(a.id), lang);
            let follow = [goal_follow.clone(), mine]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join("; ");
            t.push(action_cells(tr, g, a, follow));
        }
    }
    Ok(t)
}

fn progress_table(plan: &Plan, tr: &Tr, year: i64) -> Table {
    let mut p = Table::new(
        tr.ta("plan-progress-sheet", &[("year", year.to_string())]),
        header(
            tr,
            &[
                "plan-col-goal",
                "plan-col-action",
                "plan-col-sector",
                "plan-col-status",
                "plan-col-narrative",
                "plan-col-euros-planned",
                "plan-col-euros-used",
                "plan-col-py-planned",
                "plan-col-py-used",
            ],
        ),
    );
    for a in &plan.actions {
        let goal = goal_title(plan, a.goal_id);
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
    p
}

/// The yearly tables: progress per action and follow-up indicators.
pub async fn progress_tables(
    state: &AppState,
    report: &Report,
    plan: &Plan,
    tr: &Tr,
    year: i64,
) -> AppResult<(Table, Table)> {
    let p = progress_table(plan, tr, year);
    let mut f = Table::new(
        tr.t("plan-followups"),
        header(
            tr,
            &[
                "plan-col-goal",
                "plan-col-indicator",
                "plan-col-baseline-year",
                "plan-col-baseline",
                "plan-col-latest-year",
                "plan-col-latest",
                "plan-col-target-year",
                "plan-col-target",
                "plan-col-tracking",
            ],
        ),
    );
    for s in followup_statuses(state, report, plan, tr.code()).await? {
        let goal = goal_title(plan, s.followup.goal_id);
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

/// `GET /reports/{id}/plan/table.{csv,xlsx}?tag=` (the plan table) and, with
/// `PROGRESS`, `GET /reports/{id}/plan/progress.{csv,xlsx}?year=` (progress and
/// follow-up sheets); `XLSX` picks the format. One handler, four routes.
pub async fn plan_download<const PROGRESS: bool, const XLSX: bool>(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<PlanQuery>,
) -> AppResult<Response> {
    let format = if XLSX {
        ExportFormat::Xlsx
    } else {
        ExportFormat::Csv
    };
    let ctx = report_ctx(&state, &viewer, &id).await?;
    let report = &ctx.report;
    let tr = Tr::new(viewer.lang);
    let (tag, year) = parse_query(&q, report)?;
    let plan = state.app.plan(&ctx).await?;
    if PROGRESS {
        let (p, f) = progress_tables(&state, report, &plan, &tr, year).await?;
        return Table::download(
            &[&p, &f],
            format,
            &format!("plan-{}-progress-{year}", report.id),
        );
    }
    let t = plan_table(&state, report, &plan, &tr, tag.as_deref()).await?;
    let stem = match &tag {
        Some(t) => format!("plan-{}-{t}", report.id),
        None => format!("plan-{}", report.id),
    };
    Table::download(&[&t], format, &stem)
}
