//! Accounts, the TEAviisari scores, the dialogue and indicator administration as use
//! cases, on SQLite and PostgreSQL alike, without HTTP: who may, the refusal (key and
//! field) every adapter shows for the same bad input, and the audit entry of every
//! change (none for a refused one).

#[macro_use]
mod common;

use common::*;
use hyte_app::accounts::{Initiator, NewAccount, SignIn, SignInRules};
use hyte_app::coefficient::ScoreEntry;
use hyte_app::indicators_admin::{Curation, DataFile};
use hyte_app::{Actor, App, AppError, Changed};
use hyte_domain::Role;
use hyte_store::dialogue::{DialogueInput, Goal};
use hyte_store::users::User;

const PASSWORD: &str = "a long enough password";

/// An indicator Hyte knows (no values).
const IND: i64 = 90_601;

struct Fx {
    db: TestStore,
    app: App,
}

impl Fx {
    async fn sqlite() -> Fx {
        Fx::on(TestStore::sqlite().await).await
    }

    async fn postgres() -> Option<Fx> {
        Some(Fx::on(TestStore::postgres().await?).await)
    }

    async fn on(db: TestStore) -> Fx {
        db.store
            .put_indicator(&hyte_store::ingest::placeholder(IND))
            .await
            .unwrap();
        Fx {
            app: App::new(db.store.clone()),
            db,
        }
    }

    /// A user made by the system, as `hyte user add` makes one.
    async fn user(&self, email: &str, org: Option<&str>, role: Role) -> Actor {
        Actor::new(
            self.app
                .create_user(Initiator::System(None), &account(email, org, role), "test")
                .await
                .unwrap(),
        )
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
}

fn account(email: &str, org: Option<&str>, role: Role) -> NewAccount {
    NewAccount {
        email: email.into(),
        name: format!("Testi {email}"),
        org: org.map(|o| o.parse().unwrap()),
        role,
        sector: None,
        password: PASSWORD.into(),
    }
}

fn key_of(e: &AppError) -> &'static str {
    e.refusal().map(|r| r.key).unwrap_or("")
}

fn field_of(e: &AppError) -> &'static str {
    match e {
        AppError::Invalid { field, .. } => field,
        _ => "",
    }
}

fn goals(texts: &[&str]) -> DialogueInput {
    DialogueInput {
        year: 2026,
        goals: texts
            .iter()
            .map(|t| Goal {
                goal: t.to_string(),
                status: "in_progress".into(),
                note: String::new(),
            })
            .collect(),
        ..Default::default()
    }
}

