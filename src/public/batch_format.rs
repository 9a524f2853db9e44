//! The public bundle of a batch (`spotcheck-public-batch/1`, SPEC.md
//! §10.7): its `public.json`, the public `visits.csv`, and what it
//! withholds. Each task's `tasks/<id>/targets.csv` is the public
//! `targets.csv` of a plan's public bundle ([`crate::public::format`]).

use crate::bundle::batch::{BatchRecord, BatchTotals};
use crate::bundle::manifest::{ExcludedRecord, TeamSummary, Totals};
use crate::inputs::batch_plan::BatchPlan;
use crate::inputs::plan::StratumField;
use crate::public::format::{
    PUBLIC_JSON, PublicInput, PublicPlan, PublicResults, PublicStratum, Withheld, csv_writer, json_bytes,
    read_json_manifest, read_named_records,
};
use crate::seed::record::SeedRecord;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// The format of a batch's `public.json`.
pub const PUBLIC_BATCH_FORMAT: &str = "spotcheck-public-batch/1";

/// `public.json` of a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicBatchManifest {
    /// [`PUBLIC_BATCH_FORMAT`].
    pub format: String,
    /// SHA-256 of the batch bundle's `manifest.json`.
    pub source_manifest_sha256: String,
    pub spec_version: String,
    /// The tool that drew.
    pub tool: String,
    /// The tool that published.
    pub published_by: String,
    pub batch: BatchRecord,
    pub plan: PublicPlan,
    /// SHA-256 and rows of each input, by role (`items` included).
    pub inputs: BTreeMap<String, PublicInput>,
    pub seed: SeedRecord,
    /// The items the tasks name, in byte order of their codes, as the
    /// item list gives them.
    pub items: Vec<PublicItem>,
    /// Per task, in batch order.
    pub tasks: Vec<PublicTask>,
    pub totals: BatchTotals,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub teams: Option<TeamSummary>,
    /// The results announcement, when the bundle has a results log.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub results: Option<PublicResults>,
    pub withheld: Vec<Withheld>,
    /// SHA-256 of every other file, by path (`tasks/<id>/targets.csv`).
    pub files: BTreeMap<String, String>,
}

/// One item of the item list (SPEC.md §10.1), as published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicItem {
    pub code: String,
    pub name: String,
    pub department: String,
    /// `重点` (a key item) or `一般` (a general one).
    pub category: String,
    pub legal_basis: String,
    pub method: String,
}

/// An item of a task: its code and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicTaskItem {
    pub code: String,
    pub name: String,
}

/// One task of a batch as published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicTask {
    pub id: String,
    pub name: String,
    /// The lead department.
    pub department: String,
    pub start: String,
    pub end: String,
    /// In the order the plan writes them.
    pub items: Vec<PublicTaskItem>,
    /// The task seed `S_t = S ‖ ":task:" ‖ id`.
    pub seed: String,
    /// As a plan's public strata (opaque `S1`, `S2`, … when classes are
    /// withheld and the task stratifies by class; no label commitment).
    pub strata: Vec<PublicStratum>,
    pub excluded: ExcludedRecord,
    pub totals: Totals,
}

/// The category word of an item.
pub fn category_word(key: bool) -> &'static str {
    if key { "重点" } else { "一般" }
}

/// Whether task `i` of `plan` publishes its strata under opaque ids:
/// classes are withheld and the task stratifies by class.
pub fn task_opaque(plan: &BatchPlan, i: usize) -> bool {
    !plan.publish.credit_classes && plan.tasks[i].targets.stratify_by.contains(&StratumField::CreditClass)
}

/// What a batch's public bundle leaves out, in the order `public.json`
/// lists it.
pub fn batch_withheld(plan: &BatchPlan, teams: bool) -> Vec<Withheld> {
    let mut withheld = Vec::new();
    if !plan.publish.credit_classes {
        let mut note = "each firm's credit-risk class (信用风险分类) is not in any public file".to_string();
        if (0..plan.tasks.len()).any(|i| task_opaque(plan, i)) {
            note.push_str(
                "; in a task whose strata are formed by class, the labels are replaced by S1, S2, … in stratum \
                 order; the plan text names the classes and their ratios, as policy",
            );
        }
        withheld.push(Withheld {
            item: "credit_class".into(),
            note,
        });
    }
    if teams && !plan.publish.inspector_names {
        withheld.push(Withheld {
            item: "inspector_names".into(),
            note: "each visit's team (departments, inspectors' ids and names) and every inspector's load: \
                   visits.csv has no team columns; public.json gives the team summary"
                .into(),
        });
    }
    withheld.push(Withheld {
        item: "inputs".into(),
        note: "the enterprise directory, inspection history, inspector directory, recusal list and the item list \
               file are not published; their SHA-256 and row counts are, and the items the tasks name"
            .into(),
    });
    withheld
}

