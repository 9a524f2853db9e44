//! The inspection history: who was inspected when, and by whom.

use crate::error::InputError;
use crate::table::{Column, RawFile, Table, TextEncoding};
use crate::uscc;
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// Columns of the history file.
pub const COLUMNS: &[Column] = &[
    Column {
        name: "uscc",
        aliases: &["统一社会信用代码"],
        required: true,
    },
    Column {
        name: "inspected_on",
        aliases: &["检查日期"],
        required: true,
    },
    Column {
        name: "inspector_ids",
        aliases: &["检查人员编号", "执法人员编号"],
        required: false,
    },
];

/// A firm's most recent inspection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastInspection {
    pub on: NaiveDate,
    /// Who inspected it then (may be empty).
    pub inspector_ids: Vec<String>,
}

/// Past inspections, by credit code. Only the latest per firm is kept;
/// several rows on that same latest date merge their inspectors, so row
/// order never matters.
#[derive(Debug, Clone, Default)]
pub struct History {
    pub path: String,
    pub sha256: String,
    pub rows: usize,
    /// The encoding the file was read with.
    pub encoding: TextEncoding,
    pub last: BTreeMap<String, LastInspection>,
    /// The latest date by packed code ([`crate::uscc::pack`]), sorted, for
    /// fast look-ups while drawing.
    latest: Vec<(u128, NaiveDate)>,
}

/// Parses a date written `YYYY-MM-DD` (also `YYYY/MM/DD`, as Excel writes).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y/%m/%d"))
        .ok()
}

impl History {
    /// The date of a firm's latest inspection, if it has one.
    pub fn last_inspected(&self, uscc: &str) -> Option<NaiveDate> {
        self.last_inspected_packed(uscc::pack(uscc))
    }

    /// [`History::last_inspected`] by packed code ([`uscc::pack`]).
    pub fn last_inspected_packed(&self, key: u128) -> Option<NaiveDate> {
        self.latest
            .binary_search_by_key(&key, |(k, _)| *k)
            .ok()
            .map(|i| self.latest[i].1)
    }

    /// Parses a history CSV.
    pub fn parse(file: RawFile, encoding: TextEncoding) -> Result<History, InputError> {
        let (table, rows) = Table::parse(file, encoding, COLUMNS)?;
        let mut last: BTreeMap<String, LastInspection> = BTreeMap::new();
        for row in &rows {
            let code = table.credit_code(row, 0, "uscc")?;
            let date_text = table.get(row, 1);
            let on = parse_date(date_text).ok_or_else(|| {
                InputError::field(
                    &table.path,
                    row.line,
                    "inspected_on",
                    format!("{date_text:?} is not a date; expected YYYY-MM-DD"),
                )
            })?;
            let inspector_ids = table
                .get(row, 2)
                .split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect();
            let mut entry = LastInspection { on, inspector_ids };
            match last.get_mut(code) {
                Some(prev) if prev.on > on => {}
                Some(prev) if prev.on == on => prev.inspector_ids.append(&mut entry.inspector_ids),
                _ => {
                    last.insert(code.to_string(), entry);
                }
            }
        }
        for entry in last.values_mut() {
            entry.inspector_ids.sort();
            entry.inspector_ids.dedup();
        }
        let mut latest: Vec<(u128, NaiveDate)> = last.iter().map(|(code, l)| (uscc::pack(code), l.on)).collect();
        latest.sort_unstable();
        Ok(History {
            path: table.path.clone(),
            sha256: table.sha256.clone(),
            rows: rows.len(),
            encoding: table.encoding,
            last,
            latest,
        })
    }
}
