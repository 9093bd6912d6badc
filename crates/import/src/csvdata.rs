//! The CSV data formats and the streaming row reader.
//!
//! One reader serves all comma- and semicolon-separated data formats: the format is
//! detected from the first line, its columns are mapped to roles once ([`Layout`]),
//! and each record is then turned into a [`DataRow`] straight from the raw bytes of a
//! reused [`Record`] buffer.

use std::io::{self, Read};

use hyte_domain::{RegionCategory, RegionKey, Sex};

use crate::text::{
    self, check_abs, decode, decode_owned, is_whole_country_name, normalise_label, parse_indicator,
    parse_int, parse_number, parse_sex, parse_year, region_level, show, Decimal, Level,
};
use crate::tokenizer::{Record, TokenError, Tokenizer};
use crate::{DataRow, Format, ImportError, RegionRef};

/// How many bytes are read ahead to find the first line before the format is known.
const PROBE_BYTES: usize = 64 * 1024;

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Indicator,
    IndicatorTitle,
    RegionId,
    RegionName,
    RegionCode,
    Category,
    Year,
    Gender,
    Value,
    AbsValue,
}

impl Role {
    /// The name used in messages when the file has no header.
    fn canonical(self) -> &'static str {
        match self {
            Role::Indicator => "indicator",
            Role::IndicatorTitle => "indicator title",
            Role::RegionId => "region",
            Role::RegionName => "region name",
            Role::RegionCode => "region code",
            Role::Category => "region level",
            Role::Year => "year",
            Role::Gender => "gender",
            Role::Value => "value",
            Role::AbsValue => "absolute value",
        }
    }
}

/// How the region of a row is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RegionMode {
    /// A Sotkanet internal region id (API CSV).
    SotkanetId,
    /// Category and code columns that must already be exact (Hyte snapshot).
    Strict,
    /// A municipality code column (population file).
    Kunta,
    /// Sotkanet web export: name, code and maybe a level column; see the crate docs.
    Web,
}

/// One column's position and the label to use in error messages.
#[derive(Debug, Clone)]
struct Col {
    index: usize,
    label: String,
}

/// The column mapping of one file, decided once from its first line.
#[derive(Debug, Clone)]
struct Layout {
    format: Format,
    region_mode: RegionMode,
    decimal: Decimal,
    indicator: Col,
    region_id: Option<Col>,
    region_name: Option<Col>,
    region_code: Option<Col>,
    category: Option<Col>,
    year: Col,
    gender: Option<Col>,
    value: Col,
    abs_value: Option<Col>,
    /// Rows shorter than this cannot hold every required column.
    min_len: usize,
}

/// Streaming reader of CSV data rows; see [`data_rows`](crate::data_rows).
///
/// Holds one reusable record buffer, so memory stays flat however long the file is.
/// It does **not** check for duplicate keys (that needs memory proportional to the
/// file); callers that need the check either use [`parse`](crate::parse) or keep
/// their own set, e.g. in the database's unique index.
///
/// After an error the reader goes on with the next line, so a caller can collect
/// several errors; it stops for good after an I/O error.
pub struct DataRows<R: Read> {
    reader: Tokenizer<io::Chain<io::Cursor<Vec<u8>>, R>>,
    record: Record,
    layout: Layout,
    /// A first record that turned out to be data, not a header.
    pending: Option<Record>,
    skipped: u64,
    done: bool,
}

impl<R: Read> std::fmt::Debug for DataRows<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataRows")
            .field("format", &self.layout.format)
            .field("skipped", &self.skipped)
            .finish_non_exhaustive()
    }
}

impl<R: Read> DataRows<R> {
    /// The detected format.
    pub fn format(&self) -> Format {
        self.layout.format
    }

    /// How many rows were skipped so far because they belong to a region level Hyte
    /// does not store (e.g. hospital districts in a web export with a level column).
    pub fn skipped_other_levels(&self) -> u64 {
        self.skipped
    }

