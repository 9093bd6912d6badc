//! Report pages: indicator list and appendix, joys and concerns, self-assessment.
//!
//! The rules (who may do what, the preset, selection decisions, proposals, collecting
//! from the member municipalities, the appendix) are use cases of `hyte-app`
//! (`hyte_app::indicators`, `hyte_app::observations`), shared with the JSON API in
//! `api::report_data`, so the browser and an API client always get the same answer.
//! These handlers parse the form, call the use case and render. The evidence of an
//! indicator (which needs the statistics of `crate::analysis`) is computed here, in
//! [`evidence`].

pub mod evidence;
pub mod indicators;
pub mod observations;

use crate::auth::Viewer;
use crate::i18n::Tr;
use crate::{AppError, AppResult, AppState};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use hyte_app::model::indicators::Indicator;
use hyte_app::model::reports::Report;
use hyte_app::model::users::User;
use serde::Deserialize;
use std::collections::HashMap;

pub use evidence::{
    evidence_of, observation_views, propose, worded_proposals, EvidenceCache, IndicatorEvidence,
    ObservationEvidence, ObservationView,
};
pub use hyte_app::indicators::{
    parse_preset, preset, Appendix, AppendixRow, PresetItem, POPULATION_GROUPS, PRESET_CSV,
    PRESET_ID,
};
pub use hyte_app::observations::Collected;

/// Routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/reports/{id}/indicators", get(indicators::indicators_page))
        .route("/reports/{id}/indicators/seed", post(indicators::seed_form))
        .route(
            "/reports/{id}/indicators/select",
            post(indicators::select_form),
        )
        .route("/reports/{id}/indicators/add", post(indicators::add_form))
        .route(
            "/reports/{id}/self-assessments",
            post(indicators::self_assessment_form),
        )
        .route("/reports/{id}/appendix", get(indicators::appendix_page))
        .route(
            "/reports/{id}/observations",
            get(observations::observations_page).post(observations::observation_form),
        )
        .route(
            "/reports/{id}/observations/propose",
            post(observations::propose_form),
        )
        .route(
            "/reports/{id}/observations/collect",
            post(observations::collect_form),
        )
        .route(
            "/reports/{id}/observations/{oid}/status",
            post(observations::observation_status_form),
        )
        .route(
            "/reports/{id}/observations/{oid}/indicators",
            post(observations::observation_links_form),
        )
}

// ---------------------------------------------------------------------------
// Who may do what with a report (shims other modules use)
// ---------------------------------------------------------------------------

pub use hyte_app::access::{can_edit_section, may_resolve_comment};
/// What the caller may do with one report: the application layer's one access model.
pub use hyte_app::Access as ReportAccess;

/// The caller's access to a report (`hyte_app::App::report_access`).
pub async fn report_access(
    state: &AppState,
    user: &User,
    report: &Report,
) -> AppResult<Option<ReportAccess>> {
    Ok(state.app.report_access(user, report).await?)
}

/// Loads a report by the id in a path and checks the caller may read it: 401 when
/// not signed in, 404 for an unknown id, 403 for someone outside the report.
pub async fn load_report(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
) -> AppResult<(Report, ReportAccess)> {
    let ctx = report_ctx(state, viewer, id).await?;
    Ok((ctx.report, ctx.access))
}

/// The report context of the application layer for the id in a path.
pub async fn report_ctx(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
) -> AppResult<hyte_app::ReportCtx> {
    let actor = crate::auth::actor(viewer)?;
    let rid = crate::pages::parse_id(id).ok_or_else(|| {
        AppError::from(hyte_app::AppError::NotFound(
            hyte_app::Refusal::new("rep-err-no-report", format!("no report {id}")).arg("id", id),
        ))
    })?;
    Ok(state.app.load_report(&actor, rid).await?)
}

// ---------------------------------------------------------------------------
// Shared HTML helpers
// ---------------------------------------------------------------------------

fn fmt_num(v: Option<f64>, decimals: u32, lang: &str) -> String {
    v.map(|v| hyte_charts::format_number(v, decimals, lang != "en"))
        .unwrap_or_else(|| "–".into())
}

fn see_other(to: String) -> Response {
    Redirect::to(&to).into_response()
}

/// The refusal a form shows next to the form (422: the input was refused), or the
/// error to answer with instead (403, 404, ...).
fn form_refusal(e: hyte_app::AppError) -> Result<hyte_app::Refusal, AppError> {
    match e {
        hyte_app::AppError::Refused(r) | hyte_app::AppError::Invalid { refusal: r, .. } => Ok(r),
        other => Err(other.into()),
    }
}

/// "Not saved (what)." and why, in the reader's language.
fn not_saved(tr: &Tr, title: &str, r: &hyte_app::Refusal) -> String {
    format!(
        "{} {}",
        tr.ta("rd-error-not-saved", &[("title", title.to_string())]),
        tr.refusal(r)
    )
}

/// The `{oid}` of a joy or concern in the path (404 when it is not a number).
pub(crate) fn oid_param(params: &HashMap<String, String>) -> Result<i64, hyte_app::AppError> {
    let raw = params.get("oid").map(String::as_str).unwrap_or_default();
    crate::pages::parse_id(raw).ok_or_else(|| {
        hyte_app::AppError::NotFound(
            hyte_app::Refusal::new(
                "rd-error-no-observation",
                format!("no joy or concern {raw}"),
            )
            .arg("id", raw),
        )
    })
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

/// The header of a report page (the organisation's name read from the store).
pub async fn head(
    state: &AppState,
    report: &Report,
    acc: ReportAccess,
    tr: &Tr,
    current: &'static str,
) -> AppResult<ReportHead> {
    let org_name = state
        .app
        .region(&report.org)
        .await?
        .map(|r| r.name(tr.code()).to_string())
        .unwrap_or_else(|| report.org.to_string());
    Ok(head_with(report, acc, tr, current, org_name))
}

/// The header of a report page from an authorised report context.
pub fn head_of(ctx: &hyte_app::ReportCtx, tr: &Tr, current: &'static str) -> ReportHead {
    let org_name = ctx.org.name(tr.code()).to_string();
    head_with(&ctx.report, ctx.access, tr, current, org_name)
}

fn head_with(
    report: &Report,
    acc: ReportAccess,
    tr: &Tr,
    current: &'static str,
    org_name: String,
) -> ReportHead {
    ReportHead {
        id: report.id,
        title: report.title.clone(),
        org: report.org.to_string(),
        org_name,
        current,
        access_text: match acc {
            ReportAccess::Read => tr.t("rd-access-read"),
            ReportAccess::Member(r) => tr.t(&format!("role-{r}")),
        },
    }
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

/// Indicators as select options, sorted by title, marking those without data.
fn indicator_values(
    tr: &Tr,
    indicators: &[&Indicator],
    counts: &HashMap<i64, i64>,
) -> Vec<(String, String)> {
    let lang = tr.code();
    let mut sorted = indicators.to_vec();
    sorted.sort_by(|a, b| a.title.get(lang).cmp(b.title.get(lang)));
    sorted
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
        .collect()
}

fn anchor(item_key: &str) -> String {
    let s: String = item_key
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("item-{s}")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_are_safe_ids() {
        assert_eq!(anchor("sotkanet:180"), "item-sotkanet-180");
        assert_eq!(anchor("preset:0-6-vuotiaat"), "item-preset-0-6-vuotiaat");
    }
}
