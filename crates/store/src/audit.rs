//! The append-only audit log. The database refuses updates and deletes (triggers in
//! both migrations), so not even a bug in the application can rewrite history.

use crate::{now_rfc3339, opt_str, Store, StoreResult};
use hyte_domain::RegionKey;
use serde::Serialize;
use sqlx::Row;

/// One audit entry.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    /// Sequence number.
    pub id: i64,
    /// When, RFC 3339.
    pub at: String,
    /// Who (e-mail), if anyone was signed in.
    pub user_email: Option<String>,
    /// The organisation concerned.
    pub org_key: Option<String>,
    /// A machine-readable action name, e.g. `login`, `import`.
    pub action: String,
    /// Human-readable detail.
    pub detail: String,
}

impl Store {
    /// Appends an entry.
    pub async fn audit(
        &self,
        user_email: Option<&str>,
        org: Option<&RegionKey>,
        action: &str,
        detail: &str,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO audit_log (at, user_email, org_key, action, detail) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(now_rfc3339())
        .bind(user_email.map(str::to_string))
        .bind(org.map(|k| k.to_string()))
        .bind(action.to_string())
        .bind(detail.to_string())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Newest entries first; of one organisation, or of all when `org` is `None`.
    pub async fn audit_entries(
        &self,
        org: Option<&RegionKey>,
        limit: i64,
    ) -> StoreResult<Vec<AuditEntry>> {
        let rows = match org {
            Some(o) => sqlx::query(
                "SELECT id, at, user_email, org_key, action, detail FROM audit_log WHERE org_key = $1 ORDER BY id DESC LIMIT $2",
            )
            .bind(o.to_string())
            .bind(limit)
            .fetch_all(self.pool())
            .await?,
            None => sqlx::query(
                "SELECT id, at, user_email, org_key, action, detail FROM audit_log ORDER BY id DESC LIMIT $1",
            )
            .bind(limit)
            .fetch_all(self.pool())
            .await?,
        };
        rows.iter()
            .map(|r| {
                Ok(AuditEntry {
                    id: r.try_get("id")?,
                    at: r.try_get("at")?,
                    user_email: opt_str(r, "user_email")?,
                    org_key: opt_str(r, "org_key")?,
                    action: r.try_get("action")?,
                    detail: r.try_get("detail")?,
                })
            })
            .collect()
    }
}
