//! The account pages: password change and personal API tokens.

use crate::common::*;
use hyte_domain::Role;
use hyte_web::auth::SESSION_COOKIE;
use reqwest::StatusCode;

both!(
    change_password_through_the_form,
    |app: TestApp| async move {
        let user = app.user("KUNTA:016", Role::Editor).await;
        let client = new_client();
        assert_eq!(
            app.login(&client, &user.email, &user.password)
                .await
                .status(),
            StatusCode::SEE_OTHER
        );
        // A second browser of the same user.
        let other = new_client();
        assert_eq!(
            app.login(&other, &user.email, &user.password)
                .await
                .status(),
            StatusCode::SEE_OTHER
        );
        let new_pw = "uusi salasana joka on pitkä";

        // Wrong current password: 422 with the reason, nothing changes.
        let csrf = app.csrf(&client, "/account/password").await;
        let res = app
            .post_form(
                &client,
                "/account/password",
                &[
                    ("csrf", &csrf),
                    ("current", "not it"),
                    ("new", new_pw),
                    ("repeat", new_pw),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = res.text().await.unwrap();
        assert!(html.contains("Nykyinen salasana on väärin."), "{html}");
        assert_eq!(
            app.get_with(&other, "/org/KUNTA:016").await.status(),
            StatusCode::OK
        );

        // Too short or not repeated: 422 as well.
        for (new, repeat) in [("short", "short"), (new_pw, "something else entirely")] {
            let res = app
                .post_form(
                    &client,
                    "/account/password",
                    &[
                        ("csrf", &csrf),
                        ("current", &user.password),
                        ("new", new),
                        ("repeat", repeat),
                    ],
                )
                .await;
            assert_eq!(
                res.status(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "{new} / {repeat}"
            );
        }
        // Long enough but guessed at once (ASVS 2.1): refused with the reason, in
        // the reader's language.
        for (weak, says) in [
            ("aaaaaaaaaaaa", "Salasana toistaa samaa merkkiä"),
            ("qwertyuiop12", "Salasana seuraa näppäimistön riviä"),
            (
                "password1234",
                "yleisimmin käytettyjen salasanojen joukossa",
            ),
            ("aaaaaaaaaa", "vähintään 12 merkkiä"),
        ] {
            let res = app
                .post_form(
                    &client,
                    "/account/password",
                    &[
                        ("csrf", &csrf),
                        ("current", &user.password),
                        ("new", weak),
                        ("repeat", weak),
                    ],
                )
                .await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{weak}");
            let html = res.text().await.unwrap();
            assert!(html.contains(says), "{weak}: {html}");
        }
        let res = app.login(&new_client(), &user.email, &user.password).await;
        assert_eq!(
            res.status(),
            StatusCode::SEE_OTHER,
            "password unchanged so far"
        );

        // The real change.
        let res = app
            .post_form(
                &client,
                "/account/password",
                &[
                    ("csrf", &csrf),
                    ("current", &user.password),
                    ("new", new_pw),
                    ("repeat", new_pw),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        assert!(
            set_cookie_line(res.headers(), SESSION_COOKIE).is_some(),
            "the changing browser gets a new session"
        );

        // This browser stays signed in; the other session has ended.
        assert_eq!(
            app.get_with(&client, "/org/KUNTA:016").await.status(),
            StatusCode::OK
        );
        let res = app.get_with(&other, "/org/KUNTA:016").await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "other sessions end");

        // The old password fails, the new one works.
        let res = app.login(&new_client(), &user.email, &user.password).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        let res = app.login(&new_client(), &user.email, new_pw).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);

        let actions: Vec<String> = app
            .store
            .audit_entries(Some(&"KUNTA:016".parse().unwrap()), 100)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert!(
            actions.contains(&"password_changed".to_string()),
            "{actions:?}"
        );
    }
);

both!(password_page_needs_sign_in, |app: TestApp| async move {
    let res = app.get("/account/password").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(location(&res).starts_with("/login"));
    let res = app.get("/account/tokens").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(location(&res).starts_with("/login"));
});

both!(api_token_lifecycle, |app: TestApp| async move {
    let (user, client) = app.signed_in("KUNTA:016", Role::Coordinator).await;

    // Create through the page: shown once.
    let csrf = app.csrf(&client, "/account/tokens").await;
    let res = app
        .post_form(
            &client,
            "/account/tokens",
            &[("csrf", &csrf), ("name", "integration")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    let token = element_text(&html, "new-token").expect("token shown in <code id=\"new-token\">");
    assert!(token.len() >= 40, "{token}");
    let (_, again) = app.get_text(&client, "/account/tokens").await;
    assert!(!again.contains(&token), "the token is shown only once");
    assert!(again.contains("integration"), "listed by name");
    assert!(
        !again.contains("id=\"new-token\""),
        "no token block on a plain visit"
    );

    // Bearer gives the user.
    let res = app.get_bearer(&token, "/api/v1/me").await;
    assert_eq!(res.status(), StatusCode::OK);
    let me = json(res).await;
    assert_eq!(me["email"], user.email.as_str());
    assert_eq!(me["organisation"], "KUNTA:016");
    assert_eq!(me["role"], "coordinator");

    // A bad token, or a malformed header: 401 JSON.
    let res = app.get_bearer("hyte_not-a-real-token", "/api/v1/me").await;
    json_error(res, StatusCode::UNAUTHORIZED).await;
    let res = plain_client()
        .get(app.url("/api/v1/me"))
        .header("authorization", "Basic dXNlcjpwYXNz")
        .send()
        .await
        .unwrap();
    json_error(res, StatusCode::UNAUTHORIZED).await;
    // No credentials at all: 401 too.
    let res = plain_client()
        .get(app.url("/api/v1/me"))
        .send()
        .await
        .unwrap();
    json_error(res, StatusCode::UNAUTHORIZED).await;

    // Revoke through the page.
    let tokens = app.store.api_tokens_of(user.user.id).await.unwrap();
    assert_eq!(tokens.len(), 1);
    let id = tokens[0].0;
    let (_, page) = app.get_text(&client, "/account/tokens").await;
    let action = format!("/account/tokens/{id}/delete");
    assert!(page.contains(&action), "revoke form for token {id}");
    let csrf = hidden_input(&page, "csrf").unwrap();
    let res = app.post_form(&client, &action, &[("csrf", &csrf)]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = app.get_bearer(&token, "/api/v1/me").await;
    json_error(res, StatusCode::UNAUTHORIZED).await;
    assert!(app
        .store
        .api_tokens_of(user.user.id)
        .await
        .unwrap()
        .is_empty());
});

both!(
    tokens_of_others_cannot_be_revoked,
    |app: TestApp| async move {
        let owner = app.user("KUNTA:398", Role::Coordinator).await;
        let token = app.api_token(&owner).await;
        let id = app.store.api_tokens_of(owner.user.id).await.unwrap()[0].0;
        let (_, client) = app.signed_in("KUNTA:016", Role::Coordinator).await;
        let csrf = app.csrf(&client, "/account/tokens").await;
        let res = app
            .post_form(
                &client,
                &format!("/account/tokens/{id}/delete"),
                &[("csrf", &csrf)],
            )
            .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        assert_eq!(
            app.get_bearer(&token, "/api/v1/me").await.status(),
            StatusCode::OK
        );
    }
);
