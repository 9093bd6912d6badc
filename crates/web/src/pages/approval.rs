//! The approval tab of a report: state, timeline, the moves the caller may make,
//! frozen versions, a version as approved, and what has changed in the data since.
//!
//! The rules are in `hyte_domain::approval`; recording is in `hyte_store::approval`.
//! [`apply_move`] and [`freeze`] are shared with the JSON API (`api::approval`), so a
//! browser and an API client get the same answer.

use super::render;
use super::report_data::{head, load_report, ReportAccess, ReportHead};
use super::reports::{short_time, FormData};
use crate::analysis::{assess_in, Recorder, ValueSource};
use crate::auth::Viewer;
use crate::blocks::{render_section_in, Fmt};
use crate::i18n::Tr;
use crate::pages::login_redirect_from;
use crate::view::Page;
use crate::{AppError, AppResult, AppState};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use hyte_domain::approval::{decide, ApprovalError, ApprovalState, Move, MoveInput};
use hyte_domain::report::SelectionState;
use hyte_domain::{IndicatorId, RegionKey, Role, Sex};
use hyte_stats::CiLevel;
use hyte_store::approval::ApprovalEvent;
use hyte_store::indicators::{StoredValue, ValueQuery};
use hyte_store::orgs::Region;
use hyte_store::reports::Report;
use hyte_store::users::User;
use hyte_store::versions::{
    Freeze, FrozenSection, FrozenValue, Snapshot, ValueChange, VersionDocument, VersionSummary,
};
use std::collections::{HashMap, HashSet};

/// Routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/reports/{id}/approval", get(approval_page))
        .route("/reports/{id}/approval/transitions", post(transition_form))
        .route("/reports/{id}/versions", get(versions_page))
        .route("/reports/{id}/versions/{v}", get(version_page))
        .route("/reports/{id}/versions/{v}/changes", get(changes_page))
}

// ---------------------------------------------------------------------------
// Shared with the API

/// The role the caller moves with, if any (readers of a member municipality's report
/// in a welfare region have none).
pub fn acting_role(acc: ReportAccess) -> Option<Role> {
    match acc {
        ReportAccess::Member(r) => Some(r),
        ReportAccess::Read => None,
    }
}

/// The moves the caller may make now.
pub fn allowed_moves(acc: ReportAccess, state: ApprovalState) -> Vec<Move> {
    match acting_role(acc) {
        Some(r) if hyte_domain::approval::may_move(r) => Move::from_state(state),
        _ => vec![],
    }
}

/// The refusal of a move as an error: 403 for who asks, 422 for what was asked, in
/// the UI language.
pub fn move_error(tr: &Tr, e: &ApprovalError) -> AppError {
    let msg = match e {
        ApprovalError::NotFromState { from, mv } => tr.ta(
            "appr-err-not-from-state",
            &[
                ("state", tr.t(&format!("appr-state-{from}"))),
                ("move", tr.t(&format!("appr-move-{mv}"))),
            ],
        ),
        ApprovalError::BadDate(d) => tr.ta("appr-err-bad-date", &[("date", d.clone())]),
        other => tr.t(&format!("appr-err-{}", other.key())),
    };
    if e.is_permission() {
        AppError::forbidden(msg)
    } else {
        AppError::unprocessable(msg)
    }
}

