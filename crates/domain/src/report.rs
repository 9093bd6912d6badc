//! The welfare report as a document: kinds, sections, statutory content areas,
//! indicator selection, joys and concerns, and the rules between them.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

macro_rules! words {
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

words!(
    /// What kind of document a report is (DOMAIN.md section 4).
    ReportKind {
        /// The council-term welfare report (laaja hyvinvointikertomus).
        TermReport => "term_report",
        /// The yearly report to the council.
        YearlyReport => "yearly_report",
        /// The welfare region's report (alueellinen hyvinvointikertomus).
        RegionalReport => "regional_report",
    }
);

words!(
    /// Progress of one section.
    SectionStatus {
        /// Nobody has started.
        Todo => "todo",
        /// Being written.
        Draft => "draft",
        /// Waiting for the coordinator's review.
        ReadyForReview => "ready_for_review",
        /// Finished.
        Done => "done",
    }
);

words!(
    /// The six statutory content areas every report must cover (DOMAIN.md section 3).
    ContentArea {
        /// 1. Welfare policy, resources used, cooperation with the welfare region.
        WelfarePolicy => "welfare_policy",
        /// 2. Population health and welfare.
        PopulationHealth => "population_health",
        /// 3. Differences between population groups.
        GroupDifferences => "group_differences",
        /// 4. Changes in the determinants of health and welfare.
        Determinants => "determinants",
        /// 5. The service system's ability to meet needs.
        ServiceSystem => "service_system",
        /// 6. Effects of preventive work on costs and vitality.
        PreventionEffects => "prevention_effects",
    }
);

impl ContentArea {
    /// The statutory number 1..=6.
    pub fn number(self) -> usize {
        ContentArea::ALL
            .iter()
            .position(|a| *a == self)
            .map(|p| p + 1)
            .unwrap_or(0)
    }
}

/// Parses a comma-separated list of content areas (storage form); unknown words are an
/// error so that a typo never silently drops coverage.
pub fn parse_content_areas(s: &str) -> Result<Vec<ContentArea>, String> {
    let mut out = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let a: ContentArea = part.parse()?;
        if !out.contains(&a) {
            out.push(a);
        }
    }
    out.sort();
    Ok(out)
}

/// Content areas no section covers yet, in statutory order.
pub fn uncovered_areas<'a>(
    sections: impl IntoIterator<Item = &'a [ContentArea]>,
) -> Vec<ContentArea> {
    let mut covered = [false; 6];
    for areas in sections {
        for a in areas {
            covered[a.number() - 1] = true;
        }
    }
    ContentArea::ALL
        .iter()
        .copied()
        .filter(|a| !covered[a.number() - 1])
        .collect()
}

words!(
    /// Whether an indicator of the list is used in the report (DOMAIN.md section 7).
    SelectionState {
        /// Not yet decided.
        Pending => "pending",
        /// From the list, used.
        Included => "included",
        /// From the list, deliberately left out; needs a written reason.
        Excluded => "excluded",
        /// Not on the list, added for a local phenomenon; needs a reason.
        Added => "added",
    }
);

words!(
    /// The three kinds of measures of the minimum data content.
    MeasureKind {
        /// State of welfare and health.
        State => "state",
        /// Actions of the municipality's sectors.
        Action => "action",
        /// Qualitative self-assessment (text and a scale).
        Qualitative => "qualitative",
    }
);

/// Why a selection change was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectionError {
    /// Excluding needs a written reason; it is listed in the appendix.
    #[error("excluding an indicator needs a written reason; it is shown in the appendix")]
    ReasonRequired,
    /// Adding an indicator needs a reason (the local phenomenon).
    #[error("adding an indicator needs a reason: which local phenomenon it describes")]
    AddedReasonRequired,
    /// A reason longer than the limit.
    #[error("the reason is too long (at most 2 000 characters)")]
    ReasonTooLong,
}

/// Checks a selection decision before it is stored; returns the trimmed reason.
pub fn check_selection(state: SelectionState, reason: &str) -> Result<String, SelectionError> {
    let reason = reason.trim();
    if reason.chars().count() > 2000 {
        return Err(SelectionError::ReasonTooLong);
    }
    match state {
        SelectionState::Excluded if reason.is_empty() => Err(SelectionError::ReasonRequired),
        SelectionState::Added if reason.is_empty() => Err(SelectionError::AddedReasonRequired),
        _ => Ok(reason.to_string()),
    }
}

