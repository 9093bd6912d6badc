//! The outline and the section texts.

use crate::access::ReportCtx;
use crate::{App, AppError, AppResult, Changed, Refusal};
use hyte_domain::document::MAX_SECTION_CHARS;
use hyte_domain::report::{ContentArea, SectionStatus};
use hyte_store::reports::{Revision, SaveOutcome, Section};

/// Longest note of a save.
pub const MAX_NOTE_CHARS: usize = 500;
/// Longest sector name.
pub const MAX_SECTOR_CHARS: usize = 100;

/// The fields of a section in the outline.
#[derive(Debug, Clone, Default)]
pub struct SectionMeta {
    /// Heading, 1–300 characters.
    pub heading: String,
    /// Statutory content areas, by their codes.
    pub areas: Vec<String>,
    /// Owner sector (empty: none).
    pub sector: Option<String>,
}

/// A change of a section's outline fields; `None` keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct SectionPatch {
    /// New heading.
    pub heading: Option<String>,
    /// New content areas.
    pub areas: Option<Vec<String>>,
    /// New owner sector (`Some(None)` clears it).
    pub sector: Option<Option<String>>,
    /// New status.
    pub status: Option<String>,
    /// New assignees by user id (users of the report's organisations).
    pub assignees: Option<Vec<i64>>,
}

/// A save of a section's text.
#[derive(Debug, Clone)]
pub struct TextSave {
    /// The revision the text was edited from.
    pub base_revision: i64,
    /// The text (Markdown with indicator blocks).
    pub body: String,
    /// An optional note for the history.
    pub note: Option<String>,
}

/// What a save did.
#[derive(Debug, Clone)]
pub enum Saved {
    /// A new revision.
    Revision(Revision),
    /// Someone saved first: nothing was written; the current text.
    Conflict {
        /// Current revision number.
        current_revision: i64,
        /// Current text.
        current_body: String,
        /// Who wrote it.
        current_author: String,
    },
}

fn check_heading(h: &str) -> AppResult<String> {
    let h = h.trim();
    if h.is_empty() || h.chars().count() > 300 {
        return Err(AppError::invalid(
            "heading",
            Refusal::new("rep-err-heading", "a heading must be 1–300 characters"),
        ));
    }
    Ok(h.to_string())
}

fn check_sector(s: Option<&str>) -> AppResult<Option<String>> {
    let s = s.map(str::trim).unwrap_or_default();
    if s.chars().count() > MAX_SECTOR_CHARS {
        return Err(AppError::invalid(
            "sector",
            Refusal::new(
                "rep-err-sector",
                "the sector name is too long (at most 100 characters)",
            ),
        ));
    }
    Ok(Some(s.to_string()).filter(|s| !s.is_empty()))
}

/// Parses content-area codes, without duplicates, in order.
pub fn parse_areas(values: &[String]) -> AppResult<Vec<ContentArea>> {
    let mut out = vec![];
    for v in values {
        let a: ContentArea = v.parse().map_err(|_| {
            AppError::invalid(
                "areas",
                Refusal::new(
                    "rep-err-area",
                    format!("'{v}' is not a statutory content area"),
                )
                .arg("area", v),
            )
        })?;
        if !out.contains(&a) {
            out.push(a);
        }
    }
    out.sort();
    Ok(out)
}

fn parse_status(v: &str) -> AppResult<SectionStatus> {
    v.parse().map_err(|_| {
        AppError::invalid(
            "status",
            Refusal::new("rep-err-status", format!("unknown status '{v}'")),
        )
    })
}

fn require_manager(ctx: &ReportCtx) -> AppResult<()> {
    ctx.require(
        ctx.can_manage(),
        "rep-err-manage-forbidden",
        "only the report's coordinators edit the outline and the assignees",
    )
}

fn require_editor(ctx: &ReportCtx, s: &Section) -> AppResult<()> {
    ctx.require(
        ctx.can_edit(s),
        "sec-err-edit-forbidden",
        "you may not edit this section: it belongs to another sector and you are not assigned to it",
    )
}

