//! What the plan pages read: the plan of a report the caller may read (or of a
//! published report) and its yearly reports. Each takes the authorised
//! [`ReportCtx`] first, so the authorisation is visible. (The report's lists and the
//! indicator data are read with `reports::queries` and `indicators_data`.)

use crate::access::ReportCtx;
use crate::{App, AppResult};
use hyte_store::plan::Plan;
use hyte_store::reports::{Observation, Report};

impl App {
    /// The report's plan: goals, actions with resources and progress, follow-ups.
    pub async fn plan(&self, ctx: &ReportCtx) -> AppResult<Plan> {
        Ok(self.store.plan(ctx.report.id).await?)
    }

    /// The plan shown on a report's public page: the caller holds `report` from
    /// [`App::published_report`] (public) or from an authorised [`ReportCtx`].
    pub async fn public_plan(&self, report: &Report) -> AppResult<Plan> {
        Ok(self.store.plan(report.id).await?)
    }

    /// The joys and concerns a plan's goals answer, for the plan view of an
    /// authorised report or of a published one: the caller holds `report` from
    /// [`App::published_report`] (public) or from an authorised [`ReportCtx`].
    pub async fn observations_of(&self, report: &Report) -> AppResult<Vec<Observation>> {
        Ok(self.store.observations(report.id).await?)
    }

    /// The yearly reports generated from the term report: `(report id, year)`, the
    /// latest year first.
    pub async fn yearly_reports_of(&self, ctx: &ReportCtx) -> AppResult<Vec<(i64, i64)>> {
        Ok(self.store.yearly_reports_of(ctx.report.id).await?)
    }
}
