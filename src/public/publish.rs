//! "One public" (一公开): the public bundle of a draw.
//!
//! `spotcheck publish DIR --out PUBLIC_DIR` verifies the private bundle,
//! then writes what may be put on the web: `public.json` (a public
//! manifest), `targets.csv`, `assignments.csv` (when teams were drawn),
//! the ceremony's evidence as it is, and `index.html`. What the plan's
//! `[publish]` table withholds (each firm's credit class, inspectors'
//! names and ids) is left out of every file. A bundle with a results log
//! also publishes the results announcement
//! ([`crate::public::announcement`]): the log as it is, `results.csv` and
//! `public.json`'s `results`.
//!
//! When classes are withheld and strata are formed by class, each
//! stratum is published as `S1`, `S2`, … in stratum order, with a
//! commitment to its real label (see [`crate::public::format::label_commitment`])
//! so that a firm's proof (`spotcheck prove`) can show which public
//! stratum its leaf belongs to without the public files naming any class.

use crate::base::error::{Error, Result};
use crate::base::sha256::sha256_hex;
use crate::bundle::make::{ASSIGNMENTS_CSV, TARGETS_CSV};
use crate::bundle::manifest::{MANIFEST_JSON, Manifest, StratumRecord, read_manifest, tool_version};
use crate::bundle::verify;
use crate::bundle::view::BundleView;
use crate::bundle::write::write_new_dir;
use crate::draw::frame::FrameTree;
use crate::inputs::plan::{Overrides, Plan};
use crate::inputs::read::Inputs;
use crate::inputs::record::{InputRecord, PlanRecord};
use crate::public::announcement::{Announcement, note_ids_in_log, plan_lists};
use crate::public::format::{
    EVIDENCE_FILES, INDEX_HTML, PUBLIC_FORMAT, PUBLIC_JSON, PublicAssignment, PublicInput, PublicManifest, PublicPlan,
    PublicStratum, PublicTarget, assignments_csv, frame_key, label_commitment, label_salt, manifest_bytes,
    opaque_labels, public_label, targets_csv, withheld_items,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A private bundle opened with its inputs and frame tree.
#[derive(Debug)]
pub struct Private {
    pub dir: PathBuf,
    pub manifest: Manifest,
    /// SHA-256 of `manifest.json` as it is on disk.
    pub manifest_sha256: String,
    pub inputs: Inputs,
    pub tree: FrameTree,
}

/// Opens a private bundle: reads its manifest, finds its inputs as
/// `verify` does (paths in the manifest, relative to the bundle, unless
/// `overrides` names them), checks their hashes and rebuilds the frame
/// tree, which must have the recorded root.
pub fn open_private(dir: &Path, overrides: &Overrides) -> Result<Private> {
    let bundle_error = |message: String| Error::Bundle {
        path: dir.display().to_string(),
        message,
    };
    let manifest_path = dir.join(MANIFEST_JSON);
    let bytes = std::fs::read(&manifest_path).map_err(|e| Error::io(&manifest_path, e))?;
    let manifest = read_manifest(dir)?;
    let mut plan = Plan::parse(&manifest.plan.path, &manifest.plan.text, dir)?;
    let located = crate::bundle::verify::locate_inputs(dir, &manifest, overrides)?;
    plan.apply(&Overrides {
        enterprises: located.get("enterprises").cloned(),
        history: located.get("history").cloned(),
        inspectors: located.get("inspectors").cloned(),
        conflicts: located.get("conflicts").cloned(),
        items: located.get("items").cloned(),
        encoding: None,
    });
    let inputs = Inputs::load(plan)?;
    for (role, record) in &manifest.inputs {
        match inputs.files.get(role) {
            Some(info) if info.sha256 == record.sha256 => {}
            Some(info) => {
                return Err(bundle_error(format!(
                    "input {role} ({}) has changed since the draw: SHA-256 recorded {}, found {}",
                    info.path.display(),
                    record.sha256,
                    info.sha256
                )));
            }
            None => return Err(bundle_error(format!("input {role} was not read"))),
        }
    }
    let tree = FrameTree::build(&inputs.plan, &inputs.enterprises, inputs.history.as_ref());
    let root = hex::encode(tree.root);
    if root != manifest.frame.merkle_root {
        return Err(bundle_error(format!(
            "the frame's Merkle root is {root}, but the manifest records {}; run spotcheck verify",
            manifest.frame.merkle_root
        )));
    }
    Ok(Private {
        dir: dir.to_path_buf(),
        manifest,
        manifest_sha256: sha256_hex(&bytes),
        inputs,
        tree,
    })
}

/// What `publish` did.
#[derive(Debug)]
pub enum Published {
    /// Written: the public manifest and the files.
    Written {
        manifest: Box<PublicManifest>,
        /// Things the operator should know.
        warnings: Vec<String>,
    },
    /// Refused: the private bundle does not verify.
    NotVerified(verify::Report),
}

/// The warning printed when opaque stratum ids can be told apart by
/// their numbers.
pub const OPAQUE_INFERENCE_WARNING: &str = "warning: credit classes are withheld, but strata are formed by class: \
     S1, S2, … follow the classes' order, and each stratum's N and k (k/N is about the class's ratio in the \
     published plan) let a reader guess which class an opaque stratum is, and so the class of the firms it lists";

/// Verifies the private bundle `dir` and writes its public bundle as the
/// new directory `out`.
pub fn publish(dir: &Path, out: &Path, overrides: &Overrides) -> Result<Published> {
    if out.symlink_metadata().is_ok() {
        return Err(Error::OutputExists(out.to_path_buf()));
    }
    let report = crate::results::check::verify(dir, overrides, None)?;
    if !report.ok() {
        return Ok(Published::NotVerified(report));
    }
    let private = open_private(dir, overrides)?;
    let view = BundleView::open(dir)?;
    let (manifest, files) = render(&private, &view)?;
    write_new_dir(out, &files)?;
    let mut warnings = Vec::new();
    if opaque_labels(&private.inputs.plan) && manifest.strata.len() > 1 {
        warnings.push(OPAQUE_INFERENCE_WARNING.to_string());
    }
    Ok(Published::Written {
        manifest: Box::new(manifest),
        warnings,
    })
}

/// The public files of a private bundle, `public.json` included.
pub fn render(private: &Private, view: &BundleView) -> Result<(PublicManifest, BTreeMap<String, Vec<u8>>)> {
    let m = &private.manifest;
    let plan = &private.inputs.plan;
    let opaque = opaque_labels(plan);
    let key = frame_key(&private.tree);
    let mut labels = BTreeMap::new();
    let strata: Vec<PublicStratum> = m
        .strata
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let commitment = opaque.then(|| label_commitment(&label_salt(&key, &s.label), &s.label));
            public_stratum(s, i, opaque, plan.publish.credit_classes, commitment, &mut labels)
        })
        .collect();
    let mut targets = Vec::with_capacity(view.targets.len());
    for t in &view.targets {
        let Some(label) = labels.get(&t.stratum) else {
            return Err(Error::Bundle {
                path: private.dir.join(TARGETS_CSV).display().to_string(),
                message: format!("stratum {:?} is not in the manifest", t.stratum),
            });
        };
        targets.push(PublicTarget {
            stratum: label.clone(),
            rank: t.rank,
            ticket: t.ticket.clone(),
            uscc: t.uscc.clone(),
            name: t.name.clone(),
            county: t.county.clone(),
            industry: t.industry.clone(),
            credit_class: plan.publish.credit_classes.then(|| t.credit_class.clone()),
        });
    }
    let names = plan.publish.inspector_names;
    let assignments: Vec<PublicAssignment> = view
        .assignments
        .iter()
        .map(|a| PublicAssignment {
            uscc: a.uscc.clone(),
            name: a.name.clone(),
            county: a.county.clone(),
            slot: a.slot,
            department: a.department.clone(),
            inspector_id: names.then(|| a.inspector_id.clone()),
            inspector_name: names.then(|| a.inspector_name.clone()),
        })
        .collect();
    let withheld = withheld_items(plan, m.teams.is_some());
    let mut manifest = PublicManifest {
        format: PUBLIC_FORMAT.to_string(),
        source_manifest_sha256: private.manifest_sha256.clone(),
        spec_version: m.spec_version.clone(),
        tool: m.tool.clone(),
        published_by: tool_version(),
        task: m.task.clone(),
        plan: public_plan(&m.plan),
        inputs: public_inputs(&m.inputs),
        seed: m.seed.clone(),
        strata,
        excluded: m.excluded.clone(),
        totals: m.totals.clone(),
        frame: m.frame.clone(),
        teams: m.teams.clone(),
        results: None,
        withheld,
        files: BTreeMap::new(),
    };
    let mut files = BTreeMap::new();
    files.insert(
        TARGETS_CSV.to_string(),
        targets_csv(plan.publish.credit_classes, &targets),
    );
    if m.teams.is_some() {
        files.insert(ASSIGNMENTS_CSV.to_string(), assignments_csv(names, &assignments));
    }
    add_evidence(&private.dir, &mut files)?;
    let announcement = match read_results_log(&private.dir)? {
        Some(log) => {
            let lists = plan_lists(&manifest, plan, &targets, &assignments).map(|(l, _)| l);
            let a = lists
                .and_then(|l| Announcement::of_log(&private.dir, l, &log))
                .map_err(|message| results_error(&private.dir, message))?;
            a.add_files(&log, &mut files);
            manifest.results = Some(a.record.clone());
            note_ids_in_log(&mut manifest.withheld);
            Some(a)
        }
        None => None,
    };
    let page = crate::public::page::render(&crate::public::page::PageData {
        manifest: &manifest,
        plan,
        targets: &targets,
        assignments: &assignments,
        results: announcement.as_ref().map(|a| a.rows.as_slice()),
        evidence: &files,
    });
    manifest.files = add_page(&mut files, page);
    files.insert(PUBLIC_JSON.to_string(), manifest_bytes(&manifest));
    Ok((manifest, files))
}

