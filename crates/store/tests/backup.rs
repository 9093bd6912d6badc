//! Backup and restore: round trips between SQLite and PostgreSQL give identical data,
//! an organisation's backup holds its rows only, and a restore refuses a non-empty
//! target, another schema version or a damaged file without changing anything.

use hyte_store as store_crate;

#[macro_use]
#[path = "../../web/tests/common/db.rs"]
mod db;

use db::{Kind, TestStore};
use hyte_domain::report::ReportKind;
use hyte_domain::{RegionKey, Role};
use hyte_store::ingest::IngestOutcome;
use hyte_store::reports::{NewReport, SaveOutcome};
use hyte_store::users::NewUser;
use hyte_store::{Store, StoreError};
use std::io::{Read, Write};
use std::path::Path;

fn key(s: &str) -> RegionKey {
    s.parse().unwrap()
}

fn user(email: &str, org: Option<&str>, role: Role) -> NewUser {
    NewUser {
        email: email.into(),
        name: "Testi \"Käyttäjä\" <b>".into(),
        org: org.map(key),
        role,
        sector: Some("sivistys".into()),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA".into(),
    }
}

/// A report with sections, revisions, a comment thread and a partner.
async fn report_of(store: &Store, org: &str, partner: Option<&str>, who: &str) -> i64 {
    let mut tx = store.begin().await.unwrap();
    let rid = tx
        .create_report(
            &NewReport {
                org: key(org),
                partners: partner.map(key).into_iter().collect(),
                kind: ReportKind::TermReport,
                title: format!("Hyvinvointikertomus {org} 2025–2029 ' OR 1=1 --"),
                term_start: 2025,
                term_end: 2029,
                year: None,
                languages: vec!["fi".into(), "sv".into()],
                created_by: who.into(),
            },
            &[],
            "fi",
        )
        .await
        .unwrap();
    let s = tx
        .add_section(rid, "Väestö ja elinolot", &[], None, who)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    for (base, body) in [
        (0, "Ensimmäinen versio.\n"),
        (1, "Toinen — åäö 🙂\n\n{{indicator 5 region=KUNTA:016}}\n"),
    ] {
        let sec = store.section(s).await.unwrap().unwrap();
        assert_eq!(sec.revision, base);
        let mut tx = store.begin().await.unwrap();
        match tx
            .save_section(s, base, body, who, Some("note"))
            .await
            .unwrap()
        {
            SaveOutcome::Saved(_) => {}
            other => panic!("save failed: {other:?}"),
        }
        tx.commit().await.unwrap();
    }
    let mut tx = store.begin().await.unwrap();
    let c = tx
        .add_comment(rid, Some(s), Some(1), None, who, "Testi", "Hyvä alku.")
        .await
        .unwrap();
    tx.add_comment(rid, Some(s), Some(1), Some(c), who, "Testi", "Kiitos!")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    store
        .audit(Some(who), Some(&key(org)), "report.create", "created")
        .await
        .unwrap();
    rid
}

/// Users, sessions, tokens, reports of two organisations, audit entries and values.
async fn fill(store: &Store) {
    let mut tx = store.begin().await.unwrap();
    let a = tx
        .create_user(&user("editor@asikkala.fi", Some("KUNTA:016"), Role::Editor))
        .await
        .unwrap();
    tx.create_user(&user("editor@lahti.fi", Some("KUNTA:398"), Role::Editor))
        .await
        .unwrap();
    tx.create_user(&user("admin@hyte.local", None, Role::Admin))
        .await
        .unwrap();
    tx.create_api_token(a.id, "apitok", "cli").await.unwrap();
    tx.commit().await.unwrap();
    store
        .create_session(a.id, "tok", "csrf", 3600)
        .await
        .unwrap();
    store
        .record_login_attempt("editor@asikkala.fi", true)
        .await
        .unwrap();
    store.audit(None, None, "import", "file.csv").await.unwrap();
    report_of(store, "KUNTA:016", Some("KUNTA:398"), "editor@asikkala.fi").await;
    report_of(store, "KUNTA:398", None, "editor@lahti.fi").await;
    let csv = "indicator,region_category,region_code,region_title_fi,year,gender,value\n\
               90001,KUNTA,016,Asikkala,2020,total,12.5\n\
               90001,KUNTA,398,Lahti,2020,total,14\n\
               90001,KUNTA,016,Asikkala,2021,male,0.1\n\
               90001,KUNTA,398,Lahti,2021,total,\n";
    match store
        .ingest(
            "v.csv",
            csv.as_bytes().to_vec(),
            Some("editor@asikkala.fi"),
            "test",
        )
        .await
        .unwrap()
    {
        IngestOutcome::Data { .. } => {}
        other => panic!("not data: {other:?}"),
    }
}

