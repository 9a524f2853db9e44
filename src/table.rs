//! Reading a CSV file the way offices write them: UTF-8 with or without
//! a BOM, or GB18030/GBK; LF or CRLF; English or Chinese headers in any
//! order; extra columns kept.

use crate::error::{Error, InputError, Result};
use sha2::{Digest, Sha256};
use std::path::Path;
use std::str::FromStr;

/// The text encoding of an input file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TextEncoding {
    /// UTF-8; GB18030 only when the header row proves it (see [`decode`]).
    #[default]
    Auto,
    /// UTF-8, with or without a byte-order mark.
    Utf8,
    /// GB18030, which includes GBK and GB2312.
    Gb18030,
}

impl TextEncoding {
    /// The name used in flags, plans and manifests.
    pub fn name(self) -> &'static str {
        match self {
            TextEncoding::Auto => "auto",
            TextEncoding::Utf8 => "utf-8",
            TextEncoding::Gb18030 => "gb18030",
        }
    }
}

impl FromStr for TextEncoding {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "auto" => Ok(TextEncoding::Auto),
            "utf-8" | "utf8" => Ok(TextEncoding::Utf8),
            "gb18030" | "gbk" | "gb2312" => Ok(TextEncoding::Gb18030),
            _ => Err(format!("unknown encoding {s:?}; expected auto, utf-8 or gb18030 (gbk)")),
        }
    }
}

/// A file read whole.
#[derive(Debug, Clone)]
pub struct RawFile {
    /// The path as the user gave it, for messages.
    pub display: String,
    /// The bytes as stored.
    pub bytes: Vec<u8>,
}

impl RawFile {
    /// Reads a file.
    pub fn read(path: &Path) -> Result<RawFile> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        Ok(RawFile::from_bytes(path.display().to_string(), bytes))
    }

    /// Wraps bytes already in memory.
    pub fn from_bytes(display: String, bytes: Vec<u8>) -> RawFile {
        RawFile { display, bytes }
    }

    /// hexlower(SHA-256) of the bytes.
    pub fn sha256(&self) -> String {
        sha256_hex(&self.bytes)
    }
}

/// hexlower(SHA-256(bytes)).
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// One column a reader wants: its canonical name and accepted aliases.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// The English header name, matched without regard to ASCII case.
    pub name: &'static str,
    /// Other accepted header names (Chinese names), matched exactly.
    pub aliases: &'static [&'static str],
    /// Whether a file without this column is an error.
    pub required: bool,
}

impl Column {
    fn matches(&self, header: &str) -> bool {
        header.eq_ignore_ascii_case(self.name) || self.aliases.contains(&header)
    }
}

/// A data row and the line it starts on.
#[derive(Debug, Clone)]
pub struct Row {
    /// 1-based line number in the file (the header is line 1).
    pub line: u64,
    /// Byte offset of the row in [`Table::text`]'s bytes.
    pub offset: u64,
    /// The fields as read (trimmed on access).
    pub record: csv::ByteRecord,
}

impl Row {
    /// Field `j` of the file, trimmed ("" when the row is short). A field
    /// that is not UTF-8 reads as "": [`Table::read`] then fails the whole
    /// file with an encoding error, whatever the caller made of it.
    pub fn field(&self, j: usize) -> &str {
        self.record
            .get(j)
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or("")
            .trim()
    }
}

/// The header of a CSV file and where the requested columns are.
#[derive(Debug, Clone)]
pub struct Header {
    /// The file as the user named it.
    pub path: String,
    /// The encoding that was used to read it (`utf-8` or `gb18030`).
    pub encoding: TextEncoding,
    /// The header names as written.
    pub headers: Vec<String>,
    /// For each requested column, its index in the file, if present.
    index: Vec<Option<usize>>,
}

