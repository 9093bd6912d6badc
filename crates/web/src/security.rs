//! The edge of the web layer, as middleware around every route (wired in `lib.rs`):
//! security headers, no caching of personal answers, refusal of NUL characters and of
//! oversized bodies before any handler, and 403 answers in the log.

use crate::{AppError, AppState};
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Adds a strict Content-Security-Policy (no inline scripts or styles), no-sniff,
/// referrer and framing rules, and HSTS when served over TLS. Embeddable chart routes
/// (`/embed/...`) may be framed by other sites; nothing else may.
pub async fn headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let embeddable = req.uri().path().starts_with("/embed/");
    // A language chosen with ?lang= sticks for the following pages.
    let chosen_lang = req.uri().query().and_then(|q| {
        q.split('&')
            .filter_map(|kv| kv.strip_prefix("lang="))
            .find_map(crate::i18n::Lang::parse)
    });
    let tls = state.config.secure_cookies
        || req
            .headers()
            .get("x-forwarded-proto")
            .is_some_and(|v| v.as_bytes() == b"https");
    let lang = chosen_lang
        .or_else(|| {
            axum_extra::extract::CookieJar::from_headers(req.headers())
                .get(crate::auth::LANG_COOKIE)
                .and_then(|c| crate::i18n::Lang::parse(c.value()))
        })
        .or_else(|| {
            req.headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|h| h.to_str().ok())
                .and_then(crate::i18n::Lang::from_accept_language)
        })
        .unwrap_or(crate::i18n::Lang::Fi);
    let mut res = next.run(req).await;
    // A use case's refusal on a page: shown in the reader's language.
    if let Some(crate::error::Untranslated(r)) = res
        .extensions()
        .get::<crate::error::Untranslated>()
        .cloned()
    {
        let text = crate::i18n::Tr::new(lang).refusal(&r);
        res = crate::pages::error_page_in(res.status(), &text, lang);
    }
    let h = res.headers_mut();
    // Embeddable routes name no frame ancestors at all: `frame-ancestors *` would still
    // refuse pages that are not served over http(s), e.g. a saved local file.
    let frame = if embeddable {
        ""
    } else {
        "; frame-ancestors 'none'"
    };
    let csp = format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'{frame}"
    );
    if let Ok(v) = HeaderValue::from_str(&csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if !embeddable {
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    if let Some(lang) = chosen_lang {
        let cookie = format!(
            "{}={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly{}",
            crate::auth::LANG_COOKIE,
            lang.code(),
            if tls { "; Secure" } else { "" }
        );
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            h.append(header::SET_COOKIE, v);
        }
    }
    if tls {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    res
}

// ---------------------------------------------------------------------------------
// NUL characters and oversized bodies, refused at the edge

/// Where a request's body may be larger than [`crate::BODY_LIMIT`]: the routes that
/// take Sotkanet files (`lib.rs` gives them the same limit).
pub fn body_limit(path: &str) -> usize {
    if path == "/admin/imports" {
        crate::IMPORT_BODY_LIMIT
    } else {
        crate::BODY_LIMIT
    }
}

/// How a body's text is found, by its content type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyKind {
    /// `application/json`, `application/*+json`: strings after unescaping.
    Json,
    /// `application/x-www-form-urlencoded`: names and values after decoding.
    Form,
    /// `multipart/form-data`: text fields and file names (not the files' contents,
    /// which may be binary, e.g. an Excel file).
    Multipart,
    /// `text/*` or no content type: the raw bytes.
    Text,
}

fn body_kind(headers: &axum::http::HeaderMap) -> Option<BodyKind> {
    let Some(ct) = headers.get(header::CONTENT_TYPE) else {
        return Some(BodyKind::Text);
    };
    let ct = ct.to_str().ok()?;
    let mime = ct.split(';').next().unwrap_or_default().trim();
    let mime = mime.to_ascii_lowercase();
    if mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json")) {
        Some(BodyKind::Json)
    } else if mime == "application/x-www-form-urlencoded" {
        Some(BodyKind::Form)
    } else if mime == "multipart/form-data" {
        Some(BodyKind::Multipart)
    } else if mime.starts_with("text/") {
        Some(BodyKind::Text)
    } else {
        None
    }
}

