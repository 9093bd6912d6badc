//! Partners of a joint report, by consent (`hyte_app::reports::partners`): the
//! report's partner page (who is a partner, who is invited; the owner's coordinators
//! invite and withdraw), and an organisation's partnership invitations, which its
//! coordinators accept or decline. An invited organisation has no access to the
//! report; it sees only the invitation: the inviting organisation and the title.

use super::process::{org_key, render_refusable, DoneQuery};
use super::reports::short_time;
use super::{parse_id, render};
use crate::extract::{ReportForm, ReportPage, SignedForm, SignedIn};
use crate::i18n::Tr;
use crate::view::Page;
use crate::{AppError, AppResult, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use hyte_app::model::orgs::Region;
use hyte_app::model::reports::Report;
use hyte_app::{AppError as UseCaseError, ReportCtx};
use hyte_domain::RegionKey;

/// Routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/reports/{id}/partners", get(report_partners).post(invite))
        .route("/reports/{id}/partners/{org}/withdraw", post(withdraw))
        .route("/org/{org}/partnerships", get(invitations))
        .route("/org/{org}/partnerships/{id}/accept", post(accept))
        .route("/org/{org}/partnerships/{id}/decline", post(decline))
}

/// An organisation by name in the reader's language (the key if unknown).
async fn name_of(state: &AppState, key: &RegionKey, lang: &str) -> AppResult<String> {
    Ok(match state.app.region(key).await? {
        Some(r) => r.name(lang).to_string(),
        None => key.to_string(),
    })
}

struct PartnerRow {
    key: String,
    name: String,
}

#[derive(Template)]
#[template(path = "report_partners.html")]
struct ReportPartnersTpl {
    page: Page,
    report: Report,
    org: Region,
    partners: Vec<PartnerRow>,
    invited: Vec<PartnerRow>,
    /// The owner's coordinators (and admins) invite and withdraw.
    can_invite: bool,
    message: Option<String>,
    error: Option<String>,
    draft: String,
}

async fn rows(state: &AppState, keys: &[RegionKey], lang: &str) -> AppResult<Vec<PartnerRow>> {
    let mut out = vec![];
    for k in keys {
        out.push(PartnerRow {
            key: k.to_string(),
            name: name_of(state, k, lang).await?,
        });
    }
    Ok(out)
}

async fn partners_tpl(
    state: &AppState,
    page: &ReportPage,
    ctx: &ReportCtx,
    done: Option<&str>,
) -> AppResult<ReportPartnersTpl> {
    let tr = &page.tr;
    let lang = tr.code();
    let path = format!("/reports/{}/partners", ctx.report.id);
    Ok(ReportPartnersTpl {
        page: Page::new(&page.viewer, tr.t("partner-title"), &path),
        partners: rows(state, &ctx.report.partners, lang).await?,
        invited: rows(state, &ctx.report.invited_partners, lang).await?,
        can_invite: state.app.may_invite_partners(ctx),
        message: done
            .filter(|d| ["invited", "withdrawn"].contains(d))
            .map(|d| tr.t(&format!("partner-done-{d}"))),
        error: None,
        draft: String::new(),
        report: ctx.report.clone(),
        org: ctx.org.clone(),
    })
}

/// `GET /reports/{id}/partners`: the report's partners and the organisations invited
/// (whoever reads the report); its own coordinators invite and withdraw here.
pub async fn report_partners(
    State(state): State<AppState>,
    page: ReportPage,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    let tpl = partners_tpl(&state, &page, &page.ctx, q.done.as_deref()).await?;
    render(&tpl)
}