/// A CSV file that has been read.
#[derive(Debug, Clone)]
pub struct Table {
    pub header: Header,
    /// Data rows read (blank lines not counted).
    pub rows: u64,
    /// hexlower(SHA-256) of the file's bytes as stored.
    pub sha256: String,
    /// The file as UTF-8 (BOM removed, GB18030 decoded): rows can be
    /// read again from their [`Row::offset`].
    pub text: Vec<u8>,
}

impl Table {
    /// Reads `file` as CSV with the given columns, calling `each` for every
    /// data row in file order. Rows are not kept. While the rows are
    /// parsed, a second thread hashes the file and checks that all of it
    /// is valid text.
    pub fn read(
        file: RawFile,
        encoding: TextEncoding,
        columns: &[Column],
        each: impl FnMut(&Header, &Row) -> Result<(), InputError>,
    ) -> Result<Table, InputError> {
        let RawFile { display: path, bytes } = file;
        let (text, encoding) = match encoding {
            TextEncoding::Gb18030 => (decode_gb18030(&path, &bytes)?, TextEncoding::Gb18030),
            _ => {
                let header_end = bytes.iter().position(|&b| b == b'\n').unwrap_or(bytes.len());
                let header_ok = std::str::from_utf8(&bytes[..header_end]).is_ok();
                let detected = if encoding == TextEncoding::Auto && !header_ok {
                    gb18030_with_chinese_header(&bytes, columns)
                } else {
                    None
                };
                match detected {
                    Some(text) => (text, TextEncoding::Gb18030),
                    None => (Vec::new(), TextEncoding::Utf8),
                }
            }
        };
        let (sha256, parsed, utf8) = std::thread::scope(|scope| {
            let checker = scope.spawn(|| {
                let sha = sha256_hex(&bytes);
                let utf8 = if encoding == TextEncoding::Utf8 {
                    std::str::from_utf8(&bytes).err()
                } else {
                    None
                };
                (sha, utf8)
            });
            let body: &[u8] = if encoding == TextEncoding::Utf8 {
                bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes)
            } else {
                &text
            };
            let parsed = parse_rows(&path, encoding, body, columns, each);
            let (sha, utf8) = checker.join().expect("hashing thread");
            (sha, parsed, utf8)
        });
        if let Some(e) = utf8 {
            let offset = e.valid_up_to();
            let line = 1 + bytes[..offset].iter().filter(|&&b| b == b'\n').count() as u64;
            return Err(InputError::line(
                &path,
                line,
                format!(
                    "not valid UTF-8 (byte 0x{:02X}); if the file was saved as GB18030 or GBK, \
                     as Excel and WPS often do, pass --encoding gb18030",
                    bytes[offset]
                ),
            ));
        }
        let (header, rows) = parsed?;
        let text = if encoding == TextEncoding::Utf8 {
            let mut bytes = bytes;
            if bytes.starts_with(b"\xEF\xBB\xBF") {
                bytes.drain(..3);
            }
            bytes
        } else {
            text
        };
        Ok(Table {
            header,
            rows,
            sha256,
            text,
        })
    }

    /// Reads a whole (small) file into memory.
    pub fn parse(file: RawFile, encoding: TextEncoding, columns: &[Column]) -> Result<(Table, Vec<Row>), InputError> {
        let mut rows = Vec::new();
        let table = Table::read(file, encoding, columns, |_, row| {
            rows.push(row.clone());
            Ok(())
        })?;
        Ok((table, rows))
    }
}

impl std::ops::Deref for Table {
    type Target = Header;

    fn deref(&self) -> &Header {
        &self.header
    }
}

impl Header {
    /// Whether the file has the `i`-th requested column.
    pub fn has(&self, i: usize) -> bool {
        self.index[i].is_some()
    }

    /// The `i`-th requested column's value in a row ("" when the file has
    /// no such column).
    pub fn get<'r>(&self, row: &'r Row, i: usize) -> &'r str {
        self.index[i].map_or("", |j| row.field(j))
    }

    /// The file's column index of the `i`-th requested column.
    pub fn column(&self, i: usize) -> Option<usize> {
        self.index[i]
    }

    /// Indices of the columns that no requested column claimed.
    pub fn extra_columns(&self) -> Vec<usize> {
        (0..self.headers.len())
            .filter(|j| !self.index.contains(&Some(*j)))
            .collect()
    }
}

