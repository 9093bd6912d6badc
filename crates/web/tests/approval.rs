//! Approval and frozen versions: every allowed and forbidden move, required reasons
//! and council decisions, the text lock from board review on, frozen numbers that a
//! later import does not change, the list of changed values, the version as JSON and
//! its pages. Every test runs on SQLite and on PostgreSQL (`both!`).

#[macro_use]
#[path = "common/mod.rs"]
mod common;

use common::*;
use hyte_domain::Role;
use reqwest::{Method, Response, StatusCode};
use serde_json::{json, Value};

const IND: i64 = 90_201;

async fn mv(app: &TestApp, token: &str, id: i64, body: Value) -> Response {
    api(
        app,
        token,
        Method::POST,
        &format!("/api/v1/reports/{id}/approval/transitions"),
        Some(body),
    )
    .await
}

/// Values 2020–2022 for Asikkala, Lahti, Päijät-Häme and the country, with
/// population; `asikkala_2022` is the value that a later import changes.
async fn load_values(app: &TestApp, asikkala_2022: f64) {
    app.store
        .put_indicator(&definition(IND, "Testityöttömät, %", "low_is_good"))
        .await
        .unwrap();
    let mut csv =
        String::from("indicator,region_category,region_code,region_title_fi,year,gender,value\n");
    for year in 2020..=2022 {
        for (code, pop) in [("016", 8000), ("398", 120_000)] {
            csv.push_str(&format!("127,KUNTA,{code},x,{year},total,{pop}\n"));
        }
        let a = if year == 2022 { asikkala_2022 } else { 18.0 };
        for (cat, code, v) in [
            ("KUNTA", "016", a),
            ("KUNTA", "398", 11.0),
            ("HYVINVOINTIALUE", "09", 12.0),
            ("MAA", "SSS", 10.0),
        ] {
            csv.push_str(&format!("{IND},{cat},{code},x,{year},total,{v}\n"));
        }
    }
    app.store
        .ingest("approval-test.csv", csv.into_bytes(), None, "test")
        .await
        .expect("test values import");
}

