//! A batch bundle (SPEC.md §10.6): every task's targets, the visits, the
//! teams and the load over the batch, rendered in memory from the batch's
//! draw. `draw` and `verify` both come here.

use crate::base::error::{Error, Result};
use crate::bundle::make::{
    Provenance, csv_writer, excluded_record, inputs_record, load_summary, output_hashes, strata_records,
};
use crate::bundle::manifest::{ExcludedRecord, MANIFEST_JSON, StratumRecord, TeamSummary, Totals};
use crate::draw::SPEC_VERSION;
use crate::draw::batch::{BatchDraw, Visit, draw_batch, visit_items, visit_needs};
use crate::inputs::read_batch::BatchInputs;
use crate::inputs::record::{InputRecord, PlanRecord};
use crate::seed::record::SeedRecord;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

pub use crate::bundle::manifest::BATCH_FORMAT;
/// The visits' file name.
pub const VISITS_CSV: &str = "visits.csv";
/// The load's file name.
pub const LOAD_CSV: &str = "load.csv";
/// The teams' file name.
pub const ASSIGNMENTS_CSV: &str = crate::bundle::make::ASSIGNMENTS_CSV;

/// A task's targets file in a batch bundle.
pub fn task_targets_file(task_id: &str) -> String {
    format!("tasks/{task_id}/targets.csv")
}

/// The manifest of a batch bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchManifest {
    pub format: String,
    pub spec_version: String,
    pub tool: String,
    pub batch: BatchRecord,
    pub plan: PlanRecord,
    /// Input files by role: `enterprises`, `history`, `inspectors`,
    /// `conflicts`, `items`.
    pub inputs: BTreeMap<String, InputRecord>,
    pub seed: SeedRecord,
    /// Per task, in batch order.
    pub tasks: Vec<TaskEntry>,
    pub totals: BatchTotals,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub teams: Option<TeamSummary>,
    /// SHA-256 of each other file of the bundle, by path.
    pub outputs: BTreeMap<String, String>,
}

/// The batch, as its plan states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchRecord {
    pub id: String,
    pub name: String,
    pub department: String,
    pub start: String,
    pub end: String,
}

/// One task of the batch and its draw's numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskEntry {
    pub id: String,
    pub name: String,
    pub department: String,
    pub start: String,
    pub end: String,
    /// Item codes.
    pub items: Vec<String>,
    /// The task seed `S_t`.
    pub seed: String,
    pub strata: Vec<StratumRecord>,
    pub excluded: ExcludedRecord,
    pub totals: Totals,
}

/// The batch's totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchTotals {
    pub directory_rows: u64,
    pub tasks: u64,
    /// Targets over all tasks.
    pub targets: u64,
    pub visits: u64,
    /// Distinct firms visited.
    pub firms: u64,
    /// Visits that carry more than one task.
    pub joint_visits: u64,
}

impl BatchManifest {
    /// The manifest as written: pretty JSON with a final newline.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec_pretty(self).expect("manifest serializes");
        out.push(b'\n');
        out
    }
}

/// Whether the bundle in `dir` is a batch's: its manifest has `format`
/// `spotcheck-batch/1`.
pub fn is_batch_bundle(dir: &Path) -> bool {
    let Ok(bytes) = std::fs::read(dir.join(MANIFEST_JSON)) else {
        return false;
    };
    serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| v.get("format").and_then(|f| f.as_str()).map(|f| f == BATCH_FORMAT))
        .unwrap_or(false)
}

/// Reads a batch bundle's manifest.
pub fn read_batch_manifest(dir: &Path) -> Result<BatchManifest> {
    let path = dir.join(MANIFEST_JSON);
    let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
    serde_json::from_slice(&bytes).map_err(|e| Error::Bundle {
        path: path.display().to_string(),
        message: format!("not a spotcheck batch manifest: {e}"),
    })
}

