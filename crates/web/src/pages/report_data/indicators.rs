//! The indicator list page (seed, decide, add, self-assessment) and the appendix page.

use super::{
    anchor, done_message, form_refusal, group_text, head_of, indicator_values, not_saved, opts,
    see_other, DoneQuery, Opt, ReportHead, POPULATION_GROUPS,
};
use crate::extract::{ReportForm, ReportPage};
use crate::pages::render;
use crate::pages::reports::to_report;
use crate::view::Page;
use crate::{AppResult, AppState};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use hyte_app::indicators::{
    parse_score, parse_section_id, AppendixRow, SelectionInput, SelfAssessmentInput,
};
use hyte_app::model::indicators::Indicator;
use hyte_app::model::reports::{Section, Selection, SelfAssessment};
use hyte_domain::report::{MeasureKind, SelectionState};
use std::collections::{HashMap, HashSet};

/// A row of the indicator list.
pub struct ItemRow {
    /// Key.
    pub item_key: String,
    /// HTML id.
    pub anchor: String,
    /// Title.
    pub title: String,
    /// Sotkanet id with data (for a link), if any.
    pub link_id: Option<i64>,
    /// Whether Hyte has values for it.
    pub has_data: bool,
    /// Theme.
    pub theme: String,
    /// Kind in words.
    pub kind_text: String,
    /// State key.
    pub state: &'static str,
    /// State in words.
    pub state_text: String,
    /// Reason.
    pub reason: String,
    /// Source (added) or provenance (preset).
    pub source: String,
    /// Whether the item came from the preset.
    pub from_preset: bool,
    /// Section heading.
    pub section_text: String,
    /// Section options for the decision form.
    pub section_opts: Vec<Opt>,
    /// State options for the decision form.
    pub state_opts: Vec<Opt>,
}

/// Items of one population group.
pub struct ItemGroup {
    /// HTML id.
    pub id: String,
    /// Group name.
    pub name: String,
    /// Rows.
    pub rows: Vec<ItemRow>,
}

/// What the add form had when it was refused.
#[derive(Default)]
pub struct AddDraft {
    indicator_id: String,
    reason: String,
    source: String,
    section_id: String,
    measure_kind: String,
}

/// What the self-assessment form had when it was refused.
#[derive(Default)]
pub struct AssessmentDraft {
    topic: String,
    body: String,
    score: String,
}

/// A self-assessment entry as shown.
pub struct AssessmentRow {
    /// Topic.
    pub topic: String,
    /// Text.
    pub body: String,
    /// Score text.
    pub score: String,
    /// By and when.
    pub by: String,
}

#[derive(Template)]
#[template(path = "report_indicators.html")]
struct IndicatorsTpl {
    page: Page,
    head: ReportHead,
    groups: Vec<ItemGroup>,
    empty: bool,
    counts: Vec<(String, usize)>,
    can_decide: bool,
    can_write: bool,
    error: Option<String>,
    message: Option<String>,
    add_indicator_opts: Vec<Opt>,
    add_section_opts: Vec<Opt>,
    add_kind_opts: Vec<Opt>,
    add: AddDraft,
    assessments: Vec<AssessmentRow>,
    assessment: AssessmentDraft,
    score_opts: Vec<Opt>,
}

/// What the indicator page shows besides the list: a message or a refused form.
#[derive(Default)]
struct Extras {
    error: Option<String>,
    message: Option<String>,
    add: AddDraft,
    assessment: AssessmentDraft,
}

/// `GET /reports/{id}/indicators`: the report's indicator list.
pub async fn indicators_page(
    State(state): State<AppState>,
    page: ReportPage,
    Query(DoneQuery { done }): Query<DoneQuery>,
) -> AppResult<Response> {
    let extras = Extras {
        message: done_message(&page.tr, done.as_deref()),
        ..Default::default()
    };
    render_indicators(&state, &page, extras).await
}

fn score_text(tr: &crate::i18n::Tr, score: Option<i64>) -> String {
    score
        .map(|s| tr.ta("rd-score-n", &[("n", s.to_string())]))
        .unwrap_or_else(|| tr.t("rd-score-none"))
}

