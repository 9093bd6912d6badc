//! Publication of reports: the interim "publish now (preview)" switch, the
//! plain-language summary and the coordinator's choice of infographic indicators.
//!
//! `published_at` stands in for the approval workflow's `published` state until that
//! lands; every public route asks [`Store::publication`] and serves nothing without it.

use crate::{now_rfc3339, opt_str, Store, StoreResult};
use serde::Serialize;
use sqlx::Row;

/// How a report is published.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Publication {
    /// When it was published (`None`: not public).
    pub published_at: Option<String>,
    /// Who published it.
    pub published_by: Option<String>,
    /// Plain-language summary (empty: generated from joys and concerns).
    pub summary: String,
    /// Indicator ids chosen for the infographic (empty: chosen automatically).
    pub infographic: Vec<i64>,
    /// Last change.
    pub updated_at: Option<String>,
}

impl Publication {
    /// Whether the report may be served without signing in.
    pub fn is_published(&self) -> bool {
        self.published_at.is_some()
    }
}

impl Store {
    /// The publication record of a report (default: unpublished, nothing chosen).
    pub async fn publication(&self, report_id: i64) -> StoreResult<Publication> {
        let row = sqlx::query(
            "SELECT published_at, published_by, summary, infographic, updated_at FROM report_publication WHERE report_id = $1",
        )
        .bind(report_id)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else {
            return Ok(Publication::default());
        };
        let infographic: String = row.try_get("infographic")?;
        Ok(Publication {
            published_at: opt_str(&row, "published_at")?,
            published_by: opt_str(&row, "published_by")?,
            summary: row.try_get("summary")?,
            infographic: infographic
                .split(',')
                .filter_map(|s| s.trim().parse().ok())
                .collect(),
            updated_at: Some(row.try_get("updated_at")?),
        })
    }

    /// Ids of an organisation's published reports (owner or partner), newest first.
    pub async fn published_report_ids(
        &self,
        org: &hyte_domain::RegionKey,
    ) -> StoreResult<Vec<i64>> {
        let rows = sqlx::query(
            "SELECT r.id FROM report r JOIN report_publication p ON p.report_id = r.id
             WHERE p.published_at IS NOT NULL
               AND (r.org_key = $1 OR r.id IN (SELECT report_id FROM report_partner WHERE org_key = $1 AND state = 'accepted'))
             ORDER BY r.term_start DESC, r.id DESC",
        )
        .bind(org.to_string())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok(r.try_get::<i64, _>("id")?))
            .collect()
    }
}

impl crate::tx::Tx {
    /// Publishes (`true`) or withdraws (`false`) a report.
    pub async fn set_published(&mut self, report_id: i64, on: bool, by: &str) -> StoreResult<()> {
        let now = now_rfc3339();
        let at = on.then(|| now.clone());
        let who = on.then(|| by.to_string());
        sqlx::query(
            "INSERT INTO report_publication (report_id, published_at, published_by, updated_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (report_id) DO UPDATE SET published_at = $2, published_by = $3, updated_at = $4",
        )
        .bind(report_id)
        .bind(at)
        .bind(who)
        .bind(now)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Saves the plain-language summary and the infographic's indicators.
    pub async fn set_publication_content(
        &mut self,
        report_id: i64,
        summary: &str,
        infographic: &[i64],
    ) -> StoreResult<()> {
        if summary.chars().count() > 20_000 {
            return Err(crate::StoreError::Invalid(
                "the summary must be at most 20 000 characters".into(),
            ));
        }
        let list = infographic
            .iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(",");
        sqlx::query(
            "INSERT INTO report_publication (report_id, summary, infographic, updated_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (report_id) DO UPDATE SET summary = $2, infographic = $3, updated_at = $4",
        )
        .bind(report_id)
        .bind(summary.to_string())
        .bind(list)
        .bind(now_rfc3339())
        .execute(self.conn())
        .await?;
        Ok(())
    }
}