/// Refuses a request that carries a NUL character (U+0000) in its query string or in
/// any text of its body: 422 naming the field. PostgreSQL cannot store NUL in text (it
/// answered 500) and SQLite stores it, after which a backup of that instance no longer
/// restores on PostgreSQL; no legitimate text contains it, so it is refused before any
/// handler sees it, on both backends alike.
///
/// Bodies of the content types handlers read (JSON, forms, multipart, text) are
/// buffered up to the route's limit ([`body_limit`]) and checked after decoding; a
/// larger body is answered 413 here, so that an oversized upload gets 413 rather than a
/// multipart parse error. Other bodies pass untouched.
pub async fn refuse_nul(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    if let Some(field) = req.uri().query().and_then(|q| nul_in_form(q.as_bytes())) {
        return refusal(AppError::nul_character(&field), api);
    }
    let Some(kind) = body_kind(req.headers()) else {
        return next.run(req).await;
    };
    let limit = body_limit(req.uri().path());
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return refusal(AppError::too_large(limit), api);
    }
    if declared == Some(0) {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let bytes = match read_limited(body, limit).await {
        Ok(b) => b,
        Err(Unread::TooLarge) => return refusal(AppError::too_large(limit), api),
        Err(Unread::Broken) => {
            return refusal(
                AppError::bad_request("the request body could not be read"),
                api,
            )
        }
    };
    let field = match kind {
        BodyKind::Json => nul_in_json(&bytes),
        BodyKind::Form => nul_in_form(&bytes),
        BodyKind::Text => bytes.contains(&0).then(|| "body".to_string()),
        BodyKind::Multipart => nul_in_multipart(&parts.headers, &bytes).await,
    };
    if let Some(field) = field {
        return refusal(AppError::nul_character(&field), api);
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

fn refusal(e: AppError, api: bool) -> Response {
    if api {
        e.as_json().into_response()
    } else {
        e.into_response()
    }
}

enum Unread {
    TooLarge,
    Broken,
}

/// The whole body, or `TooLarge` as soon as it passes `limit` bytes.
async fn read_limited(mut body: Body, limit: usize) -> Result<Bytes, Unread> {
    use axum::body::HttpBody;
    let mut buf: Vec<u8> = Vec::new();
    loop {
        let frame = std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx)).await;
        match frame {
            None => return Ok(Bytes::from(buf)),
            Some(Err(_)) => return Err(Unread::Broken),
            Some(Ok(frame)) => {
                // Trailers carry no text a handler reads.
                if let Ok(data) = frame.into_data() {
                    if buf.len() + data.len() > limit {
                        return Err(Unread::TooLarge);
                    }
                    buf.extend_from_slice(&data);
                }
            }
        }
    }
}

/// A field name as it can be shown: NUL characters in the name itself spelled out.
fn shown(name: &str) -> String {
    name.replace('\0', "\\u0000")
}

/// The first name (or value's name) of an urlencoded text that holds a NUL after
/// decoding (`%00`, or a raw NUL byte).
fn nul_in_form(text: &[u8]) -> Option<String> {
    // Cheap test first: almost every form has neither.
    if !text.contains(&0) && !text.windows(3).any(|w| w == b"%00") {
        return None;
    }
    for pair in text.split(|&b| b == b'&') {
        let (name, value) = match pair.iter().position(|&b| b == b'=') {
            Some(i) => (&pair[..i], &pair[i + 1..]),
            None => (pair, &pair[..0]),
        };
        let name = form_decode(name);
        if name.contains(&0) || form_decode(value).contains(&0) {
            return Some(shown(&String::from_utf8_lossy(&name)));
        }
    }
    None
}

