//! Five-point "recent trend" markers (BENCHMARKING.md, section 3).
//!
//! Follows Fingertips' legacy calculator (FingertipsNext `TrendMarkerCalculator.cs`): the
//! significance test uses all five points at 99.8 %, and a trend is reported only if the
//! slope keeps its sign when each point in turn is left out, so one outlying year cannot
//! create a trend on its own.

use hyte_domain::Polarity;
use serde::{Deserialize, Serialize};

use crate::labels::labels;

/// Number of most recent points a trend is computed from.
pub const TREND_POINTS: usize = 5;

/// χ²₁ critical value at 99.8 % (two-sided α = 0.002): 9.5495.
///
/// The stricter level keeps the number of spurious trends low when markers are shown for
/// hundreds of areas and indicators at once.
pub const TREND_CRITICAL_CHI_SQUARE: f64 = 9.549_535_706_083_24;

/// Half-width of a 95 % interval in standard errors, doubled: U − L = 3.92 · SE.
const CI95_WIDTH_IN_SE: f64 = 2.0 * 1.96;

/// Direction of a recent trend, without judgement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trend {
    /// A significant, robust increase.
    Increasing,
    /// A significant, robust decrease.
    Decreasing,
    /// No significant or no robust change.
    NoChange,
    /// Too few points, or a point the method cannot use.
    CannotBeCalculated,
}

labels!(Trend {
    Increasing => "increasing",
    Decreasing => "decreasing",
    NoChange => "no_change",
    CannotBeCalculated => "cannot_be_calculated",
});

/// A trend with the indicator's polarity applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrendOutcome {
    /// Increasing, and high is good.
    IncreasingAndGettingBetter,
    /// Increasing, and low is good.
    IncreasingAndGettingWorse,
    /// Decreasing, and low is good.
    DecreasingAndGettingBetter,
    /// Decreasing, and high is good.
    DecreasingAndGettingWorse,
    /// Increasing, no judgement.
    Increasing,
    /// Decreasing, no judgement.
    Decreasing,
    /// No significant change.
    NoChange,
    /// Not computable.
    CannotBeCalculated,
}

labels!(TrendOutcome {
    IncreasingAndGettingBetter => "increasing_and_getting_better",
    IncreasingAndGettingWorse => "increasing_and_getting_worse",
    DecreasingAndGettingBetter => "decreasing_and_getting_better",
    DecreasingAndGettingWorse => "decreasing_and_getting_worse",
    Increasing => "increasing",
    Decreasing => "decreasing",
    NoChange => "no_change",
    CannotBeCalculated => "cannot_be_calculated",
});

/// Applies polarity to a trend; without a known polarity the direction is kept neutral.
pub fn trend_outcome(t: Trend, p: Polarity) -> TrendOutcome {
    match (t, p) {
        (Trend::Increasing, Polarity::HighIsGood) => TrendOutcome::IncreasingAndGettingBetter,
        (Trend::Increasing, Polarity::LowIsGood) => TrendOutcome::IncreasingAndGettingWorse,
        (Trend::Increasing, Polarity::NoJudgement) => TrendOutcome::Increasing,
        (Trend::Decreasing, Polarity::HighIsGood) => TrendOutcome::DecreasingAndGettingWorse,
        (Trend::Decreasing, Polarity::LowIsGood) => TrendOutcome::DecreasingAndGettingBetter,
        (Trend::Decreasing, Polarity::NoJudgement) => TrendOutcome::Decreasing,
        (Trend::NoChange, _) => TrendOutcome::NoChange,
        (Trend::CannotBeCalculated, _) => TrendOutcome::CannotBeCalculated,
    }
}

/// A trend with the numbers behind it, for display, storage and tests.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TrendResult {
    /// The marker.
    pub trend: Trend,
    /// The χ² statistic over all points used; `None` if it could not be computed.
    pub chi_square: Option<f64>,
    /// The slope over all points used (log-odds per period for proportions, value per
    /// period for the weighted method); `None` if it could not be computed.
    pub slope: Option<f64>,
    /// How many points were used (at most [`TREND_POINTS`]; fewer means none were).
    pub points: usize,
    /// Whether the full slope and all five leave-one-out slopes have the same strict sign.
    pub slopes_agree: bool,
}

impl TrendResult {
    fn cannot(points: usize) -> TrendResult {
        TrendResult {
            trend: Trend::CannotBeCalculated,
            chi_square: None,
            slope: None,
            points,
            slopes_agree: false,
        }
    }
}

/// The last [`TREND_POINTS`] items, or `None` if there are fewer.
fn last_five<T>(points: &[T]) -> Option<&[T]> {
    points
        .len()
        .checked_sub(TREND_POINTS)
        .map(|start| &points[start..])
}

/// Time index of the i-th point used (0-based), oldest first: t = 1..=5.
fn t(i: usize) -> f64 {
    (i + 1) as f64
}

/// Builds the marker from the statistic and the full and leave-one-out slopes.
///
/// A slope of exactly zero has no sign and so breaks agreement; the legacy calculator counts
/// it as positive, which only matters for perfectly flat data that cannot be significant.
fn decide(chi_square: f64, slopes: &[f64]) -> TrendResult {
    let Some(&slope) = slopes.first() else {
        return TrendResult::cannot(0);
    };
    if !chi_square.is_finite() || slopes.iter().any(|s| !s.is_finite()) {
        return TrendResult::cannot(TREND_POINTS);
    }
    let agree = slopes.iter().all(|&s| s > 0.0) || slopes.iter().all(|&s| s < 0.0);
    let trend = if chi_square > TREND_CRITICAL_CHI_SQUARE && agree {
        if slope > 0.0 {
            Trend::Increasing
        } else {
            Trend::Decreasing
        }
    } else {
        Trend::NoChange
    };
    TrendResult {
        trend,
        chi_square: Some(chi_square),
        slope: Some(slope),
        points: TREND_POINTS,
        slopes_agree: agree,
    }
}

