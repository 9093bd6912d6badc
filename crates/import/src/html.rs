//! Sanitising the HTML fragments Sotkanet puts in metadata.
//!
//! Metadata text is third-party markup (`<p id=…>`, `<a … target=_blank>`, `<BR>`),
//! rendered inside Hyte's pages, so it is reduced to a small allow-list here, once,
//! at import: what is stored is safe to insert as HTML.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

/// Tags kept in metadata HTML; everything else is unwrapped (its text kept), except
/// `script` and `style`, whose content is dropped too.
pub const ALLOWED_TAGS: [&str; 10] = ["p", "br", "ul", "ol", "li", "a", "strong", "em", "b", "i"];

fn html_cleaner() -> &'static ammonia::Builder<'static> {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER.get_or_init(|| {
        let mut b = ammonia::Builder::empty();
        b.tags(ALLOWED_TAGS.into_iter().collect())
            .tag_attributes(HashMap::from([("a", HashSet::from(["href"]))]))
            .generic_attributes(HashSet::new())
            // Only links that lead somewhere safe; `javascript:` and friends go.
            .url_schemes(HashSet::from(["http", "https", "mailto"]))
            // Relative links would point into Hyte itself, which Sotkanet never means.
            .url_relative(ammonia::UrlRelative::Deny)
            // No rel attribute added: the allow-list is href only. The rendering layer
            // decides how external links open.
            .link_rel(None);
        b
    })
}

fn text_cleaner() -> &'static ammonia::Builder<'static> {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER.get_or_init(ammonia::Builder::empty)
}

/// Sanitises an HTML fragment to the allow-list: `p`, `br`, `ul`, `ol`, `li`,
/// `a[href]` (http, https, mailto only), `strong`, `em`, `b`, `i`. Other tags are
/// removed with their attributes (their text stays; `script`/`style` content goes).
/// Returns `None` when nothing but whitespace remains.
pub fn sanitize_html(fragment: &str) -> Option<String> {
    let cleaned = html_cleaner().clean(fragment).to_string();
    let trimmed = cleaned.trim();
    if trimmed.is_empty() {
        None
    } else {
        Some(trimmed.to_string())
    }
}

/// Turns a title-like field into plain text: tags stripped, entities decoded,
/// whitespace trimmed. The result is text, so it must be escaped on output like any
/// other text (it is *not* HTML). `None` when empty.
pub fn plain_text(fragment: &str) -> Option<String> {
    let cleaned = text_cleaner().clean(fragment).to_string();
    // ammonia escapes text for HTML output; undo that since we want text, decoding
    // `&amp;` last so `&amp;lt;` stays the literal "&lt;".
    let text = cleaned
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&");
    let trimmed = text.trim();
    if trimmed.is_empty() {
        None
    } else {
        Some(trimmed.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_allowed_markup_only() {
        let out = sanitize_html(
            r#"<p id=x onclick="alert(1)">Hi <b>there</b><script>alert(2)</script></p><a href ="https://thl.fi" target="_blank" onclick="x()">THL</a><img src=x onerror=y><a href="javascript:alert(3)">bad</a><BR>"#,
        )
        .unwrap();
        assert_eq!(
            out,
            r#"<p>Hi <b>there</b></p><a href="https://thl.fi">THL</a><a>bad</a><br>"#
        );
    }

    #[test]
    fn plain_text_strips_and_decodes() {
        assert_eq!(
            plain_text(" Väestö &amp; <b>kunta</b> <script>x</script> ").as_deref(),
            Some("Väestö & kunta")
        );
        assert_eq!(plain_text("  ").as_deref(), None);
        assert_eq!(plain_text("a < b").as_deref(), Some("a < b"));
    }
}