both!(accounts_follow_one_rule, |fx: Fx| async move {
    // The system creates accounts with an audit entry of no user.
    let coord = fx
        .user("Coord@Asikkala.fi", Some("KUNTA:016"), Role::Coordinator)
        .await;
    assert_eq!(coord.email(), "coord@asikkala.fi");
    let (who, org, action, detail) = fx.last_audit().await;
    assert_eq!((who, org.as_deref()), (None, Some("KUNTA:016")));
    assert_eq!(action, "user_created");
    assert_eq!(
        detail,
        "coord@asikkala.fi (coordinator of KUNTA:016) by test"
    );
    let before = fx.audit_count().await;
    // Only administrators create accounts; the rules are the same for everyone.
    let e = fx
        .app
        .create_user(
            Initiator::User(&coord),
            &account("x@asikkala.fi", Some("KUNTA:016"), Role::Reader),
            "web",
        )
        .await
        .unwrap_err();
    assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");
    for (a, field, key) in [
        (
            account("y@example.fi", None, Role::Editor),
            "org",
            "acc-err-org-required",
        ),
        (
            account("root@example.fi", Some("KUNTA:016"), Role::Admin),
            "org",
            "acc-err-admin-org",
        ),
        (
            account("not mail", Some("KUNTA:016"), Role::Editor),
            "email",
            "acc-err-email",
        ),
        (
            NewAccount {
                password: "short".into(),
                ..account("z@example.fi", Some("KUNTA:016"), Role::Editor)
            },
            "password",
            "password-too-short",
        ),
    ] {
        let e = fx
            .app
            .create_user(Initiator::System(None), &a, "test")
            .await
            .unwrap_err();
        assert_eq!((field_of(&e), key_of(&e)), (field, key), "{e}");
    }
    let e = fx
        .app
        .create_user(
            Initiator::System(None),
            &account("COORD@asikkala.fi", Some("KUNTA:398"), Role::Reader),
            "test",
        )
        .await
        .unwrap_err();
    assert!(matches!(e, AppError::Conflict(_)), "{e:?}");
    assert!(e.to_string().contains("already exists"), "{e}");
    assert_eq!(fx.audit_count().await, before, "refusals are not audited");

    // Signing in: a wrong password is refused and audited as a failure.
    let rules = SignInRules {
        max_failures: 5,
        window_secs: 900,
        session_ttl_secs: 3600,
    };
    let s = fx
        .app
        .sign_in("coord@asikkala.fi", "wrong", "127.0.0.1", &rules, None)
        .await
        .unwrap();
    assert!(matches!(s, SignIn::Refused), "{s:?}");
    assert_eq!(fx.last_audit().await.2, "login_failed");
    let s = fx
        .app
        .sign_in("coord@asikkala.fi", PASSWORD, "127.0.0.1", &rules, None)
        .await
        .unwrap();
    let SignIn::Welcome { session, .. } = s else {
        panic!("signed in: {s:?}")
    };
    assert!(fx.db.session(&session).await.unwrap().is_some());
    assert_eq!(fx.last_audit().await.2, "login");

    // Changing the password: the current one must be right, the new one typed twice.
    let new = "another long password";
    for (current, repeat, field, key) in [
        ("wrong", new, "current", "password-wrong-current"),
        (PASSWORD, "something else", "password", "password-mismatch"),
    ] {
        let e = fx
            .app
            .change_password(&coord, current, new, repeat)
            .await
            .unwrap_err();
        assert_eq!((field_of(&e), key_of(&e)), (field, key), "{e}");
    }
    fx.app
        .change_password(&coord, PASSWORD, new, new)
        .await
        .unwrap();
    assert_eq!(fx.last_audit().await.2, "password_changed");
    assert!(
        fx.db.session(&session).await.unwrap().is_none(),
        "the old sessions ended"
    );
    let stored: User = fx
        .db
        .user_by_email("coord@asikkala.fi")
        .await
        .unwrap()
        .unwrap();
    assert!(hyte_app::accounts::verify_password(
        new,
        &stored.password_hash
    ));

    // API tokens: named, shown once, revoked by their owner only.
    let e = fx.app.create_token(&coord, "  ", None).await.unwrap_err();
    assert_eq!(key_of(&e), "tokens-name-required");
    let (id, token) = fx
        .app
        .create_token(&coord, "laptop", Some("by hyte token create"))
        .await
        .unwrap();
    assert!(token.starts_with("hyte_") && token.len() == 5 + 64);
    let (who, _, action, detail) = fx.last_audit().await;
    assert_eq!(who.as_deref(), Some("coord@asikkala.fi"));
    assert_eq!(
        (action.as_str(), detail.as_str()),
        ("token_created", "laptop (by hyte token create)")
    );
    assert_eq!(
        fx.db.user_by_api_token(&token).await.unwrap().map(|u| u.id),
        Some(coord.user.id)
    );
    let other = fx
        .user("reader@asikkala.fi", Some("KUNTA:016"), Role::Reader)
        .await;
    let e = fx.app.revoke_token(&other, id).await.unwrap_err();
    assert_eq!(key_of(&e), "tokens-err-no-token");
    assert_eq!(fx.app.tokens(&coord).await.unwrap().len(), 1);
    fx.app.revoke_token(&coord, id).await.unwrap();
    assert_eq!(fx.last_audit().await.2, "token_revoked");
    assert!(fx.app.tokens(&coord).await.unwrap().is_empty());
});

