//! Inputs kept in Excel workbooks (SPEC.md §1.6): the same firms and
//! inspectors in a workbook draw what they draw from CSV, errors name the
//! sheet, the row as Excel numbers it and the column, `FILE.xlsx#SHEET`
//! picks a sheet, and numbers and dates in cells read as their text.

use crate::util::*;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// How a test writes one cell: `(sheet, row, column, header name, text)`,
/// true when it wrote the cell itself (else the text is written as text).
type Cell<'a> = &'a mut dyn FnMut(&mut Worksheet, u32, u16, &str, &str) -> bool;

/// Writes the records of CSV text `csv` into `ws` from row `first_row`
/// (0-based) on, header first, every cell as text unless `cell` writes it.
fn write_csv_rows(ws: &mut Worksheet, csv: &[u8], first_row: u32, cell: Cell) {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(csv);
    let mut header: Vec<String> = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.expect("CSV record");
        if i == 0 {
            header = record.iter().map(String::from).collect();
        }
        let row = first_row + i as u32;
        for (j, value) in record.iter().enumerate() {
            let name = if i == 0 { "" } else { header[j].as_str() };
            if !cell(ws, row, j as u16, name, value) && !value.is_empty() {
                ws.write_string(row, j as u16, value).expect("write cell");
            }
        }
    }
}

/// Writes a date cell (shown as a date in Excel) for `text` (`YYYY-MM-DD`).
fn write_date(ws: &mut Worksheet, row: u32, col: u16, text: &str) {
    let date = ExcelDateTime::parse_from_str(text).expect("a date");
    let format = Format::new().set_num_format("yyyy/m/d");
    ws.write_datetime_with_format(row, col, &date, &format)
        .expect("write date");
}

/// A workbook of one sheet `name` holding the CSV file `csv`, as `path`.
fn workbook_of(csv: &Path, path: &Path, name: &str, cell: Cell) -> PathBuf {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name(name).expect("sheet name");
    write_csv_rows(ws, &std::fs::read(csv).expect("read CSV"), 0, cell);
    wb.save(path).expect("save workbook");
    path.to_path_buf()
}

