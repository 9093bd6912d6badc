//! The approval tab of a report: state, timeline, the moves the caller may make,
//! frozen versions, a version as approved, and what has changed in the data since.
//!
//! The rules are in `hyte_domain::approval` and the use case in
//! `hyte_app::approval` (`App::transition`); recording is in the store, behind it.
//! [`apply_move`] (the use case with this crate's [`freeze`]) is shared with the JSON
//! API (`api::approval`), so a browser and an API client get the same answer.

mod freeze;
mod reader;
mod versions;

pub use freeze::{freeze, freeze_for_app};
pub use hyte_app::approval::{acting_role, allowed_moves};
pub use reader::ReportPage;
pub use versions::{
    changes_page, load_version, parse_version, version_changes, version_page, versions_page,
};
pub use versions::{ChangeView, SectionView};

use super::render;
use super::report_data::{head, report_ctx, ReportHead};
use super::reports::{short_time, FormData};
use crate::auth::Viewer;
use crate::i18n::Tr;
use crate::pages::login_redirect_from;
use crate::view::Page;
use crate::{AppResult, AppState};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use hyte_app::approval::parse_move;
use hyte_app::model::approval::ApprovalEvent;
use hyte_app::model::versions::VersionSummary;
use hyte_app::ReportCtx;
use hyte_domain::approval::{ApprovalState, Move, MoveInput};

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

/// Makes a move through the application layer (`App::transition`): the rule, the
/// freeze of a council approval (rendered here, only when the move is decided) and
/// one transaction with the `approval` audit entry.
pub async fn apply_move(
    state: &AppState,
    ctx: &ReportCtx,
    mv: Move,
    input: &MoveInput,
) -> AppResult<ApprovalEvent> {
    let (event, _changed) = state
        .app
        .transition(ctx, mv, input, || freeze_for_app(state, ctx))
        .await?;
    Ok(event)
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

async fn approval_view(
    state: &AppState,
    viewer: &Viewer,
    ctx: &ReportCtx,
    path: &str,
    error: Option<String>,
    input: MoveInput,
    message: Option<String>,
) -> AppResult<ApprovalTpl> {
    let tr = Tr::new(viewer.lang);
    let (report, acc) = (&ctx.report, ctx.access);
    let current = state.app.approval_state(ctx).await?;
    let events = state.app.approval_events(ctx).await?;
    let versions = state.app.versions(ctx).await?;
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
pub async fn approval_page(State(state): State<AppState>, page: ReportPage) -> AppResult<Response> {
    let (tr, uri) = (page.tr, &page.uri);
    let message = uri
        .query()
        .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("done=")))
        .and_then(|m| m.parse::<Move>().ok())
        .map(|m| tr.t(&format!("appr-done-{m}")));
    let tpl = approval_view(
        &state,
        &page.viewer,
        &page.ctx,
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
/// move (also an unknown one) shows the page again with the reason and the input
/// kept.
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
    let ctx = report_ctx(&state, &viewer, &id).await?;
    let tr = Tr::new(viewer.lang);
    let input = MoveInput {
        reason: f.get("reason").to_string(),
        decision_date: f.get("decision_date").to_string(),
        minutes_section: f.get("minutes_section").to_string(),
        decision_link: f.get("decision_link").to_string(),
    };
    let done = match parse_move(f.get("move")) {
        Ok(mv) => apply_move(&state, &ctx, mv, &input).await.map(|_| mv),
        Err(e) => Err(e.into()),
    };
    let report = &ctx.report;
    match done {
        Ok(mv) => Ok(Redirect::to(&format!(
            "/reports/{}/approval?done={}#state",
            report.id,
            mv.as_str()
        ))
        .into_response()),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let message = match &e.refusal {
                Some(r) => tr.refusal(r),
                None => e.message,
            };
            let path = format!("/reports/{}/approval", report.id);
            let tpl =
                approval_view(&state, &viewer, &ctx, &path, Some(message), input, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&tpl)?).into_response())
        }
        Err(e) => Err(e),
    }
}
