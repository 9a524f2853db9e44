//! The public bundle's format: `public.json`, the public lists and how
//! they are read back, and the labels of strata whose class is withheld.
//! `publish` writes it, `verify PUBLIC`, the page and proofs read it.

use crate::base::sha256::sha256_hex;
use crate::bundle::make::{ASSIGNMENTS_CSV, TARGETS_CSV};
use crate::bundle::manifest::{ExcludedRecord, FrameRecord, MANIFEST_JSON, TeamSummary, Totals};
use crate::draw::frame::FrameTree;
use crate::inputs::plan::{Plan, StratumField};
use crate::inputs::record::TaskRecord;
use crate::seed::ceremony::{BEACON_JSON, COMMITMENT_JSON, SECRET_TXT};
use crate::seed::record::SeedRecord;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;

/// The format of `public.json`.
pub const PUBLIC_FORMAT: &str = "spotcheck-public/1";
/// The public manifest's file name.
pub const PUBLIC_JSON: &str = "public.json";
/// The page's file name.
pub const INDEX_HTML: &str = "index.html";
/// The ceremony evidence copied into a public bundle when present.
pub const EVIDENCE_FILES: [&str; 3] = [COMMITMENT_JSON, SECRET_TXT, BEACON_JSON];

/// `public.json`: what a public bundle shows and how to check it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicManifest {
    /// [`PUBLIC_FORMAT`].
    pub format: String,
    /// SHA-256 of the private bundle's `manifest.json`.
    pub source_manifest_sha256: String,
    /// The draw algorithm (SPEC.md) the bundle follows.
    pub spec_version: String,
    /// The tool that drew.
    pub tool: String,
    /// The tool that published.
    pub published_by: String,
    pub task: TaskRecord,
    pub plan: PublicPlan,
    /// SHA-256 and row count of each input, by role (the files themselves
    /// are not published).
    pub inputs: BTreeMap<String, PublicInput>,
    pub seed: SeedRecord,
    pub strata: Vec<PublicStratum>,
    pub excluded: ExcludedRecord,
    pub totals: Totals,
    pub frame: FrameRecord,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub teams: Option<TeamSummary>,
    /// The results announcement, when the bundle has a results log.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub results: Option<PublicResults>,
    /// What the public bundle leaves out.
    pub withheld: Vec<Withheld>,
    /// SHA-256 of every other file of the public bundle, by name.
    pub files: BTreeMap<String, String>,
}

/// `public.json`'s `results`: the log published with the bundle, and what
/// it gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicResults {
    /// The log's file name: `results.jsonl`.
    pub log: String,
    /// Its number of lines.
    pub lines: u64,
    /// SHA-256 of its last line (of the source manifest when it has none).
    pub head: String,
    /// Drawn (task, firm) with a result in force.
    pub recorded: u64,
    /// Drawn (task, firm) without one.
    pub pending: u64,
    /// Per result category's name, the results in force; the pending
    /// under `待录入`. Only categories with some.
    pub by_result: BTreeMap<String, u64>,
    /// Results in force that put the firm on the abnormal-operations list
    /// (经营异常名录).
    pub abnormal_operations: u64,
}

/// The plan, byte for byte.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicPlan {
    pub sha256: String,
    pub text: String,
}

/// One input, without its path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicInput {
    pub sha256: String,
    pub rows: u64,
}

/// One stratum as published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicStratum {
    /// The stratum label, or `S1`, `S2`, … when classes are withheld and
    /// strata are formed by class.
    pub label: String,
    /// The stratum's credit class, when classes are published.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub credit_class: Option<String>,
    /// The ratio that applied (left out with opaque labels: it names the
    /// class).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub ratio: Option<String>,
    pub n: u64,
    pub k: u64,
    pub probability: String,
    /// With opaque labels: SHA-256 binding the real label to this
    /// stratum ([`label_commitment`]).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub label_commitment: Option<String>,
}

/// One thing a public bundle leaves out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Withheld {
    /// `credit_class`, `inspector_names`, `inputs` or `frame`.
    pub item: String,
    pub note: String,
}

/// One row of the public `targets.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicTarget {
    /// The public stratum label.
    pub stratum: String,
    pub rank: u64,
    pub ticket: String,
    pub uscc: String,
    pub name: String,
    pub county: String,
    pub industry: String,
    /// Only when classes are published.
    pub credit_class: Option<String>,
}

/// One row of the public `assignments.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicAssignment {
    pub uscc: String,
    pub name: String,
    pub county: String,
    pub slot: u32,
    pub department: String,
    /// Only when inspectors' names are published.
    pub inspector_id: Option<String>,
    pub inspector_name: Option<String>,
}

