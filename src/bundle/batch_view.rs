//! Reading a batch bundle's lists back (SPEC.md §10.6): every task's
//! targets, the visits, the teams and the load; and, when the inputs can
//! be found, the item list and each drawn firm's extra columns (address …).
//!
//! It sits beside [`crate::bundle::view`] (a plan's bundle) rather than in
//! `office/`, so that whatever reads a batch bundle — the office's lists
//! and workbook, or a public version of the batch — reads it one way.

use crate::base::error::{Error, Result};
use crate::bundle::batch::{
    ASSIGNMENTS_CSV, BatchManifest, LOAD_CSV, TaskEntry, VISITS_CSV, read_batch_manifest, task_targets_file,
};
use crate::bundle::view::{FirmExtras, TargetRow};
use crate::inputs::items::ItemList;
use crate::inputs::record::InputRecord;
use crate::inputs::table::{RawFile, TextEncoding};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The separator of the lists inside a cell of `visits.csv`.
pub const LIST_SEPARATOR: char = ';';

/// One row of `visits.csv`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitRow {
    pub visit: String,
    pub uscc: String,
    pub name: String,
    pub county: String,
    pub start: String,
    pub end: String,
    /// Task ids, `;`-separated, in batch order.
    pub tasks: String,
    /// Item codes, `;`-separated, in order of first appearance.
    pub items: String,
    /// The departments of the slots, `;`-separated, in slot order.
    pub departments: String,
    /// The officers, `;`-separated, in slot order (empty without teams).
    pub inspector_ids: String,
}

fn split(list: &str) -> Vec<&str> {
    if list.is_empty() {
        Vec::new()
    } else {
        list.split(LIST_SEPARATOR).collect()
    }
}

impl VisitRow {
    /// The visit's task ids, in batch order.
    pub fn task_ids(&self) -> Vec<&str> {
        split(&self.tasks)
    }

    /// The visit's item codes.
    pub fn item_codes(&self) -> Vec<&str> {
        split(&self.items)
    }

    /// The departments of the team's slots, in slot order.
    pub fn slot_departments(&self) -> Vec<&str> {
        split(&self.departments)
    }

    /// The team's officers, in slot order.
    pub fn officer_ids(&self) -> Vec<&str> {
        split(&self.inspector_ids)
    }
}

/// One row of a batch's `assignments.csv`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchAssignmentRow {
    pub visit: String,
    pub uscc: String,
    pub name: String,
    pub slot: u32,
    pub department: String,
    pub inspector_id: String,
    pub inspector_name: String,
}

/// One row of `load.csv`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadRow {
    pub inspector_id: String,
    pub name: String,
    pub department: String,
    pub visits: u64,
}

/// A batch bundle's manifest and lists.
#[derive(Debug, Clone)]
pub struct BatchView {
    pub dir: PathBuf,
    pub manifest: BatchManifest,
    /// Each task's targets, in the manifest's (batch) order.
    pub targets: Vec<Vec<TargetRow>>,
    /// In byte order of the visit id.
    pub visits: Vec<VisitRow>,
    /// Empty when the batch drew no teams.
    pub assignments: Vec<BatchAssignmentRow>,
    /// Every inspector of the directory; empty without teams.
    pub load: Vec<LoadRow>,
}

fn read_rows<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Vec<T>> {
    let bad = |message: String| Error::Bundle {
        path: path.display().to_string(),
        message,
    };
    let mut reader = csv::ReaderBuilder::new()
        .from_path(path)
        .map_err(|e| bad(e.to_string()))?;
    reader
        .deserialize()
        .collect::<Result<Vec<T>, _>>()
        .map_err(|e| bad(format!("not a spotcheck list: {e}")))
}

fn read_if_there<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Vec<T>> {
    if path.exists() { read_rows(path) } else { Ok(Vec::new()) }
}