fn parse_rows(
    path: &str,
    encoding: TextEncoding,
    bytes: &[u8],
    columns: &[Column],
    mut each: impl FnMut(&Header, &Row) -> Result<(), InputError>,
) -> Result<(Header, u64), InputError> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(bytes);
    let mut lines = LineCounter::new(bytes);
    let mut record = csv::ByteRecord::new();
    let mut read_row = |record: &mut csv::ByteRecord| match reader.read_byte_record(record) {
        Ok(false) => Ok(None),
        Ok(true) => {
            let offset = record.position().map_or(0, |p| p.byte());
            Ok(Some((lines.line_at(offset), offset)))
        }
        Err(e) => Err(csv_error(path, &e, &mut lines)),
    };
    if read_row(&mut record)?.is_none() {
        return Err(InputError::file(path, "empty file; expected a header row"));
    }
    let headers: Vec<String> = record
        .iter()
        .map(|h| {
            String::from_utf8_lossy(h)
                .trim()
                .trim_start_matches('\u{feff}')
                .to_string()
        })
        .collect();
    let mut index = Vec::with_capacity(columns.len());
    for col in columns {
        let found: Vec<usize> = headers
            .iter()
            .enumerate()
            .filter(|(_, h)| col.matches(h))
            .map(|(i, _)| i)
            .collect();
        match found.as_slice() {
            [] if col.required => {
                let mut names = vec![col.name];
                names.extend(col.aliases);
                return Err(InputError::line(
                    path,
                    1,
                    format!(
                        "no column {} in the header (accepted names: {}; found: {})",
                        col.name,
                        names.join(", "),
                        headers.join(", ")
                    ),
                ));
            }
            [] => index.push(None),
            [i] => index.push(Some(*i)),
            [a, b, ..] => {
                return Err(InputError::line(
                    path,
                    1,
                    format!(
                        "columns {:?} and {:?} both name the column {}; keep one",
                        headers[*a], headers[*b], col.name
                    ),
                ));
            }
        }
    }
    let header = Header {
        path: path.to_string(),
        encoding,
        headers,
        index,
    };
    let width = header.headers.len();
    let mut rows = 0;
    while let Some((line, offset)) = read_row(&mut record)? {
        if record.iter().all(|f| f.trim_ascii().is_empty()) {
            continue;
        }
        if record.len() != width {
            return Err(InputError::line(
                path,
                line,
                format!("expected {width} fields as in the header, found {}", record.len()),
            ));
        }
        rows += 1;
        let row = Row { line, offset, record };
        each(&header, &row)?;
        record = row.record;
    }
    Ok((header, rows))
}

/// Turns byte offsets of record starts into 1-based line numbers. The
/// csv crate's own line count lags behind on CRLF files, so count here.
struct LineCounter<'a> {
    text: &'a [u8],
    offset: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a [u8]) -> Self {
        LineCounter {
            text,
            offset: 0,
            line: 1,
        }
    }

    /// The line of the first non-newline byte at or after `byte`; offsets
    /// must not decrease between calls.
    fn line_at(&mut self, byte: u64) -> u64 {
        let mut target = (byte as usize).min(self.text.len());
        while target < self.text.len() && matches!(self.text[target], b'\r' | b'\n') {
            target += 1;
        }
        if target < self.offset {
            return self.line;
        }
        self.line += self.text[self.offset..target].iter().filter(|&&b| b == b'\n').count() as u64;
        self.offset = target;
        self.line
    }
}

