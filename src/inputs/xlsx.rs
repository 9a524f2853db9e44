//! An input kept in an Excel workbook (`.xlsx`): which sheet a path
//! names, and that sheet's cells as the CSV text that
//! [`crate::inputs::table`] reads (SPEC.md §1.6). Each row becomes one
//! record, on the line numbered as the spreadsheet numbers the row, so
//! that the reader's line is the row the user sees.

use crate::base::error::InputError;
use calamine::{Data, Reader, Xlsx};
use std::io::Cursor;
use std::path::{Path, PathBuf};

/// Which sheet of a workbook an input reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SheetChoice {
    /// The workbook's first sheet: a path that ends in `.xlsx`.
    First,
    /// The sheet of this name: a path `FILE.xlsx#SHEET`.
    Named(String),
}

/// Whether a file name is a workbook's: it ends in `.xlsx`, in any ASCII
/// case.
pub fn is_workbook_name(name: &[u8]) -> bool {
    name.len() >= 5 && name[name.len() - 5..].eq_ignore_ascii_case(b".xlsx")
}

/// The file that an input path names, and the sheet when the file is a
/// workbook. A path that ends in `.xlsx` names the workbook's first
/// sheet. `FILE.xlsx#SHEET`, when no file has that whole name, names
/// the sheet SHEET of `FILE.xlsx` (a sheet's name never holds `/` or
/// `\`, which Excel forbids; of several ways to split a path, the first
/// whose workbook exists is taken, else the first). Any other path is a
/// text file.
pub fn locate(path: &Path) -> (PathBuf, Option<SheetChoice>) {
    if std::fs::metadata(path).is_err()
        && let Some(s) = path.to_str()
    {
        let splits: Vec<(&str, &str)> = s
            .match_indices('#')
            .map(|(i, _)| (&s[..i], &s[i + 1..]))
            .filter(|(file, sheet)| is_workbook_name(file.as_bytes()) && !sheet.contains(['/', '\\']))
            .collect();
        let chosen = splits
            .iter()
            .find(|(file, _)| Path::new(file).is_file())
            .or(splits.first());
        if let Some((file, sheet)) = chosen {
            return (PathBuf::from(file), Some(SheetChoice::Named(sheet.to_string())));
        }
    }
    let sheet = is_workbook_name(path.as_os_str().as_encoded_bytes()).then_some(SheetChoice::First);
    (path.to_path_buf(), sheet)
}

/// Whether the file an input path names ([`locate`]) exists.
pub fn input_exists(path: &Path) -> bool {
    locate(path).0.exists()
}

/// One sheet of a workbook as CSV text.
#[derive(Debug, Clone)]
pub struct SheetText {
    /// The sheet's name.
    pub name: String,
    /// The rows as CSV records (LF after each; fields quoted only when
    /// they hold `,`, `"`, CR or LF). A record starts on the line numbered
    /// as its row is in the spreadsheet, blank lines filling the rows
    /// without any value, unless a cell above it holds a line break.
    pub text: Vec<u8>,
    /// The row of the first record, the header.
    pub header_row: u64,
    /// When a cell holds a line break, so that lines and rows part: for
    /// each line (by number) on which a record starts, the record's row
    /// (0 on other lines). `None` when every record is on its row's line.
    pub rows: Option<Vec<u64>>,
    /// The first cell, after the header, that holds an error value
    /// (`#N/A`, `#REF!`, …). The text stops before its row, so that a
    /// problem in an earlier row is found first, as in file order.
    pub error: Option<InputError>,
}

impl SheetText {
    /// The spreadsheet row of the record that starts on `line`.
    pub fn row_of(&self, line: u64) -> u64 {
        match &self.rows {
            None => line,
            Some(rows) => usize::try_from(line)
                .ok()
                .and_then(|l| rows.get(l))
                .copied()
                .filter(|&r| r != 0)
                .unwrap_or(line),
        }
    }
}

