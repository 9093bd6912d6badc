//! The account lifecycle over HTTP, on SQLite and PostgreSQL (`both!`): disabling a
//! member stops their open browser session and their API token at once; a
//! password-reset link from the members page works end to end, once; a user sees
//! and ends their own sessions; links use the configured public address (never the
//! request's `Host`) and are refused in production without one; an invitation
//! reveals nothing about another organisation's users.

#[macro_use]
#[path = "common/mod.rs"]
mod common;

use common::*;
use hyte_domain::Role;
use reqwest::{Client, Method, StatusCode};
use serde_json::json;

/// The session handles (`id="session-…"`) of the sessions page, in order.
fn session_handles(html: &str) -> Vec<String> {
    html.match_indices("id=\"session-")
        .map(|(at, m)| html[at + m.len()..].chars().take(16).collect())
        .collect()
}

/// The value of the readonly input with this id (a link shown once).
fn input_value(html: &str, id: &str) -> Option<String> {
    let at = html.find(&format!("id=\"{id}\""))?;
    let tag_end = at + html[at..].find('>')?;
    let tag = &html[at..tag_end];
    let v = tag.find("value=\"")? + "value=\"".len();
    let len = tag[v..].find('"')?;
    Some(tag[v..v + len].to_string())
}

/// Posts a members-page form as `client` (its CSRF token read from the page).
async fn member_post(app: &TestApp, client: &Client, member: i64, what: &str) -> reqwest::Response {
    let csrf = app.csrf(client, "/org/KUNTA:016/members").await;
    app.post_form(
        client,
        &format!("/org/KUNTA:016/members/{member}/{what}"),
        &[("csrf", &csrf)],
    )
    .await
}

/// Whether `client` still gets a signed-in page.
async fn signed_in(app: &TestApp, client: &Client) -> bool {
    let res = app.get_with(client, "/org/KUNTA:016/reports").await;
    match res.status() {
        StatusCode::OK => true,
        StatusCode::SEE_OTHER => {
            assert!(location(&res).starts_with("/login?next="), "{res:?}");
            false
        }
        other => panic!("unexpected {other}"),
    }
}

both!(
    disabling_stops_the_session_and_the_token_at_once,
    |app: TestApp| async move {
        let (_, coord) = app.signed_in(ASIKKALA, Role::Coordinator).await;
        let (member, browser) = app.signed_in(ASIKKALA, Role::Editor).await;
        let token = app.api_token(&member).await;
        assert!(signed_in(&app, &browser).await);
        assert_eq!(
            app.get_bearer(&token, "/api/v1/me").await.status(),
            StatusCode::OK
        );

        let res = member_post(&app, &coord, member.user.id, "disable").await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            location(&res),
            format!(
                "/org/KUNTA:016/members?done=disabled#member-{}",
                member.user.id
            )
        );
        // At once: the open browser session gets the sign-in page, the token 401.
        assert!(!signed_in(&app, &browser).await);
        json_error(
            app.get_bearer(&token, "/api/v1/me").await,
            StatusCode::UNAUTHORIZED,
        )
        .await;
        // Signing in is answered like a wrong password.
        let res = app
            .login(&new_client(), &member.email, &member.password)
            .await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        let wrong = app
            .login(&new_client(), &member.email, "not the password")
            .await;
        let (a, b) = (res.text().await.unwrap(), wrong.text().await.unwrap());
        assert_eq!(
            element_text(&a, "login-error"),
            element_text(&b, "login-error")
        );
        // The members page says so and offers to enable the account.
        let (_, html) = app
            .get_text(&coord, "/org/KUNTA:016/members?done=disabled")
            .await;
        assert!(html.contains("Tili poistettiin käytöstä"), "{html}");
        assert!(html.contains(&format!("/org/KUNTA:016/members/{}/enable", member.user.id)));

        // Enabled again: the token works again and the member signs in; the
        // session that was open stays ended.
        let res = member_post(&app, &coord, member.user.id, "enable").await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            app.get_bearer(&token, "/api/v1/me").await.status(),
            StatusCode::OK
        );
        assert!(!signed_in(&app, &browser).await);
        let res = app.login(&browser, &member.email, &member.password).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert!(signed_in(&app, &browser).await);

        // Every step is in the organisation's audit log.
        let (_, html) = app.get_text(&coord, "/org/KUNTA:016/audit").await;
        for text in ["Tili poistettu käytöstä", "Tili otettu käyttöön"] {
            assert!(html.contains(text), "{text} in the audit log");
        }

        // Nobody disables their own account; other organisations and members who do
        // not coordinate may not at all.
        let (coord_user, coord2) = app.signed_in(ASIKKALA, Role::Coordinator).await;
        let res = member_post(&app, &coord2, coord_user.user.id, "disable").await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(signed_in(&app, &coord2).await);
        let (_, lahti) = app.signed_in(LAHTI, Role::Coordinator).await;
        let csrf = app.csrf(&lahti, "/account/tokens").await;
        let res = app
            .post_form(
                &lahti,
                &format!("/org/KUNTA:016/members/{}/disable", member.user.id),
                &[("csrf", &csrf)],
            )
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let (_, editor) = app.signed_in(ASIKKALA, Role::Editor).await;
        let csrf = app.csrf(&editor, "/account/tokens").await;
        let res = app
            .post_form(
                &editor,
                &format!("/org/KUNTA:016/members/{}/remove", member.user.id),
                &[("csrf", &csrf)],
            )
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        assert!(signed_in(&app, &browser).await);
    }
);

