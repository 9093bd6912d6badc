//! Indicator catalogue (`/indicators`) and indicator metadata (`/indicators/{id}`).

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use hyte_domain::{RegionCategory, Sex, ValueUnit};
use serde_json::{Map, Value};

use crate::error::from_json_error;
use crate::html::{plain_text, sanitize_html};
use crate::json::{array_elements, element_object, kind, Fields};
use crate::text::{region_level, sex_from_str, Level, YEAR_MAX, YEAR_MIN};
use crate::ImportError;

/// A text in Finnish, Swedish and English; a language that is missing or blank in
/// the source is `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct LocalizedText {
    /// Finnish.
    pub fi: Option<String>,
    /// Swedish.
    pub sv: Option<String>,
    /// English.
    pub en: Option<String>,
}

impl LocalizedText {
    /// The text in `lang` (`"fi"`, `"sv"` or `"en"`), if present.
    pub fn get(&self, lang: &str) -> Option<&str> {
        match lang {
            "fi" => self.fi.as_deref(),
            "sv" => self.sv.as_deref(),
            "en" => self.en.as_deref(),
            _ => None,
        }
    }

    /// The text in `lang`, else Finnish, else English, else Swedish: Sotkanet's
    /// Finnish text is the most complete, which is why it is the first fallback.
    pub fn best(&self, lang: &str) -> Option<&str> {
        self.get(lang)
            .or(self.fi.as_deref())
            .or(self.en.as_deref())
            .or(self.sv.as_deref())
    }

    /// Whether no language has text.
    pub fn is_empty(&self) -> bool {
        self.fi.is_none() && self.sv.is_none() && self.en.is_none()
    }
}

/// A date as `YYYY-MM-DD` (Sotkanet's `data-updated`), validated as a real calendar
/// date. Ordered chronologically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IsoDate {
    /// Year.
    pub year: i32,
    /// Month, 1–12.
    pub month: u8,
    /// Day of month, 1–31 as the month allows.
    pub day: u8,
}

impl FromStr for IsoDate {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("'{s}' is not a date of the form YYYY-MM-DD");
        let b = s.trim().as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(bad());
        }
        let num = |r: std::ops::Range<usize>| -> Option<u32> {
            let part = &b[r];
            if part.iter().all(u8::is_ascii_digit) {
                std::str::from_utf8(part).ok()?.parse().ok()
            } else {
                None
            }
        };
        let (Some(year), Some(month), Some(day)) = (num(0..4), num(5..7), num(8..10)) else {
            return Err(bad());
        };
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return Err(format!("'{s}' has no month {month}")),
        };
        if day == 0 || day > days {
            return Err(format!("'{s}' is not a real date (day {day})"));
        }
        Ok(IsoDate {
            year: year as i32,
            month: month as u8,
            day: day as u8,
        })
    }
}

/// Serialised as the `YYYY-MM-DD` text it was read from.
impl serde::Serialize for IsoDate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl fmt::Display for IsoDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// An indicator's producer (`organization`), e.g. 2 = THL, 3 = Statistics Finland.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Organization {
    /// Sotkanet's organisation id, when given.
    pub id: Option<i64>,
    /// The producer's name (plain text).
    pub title: LocalizedText,
}

/// One entry of the `/indicators` catalogue.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct IndicatorStub {
    /// 1-based line where the entry starts.
    pub line: usize,
    /// Sotkanet indicator id.
    pub id: i64,
    /// Title (plain text).
    pub title: LocalizedText,
    /// Producer, when given.
    pub organization: Option<Organization>,
}

/// The unit of the primary value (`primaryValueType`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PrimaryValueType {
    /// The code exactly as Sotkanet gives it (`PER100000`, `PROS`, `INDEKSI`, ...):
    /// an open set, stored as text.
    pub code: String,
    /// The code interpreted as a Hyte unit (unknown codes stay `ValueUnit::Other`).
    pub unit: ValueUnit,
    /// The unit's name (plain text).
    pub title: LocalizedText,
}