/// `application/x-www-form-urlencoded` decoding: `+` is a space, `%XX` a byte.
fn form_decode(raw: &[u8]) -> Vec<u8> {
    fn hex(b: u8) -> Option<u8> {
        match b {
            b'0'..=b'9' => Some(b - b'0'),
            b'a'..=b'f' => Some(b - b'a' + 10),
            b'A'..=b'F' => Some(b - b'A' + 10),
            _ => None,
        }
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => out.push(b' '),
            b'%' => match (
                raw.get(i + 1).copied().and_then(hex),
                raw.get(i + 2).copied().and_then(hex),
            ) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    out
}

/// The JSON pointer (RFC 6901) of the first string, or object key, that holds a NUL
/// after unescaping (`\u0000`). A body that is not JSON is left to the handler (400).
fn nul_in_json(body: &[u8]) -> Option<String> {
    // A NUL can only be written as the escape `\u0000` (a raw one is invalid JSON).
    if !body.windows(6).any(|w| w == b"\\u0000") {
        return None;
    }
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    fn escape(token: &str) -> String {
        shown(&token.replace('~', "~0").replace('/', "~1"))
    }
    fn walk(v: &serde_json::Value, at: &str) -> Option<String> {
        match v {
            serde_json::Value::String(s) if s.contains('\0') => Some(if at.is_empty() {
                "/".into()
            } else {
                at.to_string()
            }),
            serde_json::Value::Array(items) => items
                .iter()
                .enumerate()
                .find_map(|(i, item)| walk(item, &format!("{at}/{i}"))),
            serde_json::Value::Object(map) => map.iter().find_map(|(k, item)| {
                let here = format!("{at}/{}", escape(k));
                if k.contains('\0') {
                    Some(here)
                } else {
                    walk(item, &here)
                }
            }),
            _ => None,
        }
    }
    walk(&value, "")
}

/// The name of the first multipart text field (or file name) that holds a NUL. The
/// contents of files are not text and are left to the importers. A body that is not
/// valid multipart is left to the handler.
async fn nul_in_multipart(headers: &axum::http::HeaderMap, body: &Bytes) -> Option<String> {
    // Text with a NUL has a zero byte somewhere in the body.
    if !body.contains(&0) {
        return None;
    }
    let mut req = Request::new(Body::from(body.clone()));
    if let Some(ct) = headers.get(header::CONTENT_TYPE) {
        req.headers_mut().insert(header::CONTENT_TYPE, ct.clone());
    }
    // The body was read within the route's limit already.
    axum::extract::DefaultBodyLimit::disable().apply(&mut req);
    let mut multipart = axum::extract::Multipart::from_request(req, &())
        .await
        .ok()?;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => return None,
            // A NUL in a part's headers (a file name) makes the part unreadable.
            Err(_) => return nul_in_part_headers(body),
        };
        let name = shown(field.name().unwrap_or_default());
        if let Some(file_name) = field.file_name() {
            if file_name.contains('\0') {
                return Some(format!("{name} (file name)"));
            }
            continue;
        }
        match field.bytes().await {
            Ok(text) if text.contains(&0) => return Some(name),
            Ok(_) => {}
            Err(_) => return None,
        }
    }
}

/// The field of the first `Content-Disposition` line of a multipart body that holds
/// a NUL (which the multipart parser refuses to read at all).
fn nul_in_part_headers(body: &[u8]) -> Option<String> {
    const HEADER: &[u8] = b"content-disposition:";
    let line = body.split(|&b| b == b'\n').find(|line| {
        line.len() > HEADER.len()
            && line[..HEADER.len()].eq_ignore_ascii_case(HEADER)
            && line.contains(&0)
    })?;
    let text = String::from_utf8_lossy(line);
    let name = text
        .split(';')
        .filter_map(|p| p.trim().strip_prefix("name="))
        .next()
        .map(|n| n.trim_matches('"').to_string())
        .unwrap_or_default();
    Some(format!("{} (file name)", shown(&name)))
}

// ---------------------------------------------------------------------------------
// No caching of answers that depend on a session or token

/// Paths whose answers carry a secret of their own even without a session: the
/// sign-in form (its double-submit token), invitation and password-reset links (the
/// secret is the path).
const PERSONAL_PREFIXES: &[&str] = &["/login", "/invite/", "/reset/", "/api/v1/invitations/"];

