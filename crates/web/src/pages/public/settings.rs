//! The coordinator's publication settings: the state on the public site, the
//! plain-language summary and the infographic's indicators. The rules are the
//! application layer's (`hyte_app::publication`); these handlers parse the form and
//! answer.

use super::MAX_INFOGRAPHIC;
use crate::extract::{CheckedForm, SignedIn};
use crate::i18n::Tr;
use crate::pages::render;
use crate::pages::report_data::report_ctx;
use crate::view::Page;
use crate::{AppError, AppResult, AppState};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use hyte_app::model::publication::Publication;
use hyte_app::model::reports::Report;
use hyte_app::publication::PublicationContent;
use hyte_domain::IndicatorId;

// ---------------------------------------------------------------------------
// Publication settings (coordinators)

/// An indicator the coordinator may put on the infographic.
struct Choice {
    id: i64,
    title: String,
    chosen: bool,
}

#[derive(Template)]
#[template(path = "public_settings.html")]
struct SettingsTpl {
    page: Page,
    tr: Tr,
    report: Report,
    publication: Publication,
    can_decide: bool,
    choices: Vec<Choice>,
    public_href: String,
    saved: bool,
    /// The council has approved a version: the public site shows its frozen
    /// content, and changes here wait for the next approval.
    approved: bool,
}

/// `GET /reports/{id}/publication`.
pub async fn settings(
    State(state): State<AppState>,
    SignedIn { viewer, .. }: SignedIn,
    uri: Uri,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let ctx = report_ctx(&state, &viewer, &id).await?;
    let publication = state.app.publication(&ctx).await?;
    let approved = state.app.approval_facts(&ctx).await?.council_approved;
    let tr = Tr::new(viewer.lang);
    let ids = state.app.report_indicator_ids(&ctx).await?;
    let (report, access) = (ctx.report, ctx.access);
    let auto: Vec<i64> = ids.iter().copied().take(MAX_INFOGRAPHIC).collect();
    let mut choices = vec![];
    for i in ids {
        if let Some(ind) = state.app.indicator(IndicatorId(i)).await? {
            choices.push(Choice {
                id: i,
                title: ind.title.get(tr.code()).to_string(),
                chosen: if publication.infographic.is_empty() {
                    auto.contains(&i)
                } else {
                    publication.infographic.contains(&i)
                },
            });
        }
    }
    render(&SettingsTpl {
        page: Page::new(&viewer, tr.t("pub-settings-title"), &uri.to_string()),
        tr,
        public_href: format!("/public/{}/reports/{}", report.org, report.id),
        report,
        publication,
        can_decide: access.can_decide(),
        choices,
        saved: uri.query().is_some_and(|q| q.contains("saved=1")),
        approved,
    })
}

/// `POST /reports/{id}/publication`: summary and infographic indicators
/// (`App::set_publication_content`).
pub async fn save_settings(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CheckedForm { viewer, form }: CheckedForm,
) -> AppResult<Response> {
    let ctx = report_ctx(&state, &viewer, &id).await?;
    let mut infographic = vec![];
    for v in form.all("indicator") {
        let i: i64 = v
            .trim()
            .parse()
            .map_err(|_| AppError::bad_request(format!("'{v}' is not an indicator id")))?;
        infographic.push(i);
    }
    let content = PublicationContent {
        summary: form.get("summary").to_string(),
        infographic,
    };
    state.app.set_publication_content(&ctx, &content).await?;
    // The outputs' cache key holds the content already; forgetting is explicit.
    state.outputs.forget(ctx.report.id);
    Ok(Redirect::to(&format!("/reports/{}/publication?saved=1", ctx.report.id)).into_response())
}

/// `POST /reports/{id}/publication/toggle`: publish the approved version or
/// withdraw it (`App::publish_or_withdraw`).
pub async fn toggle(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CheckedForm { viewer, form }: CheckedForm,
) -> AppResult<Response> {
    let ctx = &report_ctx(&state, &viewer, &id).await?;
    let on = match form.opt("publish") {
        Some("1") => true,
        Some("0") => false,
        other => {
            return Err(AppError::bad_request(format!(
                "publish must be 1 or 0, not {other:?}"
            )))
        }
    };
    if let Err(e) = state.app.publish_or_withdraw(ctx, on).await {
        let mut e = AppError::from(e);
        // A publish move refused for the report's state names the state in words.
        if let Some(r) = e.refusal.take_if(|r| r.key == "appr-err-not-from-state") {
            e.message = Tr::new(viewer.lang).refusal(&r);
        }
        return Err(e);
    }
    state.outputs.forget(ctx.report.id);
    Ok(Redirect::to(&format!("/reports/{}/publication?saved=1", ctx.report.id)).into_response())
}
