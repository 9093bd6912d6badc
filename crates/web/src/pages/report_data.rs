//! Report pages: indicator list and appendix, joys and concerns, self-assessment.
//!
//! The logic here (who may do what with a report, the preset, selection decisions,
//! evidence and verdicts, proposals from the data, the appendix) is shared with the
//! JSON API in `api::reports`, so the browser and an API client always get the same
//! answer.

use super::render;
use crate::analysis::{assess, BenchmarkComparison};
use crate::auth::{access, Access, Viewer};
use crate::i18n::Tr;
use crate::pages::login_redirect;
use crate::view::Page;
use crate::{AppError, AppResult, AppState};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use hyte_domain::report::{
    check_selection, verdict, Evidence, MeasureKind, ObservationKind, ObservationOrigin,
    ReportKind, SelectionState, Verdict,
};
use hyte_domain::{IndicatorId, RegionCategory, RegionKey, Role, Sex};
use hyte_stats::{trend_outcome, trend_weighted, CiLevel, Outcome, TrendOutcome};
use hyte_store::indicators::{Indicator, ValueQuery};
use hyte_store::reports::{
    CollectedObservation, Observation, Report, Section, Selection, SelfAssessment,
};
use hyte_store::users::User;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

/// Routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/reports/{id}/indicators", get(indicators_page))
        .route("/reports/{id}/indicators/seed", post(seed_form))
        .route("/reports/{id}/indicators/select", post(select_form))
        .route("/reports/{id}/indicators/add", post(add_form))
        .route("/reports/{id}/self-assessments", post(self_assessment_form))
        .route("/reports/{id}/appendix", get(appendix_page))
        .route(
            "/reports/{id}/observations",
            get(observations_page).post(observation_form),
        )
        .route("/reports/{id}/observations/propose", post(propose_form))
        .route("/reports/{id}/observations/collect", post(collect_form))
        .route(
            "/reports/{id}/observations/{oid}/status",
            post(observation_status_form),
        )
        .route(
            "/reports/{id}/observations/{oid}/indicators",
            post(observation_links_form),
        )
}

// ---------------------------------------------------------------------------
// The preset
// ---------------------------------------------------------------------------

/// The example indicator preset, shipped as data (`data/presets/preset_example.csv`).
/// It is NOT THL's minimum data list, which is not available as data yet; see
/// `data/presets/README.md`.
pub const PRESET_CSV: &str = include_str!("../../../../data/presets/preset_example.csv");

/// Identifier of the shipped preset, shown in the API.
pub const PRESET_ID: &str = "example_municipal_reports";

/// One item of the preset.
#[derive(Debug, Clone, Serialize)]
pub struct PresetItem {
    /// `sotkanet:<id>` or `preset:<slug>`.
    pub item_key: String,
    /// Sotkanet id, only where the title matches a Sotkanet indicator exactly.
    pub indicator_id: Option<i64>,
    /// Title in Finnish, as in the source.
    pub title_fi: String,
    /// Theme (the source report's own heading).
    pub theme: String,
    /// Population group.
    pub population_group: String,
    /// Kind of measure.
    pub kind: MeasureKind,
    /// Where the item comes from.
    pub source_note: String,
}

#[derive(Deserialize)]
struct PresetRow {
    item_key: String,
    indicator_id: String,
    title_fi: String,
    theme: String,
    population_group: String,
    kind: String,
    source_note: String,
}

/// Parses a preset CSV (`item_key,indicator_id,title_fi,theme,population_group,kind,source_note`).
pub fn parse_preset(text: &str) -> Result<Vec<PresetItem>, String> {
    let mut out: Vec<PresetItem> = Vec::new();
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    for (i, row) in rdr.deserialize::<PresetRow>().enumerate() {
        let line = i + 2;
        let r = row.map_err(|e| format!("preset line {line}: {e}"))?;
        let indicator_id =
            match r.indicator_id.trim() {
                "" => None,
                s => Some(s.parse::<i64>().map_err(|_| {
                    format!("preset line {line}: indicator_id '{s}' is not a number")
                })?),
            };
        let expected = match indicator_id {
            Some(id) => format!("sotkanet:{id}"),
            None if r.item_key.starts_with("preset:") && r.item_key.len() > 7 => r.item_key.clone(),
            None => {
                return Err(format!(
                    "preset line {line}: item_key '{}' must be preset:<slug> when there is no indicator id",
                    r.item_key
                ))
            }
        };
        if r.item_key != expected {
            return Err(format!(
                "preset line {line}: item_key '{}' should be '{expected}'",
                r.item_key
            ));
        }
        if out.iter().any(|p| p.item_key == r.item_key) {
            return Err(format!(
                "preset line {line}: duplicate item_key '{}'",
                r.item_key
            ));
        }
        if !POPULATION_GROUPS.contains(&r.population_group.as_str()) {
            return Err(format!(
                "preset line {line}: unknown population group '{}'",
                r.population_group
            ));
        }
        out.push(PresetItem {
            item_key: r.item_key,
            indicator_id,
            title_fi: r.title_fi,
            theme: r.theme,
            population_group: r.population_group,
            kind: r
                .kind
                .parse()
                .map_err(|e| format!("preset line {line}: {e}"))?,
            source_note: r.source_note,
        });
    }
    Ok(out)
}

/// The shipped preset (parsed once; a broken file is caught by the unit test).
pub fn preset() -> &'static [PresetItem] {
    static P: OnceLock<Vec<PresetItem>> = OnceLock::new();
    P.get_or_init(|| parse_preset(PRESET_CSV).unwrap_or_default())
}

/// Population groups of the THL outline, in display order.
pub const POPULATION_GROUPS: [&str; 5] = [
    "children_families",
    "young_people",
    "working_age",
    "older_people",
    "whole_population",
];

// ---------------------------------------------------------------------------
// Who may do what with a report
// ---------------------------------------------------------------------------

/// What the caller may do with one report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportAccess {
    /// Read only: the welfare region of a member municipality.
    Read,
    /// A member of the owner or of a partner organisation, with their role.
    Member(Role),
}

impl ReportAccess {
    /// Whether the caller acts with at least this role.
    pub fn at_least(self, r: Role) -> bool {
        matches!(self, ReportAccess::Member(x) if x.at_least(r))
    }

    /// Decides the indicator list, edits the outline: coordinators and admins.
    pub fn can_decide(self) -> bool {
        self.at_least(Role::Coordinator)
    }

    /// Writes content (self-assessment, accepting proposals): editors and up.
    pub fn can_write(self) -> bool {
        self.at_least(Role::Editor)
    }

    /// Comments and adds joys and concerns: commenters and up.
    pub fn can_contribute(self) -> bool {
        self.at_least(Role::Commenter)
    }

    /// The API spelling: `read` or the role.
    pub fn as_str(self) -> &'static str {
        match self {
            ReportAccess::Read => "read",
            ReportAccess::Member(r) => r.as_str(),
        }
    }
}

/// The caller's access to a report: the best of their access to the owner and to
/// each partner organisation.
pub async fn report_access(
    state: &AppState,
    user: &User,
    report: &Report,
) -> AppResult<Option<ReportAccess>> {
    if user.role == Role::Admin {
        return Ok(Some(ReportAccess::Member(Role::Admin)));
    }
    let mut best: Option<ReportAccess> = None;
    for key in std::iter::once(&report.org).chain(report.partners.iter()) {
        let Some(region) = state.store.region(key).await? else {
            continue;
        };
        match access(user, &region) {
            Access::Member(r) => {
                let better = match best {
                    Some(ReportAccess::Member(b)) => r > b,
                    _ => true,
                };
                if better {
                    best = Some(ReportAccess::Member(r));
                }
            }
            Access::Read if best.is_none() => best = Some(ReportAccess::Read),
            _ => {}
        }
    }
    Ok(best)
}

/// Loads a report by the id in a path and checks the caller may read it: 401 when
/// not signed in, 404 for an unknown id, 403 for someone outside the report.
pub async fn load_report(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
) -> AppResult<(Report, ReportAccess)> {
    let user = viewer.user()?;
    let not_found = || AppError::not_found(format!("no report {id}"));
    let rid: i64 = id.trim().parse().map_err(|_| not_found())?;
    let report = state.store.report(rid).await?.ok_or_else(not_found)?;
    match report_access(state, user, &report).await? {
        Some(a) => Ok((report, a)),
        None => Err(AppError::forbidden(
            "you do not have access to this report: it belongs to another organisation",
        )),
    }
}

