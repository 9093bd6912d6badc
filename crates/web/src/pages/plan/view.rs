//! The plan as shown: follow-up indicators with their latest values and tracking, and
//! the plan filtered by tag and formatted for one budget year (the working group's
//! page, the accountability view and the published plan).

use crate::i18n::Tr;
use crate::pages::report_data::ReportAccess;
use crate::pages::reports::DEFAULT_SECTORS;
use crate::{AppResult, AppState};
use hyte_app::model::plan::{FollowUp, Plan, PlanAction, PlanGoal, Progress, Resource};
use hyte_app::model::reports::Report;
use hyte_app::model::users::User;
use hyte_app::plan::{can_update_progress, tag_name};
use hyte_domain::plan::{
    tracking, ActionStatus, Euros, PersonYears, StatusCounts, Tracking, YearValue,
};
use hyte_domain::report::ObservationKind;
use hyte_domain::{IndicatorId, Polarity};
use serde::Serialize;
use std::collections::HashMap;

/// A follow-up indicator with its latest value and whether it is on track.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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
        let ind = state.app.indicator(IndicatorId(f.indicator_id)).await?;
        let polarity = ind.as_ref().map(|i| i.polarity).unwrap_or_default();
        let latest = state
            .app
            .indicator_value(&report.org, f.indicator_id, None)
            .await?;
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

/// The title of the plan's goal `goal_id` ("" when the plan has no such goal).
pub(super) fn goal_title(plan: &Plan, goal_id: i64) -> String {
    plan.goals
        .iter()
        .find(|g| g.id == goal_id)
        .map(|g| g.title.clone())
        .unwrap_or_default()
}

pub(super) fn fmt_num(v: f64, decimals: u32, lang: &str) -> String {
    hyte_charts::format_number(v, decimals, lang != "en")
}

pub(super) fn fmt_yv(v: Option<YearValue>, decimals: u32, lang: &str) -> String {
    match v {
        Some(v) => format!("{} ({})", fmt_num(v.value, decimals, lang), v.year),
        None => "–".into(),
    }
}

pub(super) fn sector_text(tr: &Tr, s: &str) -> String {
    if DEFAULT_SECTORS.contains(&s) {
        tr.t(&format!("rep-sector-{s}"))
    } else {
        s.to_string()
    }
}

pub(super) fn tags_text(tags: &[String], lang: &str) -> String {
    tags.iter()
        .map(|t| tag_name(t, lang))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn resource_text(tr: &Tr, r: &Resource) -> String {
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

/// The actions of a goal shown under a tag filter, or `None` when the goal is not
/// shown at all: a goal with the tag shows all its actions; an untagged goal is shown
/// when one of its actions carries the tag, with only those actions.
pub(super) fn shown_actions<'a>(
    plan: &'a Plan,
    g: &PlanGoal,
    tag: Option<&str>,
) -> Option<Vec<&'a PlanAction>> {
    let goal_tagged = tagged(&g.tags, tag);
    let acts: Vec<&PlanAction> = plan
        .actions
        .iter()
        .filter(|a| a.goal_id == g.id && (goal_tagged || tagged(&a.tags, tag)))
        .collect();
    (goal_tagged || !acts.is_empty()).then_some(acts)
}

/// Resources planned and used in the year, summed over the shown actions.
#[derive(Default)]
struct Totals {
    euros_planned: i64,
    euros_used: i64,
    py_planned: i64,
    py_used: i64,
}

impl Totals {
    fn add(&mut self, a: &PlanAction, year: i64) {
        let planned = a.resources_in(year);
        let p = a.progress_in(year);
        self.euros_planned += planned.map(|r| r.euros.cents()).unwrap_or(0);
        self.py_planned += planned.map(|r| r.person_years.hundredths()).unwrap_or(0);
        self.euros_used += p.and_then(|p| p.euros_used).map(|e| e.cents()).unwrap_or(0);
        self.py_used += p
            .and_then(|p| p.person_years_used)
            .map(|e| e.hundredths())
            .unwrap_or(0);
    }
}

