//! Entry points: one block or a whole section as HTML, and a block as publication data.

use super::build::block_tpl_at;
use super::cells::Cell;
use super::markdown::markdown_html;
use super::template::{clean_id, BlockTpl};
use crate::analysis::ValueSource;
use crate::i18n::Tr;
use crate::{AppResult, AppState};
use askama::Template;
use hyte_app::model::orgs::Region;
use hyte_domain::document::{parse_section, Block, IndicatorBlock};

/// The inline error box of a block that cannot be shown.
pub fn render_block_error(
    tr: &Tr,
    id_prefix: &str,
    line: Option<usize>,
    raw: &str,
    message: &str,
) -> AppResult<String> {
    Ok(BlockTpl::error(tr, &clean_id(id_prefix), line, raw, message.to_string()).render()?)
}

/// One indicator block as data for publication (`hyte_publish`): the same chart,
/// outcomes, table and attribution the pages show.
pub async fn published_block(
    src: &ValueSource<'_>,
    org: &Region,
    block: &IndicatorBlock,
    tr: &Tr,
    id_prefix: &str,
) -> AppResult<hyte_publish::RenderedBlock> {
    let t = block_tpl_at(src, org, block, None, None, tr, id_prefix).await?;
    // Publication has plain-text cells: a badge becomes its word after the value.
    let cell = |c: &Cell| match &c.badge {
        Some(b) if c.text.is_empty() => b.text.clone(),
        Some(b) => format!("{} {}", c.text, b.text),
        None => c.text.clone(),
    };
    Ok(hyte_publish::RenderedBlock {
        anchor: t.id,
        indicator_id: t.error.is_none().then_some(block.indicator.0),
        title: t.title,
        subtitle: t.subtitle,
        svg: t.svg,
        outcomes: t
            .outcomes
            .into_iter()
            .map(|o| hyte_publish::BlockOutcome {
                against: o.against,
                value: o.value,
                outcome: o.badge.class.to_string(),
                text: o.badge.text,
            })
            .collect(),
        headers: t.headers,
        rows: t
            .rows
            .iter()
            .map(|(head, cells)| {
                std::iter::once(head.clone())
                    .chain(cells.iter().map(cell))
                    .collect()
            })
            .collect(),
        notes: t.notes,
        attribution: t.attribution,
        error: t.error,
    })
}

/// One rendered piece of a section: Markdown as HTML, or an indicator block.
pub struct RenderedPart {
    /// The 1-based line of an indicator block (valid or not); `None` for text.
    pub line: Option<usize>,
    /// Whether this is an indicator block (valid or not).
    pub is_block: bool,
    /// Safe HTML.
    pub html: String,
}

/// Renders a whole section text for an organisation: Markdown through pulldown-cmark
/// and ammonia, each indicator block live, each invalid block as an inline error.
pub async fn render_section(
    state: &AppState,
    org: &Region,
    text: &str,
    tr: &Tr,
    id_prefix: &str,
) -> AppResult<Vec<RenderedPart>> {
    render_section_in(&state.app.live_values(), org, text, tr, id_prefix).await
}

/// [`render_section`] from any [`ValueSource`]: the working copy renders live data,
/// a version its snapshot, and freezing records what the text reads (the one
/// rendering path of all three). Each block names its line in the text and shows the
/// line as written in its error messages.
pub async fn render_section_in(
    src: &ValueSource<'_>,
    org: &Region,
    text: &str,
    tr: &Tr,
    id_prefix: &str,
) -> AppResult<Vec<RenderedPart>> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = vec![];
    for b in parse_section(text) {
        out.push(match b {
            Block::Text { markdown } => RenderedPart {
                line: None,
                is_block: false,
                html: markdown_html(&markdown),
            },
            Block::Indicator { line, block } => RenderedPart {
                line: Some(line),
                is_block: true,
                html: block_tpl_at(
                    src,
                    org,
                    &block,
                    Some(line),
                    // Lines are 1-based; a line 0 wraps to an index that is never there.
                    lines.get(line.wrapping_sub(1)).copied(),
                    tr,
                    &format!("{id_prefix}-l{line}"),
                )
                .await?
                .render()?,
            },
            Block::Invalid { line, raw, message } => RenderedPart {
                line: Some(line),
                is_block: true,
                html: render_block_error(
                    tr,
                    &format!("{id_prefix}-l{line}"),
                    Some(line),
                    &raw,
                    &tr.ta("blk-invalid", &[("reason", message)]),
                )?,
            },
        });
    }
    Ok(out)
}