/// Whether the caller may write a section's text: coordinators and admins always;
/// an editor when the section belongs to their sector or they are assigned to it.
pub fn can_edit_section(acc: ReportAccess, user: &User, s: &Section) -> bool {
    match acc {
        ReportAccess::Member(r) if r.at_least(Role::Coordinator) => true,
        ReportAccess::Member(Role::Editor) => {
            s.assignees.contains(&user.id)
                || (s.owner_sector.is_some() && s.owner_sector == user.sector)
        }
        _ => false,
    }
}

/// Who may resolve or reopen a comment thread (pages and API alike): a commenter of
/// the report who wrote it, or whoever may edit its section (for a comment on the
/// whole report: its coordinators).
pub fn may_resolve_comment(
    acc: ReportAccess,
    user: &User,
    section: Option<&Section>,
    author_email: &str,
) -> bool {
    acc.can_contribute()
        && (author_email == user.email
            || match section {
                Some(s) => can_edit_section(acc, user, s),
                None => acc.can_decide(),
            })
}

// ---------------------------------------------------------------------------
// Selection decisions
// ---------------------------------------------------------------------------

/// A decision on one item of the indicator list.
#[derive(Debug, Clone)]
pub struct SelectionInput {
    /// New state.
    pub state: SelectionState,
    /// Reason (mandatory for excluded and added).
    pub reason: String,
    /// Source (mandatory for added).
    pub source: Option<String>,
    /// `None` keeps the section, `Some(None)` clears it.
    pub section_id: Option<Option<i64>>,
    /// `None` keeps the kind.
    pub measure_kind: Option<MeasureKind>,
}

/// Adds the preset's items that are missing from the report's list (as `pending`);
/// items already there keep their decisions. Returns how many were added.
pub async fn seed_preset(state: &AppState, report: &Report, user: &User) -> AppResult<usize> {
    let items: Vec<Selection> = preset()
        .iter()
        .map(|p| Selection {
            item_key: p.item_key.clone(),
            indicator_id: p.indicator_id,
            title: p.title_fi.clone(),
            state: SelectionState::Pending,
            reason: String::new(),
            source: Some(p.source_note.clone()).filter(|s| !s.is_empty()),
            section_id: None,
            measure_kind: p.kind,
            from_preset: true,
            theme: Some(p.theme.clone()).filter(|s| !s.is_empty()),
            population_group: Some(p.population_group.clone()),
            updated_by: user.email.clone(),
            updated_at: String::new(),
        })
        .collect();
    let added = state.store.seed_selections(report.id, &items).await?;
    if added > 0 {
        state
            .store
            .audit(
                Some(&user.email),
                Some(&report.org),
                "report_indicators_seeded",
                &format!(
                    "report {}: {added} items from the preset {PRESET_ID}",
                    report.id
                ),
            )
            .await?;
    }
    Ok(added)
}

fn indicator_key_id(item_key: &str) -> Option<i64> {
    item_key
        .strip_prefix("sotkanet:")
        .and_then(|s| s.parse::<i64>().ok())
        .filter(|i| *i > 0)
}

/// Applies a decision on an item of the indicator list, or adds an indicator that is
/// not on it (`added`). Refused input (422) changes nothing.
pub async fn apply_selection(
    state: &AppState,
    report: &Report,
    item_key: &str,
    input: SelectionInput,
    user: &User,
) -> AppResult<Selection> {
    let item_key = item_key.trim();
    let reason = check_selection(input.state, &input.reason)
        .map_err(|e| AppError::unprocessable(e.to_string()))?;
    let source = input
        .source
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    if source.as_ref().is_some_and(|s| s.chars().count() > 1000) {
        return Err(AppError::unprocessable(
            "the source is too long (at most 1 000 characters)",
        ));
    }
    if let Some(Some(sid)) = input.section_id {
        let sections = state.store.sections(report.id).await?;
        if !sections.iter().any(|s| s.id == sid) {
            return Err(AppError::unprocessable(format!(
                "section {sid} is not a section of this report"
            )));
        }
    }
    let existing = state
        .store
        .selections(report.id)
        .await?
        .into_iter()
        .find(|s| s.item_key == item_key);
    let new = match existing {
        Some(old) => {
            if input.state == SelectionState::Added && old.from_preset {
                return Err(AppError::unprocessable(format!(
                    "'{}' is already on the list (from the preset): include it instead of adding it",
                    old.title
                )));
            }
            let source = if input.state == SelectionState::Added {
                source.or(old.source.clone())
            } else if old.from_preset {
                old.source.clone()
            } else {
                source.or(old.source.clone())
            };
            if input.state == SelectionState::Added && source.is_none() {
                return Err(AppError::unprocessable(
                    "adding an indicator needs a source: where its data comes from",
                ));
            }
            Selection {
                state: input.state,
                reason,
                source,
                section_id: input.section_id.unwrap_or(old.section_id),
                measure_kind: input.measure_kind.unwrap_or(old.measure_kind),
                updated_by: user.email.clone(),
                ..old
            }
        }
        None => {
            if input.state != SelectionState::Added {
                return Err(AppError::not_found(format!(
                    "'{item_key}' is not on this report's indicator list; to add an indicator use the state 'added' with the key sotkanet:<id>"
                )));
            }
            let Some(id) = indicator_key_id(item_key) else {
                return Err(AppError::unprocessable(format!(
                    "'{item_key}' is not an indicator key: use sotkanet:<id> to add an indicator of Hyte"
                )));
            };
            let Some(ind) = state.store.indicator(IndicatorId(id)).await? else {
                return Err(AppError::unprocessable(format!(
                    "Hyte has no indicator {id}; choose one from the indicator catalogue"
                )));
            };
            if source.is_none() {
                return Err(AppError::unprocessable(
                    "adding an indicator needs a source: where its data comes from",
                ));
            }
            Selection {
                item_key: item_key.to_string(),
                indicator_id: Some(id),
                title: ind.title.get("fi").to_string(),
                state: SelectionState::Added,
                reason,
                source,
                section_id: input.section_id.flatten(),
                measure_kind: input.measure_kind.unwrap_or(MeasureKind::State),
                from_preset: false,
                theme: ind.theme.clone(),
                population_group: ind.population_group.clone(),
                updated_by: user.email.clone(),
                updated_at: String::new(),
            }
        }
    };
    state.store.put_selection(report.id, &new).await?;
    state
        .store
        .audit(
            Some(&user.email),
            Some(&report.org),
            "report_indicator_selection",
            &format!(
                "report {}: {} is {}{}",
                report.id,
                new.item_key,
                new.state,
                if new.reason.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", new.reason)
                }
            ),
        )
        .await?;
    state
        .store
        .selections(report.id)
        .await?
        .into_iter()
        .find(|s| s.item_key == new.item_key)
        .ok_or_else(|| AppError::internal("a saved selection vanished"))
}

// ---------------------------------------------------------------------------
// Evidence and verdicts
// ---------------------------------------------------------------------------

/// What one indicator says about the report's organisation.
#[derive(Debug, Clone, Serialize)]
pub struct IndicatorEvidence {
    /// Indicator id.
    pub indicator_id: i64,
    /// Title in the request's language.
    pub title: String,
    /// Whether Hyte has the indicator at all.
    pub known: bool,
    /// Unit code.
    pub unit: Option<String>,
    /// Whether there is a value to judge.
    pub has_data: bool,
    /// Year of the latest value.
    pub year: Option<i64>,
    /// Latest value.
    pub value: Option<f64>,
    /// Whether that value was derived by Hyte.
    pub derived: bool,
    /// 95 % interval of the latest value.
    pub ci_lower: Option<f64>,
    /// Upper limit.
    pub ci_upper: Option<f64>,
    /// Comparison with the welfare region (municipalities only).
    pub region: Option<BenchmarkComparison>,
    /// Comparison with the whole country.
    pub country: Option<BenchmarkComparison>,
    /// Trend over all years, with polarity applied.
    pub trend: TrendOutcome,
    /// The signals the verdict rests on.
    pub better_than_benchmark: Option<bool>,
    /// Trend getting better / worse.
    pub trend_better: Option<bool>,
    #[serde(skip)]
    decimals: u32,
}

impl IndicatorEvidence {
    /// The domain's evidence.
    pub fn evidence(&self) -> Evidence {
        Evidence {
            better_than_benchmark: self.better_than_benchmark,
            trend_better: self.trend_better,
            has_data: self.has_data,
        }
    }
}

