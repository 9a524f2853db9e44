//! The results, exported for others (SPEC.md §11.8): the rows for the
//! enterprise credit publicity system (国家企业信用信息公示系统), the
//! inspection history that the next plan's `frame.history` reads, and the
//! firms whose results call for a higher credit-risk class. Rows come
//! from a [`State`]; only results in force count, pending inspections
//! are left out. The CSV files are made here; the workbook of the
//! publicity rows is the office's (`office::results_workbook`).

use crate::base::error::{Error, Result};
use crate::bundle::make::csv_writer;
use crate::inputs::history::parse_date;
use crate::inputs::result_words::{Outcome, Raise};
use crate::inputs::table::UTF8_BOM;
use crate::results::log::Inspected;
use crate::results::state::State;
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet};

/// The publicity file, as CSV (UTF-8 with a BOM, for Excel).
pub const PUBLICITY_CSV: &str = "publicity.csv";
/// The publicity file, as a workbook.
pub const PUBLICITY_XLSX: &str = "publicity.xlsx";
/// The inspection history, in the format of SPEC.md §1.2.
pub const HISTORY_CSV: &str = "history.csv";
/// The firms whose class the results call to raise.
pub const FEEDBACK_CSV: &str = "credit-feedback.csv";

/// Header of the publicity file, the columns the platforms take.
pub const PUBLICITY_HEADER: [&str; 8] = [
    "统一社会信用代码",
    "企业名称",
    "抽查任务编号",
    "抽查任务名称",
    "检查结果",
    "检查日期",
    "检查实施机关",
    "后续处置",
];
/// Header of the history file (SPEC.md §1.2).
pub const HISTORY_HEADER: [&str; 3] = ["uscc", "inspected_on", "inspector_ids"];
/// Header of the credit feedback.
pub const FEEDBACK_HEADER: [&str; 8] = [
    "uscc",
    "name",
    "task",
    "result",
    "inspected_on",
    "credit_class",
    "suggested_class",
    "reason",
];

/// What the reason adds for a firm that goes on the abnormal-operations
/// list (经营异常名录).
pub const ABNORMAL_OPERATIONS: &str = "列入经营异常名录";

/// One row of the publicity file: a firm's result in force in one task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicityRow {
    pub uscc: String,
    pub name: String,
    pub task_id: String,
    pub task_name: String,
    /// The result category's name (SPEC.md §11.1).
    pub result: String,
    pub inspected_on: NaiveDate,
    /// The task's lead department.
    pub department: String,
    /// The distinct measures of the checked items, in item order,
    /// joined by `;`; empty when no item was checked.
    pub measures: String,
}

/// One row of the history file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRow {
    pub uscc: String,
    pub inspected_on: NaiveDate,
    pub inspector_ids: Vec<String>,
}

/// One firm of the credit feedback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackRow {
    pub uscc: String,
    pub name: String,
    /// The task of the result that sets the suggestion.
    pub task: String,
    pub result: String,
    pub inspected_on: NaiveDate,
    /// The firm's class in the bundle.
    pub credit_class: String,
    pub suggested_class: String,
    pub reason: String,
}

/// Everything a bundle's results export holds.
#[derive(Debug, Clone)]
pub struct Export {
    /// The bundle's id: the task's (a plan) or the batch's.
    pub id: String,
    pub name: String,
    pub department: String,
    /// The results log's head the export was made from.
    pub head: String,
    /// Inspections of the bundle, and those still without a result (left
    /// out of every file).
    pub expected: usize,
    pub pending: usize,
    /// By task (bundle order), then code.
    pub publicity: Vec<PublicityRow>,
    /// By code, then date, then task id.
    pub history: Vec<HistoryRow>,
    /// By code; one row per firm.
    pub feedback: Vec<FeedbackRow>,
    /// Firms whose results call for a higher class that they already
    /// have (at the last class): not in the feedback.
    pub not_raised: usize,
}

/// The date a checked result records.
fn date_of(r: &Inspected) -> Result<NaiveDate> {
    parse_date(&r.inspected_on).ok_or_else(|| Error::Bundle {
        path: crate::results::log::RESULTS_LOG.to_string(),
        message: format!("inspected_on {:?} is not a date", r.inspected_on),
    })
}

/// The class `raise` suggests for a firm of class `current`, by index
/// into `classes` (lowest risk first); `None` when it would not raise
/// the firm (already at the last class, or a class not on the list).
pub fn suggested_class(classes: &[String], current: &str, raise: Raise) -> Option<usize> {
    let last = classes.len().checked_sub(1)?;
    let now = classes.iter().position(|c| c == current)?;
    let to = match raise {
        Raise::OneClass => (now + 1).min(last),
        Raise::ToHighest => last,
    };
    (to > now).then_some(to)
}

/// The distinct measures of a result's checked items, in item order.
fn measures(r: &Inspected) -> String {
    let mut out: Vec<&str> = Vec::new();
    for item in r.items.iter().filter(|i| i.checked && !i.measure.is_empty()) {
        if !out.contains(&item.measure.as_str()) {
            out.push(&item.measure);
        }
    }
    out.join(";")
}

