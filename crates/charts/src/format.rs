//! Number formatting and axis ticks, shared with the caller so that tables and charts
//! print the same digits.

/// Format a number for display with a fixed number of decimals.
///
/// * `decimal_comma = true` (Finnish, Swedish): `12 345,6`, with a no-break space
///   (U+00A0) between thousands so the number never wraps across lines;
/// * `decimal_comma = false` (English): `12,345.6`.
///
/// Rounding is half away from zero on the *shortest decimal form* of `v` (what a person
/// reads), so `1.005` with two decimals gives `1.01`, matching how statistics offices
/// round, rather than `1.00` from binary floating point. Negative numbers use the true
/// minus sign U+2212 (it has the width of a digit and screen readers say "minus"); a value
/// that rounds to zero has no sign. Non-finite values give an en dash `–`. At most 10
/// decimals are honoured.
pub fn format_number(v: f64, decimals: u32, decimal_comma: bool) -> String {
    if !v.is_finite() {
        return "\u{2013}".to_string();
    }
    let decimals = decimals.min(10) as usize;
    // Display for f64 never uses exponent notation and gives the shortest round-trip
    // digits, so rounding its text is exact with respect to what a person would read.
    let text = format!("{}", v.abs());
    let (int_part, frac_part) = text.split_once('.').unwrap_or((text.as_str(), ""));
    let mut digits: Vec<u8> = int_part
        .bytes()
        .chain(
            frac_part
                .bytes()
                .chain(std::iter::repeat(b'0'))
                .take(decimals),
        )
        .map(|b| b - b'0')
        .collect();
    let round_up = frac_part
        .as_bytes()
        .get(decimals)
        .is_some_and(|&b| b >= b'5');
    if round_up {
        let mut i = digits.len();
        loop {
            if i == 0 {
                digits.insert(0, 1);
                break;
            }
            i -= 1;
            if digits[i] == 9 {
                digits[i] = 0;
            } else {
                digits[i] += 1;
                break;
            }
        }
    }
    let split = digits.len() - decimals;
    let (int_digits, frac_digits) = digits.split_at(split);
    let negative = v < 0.0 && digits.iter().any(|&d| d != 0);

    let (group_sep, dec_sep) = if decimal_comma {
        ('\u{a0}', ',')
    } else {
        (',', '.')
    };
    let mut out = String::with_capacity(digits.len() + 8);
    if negative {
        out.push('\u{2212}');
    }
    // Strip leading zeros but keep one, then group by three from the right.
    let first_nonzero = int_digits
        .iter()
        .position(|&d| d != 0)
        .unwrap_or(int_digits.len().saturating_sub(1));
    let int_digits = &int_digits[first_nonzero.min(int_digits.len().saturating_sub(1))..];
    if int_digits.is_empty() {
        out.push('0');
    }
    for (i, d) in int_digits.iter().enumerate() {
        if i > 0 && (int_digits.len() - i) % 3 == 0 {
            out.push(group_sep);
        }
        out.push((b'0' + d) as char);
    }
    if decimals > 0 {
        out.push(dec_sep);
        out.extend(frac_digits.iter().map(|d| (b'0' + d) as char));
    }
    out
}

/// "Nice" axis ticks (steps of 1, 2 or 5 × 10ⁿ) covering `[min, max]` with about `n`
/// ticks.
///
/// The first tick is ≤ `min` and the last ≥ `max`, so a chart can use the first and last
/// tick as its axis domain. Ticks are computed as integer multiples of the step and then
/// rounded to the step's decimals, so they print without binary noise (0.30000000000000004).
/// `min > max` is accepted (swapped); `min == max` is widened; non-finite input gives an
/// empty vector.
pub fn nice_ticks(min: f64, max: f64, n: usize) -> Vec<f64> {
    if !min.is_finite() || !max.is_finite() {
        return Vec::new();
    }
    let (mut lo, mut hi) = if min <= max { (min, max) } else { (max, min) };
    if lo == hi {
        // A flat series still needs an axis; widen by 10 % (or to 0..1 at zero).
        if lo == 0.0 {
            hi = 1.0;
        } else {
            let d = lo.abs() * 0.1;
            lo -= d;
            hi += d;
        }
    }
    let n = n.max(2);
    // Try the nice step nearest to the ideal one and its two neighbours in the 1-2-5
    // sequence; keep the one whose tick count is closest to `n` while wasting the least
    // axis (a bar chart of 0..20.6 should end at 25 or 30, not 40).
    let base = nice_step((hi - lo) / (n - 1) as f64);
    let candidates = [smaller_step(base), base, larger_step(base)];
    let mut best: Option<(f64, Vec<f64>)> = None;
    for step in candidates {
        let ticks = ticks_for(lo, hi, step);
        if ticks.len() < 2 {
            continue;
        }
        let span = ticks[ticks.len() - 1] - ticks[0];
        let coverage = if span > 0.0 { (hi - lo) / span } else { 1.0 };
        let score = (ticks.len() as f64 - n as f64).abs() + 8.0 * (1.0 - coverage);
        if best.as_ref().is_none_or(|(b, _)| score < *b) {
            best = Some((score, ticks));
        }
    }
    best.map(|(_, t)| t).unwrap_or_default()
}

