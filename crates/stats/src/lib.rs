//! Hyte's statistics: confidence intervals, significance-tested comparisons against a
//! benchmark, five-point trend markers and neutral "relative position" bands.
//!
//! The methods are the ones England's Fingertips uses (BENCHMARKING.md, sections 1–4), so
//! that a municipal user can audit every colour against published public-health methods.
//! The reference implementation is the R package PHEindicatormethods; its test workbooks
//! are this crate's fixtures.
//!
//! The crate is pure: no I/O, no SQL, no HTTP. Every function takes plain numbers and returns
//! `Option`/`Result` instead of panicking, because the inputs come from imported open data
//! where gaps, suppressed cells and rounding are normal.

#![warn(missing_docs)]

mod ci;
mod compare;
mod labels;
mod position;
mod trend;

pub use ci::{
    byar, count_interval, derive_denominator, exact_poisson, rate_interval, value_interval,
    value_interval_full, wilson, CiLevel, CiMethod, Interval, NoCi, ValueInterval,
};
pub use compare::{compare, compare_interval, outcome, Comparison, Outcome};
pub use labels::ParseLabelError;
pub use position::{band, quintile, spread, weighted_mean, Band, Spread};
pub use trend::{
    trend_outcome, trend_proportions, trend_proportions_result, trend_weighted,
    trend_weighted_result, Trend, TrendOutcome, TrendResult, TREND_CRITICAL_CHI_SQUARE,
    TREND_POINTS,
};