/// Every cell as text.
fn as_text(_: &mut Worksheet, _: u32, _: u16, _: &str, _: &str) -> bool {
    false
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn manifest_json(bundle: &Path) -> Value {
    serde_json::from_slice(&read(&bundle.join("manifest.json"))).expect("manifest JSON")
}

/// The demo draw (committed data and plan) with the enterprise directory
/// and the inspector directory as workbooks (the inspectors' certificate
/// dates as Excel date cells) draws exactly what the CSV files draw; the
/// manifest records each workbook's own hash, its rows and `xlsx`, and
/// differs in nothing else; and the bundle verifies.
#[test]
fn a_draw_from_workbooks_is_the_draw_from_csv() {
    let tmp = tempfile::tempdir().unwrap();
    let data = repo().join("data");
    let firms = workbook_of(
        &data.join("enterprises.csv"),
        &tmp.path().join("enterprises.xlsx"),
        "企业名录",
        &mut as_text,
    );
    let inspectors = workbook_of(
        &data.join("inspectors.csv"),
        &tmp.path().join("inspectors.xlsx"),
        "执法人员",
        &mut |ws, row, col, name, text| {
            if name == "cert_expires" {
                write_date(ws, row, col, text);
                return true;
            }
            false
        },
    );
    let plan = repo().join("plans/demo.toml");
    let from_csv = tmp.path().join("csv");
    draw(&plan, "20250301", &from_csv, &[]).ok();
    let from_xlsx = tmp.path().join("xlsx");
    let firms_flag = firms.display().to_string();
    let inspectors_flag = inspectors.display().to_string();
    draw(
        &plan,
        "20250301",
        &from_xlsx,
        &["--enterprises", &firms_flag, "--inspectors", &inspectors_flag],
    )
    .ok();
    for name in ["targets.csv", "assignments.csv"] {
        assert!(
            read(&from_csv.join(name)) == read(&from_xlsx.join(name)),
            "{name} differs between the CSV and the workbook draw"
        );
    }
    let (mut a, mut b) = (manifest_json(&from_csv), manifest_json(&from_xlsx));
    for (role, file) in [("enterprises", &firms), ("inspectors", &inspectors)] {
        let csv = a["inputs"][role].take();
        let xlsx = b["inputs"][role].take();
        assert_eq!(xlsx["encoding"], "xlsx", "{xlsx}");
        assert_eq!(xlsx["rows"], csv["rows"], "{role}");
        assert_eq!(xlsx["sha256"].as_str().unwrap(), sha256_hex(&read(file)), "{role}");
        assert!(xlsx["path"].as_str().unwrap().ends_with(".xlsx"), "{xlsx}");
    }
    a["files"].take();
    b["files"].take();
    assert_eq!(a, b, "the manifests differ in more than the workbook inputs");
    verify(&from_xlsx, &[]).ok().stdout_has(&["verified"]);
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// The first `rows` data rows of the committed directory, as CSV text.
fn directory_head(rows: usize) -> Vec<u8> {
    let text = String::from_utf8(read(&repo().join("data/enterprises.csv"))).unwrap();
    let mut out = String::new();
    for line in text.lines().take(rows + 1) {
        out.push_str(line);
        out.push('\n');
    }
    out.into_bytes()
}

/// A plan for the directory `enterprises` (as written in the plan).
fn targets_plan(dir: &Path, enterprises: &str) -> PathBuf {
    let frame = format!("enterprises = {enterprises:?}");
    write_plan(dir, "plan.toml", &plan_text(&frame, CLASS_TARGETS))
}

/// A credit code that fails its check character, in Excel row 5,000 of
/// the sheet: the error names the sheet, row 5000 and the column, with a
/// cell above it holding line breaks, and with the sheet's rows starting
/// lower down (read in pieces on several threads until the error).
#[test]
fn a_bad_code_in_row_5000_is_named_by_sheet_row_and_column() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = write_file(tmp.path(), "e.csv", directory_head(6000));
    for (name, first_row, line_break) in [("breaks.xlsx", 0, true), ("lower.xlsx", 2, false)] {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet().set_name("企业名录").unwrap();
        write_csv_rows(ws, &read(&csv), first_row, &mut |ws, row, col, header, text| {
            // Excel rows are 1-based: 0-based row 4999 is row 5000.
            if row == 4999 && header == "uscc" {
                let mut bad = text.to_string();
                bad.replace_range(17.., if text.ends_with('0') { "1" } else { "0" });
                ws.write_string(row, col, &bad).unwrap();
                return true;
            }
            if line_break && row == 9 && header == "address" {
                ws.write_string(row, col, format!("{text}\n（二楼）\r\n后门")).unwrap();
                return true;
            }
            false
        });
        let path = tmp.path().join(name);
        wb.save(&path).unwrap();
        let plan = targets_plan(tmp.path(), name);
        draw(&plan, "1", &tmp.path().join(format!("out-{name}")), &[])
            .error(&[&format!("{name}, sheet 企业名录, row 5000, column uscc: credit code")]);
        assert_no_output(&tmp.path().join(format!("out-{name}")));
    }
    // The same directory drawn from CSV, as a check of the test: line 5000.
    let plan = targets_plan(tmp.path(), "e.csv");
    draw(&plan, "1", &tmp.path().join("out-csv"), &[]).ok();
}

/// `FILE.xlsx#SHEET` reads that sheet, in a plan and on the command line
/// (and verify finds it again); `FILE.xlsx` reads the first sheet; a
/// sheet that is not there is an error listing those that are; a cell
/// holding an error value is an error naming its cell.
#[test]
fn sheets_are_chosen_by_name() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = write_file(tmp.path(), "e.csv", directory_head(300));
    let mut wb = Workbook::new();
    let notes = wb.add_worksheet().set_name("说明").unwrap();
    notes.write_string(0, 0, "本表为企业名录导出").unwrap();
    let ws = wb.add_worksheet().set_name("企业名录").unwrap();
    write_csv_rows(ws, &read(&csv), 0, &mut as_text);
    let broken = wb.add_worksheet().set_name("有误").unwrap();
    write_csv_rows(broken, &read(&csv), 0, &mut |ws, row, col, header, _| {
        if row == 6 && header == "status" {
            let na = rust_xlsxwriter::Formula::new("=NA()").set_result("#N/A");
            ws.write_formula(row, col, na).unwrap();
            return true;
        }
        false
    });
    wb.save(tmp.path().join("e.xlsx")).unwrap();

    let from_csv = tmp.path().join("from-csv");
    draw(&targets_plan(tmp.path(), "e.csv"), "7", &from_csv, &[]).ok();
    let in_plan = tmp.path().join("in-plan");
    draw(&targets_plan(tmp.path(), "e.xlsx#企业名录"), "7", &in_plan, &[]).ok();
    assert!(read(&from_csv.join("targets.csv")) == read(&in_plan.join("targets.csv")));
    let record = &manifest_json(&in_plan)["inputs"]["enterprises"];
    assert!(
        record["path"].as_str().unwrap().ends_with("e.xlsx#企业名录"),
        "{record}"
    );
    verify(&in_plan, &[]).ok();

    let plan = targets_plan(tmp.path(), "e.csv");
    let flag = tmp.path().join("e.xlsx#企业名录").display().to_string();
    let on_line = tmp.path().join("on-line");
    draw(&plan, "7", &on_line, &["--enterprises", &flag]).ok();
    assert!(read(&from_csv.join("targets.csv")) == read(&on_line.join("targets.csv")));

    // The first sheet, 说明, is not a directory.
    draw(&targets_plan(tmp.path(), "e.xlsx"), "7", &tmp.path().join("first"), &[])
        .error(&["e.xlsx, sheet 说明, row 1: no column uscc in the header"]);
    draw(
        &targets_plan(tmp.path(), "e.xlsx#名录"),
        "7",
        &tmp.path().join("unknown"),
        &[],
    )
    .error(&["e.xlsx: no sheet named \"名录\"; the workbook's sheets are \"说明\", \"企业名录\", \"有误\""]);
    draw(
        &targets_plan(tmp.path(), "e.xlsx#有误"),
        "7",
        &tmp.path().join("na"),
        &[],
    )
    .error(&["e.xlsx, sheet 有误, row 7, column status: the cell F7 holds the error value #N/A"]);
}