/// The first and last year with data (`range`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct YearRange {
    /// First year.
    pub start: i32,
    /// Last year (inclusive).
    pub end: i32,
}

/// Indicator metadata from `/indicators/{id}`.
///
/// `title` is plain text; `description`, `interpretation`, `limits`, `legislation`
/// and `notices` are HTML sanitised by [`sanitize_html`](crate::sanitize_html) and
/// safe to insert as markup. Every field but `id` is optional in the source; a
/// missing one is `None` (or empty), a malformed one is an error.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct IndicatorMeta {
    /// Sotkanet indicator id.
    pub id: i64,
    /// Title (plain text).
    pub title: LocalizedText,
    /// What the indicator measures (sanitised HTML).
    pub description: LocalizedText,
    /// How to read it (sanitised HTML).
    pub interpretation: LocalizedText,
    /// Known limitations, including small-number handling (sanitised HTML).
    pub limits: LocalizedText,
    /// Related legislation (sanitised HTML).
    pub legislation: LocalizedText,
    /// Notices, often pointers to related indicators (sanitised HTML).
    pub notices: LocalizedText,
    /// Unit of the primary value.
    pub primary_value_type: Option<PrimaryValueType>,
    /// Display precision of the value.
    pub decimals: Option<u32>,
    /// Date of the last data change; drives incremental import.
    pub data_updated: Option<IsoDate>,
    /// First and last year with data.
    pub range: Option<YearRange>,
    /// Genders with data (`classifications.sex.values`); `None` when the metadata has
    /// no sex classification at all.
    pub sex_values: Option<Vec<Sex>>,
    /// Region levels with data (`classifications.region.values`) exactly as given,
    /// e.g. `"Kunta"`, `"Sairaanhoitopiiri"`; see
    /// [`IndicatorMeta::region_categories`].
    pub region_levels: Option<Vec<String>>,
    /// Producer of the indicator.
    pub organization: Option<Organization>,
    /// Ids in Sotkanet's `/groups` tree.
    pub groups: Vec<i64>,
}

impl IndicatorMeta {
    /// The listed region levels that Hyte stores, mapped to categories (other levels
    /// such as hospital districts are left out).
    pub fn region_categories(&self) -> Vec<RegionCategory> {
        let mut out: Vec<RegionCategory> = self
            .region_levels
            .iter()
            .flatten()
            .filter_map(|l| match region_level(l) {
                Some(Level::Stored(c)) => Some(c),
                _ => None,
            })
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

/// Maps a Sotkanet region-level name (`"Kunta"`, `"Maa"`, `"Hyvinvointialue"`, the
/// upper-case category codes, and the Swedish/English words) to a category Hyte
/// stores; `None` for other or unknown levels.
pub fn category_from_level_name(name: &str) -> Option<RegionCategory> {
    match region_level(name) {
        Some(Level::Stored(c)) => Some(c),
        _ => None,
    }
}

/// Reads a `{fi, sv, en}` object; `clean` turns each text into its stored form.
fn localized(
    f: &Fields<'_>,
    key: &str,
    clean: fn(&str) -> Option<String>,
) -> Result<LocalizedText, ImportError> {
    match f.get(&[key]) {
        None => Ok(LocalizedText::default()),
        // A bare string is taken as Finnish rather than refused: it has been seen in
        // hand-made files and losing the text would be worse.
        Some((_, Value::String(s))) => Ok(LocalizedText {
            fi: clean(s),
            ..LocalizedText::default()
        }),
        Some((k, Value::Object(m))) => {
            let lang = |l: &str| -> Result<Option<String>, ImportError> {
                match m.get(l) {
                    None | Some(Value::Null) => Ok(None),
                    Some(Value::String(s)) => Ok(clean(s)),
                    Some(other) => Err(f.error(
                        &format!("{k}.{l}"),
                        format!("expected text, found {}", kind(other)),
                    )),
                }
            };
            Ok(LocalizedText {
                fi: lang("fi")?,
                sv: lang("sv")?,
                en: lang("en")?,
            })
        }
        Some((k, other)) => Err(f.error(
            k,
            format!(
                "expected an object with fi/sv/en texts, found {}",
                kind(other)
            ),
        )),
    }
}

/// A nested object's fields, with the parent's name as prefix for messages.
fn nested<'m>(f: &Fields<'m>, key: &str) -> Result<Option<Fields<'m>>, ImportError> {
    match f.get(&[key]) {
        None => Ok(None),
        Some((k, Value::Object(m))) => Ok(Some(Fields {
            map: m,
            line: f.line,
            whereabouts: f.whereabouts.clone(),
            prefix: format!("{}{k}.", f.prefix),
        })),
        Some((k, other)) => Err(f.error(k, format!("expected an object, found {}", kind(other)))),
    }
}

