//! Indicator blocks of report sections, rendered live from the current data, and the
//! chart-building helpers they share with the indicator pages (`pages::indicators`).
//!
//! A block stores a query, not numbers (`{{indicator 2328 chart=trend}}`), so while a
//! report is a draft every view shows the data as it is now: the chart of the chosen
//! kind with the chosen comparison, the benchmark outcome, a data table, a "live data"
//! badge and the attribution CC BY 4.0 asks for. A block that cannot be shown (unknown
//! indicator, invalid syntax) becomes an inline error box; it never fails the page.
//!
//! Layout: `render` holds the entry points, `build` resolves a block (with `context`)
//! and hands its chart to one module per kind (`trend`, `compare`, `spine`, `sex`; the
//! year table of the others is `table`). `format`, `series` and `markdown` are shared
//! with the indicator and public pages.

mod build;
mod cells;
mod compare;
mod context;
mod format;
mod markdown;
mod render;
mod series;
mod sex;
/// The spine chart (also the indicator explorer's).
pub mod spine;
mod table;
mod template;
mod trend;

pub use cells::{Cell, OutcomeView};
pub use format::{
    badge, chart_outcome, chart_polarity, outcome_labels, source_line, unit_label, Badge, Fmt,
};
pub use markdown::markdown_html;
pub use render::{
    published_block, render_block_error, render_section, render_section_in, RenderedPart,
};
pub use series::{
    area_series, area_totals, area_trend, benchmark_points, municipality_totals, sex_groups,
    trend_points, year_totals,
};
