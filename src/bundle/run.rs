//! The commands' work, between the command line and the pure core:
//! reading plans, commitments and evidence, and writing what results.

use crate::base::error::{Error, Result};
use crate::bundle::batch::{BatchBundle, make_batch};
use crate::bundle::make::{self, Bundle, Provenance};
use crate::bundle::manifest::tool_version;
use crate::bundle::write::{relative_path, write_new_dir, write_new_file};
use crate::draw::SPEC_VERSION;
use crate::inputs::batch_plan::{BatchPlan, is_batch};
use crate::inputs::plan::{Overrides, Plan, read_plan_text};
use crate::inputs::read::{InputInfo, Inputs};
use crate::inputs::read_batch::BatchInputs;
use crate::inputs::record::{InputRecord, PlanRecord, task_record};
use crate::seed::ceremony::{self, BEACON_JSON, COMMITMENT_JSON, CeremonyError, Commitment, Evidence, SECRET_TXT};
use crate::seed::record::{CEREMONY_NOTE, OPERATOR_NOTE, REHEARSAL_NOTE, SeedRecord};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Where a draw's seed comes from.
#[derive(Debug, Clone)]
pub enum SeedSource {
    /// Typed by the operator: for trials.
    Operator { plan: PathBuf, seed: String },
    /// From a published commitment and the randomness revealed after it.
    Ceremony {
        commitment: PathBuf,
        secret: PathBuf,
        beacon: Option<PathBuf>,
        dice: Option<String>,
    },
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::io(path, e))
}

