//! The Fingertips comparison rule and its polarity table (BENCHMARKING.md, section 1).

use hyte_domain::Polarity;
use serde::{Deserialize, Serialize};

use crate::ci::Interval;
use crate::labels::labels;

/// Result of testing an area's interval against a benchmark's point value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparison {
    /// The whole interval lies above the benchmark.
    Higher,
    /// The whole interval lies below the benchmark.
    Lower,
    /// The interval contains the benchmark.
    Similar,
    /// A limit or the benchmark is missing, so no test was made.
    NotCompared,
}

labels!(Comparison {
    Higher => "higher",
    Lower => "lower",
    Similar => "similar",
    NotCompared => "not_compared",
});

/// Tests an area's interval `(lower, upper)` against a benchmark point value.
///
/// The benchmark's own interval is deliberately ignored: Fingertips compares with the point
/// value of an aggregate, which is far more precise than one area's value. Non-finite
/// numbers count as missing, so a NaN from upstream never turns into a verdict.
pub fn compare(interval: Option<(f64, f64)>, benchmark: Option<f64>) -> Comparison {
    let (Some((lower, upper)), Some(b)) = (interval, benchmark) else {
        return Comparison::NotCompared;
    };
    if !lower.is_finite() || !upper.is_finite() || !b.is_finite() {
        return Comparison::NotCompared;
    }
    if upper < b {
        Comparison::Lower
    } else if lower > b {
        Comparison::Higher
    } else {
        Comparison::Similar
    }
}

/// [`compare`] for an [`Interval`], the shape the interval functions return.
pub fn compare_interval(interval: Option<&Interval>, benchmark: Option<f64>) -> Comparison {
    compare(interval.map(|ci| ci.limits()), benchmark)
}

/// A comparison turned into what users see, using the indicator's polarity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Significantly better than the benchmark.
    Better,
    /// Not significantly different from the benchmark.
    Similar,
    /// Significantly worse than the benchmark.
    Worse,
    /// Significantly higher, for indicators with no judgement.
    Higher,
    /// Significantly lower, for indicators with no judgement.
    Lower,
    /// No test was possible.
    NotCompared,
}

labels!(Outcome {
    Better => "better",
    Similar => "similar",
    Worse => "worse",
    Higher => "higher",
    Lower => "lower",
    NotCompared => "not_compared",
});

/// Maps a comparison through the polarity table of BENCHMARKING.md section 1.
///
/// Without a known polarity the result stays Higher/Lower: calling a value "worse" needs a
/// reviewed judgement of which direction is good, which Sotkanet does not provide.
pub fn outcome(c: Comparison, p: Polarity) -> Outcome {
    match (c, p) {
        (Comparison::Higher, Polarity::HighIsGood) | (Comparison::Lower, Polarity::LowIsGood) => {
            Outcome::Better
        }
        (Comparison::Higher, Polarity::LowIsGood) | (Comparison::Lower, Polarity::HighIsGood) => {
            Outcome::Worse
        }
        (Comparison::Higher, Polarity::NoJudgement) => Outcome::Higher,
        (Comparison::Lower, Polarity::NoJudgement) => Outcome::Lower,
        (Comparison::Similar, _) => Outcome::Similar,
        (Comparison::NotCompared, _) => Outcome::NotCompared,
    }
}
