//! Hostile input on SQLite and PostgreSQL: script tags, SQL meta-characters, path
//! traversal, oversized bodies, malformed, unknown and foreign organisation and
//! object ids, sent to every API route of the OpenAPI document (so routes documented
//! later are covered without changes here) and to the HTML forms. Every answer is a
//! clear 4xx (never 5xx), no page reflects a script unescaped, and nothing in the
//! database changed.

#[macro_use]
mod common;

use common::{store_report, TestApp};
use hyte_app::model::reports::NewReport;
use hyte_domain::report::ReportKind;
use hyte_domain::Role;
use reqwest::{Method, StatusCode};
use std::collections::BTreeMap;

const SCRIPT: &str = "<script>alert(1)</script>";

/// Values for path parameters: foreign, unknown, malformed and hostile.
const HOSTILE_IDS: &[&str] = &[
    "KUNTA:398",
    "KUNTA:999",
    "999999",
    "-1",
    "9223372036854775808",
    "1 OR 1=1",
    "1'; DROP TABLE report; --",
    "..%2F..%2Fetc%2Fpasswd",
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "%00",
    "sotkanet:1%27%22",
];

/// Tables whose rows change on any authenticated request (last use, sessions,
/// login attempts) and so are left out of the before/after comparison.
const VOLATILE: &[&str] = &["api_token", "user_session", "login_attempt"];

async fn fingerprint(app: &TestApp) -> BTreeMap<String, String> {
    let mut f = app.store.fingerprint().await.unwrap();
    f.retain(|t, _| !VOLATILE.contains(&t.as_str()));
    f
}

/// Asikkala's report (with a section) and Lahti's report; returns the ids.
async fn reports(app: &TestApp) -> (i64, i64, i64) {
    let mut ids = Vec::new();
    for org in ["KUNTA:016", "KUNTA:398"] {
        let r = store_report(
            &app.store,
            &NewReport {
                org: org.parse().unwrap(),
                partners: vec![],
                kind: ReportKind::TermReport,
                title: "Hyvinvointikertomus 2025–2029".into(),
                term_start: 2025,
                term_end: 2029,
                year: None,
                languages: vec!["fi".into()],
                created_by: "setup@example.fi".into(),
            },
            &[],
        )
        .await;
        let mut tx = app.store.begin().await.unwrap();
        let s = tx
            .add_section(r.id, "Väestö", &[], None, "setup@example.fi")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        ids.push((r.id, s));
    }
    (ids[0].0, ids[0].1, ids[1].0)
}

fn check(method: &Method, path: &str, status: StatusCode, ct: &str, body: &str, write: bool) {
    assert!(
        !status.is_server_error(),
        "{method} {path} answered {status}: {body}"
    );
    if write {
        assert!(
            status.is_client_error(),
            "{method} {path} answered {status}, expected 4xx: {body}"
        );
    }
    if ct.starts_with("text/html") {
        assert!(
            !body.contains(SCRIPT),
            "{method} {path} reflects a script unescaped"
        );
    }
    for leak in [
        "sqlx",
        "panicked",
        "syntax error",
        "SQLITE_",
        "/etc/passwd:",
    ] {
        assert!(
            !body.contains(leak),
            "{method} {path} leaks '{leak}': {body}"
        );
    }
}

/// Hostile JSON bodies for API writes.
fn bodies() -> Vec<(&'static str, String)> {
    vec![
        ("application/json", "{".into()),
        ("application/json", "[]".into()),
        ("application/json", "null".into()),
        (
            "application/json",
            serde_json::json!({
                "title": SCRIPT, "heading": SCRIPT, "body": SCRIPT, "text": SCRIPT,
                "base_revision": "1 OR 1=1", "kind": "'; DROP TABLE report; --",
                "term_start": 2025, "term_end": 2029, "state": SCRIPT, "status": SCRIPT,
            })
            .to_string(),
        ),
        ("text/plain", SCRIPT.into()),
        (
            "application/json",
            format!("\"{}\"", "a".repeat(5 * 1024 * 1024)),
        ),
    ]
}