/// `Cache-Control: no-store` on every answer that depends on who asks: a request with
/// a session cookie or an `Authorization` header (signed-in pages, their error pages,
/// the API with a token or session), the pages of [`PERSONAL_PREFIXES`], and any answer
/// that sets the session or sign-in cookie. Without it a browser's back button, a
/// shared computer's disk cache or a proxy could show one user's page to another.
/// Answers a handler marked `public` (published reports, open data, static files: the
/// same bytes for everyone) keep their caching, unless they set one of those cookies.
pub async fn no_store(req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let personal = req.headers().contains_key(header::AUTHORIZATION)
        || has_cookie(req.headers(), crate::auth::SESSION_COOKIE)
        || PERSONAL_PREFIXES.iter().any(|p| path.starts_with(p));
    let mut res = next.run(req).await;
    let sets_secret = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|c| {
            [crate::auth::SESSION_COOKIE, crate::auth::LOGIN_CSRF_COOKIE]
                .iter()
                .any(|name| c.starts_with(&format!("{name}=")))
        });
    let public = res
        .headers()
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("public"));
    if sets_secret || (personal && !public) {
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

fn has_cookie(headers: &axum::http::HeaderMap, name: &str) -> bool {
    axum_extra::extract::CookieJar::from_headers(headers)
        .get(name)
        .is_some_and(|c| !c.value().is_empty())
}

// ---------------------------------------------------------------------------------
// 403 answers in the log, rate-limited

/// Remembers, per client address, when a 403 was last logged and how many were not
/// logged since, so that probing shows in the log without flooding it.
#[derive(Debug)]
pub struct ForbiddenLog {
    every: Duration,
    seen: Mutex<HashMap<IpAddr, (Instant, u64)>>,
}

/// Addresses remembered at most; older entries are forgotten first.
const FORBIDDEN_LOG_ADDRESSES: usize = 10_000;

impl ForbiddenLog {
    /// At most one line per address per `every`.
    pub fn new(every: Duration) -> ForbiddenLog {
        ForbiddenLog {
            every,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Notes a 403 to `addr` at `now`: `Some(n)` when it is to be logged, `n` being the
    /// 403 answers to that address not logged since its previous line.
    pub fn note(&self, addr: IpAddr, now: Instant) -> Option<u64> {
        let Ok(mut seen) = self.seen.lock() else {
            return Some(0);
        };
        if seen.len() >= FORBIDDEN_LOG_ADDRESSES && !seen.contains_key(&addr) {
            let every = self.every;
            seen.retain(|_, (at, _)| now.saturating_duration_since(*at) < every);
        }
        match seen.get_mut(&addr) {
            Some((at, skipped)) if now.saturating_duration_since(*at) < self.every => {
                *skipped += 1;
                None
            }
            Some((at, skipped)) => {
                let n = *skipped;
                *at = now;
                *skipped = 0;
                Some(n)
            }
            None => {
                seen.insert(addr, (now, 0));
                Some(0)
            }
        }
    }
}

impl Default for ForbiddenLog {
    fn default() -> Self {
        ForbiddenLog::new(Duration::from_secs(60))
    }
}

/// Logs 403 answers (a warning with the client's address, method and path; never the
/// query, which may hold secrets), at most one line per address per minute with the
/// number left out, so an administrator can see someone probing for other
/// organisations' work. The address is the client's as `client::ClientAddr` reads it
/// (behind a trusted proxy, from `X-Forwarded-For`), so that probing from behind the
/// proxy is told apart from everyone else's mistakes.
pub async fn log_forbidden(
    State((state, log)): State<(AppState, Arc<ForbiddenLog>)>,
    req: Request,
    next: Next,
) -> Response {
    let peer = req
        .extensions()
        .get::<axum::extract::ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::from([127, 0, 0, 1]), |c| c.0.ip());
    let client = state.config.trusted_proxies.client(peer, req.headers());
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let res = next.run(req).await;
    if res.status() == StatusCode::FORBIDDEN {
        if let Some(skipped) = log.note(client, Instant::now()) {
            tracing::warn!(
                target: "hyte::forbidden",
                address = %client,
                peer = %peer,
                "403 forbidden: {method} {path} from {client} ({skipped} more 403 answers to this address since its previous line)"
            );
        }
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_is_found_after_decoding_and_named() {
        assert_eq!(nul_in_form(b"a=1&title=x%00y"), Some("title".into()));
        assert_eq!(nul_in_form(b"ti%00tle=x"), Some("ti\\u0000tle".into()));
        assert_eq!(nul_in_form(b"a=100%25&b=%2500"), None);
        assert_eq!(nul_in_form(b"a=1+2&b=%41"), None);
        assert_eq!(
            nul_in_json(br#"{"a":"ok","items":[{"t":"x"},{"t":"y\u0000"}]}"#),
            Some("/items/1/t".into())
        );
        assert_eq!(
            nul_in_json(br#"{"a/b\u0000":1}"#),
            Some("/a~1b\\u0000".into())
        );
        assert_eq!(nul_in_json(br#""\u0000""#), Some("/".into()));
        // An escaped backslash followed by `u0000` is not a NUL.
        assert_eq!(nul_in_json(br#"{"a":"\\u0000"}"#), None);
        assert_eq!(
            nul_in_json(br#"{"a":"\u0000"#),
            None,
            "not JSON: the handler's 400"
        );
    }

    #[test]
    fn forbidden_answers_are_logged_once_a_minute_per_address_with_a_count() {
        let log = ForbiddenLog::new(Duration::from_secs(60));
        let a = IpAddr::from([10, 0, 0, 1]);
        let b = IpAddr::from([10, 0, 0, 2]);
        let t0 = Instant::now();
        assert_eq!(log.note(a, t0), Some(0));
        assert_eq!(log.note(b, t0), Some(0), "another address has its own line");
        for s in 1..=4 {
            assert_eq!(log.note(a, t0 + Duration::from_secs(s)), None);
        }
        assert_eq!(log.note(a, t0 + Duration::from_secs(61)), Some(4));
        assert_eq!(log.note(a, t0 + Duration::from_secs(62)), None);
    }
}
