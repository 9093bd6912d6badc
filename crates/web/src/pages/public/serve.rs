//! The public pages of published reports (archive, page, files, tables) and the
//! signed-in outputs of any report's working copy.

use super::{
    build_document, download, produce, published_output, published_report, published_report_by_id,
    with_etag, Output,
};
use crate::auth::Viewer;
use crate::blocks::markdown_html;
use crate::export::{Cell, ExportFormat, Table};
use crate::i18n::{Lang, Tr};
use crate::pages::render;
use crate::pages::report_data::report_ctx;
use crate::view::Page;
use crate::{AppError, AppResult, AppState};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, Uri};
use axum::response::{IntoResponse, Response};
use hyte_domain::RegionKey;
use hyte_publish::{Part, PublishedDocument, RenderedBlock};
use std::sync::Arc;

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
    let region = state.app.region(&key).await?.ok_or_else(not_found)?;
    let tr = Tr::new(viewer.lang);
    let mut terms: Vec<(String, Vec<ArchiveItem>)> = vec![];
    for id in state.app.published_report_ids(&key).await? {
        let Some((r, p)) = state.app.published_report(id).await? else {
            continue;
        };
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

pub(super) async fn private_output(
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
    let ctx = report_ctx(state, viewer, id).await?;
    let publication = state.app.publication(&ctx).await?;
    let report = ctx.report;
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

pub(super) async fn private_report_pdf(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<Response> {
    private_output(&state, &viewer, &id, Output::Pdf).await
}

pub(super) async fn private_summary_pdf(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<Response> {
    private_output(&state, &viewer, &id, Output::SummaryPdf).await
}

pub(super) async fn private_summary_svg(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<Response> {
    private_output(&state, &viewer, &id, Output::SummarySvg).await
}

pub(super) async fn private_summary_png(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<Response> {
    private_output(&state, &viewer, &id, Output::SummaryPng).await
}
