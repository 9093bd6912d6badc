//! Reports, their sections and revisions, indicator selection, joys and concerns,
//! self-assessment and comments.

use crate::{now_rfc3339, opt_str, Store, StoreError, StoreResult};
use hyte_domain::report::{
    parse_content_areas, ContentArea, MeasureKind, ObservationKind, ObservationOrigin, ReportKind,
    SectionStatus, SelectionState, TemplateSection,
};
use hyte_domain::RegionKey;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

/// A report.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Report {
    /// Id.
    pub id: i64,
    /// The owning organisation.
    #[schema(value_type = String, example = "KUNTA:016")]
    pub org: RegionKey,
    /// Other organisations of a joint report: those whose coordinator accepted the
    /// partnership. Only these work on the report.
    #[schema(value_type = Vec<String>)]
    pub partners: Vec<RegionKey>,
    /// Organisations invited as partners that have not answered yet: they have no
    /// access to the report until their coordinator accepts.
    #[schema(value_type = Vec<String>)]
    pub invited_partners: Vec<RegionKey>,
    /// Kind.
    pub kind: ReportKind,
    /// Title.
    pub title: String,
    /// Council term start year.
    pub term_start: i64,
    /// Council term end year.
    pub term_end: i64,
    /// Year of a yearly report.
    pub year: Option<i64>,
    /// Publication languages, e.g. `["fi", "sv"]`.
    pub languages: Vec<String>,
    /// When the group agreed the outline at heading level.
    pub outline_agreed_at: Option<String>,
    /// Who created it.
    pub created_by: String,
    /// When.
    pub created_at: String,
}

impl Report {
    /// Whether an organisation is the owner or an (accepted) partner.
    pub fn involves(&self, org: &RegionKey) -> bool {
        self.org == *org || self.partners.contains(org)
    }
}

/// What is needed to create a report.
#[derive(Debug, Clone)]
pub struct NewReport {
    /// Owner.
    pub org: RegionKey,
    /// Partners that have already accepted (a yearly report continuing its term
    /// report's partnership). A new partner is invited with [`Tx::invite_partner`]
    /// and works on the report only once its coordinator accepts.
    ///
    /// [`Tx::invite_partner`]: crate::tx::Tx::invite_partner
    pub partners: Vec<RegionKey>,
    /// Kind.
    pub kind: ReportKind,
    /// Title.
    pub title: String,
    /// Term start.
    pub term_start: i64,
    /// Term end.
    pub term_end: i64,
    /// Year of a yearly report.
    pub year: Option<i64>,
    /// Languages.
    pub languages: Vec<String>,
    /// Creator's e-mail.
    pub created_by: String,
}

/// A section with its current text.
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    /// Id.
    pub id: i64,
    /// Report.
    pub report_id: i64,
    /// Order in the outline.
    pub position: i64,
    /// Heading.
    pub heading: String,
    /// Statutory content areas it covers.
    pub content_areas: Vec<ContentArea>,
    /// Owner sector.
    pub owner_sector: Option<String>,
    /// Status.
    pub status: SectionStatus,
    /// Current revision number (0 = never saved).
    pub revision: i64,
    /// Current text.
    pub body: String,
    /// Assigned users (ids).
    pub assignees: Vec<i64>,
    /// Unresolved comments.
    pub unresolved_comments: i64,
    /// Last change.
    pub updated_at: String,
}

/// A saved revision.
#[derive(Debug, Clone, Serialize)]
pub struct Revision {
    /// Number within the section, from 0.
    pub number: i64,
    /// Text.
    pub body: String,
    /// Author.
    pub author_email: String,
    /// Note (e.g. "restored from revision 3").
    pub note: Option<String>,
    /// When.
    pub created_at: String,
}

/// Outcome of a save.
#[derive(Debug, Clone, Serialize)]
pub enum SaveOutcome {
    /// Saved as this revision.
    Saved(Revision),
    /// Someone saved first: the save was based on an old revision. Nothing was
    /// written; the current text is returned for merging.
    Conflict {
        /// The current revision number.
        current_revision: i64,
        /// The current text.
        current_body: String,
        /// Who saved it.
        current_author: String,
    },
}

/// An indicator's place in a report's indicator list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Selection {
    /// `sotkanet:<id>` or `preset:<slug>`; unique within the report.
    pub item_key: String,
    /// Sotkanet indicator id, if the item has one.
    pub indicator_id: Option<i64>,
    /// Title at selection time (the store may lack the indicator).
    pub title: String,
    /// State.
    pub state: SelectionState,
    /// Reason (mandatory for excluded and added).
    pub reason: String,
    /// Source of an added indicator.
    pub source: Option<String>,
    /// Section where it is shown.
    pub section_id: Option<i64>,
    /// Kind of measure.
    pub measure_kind: MeasureKind,
    /// Whether it came from the minimum-list preset.
    pub from_preset: bool,
    /// Theme.
    pub theme: Option<String>,
    /// Population group.
    pub population_group: Option<String>,
    /// Last changed by.
    pub updated_by: String,
    /// When.
    pub updated_at: String,
}

