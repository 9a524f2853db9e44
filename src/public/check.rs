//! Checking a public bundle with nothing but its own files
//! (`spotcheck verify PUBLIC_DIR`): the files against `public.json`, the
//! seed against its evidence, every stratum's k, every ticket and rank,
//! the teams, the results announcement when there is one
//! ([`crate::public::announcement::check_results`]), and the page.

use crate::base::error::{Error, Result};
use crate::base::sha256::sha256_hex;
use crate::bundle::make::{ASSIGNMENTS_CSV, TARGETS_CSV};
use crate::bundle::manifest::{TeamSummary, Totals, tool_version};
use crate::bundle::verify;
use crate::draw::SPEC_VERSION;
use crate::draw::frame::LEAF_FORMAT;
use crate::draw::targets::sample_size;
use crate::draw::ticket::{SeedHash, Ticket};
use crate::inputs::plan::{Plan, Ratios, StratumField};
use crate::inputs::ratio::probability;
use crate::inputs::record::TaskRecord;
use crate::public::announcement::{
    RESULTS_CSV, RESULTS_LOG, ResultRow, ResultsCheck, check_results, note_ids_in_log, plan_lists,
};
use crate::public::format::{
    EVIDENCE_FILES, INDEX_HTML, PUBLIC_JSON, PublicAssignment, PublicInput, PublicManifest, PublicPlan, PublicStratum,
    PublicTarget, opaque_labels, read_public_assignments, read_public_manifest, read_public_targets, withheld_items,
};
use crate::seed::ceremony::{self, BEACON_JSON, COMMITMENT_JSON, Commitment, Evidence, SECRET_TXT};
use crate::seed::record::{OPERATOR_SEED_WARNING, REHEARSAL_WARNING, SeedRecord};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// What checking a public bundle found.
#[derive(Debug, Clone, Default)]
pub struct PublicReport {
    /// Empty when everything checked held.
    pub findings: Vec<String>,
    /// What was checked, one line each.
    pub checked: Vec<String>,
    /// What cannot be checked from the public files, and why.
    pub not_checked: Vec<String>,
    pub warnings: Vec<String>,
    /// One line about the bundle.
    pub summary: String,
}

impl PublicReport {
    /// Whether everything checked held.
    pub fn ok(&self) -> bool {
        self.findings.is_empty()
    }
}

/// Checks a public bundle with nothing but its own files.
pub fn verify_public(dir: &Path) -> Result<PublicReport> {
    let mut r = PublicReport::default();
    let Some(m) = open_manifest(dir, read_public_manifest, |m| &m.spec_version, &mut r)? else {
        return Ok(r);
    };
    check_files(dir, &m, &mut r)?;
    // The plan.
    check_plan_text(&m.plan, &mut r);
    let plan = match Plan::parse("public.json (plan)", &m.plan.text, dir) {
        Ok(p) => p,
        Err(e) => {
            r.findings.push(format!("plan: does not parse: {e}"));
            return Ok(r);
        }
    };
    if crate::inputs::record::task_record(&plan) != m.task {
        r.findings
            .push("task: public.json's task is not the plan's [task]".into());
    }
    if r.findings.is_empty() {
        r.checked.push(format!(
            "plan: its text matches its SHA-256 {}, parses, and states this task",
            short(&m.plan.sha256)
        ));
    }
    check_seed(dir, &m, &mut r);
    let mut withheld = withheld_items(&plan, m.teams.is_some());
    if m.results.is_some() {
        note_ids_in_log(&mut withheld);
    }
    check_note_and_withheld(&m.seed, m.withheld == withheld, &mut r);
    let opaque = opaque_labels(&plan);
    check_strata(&m, &plan, opaque, &mut r);
    let targets = match read_public_targets(dir, plan.publish.credit_classes) {
        Ok(t) => t,
        Err(e) => {
            r.findings.push(e);
            return Ok(finish(r, &m, opaque));
        }
    };
    check_targets(&m, &plan, opaque, &targets, &mut r);
    let mut assignments = Vec::new();
    if let Some(teams) = &m.teams {
        match read_public_assignments(dir, plan.publish.inspector_names) {
            Ok(a) => {
                check_teams(&plan, teams, &targets, &a, &mut r);
                assignments = a;
            }
            Err(e) => r.findings.push(e),
        }
    } else if dir.join(ASSIGNMENTS_CSV).exists() {
        r.findings
            .push("assignments.csv: present, but public.json records no teams".into());
    } else if plan.inspectors.is_some() {
        r.findings
            .push("teams: the plan draws teams, but public.json records none".into());
    }
    let results = m.results.as_ref().map(|record| {
        let lists = plan_lists(&m, &plan, &targets, &assignments);
        check_results(dir, record, lists)
    });
    let rows = results
        .as_ref()
        .and_then(|c| c.announcement.as_ref().map(|a| a.rows.as_slice()));
    check_page(dir, &m, &plan, &targets, &assignments, rows, &mut r);
    Ok(add_results_check(results, finish(r, &m, opaque)))
}

/// Adds what checking the results found (`c`) to the report, the
/// results' part of the summary and of what was not checked last.
pub(crate) fn add_results_check(c: Option<ResultsCheck>, mut r: PublicReport) -> PublicReport {
    let Some(c) = c else { return r };
    r.findings.extend(c.findings);
    r.checked.extend(c.checked);
    r.not_checked.extend(c.not_checked);
    if let Some(a) = &c.announcement {
        r.summary.push_str(&format!(
            "; results: {} recorded, {} pending",
            a.record.recorded, a.record.pending
        ));
    }
    r
}

