//! An organisation's working group: its members' roles and sectors, invitations by
//! single-use link, and the organisation's home page data.
//!
//! Coordinators of the organisation and admins manage the group. Nobody changes
//! their own role (so an organisation cannot lose its last coordinator by accident),
//! and nobody is made a system admin here.

use super::credentials::{check_new_password, hash_password, new_token};
use crate::access::{org_access, Access};
use crate::{Actor, App, AppError, AppResult, Refusal};
use hyte_domain::{RegionKey, Role};
use hyte_store::orgs::Region;
use hyte_store::process::Invitation;
use hyte_store::users::User;
use hyte_store::Audit;

/// Longest sector name.
pub const MAX_SECTOR_CHARS: usize = 100;
/// Longest name of a person.
pub const MAX_NAME_CHARS: usize = 200;

/// An organisation whose working group the actor manages (its coordinators and the
/// admins); made only by [`App::managed_org`].
#[derive(Debug, Clone)]
pub struct ManagedOrg {
    /// The organisation.
    pub org: Region,
    /// Who acts.
    pub actor: Actor,
}

impl ManagedOrg {
    /// The audit entry of a change in this organisation.
    pub fn audit(&self, action: &str, detail: impl Into<String>) -> Audit {
        self.actor.audit(&self.org.key, action, detail)
    }
}

/// An invitation to create.
#[derive(Debug, Clone, Default)]
pub struct NewInvitation {
    /// The invitee's e-mail address.
    pub email: String,
    /// The role the invitee gets (not admin).
    pub role: String,
    /// The sector the invitee gets (empty: none).
    pub sector: Option<String>,
}

/// A change of a member's role and sector; `None` keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct MemberChange {
    /// New role (not admin).
    pub role: Option<String>,
    /// New sector (`Some(None)` or an empty one clears it).
    pub sector: Option<Option<String>>,
}

/// What the invitee types to join.
#[derive(Debug, Clone, Default)]
pub struct Joining {
    /// Their name.
    pub name: String,
    /// The password.
    pub password: String,
    /// The password again (adapters without a second field repeat the first).
    pub repeat: String,
}

/// An organisation's home page as one signed-in user sees it.
#[derive(Debug, Clone)]
pub struct OrgHome {
    /// The organisation.
    pub org: Region,
    /// The caller's access.
    pub access: Access,
    /// Its welfare region, if any.
    pub welfare_region: Option<Region>,
    /// A welfare region's member municipalities.
    pub members: Vec<Region>,
    /// Organisations it was merged from.
    pub predecessors: Vec<Region>,
    /// Its users (only for those who manage the group; empty otherwise).
    pub users: Vec<User>,
}

fn check_email(email: &str) -> AppResult<String> {
    let e = email.trim().to_lowercase();
    let ok = e.len() <= 254
        && !e.chars().any(char::is_whitespace)
        && e.split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.starts_with('.'));
    if !ok {
        return Err(AppError::invalid(
            "email",
            Refusal::new(
                "grp-err-email",
                format!("'{}' is not an e-mail address", email.trim()),
            )
            .arg("email", email.trim()),
        ));
    }
    Ok(e)
}

fn check_role(role: &str) -> AppResult<Role> {
    let r: Role = role.parse().map_err(|e: String| {
        AppError::invalid(
            "role",
            Refusal::new("grp-err-role", e).arg("role", role.trim()),
        )
    })?;
    if r == Role::Admin {
        return Err(AppError::invalid(
            "role",
            Refusal::new(
                "grp-err-admin",
                "an organisation's member cannot be made a system admin; use `hyte user add --role admin`",
            ),
        ));
    }
    Ok(r)
}

fn check_sector(s: Option<&str>) -> AppResult<Option<String>> {
    let s = s.map(str::trim).filter(|s| !s.is_empty());
    if s.is_some_and(|s| s.chars().count() > MAX_SECTOR_CHARS) {
        return Err(AppError::invalid(
            "sector",
            Refusal::new("grp-err-sector", "a sector name is at most 100 characters"),
        ));
    }
    Ok(s.map(str::to_string))
}

fn check_name(name: &str) -> AppResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(AppError::invalid(
            "name",
            Refusal::new("grp-err-name", "the name must be 1–200 characters"),
        ));
    }
    Ok(name.to_string())
}

/// Why a link cannot be used, by the invitation's state (`None`: it can). The
/// sentences are shown as they are (the invitee may not have chosen a language yet).
fn unusable(inv: &Invitation) -> Option<Refusal> {
    let why = match inv.state() {
        "accepted" => {
            "this invitation link has already been used; sign in, or ask your coordinator for a new one"
        }
        "revoked" => "this invitation was revoked; ask your coordinator for a new one",
        "expired" => "this invitation link has expired; ask your coordinator for a new one",
        _ => return None,
    };
    Some(Refusal::detail(why))
}

