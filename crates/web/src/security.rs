//! Security headers on every response.

use crate::AppState;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

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
    let mut res = next.run(req).await;
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
