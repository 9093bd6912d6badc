//! Turning an imported file into stored data: detect the format, resolve areas, and
//! store everything in one transaction. Parsing itself is `hyte-import`'s (pure);
//! this module only connects it to the store.

use crate::bulk::{ImportInfo, ImportSummary, PointRow, RowResult};
use crate::indicators::{Denominator, Indicator, Localized, RegionIndex};
use crate::{now_rfc3339, Audit, Store, StoreError, StoreResult};
use hyte_domain::{IndicatorId, Polarity};
use hyte_import::{DataRow, Format, ImportError, LocalizedText, Parsed, RegionRef, RegionRefKey};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// What importing one file did.
#[derive(Debug, Clone, Serialize)]
pub enum IngestOutcome {
    /// Data points were stored.
    Data {
        /// Detected format.
        format: Format,
        /// Counts.
        summary: ImportSummary,
    },
    /// The region list was stored (number of regions).
    Regions(usize),
    /// Indicator titles were stored (number of indicators).
    Indicators(usize),
    /// One indicator's metadata was stored.
    Metadata(i64),
}

/// Sha-256 of file content, hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn loc(t: &LocalizedText) -> Localized {
    Localized {
        fi: t.fi.clone().unwrap_or_default(),
        sv: t.sv.clone().unwrap_or_default(),
        en: t.en.clone().unwrap_or_default(),
    }
}

fn file_error(name: &str, e: &ImportError) -> StoreError {
    StoreError::Invalid(format!("{name}: {e}"))
}

/// Resolves a parsed row's area to a row id; `Ok(None)` skips areas of a level Hyte
/// does not store.
fn resolve(idx: &RegionIndex, name: &str, row: &DataRow) -> RowResult {
    let rid = match &row.region {
        RegionRef::SotkanetId(id) => match idx.by_sotkanet.get(id) {
            Some(r) => *r,
            None if idx.ignored_sotkanet.contains(id) => return Ok(None),
            None => {
                return Err(format!(
                    "{name}: line {}, field 'region': unknown Sotkanet region id {id}; import Sotkanet's /regions file first",
                    row.line
                ))
            }
        },
        RegionRef::Key(k) => match idx.by_key.get(&k.to_string()) {
            Some(r) => *r,
            None => {
                return Err(format!(
                    "{name}: line {}, field 'region': unknown area {k}",
                    row.line
                ))
            }
        },
    };
    Ok(Some(PointRow {
        indicator: row.indicator,
        region_rid: rid,
        year: i64::from(row.year),
        sex: row.sex,
        value: row.value,
        abs_value: row.abs_value,
    }))
}

/// [`resolve`] remembering the last area: rows of one area usually follow each other,
/// so most rows skip the key formatting and hash lookup.
fn resolve_cached(
    idx: &RegionIndex,
    name: &str,
    row: &DataRow,
    last: &mut Option<(RegionRef, i64)>,
) -> RowResult {
    if let Some((region, rid)) = last.as_ref() {
        if *region == row.region {
            return Ok(Some(PointRow {
                indicator: row.indicator,
                region_rid: *rid,
                year: i64::from(row.year),
                sex: row.sex,
                value: row.value,
                abs_value: row.abs_value,
            }));
        }
    }
    let r = resolve(idx, name, row);
    if let Ok(Some(p)) = &r {
        *last = Some((row.region.clone(), p.region_rid));
    }
    r
}

impl Store {
    /// Imports one file (any supported Sotkanet or Hyte format, detected from the
    /// content). The file is accepted whole or refused whole with file, line, field
    /// and reason; on refusal the store is exactly as before.
    pub async fn ingest(
        &self,
        name: &str,
        bytes: Vec<u8>,
        user_email: Option<&str>,
        source: &str,
    ) -> StoreResult<IngestOutcome> {
        self.ingest_filtered(name, bytes, user_email, source, |_| true)
            .await
    }

    /// [`Store::ingest`] keeping only data rows for which `keep` is true (the demo
    /// loader uses it to take population only for years the snapshot lacks).
    pub async fn ingest_filtered<F>(
        &self,
        name: &str,
        bytes: Vec<u8>,
        user_email: Option<&str>,
        source: &str,
        keep: F,
    ) -> StoreResult<IngestOutcome>
    where
        F: Fn(&DataRow) -> bool + Send + 'static,
    {
        self.ingest_with_progress(name, bytes, user_email, source, keep, None)
            .await
    }

