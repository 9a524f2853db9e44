//! A draw bundle: the files a draw writes, rendered in memory from the
//! draw and written to a new directory atomically.

use crate::base::error::{Error, Result};
use crate::bundle::manifest::{DepartmentLoad, FrameRecord, TeamSummary};
use crate::bundle::manifest::{ExcludedRecord, MANIFEST_JSON, Manifest, StratumRecord, Totals};
use crate::draw::SPEC_VERSION;
use crate::draw::frame::{LEAF_FORMAT, frame_root};
use crate::draw::targets::{Excluded, Target, TargetDraw, draw_targets_from, exclusions};
use crate::draw::teams::{TeamDraw, TeamInputs, draw_teams, shortfall_report};
use crate::inputs::directory::Directory;
use crate::inputs::inspectors::Inspector;
use crate::inputs::ratio::probability;
use crate::inputs::read::InputInfo;
use crate::inputs::read::Inputs;
use crate::inputs::record::{InputRecord, PlanRecord};
use crate::seed::record::SeedRecord;
use std::collections::BTreeMap;

/// File names inside a bundle.
pub const TARGETS_CSV: &str = "targets.csv";
/// The teams' file name.
pub const ASSIGNMENTS_CSV: &str = "assignments.csv";

/// Facts recorded in a manifest that are not computed from the inputs:
/// who wrote it, the names the files had, and where the seed came from.
/// `verify` takes them from the manifest it checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    pub tool: String,
    pub plan_path: String,
    /// Input paths as recorded, by role.
    pub input_paths: BTreeMap<String, String>,
    pub seed: SeedRecord,
    /// Ceremony evidence copied into the bundle byte for byte, by file
    /// name (commitment.json, secret.txt, beacon.json).
    pub evidence: BTreeMap<String, Vec<u8>>,
}

/// Everything a draw computes, before it is written.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub targets: TargetDraw,
    /// The teams, when the plan draws them.
    pub teams: Option<TeamDraw>,
    /// The root of the Merkle tree over the frame, and its leaf count.
    pub frame: ([u8; 32], u64),
}

/// A rendered bundle: file name → bytes, `manifest.json` included.
#[derive(Debug, Clone)]
pub struct Bundle {
    pub manifest: Manifest,
    pub files: BTreeMap<String, Vec<u8>>,
}

/// The one path from inputs to a bundle, used by both `draw` and
/// `verify`.
pub fn make(inputs: &Inputs, provenance: &Provenance) -> Result<(Outcome, Bundle)> {
    let seed = &provenance.seed.value;
    let plan = &inputs.plan;
    crate::base::progress::phase("drawing the targets, hashing the frame tree");
    let exclusions = exclusions(plan, &inputs.enterprises, inputs.history.as_ref());
    // The frame's tree does not depend on the seed: it is built on another
    // core while the targets and teams are drawn and the lists written.
    let (targets, teams, lists, frame) = std::thread::scope(|scope| {
        let tree = scope.spawn(|| frame_root(plan, &inputs.enterprises, &exclusions));
        let targets = draw_targets_from(plan, &inputs.enterprises, &exclusions, seed);
        let teams = draw_teams_of(inputs, &targets, seed)?;
        let lists = render_lists(inputs, &targets, teams.as_ref());
        Ok::<_, Error>((targets, teams, lists, tree.join().expect("frame tree thread")))
    })?;
    let outcome = Outcome { targets, teams, frame };
    let bundle = render(inputs, &outcome, provenance, lists);
    Ok((outcome, bundle))
}

/// The teams, when the plan draws them; an infeasible plan's report
/// otherwise.
fn draw_teams_of(inputs: &Inputs, targets: &TargetDraw, seed: &str) -> Result<Option<TeamDraw>> {
    let (Some(rules), Some(inspectors)) = (&inputs.plan.inspectors, &inputs.inspectors) else {
        return Ok(None);
    };
    let team_inputs = TeamInputs {
        rules,
        firms: &inputs.enterprises,
        inspectors,
        conflicts: inputs.conflicts.as_ref(),
        history: inputs.history.as_ref(),
    };
    match draw_teams(&team_inputs, &inputs.plan.task, targets, seed) {
        Ok(t) => Ok(Some(t)),
        Err(short) => Err(Error::Infeasible(shortfall_report(
            &team_inputs,
            &inputs.plan.task,
            targets,
            &short,
        ))),
    }
}

/// A CSV writer into memory, as every list of a bundle is written
/// (SPEC.md §7: LF line ends, quotes only where needed).
pub fn csv_writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new())
}

