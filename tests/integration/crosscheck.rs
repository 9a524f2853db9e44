//! An independent check: `tests/python/crosscheck.py` redraws each bundle
//! with Rivest's `consistent_sampler` (PyPI `consistent-sampler`) and
//! compares it row by row.
//!
//! The interpreter comes from `SPOTCHECK_PYTHON` (scripts/test.sh sets it
//! to a virtualenv with the package). Without it these tests print a note
//! and pass, unless `CI` or `SPOTCHECK_REQUIRE_PYTHON` is set: then a
//! missing or broken interpreter fails them.

use crate::util::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

fn required() -> bool {
    ["CI", "SPOTCHECK_REQUIRE_PYTHON"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()))
}

/// The interpreter to use, checked once: `None` means skip.
fn python() -> Option<PathBuf> {
    static PYTHON: OnceLock<Result<Option<PathBuf>, String>> = OnceLock::new();
    let found = PYTHON.get_or_init(|| {
        let Some(p) = std::env::var_os("SPOTCHECK_PYTHON").filter(|s| !s.is_empty()) else {
            return if required() {
                Err(
                    "SPOTCHECK_PYTHON is not set, but CI or SPOTCHECK_REQUIRE_PYTHON requires the \
                     cross-check; run scripts/test.sh"
                        .into(),
                )
            } else {
                eprintln!(
                    "note: SPOTCHECK_PYTHON is not set; skipping the consistent_sampler cross-check \
                     (scripts/test.sh sets it up)"
                );
                Ok(None)
            };
        };
        let p = PathBuf::from(p);
        let probe = Command::new(&p)
            .args(["-c", "import consistent_sampler, tomllib"])
            .output();
        match probe {
            Ok(o) if o.status.success() => Ok(Some(p)),
            Ok(o) => Err(format!(
                "SPOTCHECK_PYTHON={} cannot import consistent_sampler and tomllib:\n{}",
                p.display(),
                String::from_utf8_lossy(&o.stderr)
            )),
            Err(e) => Err(format!("SPOTCHECK_PYTHON={} does not run: {e}", p.display())),
        }
    });
    match found {
        Ok(p) => p.clone(),
        Err(m) => panic!("{m}"),
    }
}