/// Whether a plan's strata are published under opaque ids: classes are
/// withheld and strata are formed by class.
pub fn opaque_labels(plan: &Plan) -> bool {
    !plan.publish.credit_classes && plan.targets.stratify_by.contains(&StratumField::CreditClass)
}

/// The public label of stratum `index` (0-based, in stratum order).
pub fn public_label(opaque: bool, index: usize, label: &str) -> String {
    if opaque {
        format!("S{}", index + 1)
    } else {
        label.to_string()
    }
}

/// What a public bundle drawn under `plan` leaves out (with `teams`
/// when teams were drawn), in the order `public.json` lists it.
pub fn withheld_items(plan: &Plan, teams: bool) -> Vec<Withheld> {
    let mut withheld = Vec::new();
    if !plan.publish.credit_classes {
        let mut note = "each firm's credit-risk class (信用风险分类) is not in any public file".to_string();
        if opaque_labels(plan) {
            note.push_str(
                "; class-based stratum labels are replaced by S1, S2, … in stratum order, each with a \
                 commitment to its real label that a firm's proof opens; the plan text names the classes \
                 and their ratios, as policy",
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
            note: "inspectors' ids and names: assignments.csv gives each officer's department and slot only".into(),
        });
    }
    withheld.push(Withheld {
        item: "inputs".into(),
        note: "the enterprise directory, inspection history, inspector directory and recusal list are not \
               published; their SHA-256 and row counts are"
            .into(),
    });
    withheld.push(Withheld {
        item: "frame".into(),
        note: "the frame's leaves (every firm's stratum and eligibility): only the Merkle root is published; a \
               firm obtains its own leaf and audit path with spotcheck prove"
            .into(),
    });
    withheld
}

/// A key known only to whoever holds the whole frame:
/// SHA-256(`spotcheck-stratum-key/1\n` ‖ every leaf hash in leaf order).
pub fn frame_key(tree: &FrameTree) -> [u8; 32] {
    let mut h = Sha256::new_with_prefix(b"spotcheck-stratum-key/1\n");
    for leaf in &tree.hashes {
        h.update(leaf);
    }
    h.finalize().into()
}

/// The salt of a stratum label: hex SHA-256(key ‖ label). Given to a
/// firm in its proof; it reveals nothing about other strata.
pub fn label_salt(key: &[u8; 32], label: &str) -> String {
    hex::encode(Sha256::new_with_prefix(key).chain_update(label.as_bytes()).finalize())
}

/// hex SHA-256(`spotcheck-stratum-label/1\n` ‖ salt ‖ `\n` ‖ label): in
/// `public.json` for each opaque stratum; without the salt it cannot be
/// matched with a guessed class.
pub fn label_commitment(salt: &str, label: &str) -> String {
    sha256_hex(format!("spotcheck-stratum-label/1\n{salt}\n{label}").as_bytes())
}

/// `public.json` as written: pretty JSON and a final newline.
pub fn manifest_bytes(m: &PublicManifest) -> Vec<u8> {
    json_bytes(m)
}

/// A public manifest as written: pretty JSON and a final newline.
pub(crate) fn json_bytes<M: Serialize>(m: &M) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(m).expect("public manifest serializes");
    out.push(b'\n');
    out
}

pub(crate) use crate::bundle::make::csv_writer;

/// The header of the public `targets.csv`.
pub fn targets_header(classes: bool) -> Vec<&'static str> {
    let mut h = vec!["stratum", "rank", "ticket", "uscc", "name", "county", "industry"];
    if classes {
        h.push("credit_class");
    }
    h
}

/// The header of the public `assignments.csv`.
pub fn assignments_header(names: bool) -> Vec<&'static str> {
    let mut h = vec!["uscc", "name", "county", "slot", "department"];
    if names {
        h.extend(["inspector_id", "inspector_name"]);
    }
    h
}

pub fn targets_csv(classes: bool, rows: &[PublicTarget]) -> Vec<u8> {
    let mut w = csv_writer();
    w.write_record(targets_header(classes)).expect("write to memory");
    for t in rows {
        let rank = t.rank.to_string();
        let mut rec = vec![
            t.stratum.as_str(),
            &rank,
            &t.ticket,
            &t.uscc,
            &t.name,
            &t.county,
            &t.industry,
        ];
        if classes {
            rec.push(t.credit_class.as_deref().unwrap_or(""));
        }
        w.write_record(rec).expect("write to memory");
    }
    w.into_inner().expect("flush to memory")
}

pub fn assignments_csv(names: bool, rows: &[PublicAssignment]) -> Vec<u8> {
    let mut w = csv_writer();
    w.write_record(assignments_header(names)).expect("write to memory");
    for a in rows {
        let slot = a.slot.to_string();
        let mut rec = vec![a.uscc.as_str(), &a.name, &a.county, &slot, &a.department];
        if names {
            rec.push(a.inspector_id.as_deref().unwrap_or(""));
            rec.push(a.inspector_name.as_deref().unwrap_or(""));
        }
        w.write_record(rec).expect("write to memory");
    }
    w.into_inner().expect("flush to memory")
}