/// Reads the manifest of the public bundle in `dir` with `read`, and
/// checks that its spec version (`spec_version`) is this tool's. `None`,
/// with a finding, when it cannot be read or is another version's.
pub(crate) fn open_manifest<M>(
    dir: &Path,
    read: impl FnOnce(&Path) -> std::result::Result<M, String>,
    spec_version: impl FnOnce(&M) -> &String,
    r: &mut PublicReport,
) -> Result<Option<M>> {
    if !dir.join(PUBLIC_JSON).exists() {
        return Err(Error::Bundle {
            path: dir.display().to_string(),
            message: "no public.json here; is this a spotcheck public bundle?".into(),
        });
    }
    let m = match read(dir) {
        Ok(m) => m,
        Err(e) => {
            r.findings.push(e);
            return Ok(None);
        }
    };
    let found = spec_version(&m);
    if found != SPEC_VERSION {
        r.findings.push(format!(
            "public.json: spec_version {found:?} is not one this tool implements ({SPEC_VERSION})"
        ));
        return Ok(None);
    }
    Ok(Some(m))
}

/// The plan's text against its recorded SHA-256.
pub(crate) fn check_plan_text(plan: &PublicPlan, r: &mut PublicReport) {
    let found = sha256_hex(plan.text.as_bytes());
    if found != plan.sha256 {
        r.findings.push(format!(
            "plan: the text in public.json has SHA-256 {found}, but {} is recorded",
            plan.sha256
        ));
    }
}

/// The seed's note against its source, and whether the list of what is
/// withheld is the one the plan gives (`withheld_ok`).
pub(crate) fn check_note_and_withheld(seed: &SeedRecord, withheld_ok: bool, r: &mut PublicReport) {
    if seed.note != seed.expected_note() {
        r.findings.push(format!(
            "seed: the note reads {:?}, but a seed from {} carries {:?}",
            seed.note,
            seed.source,
            seed.expected_note()
        ));
    }
    if !withheld_ok {
        r.findings.push(
            "withheld: public.json's list of what is left out is not what the plan's [publish] table gives".into(),
        );
    } else {
        r.checked
            .push("withheld: the list of what is left out follows from the plan's [publish] table".into());
    }
}

/// What cannot be checked of the seed: when it was fixed.
pub(crate) fn seed_not_checked(seed: &SeedRecord, r: &mut PublicReport) {
    match &seed.ceremony {
        None => r
            .not_checked
            .push("that the seed was fixed before the result was known: it was typed by the operator".into()),
        Some(c) => {
            r.not_checked.push(verify::PUBLICATION_NOT_CHECKED.to_string());
            if c.rehearsal {
                r.not_checked.push(
                    "that the commitment time is true: it was typed in (commit --time), so this is a rehearsal".into(),
                );
            }
        }
    }
}

fn finish(mut r: PublicReport, m: &PublicManifest, opaque: bool) -> PublicReport {
    r.not_checked.push(
        "that each stratum's N is the true count of eligible firms, and that the excluded firms were rightly \
         excluded: needs the enterprise directory and history; a firm can check its own membership, stratum \
         and eligibility with spotcheck check-proof"
            .into(),
    );
    r.not_checked.push(
        "that the frame's Merkle root is the root of the real directory: needs the directory (each firm's \
         proof ties its own leaf to this root; a spotcheck-commit/2 commitment fixed the root and each \
         stratum's N before the randomness existed)"
            .into(),
    );
    r.not_checked
        .push("that the firms' names, counties and industries are those of the directory: needs the directory".into());
    r.not_checked
        .push("that the input files are the ones whose SHA-256 are recorded: the files are not public".into());
    if m.teams.is_some() {
        r.not_checked.push(
            "that the teams are the ones the seed gives, and obey certificates, recusal (回避), cross-area \
             (所所交叉) and rotation: needs the inspector directory, the recusal list and the history"
                .into(),
        );
    }
    if opaque {
        r.not_checked.push(
            "which credit class each stratum S1, S2, … is (withheld): each k was checked against the rule of \
             some class of the plan; each stratum's label commitment has the form of one, but binds a label \
             only through the frame's leaves: a firm's proof opens its own stratum's"
                .into(),
        );
    }
    seed_not_checked(&m.seed, &mut r);
    r.summary = format!(
        "public bundle of {}: {} targets in {} strata from {} firms",
        m.task.id, m.totals.targets, m.totals.strata, m.totals.directory_rows
    );
    r
}

pub(crate) fn short(hex: &str) -> &str {
    &hex[..hex.len().min(16)]
}

pub(crate) fn is_plain_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\\'])
}

fn check_files(dir: &Path, m: &PublicManifest, r: &mut PublicReport) -> Result<()> {
    let mut required = vec![TARGETS_CSV.to_string(), INDEX_HTML.to_string()];
    let missing_teams = (m.teams.is_some() && !m.files.contains_key(ASSIGNMENTS_CSV))
        .then_some("public.json records teams but does not list assignments.csv");
    let results = results_files(m.results.is_some(), &m.files, &mut required);
    check_bundle_files(dir, &m.files, false, &required, missing_teams.or(results), r)
}

