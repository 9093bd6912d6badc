//! Published reports: what anyone may read without signing in. A report is public
//! while its publication is on (`report_publication.published_at`); an unpublished
//! report is answered as absent, so that its existence is not revealed.

use crate::{App, AppResult};
use hyte_domain::RegionKey;
use hyte_store::approval::ApprovalFacts;
use hyte_store::publication::Publication;
use hyte_store::reports::{Observation, Report};
use hyte_store::versions::VersionDocument;

/// What a report's published document is made of: the approved (frozen) version
/// when the council has approved one (its text, numbers, joys and concerns, summary
/// and infographic choices), otherwise the current ones.
pub struct DocumentSource {
    /// Approval facts (decision, latest version).
    pub facts: ApprovalFacts,
    /// The latest version when the council approved it.
    pub frozen: Option<VersionDocument>,
    /// Sections in order: id, heading, body (Markdown with indicator blocks).
    pub texts: Vec<(i64, String, String)>,
    /// The report's observations (strengths and concerns): as frozen with the
    /// approved version, else the current ones.
    pub observations: Vec<Observation>,
    /// The summary and the infographic's indicators: as frozen with the approved
    /// version, else the current publication settings.
    pub summary: String,
    /// See [`DocumentSource::summary`].
    pub infographic: Vec<i64>,
}

impl App {
    /// A report on the public site with its publication; `None` when it does not
    /// exist or is not public.
    pub async fn published_report(&self, id: i64) -> AppResult<Option<(Report, Publication)>> {
        let Some(report) = self.store.report(id).await? else {
            return Ok(None);
        };
        let publication = self.store.publication(id).await?;
        if !publication.is_published() {
            return Ok(None);
        }
        Ok(Some((report, publication)))
    }

    /// Ids of an organisation's published reports (owner or partner), newest first.
    pub async fn published_report_ids(&self, org: &RegionKey) -> AppResult<Vec<i64>> {
        Ok(self.store.published_report_ids(org).await?)
    }

    /// The texts, frozen version and observations of a report's document. The
    /// caller holds `report` from [`App::published_report`] (public) or from an
    /// authorised [`crate::ReportCtx`]; nothing else hands out a `Report`.
    pub async fn document_source(&self, report: &Report) -> AppResult<DocumentSource> {
        let facts = self.store.approval_facts(report.id).await?;
        let frozen = match facts.latest_version {
            Some(n) if facts.council_approved => self.store.version_document(report.id, n).await?,
            _ => None,
        };
        let texts: Vec<(i64, String, String)> = match &frozen {
            Some(d) => d
                .sections
                .iter()
                .map(|s| (s.section_id, s.heading.clone(), s.body.clone()))
                .collect(),
            None => self
                .store
                .sections(report.id)
                .await?
                .into_iter()
                .map(|s| (s.id, s.heading, s.body))
                .collect(),
        };
        // Approved before Hyte froze these (no content in the version): current.
        let content = match frozen.as_ref().and_then(|d| d.content.clone()) {
            Some(c) => c,
            None => {
                let publication = self.store.publication(report.id).await?;
                hyte_store::versions::FrozenContent {
                    observations: self.store.observations(report.id).await?,
                    summary: publication.summary,
                    infographic: publication.infographic,
                }
            }
        };
        Ok(DocumentSource {
            facts,
            frozen,
            texts,
            observations: content.observations,
            summary: content.summary,
            infographic: content.infographic,
        })
    }

    /// Whether the database answers (health check).
    pub async fn ping(&self) -> AppResult<()> {
        Ok(self.store.ping().await?)
    }
}
