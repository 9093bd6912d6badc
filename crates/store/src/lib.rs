//! Hyte's storage layer.
//!
//! One [`Store`] serves both backends: SQLite (the embedded default, WAL mode,
//! foreign keys on) and PostgreSQL (the scale-out option behind several stateless
//! web nodes). Ordinary queries are written once against sqlx's `Any` driver with
//! portable SQL (`$1` placeholders, `ON CONFLICT`, `RETURNING`); each backend keeps
//! its own migrations because DDL differs. Bulk data loading takes a backend-specific
//! fast path (see [`bulk`]), because it must keep pace with `sqlite3 .import`.

pub mod approval;
pub mod audit;
pub mod backup;
pub mod bulk;
pub mod coefficient;
pub mod dialogue;
pub mod indicators;
pub mod ingest;

pub mod orgs;
pub mod plan;
pub mod process;
pub mod publication;
pub mod reports;
pub mod seed;
pub mod tx;
pub mod users;
pub mod versions;

pub use tx::{Audit, Tx};

use sqlx::any::{AnyConnectOptions, AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, ConnectOptions, Row};
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

/// Errors of the storage layer. Messages are meant for operators: one clear sentence.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database URL could not be understood.
    #[error("database URL '{0}' is not valid: use sqlite://PATH or postgres://USER@HOST/DB")]
    BadUrl(String),
    /// The database could not be reached or opened.
    #[error("cannot open the database at {url}: {reason}")]
    Connect {
        /// The URL with any password removed.
        url: String,
        /// The driver's reason.
        reason: String,
    },
    /// Applying migrations failed.
    #[error("migrating the database failed: {0}")]
    Migrate(String),
    /// A query failed.
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    /// The SQLite bulk path failed.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// Something referenced does not exist.
    #[error("{0}")]
    NotFound(String),
    /// A write conflicts with existing data (duplicate e-mail, stale revision...).
    #[error("{0}")]
    Conflict(String),
    /// Input rejected by a rule the store enforces (with the user-facing reason).
    #[error("{0}")]
    Invalid(String),
}

impl StoreError {
    /// Whether the database could not be reached (as opposed to a query being wrong):
    /// the web layer answers 503 and recovers by itself when the database is back.
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Db(e) => {
                matches!(
                    e,
                    sqlx::Error::PoolTimedOut
                        | sqlx::Error::Io(_)
                        | sqlx::Error::PoolClosed
                        | sqlx::Error::Tls(_)
                ) || e
                    .as_database_error()
                    .and_then(|d| d.code())
                    .is_some_and(|c| c.starts_with("57P") || c.starts_with("08"))
            }
            StoreError::Connect { .. } => true,
            _ => false,
        }
    }
}

/// Result alias for the store.
pub type StoreResult<T> = Result<T, StoreError>;

/// Which database engine a [`Store`] talks to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    /// SQLite file at this path.
    Sqlite(PathBuf),
    /// PostgreSQL at this URL.
    Postgres(String),
}

/// A parsed database URL.
#[derive(Debug, Clone)]
pub struct DatabaseUrl {
    backend: Backend,
}

impl DatabaseUrl {
    /// The backend.
    pub fn backend(&self) -> &Backend {
        &self.backend
    }

    /// The URL with any password replaced, safe for logs and error messages.
    pub fn redacted(&self) -> String {
        match &self.backend {
            Backend::Sqlite(p) => format!("sqlite://{}", p.display()),
            Backend::Postgres(u) => redact_password(u),
        }
    }
}

fn redact_password(url: &str) -> String {
    // postgres://user:secret@host/db → postgres://user:***@host/db. The credentials end
    // at the *last* `@`: a password may hold `@`, `/` or `?` itself (unencoded, as
    // people write it), and cutting at the first `@` would echo the rest of it. An `@`
    // later in the URL (rare) makes this hide the host too, which is the safe side.
    if let Some((scheme, rest)) = url.split_once("://") {
        if let Some((cred, host)) = rest.rsplit_once('@') {
            if let Some((user, _)) = cred.split_once(':') {
                return format!("{scheme}://{user}:***@{host}");
            }
        }
        // A password may also come as a query parameter.
        if let Some((base, query)) = rest.split_once('?') {
            let query: Vec<String> = query
                .split('&')
                .map(|kv| match kv.split_once('=') {
                    Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                    _ => kv.to_string(),
                })
                .collect();
            return format!("{scheme}://{base}?{}", query.join("&"));
        }
    }
    url.to_string()
}

