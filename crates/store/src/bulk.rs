//! Atomic bulk loading of indicator values.
//!
//! An import is one transaction on either backend: the run record, every value, the
//! placeholder definitions of indicators seen for the first time and the derived
//! benchmark values commit together or not at all. SQLite takes a direct rusqlite
//! connection with one prepared upsert (sqlx's per-query round trips would be several
//! times slower than `sqlite3 .import`); PostgreSQL takes batched `UNNEST` upserts.

use crate::indicators::Denominator;
use crate::{now_rfc3339, Backend, Store, StoreError, StoreResult};
use hyte_domain::Sex;
use serde::Serialize;
use std::collections::BTreeSet;

/// Column buffers of one PostgreSQL `UNNEST` batch: indicator, area, year, sex,
/// value, absolute value.
type PgColumns = (
    Vec<i64>,
    Vec<i64>,
    Vec<i64>,
    Vec<i64>,
    Vec<Option<f64>>,
    Vec<Option<f64>>,
);

/// One value ready to store, its area already resolved to a row id.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PointRow {
    /// Indicator id.
    pub indicator: i64,
    /// Area row id (see [`crate::indicators::RegionIndex`]).
    pub region_rid: i64,
    /// Year.
    pub year: i64,
    /// Sex.
    pub sex: Sex,
    /// Value; `None` for a row present without a value.
    pub value: Option<f64>,
    /// Absolute value (count).
    pub abs_value: Option<f64>,
}

impl PointRow {
    /// Packs the unique key into 64 bits for duplicate detection without holding
    /// millions of tuples.
    fn packed_key(&self) -> u64 {
        ((self.indicator as u64 & 0xFF_FFFF) << 40)
            | ((self.region_rid as u64 & 0xFF_FFFF) << 16)
            | (((self.year - 1800).clamp(0, 0x3FFF) as u64) << 2)
            | self.sex.code() as u64
    }
}

/// Describes the file being imported, for the history.
#[derive(Debug, Clone, Default)]
pub struct ImportInfo {
    /// File name as given.
    pub file_name: String,
    /// Detected format.
    pub format: String,
    /// Source description (e.g. "Sotkanet snapshot 2013").
    pub source: String,
    /// Who imports.
    pub user_email: Option<String>,
    /// SHA-256 of the file.
    pub sha256: String,
    /// Sotkanet's data-updated, if known.
    pub data_updated: Option<String>,
}

/// What an import did.
#[derive(Debug, Clone, Serialize, Default)]
pub struct ImportSummary {
    /// The run id.
    pub run_id: i64,
    /// Data rows read.
    pub rows_total: i64,
    /// Rows inserted or changed.
    pub rows_changed: i64,
    /// Rows equal to what was stored.
    pub rows_unchanged: i64,
    /// Rows skipped (areas of a level Hyte does not store).
    pub rows_skipped: i64,
    /// Indicators touched.
    pub indicators: Vec<i64>,
}

/// A row the caller could not turn into a [`PointRow`]: the import stops and nothing
/// is written. `Ok(None)` from the iterator means "skip this row" (counted).
pub type RowResult = Result<Option<PointRow>, String>;

const UPSERT_SQLITE: &str = "INSERT INTO data_point (indicator_id, region_rid, year, sex, value, abs_value, derived, import_id)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7)
ON CONFLICT (indicator_id, region_rid, year, sex) DO UPDATE SET value = excluded.value, abs_value = excluded.abs_value, derived = 0, import_id = excluded.import_id
WHERE data_point.value IS NOT excluded.value OR data_point.abs_value IS NOT excluded.abs_value OR data_point.derived <> 0";

const UPSERT_PG: &str = "INSERT INTO data_point (indicator_id, region_rid, year, sex, value, abs_value, derived, import_id)
SELECT i, r, y, s, v, a, 0, $7 FROM UNNEST($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::float8[], $6::float8[]) AS t(i, r, y, s, v, a)
ON CONFLICT (indicator_id, region_rid, year, sex) DO UPDATE SET value = excluded.value, abs_value = excluded.abs_value, derived = 0, import_id = excluded.import_id
WHERE data_point.value IS DISTINCT FROM excluded.value OR data_point.abs_value IS DISTINCT FROM excluded.abs_value OR data_point.derived <> 0";

const INSERT_RUN: &str = "INSERT INTO import_run (at, user_email, file_name, format, source, rows_total, rows_changed, rows_unchanged, rows_skipped, indicators, data_updated, sha256)
VALUES ($1, $2, $3, $4, $5, 0, 0, 0, 0, '', $6, $7) RETURNING id";

