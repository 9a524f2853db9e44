//! Replaying a bundle: find its inputs, check their hashes, draw again
//! through [`bundle::make`] and compare every file byte for byte.

use crate::base::error::{Error, Result};
use crate::bundle::make::{self, Provenance};
use crate::bundle::manifest::MANIFEST_JSON;
use crate::bundle::manifest::{Manifest, read_manifest};
use crate::draw::SPEC_VERSION;
use crate::inputs::plan::{Overrides, Plan};
use crate::inputs::read::{InputInfo, Inputs};
use crate::inputs::record::{InputRecord, PlanRecord};
use crate::inputs::table::RawFile;
use crate::seed::record::SeedRecord;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// One way a bundle fails to verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// The bundle's manifest cannot be read.
    Manifest(String),
    /// An input's SHA-256 is not the one recorded.
    InputHash {
        role: String,
        path: String,
        recorded: String,
        found: String,
    },
    /// An input no longer parses.
    InputInvalid(String),
    /// The plan text does not match its recorded hash.
    PlanHash { recorded: String, found: String },
    /// A file the replay produces is not in the bundle.
    Missing(String),
    /// A file in the bundle differs from the replay.
    Differs { file: String, details: Vec<String> },
    /// A file in the bundle that a draw does not write.
    Unexpected(String),
    /// The results log breaks its chain or a rule (SPEC.md §11.4).
    Results(String),
    /// A piece of the seed ceremony's evidence is wrong.
    Ceremony(String),
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Finding::Manifest(m) => write!(f, "manifest.json: {m}"),
            Finding::InputHash {
                role,
                path,
                recorded,
                found,
            } => write!(
                f,
                "input {role} ({path}) has changed: SHA-256 recorded {recorded}, found {found}"
            ),
            Finding::InputInvalid(m) => write!(f, "input no longer valid: {m}"),
            Finding::PlanHash { recorded, found } => {
                write!(
                    f,
                    "plan text in manifest.json does not match its SHA-256: recorded {recorded}, found {found}"
                )
            }
            Finding::Missing(file) => write!(f, "{file}: missing from the bundle"),
            Finding::Differs { file, details } => {
                write!(f, "{file}: differs from the replayed draw")?;
                for d in details {
                    write!(f, "\n    {d}")?;
                }
                Ok(())
            }
            Finding::Unexpected(file) => write!(f, "{file}: not a file that a draw writes"),
            Finding::Ceremony(m) => write!(f, "ceremony: {m}"),
            Finding::Results(m) => write!(f, "{m}"),
        }
    }
}

/// What `verify` found.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Empty when the bundle verified.
    pub findings: Vec<Finding>,
    /// Things a reader should know even when it verified.
    pub warnings: Vec<String>,
    /// A one-line description of what was checked.
    pub summary: String,
    /// Facts worth printing after "verified".
    pub notes: Vec<String>,
}

impl Report {
    /// Whether everything matched.
    pub fn ok(&self) -> bool {
        self.findings.is_empty()
    }
}

/// What no program can check of a ceremony, and how a reader can.
pub const PUBLICATION_NOT_CHECKED: &str = "that commitment.json was public before the randomness existed \
     (before the drand round was produced and the dice were rolled): compare the time the website or notice \
     board published it, or an archived copy of that page, with the round's time";

/// Verifies the bundle in `dir`. Inputs are found through the manifest
/// (paths relative to the bundle) unless `overrides` names them.
pub fn verify(dir: &Path, overrides: &Overrides) -> Result<Report> {
    Ok(replay(dir, overrides)?.0)
}

