//! The text of a report section: Markdown with indicator blocks.
//!
//! An indicator block is a line of its own:
//!
//! ```text
//! {{indicator 2328 chart=trend compare=region,country}}
//! {{indicator id=181 chart=compare year=2011 level=99.8}}
//! {{indicator 4 chart=table compare=KUNTA:398,KUNTA:091}}
//! ```
//!
//! The block stores a query, not numbers: it renders from the current data while the
//! report is a draft (BENCHMARKING.md section 9). A malformed block does not stop the
//! document; it becomes [`Block::Invalid`], shown inline as an error where it stands.

use crate::{IndicatorId, RegionKey};
use serde::Serialize;

/// Chart types an indicator block can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChartKind {
    /// Values over time with the interval band and benchmarks.
    Trend,
    /// Areas side by side for one year.
    Compare,
    /// One spine row: the area against the spread of all municipalities.
    Spine,
    /// Total, men and women.
    Sex,
    /// A table only.
    Table,
}

impl ChartKind {
    /// Every kind, for pickers.
    pub const ALL: [ChartKind; 5] = [
        ChartKind::Trend,
        ChartKind::Compare,
        ChartKind::Spine,
        ChartKind::Sex,
        ChartKind::Table,
    ];

    /// The spelling in blocks and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            ChartKind::Trend => "trend",
            ChartKind::Compare => "compare",
            ChartKind::Spine => "spine",
            ChartKind::Sex => "sex",
            ChartKind::Table => "table",
        }
    }

    fn parse(s: &str) -> Option<ChartKind> {
        ChartKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// What an indicator block compares the area with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparator {
    /// The area's welfare region.
    WelfareRegion,
    /// The whole country.
    Country,
    /// A chosen area.
    Area(RegionKey),
}

/// A parsed indicator block.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorBlock {
    /// Which indicator.
    pub indicator: IndicatorId,
    /// How to show it.
    pub chart: ChartKind,
    /// Comparators, in order.
    pub compare: Vec<Comparator>,
    /// A fixed year (else the latest with data).
    pub year: Option<i64>,
    /// The interval level: `95` or `99.8`.
    pub level: Option<String>,
}

impl IndicatorBlock {
    /// Writes the block back in its canonical one-line form.
    pub fn to_line(&self) -> String {
        let mut s = format!(
            "{{{{indicator {} chart={}",
            self.indicator,
            self.chart.as_str()
        );
        if !self.compare.is_empty() {
            let c: Vec<String> = self
                .compare
                .iter()
                .map(|c| match c {
                    Comparator::WelfareRegion => "region".to_string(),
                    Comparator::Country => "country".to_string(),
                    Comparator::Area(k) => k.to_string(),
                })
                .collect();
            s.push_str(&format!(" compare={}", c.join(",")));
        }
        if let Some(y) = self.year {
            s.push_str(&format!(" year={y}"));
        }
        if let Some(l) = &self.level {
            s.push_str(&format!(" level={l}"));
        }
        s.push_str("}}");
        s
    }
}

/// A piece of a section's text.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    /// Markdown text (one or more lines).
    Text {
        /// The Markdown.
        markdown: String,
    },
    /// A valid indicator block.
    Indicator {
        /// 1-based line in the section text.
        line: usize,
        /// The block.
        block: IndicatorBlock,
    },
    /// A line that looks like a block but is not valid.
    Invalid {
        /// 1-based line.
        line: usize,
        /// The line as written.
        raw: String,
        /// What is wrong, for the inline error.
        message: String,
    },
}

/// Longest section text accepted (characters), so one save cannot exhaust memory.
pub const MAX_SECTION_CHARS: usize = 200_000;

fn parse_block(inner: &str) -> Result<IndicatorBlock, String> {
    let mut id: Option<i64> = None;
    let mut chart = ChartKind::Trend;
    let mut compare = vec![Comparator::WelfareRegion, Comparator::Country];
    let mut year = None;
    let mut level = None;
    for word in inner.split_whitespace() {
        let (k, v) = match word.split_once('=') {
            Some((k, v)) => (k, v),
            None if id.is_none() => ("id", word),
            None => return Err(format!("unexpected word '{word}'")),
        };
        match k {
            "id" => {
                id = Some(
                    v.parse::<i64>()
                        .ok()
                        .filter(|n| *n > 0)
                        .ok_or_else(|| format!("'{v}' is not an indicator id"))?,
                )
            }
            "chart" => {
                chart = ChartKind::parse(v).ok_or_else(|| {
                    format!("unknown chart '{v}' (trend, compare, spine, sex or table)")
                })?
            }
            "compare" => {
                compare = Vec::new();
                for c in v.split(',').filter(|c| !c.is_empty()) {
                    compare.push(match c {
                        "region" => Comparator::WelfareRegion,
                        "country" => Comparator::Country,
                        other => {
                            Comparator::Area(other.parse::<RegionKey>().map_err(|e| e.to_string())?)
                        }
                    });
                }
                if compare.len() > 20 {
                    return Err("at most 20 comparators".into());
                }
            }
            "year" => {
                year = Some(
                    v.parse::<i64>()
                        .ok()
                        .filter(|y| (1900..=2100).contains(y))
                        .ok_or_else(|| format!("'{v}' is not a year"))?,
                )
            }
            "level" => {
                if v != "95" && v != "99.8" {
                    return Err(format!("level '{v}' is not 95 or 99.8"));
                }
                level = Some(v.to_string())
            }
            other => return Err(format!("unknown setting '{other}'")),
        }
    }
    let indicator = IndicatorId(id.ok_or("the block names no indicator id")?);
    Ok(IndicatorBlock {
        indicator,
        chart,
        compare,
        year,
        level,
    })
}

