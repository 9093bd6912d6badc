//! A small CSV tokenizer that knows which physical line each record starts on.
//!
//! Why not `csv::Reader`: its `Position::line` is wrong for CRLF files and after
//! blank lines (rust-csv issue #395, and byte positions drift the same way), and
//! exact line numbers in error messages are a requirement here. The dialect is what
//! Sotkanet, Excel and Hyte write: one-byte delimiter, `"` quoting with `""` as an
//! escaped quote, `\n`, `\r\n` or `\r` line ends, quoted fields may span lines.
//! Completely empty lines are skipped but counted.

use std::io::{self, Read};

/// Read buffer size: large enough that the per-`read` overhead vanishes.
const BUF_SIZE: usize = 64 * 1024;

/// One record: all field bytes in one reused buffer plus end offsets, so reading a
/// row allocates nothing once the buffers have grown.
#[derive(Debug, Clone, Default)]
pub(crate) struct Record {
    bytes: Vec<u8>,
    ends: Vec<usize>,
    line: usize,
}

impl Record {
    pub(crate) fn new() -> Self {
        Record::default()
    }

    /// Number of fields.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// The raw bytes of field `i` (quotes removed, `""` unescaped).
    pub(crate) fn get(&self, i: usize) -> Option<&[u8]> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        self.bytes.get(start..end)
    }

    /// All fields in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &[u8]> + '_ {
        (0..self.len()).filter_map(move |i| self.get(i))
    }

    /// 1-based physical line where the record starts.
    pub(crate) fn line(&self) -> usize {
        self.line
    }

    /// Whether every field is empty or whitespace (e.g. a trailing `;;;;` line).
    pub(crate) fn is_blank(&self) -> bool {
        self.bytes.iter().all(u8::is_ascii_whitespace)
    }
}

/// Why a record could not be read.
#[derive(Debug)]
pub(crate) enum TokenError {
    /// The underlying reader failed.
    Io(io::Error),
    /// The file ended inside a quoted field that started on `line`.
    UnclosedQuote { line: usize },
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    RecordStart,
    FieldStart,
    Unquoted,
    Quoted,
    QuoteInQuoted,
}

/// Streaming tokenizer over any reader.
pub(crate) struct Tokenizer<R> {
    reader: R,
    buf: Box<[u8]>,
    pos: usize,
    cap: usize,
    delimiter: u8,
    /// Physical line of the next unread byte, 1-based.
    line: usize,
    /// The last line-break byte was `\r`, so a following `\n` completes it.
    prev_cr: bool,
}

impl<R: Read> Tokenizer<R> {
    pub(crate) fn new(reader: R, delimiter: u8) -> Self {
        Tokenizer {
            reader,
            buf: vec![0; BUF_SIZE].into_boxed_slice(),
            pos: 0,
            cap: 0,
            delimiter,
            line: 1,
            prev_cr: false,
        }
    }

