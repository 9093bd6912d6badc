//! Partners of a joint report, by consent. The report's coordinators invite another
//! organisation; it becomes a partner only when one of *its* coordinators accepts.
//! Until then its users have no access to the report at all (the access model,
//! [`App::report_access`], counts only accepted partners: `Report::partners`); they
//! see the invitation — the inviting organisation and the report's title — and may
//! accept or decline it. Declining deletes the invitation; the inviter may withdraw
//! it. Every step is audited (`partner_invited`, `partner_accepted`,
//! `partner_declined`, `partner_withdrawn`) in the same transaction as the change, in
//! the audit logs of both organisations.

use crate::access::org_access;
use crate::{Actor, App, AppError, AppResult, Changed, Refusal, ReportCtx};
use hyte_domain::{RegionKey, Role};
use hyte_store::orgs::Region;
use hyte_store::users::User;
use hyte_store::Tx;

pub use hyte_store::reports::PartnerInvitation;

/// Whether a user acts for an organisation as its coordinator (or an admin).
fn coordinates(user: &User, org: &Region) -> bool {
    org_access(user, org).is_some_and(|a| a.at_least(Role::Coordinator))
}

/// One audit entry in the owner's log and one in the partner's, in `tx`.
pub(crate) async fn audit_both(
    tx: &mut Tx,
    actor: &Actor,
    owner: &RegionKey,
    partner: &RegionKey,
    action: &str,
    detail: &str,
) -> AppResult<()> {
    tx.audit(&actor.audit(owner, action, detail)).await?;
    tx.audit(&actor.audit(partner, action, detail)).await?;
    Ok(())
}

fn no_invitation(report_id: i64, org: &RegionKey) -> AppError {
    AppError::NotFound(
        Refusal::new(
            "partner-err-no-invitation",
            format!("{org} has no open invitation to report {report_id}"),
        )
        .arg("org", org),
    )
}

impl App {
    /// Whether the caller invites partners to the report and withdraws invitations:
    /// the coordinators of the report's own organisation and admins (not a
    /// partner's coordinators).
    pub fn may_invite_partners(&self, ctx: &ReportCtx) -> bool {
        coordinates(&ctx.actor.user, &ctx.org)
    }

    fn require_owner_coordinator(&self, ctx: &ReportCtx) -> AppResult<()> {
        ctx.require(
            self.may_invite_partners(ctx),
            "partner-err-owner-only",
            "only the coordinators of the report's own organisation invite partners or withdraw invitations",
        )
    }

    /// The organisation in the path as its coordinator acts for it: 404 unknown,
    /// 403 for anyone but its coordinators and the admins.
    async fn coordinated_org(&self, actor: &Actor, org: &RegionKey) -> AppResult<Region> {
        let region = self.organisation(org).await?;
        if !coordinates(&actor.user, &region) {
            return Err(AppError::forbidden(
                "partner-err-forbidden",
                "only the organisation's coordinators see and answer its partnership invitations",
            ));
        }
        Ok(region)
    }

    /// The partnership invitations an organisation has received and not answered
    /// (its coordinators and admins).
    pub async fn partner_invitations(
        &self,
        actor: &Actor,
        org: &RegionKey,
    ) -> AppResult<Vec<PartnerInvitation>> {
        let region = self.coordinated_org(actor, org).await?;
        Ok(self.store.partner_invitations_to(&region.key).await?)
    }

    /// Invites an organisation (`KUNTA:398`) to be a partner of the report: the
    /// coordinators of the report's own organisation. 422 for an unknown
    /// organisation or the owner itself, 409 when it is already invited or a partner.
    pub async fn invite_partner(&self, ctx: &ReportCtx, partner: &str) -> AppResult<Changed> {
        self.require_owner_coordinator(ctx)?;
        let key = self
            .check_partners(&ctx.org, &[partner.to_string()])
            .await?
            .pop()
            .ok_or_else(|| {
                AppError::invalid(
                    "org",
                    Refusal::new(
                        "partner-err-self",
                        "the report's own organisation cannot be its partner",
                    ),
                )
            })?;
        let report = &ctx.report;
        let mut tx = self.store.begin().await?;
        if !tx
            .invite_partner(report.id, &key, ctx.actor.email())
            .await?
        {
            return Err(AppError::Conflict(
                Refusal::new(
                    "partner-err-exists",
                    format!("{key} is already invited to or a partner of this report"),
                )
                .arg("org", &key),
            ));
        }
        audit_both(
            &mut tx,
            &ctx.actor,
            &report.org,
            &key,
            "partner_invited",
            &format!(
                "report {} '{}': {} invited {key} as a partner",
                report.id, report.title, report.org
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(Changed::Report(report.id))
    }

    /// Withdraws an unanswered invitation (the coordinators of the report's own
    /// organisation); 404 when there is none.
    pub async fn withdraw_partner(
        &self,
        ctx: &ReportCtx,
        partner: &RegionKey,
    ) -> AppResult<Changed> {
        self.require_owner_coordinator(ctx)?;
        let report = &ctx.report;
        let mut tx = self.store.begin().await?;
        if !tx.drop_partner_invitation(report.id, partner).await? {
            return Err(no_invitation(report.id, partner));
        }
        audit_both(
            &mut tx,
            &ctx.actor,
            &report.org,
            partner,
            "partner_withdrawn",
            &format!(
                "report {} '{}': {} withdrew the invitation of {partner}",
                report.id, report.title, report.org
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(Changed::Report(report.id))
    }

    /// Accepts an invitation of `org` to a report (its coordinators and admins): from
    /// now on `org` is a partner and its members work on the report with their roles.
    /// 404 when there is no unanswered invitation.
    pub async fn accept_partnership(
        &self,
        actor: &Actor,
        org: &RegionKey,
        report_id: i64,
    ) -> AppResult<Changed> {
        self.answer(actor, org, report_id, true).await
    }

    /// Declines an invitation of `org` to a report (its coordinators and admins): the
    /// invitation is deleted. 404 when there is no unanswered invitation.
    pub async fn decline_partnership(
        &self,
        actor: &Actor,
        org: &RegionKey,
        report_id: i64,
    ) -> AppResult<Changed> {
        self.answer(actor, org, report_id, false).await
    }

    async fn answer(
        &self,
        actor: &Actor,
        org: &RegionKey,
        report_id: i64,
        accept: bool,
    ) -> AppResult<Changed> {
        let region = self.coordinated_org(actor, org).await?;
        let inv = self
            .store
            .partner_invitation(report_id, &region.key)
            .await?
            .ok_or_else(|| no_invitation(report_id, &region.key))?;
        let mut tx = self.store.begin().await?;
        let done = if accept {
            tx.accept_partner(report_id, &region.key, actor.email())
                .await?
        } else {
            tx.drop_partner_invitation(report_id, &region.key).await?
        };
        if !done {
            // Withdrawn or answered in the meantime.
            return Err(no_invitation(report_id, &region.key));
        }
        let (action, verb) = if accept {
            ("partner_accepted", "accepted")
        } else {
            ("partner_declined", "declined")
        };
        audit_both(
            &mut tx,
            actor,
            &inv.owner,
            &region.key,
            action,
            &format!(
                "report {report_id} '{}' of {}: {} {verb} the partnership",
                inv.report_title, inv.owner, region.key
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(Changed::Report(report_id))
    }
}
