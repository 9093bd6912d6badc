//! Security headers and no inline code on pages.

use crate::common::*;
use hyte_domain::Role;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;

fn header<'a>(h: &'a HeaderMap, name: &str) -> &'a str {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("missing header {name}"))
}

fn assert_strict(h: &HeaderMap, what: &str) {
    let csp = header(h, "content-security-policy");
    assert!(!csp.contains("unsafe-inline"), "{what}: {csp}");
    assert!(!csp.contains("unsafe-eval"), "{what}: {csp}");
    assert!(csp.contains("script-src 'self'"), "{what}: {csp}");
    assert!(csp.contains("default-src 'none'"), "{what}: {csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
    assert_eq!(header(h, "x-content-type-options"), "nosniff", "{what}");
    assert_eq!(header(h, "x-frame-options"), "DENY", "{what}");
    assert!(
        h.get("strict-transport-security").is_none(),
        "{what}: no HSTS over plain HTTP"
    );
}

both!(
    security_headers_on_every_kind_of_answer,
    |app: TestApp| async move {
        let (_user, client) = app.signed_in("KUNTA:016", Role::Coordinator).await;
        for path in [
            "/",
            "/login",
            "/org/KUNTA:016",
            "/org/KUNTA:398",
            "/no/such/page",
        ] {
            let res = app.get_with(&client, path).await;
            assert_strict(res.headers(), path);
        }
        for path in [
            "/api/v1/organisations",
            "/api/v1/regions?category=BAD",
            "/healthz",
        ] {
            let res = app.get(path).await;
            assert_strict(res.headers(), path);
        }
        // Behind a TLS-terminating proxy, HSTS is sent.
        let res = plain_client()
            .get(app.url("/login"))
            .header("x-forwarded-proto", "https")
            .send()
            .await
            .unwrap();
        assert!(header(res.headers(), "strict-transport-security").contains("max-age="));
    }
);

both!(
    pages_have_no_inline_scripts_or_styles,
    |app: TestApp| async move {
        let (_user, client) = app.signed_in("KUNTA:016", Role::Coordinator).await;
        for path in [
            "/",
            "/login",
            "/org/KUNTA:016",
            "/org/KUNTA:016/audit",
            "/account/tokens",
            "/account/password",
        ] {
            let (status, html) = app.get_text(&client, path).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            let lower = html.to_ascii_lowercase();
            for (i, _) in lower.match_indices("<script") {
                let tag = &lower[i..i + lower[i..].find('>').unwrap()];
                assert!(tag.contains(" src="), "{path}: inline script {tag}");
            }
            assert!(!lower.contains("<style"), "{path}: inline <style>");
            assert!(!lower.contains(" style=\""), "{path}: style attribute");
            assert!(!lower.contains(" onclick="), "{path}: inline handler");
            assert!(!lower.contains("javascript:"), "{path}: javascript: URL");
            // Assets are served locally (works offline, no CDN).
            assert!(!lower.contains("src=\"http"), "{path}: external script");
            for (i, _) in lower.match_indices("<link") {
                let tag = &lower[i..i + lower[i..].find('>').unwrap()];
                assert!(
                    !tag.contains("href=\"http"),
                    "{path}: external resource {tag}"
                );
            }
        }
        for asset in ["/static/app.css", "/static/app.js"] {
            let res = app.get(asset).await;
            assert_eq!(res.status(), StatusCode::OK, "{asset}");
            assert_eq!(header(res.headers(), "x-content-type-options"), "nosniff");
        }
    }
);
