//! Batches (SPEC.md §10) with the real binary: the joint plan drawn,
//! replayed and tampered with; visits merged or kept apart by their
//! windows; every team rule held over every visit; caps over the batch;
//! the batch rules; bad batch plans named; a batch's ceremony.

use crate::util::*;
use spotcheck::inputs::history::History;
use spotcheck::inputs::inspectors::{Conflicts, InspectorDirectory};
use spotcheck::inputs::items::ItemList;
use spotcheck::inputs::table::{RawFile, TextEncoding};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The rows of a CSV file as maps from header to value.
fn rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            headers
                .iter()
                .map(String::from)
                .zip(rec.iter().map(String::from))
                .collect()
        })
        .collect()
}

fn batch_manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap()
}

/// A batch plan over the committed data (paths relative to `in/`).
fn batch_text(header_extra: &str, inspectors_extra: &str, tasks: &str) -> String {
    let data = repo().join("data");
    let d = data.display();
    format!(
        "[batch]\n\
         id = \"B-TEST\"\n\
         name = \"测试批次\"\n\
         department = \"黔东南州市场监督管理局\"\n\
         start = 2025-01-01\n\
         end = 2025-12-31\n\
         items = \"{d}/items.csv\"\n\
         {header_extra}\n\
         [frame]\n\
         enterprises = \"{d}/enterprises.csv\"\n\
         history = \"{d}/history.csv\"\n\
         \n\
         [inspectors]\n\
         directory = \"{d}/inspectors.csv\"\n\
         conflicts = \"{d}/conflicts.csv\"\n\
         {inspectors_extra}\n\
         {tasks}"
    )
}

/// A task of a test batch.
fn task(id: &str, items: &str, start: &str, end: &str, team: &str, targets: &str) -> String {
    format!(
        "[[task]]\n\
         id = \"{id}\"\n\
         name = \"任务{id}\"\n\
         department = \"黔东南州市场监督管理局\"\n\
         items = [{items}]\n\
         start = {start}\n\
         end = {end}\n\
         team = {{ {team} }}\n\
         [task.targets]\n\
         {targets}\n\n"
    )
}

/// Food producers of one small county, all of them: three tasks' firms
/// are then the same firms.
const DANZHAI_FOOD: &str = "ratio = \"100%\"\ncounties = [\"丹寨县\"]\nindustries = [\"食品生产\"]";

fn joint_bundle(w: &Work, name: &str, seed: &str) -> PathBuf {
    let out = w.out(name);
    draw(&repo().join("plans/joint-2025.toml"), seed, &out, &[]).ok();
    out
}

#[test]
fn the_joint_plan_draws_replays_and_names_a_changed_task_line() {
    let w = Work::new();
    let b1 = joint_bundle(&w, "b1", "20250301-QDN");
    let b2 = joint_bundle(&w, "b2", "20250301-QDN");
    assert_eq!(snapshot(&b1), snapshot(&b2), "the same seed gives the same bundle");
    let m = batch_manifest(&b1);
    assert_eq!(m["format"], "spotcheck-batch/1");
    let tasks = m["tasks"].as_array().unwrap();
    assert!(tasks.len() >= 40, "{} tasks", tasks.len());
    let departments: BTreeSet<&str> = tasks.iter().map(|t| t["department"].as_str().unwrap()).collect();
    let items: BTreeSet<&str> = tasks
        .iter()
        .flat_map(|t| t["items"].as_array().unwrap())
        .map(|i| i.as_str().unwrap())
        .collect();
    let item_departments: BTreeSet<&str> = items.iter().map(|i| &i[..2]).collect();
    assert!(item_departments.len() >= 4, "{departments:?} {item_departments:?}");
    for t in tasks {
        let id = t["id"].as_str().unwrap();
        assert_eq!(t["seed"], format!("20250301-QDN:task:{id}"));
        assert!(b1.join(format!("tasks/{id}/targets.csv")).is_file());
    }
    assert!(m["totals"]["joint_visits"].as_u64().unwrap() > 0);
    verify(&b1, &[]).ok().stdout_has(&["verified", "50 tasks"]);

    // A changed rank in one task's list: exit 3, the task and the line.
    let first = tasks[3]["id"].as_str().unwrap();
    let file = b1.join(format!("tasks/{first}/targets.csv"));
    let text = std::fs::read_to_string(&file).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let mut fields: Vec<&str> = lines[1].split(',').collect();
    fields[1] = "9";
    lines[1] = fields.join(",");
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    verify(&b1, &[]).not_verified(&[
        &format!("tasks/{first}/targets.csv"),
        &format!("task {first}"),
        "line 2",
    ]);

    // A visit's team edited by hand.
    let visits = b2.join("visits.csv");
    let text = std::fs::read_to_string(&visits).unwrap();
    std::fs::write(&visits, text.replacen("QDN-SJ-0", "QDN-SJ-9", 1)).unwrap();
    verify(&b2, &[]).not_verified(&["visits.csv", "line "]);
}

