//! Reading a CSV file the way offices write them: UTF-8 with or without
//! a BOM, or GB18030/GBK; LF or CRLF; English or Chinese headers in any
//! order; extra columns kept. A sheet of an Excel workbook is read as the
//! CSV text it makes ([`crate::inputs::xlsx`]), by the same rules.

use crate::base::error::{Error, InputError, Result};
use crate::base::sha256::sha256_hex;
use crate::inputs::file_bytes::FileBytes;
use crate::inputs::uscc::{self, Uscc};
use crate::inputs::xlsx::{self, SheetChoice, SheetText};
use std::path::Path;
use std::str::FromStr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

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
    /// Not text: a sheet of an Excel workbook, whose cells hold Unicode
    /// text. Only ever found, by the file's name ([`xlsx::locate`]),
    /// never declared; a declared encoding does not apply to a workbook.
    Xlsx,
}

impl TextEncoding {
    /// The name used in flags, plans and manifests.
    pub fn name(self) -> &'static str {
        match self {
            TextEncoding::Auto => "auto",
            TextEncoding::Utf8 => "utf-8",
            TextEncoding::Gb18030 => "gb18030",
            TextEncoding::Xlsx => "xlsx",
        }
    }

    /// The encoding to read an input with again, from its record: the
    /// recorded one, or `Auto` for a workbook (which has none to
    /// declare). `None` for a name that is no encoding.
    pub fn from_record(name: &str) -> Option<TextEncoding> {
        match name {
            "xlsx" => Some(TextEncoding::Auto),
            _ => name.parse().ok(),
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
    /// The path as the user gave it (without a `#SHEET`), for messages.
    pub display: String,
    /// The bytes as stored.
    pub bytes: FileBytes,
    /// The sheet to read, when the file is an Excel workbook.
    pub sheet: Option<SheetChoice>,
}

impl RawFile {
    /// Reads a file: a text file, or a workbook when the path ends in
    /// `.xlsx` or is written `FILE.xlsx#SHEET` ([`xlsx::locate`]).
    pub fn read(path: &Path) -> Result<RawFile> {
        let (file, sheet) = xlsx::locate(path);
        let bytes = FileBytes::read(&file).map_err(|e| Error::io(&file, e))?;
        Ok(RawFile {
            display: file.display().to_string(),
            bytes,
            sheet,
        })
    }

    /// Wraps bytes already in memory.
    pub fn from_bytes(display: String, bytes: Vec<u8>) -> RawFile {
        RawFile {
            display,
            bytes: bytes.into(),
            sheet: None,
        }
    }

    /// Wraps the bytes of a workbook already in memory, to read `sheet`.
    pub fn workbook_from_bytes(display: String, bytes: Vec<u8>, sheet: SheetChoice) -> RawFile {
        RawFile {
            display,
            bytes: bytes.into(),
            sheet: Some(sheet),
        }
    }

    /// hexlower(SHA-256) of the bytes.
    pub fn sha256(&self) -> String {
        sha256_hex(&self.bytes)
    }
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

/// A data row and the line it starts on. Its fields are borrowed from
/// the text they were read from, never copied.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    /// 1-based line number in the file (the header is line 1).
    pub line: u64,
    /// Byte offset of the row in [`Table::text`]'s bytes.
    pub offset: u64,
    /// The bytes the fields are in.
    bytes: &'a [u8],
    /// Where each field is in `bytes`, as (start, end).
    spans: &'a [(usize, usize)],
}

impl<'a> Row<'a> {
    /// The row at `offset` of `text` (a [`Row::offset`] in the text it
    /// was read from), read again without the `csv` crate where that reads
    /// it the same: when its line has no quote and does not start with a
    /// byte-order mark (`None` otherwise). Its fields' places go into
    /// `spans`; its line number is not known, and is 0.
    pub fn reread(text: &'a [u8], offset: u64, spans: &'a mut Vec<(usize, usize)>) -> Option<Row<'a>> {
        let rest = text.get(usize::try_from(offset).ok()?..)?;
        UnquotedRecords::new(rest, 0).next_into(spans)?;
        let (start, end) = (spans.first()?.0, spans.last()?.1);
        let line = &rest[start..end];
        if line.starts_with(UTF8_BOM) || memchr::memchr(b'"', line).is_some() {
            return None;
        }
        Some(Row {
            line: 0,
            offset,
            bytes: rest,
            spans,
        })
    }

    /// Field `j` as read, untrimmed (`None` when the row is short).
    pub fn raw(&self, j: usize) -> Option<&'a [u8]> {
        self.spans.get(j).map(|&(start, end)| &self.bytes[start..end])
    }

    /// Every field as read, untrimmed.
    pub fn raw_fields(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        self.spans.iter().map(|&(start, end)| &self.bytes[start..end])
    }

    /// Field `j` of the file, trimmed ("" when the row is short). A field
    /// that is not UTF-8 reads as "": [`Table::read`] then fails the whole
    /// file with an encoding error, whatever the caller made of it.
    pub fn field(&self, j: usize) -> &'a str {
        self.raw(j)
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or("")
            .trim()
    }

    /// Whether every field is blank, empty once trimmed of white space
    /// as [`Row::field`] trims it (such rows are skipped). Most rows
    /// start with a field that is not, which settles it.
    fn is_blank(&self) -> bool {
        self.raw_fields().all(|f| match f.trim_ascii() {
            [] => true,
            [first, ..] if first.is_ascii() => false,
            t => std::str::from_utf8(t).is_ok_and(|s| s.trim().is_empty()),
        })
    }
}

/// The header of a CSV file and where the requested columns are.
#[derive(Debug, Clone)]
pub struct Header {
    /// The file as the user named it.
    pub path: String,
    /// The sheet, when the file is a workbook: then a [`Row::line`] is
    /// the row as the spreadsheet numbers it.
    pub sheet: Option<String>,
    /// The encoding that was used to read it (`utf-8`, `gb18030` or
    /// `xlsx`).
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
    pub text: FileBytes,
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
        let decoded = Decoded::new(file, encoding, columns)?;
        let end = SheetEnd::of(&decoded);
        end.finish(decoded.read(columns, each))
    }

    /// Reads `file` like [`Table::read`], turning every data row into a
    /// value with `f`, on several threads when the file is large.
    ///
    /// The rows are cut into consecutive chunks, one per processor; each
    /// chunk is read by its own thread with its own state, made by `init`
    /// for its [`Part`], and its values come back in file order together
    /// with that state. A chunk's rows reach `f` in file order, with the
    /// same [`Row::line`] and [`Row::offset`] as [`Table::read`] gives.
    ///
    /// Errors are exactly those of [`Table::read`]: the first in file
    /// order. `f` must not fail on a row for a reason that depends on
    /// rows of other chunks (such checks belong after the read, over the
    /// returned chunks); it may depend on earlier rows of its own chunk.
    /// When its part is [`Part::Whole`], the first error `f` meets is
    /// the file's; in a [`Part::Chunk`] any error only makes the reading
    /// start again, whole, so `f` may there leave checks across rows to
    /// the caller, after the read.
    ///
    /// Only files without any `"` in their rows are split: there every
    /// line break ends a record, so a chunk can start after any of them.
    /// Small files, quoted files and any file in which something is wrong
    /// are read by one thread, as one chunk, exactly as [`Table::read`]
    /// reads them; an error thus costs a second reading, never a
    /// different message.
    pub fn map_rows<S: Send, T: Send>(
        file: RawFile,
        encoding: TextEncoding,
        columns: &[Column],
        init: impl Fn(Part) -> S + Sync,
        f: impl Fn(&mut S, &Header, &Row) -> Result<T, InputError> + Sync,
    ) -> Result<(Table, Vec<Chunk<S, T>>), InputError> {
        Table::map_rows_split(file, encoding, columns, Split::for_this_machine(), init, f)
    }

    /// [`Table::map_rows`] with a given way of cutting the file.
    pub(crate) fn map_rows_split<S: Send, T: Send>(
        file: RawFile,
        encoding: TextEncoding,
        columns: &[Column],
        split: Split,
        init: impl Fn(Part) -> S + Sync,
        f: impl Fn(&mut S, &Header, &Row) -> Result<T, InputError> + Sync,
    ) -> Result<(Table, Vec<Chunk<S, T>>), InputError> {
        let add = |all: &mut Vec<Chunk<S, T>>, chunk| all.push(chunk);
        Table::fold_rows_split(file, encoding, columns, split, init, f, Vec::new, add, |_, _, _, e| e)
    }

    /// [`Table::map_rows_split`], handing each chunk to `add` as soon as
    /// it is read, in file order and with its [`Chunk::line_offset`], to
    /// be gathered into what `start` made: a large file is read a window
    /// at a time ([`WINDOW_BYTES`]), and its chunks need not all be kept
    /// until the end. When the file is read again on one thread, what
    /// was gathered is dropped and gathering starts again; when that
    /// reading fails, `fail` is given its state, the values read before
    /// the error, the header (once a row was read) and the error, and
    /// says what the error is.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn fold_rows_split<S: Send, T: Send, A>(
        file: RawFile,
        encoding: TextEncoding,
        columns: &[Column],
        split: Split,
        init: impl Fn(Part) -> S + Sync,
        f: impl Fn(&mut S, &Header, &Row) -> Result<T, InputError> + Sync,
        start: impl Fn() -> A,
        mut add: impl FnMut(&mut A, Chunk<S, T>) + Send,
        fail: impl FnOnce(S, Vec<T>, Option<&Header>, InputError) -> InputError,
    ) -> Result<(Table, A), InputError>
    where
        A: Send,
    {
        let decoded = Decoded::new(file, encoding, columns)?;
        let end = SheetEnd::of(&decoded);
        let mut gathered = start();
        let read = decoded.read_chunks(columns, split, &init, &f, &mut |chunk| add(&mut gathered, chunk));
        let read = match read {
            Chunked::Read {
                header, rows, sha256, ..
            } => {
                let text = decoded.into_text();
                Ok((
                    Table {
                        header,
                        rows,
                        sha256,
                        text,
                    },
                    gathered,
                ))
            }
            Chunked::NotUtf8 => Err(decoded.utf8_error().expect("a chunk is not UTF-8")),
            Chunked::Declined => {
                drop(gathered);
                let mut state = init(Part::Whole);
                let mut values = Vec::new();
                let mut header_read: Option<Header> = None;
                let read = decoded.read(columns, |header, row| {
                    if header_read.is_none() {
                        header_read = Some(header.clone());
                    }
                    values.push(f(&mut state, header, row)?);
                    Ok(())
                });
                match read {
                    Err(e) => Err(fail(state, values, header_read.as_ref(), e)),
                    Ok(table) => {
                        let mut gathered = start();
                        let chunk = Chunk {
                            state,
                            values,
                            line_offset: 0,
                        };
                        add(&mut gathered, chunk);
                        Ok((table, gathered))
                    }
                }
            }
        };
        end.finish(read)
    }
}

