//! Quintiles, 20/60/20 bands, spreads and weighted means, on hand-checked data.

use hyte_stats::{band, quintile, spread, weighted_mean, Band, Spread};

#[test]
fn quintiles_of_ten_distinct_values() {
    let all: Vec<f64> = (1..=10).map(f64::from).collect();
    let q: Vec<u8> = all.iter().filter_map(|&v| quintile(v, &all)).collect();
    assert_eq!(q, vec![1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    let b: Vec<Band> = all.iter().filter_map(|&v| band(v, &all)).collect();
    assert_eq!(&b[..2], &[Band::Bottom20, Band::Bottom20]);
    assert!(b[2..8].iter().all(|&x| x == Band::Middle60));
    assert_eq!(&b[8..], &[Band::Top20, Band::Top20]);
}

#[test]
fn quintiles_of_five_and_seven() {
    let five = [5.0, 1.0, 4.0, 2.0, 3.0];
    for v in 1..=5u8 {
        assert_eq!(quintile(f64::from(v), &five), Some(v));
    }
    // Seven areas: mid-ranks 1/14 … 13/14 of the way up.
    let seven: Vec<f64> = (1..=7).map(f64::from).collect();
    let q: Vec<u8> = seven.iter().filter_map(|&v| quintile(v, &seven)).collect();
    assert_eq!(q, vec![1, 2, 2, 3, 4, 4, 5]);
}

#[test]
fn ties_share_a_quintile() {
    let all = [1.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 3.0];
    assert_eq!(quintile(1.0, &all), Some(1));
    assert_eq!(quintile(2.0, &all), Some(3));
    assert_eq!(quintile(3.0, &all), Some(5));
    // All equal: everyone is in the middle.
    assert_eq!(band(7.0, &[7.0; 20]), Some(Band::Middle60));
}

#[test]
fn quintile_edge_cases() {
    assert_eq!(quintile(1.0, &[]), None);
    assert_eq!(quintile(f64::NAN, &[1.0, 2.0]), None);
    assert_eq!(quintile(1.0, &[f64::NAN]), None);
    // Missing peers are ignored, not ranked.
    assert_eq!(
        quintile(2.0, &[1.0, f64::NAN, 2.0]),
        quintile(2.0, &[1.0, 2.0])
    );
    // A value outside the peer range sits at the extremes.
    assert_eq!(quintile(-5.0, &[1.0, 2.0, 3.0]), Some(1));
    assert_eq!(quintile(50.0, &[1.0, 2.0, 3.0]), Some(5));
    assert_eq!(band(1.0, &[1.0]), Some(Band::Middle60));
    assert_eq!(Band::Top20.as_str(), "top20");
}

#[test]
fn spread_interpolates_linearly() {
    // Type-7 quantiles of 1..=10: p25 = 3.25, median 5.5, p75 = 7.75.
    let v: Vec<f64> = (1..=10).rev().map(f64::from).collect();
    assert_eq!(
        spread(&v),
        Some(Spread {
            min: 1.0,
            p25: 3.25,
            median: 5.5,
            p75: 7.75,
            max: 10.0
        })
    );
    let s = spread(&[4.0]).expect("one value");
    assert_eq!(
        (s.min, s.p25, s.median, s.p75, s.max),
        (4.0, 4.0, 4.0, 4.0, 4.0)
    );
    assert_eq!(spread(&[]), None);
    assert_eq!(spread(&[f64::NAN]), None);
    let s = spread(&[3.0, f64::NAN, 1.0]).expect("finite values");
    assert_eq!((s.min, s.median, s.max), (1.0, 2.0, 3.0));
}

#[test]
fn weighted_mean_by_population() {
    // (10 % of 1000 + 20 % of 3000) / 4000 = 17.5 %.
    assert_eq!(weighted_mean(&[(10.0, 1000.0), (20.0, 3000.0)]), Some(17.5));
    assert_eq!(weighted_mean(&[]), None);
    assert_eq!(weighted_mean(&[(10.0, 0.0), (20.0, 0.0)]), None);
    assert_eq!(weighted_mean(&[(10.0, 1000.0), (20.0, f64::NAN)]), None);
    assert_eq!(weighted_mean(&[(f64::NAN, 1000.0), (20.0, 5.0)]), None);
    assert_eq!(weighted_mean(&[(10.0, 1000.0), (20.0, -5.0)]), None);
}
