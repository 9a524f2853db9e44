//! A file of inspection results as the inspectors fill it in (SPEC.md
//! §11.2): one row per inspected firm and task, with a group of columns
//! per item. This reads the words; whether the firm was drawn, the team
//! and the window are checked against the bundle in `results::record`.

use crate::base::error::InputError;
use crate::inputs::history::parse_date;
use crate::inputs::result_words::{
    Outcome, expected_measures, expected_methods, parse_checked, parse_measure, parse_methods,
};
use crate::inputs::table::{Column, RawFile, Table, TextEncoding};
use chrono::NaiveDate;

/// The columns before the item groups.
const FIRM_COLUMNS: [Column; 5] = [
    Column {
        name: "uscc",
        aliases: &["统一社会信用代码"],
        required: true,
    },
    Column {
        name: "task",
        aliases: &["任务编号"],
        required: false,
    },
    Column {
        name: "inspected_on",
        aliases: &["检查日期"],
        required: true,
    },
    Column {
        name: "inspector_ids",
        aliases: &["检查人员编号", "执法人员编号"],
        required: true,
    },
    Column {
        name: "result",
        aliases: &["检查结果"],
        required: true,
    },
];

/// The fields of one item group, `NAME_g` (Chinese `ALIASg`), g = 1, 2, …
const GROUP_FIELDS: [(&str, &str); 5] = [
    ("item", "检查事项"),
    ("checked", "是否检查"),
    ("method", "检查方式"),
    ("problem", "发现问题"),
    ("measure", "后续处置"),
];

/// The header of item group `g`'s field `f` (0-based, as
/// [`GROUP_FIELDS`]).
pub fn group_column(f: usize, g: usize) -> String {
    format!("{}_{g}", GROUP_FIELDS[f].0)
}

/// The headers of a results file with `groups` item groups, in order.
pub fn headers(groups: usize) -> Vec<String> {
    let mut h: Vec<String> = FIRM_COLUMNS.iter().map(|c| c.name.to_string()).collect();
    for g in 1..=groups {
        for f in 0..GROUP_FIELDS.len() {
            h.push(group_column(f, g));
        }
    }
    h
}

/// What one item group says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemRow {
    /// The group's number (1-based): its columns are `item_g` ….
    pub group: usize,
    pub item: String,
    pub checked: bool,
    /// The methods, as [`parse_methods`] writes them; empty when not
    /// checked.
    pub method: String,
    pub problem: String,
    /// The measure, as [`parse_measure`] writes it; empty when not
    /// checked.
    pub measure: String,
}

/// One row: one firm's result in one task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultRow {
    /// The line (or the sheet's row) in the file.
    pub line: u64,
    pub uscc: String,
    /// Empty when the file leaves it out.
    pub task: String,
    pub inspected_on: NaiveDate,
    pub inspectors: Vec<String>,
    pub outcome: Outcome,
    pub items: Vec<ItemRow>,
}

/// A results file that reads.
#[derive(Debug, Clone)]
pub struct ResultsFile {
    pub path: String,
    pub sheet: Option<String>,
    pub sha256: String,
    pub rows: Vec<ResultRow>,
}

impl ResultsFile {
    /// An error at `line`, `column` of this file.
    pub fn error(&self, line: u64, column: &str, message: impl Into<String>) -> InputError {
        InputError::field(&self.path, line, column, message).in_sheet(self.sheet.as_deref())
    }

