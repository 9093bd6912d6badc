//! Support shared by the use-case tests: throwaway databases on both backends (the
//! web suite's `db.rs` and its `both!`), users made in one transaction, a report
//! draft, and reading the audit log.

#![allow(dead_code)]

use hyte_store as store_crate;

#[macro_use]
#[path = "../../../web/tests/common/db.rs"]
pub mod db;

pub use db::TestStore;
use hyte_app::reports::create::ReportDraft;
use hyte_app::{Actor, AppError};
use hyte_domain::Role;
use hyte_store::users::NewUser;
use hyte_store::Store;

/// Makes users `(e-mail, organisation, role, sector)` directly in the store (the
/// fixtures need no audit entry) and returns them as actors, in order.
pub async fn actors(store: &Store, users: &[(&str, &str, Role, Option<&str>)]) -> Vec<Actor> {
    let mut tx = store.begin().await.expect("begin");
    let mut out = vec![];
    for (email, org, role, sector) in users {
        let u = NewUser {
            email: email.to_string(),
            name: format!("Testi {email}"),
            org: Some(org.parse().expect("organisation key")),
            role: *role,
            sector: sector.map(str::to_string),
            password_hash: "!".into(),
        };
        out.push(Actor::new(tx.create_user(&u).await.expect("create user")));
    }
    tx.commit().await.expect("commit");
    out
}

/// A report draft of the given kind for the council term 2025–2029.
pub fn draft(kind: &str) -> ReportDraft {
    ReportDraft {
        kind: kind.into(),
        title: "Hyvinvointikertomus 2025–2029".into(),
        term_start: "2025".into(),
        term_end: "2029".into(),
        ..Default::default()
    }
}

/// The newest audit entry's action and detail.
pub async fn last_audit(store: &Store) -> (String, String) {
    let e = store.audit_entries(None, 1).await.expect("audit");
    (e[0].action.clone(), e[0].detail.clone())
}

/// How many entries the audit log holds.
pub async fn audit_count(store: &Store) -> usize {
    store
        .audit_entries(None, 100_000)
        .await
        .expect("audit")
        .len()
}

/// The catalogue key of a refusal ("" for errors without one).
pub fn key_of(e: &AppError) -> &'static str {
    e.refusal().map(|r| r.key).unwrap_or("")
}

/// A term report of Asikkala (THL's outline) started by `coordinator`; its id.
pub async fn asikkala_report(app: &hyte_app::App, coordinator: &Actor) -> i64 {
    app.create_report(
        coordinator,
        &"KUNTA:016".parse().expect("key"),
        &draft("term_report"),
    )
    .await
    .expect("a coordinator starts a report")
    .id
}
