//! Confidence intervals (BENCHMARKING.md, section 2).
//!
//! Wilson score for proportions; Byar's approximation for counts of 10 or more and the exact
//! Poisson (chi-square) interval below that, with rates computed on the count and then
//! scaled. These are the PHEindicatormethods formulas, reproduced to floating-point accuracy
//! against its own test workbooks (see `tests/reference.rs`).

use std::fmt;

use hyte_domain::ValueUnit;
use serde::{Deserialize, Serialize};
use statrs::distribution::{ChiSquared, ContinuousCDF};

use crate::labels::labels;

/// Count at and above which Byar's approximation replaces the exact Poisson interval.
///
/// Fingertips switches here because Byar's cube-root approximation is accurate to well under
/// one per cent from 10 events on, while the exact interval is cheap only for small counts.
const BYAR_FROM: f64 = 10.0;

/// Confidence level of an interval.
///
/// Only the two levels Fingertips uses exist, so that every stored result names one of them
/// and comparisons made at different levels cannot be mixed up silently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CiLevel {
    /// 95 %: the default when one area is compared with one benchmark.
    P95,
    /// 99.8 %: for views of all ~300 municipalities at once, where 95 % would flag about one
    /// area in twenty by chance alone; also the trend level.
    P998,
}

labels!(CiLevel {
    P95 => "95",
    P998 => "99.8",
});

impl CiLevel {
    /// The two-sided standard normal quantile z = Φ⁻¹(1 − α/2).
    ///
    /// Written out to full double precision (R's `qnorm`) rather than the rounded 1.959964 /
    /// 3.090232 of the docs, so the results match the reference implementation to ~1e-12.
    pub fn z(self) -> f64 {
        match self {
            CiLevel::P95 => 1.959_963_984_540_054,
            CiLevel::P998 => 3.090_232_306_167_813_5,
        }
    }

    /// The level as a fraction: 0.95 or 0.998.
    pub fn fraction(self) -> f64 {
        match self {
            CiLevel::P95 => 0.95,
            CiLevel::P998 => 0.998,
        }
    }

    /// α = 1 − level, the total tail probability outside the interval.
    pub fn alpha(self) -> f64 {
        1.0 - self.fraction()
    }
}

/// The method that produced an interval.
///
/// Stored with every value because the Byar/exact switch at 10 changes the interval visibly,
/// and users auditing a colour need to know which formula was applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CiMethod {
    /// Wilson score interval for a proportion.
    Wilson,
    /// Byar's approximation to the Poisson interval (counts ≥ 10).
    Byar,
    /// Exact Poisson interval from chi-square quantiles (counts < 10).
    ExactPoisson,
}

labels!(CiMethod {
    Wilson => "wilson",
    Byar => "byar",
    ExactPoisson => "exact_poisson",
});

/// A confidence interval, in the same unit as the value it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// Lower limit.
    pub lower: f64,
    /// Upper limit.
    pub upper: f64,
    /// Confidence level the limits were computed at.
    pub level: CiLevel,
    /// Formula that produced the limits.
    pub method: CiMethod,
}

impl Interval {
    /// Multiplies both limits by `factor` (fraction → percent, count → rate).
    pub fn scaled(self, factor: f64) -> Interval {
        Interval {
            lower: self.lower * factor,
            upper: self.upper * factor,
            ..self
        }
    }

    /// The limits as a pair, the shape [`crate::compare`] takes.
    pub fn limits(self) -> (f64, f64) {
        (self.lower, self.upper)
    }
}

/// Wilson score interval for `successes` out of `n`, as a fraction 0..1.
///
/// Chosen over the normal approximation because it stays inside 0..1 and behaves well at 0 %
/// and 100 %, which small municipalities hit often. `successes` may be fractional (the
/// reference data includes 0.445 of 1). Returns `None` if `n <= 0`, `successes < 0`,
/// `successes > n` or either is not finite.
pub fn wilson(successes: f64, n: f64, level: CiLevel) -> Option<Interval> {
    if !successes.is_finite() || !n.is_finite() || n <= 0.0 || successes < 0.0 || successes > n {
        return None;
    }
    let z = level.z();
    let z2 = z * z;
    let root = z * (z2 + 4.0 * successes * (1.0 - successes / n)).sqrt();
    let denom = 2.0 * (n + z2);
    // At 0 and n the limits are exactly 0 and 1 in exact arithmetic, but rounding can land
    // a hair inside (0.9999999999999998 for 65535 of 65535), which would put the estimate
    // outside its own interval; pin them.
    let lower = if successes == 0.0 {
        0.0
    } else {
        ((2.0 * successes + z2 - root) / denom).clamp(0.0, 1.0)
    };
    let upper = if successes == n {
        1.0
    } else {
        ((2.0 * successes + z2 + root) / denom).clamp(0.0, 1.0)
    };
    Some(Interval {
        lower,
        upper,
        level,
        method: CiMethod::Wilson,
    })
}

/// The `p`-quantile of the chi-square distribution with `df` degrees of freedom.
fn chi_square_quantile(p: f64, df: f64) -> Option<f64> {
    let q = ChiSquared::new(df).ok()?.inverse_cdf(p);
    q.is_finite().then_some(q)
}

