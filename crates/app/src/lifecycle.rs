//! The account lifecycle an IT department needs: disabling an account (its sessions
//! and API tokens stop working at once) and enabling it again, removing it while what
//! it wrote stays attributed, single-use password-reset links, and a user's own
//! sessions. Also where the links Hyte hands out point ([`PublicUrl`]).
//!
//! Who may: administrators for every account; a coordinator for the accounts of their
//! own organisation (so never an administrator's, nor another organisation's).
//! Nobody disables, removes or issues a reset link for their own account here. The
//! command line acts as the system (`Initiator::System`). Every change is written
//! with its audit entry in one transaction.

use crate::accounts::{check_new_password, hash_password, random_token, Initiator};
use crate::{Actor, App, AppError, AppResult, Refusal};
use hyte_domain::RegionKey;
use hyte_store::users::{token_hash, PasswordReset, User};
use hyte_store::Audit;

/// How long a password-reset link works.
pub const RESET_TTL_SECS: i64 = 24 * 3600;
/// How many hex digits of a session's token hash name it in the user's list (enough
/// to tell a user's sessions apart; the secret itself is never shown or stored).
pub const SESSION_HANDLE_CHARS: usize = 16;

/// The public address of the installation (`HYTE_PUBLIC_URL`, e.g.
/// `https://hyte.kunta.example`), the base of every link Hyte hands out: invitations
/// and password resets. Never taken from a request's `Host` header in production,
/// which a client chooses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PublicUrl {
    url: Option<String>,
    required: bool,
}

impl PublicUrl {
    /// A configured address (checked with [`PublicUrl::parse`]); `required` refuses
    /// links while there is none (production: `hyte serve` and the command line).
    pub fn new(url: Option<String>, required: bool) -> Self {
        PublicUrl { url, required }
    }

    /// Checks and normalises an address: `http://` or `https://`, a host, an
    /// optional port and path prefix; no query, fragment, user or spaces; no
    /// trailing slash.
    pub fn parse(text: &str) -> Result<String, String> {
        let t = text.trim().trim_end_matches('/');
        let why = |reason: &str| {
            format!(
                "HYTE_PUBLIC_URL '{t}' is not usable: {reason} (e.g. https://hyte.kunta.example)"
            )
        };
        let rest = t
            .strip_prefix("https://")
            .or_else(|| t.strip_prefix("http://"))
            .ok_or_else(|| why("it must start with https:// or http://"))?;
        let host = rest.split('/').next().unwrap_or_default();
        if host.is_empty() {
            return Err(why("it has no host name"));
        }
        if t.chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '?' | '#' | '@' | '\\'))
        {
            return Err(why("it may hold no spaces, query, fragment or user name"));
        }
        Ok(t.to_string())
    }

    /// The configured address, if any.
    pub fn url(&self) -> Option<&str> {
        self.url.as_deref()
    }

    /// Whether links are refused while no address is configured.
    pub fn required(&self) -> bool {
        self.required
    }
}

/// A password-reset link just issued: its token is shown once, never stored.
#[derive(Debug, Clone)]
pub struct IssuedReset {
    /// The account whose password the link sets.
    pub user: User,
    /// The single-use secret of the link (`/reset/{token}`).
    pub token: String,
    /// The link, when the public address is configured (`None` only in
    /// development, where the adapter makes it from the request).
    pub link: Option<String>,
    /// When it stops working.
    pub expires_at: String,
}

/// What the reset page shows about the link's account.
#[derive(Debug, Clone)]
pub struct ResetTarget {
    /// The account's e-mail.
    pub email: String,
    /// Its name.
    pub name: String,
    /// When the link stops working.
    pub expires_at: String,
}

/// One of the user's own sessions as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnSession {
    /// Names the session in the list and in the revoke form (a prefix of its
    /// token's hash).
    pub handle: String,
    /// When it started (the sign-in).
    pub created_at: String,
    /// When it was last used (to the minute), if since it started.
    pub last_seen_at: Option<String>,
    /// When it ends by itself.
    pub expires_at: String,
    /// Whether it is the session asking.
    pub current: bool,
}

fn no_account(id: i64) -> AppError {
    AppError::NotFound(
        Refusal::new("life-err-no-user", format!("there is no account {id} here")).arg("id", id),
    )
}

