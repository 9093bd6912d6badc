//! Sotkanet `/regions`.

use std::collections::HashMap;

use hyte_domain::{RegionCategory, RegionKey};
use serde_json::Value;

use crate::html::plain_text;
use crate::json::{array_elements, element_object, kind, Fields};
use crate::ImportError;

/// Where a Sotkanet region lands in Hyte.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub enum RegionRefKey {
    /// A region of a category Hyte stores, under its validated key. Every `MAA`
    /// region maps to [`RegionKey::country`] (`MAA:SSS`) whatever code Sotkanet uses.
    Key(RegionKey),
    /// A category Hyte does not store (hospital districts, ERVA, AVI, ...): kept so
    /// data rows pointing at it can be recognised and skipped, not reported as
    /// unknown regions.
    Other {
        /// Sotkanet's category code, as given (e.g. `SAIRAANHOITOPIIRI`).
        category: String,
        /// Sotkanet's code, as given.
        code: String,
    },
}

/// One region of `/regions`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SotkanetRegion {
    /// 1-based line where the region's object starts.
    pub line: usize,
    /// Sotkanet's internal id, the `region` of data points; valid for one import run.
    pub sotkanet_id: i64,
    /// Hyte's key for it, or the foreign category.
    pub key: RegionRefKey,
    /// The code exactly as Sotkanet gave it (for `MAA` this differs from the key).
    pub sotkanet_code: String,
    /// Finnish name (plain text; empty if missing).
    pub title_fi: String,
    /// Swedish name (plain text; empty if missing).
    pub title_sv: String,
    /// English name (plain text; empty if missing).
    pub title_en: String,
    /// Ids of the regions this one belongs to (`memberOf`).
    pub member_of: Vec<i64>,
    /// YSO place URI, when given.
    pub uri: Option<String>,
}

/// Reads `/regions`, enforcing code widths for the categories Hyte stores.
pub(crate) fn regions(bytes: &[u8]) -> Result<Vec<SotkanetRegion>, ImportError> {
    let elements = array_elements(bytes, "a region list")?;
    let mut ids: HashMap<i64, usize> = HashMap::new();
    let mut keys: HashMap<RegionKey, usize> = HashMap::new();
    let mut out = Vec::with_capacity(elements.len());
    for el in &elements {
        let map = element_object(el)?;
        let f = Fields {
            map: &map,
            line: Some(el.line),
            whereabouts: format!("object {} in the array", el.index),
            prefix: String::new(),
        };
        let id = f.req_id("id")?;
        let code = match f.get(&["code"]) {
            None => return Err(f.error("code", "the field is missing")),
            Some((_, Value::String(s))) => s.trim().to_string(),
            Some((k, other)) => {
                return Err(f.error(
                    k,
                    format!(
                        "expected the code as text (numbers lose leading zeros), found {}",
                        kind(other)
                    ),
                ))
            }
        };
        let category = match f.opt_str("category")? {
            Some(c) if !c.trim().is_empty() => c.trim().to_string(),
            _ => return Err(f.error("category", "the field is missing")),
        };
        let key = match category.parse::<RegionCategory>() {
            Ok(RegionCategory::Maa) => RegionRefKey::Key(RegionKey::country()),
            // Strict: the API pads codes ("091"), so a short code is a real defect
            // (SOTKANET.md 7.1), not something to repair by padding.
            Ok(cat) => RegionRefKey::Key(
                RegionKey::new(cat, &code).map_err(|e| f.error("code", e.to_string()))?,
            ),
            Err(_) => RegionRefKey::Other {
                category: category.clone(),
                code: code.clone(),
            },
        };
        if let Some(first) = ids.insert(id, el.line) {
            return Err(f.error(
                "id",
                format!("region id {id} appears twice (first on line {first})"),
            ));
        }
        if let RegionRefKey::Key(k) = &key {
            if let Some(first) = keys.insert(k.clone(), el.line) {
                return Err(f.error(
                    "code",
                    format!("two regions map to {k} (the other one is on line {first}); Hyte will not guess which is meant"),
                ));
            }
        }
        let title = |lang: &str| -> Result<String, ImportError> {
            match f.get(&["title"]) {
                None => Ok(String::new()),
                Some((_, Value::Object(m))) => match m.get(lang) {
                    None | Some(Value::Null) => Ok(String::new()),
                    Some(Value::String(s)) => Ok(plain_text(s).unwrap_or_default()),
                    Some(other) => Err(f.error(
                        &format!("title.{lang}"),
                        format!("expected text, found {}", kind(other)),
                    )),
                },
                Some((k, other)) => Err(f.error(
                    k,
                    format!(
                        "expected an object with fi/sv/en texts, found {}",
                        kind(other)
                    ),
                )),
            }
        };
        let member_of = match f.get(&["memberOf"]) {
            None => Vec::new(),
            Some((k, Value::Array(items))) => items
                .iter()
                .map(|v| f.int_of(k, v))
                .collect::<Result<Vec<_>, _>>()?,
            Some((k, other)) => {
                return Err(f.error(
                    k,
                    format!("expected a list of region ids, found {}", kind(other)),
                ))
            }
        };
        out.push(SotkanetRegion {
            line: el.line,
            sotkanet_id: id,
            key,
            sotkanet_code: code,
            title_fi: title("fi")?,
            title_sv: title("sv")?,
            title_en: title("en")?,
            member_of,
            uri: f
                .opt_str("uri")?
                .map(str::trim)
                .filter(|u| !u.is_empty())
                .map(String::from),
        });
    }
    Ok(out)
}