    fn build(&self, rec: &Record) -> Result<Option<DataRow>, ImportError> {
        build_row(&self.layout, rec, rec.line())
    }
}

impl<R: Read> Iterator for DataRows<R> {
    type Item = Result<DataRow, ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(rec) = self.pending.take() {
            match self.build(&rec) {
                Ok(Some(row)) => return Some(Ok(row)),
                Ok(None) => self.skipped += 1,
                Err(e) => return Some(Err(e)),
            }
        }
        while !self.done {
            match self.reader.read_record(&mut self.record) {
                Ok(true) => {}
                Ok(false) => {
                    self.done = true;
                    return None;
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(token_error(e)));
                }
            }
            if self.record.is_blank() {
                continue; // e.g. the ";;;;" lines spreadsheets leave at the end
            }
            match self.build(&self.record) {
                Ok(Some(row)) => return Some(Ok(row)),
                Ok(None) => self.skipped += 1,
                Err(e) => return Some(Err(e)),
            }
        }
        None
    }
}

/// Opens a streaming reader over a CSV data file; see [`crate::data_rows`].
pub(crate) fn open<R: Read>(mut reader: R) -> Result<DataRows<R>, ImportError> {
    // Read ahead until the first line is complete, so the format can be decided from
    // content before the CSV reader (which needs the delimiter) is built.
    let mut probe = Vec::with_capacity(8 * 1024);
    let mut chunk = [0u8; 8 * 1024];
    loop {
        let n = read_some(&mut reader, &mut chunk)?;
        probe.extend_from_slice(&chunk[..n]);
        if n == 0 || probe.len() >= PROBE_BYTES || has_complete_line(text::strip_bom(&probe)) {
            break;
        }
    }
    if probe.starts_with(text::UTF8_BOM) {
        probe.drain(..text::UTF8_BOM.len());
    }
    if let Some((_, b'[' | b'{')) = crate::json::first_token(&probe) {
        return Err(ImportError::file(
            "this is a JSON file; only CSV data files can be streamed (use parse for JSON)",
        ));
    }
    let (delimiter, sep_line) = sniff_delimiter(&probe)?;
    let mut tokenizer = Tokenizer::new(io::Cursor::new(probe).chain(reader), delimiter);
    let mut first = Record::new();
    let mut skip_sep_line = sep_line;
    loop {
        match tokenizer.read_record(&mut first) {
            Ok(true) if skip_sep_line => skip_sep_line = false,
            Ok(true) if first.is_blank() => {}
            Ok(true) => break,
            Ok(false) => return Err(ImportError::file("the file is empty")),
            Err(e) => return Err(token_error(e)),
        }
    }
    let (layout, is_header) = classify(delimiter, &first, first.line())?;
    Ok(DataRows {
        reader: tokenizer,
        record: Record::new(),
        layout,
        pending: if is_header { None } else { Some(first) },
        skipped: 0,
        done: false,
    })
}

/// Whether `bytes` holds a complete (newline-terminated) line that is not blank.
fn has_complete_line(bytes: &[u8]) -> bool {
    let mut lines = bytes.split(|&b| b == b'\n');
    // The segment after the last newline may be incomplete.
    lines.next_back();
    lines.any(|l| !l.trim_ascii().is_empty())
}

/// Detects the CSV format of a whole file held in memory.
pub(crate) fn detect(bytes: &[u8]) -> Result<Format, ImportError> {
    open(bytes).map(|rows| rows.format())
}

fn token_error(e: TokenError) -> ImportError {
    match e {
        TokenError::Io(e) => ImportError::file(format!("could not read the file: {e}")),
        TokenError::UnclosedQuote { line } => ImportError::at_line(
            line,
            "a quoted field starts here but its closing quote (\") is missing",
        ),
    }
}