/// Numbers and dates in cells: inspector ids and certificate numbers
/// written as numbers read as `1001`, not `1001.0`; certificate dates as
/// date cells read as dates (one expires inside the window, and that
/// inspector is never drawn); the assignments are those of the same
/// table in CSV.
#[test]
fn numbers_and_dates_read_as_their_text() {
    let tmp = tempfile::tempdir().unwrap();
    let (firms, _) = directory_csv(tmp.path(), "e.csv", 150, 11);
    let firms = firms.file_name().unwrap().to_str().unwrap().to_string();
    let mut csv = String::from("inspector_id,name,department,area,cert_no,cert_expires,specialties,status\n");
    for k in 0..8 {
        let expires = if k == 2 { "2025-06-30" } else { "2030-01-01" };
        csv.push_str(&format!(
            "{},执法人员{k},市场监管局,片区{},{},{expires},,在岗\n",
            1001 + k,
            k % 3,
            52_260_101_000u64 + k
        ));
    }
    write_file(tmp.path(), "i.csv", &csv);
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    write_csv_rows(ws, csv.as_bytes(), 0, &mut |ws, row, col, header, text| match header {
        "inspector_id" | "cert_no" => {
            ws.write_number(row, col, text.parse::<f64>().unwrap()).unwrap();
            true
        }
        "cert_expires" => {
            write_date(ws, row, col, text);
            true
        }
        _ => false,
    });
    wb.save(tmp.path().join("i.xlsx")).unwrap();

    let plan_for = |inspectors: &str| {
        let text = format!(
            "{}\n[inspectors]\ndirectory = {inspectors:?}\nteam = {{ \"市场监管局\" = 2 }}\ncross_area = false\n",
            plan_text(&format!("enterprises = {firms:?}"), CLASS_TARGETS)
        );
        write_plan(tmp.path(), &format!("plan-{inspectors}.toml"), &text)
    };
    let from_csv = tmp.path().join("from-csv");
    draw(&plan_for("i.csv"), "3", &from_csv, &[]).ok();
    let from_xlsx = tmp.path().join("from-xlsx");
    draw(&plan_for("i.xlsx"), "3", &from_xlsx, &[]).ok();
    let assignments = String::from_utf8(read(&from_xlsx.join("assignments.csv"))).unwrap();
    let ids: Vec<&str> = assignments
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(5).unwrap())
        .collect();
    assert!(!ids.is_empty(), "{assignments}");
    for id in ids {
        assert!(
            matches!(id, "1001" | "1002" | "1004" | "1005" | "1006" | "1007" | "1008"),
            "{id}"
        );
    }
    assert!(read(&from_csv.join("assignments.csv")) == assignments.as_bytes());
}
