//! The account lifecycle as use cases, on SQLite and PostgreSQL alike, without HTTP:
//! who may disable, enable, remove and issue reset links (refusals by key, none of
//! them audited), a disabled account's sessions and tokens refused at once, removal
//! keeping what the account wrote attributed, reset links single-use and expiring,
//! a user's own sessions, and invitations that reveal nothing about other
//! organisations' users.

#[macro_use]
mod common;

use common::*;
use hyte_app::accounts::{Initiator, NewAccount, SignIn, SignInRules};
use hyte_app::lifecycle::PublicUrl;
use hyte_app::plan::GoalDraft;
use hyte_app::process::{Joining, NewInvitation};
use hyte_app::reports::comments::NewComment;
use hyte_app::reports::sections::{SectionPatch, TextSave};
use hyte_app::{Actor, App, AppError};
use hyte_domain::{RegionKey, Role};
use hyte_store::users::token_hash;

const PASSWORD: &str = "a long enough password";
const ASIKKALA: &str = "KUNTA:016";
const LAHTI: &str = "KUNTA:398";
const PAIJAT_HAME: &str = "HYVINVOINTIALUE:09";

const RULES: SignInRules = SignInRules {
    max_failures: 50,
    window_secs: 900,
    session_ttl_secs: 3600,
};

struct Fx {
    db: TestStore,
    app: App,
    admin: Actor,
    coord: Actor,
    coord2: Actor,
    editor: Actor,
    lahti: Actor,
    region: Actor,
}

impl Fx {
    async fn sqlite() -> Fx {
        Fx::on(TestStore::sqlite().await).await
    }

    async fn postgres() -> Option<Fx> {
        Some(Fx::on(TestStore::postgres().await?).await)
    }

    async fn on(db: TestStore) -> Fx {
        let app = App::new(db.store.clone());
        let make = |email: &'static str, org: Option<&'static str>, role: Role| {
            let app = app.clone();
            async move {
                Actor::new(
                    app.create_user(
                        Initiator::System(None),
                        &NewAccount {
                            email: email.into(),
                            name: format!("Nimi {email}"),
                            org: org.map(|o| o.parse().unwrap()),
                            role,
                            sector: None,
                            password: PASSWORD.into(),
                        },
                        "test",
                    )
                    .await
                    .unwrap(),
                )
            }
        };
        Fx {
            admin: make("admin@hyte.fi", None, Role::Admin).await,
            coord: make("koord@asikkala.fi", Some(ASIKKALA), Role::Coordinator).await,
            coord2: make("koord2@asikkala.fi", Some(ASIKKALA), Role::Coordinator).await,
            editor: make("toimittaja@asikkala.fi", Some(ASIKKALA), Role::Editor).await,
            lahti: make("koord@lahti.fi", Some(LAHTI), Role::Coordinator).await,
            region: make("koord@phhyky.fi", Some(PAIJAT_HAME), Role::Coordinator).await,
            app,
            db,
        }
    }

    /// The newest audit entry's user, organisation, action and detail.
    async fn last_audit(&self) -> (Option<String>, Option<String>, String, String) {
        let e = self.db.audit_entries(None, 1).await.unwrap();
        let e = &e[0];
        (
            e.user_email.clone(),
            e.org_key.clone(),
            e.action.clone(),
            e.detail.clone(),
        )
    }

    async fn audit_count(&self) -> usize {
        self.db.audit_entries(None, 10_000).await.unwrap().len()
    }

    async fn signs_in(&self, email: &str, password: &str) -> bool {
        matches!(
            self.app
                .sign_in(email, password, "127.0.0.1", &RULES, None)
                .await
                .unwrap(),
            SignIn::Welcome { .. }
        )
    }
}

fn asikkala() -> RegionKey {
    ASIKKALA.parse().unwrap()
}

fn user(a: &Actor) -> Initiator<'_> {
    Initiator::User(a)
}

