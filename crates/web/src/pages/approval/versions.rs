//! Frozen versions: the list, one version as approved (rendered only from its
//! snapshot) and what has changed in the data since.

use super::{event_view, version_view, EventView, ReportPage, VersionView};
use crate::blocks::{render_section_in, Fmt};
use crate::i18n::Tr;
use crate::pages::render;
use crate::pages::report_data::ReportHead;
use crate::pages::reports::short_time;
use crate::view::Page;
use crate::{AppError, AppResult, AppState};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use hyte_app::model::indicators::Indicator;
use hyte_app::model::orgs::Region;
use hyte_app::model::versions::{ValueChange, VersionDocument};
use hyte_app::ReportCtx;
use hyte_domain::{IndicatorId, RegionKey, Sex};
use std::collections::{HashMap, HashSet};

/// Parses a version number in a path: 404 for anything but a positive number.
pub fn parse_version(v: &str, tr: &Tr) -> AppResult<i64> {
    v.trim()
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| AppError::not_found(tr.ta("appr-err-no-version", &[("v", v.to_string())])))
}

/// Loads a version or answers 404.
pub async fn load_version(
    state: &AppState,
    ctx: &ReportCtx,
    v: &str,
    tr: &Tr,
) -> AppResult<VersionDocument> {
    let n = parse_version(v, tr)?;
    state
        .app
        .version_document(ctx, n)
        .await?
        .ok_or_else(|| AppError::not_found(tr.ta("appr-err-no-version", &[("v", v.to_string())])))
}

/// A version (404 as [`load_version`]) and every value it shows that differs from
/// the current data.
pub async fn version_changes(
    state: &AppState,
    ctx: &ReportCtx,
    v: &str,
    tr: &Tr,
) -> AppResult<(VersionDocument, Vec<ValueChange>)> {
    let doc = load_version(state, ctx, v, tr).await?;
    let changes = state
        .app
        .version_changes(ctx, doc.version.number)
        .await?
        .unwrap_or_default();
    Ok((doc, changes))
}

#[derive(Template)]
#[template(path = "version_list.html")]
struct VersionsTpl {
    page: Page,
    head: ReportHead,
    versions: Vec<VersionView>,
}

/// `GET /reports/{id}/versions`: every frozen version of the report.
pub async fn versions_page(State(state): State<AppState>, page: ReportPage) -> AppResult<Response> {
    let tr = page.tr;
    let versions = state.app.versions(&page.ctx).await?;
    render(&VersionsTpl {
        page: page.frame(format!(
            "{} – {}",
            tr.t("appr-versions"),
            page.ctx.report.title
        )),
        head: page.head(&state).await?,
        versions: versions
            .iter()
            .rev()
            .map(|v| version_view(&tr, v))
            .collect(),
    })
}

/// A frozen section as shown.
pub struct SectionView {
    /// Anchor id.
    pub id: String,
    /// Heading.
    pub heading: String,
    /// Approved revision.
    pub revision: i64,
    /// Rendered parts (safe HTML).
    pub parts: Vec<String>,
}

#[derive(Template)]
#[template(path = "version_page.html")]
struct VersionTpl {
    page: Page,
    head: ReportHead,
    number: i64,
    title: String,
    decision: String,
    link: Option<String>,
    at: String,
    by: String,
    data_dates: String,
    sections: Vec<SectionView>,
    events: Vec<EventView>,
}

