//! Frozen versions of a report: made when the council approves it, never changed by
//! later imports.
//!
//! A version holds the text of every section (revision number and body), the
//! definitions of the indicators its blocks show, and a copy of every value row the
//! document read when it was rendered at approval (the areas shown, their benchmarks,
//! the populations behind derived counts and the peer values behind a spine chart's
//! spread), each with its interval and provenance (import run and date). Rendering a
//! version reads only this copy ([`Snapshot`]); [`VersionDocument`] is the same content as
//! JSON for the API and for publication.

use crate::approval::{event_from_row, ApprovalEvent};
use crate::indicators::{Indicator, StoredValue, ValueQuery};
use crate::{opt_str, Store, StoreError, StoreResult};
use hyte_domain::approval::Decision;
use hyte_domain::report::{parse_content_areas, ContentArea};
use hyte_domain::{IndicatorId, RegionKey, Sex};
use serde::Serialize;
use sqlx::Row;
use std::collections::{BTreeMap, HashMap};

/// A section's text as approved.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FrozenSection {
    /// The section's id in the working copy.
    pub section_id: i64,
    /// Order.
    pub position: i64,
    /// Heading.
    pub heading: String,
    /// Statutory content areas.
    pub content_areas: Vec<ContentArea>,
    /// Owner sector.
    pub owner_sector: Option<String>,
    /// The revision that was approved.
    pub revision: i64,
    /// Its text (Markdown with indicator blocks).
    pub body: String,
}

/// One value row as frozen.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct FrozenValue {
    /// Indicator.
    pub indicator: IndicatorId,
    /// Area.
    #[schema(value_type = String)]
    pub region: RegionKey,
    /// Year.
    pub year: i64,
    /// Sex.
    pub sex: Sex,
    /// Value.
    pub value: Option<f64>,
    /// Published count.
    pub abs_value: Option<f64>,
    /// Derived by Hyte from member areas.
    pub derived: bool,
    /// Lower limit of the 95 % interval, as shown at approval.
    pub ci_lower: Option<f64>,
    /// Upper limit.
    pub ci_upper: Option<f64>,
    /// The import run that wrote the value.
    pub import_id: i64,
    /// When that import ran.
    pub imported_at: Option<String>,
    /// Read only as context (peer spread), not shown as a number of its own.
    pub context: bool,
}

impl FrozenValue {
    /// The row as the live store would return it.
    pub fn stored(&self) -> StoredValue {
        StoredValue {
            indicator: self.indicator,
            region: self.region.clone(),
            year: self.year,
            sex: self.sex,
            value: self.value,
            abs_value: self.abs_value,
            derived: self.derived,
            import_id: self.import_id,
        }
    }
}

/// What a council approval freezes (built by the web layer, which knows what the
/// document shows).
#[derive(Debug, Clone, Default)]
pub struct Freeze {
    /// Every current section.
    pub sections: Vec<FrozenSection>,
    /// The definitions of the indicators read.
    pub indicators: Vec<Indicator>,
    /// Every value row read (one per indicator, area, year, sex).
    pub values: Vec<FrozenValue>,
    /// The joys and concerns, the summary and the infographic's choices as they
    /// were at approval (`hyte-app` fills it in with the move).
    pub content: Option<FrozenContent>,
}

/// What the published document shows besides the text and the numbers, frozen with
/// a version: later changes reach the public site only through a new approval.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct FrozenContent {
    /// Every joy and concern of the report at approval.
    pub observations: Vec<crate::reports::Observation>,
    /// The plain-language summary (empty: generated from the joys and concerns).
    pub summary: String,
    /// The infographic's indicators (empty: chosen from the document).
    pub infographic: Vec<i64>,
}

/// A version in the list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VersionSummary {
    /// Number within the report, from 1.
    pub number: i64,
    /// The report's title at approval.
    pub title: String,
    /// The report's kind (`term_report`, `yearly_report`, `regional_report`).
    #[schema(value_type = hyte_domain::report::ReportKind)]
    pub kind: String,
    /// Year of a yearly report.
    pub year: Option<i64>,
    /// When it was frozen.
    pub created_at: String,
    /// Who recorded the approval.
    pub created_by: String,
    /// The council's decision.
    pub decision: Decision,
    /// Frozen value rows.
    pub value_count: i64,
}

/// A whole frozen version: what publication (issue #7) serves as JSON and PDF.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VersionDocument {
    /// The report.
    pub report_id: i64,
    /// The owning organisation.
    #[schema(value_type = String)]
    pub org: RegionKey,
    /// The version.
    pub version: VersionSummary,
    /// The approved sections, in order.
    pub sections: Vec<FrozenSection>,
    /// Definitions of the indicators shown.
    pub indicators: Vec<Indicator>,
    /// Every frozen value row.
    pub values: Vec<FrozenValue>,
    /// The approval record up to and including this version's approval.
    pub approval: Vec<ApprovalEvent>,
    /// The frozen joys, concerns, summary and infographic; `None` for a version
    /// approved before Hyte froze them (migration 0012), published from the current
    /// ones as before.
    #[serde(skip)]
    pub content: Option<FrozenContent>,
}

