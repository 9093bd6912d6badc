//! Areas and organisations.

use crate::{opt_str, Store, StoreError, StoreResult};
use hyte_domain::{RegionCategory, RegionKey};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

/// An area Hyte knows: a municipality, welfare region, maakunta, sub-region, the
/// country, or a former municipality that has merged (`valid_to` set).
#[derive(Debug, Clone, Serialize)]
pub struct Region {
    /// `CATEGORY:CODE`.
    pub key: RegionKey,
    /// Finnish name.
    pub name_fi: String,
    /// Swedish name.
    pub name_sv: String,
    /// English name.
    pub name_en: String,
    /// The welfare region a municipality belongs to.
    pub welfare_region: Option<RegionKey>,
    /// The maakunta a municipality belongs to.
    pub maakunta: Option<RegionKey>,
    /// The sub-region a municipality belongs to.
    pub seutukunta: Option<RegionKey>,
    /// Statistics Finland's language status (kielisuhde) code: 0 Finnish, 1 bilingual
    /// with a Finnish majority, 2 Swedish, 3 bilingual with a Swedish majority.
    pub language_status: Option<i64>,
    /// Statistics Finland's urban/rural grouping (kuntaryhmitys): 1 urban,
    /// 2 semi-urban, 3 rural.
    pub urban_class: Option<i64>,
    /// Last year the area existed, for former municipalities.
    pub valid_to: Option<i64>,
    /// The municipality a former municipality merged into.
    pub successor: Option<RegionKey>,
    /// Sotkanet's internal region id, where known.
    pub sotkanet_id: Option<i64>,
}

impl Region {
    /// The name in a UI language (`fi`, `sv`, `en`), Finnish as the fallback.
    pub fn name(&self, lang: &str) -> &str {
        let n = match lang {
            "sv" => &self.name_sv,
            "en" => &self.name_en,
            _ => &self.name_fi,
        };
        if n.is_empty() {
            &self.name_fi
        } else {
            n
        }
    }

    /// The official languages, majority language first (`["fi", "sv"]` for a
    /// bilingual municipality with a Finnish majority).
    pub fn languages(&self) -> Vec<&'static str> {
        match self.language_status {
            Some(1) => vec!["fi", "sv"],
            Some(2) => vec!["sv"],
            Some(3) => vec!["sv", "fi"],
            _ => vec!["fi"],
        }
    }

    /// Whether the area still exists.
    pub fn is_current(&self) -> bool {
        self.valid_to.is_none()
    }
}

pub(crate) const REGION_COLUMNS: &str = "key, name_fi, name_sv, name_en, welfare_region, maakunta, seutukunta, language_status, urban_class, valid_to, successor, sotkanet_id";

fn parse_key(s: Option<String>) -> StoreResult<Option<RegionKey>> {
    s.map(|s| {
        s.parse::<RegionKey>()
            .map_err(|e| StoreError::Invalid(e.to_string()))
    })
    .transpose()
}

pub(crate) fn region_from_row(row: &AnyRow) -> StoreResult<Region> {
    let key: String = row.try_get("key")?;
    Ok(Region {
        key: key
            .parse()
            .map_err(|e: hyte_domain::RegionKeyError| StoreError::Invalid(e.to_string()))?,
        name_fi: row.try_get("name_fi")?,
        name_sv: row.try_get("name_sv")?,
        name_en: row.try_get("name_en")?,
        welfare_region: parse_key(opt_str(row, "welfare_region")?)?,
        maakunta: parse_key(opt_str(row, "maakunta")?)?,
        seutukunta: parse_key(opt_str(row, "seutukunta")?)?,
        language_status: row.try_get("language_status")?,
        urban_class: row.try_get("urban_class")?,
        valid_to: row.try_get("valid_to")?,
        successor: parse_key(opt_str(row, "successor")?)?,
        sotkanet_id: row.try_get("sotkanet_id")?,
    })
}

