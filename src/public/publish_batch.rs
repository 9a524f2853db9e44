//! The public bundle of a batch (SPEC.md §10.7).
//!
//! `spotcheck publish BATCH_DIR --out PUBLIC_DIR` verifies the batch
//! bundle, then writes what may be put on the web: `public.json`, each
//! task's public `tasks/<id>/targets.csv`, the public `visits.csv`, the
//! ceremony's evidence as it is, and `index.html` (the plan announcement
//! and every task's announcement). The plan's `[publish]` table withholds
//! what it withholds for a plan's public bundle. A batch with a results
//! log also publishes its results announcement, as a plan does.

use crate::base::error::{Error, Result};
use crate::base::sha256::sha256_hex;
use crate::bundle::batch::{ASSIGNMENTS_CSV, BatchManifest, VISITS_CSV, read_batch_manifest, task_targets_file};
use crate::bundle::manifest::{MANIFEST_JSON, tool_version};
use crate::bundle::verify::{Report, locate_recorded};
use crate::bundle::view::TargetRow;
use crate::bundle::write::write_new_dir;
use crate::inputs::batch_plan::BatchPlan;
use crate::inputs::items::ItemList;
use crate::inputs::plan::Overrides;
use crate::inputs::table::RawFile;
use crate::public::announcement::{Announcement, batch_lists, note_ids_in_log};
use crate::public::batch_format::{
    PUBLIC_BATCH_FORMAT, PublicBatchManifest, PublicItem, PublicTask, PublicTaskItem, PublicVisit,
    batch_manifest_bytes, batch_withheld, category_word, split_list, task_opaque, visits_csv,
};
use crate::public::batch_page::{BatchPageData, render_batch_page};
use crate::public::format::{PUBLIC_JSON, PublicStratum, PublicTarget, targets_csv};
use crate::public::publish::{
    OPAQUE_INFERENCE_WARNING, add_evidence, add_page, public_inputs, public_plan, public_stratum, read_results_log,
    results_error,
};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// What publishing a batch did.
#[derive(Debug)]
pub enum PublishedBatch {
    /// Written: the public manifest and the files.
    Written {
        manifest: Box<PublicBatchManifest>,
        /// Things the operator should know.
        warnings: Vec<String>,
    },
    /// Refused: the batch bundle does not verify.
    NotVerified(Report),
}

/// Verifies the batch bundle `dir` and writes its public bundle as the
/// new directory `out`.
pub fn publish_batch(dir: &Path, out: &Path, overrides: &Overrides) -> Result<PublishedBatch> {
    if out.symlink_metadata().is_ok() {
        return Err(Error::OutputExists(out.to_path_buf()));
    }
    let report = crate::results::check::verify(dir, overrides, None)?;
    if !report.ok() {
        return Ok(PublishedBatch::NotVerified(report));
    }
    let manifest_path = dir.join(MANIFEST_JSON);
    let bytes = std::fs::read(&manifest_path).map_err(|e| Error::io(&manifest_path, e))?;
    let m = read_batch_manifest(dir)?;
    let plan = BatchPlan::parse(&m.plan.path, &m.plan.text, dir)?;
    let items = read_items(dir, &m, &plan, overrides)?;
    let (manifest, files) = render(dir, &m, &sha256_hex(&bytes), &plan, &items)?;
    write_new_dir(out, &files)?;
    let mut warnings = Vec::new();
    if manifest
        .tasks
        .iter()
        .enumerate()
        .any(|(i, t)| task_opaque(&plan, i) && t.strata.len() > 1)
    {
        warnings.push(OPAQUE_INFERENCE_WARNING.to_string());
    }
    Ok(PublishedBatch::Written {
        manifest: Box::new(manifest),
        warnings,
    })
}