both!(
    hostile_input_to_every_api_route,
    |app: TestApp| async move {
        let (own, own_section, foreign) = reports(&app).await;
        let user = app.user("KUNTA:016", Role::Coordinator).await;
        let token = app.api_token(&user).await;
        let before = fingerprint(&app).await;
        let doc = hyte_web::api::openapi_document().unwrap();
        let paths = doc["paths"].as_object().unwrap();
        assert!(paths.len() >= 10, "the OpenAPI document lists the routes");
        let client = reqwest::Client::new();
        let mut requests = 0;
        for (template, ops) in paths {
            let params: Vec<String> = template
                .split('/')
                .filter(|s| s.starts_with('{'))
                .map(|s| s.trim_matches(|c| c == '{' || c == '}').to_string())
                .collect();
            for (method, _) in ops.as_object().unwrap() {
                let Ok(method) = method.to_uppercase().parse::<Method>() else {
                    continue;
                };
                let write = method != Method::GET && method != Method::HEAD;
                // Each parameter in turn gets each hostile value; the others are valid
                // (own report, own section) or, for the organisation, foreign.
                let mut paths_to_try = Vec::new();
                if params.is_empty() {
                    paths_to_try.push(template.clone());
                }
                for p in &params {
                    for bad in HOSTILE_IDS {
                        let mut path = template.clone();
                        for q in &params {
                            let v = if q == p {
                                bad.to_string()
                            } else {
                                match q.as_str() {
                                    "org" => "KUNTA:016".to_string(),
                                    "id" if template.starts_with("/reports") => own.to_string(),
                                    "sid" => own_section.to_string(),
                                    _ => "1".to_string(),
                                }
                            };
                            path = path.replace(&format!("{{{q}}}"), &v);
                        }
                        paths_to_try.push(path);
                    }
                }
                // The foreign report with otherwise valid ids.
                if template.starts_with("/reports/{id}") {
                    paths_to_try.push(
                        template
                            .replace("{id}", &foreign.to_string())
                            .replace("{sid}", &own_section.to_string())
                            .replace("{item_key}", "sotkanet:5")
                            .replace("{oid}", "1")
                            .replace("{cid}", "1"),
                    );
                }
                for path in paths_to_try {
                    let url = app.url(&format!("/api/v1{path}?q={}", urlencode(SCRIPT)));
                    let sends: Vec<Option<(&str, String)>> = if write {
                        bodies().into_iter().map(Some).collect()
                    } else {
                        vec![None]
                    };
                    for body in sends {
                        let mut rq = client.request(method.clone(), &url).bearer_auth(&token);
                        if let Some((ct, b)) = body {
                            rq = rq.header("content-type", ct).body(b);
                        }
                        let r = rq.send().await.unwrap();
                        let status = r.status();
                        let ct = header(&r, "content-type");
                        let text = r.text().await.unwrap_or_default();
                        check(&method, &path, status, &ct, &text, write);
                        if status.is_client_error() {
                            assert!(ct.starts_with("application/json"), "{method} {path}: {ct}");
                        }
                        requests += 1;
                    }
                }
            }
        }
        // Valid ids with malformed bodies: 4xx, nothing saved.
        let url = app.url(&format!(
            "/api/v1/reports/{own}/sections/{own_section}/text"
        ));
        for (ct, b) in bodies() {
            let r = client
                .put(&url)
                .bearer_auth(&token)
                .header("content-type", ct)
                .body(if b.contains("DROP") {
                    "{\"base_revision\":\"x\"}".to_string()
                } else {
                    b
                })
                .send()
                .await
                .unwrap();
            let status = r.status();
            let text = r.text().await.unwrap_or_default();
            check(&Method::PUT, "/sections/text", status, "", &text, true);
        }
        let big = "a".repeat(hyte_web::BODY_LIMIT + 1);
        let r = client
            .put(&url)
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(big)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert!(requests > 100, "{requests} requests");
        assert_eq!(
            fingerprint(&app).await,
            before,
            "hostile API requests changed data"
        );
    }
);