fn organization(f: &Fields<'_>) -> Result<Option<Organization>, ImportError> {
    let Some(org) = nested(f, "organization")? else {
        return Ok(None);
    };
    let id = match org.get(&["id"]) {
        None => None,
        Some((k, v)) => Some(org.int_of(k, v)?),
    };
    let title = localized(&org, "title", plain_text)?;
    if id.is_none() && title.is_empty() {
        return Ok(None);
    }
    Ok(Some(Organization { id, title }))
}

fn indicator_id(f: &Fields<'_>) -> Result<i64, ImportError> {
    let id = f.req_id("id")?;
    if id <= 0 {
        return Err(f.error("id", format!("{id} is not an indicator id")));
    }
    Ok(id)
}

/// Reads the `/indicators` catalogue.
pub(crate) fn indicator_list(bytes: &[u8]) -> Result<Vec<IndicatorStub>, ImportError> {
    let elements = array_elements(bytes, "an indicator list")?;
    let mut seen: HashMap<i64, usize> = HashMap::new();
    let mut out = Vec::with_capacity(elements.len());
    for el in &elements {
        let map = element_object(el)?;
        let f = Fields {
            map: &map,
            line: Some(el.line),
            whereabouts: format!("object {} in the array", el.index),
            prefix: String::new(),
        };
        let id = indicator_id(&f)?;
        if let Some(first) = seen.insert(id, el.line) {
            return Err(f.error(
                "id",
                format!("indicator {id} is listed twice (first on line {first})"),
            ));
        }
        out.push(IndicatorStub {
            line: el.line,
            id,
            title: localized(&f, "title", plain_text)?,
            organization: organization(&f)?,
        });
    }
    Ok(out)
}

/// Reads one `/indicators/{id}` object.
pub(crate) fn indicator_meta(bytes: &[u8]) -> Result<IndicatorMeta, ImportError> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| from_json_error(&e, 0))?;
    let Value::Object(map) = value else {
        return Err(ImportError::file(format!(
            "indicator metadata must be one JSON object, found {}",
            kind(&value)
        )));
    };
    meta_from_map(&map)
}

