//! Signing in and out: the real login form, sessions, CSRF, rate limiting.

use crate::common::*;
use hyte_domain::Role;
use hyte_web::auth::SESSION_COOKIE;
use reqwest::StatusCode;

both!(login_wrong_then_right_password, |app: TestApp| async move {
    let user = app.user("KUNTA:016", Role::Coordinator).await;
    let client = new_client();

    let res = app.login(&client, &user.email, "not the password").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(
        set_cookie_line(res.headers(), SESSION_COOKIE).is_none(),
        "no session on failure"
    );
    let html = res.text().await.unwrap();
    let error = element_text(&html, "login-error").expect("error shown");
    assert_eq!(error, "Sähköposti tai salasana on väärin.");
    // The form is shown again with a fresh login_csrf and the e-mail kept.
    assert!(hidden_input(&html, "login_csrf").is_some_and(|t| t.len() >= 32));
    assert!(html.contains(&format!("value=\"{}\"", user.email)));
    // Not signed in.
    let res = app.get_with(&client, "/org/KUNTA:016").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    let res = app.login(&client, &user.email, &user.password).await;
    assert!(
        matches!(res.status(), StatusCode::SEE_OTHER | StatusCode::FOUND),
        "{}",
        res.status()
    );
    assert_eq!(location(&res), "/org/KUNTA:016");
    let (status, html) = app.get_text(&client, "/org/KUNTA:016").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("<h1>Asikkala") || html.contains(">Asikkala<"),
        "{html}"
    );
    assert!(
        html.contains(&user.user.name),
        "the signed-in user is shown"
    );

    // E-mail is case-insensitive.
    let other = new_client();
    let res = app
        .login(&other, &user.email.to_uppercase(), &user.password)
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
});

both!(
    unknown_email_fails_like_wrong_password,
    |app: TestApp| async move {
        let res = app
            .login(&new_client(), "nobody@example.fi", PASSWORD)
            .await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        let html = res.text().await.unwrap();
        assert_eq!(
            element_text(&html, "login-error").as_deref(),
            Some("Sähköposti tai salasana on väärin.")
        );
    }
);

both!(
    session_cookie_is_httponly_and_samesite,
    |app: TestApp| async move {
        let user = app.user("KUNTA:016", Role::Reader).await;
        let res = app.login(&new_client(), &user.email, &user.password).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let line = set_cookie_line(res.headers(), SESSION_COOKIE).expect("session cookie set");
        let attrs: Vec<String> = line
            .split(';')
            .skip(1)
            .map(|a| a.trim().to_ascii_lowercase())
            .collect();
        assert!(attrs.iter().any(|a| a == "httponly"), "{line}");
        assert!(
            attrs
                .iter()
                .any(|a| a == "samesite=lax" || a == "samesite=strict"),
            "{line}"
        );
        assert!(attrs.iter().any(|a| a == "path=/"), "{line}");
        let token = set_cookie_value(res.headers(), SESSION_COOKIE).unwrap();
        assert!(
            token.len() >= 32,
            "session token is long and random: {token}"
        );
    }
);

both!(
    secure_cookie_when_configured_for_tls,
    with TestApp::builder().config(|c| c.secure_cookies = true),
    |app: TestApp| async move {
        let user = app.user("KUNTA:016", Role::Reader).await;
        let res = app.login(&new_client(), &user.email, &user.password).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let line = set_cookie_line(res.headers(), SESSION_COOKIE).expect("session cookie set");
        assert!(line.to_ascii_lowercase().contains("; secure"), "{line}");
        assert!(res.headers().contains_key("strict-transport-security"));
    }
);

both!(
    new_session_token_on_every_login,
    |app: TestApp| async move {
        let user = app.user("KUNTA:016", Role::Editor).await;
        let client = new_client();
        let res = app.login(&client, &user.email, &user.password).await;
        let first = set_cookie_value(res.headers(), SESSION_COOKIE).expect("first session");
        assert_eq!(
            app.get_with_session(&first, "/org/KUNTA:016")
                .await
                .status(),
            StatusCode::OK
        );

        // Signing in again from the same browser gives a new token and ends the old one
        // (no session fixation).
        let res = app.login(&client, &user.email, &user.password).await;
        let second = set_cookie_value(res.headers(), SESSION_COOKIE).expect("second session");
        assert_ne!(first, second);
        assert_eq!(
            app.get_with_session(&second, "/org/KUNTA:016")
                .await
                .status(),
            StatusCode::OK
        );
        let res = app.get_with_session(&first, "/org/KUNTA:016").await;
        assert_eq!(
            res.status(),
            StatusCode::SEE_OTHER,
            "the old session is gone"
        );

        // A planted (unknown) session cookie is not adopted either.
        let res = app
            .get_with_session("planted-by-an-attacker", "/org/KUNTA:016")
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
    }
);

