//! The subcommands' work. Each returns `anyhow::Result`; `main` prints the error
//! chain as one line.

use crate::{demo, open_migrated, random_password};
use anyhow::{bail, Context};
use hyte_app::accounts::{Initiator, NewAccount};
use hyte_app::indicators_admin::DataFile;
use hyte_app::model::ingest::IngestOutcome;
use hyte_app::model::users::User;
use hyte_app::{Actor, App, AppError};
use hyte_domain::{RegionKey, Role};
use hyte_store::Store;
use hyte_web::{AppState, Config};
use std::io::{BufRead, IsTerminal, Read};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// E-mail of the administrator `hyte demo` creates.
pub const DEMO_ADMIN_EMAIL: &str = "admin@hyte.local";
/// Minimum password length (the application layer's rule, shared with the web).
/// Files larger than this get a progress bar.
const PROGRESS_MIN_BYTES: usize = 1024 * 1024;

/// `hyte migrate`: says how many migrations it applied ("up to date" only when none
/// was pending).
pub async fn migrate(db: &str) -> anyhow::Result<()> {
    let store = crate::connect(db).await?;
    let applied = store
        .migrate_counted()
        .await
        .with_context(|| format!("preparing the database at {} failed", store.url_redacted()))?;
    let orgs = store.organisations().await?;
    let municipalities = orgs
        .iter()
        .filter(|r| r.key.category() == hyte_domain::RegionCategory::Kunta)
        .count();
    let what = match applied {
        0 => format!("Database {} is up to date", store.url_redacted()),
        1 => format!("Applied 1 migration to database {}", store.url_redacted()),
        n => format!(
            "Applied {n} migrations to database {}",
            store.url_redacted()
        ),
    };
    println!(
        "{what}: {} organisations ({} municipalities, {} welfare-region level organisations).",
        orgs.len(),
        municipalities,
        orgs.len() - municipalities
    );
    store.close().await;
    Ok(())
}

/// The web settings from the environment (`HYTE_SECURE_COOKIES=1` behind TLS,
/// `HYTE_TRUSTED_PROXIES` behind a reverse proxy; docs/OPERATIONS.md).
pub fn web_config() -> anyhow::Result<Config> {
    let secure = std::env::var("HYTE_SECURE_COOKIES")
        .map(|v| matches!(v.trim(), "1" | "true" | "yes"))
        .unwrap_or(false);
    let proxies = std::env::var("HYTE_TRUSTED_PROXIES").unwrap_or_default();
    Ok(Config {
        secure_cookies: secure,
        trusted_proxies: hyte_web::client::TrustedProxies::parse(&proxies)
            .map_err(anyhow::Error::msg)?,
        ..Config::default()
    })
}

/// Serves the app on `addr` until the process is stopped. `demo` (`hyte demo`) also
/// prints the address for a person on standard output, and lets invitation and
/// password-reset links be made without `HYTE_PUBLIC_URL` (from the request's host).
pub async fn serve_store(store: Store, addr: SocketAddr, demo: bool) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
        anyhow::anyhow!("cannot listen on {addr}: {e} (is another program using the port?)")
    })?;
    let local = listener.local_addr().unwrap_or(addr);
    let mut config = web_config()?;
    config.public_url = crate::users::public_url_from_env()?;
    config.require_public_url = !demo;
    crate::users::announce_public_url(&config);
    tracing::info!(
        "listening on http://{local} (database {}, secure cookies {})",
        store.url_redacted(),
        if config.secure_cookies { "on" } else { "off" }
    );
    if demo {
        println!("Hyte is running at http://{local}/ (stop it with Ctrl-C).");
    }
    let state = AppState::new(hyte_app::App::new(store), config);
    hyte_web::serve_on(state, listener).await
}

/// `hyte serve`.
pub async fn serve(db: &str, addr: SocketAddr) -> anyhow::Result<()> {
    let store = open_migrated(db).await?;
    serve_store(store, addr, false).await
}

/// Counts user accounts.
async fn user_count(store: &Store) -> anyhow::Result<i64> {
    store.user_count().await.context("counting users failed")
}

