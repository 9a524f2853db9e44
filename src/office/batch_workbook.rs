//! One Excel workbook (.xlsx) of a batch bundle: the plan and its tasks,
//! the item list, every task's targets, the visits, the teams and each
//! inspector's load, on sheets with Chinese names. Cells keep their types
//! and the output is deterministic, as [`crate::office::workbook`]'s.

use crate::bundle::batch_view::BatchView;
use crate::bundle::view::FirmExtras;
use crate::inputs::items::ItemList;
use crate::office::OfficeError;
use crate::office::workbook::{
    Cell, ExportError, Formats, Sheet, TARGETS_HEADER, TOTAL_LABEL, check_rows, extra_cells, extra_names, header,
    manifest_sha256, new_book, provenance_rows, seed_rows, share, target_cells, task_date,
};
use rust_xlsxwriter::{ExcelDateTime, Worksheet};
use std::collections::BTreeMap;
use std::path::Path;

/// The batch and its tasks.
pub const SHEET_PLAN: &str = "计划";
/// The item list.
pub const SHEET_ITEMS: &str = "事项";
/// Every task's targets.
pub const SHEET_TARGETS: &str = "抽查对象";
/// The visits.
pub const SHEET_VISITS: &str = "检查";
/// The teams, one row per officer of a visit (only with teams).
pub const SHEET_ASSIGNMENTS: &str = "人员分配";
/// Visits per inspector (only with teams).
pub const SHEET_LOAD: &str = "工作量";

/// Header of [`SHEET_PLAN`]: one row per task, then the totals.
pub const PLAN_HEADER: [&str; 12] = [
    "任务编号",
    "任务名称",
    "牵头部门",
    "抽查事项",
    "开始日期",
    "结束日期",
    "分层数",
    "符合条件企业数N",
    "抽取数k",
    "抽取比例",
    "排除企业数",
    "任务种子",
];
/// Header of [`SHEET_ITEMS`].
pub const ITEMS_HEADER: [&str; 8] = [
    "事项编码",
    "事项名称",
    "实施部门",
    "抽查类别",
    "检查依据",
    "检查方式",
    "执法领域",
    "任务数",
];
/// Header of [`SHEET_VISITS`], before the directory's extra columns.
pub const VISITS_HEADER: [&str; 12] = [
    "检查编号",
    "统一社会信用代码",
    "企业名称",
    "所属区县",
    "开始日期",
    "结束日期",
    "任务数",
    "抽查任务",
    "抽查事项",
    "检查组部门",
    "执法人员编号",
    "执法人员",
];
/// Header of [`SHEET_ASSIGNMENTS`].
pub const ASSIGNMENTS_HEADER: [&str; 9] = [
    "检查编号",
    "统一社会信用代码",
    "企业名称",
    "组内序号",
    "部门",
    "执法人员编号",
    "姓名",
    "开始日期",
    "结束日期",
];
/// Header of [`SHEET_LOAD`].
pub const LOAD_HEADER: [&str; 4] = ["执法人员编号", "姓名", "部门", "检查户次"];

/// How lists inside one cell are joined.
const JOIN: &str = "、";

/// The workbook of a batch bundle, as the bytes of an .xlsx file.
/// `extras` adds the directory's extra columns (address …) to the targets
/// and visits, `items` fills the item sheet (without it the sheet has the
/// codes the tasks name, and nothing else).
pub fn batch_workbook(
    view: &BatchView,
    extras: &Option<FirmExtras>,
    items: &Option<ItemList>,
) -> Result<Vec<u8>, ExportError> {
    let m = &view.manifest;
    check_rows(SHEET_TARGETS, view.target_count())?;
    check_rows(SHEET_VISITS, view.visits.len())?;
    check_rows(SHEET_ASSIGNMENTS, view.assignments.len())?;
    let fmt = Formats::new();
    let mut book = new_book(
        &format!("{} {}", m.batch.id, m.batch.name),
        &m.batch.department,
        &m.tool,
    )?;
    book.push_worksheet(plan_sheet(view, &fmt)?);
    book.push_worksheet(items_sheet(view, items, &fmt)?);
    book.push_worksheet(targets_sheet(view, extras, &fmt)?);
    book.push_worksheet(visits_sheet(view, extras, &fmt)?);
    if !view.assignments.is_empty() {
        book.push_worksheet(assignments_sheet(view, &fmt)?);
        book.push_worksheet(load_sheet(view, &fmt)?);
    }
    Ok(book.save_to_buffer()?)
}

