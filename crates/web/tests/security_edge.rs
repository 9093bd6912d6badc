//! The edge of the web layer under attack, on SQLite and PostgreSQL (issue #14):
//! NUL characters (item 4), cross-site changes through the API with the session
//! cookie (item 6), caching of personal answers (item 7), oversized uploads, `/healthz`
//! with a database that does not answer, and 403 answers in the log (item 12). Each
//! test performs the attack and checks that it now fails and changes nothing.

#[macro_use]
mod common;

use common::{json, store_report, TestApp, ASIKKALA, LAHTI};
use hyte_app::model::reports::NewReport;
use hyte_domain::report::ReportKind;
use hyte_domain::Role;
use reqwest::header::{CACHE_CONTROL, CONTENT_TYPE};
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Tables whose rows change on any authenticated request (last use, sessions, login
/// attempts), left out of the before/after comparisons.
const VOLATILE: &[&str] = &["api_token", "user_session", "login_attempt"];

async fn fingerprint(app: &TestApp) -> BTreeMap<String, String> {
    let mut f = app.store.fingerprint().await.expect("fingerprint");
    f.retain(|t, _| !VOLATILE.contains(&t.as_str()));
    f
}

/// Asikkala's report with one section; (report id, section id).
async fn report(app: &TestApp) -> (i64, i64) {
    let r = store_report(
        &app.store,
        &NewReport {
            org: ASIKKALA.parse().unwrap(),
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
    let mut tx = app.store.begin().await.expect("begin");
    let s = tx
        .add_section(r.id, "Väestö", &[], None, "setup@example.fi")
        .await
        .expect("section");
    tx.commit().await.expect("commit");
    (r.id, s)
}

fn header(res: &reqwest::Response, name: reqwest::header::HeaderName) -> String {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// A JSON error with this status and code; its message.
async fn json_refusal(res: reqwest::Response, status: StatusCode, code: &str) -> String {
    let url = res.url().to_string();
    assert_eq!(res.status(), status, "{url}");
    let v = json(res).await;
    assert_eq!(v["error"]["status"], status.as_u16(), "{url}: {v}");
    assert_eq!(v["error"]["code"], code, "{url}: {v}");
    v["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

// ---------------------------------------------------------------------------------
// Item 4: NUL characters

both!(
    nul_characters_are_refused_naming_the_field,
    |app: TestApp| async move {
        let (r, s) = report(&app).await;
        let (user, client) = app.signed_in(ASIKKALA, Role::Coordinator).await;
        let token = app.api_token(&user).await;
        let csrf = app.csrf(&client, "/account/tokens").await;
        let before = fingerprint(&app).await;

        // A page form: a translated page naming the field.
        let res = app
            .post_form(
                &client,
                &format!("/reports/{r}/sections"),
                &[
                    ("csrf", &csrf),
                    ("heading", "Liikenne\0"),
                    ("areas", "determinants"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(header(&res, CONTENT_TYPE).starts_with("text/html"));
        let html = res.text().await.unwrap();
        assert!(
            html.contains("Kentässä heading on NUL-merkki (U+0000)"),
            "{html}"
        );
        // In the reader's language.
        let res = client
            .post(app.url(&format!("/reports/{r}/sections/{s}")))
            .header("accept-language", "sv")
            .form(&[
                ("csrf", csrf.as_str()),
                ("base_revision", "0"),
                ("body", "a\0b"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = res.text().await.unwrap();
        assert!(
            html.contains("Fältet body innehåller ett NUL-tecken"),
            "{html}"
        );
        // The sign-in form (answered 500 on PostgreSQL before).
        let res = app
            .post_form(
                &common::new_client(),
                "/login",
                &[
                    ("email", "a\0@example.fi"),
                    ("password", "x"),
                    ("login_csrf", "x"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

        // The API: JSON with the field's JSON pointer, also nested.
        for (method, path, body, field) in [
            (
                Method::POST,
                format!("/api/v1/reports/{r}/sections"),
                json!({"heading": "Liikenne\u{0}", "areas": ["determinants"]}),
                "/heading",
            ),
            (
                Method::PUT,
                format!("/api/v1/reports/{r}/sections/{s}/text"),
                json!({"base_revision": 1, "body": "Teksti \u{0} tässä"}),
                "/body",
            ),
            (
                Method::POST,
                format!("/api/v1/reports/{r}/sections"),
                json!({"heading": "Liikenne", "areas": ["determinants", "x\u{0}"]}),
                "/areas/1",
            ),
            (
                Method::POST,
                format!("/api/v1/reports/{r}/comments"),
                json!({"section_id": s, "body": "ok", "x\u{0}": 1}),
                "/x\\u0000",
            ),
        ] {
            let res = common::api(&app, &token, method, &path, Some(body)).await;
            let msg =
                json_refusal(res, StatusCode::UNPROCESSABLE_ENTITY, "err-nul-character").await;
            assert!(msg.starts_with(field), "{path}: {msg}");
        }
        // Also through the cookie (with its CSRF header) and a form content type.
        let res = client
            .post(app.url(&format!("/api/v1/reports/{r}/comments")))
            .header("x-csrf-token", &csrf)
            .json(&json!({"section_id": s, "body": "\u{0}"}))
            .send()
            .await
            .unwrap();
        json_refusal(res, StatusCode::UNPROCESSABLE_ENTITY, "err-nul-character").await;
        // A CSV body (TEAviisari scores).
        let res = common::plain_client()
            .post(app.url(&format!(
                "/api/v1/organisations/{ASIKKALA}/teaviisari/import"
            )))
            .bearer_auth(&token)
            .header(CONTENT_TYPE, "text/csv")
            .body("year,sector,perspective,score\n2025,kuntajohto\0,sitoutuminen,80\n")
            .send()
            .await
            .unwrap();
        let msg = json_refusal(res, StatusCode::UNPROCESSABLE_ENTITY, "err-nul-character").await;
        assert!(msg.starts_with("body"), "{msg}");
        // Query strings, on the API and on pages.
        let res = app
            .get_bearer(&token, "/api/v1/regions?category=KUNTA%00")
            .await;
        let msg = json_refusal(res, StatusCode::UNPROCESSABLE_ENTITY, "err-nul-character").await;
        assert!(msg.starts_with("category"), "{msg}");
        let res = app.get_with(&client, "/indicators?q=a%00b").await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res
            .text()
            .await
            .unwrap()
            .contains("Kentässä q on NUL-merkki"));
        // A multipart form: its text fields are checked, and the file's name.
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf.clone())
            .text("note", "x\0y")
            .part(
                "file",
                reqwest::multipart::Part::bytes(
                    b"year,sector,perspective,score\n2025,kuntajohto,sitoutuminen,80\n".to_vec(),
                )
                .file_name("scores.csv"),
            );
        let res = client
            .post(app.url(&format!("/org/{ASIKKALA}/hyte-coefficient/import")))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res
            .text()
            .await
            .unwrap()
            .contains("Kentässä note on NUL-merkki"));
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf.clone())
            .part(
                "file",
                reqwest::multipart::Part::bytes(
                    b"year,sector,perspective,score\n2025,kuntajohto,sitoutuminen,80\n".to_vec(),
                )
                .file_name("scores\0.csv"),
            );
        let res = client
            .post(app.url(&format!("/org/{ASIKKALA}/hyte-coefficient/import")))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

        assert_eq!(
            fingerprint(&app).await,
            before,
            "a NUL request changed data"
        );

        // Text without NUL still works, and "%2500" (a literal "%00") is no NUL.
        let res = app
            .post_form(
                &client,
                &format!("/reports/{r}/sections"),
                &[
                    ("csrf", &csrf),
                    ("heading", "Kasvu %00 prosenttia"),
                    ("areas", "determinants"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let res = common::api(
            &app,
            &token,
            Method::POST,
            &format!("/api/v1/reports/{r}/sections"),
            Some(json!({"heading": "Polku \\u0000 kirjaimin", "areas": ["determinants"]})),
        )
        .await;
        assert_eq!(res.status(), StatusCode::CREATED);
    }
);

// ---------------------------------------------------------------------------------
// Item 12: oversized uploads answer 413

both!(oversized_uploads_answer_413, |app: TestApp| async move {
    let user = app
        .create_user(
            "it@asikkala.example.fi",
            None,
            Role::Admin,
            common::PASSWORD,
        )
        .await;
    let admin = common::new_client();
    let res = app.login(&admin, &user.email, &user.password).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let csrf = app.csrf(&admin, "/account/tokens").await;
    let coordinator = app.user(ASIKKALA, Role::Coordinator).await;
    let token = app.api_token(&coordinator).await;
    let before = fingerprint(&app).await;
    // The Sotkanet import takes 64 MiB, the TEAviisari import the usual 4 MiB.
    for (path, limit) in [
        ("/admin/imports".to_string(), hyte_web::IMPORT_BODY_LIMIT),
        (
            format!("/org/{ASIKKALA}/hyte-coefficient/import"),
            hyte_web::BODY_LIMIT,
        ),
    ] {
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf.clone())
            .part(
                "file",
                reqwest::multipart::Part::bytes(vec![b'1'; limit + 1]).file_name("big.csv"),
            );
        let res = admin.post(app.url(&path)).multipart(form).send().await;
        // The server may close the connection before the whole body is sent; what it
        // answered is what counts.
        let res = res.unwrap_or_else(|e| panic!("{path}: no answer: {e}"));
        assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE, "{path}");
        let html = res.text().await.unwrap_or_default();
        assert!(html.contains("liian suuri"), "{path}: {html}");
    }
    // The API answers JSON.
    let res = common::plain_client()
        .post(app.url(&format!(
            "/api/v1/organisations/{ASIKKALA}/teaviisari/import"
        )))
        .bearer_auth(&token)
        .header(CONTENT_TYPE, "text/csv")
        .body(vec![b'1'; hyte_web::BODY_LIMIT + 1])
        .send()
        .await
        .unwrap();
    json_refusal(res, StatusCode::PAYLOAD_TOO_LARGE, "err-too-large").await;
    assert_eq!(fingerprint(&app).await, before);
});

// ---------------------------------------------------------------------------------
// Item 6: the session cookie alone does not change anything through the API

both!(
    api_changes_by_cookie_need_the_csrf_header,
    |app: TestApp| async move {
        let (r, s) = report(&app).await;
        let (user, client) = app.signed_in(ASIKKALA, Role::Coordinator).await;
        let token = app.api_token(&user).await;
        let csrf = app.csrf(&client, "/account/tokens").await;
        let mut comments = vec![];
        for _ in 0..3 {
            let v = common::api_ok(
                &app,
                &token,
                Method::POST,
                &format!("/api/v1/reports/{r}/comments"),
                json!({"section_id": s, "body": "Tarkista luvut"}),
                StatusCode::CREATED,
            )
            .await;
            comments.push(v["id"].as_i64().expect("comment id"));
        }
        let paths = |cid: i64| {
            [
                format!("/api/v1/reports/{r}/indicators/seed"),
                format!("/api/v1/reports/{r}/observations/propose"),
                format!("/api/v1/reports/{r}/comments/{cid}/resolve"),
            ]
        };
        let before = fingerprint(&app).await;
        // What another site can make a signed-in browser send: the cookie, a form content
        // type, a foreign Origin, no token; and a token that is not the session's.
        for path in paths(comments[0]) {
            for wrong in [None, Some("0123456789abcdef"), Some("")] {
                let mut rq = client
                    .post(app.url(&path))
                    .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .header("origin", "https://evil.example")
                    .body("a=1");
                if let Some(w) = wrong {
                    rq = rq.header("x-csrf-token", w);
                }
                let res = rq.send().await.unwrap();
                json_refusal(res, StatusCode::FORBIDDEN, "csrf_token_invalid").await;
            }
        }
        assert_eq!(
            fingerprint(&app).await,
            before,
            "a forged request changed data"
        );
        // Reading with the cookie needs no header.
        let res = app.get_with(&client, "/api/v1/me").await;
        assert_eq!(res.status(), StatusCode::OK);
        // With the session's token in the header, the same requests work.
        for path in paths(comments[1]) {
            let res = client
                .post(app.url(&path))
                .header("x-csrf-token", &csrf)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK, "{path}");
        }
        // An API token needs no CSRF token (no cookie is involved).
        for path in paths(comments[2]) {
            let res = common::plain_client()
                .post(app.url(&path))
                .bearer_auth(&token)
                .header("origin", "https://evil.example")
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK, "{path}");
        }
        // Other methods too: PUT and DELETE by cookie without the header.
        let before = fingerprint(&app).await;
        let res = client
            .put(app.url(&format!("/api/v1/reports/{r}/sections/{s}/text")))
            .json(&json!({"base_revision": 1, "body": "Väärennetty"}))
            .send()
            .await
            .unwrap();
        json_refusal(res, StatusCode::FORBIDDEN, "csrf_token_invalid").await;
        let res = client
            .delete(app.url(&format!("/api/v1/reports/{r}/plan/goals/1")))
            .send()
            .await
            .unwrap();
        json_refusal(res, StatusCode::FORBIDDEN, "csrf_token_invalid").await;
        assert_eq!(fingerprint(&app).await, before);
    }
);

// ---------------------------------------------------------------------------------
// Item 7: answers that depend on a session or token are not cached

both!(personal_answers_are_not_cached, |app: TestApp| async move {
    let (user, client) = app.signed_in(ASIKKALA, Role::Coordinator).await;
    let token = app.api_token(&user).await;
    let no_store = |res: &reqwest::Response, what: &str| {
        assert_eq!(header(res, CACHE_CONTROL), "no-store", "{what}");
    };
    // Signed-in pages, their error pages, and the API by cookie.
    for path in [
        "/",
        &format!("/org/{ASIKKALA}"),
        "/account/tokens",
        "/no/such/page",
        &format!("/org/{LAHTI}/audit"),
        "/api/v1/me",
        "/api/v1/organisations",
    ] {
        let res = app.get_with(&client, path).await;
        no_store(&res, &format!("signed in: {path}"));
    }
    // Any request with an Authorization header, valid or not.
    for path in ["/api/v1/me", "/api/v1/organisations", "/api/v1/reports/999"] {
        no_store(
            &app.get_bearer(&token, path).await,
            &format!("token: {path}"),
        );
    }
    no_store(
        &app.get_bearer("not-a-token", "/api/v1/me").await,
        "bad token",
    );
    // The sign-in page (its double-submit token) and the sign-in itself.
    no_store(&app.get("/login").await, "/login");
    let fresh = common::new_client();
    let res = app.login(&fresh, &user.email, &user.password).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    no_store(&res, "POST /login");
    // Invitation and password-reset links carry their secret in the path.
    no_store(&app.get("/invite/0123456789abcdef").await, "/invite/");
    no_store(&app.get("/reset/0123456789abcdef").await, "/reset/");
    // Answers that are the same for everyone keep their public caching, also when a
    // signed-in user or a token client fetches them.
    let open = format!("/api/v1/public/organisations/{ASIKKALA}/reports");
    let anonymous = app.get(&open).await;
    assert_eq!(anonymous.status(), StatusCode::OK);
    assert_eq!(header(&anonymous, CACHE_CONTROL), "public, max-age=60");
    assert_eq!(
        header(&app.get_with(&client, &open).await, CACHE_CONTROL),
        "public, max-age=60"
    );
    assert_eq!(
        header(&app.get_bearer(&token, &open).await, CACHE_CONTROL),
        "public, max-age=60"
    );
    let css = app.get_with(&client, "/static/app.css").await;
    assert_eq!(header(&css, CACHE_CONTROL), "public, max-age=3600");
    // Anonymous public pages are not marked no-store.
    assert_ne!(
        header(&app.get("/indicators").await, CACHE_CONTROL),
        "no-store"
    );
});

// ---------------------------------------------------------------------------------
// Item 12: /healthz answers in time when the database does not

both!(
    healthz_answers_within_a_second_when_the_database_does_not,
    |app: TestApp| async move {
        let res = app.get("/healthz").await;
        assert_eq!(res.status(), StatusCode::OK);
        // Every connection of the pool taken: the database does not answer the check (as
        // when PostgreSQL is down and the pool waits for a connection).
        let pool = app.store.pool();
        let mut held = vec![];
        for _ in 0..pool.options().get_max_connections() {
            held.push(pool.acquire().await.expect("a connection"));
        }
        let t0 = Instant::now();
        let res = app.get("/healthz").await;
        let took = t0.elapsed();
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(took < Duration::from_millis(1500), "/healthz took {took:?}");
        drop(held);
        let res = app.get("/healthz").await;
        assert_eq!(res.status(), StatusCode::OK);
    }
);

// ---------------------------------------------------------------------------------
// Item 12: 403 answers leave a trace in the log, rate-limited

/// Collects the messages of `hyte::forbidden` events on this test's thread (the test
/// runtime is single-threaded, so the server's tasks run here too).
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<String>>>);

impl tracing::Subscriber for Capture {
    fn enabled(&self, meta: &tracing::Metadata<'_>) -> bool {
        meta.target() == "hyte::forbidden"
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        struct Text(String);
        impl tracing::field::Visit for Text {
            fn record_debug(&mut self, f: &tracing::field::Field, v: &dyn std::fmt::Debug) {
                self.0.push_str(&format!("{}={v:?} ", f.name()));
            }
        }
        let mut text = Text(format!("{} ", event.metadata().level()));
        event.record(&mut text);
        if let Ok(mut lines) = self.0.lock() {
            lines.push(text.0);
        }
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

both!(
    forbidden_answers_are_logged_once_a_minute_per_address,
    |app: TestApp| async move {
        let capture = Capture::default();
        let _guard = tracing::subscriber::set_default(capture.clone());
        let foreign = app.user(LAHTI, Role::Coordinator).await;
        let token = app.api_token(&foreign).await;
        // Probing another organisation's work, five times.
        for _ in 0..5 {
            let res = app
                .get_bearer(
                    &token,
                    &format!("/api/v1/organisations/{ASIKKALA}/dashboard?secret=x"),
                )
                .await;
            assert_eq!(res.status(), StatusCode::FORBIDDEN);
        }
        let lines = capture.0.lock().unwrap().clone();
        assert_eq!(
            lines.len(),
            1,
            "one line per address per minute: {lines:#?}"
        );
        let line = &lines[0];
        assert!(line.starts_with("WARN"), "{line}");
        assert!(
            line.contains(
                "403 forbidden: GET /api/v1/organisations/KUNTA:016/dashboard from 127.0.0.1"
            ),
            "{line}"
        );
        assert!(!line.contains("secret"), "the query is not logged: {line}");
        // Other answers are not logged.
        let res = app.get_bearer(&token, "/api/v1/me").await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(capture.0.lock().unwrap().len(), 1);
    }
);

both!(
    forbidden_answers_behind_a_trusted_proxy_are_logged_per_client,
    with TestApp::builder().config(|c| {
        c.trusted_proxies = hyte_web::client::TrustedProxies::parse("127.0.0.1").unwrap()
    }),
    |app: TestApp| async move {
        let capture = Capture::default();
        let _guard = tracing::subscriber::set_default(capture.clone());
        let foreign = app.user(LAHTI, Role::Coordinator).await;
        let token = app.api_token(&foreign).await;
        // Two clients behind the proxy, the first one probing three times.
        for client in ["198.51.100.7", "198.51.100.7", "198.51.100.7", "203.0.113.9"] {
            let res = common::plain_client()
                .get(app.url(&format!("/api/v1/organisations/{ASIKKALA}/dashboard")))
                .bearer_auth(&token)
                .header("x-forwarded-for", client)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::FORBIDDEN);
        }
        let lines = capture.0.lock().unwrap().clone();
        assert_eq!(lines.len(), 2, "one line per client: {lines:#?}");
        assert!(lines[0].contains("from 198.51.100.7"), "{}", lines[0]);
        assert!(lines[1].contains("from 203.0.113.9"), "{}", lines[1]);
    }
);