/// Runs `tests/python/SCRIPT` on a bundle: (exit code, stdout + stderr).
fn run_script(python: &Path, script: &str, bundle: &Path) -> (i32, String) {
    let out = Command::new(python)
        .arg(repo().join("tests/python").join(script))
        .arg(bundle)
        .output()
        .unwrap_or_else(|e| panic!("run {script}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

/// Runs `crosscheck.py` on a bundle.
fn crosscheck(python: &Path, bundle: &Path) -> (i32, String) {
    run_script(python, "crosscheck.py", bundle)
}

#[track_caller]
fn crosscheck_ok(python: &Path, bundle: &Path) {
    let (code, text) = crosscheck(python, bundle);
    assert_eq!(code, 0, "crosscheck.py disagrees on {}:\n{text}", bundle.display());
    assert!(text.contains("0 problem(s)"), "{text}");
    let m = manifest(bundle);
    assert!(
        text.contains(&format!("targets: {} in {} strata", m.totals.targets, m.totals.strata)),
        "{text}"
    );
}

/// Several seeds, strata by class and county, per-class ratios and bounds.
#[test]
fn seeds_and_two_level_strata_agree() {
    let Some(py) = python() else { return };
    let (w, _) = Work::with_firms(3000, 70);
    w.plan(
        "stratify_by = [\"credit_class\", \"county\"]\n\
         ratio = { A = \"1%\", B = \"3%\", C = \"10%\", D = \"30%\" }\n\
         min = { D = 2, C = 1 }\n\
         max = { B = 12 }",
    );
    let seeds = [
        "1",
        "007",
        "20250301",
        "黔东南州 2025年第1批 公开摇号",
        "fc1873a13f3545aeade8401532ef5519920652eee6b0d2b19ca12643b87b3587",
    ];
    for (i, seed) in seeds.iter().enumerate() {
        let out = w.draw_ok(seed, &format!("b{i}"));
        assert!(manifest(&out).strata.len() > 40);
        crosscheck_ok(&py, &out);
    }
}

#[test]
fn single_ratio_strata_by_industry_agree() {
    let Some(py) = python() else { return };
    let (w, _) = Work::with_firms(3000, 71);
    w.plan("stratify_by = [\"industry\", \"county\"]\nratio = \"7.25%\"");
    crosscheck_ok(&py, &w.draw_ok("industry", "b"));
}

#[test]
fn directed_draw_agrees() {
    let Some(py) = python() else { return };
    let (w, _) = Work::with_firms(3000, 72);
    w.plan(
        "stratify_by = [\"credit_class\", \"county\"]\n\
         ratio = { A = \"5%\", B = \"10%\", C = \"20%\", D = \"50%\" }\n\
         counties = [\"凯里市\", \"黎平县\", \"丹寨县\"]",
    );
    let out = w.draw_ok("directed", "b");
    assert!(manifest(&out).excluded.outside_counties > 0);
    crosscheck_ok(&py, &out);

    w.plan(
        "stratify_by = [\"county\"]\n\
         ratio = \"15%\"\n\
         counties = [\"凯里市\", \"榕江县\"]\n\
         industries = [\"批发和零售业\", \"制造业\"]",
    );
    let out = w.draw_ok("directed", "b2");
    assert!(manifest(&out).excluded.outside_industries > 0);
    crosscheck_ok(&py, &out);
}

#[test]
fn history_exclusion_agrees() {
    let Some(py) = python() else { return };
    let w = Work::new();
    let data = spotcheck_demo::generate(&spotcheck_demo::DemoConfig {
        enterprises: 3000,
        inspectors: 150,
        conflicts: 5,
        history: 800,
        seed: 73,
    });
    w.enterprises(&data.enterprises);
    let mut h = Vec::new();
    spotcheck_demo::write_history_csv(&data.history, &mut h).unwrap();
    w.write("history.csv", &h);
    for (i, days) in [365, 180, 1000].iter().enumerate() {
        w.write(
            "plan.toml",
            plan_text(
                "enterprises = \"enterprises.csv\"\nhistory = \"history.csv\"",
                &format!(
                    "stratify_by = [\"credit_class\", \"county\"]\n\
                     ratio = {{ A = \"2%\", B = \"5%\", C = \"20%\", D = \"40%\" }}\n\
                     exclude_inspected_within_days = {days}"
                ),
            ),
        );
        let out = w.draw_ok("history", &format!("b{i}"));
        assert!(manifest(&out).excluded.recently_inspected > 0);
        crosscheck_ok(&py, &out);
    }
}

#[test]
fn gb18030_input_agrees() {
    let Some(py) = python() else { return };
    let (w, rows) = Work::with_firms(3000, 74);
    w.write(
        "enterprises.csv",
        spotcheck_demo::enterprises_csv_gb18030(&rows).unwrap(),
    );
    let (run, out) = w.draw("gbk", "b", &["--encoding", "gb18030"]);
    run.ok();
    crosscheck_ok(&py, &out);
}

#[test]
fn demo_plan_agrees() {
    let Some(py) = python() else { return };
    let w = Work::new();
    let out = w.out("demo");
    draw(&repo().join("plans/demo.toml"), "demo cross-check", &out, &[]).ok();
    crosscheck_ok(&py, &out);
}

/// Teams, checked independently: the joint plan (two departments) and a
/// generated world with conflicts, history and a workload cap, several
/// seeds.
#[test]
fn teams_agree() {
    let Some(py) = python() else { return };
    let w = Work::new();
    let out = w.out("joint");
    draw(&repo().join("plans/joint.toml"), "joint cross-check", &out, &[]).ok();
    let (_, text) = crosscheck(&py, &out);
    crosscheck_ok(&py, &out);
    assert!(
        text.contains("teams: 660 assignments") || text.contains("teams: "),
        "{text}"
    );

    let data = spotcheck_demo::generate(&spotcheck_demo::DemoConfig {
        enterprises: 3000,
        inspectors: 200,
        conflicts: 40,
        history: 600,
        seed: 5,
    });
    data.write_to_dir(&w.root().join("in")).unwrap();
    w.write(
        "teams.toml",
        "[task]\nid = \"X\"\nname = \"n\"\ndepartment = \"d\"\nstart = 2025-03-01\nend = 2025-11-30\n\
         [frame]\nenterprises = \"enterprises.csv\"\nhistory = \"history.csv\"\n\
         [targets]\nstratify_by = [\"credit_class\", \"county\"]\nratio = \"4%\"\n\
         [inspectors]\ndirectory = \"inspectors.csv\"\nconflicts = \"conflicts.csv\"\n\
         team = { \"市场监管局\" = 2, \"税务局\" = 1 }\nmax_assignments = 8\n",
    );
    for seed in ["t1", "t2", "007"] {
        let b = w.out(&format!("teams-{seed}"));
        draw(&w.input("teams.toml"), seed, &b, &[]).ok();
        let (_, text) = crosscheck(&py, &b);
        crosscheck_ok(&py, &b);
        assert!(text.contains("teams: ") && text.contains("0 problem(s)"), "{text}");
    }
    // It can fail: swap two officers in assignments.csv.
    let b = w.out("teams-t1");
    let path = b.join("assignments.csv");
    let honest = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = honest.lines().map(String::from).collect();
    let (a, c) = (lines[1].clone(), lines[2].clone());
    let id = |l: &str| l.split(',').nth(5).unwrap().to_string();
    lines[1] = a.replace(&id(&a), &id(&c));
    lines[2] = c.replace(&id(&c), &id(&a));
    std::fs::write(&path, format!("{}\n", lines.join("\n"))).unwrap();
    let (code, text) = crosscheck(&py, &b);
    assert_ne!(code, 0, "{text}");
}

/// The cross-check can fail: it catches a tampered targets.csv.
#[test]
fn tampered_targets_fail_the_crosscheck() {
    let Some(py) = python() else { return };
    let (w, rows) = Work::with_firms(3000, 75);
    let out = w.draw_ok("tamper", "b");
    crosscheck_ok(&py, &out);
    let path = out.join("targets.csv");
    let honest = std::fs::read_to_string(&path).unwrap();

    // A firm that was not drawn replaces one that was.
    let drawn = read_targets(&out);
    let spare = rows
        .iter()
        .find(|r| r.credit_class == 'B' && r.is_active() && !drawn.iter().any(|t| t.uscc == r.uscc))
        .unwrap();
    let victim = drawn.iter().find(|t| t.stratum == "B").unwrap();
    std::fs::write(&path, honest.replacen(&victim.uscc, &spare.uscc, 1)).unwrap();
    let (code, text) = crosscheck(&py, &out);
    assert_ne!(code, 0, "crosscheck.py accepted a replaced firm:\n{text}");
    assert!(text.contains(&spare.uscc), "{text}");

    // Two rows swapped.
    let mut lines: Vec<&str> = honest.lines().collect();
    lines.swap(1, 2);
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let (code, text) = crosscheck(&py, &out);
    assert_ne!(code, 0, "crosscheck.py accepted swapped rows:\n{text}");

    // A row dropped.
    let mut lines: Vec<&str> = honest.lines().collect();
    lines.pop();
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let (code, text) = crosscheck(&py, &out);
    assert_ne!(code, 0, "crosscheck.py accepted a dropped row:\n{text}");

    // Restored, it passes again.
    std::fs::write(&path, &honest).unwrap();
    crosscheck_ok(&py, &out);
}

/// The cross-check reads the plan from the manifest: a bundle whose plan
/// was changed together with its targets still fails.
#[test]
fn tampered_manifest_seed_fails_the_crosscheck() {
    let Some(py) = python() else { return };
    let (w, _) = Work::with_firms(3000, 76);
    let out = w.draw_ok("original", "b");
    let mut m = manifest(&out);
    m.seed.value = "another".into();
    std::fs::write(out.join("manifest.json"), m.to_bytes()).unwrap();
    let (code, text) = crosscheck(&py, &out);
    assert_ne!(code, 0, "crosscheck.py accepted a changed seed:\n{text}");
}

/// Tickets equal in their first nine digits: both implementations order
/// them by the full ticket.
#[test]
fn near_equal_tickets_agree() {
    let Some(py) = python() else { return };
    let seed = "collide";
    let (a, b) = colliding_codes(seed, 9);
    let w = Work::new();
    let mut rows = firms(300, 77);
    rows[10].uscc = a;
    rows[200].uscc = b;
    for r in rows.iter_mut() {
        r.credit_class = 'B';
        r.status = "存续".into();
    }
    w.enterprises(&rows);
    w.plan("ratio = \"100%\"");
    crosscheck_ok(&py, &w.draw_ok(seed, "all"));
}

/// Names with commas, quotes and line breaks (quoted CSV fields), a
/// UTF-8 BOM and CRLF line ends.
#[test]
fn quoted_fields_bom_and_crlf_agree() {
    let Some(py) = python() else { return };
    let (w, mut rows) = Work::with_firms(3000, 78);
    for r in rows.iter_mut().step_by(3) {
        r.name = format!("{}，\"分店\",\n二号", r.name);
    }
    let text = String::from_utf8(csv_bytes(&rows)).unwrap();
    w.write("enterprises.csv", format!("\u{feff}{}", text.replace('\n', "\r\n")));
    w.plan("stratify_by = [\"credit_class\", \"county\"]\nratio = \"20%\"");
    crosscheck_ok(&py, &w.draw_ok("quoted", "b"));
}

// ---------------------------------------------------------------------------
// Batches (SPEC §10): `tests/python/batch.py` redraws every task, the visits
// and the teams of a batch bundle and compares them row by row.
// ---------------------------------------------------------------------------

/// Runs `batch.py` on a batch bundle.
fn batch_check(python: &Path, bundle: &Path) -> (i32, String) {
    run_script(python, "batch.py", bundle)
}

#[track_caller]
fn batch_check_ok(python: &Path, bundle: &Path) -> String {
    let (code, text) = batch_check(python, bundle);
    assert_eq!(code, 0, "batch.py disagrees on {}:\n{text}", bundle.display());
    assert!(text.contains("0 problem(s)"), "{text}");
    text
}

/// The batch manifest, as JSON (its shape is the batch's own).
fn batch_manifest(bundle: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(bundle.join("manifest.json")).expect("read manifest.json");
    serde_json::from_str(&text).expect("manifest.json is JSON")
}

/// Copies the committed `data/` inputs a batch reads into the work folder.
fn copy_data(w: &Work) {
    for name in [
        "enterprises.csv",
        "history.csv",
        "inspectors.csv",
        "conflicts.csv",
        "items.csv",
    ] {
        std::fs::copy(repo().join("data").join(name), w.input(name)).expect("copy data file");
    }
}

/// The annual joint plan, two seeds.
#[test]
fn joint_2025_batch_agrees() {
    let Some(py) = python() else { return };
    let w = Work::new();
    for (i, seed) in ["20250301-QDN", "黔东南州 2025 联合抽查"].iter().enumerate() {
        let out = w.out(&format!("joint-{i}"));
        draw(&repo().join("plans/joint-2025.toml"), seed, &out, &[]).ok();
        let text = batch_check_ok(&py, &out);
        assert!(text.contains("of 50 tasks"), "{text}");
        assert!(text.contains("teams: "), "{text}");
    }
}

/// A small batch over the committed data: windows that overlap (T1 with
/// T2, T3 with T4) and windows that do not (T1/T2 with T3/T4), a joint team
/// of two departments, `leave_out_visited` (general items only; T4 also
/// sets a larger `exclude_inspected_within_days`), tasks directed by county
/// and industry, and `max_visits_per_firm = 1` (then without a cap, so that
/// firms get two visits).
const SMALL_BATCH: &str = r#"[batch]
id = "QDN-T-SMALL"
name = "小批次联合抽查"
department = "黔东南州市场监督管理局"
start = 2025-01-01
end = 2025-12-31
items = "items.csv"
leave_out_visited = true
max_visits_per_firm = 1

[frame]
enterprises = "enterprises.csv"
history = "history.csv"

[inspectors]
directory = "inspectors.csv"
conflicts = "conflicts.csv"
max_assignments = 12

[[task]]
id = "T1-gs"
name = "台江县企业公示信息抽查"
department = "黔东南州市场监督管理局"
items = ["SJ-GS-01"]
start = 2025-03-01
end = 2025-04-30
team = { "市场监管局" = 2 }
[task.targets]
ratio = "25%"
counties = ["台江县"]
industries = ["住宿和餐饮业", "居民服务业"]

[[task]]
id = "T2-joint"
name = "台江县、剑河县公示信息与发票使用联合抽查"
department = "国家税务总局黔东南州税务局"
items = ["SW-FP-01", "SJ-GS-01"]
start = 2025-04-01
end = 2025-06-30
team = { "税务局" = 1, "市场监管局" = 1 }
[task.targets]
stratify_by = ["credit_class", "county"]
ratio = "20%"
counties = ["台江县", "剑河县"]
industries = ["住宿和餐饮业"]

[[task]]
id = "T3-food"
name = "台江县餐饮服务提供者监督抽查"
department = "黔东南州市场监督管理局"
items = ["SJ-SP-03"]
start = 2025-08-01
end = 2025-09-30
team = { "市场监管局" = 2 }
[task.targets]
ratio = { A = "20%", B = "30%", C = "50%", D = "80%" }
min = { D = 3 }
max = { B = 40 }
counties = ["台江县"]
industries = ["住宿和餐饮业"]
exclude_inspected_within_days = 90

[[task]]
id = "T4-health"
name = "台江县公共场所卫生抽查"
department = "黔东南州卫生健康局"
items = ["WJ-GW-01"]
start = 2025-09-15
end = 2025-10-31
team = { "卫生健康局" = 2 }
[task.targets]
stratify_by = ["industry"]
ratio = "30%"
counties = ["台江县"]
industries = ["住宿和餐饮业", "居民服务业"]
exclude_inspected_within_days = 400
"#;

/// Sums an excluded reason over the tasks of a batch manifest.
fn excluded_total(m: &serde_json::Value, key: &str) -> u64 {
    m["tasks"]
        .as_array()
        .expect("tasks")
        .iter()
        .map(|t| t["excluded"][key].as_u64().unwrap_or(0))
        .sum()
}

/// Rows of a bundle's `visits.csv` (header left out).
fn visit_rows(bundle: &Path) -> Vec<Vec<String>> {
    let mut r = csv::Reader::from_path(bundle.join("visits.csv")).expect("read visits.csv");
    r.records()
        .map(|rec| rec.expect("visits.csv row").iter().map(String::from).collect())
        .collect()
}

#[test]
fn small_batch_agrees() {
    let Some(py) = python() else { return };
    let w = Work::new();
    copy_data(&w);
    let capped = w.write("batch.toml", SMALL_BATCH);
    let uncapped = w.write("uncapped.toml", SMALL_BATCH.replace("max_visits_per_firm = 1\n", ""));
    for seed in ["small-1", "small-2"] {
        // With the cap: firms drawn in spring are left out in autumn.
        let out = w.out(&format!("capped-{seed}"));
        draw(&capped, seed, &out, &[]).ok();
        batch_check_ok(&py, &out);
        let m = batch_manifest(&out);
        assert!(excluded_total(&m, "visit_cap") > 0, "no visit-cap exclusion: {m:#}");
        assert!(excluded_total(&m, "recently_inspected") > 0, "{m:#}");
        let visits = visit_rows(&out);
        assert!(visits.iter().any(|v| v[6].contains(';')), "no visit of two tasks");
        assert!(
            visits
                .iter()
                .any(|v| v[8].contains("市场监管局") && v[8].contains("税务局")),
            "no joint team"
        );
        let mut firms: Vec<&str> = visits.iter().map(|v| v[1].as_str()).collect();
        firms.sort();
        let n = firms.len();
        firms.dedup();
        assert_eq!(n, firms.len(), "a firm has two visits despite max_visits_per_firm = 1");

        // Without it: some firm has two visits (windows that do not overlap).
        let out = w.out(&format!("uncapped-{seed}"));
        draw(&uncapped, seed, &out, &[]).ok();
        batch_check_ok(&py, &out);
        let m = batch_manifest(&out);
        assert_eq!(excluded_total(&m, "visit_cap"), 0, "{m:#}");
        let visits = visit_rows(&out);
        let mut firms: Vec<&str> = visits.iter().map(|v| v[1].as_str()).collect();
        firms.sort();
        let n = firms.len();
        firms.dedup();
        assert!(firms.len() < n, "no firm with two visits");
    }
}

/// batch.py can fail: a changed team member, a dropped visit, a changed
/// task seed each give a difference named by file and line.
#[test]
fn tampered_batch_fails_the_check() {
    let Some(py) = python() else { return };
    let w = Work::new();
    copy_data(&w);
    let plan = w.write("batch.toml", SMALL_BATCH);
    let out = w.out("b");
    draw(&plan, "tamper", &out, &[]).ok();
    batch_check_ok(&py, &out);

    let tamper = |file: &str, change: &dyn Fn(&str) -> String, needle: &str| {
        let path = out.join(file);
        let honest = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, change(&honest)).unwrap();
        let (code, text) = batch_check(&py, &out);
        assert_eq!(code, 1, "batch.py accepted a changed {file}:\n{text}");
        assert!(text.contains(needle), "{text}");
        std::fs::write(&path, honest).unwrap();
    };
    // Two inspectors swapped between the first two assignments.
    tamper(
        "assignments.csv",
        &|s| {
            let mut lines: Vec<String> = s.lines().map(String::from).collect();
            let id = |l: &str| l.split(',').nth(5).unwrap().to_string();
            let (a, b) = (id(&lines[1]), id(&lines[2]));
            lines[1] = lines[1].replace(&a, &b);
            lines[2] = lines[2].replace(&b, &a);
            format!("{}\n", lines.join("\n"))
        },
        "assignments.csv, line 2",
    );
    // The last visit dropped.
    tamper(
        "visits.csv",
        &|s| {
            let mut lines: Vec<&str> = s.lines().collect();
            lines.pop();
            format!("{}\n", lines.join("\n"))
        },
        "visits.csv, line",
    );
    // One visit more for the first inspector.
    tamper(
        "load.csv",
        &|s| {
            let mut lines: Vec<String> = s.lines().map(String::from).collect();
            let mut f: Vec<String> = lines[1].split(',').map(String::from).collect();
            let n: u64 = f[3].parse().unwrap();
            f[3] = (n + 1).to_string();
            lines[1] = f.join(",");
            format!("{}\n", lines.join("\n"))
        },
        "load.csv, line 2",
    );
    // A task's targets: the second row's rank changed.
    tamper(
        "tasks/T1-gs/targets.csv",
        &|s| {
            let mut lines: Vec<String> = s.lines().map(String::from).collect();
            let mut f: Vec<String> = lines[2].split(',').map(String::from).collect();
            f[1] = "99".into();
            lines[2] = f.join(",");
            format!("{}\n", lines.join("\n"))
        },
        "tasks/T1-gs/targets.csv, line 3",
    );
    // The batch seed changed in the manifest, the task seeds left: they
    // no longer follow from it.
    tamper(
        "manifest.json",
        &|s| s.replacen("\"value\": \"tamper\"", "\"value\": \"tamper2\"", 1),
        "manifest.json tasks[0]",
    );
    // All the seeds changed together: the targets no longer follow.
    tamper(
        "manifest.json",
        &|s| s.replace("\"tamper", "\"tamper2"),
        "targets.csv, line 2",
    );
    batch_check_ok(&py, &out);
}

/// A batch of one task draws the targets that `draw --plan` draws with the
/// task seed `S:task:ID` (SPEC §10.3); `leave_out_visited` for a task of
/// general items is `exclude_inspected_within_days` = the days from the
/// batch's start to the task's, or the task's own when larger.
#[test]
fn one_task_batch_is_a_plan_under_the_task_seed() {
    let w = Work::new();
    copy_data(&w);
    let batch = w.write(
        "one.toml",
        r#"[batch]
id = "QDN-T-ONE"
name = "单任务批次"
department = "黔东南州市场监督管理局"
start = 2025-01-01
end = 2025-12-31
items = "items.csv"
leave_out_visited = true
max_visits_per_firm = 1

[frame]
enterprises = "enterprises.csv"
history = "history.csv"

[[task]]
id = "ONE-01"
name = "凯里市、麻江县批发和零售业企业公示信息抽查"
department = "黔东南州市场监督管理局"
items = ["SJ-GS-01", "SJ-JG-01"]
start = 2025-05-06
end = 2025-07-31
[task.targets]
stratify_by = ["credit_class", "county"]
ratio = { A = "0.5%", B = "1%", C = "3%", D = "10%" }
min = { D = 4 }
max = { B = 30 }
counties = ["凯里市", "麻江县"]
industries = ["批发和零售业"]
exclude_inspected_within_days = 30
"#,
    );
    // 2025-01-01 to 2025-05-06: 125 days, larger than the task's 30.
    let plan = w.write(
        "one-plan.toml",
        r#"[task]
id = "ONE-01"
name = "凯里市、麻江县批发和零售业企业公示信息抽查"
department = "黔东南州市场监督管理局"
start = 2025-05-06
end = 2025-07-31

[frame]
enterprises = "enterprises.csv"
history = "history.csv"

[targets]
stratify_by = ["credit_class", "county"]
ratio = { A = "0.5%", B = "1%", C = "3%", D = "10%" }
min = { D = 4 }
max = { B = 30 }
counties = ["凯里市", "麻江县"]
industries = ["批发和零售业"]
exclude_inspected_within_days = 125
"#,
    );
    for seed in ["one-1", "20250301-QDN"] {
        let b = w.out(&format!("batch-{seed}"));
        draw(&batch, seed, &b, &[]).ok();
        let p = w.out(&format!("plan-{seed}"));
        draw(&plan, &format!("{seed}:task:ONE-01"), &p, &[]).ok();
        let from_batch = std::fs::read(b.join("tasks/ONE-01/targets.csv")).unwrap();
        let from_plan = std::fs::read(p.join("targets.csv")).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&from_batch),
            String::from_utf8_lossy(&from_plan),
            "seed {seed}"
        );
        assert!(parse_targets(&from_plan).len() > 20);
        assert!(manifest(&p).excluded.recently_inspected > 0);
        let m = batch_manifest(&b);
        assert_eq!(m["tasks"][0]["seed"], format!("{seed}:task:ONE-01").as_str());
        assert_eq!(
            m["tasks"][0]["excluded"]["recently_inspected"].as_u64(),
            Some(manifest(&p).excluded.recently_inspected)
        );
    }
}