/// `hyte demo`: migrate, load the demo data, create an admin if there is no user,
/// then serve.
pub async fn run_demo(db: &str, addr: SocketAddr, serve: bool) -> anyhow::Result<()> {
    let store = open_migrated(db).await?;
    eprintln!("Loading the demo data into {} ...", store.url_redacted());
    let report = demo::load(&store).await?;
    for s in &report.steps {
        println!("  {}: {}", s.what, s.result);
    }
    if report.nothing_done() {
        println!("The demo data was already loaded; nothing changed.");
    } else {
        println!("Demo data loaded (sources and licences: data/SOURCES.md; Sotkanet / THL, Statistics Finland, CC BY 4.0).");
    }
    if user_count(&store).await? == 0 {
        let password = random_password(20);
        App::new(store.clone())
            .create_user(
                Initiator::System(None),
                &NewAccount {
                    email: DEMO_ADMIN_EMAIL.into(),
                    name: "Hyte administrator".into(),
                    org: None,
                    role: Role::Admin,
                    sector: None,
                    password: password.clone(),
                },
                "hyte demo",
            )
            .await
            .map_err(cli_error)?;
        println!();
        println!("Created the administrator account (the password is shown only this once):");
        println!("  e-mail:   {DEMO_ADMIN_EMAIL}");
        println!("  password: {password}");
        println!("Add a municipal user, e.g. a welfare coordinator of Asikkala:");
        println!(
            "  hyte user add --database {} --org KUNTA:016 --role coordinator --email name@example.fi --name \"Full Name\"",
            store.url_redacted()
        );
        println!();
    }
    if serve {
        serve_store(store, addr, true).await
    } else {
        store.close().await;
        Ok(())
    }
}

/// Arguments of `hyte user add`.
#[derive(Debug, Clone)]
pub struct UserAdd {
    /// Organisation key (`KUNTA:016`), not needed for admins.
    pub org: Option<String>,
    /// Role name.
    pub role: String,
    /// Login e-mail.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Sector of an editor.
    pub sector: Option<String>,
}

/// Reads the password from standard input when it is not a terminal; `None` means
/// generate one (a terminal, or input that is empty).
fn password_from_stdin() -> anyhow::Result<Option<String>> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Ok(None);
    }
    let mut line = String::new();
    let n = stdin
        .lock()
        .read_line(&mut line)
        .context("reading the password from standard input failed")?;
    if n == 0 {
        return Ok(None);
    }
    // The password's rules are the use case's (`hyte_domain::password`).
    Ok(Some(line.trim().to_string()))
}

/// A use case's refusal as one line for the command line: its English sentence,
/// naming the option where a field is refused.
pub fn cli_error(e: AppError) -> anyhow::Error {
    match &e {
        AppError::Invalid { field, refusal }
            if matches!(*field, "org" | "role" | "email" | "name" | "sector") =>
        {
            anyhow::anyhow!("{} (--{field})", refusal.english)
        }
        other => match other.refusal() {
            Some(r) => anyhow::anyhow!("{}", r.english),
            None => anyhow::Error::new(e),
        },
    }
}

/// `hyte user add`: the account is created by the application layer's use case
/// (its rules are the web's), as the system.
pub async fn user_add(db: &str, a: &UserAdd) -> anyhow::Result<()> {
    let role: Role = a.role.parse().map_err(|e: String| anyhow::anyhow!(e))?;
    let org: Option<RegionKey> = match a.org.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(o) => Some(
            o.parse()
                .map_err(|e: hyte_domain::RegionKeyError| anyhow::anyhow!("--org {o}: {e}"))?,
        ),
    };
    let from_stdin = password_from_stdin()?;
    let store = open_migrated(db).await?;
    let app = App::new(store.clone());
    let (password, generated) = match from_stdin {
        Some(p) => (p, false),
        None => (random_password(20), true),
    };
    let user = app
        .create_user(
            Initiator::System(None),
            &NewAccount {
                email: a.email.clone(),
                name: a.name.clone(),
                org,
                role,
                sector: a.sector.clone(),
                password: password.clone(),
            },
            "hyte user add",
        )
        .await
        .map_err(cli_error)?;
    let org_text = match &user.org {
        Some(o) => {
            let name = app
                .organisation(o)
                .await
                .map(|r| r.name_fi)
                .unwrap_or_default();
            format!(", {o} {name}")
        }
        None => String::new(),
    };
    println!("Created user {} ({}{org_text}).", user.email, user.role);
    if generated {
        println!("Password (shown only this once): {password}");
    }
    store.close().await;
    Ok(())
}

/// `hyte token create`.
pub async fn token_create(db: &str, email: &str, name: &str) -> anyhow::Result<()> {
    let store = open_migrated(db).await?;
    let app = App::new(store.clone());
    let user = app
        .user_by_email(email)
        .await
        .map_err(cli_error)?
        .with_context(|| format!("there is no user with e-mail {}", email.trim()))?;
    // The token is the user's own, made as if they made it themselves.
    let actor = Actor::new(user);
    let (id, token) = app
        .create_token(&actor, name, Some("by hyte token create"))
        .await
        .map_err(cli_error)?;
    let user = actor.user;
    println!("API token #{id} '{name}' for {} (shown only this once; send it as 'Authorization: Bearer TOKEN'):", user.email);
    println!("{token}");
    store.close().await;
    Ok(())
}

/// Reads a file, decompressing gzip (by content, not by name).
fn read_file(path: &Path) -> anyhow::Result<Vec<u8>> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::with_capacity(bytes.len() * 8);
        flate2::read::MultiGzDecoder::new(&bytes[..])
            .read_to_end(&mut out)
            .with_context(|| format!("{} is not a valid gzip file", path.display()))?;
        return Ok(out);
    }
    Ok(bytes)
}

