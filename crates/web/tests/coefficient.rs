//! The HYTE coefficient from configuration, TEAviisari scores (form, API, CSV import)
//! and the welfare-region dialogue with its visibility rules. Every test runs on
//! SQLite and on PostgreSQL (`both!`). The hand-checked numbers are explained next to
//! each assertion.

#[macro_use]
#[path = "common/mod.rs"]
mod common;

use common::*;
use hyte_app::model::coefficient::ScoreChange;
use hyte_domain::Role;
use reqwest::{Method, Response, StatusCode};
use serde_json::{json, Value};

const ESPOO: &str = "KUNTA:049";

async fn api_csv(app: &TestApp, token: &str, path: &str, body: &str) -> Response {
    plain_client()
        .post(app.url(path))
        .bearer_auth(token)
        .header(reqwest::header::CONTENT_TYPE, "text/csv")
        .body(body.to_string())
        .send()
        .await
        .unwrap_or_else(|e| panic!("POST {path}: {e}"))
}

fn close(v: &Value, expected: f64) {
    let got = v.as_f64().unwrap_or_else(|| panic!("{v} is not a number"));
    assert!((got - expected).abs() < 1e-3, "{got} ≠ {expected}");
}

/// Values of the configured outcome indicator 3219 (17–24-year-olds outside
/// education, low is good): 2011 and 2012 for Asikkala, Lahti and Espoo, and the
/// whole country for 2012.
async fn load_outcomes(app: &TestApp) {
    let mut csv =
        String::from("indicator,region_category,region_code,region_title_fi,year,gender,value\n");
    for (code, name, v2011, v2012) in [
        ("016", "Asikkala", 12.0, 10.0),
        ("398", "Lahti", 22.0, 20.0),
        ("049", "Espoo", 28.0, 30.0),
    ] {
        csv.push_str(&format!("3219,KUNTA,{code},{name},2011,total,{v2011}\n3219,KUNTA,{code},{name},2012,total,{v2012}\n"));
    }
    csv.push_str("3219,MAA,SSS,Koko maa,2012,total,20\n");
    app.store
        .ingest("test-hyte.csv", csv.into_bytes(), None, "test")
        .await
        .expect("test values import");
}

async fn component<'a>(v: &'a Value, id: &str) -> &'a Value {
    v["components"]
        .as_array()
        .expect("components")
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no component {id}: {v}"))
}