words!(
    /// Joy or concern (ilonaihe / huolenaihe).
    ObservationKind {
        /// Something going well.
        Joy => "joy",
        /// Something to worry about.
        Concern => "concern",
    }
);

words!(
    /// Where a joy or concern came from.
    ObservationOrigin {
        /// The multi-sector welfare group.
        WorkingGroup => "working_group",
        /// A sector's own group.
        SectorGroup => "sector_group",
        /// Residents (surveys, hearings).
        Residents => "residents",
        /// NGOs and parishes.
        Ngo => "ngo",
        /// The welfare region.
        WelfareRegion => "welfare_region",
        /// Collected by a welfare region's report from a member municipality's report.
        Municipality => "municipality",
        /// Proposed by Hyte from the indicator data.
        Data => "data",
    }
);

words!(
    /// Whether the data backs a joy or concern (THL: "is the concern justified?").
    Verdict {
        /// The linked indicators agree with it.
        Supported => "supported",
        /// The linked indicators do not show it.
        NotSupported => "not_supported",
        /// Some do, some do not.
        Mixed => "mixed",
        /// No linked indicator could be judged.
        NoData => "no_data",
    }
);

/// What one linked indicator says, reduced to the signals a verdict needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// Significantly better than the benchmark (`Some(true)`), significantly worse
    /// (`Some(false)`), or neither / not comparable (`None`).
    pub better_than_benchmark: Option<bool>,
    /// The trend is getting better (`Some(true)`), worse (`Some(false)`), or no
    /// significant or judgeable trend (`None`).
    pub trend_better: Option<bool>,
    /// Whether the indicator had any value to judge at all.
    pub has_data: bool,
}

/// The data's verdict on a joy or concern from its linked indicators.
///
/// A concern is supported by an indicator that is significantly worse than the
/// benchmark or getting worse; a joy by one that is significantly better or getting
/// better. Indicators with data but no such signal count against it; indicators that
/// point both ways make the verdict mixed. A person decides in the end; this is only
/// the data's answer (DOMAIN.md section 6).
pub fn verdict(kind: ObservationKind, evidence: &[Evidence]) -> Verdict {
    let want = kind == ObservationKind::Joy;
    let mut support = 0;
    let mut against = 0;
    for e in evidence.iter().filter(|e| e.has_data) {
        let signals = [e.better_than_benchmark, e.trend_better];
        let pro = signals.contains(&Some(want));
        let contra = signals.contains(&Some(!want));
        match (pro, contra) {
            (true, false) => support += 1,
            (false, _) => against += 1,
            (true, true) => {
                support += 1;
                against += 1;
            }
        }
    }
    match (support, against) {
        (0, 0) => Verdict::NoData,
        (_, 0) => Verdict::Supported,
        (0, _) => Verdict::NotSupported,
        _ => Verdict::Mixed,
    }
}

/// One heading of an outline template.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TemplateSection {
    /// Heading in Finnish.
    pub heading_fi: String,
    /// Heading in Swedish.
    pub heading_sv: String,
    /// Heading in English.
    pub heading_en: String,
    /// Content areas the section is meant to cover.
    pub areas: Vec<ContentArea>,
    /// Suggested owner sector.
    pub sector: Option<String>,
}

impl TemplateSection {
    /// The heading in a language (fi fallback).
    pub fn heading(&self, lang: &str) -> &str {
        match lang {
            "sv" if !self.heading_sv.is_empty() => &self.heading_sv,
            "en" if !self.heading_en.is_empty() => &self.heading_en,
            _ => &self.heading_fi,
        }
    }
}

/// Parses an outline template from CSV text with the header
/// `heading_fi,heading_sv,heading_en,content_areas,sector` (areas separated by `;`).
pub fn parse_outline_template(csv_text: &str) -> Result<Vec<TemplateSection>, String> {
    let mut out = Vec::new();
    for (i, line) in csv_text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let cells = split_csv_line(line);
        if cells.len() != 5 {
            return Err(format!(
                "outline template line {}: expected 5 fields, found {}",
                i + 1,
                cells.len()
            ));
        }
        out.push(TemplateSection {
            heading_fi: cells[0].clone(),
            heading_sv: cells[1].clone(),
            heading_en: cells[2].clone(),
            areas: parse_content_areas(&cells[3].replace(';', ","))
                .map_err(|e| format!("outline template line {}: {e}", i + 1))?,
            sector: Some(cells[4].clone()).filter(|s| !s.is_empty()),
        });
    }
    Ok(out)
}

