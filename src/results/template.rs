//! The results file to fill in (SPEC.md §11.2): one row per inspection
//! still without a result, with the firm, the task, the team's ids and
//! the items filled in, and the result's columns left blank. Its extra
//! columns (name, county, window) help whoever fills it in; the reader
//! ignores them.

use crate::bundle::make::csv_writer;
use crate::inputs::results_file::headers;
use crate::results::state::State;

/// The template's CSV bytes, with a UTF-8 BOM so that Excel shows it
/// right.
pub fn template_csv(state: &State) -> Vec<u8> {
    let d = state.drawn;
    let groups = d.item_groups();
    let mut w = csv_writer();
    let mut header = headers(groups);
    header.extend(["name", "county", "window"].map(String::from));
    w.write_record(&header).expect("write to memory");
    for (i, x) in d.inspections.iter().enumerate() {
        if state.results[i].is_some() {
            continue;
        }
        let task = &d.tasks[x.task];
        let visit = &d.visits[x.visit];
        let ids: Vec<&str> = state.teams[x.visit].iter().map(|m| m.id.as_str()).collect();
        let mut row: Vec<String> = vec![
            x.uscc.clone(),
            task.id.clone(),
            String::new(),
            ids.join(";"),
            String::new(),
        ];
        for g in 0..groups {
            row.push(task.items.get(g).cloned().unwrap_or_default());
            row.extend(std::iter::repeat_n(String::new(), 4));
        }
        row.push(x.name.clone());
        row.push(x.county.clone());
        row.push(format!("{} ~ {}", visit.start, visit.end));
        w.write_record(&row).expect("write to memory");
    }
    let body = w.into_inner().expect("flush to memory");
    [crate::inputs::table::UTF8_BOM, &body[..]].concat()
}
