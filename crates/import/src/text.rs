//! Byte- and cell-level helpers shared by the CSV and JSON readers.
//!
//! The CSV hot path works on raw bytes (`csv::ByteRecord`) so that ten million rows
//! can be read without a `String` per cell; these helpers turn single cells into
//! typed values with precise errors.

use std::borrow::Cow;

use hyte_domain::{RegionCategory, Sex};

use crate::ImportError;

/// The UTF-8 byte-order mark some Windows tools (and Excel) put at the start of files.
pub(crate) const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// The lowest and highest statistical year accepted; anything outside is a typo or a
/// unit mix-up (e.g. a value in the year column), not a real year.
pub(crate) const YEAR_MIN: i32 = 1900;
/// See [`YEAR_MIN`].
pub(crate) const YEAR_MAX: i32 = 2100;

/// Removes a leading UTF-8 byte-order mark.
pub(crate) fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes)
}

/// Decodes one cell or line: UTF-8 when valid, otherwise Windows-1252.
///
/// Done per cell rather than per file because the streaming reader cannot look at the
/// whole file first; Sotkanet's web export has been seen in Windows-1252, and a byte
/// sequence that is valid UTF-8 is practically never intended as Windows-1252 text.
pub(crate) fn decode(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            text
        }
    }
}

/// Decodes and trims a cell into an owned string.
pub(crate) fn decode_owned(bytes: &[u8]) -> String {
    decode(bytes.trim_ascii()).trim().to_string()
}

/// Lower-cases a header label and folds the separators clients use in column names
/// (`primary.value`, `primary_value`, `Primary value`) to single spaces.
pub(crate) fn normalise_label(label: &str) -> String {
    let lowered = label.trim().to_lowercase();
    let mut out = String::with_capacity(lowered.len());
    let mut last_space = true;
    for ch in lowered.chars() {
        let ch = if matches!(ch, '.' | '_' | '-' | '\u{a0}') || ch.is_whitespace() {
            ' '
        } else {
            ch
        };
        if ch == ' ' {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
        } else {
            out.push(ch);
            last_space = false;
        }
    }
    while out.ends_with(' ') {
        out.pop();
    }
    out
}

/// Parses an optionally signed run of ASCII digits; `None` for anything else.
pub(crate) fn parse_int(bytes: &[u8]) -> Option<i64> {
    let (neg, digits) = match bytes.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, bytes),
    };
    if digits.is_empty() || digits.len() > 18 {
        return None;
    }
    let mut n: i64 = 0;
    for &b in digits {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n * 10 + i64::from(b - b'0');
    }
    Some(if neg { -n } else { n })
}

/// Shows a cell in an error message: decoded, trimmed and cut to a readable length.
pub(crate) fn show(bytes: &[u8]) -> String {
    let text = decode(bytes.trim_ascii());
    let text = text.trim();
    if text.chars().count() > 40 {
        let cut: String = text.chars().take(40).collect();
        format!("{cut}…")
    } else {
        text.to_string()
    }
}

/// An indicator id: a positive whole number.
pub(crate) fn parse_indicator(bytes: &[u8], line: usize, field: &str) -> Result<i64, ImportError> {
    let cell = bytes.trim_ascii();
    if cell.is_empty() {
        return Err(ImportError::at_field(
            line,
            field,
            "the indicator id is missing",
        ));
    }
    match parse_int(cell) {
        Some(n) if n > 0 => Ok(n),
        _ => Err(ImportError::at_field(
            line,
            field,
            format!(
                "'{}' is not an indicator id (a positive whole number)",
                show(cell)
            ),
        )),
    }
}

/// Checks that a year is within [`YEAR_MIN`]..=[`YEAR_MAX`].
pub(crate) fn check_year(year: i64, line: usize, field: &str) -> Result<i32, ImportError> {
    if (i64::from(YEAR_MIN)..=i64::from(YEAR_MAX)).contains(&year) {
        // The range check above makes the conversion lossless.
        Ok(year as i32)
    } else {
        Err(ImportError::at_field(
            line,
            field,
            format!("{year} is not a year between {YEAR_MIN} and {YEAR_MAX}"),
        ))
    }
}

/// A statistical year cell.
pub(crate) fn parse_year(bytes: &[u8], line: usize, field: &str) -> Result<i32, ImportError> {
    let cell = bytes.trim_ascii();
    if cell.is_empty() {
        return Err(ImportError::at_field(line, field, "the year is missing"));
    }
    match parse_int(cell) {
        Some(y) => check_year(y, line, field),
        None => Err(ImportError::at_field(
            line,
            field,
            format!("'{}' is not a year", show(cell)),
        )),
    }
}