fn handle_of(hash: &str) -> String {
    hash.chars().take(SESSION_HANDLE_CHARS).collect()
}

/// The audit entry of a change to `user`'s account, in their organisation's log
/// (an administrator's account: in no organisation's).
fn account_audit(by: &Initiator<'_>, user: &User, action: &str, detail: String) -> Audit {
    let detail = match by {
        Initiator::User(_) => detail,
        Initiator::System(_) => format!("{detail} (command line)"),
    };
    by.audit(user.org.as_ref(), action, detail)
}

impl App {
    /// This installation's public address and whether links need it.
    pub fn public_url(&self) -> &PublicUrl {
        &self.public_url
    }

    /// The application with its public address (set once when a web node or the
    /// command line starts).
    pub fn with_public_url(mut self, p: PublicUrl) -> Self {
        self.public_url = p;
        self
    }

    /// Refuses to hand out a link while the public address is required and missing
    /// (production without `HYTE_PUBLIC_URL`): a link made from a request's `Host`
    /// header could point anywhere.
    pub fn check_public_url(&self) -> AppResult<()> {
        if self.public_url.required && self.public_url.url.is_none() {
            return Err(AppError::refused(
                "link-err-no-public-url",
                "Hyte's public address is not configured (HYTE_PUBLIC_URL), so no invitation or password-reset link can be made; ask your IT department to set it",
            ));
        }
        Ok(())
    }

    /// The absolute link to a path of this installation (`/invite/…`, `/reset/…`),
    /// when the public address is configured.
    pub fn public_link(&self, path: &str) -> Option<String> {
        self.public_url.url.as_deref().map(|u| format!("{u}{path}"))
    }

    /// The account `by` changes: it exists, is not removed, belongs to `org` when
    /// the adapter names one (the page's organisation), and `by` may manage it —
    /// an administrator any account, a coordinator those of their own organisation,
    /// nobody their own.
    async fn managed_account(
        &self,
        by: &Initiator<'_>,
        org: Option<&RegionKey>,
        id: i64,
    ) -> AppResult<User> {
        if let (Initiator::User(actor), Some(org)) = (by, org) {
            // The organisation first: its outsiders learn nothing about its accounts.
            self.managed_org(actor, org).await?;
        }
        let user = self
            .store
            .user_by_id(id)
            .await?
            .filter(|u| u.removed_at.is_none())
            .filter(|u| org.is_none_or(|o| u.org.as_ref() == Some(o)))
            .ok_or_else(|| no_account(id))?;
        if let Initiator::User(actor) = by {
            authorise(self, actor, &user).await?;
        }
        Ok(user)
    }

    /// Disables an account: it can no longer sign in, its open sessions end and its
    /// API tokens are refused at once (every request looks the account up), its
    /// unused reset links become void. Returns the account and whether it changed
    /// (disabling a disabled account changes nothing and is not audited).
    pub async fn disable_user(
        &self,
        by: Initiator<'_>,
        org: Option<&RegionKey>,
        id: i64,
    ) -> AppResult<(User, bool)> {
        self.set_disabled(by, org, id, true).await
    }

    /// Enables a disabled account again: it signs in with its password, and its API
    /// tokens work again.
    pub async fn enable_user(
        &self,
        by: Initiator<'_>,
        org: Option<&RegionKey>,
        id: i64,
    ) -> AppResult<(User, bool)> {
        self.set_disabled(by, org, id, false).await
    }

    async fn set_disabled(
        &self,
        by: Initiator<'_>,
        org: Option<&RegionKey>,
        id: i64,
        disabled: bool,
    ) -> AppResult<(User, bool)> {
        let user = self.managed_account(&by, org, id).await?;
        let mut tx = self.store.begin().await?;
        let changed = tx.set_disabled(user.id, disabled).await?;
        if changed {
            let action = if disabled {
                "user_disabled"
            } else {
                "user_enabled"
            };
            tx.audit(&account_audit(&by, &user, action, user.email.clone()))
                .await?;
        }
        tx.commit().await?;
        let user = self
            .store
            .user_by_id(user.id)
            .await?
            .ok_or_else(|| no_account(id))?;
        Ok((user, changed))
    }