both!(
    removing_a_member_keeps_what_they_wrote,
    |app: TestApp| async move {
        let (_, coord) = app.signed_in(ASIKKALA, Role::Coordinator).await;
        let (member, browser) = app.signed_in(ASIKKALA, Role::Commenter).await;
        let token = app.api_token(&member).await;
        // The member comments on a report.
        let coord_token = app
            .api_token(&app.user(ASIKKALA, Role::Coordinator).await)
            .await;
        let v = api_ok(
            &app,
            &coord_token,
            Method::POST,
            "/api/v1/organisations/KUNTA:016/reports",
            json!({"kind": "term_report", "title": "K", "term_start": 2025, "term_end": 2029, "template": "thl"}),
            StatusCode::CREATED,
        )
        .await;
        let id = v["report"]["id"].as_i64().unwrap();
        let sid = v["report"]["sections"][0]["id"]
            .as_i64()
            .or_else(|| v["sections"][0]["id"].as_i64());
        let body = match sid {
            Some(sid) => json!({"section_id": sid, "body": "Jäsenen kommentti"}),
            None => json!({"body": "Jäsenen kommentti"}),
        };
        api_ok(
            &app,
            &token,
            Method::POST,
            &format!("/api/v1/reports/{id}/comments"),
            body,
            StatusCode::CREATED,
        )
        .await;

        let res = member_post(&app, &coord, member.user.id, "remove").await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert!(!signed_in(&app, &browser).await);
        json_error(
            app.get_bearer(&token, "/api/v1/me").await,
            StatusCode::UNAUTHORIZED,
        )
        .await;
        let res = app
            .login(&new_client(), &member.email, &member.password)
            .await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        // Not a member any more; the comment is still theirs.
        let (_, html) = app
            .get_text(&coord, "/org/KUNTA:016/members?done=removed")
            .await;
        assert!(!html.contains(&member.email), "{html}");
        assert!(html.contains("Tili poistettiin"));
        let v = ok_json(
            app.get_bearer(&coord_token, &format!("/api/v1/reports/{id}/comments"))
                .await,
            StatusCode::OK,
        )
        .await;
        assert!(v.to_string().contains(&member.email), "{v}");
        assert!(v.to_string().contains(&member.user.name), "{v}");
        // Gone for the lifecycle: a second removal is 404.
        let res = member_post(&app, &coord, member.user.id, "remove").await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
    }
);

