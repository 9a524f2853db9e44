//! What a bundle's manifest and a commitment record of the inputs: the
//! task, the plan byte for byte, and each input file's hash and rows.

use crate::inputs::plan::Plan;
use serde::{Deserialize, Serialize};

/// The task, as the plan states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskRecord {
    pub id: String,
    pub name: String,
    pub department: String,
    pub start: String,
    pub end: String,
    pub items: Vec<String>,
}

/// The task of a plan, as manifests and commitments record it.
pub fn task_record(plan: &Plan) -> TaskRecord {
    TaskRecord {
        id: plan.task.id.clone(),
        name: plan.task.name.clone(),
        department: plan.task.department.clone(),
        start: plan.task.start.to_string(),
        end: plan.task.end.to_string(),
        items: plan.task.items.clone(),
    }
}

/// The plan, byte for byte.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanRecord {
    /// The plan file as named when drawing.
    pub path: String,
    pub sha256: String,
    pub text: String,
}

/// One input file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputRecord {
    /// Where the file was, relative to the bundle directory when possible.
    pub path: String,
    pub sha256: String,
    /// Data rows (lines after the header, blank lines not counted).
    pub rows: u64,
    /// `utf-8` or `gb18030`, or `xlsx` for a sheet of a workbook.
    pub encoding: String,
}
