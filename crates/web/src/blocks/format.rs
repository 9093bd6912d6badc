//! Number formats, units, outcome words and badges: the text pieces that blocks and the
//! indicator pages (`pages::indicators`) share, so both write a value the same way.

use crate::analysis::{AssessedValue, BenchmarkComparison};
use crate::i18n::Tr;
use hyte_app::model::indicators::Indicator;
use hyte_charts as charts;
use hyte_domain::Polarity;
use hyte_stats::{CiLevel, Outcome};

/// Maps the statistics outcome to the chart palette.
pub fn chart_outcome(o: Outcome) -> charts::Outcome {
    match o {
        Outcome::Better => charts::Outcome::Better,
        Outcome::Similar => charts::Outcome::Similar,
        Outcome::Worse => charts::Outcome::Worse,
        Outcome::Higher => charts::Outcome::Higher,
        Outcome::Lower => charts::Outcome::Lower,
        Outcome::NotCompared => charts::Outcome::NotCompared,
    }
}

/// Maps the domain polarity to the chart crate's.
pub fn chart_polarity(p: Polarity) -> charts::Polarity {
    match p {
        Polarity::HighIsGood => charts::Polarity::HighIsGood,
        Polarity::LowIsGood => charts::Polarity::LowIsGood,
        Polarity::NoJudgement => charts::Polarity::NoJudgement,
    }
}

/// Outcome words of the UI language for chart legends and tooltips.
pub fn outcome_labels(tr: &Tr) -> charts::OutcomeLabels {
    charts::OutcomeLabels {
        better: tr.t("outcome-better"),
        similar: tr.t("outcome-similar"),
        worse: tr.t("outcome-worse"),
        higher: tr.t("outcome-higher"),
        lower: tr.t("outcome-lower"),
        not_compared: tr.t("outcome-not_compared"),
    }
}

/// The unit in words of the UI language (`PROS` → `%`); unknown codes as given.
pub fn unit_label(tr: &Tr, code: &str) -> String {
    let key = format!("unit-{}", code.to_ascii_uppercase());
    // The translation lookup answers with the key itself when there is no entry.
    match tr.t(&key) {
        t if t == key => code.to_string(),
        t => t,
    }
}

/// Formats numbers the way the UI language writes them.
pub struct Fmt {
    /// Decimals of the indicator.
    pub decimals: u32,
    /// Decimal comma (Finnish, Swedish) instead of a point.
    pub comma: bool,
}

impl Fmt {
    /// The format of an indicator in a UI language.
    pub fn new(ind: &Indicator, tr: &Tr) -> Self {
        Fmt {
            decimals: ind.decimals.clamp(0, 6) as u32,
            comma: tr.code() != "en",
        }
    }

    /// A value, or a dash when missing.
    pub fn num(&self, v: Option<f64>) -> String {
        v.map(|v| charts::format_number(v, self.decimals, self.comma))
            .unwrap_or_else(|| "–".into())
    }

    /// The interval `lower – upper`, if there is one.
    pub fn ci(&self, a: &AssessedValue) -> Option<String> {
        match (a.ci_lower, a.ci_upper) {
            (Some(l), Some(u)) => Some(format!("{} – {}", self.num(Some(l)), self.num(Some(u)))),
            _ => None,
        }
    }

    /// The badge of a comparison, if one was made, against the benchmark called `name`.
    pub fn vs(
        &self,
        tr: &Tr,
        c: Option<&BenchmarkComparison>,
        name: &str,
        level: CiLevel,
    ) -> Option<Badge> {
        c.map(|c| badge(tr, c.outcome, name, &self.num(c.benchmark_value), level))
    }
}

/// One outcome badge as shown in tables: CSS class plus translated word.
#[derive(Debug, Clone)]
pub struct Badge {
    /// CSS class (outcome key).
    pub class: &'static str,
    /// Text.
    pub text: String,
    /// Tooltip explaining the test.
    pub title: String,
}

/// The badge of an outcome against a benchmark.
pub fn badge(tr: &Tr, o: Outcome, bench_name: &str, bench_value: &str, level: CiLevel) -> Badge {
    Badge {
        class: o.as_str(),
        text: tr.t(&format!("outcome-{}", o.as_str())),
        title: format!(
            "{} {bench_value} ({bench_name}); {} {} %",
            tr.t("ind-compare-with"),
            tr.t("ind-level"),
            level.as_str()
        ),
    }
}

/// The source line drawn under charts.
pub fn source_line(ind: &Indicator, lang: &str) -> String {
    format!(
        "Sotkanet / THL{} · CC BY 4.0",
        if ind.producer.get(lang).is_empty() {
            String::new()
        } else {
            format!(" · {}", ind.producer.get(lang))
        }
    )
}
