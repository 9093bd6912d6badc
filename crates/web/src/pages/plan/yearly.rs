//! The yearly report's texts: the plan's progress in the year, the follow-up
//! indicators and the indicator changes since the term report, written as Markdown in
//! the report's first language. The use case (`App::generate_yearly`) decides whether
//! the report may be generated and writes it in one transaction; this adapter
//! composes the texts, because they need the translations and the analysis code of
//! the web crate.

use super::refresh;
use super::view::{fmt_yv, follow_row, followup_statuses, goal_title, plan_view, PlanView};
use crate::i18n::Tr;
use crate::pages::report_data::{evidence_of, worded_proposals};
use crate::{AppResult, AppState};
use hyte_app::model::indicators::{Indicator, StoredValue, ValueQuery};
use hyte_app::model::plan::Plan;
use hyte_app::model::reports::Report;
use hyte_app::model::versions::Snapshot;
use hyte_app::observations::Proposal;
use hyte_app::plan::{YearlyDoc, YearlySection};
use hyte_app::ReportCtx;
use hyte_domain::plan::YearValue;
use hyte_domain::report::{ContentArea as A, SelectionState};
use hyte_domain::{IndicatorId, Polarity, RegionKey, Sex};
use hyte_stats::Outcome;
use serde::Serialize;
use std::collections::BTreeSet;

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

fn org_query(term: &Report) -> ValueQuery {
    ValueQuery {
        regions: vec![term.org.clone()],
        years: vec![],
        sex: Some(Sex::Total),
    }
}

fn year_values(values: &[StoredValue]) -> Vec<YearValue> {
    values
        .iter()
        .filter_map(|v| {
            Some(YearValue {
                year: v.year,
                value: v.value?,
            })
        })
        .collect()
}

/// The indicators of the term report's list: its included and added indicators, the
/// indicators of its joys and concerns (not dismissed) and the plan's follow-ups.
async fn listed_indicators(
    state: &AppState,
    term: &ReportCtx,
    plan: &Plan,
) -> AppResult<BTreeSet<i64>> {
    let mut ids: BTreeSet<i64> = state
        .app
        .selections(term)
        .await?
        .into_iter()
        .filter(|s| matches!(s.state, SelectionState::Included | SelectionState::Added))
        .filter_map(|s| s.indicator_id)
        .collect();
    for o in state.app.observations(term).await? {
        if o.status != "dismissed" {
            ids.extend(o.indicators);
        }
    }
    ids.extend(plan.followups.iter().map(|f| f.indicator_id));
    Ok(ids)
}

/// One indicator's change, or `None` when it has no value or did not move.
async fn change_of(
    state: &AppState,
    term: &Report,
    ind: &Indicator,
    snapshot: Option<&Snapshot>,
    lang: &str,
) -> AppResult<Option<IndicatorChange>> {
    let query = org_query(term);
    let mut series = year_values(&state.app.values(ind.id, &query).await?);
    series.sort_by_key(|v| v.year);
    let Some(latest) = series.last().copied() else {
        return Ok(None);
    };
    let approved = snapshot.and_then(|snap| {
        year_values(&snap.values(ind.id, &query))
            .into_iter()
            .max_by_key(|v| v.year)
    });
    let previous = approved.or_else(|| series.iter().rev().nth(1).copied());
    if previous.is_some_and(|p| (p.value - latest.value).abs() < 1e-12) {
        return Ok(None);
    }
    let e = evidence_of(state, ind, &term.org, lang).await?;
    let better = previous.and_then(|p| match ind.polarity {
        Polarity::HighIsGood => Some(latest.value > p.value),
        Polarity::LowIsGood => Some(latest.value < p.value),
        Polarity::NoJudgement => None,
    });
    Ok(Some(IndicatorChange {
        indicator_id: ind.id.0,
        title: ind.title.get(lang).to_string(),
        previous,
        latest,
        better,
        country_outcome: e.country.as_ref().map(|c| c.outcome),
        region_outcome: e.region.as_ref().map(|c| c.outcome),
    }))
}