/// The rows of one part of a file, as read by [`Table::map_rows`].
#[derive(Debug)]
pub struct Chunk<S, T> {
    /// The state the chunk's rows were read with.
    pub state: S,
    /// One value per data row, in file order.
    pub values: Vec<T>,
    /// What to add to the [`Row::line`] its rows were given to get their
    /// lines in the file: a chunk read before the lines above it were
    /// counted numbers its own lines from 1. Zero for the file's first
    /// chunk, and for a file read whole.
    pub line_offset: u64,
}

/// The part of a file that one state of [`Table::map_rows`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The whole file, on one thread: the first error met is reported.
    Whole,
    /// One of several chunks read at once, of about `rows` rows (a hint
    /// for sizing): an error only makes the file be read again,
    /// [`Part::Whole`].
    Chunk { rows: usize },
}

/// How [`Table::map_rows`] may cut a file.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Split {
    /// At most this many threads read rows.
    pub(crate) threads: usize,
    /// No piece smaller than this many bytes (roughly), and no splitting
    /// of a file under twice this size: threads cost more than they save
    /// on small files.
    pub(crate) min_bytes: usize,
}

impl Split {
    /// One reading thread per processor; pieces of at least 256 KiB.
    pub(crate) fn for_this_machine() -> Split {
        Split {
            threads: crate::base::parallel::processors(),
            min_bytes: 256 << 10,
        }
    }
}

/// How many pieces each reading thread gets, on average: enough that the
/// threads end close together, whatever else the processors are doing.
const PIECES_PER_THREAD: usize = 16;

/// How the reading of a workbook's sheet ends: its errors name the sheet,
/// and a reading that got through the rows before a cell holding an
/// error value fails on that cell. Nothing for a text file.
struct SheetEnd {
    path: String,
    sheet: Option<String>,
    error: Option<InputError>,
}

impl SheetEnd {
    fn of(decoded: &Decoded) -> SheetEnd {
        SheetEnd {
            path: decoded.path.clone(),
            sheet: decoded.sheet.as_ref().map(|s| s.name.clone()),
            error: decoded.sheet.as_ref().and_then(|s| s.error.clone()),
        }
    }

    fn finish<T>(self, read: Result<T, InputError>) -> Result<T, InputError> {
        match (read, self.error) {
            (Err(e), _) if e.path == self.path => Err(e.in_sheet(self.sheet.as_deref())),
            (Err(e), _) | (Ok(_), Some(e)) => Err(e),
            (Ok(read), None) => Ok(read),
        }
    }
}

/// A file whose encoding is settled: the bytes as stored, and the UTF-8
/// text that rows are read from ([`Decoded::body`]).
struct Decoded {
    /// The file as the user named it.
    path: String,
    /// The bytes as stored.
    bytes: FileBytes,
    /// GB18030 files: the text decoded to UTF-8. UTF-8 files: empty, the
    /// text is `bytes` without its BOM, and it still has to be checked
    /// (by [`Decoded::read`] or [`Decoded::read_chunks`]).
    decoded: Vec<u8>,
    /// `Utf8`, `Gb18030` or `Xlsx`, never `Auto`.
    encoding: TextEncoding,
    /// A workbook's sheet (its text moved to `decoded`): the rows of its
    /// lines, and an error value that ends it.
    sheet: Option<SheetText>,
}

impl Decoded {
    /// Settles the encoding: GB18030 when declared, or when `Auto` and the
    /// header record ([`gb18030_header`]) is not UTF-8 but is GB18030
    /// naming a column by its Chinese name; UTF-8 otherwise. GB18030 files
    /// are decoded here, whole. A file declared GB18030 that starts with a
    /// UTF-8 byte-order mark is refused: it is UTF-8, and read as GB18030
    /// its header would be mojibake.
    ///
    /// A workbook's sheet is made into CSV text here, whatever the
    /// encoding declared.
    fn new(file: RawFile, encoding: TextEncoding, columns: &[Column]) -> Result<Decoded, InputError> {
        let RawFile {
            display: path,
            bytes,
            sheet,
        } = file;
        if let Some(choice) = sheet {
            let mut sheet = xlsx::read_sheet(&path, &bytes, &choice)?;
            return Ok(Decoded {
                path,
                bytes,
                decoded: std::mem::take(&mut sheet.text),
                encoding: TextEncoding::Xlsx,
                sheet: Some(sheet),
            });
        }
        let (decoded, encoding) = match encoding {
            TextEncoding::Gb18030 => {
                if bytes.starts_with(UTF8_BOM) {
                    return Err(InputError::line(
                        &path,
                        1,
                        "starts with a UTF-8 byte-order mark, but the encoding is declared as gb18030; \
                         the file is UTF-8: declare utf-8 (or auto), or save the file as GB18030",
                    ));
                }
                (decode_gb18030(&path, &bytes)?, TextEncoding::Gb18030)
            }
            TextEncoding::Utf8 => (Vec::new(), TextEncoding::Utf8),
            TextEncoding::Auto | TextEncoding::Xlsx if gb18030_header(&bytes, columns) => {
                (decode_gb18030(&path, &bytes)?, TextEncoding::Gb18030)
            }
            TextEncoding::Auto | TextEncoding::Xlsx => (Vec::new(), TextEncoding::Utf8),
        };
        Ok(Decoded {
            path,
            bytes,
            decoded,
            encoding,
            sheet: None,
        })
    }

    /// The text the rows are read from.
    fn body(&self) -> &[u8] {
        if self.encoding == TextEncoding::Utf8 {
            self.bytes.strip_prefix(UTF8_BOM).unwrap_or(&self.bytes)
        } else {
            &self.decoded
        }
    }

    /// The text, kept as [`Table::text`].
    fn into_text(self) -> FileBytes {
        if self.encoding == TextEncoding::Utf8 {
            let bom = if self.bytes.starts_with(UTF8_BOM) {
                UTF8_BOM.len()
            } else {
                0
            };
            self.bytes.without_prefix(bom)
        } else {
            self.decoded.into()
        }
    }

    /// For a file read as UTF-8 that is not, the error naming the line of
    /// the first bad byte.
    fn utf8_error(&self) -> Option<InputError> {
        if self.encoding != TextEncoding::Utf8 {
            return None;
        }
        let e = std::str::from_utf8(&self.bytes).err()?;
        let offset = e.valid_up_to();
        let line = 1 + count_newlines(&self.bytes[..offset]);
        Some(InputError::line(
            &self.path,
            line,
            format!(
                "not valid UTF-8 (byte 0x{:02X}); if the file was saved as GB18030 or GBK, \
                 as Excel and WPS often do, pass --encoding gb18030",
                self.bytes[offset]
            ),
        ))
    }

    /// [`Table::read`] on one thread, with the hash and the UTF-8 check
    /// on a second. A file that is not UTF-8 fails as such, whatever
    /// `each` made of its rows.
    fn read(
        self,
        columns: &[Column],
        each: impl FnMut(&Header, &Row) -> Result<(), InputError>,
    ) -> Result<Table, InputError> {
        // A large file's pages are given back behind each of the two
        // threads, as they go; a page given back that the other still
        // needs is read from the file again.
        let windowed = self.bytes.is_windowed();
        let (sha256, parsed, utf8_ok) = std::thread::scope(|scope| {
            let checker = scope.spawn(|| {
                if !windowed {
                    let sha = sha256_hex(&self.bytes);
                    let utf8_ok = self.encoding != TextEncoding::Utf8 || is_utf8(&self.bytes);
                    return (sha, utf8_ok);
                }
                // In windows cut after a line break (never inside a
                // character), each checked and hashed, then given back.
                let mut hasher = <sha2::Sha256 as sha2::Digest>::new();
                let (mut from, mut utf8_ok) = (0, true);
                while from < self.bytes.len() {
                    let mark = (from + WINDOW_BYTES).min(self.bytes.len());
                    let to = memchr::memchr(b'\n', &self.bytes[mark..]).map_or(self.bytes.len(), |i| mark + i + 1);
                    let window = &self.bytes[from..to];
                    sha2::Digest::update(&mut hasher, window);
                    utf8_ok &= self.encoding != TextEncoding::Utf8 || is_utf8(window);
                    self.bytes.release(from..to);
                    from = to;
                }
                (hex::encode(sha2::Digest::finalize(hasher)), utf8_ok)
            });
            // The rows' text is the stored bytes after the byte-order mark
            // only when the file is UTF-8 (a decoded file's text is a copy).
            let behind = windowed && self.encoding == TextEncoding::Utf8;
            let stored = if behind {
                self.bytes.len() - self.body().len()
            } else {
                0
            };
            let mut given_back = 0;
            let mut each = each;
            let each = |header: &Header, row: &Row| {
                let at = stored + row.offset as usize;
                if behind && at >= given_back + 2 * WINDOW_BYTES {
                    self.bytes.release(given_back..at - WINDOW_BYTES);
                    given_back = at - WINDOW_BYTES;
                }
                each(header, row)
            };
            let parsed = parse_rows(
                &self.path,
                self.encoding,
                self.sheet.as_ref(),
                self.body(),
                columns,
                each,
            );
            let (sha, utf8_ok) = checker.join().expect("hashing thread");
            (sha, parsed, utf8_ok)
        });
        if !utf8_ok {
            return Err(self.utf8_error().expect("not UTF-8"));
        }
        let (header, rows) = parsed?;
        Ok(Table {
            header,
            rows,
            sha256,
            text: self.into_text(),
        })
    }

