//! The report's data: indicator list from the preset, exclusions with reasons, added
//! indicators, the appendix, joys and concerns with the data's verdict, proposals from
//! the data, section text with base revisions, comments and permissions. Every test
//! runs on SQLite and on PostgreSQL (`both!`).

#[macro_use]
#[path = "common/mod.rs"]
mod common;

use common::*;
use hyte_app::model::users::NewUser;
use hyte_domain::Role;
use reqwest::{Method, Response, StatusCode};
use serde_json::{json, Value};

/// Significantly worse than the country in Asikkala (low is good).
const IND_WORSE: i64 = 90_101;
/// Significantly better than the country in Asikkala (high is good).
const IND_BETTER: i64 = 90_102;
/// Defined, but without any values.
const IND_EMPTY: i64 = 90_103;

async fn api_raw(app: &TestApp, token: &str, method: Method, path: &str, body: &str) -> Response {
    plain_client()
        .request(method.clone(), app.url(path))
        .bearer_auth(token)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
}

/// Definitions (denominator population, unit %) and five years of values for
/// Asikkala, Lahti, Päijät-Häme and the whole country, with population.
async fn load_data(app: &TestApp) {
    app.store
        .put_indicator(&definition(IND_WORSE, "Testityöttömyys, %", "low_is_good"))
        .await
        .unwrap();
    app.store
        .put_indicator(&definition(IND_BETTER, "Testiliikunta, %", "high_is_good"))
        .await
        .unwrap();
    app.store
        .put_indicator(&definition(
            IND_EMPTY,
            "Testi ilman tietoja, %",
            "low_is_good",
        ))
        .await
        .unwrap();
    let mut csv =
        String::from("indicator,region_category,region_code,region_title_fi,year,gender,value\n");
    for year in 2018..=2022 {
        for (cat, code, name, pop) in [
            ("KUNTA", "016", "Asikkala", 8000),
            ("KUNTA", "398", "Lahti", 120_000),
            ("KUNTA", "049", "Espoo", 300_000),
        ] {
            csv.push_str(&format!("127,{cat},{code},{name},{year},total,{pop}\n"));
        }
        for (cat, code, name, worse, better) in [
            ("KUNTA", "016", "Asikkala", 20.0, 60.0),
            ("KUNTA", "398", "Lahti", 11.0, 50.0),
            ("KUNTA", "049", "Espoo", 9.0, 49.0),
            ("HYVINVOINTIALUE", "09", "Päijät-Häme", 12.0, 51.0),
            ("MAA", "SSS", "Koko maa", 10.0, 50.0),
        ] {
            csv.push_str(&format!(
                "{IND_WORSE},{cat},{code},{name},{year},total,{worse}\n{IND_BETTER},{cat},{code},{name},{year},total,{better}\n"
            ));
        }
    }
    app.store
        .ingest("test-values.csv", csv.into_bytes(), None, "test")
        .await
        .expect("test values import");
}

/// A coordinator of Asikkala with a token, and a new report from the THL outline.
async fn report(app: &TestApp) -> (String, i64) {
    let coord = app.user(ASIKKALA, Role::Coordinator).await;
    let token = app.api_token(&coord).await;
    let res = api(
        app,
        &token,
        Method::POST,
        "/api/v1/organisations/KUNTA:016/reports",
        Some(json!({
            "kind": "term_report", "title": "Hyvinvointikertomus 2025–2029",
            "term_start": 2025, "term_end": 2029, "template": "thl"
        })),
    )
    .await;
    let v = ok_json(res, StatusCode::CREATED).await;
    let id = v["report"]["id"].as_i64().expect("report id");
    (token, id)
}

fn item<'a>(list: &'a Value, key: &str) -> &'a Value {
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["item_key"] == key)
        .unwrap_or_else(|| panic!("{key} not on the list: {list}"))
}

