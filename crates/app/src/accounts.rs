//! Accounts: creating users, signing in and out, changing one's password, personal
//! API tokens and the preferred UI language.
//!
//! The password rule and hashing are `process::credentials`' (one place for every
//! adapter: the account pages, the invitation page and `hyte user add`); this module
//! re-exports them and adds the check of a password against its stored hash.

use crate::{Actor, App, AppError, AppResult, Refusal};
use argon2::password_hash::{PasswordHash, PasswordVerifier};
use argon2::Argon2;
use hyte_domain::signin::Throttle;
use hyte_domain::{RegionKey, Role};
use hyte_store::users::{NewUser, User};
use hyte_store::Audit;

pub use crate::process::credentials::{
    check_new_password, check_password, hash_password, new_token as random_token,
    MIN_PASSWORD_CHARS,
};

/// Longest name of an API token.
pub const MAX_TOKEN_NAME_CHARS: usize = 100;
/// How every personal API token starts (so that a leaked one is recognisable).
pub const TOKEN_PREFIX: &str = "hyte_";
/// The UI languages a user may prefer.
pub const LANGUAGES: &[&str] = &["fi", "sv", "en"];

/// Checks a password against a stored argon2 hash (`false` for a malformed hash).
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A valid argon2 hash of a random password: checking a password against it takes
/// as long as a real check, so that timing does not tell which e-mail addresses have
/// accounts.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password(&random_token()).unwrap_or_default())
}

/// Who makes a change that is not always a signed-in user's.
#[derive(Debug, Clone, Copy)]
pub enum Initiator<'a> {
    /// A signed-in user: the use case checks what they may do.
    User(&'a Actor),
    /// The operator at the command line, trusted because they hold the database;
    /// the change is recorded under the named account if there is one (else with no
    /// user, like every system change).
    System(Option<&'a User>),
}

impl Initiator<'_> {
    /// The e-mail the audit log and the import history record.
    pub fn email(&self) -> Option<&str> {
        match self {
            Initiator::User(a) => Some(a.email()),
            Initiator::System(u) => u.map(|u| u.email.as_str()),
        }
    }

    /// The signed-in user's account, if a user acts.
    pub fn actor(&self) -> Option<&Actor> {
        match self {
            Initiator::User(a) => Some(a),
            Initiator::System(_) => None,
        }
    }

    /// The audit entry of a change in `org` (none: it concerns every organisation).
    pub fn audit(&self, org: Option<&RegionKey>, action: &str, detail: impl Into<String>) -> Audit {
        Audit {
            user_email: self.email().map(str::to_string),
            org: org.cloned(),
            action: action.to_string(),
            detail: detail.into(),
        }
    }
}

/// The audit entry of a change a user makes to their own account (recorded in their
/// organisation's log, or in no organisation's for an administrator).
fn own_audit(user: &User, action: &str, detail: impl Into<String>) -> Audit {
    Audit {
        user_email: Some(user.email.clone()),
        org: user.org.clone(),
        action: action.to_string(),
        detail: detail.into(),
    }
}

/// A new account.
#[derive(Debug, Clone)]
pub struct NewAccount {
    /// Login e-mail (stored lower-case).
    pub email: String,
    /// Display name.
    pub name: String,
    /// The organisation (required for every role but admin; admins have none).
    pub org: Option<RegionKey>,
    /// Role.
    pub role: Role,
    /// Sector of an editor.
    pub sector: Option<String>,
    /// The password in plain text (hashed here).
    pub password: String,
}

/// A personal API token as listed (the secret itself is shown only once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    /// Id.
    pub id: i64,
    /// Name given by the user.
    pub name: String,
    /// When it was made.
    pub created_at: String,
    /// When it was last used.
    pub last_used: Option<String>,
}