fn read_some<R: Read>(reader: &mut R, buf: &mut [u8]) -> Result<usize, ImportError> {
    loop {
        match reader.read(buf) {
            Ok(n) => return Ok(n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(ImportError::file(format!("could not read the file: {e}"))),
        }
    }
}

/// Chooses `;` or `,` from the first non-blank line (outside quotes), and says
/// whether that line is an Excel `sep=` hint.
fn sniff_delimiter(probe: &[u8]) -> Result<(u8, bool), ImportError> {
    let first = probe
        .split(|&b| b == b'\n')
        .map(|l| l.trim_ascii())
        .find(|l| !l.is_empty())
        .ok_or_else(|| ImportError::file("the file is empty"))?;
    if let Some(rest) = first.strip_prefix(b"sep=") {
        return match rest {
            b";" => Ok((b';', true)),
            b"," => Ok((b',', true)),
            _ => Err(ImportError::at_line(
                1,
                "only ';' and ',' separated files are supported",
            )),
        };
    }
    let (mut semi, mut comma, mut quoted) = (0usize, 0usize, false);
    for &b in first {
        match b {
            b'"' => quoted = !quoted,
            b';' if !quoted => semi += 1,
            b',' if !quoted => comma += 1,
            _ => {}
        }
    }
    // Semicolon wins: in semicolon files a comma is a decimal mark, never the reverse.
    if semi > 0 {
        Ok((b';', false))
    } else if comma > 0 {
        Ok((b',', false))
    } else {
        Err(ImportError::file(
            "not a recognised file: expected JSON or a CSV file separated by ';' (Sotkanet) or ',' (Hyte snapshot, population)",
        ))
    }
}

fn col(index: usize, label: &str) -> Col {
    Col {
        index,
        label: label.to_string(),
    }
}

/// Decides format and column layout from the first record; says whether that record
/// is a header (to be skipped) or already data.
fn classify(delimiter: u8, first: &Record, line: usize) -> Result<(Layout, bool), ImportError> {
    let labels: Vec<String> = first.iter().map(decode_owned).collect();
    let norm: Vec<String> = labels.iter().map(|l| normalise_label(l)).collect();
    let find = |names: &[&str]| -> Option<Col> {
        norm.iter()
            .position(|n| names.contains(&n.as_str()))
            .map(|i| col(i, &labels[i]))
    };
    if delimiter == b',' {
        if let Some(layout) = snapshot_layout(&find) {
            return Ok((layout, true));
        }
        if let Some(layout) = population_layout(&find) {
            return Ok((layout, true));
        }
        return Err(ImportError::at_line(
            line,
            "unrecognised comma-separated file: expected the header \
             'indicator,region_category,region_code,region_title_fi,year,gender,value' \
             (Hyte snapshot) or 'sotkanet_indicator,kuntakoodi,year,population' \
             (population); Sotkanet's own CSV files are separated by ';'",
        ));
    }
    if let Some(value) = find(&["primary value", "primaryvalue"]) {
        return api_layout(&find, value, line).map(|l| (l, true));
    }
    let roles: Vec<Option<Role>> = norm.iter().map(|n| web_role(n)).collect();
    if roles.iter().filter(|r| r.is_some()).count() >= 2 {
        return web_layout_with_header(&labels, &roles, line).map(|l| (l, true));
    }
    // No header. Sotkanet's own /csv order (region as a number, year third) is
    // recognised so a header-less API file is not misread as a web export.
    let cell = |i: usize| first.get(i).map(|c| c.trim_ascii()).unwrap_or(b"");
    let year_like = |c: &[u8]| parse_int(c).is_some_and(|y| (1900..=2100).contains(&y));
    if first.len() >= 5 && parse_int(cell(1)).is_some() && year_like(cell(2)) {
        return Ok((api_headerless(), false));
    }
    Ok((web_headerless(first.len()), false))
}

fn snapshot_layout(find: &dyn Fn(&[&str]) -> Option<Col>) -> Option<Layout> {
    let indicator = find(&["indicator"])?;
    let category = find(&["region category"])?;
    let code = find(&["region code"])?;
    let name = find(&["region title fi"])?;
    let year = find(&["year"])?;
    let gender = find(&["gender"])?;
    let value = find(&["value"])?;
    let min_len = [&indicator, &category, &code, &name, &year, &gender, &value]
        .iter()
        .map(|c| c.index + 1)
        .max()
        .unwrap_or(0);
    Some(Layout {
        format: Format::HyteSnapshotCsv,
        region_mode: RegionMode::Strict,
        decimal: Decimal::Point,
        indicator,
        region_id: None,
        region_name: Some(name),
        region_code: Some(code),
        category: Some(category),
        year,
        gender: Some(gender),
        value,
        abs_value: None,
        min_len,
    })
}

fn population_layout(find: &dyn Fn(&[&str]) -> Option<Col>) -> Option<Layout> {
    let indicator = find(&["sotkanet indicator"])?;
    let code = find(&["kuntakoodi"])?;
    let year = find(&["year"])?;
    let value = find(&["population"])?;
    let min_len = [&indicator, &code, &year, &value]
        .iter()
        .map(|c| c.index + 1)
        .max()
        .unwrap_or(0);
    Some(Layout {
        format: Format::PopulationCsv,
        region_mode: RegionMode::Kunta,
        decimal: Decimal::Point,
        indicator,
        region_id: None,
        region_name: None,
        region_code: Some(code),
        category: None,
        year,
        gender: None,
        value,
        abs_value: None,
        min_len,
    })
}

fn missing_column(line: usize, what: &str, names: &str) -> ImportError {
    ImportError::at_line(
        line,
        format!("the header has no {what} column (expected one named {names})"),
    )
}

fn api_layout(
    find: &dyn Fn(&[&str]) -> Option<Col>,
    value: Col,
    line: usize,
) -> Result<Layout, ImportError> {
    let indicator =
        find(&["indicator"]).ok_or_else(|| missing_column(line, "indicator", "'indicator'"))?;
    let region = find(&["region"]).ok_or_else(|| missing_column(line, "region", "'region'"))?;
    let year = find(&["year"]).ok_or_else(|| missing_column(line, "year", "'year'"))?;
    let gender = find(&["gender"]).ok_or_else(|| missing_column(line, "gender", "'gender'"))?;
    let abs_value = find(&["absolute value", "absolutevalue", "absvalue", "abs value"]);
    let min_len = [&indicator, &region, &year, &gender, &value]
        .iter()
        .map(|c| c.index + 1)
        .max()
        .unwrap_or(0);
    Ok(Layout {
        format: Format::SotkanetApiCsv,
        region_mode: RegionMode::SotkanetId,
        decimal: Decimal::PointOrComma,
        indicator,
        region_id: Some(region),
        region_name: None,
        region_code: None,
        category: None,
        year,
        gender: Some(gender),
        value,
        abs_value,
        min_len,
    })
}

/// Column order of Sotkanet's /csv without its header line.
fn api_headerless() -> Layout {
    let c = |i: usize, r: Role| col(i, r.canonical());
    Layout {
        format: Format::SotkanetApiCsv,
        region_mode: RegionMode::SotkanetId,
        decimal: Decimal::PointOrComma,
        indicator: c(0, Role::Indicator),
        region_id: Some(c(1, Role::RegionId)),
        region_name: None,
        region_code: None,
        category: None,
        year: c(2, Role::Year),
        gender: Some(c(3, Role::Gender)),
        value: c(4, Role::Value),
        abs_value: Some(c(5, Role::AbsValue)),
        min_len: 5,
    }
}

/// Column order assumed for a web export without a header:
/// indicator id; region name; region code; year; gender; value; [absolute value].
fn web_headerless(width: usize) -> Layout {
    let c = |i: usize, r: Role| col(i, r.canonical());
    Layout {
        format: Format::SotkanetWebCsv,
        region_mode: RegionMode::Web,
        decimal: Decimal::PointOrComma,
        indicator: c(0, Role::Indicator),
        region_id: None,
        region_name: Some(c(1, Role::RegionName)),
        region_code: Some(c(2, Role::RegionCode)),
        category: None,
        year: c(3, Role::Year),
        gender: Some(c(4, Role::Gender)),
        value: c(5, Role::Value),
        abs_value: (width >= 7).then(|| c(6, Role::AbsValue)),
        min_len: 6,
    }
}

/// Recognises a web-export header label (already normalised) in Finnish, Swedish or
/// English.
fn web_role(label: &str) -> Option<Role> {
    let role =
        match label {
            "indikaattori id"
            | "indikaattorin id"
            | "indikaattori nro"
            | "indikaattorin numero"
            | "indikaattorinumero"
            | "indicator id"
            | "indicator number"
            | "indikator id"
            | "indikatorns id"
            | "indikatornummer"
            | "id" => Role::Indicator,
            // A plain "indicator" column is the id unless an explicit id column exists;
            // see `web_layout_with_header`.
            "indikaattori" | "indicator" | "indikator" => Role::IndicatorTitle,
            "indikaattorin nimi"
            | "indikaattori nimi"
            | "indikaattorin otsikko"
            | "indicator title"
            | "indicator name"
            | "indikatorns namn"
            | "indikator namn"
            | "indikatorns rubrik" => Role::IndicatorTitle,
            "alue" | "alueen nimi" | "alue nimi" | "region" | "region name" | "area" | "område"
            | "områdets namn" | "områdesnamn" | "kunta" | "kunnan nimi" | "kommun"
            | "municipality" => Role::RegionName,
            "aluekoodi" | "alueen koodi" | "alue koodi" | "kuntakoodi" | "kunnan koodi"
            | "koodi" | "code" | "region code" | "area code" | "kod" | "områdeskod"
            | "områdets kod" | "kommunkod" | "municipality code" => Role::RegionCode,
            "alueryhmä" | "aluetaso" | "aluejako" | "alueluokka" | "alueen tyyppi"
            | "aluetyyppi" | "category" | "region category" | "region level" | "level"
            | "area level" | "områdesgrupp" | "områdesnivå" | "områdestyp" | "kategori"
            | "nivå" => Role::Category,
            "vuosi" | "year" | "år" | "tilastovuosi" => Role::Year,
            "sukupuoli" | "gender" | "sex" | "kön" => Role::Gender,
            "arvo" | "value" | "värde" | "primary value" | "ensisijainen arvo" => Role::Value,
            "absoluuttinen arvo" | "absoluuttiarvo" | "absolute value" | "abs value"
            | "absvalue" | "absolut värde" | "absolutvärde" => Role::AbsValue,
            _ => return None,
        };
    Some(role)
}

fn web_layout_with_header(
    labels: &[String],
    roles: &[Option<Role>],
    line: usize,
) -> Result<Layout, ImportError> {
    let explicit_id = roles.contains(&Some(Role::Indicator));
    let mut slots: Vec<(Role, Col)> = Vec::new();
    for (i, role) in roles.iter().enumerate() {
        let Some(mut role) = *role else { continue };
        let norm = normalise_label(&labels[i]);
        if role == Role::IndicatorTitle
            && !explicit_id
            && matches!(norm.as_str(), "indikaattori" | "indicator" | "indikator")
        {
            role = Role::Indicator;
        }
        if role == Role::IndicatorTitle {
            continue; // titles are informative only; the id is what we store
        }
        if let Some((_, other)) = slots.iter().find(|(r, _)| *r == role) {
            return Err(ImportError::at_line(
                line,
                format!(
                    "columns '{}' and '{}' both look like the {} column; rename one of them",
                    other.label,
                    labels[i],
                    role.canonical()
                ),
            ));
        }
        slots.push((role, col(i, &labels[i])));
    }
    let take = |role: Role| {
        slots
            .iter()
            .find(|(r, _)| *r == role)
            .map(|(_, c)| c.clone())
    };
    let indicator = take(Role::Indicator).ok_or_else(|| {
        missing_column(
            line,
            "indicator id",
            "'Indikaattori', 'Indikaattori id', 'Indicator' or 'Indikator'",
        )
    })?;
    let year =
        take(Role::Year).ok_or_else(|| missing_column(line, "year", "'Vuosi', 'Year' or 'År'"))?;
    let value = take(Role::Value)
        .ok_or_else(|| missing_column(line, "value", "'Arvo', 'Value' or 'Värde'"))?;
    let region_code = take(Role::RegionCode);
    let region_name = take(Role::RegionName);
    if region_code.is_none() && region_name.is_none() {
        return Err(missing_column(
            line,
            "region code",
            "'Aluekoodi', 'Kuntakoodi', 'Code' or 'Kod'",
        ));
    }
    let gender = take(Role::Gender);
    let category = take(Role::Category);
    let abs_value = take(Role::AbsValue);
    let min_len = [
        Some(&indicator),
        Some(&year),
        Some(&value),
        region_code.as_ref(),
        region_name.as_ref(),
        gender.as_ref(),
        category.as_ref(),
    ]
    .iter()
    .flatten()
    .map(|c| c.index + 1)
    .max()
    .unwrap_or(0);
    Ok(Layout {
        format: Format::SotkanetWebCsv,
        region_mode: RegionMode::Web,
        decimal: Decimal::PointOrComma,
        indicator,
        region_id: None,
        region_name,
        region_code,
        category,
        year,
        gender,
        value,
        abs_value,
        min_len,
    })
}

/// The cell of an optional column; a short row simply lacks optional trailing cells.
fn cell<'r>(rec: &'r Record, col: Option<&Col>) -> &'r [u8] {
    col.and_then(|c| rec.get(c.index))
        .map(|c| c.trim_ascii())
        .unwrap_or(b"")
}

