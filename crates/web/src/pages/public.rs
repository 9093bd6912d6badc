//! Publication: the public site (`/public/{org}`), the report as PDF and as a
//! one-page infographic, table downloads, and the coordinator's publication settings.
//!
//! Every public output is built from one [`PublishedDocument`] (crate `hyte-publish`)
//! made by [`build_document`]. Published content does not change, so rendered pages,
//! PDFs and JSON are cached per (report, language, publication time); withdrawing or
//! re-publishing changes the key.

use crate::analysis::ValueSource;
use crate::auth::Viewer;
use crate::blocks::{markdown_html, published_block, unit_label, Fmt};
use crate::export::{Cell, ExportFormat, Table};
use crate::i18n::{Lang, Tr};
use crate::pages::render;
use crate::pages::report_data::{load_report, ReportAccess};
use crate::view::Page;
use crate::{AppError, AppResult, AppState};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Form, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use hyte_domain::document::{parse_section, Block};
use hyte_domain::report::ObservationKind;
use hyte_domain::{IndicatorId, RegionCategory, RegionKey, Sex};
use hyte_publish::{
    Approval, Infographic, KeyIndicator, Labels, OrgRef, OutcomeRef, Part, PublishedDocument,
    PublishedSection, RenderedBlock,
};
use hyte_stats::CiLevel;
use hyte_store::indicators::ValueQuery;
use hyte_store::publication::Publication;
use hyte_store::reports::Report;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Routes of publication.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/public/{org}", get(archive))
        // One parameter name per position (the router refuses two): `{id}` may be
        // `12`, `12.pdf` or `12.json`.
        .route("/public/{org}/reports/{id}", get(public_report))
        .route("/public/{org}/reports/{id}/{file}", get(public_file))
        .route(
            "/public/{org}/reports/{id}/tables/{file}",
            get(public_table),
        )
        .route(
            "/reports/{id}/publication",
            get(settings).post(save_settings),
        )
        .route("/reports/{id}/publication/toggle", post(toggle))
        .route("/reports/{id}/report.pdf", get(private_report_pdf))
        .route("/reports/{id}/summary.pdf", get(private_summary_pdf))
        .route("/reports/{id}/summary.svg", get(private_summary_svg))
        .route("/reports/{id}/summary.png", get(private_summary_png))
}

/// Most indicators on the infographic (three rows of three fit one A4 page).
pub const MAX_INFOGRAPHIC: usize = 9;
/// Strengths and concerns shown on the infographic.
const TOP_OBSERVATIONS: usize = 3;

// ---------------------------------------------------------------------------
// What is public

/// Whether a report may be served publicly.
///
/// Whether a report is on the public site: the approval workflow's "publish" move
/// (after the council's approval) sets `report_publication.published_at`; the
/// coordinator can withdraw it from the site and put it back without a new decision.
pub fn is_public(publication: &Publication) -> bool {
    publication.is_published()
}

/// A published report addressed through its organisation: 404 unless the report
/// exists, involves the organisation and is public (unpublished content is never
/// served, and its existence is not revealed).
pub async fn published_report(
    state: &AppState,
    org: &str,
    id: &str,
) -> AppResult<(Report, Publication)> {
    let not_found = || AppError::not_found(format!("no published report {id}"));
    let org: RegionKey = org.parse().map_err(|_| not_found())?;
    let rid: i64 = id.trim().parse().map_err(|_| not_found())?;
    let report = state.store.report(rid).await?.ok_or_else(not_found)?;
    if !report.involves(&org) {
        return Err(not_found());
    }
    let publication = state.store.publication(rid).await?;
    if !is_public(&publication) {
        return Err(not_found());
    }
    Ok((report, publication))
}

/// A published report by id alone (open-data API).
pub async fn published_report_by_id(
    state: &AppState,
    id: &str,
) -> AppResult<(Report, Publication)> {
    let not_found = || AppError::not_found(format!("no published report {id}"));
    let rid: i64 = id.trim().parse().map_err(|_| not_found())?;
    let report = state.store.report(rid).await?.ok_or_else(not_found)?;
    let publication = state.store.publication(rid).await?;
    if !is_public(&publication) {
        return Err(not_found());
    }
    Ok((report, publication))
}

// ---------------------------------------------------------------------------
// The document

