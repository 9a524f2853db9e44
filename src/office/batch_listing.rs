//! One inspector's list over a whole batch: every visit on his or her
//! teams, each with its window, the firm, the visit's tasks and items and
//! the co-inspectors, as a table, CSV or JSON.

use crate::base::error::{Error, Result};
use crate::bundle::batch::TaskEntry;
use crate::bundle::batch_view::BatchView;
use crate::inputs::items::ItemList;
use crate::office::listing::{self, Extras, Visit, csv_writer, detail_headers, finish_csv, firm_details};
use crate::office::workbook::extra_column_label;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// A task of a visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskRef {
    pub id: String,
    pub name: String,
    /// The lead department.
    pub department: String,
}

/// An item of a visit, as the item list states it. Without the item list
/// only the code is known and the other fields are empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemRef {
    pub code: String,
    pub name: String,
    pub department: String,
    pub legal_basis: String,
    pub method: String,
}

/// One visit an inspector makes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchVisit {
    /// The visit id (`uscc:first task`).
    pub visit: String,
    /// The visit's window.
    pub start: String,
    pub end: String,
    /// The firm, the inspector's slot, the directory's extra columns and
    /// the co-inspectors.
    #[serde(flatten)]
    pub firm: Visit,
    /// The department of the inspector's slot.
    pub department: String,
    pub tasks: Vec<TaskRef>,
    pub items: Vec<ItemRef>,
}

/// Everything one inspector is assigned in a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchListing {
    pub batch_id: String,
    pub batch_name: String,
    /// The organiser.
    pub department: String,
    /// The batch's period.
    pub start: String,
    pub end: String,
    pub inspector_id: String,
    pub inspector_name: String,
    /// In order of their windows (start, end), then of the visit id.
    pub visits: Vec<BatchVisit>,
}

/// The item with `code`, from the item list when there is one.
pub fn item_ref(items: &Option<ItemList>, code: &str) -> ItemRef {
    match items.as_ref().and_then(|l| l.get(code)) {
        Some(i) => ItemRef {
            code: i.code.clone(),
            name: i.name.clone(),
            department: i.department.clone(),
            legal_basis: i.legal_basis.clone(),
            method: i.method.clone(),
        },
        None => ItemRef {
            code: code.to_string(),
            name: String::new(),
            department: String::new(),
            legal_basis: String::new(),
            method: String::new(),
        },
    }
}

/// A batch's tasks by id.
pub fn tasks_by_id(view: &BatchView) -> BTreeMap<&str, &TaskEntry> {
    view.manifest.tasks.iter().map(|t| (t.id.as_str(), t)).collect()
}

/// The tasks with these ids, as [`tasks_by_id`] finds them (a task not
/// in the manifest keeps its id alone).
pub fn task_refs(tasks: &BTreeMap<&str, &TaskEntry>, ids: &[&str]) -> Vec<TaskRef> {
    ids.iter()
        .map(|t| TaskRef {
            id: t.to_string(),
            name: tasks.get(t).map(|e| e.name.clone()).unwrap_or_default(),
            department: tasks.get(t).map(|e| e.department.clone()).unwrap_or_default(),
        })
        .collect()
}