/// Decides and records a move: the domain decides (role, state, required input), a
/// council approval freezes a version, the store records state + event (+ version) in
/// one transaction, and the audit log gets the step.
pub async fn apply_move(
    state: &AppState,
    user: &User,
    report: &Report,
    acc: ReportAccess,
    mv: Move,
    input: &MoveInput,
    tr: &Tr,
) -> AppResult<ApprovalEvent> {
    let from = state.store.approval_state(report.id).await?;
    let role = acting_role(acc).ok_or_else(|| move_error(tr, &ApprovalError::NotAllowed))?;
    let t = decide(role, from, mv, input).map_err(|e| move_error(tr, &e))?;
    let frozen = if t.to == ApprovalState::CouncilApproved {
        Some(freeze(state, report).await?)
    } else {
        None
    };
    let event = state
        .store
        .record_transition(report.id, &t, &user.email, frozen.as_ref())
        .await?;
    if t.to == ApprovalState::Published {
        // The public site serves what this move publishes (pages::public::is_public).
        state
            .store
            .set_published(report.id, true, &user.email)
            .await?;
    }
    let mut detail = format!(
        "report {} '{}': {} → {} ({})",
        report.id, report.title, t.from, t.to, t.mv
    );
    if let Some(r) = &t.reason {
        detail.push_str(&format!("; reason: {r}"));
    }
    if let Some(d) = &t.decision {
        detail.push_str(&format!(
            "; council decision {} {}{}",
            d.date,
            d.minutes_section,
            d.link.as_ref().map(|l| format!(" {l}")).unwrap_or_default()
        ));
    }
    if let Some(n) = event.version_number {
        detail.push_str(&format!("; version {n} frozen"));
    }
    state
        .store
        .audit(Some(&user.email), Some(&report.org), "approval", &detail)
        .await?;
    Ok(event)
}

/// One value row's key: indicator, area, year, sex.
type ValueKey = (IndicatorId, RegionKey, i64, Sex);

/// Everything a council approval freezes: every current section's text and every
/// value row the document reads when rendered (found by rendering it through a
/// recording source: one rendering path, so nothing shown is missed), plus the
/// organisation's, its welfare region's and the country's values of every indicator
/// kept on the report's indicator list. Each row gets the 95 % interval it was shown
/// with.
pub async fn freeze(state: &AppState, report: &Report) -> AppResult<Freeze> {
    let org = state
        .store
        .region(&report.org)
        .await?
        .ok_or_else(|| AppError::not_found(format!("no organisation {}", report.org)))?;
    let sections = state.store.sections(report.id).await?;
    let recorder = Recorder::default();
    let src = ValueSource::Recording(&state.store, &recorder);
    let tr = Tr::new(crate::i18n::Lang::Fi);
    for s in &sections {
        render_section_in(&src, &org, &s.body, &tr, &format!("s{}", s.id)).await?;
    }
    let mut list_regions = vec![org.key.clone(), RegionKey::country()];
    list_regions.extend(org.welfare_region.clone());
    for sel in state.store.selections(report.id).await? {
        let Some(id) = sel.indicator_id else { continue };
        if sel.state == SelectionState::Excluded {
            continue;
        }
        if src.indicator(IndicatorId(id)).await?.is_some() {
            src.values(
                IndicatorId(id),
                &ValueQuery {
                    regions: list_regions.clone(),
                    years: vec![],
                    sex: None,
                },
            )
            .await?;
        }
    }
    let recorded = recorder.recorded();
    let mut by_ind: HashMap<IndicatorId, Vec<StoredValue>> = HashMap::new();
    for (v, _) in recorded.values.values() {
        by_ind.entry(v.indicator).or_default().push(v.clone());
    }
    let indicators: Vec<_> = recorded.indicators.values().cloned().collect();
    let snap = Snapshot::new(indicators.clone(), by_ind);
    // The intervals as shown: computed once from the frozen rows themselves.
    let mut cis: HashMap<ValueKey, (Option<f64>, Option<f64>)> = HashMap::new();
    let frozen_src = ValueSource::Frozen(&state.store, &snap);
    for ind in &indicators {
        let mut regions: Vec<RegionKey> = recorded
            .values
            .iter()
            .filter(|((i, ..), (_, shown))| *i == ind.id && *shown)
            .map(|((_, r, ..), _)| r.clone())
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        regions.sort_by_key(|r| r.to_string());
        if regions.is_empty() {
            continue;
        }
        let q = ValueQuery {
            regions,
            years: vec![],
            sex: None,
        };
        for a in assess_in(&frozen_src, ind, &q, CiLevel::P95).await? {
            cis.insert(
                (ind.id, a.region, a.year, a.gender),
                (a.ci_lower, a.ci_upper),
            );
        }
    }
    let mut values: Vec<FrozenValue> = recorded
        .values
        .iter()
        .map(|(k, (v, shown))| {
            let (ci_lower, ci_upper) = cis.get(k).copied().unwrap_or((None, None));
            FrozenValue {
                indicator: v.indicator,
                region: v.region.clone(),
                year: v.year,
                sex: v.sex,
                value: v.value,
                abs_value: v.abs_value,
                derived: v.derived,
                ci_lower,
                ci_upper,
                import_id: v.import_id,
                imported_at: None,
                context: !shown,
            }
        })
        .collect();
    values.sort_by(|a, b| {
        (a.indicator, a.region.to_string(), a.year, a.sex.code()).cmp(&(
            b.indicator,
            b.region.to_string(),
            b.year,
            b.sex.code(),
        ))
    });
    Ok(Freeze {
        sections: sections
            .iter()
            .map(|s| FrozenSection {
                section_id: s.id,
                position: s.position,
                heading: s.heading.clone(),
                content_areas: s.content_areas.clone(),
                owner_sector: s.owner_sector.clone(),
                revision: s.revision,
                body: s.body.clone(),
            })
            .collect(),
        indicators,
        values,
    })
}

