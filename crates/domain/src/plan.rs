//! The welfare plan's vocabulary: budget years, money and person-years as validated
//! newtypes, action statuses of the yearly cycle, and whether a follow-up indicator is
//! on track (DOMAIN.md sections 8 and 9).
//!
//! Pure: the web layer fetches values and hands them in.

use crate::Polarity;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Closed word sets with their API spelling (the same shape as `report.rs`' words).
macro_rules! words_impl {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident => $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $v),+ }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$v),+];
            /// The storage and API spelling.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$v => $s),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s.trim() {
                    $($s => Ok($name::$v),)+
                    other => Err(format!(
                        "'{other}' is not a valid {}: expected one of {}",
                        stringify!($name),
                        [$($s),+].join(", ")
                    )),
                }
            }
        }
    };
}

/// Why a plan value was refused. Messages are one clear English sentence; the web
/// layer translates the kind.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlanError {
    /// Not a plausible budget year.
    #[error("'{0}' is not a budget year: use a year from 2000 to 2100")]
    Year(String),
    /// Not an amount of euros.
    #[error("'{0}' is not an amount of euros: write e.g. 12000 or 12 000,50 (zero or more)")]
    Euros(String),
    /// Not a number of person-years.
    #[error("'{0}' is not a number of person-years: write e.g. 0,5 (0 to 10 000)")]
    PersonYears(String),
    /// Schedule ends before it starts.
    #[error("the action must end in or after the year it starts ({start}–{end})")]
    Schedule {
        /// Start.
        start: i64,
        /// End.
        end: i64,
    },
    /// Text missing or too long.
    #[error("the {field} must be 1–{max} characters")]
    Text {
        /// Which field.
        field: &'static str,
        /// Longest accepted.
        max: usize,
    },
    /// Target year not after the baseline year.
    #[error("the target year ({target}) must come after the baseline year ({baseline})")]
    TargetYear {
        /// Baseline year.
        baseline: i64,
        /// Target year.
        target: i64,
    },
    /// Target in the wrong direction for the indicator's polarity.
    #[error("the target {target} is not better than the baseline {baseline}: for this indicator {direction} values are better")]
    TargetDirection {
        /// Baseline value.
        baseline: f64,
        /// Target value.
        target: f64,
        /// `higher` or `lower`.
        direction: &'static str,
    },
    /// Not a finite number.
    #[error("'{0}' is not a number")]
    Number(String),
}

/// A budget year (2000..=2100).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(transparent)]
pub struct BudgetYear(i64);

impl BudgetYear {
    /// Checks a year.
    pub fn new(y: i64) -> Result<Self, PlanError> {
        if (2000..=2100).contains(&y) {
            Ok(BudgetYear(y))
        } else {
            Err(PlanError::Year(y.to_string()))
        }
    }
    /// The year.
    pub fn get(self) -> i64 {
        self.0
    }
}

impl FromStr for BudgetYear {
    type Err = PlanError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.trim()
            .parse::<i64>()
            .map_err(|_| PlanError::Year(s.trim().to_string()))
            .and_then(BudgetYear::new)
    }
}

impl fmt::Display for BudgetYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Parses a decimal written the Finnish or English way ("12 000,50", "12000.5",
/// "12 000") into hundredths. Spaces (also no-break) are thousands separators.
fn parse_hundredths(s: &str) -> Option<i64> {
    let t: String = s
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '€'))
        .collect();
    let t = t.replace(',', ".");
    if t.is_empty() || t.starts_with('-') || t.starts_with('+') {
        return None;
    }
    let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
    if whole.is_empty() && frac.is_empty() {
        return None;
    }
    if !whole.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
        || frac.len() > 2
    {
        return None;
    }
    let w: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let f: i64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().ok()? * 10,
        _ => frac.parse().ok()?,
    };
    w.checked_mul(100)?.checked_add(f)
}

fn fmt_hundredths(v: i64, decimal: char, group: bool) -> String {
    let whole = (v / 100).to_string();
    let frac = v % 100;
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if group && i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push('\u{a0}');
        }
        grouped.push(c);
    }
    if frac == 0 {
        grouped
    } else {
        format!("{grouped}{decimal}{frac:02}")
    }
}

/// An amount of euros, stored in cents (never negative, at most a billion).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    Default,
    utoipa::ToSchema,
)]
#[serde(transparent)]
pub struct Euros(i64);

impl Euros {
    /// Largest accepted amount, in cents (one billion euros).
    pub const MAX_CENTS: i64 = 100_000_000_000;

