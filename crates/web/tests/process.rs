//! The report as a process: THL's eight phases seeded as tasks, automatic task
//! status from the report's real state, editing and reordering tasks, invitations to
//! the working group, the audit log and the welfare region's overview. Every test
//! runs on SQLite and on PostgreSQL (`both!`).

#[macro_use]
#[path = "common/mod.rs"]
mod common;

use common::*;
use hyte_app::model::reports::Selection;
use hyte_domain::report::{MeasureKind, ObservationKind, ObservationOrigin, SelectionState};
use hyte_domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// A coordinator of Asikkala with a token, and a new report.
async fn report(app: &TestApp) -> (TestUser, String, i64) {
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
    (coord, token, v["report"]["id"].as_i64().expect("report id"))
}

async fn tasks(app: &TestApp, token: &str, id: i64) -> Value {
    ok_json(
        app.get_bearer(token, &format!("/api/v1/reports/{id}/tasks"))
            .await,
        StatusCode::OK,
    )
    .await
}

/// The task with a template key.
fn by_key<'a>(v: &'a Value, key: &str) -> &'a Value {
    v["phases"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["tasks"].as_array().unwrap().iter())
        .find(|t| t["key"] == key)
        .unwrap_or_else(|| panic!("no task {key}: {v}"))
}