fn trend_better(t: TrendOutcome) -> Option<bool> {
    match t {
        TrendOutcome::IncreasingAndGettingBetter | TrendOutcome::DecreasingAndGettingBetter => {
            Some(true)
        }
        TrendOutcome::IncreasingAndGettingWorse | TrendOutcome::DecreasingAndGettingWorse => {
            Some(false)
        }
        _ => None,
    }
}

fn outcome_better(o: Option<Outcome>) -> Option<bool> {
    match o {
        Some(Outcome::Better) => Some(true),
        Some(Outcome::Worse) => Some(false),
        _ => None,
    }
}

/// Evidence of indicators for one area, computed once per request.
pub struct EvidenceCache {
    org: RegionKey,
    lang: &'static str,
    cache: HashMap<i64, IndicatorEvidence>,
}

impl EvidenceCache {
    /// For an area, with titles in a language.
    pub fn new(org: &RegionKey, lang: &'static str) -> Self {
        EvidenceCache {
            org: org.clone(),
            lang,
            cache: HashMap::new(),
        }
    }

    /// The evidence of one indicator.
    pub async fn get(&mut self, state: &AppState, id: i64) -> AppResult<IndicatorEvidence> {
        if let Some(e) = self.cache.get(&id) {
            return Ok(e.clone());
        }
        let e = match state.store.indicator(IndicatorId(id)).await? {
            Some(ind) => evidence_of(state, &ind, &self.org, self.lang).await?,
            None => IndicatorEvidence {
                indicator_id: id,
                title: format!("{id}"),
                known: false,
                unit: None,
                has_data: false,
                year: None,
                value: None,
                derived: false,
                ci_lower: None,
                ci_upper: None,
                region: None,
                country: None,
                trend: TrendOutcome::CannotBeCalculated,
                better_than_benchmark: None,
                trend_better: None,
                decimals: 1,
            },
        };
        self.cache.insert(id, e.clone());
        Ok(e)
    }
}

/// The latest value of an indicator for an area, its comparisons with the welfare
/// region and the whole country (95 %), and its trend over all years.
pub async fn evidence_of(
    state: &AppState,
    ind: &Indicator,
    org: &RegionKey,
    lang: &str,
) -> AppResult<IndicatorEvidence> {
    let q = ValueQuery {
        regions: vec![org.clone()],
        years: vec![],
        sex: Some(Sex::Total),
    };
    let series = assess(&state.store, ind, &q, CiLevel::P95).await?;
    let pts: Vec<(f64, f64, f64)> = series
        .iter()
        .filter_map(|a| Some((a.value?, a.ci_lower?, a.ci_upper?)))
        .collect();
    let trend = trend_outcome(trend_weighted(&pts), ind.polarity);
    let latest = series.iter().rev().find(|a| a.value.is_some());
    let region = latest.and_then(|a| a.against(RegionCategory::Hyvinvointialue).cloned());
    let country = latest.and_then(|a| a.against(RegionCategory::Maa).cloned());
    Ok(IndicatorEvidence {
        indicator_id: ind.id.0,
        title: ind.title.get(lang).to_string(),
        known: true,
        unit: Some(ind.unit.clone()),
        has_data: latest.is_some(),
        year: latest.map(|a| a.year),
        value: latest.and_then(|a| a.value),
        derived: latest.is_some_and(|a| a.derived),
        ci_lower: latest.and_then(|a| a.ci_lower),
        ci_upper: latest.and_then(|a| a.ci_upper),
        better_than_benchmark: outcome_better(country.as_ref().map(|c| c.outcome)),
        region,
        country,
        trend_better: if latest.is_some() {
            trend_better(trend)
        } else {
            None
        },
        trend,
        decimals: ind.decimals.clamp(0, 6) as u32,
    })
}

/// A joy or concern with its evidence and the data's verdict.
#[derive(Debug, Clone, Serialize)]
pub struct ObservationView {
    /// The stored item.
    #[serde(flatten)]
    pub observation: Observation,
    /// Evidence per linked indicator.
    pub evidence: Vec<ObservationEvidence>,
    /// The data's verdict.
    pub verdict: Verdict,
}

/// One linked indicator's evidence and what it says about this item.
#[derive(Debug, Clone, Serialize)]
pub struct ObservationEvidence {
    /// The evidence.
    #[serde(flatten)]
    pub evidence: IndicatorEvidence,
    /// What this indicator alone says about the item.
    pub signal: Verdict,
}

/// Evidence and verdicts for observations.
pub async fn observation_views(
    state: &AppState,
    report: &Report,
    observations: Vec<Observation>,
    lang: &'static str,
) -> AppResult<Vec<ObservationView>> {
    let mut cache = EvidenceCache::new(&report.org, lang);
    let mut out = Vec::with_capacity(observations.len());
    for o in observations {
        let mut evidence = Vec::with_capacity(o.indicators.len());
        for id in &o.indicators {
            let e = cache.get(state, *id).await?;
            let signal = verdict(o.kind, &[e.evidence()]);
            evidence.push(ObservationEvidence {
                evidence: e,
                signal,
            });
        }
        let all: Vec<Evidence> = evidence.iter().map(|e| e.evidence.evidence()).collect();
        out.push(ObservationView {
            verdict: verdict(o.kind, &all),
            observation: o,
            evidence,
        });
    }
    Ok(out)
}

/// A new joy or concern from a person.
#[derive(Debug, Clone)]
pub struct ObservationInput {
    /// Joy or concern.
    pub kind: ObservationKind,
    /// Text.
    pub text: String,
    /// Sector.
    pub sector: Option<String>,
    /// Origin (not `data`: that is Hyte's own).
    pub origin: ObservationOrigin,
    /// Population group.
    pub population_group: Option<String>,
    /// Linked indicators.
    pub indicators: Vec<i64>,
}

async fn check_indicators(state: &AppState, ids: &[i64]) -> AppResult<Vec<i64>> {
    let mut out: Vec<i64> = Vec::new();
    for id in ids {
        if state.store.indicator(IndicatorId(*id)).await?.is_none() {
            return Err(AppError::unprocessable(format!(
                "Hyte has no indicator {id}; link indicators from the catalogue"
            )));
        }
        if !out.contains(id) {
            out.push(*id);
        }
    }
    if out.len() > 50 {
        return Err(AppError::unprocessable(
            "link at most 50 indicators to one joy or concern",
        ));
    }
    Ok(out)
}

/// Checks and stores a joy or concern; returns its id.
pub async fn add_observation(
    state: &AppState,
    report: &Report,
    input: ObservationInput,
    user: &User,
) -> AppResult<i64> {
    if input.origin == ObservationOrigin::Data {
        return Err(AppError::unprocessable(
            "the origin 'data' is reserved for Hyte's proposals from the data; choose where the joy or concern came from",
        ));
    }
    if input.origin == ObservationOrigin::Municipality {
        return Err(AppError::unprocessable(
            "the origin 'municipality' is reserved for items a welfare region's report collects from its member municipalities; choose where the joy or concern came from",
        ));
    }
    let group = input
        .population_group
        .map(|g| g.trim().to_string())
        .filter(|g| !g.is_empty());
    if let Some(g) = &group {
        if !POPULATION_GROUPS.contains(&g.as_str()) {
            return Err(AppError::unprocessable(format!(
                "'{g}' is not a population group: use one of {}",
                POPULATION_GROUPS.join(", ")
            )));
        }
    }
    let sector = input
        .sector
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    if sector.as_ref().is_some_and(|s| s.chars().count() > 100) {
        return Err(AppError::unprocessable(
            "the sector is too long (at most 100 characters)",
        ));
    }
    let indicators = check_indicators(state, &input.indicators).await?;
    let id = state
        .store
        .add_observation(
            report.id,
            input.kind,
            &input.text,
            sector.as_deref(),
            input.origin,
            group.as_deref(),
            "open",
            &indicators,
            &user.email,
        )
        .await?;
    Ok(id)
}

/// Replaces the linked indicators of an observation of the report.
pub async fn set_observation_links(
    state: &AppState,
    report: &Report,
    oid: i64,
    ids: &[i64],
) -> AppResult<()> {
    observation_of(state, report, oid).await?;
    let ids = check_indicators(state, ids).await?;
    state.store.set_observation_indicators(oid, &ids).await?;
    Ok(())
}

