//! Write transactions: a change and the audit entry that records it commit together
//! or not at all.
//!
//! Every state-changing method of the store is a method of [`Tx`], not of
//! [`Store`]: the application layer (`hyte-app`) opens a transaction, makes the
//! change, appends its [`Audit`] entry and commits. If the audit insert fails, the
//! change is rolled back with it, so the log never misses a change that happened.

use crate::{now_rfc3339, Store, StoreError, StoreResult};
use hyte_domain::RegionKey;

/// An audit entry to append: who did what in which organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audit {
    /// The acting user's e-mail, if anyone was signed in.
    pub user_email: Option<String>,
    /// The organisation concerned.
    pub org: Option<RegionKey>,
    /// A machine-readable action name, e.g. `section_saved`.
    pub action: String,
    /// Human-readable detail (ids, names, counts).
    pub detail: String,
}

/// One write transaction on either backend. Dropped without [`Tx::commit`], it rolls
/// back.
pub struct Tx {
    pub(crate) tx: sqlx::Transaction<'static, sqlx::Any>,
    pub(crate) store: Store,
}

impl Store {
    /// Opens a write transaction.
    pub async fn begin(&self) -> StoreResult<Tx> {
        // SQLite: take the write lock at the start. A deferred transaction that reads
        // first (the approval lock, a conflict check) and writes later cannot wait for
        // another writer — SQLite answers SQLITE_BUSY at once instead of honouring the
        // busy timeout — so concurrent saves would fail instead of queueing.
        let tx = match self.backend() {
            crate::Backend::Sqlite(_) => self.pool().begin_with("BEGIN IMMEDIATE").await?,
            crate::Backend::Postgres(_) => self.pool().begin().await?,
        };
        Ok(Tx {
            tx,
            store: self.clone(),
        })
    }
}

impl Tx {
    /// The transaction's connection, for the store's own queries.
    pub(crate) fn conn(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.tx
    }

    /// The store behind the transaction (reads of committed data only).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Appends an audit entry inside this transaction.
    pub async fn audit(&mut self, a: &Audit) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO audit_log (at, user_email, org_key, action, detail) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(now_rfc3339())
        .bind(a.user_email.clone())
        .bind(a.org.as_ref().map(|k| k.to_string()))
        .bind(a.action.clone())
        .bind(a.detail.clone())
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Makes every change of the transaction permanent.
    pub async fn commit(self) -> StoreResult<()> {
        self.tx.commit().await.map_err(StoreError::from)
    }

    /// Undoes every change of the transaction.
    pub async fn rollback(self) -> StoreResult<()> {
        self.tx.rollback().await.map_err(StoreError::from)
    }
}