/// Turns one record into a row; `Ok(None)` for a row of a region level Hyte does not
/// store.
fn build_row(layout: &Layout, rec: &Record, line: usize) -> Result<Option<DataRow>, ImportError> {
    if rec.len() < layout.min_len {
        return Err(ImportError::at_line(
            line,
            format!(
                "the row has {} column{}, expected at least {}",
                rec.len(),
                if rec.len() == 1 { "" } else { "s" },
                layout.min_len
            ),
        ));
    }
    let indicator = parse_indicator(
        cell(rec, Some(&layout.indicator)),
        line,
        &layout.indicator.label,
    )?;
    let region_name = layout.region_name.as_ref().and_then(|c| {
        let raw = cell(rec, Some(c));
        (!raw.is_empty()).then(|| decode_owned(raw))
    });
    let region = match region(layout, rec, line, region_name.as_deref())? {
        Some(r) => r,
        None => return Ok(None),
    };
    let year = parse_year(cell(rec, Some(&layout.year)), line, &layout.year.label)?;
    let sex = match &layout.gender {
        Some(c) => parse_sex(cell(rec, Some(c)), line, &c.label)?,
        // A file without a gender column has no breakdown by sex: all totals.
        None => Sex::Total,
    };
    let value = parse_number(
        cell(rec, Some(&layout.value)),
        layout.decimal,
        line,
        &layout.value.label,
    )?;
    let abs_value = match &layout.abs_value {
        Some(c) => check_abs(
            parse_number(cell(rec, Some(c)), layout.decimal, line, &c.label)?,
            line,
            &c.label,
        )?,
        None => None,
    };
    Ok(Some(DataRow {
        line,
        indicator,
        region,
        region_name,
        year,
        sex,
        value,
        abs_value,
    }))
}