both!(
    coefficient_values_and_ranks_from_configuration,
    |app: TestApp| async move {
        load_outcomes(&app).await;
        let coord = app.user(ASIKKALA, Role::Coordinator).await;
        let token = app.api_token(&coord).await;
        let path = "/api/v1/organisations/KUNTA:016/hyte-coefficient";

        // Before any TEAviisari score: outcome only, process "not entered".
        let v = ok_json(app.get_bearer(&token, path).await, StatusCode::OK).await;
        assert_eq!(v["set"], "municipal");
        assert_eq!(v["both_blocks"], false);
        assert!(v["coefficient"]["value"].is_null());
        let c = component(&v, "koulupudokkaat").await;
        assert_eq!(c["year"], 2012);
        close(&c["value"], 10.0);
        close(&c["national"], 20.0);
        assert_eq!(c["national_is_stored"], true);
        // Peers 2012: 10, 20, 30 → sd √(200/3) = 8.16497; 10 where low is good:
        // z = +1.22474 → 50 + 12.2474 = 62.2474.
        close(&c["score"], 62.2474);
        assert_eq!(c["rank"], json!({"position": 1, "of": 3}));
        assert_eq!(c["rank_in_region"], json!({"position": 1, "of": 2}));
        assert_eq!(component(&v, "kuntajohto").await["missing"], "not_entered");
        assert_eq!(component(&v, "tupakointi").await["missing"], "unavailable");
        assert_eq!(component(&v, "toimeentulotuki").await["missing"], "no_data");
        close(&v["outcome"]["value"], 62.2474);
        close(&v["outcome"]["distance_to_national"], 12.2474);
        assert_eq!(v["outcome"]["rank"], json!({"position": 1, "of": 3}));

        // The coordinator enters scores: kuntajohto 80 and 60 (mean 70, weight 5),
        // perusopetus 50 (weight 4) → process (350 + 200) / 9 = 61.111.
        let res = api(
            &app,
            &token,
            Method::PUT,
            "/api/v1/organisations/KUNTA:016/teaviisari",
            Some(json!({
                "year": 2025,
                "scores": [
                    {"sector": "kuntajohto", "perspective": "sitoutuminen", "score": 80},
                    {"sector": "kuntajohto", "perspective": "johtaminen", "score": 60},
                    {"sector": "perusopetus", "perspective": "osallisuus", "score": 50}
                ]
            })),
        )
        .await;
        assert_eq!(ok_json(res, StatusCode::OK).await["changed"], 3);
        // Lahti has kuntajohto 90 (process 90; outcome 50 → coefficient 70).
        let mut tx = app.store.begin().await.unwrap();
        tx.put_teaviisari_scores(
            &LAHTI.parse().unwrap(),
            &[ScoreChange {
                year: 2025,
                sector: "kuntajohto".into(),
                perspective: "sitoutuminen".into(),
                score: Some(90.0),
            }],
            "test",
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let v = ok_json(app.get_bearer(&token, path).await, StatusCode::OK).await;
        close(&v["process"]["value"], 61.1111);
        // (61.111 + 62.247) / 2 = 61.679.
        close(&v["coefficient"]["value"], 61.6793);
        assert_eq!(v["both_blocks"], true);
        // Lahti 70 is ahead; Espoo has no process scores, so it is not ranked.
        assert_eq!(v["coefficient"]["rank"], json!({"position": 2, "of": 2}));
        assert_eq!(
            v["coefficient"]["rank_in_region"],
            json!({"position": 2, "of": 2})
        );
        let k = component(&v, "kuntajohto").await;
        close(&k["value"], 70.0);
        // Reference: mean of Asikkala 70 and Lahti 90.
        close(&k["national"], 80.0);
        assert_eq!(k["rank"], json!({"position": 2, "of": 2}));

        // The page shows the same figures, with missing data marked.
        let (_, client) = app.signed_in(ASIKKALA, Role::Coordinator).await;
        let (status, html) = app
            .get_text(&client, "/org/KUNTA:016/hyte-coefficient?lang=en")
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("61.7"), "coefficient on the page");
        assert!(html.contains("2 of 2"), "rank on the page");
        assert!(
            html.contains("Not available in Hyte&#39;s data")
                || html.contains("Not available in Hyte's data")
        );
        assert!(html.contains("<svg"), "charts");
        // The dashboard links to the page and the dialogues.
        let (_, dash) = app.get_text(&client, "/org/KUNTA:016").await;
        assert!(
            dash.contains("/org/KUNTA:016/hyte-coefficient")
                && dash.contains("/org/KUNTA:016/dialogue")
        );

        // The welfare region reads its municipality; another municipality may not.
        let wr = app.user(PAIJAT_HAME, Role::Coordinator).await;
        let wr_token = app.api_token(&wr).await;
        ok_json(app.get_bearer(&wr_token, path).await, StatusCode::OK).await;
        let espoo = app.user(ESPOO, Role::Coordinator).await;
        let espoo_token = app.api_token(&espoo).await;
        json_error(
            app.get_bearer(&espoo_token, path).await,
            StatusCode::FORBIDDEN,
        )
        .await;
        json_error(
            app.get_bearer(&token, "/api/v1/organisations/KUNTA:999x/hyte-coefficient")
                .await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        json_error(
            app.get_bearer(&token, "/api/v1/organisations/KUNTA:999/hyte-coefficient")
                .await,
            StatusCode::NOT_FOUND,
        )
        .await;
        // A welfare region has its own set and only the primary health care sector.
        let v = ok_json(
            app.get_bearer(
                &wr_token,
                "/api/v1/organisations/HYVINVOINTIALUE:09/hyte-coefficient",
            )
            .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(v["set"], "welfare_region");
        // The welfare region may not write its municipality's scores.
        let res = api(
            &app,
            &wr_token,
            Method::PUT,
            "/api/v1/organisations/KUNTA:016/teaviisari",
            Some(json!({"year": 2025, "scores": []})),
        )
        .await;
        json_error(res, StatusCode::FORBIDDEN).await;
    }
);

both!(
    teaviisari_form_validates_and_audits,
    |app: TestApp| async move {
        let (_, client) = app.signed_in(ASIKKALA, Role::Coordinator).await;
        let page = "/org/KUNTA:016/hyte-coefficient";
        let csrf = app.csrf(&client, page).await;
        let form = |score: &'static str, year: &'static str| {
            vec![
                ("csrf", csrf.clone()),
                ("year", year.to_string()),
                ("s.kuntajohto.sitoutuminen", "85,5".to_string()),
                ("s.liikunta.osallisuus", score.to_string()),
            ]
        };
        let post = |f: Vec<(&'static str, String)>| {
            let client = client.clone();
            let url = app.url("/org/KUNTA:016/hyte-coefficient/scores");
            async move { client.post(url).form(&f).send().await.expect("post") }
        };
        // Out of range and not a number: refused, typed values kept, nothing saved.
        let res = post(form("120", "2025")).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = res.text().await.unwrap();
        assert!(
            html.contains("120") && html.contains("aria-invalid=\"true\""),
            "{html}"
        );
        let res = post(form("abc", "20x5")).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(app
            .store
            .teaviisari_scores(&ASIKKALA.parse().unwrap())
            .await
            .unwrap()
            .is_empty());
        // A valid form saves both scores (decimal comma accepted) and is audited.
        let res = post(form("40", "2025")).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert!(location(&res).contains("done=saved"));
        let scores = app
            .store
            .teaviisari_scores(&ASIKKALA.parse().unwrap())
            .await
            .unwrap();
        assert_eq!(scores.len(), 2);
        assert!(scores
            .iter()
            .any(|s| s.sector == "kuntajohto" && (s.score - 85.5).abs() < 1e-9));
        let audit = app
            .store
            .audit_entries(Some(&ASIKKALA.parse().unwrap()), 10)
            .await
            .unwrap();
        assert!(audit
            .iter()
            .any(|a| a.action == "teaviisari_scores"
                && a.detail.contains("2 TEAviisari scores changed")));
        // Emptying a field removes that score.
        let res = post(vec![
            ("csrf", csrf.clone()),
            ("year", "2025".into()),
            ("s.kuntajohto.sitoutuminen", "85.5".into()),
        ])
        .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            app.store
                .teaviisari_scores(&ASIKKALA.parse().unwrap())
                .await
                .unwrap()
                .len(),
            1
        );
        // A reader sees the scores but cannot post them; no CSRF token, no save.
        let (_, reader) = app.signed_in(ASIKKALA, Role::Reader).await;
        let (status, html) = app.get_text(&reader, page).await;
        assert_eq!(status, StatusCode::OK);
        assert!(!html.contains("teaviisari-form"));
        let res = app
            .post_form(
                &reader,
                "/org/KUNTA:016/hyte-coefficient/scores",
                &[("csrf", "x"), ("year", "2025")],
            )
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
    }
);

both!(
    csv_import_reports_lines_and_changes_nothing,
    |app: TestApp| async move {
        let coord = app.user(ASIKKALA, Role::Coordinator).await;
        let token = app.api_token(&coord).await;
        let path = "/api/v1/organisations/KUNTA:016/teaviisari/import";
        let bad = "year,sector,perspective,score\n2025,kuntajohto,sitoutuminen,80\n2025,kuntajohto,johtaminen,101\n2025,terveys,osallisuus,50\n";
        let res = api_csv(&app, &token, path, bad).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let v = json(res).await;
        let problems: Vec<(i64, String)> = v["error"]["problems"]
            .as_array()
            .expect("problems")
            .iter()
            .map(|p| {
                (
                    p["line"].as_i64().unwrap(),
                    p["field"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(
            problems,
            vec![(3, "score".to_string()), (4, "sector".to_string())]
        );
        assert_eq!(v["error"]["problems"][0]["code"], "out_of_range");
        // The valid first line was not saved either.
        let v = ok_json(
            app.get_bearer(&token, "/api/v1/organisations/KUNTA:016/teaviisari")
                .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(v["count"], 0);
        // A Finnish spreadsheet export (semicolons, decimal commas) imports.
        let good = "year;sector;perspective;score\n2024;liikunta;osallisuus;66,5\n2025;kulttuuri;voimavarat;40\n";
        assert_eq!(
            ok_json(api_csv(&app, &token, path, good).await, StatusCode::OK).await["changed"],
            2
        );
        let audit = app
            .store
            .audit_entries(Some(&ASIKKALA.parse().unwrap()), 10)
            .await
            .unwrap();
        assert!(audit.iter().any(|a| a.action == "teaviisari_import"));

        // The browser upload lists the problems with line numbers and changes nothing.
        let (_, client) = app.signed_in(ASIKKALA, Role::Coordinator).await;
        let csrf = app.csrf(&client, "/org/KUNTA:016/hyte-coefficient").await;
        let form = reqwest::multipart::Form::new().text("csrf", csrf).part(
            "file",
            reqwest::multipart::Part::bytes(bad.as_bytes().to_vec()).file_name("tea.csv"),
        );
        let res = client
            .post(app.url("/org/KUNTA:016/hyte-coefficient/import"))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = res.text().await.unwrap();
        assert!(html.contains("Rivi 3") && html.contains("Rivi 4"), "{html}");
        assert!(
            html.contains("101 ei ole väliltä 0–100")
                && html.contains("terveys ei ole tämän organisaation"),
            "{html}"
        );
        let v = ok_json(
            app.get_bearer(&token, "/api/v1/organisations/KUNTA:016/teaviisari")
                .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(v["count"], 2);
        // Another municipality's coordinator cannot import here.
        let lahti = app.user(LAHTI, Role::Coordinator).await;
        let lahti_token = app.api_token(&lahti).await;
        json_error(
            api_csv(&app, &lahti_token, path, good).await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
);

both!(
    dialogue_is_visible_to_both_parties_only,
    |app: TestApp| async move {
        let coord = app.user(ASIKKALA, Role::Coordinator).await;
        let token = app.api_token(&coord).await;
        let body = json!({
            "year": 2026, "held_on": "2026-03-12",
            "participants": "Kunnanjohtaja, hyvinvointikoordinaattori, hyvinvointialueen hyte-päällikkö",
            "support_needs": "Tietotuki vuosiraporttiin",
            "goals": [
                {"goal": "Nuorten koulutuksen ulkopuolelle jäämisen väheneminen", "status": "in_progress", "note": "Etsivä nuorisotyö vahvistettu"},
                {"goal": "Ikäihmisten kaatumisten ehkäisy", "status": "not_started"}
            ]
        });
        let v = ok_json(
            api(
                &app,
                &token,
                Method::POST,
                "/api/v1/organisations/KUNTA:016/dialogues",
                Some(body.clone()),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
        let id = v["id"].as_i64().unwrap();
        assert_eq!(v["welfare_region"], PAIJAT_HAME);
        assert_eq!(v["goals"].as_array().unwrap().len(), 2);
        let one = format!("/api/v1/dialogues/{id}");

        // The welfare region sees it in its own list and may edit it.
        let wr = app.user(PAIJAT_HAME, Role::Coordinator).await;
        let wr_token = app.api_token(&wr).await;
        let list = ok_json(
            app.get_bearer(
                &wr_token,
                "/api/v1/organisations/HYVINVOINTIALUE:09/dialogues",
            )
            .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(list["count"], 1);
        let mut changed = body.clone();
        changed["goals"][1]["status"] = json!("achieved");
        let v = ok_json(
            api(&app, &wr_token, Method::PUT, &one, Some(changed)).await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(v["goals"][1]["status"], "achieved");
        assert_eq!(v["updated_by"], wr.email);
        // Both parties' audit logs have it.
        for org in [ASIKKALA, PAIJAT_HAME] {
            let audit = app
                .store
                .audit_entries(Some(&org.parse().unwrap()), 10)
                .await
                .unwrap();
            assert!(audit.iter().any(|a| a.action == "dialogue_update"), "{org}");
        }
        // A municipality reader reads but cannot edit.
        let reader = app.user(ASIKKALA, Role::Reader).await;
        let reader_token = app.api_token(&reader).await;
        assert_eq!(
            ok_json(app.get_bearer(&reader_token, &one).await, StatusCode::OK).await["can_edit"],
            false
        );
        json_error(
            api(&app, &reader_token, Method::PUT, &one, Some(body.clone())).await,
            StatusCode::FORBIDDEN,
        )
        .await;
        // Lahti (same welfare region, not a party) and Espoo get 403.
        for org in [LAHTI, ESPOO] {
            let u = app.user(org, Role::Coordinator).await;
            let t = app.api_token(&u).await;
            json_error(app.get_bearer(&t, &one).await, StatusCode::FORBIDDEN).await;
            json_error(
                app.get_bearer(&t, "/api/v1/organisations/KUNTA:016/dialogues")
                    .await,
                StatusCode::FORBIDDEN,
            )
            .await;
        }
        // Lahti's own list does not show Asikkala's dialogue.
        let lahti = app.user(LAHTI, Role::Coordinator).await;
        let lt = app.api_token(&lahti).await;
        assert_eq!(
            ok_json(
                app.get_bearer(&lt, "/api/v1/organisations/KUNTA:398/dialogues")
                    .await,
                StatusCode::OK
            )
            .await["count"],
            0
        );
        // Bad input: no goals, bad date, unknown id, malformed id.
        let res = api(
            &app,
            &token,
            Method::POST,
            "/api/v1/organisations/KUNTA:016/dialogues",
            Some(json!({"year": 2026, "goals": []})),
        )
        .await;
        json_error(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        let res = api(&app, &token, Method::POST, "/api/v1/organisations/KUNTA:016/dialogues", Some(json!({"year": 2026, "held_on": "12.3.2026", "goals": [{"goal": "x", "status": "in_progress"}]}))).await;
        json_error(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        json_error(
            app.get_bearer(&token, "/api/v1/dialogues/999999").await,
            StatusCode::NOT_FOUND,
        )
        .await;
        json_error(
            app.get_bearer(&token, "/api/v1/dialogues/abc").await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        // The welfare region records one for a member municipality; not for a foreign one.
        let res = api(&app, &wr_token, Method::POST, "/api/v1/organisations/HYVINVOINTIALUE:09/dialogues", Some(json!({"municipality": LAHTI, "year": 2026, "goals": [{"goal": "Liikkumisen lisääminen", "status": "in_progress"}]}))).await;
        assert_eq!(
            ok_json(res, StatusCode::CREATED).await["municipality"],
            LAHTI
        );
        let res = api(&app, &wr_token, Method::POST, "/api/v1/organisations/HYVINVOINTIALUE:09/dialogues", Some(json!({"municipality": ESPOO, "year": 2026, "goals": [{"goal": "x", "status": "in_progress"}]}))).await;
        json_error(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        // Deleting is for the parties' coordinators.
        let res = api(&app, &lt, Method::DELETE, &one, None).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let res = api(&app, &token, Method::DELETE, &one, None).await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        json_error(app.get_bearer(&token, &one).await, StatusCode::NOT_FOUND).await;
    }
);

both!(dialogue_pages_record_and_show, |app: TestApp| async move {
    let (_, client) = app.signed_in(ASIKKALA, Role::Coordinator).await;
    let csrf = app.csrf(&client, "/org/KUNTA:016/dialogue/new").await;
    // No goal: refused, typed text kept.
    let res = app
        .post_form(
            &client,
            "/org/KUNTA:016/dialogue",
            &[
                ("csrf", &csrf),
                ("year", "2026"),
                ("participants", "Hyte-ryhmä"),
                ("goal_0", ""),
                ("status_0", "not_started"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("Hyte-ryhmä") && html.contains("form-error"));
    let res = app
        .post_form(
            &client,
            "/org/KUNTA:016/dialogue",
            &[
                ("csrf", &csrf),
                ("year", "2026"),
                ("held_on", "2026-03-12"),
                ("participants", "Hyte-ryhmä"),
                ("support_needs", "Tietotuki"),
                ("goal_0", "Nuorten osallisuus"),
                ("status_0", "in_progress"),
                ("note_0", "Nuorisovaltuusto mukana"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (status, html) = app.get_text(&client, "/org/KUNTA:016/dialogue").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Nuorten osallisuus")
            && html.contains("Käynnissä")
            && html.contains("Päijät-Häme")
    );
    // The welfare region's coordinator sees it on its own page and on Asikkala's.
    let (_, wr) = app.signed_in(PAIJAT_HAME, Role::Coordinator).await;
    let (status, html) = app.get_text(&wr, "/org/HYVINVOINTIALUE:09/dialogue").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Nuorten osallisuus") && html.contains("Asikkala"));
    let (status, _) = app.get_text(&wr, "/org/KUNTA:016/dialogue").await;
    assert_eq!(status, StatusCode::OK);
    // Lahti's coordinator: 403.
    let (_, lahti) = app.signed_in(LAHTI, Role::Coordinator).await;
    let (status, _) = app.get_text(&lahti, "/org/KUNTA:016/dialogue").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let id = app
        .store
        .dialogues_of(&ASIKKALA.parse().unwrap())
        .await
        .unwrap()[0]
        .id;
    let (status, _) = app
        .get_text(&lahti, &format!("/org/KUNTA:398/dialogue/{id}"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Editing through the form keeps the goals and changes the status.
    let edit = format!("/org/KUNTA:016/dialogue/{id}");
    let csrf = app.csrf(&client, &edit).await;
    let res = app
        .post_form(
            &client,
            &edit,
            &[
                ("csrf", &csrf),
                ("year", "2026"),
                ("goal_0", "Nuorten osallisuus"),
                ("status_0", "achieved"),
                ("note_0", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let d = app.store.dialogue(id).await.unwrap().unwrap();
    assert_eq!(d.goals[0].status, "achieved");
});