#[test]
fn every_rule_holds_for_every_visit_of_the_joint_plan() {
    let w = Work::new();
    let b = joint_bundle(&w, "b", "7");
    let data = repo().join("data");
    let read = |name: &str| RawFile::read(&data.join(name)).unwrap();
    let officers = InspectorDirectory::parse(read("inspectors.csv"), TextEncoding::Auto).unwrap();
    let items = ItemList::parse(read("items.csv"), TextEncoding::Auto).unwrap();
    let history = History::parse(read("history.csv"), TextEncoding::Auto).unwrap();
    let firms: BTreeMap<String, BTreeMap<String, String>> = rows(&data.join("enterprises.csv"))
        .into_iter()
        .map(|r| (r["uscc"].clone(), r))
        .collect();
    let directory = spotcheck::inputs::directory::Directory::parse(
        read("enterprises.csv"),
        TextEncoding::Auto,
        &["A", "B", "C", "D"].map(String::from),
    )
    .unwrap();
    let conflicts = Conflicts::parse(read("conflicts.csv"), TextEncoding::Auto, &officers, &directory).unwrap();
    let by_id: BTreeMap<&str, &spotcheck::inputs::inspectors::Inspector> =
        officers.inspectors.iter().map(|p| (p.id.as_str(), p)).collect();
    let plan = spotcheck::inputs::batch_plan::BatchPlan::load(&repo().join("plans/joint-2025.toml")).unwrap();
    let tasks: BTreeMap<&str, &spotcheck::inputs::batch_plan::BatchTask> =
        plan.tasks.iter().map(|t| (t.task.id.as_str(), t)).collect();
    let cap = plan.inspectors.as_ref().unwrap().max_assignments.unwrap() as usize;

    let visits = rows(&b.join("visits.csv"));
    let mut team_of: BTreeMap<String, Vec<BTreeMap<String, String>>> = BTreeMap::new();
    for a in rows(&b.join("assignments.csv")) {
        team_of.entry(a["visit"].clone()).or_default().push(a);
    }
    let mut load: BTreeMap<String, usize> = BTreeMap::new();
    let mut targets_seen = 0;
    // A firm's visits, as (start, end) of their windows.
    let mut by_firm: BTreeMap<&str, Vec<(&str, &str)>> = BTreeMap::new();
    for v in &visits {
        let uscc = v["uscc"].as_str();
        let visit_tasks: Vec<&str> = v["tasks"].split(';').collect();
        targets_seen += visit_tasks.len();
        assert_eq!(v["visit"], format!("{uscc}:{}", visit_tasks[0]));
        // The window is the tasks' common window.
        let start = visit_tasks.iter().map(|t| tasks[t].task.start).max().unwrap();
        let end = visit_tasks.iter().map(|t| tasks[t].task.end).min().unwrap();
        assert!(start <= end);
        assert_eq!(
            (v["start"].as_str(), v["end"].as_str()),
            (&*start.to_string(), &*end.to_string())
        );
        by_firm
            .entry(uscc)
            .or_default()
            .push((v["start"].as_str(), v["end"].as_str()));
        // Departments: every one a task asks, with the largest count.
        let mut want: BTreeMap<&str, u32> = BTreeMap::new();
        for t in &visit_tasks {
            for (d, n) in &tasks[t].team {
                let c = want.entry(d).or_default();
                *c = (*c).max(*n);
            }
        }
        let team = &team_of[&v["visit"]];
        let mut got: BTreeMap<&str, u32> = BTreeMap::new();
        for a in team {
            *got.entry(a["department"].as_str()).or_default() += 1;
        }
        assert_eq!(want, got, "visit {}", v["visit"]);
        let visit_items: Vec<&str> = v["items"].split(';').collect();
        let firm = &firms[uscc];
        let area = firm
            .get("supervising_area")
            .filter(|a| !a.is_empty())
            .unwrap_or(&firm["county"]);
        let code = spotcheck::inputs::uscc::pack(uscc);
        let last = history
            .last_inspection(code)
            .map(|l| l.inspector_ids.clone())
            .unwrap_or_default();
        let mut members = BTreeSet::new();
        for a in team {
            let p = by_id[a["inspector_id"].as_str()];
            assert_eq!(p.department, a["department"]);
            assert!(p.active, "{} is not active", p.id);
            assert!(p.cert_expires >= end, "{}'s certificate", p.id);
            for code in &visit_items {
                let item = items.get(code).unwrap();
                if item.department == p.department
                    && let Some(s) = &item.specialty
                {
                    assert!(p.specialties.contains(s), "{} lacks {s} for {code}", p.id);
                }
            }
            assert!(!conflicts.recused(&p.id, uscc), "{} recused from {uscc}", p.id);
            assert_ne!(&p.area, area, "{} is of the firm's own area", p.id);
            assert!(!last.contains(&p.id), "{} inspected {uscc} last time", p.id);
            assert!(members.insert(p.id.clone()), "{} twice on a team", p.id);
            *load.entry(p.id.clone()).or_default() += 1;
        }
    }
    // Every target is on exactly one visit.
    let targets: usize = plan
        .tasks
        .iter()
        .map(|t| rows(&b.join(format!("tasks/{}/targets.csv", t.task.id))).len())
        .sum();
    assert_eq!(targets, targets_seen);
    // A firm's visits: a later one starts after the earlier one's window.
    for (uscc, mut vs) in by_firm {
        vs.sort();
        for pair in vs.windows(2) {
            assert!(pair[1].0 > pair[0].1, "{uscc}: {pair:?}");
        }
    }
    // No one over the cap, counted over the batch; load.csv says the same.
    assert!(load.values().all(|&n| n <= cap), "max {:?}", load.values().max());
    for r in rows(&b.join("load.csv")) {
        assert_eq!(
            r["visits"].parse::<usize>().unwrap(),
            load.get(&r["inspector_id"]).copied().unwrap_or(0)
        );
    }
}