async fn other(kind: Kind) -> Option<TestStore> {
    match kind {
        Kind::Sqlite => Some(TestStore::sqlite().await),
        Kind::Postgres => TestStore::postgres().await,
    }
}

async fn round_trip(from: Kind, to: Kind) {
    let (Some(src), Some(dst)) = (other(from).await, other(to).await) else {
        return;
    };
    fill(&src).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("b.jsonl.gz");
    let s = src.backup(&file, None).await.unwrap();
    assert!(s.total() > 300, "{s:?}");
    let r = dst.restore(&file).await.unwrap();
    assert_eq!(r.total(), s.total());
    assert_eq!(
        src.fingerprint().await.unwrap(),
        dst.fingerprint().await.unwrap()
    );
    // Ids continue after the restored ones (PostgreSQL sequences are set).
    let mut tx = dst.begin().await.unwrap();
    let u = tx
        .create_user(&user("new@asikkala.fi", Some("KUNTA:016"), Role::Editor))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(u.id > 3);
    report_of(&dst, "KUNTA:016", None, "new@asikkala.fi").await;
    // And a backup of the restored database restores again, identically.
    let file2 = dir.path().join("c.jsonl.gz");
    dst.backup(&file2, None).await.unwrap();
    let third = TestStore::sqlite().await;
    third.restore(&file2).await.unwrap();
    assert_eq!(
        dst.fingerprint().await.unwrap(),
        third.fingerprint().await.unwrap()
    );
}

#[tokio::test]
async fn round_trip_sqlite_to_postgres() {
    round_trip(Kind::Sqlite, Kind::Postgres).await;
}

#[tokio::test]
async fn round_trip_postgres_to_sqlite() {
    round_trip(Kind::Postgres, Kind::Sqlite).await;
}

#[tokio::test]
async fn round_trip_sqlite_to_sqlite() {
    round_trip(Kind::Sqlite, Kind::Sqlite).await;
}

both!(
    a_fresh_database_holds_only_seeded_tables,
    |db: TestStore| async move {
        for (t, n) in db.table_counts().await.unwrap() {
            assert!(
                n == 0 || hyte_store::backup::SEEDED_TABLES.contains(&t.as_str()),
                "`hyte migrate` fills table {t}: add it to backup::SEEDED_TABLES"
            );
        }
    }
);