both!(
    scores_and_dialogue_follow_the_parties,
    |fx: Fx| async move {
        let coord = fx
            .user("coord@asikkala.fi", Some("KUNTA:016"), Role::Coordinator)
            .await;
        let reader = fx
            .user("reader@asikkala.fi", Some("KUNTA:016"), Role::Reader)
            .await;
        let region = fx
            .user(
                "coord@phhyky.fi",
                Some("HYVINVOINTIALUE:09"),
                Role::Coordinator,
            )
            .await;
        let lahti = fx
            .user("coord@lahti.fi", Some("KUNTA:398"), Role::Coordinator)
            .await;
        let asikkala = "KUNTA:016".parse().unwrap();
        let score = |sector: &str, score: f64| ScoreEntry {
            sector: sector.into(),
            perspective: "sitoutuminen".into(),
            score: Some(score),
        };

        // TEAviisari: the organisation's coordinators only; every score checked first.
        let before = fx.audit_count().await;
        let e = fx
            .app
            .save_teaviisari_scores(
                &region,
                &asikkala,
                2025,
                &[score("kuntajohto", 80.0)],
                "test",
            )
            .await
            .unwrap_err();
        assert_eq!(key_of(&e), "hc-err-edit-forbidden");
        let e = fx
            .app
            .save_teaviisari_scores(
                &lahti,
                &asikkala,
                2025,
                &[score("kuntajohto", 80.0)],
                "test",
            )
            .await
            .unwrap_err();
        assert_eq!(key_of(&e), "err-org-forbidden");
        for (entries, field, key) in [
            (vec![score("terveys", 50.0)], "sector", "hc-err-sector"),
            (vec![score("kuntajohto", 101.0)], "score", "hc-err-range"),
        ] {
            let e = fx
                .app
                .save_teaviisari_scores(&coord, &asikkala, 2025, &entries, "test")
                .await
                .unwrap_err();
            assert_eq!((field_of(&e), key_of(&e)), (field, key), "{e}");
        }
        assert_eq!(fx.audit_count().await, before);
        let entries = [score("kuntajohto", 80.0)];
        let n = fx
            .app
            .save_teaviisari_scores(&coord, &asikkala, 2025, &entries, "test")
            .await
            .unwrap();
        assert_eq!(n, 1);
        let (_, org, action, detail) = fx.last_audit().await;
        assert_eq!(org.as_deref(), Some("KUNTA:016"));
        assert_eq!(
            (action.as_str(), detail.as_str()),
            (
                "teaviisari_scores",
                "2025: 1 TEAviisari scores changed (test)"
            )
        );
        // The same scores again change nothing and are not logged.
        let count = fx.audit_count().await;
        let n = fx
            .app
            .save_teaviisari_scores(&coord, &asikkala, 2025, &entries, "test")
            .await
            .unwrap();
        assert_eq!((n, fx.audit_count().await), (0, count));
        let t = fx.app.teaviisari(&reader, &asikkala).await.unwrap();
        assert_eq!((t.scores.len(), t.can_edit), (1, false));

        // The dialogue: either party's coordinators record it, both read it.
        let e = fx
            .app
            .create_dialogue(&reader, &asikkala, None, goals(&["Liikunta"]))
            .await
            .unwrap_err();
        assert_eq!(key_of(&e), "dlg-err-record-forbidden");
        let e = fx
            .app
            .create_dialogue(&coord, &asikkala, None, goals(&[]))
            .await
            .unwrap_err();
        assert_eq!(key_of(&e), "dlg-error-goal-required");
        let count = fx.audit_count().await;
        let d = fx
            .app
            .create_dialogue(&coord, &asikkala, None, goals(&["Liikunta"]))
            .await
            .unwrap();
        assert_eq!(d.welfare_region, "HYVINVOINTIALUE:09");
        assert_eq!(d.goals[0].status, "in_progress");
        let entries = fx.db.audit_entries(None, 2).await.unwrap();
        assert_eq!(
            fx.audit_count().await,
            count + 2,
            "audited in both parties' logs"
        );
        assert!(entries.iter().all(|e| e.action == "dialogue_create"));
        let e = fx
            .app
            .update_dialogue(&reader, d.id, goals(&["Muu"]))
            .await
            .unwrap_err();
        assert_eq!(key_of(&e), "dlg-err-edit-forbidden");
        let e = fx.app.dialogue(&lahti, d.id).await.unwrap_err();
        assert_eq!(key_of(&e), "dlg-err-forbidden");
        let d2 = fx
            .app
            .update_dialogue(&region, d.id, goals(&["Muu"]))
            .await
            .unwrap();
        assert_eq!(
            (d2.goals[0].goal.as_str(), d2.updated_by.as_str()),
            ("Muu", "coord@phhyky.fi")
        );
        let (_, list) = fx
            .app
            .dialogues(&region, &"HYVINVOINTIALUE:09".parse().unwrap())
            .await
            .unwrap();
        assert_eq!(list.len(), 1);
        fx.app.delete_dialogue(&coord, d.id).await.unwrap();
        assert_eq!(fx.last_audit().await.2, "dialogue_delete");
        let e = fx.app.dialogue(&coord, d.id).await.unwrap_err();
        assert_eq!(key_of(&e), "dlg-err-no-dialogue");
    }
);