impl Export {
    /// The export of the results in force. Refused when there is none:
    /// an export with no rows would publish nothing and give the next
    /// plan an empty history.
    pub fn of(state: &State) -> Result<Export> {
        let d = state.drawn;
        if state.recorded() == 0 {
            return Err(Error::Bundle {
                path: d.dir.display().to_string(),
                message: format!(
                    "nothing to export: no results are recorded yet ({} inspections pending); \
                     write the form with spotcheck results template, fill it in and record it with \
                     spotcheck results record",
                    d.inspections.len()
                ),
            });
        }
        let mut publicity = Vec::new();
        // (uscc, date, task id, inspectors)
        let mut history: Vec<(String, NaiveDate, String, Vec<String>)> = Vec::new();
        // uscc → the result that sets its suggestion, as a sort key
        // (higher class, a jump to the highest before one class up,
        // earlier date, smaller task id) and the row.
        type Best = (
            (usize, bool, std::cmp::Reverse<NaiveDate>, std::cmp::Reverse<String>),
            FeedbackRow,
        );
        let mut best: BTreeMap<String, Best> = BTreeMap::new();
        let mut calls_for_raise: BTreeSet<&str> = BTreeSet::new();
        let mut abnormal: BTreeSet<&str> = BTreeSet::new();
        for (i, x) in d.inspections.iter().enumerate() {
            let Some(r) = state.result_of(i) else { continue };
            let task = &d.tasks[x.task];
            let on = date_of(r)?;
            publicity.push((
                x.task,
                PublicityRow {
                    uscc: x.uscc.clone(),
                    name: x.name.clone(),
                    task_id: task.id.clone(),
                    task_name: task.name.clone(),
                    result: r.result.clone(),
                    inspected_on: on,
                    department: task.department.clone(),
                    measures: measures(r),
                },
            ));
            history.push((x.uscc.clone(), on, task.id.clone(), r.inspectors.clone()));
            let Some(outcome) = Outcome::parse(&r.result) else {
                continue;
            };
            if outcome.abnormal_operations() {
                abnormal.insert(&x.uscc);
            }
            let Some(raise) = outcome.credit_raise() else { continue };
            calls_for_raise.insert(&x.uscc);
            let Some(to) = suggested_class(&d.classes, &x.credit_class, raise) else {
                continue;
            };
            let key = (
                to,
                raise == Raise::ToHighest,
                std::cmp::Reverse(on),
                std::cmp::Reverse(task.id.clone()),
            );
            if best.get(&x.uscc).is_some_and(|(k, _)| *k >= key) {
                continue;
            }
            let how = match raise {
                Raise::OneClass => "风险分类上调一类",
                Raise::ToHighest => "风险分类调至最高类",
            };
            let row = FeedbackRow {
                uscc: x.uscc.clone(),
                name: x.name.clone(),
                task: task.id.clone(),
                result: r.result.clone(),
                inspected_on: on,
                credit_class: x.credit_class.clone(),
                suggested_class: d.classes[to].clone(),
                reason: format!("{}：{how}", r.result),
            };
            best.insert(x.uscc.clone(), (key, row));
        }
        publicity.sort_by(|(ta, a), (tb, b)| (ta, &a.uscc).cmp(&(tb, &b.uscc)));
        history.sort();
        let not_raised = calls_for_raise.iter().filter(|u| !best.contains_key(**u)).count();
        let feedback = best
            .into_values()
            .map(|(_, mut row)| {
                if abnormal.contains(row.uscc.as_str()) {
                    row.reason.push('；');
                    row.reason.push_str(ABNORMAL_OPERATIONS);
                }
                row
            })
            .collect();
        Ok(Export {
            id: d.id.clone(),
            name: d.name.clone(),
            department: d.department.clone(),
            head: state.head.clone(),
            expected: d.inspections.len(),
            pending: d.inspections.len() - state.recorded(),
            publicity: publicity.into_iter().map(|(_, r)| r).collect(),
            history: history
                .into_iter()
                .map(|(uscc, inspected_on, _, inspector_ids)| HistoryRow {
                    uscc,
                    inspected_on,
                    inspector_ids,
                })
                .collect(),
            feedback,
            not_raised,
        })
    }

    /// The firms in the history file.
    pub fn history_firms(&self) -> usize {
        let mut n = 0;
        let mut last: Option<&str> = None;
        for r in &self.history {
            if last != Some(r.uscc.as_str()) {
                n += 1;
                last = Some(&r.uscc);
            }
        }
        n
    }

    /// The three CSV files, by name.
    pub fn csv_files(&self) -> BTreeMap<String, Vec<u8>> {
        BTreeMap::from([
            (PUBLICITY_CSV.to_string(), publicity_csv(&self.publicity)),
            (HISTORY_CSV.to_string(), history_csv(&self.history)),
            (FEEDBACK_CSV.to_string(), feedback_csv(&self.feedback)),
        ])
    }
}

