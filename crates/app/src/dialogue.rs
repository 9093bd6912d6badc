//! The yearly dialogue (neuvottelu) of a municipality and its welfare region: joint
//! goals with their follow-up, needs for support, participants and date.
//!
//! Who may ([`dialogue_access`], [`may_record`], [`can_create_here`]): members of
//! both parties read it; coordinators of either party and the admins record, change
//! and delete it; other organisations get 403. Every change is audited in both
//! parties' logs, in the same transaction as the change.

use crate::coefficient::readable_org;
use crate::{Actor, App, AppError, AppResult, Refusal};
use hyte_domain::{RegionCategory, RegionKey, Role};
use hyte_store::dialogue::{Dialogue, DialogueInput};
use hyte_store::orgs::Region;
use hyte_store::users::User;
use hyte_store::StoreError;

/// What a user may do with a dialogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialogueAccess {
    /// Read only (a party's member below coordinator).
    Read,
    /// Read and edit (a party's coordinator, or an admin).
    Edit,
}

fn is_party(user: &User, municipality: &str, welfare_region: &str) -> bool {
    user.org
        .as_ref()
        .is_some_and(|o| o.to_string() == municipality || o.to_string() == welfare_region)
}

/// The user's access to a dialogue; `None` when the user's organisation is not a party.
pub fn dialogue_access(user: &User, d: &Dialogue) -> Option<DialogueAccess> {
    if user.role == Role::Admin {
        return Some(DialogueAccess::Edit);
    }
    if !is_party(user, &d.municipality, &d.welfare_region) {
        return None;
    }
    Some(if user.role.at_least(Role::Coordinator) {
        DialogueAccess::Edit
    } else {
        DialogueAccess::Read
    })
}

/// Whether the user may record a dialogue between these two: a coordinator of
/// either, or an admin.
pub fn may_record(user: &User, municipality: &Region, welfare_region: &RegionKey) -> bool {
    user.role == Role::Admin
        || (user.role.at_least(Role::Coordinator)
            && is_party(
                user,
                &municipality.key.to_string(),
                &welfare_region.to_string(),
            ))
}

/// Whether the user may record a dialogue on this organisation's page: on a
/// municipality's, its own or its welfare region's coordinators; on a welfare
/// region's, its own coordinators; admins everywhere.
pub fn can_create_here(user: &User, org: &Region) -> bool {
    user.role == Role::Admin
        || (user.role.at_least(Role::Coordinator)
            && match org.key.category() {
                RegionCategory::Kunta => {
                    user.org.as_ref() == Some(&org.key)
                        || (user.org.is_some() && user.org == org.welfare_region)
                }
                RegionCategory::Hyvinvointialue => user.org.as_ref() == Some(&org.key),
                _ => false,
            })
}

/// A refusal of the dialogue's content, with the form's key. The rule itself is
/// `DialogueInput::check`'s (it normalises the input too); its sentences are mapped
/// to catalogue keys here.
fn content_refusal(message: String) -> AppError {
    let key = if message.starts_with("the year must be") {
        "dlg-error-year"
    } else if message.starts_with("the date must be") {
        "dlg-error-date"
    } else if message.starts_with("a dialogue needs at least one") {
        "dlg-error-goal-required"
    } else if message.starts_with("every goal with a follow-up note") {
        "dlg-error-goal-text"
    } else if message.starts_with("the status of a goal") {
        "dlg-error-status"
    } else if message.starts_with("a dialogue can have at most") {
        "dlg-error-too-many-goals"
    } else if message.contains("too long") {
        "dlg-error-too-long"
    } else {
        return AppError::Refused(Refusal::detail(message));
    };
    AppError::Refused(Refusal::new(key, message))
}

/// Checks and normalises the content (trimmed texts, default goal status).
pub fn check_input(input: &mut DialogueInput) -> AppResult<()> {
    match input.check() {
        Ok(()) => Ok(()),
        Err(StoreError::Invalid(m)) => Err(content_refusal(m)),
        Err(e) => Err(e.into()),
    }
}

fn municipality_refusal(english: String) -> AppError {
    AppError::Refused(Refusal::new("dlg-error-municipality", english))
}