    /// From cents.
    pub fn from_cents(c: i64) -> Result<Self, PlanError> {
        if (0..=Self::MAX_CENTS).contains(&c) {
            Ok(Euros(c))
        } else {
            Err(PlanError::Euros(format!("{c} cents")))
        }
    }
    /// From a number of euros (API input), rounded to cents.
    pub fn from_f64(v: f64) -> Result<Self, PlanError> {
        if !v.is_finite() {
            return Err(PlanError::Euros(v.to_string()));
        }
        let c = (v * 100.0).round();
        if c < 0.0 || c > Self::MAX_CENTS as f64 {
            return Err(PlanError::Euros(v.to_string()));
        }
        Ok(Euros(c as i64))
    }
    /// Cents.
    pub fn cents(self) -> i64 {
        self.0
    }
    /// Euros as a number (for JSON and spreadsheets).
    pub fn as_f64(self) -> f64 {
        self.0 as f64 / 100.0
    }
    /// Written for a language: `fi`/`sv` use a comma and no-break-space groups.
    pub fn display(self, lang: &str) -> String {
        if lang == "en" {
            fmt_hundredths(self.0, '.', false)
                .chars()
                .collect::<String>()
        } else {
            fmt_hundredths(self.0, ',', true)
        }
    }
}

impl FromStr for Euros {
    type Err = PlanError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_hundredths(s)
            .filter(|c| *c <= Self::MAX_CENTS)
            .map(Euros)
            .ok_or_else(|| PlanError::Euros(s.trim().to_string()))
    }
}

/// Person-years (htv / årsverken), stored in hundredths (0 to 10 000).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    Default,
    utoipa::ToSchema,
)]
#[serde(transparent)]
pub struct PersonYears(i64);

impl PersonYears {
    /// Largest accepted value, in hundredths.
    pub const MAX_HUNDREDTHS: i64 = 1_000_000;

    /// From hundredths.
    pub fn from_hundredths(h: i64) -> Result<Self, PlanError> {
        if (0..=Self::MAX_HUNDREDTHS).contains(&h) {
            Ok(PersonYears(h))
        } else {
            Err(PlanError::PersonYears(format!("{h}/100")))
        }
    }
    /// From a number (API input), rounded to hundredths.
    pub fn from_f64(v: f64) -> Result<Self, PlanError> {
        if !v.is_finite() {
            return Err(PlanError::PersonYears(v.to_string()));
        }
        let h = (v * 100.0).round();
        if h < 0.0 || h > Self::MAX_HUNDREDTHS as f64 {
            return Err(PlanError::PersonYears(v.to_string()));
        }
        Ok(PersonYears(h as i64))
    }
    /// Hundredths.
    pub fn hundredths(self) -> i64 {
        self.0
    }
    /// As a number.
    pub fn as_f64(self) -> f64 {
        self.0 as f64 / 100.0
    }
    /// Written for a language.
    pub fn display(self, lang: &str) -> String {
        fmt_hundredths(self.0, if lang == "en" { '.' } else { ',' }, false)
    }
}

impl FromStr for PersonYears {
    type Err = PlanError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_hundredths(s)
            .filter(|h| *h <= Self::MAX_HUNDREDTHS)
            .map(PersonYears)
            .ok_or_else(|| PlanError::PersonYears(s.trim().to_string()))
    }
}

/// Checks a schedule: both years valid and the end not before the start.
pub fn check_schedule(start: i64, end: i64) -> Result<(BudgetYear, BudgetYear), PlanError> {
    let s = BudgetYear::new(start)?;
    let e = BudgetYear::new(end)?;
    if e < s {
        return Err(PlanError::Schedule { start, end });
    }
    Ok((s, e))
}

/// Checks a required text field: trimmed, 1..=max characters.
pub fn check_text(field: &'static str, s: &str, max: usize) -> Result<String, PlanError> {
    let t = s.trim();
    if t.is_empty() || t.chars().count() > max {
        return Err(PlanError::Text { field, max });
    }
    Ok(t.to_string())
}

words_impl!(
    /// Status of an action in one budget year (DOMAIN.md section 8, "toteutuminen").
    ActionStatus {
        /// Not started yet.
        NotStarted => "not_started",
        /// Under way.
        InProgress => "in_progress",
        /// Done as planned.
        Done => "done",
        /// Partly done.
        PartlyDone => "partly_done",
        /// Not done.
        NotDone => "not_done",
        /// Cancelled.
        Cancelled => "cancelled",
    }
);

