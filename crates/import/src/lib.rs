//! Hyte's importer: Sotkanet and Hyte data files in, typed rows out.
//!
//! This crate is **pure parsing**: it takes bytes (or any [`std::io::Read`]) and
//! returns typed rows or one precise [`ImportError`] naming the 1-based line and the
//! field. It does no HTTP, no database and no file-system access; the caller fetches
//! or opens files, adds the file name to error messages, and stores the rows.
//!
//! # Entry points
//!
//! - [`detect`]: which [`Format`] a file is, decided from its content only (never
//!   from its name).
//! - [`parse`]: detect and parse a whole file held in memory, with every validation
//!   rule including duplicate keys.
//! - [`data_rows`]: a streaming reader for large CSV data files (constant memory;
//!   duplicate keys are left to the caller).
//!
//! # Example
//!
//! ```
//! use hyte_import::{parse, data_rows, Format, Parsed, RegionRef};
//!
//! let file = b"indicator;region;year;gender;primary value;absolute value\n\
//!              5;9001;2023;total;4.7;1532\n";
//! let (format, parsed) = parse(file).unwrap();
//! assert_eq!(format, Format::SotkanetApiCsv);
//! let Parsed::Data(rows) = parsed else { unreachable!() };
//! assert_eq!(rows[0].region, RegionRef::SotkanetId(9001));
//!
//! // The same file, streamed (any `std::io::Read` works, e.g. an opened file).
//! for row in data_rows(&file[..]).unwrap() {
//!     let row = row.unwrap();
//!     assert_eq!(row.line, 2);
//! }
//!
//! // Errors name the line and the field.
//! let err = parse(b"indicator;region;year;gender;primary value\n5;9001;x;total;1\n").unwrap_err();
//! assert_eq!(err.to_string(), "line 2, field 'year': 'x' is not a year");
//! ```
//!
//! # Formats
//!
//! | [`Format`] | Recognised by | Rows |
//! |---|---|---|
//! | `SotkanetJson` | JSON array whose first object has `indicator` and `year`/`gender`/`value` (an empty array `[]` is an empty data file) | [`DataRow`] with [`RegionRef::SotkanetId`] |
//! | `SotkanetApiCsv` | `;`-separated, header with a `primary value` column (any case, `primary.value`, `primary_value`, quoted or not); also the same column order without a header when the second cell is a whole number and the third a year | [`DataRow`] with [`RegionRef::SotkanetId`] |
//! | `SotkanetWebCsv` | any other `;`-separated file (see below) | [`DataRow`] with [`RegionRef::Key`] |
//! | `SotkanetRegions` | JSON array whose first object has `category` and `code` | [`SotkanetRegion`] |
//! | `SotkanetIndicatorList` | JSON array whose first object has `id` and `title` | [`IndicatorStub`] |
//! | `SotkanetIndicatorMetadata` | one JSON object with an `id` (and no `indicator`) | [`IndicatorMeta`] |
//! | `HyteSnapshotCsv` | `,`-separated with header `indicator,region_category,region_code,region_title_fi,year,gender,value` | [`DataRow`] with [`RegionRef::Key`] |
//! | `PopulationCsv` | `,`-separated with header `sotkanet_indicator,kuntakoodi,year,population` | [`DataRow`]: `KUNTA` key, gender total, `value` = population |
//!
//! Text: a UTF-8 byte-order mark is stripped. CSV cells that are not valid UTF-8
//! are read as Windows-1252 (Sotkanet's web export and Excel write that); this is
//! decided per cell so the streaming reader needs no look-ahead. JSON must be UTF-8.
//! The delimiter is taken from the first non-blank line: `;` if it has any
//! semicolon outside quotes, else `,`. An Excel `sep=;` first line is skipped.
//! Blank lines are skipped; line numbers always count physical lines of the file.
//!
//! # Validation (every format)
//!
//! - year 1900..=2100; indicator id a positive whole number;
//! - gender `total`/`male`/`female`, or the Finnish, Swedish and English words
//!   (`yhteensä`, `miehet`, `naiset`, `totalt`, `män`, `kvinnor`, `men`, `women`);
//! - `value` finite if present; an empty CSV cell or a JSON `null`/absent `value`
//!   is a missing value (`None`), not an error;
//! - `absValue` (absolute value) 0 or more if present;
//! - in [`parse`]: the key (indicator, region, year, gender) is unique within the
//!   file; a duplicate is an error naming both lines (and, for JSON, both array
//!   positions, because API responses are often a single line).
//!
//! Extra CSV columns and unknown JSON keys are ignored, so new Sotkanet fields do not
//! break imports.
//!
//! # Sotkanet web CSV: what is assumed
//!
//! The export of Sotkanet's web service is not specified by THL, so the reader is
//! deliberately tolerant and documents each assumption:
//!
//! 1. **Separator** `;`, fields optionally quoted with `"`.
//! 2. **Header or not.** The first line is a header when at least two of its cells
//!    are known column names (case-insensitive; `.`, `_`, `-` count as spaces):
//!    - indicator id: `indikaattori`, `indikaattori id`, `indikaattorin id`,
//!      `indicator`, `indicator id`, `indikator`, `indikator id`, `id`. When a
//!      column is explicitly an *id* column, a plain `indikaattori`/`indicator`
//!      column is taken as the indicator **title** and ignored (as are
//!      `indikaattorin nimi`, `indicator title`, `indicator name`);
//!    - region name: `alue`, `alueen nimi`, `region`, `region name`, `område`,
//!      `kunta`, `kommun`, `municipality`, `area`;
//!    - region code: `aluekoodi`, `alueen koodi`, `kuntakoodi`, `koodi`, `code`,
//!      `region code`, `kod`, `områdeskod`, `kommunkod`;
//!    - region level (optional): `alueryhmä`, `aluetaso`, `aluejako`, `category`,
//!      `region category`, `region level`, `level`, `områdesnivå`, `områdesgrupp`;
//!    - year: `vuosi`, `year`, `år`; gender (optional): `sukupuoli`, `gender`,
//!      `sex`, `kön`; value: `arvo`, `value`, `värde`; absolute value (optional):
//!      `absoluuttinen arvo`, `absolute value`, `absolut värde`.
//!
//!    Indicator id, year, value and a region code or name column are required.
//!    Names are never looked up (this crate has no region table), so a file with a
//!    name column but no code column can only carry whole-country rows; other rows
//!    fail with "the region code is missing". Without a gender column every row is
//!    taken as **total**. Columns with other names are ignored.
//! 3. **Without a header** the columns are, in this order:
//!    `indicator id; region name; region code; year; gender; value; [absolute value]`.
//! 4. **Numbers** may use a decimal point or a decimal comma (`4,7`), spaces or
//!    no-break spaces as digit grouping (`1 532`) and U+2212 as minus. A cell with
//!    both `.` and `,` is refused as ambiguous.
//! 5. **Region.**
//!    - If a region-level column is present and non-empty, it decides: `Kunta`,
//!      `Hyvinvointialue`, `Maakunta`, `Seutukunta` (and their plural, Swedish and
//!      English names) take the code, padded with leading zeros to the category's
//!      width (spreadsheets drop them: `91` → `091` for `Kunta`); `Maa`, `Koko maa`,
//!      `Hela landet`, `Whole country` give [`RegionKey::country`] (`MAA:SSS`)
//!      whatever the code. Levels Hyte does not store (`Sairaanhoitopiiri`, `Erva`,
//!      `Aluehallintovirasto`, `Nuts1`, `Suuralue`, `Yhteistyöalue`, `ELY-keskus`,
//!      ...) are **skipped**, counted by [`DataRows::skipped_other_levels`] and
//!      silently dropped by [`parse`]. Any other level word is an error.
//!    - Otherwise the code `SSS`, or a region name `Koko maa`, `Hela landet`,
//!      `Whole country`, `Koko Suomi`, `Suomi` or `Finland` means the whole country;
//!      a **3-digit** code is a **municipality** (`KUNTA`) and a **2-digit** code a
//!      **wellbeing services county** (`HYVINVOINTIALUE`). Sub-regions (3 digits) and
//!      maakunta (2 digits) therefore need the level column; a 1-digit or other
//!      code without it is refused rather than guessed.
//! 6. **Gender** words: see Validation above.
//! 7. The region name, when given, is kept in [`DataRow::region_name`] for display
//!    and cross-checks; it never decides the key except for the whole-country words.
//!
//! # HTML in metadata
//!
//! Metadata texts are HTML from a third party. [`sanitize_html`] keeps only `p`,
//! `br`, `ul`, `ol`, `li`, `a[href]` (http, https, mailto), `strong`, `em`, `b`, `i`,
//! drops every other tag and attribute (`onclick`, `id`, `target`, ...) and removes
//! `script`/`style` with their content. Titles and names are reduced to plain text
//! by [`plain_text`].