/// Builds the document a resident reads, in one language.
pub async fn build_document(
    state: &AppState,
    report: &Report,
    publication: &Publication,
    lang: Lang,
) -> AppResult<PublishedDocument> {
    let tr = Tr::new(lang);
    let code = lang.code();
    let org = state
        .store
        .region(&report.org)
        .await?
        .ok_or_else(|| AppError::not_found(format!("no organisation {}", report.org)))?;
    // An approved report is published from its latest frozen version: the text and
    // the numbers the council approved, whatever has been imported since. Before
    // approval (the signed-in working copy outputs) it is the current text and data.
    let facts = state.store.approval_facts(report.id).await?;
    let frozen = match facts.latest_version {
        Some(n) if facts.council_approved => state.store.version_document(report.id, n).await?,
        _ => None,
    };
    let snapshot = frozen.as_ref().map(|d| d.snapshot());
    let src = match &snapshot {
        Some(snap) => ValueSource::Frozen(&state.store, snap),
        None => ValueSource::Live(&state.store),
    };
    let texts: Vec<(i64, String, String)> = match &frozen {
        Some(d) => d
            .sections
            .iter()
            .map(|s| (s.section_id, s.heading.clone(), s.body.clone()))
            .collect(),
        None => state
            .store
            .sections(report.id)
            .await?
            .into_iter()
            .map(|s| (s.id, s.heading, s.body))
            .collect(),
    };
    let approval = facts.decision.as_ref().map(|d| Approval {
        date: d.date.clone(),
        body: Some(tr.t("pub-council")),
        paragraph: Some(d.minutes_section.clone()),
        link: d.link.clone(),
    });
    let mut sections = vec![];
    let mut block_ids: Vec<i64> = vec![];
    for (sid, heading, body) in texts {
        let mut parts = vec![];
        for b in parse_section(&body) {
            parts.push(match b {
                Block::Text { markdown } => Part::Text { markdown },
                Block::Indicator { line, block } => {
                    let rb = published_block(&src, &org, &block, &tr, &format!("s{sid}-l{line}"))
                        .await?;
                    if let Some(i) = rb.indicator_id {
                        if !block_ids.contains(&i) {
                            block_ids.push(i);
                        }
                    }
                    Part::Block(rb)
                }
                Block::Invalid { line, raw, message } => Part::Block(RenderedBlock {
                    anchor: format!("s{sid}-l{line}"),
                    indicator_id: None,
                    title: tr.t("blk-error"),
                    subtitle: raw,
                    svg: String::new(),
                    outcomes: vec![],
                    headers: vec![],
                    rows: vec![],
                    notes: vec![],
                    attribution: String::new(),
                    error: Some(tr.ta("blk-invalid", &[("reason", message)])),
                }),
            });
        }
        sections.push(PublishedSection {
            id: sid,
            heading,
            parts,
        });
    }

    let observations = state.store.observations(report.id).await?;
    // A welfare region's report names the member municipality an item came from.
    let mut sources: HashMap<String, String> = HashMap::new();
    for key in observations.iter().filter_map(|o| o.source_org.as_deref()) {
        if let (false, Ok(k)) = (sources.contains_key(key), key.parse::<RegionKey>()) {
            if let Some(r) = state.store.region(&k).await? {
                sources.insert(key.to_string(), r.name(tr.code()).to_string());
            }
        }
    }
    let top = |kind: ObservationKind| -> Vec<String> {
        let mut xs: Vec<_> = observations
            .iter()
            .filter(|o| o.kind == kind && o.status != "dismissed" && o.status != "proposed")
            .collect();
        // Accepted ones first, then the order they were written in.
        xs.sort_by_key(|o| o.status != "accepted");
        xs.iter()
            .take(TOP_OBSERVATIONS)
            .map(|o| {
                let text = clip(&o.body, 220);
                match o.source_org.as_ref().and_then(|k| sources.get(k)) {
                    Some(name) => format!("{text} ({name})"),
                    None => text,
                }
            })
            .collect()
    };
    let strengths = top(ObservationKind::Joy);
    let concerns = top(ObservationKind::Concern);

    let chosen: Vec<i64> = if publication.infographic.is_empty() {
        block_ids.iter().copied().take(MAX_INFOGRAPHIC).collect()
    } else {
        publication
            .infographic
            .iter()
            .copied()
            .take(MAX_INFOGRAPHIC)
            .collect()
    };
    let mut indicators = vec![];
    for id in chosen {
        if let Some(k) = key_indicator(&src, &org.key, id, &tr).await? {
            indicators.push(k);
        }
    }

    let plan = crate::pages::plan::published_plan(state, report, &tr).await?;
    let goals = plan
        .iter()
        .flat_map(|p| &p.goals)
        .take(TOP_OBSERVATIONS)
        .map(|g| clip(&g.title, 160))
        .collect();

    let summary = if publication.summary.trim().is_empty() {
        generated_summary(&tr, org.name(code), &strengths, &concerns)
    } else {
        publication.summary.clone()
    };

    Ok(PublishedDocument {
        id: report.id,
        org: OrgRef {
            key: org.key.to_string(),
            name: org.name(code).to_string(),
        },
        kind: report.kind.as_str().to_string(),
        title: report.title.clone(),
        term_start: report.term_start,
        term_end: report.term_end,
        year: report.year,
        language: code.to_string(),
        languages: report.languages.clone(),
        published_at: publication.published_at.clone(),
        approval,
        summary,
        sections,
        infographic: Infographic {
            indicators,
            strengths,
            concerns,
            goals,
        },
        attribution: tr.t("pub-attribution"),
        labels: labels(&tr, report),
        plan,
    })
}