/// Reads a public manifest.
pub fn read_public_manifest(dir: &Path) -> std::result::Result<PublicManifest, String> {
    read_json_manifest(dir, "public manifest", |m: &PublicManifest| &m.format, PUBLIC_FORMAT)
}

/// Reads `public.json` in `dir` as a spotcheck `what`, whose `format`
/// must be `expected`.
pub(crate) fn read_json_manifest<M: DeserializeOwned>(
    dir: &Path,
    what: &str,
    format: impl FnOnce(&M) -> &String,
    expected: &str,
) -> std::result::Result<M, String> {
    let path = dir.join(PUBLIC_JSON);
    let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let m: M = serde_json::from_slice(&bytes).map_err(|e| format!("public.json: not a spotcheck {what}: {e}"))?;
    let found = format(&m);
    if found != expected {
        return Err(format!("public.json: format {found:?} is not {expected}"));
    }
    Ok(m)
}

fn read_records(path: &Path, header: &[&str]) -> std::result::Result<Vec<csv::StringRecord>, String> {
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    read_named_records(path, &name, header)
}

/// The records of a public CSV file, whose header must be `header`;
/// errors name the file as `name`.
pub(crate) fn read_named_records(
    path: &Path,
    name: &str,
    header: &[&str],
) -> std::result::Result<Vec<csv::StringRecord>, String> {
    let mut r = csv::ReaderBuilder::new()
        .from_path(path)
        .map_err(|e| format!("{name}: {e}"))?;
    let found: Vec<String> = r
        .headers()
        .map_err(|e| format!("{name}: {e}"))?
        .iter()
        .map(String::from)
        .collect();
    if found != header {
        return Err(format!(
            "{name}: header is {}, expected {}",
            found.join(","),
            header.join(",")
        ));
    }
    r.records().map(|rec| rec.map_err(|e| format!("{name}: {e}"))).collect()
}

/// Reads the public `targets.csv` (with or without the class column).
pub fn read_public_targets(dir: &Path, classes: bool) -> std::result::Result<Vec<PublicTarget>, String> {
    read_public_targets_file(dir, TARGETS_CSV, classes)
}

/// Reads a public targets list at `name`, a path relative to `dir`
/// (with or without the class column); errors name the file so.
pub fn read_public_targets_file(
    dir: &Path,
    name: &str,
    classes: bool,
) -> std::result::Result<Vec<PublicTarget>, String> {
    let records = read_named_records(&dir.join(name), name, &targets_header(classes))?;
    records
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let rank = r[1]
                .parse()
                .map_err(|_| format!("{name} line {}: rank {:?} is not a number", i + 2, &r[1]))?;
            Ok(PublicTarget {
                stratum: r[0].to_string(),
                rank,
                ticket: r[2].to_string(),
                uscc: r[3].to_string(),
                name: r[4].to_string(),
                county: r[5].to_string(),
                industry: r[6].to_string(),
                credit_class: classes.then(|| r[7].to_string()),
            })
        })
        .collect()
}

/// Reads the public `assignments.csv` (with or without inspectors).
pub fn read_public_assignments(dir: &Path, names: bool) -> std::result::Result<Vec<PublicAssignment>, String> {
    let records = read_records(&dir.join(ASSIGNMENTS_CSV), &assignments_header(names))?;
    records
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let slot = r[3]
                .parse()
                .map_err(|_| format!("assignments.csv line {}: slot {:?} is not a number", i + 2, &r[3]))?;
            Ok(PublicAssignment {
                uscc: r[0].to_string(),
                name: r[1].to_string(),
                county: r[2].to_string(),
                slot,
                department: r[4].to_string(),
                inspector_id: names.then(|| r[5].to_string()),
                inspector_name: names.then(|| r[6].to_string()),
            })
        })
        .collect()
}

/// Whether `dir` holds a public bundle (public.json, no manifest.json).
pub fn is_public_dir(dir: &Path) -> bool {
    dir.join(PUBLIC_JSON).exists() && !dir.join(MANIFEST_JSON).exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_commitments_need_the_salt() {
        let key = [7u8; 32];
        let salt = label_salt(&key, "B");
        assert_eq!(salt.len(), 64);
        assert_ne!(salt, label_salt(&key, "C"));
        let c = label_commitment(&salt, "B");
        assert_ne!(c, label_commitment(&salt, "C"));
        assert_ne!(c, label_commitment(&label_salt(&[8u8; 32], "B"), "B"));
    }
}