both!(logout_ends_the_session, |app: TestApp| async move {
    let (_user, client) = app.signed_in("KUNTA:016", Role::Coordinator).await;
    let csrf = app.csrf(&client, "/org/KUNTA:016").await;
    let res = app.post_form(&client, "/logout", &[("csrf", &csrf)]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/");
    let removal = set_cookie_line(res.headers(), SESSION_COOKIE).expect("cookie removed");
    assert!(
        removal.to_ascii_lowercase().contains("max-age=0")
            || removal.to_ascii_lowercase().contains("expires="),
        "{removal}"
    );
    let res = app.get_with(&client, "/org/KUNTA:016").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(location(&res).starts_with("/login"));
    let entries = app.store.audit_entries(None, 1).await.unwrap();
    assert_eq!(entries[0].action, "logout");
});

both!(
    logout_deletes_the_session_server_side,
    |app: TestApp| async move {
        let user = app.user("KUNTA:016", Role::Reader).await;
        let client = new_client();
        let res = app.login(&client, &user.email, &user.password).await;
        let token = set_cookie_value(res.headers(), SESSION_COOKIE).unwrap();
        let csrf = app.csrf(&client, "/org/KUNTA:016").await;
        let res = app.post_form(&client, "/logout", &[("csrf", &csrf)]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        // Replaying the old cookie does not work.
        let res = app.get_with_session(&token, "/org/KUNTA:016").await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert!(app.store.session(&token).await.unwrap().is_none());
    }
);

both!(
    state_changing_posts_need_the_csrf_token,
    |app: TestApp| async move {
        let (user, client) = app.signed_in("KUNTA:016", Role::Coordinator).await;
        let audit_before = app.store.audit_entries(None, 1000).await.unwrap().len();

        // Logout without and with a wrong token: refused, still signed in.
        let res = app.post_form(&client, "/logout", &[]).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "logout without csrf");
        let res = app
            .post_form(&client, "/logout", &[("csrf", "wrong")])
            .await;
        assert_eq!(
            res.status(),
            StatusCode::FORBIDDEN,
            "logout with a wrong csrf"
        );
        assert_eq!(
            app.get_with(&client, "/org/KUNTA:016").await.status(),
            StatusCode::OK
        );

        // New API token: refused, no token made.
        let res = app
            .post_form(&client, "/account/tokens", &[("name", "evil")])
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "token without csrf");
        let res = app
            .post_form(
                &client,
                "/account/tokens",
                &[("csrf", "wrong"), ("name", "evil")],
            )
            .await;
        assert_eq!(
            res.status(),
            StatusCode::FORBIDDEN,
            "token with a wrong csrf"
        );
        assert!(app
            .store
            .api_tokens_of(user.user.id)
            .await
            .unwrap()
            .is_empty());

        // Password change: refused, the old password still works.
        let new_pw = "a completely new password";
        for form in [
            vec![
                ("current", user.password.as_str()),
                ("new", new_pw),
                ("repeat", new_pw),
            ],
            vec![
                ("csrf", "wrong"),
                ("current", user.password.as_str()),
                ("new", new_pw),
                ("repeat", new_pw),
            ],
        ] {
            let res = app.post_form(&client, "/account/password", &form).await;
            assert_eq!(
                res.status(),
                StatusCode::FORBIDDEN,
                "password change {form:?}"
            );
        }
        let res = app.login(&new_client(), &user.email, &user.password).await;
        assert_eq!(
            res.status(),
            StatusCode::SEE_OTHER,
            "old password still valid"
        );
        let res = app.login(&new_client(), &user.email, new_pw).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

        // The CSRF token of another session does not work either.
        let (_other, other_client) = app.signed_in("KUNTA:016", Role::Reader).await;
        let other_csrf = app.csrf(&other_client, "/org/KUNTA:016").await;
        let res = app
            .post_form(&client, "/logout", &[("csrf", &other_csrf)])
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        assert_eq!(
            app.get_with(&client, "/org/KUNTA:016").await.status(),
            StatusCode::OK
        );

        // Nothing refused was audited as done (only the sign-ins above were added).
        let entries = app.store.audit_entries(None, 1000).await.unwrap();
        let added: Vec<&str> = entries[..entries.len() - audit_before]
            .iter()
            .map(|e| e.action.as_str())
            .collect();
        assert!(
            added.iter().all(|a| *a == "login" || *a == "login_failed"),
            "{added:?}"
        );
    }
);