/// A joy or concern.
#[derive(Debug, Clone, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Observation {
    /// Id.
    pub id: i64,
    /// Joy or concern.
    pub kind: ObservationKind,
    /// Text.
    pub body: String,
    /// Sector.
    pub sector: Option<String>,
    /// Origin.
    pub origin: ObservationOrigin,
    /// Population group.
    pub population_group: Option<String>,
    /// `open`, `proposed` (by Hyte from data), `accepted` or `dismissed`.
    pub status: String,
    /// Linked indicators.
    pub indicators: Vec<i64>,
    /// Who.
    pub created_by: String,
    /// When.
    pub created_at: String,
    /// For an item a welfare region's report collected: the member municipality
    /// (`KUNTA:016`) it came from.
    pub source_org: Option<String>,
    /// ... and the id of the joy or concern in that municipality's report.
    pub source_observation_id: Option<i64>,
}

/// A joy or concern to copy into a welfare region's report from a member
/// municipality's report.
#[derive(Debug, Clone)]
pub struct CollectedObservation<'a> {
    /// The municipality (`KUNTA:016`).
    pub source_org: &'a str,
    /// The item in the municipality's report.
    pub source: &'a Observation,
}

/// A comment.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Comment {
    /// Id.
    pub id: i64,
    /// Section.
    pub section_id: Option<i64>,
    /// Line of the indicator block commented on, if any.
    pub block_line: Option<i64>,
    /// Parent comment of a reply.
    pub parent_id: Option<i64>,
    /// Author e-mail.
    pub author_email: String,
    /// Author name.
    pub author_name: String,
    /// Text.
    pub body: String,
    /// When resolved.
    pub resolved_at: Option<String>,
    /// By whom.
    pub resolved_by: Option<String>,
    /// When written.
    pub created_at: String,
}

/// A qualitative self-assessment entry.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SelfAssessment {
    /// Id.
    pub id: i64,
    /// Topic.
    pub topic: String,
    /// Text.
    pub body: String,
    /// Score 1..=5.
    pub score: Option<i64>,
    /// By.
    pub updated_by: String,
    /// When.
    pub updated_at: String,
}

fn invalid(e: impl std::fmt::Display) -> StoreError {
    StoreError::Invalid(e.to_string())
}

fn key(s: String) -> StoreResult<RegionKey> {
    s.parse()
        .map_err(|e: hyte_domain::RegionKeyError| invalid(e))
}

const REPORT_COLUMNS: &str = "id, org_key, kind, title, term_start, term_end, year, languages, outline_agreed_at, created_by, created_at";

impl Store {
    async fn report_from_row(&self, row: &AnyRow) -> StoreResult<Report> {
        let id: i64 = row.try_get("id")?;
        let kind: String = row.try_get("kind")?;
        let langs: String = row.try_get("languages")?;
        let (mut partners, mut invited_partners) = (vec![], vec![]);
        for r in sqlx::query(
            "SELECT org_key, state FROM report_partner WHERE report_id = $1 ORDER BY org_key",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?
        {
            let k = key(r.try_get("org_key")?)?;
            match r.try_get::<String, _>("state")?.as_str() {
                "accepted" => partners.push(k),
                _ => invited_partners.push(k),
            }
        }
        Ok(Report {
            id,
            org: key(row.try_get("org_key")?)?,
            partners,
            invited_partners,
            kind: kind.parse().map_err(invalid)?,
            title: row.try_get("title")?,
            term_start: row.try_get("term_start")?,
            term_end: row.try_get("term_end")?,
            year: row.try_get("year")?,
            languages: langs
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            outline_agreed_at: opt_str(row, "outline_agreed_at")?,
            created_by: row.try_get("created_by")?,
            created_at: row.try_get("created_at")?,
        })
    }

    /// A report by id.
    pub async fn report(&self, id: i64) -> StoreResult<Option<Report>> {
        let row = sqlx::query(&format!(
            "SELECT {REPORT_COLUMNS} FROM report WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        match row {
            Some(r) => Ok(Some(self.report_from_row(&r).await?)),
            None => Ok(None),
        }
    }

    /// Reports an organisation owns or takes part in (an accepted partner), newest
    /// term first.
    pub async fn reports_of(&self, org: &RegionKey) -> StoreResult<Vec<Report>> {
        let rows = sqlx::query(&format!(
            "SELECT {REPORT_COLUMNS} FROM report WHERE org_key = $1 OR id IN (SELECT report_id FROM report_partner WHERE org_key = $1 AND state = 'accepted')
             ORDER BY term_start DESC, id DESC"
        ))
        .bind(org.to_string())
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push(self.report_from_row(r).await?);
        }
        Ok(out)
    }

    /// The outline: sections in order, each with its current text.
    pub async fn sections(&self, report_id: i64) -> StoreResult<Vec<Section>> {
        let rows = sqlx::query(
            "SELECT s.id, s.report_id, s.position, s.heading, s.content_areas, s.owner_sector, s.status, s.revision, s.updated_at,
                    r.body,
                    (SELECT COUNT(*) FROM comment c WHERE c.section_id = s.id AND c.resolved_at IS NULL AND c.parent_id IS NULL) AS unresolved
             FROM section s JOIN section_revision r ON r.section_id = s.id AND r.number = s.revision
             WHERE s.report_id = $1 AND s.removed = 0 ORDER BY s.position, s.id",
        )
        .bind(report_id)
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            out.push(self.section_from_row(row).await?);
        }
        Ok(out)
    }