/// Reads the chosen sheet of the workbook `bytes` (named `path` in
/// messages) as CSV text. Errors name the file, and the sheet when there
/// is one: a file that is not a workbook, an unknown sheet (listing
/// those there are), an empty sheet, an error value in the header row.
pub fn read_sheet(path: &str, bytes: &[u8], choice: &SheetChoice) -> Result<SheetText, InputError> {
    let mut workbook = Xlsx::new(Cursor::new(bytes)).map_err(|e| {
        InputError::file(
            path,
            format!("not a readable xlsx workbook ({e}); save it again as an Excel workbook (.xlsx)"),
        )
    })?;
    let names = workbook.sheet_names();
    let name = match choice {
        SheetChoice::First => names
            .first()
            .cloned()
            .ok_or_else(|| InputError::file(path, "the workbook has no sheet"))?,
        SheetChoice::Named(name) if names.contains(name) => name.clone(),
        SheetChoice::Named(name) => {
            let list: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
            return Err(InputError::file(
                path,
                format!("no sheet named {name:?}; the workbook's sheets are {}", list.join(", ")),
            ));
        }
    };
    let in_sheet = |e: InputError| e.in_sheet(Some(&name));
    let range = workbook
        .worksheet_range(&name)
        .map_err(|e| in_sheet(InputError::file(path, format!("the sheet cannot be read: {e}"))))?;
    let Some((row0, col0)) = range.start().filter(|_| !range.is_empty()) else {
        return Err(in_sheet(InputError::file(path, "empty sheet; expected a header row")));
    };
    let mut text = Vec::new();
    // The line of the next byte of `text`.
    let mut line = 1u64;
    let mut starts: Vec<(u64, u64)> = Vec::new();
    let mut header: Option<Vec<String>> = None;
    let mut error = None;
    let mut field = String::new();
    for (i, cells) in range.rows().enumerate() {
        let row = u64::from(row0) + i as u64 + 1;
        if cells.iter().all(|c| matches!(c, Data::Empty)) {
            continue;
        }
        if let Some((j, Data::Error(e))) = cells.iter().enumerate().find(|(_, c)| matches!(c, Data::Error(_))) {
            let column = header
                .as_ref()
                .and_then(|h| h.get(j))
                .filter(|n| !n.is_empty())
                .cloned()
                .unwrap_or_else(|| format!("#{}", j + 1));
            let cell = format!("{}{row}", column_letters(col0 as usize + j));
            let e = in_sheet(InputError::field(
                path,
                row,
                column,
                format!("the cell {cell} holds the error value {e}, not a value; correct it in the workbook"),
            ));
            if header.is_none() {
                return Err(e);
            }
            error = Some(e);
            break;
        }
        while line < row {
            text.push(b'\n');
            line += 1;
        }
        starts.push((line, row));
        let mut names = header.is_none().then(Vec::new);
        for (j, cell) in cells.iter().enumerate() {
            if j > 0 {
                text.push(b',');
            }
            field.clear();
            cell_text(cell, &mut field);
            if let Some(names) = &mut names {
                names.push(field.trim().trim_start_matches('\u{feff}').to_string());
            }
            line += memchr::memchr_iter(b'\n', field.as_bytes()).count() as u64;
            push_field(&mut text, &field);
        }
        if names.is_some() {
            header = names;
        }
        text.push(b'\n');
        line += 1;
    }
    let header_row = starts.first().map_or(1, |&(_, row)| row);
    let rows = starts.iter().any(|&(l, r)| l != r).then(|| {
        let mut rows = vec![0; line as usize + 1];
        for &(l, r) in &starts {
            rows[l as usize] = r;
        }
        rows
    });
    Ok(SheetText {
        name,
        text,
        header_row,
        rows,
        error,
    })
}

/// A cell's value as text (SPEC.md §1.6): text as it is; a number in
/// decimal, as Excel shows it (rounded to 15 significant digits), whole
/// numbers without a decimal point; a date as `YYYY-MM-DD` (a time of
/// day is dropped); `TRUE` or `FALSE`; an empty cell as nothing.
fn cell_text(cell: &Data, out: &mut String) {
    use std::fmt::Write;
    match cell {
        Data::Empty | Data::Error(_) => {}
        Data::String(s) => out.push_str(s),
        Data::Int(i) => write!(out, "{i}").expect("a string takes any text"),
        Data::Float(f) => number_text(*f, out),
        Data::Bool(b) => out.push_str(if *b { "TRUE" } else { "FALSE" }),
        Data::DateTime(d) if d.is_datetime() => {
            let (y, m, d, ..) = d.to_ymd_hms_milli();
            write!(out, "{y:04}-{m:02}-{d:02}").expect("a string takes any text");
        }
        Data::DateTime(d) => number_text(d.as_f64(), out),
        Data::DateTimeIso(s) => {
            let date = s.split('T').next().unwrap_or(s);
            let is_date = date.len() == 10
                && date.bytes().enumerate().all(|(i, b)| {
                    if i == 4 || i == 7 {
                        b == b'-'
                    } else {
                        b.is_ascii_digit()
                    }
                });
            out.push_str(if is_date { date } else { s });
        }
        Data::DurationIso(s) => out.push_str(s),
    }
}

