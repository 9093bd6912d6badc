//! Users, sessions, API tokens and login attempts.
//!
//! The store keeps only hashes of secrets (argon2 for passwords, SHA-256 for session
//! and API tokens, which are long random strings and need no slow hash).

use crate::{now_epoch, now_rfc3339, opt_str, Store, StoreError, StoreResult};
use hyte_domain::{RegionKey, Role};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::Row;

/// A user account.
#[derive(Debug, Clone, Serialize)]
pub struct User {
    /// Database id.
    pub id: i64,
    /// Login name; unique, stored lower-case.
    pub email: String,
    /// Display name.
    pub name: String,
    /// The organisation the user works for; `None` for system admins.
    pub org: Option<RegionKey>,
    /// The user's role in that organisation.
    pub role: Role,
    /// The sector (e.g. education) of an editor.
    pub sector: Option<String>,
    /// Preferred UI language.
    pub locale: Option<String>,
    /// When the account was made.
    pub created_at: String,
    #[serde(skip)]
    /// argon2 PHC string.
    pub password_hash: String,
}

/// What is needed to create a user.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Login e-mail.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Organisation (required for every role but admin).
    pub org: Option<RegionKey>,
    /// Role.
    pub role: Role,
    /// Sector of an editor.
    pub sector: Option<String>,
    /// argon2 hash of the password.
    pub password_hash: String,
}

/// A signed-in browser session.
#[derive(Debug, Clone)]
pub struct Session {
    /// The user.
    pub user: User,
    /// The CSRF token bound to this session.
    pub csrf_token: String,
    /// Expiry, RFC 3339.
    pub expires_at: String,
}

/// SHA-256 of a token, hex; how session and API tokens are stored and looked up.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

const USER_COLUMNS: &str =
    "id, email, name, password_hash, org_key, role, sector, locale, created_at";

fn user_from_row(row: &AnyRow) -> StoreResult<User> {
    let role: String = row.try_get("role")?;
    Ok(User {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        name: row.try_get("name")?,
        password_hash: row.try_get("password_hash")?,
        org: opt_str(row, "org_key")?
            .map(|s| s.parse::<RegionKey>())
            .transpose()
            .map_err(|e| StoreError::Invalid(e.to_string()))?,
        role: role.parse().map_err(StoreError::Invalid)?,
        sector: opt_str(row, "sector")?,
        locale: opt_str(row, "locale")?,
        created_at: row.try_get("created_at")?,
    })
}

impl Store {
    /// How many user accounts there are.
    pub async fn user_count(&self) -> StoreResult<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM app_user")
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get("n")?)
    }

    /// A user by e-mail (case-insensitive).
    pub async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM app_user WHERE email = $1"
        ))
        .bind(email.trim().to_lowercase())
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    /// A user by id.
    pub async fn user_by_id(&self, id: i64) -> StoreResult<Option<User>> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM app_user WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    /// Users of an organisation.
    pub async fn users_of(&self, org: &RegionKey) -> StoreResult<Vec<User>> {
        let rows = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM app_user WHERE org_key = $1 ORDER BY name"
        ))
        .bind(org.to_string())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(user_from_row).collect()
    }

    /// Records a new session under the hash of `token`.
    pub async fn create_session(
        &self,
        user_id: i64,
        token: &str,
        csrf_token: &str,
        ttl_secs: i64,
    ) -> StoreResult<()> {
        let expires = time::OffsetDateTime::now_utc() + time::Duration::seconds(ttl_secs);
        let expires = expires
            .format(&time::format_description::well_known::Rfc3339)
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        sqlx::query(
            "INSERT INTO user_session (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash(token))
        .bind(user_id)
        .bind(csrf_token.to_string())
        .bind(now_rfc3339())
        .bind(expires)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The live session for a cookie token, or `None` if unknown or expired.
    pub async fn session(&self, token: &str) -> StoreResult<Option<Session>> {
        let row = sqlx::query(
            "SELECT user_id, csrf_token, expires_at FROM user_session WHERE token_hash = $1 AND expires_at > $2",
        )
        .bind(token_hash(token))
        .bind(now_rfc3339())
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let user_id: i64 = row.try_get("user_id")?;
        let Some(user) = self.user_by_id(user_id).await? else {
            return Ok(None);
        };
        Ok(Some(Session {
            user,
            csrf_token: row.try_get("csrf_token")?,
            expires_at: row.try_get("expires_at")?,
        }))
    }

    /// Ends a session.
    pub async fn delete_session(&self, token: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM user_session WHERE token_hash = $1")
            .bind(token_hash(token))
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Removes expired sessions.
    pub async fn purge_expired_sessions(&self) -> StoreResult<u64> {
        let r = sqlx::query("DELETE FROM user_session WHERE expires_at <= $1")
            .bind(now_rfc3339())
            .execute(self.pool())
            .await?;
        Ok(r.rows_affected())
    }

    /// The user a bearer token belongs to.
    pub async fn user_by_api_token(&self, token: &str) -> StoreResult<Option<User>> {
        let row = sqlx::query("SELECT user_id FROM api_token WHERE token_hash = $1")
            .bind(token_hash(token))
            .fetch_optional(self.pool())
            .await?;
        let Some(row) = row else { return Ok(None) };
        let user_id: i64 = row.try_get("user_id")?;
        sqlx::query("UPDATE api_token SET last_used_at = $1 WHERE token_hash = $2")
            .bind(now_rfc3339())
            .bind(token_hash(token))
            .execute(self.pool())
            .await?;
        self.user_by_id(user_id).await
    }

    /// A user's tokens: (id, name, created, last used).
    pub async fn api_tokens_of(
        &self,
        user_id: i64,
    ) -> StoreResult<Vec<(i64, String, String, Option<String>)>> {
        let rows = sqlx::query(
            "SELECT id, name, created_at, last_used_at FROM api_token WHERE user_id = $1 ORDER BY id",
        )
        .bind(user_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("id")?,
                    r.try_get("name")?,
                    r.try_get("created_at")?,
                    opt_str(r, "last_used_at")?,
                ))
            })
            .collect()
    }

    /// Records a login attempt for rate limiting (shared by all web nodes because it
    /// lives in the database).
    pub async fn record_login_attempt(&self, subject: &str, success: bool) -> StoreResult<()> {
        sqlx::query("INSERT INTO login_attempt (subject, at_epoch, success) VALUES ($1, $2, $3)")
            .bind(subject.to_string())
            .bind(now_epoch())
            .bind(i64::from(success))
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Failed attempts for a subject within the last `window_secs`.
    pub async fn recent_failed_logins(&self, subject: &str, window_secs: i64) -> StoreResult<i64> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM login_attempt WHERE subject = $1 AND success = 0 AND at_epoch > $2",
        )
        .bind(subject.to_string())
        .bind(now_epoch() - window_secs)
        .fetch_one(self.pool())
        .await?;
        Ok(row.try_get("n")?)
    }
}

