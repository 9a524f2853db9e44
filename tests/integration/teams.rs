//! The second random through the binary: teams in the bundle, infeasible
//! plans, row order, verify, and what inspectors receive.

use crate::util::*;
use spotcheck_demo::{DemoConfig, generate};

fn world(team: &str, extra: &str) -> Work {
    let w = Work::new();
    let data = generate(&DemoConfig {
        enterprises: 2500,
        inspectors: 300,
        conflicts: 20,
        history: 300,
        seed: 11,
    });
    data.write_to_dir(&w.root().join("in")).expect("write demo data");
    w.write(
        "plan.toml",
        format!(
            r#"[task]
id = "T-TEAMS"
name = "检查组测试"
department = "黔东南州市场监督管理局"
start = 2025-03-01
end = 2025-11-30

[frame]
enterprises = "enterprises.csv"
history = "history.csv"

[targets]
ratio = {{ A = "1%", B = "3%", C = "10%", D = "30%" }}

[inspectors]
directory = "inspectors.csv"
conflicts = "conflicts.csv"
team = {team}
{extra}
"#
        ),
    );
    w
}

fn shuffled_lines(text: &str, seed: u64) -> String {
    let mut lines: Vec<&str> = text.lines().collect();
    let header = lines.remove(0);
    // A fixed permutation: sort by a hash of the line and the seed.
    lines.sort_by_key(|l| spotcheck::base::sha256::sha256_hex(format!("{seed}{l}").as_bytes()));
    format!("{header}\n{}\n", lines.join("\n"))
}

#[test]
fn teams_are_in_the_bundle_and_verify() {
    let w = world(r#"{ "市场监管局" = 2 }"#, "max_assignments = 30");
    let b = w.draw_ok("teams-1", "b");
    let text = std::fs::read_to_string(b.join("assignments.csv")).unwrap();
    assert!(text.starts_with("uscc,name,county,slot,department,inspector_id,inspector_name\n"));
    let m = manifest(&b);
    let teams = m.teams.expect("team summary");
    assert_eq!(teams.assignments, 2 * m.totals.targets);
    assert!(teams.load_max <= 30);
    assert!(m.outputs.contains_key("assignments.csv"));
    assert!(m.inputs.contains_key("inspectors") && m.inputs.contains_key("conflicts"));
    verify(&b, &[]).ok();
}

#[test]
fn a_team_of_one_is_refused() {
    let w = world(r#"{ "市场监管局" = 1 }"#, "");
    let (run, out) = w.draw("x", "b", &[]);
    run.error(&["inspectors.team", "at least 2"]);
    assert_no_output(&out);
}

#[test]
fn an_infeasible_plan_reports_and_writes_nothing() {
    let w = world(r#"{ "市场监管局" = 2 }"#, "max_assignments = 1");
    let (run, out) = w.draw("x", "b", &[]);
    run.error(&["cannot staff", "max_assignments", "what would fix it"]);
    assert_no_output(&out);
}

#[test]
fn shuffled_rows_give_the_same_teams() {
    let w = world(r#"{ "市场监管局" = 1, "税务局" = 1 }"#, "max_assignments = 40");
    let b1 = w.draw_ok("rows", "b1");
    for name in ["enterprises.csv", "inspectors.csv", "conflicts.csv", "history.csv"] {
        let p = w.input(name);
        let text = std::fs::read_to_string(&p).unwrap();
        std::fs::write(&p, shuffled_lines(&text, 3)).unwrap();
    }
    let b2 = w.draw_ok("rows", "b2");
    for file in ["targets.csv", "assignments.csv"] {
        assert_eq!(
            std::fs::read(b1.join(file)).unwrap(),
            std::fs::read(b2.join(file)).unwrap(),
            "{file}"
        );
    }
}

#[test]
fn verify_fails_after_editing_teams_or_inspectors() {
    let w = world(r#"{ "市场监管局" = 2 }"#, "max_assignments = 30");
    let b = w.draw_ok("edit", "b");
    let p = b.join("assignments.csv");
    let honest = std::fs::read_to_string(&p).unwrap();
    let second = honest.lines().nth(1).unwrap().to_string();
    let id = second.split(',').nth(5).unwrap().to_string();
    std::fs::write(&p, honest.replacen(&id, "QDN-SJ-9999", 1)).unwrap();
    verify(&b, &[]).not_verified(&["assignments.csv", "line 2"]);
    std::fs::write(&p, &honest).unwrap();
    verify(&b, &[]).ok();

    let inspectors = w.input("inspectors.csv");
    let text = std::fs::read_to_string(&inspectors).unwrap();
    std::fs::write(&inspectors, text.replacen("在岗", "退休", 1)).unwrap();
    verify(&b, &[]).not_verified(&["inspectors", "changed"]);
}

#[test]
fn assignments_and_notices_for_inspectors() {
    let w = world(r#"{ "市场监管局" = 2 }"#, "max_assignments = 30");
    let b = w.draw_ok("notes", "b");
    let text = std::fs::read_to_string(b.join("assignments.csv")).unwrap();
    let row: Vec<&str> = text.lines().nth(1).unwrap().split(',').collect();
    let (code, id) = (row[0], row[5]);
    let bdir = b.display().to_string();
    spotcheck(["assignments", &bdir, "--inspector", id])
        .ok()
        .stdout_has(&[code, "2025-03-01", "address"]);
    let json = spotcheck(["assignments", &bdir, "--inspector", id, "--format", "json"]);
    json.ok();
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v["inspector_id"], id);
    assert!(v["visits"].as_array().unwrap().iter().any(|x| x["uscc"] == code));
    assert!(v["visits"][0]["team_mates"].as_array().unwrap().len() == 1);
    let csv = spotcheck(["assignments", &bdir, "--inspector", id, "--format", "csv", "--bom"]);
    assert!(csv.ok().stdout.starts_with('\u{feff}'));
    spotcheck(["assignments", &bdir, "--inspector", "NOBODY"]).error(&["NOBODY"]);

    let out = w.out("notices");
    spotcheck(["notices", &bdir, "--out", &out.display().to_string()]).ok();
    let notice = std::fs::read(out.join(format!("{id}.csv"))).unwrap();
    assert!(notice.starts_with(b"\xEF\xBB\xBF"), "notices carry a BOM for Excel");
    assert!(String::from_utf8(notice).unwrap().contains(code));
    spotcheck(["notices", &bdir, "--out", &out.display().to_string()]).error(&["already exists"]);
}
