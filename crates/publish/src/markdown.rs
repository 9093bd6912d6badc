//! Markdown to a small block tree that the Typst templates lay out. Only what section
//! texts use survives: headings, paragraphs, list items, quotes, emphasis, links. Raw
//! HTML is dropped (as on the web page).

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use serde::Serialize;

/// A block of text.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MdBlock {
    /// `p`, `h` (heading), `li` (list item), `quote`.
    pub t: &'static str,
    /// Heading level (1 = the section's own sub-heading) or list depth.
    pub level: u8,
    /// Number of an ordered list item.
    pub number: Option<u64>,
    /// Text runs.
    pub runs: Vec<MdRun>,
}

/// A run of text with one style.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MdRun {
    /// Text.
    pub s: String,
    /// Bold.
    pub b: bool,
    /// Italic.
    pub i: bool,
    /// Link target.
    pub link: Option<String>,
}

/// Parses Markdown into blocks.
pub fn markdown_to_blocks(md: &str) -> Vec<MdBlock> {
    let mut out: Vec<MdBlock> = vec![];
    let mut cur: Option<MdBlock> = None;
    let (mut bold, mut italic) = (0u32, 0u32);
    let mut link: Option<String> = None;
    let mut lists: Vec<Option<u64>> = vec![];
    let mut quote = 0u32;
    let flush = |cur: &mut Option<MdBlock>, out: &mut Vec<MdBlock>| {
        if let Some(b) = cur.take() {
            if b.runs.iter().any(|r| !r.s.trim().is_empty()) {
                out.push(b);
            }
        }
    };
    let opts = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    for ev in Parser::new_ext(md, opts) {
        match ev {
            Event::Start(Tag::Heading { level, .. }) => {
                flush(&mut cur, &mut out);
                cur = Some(MdBlock {
                    t: "h",
                    level: level as u8,
                    number: None,
                    runs: vec![],
                });
            }
            Event::Start(Tag::Paragraph) => {
                if cur.as_ref().is_some_and(|b| b.t == "li") {
                    continue;
                }
                flush(&mut cur, &mut out);
                cur = Some(MdBlock {
                    t: if quote > 0 { "quote" } else { "p" },
                    level: 0,
                    number: None,
                    runs: vec![],
                });
            }
            Event::Start(Tag::List(start)) => {
                flush(&mut cur, &mut out);
                lists.push(start);
            }
            Event::End(TagEnd::List(_)) => {
                flush(&mut cur, &mut out);
                lists.pop();
            }
            Event::Start(Tag::Item) => {
                flush(&mut cur, &mut out);
                let number = match lists.last_mut() {
                    Some(Some(n)) => {
                        let v = *n;
                        *n += 1;
                        Some(v)
                    }
                    _ => None,
                };
                cur = Some(MdBlock {
                    t: "li",
                    level: lists.len() as u8,
                    number,
                    runs: vec![],
                });
            }
            Event::Start(Tag::BlockQuote(_)) => quote += 1,
            Event::End(TagEnd::BlockQuote(_)) => quote = quote.saturating_sub(1),
            // A paragraph inside a list item ends with the item, not before.
            Event::End(TagEnd::Heading(_)) | Event::End(TagEnd::Paragraph)
                if cur.as_ref().is_none_or(|b| b.t != "li") =>
            {
                flush(&mut cur, &mut out);
            }
            Event::End(TagEnd::Item) => flush(&mut cur, &mut out),
            Event::Start(Tag::TableRow) | Event::Start(Tag::TableHead) => {
                flush(&mut cur, &mut out);
                cur = Some(MdBlock {
                    t: "p",
                    level: 0,
                    number: None,
                    runs: vec![],
                });
            }
            Event::End(TagEnd::TableCell) => push(&mut cur, " · ", false, false, None),
            Event::Start(Tag::Strong) => bold += 1,
            Event::End(TagEnd::Strong) => bold = bold.saturating_sub(1),
            Event::Start(Tag::Emphasis) => italic += 1,
            Event::End(TagEnd::Emphasis) => italic = italic.saturating_sub(1),
            Event::Start(Tag::Link { dest_url, .. }) => {
                let url = dest_url.to_string();
                link = (url.starts_with("http://")
                    || url.starts_with("https://")
                    || url.starts_with("mailto:"))
                .then_some(url);
            }
            Event::End(TagEnd::Link) => link = None,
            Event::Text(t) | Event::Code(t) => {
                if cur.is_none() {
                    cur = Some(MdBlock {
                        t: "p",
                        level: 0,
                        number: None,
                        runs: vec![],
                    });
                }
                push(&mut cur, &t, bold > 0, italic > 0, link.clone());
            }
            Event::SoftBreak | Event::HardBreak => push(&mut cur, " ", false, false, None),
            _ => {}
        }
    }
    flush(&mut cur, &mut out);
    out
}

fn push(cur: &mut Option<MdBlock>, s: &str, b: bool, i: bool, link: Option<String>) {
    if let Some(block) = cur {
        if let Some(last) = block.runs.last_mut() {
            if last.b == b && last.i == i && last.link == link {
                last.s.push_str(s);
                return;
            }
        }
        block.runs.push(MdRun {
            s: s.to_string(),
            b,
            i,
            link,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_lists_and_emphasis() {
        let b = markdown_to_blocks("# Otsikko\n\nTeksti **vahva** ja *kursiivi*.\n\n- yksi\n- kaksi\n\n1. a\n2. b\n\n<script>x</script>\n");
        assert_eq!(b[0].t, "h");
        assert_eq!(b[0].runs[0].s, "Otsikko");
        assert_eq!(b[1].runs.len(), 5);
        assert!(b[1].runs[1].b);
        assert!(b[1].runs[3].i);
        assert_eq!(b[2].t, "li");
        assert_eq!(b[4].number, Some(1));
        assert_eq!(b[5].number, Some(2));
        assert!(!b
            .iter()
            .any(|x| x.runs.iter().any(|r| r.s.contains("script"))));
    }

    #[test]
    fn only_safe_links() {
        let b = markdown_to_blocks("[a](javascript:alert(1)) [b](https://thl.fi)");
        assert_eq!(b[0].runs[0].link, None);
        assert_eq!(b[0].runs[1].link.as_deref(), Some("https://thl.fi"));
    }
}
