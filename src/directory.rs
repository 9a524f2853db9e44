//! The directory of inspection objects (检查对象名录库): the enterprise
//! CSV, checked row by row.

use crate::error::InputError;
use crate::table::{Column, RawFile, Table, TextEncoding};
use crate::uscc;
use std::collections::HashMap;
use std::sync::Arc;

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
pub const INACTIVE_STATUSES: &[(&str, &str)] = &[
    ("注销", "deregistered"),
    ("吊销", "revoked"),
    ("吊销，未注销", "revoked"),
    ("吊销,未注销", "revoked"),
    ("撤销", "cancelled"),
    ("迁出", "moved-out"),
    ("deregistered", "deregistered"),
    ("revoked", "revoked"),
    ("cancelled", "cancelled"),
    ("canceled", "cancelled"),
    ("moved-out", "moved-out"),
    ("moved out", "moved-out"),
];

/// Whether a firm is in the active directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Active,
    /// Not active, with the reason (`deregistered`, `revoked`, …).
    Inactive(&'static str),
}

/// One enterprise, as far as the draw needs it. Its name and the other
/// columns are read back from the directory's text on demand
/// ([`Directory::details`]), so that a province-scale directory keeps
/// little in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enterprise {
    pub uscc: String,
    pub credit_class: Arc<str>,
    pub county: Arc<str>,
    pub industry: Arc<str>,
    pub status: Status,
    /// The patrol area that supervises the firm; the county when the
    /// directory has no such column.
    pub supervising_area: Arc<str>,
    /// Line in the file.
    pub line: u64,
    /// Byte offset of the row in the directory's text.
    offset: u64,
}

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
    /// SHA-256 of the file's bytes.
    pub sha256: String,
    /// The encoding used to read it.
    pub encoding: TextEncoding,
    /// Names of the extra columns, in file order.
    pub extra_headers: Vec<String>,
    /// Firms in file order.
    pub firms: Vec<Enterprise>,
    /// The file as UTF-8 text.
    text: Vec<u8>,
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
        .map(|(_, r)| Status::Inactive(r))
}

/// Shares one allocation among the many rows that repeat a value.
#[derive(Default)]
struct Interner(HashMap<String, Arc<str>>);

impl Interner {
    fn get(&mut self, s: &str) -> Arc<str> {
        if let Some(a) = self.0.get(s) {
            return a.clone();
        }
        let a: Arc<str> = Arc::from(s);
        self.0.insert(s.to_string(), a.clone());
        a
    }
}

impl Directory {
    /// Parses and checks an enterprise directory. `classes` are the credit
    /// classes the plan accepts.
    pub fn parse(file: RawFile, encoding: TextEncoding, classes: &[String]) -> Result<Directory, InputError> {
        let mut seen: HashMap<u128, u64> = HashMap::new();
        let mut firms = Vec::new();
        let mut interner = Interner::default();
        let column_name = |i: usize| COLUMNS[i].name;
        let table = Table::read(file, encoding, COLUMNS, |table, row| {
            let path = &table.path;
            let field = |i: usize, msg: String| InputError::field(path, row.line, column_name(i), msg);
            let code = table.get(row, USCC);
            uscc::validate(code).map_err(|e| field(USCC, format!("credit code {code:?} is invalid: {e}")))?;
            if let Some(first) = seen.insert(uscc::pack(code), row.line) {
                return Err(field(
                    USCC,
                    format!("credit code {code} appears twice, on lines {first} and {}", row.line),
                ));
            }
            let class = table.get(row, CLASS);
            if !classes.iter().any(|c| c == class) {
                return Err(field(
                    CLASS,
                    format!(
                        "unknown credit class {class:?}; accepted: {} (a plan may declare more in targets.classes)",
                        classes.join(", ")
                    ),
                ));
            }
            let status_text = table.get(row, STATUS);
            let status = parse_status(status_text).ok_or_else(|| {
                field(
                    STATUS,
                    format!(
                        "unknown registration status {status_text:?}; expected one of {} (active) or {} (not active)",
                        ACTIVE_STATUSES.join(", "),
                        INACTIVE_STATUSES.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", ")
                    ),
                )
            })?;
            for (i, what) in [(NAME, "a name"), (COUNTY, "a county"), (INDUSTRY, "an industry")] {
                if table.get(row, i).is_empty() {
                    return Err(field(i, format!("empty; every firm needs {what}")));
                }
            }
            let county = interner.get(table.get(row, COUNTY));
            let area = table.get(row, AREA);
            firms.push(Enterprise {
                uscc: code.to_string(),
                credit_class: interner.get(class),
                supervising_area: if area.is_empty() {
                    county.clone()
                } else {
                    interner.get(area)
                },
                county,
                industry: interner.get(table.get(row, INDUSTRY)),
                status,
                line: row.line,
                offset: row.offset,
            });
            Ok(())
        })?;
        let extra_columns = table.extra_columns();
        let extra_headers = extra_columns.iter().map(|&j| table.headers[j].clone()).collect();
        let name_column = table.column(NAME).expect("required column");
        Ok(Directory {
            path: table.path.clone(),
            sha256: table.sha256.clone(),
            encoding: table.encoding,
            extra_headers,
            firms,
            name_column,
            extra_columns,
            text: table.text,
        })
    }

    /// The name and extra columns of firm `i`, read back from the text.
    /// For many firms, use one [`Directory::details_reader`].
    pub fn details(&self, i: usize) -> Details {
        self.details_reader().details(i)
    }

    /// A reader of firms' details that can be used many times.
    pub fn details_reader(&self) -> DetailsReader<'_> {
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(std::io::Cursor::new(&self.text[..]));
        DetailsReader {
            directory: self,
            reader,
            record: csv::StringRecord::new(),
        }
    }
}

/// Reads firms' details back from a directory's text.
pub struct DetailsReader<'a> {
    directory: &'a Directory,
    reader: csv::Reader<std::io::Cursor<&'a [u8]>>,
    record: csv::StringRecord,
}

impl DetailsReader<'_> {
    /// The name and extra columns of firm `i`.
    pub fn details(&mut self, i: usize) -> Details {
        let d = self.directory;
        let mut pos = csv::Position::new();
        pos.set_byte(d.firms[i].offset);
        // The row was read and checked once already, so it reads again.
        let ok = self.reader.seek(pos).is_ok() && self.reader.read_record(&mut self.record).unwrap_or(false);
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
    fn reads_rows_and_extras() {
        let d = parse(&format!(
            "{HEAD}91640121750822310D,甲,B,凯里市,制造业,存续,北京东路1号\n"
        ))
        .unwrap();
        assert_eq!(&*d.firms[0].supervising_area, "凯里市");
        assert_eq!(d.extra_headers, vec!["address"]);
        assert_eq!(
            d.details(0),
            Details {
                name: "甲".into(),
                extra: vec!["北京东路1号".into()]
            }
        );
        assert_eq!(d.firms[0].status, Status::Active);
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

    #[test]
    fn class_and_status_errors() {
        let e = parse(&format!("{HEAD}91640121750822310D,甲,E,凯里市,制造业,存续,x\n")).unwrap_err();
        assert!(e.message.contains("A, B, C, D"), "{e}");
        let e = parse(&format!("{HEAD}91640121750822310D,甲,B,凯里市,制造业,歇业,x\n")).unwrap_err();
        assert_eq!(e.column.as_deref(), Some("status"));
        let d = parse(&format!("{HEAD}91640121750822310D,甲,B,凯里市,制造业,吊销,x\n")).unwrap();
        assert_eq!(d.firms[0].status, Status::Inactive("revoked"));
    }
}
