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