/// The item list the batch was drawn with, found as `verify` finds it,
/// with its recorded SHA-256.
fn read_items(dir: &Path, m: &BatchManifest, plan: &BatchPlan, overrides: &Overrides) -> Result<ItemList> {
    let bundle_error = |message: String| Error::Bundle {
        path: dir.display().to_string(),
        message,
    };
    let located = locate_recorded(dir, &m.inputs, overrides)?;
    let (Some(path), Some(record)) = (located.get("items"), m.inputs.get("items")) else {
        return Err(bundle_error("the manifest records no item list".into()));
    };
    let encoding = record.encoding.parse().unwrap_or(plan.frame.encoding);
    let items = ItemList::parse(RawFile::read(path)?, encoding)?;
    if items.sha256 != record.sha256 {
        return Err(bundle_error(format!(
            "the item list {} has changed since the draw: SHA-256 recorded {}, found {}",
            path.display(),
            record.sha256,
            items.sha256
        )));
    }
    Ok(items)
}

fn read_csv<T: for<'de> Deserialize<'de>>(dir: &Path, name: &str) -> Result<Vec<T>> {
    let path = dir.join(name);
    let bundle_error = |message: String| Error::Bundle {
        path: path.display().to_string(),
        message,
    };
    let mut r = csv::ReaderBuilder::new()
        .from_path(&path)
        .map_err(|e| bundle_error(e.to_string()))?;
    r.deserialize()
        .collect::<std::result::Result<Vec<T>, _>>()
        .map_err(|e| bundle_error(format!("not a spotcheck list: {e}")))
}

/// One row of a batch bundle's `visits.csv`.
#[derive(Debug, Deserialize)]
struct VisitRow {
    visit: String,
    uscc: String,
    name: String,
    county: String,
    start: String,
    end: String,
    tasks: String,
    items: String,
}

/// One row of a batch bundle's `assignments.csv`.
#[derive(Debug, Deserialize)]
struct BatchAssignmentRow {
    visit: String,
    slot: u32,
    department: String,
    inspector_id: String,
    inspector_name: String,
}