#[test]
fn overlapping_windows_share_a_visit_and_separate_ones_do_not() {
    let w = Work::new();
    let tasks = [
        task(
            "T1",
            "\"SJ-SP-01\"",
            "2025-03-01",
            "2025-05-31",
            "\"市场监管局\" = 2",
            DANZHAI_FOOD,
        ),
        task(
            "T2",
            "\"SW-FP-01\", \"SJ-SP-01\"",
            "2025-04-15",
            "2025-06-30",
            "\"市场监管局\" = 1, \"税务局\" = 1",
            DANZHAI_FOOD,
        ),
        task(
            "T3",
            "\"SJ-SP-01\"",
            "2025-09-01",
            "2025-10-31",
            "\"市场监管局\" = 2",
            DANZHAI_FOOD,
        ),
    ]
    .concat();
    let plan = w.write("batch.toml", batch_text("", "", &tasks));
    let out = w.out("b");
    draw(&plan, "overlap", &out, &[]).ok();
    let visits = rows(&out.join("visits.csv"));
    let firms: BTreeSet<&str> = visits.iter().map(|v| v["uscc"].as_str()).collect();
    assert!(firms.len() > 10, "{} firms", firms.len());
    for uscc in &firms {
        let mine: Vec<_> = visits.iter().filter(|v| v["uscc"] == *uscc).collect();
        assert_eq!(mine.len(), 2, "{uscc}: one visit for T1 and T2, one for T3");
        assert_eq!(mine[0]["tasks"], "T1;T2");
        assert_eq!(
            (mine[0]["start"].as_str(), mine[0]["end"].as_str()),
            ("2025-04-15", "2025-05-31")
        );
        assert_eq!(mine[0]["items"], "SJ-SP-01;SW-FP-01");
        assert_eq!(mine[0]["departments"], "市场监管局;市场监管局;税务局");
        assert_eq!(mine[1]["tasks"], "T3");
    }
    verify(&out, &[]).ok();

    // At most one visit a firm: T3 leaves out every firm T1 and T2 visit.
    let capped = w.write("capped.toml", batch_text("max_visits_per_firm = 1", "", &tasks));
    let out = w.out("capped");
    draw(&capped, "overlap", &out, &[]).ok();
    let m = batch_manifest(&out);
    let t3 = &m["tasks"][2];
    assert_eq!(t3["id"], "T3");
    assert_eq!(t3["excluded"]["visit_cap"].as_u64().unwrap(), firms.len() as u64);
    assert_eq!(t3["totals"]["targets"], 0);
    let visits = rows(&out.join("visits.csv"));
    assert_eq!(visits.len(), firms.len(), "one visit a firm");
    verify(&out, &[]).ok();
}

