//! Relative position among peers (BENCHMARKING.md, section 4) and simple aggregates.
//!
//! Quintiles and the 20/60/20 band are ranks, not tests: they are shown as a neutral
//! "relative position" and never with the Better/Worse colours. All functions ignore
//! non-finite peer values, because suppressed or missing cells arrive as NaN.

use serde::{Deserialize, Serialize};

use crate::labels::labels;

/// Sotkanet's 20/60/20 distribution band, in value order (not polarity order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Band {
    /// Among the lowest fifth of values (quintile 1).
    Bottom20,
    /// The middle three fifths (quintiles 2–4).
    Middle60,
    /// Among the highest fifth of values (quintile 5).
    Top20,
}

labels!(Band {
    Bottom20 => "bottom20",
    Middle60 => "middle60",
    Top20 => "top20",
});

/// Quintile 1..=5 of `value` among `all` (1 = lowest values).
///
/// Uses the mid-rank: the position is `(below + equal / 2) / n`, so tied areas always share a
/// quintile and the lowest of five distinct areas is in quintile 1, the highest in 5. A
/// position exactly on a boundary goes to the quintile nearer the middle, which keeps the
/// result symmetric (reversing the order of values maps quintile q to 6 − q). `all` is the
/// peer group, normally including the area itself; `value` need not be in it. Returns `None`
/// if `value` is not finite or `all` holds no finite value.
pub fn quintile(value: f64, all: &[f64]) -> Option<u8> {
    if !value.is_finite() {
        return None;
    }
    let (mut below, mut equal, mut n) = (0u64, 0u64, 0u64);
    for &x in all.iter().filter(|x| x.is_finite()) {
        n += 1;
        if x < value {
            below += 1;
        } else if x == value {
            equal += 1;
        }
    }
    if n == 0 {
        return None;
    }
    // Twice the mid-rank, kept in integers so that boundaries are hit exactly.
    let a = 2 * below + equal;
    let q = if a <= n {
        5 * a / (2 * n) + 1
    } else {
        5 - 5 * (2 * n - a) / (2 * n)
    };
    u8::try_from(q.clamp(1, 5)).ok()
}

/// The 20/60/20 band of `value` among `all`: quintile 1 → bottom, 5 → top, else middle.
///
/// Derived from [`quintile`] so that maps (five classes) and tables (three bands) never
/// disagree about an area.
pub fn band(value: f64, all: &[f64]) -> Option<Band> {
    quintile(value, all).map(|q| match q {
        1 => Band::Bottom20,
        5 => Band::Top20,
        _ => Band::Middle60,
    })
}

/// Five-number summary for spine charts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Spread {
    /// Smallest value.
    pub min: f64,
    /// 25th percentile.
    pub p25: f64,
    /// Median.
    pub median: f64,
    /// 75th percentile.
    pub p75: f64,
    /// Largest value.
    pub max: f64,
}

/// Min, quartiles, median and max of `values`, with linear interpolation between order
/// statistics (R's default type 7, as in spreadsheet `PERCENTILE`), so the numbers can be
/// checked by users in a spreadsheet. Returns `None` if there is no finite value.
pub fn spread(values: &[f64]) -> Option<Spread> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let at = |p: f64| {
        let h = (v.len() - 1) as f64 * p;
        let lo = h.floor();
        // `h` is within 0..len-1, so both indexes are in range.
        let i = lo as usize;
        let j = (i + 1).min(v.len() - 1);
        v[i] + (h - lo) * (v[j] - v[i])
    };
    Some(Spread {
        min: v[0],
        p25: at(0.25),
        median: at(0.5),
        p75: at(0.75),
        max: v[v.len() - 1],
    })
}

/// Weighted mean of `(value, weight)` pairs: Σ value·weight / Σ weight.
///
/// Used to build a benchmark from member areas (e.g. population-weighted). All-or-nothing:
/// if any value or weight is missing (non-finite) or a weight is negative the result is
/// `None`, because a benchmark silently computed over part of the areas would be biased.
/// Also `None` for an empty slice or a zero total weight.
pub fn weighted_mean(pairs: &[(f64, f64)]) -> Option<f64> {
    let mut sum_w = 0.0;
    let mut sum_vw = 0.0;
    for &(v, w) in pairs {
        if !v.is_finite() || !w.is_finite() || w < 0.0 {
            return None;
        }
        sum_w += w;
        sum_vw += v * w;
    }
    (sum_w > 0.0).then(|| sum_vw / sum_w)
}