fn phase_ids(v: &Value, phase: usize) -> Vec<i64> {
    v["phases"][phase - 1]["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect()
}

both!(seeds_the_eight_phases_once, |app: TestApp| async move {
    let (coord, token, id) = report(&app).await;
    let v = tasks(&app, &token, id).await;
    let phases = v["phases"].as_array().unwrap();
    assert_eq!(phases.len(), 8, "{v}");
    let template = hyte_domain::process::thl_template();
    let total: usize = phases
        .iter()
        .map(|p| p["tasks"].as_array().unwrap().len())
        .sum();
    assert_eq!(total, template.len());
    for (i, p) in phases.iter().enumerate() {
        assert_eq!(p["number"], i as i64 + 1);
        assert!(!p["tasks"].as_array().unwrap().is_empty(), "phase {p}");
    }
    assert_eq!(v["current_phase"], 1);
    assert_eq!(by_key(&v, "working_group")["status"], "todo");
    assert_eq!(by_key(&v, "outline_agreed")["automatic"], true);
    assert_eq!(by_key(&v, "decision")["automatic"], false);
    // Seeding happens once: another read adds nothing.
    let again = tasks(&app, &token, id).await;
    assert_eq!(phase_ids(&again, 1), phase_ids(&v, 1));

    // The page: the report tab, the timeline and every phase in the reader's language.
    let client = new_client();
    app.login(&client, &coord.email, &coord.password).await;
    let (status, html) = app
        .get_text(&client, &format!("/reports/{id}/process"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"timeline\""), "{html}");
    assert!(html.contains("aria-current=\"page\""));
    for phase in [
        "Työ ja suunnittelu käynnistyy",
        "Seuranta",
        "Kertomuksen hyväksyminen valtuustossa",
    ] {
        assert!(html.contains(phase), "{phase}");
    }
    assert!(html.contains("Sisällysluettelo sovittu otsikkotasolla"));
    let (_, sv) = app
        .get_text(&client, &format!("/reports/{id}/process?lang=sv"))
        .await;
    assert!(sv.contains("Innehållsförteckningen överenskommen på rubriknivå"));
    assert!(sv.contains("Uppföljning"));
    let (_, outline) = app
        .get_text(&client, &format!("/reports/{id}/indicators"))
        .await;
    assert!(
        outline.contains(&format!("/reports/{id}/process")),
        "report tab"
    );
});

both!(
    automatic_tasks_follow_the_report,
    |app: TestApp| async move {
        let (coord, token, id) = report(&app).await;
        let v = tasks(&app, &token, id).await;
        assert_eq!(by_key(&v, "outline_agreed")["status"], "todo");
        assert_eq!(by_key(&v, "indicator_list_fixed")["status"], "todo");
        assert_eq!(by_key(&v, "joys_concerns")["status"], "todo");
        assert_eq!(by_key(&v, "council_approval")["status"], "todo");
        assert_eq!(by_key(&v, "yearly_report")["status"], "todo");

        let mut tx = app.store.begin().await.unwrap();
        tx.agree_outline(id).await.unwrap();
        tx.commit().await.unwrap();
        let mut sel = Selection {
            item_key: "sotkanet:127".into(),
            indicator_id: Some(127),
            title: "Väkiluku".into(),
            state: SelectionState::Pending,
            reason: String::new(),
            source: None,
            section_id: None,
            measure_kind: MeasureKind::State,
            from_preset: true,
            theme: None,
            population_group: None,
            updated_by: coord.email.clone(),
            updated_at: String::new(),
        };
        let mut tx = app.store.begin().await.unwrap();
        tx.put_selection(id, &sel).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = app.store.begin().await.unwrap();
        let oid = tx
            .add_observation(
                id,
                ObservationKind::Concern,
                "Nuorten yksinäisyys on lisääntynyt",
                None,
                ObservationOrigin::WorkingGroup,
                None,
                "open",
                &[],
                &coord.email,
            )
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let v = tasks(&app, &token, id).await;
        assert_eq!(by_key(&v, "outline_agreed")["status"], "done");
        assert_eq!(by_key(&v, "indicator_list_fixed")["status"], "in_progress");
        assert_eq!(by_key(&v, "joys_concerns")["status"], "in_progress");
        assert_eq!(v["facts"]["outline_agreed"], true);

        sel.state = SelectionState::Included;
        let mut tx = app.store.begin().await.unwrap();
        tx.put_selection(id, &sel).await.unwrap();
        tx.set_observation_indicators(oid, &[127]).await.unwrap();
        tx.commit().await.unwrap();
        let v = tasks(&app, &token, id).await;
        assert_eq!(by_key(&v, "indicator_list_fixed")["status"], "done");
        assert_eq!(by_key(&v, "joys_concerns")["status"], "done");
        // Approval is not recorded yet (approval_facts), so the council task stays open.
        assert_eq!(by_key(&v, "council_approval")["status"], "todo");
        assert_eq!(v["approval"]["council_approved"], false);

        // A person cannot mark an automatic task done, but may say it is not needed.
        let tid = by_key(&v, "council_approval")["id"].as_i64().unwrap();
        let path = format!("/api/v1/reports/{id}/tasks/{tid}");
        let t = ok_json(
            api(
                &app,
                &token,
                Method::PATCH,
                &path,
                Some(json!({"status": "done"})),
            )
            .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(t["status"], "todo", "{t}");
        assert_eq!(t["stored_status"], "done");
        let t = ok_json(
            api(
                &app,
                &token,
                Method::PATCH,
                &path,
                Some(json!({"status": "not_needed"})),
            )
            .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(t["status"], "not_needed");

        // The current phase moves on when every task of phase 1 is closed.
        let v = tasks(&app, &token, id).await;
        for t in v["phases"][0]["tasks"].as_array().unwrap() {
            let tid = t["id"].as_i64().unwrap();
            api(
                &app,
                &token,
                Method::PATCH,
                &format!("/api/v1/reports/{id}/tasks/{tid}"),
                Some(json!({"status": "done"})),
            )
            .await;
        }
        let v = tasks(&app, &token, id).await;
        assert_eq!(v["phases"][0]["complete"], true, "{}", v["phases"][0]);
        assert_eq!(v["current_phase"], 2);
    }
);

both!(
    tasks_are_added_edited_reordered_and_removed,
    |app: TestApp| async move {
        let (coord, token, id) = report(&app).await;
        let v = tasks(&app, &token, id).await;
        let before = phase_ids(&v, 3);

        // Add at the end of phase 3, with an owner and a due date.
        let res = api(
        &app,
        &token,
        Method::POST,
        &format!("/api/v1/reports/{id}/tasks"),
        Some(json!({"phase": 3, "title": "Asukaskysely nuorille", "owner_id": coord.user.id, "due_date": "2020-01-31"})),
    )
    .await;
        let t = ok_json(res, StatusCode::CREATED).await;
        let new_id = t["id"].as_i64().unwrap();
        assert_eq!(t["title"], "Asukaskysely nuorille");
        assert_eq!(t["owner_id"], coord.user.id);
        assert_eq!(t["overdue"], true, "due in the past and open: {t}");
        let v = tasks(&app, &token, id).await;
        let mut expected = before.clone();
        expected.push(new_id);
        assert_eq!(phase_ids(&v, 3), expected);
        assert_eq!(v["overdue"], json!([new_id]));
        assert_eq!(v["phases"][2]["overdue"], 1);

        // Move it up: it swaps with the one before.
        let path = format!("/api/v1/reports/{id}/tasks/{new_id}");
        ok_json(
            api(
                &app,
                &token,
                Method::PATCH,
                &path,
                Some(json!({"move": "up"})),
            )
            .await,
            StatusCode::OK,
        )
        .await;
        let v = tasks(&app, &token, id).await;
        let ids = phase_ids(&v, 3);
        assert_eq!(ids[ids.len() - 2], new_id);
        assert_eq!(ids[ids.len() - 1], *before.last().unwrap());

        // Rename a template task, and back to THL's wording.
        let first = before[0];
        let p1 = format!("/api/v1/reports/{id}/tasks/{first}");
        let t = ok_json(
            api(
                &app,
                &token,
                Method::PATCH,
                &p1,
                Some(json!({"title": "Tietosisällöstä päättää johtoryhmä"})),
            )
            .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(t["title"], "Tietosisällöstä päättää johtoryhmä");
        let t = ok_json(
            api(
                &app,
                &token,
                Method::PATCH,
                &p1,
                Some(json!({"title": null})),
            )
            .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(t["title"], "Lopullinen tietosisältö päätetty");

        // Done, and no longer overdue.
        let t = ok_json(
            api(
                &app,
                &token,
                Method::PATCH,
                &path,
                Some(json!({"status": "done", "due_date": null})),
            )
            .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(t["status"], "done");
        assert_eq!(t["overdue"], false);
        assert_eq!(t["due_date"], Value::Null);

        // Bad input: clear refusals.
        let lahti = app.user(LAHTI, Role::Editor).await;
        for body in [
            json!({"owner_id": lahti.user.id}),
            json!({"due_date": "31.1.2026"}),
            json!({"due_date": "2026-02-30"}),
            json!({"status": "finished"}),
            json!({"move": "sideways"}),
        ] {
            let res = api(&app, &token, Method::PATCH, &path, Some(body.clone())).await;
            json_error(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        let res = api(
            &app,
            &token,
            Method::PATCH,
            &path,
            Some(json!({"colour": "red"})),
        )
        .await;
        assert!(res.status().is_client_error());
        let res = api(
            &app,
            &token,
            Method::POST,
            &format!("/api/v1/reports/{id}/tasks"),
            Some(json!({"phase": 9, "title": "x"})),
        )
        .await;
        json_error(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        let res = api(
            &app,
            &token,
            Method::POST,
            &format!("/api/v1/reports/{id}/tasks"),
            Some(json!({"phase": 2, "title": "  "})),
        )
        .await;
        json_error(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        let res = api(
            &app,
            &token,
            Method::PATCH,
            &format!("/api/v1/reports/{id}/tasks/999999"),
            Some(json!({"status": "done"})),
        )
        .await;
        json_error(res, StatusCode::NOT_FOUND).await;
        // A task of another report is not found through this one.
        let (_, token2, id2) = report(&app).await;
        let res = api(
            &app,
            &token2,
            Method::PATCH,
            &format!("/api/v1/reports/{id2}/tasks/{new_id}"),
            Some(json!({"status": "done"})),
        )
        .await;
        json_error(res, StatusCode::NOT_FOUND).await;

        // An editor who owns a task may set its status, nothing else; others nothing.
        let editor = app.user(ASIKKALA, Role::Editor).await;
        let etoken = app.api_token(&editor).await;
        let res = api(
            &app,
            &etoken,
            Method::PATCH,
            &path,
            Some(json!({"status": "in_progress"})),
        )
        .await;
        json_error(res, StatusCode::FORBIDDEN).await;
        ok_json(
            api(
                &app,
                &token,
                Method::PATCH,
                &path,
                Some(json!({"owner_id": editor.user.id})),
            )
            .await,
            StatusCode::OK,
        )
        .await;
        let t = ok_json(
            api(
                &app,
                &etoken,
                Method::PATCH,
                &path,
                Some(json!({"status": "in_progress"})),
            )
            .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(t["status"], "in_progress");
        let res = api(
            &app,
            &etoken,
            Method::PATCH,
            &path,
            Some(json!({"due_date": "2030-01-01"})),
        )
        .await;
        json_error(res, StatusCode::FORBIDDEN).await;
        let res = api(&app, &etoken, Method::DELETE, &path, None).await;
        json_error(res, StatusCode::FORBIDDEN).await;

        // Remove.
        let res = api(&app, &token, Method::DELETE, &path, None).await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        let v = tasks(&app, &token, id).await;
        assert_eq!(phase_ids(&v, 3), before);

        // The same through the browser forms, with CSRF.
        let client = new_client();
        app.login(&client, &coord.email, &coord.password).await;
        let page = format!("/reports/{id}/process");
        let csrf = app.csrf(&client, &page).await;
        let res = app
            .post_form(
                &client,
                &format!("{page}/tasks"),
                &[
                    ("csrf", &csrf),
                    ("phase", "6"),
                    ("title", "Juliste kirjastoon"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let v = tasks(&app, &token, id).await;
        let added = *phase_ids(&v, 6).last().unwrap();
        let uid = editor.user.id.to_string();
        let res = app
            .post_form(
                &client,
                &format!("{page}/tasks/{added}"),
                &[
                    ("csrf", &csrf),
                    ("title", "Juliste kirjastoon"),
                    ("owner", &uid),
                    ("due", "2026-05-15"),
                    ("status", "done"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let (_, html) = app.get_text(&client, &page).await;
        assert!(html.contains("Juliste kirjastoon") && html.contains("2026-05-15"));
        assert!(html.contains(&editor.user.name));
        let res = app
            .post_form(
                &client,
                &format!("{page}/tasks/{added}/move"),
                &[("csrf", &csrf), ("direction", "up")],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let ids = phase_ids(&tasks(&app, &token, id).await, 6);
        assert_eq!(ids[ids.len() - 2], added, "moved up one place");
        let res = app
            .post_form(
                &client,
                &format!("{page}/tasks/{added}/remove"),
                &[("csrf", "wrong")],
            )
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let res = app
            .post_form(
                &client,
                &format!("{page}/tasks/{added}/remove"),
                &[("csrf", &csrf)],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert!(!phase_ids(&tasks(&app, &token, id).await, 6).contains(&added));
    }
);

fn token_of(link: &str) -> String {
    link.rsplit('/').next().unwrap().to_string()
}

async fn invite(app: &TestApp, token: &str, email: &str, role: &str) -> Value {
    ok_json(
        api(
            app,
            token,
            Method::POST,
            "/api/v1/organisations/KUNTA:016/invitations",
            Some(json!({"email": email, "role": role, "sector": "education"})),
        )
        .await,
        StatusCode::CREATED,
    )
    .await
}

both!(
    invitations_are_single_use_and_expire,
    |app: TestApp| async move {
        let coord = app.user(ASIKKALA, Role::Coordinator).await;
        let token = app.api_token(&coord).await;
        let inv = invite(&app, &token, "Opettaja@Asikkala.example.fi", "editor").await;
        assert_eq!(inv["email"], "opettaja@asikkala.example.fi");
        assert_eq!(inv["state"], "pending");
        let link = inv["link"].as_str().unwrap();
        assert!(link.contains("/invite/"), "{link}");
        let secret = token_of(link);

        // The invitee opens the link in a browser of their own.
        let invitee = new_client();
        let (status, html) = app.get_text(&invitee, &format!("/invite/{secret}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("opettaja@asikkala.example.fi") && html.contains("Asikkala"));
        // Mismatched passwords are refused, nothing is used up.
        let res = app
            .post_form(
                &invitee,
                &format!("/invite/{secret}"),
                &[
                    ("name", "Outi Opettaja"),
                    ("password", "pitkä salasana 1"),
                    ("password2", "toinen salasana"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let res = app
            .post_form(
                &invitee,
                &format!("/invite/{secret}"),
                &[
                    ("name", "Outi Opettaja"),
                    ("password", "pitkä salasana 1"),
                    ("password2", "pitkä salasana 1"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.text().await.unwrap().contains("id=\"joined\""));
        let u = app
            .store
            .user_by_email("opettaja@asikkala.example.fi")
            .await
            .unwrap()
            .expect("user made");
        assert_eq!(u.org.unwrap().to_string(), ASIKKALA);
        assert_eq!(u.role, Role::Editor);
        assert_eq!(u.sector.as_deref(), Some("education"));
        let res = app
            .login(
                &new_client(),
                "opettaja@asikkala.example.fi",
                "pitkä salasana 1",
            )
            .await;
        assert_eq!(
            res.status(),
            StatusCode::SEE_OTHER,
            "the new member signs in"
        );

        // Used: a clear error, in the browser and the API.
        let (status, html) = app
            .get_text(&new_client(), &format!("/invite/{secret}"))
            .await;
        assert_eq!(status, StatusCode::GONE);
        assert!(html.contains("already been used"), "{html}");
        let res = plain_client()
            .post(app.url(&format!("/api/v1/invitations/{secret}/accept")))
            .json(&json!({"name": "Toinen", "password": "pitkä salasana 2"}))
            .send()
            .await
            .unwrap();
        json_error(res, StatusCode::GONE).await;
        // Unknown.
        let (status, _) = app
            .get_text(&new_client(), "/invite/0123456789abcdef")
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // Expired after 14 days.
        let inv = invite(&app, &token, "vanha@asikkala.example.fi", "reader").await;
        let old = token_of(inv["link"].as_str().unwrap());
        sqlx::query("UPDATE invitation SET expires_at = $1 WHERE id = $2")
            .bind("2020-01-01T00:00:00Z")
            .bind(inv["id"].as_i64().unwrap())
            .execute(app.store.pool())
            .await
            .unwrap();
        let (status, html) = app.get_text(&new_client(), &format!("/invite/{old}")).await;
        assert_eq!(status, StatusCode::GONE);
        assert!(html.contains("expired"));
        let res = app
            .post_form(
                &new_client(),
                &format!("/invite/{old}"),
                &[
                    ("name", "V"),
                    ("password", "pitkä salasana 1"),
                    ("password2", "pitkä salasana 1"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::GONE);
        assert!(app
            .store
            .user_by_email("vanha@asikkala.example.fi")
            .await
            .unwrap()
            .is_none());

        // Revoked; accepted through the API otherwise.
        let inv = invite(&app, &token, "peruttu@asikkala.example.fi", "reader").await;
        let iid = inv["id"].as_i64().unwrap();
        let revoked = token_of(inv["link"].as_str().unwrap());
        let v = ok_json(
            api(
                &app,
                &token,
                Method::DELETE,
                &format!("/api/v1/organisations/KUNTA:016/invitations/{iid}"),
                None,
            )
            .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(v["state"], "revoked");
        let (status, _) = app
            .get_text(&new_client(), &format!("/invite/{revoked}"))
            .await;
        assert_eq!(status, StatusCode::GONE);
        let inv = invite(&app, &token, "api@asikkala.example.fi", "commenter").await;
        let res = plain_client()
            .post(app.url(&format!(
                "/api/v1/invitations/{}/accept",
                token_of(inv["link"].as_str().unwrap())
            )))
            .json(&json!({"name": "Api Käyttäjä", "password": "pitkä salasana 3"}))
            .send()
            .await
            .unwrap();
        let v = ok_json(res, StatusCode::CREATED).await;
        assert_eq!(v["role"], "commenter");
        assert_eq!(v["org"], ASIKKALA);

        // Refusals: an existing account, a pending duplicate, an admin role, a bad address.
        let res = api(
            &app,
            &token,
            Method::POST,
            "/api/v1/organisations/KUNTA:016/invitations",
            Some(json!({"email": coord.email, "role": "editor"})),
        )
        .await;
        json_error(res, StatusCode::CONFLICT).await;
        invite(&app, &token, "kahdesti@asikkala.example.fi", "reader").await;
        let res = api(
            &app,
            &token,
            Method::POST,
            "/api/v1/organisations/KUNTA:016/invitations",
            Some(json!({"email": "kahdesti@asikkala.example.fi", "role": "reader"})),
        )
        .await;
        json_error(res, StatusCode::CONFLICT).await;
        let res = api(
            &app,
            &token,
            Method::POST,
            "/api/v1/organisations/KUNTA:016/invitations",
            Some(json!({"email": "x@asikkala.example.fi", "role": "admin"})),
        )
        .await;
        json_error(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        let res = api(
            &app,
            &token,
            Method::POST,
            "/api/v1/organisations/KUNTA:016/invitations",
            Some(json!({"email": "not an address", "role": "reader"})),
        )
        .await;
        json_error(res, StatusCode::UNPROCESSABLE_ENTITY).await;

        // Another organisation's coordinator cannot invite into Asikkala or revoke its
        // invitations; an editor of Asikkala cannot invite.
        let lahti = app.user(LAHTI, Role::Coordinator).await;
        let ltoken = app.api_token(&lahti).await;
        let res = api(
            &app,
            &ltoken,
            Method::POST,
            "/api/v1/organisations/KUNTA:016/invitations",
            Some(json!({"email": "x@lahti.example.fi", "role": "editor"})),
        )
        .await;
        json_error(res, StatusCode::FORBIDDEN).await;
        let res = api(
            &app,
            &ltoken,
            Method::GET,
            "/api/v1/organisations/KUNTA:016/invitations",
            None,
        )
        .await;
        json_error(res, StatusCode::FORBIDDEN).await;
        let pending = invite(&app, &token, "odottaa@asikkala.example.fi", "reader").await;
        let res = api(
            &app,
            &ltoken,
            Method::DELETE,
            &format!(
                "/api/v1/organisations/KUNTA:398/invitations/{}",
                pending["id"]
            ),
            None,
        )
        .await;
        json_error(res, StatusCode::NOT_FOUND).await;
        let editor = app.user(ASIKKALA, Role::Editor).await;
        let etoken = app.api_token(&editor).await;
        let res = api(
            &app,
            &etoken,
            Method::POST,
            "/api/v1/organisations/KUNTA:016/invitations",
            Some(json!({"email": "y@asikkala.example.fi", "role": "editor"})),
        )
        .await;
        json_error(res, StatusCode::FORBIDDEN).await;

        // The list shows every state.
        let list = ok_json(
            api(
                &app,
                &token,
                Method::GET,
                "/api/v1/organisations/KUNTA:016/invitations",
                None,
            )
            .await,
            StatusCode::OK,
        )
        .await;
        let states: Vec<&str> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["state"].as_str().unwrap())
            .collect();
        for s in ["accepted", "expired", "revoked", "pending"] {
            assert!(states.contains(&s), "{s} in {states:?}");
        }

        // The working-group page: invite through the form and see the link once.
        let client = new_client();
        app.login(&client, &coord.email, &coord.password).await;
        let csrf = app.csrf(&client, "/org/KUNTA:016/members").await;
        let res = app
            .post_form(
                &client,
                "/org/KUNTA:016/invitations",
                &[
                    ("csrf", &csrf),
                    ("email", "lomake@asikkala.example.fi"),
                    ("role", "reader"),
                    ("sector", ""),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let html = res.text().await.unwrap();
        let link = hidden_input(&html, "invite-link").or_else(|| {
            let at = html.find("/invite/")?;
            Some(html[at..at + 8 + 64].to_string())
        });
        assert!(link.is_some_and(|l| l.contains("/invite/")), "{html}");
        let res = app
            .post_form(
                &client,
                "/org/KUNTA:016/invitations",
                &[("csrf", &csrf), ("email", "ei osoite"), ("role", "reader")],
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
);

both!(
    audit_log_records_and_is_for_coordinators,
    |app: TestApp| async move {
        let coord = app.user(ASIKKALA, Role::Coordinator).await;
        let token = app.api_token(&coord).await;
        // A sign-in, an invitation, a permission change, a task edit, a data import.
        let client = new_client();
        app.login(&client, &coord.email, &coord.password).await;
        invite(&app, &token, "uusi@asikkala.example.fi", "reader").await;
        let member = app.user(ASIKKALA, Role::Reader).await;
        let v = ok_json(
            api(
                &app,
                &token,
                Method::PATCH,
                &format!("/api/v1/organisations/KUNTA:016/members/{}", member.user.id),
                Some(json!({"role": "editor", "sector": "leisure"})),
            )
            .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(v["role"], "editor");
        assert_eq!(v["sector"], "leisure");
        let res = api(
            &app,
            &token,
            Method::POST,
            "/api/v1/organisations/KUNTA:016/reports",
            Some(
                json!({"kind": "term_report", "title": "K", "term_start": 2025, "term_end": 2029}),
            ),
        )
        .await;
        let id = ok_json(res, StatusCode::CREATED).await["report"]["id"]
            .as_i64()
            .unwrap();
        let v = tasks(&app, &token, id).await;
        let tid = by_key(&v, "decision")["id"].as_i64().unwrap();
        api(
            &app,
            &token,
            Method::PATCH,
            &format!("/api/v1/reports/{id}/tasks/{tid}"),
            Some(json!({"status": "done"})),
        )
        .await;
        // Data imports concern every organisation (org_key NULL); the upload page and
        // `hyte import` record them like this.
        app.store
            .audit(
                Some("admin@hyte.example.fi"),
                None,
                "import",
                "population.csv: 1 value",
            )
            .await
            .unwrap();
        app.store
            .audit(
                None,
                None,
                "indicator_curated",
                "not an import: stays out of the view",
            )
            .await
            .unwrap();

        let v = ok_json(
            api(
                &app,
                &token,
                Method::GET,
                "/api/v1/organisations/KUNTA:016/audit",
                None,
            )
            .await,
            StatusCode::OK,
        )
        .await;
        let actions: Vec<&str> = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        for a in [
            "login",
            "invitation_created",
            "permission_changed",
            "task_updated",
            "import",
            "report_created",
        ] {
            assert!(actions.contains(&a), "{a} in {actions:?}");
        }
        assert!(!actions.contains(&"indicator_curated"), "{actions:?}");
        let change = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["action"] == "permission_changed")
            .unwrap();
        assert!(
            change["detail"]
                .as_str()
                .unwrap()
                .contains("reader → editor"),
            "{change}"
        );
        assert_eq!(change["user_email"], coord.email.as_str());

        // Filters and paging.
        let v = ok_json(
            api(
                &app,
                &token,
                Method::GET,
                "/api/v1/organisations/KUNTA:016/audit?action=permission_changed",
                None,
            )
            .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(v["count"], 1);
        let v = ok_json(
            api(
                &app,
                &token,
                Method::GET,
                &format!(
                    "/api/v1/organisations/KUNTA:016/audit?user={}&action=login",
                    coord.email
                ),
                None,
            )
            .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(v["count"], 1);
        let v = ok_json(
            api(
                &app,
                &token,
                Method::GET,
                "/api/v1/organisations/KUNTA:016/audit?from=2000-01-01&to=2000-12-31",
                None,
            )
            .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(v["count"], 0);
        let v = ok_json(
            api(
                &app,
                &token,
                Method::GET,
                "/api/v1/organisations/KUNTA:016/audit?from=2000-01-01&page=1",
                None,
            )
            .await,
            StatusCode::OK,
        )
        .await;
        assert!(v["count"].as_i64().unwrap() >= 6);
        assert_eq!(v["more"], false);
        let v = ok_json(
            api(
                &app,
                &token,
                Method::GET,
                "/api/v1/organisations/KUNTA:016/audit?page=2",
                None,
            )
            .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(v["count"], 0);
        let res = api(
            &app,
            &token,
            Method::GET,
            "/api/v1/organisations/KUNTA:016/audit?from=eilen",
            None,
        )
        .await;
        json_error(res, StatusCode::BAD_REQUEST).await;
        let res = api(
            &app,
            &token,
            Method::GET,
            "/api/v1/organisations/KUNTA:016/audit?page=0",
            None,
        )
        .await;
        json_error(res, StatusCode::BAD_REQUEST).await;

        // Nobody changes their own role, nor makes an admin, nor touches another org's user.
        let res = api(
            &app,
            &token,
            Method::PATCH,
            &format!("/api/v1/organisations/KUNTA:016/members/{}", coord.user.id),
            Some(json!({"role": "reader"})),
        )
        .await;
        json_error(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        let res = api(
            &app,
            &token,
            Method::PATCH,
            &format!("/api/v1/organisations/KUNTA:016/members/{}", member.user.id),
            Some(json!({"role": "admin"})),
        )
        .await;
        json_error(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        let lahti = app.user(LAHTI, Role::Coordinator).await;
        let res = api(
            &app,
            &token,
            Method::PATCH,
            &format!("/api/v1/organisations/KUNTA:016/members/{}", lahti.user.id),
            Some(json!({"role": "reader"})),
        )
        .await;
        json_error(res, StatusCode::NOT_FOUND).await;

        // Coordinators of the organisation and admins only.
        let ltoken = app.api_token(&lahti).await;
        let editor = app.user(ASIKKALA, Role::Editor).await;
        let region = app.user(PAIJAT_HAME, Role::Coordinator).await;
        for who in [&lahti, &editor, &region] {
            let t = app.api_token(who).await;
            let res = api(
                &app,
                &t,
                Method::GET,
                "/api/v1/organisations/KUNTA:016/audit",
                None,
            )
            .await;
            json_error(res, StatusCode::FORBIDDEN).await;
            let res = api(
                &app,
                &t,
                Method::GET,
                "/api/v1/organisations/KUNTA:016/members",
                None,
            )
            .await;
            json_error(res, StatusCode::FORBIDDEN).await;
        }
        let res = api(
            &app,
            &ltoken,
            Method::PATCH,
            &format!("/api/v1/organisations/KUNTA:016/members/{}", member.user.id),
            Some(json!({"role": "coordinator"})),
        )
        .await;
        json_error(res, StatusCode::FORBIDDEN).await;
        let admin = app
            .create_user("admin@hyte.example.fi", None, Role::Admin, PASSWORD)
            .await;
        let atoken = app.api_token(&admin).await;
        ok_json(
            api(
                &app,
                &atoken,
                Method::GET,
                "/api/v1/organisations/KUNTA:016/audit",
                None,
            )
            .await,
            StatusCode::OK,
        )
        .await;
        let members = ok_json(
            api(
                &app,
                &token,
                Method::GET,
                "/api/v1/organisations/KUNTA:016/members",
                None,
            )
            .await,
            StatusCode::OK,
        )
        .await;
        assert!(members["count"].as_i64().unwrap() >= 3);

        // The page: filters, readable by the coordinator, 403 for an editor; nothing edits it.
        let (status, html) = app
            .get_text(&client, "/org/KUNTA:016/audit?action=permission_changed")
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("id=\"audit-from\"") && html.contains("reader → editor"));
        assert!(
            !html.contains("uusi@asikkala.example.fi invited"),
            "filtered"
        );
        let eclient = new_client();
        app.login(&eclient, &editor.email, &editor.password).await;
        let (status, _) = app.get_text(&eclient, "/org/KUNTA:016/audit").await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let res = app.post_form(&client, "/org/KUNTA:016/audit", &[]).await;
        assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
        let res = api(
            &app,
            &token,
            Method::DELETE,
            "/api/v1/organisations/KUNTA:016/audit",
            None,
        )
        .await;
        assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);

        // The member form changes role and sector and is audited.
        let csrf = app.csrf(&client, "/org/KUNTA:016/members").await;
        let res = app
            .post_form(
                &client,
                &format!("/org/KUNTA:016/members/{}", member.user.id),
                &[("csrf", &csrf), ("role", "commenter"), ("sector", "youth")],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let u = app.store.user_by_id(member.user.id).await.unwrap().unwrap();
        assert_eq!(
            (u.role, u.sector.as_deref()),
            (Role::Commenter, Some("youth"))
        );
        let v = ok_json(
            api(
                &app,
                &token,
                Method::GET,
                "/api/v1/organisations/KUNTA:016/audit?action=permission_changed",
                None,
            )
            .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(v["count"], 2);
    }
);

both!(
    welfare_region_sees_its_municipalities,
    |app: TestApp| async move {
        let (coord, token, id) = report(&app).await;
        let mut tx = app.store.begin().await.unwrap();
        tx.add_observation(
            id,
            ObservationKind::Concern,
            "Ikäihmisten yksinäisyys",
            None,
            ObservationOrigin::WorkingGroup,
            None,
            "open",
            &[],
            &coord.email,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let mut tx = app.store.begin().await.unwrap();
        tx.add_observation(
            id,
            ObservationKind::Joy,
            "Liikuntapaikat ovat hyviä",
            None,
            ObservationOrigin::Residents,
            None,
            "open",
            &[],
            &coord.email,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let mut tx = app.store.begin().await.unwrap();
        tx.add_observation(
            id,
            ObservationKind::Concern,
            "Hylätty ehdotus",
            None,
            ObservationOrigin::Data,
            None,
            "dismissed",
            &[],
            &coord.email,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let region = app.user(PAIJAT_HAME, Role::Reader).await;
        let rtoken = app.api_token(&region).await;
        let v = ok_json(
            api(
                &app,
                &rtoken,
                Method::GET,
                "/api/v1/organisations/HYVINVOINTIALUE:09/region-overview",
                None,
            )
            .await,
            StatusCode::OK,
        )
        .await;
        let members = v["members"].as_array().unwrap();
        assert!(members.len() >= 10, "Päijät-Häme's municipalities: {v}");
        assert!(members.iter().any(|m| m["org"] == LAHTI));
        let asikkala = members
            .iter()
            .find(|m| m["org"] == ASIKKALA)
            .expect("Asikkala");
        let r = &asikkala["reports"][0];
        assert_eq!(r["id"], id);
        assert_eq!(r["current_phase"], 1);
        assert_eq!(r["approval"], "in_preparation");
        assert_eq!(r["concerns"], json!(["Ikäihmisten yksinäisyys"]));
        assert_eq!(r["joys"], json!(["Liikuntapaikat ovat hyviä"]));
        assert!(r["total"].as_i64().unwrap() > 15);

        // The region reads Asikkala's tasks but cannot change them.
        let v = tasks(&app, &rtoken, id).await;
        let tid = by_key(&v, "decision")["id"].as_i64().unwrap();
        let res = api(
            &app,
            &rtoken,
            Method::PATCH,
            &format!("/api/v1/reports/{id}/tasks/{tid}"),
            Some(json!({"status": "done"})),
        )
        .await;
        json_error(res, StatusCode::FORBIDDEN).await;

        // The page.
        let client = new_client();
        app.login(&client, &region.email, &region.password).await;
        let (status, html) = app
            .get_text(&client, "/org/HYVINVOINTIALUE:09/region")
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("Asikkala") && html.contains("Hyvinvointikertomus 2025–2029"));
        assert!(html.contains("Ikäihmisten yksinäisyys") && !html.contains("Hylätty ehdotus"));
        assert!(html.contains("Valmisteilla"));

        // Lahti's coordinator sees none of Asikkala's tasks; Asikkala none of the region's
        // overview; a municipality has no region overview.
        let lahti = app.user(LAHTI, Role::Coordinator).await;
        let ltoken = app.api_token(&lahti).await;
        let res = app
            .get_bearer(&ltoken, &format!("/api/v1/reports/{id}/tasks"))
            .await;
        json_error(res, StatusCode::FORBIDDEN).await;
        let res = api(
            &app,
            &ltoken,
            Method::PATCH,
            &format!("/api/v1/reports/{id}/tasks/{tid}"),
            Some(json!({"status": "done"})),
        )
        .await;
        json_error(res, StatusCode::FORBIDDEN).await;
        let lclient = new_client();
        app.login(&lclient, &lahti.email, &lahti.password).await;
        let (status, _) = app
            .get_text(&lclient, &format!("/reports/{id}/process"))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = app
            .get_text(&lclient, "/org/HYVINVOINTIALUE:09/region")
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let res = app
            .get_bearer(
                &token,
                "/api/v1/organisations/HYVINVOINTIALUE:09/region-overview",
            )
            .await;
        json_error(res, StatusCode::FORBIDDEN).await;
        let res = app
            .get_bearer(&token, "/api/v1/organisations/KUNTA:016/region-overview")
            .await;
        json_error(res, StatusCode::NOT_FOUND).await;
        let res = app
            .get_bearer(&token, "/api/v1/organisations/NOPE/region-overview")
            .await;
        json_error(res, StatusCode::BAD_REQUEST).await;
        let res = app.get(&format!("/api/v1/reports/{id}/tasks")).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
);

/// A joy or concern written straight into a report (the region test needs several
/// reports' items in given states).
async fn observe(
    app: &TestApp,
    report: i64,
    kind: ObservationKind,
    text: &str,
    status: &str,
    indicators: &[i64],
) -> i64 {
    let mut tx = app.store.begin().await.unwrap();
    let id = tx
        .add_observation(
            report,
            kind,
            text,
            Some("youth"),
            ObservationOrigin::WorkingGroup,
            None,
            status,
            indicators,
            "test@hyte.test",
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

/// The welfare region's report collects through the API; the answer.
async fn collect(app: &TestApp, token: &str, report: i64) -> Value {
    api_ok(
        app,
        token,
        Method::POST,
        &format!("/api/v1/reports/{report}/observations/collect"),
        json!({}),
        StatusCode::OK,
    )
    .await
}

/// A report of any organisation, made through the API by that organisation's coordinator.
async fn report_of(app: &TestApp, org: &str, kind: &str, start: i64, end: i64) -> (String, i64) {
    let coord = app.user(org, Role::Coordinator).await;
    let token = app.api_token(&coord).await;
    let v = api_ok(
        app,
        &token,
        Method::POST,
        &format!("/api/v1/organisations/{org}/reports"),
        json!({"kind": kind, "title": format!("{kind} {start}–{end}"), "term_start": start, "term_end": end, "template": "thl"}),
        StatusCode::CREATED,
    )
    .await;
    (token, v["report"]["id"].as_i64().expect("report id"))
}

both!(
    regional_report_collects_the_municipalities_joys_and_concerns,
    |app: TestApp| async move {
        // Asikkala's and Lahti's term reports 2025–2029 (members of Päijät-Häme), an
        // earlier Asikkala term (overlapping by a year, but not the current report) and Espoo (another welfare region).
        let (a_tok, asikkala) = report_of(&app, ASIKKALA, "term_report", 2025, 2029).await;
        let (_, old) = report_of(&app, ASIKKALA, "term_report", 2021, 2025).await;
        let (l_tok, lahti) = report_of(&app, LAHTI, "term_report", 2025, 2029).await;
        let (_, espoo) = report_of(&app, "KUNTA:049", "term_report", 2025, 2029).await;
        let lonely = observe(
            &app,
            asikkala,
            ObservationKind::Concern,
            "Nuorten yksinäisyys",
            "open",
            &[2328, 289],
        )
        .await;
        observe(
            &app,
            asikkala,
            ObservationKind::Joy,
            "Harrastustakuu toimii",
            "accepted",
            &[],
        )
        .await;
        observe(
            &app,
            asikkala,
            ObservationKind::Concern,
            "Hylätty huoli",
            "dismissed",
            &[],
        )
        .await;
        observe(
            &app,
            asikkala,
            ObservationKind::Concern,
            "Hyten avoin ehdotus",
            "proposed",
            &[],
        )
        .await;
        observe(
            &app,
            old,
            ObservationKind::Concern,
            "Edellisen kauden huoli",
            "accepted",
            &[],
        )
        .await;
        observe(
            &app,
            lahti,
            ObservationKind::Concern,
            "Ylipaino lisääntyy",
            "open",
            &[],
        )
        .await;
        observe(
            &app,
            espoo,
            ObservationKind::Concern,
            "Espoon huoli",
            "open",
            &[],
        )
        .await;

        // The welfare region's own report collects.
        let (rtoken, regional) = report_of(&app, PAIJAT_HAME, "regional_report", 2025, 2029).await;
        let path = format!("/api/v1/reports/{regional}/observations/collect");
        let v = collect(&app, &rtoken, regional).await;
        assert_eq!(v["collected"], 3, "{v}");
        assert!(v["members"].as_i64().unwrap() >= 10);
        assert_eq!(v["reports_read"], 2);
        let items = v["items"].as_array().unwrap();
        let mut texts: Vec<&str> = items.iter().map(|i| i["body"].as_str().unwrap()).collect();
        texts.sort();
        assert_eq!(
            texts,
            [
                "Harrastustakuu toimii",
                "Nuorten yksinäisyys",
                "Ylipaino lisääntyy"
            ]
        );
        let item = items
            .iter()
            .find(|i| i["body"] == "Nuorten yksinäisyys")
            .unwrap();
        assert_eq!(item["origin"], "municipality");
        assert_eq!(item["status"], "proposed");
        assert_eq!(item["source_org"], ASIKKALA);
        assert_eq!(item["source_observation_id"], lonely);
        assert_eq!(item["sector"], "youth");
        assert_eq!(item["indicators"], json!([289, 2328]));
        let lahti_item = items
            .iter()
            .find(|i| i["body"] == "Ylipaino lisääntyy")
            .unwrap();
        assert_eq!(lahti_item["source_org"], LAHTI);

        // Collecting again brings nothing twice; a new item of Asikkala comes alone, and
        // an item the region dismissed is not brought back.
        let v = collect(&app, &rtoken, regional).await;
        assert_eq!(v["collected"], 0, "{v}");
        let oid = item["id"].as_i64().unwrap();
        api_ok(
            &app,
            &rtoken,
            Method::PATCH,
            &format!("/api/v1/reports/{regional}/observations/{oid}"),
            json!({"status": "dismissed"}),
            StatusCode::OK,
        )
        .await;
        observe(
            &app,
            asikkala,
            ObservationKind::Joy,
            "Koulujen liikuntakerhot",
            "open",
            &[],
        )
        .await;
        let v = collect(&app, &rtoken, regional).await;
        assert_eq!(v["collected"], 1, "{v}");
        assert_eq!(v["items"][0]["body"], "Koulujen liikuntakerhot");
        let all = app.store.observations(regional).await.unwrap();
        assert_eq!(all.len(), 4);
        assert_eq!(all.iter().filter(|o| o.status == "dismissed").count(), 1);
        let entries = app
            .store
            .audit_entries(Some(&PAIJAT_HAME.parse().unwrap()), 50)
            .await
            .unwrap();
        assert_eq!(
            entries
                .iter()
                .filter(|e| e.action == "report_observations_collected")
                .count(),
            3
        );

        // Nobody else: a municipality's report has no members (422); a region's reader
        // may not (403); Asikkala's coordinator does not reach the region's report (403);
        // the origin is reserved for collected items (422).
        let acoord = app.user(ASIKKALA, Role::Coordinator).await;
        let atoken = app.api_token(&acoord).await;
        let msg = json_error(
            api(
                &app,
                &atoken,
                Method::POST,
                &format!("/api/v1/reports/{asikkala}/observations/collect"),
                None,
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert!(msg.contains("only a welfare region's report"), "{msg}");
        json_error(
            api(&app, &atoken, Method::POST, &path, None).await,
            StatusCode::FORBIDDEN,
        )
        .await;
        let reader = app.user(PAIJAT_HAME, Role::Reader).await;
        let reader_token = app.api_token(&reader).await;
        json_error(
            api(&app, &reader_token, Method::POST, &path, None).await,
            StatusCode::FORBIDDEN,
        )
        .await;
        let msg = json_error(
            api(
                &app,
                &rtoken,
                Method::POST,
                &format!("/api/v1/reports/{regional}/observations"),
                Some(json!({"kind": "concern", "text": "Itse kirjattu", "origin": "municipality"})),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert!(msg.contains("reserved"), "{msg}");
        assert_eq!(app.store.observations(regional).await.unwrap().len(), 4);

        // Shared goals: both municipalities' plans have a goal for children and young
        // people; only Asikkala one for older people.
        for (tok, id, title, tags) in [
            (
                &a_tok,
                asikkala,
                "Nuorten osallisuus vahvistuu",
                json!(["children_youth", "participation"]),
            ),
            (
                &a_tok,
                asikkala,
                "Ikäihmiset liikkuvat",
                json!(["older_population"]),
            ),
            (
                &l_tok,
                lahti,
                "Lasten liikunta lisääntyy",
                json!(["children_youth"]),
            ),
        ] {
            api_ok(
                &app,
                tok,
                Method::POST,
                &format!("/api/v1/reports/{id}/plan/goals"),
                json!({"title": title, "description": "", "tags": tags}),
                StatusCode::CREATED,
            )
            .await;
        }
        let v = ok_json(
            app.get_bearer(
                &rtoken,
                "/api/v1/organisations/HYVINVOINTIALUE:09/region-overview",
            )
            .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(
            v["shared"],
            json!([{"kind": "tag", "key": "children_youth",
                    "name": "Lasten ja nuorten hyvinvointisuunnitelma",
                    "municipalities": ["Asikkala", "Lahti"]}]),
            "{v}"
        );
        let a = v["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["org"] == ASIKKALA)
            .unwrap();
        let current = a["reports"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == asikkala)
            .unwrap();
        assert_eq!(
            current["goals"],
            json!(["Nuorten osallisuus vahvistuu", "Ikäihmiset liikkuvat"])
        );

        // In the browser: the region's coordinator collects on the page and sees the
        // source of each proposal, linked to the municipality's report.
        let coord = app.user(PAIJAT_HAME, Role::Coordinator).await;
        let client = new_client();
        app.login(&client, &coord.email, &coord.password).await;
        let page = format!("/reports/{regional}/observations");
        let (status, html) = app.get_text(&client, &page).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("Kokoa jäsenkunnista"), "the collect button");
        assert!(html.contains("Ehdotukset tiedoista ja jäsenkunnista"));
        assert!(html.contains(&format!("/reports/{asikkala}/observations#obs-")));
        assert!(html.contains("Jäsenkunta") && html.contains(">Asikkala</a>"));
        let csrf = app.csrf(&client, &page).await;
        observe(
            &app,
            lahti,
            ObservationKind::Joy,
            "Lähiliikuntapaikat",
            "accepted",
            &[],
        )
        .await;
        let res = app
            .post_form(&client, &format!("{page}/collect"), &[("csrf", &csrf)])
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert!(location(&res).contains("done=collected#proposals"));
        let (_, html) = app.get_text(&client, &location(&res)).await;
        assert!(html.contains("Lähiliikuntapaikat") && html.contains(">Lahti</a>"));
        // The overview links the region's own report.
        let (_, html) = app
            .get_text(&client, "/org/HYVINVOINTIALUE:09/region")
            .await;
        assert!(html.contains(&format!("/reports/{regional}/observations#proposals")));
        let at = html.find("id=\"shared-table\"").expect("the shared goals");
        let shared = &html[at..at + html[at..].find("</table>").unwrap()];
        assert!(
            shared.contains("Lasten ja nuorten hyvinvointisuunnitelma")
                && shared.contains("Asikkala, Lahti")
                && !shared.contains("Ikääntyneen"),
            "{shared}"
        );
        assert!(html.contains("Ikäihmiset liikkuvat"));
        // On a municipality's report the form is refused with the reason, nothing lost.
        let aclient = new_client();
        app.login(&aclient, &acoord.email, &acoord.password).await;
        let apage = format!("/reports/{asikkala}/observations");
        let (_, html) = app.get_text(&aclient, &apage).await;
        assert!(!html.contains("Kokoa jäsenkunnista"));
        let csrf = app.csrf(&aclient, &apage).await;
        let res = app
            .post_form(&aclient, &format!("{apage}/collect"), &[("csrf", &csrf)])
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = res.text().await.unwrap();
        assert!(html.contains("Vain hyvinvointialueen kertomus"), "{html}");
        assert_eq!(app.store.observations(asikkala).await.unwrap().len(), 5);

        // Published, the regional report names the municipality behind each accepted
        // strength.
        let joy = app
            .store
            .observations(regional)
            .await
            .unwrap()
            .into_iter()
            .find(|o| o.body == "Harrastustakuu toimii")
            .unwrap();
        api_ok(
            &app,
            &rtoken,
            Method::PATCH,
            &format!("/api/v1/reports/{regional}/observations/{}", joy.id),
            json!({"status": "accepted"}),
            StatusCode::OK,
        )
        .await;
        approve_by_council(&app, &rtoken, regional).await;
        api_ok(
            &app,
            &rtoken,
            Method::POST,
            &format!("/api/v1/reports/{regional}/approval/transitions"),
            json!({"move": "publish"}),
            StatusCode::CREATED,
        )
        .await;
        let doc = json(
            app.get(&format!("/api/v1/public/reports/{regional}?lang=fi"))
                .await,
        )
        .await;
        assert_eq!(
            doc["infographic"]["strengths"][0], "Harrastustakuu toimii (Asikkala)",
            "{doc}"
        );
    }
);