#![warn(missing_docs)]

mod csvdata;
mod error;
mod html;
mod json;
mod meta;
mod regions;
mod text;
mod tokenizer;

use std::collections::HashMap;
use std::fmt;
use std::io::Read;

use hyte_domain::{RegionKey, Sex};

pub use csvdata::DataRows;
pub use error::ImportError;
pub use html::{plain_text, sanitize_html, ALLOWED_TAGS};
pub use meta::{
    category_from_level_name, IndicatorMeta, IndicatorStub, IsoDate, LocalizedText, Organization,
    PrimaryValueType, YearRange,
};
pub use regions::{RegionRefKey, SotkanetRegion};

/// The file formats the importer understands; see the crate docs for how each is
/// recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Format {
    /// Sotkanet REST `/json` data points.
    SotkanetJson,
    /// Sotkanet REST `/csv` data points.
    SotkanetApiCsv,
    /// The CSV export of Sotkanet's web service.
    SotkanetWebCsv,
    /// Sotkanet REST `/regions`.
    SotkanetRegions,
    /// Sotkanet REST `/indicators`.
    SotkanetIndicatorList,
    /// Sotkanet REST `/indicators/{id}`.
    SotkanetIndicatorMetadata,
    /// Hyte's shipped 2013 snapshot CSV.
    HyteSnapshotCsv,
    /// Hyte's population CSV (Sotkanet indicator 127 by municipality).
    PopulationCsv,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

