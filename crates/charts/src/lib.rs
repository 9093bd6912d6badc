//! Hyte charts: indicator data in, one self-contained SVG string out.
//!
//! The crate is deliberately pure. It does no I/O, no HTTP and no translation lookups:
//! every visible word (titles, axis labels, legend words, outcome words) arrives in a
//! labels struct, so the caller translates and this crate only draws. The same SVG is
//! meant for screen, print and PDF export, so every chart
//!
//! * uses a `viewBox` with `width="100%"` and no fixed height (it scales to its container),
//! * needs no scripts, external fonts or external stylesheets (`system-ui, sans-serif`),
//! * is `role="img"` with `<title>` and `<desc>` referenced by `aria-labelledby`, with ids
//!   made unique by the caller's [`ChartMeta::id_prefix`],
//! * shows outcomes by colour *and* marker shape, with the outcome word in the legend
//!   (colour-blind safe, never colour alone).
//!
//! Layouts adapt to [`ChartMeta::width`]: the width is in SVG user units, which are CSS
//! pixels when the chart is shown at its natural size. Render with a width close to the
//! container's (e.g. 360 for a phone, 640–800 for a desktop column) so text stays at its
//! intended size; narrow widths switch to stacked layouts where that helps.
//!
//! Charts: [`spine_chart`], [`trend_chart`], [`compare_chart`], [`sex_chart`] and
//! [`choropleth_map`] (with [`MapGeometry`]). Helpers the caller should share so numbers
//! look the same everywhere: [`format_number`] and [`nice_ticks`].

#![warn(missing_docs)]

mod compare;
mod format;
mod map;
mod sex;
mod spine;
mod svg;
mod trend;

use serde::{Deserialize, Serialize};

pub use compare::{compare_chart, CompareBar, CompareChart, CompareLabels, SortOrder};
pub use format::{format_number, nice_ticks};
pub use map::{
    choropleth_map, MapArea, MapCategory, MapChart, MapError, MapFeature, MapGeometry, MapLabels,
    QUINTILE_COLOURS,
};
pub use sex::{sex_chart, SexChart, SexGroup, SexLabels, SexValue};
pub use spine::{spine_chart, SpineChart, SpineLabels, SpineRow, Spread};
pub use trend::{trend_chart, BenchmarkSeries, CiStyle, TrendChart, TrendLabels, TrendPoint};

/// Result of comparing a value with a benchmark, as the chart should show it.
///
/// The caller maps its statistical result (BENCHMARKING.md section 1) to this enum; the
/// charts only need to know how to draw each case. `Higher`/`Lower` are for indicators
/// without polarity, so they get neutral purple shades rather than the judgement colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Significantly better than the benchmark.
    Better,
    /// Not significantly different from the benchmark.
    Similar,
    /// Significantly worse than the benchmark.
    Worse,
    /// Significantly higher, for indicators where higher is neither good nor bad.
    Higher,
    /// Significantly lower, for indicators where lower is neither good nor bad.
    Lower,
    /// No test was possible (no interval, no benchmark, or suppressed value).
    #[default]
    NotCompared,
}

/// Marker shape of an outcome, so that outcome never depends on colour alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    /// Filled circle (better) or hollow white circle (not compared).
    Circle,
    /// Square (similar).
    Square,
    /// Diamond, a square standing on its corner (worse).
    Diamond,
    /// Triangle pointing up (higher).
    TriangleUp,
    /// Triangle pointing down (lower).
    TriangleDown,
}

impl Outcome {
    /// All outcomes in legend order: judgements first, then neutral ones, then untested.
    pub const ALL: [Outcome; 6] = [
        Outcome::Better,
        Outcome::Similar,
        Outcome::Worse,
        Outcome::Higher,
        Outcome::Lower,
        Outcome::NotCompared,
    ];

