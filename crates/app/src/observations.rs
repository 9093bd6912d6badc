//! Joys and concerns (ilon- ja huolenaiheet): recorded by people, proposed by Hyte
//! from the data, or collected by a welfare region's report from its member
//! municipalities' reports; accepted or dismissed by the working group.

use crate::access::ReportCtx;
use crate::indicators::{word, POPULATION_GROUPS};
use crate::{App, AppError, AppResult, Changed, Refusal};
use hyte_domain::report::{ObservationKind, ObservationOrigin, ReportKind};
use hyte_domain::{IndicatorId, RegionCategory};
use hyte_store::indicators::Indicator;
use hyte_store::reports::{CollectedObservation, Observation};
use serde::Serialize;
use std::collections::HashSet;

/// Most indicators linked to one joy or concern.
pub const MAX_LINKS: usize = 50;
/// Longest text of a joy or concern.
pub const MAX_TEXT_CHARS: usize = 2000;
/// Longest sector name.
pub const MAX_SECTOR_CHARS: usize = 100;
/// The statuses a person sets (`proposed` is Hyte's own).
pub const PERSON_STATUSES: [&str; 3] = ["open", "accepted", "dismissed"];

/// A new joy or concern from a person, as the user gave it (the words are parsed
/// after the caller is authorised).
#[derive(Debug, Clone, Default)]
pub struct ObservationInput {
    /// `joy` or `concern`.
    pub kind: String,
    /// Text, 1–2 000 characters.
    pub text: String,
    /// Sector.
    pub sector: Option<String>,
    /// Origin; not `data` (Hyte's proposals) nor `municipality` (collected items).
    pub origin: String,
    /// Population group.
    pub population_group: Option<String>,
    /// Linked indicators.
    pub indicators: Vec<i64>,
}

/// A change of a joy or concern; `None` keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct ObservationPatch {
    /// New status: `open`, `accepted` or `dismissed` (editors and up).
    pub status: Option<String>,
    /// New linked indicators (commenters and up).
    pub indicators: Option<Vec<i64>>,
}

/// Why the data proposes an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProposalReason {
    /// Significantly worse than the whole country.
    Worse,
    /// The trend is getting worse.
    GettingWorse,
    /// Significantly better than the whole country.
    Better,
}

impl ProposalReason {
    /// A stable name (`worse`, `getting-worse`, `better`) for the proposal's text.
    pub fn as_str(self) -> &'static str {
        match self {
            ProposalReason::Worse => "worse",
            ProposalReason::GettingWorse => "getting-worse",
            ProposalReason::Better => "better",
        }
    }
}

/// The proposal rule: a concern where the organisation's latest value is
/// significantly worse than the whole country or its trend is getting worse, a joy
/// where it is significantly better, nothing otherwise.
pub fn proposal_reason(
    better_than_benchmark: Option<bool>,
    trend_better: Option<bool>,
) -> Option<(ObservationKind, ProposalReason)> {
    match (better_than_benchmark, trend_better) {
        (Some(false), _) => Some((ObservationKind::Concern, ProposalReason::Worse)),
        (_, Some(false)) => Some((ObservationKind::Concern, ProposalReason::GettingWorse)),
        (Some(true), _) => Some((ObservationKind::Joy, ProposalReason::Better)),
        _ => None,
    }
}

/// One of Hyte's proposals from the data, worded by the adapter in the reader's
/// language.
#[derive(Debug, Clone)]
pub struct Proposal {
    /// The indicator the proposal rests on.
    pub indicator_id: i64,
    /// Joy or concern ([`proposal_reason`]).
    pub kind: ObservationKind,
    /// The text.
    pub text: String,
    /// The indicator's population group.
    pub population_group: Option<String>,
}

/// What collecting from the member municipalities brought.
#[derive(Debug, Clone, Serialize)]
pub struct Collected {
    /// Ids of the new proposals in the region's report.
    pub ids: Vec<i64>,
    /// Member municipalities of the region.
    pub members: usize,
    /// Municipalities that had a report of an overlapping term.
    pub reports_read: usize,
}

