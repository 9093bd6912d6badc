//! Indicator definitions, stored values and import history.

use crate::orgs::{region_from_row, Region, REGION_COLUMNS};
use crate::{now_rfc3339, opt_str, Store, StoreError, StoreResult};
use hyte_domain::{IndicatorId, Polarity, RegionKey, Sex, ValueUnit};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::HashMap;

/// Text in the three UI languages.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct Localized {
    /// Finnish.
    pub fi: String,
    /// Swedish.
    pub sv: String,
    /// English.
    pub en: String,
}

impl Localized {
    /// The text in `lang`, falling back to Finnish, then English.
    pub fn get(&self, lang: &str) -> &str {
        let t = match lang {
            "sv" => &self.sv,
            "en" => &self.en,
            _ => &self.fi,
        };
        if !t.is_empty() {
            t
        } else if !self.fi.is_empty() {
            &self.fi
        } else {
            &self.en
        }
    }
}

/// What the denominator of a value is, so that counts can be derived for intervals
/// and benchmarks where that is exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Denominator {
    /// The whole resident population (indicator 127, population on 31 Dec).
    Population,
    /// Unknown or another population: no derivation.
    None,
}

/// An indicator definition with its curated metadata.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Indicator {
    /// Sotkanet id.
    pub id: IndicatorId,
    /// Title.
    pub title: Localized,
    /// Unit code (Sotkanet `primaryValueType.code`).
    pub unit: String,
    /// Display decimals.
    pub decimals: i64,
    /// Which direction is good.
    pub polarity: Polarity,
    /// Denominator, for derived counts.
    pub denominator: Denominator,
    /// register | survey | projection | finance | other.
    pub kind: String,
    /// Producer organisation.
    pub producer: Localized,
    /// Definition (sanitised HTML).
    pub description: Localized,
    /// Interpretation (sanitised HTML).
    pub interpretation: Localized,
    /// Known limitations (sanitised HTML).
    pub limits: Localized,
    /// Theme, for grouping.
    pub theme: Option<String>,
    /// Population group (children_families, young_people, working_age, older_people, whole_population).
    pub population_group: Option<String>,
    /// Sexes with data, e.g. `total` or `total,male,female`.
    pub sexes: String,
    /// Sotkanet's `data-updated`.
    pub data_updated: Option<String>,
    /// First year with data.
    pub range_start: Option<i64>,
    /// Last year with data.
    pub range_end: Option<i64>,
    /// Where the definition came from (`sotkanet_snapshot_2013`, `sotkanet_api`, ...).
    pub source: String,
    /// Last change of this definition.
    pub updated_at: String,
}

impl Indicator {
    /// The unit as a domain value.
    pub fn value_unit(&self) -> ValueUnit {
        ValueUnit::from_code(&self.unit)
    }

    /// Whether values are weighted survey estimates (no count-based interval).
    pub fn is_survey(&self) -> bool {
        self.kind == "survey"
    }

    /// Sotkanet's public metadata page for this indicator.
    pub fn sotkanet_url(&self, lang: &str) -> String {
        let l = match lang {
            "sv" | "en" => lang,
            _ => "fi",
        };
        format!(
            "https://sotkanet.fi/sotkanet/{l}/metadata/indicators/{}",
            self.id
        )
    }
}

const INDICATOR_COLUMNS: &str = "id, title_fi, title_sv, title_en, unit, decimals, polarity, denominator, kind, producer_fi, producer_sv, producer_en, description_fi, description_sv, description_en, interpretation_fi, interpretation_sv, interpretation_en, limits_fi, limits_sv, limits_en, theme, population_group, sexes, data_updated, range_start, range_end, source, updated_at";

fn loc(row: &AnyRow, base: &str) -> StoreResult<Localized> {
    Ok(Localized {
        fi: opt_str(row, &format!("{base}_fi"))?.unwrap_or_default(),
        sv: opt_str(row, &format!("{base}_sv"))?.unwrap_or_default(),
        en: opt_str(row, &format!("{base}_en"))?.unwrap_or_default(),
    })
}