both!(
    indicator_administration_is_for_admins,
    |fx: Fx| async move {
        let admin = fx.user("root@example.fi", None, Role::Admin).await;
        let coord = fx
            .user("coord@asikkala.fi", Some("KUNTA:016"), Role::Coordinator)
            .await;
        let curation = Curation {
            polarity: "high_is_good".into(),
            denominator: "none".into(),
            kind: "survey".into(),
        };
        let before = fx.audit_count().await;
        let e = fx
            .app
            .curate_indicator(&coord, IND, &curation)
            .await
            .unwrap_err();
        assert_eq!(key_of(&e), "ind-err-curate-forbidden");
        let e = fx
            .app
            .curate_indicator(
                &admin,
                IND,
                &Curation {
                    kind: "guess".into(),
                    ..curation.clone()
                },
            )
            .await
            .unwrap_err();
        assert_eq!((field_of(&e), key_of(&e)), ("kind", "ind-err-kind"));
        assert_eq!(fx.audit_count().await, before);
        let changed = fx
            .app
            .curate_indicator(&admin, IND, &curation)
            .await
            .unwrap();
        assert_eq!(changed, Changed::Data);
        let (who, org, action, detail) = fx.last_audit().await;
        assert_eq!((who.as_deref(), org), (Some("root@example.fi"), None));
        assert_eq!(action, "indicator_curated");
        assert_eq!(
            detail,
            format!("indicator {IND}: polarity high_is_good, denominator none, kind survey")
        );

        // Imports: admins in the web, the system at the command line.
        let csv = "indicator,region_category,region_code,region_title_fi,year,gender,value\n127,KUNTA,016,Asikkala,2012,total,8461.0\n";
        let file = |bytes: &str| DataFile {
            name: "pop.csv".into(),
            bytes: bytes.as_bytes().to_vec(),
            source: "test".into(),
        };
        let e = fx
            .app
            .import_data(Initiator::User(&coord), file(csv), None)
            .await
            .unwrap_err();
        assert_eq!(key_of(&e), "imp-err-forbidden");
        let e = fx
            .app
            .import_data(Initiator::System(None), file(""), None)
            .await
            .unwrap_err();
        assert_eq!((field_of(&e), key_of(&e)), ("file", "imports-empty"));
        assert!(e.to_string().contains("pop.csv: the file is empty"), "{e}");
        let (_, changed) = fx
            .app
            .import_data(Initiator::User(&admin), file(csv), None)
            .await
            .unwrap();
        assert_eq!(changed, Changed::Data);
        let (who, org, action, detail) = fx.last_audit().await;
        assert_eq!((who.as_deref(), org), (Some("root@example.fi"), None));
        assert_eq!(action, "import");
        assert!(detail.starts_with("pop.csv: "), "{detail}");
        assert!(
            detail.contains(": 1 data rows, 1 new or changed"),
            "{detail}"
        );
        let runs = fx.app.import_runs(&coord, 10).await.unwrap();
        assert_eq!(runs.len(), 1);
        let reader = fx
            .user("reader@asikkala.fi", Some("KUNTA:016"), Role::Reader)
            .await;
        let e = fx.app.import_runs(&reader, 10).await.unwrap_err();
        assert_eq!(key_of(&e), "imp-err-history-forbidden");
    }
);