/// With results, the log and `results.csv` are required; without, a
/// listed one is a finding.
pub(crate) fn results_files(
    results: bool,
    files: &BTreeMap<String, String>,
    required: &mut Vec<String>,
) -> Option<&'static str> {
    if results {
        required.extend([RESULTS_LOG.to_string(), RESULTS_CSV.to_string()]);
        None
    } else if files.contains_key(RESULTS_LOG) || files.contains_key(RESULTS_CSV) {
        Some("public.json lists results.jsonl or results.csv, but records no results")
    } else {
        None
    }
}

/// The files of a public bundle: those listed with their SHA-256 and no
/// other ([`check_listed_files`]), every `required` one listed, and
/// `finding` when the caller found one more thing missing.
pub(crate) fn check_bundle_files(
    dir: &Path,
    files: &BTreeMap<String, String>,
    nested: bool,
    required: &[String],
    finding: Option<&str>,
    r: &mut PublicReport,
) -> Result<()> {
    let before = r.findings.len();
    check_listed_files(dir, files, nested, r)?;
    for name in required {
        if !files.contains_key(name) {
            r.findings.push(format!("public.json does not list {name}"));
        }
    }
    if let Some(f) = finding {
        r.findings.push(f.into());
    }
    if r.findings.len() == before {
        r.checked.push(format!(
            "files: all {} files listed in public.json are here with their SHA-256, and no other",
            files.len()
        ));
    }
    Ok(())
}

/// Whether `name` is a path of plain names joined by `/` (a file in a
/// folder of a public bundle), when `nested`; a plain name otherwise.
fn is_listed_name(name: &str, nested: bool) -> bool {
    if nested {
        name.split('/').all(is_plain_name)
    } else {
        is_plain_name(name)
    }
}

/// Every file under `dir`, as paths relative to it joined by `/` (only
/// the top level unless `nested`; a folder there is listed by its name).
fn files_under(dir: &Path, prefix: &str, nested: bool, out: &mut BTreeSet<String>) -> Result<()> {
    for e in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?.flatten() {
        let name = format!("{prefix}{}", e.file_name().to_string_lossy());
        if nested && e.file_type().is_ok_and(|t| t.is_dir()) {
            files_under(&e.path(), &format!("{name}/"), nested, out)?;
        } else {
            out.insert(name);
        }
    }
    Ok(())
}

/// Checks that every file that `files` lists (relative paths joined by
/// `/` when `nested`) is in `dir` with its SHA-256, and that `dir` holds
/// no other file but `public.json`.
pub(crate) fn check_listed_files(
    dir: &Path,
    files: &BTreeMap<String, String>,
    nested: bool,
    r: &mut PublicReport,
) -> Result<()> {
    for (name, sha) in files {
        if !is_listed_name(name, nested) || name == PUBLIC_JSON {
            r.findings.push(format!(
                "public.json lists {name:?}, which is not a file of a public bundle"
            ));
            continue;
        }
        match std::fs::read(dir.join(name)) {
            Ok(bytes) => {
                let found = sha256_hex(&bytes);
                if &found != sha {
                    r.findings.push(format!(
                        "{name}: SHA-256 is {found}, but public.json records {sha} (the file was changed)"
                    ));
                }
            }
            Err(_) => r.findings.push(format!("{name}: listed in public.json but missing")),
        }
    }
    let mut present = BTreeSet::new();
    files_under(dir, "", nested, &mut present)?;
    for name in &present {
        if name != PUBLIC_JSON && !files.contains_key(name) {
            r.findings
                .push(format!("{name}: in the folder but not listed in public.json"));
        }
    }
    Ok(())
}

fn check_seed(dir: &Path, m: &PublicManifest, r: &mut PublicReport) {
    let claims = SeedClaims {
        seed: &m.seed,
        plan: &m.plan,
        task: &m.task,
        inputs: &m.inputs,
    };
    check_seed_claims(
        dir,
        &claims,
        |c, r| match &c.frame {
            Some(frame) => {
                let strata_n: Vec<u64> = m.strata.iter().map(|s| s.n).collect();
                let f = &m.frame;
                for d in frame.differences(&f.leaf_format, f.leaves, &f.merkle_root, &strata_n) {
                    r.findings.push(format!("ceremony: {d}"));
                }
                Some("; the committed frame (Merkle root, number of firms, each stratum's N) is public.json's".into())
            }
            None => {
                r.not_checked.push(ceremony::FRAME_NOT_BOUND_NOTE.to_string());
                None
            }
        },
        r,
    );
}

/// What a public manifest says that its ceremony's evidence must bear out.
pub(crate) struct SeedClaims<'a> {
    pub seed: &'a SeedRecord,
    pub plan: &'a PublicPlan,
    /// The task (a batch's: the batch, with no items) as committed.
    pub task: &'a TaskRecord,
    pub inputs: &'a BTreeMap<String, PublicInput>,
}