/// Account changes: made by `hyte-app`'s use cases, each with its audit entry in the
/// same transaction.
impl crate::tx::Tx {
    /// Creates a user. Refuses a duplicate e-mail, an unknown organisation, and a
    /// non-admin without an organisation.
    pub async fn create_user(&mut self, u: &NewUser) -> StoreResult<User> {
        let email = u.email.trim().to_lowercase();
        if u.role != Role::Admin && u.org.is_none() {
            return Err(StoreError::Invalid(format!(
                "a {} must belong to an organisation (--org KUNTA:016)",
                u.role
            )));
        }
        if let Some(org) = &u.org {
            match self.store().region(org).await? {
                Some(r) if r.key.category().is_organisation() && r.is_current() => {}
                _ => {
                    return Err(StoreError::NotFound(format!(
                    "no organisation {org}: use an id from /api/v1/organisations, e.g. KUNTA:016"
                )))
                }
            }
        }
        if self.store().user_by_email(&email).await?.is_some() {
            return Err(StoreError::Conflict(format!(
                "a user with e-mail {email} already exists"
            )));
        }
        let row = sqlx::query(&format!(
            "INSERT INTO app_user (email, name, password_hash, org_key, role, sector, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {USER_COLUMNS}"
        ))
        .bind(email)
        .bind(u.name.trim().to_string())
        .bind(u.password_hash.clone())
        .bind(u.org.as_ref().map(|k| k.to_string()))
        .bind(u.role.as_str())
        .bind(u.sector.clone())
        .bind(now_rfc3339())
        .fetch_one(self.conn())
        .await?;
        user_from_row(&row)
    }

    /// Replaces a user's password hash and ends all their sessions, so a stolen
    /// session dies with the old password.
    pub async fn set_password_hash(&mut self, user_id: i64, hash: &str) -> StoreResult<()> {
        sqlx::query("UPDATE app_user SET password_hash = $1 WHERE id = $2")
            .bind(hash.to_string())
            .bind(user_id)
            .execute(self.conn())
            .await?;
        sqlx::query("DELETE FROM user_session WHERE user_id = $1")
            .bind(user_id)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// Stores a user's preferred language.
    pub async fn set_locale(&mut self, user_id: i64, locale: &str) -> StoreResult<()> {
        sqlx::query("UPDATE app_user SET locale = $1 WHERE id = $2")
            .bind(locale.to_string())
            .bind(user_id)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// Stores a personal API token (its hash) for a user; returns the token id.
    pub async fn create_api_token(
        &mut self,
        user_id: i64,
        token: &str,
        name: &str,
    ) -> StoreResult<i64> {
        let row = sqlx::query(
            "INSERT INTO api_token (user_id, token_hash, name, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(user_id)
        .bind(token_hash(token))
        .bind(name.to_string())
        .bind(now_rfc3339())
        .fetch_one(self.conn())
        .await?;
        Ok(row.try_get("id")?)
    }

    /// Revokes one of a user's tokens.
    pub async fn delete_api_token(&mut self, user_id: i64, token_id: i64) -> StoreResult<bool> {
        let r = sqlx::query("DELETE FROM api_token WHERE id = $1 AND user_id = $2")
            .bind(token_id)
            .bind(user_id)
            .execute(self.conn())
            .await?;
        Ok(r.rows_affected() > 0)
    }
}