    /// Refills the buffer; `false` at end of input.
    fn fill(&mut self) -> Result<bool, TokenError> {
        loop {
            match self.reader.read(&mut self.buf) {
                Ok(0) => return Ok(false),
                Ok(n) => {
                    self.pos = 0;
                    self.cap = n;
                    return Ok(true);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(TokenError::Io(e)),
            }
        }
    }

    /// Reads the next record into `rec`; `Ok(false)` at the end of the input.
    pub(crate) fn read_record(&mut self, rec: &mut Record) -> Result<bool, TokenError> {
        rec.bytes.clear();
        rec.ends.clear();
        let mut state = State::RecordStart;
        let mut quote_line = 0;
        let delim = self.delimiter;
        loop {
            if self.pos >= self.cap && !self.fill()? {
                return match state {
                    State::RecordStart => Ok(false),
                    State::Quoted => Err(TokenError::UnclosedQuote { line: quote_line }),
                    _ => {
                        rec.ends.push(rec.bytes.len());
                        Ok(true)
                    }
                };
            }
            match state {
                State::RecordStart => {
                    let b = self.buf[self.pos];
                    match b {
                        b'\n' => {
                            self.pos += 1;
                            if self.prev_cr {
                                self.prev_cr = false;
                            } else {
                                self.line += 1;
                            }
                        }
                        b'\r' => {
                            self.pos += 1;
                            self.line += 1;
                            self.prev_cr = true;
                        }
                        _ => {
                            self.prev_cr = false;
                            rec.line = self.line;
                            state = State::FieldStart;
                        }
                    }
                }
                State::FieldStart => {
                    if self.buf[self.pos] == b'"' {
                        self.pos += 1;
                        quote_line = self.line;
                        state = State::Quoted;
                    } else {
                        state = State::Unquoted;
                    }
                }
                State::Unquoted => {
                    let slice = &self.buf[self.pos..self.cap];
                    let n = slice
                        .iter()
                        .position(|&c| c == delim || c == b'\n' || c == b'\r')
                        .unwrap_or(slice.len());
                    rec.bytes.extend_from_slice(&slice[..n]);
                    self.pos += n;
                    if self.pos >= self.cap {
                        continue; // the field goes on in the next buffer
                    }
                    let c = self.buf[self.pos];
                    self.pos += 1;
                    rec.ends.push(rec.bytes.len());
                    if c == delim {
                        state = State::FieldStart;
                    } else {
                        self.line += 1;
                        self.prev_cr = c == b'\r';
                        return Ok(true);
                    }
                }
                State::Quoted => {
                    let slice = &self.buf[self.pos..self.cap];
                    let n = slice
                        .iter()
                        .position(|&c| c == b'"' || c == b'\n' || c == b'\r')
                        .unwrap_or(slice.len());
                    rec.bytes.extend_from_slice(&slice[..n]);
                    self.pos += n;
                    if n > 0 {
                        self.prev_cr = false;
                    }
                    if self.pos >= self.cap {
                        continue;
                    }
                    let c = self.buf[self.pos];
                    self.pos += 1;
                    match c {
                        b'"' => state = State::QuoteInQuoted,
                        b'\n' => {
                            rec.bytes.push(c);
                            if self.prev_cr {
                                self.prev_cr = false;
                            } else {
                                self.line += 1;
                            }
                        }
                        _ => {
                            rec.bytes.push(c);
                            self.line += 1;
                            self.prev_cr = true;
                        }
                    }
                }
                State::QuoteInQuoted => {
                    if self.buf[self.pos] == b'"' {
                        rec.bytes.push(b'"');
                        self.pos += 1;
                        state = State::Quoted;
                    } else {
                        // Text after a closing quote (`"a"b`) is kept as is, like
                        // spreadsheet programs do, rather than refused.
                        self.prev_cr = false;
                        state = State::Unquoted;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(input: &[u8], delim: u8) -> Vec<(usize, Vec<String>)> {
        let mut t = Tokenizer::new(input, delim);
        let mut rec = Record::new();
        let mut out = Vec::new();
        while t.read_record(&mut rec).unwrap() {
            let fields = rec
                .iter()
                .map(|f| String::from_utf8(f.to_vec()).unwrap())
                .collect();
            out.push((rec.line(), fields));
        }
        out
    }

    fn v(fields: &[&str]) -> Vec<String> {
        fields.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn line_numbers_with_crlf_and_blank_lines() {
        let got = records(b"\r\n\r\na;b\r\n\r\n\r\n1;2\r\n3;4", b';');
        assert_eq!(
            got,
            vec![
                (3, v(&["a", "b"])),
                (6, v(&["1", "2"])),
                (7, v(&["3", "4"]))
            ]
        );
        let got = records(b"a;b\r1;2\r\r3;4\r", b';');
        assert_eq!(
            got,
            vec![
                (1, v(&["a", "b"])),
                (2, v(&["1", "2"])),
                (4, v(&["3", "4"]))
            ]
        );
    }

    #[test]
    fn quotes() {
        let got = records(
            b"\"x\r\ny\";\"say \"\"hi\"\"\";\r\n\"a;b\",c\n1;\"\"\n",
            b';',
        );
        assert_eq!(
            got,
            vec![
                (1, v(&["x\r\ny", "say \"hi\"", ""])),
                (3, v(&["a;b,c"])),
                (4, v(&["1", ""])),
            ]
        );
    }

    #[test]
    fn small_buffers_and_unclosed_quote() {
        // A reader that returns one byte at a time exercises every refill path.
        struct OneByte<'a>(&'a [u8]);
        impl Read for OneByte<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                match self.0.split_first() {
                    Some((&b, rest)) if !buf.is_empty() => {
                        buf[0] = b;
                        self.0 = rest;
                        Ok(1)
                    }
                    _ => Ok(0),
                }
            }
        }
        let mut t = Tokenizer::new(OneByte(b"ab;\"c\r\nd\"\r\n\r\nx;y"), b';');
        let mut rec = Record::new();
        assert!(t.read_record(&mut rec).unwrap());
        assert_eq!(rec.line(), 1);
        assert_eq!(rec.get(1), Some(&b"c\r\nd"[..]));
        assert!(t.read_record(&mut rec).unwrap());
        assert_eq!(rec.line(), 4);
        assert!(!t.read_record(&mut rec).unwrap());

        let mut t = Tokenizer::new(&b"a;b\n\"open;x\ny\n"[..], b';');
        assert!(t.read_record(&mut rec).unwrap());
        assert!(matches!(
            t.read_record(&mut rec),
            Err(TokenError::UnclosedQuote { line: 2 })
        ));
    }
}