fn region(
    layout: &Layout,
    rec: &Record,
    line: usize,
    name: Option<&str>,
) -> Result<Option<RegionRef>, ImportError> {
    let code_col = layout.region_code.as_ref();
    let code_label = code_col.map_or("region code", |c| c.label.as_str());
    let code = cell(rec, code_col);
    let key_err =
        |e: hyte_domain::RegionKeyError| ImportError::at_field(line, code_label, e.to_string());
    match layout.region_mode {
        RegionMode::SotkanetId => {
            let c = layout.region_id.as_ref();
            let label = c.map_or("region", |c| c.label.as_str());
            let raw = cell(rec, c);
            match parse_int(raw) {
                Some(id) => Ok(Some(RegionRef::SotkanetId(id))),
                None if raw.is_empty() => Err(ImportError::at_field(
                    line,
                    label,
                    "the Sotkanet region id is missing",
                )),
                None => Err(ImportError::at_field(
                    line,
                    label,
                    format!(
                        "'{}' is not a Sotkanet region id (a whole number)",
                        show(raw)
                    ),
                )),
            }
        }
        RegionMode::Kunta => {
            if code.is_empty() {
                return Err(ImportError::at_field(
                    line,
                    code_label,
                    "the municipality code is missing",
                ));
            }
            RegionKey::new(RegionCategory::Kunta, &decode(code))
                .map(|k| Some(RegionRef::Key(k)))
                .map_err(key_err)
        }
        RegionMode::Strict => {
            let cat_col = layout.category.as_ref();
            let cat_label = cat_col.map_or("region category", |c| c.label.as_str());
            let raw_cat = cell(rec, cat_col);
            let category: RegionCategory =
                decode(raw_cat)
                    .parse()
                    .map_err(|e: hyte_domain::RegionKeyError| {
                        ImportError::at_field(line, cat_label, e.to_string())
                    })?;
            if category == RegionCategory::Maa {
                return Ok(Some(RegionRef::Key(RegionKey::country())));
            }
            RegionKey::new(category, &decode(code))
                .map(|k| Some(RegionRef::Key(k)))
                .map_err(key_err)
        }
        RegionMode::Web => web_region(layout, rec, line, name, code, code_label),
    }
}