impl ActionStatus {
    /// How much of the action this status counts as done, for progress bars:
    /// done 1, partly done ½, in progress ¼, the others 0.
    pub fn weight(self) -> f64 {
        match self {
            ActionStatus::Done => 1.0,
            ActionStatus::PartlyDone => 0.5,
            ActionStatus::InProgress => 0.25,
            _ => 0.0,
        }
    }
}

/// How many actions are in each status (actions without a status for the year count
/// as not started).
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct StatusCounts {
    /// Not started (or no status recorded).
    pub not_started: usize,
    /// In progress.
    pub in_progress: usize,
    /// Done.
    pub done: usize,
    /// Partly done.
    pub partly_done: usize,
    /// Not done.
    pub not_done: usize,
    /// Cancelled.
    pub cancelled: usize,
    /// All actions.
    pub total: usize,
    /// Weighted progress 0..=100 over the actions that were not cancelled.
    pub percent: u32,
}

impl StatusCounts {
    /// Counts statuses (`None` = nothing recorded for the year).
    pub fn of<I: IntoIterator<Item = Option<ActionStatus>>>(statuses: I) -> StatusCounts {
        let mut c = StatusCounts::default();
        let mut weight = 0.0;
        for s in statuses {
            c.total += 1;
            let s = s.unwrap_or(ActionStatus::NotStarted);
            weight += s.weight();
            match s {
                ActionStatus::NotStarted => c.not_started += 1,
                ActionStatus::InProgress => c.in_progress += 1,
                ActionStatus::Done => c.done += 1,
                ActionStatus::PartlyDone => c.partly_done += 1,
                ActionStatus::NotDone => c.not_done += 1,
                ActionStatus::Cancelled => c.cancelled += 1,
            }
        }
        let active = c.total - c.cancelled;
        c.percent = if active == 0 {
            0
        } else {
            ((weight / active as f64) * 100.0).round().clamp(0.0, 100.0) as u32
        };
        c
    }

    /// The count of one status.
    pub fn get(&self, s: ActionStatus) -> usize {
        match s {
            ActionStatus::NotStarted => self.not_started,
            ActionStatus::InProgress => self.in_progress,
            ActionStatus::Done => self.done,
            ActionStatus::PartlyDone => self.partly_done,
            ActionStatus::NotDone => self.not_done,
            ActionStatus::Cancelled => self.cancelled,
        }
    }
}

words_impl!(
    /// Where a follow-up indicator stands against its baseline and target.
    Tracking {
        /// The latest value has reached the target.
        Achieved => "achieved",
        /// At least as good as the straight path from baseline to target expects.
        OnTrack => "on_track",
        /// Behind that path.
        OffTrack => "off_track",
        /// No value after the baseline year yet.
        NoData => "no_data",
    }
);

/// A value in a year.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct YearValue {
    /// Year.
    pub year: i64,
    /// Value.
    pub value: f64,
}

/// Which way is better for a follow-up: the indicator's polarity, or, for an
/// indicator without one, the way from baseline to target.
pub fn better_is_higher(polarity: Polarity, baseline: f64, target: f64) -> bool {
    match polarity {
        Polarity::HighIsGood => true,
        Polarity::LowIsGood => false,
        Polarity::NoJudgement => target >= baseline,
    }
}

/// Checks a follow-up's baseline and target: the target year after the baseline
/// year, finite values, and a target that is not worse than the baseline for the
/// indicator's polarity (keeping the level is allowed).
pub fn check_followup(
    polarity: Polarity,
    baseline: YearValue,
    target: YearValue,
) -> Result<(), PlanError> {
    for v in [baseline.value, target.value] {
        if !v.is_finite() {
            return Err(PlanError::Number(v.to_string()));
        }
    }
    BudgetYear::new(target.year)?;
    if !(1990..=2100).contains(&baseline.year) {
        return Err(PlanError::Year(baseline.year.to_string()));
    }
    if target.year <= baseline.year {
        return Err(PlanError::TargetYear {
            baseline: baseline.year,
            target: target.year,
        });
    }
    let bad = match polarity {
        Polarity::HighIsGood => target.value < baseline.value,
        Polarity::LowIsGood => target.value > baseline.value,
        Polarity::NoJudgement => false,
    };
    if bad {
        return Err(PlanError::TargetDirection {
            baseline: baseline.value,
            target: target.value,
            direction: if polarity == Polarity::HighIsGood {
                "higher"
            } else {
                "lower"
            },
        });
    }
    Ok(())
}