#[test]
fn general_items_leave_out_firms_visited_this_year_and_key_items_do_not() {
    let w = Work::new();
    let all = "ratio = \"1%\"";
    let tasks = [
        task(
            "GENERAL",
            "\"SJ-GS-01\"",
            "2025-06-01",
            "2025-08-31",
            "\"市场监管局\" = 2",
            all,
        ),
        task(
            "KEY",
            "\"SJ-SP-01\"",
            "2025-06-01",
            "2025-08-31",
            "\"市场监管局\" = 2",
            all,
        ),
    ]
    .concat();
    let plan = w.write("batch.toml", batch_text("leave_out_visited = true", "", &tasks));
    let out = w.out("b");
    draw(&plan, "year", &out, &[]).ok();
    let m = batch_manifest(&out);
    // History rows from 2025 on, of active firms, are the ones left out.
    let active: BTreeSet<String> = rows(&repo().join("data/enterprises.csv"))
        .into_iter()
        .filter(|r| ["存续", "在业", "开业"].contains(&r["status"].as_str()))
        .map(|r| r["uscc"].clone())
        .collect();
    let visited: BTreeSet<String> = rows(&repo().join("data/history.csv"))
        .into_iter()
        .filter(|r| r["inspected_on"].as_str() >= "2025-01-01" && active.contains(&r["uscc"]))
        .map(|r| r["uscc"].clone())
        .collect();
    assert!(!visited.is_empty());
    assert_eq!(m["tasks"][0]["id"], "GENERAL");
    assert_eq!(m["tasks"][0]["excluded"]["recently_inspected"], visited.len() as u64);
    assert_eq!(m["tasks"][1]["excluded"]["recently_inspected"], 0);
}

#[test]
fn bad_batch_plans_are_named() {
    let w = Work::new();
    let t =
        |id: &str, items: &str, start: &str, team: &str| task(id, items, start, "2025-06-30", team, "ratio = \"1%\"");
    let sj = "\"市场监管局\" = 2";
    let cases: Vec<(&str, String, Vec<&str>)> = vec![
        (
            "duplicate ids",
            [
                t("A", "\"SJ-GS-01\"", "2025-03-01", sj),
                t("A", "\"SJ-GS-01\"", "2025-03-01", sj),
            ]
            .concat(),
            vec!["task[2] (\"A\").id", "task[1] has the same id"],
        ),
        (
            "unknown item",
            t("A", "\"SJ-XX-99\"", "2025-03-01", sj),
            vec!["task \"A\": item \"SJ-XX-99\" is not in the item list", "items.csv"],
        ),
        (
            "window outside the batch",
            t("A", "\"SJ-GS-01\"", "2024-12-01", sj),
            vec![
                "task[1] (\"A\").start",
                "2024-12-01",
                "not within the batch's period 2025-01-01 – 2025-12-31",
            ],
        ),
        (
            "a department without inspectors",
            t("A", "\"SJ-GS-01\"", "2025-03-01", "\"市场监管局\" = 2, \"文旅局\" = 1"),
            vec!["task \"A\": team.文旅局: no inspector", "inspectors.csv"],
        ),
        (
            "an item whose department has no slot",
            t("A", "\"SW-FP-01\"", "2025-03-01", sj),
            vec![
                "task \"A\": item SW-FP-01",
                "checked by 税务局, which has no slot in the task's team",
            ],
        ),
        (
            "a team of one",
            t("A", "\"SJ-GS-01\"", "2025-03-01", "\"市场监管局\" = 1"),
            vec!["task[1] (\"A\").team", "at least 2"],
        ),
        (
            "a task id that cannot name a folder",
            t("../x", "\"SJ-GS-01\"", "2025-03-01", sj),
            vec!["task[1] (\"../x\").id", "ASCII letters"],
        ),
    ];
    for (what, tasks, needles) in cases {
        let plan = w.write("bad.toml", batch_text("", "", &tasks));
        let out = w.out("x");
        let run = draw(&plan, "s", &out, &[]);
        run.expect_code(1);
        let mut all = vec!["bad.toml"];
        all.extend(needles);
        for n in &all {
            assert!(run.stderr.contains(n), "{what}: {n:?} not in {}", run.stderr);
        }
        assert_no_output(&out);
    }
}