fn clip(s: &str, n: usize) -> String {
    let s = s.trim();
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>().trim_end())
    }
}

/// The plain-language summary when the coordinator has not written one: the
/// strengths and concerns the welfare group recorded.
fn generated_summary(tr: &Tr, org: &str, strengths: &[String], concerns: &[String]) -> String {
    let mut md = tr.ta("pub-summary-intro", &[("org", org.to_string())]);
    md.push_str("\n\n");
    for (title, xs) in [
        (tr.t("pub-strengths"), strengths),
        (tr.t("pub-concerns"), concerns),
    ] {
        if xs.is_empty() {
            continue;
        }
        md.push_str(&format!("**{title}**\n\n"));
        for x in xs {
            md.push_str(&format!("- {}\n", x.replace('\n', " ")));
        }
        md.push('\n');
    }
    md
}

fn labels(tr: &Tr, report: &Report) -> Labels {
    Labels {
        contents: tr.t("pub-contents"),
        summary: tr.t("pub-summary"),
        term: tr.t("pub-term"),
        published: tr.t("pub-published"),
        approval: tr.t("pub-approval"),
        not_approved: tr.t("pub-not-approved"),
        source: tr.t("pub-source"),
        key_indicators: tr.t("pub-key-indicators"),
        strengths: tr.t("pub-strengths"),
        concerns: tr.t("pub-concerns"),
        goals: tr.t("pub-goals"),
        vs_country: tr.t("pub-vs-country"),
        vs_region: tr.t("pub-vs-region"),
        page: tr.t("pub-page"),
        no_data: tr.t("pub-no-data"),
        kind: tr.t(&format!("rep-kind-{}", report.kind.as_str())),
    }
}

/// The latest value of an indicator in an area with its outcome against the country
/// and the welfare region (`None` for an unknown indicator).
async fn key_indicator(
    src: &ValueSource<'_>,
    area: &RegionKey,
    id: i64,
    tr: &Tr,
) -> AppResult<Option<KeyIndicator>> {
    let Some(ind) = src.indicator(IndicatorId(id)).await? else {
        return Ok(None);
    };
    let all = crate::analysis::assess_in(
        src,
        &ind,
        &ValueQuery {
            regions: vec![area.clone()],
            years: vec![],
            sex: Some(Sex::Total),
        },
        CiLevel::P95,
    )
    .await?;
    let latest = all
        .iter()
        .filter(|a| a.region == *area && a.gender == Sex::Total && a.value.is_some())
        .max_by_key(|a| a.year);
    let fmt = Fmt::new(&ind, tr);
    let unit = unit_label(tr, &ind.unit);
    let outcome = |cat: RegionCategory| {
        latest
            .and_then(|a| a.against(cat))
            .filter(|c| c.benchmark_value.is_some())
            .map(|c| OutcomeRef {
                outcome: c.outcome.as_str().to_string(),
                text: tr.t(&format!("outcome-{}", c.outcome.as_str())),
            })
    };
    Ok(Some(KeyIndicator {
        id,
        title: ind.title.get(tr.code()).to_string(),
        year: latest.map(|a| a.year),
        value: latest.and_then(|a| a.value),
        value_text: match latest.and_then(|a| a.value) {
            Some(v) if unit.is_empty() => fmt.num(Some(v)),
            Some(v) => format!("{} {unit}", fmt.num(Some(v))),
            None => "–".into(),
        },
        vs_country: outcome(RegionCategory::Maa),
        vs_region: outcome(RegionCategory::Hyvinvointialue),
    }))
}