/// `POST /reports/{id}/partners` (`org=KUNTA:398`): invites an organisation. It
/// becomes a partner only when its coordinator accepts.
pub async fn invite(
    State(state): State<AppState>,
    ReportForm { page, form }: ReportForm,
) -> AppResult<Response> {
    let org = form.get("org").trim().to_string();
    match state.app.invite_partner(&page.ctx, &org).await {
        Ok(changed) => {
            state.refresh(changed);
            Ok(Redirect::to(&format!(
                "/reports/{}/partners?done=invited",
                page.ctx.report.id
            ))
            .into_response())
        }
        Err(
            e @ (UseCaseError::Invalid { .. }
            | UseCaseError::Refused(_)
            | UseCaseError::Conflict(_)),
        ) => {
            let conflict = matches!(e, UseCaseError::Conflict(_));
            let mut tpl = partners_tpl(&state, &page, &page.ctx, None).await?;
            tpl.error = e.refusal().map(|r| page.tr.refusal(r));
            tpl.draft = org;
            let mut res = render_refusable(&tpl, true)?;
            if conflict {
                *res.status_mut() = StatusCode::CONFLICT;
            }
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /reports/{id}/partners/{org}/withdraw`: withdraws an unanswered invitation.
pub async fn withdraw(
    State(state): State<AppState>,
    ReportForm { page, .. }: ReportForm,
) -> AppResult<Response> {
    let org = org_key(page.params.get("org").map(String::as_str).unwrap_or(""))?;
    let changed = state.app.withdraw_partner(&page.ctx, &org).await?;
    state.refresh(changed);
    Ok(Redirect::to(&format!(
        "/reports/{}/partners?done=withdrawn",
        page.ctx.report.id
    ))
    .into_response())
}

struct InvitationRow {
    report_id: i64,
    title: String,
    owner: String,
    invited_by: String,
    invited_at: String,
}

#[derive(Template)]
#[template(path = "partnerships.html")]
struct InvitationsTpl {
    page: Page,
    org: Region,
    invitations: Vec<InvitationRow>,
    message: Option<String>,
}

/// `GET /org/{org}/partnerships`: the partnership invitations the organisation has
/// received (its coordinators and admins), each with the inviting organisation and
/// the report's title, to accept or decline.
pub async fn invitations(
    State(state): State<AppState>,
    SignedIn { viewer, actor }: SignedIn,
    Path(org): Path<String>,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    let key = org_key(&org)?;
    let list = state.app.partner_invitations(&actor, &key).await?;
    let region = state.app.organisation(&key).await?;
    let tr = Tr::new(viewer.lang);
    let lang = tr.code();
    let mut invitations = vec![];
    for i in list {
        invitations.push(InvitationRow {
            report_id: i.report_id,
            title: i.report_title,
            owner: name_of(&state, &i.owner, lang).await?,
            invited_by: i.invited_by.unwrap_or_default(),
            invited_at: i.invited_at.as_deref().map(short_time).unwrap_or_default(),
        });
    }
    render(&InvitationsTpl {
        page: Page::new(
            &viewer,
            tr.t("partnership-title"),
            &format!("/org/{key}/partnerships"),
        ),
        org: region,
        invitations,
        message: q
            .done
            .as_deref()
            .filter(|d| ["declined"].contains(d))
            .map(|d| tr.t(&format!("partnership-done-{d}"))),
    })
}

fn report_id(id: &str) -> AppResult<i64> {
    parse_id(id).ok_or_else(|| AppError::not_found(format!("no report {id}")))
}

/// `POST /org/{org}/partnerships/{id}/accept`: the organisation becomes a partner of
/// the report; its members go on to the report.
pub async fn accept(
    State(state): State<AppState>,
    Path((org, id)): Path<(String, String)>,
    SignedForm { actor, .. }: SignedForm,
) -> AppResult<Response> {
    let key = org_key(&org)?;
    let id = report_id(&id)?;
    let changed = state.app.accept_partnership(&actor, &key, id).await?;
    state.refresh(changed);
    Ok(Redirect::to(&format!("/reports/{id}")).into_response())
}

/// `POST /org/{org}/partnerships/{id}/decline`: the invitation is deleted.
pub async fn decline(
    State(state): State<AppState>,
    Path((org, id)): Path<(String, String)>,
    SignedForm { actor, .. }: SignedForm,
) -> AppResult<Response> {
    let key = org_key(&org)?;
    let id = report_id(&id)?;
    let changed = state.app.decline_partnership(&actor, &key, id).await?;
    state.refresh(changed);
    Ok(Redirect::to(&format!("/org/{key}/partnerships?done=declined")).into_response())
}