/// A number as Excel shows it in a cell of general format, but never in
/// exponent form: rounded to 15 significant digits, then the shortest
/// decimal of that (`123`, not `123.0`; `0.3`, not `0.30000000000000004`).
fn number_text(f: f64, out: &mut String) {
    use std::fmt::Write;
    let rounded: f64 = format!("{f:.14e}").parse().unwrap_or(f);
    let rounded = if rounded == 0.0 { 0.0 } else { rounded };
    write!(out, "{rounded}").expect("a string takes any text");
}

/// Appends `field` to a CSV record, quoted when it holds a comma, a
/// quote or a line break.
fn push_field(text: &mut Vec<u8>, field: &str) {
    if field.contains([',', '"', '\r', '\n']) {
        text.push(b'"');
        text.extend_from_slice(field.replace('"', "\"\"").as_bytes());
        text.push(b'"');
    } else {
        text.extend_from_slice(field.as_bytes());
    }
}

/// A column's letters in the spreadsheet: 0 is `A`, 25 `Z`, 26 `AA`.
fn column_letters(mut j: usize) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (j % 26) as u8);
        if j < 26 {
            break;
        }
        j = j / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).expect("ASCII letters")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

    /// A workbook made by `fill`, as bytes.
    fn workbook(fill: impl FnOnce(&mut Workbook)) -> Vec<u8> {
        let mut wb = Workbook::new();
        fill(&mut wb);
        wb.save_to_buffer().unwrap()
    }

    fn text(s: &SheetText) -> &str {
        std::str::from_utf8(&s.text).unwrap()
    }

    #[test]
    fn cells_become_text() {
        let bytes = workbook(|wb| {
            let ws = wb.add_worksheet().set_name("名录").unwrap();
            let date = Format::new().set_num_format("yyyy-mm-dd");
            for (j, h) in ["code", "n", "x", "date", "when", "flag", "s"].iter().enumerate() {
                ws.write_string(0, j as u16, *h).unwrap();
            }
            ws.write_number(1, 0, 123.0).unwrap();
            ws.write_number(1, 1, 0.1 + 0.2).unwrap();
            ws.write_number(1, 2, -2.5).unwrap();
            let day = ExcelDateTime::from_ymd(2026, 3, 9).unwrap();
            ws.write_datetime_with_format(1, 3, &day, &date).unwrap();
            let when = ExcelDateTime::parse_from_str("2025-12-31T18:30:00").unwrap();
            ws.write_datetime_with_format(1, 4, &when, &Format::new().set_num_format("yyyy-mm-dd hh:mm"))
                .unwrap();
            ws.write_boolean(1, 5, true).unwrap();
            ws.write_string(1, 6, "甲, \"乙\"").unwrap();
            ws.write_number(2, 0, 91_640_121_750_822_310.0).unwrap();
            ws.write_number(2, 1, 1e-7).unwrap();
            ws.write_boolean(2, 5, false).unwrap();
        });
        let s = read_sheet("t.xlsx", &bytes, &SheetChoice::First).unwrap();
        assert_eq!(s.name, "名录");
        assert_eq!(
            text(&s),
            "code,n,x,date,when,flag,s\n\
             123,0.3,-2.5,2026-03-09,2025-12-31,TRUE,\"甲, \"\"乙\"\"\"\n\
             91640121750822300,0.0000001,,,,FALSE,\n"
        );
        assert_eq!((s.header_row, s.rows.is_none(), s.error.is_none()), (1, true, true));
    }

    #[test]
    fn records_start_on_their_rows_lines() {
        let bytes = workbook(|wb| {
            let ws = wb.add_worksheet();
            ws.write_string(2, 1, "uscc").unwrap();
            ws.write_string(2, 2, "name").unwrap();
            ws.write_string(3, 1, "X").unwrap();
            ws.write_string(6, 2, "Y").unwrap();
        });
        let s = read_sheet("t.xlsx", &bytes, &SheetChoice::First).unwrap();
        assert_eq!(text(&s), "\n\nuscc,name\nX,\n\n\n,Y\n");
        assert_eq!((s.header_row, s.rows.is_none()), (3, true));
        assert_eq!(s.row_of(7), 7);
    }

    #[test]
    fn line_breaks_in_cells_keep_rows() {
        let bytes = workbook(|wb| {
            let ws = wb.add_worksheet();
            ws.write_string(0, 0, "uscc").unwrap();
            ws.write_string(0, 1, "name").unwrap();
            ws.write_string(1, 0, "X").unwrap();
            ws.write_string(1, 1, "甲\n乙\n丙").unwrap();
            ws.write_string(2, 0, "Y").unwrap();
            ws.write_string(4, 0, "Z").unwrap();
        });
        let s = read_sheet("t.xlsx", &bytes, &SheetChoice::First).unwrap();
        assert_eq!(text(&s), "uscc,name\nX,\"甲\n乙\n丙\"\nY,\nZ,\n");
        // X on line 2, Y on line 5, Z on line 6.
        assert_eq!([s.row_of(1), s.row_of(2), s.row_of(5), s.row_of(6)], [1, 2, 3, 5]);
    }

    #[test]
    fn sheets_by_name_and_unknown_ones() {
        let bytes = workbook(|wb| {
            wb.add_worksheet()
                .set_name("说明")
                .unwrap()
                .write_string(0, 0, "a")
                .unwrap();
            wb.add_worksheet()
                .set_name("企业名录")
                .unwrap()
                .write_string(0, 0, "b")
                .unwrap();
        });
        let s = read_sheet("t.xlsx", &bytes, &SheetChoice::Named("企业名录".into())).unwrap();
        assert_eq!(text(&s), "b\n");
        let e = read_sheet("t.xlsx", &bytes, &SheetChoice::Named("名录".into())).unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.xlsx: no sheet named \"名录\"; the workbook's sheets are \"说明\", \"企业名录\""
        );
        let e = read_sheet("t.csv", b"uscc,name\n", &SheetChoice::First).unwrap_err();
        assert!(e.to_string().starts_with("t.csv: not a readable xlsx workbook"), "{e}");
        let empty = workbook(|wb| {
            wb.add_worksheet().set_name("空").unwrap();
        });
        let e = read_sheet("t.xlsx", &empty, &SheetChoice::First).unwrap_err();
        assert_eq!(e.to_string(), "t.xlsx, sheet 空: empty sheet; expected a header row");
    }

    #[test]
    fn error_values_stop_the_text_at_their_row() {
        let bytes = workbook(|wb| {
            let ws = wb.add_worksheet().set_name("S").unwrap();
            ws.write_string(0, 0, "uscc").unwrap();
            ws.write_string(0, 1, "name").unwrap();
            ws.write_string(1, 0, "X").unwrap();
            ws.write_formula(3, 1, rust_xlsxwriter::Formula::new("=NA()").set_result("#N/A"))
                .unwrap();
            ws.write_string(4, 0, "Y").unwrap();
        });
        let s = read_sheet("t.xlsx", &bytes, &SheetChoice::First).unwrap();
        assert_eq!(text(&s), "uscc,name\nX,\n");
        assert_eq!(
            s.error.unwrap().to_string(),
            "t.xlsx, sheet S, row 4, column name: the cell B4 holds the error value #N/A, not a value; \
             correct it in the workbook"
        );
    }

    #[test]
    fn paths_name_sheets() {
        let d = tempfile::tempdir().unwrap();
        let book = d.path().join("e.XLSX");
        std::fs::write(&book, b"").unwrap();
        assert_eq!(locate(&book), (book.clone(), Some(SheetChoice::First)));
        let named = d.path().join("e.XLSX#企业名录");
        assert_eq!(
            locate(&named),
            (book.clone(), Some(SheetChoice::Named("企业名录".into())))
        );
        // A file of that whole name is that file.
        std::fs::write(&named, b"").unwrap();
        assert_eq!(locate(&named), (named.clone(), None));
        let csv = d.path().join("e.csv");
        assert_eq!(locate(&csv), (csv.clone(), None));
        let odd = d.path().join("a.xlsx#b");
        std::fs::create_dir(&odd).unwrap();
        let inner = odd.join("c.csv");
        assert_eq!(locate(&inner), (inner.clone(), None));
        assert_eq!(
            locate(Path::new("x.xlsx#a#b")).1,
            Some(SheetChoice::Named("a#b".into()))
        );
        assert_eq!(
            [0, 25, 26, 27, 51, 52, 701, 702].map(column_letters),
            ["A", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"]
        );
    }
}
