//! The inspection history: who was inspected when, and by whom.

use crate::base::error::InputError;
use crate::inputs::table::{Column, RawFile, Table, TextEncoding};
use chrono::NaiveDate;

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
    /// Each firm's latest inspection by packed code ([`crate::inputs::uscc::pack`]),
    /// sorted by code.
    last: Vec<(u128, LastInspection)>,
    /// One bit per value of a code's low [`FILTER_BITS`] bits, set for the
    /// codes in `last`: most firms of a directory are not in the history,
    /// and a clear bit says so without a search.
    filter: Vec<u64>,
}

/// The width of [`History`]'s filter index: 2^16 bits, 8 KiB.
const FILTER_BITS: u32 = 16;

fn filter_slot(key: u128) -> (usize, u64) {
    let low = (key as usize) & ((1 << FILTER_BITS) - 1);
    (low / 64, 1 << (low % 64))
}

/// Parses a date as SPEC.md §1.2 writes it: `YYYY-MM-DD` or `YYYY/MM/DD`
/// (as Excel writes), four digits of year, one or two of month and of
/// day, the same separator twice, a day of the calendar; nothing else,
/// not even spaces (fields are trimmed before).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    let number = |part: &[u8]| {
        part.iter()
            .try_fold(0u32, |n, &d| d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0')))
    };
    let sep = *b.get(4)?;
    if !matches!(sep, b'-' | b'/') {
        return None;
    }
    let year = number(&b[..4])?;
    let mut rest = b[5..].splitn(2, |&c| c == sep);
    let (month, day) = (rest.next()?, rest.next()?);
    if !(1..=2).contains(&month.len()) || !(1..=2).contains(&day.len()) {
        return None;
    }
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, number(month)?, number(day)?)
}

impl History {
    /// A firm's latest inspection, if it has one. The firm is given by its
    /// packed code ([`crate::inputs::uscc::pack`]).
    pub fn last_inspection(&self, key: u128) -> Option<&LastInspection> {
        let (word, bit) = filter_slot(key);
        if self.filter.get(word).is_none_or(|w| w & bit == 0) {
            return None;
        }
        self.last
            .binary_search_by_key(&key, |(k, _)| *k)
            .ok()
            .map(|i| &self.last[i].1)
    }

    /// The date of a firm's latest inspection, if it has one.
    pub fn last_inspected(&self, key: u128) -> Option<NaiveDate> {
        self.last_inspection(key).map(|l| l.on)
    }

    /// Parses a history CSV.
    pub fn parse(file: RawFile, encoding: TextEncoding) -> Result<History, InputError> {
        let mut all: Vec<(u128, LastInspection)> = Vec::new();
        let table = Table::read(file, encoding, COLUMNS, |table, row| {
            let (_, code) = table.credit_code(row, 0, "uscc")?;
            let date_text = table.get(row, 1);
            let on = parse_date(date_text).ok_or_else(|| {
                InputError::field(
                    &table.path,
                    row.line,
                    "inspected_on",
                    format!("{date_text:?} is not a date; expected YYYY-MM-DD (or YYYY/MM/DD; month and day may have one digit)"),
                )
            })?;
            let inspector_ids = table
                .get(row, 2)
                .split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect();
            all.push((code, LastInspection { on, inspector_ids }));
            Ok(())
        })?;
        // By code, latest first; the latest date's rows merge.
        all.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.on.cmp(&a.1.on)));
        let mut last: Vec<(u128, LastInspection)> = Vec::new();
        for (code, mut entry) in all {
            match last.last_mut() {
                Some((c, prev)) if *c == code => {
                    if prev.on == entry.on {
                        prev.inspector_ids.append(&mut entry.inspector_ids);
                    }
                }
                _ => last.push((code, entry)),
            }
        }
        for (_, entry) in &mut last {
            entry.inspector_ids.sort();
            entry.inspector_ids.dedup();
        }
        let mut filter = vec![0u64; (1 << FILTER_BITS) / 64];
        for &(key, _) in &last {
            let (word, bit) = filter_slot(key);
            filter[word] |= bit;
        }
        Ok(History {
            path: table.path.clone(),
            sha256: table.sha256.clone(),
            rows: table.rows as usize,
            encoding: table.encoding,
            last,
            filter,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inputs::uscc;

    #[test]
    fn dates_are_read_as_the_spec_writes_them() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        for (s, want) in [
            ("2024-05-01", day(2024, 5, 1)),
            ("2024-5-1", day(2024, 5, 1)),
            ("2024/05/01", day(2024, 5, 1)),
            ("2024/5/17", day(2024, 5, 17)),
            ("0000-01-01", day(0, 1, 1)),
            ("2024-02-29", day(2024, 2, 29)),
        ] {
            assert_eq!(parse_date(s), want, "{s:?}");
        }
        for s in [
            "2024-02-30",
            "2024-13-01",
            "2024-00-10",
            "2024-05-0x",
            "2024-05-01 ",
            " 2024-05-01",
            "+2024-05-01",
            "20240501",
            "",
            "2024-05-1a",
            "2024-05/01",
            "2024/05-01",
            "2024-005-01",
            "2024-05-001",
            "2024--01",
            "2024-05-",
            "24-05-01",
            "12024-05-01",
            "２０２４-05-01",
        ] {
            assert_eq!(parse_date(s), None, "{s:?}");
        }
    }

    #[test]
    fn the_latest_date_wins_and_its_rows_merge_in_any_order() {
        let (a, b) = ("91640121750822310D", "9164022122816188X8");
        let rows = [
            format!("{a},2024-05-01,X3"),
            format!("{a},2023-01-01,X9"),
            format!("{a},2024-05-01,X1; X2"),
            format!("{b},2022-02-02,"),
            format!("{a},2024-05-01,X2"),
        ];
        for rotation in 0..rows.len() {
            let mut rows = rows.to_vec();
            rows.rotate_left(rotation);
            rows.swap(0, rotation % 2);
            let text = format!("uscc,inspected_on,inspector_ids\n{}\n", rows.join("\n"));
            let h = History::parse(
                RawFile::from_bytes("h.csv".into(), text.into_bytes()),
                TextEncoding::Auto,
            )
            .unwrap();
            let last = h.last_inspection(uscc::pack(a)).unwrap();
            assert_eq!(last.on, NaiveDate::from_ymd_opt(2024, 5, 1).unwrap());
            assert_eq!(last.inspector_ids, ["X1", "X2", "X3"]);
            let last = h.last_inspection(uscc::pack(b)).unwrap();
            assert_eq!(
                (last.on.to_string().as_str(), last.inspector_ids.len()),
                ("2022-02-02", 0)
            );
            assert_eq!(h.rows, 5);
        }
    }

    #[test]
    fn finds_every_firm_in_the_history_and_no_other() {
        let codes: Vec<String> = (0..3000)
            .map(|i| uscc::complete(&format!("91522601{i:08}")).unwrap())
            .collect();
        let mut text = String::from("uscc,inspected_on\n");
        for code in codes.iter().step_by(2) {
            text.push_str(&format!("{code},2024-05-01\n"));
        }
        let h = History::parse(
            RawFile::from_bytes("h.csv".into(), text.into_bytes()),
            TextEncoding::Auto,
        )
        .unwrap();
        let day = NaiveDate::from_ymd_opt(2024, 5, 1);
        for (i, code) in codes.iter().enumerate() {
            let expected = if i % 2 == 0 { day } else { None };
            assert_eq!(h.last_inspected(uscc::pack(code)), expected, "{code}");
        }
    }
}
