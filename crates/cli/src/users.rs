//! The account lifecycle at the command line (`hyte user disable|enable|remove|
//! reset-link`) and the public address links are made from (`HYTE_PUBLIC_URL`).
//!
//! The operator acts as the system: the rules of what a change does are the
//! application layer's (`hyte_app::lifecycle`), and every change is audited there.

use crate::commands::cli_error;
use crate::open_migrated;
use anyhow::{bail, Context};
use hyte_app::accounts::Initiator;
use hyte_app::lifecycle::PublicUrl;
use hyte_app::model::users::User;
use hyte_app::App;
use hyte_web::Config;

/// `HYTE_PUBLIC_URL`, checked (`None` when unset or empty).
pub fn public_url_from_env() -> anyhow::Result<Option<String>> {
    match std::env::var("HYTE_PUBLIC_URL") {
        Ok(v) if !v.trim().is_empty() => {
            Ok(Some(PublicUrl::parse(&v).map_err(anyhow::Error::msg)?))
        }
        _ => Ok(None),
    }
}

/// Logs where links point when a web node starts, and warns when production has no
/// public address (invitations and reset links are then refused).
pub fn announce_public_url(config: &Config) {
    match (&config.public_url, config.require_public_url) {
        (Some(u), _) => tracing::info!("links point at {u} (HYTE_PUBLIC_URL)"),
        (None, true) => tracing::warn!(
            "HYTE_PUBLIC_URL is not set: invitation and password-reset links are refused until it is (docs/OPERATIONS.md)"
        ),
        (None, false) => tracing::info!(
            "HYTE_PUBLIC_URL is not set: links are made from the address the browser used (demo only)"
        ),
    }
}

/// What `hyte user …` does to an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifecycle {
    /// `hyte user disable`.
    Disable,
    /// `hyte user enable`.
    Enable,
    /// `hyte user remove --yes`.
    Remove,
}

fn describe(u: &User) -> String {
    match &u.org {
        Some(o) => format!("{} ({} of {o})", u.email, u.role),
        None => format!("{} ({})", u.email, u.role),
    }
}

/// The account with this e-mail; a removed account is named as such.
async fn account(app: &App, email: &str) -> anyhow::Result<User> {
    let user = app
        .user_by_email(email)
        .await
        .map_err(cli_error)?
        .with_context(|| format!("there is no user with e-mail {}", email.trim()))?;
    if let Some(when) = &user.removed_at {
        bail!("{} was removed on {when}; nothing changed", user.email);
    }
    Ok(user)
}

/// `hyte user disable|enable|remove`.
pub async fn change(db: &str, email: &str, what: Lifecycle, confirmed: bool) -> anyhow::Result<()> {
    if what == Lifecycle::Remove && !confirmed {
        bail!(
            "removing an account is final: it can never sign in again, and its name and e-mail stay only to attribute what it wrote (to stop it for a while, use 'hyte user disable'); repeat with --yes to remove it"
        );
    }
    let store = open_migrated(db).await?;
    let app = App::new(store.clone());
    let r = async {
        let user = account(&app, email).await?;
        let by = Initiator::System(None);
        let line = match what {
            Lifecycle::Disable => match app.disable_user(by, None, user.id).await.map_err(cli_error)? {
                (u, true) => format!(
                    "Disabled {}: its sessions ended, its API tokens are refused and it cannot sign in until 'hyte user enable'.",
                    describe(&u)
                ),
                (u, false) => format!("{} was already disabled; nothing changed.", describe(&u)),
            },
            Lifecycle::Enable => match app.enable_user(by, None, user.id).await.map_err(cli_error)? {
                (u, true) => format!(
                    "Enabled {}: it signs in with its password and its API tokens work again.",
                    describe(&u)
                ),
                (u, false) => format!("{} was not disabled; nothing changed.", describe(&u)),
            },
            Lifecycle::Remove => {
                let u = app.remove_user(by, None, user.id).await.map_err(cli_error)?;
                format!(
                    "Removed {}: it can never sign in again; what it wrote stays attributed to {}.",
                    describe(&u),
                    u.name
                )
            }
        };
        println!("{line}");
        Ok(())
    }
    .await;
    store.close().await;
    r
}

/// `hyte user reset-link`: prints a single-use link (valid 24 hours) with which the
/// account's owner chooses a new password. Needs the public address (`--public-url`
/// or `HYTE_PUBLIC_URL`), the base of the link.
pub async fn reset_link(db: &str, email: &str, public_url: Option<&str>) -> anyhow::Result<()> {
    let url = public_url
        .map(|u| PublicUrl::parse(u).map_err(anyhow::Error::msg))
        .transpose()?;
    let store = open_migrated(db).await?;
    let app = App::new(store.clone()).with_public_url(PublicUrl::new(url, true));
    let r = async {
        let user = account(&app, email).await?;
        let issued = app
            .issue_password_reset(Initiator::System(None), None, user.id)
            .await
            .map_err(cli_error)?;
        let link = issued
            .link
            .context("no public address for the link (set HYTE_PUBLIC_URL)")?;
        println!(
            "Password-reset link for {} (works once, until {}; give it to the user only, e.g. by phone or in person — it is shown only now):",
            describe(&issued.user),
            issued.expires_at
        );
        println!("{link}");
        Ok(())
    }
    .await;
    store.close().await;
    r
}