/// Sets the status of an observation of the report (`open`, `accepted`, `dismissed`).
pub async fn set_observation_status(
    state: &AppState,
    report: &Report,
    oid: i64,
    status: &str,
    user: &User,
) -> AppResult<()> {
    observation_of(state, report, oid).await?;
    if !["open", "accepted", "dismissed"].contains(&status) {
        return Err(AppError::unprocessable(format!(
            "'{status}' is not a status a person sets: use accepted, dismissed or open"
        )));
    }
    state.store.set_observation_status(oid, status).await?;
    state
        .store
        .audit(
            Some(&user.email),
            Some(&report.org),
            "report_observation_status",
            &format!("report {}: joy/concern {oid} is {status}", report.id),
        )
        .await?;
    Ok(())
}

async fn observation_of(state: &AppState, report: &Report, oid: i64) -> AppResult<()> {
    match state.store.observation_report(oid).await? {
        Some(r) if r == report.id => Ok(()),
        _ => Err(AppError::not_found(format!(
            "no joy or concern {oid} in this report"
        ))),
    }
}

/// Hyte's proposals from the data: concerns where the organisation's latest value is
/// significantly worse than the whole country or its trend is getting worse, joys
/// where it is significantly better. An indicator is proposed at most once per
/// report (also when the earlier proposal was dismissed). Returns the new ids.
pub async fn propose_from_data(
    state: &AppState,
    report: &Report,
    user: &User,
    tr: &Tr,
) -> AppResult<Vec<i64>> {
    let already: HashSet<i64> = state
        .store
        .observations(report.id)
        .await?
        .into_iter()
        .filter(|o| o.origin == ObservationOrigin::Data)
        .flat_map(|o| o.indicators)
        .collect();
    let counts = state.store.value_counts().await?;
    let lang = tr.code();
    let mut created = vec![];
    for ind in state.store.indicators().await? {
        if already.contains(&ind.id.0) || counts.get(&ind.id.0).copied().unwrap_or(0) == 0 {
            continue;
        }
        let e = evidence_of(state, &ind, &report.org, lang).await?;
        if !e.has_data {
            continue;
        }
        let f = |v: Option<f64>| fmt_num(v, e.decimals, lang);
        let args = |extra: Vec<(&'static str, String)>| {
            let mut a = vec![
                ("title", e.title.clone()),
                ("year", e.year.map(|y| y.to_string()).unwrap_or_default()),
                ("value", f(e.value)),
                (
                    "country",
                    f(e.country.as_ref().and_then(|c| c.benchmark_value)),
                ),
            ];
            a.extend(extra);
            a
        };
        let (kind, text) = match (e.better_than_benchmark, e.trend_better) {
            (Some(false), _) => (
                ObservationKind::Concern,
                tr.ta("rd-proposal-worse", &args(vec![])),
            ),
            (_, Some(false)) => (
                ObservationKind::Concern,
                tr.ta("rd-proposal-getting-worse", &args(vec![])),
            ),
            (Some(true), _) => (
                ObservationKind::Joy,
                tr.ta("rd-proposal-better", &args(vec![])),
            ),
            _ => continue,
        };
        let id = state
            .store
            .add_observation(
                report.id,
                kind,
                &text,
                None,
                ObservationOrigin::Data,
                ind.population_group.as_deref(),
                "proposed",
                &[ind.id.0],
                &user.email,
            )
            .await?;
        created.push(id);
    }
    Ok(created)
}

/// What collecting from the member municipalities brought.
#[derive(Debug, Clone, Serialize)]
pub struct Collected {
    /// Ids of the new proposals in the region's report.
    pub ids: Vec<i64>,
    /// Member municipalities of the region.
    pub members: usize,
    /// Municipalities that had a report of an overlapping term.
    pub reports_read: usize,
}

/// The welfare region's report collects its member municipalities' strengths and
/// concerns. From every member municipality's current term report (its newest own
/// term report whose council term overlaps this report's), the joys and concerns its
/// working group recorded or accepted (not Hyte's open proposals, not dismissed items)
/// are copied as proposals with their source and linked indicators; the region's group
/// then accepts or dismisses each. Collecting again brings only items not collected
/// before.
pub async fn collect_from_members(
    state: &AppState,
    report: &Report,
    user: &User,
) -> AppResult<Collected> {
    if report.org.category() != RegionCategory::Hyvinvointialue {
        return Err(AppError::unprocessable(
            "only a welfare region's report collects joys and concerns from its member municipalities; this report belongs to a municipality",
        ));
    }
    let members = state.store.members_of(&report.org).await?;
    let mut sources: Vec<(String, Observation)> = vec![];
    let mut reports_read = 0;
    for m in &members {
        // Newest term first: a municipality's current report, not its previous term's
        // (whose items would arrive twice in other words).
        let current = state.store.reports_of(&m.key).await?.into_iter().find(|r| {
            r.org == m.key
                && r.kind == ReportKind::TermReport
                && r.term_start <= report.term_end
                && r.term_end >= report.term_start
        });
        let Some(r) = current else { continue };
        reports_read += 1;
        for o in state.store.observations(r.id).await? {
            if o.status == "open" || o.status == "accepted" {
                sources.push((m.key.to_string(), o));
            }
        }
    }
    let items: Vec<CollectedObservation<'_>> = sources
        .iter()
        .map(|(org, o)| CollectedObservation {
            source_org: org,
            source: o,
        })
        .collect();
    let ids = state
        .store
        .collect_observations(report.id, &items, &user.email)
        .await?;
    state
        .store
        .audit(
            Some(&user.email),
            Some(&report.org),
            "report_observations_collected",
            &format!(
                "report {}: {} joys and concerns collected from {} member municipality reports",
                report.id,
                ids.len(),
                reports_read
            ),
        )
        .await?;
    Ok(Collected {
        ids,
        members: members.len(),
        reports_read,
    })
}

// ---------------------------------------------------------------------------
// The appendix
// ---------------------------------------------------------------------------

/// One line of the appendix.
#[derive(Debug, Clone, Serialize)]
pub struct AppendixRow {
    /// Item key.
    pub item_key: String,
    /// Sotkanet id.
    pub indicator_id: Option<i64>,
    /// Title (in the request's language where Hyte has the indicator).
    pub title: String,
    /// State.
    pub state: SelectionState,
    /// Kind of measure.
    pub measure_kind: MeasureKind,
    /// Section where shown.
    pub section_id: Option<i64>,
    /// Its heading.
    pub section_heading: Option<String>,
    /// Reason.
    pub reason: String,
    /// Source (added indicators).
    pub source: Option<String>,
    /// Theme.
    pub theme: Option<String>,
    /// Population group.
    pub population_group: Option<String>,
}

/// The THL appendix: indicators used, exclusions with reasons, additions with reason
/// and source.
#[derive(Debug, Clone, Serialize)]
pub struct Appendix {
    /// Included and added indicators.
    pub used: Vec<AppendixRow>,
    /// Excluded ones with their reasons.
    pub excluded: Vec<AppendixRow>,
    /// Added ones with reason and source.
    pub added: Vec<AppendixRow>,
    /// Items not decided yet.
    pub pending: usize,
    /// Qualitative self-assessment.
    pub self_assessments: Vec<SelfAssessment>,
}

/// Builds the appendix of a report.
pub async fn appendix(state: &AppState, report: &Report, lang: &str) -> AppResult<Appendix> {
    let sections = state.store.sections(report.id).await?;
    let heading: HashMap<i64, String> =
        sections.iter().map(|s| (s.id, s.heading.clone())).collect();
    let titles = indicator_titles(state, lang).await?;
    let mut a = Appendix {
        used: vec![],
        excluded: vec![],
        added: vec![],
        pending: 0,
        self_assessments: state.store.self_assessments(report.id).await?,
    };
    for s in state.store.selections(report.id).await? {
        let row = AppendixRow {
            title: s
                .indicator_id
                .and_then(|i| titles.get(&i).cloned())
                .unwrap_or_else(|| s.title.clone()),
            section_heading: s.section_id.and_then(|i| heading.get(&i).cloned()),
            item_key: s.item_key,
            indicator_id: s.indicator_id,
            state: s.state,
            measure_kind: s.measure_kind,
            section_id: s.section_id,
            reason: s.reason,
            source: if s.state == SelectionState::Added {
                s.source
            } else {
                None
            },
            theme: s.theme,
            population_group: s.population_group,
        };
        match row.state {
            SelectionState::Included => a.used.push(row),
            SelectionState::Added => {
                a.used.push(row.clone());
                a.added.push(row);
            }
            SelectionState::Excluded => a.excluded.push(row),
            SelectionState::Pending => a.pending += 1,
        }
    }
    Ok(a)
}