    /// Reads a results file with up to `groups` item groups (the most
    /// items any task of the bundle has). Columns of further groups are
    /// extra columns, and ignored only when empty.
    pub fn parse(file: RawFile, encoding: TextEncoding, groups: usize) -> Result<ResultsFile, InputError> {
        let mut columns: Vec<Column> = FIRM_COLUMNS.to_vec();
        for g in 1..=groups {
            for (f, (_, alias)) in GROUP_FIELDS.iter().enumerate() {
                // Column names are 'static: a handful per run, kept to the end.
                let name: &'static str = Box::leak(group_column(f, g).into_boxed_str());
                let aliases: &'static [&'static str] =
                    Box::leak(vec![&*Box::leak(format!("{alias}{g}").into_boxed_str())].into_boxed_slice());
                columns.push(Column {
                    name,
                    aliases,
                    required: false,
                });
            }
        }
        let mut rows = Vec::new();
        let table = Table::read(file, encoding, &columns, |table, row| {
            let field = |i: usize, msg: String| InputError::field(&table.path, row.line, columns[i].name, msg);
            let uscc = table.get(row, 0).to_string();
            if uscc.is_empty() {
                return Err(field(0, "empty; every row needs the firm's code".into()));
            }
            let on = table.get(row, 2);
            let inspected_on = parse_date(on)
                .ok_or_else(|| field(2, format!("{on:?} is not a date; expected YYYY-MM-DD, e.g. 2025-05-07")))?;
            let inspectors: Vec<String> = table
                .get(row, 3)
                .split([';', '；'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect();
            let result = table.get(row, 4);
            let outcome = Outcome::parse(result).ok_or_else(|| {
                field(
                    4,
                    format!("unknown result {result:?}; expected one of {}", Outcome::expected()),
                )
            })?;
            let mut items = Vec::new();
            for g in 1..=groups {
                let base = FIRM_COLUMNS.len() + (g - 1) * GROUP_FIELDS.len();
                let get = |f: usize| table.get(row, base + f);
                let item = get(0);
                if item.is_empty() {
                    if let Some(f) = (1..GROUP_FIELDS.len()).find(|&f| !get(f).is_empty()) {
                        return Err(field(
                            base + f,
                            format!("filled, but {} is empty: say which item this is", group_column(0, g)),
                        ));
                    }
                    continue;
                }
                let checked = parse_checked(get(1)).ok_or_else(|| {
                    field(
                        base + 1,
                        format!("{:?}: expected 是 or 否 (yes or no): was the item checked?", get(1)),
                    )
                })?;
                let (method, measure) = if checked {
                    let method = parse_methods(get(2)).ok_or_else(|| {
                        field(
                            base + 2,
                            format!("unknown method {:?}; expected {}", get(2), expected_methods()),
                        )
                    })?;
                    let measure = parse_measure(get(4)).ok_or_else(|| {
                        field(
                            base + 4,
                            format!("unknown measure {:?}; expected {}", get(4), expected_measures()),
                        )
                    })?;
                    (method, measure)
                } else {
                    if let Some(f) = [2, 3, 4].into_iter().find(|&f| !get(f).is_empty()) {
                        return Err(field(base + f, "filled, but the item was not checked".into()));
                    }
                    (String::new(), String::new())
                };
                items.push(ItemRow {
                    group: g,
                    item: item.to_string(),
                    checked,
                    method,
                    problem: get(3).to_string(),
                    measure,
                });
            }
            rows.push(ResultRow {
                line: row.line,
                uscc,
                task: table.get(row, 1).to_string(),
                inspected_on,
                inspectors,
                outcome,
                items,
            });
            Ok(())
        })?;
        if rows.is_empty() {
            return Err(
                InputError::file(&table.header.path, "no results in it").in_sheet(table.header.sheet.as_deref())
            );
        }
        Ok(ResultsFile {
            path: table.header.path.clone(),
            sheet: table.header.sheet.clone(),
            sha256: table.sha256.clone(),
            rows,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ResultsFile, InputError> {
        ResultsFile::parse(
            RawFile::from_bytes("r.csv".into(), text.as_bytes().to_vec()),
            TextEncoding::Auto,
            2,
        )
    }

    const HEAD: &str =
        "统一社会信用代码,任务编号,检查日期,检查人员编号,检查结果,检查事项1,是否检查1,检查方式1,发现问题1,后续处置1\n";

    #[test]
    fn a_row_reads_with_its_items() {
        let f = parse(&format!(
            "{HEAD}91640121750822310D,T1,2025/5/7,A;B,未发现问题,SJ-01,是,实地检查,,无须后续处置\n"
        ))
        .unwrap();
        let r = &f.rows[0];
        assert_eq!(r.line, 2);
        assert_eq!(r.inspectors, ["A", "B"]);
        assert_eq!(r.outcome, Outcome::NoProblem);
        assert_eq!(r.items[0].measure, "无须后续处置");
        assert_eq!(r.inspected_on.to_string(), "2025-05-07");
    }

    #[test]
    fn bad_words_are_named_by_line_and_column() {
        let e = parse(&format!(
            "{HEAD}U,T1,2025-05-07,A;B,很好,SJ-01,是,实地检查,,无须后续处置\n"
        ))
        .unwrap_err();
        assert_eq!((e.line, e.column.as_deref()), (Some(2), Some("result")));
        assert!(e.message.contains("未发现问题"), "{e}");
        let e = parse(&format!(
            "{HEAD}U,T1,2025-05-07,A;B,未发现问题,SJ-01,是,实地检查,,罚款\n"
        ))
        .unwrap_err();
        assert_eq!(e.column.as_deref(), Some("measure_1"));
        let e = parse(&format!(
            "{HEAD}U,T1,2025-13-07,A;B,未发现问题,SJ-01,是,实地检查,,无须后续处置\n"
        ))
        .unwrap_err();
        assert_eq!(e.column.as_deref(), Some("inspected_on"));
        let e = parse(&format!("{HEAD}U,T1,2025-05-07,A;B,未发现问题,,是,,,\n")).unwrap_err();
        assert_eq!(e.column.as_deref(), Some("checked_1"));
        let e = parse(&format!("{HEAD}U,T1,2025-05-07,A;B,未发现问题,SJ-01,否,实地检查,,\n")).unwrap_err();
        assert_eq!(e.column.as_deref(), Some("method_1"));
    }
}