/// Parses a version number in a path: 404 for anything but a positive number.
pub fn parse_version(v: &str, tr: &Tr) -> AppResult<i64> {
    v.trim()
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| AppError::not_found(tr.ta("appr-err-no-version", &[("v", v.to_string())])))
}

/// Loads a version or answers 404.
pub async fn load_version(
    state: &AppState,
    report: &Report,
    v: &str,
    tr: &Tr,
) -> AppResult<VersionDocument> {
    let n = parse_version(v, tr)?;
    state
        .store
        .version_document(report.id, n)
        .await?
        .ok_or_else(|| AppError::not_found(tr.ta("appr-err-no-version", &[("v", v.to_string())])))
}

// ---------------------------------------------------------------------------
// Views

/// One timeline entry as shown.
pub struct EventView {
    /// When.
    pub at: String,
    /// Who.
    pub who: String,
    /// Move in words.
    pub what: String,
    /// From → to in words.
    pub states: String,
    /// Reason.
    pub reason: Option<String>,
    /// Decision in words.
    pub decision: Option<String>,
    /// Link to the minutes.
    pub link: Option<String>,
    /// Frozen version number.
    pub version: Option<i64>,
}

fn event_view(tr: &Tr, e: &ApprovalEvent) -> EventView {
    EventView {
        at: short_time(&e.at),
        who: e.user_email.clone(),
        what: tr.t(&format!("appr-move-{}", e.mv)),
        states: format!(
            "{} → {}",
            tr.t(&format!("appr-state-{}", e.from)),
            tr.t(&format!("appr-state-{}", e.to))
        ),
        reason: e.reason.clone(),
        decision: e.decision.as_ref().map(|d| {
            tr.ta(
                "appr-decision-text",
                &[
                    ("date", d.date.clone()),
                    ("section", d.minutes_section.clone()),
                ],
            )
        }),
        link: e.decision.as_ref().and_then(|d| d.link.clone()),
        version: e.version_number,
    }
}

/// A version in the list as shown.
pub struct VersionView {
    /// Number.
    pub number: i64,
    /// Title at approval.
    pub title: String,
    /// Year of a yearly report.
    pub year: String,
    /// Decision in words.
    pub decision: String,
    /// When frozen.
    pub at: String,
    /// Frozen values.
    pub values: i64,
}

fn version_view(tr: &Tr, v: &VersionSummary) -> VersionView {
    VersionView {
        number: v.number,
        title: v.title.clone(),
        year: v.year.map(|y| y.to_string()).unwrap_or_default(),
        decision: tr.ta(
            "appr-decision-text",
            &[
                ("date", v.decision.date.clone()),
                ("section", v.decision.minutes_section.clone()),
            ],
        ),
        at: short_time(&v.created_at),
        values: v.value_count,
    }
}

