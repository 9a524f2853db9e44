//! The directory of inspection objects (检查对象名录库): the enterprise
//! CSV, checked row by row.

use crate::base::error::InputError;
use crate::base::fx::{FxHashMap, FxHasher};
use crate::inputs::table::{Chunk, Column, Header, Part, RawFile, Row, Split, Table, TextEncoding};
use crate::inputs::uscc::Uscc;
use std::hash::Hasher;

/// Columns of the enterprise directory.
pub const COLUMNS: &[Column] = &[
    Column {
        name: "uscc",
        aliases: &["统一社会信用代码"],
        required: true,
    },
    Column {
        name: "name",
        aliases: &["企业名称", "名称"],
        required: true,
    },
    Column {
        name: "credit_class",
        aliases: &["信用风险分类", "信用风险类别"],
        required: true,
    },
    Column {
        name: "county",
        aliases: &["所属区县", "区县"],
        required: true,
    },
    Column {
        name: "industry",
        aliases: &["行业", "所属行业"],
        required: true,
    },
    Column {
        name: "status",
        aliases: &["登记状态", "经营状态"],
        required: true,
    },
    Column {
        name: "supervising_area",
        aliases: &["监管片区", "所属片区", "管辖单位"],
        required: false,
    },
];

const USCC: usize = 0;
const NAME: usize = 1;
const CLASS: usize = 2;
const COUNTY: usize = 3;
const INDUSTRY: usize = 4;
const STATUS: usize = 5;
const AREA: usize = 6;

/// Registration statuses that keep a firm in the active directory.
pub const ACTIVE_STATUSES: &[&str] = &["存续", "在业", "开业", "在营", "active"];

/// Registration statuses that take a firm out, with the reason reported.
pub const INACTIVE_STATUSES: &[(&str, InactiveReason)] = &[
    ("注销", InactiveReason::Deregistered),
    ("吊销", InactiveReason::Revoked),
    ("吊销，未注销", InactiveReason::Revoked),
    ("吊销,未注销", InactiveReason::Revoked),
    ("撤销", InactiveReason::Cancelled),
    ("迁出", InactiveReason::MovedOut),
    ("deregistered", InactiveReason::Deregistered),
    ("revoked", InactiveReason::Revoked),
    ("cancelled", InactiveReason::Cancelled),
    ("canceled", InactiveReason::Cancelled),
    ("moved-out", InactiveReason::MovedOut),
    ("moved out", InactiveReason::MovedOut),
];

/// Why a firm is not active, as reported (SPEC.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum InactiveReason {
    Deregistered,
    Revoked,
    Cancelled,
    MovedOut,
}

impl InactiveReason {
    /// The reason as written in frame leaves and manifests.
    pub fn as_str(self) -> &'static str {
        match self {
            InactiveReason::Deregistered => "deregistered",
            InactiveReason::Revoked => "revoked",
            InactiveReason::Cancelled => "cancelled",
            InactiveReason::MovedOut => "moved-out",
        }
    }
}

/// Whether a firm is in the active directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Active,
    /// Not active, and why.
    Inactive(InactiveReason),
}

/// One enterprise, as far as the draw needs it. Its name and the other
/// columns are read back from the directory's text on demand
/// ([`Directory::details`]), so that a province-scale directory keeps
/// little in memory; the columns that repeat (class, county, industry,
/// area) are [`Value`]s, read with [`Directory::value`], and its code is
/// kept packed only ([`Enterprise::uscc`] reads it back). A firm owns no
/// allocation, and takes 48 bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enterprise {
    /// The code packed ([`crate::inputs::uscc::pack`]), which orders as the code does.
    pub code: u128,
    pub credit_class: Value,
    pub county: Value,
    pub industry: Value,
    /// The patrol area that supervises the firm; the county when the
    /// directory has no such column.
    pub supervising_area: Value,
    /// Line in the file.
    pub line: u64,
    /// Byte offset of the row in the directory's text (the low
    /// [`OFFSET_BITS`]) and the status ([`status_byte`], the high byte).
    place: u64,
}

/// The bits of [`Enterprise::place`] that hold the row's offset: 64 PiB.
const OFFSET_BITS: u32 = 56;

/// A status as one byte.
fn status_byte(status: Status) -> u64 {
    match status {
        Status::Active => 0,
        Status::Inactive(InactiveReason::Deregistered) => 1,
        Status::Inactive(InactiveReason::Revoked) => 2,
        Status::Inactive(InactiveReason::Cancelled) => 3,
        Status::Inactive(InactiveReason::MovedOut) => 4,
    }
}

impl Enterprise {
    /// The firm's credit code.
    pub fn uscc(&self) -> Uscc {
        crate::inputs::uscc::unpack(self.code)
    }

    /// Whether the firm is active.
    pub fn status(&self) -> Status {
        match self.place >> OFFSET_BITS {
            0 => Status::Active,
            1 => Status::Inactive(InactiveReason::Deregistered),
            2 => Status::Inactive(InactiveReason::Revoked),
            3 => Status::Inactive(InactiveReason::Cancelled),
            _ => Status::Inactive(InactiveReason::MovedOut),
        }
    }