/// Stratum `index` of a bundle as published: under its public label
/// (`S1`, `S2`, … when `opaque`, which leaves out its ratio), with its
/// class only when `classes` are published, and with `commitment`;
/// `labels` learns its public label by its real one.
pub(crate) fn public_stratum(
    s: &StratumRecord,
    index: usize,
    opaque: bool,
    classes: bool,
    commitment: Option<String>,
    labels: &mut BTreeMap<String, String>,
) -> PublicStratum {
    let label = public_label(opaque, index, &s.label);
    labels.insert(s.label.clone(), label.clone());
    PublicStratum {
        label,
        credit_class: if classes { s.credit_class.clone() } else { None },
        ratio: (!opaque).then(|| s.ratio.clone()),
        n: s.n,
        k: s.k,
        probability: s.probability.clone(),
        label_commitment: commitment,
    }
}

/// The plan as published: byte for byte, with its SHA-256.
pub(crate) fn public_plan(plan: &PlanRecord) -> PublicPlan {
    PublicPlan {
        sha256: plan.sha256.clone(),
        text: plan.text.clone(),
    }
}

/// The inputs as published: each one's SHA-256 and rows, by role.
pub(crate) fn public_inputs(inputs: &BTreeMap<String, InputRecord>) -> BTreeMap<String, PublicInput> {
    inputs
        .iter()
        .map(|(role, r)| {
            (
                role.clone(),
                PublicInput {
                    sha256: r.sha256.clone(),
                    rows: r.rows,
                },
            )
        })
        .collect()
}

