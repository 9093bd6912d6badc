//! Throwaway databases for tests, shared by the web and store test suites
//! (`crates/store/tests` includes this file with `#[path]`).
//!
//! - SQLite: a fresh file in a temporary directory per test.
//! - PostgreSQL: a fresh `CREATE DATABASE hyte_t_<random>` per test, in the cluster at
//!   `HYTE_TEST_POSTGRES_URL` if that is set; otherwise the test process starts its own
//!   cluster once (`initdb` + `pg_ctl` in a temporary directory, 127.0.0.1 on a free
//!   port, run as the `postgres` user when the process is root) and stops it when the
//!   process exits.
//!
//! When PostgreSQL is unavailable, a PostgreSQL test fails if `CI` is set and is
//! skipped with a clear message otherwise.
//!
//! [`both!`] writes a behaviour test once and runs it on both backends.

#![allow(dead_code)]

// `store_crate` is `hyte_store` in the store's own tests and `hyte_app::testing` in
// the others (set by the module that includes this file), so that the web tests need
// no dependency on `hyte-store`.
use super::store_crate::{DatabaseUrl, Store};
use std::hash::{BuildHasher, Hasher};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// Runs one behaviour test on SQLite and on PostgreSQL:
///
/// ```ignore
/// both!(login_works, |app: TestApp| async move { ... });
/// ```
///
/// generates the tests `login_works::sqlite` and `login_works::postgres`. The fixture
/// type needs `async fn sqlite() -> Self` and `async fn postgres() -> Option<Self>`
/// (`None` = skipped outside CI, see [`TestDb::postgres`]).
///
/// `both!(name, with BUILDER, |app: TestApp| ...)` starts the fixture from a builder
/// expression that has `.sqlite()` and `.postgres()` (e.g. `TestApp::builder()`).
macro_rules! both {
    ($name:ident, with $setup:expr, |$arg:ident : $ty:ty| $body:expr $(,)?) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run($arg: $ty) {
                $body.await
            }

            #[tokio::test]
            async fn sqlite() {
                run($setup.sqlite().await).await;
            }

            #[tokio::test]
            async fn postgres() {
                if let Some(fixture) = $setup.postgres().await {
                    run(fixture).await;
                }
            }
        }
    };
    ($name:ident, |$arg:ident : $ty:ty| $body:expr $(,)?) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run($arg: $ty) {
                $body.await
            }

            #[tokio::test]
            async fn sqlite() {
                run(<$ty>::sqlite().await).await;
            }

            #[tokio::test]
            async fn postgres() {
                if let Some(fixture) = <$ty>::postgres().await {
                    run(fixture).await;
                }
            }
        }
    };
}

/// Which database engine a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// SQLite file in a temporary directory.
    Sqlite,
    /// A fresh database in a PostgreSQL cluster.
    Postgres,
}

/// An isolated, empty database that disappears with the value.
pub struct TestDb {
    /// The engine.
    pub kind: Kind,
    /// URL for `hyte_app::model::Store::connect`.
    pub url: String,
    dir: Option<tempfile::TempDir>,
    /// (maintenance URL, database name) of a database to drop on an external cluster.
    drop_on_exit: Option<(String, String)>,
}

impl TestDb {
    /// A fresh SQLite file.
    pub fn sqlite() -> TestDb {
        let dir = tempfile::Builder::new()
            .prefix("hyte-test-")
            .tempdir()
            .expect("cannot create a temporary directory for the SQLite test database");
        let url = format!("sqlite://{}", dir.path().join("hyte.db").display());
        TestDb {
            kind: Kind::Sqlite,
            url,
            dir: Some(dir),
            drop_on_exit: None,
        }
    }

    /// A fresh PostgreSQL database, or `None` (after printing why) when PostgreSQL is
    /// unavailable outside CI. Panics when it is unavailable and `CI` is set, or when
    /// `HYTE_TEST_POSTGRES_URL` is set but does not work.
    pub async fn postgres() -> Option<TestDb> {
        let admin = match admin_url() {
            Ok(u) => u.clone(),
            Err(why) => {
                if in_ci() {
                    panic!("PostgreSQL tests must run in CI but PostgreSQL is unavailable: {why}");
                }
                // Straight to stderr, past the test harness's output capture, so the
                // skip is seen even though the test passes; once per process.
                static TOLD: std::sync::Once = std::sync::Once::new();
                TOLD.call_once(|| {
                    use std::io::Write;
                    let _ = writeln!(
                        std::io::stderr(),
                        "SKIPPED PostgreSQL tests (not a failure outside CI): {why}. \
                         Install PostgreSQL (initdb/pg_ctl) or set HYTE_TEST_POSTGRES_URL."
                    );
                });
                return None;
            }
        };
        let name = unique_db_name();
        {
            use sqlx::{Connection, Executor};
            let mut conn = sqlx::PgConnection::connect(&admin)
                .await
                .unwrap_or_else(|e| panic!("cannot connect to PostgreSQL at {admin}: {e}"));
            conn.execute(format!("CREATE DATABASE {name}").as_str())
                .await
                .unwrap_or_else(|e| panic!("CREATE DATABASE {name} failed: {e}"));
            let _ = conn.close().await;
        }
        let external = std::env::var("HYTE_TEST_POSTGRES_URL").is_ok_and(|v| !v.trim().is_empty());
        Some(TestDb {
            kind: Kind::Postgres,
            url: with_database(&admin, &name),
            dir: None,
            drop_on_exit: external.then(|| (admin.clone(), name)),
        })
    }