/// The public files of a batch bundle, `public.json` included.
pub fn render(
    dir: &Path,
    m: &BatchManifest,
    manifest_sha256: &str,
    plan: &BatchPlan,
    items: &ItemList,
) -> Result<(PublicBatchManifest, BTreeMap<String, Vec<u8>>)> {
    let bundle_error = |path: &str, message: String| Error::Bundle {
        path: dir.join(path).display().to_string(),
        message,
    };
    if m.tasks.len() != plan.tasks.len() {
        return Err(bundle_error(
            MANIFEST_JSON,
            "the manifest's tasks are not the plan's".into(),
        ));
    }
    let classes = plan.publish.credit_classes;
    let names = plan.publish.inspector_names;
    let mut tasks = Vec::with_capacity(m.tasks.len());
    let mut task_targets: Vec<Vec<PublicTarget>> = Vec::with_capacity(m.tasks.len());
    let mut used: BTreeMap<&str, PublicItem> = BTreeMap::new();
    for (i, t) in m.tasks.iter().enumerate() {
        let opaque = task_opaque(plan, i);
        let mut labels = BTreeMap::new();
        let strata: Vec<PublicStratum> = t
            .strata
            .iter()
            .enumerate()
            .map(|(s, st)| public_stratum(st, s, opaque, classes, None, &mut labels))
            .collect();
        let file = task_targets_file(&t.id);
        let rows: Vec<TargetRow> = read_csv(dir, &file)?;
        let mut targets = Vec::with_capacity(rows.len());
        for row in rows {
            let Some(label) = labels.get(&row.stratum) else {
                return Err(bundle_error(
                    &file,
                    format!("stratum {:?} is not in the manifest", row.stratum),
                ));
            };
            targets.push(PublicTarget {
                stratum: label.clone(),
                rank: row.rank,
                ticket: row.ticket,
                uscc: row.uscc,
                name: row.name,
                county: row.county,
                industry: row.industry,
                credit_class: classes.then_some(row.credit_class),
            });
        }
        let mut task_items = Vec::with_capacity(t.items.len());
        for code in &t.items {
            let Some(item) = items.get(code) else {
                return Err(bundle_error(
                    MANIFEST_JSON,
                    format!("task {}: item {code} is not in the item list", t.id),
                ));
            };
            task_items.push(PublicTaskItem {
                code: code.clone(),
                name: item.name.clone(),
            });
            used.entry(item.code.as_str()).or_insert_with(|| PublicItem {
                code: item.code.clone(),
                name: item.name.clone(),
                department: item.department.clone(),
                category: category_word(item.key).to_string(),
                legal_basis: item.legal_basis.clone(),
                method: item.method.clone(),
            });
        }
        tasks.push(PublicTask {
            id: t.id.clone(),
            name: t.name.clone(),
            department: t.department.clone(),
            start: t.start.clone(),
            end: t.end.clone(),
            items: task_items,
            seed: t.seed.clone(),
            strata,
            excluded: t.excluded.clone(),
            totals: t.totals.clone(),
        });
        task_targets.push(targets);
    }
    let mut teams: BTreeMap<String, Vec<(u32, String, String, String)>> = BTreeMap::new();
    if names && m.teams.is_some() {
        let rows: Vec<BatchAssignmentRow> = read_csv(dir, ASSIGNMENTS_CSV)?;
        for a in rows {
            teams
                .entry(a.visit)
                .or_default()
                .push((a.slot, a.department, a.inspector_id, a.inspector_name));
        }
    }
    let names_shown = names && m.teams.is_some();
    let visits: Vec<PublicVisit> = read_csv::<VisitRow>(dir, VISITS_CSV)?
        .into_iter()
        .map(|v| {
            let team = names_shown.then(|| {
                let mut members = teams.remove(&v.visit).unwrap_or_default();
                members.sort_by_key(|x| x.0);
                members.into_iter().map(|(_, d, id, n)| (d, id, n)).collect()
            });
            PublicVisit {
                visit: v.visit,
                uscc: v.uscc,
                name: v.name,
                county: v.county,
                start: v.start,
                end: v.end,
                tasks: split_list(&v.tasks),
                items: split_list(&v.items),
                team,
            }
        })
        .collect();
    let mut manifest = PublicBatchManifest {
        format: PUBLIC_BATCH_FORMAT.to_string(),
        source_manifest_sha256: manifest_sha256.to_string(),
        spec_version: m.spec_version.clone(),
        tool: m.tool.clone(),
        published_by: tool_version(),
        batch: m.batch.clone(),
        plan: public_plan(&m.plan),
        inputs: public_inputs(&m.inputs),
        seed: m.seed.clone(),
        items: used.into_values().collect(),
        tasks,
        totals: m.totals.clone(),
        teams: m.teams.clone(),
        results: None,
        withheld: batch_withheld(plan, m.teams.is_some()),
        files: BTreeMap::new(),
    };
    let mut files = BTreeMap::new();
    for (t, targets) in manifest.tasks.iter().zip(&task_targets) {
        files.insert(task_targets_file(&t.id), targets_csv(classes, targets));
    }
    files.insert(VISITS_CSV.to_string(), visits_csv(names_shown, &visits));
    add_evidence(dir, &mut files)?;
    let announcement = match read_results_log(dir)? {
        Some(log) => {
            let lists = batch_lists(&manifest, plan, &task_targets, &visits).map(|(l, _)| l);
            let a = lists
                .and_then(|l| Announcement::of_log(dir, l, &log))
                .map_err(|message| results_error(dir, message))?;
            a.add_files(&log, &mut files);
            manifest.results = Some(a.record.clone());
            note_ids_in_log(&mut manifest.withheld);
            Some(a)
        }
        None => None,
    };
    let page = render_batch_page(&BatchPageData {
        manifest: &manifest,
        plan,
        targets: &task_targets,
        visits: &visits,
        results: announcement.as_ref().map(|a| a.rows.as_slice()),
        evidence: &files,
    });
    manifest.files = add_page(&mut files, page);
    files.insert(PUBLIC_JSON.to_string(), batch_manifest_bytes(&manifest));
    Ok((manifest, files))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_split_on_semicolons() {
        assert!(split_list("").is_empty());
        assert_eq!(split_list("a;b"), ["a", "b"]);
    }

    #[test]
    fn assignment_rows_read_by_name() {
        let text = "visit,uscc,name,slot,department,inspector_id,inspector_name\nV,U,N,2,D,I,P\n";
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let rows: Vec<BatchAssignmentRow> = r.deserialize().map(|x| x.unwrap()).collect();
        assert_eq!(rows[0].visit, "V");
        assert_eq!(rows[0].slot, 2);
    }
}