/// Checks a public bundle's seed against the ceremony evidence in `dir`
/// (or, for an operator's seed, that there is none). `check_frame` checks
/// what the commitment fixed of the frame and returns what to add to the
/// line of what was checked.
pub(crate) fn check_seed_claims(
    dir: &Path,
    m: &SeedClaims,
    check_frame: impl FnOnce(&Commitment, &mut PublicReport) -> Option<String>,
    r: &mut PublicReport,
) {
    let before = r.findings.len();
    let Some(record) = &m.seed.ceremony else {
        if m.seed.source != "operator" {
            r.findings.push(format!("seed: unknown source {:?}", m.seed.source));
            return;
        }
        for name in EVIDENCE_FILES {
            if dir.join(name).exists() {
                r.findings
                    .push(format!("{name}: present, but the seed is recorded as the operator's"));
            }
        }
        r.warnings.push(OPERATOR_SEED_WARNING.to_string());
        return;
    };
    if m.seed.source != "ceremony" {
        r.findings
            .push("seed: source does not match the ceremony record".into());
        return;
    }
    let read = |name: &str| std::fs::read(dir.join(name)).ok();
    let Some(commitment) = read(COMMITMENT_JSON) else {
        r.findings.push("ceremony: commitment.json is missing".into());
        return;
    };
    let evidence = Evidence {
        commitment,
        secret: read(SECRET_TXT)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default(),
        beacon: read(BEACON_JSON),
        dice: record.dice.clone(),
    };
    let checked = match ceremony::check(&evidence) {
        Ok(c) => c,
        Err(e) => {
            r.findings.push(format!("ceremony: {e}"));
            return;
        }
    };
    let c = &checked.commitment;
    if checked.seed != m.seed.value {
        r.findings.push(format!(
            "ceremony: the evidence gives the seed {}, but public.json's seed is {}",
            checked.seed, m.seed.value
        ));
    }
    if c.plan.sha256 != m.plan.sha256 || c.plan.text != m.plan.text {
        r.findings
            .push("ceremony: public.json's plan is not the committed plan".into());
    }
    if &c.task != m.task {
        r.findings
            .push("ceremony: public.json's task is not the committed task".into());
    }
    let committed: BTreeMap<&String, &String> = c.inputs.iter().map(|(k, v)| (k, &v.sha256)).collect();
    let recorded: BTreeMap<&String, &String> = m.inputs.iter().map(|(k, v)| (k, &v.sha256)).collect();
    if committed != recorded {
        r.findings
            .push("ceremony: the input SHA-256 in public.json are not the committed ones".into());
    }
    let expected = checked.record();
    if &expected != record {
        r.findings
            .push("ceremony: public.json's ceremony record does not match the evidence".into());
    }
    let frame_line = check_frame(c, r);
    if c.is_rehearsal() {
        r.warnings.push(REHEARSAL_WARNING.to_string());
    }
    if r.findings.len() == before {
        let mut line = format!("ceremony: commitment of {} and the revealed secret", c.committed_at);
        if let Some((round, _, time)) = &checked.beacon {
            line.push_str(&format!(
                ", drand quicknet round {round} of {time} (BLS signature checked, after the commitment)"
            ));
        }
        if let Some(d) = &checked.dice {
            line.push_str(&format!(", dice {d}"));
        }
        line.push_str(&format!(
            " give the seed {}…; the committed plan, task and input SHA-256 are public.json's",
            short(&checked.seed)
        ));
        if let Some(extra) = frame_line {
            line.push_str(&extra);
        }
        r.checked.push(line);
    }
}

/// The value of `field` in a stratum label made of `fields` joined by `/`.
pub(crate) fn label_part<'a>(fields: &[StratumField], label: &'a str, field: StratumField) -> Option<&'a str> {
    let parts: Vec<&str> = label.split('/').collect();
    if parts.len() != fields.len() {
        return None;
    }
    fields.iter().position(|f| *f == field).map(|i| parts[i])
}

/// Whose strata [`check_strata_list`] checks, which names its findings
/// and the rule for label commitments.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Strata<'a> {
    /// A plan's: with opaque labels, each stratum has a label commitment;
    /// with public ones, none.
    Plan,
    /// A batch's task, named so in findings (`public.json task <id>`):
    /// no stratum has a label commitment.
    Task(&'a str),
}

impl Strata<'_> {
    /// What findings about the strata as a whole start with.
    fn at(&self) -> &str {
        match self {
            Strata::Plan => "totals",
            Strata::Task(at) => at,
        }
    }

    /// What findings about one stratum start with.
    fn name(&self, label: &str) -> String {
        match self {
            Strata::Plan => format!("stratum {label}"),
            Strata::Task(at) => format!("{at} stratum {label}"),
        }
    }

    /// Whose rule the strata follow.
    fn whose(&self) -> &'static str {
        match self {
            Strata::Plan => "plan",
            Strata::Task(_) => "task",
        }
    }
}