impl Format {
    /// A short English description for messages ("Sotkanet JSON data", ...).
    pub fn describe(self) -> &'static str {
        match self {
            Format::SotkanetJson => "Sotkanet JSON data",
            Format::SotkanetApiCsv => "Sotkanet API CSV data",
            Format::SotkanetWebCsv => "Sotkanet web CSV export",
            Format::SotkanetRegions => "Sotkanet region list",
            Format::SotkanetIndicatorList => "Sotkanet indicator list",
            Format::SotkanetIndicatorMetadata => "Sotkanet indicator metadata",
            Format::HyteSnapshotCsv => "Hyte snapshot CSV",
            Format::PopulationCsv => "population CSV",
        }
    }

    /// Whether the format holds data points ([`Parsed::Data`]).
    pub fn is_data(self) -> bool {
        matches!(
            self,
            Format::SotkanetJson
                | Format::SotkanetApiCsv
                | Format::SotkanetWebCsv
                | Format::HyteSnapshotCsv
                | Format::PopulationCsv
        )
    }

    /// Whether [`data_rows`] can stream the format.
    pub fn is_streamable(self) -> bool {
        self.is_data() && self != Format::SotkanetJson
    }
}

/// The region a data row points at.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub enum RegionRef {
    /// Sotkanet's internal region id (API JSON and CSV); resolve it through the
    /// `/regions` list of the same import run.
    SotkanetId(i64),
    /// Hyte's validated key (web CSV, snapshot, population).
    Key(RegionKey),
}

impl fmt::Display for RegionRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegionRef::SotkanetId(id) => write!(f, "Sotkanet region {id}"),
            RegionRef::Key(k) => write!(f, "{k}"),
        }
    }
}

/// One data point: indicator, region, year and gender with its value.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DataRow {
    /// 1-based line where the row (or JSON object) starts.
    pub line: usize,
    /// Sotkanet indicator id.
    pub indicator: i64,
    /// The region.
    pub region: RegionRef,
    /// The region's name when the file gives one (web CSV, snapshot).
    pub region_name: Option<String>,
    /// Statistical year, 1900..=2100.
    pub year: i32,
    /// Gender.
    pub sex: Sex,
    /// The primary value; `None` when the cell is empty or the JSON value is null.
    pub value: Option<f64>,
    /// The absolute number behind the value, when given; never negative.
    pub abs_value: Option<f64>,
}

