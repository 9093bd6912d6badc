//! Property tests: invariants that must hold for any input, not only the reference rows.

use hyte_domain::ValueUnit;
use hyte_stats::{
    band, count_interval, quintile, rate_interval, spread, value_interval, weighted_mean, wilson,
    Band, CiLevel, CiMethod, Interval,
};
use proptest::prelude::*;

/// Slack for comparisons that hold exactly in real arithmetic.
const EPS: f64 = 1e-9;

fn contains(outer: &Interval, inner: &Interval) -> bool {
    outer.lower <= inner.lower + EPS * inner.lower.abs().max(1.0)
        && inner.upper <= outer.upper + EPS * inner.upper.abs().max(1.0)
}

/// A proportion `(successes, n)` with integer n and successes spread over 0..=n, including
/// both ends where Wilson is most delicate.
fn proportion() -> impl Strategy<Value = (f64, f64)> {
    (
        1u32..2_000_000,
        prop_oneof![Just(0.0), Just(1.0), 0.0f64..=1.0],
    )
        .prop_map(|(n, frac)| {
            let n = f64::from(n);
            ((n * frac).round(), n)
        })
}

proptest! {
    #[test]
    fn wilson_contains_the_estimate((o, n) in proportion()) {
        let p = o / n;
        for level in CiLevel::ALL {
            let ci = wilson(o, n, *level).expect("valid input");
            prop_assert!(0.0 <= ci.lower && ci.upper <= 1.0, "{ci:?}");
            prop_assert!(ci.lower <= p && p <= ci.upper, "p={p} {ci:?}");
            prop_assert_eq!(ci.method, CiMethod::Wilson);
        }
    }

    #[test]
    fn wilson_998_contains_95((o, n) in proportion()) {
        let narrow = wilson(o, n, CiLevel::P95).expect("valid");
        let wide = wilson(o, n, CiLevel::P998).expect("valid");
        prop_assert!(contains(&wide, &narrow), "{wide:?} vs {narrow:?}");
    }

    #[test]
    fn count_interval_contains_the_count(o in prop_oneof![0.0f64..30.0, 0.0f64..1e7]) {
        for level in CiLevel::ALL {
            let ci = count_interval(o, *level).expect("valid");
            prop_assert!(0.0 <= ci.lower && ci.lower <= o && o <= ci.upper, "O={o} {ci:?}");
        }
    }

    #[test]
    fn count_998_contains_95(o in prop_oneof![0.0f64..30.0, 0.0f64..1e7]) {
        let narrow = count_interval(o, CiLevel::P95).expect("valid");
        let wide = count_interval(o, CiLevel::P998).expect("valid");
        prop_assert!(contains(&wide, &narrow), "{wide:?} vs {narrow:?}");
    }

    #[test]
    fn count_switch_at_ten(o in 0u32..200) {
        let o = f64::from(o);
        let expected = if o >= 10.0 { CiMethod::Byar } else { CiMethod::ExactPoisson };
        for level in CiLevel::ALL {
            prop_assert_eq!(count_interval(o, *level).map(|c| c.method), Some(expected));
        }
    }

    #[test]
    fn rate_is_the_scaled_count(o in 0u32..5_000, n in 1u32..10_000_000, k in prop::sample::select(vec![100.0, 1_000.0, 10_000.0, 100_000.0])) {
        let (o, n) = (f64::from(o), f64::from(n));
        let rate = o / n * k;
        let ci = rate_interval(o, n, k, CiLevel::P95).expect("valid");
        let count = count_interval(o, CiLevel::P95).expect("valid");
        prop_assert!(ci.lower <= rate * (1.0 + EPS) && rate <= ci.upper * (1.0 + EPS));
        prop_assert!((ci.lower - count.lower * k / n).abs() <= EPS * ci.upper.max(1.0));
        prop_assert!((ci.upper - count.upper * k / n).abs() <= EPS * ci.upper.max(1.0));
    }

    #[test]
    fn percent_interval_contains_the_value((o, n) in proportion()) {
        let value = o / n * 100.0;
        let ci = value_interval(value, &ValueUnit::Percent, Some(o), Some(n), false, CiLevel::P95)
            .expect("valid");
        prop_assert!(ci.lower <= value + EPS && value <= ci.upper + EPS, "{value} {ci:?}");
    }

    #[test]
    fn quintile_is_symmetric(all in prop::collection::vec(-1e6f64..1e6, 1..60), pick in any::<prop::sample::Index>()) {
        // Reversing the order of values must mirror the quintile, so neither end is favoured.
        let v = all[pick.index(all.len())];
        let mirrored: Vec<f64> = all.iter().map(|x| -x).collect();
        let q = quintile(v, &all).expect("non-empty");
        let q_mirror = quintile(-v, &mirrored).expect("non-empty");
        prop_assert!((1..=5).contains(&q));
        prop_assert_eq!(q + q_mirror, 6);
        let expected_band = match q { 1 => Band::Bottom20, 5 => Band::Top20, _ => Band::Middle60 };
        prop_assert_eq!(band(v, &all), Some(expected_band));
    }

    #[test]
    fn quintile_is_monotone(all in prop::collection::vec(-1e3f64..1e3, 1..60), a in -1e3f64..1e3, b in -1e3f64..1e3) {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        prop_assert!(quintile(lo, &all) <= quintile(hi, &all));
    }

    #[test]
    fn spread_is_ordered(values in prop::collection::vec(-1e6f64..1e6, 1..100)) {
        let s = spread(&values).expect("non-empty");
        prop_assert!(s.min <= s.p25 && s.p25 <= s.median && s.median <= s.p75 && s.p75 <= s.max, "{s:?}");
    }

    #[test]
    fn weighted_mean_is_between_extremes(pairs in prop::collection::vec((-1e6f64..1e6, 0.001f64..1e6), 1..50)) {
        let m = weighted_mean(&pairs).expect("positive weights");
        let min = pairs.iter().map(|p| p.0).fold(f64::INFINITY, f64::min);
        let max = pairs.iter().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max);
        let slack = 1e-9 * max.abs().max(min.abs()).max(1.0);
        prop_assert!(min - slack <= m && m <= max + slack, "{min} <= {m} <= {max}");
    }
}