/// A gender cell: the API words first (fast, no allocation), then the Finnish,
/// Swedish and English words the domain accepts.
pub(crate) fn parse_sex(bytes: &[u8], line: usize, field: &str) -> Result<Sex, ImportError> {
    let cell = bytes.trim_ascii();
    match cell {
        b"total" => return Ok(Sex::Total),
        b"male" => return Ok(Sex::Male),
        b"female" => return Ok(Sex::Female),
        // The web export's Finnish words, spelled out so they skip the allocating
        // case-folding path too.
        b"yhteens\xc3\xa4" => return Ok(Sex::Total),
        b"miehet" => return Ok(Sex::Male),
        b"naiset" => return Ok(Sex::Female),
        _ => {}
    }
    sex_from_str(&decode(cell), line, field)
}

/// Gender from text, with the crate's error wording.
pub(crate) fn sex_from_str(text: &str, line: usize, field: &str) -> Result<Sex, ImportError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(ImportError::at_field(line, field, "the gender is missing"));
    }
    text.parse::<Sex>().map_err(|_| {
        ImportError::at_field(
            line,
            field,
            format!(
                "'{text}' is not a known gender (expected total, male, female or yhteensä, miehet, naiset)"
            ),
        )
    })
}

/// How a numeric cell may be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decimal {
    /// Only `4.7` (comma-separated files, where a comma cannot be a decimal mark).
    Point,
    /// `4.7` or `4,7`, with optional space or no-break-space digit grouping
    /// (`1 532`): the forms a Finnish spreadsheet or web export produces.
    PointOrComma,
}

/// A numeric cell; an empty cell is a missing value (`None`), not an error.
pub(crate) fn parse_number(
    bytes: &[u8],
    mode: Decimal,
    line: usize,
    field: &str,
) -> Result<Option<f64>, ImportError> {
    let cell = bytes.trim_ascii();
    if cell.is_empty() {
        return Ok(None);
    }
    // Fast path: plain ASCII number as the API writes it.
    let plain = cell
        .iter()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'));
    let parsed = if plain {
        std::str::from_utf8(cell)
            .ok()
            .and_then(|s| s.parse::<f64>().ok())
    } else if mode == Decimal::PointOrComma {
        let text = decode(cell);
        let mut cleaned: String = text
            .chars()
            .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
            .collect();
        // Finnish exports also write a minus sign as U+2212.
        cleaned = cleaned.replace('\u{2212}', "-");
        if cleaned.contains(',') && cleaned.contains('.') {
            // "1.234,5" or "1,234.5": which mark is the decimal one is a guess we
            // refuse to make.
            None
        } else {
            cleaned.replace(',', ".").parse::<f64>().ok()
        }
    } else {
        None
    };
    match parsed {
        Some(v) if v.is_finite() => Ok(Some(v)),
        Some(_) => Err(ImportError::at_field(
            line,
            field,
            format!("'{}' is not a finite number", show(cell)),
        )),
        None => Err(ImportError::at_field(
            line,
            field,
            match mode {
                Decimal::Point => format!(
                    "'{}' is not a number (write e.g. 4.7; leave the cell empty for a missing value)",
                    show(cell)
                ),
                Decimal::PointOrComma => format!(
                    "'{}' is not a number (write e.g. 4.7 or 4,7; leave the cell empty for a missing value)",
                    show(cell)
                ),
            },
        )),
    }
}

/// Checks an absolute value (a count behind the primary value): never negative.
pub(crate) fn check_abs(
    abs: Option<f64>,
    line: usize,
    field: &str,
) -> Result<Option<f64>, ImportError> {
    match abs {
        Some(v) if v < 0.0 => Err(ImportError::at_field(
            line,
            field,
            format!("the absolute value {v} is negative; it is a count and must be 0 or more"),
        )),
        other => Ok(other),
    }
}

/// What a region-level word (a Sotkanet `category`, a metadata
/// `classifications.region.values` entry, or a web-export "alueryhmä" cell) means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Level {
    /// A level Hyte stores.
    Stored(RegionCategory),
    /// A real Sotkanet level that Hyte does not store (hospital districts, ERVA, ...).
    Other,
}