/// A rendered batch bundle: path → bytes, `manifest.json` included.
#[derive(Debug, Clone)]
pub struct BatchBundle {
    pub manifest: BatchManifest,
    pub files: BTreeMap<String, Vec<u8>>,
}

/// The one path from a batch's inputs to its bundle.
pub fn make_batch(inputs: &BatchInputs, provenance: &Provenance) -> Result<(BatchDraw, BatchBundle)> {
    let draw = draw_batch(inputs, &provenance.seed.value).map_err(Error::Infeasible)?;
    let bundle = render_batch(inputs, &draw, provenance);
    Ok((draw, bundle))
}

/// `visits.csv`: one row per visit, in byte order of the visit id.
pub fn visits_csv(inputs: &BatchInputs, draw: &BatchDraw) -> Vec<u8> {
    let mut w = csv_writer();
    w.write_record([
        "visit",
        "uscc",
        "name",
        "county",
        "start",
        "end",
        "tasks",
        "items",
        "departments",
        "inspector_ids",
    ])
    .expect("write to memory");
    let directory = &inputs.enterprises;
    for (v, visit) in draw.visits.iter().enumerate() {
        let f = &directory.firms[visit.firm];
        let tasks: Vec<&str> = visit
            .tasks
            .iter()
            .map(|&i| inputs.plan.tasks[i].task.id.as_str())
            .collect();
        let departments: Vec<&str> = visit_needs(inputs, visit)
            .iter()
            .flat_map(|n| std::iter::repeat_n(n.department, n.slots as usize))
            .collect();
        let ids: Vec<&str> = match (&draw.teams, &inputs.inspectors) {
            (Some(teams), Some(officers)) => teams.teams[v]
                .iter()
                .map(|&(_, i)| officers.inspectors[i].id.as_str())
                .collect(),
            _ => Vec::new(),
        };
        w.write_record([
            visit.id.as_str(),
            f.uscc().as_str(),
            &directory.details(visit.firm).name,
            directory.value(f.county),
            &visit.start.to_string(),
            &visit.end.to_string(),
            &tasks.join(";"),
            &visit_items(inputs, visit).join(";"),
            &departments.join(";"),
            &ids.join(";"),
        ])
        .expect("write to memory");
    }
    w.into_inner().expect("flush to memory")
}

/// `assignments.csv` of a batch: one row per officer, in visit order,
/// then slot.
pub fn batch_assignments_csv(inputs: &BatchInputs, visits: &[Visit], teams: &[Vec<(u32, usize)>]) -> Vec<u8> {
    let mut w = csv_writer();
    w.write_record([
        "visit",
        "uscc",
        "name",
        "slot",
        "department",
        "inspector_id",
        "inspector_name",
    ])
    .expect("write to memory");
    let officers = &inputs.inspectors.as_ref().expect("teams need inspectors").inspectors;
    for (visit, team) in visits.iter().zip(teams) {
        let name = inputs.enterprises.details(visit.firm).name;
        let uscc = inputs.enterprises.firms[visit.firm].uscc();
        for &(slot, i) in team {
            let p = &officers[i];
            w.write_record([
                visit.id.as_str(),
                &uscc,
                &name,
                &slot.to_string(),
                &p.department,
                &p.id,
                &p.name,
            ])
            .expect("write to memory");
        }
    }
    w.into_inner().expect("flush to memory")
}

/// `load.csv`: every inspector, by id, with the visits on his or her team.
pub fn load_csv(inputs: &BatchInputs, load: &[u64]) -> Vec<u8> {
    let mut w = csv_writer();
    w.write_record(["inspector_id", "name", "department", "visits"])
        .expect("write to memory");
    let officers = &inputs.inspectors.as_ref().expect("teams need inspectors").inspectors;
    let mut order: Vec<usize> = (0..officers.len()).collect();
    order.sort_by(|&a, &b| officers[a].id.as_bytes().cmp(officers[b].id.as_bytes()));
    for i in order {
        let p = &officers[i];
        w.write_record([p.id.as_str(), &p.name, &p.department, &load[i].to_string()])
            .expect("write to memory");
    }
    w.into_inner().expect("flush to memory")
}