// ---------------------------------------------------------------------------
// Cache of published outputs

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Output {
    Page,
    Json,
    Pdf,
    SummaryPdf,
    SummarySvg,
    SummaryPng,
}

type Key = (i64, &'static str, String, Output);

/// A rendered output with its ETag, computed once (hashing a 1 MB page on every
/// request would cost more than serving it). Cloning shares the bytes.
#[derive(Clone, Debug)]
pub struct Rendered {
    /// The bytes.
    pub bytes: Bytes,
    /// Strong ETag (quoted).
    pub etag: String,
}

impl Rendered {
    /// Wraps bytes and computes their ETag.
    pub fn new(bytes: Vec<u8>) -> Rendered {
        use sha2::{Digest, Sha256};
        let etag = format!("\"{}\"", hex::encode(&Sha256::digest(&bytes)[..16]));
        Rendered {
            bytes: Bytes::from(bytes),
            etag,
        }
    }
}

/// Rendered outputs of published reports, per running application. An entry lives
/// at most [`CACHE_TTL`]: the frozen sections never change, but the plan's progress
/// and its follow-up values are live. Plan edits in this process forget the report's
/// entries at once ([`OutputCache::forget`]), data imports forget all; the time limit
/// bounds what another instance on the same database shows. Bounded: cleared when it
/// grows past [`CACHE_ENTRIES`] (published reports are few; this only guards against
/// misuse).
#[derive(Clone, Default)]
pub struct OutputCache(Arc<Mutex<HashMap<Key, (Instant, Rendered)>>>);

const CACHE_ENTRIES: usize = 512;
/// How long a rendered output is served before it is rendered again.
pub const CACHE_TTL: Duration = Duration::from_secs(60);

impl OutputCache {
    fn get(&self, key: &Key) -> Option<Rendered> {
        let c = self.0.lock().ok()?;
        let (at, r) = c.get(key)?;
        (at.elapsed() < CACHE_TTL).then(|| r.clone())
    }

    fn put(&self, key: Key, bytes: Vec<u8>) -> Rendered {
        let r = Rendered::new(bytes);
        if let Ok(mut c) = self.0.lock() {
            if c.len() >= CACHE_ENTRIES {
                c.clear();
            }
            c.insert(key, (Instant::now(), r.clone()));
        }
        r
    }

    /// Forgets the outputs of one report (its plan changed).
    pub fn forget(&self, report_id: i64) {
        if let Ok(mut c) = self.0.lock() {
            c.retain(|k, _| k.0 != report_id);
        }
    }

    /// Forgets every output (new data was imported).
    pub fn clear(&self) {
        if let Ok(mut c) = self.0.lock() {
            c.clear();
        }
    }
}

/// Produces one output of a document (typesetting runs off the async threads).
async fn produce(doc: Arc<PublishedDocument>, what: Output, tr: Tr) -> AppResult<Vec<u8>> {
    match what {
        Output::Page => Ok(render_public_page(&doc, tr)?.into_bytes()),
        Output::Json => Ok(serde_json::to_vec(&*doc).map_err(AppError::internal)?),
        _ => tokio::task::spawn_blocking(move || match what {
            Output::Pdf => hyte_publish::report_pdf(&doc),
            Output::SummaryPdf => hyte_publish::infographic_pdf(&doc),
            Output::SummarySvg => hyte_publish::infographic_svg(&doc).map(String::into_bytes),
            _ => hyte_publish::infographic_png(&doc),
        })
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal),
    }
}