async fn indicator_titles(state: &AppState, lang: &str) -> AppResult<HashMap<i64, String>> {
    Ok(state
        .store
        .indicators()
        .await?
        .into_iter()
        .map(|i| (i.id.0, i.title.get(lang).to_string()))
        .collect())
}

// ---------------------------------------------------------------------------
// HTML helpers
// ---------------------------------------------------------------------------

fn fmt_num(v: Option<f64>, decimals: u32, lang: &str) -> String {
    v.map(|v| hyte_charts::format_number(v, decimals, lang != "en"))
        .unwrap_or_else(|| "–".into())
}

/// Form fields as pairs (a multi-select sends a name many times).
struct Fields(Vec<(String, String)>);

impl Fields {
    fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
    fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
            .collect()
    }
}

fn parse_ids(values: &[&str]) -> AppResult<Vec<i64>> {
    values
        .iter()
        .map(|v| {
            v.trim()
                .parse::<i64>()
                .map_err(|_| AppError::unprocessable(format!("'{v}' is not an indicator id")))
        })
        .collect()
}

/// Common header of the report-data pages.
pub struct ReportHead {
    /// Report id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Organisation id.
    pub org: String,
    /// Organisation name.
    pub org_name: String,
    /// Which page is current: `indicators`, `appendix`, `observations`.
    pub current: &'static str,
    /// The caller's access, in words.
    pub access_text: String,
}

pub async fn head(
    state: &AppState,
    report: &Report,
    acc: ReportAccess,
    tr: &Tr,
    current: &'static str,
) -> AppResult<ReportHead> {
    let org_name = state
        .store
        .region(&report.org)
        .await?
        .map(|r| r.name(tr.code()).to_string())
        .unwrap_or_else(|| report.org.to_string());
    Ok(ReportHead {
        id: report.id,
        title: report.title.clone(),
        org: report.org.to_string(),
        org_name,
        current,
        access_text: match acc {
            ReportAccess::Read => tr.t("rd-access-read"),
            ReportAccess::Member(r) => tr.t(&format!("role-{r}")),
        },
    })
}

fn group_text(tr: &Tr, g: Option<&str>) -> String {
    match g {
        Some(g) if POPULATION_GROUPS.contains(&g) => tr.t(&format!("rd-group-{g}")),
        Some(g) => g.to_string(),
        None => tr.t("rd-group-none"),
    }
}

/// An option of a select.
pub struct Opt {
    /// Value.
    pub value: String,
    /// Text.
    pub text: String,
    /// Whether selected.
    pub selected: bool,
}

fn opts(values: &[(String, String)], selected: &str) -> Vec<Opt> {
    values
        .iter()
        .map(|(v, t)| Opt {
            value: v.clone(),
            text: t.clone(),
            selected: v == selected,
        })
        .collect()
}

fn anchor(item_key: &str) -> String {
    let s: String = item_key
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("item-{s}")
}

// ---------------------------------------------------------------------------
// Indicator list page
// ---------------------------------------------------------------------------

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

/// Query of the pages (a message after a successful post).
#[derive(Deserialize, Default)]
pub struct DoneQuery {
    done: Option<String>,
}

fn done_message(tr: &Tr, done: Option<&str>) -> Option<String> {
    match done {
        Some(
            k @ ("saved" | "seeded" | "seeded-none" | "added" | "assessed" | "observed"
            | "proposed" | "proposed-none" | "collected" | "collected-none" | "status"
            | "links"),
        ) => Some(tr.t(&format!("rd-done-{k}"))),
        _ => None,
    }
}

/// `GET /reports/{id}/indicators`: the report's indicator list.
pub async fn indicators_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    axum::extract::Query(q): axum::extract::Query<DoneQuery>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login_redirect(&format!("/reports/{id}/indicators")));
    }
    let (report, acc) = load_report(&state, &viewer, &id).await?;
    let tr = Tr::new(viewer.lang);
    let message = done_message(&tr, q.done.as_deref());
    render_indicators(
        &state,
        &viewer,
        &report,
        acc,
        None,
        message,
        AddDraft::default(),
        AssessmentDraft::default(),
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn render_indicators(
    state: &AppState,
    viewer: &Viewer,
    report: &Report,
    acc: ReportAccess,
    error: Option<String>,
    message: Option<String>,
    add: AddDraft,
    assessment: AssessmentDraft,
) -> AppResult<Response> {
    let tr = Tr::new(viewer.lang);
    let lang = tr.code();
    let sections = state.store.sections(report.id).await?;
    let heading: HashMap<i64, String> =
        sections.iter().map(|s| (s.id, s.heading.clone())).collect();
    let mut section_values = vec![(String::new(), tr.t("rd-section-none"))];
    section_values.extend(
        sections
            .iter()
            .map(|s| (s.id.to_string(), s.heading.clone())),
    );
    let indicators = state.store.indicators().await?;
    let counts = state.store.value_counts().await?;
    let by_id: HashMap<i64, &Indicator> = indicators.iter().map(|i| (i.id.0, i)).collect();
    let selections = state.store.selections(report.id).await?;
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
    for s in &selections {
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
                .map(|i| i.title.get(lang).to_string())
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
                .and_then(|i| heading.get(&i).cloned())
                .unwrap_or_default(),
            section_opts: opts(
                &section_values,
                &s.section_id.map(|i| i.to_string()).unwrap_or_default(),
            ),
            state_opts: opts(&states, s.state.as_str()),
            item_key: s.item_key.clone(),
        };
        let gkey = s.population_group.clone().unwrap_or_default();
        let name = group_text(&tr, s.population_group.as_deref());
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
    let counts_out = SelectionState::ALL
        .iter()
        .map(|s| {
            (
                tr.t(&format!("rd-state-{s}")),
                tally.get(s).copied().unwrap_or(0),
            )
        })
        .collect();
    let on_list: HashSet<i64> = selections.iter().filter_map(|s| s.indicator_id).collect();
    let mut ind_values = vec![(String::new(), tr.t("rd-choose-indicator"))];
    let mut sorted: Vec<&Indicator> = indicators
        .iter()
        .filter(|i| !on_list.contains(&i.id.0))
        .collect();
    sorted.sort_by(|a, b| a.title.get(lang).cmp(b.title.get(lang)));
    ind_values.extend(sorted.iter().map(|i| {
        let no_data = counts.get(&i.id.0).copied().unwrap_or(0) == 0;
        (
            i.id.0.to_string(),
            format!(
                "{} ({}){}",
                i.title.get(lang),
                i.id,
                if no_data {
                    format!(" – {}", tr.t("rd-no-data-yet"))
                } else {
                    String::new()
                }
            ),
        )
    }));
    let kind_values: Vec<(String, String)> = MeasureKind::ALL
        .iter()
        .map(|k| (k.as_str().to_string(), tr.t(&format!("rd-kind-{k}"))))
        .collect();
    let mut score_values = vec![(String::new(), tr.t("rd-score-none"))];
    score_values
        .extend((1..=5).map(|i| (i.to_string(), tr.ta("rd-score-n", &[("n", i.to_string())]))));
    let assessments = state
        .store
        .self_assessments(report.id)
        .await?
        .into_iter()
        .map(|a| AssessmentRow {
            topic: a.topic,
            body: a.body,
            score: a
                .score
                .map(|s| tr.ta("rd-score-n", &[("n", s.to_string())]))
                .unwrap_or_else(|| tr.t("rd-score-none")),
            by: format!(
                "{} · {}",
                a.updated_by,
                a.updated_at.get(..10).unwrap_or_default()
            ),
        })
        .collect();
    let failed = error.is_some();
    let page = Page::new(
        viewer,
        format!("{} – {}", tr.t("rd-indicators-title"), report.title),
        &format!("/reports/{}/indicators", report.id),
    );
    let mut res = render(&IndicatorsTpl {
        head: head(state, report, acc, &tr, "indicators").await?,
        page,
        empty: selections.is_empty(),
        groups,
        counts: counts_out,
        can_decide: acc.can_decide(),
        can_write: acc.can_write(),
        error,
        message,
        add_indicator_opts: opts(&ind_values, &add.indicator_id),
        add_section_opts: opts(&section_values, &add.section_id),
        add_kind_opts: opts(
            &kind_values,
            if add.measure_kind.is_empty() {
                "state"
            } else {
                &add.measure_kind
            },
        ),
        add,
        assessments,
        score_opts: opts(&score_values, &assessment.score),
        assessment,
    })?;
    if failed {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

/// Loads the report for a form post: sign-in, CSRF, report, permission.
async fn form_report(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    fields: &Fields,
    allowed: fn(ReportAccess) -> bool,
    denied: &str,
) -> AppResult<(Report, ReportAccess, User)> {
    viewer.check_csrf(fields.get("csrf"))?;
    let (report, acc) = load_report(state, viewer, id).await?;
    if !allowed(acc) {
        return Err(AppError::forbidden(denied.to_string()));
    }
    Ok((report, acc, viewer.user()?.clone()))
}

/// `POST /reports/{id}/indicators/seed`: adds the preset's missing items.
pub async fn seed_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login_redirect(&format!("/reports/{id}/indicators")));
    }
    let f = Fields(f);
    let (report, _, user) = form_report(
        &state,
        &viewer,
        &id,
        &f,
        ReportAccess::can_decide,
        "only the report's coordinators decide the indicator list",
    )
    .await?;
    let n = seed_preset(&state, &report, &user).await?;
    let done = if n > 0 { "seeded" } else { "seeded-none" };
    Ok(Redirect::to(&format!("/reports/{}/indicators?done={done}", report.id)).into_response())
}

