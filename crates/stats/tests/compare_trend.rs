//! Comparison and outcome tables, value_interval's reasons, and hand-computed trends.

use hyte_domain::{Polarity, ValueUnit};
use hyte_stats::{
    compare, compare_interval, count_interval, outcome, trend_outcome, trend_proportions,
    trend_proportions_result, trend_weighted, trend_weighted_result, value_interval,
    value_interval_full, CiLevel, CiMethod, Comparison, NoCi, Outcome, Trend, TrendOutcome,
};

// ---------------------------------------------------------------- comparison

#[test]
fn comparison_rule() {
    let ci = Some((10.0, 20.0));
    assert_eq!(compare(ci, Some(25.0)), Comparison::Lower);
    assert_eq!(compare(ci, Some(5.0)), Comparison::Higher);
    assert_eq!(compare(ci, Some(15.0)), Comparison::Similar);
    // A benchmark exactly on a limit is not outside the interval: the rule is strict.
    assert_eq!(compare(ci, Some(20.0)), Comparison::Similar);
    assert_eq!(compare(ci, Some(10.0)), Comparison::Similar);
    assert_eq!(compare(None, Some(15.0)), Comparison::NotCompared);
    assert_eq!(compare(ci, None), Comparison::NotCompared);
    assert_eq!(
        compare(Some((f64::NAN, 20.0)), Some(25.0)),
        Comparison::NotCompared
    );
    assert_eq!(compare(ci, Some(f64::NAN)), Comparison::NotCompared);

    let interval = count_interval(65.0, CiLevel::P95);
    assert_eq!(
        compare_interval(interval.as_ref(), Some(40.0)),
        Comparison::Higher
    );
    assert_eq!(compare_interval(None, Some(40.0)), Comparison::NotCompared);
}

#[test]
fn outcome_table() {
    use Comparison as C;
    use Outcome as O;
    use Polarity as P;
    let table = [
        (C::Higher, P::HighIsGood, O::Better),
        (C::Higher, P::LowIsGood, O::Worse),
        (C::Higher, P::NoJudgement, O::Higher),
        (C::Lower, P::HighIsGood, O::Worse),
        (C::Lower, P::LowIsGood, O::Better),
        (C::Lower, P::NoJudgement, O::Lower),
        (C::Similar, P::HighIsGood, O::Similar),
        (C::Similar, P::LowIsGood, O::Similar),
        (C::Similar, P::NoJudgement, O::Similar),
        (C::NotCompared, P::HighIsGood, O::NotCompared),
        (C::NotCompared, P::LowIsGood, O::NotCompared),
        (C::NotCompared, P::NoJudgement, O::NotCompared),
    ];
    for (c, p, expected) in table {
        assert_eq!(outcome(c, p), expected, "{c:?} {p:?}");
    }
}

#[test]
fn labels_and_serde_agree() {
    for o in Outcome::ALL {
        let json = serde_json::to_string(o).expect("serialise");
        assert_eq!(json, format!("\"{}\"", o.as_str()));
        assert_eq!(o.as_str().parse::<Outcome>(), Ok(*o));
    }
    for c in Comparison::ALL {
        assert_eq!(c.as_str().parse::<Comparison>(), Ok(*c));
    }
    assert_eq!(Outcome::NotCompared.as_str(), "not_compared");
    let reason = serde_json::to_string(&NoCi::UnitHasNoInterval).expect("serialise");
    assert_eq!(reason, "\"unit_has_no_interval\"");
}

// ---------------------------------------------------------------- value_interval