fn ceremony_error(path: &Path, e: CeremonyError) -> Error {
    Error::Bundle {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// A ceremony error, naming the file or flag that is wrong: the secret
/// file, the beacon file, `--dice`, or else the commitment.
fn evidence_error(commitment: &Path, secret: &Path, beacon: &str, e: CeremonyError) -> Error {
    let (path, message) = match e {
        CeremonyError::Secret(m) => (secret.display().to_string(), m),
        CeremonyError::Beacon(m) => (beacon.to_string(), m),
        CeremonyError::Dice(m) => ("--dice".to_string(), m),
        e => return ceremony_error(commitment, e),
    };
    Error::Bundle { path, message }
}

/// What a draw wrote: a plan's bundle or a batch's.
#[derive(Debug, Clone)]
pub enum Drawn {
    Plan(Bundle),
    Batch(BatchBundle),
}

/// A ceremony's evidence, checked, and what follows from it.
struct Opened {
    checked: ceremony::Checked,
    /// The plan file as the commitment names it, and the folder its
    /// relative paths start from.
    plan_file: PathBuf,
    base: PathBuf,
    record: SeedRecord,
    /// The evidence files to copy into the bundle.
    files: BTreeMap<String, Vec<u8>>,
}

/// Reads and checks a ceremony's evidence: commitment, secret, beacon,
/// dice.
fn open_ceremony(commitment: &Path, secret: &Path, beacon: &Option<PathBuf>, dice: &Option<String>) -> Result<Opened> {
    let evidence = Evidence {
        commitment: read(commitment)?,
        secret: String::from_utf8_lossy(&read(secret)?).into_owned(),
        beacon: beacon.as_deref().map(read).transpose()?,
        dice: dice.clone(),
    };
    let checked = ceremony::check(&evidence).map_err(|e| {
        let beacon_name = beacon
            .as_deref()
            .map_or("--beacon".to_string(), |b| b.display().to_string());
        evidence_error(commitment, secret, &beacon_name, e)
    })?;
    let c = &checked.commitment;
    let base = commitment.parent().unwrap_or(Path::new(".")).to_path_buf();
    let plan_file = base.join(&c.plan.path);
    let record = SeedRecord {
        value: checked.seed.clone(),
        source: "ceremony".into(),
        note: if c.is_rehearsal() {
            REHEARSAL_NOTE
        } else {
            CEREMONY_NOTE
        }
        .into(),
        ceremony: Some(checked.record()),
    };
    let mut files = BTreeMap::new();
    files.insert(COMMITMENT_JSON.to_string(), evidence.commitment.clone());
    files.insert(SECRET_TXT.to_string(), format!("{}\n", checked.secret).into_bytes());
    if let Some(b) = &evidence.beacon {
        files.insert(BEACON_JSON.to_string(), b.clone());
    }
    Ok(Opened {
        checked,
        plan_file,
        base,
        record,
        files,
    })
}

impl Opened {
    /// The command line's input paths, else the committed ones.
    fn overrides(&self, overrides: &Overrides) -> Overrides {
        let c = &self.checked.commitment;
        let committed = |role: &str| c.inputs.get(role).map(|r| self.base.join(&r.path));
        Overrides {
            enterprises: overrides.enterprises.clone().or_else(|| committed("enterprises")),
            history: overrides.history.clone().or_else(|| committed("history")),
            inspectors: overrides.inspectors.clone().or_else(|| committed("inspectors")),
            conflicts: overrides.conflicts.clone().or_else(|| committed("conflicts")),
            items: overrides.items.clone().or_else(|| committed("items")),
            encoding: overrides.encoding,
        }
    }

    /// The inputs read are the committed ones, byte for byte.
    fn check_inputs(&self, commitment: &Path, files: &BTreeMap<String, InputInfo>) -> Result<()> {
        let found = files
            .iter()
            .map(|(role, info)| (role.clone(), (info.path.display().to_string(), info.sha256.clone())))
            .collect();
        ceremony::check_inputs(&self.checked.commitment, &found).map_err(|e| match e {
            CeremonyError::Input { role, message } => match found.get(&role) {
                Some((path, _)) => Error::Bundle {
                    path: path.clone(),
                    message: format!("input {role} {message}"),
                },
                None => ceremony_error(commitment, CeremonyError::Input { role, message }),
            },
            e => ceremony_error(commitment, e),
        })
    }

    fn plan_parent(&self) -> &Path {
        self.plan_file.parent().unwrap_or(&self.base)
    }
}

/// Draws and writes a new bundle at `out`: a plan's, or a batch's when
/// the plan has a `[batch]` table.
pub fn draw(source: &SeedSource, overrides: &Overrides, out: &Path) -> Result<Drawn> {
    if out.symlink_metadata().is_ok() {
        return Err(Error::OutputExists(out.to_path_buf()));
    }
    match source {
        SeedSource::Operator { plan, seed } => {
            if seed.trim().is_empty() {
                return Err(Error::Infeasible("--seed: the seed must not be empty".into()));
            }
            let record = SeedRecord {
                value: seed.clone(),
                source: "operator".into(),
                note: OPERATOR_NOTE.into(),
                ceremony: None,
            };
            let text = read_plan_text(plan)?;
            let base = plan.parent().unwrap_or(Path::new("."));
            let name = plan.display().to_string();
            if is_batch(&text) {
                let mut p = BatchPlan::parse(&name, &text, base)?;
                p.apply(overrides);
                let inputs = BatchInputs::load(p)?;
                write_batch(&inputs, name, record, BTreeMap::new(), out)
            } else {
                let mut p = Plan::parse(&name, &text, base)?;
                p.apply(overrides);
                write_plan(&Inputs::load(p)?, name, record, BTreeMap::new(), None, out)
            }
        }
        SeedSource::Ceremony {
            commitment,
            secret,
            beacon,
            dice,
        } => {
            let opened = open_ceremony(commitment, secret, beacon, dice)?;
            let c = &opened.checked.commitment;
            let name = opened.plan_file.display().to_string();
            if is_batch(&c.plan.text) {
                let mut p = BatchPlan::parse(&name, &c.plan.text, opened.plan_parent())?;
                p.apply(&opened.overrides(overrides));
                let inputs = BatchInputs::load(p)?;
                opened.check_inputs(commitment, &inputs.files)?;
                if let Some(committed) = &c.tasks {
                    let found = tasks_frame(&inputs);
                    if &found != committed {
                        return Err(Error::Bundle {
                            path: commitment.display().to_string(),
                            message: format!(
                                "the inputs do not give the committed tasks' strata: {}; nothing was written",
                                tasks_differences(committed, &found).join("; ")
                            ),
                        });
                    }
                }
                write_batch(&inputs, name, opened.record, opened.files, out)
            } else {
                let mut p = Plan::parse(&name, &c.plan.text, opened.plan_parent())?;
                p.apply(&opened.overrides(overrides));
                let inputs = Inputs::load(p)?;
                opened.check_inputs(commitment, &inputs.files)?;
                let committed_frame = c.frame.clone().map(|f| (commitment.clone(), f));
                write_plan(&inputs, name, opened.record, opened.files, committed_frame, out)
            }
        }
    }
}

/// A batch's tasks as a commitment records them.
pub(crate) fn tasks_frame(inputs: &BatchInputs) -> Vec<ceremony::TaskFrameCommit> {
    crate::draw::batch::tasks_strata_n(inputs)
        .into_iter()
        .map(|(id, strata_n)| ceremony::TaskFrameCommit { id, strata_n })
        .collect()
}

/// What differs between committed tasks and those found (a few).
pub fn tasks_differences(committed: &[ceremony::TaskFrameCommit], found: &[ceremony::TaskFrameCommit]) -> Vec<String> {
    let mut out = Vec::new();
    if committed.len() != found.len() {
        out.push(format!(
            "{} tasks, but the commitment has {}",
            found.len(),
            committed.len()
        ));
    }
    for (c, f) in committed.iter().zip(found) {
        if c != f {
            out.push(format!(
                "task {}: strata N {:?}, but the commitment has task {} with {:?}",
                f.id, f.strata_n, c.id, c.strata_n
            ));
        }
        if out.len() >= 5 {
            break;
        }
    }
    out
}

/// Where the record's facts come from, for a bundle to be written at
/// `out`.
fn provenance(
    files: &BTreeMap<String, InputInfo>,
    plan_path: String,
    seed: SeedRecord,
    evidence: BTreeMap<String, Vec<u8>>,
    out: &Path,
) -> Provenance {
    Provenance {
        tool: tool_version(),
        plan_path,
        input_paths: files
            .iter()
            .map(|(role, info)| (role.clone(), relative_path(&info.path, out)))
            .collect(),
        seed,
        evidence,
    }
}

fn write_batch(
    inputs: &BatchInputs,
    plan_path: String,
    seed: SeedRecord,
    evidence: BTreeMap<String, Vec<u8>>,
    out: &Path,
) -> Result<Drawn> {
    let provenance = provenance(&inputs.files, plan_path, seed, evidence, out);
    let (_, b) = make_batch(inputs, &provenance)?;
    write_new_dir(out, &b.files)?;
    Ok(Drawn::Batch(b))
}

fn write_plan(
    inputs: &Inputs,
    plan_path: String,
    seed: SeedRecord,
    evidence: BTreeMap<String, Vec<u8>>,
    committed_frame: Option<(PathBuf, ceremony::FrameCommit)>,
    out: &Path,
) -> Result<Drawn> {
    let provenance = provenance(&inputs.files, plan_path, seed, evidence, out);
    let (outcome, b) = make::make(inputs, &provenance)?;
    if let Some((path, frame)) = &committed_frame {
        let strata_n: Vec<u64> = outcome.targets.strata.iter().map(|s| s.n).collect();
        let found = frame.differences(
            crate::draw::frame::LEAF_FORMAT,
            outcome.frame.1,
            &hex::encode(outcome.frame.0),
            &strata_n,
        );
        if !found.is_empty() {
            return Err(Error::Bundle {
                path: path.display().to_string(),
                message: format!(
                    "the inputs do not give the committed frame: {}; nothing was written",
                    found.join("; ")
                ),
            });
        }
    }
    write_new_dir(out, &b.files)?;
    Ok(Drawn::Plan(b))
}

/// What `commit` is asked to do.
#[derive(Debug, Clone, Default)]
pub struct CommitRequest {
    pub plan: PathBuf,
    pub out: PathBuf,
    /// Where the secret goes; by default beside `out` with `.secret`.
    pub secret_out: Option<PathBuf>,
    pub beacon_round: Option<u64>,
    /// Use the first drand round at or after this time.
    pub beacon_at: Option<DateTime<Utc>>,
    pub dice_event: Option<String>,
    pub dice_sources: u32,
    /// The commitment file this one replaces (for a re-draw).
    pub replaces: Option<PathBuf>,
    /// The commitment time; the system clock when absent.
    pub time: Option<DateTime<Utc>>,
    pub overrides: Overrides,
}

/// What `commit` wrote.
#[derive(Debug, Clone)]
pub struct Committed {
    pub commitment: Commitment,
    pub sha256: String,
    pub secret_path: PathBuf,
}

/// The frame of these inputs, as the draw will find it: the Merkle root
/// over every firm and each stratum's N.
fn frame_commit(inputs: &Inputs) -> ceremony::FrameCommit {
    use crate::draw::frame::{LEAF_FORMAT, frame_root};
    use crate::draw::targets::{exclusions, strata_n};
    let plan = &inputs.plan;
    let excluded = exclusions(plan, &inputs.enterprises, inputs.history.as_ref());
    let (root, leaves) = frame_root(plan, &inputs.enterprises, &excluded);
    ceremony::FrameCommit {
        leaf_format: LEAF_FORMAT.to_string(),
        leaves,
        merkle_root: hex::encode(root),
        strata_n: strata_n(plan, &inputs.enterprises, &excluded),
    }
}

/// The SHA-256 of the commitment that a new one replaces, after checking
/// that it is a commitment, that it is not later than the new one, and that a
/// rehearsal does not replace a commitment made on the clock.
fn replaced(path: &Path, now: DateTime<Utc>, rehearsal: bool) -> Result<String> {
    let bytes = read(path)?;
    let old: Commitment = serde_json::from_slice(&bytes).map_err(|e| Error::Bundle {
        path: path.display().to_string(),
        message: format!("--replaces: not a spotcheck commitment: {e}"),
    })?;
    let old_time = old.committed_at().map_err(|e| ceremony_error(path, e))?;
    if old_time > now {
        return Err(Error::Bundle {
            path: path.display().to_string(),
            message: format!(
                "--replaces: this commitment is of {}, later than the new one ({}); a commitment replaces \
                 only an earlier one",
                old.committed_at,
                ceremony::utc_text(now)
            ),
        });
    }
    if rehearsal && !old.is_rehearsal() {
        return Err(Error::Bundle {
            path: path.display().to_string(),
            message: "--replaces: this commitment was made on the clock (a public draw); a rehearsal (--time) \
                      cannot replace it"
                .into(),
        });
    }
    Ok(crate::base::sha256::sha256_hex(&bytes))
}

/// What a commitment binds, from a plan or a batch plan.
struct Committable {
    task: crate::inputs::record::TaskRecord,
    text: String,
    files: BTreeMap<String, InputInfo>,
    frame: Option<ceremony::FrameCommit>,
    tasks: Option<Vec<ceremony::TaskFrameCommit>>,
}

impl Committable {
    fn load(path: &Path, overrides: &Overrides) -> Result<Committable> {
        let text = read_plan_text(path)?;
        let base = path.parent().unwrap_or(Path::new("."));
        let name = path.display().to_string();
        if is_batch(&text) {
            let mut plan = BatchPlan::parse(&name, &text, base)?;
            plan.apply(overrides);
            let inputs = BatchInputs::load(plan)?;
            Ok(Committable {
                task: inputs.plan.task_record(),
                tasks: Some(tasks_frame(&inputs)),
                text,
                files: inputs.files,
                frame: None,
            })
        } else {
            let mut plan = Plan::parse(&name, &text, base)?;
            plan.apply(overrides);
            let inputs = Inputs::load(plan)?;
            Ok(Committable {
                task: task_record(&inputs.plan),
                frame: Some(frame_commit(&inputs)),
                tasks: None,
                text,
                files: inputs.files,
            })
        }
    }
}

/// The default secret file for a commitment file.
pub fn default_secret_path(out: &Path) -> PathBuf {
    out.with_extension("secret")
}

/// Writes a commitment and its secret. Neither file may exist; the
/// secret is created with mode 0600 and never written anywhere else.
pub fn commit(req: &CommitRequest) -> Result<Committed> {
    let secret_path = req.secret_out.clone().unwrap_or_else(|| default_secret_path(&req.out));
    for p in [&req.out, &secret_path] {
        if p.symlink_metadata().is_ok() {
            return Err(Error::OutputExists(p.clone()));
        }
    }
    let committed = Committable::load(&req.plan, &req.overrides)?;
    let (now, clock) = match req.time {
        Some(t) => (t, ceremony::CLOCK_GIVEN),
        None => (Utc::now(), ceremony::CLOCK_SYSTEM),
    };
    let round = match (req.beacon_round, req.beacon_at) {
        (Some(r), _) => Some(r),
        (None, Some(t)) => Some(crate::seed::beacon::round_at(t)),
        (None, None) => None,
    };
    let beacon = match round {
        None => None,
        Some(r) => {
            let t = crate::seed::beacon::round_time(r);
            if t <= now {
                return Err(Error::Infeasible(format!(
                    "drand round {r} is produced at {}, which is not after the commitment time {}; \
                     choose a later round or time",
                    ceremony::utc_text(t),
                    ceremony::utc_text(now)
                )));
            }
            Some(ceremony::BeaconCommit {
                chain_hash: crate::seed::beacon::QUICKNET_CHAIN_HASH.to_string(),
                round: r,
                round_time: ceremony::utc_text(t),
            })
        }
    };
    let dice = req.dice_event.as_ref().map(|event| ceremony::DiceCommit {
        event: event.clone(),
        sources: req.dice_sources.max(1),
        format: ceremony::DICE_FORMAT.to_string(),
    });
    if beacon.is_none() && dice.is_none() {
        return Err(Error::Infeasible(
            "a commitment needs public randomness: --beacon-at TIME or --beacon-round R (drand), \
             and/or --dice-event TEXT"
                .into(),
        ));
    }
    let replaces = match req.replaces.as_deref() {
        None => None,
        Some(path) => Some(replaced(path, now, clock == ceremony::CLOCK_GIVEN)?),
    };
    let base = req
        .out
        .parent()
        .map(|p| if p.as_os_str().is_empty() { Path::new(".") } else { p });
    let base = base.unwrap_or(Path::new("."));
    let secret = ceremony::new_secret().map_err(|e| ceremony_error(&secret_path, e))?;
    let commitment = Commitment {
        version: ceremony::COMMIT_VERSION.to_string(),
        spec_version: SPEC_VERSION.to_string(),
        task: committed.task.clone(),
        committed_at: ceremony::utc_text(now),
        clock: clock.to_string(),
        plan: PlanRecord {
            path: relative_path(&req.plan, base),
            sha256: crate::base::sha256::sha256_hex(committed.text.as_bytes()),
            text: committed.text.clone(),
        },
        inputs: committed
            .files
            .iter()
            .map(|(role, info)| {
                (
                    role.clone(),
                    InputRecord {
                        path: relative_path(&info.path, base),
                        sha256: info.sha256.clone(),
                        rows: info.rows,
                        encoding: info.encoding.name().to_string(),
                    },
                )
            })
            .collect(),
        beacon,
        dice,
        secret_sha256: crate::base::sha256::sha256_hex(secret.as_bytes()),
        replaces,
        frame: committed.frame,
        tasks: committed.tasks,
    };
    let bytes = commitment.to_bytes();
    write_new_file(&secret_path, format!("{secret}\n").as_bytes(), true)?;
    if let Err(e) = write_new_file(&req.out, &bytes, false) {
        let _ = std::fs::remove_file(&secret_path);
        return Err(e);
    }
    Ok(Committed {
        sha256: crate::base::sha256::sha256_hex(&bytes),
        commitment,
        secret_path,
    })
}

/// The seed a bundle (a plan's or a batch's) was drawn with, from its
/// manifest.
pub fn bundle_seed(dir: &Path) -> Result<String> {
    Ok(if crate::bundle::batch::is_batch_bundle(dir) {
        crate::bundle::batch::read_batch_manifest(dir)?.seed.value
    } else {
        crate::bundle::manifest::read_manifest(dir)?.seed.value
    })
}
