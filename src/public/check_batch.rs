//! Checking a batch's public bundle with nothing but its own files
//! (`spotcheck verify PUBLIC_DIR` when `public.json` is
//! `spotcheck-public-batch/1`): the files against `public.json`, the seed
//! against its evidence, every task's seed, strata, tickets and ranks, the
//! visits that merge the tasks, the teams' shape, the results
//! announcement when there is one, and the page.

use crate::base::error::Result;
use crate::bundle::batch::{VISITS_CSV, task_targets_file};
use crate::draw::batch::task_seed;
use crate::inputs::batch_plan::BatchPlan;
use crate::inputs::plan::Plan;
use crate::inputs::record::TaskRecord;
use crate::public::announcement::{ResultRow, batch_lists, check_results, note_ids_in_log};
use crate::public::batch_format::{
    PublicBatchManifest, PublicTask, PublicVisit, batch_withheld, read_public_batch_manifest, read_public_visits,
    task_opaque,
};
use crate::public::batch_page::{BatchPageData, render_batch_page};
use crate::public::check::{
    ListClaims, PublicReport, SeedClaims, Strata, add_results_check, check_bundle_files, check_loads,
    check_note_and_withheld, check_page_bytes, check_plan_text, check_seed_claims, check_strata_list,
    check_target_rows, open_manifest, results_files, seed_not_checked, short,
};
use crate::public::format::{INDEX_HTML, PublicTarget, read_public_targets_file};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Checks a batch's public bundle with nothing but its own files.
pub fn verify_public_batch(dir: &Path) -> Result<PublicReport> {
    let mut r = PublicReport::default();
    let Some(m) = open_manifest(dir, read_public_batch_manifest, |m| &m.spec_version, &mut r)? else {
        return Ok(r);
    };
    check_files(dir, &m, &mut r)?;
    let Some(plan) = check_plan(dir, &m, &mut r) else {
        return Ok(finish(r, &m));
    };
    check_seed(dir, &m, &mut r);
    let mut withheld = batch_withheld(&plan, m.teams.is_some());
    if m.results.is_some() {
        note_ids_in_log(&mut withheld);
    }
    check_note_and_withheld(&m.seed, m.withheld == withheld, &mut r);
    let mut lists: Vec<Vec<PublicTarget>> = Vec::with_capacity(m.tasks.len());
    let before = r.findings.len();
    let mut tickets = 0;
    for (i, task) in m.tasks.iter().enumerate() {
        let key_items = task.items.iter().any(|it| {
            m.items
                .iter()
                .any(|x| x.code == it.code && x.category == crate::public::batch_format::category_word(true))
        });
        let task_plan = plan.task_plan(i, !key_items);
        let opaque = task_opaque(&plan, i);
        check_task_strata(&m, task, &task_plan, opaque, &mut r);
        let file = task_targets_file(&task.id);
        let rows = match read_public_targets_file(dir, &file, plan.publish.credit_classes) {
            Ok(rows) => rows,
            Err(e) => {
                r.findings.push(e);
                Vec::new()
            }
        };
        let list = ListClaims {
            file: &file,
            strata: &task.strata,
            seed: &task.seed,
            targets: task.totals.targets,
        };
        check_target_rows(&list, &task_plan, opaque, &rows, &mut r);
        tickets += rows.len();
        lists.push(rows);
    }
    if r.findings.len() == before {
        r.checked.push(format!(
            "tasks: each of the {} tasks' strata has the k its N and the plan's rule give (ratio, min, max); the {tickets} listed tickets are each ticket(S_t, code) under its task's seed S_t (consistent_sampler's first_fraction); each stratum lists exactly k firms, ranks 1..k in ascending ticket order",
            m.tasks.len()
        ));
    }
    let names = plan.publish.inspector_names && m.teams.is_some();
    let visits = match read_public_visits(dir, names) {
        Ok(v) => v,
        Err(e) => {
            r.findings.push(e);
            return Ok(finish(r, &m));
        }
    };
    check_visits(&m, &lists, &visits, &mut r);
    check_teams(&m, &plan, &visits, &mut r);
    let results = m.results.as_ref().map(|record| {
        let public = batch_lists(&m, &plan, &lists, &visits);
        check_results(dir, record, public)
    });
    let rows = results
        .as_ref()
        .and_then(|c| c.announcement.as_ref().map(|a| a.rows.as_slice()));
    check_page(dir, &m, &plan, &lists, &visits, rows, &mut r);
    Ok(add_results_check(results, finish(r, &m)))
}