fn header(r: &reqwest::Response, name: &str) -> String {
    r.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// HTML forms (POST routes); `{id}` is a report, `{sid}` a section, `{oid}` an
/// observation, `{cid}` a comment.
const FORMS: &[&str] = &[
    "/login",
    "/account/password",
    "/account/tokens",
    "/account/tokens/{x}/delete",
    "/admin/indicators/{x}",
    "/admin/imports",
    "/org/{org}/reports",
    "/reports/{id}/agree",
    "/reports/{id}/sections",
    "/reports/{id}/sections/{sid}",
    "/reports/{id}/sections/{sid}/meta",
    "/reports/{id}/sections/{sid}/move",
    "/reports/{id}/sections/{sid}/remove",
    "/reports/{id}/sections/{sid}/status",
    "/reports/{id}/sections/{sid}/assignees",
    "/reports/{id}/sections/{sid}/restore",
    "/reports/{id}/sections/{sid}/comments",
    "/reports/{id}/sections/{sid}/comments/{x}/resolve",
    "/reports/{id}/sections/{sid}/comments/{x}/reopen",
    "/reports/{id}/indicators/seed",
    "/reports/{id}/indicators/select",
    "/reports/{id}/indicators/add",
    "/reports/{id}/self-assessments",
    "/reports/{id}/observations",
    "/reports/{id}/observations/propose",
    "/reports/{id}/observations/{x}/status",
    "/logout",
];

both!(hostile_input_to_every_form, |app: TestApp| async move {
    let (own, own_section, foreign) = reports(&app).await;
    let (_, client) = app.signed_in("KUNTA:016", Role::Coordinator).await;
    let csrf = app.csrf(&client, "/account/tokens").await;
    let before = fingerprint(&app).await;
    let hostile_form: Vec<(&str, &str)> = vec![
        ("title", SCRIPT),
        ("heading", SCRIPT),
        ("body", SCRIPT),
        ("email", "x' OR '1'='1"),
        ("password", "' OR 1=1 --"),
        ("name", SCRIPT),
        ("base_revision", "1 OR 1=1"),
        ("next", "//evil.example/"),
    ];
    for form in FORMS {
        let mut paths = Vec::new();
        for bad in HOSTILE_IDS {
            paths.push(
                form.replace("{org}", bad)
                    .replace("{id}", bad)
                    .replace("{sid}", bad)
                    .replace("{x}", bad),
            );
        }
        // The foreign report and a section of another report.
        paths.push(
            form.replace("{org}", "KUNTA:398")
                .replace("{id}", &foreign.to_string())
                .replace("{sid}", &own_section.to_string())
                .replace("{x}", "1"),
        );
        for path in paths {
            // With a valid CSRF token (the ids are what is hostile), without one, and
            // with an oversized body.
            for variant in 0..3 {
                // A form without ids with a valid token would be a legitimate request.
                if variant == 0 && !form.contains('{') {
                    continue;
                }
                let mut fields = hostile_form.clone();
                if variant == 0 {
                    fields.push(("csrf", &csrf));
                }
                let rq = client.post(app.url(&path));
                let rq = if variant == 2 {
                    rq.header("content-type", "application/x-www-form-urlencoded")
                        .body(format!(
                            "csrf={csrf}&body={}",
                            "a".repeat(hyte_web::BODY_LIMIT)
                        ))
                } else {
                    rq.form(&fields)
                };
                let r = rq.send().await.unwrap();
                let status = r.status();
                let ct = header(&r, "content-type");
                let text = r.text().await.unwrap_or_default();
                check(&Method::POST, &path, status, &ct, &text, true);
            }
        }
    }
    // Valid report, valid CSRF, missing or malformed fields: 4xx.
    for path in [
        format!("/reports/{own}/sections/{own_section}"),
        format!("/reports/{own}/sections"),
        format!("/reports/{own}/sections/{own_section}/comments"),
    ] {
        let r = client
            .post(app.url(&path))
            .form(&[("csrf", csrf.as_str()), ("base_revision", "x' OR 1=1")])
            .send()
            .await
            .unwrap();
        let status = r.status();
        let text = r.text().await.unwrap_or_default();
        check(&Method::POST, &path, status, "", &text, true);
    }
    // Path traversal on static files and pages (signed in, so no redirect to the login).
    for path in [
        "/static/..%2F..%2FCargo.toml",
        "/static/%2e%2e/%2e%2e/etc/passwd",
        "/static/../../etc/passwd",
        "/org/..%2F..%2Fetc%2Fpasswd",
        "/org/KUNTA:016/indicators/..%2F..%2F1",
        "/reports/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    ] {
        let r = client.get(app.url(path)).send().await.unwrap();
        let status = r.status();
        let ct = header(&r, "content-type");
        let text = r.text().await.unwrap_or_default();
        check(&Method::GET, path, status, &ct, &text, true);
        assert!(
            !text.contains("[package]") && !text.contains("root:x:"),
            "{path}"
        );
    }
    assert_eq!(
        fingerprint(&app).await,
        before,
        "hostile form posts changed data"
    );
});
