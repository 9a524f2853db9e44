//! One Excel workbook (.xlsx) of a bundle, for regulators who work in
//! Excel or WPS: the task, the targets, the teams, each inspector's load
//! and the strata, on sheets with Chinese names.
//!
//! Cells keep their types: counts are numbers, task dates are real Excel
//! dates, and credit codes and tickets are text (an 18-character code or
//! a 70-digit ticket typed as a number would be rounded to 15 digits).
//! The workbook is an internal working file: it shows credit classes,
//! which a plan's `[publish]` table may keep off the web.
//!
//! The output is deterministic: the same bundle gives the same bytes (the
//! document's creation time is fixed, like the archive's timestamps).

use crate::bundle::manifest::MANIFEST_JSON;
use crate::bundle::manifest::Manifest;
use crate::bundle::view::{BundleView, FirmExtras, TargetRow};
use crate::seed::record::SeedRecord;
use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatAlign, IgnoreError, Workbook, Worksheet, XlsxError};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Sheet names, in workbook order.
pub const SHEET_TASK: &str = "任务信息";
/// The targets.
pub const SHEET_TARGETS: &str = "抽查对象";
/// The teams (only when the draw has teams).
pub const SHEET_TEAMS: &str = "检查组";
/// Assignments per inspector (only when the draw has teams).
pub const SHEET_LOAD: &str = "人员工作量";
/// The strata.
pub const SHEET_STRATA: &str = "分层汇总";

/// Header of [`SHEET_TASK`].
pub const TASK_HEADER: [&str; 2] = ["项目", "内容"];
/// Header of [`SHEET_TARGETS`], before the directory's extra columns.
pub const TARGETS_HEADER: [&str; 8] = [
    "层",
    "序号",
    "抽签号",
    "统一社会信用代码",
    "企业名称",
    "信用风险分类",
    "所属区县",
    "行业",
];
/// Header of [`SHEET_TEAMS`].
pub const TEAMS_HEADER: [&str; 7] = [
    "统一社会信用代码",
    "企业名称",
    "所属区县",
    "组内序号",
    "部门",
    "执法人员编号",
    "姓名",
];
/// Header of [`SHEET_LOAD`].
pub const LOAD_HEADER: [&str; 4] = ["执法人员编号", "姓名", "部门", "任务数"];
/// Header of [`SHEET_STRATA`].
pub const STRATA_HEADER: [&str; 5] = ["层", "企业数N", "抽取数k", "比例", "抽中概率"];
/// Label of the totals row of [`SHEET_STRATA`].
pub const TOTAL_LABEL: &str = "合计";

/// Data rows one worksheet holds (Excel's 1,048,576 rows less the header).
pub const MAX_DATA_ROWS: usize = 1_048_575;