fn indicator_from_row(row: &AnyRow) -> StoreResult<Indicator> {
    let polarity: String = row.try_get("polarity")?;
    let denominator: String = row.try_get("denominator")?;
    Ok(Indicator {
        id: IndicatorId(row.try_get("id")?),
        title: loc(row, "title")?,
        unit: row.try_get("unit")?,
        decimals: row.try_get("decimals")?,
        polarity: polarity.parse().map_err(StoreError::Invalid)?,
        denominator: if denominator == "population" {
            Denominator::Population
        } else {
            Denominator::None
        },
        kind: row.try_get("kind")?,
        producer: loc(row, "producer")?,
        description: loc(row, "description")?,
        interpretation: loc(row, "interpretation")?,
        limits: loc(row, "limits")?,
        theme: opt_str(row, "theme")?,
        population_group: opt_str(row, "population_group")?,
        sexes: row.try_get("sexes")?,
        data_updated: opt_str(row, "data_updated")?,
        range_start: row.try_get("range_start")?,
        range_end: row.try_get("range_end")?,
        source: row.try_get("source")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// A stored value with its area.
#[derive(Debug, Clone, Serialize)]
pub struct StoredValue {
    /// Indicator.
    pub indicator: IndicatorId,
    /// Area.
    pub region: RegionKey,
    /// Year.
    pub year: i64,
    /// Sex.
    pub sex: Sex,
    /// The published (or derived) value.
    pub value: Option<f64>,
    /// Sotkanet's absolute value (count), where published.
    pub abs_value: Option<f64>,
    /// Whether Hyte derived the value from member areas.
    pub derived: bool,
    /// The import run that wrote it.
    pub import_id: i64,
}

/// Filter for [`Store::values`].
#[derive(Debug, Clone, Default)]
pub struct ValueQuery {
    /// Only these areas (all if empty).
    pub regions: Vec<RegionKey>,
    /// Only these years (all if empty).
    pub years: Vec<i64>,
    /// Only this sex (all if `None`).
    pub sex: Option<Sex>,
}

/// One import run as shown in the history.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportRun {
    /// Id.
    pub id: i64,
    /// When.
    pub at: String,
    /// Who.
    pub user_email: Option<String>,
    /// File name as given.
    pub file_name: String,
    /// Detected format.
    pub format: String,
    /// Source description.
    pub source: String,
    /// Data rows read.
    pub rows_total: i64,
    /// Rows inserted or changed.
    pub rows_changed: i64,
    /// Rows identical to the stored ones.
    pub rows_unchanged: i64,
    /// Rows skipped (areas of a level Hyte does not store).
    pub rows_skipped: i64,
    /// Indicators touched, comma-separated.
    pub indicators: String,
    /// Sotkanet's data-updated, where the file carried it.
    pub data_updated: Option<String>,
    /// SHA-256 of the file.
    pub sha256: String,
}

impl Store {
    /// Inserts or replaces an indicator definition. Curated fields an admin has set
    /// are replaced too; callers that import source metadata use
    /// [`Store::upsert_indicator_source`] to keep curation.
    pub async fn put_indicator(&self, i: &Indicator) -> StoreResult<()> {
        put_indicator_query(i).execute(self.pool()).await?;
        Ok(())
    }

    /// Stores source metadata for an indicator while keeping what Hyte curates
    /// (polarity, denominator, kind, theme, population group) if it is already known.
    pub async fn upsert_indicator_source(&self, i: Indicator) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        tx.upsert_indicator_source(i).await?;
        tx.commit().await
    }

    /// One indicator.
    pub async fn indicator(&self, id: IndicatorId) -> StoreResult<Option<Indicator>> {
        let row = sqlx::query(&format!(
            "SELECT {INDICATOR_COLUMNS} FROM indicator WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(indicator_from_row).transpose()
    }

    /// All indicators, by theme and title.
    pub async fn indicators(&self) -> StoreResult<Vec<Indicator>> {
        let rows = sqlx::query(&format!(
            "SELECT {INDICATOR_COLUMNS} FROM indicator ORDER BY theme, title_fi"
        ))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(indicator_from_row).collect()
    }

    /// Stored values of one indicator, filtered.
    pub async fn values(&self, id: IndicatorId, q: &ValueQuery) -> StoreResult<Vec<StoredValue>> {
        // Region and year lists are bound values; the IN lists are built from
        // placeholders only, never from input text.
        let mut sql = String::from(
            "SELECT r.key AS region_key, d.year, d.sex, d.value, d.abs_value, d.derived, d.import_id
             FROM data_point d JOIN region r ON r.rid = d.region_rid WHERE d.indicator_id = $1",
        );
        let mut n = 1;
        if !q.regions.is_empty() {
            let ph: Vec<String> = (0..q.regions.len())
                .map(|i| format!("${}", n + 1 + i))
                .collect();
            n += q.regions.len();
            sql.push_str(&format!(" AND r.key IN ({})", ph.join(",")));
        }
        if !q.years.is_empty() {
            let ph: Vec<String> = (0..q.years.len())
                .map(|i| format!("${}", n + 1 + i))
                .collect();
            n += q.years.len();
            sql.push_str(&format!(" AND d.year IN ({})", ph.join(",")));
        }
        if q.sex.is_some() {
            sql.push_str(&format!(" AND d.sex = ${}", n + 1));
        }
        sql.push_str(" ORDER BY r.key, d.year, d.sex");
        if matches!(self.backend(), crate::Backend::Sqlite(_)) {
            let mut params: Vec<rusqlite::types::Value> = vec![id.0.into()];
            params.extend(q.regions.iter().map(|r| r.to_string().into()));
            params.extend(q.years.iter().map(|y| (*y).into()));
            if let Some(s) = q.sex {
                params.push(s.code().into());
            }
            return self
                .with_sqlite_reader(move |c| {
                    let mut stmt = c.prepare_cached(&sql)?;
                    let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
                    let mut out = Vec::new();
                    let mut last: Option<(String, RegionKey)> = None;
                    while let Some(row) = rows.next()? {
                        let key: String = row.get(0)?;
                        // Rows come ordered by area: parse each area's key once.
                        let region = match &last {
                            Some((k, r)) if *k == key => r.clone(),
                            _ => {
                                let r: RegionKey =
                                    key.parse().map_err(|e: hyte_domain::RegionKeyError| {
                                        StoreError::Invalid(e.to_string())
                                    })?;
                                last = Some((key, r.clone()));
                                r
                            }
                        };
                        let sex: i64 = row.get(2)?;
                        out.push(StoredValue {
                            indicator: id,
                            region,
                            year: row.get(1)?,
                            sex: Sex::from_code(sex).ok_or_else(|| {
                                StoreError::Invalid(format!("bad sex code {sex}"))
                            })?,
                            value: row.get(3)?,
                            abs_value: row.get(4)?,
                            derived: row.get::<_, i64>(5)? != 0,
                            import_id: row.get(6)?,
                        });
                    }
                    Ok(out)
                })
                .await;
        }
        let mut query = sqlx::query(&sql).bind(id.0);
        for r in &q.regions {
            query = query.bind(r.to_string());
        }
        for y in &q.years {
            query = query.bind(*y);
        }
        if let Some(s) = q.sex {
            query = query.bind(s.code());
        }
        let rows = query.fetch_all(self.pool()).await?;
        rows.iter()
            .map(|row| {
                let key: String = row.try_get("region_key")?;
                let sex: i64 = row.try_get("sex")?;
                Ok(StoredValue {
                    indicator: id,
                    region: key.parse().map_err(|e: hyte_domain::RegionKeyError| {
                        StoreError::Invalid(e.to_string())
                    })?,
                    year: row.try_get("year")?,
                    sex: Sex::from_code(sex)
                        .ok_or_else(|| StoreError::Invalid(format!("bad sex code {sex}")))?,
                    value: row.try_get("value")?,
                    abs_value: row.try_get("abs_value")?,
                    derived: row.try_get::<i64, _>("derived")? != 0,
                    import_id: row.try_get("import_id")?,
                })
            })
            .collect()
    }

    /// Years with data for an indicator, ascending.
    pub async fn indicator_years(&self, id: IndicatorId) -> StoreResult<Vec<i64>> {
        let rows = sqlx::query(
            "SELECT DISTINCT year FROM data_point WHERE indicator_id = $1 ORDER BY year",
        )
        .bind(id.0)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|r| Ok(r.try_get("year")?)).collect()
    }

    /// Number of stored values per indicator.
    pub async fn value_counts(&self) -> StoreResult<HashMap<i64, i64>> {
        let rows =
            sqlx::query("SELECT indicator_id, COUNT(*) AS n FROM data_point GROUP BY indicator_id")
                .fetch_all(self.pool())
                .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("indicator_id")?, r.try_get("n")?)))
            .collect()
    }

    /// Import history, newest first.
    pub async fn import_runs(&self, limit: i64) -> StoreResult<Vec<ImportRun>> {
        let rows = sqlx::query(
            "SELECT id, at, user_email, file_name, format, source, rows_total, rows_changed, rows_unchanged, rows_skipped, indicators, data_updated, sha256
             FROM import_run ORDER BY id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ImportRun {
                    id: r.try_get("id")?,
                    at: r.try_get("at")?,
                    user_email: opt_str(r, "user_email")?,
                    file_name: r.try_get("file_name")?,
                    format: r.try_get("format")?,
                    source: r.try_get("source")?,
                    rows_total: r.try_get("rows_total")?,
                    rows_changed: r.try_get("rows_changed")?,
                    rows_unchanged: r.try_get("rows_unchanged")?,
                    rows_skipped: r.try_get("rows_skipped")?,
                    indicators: r.try_get("indicators")?,
                    data_updated: opt_str(r, "data_updated")?,
                    sha256: r.try_get("sha256")?,
                })
            })
            .collect()
    }

    /// Every area keyed by its `CATEGORY:CODE` and by its Sotkanet id, with the
    /// compact row id the data tables use; what an import resolves regions through.
    pub async fn region_index(&self) -> StoreResult<RegionIndex> {
        let rows = sqlx::query(&format!("SELECT rid, {REGION_COLUMNS} FROM region"))
            .fetch_all(self.pool())
            .await?;
        let mut idx = RegionIndex::default();
        for row in &rows {
            let rid: i64 = row.try_get("rid")?;
            let r = region_from_row(row)?;
            if let Some(s) = r.sotkanet_id {
                idx.by_sotkanet.insert(s, rid);
            }
            idx.by_key.insert(r.key.to_string(), rid);
            idx.regions.insert(rid, r);
        }
        let rows = sqlx::query("SELECT sotkanet_id, region_key FROM sotkanet_region")
            .fetch_all(self.pool())
            .await?;
        for row in &rows {
            let sid: i64 = row.try_get("sotkanet_id")?;
            match opt_str(row, "region_key")? {
                Some(k) => {
                    if let Some(rid) = idx.by_key.get(&k) {
                        idx.by_sotkanet.insert(sid, *rid);
                    }
                }
                None => {
                    idx.ignored_sotkanet.insert(sid);
                }
            }
        }
        Ok(idx)
    }
}