/// Imports one file with a progress bar on large files, through the application
/// layer's import use case (as the system, recorded under `user` if given); returns
/// the line to print.
pub async fn import_one(
    app: &App,
    path: &Path,
    user: Option<&User>,
    source: &str,
) -> anyhow::Result<String> {
    let bytes = read_file(path)?;
    let name = path.display().to_string();
    let bar = if bytes.len() > PROGRESS_MIN_BYTES {
        let bar =
            indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
        if !bar.is_hidden() {
            // Data rows = lines after the header (a close estimate for CSV).
            let lines = bytes.iter().filter(|&&b| b == b'\n').count() as u64;
            bar.set_length(lines.saturating_sub(1).max(1));
        }
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{msg} [{bar:30}] {human_pos}/{human_len} rows ({per_sec}, {eta})",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| name.clone());
        bar.set_message(file_name);
        Some(bar)
    } else {
        None
    };
    let counter = Arc::new(AtomicU64::new(0));
    let ticker = bar.clone().map(|bar| {
        let c = counter.clone();
        tokio::spawn(async move {
            loop {
                bar.set_position(c.load(Ordering::Relaxed));
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        })
    });
    let result = app
        .import_data(
            Initiator::System(user),
            DataFile {
                name: name.clone(),
                bytes,
                source: source.to_string(),
            },
            bar.as_ref().map(|_| counter.clone()),
        )
        .await;
    if let Some(t) = ticker {
        t.abort();
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let (outcome, _) = result.map_err(cli_error)?;
    Ok(match outcome {
        IngestOutcome::Data { format, summary } => format!(
            "{name}: {}: {} rows, {} new or changed, {} unchanged, {} skipped (import #{})",
            format.describe(),
            summary.rows_total,
            summary.rows_changed,
            summary.rows_unchanged,
            summary.rows_skipped,
            summary.run_id
        ),
        IngestOutcome::Regions(n) => format!("{name}: Sotkanet region list: {n} regions"),
        IngestOutcome::Indicators(n) => {
            format!("{name}: Sotkanet indicator list: {n} indicator titles")
        }
        IngestOutcome::Metadata(id) => {
            format!("{name}: Sotkanet indicator metadata: indicator {id}")
        }
    })
}

/// `hyte import sotkanet FILE...`: each file is its own transaction; failures are
/// reported per file and make the command fail at the end.
pub async fn import_sotkanet(
    db: &str,
    files: &[PathBuf],
    user: Option<&str>,
) -> anyhow::Result<()> {
    if files.is_empty() {
        bail!("name at least one file to import");
    }
    let store = open_migrated(db).await?;
    let app = App::new(store.clone());
    let user = match user {
        Some(u) => Some(
            app.user_by_email(u)
                .await
                .map_err(cli_error)?
                .with_context(|| format!("there is no user with e-mail {}", u.trim()))?,
        ),
        None => None,
    };
    let mut failed = 0;
    for f in files {
        match import_one(&app, f, user.as_ref(), "sotkanet file").await {
            Ok(line) => println!("{line}"),
            Err(e) => {
                failed += 1;
                eprintln!("hyte: {}", crate::one_line(&e));
            }
        }
    }
    store.close().await;
    if failed > 0 {
        bail!(
            "{failed} of {} files could not be imported (each failed file left the database unchanged)",
            files.len()
        );
    }
    Ok(())
}

/// `hyte backup FILE [--org KEY]`: writes the whole instance or one organisation's
/// data to a portable file (see `hyte_store::backup`).
pub async fn backup(db: &str, file: &Path, org: Option<&str>) -> anyhow::Result<()> {
    let store = crate::connect(db).await?;
    let r = store.backup(file, org).await;
    store.close().await;
    let s = r.with_context(|| format!("backing up to {} failed", file.display()))?;
    let what = match &s.scope {
        hyte_store::backup::Scope::Instance => "the whole instance".to_string(),
        hyte_store::backup::Scope::Org(k) => format!("organisation {k}"),
    };
    println!(
        "Backed up {what}: {} rows in {} tables (schema version {}) to {} (readable only by its owner: it holds password hashes and tokens).",
        s.total(),
        s.rows.len(),
        s.schema_version,
        file.display()
    );
    Ok(())
}

/// `hyte restore FILE`: restores a backup into an empty database, migrating it first
/// (so a new SQLite file or an empty PostgreSQL database is ready in one step).
pub async fn restore(db: &str, file: &Path) -> anyhow::Result<()> {
    let store = open_migrated(db).await?;
    let r = store.restore(file).await;
    store.close().await;
    let s = r.with_context(|| format!("restoring {} failed", file.display()))?;
    println!(
        "Restored {} rows in {} tables (schema version {}) from {}.",
        s.total(),
        s.rows.len(),
        s.schema_version,
        file.display()
    );
    Ok(())
}