/// Whether a follow-up indicator is on track.
///
/// The expected path is the straight line from the baseline (year, value) to the
/// target (year, value). The latest value after the baseline year is compared with
/// the path's value in the latest year, in the better direction (see
/// [`better_is_higher`]): reaching the target is `Achieved`, at least as good as the
/// path is `OnTrack`, otherwise `OffTrack`. No value after the baseline year is
/// `NoData`: a baseline compared with itself tells nothing.
pub fn tracking(
    polarity: Polarity,
    baseline: YearValue,
    target: YearValue,
    latest: Option<YearValue>,
) -> Tracking {
    let Some(latest) = latest.filter(|l| l.year > baseline.year && l.value.is_finite()) else {
        return Tracking::NoData;
    };
    let higher = better_is_higher(polarity, baseline.value, target.value);
    let at_least = |a: f64, b: f64| {
        // A relative tolerance keeps rounding of published values from flipping the
        // judgement when a value sits exactly on the path or the target.
        let eps = 1e-9 * a.abs().max(b.abs()).max(1.0);
        if higher {
            a >= b - eps
        } else {
            a <= b + eps
        }
    };
    if at_least(latest.value, target.value) && target.value != baseline.value {
        return Tracking::Achieved;
    }
    let span = (target.year - baseline.year).max(1) as f64;
    let share = ((latest.year - baseline.year) as f64 / span).clamp(0.0, 1.0);
    let expected = baseline.value + (target.value - baseline.value) * share;
    if latest.year >= target.year && target.value == baseline.value {
        // "Keep the level": judged at the target year.
        return if at_least(latest.value, target.value) {
            Tracking::Achieved
        } else {
            Tracking::OffTrack
        };
    }
    if at_least(latest.value, expected) {
        Tracking::OnTrack
    } else {
        Tracking::OffTrack
    }
}

/// One statutory or recommended plan a goal or action can be tagged with
/// (configuration data: `data/presets/plan_tags.csv`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PlanTag {
    /// Key used in URLs and the API, e.g. `children_youth`.
    pub key: String,
    /// Finnish name.
    pub fi: String,
    /// Swedish name.
    pub sv: String,
    /// English name.
    pub en: String,
    /// The legal anchor, if any.
    pub law: String,
}

impl PlanTag {
    /// The name in a language (Finnish when unknown).
    pub fn name(&self, lang: &str) -> &str {
        match lang {
            "sv" => &self.sv,
            "en" => &self.en,
            _ => &self.fi,
        }
    }
}