fn keys(d: &Dialogue) -> AppResult<(RegionKey, RegionKey)> {
    let p = |s: &str| {
        s.parse::<RegionKey>()
            .map_err(|e| AppError::Internal(format!("dialogue {}: {e}", d.id)))
    };
    Ok((p(&d.municipality)?, p(&d.welfare_region)?))
}

fn no_dialogue(id: i64) -> AppError {
    AppError::NotFound(
        Refusal::new("dlg-err-no-dialogue", format!("no dialogue {id}")).arg("id", id),
    )
}

impl App {
    /// The dialogues of an organisation the actor may read, newest year first, each
    /// with the actor's access (those whose parties do not include the actor's
    /// organisation are left out).
    pub async fn dialogues(
        &self,
        actor: &Actor,
        org: &RegionKey,
    ) -> AppResult<(Region, Vec<(Dialogue, DialogueAccess)>)> {
        let (region, _) = readable_org(self, actor, org).await?;
        let list = self
            .store
            .dialogues_of(&region.key)
            .await?
            .into_iter()
            .filter_map(|d| dialogue_access(&actor.user, &d).map(|a| (d, a)))
            .collect();
        Ok((region, list))
    }

    /// One dialogue the actor may read: 404 unknown, 403 for a user whose
    /// organisation is not a party.
    pub async fn dialogue(&self, actor: &Actor, id: i64) -> AppResult<(Dialogue, DialogueAccess)> {
        let d = self
            .store
            .dialogue(id)
            .await?
            .ok_or_else(|| no_dialogue(id))?;
        let acc = dialogue_access(&actor.user, &d).ok_or_else(|| {
            AppError::forbidden(
                "dlg-err-forbidden",
                "only the municipality and its welfare region read this dialogue",
            )
        })?;
        Ok((d, acc))
    }

    /// One dialogue as shown on an organisation's pages: the organisation must be
    /// readable and a party of it (404 otherwise).
    pub async fn dialogue_of(
        &self,
        actor: &Actor,
        org: &RegionKey,
        id: i64,
    ) -> AppResult<(Region, Dialogue, DialogueAccess)> {
        let (region, _) = readable_org(self, actor, org).await?;
        let (d, acc) = self.dialogue(actor, id).await?;
        if !d.involves(&region.key) {
            return Err(AppError::NotFound(
                Refusal::new(
                    "dlg-err-no-dialogue",
                    format!("{} has no dialogue {id}", region.key),
                )
                .arg("id", id),
            ));
        }
        Ok((region, d, acc))
    }

    /// The organisation on whose page the actor is about to record a dialogue: 403
    /// unless [`can_create_here`]. A form asks this before reading its fields.
    pub async fn dialogue_recorder(&self, actor: &Actor, org: &RegionKey) -> AppResult<Region> {
        let (region, _) = readable_org(self, actor, org).await?;
        if !can_create_here(&actor.user, &region) {
            return Err(AppError::forbidden(
                "dlg-err-record-forbidden",
                "only coordinators of the municipality or its welfare region record the dialogue",
            ));
        }
        Ok(region)
    }

    /// The municipalities a welfare region may record a dialogue with (its current
    /// members); none for a municipality.
    pub async fn dialogue_municipalities(&self, org: &Region) -> AppResult<Vec<Region>> {
        if org.key.category() != RegionCategory::Hyvinvointialue {
            return Ok(vec![]);
        }
        Ok(self.store.members_of(&org.key).await?)
    }