    /// Byte offset of the row in the directory's text.
    fn offset(&self) -> u64 {
        self.place & ((1 << OFFSET_BITS) - 1)
    }
}

/// One of the texts that a directory's repeated columns hold, as an index
/// into the directory's table of them ([`Directory::value`]). Equal texts
/// have equal values, in whatever column they appear.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Value(pub(crate) u32);

/// The columns of a firm that the draw does not use, read back from the
/// file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Details {
    pub name: String,
    /// Values of the extra columns, in [`Directory::extra_headers`] order.
    pub extra: Vec<String>,
}

/// The whole enterprise directory.
#[derive(Debug, Clone)]
pub struct Directory {
    /// The file as named.
    pub path: String,
    /// The sheet, when the file is a workbook (then a firm's line is its
    /// row in the sheet).
    pub sheet: Option<String>,
    /// SHA-256 of the file's bytes.
    pub sha256: String,
    /// The encoding used to read it.
    pub encoding: TextEncoding,
    /// Names of the extra columns, in file order.
    pub extra_headers: Vec<String>,
    /// Firms in file order.
    pub firms: Vec<Enterprise>,
    /// Indices of the firms, in the order of their codes.
    by_code: Vec<u32>,
    /// The texts of the firms' [`Value`]s.
    values: Vec<Box<str>>,
    /// The file as UTF-8 text.
    text: crate::inputs::file_bytes::FileBytes,
    /// Column index of the name and of each extra column.
    name_column: usize,
    extra_columns: Vec<usize>,
}

fn parse_status(s: &str) -> Option<Status> {
    if ACTIVE_STATUSES.iter().any(|a| a.eq_ignore_ascii_case(s)) {
        return Some(Status::Active);
    }
    INACTIVE_STATUSES
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(s))
        .map(|&(_, r)| Status::Inactive(r))
}

/// Gives each distinct text of the repeated columns one [`Value`], and
/// reads each distinct field only once.
#[derive(Default)]
struct Interner {
    /// Each distinct field as stored, its hash ([`field_hash`]) and value.
    fields: Vec<(Box<[u8]>, u64, Value)>,
    /// The fields by hash, as indices into `fields` (`EMPTY` where none):
    /// open addressing with linear probing, at most half full. Fields are
    /// few and short, and this beats a general map by not calling out to
    /// compare them.
    slots: Vec<u32>,
    /// Values by text: fields with different bytes (spaces around them)
    /// may have the same text, and the same value.
    by_text: FxHashMap<Box<str>, Value>,
    /// The text of each value.
    texts: Vec<Box<str>>,
}

/// An empty slot of [`Interner::slots`].
const EMPTY: u32 = u32::MAX;

/// A field's hash for [`Interner::slots`].
fn field_hash(bytes: &[u8]) -> u64 {
    let mut h = FxHasher::with_seed(bytes.len());
    h.write(bytes);
    h.finish()
}

/// Where a field with `hash` is looked for first in a table of `mask + 1`
/// slots: the hash's high bits first, as the low bits of a product mix
/// less.
fn home_slot(hash: u64, mask: usize) -> usize {
    hash.rotate_left(24) as usize & mask
}

/// Whether two fields are equal, compared a word at a time in place:
/// the fields are short, and a call to `memcmp` costs more than this.
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n < 8 {
        return a.iter().zip(b).all(|(x, y)| x == y);
    }
    let word = |s: &[u8], i: usize| u64::from_le_bytes(s[i..i + 8].try_into().expect("8 bytes"));
    // Whole words, then the last eight bytes (overlapping the words).
    (0..n / 8).all(|k| word(a, 8 * k) == word(b, 8 * k)) && word(a, n - 8) == word(b, n - 8)
}

impl Interner {
    /// The `i`-th column's value in a row, as [`Header::get`] gives it,
    /// looked up by the field's bytes as stored: fields with the same
    /// bytes have the same value, so only new ones are decoded and
    /// trimmed.
    fn field(&mut self, table: &Header, row: &Row, i: usize) -> Value {
        let raw = table.column(i).and_then(|j| row.raw(j)).unwrap_or(b"");
        self.value_of(raw, || table.get(row, i))
    }

    /// The value of a field stored as `raw`; `text` reads it, if new.
    fn value_of<'r>(&mut self, raw: &[u8], text: impl FnOnce() -> &'r str) -> Value {
        let hash = field_hash(raw);
        if self.slots.is_empty() {
            self.slots = vec![EMPTY; 64];
        }
        let mask = self.slots.len() - 1;
        let mut at = home_slot(hash, mask);
        while let Some(&(ref bytes, h, v)) = self.fields.get(self.slots[at] as usize) {
            if h == hash && same_bytes(bytes, raw) {
                return v;
            }
            at = (at + 1) & mask;
        }
        let v = Self::intern(&mut self.by_text, &mut self.texts, text());
        self.slots[at] = u32::try_from(self.fields.len()).expect("fewer than 2^32 distinct fields");
        self.fields.push((raw.into(), hash, v));
        if 2 * self.fields.len() > self.slots.len() {
            self.rehash(2 * self.slots.len());
        }
        v
    }

    /// Rebuilds [`Interner::slots`] with `size` slots.
    fn rehash(&mut self, size: usize) {
        self.slots = vec![EMPTY; size];
        let mask = size - 1;
        for (k, &(_, hash, _)) in self.fields.iter().enumerate() {
            let mut at = home_slot(hash, mask);
            while self.slots[at] != EMPTY {
                at = (at + 1) & mask;
            }
            self.slots[at] = k as u32;
        }
    }

    /// The value of `text`, new if no value has that text yet.
    fn intern(by_text: &mut FxHashMap<Box<str>, Value>, texts: &mut Vec<Box<str>>, text: &str) -> Value {
        if let Some(&v) = by_text.get(text) {
            return v;
        }
        let v = Value(u32::try_from(texts.len()).expect("fewer than 2^32 distinct values"));
        texts.push(text.into());
        by_text.insert(text.into(), v);
        v
    }

    fn text(&self, v: Value) -> &str {
        &self.texts[v.0 as usize]
    }
}