#[test]
fn value_interval_reasons() {
    let l = CiLevel::P95;
    let v =
        |unit: ValueUnit, count, den, survey| value_interval(12.0, &unit, count, den, survey, l);
    assert_eq!(
        v(ValueUnit::Percent, Some(12.0), Some(100.0), true),
        Err(NoCi::SurveyIndicator)
    );
    assert_eq!(
        v(ValueUnit::Index, Some(1.0), Some(2.0), false),
        Err(NoCi::UnitHasNoInterval)
    );
    assert_eq!(
        v(ValueUnit::Euro, None, None, false),
        Err(NoCi::UnitHasNoInterval)
    );
    assert_eq!(
        v(ValueUnit::Other("X".into()), None, None, false),
        Err(NoCi::UnitHasNoInterval)
    );
    assert_eq!(
        v(ValueUnit::Per1000, None, Some(5.0), false),
        Err(NoCi::NoCount)
    );
    // More events than people: no proportion exists.
    assert_eq!(
        v(ValueUnit::Percent, Some(120.0), Some(100.0), false),
        Err(NoCi::InvalidInput)
    );
    assert_eq!(
        v(ValueUnit::Per1000, Some(-1.0), Some(100.0), false),
        Err(NoCi::InvalidInput)
    );
    assert_eq!(
        v(ValueUnit::Per1000, Some(3.0), Some(0.0), false),
        Err(NoCi::InvalidInput)
    );
    // A zero value cannot give a denominator.
    assert_eq!(
        value_interval(0.0, &ValueUnit::Per1000, Some(0.0), None, false, l),
        Err(NoCi::NoDenominator)
    );
    assert_eq!(
        value_interval(-1.0, &ValueUnit::Count, None, None, false, l),
        Err(NoCi::InvalidInput)
    );
}

#[test]
fn value_interval_units() {
    let l = CiLevel::P95;
    // 12 of 400 = 3 %: Wilson on the fraction, reported in percent.
    let pct = value_interval(3.0, &ValueUnit::Percent, Some(12.0), Some(400.0), false, l)
        .expect("percent");
    let w = hyte_stats::wilson(12.0, 400.0, l).expect("wilson");
    assert_eq!(pct.method, CiMethod::Wilson);
    assert!((pct.lower - 100.0 * w.lower).abs() < 1e-12);
    assert!((pct.upper - 100.0 * w.upper).abs() < 1e-12);

    // 12 per 10 000 residents, population derived from the value: 12 × 10 000 / 2.4 = 50 000.
    let rate =
        value_interval_full(2.4, &ValueUnit::Per10000, Some(12.0), None, false, l).expect("rate");
    assert!(rate.denominator_derived);
    assert_eq!(rate.denominator, Some(50_000.0));
    let c = count_interval(12.0, l).expect("count");
    assert!((rate.interval.lower - c.lower * 10_000.0 / 50_000.0).abs() < 1e-12);
    assert_eq!(rate.interval.method, CiMethod::Byar);

    // Per 1000 with a small count switches to the exact method.
    let small =
        value_interval(0.5, &ValueUnit::Per1000, Some(4.0), Some(8_000.0), false, l).expect("rate");
    assert_eq!(small.method, CiMethod::ExactPoisson);
    assert!(small.lower < 0.5 && 0.5 < small.upper);

    // A count is its own numerator; count/denominator arguments play no part.
    let count =
        value_interval(4.0, &ValueUnit::Count, Some(99.0), Some(1.0), false, l).expect("count");
    assert_eq!(Some(count), count_interval(4.0, l));
}

// ---------------------------------------------------------------- trend outcome

#[test]
fn trend_outcome_table() {
    use Polarity as P;
    use Trend as T;
    use TrendOutcome as O;
    let table = [
        (T::Increasing, P::HighIsGood, O::IncreasingAndGettingBetter),
        (T::Increasing, P::LowIsGood, O::IncreasingAndGettingWorse),
        (T::Increasing, P::NoJudgement, O::Increasing),
        (T::Decreasing, P::HighIsGood, O::DecreasingAndGettingWorse),
        (T::Decreasing, P::LowIsGood, O::DecreasingAndGettingBetter),
        (T::Decreasing, P::NoJudgement, O::Decreasing),
        (T::NoChange, P::HighIsGood, O::NoChange),
        (T::NoChange, P::LowIsGood, O::NoChange),
        (T::NoChange, P::NoJudgement, O::NoChange),
        (T::CannotBeCalculated, P::HighIsGood, O::CannotBeCalculated),
        (T::CannotBeCalculated, P::LowIsGood, O::CannotBeCalculated),
        (T::CannotBeCalculated, P::NoJudgement, O::CannotBeCalculated),
    ];
    for (t, p, expected) in table {
        assert_eq!(trend_outcome(t, p), expected, "{t:?} {p:?}");
    }
}

// ---------------------------------------------------------------- proportions trend

