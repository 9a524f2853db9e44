//! One inspector's list: the firms to visit, with the task window and
//! team mates, as a table, CSV or JSON.

use crate::bundle::view::BundleView;
use crate::inputs::table::UTF8_BOM;
use serde::Serialize;
use std::collections::BTreeMap;

/// One firm an inspector is to visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Visit {
    pub uscc: String,
    pub name: String,
    pub county: String,
    pub slot: u32,
    /// Extra columns of the directory (address …), by column name.
    pub details: BTreeMap<String, String>,
    /// The other officers on the team, as "name (id)".
    pub team_mates: Vec<String>,
}

/// Everything one inspector is assigned in a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Listing {
    pub task_id: String,
    pub task_name: String,
    pub department: String,
    pub start: String,
    pub end: String,
    pub inspector_id: String,
    pub inspector_name: String,
    pub visits: Vec<Visit>,
}

/// Extra columns by credit code, as [`BundleView::firm_extras`] gives.
pub type Extras = Option<crate::bundle::view::FirmExtras>;

/// The listing of inspector `id`, or `None` when the bundle has no
/// assignment for that id.
pub fn listing(view: &BundleView, id: &str, extras: &Extras) -> Option<Listing> {
    let rows = view.of_inspector(id);
    let first = rows.first()?;
    let task = &view.manifest.task;
    let visits = rows
        .iter()
        .map(|a| Visit {
            uscc: a.uscc.clone(),
            name: a.name.clone(),
            county: a.county.clone(),
            slot: a.slot,
            details: firm_details(extras, &a.uscc),
            team_mates: view.team_mates(&a.uscc, id),
        })
        .collect();
    Some(Listing {
        task_id: task.id.clone(),
        task_name: task.name.clone(),
        department: task.department.clone(),
        start: task.start.clone(),
        end: task.end.clone(),
        inspector_id: id.to_string(),
        inspector_name: first.inspector_name.clone(),
        visits,
    })
}

/// One firm's extra columns (address …), by column name; empty when the
/// directory was not found or does not have the firm.
pub fn firm_details(extras: &Extras, uscc: &str) -> BTreeMap<String, String> {
    match extras {
        Some(x) => x
            .values
            .get(uscc)
            .map(|v| x.headers.iter().cloned().zip(v.iter().cloned()).collect())
            .unwrap_or_default(),
        None => BTreeMap::new(),
    }
}

/// The extra column names of some visits, sorted, each once.
pub fn detail_headers<'a>(visits: impl IntoIterator<Item = &'a Visit>) -> Vec<String> {
    let mut headers: Vec<String> = visits.into_iter().flat_map(|v| v.details.keys().cloned()).collect();
    headers.sort();
    headers.dedup();
    headers
}

pub use crate::bundle::make::csv_writer;

/// The finished CSV text, after the UTF-8 BOM when `bom`.
pub fn finish_csv(w: csv::Writer<Vec<u8>>, bom: bool) -> Vec<u8> {
    let body = w.into_inner().expect("flush to memory");
    if bom { [UTF8_BOM, &body].concat() } else { body }
}

/// A listing as CSV with Chinese headers; `bom` prepends the UTF-8 BOM.
pub fn listing_csv(listing: &Listing, bom: bool) -> Vec<u8> {
    let extra = detail_headers(&listing.visits);
    let mut w = csv_writer();
    let mut header: Vec<String> = [
        "任务编号",
        "任务名称",
        "检查开始",
        "检查结束",
        "执法人员编号",
        "姓名",
        "统一社会信用代码",
        "企业名称",
        "所属区县",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    header.extend(extra.iter().cloned());
    header.push("同组人员".into());
    w.write_record(&header).expect("write to memory");
    for v in &listing.visits {
        let mut row = vec![
            listing.task_id.clone(),
            listing.task_name.clone(),
            listing.start.clone(),
            listing.end.clone(),
            listing.inspector_id.clone(),
            listing.inspector_name.clone(),
            v.uscc.clone(),
            v.name.clone(),
            v.county.clone(),
        ];
        row.extend(extra.iter().map(|h| v.details.get(h).cloned().unwrap_or_default()));
        row.push(v.team_mates.join("；"));
        w.write_record(&row).expect("write to memory");
    }
    finish_csv(w, bom)
}

/// A listing as a plain-text table for the terminal.
pub fn listing_table(listing: &Listing) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} {} ({} to {})\n{} {}: {} firms",
        listing.task_id,
        listing.task_name,
        listing.start,
        listing.end,
        listing.inspector_id,
        listing.inspector_name,
        listing.visits.len()
    );
    for v in &listing.visits {
        let _ = writeln!(s, "  {}  {}  {}", v.uscc, v.name, v.county);
        table_details(&mut s, v);
        let _ = writeln!(s, "      team: {}", v.team_mates.join(", "));
    }
    s
}

/// A firm's extra columns as indented lines of a terminal table.
pub fn table_details(s: &mut String, v: &Visit) {
    use std::fmt::Write;
    for (k, val) in &v.details {
        let _ = writeln!(s, "      {k}: {val}");
    }
}