/// The sign-in rate limits and the length of a session.
#[derive(Debug, Clone, Copy)]
pub struct SignInRules {
    /// Failed sign-ins allowed per e-mail within the window (per address: 4 × this).
    pub max_failures: i64,
    /// The window, in seconds.
    pub window_secs: i64,
    /// How long a session lasts, in seconds.
    pub session_ttl_secs: i64,
}

/// How a sign-in ended.
#[derive(Debug, Clone)]
pub enum SignIn {
    /// Too many recent failures (see [`hyte_domain::signin`]): not even checked.
    RateLimited {
        /// Seconds until the next attempt may be made.
        retry_after_secs: i64,
    },
    /// Wrong e-mail or password (which one is not told).
    Refused,
    /// Signed in, with a new session.
    Welcome {
        /// The user.
        user: Box<User>,
        /// The new session's secret (the cookie value).
        session: String,
    },
}

/// A new browser session.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// The session's secret (the cookie value).
    pub token: String,
    /// The session's CSRF token.
    pub csrf: String,
}

fn invalid(field: &'static str, key: &'static str, english: impl Into<String>) -> AppError {
    AppError::invalid(field, Refusal::new(key, english))
}

/// Checks a new account's fields (the organisation's existence is the store's check).
fn check_account(a: &NewAccount) -> AppResult<()> {
    let email = a.email.trim();
    if email.len() < 3 || !email.contains('@') || email.contains(char::is_whitespace) {
        return Err(AppError::invalid(
            "email",
            Refusal::new(
                "acc-err-email",
                format!("'{email}' is not an e-mail address"),
            )
            .arg("email", email),
        ));
    }
    if a.name.trim().is_empty() || a.name.chars().count() > 200 {
        return Err(invalid(
            "name",
            "acc-err-name",
            "give the user's name (at most 200 characters)",
        ));
    }
    match (&a.org, a.role) {
        (None, r) if r != Role::Admin => Err(AppError::invalid(
            "org",
            Refusal::new(
                "acc-err-org-required",
                format!("a user with the role {r} must belong to an organisation (e.g. KUNTA:016)"),
            )
            .arg("role", r),
        )),
        (Some(_), Role::Admin) => Err(invalid(
            "org",
            "acc-err-admin-org",
            "an admin works for every organisation and belongs to none",
        )),
        _ => Ok(()),
    }?;
    check_password(&a.password, &[email, &a.name])
}

impl App {
    /// A user by e-mail, for the command line's `--user` options (the operator may
    /// name any account).
    pub async fn user_by_email(&self, email: &str) -> AppResult<Option<User>> {
        Ok(self.store.user_by_email(email).await?)
    }

