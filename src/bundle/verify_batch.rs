//! Replaying a batch bundle: the same checks as a plan's bundle, through
//! the batch's one path ([`crate::bundle::batch::make_batch`]); a file
//! that differs is named with its task and line.

use crate::base::error::{Error, Result};
use crate::bundle::batch::{make_batch, read_batch_manifest};
use crate::bundle::make::Provenance;
use crate::bundle::verify::{
    Finding, PUBLICATION_NOT_CHECKED, Recorded, Report, check_ceremony, compare_files, locate_recorded,
};
use crate::draw::SPEC_VERSION;
use crate::inputs::batch_plan::BatchPlan;
use crate::inputs::plan::Overrides;
use crate::inputs::read_batch::BatchInputs;
use crate::inputs::table::RawFile;
use crate::seed::ceremony::Commitment;
use crate::seed::record::SeedRecord;
use std::collections::BTreeMap;
use std::path::Path;

/// Verifies the batch bundle in `dir`.
pub fn verify_batch(dir: &Path, overrides: &Overrides) -> Result<Report> {
    let mut report = Report::default();
    let manifest = match read_batch_manifest(dir) {
        Ok(m) => m,
        Err(e) => {
            report.findings.push(Finding::Manifest(e.to_string()));
            return Ok(report);
        }
    };
    if manifest.spec_version != SPEC_VERSION {
        report.findings.push(Finding::Manifest(format!(
            "spec_version {:?} is not one this tool implements ({SPEC_VERSION})",
            manifest.spec_version
        )));
        return Ok(report);
    }
    let mut commitment: Option<Commitment> = None;
    let recorded = Recorded {
        seed: &manifest.seed,
        inputs: &manifest.inputs,
        plan: &manifest.plan,
    };
    let keep = |c: &Commitment, _: &mut Report| commitment = Some(c.clone());
    let Some(evidence) = check_ceremony(dir, &recorded, keep, &mut report) else {
        return Ok(report);
    };
    let found = crate::base::sha256::sha256_hex(manifest.plan.text.as_bytes());
    if found != manifest.plan.sha256 {
        report.findings.push(Finding::PlanHash {
            recorded: manifest.plan.sha256.clone(),
            found,
        });
    }
    let mut plan = match BatchPlan::parse(&manifest.plan.path, &manifest.plan.text, dir) {
        Ok(p) => p,
        Err(e) => {
            report
                .findings
                .push(Finding::Manifest(format!("the batch plan in it does not parse: {e}")));
            return Ok(report);
        }
    };
    let located = locate_recorded(dir, &manifest.inputs, overrides)?;
    let encoding = {
        let mut names = manifest.inputs.values().map(|i| i.encoding.as_str());
        let first = names.next();
        first.filter(|f| names.all(|n| n == *f)).and_then(|f| f.parse().ok())
    };
    plan.apply(&Overrides {
        enterprises: located.get("enterprises").cloned(),
        history: located.get("history").cloned(),
        inspectors: located.get("inspectors").cloned(),
        conflicts: located.get("conflicts").cloned(),
        items: located.get("items").cloned(),
        encoding,
    });
    let loaded = BatchInputs::load(plan);
    let mut hashes = BTreeMap::new();
    match &loaded {
        Ok(inputs) => {
            for (role, info) in &inputs.files {
                hashes.insert(role.clone(), info.sha256.clone());
            }
        }
        Err(_) => {
            for (role, path) in &located {
                hashes.insert(role.clone(), RawFile::read(path)?.sha256());
            }
        }
    }
    for (role, recorded) in &manifest.inputs {
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
    let inputs = match loaded {
        Ok(i) => i,
        Err(Error::Input(e)) => {
            report.findings.push(Finding::InputInvalid(e.to_string()));
            return Ok(report);
        }
        Err(e) => return Err(e),
    };
    if let Some(c) = &commitment {
        match &c.tasks {
            Some(committed) => {
                let found: Vec<_> = crate::draw::batch::tasks_strata_n(&inputs)
                    .into_iter()
                    .map(|(id, strata_n)| crate::seed::ceremony::TaskFrameCommit { id, strata_n })
                    .collect();
                for d in crate::bundle::run::tasks_differences(committed, &found) {
                    report.findings.push(Finding::Ceremony(d));
                }
            }
            None => report.findings.push(Finding::Ceremony(
                "the commitment is a plan's (it has no \"tasks\"), but this bundle is a batch's".into(),
            )),
        }
    }
    let provenance = Provenance {
        tool: manifest.tool.clone(),
        plan_path: manifest.plan.path.clone(),
        input_paths: manifest
            .inputs
            .iter()
            .map(|(k, v)| (k.clone(), v.path.clone()))
            .collect(),
        seed: SeedRecord {
            note: manifest.seed.expected_note().to_string(),
            ..manifest.seed.clone()
        },
        evidence,
    };
    let (_, replay) = make_batch(&inputs, &provenance)?;
    compare_files(dir, &replay.files, &mut report)?;
    // A task's list that differs is named by its task too.
    for f in &mut report.findings {
        if let Finding::Differs { file, details } = f
            && let Some(task) = file.strip_prefix("tasks/").and_then(|r| r.strip_suffix("/targets.csv"))
        {
            details.insert(0, format!("task {task}"));
        }
    }
    report.warnings.extend(manifest.seed.warning().map(String::from));
    if let Some(c) = &manifest.seed.ceremony {
        let mut line = format!("seed from the ceremony committed at {}", c.committed_at);
        if let Some(r) = c.beacon_round {
            line.push_str(&format!(", drand quicknet round {r} (signature checked)"));
        }
        if let Some(d) = &c.dice {
            line.push_str(&format!(", dice {d}"));
        }
        if c.rehearsal {
            line.push_str("; a REHEARSAL (commitment time typed in)");
        }
        report.notes.push(line);
        report.notes.push(format!("not checked: {PUBLICATION_NOT_CHECKED}"));
    }
    report.summary = format!(
        "batch {}: {} tasks, {} targets, {} visits from {} firms; {} files and {} inputs checked",
        manifest.batch.id,
        manifest.totals.tasks,
        manifest.totals.targets,
        manifest.totals.visits,
        manifest.totals.directory_rows,
        replay.files.len(),
        located.len()
    );
    Ok(report)
}