/// Splits one CSV line with optional double quotes (`""` is a quote inside quotes).
pub(crate) fn split_csv_line(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                if let Some(last) = out.last_mut() {
                    last.push('"');
                }
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(String::new()),
            c => {
                if let Some(last) = out.last_mut() {
                    last.push(c);
                }
            }
        }
    }
    out.into_iter().map(|s| s.trim().to_string()).collect()
}

/// THL's recommended outline (DOMAIN.md section 8), shipped as data.
pub const THL_OUTLINE_CSV: &str = include_str!("../../../data/presets/outline_thl.csv");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip() {
        for k in ReportKind::ALL {
            assert_eq!(k.as_str().parse::<ReportKind>().unwrap(), *k);
        }
        assert!("essay".parse::<ReportKind>().is_err());
        assert_eq!(ContentArea::PreventionEffects.number(), 6);
    }

    #[test]
    fn coverage() {
        let a = [ContentArea::WelfarePolicy, ContentArea::PopulationHealth];
        let b = [ContentArea::ServiceSystem];
        let missing = uncovered_areas([&a[..], &b[..]]);
        assert_eq!(
            missing,
            vec![
                ContentArea::GroupDifferences,
                ContentArea::Determinants,
                ContentArea::PreventionEffects
            ]
        );
        assert_eq!(
            parse_content_areas("service_system, welfare_policy,service_system").unwrap(),
            vec![ContentArea::WelfarePolicy, ContentArea::ServiceSystem]
        );
        assert!(parse_content_areas("welfare").is_err());
    }

    #[test]
    fn exclusion_needs_reason() {
        assert_eq!(
            check_selection(SelectionState::Excluded, "  "),
            Err(SelectionError::ReasonRequired)
        );
        assert_eq!(
            check_selection(SelectionState::Excluded, " no such service here ").unwrap(),
            "no such service here"
        );
        assert!(check_selection(SelectionState::Included, "").is_ok());
        assert!(check_selection(SelectionState::Added, "").is_err());
    }

    #[test]
    fn verdicts() {
        let worse = Evidence {
            better_than_benchmark: Some(false),
            trend_better: None,
            has_data: true,
        };
        let better = Evidence {
            better_than_benchmark: Some(true),
            trend_better: None,
            has_data: true,
        };
        let flat = Evidence {
            better_than_benchmark: None,
            trend_better: None,
            has_data: true,
        };
        let none = Evidence {
            better_than_benchmark: None,
            trend_better: None,
            has_data: false,
        };
        use ObservationKind::*;
        assert_eq!(verdict(Concern, &[worse]), Verdict::Supported);
        assert_eq!(verdict(Concern, &[better]), Verdict::NotSupported);
        assert_eq!(verdict(Concern, &[flat]), Verdict::NotSupported);
        assert_eq!(verdict(Concern, &[worse, better]), Verdict::Mixed);
        assert_eq!(verdict(Concern, &[none]), Verdict::NoData);
        assert_eq!(verdict(Concern, &[]), Verdict::NoData);
        assert_eq!(verdict(Joy, &[better, none]), Verdict::Supported);
        let getting_worse = Evidence {
            better_than_benchmark: Some(true),
            trend_better: Some(false),
            has_data: true,
        };
        assert_eq!(verdict(Concern, &[getting_worse]), Verdict::Mixed);
    }

    #[test]
    fn thl_outline_template_covers_every_area() {
        let t = parse_outline_template(THL_OUTLINE_CSV).unwrap();
        assert!(t.len() >= 10);
        let areas: Vec<&[ContentArea]> = t.iter().map(|s| s.areas.as_slice()).collect();
        assert!(uncovered_areas(areas).is_empty());
        assert!(t
            .iter()
            .all(|s| !s.heading_sv.is_empty() && !s.heading_en.is_empty()));
    }
}