fn areas_text(areas: &[ContentArea]) -> String {
    areas
        .iter()
        .map(|a| a.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

impl App {
    /// A section of the report, also one removed from the outline; `current` tells
    /// whether it is still in the outline. 404 when it belongs to another report.
    pub async fn section(&self, ctx: &ReportCtx, sid: i64) -> AppResult<(Section, bool)> {
        let not_found = || {
            AppError::NotFound(
                Refusal::new(
                    "rep-err-no-section",
                    format!("no section {sid} in this report"),
                )
                .arg("id", sid),
            )
        };
        let s = self.store.section(sid).await?.ok_or_else(not_found)?;
        if s.report_id != ctx.report.id {
            return Err(not_found());
        }
        let current = self
            .store
            .sections(ctx.report.id)
            .await?
            .iter()
            .any(|x| x.id == s.id);
        Ok((s, current))
    }

    /// A section still in the outline (404 for a removed one).
    pub async fn current_section(&self, ctx: &ReportCtx, sid: i64) -> AppResult<Section> {
        let (s, current) = self.section(ctx, sid).await?;
        if !current {
            return Err(AppError::NotFound(
                Refusal::new(
                    "rep-err-removed",
                    "the section has been removed from the outline",
                )
                .arg("id", sid),
            ));
        }
        Ok(s)
    }

    /// Adds a section at the end of the outline (coordinators). Returns its id.
    pub async fn add_section(&self, ctx: &ReportCtx, m: &SectionMeta) -> AppResult<(i64, Changed)> {
        require_manager(ctx)?;
        let heading = check_heading(&m.heading)?;
        let areas = parse_areas(&m.areas)?;
        let sector = check_sector(m.sector.as_deref())?;
        let mut tx = self.store.begin().await?;
        let sid = tx
            .add_section(
                ctx.report.id,
                &heading,
                &areas,
                sector.as_deref(),
                ctx.actor.email(),
            )
            .await?;
        tx.audit(&ctx.audit(
            "section_added",
            format!("report {}, section {sid} '{heading}'", ctx.report.id),
        ))
        .await?;
        tx.commit().await?;
        Ok((sid, Changed::Report(ctx.report.id)))
    }

    /// Changes a section's outline fields (coordinators), or only its status
    /// (coordinators and the section's editors).
    pub async fn update_section(
        &self,
        ctx: &ReportCtx,
        s: &Section,
        p: &SectionPatch,
    ) -> AppResult<Changed> {
        let only_status =
            p.heading.is_none() && p.areas.is_none() && p.sector.is_none() && p.assignees.is_none();
        if only_status {
            require_editor(ctx, s)?;
        } else {
            require_manager(ctx)?;
        }
        let heading = match &p.heading {
            Some(h) => check_heading(h)?,
            None => s.heading.clone(),
        };
        let areas = match &p.areas {
            Some(a) => parse_areas(a)?,
            None => s.content_areas.clone(),
        };
        let sector = match &p.sector {
            Some(x) => check_sector(x.as_deref())?,
            None => s.owner_sector.clone(),
        };
        let status = match &p.status {
            Some(v) => parse_status(v)?,
            None => s.status,
        };
        let assignees = match &p.assignees {
            Some(ids) => Some(self.check_assignees(ctx, ids).await?),
            None => None,
        };
        let mut tx = self.store.begin().await?;
        if only_status {
            tx.set_section_status(s.id, status).await?;
            tx.audit(&ctx.audit(
                "section_status",
                format!(
                    "report {}, section {}: {} → {status}",
                    ctx.report.id, s.id, s.status
                ),
            ))
            .await?;
        } else {
            tx.update_section_meta(s.id, &heading, &areas, sector.as_deref(), status)
                .await?;
            tx.audit(&ctx.audit(
                "section_updated",
                format!(
                    "report {}, section {}: '{}' → '{heading}', areas [{}], sector {}, status {status}",
                    ctx.report.id,
                    s.id,
                    s.heading,
                    areas_text(&areas),
                    sector.as_deref().unwrap_or("-"),
                ),
            ))
            .await?;
        }
        if let Some((ids, emails)) = assignees {
            tx.set_assignees(s.id, &ids).await?;
            tx.audit(&ctx.audit(
                "section_assignees",
                format!(
                    "report {}, section {}: [{}]",
                    ctx.report.id,
                    s.id,
                    emails.join(", ")
                ),
            ))
            .await?;
        }
        tx.commit().await?;
        Ok(Changed::Report(ctx.report.id))
    }

    /// The users who may be assigned to the report's sections: those of the owner
    /// and of the partners.
    pub async fn assignable_users(
        &self,
        ctx: &ReportCtx,
    ) -> AppResult<Vec<hyte_store::users::User>> {
        let mut users = self.store.users_of(&ctx.report.org).await?;
        for p in &ctx.report.partners {
            users.extend(self.store.users_of(p).await?);
        }
        Ok(users)
    }

    async fn check_assignees(
        &self,
        ctx: &ReportCtx,
        ids: &[i64],
    ) -> AppResult<(Vec<i64>, Vec<String>)> {
        let users = self.assignable_users(ctx).await?;
        let mut out = vec![];
        let mut emails = vec![];
        for id in ids {
            let u = users.iter().find(|u| u.id == *id).ok_or_else(|| {
                AppError::invalid(
                    "assignees",
                    Refusal::new(
                        "sec-err-assignee",
                        format!("user {id} is not a user of the report's organisations"),
                    )
                    .arg("user", id),
                )
            })?;
            if !out.contains(&u.id) {
                out.push(u.id);
                emails.push(u.email.clone());
            }
        }
        Ok((out, emails))
    }

    /// Moves a section one place up (`-1`) or down (`1`) (coordinators).
    pub async fn move_section(&self, ctx: &ReportCtx, s: &Section, up: bool) -> AppResult<Changed> {
        require_manager(ctx)?;
        let mut tx = self.store.begin().await?;
        tx.move_section(s.id, if up { -1 } else { 1 }).await?;
        tx.audit(&ctx.audit(
            "section_moved",
            format!(
                "report {}, section {} moved {}",
                ctx.report.id,
                s.id,
                if up { "up" } else { "down" }
            ),
        ))
        .await?;
        tx.commit().await?;
        Ok(Changed::Report(ctx.report.id))
    }

    /// Removes a section from the outline; its history stays (coordinators).
    pub async fn remove_section(&self, ctx: &ReportCtx, s: &Section) -> AppResult<Changed> {
        require_manager(ctx)?;
        let mut tx = self.store.begin().await?;
        tx.remove_section(s.id).await?;
        tx.audit(&ctx.audit(
            "section_removed",
            format!("report {}, section {} '{}'", ctx.report.id, s.id, s.heading),
        ))
        .await?;
        tx.commit().await?;
        Ok(Changed::Report(ctx.report.id))
    }

    /// Records that the group agreed the outline at heading level (coordinators).
    pub async fn agree_outline(&self, ctx: &ReportCtx) -> AppResult<Changed> {
        require_manager(ctx)?;
        let mut tx = self.store.begin().await?;
        tx.agree_outline(ctx.report.id).await?;
        tx.audit(&ctx.audit("outline_agreed", format!("report {}", ctx.report.id)))
            .await?;
        tx.commit().await?;
        Ok(Changed::Report(ctx.report.id))
    }

    /// Saves a section's text as a new revision based on `base_revision`. When
    /// someone saved first, nothing is written and the current text comes back
    /// (the refused save is audited too).
    pub async fn save_section_text(
        &self,
        ctx: &ReportCtx,
        s: &Section,
        save: &TextSave,
    ) -> AppResult<Saved> {
        require_editor(ctx, s)?;
        let body = save.body.replace("\r\n", "\n");
        if body.chars().count() > MAX_SECTION_CHARS {
            return Err(AppError::invalid(
                "body",
                Refusal::new(
                    "sec-err-too-long",
                    format!("the text is too long (at most {MAX_SECTION_CHARS} characters)"),
                )
                .arg("max", MAX_SECTION_CHARS),
            ));
        }
        let note = save
            .note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty());
        if note.is_some_and(|n| n.chars().count() > MAX_NOTE_CHARS) {
            return Err(AppError::invalid(
                "note",
                Refusal::new(
                    "sec-err-note",
                    format!("the note is too long (at most {MAX_NOTE_CHARS} characters)"),
                )
                .arg("max", MAX_NOTE_CHARS),
            ));
        }
        self.write_text(ctx, s, save.base_revision, &body, note, None)
            .await
    }

    /// Restores an earlier revision's text as a new revision (the section's editors).
    pub async fn restore_revision(
        &self,
        ctx: &ReportCtx,
        s: &Section,
        number: i64,
        base_revision: i64,
    ) -> AppResult<(Saved, String)> {
        require_editor(ctx, s)?;
        let old = self.store.revision(s.id, number).await?.ok_or_else(|| {
            AppError::NotFound(
                Refusal::new("hist-err-no-revision", format!("no revision {number}"))
                    .arg("revision", number),
            )
        })?;
        let note = format!("restored from revision {number}");
        let saved = self
            .write_text(ctx, s, base_revision, &old.body, Some(&note), Some(number))
            .await?;
        Ok((saved, old.body))
    }

    async fn write_text(
        &self,
        ctx: &ReportCtx,
        s: &Section,
        base: i64,
        body: &str,
        note: Option<&str>,
        restored_from: Option<i64>,
    ) -> AppResult<Saved> {
        let mut tx = self.store.begin().await?;
        let outcome = tx
            .save_section(s.id, base, body, ctx.actor.email(), note)
            .await?;
        let saved = match outcome {
            SaveOutcome::Saved(rev) => {
                let detail = match restored_from {
                    Some(n) => format!(
                        "report {}, section {}: revision {} restored from revision {n}",
                        ctx.report.id, s.id, rev.number
                    ),
                    None => format!(
                        "report {}, section {} revision {} ({} characters){}",
                        ctx.report.id,
                        s.id,
                        rev.number,
                        body.chars().count(),
                        note.map(|n| format!(": {n}")).unwrap_or_default()
                    ),
                };
                let action = if restored_from.is_some() {
                    "section_restored"
                } else {
                    "section_saved"
                };
                tx.audit(&ctx.audit(action, detail)).await?;
                Saved::Revision(rev)
            }
            SaveOutcome::Conflict {
                current_revision,
                current_body,
                current_author,
            } => {
                tx.audit(&ctx.audit(
                    "section_save_conflict",
                    format!(
                        "report {}, section {}: save refused, revision {current_revision} by {current_author} was saved first",
                        ctx.report.id, s.id
                    ),
                ))
                .await?;
                Saved::Conflict {
                    current_revision,
                    current_body,
                    current_author,
                }
            }
        };
        tx.commit().await?;
        Ok(saved)
    }
}