/// The listing of inspector `id`, or `None` when the batch has no
/// assignment for that id. `extras` as [`BatchView::firm_extras`] gives,
/// `items` as [`BatchView::items`].
pub fn batch_listing(view: &BatchView, id: &str, extras: &Extras, items: &Option<ItemList>) -> Option<BatchListing> {
    let rows = view.of_inspector(id);
    let first = rows.first()?;
    let tasks = tasks_by_id(view);
    let mut visits: Vec<BatchVisit> = rows
        .iter()
        .map(|a| {
            let v = view.visit(&a.visit);
            let task_ids = v.map(|v| v.task_ids()).unwrap_or_default();
            let item_codes = v.map(|v| v.item_codes()).unwrap_or_default();
            BatchVisit {
                visit: a.visit.clone(),
                start: v.map(|v| v.start.clone()).unwrap_or_default(),
                end: v.map(|v| v.end.clone()).unwrap_or_default(),
                firm: Visit {
                    uscc: a.uscc.clone(),
                    name: a.name.clone(),
                    county: v.map(|v| v.county.clone()).unwrap_or_default(),
                    slot: a.slot,
                    details: firm_details(extras, &a.uscc),
                    team_mates: view.team_mates(&a.visit, id),
                },
                department: a.department.clone(),
                tasks: task_refs(&tasks, &task_ids),
                items: item_codes.iter().map(|c| item_ref(items, c)).collect(),
            }
        })
        .collect();
    // In the order an inspector works through them: by window.
    visits.sort_by(|a, b| (&a.start, &a.end, &a.visit).cmp(&(&b.start, &b.end, &b.visit)));
    let b = &view.manifest.batch;
    Some(BatchListing {
        batch_id: b.id.clone(),
        batch_name: b.name.clone(),
        department: b.department.clone(),
        start: b.start.clone(),
        end: b.end.clone(),
        inspector_id: id.to_string(),
        inspector_name: first.inspector_name.clone(),
        visits,
    })
}

/// Opens the batch bundle in `dir` and lists inspector `id`'s visits,
/// with the firms' extra columns and the items when the inputs are there;
/// an error when the bundle has no teams or no assignment for `id`.
pub fn open_batch_listing(dir: &Path, id: &str) -> Result<BatchListing> {
    let view = BatchView::open_with_teams(dir)?;
    let items = view.items()?;
    batch_listing(&view, id, &view.firm_extras(), &items).ok_or_else(|| Error::Bundle {
        path: dir.display().to_string(),
        message: format!("inspector {id} has no visit in this batch"),
    })
}

/// A visit's tasks, one a line: `id name`.
pub fn tasks_cell(v: &BatchVisit) -> String {
    let lines: Vec<String> = v.tasks.iter().map(|t| format!("{} {}", t.id, t.name)).collect();
    lines.join("\n")
}

/// A visit's items, one a line: `code name`.
pub fn items_cell(v: &BatchVisit) -> String {
    lines_of(v, |i| format!("{} {}", i.code, i.name))
}

fn lines_of(v: &BatchVisit, line: impl Fn(&ItemRef) -> String) -> String {
    let lines: Vec<String> = v.items.iter().map(|i| line(i).trim_end().to_string()).collect();
    lines.join("\n")
}

/// The header of a batch listing's CSV, before the extra columns.
pub const CSV_HEADER: [&str; 12] = [
    "批次编号",
    "批次名称",
    "检查编号",
    "检查开始",
    "检查结束",
    "执法人员编号",
    "姓名",
    "组内序号",
    "所属部门",
    "统一社会信用代码",
    "企业名称",
    "所属区县",
];
/// The header of a batch listing's CSV, after the extra columns.
pub const CSV_HEADER_TAIL: [&str; 5] = ["抽查任务", "抽查事项", "检查依据", "检查方式", "同组人员"];

/// A listing as CSV with Chinese headers, one row per visit; a visit's
/// tasks and items are one a line inside their cells. `bom` prepends the
/// UTF-8 BOM.
pub fn batch_listing_csv(l: &BatchListing, bom: bool) -> Vec<u8> {
    let extra = detail_headers(l.visits.iter().map(|v| &v.firm));
    let mut w = csv_writer();
    let mut header: Vec<String> = CSV_HEADER.iter().map(|s| s.to_string()).collect();
    header.extend(extra.iter().map(|h| extra_column_label(h).to_string()));
    header.extend(CSV_HEADER_TAIL.iter().map(|s| s.to_string()));
    w.write_record(&header).expect("write to memory");
    for v in &l.visits {
        let f = &v.firm;
        let mut row = vec![
            l.batch_id.clone(),
            l.batch_name.clone(),
            v.visit.clone(),
            v.start.clone(),
            v.end.clone(),
            l.inspector_id.clone(),
            l.inspector_name.clone(),
            f.slot.to_string(),
            v.department.clone(),
            f.uscc.clone(),
            f.name.clone(),
            f.county.clone(),
        ];
        row.extend(extra.iter().map(|h| f.details.get(h).cloned().unwrap_or_default()));
        row.push(tasks_cell(v));
        row.push(items_cell(v));
        row.push(lines_of(v, |i| format!("{}：{}", i.code, i.legal_basis)));
        row.push(lines_of(v, |i| format!("{}：{}", i.code, i.method)));
        row.push(f.team_mates.join("；"));
        w.write_record(&row).expect("write to memory");
    }
    finish_csv(w, bom)
}