both!(
    a_reset_link_works_once_end_to_end,
    |app: TestApp| async move {
        let (_, coord) = app.signed_in(ASIKKALA, Role::Coordinator).await;
        let (member, browser) = app.signed_in(ASIKKALA, Role::Reader).await;
        let res = member_post(&app, &coord, member.user.id, "reset-link").await;
        assert_eq!(res.status(), StatusCode::OK);
        let html = res.text().await.unwrap();
        let link = input_value(&html, "reset-link").expect("the link is shown");
        // No public address configured (tests, `hyte demo`): the link uses the host.
        let (base, token) = link.rsplit_once("/reset/").unwrap();
        assert_eq!(base, app.base);
        assert_eq!(token.len(), 64);
        assert!(html.contains(&member.email));
        assert!(!html.contains(&member.password));

        // The member opens it in a browser of their own.
        let invitee = new_client();
        let page = format!("/reset/{token}");
        let (status, html) = app.get_text(&invitee, &page).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(&member.email) && html.contains("Valitse uusi salasana"));
        let res = app
            .post_form(
                &invitee,
                &page,
                &[("password", "uusi salasana 1"), ("password2", "toinen")],
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.text().await.unwrap().contains("id=\"form-error\""));
        assert!(signed_in(&app, &browser).await, "nothing used up yet");
        let new_pw = "uusi pitkä salasana 2026";
        let res = app
            .post_form(
                &invitee,
                &page,
                &[("password", new_pw), ("password2", new_pw)],
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.text().await.unwrap().contains("id=\"reset-done\""));
        // Every session of the account ended; the new password signs in, the old not.
        assert!(!signed_in(&app, &browser).await);
        let res = app
            .login(&new_client(), &member.email, &member.password)
            .await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        let res = app.login(&browser, &member.email, new_pw).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        // Used: 410 with a clear sentence, in the browser and on a post.
        let (status, html) = app.get_text(&new_client(), &page).await;
        assert_eq!(status, StatusCode::GONE);
        assert!(html.contains("on jo käytetty"), "{html}");
        let res = app
            .post_form(
                &new_client(),
                &page,
                &[
                    ("password", "kolmas salasana x"),
                    ("password2", "kolmas salasana x"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::GONE);
        let (status, _) = app.get_text(&new_client(), "/reset/0123456789abcdef").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        // The audit log has both steps, never the secret.
        let (_, html) = app.get_text(&coord, "/org/KUNTA:016/audit").await;
        assert!(html.contains("Salasanan vaihtolinkki tehty"));
        assert!(html.contains("Salasana vaihdettu linkillä"));
        assert!(!html.contains(token));
    }
);

both!(
    links_use_the_public_address_not_the_host_header,
    with TestApp::builder().config(|c| {
        c.public_url = Some("https://hyte.kunta.example".into());
        c.require_public_url = true;
    }),
    |app: TestApp| async move {
        let (_, coord) = app.signed_in(ASIKKALA, Role::Coordinator).await;
        let member = app.user(ASIKKALA, Role::Reader).await;
        let csrf = app.csrf(&coord, "/org/KUNTA:016/members").await;
        // A forged Host header changes nothing.
        let res = coord
            .post(app.url(&format!(
                "/org/KUNTA:016/members/{}/reset-link",
                member.user.id
            )))
            .header(reqwest::header::HOST, "evil.example")
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let link = input_value(&res.text().await.unwrap(), "reset-link").unwrap();
        assert!(
            link.starts_with("https://hyte.kunta.example/reset/"),
            "{link}"
        );
        let res = coord
            .post(app.url("/org/KUNTA:016/invitations"))
            .header(reqwest::header::HOST, "evil.example")
            .form(&[
                ("csrf", csrf.as_str()),
                ("email", "kutsuttu@asikkala.example.fi"),
                ("role", "reader"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let link = input_value(&res.text().await.unwrap(), "invite-link").unwrap();
        assert!(
            link.starts_with("https://hyte.kunta.example/invite/"),
            "{link}"
        );
    }
);

both!(
    production_without_a_public_address_makes_no_links,
    with TestApp::builder().config(|c| c.require_public_url = true),
    |app: TestApp| async move {
        let (coord_user, coord) = app.signed_in(ASIKKALA, Role::Coordinator).await;
        let member = app.user(ASIKKALA, Role::Reader).await;
        let res = member_post(&app, &coord, member.user.id, "reset-link").await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = res.text().await.unwrap();
        assert!(html.contains("HYTE_PUBLIC_URL"), "{html}");
        assert!(html.contains("Pyydä IT-palveluita"), "{html}");
        assert!(!html.contains("/reset/"));
        let csrf = app.csrf(&coord, "/org/KUNTA:016/members").await;
        let res = app
            .post_form(
                &coord,
                "/org/KUNTA:016/invitations?lang=sv",
                &[
                    ("csrf", &csrf),
                    ("email", "kutsuttu@asikkala.example.fi"),
                    ("role", "reader"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = res.text().await.unwrap();
        assert!(html.contains("Be IT-förvaltningen"), "{html}");
        // The JSON API refuses alike, with the refusal's key.
        let token = app.api_token(&coord_user).await;
        let res = api(
            &app,
            &token,
            Method::POST,
            "/api/v1/organisations/KUNTA:016/invitations",
            Some(json!({"email": "api@asikkala.example.fi", "role": "reader"})),
        )
        .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let v = json(res).await;
        assert_eq!(v["error"]["code"], "link-err-no-public-url", "{v}");
        // Nothing was created.
        let v = ok_json(
            app.get_bearer(&token, "/api/v1/organisations/KUNTA:016/invitations")
                .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(v["items"].as_array().map(Vec::len), Some(0), "{v}");
    }
);

both!(
    a_user_sees_and_ends_their_sessions,
    |app: TestApp| async move {
        let (user, here) = app.signed_in(ASIKKALA, Role::Editor).await;
        let there = new_client();
        assert_eq!(
            app.login(&there, &user.email, &user.password)
                .await
                .status(),
            StatusCode::SEE_OTHER
        );
        let (status, html) = app.get_text(&here, "/account/sessions").await;
        assert_eq!(status, StatusCode::OK);
        let handles = session_handles(&html);
        assert_eq!(handles.len(), 2, "{html}");
        assert_eq!(html.matches("tämä selain").count(), 1);
        // Which one is this browser's: the row marked as current.
        let current = html
            .split("id=\"session-")
            .skip(1)
            .find(|row| {
                row.split("</tr>")
                    .next()
                    .unwrap()
                    .contains("current-session")
            })
            .map(|row| row.chars().take(16).collect::<String>())
            .unwrap();
        let other = handles.iter().find(|h| **h != current).unwrap().clone();

        // Another user's session cannot be ended through one's own page.
        let (_, stranger) = app.signed_in(ASIKKALA, Role::Editor).await;
        let csrf = app.csrf(&stranger, "/account/sessions").await;
        let res = app
            .post_form(
                &stranger,
                &format!("/account/sessions/{other}/revoke"),
                &[("csrf", &csrf)],
            )
            .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        assert!(signed_in(&app, &there).await);
        // Without the CSRF token: refused.
        let res = app
            .post_form(&here, &format!("/account/sessions/{other}/revoke"), &[])
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);

        let csrf = app.csrf(&here, "/account/sessions").await;
        let res = app
            .post_form(
                &here,
                &format!("/account/sessions/{other}/revoke"),
                &[("csrf", &csrf)],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&res), "/account/sessions?done=revoked");
        assert!(!signed_in(&app, &there).await);
        assert!(signed_in(&app, &here).await);

        // Two more browsers; "end all other sessions" ends both, this one stays.
        let (a, b) = (new_client(), new_client());
        for c in [&a, &b] {
            app.login(c, &user.email, &user.password).await;
            assert!(signed_in(&app, c).await);
        }
        let res = app
            .post_form(&here, "/account/sessions/revoke-others", &[("csrf", &csrf)])
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert!(!signed_in(&app, &a).await && !signed_in(&app, &b).await);
        assert!(signed_in(&app, &here).await);
        let (_, html) = app
            .get_text(&here, "/account/sessions?done=others&lang=en")
            .await;
        assert_eq!(session_handles(&html).len(), 1);
        assert!(html.contains("All your other sessions were ended."));
        // Ending this browser's own session signs it out.
        let res = app
            .post_form(
                &here,
                &format!("/account/sessions/{current}/revoke"),
                &[("csrf", &csrf)],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert!(!signed_in(&app, &here).await);
        // Signed out: the page sends to the sign-in page.
        let res = app.get_with(&here, "/account/sessions").await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert!(location(&res).starts_with("/login?next="));
    }
);

both!(
    an_invitation_reveals_nothing_about_other_organisations,
    |app: TestApp| async move {
        let coord = app.user(ASIKKALA, Role::Coordinator).await;
        let token = app.api_token(&coord).await;
        let lahti = app.user(LAHTI, Role::Editor).await;
        let invite = |email: String| {
            let app = &app;
            let token = token.clone();
            async move {
                api(
                    app,
                    &token,
                    Method::POST,
                    "/api/v1/organisations/KUNTA:016/invitations",
                    Some(json!({"email": email, "role": "reader"})),
                )
                .await
            }
        };
        // Another organisation's user is answered exactly as a new address.
        let fresh = invite("tuntematon@asikkala.example.fi".into()).await;
        let foreign = invite(lahti.email.clone()).await;
        assert_eq!(foreign.status(), StatusCode::CREATED);
        assert_eq!(fresh.status(), StatusCode::CREATED);
        let (f, n) = (json(foreign).await, json(fresh).await);
        let keys = |v: &serde_json::Value| {
            let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
            k.sort();
            k
        };
        assert_eq!(keys(&f), keys(&n));
        assert_eq!(f["state"], n["state"]);
        // A member of the own organisation: the coordinator sees them anyway.
        let member = app.user(ASIKKALA, Role::Reader).await;
        let res = invite(member.email.clone()).await;
        json_error(res, StatusCode::CONFLICT).await;
    }
);
