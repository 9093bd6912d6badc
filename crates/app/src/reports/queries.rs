//! What a report's pages and API show: pass-through reads of the store, each taking
//! the authorised [`ReportCtx`] first (so that a caller can only read a report it was
//! let into), or checking the organisation's access itself.

use crate::access::org_access;
use crate::{Actor, App, AppError, AppResult, Refusal, ReportCtx};
use hyte_store::orgs::Region;
use hyte_store::reports::{Observation, Report, Revision, Section, Selection, SelfAssessment};

impl App {
    /// The report's outline: its sections in order.
    pub async fn sections(&self, ctx: &ReportCtx) -> AppResult<Vec<Section>> {
        Ok(self.store.sections(ctx.report.id).await?)
    }

    /// The report's indicator list.
    pub async fn selections(&self, ctx: &ReportCtx) -> AppResult<Vec<Selection>> {
        Ok(self.store.selections(ctx.report.id).await?)
    }

    /// The report's qualitative self-assessment.
    pub async fn self_assessments(&self, ctx: &ReportCtx) -> AppResult<Vec<SelfAssessment>> {
        Ok(self.store.self_assessments(ctx.report.id).await?)
    }

    /// The report's joys and concerns.
    pub async fn observations(&self, ctx: &ReportCtx) -> AppResult<Vec<Observation>> {
        Ok(self.store.observations(ctx.report.id).await?)
    }

    /// The report an observation belongs to: for the link from an observation of this
    /// report to the member's observation it was collected from.
    pub async fn observation_report(
        &self,
        _ctx: &ReportCtx,
        observation_id: i64,
    ) -> AppResult<Option<i64>> {
        Ok(self.store.observation_report(observation_id).await?)
    }

    /// The saved revisions of one of the report's sections, newest first.
    pub async fn revisions(&self, _ctx: &ReportCtx, section: &Section) -> AppResult<Vec<Revision>> {
        Ok(self.store.revisions(section.id).await?)
    }

    /// The reports of an organisation (its own and those it is a partner in): 403 for
    /// a user who may not read the organisation's work.
    pub async fn reports_of(&self, actor: &Actor, org: &Region) -> AppResult<Vec<Report>> {
        if org_access(&actor.user, org).is_none() {
            let name = org.name("fi").to_string();
            return Err(AppError::Forbidden(
                Refusal::new(
                    "grp-err-no-access",
                    format!("you do not have access to {name}'s work"),
                )
                .arg("org", name),
            ));
        }
        Ok(self.store.reports_of(&org.key).await?)
    }
}
