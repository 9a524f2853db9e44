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

fn script() -> PathBuf {
    repo().join("tests/python/crosscheck.py")
}

/// Runs the script on a bundle: (exit code, stdout + stderr).
fn crosscheck(python: &Path, bundle: &Path) -> (i32, String) {
    let out = Command::new(python)
        .arg(script())
        .arg(bundle)
        .output()
        .expect("run crosscheck.py");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
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
