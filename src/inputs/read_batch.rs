//! Reading every input of a batch plan once, and the checks that need
//! them: items that exist, teams whose departments have inspectors, and
//! items whose department has a place in the team.

use crate::base::error::{InputError, Result};
use crate::inputs::batch_plan::BatchPlan;
use crate::inputs::directory::Directory;
use crate::inputs::history::History;
use crate::inputs::inspectors::{Conflicts, InspectorDirectory};
use crate::inputs::items::{Item, ItemList};
use crate::inputs::read::{DirectoryNames, InputInfo, Read, check_directed_names_under, check_stratum_values};
use crate::inputs::table::RawFile;
use std::collections::{BTreeMap, BTreeSet};

/// A batch plan and everything it reads.
#[derive(Debug, Clone)]
pub struct BatchInputs {
    pub plan: BatchPlan,
    pub enterprises: Directory,
    pub history: Option<History>,
    pub inspectors: Option<InspectorDirectory>,
    pub conflicts: Option<Conflicts>,
    pub items: ItemList,
    /// Input files by role (`enterprises`, `items`, …), in name order.
    pub files: BTreeMap<String, InputInfo>,
}

impl BatchInputs {
    /// Reads and checks every input of a batch plan.
    pub fn load(plan: BatchPlan) -> Result<BatchInputs> {
        plan.check_history_needs()?;
        let mut fields = Vec::new();
        for t in &plan.tasks {
            for f in &t.targets.stratify_by {
                if !fields.contains(f) {
                    fields.push(*f);
                }
            }
        }
        let read = Read::files(&plan.frame, plan.classes(), plan.inspectors.as_ref(), |directory| {
            let names = DirectoryNames::of(directory);
            for t in &plan.tasks {
                let prefix = format!("task {:?}: ", t.task.id);
                check_directed_names_under(&plan.path, &prefix, &t.targets, &names, directory)?;
            }
            check_stratum_values(&fields, directory, &names)
        })?;
        let path = plan.batch.items.resolved.clone();
        let items = ItemList::parse(RawFile::read(&path)?, plan.frame.encoding)?;
        let mut files = read.files;
        files.insert(
            "items".to_string(),
            InputInfo {
                path,
                sha256: items.sha256.clone(),
                rows: items.rows as u64,
                encoding: items.encoding,
            },
        );
        check_tasks(&plan, &items, read.inspectors.as_ref())?;
        Ok(BatchInputs {
            plan,
            enterprises: read.enterprises,
            history: read.history,
            inspectors: read.inspectors,
            conflicts: read.conflicts,
            items,
            files,
        })
    }

    /// The items of task `i`, in the order written.
    pub fn task_items(&self, i: usize) -> Vec<&Item> {
        self.plan.tasks[i]
            .task
            .items
            .iter()
            .map(|code| self.items.get(code).expect("checked when loaded"))
            .collect()
    }

    /// Whether task `i` checks general items only (no key item).
    pub fn general_only(&self, i: usize) -> bool {
        self.task_items(i).iter().all(|item| !item.key)
    }
}

/// Every task's items are in the list; with teams, every department of a
/// team has an inspector, and every item's department has a slot.
fn check_tasks(plan: &BatchPlan, items: &ItemList, inspectors: Option<&InspectorDirectory>) -> Result<()> {
    let departments: BTreeSet<&str> = inspectors
        .map(|d| d.inspectors.iter().map(|p| p.department.as_str()).collect())
        .unwrap_or_default();
    for t in &plan.tasks {
        let error = |message: String| InputError::file(&plan.path, format!("task {:?}: {message}", t.task.id));
        for code in &t.task.items {
            let Some(item) = items.get(code) else {
                return Err(error(format!("item {code:?} is not in the item list {}", items.path)).into());
            };
            if inspectors.is_some() && !t.team.iter().any(|(d, _)| *d == item.department) {
                return Err(error(format!(
                    "item {code} ({}) is checked by {}, which has no slot in the task's team; \
                     add {} = 1 to the team, or drop the item",
                    item.name, item.department, item.department
                ))
                .into());
            }
        }
        if let Some(dir) = inspectors {
            for (d, _) in &t.team {
                if !departments.contains(d.as_str()) {
                    return Err(error(format!(
                        "team.{d}: no inspector of the inspector directory {} is in department {d:?}",
                        dir.path
                    ))
                    .into());
                }
            }
        }
    }
    Ok(())
}