impl VersionDocument {
    /// The frozen data as a source that answers the same queries as the live store.
    pub fn snapshot(&self) -> Snapshot {
        let mut values: HashMap<IndicatorId, Vec<StoredValue>> = HashMap::new();
        for v in &self.values {
            values.entry(v.indicator).or_default().push(v.stored());
        }
        Snapshot::new(self.indicators.clone(), values)
    }
}

/// Frozen indicator definitions and values, queried like [`Store::values`].
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    indicators: HashMap<IndicatorId, Indicator>,
    values: HashMap<IndicatorId, Vec<StoredValue>>,
}

impl Snapshot {
    /// A snapshot of these definitions and rows.
    pub fn new(indicators: Vec<Indicator>, values: HashMap<IndicatorId, Vec<StoredValue>>) -> Self {
        let mut values = values;
        for rows in values.values_mut() {
            // The store's order: area key, year, sex.
            rows.sort_by(|a, b| {
                (a.region.to_string(), a.year, a.sex.code()).cmp(&(
                    b.region.to_string(),
                    b.year,
                    b.sex.code(),
                ))
            });
        }
        Snapshot {
            indicators: indicators.into_iter().map(|i| (i.id, i)).collect(),
            values,
        }
    }

    /// An indicator definition as frozen.
    pub fn indicator(&self, id: IndicatorId) -> Option<Indicator> {
        self.indicators.get(&id).cloned()
    }