fn finish(mut r: PublicReport, m: &PublicBatchManifest) -> PublicReport {
    r.not_checked.push(
        "that each task's N is the true count of its eligible firms, and that the excluded firms were rightly \
         excluded: needs the enterprise directory and history"
            .into(),
    );
    r.not_checked.push(
        "that the firms' names, counties and industries are those of the directory, and the items' names those \
         of the item list: needs the files"
            .into(),
    );
    r.not_checked
        .push("that the input files are the ones whose SHA-256 are recorded: the files are not public".into());
    if m.teams.is_some() {
        r.not_checked.push(
            "that the teams are the ones the seed gives, and obey certificates, specialties, recusal (回避), \
             cross-area (所所交叉), rotation and the year's load cap: needs the inspector directory, the recusal \
             list and the history"
                .into(),
        );
    }
    seed_not_checked(&m.seed, &mut r);
    r.summary = format!(
        "public bundle of batch {}: {} tasks, {} targets, {} visits from {} firms",
        m.batch.id, m.totals.tasks, m.totals.targets, m.totals.visits, m.totals.directory_rows
    );
    r
}

fn check_files(dir: &Path, m: &PublicBatchManifest, r: &mut PublicReport) -> Result<()> {
    let mut required = vec![INDEX_HTML.to_string(), VISITS_CSV.to_string()];
    required.extend(m.tasks.iter().map(|t| task_targets_file(&t.id)));
    let results = results_files(m.results.is_some(), &m.files, &mut required);
    check_bundle_files(dir, &m.files, true, &required, results, r)
}

/// The plan: its text matches its hash and parses; the batch, the tasks
/// (in batch order), their seeds and items are the plan's.
fn check_plan(dir: &Path, m: &PublicBatchManifest, r: &mut PublicReport) -> Option<BatchPlan> {
    let before = r.findings.len();
    check_plan_text(&m.plan, r);
    let plan = match BatchPlan::parse("public.json (plan)", &m.plan.text, dir) {
        Ok(p) => p,
        Err(e) => {
            r.findings.push(format!("plan: does not parse as a batch plan: {e}"));
            return None;
        }
    };
    if plan.task_record() != batch_task_of(m) {
        r.findings
            .push("batch: public.json's batch is not the plan's [batch]".into());
    }
    if m.tasks.len() != plan.tasks.len() || m.totals.tasks != plan.tasks.len() as u64 {
        r.findings.push(format!(
            "tasks: public.json lists {} tasks (totals: {}), the plan has {}",
            m.tasks.len(),
            m.totals.tasks,
            plan.tasks.len()
        ));
    }
    let names: BTreeMap<&str, &str> = m.items.iter().map(|i| (i.code.as_str(), i.name.as_str())).collect();
    let mut used = BTreeSet::new();
    for (t, p) in m.tasks.iter().zip(&plan.tasks) {
        let p = &p.task;
        let at = format!("public.json task {}", t.id);
        if (&t.id, &t.name, &t.department) != (&p.id, &p.name, &p.department)
            || t.start != p.start.to_string()
            || t.end != p.end.to_string()
        {
            r.findings.push(format!(
                "{at}: not the plan's task {} in batch order (id, name, department, window)",
                p.id
            ));
        }
        let codes: Vec<&str> = t.items.iter().map(|i| i.code.as_str()).collect();
        if codes != p.items.iter().map(String::as_str).collect::<Vec<_>>() {
            r.findings
                .push(format!("{at}: items {codes:?} are not the plan's {:?}", p.items));
        }
        for i in &t.items {
            used.insert(i.code.as_str());
            if names.get(i.code.as_str()) != Some(&i.name.as_str()) {
                r.findings.push(format!(
                    "{at}: item {} is not named {:?} in public.json's items",
                    i.code, i.name
                ));
            }
        }
        let expected = task_seed(&m.seed.value, &t.id);
        if t.seed != expected {
            r.findings.push(format!(
                "{at}: seed {:?} is not S ‖ \":task:\" ‖ id = {expected:?}",
                t.seed
            ));
        }
    }
    let listed: Vec<&str> = m.items.iter().map(|i| i.code.as_str()).collect();
    if listed != used.iter().copied().collect::<Vec<_>>() {
        r.findings.push(
            "items: public.json's items are not exactly the items the tasks name, in byte order of their codes".into(),
        );
    }
    if r.findings.len() == before {
        r.checked.push(format!(
            "plan: its text matches its SHA-256 {}, parses, and states this batch and its {} tasks in batch order, with their items; each task's seed is S:task:id",
            short(&m.plan.sha256),
            plan.tasks.len()
        ));
    }
    Some(plan)
}

