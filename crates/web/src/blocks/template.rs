//! The template of one block (`section_block.html`), its error form and the HTML id.

use super::cells::{OutcomeView, Row};
use crate::i18n::Tr;
use askama::Template;

/// What `section_block.html` shows of one block: a chart with its table, or an error.
#[derive(Template)]
#[template(path = "section_block.html")]
pub(super) struct BlockTpl {
    pub(super) tr: Tr,
    pub(super) id: String,
    pub(super) error: Option<String>,
    pub(super) error_lead: String,
    pub(super) raw: String,
    pub(super) title: String,
    pub(super) indicator_href: String,
    pub(super) subtitle: String,
    pub(super) svg: String,
    pub(super) outcomes: Vec<OutcomeView>,
    pub(super) headers: Vec<String>,
    pub(super) rows: Vec<Row>,
    pub(super) table_open: bool,
    pub(super) notes: Vec<String>,
    pub(super) attribution: String,
    /// Shown from a frozen version (badge "approved data") instead of live data.
    pub(super) frozen: bool,
}

impl BlockTpl {
    /// The inline error box: the message, the line it came from and the text as written.
    pub(super) fn error(
        tr: &Tr,
        id: &str,
        line: Option<usize>,
        raw: &str,
        message: String,
    ) -> BlockTpl {
        BlockTpl {
            tr: *tr,
            id: id.to_string(),
            error: Some(message),
            error_lead: match line {
                Some(l) => tr.ta("blk-error-line", &[("line", l.to_string())]),
                None => tr.t("blk-error"),
            },
            raw: raw.to_string(),
            title: String::new(),
            indicator_href: String::new(),
            subtitle: String::new(),
            svg: String::new(),
            outcomes: vec![],
            headers: vec![],
            rows: vec![],
            table_open: false,
            notes: vec![],
            attribution: String::new(),
            frozen: false,
        }
    }
}

/// A valid HTML id from a caller's prefix: other characters become `-`, and an id that
/// would not start with a letter gets `b-` in front (ids such as `1` break CSS selectors).
pub(super) fn clean_id(s: &str) -> String {
    let s = crate::export::safe_name(s);
    if s.starts_with(|c: char| c.is_ascii_alphabetic()) {
        s
    } else {
        format!("b-{s}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_safe() {
        assert_eq!(clean_id("s12-l3"), "s12-l3");
        assert_eq!(clean_id("1 x"), "b-1-x");
    }
}
