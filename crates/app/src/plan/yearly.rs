//! The yearly report: generated from a term report's plan for one budget year.
//!
//! The use case decides whether the report may be generated and writes it — the new
//! report, its link to the term report, its sections, Hyte's proposals from the data
//! and the audit entry — in ONE transaction. The texts (Markdown tables in the
//! report's language, indicator comparisons) are composed by the adapter, which has
//! the translations and the analysis code: the use case calls it back once the
//! request is allowed, so a refused request renders nothing.

use super::inputs::{refuse, refused};
use super::{plan_audit, require_edit};
use crate::access::ReportCtx;
use crate::observations::Proposal;
use crate::{App, AppError, AppResult, Changed};
use hyte_domain::plan::BudgetYear;
use hyte_domain::report::{ContentArea, ObservationOrigin, ReportKind};
use hyte_store::plan::Plan;
use hyte_store::reports::NewReport;
use std::future::Future;

/// The note of the generated sections' first revision.
const GENERATED_NOTE: &str = "generated from the plan";

/// One section of a generated yearly report.
#[derive(Debug, Clone)]
pub struct YearlySection {
    /// Heading.
    pub heading: String,
    /// Statutory content areas.
    pub areas: Vec<ContentArea>,
    /// The text (Markdown with indicator blocks).
    pub body: String,
}

/// The yearly report as the adapter composed it, in the report's first language.
#[derive(Debug, Clone)]
pub struct YearlyDoc {
    /// Title (cut to 300 characters).
    pub title: String,
    /// The language the texts are written in.
    pub lang: String,
    /// Sections in order.
    pub sections: Vec<YearlySection>,
    /// Hyte's proposals from the data for the new report (worded by the adapter,
    /// like those of `App::add_proposals`).
    pub proposals: Vec<Proposal>,
    /// How many indicators moved since the term report (for the audit entry).
    pub changes: usize,
}

impl App {
    /// Checks that a yearly report of `year` may be generated from this report:
    /// coordinators, a term report (not a yearly one), a budget year within its
    /// council term (or the year after it), and a plan with goals. Returns the plan.
    pub async fn yearly_plan(&self, ctx: &ReportCtx, year: i64) -> AppResult<(BudgetYear, Plan)> {
        require_edit(ctx)?;
        let term = &ctx.report;
        if term.kind == ReportKind::YearlyReport {
            return refuse(
                "plan-error-yearly-of-yearly",
                "a yearly report is generated from a term report's plan, not from another yearly report",
            );
        }
        let y = BudgetYear::new(year).map_err(refused)?;
        if year < term.term_start || year > term.term_end + 1 {
            return Err(AppError::Refused(
                crate::Refusal::new(
                    "plan-error-yearly-year",
                    format!(
                        "{year} is outside the council term {}–{} of this report",
                        term.term_start, term.term_end
                    ),
                )
                .arg("year", year),
            ));
        }
        let plan = self.store.plan(term.id).await?;
        if plan.goals.is_empty() {
            return refuse(
                "plan-error-yearly-empty",
                "the plan has no goals yet: a yearly report needs a plan to report on",
            );
        }
        Ok((y, plan))
    }

    /// Generates the yearly report of a budget year from the term report's plan
    /// (coordinators): once [`App::yearly_plan`] allows it, `compose` writes the
    /// document from the plan, and the new report of kind `yearly_report` (same
    /// organisation, partners, term and languages), its link to the term report, its
    /// sections, the proposals and the audit entry `yearly_report_generated` are
    /// written in one transaction. Returns the new report's id.
    pub async fn generate_yearly<F, Fut, E>(
        &self,
        ctx: &ReportCtx,
        year: i64,
        compose: F,
    ) -> Result<(i64, Changed), E>
    where
        F: FnOnce(Plan) -> Fut,
        Fut: Future<Output = Result<YearlyDoc, E>>,
        E: From<AppError>,
    {
        let (y, plan) = self.yearly_plan(ctx, year).await?;
        let doc = compose(plan).await?;
        Ok(self.write_yearly(ctx, y, &doc).await?)
    }

    async fn write_yearly(
        &self,
        ctx: &ReportCtx,
        year: BudgetYear,
        doc: &YearlyDoc,
    ) -> AppResult<(i64, Changed)> {
        let term = &ctx.report;
        let by = ctx.actor.email();
        let mut tx = self.store.begin().await?;
        let id = tx
            .create_report(
                &NewReport {
                    org: term.org.clone(),
                    partners: term.partners.clone(),
                    kind: ReportKind::YearlyReport,
                    title: doc.title.chars().take(300).collect(),
                    term_start: term.term_start,
                    term_end: term.term_end,
                    year: Some(year.get()),
                    languages: term.languages.clone(),
                    created_by: by.to_string(),
                },
                &[],
                &doc.lang,
            )
            .await?;
        tx.link_yearly_report(id, term.id, year).await?;
        // The term report's partners continue the partnership they accepted; an
        // organisation still invited to the term report is invited to this one too.
        for p in &term.invited_partners {
            tx.invite_partner(id, p, by).await?;
            crate::reports::partners::audit_both(
                &mut tx,
                &ctx.actor,
                &term.org,
                p,
                "partner_invited",
                &format!(
                    "report {id} (yearly report of {}): {} invited {p} as a partner",
                    term.id, term.org
                ),
            )
            .await?;
        }
        for s in &doc.sections {
            let sid = tx.add_section(id, &s.heading, &s.areas, None, by).await?;
            tx.save_section(sid, 0, &s.body, by, Some(GENERATED_NOTE))
                .await?;
        }
        for p in &doc.proposals {
            tx.add_observation(
                id,
                p.kind,
                &p.text,
                None,
                ObservationOrigin::Data,
                p.population_group.as_deref(),
                "proposed",
                &[p.indicator_id],
                by,
            )
            .await?;
        }
        tx.audit(&plan_audit(
            ctx,
            "yearly_report_generated",
            format!(
                "yearly report {id} for {year}: {} indicator changes, {} proposals",
                doc.changes,
                doc.proposals.len()
            ),
        ))
        .await?;
        tx.commit().await?;
        // The term report's plan page lists its yearly reports.
        Ok((id, Changed::Plan(term.id)))
    }
}