/// `POST /reports/{id}/indicators/select`: include, exclude (with a reason) or reset
/// an item, and set the section where it is shown.
pub async fn select_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login_redirect(&format!("/reports/{id}/indicators")));
    }
    let f = Fields(f);
    let (report, acc, user) = form_report(
        &state,
        &viewer,
        &id,
        &f,
        ReportAccess::can_decide,
        "only the report's coordinators decide the indicator list",
    )
    .await?;
    let item_key = f.get("item_key").to_string();
    let tr = Tr::new(viewer.lang);
    let result = async {
        let st: SelectionState = f.get("state").parse().map_err(AppError::unprocessable)?;
        let section = match f.get("section_id").trim() {
            "" => None,
            s => Some(
                s.parse::<i64>()
                    .map_err(|_| AppError::unprocessable(format!("'{s}' is not a section id")))?,
            ),
        };
        apply_selection(
            &state,
            &report,
            &item_key,
            SelectionInput {
                state: st,
                reason: f.get("reason").to_string(),
                source: None,
                section_id: Some(section),
                measure_kind: None,
            },
            &user,
        )
        .await
    }
    .await;
    match result {
        Ok(_) => Ok(Redirect::to(&format!(
            "/reports/{}/indicators?done=saved#{}",
            report.id,
            anchor(&item_key)
        ))
        .into_response()),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let title = state
                .store
                .selections(report.id)
                .await?
                .into_iter()
                .find(|s| s.item_key == item_key)
                .map(|s| s.title)
                .unwrap_or(item_key);
            let msg = refusal(&tr, &e.message, &title);
            render_indicators(
                &state,
                &viewer,
                &report,
                acc,
                Some(msg),
                None,
                AddDraft::default(),
                AssessmentDraft::default(),
            )
            .await
        }
        Err(e) => Err(e),
    }
}

/// A refusal in the UI language where the reason is known (the domain and the store
/// give English sentences, which the API shows as they are), else the English message.
fn refusal(tr: &Tr, message: &str, title: &str) -> String {
    let key = if message.starts_with("excluding an indicator needs a written reason") {
        "rd-error-reason-required"
    } else if message.starts_with("adding an indicator needs a reason") {
        "rd-error-added-reason-required"
    } else if message.starts_with("adding an indicator needs a source") {
        "rd-error-source-required"
    } else if message.starts_with("the text of a joy or concern must be") {
        "rd-error-obs-text"
    } else if message.starts_with("a self-assessment needs a topic") {
        "rd-error-sa-topic"
    } else if message.starts_with("the score must be from 1 to 5") {
        "rd-error-sa-score"
    } else if message.starts_with("only a welfare region's report collects") {
        "rd-error-collect-municipality"
    } else {
        return format!(
            "{}: {message}",
            tr.ta("rd-error-not-saved", &[("title", title.to_string())])
        );
    };
    format!(
        "{} {}",
        tr.ta("rd-error-not-saved", &[("title", title.to_string())]),
        tr.t(key)
    )
}

/// `POST /reports/{id}/indicators/add`: adds an indicator that is not on the list,
/// with a reason and a source.
pub async fn add_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login_redirect(&format!("/reports/{id}/indicators")));
    }
    let f = Fields(f);
    let (report, acc, user) = form_report(
        &state,
        &viewer,
        &id,
        &f,
        ReportAccess::can_decide,
        "only the report's coordinators decide the indicator list",
    )
    .await?;
    let tr = Tr::new(viewer.lang);
    let draft = AddDraft {
        indicator_id: f.get("indicator_id").to_string(),
        reason: f.get("reason").to_string(),
        source: f.get("source").to_string(),
        section_id: f.get("section_id").to_string(),
        measure_kind: f.get("measure_kind").to_string(),
    };
    let result = async {
        let ind: i64 = draft
            .indicator_id
            .trim()
            .parse()
            .map_err(|_| AppError::unprocessable(tr.t("rd-error-choose-indicator")))?;
        let section = match draft.section_id.trim() {
            "" => None,
            s => Some(
                s.parse::<i64>()
                    .map_err(|_| AppError::unprocessable(format!("'{s}' is not a section id")))?,
            ),
        };
        let kind: MeasureKind = match draft.measure_kind.trim() {
            "" => MeasureKind::State,
            k => k.parse().map_err(AppError::unprocessable)?,
        };
        apply_selection(
            &state,
            &report,
            &format!("sotkanet:{ind}"),
            SelectionInput {
                state: SelectionState::Added,
                reason: draft.reason.clone(),
                source: Some(draft.source.clone()),
                section_id: Some(section),
                measure_kind: Some(kind),
            },
            &user,
        )
        .await
    }
    .await;
    match result {
        Ok(s) => Ok(Redirect::to(&format!(
            "/reports/{}/indicators?done=added#{}",
            report.id,
            anchor(&s.item_key)
        ))
        .into_response()),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let msg = refusal(&tr, &e.message, &tr.t("rd-add-title"));
            render_indicators(
                &state,
                &viewer,
                &report,
                acc,
                Some(msg),
                None,
                draft,
                AssessmentDraft::default(),
            )
            .await
        }
        Err(e) => Err(e),
    }
}

/// `POST /reports/{id}/self-assessments`: a qualitative self-assessment entry.
pub async fn self_assessment_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login_redirect(&format!("/reports/{id}/indicators")));
    }
    let f = Fields(f);
    let (report, acc, user) = form_report(
        &state,
        &viewer,
        &id,
        &f,
        ReportAccess::can_write,
        "only the report's editors and coordinators write self-assessments",
    )
    .await?;
    let draft = AssessmentDraft {
        topic: f.get("topic").to_string(),
        body: f.get("body").to_string(),
        score: f.get("score").to_string(),
    };
    let tr = Tr::new(viewer.lang);
    let result = async {
        let score = match draft.score.trim() {
            "" => None,
            s => Some(
                s.parse::<i64>()
                    .map_err(|_| AppError::unprocessable("the score must be from 1 to 5"))?,
            ),
        };
        add_self_assessment(&state, &report, &draft.topic, &draft.body, score, &user).await
    }
    .await;
    match result {
        Ok(_) => Ok(Redirect::to(&format!(
            "/reports/{}/indicators?done=assessed#self-assessment",
            report.id
        ))
        .into_response()),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let msg = refusal(&tr, &e.message, &tr.t("rd-sa-title"));
            render_indicators(
                &state,
                &viewer,
                &report,
                acc,
                Some(msg),
                None,
                AddDraft::default(),
                draft,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

/// Stores a self-assessment entry (score 1..=5 or none).
pub async fn add_self_assessment(
    state: &AppState,
    report: &Report,
    topic: &str,
    body: &str,
    score: Option<i64>,
    user: &User,
) -> AppResult<i64> {
    Ok(state
        .store
        .add_self_assessment(report.id, topic, body, score, &user.email)
        .await?)
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
    viewer: Viewer,
    uri: Uri,
    Path(id): Path<String>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login_redirect(&format!("/reports/{id}/appendix")));
    }
    let (report, acc) = load_report(&state, &viewer, &id).await?;
    let tr = Tr::new(viewer.lang);
    let a = appendix(&state, &report, tr.code()).await?;
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
        group: group_text(&tr, r.population_group.as_deref()),
    };
    let page = Page::new(
        &viewer,
        format!("{} – {}", tr.t("rd-appendix-title"), report.title),
        &uri.to_string(),
    );
    render(&AppendixTpl {
        head: head(&state, &report, acc, &tr, "appendix").await?,
        page,
        used: a.used.iter().map(line).collect(),
        excluded: a.excluded.iter().map(line).collect(),
        added: a.added.iter().map(line).collect(),
        pending: a.pending,
        assessments: a
            .self_assessments
            .into_iter()
            .map(|a| AssessmentRow {
                topic: a.topic,
                body: a.body,
                score: a
                    .score
                    .map(|s| tr.ta("rd-score-n", &[("n", s.to_string())]))
                    .unwrap_or_else(|| tr.t("rd-score-none")),
                by: a.updated_by,
            })
            .collect(),
    })
}