/// Exact Poisson interval for a count, from the Poisson–chi-square relation.
///
/// Used directly for counts below 10; public so the method can be tested and shown on its
/// own. The lower limit of a zero count is 0 by definition (no chi-square with 0 degrees of
/// freedom exists). Returns `None` for a negative or non-finite count.
pub fn exact_poisson(count: f64, level: CiLevel) -> Option<Interval> {
    if !count.is_finite() || count < 0.0 {
        return None;
    }
    let alpha = level.alpha();
    let lower = if count == 0.0 {
        0.0
    } else {
        chi_square_quantile(alpha / 2.0, 2.0 * count)? / 2.0
    };
    let upper = chi_square_quantile(1.0 - alpha / 2.0, 2.0 * count + 2.0)? / 2.0;
    Some(Interval {
        lower,
        upper,
        level,
        method: CiMethod::ExactPoisson,
    })
}

/// Byar's approximation to the Poisson interval for a count.
///
/// Used for counts of 10 or more; public because the reference data also tests it below 10.
/// For very small counts at 99.8 % the lower cube-root base turns negative and the formula
/// has no meaning (the reference gives no value); the lower limit is then 0, the smallest
/// count possible. Returns `None` for a negative or non-finite count.
pub fn byar(count: f64, level: CiLevel) -> Option<Interval> {
    if !count.is_finite() || count < 0.0 {
        return None;
    }
    let z = level.z();
    let lower = if count == 0.0 {
        0.0
    } else {
        let base = 1.0 - 1.0 / (9.0 * count) - z / (3.0 * count.sqrt());
        count * base.max(0.0).powi(3)
    };
    let o1 = count + 1.0;
    let upper = o1 * (1.0 - 1.0 / (9.0 * o1) + z / (3.0 * o1.sqrt())).powi(3);
    Some(Interval {
        lower,
        upper,
        level,
        method: CiMethod::Byar,
    })
}

/// Confidence interval of a Poisson count: Byar if `count >= 10`, exact below.
///
/// The lower limit is 0 for a count of 0. Returns `None` for a negative or non-finite count.
pub fn count_interval(count: f64, level: CiLevel) -> Option<Interval> {
    if count >= BYAR_FROM {
        byar(count, level)
    } else {
        exact_poisson(count, level)
    }
}

/// Interval of a crude rate `count / denominator * multiplier`.
///
/// The uncertainty is in the count of events; the population is treated as known, so the
/// count's interval is simply scaled. Returns `None` if the count is invalid or the
/// denominator or multiplier is not a positive finite number.
pub fn rate_interval(
    count: f64,
    denominator: f64,
    multiplier: f64,
    level: CiLevel,
) -> Option<Interval> {
    if !denominator.is_finite()
        || denominator <= 0.0
        || !multiplier.is_finite()
        || multiplier <= 0.0
    {
        return None;
    }
    count_interval(count, level).map(|ci| ci.scaled(multiplier / denominator))
}

/// Approximates a denominator from a published value and its count: `count × multiplier /
/// value` (SOTKANET.md, section 12).
///
/// Sotkanet publishes the value and sometimes the count (`absValue`) but never the
/// denominator. The value is rounded to the indicator's decimals, so the result is
/// approximate and must be flagged as derived. Returns `None` when the value is not positive
/// (a zero value says nothing about the population) or an input is not finite.
pub fn derive_denominator(count: f64, value: f64, multiplier: f64) -> Option<f64> {
    let ok = count.is_finite()
        && count >= 0.0
        && value.is_finite()
        && value > 0.0
        && multiplier.is_finite()
        && multiplier > 0.0;
    ok.then(|| count * multiplier / value)
}

/// Why no confidence interval could be given for a value.
///
/// Shown to users in the tooltip next to a value that is still displayed but not coloured,
/// so each reason is a separate, translatable case rather than a free-text message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoCi {
    /// The number of events (numerator) is not published.
    NoCount,
    /// The denominator is not published and cannot be derived from the value.
    NoDenominator,
    /// The unit (index, euros, other) has no count-based interval.
    UnitHasNoInterval,
    /// Survey estimates are weighted, so a count-based interval would be wrong.
    SurveyIndicator,
    /// The numbers are inconsistent or out of range (e.g. more events than population).
    InvalidInput,
}

labels!(NoCi {
    NoCount => "no_count",
    NoDenominator => "no_denominator",
    UnitHasNoInterval => "unit_has_no_interval",
    SurveyIndicator => "survey_indicator",
    InvalidInput => "invalid_input",
});

impl fmt::Display for NoCi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NoCi::NoCount => "No confidence interval: the number of cases is not published.",
            NoCi::NoDenominator => {
                "No confidence interval: the population or denominator is not known."
            }
            NoCi::UnitHasNoInterval => {
                "No confidence interval: this kind of value (index, euros or other) has none."
            }
            NoCi::SurveyIndicator => {
                "No confidence interval: survey estimates are weighted, so one cannot be computed from counts."
            }
            NoCi::InvalidInput => {
                "No confidence interval: the published figures are inconsistent or out of range."
            }
        })
    }
}