/// The full fit (`skip = None`) followed by the five leave-one-out fits.
fn fits() -> impl Iterator<Item = Option<usize>> {
    std::iter::once(None).chain((0..TREND_POINTS).map(Some))
}

/// Chi-square test for trend on proportions, over the last five `(count, denominator)`
/// points given, oldest first (BENCHMARKING.md 3.1 and 3.3).
///
/// See [`trend_proportions_result`] for the rules.
pub fn trend_proportions(points: &[(f64, f64)]) -> Trend {
    trend_proportions_result(points).trend
}

/// [`trend_proportions`] with the statistic and slope.
///
/// The χ² statistic uses the counts and denominators (so large populations weigh more);
/// the direction and the leave-one-out check use the unweighted least-squares slope of the
/// log-odds, as in the legacy calculator. Any of the five points with a count of 0 or equal
/// to its denominator has no finite log-odds, so the result is `CannotBeCalculated`, as it
/// is for fewer than five points or invalid numbers.
pub fn trend_proportions_result(points: &[(f64, f64)]) -> TrendResult {
    let Some(pts) = last_five(points) else {
        return TrendResult::cannot(points.len());
    };
    let valid = |&(o, n): &(f64, f64)| o.is_finite() && n.is_finite() && o > 0.0 && o < n;
    if !pts.iter().all(valid) {
        return TrendResult::cannot(TREND_POINTS);
    }

    let (mut big_n, mut big_o, mut sum_ot, mut sum_nt, mut sum_nt2) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for (i, &(o, n)) in pts.iter().enumerate() {
        big_n += n;
        big_o += o;
        sum_ot += o * t(i);
        sum_nt += n * t(i);
        sum_nt2 += n * t(i) * t(i);
    }
    let chi_square = big_n * (big_n * sum_ot - big_o * sum_nt).powi(2)
        / (big_o * (big_n - big_o) * (big_n * sum_nt2 - sum_nt * sum_nt));

    let log_odds: Vec<f64> = pts.iter().map(|&(o, n)| (o / (n - o)).ln()).collect();
    let slopes: Vec<f64> = fits()
        .map(|skip| {
            let (mut k, mut st, mut st2, mut sy, mut sty) = (0.0, 0.0, 0.0, 0.0, 0.0);
            for (i, &y) in log_odds.iter().enumerate() {
                if Some(i) == skip {
                    continue;
                }
                k += 1.0;
                st += t(i);
                st2 += t(i) * t(i);
                sy += y;
                sty += t(i) * y;
            }
            (k * sty - st * sy) / (k * st2 - st * st)
        })
        .collect();
    decide(chi_square, &slopes)
}

/// Weighted-regression trend test on values with 95 % intervals, over the last five
/// `(value, lower95, upper95)` points given, oldest first (BENCHMARKING.md 3.2 and 3.3).
///
/// See [`trend_weighted_result`] for the rules.
pub fn trend_weighted(points: &[(f64, f64, f64)]) -> Trend {
    trend_weighted_result(points).trend
}

/// [`trend_weighted`] with the statistic and slope.
///
/// Each point is weighted by 1/SE², with SE = (U − L) / 3.92 recovered from its 95 %
/// interval, so imprecise small-area years count less. The intervals must be 95 % ones
/// whatever level the view uses. A point with a non-finite number or with U ≤ L (no
/// usable SE) makes the result `CannotBeCalculated`.
pub fn trend_weighted_result(points: &[(f64, f64, f64)]) -> TrendResult {
    let Some(pts) = last_five(points) else {
        return TrendResult::cannot(points.len());
    };
    let valid =
        |&(y, l, u): &(f64, f64, f64)| y.is_finite() && l.is_finite() && u.is_finite() && u > l;
    if !pts.iter().all(valid) {
        return TrendResult::cannot(TREND_POINTS);
    }
    let weights: Vec<f64> = pts
        .iter()
        .map(|&(_, l, u)| (CI95_WIDTH_IN_SE / (u - l)).powi(2))
        .collect();

    let mut chi_square = f64::NAN;
    let slopes: Vec<f64> = fits()
        .map(|skip| {
            let (mut sw, mut swt, mut swt2, mut swy, mut swty) = (0.0, 0.0, 0.0, 0.0, 0.0);
            for (i, (&(y, _, _), &w)) in pts.iter().zip(&weights).enumerate() {
                if Some(i) == skip {
                    continue;
                }
                sw += w;
                swt += w * t(i);
                swt2 += w * t(i) * t(i);
                swy += w * y;
                swty += w * t(i) * y;
            }
            let det = sw * swt2 - swt * swt;
            let b = (sw * swty - swt * swy) / det;
            if skip.is_none() {
                let se = (sw / det).sqrt();
                chi_square = (b / se).powi(2);
            }
            b
        })
        .collect();
    decide(chi_square, &slopes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn critical_value_is_the_998_quantile() {
        use statrs::distribution::{ChiSquared, ContinuousCDF};
        let q = ChiSquared::new(1.0).map(|d| d.inverse_cdf(0.998));
        assert!(matches!(q, Ok(q) if (q - TREND_CRITICAL_CHI_SQUARE).abs() < 1e-6));
    }

    #[test]
    fn labels_round_trip() {
        for x in Trend::ALL {
            assert_eq!(x.as_str().parse::<Trend>(), Ok(*x));
        }
        for x in TrendOutcome::ALL {
            assert_eq!(x.as_str().parse::<TrendOutcome>(), Ok(*x));
        }
    }
}