// The results log (SPEC §11): `tests/python/results.py` checks the chain,
// the rules and every substitution from the spec alone.

fn results_check(python: &Path, bundle: &Path) -> (i32, String) {
    run_script(python, "results.py", bundle)
}

#[test]
fn a_results_log_with_substitutions_agrees_with_a_checker_written_from_the_spec() {
    use crate::results::{fill, record, result_for, template, write_csv};
    let Some(py) = python() else { return };
    let w = Work::new();
    let bundle = w.out("demo");
    draw(&repo().join("plans/demo.toml"), "20250301-QDN", &bundle, &[]).ok();
    let (_, rows) = template(&bundle, &w.out("t0.csv"));
    // Three substitutions, two of them on the same slot one after the other.
    let firm = rows[5][0].clone();
    let first = rows[5][3].split(';').next().unwrap().to_string();
    let substitute = |uscc: &str, gone: &str| {
        let run = crate::results::substitute(&bundle, uscc, gone, "休假");
        run.ok();
        run.stdout.split_whitespace().next().unwrap().to_string()
    };
    let second = substitute(&firm, &first);
    substitute(&firm, &second);
    substitute(&rows[9][0], rows[9][3].split(';').nth(1).unwrap());
    let (header, mut rows) = template(&bundle, &w.out("t1.csv"));
    rows.truncate(300);
    for (n, row) in rows.iter_mut().enumerate() {
        fill(&header, row, n, result_for(n));
    }
    record(&bundle, &write_csv(&w.out("r.csv"), &header, &rows), &[]).ok();
    let (code, text) = results_check(&py, &bundle);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("303 lines, 300 results, 0 corrections, 3 substitutions, 300 of 3227 in force; head"),
        "{text}"
    );
    // A substitute chosen by hand, properly chained: both checkers refuse it.
    let log = bundle.join("results.jsonl");
    let lines: Vec<String> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    let forged = lines[2].replace(r#""substitute":""#, r#""substitute":"X"#);
    let mut edited = lines[..2].to_vec();
    edited.push(forged);
    std::fs::write(&log, edited.iter().map(|l| format!("{l}\n")).collect::<String>()).unwrap();
    let (code, text) = results_check(&py, &bundle);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("line 3: substitute X"), "{text}");
    verify(&bundle, &[])
        .expect_code(3)
        .stdout_has(&["results.jsonl, line 3: substitute: X"]);
}