    /// Removes an account for good. Its name and e-mail stay, so that its section
    /// revisions, comments, plan entries and audit entries stay attributed to it;
    /// it can never sign in again, is no longer listed among the members or assigned
    /// to sections, and its sessions, API tokens and reset links are gone. Its e-mail
    /// address stays reserved for that history.
    pub async fn remove_user(
        &self,
        by: Initiator<'_>,
        org: Option<&RegionKey>,
        id: i64,
    ) -> AppResult<User> {
        let user = self.managed_account(&by, org, id).await?;
        let mut tx = self.store.begin().await?;
        if !tx.remove_user(user.id).await? {
            return Err(no_account(id));
        }
        tx.audit(&account_audit(
            &by,
            &user,
            "user_removed",
            format!("{} ({})", user.email, user.name),
        ))
        .await?;
        tx.commit().await?;
        self.store
            .user_by_id(user.id)
            .await?
            .ok_or_else(|| no_account(id))
    }

    /// Issues a single-use link that lets the account's owner choose a new password,
    /// valid for [`RESET_TTL_SECS`]; an earlier unused link of the account becomes
    /// void. The issuer never sees or sets a password. Refused for a disabled account
    /// (enable it first) and, in production, without a public address.
    pub async fn issue_password_reset(
        &self,
        by: Initiator<'_>,
        org: Option<&RegionKey>,
        id: i64,
    ) -> AppResult<IssuedReset> {
        let user = self.managed_account(&by, org, id).await?;
        if user.disabled_at.is_some() {
            return Err(AppError::refused(
                "life-err-reset-disabled",
                "the account is disabled: enable it first, then issue the reset link",
            ));
        }
        self.check_public_url()?;
        let token = random_token();
        let issuer = by.email().unwrap_or("hyte user reset-link").to_string();
        let mut tx = self.store.begin().await?;
        let reset = tx
            .create_password_reset(user.id, &token, &issuer, RESET_TTL_SECS)
            .await?;
        tx.audit(&account_audit(
            &by,
            &user,
            "password_reset_issued",
            format!("link for {}, valid until {}", user.email, reset.expires_at),
        ))
        .await?;
        tx.commit().await?;
        Ok(IssuedReset {
            link: self.public_link(&format!("/reset/{token}")),
            expires_at: reset.expires_at,
            token,
            user,
        })
    }

    /// The link's reset and its account, if the link can still be used: 404 for an
    /// unknown link; a conflict (adapters answer 410 Gone) for a used, void or
    /// expired one.
    async fn usable_reset(&self, token: &str) -> AppResult<(PasswordReset, User)> {
        let unknown = || {
            AppError::NotFound(Refusal::new(
                "reset-err-unknown",
                "this password-reset link is not valid; ask your coordinator for a new one",
            ))
        };
        let reset = self
            .store
            .password_reset(token)
            .await?
            .ok_or_else(unknown)?;
        let why = match reset.state() {
            "used" => Some((
                "reset-err-used",
                "this password-reset link has already been used; sign in, or ask your coordinator for a new one",
            )),
            "revoked" => Some((
                "reset-err-revoked",
                "this password-reset link is no longer valid; ask your coordinator for a new one",
            )),
            "expired" => Some((
                "reset-err-expired",
                "this password-reset link has expired; ask your coordinator for a new one",
            )),
            _ => None,
        };
        if let Some((key, english)) = why {
            return Err(AppError::Conflict(Refusal::new(key, english)));
        }
        let user = self
            .store
            .user_by_id(reset.user_id)
            .await?
            .filter(User::is_active)
            .ok_or_else(unknown)?;
        Ok((reset, user))
    }

    /// What the reset page shows: whose password the link sets (no sign-in: the
    /// link is the credential).
    pub async fn password_reset_target(&self, token: &str) -> AppResult<ResetTarget> {
        let (reset, user) = self.usable_reset(token).await?;
        Ok(ResetTarget {
            email: user.email,
            name: user.name,
            expires_at: reset.expires_at,
        })
    }

