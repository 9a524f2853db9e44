//! `manifest.json`: what a bundle was drawn from and what it contains.
//! Rendered deterministically (no clock, no hash-map order), so that
//! `verify` can rebuild it byte for byte.

use crate::base::error::{Error, Result};
use crate::inputs::record::{InputRecord, PlanRecord, TaskRecord};
use crate::seed::record::SeedRecord;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The manifest's file name in a bundle.
pub const MANIFEST_JSON: &str = "manifest.json";

/// The results log a bundle may hold beside the draw's files (SPEC.md
/// §11.4): recording adds to it; the draw never writes it, and a replay
/// leaves it, with its lock and its next version, to the results' check.
pub const RESULTS_LOG: &str = "results.jsonl";

/// Whether a file of a bundle belongs to the results log rather than the
/// draw.
pub fn is_results_file(name: &str) -> bool {
    name == RESULTS_LOG || name.starts_with(&format!("{RESULTS_LOG}.")) || name.starts_with(&format!(".{RESULTS_LOG}."))
}
use std::collections::BTreeMap;

/// The tool that wrote a bundle.
pub fn tool_version() -> String {
    format!("spotcheck {}", env!("CARGO_PKG_VERSION"))
}

/// The manifest of a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub spec_version: String,
    pub tool: String,
    pub task: TaskRecord,
    pub plan: PlanRecord,
    /// Input files by role: `enterprises`, `history`, `inspectors`,
    /// `conflicts`.
    pub inputs: BTreeMap<String, InputRecord>,
    pub seed: SeedRecord,
    pub strata: Vec<StratumRecord>,
    pub excluded: ExcludedRecord,
    pub totals: Totals,
    pub frame: FrameRecord,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub teams: Option<TeamSummary>,
    /// SHA-256 of each output file of the bundle, by file name.
    pub outputs: BTreeMap<String, String>,
}

/// One stratum's numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StratumRecord {
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub credit_class: Option<String>,
    pub ratio: String,
    pub n: u64,
    pub k: u64,
    /// k/N with six decimals (informative).
    pub probability: String,
}

/// Firms left out of the eligible frame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExcludedRecord {
    pub inactive: BTreeMap<String, u64>,
    pub outside_counties: u64,
    pub outside_industries: u64,
    pub recently_inspected: u64,
    /// A batch's firms already at the most visits (absent when none).
    #[serde(skip_serializing_if = "is_zero", default)]
    pub visit_cap: u64,
    pub total: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// The Merkle tree over the frame (SPEC.md, frame tree).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrameRecord {
    /// Leaf format version.
    pub leaf_format: String,
    /// Leaves: every firm of the directory.
    pub leaves: u64,
    /// RFC 6962 Merkle Tree Hash of the leaves, hex.
    pub merkle_root: String,
}

/// Totals of the draw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Totals {
    pub directory_rows: u64,
    pub eligible: u64,
    pub strata: u64,
    pub targets: u64,
}

/// Inspector load after the second random.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamSummary {
    pub team_size: u32,
    pub assignments: u64,
    pub inspectors_used: u64,
    pub load_min: u64,
    pub load_median: u64,
    pub load_max: u64,
    /// Per department: inspectors used and assignments.
    pub departments: BTreeMap<String, DepartmentLoad>,
}

/// One department's share of the work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DepartmentLoad {
    pub inspectors_used: u64,
    pub assignments: u64,
    pub load_max: u64,
}

impl Manifest {
    /// The manifest as written to disk: pretty JSON with a final newline.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec_pretty(self).expect("manifest serializes");
        out.push(b'\n');
        out
    }
}

/// The `format` of a batch's manifest (SPEC.md §10.6); a plan's manifest
/// has no `format`.
pub const BATCH_FORMAT: &str = "spotcheck-batch/1";

/// Reads a bundle's manifest.
pub fn read_manifest(dir: &Path) -> Result<Manifest> {
    let path = dir.join(MANIFEST_JSON);
    let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
    let format = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| v.get("format").and_then(|f| f.as_str()).map(String::from));
    if format.as_deref() == Some(BATCH_FORMAT) {
        return Err(Error::Bundle {
            path: path.display().to_string(),
            message: "this is a batch's bundle (spotcheck-batch/1); this command reads a single plan's bundle \
                      and does not take a batch's yet"
                .into(),
        });
    }
    serde_json::from_slice(&bytes).map_err(|e| Error::Bundle {
        path: path.display().to_string(),
        message: format!("not a spotcheck manifest: {e}"),
    })
}