/// The list's rows by population group (in the outline's order) and how many
/// items are in each state.
fn item_groups(
    p: &ReportPage,
    selections: &[Selection],
    indicators: &[Indicator],
    counts: &HashMap<i64, i64>,
    sections: &[Section],
    section_values: &[(String, String)],
) -> (Vec<ItemGroup>, HashMap<SelectionState, usize>) {
    let tr = &p.tr;
    let heading: HashMap<i64, &str> = sections
        .iter()
        .map(|s| (s.id, s.heading.as_str()))
        .collect();
    let by_id: HashMap<i64, &Indicator> = indicators.iter().map(|i| (i.id.0, i)).collect();
    let state_values: Vec<(String, String)> = [
        SelectionState::Pending,
        SelectionState::Included,
        SelectionState::Excluded,
    ]
    .iter()
    .map(|s| (s.as_str().to_string(), tr.t(&format!("rd-state-{s}"))))
    .collect();
    let mut tally: HashMap<SelectionState, usize> = HashMap::new();
    let mut groups: Vec<ItemGroup> = vec![];
    for s in selections {
        *tally.entry(s.state).or_default() += 1;
        let has_data = s
            .indicator_id
            .is_some_and(|i| by_id.contains_key(&i) && counts.get(&i).copied().unwrap_or(0) > 0);
        let mut states = state_values.clone();
        if s.state == SelectionState::Added {
            states.push(("added".into(), tr.t("rd-state-added")));
        }
        let row = ItemRow {
            anchor: anchor(&s.item_key),
            title: s
                .indicator_id
                .and_then(|i| by_id.get(&i))
                .map(|i| i.title.get(tr.code()).to_string())
                .unwrap_or_else(|| s.title.clone()),
            link_id: s.indicator_id.filter(|_| has_data),
            has_data,
            theme: s.theme.clone().unwrap_or_default(),
            kind_text: tr.t(&format!("rd-kind-{}", s.measure_kind)),
            state: s.state.as_str(),
            state_text: tr.t(&format!("rd-state-{}", s.state)),
            reason: s.reason.clone(),
            source: s.source.clone().unwrap_or_default(),
            from_preset: s.from_preset,
            section_text: s
                .section_id
                .and_then(|i| heading.get(&i).map(|h| h.to_string()))
                .unwrap_or_default(),
            section_opts: opts(
                section_values,
                &s.section_id.map(|i| i.to_string()).unwrap_or_default(),
            ),
            state_opts: opts(&states, s.state.as_str()),
            item_key: s.item_key.clone(),
        };
        let gkey = s.population_group.clone().unwrap_or_default();
        let name = group_text(tr, s.population_group.as_deref());
        match groups.iter_mut().find(|g| g.name == name) {
            Some(g) => g.rows.push(row),
            None => groups.push(ItemGroup {
                id: format!("group-{}", if gkey.is_empty() { "none" } else { &gkey }),
                name,
                rows: vec![row],
            }),
        }
    }
    let order = |g: &ItemGroup| {
        POPULATION_GROUPS
            .iter()
            .position(|p| g.id == format!("group-{p}"))
            .unwrap_or(POPULATION_GROUPS.len())
    };
    groups.sort_by_key(order);
    (groups, tally)
}

fn assessment_rows(
    tr: &crate::i18n::Tr,
    list: Vec<SelfAssessment>,
    when: bool,
) -> Vec<AssessmentRow> {
    list.into_iter()
        .map(|a| AssessmentRow {
            score: score_text(tr, a.score),
            by: if when {
                format!(
                    "{} · {}",
                    a.updated_by,
                    a.updated_at.get(..10).unwrap_or_default()
                )
            } else {
                a.updated_by
            },
            topic: a.topic,
            body: a.body,
        })
        .collect()
}