/// The content of a parsed file.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub enum Parsed {
    /// Data points (all data formats).
    Data(Vec<DataRow>),
    /// The region list.
    Regions(Vec<SotkanetRegion>),
    /// The indicator catalogue.
    IndicatorList(Vec<IndicatorStub>),
    /// One indicator's metadata.
    Metadata(Box<IndicatorMeta>),
}

/// Detects a file's format from its content.
///
/// Reads only as much as needed: the first JSON element or the first CSV line. A
/// file that is none of the formats is an error saying what was expected.
pub fn detect(bytes: &[u8]) -> Result<Format, ImportError> {
    let body = text::strip_bom(bytes);
    match json::first_token(body) {
        None => Err(ImportError::file("the file is empty")),
        Some((i, b'[' | b'{')) => detect_json(body, i),
        Some(_) => csvdata::detect(body),
    }
}

/// Detects and parses a whole file, applying every validation rule (see the crate
/// docs), including unique (indicator, region, year, gender) keys for data.
///
/// Stops at the first error. Web-CSV rows of region levels Hyte does not store are
/// dropped (use [`data_rows`] to count them).
pub fn parse(bytes: &[u8]) -> Result<(Format, Parsed), ImportError> {
    let format = detect(bytes)?;
    let body = text::strip_bom(bytes);
    let parsed = match format {
        Format::SotkanetJson => {
            let rows = json::data_points(body)?;
            let mut seen = Duplicates::with_capacity(rows.len());
            let mut out = Vec::with_capacity(rows.len());
            for (row, index) in rows {
                seen.check(&row, Some(index))?;
                out.push(row);
            }
            Parsed::Data(out)
        }
        Format::SotkanetRegions => Parsed::Regions(regions::regions(body)?),
        Format::SotkanetIndicatorList => Parsed::IndicatorList(meta::indicator_list(body)?),
        Format::SotkanetIndicatorMetadata => {
            Parsed::Metadata(Box::new(meta::indicator_meta(body)?))
        }
        Format::SotkanetApiCsv
        | Format::SotkanetWebCsv
        | Format::HyteSnapshotCsv
        | Format::PopulationCsv => {
            let mut seen = Duplicates::with_capacity(0);
            let mut out = Vec::new();
            for row in csvdata::open(body)? {
                let row = row?;
                seen.check(&row, None)?;
                out.push(row);
            }
            Parsed::Data(out)
        }
    };
    Ok((format, parsed))
}

/// Opens a streaming reader over a CSV data file (`SotkanetApiCsv`,
/// `SotkanetWebCsv`, `HyteSnapshotCsv` or `PopulationCsv`).
///
/// Pass a `&[u8]` or any reader (a file, a decompressor); the format is detected from
/// the first line, which is why this returns a `Result` before any row: a file that
/// is not a CSV data format (e.g. JSON) is refused here. Each item is then one row
/// or the error of one row; the reader continues after row errors, so the caller
/// decides whether to stop at the first.
///
/// Memory stays constant: one record buffer is reused. **Duplicate keys are not
/// checked** here (that needs memory per row); use [`parse`] for files that fit in
/// memory or rely on a unique index where the rows are stored.
pub fn data_rows<R: Read>(reader: R) -> Result<DataRows<R>, ImportError> {
    csvdata::open(reader)
}

/// The unique key of a data point: (indicator, region, year, gender).
type RowKey = (i64, RegionRef, i32, Sex);

/// Remembers each key's first line (and JSON array position) to report duplicates
/// with both positions.
struct Duplicates {
    seen: HashMap<RowKey, (usize, Option<usize>)>,
}

impl Duplicates {
    fn with_capacity(n: usize) -> Self {
        Duplicates {
            seen: HashMap::with_capacity(n),
        }
    }