both!(login_form_needs_its_csrf_token, |app: TestApp| async move {
    let user = app.user("KUNTA:016", Role::Reader).await;
    let client = new_client();
    // Fetch the form so the pre-login cookie is set, then submit a wrong token.
    let (_, html) = app.get_text(&client, "/login").await;
    assert!(hidden_input(&html, "login_csrf").is_some());
    let res = app
        .post_form(
            &client,
            "/login",
            &[
                ("email", user.email.as_str()),
                ("password", user.password.as_str()),
                ("login_csrf", "forged"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(set_cookie_line(res.headers(), SESSION_COOKIE).is_none());
    // Without ever loading the form (no cookie): refused too.
    let res = app
        .post_form(
            &new_client(),
            "/login",
            &[
                ("email", user.email.as_str()),
                ("password", user.password.as_str()),
                ("login_csrf", "forged"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.get_with(&client, "/org/KUNTA:016").await.status(),
        StatusCode::SEE_OTHER
    );
});

both!(
    sixth_failed_login_is_rate_limited,
    |app: TestApp| async move {
        let user = app.user("KUNTA:016", Role::Reader).await;
        let client = new_client();
        for i in 1..=5 {
            let res = app.login(&client, &user.email, "wrong password").await;
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "attempt {i}");
        }
        // The 6th attempt is refused even with the right password.
        let res = app.login(&client, &user.email, &user.password).await;
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(set_cookie_line(res.headers(), SESSION_COOKIE).is_none());
        // The first delay is a minute, said in words and in Retry-After.
        let wait: i64 = res.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=60).contains(&wait), "{wait}");
        let html = res.text().await.unwrap();
        assert!(
            html.contains("Yritä uudelleen 1 minuutin kuluttua"),
            "says when to try again: {html}"
        );
        // The limit is per e-mail: another account from the same address still signs in.
        let other = app.user("KUNTA:016", Role::Reader).await;
        let res = app
            .login(&new_client(), &other.email, &other.password)
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
    }
);

both!(
    sign_in_never_sends_the_user_to_another_site,
    |app: TestApp| async move {
        let user = app.user("KUNTA:016", Role::Coordinator).await;
        let sign_in = |next_in_address: String, forged: Option<&'static str>| {
            let app = &app;
            let user = &user;
            async move {
                let client = new_client();
                let (status, html) = app
                    .get_text(&client, &format!("/login?next={next_in_address}"))
                    .await;
                assert_eq!(status, StatusCode::OK, "{next_in_address}");
                let login_csrf = hidden_input(&html, "login_csrf").unwrap();
                let carried = hidden_input(&html, "next")
                    .unwrap_or_default()
                    .replace("&#38;", "&")
                    .replace("&amp;", "&");
                let res = app
                    .post_form(
                        &client,
                        "/login",
                        &[
                            ("email", user.email.as_str()),
                            ("password", user.password.as_str()),
                            ("login_csrf", login_csrf.as_str()),
                            ("next", forged.unwrap_or(&carried)),
                        ],
                    )
                    .await;
                assert_eq!(res.status(), StatusCode::SEE_OTHER, "{next_in_address}");
                location(&res)
            }
        };
        // The destination in the sign-in page's address (URL-encoded, as a browser
        // sends it) → where the user lands after a correct sign-in.
        for (next, expected) in [
            ("/%09/evil.example", "/org/KUNTA:016"),
            ("//evil.example", "/org/KUNTA:016"),
            ("https://evil.example/", "/org/KUNTA:016"),
            ("/%5Cevil.example", "/org/KUNTA:016"),
            ("/%252F%252Fevil.example", "/org/KUNTA:016"),
            ("/%0d%0aSet-Cookie:x=1", "/org/KUNTA:016"),
            (
                "/reports/7/plan%3Fyear%3D2026%26tag%3Dx",
                "/reports/7/plan?year=2026&tag=x",
            ),
        ] {
            assert_eq!(sign_in(next.to_string(), None).await, expected, "{next}");
        }
        // A forged form field is checked again when the form comes back.
        for forged in ["/\t/evil.example", "//evil.example", "/\\evil.example"] {
            assert_eq!(
                sign_in("/".into(), Some(forged)).await,
                "/org/KUNTA:016",
                "{forged:?}"
            );
        }
        // A signed-out visit keeps its whole address, query included, as one value.
        let res = app.get("/org/KUNTA:016/audit?action=login&q=a%20b").await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let to = location(&res);
        assert_eq!(
            to,
            "/login?next=/org/KUNTA:016/audit?action=login%26q=a%2520b"
        );
        let next = to.trim_start_matches("/login?next=").to_string();
        assert_eq!(
            sign_in(next, None).await,
            "/org/KUNTA:016/audit?action=login&q=a%20b"
        );
    }
);

/// A browser behind the reverse proxy at 127.0.0.1 (the test server's peer), as
/// nginx reports it in `X-Forwarded-For`.
fn client_at(address: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-forwarded-for", address.parse().unwrap());
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .build()
        .unwrap()
}

both!(
    an_attacker_cannot_lock_the_coordinator_out_behind_the_proxy,
    with TestApp::builder().config(|c| {
        c.trusted_proxies = hyte_web::client::TrustedProxies::parse("127.0.0.1").unwrap()
    }),
    |app: TestApp| async move {
        let coordinator = app.user("KUNTA:016", Role::Coordinator).await;
        let colleague = app.user("KUNTA:016", Role::Editor).await;
        // The coordinator signed in from her desk before (a known address).
        let desk = client_at("198.51.100.10");
        let res = app.login(&desk, &coordinator.email, &coordinator.password).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        // An attacker fails 60 times in her name from one address…
        let attacker = client_at("203.0.113.66");
        let mut limited = 0;
        for _ in 0..60 {
            let res = app.login(&attacker, &coordinator.email, "arvaus").await;
            match res.status() {
                StatusCode::UNAUTHORIZED => {}
                StatusCode::TOO_MANY_REQUESTS => limited += 1,
                other => panic!("{other}"),
            }
        }
        // …and is slowed down after 5 (his own pair),
        assert_eq!(limited, 55);
        // while the coordinator still signs in from her desk and a colleague from
        // another address behind the same proxy is not affected at all.
        let res = app
            .login(&client_at("198.51.100.10"), &coordinator.email, &coordinator.password)
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let res = app
            .login(&client_at("198.51.100.11"), &colleague.email, &colleague.password)
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        // The same from many addresses (a spread campaign): from an address she has
        // never used, the account slows down after 50 failures in the window (5 so
        // far, the slowed-down attempts are not even tried); at her desk it does not.
        for i in 0..45 {
            let res = app
                .login(&client_at(&format!("203.0.113.{i}")), &coordinator.email, "arvaus")
                .await;
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "attempt {i}");
        }
        let res = app
            .login(&client_at("192.0.2.1"), &coordinator.email, &coordinator.password)
            .await;
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
        let res = app
            .login(&client_at("198.51.100.10"), &coordinator.email, &coordinator.password)
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
    }
);

both!(
    forwarded_for_from_an_untrusted_peer_is_ignored,
    |app: TestApp| async move {
        // No trusted proxies: a client naming a new address in every request is
        // still one address, and slows down after 20 failures over any accounts.
        let mut users = vec![];
        for _ in 0..6 {
            users.push(app.user("KUNTA:016", Role::Reader).await);
        }
        let mut statuses = vec![];
        for i in 0..24 {
            let user = &users[i % users.len()];
            let res = app
                .login(&client_at(&format!("203.0.113.{i}")), &user.email, "arvaus")
                .await;
            statuses.push(res.status().as_u16());
        }
        assert_eq!(statuses[..20], [401; 20]);
        assert_eq!(statuses[20..], [429; 4]);
    }
);