#[test]
fn a_batchs_results_log_agrees_with_the_checker_written_from_the_spec() {
    use crate::results::{fill, record, result_for, template, write_csv};
    let Some(py) = python() else { return };
    let w = Work::new();
    let bundle = w.out("joint");
    draw(&repo().join("plans/joint-2025.toml"), "20250301-QDN", &bundle, &[]).ok();
    let (_, rows) = template(&bundle, &w.out("t0.csv"));
    // Substitutions on three visits, two departments' slots among them.
    for row in rows.iter().step_by(97).take(3) {
        let gone = row[3].split(';').next_back().unwrap().to_string();
        let dir = bundle.display().to_string();
        // A firm may have two visits in the batch: the task names the one.
        spotcheck([
            "results",
            "substitute",
            &dir,
            "--firm",
            &row[0],
            "--task",
            &row[1],
            "--inspector",
            &gone,
            "--reason",
            "休假",
        ])
        .ok();
    }
    let (header, mut rows) = template(&bundle, &w.out("t1.csv"));
    rows.truncate(400);
    for (n, row) in rows.iter_mut().enumerate() {
        fill(&header, row, n, result_for(n));
    }
    record(&bundle, &write_csv(&w.out("r.csv"), &header, &rows), &[]).ok();
    let (code, text) = results_check(&py, &bundle);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("403 lines, 400 results, 0 corrections, 3 substitutions, 400 of "),
        "{text}"
    );
}
