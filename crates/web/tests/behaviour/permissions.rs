//! Who may see what: organisations are separated on the server for pages and API.

use crate::common::*;
use hyte_domain::Role;
use reqwest::StatusCode;

both!(
    coordinator_sees_only_own_organisation,
    |app: TestApp| async move {
        let (user, client) = app.signed_in("KUNTA:016", Role::Coordinator).await;
        let (status, html) = app.get_text(&client, "/org/KUNTA:016").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("Asikkala"));
        // Coordinators see their organisation's users.
        assert!(
            html.contains(&user.email),
            "user list shown to the coordinator"
        );

        let (status, _) = app.get_text(&client, "/org/KUNTA:398").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "Lahti's dashboard");

        let token = app.api_token(&user).await;
        let res = app
            .get_bearer(&token, "/api/v1/organisations/KUNTA:398/dashboard")
            .await;
        json_error(res, StatusCode::FORBIDDEN).await;
        let res = app
            .get_bearer(&token, "/api/v1/organisations/KUNTA:016/dashboard")
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let v = json(res).await;
        assert_eq!(v["organisation"]["id"], "KUNTA:016");
        assert!(v["reports"].is_array());

        // Audit log and the user list of another organisation are closed as well.
        let res = app.get_with(&client, "/org/KUNTA:398/audit").await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
    }
);

both!(
    every_role_is_kept_out_of_other_organisations,
    |app: TestApp| async move {
        for role in [
            Role::Reader,
            Role::Commenter,
            Role::Editor,
            Role::Coordinator,
        ] {
            let (user, client) = app.signed_in("KUNTA:016", role).await;
            let res = app.get_with(&client, "/org/KUNTA:398").await;
            assert_eq!(res.status(), StatusCode::FORBIDDEN, "{role} on Lahti");
            let res = app.get_with(&client, "/org/KUNTA:016").await;
            assert_eq!(res.status(), StatusCode::OK, "{role} on Asikkala");
            let token = app.api_token(&user).await;
            let res = app
                .get_bearer(&token, "/api/v1/organisations/KUNTA:398/dashboard")
                .await;
            assert_eq!(res.status(), StatusCode::FORBIDDEN, "{role} API on Lahti");
        }
        // The welfare region of someone else is closed to a municipality too.
        let (_u, client) = app.signed_in("KUNTA:016", Role::Coordinator).await;
        let res = app.get_with(&client, "/org/HYVINVOINTIALUE:09").await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
    }
);

both!(
    welfare_region_reads_its_municipalities,
    |app: TestApp| async move {
        let (user, client) = app.signed_in("HYVINVOINTIALUE:09", Role::Reader).await;
        let (status, html) = app.get_text(&client, "/org/KUNTA:016").await;
        assert_eq!(status, StatusCode::OK, "Päijät-Häme reads Asikkala");
        assert!(html.contains("Asikkala"));
        let token = app.api_token(&user).await;
        let res = app
            .get_bearer(&token, "/api/v1/organisations/KUNTA:016/dashboard")
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        // Not a municipality of another welfare region (Turku, Varsinais-Suomi).
        let res = app.get_with(&client, "/org/KUNTA:853").await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let res = app
            .get_bearer(&token, "/api/v1/organisations/KUNTA:853/dashboard")
            .await;
        json_error(res, StatusCode::FORBIDDEN).await;
        // Reading is not managing: no audit log of a member municipality.
        let res = app.get_with(&client, "/org/KUNTA:016/audit").await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
    }
);

both!(anonymous_is_sent_to_login, |app: TestApp| async move {
    let res = app.get("/org/KUNTA:016").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/login?next=/org/KUNTA:016");
    let res = app.get("/org/KUNTA:016/audit").await;
    assert!(
        matches!(
            res.status(),
            StatusCode::UNAUTHORIZED | StatusCode::SEE_OTHER
        ),
        "{}",
        res.status()
    );
    let res = app.get("/api/v1/organisations/KUNTA:016/dashboard").await;
    json_error(res, StatusCode::UNAUTHORIZED).await;
    // The public description of an organisation is open.
    let res = app.get("/api/v1/organisations/KUNTA:016").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(json(res).await["names"]["fi"], "Asikkala");
});

both!(
    malformed_and_unknown_organisation_ids,
    |app: TestApp| async move {
        let (user, client) = app.signed_in("KUNTA:016", Role::Coordinator).await;
        let res = app.get_with(&client, "/org/KUNTA:16").await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let res = app.get_with(&client, "/org/KUNTA:999").await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let res = app.get_with(&client, "/org/NOTHING:016").await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let token = app.api_token(&user).await;
        let res = app
            .get_bearer(&token, "/api/v1/organisations/KUNTA:16/dashboard")
            .await;
        let msg = json_error(res, StatusCode::BAD_REQUEST).await;
        assert!(msg.contains("16"), "{msg}");
        let res = app
            .get_bearer(&token, "/api/v1/organisations/KUNTA:999/dashboard")
            .await;
        json_error(res, StatusCode::NOT_FOUND).await;
        let res = app.get("/api/v1/organisations/KUNTA:999").await;
        json_error(res, StatusCode::NOT_FOUND).await;
    }
);

both!(audit_log_is_for_coordinators, |app: TestApp| async move {
    let (_reader, reader_client) = app.signed_in("KUNTA:016", Role::Reader).await;
    let res = app.get_with(&reader_client, "/org/KUNTA:016/audit").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let (_editor, editor_client) = app.signed_in("KUNTA:016", Role::Editor).await;
    let res = app.get_with(&editor_client, "/org/KUNTA:016/audit").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    let (coordinator, client) = app.signed_in("KUNTA:016", Role::Coordinator).await;
    let (status, html) = app.get_text(&client, "/org/KUNTA:016/audit").await;
    assert_eq!(status, StatusCode::OK);
    let row = html
        .split("<tr>")
        .find(|r| r.contains(&coordinator.email))
        .expect("the coordinator's sign-in is listed");
    assert!(row.contains("data-action=\"login\""), "{row}");
    // Entries of other organisations are not.
    let lahti = app.user("KUNTA:398", Role::Reader).await;
    app.login(&new_client(), &lahti.email, &lahti.password)
        .await;
    let (_, html) = app.get_text(&client, "/org/KUNTA:016/audit").await;
    assert!(!html.contains(&lahti.email));
});
