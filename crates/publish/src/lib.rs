//! Hyte publication: the [`PublishedDocument`] model — everything a published report
//! shows, already resolved to numbers, chart SVGs and translated labels — and its
//! outputs: a PDF of the whole report and a one-page infographic (PDF, SVG, PNG),
//! typeset with Typst used as a library.
//!
//! Pure: no SQL, no HTTP. The web layer builds the document (today from a report's
//! working copy, later from its frozen version) and this crate only typesets it. All
//! data reaches Typst as JSON and SVG files of a virtual file system, never pasted into
//! Typst markup, so no text written by users can change the document's code.

mod markdown;
mod model;
mod world;

pub use markdown::{markdown_to_blocks, MdBlock, MdRun};
pub use model::*;

use std::collections::BTreeMap;
use typst_layout::PagedDocument;

/// Errors of typesetting.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// Typst reported errors (a bug in the template or an unusable chart SVG).
    #[error("typesetting failed: {0}")]
    Typeset(String),
    /// The PDF writer failed.
    #[error("writing the PDF failed: {0}")]
    Pdf(String),
    /// The document could not be serialised.
    #[error("serialising the document failed: {0}")]
    Json(#[from] serde_json::Error),
    /// Rasterising failed.
    #[error("rendering the image failed: {0}")]
    Image(String),
}

/// Result of this crate.
pub type PublishResult<T> = Result<T, PublishError>;

const REPORT_TYP: &str = include_str!("typ/report.typ");
const INFOGRAPHIC_TYP: &str = include_str!("typ/infographic.typ");

/// Typesets a document: `main` is the Typst template, `data` the JSON it reads as
/// `data.json`, `files` further virtual files (chart SVGs).
fn typeset(
    main: &str,
    data: &serde_json::Value,
    files: BTreeMap<String, Vec<u8>>,
) -> PublishResult<PagedDocument> {
    let mut all = files;
    all.insert("data.json".into(), serde_json::to_vec(data)?);
    let world = world::MemoryWorld::new(main, all);
    let result = typst::compile::<PagedDocument>(&world);
    // Typst memoises across compilations; drop entries not used recently so a long
    // running server does not grow without bound.
    typst::comemo::evict(10);
    result.output.map_err(|errors| {
        PublishError::Typeset(
            errors
                .iter()
                .map(|e| e.message.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        )
    })
}

fn pdf_bytes(doc: &PagedDocument, ident: &str) -> PublishResult<Vec<u8>> {
    let options = typst_pdf::PdfOptions {
        ident: typst::foundations::Smart::Custom(ident.to_string()),
        ..Default::default()
    };
    typst_pdf::pdf(doc, &options).map_err(|errors| {
        PublishError::Pdf(
            errors
                .iter()
                .map(|e| e.message.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        )
    })
}

/// The whole report as a PDF: cover with the approval record, table of contents,
/// numbered pages, sections with vector charts and tables, data attribution.
pub fn report_pdf(doc: &PublishedDocument) -> PublishResult<Vec<u8>> {
    let (data, files) = doc.typst_input();
    let paged = typeset(REPORT_TYP, &data, files)?;
    pdf_bytes(&paged, &format!("hyte-report-{}", doc.id))
}

/// Number of pages the report's PDF has (tests and benchmarks).
pub fn report_page_count(doc: &PublishedDocument) -> PublishResult<usize> {
    let (data, files) = doc.typst_input();
    Ok(typeset(REPORT_TYP, &data, files)?.pages().len())
}

fn infographic_doc(doc: &PublishedDocument) -> PublishResult<PagedDocument> {
    typeset(INFOGRAPHIC_TYP, &doc.infographic_input(), BTreeMap::new())
}

/// The one-page infographic as an A4 PDF.
pub fn infographic_pdf(doc: &PublishedDocument) -> PublishResult<Vec<u8>> {
    let paged = infographic_doc(doc)?;
    pdf_bytes(&paged, &format!("hyte-summary-{}", doc.id))
}

/// The one-page infographic as SVG.
pub fn infographic_svg(doc: &PublishedDocument) -> PublishResult<String> {
    let paged = infographic_doc(doc)?;
    let page = paged
        .pages()
        .first()
        .ok_or_else(|| PublishError::Image("the infographic has no page".into()))?;
    Ok(typst_svg::svg(page, &typst_svg::SvgOptions::default()))
}

/// The one-page infographic as PNG (150 dpi).
pub fn infographic_png(doc: &PublishedDocument) -> PublishResult<Vec<u8>> {
    let paged = infographic_doc(doc)?;
    let page = paged
        .pages()
        .first()
        .ok_or_else(|| PublishError::Image("the infographic has no page".into()))?;
    let options = typst_render::RenderOptions {
        pixel_per_pt: typst::utils::Scalar::new(150.0 / 72.0),
        ..Default::default()
    };
    typst_render::render(page, &options)
        .encode_png()
        .map_err(|e| PublishError::Image(e.to_string()))
}
