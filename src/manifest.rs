//! `manifest.json`: what a bundle was drawn from and what it contains.
//! Rendered deterministically (no clock, no hash-map order), so that
//! `verify` can rebuild it byte for byte.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The version of the draw algorithm in SPEC.md that a bundle follows.
pub const SPEC_VERSION: &str = "spotcheck-draw/1";

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
    /// `utf-8` or `gb18030`.
    pub encoding: String,
}

/// Where the seed came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedRecord {
    /// The seed string S, exactly.
    pub value: String,
    /// `operator` (typed on the command line) or `ceremony`.
    pub source: String,
    /// What a reader should know about the source.
    pub note: String,
    /// The ceremony the seed came from, when it did.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub ceremony: Option<CeremonyRecord>,
}

/// How a ceremony's seed was made, for readers of the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CeremonyRecord {
    /// SHA-256 of `commitment.json`.
    pub commitment_sha256: String,
    pub committed_at: String,
    pub secret_sha256: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub beacon_round: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub beacon_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub beacon_randomness: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub dice: Option<String>,
    /// The commitment that this draw's commitment replaces, if any.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub replaces: Option<String>,
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
    pub total: u64,
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