/// A move the caller may make, as a form.
pub struct MoveForm {
    /// `start_commenting` ...
    pub key: &'static str,
    /// Button text.
    pub label: String,
    /// What it does.
    pub help: String,
}

#[derive(Template)]
#[template(path = "approval_page.html")]
struct ApprovalTpl {
    page: Page,
    head: ReportHead,
    state_key: &'static str,
    state_text: String,
    locked: bool,
    steps: Vec<(String, bool, bool)>,
    events: Vec<EventView>,
    moves: Vec<MoveForm>,
    versions: Vec<VersionView>,
    error: Option<String>,
    input: MoveInput,
    message: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn approval_view(
    state: &AppState,
    viewer: &Viewer,
    report: &Report,
    acc: ReportAccess,
    path: &str,
    error: Option<String>,
    input: MoveInput,
    message: Option<String>,
) -> AppResult<ApprovalTpl> {
    let tr = Tr::new(viewer.lang);
    let current = state.store.approval_state(report.id).await?;
    let events = state.store.approval_events(report.id).await?;
    let versions = state.store.versions(report.id).await?;
    let reached = ApprovalState::ALL
        .iter()
        .position(|s| *s == current)
        .unwrap_or(0);
    Ok(ApprovalTpl {
        page: Page::new(
            viewer,
            format!("{} – {}", tr.t("appr-title"), report.title),
            path,
        ),
        head: head(state, report, acc, &tr, "approval").await?,
        state_key: current.as_str(),
        state_text: tr.t(&format!("appr-state-{current}")),
        locked: current.locks_text(),
        steps: ApprovalState::ALL
            .iter()
            .enumerate()
            .map(|(i, s)| (tr.t(&format!("appr-state-{s}")), i < reached, i == reached))
            .collect(),
        events: events.iter().rev().map(|e| event_view(&tr, e)).collect(),
        moves: allowed_moves(acc, current)
            .into_iter()
            .map(|m| MoveForm {
                key: m.as_str(),
                label: tr.t(&format!("appr-move-{m}")),
                help: tr.t(&format!("appr-move-{m}-help")),
            })
            .collect(),
        versions: versions
            .iter()
            .rev()
            .map(|v| version_view(&tr, v))
            .collect(),
        error,
        input,
        message,
    })
}

/// `GET /reports/{id}/approval`: the state, the timeline and the allowed moves.
pub async fn approval_page(
    State(state): State<AppState>,
    viewer: Viewer,
    uri: Uri,
    Path(id): Path<String>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login_redirect_from(&uri));
    }
    let (report, acc) = load_report(&state, &viewer, &id).await?;
    let tr = Tr::new(viewer.lang);
    let message = uri
        .query()
        .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("done=")))
        .and_then(|m| m.parse::<Move>().ok())
        .map(|m| tr.t(&format!("appr-done-{m}")));
    let tpl = approval_view(
        &state,
        &viewer,
        &report,
        acc,
        &uri.to_string(),
        None,
        MoveInput::default(),
        message,
    )
    .await?;
    render(&tpl)
}