both!(who_may_change_an_account, |fx: Fx| async move {
    let target = fx.editor.user.id;
    let before = fx.audit_count().await;
    // Not a coordinator of the account's organisation: refused before anything is
    // looked up, through a page's organisation or without one.
    for (who, org) in [
        (&fx.editor, Some(asikkala())),
        (&fx.editor, None),
        (&fx.lahti, Some(asikkala())),
        (&fx.lahti, None),
        (&fx.region, Some(asikkala())),
        (&fx.region, None),
    ] {
        for e in [
            fx.app
                .disable_user(user(who), org.as_ref(), target)
                .await
                .unwrap_err(),
            fx.app
                .remove_user(user(who), org.as_ref(), target)
                .await
                .unwrap_err(),
            fx.app
                .issue_password_reset(user(who), org.as_ref(), target)
                .await
                .unwrap_err(),
        ] {
            assert!(
                matches!(e, AppError::Forbidden(_)),
                "{}: {e:?}",
                who.email()
            );
            assert_eq!(key_of(&e), "grp-err-manage-forbidden");
        }
    }
    // A coordinator never manages an administrator's account.
    let e = fx
        .app
        .disable_user(user(&fx.coord), None, fx.admin.user.id)
        .await
        .unwrap_err();
    assert_eq!(key_of(&e), "life-err-admin-account");
    assert!(matches!(e, AppError::Forbidden(_)));
    // Nobody disables, removes or resets their own account here.
    for who in [&fx.coord, &fx.admin] {
        let own = who.user.id;
        let org = who.user.org.clone();
        for e in [
            fx.app
                .disable_user(user(who), org.as_ref(), own)
                .await
                .unwrap_err(),
            fx.app
                .remove_user(user(who), org.as_ref(), own)
                .await
                .unwrap_err(),
            fx.app
                .issue_password_reset(user(who), org.as_ref(), own)
                .await
                .unwrap_err(),
        ] {
            assert_eq!(key_of(&e), "life-err-self", "{e:?}");
        }
    }
    // An account of another organisation than the page's, and an unknown one: 404.
    let lahti: RegionKey = LAHTI.parse().unwrap();
    let e = fx
        .app
        .disable_user(user(&fx.admin), Some(&lahti), target)
        .await
        .unwrap_err();
    assert!(matches!(e, AppError::NotFound(_)), "{e:?}");
    assert_eq!(key_of(&e), "life-err-no-user");
    let e = fx
        .app
        .disable_user(user(&fx.coord), Some(&asikkala()), 999_999)
        .await
        .unwrap_err();
    assert_eq!(key_of(&e), "life-err-no-user");
    assert_eq!(fx.audit_count().await, before, "refusals are not audited");

    // The own organisation's coordinator may, another coordinator included; so may
    // an administrator, an administrator's account included.
    let (u, changed) = fx
        .app
        .disable_user(user(&fx.coord), Some(&asikkala()), fx.coord2.user.id)
        .await
        .unwrap();
    assert!(changed && u.disabled_at.is_some());
    assert_eq!(
        fx.last_audit().await,
        (
            Some("koord@asikkala.fi".into()),
            Some(ASIKKALA.into()),
            "user_disabled".into(),
            "koord2@asikkala.fi".into()
        )
    );
    let other_admin = fx
        .app
        .create_user(
            Initiator::System(None),
            &NewAccount {
                email: "toinen@hyte.fi".into(),
                name: "Toinen ylläpitäjä".into(),
                org: None,
                role: Role::Admin,
                sector: None,
                password: PASSWORD.into(),
            },
            "test",
        )
        .await
        .unwrap();
    fx.app
        .disable_user(user(&fx.admin), None, other_admin.id)
        .await
        .unwrap();
    let (who, org, action, _) = fx.last_audit().await;
    assert_eq!(
        (who.as_deref(), org, action.as_str()),
        (Some("admin@hyte.fi"), None, "user_disabled")
    );
    // The command line acts as the system, for any account.
    fx.app
        .enable_user(Initiator::System(None), None, other_admin.id)
        .await
        .unwrap();
    let (who, _, action, detail) = fx.last_audit().await;
    assert_eq!((who, action.as_str()), (None, "user_enabled"));
    assert!(detail.contains("command line"), "{detail}");
});