/// Lookup tables from external region references to row ids.
#[derive(Debug, Default, Clone)]
pub struct RegionIndex {
    /// `CATEGORY:CODE` → rid.
    pub by_key: HashMap<String, i64>,
    /// Sotkanet internal id → rid.
    pub by_sotkanet: HashMap<i64, i64>,
    /// Sotkanet ids of areas of levels Hyte does not store (rows for them are skipped).
    pub ignored_sotkanet: std::collections::HashSet<i64>,
    /// rid → area.
    pub regions: HashMap<i64, Region>,
}

impl crate::tx::Tx {
    /// Sets the curated fields an admin may change.
    pub async fn set_indicator_curation(
        &mut self,
        id: IndicatorId,
        polarity: Polarity,
        denominator: Denominator,
        kind: &str,
    ) -> StoreResult<()> {
        let r = sqlx::query(
            "UPDATE indicator SET polarity = $1, denominator = $2, kind = $3, updated_at = $4 WHERE id = $5",
        )
        .bind(polarity.as_str())
        .bind(match denominator {
            Denominator::Population => "population",
            Denominator::None => "none",
        })
        .bind(kind.to_string())
        .bind(now_rfc3339())
        .bind(id.0)
        .execute(self.conn())
        .await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("no indicator {id}")));
        }
        Ok(())
    }
}