const FINISH_RUN: &str = "UPDATE import_run SET rows_total = $1, rows_changed = $2, rows_unchanged = $3, rows_skipped = $4, indicators = $5 WHERE id = $6";

/// Gives an indicator seen for the first time a placeholder definition, so its values
/// are listed; importing its metadata later fills it in.
const PLACEHOLDER_INDICATOR: &str = "INSERT INTO indicator (id, title_fi, title_sv, title_en, unit, decimals, polarity, denominator, kind, producer_fi, producer_sv, producer_en, sexes, source, updated_at)
VALUES ($1, $2, $3, $4, '', 1, 'no_judgement', 'none', 'other', '', '', '', 'total', 'data_without_metadata', $5)
ON CONFLICT (id) DO NOTHING";

/// Derived benchmark values for one aggregate level. `{agg_join}` picks the
/// aggregate area of each member municipality; `{ids}` is a list of integers.
/// A value is derived only when every municipality with a population that year has a
/// value, so the aggregate is exact (up to the rounding of published values).
fn derive_sql(agg_join: &str, agg_match: &str, ids: &str, import_id: i64) -> String {
    format!(
        "INSERT INTO data_point (indicator_id, region_rid, year, sex, value, abs_value, derived, import_id)
SELECT d.indicator_id, agg.rid, d.year, d.sex,
       CASE WHEN i.unit = 'LKM' THEN SUM(d.value) ELSE SUM(d.value * p.value) / SUM(p.value) END,
       NULL, 1, {import_id}
FROM data_point d
JOIN indicator i ON i.id = d.indicator_id
JOIN region m ON m.rid = d.region_rid AND m.category = 'KUNTA'
JOIN region agg ON {agg_join}
JOIN data_point p ON p.indicator_id = 127 AND p.region_rid = d.region_rid AND p.year = d.year AND p.sex = 0 AND p.derived = 0
WHERE d.indicator_id IN ({ids}) AND d.derived = 0 AND d.value IS NOT NULL AND p.value > 0
  AND (i.unit = 'LKM' OR d.sex = 0)
GROUP BY d.indicator_id, agg.rid, agg.key, d.year, d.sex, i.unit
HAVING COUNT(*) = (SELECT COUNT(*) FROM data_point p2 JOIN region m2 ON m2.rid = p2.region_rid
                   WHERE p2.indicator_id = 127 AND p2.year = d.year AND p2.sex = 0 AND p2.derived = 0
                     AND p2.value > 0 AND m2.category = 'KUNTA' AND {agg_match})
ON CONFLICT (indicator_id, region_rid, year, sex) DO NOTHING"
    )
}

fn derive_statements(ids: &[i64], import_id: i64) -> Vec<String> {
    if ids.is_empty() {
        return vec![];
    }
    let list = ids
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",");
    vec![
        format!("DELETE FROM data_point WHERE derived = 1 AND indicator_id IN ({list})"),
        derive_sql(
            "agg.key = m.welfare_region",
            "m2.welfare_region = agg.key",
            &list,
            import_id,
        ),
        derive_sql("agg.key = 'MAA:SSS'", "1 = 1", &list, import_id),
    ]
}

fn check_duplicates(mut keys: Vec<u64>) -> StoreResult<()> {
    // Files sorted by key (Sotkanet's exports and the snapshot are) need no sort.
    if keys.windows(2).all(|w| w[0] < w[1]) {
        return Ok(());
    }
    keys.sort_unstable();
    if let Some(w) = keys.windows(2).find(|w| w[0] == w[1]) {
        let k = w[0];
        let sex = Sex::from_code((k & 3) as i64).unwrap_or(Sex::Total);
        return Err(StoreError::Invalid(format!(
            "the file has two rows for indicator {}, year {}, gender {} and the same area; each (indicator, area, year, gender) may appear once",
            k >> 40,
            ((k >> 2) & 0x3FFF) + 1800,
            sex.as_str()
        )));
    }
    Ok(())
}

/// The import's audit entry, written in the transaction that stores the values, so
/// that an import is in the audit log exactly when its data is in the database.
const INSERT_AUDIT: &str = "INSERT INTO audit_log (at, user_email, org_key, action, detail) VALUES ($1, $2, NULL, 'import', $3)";

