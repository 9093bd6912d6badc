//! TEAviisari scores, the process inputs of the HYTE coefficient.

use crate::{now_rfc3339, Store, StoreResult};
use hyte_domain::RegionKey;
use serde::Serialize;
use sqlx::Row;

/// One stored TEAviisari score.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = TeaviisariScore)]
pub struct StoredScore {
    /// Organisation.
    pub org: String,
    /// Collection year.
    pub year: i64,
    /// Sector id.
    pub sector: String,
    /// Perspective id.
    pub perspective: String,
    /// Score 0–100.
    pub score: f64,
    /// Who entered it.
    pub updated_by: String,
    /// When.
    pub updated_at: String,
}

/// A change to one score: `None` removes it.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreChange {
    /// Year.
    pub year: i64,
    /// Sector id.
    pub sector: String,
    /// Perspective id.
    pub perspective: String,
    /// New score, or `None` to remove.
    pub score: Option<f64>,
}

const COLUMNS: &str = "org_key, year, sector, perspective, score, updated_by, updated_at";

fn from_row(r: &sqlx::any::AnyRow) -> StoreResult<StoredScore> {
    Ok(StoredScore {
        org: r.try_get("org_key")?,
        year: r.try_get("year")?,
        sector: r.try_get("sector")?,
        perspective: r.try_get("perspective")?,
        score: r.try_get("score")?,
        updated_by: r.try_get("updated_by")?,
        updated_at: r.try_get("updated_at")?,
    })
}

impl Store {
    /// Every TEAviisari score of one organisation, newest year first.
    pub async fn teaviisari_scores(&self, org: &RegionKey) -> StoreResult<Vec<StoredScore>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM teaviisari_score WHERE org_key = $1 ORDER BY year DESC, sector, perspective"
        ))
        .bind(org.to_string())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// Every TEAviisari score of every organisation (for ranks among peers).
    pub async fn all_teaviisari_scores(&self) -> StoreResult<Vec<StoredScore>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM teaviisari_score ORDER BY org_key, year, sector, perspective"
        ))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(from_row).collect()
    }
}

impl crate::tx::Tx {
    /// Applies score changes of one organisation (all or nothing with the transaction).
    /// Returns how many rows changed (scores equal to the stored ones are left alone).
    pub async fn put_teaviisari_scores(
        &mut self,
        org: &RegionKey,
        changes: &[ScoreChange],
        user_email: &str,
    ) -> StoreResult<usize> {
        let now = now_rfc3339();
        let mut changed = 0;
        for c in changes {
            let current: Option<f64> = sqlx::query(
                "SELECT score FROM teaviisari_score WHERE org_key = $1 AND year = $2 AND sector = $3 AND perspective = $4",
            )
            .bind(org.to_string())
            .bind(c.year)
            .bind(c.sector.clone())
            .bind(c.perspective.clone())
            .fetch_optional(self.conn())
            .await?
            .map(|r| r.try_get::<f64, _>("score"))
            .transpose()?;
            match (current, c.score) {
                (None, None) => {}
                (Some(old), Some(new)) if (old - new).abs() < 1e-9 => {}
                (_, None) => {
                    sqlx::query(
                        "DELETE FROM teaviisari_score WHERE org_key = $1 AND year = $2 AND sector = $3 AND perspective = $4",
                    )
                    .bind(org.to_string())
                    .bind(c.year)
                    .bind(c.sector.clone())
                    .bind(c.perspective.clone())
                    .execute(self.conn())
                    .await?;
                    changed += 1;
                }
                (_, Some(score)) => {
                    sqlx::query(
                        "INSERT INTO teaviisari_score (org_key, year, sector, perspective, score, updated_by, updated_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7)
                         ON CONFLICT (org_key, year, sector, perspective) DO UPDATE SET score = excluded.score,
                           updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                    )
                    .bind(org.to_string())
                    .bind(c.year)
                    .bind(c.sector.clone())
                    .bind(c.perspective.clone())
                    .bind(score)
                    .bind(user_email.to_string())
                    .bind(now.clone())
                    .execute(self.conn())
                    .await?;
                    changed += 1;
                }
            }
        }
        Ok(changed)
    }
}