    /// Creates an account: administrators in the web, the system at the command
    /// line (`hyte user add`, `hyte demo`). `how` says where, for the audit log
    /// (`user_created`, e.g. "liisa@x.fi (coordinator of KUNTA:016) by hyte user add").
    pub async fn create_user(
        &self,
        by: Initiator<'_>,
        a: &NewAccount,
        how: &str,
    ) -> AppResult<User> {
        if let Initiator::User(actor) = by {
            if !actor.is_admin() {
                return Err(AppError::forbidden(
                    "acc-err-create-forbidden",
                    "only administrators create accounts",
                ));
            }
        }
        check_account(a)?;
        let hash = hash_password(&a.password)?;
        let mut tx = self.store.begin().await?;
        let user = tx
            .create_user(&NewUser {
                email: a.email.trim().to_string(),
                name: a.name.trim().to_string(),
                org: a.org.clone(),
                role: a.role,
                sector: a
                    .sector
                    .as_deref()
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string),
                password_hash: hash,
            })
            .await?;
        let detail = match &user.org {
            Some(o) => format!("{} ({} of {o}) by {how}", user.email, user.role),
            None => format!("{} ({}) by {how}", user.email, user.role),
        };
        tx.audit(&by.audit(user.org.as_ref(), "user_created", detail))
            .await?;
        tx.commit().await?;
        Ok(user)
    }

    /// Signs a user in: refused without checking while the throttle of
    /// [`hyte_domain::signin`] asks this e-mail and client address to wait; every
    /// attempt is counted (in the database, so that all web nodes share the counts)
    /// and audited; a success gets a new session and ends `old_session` (no session
    /// fixation). `address` is the client's address as the web layer established it
    /// (through trusted proxies only).
    pub async fn sign_in(
        &self,
        email: &str,
        password: &str,
        address: &str,
        rules: &SignInRules,
        old_session: Option<&str>,
    ) -> AppResult<SignIn> {
        let email = email.trim().to_lowercase();
        let ip_subject = format!("ip:{address}");
        let mail_subject = format!("email:{email}");
        let pair_subject = format!("pair:{email} {address}");
        let store = &self.store;
        let throttle = Throttle {
            max_failures: rules.max_failures,
            window_secs: rules.window_secs,
        };
        let window = rules.window_secs;
        let wait = throttle.wait_secs(
            store.login_attempts(&pair_subject, window).await?,
            store.login_attempts(&ip_subject, window).await?,
            store.login_attempts(&mail_subject, window).await?,
            hyte_store::now_epoch(),
        );
        if wait > 0 {
            return Ok(SignIn::RateLimited {
                retry_after_secs: wait,
            });
        }
        // A disabled or removed account is answered like an unknown e-mail (the
        // account lifecycle, `crate::lifecycle`), after the same slow check.
        let user = store.user_by_email(&email).await?.filter(User::is_active);
        let ok = match &user {
            Some(u) => verify_password(password, &u.password_hash),
            None => {
                let _ = verify_password(password, dummy_hash());
                false
            }
        };
        for subject in [&mail_subject, &ip_subject, &pair_subject] {
            store.record_login_attempt(subject, ok).await?;
        }
        let Some(user) = user.filter(|_| ok) else {
            let mut tx = store.begin().await?;
            tx.audit(&Audit {
                user_email: Some(email),
                org: None,
                action: "login_failed".into(),
                detail: "wrong e-mail or password".into(),
            })
            .await?;
            tx.commit().await?;
            return Ok(SignIn::Refused);
        };
        if let Some(old) = old_session {
            store.delete_session(old).await?;
        }
        let session = self.start_session(user.id, rules.session_ttl_secs).await?;
        let mut tx = store.begin().await?;
        tx.audit(&own_audit(&user, "login", "signed in")).await?;
        tx.commit().await?;
        Ok(SignIn::Welcome {
            user: Box::new(user),
            session: session.token,
        })
    }

    /// Starts a browser session for a user.
    pub async fn start_session(&self, user_id: i64, ttl_secs: i64) -> AppResult<NewSession> {
        let s = NewSession {
            token: random_token(),
            csrf: random_token(),
        };
        self.store
            .create_session(user_id, &s.token, &s.csrf, ttl_secs)
            .await?;
        Ok(s)
    }

    /// Signs out: ends the session and audits it for a signed-in user.
    pub async fn sign_out(&self, user: Option<&User>, session: Option<&str>) -> AppResult<()> {
        if let Some(t) = session {
            self.store.delete_session(t).await?;
        }
        if let Some(u) = user {
            let mut tx = self.store.begin().await?;
            tx.audit(&own_audit(u, "logout", "signed out")).await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// Changes the actor's own password: the current one must be right and the new
    /// one follow the rule (typed twice, [`check_new_password`]). Every
    /// session of the user ends with the old password (a stolen session dies with
    /// it); the adapter starts a new one for the browser that changed it.
    pub async fn change_password(
        &self,
        actor: &Actor,
        current: &str,
        new: &str,
        repeat: &str,
    ) -> AppResult<()> {
        if !verify_password(current, &actor.user.password_hash) {
            return Err(invalid(
                "current",
                "password-wrong-current",
                "The current password is wrong.",
            ));
        }
        check_new_password(new, repeat, &[&actor.user.email, &actor.user.name])?;
        let hash = hash_password(new)?;
        let mut tx = self.store.begin().await?;
        tx.set_password_hash(actor.user.id, &hash).await?;
        tx.audit(&own_audit(
            &actor.user,
            "password_changed",
            "changed own password",
        ))
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The actor's own API tokens, oldest first.
    pub async fn tokens(&self, actor: &Actor) -> AppResult<Vec<TokenInfo>> {
        Ok(self
            .store
            .api_tokens_of(actor.user.id)
            .await?
            .into_iter()
            .map(|(id, name, created_at, last_used)| TokenInfo {
                id,
                name,
                created_at,
                last_used,
            })
            .collect())
    }

    /// Creates a personal API token for the actor (same permissions as the user);
    /// returns its id and the secret, which is shown once and stored only hashed.
    /// `note` is added to the audit detail (e.g. "by hyte token create").
    pub async fn create_token(
        &self,
        actor: &Actor,
        name: &str,
        note: Option<&str>,
    ) -> AppResult<(i64, String)> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > MAX_TOKEN_NAME_CHARS {
            return Err(invalid(
                "name",
                "tokens-name-required",
                "give the token a name (at most 100 characters)",
            ));
        }
        let token = format!("{TOKEN_PREFIX}{}", random_token());
        let mut tx = self.store.begin().await?;
        let id = tx.create_api_token(actor.user.id, &token, name).await?;
        let detail = match note {
            Some(n) => format!("{name} ({n})"),
            None => name.to_string(),
        };
        tx.audit(&own_audit(&actor.user, "token_created", detail))
            .await?;
        tx.commit().await?;
        Ok((id, token))
    }

    /// Revokes one of the actor's own tokens (404 for another user's).
    pub async fn revoke_token(&self, actor: &Actor, id: i64) -> AppResult<()> {
        let mut tx = self.store.begin().await?;
        if !tx.delete_api_token(actor.user.id, id).await? {
            return Err(AppError::NotFound(
                Refusal::new("tokens-err-no-token", "no such token").arg("id", id),
            ));
        }
        tx.audit(&own_audit(&actor.user, "token_revoked", id.to_string()))
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Stores the actor's preferred UI language (`fi`, `sv` or `en`).
    pub async fn set_language(&self, actor: &Actor, lang: &str) -> AppResult<()> {
        let lang = lang.trim();
        if !LANGUAGES.contains(&lang) {
            return Err(AppError::invalid(
                "lang",
                Refusal::new(
                    "acc-err-language",
                    format!("'{lang}' is not a language of Hyte: use fi, sv or en"),
                )
                .arg("lang", lang),
            ));
        }
        let mut tx = self.store.begin().await?;
        tx.set_locale(actor.user.id, lang).await?;
        tx.audit(&own_audit(&actor.user, "language_set", lang))
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
        assert!(!verify_password("x", dummy_hash()));
    }

    #[test]
    fn account_rules() {
        let ok = NewAccount {
            email: "liisa@example.fi".into(),
            name: "Liisa".into(),
            org: Some("KUNTA:016".parse().unwrap()),
            role: Role::Editor,
            sector: None,
            password: "long enough password".into(),
        };
        assert!(check_account(&ok).is_ok());
        let no_org = NewAccount {
            org: None,
            ..ok.clone()
        };
        let e = check_account(&no_org).unwrap_err();
        assert!(
            e.to_string().contains("must belong to an organisation"),
            "{e}"
        );
        let short = NewAccount {
            password: "short".into(),
            ..ok.clone()
        };
        let e = check_account(&short).unwrap_err();
        assert!(e.to_string().contains("at least 12 characters"), "{e}");
        let bad_mail = NewAccount {
            email: "not mail".into(),
            ..ok
        };
        assert!(check_account(&bad_mail).is_err());
    }
}
