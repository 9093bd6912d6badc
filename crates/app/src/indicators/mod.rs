//! The report's indicator list: the preset it is seeded from, the decisions on its
//! items (include, exclude with a reason, add with a reason and a source), the
//! qualitative self-assessment, and the appendix generated from them.

pub mod appendix;
pub mod preset;
pub mod selection;

pub use appendix::{Appendix, AppendixRow};
pub use preset::{parse_preset, preset, PresetItem, POPULATION_GROUPS, PRESET_CSV, PRESET_ID};
pub use selection::{parse_score, SelectionInput, SelfAssessmentInput};

use crate::{AppError, AppResult, Refusal};
use std::str::FromStr;

/// Parses one of the domain's words (a state, a kind, an origin) as the user typed it:
/// 422 naming the field, under `key` with the value as `$value`.
pub(crate) fn word<T: FromStr<Err = String>>(
    field: &'static str,
    key: &'static str,
    value: &str,
) -> AppResult<T> {
    value.parse().map_err(|e: String| {
        AppError::invalid(field, Refusal::new(key, e).arg("value", value.trim()))
    })
}

/// Parses indicator ids as a form sends them (empty values skipped): 422 for
/// anything that is not a number.
pub fn parse_indicator_ids(values: &[&str]) -> AppResult<Vec<i64>> {
    values
        .iter()
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .map(|v| {
            v.parse::<i64>().map_err(|_| {
                AppError::invalid(
                    "indicators",
                    Refusal::new(
                        "rd-error-indicator-id",
                        format!("'{v}' is not an indicator id"),
                    )
                    .arg("value", v),
                )
            })
        })
        .collect()
}

/// Parses a section id as a form sends it (empty: no section).
pub fn parse_section_id(value: &str) -> AppResult<Option<i64>> {
    match value.trim() {
        "" => Ok(None),
        s => s.parse::<i64>().map(Some).map_err(|_| {
            AppError::invalid(
                "section_id",
                Refusal::new("rd-error-section-id", format!("'{s}' is not a section id"))
                    .arg("value", s),
            )
        }),
    }
}