    /// A fresh database of the given kind (see [`TestDb::postgres`] for `None`).
    pub async fn new(kind: Kind) -> Option<TestDb> {
        match kind {
            Kind::Sqlite => Some(TestDb::sqlite()),
            Kind::Postgres => TestDb::postgres().await,
        }
    }

    /// The parsed URL.
    pub fn database_url(&self) -> DatabaseUrl {
        self.url.parse().expect("test database URL parses")
    }

    /// Connects and migrates (which also loads the reference organisations).
    pub async fn store(&self) -> Store {
        let store = Store::connect(&self.database_url())
            .await
            .unwrap_or_else(|e| panic!("connecting to the test database failed: {e}"));
        store
            .migrate()
            .await
            .unwrap_or_else(|e| panic!("migrating the test database failed: {e}"));
        store
    }

    /// The temporary directory of an SQLite database.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_ref().map(|d| d.path())
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        // On a cluster the tests did not start themselves, remove what they made. The
        // test's runtime may be shutting down, so use a thread with its own.
        if let Some((admin, name)) = self.drop_on_exit.take() {
            let _ = std::thread::spawn(move || {
                let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                else {
                    return;
                };
                rt.block_on(async {
                    use sqlx::{Connection, Executor};
                    if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
                        let _ = conn
                            .execute(
                                format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str(),
                            )
                            .await;
                        let _ = conn.close().await;
                    }
                });
            })
            .join();
        }
    }
}

/// A migrated store on a throwaway database: the fixture of store-level tests.
pub struct TestStore {
    /// The store.
    pub store: Store,
    /// The engine.
    pub kind: Kind,
    /// Keeps the database alive.
    pub db: TestDb,
}

impl TestStore {
    /// On SQLite.
    pub async fn sqlite() -> TestStore {
        TestStore::on(TestDb::sqlite()).await
    }

    /// On PostgreSQL (`None` = skipped outside CI).
    pub async fn postgres() -> Option<TestStore> {
        Some(TestStore::on(TestDb::postgres().await?).await)
    }

    async fn on(db: TestDb) -> TestStore {
        TestStore {
            store: db.store().await,
            kind: db.kind,
            db,
        }
    }
}

impl std::ops::Deref for TestStore {
    type Target = Store;
    fn deref(&self) -> &Store {
        &self.store
    }
}

/// Whether the tests run in CI (where a skipped PostgreSQL suite is a failure).
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| {
        let v = v.trim().to_ascii_lowercase();
        !v.is_empty() && v != "0" && v != "false"
    })
}

fn unique_db_name() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u32(std::process::id());
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    format!("hyte_t_{:016x}", h.finish())
}

/// `postgres://u@h:p/old?x` with the database replaced: `postgres://u@h:p/NAME?x`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let (scheme, rest) = base.split_once("://").unwrap_or(("postgres", base));
    let authority = rest.split('/').next().unwrap_or(rest);
    match query {
        Some(q) => format!("{scheme}://{authority}/{name}?{q}"),
        None => format!("{scheme}://{authority}/{name}"),
    }
}

/// The maintenance URL of the cluster the tests use: `HYTE_TEST_POSTGRES_URL`, or a
/// cluster started once for this process.
fn admin_url() -> &'static Result<String, String> {
    static URL: OnceLock<Result<String, String>> = OnceLock::new();
    URL.get_or_init(|| match std::env::var("HYTE_TEST_POSTGRES_URL") {
        Ok(u) if !u.trim().is_empty() => Ok(u.trim().to_string()),
        _ => start_cluster(),
    })
}

/// The cluster this process started, stopped at exit.
struct Cluster {
    bin: PathBuf,
    dir: PathBuf,
    as_postgres_user: bool,
}

static CLUSTER: OnceLock<Cluster> = OnceLock::new();

impl Cluster {
    fn command(&self, tool: &str) -> Command {
        let exe = self.bin.join(tool);
        if self.as_postgres_user {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(exe);
            c
        } else {
            Command::new(exe)
        }
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }
}

/// Where `initdb` and `pg_ctl` live: `PATH` (incl. /usr/local/bin), then the newest
/// /usr/lib/postgresql/*/bin.
fn find_pg_bin() -> Option<PathBuf> {
    let has_tools = |d: &Path| d.join("initdb").is_file() && d.join("pg_ctl").is_file();
    let mut candidates: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    candidates.push(PathBuf::from("/usr/local/bin"));
    if let Ok(entries) = std::fs::read_dir("/usr/lib/postgresql") {
        let mut versions: Vec<(u32, PathBuf)> = entries
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                let v = e.file_name().to_string_lossy().parse::<u32>().ok()?;
                Some((v, e.path().join("bin")))
            })
            .collect();
        versions.sort_by_key(|v| std::cmp::Reverse(v.0));
        candidates.extend(versions.into_iter().map(|(_, p)| p));
    }
    candidates.into_iter().find(|d| has_tools(d))
}

fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

fn run(mut cmd: Command, what: &str) -> Result<(), String> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {what}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim(),
            String::from_utf8_lossy(&out.stdout).trim()
        ))
    }
}

fn start_cluster() -> Result<String, String> {
    let (url, cluster) = launch_cluster("", |_| Ok(()))?;
    let _ = CLUSTER.set(cluster);
    register_stop_at_exit();
    Ok(url)
}

/// Clusters started besides the shared one (e.g. one with TLS), stopped at exit.
static EXTRA_CLUSTERS: std::sync::Mutex<Vec<Cluster>> = std::sync::Mutex::new(Vec::new());

/// Starts a cluster of its own with `settings` added to the server's command line
/// (`-c ssl=on ...`); `prepare` runs on the cluster's directory before the start (it
/// may write files the settings name; as root they are handed to the postgres user).
/// Returns the maintenance URL and the directory. Stopped when the process exits.
pub fn start_own_cluster(
    settings: &str,
    prepare: impl FnOnce(&Path) -> Result<(), String>,
) -> Result<(String, PathBuf), String> {
    let (url, cluster) = launch_cluster(settings, prepare)?;
    let dir = cluster.dir.clone();
    if let Ok(mut all) = EXTRA_CLUSTERS.lock() {
        all.push(cluster);
    }
    register_stop_at_exit();
    Ok((url, dir))
}

fn register_stop_at_exit() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: registering a plain extern "C" fn with no captured state.
        unsafe {
            libc::atexit(stop_cluster_at_exit);
        }
    });
}

fn launch_cluster(
    settings: &str,
    prepare: impl FnOnce(&Path) -> Result<(), String>,
) -> Result<(String, Cluster), String> {
    let bin = find_pg_bin().ok_or_else(|| {
        "initdb/pg_ctl not found on PATH, in /usr/local/bin or in /usr/lib/postgresql/*/bin"
            .to_string()
    })?;
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    let dir = tempfile::Builder::new()
        .prefix("hyte-pg-")
        .tempdir()
        .map_err(|e| format!("cannot create a directory for the cluster: {e}"))?
        .keep();
    let cluster = Cluster {
        bin,
        dir: dir.clone(),
        as_postgres_user: root,
    };
    prepare(&dir)?;
    if root {
        // initdb refuses to run as root: the cluster belongs to the postgres user.
        run(
            {
                let mut c = Command::new("chown");
                c.arg("-R").arg("postgres:postgres").arg(&dir);
                c
            },
            "chown of the cluster directory to the postgres user (does the user exist?)",
        )?;
    }
    let mut init = cluster.command("initdb");
    init.arg("-D").arg(cluster.data()).args([
        "-A",
        "trust",
        "-U",
        "postgres",
        "-E",
        "UTF8",
        "--locale=C",
        "--no-sync",
    ]);
    if let Err(e) = run(init, "initdb") {
        let _ = std::fs::remove_dir_all(&dir);
        return Err(e);
    }
    // A free port can be taken by someone else between the check and the start; retry.
    let mut last = String::new();
    for _ in 0..3 {
        let port = free_port().map_err(|e| format!("no free port: {e}"))?;
        let mut start = cluster.command("pg_ctl");
        start
            .arg("-D")
            .arg(cluster.data())
            .arg("-l")
            .arg(dir.join("postgres.log"))
            .args(["-w", "-t", "60", "-o"])
            .arg(format!(
                "-c listen_addresses=127.0.0.1 -p {port} -k {} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 {settings}",
                dir.display()
            ))
            .arg("start");
        match run(start, "pg_ctl start") {
            Ok(()) => {
                eprintln!(
                    "test PostgreSQL cluster started in {} on 127.0.0.1:{port}",
                    dir.display()
                );
                return Ok((
                    format!("postgres://postgres@127.0.0.1:{port}/postgres"),
                    cluster,
                ));
            }
            Err(e) => {
                let log = std::fs::read_to_string(dir.join("postgres.log")).unwrap_or_default();
                last = format!("{e}\n{log}");
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    Err(last)
}

extern "C" fn stop_cluster_at_exit() {
    if let Ok(mut extra) = EXTRA_CLUSTERS.lock() {
        for c in extra.drain(..) {
            c.stop();
        }
    }
    if let Some(c) = CLUSTER.get() {
        c.stop();
    }
}

impl Cluster {
    fn stop(&self) {
        let c = self;
        let mut stop = c.command("pg_ctl");
        stop.arg("-D")
            .arg(c.data())
            .args(["-m", "immediate", "-w", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let _ = stop.status();
        let _ = std::fs::remove_dir_all(&c.dir);
    }
}
