//! Who is asking, and what they may do.
//!
//! A request is made by a signed-in browser (session cookie, CSRF token in every
//! form), by an API client (`Authorization: Bearer TOKEN`, same permissions as its
//! user), or by the anonymous public.

use crate::i18n::Lang;
use crate::{AppError, AppResult, AppState};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum_extra::extract::CookieJar;
use hyte_app::model::orgs::Region;
use hyte_app::model::users::User;
use hyte_domain::{RegionKey, Role};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "hyte_session";
/// Name of the language cookie.
pub const LANG_COOKIE: &str = "hyte_lang";
/// Name of the pre-login CSRF cookie (double-submit for the login form).
pub const LOGIN_CSRF_COOKIE: &str = "hyte_login_csrf";
/// Header carrying the session's CSRF token on state-changing API requests that are
/// authenticated by the session cookie (`docs/API.md`).
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Hashes a password with argon2id and a random salt (the application layer's
/// `accounts::hash_password`, for the web's own callers and tests).
pub fn hash_password(password: &str) -> AppResult<String> {
    Ok(hyte_app::accounts::hash_password(password)?)
}

/// Checks a password against a stored hash.
pub fn verify_password(password: &str, hash: &str) -> bool {
    hyte_app::accounts::verify_password(password, hash)
}

/// A random 256-bit token, hex.
pub fn random_token() -> String {
    hyte_app::accounts::random_token()
}

/// The caller of a request.
#[derive(Debug, Clone)]
pub struct Viewer {
    /// The user, if signed in or authenticated by token.
    pub user: Option<User>,
    /// The session's CSRF token (browser sessions only).
    pub csrf: Option<String>,
    /// The raw session token, for sign-out.
    pub session_token: Option<String>,
    /// Whether the user came with an API token.
    pub via_token: bool,
    /// The UI language of this request.
    pub lang: Lang,
}

impl Viewer {
    /// The signed-in user, or 401.
    pub fn user(&self) -> AppResult<&User> {
        self.user.as_ref().ok_or_else(AppError::unauthorized)
    }

    /// Checks the CSRF token of a form post from a browser session. Token-authenticated
    /// API calls carry no cookies, so they cannot be forged cross-site.
    pub fn check_csrf(&self, submitted: &str) -> AppResult<()> {
        if self.via_token {
            return Ok(());
        }
        match &self.csrf {
            Some(t) if constant_time_eq(t.as_bytes(), submitted.as_bytes()) => Ok(()),
            _ => Err(AppError::forbidden(
                "the form has expired or did not come from this site; reload the page and try again",
            )),
        }
    }

    /// Whether the caller is a system admin.
    pub fn is_admin(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.role == Role::Admin)
    }
}

/// Compares secrets without leaking their length of common prefix through timing.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Self> {
        let jar = CookieJar::from_headers(&parts.headers);
        let mut viewer = Viewer {
            user: None,
            csrf: None,
            session_token: None,
            via_token: false,
            lang: Lang::Fi,
        };
        // Under `nest("/api/v1", ..)` the request's URI has lost its prefix; the
        // original URI tells whether this is an API request.
        let is_api = parts
            .extensions
            .get::<axum::extract::OriginalUri>()
            .map_or(parts.uri.path(), |u| u.0.path())
            .starts_with("/api/");
        if let Some(h) = parts.headers.get(axum::http::header::AUTHORIZATION) {
            let bearer = h
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::trim)
                .filter(|t| !t.is_empty());
            let Some(token) = bearer else {
                return Err(AppError::unauthorized().as_json());
            };
            match state.app.user_by_api_token(token).await {
                Ok(Some(u)) => {
                    viewer.user = Some(u);
                    viewer.via_token = true;
                }
                Ok(None) => {
                    return Err(AppError {
                        status: axum::http::StatusCode::UNAUTHORIZED,
                        message: "the API token is not valid".into(),
                        json: true,
                        code: "invalid_request",
                        refusal: None,
                    })
                }
                Err(e) => return Err(AppError::from(e).as_json()),
            }
        } else if let Some(c) = jar.get(SESSION_COOKIE) {
            match state.app.session(c.value()).await {
                Ok(Some(s)) => {
                    // The browser sends the cookie with any request, also one another
                    // site makes it send (a form posted cross-site, SameSite=Lax is
                    // not enough for top-level POSTs in every browser): a change made
                    // through the API by cookie must prove it came from Hyte's own pages.
                    if is_api && !parts.method.is_safe() {
                        check_csrf_header(&parts.headers, &s.csrf_token)?;
                    }
                    viewer.user = Some(s.user);
                    viewer.csrf = Some(s.csrf_token);
                    viewer.session_token = Some(c.value().to_string());
                }
                Ok(None) => {}
                Err(e) => {
                    let err = AppError::from(e);
                    return Err(if is_api { err.as_json() } else { err });
                }
            }
        }
        let query_lang = parts.uri.query().and_then(|q| {
            q.split('&')
                .filter_map(|kv| kv.strip_prefix("lang="))
                .find_map(Lang::parse)
        });
        viewer.lang = query_lang
            .or_else(|| jar.get(LANG_COOKIE).and_then(|c| Lang::parse(c.value())))
            .or_else(|| {
                viewer
                    .user
                    .as_ref()
                    .and_then(|u| u.locale.as_deref())
                    .and_then(Lang::parse)
            })
            .or_else(|| {
                parts
                    .headers
                    .get(axum::http::header::ACCEPT_LANGUAGE)
                    .and_then(|h| h.to_str().ok())
                    .and_then(Lang::from_accept_language)
            })
            .unwrap_or(Lang::Fi);
        Ok(viewer)
    }
}