/// What the reader of one part of the directory keeps: the firms' codes
/// with their places, and the shared values.
struct ChunkState {
    /// Reading a workbook's sheet whole: the codes seen so far, with their
    /// lines, for a repeated code to be refused at its row. Any other
    /// reading finds repeats by sorting the codes, after the read
    /// ([`Gathered::by_code`]), or when a row fails ([`repeat_before`]):
    /// a set of 20 million codes took 0.8 GiB.
    seen: Option<FxHashMap<u128, u64>>,
    /// Each firm's [`code_key`], with its index in the part.
    keys: Vec<u128>,
    interner: Interner,
    /// Whether each value is a credit class the plan accepts, and the
    /// status each names, once worked out ([`once`]): values are few and
    /// rows many.
    accepted_class: Vec<Option<bool>>,
    status: Vec<Option<Option<Status>>>,
}

/// What `known` holds for `v`, or else what `find` says, kept there.
fn once<T: Copy>(known: &mut Vec<Option<T>>, v: Value, find: impl FnOnce() -> T) -> T {
    let i = v.0 as usize;
    if known.len() <= i {
        known.resize(i + 1, None);
    }
    *known[i].get_or_insert_with(find)
}

impl ChunkState {
    /// The state of reading `part` of a file, a workbook's sheet when
    /// `sheet`.
    fn new(part: Part, sheet: bool) -> ChunkState {
        let (seen, rows) = match part {
            Part::Whole if sheet => (Some(FxHashMap::default()), 0),
            Part::Whole => (None, 0),
            Part::Chunk { rows } => (None, rows),
        };
        ChunkState {
            seen,
            keys: Vec::with_capacity(rows),
            interner: Interner::default(),
            accepted_class: Vec::new(),
            status: Vec::new(),
        }
    }
}

/// The bits of a [`code_key`] that hold a firm's index: a packed code
/// takes 90 bits (18 characters of 5), and the key 128.
const INDEX_BITS: u32 = 38;

/// A firm's packed code and its index, in one number that sorts by code,
/// then index.
fn code_key(code: u128, index: usize) -> u128 {
    code << INDEX_BITS | index as u128
}

fn key_index(key: u128) -> usize {
    (key & ((1 << INDEX_BITS) - 1)) as usize
}

fn key_code(key: u128) -> u128 {
    key >> INDEX_BITS
}

/// The error for a code on `line` that was first seen on `first`.
fn duplicate(table: &Header, code: &str, first: u64, line: u64) -> InputError {
    InputError::field(
        &table.path,
        line,
        COLUMNS[USCC].name,
        format!(
            "credit code {code} appears twice, on {} {first} and {line}",
            table.lines_word()
        ),
    )
    .in_sheet(table.sheet.as_deref())
}

/// Checks one row and makes its firm. Errors come in the order of the
/// checks: code, repeated code (reading the whole file), class, status,
/// empty fields.
fn read_firm(state: &mut ChunkState, classes: &[String], table: &Header, row: &Row) -> Result<Enterprise, InputError> {
    let path = &table.path;
    let field = |i: usize, msg: String| InputError::field(path, row.line, COLUMNS[i].name, msg);
    let (code, packed) = table.credit_code(row, USCC, COLUMNS[USCC].name)?;
    if let Some(seen) = &mut state.seen
        && let Some(first) = seen.insert(packed, row.line)
    {
        return Err(duplicate(table, &code, first, row.line));
    }
    state.keys.push(code_key(packed, state.keys.len()));
    let ChunkState {
        interner,
        accepted_class,
        status,
        ..
    } = state;
    let class = interner.field(table, row, CLASS);
    let class_text = interner.text(class);
    if !once(accepted_class, class, || classes.iter().any(|c| c == class_text)) {
        return Err(field(
            CLASS,
            format!(
                "unknown credit class {class_text:?}; accepted: {} (a plan may declare more in targets.classes)",
                classes.join(", ")
            ),
        ));
    }
    let status_value = interner.field(table, row, STATUS);
    let status_text = interner.text(status_value);
    let status = once(status, status_value, || parse_status(status_text)).ok_or_else(|| {
        field(
            STATUS,
            format!(
                "unknown registration status {status_text:?}; expected one of {} (active) or {} (not active)",
                ACTIVE_STATUSES.join(", "),
                INACTIVE_STATUSES.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", ")
            ),
        )
    })?;
    let name_is_empty = table.is_empty(row, NAME);
    let county = interner.field(table, row, COUNTY);
    let industry = interner.field(table, row, INDUSTRY);
    for (i, empty, what) in [
        (NAME, name_is_empty, "a name"),
        (COUNTY, interner.text(county).is_empty(), "a county"),
        (INDUSTRY, interner.text(industry).is_empty(), "an industry"),
    ] {
        if empty {
            return Err(field(i, format!("empty; every firm needs {what}")));
        }
    }
    // A directory without the column has every firm in its county's care.
    let area = table.column(AREA).map(|_| interner.field(table, row, AREA));
    Ok(Enterprise {
        code: packed,
        credit_class: class,
        supervising_area: area.filter(|&a| !interner.text(a).is_empty()).unwrap_or(county),
        county,
        industry,
        line: row.line,
        place: row.offset | status_byte(status) << OFFSET_BITS,
    })
}