/// A listing as pretty JSON with a final newline.
pub fn batch_listing_json(l: &BatchListing) -> Vec<u8> {
    let mut json = serde_json::to_vec_pretty(l).expect("listing serializes");
    json.push(b'\n');
    json
}

/// A listing as a plain-text table for the terminal.
pub fn batch_listing_table(l: &BatchListing) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} {} ({} to {})\n{} {}: {} visits",
        l.batch_id,
        l.batch_name,
        l.start,
        l.end,
        l.inspector_id,
        l.inspector_name,
        l.visits.len()
    );
    for v in &l.visits {
        let f = &v.firm;
        let _ = writeln!(s, "  {} to {}  {}  {}  {}", v.start, v.end, f.uscc, f.name, f.county);
        listing::table_details(&mut s, f);
        for t in &v.tasks {
            let _ = writeln!(s, "      task: {} {}", t.id, t.name);
        }
        for i in &v.items {
            let _ = writeln!(s, "      item: {} {}", i.code, i.name);
            if !i.legal_basis.is_empty() || !i.method.is_empty() {
                let _ = writeln!(s, "            {}; {}", i.legal_basis, i.method);
            }
        }
        let _ = writeln!(s, "      slot {} ({})", f.slot, v.department);
        let _ = writeln!(s, "      team: {}", f.team_mates.join(", "));
    }
    s
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn listing() -> BatchListing {
        let item = |code: &str, name: &str, basis: &str, method: &str| ItemRef {
            code: code.into(),
            name: name.into(),
            department: "市场监管局".into(),
            legal_basis: basis.into(),
            method: method.into(),
        };
        let mut details = BTreeMap::new();
        details.insert("address".to_string(), "凯里市大十字街1号,2楼".to_string());
        BatchListing {
            batch_id: "QDN-2025-LH".into(),
            batch_name: "黔东南州2025年度部门联合双随机抽查工作计划".into(),
            department: "黔东南州市场监督管理局".into(),
            start: "2025-01-01".into(),
            end: "2025-12-31".into(),
            inspector_id: "QDN-SJ-0420".into(),
            inspector_name: "邰明杰".into(),
            visits: vec![
                BatchVisit {
                    visit: "91522601MAM43G6RXK:QDN-2025-LH-001".into(),
                    start: "2025-03-01".into(),
                    end: "2025-04-30".into(),
                    firm: Visit {
                        uscc: "91522601MAM43G6RXK".into(),
                        name: "凯里市远锐食品有限公司".into(),
                        county: "凯里市".into(),
                        slot: 2,
                        details,
                        team_mates: vec!["石文 (QDN-SJ-0128)".into(), "王芳 (QDN-WJ-0007)".into()],
                    },
                    department: "市场监管局".into(),
                    tasks: vec![
                        TaskRef {
                            id: "QDN-2025-LH-001".into(),
                            name: "食品生产企业联合抽查（凯里市）".into(),
                            department: "黔东南州市场监督管理局".into(),
                        },
                        TaskRef {
                            id: "QDN-2025-LH-007".into(),
                            name: "公共场所卫生抽查".into(),
                            department: "黔东南州卫生健康局".into(),
                        },
                    ],
                    items: vec![
                        item(
                            "SJ-SP-01",
                            "食品生产企业监督检查",
                            "《中华人民共和国食品安全法》第一百一十条",
                            "实地检查、抽样检验",
                        ),
                        item(
                            "WJ-GW-01",
                            "公共场所卫生监督检查",
                            "《公共场所卫生管理条例》",
                            "实地检查",
                        ),
                    ],
                },
                BatchVisit {
                    visit: "915226016175322770:QDN-2025-LH-030".into(),
                    start: "2025-09-01".into(),
                    end: "2025-10-15".into(),
                    firm: Visit {
                        uscc: "915226016175322770".into(),
                        name: "凯里市金通超市有限公司".into(),
                        county: "凯里市".into(),
                        slot: 1,
                        details: BTreeMap::new(),
                        team_mates: vec!["石文 (QDN-SJ-0128)".into()],
                    },
                    department: "市场监管局".into(),
                    tasks: vec![TaskRef {
                        id: "QDN-2025-LH-030".into(),
                        name: "产品质量抽查".into(),
                        department: "黔东南州市场监督管理局".into(),
                    }],
                    items: vec![item_ref(&None, "SJ-ZL-01")],
                },
            ],
        }
    }

    #[test]
    fn csv_has_one_row_per_visit_with_tasks_and_items_in_cells() {
        let l = listing();
        let bytes = batch_listing_csv(&l, true);
        assert!(bytes.starts_with(crate::inputs::table::UTF8_BOM));
        let mut r = csv::Reader::from_reader(&bytes[3..]);
        let head: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
        assert_eq!(&head[..12], &CSV_HEADER.map(String::from)[..]);
        assert_eq!(head[12], "地址", "extra columns get their Chinese labels");
        assert_eq!(&head[13..], &CSV_HEADER_TAIL.map(String::from)[..]);
        let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(&rows[0][2], "91522601MAM43G6RXK:QDN-2025-LH-001");
        assert_eq!(&rows[0][7], "2");
        assert_eq!(&rows[0][12], "凯里市大十字街1号,2楼");
        assert_eq!(
            &rows[0][13],
            "QDN-2025-LH-001 食品生产企业联合抽查（凯里市）\nQDN-2025-LH-007 公共场所卫生抽查"
        );
        assert_eq!(
            &rows[0][14],
            "SJ-SP-01 食品生产企业监督检查\nWJ-GW-01 公共场所卫生监督检查"
        );
        assert_eq!(
            &rows[0][15],
            "SJ-SP-01：《中华人民共和国食品安全法》第一百一十条\nWJ-GW-01：《公共场所卫生管理条例》"
        );
        assert_eq!(&rows[0][16], "SJ-SP-01：实地检查、抽样检验\nWJ-GW-01：实地检查");
        assert_eq!(&rows[0][17], "石文 (QDN-SJ-0128)；王芳 (QDN-WJ-0007)");
        assert_eq!(&rows[1][12], "", "no address known");
        assert_eq!(&rows[1][14], "SJ-ZL-01", "an item not in the list keeps its code");
        assert!(!batch_listing_csv(&l, false).starts_with(crate::inputs::table::UTF8_BOM));
    }

    #[test]
    fn table_and_json_carry_every_visit() {
        let l = listing();
        let t = batch_listing_table(&l);
        assert!(t.starts_with("QDN-2025-LH 黔东南州2025年度部门联合双随机抽查工作计划 (2025-01-01 to 2025-12-31)\n"));
        assert!(t.contains("QDN-SJ-0420 邰明杰: 2 visits\n"));
        assert!(t.contains("  2025-03-01 to 2025-04-30  91522601MAM43G6RXK  凯里市远锐食品有限公司  凯里市\n"));
        assert!(t.contains("      task: QDN-2025-LH-007 公共场所卫生抽查\n"));
        assert!(t.contains("      item: SJ-SP-01 食品生产企业监督检查\n"));
        assert!(t.contains("      address: 凯里市大十字街1号,2楼\n"));
        let json: serde_json::Value = serde_json::from_slice(&batch_listing_json(&l)).unwrap();
        let v = &json["visits"][0];
        assert_eq!(v["uscc"], "91522601MAM43G6RXK", "the firm's fields are flattened");
        assert_eq!(v["slot"], 2);
        assert_eq!(v["items"][1]["legal_basis"], "《公共场所卫生管理条例》");
        assert_eq!(v["tasks"].as_array().unwrap().len(), 2);
    }
}
