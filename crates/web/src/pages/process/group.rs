//! The working-group pages: members with their roles and sectors, invitations, and
//! the invitee's page that creates the account.

use super::{managed_org, render_refusable, Choice, DoneQuery};
use crate::auth::Viewer;
use crate::extract::{SignedForm, SignedIn};
use crate::i18n::Tr;
use crate::pages::reports::{sector_label, short_time, FormData, DEFAULT_SECTORS};
use crate::pages::{login_redirect, render};
use crate::view::Page;
use crate::{AppError, AppResult, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use hyte_app::accounts::Initiator;
use hyte_app::model::orgs::Region;
use hyte_app::model::process::Invitation;
use hyte_app::model::users::User;
use hyte_app::process::{Joining, ManagedOrg, MemberChange, NewInvitation};
use hyte_app::{AppError as UseCaseError, Refusal};
use hyte_domain::Role;

/// The absolute link of an invitation token (see [`public_link`]). Hyte sends no
/// mail yet: the coordinator passes the link on (see docs/API.md).
pub fn invitation_link(state: &AppState, headers: &HeaderMap, token: &str) -> String {
    public_link(state, headers, &format!("/invite/{token}"))
}

/// The absolute link to a path of this installation: on its configured public
/// address (`HYTE_PUBLIC_URL`). Without one — only under `hyte demo` and in tests:
/// in production the use case refuses before a link is made — from the request's
/// host.
pub fn public_link(state: &AppState, headers: &HeaderMap, path: &str) -> String {
    if let Some(link) = state.app.public_link(path) {
        return link;
    }
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = if state.config.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}{path}")
}

/// A link that can no longer be used answers 410 Gone (the use case calls it a
/// conflict with the invitation's state).
pub fn gone(e: UseCaseError) -> AppError {
    match e {
        UseCaseError::Conflict(r) => {
            let mut err = AppError::from(UseCaseError::Conflict(r));
            err.status = StatusCode::GONE;
            err.code = "gone";
            err
        }
        other => other.into(),
    }
}

/// The refusal to show next to a form (the input was refused: 409/422), or the
/// error to answer with instead.
fn form_refusal(e: UseCaseError) -> Result<Refusal, AppError> {
    match e {
        UseCaseError::Refused(r)
        | UseCaseError::Conflict(r)
        | UseCaseError::Invalid { refusal: r, .. } => Ok(r),
        other => Err(other.into()),
    }
}

struct MemberRow {
    user: User,
    role_text: String,
    sector_text: String,
    is_self: bool,
    disabled: bool,
}

struct InvitationRow {
    inv: Invitation,
    role_text: String,
    state_text: String,
    pending: bool,
    expires: String,
}

#[derive(Template)]
#[template(path = "group_members.html")]
struct MembersTpl {
    page: Page,
    org: Region,
    members: Vec<MemberRow>,
    invitations: Vec<InvitationRow>,
    roles: Vec<Choice>,
    sectors: Vec<Choice>,
    new_link: Option<String>,
    new_email: String,
    reset: Option<ResetShown>,
    error: Option<String>,
    message: Option<String>,
    draft_email: String,
    draft_role: String,
    draft_sector: String,
}

/// A password-reset link just issued, shown once on the members page.
struct ResetShown {
    email: String,
    link: String,
    /// "Valid until …" in the reader's language.
    valid: String,
}

struct MembersExtra {
    new_link: Option<(String, String)>,
    reset: Option<ResetShown>,
    error: Option<String>,
    message: Option<String>,
    draft: (String, String, String),
}

impl MembersExtra {
    fn plain(message: Option<String>) -> Self {
        MembersExtra {
            new_link: None,
            reset: None,
            error: None,
            message,
            draft: (String::new(), "editor".into(), String::new()),
        }
    }
}

async fn member_rows(state: &AppState, g: &ManagedOrg, tr: &Tr) -> AppResult<Vec<MemberRow>> {
    let me = g.actor.user.id;
    Ok(state
        .app
        .members(g)
        .await?
        .into_iter()
        .map(|u| MemberRow {
            role_text: tr.t(&format!("role-{}", u.role)),
            sector_text: u
                .sector
                .as_deref()
                .map(|s| sector_label(tr, s))
                .unwrap_or_default(),
            is_self: u.id == me,
            disabled: u.disabled_at.is_some(),
            user: u,
        })
        .collect())
}