fn check_group(group: Option<&str>) -> AppResult<Option<String>> {
    let group = group.map(str::trim).filter(|g| !g.is_empty());
    if let Some(g) = group {
        if !POPULATION_GROUPS.contains(&g) {
            return Err(AppError::invalid(
                "population_group",
                Refusal::new(
                    "rd-error-group",
                    format!(
                        "'{g}' is not a population group: use one of {}",
                        POPULATION_GROUPS.join(", ")
                    ),
                )
                .arg("group", g),
            ));
        }
    }
    Ok(group.map(str::to_string))
}

fn check_sector(sector: Option<&str>) -> AppResult<Option<String>> {
    let sector = sector.map(str::trim).filter(|s| !s.is_empty());
    if sector.is_some_and(|s| s.chars().count() > MAX_SECTOR_CHARS) {
        return Err(AppError::invalid(
            "sector",
            Refusal::new(
                "rd-error-obs-sector",
                "the sector is too long (at most 100 characters)",
            ),
        ));
    }
    Ok(sector.map(str::to_string))
}

fn check_origin(v: &str) -> AppResult<ObservationOrigin> {
    let origin: ObservationOrigin = word("origin", "rd-error-origin", v)?;
    let reserved = match origin {
        ObservationOrigin::Data => Some((
            "rd-error-origin-data",
            "the origin 'data' is reserved for Hyte's proposals from the data; choose where the joy or concern came from",
        )),
        ObservationOrigin::Municipality => Some((
            "rd-error-origin-municipality",
            "the origin 'municipality' is reserved for items a welfare region's report collects from its member municipalities; choose where the joy or concern came from",
        )),
        _ => None,
    };
    match reserved {
        Some((key, english)) => Err(AppError::invalid("origin", Refusal::new(key, english))),
        None => Ok(origin),
    }
}

fn check_status(v: &str) -> AppResult<String> {
    let status = v.trim();
    if !PERSON_STATUSES.contains(&status) {
        return Err(AppError::invalid(
            "status",
            Refusal::new(
                "rd-error-obs-status",
                format!(
                    "'{status}' is not a status a person sets: use accepted, dismissed or open"
                ),
            )
            .arg("status", status),
        ));
    }
    Ok(status.to_string())
}

