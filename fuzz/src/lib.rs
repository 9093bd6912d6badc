//! Shared bodies of the fuzz targets: each importer format and the section-text
//! parser must answer every input with rows or an error, never a panic, a hang or an
//! unbounded allocation.

use std::io::Read;

/// Detects, parses and streams `bytes` the way `hyte import` and the upload form do.
pub fn import(bytes: &[u8]) {
    let detected = hyte_import::detect(bytes);
    let parsed = hyte_import::parse(bytes);
    if let (Ok(f), Ok((g, _))) = (&detected, &parsed) {
        assert_eq!(f, g, "parse disagrees with detect");
    }
    if let Ok(rows) = hyte_import::data_rows(bytes) {
        for row in rows.take(100_000) {
            if let Ok(r) = row {
                assert!(
                    (1900..=2100).contains(&r.year),
                    "year out of range: {}",
                    r.year
                );
                assert!(r.abs_value.is_none_or(|v| v >= 0.0), "negative abs value");
            }
        }
    }
    // The streaming reader over a reader that hands out one byte at a time.
    if let Ok(rows) = hyte_import::data_rows(OneByte(bytes)) {
        for _ in rows.take(100_000) {}
    }
}

/// The input after a fixed start, so the fuzzer spends its time inside one format.
pub fn import_with(prefix: &str, data: &[u8]) {
    let mut v = Vec::with_capacity(prefix.len() + data.len());
    v.extend_from_slice(prefix.as_bytes());
    v.extend_from_slice(data);
    import(&v);
}

/// The section-text parser (Markdown with `{{indicator ...}}` blocks).
pub fn section(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let blocks = hyte_domain::document::parse_section(&text);
    let _ = hyte_domain::document::referenced_indicators(&text);
    let _ = format!("{blocks:?}");
}

struct OneByte<'a>(&'a [u8]);

impl Read for OneByte<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.0.is_empty() || buf.is_empty() {
            return Ok(0);
        }
        buf[0] = self.0[0];
        self.0 = &self.0[1..];
        Ok(1)
    }
}