/// Splits a section's text into Markdown and indicator blocks. Never fails: problems
/// become [`Block::Invalid`] in place.
pub fn parse_section(text: &str) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::new();
    let mut buf = String::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        let inner = t
            .strip_prefix("{{")
            .and_then(|r| r.strip_suffix("}}"))
            .map(str::trim)
            .and_then(|r| r.strip_prefix("indicator"))
            .filter(|r| r.is_empty() || r.starts_with(char::is_whitespace));
        match inner {
            Some(inner) => {
                if !buf.is_empty() {
                    out.push(Block::Text {
                        markdown: std::mem::take(&mut buf),
                    });
                }
                out.push(match parse_block(inner) {
                    Ok(block) => Block::Indicator { line: i + 1, block },
                    Err(message) => Block::Invalid {
                        line: i + 1,
                        raw: line.to_string(),
                        message,
                    },
                });
            }
            None => {
                buf.push_str(line);
                buf.push('\n');
            }
        }
    }
    if !buf.trim().is_empty() {
        out.push(Block::Text { markdown: buf });
    }
    out
}

/// Indicators referenced by valid blocks, in order of first appearance.
pub fn referenced_indicators(text: &str) -> Vec<IndicatorId> {
    let mut out = Vec::new();
    for b in parse_section(text) {
        if let Block::Indicator { block, .. } = b {
            if !out.contains(&block.indicator) {
                out.push(block.indicator);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_text_and_blocks() {
        let text = "# Lapset\nTeksti.\n{{indicator 2328 chart=compare compare=region,KUNTA:398 year=2011}}\nLisää.\n";
        let blocks = parse_section(text);
        assert_eq!(blocks.len(), 3);
        match &blocks[1] {
            Block::Indicator { line, block } => {
                assert_eq!(*line, 3);
                assert_eq!(block.indicator, IndicatorId(2328));
                assert_eq!(block.chart, ChartKind::Compare);
                assert_eq!(block.year, Some(2011));
                assert_eq!(
                    block.compare[1],
                    Comparator::Area("KUNTA:398".parse().unwrap())
                );
                assert_eq!(
                    block.to_line(),
                    "{{indicator 2328 chart=compare compare=region,KUNTA:398 year=2011}}"
                );
            }
            other => panic!("expected a block, got {other:?}"),
        }
        assert_eq!(referenced_indicators(text), vec![IndicatorId(2328)]);
    }

    #[test]
    fn defaults_and_round_trip() {
        let b = parse_section("{{indicator id=181}}");
        let Block::Indicator { block, .. } = &b[0] else {
            panic!("{b:?}")
        };
        assert_eq!(block.chart, ChartKind::Trend);
        assert_eq!(
            block.compare,
            vec![Comparator::WelfareRegion, Comparator::Country]
        );
        let again = parse_section(&block.to_line());
        assert_eq!(
            again,
            vec![Block::Indicator {
                line: 1,
                block: block.clone()
            }]
        );
    }

    #[test]
    fn bad_blocks_become_inline_errors() {
        for (text, needle) in [
            ("{{indicator}}", "no indicator id"),
            ("{{indicator abc}}", "not an indicator id"),
            ("{{indicator 5 chart=pie}}", "unknown chart"),
            ("{{indicator 5 compare=KUNTA:1}}", "KUNTA"),
            ("{{indicator 5 year=20x1}}", "not a year"),
            ("{{indicator 5 colour=red}}", "unknown setting"),
        ] {
            match &parse_section(text)[0] {
                Block::Invalid { message, line, .. } => {
                    assert!(message.contains(needle), "{text}: {message}");
                    assert_eq!(*line, 1);
                }
                other => panic!("{text}: expected an error, got {other:?}"),
            }
        }
        // Text that merely mentions blocks stays text.
        assert!(matches!(
            &parse_section("see {{indicator 5}} inline")[0],
            Block::Text { .. }
        ));
        assert!(matches!(
            &parse_section("{{indicators 5}}")[0],
            Block::Text { .. }
        ));
    }
}
