//! Store behaviour on SQLite and PostgreSQL alike (`both!` runs each test on both):
//! the append-only audit log, user rules, and atomic, idempotent imports.

use hyte_store as store_crate;

#[macro_use]
#[path = "../../web/tests/common/db.rs"]
mod db;

use db::TestStore;
use hyte_domain::{IndicatorId, RegionKey, Role};
use hyte_store::indicators::ValueQuery;
use hyte_store::ingest::IngestOutcome;
use hyte_store::users::NewUser;
use hyte_store::{Store, StoreError};

fn new_user(email: &str, org: Option<&str>, role: Role) -> NewUser {
    NewUser {
        email: email.to_string(),
        name: "Testi Käyttäjä".to_string(),
        org: org.map(|o| o.parse().unwrap()),
        role,
        sector: None,
        // The store keeps whatever hash it is given; hashing is the web layer's.
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA".into(),
    }
}

both!(
    migrating_loads_the_organisations_once,
    |db: TestStore| async move {
        let orgs = db.organisations().await.unwrap();
        assert_eq!(orgs.len(), 331);
        // Migrating again is harmless and adds nothing.
        db.migrate().await.unwrap();
        assert_eq!(db.organisations().await.unwrap().len(), 331);
        let asikkala = db
            .region(&"KUNTA:016".parse().unwrap())
            .await
            .unwrap()
            .expect("Asikkala");
        assert_eq!(asikkala.name_fi, "Asikkala");
        assert_eq!(
            asikkala.welfare_region.map(|k| k.to_string()).as_deref(),
            Some("HYVINVOINTIALUE:09")
        );
    }
);

both!(
    audit_log_refuses_update_and_delete,
    |db: TestStore| async move {
        let org: RegionKey = "KUNTA:016".parse().unwrap();
        db.audit(Some("a@example.fi"), Some(&org), "login", "signed in")
            .await
            .unwrap();
        db.audit(None, None, "import", "file.csv").await.unwrap();
        let before = db.audit_entries(None, 100).await.unwrap();
        assert_eq!(before.len(), 2);

        for sql in [
            "UPDATE audit_log SET detail = 'rewritten'",
            "UPDATE audit_log SET action = 'nothing' WHERE action = 'login'",
            "DELETE FROM audit_log",
            "DELETE FROM audit_log WHERE action = 'import'",
        ] {
            let err = sqlx::query(sql)
                .execute(db.pool())
                .await
                .expect_err(&format!("the database must refuse: {sql}"));
            assert!(err.to_string().contains("append-only"), "{sql}: {err}");
        }
        // Also inside a transaction that tries to commit.
        let mut tx = db.pool().begin().await.unwrap();
        assert!(sqlx::query("DELETE FROM audit_log")
            .execute(&mut *tx)
            .await
            .is_err());
        drop(tx);

        let after = db.audit_entries(None, 100).await.unwrap();
        assert_eq!(
            serde_json::to_value(&before).unwrap(),
            serde_json::to_value(&after).unwrap()
        );
        // Appending still works.
        db.audit(None, None, "x", "y").await.unwrap();
        assert_eq!(db.audit_entries(None, 100).await.unwrap().len(), 3);
    }
);

both!(user_rules, |db: TestStore| async move {
    let mut tx = db.begin().await.unwrap();
    let u = tx
        .create_user(&new_user(
            "Maija.Meikalainen@Asikkala.fi",
            Some("KUNTA:016"),
            Role::Coordinator,
        ))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        u.email, "maija.meikalainen@asikkala.fi",
        "stored lower-case"
    );
    assert_eq!(
        u.org.as_ref().map(|k| k.to_string()).as_deref(),
        Some("KUNTA:016")
    );

    // Unknown organisation.
    let err = db
        .begin()
        .await
        .unwrap()
        .create_user(&new_user("x@example.fi", Some("KUNTA:999"), Role::Editor))
        .await
        .expect_err("unknown organisation refused");
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
    assert!(
        err.to_string().contains("no organisation KUNTA:999"),
        "{err}"
    );

    // A former municipality (merged into Lahti) is not an organisation any more.
    let err = db
        .begin()
        .await
        .unwrap()
        .create_user(&new_user("y@example.fi", Some("KUNTA:532"), Role::Editor))
        .await
        .expect_err("former municipality refused");
    assert!(err.to_string().contains("KUNTA:532"), "{err}");

    // Duplicate e-mail, in any case.
    let err = db
        .begin()
        .await
        .unwrap()
        .create_user(&new_user(
            "MAIJA.meikalainen@asikkala.fi",
            Some("KUNTA:398"),
            Role::Reader,
        ))
        .await
        .expect_err("duplicate e-mail refused");
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert!(err.to_string().contains("already exists"), "{err}");

    // Non-admin without an organisation; an admin without one is fine.
    let err = db
        .begin()
        .await
        .unwrap()
        .create_user(&new_user("z@example.fi", None, Role::Reader))
        .await
        .expect_err("reader without organisation refused");
    assert!(err.to_string().contains("organisation"), "{err}");
    let mut tx = db.begin().await.unwrap();
    tx.create_user(&new_user("admin@example.fi", None, Role::Admin))
        .await
        .unwrap();
    tx.commit().await.unwrap();

    // Nothing refused was stored.
    assert_eq!(
        db.users_of(&"KUNTA:016".parse().unwrap())
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(db
        .users_of(&"KUNTA:398".parse().unwrap())
        .await
        .unwrap()
        .is_empty());
    assert!(db.user_by_email("x@example.fi").await.unwrap().is_none());
    assert!(db.user_by_email("z@example.fi").await.unwrap().is_none());
});

