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
    /// When the account was disabled (`None`: it may sign in). A disabled account's
    /// sessions and API tokens are refused until it is enabled again.
    pub disabled_at: Option<String>,
    /// When the account was removed (`None`: it exists). A removed account keeps its
    /// name and e-mail for the history it wrote, but never signs in again.
    pub removed_at: Option<String>,
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

/// A live session as its user sees it in their list.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    /// SHA-256 of the session's token (the cookie value itself is never stored).
    pub token_hash: String,
    /// When it started (the sign-in).
    pub created_at: String,
    /// When it ends by itself.
    pub expires_at: String,
    /// When it was last used (to the minute), if since it started.
    pub last_seen_at: Option<String>,
}

/// A password-reset link as stored (its token only as a hash).
#[derive(Debug, Clone)]
pub struct PasswordReset {
    /// Id.
    pub id: i64,
    /// The account whose password it sets.
    pub user_id: i64,
    /// Who issued it (an e-mail, or what the command line says).
    pub issued_by: String,
    /// When it was issued.
    pub created_at: String,
    /// When it stops working.
    pub expires_at: String,
    /// When it was used (a link works once).
    pub used_at: Option<String>,
    /// When a newer link, disabling or removing the account made it void.
    pub revoked_at: Option<String>,
}

impl PasswordReset {
    /// `pending`, `used`, `revoked` or `expired`.
    pub fn state(&self) -> &'static str {
        if self.used_at.is_some() {
            "used"
        } else if self.revoked_at.is_some() {
            "revoked"
        } else if self.expires_at.as_str() <= now_rfc3339().as_str() {
            "expired"
        } else {
            "pending"
        }
    }
}

const RESET_COLUMNS: &str = "id, user_id, issued_by, created_at, expires_at, used_at, revoked_at";

fn reset_from_row(row: &AnyRow) -> StoreResult<PasswordReset> {
    Ok(PasswordReset {
        id: row.try_get("id")?,
        user_id: row.try_get("user_id")?,
        issued_by: row.try_get("issued_by")?,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
        used_at: opt_str(row, "used_at")?,
        revoked_at: opt_str(row, "revoked_at")?,
    })
}

/// How often a session's `last_seen_at` is written (seconds): a session used all day
/// costs one small write a minute, not one per request.
const SEEN_EVERY_SECS: i64 = 60;

/// The time `secs` seconds from now (negative: ago), RFC 3339 UTC to the second, as
/// every table stores it.
fn rfc3339_in(secs: i64) -> StoreResult<String> {
    let t = time::OffsetDateTime::now_utc() + time::Duration::seconds(secs);
    t.replace_nanosecond(0)
        .unwrap_or(t)
        .format(&time::format_description::well_known::Rfc3339)
        .map_err(|e| StoreError::Invalid(e.to_string()))
}

/// SHA-256 of a token, hex; how session and API tokens are stored and looked up.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

const USER_COLUMNS: &str =
    "id, email, name, password_hash, org_key, role, sector, locale, created_at, disabled_at, removed_at";

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
        disabled_at: opt_str(row, "disabled_at")?,
        removed_at: opt_str(row, "removed_at")?,
    })
}

impl User {
    /// Whether the account may sign in and act: neither disabled nor removed.
    pub fn is_active(&self) -> bool {
        self.disabled_at.is_none() && self.removed_at.is_none()
    }
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