/// Maps a region-level word in Finnish, Swedish or English, or an upper-case Sotkanet
/// category code, to a [`Level`]; `None` when the word is not a known level.
pub(crate) fn region_level(word: &str) -> Option<Level> {
    let w = normalise_label(word);
    let stored = match w.as_str() {
        "kunta" | "kunnat" | "kommun" | "kommuner" | "municipality" | "municipalities" => {
            Some(RegionCategory::Kunta)
        }
        "hyvinvointialue"
        | "hyvinvointialueet"
        | "välfärdsområde"
        | "välfärdsområden"
        | "wellbeing services county"
        | "wellbeing services counties"
        | "the wellbeing services county"
        | "hva" => Some(RegionCategory::Hyvinvointialue),
        "maakunta" | "maakunnat" | "landskap" | "region" | "regions" => {
            Some(RegionCategory::Maakunta)
        }
        "seutukunta"
        | "seutukunnat"
        | "ekonomisk region"
        | "ekonomiska regioner"
        | "sub region"
        | "sub regions"
        | "subregion" => Some(RegionCategory::Seutukunta),
        "maa" | "koko maa" | "hela landet" | "whole country" | "country" | "land" => {
            Some(RegionCategory::Maa)
        }
        _ => None,
    };
    if let Some(cat) = stored {
        return Some(Level::Stored(cat));
    }
    let other = matches!(
        w.as_str(),
        "sairaanhoitopiiri"
            | "sairaanhoitopiirit"
            | "sjukvårdsdistrikt"
            | "hospital district"
            | "hospital districts"
            | "erva"
            | "erityisvastuualue"
            | "specialupptagningsområde"
            | "university hospital special responsibility area"
            | "aluehallintovirasto"
            | "aluehallintoviraston alue"
            | "aluehallintovirastot"
            | "avi"
            | "regionförvaltningsverk"
            | "regionförvaltningsverket"
            | "area for the regional state administrative agency"
            | "nuts1"
            | "manner suomi/ahvenanmaa"
            | "fastlandsfinland/åland"
            | "mainland finland/åland"
            | "suuralue"
            | "suuralueet"
            | "storområde"
            | "major region"
            | "yhteistyöalue"
            | "yhteistyöalueet"
            | "samarbetsområde"
            | "collaborative area"
            | "yta"
            | "ely keskus"
            | "ely"
            | "närings, trafik och miljöcentral"
            | "ely centre"
            | "euralueet"
            | "euroalueet"
            | "pohjoismaat"
            | "nordiska länder"
            | "nordic countries"
            | "eurooppa"
            | "europa"
            | "europe"
    );
    if other {
        Some(Level::Other)
    } else {
        None
    }
}

/// Names a region column may hold for the whole country in Sotkanet's web export
/// and similar files.
pub(crate) fn is_whole_country_name(name: &str) -> bool {
    matches!(
        normalise_label(name).as_str(),
        "koko maa"
            | "hela landet"
            | "whole country"
            | "entire country"
            | "koko suomi"
            | "suomi"
            | "finland"
            | "hela finland"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        let p = |s: &str, m| parse_number(s.as_bytes(), m, 1, "v");
        assert_eq!(p("4.7", Decimal::Point).unwrap(), Some(4.7));
        assert_eq!(p(" ", Decimal::Point).unwrap(), None);
        assert_eq!(p("4,7", Decimal::PointOrComma).unwrap(), Some(4.7));
        assert_eq!(p("1 532", Decimal::PointOrComma).unwrap(), Some(1532.0));
        assert_eq!(p("−1,5", Decimal::PointOrComma).unwrap(), Some(-1.5));
        assert!(p("4,7", Decimal::Point).is_err());
        assert!(p("1.234,5", Decimal::PointOrComma).is_err());
        assert!(p("NaN", Decimal::PointOrComma).is_err());
        assert!(p("inf", Decimal::Point).is_err());
        assert!(p("1e999", Decimal::Point).is_err());
        assert!(p(",", Decimal::PointOrComma).is_err());
    }

    #[test]
    fn labels() {
        assert_eq!(normalise_label(" Primary.Value "), "primary value");
        assert_eq!(normalise_label("absolute_value"), "absolute value");
        assert_eq!(normalise_label("Alueen  koodi"), "alueen koodi");
    }

    #[test]
    fn levels() {
        assert_eq!(
            region_level("Koko maa"),
            Some(Level::Stored(RegionCategory::Maa))
        );
        assert_eq!(
            region_level("HYVINVOINTIALUE"),
            Some(Level::Stored(RegionCategory::Hyvinvointialue))
        );
        assert_eq!(region_level("Sairaanhoitopiiri"), Some(Level::Other));
        assert_eq!(region_level("ELY-KESKUS"), Some(Level::Other));
        assert_eq!(region_level("planet"), None);
    }

    #[test]
    fn windows_1252_cells() {
        assert_eq!(decode(b"yhteens\xe4"), "yhteensä");
        assert_eq!(decode("yhteensä".as_bytes()), "yhteensä");
    }
}