/// `targets.csv` (a batch task's too).
pub fn targets_csv(directory: &Directory, draw: &TargetDraw) -> Vec<u8> {
    let mut w = csv_writer();
    w.write_record([
        "stratum",
        "rank",
        "ticket",
        "uscc",
        "name",
        "credit_class",
        "county",
        "industry",
    ])
    .expect("write to memory");
    // A province's draw has hundreds of thousands of targets: their names
    // are read back, and their rows written, on every processor.
    use rayon::prelude::*;
    let firms: Vec<usize> = draw.targets.iter().map(|t| t.firm).collect();
    let names = directory.details_of(&firms, |d| d.name);
    let mut out = w.into_inner().expect("flush to memory");
    // Rows are written a few thousand at a time on each processor, and
    // each group added to the file as soon as it is written, so that the
    // list is not held twice.
    let row = |t: &Target, name: &String, w: &mut csv::Writer<Vec<u8>>| {
        let f = &directory.firms[t.firm];
        w.write_record([
            draw.strata[t.stratum].label.as_str(),
            &t.rank.to_string(),
            t.ticket.as_str(),
            &f.uscc(),
            name,
            directory.value(f.credit_class),
            directory.value(f.county),
            directory.value(f.industry),
        ])
        .expect("write to memory");
    };
    const ROWS: usize = 1 << 12;
    let group = ROWS * rayon::current_num_threads();
    for (targets, names) in draw.targets.chunks(group).zip(names.chunks(group)) {
        let written: Vec<Vec<u8>> = targets
            .par_chunks(ROWS)
            .zip(names.par_chunks(ROWS))
            .map(|(targets, names)| {
                let mut w = csv_writer();
                targets.iter().zip(names).for_each(|(t, name)| row(t, name, &mut w));
                w.into_inner().expect("flush to memory")
            })
            .collect();
        written.iter().for_each(|rows| out.extend_from_slice(rows));
    }
    out
}

/// `assignments.csv`: one row per officer, in target order, then slot.
pub fn assignments_csv(inputs: &Inputs, draw: &TargetDraw, teams: &TeamDraw) -> Vec<u8> {
    let mut w = csv_writer();
    w.write_record([
        "uscc",
        "name",
        "county",
        "slot",
        "department",
        "inspector_id",
        "inspector_name",
    ])
    .expect("write to memory");
    let officers = &inputs.inspectors.as_ref().expect("teams need inspectors").inspectors;
    let mut reader = inputs.enterprises.details_reader();
    // A team's rows are consecutive: its firm's name is read once.
    let mut name: Option<(usize, String)> = None;
    for a in &teams.assignments {
        let i = draw.targets[a.target].firm;
        let f = &inputs.enterprises.firms[i];
        let p = &officers[a.inspector];
        let slot = a.slot.to_string();
        if name.as_ref().is_none_or(|(firm, _)| *firm != i) {
            name = Some((i, reader.details(i).name));
        }
        w.write_record([
            f.uscc().as_str(),
            &name.as_ref().expect("read above").1,
            inputs.enterprises.value(f.county),
            &slot,
            &a.department,
            &p.id,
            &p.name,
        ])
        .expect("write to memory");
    }
    w.into_inner().expect("flush to memory")
}

/// Inspector load figures for the manifest and the summary.
pub fn team_summary(inputs: &Inputs, teams: &TeamDraw) -> TeamSummary {
    let officers = &inputs.inspectors.as_ref().expect("teams need inspectors").inspectors;
    load_summary(
        officers,
        &teams.load,
        inputs.plan.inspectors.as_ref().map_or(0, |r| r.team_size()),
        teams.assignments.len() as u64,
    )
}

/// Load figures from each inspector's load (by directory index): a
/// plan's targets or a batch's visits per inspector.
pub fn load_summary(officers: &[Inspector], load: &[u64], team_size: u32, assignments: u64) -> TeamSummary {
    let mut used: Vec<u64> = load.iter().copied().filter(|&l| l > 0).collect();
    used.sort_unstable();
    let mut departments: BTreeMap<String, DepartmentLoad> = BTreeMap::new();
    for (i, &l) in load.iter().enumerate() {
        if l == 0 {
            continue;
        }
        let d = departments
            .entry(officers[i].department.clone())
            .or_insert(DepartmentLoad {
                inspectors_used: 0,
                assignments: 0,
                load_max: 0,
            });
        d.inspectors_used += 1;
        d.assignments += l;
        d.load_max = d.load_max.max(l);
    }
    TeamSummary {
        team_size,
        assignments,
        inspectors_used: used.len() as u64,
        load_min: used.first().copied().unwrap_or(0),
        load_median: if used.is_empty() { 0 } else { used[(used.len() - 1) / 2] },
        load_max: used.last().copied().unwrap_or(0),
        departments,
    }
}

