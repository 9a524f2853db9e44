//! Replaying a batch bundle: the same checks as a plan's bundle, through
//! the batch's one path ([`crate::bundle::batch::make_batch`]); a file
//! that differs is named with its task and line.

use crate::base::error::Result;
use crate::bundle::batch::{make_batch, read_batch_manifest};
use crate::bundle::verify::{
    Finding, Recorded, Report, check_ceremony, check_input_hashes, compare_files, loaded_or_finding, locate_recorded,
    located_overrides, seed_notes,
};
use crate::draw::SPEC_VERSION;
use crate::inputs::batch_plan::BatchPlan;
use crate::inputs::plan::Overrides;
use crate::inputs::read_batch::BatchInputs;
use crate::seed::ceremony::Commitment;
use std::path::Path;

/// Verifies the batch bundle in `dir`.
pub fn verify_batch(dir: &Path, overrides: &Overrides) -> Result<Report> {
    Ok(replay_batch(dir, overrides)?.0)
}

/// Replays the bundle as [`verify_batch`] does: the report and, when the inputs
/// could be read and the draw made, the inputs and the draw (for the
/// results' substitutions, which follow the draw's rankings).
pub fn replay_batch(
    dir: &Path,
    overrides: &Overrides,
) -> Result<(Report, Option<(BatchInputs, crate::draw::batch::BatchDraw)>)> {
    let mut report = Report::default();
    let manifest = match read_batch_manifest(dir) {
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
    let mut commitment: Option<Commitment> = None;
    let recorded = Recorded {
        seed: &manifest.seed,
        inputs: &manifest.inputs,
        plan: &manifest.plan,
    };
    let keep = |c: &Commitment, _: &mut Report| commitment = Some(c.clone());
    let Some(evidence) = check_ceremony(dir, &recorded, keep, &mut report) else {
        return Ok((report, None));
    };
    recorded.check_plan_hash(&mut report);
    let mut plan = match BatchPlan::parse(&manifest.plan.path, &manifest.plan.text, dir) {
        Ok(p) => p,
        Err(e) => {
            report
                .findings
                .push(Finding::Manifest(format!("the batch plan in it does not parse: {e}")));
            return Ok((report, None));
        }
    };
    let located = locate_recorded(dir, &manifest.inputs, overrides)?;
    plan.apply(&located_overrides(&located, &manifest.inputs));
    let loaded = BatchInputs::load(plan);
    check_input_hashes(
        loaded.as_ref().ok().map(|i| &i.files),
        &located,
        &manifest.inputs,
        &mut report,
    )?;
    let Some(inputs) = loaded_or_finding(loaded, &mut report)? else {
        return Ok((report, None));
    };
    if let Some(c) = &commitment {
        match &c.tasks {
            Some(committed) => {
                let found = crate::bundle::run::tasks_frame(&inputs);
                for d in crate::bundle::run::tasks_differences(committed, &found) {
                    report.findings.push(Finding::Ceremony(d));
                }
            }
            None => report.findings.push(Finding::Ceremony(
                "the commitment is a plan's (it has no \"tasks\"), but this bundle is a batch's".into(),
            )),
        }
    }
    let provenance = recorded.provenance(&manifest.tool, evidence);
    let (draw, replay) = make_batch(&inputs, &provenance)?;
    compare_files(dir, &replay.files, &mut report)?;
    // A task's list that differs is named by its task too.
    for f in &mut report.findings {
        if let Finding::Differs { file, details } = f
            && let Some(task) = file.strip_prefix("tasks/").and_then(|r| r.strip_suffix("/targets.csv"))
        {
            details.insert(0, format!("task {task}"));
        }
    }
    seed_notes(&manifest.seed, &mut report);
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
    Ok((report, Some((inputs, draw))))
}