async fn invitation_rows(
    state: &AppState,
    g: &ManagedOrg,
    tr: &Tr,
) -> AppResult<Vec<InvitationRow>> {
    Ok(state
        .app
        .invitations(g)
        .await?
        .into_iter()
        .map(|inv| InvitationRow {
            role_text: tr.t(&format!("role-{}", inv.role)),
            state_text: tr.t(&format!("grp-inv-{}", inv.state())),
            pending: inv.state() == "pending",
            expires: short_time(&inv.expires_at),
            inv,
        })
        .collect())
}

fn role_and_sector_choices(tr: &Tr) -> (Vec<Choice>, Vec<Choice>) {
    let roles = [
        Role::Reader,
        Role::Commenter,
        Role::Editor,
        Role::Coordinator,
    ]
    .iter()
    .map(|r| Choice {
        value: r.as_str().to_string(),
        text: tr.t(&format!("role-{r}")),
    })
    .collect();
    let sectors = DEFAULT_SECTORS
        .iter()
        .map(|s| Choice {
            value: s.to_string(),
            text: sector_label(tr, s),
        })
        .collect();
    (roles, sectors)
}

async fn render_members(
    state: &AppState,
    viewer: &Viewer,
    uri: &Uri,
    g: ManagedOrg,
    extra: MembersExtra,
) -> AppResult<Response> {
    let tr = Tr::new(viewer.lang);
    let members = member_rows(state, &g, &tr).await?;
    let invitations = invitation_rows(state, &g, &tr).await?;
    let (roles, sectors) = role_and_sector_choices(&tr);
    let page = Page::new(
        viewer,
        format!("{} – {}", tr.t("grp-title"), g.org.name(tr.code())),
        &uri.to_string(),
    );
    let (new_email, new_link) = match extra.new_link {
        Some((e, l)) => (e, Some(l)),
        None => (String::new(), None),
    };
    let failed = extra.error.is_some();
    let tpl = MembersTpl {
        page,
        org: g.org,
        members,
        invitations,
        roles,
        sectors,
        new_link,
        new_email,
        reset: extra.reset,
        error: extra.error,
        message: extra.message,
        draft_email: extra.draft.0,
        draft_role: extra.draft.1,
        draft_sector: extra.draft.2,
    };
    render_refusable(&tpl, failed)
}

/// `GET /org/{org}/members`: the working group, its roles and sectors, invitations.
pub async fn members_page(
    State(state): State<AppState>,
    SignedIn { viewer, .. }: SignedIn,
    uri: Uri,
    Path(org): Path<String>,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    let g = managed_org(&state, &viewer, &org).await?;
    let tr = Tr::new(viewer.lang);
    let message = q
        .done
        .as_deref()
        .filter(|d| ["member", "revoked", "disabled", "enabled", "removed"].contains(d))
        .map(|d| tr.t(&format!("grp-done-{d}")));
    render_members(&state, &viewer, &uri, g, MembersExtra::plain(message)).await
}

/// `POST /org/{org}/invitations`: invites an e-mail address; the page shows the link.
pub async fn invite_form(
    State(state): State<AppState>,
    viewer: Viewer,
    uri: Uri,
    headers: HeaderMap,
    Path(org): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let (f, g) = match managed_form(&state, &viewer, &org, f).await? {
        Ok(opened) => opened,
        Err(login) => return Ok(login),
    };
    let tr = Tr::new(viewer.lang);
    let page_uri: Uri = format!("/org/{org}/members")
        .parse()
        .unwrap_or_else(|_| uri.clone());
    let input = NewInvitation {
        email: f.get("email").to_string(),
        role: f.get("role").to_string(),
        sector: f.opt("sector").map(str::to_string),
    };
    let extra = match state.app.invite(&g, &input).await {
        Ok((inv, token)) => MembersExtra {
            new_link: Some((inv.email, invitation_link(&state, &headers, &token))),
            ..MembersExtra::plain(None)
        },
        Err(e) => {
            let r = form_refusal(e)?;
            MembersExtra {
                error: Some(format!("{} {}", tr.t("grp-invite-refused"), tr.refusal(&r))),
                draft: (
                    f.get("email").to_string(),
                    f.get("role").to_string(),
                    f.get("sector").to_string(),
                ),
                ..MembersExtra::plain(None)
            }
        }
    };
    render_members(&state, &viewer, &page_uri, g, extra).await
}