/// Indicators of the term report's list whose latest value differs from the value
/// the council approved in the term report (its latest frozen version), with the
/// benchmark outcomes of the latest value. An indicator the frozen version did not
/// show, or a term report not approved yet, is compared with the value before its
/// latest one.
pub async fn indicator_changes(
    state: &AppState,
    term: &ReportCtx,
    plan: &Plan,
    lang: &str,
) -> AppResult<IndicatorChanges> {
    let facts = state.app.approval_facts(term).await?;
    let frozen = match facts.latest_version {
        Some(n) => state.app.version_document(term, n).await?,
        None => None,
    };
    let snapshot = frozen.as_ref().map(|d| d.snapshot());
    let since_approval = frozen.as_ref().map(|d| d.version.decision.date.clone());
    let mut items = vec![];
    for id in listed_indicators(state, term, plan).await? {
        let Some(ind) = state.app.indicator(IndicatorId(id)).await? else {
            continue;
        };
        if let Some(c) = change_of(state, &term.report, &ind, snapshot.as_ref(), lang).await? {
            items.push(c);
        }
    }
    Ok(IndicatorChanges {
        since_approval,
        items,
    })
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn md_row(cells: &[&str]) -> String {
    let cells: Vec<String> = cells.iter().map(|c| md_cell(c)).collect();
    format!("| {} |\n", cells.join(" | "))
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

/// Section 2: the plan's progress in the year, overall and per goal.
fn progress_md(dtr: &Tr, view: &PlanView, year: i64) -> String {
    let mut out = dtr.ta(
        "plan-yr-progress-intro",
        &[
            ("year", year.to_string()),
            ("percent", view.percent.to_string()),
            ("planned", view.euros_planned.clone()),
            ("used", view.euros_used.clone()),
            ("pyplanned", view.py_planned.clone()),
            ("pyused", view.py_used.clone()),
        ],
    );
    out.push_str("\n\n");
    out.push_str(&format!(
        "| {} | {} |\n|---|---:|\n",
        dtr.t("plan-col-status"),
        dtr.t("plan-col-count")
    ));
    for (s, n) in &view.counts {
        out.push_str(&format!("| {} | {n} |\n", md_cell(s)));
    }
    for g in &view.goals {
        out.push_str(&format!(
            "\n### {}. {}\n\n{}\n\n",
            g.number,
            md_cell(&g.title),
            g.percent_text
        ));
        if g.actions.is_empty() {
            out.push_str(&dtr.t("plan-no-actions"));
            out.push_str("\n\n");
            continue;
        }
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n|---|---|---|---|---|---|\n",
            dtr.t("plan-col-action"),
            dtr.t("plan-col-sector"),
            dtr.t("plan-col-status"),
            dtr.t("plan-col-narrative"),
            dtr.t("plan-col-planned"),
            dtr.t("plan-col-used"),
        ));
        for a in &g.actions {
            let narrative = if a.narrative.is_empty() {
                "–"
            } else {
                &a.narrative
            };
            out.push_str(&md_row(&[
                &a.title,
                &a.sector,
                &a.status_text,
                narrative,
                &a.planned,
                &a.used,
            ]));
        }
    }
    out
}

/// Section 3: the follow-up indicators with their tracking, and live charts.
async fn followups_md(state: &AppState, term: &Report, plan: &Plan, dtr: &Tr) -> AppResult<String> {
    let statuses = followup_statuses(state, term, plan, dtr.code()).await?;
    if statuses.is_empty() {
        return Ok(dtr.t("plan-no-followups"));
    }
    let mut out = dtr.t("plan-yr-followups-intro");
    out.push_str(&format!(
        "\n\n| {} | {} | {} | {} | {} | {} |\n|---|---|---:|---:|---:|---|\n",
        dtr.t("plan-col-goal"),
        dtr.t("plan-col-indicator"),
        dtr.t("plan-col-baseline"),
        dtr.t("plan-col-latest"),
        dtr.t("plan-col-target"),
        dtr.t("plan-col-tracking"),
    ));
    for s in &statuses {
        let goal = goal_title(plan, s.followup.goal_id);
        let row = follow_row(dtr, s, plan);
        out.push_str(&format!(
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
            out.push_str(&format!(
                "\n{{{{indicator {} chart=trend compare=region,country}}}}\n",
                s.followup.indicator_id
            ));
        }
    }
    Ok(out)
}

/// Section 4: the indicator changes since the term report.
async fn changes_md(state: &AppState, changes: &IndicatorChanges, dtr: &Tr) -> AppResult<String> {
    if changes.items.is_empty() {
        return Ok(dtr.t("plan-no-changes"));
    }
    let lang = dtr.code();
    let approved = changes.since_approval.is_some();
    let mut out = match &changes.since_approval {
        Some(date) => dtr.ta("plan-yr-changes-intro-approved", &[("date", date.clone())]),
        None => dtr.t("plan-yr-changes-intro"),
    };
    out.push_str(&format!(
        "\n\n| {} | {} | {} | {} | {} | {} |\n|---|---:|---:|---|---|---|\n",
        dtr.t("plan-col-indicator"),
        dtr.t(if approved {
            "plan-col-approved"
        } else {
            "plan-col-previous"
        }),
        dtr.t("plan-col-latest"),
        dtr.t("plan-col-change"),
        dtr.t("plan-col-vs-region"),
        dtr.t("plan-col-vs-country"),
    ));
    for c in &changes.items {
        let dec = state
            .app
            .indicator(IndicatorId(c.indicator_id))
            .await?
            .map(|i| i.decimals.clamp(0, 6) as u32)
            .unwrap_or(1);
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            md_cell(&c.title),
            fmt_yv(c.previous, dec, lang),
            fmt_yv(Some(c.latest), dec, lang),
            dtr.t(match c.better {
                Some(true) => "plan-change-better",
                Some(false) => "plan-change-worse",
                None => "plan-change-moved",
            }),
            outcome_text(dtr, c.region_outcome),
            outcome_text(dtr, c.country_outcome),
        ));
    }
    Ok(out)
}