    /// The parallel part of [`Table::map_rows`]: reads the header, cuts
    /// the rows into pieces at line breaks and reads them on several
    /// threads (one of them this one), while another thread hashes the
    /// file.
    ///
    /// This thread reads pieces from the front, one after the other, into
    /// one chunk; the other threads take pieces from the back, each its
    /// own chunk, until the two meet. So the threads end close together
    /// however the processors are shared, and the first half or so of the
    /// file is one chunk. A piece from the back does not know how many
    /// lines come before it: it numbers its lines from 1, and its
    /// [`Chunk::line_offset`] is worked out once every piece is read
    /// ([`join_pieces`]). Where the two meet, and which thread reads
    /// which piece from the back, depends on timing; the result does not.
    ///
    /// Each piece checks its own bytes for UTF-8 (a cut right after an
    /// ASCII byte never splits a character, so the pieces are valid
    /// exactly when the whole file is) and for quotes.
    fn read_chunks<S: Send, T: Send>(
        &self,
        columns: &[Column],
        split: Split,
        init: &(impl Fn(Part) -> S + Sync),
        f: &(impl Fn(&mut S, &Header, &Row) -> Result<T, InputError> + Sync),
        add: &mut (dyn FnMut(Chunk<S, T>) + Send),
    ) -> Chunked<S, T> {
        let Some((header, header_end)) = self.cut_header(columns, split) else {
            return Chunked::Declined;
        };
        let body = self.body();
        // A large UTF-8 file is read a window at a time: the window's
        // pieces on every processor, its bytes hashed beside them, then
        // its pages given back (a mapped page that has been read counts
        // as the process's memory until then). The text is the file's
        // bytes after the byte-order mark.
        // A GB18030 file's text is decoded into memory: it is read in
        // windows all the same, so that its rows' chunks are not all held
        // at once, and its stored bytes are hashed and given back a share
        // a window.
        let utf8 = self.encoding == TextEncoding::Utf8;
        let windowed = (utf8 || self.encoding == TextEncoding::Gb18030) && body.len() - header_end >= 2 * WINDOW_BYTES;
        let windows = if windowed {
            chunk_starts(body, header_end, (body.len() - header_end).div_ceil(WINDOW_BYTES), 1)
        } else {
            vec![header_end]
        };
        if windowed {
            crate::base::progress::reading(&self.path, self.bytes.len() as u64);
        }
        let mut hasher = <sha2::Sha256 as sha2::Digest>::new();
        let mut line = 1 + count_newlines(&body[..header_end]);
        let mut rows = 0;
        // The chunks of the window before, added while this one is read.
        let mut pending: Vec<Chunk<S, T>> = Vec::new();
        for (w, &a) in windows.iter().enumerate() {
            let b = windows.get(w + 1).copied().unwrap_or(body.len());
            let last = w + 1 == windows.len();
            let Some(cut) = cut_window(header.clone(), body, a..b, line, w == 0, split) else {
                return Chunked::Declined;
            };
            // The stored bytes that this window hashes: its own (the first
            // takes in the byte-order mark and the header, the last the
            // end), or for a decoded file an equal share.
            let len = self.bytes.len();
            let stored = if utf8 {
                let bom = len - body.len();
                (if w == 0 { 0 } else { a + bom })..(if last { len } else { b + bom })
            } else {
                let share = len.div_ceil(windows.len());
                (w * share).min(len)..if last { len } else { ((w + 1) * share).min(len) }
            };
            let pieces = cut.pieces();
            let (front, back) = std::thread::scope(|scope| {
                let earlier = std::mem::take(&mut pending);
                let adding = &mut *add;
                let added = scope.spawn(move || earlier.into_iter().for_each(adding));
                let hashing = &mut hasher;
                let bytes = &self.bytes[stored.clone()];
                let hash = scope.spawn(move || sha2::Digest::update(hashing, bytes));
                // Each other thread is given its first piece here, so that the
                // file is split even when this thread would be quicker to read
                // all of it than they are to start.
                let others: Vec<_> = (1..split.threads)
                    .map(|_| {
                        let first = pieces.claim_back();
                        let pieces = &pieces;
                        scope.spawn(move || self.read_back(pieces, first, init, f))
                    })
                    .collect();
                let front = self.read_front(&pieces, cut.first_line, init, f);
                let mut back = Vec::new();
                for t in others {
                    back.extend(t.join().expect("chunk thread"));
                }
                hash.join().expect("hashing thread");
                added.join().expect("adding thread");
                (front, back)
            });
            let stored_len = stored.len();
            if windowed {
                self.bytes.release(stored);
            }
            let not_utf8 = pieces.not_utf8.load(Ordering::Relaxed);
            match join_pieces(cut, String::new(), not_utf8, front, back) {
                Chunked::Read {
                    rows: n,
                    next_line,
                    chunks,
                    ..
                } => {
                    rows += n;
                    line = next_line;
                    if windowed {
                        crate::base::progress::read(&self.path, stored_len as u64, rows);
                    }
                    pending = chunks;
                }
                other => return other,
            }
        }
        pending.into_iter().for_each(add);
        Chunked::Read {
            header,
            rows,
            sha256: hex::encode(sha2::Digest::finalize(hasher)),
            next_line: line,
            chunks: Vec::new(),
        }
    }

    /// Reads the header and cuts the rows after it into pieces, as
    /// [`Decoded::read_chunks`] does for a file of one window; `None` when
    /// the file is to be read on one thread.
    #[cfg(test)]
    fn cut(&self, columns: &[Column], split: Split) -> Option<Cut> {
        let (header, header_end) = self.cut_header(columns, split)?;
        let body = self.body();
        let first_line = 1 + count_newlines(&body[..header_end]);
        cut_window(header, body, header_end..body.len(), first_line, true, split)
    }

    /// Reads the header for [`Decoded::read_chunks`], and where the rows
    /// start; `None` when the file is to be read on one thread.
    fn cut_header(&self, columns: &[Column], split: Split) -> Option<(Header, usize)> {
        let body = self.body();
        if split.threads < 2 || body.len() < 2 * split.min_bytes {
            return None;
        }
        // A sheet whose lines are not its rows, or that ends at an error
        // value, is read whole.
        if self
            .sheet
            .as_ref()
            .is_some_and(|s| s.rows.is_some() || s.error.is_some())
        {
            return None;
        }
        let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(body);
        let mut record = csv::ByteRecord::new();
        if !matches!(reader.read_byte_record(&mut record), Ok(true)) {
            return None;
        }
        let header = make_header(&self.path, self.encoding, self.sheet.as_ref(), &record, columns).ok()?;
        if first_special::<false>(record.as_slice()).is_some() {
            return None;
        }
        Some((header, reader.position().byte() as usize))
    }

    /// Reads pieces from the front, in order, into one chunk whose first
    /// byte is on `first_line`. `None` when a piece gave up, or another thread
    /// did.
    fn read_front<S, T>(
        &self,
        pieces: &Pieces,
        first_line: u64,
        init: impl Fn(Part) -> S,
        f: impl Fn(&mut S, &Header, &Row) -> Result<T, InputError>,
    ) -> Option<ReadPieces<S, T>> {
        let body = self.body();
        let end = pieces.ends.last().copied().unwrap_or(body.len());
        let hint = rows_hint((end - pieces.starts[0]) / 2);
        let mut state = init(Part::Chunk { rows: hint });
        let mut values = Vec::with_capacity(hint);
        let (mut rows, mut newlines) = (0, 0);
        while let Some(k) = pieces.claim_front() {
            let (n, breaks) = self.read_piece(pieces, k, first_line + newlines, &mut state, &mut values, &f)?;
            rows += n;
            newlines += breaks;
        }
        let chunk = Chunk {
            state,
            values,
            line_offset: 0,
        };
        Some(ReadPieces {
            chunk,
            piece: 0,
            rows,
            newlines,
        })
    }

    /// Reads pieces from the back, `first` and then those it claims,
    /// each into a chunk of its own whose lines are numbered from 1.
    /// `None` in the list when a piece gave up, or another thread did.
    fn read_back<S, T>(
        &self,
        pieces: &Pieces,
        mut first: Option<usize>,
        init: impl Fn(Part) -> S,
        f: impl Fn(&mut S, &Header, &Row) -> Result<T, InputError>,
    ) -> Vec<Option<ReadPieces<S, T>>> {
        let mut read = Vec::new();
        while let Some(k) = first.take().or_else(|| pieces.claim_back()) {
            let hint = rows_hint(pieces.ends[k] - pieces.starts[k]);
            let mut state = init(Part::Chunk { rows: hint });
            let mut values = Vec::with_capacity(hint);
            let Some((rows, newlines)) = self.read_piece(pieces, k, 1, &mut state, &mut values, &f) else {
                read.push(None);
                break;
            };
            let chunk = Chunk {
                state,
                values,
                line_offset: 0,
            };
            read.push(Some(ReadPieces {
                chunk,
                piece: k,
                rows,
                newlines,
            }));
        }
        read
    }

    /// Reads the rows of piece `k`, whose first byte is on `line`, into
    /// `state` and `values`, after checking that its bytes are UTF-8 (the
    /// first piece's check takes in the header). Gives its rows and line
    /// breaks; `None`, for the caller to give up, on anything unusual:
    /// bytes that are not UTF-8, a quote, a BOM at the start, a row of
    /// the wrong width, an error from `f`, or another piece that gave up.
    /// A piece that gives up stops the others.
    fn read_piece<S, T>(
        &self,
        pieces: &Pieces,
        k: usize,
        line: u64,
        state: &mut S,
        values: &mut Vec<T>,
        f: impl Fn(&mut S, &Header, &Row) -> Result<T, InputError>,
    ) -> Option<(u64, u64)> {
        let read = self.piece_rows(pieces, k, line, state, values, f);
        if read.is_none() {
            pieces.stop.store(true, Ordering::Relaxed);
        }
        read
    }

