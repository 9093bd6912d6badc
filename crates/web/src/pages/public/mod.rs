//! Publication: the public site (`/public/{org}`), the report as PDF and as a
//! one-page infographic, table downloads, and the coordinator's publication settings.
//!
//! Every public output is built from one [`PublishedDocument`] (crate `hyte-publish`)
//! made by [`build_document`]. Published content does not change, so rendered pages,
//! PDFs and JSON are cached per (report, language, publication time); withdrawing or
//! re-publishing changes the key.

use crate::analysis::ValueSource;
use crate::blocks::{published_block, unit_label, Fmt};
use crate::i18n::{Lang, Tr};
use crate::{AppError, AppResult, AppState};
use axum::body::Bytes;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use hyte_app::model::indicators::ValueQuery;
use hyte_app::model::orgs::Region;
use hyte_app::model::publication::Publication;
use hyte_app::model::reports::{Observation, Report};
use hyte_domain::document::{parse_section, Block};
use hyte_domain::report::ObservationKind;
use hyte_domain::{IndicatorId, RegionCategory, RegionKey, Sex};
use hyte_publish::{
    Approval, Infographic, KeyIndicator, Labels, OrgRef, OutcomeRef, Part, PublishedDocument,
    PublishedSection, RenderedBlock,
};
use hyte_stats::CiLevel;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod serve;
mod settings;

pub use serve::{
    archive, private_pdf, public_file, public_report, public_table, render_public_page,
};
use serve::{private_report_pdf, private_summary_pdf, private_summary_png, private_summary_svg};
pub use settings::{save_settings, settings, toggle};

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

/// Most indicators on the infographic (the application layer's limit).
pub use hyte_app::publication::MAX_INFOGRAPHIC;
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
    let (report, publication) = state
        .app
        .published_report(rid)
        .await?
        .ok_or_else(not_found)?;
    if !report.involves(&org) {
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
    state.app.published_report(rid).await?.ok_or_else(not_found)
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
        .app
        .region(&report.org)
        .await?
        .ok_or_else(|| AppError::not_found(format!("no organisation {}", report.org)))?;
    // An approved report is published from its latest frozen version: the text and
    // the numbers the council approved, whatever has been imported since. Before
    // approval (the signed-in working copy outputs) it is the current text and data.
    let hyte_app::public::DocumentSource {
        facts,
        frozen,
        texts,
        observations,
        summary,
        infographic,
    } = state.app.document_source(report).await?;
    let snapshot = frozen.as_ref().map(|d| d.snapshot());
    let src = match &snapshot {
        Some(snap) => state.app.frozen_values(snap),
        None => state.app.live_values(),
    };
    let approval = facts.decision.as_ref().map(|d| Approval {
        date: d.date.clone(),
        body: Some(tr.t("pub-council")),
        paragraph: Some(d.minutes_section.clone()),
        link: d.link.clone(),
    });
    let (sections, block_ids) = document_sections(&src, &org, texts, &tr).await?;
    let (strengths, concerns) = top_observations(state, &observations, &tr).await?;
    let chosen: Vec<i64> = if infographic.is_empty() {
        block_ids.iter().copied().take(MAX_INFOGRAPHIC).collect()
    } else {
        infographic.iter().copied().take(MAX_INFOGRAPHIC).collect()
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

    let summary = if summary.trim().is_empty() {
        generated_summary(&tr, org.name(code), &strengths, &concerns)
    } else {
        summary
    };

    Ok(PublishedDocument {
        id: report.id,
        org: OrgRef {
            key: org.key.to_string(),
            name: org.name(code).to_string(),
        },
        kind: report.kind.as_str().to_string(),
        // The title the council approved.
        title: frozen
            .as_ref()
            .map(|d| d.version.title.clone())
            .unwrap_or_else(|| report.title.clone()),
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

/// The sections of the document with their blocks rendered, and the indicators the
/// blocks show (in order of appearance, each once).
async fn document_sections(
    src: &ValueSource<'_>,
    org: &Region,
    texts: Vec<(i64, String, String)>,
    tr: &Tr,
) -> AppResult<(Vec<PublishedSection>, Vec<i64>)> {
    let mut sections = vec![];
    let mut block_ids: Vec<i64> = vec![];
    for (sid, heading, body) in texts {
        let mut parts = vec![];
        for b in parse_section(&body) {
            parts.push(match b {
                Block::Text { markdown } => Part::Text { markdown },
                Block::Indicator { line, block } => {
                    let rb =
                        published_block(src, org, &block, tr, &format!("s{sid}-l{line}")).await?;
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
    Ok((sections, block_ids))
}

/// The strengths and the concerns for the infographic: the first few not dismissed
/// nor merely proposed, accepted ones first. A welfare region's report names the
/// member municipality an item came from.
async fn top_observations(
    state: &AppState,
    observations: &[Observation],
    tr: &Tr,
) -> AppResult<(Vec<String>, Vec<String>)> {
    let mut sources: HashMap<String, String> = HashMap::new();
    for key in observations.iter().filter_map(|o| o.source_org.as_deref()) {
        if let (false, Ok(k)) = (sources.contains_key(key), key.parse::<RegionKey>()) {
            if let Some(r) = state.app.region(&k).await? {
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
    Ok((top(ObservationKind::Joy), top(ObservationKind::Concern)))
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
    // The language comes from ?lang=, the language cookie or Accept-Language.
    let cache = [
        (header::CACHE_CONTROL, "public, max-age=60"),
        (header::VARY, "Cookie, Accept-Language"),
    ];
    (cache, res).into_response()
}

fn download(mut res: Response, name: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(&format!("inline; filename=\"{name}\"")) {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    res
}