fn batch_task_of(m: &PublicBatchManifest) -> TaskRecord {
    let b = &m.batch;
    TaskRecord {
        id: b.id.clone(),
        name: b.name.clone(),
        department: b.department.clone(),
        start: b.start.clone(),
        end: b.end.clone(),
        items: Vec::new(),
    }
}

fn check_seed(dir: &Path, m: &PublicBatchManifest, r: &mut PublicReport) {
    let task = batch_task_of(m);
    let claims = SeedClaims {
        seed: &m.seed,
        plan: &m.plan,
        task: &task,
        inputs: &m.inputs,
    };
    check_seed_claims(
        dir,
        &claims,
        |c, r| match &c.tasks {
            Some(committed) => {
                if committed.len() != m.tasks.len() {
                    r.findings.push(format!(
                        "ceremony: {} tasks, but the commitment has {}",
                        m.tasks.len(),
                        committed.len()
                    ));
                }
                let mut capped = 0;
                for (c, t) in committed.iter().zip(&m.tasks) {
                    let n: Vec<u64> = t.strata.iter().map(|s| s.n).collect();
                    if t.excluded.visit_cap > 0 {
                        // Firms at the most visits depend on the seed: the
                        // commitment's N count them, the draw's do not.
                        capped += 1;
                        if c.id != t.id || c.strata_n.len() < n.len() {
                            r.findings.push(format!(
                                "ceremony: task {}: the commitment has task {} with strata N {:?}",
                                t.id, c.id, c.strata_n
                            ));
                        }
                    } else if c.id != t.id || c.strata_n != n {
                        r.findings.push(format!(
                            "ceremony: task {}: strata N {n:?}, but the commitment has task {} with {:?}",
                            t.id, c.id, c.strata_n
                        ));
                    }
                }
                if capped > 0 {
                    r.not_checked.push(format!(
                        "that the committed N of the {capped} tasks with firms left out at the most visits \
                         (visit-cap) are the draw's before those firms were left out: needs the directory"
                    ));
                }
                Some("; each task's committed strata N are public.json's".into())
            }
            None => {
                r.findings.push(
                    "ceremony: the commitment is a plan's (it has no \"tasks\"), but this bundle is a batch's".into(),
                );
                None
            }
        },
        r,
    );
}

/// One task's strata: labels, k from N and the plan's rule, totals and
/// exclusions. Findings start with the task.
fn check_task_strata(m: &PublicBatchManifest, task: &PublicTask, plan: &Plan, opaque: bool, r: &mut PublicReport) {
    let at = format!("public.json task {}", task.id);
    let t = &task.totals;
    check_strata_list(&task.strata, t, Strata::Task(&at), plan, opaque, r);
    let e = &task.excluded;
    let parts = e.inactive.values().sum::<u64>()
        + e.outside_counties
        + e.outside_industries
        + e.recently_inspected
        + e.visit_cap;
    if parts != e.total {
        r.findings
            .push(format!("{at}: excluded reasons add up to {parts}, not {}", e.total));
    }
    if t.eligible + e.total != t.directory_rows || t.directory_rows != m.totals.directory_rows {
        r.findings.push(format!(
            "{at}: {} eligible + {} excluded is not the {} firms of the directory",
            t.eligible, e.total, m.totals.directory_rows
        ));
    }
    if plan.targets.counties.is_none() && e.outside_counties > 0 {
        r.findings
            .push(format!("{at}: firms outside the counties, but the task names none"));
    }
    if plan.targets.industries.is_none() && e.outside_industries > 0 {
        r.findings
            .push(format!("{at}: firms outside the industries, but the task names none"));
    }
    if plan.targets.exclude_inspected_within_days.is_none() && e.recently_inspected > 0 {
        r.findings
            .push(format!("{at}: recently inspected firms, but the task excludes none"));
    }
}

/// A visit as SPEC.md §10.4 makes it from the tasks' targets.
struct Expected<'a> {
    id: String,
    uscc: &'a str,
    start: &'a str,
    end: &'a str,
    tasks: Vec<usize>,
    target: &'a PublicTarget,
}