impl App {
    /// An organisation whose working group the actor manages: 404 for an unknown
    /// organisation, 403 unless a coordinator of it or an admin.
    pub async fn managed_org(&self, actor: &Actor, key: &RegionKey) -> AppResult<ManagedOrg> {
        let org = self.organisation(key).await?;
        if !org_access(&actor.user, &org).is_some_and(|a| a.can_decide()) {
            let name = org.name("fi").to_string();
            return Err(AppError::Forbidden(
                Refusal::new(
                    "grp-err-manage-forbidden",
                    format!(
                        "only coordinators of {name} and admins manage its working group and read its audit log"
                    ),
                )
                .arg("org", name),
            ));
        }
        Ok(ManagedOrg {
            org,
            actor: actor.clone(),
        })
    }

    /// An organisation whose non-public work the actor may read (its users, a
    /// welfare region's users for their municipalities, admins), with that access.
    pub async fn readable_org(
        &self,
        actor: &Actor,
        key: &RegionKey,
    ) -> AppResult<(Region, Access)> {
        let org = self.organisation(key).await?;
        match org_access(&actor.user, &org) {
            Some(a) => Ok((org, a)),
            None => {
                let name = org.name("fi").to_string();
                Err(AppError::Forbidden(
                    Refusal::new(
                        "grp-err-no-access",
                        format!("you do not have access to {name}'s work"),
                    )
                    .arg("org", name),
                ))
            }
        }
    }

    /// The organisation's home page data: its relations, and its users for those who
    /// manage the group.
    pub async fn org_home(&self, actor: &Actor, key: &RegionKey) -> AppResult<OrgHome> {
        let (org, access) = self.readable_org(actor, key).await?;
        let welfare_region = match &org.welfare_region {
            Some(k) => self.store.region(k).await?,
            None => None,
        };
        let users = if access.can_decide() {
            self.store.users_of(&org.key).await?
        } else {
            vec![]
        };
        Ok(OrgHome {
            welfare_region,
            members: self.store.members_of(&org.key).await?,
            predecessors: self.store.predecessors_of(&org.key).await?,
            users,
            access,
            org,
        })
    }

    /// The organisation's members.
    pub async fn members(&self, g: &ManagedOrg) -> AppResult<Vec<User>> {
        Ok(self.store.users_of(&g.org.key).await?)
    }

    /// The organisation's invitations, newest first, in every state.
    pub async fn invitations(&self, g: &ManagedOrg) -> AppResult<Vec<Invitation>> {
        Ok(self.store.invitations_of(&g.org.key).await?)
    }

    /// Creates an invitation and returns it with its single-use token (shown once;
    /// Hyte keeps only its hash). Refuses an address of a member of the same
    /// organisation or with a pending invitation to it, and, in production, any
    /// invitation while the public address of the links is not configured.
    ///
    /// An address that has an account elsewhere (another organisation's user, an
    /// administrator, a removed account) is answered exactly as a new address: the
    /// coordinator learns nothing about other organisations' users. The invitee,
    /// who already has an account, is told to sign in when they open the link.
    pub async fn invite(
        &self,
        g: &ManagedOrg,
        input: &NewInvitation,
    ) -> AppResult<(Invitation, String)> {
        let email = check_email(&input.email)?;
        let role = check_role(&input.role)?;
        let sector = check_sector(input.sector.as_deref())?;
        self.check_public_url()?;
        let member = self
            .store
            .user_by_email(&email)
            .await?
            .is_some_and(|u| u.org.as_ref() == Some(&g.org.key) && u.removed_at.is_none());
        if member {
            return Err(AppError::Conflict(
                Refusal::new(
                    "grp-err-has-account",
                    format!("{email} is already a member of this organisation"),
                )
                .arg("email", &email),
            ));
        }
        let pending = self
            .store
            .invitations_of(&g.org.key)
            .await?
            .into_iter()
            .any(|i| i.email == email && i.state() == "pending");
        if pending {
            return Err(AppError::Conflict(
                Refusal::new(
                    "grp-err-pending",
                    format!(
                        "{email} already has a pending invitation; revoke it first to send a new one"
                    ),
                )
                .arg("email", &email),
            ));
        }
        let token = new_token();
        let mut tx = self.store.begin().await?;
        let inv = tx
            .create_invitation(
                &g.org.key,
                &email,
                role,
                sector.as_deref(),
                &token,
                g.actor.email(),
            )
            .await?;
        tx.audit(&g.audit(
            "invitation_created",
            format!(
                "{email} invited as {role}{}",
                sector.map(|s| format!(", sector {s}")).unwrap_or_default()
            ),
        ))
        .await?;
        tx.commit().await?;
        Ok((inv, token))
    }

