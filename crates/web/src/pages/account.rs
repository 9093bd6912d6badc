//! Signing in and out, password change, personal API tokens.

use super::render;
use crate::auth::{
    actor, constant_time_eq, random_token, Viewer, LOGIN_CSRF_COOKIE, SESSION_COOKIE,
};
use crate::client::ClientAddr;
use crate::extract::SignedIn;
use crate::i18n::Tr;
use crate::pages::process::render_refusable;
use crate::view::Page;
use crate::{AppError, AppResult, AppState};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use axum_extra::extract::cookie::{Cookie, SameSite};
use axum_extra::extract::CookieJar;
use hyte_app::accounts::{SignIn, SignInRules};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginTpl {
    page: Page,
    login_csrf: String,
    email: String,
    error: Option<String>,
    next: String,
}

/// Only paths of this site are allowed as a post-login destination (no open
/// redirect; the rule is [`crate::pages::same_site_path`]).
fn safe_next(next: Option<&str>) -> String {
    next.and_then(crate::pages::same_site_path)
        .unwrap_or_default()
        .to_string()
}

fn cookie(state: &AppState, name: &'static str, value: String) -> Cookie<'static> {
    Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.secure_cookies)
        .build()
}

/// Query of the login page.
#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// `GET /login`.
pub async fn login_form(
    State(state): State<AppState>,
    viewer: Viewer,
    jar: CookieJar,
    axum::extract::Query(q): axum::extract::Query<NextQuery>,
) -> AppResult<Response> {
    let token = random_token();
    let page = Page::new(&viewer, viewer_t(&viewer, "login-title"), "/login");
    let tpl = LoginTpl {
        page,
        login_csrf: token.clone(),
        email: String::new(),
        error: None,
        next: safe_next(q.next.as_deref()),
    };
    let jar = jar.add(cookie(&state, LOGIN_CSRF_COOKIE, token));
    Ok((jar, render(&tpl)?).into_response())
}

/// 429 with `Retry-After` and the wait in whole minutes (rounded up) in words.
fn rate_limited(viewer: &Viewer, retry_after_secs: i64) -> Response {
    let minutes = (retry_after_secs + 59) / 60;
    let message = crate::i18n::Tr::new(viewer.lang)
        .ta("login-rate-limited", &[("minutes", minutes.to_string())]);
    let mut res = AppError::too_many(message).into_response();
    if let Ok(v) = axum::http::HeaderValue::from_str(&retry_after_secs.to_string()) {
        res.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
    }
    res
}

fn viewer_t(v: &Viewer, key: &str) -> String {
    crate::i18n::Tr::new(v.lang).t(key)
}

/// The login form.
#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    login_csrf: String,
    #[serde(default)]
    next: String,
}

/// `POST /login`: rate-limited per e-mail and per address; a new session token on
/// every sign-in (no session fixation).
pub async fn login(
    State(state): State<AppState>,
    viewer: Viewer,
    jar: CookieJar,
    ClientAddr(client): ClientAddr,
    Form(f): Form<LoginForm>,
) -> AppResult<Response> {
    let expected = jar
        .get(LOGIN_CSRF_COOKIE)
        .map(|c| c.value().to_string())
        .unwrap_or_default();
    if expected.is_empty() || !constant_time_eq(expected.as_bytes(), f.login_csrf.as_bytes()) {
        return Err(AppError::forbidden(
            "the sign-in form has expired; reload the page and try again",
        ));
    }
    let rules = SignInRules {
        max_failures: state.config.login_max_failures,
        window_secs: state.config.login_window_secs,
        session_ttl_secs: state.config.session_ttl_secs,
    };
    let outcome = state
        .app
        .sign_in(
            &f.email,
            &f.password,
            &client.to_string(),
            &rules,
            jar.get(SESSION_COOKIE).map(|c| c.value()),
        )
        .await?;
    let (user, session) = match outcome {
        SignIn::Welcome { user, session } => (user, session),
        SignIn::RateLimited { retry_after_secs } => {
            return Ok(rate_limited(&viewer, retry_after_secs));
        }
        SignIn::Refused => {
            let token = random_token();
            let tpl = LoginTpl {
                page: Page::new(&viewer, viewer_t(&viewer, "login-title"), "/login"),
                login_csrf: token.clone(),
                email: f.email.clone(),
                error: Some(viewer_t(&viewer, "login-failed")),
                next: safe_next(Some(&f.next)),
            };
            let jar = jar.add(cookie(&state, LOGIN_CSRF_COOKIE, token));
            let mut res = render(&tpl)?;
            *res.status_mut() = axum::http::StatusCode::UNAUTHORIZED;
            return Ok((jar, res).into_response());
        }
    };
    let dest = match (safe_next(Some(&f.next)), &user.org) {
        (n, _) if !n.is_empty() => n,
        (_, Some(org)) => format!("/org/{org}"),
        (_, None) => "/".to_string(),
    };
    let jar =
        jar.remove(Cookie::from(LOGIN_CSRF_COOKIE))
            .add(cookie(&state, SESSION_COOKIE, session));
    Ok((jar, Redirect::to(&dest)).into_response())
}