/// One output of a published report, from the cache when possible.
pub async fn published_output(
    state: &AppState,
    report: &Report,
    publication: &Publication,
    lang: Lang,
    what: &'static str,
) -> AppResult<Rendered> {
    let output = match what {
        "page" => Output::Page,
        "json" => Output::Json,
        "pdf" => Output::Pdf,
        "summary.pdf" => Output::SummaryPdf,
        "summary.svg" => Output::SummarySvg,
        _ => Output::SummaryPng,
    };
    let key = (
        report.id,
        lang.code(),
        // Publishing again, or changing the summary or the infographic's indicators,
        // makes a new key.
        // (The content itself is part of the key: timestamps have one-second resolution.)
        format!(
            "{}|{}|{:?}|{}",
            publication.published_at.as_deref().unwrap_or_default(),
            publication.updated_at.as_deref().unwrap_or_default(),
            publication.infographic,
            publication.summary
        ),
        output,
    );
    if let Some(b) = state.outputs.get(&key) {
        return Ok(b);
    }
    let doc = Arc::new(build_document(state, report, publication, lang).await?);
    let bytes = produce(doc, output, Tr::new(lang)).await?;
    Ok(state.outputs.put(key, bytes))
}

/// Sends an output with its ETag, or 304 when the client has it already.
pub fn with_etag(headers: &HeaderMap, r: Rendered, ctype: &'static str) -> Response {
    let Rendered { bytes, etag } = r;
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut res = if matches {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (
            [(header::CONTENT_TYPE, ctype)],
            axum::body::Body::from(bytes),
        )
            .into_response()
    };
    if let Ok(v) = HeaderValue::from_str(&etag) {
        res.headers_mut().insert(header::ETAG, v);
    }
    let h = res.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=60"),
    );
    // The language comes from ?lang=, the language cookie or Accept-Language.
    h.insert(
        header::VARY,
        HeaderValue::from_static("Cookie, Accept-Language"),
    );
    res
}

fn download(mut res: Response, name: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(&format!("inline; filename=\"{name}\"")) {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

// ---------------------------------------------------------------------------
// Public pages

/// A section of the public page, rendered.
struct SectionView {
    id: i64,
    heading: String,
    parts: Vec<String>,
}

#[derive(Template)]
#[template(path = "public_block.html")]
struct BlockTpl<'a> {
    tr: Tr,
    b: &'a RenderedBlock,
    /// `/public/{org}/reports/{id}`: the table downloads hang below it.
    base: &'a str,
}

#[derive(Template)]
#[template(path = "public_report.html")]
struct ReportTpl<'a> {
    page: Page,
    tr: Tr,
    doc: &'a PublishedDocument,
    summary_html: String,
    sections: Vec<SectionView>,
    published: String,
}

fn anonymous(lang: Lang) -> Viewer {
    Viewer {
        user: None,
        csrf: None,
        session_token: None,
        via_token: false,
        lang,
    }
}

/// The whole public page of a document. Rendered without the caller (no user name,
/// no CSRF token), so the same bytes serve every reader and can be cached.
pub fn render_public_page(doc: &PublishedDocument, tr: Tr) -> AppResult<String> {
    let lang = Lang::parse(tr.code()).unwrap_or(Lang::Fi);
    let base = format!("/public/{}/reports/{}", doc.org.key, doc.id);
    let mut sections = vec![];
    for s in &doc.sections {
        let mut parts = vec![];
        for p in &s.parts {
            parts.push(match p {
                Part::Text { markdown } => markdown_html(markdown),
                Part::Block(b) => BlockTpl { tr, b, base: &base }.render()?,
            });
        }
        sections.push(SectionView {
            id: s.id,
            heading: s.heading.clone(),
            parts,
        });
    }
    let tpl = ReportTpl {
        page: Page::new(
            &anonymous(lang),
            doc.title.clone(),
            &format!("/public/{}/reports/{}", doc.org.key, doc.id),
        ),
        tr,
        doc,
        summary_html: markdown_html(&doc.summary),
        sections,
        published: doc
            .published_at
            .as_deref()
            .map(|d| d.get(..10).unwrap_or(d).to_string())
            .unwrap_or_default(),
    };
    Ok(tpl.render()?)
}

/// One report of the archive.
struct ArchiveItem {
    id: i64,
    title: String,
    kind: String,
    year: Option<i64>,
    published: String,
}