/// The error of a file read whole that failed with `error`, `firms` read
/// before it: a code repeated on the rows before the one that failed, or
/// on that row itself (its code is checked before the rest of it), when
/// there is one, as a reading that looked for repeats row by row would
/// have met it first; `error` otherwise.
fn repeat_before(state: ChunkState, firms: Vec<Enterprise>, table: Option<&Header>, error: InputError) -> InputError {
    let (Some(table), (_, Some((first, second)))) = (table, Gathered::by_code(state.keys)) else {
        return error;
    };
    // A key without its firm is the failed row's, whose line the error
    // names.
    let Some(line) = firms.get(second).map(|f| f.line).or(error.line) else {
        return error;
    };
    let first = &firms[first];
    duplicate(table, &first.uscc(), first.line, line)
}

/// The firms read so far, in file order, with one table of values, and
/// their [`code_key`]s: chunks are added one by one as the directory is
/// read ([`Table::fold_rows_split`]), so that no chunk's firms are
/// copied twice or kept beside their copy.
#[derive(Default)]
struct Gathered {
    firms: Vec<Enterprise>,
    keys: Vec<u128>,
    interner: Interner,
}

impl Gathered {
    /// Adds a chunk's firms after those so far. The first chunk's values
    /// stay as they are; the others' are looked up by text. Each firm's
    /// line is shifted by its chunk's [`Chunk::line_offset`], and each key's
    /// index by the firms before the chunk.
    fn add(&mut self, chunk: Chunk<ChunkState, Enterprise>) {
        let before = self.firms.len();
        let ChunkState { keys, interner, .. } = chunk.state;
        if before == 0 && self.interner.texts.is_empty() {
            self.interner = interner;
            self.firms = chunk.values;
            if chunk.line_offset > 0 {
                self.firms.iter_mut().for_each(|f| f.line += chunk.line_offset);
            }
            self.keys = keys;
            return;
        }
        let to: Vec<Value> = interner
            .texts
            .iter()
            .map(|t| Interner::intern(&mut self.interner.by_text, &mut self.interner.texts, t))
            .collect();
        let map = |v: Value| to[v.0 as usize];
        self.firms.extend(chunk.values.into_iter().map(|f| Enterprise {
            credit_class: map(f.credit_class),
            county: map(f.county),
            industry: map(f.industry),
            supervising_area: map(f.supervising_area),
            line: f.line + chunk.line_offset,
            ..f
        }));
        self.keys.extend(keys.into_iter().map(|key| key + before as u128));
    }

    /// The firms' indices in the order of their codes, from their keys
    /// sorted on every processor, and the first repeated code in file
    /// order, as the one-thread reader reports it: of the codes that
    /// appear more than once, the one whose second firm comes first, as
    /// the indices of its first two firms.
    fn by_code(mut keys: Vec<u128>) -> (Vec<u32>, Option<(usize, usize)>) {
        use rayon::slice::ParallelSliceMut;
        keys.par_sort_unstable();
        let mut repeat: Option<(usize, usize)> = None;
        for pair in keys.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            if key_code(a) == key_code(b) && repeat.is_none_or(|(_, second)| key_index(b) < second) {
                // The first two of a run of the same code: a later pair of
                // the run has a later second firm.
                repeat = Some((key_index(a), key_index(b)));
            }
        }
        let by_code = keys
            .iter()
            .map(|&key| u32::try_from(key_index(key)).expect("fewer than 2^32 firms"))
            .collect();
        (by_code, repeat)
    }
}

impl Directory {
    /// Parses and checks an enterprise directory. `classes` are the credit
    /// classes the plan accepts.
    ///
    /// A large file is read in chunks on several threads
    /// ([`Table::map_rows`]); codes repeated in them are found afterwards,
    /// by sorting the codes. Errors are the same as reading row by row: the first
    /// in file order.
    pub fn parse(file: RawFile, encoding: TextEncoding, classes: &[String]) -> Result<Directory, InputError> {
        Directory::parse_split(file, encoding, classes, Split::for_this_machine())
    }