both!(
    an_import_is_rolled_back_when_its_audit_entry_cannot_be_written,
    |fx: Fx| async move {
        let admin = fx.user("root@example.fi", None, Role::Admin).await;
        sqlx::query("DROP TABLE audit_log")
            .execute(fx.db.pool())
            .await
            .unwrap();
        let file = |name: &str, bytes: &str| DataFile {
            name: name.into(),
            bytes: bytes.as_bytes().to_vec(),
            source: "test".into(),
        };
        // Values (the bulk loader's own connection) and metadata (a transaction).
        let csv = "indicator,region_category,region_code,region_title_fi,year,gender,value\n127,KUNTA,016,Asikkala,2012,total,8461.0\n";
        let e = fx
            .app
            .import_data(Initiator::User(&admin), file("pop.csv", csv), None)
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Internal(_)), "{e:?}");
        assert!(fx.app.import_runs(&admin, 10).await.unwrap().is_empty());
        assert!(fx.app.value_counts().await.unwrap().is_empty());
        let list = format!(r#"[{{"id": {IND}, "title": {{"fi": "Uusi nimi"}}}}]"#);
        assert!(fx
            .app
            .import_data(Initiator::User(&admin), file("list.json", &list), None)
            .await
            .is_err());
        let ind = fx
            .db
            .indicator(hyte_domain::IndicatorId(IND))
            .await
            .unwrap();
        assert_ne!(ind.map(|i| i.title.fi), Some("Uusi nimi".to_string()));
    }
);

both!(weak_passwords_are_refused_everywhere, |fx: Fx| async move {
    // A new account (admins in the web, `hyte user add`).
    for (password, key) in [
        ("aaaaaaaaaa", "password-too-short"),
        ("aaaaaaaaaaaa", "password-repeated"),
        ("qwertyuiop12", "password-sequence"),
        ("password1234", "password-common"),
        ("liisa.lukija2026", "password-personal"),
    ] {
        let a = NewAccount {
            password: password.into(),
            name: "Liisa Lukija".into(),
            ..account("liisa.lukija@asikkala.fi", Some("KUNTA:016"), Role::Reader)
        };
        let e = fx
            .app
            .create_user(Initiator::System(None), &a, "test")
            .await
            .unwrap_err();
        assert_eq!((field_of(&e), key_of(&e)), ("password", key), "{password}");
    }
    assert!(fx
        .db
        .user_by_email("liisa.lukija@asikkala.fi")
        .await
        .unwrap()
        .is_none());
    // A password change checks the same rule with the user's own name.
    let me = fx
        .user("kaija@asikkala.fi", Some("KUNTA:016"), Role::Coordinator)
        .await;
    let e = fx
        .app
        .change_password(
            &me,
            PASSWORD,
            "Testi kaija@asikkala.fi",
            "Testi kaija@asikkala.fi",
        )
        .await
        .unwrap_err();
    assert_eq!(key_of(&e), "password-personal");
    let e = fx
        .app
        .change_password(&me, PASSWORD, "123456789012", "123456789012")
        .await
        .unwrap_err();
    assert_eq!(key_of(&e), "password-sequence");
    fx.app
        .change_password(
            &me,
            PASSWORD,
            "kahvia ja pullaa aamulla",
            "kahvia ja pullaa aamulla",
        )
        .await
        .unwrap();
});