/// `POST /reports/{id}/approval/transitions`: make a move (form fields `move`,
/// `reason`, `decision_date`, `minutes_section`, `decision_link`, `csrf`). A refused
/// move shows the page again with the reason and the input kept.
pub async fn transition_form(
    State(state): State<AppState>,
    viewer: Viewer,
    uri: Uri,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login_redirect_from(&uri));
    }
    let f = FormData(f);
    viewer.check_csrf(f.get("csrf"))?;
    let (report, acc) = load_report(&state, &viewer, &id).await?;
    let user = viewer.user()?.clone();
    let tr = Tr::new(viewer.lang);
    let mv: Move = f
        .get("move")
        .parse()
        .map_err(|e: ApprovalError| AppError::bad_request(e.to_string()))?;
    let input = MoveInput {
        reason: f.get("reason").to_string(),
        decision_date: f.get("decision_date").to_string(),
        minutes_section: f.get("minutes_section").to_string(),
        decision_link: f.get("decision_link").to_string(),
    };
    match apply_move(&state, &user, &report, acc, mv, &input, &tr).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/reports/{}/approval?done={}#state",
            report.id,
            mv.as_str()
        ))
        .into_response()),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let path = format!("/reports/{}/approval", report.id);
            let tpl = approval_view(
                &state,
                &viewer,
                &report,
                acc,
                &path,
                Some(e.message),
                input,
                None,
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&tpl)?).into_response())
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "version_list.html")]
struct VersionsTpl {
    page: Page,
    head: ReportHead,
    versions: Vec<VersionView>,
}

/// `GET /reports/{id}/versions`: every frozen version of the report.
pub async fn versions_page(
    State(state): State<AppState>,
    viewer: Viewer,
    uri: Uri,
    Path(id): Path<String>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login_redirect_from(&uri));
    }
    let (report, acc) = load_report(&state, &viewer, &id).await?;
    let tr = Tr::new(viewer.lang);
    let versions = state.store.versions(report.id).await?;
    render(&VersionsTpl {
        page: Page::new(
            &viewer,
            format!("{} – {}", tr.t("appr-versions"), report.title),
            &uri.to_string(),
        ),
        head: head(&state, &report, acc, &tr, "approval").await?,
        versions: versions
            .iter()
            .rev()
            .map(|v| version_view(&tr, v))
            .collect(),
    })
}

/// A frozen section as shown.
pub struct SectionView {
    /// Anchor id.
    pub id: String,
    /// Heading.
    pub heading: String,
    /// Approved revision.
    pub revision: i64,
    /// Rendered parts (safe HTML).
    pub parts: Vec<String>,
}

#[derive(Template)]
#[template(path = "version_page.html")]
struct VersionTpl {
    page: Page,
    head: ReportHead,
    number: i64,
    title: String,
    decision: String,
    link: Option<String>,
    at: String,
    by: String,
    data_dates: String,
    sections: Vec<SectionView>,
    events: Vec<EventView>,
}

/// `GET /reports/{id}/versions/{v}`: a version as approved, rendered only from its
/// snapshot (the same block renderer as the working copy, fed frozen data).
pub async fn version_page(
    State(state): State<AppState>,
    viewer: Viewer,
    uri: Uri,
    Path((id, v)): Path<(String, String)>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login_redirect_from(&uri));
    }
    let (report, acc) = load_report(&state, &viewer, &id).await?;
    let tr = Tr::new(viewer.lang);
    let doc = load_version(&state, &report, &v, &tr).await?;
    let org: Region = state
        .store
        .region(&doc.org)
        .await?
        .ok_or_else(|| AppError::not_found(format!("no organisation {}", doc.org)))?;
    let snap = doc.snapshot();
    let src = ValueSource::Frozen(&state.store, &snap);
    let mut sections = vec![];
    for s in &doc.sections {
        let prefix = format!("v{}s{}", doc.version.number, s.section_id);
        let parts = render_section_in(&src, &org, &s.body, &tr, &prefix)
            .await?
            .into_iter()
            .map(|p| p.html)
            .collect();
        sections.push(SectionView {
            id: prefix,
            heading: s.heading.clone(),
            revision: s.revision,
            parts,
        });
    }
    let mut dates: Vec<String> = doc
        .values
        .iter()
        .filter_map(|v| v.imported_at.as_deref().map(short_time))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    dates.sort();
    render(&VersionTpl {
        page: Page::new(
            &viewer,
            format!(
                "{} {} – {}",
                tr.t("appr-version"),
                doc.version.number,
                doc.version.title
            ),
            &uri.to_string(),
        ),
        head: head(&state, &report, acc, &tr, "approval").await?,
        number: doc.version.number,
        title: doc.version.title.clone(),
        decision: tr.ta(
            "appr-decision-text",
            &[
                ("date", doc.version.decision.date.clone()),
                ("section", doc.version.decision.minutes_section.clone()),
            ],
        ),
        link: doc.version.decision.link.clone(),
        at: short_time(&doc.version.created_at),
        by: doc.version.created_by.clone(),
        data_dates: dates.join(", "),
        sections,
        events: doc.approval.iter().map(|e| event_view(&tr, e)).collect(),
    })
}