/// The workbook of the batch bundle in `dir`, with the firms' extra
/// columns and the item list when the inputs are there; and the view it
/// was made from.
pub fn batch_workbook_in(dir: &Path) -> Result<(Vec<u8>, BatchView), OfficeError> {
    let view = BatchView::open(dir)?;
    let items = view.items()?;
    let bytes = batch_workbook(&view, &view.firm_extras(), &items)?;
    Ok((bytes, view))
}

fn plan_sheet(view: &BatchView, fmt: &Formats) -> Result<Worksheet, ExportError> {
    let m = &view.manifest;
    let mut s = Sheet::new(SHEET_PLAN, &header(&PLAN_HEADER), fmt)?;
    let (mut strata, mut k_all, mut excluded) = (0u64, 0u64, 0u64);
    for t in &m.tasks {
        let start = task_date("start", &t.start)?;
        let end = task_date("end", &t.end)?;
        let items = t.items.join(JOIN);
        s.row(&[
            Cell::Code(&t.id),
            Cell::Text(&t.name),
            Cell::Text(&t.department),
            Cell::Text(&items),
            Cell::Date(&start),
            Cell::Date(&end),
            Cell::Number(t.totals.strata),
            Cell::Number(t.totals.eligible),
            Cell::Number(t.totals.targets),
            share(t.totals.targets, t.totals.eligible),
            Cell::Number(t.excluded.total),
            Cell::Code(&t.seed),
        ])?;
        strata += t.totals.strata;
        k_all += t.totals.targets;
        excluded += t.excluded.total;
    }
    let b = &m.batch;
    let (start, end) = (task_date("start", &b.start)?, task_date("end", &b.end)?);
    let tasks = format!("{}项任务", m.tasks.len());
    s.row_with(
        &[
            Cell::Text(TOTAL_LABEL),
            Cell::Text(&tasks),
            Cell::Empty,
            Cell::Empty,
            Cell::Date(&start),
            Cell::Date(&end),
            Cell::Number(strata),
            Cell::Empty,
            Cell::Number(k_all),
            Cell::Empty,
            Cell::Number(excluded),
        ],
        true,
    )?;
    // The batch itself, as label and value under the tasks.
    s.row(&[])?;
    s.row(&[Cell::Text("批次编号"), Cell::Code(&b.id)])?;
    s.row(&[Cell::Text("批次名称"), Cell::Text(&b.name)])?;
    s.row(&[Cell::Text("组织部门"), Cell::Text(&b.department)])?;
    s.row(&[Cell::Text("批次开始日期"), Cell::Date(&start)])?;
    s.row(&[Cell::Text("批次结束日期"), Cell::Date(&end)])?;
    let t = &m.totals;
    s.row(&[Cell::Text("名录企业数"), Cell::Number(t.directory_rows)])?;
    s.row(&[Cell::Text("任务数"), Cell::Number(t.tasks)])?;
    s.row(&[Cell::Text("抽中企业数（各任务合计）"), Cell::Number(t.targets)])?;
    s.row(&[Cell::Text("检查户次"), Cell::Number(t.visits)])?;
    s.row(&[Cell::Text("被检查企业数"), Cell::Number(t.firms)])?;
    s.row(&[Cell::Text("联合检查户次"), Cell::Number(t.joint_visits)])?;
    if let Some(teams) = &m.teams {
        s.row(&[Cell::Text("派员人次"), Cell::Number(teams.assignments)])?;
        s.row(&[Cell::Text("参与执法人员数"), Cell::Number(teams.inspectors_used)])?;
        s.row(&[Cell::Text("每人检查户次最多"), Cell::Number(teams.load_max)])?;
    }
    seed_rows(&mut s, &m.seed)?;
    let manifest_sha256 = manifest_sha256(&view.dir)?;
    provenance_rows(&mut s, &m.spec_version, &m.tool, manifest_sha256.as_deref(), &m.outputs)?;
    s.finish(false)
}