impl BatchView {
    /// Reads the manifest, every task's targets, `visits.csv` and (when
    /// the batch has teams) `assignments.csv` and `load.csv`.
    pub fn open(dir: &Path) -> Result<BatchView> {
        let manifest = read_batch_manifest(dir)?;
        let targets = manifest
            .tasks
            .iter()
            .map(|t| read_rows(&dir.join(task_targets_file(&t.id))))
            .collect::<Result<Vec<_>>>()?;
        let visits = read_rows(&dir.join(VISITS_CSV))?;
        let assignments = read_if_there(&dir.join(ASSIGNMENTS_CSV))?;
        let load = read_if_there(&dir.join(LOAD_CSV))?;
        Ok(BatchView {
            dir: dir.to_path_buf(),
            manifest,
            targets,
            visits,
            assignments,
            load,
        })
    }

    /// Opens a batch bundle whose draw has teams; an error for one without.
    pub fn open_with_teams(dir: &Path) -> Result<BatchView> {
        let view = BatchView::open(dir)?;
        if view.assignments.is_empty() {
            return Err(Error::Bundle {
                path: dir.display().to_string(),
                message: "this batch has no teams (its plan had no [inspectors] table)".into(),
            });
        }
        Ok(view)
    }

    /// The task with this id.
    pub fn task(&self, id: &str) -> Option<&TaskEntry> {
        self.manifest.tasks.iter().find(|t| t.id == id)
    }

    /// The visit with this id.
    pub fn visit(&self, id: &str) -> Option<&VisitRow> {
        self.visits
            .binary_search_by(|v| v.visit.as_bytes().cmp(id.as_bytes()))
            .ok()
            .map(|i| &self.visits[i])
    }

    /// Inspector ids with their names, in id order: those on a team.
    pub fn inspectors(&self) -> BTreeMap<String, String> {
        self.assignments
            .iter()
            .map(|a| (a.inspector_id.clone(), a.inspector_name.clone()))
            .collect()
    }

    /// The assignments of one inspector, in visit order.
    pub fn of_inspector(&self, id: &str) -> Vec<&BatchAssignmentRow> {
        self.assignments.iter().filter(|a| a.inspector_id == id).collect()
    }

    /// The officers of one visit, in slot order.
    pub fn team(&self, visit: &str) -> Vec<&BatchAssignmentRow> {
        // Assignments are in visit order: find the visit's run.
        let start = self
            .assignments
            .partition_point(|a| a.visit.as_bytes() < visit.as_bytes());
        self.assignments[start..]
            .iter()
            .take_while(|a| a.visit == visit)
            .collect()
    }

    /// The other officers of a visit, as "name (id)".
    pub fn team_mates(&self, visit: &str, id: &str) -> Vec<String> {
        self.team(visit)
            .into_iter()
            .filter(|a| a.inspector_id != id)
            .map(|a| format!("{} ({})", a.inspector_name, a.inspector_id))
            .collect()
    }

    /// The number of targets over all tasks.
    pub fn target_count(&self) -> usize {
        self.targets.iter().map(Vec::len).sum()
    }

    fn input_path(&self, record: &InputRecord) -> PathBuf {
        let path = Path::new(&record.path);
        if path.is_absolute() {
            path.to_path_buf()
        } else {
            self.dir.join(path)
        }
    }

    /// Extra columns of the visited firms (address and the like), read
    /// from the enterprise directory that the manifest names, when it is
    /// there.
    pub fn firm_extras(&self) -> Option<FirmExtras> {
        let record = self.manifest.inputs.get("enterprises")?;
        let raw = RawFile::read(&self.input_path(record)).ok()?;
        let encoding = TextEncoding::from_record(&record.encoding)?;
        let directory = crate::inputs::directory::Directory::parse(raw, encoding, &self.classes()).ok()?;
        let wanted: BTreeSet<&str> = self.visits.iter().map(|v| v.uscc.as_str()).collect();
        let mut reader = directory.details_reader();
        let mut values = BTreeMap::new();
        let mut areas = BTreeMap::new();
        for (i, f) in directory.firms.iter().enumerate() {
            if wanted.contains(f.uscc().as_str()) {
                values.insert(f.uscc().to_string(), reader.details(i).extra);
                if f.supervising_area != f.county {
                    areas.insert(f.uscc().to_string(), directory.value(f.supervising_area).to_string());
                }
            }
        }
        Some(FirmExtras {
            headers: directory.extra_headers.clone(),
            values,
            areas,
        })
    }