// ---------------------------------------------------------------------------
// Imports

const HEADER: &str = "indicator,region_category,region_code,region_title_fi,year,gender,value";

/// Two indicators Hyte has no definition for yet (so nothing is derived from them).
const IND_A: i64 = 90_001;
const IND_B: i64 = 90_002;

fn valid_snapshot() -> String {
    format!(
        "{HEADER}
{IND_A},KUNTA,016,Asikkala,2020,total,12.5
{IND_A},KUNTA,398,Lahti,2020,total,14.0
{IND_A},KUNTA,016,Asikkala,2021,total,13.1
{IND_A},KUNTA,016,Asikkala,2021,male,11.0
{IND_A},KUNTA,016,Asikkala,2021,female,15.2
{IND_A},KUNTA,398,Lahti,2021,total,
{IND_A},HYVINVOINTIALUE,09,Päijät-Häme,2021,total,14.4
{IND_A},MAA,SSS,Koko maa,2021,total,13.9
"
    )
}

/// Everything an import may touch, to compare before and after.
async fn snapshot_of(store: &Store) -> serde_json::Value {
    let mut values = serde_json::Map::new();
    for id in [IND_A, IND_B] {
        values.insert(
            id.to_string(),
            serde_json::to_value(
                store
                    .values(IndicatorId(id), &ValueQuery::default())
                    .await
                    .unwrap(),
            )
            .unwrap(),
        );
    }
    let mut counts: Vec<(i64, i64)> = store.value_counts().await.unwrap().into_iter().collect();
    counts.sort_unstable();
    serde_json::json!({
        "values": values,
        "counts": counts,
        "runs": store.import_runs(1000).await.unwrap(),
        "indicators": store.indicators().await.unwrap().iter().map(|i| i.id.0).collect::<Vec<_>>(),
    })
}

async fn ingest(
    store: &Store,
    name: &str,
    csv: &str,
) -> Result<hyte_store::bulk::ImportSummary, StoreError> {
    match store
        .ingest(
            name,
            csv.as_bytes().to_vec(),
            Some("importer@example.fi"),
            "test",
        )
        .await?
    {
        IngestOutcome::Data { summary, .. } => Ok(summary),
        other => panic!("{name} was not read as data: {other:?}"),
    }
}

both!(import_stores_a_valid_snapshot, |db: TestStore| async move {
    let s = ingest(&db, "snapshot.csv", &valid_snapshot())
        .await
        .unwrap();
    assert_eq!(s.rows_total, 8);
    assert_eq!(s.rows_changed, 8);
    assert_eq!(s.rows_unchanged, 0);
    assert_eq!(s.indicators, vec![IND_A]);

    let all = db
        .values(IndicatorId(IND_A), &ValueQuery::default())
        .await
        .unwrap();
    assert_eq!(all.len(), 8);
    let q = ValueQuery {
        regions: vec!["KUNTA:016".parse().unwrap()],
        years: vec![2021],
        sex: Some(hyte_domain::Sex::Male),
    };
    let v = db.values(IndicatorId(IND_A), &q).await.unwrap();
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].value, Some(11.0));
    assert!(!v[0].derived);
    assert_eq!(v[0].import_id, s.run_id);
    let lahti_2021 = all
        .iter()
        .find(|v| v.region.to_string() == "KUNTA:398" && v.year == 2021)
        .unwrap();
    assert_eq!(
        lahti_2021.value, None,
        "an empty value is stored as missing"
    );
    assert!(all
        .iter()
        .any(|v| v.region.to_string() == "MAA:SSS" && v.value == Some(13.9)));

    let runs = db.import_runs(10).await.unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].file_name, "snapshot.csv");
    assert_eq!(runs[0].rows_total, 8);
    assert_eq!(runs[0].rows_changed, 8);
    assert_eq!(runs[0].user_email.as_deref(), Some("importer@example.fi"));
    assert_eq!(runs[0].sha256.len(), 64);
    // The indicator got a placeholder definition so its values are listed.
    assert!(db.indicator(IndicatorId(IND_A)).await.unwrap().is_some());
});