impl std::error::Error for NoCi {}

/// An interval together with the denominator it was computed from.
///
/// The storage layer records the denominator and whether it was derived (BENCHMARKING.md
/// section 1, "what we store"), because a derived denominator carries the rounding error of
/// the published value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ValueInterval {
    /// The interval, in the unit of the value.
    pub interval: Interval,
    /// The denominator used; `None` for counts, which have none.
    pub denominator: Option<f64>,
    /// True if the denominator was derived as `count × multiplier / value`.
    pub denominator_derived: bool,
}

/// Interval for a published value; the entry point the storage and web layers use.
///
/// See [`value_interval_full`] for the rules; this returns only the interval.
pub fn value_interval(
    value: f64,
    unit: &ValueUnit,
    count: Option<f64>,
    denominator: Option<f64>,
    survey: bool,
    level: CiLevel,
) -> Result<Interval, NoCi> {
    value_interval_full(value, unit, count, denominator, survey, level).map(|v| v.interval)
}

/// Interval for a published value, with the denominator used and whether it was derived.
///
/// - `survey` → [`NoCi::SurveyIndicator`], checked first because it rules out every
///   count-based method whatever the unit.
/// - [`ValueUnit::Percent`] → Wilson on `count` of the denominator, times 100.
/// - `Per1000`/`Per10000`/`Per100000` → [`rate_interval`].
/// - [`ValueUnit::Count`] → [`count_interval`] on `value` itself (`count` and
///   `denominator` are ignored: the value is the count).
/// - `Index`, `Euro`, `Other` → [`NoCi::UnitHasNoInterval`].
///
/// A missing denominator is derived with [`derive_denominator`] when `value > 0`. It is not
/// rounded to a whole number: the rounding error of the value is already there and rounding
/// again would only add a second one.
pub fn value_interval_full(
    value: f64,
    unit: &ValueUnit,
    count: Option<f64>,
    denominator: Option<f64>,
    survey: bool,
    level: CiLevel,
) -> Result<ValueInterval, NoCi> {
    if survey {
        return Err(NoCi::SurveyIndicator);
    }
    if *unit == ValueUnit::Count {
        let interval = count_interval(value, level).ok_or(NoCi::InvalidInput)?;
        return Ok(ValueInterval {
            interval,
            denominator: None,
            denominator_derived: false,
        });
    }
    let multiplier = unit.multiplier().ok_or(NoCi::UnitHasNoInterval)?;
    let count = count.ok_or(NoCi::NoCount)?;
    if !count.is_finite() || count < 0.0 {
        return Err(NoCi::InvalidInput);
    }
    let (denominator, denominator_derived) = match denominator {
        Some(d) => (d, false),
        None => (
            derive_denominator(count, value, multiplier).ok_or(NoCi::NoDenominator)?,
            true,
        ),
    };
    let interval = if *unit == ValueUnit::Percent {
        wilson(count, denominator, level).map(|ci| ci.scaled(multiplier))
    } else {
        rate_interval(count, denominator, multiplier, level)
    }
    .ok_or(NoCi::InvalidInput)?;
    Ok(ValueInterval {
        interval,
        denominator: Some(denominator),
        denominator_derived,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn z_matches_the_level() {
        // Φ(z) must equal 1 − α/2; checked against statrs so a typo in a constant shows.
        use statrs::distribution::Normal;
        let n = Normal::standard();
        for level in CiLevel::ALL {
            let expected = n.inverse_cdf(1.0 - level.alpha() / 2.0);
            assert!((level.z() - expected).abs() < 1e-9, "{level:?}");
        }
    }

    #[test]
    fn labels_round_trip() {
        for l in CiLevel::ALL {
            assert_eq!(l.as_str().parse::<CiLevel>(), Ok(*l));
        }
        for m in CiMethod::ALL {
            assert_eq!(m.as_str().parse::<CiMethod>(), Ok(*m));
        }
        for r in NoCi::ALL {
            assert_eq!(r.as_str().parse::<NoCi>(), Ok(*r));
            assert!(r.to_string().ends_with('.'));
        }
        assert_eq!(CiLevel::P998.as_str(), "99.8");
        assert_eq!(CiMethod::ExactPoisson.as_str(), "exact_poisson");
        assert!("wilson_score".parse::<CiMethod>().is_err());
    }

    #[test]
    fn invalid_inputs_give_none() {
        let l = CiLevel::P95;
        assert!(wilson(1.0, 0.0, l).is_none());
        assert!(wilson(-1.0, 10.0, l).is_none());
        assert!(wilson(11.0, 10.0, l).is_none());
        assert!(wilson(f64::NAN, 10.0, l).is_none());
        assert!(count_interval(-1.0, l).is_none());
        assert!(count_interval(f64::INFINITY, l).is_none());
        assert!(count_interval(f64::NAN, l).is_none());
        assert!(rate_interval(5.0, 0.0, 1000.0, l).is_none());
        assert!(rate_interval(5.0, 100.0, 0.0, l).is_none());
        assert!(derive_denominator(5.0, 0.0, 100.0).is_none());
    }
}