fn id_list(ids: &[i64]) -> String {
    ids.iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

impl App {
    /// Checks that a joy or concern belongs to the report (404 otherwise).
    pub async fn observation_of(&self, ctx: &ReportCtx, oid: i64) -> AppResult<()> {
        match self.store.observation_report(oid).await? {
            Some(r) if r == ctx.report.id => Ok(()),
            _ => Err(AppError::NotFound(
                Refusal::new(
                    "rd-error-no-observation",
                    format!("no joy or concern {oid} in this report"),
                )
                .arg("id", oid),
            )),
        }
    }

    /// Linked indicators: each known to Hyte, without duplicates, at most 50.
    async fn check_links(&self, ids: &[i64]) -> AppResult<Vec<i64>> {
        let mut out: Vec<i64> = Vec::new();
        for id in ids {
            if self.store.indicator(IndicatorId(*id)).await?.is_none() {
                return Err(AppError::invalid(
                    "indicators",
                    Refusal::new(
                        "rd-error-link-unknown",
                        format!("Hyte has no indicator {id}; link indicators from the catalogue"),
                    )
                    .arg("id", id),
                ));
            }
            if !out.contains(id) {
                out.push(*id);
            }
        }
        if out.len() > MAX_LINKS {
            return Err(AppError::invalid(
                "indicators",
                Refusal::new(
                    "rd-error-too-many-links",
                    "link at most 50 indicators to one joy or concern",
                )
                .arg("max", MAX_LINKS),
            ));
        }
        Ok(out)
    }

    /// Records a joy or concern from a person (commenters and up), open for the
    /// group's decision. Returns its id.
    pub async fn add_observation(
        &self,
        ctx: &ReportCtx,
        input: &ObservationInput,
    ) -> AppResult<(i64, Changed)> {
        ctx.require(
            ctx.access.can_contribute(),
            "rd-error-observe-forbidden",
            "readers cannot add joys or concerns",
        )?;
        let kind: ObservationKind = word("kind", "rd-error-obs-kind", &input.kind)?;
        let origin = check_origin(&input.origin)?;
        let group = check_group(input.population_group.as_deref())?;
        let sector = check_sector(input.sector.as_deref())?;
        let indicators = self.check_links(&input.indicators).await?;
        let text = input.text.trim();
        if text.is_empty() || text.chars().count() > MAX_TEXT_CHARS {
            return Err(AppError::invalid(
                "text",
                Refusal::new(
                    "rd-error-obs-text",
                    "the text of a joy or concern must be 1–2 000 characters",
                ),
            ));
        }
        let mut tx = self.store.begin().await?;
        let oid = tx
            .add_observation(
                ctx.report.id,
                kind,
                text,
                sector.as_deref(),
                origin,
                group.as_deref(),
                "open",
                &indicators,
                ctx.actor.email(),
            )
            .await?;
        tx.audit(&ctx.audit(
            "report_observation_added",
            format!(
                "report {}: {kind} {oid} from {origin}, indicators [{}]",
                ctx.report.id,
                id_list(&indicators)
            ),
        ))
        .await?;
        tx.commit().await?;
        Ok((oid, Changed::Report(ctx.report.id)))
    }

    /// Accepts, dismisses or reopens a joy or concern (editors and up) and/or changes
    /// its linked indicators (commenters and up), both in one transaction.
    pub async fn update_observation(
        &self,
        ctx: &ReportCtx,
        oid: i64,
        patch: &ObservationPatch,
    ) -> AppResult<Changed> {
        if patch.status.is_some() {
            ctx.require(
                ctx.access.can_write(),
                "rd-error-status-forbidden",
                "only the report's editors and coordinators accept or dismiss joys and concerns",
            )?;
        }
        if patch.indicators.is_some() {
            ctx.require(
                ctx.access.can_contribute(),
                "rd-error-links-forbidden",
                "readers cannot change joys or concerns",
            )?;
        }
        if patch.status.is_none() && patch.indicators.is_none() {
            return Err(AppError::refused(
                "rd-error-nothing-to-change",
                "nothing to change: give status or indicators",
            ));
        }
        self.observation_of(ctx, oid).await?;
        let links = match &patch.indicators {
            Some(ids) => Some(self.check_links(ids).await?),
            None => None,
        };
        let status = patch.status.as_deref().map(check_status).transpose()?;
        let mut tx = self.store.begin().await?;
        if let Some(ids) = links {
            tx.set_observation_indicators(oid, &ids).await?;
            tx.audit(&ctx.audit(
                "report_observation_indicators",
                format!(
                    "report {}: joy/concern {oid} linked to [{}]",
                    ctx.report.id,
                    id_list(&ids)
                ),
            ))
            .await?;
        }
        if let Some(status) = status {
            tx.set_observation_status(oid, &status).await?;
            tx.audit(&ctx.audit(
                "report_observation_status",
                format!("report {}: joy/concern {oid} is {status}", ctx.report.id),
            ))
            .await?;
        }
        tx.commit().await?;
        Ok(Changed::Report(ctx.report.id))
    }

    fn require_propose(ctx: &ReportCtx) -> AppResult<()> {
        ctx.require(
            ctx.access.can_contribute(),
            "rd-error-propose-forbidden",
            "readers cannot ask for proposals",
        )
    }

    /// The indicators Hyte may still propose from (commenters and up): those with
    /// values that no earlier proposal of this report rests on (also a dismissed
    /// one: an indicator is proposed at most once per report).
    pub async fn proposable_indicators(&self, ctx: &ReportCtx) -> AppResult<Vec<Indicator>> {
        Self::require_propose(ctx)?;
        let already = self.proposed_indicators(ctx).await?;
        let counts = self.store.value_counts().await?;
        Ok(self
            .store
            .indicators()
            .await?
            .into_iter()
            .filter(|i| !already.contains(&i.id.0) && counts.get(&i.id.0).copied().unwrap_or(0) > 0)
            .collect())
    }

    async fn proposed_indicators(&self, ctx: &ReportCtx) -> AppResult<HashSet<i64>> {
        Ok(self
            .store
            .observations(ctx.report.id)
            .await?
            .into_iter()
            .filter(|o| o.origin == ObservationOrigin::Data)
            .flat_map(|o| o.indicators)
            .collect())
    }

    /// Stores Hyte's proposals from the data as `proposed` items of origin `data`
    /// (commenters and up), skipping indicators proposed before. Returns the new ids;
    /// proposals that added something are audited.
    pub async fn add_proposals(
        &self,
        ctx: &ReportCtx,
        proposals: &[Proposal],
    ) -> AppResult<(Vec<i64>, Changed)> {
        Self::require_propose(ctx)?;
        let mut already = self.proposed_indicators(ctx).await?;
        let mut tx = self.store.begin().await?;
        let mut created = vec![];
        for p in proposals {
            if !already.insert(p.indicator_id) {
                continue;
            }
            let id = tx
                .add_observation(
                    ctx.report.id,
                    p.kind,
                    &p.text,
                    None,
                    ObservationOrigin::Data,
                    p.population_group.as_deref(),
                    "proposed",
                    &[p.indicator_id],
                    ctx.actor.email(),
                )
                .await?;
            created.push(id);
        }
        if !created.is_empty() {
            tx.audit(&ctx.audit(
                "report_observations_proposed",
                format!(
                    "report {}: {} joys and concerns proposed from the data",
                    ctx.report.id,
                    created.len()
                ),
            ))
            .await?;
        }
        tx.commit().await?;
        Ok((created, Changed::Report(ctx.report.id)))
    }

    /// The welfare region's report collects its member municipalities' strengths and
    /// concerns (commenters and up). From every member municipality's current term
    /// report (its newest own term report whose council term overlaps this
    /// report's), the joys and concerns its working group recorded or accepted (not
    /// Hyte's open proposals, not dismissed items) are copied as proposals with their
    /// source and linked indicators; the region's group then accepts or dismisses
    /// each. Collecting again brings only items not collected before.
    pub async fn collect_from_members(&self, ctx: &ReportCtx) -> AppResult<(Collected, Changed)> {
        ctx.require(
            ctx.access.can_contribute(),
            "rd-error-collect-forbidden",
            "readers cannot collect joys and concerns",
        )?;
        let report = &ctx.report;
        if report.org.category() != RegionCategory::Hyvinvointialue {
            return Err(AppError::refused(
                "rd-error-collect-municipality",
                "only a welfare region's report collects joys and concerns from its member municipalities; this report belongs to a municipality",
            ));
        }
        let members = self.store.members_of(&report.org).await?;
        let mut sources: Vec<(String, Observation)> = vec![];
        let mut reports_read = 0;
        for m in &members {
            // Newest term first: a municipality's current report, not its previous
            // term's (whose items would arrive twice in other words).
            let current = self.store.reports_of(&m.key).await?.into_iter().find(|r| {
                r.org == m.key
                    && r.kind == ReportKind::TermReport
                    && r.term_start <= report.term_end
                    && r.term_end >= report.term_start
            });
            let Some(r) = current else { continue };
            reports_read += 1;
            for o in self.store.observations(r.id).await? {
                if o.status == "open" || o.status == "accepted" {
                    sources.push((m.key.to_string(), o));
                }
            }
        }
        let items: Vec<CollectedObservation<'_>> = sources
            .iter()
            .map(|(org, o)| CollectedObservation {
                source_org: org,
                source: o,
            })
            .collect();
        let mut tx = self.store.begin().await?;
        let ids = tx
            .collect_observations(report.id, &items, ctx.actor.email())
            .await?;
        tx.audit(&ctx.audit(
            "report_observations_collected",
            format!(
                "report {}: {} joys and concerns collected from {} member municipality reports",
                report.id,
                ids.len(),
                reports_read
            ),
        ))
        .await?;
        tx.commit().await?;
        let collected = Collected {
            ids,
            members: members.len(),
            reports_read,
        };
        Ok((collected, Changed::Report(report.id)))
    }
}