    /// Fill colour (hex). Okabe–Ito blue and vermillion for better/worse, yellow for
    /// similar, two purples that differ in lightness for higher/lower, white for untested.
    pub fn colour(self) -> &'static str {
        match self {
            Outcome::Better => "#0072B2",
            Outcome::Similar => "#F0E442",
            Outcome::Worse => "#D55E00",
            Outcome::Higher => "#5E3C99",
            Outcome::Lower => "#B2ABD2",
            Outcome::NotCompared => "#FFFFFF",
        }
    }

    /// Outline colour (hex). Every marker and bar is outlined because yellow and white
    /// are nearly invisible on a white page without one.
    pub fn stroke(self) -> &'static str {
        match self {
            Outcome::Better => "#00476F",
            Outcome::Similar => "#5C5400",
            Outcome::Worse => "#8A3C00",
            Outcome::Higher => "#3A2563",
            Outcome::Lower => "#5E5594",
            Outcome::NotCompared => "#6E6E6E",
        }
    }

    /// Marker shape, the second cue besides colour.
    pub fn shape(self) -> Shape {
        match self {
            Outcome::Better => Shape::Circle,
            Outcome::Similar => Shape::Square,
            Outcome::Worse => Shape::Diamond,
            Outcome::Higher => Shape::TriangleUp,
            Outcome::Lower => Shape::TriangleDown,
            // Hollow white circle, as in Fingertips; it differs from "better" by its
            // white fill, which reads as different for every kind of colour vision.
            Outcome::NotCompared => Shape::Circle,
        }
    }

    /// Stable machine name, used in SVG `class` attributes so the web layer can style or
    /// test elements without parsing colours.
    pub fn key(self) -> &'static str {
        match self {
            Outcome::Better => "better",
            Outcome::Similar => "similar",
            Outcome::Worse => "worse",
            Outcome::Higher => "higher",
            Outcome::Lower => "lower",
            Outcome::NotCompared => "not-compared",
        }
    }
}

/// Which direction of an indicator is good. Mirrors `hyte_domain::Polarity` (this crate
/// depends on nothing of ours so it stays a leaf), so the caller's mapping is one-to-one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Polarity {
    /// Higher values are better.
    HighIsGood,
    /// Lower values are better; the spine chart mirrors such rows.
    LowIsGood,
    /// No judgement; drawn low on the left, high on the right.
    #[default]
    NoJudgement,
}

/// Words for each outcome, translated by the caller; used in legends and tooltips.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OutcomeLabels {
    /// e.g. "Better than Finland".
    pub better: String,
    /// e.g. "Similar to Finland".
    pub similar: String,
    /// e.g. "Worse than Finland".
    pub worse: String,
    /// e.g. "Higher than Finland".
    pub higher: String,
    /// e.g. "Lower than Finland".
    pub lower: String,
    /// e.g. "Not compared".
    pub not_compared: String,
}

impl OutcomeLabels {
    /// The word for one outcome.
    pub fn get(&self, outcome: Outcome) -> &str {
        match outcome {
            Outcome::Better => &self.better,
            Outcome::Similar => &self.similar,
            Outcome::Worse => &self.worse,
            Outcome::Higher => &self.higher,
            Outcome::Lower => &self.lower,
            Outcome::NotCompared => &self.not_compared,
        }
    }
}

/// What every chart needs besides its data: accessible name, ids, size, number style.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChartMeta {
    /// Prefix for every `id` in the SVG, so several charts can be inlined in one page.
    /// Characters that are not valid in an XML id are replaced by `-`.
    pub id_prefix: String,
    /// Accessible name (`<title>`); also drawn as the heading when `show_title` is set.
    pub title: String,
    /// Accessible description (`<desc>`): what the chart shows, ideally its main finding.
    pub description: String,
    /// Optional second heading line, e.g. the trend marker text or a small-area caution.
    pub subtitle: Option<String>,
    /// Optional footer line, e.g. "Source: THL, Sotkanet.fi, 2024" (attribution for exports).
    pub source: Option<String>,
    /// Draw the title inside the SVG. Off when the page already has a heading; on for
    /// exports so a downloaded file explains itself.
    pub show_title: bool,
    /// Width of the `viewBox` in user units (≈ CSS px at natural size); see crate docs.
    pub width: f64,
    /// Decimal comma and non-breaking-space thousands (Finnish, Swedish) instead of a point.
    pub decimal_comma: bool,
}

impl ChartMeta {
    /// Meta with the given ids and texts, width 640, decimal comma, heading shown.
    pub fn new(id_prefix: &str, title: &str, description: &str) -> Self {
        ChartMeta {
            id_prefix: id_prefix.to_string(),
            title: title.to_string(),
            description: description.to_string(),
            subtitle: None,
            source: None,
            show_title: true,
            width: 640.0,
            decimal_comma: true,
        }
    }
}

impl Default for ChartMeta {
    fn default() -> Self {
        ChartMeta::new("chart", "", "")
    }
}