/// Checks a list of public strata against `plan` and their totals: the
/// number of strata, each stratum's N, probability, label (in byte order,
/// or `S1`, `S2`, … when `opaque`), class and ratio, and k from N under
/// the plan's rule; and that the strata hold the eligible firms and the
/// targets. Returns whether some stratum was checked under the rule of
/// some class, its own withheld.
pub(crate) fn check_strata_list(
    strata: &[PublicStratum],
    t: &Totals,
    of: Strata,
    plan: &Plan,
    opaque: bool,
    r: &mut PublicReport,
) -> bool {
    let at = of.at();
    let whose = of.whose();
    let by_class = plan.targets.stratify_by.contains(&StratumField::CreditClass);
    if t.strata != strata.len() as u64 {
        r.findings
            .push(format!("{at}: {} strata recorded, {} listed", t.strata, strata.len()));
    }
    let mut some_class = false;
    for (i, s) in strata.iter().enumerate() {
        let name = of.name(&s.label);
        if s.n == 0 {
            r.findings.push(format!("{name}: N is 0"));
        }
        if s.probability != probability(s.k, s.n) {
            r.findings.push(format!(
                "{name}: probability {} is not k/N = {}",
                s.probability,
                probability(s.k, s.n)
            ));
        }
        if matches!(of, Strata::Task(_)) && s.label_commitment.is_some() {
            r.findings
                .push(format!("{name}: a batch's strata have no label commitment"));
        }
        if opaque {
            if s.label != format!("S{}", i + 1) {
                r.findings.push(format!(
                    "{name}: with classes withheld, stratum {} must be labelled S{}",
                    i + 1,
                    i + 1
                ));
            }
            if s.credit_class.is_some() || s.ratio.is_some() {
                r.findings
                    .push(format!("{name}: names its class or ratio, which are withheld"));
            }
            if matches!(of, Strata::Plan)
                && !s
                    .label_commitment
                    .as_ref()
                    .is_some_and(|c| c.len() == 64 && c.bytes().all(|b| b.is_ascii_hexdigit()))
            {
                r.findings.push(format!("{name}: no label commitment (64 hex digits)"));
            }
            let fits = plan
                .targets
                .classes
                .iter()
                .any(|c| sample_size(plan, Some(c), plan.targets.ratio_for(c), s.n) == s.k);
            if !fits {
                r.findings.push(format!(
                    "{name}: k = {} does not follow the plan's rule for N = {} under any class",
                    s.k, s.n
                ));
            }
            some_class = true;
            continue;
        }
        if i > 0 && strata[i - 1].label.as_bytes() >= s.label.as_bytes() {
            r.findings
                .push(format!("{name}: strata are not in the byte order of their labels"));
        }
        if matches!(of, Strata::Plan) && s.label_commitment.is_some() {
            r.findings
                .push(format!("{name}: has a label commitment, but its label is public"));
        }
        let class = if by_class {
            let Some(c) = label_part(&plan.targets.stratify_by, &s.label, StratumField::CreditClass) else {
                r.findings.push(format!(
                    "{name}: the label does not have the {whose}'s {} parts",
                    plan.targets.stratify_by.len()
                ));
                continue;
            };
            if !plan.targets.classes.iter().any(|x| x == c) {
                r.findings
                    .push(format!("{name}: {c:?} is not a credit class of the plan"));
                continue;
            }
            if plan.publish.credit_classes && s.credit_class.as_deref() != Some(c) {
                r.findings.push(format!("{name}: credit_class should be {c:?}"));
            }
            Some(c.to_string())
        } else {
            if s.credit_class.is_some() {
                r.findings.push(format!(
                    "{name}: has a credit class, but strata are not formed by class"
                ));
            }
            None
        };
        if !plan.publish.credit_classes && s.credit_class.is_some() {
            r.findings
                .push(format!("{name}: names its class, which the plan withholds"));
        }
        let ratio = match &class {
            Some(c) => plan.targets.ratio_for(c),
            None => match &plan.targets.ratios {
                Ratios::All(x) => *x,
                Ratios::ByClass(_) => {
                    r.findings.push(format!("{name}: per-class ratios but no class"));
                    continue;
                }
            },
        };
        if s.ratio.as_deref() != Some(ratio.to_string().as_str()) {
            r.findings.push(format!(
                "{name}: ratio {:?} is not the {whose}'s {ratio}",
                s.ratio.as_deref().unwrap_or("(none)")
            ));
        }
        let k = sample_size(plan, class.as_deref(), ratio, s.n);
        if k != s.k {
            r.findings.push(format!(
                "{name}: k = {} but the {whose}'s rule (ratio {ratio}, min, max) gives {k} for N = {}",
                s.k, s.n
            ));
        }
    }
    let n: u64 = strata.iter().map(|s| s.n).sum();
    let k: u64 = strata.iter().map(|s| s.k).sum();
    if n != t.eligible {
        r.findings
            .push(format!("{at}: strata hold {n} firms, but {} are eligible", t.eligible));
    }
    if k != t.targets {
        r.findings.push(format!(
            "{at}: strata draw {k} firms, but {} targets are recorded",
            t.targets
        ));
    }
    some_class
}