    fn parse_split(
        file: RawFile,
        encoding: TextEncoding,
        classes: &[String],
        split: Split,
    ) -> Result<Directory, InputError> {
        let read = |state: &mut ChunkState, table: &Header, row: &Row| read_firm(state, classes, table, row);
        let sheet = file.sheet.is_some();
        let (table, gathered) = Table::fold_rows_split(
            file,
            encoding,
            COLUMNS,
            split,
            |part| ChunkState::new(part, sheet),
            read,
            Gathered::default,
            Gathered::add,
            repeat_before,
        )?;
        let Gathered { firms, keys, interner } = gathered;
        let (by_code, repeat) = Gathered::by_code(keys);
        if let Some((first, second)) = repeat {
            let (first, second) = (&firms[first], &firms[second]);
            return Err(duplicate(&table, &second.uscc(), first.line, second.line));
        }
        if firms.is_empty() {
            return Err(InputError::file(
                &table.path,
                "no firms: the file has a header but no data rows; \
                 an empty export must not become a published empty draw, check the export",
            )
            .in_sheet(table.sheet.as_deref()));
        }
        let extra_columns = table.extra_columns();
        let extra_headers = extra_columns.iter().map(|&j| table.headers[j].clone()).collect();
        let name_column = table.column(NAME).expect("required column");
        Ok(Directory {
            path: table.path.clone(),
            sheet: table.sheet.clone(),
            sha256: table.sha256.clone(),
            encoding: table.encoding,
            extra_headers,
            firms,
            by_code,
            values: interner.texts,
            name_column,
            extra_columns,
            text: table.text,
        })
    }

    /// The indices of the firms, in the order of their codes.
    pub fn by_code(&self) -> &[u32] {
        &self.by_code
    }

    /// The index of the firm with a packed code ([`crate::inputs::uscc::pack`]).
    pub fn find(&self, code: u128) -> Option<usize> {
        let at = self
            .by_code
            .binary_search_by_key(&code, |&i| self.firms[i as usize].code)
            .ok()?;
        Some(self.by_code[at] as usize)
    }

    /// The text of a value of the repeated columns.
    pub fn value(&self, v: Value) -> &str {
        &self.values[v.0 as usize]
    }

    /// The name and extra columns of firm `i`, read back from the text.
    /// For many firms, use one [`Directory::details_reader`].
    pub fn details(&self, i: usize) -> Details {
        self.details_reader().details(i)
    }

    /// A reader of firms' details that can be used many times.
    pub fn details_reader(&self) -> DetailsReader<'_> {
        DetailsReader {
            directory: self,
            in_place: false,
            reader: None,
            record: csv::StringRecord::new(),
            spans: Vec::new(),
            line: Vec::new(),
        }
    }

    /// What `keep` takes of the details of many firms (indices into
    /// [`Directory::firms`]), in the order given, read on every processor.
    ///
    /// A large file's rows are read in place, in file order, a stretch of
    /// the file at a time, and each stretch's pages are given back once
    /// its rows are read: one read of the file per row costs more than
    /// the row.
    pub fn details_of<T: Send>(&self, firms: &[usize], keep: impl Fn(Details) -> T + Sync) -> Vec<T> {
        use rayon::prelude::*;
        if !self.text.is_windowed() {
            return firms
                .par_iter()
                .with_min_len(1 << 10)
                .map_init(|| self.details_reader(), |reader, &i| keep(reader.details(i)))
                .collect();
        }
        let mut order: Vec<(u64, u32)> = firms
            .iter()
            .enumerate()
            .map(|(k, &i)| (self.firms[i].offset(), u32::try_from(k).expect("fewer than 2^32 firms")))
            .collect();
        order.par_sort_unstable();
        let stretches: Vec<&[(u64, u32)]> = order
            .chunk_by(|a, b| a.0 / DETAILS_STRETCH == b.0 / DETAILS_STRETCH)
            .collect();
        let read: Vec<Vec<(u32, T)>> = stretches
            .into_par_iter()
            .map(|stretch| {
                let mut reader = DetailsReader {
                    in_place: true,
                    ..self.details_reader()
                };
                let read = stretch
                    .iter()
                    .map(|&(_, k)| (k, keep(reader.details(firms[k as usize]))))
                    .collect();
                // The pages read, and those the system mapped around them.
                let (first, last) = (stretch[0].0 as usize, stretch[stretch.len() - 1].0 as usize);
                self.text
                    .release(first.saturating_sub(DETAILS_AROUND)..last.saturating_add(DETAILS_AROUND));
                read
            })
            .collect();
        let mut out: Vec<Option<T>> = std::iter::repeat_with(|| None).take(firms.len()).collect();
        for (k, t) in read.into_iter().flatten() {
            out[k as usize] = Some(t);
        }
        out.into_iter().map(|t| t.expect("every firm read")).collect()
    }
}

/// The bytes of a large file whose rows [`Directory::details_of`] reads
/// in place before giving their pages back.
const DETAILS_STRETCH: u64 = 4 << 20;

/// How far around the rows read [`Directory::details_of`] gives pages
/// back: past the end of the last row, and the pages the system maps
/// beside those read.
const DETAILS_AROUND: usize = 256 << 10;