    /// Uses a reset link: the new password follows the same rules as a password
    /// change (a refused one leaves the link usable); the link is used up, the
    /// password replaced and every session of the account ended, in one transaction.
    pub async fn use_password_reset(
        &self,
        token: &str,
        new: &str,
        repeat: &str,
    ) -> AppResult<User> {
        let (_, user) = self.usable_reset(token).await?;
        check_new_password(new, repeat, &[&user.email, &user.name])?;
        let hash = hash_password(new)?;
        let mut tx = self.store.begin().await?;
        if tx.claim_password_reset(token).await? != Some(user.id) {
            return Err(AppError::Conflict(Refusal::new(
                "reset-err-used",
                "this password-reset link has already been used; sign in, or ask your coordinator for a new one",
            )));
        }
        tx.set_password_hash(user.id, &hash).await?;
        tx.audit(&Audit {
            user_email: Some(user.email.clone()),
            org: user.org.clone(),
            action: "password_reset_used".into(),
            detail: "set a new password with a reset link; every session ended".into(),
        })
        .await?;
        tx.commit().await?;
        Ok(user)
    }

    /// The actor's live sessions, newest first; `current` is the asking session's
    /// secret (the cookie), marked in the list.
    pub async fn own_sessions(
        &self,
        actor: &Actor,
        current: Option<&str>,
    ) -> AppResult<Vec<OwnSession>> {
        let current = current.map(token_hash);
        Ok(self
            .store
            .sessions_of(actor.user.id)
            .await?
            .into_iter()
            .map(|s| OwnSession {
                current: current.as_deref() == Some(s.token_hash.as_str()),
                handle: handle_of(&s.token_hash),
                created_at: s.created_at,
                last_seen_at: s.last_seen_at,
                expires_at: s.expires_at,
            })
            .collect())
    }

    /// Ends one of the actor's own sessions, named by its handle (404 for anything
    /// else, another user's sessions included).
    pub async fn revoke_own_session(&self, actor: &Actor, handle: &str) -> AppResult<()> {
        let handle = handle.trim();
        let session = self
            .store
            .sessions_of(actor.user.id)
            .await?
            .into_iter()
            .find(|s| handle.len() == SESSION_HANDLE_CHARS && s.token_hash.starts_with(handle))
            .ok_or_else(|| {
                AppError::NotFound(Refusal::new(
                    "sessions-err-no-session",
                    "there is no such session (it may have ended already)",
                ))
            })?;
        let mut tx = self.store.begin().await?;
        tx.end_session(actor.user.id, &session.token_hash).await?;
        tx.audit(&own_audit(
            &actor.user,
            "session_revoked",
            format!("ended the session started {}", session.created_at),
        ))
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Ends every session of the actor but the asking one (`current`, the cookie's
    /// secret); how many ended.
    pub async fn revoke_other_sessions(&self, actor: &Actor, current: &str) -> AppResult<u64> {
        let mut tx = self.store.begin().await?;
        let n = tx
            .end_sessions(actor.user.id, Some(&token_hash(current)))
            .await?;
        tx.audit(&own_audit(
            &actor.user,
            "session_revoked",
            format!("ended {n} other session(s)"),
        ))
        .await?;
        tx.commit().await?;
        Ok(n)
    }
}

/// The audit entry of a change a user makes to their own account.
fn own_audit(user: &User, action: &str, detail: String) -> Audit {
    Audit {
        user_email: Some(user.email.clone()),
        org: user.org.clone(),
        action: action.to_string(),
        detail,
    }
}

/// Whether `actor` may change `user`'s account: administrators any; coordinators
/// those of their own organisation; nobody their own.
async fn authorise(app: &App, actor: &Actor, user: &User) -> AppResult<()> {
    if !actor.is_admin() {
        match &user.org {
            Some(org) => {
                app.managed_org(actor, org).await?;
            }
            None => {
                return Err(AppError::forbidden(
                    "life-err-admin-account",
                    "only administrators manage an administrator's account",
                ))
            }
        }
    }
    if actor.user.id == user.id {
        return Err(AppError::refused(
            "life-err-self",
            "nobody disables, removes or resets their own account here: ask another coordinator or an administrator (change your own password on the Change password page)",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_urls() {
        assert_eq!(
            PublicUrl::parse(" https://hyte.kunta.example/ ").unwrap(),
            "https://hyte.kunta.example"
        );
        assert_eq!(
            PublicUrl::parse("http://127.0.0.1:8080/hyte").unwrap(),
            "http://127.0.0.1:8080/hyte"
        );
        for bad in [
            "",
            "hyte.kunta.example",
            "ftp://x",
            "https://",
            "https:///path",
            "https://x.example/?a=1",
            "https://x.example/#a",
            "https://user@x.example",
            "https://x .example",
        ] {
            assert!(PublicUrl::parse(bad).is_err(), "{bad}");
        }
    }
}