/// `POST /org/{org}/invitations/{iid}/revoke`.
pub async fn revoke_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((org, iid)): Path<(String, String)>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let (_, g) = match managed_form(&state, &viewer, &org, f).await? {
        Ok(opened) => opened,
        Err(login) => return Ok(login),
    };
    let id = invitation_id(&iid)?;
    state.app.revoke_invitation(&g, id).await?;
    Ok(Redirect::to(&format!(
        "/org/{}/members?done=revoked#invitations",
        g.org.key
    ))
    .into_response())
}

/// The first steps of every member-management form: a signed-out reader goes to the
/// login page (`Err`), then the CSRF check and the organisation the viewer manages.
async fn managed_form(
    state: &AppState,
    viewer: &Viewer,
    org: &str,
    f: Vec<(String, String)>,
) -> AppResult<Result<(FormData, ManagedOrg), Response>> {
    if viewer.user.is_none() {
        return Ok(Err(login_redirect(&format!("/org/{org}/members"))));
    }
    let f = FormData(f);
    viewer.check_csrf(f.get("csrf"))?;
    let g = managed_org(state, viewer, org).await?;
    Ok(Ok((f, g)))
}

/// An invitation id from a path: 404 when it is not a number.
pub fn invitation_id(iid: &str) -> AppResult<i64> {
    crate::pages::parse_id(iid).ok_or_else(|| {
        UseCaseError::NotFound(
            Refusal::new(
                "grp-err-no-invitation",
                format!("no invitation {iid} in this organisation"),
            )
            .arg("id", iid),
        )
        .into()
    })
}

/// A member's user id from a path: 404 when it is not a number.
pub fn member_id(uid: &str) -> AppResult<i64> {
    crate::pages::parse_id(uid).ok_or_else(|| {
        UseCaseError::NotFound(
            Refusal::new(
                "grp-err-no-member",
                format!("no member {uid} in this organisation"),
            )
            .arg("id", uid),
        )
        .into()
    })
}

/// `POST /org/{org}/members/{uid}`: changes a member's role and sector.
pub async fn member_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((org, uid)): Path<(String, String)>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let (f, g) = match managed_form(&state, &viewer, &org, f).await? {
        Ok(opened) => opened,
        Err(login) => return Ok(login),
    };
    let change = MemberChange {
        role: f.opt("role").map(str::to_string),
        sector: Some(f.opt("sector").map(str::to_string)),
    };
    let u = state
        .app
        .change_member(&g, member_id(&uid)?, &change)
        .await?;
    Ok(Redirect::to(&format!(
        "/org/{}/members?done=member#member-{}",
        g.org.key, u.id
    ))
    .into_response())
}

#[derive(Template)]
#[template(path = "group_invite.html")]
struct InviteTpl {
    page: Page,
    org_name: String,
    email: String,
    role_text: String,
    token: String,
    error: Option<String>,
    draft_name: String,
    joined: bool,
}

async fn invite_tpl(
    state: &AppState,
    viewer: &Viewer,
    inv: &Invitation,
    token: &str,
) -> AppResult<InviteTpl> {
    let tr = Tr::new(viewer.lang);
    let org_name = state
        .app
        .organisation(&inv.org)
        .await
        .map(|r| r.name(tr.code()).to_string())
        .unwrap_or_else(|_| inv.org.to_string());
    // The language links stay on this page (same origin, the address bar already
    // holds the link), so the invitee can switch language before joining.
    let page = Page::new(viewer, tr.t("grp-join-title"), &format!("/invite/{token}"));
    Ok(InviteTpl {
        page,
        org_name,
        email: inv.email.clone(),
        role_text: tr.t(&format!("role-{}", inv.role)),
        token: token.to_string(),
        error: None,
        draft_name: String::new(),
        joined: false,
    })
}

/// `GET /invite/{token}`: the invitee chooses a name and a password. Used, revoked or
/// expired links answer 410 with a clear sentence; unknown ones 404.
pub async fn invite_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let inv = state.app.usable_invitation(&token).await.map_err(gone)?;
    let tpl = invite_tpl(&state, &viewer, &inv, &token).await?;
    render(&tpl)
}

/// `POST /invite/{token}`: creates the account. The form needs no CSRF token: only
/// someone holding the secret link can post it.
pub async fn accept_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let f = FormData(f);
    let inv = state.app.usable_invitation(&token).await.map_err(gone)?;
    let tr = Tr::new(viewer.lang);
    let mut tpl = invite_tpl(&state, &viewer, &inv, &token).await?;
    let joining = Joining {
        name: f.get("name").to_string(),
        password: f.get("password").to_string(),
        repeat: f.get("password2").to_string(),
    };
    match state.app.accept_invitation(&token, &joining).await {
        Ok(_) => {
            tpl.joined = true;
            render(&tpl)
        }
        Err(UseCaseError::Invalid { refusal: r, .. } | UseCaseError::Refused(r)) => {
            tpl.error = Some(tr.refusal(&r));
            tpl.draft_name = f.get("name").to_string();
            render_refusable(&tpl, true)
        }
        Err(e) => Err(e.into()),
    }
}