    async fn section_from_row(&self, row: &AnyRow) -> StoreResult<Section> {
        let id: i64 = row.try_get("id")?;
        let status: String = row.try_get("status")?;
        let areas: String = row.try_get("content_areas")?;
        let assignees = sqlx::query(
            "SELECT user_id FROM section_assignee WHERE section_id = $1 ORDER BY user_id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| Ok(r.try_get("user_id")?))
        .collect::<StoreResult<Vec<i64>>>()?;
        Ok(Section {
            id,
            report_id: row.try_get("report_id")?,
            position: row.try_get("position")?,
            heading: row.try_get("heading")?,
            content_areas: parse_content_areas(&areas).map_err(invalid)?,
            owner_sector: opt_str(row, "owner_sector")?,
            status: status.parse().map_err(invalid)?,
            revision: row.try_get("revision")?,
            body: row.try_get("body")?,
            assignees,
            unresolved_comments: row.try_get("unresolved")?,
            updated_at: row.try_get("updated_at")?,
        })
    }

    /// One section (also a removed one, so its history stays reachable).
    pub async fn section(&self, id: i64) -> StoreResult<Option<Section>> {
        let row = sqlx::query(
            "SELECT s.id, s.report_id, s.position, s.heading, s.content_areas, s.owner_sector, s.status, s.revision, s.updated_at,
                    r.body,
                    (SELECT COUNT(*) FROM comment c WHERE c.section_id = s.id AND c.resolved_at IS NULL AND c.parent_id IS NULL) AS unresolved
             FROM section s JOIN section_revision r ON r.section_id = s.id AND r.number = s.revision WHERE s.id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        match row {
            Some(r) => Ok(Some(self.section_from_row(&r).await?)),
            None => Ok(None),
        }
    }

    /// A section's revisions, newest first.
    pub async fn revisions(&self, section_id: i64) -> StoreResult<Vec<Revision>> {
        let rows = sqlx::query(
            "SELECT number, body, author_email, note, created_at FROM section_revision WHERE section_id = $1 ORDER BY number DESC",
        )
        .bind(section_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(revision_from_row).collect()
    }

    /// One revision.
    pub async fn revision(&self, section_id: i64, number: i64) -> StoreResult<Option<Revision>> {
        let row = sqlx::query(
            "SELECT number, body, author_email, note, created_at FROM section_revision WHERE section_id = $1 AND number = $2",
        )
        .bind(section_id)
        .bind(number)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(revision_from_row).transpose()
    }

    /// The report's indicator list.
    pub async fn selections(&self, report_id: i64) -> StoreResult<Vec<Selection>> {
        let rows = sqlx::query(
            "SELECT item_key, indicator_id, title, state, reason, source, section_id, measure_kind, from_preset, theme, population_group, updated_by, updated_at
             FROM report_indicator WHERE report_id = $1 ORDER BY population_group, theme, title",
        )
        .bind(report_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let state: String = r.try_get("state")?;
                let kind: String = r.try_get("measure_kind")?;
                Ok(Selection {
                    item_key: r.try_get("item_key")?,
                    indicator_id: r.try_get("indicator_id")?,
                    title: r.try_get("title")?,
                    state: state.parse().map_err(invalid)?,
                    reason: r.try_get("reason")?,
                    source: opt_str(r, "source")?,
                    section_id: r.try_get("section_id")?,
                    measure_kind: kind.parse().map_err(invalid)?,
                    from_preset: r.try_get::<i64, _>("from_preset")? != 0,
                    theme: opt_str(r, "theme")?,
                    population_group: opt_str(r, "population_group")?,
                    updated_by: r.try_get("updated_by")?,
                    updated_at: r.try_get("updated_at")?,
                })
            })
            .collect()
    }

    /// Joys and concerns of a report with their linked indicators.
    pub async fn observations(&self, report_id: i64) -> StoreResult<Vec<Observation>> {
        let rows = sqlx::query(
            "SELECT id, kind, body, sector, origin, population_group, status, created_by, created_at, source_org, source_observation_id
             FROM observation WHERE report_id = $1 ORDER BY kind, id",
        )
        .bind(report_id)
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            let kind: String = r.try_get("kind")?;
            let origin: String = r.try_get("origin")?;
            let indicators = sqlx::query("SELECT indicator_id FROM observation_indicator WHERE observation_id = $1 ORDER BY indicator_id")
                .bind(id)
                .fetch_all(self.pool())
                .await?
                .iter()
                .map(|x| Ok(x.try_get("indicator_id")?))
                .collect::<StoreResult<Vec<i64>>>()?;
            out.push(Observation {
                id,
                kind: kind.parse().map_err(invalid)?,
                body: r.try_get("body")?,
                sector: opt_str(r, "sector")?,
                origin: origin.parse().map_err(invalid)?,
                population_group: opt_str(r, "population_group")?,
                status: r.try_get("status")?,
                indicators,
                created_by: r.try_get("created_by")?,
                created_at: r.try_get("created_at")?,
                source_org: opt_str(r, "source_org")?,
                source_observation_id: r.try_get("source_observation_id")?,
            });
        }
        Ok(out)
    }

    /// The report an observation belongs to.
    pub async fn observation_report(&self, id: i64) -> StoreResult<Option<i64>> {
        Ok(
            sqlx::query("SELECT report_id FROM observation WHERE id = $1")
                .bind(id)
                .fetch_optional(self.pool())
                .await?
                .map(|r| r.try_get("report_id"))
                .transpose()?,
        )
    }

    /// Comments of a report (all sections), oldest first.
    pub async fn comments(&self, report_id: i64) -> StoreResult<Vec<Comment>> {
        let rows = sqlx::query(
            "SELECT id, section_id, block_line, parent_id, author_email, author_name, body, resolved_at, resolved_by, created_at
             FROM comment WHERE report_id = $1 ORDER BY id",
        )
        .bind(report_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Comment {
                    id: r.try_get("id")?,
                    section_id: r.try_get("section_id")?,
                    block_line: r.try_get("block_line")?,
                    parent_id: r.try_get("parent_id")?,
                    author_email: r.try_get("author_email")?,
                    author_name: r.try_get("author_name")?,
                    body: r.try_get("body")?,
                    resolved_at: opt_str(r, "resolved_at")?,
                    resolved_by: opt_str(r, "resolved_by")?,
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect()
    }

    /// Qualitative self-assessment entries.
    pub async fn self_assessments(&self, report_id: i64) -> StoreResult<Vec<SelfAssessment>> {
        let rows = sqlx::query("SELECT id, topic, body, score, updated_by, updated_at FROM self_assessment WHERE report_id = $1 ORDER BY id")
            .bind(report_id)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                Ok(SelfAssessment {
                    id: r.try_get("id")?,
                    topic: r.try_get("topic")?,
                    body: r.try_get("body")?,
                    score: r.try_get("score")?,
                    updated_by: r.try_get("updated_by")?,
                    updated_at: r.try_get("updated_at")?,
                })
            })
            .collect()
    }
}

fn revision_from_row(r: &AnyRow) -> StoreResult<Revision> {
    Ok(Revision {
        number: r.try_get("number")?,
        body: r.try_get("body")?,
        author_email: r.try_get("author_email")?,
        note: opt_str(r, "note")?,
        created_at: r.try_get("created_at")?,
    })
}

fn areas_text(areas: &[ContentArea]) -> String {
    areas
        .iter()
        .map(|a| a.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

fn check_heading(h: &str) -> StoreResult<()> {
    if h.trim().is_empty() || h.chars().count() > 300 {
        return Err(invalid("a heading must be 1–300 characters"));
    }
    Ok(())
}

async fn insert_section(
    conn: &mut sqlx::AnyConnection,
    report_id: i64,
    position: i64,
    heading: &str,
    areas: &[ContentArea],
    sector: Option<&str>,
    author: &str,
) -> StoreResult<i64> {
    let now = now_rfc3339();
    let id: i64 = sqlx::query(
        "INSERT INTO section (report_id, position, heading, content_areas, owner_sector, status, revision, removed, updated_at)
         VALUES ($1, $2, $3, $4, $5, 'todo', 0, 0, $6) RETURNING id",
    )
    .bind(report_id)
    .bind(position)
    .bind(heading.trim().to_string())
    .bind(areas_text(areas))
    .bind(sector.map(str::to_string).filter(|s| !s.is_empty()))
    .bind(now.clone())
    .fetch_one(&mut *conn)
    .await?
    .try_get("id")?;
    sqlx::query(
        "INSERT INTO section_revision (section_id, number, body, author_email, note, created_at) VALUES ($1, 0, '', $2, NULL, $3)",
    )
    .bind(id)
    .bind(author.to_string())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

impl Store {}

impl crate::tx::Tx {
    /// Creates a report with an outline from a template; returns its id.
    pub async fn create_report(
        &mut self,
        r: &NewReport,
        template: &[TemplateSection],
        lang: &str,
    ) -> StoreResult<i64> {
        if r.title.trim().is_empty() || r.title.chars().count() > 300 {
            return Err(invalid("the title must be 1–300 characters"));
        }
        if r.term_end < r.term_start || r.term_start < 2000 || r.term_end > 2100 {
            return Err(invalid(
                "the council term must run from an earlier to a later year, e.g. 2025–2029",
            ));
        }
        let now = now_rfc3339();
        let id: i64 = sqlx::query(
            "INSERT INTO report (org_key, kind, title, term_start, term_end, year, languages, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(r.org.to_string())
        .bind(r.kind.as_str())
        .bind(r.title.trim().to_string())
        .bind(r.term_start)
        .bind(r.term_end)
        .bind(r.year)
        .bind(r.languages.join(","))
        .bind(r.created_by.clone())
        .bind(now.clone())
        .fetch_one(self.conn())
        .await?
        .try_get("id")?;
        for p in &r.partners {
            if *p != r.org {
                sqlx::query(
                    "INSERT INTO report_partner (report_id, org_key, state, invited_by, invited_at, answered_by, answered_at)
                     VALUES ($1, $2, 'accepted', $3, $4, $3, $4) ON CONFLICT DO NOTHING",
                )
                .bind(id)
                .bind(p.to_string())
                .bind(r.created_by.clone())
                .bind(now.clone())
                .execute(self.conn())
                .await?;
            }
        }
        for (i, t) in template.iter().enumerate() {
            insert_section(
                self.conn(),
                id,
                (i as i64 + 1) * 10,
                t.heading(lang),
                &t.areas,
                t.sector.as_deref(),
                &r.created_by,
            )
            .await?;
        }
        Ok(id)
    }

    /// Records that the group agreed the outline at heading level.
    pub async fn agree_outline(&mut self, report_id: i64) -> StoreResult<()> {
        sqlx::query("UPDATE report SET outline_agreed_at = $1 WHERE id = $2")
            .bind(now_rfc3339())
            .bind(report_id)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// Adds a section at the end of the outline.
    pub async fn add_section(
        &mut self,
        report_id: i64,
        heading: &str,
        areas: &[ContentArea],
        sector: Option<&str>,
        author: &str,
    ) -> StoreResult<i64> {
        check_heading(heading)?;
        self.ensure_text_unlocked(report_id).await?;
        let max: Option<i64> =
            sqlx::query("SELECT MAX(position) AS m FROM section WHERE report_id = $1")
                .bind(report_id)
                .fetch_one(self.conn())
                .await?
                .try_get("m")?;
        let id = insert_section(
            self.conn(),
            report_id,
            max.unwrap_or(0) + 10,
            heading,
            areas,
            sector,
            author,
        )
        .await?;
        Ok(id)
    }

    /// Renames a section and sets its content areas, owner sector and status.
    pub async fn update_section_meta(
        &mut self,
        id: i64,
        heading: &str,
        areas: &[ContentArea],
        sector: Option<&str>,
        status: SectionStatus,
    ) -> StoreResult<()> {
        check_heading(heading)?;
        self.ensure_section_unlocked(id).await?;
        sqlx::query(
            "UPDATE section SET heading = $1, content_areas = $2, owner_sector = $3, status = $4, updated_at = $5 WHERE id = $6",
        )
        .bind(heading.trim().to_string())
        .bind(areas_text(areas))
        .bind(sector.map(str::to_string).filter(|s| !s.is_empty()))
        .bind(status.as_str())
        .bind(now_rfc3339())
        .bind(id)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Sets only the status.
    pub async fn set_section_status(&mut self, id: i64, status: SectionStatus) -> StoreResult<()> {
        sqlx::query("UPDATE section SET status = $1, updated_at = $2 WHERE id = $3")
            .bind(status.as_str())
            .bind(now_rfc3339())
            .bind(id)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// Moves a section one place up (`-1`) or down (`1`) in its outline.
    pub async fn move_section(&mut self, id: i64, direction: i64) -> StoreResult<()> {
        let report_id: i64 = sqlx::query("SELECT report_id FROM section WHERE id = $1")
            .bind(id)
            .fetch_optional(self.conn())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("no section {id}")))?
            .try_get("report_id")?;
        self.ensure_text_unlocked(report_id).await?;
        let list: Vec<Place> = sqlx::query(
            "SELECT id, position FROM section WHERE report_id = $1 AND removed = 0 ORDER BY position, id",
        )
        .bind(report_id)
        .fetch_all(self.conn())
        .await?
        .iter()
        .map(|r| Ok(Place { id: r.try_get("id")?, position: r.try_get("position")? }))
        .collect::<StoreResult<_>>()?;
        let Some(i) = list.iter().position(|x| x.id == id) else {
            return Ok(());
        };
        let s = &list[i];
        let j = i as i64 + direction.signum();
        if j < 0 || j as usize >= list.len() {
            return Ok(());
        }
        let (s, other) = (s.clone(), list[j as usize].clone());
        for (sid, pos) in [(s.id, other.position), (other.id, s.position)] {
            sqlx::query("UPDATE section SET position = $1 WHERE id = $2")
                .bind(pos)
                .bind(sid)
                .execute(self.conn())
                .await?;
        }
        // Equal positions (never expected) would make the swap a no-op; renumber.
        if other.position == s.position {
            sqlx::query("UPDATE section SET position = position + 1 WHERE id = $1")
                .bind(if direction > 0 { s.id } else { other.id })
                .execute(self.conn())
                .await?;
        }
        Ok(())
    }

    /// Removes a section from the outline; its revisions stay.
    pub async fn remove_section(&mut self, id: i64) -> StoreResult<()> {
        self.ensure_section_unlocked(id).await?;
        sqlx::query("UPDATE section SET removed = 1, updated_at = $1 WHERE id = $2")
            .bind(now_rfc3339())
            .bind(id)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// Replaces a section's assignees.
    pub async fn set_assignees(&mut self, section_id: i64, users: &[i64]) -> StoreResult<()> {
        sqlx::query("DELETE FROM section_assignee WHERE section_id = $1")
            .bind(section_id)
            .execute(self.conn())
            .await?;
        for u in users {
            sqlx::query("INSERT INTO section_assignee (section_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(section_id)
                .bind(*u)
                .execute(self.conn())
                .await?;
        }
        Ok(())
    }

    /// Saves a section's text as a new revision, if `base_revision` is still the
    /// current one; otherwise writes nothing and returns the current text.
    pub async fn save_section(
        &mut self,
        id: i64,
        base_revision: i64,
        body: &str,
        author: &str,
        note: Option<&str>,
    ) -> StoreResult<SaveOutcome> {
        if body.chars().count() > hyte_domain::document::MAX_SECTION_CHARS {
            return Err(invalid(format!(
                "the text is too long (at most {} characters)",
                hyte_domain::document::MAX_SECTION_CHARS
            )));
        }
        self.ensure_section_unlocked(id).await?;
        // Claim the next number with a conditional UPDATE first: of two concurrent
        // saves on the same base only one changes the row, on either backend.
        let now = now_rfc3339();
        let claimed = sqlx::query(
            "UPDATE section SET revision = revision + 1, updated_at = $1,
                 status = CASE WHEN status = 'todo' THEN 'draft' ELSE status END
             WHERE id = $2 AND revision = $3
               AND (SELECT r.approval_state FROM report r WHERE r.id = section.report_id) IN ('draft', 'commenting')",
        )
        .bind(now.clone())
        .bind(id)
        .bind(base_revision)
        .execute(self.conn())
        .await?
        .rows_affected();
        if claimed == 0 {
            // Locked by a move to board review in the meantime, or an edit conflict.
            self.ensure_section_unlocked(id).await?;
            let cur = sqlx::query(
                "SELECT s.revision, r.body, r.author_email FROM section s
                 JOIN section_revision r ON r.section_id = s.id AND r.number = s.revision WHERE s.id = $1",
            )
            .bind(id)
            .fetch_optional(self.conn())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("no section {id}")))?;
            return Ok(SaveOutcome::Conflict {
                current_revision: cur.try_get("revision")?,
                current_body: cur.try_get("body")?,
                current_author: cur.try_get("author_email")?,
            });
        }
        let number = base_revision + 1;
        sqlx::query(
            "INSERT INTO section_revision (section_id, number, body, author_email, note, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(number)
        .bind(body.to_string())
        .bind(author.to_string())
        .bind(note.map(str::to_string))
        .bind(now.clone())
        .execute(self.conn())
        .await?;
        Ok(SaveOutcome::Saved(Revision {
            number,
            body: body.to_string(),
            author_email: author.to_string(),
            note: note.map(str::to_string),
            created_at: now,
        }))
    }

    /// Inserts or replaces one indicator's selection. The caller has checked the
    /// reason rules with `hyte_domain::report::check_selection`.
    pub async fn put_selection(&mut self, report_id: i64, s: &Selection) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO report_indicator (report_id, item_key, indicator_id, state, reason, source, section_id, measure_kind, from_preset, theme, population_group, title, updated_by, updated_at)
             VALUES ($1, $14, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
             ON CONFLICT (report_id, item_key) DO UPDATE SET state = excluded.state, reason = excluded.reason, source = excluded.source,
               section_id = excluded.section_id, measure_kind = excluded.measure_kind, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        )
        .bind(report_id)
        .bind(s.indicator_id)
        .bind(s.state.as_str())
        .bind(s.reason.clone())
        .bind(s.source.clone())
        .bind(s.section_id)
        .bind(s.measure_kind.as_str())
        .bind(i64::from(s.from_preset))
        .bind(s.theme.clone())
        .bind(s.population_group.clone())
        .bind(s.title.clone())
        .bind(s.updated_by.clone())
        .bind(now_rfc3339())
        .bind(s.item_key.clone())
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Copies member municipalities' joys and concerns into a welfare region's report
    /// as proposals (origin `municipality`, status `proposed`) with their linked
    /// indicators and where they came from. An item already collected into this report
    /// is skipped, also when the region dismissed it, so collecting again after the
    /// municipalities have added items brings only the new ones. Returns the new ids.
    pub async fn collect_observations(
        &mut self,
        report_id: i64,
        items: &[CollectedObservation<'_>],
        by: &str,
    ) -> StoreResult<Vec<i64>> {
        let now = now_rfc3339();
        let mut out = vec![];
        for c in items {
            let o = c.source;
            // The unique index decides what was collected before, also against a
            // collection running at the same time.
            let row = sqlx::query(
                "INSERT INTO observation (report_id, kind, body, sector, origin, population_group, status, created_by, created_at, source_org, source_observation_id)
                 VALUES ($1, $2, $3, $4, $5, $6, 'proposed', $7, $8, $9, $10)
                 ON CONFLICT (report_id, source_observation_id) DO NOTHING RETURNING id",
            )
            .bind(report_id)
            .bind(o.kind.as_str())
            .bind(o.body.clone())
            .bind(o.sector.clone())
            .bind(ObservationOrigin::Municipality.as_str())
            .bind(o.population_group.clone())
            .bind(by.to_string())
            .bind(now.clone())
            .bind(c.source_org.to_string())
            .bind(o.id)
            .fetch_optional(self.conn())
            .await?;
            let Some(row) = row else { continue };
            let id: i64 = row.try_get("id")?;
            for i in &o.indicators {
                sqlx::query("INSERT INTO observation_indicator (observation_id, indicator_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                    .bind(id)
                    .bind(*i)
                    .execute(self.conn())
                    .await?;
            }
            out.push(id);
        }
        Ok(out)
    }

    /// Adds a joy or concern with its linked indicators.
    #[allow(clippy::too_many_arguments)]
    pub async fn add_observation(
        &mut self,
        report_id: i64,
        kind: ObservationKind,
        body: &str,
        sector: Option<&str>,
        origin: ObservationOrigin,
        population_group: Option<&str>,
        status: &str,
        indicators: &[i64],
        by: &str,
    ) -> StoreResult<i64> {
        let body = body.trim();
        if body.is_empty() || body.chars().count() > 2000 {
            return Err(invalid(
                "the text of a joy or concern must be 1–2 000 characters",
            ));
        }
        let id: i64 = sqlx::query(
            "INSERT INTO observation (report_id, kind, body, sector, origin, population_group, status, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(report_id)
        .bind(kind.as_str())
        .bind(body.to_string())
        .bind(sector.map(str::to_string).filter(|s| !s.is_empty()))
        .bind(origin.as_str())
        .bind(population_group.map(str::to_string).filter(|s| !s.is_empty()))
        .bind(status.to_string())
        .bind(by.to_string())
        .bind(now_rfc3339())
        .fetch_one(self.conn())
        .await?
        .try_get("id")?;
        for i in indicators {
            sqlx::query("INSERT INTO observation_indicator (observation_id, indicator_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(id)
                .bind(*i)
                .execute(self.conn())
                .await?;
        }
        Ok(id)
    }

    /// Replaces an observation's linked indicators.
    pub async fn set_observation_indicators(
        &mut self,
        id: i64,
        indicators: &[i64],
    ) -> StoreResult<()> {
        sqlx::query("DELETE FROM observation_indicator WHERE observation_id = $1")
            .bind(id)
            .execute(self.conn())
            .await?;
        for i in indicators {
            sqlx::query("INSERT INTO observation_indicator (observation_id, indicator_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(id)
                .bind(*i)
                .execute(self.conn())
                .await?;
        }
        Ok(())
    }

    /// Sets an observation's status (`open`, `accepted`, `dismissed`).
    pub async fn set_observation_status(&mut self, id: i64, status: &str) -> StoreResult<()> {
        if !["open", "proposed", "accepted", "dismissed"].contains(&status) {
            return Err(invalid(format!("unknown status '{status}'")));
        }
        sqlx::query("UPDATE observation SET status = $1 WHERE id = $2")
            .bind(status.to_string())
            .bind(id)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// Adds a comment (a reply when `parent_id` is set; replies belong to the parent's
    /// section).
    #[allow(clippy::too_many_arguments)]
    pub async fn add_comment(
        &mut self,
        report_id: i64,
        section_id: Option<i64>,
        block_line: Option<i64>,
        parent_id: Option<i64>,
        author_email: &str,
        author_name: &str,
        body: &str,
    ) -> StoreResult<i64> {
        let body = body.trim();
        if body.is_empty() || body.chars().count() > 5000 {
            return Err(invalid("a comment must be 1–5 000 characters"));
        }
        let (section_id, block_line) = match parent_id {
            Some(p) => {
                let row = sqlx::query(
                    "SELECT report_id, section_id, block_line FROM comment WHERE id = $1",
                )
                .bind(p)
                .fetch_optional(self.conn())
                .await?
                .ok_or_else(|| StoreError::NotFound(format!("no comment {p}")))?;
                let rid: i64 = row.try_get("report_id")?;
                if rid != report_id {
                    return Err(StoreError::NotFound(format!(
                        "no comment {p} in this report"
                    )));
                }
                (row.try_get("section_id")?, row.try_get("block_line")?)
            }
            None => (section_id, block_line),
        };
        let row = sqlx::query(
            "INSERT INTO comment (report_id, section_id, block_line, parent_id, author_email, author_name, body, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(report_id)
        .bind(section_id)
        .bind(block_line)
        .bind(parent_id)
        .bind(author_email.to_string())
        .bind(author_name.to_string())
        .bind(body.to_string())
        .bind(now_rfc3339())
        .fetch_one(self.conn())
        .await?;
        Ok(row.try_get("id")?)
    }

    /// Resolves (`Some(by)`) or reopens (`None`) a comment thread of a report.
    pub async fn resolve_comment(
        &mut self,
        report_id: i64,
        id: i64,
        by: Option<&str>,
    ) -> StoreResult<()> {
        let r = sqlx::query("UPDATE comment SET resolved_at = $1, resolved_by = $2 WHERE id = $3 AND report_id = $4")
            .bind(by.map(|_| now_rfc3339()))
            .bind(by.map(str::to_string))
            .bind(id)
            .bind(report_id)
            .execute(self.conn())
            .await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!(
                "no comment {id} in this report"
            )));
        }
        Ok(())
    }

    /// Adds a self-assessment entry (score 1..=5 or none).
    pub async fn add_self_assessment(
        &mut self,
        report_id: i64,
        topic: &str,
        body: &str,
        score: Option<i64>,
        by: &str,
    ) -> StoreResult<i64> {
        if topic.trim().is_empty() || topic.chars().count() > 300 || body.chars().count() > 10_000 {
            return Err(invalid("a self-assessment needs a topic (1–300 characters) and at most 10 000 characters of text"));
        }
        if score.is_some_and(|s| !(1..=5).contains(&s)) {
            return Err(invalid("the score must be from 1 to 5"));
        }
        let row = sqlx::query(
            "INSERT INTO self_assessment (report_id, topic, body, score, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(report_id)
        .bind(topic.trim().to_string())
        .bind(body.trim().to_string())
        .bind(score)
        .bind(by.to_string())
        .bind(now_rfc3339())
        .fetch_one(self.conn())
        .await?;
        Ok(row.try_get("id")?)
    }

    /// Adds indicator-list items that are not on the report's list yet, in one
    /// transaction; items already there (whatever their state) are left untouched, so
    /// seeding from a preset is idempotent. Returns how many were added.
    pub async fn seed_selections(
        &mut self,
        report_id: i64,
        items: &[Selection],
    ) -> StoreResult<usize> {
        let now = now_rfc3339();
        let mut added = 0;
        for s in items {
            let r = sqlx::query(
                "INSERT INTO report_indicator (report_id, item_key, indicator_id, state, reason, source, section_id, measure_kind, from_preset, theme, population_group, title, updated_by, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
                 ON CONFLICT (report_id, item_key) DO NOTHING",
            )
            .bind(report_id)
            .bind(s.item_key.clone())
            .bind(s.indicator_id)
            .bind(s.state.as_str())
            .bind(s.reason.clone())
            .bind(s.source.clone())
            .bind(s.section_id)
            .bind(s.measure_kind.as_str())
            .bind(i64::from(s.from_preset))
            .bind(s.theme.clone())
            .bind(s.population_group.clone())
            .bind(s.title.clone())
            .bind(s.updated_by.clone())
            .bind(now.clone())
            .execute(self.conn())
            .await?;
            added += r.rows_affected() as usize;
        }
        Ok(added)
    }
}

/// A section's place in its outline.
#[derive(Clone)]
struct Place {
    id: i64,
    position: i64,
}

/// An invitation to take part in another organisation's report as a partner.
#[derive(Debug, Clone, Serialize)]
pub struct PartnerInvitation {
    /// The report.
    pub report_id: i64,
    /// Its title.
    pub report_title: String,
    /// The inviting organisation (the report's owner).
    pub owner: RegionKey,
    /// The invited organisation.
    pub partner: RegionKey,
    /// Who invited (e-mail), if known.
    pub invited_by: Option<String>,
    /// When.
    pub invited_at: Option<String>,
}

const INVITATION_COLUMNS: &str =
    "p.report_id, r.title, r.org_key AS owner, p.org_key AS partner, p.invited_by, p.invited_at";

fn invitation_from_row(row: &AnyRow) -> StoreResult<PartnerInvitation> {
    Ok(PartnerInvitation {
        report_id: row.try_get("report_id")?,
        report_title: row.try_get("title")?,
        owner: key(row.try_get("owner")?)?,
        partner: key(row.try_get("partner")?)?,
        invited_by: opt_str(row, "invited_by")?,
        invited_at: opt_str(row, "invited_at")?,
    })
}

impl Store {
    /// The partnership invitations an organisation has received and not answered,
    /// newest first.
    pub async fn partner_invitations_to(
        &self,
        org: &RegionKey,
    ) -> StoreResult<Vec<PartnerInvitation>> {
        sqlx::query(&format!(
            "SELECT {INVITATION_COLUMNS} FROM report_partner p JOIN report r ON r.id = p.report_id
             WHERE p.org_key = $1 AND p.state = 'invited' ORDER BY p.invited_at DESC, p.report_id DESC"
        ))
        .bind(org.to_string())
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(invitation_from_row)
        .collect()
    }

    /// The unanswered invitation of an organisation to a report, if there is one.
    pub async fn partner_invitation(
        &self,
        report_id: i64,
        org: &RegionKey,
    ) -> StoreResult<Option<PartnerInvitation>> {
        sqlx::query(&format!(
            "SELECT {INVITATION_COLUMNS} FROM report_partner p JOIN report r ON r.id = p.report_id
             WHERE p.report_id = $1 AND p.org_key = $2 AND p.state = 'invited'"
        ))
        .bind(report_id)
        .bind(org.to_string())
        .fetch_optional(self.pool())
        .await?
        .as_ref()
        .map(invitation_from_row)
        .transpose()
    }
}

impl crate::tx::Tx {
    /// Invites an organisation to be a partner of a report (state `invited`): `false`
    /// when it is already invited or a partner.
    pub async fn invite_partner(
        &mut self,
        report_id: i64,
        org: &RegionKey,
        by: &str,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO report_partner (report_id, org_key, state, invited_by, invited_at)
             VALUES ($1, $2, 'invited', $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind(report_id)
        .bind(org.to_string())
        .bind(by.to_string())
        .bind(now_rfc3339())
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Accepts an invitation: the organisation becomes a partner. `false` when there
    /// was no unanswered invitation (already answered, withdrawn, never made).
    pub async fn accept_partner(
        &mut self,
        report_id: i64,
        org: &RegionKey,
        by: &str,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE report_partner SET state = 'accepted', answered_by = $3, answered_at = $4
             WHERE report_id = $1 AND org_key = $2 AND state = 'invited'",
        )
        .bind(report_id)
        .bind(org.to_string())
        .bind(by.to_string())
        .bind(now_rfc3339())
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Deletes an unanswered invitation (declined or withdrawn). `false` when there
    /// was none; an accepted partnership is not touched.
    pub async fn drop_partner_invitation(
        &mut self,
        report_id: i64,
        org: &RegionKey,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "DELETE FROM report_partner WHERE report_id = $1 AND org_key = $2 AND state = 'invited'",
        )
        .bind(report_id)
        .bind(org.to_string())
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