impl DetailsReader<'_> {
    /// Reads the text from `offset` to the end of the row there into
    /// [`DetailsReader::line`].
    fn read_line(&mut self, offset: u64) {
        let text = &self.directory.text;
        let offset = usize::try_from(offset).unwrap_or(usize::MAX);
        let mut size = DETAILS_BUFFER;
        loop {
            self.line.resize(size, 0);
            let n = text.read_at(offset, &mut self.line);
            self.line.truncate(n);
            // The row starts after the line breaks before it, and ends at
            // the next.
            let start = self.line.iter().position(|b| !matches!(b, b'\r' | b'\n')).unwrap_or(n);
            if n < size || memchr::memchr2(b'\r', b'\n', &self.line[start..]).is_some() {
                return;
            }
            size *= 2;
        }
    }
}

/// The buffer of a [`DetailsReader`], in bytes.
const DETAILS_BUFFER: usize = 512;

/// Reads firms' details back from a directory's text.
pub struct DetailsReader<'a> {
    directory: &'a Directory,
    /// Whether a large file's rows are read in place, as
    /// [`Directory::details_of`] does, rather than from the file.
    in_place: bool,
    /// Made for the first row with quotes: most directories have none,
    /// and making a reader costs more than reading a row.
    reader: Option<csv::Reader<std::io::Cursor<&'a [u8]>>>,
    record: csv::StringRecord,
    spans: Vec<(usize, usize)>,
    /// A large file's row, read from the file ([`DetailsReader::read_line`]).
    line: Vec<u8>,
}