both!(a_disabled_account_stops_at_once, |fx: Fx| async move {
    let ed = &fx.editor;
    let session = fx.app.start_session(ed.user.id, 3600).await.unwrap().token;
    let (_, token) = fx.app.create_token(ed, "integraatio", None).await.unwrap();
    assert!(fx.app.session(&session).await.unwrap().is_some());
    assert!(fx.app.user_by_api_token(&token).await.unwrap().is_some());
    let reset = fx
        .app
        .issue_password_reset(user(&fx.coord), Some(&asikkala()), ed.user.id)
        .await
        .unwrap();

    let (_, changed) = fx
        .app
        .disable_user(user(&fx.coord), Some(&asikkala()), ed.user.id)
        .await
        .unwrap();
    assert!(changed);
    // The store's look-ups behind every request return nothing for the account,
    // even for a session that a sign-in racing the change would have started.
    assert!(fx.db.session(&session).await.unwrap().is_none());
    let late = fx.app.start_session(ed.user.id, 3600).await.unwrap().token;
    assert!(fx.db.session(&late).await.unwrap().is_none());
    assert!(fx.db.user_by_api_token(&token).await.unwrap().is_none());
    assert!(fx.app.user_by_api_token(&token).await.unwrap().is_none());
    // Signing in is answered like a wrong password (and audited as a failure).
    assert!(!fx.signs_in(ed.email(), PASSWORD).await);
    assert_eq!(fx.last_audit().await.2, "login_failed");
    // Its unused reset link is void, and no new one is issued while it is disabled.
    let e = fx
        .app
        .password_reset_target(&reset.token)
        .await
        .unwrap_err();
    assert_eq!(key_of(&e), "reset-err-revoked");
    let e = fx
        .app
        .issue_password_reset(user(&fx.coord), Some(&asikkala()), ed.user.id)
        .await
        .unwrap_err();
    assert_eq!(key_of(&e), "life-err-reset-disabled");
    // Disabling again changes nothing and logs nothing.
    let before = fx.audit_count().await;
    let (_, changed) = fx
        .app
        .disable_user(user(&fx.admin), Some(&asikkala()), ed.user.id)
        .await
        .unwrap();
    assert!(!changed);
    assert_eq!(fx.audit_count().await, before);
    // Still listed among the members (so that it can be enabled).
    assert!(fx
        .db
        .users_of(&asikkala())
        .await
        .unwrap()
        .iter()
        .any(|u| u.id == ed.user.id));

    // Enabled again: its password and its API token work again; the sessions that
    // were open when it was disabled stay ended.
    let (u, changed) = fx
        .app
        .enable_user(user(&fx.admin), Some(&asikkala()), ed.user.id)
        .await
        .unwrap();
    assert!(changed && u.disabled_at.is_none());
    assert_eq!(
        fx.last_audit().await,
        (
            Some("admin@hyte.fi".into()),
            Some(ASIKKALA.into()),
            "user_enabled".into(),
            "toimittaja@asikkala.fi".into()
        )
    );
    assert!(fx.app.user_by_api_token(&token).await.unwrap().is_some());
    assert!(fx.app.session(&session).await.unwrap().is_none());
    assert!(fx.signs_in(ed.email(), PASSWORD).await);
});