    /// `index` is the 1-based array position for JSON, `None` for CSV.
    fn check(&mut self, row: &DataRow, index: Option<usize>) -> Result<(), ImportError> {
        let key = (row.indicator, row.region.clone(), row.year, row.sex);
        if let Some(&(first_line, first_index)) = self.seen.get(&key) {
            let mut reason = format!(
                "duplicate row: indicator {}, {}, year {}, gender {} already appears on line {first_line}",
                row.indicator,
                row.region,
                row.year,
                row.sex.as_str()
            );
            if let (Some(a), Some(b)) = (first_index, index) {
                reason.push_str(&format!(" (objects {a} and {b} in the array)"));
            }
            return Err(ImportError::at_line(row.line, reason));
        }
        self.seen.insert(key, (row.line, index));
        Ok(())
    }
}

/// Counts the newlines before `offset` (1-based line number at `offset`).
fn line_of(bytes: &[u8], offset: usize) -> usize {
    1 + bytes[..offset.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
}

/// Reads the first JSON value starting at `start`, without reading the rest.
fn first_value(body: &[u8], start: usize) -> Result<serde_json::Value, ImportError> {
    let mut stream =
        serde_json::Deserializer::from_slice(&body[start..]).into_iter::<serde_json::Value>();
    match stream.next() {
        Some(Ok(v)) => Ok(v),
        Some(Err(e)) => Err(error::from_json_error(&e, line_of(body, start) - 1)),
        None => Err(ImportError::at_line(
            line_of(body, start),
            "the JSON ends too early: the file looks truncated",
        )),
    }
}

fn has(map: &serde_json::Map<String, serde_json::Value>, key: &str) -> bool {
    map.contains_key(key)
}

fn detect_json(body: &[u8], start: usize) -> Result<Format, ImportError> {
    let expected = "expected Sotkanet data points (indicator, region, year, gender, value), \
                    regions (id, code, category, title), an indicator list (id, title) or \
                    one indicator's metadata";
    if body[start] == b'{' {
        let serde_json::Value::Object(map) = first_value(body, start)? else {
            return Err(ImportError::file(format!("unrecognised JSON: {expected}")));
        };
        // A single object with an id is an indicator's metadata; checking for more
        // keys would make a sparse but valid object unrecognisable.
        if has(&map, "id") && !has(&map, "indicator") {
            return Ok(Format::SotkanetIndicatorMetadata);
        }
        if has(&map, "indicator") {
            return Err(ImportError::at_line(
                line_of(body, start),
                "a Sotkanet data file must be a JSON array of objects ([{…}, {…}]), but the file is a single object",
            ));
        }
        return Err(ImportError::at_line(
            line_of(body, start),
            format!("unrecognised JSON object: {expected}"),
        ));
    }
    let after = start + 1;
    let Some((offset, tok)) = json::first_token(&body[after..]) else {
        return Err(ImportError::at_line(
            line_of(body, body.len()),
            "the JSON ends too early: the file looks truncated",
        ));
    };
    let first = after + offset;
    match tok {
        b']' => Ok(Format::SotkanetJson),
        b'{' => {
            let serde_json::Value::Object(map) = first_value(body, first)? else {
                return Err(ImportError::file(format!("unrecognised JSON: {expected}")));
            };
            if has(&map, "indicator")
                && ["year", "gender", "value", "region"]
                    .iter()
                    .any(|k| has(&map, k))
            {
                Ok(Format::SotkanetJson)
            } else if has(&map, "category") && has(&map, "code") {
                Ok(Format::SotkanetRegions)
            } else if has(&map, "id") && has(&map, "title") {
                Ok(Format::SotkanetIndicatorList)
            } else {
                let mut keys: Vec<&str> = map.keys().map(String::as_str).take(8).collect();
                keys.sort_unstable();
                Err(ImportError::at_line(
                    line_of(body, first),
                    format!(
                        "unrecognised JSON array: its first object has the keys [{}]; {expected}",
                        keys.join(", ")
                    ),
                ))
            }
        }
        _ => {
            let what = match first_value(body, first) {
                Ok(v) => json::kind(&v),
                Err(e) => return Err(e),
            };
            Err(ImportError::at_line(
                line_of(body, first),
                format!(
                    "a JSON data file must be an array of objects, but its first element is {what}"
                ),
            ))
        }
    }
}