/// Whether a key is a plausible tag key: lower-case ASCII letters, digits and `_`.
pub fn valid_tag_key(k: &str) -> bool {
    !k.is_empty()
        && k.len() <= 60
        && k.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Joins tags for storage (`a,b`); parses them back with [`split_tags`].
pub fn join_tags(tags: &[String]) -> String {
    tags.join(",")
}

/// Splits stored tags.
pub fn split_tags(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yv(year: i64, value: f64) -> YearValue {
        YearValue { year, value }
    }

    #[test]
    fn money_and_person_years_parse_both_ways() {
        assert_eq!("12 000,50".parse::<Euros>().unwrap().cents(), 1_200_050);
        assert_eq!("12000.5".parse::<Euros>().unwrap().cents(), 1_200_050);
        assert_eq!("15 000 €".parse::<Euros>().unwrap().cents(), 1_500_000);
        assert_eq!("0".parse::<Euros>().unwrap().cents(), 0);
        assert!("-5".parse::<Euros>().is_err());
        assert!("12,345".parse::<Euros>().is_err());
        assert!("abc".parse::<Euros>().is_err());
        assert!("".parse::<Euros>().is_err());
        assert!("2000000000".parse::<Euros>().is_err());
        assert_eq!(
            Euros::from_cents(1_200_050).unwrap().display("fi"),
            "12\u{a0}000,50"
        );
        assert_eq!(Euros::from_cents(1_500_000).unwrap().display("en"), "15000");
        assert_eq!(Euros::from_f64(15000.004).unwrap().cents(), 1_500_000);
        assert!(Euros::from_f64(-1.0).is_err());
        assert_eq!("0,5".parse::<PersonYears>().unwrap().hundredths(), 50);
        assert_eq!(
            PersonYears::from_hundredths(150).unwrap().display("fi"),
            "1,50"
        );
        assert!("20000".parse::<PersonYears>().is_err());
        assert!("1999".parse::<BudgetYear>().is_err());
        assert_eq!("2026".parse::<BudgetYear>().unwrap().get(), 2026);
        assert!(check_schedule(2027, 2026).is_err());
        assert!(check_schedule(2026, 2026).is_ok());
        assert!(check_text("title", "  ", 10).is_err());
        assert_eq!(check_text("title", " a ", 10).unwrap(), "a");
    }

    #[test]
    fn status_counts_and_percent() {
        let c = StatusCounts::of([
            Some(ActionStatus::Done),
            Some(ActionStatus::PartlyDone),
            None,
            Some(ActionStatus::Cancelled),
        ]);
        assert_eq!(c.total, 4);
        assert_eq!(c.done, 1);
        assert_eq!(c.not_started, 1);
        assert_eq!(c.cancelled, 1);
        // (1 + 0.5 + 0) / 3 active = 50 %.
        assert_eq!(c.percent, 50);
        assert_eq!(StatusCounts::of([]).percent, 0);
        assert_eq!(c.get(ActionStatus::PartlyDone), 1);
        assert_eq!(
            "partly_done".parse::<ActionStatus>().unwrap(),
            ActionStatus::PartlyDone
        );
        assert!("finished".parse::<ActionStatus>().is_err());
    }

    #[test]
    fn tracking_low_is_good() {
        // Unemployment 12 % in 2020, target 8 % in 2030: the path expects 10 % in 2025.
        let p = Polarity::LowIsGood;
        let (b, t) = (yv(2020, 12.0), yv(2030, 8.0));
        assert_eq!(tracking(p, b, t, Some(yv(2025, 9.5))), Tracking::OnTrack);
        assert_eq!(tracking(p, b, t, Some(yv(2025, 10.0))), Tracking::OnTrack);
        assert_eq!(tracking(p, b, t, Some(yv(2025, 11.0))), Tracking::OffTrack);
        assert_eq!(tracking(p, b, t, Some(yv(2025, 7.9))), Tracking::Achieved);
        assert_eq!(tracking(p, b, t, Some(yv(2020, 5.0))), Tracking::NoData);
        assert_eq!(tracking(p, b, t, None), Tracking::NoData);
        // Past the target year the path is the target itself.
        assert_eq!(tracking(p, b, t, Some(yv(2032, 8.5))), Tracking::OffTrack);
    }

    #[test]
    fn tracking_high_is_good_and_no_judgement() {
        let (b, t) = (yv(2008, 50.0), yv(2012, 60.0));
        let p = Polarity::HighIsGood;
        assert_eq!(tracking(p, b, t, Some(yv(2010, 56.0))), Tracking::OnTrack);
        assert_eq!(tracking(p, b, t, Some(yv(2010, 54.0))), Tracking::OffTrack);
        assert_eq!(tracking(p, b, t, Some(yv(2011, 60.0))), Tracking::Achieved);
        // No polarity: the direction from baseline to target decides.
        let n = Polarity::NoJudgement;
        let down = yv(2012, 40.0);
        assert_eq!(
            tracking(n, b, down, Some(yv(2010, 44.0))),
            Tracking::OnTrack
        );
        assert_eq!(
            tracking(n, b, down, Some(yv(2010, 52.0))),
            Tracking::OffTrack
        );
        // Keeping the level: on track along the way, judged at the target year.
        let keep = yv(2012, 50.0);
        assert_eq!(
            tracking(p, b, keep, Some(yv(2010, 50.0))),
            Tracking::OnTrack
        );
        assert_eq!(
            tracking(p, b, keep, Some(yv(2010, 49.0))),
            Tracking::OffTrack
        );
        assert_eq!(
            tracking(p, b, keep, Some(yv(2012, 51.0))),
            Tracking::Achieved
        );
    }

    #[test]
    fn followup_checks() {
        let b = yv(2010, 10.0);
        assert!(check_followup(Polarity::LowIsGood, b, yv(2029, 8.0)).is_ok());
        assert!(matches!(
            check_followup(Polarity::LowIsGood, b, yv(2029, 12.0)),
            Err(PlanError::TargetDirection { .. })
        ));
        assert!(matches!(
            check_followup(Polarity::HighIsGood, b, yv(2010, 12.0)),
            Err(PlanError::TargetYear { .. })
        ));
        assert!(check_followup(Polarity::NoJudgement, b, yv(2029, 12.0)).is_ok());
        assert!(check_followup(Polarity::HighIsGood, b, yv(2029, f64::NAN)).is_err());
        assert!(valid_tag_key("children_youth"));
        assert!(!valid_tag_key("Children youth"));
        assert_eq!(split_tags("a, b,,c"), vec!["a", "b", "c"]);
    }
}