#[test]
fn an_enterprise_workbook_with_a_bad_code_in_row_5000_is_named_by_sheet_and_row() {
    let w = Work::new();
    let text = std::fs::read_to_string(repo().join("data/enterprises.csv")).unwrap();
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet().set_name("企业名录").unwrap();
    for (r, line) in text.lines().take(6000).enumerate() {
        for (c, field) in line.split(',').enumerate() {
            let field = if r == 4999 && c == 0 {
                "91522601MA6DUMMY00"
            } else {
                field
            };
            sheet.write_string(r as u32, c as u16, field).unwrap();
        }
    }
    let xlsx = w.input("enterprises.xlsx");
    book.save(&xlsx).unwrap();
    let tasks = task(
        "A",
        "\"SJ-GS-01\"",
        "2025-03-01",
        "2025-06-30",
        "\"市场监管局\" = 2",
        "ratio = \"1%\"",
    );
    let plan = w.write("batch.toml", batch_text("", "", &tasks));
    let out = w.out("x");
    draw(&plan, "s", &out, &["--enterprises", &xlsx.display().to_string()])
        .error(&["enterprises.xlsx, sheet 企业名录, row 5000, column uscc"]);
    assert_no_output(&out);
}

#[test]
fn an_infeasible_batch_writes_nothing_and_names_task_visit_and_rule() {
    let w = Work::new();
    // Public-health items need 公共卫生 officers of the health bureau; one
    // visit each is all the cap allows, so a county's worth cannot be
    // staffed.
    let tasks = task(
        "HEALTH",
        "\"WJ-GW-01\"",
        "2025-03-01",
        "2025-06-30",
        "\"卫生健康局\" = 2",
        "ratio = \"100%\"\ncounties = [\"丹寨县\"]\nindustries = [\"住宿和餐饮业\"]",
    );
    let plan = w.write("batch.toml", batch_text("", "max_assignments = 1", &tasks));
    let out = w.out("x");
    draw(&plan, "s", &out, &[]).error(&[
        "cannot staff",
        "visits of batch B-TEST (nothing was written)",
        "task HEALTH: visit ",
        "slot ",
        "removed: already at max_assignments",
        "raise inspectors.max_assignments (now 1, counted over the batch)",
    ]);
    assert_no_output(&out);
}

#[test]
fn a_batch_from_a_ceremony_binds_its_tasks_and_items() {
    let w = Work::new();
    let items = w.write("items.csv", std::fs::read(repo().join("data/items.csv")).unwrap());
    let tasks = [
        task(
            "T1",
            "\"SJ-SP-01\"",
            "2025-03-01",
            "2025-05-31",
            "\"市场监管局\" = 2",
            DANZHAI_FOOD,
        ),
        task(
            "T2",
            "\"SJ-GS-01\"",
            "2025-04-01",
            "2025-06-30",
            "\"市场监管局\" = 2",
            "ratio = \"0.5%\"",
        ),
    ]
    .concat();
    let text = batch_text("", "", &tasks).replace(
        &format!("items = \"{}\"", repo().join("data/items.csv").display()),
        "items = \"items.csv\"",
    );
    w.write("batch.toml", text);
    let commitment = w.root().join("commitment.json");
    spotcheck([
        "commit",
        "--plan",
        &w.input("batch.toml").display().to_string(),
        "--out",
        &commitment.display().to_string(),
        "--beacon-round",
        "657413",
        "--time",
        "2023-09-15T10:00:00Z",
        "--dice-event",
        "公开摇号会",
        "--dice-sources",
        "2",
    ])
    .ok();
    let c: serde_json::Value = serde_json::from_slice(&std::fs::read(&commitment).unwrap()).unwrap();
    assert!(c.get("frame").is_none());
    assert_eq!(c["tasks"][0]["id"], "T1");
    assert!(c["inputs"].get("items").is_some());
    let draw_from = |out: &Path| {
        spotcheck([
            "draw".to_string(),
            "--commitment".into(),
            commitment.display().to_string(),
            "--reveal".into(),
            commitment.with_extension("secret").display().to_string(),
            "--beacon".into(),
            repo().join("tests/data/beacon-657413.json").display().to_string(),
            "--dice".into(),
            "1.3.5./2.4.6./".into(),
            "--out".into(),
            out.display().to_string(),
        ])
    };
    let out = w.out("b");
    draw_from(&out).ok().stdout_has(&["B-TEST", "REHEARSAL"]);
    let m = batch_manifest(&out);
    let seed = m["seed"]["value"].as_str().unwrap();
    assert_eq!(m["tasks"][0]["seed"], format!("{seed}:task:T1"));
    verify(&out, &[])
        .ok()
        .stdout_has(&["verified", "batch B-TEST", "round 657413"]);

    // The item list changed after the commitment: refused, nothing written.
    std::fs::write(
        &items,
        std::fs::read_to_string(&items).unwrap().replace("书面检查", "实地检查"),
    )
    .unwrap();
    let out = w.out("c");
    draw_from(&out).error(&["items.csv: input items has changed since the commitment"]);
    assert_no_output(&out);
}
