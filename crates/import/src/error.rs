//! The one error type of the importer.

/// Why a file (or one row of it) could not be imported.
///
/// Written for the person who uploaded the file: it names the 1-based line and the
/// field (as spelled in the file's header where there is one) and says what was wrong
/// with the value. The caller adds the file name, which this crate never sees.
///
/// Display examples:
/// - `line 17, field 'year': 'x' is not a year`
/// - `line 4: the row has 3 columns, expected at least 6`
/// - `the file is empty`
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize)]
#[error("{}", self.render())]
pub struct ImportError {
    /// 1-based line number where the offending row or JSON object starts, if known.
    pub line: Option<usize>,
    /// The field (column name or JSON key) that was wrong, if the error is about one.
    pub field: Option<String>,
    /// What was wrong, in plain words.
    pub reason: String,
}

impl ImportError {
    /// An error about the whole file (no line, no field).
    pub fn file(reason: impl Into<String>) -> Self {
        ImportError {
            line: None,
            field: None,
            reason: reason.into(),
        }
    }

    /// An error about a whole line.
    pub fn at_line(line: usize, reason: impl Into<String>) -> Self {
        ImportError {
            line: Some(line),
            field: None,
            reason: reason.into(),
        }
    }

    /// An error about one field of one line.
    pub fn at_field(line: usize, field: impl Into<String>, reason: impl Into<String>) -> Self {
        ImportError {
            line: Some(line),
            field: Some(field.into()),
            reason: reason.into(),
        }
    }

    /// An error about one field where the line is not known (e.g. metadata objects,
    /// whose keys are read after parsing).
    pub fn in_field(field: impl Into<String>, reason: impl Into<String>) -> Self {
        ImportError {
            line: None,
            field: Some(field.into()),
            reason: reason.into(),
        }
    }

    fn render(&self) -> String {
        let mut out = String::new();
        if let Some(line) = self.line {
            out.push_str(&format!("line {line}"));
        }
        if let Some(field) = &self.field {
            if !out.is_empty() {
                out.push_str(", ");
            }
            out.push_str(&format!("field '{field}'"));
        }
        if out.is_empty() {
            out.push_str(&self.reason);
        } else {
            out.push_str(": ");
            out.push_str(&self.reason);
        }
        out
    }
}

/// Turns a serde_json error into an [`ImportError`] with the line it reports.
///
/// `line_offset` is added to serde_json's line for errors found in a sub-slice of the
/// file, so the number still points into the whole file.
pub(crate) fn from_json_error(err: &serde_json::Error, line_offset: usize) -> ImportError {
    let msg = err.to_string();
    // serde_json appends " at line L column C"; we report the line ourselves and keep
    // the column in the sentence because it helps with one-line API responses.
    let bare = match msg.rfind(" at line ") {
        Some(i) => &msg[..i],
        None => msg.as_str(),
    };
    let reason = match err.classify() {
        serde_json::error::Category::Eof => format!(
            "the JSON ends too early (column {}): the file looks truncated",
            err.column()
        ),
        serde_json::error::Category::Syntax => {
            format!("invalid JSON at column {}: {bare}", err.column())
        }
        serde_json::error::Category::Data => format!("unexpected JSON content: {bare}"),
        serde_json::error::Category::Io => format!("could not read the file: {bare}"),
    };
    if err.line() == 0 {
        ImportError::file(reason)
    } else {
        ImportError::at_line(err.line() + line_offset, reason)
    }
}