/// A state-changing API request authenticated by the session cookie must carry the
/// session's CSRF token in [`CSRF_HEADER`] (a cross-site form or `fetch` cannot set
/// it); 403 JSON otherwise. Bearer-token requests carry no cookie and are not checked.
fn check_csrf_header(headers: &axum::http::HeaderMap, token: &str) -> AppResult<()> {
    let sent = headers.get(CSRF_HEADER).map(|v| v.as_bytes());
    match sent {
        Some(sent) if constant_time_eq(sent, token.as_bytes()) => Ok(()),
        sent => Err(AppError {
            status: axum::http::StatusCode::FORBIDDEN,
            message: if sent.is_none() {
                "a change through the API with the session cookie needs the session's CSRF token in the X-CSRF-Token header (or use an API token)".into()
            } else {
                "the X-CSRF-Token header does not match this session's CSRF token; reload the page and try again".into()
            },
            json: true,
            code: "csrf_token_invalid",
            refusal: None,
        }),
    }
}

/// What a user may do with an organisation's non-public work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Nothing.
    None,
    /// Read (own organisation, or a welfare region reading its member municipalities).
    Read,
    /// Act with the user's role in their own organisation.
    Member(Role),
}

/// The access a user has to an organisation: the application layer's one rule
/// (`hyte_app::access::org_access`), in the shape the pages match on.
pub fn access(user: &User, org: &Region) -> Access {
    match hyte_app::access::org_access(user, org) {
        Some(hyte_app::Access::Member(r)) => Access::Member(r),
        Some(hyte_app::Access::Read) => Access::Read,
        None => Access::None,
    }
}

/// The acting user of a request, for the application layer's use cases.
pub fn actor(viewer: &Viewer) -> AppResult<hyte_app::Actor> {
    Ok(hyte_app::Actor::new(viewer.user()?.clone()))
}

/// Loads an organisation by its id in a path and checks that the viewer may read its
/// non-public work: 400 for a malformed id, 404 for an unknown one, 401 if not
/// signed in, 403 for another organisation.
pub async fn readable_org(state: &AppState, viewer: &Viewer, org: &str) -> AppResult<Region> {
    let region = public_org(state, org).await?;
    let user = viewer.user()?;
    if access(user, &region) == Access::None {
        return Err(AppError::forbidden(format!(
            "you do not have access to {}'s work",
            region.name(viewer.lang.code())
        )));
    }
    Ok(region)
}

/// Loads an organisation by its id in a path, for public pages.
pub async fn public_org(state: &AppState, org: &str) -> AppResult<Region> {
    let key: RegionKey = org
        .parse()
        .map_err(|e: hyte_domain::RegionKeyError| AppError::bad_request(e.to_string()))?;
    let region = state
        .app
        .region(&key)
        .await?
        .ok_or_else(|| AppError::not_found(format!("no organisation {key}")))?;
    if !key.category().is_organisation() {
        return Err(AppError::not_found(format!("{key} is not an organisation")));
    }
    Ok(region)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
        assert_ne!(random_token(), random_token());
    }
}