both!(
    an_organisation_backup_holds_its_rows_only,
    |db: TestStore| async move {
        fill(&db).await;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("org.jsonl.gz");
        let s = db.backup(&file, Some("KUNTA:016")).await.unwrap();
        let tables: Vec<&str> = s.rows.iter().map(|r| r.0.as_str()).collect();
        for t in [
            "app_user",
            "report",
            "section",
            "section_revision",
            "comment",
            "audit_log",
        ] {
            assert!(tables.contains(&t), "{t} missing from {tables:?}");
        }
        for t in [
            "region",
            "data_point",
            "indicator",
            "import_run",
            "login_attempt",
        ] {
            assert!(
                !tables.contains(&t),
                "{t} should not be in an organisation backup"
            );
        }
        // Into an empty database of the other kind too: portable.
        for kind in [Kind::Sqlite, Kind::Postgres] {
            let Some(target) = other(kind).await else {
                continue;
            };
            target.restore(&file).await.unwrap();
            let reports = target.reports_of(&key("KUNTA:016")).await.unwrap();
            assert_eq!(reports.len(), 1);
            assert_eq!(
                reports[0].title,
                db.reports_of(&key("KUNTA:016")).await.unwrap()[0].title
            );
            // Lahti sees only the joint report it is a partner of, not its own.
            let lahti = target.reports_of(&key("KUNTA:398")).await.unwrap();
            assert_eq!(lahti.len(), 1);
            assert_eq!(lahti[0].id, reports[0].id);
            let users: Vec<String> = target
                .users_of(&key("KUNTA:016"))
                .await
                .unwrap()
                .into_iter()
                .map(|u| u.email)
                .collect();
            assert_eq!(users, vec!["editor@asikkala.fi".to_string()]);
            assert!(target
                .user_by_email("editor@lahti.fi")
                .await
                .unwrap()
                .is_none());
            assert!(target
                .user_by_email("admin@hyte.local")
                .await
                .unwrap()
                .is_none());
            let audit = target.audit_entries(None, 100).await.unwrap();
            assert_eq!(audit.len(), 1, "only Asikkala's audit entry");
            let sid = target.sections(reports[0].id).await.unwrap()[0].id;
            let src_report = db.reports_of(&key("KUNTA:016")).await.unwrap()[0].id;
            let src_sid = db.sections(src_report).await.unwrap()[0].id;
            let body = |r: Vec<hyte_store::reports::Revision>| {
                r.into_iter().map(|r| r.body).collect::<Vec<_>>()
            };
            assert_eq!(
                body(target.revisions(sid).await.unwrap()),
                body(db.revisions(src_sid).await.unwrap())
            );
            assert_eq!(target.comments(reports[0].id).await.unwrap().len(), 2);
            // The org's rows are identical to the source's, table by table.
            let a = db.fingerprint().await.unwrap();
            let b = target.fingerprint().await.unwrap();
            let n = |m: &std::collections::BTreeMap<String, String>, t: &str| {
                m[t].split(':').next().unwrap().parse::<u64>().unwrap()
            };
            assert_eq!(n(&a, "section_revision"), 2 * n(&b, "section_revision"));
        }
        // An unknown organisation is refused.
        assert!(matches!(
            db.backup(&dir.path().join("x.gz"), Some("KUNTA:999")).await,
            Err(StoreError::NotFound(_))
        ));
    }
);

fn rewrite(from: &Path, to: &Path, f: impl Fn(String) -> String) {
    let mut s = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(from).unwrap())
        .read_to_string(&mut s)
        .unwrap();
    let mut out = flate2::write::GzEncoder::new(
        std::fs::File::create(to).unwrap(),
        flate2::Compression::fast(),
    );
    out.write_all(f(s).as_bytes()).unwrap();
    out.finish().unwrap();
}

both!(
    a_restore_refuses_without_changing_anything,
    |db: TestStore| async move {
        fill(&db).await;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("b.jsonl.gz");
        db.backup(&file, None).await.unwrap();

        // A non-empty target: the source itself.
        let before = db.fingerprint().await.unwrap();
        let e = db.restore(&file).await.unwrap_err().to_string();
        assert!(e.contains("not empty"), "{e}");
        assert_eq!(db.fingerprint().await.unwrap(), before);

        let target = other(db.kind).await.unwrap();
        let empty = target.fingerprint().await.unwrap();
        // A damaged file: one character of a revision changed.
        let damaged = dir.path().join("damaged.jsonl.gz");
        rewrite(&file, &damaged, |s| s.replacen("Toinen", "Toinan", 1));
        let e = target.restore(&damaged).await.unwrap_err().to_string();
        assert!(e.contains("checksum"), "{e}");
        // A file cut off before its end.
        let cut = dir.path().join("cut.jsonl.gz");
        rewrite(&file, &cut, |s| {
            let n = s.lines().count();
            s.lines().take(n - 5).map(|l| format!("{l}\n")).collect()
        });
        let e = target.restore(&cut).await.unwrap_err().to_string();
        assert!(e.contains("cut off"), "{e}");
        // Another schema version.
        let other_version = dir.path().join("v.jsonl.gz");
        rewrite(&file, &other_version, |s| {
            s.replacen("\"schema_version\":", "\"schema_version\":999", 1)
        });
        let e = target
            .restore(&other_version)
            .await
            .unwrap_err()
            .to_string();
        assert!(e.contains("schema version"), "{e}");
        // Not a backup at all.
        std::fs::write(dir.path().join("x"), b"hello").unwrap();
        assert!(target.restore(&dir.path().join("x")).await.is_err());
        assert_eq!(
            target.fingerprint().await.unwrap(),
            empty,
            "target unchanged"
        );
        // The good file still restores.
        target.restore(&file).await.unwrap();
        assert_eq!(target.fingerprint().await.unwrap(), before);
    }
);