/// One row of the public `visits.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicVisit {
    pub visit: String,
    pub uscc: String,
    pub name: String,
    pub county: String,
    pub start: String,
    pub end: String,
    /// Task ids, in batch order.
    pub tasks: Vec<String>,
    /// Item codes, in order of first appearance.
    pub items: Vec<String>,
    /// Only when inspectors' names are published: per slot, the
    /// department, id and name.
    pub team: Option<Vec<(String, String, String)>>,
}

/// The header of the public `visits.csv`.
pub fn visits_header(names: bool) -> Vec<&'static str> {
    let mut h = vec!["visit", "uscc", "name", "county", "start", "end", "tasks", "items"];
    if names {
        h.extend(["departments", "inspector_ids", "inspector_names"]);
    }
    h
}

/// The public `visits.csv` (UTF-8, LF, no byte-order mark).
pub fn visits_csv(names: bool, rows: &[PublicVisit]) -> Vec<u8> {
    let mut w = csv_writer();
    w.write_record(visits_header(names)).expect("write to memory");
    for v in rows {
        let mut rec = vec![
            v.visit.clone(),
            v.uscc.clone(),
            v.name.clone(),
            v.county.clone(),
            v.start.clone(),
            v.end.clone(),
            v.tasks.join(";"),
            v.items.join(";"),
        ];
        if names {
            let team = v.team.as_deref().unwrap_or(&[]);
            for part in 0..3 {
                let values: Vec<&str> = team
                    .iter()
                    .map(|m| match part {
                        0 => m.0.as_str(),
                        1 => m.1.as_str(),
                        _ => m.2.as_str(),
                    })
                    .collect();
                rec.push(values.join(";"));
            }
        }
        w.write_record(rec).expect("write to memory");
    }
    w.into_inner().expect("flush to memory")
}

/// The parts of a `;`-separated list (none in an empty one).
pub(crate) fn split_list(s: &str) -> Vec<String> {
    if s.is_empty() {
        Vec::new()
    } else {
        s.split(';').map(String::from).collect()
    }
}

/// Reads the public `visits.csv`; errors name the file and line.
pub fn read_public_visits(dir: &Path, names: bool) -> Result<Vec<PublicVisit>, String> {
    let name = crate::bundle::batch::VISITS_CSV;
    let records = read_named_records(&dir.join(name), name, &visits_header(names))?;
    records
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let team = if names {
                let (d, ids, ns) = (split_list(&r[8]), split_list(&r[9]), split_list(&r[10]));
                if d.len() != ids.len() || d.len() != ns.len() {
                    return Err(format!(
                        "{name} line {}: departments, inspector_ids and inspector_names do not have the same number of slots",
                        i + 2
                    ));
                }
                Some(
                    d.into_iter()
                        .zip(ids)
                        .zip(ns)
                        .map(|((d, id), n)| (d, id, n))
                        .collect(),
                )
            } else {
                None
            };
            Ok(PublicVisit {
                visit: r[0].to_string(),
                uscc: r[1].to_string(),
                name: r[2].to_string(),
                county: r[3].to_string(),
                start: r[4].to_string(),
                end: r[5].to_string(),
                tasks: split_list(&r[6]),
                items: split_list(&r[7]),
                team,
            })
        })
        .collect()
}

/// `public.json` as written: pretty JSON and a final newline.
pub fn batch_manifest_bytes(m: &PublicBatchManifest) -> Vec<u8> {
    json_bytes(m)
}

/// Whether `dir`'s `public.json` says it is a batch's public bundle.
pub fn is_public_batch(dir: &Path) -> bool {
    let Ok(bytes) = std::fs::read(dir.join(PUBLIC_JSON)) else {
        return false;
    };
    serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| {
            v.get("format")
                .and_then(|f| f.as_str())
                .map(|f| f == PUBLIC_BATCH_FORMAT)
        })
        .unwrap_or(false)
}

/// Reads a batch's public manifest.
pub fn read_public_batch_manifest(dir: &Path) -> Result<PublicBatchManifest, String> {
    read_json_manifest(
        dir,
        "public batch manifest",
        |m: &PublicBatchManifest| &m.format,
        PUBLIC_BATCH_FORMAT,
    )
}