#[derive(Template)]
#[template(path = "public_archive.html")]
struct ArchiveTpl {
    page: Page,
    tr: Tr,
    org_key: String,
    org_name: String,
    terms: Vec<(String, Vec<ArchiveItem>)>,
}

/// `GET /public/{org}`: the organisation's published reports by council term.
pub async fn archive(
    State(state): State<AppState>,
    viewer: Viewer,
    uri: Uri,
    Path(org): Path<String>,
) -> AppResult<Response> {
    let not_found = || AppError::not_found(format!("no organisation {org}"));
    let key: RegionKey = org.parse().map_err(|_| not_found())?;
    let region = state.store.region(&key).await?.ok_or_else(not_found)?;
    let tr = Tr::new(viewer.lang);
    let mut terms: Vec<(String, Vec<ArchiveItem>)> = vec![];
    for id in state.store.published_report_ids(&key).await? {
        let Some(r) = state.store.report(id).await? else {
            continue;
        };
        let p = state.store.publication(id).await?;
        let term = format!("{}–{}", r.term_start, r.term_end);
        let item = ArchiveItem {
            id,
            title: r.title.clone(),
            kind: tr.t(&format!("rep-kind-{}", r.kind.as_str())),
            year: r.year,
            published: p
                .published_at
                .as_deref()
                .map(|d| d.get(..10).unwrap_or(d).to_string())
                .unwrap_or_default(),
        };
        match terms.iter_mut().find(|(t, _)| *t == term) {
            Some((_, items)) => items.push(item),
            None => terms.push((term, vec![item])),
        }
    }
    let name = region.name(viewer.lang.code()).to_string();
    render(&ArchiveTpl {
        page: Page::new(
            &anonymous(viewer.lang),
            tr.ta("pub-archive-title", &[("org", name.clone())]),
            &uri.to_string(),
        ),
        tr,
        org_key: key.to_string(),
        org_name: name,
        terms,
    })
}

/// `GET /public/{org}/reports/{id}` (page), `{id}.pdf`, `{id}.json`.
pub async fn public_report(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path((org, file)): Path<(String, String)>,
) -> AppResult<Response> {
    let (id, what, ctype) = if let Some(id) = file.strip_suffix(".pdf") {
        (id, "pdf", "application/pdf")
    } else if let Some(id) = file.strip_suffix(".json") {
        (id, "json", "application/json")
    } else {
        (file.as_str(), "page", "text/html; charset=utf-8")
    };
    let (report, publication) = published_report(&state, &org, id).await?;
    let bytes = published_output(&state, &report, &publication, viewer.lang, what).await?;
    let res = with_etag(&headers, bytes, ctype);
    Ok(match what {
        "pdf" => download(
            res,
            &format!("report-{}-{}.pdf", report.id, viewer.lang.code()),
        ),
        _ => res,
    })
}

/// `GET /public/{org}/reports/{id}/summary.{pdf,svg,png}` and `report.{pdf,json}`.
pub async fn public_file(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path((org, id, file)): Path<(String, String, String)>,
) -> AppResult<Response> {
    let (what, ctype) = match file.as_str() {
        "summary.pdf" => ("summary.pdf", "application/pdf"),
        "summary.svg" => ("summary.svg", "image/svg+xml"),
        "summary.png" => ("summary.png", "image/png"),
        "report.pdf" => ("pdf", "application/pdf"),
        "report.json" => ("json", "application/json"),
        _ => return Err(AppError::not_found(format!("no file {file}"))),
    };
    let (report, publication) = published_report(&state, &org, &id).await?;
    let bytes = published_output(&state, &report, &publication, viewer.lang, what).await?;
    Ok(download(
        with_etag(&headers, bytes, ctype),
        &format!("report-{}-{}-{file}", report.id, viewer.lang.code()),
    ))
}

/// A block's table as a downloadable table (the export module writes CSV and XLSX).
fn block_table(b: &RenderedBlock) -> Table {
    let mut t = Table::new(b.title.clone(), b.headers.clone());
    for r in &b.rows {
        t.push(r.iter().cloned().map(Cell::Text).collect());
    }
    t
}

