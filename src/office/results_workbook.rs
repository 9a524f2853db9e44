//! The export of a bundle's results (SPEC.md §11.8): the publicity file
//! as a workbook (one sheet, 抽查结果, the columns of `publicity.csv`),
//! beside the CSV files that `results::export` makes. Cells keep their
//! types, as in [`crate::office::workbook`]: codes and task ids are text,
//! inspection dates real Excel dates; the same results give the same
//! bytes.

use crate::bundle::manifest::tool_version;
use crate::office::OfficeError;
use crate::office::workbook::{Cell, ExportError, Formats, Sheet, check_rows, header, new_book};
use crate::results::export::{Export, PUBLICITY_HEADER, PUBLICITY_XLSX, PublicityRow};
use crate::results::record::Opened;
use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::ExcelDateTime;
use std::collections::BTreeMap;
use std::path::Path;

/// The workbook's one sheet.
pub const SHEET_RESULTS: &str = "抽查结果";

fn excel_date(d: NaiveDate) -> Result<ExcelDateTime, ExportError> {
    let year = u16::try_from(d.year()).unwrap_or(0);
    // Month and day are below 32.
    Ok(ExcelDateTime::from_ymd(year, d.month() as u8, d.day() as u8)?)
}

/// The publicity rows as the bytes of an .xlsx file; `title` and
/// `department` go into the document's properties.
pub fn publicity_workbook(title: &str, department: &str, rows: &[PublicityRow]) -> Result<Vec<u8>, ExportError> {
    check_rows(SHEET_RESULTS, rows.len())?;
    let fmt = Formats::new();
    let mut book = new_book(title, department, &tool_version())?;
    let mut s = Sheet::new(SHEET_RESULTS, &header(&PUBLICITY_HEADER), &fmt)?;
    for r in rows {
        let on = excel_date(r.inspected_on)?;
        s.row(&[
            Cell::Code(&r.uscc),
            Cell::Text(&r.name),
            Cell::Code(&r.task_id),
            Cell::Text(&r.task_name),
            Cell::Text(&r.result),
            Cell::Date(&on),
            Cell::Text(&r.department),
            if r.measures.is_empty() {
                Cell::Empty
            } else {
                Cell::Text(&r.measures)
            },
        ])?;
    }
    book.push_worksheet(s.finish(true)?);
    Ok(book.save_to_buffer()?)
}

/// The export of the bundle in `dir`: its results log read and checked,
/// every file by name (the CSV files and the workbook), and what they
/// hold.
pub fn results_export_in(dir: &Path) -> Result<(BTreeMap<String, Vec<u8>>, Export), OfficeError> {
    let opened = Opened::open(dir)?;
    let export = Export::of(&opened.state()?)?;
    let mut files = export.csv_files();
    let title = format!("{} {} 抽查结果", export.id, export.name);
    files.insert(
        PUBLICITY_XLSX.to_string(),
        publicity_workbook(&title, &export.department, &export.publicity)?,
    );
    Ok((files, export))
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
    use std::io::Cursor;

    fn row(uscc: &str, measures: &str) -> PublicityRow {
        PublicityRow {
            uscc: uscc.into(),
            name: "凯里市某某有限公司".into(),
            task_id: "20250301".into(),
            task_name: "抽查".into(),
            result: "未发现问题".into(),
            inspected_on: NaiveDate::from_ymd_opt(2025, 3, 1).unwrap(),
            department: "黔东南州市场监督管理局".into(),
            measures: measures.into(),
        }
    }

    #[test]
    fn one_sheet_with_typed_cells_and_the_same_bytes_each_time() {
        let rows = [row("915226016175322770", "无须后续处置"), row("91522601MA6DKXU58N", "")];
        let bytes = publicity_workbook("T 抽查结果", "黔东南州市场监督管理局", &rows).unwrap();
        assert_eq!(
            bytes,
            publicity_workbook("T 抽查结果", "黔东南州市场监督管理局", &rows).unwrap()
        );
        let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
        assert_eq!(book.sheet_names(), [SHEET_RESULTS]);
        let range = book.worksheet_range(SHEET_RESULTS).unwrap();
        let header: Vec<String> = range.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
        assert_eq!(header, PUBLICITY_HEADER);
        let first = range.rows().nth(1).unwrap();
        assert_eq!(
            first[0],
            Data::String("915226016175322770".into()),
            "an all-digit code stays text"
        );
        assert_eq!(first[2], Data::String("20250301".into()), "a task id stays text");
        assert!(
            matches!(&first[5], Data::DateTime(d) if d.as_f64() == 45717.0),
            "2025-03-01"
        );
        assert_eq!(first[7], Data::String("无须后续处置".into()));
        assert_eq!(
            range.rows().nth(2).unwrap().get(7).cloned().unwrap_or(Data::Empty),
            Data::Empty
        );
    }
}