/// One changed value as shown.
pub struct ChangeView {
    /// Indicator title.
    pub indicator: String,
    /// Indicator id (link).
    pub indicator_id: i64,
    /// Area name.
    pub area: String,
    /// Year.
    pub year: i64,
    /// Sex in words.
    pub sex: String,
    /// Frozen value.
    pub old: String,
    /// Current value.
    pub new: String,
}

#[derive(Template)]
#[template(path = "version_changes.html")]
struct ChangesTpl {
    page: Page,
    head: ReportHead,
    number: i64,
    changes: Vec<ChangeView>,
}

/// `GET /reports/{id}/versions/{v}/changes`: every value the version shows that
/// differs from the current data (indicator, area, year, old → new). The working copy
/// renders current data; this is what bringing it up to new data changes.
pub async fn changes_page(
    State(state): State<AppState>,
    viewer: Viewer,
    uri: Uri,
    Path((id, v)): Path<(String, String)>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login_redirect_from(&uri));
    }
    let (report, acc) = load_report(&state, &viewer, &id).await?;
    let tr = Tr::new(viewer.lang);
    let doc = load_version(&state, &report, &v, &tr).await?;
    let changes = state
        .store
        .version_changes(report.id, doc.version.number)
        .await?
        .unwrap_or_default();
    let views = change_views(&state, &tr, &doc, &changes).await?;
    render(&ChangesTpl {
        page: Page::new(
            &viewer,
            format!("{} – {}", tr.t("appr-changes-title"), report.title),
            &uri.to_string(),
        ),
        head: head(&state, &report, acc, &tr, "approval").await?,
        number: doc.version.number,
        changes: views,
    })
}

async fn change_views(
    state: &AppState,
    tr: &Tr,
    doc: &VersionDocument,
    changes: &[ValueChange],
) -> AppResult<Vec<ChangeView>> {
    let lang = tr.code();
    let defs: HashMap<IndicatorId, &hyte_store::indicators::Indicator> =
        doc.indicators.iter().map(|i| (i.id, i)).collect();
    let mut names: HashMap<RegionKey, String> = HashMap::new();
    let mut out = vec![];
    for c in changes {
        if !names.contains_key(&c.region) {
            let n = if c.region == RegionKey::country() {
                tr.t("ind-country")
            } else {
                state
                    .store
                    .region(&c.region)
                    .await?
                    .map(|r| r.name(lang).to_string())
                    .unwrap_or_else(|| c.region.to_string())
            };
            names.insert(c.region.clone(), n);
        }
        let (title, fmt) = match defs.get(&c.indicator) {
            Some(d) => (d.title.get(lang).to_string(), Fmt::new(d, tr)),
            None => (
                c.indicator.to_string(),
                Fmt {
                    decimals: 1,
                    comma: lang != "en",
                },
            ),
        };
        let num = |v: Option<f64>| fmt.num(v);
        out.push(ChangeView {
            indicator: title,
            indicator_id: c.indicator.0,
            area: names.get(&c.region).cloned().unwrap_or_default(),
            year: c.year,
            sex: tr.t(&format!("sex-{}", sex_key(c.sex))),
            old: num(c.old),
            new: num(c.new),
        });
    }
    Ok(out)
}

fn sex_key(s: Sex) -> &'static str {
    match s {
        Sex::Total => "total",
        Sex::Male => "male",
        Sex::Female => "female",
    }
}