fn items_sheet(view: &BatchView, items: &Option<ItemList>, fmt: &Formats) -> Result<Worksheet, ExportError> {
    // Tasks naming each item.
    let mut uses: BTreeMap<&str, u64> = BTreeMap::new();
    for t in &view.manifest.tasks {
        for code in &t.items {
            *uses.entry(code.as_str()).or_default() += 1;
        }
    }
    let mut s = Sheet::new(SHEET_ITEMS, &header(&ITEMS_HEADER), fmt)?;
    match items {
        Some(list) => {
            for i in list.items.values() {
                s.row(&[
                    Cell::Code(&i.code),
                    Cell::Text(&i.name),
                    Cell::Text(&i.department),
                    Cell::Text(if i.key { "重点" } else { "一般" }),
                    Cell::Text(&i.legal_basis),
                    Cell::Text(&i.method),
                    Cell::Text(i.specialty.as_deref().unwrap_or("")),
                    Cell::Number(uses.get(i.code.as_str()).copied().unwrap_or(0)),
                ])?;
            }
        }
        None => {
            for (code, n) in &uses {
                s.row(&[
                    Cell::Code(code),
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Number(*n),
                ])?;
            }
        }
    }
    s.finish(true)
}

fn targets_sheet(view: &BatchView, extras: &Option<FirmExtras>, fmt: &Formats) -> Result<Worksheet, ExportError> {
    let mut names = vec!["任务编号".to_string()];
    names.extend(header(&TARGETS_HEADER));
    names.extend(extra_names(extras));
    let mut s = Sheet::new(SHEET_TARGETS, &names, fmt)?;
    let mut cells = Vec::with_capacity(names.len());
    for (task, targets) in view.manifest.tasks.iter().zip(&view.targets) {
        for t in targets {
            cells.clear();
            cells.push(Cell::Code(&task.id));
            target_cells(&mut cells, t);
            extra_cells(&mut cells, extras, &t.uscc);
            s.row(&cells)?;
        }
    }
    s.finish(true)
}

fn visits_sheet(view: &BatchView, extras: &Option<FirmExtras>, fmt: &Formats) -> Result<Worksheet, ExportError> {
    let mut names = header(&VISITS_HEADER);
    names.extend(extra_names(extras));
    let mut s = Sheet::new(SHEET_VISITS, &names, fmt)?;
    for v in &view.visits {
        let (start, end) = (task_date("start", &v.start)?, task_date("end", &v.end)?);
        let tasks = v.task_ids();
        let (task_list, items) = (tasks.join(JOIN), v.item_codes().join(JOIN));
        let departments = v.slot_departments().join(JOIN);
        let ids = v.officer_ids().join(JOIN);
        let officers: Vec<&str> = view.team(&v.visit).iter().map(|a| a.inspector_name.as_str()).collect();
        let officers = officers.join(JOIN);
        let mut cells = Vec::with_capacity(names.len());
        cells.extend([
            Cell::Code(&v.visit),
            Cell::Code(&v.uscc),
            Cell::Text(&v.name),
            Cell::Text(&v.county),
            Cell::Date(&start),
            Cell::Date(&end),
            Cell::Number(tasks.len() as u64),
            Cell::Text(&task_list),
            Cell::Text(&items),
            Cell::Text(&departments),
            Cell::Code(&ids),
            Cell::Text(&officers),
        ]);
        extra_cells(&mut cells, extras, &v.uscc);
        s.row(&cells)?;
    }
    s.finish(true)
}

fn assignments_sheet(view: &BatchView, fmt: &Formats) -> Result<Worksheet, ExportError> {
    let mut s = Sheet::new(SHEET_ASSIGNMENTS, &header(&ASSIGNMENTS_HEADER), fmt)?;
    for a in &view.assignments {
        let window: Option<(ExcelDateTime, ExcelDateTime)> = match view.visit(&a.visit) {
            Some(v) => Some((task_date("start", &v.start)?, task_date("end", &v.end)?)),
            None => None,
        };
        s.row(&[
            Cell::Code(&a.visit),
            Cell::Code(&a.uscc),
            Cell::Text(&a.name),
            Cell::Number(u64::from(a.slot)),
            Cell::Text(&a.department),
            Cell::Code(&a.inspector_id),
            Cell::Text(&a.inspector_name),
            window.as_ref().map_or(Cell::Empty, |w| Cell::Date(&w.0)),
            window.as_ref().map_or(Cell::Empty, |w| Cell::Date(&w.1)),
        ])?;
    }
    s.finish(true)
}

fn load_sheet(view: &BatchView, fmt: &Formats) -> Result<Worksheet, ExportError> {
    let mut s = Sheet::new(SHEET_LOAD, &header(&LOAD_HEADER), fmt)?;
    for l in &view.load {
        s.row(&[
            Cell::Code(&l.inspector_id),
            Cell::Text(&l.name),
            Cell::Text(&l.department),
            Cell::Number(l.visits),
        ])?;
    }
    s.finish(true)
}