/// A coordinator of Asikkala with a token, and a new report of `kind`.
async fn report_of(app: &TestApp, kind: &str) -> (String, i64) {
    let coord = app.user(ASIKKALA, Role::Coordinator).await;
    let token = app.api_token(&coord).await;
    let (token, id) = (token.clone(), {
        let v = ok_json(
            api(
                app,
                &token,
                Method::POST,
                "/api/v1/organisations/KUNTA:016/reports",
                Some(json!({
                    "kind": kind, "title": format!("Asikkalan {kind}"),
                    "term_start": 2025, "term_end": 2029, "year": 2026, "template": "thl"
                })),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
        v["report"]["id"].as_i64().expect("report id")
    });
    (token, id)
}

async fn report(app: &TestApp) -> (String, i64) {
    report_of(app, "term_report").await
}

fn decision() -> Value {
    json!({"move": "council_approve", "decision_date": "2026-05-18", "minutes_section": "§ 45",
           "decision_link": "https://asikkala.fi/poytakirjat/2026-05-18"})
}

async fn state_of(app: &TestApp, token: &str, id: i64) -> Value {
    ok_json(
        app.get_bearer(token, &format!("/api/v1/reports/{id}/approval"))
            .await,
        StatusCode::OK,
    )
    .await
}

both!(every_move_and_who_may_make_it, |app: TestApp| async move {
    let (coord, id) = report(&app).await;
    let v = state_of(&app, &coord, id).await;
    assert_eq!(v["state"], "draft");
    assert_eq!(v["allowed_moves"], json!(["start_commenting"]));

    // Editors, commenters and readers of Asikkala, the welfare region (read access)
    // and another municipality's coordinator cannot move it.
    for (org, role, status) in [
        (ASIKKALA, Role::Editor, StatusCode::FORBIDDEN),
        (ASIKKALA, Role::Commenter, StatusCode::FORBIDDEN),
        (ASIKKALA, Role::Reader, StatusCode::FORBIDDEN),
        (PAIJAT_HAME, Role::Coordinator, StatusCode::FORBIDDEN),
        (LAHTI, Role::Coordinator, StatusCode::FORBIDDEN),
    ] {
        let u = app.user(org, role).await;
        let t = app.api_token(&u).await;
        let res = mv(&app, &t, id, json!({"move": "start_commenting"})).await;
        assert_eq!(res.status(), status, "{org} {role}");
        if org == ASIKKALA || org == PAIJAT_HAME {
            assert_eq!(state_of(&app, &t, id).await["allowed_moves"], json!([]));
        }
    }
    // Anonymous: 401.
    let res = plain_client()
        .post(app.url(&format!("/api/v1/reports/{id}/approval/transitions")))
        .json(&json!({"move": "start_commenting"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    // Moves not possible from the current state: 422; unknown move: 422.
    for m in ["to_board", "council_approve", "publish", "send_back"] {
        let res = mv(&app, &coord, id, json!({"move": m, "reason": "x"})).await;
        assert_eq!(
            res.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{m} from draft"
        );
    }
    let res = mv(&app, &coord, id, json!({"move": "approve_everything"})).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // draft → commenting → (send back needs a reason) → draft → commenting → board.
    ok_json(
        mv(&app, &coord, id, json!({"move": "start_commenting"})).await,
        StatusCode::CREATED,
    )
    .await;
    let e = json_error(
        mv(
            &app,
            &coord,
            id,
            json!({"move": "send_back", "reason": "  "}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(e.contains("syy") || e.contains("reason"), "{e}");
    let v = ok_json(
        mv(
            &app,
            &coord,
            id,
            json!({"move": "send_back", "reason": "Talous puuttuu"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(v["state"], "draft");
    assert_eq!(v["event"]["reason"], "Talous puuttuu");
    for m in ["start_commenting", "to_board"] {
        ok_json(
            mv(&app, &coord, id, json!({"move": m})).await,
            StatusCode::CREATED,
        )
        .await;
    }
    let v = state_of(&app, &coord, id).await;
    assert_eq!(v["state"], "board_review");
    assert_eq!(v["text_locked"], true);
    assert_eq!(v["allowed_moves"], json!(["council_approve", "send_back"]));

    // Council approval needs a date and the minutes section; the link must be http(s).
    for body in [
        json!({"move": "council_approve", "minutes_section": "§ 45"}),
        json!({"move": "council_approve", "decision_date": "18.5.2026", "minutes_section": "§ 45"}),
        json!({"move": "council_approve", "decision_date": "2026-05-18"}),
        json!({"move": "council_approve", "decision_date": "2026-05-18", "minutes_section": "§ 45", "decision_link": "javascript:alert(1)"}),
    ] {
        let res = mv(&app, &coord, id, body.clone()).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    }
    assert_eq!(state_of(&app, &coord, id).await["state"], "board_review");

    // An admin may move too: send back from board review, then the coordinator again.
    let admin = app
        .create_user("admin@hyte.example.fi", None, Role::Admin, PASSWORD)
        .await;
    let admin_token = app.api_token(&admin).await;
    ok_json(
        mv(
            &app,
            &admin_token,
            id,
            json!({"move": "send_back", "reason": "Hallitus palautti"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    for m in ["start_commenting", "to_board"] {
        ok_json(
            mv(&app, &coord, id, json!({"move": m})).await,
            StatusCode::CREATED,
        )
        .await;
    }
    let v = ok_json(mv(&app, &coord, id, decision()).await, StatusCode::CREATED).await;
    assert_eq!(v["state"], "council_approved");
    assert_eq!(v["council_approved"], true);
    assert_eq!(v["event"]["version_number"], 1);
    assert_eq!(v["decision"]["minutes_section"], "§ 45");
    assert_eq!(v["allowed_moves"], json!(["publish"]));
    // No send back after the council's decision.
    let res = mv(
        &app,
        &coord,
        id,
        json!({"move": "send_back", "reason": "x"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v = ok_json(
        mv(&app, &coord, id, json!({"move": "publish"})).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(v["state"], "published");
    assert_eq!(v["published"], true);
    assert_eq!(v["allowed_moves"], json!([]));

    // Every move is in the timeline and in the audit log.
    let events = v["events"].as_array().unwrap();
    let moves: Vec<&str> = events.iter().map(|e| e["move"].as_str().unwrap()).collect();
    assert_eq!(
        moves,
        [
            "start_commenting",
            "send_back",
            "start_commenting",
            "to_board",
            "send_back",
            "start_commenting",
            "to_board",
            "council_approve",
            "publish"
        ]
    );
    assert_eq!(events[4]["user_email"], "admin@hyte.example.fi");
    let audit = app
        .store
        .audit_entries(Some(&ASIKKALA.parse().unwrap()), 100)
        .await
        .unwrap();
    assert_eq!(audit.iter().filter(|a| a.action == "approval").count(), 9);
    assert!(audit.iter().any(|a| a.detail.contains("§ 45")));
    // The facts the process checklist reads.
    let facts = app.store.approval_facts(id).await.unwrap();
    assert!(facts.council_approved && facts.published);
    assert_eq!(facts.latest_version, Some(1));
});

both!(
    text_is_locked_from_board_review_on,
    |app: TestApp| async move {
        let (coord, id) = report(&app).await;
        let r = ok_json(
            app.get_bearer(&coord, &format!("/api/v1/reports/{id}"))
                .await,
            StatusCode::OK,
        )
        .await;
        let sid = r["sections"][0]["id"].as_i64().unwrap();
        let save = |base: i64, body: &str| {
            let body = json!({"base_revision": base, "body": body});
            let token = coord.clone();
            let app = &app;
            async move {
                api(
                    app,
                    &token,
                    Method::PUT,
                    &format!("/api/v1/reports/{id}/sections/{sid}/text"),
                    Some(body),
                )
                .await
            }
        };
        ok_json(
            mv(&app, &coord, id, json!({"move": "start_commenting"})).await,
            StatusCode::CREATED,
        )
        .await;
        // Commenting: still editable.
        ok_json(
            save(0, "Kommentointikierroksen teksti.").await,
            StatusCode::OK,
        )
        .await;
        ok_json(
            mv(&app, &coord, id, json!({"move": "to_board"})).await,
            StatusCode::CREATED,
        )
        .await;
        // Board review: locked, with a clear message; nothing written.
        let e = json_error(
            save(1, "Muutos hallituksen alla.").await,
            StatusCode::CONFLICT,
        )
        .await;
        assert!(e.contains("locked"), "{e}");
        let res = api(
            &app,
            &coord,
            Method::POST,
            &format!("/api/v1/reports/{id}/sections"),
            Some(json!({"heading": "Uusi luku"})),
        )
        .await;
        assert_eq!(res.status(), StatusCode::CONFLICT);
        let s = app.store.section(sid).await.unwrap().unwrap();
        assert_eq!(
            (s.revision, s.body.as_str()),
            (1, "Kommentointikierroksen teksti.")
        );
        // The browser form says the same.
        let (_, client) = app.signed_in(ASIKKALA, Role::Coordinator).await;
        let csrf = app.csrf(&client, &format!("/reports/{id}/approval")).await;
        let (status, html) = app
            .get_text(&client, &format!("/reports/{id}/approval"))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("id=\"locked-note\""), "{html}");
        assert!(!csrf.is_empty());
        // Sending back unlocks.
        ok_json(
            mv(
                &app,
                &coord,
                id,
                json!({"move": "send_back", "reason": "Korjattavaa"}),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
        ok_json(save(1, "Korjattu teksti.").await, StatusCode::OK).await;
    }
);

both!(
    frozen_numbers_survive_an_import,
    |app: TestApp| async move {
        load_values(&app, 20.0).await;
        let (coord, id) = report(&app).await;
        let r = ok_json(
            app.get_bearer(&coord, &format!("/api/v1/reports/{id}"))
                .await,
            StatusCode::OK,
        )
        .await;
        let sid = r["sections"][0]["id"].as_i64().unwrap();
        let text = format!("Työttömyys on kasvanut.\n\n{{{{indicator {IND} chart=trend compare=region,country,{LAHTI}}}}}\n");
        ok_json(
            api(
                &app,
                &coord,
                Method::PUT,
                &format!("/api/v1/reports/{id}/sections/{sid}/text"),
                Some(json!({"base_revision": 0, "body": text})),
            )
            .await,
            StatusCode::OK,
        )
        .await;
        for m in ["start_commenting", "to_board"] {
            ok_json(
                mv(&app, &coord, id, json!({"move": m})).await,
                StatusCode::CREATED,
            )
            .await;
        }
        ok_json(mv(&app, &coord, id, decision()).await, StatusCode::CREATED).await;

        // The version as JSON: sections, values with provenance, approval record.
        let doc = ok_json(
            app.get_bearer(&coord, &format!("/api/v1/reports/{id}/versions/1"))
                .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(doc["version"]["number"], 1);
        assert_eq!(doc["version"]["decision"]["date"], "2026-05-18");
        assert_eq!(doc["sections"][0]["body"], text.as_str());
        assert_eq!(doc["sections"][0]["revision"], 1);
        assert_eq!(doc["approval"].as_array().unwrap().len(), 3);
        assert!(doc["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["id"] == IND));
        let frozen = |doc: &Value, region: &str, year: i64| -> Value {
            doc["values"]
                .as_array()
                .unwrap()
                .iter()
                .find(|v| {
                    v["indicator"] == IND
                        && v["region"] == region
                        && v["year"] == year
                        && v["sex"] == "total"
                })
                .cloned()
                .unwrap_or_else(|| panic!("no frozen {region} {year}: {doc}"))
        };
        let a = frozen(&doc, ASIKKALA, 2022);
        assert_eq!(a["value"], 20.0);
        assert!(a["ci_lower"].as_f64().is_some(), "interval frozen: {a}");
        assert!(a["imported_at"].as_str().is_some(), "{a}");
        assert_eq!(a["context"], false);
        assert_eq!(frozen(&doc, LAHTI, 2022)["value"], 11.0);
        assert_eq!(frozen(&doc, PAIJAT_HAME, 2021)["value"], 12.0);
        assert_eq!(frozen(&doc, "MAA:SSS", 2020)["value"], 10.0);
        // The population behind the derived count is frozen too.
        assert!(doc["values"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["indicator"] == 127 && v["region"] == ASIKKALA));

        // A later import changes Asikkala's 2022 value and adds 2023.
        load_values(&app, 25.0).await;
        app.store
        .ingest("new-year.csv", format!("indicator,region_category,region_code,region_title_fi,year,gender,value\n{IND},KUNTA,016,x,2023,total,26.5\n").into_bytes(), None, "test")
        .await
        .unwrap();
        let doc2 = ok_json(
            app.get_bearer(&coord, &format!("/api/v1/reports/{id}/versions/1"))
                .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(frozen(&doc2, ASIKKALA, 2022)["value"], 20.0);
        assert_eq!(doc2["values"], doc["values"]);

        // The version page shows the old number, the working copy the new one.
        let (_, client) = app.signed_in(ASIKKALA, Role::Reader).await;
        let (status, html) = app
            .get_text(&client, &format!("/reports/{id}/versions/1"))
            .await;
        assert_eq!(status, StatusCode::OK, "{html}");
        assert!(html.contains("20,0"), "frozen value shown");
        assert!(
            !html.contains("25,0") && !html.contains("26,5"),
            "no new data in the version"
        );
        assert!(html.contains("badge frozen"), "frozen badge");
        assert!(html.contains("§ 45"));
        let (status, html) = app
            .get_text(&client, &format!("/reports/{id}/sections/{sid}"))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            html.contains("25,0") && html.contains("26,5"),
            "working copy is live"
        );

        // What changed: Asikkala 2022 20 → 25, and the new 2023 value.
        let ch = ok_json(
            app.get_bearer(&coord, &format!("/api/v1/reports/{id}/versions/1/changes"))
                .await,
            StatusCode::OK,
        )
        .await;
        let changes = ch["changes"].as_array().unwrap();
        assert!(
            changes.iter().any(|c| c["region"] == ASIKKALA
                && c["year"] == 2022
                && c["old"] == 20.0
                && c["new"] == 25.0),
            "{ch}"
        );
        assert!(
            changes.iter().any(|c| c["region"] == ASIKKALA
                && c["year"] == 2023
                && c["old"].is_null()
                && c["new"] == 26.5),
            "{ch}"
        );
        assert!(
            !changes.iter().any(|c| c["region"] == LAHTI),
            "Lahti did not change: {ch}"
        );
        let (status, html) = app
            .get_text(&client, &format!("/reports/{id}/versions/1/changes"))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            html.contains("id=\"changes-table\"") && html.contains("25,0") && html.contains("20,0"),
            "{html}"
        );
    }
);

both!(versions_pages_and_errors, |app: TestApp| async move {
    let (coord, id) = report(&app).await;
    // Nothing yet.
    let v = ok_json(
        app.get_bearer(&coord, &format!("/api/v1/reports/{id}/versions"))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(v["versions"], json!([]));
    for m in [
        json!({"move": "start_commenting"}),
        json!({"move": "to_board"}),
        decision(),
    ] {
        ok_json(mv(&app, &coord, id, m).await, StatusCode::CREATED).await;
    }
    // A yearly report of the same organisation gets its own versions.
    let (_, yearly) = report_of(&app, "yearly_report").await;
    for m in [
        json!({"move": "start_commenting"}),
        json!({"move": "to_board"}),
        decision(),
    ] {
        ok_json(mv(&app, &coord, yearly, m).await, StatusCode::CREATED).await;
    }
    let v = ok_json(
        app.get_bearer(&coord, &format!("/api/v1/reports/{yearly}/versions"))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(v["versions"][0]["number"], 1);
    assert_eq!(v["versions"][0]["kind"], "yearly_report");
    assert_eq!(v["versions"][0]["year"], 2026);

    // Unknown version 404, malformed 404, foreign 403, anonymous 401 / login redirect.
    for path in ["/versions/2", "/versions/abc", "/versions/0"] {
        let res = app
            .get_bearer(&coord, &format!("/api/v1/reports/{id}{path}"))
            .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let lahti = app.user(LAHTI, Role::Coordinator).await;
    let lahti = app.api_token(&lahti).await;
    for path in ["approval", "versions", "versions/1", "versions/1/changes"] {
        let res = app
            .get_bearer(&lahti, &format!("/api/v1/reports/{id}/{path}"))
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{path}");
        let res = app.get(&format!("/api/v1/reports/{id}/{path}")).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{path}");
        let res = app.get(&format!("/reports/{id}/{path}")).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{path}");
    }
    // The welfare region reads its member's approval and versions.
    let region = app.user(PAIJAT_HAME, Role::Reader).await;
    let region = app.api_token(&region).await;
    ok_json(
        app.get_bearer(&region, &format!("/api/v1/reports/{id}/versions/1"))
            .await,
        StatusCode::OK,
    )
    .await;

    // Pages: approval tab with the timeline and version list; version list page.
    let (_, client) = app.signed_in(ASIKKALA, Role::Coordinator).await;
    let (status, html) = app
        .get_text(&client, &format!("/reports/{id}/approval"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("data-state=\"council_approved\""), "{html}");
    assert!(html.contains("id=\"move-publish\""));
    assert!(html.contains("id=\"approval-timeline\""));
    assert!(html.contains(&format!("/reports/{id}/versions/1")));
    let (status, html) = app
        .get_text(&client, &format!("/reports/{id}/versions"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"version-table\""));
    let (status, _) = app
        .get_text(&client, &format!("/reports/{id}/versions/7"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
});

both!(moves_through_the_browser_forms, |app: TestApp| async move {
    let (_, id) = report(&app).await;
    let (_, client) = app.signed_in(ASIKKALA, Role::Coordinator).await;
    let page = format!("/reports/{id}/approval");
    let post = format!("/reports/{id}/approval/transitions");
    let csrf = app.csrf(&client, &page).await;
    // Without the CSRF token: 403.
    let res = app
        .post_form(&client, &post, &[("move", "start_commenting")])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app
        .post_form(
            &client,
            &post,
            &[("csrf", &csrf), ("move", "start_commenting")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(location(&res).starts_with(&page));
    let res = app
        .post_form(&client, &post, &[("csrf", &csrf), ("move", "to_board")])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // Missing § in the form: the page again with the error and the date kept.
    let res = app
        .post_form(
            &client,
            &post,
            &[
                ("csrf", &csrf),
                ("move", "council_approve"),
                ("decision_date", "2026-05-18"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"form-error\""), "{html}");
    assert!(html.contains("value=\"2026-05-18\""));
    let res = app
        .post_form(
            &client,
            &post,
            &[
                ("csrf", &csrf),
                ("move", "council_approve"),
                ("decision_date", "2026-05-18"),
                ("minutes_section", "§ 45"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.store.versions(id).await.unwrap().len(), 1);
    // An editor sees no forms and is refused.
    let (_, editor) = app.signed_in(ASIKKALA, Role::Editor).await;
    let (_, html) = app.get_text(&editor, &page).await;
    assert!(html.contains("id=\"no-moves\""));
    let csrf = app.csrf(&editor, &page).await;
    let res = app
        .post_form(&editor, &post, &[("csrf", &csrf), ("move", "publish")])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
});
