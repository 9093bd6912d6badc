//! The command line's part of the security review (issue #14, item 12): the backup
//! file is readable only by its owner, a database password is never echoed (not even
//! one with `@`), an unreachable database is named with its refused address,
//! `hyte migrate` says what it did, and slow statements are not logged with their SQL.

use hyte_store as store_crate;

#[allow(unused_macros)]
#[path = "../../web/tests/common/db.rs"]
mod db;

use db::TestDb;
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn hyte(db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hyte"))
        .args(args)
        .arg("--database")
        .arg(db)
        .env_remove("HYTE_DATABASE_URL")
        .stdin(Stdio::null())
        .output()
        .expect("run hyte")
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).to_string(),
        String::from_utf8_lossy(&o.stderr).to_string(),
    )
}

#[test]
fn migrate_says_how_many_migrations_it_applied() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("h.db").display());
    let first = hyte(&db, &["migrate"]);
    let (out, err) = text(&first);
    assert!(first.status.success(), "{out}{err}");
    assert!(out.starts_with("Applied "), "first run: {out}");
    assert!(out.contains(" migrations to database "), "{out}");
    assert!(!out.contains("up to date"), "first run: {out}");
    let (out, _) = text(&hyte(&db, &["migrate"]));
    assert!(out.contains("is up to date"), "second run: {out}");
}

#[cfg(unix)]
#[test]
fn the_backup_file_is_readable_only_by_its_owner() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("h.db").display());
    assert!(hyte(&db, &["migrate"]).status.success());
    let file = dir.path().join("backup.jsonl.gz");
    // A world-readable partial file left by an earlier crash gets the mode too.
    let partial = dir.path().join("backup.jsonl.gz.partial");
    std::fs::write(&partial, b"old").unwrap();
    std::fs::set_permissions(&partial, std::fs::Permissions::from_mode(0o644)).unwrap();
    let o = hyte(&db, &["backup", file.to_str().unwrap()]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}{err}");
    assert!(out.contains("readable only by its owner"), "{out}");
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "backup file mode {mode:o}");
    let o = hyte(
        &db,
        &["backup", file.to_str().unwrap(), "--org", "KUNTA:016"],
    );
    assert!(o.status.success());
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "organisation backup file mode {mode:o}");
}

#[test]
fn an_unreachable_database_is_named_and_its_password_never_echoed() {
    // A port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    // (password, whether the URL is well-formed enough to name the address)
    for (password, named) in [("s3cr@t", true), ("p@ss:w0rd", true), ("p@ss/w0rd", false)] {
        let url = format!("postgres://hyte:{password}@127.0.0.1:{port}/hyte?sslmode=disable");
        let t0 = Instant::now();
        let o = hyte(&url, &["migrate"]);
        let took = t0.elapsed();
        let (out, err) = text(&o);
        assert!(!o.status.success(), "{out}");
        assert_eq!(err.lines().count(), 1, "one line: {err}");
        assert!(err.starts_with("hyte: "), "{err}");
        for secret in [password, "@ss", "ss:", "ss/", "w0rd", "s3cr", "cr@t"] {
            assert!(!err.contains(secret), "{url}: '{secret}' echoed: {err}");
        }
        assert!(err.contains("hyte:***@127.0.0.1"), "{err}");
        assert!(!err.contains("pool timed out"), "{err}");
        if named {
            assert!(
                err.contains(&format!("the connection to 127.0.0.1:{port} was refused")),
                "{err}"
            );
            assert!(took < Duration::from_secs(4), "took {took:?}");
        }
    }
    // A URL that is not understood is not echoed with its password either.
    let o = hyte("mysql://root:p@ss@db.internal/x", &["migrate"]);
    let (_, err) = text(&o);
    assert!(!o.status.success());
    assert!(!err.contains("p@ss") && !err.contains("ss@"), "{err}");
}

/// Collects WARN (and more severe) events of sqlx in this test process, from every
/// thread: SQLite statements run (and are logged) on sqlx's worker threads.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<String>>>);

/// The process's one capture, installed as the global subscriber on first use.
fn capture() -> &'static Capture {
    static CAPTURE: std::sync::OnceLock<Capture> = std::sync::OnceLock::new();
    CAPTURE.get_or_init(|| {
        let c = Capture::default();
        tracing::subscriber::set_global_default(c.clone()).expect("no other subscriber");
        c
    })
}

impl tracing::Subscriber for Capture {
    fn enabled(&self, meta: &tracing::Metadata<'_>) -> bool {
        meta.target().starts_with("sqlx") && *meta.level() <= tracing::Level::WARN
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        struct Text(String);
        impl tracing::field::Visit for Text {
            fn record_debug(&mut self, f: &tracing::field::Field, v: &dyn std::fmt::Debug) {
                self.0.push_str(&format!("{}={v:?} ", f.name()));
            }
        }
        let mut text = Text(String::new());
        event.record(&mut text);
        if let Ok(mut lines) = self.0.lock() {
            lines.push(text.0);
        }
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

/// A statement slower than sqlx's alert threshold (1 s) on the store's pool; the
/// warnings sqlx logged about it.
async fn slow_statement_warnings(db: &TestDb, slow_sql: &str) -> Vec<String> {
    let capture = capture();
    let store = db.store().await;
    let t0 = Instant::now();
    sqlx::query(slow_sql)
        .execute(store.pool())
        .await
        .expect("the slow statement runs");
    assert!(
        t0.elapsed() > Duration::from_millis(1100),
        "the statement was not slow: {:?}",
        t0.elapsed()
    );
    store.close().await;
    let lines = capture.0.lock().unwrap().clone();
    // Only this statement's (the other test runs at the same time).
    let marker: String = slow_sql.chars().take(20).collect();
    lines.into_iter().filter(|l| l.contains(&marker)).collect()
}

#[tokio::test]
async fn slow_statements_are_not_logged_with_their_sql_sqlite() {
    let db = TestDb::sqlite();
    // About two seconds of counting, also in an unoptimised build.
    let lines = slow_statement_warnings(
        &db,
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 20000000) \
         SELECT COUNT(*) FROM c",
    )
    .await;
    assert!(lines.is_empty(), "{lines:#?}");
}

#[tokio::test]
async fn slow_statements_are_not_logged_with_their_sql_postgres() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let lines = slow_statement_warnings(&db, "SELECT pg_sleep(1.2)").await;
    assert!(lines.is_empty(), "{lines:#?}");
}