fn csv_error(path: &str, e: &csv::Error, lines: &mut LineCounter) -> InputError {
    let line = e.position().map(|p| lines.line_at(p.byte()));
    let message = format!("not valid CSV: {e}");
    match line {
        Some(l) => InputError::line(path, l, message),
        None => InputError::file(path, message),
    }
}

fn decode_gb18030(path: &str, bytes: &[u8]) -> Result<Vec<u8>, InputError> {
    let body = bytes.strip_prefix(b"\x84\x31\x95\x33").unwrap_or(bytes);
    match encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(body) {
        Some(text) => Ok(text.into_owned().into_bytes()),
        None => Err(InputError::line(
            path,
            first_bad_gb18030_line(body),
            "not valid GB18030 text; check the file's encoding",
        )),
    }
}

fn gb18030_with_chinese_header(bytes: &[u8], columns: &[Column]) -> Option<Vec<u8>> {
    let text = encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes)?;
    let header = text.lines().next()?;
    let chinese_header = header.split(',').any(|h| {
        let h = h.trim().trim_matches('"');
        !h.is_ascii() && columns.iter().any(|c| c.aliases.contains(&h))
    });
    chinese_header.then(|| text.into_owned().into_bytes())
}

fn first_bad_gb18030_line(bytes: &[u8]) -> u64 {
    let mut line = 1;
    for chunk in bytes.split(|&b| b == b'\n') {
        if encoding_rs::GB18030
            .decode_without_bom_handling_and_without_replacement(chunk)
            .is_none()
        {
            return line;
        }
        line += 1;
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLS: &[Column] = &[
        Column {
            name: "uscc",
            aliases: &["统一社会信用代码"],
            required: true,
        },
        Column {
            name: "name",
            aliases: &["企业名称"],
            required: true,
        },
        Column {
            name: "county",
            aliases: &["所属区县"],
            required: false,
        },
    ];

    fn parse(bytes: &[u8], enc: TextEncoding) -> Result<(Table, Vec<Row>), InputError> {
        Table::parse(RawFile::from_bytes("t.csv".into(), bytes.to_vec()), enc, COLS)
    }

    #[test]
    fn bom_crlf_and_aliases() {
        let (t, rows) = parse(
            "\u{feff}企业名称,统一社会信用代码,备注\r\n\r\n甲公司, X1 ,注\r\n".as_bytes(),
            TextEncoding::Auto,
        )
        .unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(t.get(&rows[0], 0), "X1");
        assert_eq!(t.get(&rows[0], 1), "甲公司");
        assert!(!t.has(2));
        assert_eq!(t.extra_columns(), vec![2]);
        assert_eq!(rows[0].line, 3);
    }

    #[test]
    fn gb18030_detected_only_by_chinese_header() {
        let text = "统一社会信用代码,企业名称\n91640121750822310D,凯里市甲公司\n";
        let (gb, _, _) = encoding_rs::GB18030.encode(text);
        let (t, rows) = parse(&gb, TextEncoding::Auto).unwrap();
        assert_eq!(t.encoding, TextEncoding::Gb18030);
        assert_eq!(t.get(&rows[0], 1), "凯里市甲公司");

        let text = "uscc,name\n91640121750822310D,凯里市甲公司\n";
        let (gb, _, _) = encoding_rs::GB18030.encode(text);
        let err = parse(&gb, TextEncoding::Auto).unwrap_err();
        assert_eq!(err.line, Some(2));
        assert!(err.message.contains("--encoding gb18030"), "{err}");
        let (t, rows) = parse(&gb, TextEncoding::Gb18030).unwrap();
        assert_eq!(t.get(&rows[0], 1), "凯里市甲公司");
    }

    #[test]
    fn missing_column_and_ragged_rows() {
        let err = parse(b"name\nx\n", TextEncoding::Auto).unwrap_err();
        assert!(err.message.contains("统一社会信用代码"), "{err}");
        let err = parse(b"uscc,name\na,b\nc\n", TextEncoding::Auto).unwrap_err();
        assert_eq!(err.line, Some(3));
    }
}
