//! The `hyte` command line: serve the web application, load the demo data, manage
//! users (and their lifecycle: disable, enable, remove, reset link) and API tokens, import Sotkanet files and synchronise from Sotkanet's REST
//! API. The binary (`src/main.rs`) only parses arguments and prints errors; the work
//! is here so integration tests can call it directly.

pub mod bench;
pub mod bench_publish;
pub mod commands;
pub mod demo;
pub mod sotkanet;
pub mod users;

use anyhow::Context;
use hyte_store::{DatabaseUrl, Store};

/// The database used when neither `--database` nor `HYTE_DATABASE_URL` is given.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://hyte-data/hyte.db";

/// Parses a database URL and opens the database (creating an SQLite file if needed).
pub async fn connect(url: &str) -> anyhow::Result<Store> {
    let url: DatabaseUrl = url.parse()?;
    let store = Store::connect(&url).await?;
    Ok(store)
}

/// Opens the database and applies pending migrations (idempotent and cheap, so every
/// command that uses the database calls this first).
pub async fn open_migrated(url: &str) -> anyhow::Result<Store> {
    let store = connect(url).await?;
    store
        .migrate()
        .await
        .with_context(|| format!("preparing the database at {} failed", store.url_redacted()))?;
    Ok(store)
}

/// A random password of `len` ASCII letters and digits.
pub fn random_password(len: usize) -> String {
    use rand::distributions::Alphanumeric;
    use rand::Rng;
    rand::rngs::OsRng
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

/// An error with its causes on one line (`a: b: c`), without repeating a cause that
/// the message above it already contains.
pub fn one_line(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let c = cause.to_string();
        let c = c.trim();
        if c.is_empty() || out.contains(c) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(c);
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}