/// A form that only carries the CSRF token.
#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /logout`.
pub async fn logout(
    State(state): State<AppState>,
    viewer: Viewer,
    jar: CookieJar,
    Form(f): Form<CsrfForm>,
) -> AppResult<Response> {
    viewer.check_csrf(&f.csrf)?;
    state
        .app
        .sign_out(viewer.user.as_ref(), viewer.session_token.as_deref())
        .await?;
    let jar = jar.remove(Cookie::from(SESSION_COOKIE));
    Ok((jar, Redirect::to("/")).into_response())
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordTpl {
    page: Page,
    error: Option<String>,
    done: bool,
}

/// `GET /account/password`.
pub async fn password_form(SignedIn { viewer, .. }: SignedIn) -> AppResult<Response> {
    render(&PasswordTpl {
        page: Page::new(
            &viewer,
            viewer_t(&viewer, "password-title"),
            "/account/password",
        ),
        error: None,
        done: false,
    })
}

/// The password form.
#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    csrf: String,
    current: String,
    new: String,
    repeat: String,
}

/// `POST /account/password`: ends every session of the user and starts a new one.
pub async fn change_password(
    State(state): State<AppState>,
    viewer: Viewer,
    jar: CookieJar,
    Form(f): Form<PasswordForm>,
) -> AppResult<Response> {
    viewer.check_csrf(&f.csrf)?;
    let actor = actor(&viewer)?;
    let page = Page::new(
        &viewer,
        viewer_t(&viewer, "password-title"),
        "/account/password",
    );
    match state
        .app
        .change_password(&actor, &f.current, &f.new, &f.repeat)
        .await
    {
        Ok(()) => {}
        Err(e @ hyte_app::AppError::Invalid { .. }) => {
            let text = e
                .refusal()
                .map(|r| Tr::new(viewer.lang).refusal(r))
                .unwrap_or_default();
            let tpl = PasswordTpl {
                error: Some(text),
                page,
                done: false,
            };
            return render_refusable(&tpl, true);
        }
        Err(e) => return Err(e.into()),
    }
    // The change ended every session of the user; this browser gets a new one.
    let session = state
        .app
        .start_session(actor.user.id, state.config.session_ttl_secs)
        .await?;
    let jar = jar.add(cookie(&state, SESSION_COOKIE, session.token));
    let mut page = page;
    page.csrf = session.csrf;
    Ok((
        jar,
        render(&PasswordTpl {
            page,
            error: None,
            done: true,
        })?,
    )
        .into_response())
}

/// A token as listed.
pub struct TokenRow {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Created.
    pub created_at: String,
    /// Last used.
    pub last_used: String,
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensTpl {
    page: Page,
    tokens: Vec<TokenRow>,
    new_token: Option<String>,
}

async fn tokens_page(
    state: &AppState,
    viewer: &Viewer,
    new_token: Option<String>,
) -> AppResult<Response> {
    let tokens = state
        .app
        .tokens(&actor(viewer)?)
        .await?
        .into_iter()
        .map(|t| TokenRow {
            id: t.id,
            name: t.name,
            created_at: t.created_at,
            last_used: t.last_used.unwrap_or_else(|| "–".into()),
        })
        .collect();
    render(&TokensTpl {
        page: Page::new(viewer, viewer_t(viewer, "tokens-title"), "/account/tokens"),
        tokens,
        new_token,
    })
}

/// `GET /account/tokens`.
pub async fn tokens(
    State(state): State<AppState>,
    SignedIn { viewer, .. }: SignedIn,
) -> AppResult<Response> {
    tokens_page(&state, &viewer, None).await
}

/// The new-token form.
#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    csrf: String,
    name: String,
}

/// `POST /account/tokens`: shows the new token once.
pub async fn create_token(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(f): Form<TokenForm>,
) -> AppResult<Response> {
    viewer.check_csrf(&f.csrf)?;
    let (_, token) = state
        .app
        .create_token(&actor(&viewer)?, &f.name, None)
        .await?;
    tokens_page(&state, &viewer, Some(token)).await
}

/// `POST /account/tokens/{id}/delete`.
pub async fn delete_token(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<CsrfForm>,
) -> AppResult<Response> {
    viewer.check_csrf(&f.csrf)?;
    state.app.revoke_token(&actor(&viewer)?, id).await?;
    Ok(Redirect::to("/account/tokens").into_response())
}