/// The visits: exactly those that merging each firm's targets in batch
/// order gives (SPEC.md §10.4), in byte order of their ids.
fn check_visits(m: &PublicBatchManifest, lists: &[Vec<PublicTarget>], rows: &[PublicVisit], r: &mut PublicReport) {
    let before = r.findings.len();
    let mut by_firm: BTreeMap<&str, Vec<(usize, &PublicTarget)>> = BTreeMap::new();
    for (i, list) in lists.iter().enumerate() {
        for t in list {
            by_firm.entry(t.uscc.as_str()).or_default().push((i, t));
        }
    }
    let mut expected: Vec<Expected> = Vec::new();
    for (uscc, targets) in &by_firm {
        let mut current: Option<Expected> = None;
        for &(i, target) in targets {
            let task = &m.tasks[i];
            match &mut current {
                Some(v) if task.start.as_str() <= v.end => {
                    v.start = task.start.as_str().max(v.start);
                    v.end = task.end.as_str().min(v.end);
                    v.tasks.push(i);
                }
                _ => {
                    if let Some(v) = current.take() {
                        expected.push(v);
                    }
                    current = Some(Expected {
                        id: format!("{uscc}:{}", task.id),
                        uscc,
                        start: &task.start,
                        end: &task.end,
                        tasks: vec![i],
                        target,
                    });
                }
            }
        }
        expected.extend(current);
    }
    expected.sort_by(|a, b| a.id.as_bytes().cmp(b.id.as_bytes()));
    let mut shown = 0;
    for (line, (v, e)) in rows.iter().zip(&expected).enumerate().map(|(i, x)| (i + 2, x)) {
        let tasks: Vec<&str> = e.tasks.iter().map(|&i| m.tasks[i].id.as_str()).collect();
        let mut items: Vec<&str> = Vec::new();
        for &i in &e.tasks {
            for it in &m.tasks[i].items {
                if !items.contains(&it.code.as_str()) {
                    items.push(&it.code);
                }
            }
        }
        let found = (
            v.visit.as_str(),
            v.uscc.as_str(),
            v.start.as_str(),
            v.end.as_str(),
            v.tasks.iter().map(String::as_str).collect::<Vec<_>>(),
            v.items.iter().map(String::as_str).collect::<Vec<_>>(),
        );
        let want = (e.id.as_str(), e.uscc, e.start, e.end, tasks, items);
        let firm = (v.name.as_str(), v.county.as_str()) == (e.target.name.as_str(), e.target.county.as_str());
        if found != want || !firm {
            shown += 1;
            if shown <= 5 {
                r.findings.push(format!(
                    "{VISITS_CSV} line {line} ({}): is not the visit the tasks' targets give: expected {} for {} {} to {}, tasks {}, items {}",
                    v.visit,
                    e.id,
                    e.target.name,
                    e.start,
                    e.end,
                    want.4.join(";"),
                    want.5.join(";")
                ));
            }
        }
    }
    if shown > 5 {
        r.findings.push(format!(
            "{VISITS_CSV}: {shown} rows in all are not the visits the targets give"
        ));
    }
    if rows.len() != expected.len() {
        r.findings.push(format!(
            "{VISITS_CSV}: {} rows, but the tasks' targets give {} visits",
            rows.len(),
            expected.len()
        ));
    }
    let t = &m.totals;
    let targets: u64 = lists.iter().map(|l| l.len() as u64).sum();
    let joint = expected.iter().filter(|v| v.tasks.len() > 1).count() as u64;
    let figures = (targets, expected.len() as u64, by_firm.len() as u64, joint);
    let recorded = (t.targets, t.visits, t.firms, t.joint_visits);
    if figures != recorded {
        r.findings.push(format!(
            "totals: targets, visits, firms and joint visits are {figures:?} in the lists, {recorded:?} in public.json"
        ));
    }
    if r.findings.len() == before {
        r.checked.push(format!(
            "visits: the {} visits are exactly those that merging each firm's targets over tasks with overlapping windows gives (SPEC §10.4), {} of them joint",
            expected.len(),
            joint
        ));
    }
}

