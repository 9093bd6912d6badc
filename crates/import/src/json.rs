//! JSON helpers and the Sotkanet `/json` data-point reader.

use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::error::from_json_error;
use crate::text::{check_abs, check_year, sex_from_str};
use crate::{DataRow, ImportError, RegionRef};

/// One element of a top-level JSON array with the line it starts on.
pub(crate) struct Element<'a> {
    /// 1-based line of the element's first character.
    pub line: usize,
    /// 1-based position in the array, for one-line files where the line says little.
    pub index: usize,
    /// The element's JSON text.
    pub raw: &'a RawValue,
}

/// The first non-whitespace byte and its offset.
pub(crate) fn first_token(bytes: &[u8]) -> Option<(usize, u8)> {
    bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .map(|i| (i, bytes[i]))
}

/// Counts the lines before `offset` (1-based line of that offset).
fn line_at(bytes: &[u8], from: (usize, usize), offset: usize) -> usize {
    let (start, line) = from;
    line + bytes[start..offset].iter().filter(|&&b| b == b'\n').count()
}

/// A short description of a JSON value's type for messages.
pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Splits a top-level JSON array into its elements without building a tree of the
/// whole file, recording where each element starts.
///
/// `what` names the expected content for the error when the file is not an array.
pub(crate) fn array_elements<'a>(
    bytes: &'a [u8],
    what: &str,
) -> Result<Vec<Element<'a>>, ImportError> {
    match first_token(bytes) {
        Some((_, b'[')) => {}
        Some((i, b'{')) => {
            return Err(ImportError::at_line(
                line_at(bytes, (0, 1), i),
                format!("{what} must be a JSON array of objects ([{{…}}, {{…}}]), but the file is a single object"),
            ))
        }
        Some((i, _)) => {
            return Err(ImportError::at_line(
                line_at(bytes, (0, 1), i),
                format!("{what} must be a JSON array of objects ([{{…}}, {{…}}])"),
            ))
        }
        None => return Err(ImportError::file("the file is empty")),
    }
    let raws: Vec<&RawValue> = serde_json::from_slice(bytes).map_err(|e| from_json_error(&e, 0))?;
    let base = bytes.as_ptr() as usize;
    let mut cursor = (0usize, 1usize);
    let mut out = Vec::with_capacity(raws.len());
    for (i, raw) in raws.into_iter().enumerate() {
        // The raw text borrows from `bytes`, so its address gives its offset; fall
        // back to the previous position should that ever not hold.
        let offset = (raw.get().as_ptr() as usize)
            .checked_sub(base)
            .filter(|&o| o <= bytes.len() && o >= cursor.0)
            .unwrap_or(cursor.0);
        let line = line_at(bytes, cursor, offset);
        cursor = (offset, line);
        out.push(Element {
            line,
            index: i + 1,
            raw,
        });
    }
    Ok(out)
}

/// Parses one array element as an object.
pub(crate) fn element_object(el: &Element<'_>) -> Result<Map<String, Value>, ImportError> {
    let value: Value =
        serde_json::from_str(el.raw.get()).map_err(|e| from_json_error(&e, el.line - 1))?;
    match value {
        Value::Object(map) => Ok(map),
        other => Err(ImportError::at_line(
            el.line,
            format!(
                "element {} of the array is {}, expected an object",
                el.index,
                kind(&other)
            ),
        )),
    }
}

/// Context for reading fields of one JSON object with precise errors.
pub(crate) struct Fields<'m> {
    pub map: &'m Map<String, Value>,
    pub line: Option<usize>,
    /// Added to messages (e.g. "object 12 in the array") when lines are not telling.
    pub whereabouts: String,
    /// Prefix for nested field names, e.g. `primaryValueType.`.
    pub prefix: String,
}

impl<'m> Fields<'m> {
    pub(crate) fn error(&self, key: &str, reason: impl Into<String>) -> ImportError {
        let mut reason = reason.into();
        if !self.whereabouts.is_empty() {
            reason.push_str(&format!(" ({})", self.whereabouts));
        }
        ImportError {
            line: self.line,
            field: Some(format!("{}{key}", self.prefix)),
            reason,
        }
    }