// ---------------------------------------------------------------------------
// Joys and concerns page
// ---------------------------------------------------------------------------

/// One evidence row as shown.
pub struct EvidenceLine {
    /// Indicator id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Whether there is a page to link to.
    pub link: bool,
    /// Year.
    pub year: String,
    /// Value with unit.
    pub value: String,
    /// Outcome against the welfare region: class and text.
    pub vs_region: Option<(&'static str, String)>,
    /// Outcome against the country.
    pub vs_country: Option<(&'static str, String)>,
    /// Trend.
    pub trend: String,
    /// What it says about the item.
    pub signal: String,
}

/// A joy or concern as shown.
pub struct ObservationCard {
    /// Id.
    pub id: i64,
    /// `joy` or `concern`.
    pub kind: &'static str,
    /// Kind in words.
    pub kind_text: String,
    /// Text.
    pub text: String,
    /// Sector.
    pub sector: String,
    /// Origin in words.
    pub origin_text: String,
    /// For an item collected from a member municipality: its name and a link to the
    /// item in the municipality's report.
    pub source: Option<(String, String)>,
    /// Population group.
    pub group: String,
    /// Status key.
    pub status: String,
    /// Status in words.
    pub status_text: String,
    /// Evidence.
    pub evidence: Vec<EvidenceLine>,
    /// Verdict key.
    pub verdict: &'static str,
    /// Verdict in words.
    pub verdict_text: String,
    /// What the verdict means.
    pub verdict_help: String,
    /// Indicator options for changing the links.
    pub link_opts: Vec<Opt>,
}

#[derive(Template)]
#[template(path = "report_observations.html")]
struct ObservationsTpl {
    page: Page,
    head: ReportHead,
    proposed: Vec<ObservationCard>,
    joys: Vec<ObservationCard>,
    concerns: Vec<ObservationCard>,
    dismissed: Vec<ObservationCard>,
    /// A welfare region's report, which collects from its member municipalities.
    regional: bool,
    can_contribute: bool,
    can_write: bool,
    error: Option<String>,
    message: Option<String>,
    kind_opts: Vec<Opt>,
    origin_opts: Vec<Opt>,
    group_opts: Vec<Opt>,
    indicator_opts: Vec<Opt>,
    draft_text: String,
    draft_sector: String,
}

/// `GET /reports/{id}/observations`: joys and concerns with the data's verdict.
pub async fn observations_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    axum::extract::Query(q): axum::extract::Query<DoneQuery>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login_redirect(&format!("/reports/{id}/observations")));
    }
    let (report, acc) = load_report(&state, &viewer, &id).await?;
    let tr = Tr::new(viewer.lang);
    let message = done_message(&tr, q.done.as_deref());
    render_observations(&state, &viewer, &report, acc, None, message, None).await
}

/// What the add form had when refused.
struct ObservationDraft {
    kind: String,
    text: String,
    sector: String,
    origin: String,
    group: String,
    indicators: Vec<String>,
}

fn badge_of(tr: &Tr, c: Option<&BenchmarkComparison>) -> Option<(&'static str, String)> {
    c.map(|c| {
        (
            c.outcome.as_str(),
            tr.t(&format!("outcome-{}", c.outcome.as_str())),
        )
    })
}

#[allow(clippy::too_many_arguments)]
async fn render_observations(
    state: &AppState,
    viewer: &Viewer,
    report: &Report,
    acc: ReportAccess,
    error: Option<String>,
    message: Option<String>,
    draft: Option<ObservationDraft>,
) -> AppResult<Response> {
    let tr = Tr::new(viewer.lang);
    let lang = tr.code();
    let observations = state.store.observations(report.id).await?;
    let views = observation_views(state, report, observations, lang).await?;
    let indicators = state.store.indicators().await?;
    let counts = state.store.value_counts().await?;
    let mut sorted: Vec<&Indicator> = indicators.iter().collect();
    sorted.sort_by(|a, b| a.title.get(lang).cmp(b.title.get(lang)));
    let ind_values: Vec<(String, String)> = sorted
        .iter()
        .map(|i| {
            let no_data = counts.get(&i.id.0).copied().unwrap_or(0) == 0;
            (
                i.id.0.to_string(),
                format!(
                    "{} ({}){}",
                    i.title.get(lang),
                    i.id,
                    if no_data {
                        format!(" – {}", tr.t("rd-no-data-yet"))
                    } else {
                        String::new()
                    }
                ),
            )
        })
        .collect();
    let multi = |chosen: &[String]| -> Vec<Opt> {
        ind_values
            .iter()
            .map(|(v, t)| Opt {
                value: v.clone(),
                text: t.clone(),
                selected: chosen.contains(v),
            })
            .collect()
    };
    let mut proposed = vec![];
    let mut joys = vec![];
    let mut concerns = vec![];
    let mut dismissed = vec![];
    for v in views {
        let o = &v.observation;
        let evidence = v
            .evidence
            .iter()
            .map(|e| {
                let ev = &e.evidence;
                let unit = ev
                    .unit
                    .as_deref()
                    .map(|u| super::indicators::unit_label(&tr, u))
                    .unwrap_or_default();
                EvidenceLine {
                    id: ev.indicator_id,
                    title: ev.title.clone(),
                    link: ev.has_data,
                    year: ev.year.map(|y| y.to_string()).unwrap_or_else(|| "–".into()),
                    value: if ev.has_data {
                        format!("{} {unit}", fmt_num(ev.value, ev.decimals, lang))
                    } else if ev.known {
                        tr.t("rd-no-data-yet")
                    } else {
                        tr.t("rd-unknown-indicator")
                    },
                    vs_region: badge_of(&tr, ev.region.as_ref()),
                    vs_country: badge_of(&tr, ev.country.as_ref()),
                    trend: if ev.has_data {
                        tr.t(&format!("trend-{}", ev.trend.as_str()))
                    } else {
                        "–".into()
                    },
                    signal: tr.t(&format!("rd-signal-{}", e.signal.as_str())),
                }
            })
            .collect();
        let chosen: Vec<String> = o.indicators.iter().map(|i| i.to_string()).collect();
        let source = match (&o.source_org, o.source_observation_id) {
            (Some(org), Some(src)) => {
                let name = match org.parse::<RegionKey>() {
                    Ok(k) => state
                        .store
                        .region(&k)
                        .await?
                        .map(|r| r.name(lang).to_string())
                        .unwrap_or_else(|| org.clone()),
                    Err(_) => org.clone(),
                };
                let link = match state.store.observation_report(src).await? {
                    Some(rid) => format!("/reports/{rid}/observations#obs-{src}"),
                    None => String::new(),
                };
                Some((name, link))
            }
            _ => None,
        };
        let card = ObservationCard {
            id: o.id,
            kind: o.kind.as_str(),
            kind_text: tr.t(&format!("rd-obs-kind-{}", o.kind)),
            text: o.body.clone(),
            sector: o.sector.clone().unwrap_or_default(),
            origin_text: tr.t(&format!("rd-origin-{}", o.origin)),
            source,
            group: o
                .population_group
                .as_deref()
                .map(|g| group_text(&tr, Some(g)))
                .unwrap_or_default(),
            status: o.status.clone(),
            status_text: tr.t(&format!("rd-status-{}", o.status)),
            evidence,
            verdict: v.verdict.as_str(),
            verdict_text: tr.t(&format!("rd-verdict-{}", v.verdict.as_str())),
            verdict_help: tr.t(&format!(
                "rd-verdict-{}-{}",
                v.verdict.as_str(),
                o.kind.as_str()
            )),
            link_opts: multi(&chosen),
        };
        match o.status.as_str() {
            "proposed" => proposed.push(card),
            "dismissed" => dismissed.push(card),
            _ if o.kind == ObservationKind::Joy => joys.push(card),
            _ => concerns.push(card),
        }
    }
    let d = draft.unwrap_or(ObservationDraft {
        kind: "concern".into(),
        text: String::new(),
        sector: viewer
            .user
            .as_ref()
            .and_then(|u| u.sector.clone())
            .unwrap_or_default(),
        origin: "working_group".into(),
        group: String::new(),
        indicators: vec![],
    });
    let kind_values: Vec<(String, String)> = ObservationKind::ALL
        .iter()
        .map(|k| (k.as_str().to_string(), tr.t(&format!("rd-obs-kind-{k}"))))
        .collect();
    let origin_values: Vec<(String, String)> = ObservationOrigin::ALL
        .iter()
        .filter(|o| !matches!(o, ObservationOrigin::Data | ObservationOrigin::Municipality))
        .map(|o| (o.as_str().to_string(), tr.t(&format!("rd-origin-{o}"))))
        .collect();
    let mut group_values = vec![(String::new(), tr.t("rd-group-none"))];
    group_values.extend(
        POPULATION_GROUPS
            .iter()
            .map(|g| (g.to_string(), tr.t(&format!("rd-group-{g}")))),
    );
    let failed = error.is_some();
    let page = Page::new(
        viewer,
        format!("{} – {}", tr.t("rd-obs-title"), report.title),
        &format!("/reports/{}/observations", report.id),
    );
    let mut res = render(&ObservationsTpl {
        head: head(state, report, acc, &tr, "observations").await?,
        page,
        proposed,
        joys,
        concerns,
        dismissed,
        regional: report.org.category() == RegionCategory::Hyvinvointialue,
        can_contribute: acc.can_contribute(),
        can_write: acc.can_write(),
        error,
        message,
        kind_opts: opts(&kind_values, &d.kind),
        origin_opts: opts(&origin_values, &d.origin),
        group_opts: opts(&group_values, &d.group),
        indicator_opts: multi(&d.indicators),
        draft_text: d.text,
        draft_sector: d.sector,
    })?;
    if failed {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

/// `POST /reports/{id}/observations`: a new joy or concern.
pub async fn observation_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login_redirect(&format!("/reports/{id}/observations")));
    }
    let f = Fields(f);
    let (report, acc, user) = form_report(
        &state,
        &viewer,
        &id,
        &f,
        ReportAccess::can_contribute,
        "readers cannot add joys or concerns",
    )
    .await?;
    let draft = ObservationDraft {
        kind: f.get("kind").to_string(),
        text: f.get("text").to_string(),
        sector: f.get("sector").to_string(),
        origin: f.get("origin").to_string(),
        group: f.get("population_group").to_string(),
        indicators: f.all("indicators").iter().map(|s| s.to_string()).collect(),
    };
    let result = async {
        let input = ObservationInput {
            kind: draft.kind.parse().map_err(AppError::unprocessable)?,
            text: draft.text.clone(),
            sector: Some(draft.sector.clone()),
            origin: draft.origin.parse().map_err(AppError::unprocessable)?,
            population_group: Some(draft.group.clone()),
            indicators: parse_ids(&f.all("indicators"))?,
        };
        add_observation(&state, &report, input, &user).await
    }
    .await;
    match result {
        Ok(oid) => Ok(Redirect::to(&format!(
            "/reports/{}/observations?done=observed#obs-{oid}",
            report.id
        ))
        .into_response()),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let tr = Tr::new(viewer.lang);
            let msg = refusal(&tr, &e.message, &tr.t("rd-obs-add"));
            render_observations(&state, &viewer, &report, acc, Some(msg), None, Some(draft)).await
        }
        Err(e) => Err(e),
    }
}