    /// The credit classes the batch plan accepts.
    fn classes(&self) -> Vec<String> {
        let m = &self.manifest;
        crate::inputs::batch_plan::BatchPlan::parse(&m.plan.path, &m.plan.text, &self.dir)
            .map(|p| p.classes().to_vec())
            .unwrap_or_else(|_| {
                crate::inputs::plan::DEFAULT_CLASSES
                    .iter()
                    .map(|c| c.to_string())
                    .collect()
            })
    }

    /// The item list that the manifest names (`items`): `None` when the
    /// file is not there, an error when it is there but is not the file
    /// the batch was drawn with (its SHA-256 differs) or does not read.
    pub fn items(&self) -> Result<Option<ItemList>> {
        let Some(record) = self.manifest.inputs.get("items") else {
            return Ok(None);
        };
        let path = self.input_path(record);
        let (file, _) = crate::inputs::xlsx::locate(&path);
        if !file.exists() {
            return Ok(None);
        }
        let raw = RawFile::read(&path)?;
        let found = raw.sha256();
        if found != record.sha256 {
            return Err(Error::Bundle {
                path: path.display().to_string(),
                message: format!(
                    "the item list is not the one the batch was drawn with (SHA-256 {found}, recorded {})",
                    record.sha256
                ),
            });
        }
        let encoding = TextEncoding::from_record(&record.encoding).unwrap_or_default();
        Ok(Some(ItemList::parse(raw, encoding)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn visit(id: &str) -> VisitRow {
        VisitRow {
            visit: id.into(),
            uscc: id[..18].into(),
            name: "某公司".into(),
            county: "凯里市".into(),
            start: "2025-03-01".into(),
            end: "2025-04-30".into(),
            tasks: "T-1;T-2".into(),
            items: "SJ-SP-01;WJ-GW-01".into(),
            departments: "卫生健康局;市场监管局;市场监管局".into(),
            inspector_ids: String::new(),
        }
    }

    fn assignment(visit: &str, slot: u32, id: &str) -> BatchAssignmentRow {
        BatchAssignmentRow {
            visit: visit.into(),
            uscc: visit[..18].into(),
            name: "某公司".into(),
            slot,
            department: "市场监管局".into(),
            inspector_id: id.into(),
            inspector_name: format!("人员{id}"),
        }
    }

    #[test]
    fn lists_in_a_cell_split_on_semicolons() {
        let v = visit("91522601MAN3RD5R72:T-1");
        assert_eq!(v.task_ids(), ["T-1", "T-2"]);
        assert_eq!(v.item_codes(), ["SJ-SP-01", "WJ-GW-01"]);
        assert_eq!(v.slot_departments().len(), 3);
        assert!(v.officer_ids().is_empty(), "no teams, no officers");
    }

    #[test]
    fn teams_are_found_by_visit() {
        let a = "91522601MAN3RD5R72:T-1";
        let b = "91522601MAN3RD5R72:T-3";
        let view = BatchView {
            dir: PathBuf::new(),
            manifest: serde_json::from_str(
                r#"{"format":"spotcheck-batch/1","spec_version":"","tool":"",
                "batch":{"id":"B","name":"","department":"","start":"2025-01-01","end":"2025-12-31"},
                "plan":{"path":"","sha256":"","text":""},"inputs":{},
                "seed":{"source":"operator","value":"s","note":""},
                "tasks":[],"totals":{"directory_rows":0,"tasks":0,"targets":0,"visits":2,"firms":1,"joint_visits":0},
                "outputs":{}}"#,
            )
            .unwrap(),
            targets: Vec::new(),
            visits: vec![visit(a), visit(b)],
            assignments: vec![
                assignment(a, 1, "P1"),
                assignment(a, 2, "P2"),
                assignment(b, 1, "P2"),
                assignment(b, 2, "P3"),
            ],
            load: Vec::new(),
        };
        assert_eq!(view.team(a).len(), 2);
        assert_eq!(view.team(b)[1].inspector_id, "P3");
        assert!(view.team("nothing").is_empty());
        assert_eq!(view.team_mates(b, "P2"), ["人员P3 (P3)"]);
        assert_eq!(view.of_inspector("P2").len(), 2);
        assert_eq!(view.visit(b).map(|v| v.visit.as_str()), Some(b));
        assert!(view.visit("x").is_none());
        assert_eq!(view.inspectors().len(), 3);
    }
}