impl FromStr for DatabaseUrl {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if let Some(path) = s
            .strip_prefix("sqlite://")
            .or_else(|| s.strip_prefix("sqlite:"))
        {
            let path = path.split('?').next().unwrap_or_default();
            if path.is_empty() {
                return Err(StoreError::BadUrl(redact_password(s)));
            }
            return Ok(DatabaseUrl {
                backend: Backend::Sqlite(PathBuf::from(path)),
            });
        }
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            let rest = s.split_once("://").map(|x| x.1).unwrap_or_default();
            if rest.is_empty() {
                return Err(StoreError::BadUrl(redact_password(s)));
            }
            return Ok(DatabaseUrl {
                backend: Backend::Postgres(s.to_string()),
            });
        }
        // Whatever was given may hold a password (`mysql://u:secret@h`).
        Err(StoreError::BadUrl(redact_password(s)))
    }
}

/// Handle to the database; cheap to clone (pools inside).
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    url: DatabaseUrl,
    pg: Option<sqlx::PgPool>,
    /// Read connections for the hot value queries on SQLite: sqlx hands SQLite rows
    /// over one message at a time, which costs more than the query itself for the
    /// ~10 000 rows of one indicator (see bench/run query).
    readers: std::sync::Arc<std::sync::Mutex<Vec<rusqlite::Connection>>>,
    /// Reference areas change only when migrations load them; every request that
    /// judges values needs them, so they are read once per process.
    region_cache: std::sync::Arc<std::sync::RwLock<Option<std::sync::Arc<Vec<orgs::Region>>>>>,
}

/// The current time as RFC 3339 UTC text, the timestamp format of every table.
pub fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| time::OffsetDateTime::now_utc())
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Seconds since the Unix epoch.
pub fn now_epoch() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