/// Replays the bundle as [`verify`] does: the report and, when the inputs
/// could be read and the draw made, the inputs and the draw (for the
/// results' substitutions, which follow the draw's rankings).
pub fn replay(dir: &Path, overrides: &Overrides) -> Result<(Report, Option<(Inputs, make::Outcome)>)> {
    let mut report = Report::default();
    let manifest_path = dir.join(MANIFEST_JSON);
    if !manifest_path.exists() {
        return Err(Error::Bundle {
            path: dir.display().to_string(),
            message: "no manifest.json here; is this a spotcheck bundle?".into(),
        });
    }
    let manifest = match read_manifest(dir) {
        Ok(m) => m,
        Err(e) => {
            report.findings.push(Finding::Manifest(e.to_string()));
            return Ok((report, None));
        }
    };
    if manifest.spec_version != SPEC_VERSION {
        report.findings.push(Finding::Manifest(format!(
            "spec_version {:?} is not one this tool implements ({SPEC_VERSION})",
            manifest.spec_version
        )));
        return Ok((report, None));
    }
    let check_frame = |c: &crate::seed::ceremony::Commitment, report: &mut Report| match &c.frame {
        Some(frame) => {
            let strata_n: Vec<u64> = manifest.strata.iter().map(|s| s.n).collect();
            let f = &manifest.frame;
            for d in frame.differences(&f.leaf_format, f.leaves, &f.merkle_root, &strata_n) {
                report.findings.push(Finding::Ceremony(d));
            }
        }
        None => report
            .notes
            .push(crate::seed::ceremony::FRAME_NOT_BOUND_NOTE.to_string()),
    };
    let recorded = Recorded {
        seed: &manifest.seed,
        inputs: &manifest.inputs,
        plan: &manifest.plan,
    };
    let evidence = match check_ceremony(dir, &recorded, check_frame, &mut report) {
        Some(e) => e,
        None => return Ok((report, None)),
    };
    recorded.check_plan_hash(&mut report);
    let mut plan = match Plan::parse(&manifest.plan.path, &manifest.plan.text, dir) {
        Ok(p) => p,
        Err(e) => {
            report
                .findings
                .push(Finding::Manifest(format!("the plan in it does not parse: {e}")));
            return Ok((report, None));
        }
    };
    let located = locate_inputs(dir, &manifest, overrides)?;
    plan.apply(&located_overrides(&located, &manifest.inputs));
    let loaded = Inputs::load(plan);
    check_input_hashes(
        loaded.as_ref().ok().map(|i| &i.files),
        &located,
        &manifest.inputs,
        &mut report,
    )?;
    let Some(inputs) = loaded_or_finding(loaded, &mut report)? else {
        return Ok((report, None));
    };
    let provenance = recorded.provenance(&manifest.tool, evidence);
    let (outcome, replay) = make::make(&inputs, &provenance)?;
    compare_files(dir, &replay.files, &mut report)?;
    seed_notes(&manifest.seed, &mut report);
    report.summary = format!(
        "{} targets in {} strata from {} firms; {} files and {} inputs checked",
        manifest.totals.targets,
        manifest.totals.strata,
        manifest.totals.directory_rows,
        replay.files.len(),
        located.len()
    );
    Ok((report, Some((inputs, outcome))))
}

/// What a manifest (a plan's or a batch's) records of the seed, the
/// inputs and the plan.
pub(crate) struct Recorded<'a> {
    pub seed: &'a SeedRecord,
    pub inputs: &'a BTreeMap<String, InputRecord>,
    pub plan: &'a PlanRecord,
}

impl Recorded<'_> {
    /// The plan text against its recorded SHA-256.
    pub(crate) fn check_plan_hash(&self, report: &mut Report) {
        let found = crate::base::sha256::sha256_hex(self.plan.text.as_bytes());
        if found != self.plan.sha256 {
            report.findings.push(Finding::PlanHash {
                recorded: self.plan.sha256.clone(),
                found,
            });
        }
    }

    /// The provenance to replay with: the manifest's tool, plan path,
    /// input paths and seed, and the evidence found in the bundle.
    pub(crate) fn provenance(&self, tool: &str, evidence: BTreeMap<String, Vec<u8>>) -> Provenance {
        Provenance {
            tool: tool.to_string(),
            plan_path: self.plan.path.clone(),
            input_paths: self.inputs.iter().map(|(k, v)| (k.clone(), v.path.clone())).collect(),
            // The note follows from the source: a note edited to read like
            // another source's is a difference, not provenance.
            seed: SeedRecord {
                note: self.seed.expected_note().to_string(),
                ..self.seed.clone()
            },
            evidence,
        }
    }
}