    /// [`Decoded::read_piece`], but for stopping the others.
    fn piece_rows<S, T>(
        &self,
        pieces: &Pieces,
        k: usize,
        line: u64,
        state: &mut S,
        values: &mut Vec<T>,
        f: impl Fn(&mut S, &Header, &Row) -> Result<T, InputError>,
    ) -> Option<(u64, u64)> {
        let body = self.body();
        let range = pieces.starts[k]..pieces.ends[k];
        let check_from = if k == 0 && pieces.checks_header { 0 } else { range.start };
        if self.encoding == TextEncoding::Utf8 && !is_utf8(&body[check_from..range.end]) {
            pieces.not_utf8.store(true, Ordering::Relaxed);
            return None;
        }
        let text = &body[range.clone()];
        // A reader drops a BOM at the start of its input, so a piece whose
        // first row starts with U+FEFF would read differently.
        // A control character is reported by the one-thread reader, with
        // its row and column.
        if text.starts_with(UTF8_BOM) || first_special::<true>(text).is_some() {
            return None;
        }
        // Widths are checked below, against the header as the
        // single-threaded reader checks them against its first record.
        let header = pieces.header;
        let width = header.headers.len();
        let mut records = UnquotedRecords::new(text, line);
        let mut rows = 0;
        let mut spans = Vec::with_capacity(width);
        while let Some((line, offset)) = records.next_into(&mut spans) {
            if pieces.stop.load(Ordering::Relaxed) {
                return None;
            }
            let row = Row {
                line,
                offset: (range.start + offset) as u64,
                bytes: text,
                spans: &spans,
            };
            // A blank row is skipped whatever its width, as below.
            if row.is_blank() {
                continue;
            }
            if spans.len() != width {
                return None;
            }
            values.push(f(state, header, &row).ok()?);
            rows += 1;
        }
        Some((rows, records.line - line))
    }
}

/// A file cut into pieces by [`Decoded::cut`].
struct Cut {
    header: Header,
    /// Where each piece starts in the text, and where it ends.
    starts: Vec<usize>,
    ends: Vec<usize>,
    /// The line of the first piece's first byte.
    first_line: u64,
    /// Whether the first piece's UTF-8 check takes in the text before it.
    checks_header: bool,
}

impl Cut {
    /// The pieces, none of them claimed yet.
    fn pieces(&self) -> Pieces<'_> {
        Pieces {
            checks_header: self.checks_header,
            header: &self.header,
            starts: &self.starts,
            ends: &self.ends,
            claims: Mutex::new((0, self.starts.len())),
            stop: AtomicBool::new(false),
            not_utf8: AtomicBool::new(false),
        }
    }
}

/// A large file is read in windows of about this many bytes (a file
/// of less than two is one window): each window's pages are given back
/// once it is read, so that a file of gigabytes takes about this much of
/// the memory.
pub(crate) const WINDOW_BYTES: usize = 64 << 20;

/// The rows of `range` of `body`, the first on `first_line`, cut into
/// pieces ([`chunk_starts`]); `None` when the first window has too few
/// to share. `checks_header`: the first piece's UTF-8 check takes in the
/// text before it (the header), for the first window.
fn cut_window(
    header: Header,
    body: &[u8],
    range: std::ops::Range<usize>,
    first_line: u64,
    checks_header: bool,
    split: Split,
) -> Option<Cut> {
    let starts = chunk_starts(
        &body[..range.end],
        range.start,
        split.threads * PIECES_PER_THREAD,
        split.min_bytes,
    );
    if starts.len() < 2 && checks_header {
        return None;
    }
    let ends = starts[1..].iter().copied().chain([range.end]).collect();
    Some(Cut {
        header,
        starts,
        ends,
        first_line,
        checks_header,
    })
}

/// The chunks of a file cut into pieces: the chunk read from the front,
/// then the pieces read from the back, in the order of their pieces
/// whatever order they are given in, each with its line offset. Every
/// piece must have been read once, the front's before the back's.
/// Declined, or not UTF-8, when any piece gave up.
fn join_pieces<S, T>(
    cut: Cut,
    sha256: String,
    not_utf8: bool,
    front: Option<ReadPieces<S, T>>,
    back: Vec<Option<ReadPieces<S, T>>>,
) -> Chunked<S, T> {
    let (Some(front), Some(mut back)) = (front, back.into_iter().collect::<Option<Vec<_>>>()) else {
        return if not_utf8 { Chunked::NotUtf8 } else { Chunked::Declined };
    };
    let mut rows = front.rows;
    let mut line = cut.first_line + front.newlines;
    let mut chunks = vec![front.chunk];
    back.sort_unstable_by_key(|p| p.piece);
    for mut p in back {
        p.chunk.line_offset = line - 1;
        line += p.newlines;
        rows += p.rows;
        chunks.push(p.chunk);
    }
    Chunked::Read {
        header: cut.header,
        rows,
        sha256,
        next_line: line,
        chunks,
    }
}

/// The pieces of a file being read by [`Decoded::read_chunks`], and what
/// its threads share.
struct Pieces<'a> {
    /// Whether the first piece's UTF-8 check takes in the text before it.
    checks_header: bool,
    header: &'a Header,
    starts: &'a [usize],
    ends: &'a [usize],
    /// The next piece from the front, and the end of the pieces left (the
    /// next from the back is the one before it).
    claims: Mutex<(usize, usize)>,
    /// Set when a piece gave up: the others stop too, as the file will be
    /// read again on one thread.
    stop: AtomicBool,
    /// Set when a piece is not UTF-8 (in a file read as UTF-8).
    not_utf8: AtomicBool,
}

/// About how many rows `bytes` of text hold, for sizing: rather more
/// than fewer (a vector that outgrows its space is copied, while space
/// never written costs nothing).
fn rows_hint(bytes: usize) -> usize {
    bytes / 128 + 16
}

impl Pieces<'_> {
    fn claim_front(&self) -> Option<usize> {
        let mut c = self.claims.lock().expect("claims");
        (c.0 < c.1).then(|| {
            c.0 += 1;
            c.0 - 1
        })
    }

    fn claim_back(&self) -> Option<usize> {
        let mut c = self.claims.lock().expect("claims");
        (c.0 < c.1).then(|| {
            c.1 -= 1;
            c.1
        })
    }
}

/// Consecutive pieces read into one chunk by [`Decoded::read_chunks`].
struct ReadPieces<S, T> {
    chunk: Chunk<S, T>,
    /// The first piece's index.
    piece: usize,
    /// Data rows read.
    rows: u64,
    /// Line breaks in the pieces.
    newlines: u64,
}

/// What [`Decoded::read_chunks`] made of a file.
enum Chunked<S, T> {
    /// Every chunk was read.
    Read {
        header: Header,
        rows: u64,
        sha256: String,
        /// The line after the last piece's.
        next_line: u64,
        chunks: Vec<Chunk<S, T>>,
    },
    /// The file is meant as UTF-8 but is not.
    NotUtf8,
    /// The file is to be read on one thread: it is small or quoted, or
    /// something in it is wrong and the error must be the one-thread
    /// reader's.
    Declined,
}

/// The records of a text without quotes, read as the `csv` crate reads
/// them: `\r`, `\n` and `\r\n` end a record, empty lines are no
/// records, and every `,` separates two fields. A record's position is
/// the `csv` crate's: right after the first byte of the line break before
/// it (the text's start for the first).
struct UnquotedRecords<'a> {
    text: &'a [u8],
    /// Where the next record's position is.
    pos: usize,
    /// The line of the byte at `pos`.
    line: u64,
}

impl<'a> UnquotedRecords<'a> {
    /// The records of `text`, whose first byte is on line `line`.
    fn new(text: &'a [u8], line: u64) -> Self {
        UnquotedRecords { text, pos: 0, line }
    }

    /// Finds the next record's fields, as (start, end) in the text, in
    /// `spans`; gives its line (that of its first byte) and position.
    fn next_into(&mut self, spans: &mut Vec<(usize, usize)>) -> Option<(u64, usize)> {
        let text = self.text;
        let offset = self.pos;
        let mut start = self.pos;
        while start < text.len() && matches!(text[start], b'\r' | b'\n') {
            self.line += u64::from(text[start] == b'\n');
            start += 1;
        }
        if start == text.len() {
            self.pos = start;
            return None;
        }
        let end = memchr::memchr2(b'\r', b'\n', &text[start..]).map_or(text.len(), |i| start + i);
        spans.clear();
        let mut from = start;
        for comma in memchr::memchr_iter(b',', &text[start..end]) {
            spans.push((from, start + comma));
            from = start + comma + 1;
        }
        spans.push((from, end));
        let line = self.line;
        self.pos = (end + 1).min(text.len());
        self.line += u64::from(text.get(end) == Some(&b'\n'));
        Some((line, offset))
    }
}

/// Where the chunks of `body` start: at most `chunks` of them, of at
/// least `min_bytes` each (roughly); the first right after the header
/// (`header_end`), the others spread evenly over the rest, each at the
/// place where a one-thread reader starts its next record. That is
/// right after the first byte of a run of line breaks, which is the byte
/// that ended the record before; the rest of the run (the `\n` of a
/// `\r\n`, blank lines) is skipped by either reader alike.
///
/// Only valid for a body without quotes: there every `\n` ends a record.
fn chunk_starts(body: &[u8], header_end: usize, chunks: usize, min_bytes: usize) -> Vec<usize> {
    let mut starts = vec![header_end];
    let rest = body.len().saturating_sub(header_end);
    let chunks = chunks.min(rest / min_bytes.max(1)).max(1);
    for k in 1..chunks {
        let target = header_end + rest / chunks * k;
        let Some(newline) = body[target..].iter().position(|&b| b == b'\n') else {
            break;
        };
        let mut run_start = target + newline;
        while run_start > 0 && matches!(body[run_start - 1], b'\r' | b'\n') {
            run_start -= 1;
        }
        let start = run_start + 1;
        if start > *starts.last().expect("not empty") && start < body.len() {
            starts.push(start);
        }
    }
    starts
}

/// Whether `bytes` are UTF-8: a check of the whole file, vectorised
/// (simdutf8), several times faster than the standard library's on
/// Chinese text. Where it fails, the standard library says where.
fn is_utf8(bytes: &[u8]) -> bool {
    simdutf8::basic::from_utf8(bytes).is_ok()
}