/// The upsert of an indicator definition (one statement for the pool and for a
/// transaction).
static PUT_INDICATOR: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "INSERT INTO indicator ({INDICATOR_COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25,$26,$27,$28,$29)
             ON CONFLICT (id) DO UPDATE SET title_fi=excluded.title_fi, title_sv=excluded.title_sv, title_en=excluded.title_en, unit=excluded.unit,
             decimals=excluded.decimals, polarity=excluded.polarity, denominator=excluded.denominator, kind=excluded.kind,
             producer_fi=excluded.producer_fi, producer_sv=excluded.producer_sv, producer_en=excluded.producer_en,
             description_fi=excluded.description_fi, description_sv=excluded.description_sv, description_en=excluded.description_en,
             interpretation_fi=excluded.interpretation_fi, interpretation_sv=excluded.interpretation_sv, interpretation_en=excluded.interpretation_en,
             limits_fi=excluded.limits_fi, limits_sv=excluded.limits_sv, limits_en=excluded.limits_en, theme=excluded.theme,
             population_group=excluded.population_group, sexes=excluded.sexes, data_updated=excluded.data_updated,
             range_start=excluded.range_start, range_end=excluded.range_end, source=excluded.source, updated_at=excluded.updated_at"
    )
});

fn put_indicator_query(
    i: &Indicator,
) -> sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments<'static>> {
    sqlx::query(PUT_INDICATOR.as_str())
        .bind(i.id.0)
        .bind(i.title.fi.clone())
        .bind(i.title.sv.clone())
        .bind(i.title.en.clone())
        .bind(i.unit.clone())
        .bind(i.decimals)
        .bind(i.polarity.as_str())
        .bind(match i.denominator {
            Denominator::Population => "population",
            Denominator::None => "none",
        })
        .bind(i.kind.clone())
        .bind(i.producer.fi.clone())
        .bind(i.producer.sv.clone())
        .bind(i.producer.en.clone())
        .bind(i.description.fi.clone())
        .bind(i.description.sv.clone())
        .bind(i.description.en.clone())
        .bind(i.interpretation.fi.clone())
        .bind(i.interpretation.sv.clone())
        .bind(i.interpretation.en.clone())
        .bind(i.limits.fi.clone())
        .bind(i.limits.sv.clone())
        .bind(i.limits.en.clone())
        .bind(i.theme.clone())
        .bind(i.population_group.clone())
        .bind(i.sexes.clone())
        .bind(i.data_updated.clone())
        .bind(i.range_start)
        .bind(i.range_end)
        .bind(i.source.clone())
        .bind(now_rfc3339())
}

impl crate::tx::Tx {
    /// [`Store::put_indicator`] inside this transaction.
    pub async fn put_indicator(&mut self, i: &Indicator) -> StoreResult<()> {
        put_indicator_query(i).execute(self.conn()).await?;
        Ok(())
    }

    /// [`Store::upsert_indicator_source`] inside this transaction: what Hyte curates
    /// is read from the committed definition and kept.
    pub async fn upsert_indicator_source(&mut self, mut i: Indicator) -> StoreResult<()> {
        if let Some(old) = self.store().indicator(i.id).await? {
            i.polarity = old.polarity;
            i.denominator = old.denominator;
            i.kind = old.kind;
            i.theme = i.theme.or(old.theme);
            i.population_group = i.population_group.or(old.population_group);
        }
        self.put_indicator(&i).await
    }
}