    /// The value of the first present, non-null key of `keys`.
    pub(crate) fn get(&self, keys: &[&str]) -> Option<(&'m str, &'m Value)> {
        keys.iter().find_map(|k| {
            self.map
                .get_key_value(*k)
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.as_str(), v))
        })
    }

    /// A whole number; a float with no fractional part is accepted.
    pub(crate) fn int_of(&self, key: &str, v: &Value) -> Result<i64, ImportError> {
        as_int(v).ok_or_else(|| match v {
            Value::Number(n) => self.error(key, format!("{n} is not a whole number")),
            other => self.error(
                key,
                format!("expected a whole number, found {}", kind(other)),
            ),
        })
    }

    /// A required whole number; `{ "id": n }` is accepted too because some clients
    /// expand `indicator` and `region` into objects.
    pub(crate) fn req_id(&self, key: &str) -> Result<i64, ImportError> {
        match self.get(&[key]) {
            None => Err(self.error(key, "the field is missing")),
            Some((k, Value::Object(inner))) => match inner.get("id") {
                Some(id) => self.int_of(k, id),
                None => Err(self.error(k, "expected a number, found an object without 'id'")),
            },
            Some((k, v)) => self.int_of(k, v),
        }
    }

    /// An optional finite number; `null` or absence is `None`.
    pub(crate) fn opt_number(&self, keys: &[&str]) -> Result<Option<f64>, ImportError> {
        match self.get(keys) {
            None => Ok(None),
            Some((k, Value::Number(n))) => match n.as_f64() {
                Some(f) if f.is_finite() => Ok(Some(f)),
                _ => Err(self.error(k, format!("{n} is not a finite number"))),
            },
            Some((k, other)) => {
                Err(self.error(k, format!("expected a number, found {}", kind(other))))
            }
        }
    }

    /// An optional string; `null` or absence is `None`.
    pub(crate) fn opt_str(&self, key: &str) -> Result<Option<&'m str>, ImportError> {
        match self.get(&[key]) {
            None => Ok(None),
            Some((_, Value::String(s))) => Ok(Some(s.as_str())),
            Some((k, other)) => Err(self.error(k, format!("expected text, found {}", kind(other)))),
        }
    }
}

/// A JSON number as an exact whole number.
pub(crate) fn as_int(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                .map(|f| f as i64)
        }),
        _ => None,
    }
}

/// Reads Sotkanet `/json` data points (duplicates are checked by the caller).
pub(crate) fn data_points(bytes: &[u8]) -> Result<Vec<(DataRow, usize)>, ImportError> {
    let elements = array_elements(bytes, "a Sotkanet data file")?;
    let mut rows = Vec::with_capacity(elements.len());
    for el in &elements {
        let map = element_object(el)?;
        let f = Fields {
            map: &map,
            line: Some(el.line),
            whereabouts: format!("object {} in the array", el.index),
            prefix: String::new(),
        };
        let indicator = f.req_id("indicator")?;
        if indicator <= 0 {
            return Err(f.error("indicator", format!("{indicator} is not an indicator id")));
        }
        let region = f.req_id("region")?;
        let year = match f.get(&["year"]) {
            None => return Err(f.error("year", "the field is missing")),
            Some((k, v)) => {
                let y = f.int_of(k, v)?;
                check_year(y, el.line, k).map_err(|e| f.error(k, e.reason))?
            }
        };
        let sex = match f.get(&["gender"]) {
            None => return Err(f.error("gender", "the field is missing")),
            Some((k, Value::String(s))) => {
                sex_from_str(s, el.line, k).map_err(|e| f.error(k, e.reason))?
            }
            Some((k, other)) => {
                return Err(f.error(k, format!("expected text, found {}", kind(other))))
            }
        };
        let value = f.opt_number(&["value", "primaryValue", "primary value"])?;
        let abs_keys = [
            "absValue",
            "absvalue",
            "abs_value",
            "absoluteValue",
            "absolute value",
        ];
        let abs_value = f.opt_number(&abs_keys)?;
        let abs_key = f.get(&abs_keys).map_or("absValue", |(k, _)| k);
        let abs_value =
            check_abs(abs_value, el.line, abs_key).map_err(|e| f.error(abs_key, e.reason))?;
        rows.push((
            DataRow {
                line: el.line,
                indicator,
                region: RegionRef::SotkanetId(region),
                region_name: None,
                year,
                sex,
                value,
                abs_value,
            },
            el.index,
        ));
    }
    Ok(rows)
}