/// The number of `\n` bytes in `bytes`.
fn count_newlines(bytes: &[u8]) -> u64 {
    // Counts in 32 one-byte lanes (which the compiler turns into vector
    // compares), emptied into `n` before any lane can overflow: several
    // times faster than `filter().count()` on a large file.
    const LANES: usize = 32;
    let mut n = 0u64;
    let mut blocks = bytes.chunks_exact(LANES);
    let mut lanes = [0u8; LANES];
    let mut filled = 0;
    for block in &mut blocks {
        for (lane, &b) in lanes.iter_mut().zip(block) {
            *lane += u8::from(b == b'\n');
        }
        filled += 1;
        if filled == u8::MAX {
            n += lanes.iter().map(|&l| u64::from(l)).sum::<u64>();
            lanes = [0; LANES];
            filled = 0;
        }
    }
    n += lanes.iter().map(|&l| u64::from(l)).sum::<u64>();
    n + blocks.remainder().iter().filter(|&&b| b == b'\n').count() as u64
}

impl std::ops::Deref for Table {
    type Target = Header;

    fn deref(&self) -> &Header {
        &self.header
    }
}

impl Header {
    /// What the file's places are called in messages: the lines of a text
    /// file, the rows of a sheet.
    pub fn lines_word(&self) -> &'static str {
        if self.sheet.is_some() { "rows" } else { "lines" }
    }

    /// Whether the file has the `i`-th requested column.
    pub fn has(&self, i: usize) -> bool {
        self.index[i].is_some()
    }

    /// The `i`-th requested column's value in a row ("" when the file has
    /// no such column).
    pub fn get<'r>(&self, row: &'r Row, i: usize) -> &'r str {
        self.index[i].map_or("", |j| row.field(j))
    }

    /// Whether the `i`-th requested column's value is empty, as
    /// [`Header::get`] gives it. Most fields begin with a character that
    /// is not white space, which settles it without reading further.
    pub fn is_empty(&self, row: &Row, i: usize) -> bool {
        let first = self.index[i].and_then(|j| row.raw(j)).and_then(|f| f.first());
        match first {
            None => true,
            // No white-space character (`char::is_whitespace`) is ASCII
            // graphic or starts with a byte from 0xE4 (U+4000 and up).
            Some(&b) if b.is_ascii_graphic() || b >= 0xE4 => false,
            Some(_) => self.get(row, i).is_empty(),
        }
    }

    /// The `i`-th requested column's value checked as a credit code
    /// (GB 32100), with the code packed ([`crate::inputs::uscc::pack`]); the
    /// error names the line, `column` and the right check character.
    pub fn credit_code(&self, row: &Row, i: usize, column: &str) -> Result<(Uscc, u128), InputError> {
        // Most fields are a valid code as stored, which settles it.
        if let Some(valid) = self.column(i).and_then(|j| row.raw(j)).and_then(uscc::valid_field) {
            return Ok(valid);
        }
        let code = self.get(row, i);
        let packed = uscc::validate_and_pack(code).map_err(|e| {
            InputError::field(
                &self.path,
                row.line,
                column,
                format!("credit code {code:?} is invalid: {e}"),
            )
        })?;
        Ok((Uscc::new(code).expect("a valid code is 18 ASCII characters"), packed))
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
    sheet: Option<&SheetText>,
    bytes: &[u8],
    columns: &[Column],
    mut each: impl FnMut(&Header, &Row) -> Result<(), InputError>,
) -> Result<(Header, u64), InputError> {
    // Flexible: rows of another width than the header are found below, a
    // blank one skipped (SPEC.md §1.0), any other refused in the words of
    // this reader.
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut lines = LineCounter::new(bytes);
    let mut record = csv::ByteRecord::new();
    let mut read_row = |record: &mut csv::ByteRecord| match reader.read_byte_record(record) {
        Ok(false) => Ok(None),
        Ok(true) => {
            let offset = record.position().map_or(0, |p| p.byte());
            let line = lines.line_at(offset);
            Ok(Some((sheet.map_or(line, |s| s.row_of(line)), offset)))
        }
        Err(e) => Err(csv_error(path, &e, &mut lines)),
    };
    let Some((header_line, _)) = read_row(&mut record)? else {
        return Err(InputError::file(path, "empty file; expected a header row"));
    };
    check_controls(path, &header_names(&record), header_line, &record)?;
    let header = make_header(path, encoding, sheet, &record, columns)?;
    let width = header.headers.len();
    let mut rows = 0;
    let mut spans = Vec::with_capacity(width);
    while let Some((line, offset)) = read_row(&mut record)? {
        spans.clear();
        spans.extend(
            (0..record.len())
                .filter_map(|i| record.range(i))
                .map(|r| (r.start, r.end)),
        );
        let row = Row {
            line,
            offset,
            bytes: record.as_slice(),
            spans: &spans,
        };
        check_controls(path, &header.headers, line, &record)?;
        if row.is_blank() {
            continue;
        }
        if spans.len() != width {
            return Err(InputError::line(
                path,
                line,
                format!("expected {width} fields as in the header, found {} fields", spans.len()),
            ));
        }
        rows += 1;
        each(&header, &row)?;
    }
    Ok((header, rows))
}

/// An error for the first control character in `record` (read on
/// `line`), naming its column: a field may hold a tab and, inside quotes,
/// line breaks, but no other character of Unicode category Cc (U+0000 to
/// U+001F, U+007F to U+009F). A NUL or an escape code in a name is a
/// broken export, not a name.
fn check_controls(path: &str, headers: &[String], line: u64, record: &csv::ByteRecord) -> Result<(), InputError> {
    let Some(at) = first_special::<false>(record.as_slice()) else {
        return Ok(());
    };
    let j = (0..record.len())
        .find(|&j| record.range(j).is_some_and(|r| r.contains(&at)))
        .unwrap_or(0);
    let column = match headers.get(j) {
        Some(name) if !name.is_empty() => name.clone(),
        _ => format!("#{}", j + 1),
    };
    let bytes = record.as_slice();
    let c = std::str::from_utf8(&bytes[at..])
        .ok()
        .and_then(|s| s.chars().next())
        .map_or(u32::from(bytes[at]), u32::from);
    Err(InputError::field(
        path,
        line,
        column,
        format!(
            "a control character (U+{c:04X}) in the field; a field may hold tabs and, inside quotes, \
             line breaks, but no other control characters: check how the file was exported"
        ),
    ))
}

/// Where the first control character of `bytes` (UTF-8) is, other than
/// TAB, LF and CR: U+0000 to U+001F, U+007F, and U+0080 to U+009F
/// (written `C2 80` to `C2 9F`); with `QUOTE`, or the first `"`, so that
/// a piece of a file is looked at once for both. Blocks of bytes are
/// looked at in 32 one-byte lanes (which the compiler turns into vector
/// compares) for a byte that could start one; only such a block is
/// looked at closely.
fn first_special<const QUOTE: bool>(bytes: &[u8]) -> Option<usize> {
    const LANES: usize = 32;
    const BLOCK: usize = 32 * LANES;
    let suspect = |b: u8| {
        u8::from(
            ((b < 0x20) & (b != b'\t') & (b != b'\n') & (b != b'\r'))
                | (b == 0x7F)
                | (b == 0xC2)
                | (QUOTE & (b == b'"')),
        )
    };
    let control_at = |i: usize| match bytes[i] {
        0xC2 => bytes.get(i + 1).is_some_and(|&n| (0x80..=0x9F).contains(&n)),
        b => suspect(b) != 0,
    };
    let mut start = 0;
    for block in bytes.chunks(BLOCK) {
        let mut lanes = [0u8; LANES];
        let mut words = block.chunks_exact(LANES);
        for word in &mut words {
            for (lane, &b) in lanes.iter_mut().zip(word) {
                *lane |= suspect(b);
            }
        }
        let any = lanes.iter().fold(0, |a, &l| a | l) | words.remainder().iter().fold(0, |a, &b| a | suspect(b));
        if any != 0
            && let Some(i) = (start..start + block.len()).find(|&i| control_at(i))
        {
            return Some(i);
        }
        start += block.len();
    }
    None
}

/// The header of a file from its first record: the names as written
/// (trimmed, without a BOM) and where each requested column is. Its
/// errors name line 1 of a text file, and the header's row of a sheet.
fn make_header(
    path: &str,
    encoding: TextEncoding,
    sheet: Option<&SheetText>,
    record: &csv::ByteRecord,
    columns: &[Column],
) -> Result<Header, InputError> {
    let header_line = sheet.map_or(1, |s| s.header_row);
    let headers = header_names(record);
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
                    header_line,
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
                    header_line,
                    format!(
                        "columns {:?} and {:?} both name the column {}; keep one",
                        headers[*a], headers[*b], col.name
                    ),
                ));
            }
        }
    }
    Ok(Header {
        path: path.to_string(),
        sheet: sheet.map(|s| s.name.clone()),
        encoding,
        headers,
        index,
    })
}