/// The inputs as loaded for a replay; an input that no longer reads is a
/// finding (`None`), any other error stops the replay.
pub(crate) fn loaded_or_finding<T>(loaded: Result<T>, report: &mut Report) -> Result<Option<T>> {
    match loaded {
        Ok(i) => Ok(Some(i)),
        Err(Error::Input(e)) => {
            report.findings.push(Finding::InputInvalid(e.to_string()));
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// The inputs found for a replay, as overrides of the plan's paths, read
/// with the encoding they were recorded with.
pub(crate) fn located_overrides(
    located: &BTreeMap<String, PathBuf>,
    inputs: &BTreeMap<String, InputRecord>,
) -> Overrides {
    Overrides {
        enterprises: located.get("enterprises").cloned(),
        history: located.get("history").cloned(),
        inspectors: located.get("inspectors").cloned(),
        conflicts: located.get("conflicts").cloned(),
        items: located.get("items").cloned(),
        encoding: recorded_encoding(inputs),
    }
}

/// Each recorded input's SHA-256 against the file's: from the load when it
/// worked (`read`), else from each file read again, so that the report
/// says which input changed.
pub(crate) fn check_input_hashes(
    read: Option<&BTreeMap<String, InputInfo>>,
    located: &BTreeMap<String, PathBuf>,
    inputs: &BTreeMap<String, InputRecord>,
    report: &mut Report,
) -> Result<()> {
    let mut hashes = BTreeMap::new();
    match read {
        Some(files) => {
            for (role, info) in files {
                hashes.insert(role.clone(), info.sha256.clone());
            }
        }
        None => {
            for (role, path) in located {
                hashes.insert(role.clone(), RawFile::read(path)?.sha256());
            }
        }
    }
    for (role, recorded) in inputs {
        let found = hashes.get(role).cloned().unwrap_or_else(|| "(not read)".into());
        if found != recorded.sha256 {
            report.findings.push(Finding::InputHash {
                role: role.clone(),
                path: located[role].display().to_string(),
                recorded: recorded.sha256.clone(),
                found,
            });
        }
    }
    Ok(())
}

/// The warning and notes that go with a seed: an operator's seed, or
/// what the ceremony's evidence showed and what no program can check.
pub(crate) fn seed_notes(seed: &SeedRecord, report: &mut Report) {
    report.warnings.extend(seed.warning().map(String::from));
    if let Some(c) = &seed.ceremony {
        let mut line = format!("seed from the ceremony committed at {}", c.committed_at);
        if let Some(r) = c.beacon_round {
            line.push_str(&format!(", drand quicknet round {r} (signature checked)"));
        }
        if let Some(d) = &c.dice {
            line.push_str(&format!(", dice {d}"));
        }
        if let Some(old) = &c.replaces {
            line.push_str(&format!("; this draw replaces the commitment {old}"));
        }
        if c.rehearsal {
            line.push_str("; a REHEARSAL (commitment time typed in)");
        }
        report.notes.push(line);
        report.notes.push(format!("not checked: {PUBLICATION_NOT_CHECKED}"));
    }
}

/// Checks the ceremony's evidence in the bundle: the secret against the
/// commitment, the beacon's signature and round, the inputs and plan
/// against the commitment (`check_frame` the frame or tasks), and the
/// seed's derivation. Returns the evidence files (to be part of the
/// replayed bundle), or `None` when the bundle cannot be checked further.
pub(crate) fn check_ceremony(
    dir: &Path,
    manifest: &Recorded,
    check_frame: impl FnOnce(&crate::seed::ceremony::Commitment, &mut Report),
    report: &mut Report,
) -> Option<BTreeMap<String, Vec<u8>>> {
    use crate::seed::ceremony::{self, BEACON_JSON, COMMITMENT_JSON, Evidence, SECRET_TXT};
    let mut files = BTreeMap::new();
    let Some(record) = &manifest.seed.ceremony else {
        if manifest.seed.source != "operator" {
            report.findings.push(Finding::Manifest(format!(
                "unknown seed source {:?}",
                manifest.seed.source
            )));
            return None;
        }
        return Some(files);
    };
    if manifest.seed.source != "ceremony" {
        report
            .findings
            .push(Finding::Manifest("seed.source does not match seed.ceremony".into()));
        return None;
    }
    for name in [COMMITMENT_JSON, SECRET_TXT, BEACON_JSON] {
        if let Ok(bytes) = std::fs::read(dir.join(name)) {
            files.insert(name.to_string(), bytes);
        }
    }
    let Some(commitment) = files.get(COMMITMENT_JSON).cloned() else {
        report
            .findings
            .push(Finding::Ceremony("commitment.json is missing from the bundle".into()));
        return None;
    };
    let evidence = Evidence {
        commitment,
        secret: files
            .get(SECRET_TXT)
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default(),
        beacon: files.get(BEACON_JSON).cloned(),
        dice: record.dice.clone(),
    };
    let checked = match ceremony::check(&evidence) {
        Ok(c) => c,
        Err(e) => {
            report.findings.push(Finding::Ceremony(e.to_string()));
            return None;
        }
    };
    let c = &checked.commitment;
    if checked.commitment_sha256 != record.commitment_sha256 {
        report.findings.push(Finding::Ceremony(format!(
            "commitment.json has SHA-256 {}, but the manifest records {}",
            checked.commitment_sha256, record.commitment_sha256
        )));
    }
    for (role, input) in manifest.inputs {
        match c.inputs.get(role) {
            Some(committed) if committed.sha256 == input.sha256 => {}
            Some(committed) => report.findings.push(Finding::Ceremony(format!(
                "input {role}: the manifest's SHA-256 {} is not the committed {}",
                input.sha256, committed.sha256
            ))),
            None => report
                .findings
                .push(Finding::Ceremony(format!("input {role} was not committed"))),
        }
    }
    for role in c.inputs.keys() {
        if !manifest.inputs.contains_key(role) {
            report.findings.push(Finding::Ceremony(format!(
                "committed input {role} is not in the manifest"
            )));
        }
    }
    if c.plan.sha256 != manifest.plan.sha256 || c.plan.text != manifest.plan.text {
        report.findings.push(Finding::Ceremony(
            "plan: the manifest's plan is not the committed plan".into(),
        ));
    }
    check_frame(c, report);
    if checked.seed != manifest.seed.value {
        report.findings.push(Finding::Ceremony(format!(
            "seed: the evidence gives {}, but the manifest's seed is {}",
            checked.seed, manifest.seed.value
        )));
    }
    let expected = checked.record();
    if &expected != record {
        report.findings.push(Finding::Ceremony(
            "the manifest's ceremony record does not match the evidence".into(),
        ));
    }
    Some(files)
}

/// The encoding to read the inputs with again: the one every text input
/// was read with, when they agree (a draw with `--encoding` reads all
/// inputs alike; a workbook has no encoding); otherwise each file is
/// detected again, as it was.
fn recorded_encoding(inputs: &BTreeMap<String, InputRecord>) -> Option<crate::inputs::table::TextEncoding> {
    let mut names = inputs
        .values()
        .map(|i| i.encoding.as_str())
        .filter(|&n| n != crate::inputs::table::TextEncoding::Xlsx.name());
    let first = names.next()?;
    if names.all(|n| n == first) {
        first.parse().ok()
    } else {
        None
    }
}

/// Where each input of a bundle is: the flag's path when given, else the
/// manifest's path (relative to the bundle).
pub fn locate_inputs(dir: &Path, manifest: &Manifest, o: &Overrides) -> Result<BTreeMap<String, PathBuf>> {
    locate_recorded(dir, &manifest.inputs, o)
}

/// [`locate_inputs`] for inputs as any manifest records them.
pub fn locate_recorded(
    dir: &Path,
    inputs: &BTreeMap<String, InputRecord>,
    o: &Overrides,
) -> Result<BTreeMap<String, PathBuf>> {
    let mut out = BTreeMap::new();
    for (role, record) in inputs {
        let flag = match role.as_str() {
            "enterprises" => o.enterprises.clone(),
            "history" => o.history.clone(),
            "inspectors" => o.inspectors.clone(),
            "conflicts" => o.conflicts.clone(),
            "items" => o.items.clone(),
            _ => None,
        };
        let path = flag.unwrap_or_else(|| {
            let p = Path::new(&record.path);
            if p.is_absolute() { p.to_path_buf() } else { dir.join(p) }
        });
        if !crate::inputs::xlsx::input_exists(&path) {
            return Err(Error::Bundle {
                path: path.display().to_string(),
                message: format!(
                    "the {role} input recorded in the manifest is not here; pass --{role} FILE to say where it is"
                ),
            });
        }
        out.insert(role.clone(), path);
    }
    Ok(out)
}

pub(crate) fn compare_files(dir: &Path, expected: &BTreeMap<String, Vec<u8>>, report: &mut Report) -> Result<()> {
    for (name, bytes) in expected {
        let path = dir.join(name);
        // A province's lists are hundreds of megabytes: a file is read
        // whole only when it differs, to say where.
        match holds(&path, bytes) {
            Err(_) => {
                report.findings.push(Finding::Missing(name.clone()));
                continue;
            }
            Ok(true) => continue,
            Ok(false) => {}
        }
        let Ok(found) = std::fs::read(&path) else {
            report.findings.push(Finding::Missing(name.clone()));
            continue;
        };
        if &found != bytes {
            let details = if name.ends_with(".json") {
                json_differences(bytes, &found)
            } else {
                line_differences(bytes, &found)
            };
            report.findings.push(Finding::Differs {
                file: name.clone(),
                details,
            });
        }
    }
    let mut present = Vec::new();
    list_files(dir, dir, &mut present)?;
    for name in present {
        if !expected.contains_key(&name) && !crate::bundle::manifest::is_results_file(&name) {
            report.findings.push(Finding::Unexpected(name));
        }
    }
    Ok(())
}

/// Whether the file at `path` holds exactly `bytes`, read a piece at a
/// time.
fn holds(path: &Path, bytes: &[u8]) -> std::io::Result<bool> {
    use std::io::Read;
    let (file, meta) = crate::inputs::file_bytes::open_regular(path)?;
    if meta.len() != bytes.len() as u64 {
        return Ok(false);
    }
    let mut file = std::io::BufReader::with_capacity(1 << 20, file);
    let mut piece = vec![0u8; 1 << 20];
    let mut at = 0;
    loop {
        let n = file.read(&mut piece)?;
        if n == 0 {
            return Ok(at == bytes.len());
        }
        if bytes.get(at..at + n) != Some(&piece[..n]) {
            return Ok(false);
        }
        at += n;
    }
}

fn list_files(root: &Path, dir: &Path, out: &mut Vec<String>) -> Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            list_files(root, &p, out)?;
        } else {
            let rel = p.strip_prefix(root).expect("under root");
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
    Ok(())
}

/// The first few lines that differ, with line numbers.
pub fn line_differences(expected: &[u8], found: &[u8]) -> Vec<String> {
    let e = String::from_utf8_lossy(expected);
    let f = String::from_utf8_lossy(found);
    let el: Vec<&str> = e.lines().collect();
    let fl: Vec<&str> = f.lines().collect();
    let mut out = Vec::new();
    if el.len() != fl.len() {
        out.push(format!("{} lines expected, {} found", el.len(), fl.len()));
    }
    for i in 0..el.len().max(fl.len()) {
        let (a, b) = (el.get(i).copied(), fl.get(i).copied());
        if a != b {
            out.push(format!(
                "line {}: expected {}; found {}",
                i + 1,
                a.map_or("(nothing)".into(), |s| format!("{s:?}")),
                b.map_or("(nothing)".into(), |s| format!("{s:?}"))
            ));
            if out.len() >= 4 {
                break;
            }
        }
    }
    if out.is_empty() {
        out.push("line endings or trailing bytes differ".into());
    }
    out
}

/// The JSON paths whose values differ (at most ten).
pub fn json_differences(expected: &[u8], found: &[u8]) -> Vec<String> {
    let parse = |b: &[u8]| serde_json::from_slice::<serde_json::Value>(b);
    let (Ok(e), Ok(f)) = (parse(expected), parse(found)) else {
        return vec!["not valid JSON".into()];
    };
    let mut out = Vec::new();
    diff_json("", &e, &f, &mut out);
    if out.is_empty() {
        out.push("same values, different bytes (formatting)".into());
    }
    out.truncate(10);
    out
}

fn diff_json(path: &str, e: &serde_json::Value, f: &serde_json::Value, out: &mut Vec<String>) {
    use serde_json::Value;
    match (e, f) {
        (Value::Object(a), Value::Object(b)) => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let p = format!("{path}.{k}");
                match (a.get(k), b.get(k)) {
                    (Some(x), Some(y)) => diff_json(&p, x, y, out),
                    (Some(_), None) => out.push(format!("{p}: missing")),
                    (None, Some(_)) => out.push(format!("{p}: not expected")),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                diff_json(&format!("{path}[{i}]"), x, y, out);
            }
        }
        _ if e != f => {
            let show = |v: &Value| {
                let s = v.to_string();
                if s.len() > 80 {
                    format!("{}…", &s[..s.floor_char_boundary(80)])
                } else {
                    s
                }
            };
            out.push(format!("{path}: expected {}, found {}", show(e), show(f)));
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_holds_its_bytes_and_no_others() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("targets.csv");
        // Over two pieces of the reading, so that a change in the second
        // is seen.
        let bytes: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &bytes).unwrap();
        assert!(holds(&path, &bytes).unwrap());
        let mut other = bytes.clone();
        other[2_500_000] ^= 1;
        assert!(!holds(&path, &other).unwrap());
        assert!(!holds(&path, &bytes[..bytes.len() - 1]).unwrap());
        assert!(holds(&dir.path().join("missing.csv"), &bytes).is_err());
    }
}