fn with_bom(body: Vec<u8>) -> Vec<u8> {
    [UTF8_BOM, &body[..]].concat()
}

/// `publicity.csv`: UTF-8 with a BOM.
pub fn publicity_csv(rows: &[PublicityRow]) -> Vec<u8> {
    let mut w = csv_writer();
    w.write_record(PUBLICITY_HEADER).expect("write to memory");
    for r in rows {
        w.write_record([
            r.uscc.as_str(),
            &r.name,
            &r.task_id,
            &r.task_name,
            &r.result,
            &r.inspected_on.to_string(),
            &r.department,
            &r.measures,
        ])
        .expect("write to memory");
    }
    with_bom(w.into_inner().expect("flush to memory"))
}

/// `history.csv`: plain UTF-8, as SPEC.md §1.2 reads it.
pub fn history_csv(rows: &[HistoryRow]) -> Vec<u8> {
    let mut w = csv_writer();
    w.write_record(HISTORY_HEADER).expect("write to memory");
    for r in rows {
        w.write_record([r.uscc.as_str(), &r.inspected_on.to_string(), &r.inspector_ids.join(";")])
            .expect("write to memory");
    }
    w.into_inner().expect("flush to memory")
}

/// `credit-feedback.csv`: UTF-8 with a BOM.
pub fn feedback_csv(rows: &[FeedbackRow]) -> Vec<u8> {
    let mut w = csv_writer();
    w.write_record(FEEDBACK_HEADER).expect("write to memory");
    for r in rows {
        w.write_record([
            r.uscc.as_str(),
            &r.name,
            &r.task,
            &r.result,
            &r.inspected_on.to_string(),
            &r.credit_class,
            &r.suggested_class,
            &r.reason,
        ])
        .expect("write to memory");
    }
    with_bom(w.into_inner().expect("flush to memory"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::log::{ItemEntry, Source};

    fn classes() -> Vec<String> {
        ["A", "B", "C", "D"].map(String::from).to_vec()
    }

    #[test]
    fn a_raise_never_lowers_and_stops_at_the_last_class() {
        let c = classes();
        assert_eq!(suggested_class(&c, "A", Raise::OneClass), Some(1));
        assert_eq!(suggested_class(&c, "B", Raise::OneClass), Some(2));
        assert_eq!(suggested_class(&c, "C", Raise::OneClass), Some(3));
        assert_eq!(suggested_class(&c, "D", Raise::OneClass), None);
        assert_eq!(suggested_class(&c, "A", Raise::ToHighest), Some(3));
        assert_eq!(suggested_class(&c, "B", Raise::ToHighest), Some(3));
        assert_eq!(suggested_class(&c, "D", Raise::ToHighest), None);
        assert_eq!(suggested_class(&c, "E", Raise::ToHighest), None);
        assert_eq!(suggested_class(&[], "A", Raise::ToHighest), None);
    }

    fn item(item: &str, checked: bool, measure: &str) -> ItemEntry {
        ItemEntry {
            item: item.into(),
            checked,
            method: if checked { "实地检查".into() } else { String::new() },
            problem: String::new(),
            measure: measure.into(),
        }
    }

    #[test]
    fn measures_are_the_checked_items_distinct_in_order() {
        let r = Inspected {
            task: "T".into(),
            uscc: "U".into(),
            inspected_on: "2025-05-07".into(),
            inspectors: vec!["a".into(), "b".into()],
            result: Outcome::Corrected.name().into(),
            items: vec![
                item("1", true, "责令限期整改"),
                item("2", false, ""),
                item("3", true, "移送办案机构"),
                item("4", true, "责令限期整改"),
            ],
            source: Source {
                file: "f.csv".into(),
                sha256: String::new(),
                line: 2,
            },
        };
        assert_eq!(measures(&r), "责令限期整改;移送办案机构");
        assert_eq!(date_of(&r).unwrap(), NaiveDate::from_ymd_opt(2025, 5, 7).unwrap());
    }

    #[test]
    fn the_files_have_their_headers_and_boms() {
        let on = NaiveDate::from_ymd_opt(2025, 5, 7).unwrap();
        let h = history_csv(&[HistoryRow {
            uscc: "U".into(),
            inspected_on: on,
            inspector_ids: vec!["a".into(), "b".into()],
        }]);
        assert_eq!(h, b"uscc,inspected_on,inspector_ids\nU,2025-05-07,a;b\n");
        let p = publicity_csv(&[]);
        assert!(p.starts_with(UTF8_BOM));
        assert_eq!(
            std::str::from_utf8(&p[UTF8_BOM.len()..]).unwrap(),
            format!("{}\n", PUBLICITY_HEADER.join(","))
        );
        let f = feedback_csv(&[]);
        assert_eq!(
            &f[UTF8_BOM.len()..],
            format!("{}\n", FEEDBACK_HEADER.join(",")).as_bytes()
        );
    }
}
