//! The account lifecycle's own pages: a user's sessions (see and end them) and the
//! password-reset link's page, where the account's owner chooses a new password.
//! Disabling, enabling, removing and issuing reset links are on the members page
//! (`pages::process::group`). The rules are `hyte_app::lifecycle`'s.

use super::process::{gone, render_refusable};
use super::render;
use super::reports::short_time;
use crate::auth::Viewer;
use crate::extract::{SignedForm, SignedIn};
use crate::i18n::Tr;
use crate::view::Page;
use crate::{AppResult, AppState};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use hyte_app::AppError as UseCaseError;

/// Routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/account/sessions", get(sessions_page))
        .route(
            "/account/sessions/revoke-others",
            post(revoke_other_sessions),
        )
        .route("/account/sessions/{handle}/revoke", post(revoke_session))
        .route("/reset/{token}", get(reset_page).post(reset_form))
}

struct SessionRow {
    handle: String,
    created: String,
    last_seen: String,
    expires: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "sessions.html")]
struct SessionsTpl {
    page: Page,
    sessions: Vec<SessionRow>,
    others: usize,
    message: Option<String>,
}

/// Query of the sessions page after a change.
#[derive(Debug, serde::Deserialize, Default)]
pub struct SessionsQuery {
    /// `revoked` or `others`.
    pub done: Option<String>,
}

/// `GET /account/sessions`: the user's live sessions (started, last used, ends),
/// this one marked; each can be ended, or all others at once.
pub async fn sessions_page(
    State(state): State<AppState>,
    SignedIn { viewer, actor }: SignedIn,
    axum::extract::Query(q): axum::extract::Query<SessionsQuery>,
) -> AppResult<Response> {
    let tr = Tr::new(viewer.lang);
    let sessions: Vec<SessionRow> = state
        .app
        .own_sessions(&actor, viewer.session_token.as_deref())
        .await?
        .into_iter()
        .map(|s| SessionRow {
            created: short_time(&s.created_at),
            last_seen: s
                .last_seen_at
                .as_deref()
                .map(short_time)
                .unwrap_or_else(|| "–".into()),
            expires: short_time(&s.expires_at),
            current: s.current,
            handle: s.handle,
        })
        .collect();
    let message = q
        .done
        .as_deref()
        .filter(|d| ["revoked", "others"].contains(d))
        .map(|d| tr.t(&format!("sessions-done-{d}")));
    render(&SessionsTpl {
        page: Page::new(&viewer, tr.t("sessions-title"), "/account/sessions"),
        others: sessions.iter().filter(|s| !s.current).count(),
        sessions,
        message,
    })
}

/// `POST /account/sessions/{handle}/revoke`: ends one of the user's sessions (this
/// one too: that is signing out here).
pub async fn revoke_session(
    State(state): State<AppState>,
    Path(handle): Path<String>,
    SignedForm { actor, .. }: SignedForm,
) -> AppResult<Response> {
    state.app.revoke_own_session(&actor, &handle).await?;
    Ok(Redirect::to("/account/sessions?done=revoked").into_response())
}

/// `POST /account/sessions/revoke-others`: ends every session of the user but this
/// one (e.g. after using a shared computer).
pub async fn revoke_other_sessions(
    State(state): State<AppState>,
    SignedForm { viewer, actor, .. }: SignedForm,
) -> AppResult<Response> {
    state
        .app
        .revoke_other_sessions(&actor, viewer.session_token.as_deref().unwrap_or_default())
        .await?;
    Ok(Redirect::to("/account/sessions?done=others").into_response())
}

#[derive(Template)]
#[template(path = "reset.html")]
struct ResetTpl {
    page: Page,
    token: String,
    email: String,
    name: String,
    /// "Valid until …" in the reader's language.
    valid: String,
    error: Option<String>,
    done: bool,
}

async fn reset_tpl(state: &AppState, viewer: &Viewer, token: &str) -> AppResult<ResetTpl> {
    let target = state.app.password_reset_target(token).await.map_err(gone)?;
    let tr = Tr::new(viewer.lang);
    // The language links stay on this page (the address bar already holds the link).
    let page = Page::new(viewer, tr.t("reset-title"), &format!("/reset/{token}"));
    Ok(ResetTpl {
        page,
        token: token.to_string(),
        email: target.email,
        name: target.name,
        valid: tr.ta(
            "life-reset-valid",
            &[("time", short_time(&target.expires_at))],
        ),
        error: None,
        done: false,
    })
}

/// `GET /reset/{token}`: the account's owner chooses a new password. A used, void
/// or expired link answers 410 with a clear sentence; an unknown one 404.
pub async fn reset_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
) -> AppResult<Response> {
    render(&reset_tpl(&state, &viewer, &token).await?)
}

/// The reset form.
#[derive(serde::Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    password2: String,
}

/// `POST /reset/{token}`: sets the password with the password-change rules, uses
/// the link up and ends every session of the account. Needs no CSRF token and no
/// sign-in: only someone holding the secret link can post it.
pub async fn reset_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
    Form(f): Form<ResetForm>,
) -> AppResult<Response> {
    let mut tpl = reset_tpl(&state, &viewer, &token).await?;
    match state
        .app
        .use_password_reset(&token, &f.password, &f.password2)
        .await
    {
        Ok(_) => {
            tpl.done = true;
            render(&tpl)
        }
        Err(UseCaseError::Invalid { refusal: r, .. } | UseCaseError::Refused(r)) => {
            tpl.error = Some(Tr::new(viewer.lang).refusal(&r));
            render_refusable(&tpl, true)
        }
        Err(e) => Err(gone(e)),
    }
}