/// `POST /reports/{id}/observations/propose`: Hyte proposes joys and concerns from
/// the data.
pub async fn propose_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login_redirect(&format!("/reports/{id}/observations")));
    }
    let f = Fields(f);
    let (report, _, user) = form_report(
        &state,
        &viewer,
        &id,
        &f,
        ReportAccess::can_contribute,
        "readers cannot ask for proposals",
    )
    .await?;
    let tr = Tr::new(viewer.lang);
    let created = propose_from_data(&state, &report, &user, &tr).await?;
    let done = if created.is_empty() {
        "proposed-none"
    } else {
        "proposed"
    };
    Ok(Redirect::to(&format!(
        "/reports/{}/observations?done={done}#proposals",
        report.id
    ))
    .into_response())
}

/// `POST /reports/{id}/observations/collect`: a welfare region's report collects its
/// member municipalities' joys and concerns as proposals.
pub async fn collect_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login_redirect(&format!("/reports/{id}/observations")));
    }
    let f = Fields(f);
    let (report, acc, user) = form_report(
        &state,
        &viewer,
        &id,
        &f,
        ReportAccess::can_contribute,
        "readers cannot collect joys and concerns",
    )
    .await?;
    match collect_from_members(&state, &report, &user).await {
        Ok(c) => {
            let done = if c.ids.is_empty() {
                "collected-none"
            } else {
                "collected"
            };
            Ok(Redirect::to(&format!(
                "/reports/{}/observations?done={done}#proposals",
                report.id
            ))
            .into_response())
        }
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let tr = Tr::new(viewer.lang);
            let msg = refusal(&tr, &e.message, &tr.t("rd-collect"));
            render_observations(&state, &viewer, &report, acc, Some(msg), None, None).await
        }
        Err(e) => Err(e),
    }
}

/// `POST /reports/{id}/observations/{oid}/status`: accept or dismiss a proposal
/// (or reopen an item).
pub async fn observation_status_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, oid)): Path<(String, String)>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login_redirect(&format!("/reports/{id}/observations")));
    }
    let f = Fields(f);
    let (report, _, user) = form_report(
        &state,
        &viewer,
        &id,
        &f,
        ReportAccess::can_write,
        "only the report's editors and coordinators accept or dismiss joys and concerns",
    )
    .await?;
    let oid: i64 = oid
        .parse()
        .map_err(|_| AppError::not_found(format!("no joy or concern {oid}")))?;
    set_observation_status(&state, &report, oid, f.get("status"), &user).await?;
    Ok(Redirect::to(&format!(
        "/reports/{}/observations?done=status#obs-{oid}",
        report.id
    ))
    .into_response())
}

/// `POST /reports/{id}/observations/{oid}/indicators`: changes the linked indicators.
pub async fn observation_links_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, oid)): Path<(String, String)>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login_redirect(&format!("/reports/{id}/observations")));
    }
    let f = Fields(f);
    let (report, _, _) = form_report(
        &state,
        &viewer,
        &id,
        &f,
        ReportAccess::can_contribute,
        "readers cannot change joys or concerns",
    )
    .await?;
    let oid: i64 = oid
        .parse()
        .map_err(|_| AppError::not_found(format!("no joy or concern {oid}")))?;
    let ids = parse_ids(&f.all("indicators"))?;
    set_observation_links(&state, &report, oid, &ids).await?;
    Ok(Redirect::to(&format!(
        "/reports/{}/observations?done=links#obs-{oid}",
        report.id
    ))
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_preset_parses_and_uses_only_exact_ids() {
        let p = parse_preset(PRESET_CSV).expect("preset parses");
        assert_eq!(p.len(), 37);
        let ids: Vec<i64> = p.iter().filter_map(|i| i.indicator_id).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        // Only the README's exact title matches with the curated snapshot list.
        assert_eq!(sorted, vec![180, 761, 3177, 3180, 3181, 3196, 3197]);
        assert!(p
            .iter()
            .filter(|i| i.indicator_id.is_none())
            .all(|i| i.item_key.starts_with("preset:")));
        assert_eq!(preset().len(), 37);
    }

    #[test]
    fn preset_errors_are_clear() {
        let bad = "item_key,indicator_id,title_fi,theme,population_group,kind,source_note\nsotkanet:5,6,x,t,young_people,state,n\n";
        assert!(parse_preset(bad).unwrap_err().contains("line 2"));
        let bad = "item_key,indicator_id,title_fi,theme,population_group,kind,source_note\npreset:x,,x,t,young_people,opinion,n\n";
        assert!(parse_preset(bad).unwrap_err().contains("opinion"));
    }

    #[test]
    fn anchors_are_safe_ids() {
        assert_eq!(anchor("sotkanet:180"), "item-sotkanet-180");
        assert_eq!(anchor("preset:0-6-vuotiaat"), "item-preset-0-6-vuotiaat");
    }
}