fn check_strata(m: &PublicManifest, plan: &Plan, opaque: bool, r: &mut PublicReport) {
    let before = r.findings.len();
    let t = &m.totals;
    let some_class = check_strata_list(&m.strata, t, Strata::Plan, plan, opaque, r);
    let e = &m.excluded;
    let parts = e.inactive.values().sum::<u64>() + e.outside_counties + e.outside_industries + e.recently_inspected;
    if parts != e.total {
        r.findings
            .push(format!("excluded: the reasons add up to {parts}, not {}", e.total));
    }
    if t.eligible + e.total != t.directory_rows {
        r.findings.push(format!(
            "totals: {} eligible + {} excluded is not the {} firms of the directory",
            t.eligible, e.total, t.directory_rows
        ));
    }
    if plan.targets.counties.is_none() && e.outside_counties > 0 {
        r.findings
            .push("excluded: firms outside the counties, but the plan names no counties".into());
    }
    if plan.targets.industries.is_none() && e.outside_industries > 0 {
        r.findings
            .push("excluded: firms outside the industries, but the plan names no industries".into());
    }
    if plan.targets.exclude_inspected_within_days.is_none() && e.recently_inspected > 0 {
        r.findings
            .push("excluded: recently inspected firms, but the plan excludes none".into());
    }
    if m.frame.leaf_format != LEAF_FORMAT {
        r.findings.push(format!(
            "frame: leaf format {:?} is not {LEAF_FORMAT}",
            m.frame.leaf_format
        ));
    }
    if m.frame.leaves != t.directory_rows {
        r.findings.push(format!(
            "frame: {} leaves, but the directory has {} firms",
            m.frame.leaves, t.directory_rows
        ));
    }
    if m.frame.merkle_root.len() != 64 || !m.frame.merkle_root.bytes().all(|b| b.is_ascii_hexdigit()) {
        r.findings.push("frame: the Merkle root is not 64 hex digits".into());
    }
    if let Some(e) = m.inputs.get("enterprises")
        && e.rows != t.directory_rows
    {
        r.findings.push(format!(
            "inputs: the enterprise directory has {} rows, but {} firms are recorded",
            e.rows, t.directory_rows
        ));
    }
    if r.findings.len() == before {
        r.checked.push(format!(
            "sample sizes: each of the {} strata's k follows the plan's rule for its N (ratio, min, max{})",
            m.strata.len(),
            if some_class {
                "; with classes withheld, the rule of some class of the plan"
            } else {
                ""
            }
        ));
        r.checked.push(format!(
            "totals: {} eligible firms in the strata + {} excluded = {} firms = {} frame leaves; {} targets",
            t.eligible, e.total, t.directory_rows, m.frame.leaves, t.targets
        ));
    }
}

fn check_targets(m: &PublicManifest, plan: &Plan, opaque: bool, rows: &[PublicTarget], r: &mut PublicReport) {
    let before = r.findings.len();
    let list = ListClaims {
        file: TARGETS_CSV,
        strata: &m.strata,
        seed: &m.seed.value,
        targets: m.totals.targets,
    };
    check_target_rows(&list, plan, opaque, rows, r);
    if r.findings.len() == before {
        r.checked.push(format!(
            "tickets: each of the {} listed tickets is ticket(seed, code) for the public seed (consistent_sampler's first_fraction)",
            rows.len()
        ));
        r.checked.push(
            "strata: each stratum lists exactly k firms, ranks 1..k in ascending ticket order, with valid and distinct credit codes"
                .into(),
        );
    }
}

/// What a public list of targets is checked against: its file's name,
/// the strata it lists, the seed of its tickets and its number of rows.
pub(crate) struct ListClaims<'a> {
    pub file: &'a str,
    pub strata: &'a [PublicStratum],
    pub seed: &'a str,
    pub targets: u64,
}

/// Checks a public list of targets: every ticket is `T(seed, uscc)`, each
/// stratum's rows are together, ranked 1..k by ascending ticket, exactly
/// k of them, and each row fits its stratum and the plan's directed
/// counties and industries. Findings name the file and line.
pub(crate) fn check_target_rows(
    list: &ListClaims,
    plan: &Plan,
    opaque: bool,
    rows: &[PublicTarget],
    r: &mut PublicReport,
) {
    let file = list.file;
    let seed = SeedHash::new(list.seed);
    let index: BTreeMap<&str, usize> = list
        .strata
        .iter()
        .enumerate()
        .map(|(i, s)| (s.label.as_str(), i))
        .collect();
    let mut counts = vec![0u64; list.strata.len()];
    let mut seen = BTreeSet::new();
    let mut last: Option<(usize, u64, Ticket, &str)> = None;
    let mut bad_tickets = 0;
    for (line, t) in rows.iter().enumerate().map(|(i, t)| (i + 2, t)) {
        let at = format!("{file} line {line} ({})", t.uscc);
        let Some(&s) = index.get(t.stratum.as_str()) else {
            r.findings
                .push(format!("{at}: stratum {:?} is not in public.json", t.stratum));
            continue;
        };
        counts[s] += 1;
        if !seen.insert(t.uscc.as_str()) {
            r.findings.push(format!("{at}: listed twice"));
        }
        if let Err(e) = crate::inputs::uscc::validate(&t.uscc) {
            r.findings.push(format!("{at}: not a valid credit code: {e}"));
        }
        let expected = seed.ticket(&t.uscc);
        if expected.as_str() != t.ticket {
            bad_tickets += 1;
            if bad_tickets <= 5 {
                r.findings.push(format!(
                    "{at}: ticket {} is not ticket(seed, code) = {}",
                    t.ticket, expected
                ));
            }
        }
        let stratum = &list.strata[s];
        if let Some(c) = &t.credit_class
            && stratum.credit_class.as_ref().is_some_and(|sc| sc != c)
        {
            r.findings.push(format!("{at}: class {c} is not its stratum's"));
        }
        if !opaque {
            let f = &plan.targets.stratify_by;
            for (field, value) in [(StratumField::County, &t.county), (StratumField::Industry, &t.industry)] {
                if let Some(part) = label_part(f, &stratum.label, field)
                    && part != value
                {
                    r.findings.push(format!(
                        "{at}: {} {value:?} does not match its stratum {}",
                        field.name(),
                        stratum.label
                    ));
                }
            }
            if let (Some(c), Some(part)) = (
                &t.credit_class,
                label_part(f, &stratum.label, StratumField::CreditClass),
            ) && part != c
            {
                r.findings
                    .push(format!("{at}: class {c} does not match its stratum {}", stratum.label));
            }
        }
        if let Some(cs) = &plan.targets.counties
            && !cs.contains(&t.county)
        {
            r.findings
                .push(format!("{at}: county {} is outside the plan's counties", t.county));
        }
        if let Some(is) = &plan.targets.industries
            && !is.contains(&t.industry)
        {
            r.findings.push(format!(
                "{at}: industry {} is outside the plan's industries",
                t.industry
            ));
        }
        let Some(ticket) = Ticket::parse(&t.ticket) else {
            r.findings.push(format!("{at}: {:?} is not a ticket", t.ticket));
            continue;
        };
        match &last {
            Some((ls, lrank, lticket, luscc)) if *ls == s => {
                if t.rank != lrank + 1 {
                    r.findings.push(format!(
                        "{at}: rank {} follows rank {lrank} in stratum {}",
                        t.rank, stratum.label
                    ));
                }
                if (lticket, *luscc) >= (&ticket, t.uscc.as_str()) {
                    r.findings.push(format!(
                        "{at}: ticket is not larger than the one before it in stratum {}",
                        stratum.label
                    ));
                }
            }
            Some((ls, ..)) if *ls > s => {
                r.findings
                    .push(format!("{at}: stratum {} comes after a later stratum", stratum.label));
            }
            _ => {
                if t.rank != 1 {
                    r.findings.push(format!(
                        "{at}: stratum {} starts at rank {}, not 1 (or its rows are not together)",
                        stratum.label, t.rank
                    ));
                }
            }
        }
        last = Some((s, t.rank, ticket, t.uscc.as_str()));
    }
    if bad_tickets > 5 {
        r.findings.push(format!(
            "{file}: {bad_tickets} tickets in all are not ticket(seed, code)"
        ));
    }
    for (s, c) in list.strata.iter().zip(&counts) {
        if *c != s.k {
            r.findings
                .push(format!("stratum {}: {c} firms listed, but k = {}", s.label, s.k));
        }
    }
    if rows.len() as u64 != list.targets {
        r.findings.push(format!(
            "{file}: {} rows, but {} targets are recorded",
            rows.len(),
            list.targets
        ));
    }
}