    /// Revokes a pending invitation of the organisation (404 for another's).
    pub async fn revoke_invitation(&self, g: &ManagedOrg, id: i64) -> AppResult<Invitation> {
        let mut tx = self.store.begin().await?;
        let inv = tx.revoke_invitation(&g.org.key, id).await?.ok_or_else(|| {
            AppError::NotFound(
                Refusal::new(
                    "grp-err-no-invitation",
                    format!("no invitation {id} in this organisation"),
                )
                .arg("id", id),
            )
        })?;
        tx.audit(&g.audit(
            "invitation_revoked",
            format!("invitation of {} ({})", inv.email, inv.state()),
        ))
        .await?;
        tx.commit().await?;
        Ok(inv)
    }

    /// The invitation of a link, if it can still be used: 404 for an unknown link;
    /// a conflict for a used, revoked or expired one (adapters answer 410 Gone).
    pub async fn usable_invitation(&self, token: &str) -> AppResult<Invitation> {
        let inv = self
            .store
            .invitation_by_token(token)
            .await?
            .ok_or_else(|| {
                AppError::NotFound(Refusal::detail(
                    "this invitation link is not valid; ask your coordinator for a new one",
                ))
            })?;
        match unusable(&inv) {
            Some(r) => Err(AppError::Conflict(r)),
            None => Ok(inv),
        }
    }

    /// Uses an invitation link: creates the invitee's account with the invitation's
    /// organisation, role and sector. No sign-in: the token is the credential.
    pub async fn accept_invitation(&self, token: &str, j: &Joining) -> AppResult<User> {
        let inv = self.usable_invitation(token).await?;
        let name = check_name(&j.name)?;
        check_new_password(&j.password, &j.repeat, &[&inv.email, &name])?;
        if self.store.user_by_email(&inv.email).await?.is_some() {
            return Err(AppError::Conflict(
                Refusal::new(
                    "grp-err-account-exists",
                    format!("{} already has an account; sign in instead", inv.email),
                )
                .arg("email", &inv.email),
            ));
        }
        let hash = hash_password(&j.password)?;
        let mut tx = self.store.begin().await?;
        let id = tx.accept_invitation(&inv, &name, &hash).await?;
        tx.audit(&Audit {
            user_email: Some(inv.email.clone()),
            org: Some(inv.org.clone()),
            action: "invitation_accepted".into(),
            detail: format!("{} joined as {}", inv.email, inv.role),
        })
        .await?;
        tx.commit().await?;
        self.store
            .user_by_id(id)
            .await?
            .ok_or_else(|| AppError::Internal(format!("user {id} vanished")))
    }

    /// Changes a member's role and sector; every change is a permission change in
    /// the audit log. Nobody changes their own role.
    pub async fn change_member(
        &self,
        g: &ManagedOrg,
        user_id: i64,
        c: &MemberChange,
    ) -> AppResult<User> {
        let member = self
            .members(g)
            .await?
            .into_iter()
            .find(|u| u.id == user_id)
            .ok_or_else(|| {
                AppError::NotFound(
                    Refusal::new(
                        "grp-err-no-member",
                        format!("no member {user_id} in this organisation"),
                    )
                    .arg("id", user_id),
                )
            })?;
        let role = match &c.role {
            Some(r) => check_role(r)?,
            None => member.role,
        };
        let sector = match &c.sector {
            Some(s) => check_sector(s.as_deref())?,
            None => member.sector.clone(),
        };
        if member.id == g.actor.user.id && role != member.role {
            return Err(AppError::refused(
                "grp-err-own-role",
                "you cannot change your own role; ask another coordinator or an admin",
            ));
        }
        let mut tx = self.store.begin().await?;
        tx.set_member(&g.org.key, member.id, role, sector.as_deref())
            .await?;
        tx.audit(&g.audit(
            "permission_changed",
            format!(
                "{}: role {} → {role}, sector {} → {}",
                member.email,
                member.role,
                member.sector.as_deref().unwrap_or("–"),
                sector.as_deref().unwrap_or("–")
            ),
        ))
        .await?;
        tx.commit().await?;
        self.store
            .user_by_id(member.id)
            .await?
            .ok_or_else(|| AppError::Internal(format!("member {} vanished", member.id)))
    }
}