    /// Users of an organisation (removed accounts are not listed; disabled ones are).
    pub async fn users_of(&self, org: &RegionKey) -> StoreResult<Vec<User>> {
        let rows = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM app_user WHERE org_key = $1 AND removed_at IS NULL ORDER BY name"
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

    /// The live session for a cookie token, or `None` if unknown, expired, or its
    /// user's account is disabled or removed (checked on every request, so disabling
    /// an account stops its open sessions at once). Notes when the session was last
    /// used, at most once a minute.
    pub async fn session(&self, token: &str) -> StoreResult<Option<Session>> {
        let hash = token_hash(token);
        let now = now_rfc3339();
        let row = sqlx::query(
            "SELECT s.user_id, s.csrf_token, s.expires_at, s.last_seen_at FROM user_session s
             JOIN app_user u ON u.id = s.user_id
             WHERE s.token_hash = $1 AND s.expires_at > $2
               AND u.disabled_at IS NULL AND u.removed_at IS NULL",
        )
        .bind(hash.clone())
        .bind(now.clone())
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let user_id: i64 = row.try_get("user_id")?;
        let Some(user) = self.user_by_id(user_id).await?.filter(User::is_active) else {
            return Ok(None);
        };
        let stale = rfc3339_in(-SEEN_EVERY_SECS)?;
        if opt_str(&row, "last_seen_at")?.is_none_or(|seen| seen < stale) {
            sqlx::query("UPDATE user_session SET last_seen_at = $1 WHERE token_hash = $2")
                .bind(now)
                .bind(hash)
                .execute(self.pool())
                .await?;
        }
        Ok(Some(Session {
            user,
            csrf_token: row.try_get("csrf_token")?,
            expires_at: row.try_get("expires_at")?,
        }))
    }

    /// A user's live sessions, newest first.
    pub async fn sessions_of(&self, user_id: i64) -> StoreResult<Vec<SessionInfo>> {
        let rows = sqlx::query(
            "SELECT token_hash, created_at, expires_at, last_seen_at FROM user_session
             WHERE user_id = $1 AND expires_at > $2 ORDER BY created_at DESC, token_hash",
        )
        .bind(user_id)
        .bind(now_rfc3339())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(SessionInfo {
                    token_hash: r.try_get("token_hash")?,
                    created_at: r.try_get("created_at")?,
                    expires_at: r.try_get("expires_at")?,
                    last_seen_at: opt_str(r, "last_seen_at")?,
                })
            })
            .collect()
    }

    /// A password-reset link by its token (in any state), with its user.
    pub async fn password_reset(&self, token: &str) -> StoreResult<Option<PasswordReset>> {
        let row = sqlx::query(&format!(
            "SELECT {RESET_COLUMNS} FROM password_reset WHERE token_hash = $1"
        ))
        .bind(token_hash(token))
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(reset_from_row).transpose()
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

    /// The user a bearer token belongs to; `None` for an unknown token and for the
    /// token of a disabled or removed account.
    pub async fn user_by_api_token(&self, token: &str) -> StoreResult<Option<User>> {
        let row = sqlx::query(
            "SELECT t.user_id FROM api_token t JOIN app_user u ON u.id = t.user_id
             WHERE t.token_hash = $1 AND u.disabled_at IS NULL AND u.removed_at IS NULL",
        )
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
        Ok(self.user_by_id(user_id).await?.filter(User::is_active))
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

    /// A subject's sign-in attempts: failures within the last `window_secs`, the last
    /// failure and the last success (of the kept history).
    pub async fn login_attempts(
        &self,
        subject: &str,
        window_secs: i64,
    ) -> StoreResult<hyte_domain::signin::Attempts> {
        let failures = self.recent_failed_logins(subject, window_secs).await?;
        let row = sqlx::query(
            "SELECT MAX(CASE WHEN success = 0 THEN at_epoch END) AS last_failure,
                    MAX(CASE WHEN success = 1 THEN at_epoch END) AS last_success
             FROM login_attempt WHERE subject = $1",
        )
        .bind(subject.to_string())
        .fetch_one(self.pool())
        .await?;
        Ok(hyte_domain::signin::Attempts {
            failures,
            last_failure: row.try_get("last_failure")?,
            last_success: row.try_get("last_success")?,
        })
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

    /// Disables an account (`true`) or enables it again (`false`). Disabling ends its
    /// sessions and voids its unused password-reset links; its API tokens are kept but
    /// refused while it is disabled. `false` when the account does not exist, is
    /// removed, or already is in that state.
    pub async fn set_disabled(&mut self, user_id: i64, disabled: bool) -> StoreResult<bool> {
        let now = now_rfc3339();
        let changed = if disabled {
            sqlx::query(
                "UPDATE app_user SET disabled_at = $1 WHERE id = $2 AND disabled_at IS NULL AND removed_at IS NULL",
            )
            .bind(now.clone())
            .bind(user_id)
            .execute(self.conn())
            .await?
        } else {
            sqlx::query(
                "UPDATE app_user SET disabled_at = NULL WHERE id = $1 AND disabled_at IS NOT NULL AND removed_at IS NULL",
            )
            .bind(user_id)
            .execute(self.conn())
            .await?
        };
        if changed.rows_affected() == 0 {
            return Ok(false);
        }
        if disabled {
            self.end_sessions(user_id, None).await?;
            self.void_password_resets(user_id).await?;
        }
        Ok(true)
    }

    /// Removes an account for good while keeping its name and e-mail, so that what it
    /// wrote stays attributed: it can never sign in (no usable password), is no longer
    /// a member or a section's assignee, and its sessions, API tokens and unused reset
    /// links are gone. `false` when it does not exist or is already removed.
    pub async fn remove_user(&mut self, user_id: i64) -> StoreResult<bool> {
        let r = sqlx::query(
            "UPDATE app_user SET removed_at = $1, password_hash = '!' WHERE id = $2 AND removed_at IS NULL",
        )
        .bind(now_rfc3339())
        .bind(user_id)
        .execute(self.conn())
        .await?;
        if r.rows_affected() == 0 {
            return Ok(false);
        }
        self.end_sessions(user_id, None).await?;
        self.void_password_resets(user_id).await?;
        for sql in [
            "DELETE FROM api_token WHERE user_id = $1",
            "DELETE FROM section_assignee WHERE user_id = $1",
        ] {
            sqlx::query(sql).bind(user_id).execute(self.conn()).await?;
        }
        Ok(true)
    }

    /// Ends a user's sessions, all of them or all but the one with the token hash
    /// `keep`; how many ended.
    pub async fn end_sessions(&mut self, user_id: i64, keep: Option<&str>) -> StoreResult<u64> {
        let r = match keep {
            Some(k) => {
                sqlx::query("DELETE FROM user_session WHERE user_id = $1 AND token_hash <> $2")
                    .bind(user_id)
                    .bind(k.to_string())
                    .execute(self.conn())
                    .await?
            }
            None => {
                sqlx::query("DELETE FROM user_session WHERE user_id = $1")
                    .bind(user_id)
                    .execute(self.conn())
                    .await?
            }
        };
        Ok(r.rows_affected())
    }

    /// Ends one session of a user by its token hash; `false` if the user has no such
    /// session.
    pub async fn end_session(&mut self, user_id: i64, hash: &str) -> StoreResult<bool> {
        let r = sqlx::query("DELETE FROM user_session WHERE user_id = $1 AND token_hash = $2")
            .bind(user_id)
            .bind(hash.to_string())
            .execute(self.conn())
            .await?;
        Ok(r.rows_affected() > 0)
    }

    /// Stores a new password-reset link (its token's hash) for a user, valid for
    /// `ttl_secs`; the user's earlier unused links become void (only the newest works).
    pub async fn create_password_reset(
        &mut self,
        user_id: i64,
        token: &str,
        issued_by: &str,
        ttl_secs: i64,
    ) -> StoreResult<PasswordReset> {
        self.void_password_resets(user_id).await?;
        let row = sqlx::query(&format!(
            "INSERT INTO password_reset (user_id, token_hash, issued_by, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING {RESET_COLUMNS}"
        ))
        .bind(user_id)
        .bind(token_hash(token))
        .bind(issued_by.to_string())
        .bind(now_rfc3339())
        .bind(rfc3339_in(ttl_secs)?)
        .fetch_one(self.conn())
        .await?;
        reset_from_row(&row)
    }

    /// Uses a password-reset link: of two uses of the same link only one claims it
    /// (the conditional update), and only while it is unused, not void and not expired.
    /// The account's id, or `None` when the link cannot be used.
    pub async fn claim_password_reset(&mut self, token: &str) -> StoreResult<Option<i64>> {
        let now = now_rfc3339();
        let row = sqlx::query(
            "UPDATE password_reset SET used_at = $1
             WHERE token_hash = $2 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $1
             RETURNING user_id",
        )
        .bind(now)
        .bind(token_hash(token))
        .fetch_optional(self.conn())
        .await?;
        row.map(|r| r.try_get("user_id").map_err(StoreError::from))
            .transpose()
    }

    /// Makes a user's unused password-reset links void.
    async fn void_password_resets(&mut self, user_id: i64) -> StoreResult<()> {
        sqlx::query(
            "UPDATE password_reset SET revoked_at = $1 WHERE user_id = $2 AND used_at IS NULL AND revoked_at IS NULL",
        )
        .bind(now_rfc3339())
        .bind(user_id)
        .execute(self.conn())
        .await?;
        Ok(())
    }
}