/// Adds the ceremony evidence found in the bundle `dir`, as it is.
pub(crate) fn add_evidence(dir: &Path, files: &mut BTreeMap<String, Vec<u8>>) -> Result<()> {
    for name in EVIDENCE_FILES {
        let path = dir.join(name);
        if path.exists() {
            files.insert(name.to_string(), std::fs::read(&path).map_err(|e| Error::io(&path, e))?);
        }
    }
    Ok(())
}

/// The bundle's results log, when it has one.
pub(crate) fn read_results_log(dir: &Path) -> Result<Option<Vec<u8>>> {
    let path = crate::results::log::log_path(dir);
    if !path.exists() {
        return Ok(None);
    }
    std::fs::read(&path).map(Some).map_err(|e| Error::io(&path, e))
}

/// A results log that cannot be published (it verified a moment before:
/// it changed since).
pub(crate) fn results_error(dir: &Path, message: String) -> Error {
    Error::Bundle {
        path: dir.display().to_string(),
        message: format!("{message}; nothing was published (spotcheck verify checks the log)"),
    }
}

/// Adds the page as `index.html` and returns the SHA-256 of every file,
/// by name: what `public.json` lists.
pub(crate) fn add_page(files: &mut BTreeMap<String, Vec<u8>>, page: String) -> BTreeMap<String, String> {
    files.insert(INDEX_HTML.to_string(), page.into_bytes());
    files.iter().map(|(n, b)| (n.clone(), sha256_hex(b))).collect()
}