/// The batch bundle's files and manifest.
fn render_batch(inputs: &BatchInputs, draw: &BatchDraw, provenance: &Provenance) -> BatchBundle {
    let plan = &inputs.plan;
    let bom = |body: Vec<u8>| {
        if plan.output.csv_bom {
            [crate::inputs::table::UTF8_BOM, &body].concat()
        } else {
            body
        }
    };
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for (t, (_, targets)) in plan.tasks.iter().zip(&draw.tasks) {
        files.insert(
            task_targets_file(&t.task.id),
            bom(crate::bundle::make::targets_csv(&inputs.enterprises, targets)),
        );
    }
    files.insert(VISITS_CSV.to_string(), bom(visits_csv(inputs, draw)));
    if let Some(teams) = &draw.teams {
        files.insert(
            ASSIGNMENTS_CSV.to_string(),
            bom(batch_assignments_csv(inputs, &draw.visits, &teams.teams)),
        );
        files.insert(LOAD_CSV.to_string(), bom(load_csv(inputs, &teams.load)));
    }
    for (name, bytes) in &provenance.evidence {
        files.insert(name.clone(), bytes.clone());
    }
    let tasks = plan
        .tasks
        .iter()
        .zip(&draw.tasks)
        .map(|(t, (seed, targets))| TaskEntry {
            id: t.task.id.clone(),
            name: t.task.name.clone(),
            department: t.task.department.clone(),
            start: t.task.start.to_string(),
            end: t.task.end.to_string(),
            items: t.task.items.clone(),
            seed: seed.clone(),
            strata: strata_records(targets),
            excluded: excluded_record(&targets.excluded),
            totals: Totals {
                directory_rows: inputs.enterprises.firms.len() as u64,
                eligible: targets.eligible,
                strata: targets.strata.len() as u64,
                targets: targets.targets.len() as u64,
            },
        })
        .collect();
    let mut firms: Vec<usize> = draw.visits.iter().map(|v| v.firm).collect();
    firms.sort_unstable();
    firms.dedup();
    let teams = match (&draw.teams, &inputs.inspectors) {
        (Some(teams), Some(officers)) => Some(load_summary(
            &officers.inspectors,
            &teams.load,
            0,
            teams.teams.iter().map(|t| t.len() as u64).sum(),
        )),
        _ => None,
    };
    let manifest = BatchManifest {
        format: BATCH_FORMAT.to_string(),
        spec_version: SPEC_VERSION.to_string(),
        tool: provenance.tool.clone(),
        batch: BatchRecord {
            id: plan.batch.id.clone(),
            name: plan.batch.name.clone(),
            department: plan.batch.department.clone(),
            start: plan.batch.start.to_string(),
            end: plan.batch.end.to_string(),
        },
        plan: PlanRecord {
            path: provenance.plan_path.clone(),
            sha256: plan.sha256.clone(),
            text: plan.text.clone(),
        },
        inputs: inputs_record(&inputs.files, provenance),
        seed: provenance.seed.clone(),
        tasks,
        totals: BatchTotals {
            directory_rows: inputs.enterprises.firms.len() as u64,
            tasks: plan.tasks.len() as u64,
            targets: draw.tasks.iter().map(|(_, t)| t.targets.len() as u64).sum(),
            visits: draw.visits.len() as u64,
            firms: firms.len() as u64,
            joint_visits: draw.visits.iter().filter(|v| v.tasks.len() > 1).count() as u64,
        },
        teams,
        outputs: output_hashes(&files),
    };
    files.insert(MANIFEST_JSON.to_string(), manifest.to_bytes());
    BatchBundle { manifest, files }
}