fn used_text(tr: &Tr, p: Option<&Progress>) -> String {
    let lang = tr.code();
    match p {
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
    }
}

fn action_row(tr: &Tr, a: &PlanAction, year: i64, acc: Option<(ReportAccess, &User)>) -> ActionRow {
    let lang = tr.code();
    let p = a.progress_in(year);
    let s = p.map(|p| p.status).unwrap_or(ActionStatus::NotStarted);
    ActionRow {
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
        used: used_text(tr, p),
        planned: a
            .resources_in(year)
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
    }
}

/// The joys and concerns of the report as a goal lists them ("Concern: …").
async fn observation_texts(
    state: &AppState,
    report: &Report,
    tr: &Tr,
) -> AppResult<HashMap<i64, String>> {
    Ok(state
        .app
        .observations_of(report)
        .await?
        .into_iter()
        .map(|o| {
            let kind = match o.kind {
                ObservationKind::Concern => tr.t("plan-concern"),
                ObservationKind::Joy => tr.t("plan-joy"),
            };
            (o.id, format!("{kind}: {}", o.body))
        })
        .collect())
}

/// What a goal row is built from.
struct GoalParts<'a> {
    number: usize,
    goal: &'a PlanGoal,
    acts: &'a [&'a PlanAction],
    rows: Vec<ActionRow>,
    counts: StatusCounts,
}

fn goal_row(
    tr: &Tr,
    parts: GoalParts<'_>,
    plan: &Plan,
    statuses: &[FollowUpStatus],
    observations: &HashMap<i64, String>,
) -> GoalRow {
    let g = parts.goal;
    let followups = statuses
        .iter()
        .filter(|f| {
            f.followup.goal_id == g.id
                && f.followup
                    .action_id
                    .is_none_or(|aid| parts.acts.iter().any(|a| a.id == aid))
        })
        .map(|f| follow_row(tr, f, plan))
        .collect();
    GoalRow {
        id: g.id,
        number: parts.number,
        title: g.title.clone(),
        description: g.description.clone(),
        tags: tags_text(&g.tags, tr.code()),
        answers: g
            .observations
            .iter()
            .filter_map(|o| observations.get(o).cloned())
            .collect(),
        actions: parts.rows,
        followups,
        counts: counts_rows(tr, &parts.counts),
        percent: parts.counts.percent,
        percent_text: tr.ta(
            "plan-progress-percent",
            &[("percent", parts.counts.percent.to_string())],
        ),
    }
}

/// Builds the view. With a tag, only goals and actions carrying it are shown (see
/// [`shown_actions`]). `acc` is the working group member viewing it (`None`: the
/// read-only accountability view or the public).
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
    let observations = observation_texts(state, report, tr).await?;
    let mut goals = vec![];
    let mut all_statuses = vec![];
    let mut totals = Totals::default();
    for (gi, g) in plan.goals.iter().enumerate() {
        let Some(acts) = shown_actions(plan, g, tag) else {
            continue;
        };
        let st: Vec<Option<ActionStatus>> = acts
            .iter()
            .map(|a| a.progress_in(year).map(|p| p.status))
            .collect();
        acts.iter().for_each(|a| totals.add(a, year));
        all_statuses.extend(st.iter().copied());
        let parts = GoalParts {
            number: gi + 1,
            goal: g,
            acts: &acts,
            rows: acts.iter().map(|a| action_row(tr, a, year, acc)).collect(),
            counts: StatusCounts::of(st),
        };
        goals.push(goal_row(tr, parts, plan, &statuses, &observations));
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
        read_only: acc.is_none(),
        counts: counts_rows(tr, &total),
        percent: total.percent,
        percent_text: tr.ta(
            "plan-progress-percent",
            &[("percent", total.percent.to_string())],
        ),
        euros_planned: e(totals.euros_planned),
        euros_used: e(totals.euros_used),
        py_planned: h(totals.py_planned),
        py_used: h(totals.py_used),
    })
}

/// A follow-up as a row of the page and of the yearly report.
pub(super) fn follow_row(tr: &Tr, f: &FollowUpStatus, plan: &Plan) -> FollowRow {
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