/// The region rules of the web export (documented in the crate docs).
fn web_region(
    layout: &Layout,
    rec: &Record,
    line: usize,
    name: Option<&str>,
    code: &[u8],
    code_label: &str,
) -> Result<Option<RegionRef>, ImportError> {
    let key_err =
        |e: hyte_domain::RegionKeyError| ImportError::at_field(line, code_label, e.to_string());
    if let Some(cat_col) = &layout.category {
        let raw = cell(rec, Some(cat_col));
        if !raw.is_empty() {
            let word = decode(raw);
            return match region_level(&word) {
                Some(Level::Stored(RegionCategory::Maa)) => Ok(Some(RegionRef::Key(RegionKey::country()))),
                Some(Level::Stored(category)) => {
                    if code.is_empty() {
                        return Err(ImportError::at_field(line, code_label, "the region code is missing"));
                    }
                    RegionKey::padded(category, &decode(code))
                        .map(|k| Some(RegionRef::Key(k)))
                        .map_err(key_err)
                }
                Some(Level::Other) => Ok(None),
                None => Err(ImportError::at_field(
                    line,
                    &cat_col.label,
                    format!(
                        "'{}' is not a known region level (expected Kunta, Hyvinvointialue, Maakunta, Seutukunta or Koko maa)",
                        word.trim()
                    ),
                )),
            };
        }
    }
    if code.eq_ignore_ascii_case(b"SSS") || name.is_some_and(is_whole_country_name) {
        return Ok(Some(RegionRef::Key(RegionKey::country())));
    }
    if code.is_empty() {
        return Err(ImportError::at_field(
            line,
            code_label,
            "the region code is missing",
        ));
    }
    let category = match code.len() {
        3 if code.iter().all(u8::is_ascii_digit) => RegionCategory::Kunta,
        2 if code.iter().all(u8::is_ascii_digit) => RegionCategory::Hyvinvointialue,
        _ => {
            return Err(ImportError::at_field(
                line,
                code_label,
                format!(
                    "'{}' is neither a municipality code (3 digits) nor a wellbeing services county code (2 digits); \
                     add a region level column (e.g. 'Alueryhmä') for other area levels",
                    show(code)
                ),
            ))
        }
    };
    RegionKey::new(category, &decode(code))
        .map(|k| Some(RegionRef::Key(k)))
        .map_err(key_err)
}
