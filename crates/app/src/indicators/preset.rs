//! The indicator preset a report's list is seeded from: shipped as data, parsed once.

use hyte_domain::report::MeasureKind;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// The example indicator preset, shipped as data (`data/presets/preset_example.csv`).
/// It is NOT THL's minimum data list, which is not available as data yet; see
/// `data/presets/README.md`.
pub const PRESET_CSV: &str = include_str!("../../../../data/presets/preset_example.csv");

/// Identifier of the shipped preset, shown in the API and the audit log.
pub const PRESET_ID: &str = "example_municipal_reports";

/// Population groups of the THL outline, in display order.
pub const POPULATION_GROUPS: [&str; 5] = [
    "children_families",
    "young_people",
    "working_age",
    "older_people",
    "whole_population",
];

/// One item of the preset.
#[derive(Debug, Clone, Serialize)]
pub struct PresetItem {
    /// `sotkanet:<id>` or `preset:<slug>`.
    pub item_key: String,
    /// Sotkanet id, only where the title matches a Sotkanet indicator exactly.
    pub indicator_id: Option<i64>,
    /// Title in Finnish, as in the source.
    pub title_fi: String,
    /// Theme (the source report's own heading).
    pub theme: String,
    /// Population group.
    pub population_group: String,
    /// Kind of measure.
    pub kind: MeasureKind,
    /// Where the item comes from.
    pub source_note: String,
}

#[derive(Deserialize)]
struct PresetRow {
    item_key: String,
    indicator_id: String,
    title_fi: String,
    theme: String,
    population_group: String,
    kind: String,
    source_note: String,
}

/// The key an item must have: `sotkanet:<id>` with an id, else `preset:<slug>`.
fn expected_key(line: usize, r: &PresetRow, id: Option<i64>) -> Result<String, String> {
    match id {
        Some(id) => Ok(format!("sotkanet:{id}")),
        None if r.item_key.starts_with("preset:") && r.item_key.len() > 7 => Ok(r.item_key.clone()),
        None => Err(format!(
            "preset line {line}: item_key '{}' must be preset:<slug> when there is no indicator id",
            r.item_key
        )),
    }
}

/// Parses a preset CSV (`item_key,indicator_id,title_fi,theme,population_group,kind,source_note`).
pub fn parse_preset(text: &str) -> Result<Vec<PresetItem>, String> {
    let mut out: Vec<PresetItem> = Vec::new();
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    for (i, row) in rdr.deserialize::<PresetRow>().enumerate() {
        let line = i + 2;
        let r = row.map_err(|e| format!("preset line {line}: {e}"))?;
        let indicator_id =
            match r.indicator_id.trim() {
                "" => None,
                s => Some(s.parse::<i64>().map_err(|_| {
                    format!("preset line {line}: indicator_id '{s}' is not a number")
                })?),
            };
        let expected = expected_key(line, &r, indicator_id)?;
        if r.item_key != expected {
            return Err(format!(
                "preset line {line}: item_key '{}' should be '{expected}'",
                r.item_key
            ));
        }
        if out.iter().any(|p| p.item_key == r.item_key) {
            return Err(format!(
                "preset line {line}: duplicate item_key '{}'",
                r.item_key
            ));
        }
        if !POPULATION_GROUPS.contains(&r.population_group.as_str()) {
            return Err(format!(
                "preset line {line}: unknown population group '{}'",
                r.population_group
            ));
        }
        out.push(PresetItem {
            kind: r
                .kind
                .parse()
                .map_err(|e| format!("preset line {line}: {e}"))?,
            item_key: r.item_key,
            indicator_id,
            title_fi: r.title_fi,
            theme: r.theme,
            population_group: r.population_group,
            source_note: r.source_note,
        });
    }
    Ok(out)
}

/// The shipped preset (parsed once; a broken file is caught by the unit test).
pub fn preset() -> &'static [PresetItem] {
    static P: OnceLock<Vec<PresetItem>> = OnceLock::new();
    P.get_or_init(|| parse_preset(PRESET_CSV).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_preset_parses_and_uses_only_exact_ids() {
        let p = parse_preset(PRESET_CSV).expect("preset parses");
        assert_eq!(p.len(), 37);
        let ids: Vec<i64> = p.iter().filter_map(|i| i.indicator_id).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        // Only the README's exact title matches with the curated snapshot list.
        assert_eq!(sorted, vec![180, 761, 3177, 3180, 3181, 3196, 3197]);
        assert!(p
            .iter()
            .filter(|i| i.indicator_id.is_none())
            .all(|i| i.item_key.starts_with("preset:")));
        assert_eq!(preset().len(), 37);
    }

    #[test]
    fn preset_errors_are_clear() {
        let bad = "item_key,indicator_id,title_fi,theme,population_group,kind,source_note\nsotkanet:5,6,x,t,young_people,state,n\n";
        assert!(parse_preset(bad).unwrap_err().contains("line 2"));
        let bad = "item_key,indicator_id,title_fi,theme,population_group,kind,source_note\npreset:x,,x,t,young_people,opinion,n\n";
        assert!(parse_preset(bad).unwrap_err().contains("opinion"));
    }
}