/// The bundle's lists: `targets.csv`, and `assignments.csv` when there
/// are teams.
fn render_lists(inputs: &Inputs, draw: &TargetDraw, teams: Option<&TeamDraw>) -> BTreeMap<String, Vec<u8>> {
    let bom = |body: Vec<u8>| {
        if inputs.plan.output.csv_bom {
            [crate::inputs::table::UTF8_BOM, &body].concat()
        } else {
            body
        }
    };
    // The two lists are written side by side.
    let (targets, assignments) = std::thread::scope(|scope| {
        let assignments = teams.map(|teams| scope.spawn(|| bom(assignments_csv(inputs, draw, teams))));
        let targets = bom(targets_csv(&inputs.enterprises, draw));
        (targets, assignments.map(|a| a.join().expect("list thread")))
    });
    let mut files = BTreeMap::new();
    files.insert(TARGETS_CSV.to_string(), targets);
    if let Some(assignments) = assignments {
        files.insert(ASSIGNMENTS_CSV.to_string(), assignments);
    }
    files
}

/// The bundle: the lists ([`render_lists`]), the evidence and the
/// manifest.
fn render(inputs: &Inputs, outcome: &Outcome, provenance: &Provenance, mut files: BTreeMap<String, Vec<u8>>) -> Bundle {
    let plan = &inputs.plan;
    let draw = &outcome.targets;
    for (name, bytes) in &provenance.evidence {
        files.insert(name.clone(), bytes.clone());
    }
    let inputs_record = inputs_record(&inputs.files, provenance);
    let manifest = Manifest {
        spec_version: SPEC_VERSION.to_string(),
        tool: provenance.tool.clone(),
        task: crate::inputs::record::task_record(plan),
        plan: PlanRecord {
            path: provenance.plan_path.clone(),
            sha256: plan.sha256.clone(),
            text: plan.text.clone(),
        },
        inputs: inputs_record,
        seed: provenance.seed.clone(),
        strata: strata_records(draw),
        excluded: excluded_record(&draw.excluded),
        totals: Totals {
            directory_rows: inputs.enterprises.firms.len() as u64,
            eligible: draw.eligible,
            strata: draw.strata.len() as u64,
            targets: draw.targets.len() as u64,
        },
        frame: FrameRecord {
            leaf_format: LEAF_FORMAT.to_string(),
            leaves: outcome.frame.1,
            merkle_root: hex::encode(outcome.frame.0),
        },
        teams: outcome.teams.as_ref().map(|t| team_summary(inputs, t)),
        outputs: output_hashes(&files),
    };
    files.insert(MANIFEST_JSON.to_string(), manifest.to_bytes());
    Bundle { manifest, files }
}

/// The SHA-256 of each file, by name.
pub fn output_hashes(files: &BTreeMap<String, Vec<u8>>) -> BTreeMap<String, String> {
    files
        .iter()
        .map(|(name, bytes)| (name.clone(), crate::base::sha256::sha256_hex(bytes)))
        .collect()
}

/// The manifest's record of each input, with the paths as recorded.
pub fn inputs_record(files: &BTreeMap<String, InputInfo>, provenance: &Provenance) -> BTreeMap<String, InputRecord> {
    files
        .iter()
        .map(|(role, info)| {
            let path = provenance
                .input_paths
                .get(role)
                .cloned()
                .unwrap_or_else(|| info.path.display().to_string());
            (
                role.clone(),
                InputRecord {
                    path,
                    sha256: info.sha256.clone(),
                    rows: info.rows,
                    encoding: info.encoding.name().to_string(),
                },
            )
        })
        .collect()
}

/// The manifest's record of each stratum.
pub fn strata_records(draw: &TargetDraw) -> Vec<StratumRecord> {
    draw.strata
        .iter()
        .map(|s| StratumRecord {
            label: s.label.clone(),
            credit_class: s.class.clone(),
            ratio: s.ratio.to_string(),
            n: s.n,
            k: s.k,
            probability: probability(s.k, s.n),
        })
        .collect()
}

/// The manifest's record of the firms left out.
pub fn excluded_record(e: &Excluded) -> ExcludedRecord {
    ExcludedRecord {
        inactive: e.inactive.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
        outside_counties: e.outside_counties,
        outside_industries: e.outside_industries,
        recently_inspected: e.recently_inspected,
        visit_cap: e.visit_cap,
        total: e.total(),
    }
}