/// The names of a header record as written (trimmed, without a BOM).
fn header_names(record: &csv::ByteRecord) -> Vec<String> {
    record
        .iter()
        .map(|h| {
            String::from_utf8_lossy(h)
                .trim()
                .trim_start_matches('\u{feff}')
                .to_string()
        })
        .collect()
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
        LineCounter::starting_at(text, 1)
    }

    /// A counter for `text` whose first byte is on line `line`.
    fn starting_at(text: &'a [u8], line: u64) -> Self {
        LineCounter { text, offset: 0, line }
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
        self.line += count_newlines(&self.text[self.offset..target]);
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

fn decode_gb18030(path: &str, bytes: &FileBytes) -> Result<Vec<u8>, InputError> {
    use encoding_rs::DecoderResult;
    let bom = if bytes.starts_with(GB18030_BOM) {
        GB18030_BOM.len()
    } else {
        0
    };
    let body = &bytes[bom..];
    // Decoded a piece at a time into a text that grows as it is written:
    // decoding the whole at once takes memory for the longest text the
    // bytes could make, and fills it (4.2 GB for a 1.43 GB file). A large
    // file's pages are given back behind the decoder (the decoded text is
    // what is read; they are taken again only to be hashed).
    let mut decoder = encoding_rs::GB18030.new_decoder_without_bom_handling();
    let mut text = Vec::with_capacity(body.len() + body.len() / 4);
    let mut piece = vec![0u8; 1 << 20];
    // `read` counts the body's bytes, `released` the stored bytes.
    let (mut read, mut released) = (0, 0);
    loop {
        let (result, n, written) = decoder.decode_to_utf8_without_replacement(&body[read..], &mut piece, true);
        text.extend_from_slice(&piece[..written]);
        read += n;
        let done = result == DecoderResult::InputEmpty;
        if done || bom + read - released >= DECODE_RELEASE {
            bytes.release(released..bom + read);
            released = bom + read;
        }
        match result {
            DecoderResult::InputEmpty => return Ok(text),
            DecoderResult::OutputFull => {}
            DecoderResult::Malformed(..) => {
                return Err(InputError::line(
                    path,
                    first_bad_gb18030_line(body),
                    "not valid GB18030 text; check the file's encoding",
                ));
            }
        }
    }
}

/// How much of a large GB18030 file is decoded before its pages are given
/// back.
const DECODE_RELEASE: usize = 64 << 20;

/// The UTF-8 byte-order mark: dropped from a UTF-8 input, and written
/// before CSV output for Excel, which needs it to read the file as UTF-8.
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// The GB18030 byte-order mark (U+FEFF in GB18030).
const GB18030_BOM: &[u8] = b"\x84\x31\x95\x33";

/// The bytes of the header record, as a CSV reader finds it: from the
/// first byte that is not a line break (blank lines before the header are
/// no records) to the first line break outside quotes (a quoted header
/// name may hold one). In GB18030 as in UTF-8, the bytes `"`, `,`, CR and
/// LF only ever stand for those characters, so this holds for both.
fn header_record(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|&b| !matches!(b, b'\r' | b'\n'))
        .unwrap_or(bytes.len());
    let mut quoted = false;
    for (i, &b) in bytes[start..].iter().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b'\r' | b'\n' if !quoted => return &bytes[start..start + i],
            _ => {}
        }
    }
    &bytes[start..]
}