fn per_thousand(counts: &[f64]) -> Vec<(f64, f64)> {
    counts.iter().map(|&o| (o, 1000.0)).collect()
}

fn close(a: Option<f64>, b: f64, tol: f64) -> bool {
    matches!(a, Some(a) if (a - b).abs() <= tol)
}

#[test]
fn proportions_clear_increase() {
    // 10 %, 12 %, … 18 % of 1000. χ² checked by hand with the Cochran–Armitage form
    // [Σ t(O − n p̄)]² / (p̄(1 − p̄)(Σ n t² − (Σ n t)²/N)) = 33.2226; log-odds slope 0.16960.
    let pts = per_thousand(&[100.0, 120.0, 140.0, 160.0, 180.0]);
    let r = trend_proportions_result(&pts);
    assert_eq!(r.trend, Trend::Increasing);
    assert!(close(r.chi_square, 33.222_591_362, 1e-6), "{r:?}");
    assert!(close(r.slope, 0.169_595_626, 1e-6), "{r:?}");
    assert!(r.slopes_agree);
    assert_eq!(r.points, 5);

    let mut down = pts.clone();
    down.reverse();
    let r = trend_proportions_result(&down);
    assert_eq!(r.trend, Trend::Decreasing);
    assert!(close(r.chi_square, 33.222_591_362, 1e-6));
}

#[test]
fn proportions_flat_is_no_change() {
    let r = trend_proportions_result(&per_thousand(&[100.0, 101.0, 99.0, 100.0, 100.0]));
    assert_eq!(r.trend, Trend::NoChange);
    assert!(close(r.chi_square, 0.001_111_111, 1e-8), "{r:?}");
}

#[test]
fn proportions_use_only_the_last_five() {
    // An old, very different point must not matter.
    let mut pts = per_thousand(&[900.0, 5.0]);
    pts.extend(per_thousand(&[100.0, 120.0, 140.0, 160.0, 180.0]));
    let r = trend_proportions_result(&pts);
    assert_eq!(r.trend, Trend::Increasing);
    assert!(close(r.chi_square, 33.222_591_362, 1e-6));
}

#[test]
fn proportions_need_five_points() {
    assert_eq!(trend_proportions(&[]), Trend::CannotBeCalculated);
    let r = trend_proportions_result(&per_thousand(&[100.0, 120.0, 140.0, 160.0]));
    assert_eq!(r.trend, Trend::CannotBeCalculated);
    assert_eq!(r.points, 4);
    assert_eq!(r.chi_square, None);
}

#[test]
fn proportions_with_zero_or_all_cannot_be_calculated() {
    // O = 0 and O = n have no finite log-odds.
    let zero = per_thousand(&[0.0, 120.0, 140.0, 160.0, 180.0]);
    assert_eq!(trend_proportions(&zero), Trend::CannotBeCalculated);
    let all = per_thousand(&[100.0, 120.0, 140.0, 160.0, 1000.0]);
    assert_eq!(trend_proportions(&all), Trend::CannotBeCalculated);
    let bad = [
        (1.0, f64::NAN),
        (1.0, 10.0),
        (1.0, 10.0),
        (1.0, 10.0),
        (1.0, 10.0),
    ];
    assert_eq!(trend_proportions(&bad), Trend::CannotBeCalculated);
}

#[test]
fn proportions_leave_one_out_flips_to_no_change() {
    // 20, 19, 18, 17 % then a jump to 30 % in samples of 10 000: χ² = 196.68, far above
    // 9.5495, and the full slope is positive, but without the last year the slope is
    // negative (−0.0664). One outlying year must not make a trend.
    let pts: Vec<(f64, f64)> = [2000.0, 1900.0, 1800.0, 1700.0, 3000.0]
        .iter()
        .map(|&o| (o, 10_000.0))
        .collect();
    let r = trend_proportions_result(&pts);
    assert!(close(r.chi_square, 196.678_321_678, 1e-5), "{r:?}");
    assert!(r.slope.is_some_and(|s| s > 0.0));
    assert!(!r.slopes_agree);
    assert_eq!(r.trend, Trend::NoChange);
}