impl Store {
    /// Opens the database (creating an SQLite file and its folder if needed).
    /// Does not migrate; call [`Store::migrate`].
    pub async fn connect(url: &DatabaseUrl) -> StoreResult<Store> {
        sqlx::any::install_default_drivers();
        let connect_err = |e: &dyn std::fmt::Display| StoreError::Connect {
            url: url.redacted(),
            reason: e.to_string(),
        };
        match &url.backend {
            Backend::Sqlite(path) => {
                if let Some(dir) = path.parent() {
                    if !dir.as_os_str().is_empty() {
                        std::fs::create_dir_all(dir).map_err(|e| connect_err(&e))?;
                    }
                }
                // WAL lets readers proceed during an import; it is a property of the
                // file, so set it once through a plain connection.
                {
                    let c = rusqlite::Connection::open(path).map_err(|e| connect_err(&e))?;
                    c.pragma_update(None, "journal_mode", "WAL")
                        .map_err(|e| connect_err(&e))?;
                }
                let any_url = format!("sqlite://{}?mode=rwc", path.display());
                let options = AnyConnectOptions::from_str(&any_url)
                    .map_err(|e| connect_err(&e))?
                    .disable_statement_logging();
                let pool = AnyPoolOptions::new()
                    .max_connections(8)
                    .acquire_timeout(Duration::from_secs(10))
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            use sqlx::Executor;
                            conn.execute("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL;")
                                .await?;
                            Ok(())
                        })
                    })
                    .connect_with(options)
                    .await
                    .map_err(|e| connect_err(&e))?;
                Ok(Store {
                    pool,
                    url: url.clone(),
                    pg: None,
                    readers: Default::default(),
                    region_cache: Default::default(),
                })
            }
            Backend::Postgres(raw) => {
                let pg_options = sqlx::postgres::PgConnectOptions::from_str(raw)
                    .map_err(|e| connect_err(&e))?
                    .disable_statement_logging();
                // One plain connection first: a pool retries a refused connection until
                // its time-out and then reports only "pool timed out", which names
                // neither the address nor the cause.
                probe_postgres(&pg_options, &url.redacted())
                    .await
                    .map_err(|reason| connect_err(&reason))?;
                let options = AnyConnectOptions::from_str(raw)
                    .map_err(|e| connect_err(&e))?
                    .disable_statement_logging();
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(5))
                    .connect_with(options)
                    .await
                    .map_err(|e| connect_err(&e))?;
                let pg = sqlx::postgres::PgPoolOptions::new()
                    .max_connections(4)
                    .acquire_timeout(Duration::from_secs(5))
                    .connect_with(pg_options)
                    .await
                    .map_err(|e| connect_err(&e))?;
                Ok(Store {
                    pool,
                    url: url.clone(),
                    pg: Some(pg),
                    readers: Default::default(),
                    region_cache: Default::default(),
                })
            }
        }
    }

    /// Applies pending migrations of this backend, then loads the reference
    /// organisations if the database has none (they are reference data, not demo data).
    pub async fn migrate(&self) -> StoreResult<()> {
        self.migrate_counted().await.map(|_| ())
    }

    /// [`Store::migrate`], returning how many migrations it applied (0 when the
    /// database was up to date), so that `hyte migrate` can say what it did.
    pub async fn migrate_counted(&self) -> StoreResult<usize> {
        let migrator = match self.url.backend {
            Backend::Sqlite(_) => sqlx::migrate!("./migrations/sqlite"),
            Backend::Postgres(_) => sqlx::migrate!("./migrations/postgres"),
        };
        let before = self.applied_migrations().await;
        migrator
            .run(&self.pool)
            .await
            .map_err(|e| StoreError::Migrate(e.to_string()))?;
        let after = self.applied_migrations().await;
        seed::load_reference_regions(self).await?;
        Ok(after.saturating_sub(before))
    }

    /// Migrations recorded as applied; 0 before the first (no table yet).
    async fn applied_migrations(&self) -> usize {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
            .fetch_one(&self.pool)
            .await
            .map_or(0, |n| usize::try_from(n).unwrap_or(0))
    }

    /// The backend in use.
    pub fn backend(&self) -> &Backend {
        &self.url.backend
    }

    /// The database URL, password redacted.
    pub fn url_redacted(&self) -> String {
        self.url.redacted()
    }

    /// The shared pool for portable queries.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Cheap liveness check used by `/healthz`.
    pub async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Runs a read-only query on a pooled rusqlite connection (SQLite only).
    pub(crate) async fn with_sqlite_reader<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&rusqlite::Connection) -> StoreResult<T> + Send + 'static,
    {
        let Backend::Sqlite(path) = self.backend().clone() else {
            return Err(StoreError::Invalid("not an SQLite store".into()));
        };
        let readers = self.readers.clone();
        tokio::task::spawn_blocking(move || {
            let conn = readers.lock().ok().and_then(|mut v| v.pop());
            let conn = match conn {
                Some(c) => c,
                None => {
                    let c = rusqlite::Connection::open_with_flags(
                        &path,
                        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
                            | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
                    )?;
                    c.busy_timeout(Duration::from_secs(10))?;
                    c
                }
            };
            let out = f(&conn);
            if let Ok(mut v) = readers.lock() {
                if v.len() < 8 {
                    v.push(conn);
                }
            }
            out
        })
        .await
        .map_err(|e| StoreError::Invalid(format!("query task failed: {e}")))?
    }

    /// All areas, cached for the life of the process (they are reference data).
    pub async fn all_regions(&self) -> StoreResult<std::sync::Arc<Vec<orgs::Region>>> {
        if let Some(r) = self.region_cache.read().ok().and_then(|c| c.clone()) {
            return Ok(r);
        }
        let all = std::sync::Arc::new(self.regions(None).await?);
        if let Ok(mut c) = self.region_cache.write() {
            *c = Some(all.clone());
        }
        Ok(all)
    }

    /// Forgets cached areas after they changed.
    pub(crate) fn invalidate_regions(&self) {
        if let Ok(mut c) = self.region_cache.write() {
            *c = None;
        }
    }

    /// Closes the pools.
    pub async fn close(&self) {
        self.pool.close().await;
        if let Some(pg) = &self.pg {
            pg.close().await;
        }
    }
}

