//! The plan tags: the statutory and recommended plans a goal or an action can belong
//! to, shipped as data (`data/presets/plan_tags.csv`).

use crate::{AppError, AppResult, Refusal};
use hyte_domain::coefficient::split_csv_line;
use hyte_domain::plan::{valid_tag_key, PlanTag};
use std::sync::OnceLock;

/// The statutory and recommended plans, shipped as data (`data/presets/plan_tags.csv`).
pub const PLAN_TAGS_CSV: &str = include_str!("../../../../data/presets/plan_tags.csv");

const COLUMNS: [&str; 5] = ["key", "name_fi", "name_sv", "name_en", "law"];

/// Parses a tag file (`key,name_fi,name_sv,name_en,law`, columns in any order).
pub fn parse_tags(text: &str) -> Result<Vec<PlanTag>, String> {
    let mut lines = text.lines().enumerate();
    let header = match lines.next() {
        Some((_, h)) => split_csv_line(h.trim_start_matches('\u{feff}'), ',')
            .map_err(|e| format!("plan tags line 1: {e}"))?,
        None => return Err("plan tags: the file is empty".into()),
    };
    let mut at = [0usize; 5];
    for (i, name) in COLUMNS.iter().enumerate() {
        at[i] = header
            .iter()
            .position(|h| h.trim() == *name)
            .ok_or_else(|| format!("plan tags line 1: no column '{name}'"))?;
    }
    let mut out: Vec<PlanTag> = vec![];
    for (i, text) in lines {
        let line = i + 1;
        if text.trim().is_empty() {
            continue;
        }
        let cells = split_csv_line(text, ',').map_err(|e| format!("plan tags line {line}: {e}"))?;
        if cells.len() != header.len() {
            return Err(format!(
                "plan tags line {line}: {} fields, the header has {}",
                cells.len(),
                header.len()
            ));
        }
        let cell = |c: usize| cells[at[c]].clone();
        let key = cell(0);
        if !valid_tag_key(&key) {
            return Err(format!(
                "plan tags line {line}: key '{key}' must be lower-case letters, digits and _"
            ));
        }
        if out.iter().any(|t| t.key == key) {
            return Err(format!("plan tags line {line}: duplicate key '{key}'"));
        }
        let (fi, sv, en) = (cell(1), cell(2), cell(3));
        if fi.trim().is_empty() || sv.trim().is_empty() || en.trim().is_empty() {
            return Err(format!(
                "plan tags line {line}: every tag needs a Finnish, Swedish and English name"
            ));
        }
        out.push(PlanTag {
            key,
            fi,
            sv,
            en,
            law: cell(4),
        });
    }
    Ok(out)
}

/// The shipped tags (parsed once; a broken file is caught by the unit test).
pub fn plan_tags() -> &'static [PlanTag] {
    static T: OnceLock<Vec<PlanTag>> = OnceLock::new();
    T.get_or_init(|| parse_tags(PLAN_TAGS_CSV).unwrap_or_default())
}

/// A tag's name in a language (the key itself for an unknown tag).
pub fn tag_name(key: &str, lang: &str) -> String {
    plan_tags()
        .iter()
        .find(|t| t.key == key)
        .map(|t| t.name(lang).to_string())
        .unwrap_or_else(|| key.to_string())
}

/// Checks typed tag keys against the shipped tags: blanks dropped, duplicates merged,
/// order kept.
pub fn check_tags(tags: &[String]) -> AppResult<Vec<String>> {
    let mut out: Vec<String> = vec![];
    for t in tags {
        let t = t.trim();
        if t.is_empty() {
            continue;
        }
        if !plan_tags().iter().any(|x| x.key == t) {
            let known = plan_tags()
                .iter()
                .map(|x| x.key.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            return Err(AppError::Refused(
                Refusal::new(
                    "plan-error-tag",
                    format!("'{t}' is not a plan tag: use one of {known}"),
                )
                .arg("tag", t),
            ));
        }
        if !out.iter().any(|x| x == t) {
            out.push(t.to_string());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_tags_parse() {
        let t = parse_tags(PLAN_TAGS_CSV).unwrap();
        assert_eq!(t.len(), 7);
        assert!(t.iter().any(|x| x.key == "children_youth"));
        let eq = t.iter().find(|x| x.key == "equality").unwrap();
        assert!(eq.law.contains("609/1986"), "{}", eq.law);
        assert!(parse_tags("key,name_fi,name_sv,name_en,law\nBad Key,a,b,c,\n").is_err());
        assert!(parse_tags("key,name_fi,name_sv,name_en,law\na,x,y,z,\na,x,y,z,\n").is_err());
        let quoted = parse_tags("key,name_fi,name_sv,name_en,law\na,\"x, y\",y,z,\n").unwrap();
        assert_eq!(quoted[0].fi, "x, y");
    }

    #[test]
    fn unknown_tags_are_refused() {
        assert_eq!(
            check_tags(&[
                " children_youth ".into(),
                "".into(),
                "children_youth".into()
            ])
            .unwrap(),
            vec!["children_youth".to_string()]
        );
        let e = check_tags(&["nope".into()]).unwrap_err();
        assert_eq!(e.refusal().unwrap().key, "plan-error-tag");
        assert!(e.to_string().contains("plan tag"));
    }
}