fn import_detail(info: &ImportInfo, s: &ImportSummary, seen: &BTreeSet<i64>) -> String {
    format!(
        "{}: {} ({}): {} data rows, {} new or changed, {} unchanged, {} skipped; indicators {}",
        info.file_name,
        info.format,
        info.source,
        s.rows_total,
        s.rows_changed,
        s.rows_unchanged,
        s.rows_skipped,
        finish_ids(seen)
    )
}

fn finish_ids(seen: &BTreeSet<i64>) -> String {
    seen.iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

impl Store {
    /// Imports values atomically. On any error (a bad row from the iterator, a
    /// duplicate key, a database error) nothing is written.
    pub async fn import_points<I>(&self, info: ImportInfo, rows: I) -> StoreResult<ImportSummary>
    where
        I: Iterator<Item = RowResult> + Send + 'static,
    {
        // Indicators whose derived benchmarks can be computed exactly.
        let derivable: BTreeSet<i64> = self
            .indicators()
            .await?
            .into_iter()
            .filter(|i| i.denominator == Denominator::Population || i.unit == "LKM")
            .map(|i| i.id.0)
            .collect();
        match self.backend().clone() {
            Backend::Sqlite(path) => {
                tokio::task::spawn_blocking(move || import_sqlite(&path, &info, rows, &derivable))
                    .await
                    .map_err(|e| StoreError::Invalid(format!("import task failed: {e}")))?
            }
            Backend::Postgres(_) => self.import_pg(&info, rows, &derivable).await,
        }
    }

    async fn import_pg<I>(
        &self,
        info: &ImportInfo,
        rows: I,
        derivable: &BTreeSet<i64>,
    ) -> StoreResult<ImportSummary>
    where
        I: Iterator<Item = RowResult>,
    {
        use sqlx::Row;
        let pg = self
            .pg
            .as_ref()
            .ok_or_else(|| StoreError::Invalid("PostgreSQL pool missing".into()))?;
        let mut tx = pg.begin().await?;
        let run_id: i64 = sqlx::query(INSERT_RUN)
            .bind(now_rfc3339())
            .bind(info.user_email.clone())
            .bind(info.file_name.clone())
            .bind(info.format.clone())
            .bind(info.source.clone())
            .bind(info.data_updated.clone())
            .bind(info.sha256.clone())
            .fetch_one(&mut *tx)
            .await?
            .try_get("id")?;
        let mut s = ImportSummary {
            run_id,
            ..Default::default()
        };
        let mut seen = BTreeSet::new();
        let mut keys = Vec::new();
        const BATCH: usize = 5000;
        let mut cols: PgColumns = Default::default();
        let flush = |cols: &mut PgColumns| {
            let c = std::mem::take(cols);
            sqlx::query(UPSERT_PG)
                .bind(c.0)
                .bind(c.1)
                .bind(c.2)
                .bind(c.3)
                .bind(c.4)
                .bind(c.5)
                .bind(run_id)
        };
        for row in rows {
            let Some(p) = row.map_err(StoreError::Invalid)? else {
                s.rows_total += 1;
                s.rows_skipped += 1;
                continue;
            };
            s.rows_total += 1;
            keys.push(p.packed_key());
            if seen.insert(p.indicator) {
                sqlx::query(PLACEHOLDER_INDICATOR)
                    .bind(p.indicator)
                    .bind(format!("Sotkanet-indikaattori {}", p.indicator))
                    .bind(format!("Sotkanet-indikator {}", p.indicator))
                    .bind(format!("Sotkanet indicator {}", p.indicator))
                    .bind(now_rfc3339())
                    .execute(&mut *tx)
                    .await?;
            }
            cols.0.push(p.indicator);
            cols.1.push(p.region_rid);
            cols.2.push(p.year);
            cols.3.push(p.sex.code());
            cols.4.push(p.value);
            cols.5.push(p.abs_value);
            if cols.0.len() >= BATCH {
                // PostgreSQL refuses a batch that upserts one key twice with a raw
                // error; check the batch first so the message says which rows.
                check_duplicates(keys[keys.len() - cols.0.len()..].to_vec())?;
                s.rows_changed += flush(&mut cols).execute(&mut *tx).await?.rows_affected() as i64;
            }
        }
        if !cols.0.is_empty() {
            check_duplicates(keys[keys.len() - cols.0.len()..].to_vec())?;
            s.rows_changed += flush(&mut cols).execute(&mut *tx).await?.rows_affected() as i64;
        }
        check_duplicates(keys)?;
        s.rows_unchanged = s.rows_total - s.rows_skipped - s.rows_changed;
        let ids: Vec<i64> = seen
            .iter()
            .copied()
            .filter(|i| derivable.contains(i) || *i == 127)
            .collect();
        // Population changes alter every derived benchmark.
        let ids = if seen.contains(&127) {
            derivable.iter().copied().collect()
        } else {
            ids
        };
        for stmt in derive_statements(&ids, run_id) {
            sqlx::query(&stmt).execute(&mut *tx).await?;
        }
        sqlx::query(FINISH_RUN)
            .bind(s.rows_total)
            .bind(s.rows_changed)
            .bind(s.rows_unchanged)
            .bind(s.rows_skipped)
            .bind(finish_ids(&seen))
            .bind(run_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(INSERT_AUDIT)
            .bind(now_rfc3339())
            .bind(info.user_email.clone())
            .bind(import_detail(info, &s, &seen))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        s.indicators = seen.into_iter().collect();
        Ok(s)
    }
}

impl crate::tx::Tx {
    /// Recomputes derived benchmark values of the given indicators (all derivable ones
    /// if empty), e.g. after an admin changed a denominator: in the same transaction
    /// as the change that needs it.
    pub async fn recompute_derived(&mut self, ids: &[i64]) -> StoreResult<()> {
        for stmt in derive_statements(ids, 0) {
            sqlx::query(&stmt).execute(self.conn()).await?;
        }
        Ok(())
    }
}

fn import_sqlite<I>(
    path: &std::path::Path,
    info: &ImportInfo,
    rows: I,
    derivable: &BTreeSet<i64>,
) -> StoreResult<ImportSummary>
where
    I: Iterator<Item = RowResult>,
{
    let mut conn = rusqlite::Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // A larger page cache keeps the primary-key B-tree in memory during big loads.
    conn.pragma_update(None, "cache_size", -262_144)?;
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let run_id: i64 = tx.query_row(
        &INSERT_RUN.replace('$', "?"),
        rusqlite::params![
            now_rfc3339(),
            info.user_email,
            info.file_name,
            info.format,
            info.source,
            info.data_updated,
            info.sha256
        ],
        |r| r.get(0),
    )?;
    let mut s = ImportSummary {
        run_id,
        ..Default::default()
    };
    let mut seen = BTreeSet::new();
    let mut keys = Vec::new();
    {
        let mut upsert = tx.prepare(UPSERT_SQLITE)?;
        let mut placeholder = tx.prepare(&PLACEHOLDER_INDICATOR.replace('$', "?"))?;
        for row in rows {
            let Some(p) = row.map_err(StoreError::Invalid)? else {
                s.rows_total += 1;
                s.rows_skipped += 1;
                continue;
            };
            s.rows_total += 1;
            keys.push(p.packed_key());
            if seen.insert(p.indicator) {
                placeholder.execute(rusqlite::params![
                    p.indicator,
                    format!("Sotkanet-indikaattori {}", p.indicator),
                    format!("Sotkanet-indikator {}", p.indicator),
                    format!("Sotkanet indicator {}", p.indicator),
                    now_rfc3339()
                ])?;
            }
            s.rows_changed += upsert.execute(rusqlite::params![
                p.indicator,
                p.region_rid,
                p.year,
                p.sex.code(),
                p.value,
                p.abs_value,
                run_id
            ])? as i64;
        }
    }
    check_duplicates(keys)?;
    s.rows_unchanged = s.rows_total - s.rows_skipped - s.rows_changed;
    let ids: Vec<i64> = if seen.contains(&127) {
        derivable.iter().copied().collect()
    } else {
        seen.iter()
            .copied()
            .filter(|i| derivable.contains(i))
            .collect()
    };
    for stmt in derive_statements(&ids, run_id) {
        tx.execute(&stmt, [])?;
    }
    tx.execute(
        &FINISH_RUN.replace('$', "?"),
        rusqlite::params![
            s.rows_total,
            s.rows_changed,
            s.rows_unchanged,
            s.rows_skipped,
            finish_ids(&seen),
            run_id
        ],
    )?;
    tx.execute(
        &INSERT_AUDIT.replace('$', "?"),
        rusqlite::params![
            now_rfc3339(),
            info.user_email,
            import_detail(info, &s, &seen)
        ],
    )?;
    tx.commit()?;
    s.indicators = seen.into_iter().collect();
    Ok(s)
}
