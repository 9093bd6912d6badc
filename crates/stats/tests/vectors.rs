//! The test-vector table of BENCHMARKING.md section 2.3, to the digits printed there.

use hyte_stats::{count_interval, wilson, CiLevel, CiMethod, Interval, TREND_CRITICAL_CHI_SQUARE};
use statrs::distribution::{ChiSquared, ContinuousCDF};

/// Asserts `actual` rounds to the printed `expected`: the tolerance is half a unit in the
/// last printed decimal, so "4.1154" demands 4.11535 ≤ x ≤ 4.11545.
fn assert_printed(actual: f64, expected: &str, what: &str) {
    let value: f64 = expected.parse().expect("number");
    let decimals = expected.split('.').nth(1).map_or(0, str::len);
    let tol = 0.5 * 10f64.powi(-(decimals as i32)) * (1.0 + 1e-9);
    assert!(
        (actual - value).abs() <= tol,
        "{what}: got {actual}, table says {expected}"
    );
}

fn assert_interval(ci: Option<Interval>, lower: &str, upper: &str, method: CiMethod, what: &str) {
    let ci = ci.unwrap_or_else(|| panic!("{what}: no interval"));
    assert_eq!(ci.method, method, "{what}");
    assert_printed(ci.lower, lower, &format!("{what} lower"));
    assert_printed(ci.upper, upper, &format!("{what} upper"));
}

#[test]
fn wilson_65_of_100() {
    let m = CiMethod::Wilson;
    assert_interval(
        wilson(65.0, 100.0, CiLevel::P95),
        "0.55254",
        "0.73636",
        m,
        "95",
    );
    assert_interval(
        wilson(65.0, 100.0, CiLevel::P998),
        "0.49549",
        "0.77835",
        m,
        "99.8",
    );
}

#[test]
fn byar_count_65() {
    let m = CiMethod::Byar;
    assert_interval(
        count_interval(65.0, CiLevel::P95),
        "50.163",
        "82.849",
        m,
        "95",
    );
    assert_interval(
        count_interval(65.0, CiLevel::P998),
        "42.880",
        "94.000",
        m,
        "99.8",
    );
}

#[test]
fn exact_count_4() {
    let m = CiMethod::ExactPoisson;
    assert_interval(
        count_interval(4.0, CiLevel::P95),
        "1.0899",
        "10.2416",
        m,
        "95",
    );
    assert_interval(
        count_interval(4.0, CiLevel::P998),
        "0.42855",
        "14.7941",
        m,
        "99.8",
    );
}

#[test]
fn exact_count_0() {
    let m = CiMethod::ExactPoisson;
    assert_interval(count_interval(0.0, CiLevel::P95), "0", "3.6889", m, "95");
    assert_interval(count_interval(0.0, CiLevel::P998), "0", "6.9078", m, "99.8");
    // Exactly zero, not merely rounding to it: a count of 0 has no lower uncertainty.
    assert_eq!(
        count_interval(0.0, CiLevel::P95).map(|c| c.lower),
        Some(0.0)
    );
}

#[test]
fn switch_point_9_exact_10_byar() {
    let l = CiLevel::P95;
    let nine = count_interval(9.0, l);
    let ten = count_interval(10.0, l);
    assert_interval(nine, "4.1154", "17.0848", CiMethod::ExactPoisson, "O=9");
    assert_interval(ten, "4.7874", "18.3915", CiMethod::Byar, "O=10");
    // Just below the switch a fractional count still uses the exact method.
    assert_eq!(
        count_interval(9.999, l).map(|c| c.method),
        Some(CiMethod::ExactPoisson)
    );
}

#[test]
fn chi_square_critical_values() {
    let chi1 = ChiSquared::new(1.0).expect("df 1");
    assert_printed(chi1.inverse_cdf(0.95), "3.8415", "95 %");
    assert_printed(chi1.inverse_cdf(0.998), "9.5495", "99.8 %");
    assert_printed(TREND_CRITICAL_CHI_SQUARE, "9.5495", "trend constant");
}

#[test]
fn z_values_as_printed() {
    assert_printed(CiLevel::P95.z(), "1.959964", "z 95");
    assert_printed(CiLevel::P998.z(), "3.090232", "z 99.8");
    assert_eq!(CiLevel::P95.fraction(), 0.95);
    assert_eq!(CiLevel::P998.fraction(), 0.998);
}