fn check_teams(
    plan: &Plan,
    teams: &TeamSummary,
    targets: &[PublicTarget],
    rows: &[PublicAssignment],
    r: &mut PublicReport,
) {
    let before = r.findings.len();
    let Some(rules) = &plan.inspectors else {
        r.findings
            .push("teams: public.json records teams, but the plan has no [inspectors]".into());
        return;
    };
    let size = rules.team_size();
    let slots: Vec<&str> = rules
        .team
        .iter()
        .flat_map(|(d, n)| std::iter::repeat_n(d.as_str(), *n as usize))
        .collect();
    if teams.team_size != size {
        r.findings.push(format!(
            "teams: team size {} recorded, the plan's is {size}",
            teams.team_size
        ));
    }
    let by_uscc: BTreeMap<&str, &PublicTarget> = targets.iter().map(|t| (t.uscc.as_str(), t)).collect();
    let mut team_of: BTreeMap<&str, Vec<&PublicAssignment>> = BTreeMap::new();
    let mut order: Vec<&str> = Vec::new();
    for (line, a) in rows.iter().enumerate().map(|(i, a)| (i + 2, a)) {
        let at = format!("assignments.csv line {line} ({})", a.uscc);
        let Some(t) = by_uscc.get(a.uscc.as_str()) else {
            r.findings.push(format!("{at}: not a listed target"));
            continue;
        };
        if t.name != a.name || t.county != a.county {
            r.findings
                .push(format!("{at}: name or county differs from targets.csv"));
        }
        if order.last() != Some(&a.uscc.as_str()) {
            if team_of.contains_key(a.uscc.as_str()) {
                r.findings.push(format!("{at}: the firm's team rows are not together"));
            }
            order.push(a.uscc.as_str());
        }
        team_of.entry(a.uscc.as_str()).or_default().push(a);
    }
    let target_order: Vec<&str> = targets.iter().map(|t| t.uscc.as_str()).collect();
    if order != target_order && r.findings.len() == before {
        r.findings
            .push("assignments.csv: teams are not in the order of targets.csv".into());
    }
    let names = plan.publish.inspector_names;
    let mut load: BTreeMap<&str, u64> = BTreeMap::new();
    let mut dept_of: BTreeMap<&str, &str> = BTreeMap::new();
    let mut dept_assignments: BTreeMap<&str, u64> = BTreeMap::new();
    for t in targets {
        let team = team_of.get(t.uscc.as_str()).map(Vec::as_slice).unwrap_or(&[]);
        let got: Vec<(u32, &str)> = team.iter().map(|a| (a.slot, a.department.as_str())).collect();
        let want: Vec<(u32, &str)> = slots.iter().enumerate().map(|(i, d)| (i as u32 + 1, *d)).collect();
        if got != want {
            r.findings.push(format!(
                "teams: {} has slots {:?}; the plan's team is {:?}",
                t.uscc, got, want
            ));
        }
        let mut ids = BTreeSet::new();
        for a in team {
            *dept_assignments.entry(a.department.as_str()).or_default() += 1;
            if let Some(id) = &a.inspector_id {
                if !ids.insert(id.as_str()) {
                    r.findings.push(format!("teams: {} has inspector {id} twice", t.uscc));
                }
                *load.entry(id.as_str()).or_default() += 1;
                dept_of.insert(id.as_str(), a.department.as_str());
            }
        }
    }
    if teams.assignments != rows.len() as u64 {
        r.findings.push(format!(
            "teams: {} assignments recorded, {} rows in assignments.csv",
            teams.assignments,
            rows.len()
        ));
    }
    for (d, load) in &teams.departments {
        let found = dept_assignments.get(d.as_str()).copied().unwrap_or(0);
        if found != load.assignments {
            r.findings.push(format!(
                "teams: {d} has {found} assignments in assignments.csv, {} recorded",
                load.assignments
            ));
        }
    }
    if names {
        check_loads(&load, teams, ASSIGNMENTS_CSV, r);
        if let Some(max) = rules.max_assignments
            && let Some((id, l)) = load.iter().find(|(_, l)| **l > max as u64)
        {
            r.findings.push(format!(
                "teams: inspector {id} has {l} assignments, above the plan's {max}"
            ));
        }
        let mut used: BTreeMap<&str, u64> = BTreeMap::new();
        for d in dept_of.values() {
            *used.entry(d).or_default() += 1;
        }
        for (d, dl) in &teams.departments {
            if used.get(d.as_str()).copied().unwrap_or(0) != dl.inspectors_used {
                r.findings
                    .push(format!("teams: inspectors used in {d} do not match the summary"));
            }
        }
    }
    if r.findings.len() == before {
        let mut line = format!(
            "teams: each of the {} targets has a team of {size} with the plan's departments by slot; the summary's counts match",
            targets.len()
        );
        if names {
            line.push_str("; no inspector twice in a team");
            if let Some(max) = rules.max_assignments {
                line.push_str(&format!(", none above {max} assignments"));
            }
        }
        r.checked.push(line);
    }
}