fn meta_from_map(map: &Map<String, Value>) -> Result<IndicatorMeta, ImportError> {
    let f = Fields {
        map,
        line: None,
        whereabouts: String::new(),
        prefix: String::new(),
    };
    let id = indicator_id(&f)?;

    let primary_value_type = match nested(&f, "primaryValueType")? {
        None => None,
        Some(p) => match p.opt_str("code")?.map(str::trim).filter(|c| !c.is_empty()) {
            // A unit without a code cannot be interpreted; treat it as absent.
            None => None,
            Some(code) => Some(PrimaryValueType {
                code: code.to_string(),
                unit: ValueUnit::from_code(code),
                title: localized(&p, "title", plain_text)?,
            }),
        },
    };

    let decimals = match f.get(&["decimals"]) {
        None => None,
        Some((k, v)) => {
            let d = f.int_of(k, v)?;
            if !(0..=15).contains(&d) {
                return Err(f.error(k, format!("{d} is not a number of decimals (0–15)")));
            }
            Some(d as u32)
        }
    };

    let data_updated = match f.opt_str("data-updated")? {
        None => None,
        Some(s) if s.trim().is_empty() => None,
        Some(s) => Some(
            s.parse::<IsoDate>()
                .map_err(|e| f.error("data-updated", e))?,
        ),
    };

    let range = match nested(&f, "range")? {
        None => None,
        Some(r) => {
            let year = |key: &str| -> Result<Option<i32>, ImportError> {
                match r.get(&[key]) {
                    None => Ok(None),
                    Some((k, v)) => {
                        let y = r.int_of(k, v)?;
                        if !(i64::from(YEAR_MIN)..=i64::from(YEAR_MAX)).contains(&y) {
                            return Err(r.error(
                                k,
                                format!("{y} is not a year between {YEAR_MIN} and {YEAR_MAX}"),
                            ));
                        }
                        Ok(Some(y as i32))
                    }
                }
            };
            match (year("start")?, year("end")?) {
                (Some(start), Some(end)) if start > end => {
                    return Err(r.error(
                        "end",
                        format!("the range ends ({end}) before it starts ({start})"),
                    ))
                }
                (Some(start), Some(end)) => Some(YearRange { start, end }),
                // Half a range says nothing reliable about which years to expect.
                _ => None,
            }
        }
    };

    let (sex_values, region_levels) = match nested(&f, "classifications")? {
        None => (None, None),
        Some(c) => {
            let values = |key: &str| -> Result<Option<Vec<String>>, ImportError> {
                let Some(cls) = nested(&c, key)? else {
                    return Ok(None);
                };
                match cls.get(&["values"]) {
                    None => Ok(None),
                    Some((k, Value::Array(items))) => items
                        .iter()
                        .map(|v| match v {
                            Value::String(s) => Ok(s.trim().to_string()),
                            other => Err(cls.error(
                                k,
                                format!("expected a list of texts, found {} in it", kind(other)),
                            )),
                        })
                        .collect::<Result<Vec<_>, _>>()
                        .map(Some),
                    Some((k, other)) => {
                        Err(cls.error(k, format!("expected a list, found {}", kind(other))))
                    }
                }
            };
            let sex = match values("sex")? {
                None => None,
                Some(words) => {
                    let mut out = Vec::with_capacity(words.len());
                    for w in &words {
                        let s = sex_from_str(w, 0, "")
                            .map_err(|e| f.error("classifications.sex.values", e.reason))?;
                        if !out.contains(&s) {
                            out.push(s);
                        }
                    }
                    Some(out)
                }
            };
            (sex, values("region")?)
        }
    };

    let groups = match f.get(&["groups"]) {
        None => Vec::new(),
        Some((k, Value::Array(items))) => items
            .iter()
            .map(|v| f.int_of(k, v))
            .collect::<Result<Vec<_>, _>>()?,
        Some((k, other)) => {
            return Err(f.error(k, format!("expected a list of ids, found {}", kind(other))))
        }
    };

    Ok(IndicatorMeta {
        id,
        title: localized(&f, "title", plain_text)?,
        description: localized(&f, "description", sanitize_html)?,
        interpretation: localized(&f, "interpretation", sanitize_html)?,
        limits: localized(&f, "limits", sanitize_html)?,
        legislation: localized(&f, "legislation", sanitize_html)?,
        notices: localized(&f, "notices", sanitize_html)?,
        primary_value_type,
        decimals,
        data_updated,
        range,
        sex_values,
        region_levels,
        organization: organization(&f)?,
        groups,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(
            "2025-04-29".parse::<IsoDate>().unwrap().to_string(),
            "2025-04-29"
        );
        assert!("2024-02-29".parse::<IsoDate>().is_ok());
        assert!("2025-02-29".parse::<IsoDate>().is_err());
        assert!("2025-13-01".parse::<IsoDate>().is_err());
        assert!("2025-4-29".parse::<IsoDate>().is_err());
        assert!("29.4.2025".parse::<IsoDate>().is_err());
        assert!("2025-04-00".parse::<IsoDate>().is_err());
    }
}