    /// [`Store::ingest_filtered`] that also counts the data rows read so far into
    /// `progress` (for a progress bar; updated while a large CSV file streams in).
    pub async fn ingest_with_progress<F>(
        &self,
        name: &str,
        bytes: Vec<u8>,
        user_email: Option<&str>,
        source: &str,
        keep: F,
        progress: Option<Arc<AtomicU64>>,
    ) -> StoreResult<IngestOutcome>
    where
        F: Fn(&DataRow) -> bool + Send + 'static,
    {
        let format = hyte_import::detect(&bytes).map_err(|e| file_error(name, &e))?;
        let info = ImportInfo {
            file_name: name.to_string(),
            format: format.describe().to_string(),
            source: source.to_string(),
            user_email: user_email.map(str::to_string),
            sha256: sha256_hex(&bytes),
            data_updated: None,
        };
        if format.is_streamable() {
            let idx = self.region_index().await?;
            let n = name.to_string();
            // Parse while storing, so 10 million rows never sit in memory at once.
            let rows = hyte_import::data_rows(std::io::Cursor::new(bytes))
                .map_err(|e| file_error(name, &e))?;
            let mut last = None;
            let iter = rows.filter_map(move |r| {
                if let Some(p) = &progress {
                    p.fetch_add(1, Ordering::Relaxed);
                }
                match r {
                    Err(e) => Some(Err(format!("{n}: {e}"))),
                    Ok(row) if !keep(&row) => None,
                    Ok(row) => Some(resolve_cached(&idx, &n, &row, &mut last)),
                }
            });
            let summary = self.import_points(info, iter).await?;
            return Ok(IngestOutcome::Data { format, summary });
        }
        let (format, parsed) = hyte_import::parse(&bytes).map_err(|e| file_error(name, &e))?;
        match parsed {
            Parsed::Data(rows) => {
                let idx = self.region_index().await?;
                let n = name.to_string();
                let iter = rows
                    .into_iter()
                    .filter(move |r| keep(r))
                    .map(move |row| resolve(&idx, &n, &row))
                    .collect::<Vec<_>>()
                    .into_iter();
                let summary = self.import_points(info, iter).await?;
                Ok(IngestOutcome::Data { format, summary })
            }
            Parsed::Regions(regions) => {
                let audit = import_audit(
                    user_email,
                    format!("{name}: {} Sotkanet regions", regions.len()),
                );
                self.store_sotkanet_regions(name, &regions, &audit).await?;
                Ok(IngestOutcome::Regions(regions.len()))
            }
            Parsed::IndicatorList(list) => {
                let mut tx = self.begin().await?;
                for stub in &list {
                    let mut ind = match self.indicator(IndicatorId(stub.id)).await? {
                        Some(i) => i,
                        None => placeholder(stub.id),
                    };
                    ind.title = loc(&stub.title);
                    if let Some(o) = &stub.organization {
                        ind.producer = loc(&o.title);
                    }
                    tx.put_indicator(&ind).await?;
                }
                tx.audit(&import_audit(
                    user_email,
                    format!("{name}: {} indicator titles", list.len()),
                ))
                .await?;
                tx.commit().await?;
                Ok(IngestOutcome::Indicators(list.len()))
            }
            Parsed::Metadata(m) => {
                let base = self
                    .indicator(IndicatorId(m.id))
                    .await?
                    .unwrap_or_else(|| placeholder(m.id));
                let unit = m
                    .primary_value_type
                    .as_ref()
                    .map(|p| p.code.clone())
                    .unwrap_or(base.unit.clone());
                let ind = Indicator {
                    id: IndicatorId(m.id),
                    title: loc(&m.title),
                    unit,
                    decimals: m.decimals.map(i64::from).unwrap_or(base.decimals),
                    producer: m
                        .organization
                        .as_ref()
                        .map(|o| loc(&o.title))
                        .unwrap_or(base.producer.clone()),
                    description: loc(&m.description),
                    interpretation: loc(&m.interpretation),
                    limits: loc(&m.limits),
                    sexes: m
                        .sex_values
                        .as_ref()
                        .map(|v| v.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(","))
                        .unwrap_or(base.sexes.clone()),
                    data_updated: m
                        .data_updated
                        .as_ref()
                        .map(|d| format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)),
                    range_start: m.range.as_ref().map(|r| i64::from(r.start)),
                    range_end: m.range.as_ref().map(|r| i64::from(r.end)),
                    source: "sotkanet_api".to_string(),
                    updated_at: now_rfc3339(),
                    ..base
                };
                let mut tx = self.begin().await?;
                tx.upsert_indicator_source(ind).await?;
                tx.audit(&import_audit(
                    user_email,
                    format!("{name}: metadata of indicator {}", m.id),
                ))
                .await?;
                tx.commit().await?;
                Ok(IngestOutcome::Metadata(m.id))
            }
        }
    }

    /// Stores Sotkanet's region list. A known (category, code) that arrives with a
    /// different id, or a known id with a different code, stops the import: Sotkanet
    /// has renumbered before and guessing would attach data to the wrong area.
    async fn store_sotkanet_regions(
        &self,
        name: &str,
        regions: &[hyte_import::SotkanetRegion],
        audit: &Audit,
    ) -> StoreResult<()> {
        let existing = sqlx::query("SELECT sotkanet_id, category, code FROM sotkanet_region")
            .fetch_all(self.pool())
            .await?;
        let mut by_id = std::collections::HashMap::new();
        let mut by_code = std::collections::HashMap::new();
        for row in &existing {
            let id: i64 = row.try_get("sotkanet_id")?;
            let cat: String = row.try_get("category")?;
            let code: String = row.try_get("code")?;
            by_id.insert(id, (cat.clone(), code.clone()));
            by_code.insert((cat, code), id);
        }
        let mut tx = self.begin().await?;
        for r in regions {
            let (cat, code, key) = match &r.key {
                RegionRefKey::Key(k) => (
                    k.category().as_str().to_string(),
                    r.sotkanet_code.clone(),
                    Some(k.to_string()),
                ),
                RegionRefKey::Other { category, code } => (category.clone(), code.clone(), None),
            };
            if let Some(old) = by_code.get(&(cat.clone(), code.clone())) {
                if *old != r.sotkanet_id {
                    return Err(StoreError::Invalid(format!(
                        "{name}: line {}: Sotkanet now gives {cat} {code} the id {} but it had the id {old}; the region list was renumbered, so the import stops (map the old ids explicitly first)",
                        r.line, r.sotkanet_id
                    )));
                }
            }
            if let Some((oc, ocode)) = by_id.get(&r.sotkanet_id) {
                if *oc != cat || *ocode != code {
                    return Err(StoreError::Invalid(format!(
                        "{name}: line {}: Sotkanet id {} now means {cat} {code} but it meant {oc} {ocode}; the import stops",
                        r.line, r.sotkanet_id
                    )));
                }
            }
            // Only areas Hyte has are linked; others are remembered so their rows are
            // skipped rather than reported as unknown.
            let known = match &key {
                Some(k) => sqlx::query("SELECT 1 AS one FROM region WHERE key = $1")
                    .bind(k.clone())
                    .fetch_optional(tx.conn())
                    .await?
                    .is_some(),
                None => false,
            };
            sqlx::query(
                "INSERT INTO sotkanet_region (sotkanet_id, category, code, region_key, title_fi, seen_at) VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (sotkanet_id) DO UPDATE SET region_key = excluded.region_key, title_fi = excluded.title_fi, seen_at = excluded.seen_at",
            )
            .bind(r.sotkanet_id)
            .bind(cat)
            .bind(code)
            .bind(if known { key } else { None })
            .bind(r.title_fi.clone())
            .bind(now_rfc3339())
            .execute(tx.conn())
            .await?;
        }
        tx.audit(audit).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The audit entry of an import: no organisation (data concerns every one), written
/// in the transaction that stores the file.
pub(crate) fn import_audit(user_email: Option<&str>, detail: String) -> Audit {
    Audit {
        user_email: user_email.map(str::to_string),
        org: None,
        action: "import".into(),
        detail,
    }
}

/// A definition for an indicator known only by id.
pub fn placeholder(id: i64) -> Indicator {
    Indicator {
        id: IndicatorId(id),
        title: Localized {
            fi: format!("Sotkanet-indikaattori {id}"),
            sv: format!("Sotkanet-indikator {id}"),
            en: format!("Sotkanet indicator {id}"),
        },
        unit: String::new(),
        decimals: 1,
        polarity: Polarity::NoJudgement,
        denominator: Denominator::None,
        kind: "other".into(),
        producer: Localized::default(),
        description: Localized::default(),
        interpretation: Localized::default(),
        limits: Localized::default(),
        theme: None,
        population_group: None,
        sexes: "total".into(),
        data_updated: None,
        range_start: None,
        range_end: None,
        source: "data_without_metadata".into(),
        updated_at: now_rfc3339(),
    }
}