/// Why a workbook could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// More rows than one worksheet holds.
    #[error("sheet {sheet}: {rows} rows do not fit in one worksheet (at most {max})", max = MAX_DATA_ROWS)]
    TooManyRows { sheet: &'static str, rows: usize },
    /// A task date of the manifest is not a calendar date.
    #[error("the task's {field} date {value:?} is not a date (YYYY-MM-DD between 1900 and 9999)")]
    BadDate { field: &'static str, value: String },
    /// The bundle's manifest file could not be read for its hash.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The xlsx writer refused something (a cell over 32,767 characters …).
    #[error("cannot write the workbook: {0}")]
    Xlsx(#[from] XlsxError),
}

/// A readable Chinese label for a directory column that spotcheck passes
/// through (`address` → 地址); other names are kept as they are.
pub fn extra_column_label(header: &str) -> &str {
    match header.to_ascii_lowercase().as_str() {
        "address" => "地址",
        "registered_on" => "成立日期",
        "phone" | "telephone" => "联系电话",
        "legal_representative" => "法定代表人",
        "supervising_area" => "监管片区",
        "status" => "登记状态",
        _ => header,
    }
}

/// Whether a directory column holds the firm's address.
pub fn is_address_column(header: &str) -> bool {
    let h = header.trim();
    h.eq_ignore_ascii_case("address")
        || ["地址", "住所", "经营场所", "住所（经营场所）", "企业地址", "注册地址"].contains(&h)
}

/// The workbook of a bundle, as the bytes of an .xlsx file; the caller
/// writes them (atomically). `extras` adds the directory's extra columns
/// (address …) to the targets sheet, as [`BundleView::firm_extras`] gives.
pub fn workbook(view: &BundleView, extras: &Option<FirmExtras>) -> Result<Vec<u8>, ExportError> {
    let m = &view.manifest;
    let start = task_date("start", &m.task.start)?;
    let end = task_date("end", &m.task.end)?;
    check_rows(SHEET_TARGETS, view.targets.len())?;
    check_rows(SHEET_TEAMS, view.assignments.len())?;
    let manifest_sha256 = manifest_sha256(&view.dir)?;
    let fmt = Formats::new();

    let mut book = new_book(&format!("{} {}", m.task.id, m.task.name), &m.task.department, &m.tool)?;
    book.push_worksheet(task_sheet(m, start, end, manifest_sha256.as_deref(), &fmt)?);
    book.push_worksheet(targets_sheet(view, extras, &fmt)?);
    if !view.assignments.is_empty() {
        book.push_worksheet(teams_sheet(view, &fmt)?);
        book.push_worksheet(load_sheet(view, &fmt)?);
    }
    book.push_worksheet(strata_sheet(m, &fmt)?);
    Ok(book.save_to_buffer()?)
}

/// A workbook with spotcheck's document properties: `title`, the
/// department as its company, the tool as its author, and a fixed
/// creation time so that the same bundle gives the same bytes.
pub(crate) fn new_book(title: &str, department: &str, tool: &str) -> Result<Workbook, ExportError> {
    let mut book = Workbook::new();
    let epoch = ExcelDateTime::from_ymd(1980, 1, 1)?;
    book.set_properties(
        &DocProperties::new()
            .set_title(title)
            .set_subject("双随机、一公开 抽查结果")
            .set_company(department)
            .set_author(tool)
            .set_comment("由 spotcheck 根据抽取结果包生成；以结果包中的 manifest.json 与 CSV 文件为准")
            .set_creation_datetime(&epoch),
    );
    Ok(book)
}

pub(crate) fn check_rows(sheet: &'static str, rows: usize) -> Result<(), ExportError> {
    if rows > MAX_DATA_ROWS {
        return Err(ExportError::TooManyRows { sheet, rows });
    }
    Ok(())
}

pub(crate) fn task_date(field: &'static str, value: &str) -> Result<ExcelDateTime, ExportError> {
    let bad = || ExportError::BadDate {
        field,
        value: value.to_string(),
    };
    let d = NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| bad())?;
    let (Ok(y), Ok(mo), Ok(day)) = (u16::try_from(d.year()), u8::try_from(d.month()), u8::try_from(d.day())) else {
        return Err(bad());
    };
    ExcelDateTime::from_ymd(y, mo, day).map_err(|_| bad())
}

/// SHA-256 of the bundle's manifest.json as it is on disk; `None` when
/// the bundle directory has none (a view built in memory).
pub(crate) fn manifest_sha256(dir: &Path) -> Result<Option<String>, ExportError> {
    let path = dir.join(MANIFEST_JSON);
    match std::fs::read(&path) {
        Ok(bytes) => Ok(Some(hex::encode(Sha256::digest(&bytes)))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(ExportError::Io { path, source }),
    }
}

pub(crate) struct Formats {
    header: Format,
    text: Format,
    /// Text that looks like a number: kept as text when edited, too.
    code: Format,
    date: Format,
    integer: Format,
    percent: Format,
    bold: Format,
    bold_integer: Format,
    bold_percent: Format,
}

impl Formats {
    pub(crate) fn new() -> Formats {
        Formats {
            header: Format::new().set_bold().set_align(FormatAlign::Center),
            text: Format::new(),
            code: Format::new().set_num_format("@"),
            date: Format::new().set_num_format("yyyy-mm-dd").set_align(FormatAlign::Left),
            integer: Format::new().set_num_format("0"),
            percent: Format::new().set_num_format("0.00%"),
            bold: Format::new().set_bold(),
            bold_integer: Format::new().set_bold().set_num_format("0"),
            bold_percent: Format::new().set_bold().set_num_format("0.00%"),
        }
    }
}

/// One cell value with its type.
pub(crate) enum Cell<'a> {
    Text(&'a str),
    /// Text that must stay text: credit codes, tickets, ids, seeds.
    Code(&'a str),
    Number(u64),
    Date(&'a ExcelDateTime),
    Percent(f64),
    Empty,
}

/// Column widths are kept in Excel's units (about one Latin character;
/// a Chinese character takes two).
const MIN_WIDTH: f64 = 6.0;
const MAX_WIDTH: f64 = 48.0;

fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| {
            let u = c as u32;
            let wide = matches!(u,
                0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
                | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60
                | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD);
            if wide { 2 } else { 1 }
        })
        .sum()
}

/// A worksheet being filled row by row, tracking column widths.
pub(crate) struct Sheet<'f> {
    ws: Worksheet,
    fmt: &'f Formats,
    widths: Vec<usize>,
    row: u32,
    columns: u16,
    /// Columns whose numeric-looking text Excel should not flag.
    code_columns: Vec<u16>,
}

impl<'f> Sheet<'f> {
    pub(crate) fn new(name: &str, header: &[String], fmt: &'f Formats) -> Result<Sheet<'f>, ExportError> {
        let mut ws = Worksheet::new();
        ws.set_name(name)?;
        let columns = u16::try_from(header.len()).map_err(|_| XlsxError::RowColumnLimitError)?;
        let mut widths = Vec::with_capacity(header.len());
        for (c, h) in (0u16..).zip(header) {
            ws.write_string_with_format(0, c, h, &fmt.header)?;
            widths.push(display_width(h));
        }
        Ok(Sheet {
            ws,
            fmt,
            widths,
            row: 1,
            columns,
            code_columns: Vec::new(),
        })
    }

    pub(crate) fn row(&mut self, cells: &[Cell<'_>]) -> Result<(), ExportError> {
        self.row_with(cells, false)
    }

    pub(crate) fn row_with(&mut self, cells: &[Cell<'_>], bold: bool) -> Result<(), ExportError> {
        let (r, f) = (self.row, self.fmt);
        for (c, cell) in (0u16..).zip(cells) {
            let width = match cell {
                Cell::Text(s) => {
                    self.ws
                        .write_string_with_format(r, c, *s, if bold { &f.bold } else { &f.text })?;
                    display_width(s)
                }
                Cell::Code(s) => {
                    self.ws.write_string_with_format(r, c, *s, &f.code)?;
                    if !self.code_columns.contains(&c) {
                        self.code_columns.push(c);
                    }
                    display_width(s)
                }
                Cell::Number(n) => {
                    // Counts stay far below 2^53, where f64 is exact.
                    self.ws.write_number_with_format(
                        r,
                        c,
                        *n as f64,
                        if bold { &f.bold_integer } else { &f.integer },
                    )?;
                    n.to_string().len()
                }
                Cell::Date(d) => {
                    self.ws.write_datetime_with_format(r, c, *d, &f.date)?;
                    10
                }
                Cell::Percent(p) => {
                    self.ws
                        .write_number_with_format(r, c, *p, if bold { &f.bold_percent } else { &f.percent })?;
                    8
                }
                Cell::Empty => 0,
            };
            if let Some(w) = self.widths.get_mut(usize::from(c)) {
                *w = (*w).max(width);
            } else {
                self.widths.push(width);
            }
        }
        self.row += 1;
        Ok(())
    }

    /// Sets widths, freezes the header and, for lists, adds a filter.
    pub(crate) fn finish(mut self, filter: bool) -> Result<Worksheet, ExportError> {
        for (c, w) in (0u16..).zip(&self.widths) {
            let width = (*w as f64 + 2.0).clamp(MIN_WIDTH, MAX_WIDTH);
            self.ws.set_column_width(c, width)?;
        }
        self.ws.set_freeze_panes(1, 0)?;
        let last = self.row - 1;
        if filter && self.columns > 0 {
            self.ws.autofilter(0, 0, last, self.columns - 1)?;
        }
        if last >= 1 {
            for &c in &self.code_columns {
                self.ws
                    .ignore_error_range(1, c, last, c, IgnoreError::NumberStoredAsText)?;
            }
        }
        Ok(self.ws)
    }
}

pub(crate) fn header(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn seed_source_label(seed: &SeedRecord) -> String {
    match seed.source.as_str() {
        "operator" => "操作员输入（试抽，不宜用于正式公开抽取）".to_string(),
        "ceremony" => "公开承诺＋事后公开随机数（正式抽取）".to_string(),
        other => other.to_string(),
    }
}

fn task_sheet(
    m: &Manifest,
    start: ExcelDateTime,
    end: ExcelDateTime,
    manifest_sha256: Option<&str>,
    fmt: &Formats,
) -> Result<Worksheet, ExportError> {
    let mut s = Sheet::new(SHEET_TASK, &header(&TASK_HEADER), fmt)?;
    let t = &m.task;
    let items = t.items.join("、");
    s.row(&[Cell::Text("任务编号"), Cell::Code(&t.id)])?;
    s.row(&[Cell::Text("任务名称"), Cell::Text(&t.name)])?;
    s.row(&[Cell::Text("实施部门"), Cell::Text(&t.department)])?;
    s.row(&[Cell::Text("抽查事项"), Cell::Text(&items)])?;
    s.row(&[Cell::Text("检查开始日期"), Cell::Date(&start)])?;
    s.row(&[Cell::Text("检查结束日期"), Cell::Date(&end)])?;
    seed_rows(&mut s, &m.seed)?;
    s.row(&[Cell::Text("名录企业数"), Cell::Number(m.totals.directory_rows)])?;
    s.row(&[Cell::Text("排除企业数"), Cell::Number(m.excluded.total)])?;
    s.row(&[Cell::Text("符合条件企业数"), Cell::Number(m.totals.eligible)])?;
    s.row(&[Cell::Text("分层数"), Cell::Number(m.totals.strata)])?;
    s.row(&[Cell::Text("抽中企业数"), Cell::Number(m.totals.targets)])?;
    if let Some(teams) = &m.teams {
        s.row(&[Cell::Text("每组执法人员数"), Cell::Number(u64::from(teams.team_size))])?;
        s.row(&[Cell::Text("派员人次"), Cell::Number(teams.assignments)])?;
        s.row(&[Cell::Text("参与执法人员数"), Cell::Number(teams.inspectors_used)])?;
    }
    s.row(&[Cell::Text("名录默克尔根"), Cell::Code(&m.frame.merkle_root)])?;
    provenance_rows(&mut s, &m.spec_version, &m.tool, manifest_sha256, &m.outputs)?;
    s.finish(false)
}

/// The seed's rows of a label/value sheet: value, source, note and the
/// ceremony's evidence.
pub(crate) fn seed_rows(s: &mut Sheet<'_>, seed: &SeedRecord) -> Result<(), ExportError> {
    s.row(&[Cell::Text("随机种子"), Cell::Code(&seed.value)])?;
    let source = seed_source_label(seed);
    s.row(&[Cell::Text("种子来源"), Cell::Text(&source)])?;
    s.row(&[Cell::Text("种子说明"), Cell::Text(&seed.note)])?;
    if let Some(c) = &seed.ceremony {
        s.row(&[Cell::Text("承诺文件 SHA-256"), Cell::Code(&c.commitment_sha256)])?;
        s.row(&[Cell::Text("承诺时间"), Cell::Code(&c.committed_at)])?;
        if let Some(round) = c.beacon_round {
            s.row(&[Cell::Text("drand 轮次"), Cell::Number(round)])?;
        }
        if let Some(r) = &c.beacon_randomness {
            s.row(&[Cell::Text("drand 随机数"), Cell::Code(r)])?;
        }
        if let Some(d) = &c.dice {
            s.row(&[Cell::Text("现场摇号数字"), Cell::Code(d)])?;
        }
    }
    Ok(())
}

/// The rows that say where the workbook came from: the versions, the
/// manifest's hash and every file's.
pub(crate) fn provenance_rows(
    s: &mut Sheet<'_>,
    spec_version: &str,
    tool: &str,
    manifest_sha256: Option<&str>,
    outputs: &BTreeMap<String, String>,
) -> Result<(), ExportError> {
    s.row(&[Cell::Text("抽取规范版本"), Cell::Code(spec_version)])?;
    s.row(&[Cell::Text("工具版本"), Cell::Code(tool)])?;
    if let Some(h) = manifest_sha256 {
        s.row(&[Cell::Text("manifest.json SHA-256"), Cell::Code(h)])?;
    }
    for (file, h) in outputs {
        let label = format!("{file} SHA-256");
        s.row(&[Cell::Text(&label), Cell::Code(h)])?;
    }
    Ok(())
}

fn targets_sheet(view: &BundleView, extras: &Option<FirmExtras>, fmt: &Formats) -> Result<Worksheet, ExportError> {
    let mut names = header(&TARGETS_HEADER);
    names.extend(extra_names(extras));
    let mut s = Sheet::new(SHEET_TARGETS, &names, fmt)?;
    let mut cells = Vec::with_capacity(names.len());
    for t in &view.targets {
        cells.clear();
        target_cells(&mut cells, t);
        extra_cells(&mut cells, extras, &t.uscc);
        s.row(&cells)?;
    }
    s.finish(true)
}

/// The cells of one row of `targets.csv`, under [`TARGETS_HEADER`].
pub(crate) fn target_cells<'a>(cells: &mut Vec<Cell<'a>>, t: &'a TargetRow) {
    cells.extend([
        Cell::Text(&t.stratum),
        Cell::Number(t.rank),
        Cell::Code(&t.ticket),
        Cell::Code(&t.uscc),
        Cell::Text(&t.name),
        Cell::Text(&t.credit_class),
        Cell::Text(&t.county),
        Cell::Text(&t.industry),
    ]);
}

/// The headers of the directory's extra columns, in Chinese where known.
pub(crate) fn extra_names(extras: &Option<FirmExtras>) -> Vec<String> {
    let headers: &[String] = extras.as_ref().map(|x| x.headers.as_slice()).unwrap_or(&[]);
    headers.iter().map(|h| extra_column_label(h).to_string()).collect()
}

/// One firm's extra columns, under [`extra_names`].
pub(crate) fn extra_cells<'a>(cells: &mut Vec<Cell<'a>>, extras: &'a Option<FirmExtras>, uscc: &str) {
    if let Some(x) = extras {
        let values = x.values.get(uscc);
        for i in 0..x.headers.len() {
            cells.push(match values.and_then(|v| v.get(i)) {
                Some(v) if !v.is_empty() => Cell::Text(v),
                _ => Cell::Empty,
            });
        }
    }
}

fn teams_sheet(view: &BundleView, fmt: &Formats) -> Result<Worksheet, ExportError> {
    let mut s = Sheet::new(SHEET_TEAMS, &header(&TEAMS_HEADER), fmt)?;
    for a in &view.assignments {
        s.row(&[
            Cell::Code(&a.uscc),
            Cell::Text(&a.name),
            Cell::Text(&a.county),
            Cell::Number(u64::from(a.slot)),
            Cell::Text(&a.department),
            Cell::Code(&a.inspector_id),
            Cell::Text(&a.inspector_name),
        ])?;
    }
    s.finish(true)
}

fn load_sheet(view: &BundleView, fmt: &Formats) -> Result<Worksheet, ExportError> {
    // id → (name, department, assignments), in id order.
    let mut load: BTreeMap<&str, (&str, &str, u64)> = BTreeMap::new();
    for a in &view.assignments {
        load.entry(&a.inspector_id)
            .or_insert((&a.inspector_name, &a.department, 0))
            .2 += 1;
    }
    let mut s = Sheet::new(SHEET_LOAD, &header(&LOAD_HEADER), fmt)?;
    for (id, (name, department, n)) in load {
        s.row(&[
            Cell::Code(id),
            Cell::Text(name),
            Cell::Text(department),
            Cell::Number(n),
        ])?;
    }
    s.finish(true)
}

pub(crate) fn share(k: u64, n: u64) -> Cell<'static> {
    if n == 0 {
        Cell::Empty
    } else {
        Cell::Percent(k as f64 / n as f64)
    }
}

fn strata_sheet(m: &Manifest, fmt: &Formats) -> Result<Worksheet, ExportError> {
    let mut s = Sheet::new(SHEET_STRATA, &header(&STRATA_HEADER), fmt)?;
    let (mut n_all, mut k_all) = (0u64, 0u64);
    for st in &m.strata {
        s.row(&[
            Cell::Text(&st.label),
            Cell::Number(st.n),
            Cell::Number(st.k),
            Cell::Text(&st.ratio),
            share(st.k, st.n),
        ])?;
        n_all += st.n;
        k_all += st.k;
    }
    s.row_with(
        &[
            Cell::Text(TOTAL_LABEL),
            Cell::Number(n_all),
            Cell::Number(k_all),
            Cell::Empty,
            share(k_all, n_all),
        ],
        true,
    )?;
    s.finish(false)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::bundle::run::{SeedSource, draw};
    use crate::inputs::plan::Overrides;
    use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
    use std::io::Cursor;
    use std::path::Path;

    /// A plan over a small demo data set in `dir`, with or without teams.
    fn write_inputs(dir: &Path, teams: bool) {
        let data = spotcheck_demo::generate(&spotcheck_demo::DemoConfig {
            enterprises: 3_000,
            inspectors: 160,
            conflicts: 10,
            history: 300,
            seed: 7,
        });
        data.write_to_dir(&dir.join("data")).unwrap();
        let mut plan = String::from(
            "[task]\nid = \"QDN-2025-T01\"\nname = \"2025年度企业公示信息双随机抽查（测试）\"\n\
             department = \"黔东南州市场监督管理局\"\nstart = 2025-03-01\nend = 2025-11-30\n\
             items = [\"企业公示信息\", \"登记事项\"]\n\n\
             [frame]\nenterprises = \"data/enterprises.csv\"\nhistory = \"data/history.csv\"\n\n\
             [targets]\nstratify_by = [\"credit_class\"]\n\
             ratio = { A = \"1%\", B = \"3%\", C = \"10%\", D = \"30%\" }\nmin = { D = 20 }\n\
             exclude_inspected_within_days = 365\n",
        );
        if teams {
            plan.push_str(
                "\n[inspectors]\ndirectory = \"data/inspectors.csv\"\nconflicts = \"data/conflicts.csv\"\n\
                 team = { \"市场监管局\" = 2 }\nmax_assignments = 25\ncross_area = true\n\
                 avoid_last_inspectors = true\n",
            );
        }
        std::fs::write(dir.join("plan.toml"), plan).unwrap();
    }

    /// Draws a small demo bundle under `dir` (at `dir/bundle`) and opens it.
    pub(crate) fn demo_bundle(dir: &Path, teams: bool) -> BundleView {
        write_inputs(dir, teams);
        let out = dir.join("bundle");
        let source = SeedSource::Operator {
            plan: dir.join("plan.toml"),
            seed: "export-test".into(),
        };
        draw(&source, &Overrides::default(), &out).unwrap();
        BundleView::open(&out).unwrap()
    }

    fn read(bytes: &[u8]) -> Xlsx<Cursor<Vec<u8>>> {
        open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap()
    }

    fn header_row(range: &calamine::Range<Data>) -> Vec<String> {
        range.rows().next().unwrap().iter().map(|c| c.to_string()).collect()
    }

    fn csv_rows(path: &Path) -> Vec<csv::StringRecord> {
        csv::Reader::from_path(path)
            .unwrap()
            .records()
            .map(|r| r.unwrap())
            .collect()
    }

    fn task_value<'r>(range: &'r calamine::Range<Data>, label: &str) -> &'r Data {
        range
            .rows()
            .find(|r| r[0] == Data::String(label.into()))
            .map(|r| &r[1])
            .unwrap_or_else(|| panic!("no row {label}"))
    }

    #[test]
    fn workbook_with_teams_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let view = demo_bundle(dir.path(), true);
        let extras = view.firm_extras();
        assert!(extras.is_some());
        let bytes = workbook(&view, &extras).unwrap();
        // Deterministic: the same bundle gives the same bytes.
        assert_eq!(bytes, workbook(&view, &extras).unwrap());

        let mut book = read(&bytes);
        assert_eq!(
            book.sheet_names(),
            vec![SHEET_TASK, SHEET_TARGETS, SHEET_TEAMS, SHEET_LOAD, SHEET_STRATA]
        );
        let m = &view.manifest;

        // Targets: one row per target, codes and tickets as the CSV has them.
        let targets = book.worksheet_range(SHEET_TARGETS).unwrap();
        let head = header_row(&targets);
        assert_eq!(&head[..8], &TARGETS_HEADER.map(String::from)[..]);
        assert!(head.contains(&"地址".to_string()), "{head:?}");
        assert_eq!(targets.height() - 1, m.totals.targets as usize);
        assert_eq!(targets.height() - 1, view.targets.len());
        let csv = csv_rows(&view.dir.join("targets.csv"));
        assert_eq!(csv.len(), view.targets.len());
        for (row, rec) in targets.rows().skip(1).zip(&csv) {
            assert_eq!(row[0], Data::String(rec[0].to_string()));
            assert_eq!(row[1], Data::Float(rec[1].parse().unwrap()), "rank is a number");
            assert_eq!(
                row[2],
                Data::String(rec[2].to_string()),
                "ticket is text, all digits kept"
            );
            assert_eq!(row[3], Data::String(rec[3].to_string()), "code is text");
            assert_eq!(row[4], Data::String(rec[4].to_string()));
        }
        let first = targets.rows().nth(1).unwrap();
        assert!(matches!(&first[2], Data::String(s) if s.len() > 60));
        let addr_col = head.iter().position(|h| h == "地址").unwrap();
        let x = extras.as_ref().unwrap();
        let addr_idx = x.headers.iter().position(|h| h == "address").unwrap();
        assert_eq!(
            first[addr_col],
            Data::String(x.values[&view.targets[0].uscc][addr_idx].clone())
        );

        // Teams: one row per assignment.
        let teams = book.worksheet_range(SHEET_TEAMS).unwrap();
        assert_eq!(header_row(&teams), TEAMS_HEADER.map(String::from).to_vec());
        let teams_summary = m.teams.as_ref().unwrap();
        assert_eq!(teams.height() - 1, teams_summary.assignments as usize);
        let a = &view.assignments[0];
        let r1 = teams.rows().nth(1).unwrap();
        assert_eq!(r1[0], Data::String(a.uscc.clone()));
        assert_eq!(r1[3], Data::Float(f64::from(a.slot)));
        assert_eq!(r1[5], Data::String(a.inspector_id.clone()));

        // Load: one row per inspector, in id order, counts as numbers.
        let load = book.worksheet_range(SHEET_LOAD).unwrap();
        assert_eq!(header_row(&load), LOAD_HEADER.map(String::from).to_vec());
        assert_eq!(load.height() - 1, teams_summary.inspectors_used as usize);
        let ids: Vec<String> = load.rows().skip(1).map(|r| r[0].to_string()).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted);
        let mut total = 0.0;
        for r in load.rows().skip(1) {
            let Data::Float(n) = r[3] else {
                panic!("count is not a number: {:?}", r[3])
            };
            assert_eq!(n, view.of_inspector(&r[0].to_string()).len() as f64);
            total += n;
        }
        assert_eq!(total, teams_summary.assignments as f64);

        // Strata: one row per stratum and a totals row.
        let strata = book.worksheet_range(SHEET_STRATA).unwrap();
        assert_eq!(header_row(&strata), STRATA_HEADER.map(String::from).to_vec());
        assert_eq!(strata.height() - 1, m.strata.len() + 1);
        for (r, st) in strata.rows().skip(1).zip(&m.strata) {
            assert_eq!(r[0], Data::String(st.label.clone()));
            assert_eq!(r[1], Data::Float(st.n as f64));
            assert_eq!(r[2], Data::Float(st.k as f64));
            assert_eq!(r[3], Data::String(st.ratio.clone()));
            let Data::Float(p) = r[4] else {
                panic!("probability is not a number")
            };
            let stated: f64 = st.probability.parse().unwrap();
            assert!((p - stated).abs() < 1e-6, "{p} vs {stated}");
        }
        let last = strata.rows().next_back().unwrap();
        assert_eq!(last[0], Data::String(TOTAL_LABEL.into()));
        assert_eq!(last[2], Data::Float(m.totals.targets as f64));

        // Task: dates are dates, counts numbers, hashes text.
        let task = book.worksheet_range(SHEET_TASK).unwrap();
        assert_eq!(header_row(&task), TASK_HEADER.map(String::from).to_vec());
        assert_eq!(task_value(&task, "任务编号"), &Data::String(m.task.id.clone()));
        let Data::DateTime(start) = task_value(&task, "检查开始日期") else {
            panic!("start is not a date")
        };
        assert!(start.is_datetime());
        assert_eq!(start.as_f64(), 45717.0, "2025-03-01 as an Excel serial date");
        let Data::DateTime(end) = task_value(&task, "检查结束日期") else {
            panic!("end is not a date")
        };
        assert_eq!(end.as_f64(), 45991.0, "2025-11-30");
        assert_eq!(task_value(&task, "抽中企业数"), &Data::Float(m.totals.targets as f64));
        assert_eq!(task_value(&task, "随机种子"), &Data::String("export-test".into()));
        let on_disk = std::fs::read(view.dir.join(MANIFEST_JSON)).unwrap();
        assert_eq!(
            task_value(&task, "manifest.json SHA-256"),
            &Data::String(hex::encode(Sha256::digest(&on_disk)))
        );
        assert_eq!(
            task_value(&task, "targets.csv SHA-256"),
            &Data::String(m.outputs["targets.csv"].clone())
        );
    }

    #[test]
    fn workbook_without_teams_or_extras() {
        let dir = tempfile::tempdir().unwrap();
        let view = demo_bundle(dir.path(), false);
        assert!(view.assignments.is_empty());
        let bytes = workbook(&view, &None).unwrap();
        let mut book = read(&bytes);
        assert_eq!(book.sheet_names(), vec![SHEET_TASK, SHEET_TARGETS, SHEET_STRATA]);
        let targets = book.worksheet_range(SHEET_TARGETS).unwrap();
        assert_eq!(header_row(&targets), TARGETS_HEADER.map(String::from).to_vec());
        assert_eq!(targets.height() - 1, view.manifest.totals.targets as usize);
    }

    #[test]
    fn all_digit_codes_stay_text() {
        let dir = tempfile::tempdir().unwrap();
        let mut view = demo_bundle(dir.path(), false);
        // A code of digits only (valid GB 32100 codes can be) and a ticket
        // with more digits than a double holds.
        view.targets[0].uscc = "915226016175322770".into();
        view.targets[0].ticket = format!("0.{}", "1234567890".repeat(8));
        let bytes = workbook(&view, &None).unwrap();
        let targets = read(&bytes).worksheet_range(SHEET_TARGETS).unwrap();
        let r = targets.rows().nth(1).unwrap();
        assert_eq!(r[3], Data::String("915226016175322770".into()));
        assert_eq!(r[2], Data::String(format!("0.{}", "1234567890".repeat(8))));
    }

    #[test]
    fn bad_task_date_is_a_typed_error() {
        let dir = tempfile::tempdir().unwrap();
        let mut view = demo_bundle(dir.path(), false);
        view.manifest.task.end = "2025-13-01".into();
        let e = workbook(&view, &None).unwrap_err();
        assert!(
            matches!(&e, ExportError::BadDate { field: "end", value } if value == "2025-13-01"),
            "{e}"
        );
    }

    #[test]
    fn widths_count_chinese_twice() {
        assert_eq!(display_width("abc"), 3);
        assert_eq!(display_width("凯里市"), 6);
        assert_eq!(display_width("（测试）"), 8);
    }

    #[test]
    fn labels_of_extra_columns() {
        assert_eq!(extra_column_label("address"), "地址");
        assert_eq!(extra_column_label("联系人"), "联系人");
        assert!(is_address_column("address"));
        assert!(is_address_column("住所"));
        assert!(!is_address_column("registered_on"));
    }
}
