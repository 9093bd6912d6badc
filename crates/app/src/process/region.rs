//! The welfare region's view of its member municipalities: their reports side by
//! side (where the work stands, approval, main joys and concerns, the plans' goals),
//! for the region's own users and the admins.

use crate::{Actor, App, AppError, AppResult, Refusal};
use hyte_domain::report::{ObservationKind, ReportKind};
use hyte_domain::{RegionCategory, RegionKey};
use hyte_store::indicators::Localized;
use hyte_store::orgs::Region;
use hyte_store::reports::Report;
use std::collections::HashMap;

/// How many joys and how many concerns a report shows in the overview.
pub const OVERVIEW_OBSERVATIONS: usize = 3;

/// One member municipality's report.
#[derive(Debug, Clone)]
pub struct RegionReport {
    /// The report.
    pub report: Report,
    /// Current phase (`None` when all is done).
    pub current_phase: Option<i64>,
    /// Tasks done.
    pub done: usize,
    /// Tasks that count.
    pub total: usize,
    /// Overdue tasks.
    pub overdue: usize,
    /// `in_preparation`, `council_approved` or `published`.
    pub approval: &'static str,
    /// Up to three concerns (neither proposed nor dismissed).
    pub concerns: Vec<String>,
    /// Up to three joys.
    pub joys: Vec<String>,
    /// Titles of the plan's goals, in order.
    pub goals: Vec<String>,
    /// Plan tags of its goals (keys of `plan_tags.csv`), each once.
    pub goal_tags: Vec<String>,
    /// Sotkanet indicators its plan follows up, each once.
    pub followed_indicators: Vec<i64>,
}

/// One member municipality with its own reports (not those it is a partner of).
#[derive(Debug, Clone)]
pub struct RegionMember {
    /// The municipality.
    pub org: Region,
    /// Its reports.
    pub reports: Vec<RegionReport>,
}

/// A welfare region's overview.
#[derive(Debug, Clone)]
pub struct RegionOverview {
    /// The welfare region.
    pub region: Region,
    /// Its member municipalities.
    pub members: Vec<RegionMember>,
    /// The region's own regional reports, which collect the members' joys and
    /// concerns.
    pub own_reports: Vec<Report>,
    /// Titles of the indicators the members' plans follow up.
    pub indicator_titles: HashMap<i64, Localized>,
}

fn push_once<T: PartialEq>(list: &mut Vec<T>, v: T) {
    if !list.contains(&v) {
        list.push(v);
    }
}

impl App {
    /// The overview of a welfare region the actor may read (its users and the
    /// admins): 403 for others, 404 for an organisation that is not a welfare region.
    pub async fn region_overview(
        &self,
        actor: &Actor,
        key: &RegionKey,
    ) -> AppResult<RegionOverview> {
        let (region, _) = self.readable_org(actor, key).await?;
        if region.key.category() != RegionCategory::Hyvinvointialue {
            return Err(AppError::NotFound(
                Refusal::new(
                    "region-err-not-region",
                    format!("{} is not a welfare region", region.key),
                )
                .arg("org", &region.key),
            ));
        }
        let mut members = vec![];
        for m in self.store.members_of(&region.key).await? {
            let mut reports = vec![];
            for r in self.store.reports_of(&m.key).await? {
                if r.org == m.key {
                    reports.push(self.region_report(r).await?);
                }
            }
            members.push(RegionMember { org: m, reports });
        }
        let followed: Vec<i64> = members
            .iter()
            .flat_map(|m| m.reports.iter())
            .flat_map(|r| r.followed_indicators.iter().copied())
            .collect();
        let indicator_titles = self
            .store
            .indicators()
            .await?
            .into_iter()
            .filter(|i| followed.contains(&i.id.0))
            .map(|i| (i.id.0, i.title))
            .collect();
        let own_reports = self
            .store
            .reports_of(&region.key)
            .await?
            .into_iter()
            .filter(|r| r.org == region.key && r.kind == ReportKind::RegionalReport)
            .collect();
        Ok(RegionOverview {
            region,
            members,
            own_reports,
            indicator_titles,
        })
    }

    async fn region_report(&self, r: Report) -> AppResult<RegionReport> {
        // The region reads; it sets no task's status.
        let process = self.process_of(&r, None, None).await?;
        let approval = if process.approval.published {
            "published"
        } else if process.approval.council_approved {
            "council_approved"
        } else {
            "in_preparation"
        };
        let obs: Vec<_> = self
            .store
            .observations(r.id)
            .await?
            .into_iter()
            .filter(|o| o.status != "dismissed" && o.status != "proposed")
            .collect();
        let pick = |k: ObservationKind| {
            obs.iter()
                .filter(|o| o.kind == k)
                .take(OVERVIEW_OBSERVATIONS)
                .map(|o| o.body.clone())
                .collect::<Vec<_>>()
        };
        let plan = self.store.plan(r.id).await?;
        let mut goal_tags: Vec<String> = vec![];
        for t in plan.goals.iter().flat_map(|g| g.tags.iter()) {
            push_once(&mut goal_tags, t.clone());
        }
        let mut followed_indicators: Vec<i64> = vec![];
        for f in &plan.followups {
            push_once(&mut followed_indicators, f.indicator_id);
        }
        Ok(RegionReport {
            current_phase: process.current_phase,
            done: process.done,
            total: process.total,
            overdue: process.phases.iter().map(|p| p.overdue).sum(),
            approval,
            concerns: pick(ObservationKind::Concern),
            joys: pick(ObservationKind::Joy),
            goals: plan.goals.iter().map(|g| g.title.clone()).collect(),
            goal_tags,
            followed_indicators,
            report: r,
        })
    }
}
