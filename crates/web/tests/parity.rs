//! Pages and API make a change through the same use case: for every pair of a page
//! route and an API route that make the same change, the same audit entry is
//! written, and the same bad input gets the same refusal (the same status, the API's
//! `code` naming the catalogue key, and the page showing that key's text in the
//! reader's language).

#[macro_use]
mod common;

use common::*;
use hyte_domain::Role;
use hyte_web::i18n::{Lang, Tr};
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};

/// One change made through a page form and through the API.
struct Pair {
    /// What the change is, for messages.
    what: &'static str,
    /// The page's form address and fields (the CSRF token is added).
    page: (String, Vec<(&'static str, String)>),
    /// The API's method, address and body.
    api: (Method, String, Value),
    /// The audit action both write.
    audit: &'static str,
    /// The page form and the API body with the same bad input, and the refusal's
    /// status and catalogue key.
    bad: Option<Bad>,
}

struct Bad {
    page: Vec<(&'static str, String)>,
    api: Value,
    status: StatusCode,
    key: &'static str,
    /// The refusal's parameters, to find its text on the page.
    args: &'static [(&'static str, &'static str)],
}

/// Asikkala's coordinator signed in (browser) and with an API token, and a report
/// with THL's outline.
struct Ctx {
    client: Client,
    token: String,
    report: i64,
    section: i64,
}

async fn setup(app: &TestApp) -> Ctx {
    let (coord, client) = app.signed_in(ASIKKALA, Role::Coordinator).await;
    let token = app.api_token(&coord).await;
    let v = api_ok(
        app,
        &token,
        Method::POST,
        "/api/v1/organisations/KUNTA:016/reports",
        json!({"kind": "term_report", "title": "Pariteetti", "term_start": 2025, "term_end": 2029}),
        StatusCode::CREATED,
    )
    .await;
    let report = v["report"]["id"].as_i64().expect("report id");
    let section = v["sections"][0]["id"].as_i64().expect("a section");
    Ctx {
        client,
        token,
        report,
        section,
    }
}

/// The newest audit entries' actions, newest first.
/// How many entries the audit log holds.
async fn audit_len(app: &TestApp) -> usize {
    actions(app, 100_000).await.len()
}

async fn actions(app: &TestApp, n: i64) -> Vec<String> {
    app.store
        .audit_entries(None, n)
        .await
        .expect("audit")
        .into_iter()
        .map(|e| e.action)
        .collect()
}

async fn post_page(
    app: &TestApp,
    cx: &Ctx,
    path: &str,
    fields: &[(&str, String)],
) -> (StatusCode, String) {
    let csrf = app
        .csrf(&cx.client, &format!("/reports/{}", cx.report))
        .await;
    let mut form: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
    form.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
    let res = app.post_form(&cx.client, path, &form).await;
    let status = res.status();
    (status, res.text().await.unwrap_or_default())
}

/// Undoes the HTML escaping of text in a page.
fn unescape(html: &str) -> String {
    html.replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

async fn check(app: &TestApp, cx: &Ctx, p: &Pair) {
    // Each side adds exactly one audit entry, the same one.
    let before = audit_len(app).await;
    let (status, body) = post_page(app, cx, &p.page.0, &p.page.1).await;
    assert!(
        status == StatusCode::SEE_OTHER || status.is_success(),
        "{}: page answered {status}: {body}",
        p.what
    );
    assert_eq!(
        audit_len(app).await,
        before + 1,
        "{}: page's audit entries",
        p.what
    );
    assert_eq!(
        actions(app, 1).await,
        vec![p.audit],
        "{}: page's audit entry",
        p.what
    );
    let (method, path, json_body) = &p.api;
    let res = api(
        app,
        &cx.token,
        method.clone(),
        path,
        Some(json_body.clone()),
    )
    .await;
    assert!(
        res.status().is_success(),
        "{}: API answered {}",
        p.what,
        res.status()
    );
    assert_eq!(
        audit_len(app).await,
        before + 2,
        "{}: API's audit entries",
        p.what
    );
    assert_eq!(
        actions(app, 1).await,
        vec![p.audit],
        "{}: API's audit entry",
        p.what
    );
    let Some(bad) = &p.bad else { return };
    let before = actions(app, 1000).await.len();
    let (status, body) = post_page(app, cx, &p.page.0, &bad.page).await;
    assert_eq!(status, bad.status, "{}: page's refusal: {body}", p.what);
    let args: Vec<(&str, String)> = bad.args.iter().map(|(k, v)| (*k, v.to_string())).collect();
    let expected = Tr::new(Lang::Fi).ta(bad.key, &args);
    assert_ne!(expected, bad.key, "{} is in the catalogue", bad.key);
    let shown = unescape(&body);
    assert!(
        shown.contains(&expected),
        "{}: the page shows '{expected}': {shown}",
        p.what
    );
    let res = api(app, &cx.token, method.clone(), path, Some(bad.api.clone())).await;
    assert_eq!(res.status(), bad.status, "{}: API's refusal", p.what);
    let v = json(res).await;
    assert_eq!(v["error"]["code"], bad.key, "{}: API's code: {v}", p.what);
    assert_eq!(
        actions(app, 1000).await.len(),
        before,
        "{}: refusals change nothing",
        p.what
    );
}

both!(
    pages_and_api_write_the_same_audit_entry_and_refuse_alike,
    |app: TestApp| async move {
        let cx = setup(&app).await;
        let (r, s) = (cx.report, cx.section);
        let pairs = vec![
            Pair {
                what: "adding a section",
                page: (
                    format!("/reports/{r}/sections"),
                    vec![
                        ("heading", "Liikenne".into()),
                        ("areas", "determinants".into()),
                    ],
                ),
                api: (
                    Method::POST,
                    format!("/api/v1/reports/{r}/sections"),
                    json!({"heading": "Liikenne", "areas": ["determinants"]}),
                ),
                audit: "section_added",
                bad: Some(Bad {
                    page: vec![("heading", " ".into())],
                    api: json!({"heading": " "}),
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    key: "rep-err-heading",
                    args: &[],
                }),
            },
            Pair {
                what: "saving a section's text",
                page: (
                    format!("/reports/{r}/sections/{s}"),
                    vec![("base_revision", "0".into()), ("body", "Sivulta.".into())],
                ),
                api: (
                    Method::PUT,
                    format!("/api/v1/reports/{r}/sections/{s}/text"),
                    json!({"base_revision": 1, "body": "Rajapinnasta."}),
                ),
                audit: "section_saved",
                bad: Some(Bad {
                    page: vec![
                        ("base_revision", "2".into()),
                        ("body", "Liian pitkä muistiinpano".into()),
                        ("note", "x".repeat(501)),
                    ],
                    api: json!({"base_revision": 2, "body": "Liian pitkä muistiinpano", "note": "x".repeat(501)}),
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    key: "sec-err-note",
                    args: &[("max", "500")],
                }),
            },
            Pair {
                what: "commenting on a section",
                page: (
                    format!("/reports/{r}/sections/{s}/comments"),
                    vec![("body", "Hyvä alku".into())],
                ),
                api: (
                    Method::POST,
                    format!("/api/v1/reports/{r}/comments"),
                    json!({"section_id": s, "body": "Hyvä alku"}),
                ),
                audit: "comment_added",
                bad: Some(Bad {
                    page: vec![("body", "   ".into())],
                    api: json!({"section_id": s, "body": "   "}),
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    key: "com-err-body",
                    args: &[],
                }),
            },
        ];
        for p in &pairs {
            check(&app, &cx, p).await;
        }
        for p in &data_pairs(&app, &cx).await {
            check(&app, &cx, p).await;
        }
        // Last: the approval moves lock the text for the pairs above.
        check(&app, &cx, &approval_pair(r)).await;
    }
);

/// Deciding an indicator, recording a joy or concern and adding a plan goal.
async fn data_pairs(app: &TestApp, cx: &Ctx) -> Vec<Pair> {
    let r = cx.report;
    api_ok(
        app,
        &cx.token,
        Method::POST,
        &format!("/api/v1/reports/{r}/indicators/seed"),
        json!({}),
        StatusCode::OK,
    )
    .await;
    let list = ok_json(
        app.get_bearer(&cx.token, &format!("/api/v1/reports/{r}/indicators"))
            .await,
        StatusCode::OK,
    )
    .await;
    let item = list["items"][0]["item_key"]
        .as_str()
        .expect("the preset seeded items")
        .to_string();
    vec![
        Pair {
            what: "deciding an indicator",
            page: (
                format!("/reports/{r}/indicators/select"),
                vec![
                    ("item_key", item.clone()),
                    ("state", "excluded".into()),
                    ("reason", "Ei paikallista tietoa".into()),
                ],
            ),
            api: (
                Method::PUT,
                format!("/api/v1/reports/{r}/indicators/{item}"),
                json!({"state": "included"}),
            ),
            audit: "report_indicator_selection",
            bad: Some(Bad {
                page: vec![
                    ("item_key", item.clone()),
                    ("state", "excluded".into()),
                    ("reason", "  ".into()),
                ],
                api: json!({"state": "excluded", "reason": "  "}),
                status: StatusCode::UNPROCESSABLE_ENTITY,
                key: "rd-error-reason-required",
                args: &[],
            }),
        },
        Pair {
            what: "recording a concern",
            page: (
                format!("/reports/{r}/observations"),
                vec![
                    ("kind", "concern".into()),
                    ("text", "Nuorten yksinäisyys".into()),
                    ("origin", "working_group".into()),
                ],
            ),
            api: (
                Method::POST,
                format!("/api/v1/reports/{r}/observations"),
                json!({"kind": "concern", "text": "Nuorten yksinäisyys", "origin": "working_group"}),
            ),
            audit: "report_observation_added",
            bad: Some(Bad {
                page: vec![
                    ("kind", "concern".into()),
                    ("text", " ".into()),
                    ("origin", "working_group".into()),
                ],
                api: json!({"kind": "concern", "text": " ", "origin": "working_group"}),
                status: StatusCode::UNPROCESSABLE_ENTITY,
                key: "rd-error-obs-text",
                args: &[],
            }),
        },
        Pair {
            what: "adding a plan goal",
            page: (
                format!("/reports/{r}/plan/goals"),
                vec![("title", "Nuoret liikkuvat".into())],
            ),
            api: (
                Method::POST,
                format!("/api/v1/reports/{r}/plan/goals"),
                json!({"title": "Nuoret liikkuvat"}),
            ),
            audit: "plan_goal_added",
            bad: Some(Bad {
                page: vec![("title", " ".into())],
                api: json!({"title": " "}),
                status: StatusCode::UNPROCESSABLE_ENTITY,
                key: "plan-error-title",
                args: &[],
            }),
        },
    ]
}

/// An approval move through the page and another through the API; sending back
/// without a reason is refused alike.
fn approval_pair(r: i64) -> Pair {
    Pair {
        what: "an approval move",
        page: (
            format!("/reports/{r}/approval/transitions"),
            vec![("move", "start_commenting".into())],
        ),
        api: (
            Method::POST,
            format!("/api/v1/reports/{r}/approval/transitions"),
            json!({"move": "to_board"}),
        ),
        audit: "approval",
        bad: Some(Bad {
            page: vec![("move", "send_back".into()), ("reason", " ".into())],
            api: json!({"move": "send_back", "reason": " "}),
            status: StatusCode::UNPROCESSABLE_ENTITY,
            key: "appr-err-reason-required",
            args: &[],
        }),
    }
}