/// `GET /reports/{id}/versions/{v}`: a version as approved, rendered only from its
/// snapshot (the same block renderer as the working copy, fed frozen data).
pub async fn version_page(
    State(state): State<AppState>,
    page: ReportPage,
    Path((_, v)): Path<(String, String)>,
) -> AppResult<Response> {
    let tr = page.tr;
    let doc = load_version(&state, &page.ctx, &v, &tr).await?;
    let org: Region = state
        .app
        .region(&doc.org)
        .await?
        .ok_or_else(|| AppError::not_found(format!("no organisation {}", doc.org)))?;
    let snap = doc.snapshot();
    let src = state.app.frozen_values(&snap);
    let mut sections = vec![];
    for s in &doc.sections {
        let prefix = format!("v{}s{}", doc.version.number, s.section_id);
        let parts = render_section_in(&src, &org, &s.body, &tr, &prefix)
            .await?
            .into_iter()
            .map(|p| p.html)
            .collect();
        sections.push(SectionView {
            id: prefix,
            heading: s.heading.clone(),
            revision: s.revision,
            parts,
        });
    }
    let mut dates: Vec<String> = doc
        .values
        .iter()
        .filter_map(|v| v.imported_at.as_deref().map(short_time))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    dates.sort();
    render(&VersionTpl {
        page: page.frame(format!(
            "{} {} – {}",
            tr.t("appr-version"),
            doc.version.number,
            doc.version.title
        )),
        head: page.head(&state).await?,
        number: doc.version.number,
        title: doc.version.title.clone(),
        decision: tr.ta(
            "appr-decision-text",
            &[
                ("date", doc.version.decision.date.clone()),
                ("section", doc.version.decision.minutes_section.clone()),
            ],
        ),
        link: doc.version.decision.link.clone(),
        at: short_time(&doc.version.created_at),
        by: doc.version.created_by.clone(),
        data_dates: dates.join(", "),
        sections,
        events: doc.approval.iter().map(|e| event_view(&tr, e)).collect(),
    })
}

/// One changed value as shown.
pub struct ChangeView {
    /// Indicator title.
    pub indicator: String,
    /// Indicator id (link).
    pub indicator_id: i64,
    /// Area name.
    pub area: String,
    /// Year.
    pub year: i64,
    /// Sex in words.
    pub sex: String,
    /// Frozen value.
    pub old: String,
    /// Current value.
    pub new: String,
}

#[derive(Template)]
#[template(path = "version_changes.html")]
struct ChangesTpl {
    page: Page,
    head: ReportHead,
    number: i64,
    changes: Vec<ChangeView>,
}

/// `GET /reports/{id}/versions/{v}/changes`: every value the version shows that
/// differs from the current data (indicator, area, year, old → new). The working copy
/// renders current data; this is what bringing it up to new data changes.
pub async fn changes_page(
    State(state): State<AppState>,
    page: ReportPage,
    Path((_, v)): Path<(String, String)>,
) -> AppResult<Response> {
    let tr = page.tr;
    let (doc, changes) = version_changes(&state, &page.ctx, &v, &tr).await?;
    let views = change_views(&state, &tr, &doc, &changes).await?;
    render(&ChangesTpl {
        page: page.frame(format!(
            "{} – {}",
            tr.t("appr-changes-title"),
            page.ctx.report.title
        )),
        head: page.head(&state).await?,
        number: doc.version.number,
        changes: views,
    })
}

async fn change_views(
    state: &AppState,
    tr: &Tr,
    doc: &VersionDocument,
    changes: &[ValueChange],
) -> AppResult<Vec<ChangeView>> {
    let lang = tr.code();
    let defs: HashMap<IndicatorId, &Indicator> = doc.indicators.iter().map(|i| (i.id, i)).collect();
    let mut names: HashMap<RegionKey, String> = HashMap::new();
    let mut out = vec![];
    for c in changes {
        if !names.contains_key(&c.region) {
            let n = if c.region == RegionKey::country() {
                tr.t("ind-country")
            } else {
                state
                    .app
                    .region(&c.region)
                    .await?
                    .map(|r| r.name(lang).to_string())
                    .unwrap_or_else(|| c.region.to_string())
            };
            names.insert(c.region.clone(), n);
        }
        let (title, fmt) = match defs.get(&c.indicator) {
            Some(d) => (d.title.get(lang).to_string(), Fmt::new(d, tr)),
            None => (
                c.indicator.to_string(),
                Fmt {
                    decimals: 1,
                    comma: lang != "en",
                },
            ),
        };
        let num = |v: Option<f64>| fmt.num(v);
        out.push(ChangeView {
            indicator: title,
            indicator_id: c.indicator.0,
            area: names.get(&c.region).cloned().unwrap_or_default(),
            year: c.year,
            sex: tr.t(&format!("sex-{}", sex_key(c.sex))),
            old: num(c.old),
            new: num(c.new),
        });
    }
    Ok(out)
}

fn sex_key(s: Sex) -> &'static str {
    match s {
        Sex::Total => "total",
        Sex::Male => "male",
        Sex::Female => "female",
    }
}