impl DetailsReader<'_> {
    /// The name and extra columns of firm `i`.
    pub fn details(&mut self, i: usize) -> Details {
        let d = self.directory;
        // A large file's row is read from the file: reading it in place
        // would take its pages (and their neighbours) into memory again.
        let (text, offset) = if d.text.is_windowed() && !self.in_place {
            self.read_line(d.firms[i].offset());
            (&self.line[..], 0)
        } else {
            (&d.text[..], d.firms[i].offset())
        };
        // Most rows have no quotes: their fields are found in place.
        if let Some(row) = Row::reread(text, offset, &mut self.spans) {
            return Details {
                name: row.field(d.name_column).to_string(),
                extra: d.extra_columns.iter().map(|&j| row.field(j).to_string()).collect(),
            };
        }
        let mut pos = csv::Position::new();
        pos.set_byte(d.firms[i].offset());
        // Each look-up seeks and refills the reader's buffer: a small one
        // holds a row or two, and longer rows are read in several fills.
        let reader = self.reader.get_or_insert_with(|| {
            csv::ReaderBuilder::new()
                .has_headers(false)
                .buffer_capacity(DETAILS_BUFFER)
                .from_reader(std::io::Cursor::new(&d.text[..]))
        });
        // The row was read and checked once already, so it reads again.
        let ok = reader.seek(pos).is_ok() && reader.read_record(&mut self.record).unwrap_or(false);
        if !ok {
            self.record.clear();
        }
        let get = |j: usize| self.record.get(j).unwrap_or("").trim().to_string();
        Details {
            name: get(d.name_column),
            extra: d.extra_columns.iter().map(|&j| get(j)).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inputs::uscc;

    fn classes() -> Vec<String> {
        ["A", "B", "C", "D"].iter().map(|s| s.to_string()).collect()
    }

    fn parse(text: &str) -> Result<Directory, InputError> {
        Directory::parse(
            RawFile::from_bytes("e.csv".into(), text.as_bytes().to_vec()),
            TextEncoding::Auto,
            &classes(),
        )
    }

    const HEAD: &str = "uscc,name,credit_class,county,industry,status,address\n";

    #[test]
    fn a_firm_stays_small() {
        // Province-scale directories keep tens of millions of these.
        assert!(std::mem::size_of::<Enterprise>() <= 48);
    }

    #[test]
    fn reads_rows_and_extras() {
        let d = parse(&format!(
            "{HEAD}91640121750822310D,甲,B,凯里市,制造业,存续,北京东路1号\n"
        ))
        .unwrap();
        assert_eq!(d.value(d.firms[0].supervising_area), "凯里市");
        assert_eq!(d.extra_headers, vec!["address"]);
        assert_eq!(
            d.details(0),
            Details {
                name: "甲".into(),
                extra: vec!["北京东路1号".into()]
            }
        );
        assert_eq!(d.firms[0].status(), Status::Active);
    }

    #[test]
    fn details_are_read_back_as_the_csv_crate_reads_them() {
        // Rows read in place (no quotes) and rows left to the csv crate
        // (quoted fields, line breaks inside quotes), after every kind of
        // line break and blank line.
        let code = |i: usize| uscc::complete(&format!("91522601{i:08}")).unwrap();
        let rows = [
            format!("{},\u{3000}甲 ,B,凯里市,制造业,存续,北京东路1号\n", code(0)),
            format!("{},\"乙,丙\",B,凯里市,制造业,存续,\"路 \"\"2\"\"\"\r\n\r\n", code(1)),
            format!("{},丁,B,凯里市,制造业,存续,\"3\n号\"\r", code(2)),
            format!("\n{},戊 ,B,凯里市,制造业,存续, 4号\n", code(3)),
            format!("{},己,B,凯里市,制造业,存续,\n", code(4)),
        ];
        let d = parse(&format!("{HEAD}{}", rows.concat())).unwrap();
        let expected = [
            ("甲", "北京东路1号"),
            ("乙,丙", "路 \"2\""),
            ("丁", "3\n号"),
            ("戊", "4号"),
            ("己", ""),
        ];
        let mut reader = d.details_reader();
        for (i, (name, address)) in expected.into_iter().enumerate() {
            let want = Details {
                name: name.into(),
                extra: vec![address.into()],
            };
            assert_eq!(reader.details(i), want, "row {i}");
        }
        // Many at once, in any order and more than once: the same.
        let firms = [4, 0, 2, 2, 1, 3];
        let names = d.details_of(&firms, |details| details.name);
        assert_eq!(names, firms.map(|i| expected[i].0));
    }

    #[test]
    fn bad_code_names_line_column_and_check() {
        let e = parse(&format!("{HEAD}91640121750822310E,甲,B,凯里市,制造业,存续,x\n")).unwrap_err();
        assert_eq!((e.line, e.column.as_deref()), (Some(2), Some("uscc")));
        assert!(e.message.contains("should be 'D'"), "{e}");
    }

    #[test]
    fn duplicate_names_both_lines() {
        let row = "91640121750822310D,甲,B,凯里市,制造业,存续,x\n";
        let e = parse(&format!("{HEAD}{row}{row}")).unwrap_err();
        assert!(e.message.contains("lines 2 and 3"), "{e}");
    }

    /// A directory of `n` firms with distinct valid codes, one per line
    /// after the header (firm `i` on line `i + 2`).
    fn rows(n: usize) -> Vec<String> {
        (0..n)
            .map(|i| {
                let code = uscc::complete(&format!("91522601{i:08}")).unwrap();
                let (class, status) = (["A", "B", "C", "D"][i % 4], ["存续", "注销", "在业"][i % 3]);
                format!("{code}, 甲{i} ,{class},凯里市,制造业,{status},{}", "x".repeat(i % 5))
            })
            .collect()
    }

    fn parse_both(rows: &[String]) -> (Result<Directory, InputError>, Result<Directory, InputError>) {
        let text = format!("{HEAD}{}\n", rows.join("\n"));
        let parse = |split| {
            let file = RawFile::from_bytes("e.csv".into(), text.as_bytes().to_vec());
            Directory::parse_split(file, TextEncoding::Auto, &classes(), split)
        };
        let one = parse(Split {
            threads: 1,
            min_bytes: 1,
        });
        let three = parse(Split {
            threads: 3,
            min_bytes: 100,
        });
        (one, three)
    }

    #[test]
    fn chunked_parse_is_the_same() {
        let (one, three) = parse_both(&rows(300));
        let (one, three) = (one.unwrap(), three.unwrap());
        assert_eq!(one.firms, three.firms);
        assert_eq!(three.firms[299].line, 301);
        assert_eq!((one.sha256, one.text), (three.sha256.clone(), three.text.clone()));
        assert_eq!(three.details(250).name, "甲250");
    }

    #[test]
    fn firms_are_found_by_code() {
        // Rows out of code order; the chunked reading sorts its chunks'
        // codes apart and merges them.
        let mut rows = rows(300);
        rows.reverse();
        rows.swap(3, 150);
        let (one, three) = parse_both(&rows);
        let (one, three) = (one.unwrap(), three.unwrap());
        assert_eq!(one.by_code(), three.by_code());
        let codes: Vec<String> = three
            .by_code()
            .iter()
            .map(|&i| three.firms[i as usize].uscc().to_string())
            .collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        assert_eq!((codes.len(), &codes), (300, &sorted));
        for (i, firm) in three.firms.iter().enumerate() {
            assert_eq!(three.find(firm.code), Some(i));
        }
        let absent = uscc::complete("9152260199999999").unwrap();
        assert_eq!(three.find(uscc::pack(&absent)), None);
    }

    #[test]
    fn equal_fields_have_equal_values() {
        // Fields of every length up to 40 bytes, enough to grow the table
        // several times, met twice; with spaces around them, a field has
        // other bytes but the same text.
        let fields: Vec<String> = (0..3000).map(|i| format!("{i}{}", "区".repeat(i % 13))).collect();
        let mut interner = Interner::default();
        let mut values = Vec::new();
        for f in &fields {
            values.push(interner.value_of(f.as_bytes(), || f));
        }
        for (f, &v) in fields.iter().zip(&values) {
            assert_eq!(interner.value_of(f.as_bytes(), || unreachable!("{f} is known")), v);
            let padded = format!(" {f} ");
            assert_eq!(interner.value_of(padded.as_bytes(), || padded.trim()), v);
            assert_eq!(interner.text(v), f);
        }
        let distinct: std::collections::BTreeSet<Value> = values.iter().copied().collect();
        assert_eq!(distinct.len(), fields.len());
    }

    #[test]
    fn fields_compare_as_bytes_do() {
        let texts: Vec<Vec<u8>> = (0..40)
            .map(|n| (0..n).map(|i| b'a' + (i % 7) as u8).collect())
            .collect();
        for a in &texts {
            for b in &texts {
                assert_eq!(same_bytes(a, b), a == b);
                for k in 0..b.len() {
                    let mut c = b.clone();
                    c[k] ^= 1;
                    assert_eq!(same_bytes(a, &c), *a == c, "{a:?} {c:?}");
                }
            }
        }
    }

    /// Each firm's repeated columns, as texts.
    fn texts(d: &Directory) -> Vec<[&str; 4]> {
        d.firms
            .iter()
            .map(|f| [f.credit_class, f.county, f.industry, f.supervising_area].map(|v| d.value(v)))
            .collect()
    }

    #[test]
    fn chunks_share_values_by_text() {
        // Counties written with and without spaces, and industries that
        // first appear in the later chunks.
        let rows: Vec<String> = rows(300)
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let county = ["凯里市", " 凯里市 ", "台江县"][i % 3];
                r.replacen(",凯里市,制造业,", &format!(",{county},行业{},", i / 60), 1)
            })
            .collect();
        let (one, three) = parse_both(&rows);
        let (one, three) = (one.unwrap(), three.unwrap());
        assert_eq!(texts(&one), texts(&three));
        assert_eq!(texts(&three)[1], ["B", "凯里市", "行业0", "凯里市"]);
        assert_eq!(texts(&three)[299][2], "行业4");
        for d in [&one, &three] {
            // Equal texts, equal values.
            assert_eq!(d.firms[0].county, d.firms[1].county);
            assert_eq!(d.firms[0].county, d.firms[298].county);
            assert_ne!(d.firms[0].county, d.firms[2].county);
            assert_eq!(d.firms[0].county, d.firms[0].supervising_area);
        }
    }

    #[test]
    fn chunked_errors_are_the_first_in_file_order() {
        let mut rows = rows(300);
        // A repeated across chunks (lines 12 and 252), B within the last
        // chunk (lines 202 and 222): B's second line comes first.
        rows[250] = rows[10].clone();
        rows[220] = rows[200].clone();
        let (one, three) = parse_both(&rows);
        assert!(one.as_ref().unwrap_err().message.contains("lines 202 and 222"));
        assert_eq!(one.unwrap_err(), three.unwrap_err());
        // Only A: across chunks, found after the parse.
        let mut rows = super::tests::rows(300);
        rows[250] = rows[10].clone();
        let (one, three) = parse_both(&rows);
        assert!(one.as_ref().unwrap_err().message.contains("lines 12 and 252"));
        assert_eq!(one.clone().unwrap_err(), three.unwrap_err());
        // A class error after A's second line: A is reported. One before:
        // the class error is.
        for (at, first) in [(280, "appears twice"), (240, "unknown credit class")] {
            let mut bad = rows.clone();
            let class = ["A", "B", "C", "D"][at % 4];
            bad[at] = bad[at].replacen(&format!(",{class},"), ",E,", 1);
            let (one, three) = parse_both(&bad);
            assert!(one.as_ref().unwrap_err().message.contains(first), "{at}");
            assert_eq!(one.unwrap_err(), three.unwrap_err());
        }
        // After A's second line: a bad code, and a row of the wrong width,
        // come after it: A is reported. A repeat on the very row whose
        // class is unknown is reported, as its code is checked first.
        let mut bad = rows.clone();
        bad[270] = bad[270].replacen("9152", "9153", 1);
        let mut short = rows.clone();
        short[270] = "91640121750822310D,甲,B".into();
        let mut on_the_row = rows.clone();
        on_the_row[280] = rows[10].replacen(&format!(",{},", ["A", "B", "C", "D"][10 % 4]), ",E,", 1);
        for (case, rows, lines) in [
            ("bad code", bad, "lines 12 and 252"),
            ("short row", short, "lines 12 and 252"),
            ("on the row", on_the_row, "lines 12 and 252"),
        ] {
            let (one, three) = parse_both(&rows);
            let e = one.unwrap_err();
            assert!(
                e.message.contains("appears twice") && e.message.contains(lines),
                "{case}: {e}"
            );
            assert_eq!(e, three.unwrap_err(), "{case}");
        }
        // Only the repeat on the failing row: it names that row.
        let mut rows = super::tests::rows(300);
        rows[280] = rows[10].replacen(&format!(",{},", ["A", "B", "C", "D"][10 % 4]), ",E,", 1);
        let (one, three) = parse_both(&rows);
        let e = one.unwrap_err();
        assert!(e.message.contains("lines 12 and 282"), "{e}");
        assert_eq!(e.line, Some(282));
        assert_eq!(e, three.unwrap_err());
    }

    #[test]
    fn class_and_status_errors() {
        let e = parse(&format!("{HEAD}91640121750822310D,甲,E,凯里市,制造业,存续,x\n")).unwrap_err();
        assert!(e.message.contains("A, B, C, D"), "{e}");
        let e = parse(&format!("{HEAD}91640121750822310D,甲,B,凯里市,制造业,歇业,x\n")).unwrap_err();
        assert_eq!(e.column.as_deref(), Some("status"));
        let d = parse(&format!("{HEAD}91640121750822310D,甲,B,凯里市,制造业,吊销,x\n")).unwrap();
        assert_eq!(d.firms[0].status(), Status::Inactive(InactiveReason::Revoked));
    }
}