/// What a coordinator or an administrator does to a member's account on the members
/// page (the account lifecycle, `hyte_app::lifecycle`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberLifecycle {
    /// `…/disable`: the member can no longer sign in; sessions and tokens stop.
    Disable,
    /// `…/enable`.
    Enable,
    /// `…/remove`: for good; the history stays attributed.
    Remove,
}

/// `POST /org/{org}/members/{uid}/disable|enable|remove`: then back to the members
/// page, which says what was done. Nobody does this to their own account (422).
pub async fn member_lifecycle(
    state: &AppState,
    form: SignedForm,
    org: &str,
    uid: &str,
    what: MemberLifecycle,
) -> AppResult<Response> {
    let g = managed_org(state, &form.viewer, org).await?;
    let id = member_id(uid)?;
    let by = Initiator::User(&g.actor);
    let key = Some(&g.org.key);
    let done = match what {
        MemberLifecycle::Disable => {
            state.app.disable_user(by, key, id).await?;
            "disabled"
        }
        MemberLifecycle::Enable => {
            state.app.enable_user(by, key, id).await?;
            "enabled"
        }
        MemberLifecycle::Remove => {
            state.app.remove_user(by, key, id).await?;
            "removed"
        }
    };
    let anchor = match what {
        MemberLifecycle::Remove => "members".to_string(),
        _ => format!("member-{id}"),
    };
    Ok(Redirect::to(&format!("/org/{}/members?done={done}#{anchor}", g.org.key)).into_response())
}

/// `POST /org/{org}/members/{uid}/disable`.
pub async fn member_disable(
    State(state): State<AppState>,
    Path((org, uid)): Path<(String, String)>,
    form: SignedForm,
) -> AppResult<Response> {
    member_lifecycle(&state, form, &org, &uid, MemberLifecycle::Disable).await
}

/// `POST /org/{org}/members/{uid}/enable`.
pub async fn member_enable(
    State(state): State<AppState>,
    Path((org, uid)): Path<(String, String)>,
    form: SignedForm,
) -> AppResult<Response> {
    member_lifecycle(&state, form, &org, &uid, MemberLifecycle::Enable).await
}

/// `POST /org/{org}/members/{uid}/remove`.
pub async fn member_remove(
    State(state): State<AppState>,
    Path((org, uid)): Path<(String, String)>,
    form: SignedForm,
) -> AppResult<Response> {
    member_lifecycle(&state, form, &org, &uid, MemberLifecycle::Remove).await
}

/// `POST /org/{org}/members/{uid}/reset-link`: issues a single-use password-reset
/// link and shows it once on the members page; the coordinator gives it to the
/// member, who chooses the password. A refusal (a disabled account, no public
/// address in production) is shown on the page.
pub async fn member_reset_link(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    Path((org, uid)): Path<(String, String)>,
    SignedForm { viewer, .. }: SignedForm,
) -> AppResult<Response> {
    let g = managed_org(&state, &viewer, &org).await?;
    let id = member_id(&uid)?;
    let tr = Tr::new(viewer.lang);
    let page_uri: Uri = format!("/org/{org}/members")
        .parse()
        .unwrap_or_else(|_| uri.clone());
    let extra = match state
        .app
        .issue_password_reset(Initiator::User(&g.actor), Some(&g.org.key), id)
        .await
    {
        Ok(r) => MembersExtra {
            reset: Some(ResetShown {
                link: r.link.clone().unwrap_or_else(|| {
                    public_link(&state, &headers, &format!("/reset/{}", r.token))
                }),
                email: r.user.email,
                valid: tr.ta("life-reset-valid", &[("time", short_time(&r.expires_at))]),
            }),
            ..MembersExtra::plain(None)
        },
        Err(e) => {
            let r = form_refusal(e)?;
            MembersExtra {
                error: Some(format!("{} {}", tr.t("life-reset-refused"), tr.refusal(&r))),
                ..MembersExtra::plain(None)
            }
        }
    };
    render_members(&state, &viewer, &page_uri, g, extra).await
}