    /// The parties of a new dialogue recorded on `org`'s page: the municipality
    /// itself, or for a welfare region the chosen member municipality.
    async fn parties(
        &self,
        org: &Region,
        municipality: Option<&str>,
    ) -> AppResult<(Region, RegionKey)> {
        match org.key.category() {
            RegionCategory::Kunta => {
                let wr = org.welfare_region.clone().ok_or_else(|| {
                    municipality_refusal(format!("{} belongs to no welfare region", org.key))
                })?;
                Ok((org.clone(), wr))
            }
            RegionCategory::Hyvinvointialue => {
                let m = municipality
                    .map(str::trim)
                    .filter(|m| !m.is_empty())
                    .ok_or_else(|| {
                        municipality_refusal("choose the municipality of the dialogue".into())
                    })?;
                let key: RegionKey = m.parse().map_err(|e: hyte_domain::RegionKeyError| {
                    municipality_refusal(e.to_string())
                })?;
                let region = self
                    .store
                    .region(&key)
                    .await?
                    .filter(|r| r.welfare_region.as_ref() == Some(&org.key) && r.is_current())
                    .ok_or_else(|| {
                        municipality_refusal(format!("{key} is not a municipality of {}", org.key))
                    })?;
                Ok((region, org.key.clone()))
            }
            _ => Err(AppError::NotFound(
                Refusal::new(
                    "dlg-err-no-dialogues",
                    format!("{} has no dialogues", org.key),
                )
                .arg("org", &org.key),
            )),
        }
    }

    /// Records a dialogue on `org`'s page (for a welfare region, with one of its
    /// member municipalities). Audited as `dialogue_create` in both parties' logs.
    pub async fn create_dialogue(
        &self,
        actor: &Actor,
        org: &RegionKey,
        municipality: Option<&str>,
        mut input: DialogueInput,
    ) -> AppResult<Dialogue> {
        let region = self.dialogue_recorder(actor, org).await?;
        let (m, w) = self.parties(&region, municipality).await?;
        if !may_record(&actor.user, &m, &w) {
            return Err(AppError::forbidden(
                "dlg-err-record-forbidden",
                "only coordinators of the municipality or its welfare region record the dialogue",
            ));
        }
        check_input(&mut input)?;
        let year = input.year;
        let mut tx = self.store.begin().await?;
        let id = tx.create_dialogue(&m.key, &w, input, actor.email()).await?;
        let detail = format!("dialogue {id} for {year}");
        for org in [&m.key, &w] {
            tx.audit(&actor.audit(
                org,
                "dialogue_create",
                format!("{detail} ({} – {w})", m.key),
            ))
            .await?;
        }
        tx.commit().await?;
        self.store
            .dialogue(id)
            .await?
            .ok_or_else(|| AppError::Internal(format!("the new dialogue {id} vanished")))
    }

    async fn editable_dialogue(
        &self,
        actor: &Actor,
        id: i64,
        english: &str,
    ) -> AppResult<Dialogue> {
        let (d, acc) = self.dialogue(actor, id).await?;
        if acc != DialogueAccess::Edit {
            return Err(AppError::forbidden("dlg-err-edit-forbidden", english));
        }
        Ok(d)
    }

    /// Replaces a dialogue's content (the parties' coordinators and admins).
    /// Audited as `dialogue_update` in both parties' logs.
    pub async fn update_dialogue(
        &self,
        actor: &Actor,
        id: i64,
        mut input: DialogueInput,
    ) -> AppResult<Dialogue> {
        let d = self
            .editable_dialogue(
                actor,
                id,
                "only coordinators of the parties edit the dialogue",
            )
            .await?;
        check_input(&mut input)?;
        let (m, w) = keys(&d)?;
        let mut tx = self.store.begin().await?;
        tx.update_dialogue(d.id, input, actor.email()).await?;
        for org in [&m, &w] {
            tx.audit(&actor.audit(
                org,
                "dialogue_update",
                format!("dialogue {} ({m} – {w})", d.id),
            ))
            .await?;
        }
        tx.commit().await?;
        self.store
            .dialogue(id)
            .await?
            .ok_or_else(|| no_dialogue(id))
    }

    /// Deletes a dialogue (the parties' coordinators and admins). Audited as
    /// `dialogue_delete` in both parties' logs.
    pub async fn delete_dialogue(&self, actor: &Actor, id: i64) -> AppResult<()> {
        let d = self
            .editable_dialogue(
                actor,
                id,
                "only coordinators of the parties delete the dialogue",
            )
            .await?;
        let (m, w) = keys(&d)?;
        let mut tx = self.store.begin().await?;
        tx.delete_dialogue(d.id).await?;
        for org in [&m, &w] {
            tx.audit(&actor.audit(
                org,
                "dialogue_delete",
                format!("dialogue {} of {} ({m} – {w})", d.id, d.year),
            ))
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