both!(create_report_and_read_it, |app: TestApp| async move {
    let (token, id) = report(&app).await;
    let v = ok_json(
        app.get_bearer(&token, &format!("/api/v1/reports/{id}"))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(v["report"]["org"], ASIKKALA);
    assert_eq!(v["report"]["term_start"], 2025);
    assert_eq!(v["access"], "coordinator");
    let sections = v["sections"].as_array().unwrap();
    assert!(sections.len() >= 10, "THL outline: {v}");
    assert_eq!(sections[0]["revision"], 0);
    assert_eq!(v["coverage"]["uncovered"], json!([]));
    assert_eq!(v["coverage"]["complete"], true);

    let list = ok_json(
        app.get_bearer(&token, "/api/v1/organisations/KUNTA:016/reports")
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list["count"], 1);

    // An empty report lists every content area as uncovered; a section covers one.
    let res = api(
        &app,
        &token,
        Method::POST,
        "/api/v1/organisations/KUNTA:016/reports",
        Some(
            json!({"kind": "yearly_report", "title": "Vuosiraportti", "term_start": 2025,
                    "term_end": 2029, "year": 2026, "template": "empty",
                    "partners": ["KUNTA:081"]}),
        ),
    )
    .await;
    let v = ok_json(res, StatusCode::CREATED).await;
    assert_eq!(v["coverage"]["uncovered"].as_array().unwrap().len(), 6);
    // A named partner is only invited until its coordinator accepts (#14.11).
    assert_eq!(v["report"]["partners"], json!([]));
    assert_eq!(v["report"]["invited_partners"], json!(["KUNTA:081"]));
    let empty = v["report"]["id"].as_i64().unwrap();
    let res = api(
        &app,
        &token,
        Method::POST,
        &format!("/api/v1/reports/{empty}/sections"),
        Some(json!({"heading": "Hyvinvointipolitiikka", "areas": ["welfare_policy"], "sector": "central_administration"})),
    )
    .await;
    let s = ok_json(res, StatusCode::CREATED).await;
    let sid = s["id"].as_i64().unwrap();
    let res = api(
        &app,
        &token,
        Method::PATCH,
        &format!("/api/v1/reports/{empty}/sections/{sid}"),
        Some(json!({"heading": "Hyvinvointipolitiikka ja voimavarat", "status": "draft"})),
    )
    .await;
    let s = ok_json(res, StatusCode::OK).await;
    assert_eq!(s["heading"], "Hyvinvointipolitiikka ja voimavarat");
    assert_eq!(s["status"], "draft");
    let v = ok_json(
        app.get_bearer(&token, &format!("/api/v1/reports/{empty}"))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(v["coverage"]["uncovered"].as_array().unwrap().len(), 5);

    // Bad input is refused clearly.
    let res = api(
        &app,
        &token,
        Method::POST,
        "/api/v1/organisations/KUNTA:016/reports",
        Some(json!({"kind": "essay", "title": "x", "term_start": 2025, "term_end": 2029})),
    )
    .await;
    let msg = json_error(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(msg.contains("essay"), "{msg}");
    let res = api(
        &app,
        &token,
        Method::POST,
        "/api/v1/organisations/KUNTA:016/reports",
        Some(json!({"kind": "term_report", "title": "x", "term_start": 2029, "term_end": 2025})),
    )
    .await;
    json_error(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let res = api(
        &app,
        &token,
        Method::POST,
        &format!("/api/v1/reports/{empty}/sections"),
        Some(json!({"heading": "X", "areas": ["welfare"]})),
    )
    .await;
    json_error(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let res = app.get_bearer(&token, "/api/v1/reports/999999").await;
    json_error(res, StatusCode::NOT_FOUND).await;
    let res = app.get_bearer(&token, "/api/v1/reports/abc").await;
    json_error(res, StatusCode::NOT_FOUND).await;
});

both!(
    preset_exclusion_addition_and_appendix,
    |app: TestApp| async move {
        load_data(&app).await;
        let (token, id) = report(&app).await;
        let res = api(
            &app,
            &token,
            Method::POST,
            &format!("/api/v1/reports/{id}/indicators/seed"),
            None,
        )
        .await;
        let v = ok_json(res, StatusCode::OK).await;
        assert_eq!(v["added"], 37, "{v}");
        // Seeding again changes nothing.
        let res = api(
            &app,
            &token,
            Method::POST,
            &format!("/api/v1/reports/{id}/indicators/seed"),
            None,
        )
        .await;
        let v = ok_json(res, StatusCode::OK).await;
        assert_eq!(v["added"], 0);
        assert_eq!(v["count"], 37);

        let list = ok_json(
            app.get_bearer(&token, &format!("/api/v1/reports/{id}/indicators"))
                .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(list["count"], 37);
        assert!(list["preset"]["note"]
            .as_str()
            .unwrap()
            .contains("not yet available"));
        let edu = item(&list, "sotkanet:180");
        assert_eq!(edu["state"], "pending");
        assert_eq!(edu["has_data"], false, "no values for 180 in this store");
        assert_eq!(
            item(&list, "preset:gini-kerroin")["indicator_id"],
            Value::Null
        );

        // Excluding without a reason is refused and changes nothing.
        let path = format!("/api/v1/reports/{id}/indicators/preset:gini-kerroin");
        let res = api(
            &app,
            &token,
            Method::PUT,
            &path,
            Some(json!({"state": "excluded", "reason": "   "})),
        )
        .await;
        let msg = json_error(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert!(msg.contains("reason"), "{msg}");
        let list = ok_json(
            app.get_bearer(&token, &format!("/api/v1/reports/{id}/indicators"))
                .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(item(&list, "preset:gini-kerroin")["state"], "pending");

        // With a reason it is excluded and listed in the appendix with the reason.
        let res = api(
            &app,
            &token,
            Method::PUT,
            &path,
            Some(json!({"state": "excluded", "reason": "Tulotiedot raportoidaan seudullisesti"})),
        )
        .await;
        let v = ok_json(res, StatusCode::OK).await;
        assert_eq!(v["state"], "excluded");

        // Include one with a section.
        let rep = ok_json(
            app.get_bearer(&token, &format!("/api/v1/reports/{id}"))
                .await,
            StatusCode::OK,
        )
        .await;
        let section = rep["sections"][8]["id"].as_i64().unwrap();
        let heading = rep["sections"][8]["heading"].as_str().unwrap().to_string();
        let res = api(
            &app,
            &token,
            Method::PUT,
            &format!("/api/v1/reports/{id}/indicators/sotkanet:3177"),
            Some(json!({"state": "included", "section_id": section})),
        )
        .await;
        ok_json(res, StatusCode::OK).await;
        // A section of another report is refused.
        let res = api(
            &app,
            &token,
            Method::PUT,
            &format!("/api/v1/reports/{id}/indicators/sotkanet:3177"),
            Some(json!({"state": "included", "section_id": 987654})),
        )
        .await;
        json_error(res, StatusCode::UNPROCESSABLE_ENTITY).await;

        // Adding an indicator needs a reason and a source.
        let add = format!("/api/v1/reports/{id}/indicators/sotkanet:{IND_WORSE}");
        let res = api(
            &app,
            &token,
            Method::PUT,
            &add,
            Some(json!({"state": "added", "reason": "Paikallinen ilmiö"})),
        )
        .await;
        let msg = json_error(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert!(msg.contains("source"), "{msg}");
        let res = api(
            &app,
            &token,
            Method::PUT,
            &add,
            Some(json!({"state": "added", "source": "Sotkanet"})),
        )
        .await;
        json_error(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        let res = api(
            &app,
            &token,
            Method::PUT,
            &add,
            Some(
                json!({"state": "added", "reason": "Nuorten työttömyys on paikallinen huoli",
                    "source": "Sotkanet, THL", "section_id": section, "measure_kind": "state"}),
            ),
        )
        .await;
        let v = ok_json(res, StatusCode::OK).await;
        assert_eq!(v["state"], "added");
        assert_eq!(v["from_preset"], false);
        // A preset item is included, not added; an unknown key is 404; an unknown
        // indicator cannot be added.
        let res = api(
            &app,
            &token,
            Method::PUT,
            &format!("/api/v1/reports/{id}/indicators/sotkanet:180"),
            Some(json!({"state": "added", "reason": "x", "source": "y"})),
        )
        .await;
        json_error(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        let res = api(
            &app,
            &token,
            Method::PUT,
            &format!("/api/v1/reports/{id}/indicators/preset:no-such"),
            Some(json!({"state": "included"})),
        )
        .await;
        json_error(res, StatusCode::NOT_FOUND).await;
        let res = api(
            &app,
            &token,
            Method::PUT,
            &format!("/api/v1/reports/{id}/indicators/sotkanet:99999999"),
            Some(json!({"state": "added", "reason": "x", "source": "y"})),
        )
        .await;
        json_error(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        let res = api(
            &app,
            &token,
            Method::PUT,
            &path,
            Some(json!({"state": "maybe"})),
        )
        .await;
        json_error(res, StatusCode::UNPROCESSABLE_ENTITY).await;

        let a = ok_json(
            app.get_bearer(&token, &format!("/api/v1/reports/{id}/appendix"))
                .await,
            StatusCode::OK,
        )
        .await;
        let a = &a["appendix"];
        let excluded = a["excluded"].as_array().unwrap();
        assert_eq!(excluded.len(), 1, "{a}");
        assert_eq!(excluded[0]["item_key"], "preset:gini-kerroin");
        assert_eq!(
            excluded[0]["reason"],
            "Tulotiedot raportoidaan seudullisesti"
        );
        let added = a["added"].as_array().unwrap();
        assert_eq!(added.len(), 1);
        assert_eq!(added[0]["indicator_id"], IND_WORSE);
        assert_eq!(added[0]["source"], "Sotkanet, THL");
        assert_eq!(
            added[0]["reason"],
            "Nuorten työttömyys on paikallinen huoli"
        );
        assert_eq!(added[0]["section_heading"], heading.as_str());
        let used: Vec<&str> = a["used"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["item_key"].as_str().unwrap())
            .collect();
        assert_eq!(used.len(), 2);
        assert!(used.contains(&"sotkanet:3177"));
        assert!(used.contains(&format!("sotkanet:{IND_WORSE}").as_str()));
        assert_eq!(a["pending"], 35);

        // The indicator list shows which items have data.
        let list = ok_json(
            app.get_bearer(&token, &format!("/api/v1/reports/{id}/indicators"))
                .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(
            item(&list, &format!("sotkanet:{IND_WORSE}"))["has_data"],
            true
        );

        // Readers and editors read but do not decide the list.
        for role in [Role::Editor, Role::Reader] {
            let u = app.user(ASIKKALA, role).await;
            let t = app.api_token(&u).await;
            let res = app
                .get_bearer(&t, &format!("/api/v1/reports/{id}/appendix"))
                .await;
            assert_eq!(res.status(), StatusCode::OK, "{role} reads the appendix");
            let res = api(
                &app,
                &t,
                Method::PUT,
                &path,
                Some(json!({"state": "included"})),
            )
            .await;
            json_error(res, StatusCode::FORBIDDEN).await;
        }
    }
);

both!(
    concerns_get_a_verdict_from_the_data,
    |app: TestApp| async move {
        load_data(&app).await;
        let (token, id) = report(&app).await;
        let path = format!("/api/v1/reports/{id}/observations");
        let res = api(
        &app,
        &token,
        Method::POST,
        &path,
        Some(json!({"kind": "concern", "text": "Työttömyys on korkea", "sector": "vitality_employment",
                    "origin": "working_group", "population_group": "working_age",
                    "indicators": [IND_WORSE]})),
    )
    .await;
        let v = ok_json(res, StatusCode::CREATED).await;
        assert_eq!(v["verdict"], "supported", "{v}");
        let e = &v["evidence"][0];
        assert_eq!(e["indicator_id"], IND_WORSE);
        assert_eq!(e["has_data"], true);
        assert_eq!(e["year"], 2022);
        assert_eq!(e["value"], 20.0);
        assert_eq!(e["country"]["outcome"], "worse");
        assert_eq!(e["country"]["benchmark"], "MAA:SSS");
        assert_eq!(e["region"]["benchmark"], "HYVINVOINTIALUE:09");
        assert_eq!(e["signal"], "supported");
        assert_eq!(v["origin"], "working_group");
        assert_eq!(v["status"], "open");

        // No data: the linked indicator has no values.
        let res = api(
        &app,
        &token,
        Method::POST,
        &path,
        Some(json!({"kind": "concern", "text": "Yksinäisyys", "origin": "residents", "indicators": [IND_EMPTY]})),
    )
    .await;
        let v = ok_json(res, StatusCode::CREATED).await;
        assert_eq!(v["verdict"], "no_data", "{v}");
        assert_eq!(v["evidence"][0]["has_data"], false);

        // A joy the data does not back, and one it does; mixed when both are linked.
        let res = api(
        &app,
        &token,
        Method::POST,
        &path,
        Some(json!({"kind": "joy", "text": "Työllisyys on hyvä", "origin": "ngo", "indicators": [IND_WORSE]})),
    )
    .await;
        assert_eq!(
            ok_json(res, StatusCode::CREATED).await["verdict"],
            "not_supported"
        );
        let res = api(
        &app,
        &token,
        Method::POST,
        &path,
        Some(json!({"kind": "joy", "text": "Liikunta", "origin": "welfare_region", "indicators": [IND_BETTER]})),
    )
    .await;
        assert_eq!(
            ok_json(res, StatusCode::CREATED).await["verdict"],
            "supported"
        );
        let res = api(
            &app,
            &token,
            Method::POST,
            &path,
            Some(
                json!({"kind": "concern", "text": "Kaksi suuntaa", "origin": "sector_group",
                    "indicators": [IND_WORSE, IND_BETTER]}),
            ),
        )
        .await;
        assert_eq!(ok_json(res, StatusCode::CREATED).await["verdict"], "mixed");

        let all = ok_json(app.get_bearer(&token, &path).await, StatusCode::OK).await;
        assert_eq!(all["count"], 5);

        // Bad input: unknown kind or origin, the reserved origin, unknown indicator, empty text.
        for body in [
            json!({"kind": "worry", "text": "x", "origin": "ngo"}),
            json!({"kind": "joy", "text": "x", "origin": "council"}),
            json!({"kind": "joy", "text": "x", "origin": "data"}),
            json!({"kind": "joy", "text": "x", "origin": "ngo", "indicators": [99999999]}),
            json!({"kind": "joy", "text": "  ", "origin": "ngo"}),
            json!({"kind": "joy", "text": "x", "origin": "ngo", "population_group": "pets"}),
        ] {
            let res = api(&app, &token, Method::POST, &path, Some(body.clone())).await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        }
        let all = ok_json(app.get_bearer(&token, &path).await, StatusCode::OK).await;
        assert_eq!(all["count"], 5, "refused input stored nothing");

        // Commenters add joys and concerns; readers do not.
        let c = app.user(ASIKKALA, Role::Commenter).await;
        let ct = app.api_token(&c).await;
        let res = api(
            &app,
            &ct,
            Method::POST,
            &path,
            Some(json!({"kind": "joy", "text": "Kirjasto", "origin": "residents"})),
        )
        .await;
        assert_eq!(
            ok_json(res, StatusCode::CREATED).await["verdict"],
            "no_data"
        );
        let r = app.user(ASIKKALA, Role::Reader).await;
        let rt = app.api_token(&r).await;
        let res = api(
            &app,
            &rt,
            Method::POST,
            &path,
            Some(json!({"kind": "joy", "text": "Kirjasto", "origin": "residents"})),
        )
        .await;
        json_error(res, StatusCode::FORBIDDEN).await;
    }
);

both!(
    proposals_from_data_are_idempotent,
    |app: TestApp| async move {
        load_data(&app).await;
        let (token, id) = report(&app).await;
        let propose = format!("/api/v1/reports/{id}/observations/propose");
        let v = ok_json(
            api(&app, &token, Method::POST, &propose, None).await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(v["proposed"], 2, "{v}");
        let items = v["items"].as_array().unwrap();
        let concern = items
            .iter()
            .find(|i| i["indicators"] == json!([IND_WORSE]))
            .expect("a concern for the worse indicator");
        assert_eq!(concern["kind"], "concern");
        assert_eq!(concern["origin"], "data");
        assert_eq!(concern["status"], "proposed");
        assert_eq!(concern["verdict"], "supported");
        let joy = items
            .iter()
            .find(|i| i["indicators"] == json!([IND_BETTER]))
            .expect("a joy for the better indicator");
        assert_eq!(joy["kind"], "joy");

        // Again: nothing new.
        let v = ok_json(
            api(&app, &token, Method::POST, &propose, None).await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(v["proposed"], 0, "{v}");

        // The group accepts one and dismisses the other; dismissed ones are not proposed again.
        let cid = concern["id"].as_i64().unwrap();
        let jid = joy["id"].as_i64().unwrap();
        let v = ok_json(
            api(
                &app,
                &token,
                Method::PATCH,
                &format!("/api/v1/reports/{id}/observations/{cid}"),
                Some(json!({"status": "accepted"})),
            )
            .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(v["status"], "accepted");
        ok_json(
            api(
                &app,
                &token,
                Method::PATCH,
                &format!("/api/v1/reports/{id}/observations/{jid}"),
                Some(json!({"status": "dismissed"})),
            )
            .await,
            StatusCode::OK,
        )
        .await;
        let v = ok_json(
            api(&app, &token, Method::POST, &propose, None).await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(v["proposed"], 0);
        let res = api(
            &app,
            &token,
            Method::PATCH,
            &format!("/api/v1/reports/{id}/observations/{jid}"),
            Some(json!({"status": "proposed"})),
        )
        .await;
        json_error(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        let res = api(
            &app,
            &token,
            Method::PATCH,
            &format!("/api/v1/reports/{id}/observations/424242"),
            Some(json!({"status": "accepted"})),
        )
        .await;
        json_error(res, StatusCode::NOT_FOUND).await;
        // A commenter may not decide.
        let c = app.user(ASIKKALA, Role::Commenter).await;
        let ct = app.api_token(&c).await;
        let res = api(
            &app,
            &ct,
            Method::PATCH,
            &format!("/api/v1/reports/{id}/observations/{jid}"),
            Some(json!({"status": "accepted"})),
        )
        .await;
        json_error(res, StatusCode::FORBIDDEN).await;

        // The same through the page's button, as a signed-in editor.
        let (_, client) = app.signed_in(ASIKKALA, Role::Editor).await;
        let (_, id2) = report(&app).await;
        let page = format!("/reports/{id2}/observations");
        let csrf = app.csrf(&client, &page).await;
        let res = app
            .post_form(&client, &format!("{page}/propose"), &[("csrf", &csrf)])
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let res = app
            .post_form(&client, &format!("{page}/propose"), &[("csrf", &csrf)])
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(app.store.observations(id2).await.unwrap().len(), 2);
        let (status, html) = app.get_text(&client, &page).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("data-verdict=\"supported\""), "verdict shown");
        assert!(html.contains("Tiedot tukevat"), "verdict in words (fi)");
    }
);

both!(
    stale_base_revision_is_409_with_current_text,
    |app: TestApp| async move {
        let (token, id) = report(&app).await;
        let rep = ok_json(
            app.get_bearer(&token, &format!("/api/v1/reports/{id}"))
                .await,
            StatusCode::OK,
        )
        .await;
        let sid = rep["sections"][4]["id"].as_i64().unwrap();
        let text = format!("/api/v1/reports/{id}/sections/{sid}/text");
        let v = ok_json(
            api(
                &app,
                &token,
                Method::PUT,
                &text,
                Some(json!({"base_revision": 0, "body": "Ensimmäinen versio."})),
            )
            .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(v["revision"], 1);
        let res = api(
            &app,
            &token,
            Method::PUT,
            &text,
            Some(json!({"base_revision": 0, "body": "Toinen, vanhaan pohjaan."})),
        )
        .await;
        assert_eq!(res.status(), StatusCode::CONFLICT);
        let v = json(res).await;
        assert_eq!(v["error"]["status"], 409);
        assert!(!v["error"]["message"].as_str().unwrap().is_empty());
        assert_eq!(v["current_revision"], 1);
        assert_eq!(v["current_body"], "Ensimmäinen versio.");
        // Nothing was written.
        let rep = ok_json(
            app.get_bearer(&token, &format!("/api/v1/reports/{id}"))
                .await,
            StatusCode::OK,
        )
        .await;
        let s = rep["sections"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == sid)
            .unwrap();
        assert_eq!(s["body"], "Ensimmäinen versio.");
        assert_eq!(s["revision"], 1);
        // Merged on the current base it saves.
        let v = ok_json(
            api(
                &app,
                &token,
                Method::PUT,
                &text,
                Some(json!({"base_revision": 1, "body": "Yhdistetty.", "note": "merged"})),
            )
            .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(v["revision"], 2);
        let res = api(
            &app,
            &token,
            Method::PUT,
            &format!("/api/v1/reports/{id}/sections/777777/text"),
            Some(json!({"base_revision": 0, "body": "x"})),
        )
        .await;
        json_error(res, StatusCode::NOT_FOUND).await;
    }
);

both!(
    section_text_needs_the_sector_or_an_assignment,
    |app: TestApp| async move {
        let (token, id) = report(&app).await;
        let rep = ok_json(
            app.get_bearer(&token, &format!("/api/v1/reports/{id}"))
                .await,
            StatusCode::OK,
        )
        .await;
        let sections = rep["sections"].as_array().unwrap();
        let edu = sections
            .iter()
            .find(|s| s["owner_sector"] == "education")
            .expect("an education section");
        let other = sections
            .iter()
            .find(|s| s["owner_sector"] == "central_administration")
            .unwrap();
        let (edu_id, other_id) = (edu["id"].as_i64().unwrap(), other["id"].as_i64().unwrap());
        let mut tx = app.store.begin().await.unwrap();
        let editor = tx
            .create_user(&NewUser {
                email: "opetus@asikkala.example.fi".into(),
                name: "Opetuksen editori".into(),
                org: Some(ASIKKALA.parse().unwrap()),
                role: Role::Editor,
                sector: Some("education".into()),
                password_hash: hyte_web::auth::hash_password(PASSWORD).unwrap(),
            })
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let et = app
            .api_token(&TestUser {
                user: editor.clone(),
                email: editor.email.clone(),
                password: PASSWORD.into(),
            })
            .await;
        let put = |sid: i64| format!("/api/v1/reports/{id}/sections/{sid}/text");
        ok_json(
            api(
                &app,
                &et,
                Method::PUT,
                &put(edu_id),
                Some(json!({"base_revision": 0, "body": "Lapset"})),
            )
            .await,
            StatusCode::OK,
        )
        .await;
        let res = api(
            &app,
            &et,
            Method::PUT,
            &put(other_id),
            Some(json!({"base_revision": 0, "body": "Ei minun"})),
        )
        .await;
        json_error(res, StatusCode::FORBIDDEN).await;
        // Assigned by the coordinator, the editor may write it.
        ok_json(
            api(
                &app,
                &token,
                Method::PATCH,
                &format!("/api/v1/reports/{id}/sections/{other_id}"),
                Some(json!({"assignees": ["opetus@asikkala.example.fi"]})),
            )
            .await,
            StatusCode::OK,
        )
        .await;
        ok_json(
            api(
                &app,
                &et,
                Method::PUT,
                &put(other_id),
                Some(json!({"base_revision": 0, "body": "Nyt saa"})),
            )
            .await,
            StatusCode::OK,
        )
        .await;
        // An editor changes the status of their section but not its heading.
        ok_json(
            api(
                &app,
                &et,
                Method::PATCH,
                &format!("/api/v1/reports/{id}/sections/{edu_id}"),
                Some(json!({"status": "ready_for_review"})),
            )
            .await,
            StatusCode::OK,
        )
        .await;
        let res = api(
            &app,
            &et,
            Method::PATCH,
            &format!("/api/v1/reports/{id}/sections/{edu_id}"),
            Some(json!({"heading": "Uusi"})),
        )
        .await;
        json_error(res, StatusCode::FORBIDDEN).await;
        // Commenters never write text.
        let c = app.user(ASIKKALA, Role::Commenter).await;
        let ct = app.api_token(&c).await;
        let res = api(
            &app,
            &ct,
            Method::PUT,
            &put(edu_id),
            Some(json!({"base_revision": 1, "body": "x"})),
        )
        .await;
        json_error(res, StatusCode::FORBIDDEN).await;

        // Comments: commenters comment, reply, resolve and reopen their own threads.
        let comments = format!("/api/v1/reports/{id}/comments");
        let v = ok_json(
            api(
                &app,
                &ct,
                Method::POST,
                &comments,
                Some(json!({"section_id": edu_id, "body": "Lähde puuttuu"})),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
        let cid = v["id"].as_i64().unwrap();
        ok_json(
            api(
                &app,
                &et,
                Method::POST,
                &comments,
                Some(json!({"parent_id": cid, "body": "Lisätty"})),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
        let v = ok_json(
            api(
                &app,
                &ct,
                Method::POST,
                &format!("{comments}/{cid}/resolve"),
                None,
            )
            .await,
            StatusCode::OK,
        )
        .await;
        assert!(v["comment"]["resolved_at"].is_string(), "{v}");
        let v = ok_json(
            api(
                &app,
                &ct,
                Method::POST,
                &format!("{comments}/{cid}/reopen"),
                None,
            )
            .await,
            StatusCode::OK,
        )
        .await;
        assert!(v["comment"]["resolved_at"].is_null(), "{v}");
        // The page's rule: another commenter may not resolve it, and a reply is
        // resolved with its thread.
        let other = app.user(ASIKKALA, Role::Commenter).await;
        let ot = app.api_token(&other).await;
        let res = api(
            &app,
            &ot,
            Method::POST,
            &format!("{comments}/{cid}/resolve"),
            None,
        )
        .await;
        json_error(res, StatusCode::FORBIDDEN).await;
        let v = ok_json(app.get_bearer(&ct, &comments).await, StatusCode::OK).await;
        let reply = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["parent_id"] == cid)
            .expect("the reply")["id"]
            .as_i64()
            .unwrap();
        let res = api(
            &app,
            &ct,
            Method::POST,
            &format!("{comments}/{reply}/resolve"),
            None,
        )
        .await;
        json_error(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        let v = ok_json(app.get_bearer(&ct, &comments).await, StatusCode::OK).await;
        assert_eq!(v["count"], 2);
        let res = api(
            &app,
            &ct,
            Method::POST,
            &comments,
            Some(json!({"section_id": 555555, "body": "x"})),
        )
        .await;
        json_error(res, StatusCode::NOT_FOUND).await;
        let res = api(
            &app,
            &ct,
            Method::POST,
            &comments,
            Some(json!({"body": ""})),
        )
        .await;
        json_error(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        let res = api(
            &app,
            &ct,
            Method::POST,
            &format!("{comments}/565656/resolve"),
            None,
        )
        .await;
        json_error(res, StatusCode::NOT_FOUND).await;
        let r = app.user(ASIKKALA, Role::Reader).await;
        let rt = app.api_token(&r).await;
        let res = api(
            &app,
            &rt,
            Method::POST,
            &comments,
            Some(json!({"body": "lukija"})),
        )
        .await;
        json_error(res, StatusCode::FORBIDDEN).await;
    }
);

both!(
    other_organisations_are_kept_out,
    |app: TestApp| async move {
        let (_, id) = report(&app).await;
        let lahti = app.user(LAHTI, Role::Coordinator).await;
        let lt = app.api_token(&lahti).await;
        for path in [
            format!("/api/v1/reports/{id}"),
            format!("/api/v1/reports/{id}/indicators"),
            format!("/api/v1/reports/{id}/observations"),
            format!("/api/v1/reports/{id}/appendix"),
            format!("/api/v1/reports/{id}/comments"),
            "/api/v1/organisations/KUNTA:016/reports".to_string(),
        ] {
            let res = app.get_bearer(&lt, &path).await;
            json_error(res, StatusCode::FORBIDDEN).await;
        }
        let res = api(
            &app,
            &lt,
            Method::PUT,
            &format!("/api/v1/reports/{id}/indicators/sotkanet:180"),
            Some(json!({"state": "included"})),
        )
        .await;
        json_error(res, StatusCode::FORBIDDEN).await;
        let res = api(
            &app,
            &lt,
            Method::POST,
            "/api/v1/organisations/KUNTA:016/reports",
            Some(
                json!({"kind": "term_report", "title": "x", "term_start": 2025, "term_end": 2029}),
            ),
        )
        .await;
        json_error(res, StatusCode::FORBIDDEN).await;

        // The welfare region reads its municipality's report but changes nothing.
        let wr = app.user("HYVINVOINTIALUE:09", Role::Coordinator).await;
        let wt = app.api_token(&wr).await;
        let v = ok_json(
            app.get_bearer(&wt, &format!("/api/v1/reports/{id}")).await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(v["access"], "read");
        let res = api(
            &app,
            &wt,
            Method::POST,
            &format!("/api/v1/reports/{id}/indicators/seed"),
            None,
        )
        .await;
        json_error(res, StatusCode::FORBIDDEN).await;
        let res = api(
            &app,
            &wt,
            Method::POST,
            &format!("/api/v1/reports/{id}/observations"),
            Some(json!({"kind": "joy", "text": "x", "origin": "welfare_region"})),
        )
        .await;
        json_error(res, StatusCode::FORBIDDEN).await;

        // A partner of a joint report works on it with its own role.
        let coord = app.user(ASIKKALA, Role::Coordinator).await;
        let ct = app.api_token(&coord).await;
        let v = ok_json(
        api(&app, &ct, Method::POST, "/api/v1/organisations/KUNTA:016/reports",
            Some(json!({"kind": "term_report", "title": "Yhteinen", "term_start": 2025, "term_end": 2029,
                        "partners": [LAHTI], "template": "empty"}))).await,
        StatusCode::CREATED,
    )
    .await;
        let joint = v["report"]["id"].as_i64().unwrap();
        // Invited, Lahti has no access; once its coordinator accepts, it works on it.
        let res = app
            .get_bearer(&lt, &format!("/api/v1/reports/{joint}"))
            .await;
        json_error(res, StatusCode::FORBIDDEN).await;
        let mut tx = app.store.begin().await.unwrap();
        tx.accept_partner(joint, &LAHTI.parse().unwrap(), "test")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let v = ok_json(
            app.get_bearer(&lt, &format!("/api/v1/reports/{joint}"))
                .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(v["access"], "coordinator");

        // No credentials: 401; a bad token: 401.
        let res = app.get(&format!("/api/v1/reports/{id}")).await;
        json_error(res, StatusCode::UNAUTHORIZED).await;
        let res = app
            .get_bearer("nonsense", &format!("/api/v1/reports/{id}"))
            .await;
        json_error(res, StatusCode::UNAUTHORIZED).await;

        // Pages: anonymous → sign-in, another organisation → 403, unknown → 404.
        for page in ["indicators", "appendix", "observations"] {
            let res = app.get(&format!("/reports/{id}/{page}")).await;
            assert_eq!(res.status(), StatusCode::SEE_OTHER, "{page}");
            assert!(location(&res).starts_with("/login"), "{page}");
        }
        let (_, lc) = app.signed_in(LAHTI, Role::Coordinator).await;
        for page in ["indicators", "appendix", "observations"] {
            let res = app.get_with(&lc, &format!("/reports/{id}/{page}")).await;
            assert_eq!(res.status(), StatusCode::FORBIDDEN, "{page}");
            let res = app.get_with(&lc, &format!("/reports/999999/{page}")).await;
            assert_eq!(res.status(), StatusCode::NOT_FOUND, "{page}");
        }
    }
);

both!(malformed_json_is_a_json_error, |app: TestApp| async move {
    let (token, id) = report(&app).await;
    let res = api_raw(
        &app,
        &token,
        Method::POST,
        "/api/v1/organisations/KUNTA:016/reports",
        "{\"kind\": ",
    )
    .await;
    json_error(res, StatusCode::BAD_REQUEST).await;
    let res = api_raw(
        &app,
        &token,
        Method::POST,
        "/api/v1/organisations/KUNTA:016/reports",
        "{\"kind\": \"term_report\"}",
    )
    .await;
    let msg = json_error(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(msg.contains("title"), "names the missing field: {msg}");
    let res = api_raw(
        &app,
        &token,
        Method::PUT,
        &format!("/api/v1/reports/{id}/indicators/sotkanet:180"),
        "{\"state\": 5}",
    )
    .await;
    json_error(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let rep = ok_json(
        app.get_bearer(&token, &format!("/api/v1/reports/{id}"))
            .await,
        StatusCode::OK,
    )
    .await;
    let sid = rep["sections"][0]["id"].as_i64().unwrap();
    let res = api_raw(
        &app,
        &token,
        Method::PUT,
        &format!("/api/v1/reports/{id}/sections/{sid}/text"),
        "not json",
    )
    .await;
    json_error(res, StatusCode::BAD_REQUEST).await;
    let res = plain_client()
        .put(app.url(&format!("/api/v1/reports/{id}/sections/{sid}/text")))
        .bearer_auth(&token)
        .body("{}")
        .send()
        .await
        .unwrap();
    json_error(res, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    // Nothing was created by the refused requests.
    let list = ok_json(
        app.get_bearer(&token, "/api/v1/organisations/KUNTA:016/reports")
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list["count"], 1);
});

both!(
    pages_seed_exclude_and_show_the_appendix,
    |app: TestApp| async move {
        load_data(&app).await;
        let (_, id) = report(&app).await;
        let (_, client) = app.signed_in(ASIKKALA, Role::Coordinator).await;
        let page = format!("/reports/{id}/indicators");
        let (status, html) = app.get_text(&client, &page).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            html.contains("/indicators/seed"),
            "seed button on an empty list"
        );
        assert!(
            html.contains("THL:n virallinen vähimmäistietolista ei ole vielä saatavilla"),
            "honest preset label"
        );
        let csrf = hidden_input(&html, "csrf").unwrap();

        // Without the CSRF token nothing happens.
        let res = app
            .post_form(&client, &format!("{page}/seed"), &[("csrf", "wrong")])
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        assert!(app.store.selections(id).await.unwrap().is_empty());

        let res = app
            .post_form(&client, &format!("{page}/seed"), &[("csrf", &csrf)])
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(app.store.selections(id).await.unwrap().len(), 37);
        let (_, html) = app.get_text(&client, &page).await;
        assert!(html.contains("Gini-kerroin"));
        assert!(html.contains("ei vielä tietoja"), "no data yet shown");

        // Excluding without a reason: 422 with a clear message; the item is unchanged.
        let res = app
            .post_form(
                &client,
                &format!("{page}/select"),
                &[
                    ("csrf", &csrf),
                    ("item_key", "preset:elatussuhde"),
                    ("state", "excluded"),
                    ("reason", ""),
                    ("section_id", ""),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = res.text().await.unwrap();
        assert!(html.contains("role=\"alert\""), "error announced");
        assert!(
            html.contains("kirjallisen perustelun"),
            "says a reason is needed: {html}"
        );
        let s = app.store.selections(id).await.unwrap();
        let item = s
            .iter()
            .find(|s| s.item_key == "preset:elatussuhde")
            .unwrap();
        assert_eq!(item.state.as_str(), "pending");

        let res = app
            .post_form(
                &client,
                &format!("{page}/select"),
                &[
                    ("csrf", &csrf),
                    ("item_key", "preset:elatussuhde"),
                    ("state", "excluded"),
                    ("reason", "Ei käytössä kunnan raportoinnissa"),
                    ("section_id", ""),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);

        // Add an indicator through the form.
        let res = app
            .post_form(
                &client,
                &format!("{page}/add"),
                &[
                    ("csrf", &csrf),
                    ("indicator_id", &IND_BETTER.to_string()),
                    ("reason", "Liikunta on paikallinen vahvuus"),
                    ("source", "Sotkanet"),
                    ("section_id", ""),
                    ("measure_kind", "state"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let res = app
            .post_form(
                &client,
                &format!("{page}/add"),
                &[
                    ("csrf", &csrf),
                    ("indicator_id", &IND_EMPTY.to_string()),
                    ("reason", "x"),
                    ("source", ""),
                    ("section_id", ""),
                    ("measure_kind", "state"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

        // A self-assessment entry; a score outside 1–5 is refused.
        let res = app
            .post_form(
                &client,
                &format!("/reports/{id}/self-assessments"),
                &[
                    ("csrf", &csrf),
                    ("topic", "Hyte-rakenteet"),
                    ("body", "Hyvinvointiryhmä kokoontuu kuukausittain."),
                    ("score", "4"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let res = app
            .post_form(
                &client,
                &format!("/reports/{id}/self-assessments"),
                &[
                    ("csrf", &csrf),
                    ("topic", "Voimavarat"),
                    ("body", ""),
                    ("score", "9"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = res.text().await.unwrap();
        assert!(
            html.contains("Pisteiden on oltava 1–5"),
            "refusal in the UI language"
        );
        assert_eq!(app.store.self_assessments(id).await.unwrap().len(), 1);

        let (status, html) = app
            .get_text(&client, &format!("/reports/{id}/appendix"))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            html.contains("Ei käytössä kunnan raportoinnissa"),
            "exclusion reason in the appendix"
        );
        assert!(
            html.contains("Liikunta on paikallinen vahvuus"),
            "addition reason in the appendix"
        );
        assert!(
            html.contains("Testiliikunta"),
            "added indicator in the appendix"
        );
        assert!(html.contains("Hyte-rakenteet"));

        // In English the same page speaks English.
        let (_, html) = app
            .get_text(&client, &format!("/reports/{id}/appendix?lang=en"))
            .await;
        assert!(html.contains("Excluded indicators and reasons"));

        // A reader sees the list without the forms and cannot post.
        let (_, rc) = app.signed_in(ASIKKALA, Role::Reader).await;
        let (status, html) = app.get_text(&rc, &page).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            !html.contains("/indicators/select"),
            "no decision forms for readers"
        );
        let rcsrf = hidden_input(&html, "csrf").unwrap();
        let res = app
            .post_form(
                &rc,
                &format!("{page}/select"),
                &[
                    ("csrf", &rcsrf),
                    ("item_key", "preset:elatussuhde"),
                    ("state", "included"),
                    ("reason", ""),
                    ("section_id", ""),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);

        // Joys and concerns through the page form, with a multi-select of indicators.
        let obs = format!("/reports/{id}/observations");
        let res = app
            .post_form(
                &client,
                &obs,
                &[
                    ("csrf", &csrf),
                    ("kind", "concern"),
                    ("text", "Työttömyys huolettaa"),
                    ("sector", "vitality_employment"),
                    ("origin", "working_group"),
                    ("population_group", "working_age"),
                    ("indicators", &IND_WORSE.to_string()),
                    ("indicators", &IND_EMPTY.to_string()),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let o = app.store.observations(id).await.unwrap();
        assert_eq!(o.len(), 1);
        assert_eq!(o[0].indicators, vec![IND_WORSE, IND_EMPTY]);
        let (_, html) = app.get_text(&client, &obs).await;
        assert!(html.contains("Työttömyys huolettaa"));
        assert!(html.contains("data-verdict=\"supported\""));
        let res = app
            .post_form(
                &client,
                &obs,
                &[
                    ("csrf", &csrf),
                    ("kind", "concern"),
                    ("text", ""),
                    ("sector", ""),
                    ("origin", "working_group"),
                    ("population_group", ""),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(app.store.observations(id).await.unwrap().len(), 1);
    }
);
