//! Partners by consent over HTTP (issue #14, item 11), on SQLite and PostgreSQL
//! (`both!`). The attack: Asikkala's coordinator names Lahti (`KUNTA:398`) a partner
//! when starting a report. Lahti's coordinator must then get nothing of the report
//! (page, API, form posts: 403) but the invitation on Lahti's partnership page, and
//! the partner's rights only by accepting it. Declining and withdrawing remove the
//! invitation; every step is in both organisations' audit logs.

#[macro_use]
#[path = "common/mod.rs"]
mod common;

use common::*;
use hyte_domain::Role;
use reqwest::{Client, StatusCode};

const ASIKKALA: &str = "KUNTA:016";
const LAHTI: &str = "KUNTA:398";
const HEINOLA: &str = "KUNTA:111";

/// Any page's CSRF token of a signed-in client.
async fn csrf(app: &TestApp, client: &Client) -> String {
    app.csrf(client, "/account/password").await
}

/// The newest audit actions of an organisation.
async fn actions(app: &TestApp, org: &str) -> Vec<String> {
    app.store
        .audit_entries(Some(&org.parse().unwrap()), 100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect()
}

both!(
    a_partner_named_without_consent_gets_nothing_until_it_accepts,
    |app: TestApp| async move {
        let (_, asikkala) = app.signed_in(ASIKKALA, Role::Coordinator).await;
        let (lahti_user, lahti) = app.signed_in(LAHTI, Role::Coordinator).await;
        let (_, lahti_editor) = app.signed_in(LAHTI, Role::Editor).await;
        let lahti_token = app.api_token(&lahti_user).await;

        // Asikkala starts a report and names Lahti as its partner.
        let token = csrf(&app, &asikkala).await;
        let res = app
            .post_form(
                &asikkala,
                &format!("/org/{ASIKKALA}/reports"),
                &[
                    ("csrf", &token),
                    ("kind", "term_report"),
                    ("title", "Asikkalan ja Lahden kertomus"),
                    ("term_start", "2025"),
                    ("term_end", "2029"),
                    ("outline", "thl"),
                    ("languages", "fi"),
                    ("partners", LAHTI),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let id: i64 = location(&res)
            .trim_start_matches("/reports/")
            .split(['/', '?', '#'])
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let sid = app.store.sections(id).await.unwrap()[0].id;

        // Lahti's coordinator: no page, no API, no change.
        for path in [
            format!("/reports/{id}"),
            format!("/reports/{id}/sections/{sid}"),
            format!("/reports/{id}/partners"),
        ] {
            let res = app.get_with(&lahti, &path).await;
            assert_eq!(res.status(), StatusCode::FORBIDDEN, "GET {path}");
        }
        let res = app
            .get_bearer(&lahti_token, &format!("/api/v1/reports/{id}"))
            .await;
        json_error(res, StatusCode::FORBIDDEN).await;
        let token = csrf(&app, &lahti).await;
        for (path, form) in [
            (
                format!("/reports/{id}/sections"),
                vec![("heading", "Lahden luku")],
            ),
            (
                format!("/reports/{id}/sections/{sid}"),
                vec![
                    ("base_revision", "0"),
                    ("body", "Lahti kirjoittaa."),
                    ("action", "save"),
                ],
            ),
            (format!("/reports/{id}/agree"), vec![]),
            (format!("/reports/{id}/partners"), vec![("org", HEINOLA)]),
        ] {
            let mut form = form.clone();
            form.push(("csrf", &token));
            let res = app.post_form(&lahti, &path, &form).await;
            assert_eq!(res.status(), StatusCode::FORBIDDEN, "POST {path}");
        }
        let (_, html) = app.get_text(&lahti, &format!("/org/{LAHTI}/reports")).await;
        assert!(
            !html.contains("Asikkalan ja Lahden kertomus"),
            "not in Lahti's reports"
        );
        assert_eq!(app.store.section(sid).await.unwrap().unwrap().revision, 0);

        // The invitation, on Lahti's dashboard and its partnership page.
        let (status, html) = app.get_text(&lahti, &format!("/org/{LAHTI}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            element_text(&html, "open-partnerships").is_some_and(|t| t.contains('1')),
            "{html}"
        );
        let (status, html) = app
            .get_text(&lahti, &format!("/org/{LAHTI}/partnerships"))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(&format!("id=\"partnership-{id}\"")), "{html}");
        assert!(html.contains("Asikkalan ja Lahden kertomus") && html.contains("Asikkala"));
        // Nobody else sees or answers Lahti's invitations.
        let res = app
            .get_with(&lahti_editor, &format!("/org/{LAHTI}/partnerships"))
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let res = app
            .get_with(&asikkala, &format!("/org/{LAHTI}/partnerships"))
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        for client in [&lahti_editor, &asikkala] {
            let token = csrf(&app, client).await;
            let res = app
                .post_form(
                    client,
                    &format!("/org/{LAHTI}/partnerships/{id}/accept"),
                    &[("csrf", &token)],
                )
                .await;
            assert_eq!(res.status(), StatusCode::FORBIDDEN);
        }
        // The owner sees Lahti as invited, in the page and the API.
        let (status, html) = app
            .get_text(&asikkala, &format!("/reports/{id}/partners"))
            .await;
        assert_eq!(status, StatusCode::OK);
        let at = html.find("id=\"invited\"").expect("the invited list");
        let list = &html[at..at + html[at..].find("</ul>").unwrap()];
        assert!(list.contains(LAHTI), "{list}");
        let asikkala_user = app.user(ASIKKALA, Role::Reader).await;
        let reader_token = app.api_token(&asikkala_user).await;
        let v = ok_json(
            app.get_bearer(&reader_token, &format!("/api/v1/reports/{id}"))
                .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(v["report"]["partners"], serde_json::json!([]));
        assert_eq!(v["report"]["invited_partners"], serde_json::json!([LAHTI]));

        // Lahti's coordinator accepts: now a partner with coordinator rights.
        let res = app
            .post_form(
                &lahti,
                &format!("/org/{LAHTI}/partnerships/{id}/accept"),
                &[("csrf", &token)],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&res), format!("/reports/{id}"));
        let res = app.get_with(&lahti, &format!("/reports/{id}")).await;
        assert_eq!(res.status(), StatusCode::OK);
        let v = ok_json(
            app.get_bearer(&lahti_token, &format!("/api/v1/reports/{id}"))
                .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(v["access"], "coordinator");
        assert_eq!(v["report"]["partners"], serde_json::json!([LAHTI]));
        let res = app
            .post_form(
                &lahti,
                &format!("/reports/{id}/sections"),
                &[("csrf", &token), ("heading", "Lahden luku")],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        for org in [ASIKKALA, LAHTI] {
            let log = actions(&app, org).await;
            assert!(
                log.contains(&"partner_invited".to_string()),
                "{org}: {log:?}"
            );
            assert!(
                log.contains(&"partner_accepted".to_string()),
                "{org}: {log:?}"
            );
        }
        // Answered: a second accept finds nothing.
        let res = app
            .post_form(
                &lahti,
                &format!("/org/{LAHTI}/partnerships/{id}/accept"),
                &[("csrf", &token)],
            )
            .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
    }
);

both!(
    an_invitation_is_declined_or_withdrawn,
    |app: TestApp| async move {
        let (_, asikkala) = app.signed_in(ASIKKALA, Role::Coordinator).await;
        let (_, heinola) = app.signed_in(HEINOLA, Role::Coordinator).await;
        let report = store_report(
            &app.store,
            &hyte_app::model::reports::NewReport {
                org: ASIKKALA.parse().unwrap(),
                partners: vec![],
                kind: hyte_domain::report::ReportKind::TermReport,
                title: "Asikkalan kertomus".into(),
                term_start: 2025,
                term_end: 2029,
                year: None,
                languages: vec!["fi".into()],
                created_by: "setup@example.fi".into(),
            },
            &[],
        )
        .await;
        let id = report.id;
        let partners = format!("/reports/{id}/partners");
        let token = app.csrf(&asikkala, &partners).await;

        // Invite Heinola on the partner page; not twice, not itself.
        let invite = |org: &'static str| {
            let (app, asikkala, token, partners) =
                (&app, &asikkala, token.clone(), partners.clone());
            async move {
                app.post_form(asikkala, &partners, &[("csrf", &token), ("org", org)])
                    .await
                    .status()
            }
        };
        assert_eq!(invite(HEINOLA).await, StatusCode::SEE_OTHER);
        assert_eq!(invite(HEINOLA).await, StatusCode::CONFLICT);
        assert_eq!(invite(ASIKKALA).await, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(invite("KUNTA:999").await, StatusCode::UNPROCESSABLE_ENTITY);

        // Heinola declines: gone, and still no access.
        let htoken = csrf(&app, &heinola).await;
        let res = app
            .post_form(
                &heinola,
                &format!("/org/{HEINOLA}/partnerships/{id}/decline"),
                &[("csrf", &htoken)],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let (_, html) = app
            .get_text(&heinola, &format!("/org/{HEINOLA}/partnerships"))
            .await;
        assert!(html.contains("id=\"no-partnerships\""), "{html}");
        let res = app.get_with(&heinola, &format!("/reports/{id}")).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        assert_eq!(actions(&app, HEINOLA).await[0], "partner_declined");
        assert_eq!(actions(&app, ASIKKALA).await[0], "partner_declined");

        // Invited again, then withdrawn by Asikkala: Heinola cannot accept it any more.
        assert_eq!(invite(HEINOLA).await, StatusCode::SEE_OTHER);
        let res = app
            .post_form(
                &asikkala,
                &format!("/reports/{id}/partners/{HEINOLA}/withdraw"),
                &[("csrf", &token)],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(actions(&app, ASIKKALA).await[0], "partner_withdrawn");
        assert_eq!(actions(&app, HEINOLA).await[0], "partner_withdrawn");
        let res = app
            .post_form(
                &heinola,
                &format!("/org/{HEINOLA}/partnerships/{id}/accept"),
                &[("csrf", &htoken)],
            )
            .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let res = app.get_with(&heinola, &format!("/reports/{id}")).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        // Nothing left to withdraw.
        let res = app
            .post_form(
                &asikkala,
                &format!("/reports/{id}/partners/{HEINOLA}/withdraw"),
                &[("csrf", &token)],
            )
            .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
    }
);