both!(
    a_bad_row_leaves_the_store_exactly_as_before,
    |db: TestStore| async move {
        ingest(&db, "snapshot.csv", &valid_snapshot())
            .await
            .unwrap();
        let before = snapshot_of(&db).await;

        // Lines 2 and 3 are good (one changes a value, one adds a new indicator), line 4
        // has a bad year: nothing of it may stay.
        let bad = format!(
            "{HEADER}
{IND_A},KUNTA,016,Asikkala,2020,total,99.9
{IND_B},KUNTA,398,Lahti,2020,total,1.0
{IND_A},KUNTA,016,Asikkala,20x1,total,12.0
{IND_A},KUNTA,398,Lahti,2022,total,3.0
"
        );
        let err = ingest(&db, "bad_year.csv", &bad)
            .await
            .expect_err("refused");
        let msg = err.to_string();
        assert!(msg.contains("bad_year.csv"), "names the file: {msg}");
        assert!(msg.contains("line 4"), "names the line: {msg}");
        assert!(msg.contains("'year'"), "names the field: {msg}");
        assert!(msg.contains("20x1"), "shows the value: {msg}");
        assert_eq!(
            snapshot_of(&db).await,
            before,
            "store changed by a refused import"
        );
        assert!(db.indicator(IndicatorId(IND_B)).await.unwrap().is_none());

        // An unknown area and a bad gender are refused the same way.
        let unknown_area = format!(
            "{HEADER}
{IND_A},KUNTA,016,Asikkala,2019,total,1.0
{IND_A},KUNTA,999,Eikuntaa,2019,total,1.0
"
        );
        let msg = ingest(&db, "area.csv", &unknown_area)
            .await
            .unwrap_err()
            .to_string();
        assert!(msg.contains("area.csv") && msg.contains("line 3"), "{msg}");
        let bad_gender = format!(
            "{HEADER}
{IND_A},KUNTA,016,Asikkala,2019,total,1.0
{IND_A},KUNTA,016,Asikkala,2019,both,1.0
"
        );
        let msg = ingest(&db, "gender.csv", &bad_gender)
            .await
            .unwrap_err()
            .to_string();
        assert!(msg.contains("line 3") && msg.contains("gender"), "{msg}");
        assert_eq!(snapshot_of(&db).await, before);
    }
);

both!(
    reimport_is_idempotent_and_counts_changes,
    |db: TestStore| async move {
        ingest(&db, "snapshot.csv", &valid_snapshot())
            .await
            .unwrap();
        let values_before = db
            .values(IndicatorId(IND_A), &ValueQuery::default())
            .await
            .unwrap();

        // Same file again: nothing changes.
        let s = ingest(&db, "snapshot.csv", &valid_snapshot())
            .await
            .unwrap();
        assert_eq!(s.rows_total, 8);
        assert_eq!(s.rows_changed, 0);
        assert_eq!(s.rows_unchanged, 8);
        let values_after = db
            .values(IndicatorId(IND_A), &ValueQuery::default())
            .await
            .unwrap();
        let strip = |v: &[hyte_store::indicators::StoredValue]| {
            v.iter()
                .map(|x| (x.region.to_string(), x.year, x.sex, x.value))
                .collect::<Vec<_>>()
        };
        assert_eq!(strip(&values_before), strip(&values_after));
        assert!(
            values_after
                .iter()
                .all(|v| v.import_id == values_before[0].import_id),
            "unchanged rows keep the run that wrote them"
        );

        // Two values changed (one of them from missing to present), one row added.
        let changed = valid_snapshot()
            .replace(
                "KUNTA,016,Asikkala,2020,total,12.5",
                "KUNTA,016,Asikkala,2020,total,12.6",
            )
            .replace(
                "KUNTA,398,Lahti,2021,total,\n",
                "KUNTA,398,Lahti,2021,total,7.5\n",
            )
            + &format!("{IND_A},KUNTA,398,Lahti,2022,total,8.0\n");
        let s = ingest(&db, "snapshot-2.csv", &changed).await.unwrap();
        assert_eq!(s.rows_total, 9);
        assert_eq!(s.rows_changed, 3);
        assert_eq!(s.rows_unchanged, 6);
        let q = ValueQuery {
            regions: vec!["KUNTA:016".parse().unwrap()],
            years: vec![2020],
            sex: None,
        };
        let v = db.values(IndicatorId(IND_A), &q).await.unwrap();
        assert_eq!(v[0].value, Some(12.6));
        assert_eq!(v[0].import_id, s.run_id);
        assert_eq!(
            db.import_runs(10).await.unwrap().len(),
            3,
            "every run is in the history"
        );
    }
);

both!(a_duplicate_key_is_refused, |db: TestStore| async move {
    ingest(&db, "snapshot.csv", &valid_snapshot())
        .await
        .unwrap();
    let before = snapshot_of(&db).await;
    let dup = format!(
        "{HEADER}
{IND_B},KUNTA,016,Asikkala,2020,total,1.0
{IND_B},KUNTA,398,Lahti,2020,total,2.0
{IND_B},KUNTA,016,Asikkala,2020,total,3.0
"
    );
    let err = ingest(&db, "dup.csv", &dup)
        .await
        .expect_err("duplicate refused");
    let msg = err.to_string();
    assert!(
        msg.contains("two rows") || msg.contains("duplicate"),
        "{msg}"
    );
    assert!(msg.contains("2020"), "{msg}");
    assert_eq!(snapshot_of(&db).await, before);
    assert!(db.indicator(IndicatorId(IND_B)).await.unwrap().is_none());
});