impl Store {
    /// Areas of a category (all if `None`), current ones first, ordered by code.
    pub async fn regions(&self, category: Option<RegionCategory>) -> StoreResult<Vec<Region>> {
        let rows = match category {
            Some(c) => {
                sqlx::query(&format!(
                    "SELECT {REGION_COLUMNS} FROM region WHERE category = $1 ORDER BY valid_to IS NOT NULL, code"
                ))
                .bind(c.as_str())
                .fetch_all(self.pool())
                .await?
            }
            None => {
                sqlx::query(&format!(
                    "SELECT {REGION_COLUMNS} FROM region ORDER BY category, valid_to IS NOT NULL, code"
                ))
                .fetch_all(self.pool())
                .await?
            }
        };
        rows.iter().map(region_from_row).collect()
    }

    /// The organisations that can own a workspace: the 308 current municipalities and
    /// the 23 welfare-region level organisations (21 counties, Helsinki, Åland).
    pub async fn organisations(&self) -> StoreResult<Vec<Region>> {
        let rows = sqlx::query(&format!(
            "SELECT {REGION_COLUMNS} FROM region WHERE category IN ('HYVINVOINTIALUE', 'KUNTA') AND valid_to IS NULL ORDER BY CASE category WHEN 'HYVINVOINTIALUE' THEN 0 ELSE 1 END, code"
        ))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(region_from_row).collect()
    }

    /// One area by key, or `None`.
    pub async fn region(&self, key: &RegionKey) -> StoreResult<Option<Region>> {
        let row = sqlx::query(&format!(
            "SELECT {REGION_COLUMNS} FROM region WHERE key = $1"
        ))
        .bind(key.to_string())
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(region_from_row).transpose()
    }

    /// Current member municipalities of a welfare region.
    pub async fn members_of(&self, welfare_region: &RegionKey) -> StoreResult<Vec<Region>> {
        let rows = sqlx::query(&format!(
            "SELECT {REGION_COLUMNS} FROM region WHERE welfare_region = $1 AND category = 'KUNTA' AND valid_to IS NULL ORDER BY name_fi"
        ))
        .bind(welfare_region.to_string())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(region_from_row).collect()
    }

    /// Former municipalities that merged into this one.
    pub async fn predecessors_of(&self, key: &RegionKey) -> StoreResult<Vec<Region>> {
        let rows = sqlx::query(&format!(
            "SELECT {REGION_COLUMNS} FROM region WHERE successor = $1 ORDER BY valid_to, name_fi"
        ))
        .bind(key.to_string())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(region_from_row).collect()
    }

    /// Inserts or updates an area by key.
    pub async fn upsert_region(&self, r: &Region) -> StoreResult<()> {
        upsert_region_on(self.pool(), r).await?;
        self.invalidate_regions();
        Ok(())
    }
}

pub(crate) async fn upsert_region_on<'e, E>(exec: E, r: &Region) -> StoreResult<()>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query(
        "INSERT INTO region (key, category, code, name_fi, name_sv, name_en, welfare_region, maakunta, seutukunta, language_status, urban_class, valid_to, successor, sotkanet_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
         ON CONFLICT (key) DO UPDATE SET name_fi = excluded.name_fi, name_sv = excluded.name_sv, name_en = excluded.name_en,
           welfare_region = excluded.welfare_region, maakunta = excluded.maakunta, seutukunta = excluded.seutukunta,
           language_status = excluded.language_status, urban_class = excluded.urban_class, valid_to = excluded.valid_to,
           successor = excluded.successor, sotkanet_id = COALESCE(excluded.sotkanet_id, region.sotkanet_id)",
    )
    .bind(r.key.to_string())
    .bind(r.key.category().as_str())
    .bind(r.key.code().to_string())
    .bind(r.name_fi.clone())
    .bind(r.name_sv.clone())
    .bind(r.name_en.clone())
    .bind(r.welfare_region.as_ref().map(|k| k.to_string()))
    .bind(r.maakunta.as_ref().map(|k| k.to_string()))
    .bind(r.seutukunta.as_ref().map(|k| k.to_string()))
    .bind(r.language_status)
    .bind(r.urban_class)
    .bind(r.valid_to)
    .bind(r.successor.as_ref().map(|k| k.to_string()))
    .bind(r.sotkanet_id)
    .execute(exec)
    .await?;
    Ok(())
}