/// Ticks at multiples of `step` from the last one ≤ `lo` to the first one ≥ `hi`.
fn ticks_for(lo: f64, hi: f64, step: f64) -> Vec<f64> {
    let dec = step_decimals(step);
    let scale = 10f64.powi(dec as i32);
    // The small tolerance keeps 0.30000000000000004 / 0.1 from becoming an extra tick.
    let first = (lo / step + 1e-9).floor() as i64;
    let last = (hi / step - 1e-9).ceil() as i64;
    if last - first > 1000 {
        return Vec::new();
    }
    (first..=last)
        .map(|k| {
            let t = ((k as f64 * step) * scale).round() / scale;
            if t == 0.0 {
                0.0
            } else {
                t
            }
        })
        .collect()
}

/// The next smaller step in the 1-2-5 sequence.
fn smaller_step(step: f64) -> f64 {
    let exp = (step.log10() + 1e-9).floor();
    let f = (step / 10f64.powf(exp) * 10.0).round() / 10.0;
    if f >= 5.0 {
        2.0 * 10f64.powf(exp)
    } else if f >= 2.0 {
        10f64.powf(exp)
    } else {
        5.0 * 10f64.powf(exp - 1.0)
    }
}

/// The next larger step in the 1-2-5 sequence.
fn larger_step(step: f64) -> f64 {
    let exp = (step.log10() + 1e-9).floor();
    let f = (step / 10f64.powf(exp) * 10.0).round() / 10.0;
    if f >= 5.0 {
        10f64.powf(exp + 1.0)
    } else if f >= 2.0 {
        5.0 * 10f64.powf(exp)
    } else {
        2.0 * 10f64.powf(exp)
    }
}

/// Nearest of 1, 2, 5, 10 × 10ⁿ to `raw` (Heckbert's rounding variant: counts near `n`).
fn nice_step(raw: f64) -> f64 {
    let raw = if raw > 0.0 && raw.is_finite() {
        raw
    } else {
        1.0
    };
    let exp = raw.log10().floor();
    let base = 10f64.powf(exp);
    let f = raw / base;
    let nf = if f < 1.5 {
        1.0
    } else if f < 3.0 {
        2.0
    } else if f < 7.0 {
        5.0
    } else {
        10.0
    };
    nf * base
}

/// Decimals needed to print multiples of `step` exactly (0 for steps ≥ 1).
pub(crate) fn step_decimals(step: f64) -> u32 {
    if step.is_nan() || step <= 0.0 || step >= 1.0 {
        return 0;
    }
    // +1e-9 so that log10(0.1) = -0.9999999 still floors to -1.
    (-(step.log10() + 1e-9).floor()).clamp(0.0, 10.0) as u32
}

/// Decimals for a tick list (from the spacing of its first two ticks).
pub(crate) fn ticks_decimals(ticks: &[f64]) -> u32 {
    match ticks {
        [a, b, ..] => step_decimals((b - a).abs()),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_finnish_and_english() {
        assert_eq!(format_number(12345.678, 1, true), "12\u{a0}345,7");
        assert_eq!(format_number(12345.678, 1, false), "12,345.7");
        assert_eq!(format_number(1234567.0, 0, false), "1,234,567");
        assert_eq!(format_number(999.0, 0, true), "999");
        assert_eq!(format_number(0.5, 0, true), "1");
        assert_eq!(format_number(1.005, 2, false), "1.01");
        assert_eq!(format_number(9.96, 1, false), "10.0");
        assert_eq!(format_number(99.96, 1, true), "100,0");
        assert_eq!(format_number(-3.25, 1, true), "\u{2212}3,3");
        assert_eq!(format_number(-0.04, 1, true), "0,0");
        assert_eq!(format_number(0.0, 2, true), "0,00");
        assert_eq!(format_number(0.07, 1, false), "0.1");
        assert_eq!(format_number(1e-7, 2, false), "0.00");
        assert_eq!(format_number(f64::NAN, 1, true), "\u{2013}");
    }

    #[test]
    fn ticks_are_nice_and_cover_range() {
        assert_eq!(
            nice_ticks(0.0, 100.0, 5),
            vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
        );
        assert_eq!(nice_ticks(3.2, 17.8, 5), vec![0.0, 5.0, 10.0, 15.0, 20.0]);
        assert_eq!(
            nice_ticks(0.1, 0.7, 6),
            vec![0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]
        );
        let t = nice_ticks(-12.0, 7.0, 5);
        assert!(t[0] <= -12.0 && *t.last().unwrap() >= 7.0);
        assert!(t.contains(&0.0));
        assert!(nice_ticks(5.0, 5.0, 5).len() >= 2);
        assert!(nice_ticks(f64::NAN, 1.0, 5).is_empty());
        assert_eq!(nice_ticks(10.0, 0.0, 3), nice_ticks(0.0, 10.0, 3));
        // A bar axis for 0..20.6 should not run to 40.
        assert_eq!(*nice_ticks(0.0, 20.6, 3).last().unwrap(), 30.0);
        assert_eq!(nice_ticks(0.0, 0.0, 3), vec![0.0, 0.5, 1.0]);
        assert_eq!(ticks_decimals(&[0.0, 0.05]), 2);
        assert_eq!(ticks_decimals(&[0.0, 0.1]), 1);
        assert_eq!(ticks_decimals(&[0.0, 20.0]), 0);
    }
}