/// The teams' shape: each visit's team has the departments and counts
/// its tasks ask; with names, no inspector twice in a team, none above
/// the year's cap, and the summary's counts.
fn check_teams(m: &PublicBatchManifest, plan: &BatchPlan, visits: &[PublicVisit], r: &mut PublicReport) {
    let Some(teams) = &m.teams else {
        if plan.inspectors.is_some() {
            r.findings
                .push("teams: the plan draws teams, but public.json records none".into());
        }
        return;
    };
    let before = r.findings.len();
    let Some(rules) = &plan.inspectors else {
        r.findings
            .push("teams: public.json records teams, but the plan has no [inspectors]".into());
        return;
    };
    let index: BTreeMap<&str, usize> = plan
        .tasks
        .iter()
        .enumerate()
        .map(|(i, t)| (t.task.id.as_str(), i))
        .collect();
    let mut total = 0u64;
    let mut load: BTreeMap<&str, u64> = BTreeMap::new();
    let mut dept_of: BTreeMap<&str, &str> = BTreeMap::new();
    let mut dept_assignments: BTreeMap<&str, u64> = BTreeMap::new();
    for (line, v) in visits.iter().enumerate().map(|(i, v)| (i + 2, v)) {
        let mut slots: BTreeMap<&str, u32> = BTreeMap::new();
        for id in &v.tasks {
            if let Some(&i) = index.get(id.as_str()) {
                for (d, n) in &plan.tasks[i].team {
                    let c = slots.entry(d.as_str()).or_default();
                    *c = (*c).max(*n);
                }
            }
        }
        let want: Vec<&str> = slots
            .iter()
            .flat_map(|(d, n)| std::iter::repeat_n(*d, *n as usize))
            .collect();
        total += want.len() as u64;
        let Some(team) = &v.team else { continue };
        let got: Vec<&str> = team.iter().map(|m| m.0.as_str()).collect();
        if got != want {
            r.findings.push(format!(
                "{VISITS_CSV} line {line} ({}): team departments {got:?}, but its tasks ask {want:?}",
                v.visit
            ));
        }
        let mut ids = BTreeSet::new();
        for (d, id, _) in team {
            *dept_assignments.entry(d.as_str()).or_default() += 1;
            if !ids.insert(id.as_str()) {
                r.findings.push(format!(
                    "{VISITS_CSV} line {line} ({}): inspector {id} twice in the team",
                    v.visit
                ));
            }
            *load.entry(id.as_str()).or_default() += 1;
            dept_of.insert(id.as_str(), d.as_str());
        }
    }
    if teams.assignments != total {
        r.findings.push(format!(
            "teams: {} assignments recorded, but the visits' tasks ask {total}",
            teams.assignments
        ));
    }
    let names = visits.iter().all(|v| v.team.is_some()) && !visits.is_empty();
    if names {
        check_loads(&load, teams, VISITS_CSV, r);
        if let Some(max) = rules.max_assignments
            && let Some((id, l)) = load.iter().find(|(_, l)| **l > max as u64)
        {
            r.findings.push(format!(
                "teams: inspector {id} is on {l} visits, above the plan's {max}"
            ));
        }
        for (d, dl) in &teams.departments {
            let found = dept_assignments.get(d.as_str()).copied().unwrap_or(0);
            let used = dept_of.values().filter(|x| **x == d.as_str()).count() as u64;
            if (found, used) != (dl.assignments, dl.inspectors_used) {
                r.findings.push(format!(
                    "teams: {d} has {found} assignments by {used} inspectors in visits.csv, {} by {} recorded",
                    dl.assignments, dl.inspectors_used
                ));
            }
        }
    }
    if r.findings.len() == before {
        let mut line = format!(
            "teams: each of the {} visits' teams has the departments and counts its tasks ask ({total} places in all, as recorded)",
            visits.len()
        );
        if names {
            line.push_str("; no inspector twice in a team");
            if let Some(max) = rules.max_assignments {
                line.push_str(&format!(", none on more than {max} visits"));
            }
            line.push_str("; the summary's counts match");
        }
        r.checked.push(line);
    }
}

fn check_page(
    dir: &Path,
    m: &PublicBatchManifest,
    plan: &BatchPlan,
    lists: &[Vec<PublicTarget>],
    visits: &[PublicVisit],
    results: Option<&[ResultRow]>,
    r: &mut PublicReport,
) {
    let render = || {
        let mut bare = m.clone();
        bare.files.clear();
        let evidence = crate::public::check::read_evidence(dir);
        render_batch_page(&BatchPageData {
            manifest: &bare,
            plan,
            targets: lists,
            visits,
            results,
            evidence: &evidence,
        })
    };
    check_page_bytes(
        dir,
        &m.published_by,
        render,
        "index.html: shows exactly the data of public.json, the tasks' lists and visits.csv (rendered again and compared)",
        "index.html: is not the page of public.json, the tasks' targets.csv and visits.csv",
        r,
    );
}
