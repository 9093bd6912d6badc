//! Signing in and out, password change, personal API tokens.

use super::render;
use crate::auth::{
    check_new_password, constant_time_eq, hash_password, random_token, verify_password, Viewer,
    LOGIN_CSRF_COOKIE, SESSION_COOKIE,
};
use crate::view::Page;
use crate::{AppError, AppResult, AppState};
use askama::Template;
use axum::extract::{ConnectInfo, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use axum_extra::extract::cookie::{Cookie, SameSite};
use axum_extra::extract::CookieJar;
use serde::Deserialize;
use std::net::SocketAddr;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginTpl {
    page: Page,
    login_csrf: String,
    email: String,
    error: Option<String>,
    next: String,
}

/// Only local paths are allowed as a post-login destination (no open redirect).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => String::new(),
    }
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
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
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
    let email = f.email.trim().to_lowercase();
    let ip_subject = format!("ip:{}", addr.ip());
    let mail_subject = format!("email:{email}");
    let window = state.config.login_window_secs;
    let max = state.config.login_max_failures;
    if state
        .store
        .recent_failed_logins(&mail_subject, window)
        .await?
        >= max
        || state
            .store
            .recent_failed_logins(&ip_subject, window)
            .await?
            >= max * 4
    {
        return Err(AppError::too_many(viewer_t(&viewer, "login-rate-limited")));
    }
    let user = state.store.user_by_email(&email).await?;
    let ok = match &user {
        Some(u) => verify_password(&f.password, &u.password_hash),
        None => {
            // Spend the same time as a real check so that timing does not tell which
            // e-mail addresses have accounts.
            let _ = verify_password(&f.password, dummy_hash());
            false
        }
    };
    state.store.record_login_attempt(&mail_subject, ok).await?;
    state.store.record_login_attempt(&ip_subject, ok).await?;
    let Some(user) = user.filter(|_| ok) else {
        state
            .store
            .audit(
                Some(&email),
                None,
                "login_failed",
                "wrong e-mail or password",
            )
            .await?;
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
    };
    if let Some(old) = jar.get(SESSION_COOKIE) {
        state.store.delete_session(old.value()).await?;
    }
    let token = random_token();
    state
        .store
        .create_session(
            user.id,
            &token,
            &random_token(),
            state.config.session_ttl_secs,
        )
        .await?;
    state
        .store
        .audit(Some(&user.email), user.org.as_ref(), "login", "signed in")
        .await?;
    let dest = match (safe_next(Some(&f.next)), &user.org) {
        (n, _) if !n.is_empty() => n,
        (_, Some(org)) => format!("/org/{org}"),
        (_, None) => "/".to_string(),
    };
    let jar =
        jar.remove(Cookie::from(LOGIN_CSRF_COOKIE))
            .add(cookie(&state, SESSION_COOKIE, token));
    Ok((jar, Redirect::to(&dest)).into_response())
}

/// A valid argon2 hash of a random password, used to equalise timing.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password(&random_token()).unwrap_or_default())
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
    if let Some(t) = &viewer.session_token {
        state.store.delete_session(t).await?;
    }
    if let Some(u) = &viewer.user {
        state
            .store
            .audit(Some(&u.email), u.org.as_ref(), "logout", "signed out")
            .await?;
    }
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
pub async fn password_form(viewer: Viewer) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(Redirect::to("/login?next=/account/password").into_response());
    }
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
    let user = viewer.user()?.clone();
    let page = Page::new(
        &viewer,
        viewer_t(&viewer, "password-title"),
        "/account/password",
    );
    let error = if !verify_password(&f.current, &user.password_hash) {
        Some("password-wrong-current")
    } else if f.new != f.repeat {
        Some("password-mismatch")
    } else {
        check_new_password(&f.new).err()
    };
    if let Some(key) = error {
        let mut res = render(&PasswordTpl {
            error: Some(page.t(key)),
            page,
            done: false,
        })?;
        *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(res);
    }
    state
        .store
        .set_password_hash(user.id, &hash_password(&f.new)?)
        .await?;
    state
        .store
        .audit(
            Some(&user.email),
            user.org.as_ref(),
            "password_changed",
            "changed own password",
        )
        .await?;
    let token = random_token();
    let csrf = random_token();
    state
        .store
        .create_session(user.id, &token, &csrf, state.config.session_ttl_secs)
        .await?;
    let jar = jar.add(cookie(&state, SESSION_COOKIE, token));
    let mut page = page;
    page.csrf = csrf;
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
    let user = viewer.user()?;
    let tokens = state
        .store
        .api_tokens_of(user.id)
        .await?
        .into_iter()
        .map(|(id, name, created_at, last)| TokenRow {
            id,
            name,
            created_at,
            last_used: last.unwrap_or_else(|| "–".into()),
        })
        .collect();
    render(&TokensTpl {
        page: Page::new(viewer, viewer_t(viewer, "tokens-title"), "/account/tokens"),
        tokens,
        new_token,
    })
}

/// `GET /account/tokens`.
pub async fn tokens(State(state): State<AppState>, viewer: Viewer) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(Redirect::to("/login?next=/account/tokens").into_response());
    }
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
    let user = viewer.user()?;
    let name = f.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::unprocessable(viewer_t(
            &viewer,
            "tokens-name-required",
        )));
    }
    let token = format!("hyte_{}", random_token());
    state.store.create_api_token(user.id, &token, name).await?;
    state
        .store
        .audit(Some(&user.email), user.org.as_ref(), "token_created", name)
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
    let user = viewer.user()?;
    if !state.store.delete_api_token(user.id, id).await? {
        return Err(AppError::not_found("no such token"));
    }
    state
        .store
        .audit(
            Some(&user.email),
            user.org.as_ref(),
            "token_revoked",
            &id.to_string(),
        )
        .await?;
    Ok(Redirect::to("/account/tokens").into_response())
}