/// Hyte's proposals from the data for the new yearly report of `org`, worded in
/// `tr`'s language: [`worded_proposals`] (the rule and wording of
/// `report_data::propose`) over every indicator with values (a new report has no
/// earlier proposals). The use case stores them with the report.
async fn data_proposals(state: &AppState, org: &RegionKey, tr: &Tr) -> AppResult<Vec<Proposal>> {
    let counts = state.app.value_counts().await?;
    let with_values: Vec<Indicator> = state
        .app
        .indicators()
        .await?
        .into_iter()
        .filter(|ind| counts.get(&ind.id.0).copied().unwrap_or(0) > 0)
        .collect();
    worded_proposals(state, org, &with_values, tr).await
}

/// Composes the yearly report of `year` from the term report's plan. The document is
/// written in the report's first language, like its outline.
async fn compose_yearly(
    state: &AppState,
    ctx: &ReportCtx,
    plan: Plan,
    year: i64,
    tr: &Tr,
) -> AppResult<YearlyDoc> {
    let term = &ctx.report;
    let lang = term.languages.first().map(String::as_str).unwrap_or("fi");
    let dtr = Tr::new(crate::i18n::Lang::parse(lang).unwrap_or(tr.lang));
    let lang = dtr.code();
    let view = plan_view(state, term, &plan, &dtr, None, year, None).await?;
    let changes = indicator_changes(state, ctx, &plan, lang).await?;
    let summary = dtr.ta(
        "plan-yr-summary",
        &[
            ("year", year.to_string()),
            ("term", term.title.clone()),
            ("percent", view.percent.to_string()),
            ("changes", changes.items.len().to_string()),
        ],
    );
    let section = |key: &str, areas: Vec<A>, body: String| YearlySection {
        heading: dtr.t(key),
        areas,
        body,
    };
    let sections = vec![
        section("plan-yr-h-summary", vec![A::WelfarePolicy], summary),
        section(
            "plan-yr-h-progress",
            vec![A::WelfarePolicy, A::PreventionEffects],
            progress_md(&dtr, &view, year),
        ),
        section(
            "plan-yr-h-followups",
            vec![A::PopulationHealth],
            followups_md(state, term, &plan, &dtr).await?,
        ),
        section(
            "plan-yr-h-changes",
            vec![A::PopulationHealth, A::GroupDifferences],
            changes_md(state, &changes, &dtr).await?,
        ),
    ];
    Ok(YearlyDoc {
        title: dtr.ta(
            "plan-yr-title",
            &[("year", year.to_string()), ("term", term.title.clone())],
        ),
        lang: lang.to_string(),
        sections,
        // New concerns from the data, by the same mechanism as the term report's.
        proposals: data_proposals(state, &term.org, &dtr).await?,
        changes: changes.items.len(),
    })
}

/// Generates the yearly report of `year` from the term report's plan (the use case,
/// with the texts composed here) and forgets the term report's cached outputs.
/// Returns the new report's id.
pub async fn generate_yearly(
    state: &AppState,
    ctx: &ReportCtx,
    year: i64,
    tr: &Tr,
) -> AppResult<i64> {
    let (id, changed) = state
        .app
        .generate_yearly(ctx, year, |plan| compose_yearly(state, ctx, plan, year, tr))
        .await?;
    refresh(state, changed);
    Ok(id)
}