/// Opens and closes one connection to PostgreSQL, within 5 s; the reason it failed
/// in one sentence naming the address (a refused connection, no answer, a password
/// the server refused...).
///
/// The address is named only when the redacted URL shows it: in a malformed URL (a
/// password with an unencoded `/`) the "host" the parser finds is a piece of the
/// password.
async fn probe_postgres(
    options: &sqlx::postgres::PgConnectOptions,
    redacted: &str,
) -> Result<(), String> {
    use sqlx::{ConnectOptions, Connection};
    let authority = redacted
        .split_once("://")
        .map_or(redacted, |(_, rest)| rest);
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let authority = authority.split(['/', '?']).next().unwrap_or_default();
    let shown_host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    let address = match options.get_socket() {
        Some(socket) => socket.display().to_string(),
        None if shown_host == options.get_host() => {
            format!("{}:{}", options.get_host(), options.get_port())
        }
        None => "the server named in the URL".to_string(),
    };
    match tokio::time::timeout(Duration::from_secs(5), options.connect()).await {
        Ok(Ok(conn)) => {
            let _ = conn.close().await;
            Ok(())
        }
        Ok(Err(sqlx::Error::Io(e))) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
            Err(format!(
                "the connection to {address} was refused (is PostgreSQL running and listening there?)"
            ))
        }
        Ok(Err(sqlx::Error::Io(e))) => Err(format!("cannot connect to {address}: {e}")),
        Ok(Err(e)) => Err(format!("{address}: {e}")),
        Err(_) => Err(format!("no answer from {address} within 5 s")),
    }
}

/// Reads an optional text column, treating SQL NULL as `None`.
pub(crate) fn opt_str(row: &AnyRow, col: &str) -> StoreResult<Option<String>> {
    Ok(row.try_get::<Option<String>, _>(col)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_urls() {
        let u: DatabaseUrl = "sqlite://hyte-data/hyte.db".parse().unwrap();
        assert_eq!(
            u.backend(),
            &Backend::Sqlite(PathBuf::from("hyte-data/hyte.db"))
        );
        let u: DatabaseUrl = "postgres://hyte:secret@localhost:5432/hyte"
            .parse()
            .unwrap();
        assert_eq!(u.redacted(), "postgres://hyte:***@localhost:5432/hyte");
        // A password with `@` (and `:`) is hidden whole.
        let u: DatabaseUrl = "postgres://hyte:p@ss:w@rd@db.internal:5432/hyte?sslmode=require"
            .parse()
            .unwrap();
        assert_eq!(
            u.redacted(),
            "postgres://hyte:***@db.internal:5432/hyte?sslmode=require"
        );
        let u: DatabaseUrl = "postgres://db.internal/hyte?user=hyte&password=s3cr@t"
            .parse()
            .unwrap();
        assert_eq!(
            u.redacted(),
            "postgres://db.internal/hyte?user=hyte&password=***"
        );
        let u: DatabaseUrl = "postgres://hyte@db.internal/hyte".parse().unwrap();
        assert_eq!(u.redacted(), "postgres://hyte@db.internal/hyte");
        match "mysql://root:p@ss@db/x".parse::<DatabaseUrl>() {
            Err(e) => assert!(!e.to_string().contains("ss@"), "{e}"),
            Ok(_) => panic!("mysql is not a backend"),
        }
        assert!("mysql://x".parse::<DatabaseUrl>().is_err());
        assert!("sqlite://".parse::<DatabaseUrl>().is_err());
        assert!("nonsense".parse::<DatabaseUrl>().is_err());
    }
}