    /// Frozen rows matching the query, in the store's order.
    pub fn values(&self, id: IndicatorId, q: &ValueQuery) -> Vec<StoredValue> {
        self.values
            .get(&id)
            .map(|rows| {
                rows.iter()
                    .filter(|v| q.regions.is_empty() || q.regions.contains(&v.region))
                    .filter(|v| q.years.is_empty() || q.years.contains(&v.year))
                    .filter(|v| q.sex.is_none_or(|s| s == v.sex))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// One value that differs between a version and the current data.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ValueChange {
    /// Indicator.
    pub indicator: IndicatorId,
    /// Area.
    #[schema(value_type = String)]
    pub region: RegionKey,
    /// Year.
    pub year: i64,
    /// Sex.
    pub sex: Sex,
    /// The frozen value.
    pub old: Option<f64>,
    /// The current value (`None` when the row is gone or empty).
    pub new: Option<f64>,
    /// The import that wrote the current value.
    pub new_import_id: Option<i64>,
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_version(
    conn: &mut sqlx::AnyConnection,
    report_id: i64,
    number: i64,
    event_id: i64,
    now: &str,
    user_email: &str,
    d: &Decision,
    f: &Freeze,
) -> StoreResult<()> {
    let report = sqlx::query("SELECT title, kind, year FROM report WHERE id = $1")
        .bind(report_id)
        .fetch_one(&mut *conn)
        .await?;
    let title: String = report.try_get("title")?;
    let kind: String = report.try_get("kind")?;
    let year: Option<i64> = report.try_get("year")?;
    let version_id: i64 = sqlx::query(
        "INSERT INTO report_version (report_id, number, title, kind, year, created_at, created_by, event_id, decision_date, minutes_section, decision_link, content_json)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(report_id)
    .bind(number)
    .bind(title)
    .bind(kind)
    .bind(year)
    .bind(now.to_string())
    .bind(user_email.to_string())
    .bind(event_id)
    .bind(d.date.clone())
    .bind(d.minutes_section.clone())
    .bind(d.link.clone())
    .bind(
        f.content
            .as_ref()
            .map(serde_json::to_string)
            .transpose()
            .map_err(|e| StoreError::Invalid(e.to_string()))?,
    )
    .fetch_one(&mut *conn)
    .await?
    .try_get("id")?;
    for s in &f.sections {
        sqlx::query(
            "INSERT INTO version_section (version_id, position, section_id, heading, content_areas, owner_sector, revision, body)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(version_id)
        .bind(s.position)
        .bind(s.section_id)
        .bind(s.heading.clone())
        .bind(
            s.content_areas
                .iter()
                .map(|a| a.as_str())
                .collect::<Vec<_>>()
                .join(","),
        )
        .bind(s.owner_sector.clone())
        .bind(s.revision)
        .bind(s.body.clone())
        .execute(&mut *conn)
        .await?;
    }
    for i in &f.indicators {
        let json = serde_json::to_string(i).map_err(|e| StoreError::Invalid(e.to_string()))?;
        sqlx::query(
            "INSERT INTO version_indicator (version_id, indicator_id, definition) VALUES ($1, $2, $3)",
        )
        .bind(version_id)
        .bind(i.id.0)
        .bind(json)
        .execute(&mut *conn)
        .await?;
    }
    // The date of each import run, copied next to the value it wrote.
    let runs: HashMap<i64, String> = sqlx::query("SELECT id, at FROM import_run")
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("at")?)))
        .collect::<StoreResult<_>>()?;
    // Batched multi-row inserts: a document can read a few thousand rows.
    const COLS: usize = 13;
    for chunk in f.values.chunks(200) {
        let mut sql = String::from(
            "INSERT INTO version_value (version_id, indicator_id, region_key, year, sex, value, abs_value, derived, ci_lower, ci_upper, import_id, imported_at, context) VALUES ",
        );
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push(',');
            }
            let ph: Vec<String> = (1..=COLS).map(|c| format!("${}", i * COLS + c)).collect();
            sql.push_str(&format!("({})", ph.join(",")));
        }
        let mut q = sqlx::query(&sql);
        for v in chunk {
            q = q
                .bind(version_id)
                .bind(v.indicator.0)
                .bind(v.region.to_string())
                .bind(v.year)
                .bind(v.sex.code())
                .bind(v.value)
                .bind(v.abs_value)
                .bind(v.derived as i64)
                .bind(v.ci_lower)
                .bind(v.ci_upper)
                .bind(v.import_id)
                .bind(
                    v.imported_at
                        .clone()
                        .or_else(|| runs.get(&v.import_id).cloned()),
                )
                .bind(v.context as i64);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

impl Store {
    /// The versions of a report, oldest first.
    pub async fn versions(&self, report_id: i64) -> StoreResult<Vec<VersionSummary>> {
        let rows = sqlx::query(
            "SELECT v.number, v.title, v.kind, v.year, v.created_at, v.created_by, v.decision_date, v.minutes_section, v.decision_link,
                    (SELECT COUNT(*) FROM version_value x WHERE x.version_id = v.id) AS value_count
             FROM report_version v WHERE v.report_id = $1 ORDER BY v.number",
        )
        .bind(report_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(VersionSummary {
                    number: r.try_get("number")?,
                    title: r.try_get("title")?,
                    kind: r.try_get("kind")?,
                    year: r.try_get("year")?,
                    created_at: r.try_get("created_at")?,
                    created_by: r.try_get("created_by")?,
                    decision: Decision {
                        date: r.try_get("decision_date")?,
                        minutes_section: r.try_get("minutes_section")?,
                        link: opt_str(r, "decision_link")?,
                    },
                    value_count: r.try_get("value_count")?,
                })
            })
            .collect()
    }

    /// A whole version, or `None` when the report has no version of that number.
    pub async fn version_document(
        &self,
        report_id: i64,
        number: i64,
    ) -> StoreResult<Option<VersionDocument>> {
        let Some(summary) = self
            .versions(report_id)
            .await?
            .into_iter()
            .find(|v| v.number == number)
        else {
            return Ok(None);
        };
        let head = sqlx::query(
            "SELECT v.id, v.event_id, v.content_json, r.org_key FROM report_version v JOIN report r ON r.id = v.report_id
             WHERE v.report_id = $1 AND v.number = $2",
        )
        .bind(report_id)
        .bind(number)
        .fetch_one(self.pool())
        .await?;
        let version_id: i64 = head.try_get("id")?;
        let event_id: i64 = head.try_get("event_id")?;
        let content_json: Option<String> = head.try_get("content_json")?;
        let content = content_json
            .map(|j| serde_json::from_str::<FrozenContent>(&j))
            .transpose()
            .map_err(|e| StoreError::Invalid(format!("version {number}'s frozen content: {e}")))?;
        let org: String = head.try_get("org_key")?;
        let org: RegionKey = org
            .parse()
            .map_err(|e: hyte_domain::RegionKeyError| StoreError::Invalid(e.to_string()))?;
        let sections = sqlx::query(
            "SELECT section_id, position, heading, content_areas, owner_sector, revision, body
             FROM version_section WHERE version_id = $1 ORDER BY position, section_id",
        )
        .bind(version_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            let areas: String = r.try_get("content_areas")?;
            Ok(FrozenSection {
                section_id: r.try_get("section_id")?,
                position: r.try_get("position")?,
                heading: r.try_get("heading")?,
                content_areas: parse_content_areas(&areas).map_err(StoreError::Invalid)?,
                owner_sector: opt_str(r, "owner_sector")?,
                revision: r.try_get("revision")?,
                body: r.try_get("body")?,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
        let indicators = sqlx::query(
            "SELECT definition FROM version_indicator WHERE version_id = $1 ORDER BY indicator_id",
        )
        .bind(version_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            let json: String = r.try_get("definition")?;
            serde_json::from_str::<Indicator>(&json).map_err(|e| StoreError::Invalid(e.to_string()))
        })
        .collect::<StoreResult<Vec<_>>>()?;
        let values = self.version_values(version_id).await?;
        let approval = sqlx::query(
            "SELECT id, at, user_email, move, from_state, to_state, reason, decision_date, minutes_section, decision_link, version_number
             FROM approval_event WHERE report_id = $1 AND id <= $2 ORDER BY id",
        )
        .bind(report_id)
        .bind(event_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(event_from_row)
        .collect::<StoreResult<Vec<_>>>()?;
        Ok(Some(VersionDocument {
            report_id,
            org,
            version: summary,
            sections,
            indicators,
            values,
            approval,
            content,
        }))
    }

    async fn version_values(&self, version_id: i64) -> StoreResult<Vec<FrozenValue>> {
        let rows = sqlx::query(
            "SELECT indicator_id, region_key, year, sex, value, abs_value, derived, ci_lower, ci_upper, import_id, imported_at, context
             FROM version_value WHERE version_id = $1 ORDER BY indicator_id, region_key, year, sex",
        )
        .bind(version_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let key: String = r.try_get("region_key")?;
                let sex: i64 = r.try_get("sex")?;
                Ok(FrozenValue {
                    indicator: IndicatorId(r.try_get("indicator_id")?),
                    region: key.parse().map_err(|e: hyte_domain::RegionKeyError| {
                        StoreError::Invalid(e.to_string())
                    })?,
                    year: r.try_get("year")?,
                    sex: Sex::from_code(sex)
                        .ok_or_else(|| StoreError::Invalid(format!("bad sex code {sex}")))?,
                    value: r.try_get("value")?,
                    abs_value: r.try_get("abs_value")?,
                    derived: r.try_get::<i64, _>("derived")? != 0,
                    ci_lower: r.try_get("ci_lower")?,
                    ci_upper: r.try_get("ci_upper")?,
                    import_id: r.try_get("import_id")?,
                    imported_at: opt_str(r, "imported_at")?,
                    context: r.try_get::<i64, _>("context")? != 0,
                })
            })
            .collect()
    }

    /// The values shown by a version (context rows left out) that differ from the
    /// current data: what bringing the working copy up to new data would change.
    /// `None` when there is no such version.
    pub async fn version_changes(
        &self,
        report_id: i64,
        number: i64,
    ) -> StoreResult<Option<Vec<ValueChange>>> {
        let Some(doc) = self.version_document(report_id, number).await? else {
            return Ok(None);
        };
        let mut by_indicator: BTreeMap<IndicatorId, Vec<&FrozenValue>> = BTreeMap::new();
        for v in doc.values.iter().filter(|v| !v.context) {
            by_indicator.entry(v.indicator).or_default().push(v);
        }
        let mut out = vec![];
        for (ind, frozen) in by_indicator {
            let mut regions: Vec<RegionKey> = frozen.iter().map(|v| v.region.clone()).collect();
            regions.sort_by_key(|r| r.to_string());
            regions.dedup();
            let current: HashMap<(RegionKey, i64, Sex), StoredValue> = self
                .values(
                    ind,
                    &ValueQuery {
                        regions,
                        years: vec![],
                        sex: None,
                    },
                )
                .await?
                .into_iter()
                .map(|v| ((v.region.clone(), v.year, v.sex), v))
                .collect();
            let known: std::collections::HashSet<(RegionKey, i64, Sex)> = frozen
                .iter()
                .map(|f| (f.region.clone(), f.year, f.sex))
                .collect();
            // Rows that are new since approval (a new year, say): old is empty.
            let mut added: Vec<&StoredValue> = current
                .iter()
                .filter(|(k, v)| !known.contains(*k) && v.value.is_some())
                .map(|(_, v)| v)
                .collect();
            added.sort_by_key(|v| (v.region.to_string(), v.year, v.sex.code()));
            for v in added {
                out.push(ValueChange {
                    indicator: ind,
                    region: v.region.clone(),
                    year: v.year,
                    sex: v.sex,
                    old: None,
                    new: v.value,
                    new_import_id: Some(v.import_id),
                });
            }
            for f in frozen {
                let now = current.get(&(f.region.clone(), f.year, f.sex));
                let new = now.and_then(|v| v.value);
                if new != f.value {
                    out.push(ValueChange {
                        indicator: ind,
                        region: f.region.clone(),
                        year: f.year,
                        sex: f.sex,
                        old: f.value,
                        new,
                        new_import_id: now.map(|v| v.import_id),
                    });
                }
            }
        }
        Ok(Some(out))
    }
}
