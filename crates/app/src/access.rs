//! The one access model: what a user may do with an organisation's and a report's
//! non-public work. Pages, the API and the command line ask these functions and
//! nothing else.

use crate::{Actor, App, AppError, AppResult, Refusal};
use hyte_domain::{RegionCategory, RegionKey, Role};
use hyte_store::orgs::Region;
use hyte_store::reports::{Report, Section};
use hyte_store::users::User;

/// What a user may do with an organisation's or a report's work (no access at all
/// is `None` where an `Option<Access>` is returned).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Read only: a welfare region following a member municipality's work.
    Read,
    /// A member of the organisation (or of a report's partner), acting with a role.
    Member(Role),
}

impl Access {
    /// The role the caller acts with, if a member.
    pub fn role(self) -> Option<Role> {
        match self {
            Access::Member(r) => Some(r),
            Access::Read => None,
        }
    }

    /// Whether the caller acts with at least this role.
    pub fn at_least(self, r: Role) -> bool {
        self.role().is_some_and(|x| x.at_least(r))
    }

    /// Manages the outline, decides the indicator list: coordinators and admins.
    pub fn can_decide(self) -> bool {
        self.at_least(Role::Coordinator)
    }

    /// Writes content (self-assessment, accepting proposals): editors and up.
    pub fn can_write(self) -> bool {
        self.at_least(Role::Editor)
    }

    /// Comments and adds joys and concerns: commenters and up.
    pub fn can_contribute(self) -> bool {
        self.at_least(Role::Commenter)
    }

    /// The API spelling: `read` or the role.
    pub fn as_str(self) -> &'static str {
        match self {
            Access::Read => "read",
            Access::Member(r) => r.as_str(),
        }
    }
}

/// A user's access to one organisation: admins everywhere, members in their own
/// organisation, and a welfare region's users read its member municipalities' work.
pub fn org_access(user: &User, org: &Region) -> Option<Access> {
    if user.role == Role::Admin {
        return Some(Access::Member(Role::Admin));
    }
    match &user.org {
        Some(own) if *own == org.key => Some(Access::Member(user.role)),
        // A welfare region supports its municipalities and follows their work.
        Some(own)
            if own.category() == RegionCategory::Hyvinvointialue
                && org.welfare_region.as_ref() == Some(own) =>
        {
            Some(Access::Read)
        }
        _ => None,
    }
}

/// Whether the caller may write a section's text and status: coordinators and admins
/// always; an editor when the section belongs to their sector or they are assigned.
pub fn can_edit_section(acc: Access, user: &User, s: &Section) -> bool {
    match acc {
        Access::Member(r) if r.at_least(Role::Coordinator) => true,
        Access::Member(Role::Editor) => {
            s.assignees.contains(&user.id)
                || (s.owner_sector.is_some() && s.owner_sector == user.sector)
        }
        _ => false,
    }
}

/// Who may resolve or reopen a comment thread: a commenter of the report who wrote
/// it, or whoever may edit its section (for a comment on the whole report: its
/// coordinators).
pub fn may_resolve_comment(
    acc: Access,
    user: &User,
    section: Option<&Section>,
    author_email: &str,
) -> bool {
    acc.can_contribute()
        && (author_email == user.email
            || match section {
                Some(s) => can_edit_section(acc, user, s),
                None => acc.can_decide(),
            })
}

/// A report as one signed-in user may use it.
#[derive(Debug, Clone)]
pub struct ReportCtx {
    /// The report.
    pub report: Report,
    /// The owning organisation.
    pub org: Region,
    /// Who acts.
    pub actor: Actor,
    /// The strongest access over the owner and the partners.
    pub access: Access,
}

impl ReportCtx {
    /// The role the caller acts with, if a member.
    pub fn role(&self) -> Option<Role> {
        self.access.role()
    }
    /// Coordinators and admins: the outline, assignees, every section.
    pub fn can_manage(&self) -> bool {
        self.access.can_decide()
    }
    /// Commenters and above.
    pub fn can_comment(&self) -> bool {
        self.access.can_contribute()
    }
    /// Whether the caller may edit a section's text and status.
    pub fn can_edit(&self, s: &Section) -> bool {
        can_edit_section(self.access, &self.actor.user, s)
    }
    /// The audit entry of a change of this report.
    pub fn audit(&self, action: &str, detail: impl Into<String>) -> hyte_store::Audit {
        self.actor.audit(&self.report.org, action, detail)
    }
    /// Fails with 403 and `key` unless `ok`.
    pub fn require(&self, ok: bool, key: &'static str, english: &str) -> AppResult<()> {
        if ok {
            Ok(())
        } else {
            Err(AppError::forbidden(key, english))
        }
    }
}

impl App {
    /// An organisation by key: 404 for an unknown key or an area that is not an
    /// organisation.
    pub async fn organisation(&self, key: &RegionKey) -> AppResult<Region> {
        let region = self.store.region(key).await?.ok_or_else(|| {
            AppError::NotFound(
                Refusal::new("err-no-org", format!("no organisation {key}")).arg("org", key),
            )
        })?;
        if !key.category().is_organisation() {
            return Err(AppError::NotFound(
                Refusal::new("err-no-org", format!("{key} is not an organisation")).arg("org", key),
            ));
        }
        Ok(region)
    }

    /// The caller's access to a report: the best of their access to the owner and
    /// to each partner organisation. Only accepted partners count (`report.partners`):
    /// an organisation that is merely invited (`report.invited_partners`) gives its
    /// users nothing until its coordinator accepts (`reports::partners`).
    pub async fn report_access(&self, user: &User, report: &Report) -> AppResult<Option<Access>> {
        if user.role == Role::Admin {
            return Ok(Some(Access::Member(Role::Admin)));
        }
        let mut best: Option<Access> = None;
        for key in std::iter::once(&report.org).chain(report.partners.iter()) {
            let Some(region) = self.store.region(key).await? else {
                continue;
            };
            match org_access(user, &region) {
                // A stronger role over a partner wins.
                Some(Access::Member(r)) if !matches!(best, Some(Access::Member(b)) if b >= r) => {
                    best = Some(Access::Member(r));
                }
                Some(Access::Read) if best.is_none() => best = Some(Access::Read),
                _ => {}
            }
        }
        Ok(best)
    }

    /// Loads a report and checks that the actor may read it: 404 for an unknown id,
    /// 403 for someone outside the report.
    pub async fn load_report(&self, actor: &Actor, id: i64) -> AppResult<ReportCtx> {
        let report = self.store.report(id).await?.ok_or_else(|| {
            AppError::NotFound(
                Refusal::new("rep-err-no-report", format!("no report {id}")).arg("id", id),
            )
        })?;
        let Some(access) = self.report_access(&actor.user, &report).await? else {
            return Err(AppError::forbidden(
                "rep-err-forbidden",
                "you do not have access to this report: it belongs to another organisation",
            ));
        };
        let org = self.organisation(&report.org).await?;
        Ok(ReportCtx {
            report,
            org,
            actor: actor.clone(),
            access,
        })
    }
}
