//! The UI language: suomi, svenska, English, chosen by link, cookie or browser.

use crate::common::*;
use hyte_web::auth::LANG_COOKIE;
use reqwest::StatusCode;

both!(lang_query_switches_and_sticks, |app: TestApp| async move {
    let client = new_client();
    let res = app.get_with(&client, "/?lang=sv").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        set_cookie_value(res.headers(), LANG_COOKIE).as_deref(),
        Some("sv"),
        "choosing a language remembers it in a cookie"
    );
    let html = res.text().await.unwrap();
    assert!(html.contains("<html lang=\"sv\">"), "html lang");
    assert!(html.contains("Logga in"), "Swedish UI");
    assert!(!html.contains(">Kirjaudu<"), "no Finnish login link");

    // The next request without ?lang is still Swedish.
    let (_, html) = app.get_text(&client, "/").await;
    assert!(html.contains("<html lang=\"sv\">"), "language kept");
    assert!(html.contains("Logga in"));
    let (_, html) = app.get_text(&client, "/login").await;
    assert!(html.contains("<html lang=\"sv\">"), "on other pages too");

    // And switching back to English works the same way.
    let (_, html) = app.get_text(&client, "/login?lang=en").await;
    assert!(html.contains("<html lang=\"en\">"));
    let (_, html) = app.get_text(&client, "/").await;
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("Sign in"));
});

both!(browser_language_is_the_default, |app: TestApp| async move {
    let res = plain_client()
        .get(app.url("/"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    let html = res.text().await.unwrap();
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("Sign in"), "English UI");

    let res = plain_client()
        .get(app.url("/login"))
        .header("accept-language", "de-DE, sv;q=0.8, en;q=0.5")
        .send()
        .await
        .unwrap();
    let html = res.text().await.unwrap();
    assert!(
        html.contains("<html lang=\"sv\">"),
        "first supported language"
    );

    // Nothing said: Finnish.
    let (_, html) = app.get_text(&plain_client(), "/").await;
    assert!(html.contains("<html lang=\"fi\">"));
    assert!(html.contains("Kirjaudu"));
    // ?lang wins over the header.
    let res = plain_client()
        .get(app.url("/?lang=sv"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    assert!(res.text().await.unwrap().contains("Logga in"));
});

both!(
    language_switcher_links_every_language,
    |app: TestApp| async move {
        let (_, html) = app.get_text(&plain_client(), "/login").await;
        for (code, name) in [("fi", "suomi"), ("sv", "svenska"), ("en", "English")] {
            assert!(
                html.contains(&format!("href=\"/login?lang={code}\" lang=\"{code}\"")),
                "switcher link to {code}"
            );
            assert!(html.contains(name));
        }
    }
);