both!(removal_keeps_the_history_attributed, |fx: Fx| async move {
    // The second coordinator writes: a section revision, a comment, a plan goal;
    // is assigned to a section and has a session and a token.
    let report = asikkala_report(&fx.app, &fx.coord).await;
    let ctx = fx.app.load_report(&fx.coord2, report).await.unwrap();
    let sid = fx.db.sections(report).await.unwrap()[0].id;
    let section = fx.app.current_section(&ctx, sid).await.unwrap();
    let save = TextSave {
        base_revision: 0,
        body: "Kirjoittanut koordinaattori 2.".into(),
        note: None,
    };
    fx.app
        .save_section_text(&ctx, &section, &save)
        .await
        .unwrap();
    fx.app
        .add_comment(
            &ctx,
            &NewComment {
                section_id: Some(sid),
                body: "Kommentti ennen poistoa".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    fx.app
        .create_goal(
            &ctx,
            &GoalDraft {
                title: "Liikunta lisääntyy".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let coord_ctx = fx.app.load_report(&fx.coord, report).await.unwrap();
    let section = fx.app.current_section(&coord_ctx, sid).await.unwrap();
    fx.app
        .update_section(
            &coord_ctx,
            &section,
            &SectionPatch {
                assignees: Some(vec![fx.coord2.user.id]),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let session = fx
        .app
        .start_session(fx.coord2.user.id, 3600)
        .await
        .unwrap()
        .token;
    let (_, token) = fx
        .app
        .create_token(&fx.coord2, "integraatio", None)
        .await
        .unwrap();

    let removed = fx
        .app
        .remove_user(user(&fx.coord), Some(&asikkala()), fx.coord2.user.id)
        .await
        .unwrap();
    assert!(removed.removed_at.is_some());
    assert_eq!(
        fx.last_audit().await,
        (
            Some("koord@asikkala.fi".into()),
            Some(ASIKKALA.into()),
            "user_removed".into(),
            "koord2@asikkala.fi (Nimi koord2@asikkala.fi)".into()
        )
    );
    // Gone as an account: no sign-in, no session, no token, not a member, not an
    // assignee; not found by the lifecycle any more.
    assert!(!fx.signs_in("koord2@asikkala.fi", PASSWORD).await);
    assert!(fx.app.session(&session).await.unwrap().is_none());
    assert!(fx.app.user_by_api_token(&token).await.unwrap().is_none());
    assert!(fx
        .db
        .api_tokens_of(fx.coord2.user.id)
        .await
        .unwrap()
        .is_empty());
    assert!(!fx
        .db
        .users_of(&asikkala())
        .await
        .unwrap()
        .iter()
        .any(|u| u.id == fx.coord2.user.id));
    let s = fx.db.sections(report).await.unwrap();
    assert!(s.iter().all(|s| s.assignees.is_empty()), "{s:?}");
    for e in [
        fx.app
            .remove_user(user(&fx.coord), Some(&asikkala()), fx.coord2.user.id)
            .await
            .unwrap_err(),
        fx.app
            .enable_user(user(&fx.admin), None, fx.coord2.user.id)
            .await
            .unwrap_err(),
    ] {
        assert_eq!(key_of(&e), "life-err-no-user");
    }
    // What it wrote is still theirs, by name and e-mail.
    let kept = fx
        .db
        .user_by_id(fx.coord2.user.id)
        .await
        .unwrap()
        .expect("the account row stays");
    assert_eq!(
        (kept.email.as_str(), kept.name.as_str()),
        ("koord2@asikkala.fi", "Nimi koord2@asikkala.fi")
    );
    let revisions = fx.db.revisions(sid).await.unwrap();
    assert!(revisions
        .iter()
        .any(|r| r.author_email == "koord2@asikkala.fi" && r.body.contains("koordinaattori 2")));
    let comments = fx.app.comments(&coord_ctx).await.unwrap();
    assert_eq!(comments[0].author_email, "koord2@asikkala.fi");
    assert_eq!(comments[0].author_name, "Nimi koord2@asikkala.fi");
    assert_eq!(
        fx.db.plan(report).await.unwrap().goals[0].updated_by,
        "koord2@asikkala.fi"
    );
    let entries = fx.db.audit_entries(None, 1000).await.unwrap();
    assert!(entries
        .iter()
        .any(|e| e.user_email.as_deref() == Some("koord2@asikkala.fi")
            && e.action == "section_saved"));
});

both!(reset_links_are_single_use_and_expire, |fx: Fx| async move {
    let ed = fx.editor.user.clone();
    let old_session = fx.app.start_session(ed.id, 3600).await.unwrap().token;
    let issued = fx
        .app
        .issue_password_reset(user(&fx.coord), Some(&asikkala()), ed.id)
        .await
        .unwrap();
    assert_eq!(issued.link, None, "no public address in development");
    assert_eq!(issued.token.len(), 64);
    let (who, org, action, detail) = fx.last_audit().await;
    assert_eq!(
        (who.as_deref(), org.as_deref(), action.as_str()),
        (
            Some("koord@asikkala.fi"),
            Some(ASIKKALA),
            "password_reset_issued"
        )
    );
    assert!(detail.contains("toimittaja@asikkala.fi"), "{detail}");
    assert!(
        !detail.contains(&issued.token),
        "the secret is never logged"
    );
    // Only the token's hash is stored.
    let stored: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM password_reset")
        .fetch_all(fx.db.pool())
        .await
        .unwrap();
    assert_eq!(stored, vec![token_hash(&issued.token)]);

    let target = fx.app.password_reset_target(&issued.token).await.unwrap();
    assert_eq!(target.email, "toimittaja@asikkala.fi");
    // The password rules of a password change apply; a refused password leaves the
    // link usable.
    let before = fx.audit_count().await;
    for (new, repeat, key) in [
        ("lyhyt", "lyhyt", "password-too-short"),
        (
            "uusi pitkä salasana",
            "toinen pitkä salasana",
            "password-mismatch",
        ),
    ] {
        let e = fx
            .app
            .use_password_reset(&issued.token, new, repeat)
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Invalid { .. }), "{e:?}");
        assert_eq!(key_of(&e), key);
    }
    assert_eq!(fx.audit_count().await, before);
    let new = "uusi pitkä salasana 2026";
    let u = fx
        .app
        .use_password_reset(&issued.token, new, new)
        .await
        .unwrap();
    assert_eq!(u.id, ed.id);
    assert_eq!(
        fx.last_audit().await,
        (
            Some("toimittaja@asikkala.fi".into()),
            Some(ASIKKALA.into()),
            "password_reset_used".into(),
            "set a new password with a reset link; every session ended".into()
        )
    );
    assert!(
        fx.app.session(&old_session).await.unwrap().is_none(),
        "every session ended"
    );
    assert!(fx.signs_in(ed.email.as_str(), new).await);
    assert!(!fx.signs_in(ed.email.as_str(), PASSWORD).await);
    // Single use.
    let again = "kolmas pitkä salasana";
    let e = fx
        .app
        .use_password_reset(&issued.token, again, again)
        .await
        .unwrap_err();
    assert!(matches!(e, AppError::Conflict(_)), "{e:?}");
    assert_eq!(key_of(&e), "reset-err-used");
    let e = fx
        .app
        .password_reset_target(&issued.token)
        .await
        .unwrap_err();
    assert_eq!(key_of(&e), "reset-err-used");
    // Of two uses of one link at the same moment, exactly one sets the password.
    let racing = fx
        .app
        .issue_password_reset(user(&fx.coord), Some(&asikkala()), ed.id)
        .await
        .unwrap();
    let (pw_a, pw_b) = ("kilpaileva salasana A", "kilpaileva salasana B");
    let (a, b) = tokio::join!(
        fx.app.use_password_reset(&racing.token, pw_a, pw_a),
        fx.app.use_password_reset(&racing.token, pw_b, pw_b)
    );
    assert_eq!(
        usize::from(a.is_ok()) + usize::from(b.is_ok()),
        1,
        "{a:?} {b:?}"
    );
    let e = a.err().or(b.err()).unwrap();
    assert_eq!(key_of(&e), "reset-err-used");
    let new = if fx.signs_in(ed.email.as_str(), pw_a).await {
        pw_a
    } else {
        pw_b
    };
    assert!(fx.signs_in(ed.email.as_str(), new).await);
    // A newer link makes the older void; an expired link does not work.
    let first = fx
        .app
        .issue_password_reset(user(&fx.admin), Some(&asikkala()), ed.id)
        .await
        .unwrap();
    let second = fx
        .app
        .issue_password_reset(user(&fx.admin), None, ed.id)
        .await
        .unwrap();
    let e = fx
        .app
        .use_password_reset(&first.token, again, again)
        .await
        .unwrap_err();
    assert_eq!(key_of(&e), "reset-err-revoked");
    sqlx::query("UPDATE password_reset SET expires_at = $1 WHERE token_hash = $2")
        .bind("2020-01-01T00:00:00Z")
        .bind(token_hash(&second.token))
        .execute(fx.db.pool())
        .await
        .unwrap();
    let e = fx
        .app
        .use_password_reset(&second.token, again, again)
        .await
        .unwrap_err();
    assert_eq!(key_of(&e), "reset-err-expired");
    assert!(fx.signs_in(ed.email.as_str(), new).await);
    let e = fx
        .app
        .password_reset_target("0123456789abcdef")
        .await
        .unwrap_err();
    assert!(matches!(e, AppError::NotFound(_)));
    assert_eq!(key_of(&e), "reset-err-unknown");

    // Links point at the configured public address; in production, no address
    // means no link (and no invitation), with a clear refusal.
    let configured = fx.app.clone().with_public_url(PublicUrl::new(
        Some("https://hyte.kunta.example".into()),
        true,
    ));
    let r = configured
        .issue_password_reset(user(&fx.coord), Some(&asikkala()), ed.id)
        .await
        .unwrap();
    assert_eq!(
        r.link.as_deref(),
        Some(format!("https://hyte.kunta.example/reset/{}", r.token).as_str())
    );
    let production = fx.app.clone().with_public_url(PublicUrl::new(None, true));
    let before = fx.audit_count().await;
    let e = production
        .issue_password_reset(user(&fx.coord), Some(&asikkala()), ed.id)
        .await
        .unwrap_err();
    assert_eq!(key_of(&e), "link-err-no-public-url");
    let g = production
        .managed_org(&fx.coord, &asikkala())
        .await
        .unwrap();
    let e = production
        .invite(
            &g,
            &NewInvitation {
                email: "uusi@asikkala.fi".into(),
                role: "reader".into(),
                sector: None,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(key_of(&e), "link-err-no-public-url");
    assert_eq!(fx.audit_count().await, before);
});

both!(a_user_sees_and_ends_their_sessions, |fx: Fx| async move {
    let ed = &fx.editor;
    let mut tokens = vec![];
    for _ in 0..3 {
        tokens.push(fx.app.start_session(ed.user.id, 3600).await.unwrap().token);
    }
    let other = fx
        .app
        .start_session(fx.coord.user.id, 3600)
        .await
        .unwrap()
        .token;
    // Used once: last seen is noted.
    fx.app.session(&tokens[1]).await.unwrap().unwrap();
    let list = fx.app.own_sessions(ed, Some(&tokens[0])).await.unwrap();
    assert_eq!(list.len(), 3);
    assert_eq!(list.iter().filter(|s| s.current).count(), 1);
    let handle = |t: &str| token_hash(t)[..16].to_string();
    let current = list.iter().find(|s| s.current).unwrap();
    assert_eq!(current.handle, handle(&tokens[0]));
    let seen = list
        .iter()
        .find(|s| s.handle == handle(&tokens[1]))
        .unwrap();
    assert!(seen.last_seen_at.is_some());
    assert!(list
        .iter()
        .all(|s| !tokens.iter().any(|t| s.handle.contains(t.as_str()))));

    // Another user's session, an unknown handle: 404, nothing ends.
    for h in [handle(&other), "0000000000000000".into(), String::new()] {
        let e = fx.app.revoke_own_session(ed, &h).await.unwrap_err();
        assert!(matches!(e, AppError::NotFound(_)), "{e:?}");
        assert_eq!(key_of(&e), "sessions-err-no-session");
    }
    assert!(fx.app.session(&other).await.unwrap().is_some());

    fx.app
        .revoke_own_session(ed, &handle(&tokens[1]))
        .await
        .unwrap();
    assert!(fx.app.session(&tokens[1]).await.unwrap().is_none());
    let (who, org, action, _) = fx.last_audit().await;
    assert_eq!(
        (who.as_deref(), org.as_deref(), action.as_str()),
        (
            Some("toimittaja@asikkala.fi"),
            Some(ASIKKALA),
            "session_revoked"
        )
    );
    let n = fx.app.revoke_other_sessions(ed, &tokens[0]).await.unwrap();
    assert_eq!(n, 1);
    assert!(fx.app.session(&tokens[2]).await.unwrap().is_none());
    assert!(fx.app.session(&tokens[0]).await.unwrap().is_some());
    assert!(fx.app.session(&other).await.unwrap().is_some());
    assert_eq!(fx.last_audit().await.3, "ended 1 other session(s)");
    assert_eq!(fx.app.own_sessions(ed, None).await.unwrap().len(), 1);
});

both!(
    invitations_reveal_nothing_about_other_organisations,
    |fx: Fx| async move {
        let g = fx.app.managed_org(&fx.coord, &asikkala()).await.unwrap();
        let invite = |email: &str| NewInvitation {
            email: email.into(),
            role: "editor".into(),
            sector: None,
        };
        // A member of the own organisation: the coordinator sees them in the list.
        let e = fx
            .app
            .invite(&g, &invite("Toimittaja@Asikkala.fi"))
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Conflict(_)), "{e:?}");
        assert_eq!(key_of(&e), "grp-err-has-account");
        // Another organisation's user, an administrator: answered as a new address.
        let (new, _) = fx
            .app
            .invite(&g, &invite("uusi@asikkala.fi"))
            .await
            .unwrap();
        let (foreign, token) = fx.app.invite(&g, &invite("koord@lahti.fi")).await.unwrap();
        let (admin, _) = fx.app.invite(&g, &invite("admin@hyte.fi")).await.unwrap();
        for inv in [&foreign, &admin] {
            assert_eq!(
                (inv.state(), inv.role, &inv.org),
                (new.state(), new.role, &new.org)
            );
        }
        assert_eq!(fx.last_audit().await.2, "invitation_created");
        // Whoever opens that link is told to sign in; no second account is made.
        let e = fx
            .app
            .accept_invitation(
                &token,
                &Joining {
                    name: "Toinen tili".into(),
                    password: PASSWORD.into(),
                    repeat: PASSWORD.into(),
                },
            )
            .await
            .unwrap_err();
        assert_eq!(key_of(&e), "grp-err-account-exists");
        let lahti_user = fx
            .db
            .user_by_email("koord@lahti.fi")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(lahti_user.org.unwrap().to_string(), LAHTI);
    }
);