/// The number of inspectors and their least, median and largest load
/// in `load` (inspector to assignments), from the list `file`, against
/// what the team summary records.
pub(crate) fn check_loads(load: &BTreeMap<&str, u64>, teams: &TeamSummary, file: &str, r: &mut PublicReport) {
    let mut loads: Vec<u64> = load.values().copied().collect();
    loads.sort_unstable();
    let figures = (
        loads.len() as u64,
        loads.first().copied().unwrap_or(0),
        if loads.is_empty() {
            0
        } else {
            loads[(loads.len() - 1) / 2]
        },
        loads.last().copied().unwrap_or(0),
    );
    let recorded = (teams.inspectors_used, teams.load_min, teams.load_median, teams.load_max);
    if figures != recorded {
        r.findings.push(format!(
            "teams: inspectors used / load min / median / max are {figures:?} in {file}, {recorded:?} recorded"
        ));
    }
}

/// Renders the page of the bundle in `dir` again with `render` and
/// compares it with its `index.html`, when this tool wrote the page
/// (`published_by`); `checked` or `finding` says what of.
pub(crate) fn check_page_bytes(
    dir: &Path,
    published_by: &str,
    render: impl FnOnce() -> String,
    checked: &str,
    finding: &str,
    r: &mut PublicReport,
) {
    if published_by != tool_version() {
        r.not_checked.push(format!(
            "that index.html shows the same data: it was written by {}, this is {}",
            published_by,
            tool_version()
        ));
        return;
    }
    let Ok(found) = std::fs::read(dir.join(INDEX_HTML)) else {
        return;
    };
    if render().as_bytes() == found.as_slice() {
        r.checked.push(checked.into());
    } else {
        r.findings.push(finding.into());
    }
}

/// The ceremony evidence of the public bundle `dir` that is there, by
/// name: what the page inlines (SPEC.md §5.3).
pub(crate) fn read_evidence(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    EVIDENCE_FILES
        .iter()
        .filter_map(|name| Some((name.to_string(), std::fs::read(dir.join(name)).ok()?)))
        .collect()
}

fn check_page(
    dir: &Path,
    m: &PublicManifest,
    plan: &Plan,
    targets: &[PublicTarget],
    assignments: &[PublicAssignment],
    results: Option<&[ResultRow]>,
    r: &mut PublicReport,
) {
    let render = || {
        let mut bare = m.clone();
        bare.files.clear();
        let evidence = read_evidence(dir);
        crate::public::page::render(&crate::public::page::PageData {
            manifest: &bare,
            plan,
            targets,
            assignments,
            results,
            evidence: &evidence,
        })
    };
    check_page_bytes(
        dir,
        &m.published_by,
        render,
        "index.html: shows exactly the data of public.json and the lists (rendered again and compared)",
        "index.html: is not the page of public.json, targets.csv and assignments.csv",
        r,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::public::format::public_label;

    #[test]
    fn labels_and_parts() {
        assert_eq!(public_label(true, 0, "A"), "S1");
        assert_eq!(public_label(false, 3, "D/凯里市"), "D/凯里市");
        let f = [StratumField::CreditClass, StratumField::County];
        assert_eq!(label_part(&f, "D/凯里市", StratumField::County), Some("凯里市"));
        assert_eq!(label_part(&f, "D/凯里市", StratumField::CreditClass), Some("D"));
        assert_eq!(label_part(&f, "D/凯里市", StratumField::Industry), None);
        assert_eq!(label_part(&f, "D", StratumField::County), None);
    }

    #[test]
    fn plain_names_only() {
        assert!(is_plain_name("targets.csv"));
        for bad in ["", ".", "..", "../x", "a/b", "a\\b"] {
            assert!(!is_plain_name(bad), "{bad}");
        }
    }
}