#[test]
fn proportions_below_critical_value_is_no_change() {
    // A steady rise, but in samples of 100: χ² = 0.947 < 9.5495.
    let pts: Vec<(f64, f64)> = [10.0, 11.0, 12.0, 13.0, 14.0]
        .iter()
        .map(|&o| (o, 100.0))
        .collect();
    let r = trend_proportions_result(&pts);
    assert!(r.slopes_agree);
    assert!(close(r.chi_square, 0.946_969_697, 1e-8), "{r:?}");
    assert_eq!(r.trend, Trend::NoChange);
}

// ---------------------------------------------------------------- weighted trend

/// Points with value y and a 95 % interval of the given full width centred on it.
fn with_width(values: &[f64], widths: &[f64]) -> Vec<(f64, f64, f64)> {
    values
        .iter()
        .zip(widths)
        .map(|(&y, &w)| (y, y - w / 2.0, y + w / 2.0))
        .collect()
}

#[test]
fn weighted_increase_just_significant() {
    // Equal widths 3.92 give SE = 1 for every point; for y = 10..14 the slope is 1 and
    // SE(b) = 1/√10, so χ² = 10 exactly: just above 9.5495.
    let pts = with_width(&[10.0, 11.0, 12.0, 13.0, 14.0], &[3.92; 5]);
    let r = trend_weighted_result(&pts);
    assert!(close(r.chi_square, 10.0, 1e-9), "{r:?}");
    assert!(close(r.slope, 1.0, 1e-12));
    assert_eq!(r.trend, Trend::Increasing);

    let down: Vec<_> = pts.iter().rev().copied().collect();
    assert_eq!(trend_weighted(&down), Trend::Decreasing);
}

#[test]
fn weighted_wider_intervals_lose_significance() {
    // The same values with intervals 10 % wider: χ² = 10 / 1.21 = 8.2645 < 9.5495.
    let pts = with_width(&[10.0, 11.0, 12.0, 13.0, 14.0], &[3.92 * 1.1; 5]);
    let r = trend_weighted_result(&pts);
    assert!(close(r.chi_square, 10.0 / 1.21, 1e-9), "{r:?}");
    assert_eq!(r.trend, Trend::NoChange);
}

#[test]
fn weighted_unequal_weights() {
    // Hand computation with w = (3.92 / width)²: b = 1.729783, χ² = 72.5450.
    let pts = with_width(&[10.0, 12.0, 13.0, 15.0, 18.0], &[2.0, 3.0, 1.0, 2.0, 4.0]);
    let r = trend_weighted_result(&pts);
    assert!(close(r.slope, 1.729_783_037, 1e-8), "{r:?}");
    assert!(close(r.chi_square, 72.545_016_239, 1e-6), "{r:?}");
    assert_eq!(r.trend, Trend::Increasing);
}

#[test]
fn weighted_flat_is_no_change() {
    let pts = with_width(&[50.0, 50.5, 49.5, 50.2, 49.8], &[2.0; 5]);
    assert_eq!(trend_weighted(&pts), Trend::NoChange);
}

#[test]
fn weighted_leave_one_out_flips_to_no_change() {
    // A slow decline and then one very high, precise year: the full fit is a significant
    // rise, but leaving out the last year gives a falling slope.
    let pts = with_width(&[20.0, 19.0, 18.0, 17.0, 40.0], &[1.0; 5]);
    let r = trend_weighted_result(&pts);
    assert!(r.chi_square.is_some_and(|c| c > 9.5495), "{r:?}");
    assert!(r.slope.is_some_and(|s| s > 0.0));
    assert!(!r.slopes_agree);
    assert_eq!(r.trend, Trend::NoChange);
}

#[test]
fn weighted_cannot_be_calculated() {
    let four = with_width(&[1.0, 2.0, 3.0, 4.0], &[1.0; 4]);
    assert_eq!(trend_weighted(&four), Trend::CannotBeCalculated);
    // A zero-width interval gives no standard error.
    let zero_width = with_width(&[1.0, 2.0, 3.0, 4.0, 5.0], &[1.0, 1.0, 0.0, 1.0, 1.0]);
    assert_eq!(trend_weighted(&zero_width), Trend::CannotBeCalculated);
    let nan = with_width(&[1.0, 2.0, f64::NAN, 4.0, 5.0], &[1.0; 5]);
    assert_eq!(trend_weighted(&nan), Trend::CannotBeCalculated);
}