/// Whether a file of undeclared encoding is GB18030: its header record
/// is not UTF-8 (and there is no UTF-8 byte-order mark), but decodes as
/// GB18030 to a header in which some name, trimmed, is one of the
/// Chinese names of `columns`.
fn gb18030_header(bytes: &[u8], columns: &[Column]) -> bool {
    if bytes.starts_with(UTF8_BOM) {
        return false;
    }
    let record = header_record(bytes.strip_prefix(GB18030_BOM).unwrap_or(bytes));
    if std::str::from_utf8(record).is_ok() {
        return false;
    }
    let Some(text) = encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(record) else {
        return false;
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut names = csv::StringRecord::new();
    if !matches!(reader.read_record(&mut names), Ok(true)) {
        return false;
    }
    names.iter().any(|h| {
        let h = h.trim();
        !h.is_ascii() && columns.iter().any(|c| c.aliases.contains(&h))
    })
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

    /// A row of a small file as [`Header::get`] and [`Header::is_empty`]
    /// see each of [`COLS`].
    #[derive(Debug)]
    struct Cells {
        line: u64,
        get: Vec<String>,
        empty: Vec<bool>,
    }

    /// The table and every row of a small file.
    fn parse(bytes: &[u8], enc: TextEncoding) -> Result<(Table, Vec<Cells>), InputError> {
        let mut rows = Vec::new();
        let table = Table::read(
            RawFile::from_bytes("t.csv".into(), bytes.to_vec()),
            enc,
            COLS,
            |t, row| {
                rows.push(Cells {
                    line: row.line,
                    get: (0..COLS.len()).map(|i| t.get(row, i).to_string()).collect(),
                    empty: (0..COLS.len()).map(|i| t.is_empty(row, i)).collect(),
                });
                Ok(())
            },
        )?;
        Ok((table, rows))
    }

    #[test]
    fn empty_fields_are_found_as_get_finds_them() {
        // Every white-space character alone, before a name, and fields
        // that start with other characters.
        let mut names: Vec<String> = (0..=0x10FFFF)
            .filter_map(char::from_u32)
            .filter(|c| c.is_whitespace() && !matches!(c, '\n' | '\r'))
            // Other control characters are refused.
            .filter(|c| !c.is_control() || *c == '\t')
            .flat_map(|c| [c.to_string(), format!("{c}{c}"), format!("{c}甲"), format!("{c}a")])
            .collect();
        names.extend(["", "甲", "a", "-", "é", "\u{FEFF}", "😀", "\u{3001}"].map(String::from));
        let text: String = names.iter().map(|n| format!("X1,{n}\n")).collect();
        let (_, rows) = parse(
            format!("统一社会信用代码,企业名称\n{text}").as_bytes(),
            TextEncoding::Utf8,
        )
        .unwrap();
        // Rows of white space alone are skipped as blank when the code is
        // too, never here.
        assert_eq!(rows.len(), names.len());
        for (row, name) in rows.iter().zip(&names) {
            assert_eq!(row.empty[1], row.get[1].is_empty(), "{name:?}");
            assert_eq!(row.empty[1], name.trim().is_empty(), "{name:?}");
        }
        assert!(rows[0].empty[2], "a column the file does not have");
    }

    #[test]
    fn bom_crlf_and_aliases() {
        let (t, rows) = parse(
            "\u{feff}企业名称,统一社会信用代码,备注\r\n\r\n甲公司, X1 ,注\r\n".as_bytes(),
            TextEncoding::Auto,
        )
        .unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].get[0], "X1");
        assert_eq!(rows[0].get[1], "甲公司");
        assert!(!t.has(2));
        assert_eq!(t.extra_columns(), vec![2]);
        assert_eq!(rows[0].line, 3);
    }

    #[test]
    fn gb18030_is_decoded_a_piece_at_a_time_as_whole() {
        // Several of the decoder's pieces, with two- and four-byte
        // characters across their ends, and a byte-order mark.
        let text: String = (0..200_000).map(|i| format!("企业{i},𠀀,甲\n")).collect();
        let (stored, _, _) = encoding_rs::GB18030.encode(&text);
        let with_bom = [GB18030_BOM, &stored[..]].concat();
        for bytes in [stored.to_vec(), with_bom] {
            let decoded = decode_gb18030("e.csv", &FileBytes::from(bytes)).unwrap();
            assert_eq!(decoded, text.as_bytes());
        }
        // A bad byte is refused by its line.
        let mut bad = stored.to_vec();
        let at = bad.len() - 3;
        bad[at] = 0xFF;
        let e = decode_gb18030("e.csv", &FileBytes::from(bad)).unwrap_err();
        assert_eq!(e.line, Some(200_000), "{e}");
    }

    #[test]
    fn gb18030_detected_only_by_chinese_header() {
        let text = "统一社会信用代码,企业名称\n91640121750822310D,凯里市甲公司\n";
        let (gb, _, _) = encoding_rs::GB18030.encode(text);
        let (t, rows) = parse(&gb, TextEncoding::Auto).unwrap();
        assert_eq!(t.encoding, TextEncoding::Gb18030);
        assert_eq!(rows[0].get[1], "凯里市甲公司");

        let text = "uscc,name\n91640121750822310D,凯里市甲公司\n";
        let (gb, _, _) = encoding_rs::GB18030.encode(text);
        let err = parse(&gb, TextEncoding::Auto).unwrap_err();
        assert_eq!(err.line, Some(2));
        assert!(err.message.contains("--encoding gb18030"), "{err}");
        let (t, rows) = parse(&gb, TextEncoding::Gb18030).unwrap();
        assert_eq!(t.encoding, TextEncoding::Gb18030);
        assert_eq!(rows[0].get[1], "凯里市甲公司");
    }

    /// A row as the reader gave it: line, offset and fields.
    type Seen = (u64, u64, Vec<Vec<u8>>);

    fn seen(row: &Row) -> Seen {
        (row.line, row.offset, row.raw_fields().map(<[u8]>::to_vec).collect())
    }

    /// Fails on a field "ERR", and on a field "AGAIN" seen twice in the
    /// same state, as checks of a row and of earlier rows do.
    fn check(state: &mut Vec<u64>, header: &Header, row: &Row) -> Result<Seen, InputError> {
        if row.raw_fields().any(|f| f == b"ERR") {
            return Err(InputError::line(&header.path, row.line, "ERR"));
        }
        if row.raw_fields().any(|f| f == b"AGAIN") {
            if let Some(first) = state.first() {
                return Err(InputError::line(
                    &header.path,
                    row.line,
                    format!("again, first on {first}"),
                ));
            }
            state.push(row.line);
        }
        Ok(seen(row))
    }

    type Outcome = Result<(Vec<String>, TextEncoding, u64, String, Vec<u8>, Vec<Seen>), InputError>;

    /// What a reading gave: the table's parts and the rows seen.
    fn outcome(t: Table, rows: Vec<Seen>) -> Outcome {
        let text = t.text.to_vec();
        Ok((t.header.headers, t.header.encoding, t.rows, t.sha256, text, rows))
    }

    /// The one-thread reading, with [`check`] over the whole file.
    fn read_whole(bytes: &[u8], enc: TextEncoding) -> Outcome {
        let mut state = Vec::new();
        let mut rows = Vec::new();
        let file = RawFile::from_bytes("t.csv".into(), bytes.to_vec());
        let t = Table::read(file, enc, COLS, |h, row| {
            rows.push(check(&mut state, h, row)?);
            Ok(())
        })?;
        outcome(t, rows)
    }

    /// The chunked reading, and how many chunks it used. As
    /// [`Table::map_rows`] asks, an "AGAIN" repeated across chunks is
    /// looked for after the reading.
    fn read_chunked(bytes: &[u8], enc: TextEncoding, split: Split) -> (Outcome, usize) {
        let file = RawFile::from_bytes("t.csv".into(), bytes.to_vec());
        match Table::map_rows_split(file, enc, COLS, split, |_: Part| Vec::new(), check) {
            Ok((t, chunks)) => {
                let n = chunks.len();
                (chunks_outcome(t, chunks), n)
            }
            Err(e) => (Err(e), 0),
        }
    }

    /// What a chunked reading gave, its rows' lines shifted into the
    /// file's, or the error of an "AGAIN" repeated across chunks.
    fn chunks_outcome(t: Table, chunks: Vec<Chunk<Vec<u64>, Seen>>) -> Outcome {
        for (k, chunk) in chunks.iter().enumerate() {
            let earlier = chunks[..k]
                .iter()
                .find_map(|c| c.state.first().map(|l| l + c.line_offset));
            let again = chunk
                .values
                .iter()
                .find(|(_, _, fields)| fields.iter().any(|f| f == b"AGAIN"));
            if let (Some(first), Some((line, _, _))) = (earlier, again) {
                let line = line + chunk.line_offset;
                return Err(InputError::line(&t.path, line, format!("again, first on {first}")));
            }
        }
        let rows = chunks
            .into_iter()
            .flat_map(|c| {
                c.values
                    .into_iter()
                    .map(move |(line, o, f)| (line + c.line_offset, o, f))
            })
            .collect();
        outcome(t, rows)
    }

    /// The chunked reading of `file` with the pieces shared out in one
    /// given way, whatever the timing: the front takes the pieces before
    /// `meet`, and the back the others, handed in `back_order` (piece
    /// indices, each of them once). `None` when the file is not cut or a
    /// piece gives up, for then it is read on one thread. Also the number
    /// of pieces.
    fn read_shared_out(
        file: RawFile,
        enc: TextEncoding,
        split: Split,
        meet: usize,
        back_order: impl Fn(std::ops::Range<usize>) -> Vec<usize>,
    ) -> (Option<Outcome>, usize) {
        let decoded = Decoded::new(file, enc, COLS).expect("the encoding is settled");
        let Some(cut) = decoded.cut(COLS, split) else {
            return (None, 0);
        };
        let n = cut.starts.len();
        let meet = meet.min(n);
        let init = |_: Part| Vec::new();
        let pieces = cut.pieces();
        *pieces.claims.lock().unwrap() = (0, meet);
        let front = decoded.read_front(&pieces, cut.first_line, init, check);
        // Nothing left to claim: each back reading reads just its piece.
        *pieces.claims.lock().unwrap() = (meet, meet);
        let mut back = Vec::new();
        for k in back_order(meet..n) {
            back.extend(decoded.read_back(&pieces, Some(k), init, check));
        }
        let not_utf8 = pieces.not_utf8.load(Ordering::Relaxed);
        let sha256 = sha256_hex(&decoded.bytes);
        match join_pieces(cut, sha256, not_utf8, front, back) {
            Chunked::Read {
                header,
                rows,
                sha256,
                chunks,
                ..
            } => {
                let text = decoded.into_text();
                let t = Table {
                    header,
                    rows,
                    sha256,
                    text,
                };
                (Some(chunks_outcome(t, chunks)), n)
            }
            Chunked::NotUtf8 | Chunked::Declined => (None, n),
        }
    }

    /// Where two outcomes first differ, in words (`None` when they are
    /// the same): a mismatch of large files is found without printing them.
    fn first_difference(a: &Outcome, b: &Outcome) -> Option<String> {
        let (a, b) = match (a, b) {
            (Ok(a), Ok(b)) => (a, b),
            _ => return (a != b).then(|| format!("{:?} / {:?}", a.as_ref().err(), b.as_ref().err())),
        };
        if (&a.0, a.1, a.2, &a.3) != (&b.0, b.1, b.2, &b.3) {
            return Some(format!("{:?} / {:?}", (&a.0, a.1, a.2, &a.3), (&b.0, b.1, b.2, &b.3)));
        }
        if a.4 != b.4 {
            return Some("the texts differ".into());
        }
        if let Some(i) = (0..a.5.len().min(b.5.len())).find(|&i| a.5[i] != b.5[i]) {
            return Some(format!("row {i}: {:?} / {:?}", a.5[i], b.5[i]));
        }
        (a.5.len() != b.5.len()).then(|| format!("{} rows / {} rows", a.5.len(), b.5.len()))
    }

    /// Every way of sharing out the pieces of `file` reads it as `whole`
    /// does: wherever the front and the back meet, in whatever order the
    /// back's pieces come. Gives how many ways were read in chunks.
    fn every_sharing_reads_as(file: &RawFile, enc: TextEncoding, split: Split, whole: &Outcome) -> usize {
        let orders: [fn(std::ops::Range<usize>) -> Vec<usize>; 3] = [
            |r| r.rev().collect(),
            |r| r.collect(),
            |r| {
                let (even, odd): (Vec<usize>, Vec<usize>) = r.partition(|k| k % 2 == 0);
                odd.into_iter().rev().chain(even).collect()
            },
        ];
        let (_, n) = read_shared_out(file.clone(), enc, split, 0, orders[0]);
        let mut read = 0;
        for meet in 0..=n {
            for order in orders {
                let (chunked, _) = read_shared_out(file.clone(), enc, split, meet, order);
                if let Some(chunked) = chunked {
                    if let Some(d) = first_difference(&chunked, whole) {
                        panic!("{n} pieces, the front reading {meet}: {d}");
                    }
                    read += 1;
                }
            }
        }
        read
    }

    #[test]
    fn chunks_read_as_one_thread_does() {
        let mut text = String::from("\u{feff}uscc,name,county\r\n");
        for i in 0..200 {
            let end = ["\n", "\r\n", "\r\n\r\n", "\n\n", "\r\n,,\r\n"][i % 5];
            text.push_str(&format!(
                "X{i}, 甲{i} ,{}{end}",
                if i % 7 == 0 { "" } else { "\u{3000}凯里" }
            ));
        }
        let bytes = text.as_bytes();
        let whole = read_whole(bytes, TextEncoding::Auto);
        assert_eq!(whole.as_ref().unwrap().5.len(), 200);
        for chunks in 2..6 {
            let split = Split {
                threads: chunks,
                min_bytes: 64,
            };
            let (chunked, n) = read_chunked(bytes, TextEncoding::Auto, split);
            assert!(n >= chunks, "the file is split: {n} chunks");
            assert_eq!(chunked, whole);
            let file = RawFile::from_bytes("t.csv".into(), bytes.to_vec());
            assert!(every_sharing_reads_as(&file, TextEncoding::Auto, split, &whole) > 0);
        }
    }

    proptest::proptest! {
        /// Any text without quotes, with every kind of line break, blank
        /// and wrong-width rows, reads the same in chunks as on one thread.
        #[test]
        fn unquoted_chunks_read_as_one_thread_does(
            rows in proptest::collection::vec(
                (
                    proptest::collection::vec(proptest::sample::select(vec!["", "X1", " 甲 ", "\u{3000}", "ERR"]), 3),
                    proptest::sample::select(vec!["\n", "\r\n", "\r", "\n\n", "\r\n\r\n", "\n,,\n", "\n \n"]),
                    proptest::sample::select(vec![true, true, true, true, true, true, true, true, true, false]),
                ),
                0..120,
            ),
            chunks in 2usize..5,
        ) {
            let mut text = String::from("uscc,name,county\n");
            for (fields, end, right_width) in &rows {
                text.push_str(&fields.join(if *right_width { "," } else { ",," }));
                text.push_str(end);
            }
            let whole = read_whole(text.as_bytes(), TextEncoding::Auto);
            let split = Split { threads: chunks, min_bytes: 16 };
            let (chunked, _) = read_chunked(text.as_bytes(), TextEncoding::Auto, split);
            proptest::prop_assert_eq!(chunked, whole.clone());
            let file = RawFile::from_bytes("t.csv".into(), text.into_bytes());
            every_sharing_reads_as(&file, TextEncoding::Auto, split, &whole);
        }
    }

    #[test]
    fn rows_starting_with_a_bom_read_as_one_thread_does() {
        // A reader drops U+FEFF at the start of its input: a chunk must not
        // start on such a row. Here every row starts with one.
        let mut text = String::from("uscc,name,county\n");
        for i in 0..100 {
            text.push_str(&format!("\u{feff}X{i},甲,凯里\n"));
        }
        let whole = read_whole(text.as_bytes(), TextEncoding::Auto);
        assert!(
            whole
                .as_ref()
                .unwrap()
                .5
                .iter()
                .all(|(_, _, f)| f[0].starts_with("\u{feff}".as_bytes()))
        );
        let split = Split {
            threads: 3,
            min_bytes: 64,
        };
        assert_eq!(read_chunked(text.as_bytes(), TextEncoding::Auto, split).0, whole);
    }

    #[test]
    fn chunked_errors_are_the_first_in_file_order() {
        let mut text = String::from("uscc,name,county\n");
        for i in 0..100 {
            text.push_str(&format!("X{i},甲,凯里\n"));
        }
        let ok = text.clone();
        let split = Split {
            threads: 3,
            min_bytes: 64,
        };
        // An error late in the file, one in the first chunk, a repeat
        // within a chunk and one across chunks, a ragged row, an error
        // after a quoted line break.
        for changes in [
            &[(90, "ERR,a,b")][..],
            &[(5, "ERR,a,b"), (80, "ERR,a,b")],
            &[(10, "AGAIN,a,b"), (12, "AGAIN,a,b")],
            &[(10, "AGAIN,a,b"), (95, "AGAIN,a,b"), (99, "ERR,a,b")],
            &[(60, "a,b")],
            &[(70, "\"a\nb\",c,d"), (90, "ERR,a,b")],
        ] {
            let mut lines: Vec<&str> = ok.lines().collect();
            for &(at, row) in changes {
                lines[at] = row;
            }
            let text = lines.join("\n");
            let whole = read_whole(text.as_bytes(), TextEncoding::Auto);
            assert!(whole.is_err(), "{changes:?}");
            let (chunked, _) = read_chunked(text.as_bytes(), TextEncoding::Auto, split);
            assert_eq!(chunked, whole, "{changes:?}");
        }
        // Not UTF-8, in the last chunk: the UTF-8 error, not the ERR before it.
        let mut bytes = ok.replace("X20,", "ERR,").into_bytes();
        let at = bytes.len() - 5;
        bytes[at] = 0xFF;
        let whole = read_whole(&bytes, TextEncoding::Auto);
        assert!(whole.as_ref().unwrap_err().message.contains("not valid UTF-8"));
        assert_eq!(read_chunked(&bytes, TextEncoding::Auto, split).0, whole);
    }

    proptest::proptest! {
        /// Any file made of these pieces reads the same in chunks as on one
        /// thread: the same rows, lines and offsets, or the same error.
        #[test]
        fn chunked_reading_is_the_one_thread_reading(
            bom in proptest::bool::ANY,
            head_end in 0..3usize,
            rows in proptest::collection::vec((proptest::collection::vec(0..7usize, 3), 0..8usize), 0..40),
            trouble in 0..10usize,
            at in 0..40usize,
            chunks in 2..5usize,
            min_bytes in 1..40usize,
            gb in proptest::bool::ANY,
        ) {
            const FIELDS: [&str; 7] = ["a", "甲", " ", "", "x y", "\u{3000}b", "\u{feff}"];
            const ENDS: [&str; 8] = ["\n", "\r\n", "\r", "\n\n", "\r\n\r\n", " \n", "\r\r\n", "\n,,\n"];
            // At most one problem, on row `at`: a failing row, a value
            // repeated later, a quote, a ragged row, an odd blank row.
            const TROUBLE: [&str; 5] = ["ERR,a,b", "AGAIN,a,b", "\"q\n,\",b,c", "a,b", " , ,\u{3000}"];
            let mut text = String::new();
            if bom {
                text.push('\u{feff}');
            }
            text.push_str("uscc,name,county");
            text.push_str(["\n", "\r\n", "\n\n"][head_end]);
            for (i, (fields, end)) in rows.iter().enumerate() {
                match TROUBLE.get(trouble) {
                    Some(row) if i == at || (trouble == 1 && i == at + 7) => text.push_str(row),
                    _ => text.push_str(&fields.iter().map(|&f| FIELDS[f]).collect::<Vec<_>>().join(",")),
                }
                text.push_str(ENDS[*end]);
            }
            let (bytes, enc) = if gb {
                (encoding_rs::GB18030.encode(&text).0.into_owned(), TextEncoding::Gb18030)
            } else {
                (text.into_bytes(), TextEncoding::Auto)
            };
            let whole = read_whole(&bytes, enc);
            let (chunked, _) = read_chunked(&bytes, enc, Split { threads: chunks, min_bytes });
            proptest::prop_assert_eq!(chunked, whole.clone());
            let file = RawFile::from_bytes("t.csv".into(), bytes.clone());
            every_sharing_reads_as(&file, enc, Split { threads: chunks, min_bytes }, &whole);
            // With a byte that is never UTF-8 somewhere.
            if !gb && bytes.len() > 20 {
                let mut bad = bytes.clone();
                let at = bad.len() * at / 40;
                bad[at] = 0xFF;
                let whole = read_whole(&bad, TextEncoding::Auto);
                let (chunked, _) = read_chunked(&bad, TextEncoding::Auto, Split { threads: chunks, min_bytes });
                proptest::prop_assert_eq!(chunked, whole);
            }
        }
    }

    #[test]
    fn control_characters_are_found_where_they_are() {
        let naive = |text: &str| {
            text.char_indices()
                .find(|&(_, c)| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
                .map(|(i, _)| i)
        };
        let mut cases: Vec<String> = [
            "",
            "甲\t乙\r\n",
            "·é\u{a0}\u{3000}",
            "\u{7e}\u{a0}\u{ff}",
            "a\"b",
            "\"\0",
        ]
        .map(String::from)
        .to_vec();
        for c in (0..=0xFFu32).filter_map(char::from_u32) {
            for pad in [0, 5, 31, 32, 40] {
                cases.push(format!("{}{c}凯里·{c}", "a".repeat(pad)));
            }
        }
        for text in &cases {
            assert_eq!(first_special::<false>(text.as_bytes()), naive(text), "{text:?}");
            let quote = text.find('"');
            let either = [naive(text), quote].into_iter().flatten().min();
            assert_eq!(first_special::<true>(text.as_bytes()), either, "{text:?}");
        }
    }

    #[test]
    fn counts_newlines() {
        let mut bytes = Vec::new();
        for i in 0..20_000usize {
            bytes.push(if i % 3 == 0 || i % 7 == 0 {
                b'\n'
            } else {
                b'a' + (i % 26) as u8
            });
        }
        for end in [0, 1, 31, 32, 33, 8160, 8161, 9000, bytes.len()] {
            let slow = bytes[..end].iter().filter(|&&b| b == b'\n').count() as u64;
            assert_eq!(count_newlines(&bytes[..end]), slow, "{end}");
        }
        assert_eq!(count_newlines(&[b'\n'; 100_000]), 100_000);
    }

    /// A workbook of one sheet "名录": `rows` from row `first` (0-based) on.
    /// Its creation time is fixed, so that the same rows always give the
    /// same bytes, and so the same hash (by default a workbook records
    /// the second it was made in).
    fn sheet_file(first: u32, rows: &[&[&str]]) -> RawFile {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let epoch = rust_xlsxwriter::ExcelDateTime::from_ymd(2000, 1, 1).unwrap();
        wb.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(&epoch));
        let ws = wb.add_worksheet().set_name("名录").unwrap();
        for (i, row) in rows.iter().enumerate() {
            for (j, cell) in row.iter().enumerate() {
                if !cell.is_empty() {
                    ws.write_string(first + i as u32, j as u16, *cell).unwrap();
                }
            }
        }
        let bytes = wb.save_to_buffer().unwrap();
        RawFile::workbook_from_bytes("t.xlsx".into(), bytes, SheetChoice::First)
    }

    #[test]
    fn a_sheet_is_read_with_its_rows_for_lines() {
        let rows: &[&[&str]] = &[
            &["uscc", "企业名称", "所属区县"],
            &["X1", "甲", "凯里"],
            &["X2", "乙\n公司", ""],
            &["", "", ""],
            &["X3", " 丙 ", "黎平"],
        ];
        let file = sheet_file(1, rows);
        let sha = file.sha256();
        let mut seen = Vec::new();
        let t = Table::read(file, TextEncoding::Gb18030, COLS, |h, row| {
            seen.push((row.line, h.get(row, 1).to_string()));
            Ok(())
        })
        .unwrap();
        assert_eq!(seen, [(3, "甲".into()), (4, "乙\n公司".into()), (6, "丙".into())]);
        assert_eq!((t.rows, t.sha256.as_str()), (3, sha.as_str()));
        assert_eq!((t.sheet.as_deref(), t.encoding.name()), (Some("名录"), "xlsx"));
        assert_eq!(t.lines_word(), "rows");

        let mut rows = rows.to_vec();
        rows[4] = &["X3", "丙\u{1}", "黎平"];
        let e = parse_sheet(sheet_file(1, &rows)).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("t.xlsx, sheet 名录, row 6, column 企业名称: a control character (U+0001)"),
            "{e}"
        );
        rows[4] = &["ERR", "丙", "黎平"];
        let e = parse_sheet(sheet_file(1, &rows)).unwrap_err();
        assert_eq!(e.to_string(), "t.xlsx, sheet 名录, row 6: ERR");
        rows[0] = &["code", "企业名称"];
        let e = parse_sheet(sheet_file(1, &rows)).unwrap_err();
        assert!(
            e.to_string().starts_with("t.xlsx, sheet 名录, row 2: no column uscc"),
            "{e}"
        );
    }

    /// [`check`] over every row of a sheet.
    fn parse_sheet(file: RawFile) -> Result<Table, InputError> {
        let mut state = Vec::new();
        Table::read(file, TextEncoding::Auto, COLS, |h, row| {
            check(&mut state, h, row).map(|_| ())
        })
    }

    #[test]
    fn a_large_sheet_reads_in_chunks_as_on_one_thread() {
        let cells: Vec<[String; 3]> = (0..3000)
            .map(|i| {
                [
                    format!("X{i}"),
                    format!("甲{i}"),
                    if i % 5 == 0 { String::new() } else { "凯里".into() },
                ]
            })
            .collect();
        let mut rows: Vec<Vec<&str>> = vec![vec!["uscc", "name", "county"]];
        rows.extend(cells.iter().map(|c| c.iter().map(String::as_str).collect()));
        let rows: Vec<&[&str]> = rows.iter().map(Vec::as_slice).collect();
        let split = Split {
            threads: 4,
            min_bytes: 1024,
        };
        let whole = |file: RawFile| {
            let (mut state, mut seen) = (Vec::new(), Vec::new());
            let t = Table::read(file, TextEncoding::Auto, COLS, |h, row| {
                seen.push(check(&mut state, h, row)?);
                Ok(())
            })?;
            outcome(t, seen)
        };
        let chunked = |file: RawFile| {
            let (t, chunks) =
                Table::map_rows_split(file, TextEncoding::Auto, COLS, split, |_: Part| Vec::new(), check)?;
            assert!(chunks.len() > 1, "the sheet is read in chunks");
            chunks_outcome(t, chunks)
        };
        let file = sheet_file(4, &rows);
        assert_eq!(
            file.bytes,
            sheet_file(4, &rows).bytes,
            "the same rows, the same workbook"
        );
        let a = whole(file.clone());
        let rows_read = &a.as_ref().unwrap().5;
        assert_eq!(rows_read.first().map(|r| r.0), Some(6), "row 6 is the first data row");
        assert_eq!(rows_read.last().map(|r| r.0), Some(3005));
        if let Some(d) = first_difference(&chunked(file.clone()), &a) {
            panic!("read in chunks: {d}");
        }
        // However the pieces are shared out among the threads.
        assert!(every_sharing_reads_as(&file, TextEncoding::Auto, split, &a) > 0);
        // An error late in the sheet: the same, by its row.
        let mut bad = rows.clone();
        let err: &[&str] = &["ERR", "x", "y"];
        bad[2900] = err;
        let bad = sheet_file(4, &bad);
        let e = chunked(bad.clone()).unwrap_err();
        assert_eq!(e, whole(bad).unwrap_err());
        assert_eq!(e.to_string(), "t.xlsx, sheet 名录, row 2905: ERR");
    }

    #[test]
    fn missing_column_and_ragged_rows() {
        let err = parse(b"name\nx\n", TextEncoding::Auto).unwrap_err();
        assert!(err.message.contains("统一社会信用代码"), "{err}");
        let err = parse(b"uscc,name\na,b\nc\n", TextEncoding::Auto).unwrap_err();
        assert_eq!(err.line, Some(3));
    }
}