async fn render_indicators(state: &AppState, p: &ReportPage, x: Extras) -> AppResult<Response> {
    let (tr, ctx) = (&p.tr, &p.ctx);
    let sections = state.app.sections(ctx).await?;
    let mut section_values = vec![(String::new(), tr.t("rd-section-none"))];
    section_values.extend(
        sections
            .iter()
            .map(|s| (s.id.to_string(), s.heading.clone())),
    );
    let indicators = state.app.indicators().await?;
    let counts = state.app.value_counts().await?;
    let selections = state.app.selections(ctx).await?;
    let (groups, tally) = item_groups(
        p,
        &selections,
        &indicators,
        &counts,
        &sections,
        &section_values,
    );
    let counts_out = SelectionState::ALL
        .iter()
        .map(|s| {
            (
                tr.t(&format!("rd-state-{s}")),
                tally.get(s).copied().unwrap_or(0),
            )
        })
        .collect();
    // An indicator already on the list is decided there, not added again.
    let on_list: HashSet<i64> = selections.iter().filter_map(|s| s.indicator_id).collect();
    let addable: Vec<&Indicator> = indicators
        .iter()
        .filter(|i| !on_list.contains(&i.id.0))
        .collect();
    let mut ind_values = vec![(String::new(), tr.t("rd-choose-indicator"))];
    ind_values.extend(indicator_values(tr, &addable, &counts));
    let kind_values: Vec<(String, String)> = MeasureKind::ALL
        .iter()
        .map(|k| (k.as_str().to_string(), tr.t(&format!("rd-kind-{k}"))))
        .collect();
    let mut score_values = vec![(String::new(), tr.t("rd-score-none"))];
    score_values.extend((1..=5).map(|i| (i.to_string(), score_text(tr, Some(i)))));
    let assessments = assessment_rows(tr, state.app.self_assessments(ctx).await?, true);
    let failed = x.error.is_some();
    let title = format!("{} – {}", tr.t("rd-indicators-title"), ctx.report.title);
    let path = format!("/reports/{}/indicators", ctx.report.id);
    let kind = if x.add.measure_kind.is_empty() {
        "state"
    } else {
        x.add.measure_kind.as_str()
    };
    let mut res = render(&IndicatorsTpl {
        head: head_of(ctx, tr, "indicators"),
        page: Page::new(&p.viewer, title, &path),
        empty: selections.is_empty(),
        groups,
        counts: counts_out,
        can_decide: ctx.access.can_decide(),
        can_write: ctx.access.can_write(),
        error: x.error,
        message: x.message,
        add_indicator_opts: opts(&ind_values, &x.add.indicator_id),
        add_section_opts: opts(&section_values, &x.add.section_id),
        add_kind_opts: opts(&kind_values, kind),
        add: x.add,
        assessments,
        score_opts: opts(&score_values, &x.assessment.score),
        assessment: x.assessment,
    })?;
    if failed {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

/// `POST /reports/{id}/indicators/seed`: adds the preset's missing items.
pub async fn seed_form(
    State(state): State<AppState>,
    ReportForm { page, .. }: ReportForm,
) -> AppResult<Response> {
    let (n, _) = state.app.seed_indicators(&page.ctx).await?;
    let done = if n > 0 { "seeded" } else { "seeded-none" };
    Ok(to_report(&page, format!("/indicators?done={done}")))
}

/// `POST /reports/{id}/indicators/select`: include, exclude (with a reason) or reset
/// an item, and set the section where it is shown.
pub async fn select_form(
    State(state): State<AppState>,
    ReportForm { page, form: f }: ReportForm,
) -> AppResult<Response> {
    let ctx = &page.ctx;
    let item_key = f.get("item_key").to_string();
    let result = match parse_section_id(f.get("section_id")) {
        Ok(section) => {
            let input = SelectionInput {
                state: f.get("state").to_string(),
                reason: f.get("reason").to_string(),
                source: None,
                section_id: Some(section),
                measure_kind: None,
            };
            state.app.decide_indicator(ctx, &item_key, &input).await
        }
        Err(e) => Err(e),
    };
    let refusal = match result {
        Ok(_) => {
            return Ok(see_other(format!(
                "/reports/{}/indicators?done=saved#{}",
                ctx.report.id,
                anchor(&item_key)
            )))
        }
        Err(e) => form_refusal(e)?,
    };
    let title = state
        .app
        .selections(ctx)
        .await?
        .into_iter()
        .find(|s| s.item_key == item_key.trim())
        .map(|s| s.title)
        .unwrap_or(item_key);
    let extras = Extras {
        error: Some(not_saved(&page.tr, &title, &refusal)),
        ..Default::default()
    };
    render_indicators(&state, &page, extras).await
}

/// `POST /reports/{id}/indicators/add`: adds an indicator that is not on the list,
/// with a reason and a source.
pub async fn add_form(
    State(state): State<AppState>,
    ReportForm { page, form: f }: ReportForm,
) -> AppResult<Response> {
    let draft = AddDraft {
        indicator_id: f.get("indicator_id").to_string(),
        reason: f.get("reason").to_string(),
        source: f.get("source").to_string(),
        section_id: f.get("section_id").to_string(),
        measure_kind: f.get("measure_kind").to_string(),
    };
    let tr = &page.tr;
    let result = async {
        let ind = draft.indicator_id.trim();
        if ind.is_empty() {
            return Err(hyte_app::AppError::invalid(
                "indicator_id",
                hyte_app::Refusal::new("rd-error-choose-indicator", "choose the indicator to add"),
            ));
        }
        let input = SelectionInput {
            state: SelectionState::Added.as_str().to_string(),
            reason: draft.reason.clone(),
            source: Some(draft.source.clone()),
            section_id: Some(parse_section_id(&draft.section_id)?),
            measure_kind: Some(draft.measure_kind.clone()),
        };
        let key = format!("sotkanet:{ind}");
        state.app.decide_indicator(&page.ctx, &key, &input).await
    }
    .await;
    match result {
        Ok((s, _)) => Ok(to_report(
            &page,
            format!("/indicators?done=added#{}", anchor(&s.item_key)),
        )),
        Err(e) => {
            let refusal = form_refusal(e)?;
            let extras = Extras {
                error: Some(not_saved(tr, &tr.t("rd-add-title"), &refusal)),
                add: draft,
                ..Default::default()
            };
            render_indicators(&state, &page, extras).await
        }
    }
}

/// `POST /reports/{id}/self-assessments`: a qualitative self-assessment entry.
pub async fn self_assessment_form(
    State(state): State<AppState>,
    ReportForm { page, form: f }: ReportForm,
) -> AppResult<Response> {
    let draft = AssessmentDraft {
        topic: f.get("topic").to_string(),
        body: f.get("body").to_string(),
        score: f.get("score").to_string(),
    };
    let result = match parse_score(&draft.score) {
        Ok(score) => {
            let input = SelfAssessmentInput {
                topic: draft.topic.clone(),
                body: draft.body.clone(),
                score,
            };
            state.app.add_self_assessment(&page.ctx, &input).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(to_report(
            &page,
            "/indicators?done=assessed#self-assessment",
        )),
        Err(e) => {
            let refusal = form_refusal(e)?;
            let tr = &page.tr;
            let extras = Extras {
                error: Some(not_saved(tr, &tr.t("rd-sa-title"), &refusal)),
                assessment: draft,
                ..Default::default()
            };
            render_indicators(&state, &page, extras).await
        }
    }
}

// ---------------------------------------------------------------------------
// Appendix page
// ---------------------------------------------------------------------------

/// An appendix line as shown.
pub struct AppendixLine {
    /// Title.
    pub title: String,
    /// Sotkanet id text.
    pub id_text: String,
    /// Kind.
    pub kind_text: String,
    /// State.
    pub state_text: String,
    /// Section heading.
    pub section: String,
    /// Reason.
    pub reason: String,
    /// Source.
    pub source: String,
    /// Population group.
    pub group: String,
}

#[derive(Template)]
#[template(path = "report_appendix.html")]
struct AppendixTpl {
    page: Page,
    head: ReportHead,
    used: Vec<AppendixLine>,
    excluded: Vec<AppendixLine>,
    added: Vec<AppendixLine>,
    pending: usize,
    assessments: Vec<AssessmentRow>,
}

/// `GET /reports/{id}/appendix`: the generated appendix.
pub async fn appendix_page(
    State(state): State<AppState>,
    uri: axum::http::Uri,
    page: ReportPage,
) -> AppResult<Response> {
    let (tr, ctx) = (&page.tr, &page.ctx);
    let a = state.app.appendix(ctx, tr.code()).await?;
    let line = |r: &AppendixRow| AppendixLine {
        title: r.title.clone(),
        id_text: r
            .indicator_id
            .map(|i| i.to_string())
            .unwrap_or_else(|| "–".into()),
        kind_text: tr.t(&format!("rd-kind-{}", r.measure_kind)),
        state_text: tr.t(&format!("rd-state-{}", r.state)),
        section: r
            .section_heading
            .clone()
            .unwrap_or_else(|| tr.t("rd-section-none")),
        reason: r.reason.clone(),
        source: r.source.clone().unwrap_or_default(),
        group: group_text(tr, r.population_group.as_deref()),
    };
    let title = format!("{} – {}", tr.t("rd-appendix-title"), ctx.report.title);
    render(&AppendixTpl {
        head: head_of(ctx, tr, "appendix"),
        page: Page::new(&page.viewer, title, &uri.to_string()),
        used: a.used.iter().map(line).collect(),
        excluded: a.excluded.iter().map(line).collect(),
        added: a.added.iter().map(line).collect(),
        pending: a.pending,
        assessments: assessment_rows(tr, a.self_assessments, false),
    })
}