/// `GET /public/{org}/reports/{id}/tables/{anchor}.csv|xlsx`: one block's table.
pub async fn public_table(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((org, id, file)): Path<(String, String, String)>,
) -> AppResult<Response> {
    let not_found = || AppError::not_found(format!("no table {file}"));
    let (anchor, ext) = file.rsplit_once('.').ok_or_else(not_found)?;
    let format = ExportFormat::from_ext(ext).ok_or_else(not_found)?;
    let (report, publication) = published_report(&state, &org, &id).await?;
    let bytes = published_output(&state, &report, &publication, viewer.lang, "json").await?;
    let doc: PublishedDocument =
        serde_json::from_slice(&bytes.bytes).map_err(AppError::internal)?;
    let block = doc
        .blocks()
        .find(|b| b.anchor == anchor && !b.headers.is_empty())
        .ok_or_else(not_found)?;
    Table::download(&[&block_table(block)], format, anchor)
}

// ---------------------------------------------------------------------------
// Signed-in outputs of any report (working copy, any state)

async fn private_output(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    what: Output,
) -> AppResult<Response> {
    let (ctype, name, published) = match what {
        Output::Pdf => ("application/pdf", "report.pdf", "pdf"),
        Output::SummaryPdf => ("application/pdf", "summary.pdf", "summary.pdf"),
        Output::SummarySvg => ("image/svg+xml", "summary.svg", "summary.svg"),
        _ => ("image/png", "summary.png", "summary.png"),
    };
    // Residents may be given these addresses too (`/reports/{id}.pdf` is what the law's
    // open publication is linked as): without a sign-in a published report answers
    // with its published version; anything else stays behind the sign-in.
    if viewer.user.is_none() {
        if let Ok((report, publication)) = published_report_by_id(state, id).await {
            let bytes =
                published_output(state, &report, &publication, viewer.lang, published).await?;
            return Ok(download(
                with_etag(&HeaderMap::new(), bytes, ctype),
                &format!("report-{}-{}-{name}", report.id, viewer.lang.code()),
            ));
        }
    }
    let (report, _) = load_report(state, viewer, id).await?;
    let publication = state.store.publication(report.id).await?;
    let doc = Arc::new(build_document(state, &report, &publication, viewer.lang).await?);
    let bytes = produce(doc, what, Tr::new(viewer.lang)).await?;
    let res = (
        [
            (header::CONTENT_TYPE, ctype),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        bytes,
    )
        .into_response();
    Ok(download(res, &format!("report-{}-{name}", report.id)))
}

/// `GET /reports/{id}.pdf` (through the outline route) and `/reports/{id}/report.pdf`.
pub async fn private_pdf(state: &AppState, viewer: &Viewer, id: &str) -> AppResult<Response> {
    private_output(state, viewer, id, Output::Pdf).await
}

async fn private_report_pdf(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<Response> {
    private_output(&state, &viewer, &id, Output::Pdf).await
}

async fn private_summary_pdf(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<Response> {
    private_output(&state, &viewer, &id, Output::SummaryPdf).await
}

async fn private_summary_svg(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<Response> {
    private_output(&state, &viewer, &id, Output::SummarySvg).await
}

async fn private_summary_png(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<Response> {
    private_output(&state, &viewer, &id, Output::SummaryPng).await
}

// ---------------------------------------------------------------------------
// Publication settings (coordinators)

/// An indicator the coordinator may put on the infographic.
struct Choice {
    id: i64,
    title: String,
    chosen: bool,
}

#[derive(Template)]
#[template(path = "public_settings.html")]
struct SettingsTpl {
    page: Page,
    tr: Tr,
    report: Report,
    publication: Publication,
    can_decide: bool,
    choices: Vec<Choice>,
    public_href: String,
    saved: bool,
}

/// `GET /reports/{id}/publication`.
pub async fn settings(
    State(state): State<AppState>,
    viewer: Viewer,
    uri: Uri,
    Path(id): Path<String>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(Redirect::to(&format!("/login?next={}", uri.path())).into_response());
    }
    let (report, access) = load_report(&state, &viewer, &id).await?;
    let publication = state.store.publication(report.id).await?;
    let tr = Tr::new(viewer.lang);
    let mut ids: Vec<i64> = vec![];
    for s in state.store.sections(report.id).await? {
        for b in parse_section(&s.body) {
            if let Block::Indicator { block, .. } = b {
                if !ids.contains(&block.indicator.0) {
                    ids.push(block.indicator.0);
                }
            }
        }
    }
    let auto: Vec<i64> = ids.iter().copied().take(MAX_INFOGRAPHIC).collect();
    let mut choices = vec![];
    for i in ids {
        if let Some(ind) = state.store.indicator(IndicatorId(i)).await? {
            choices.push(Choice {
                id: i,
                title: ind.title.get(tr.code()).to_string(),
                chosen: if publication.infographic.is_empty() {
                    auto.contains(&i)
                } else {
                    publication.infographic.contains(&i)
                },
            });
        }
    }
    render(&SettingsTpl {
        page: Page::new(&viewer, tr.t("pub-settings-title"), &uri.to_string()),
        tr,
        public_href: format!("/public/{}/reports/{}", report.org, report.id),
        report,
        publication,
        can_decide: access_can_decide(access),
        choices,
        saved: uri.query().is_some_and(|q| q.contains("saved=1")),
    })
}

fn access_can_decide(a: ReportAccess) -> bool {
    a.can_decide()
}

fn form_value<'a>(f: &'a [(String, String)], key: &str) -> Option<&'a str> {
    f.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

/// `POST /reports/{id}/publication`: summary and infographic indicators.
pub async fn save_settings(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    viewer.check_csrf(form_value(&f, "csrf").unwrap_or_default())?;
    let (report, access) = load_report(&state, &viewer, &id).await?;
    if !access.can_decide() {
        return Err(AppError::forbidden(
            "only the report's coordinator can change its publication",
        ));
    }
    let mut chosen = vec![];
    for (k, v) in &f {
        if k == "indicator" {
            let i: i64 = v
                .trim()
                .parse()
                .map_err(|_| AppError::bad_request(format!("'{v}' is not an indicator id")))?;
            if !chosen.contains(&i) {
                chosen.push(i);
            }
        }
    }
    if chosen.len() > MAX_INFOGRAPHIC {
        return Err(AppError::unprocessable(format!(
            "choose at most {MAX_INFOGRAPHIC} indicators for the infographic (you chose {})",
            chosen.len()
        )));
    }
    let summary = form_value(&f, "summary").unwrap_or_default();
    state
        .store
        .set_publication_content(report.id, summary, &chosen)
        .await?;
    let user = viewer.user()?;
    state
        .store
        .audit(
            Some(&user.email),
            Some(&report.org),
            "publication.content",
            &format!(
                "report {}: summary and {} infographic indicators",
                report.id,
                chosen.len()
            ),
        )
        .await?;
    Ok(Redirect::to(&format!("/reports/{}/publication?saved=1", report.id)).into_response())
}

/// `POST /reports/{id}/publication/toggle`: publish now (preview) or withdraw.
pub async fn toggle(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    viewer.check_csrf(form_value(&f, "csrf").unwrap_or_default())?;
    let (report, access) = load_report(&state, &viewer, &id).await?;
    if !access.can_decide() {
        return Err(AppError::forbidden(
            "only the report's coordinator can publish it",
        ));
    }
    let on = match form_value(&f, "publish") {
        Some("1") => true,
        Some("0") => false,
        other => {
            return Err(AppError::bad_request(format!(
                "publish must be 1 or 0, not {other:?}"
            )))
        }
    };
    let user = viewer.user()?;
    let approval = state.store.approval_state(report.id).await?;
    if on && approval != hyte_domain::approval::ApprovalState::Published {
        // Only an approved report is published, and publishing is a step of the
        // approval record: the same move as on the approval tab.
        let tr = Tr::new(viewer.lang);
        crate::pages::approval::apply_move(
            &state,
            user,
            &report,
            access,
            hyte_domain::approval::Move::Publish,
            &hyte_domain::approval::MoveInput::default(),
            &tr,
        )
        .await?;
    } else {
        state
            .store
            .set_published(report.id, on, &user.email)
            .await?;
    }
    state
        .store
        .audit(
            Some(&user.email),
            Some(&report.org),
            if on {
                "publication.publish"
            } else {
                "publication.withdraw"
            },
            &format!("report {}", report.id),
        )
        .await?;
    Ok(Redirect::to(&format!("/reports/{}/publication?saved=1", report.id)).into_response())
}
