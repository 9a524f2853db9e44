//! `spotcheck publish` of a bundle with results (the results
//! announcement, 抽查结果公告): the log as it is (`results.jsonl`),
//! `results.csv` with every drawn firm once per task, pending or not, and
//! `public.json`'s `results`; `verify PUBLIC_DIR` replays the log from the
//! public lists alone, and an edit, removal or move of any line of either
//! file fails, naming the line.

use crate::util::*;
use serde_json::Value;
use spotcheck::base::sha256::sha256_hex;
use std::path::{Path, PathBuf};

const SEED: &str = "20250301-QDN";
const TODAY: &str = "2025-12-31";
const PENDING: &str = "待录入";
const HEADER: &str = "task,uscc,name,county,department,result,inspected_on,measures,line";

fn p(path: &Path) -> String {
    path.display().to_string()
}

fn results(args: &[&str]) -> Run {
    let mut all = vec!["results"];
    all.extend(args);
    spotcheck(all)
}

/// Draws `plan` into `out/b` and records the results of the template's
/// rows that `pick` takes.
fn recorded(w: &Work, plan: &Path, pick: impl Fn(usize) -> bool) -> PathBuf {
    let bundle = w.out("b");
    draw(plan, SEED, &bundle, &[]).ok();
    let template = w.out("template.csv");
    results(&["template", &p(&bundle), "--out", &p(&template)]).ok();
    let filled = w.out("filled.csv");
    fill(&template, &filled, pick);
    results(&["record", &p(&bundle), "--from", &p(&filled), "--today", TODAY]).ok();
    bundle
}

fn publish(bundle: &Path, out: &Path) -> Run {
    spotcheck([
        "publish".as_ref(),
        bundle.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ])
}

fn public_json(public: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(public.join("public.json")).unwrap()).unwrap()
}

fn write_public_json(public: &Path, v: &Value) {
    let mut bytes = serde_json::to_vec_pretty(v).unwrap();
    bytes.push(b'\n');
    std::fs::write(public.join("public.json"), bytes).unwrap();
}

/// The codes a public targets list gives, in its order.
fn listed(path: &Path) -> Vec<String> {
    let rows = records(path);
    let u = rows[0].iter().position(|h| h == "uscc").unwrap();
    rows[1..].iter().map(|r| r[u].clone()).collect()
}

/// The log's lines.
fn log_lines(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("results.jsonl"))
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

/// Checks what every published results announcement must hold, and
/// returns the rows of its `results.csv` (without the header).
fn check_announcement(bundle: &Path, public: &Path, tasks: &[(String, Vec<String>)]) -> Vec<Vec<String>> {
    // The log byte for byte.
    assert_eq!(
        std::fs::read(public.join("results.jsonl")).unwrap(),
        std::fs::read(bundle.join("results.jsonl")).unwrap()
    );
    let v = public_json(public);
    let r = &v["results"];
    let lines = log_lines(bundle);
    assert_eq!(r["log"], "results.jsonl");
    assert_eq!(r["lines"], lines.len());
    assert_eq!(r["head"], Value::String(sha256_hex(lines.last().unwrap().as_bytes())));
    // Its fields in a fixed order, between the teams and what is withheld.
    let text = std::fs::read_to_string(public.join("public.json")).unwrap();
    let at = |key: &str| text.find(&format!("\n  {key}")).unwrap_or_else(|| panic!("no {key}"));
    let inner = |key: &str| {
        text.find(&format!("\n    \"{key}\": "))
            .unwrap_or_else(|| panic!("no {key}"))
    };
    let order: Vec<usize> = [
        "log",
        "lines",
        "head",
        "recorded",
        "pending",
        "by_result",
        "abnormal_operations",
    ]
    .map(inner)
    .into();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    assert!(at("\"teams\"") < at("\"results\"") && at("\"results\"") < at("\"withheld\""));
    assert!(at("\"results\"") < order[0]);
    // results.csv: every target of every task once, in the lists' order.
    let text = std::fs::read_to_string(public.join("results.csv")).unwrap();
    assert!(text.starts_with(&format!("{HEADER}\n")), "{text}");
    let rows: Vec<Vec<String>> = records(&public.join("results.csv")).split_off(1);
    let expected: Vec<(String, String)> = tasks
        .iter()
        .flat_map(|(t, codes)| codes.iter().map(move |u| (t.clone(), u.clone())))
        .collect();
    let found: Vec<(String, String)> = rows.iter().map(|r| (r[0].clone(), r[1].clone())).collect();
    assert_eq!(found, expected, "results.csv lists every target once, in order");
    // Pending rows say so and nothing else; recorded rows name their line.
    let pending = rows.iter().filter(|r| r[5] == PENDING).count() as u64;
    for row in &rows {
        if row[5] == PENDING {
            assert_eq!(&row[6..], ["", "", ""], "{row:?}");
        } else {
            let line: usize = row[8].parse().unwrap();
            let entry: Value = serde_json::from_str(&lines[line - 1]).unwrap();
            assert_eq!(entry["uscc"], Value::String(row[1].clone()));
            assert_eq!(entry["task"], Value::String(row[0].clone()));
            assert_eq!(entry["result"], Value::String(row[5].clone()));
            assert_eq!(entry["inspected_on"], Value::String(row[6].clone()));
        }
    }
    // The counts add up.
    let targets = rows.len() as u64;
    assert_eq!(r["pending"], pending);
    assert_eq!(r["recorded"].as_u64().unwrap() + pending, targets);
    let by_result: u64 = r["by_result"]
        .as_object()
        .unwrap()
        .values()
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(by_result, targets);
    assert_eq!(
        r["by_result"].get(PENDING).and_then(Value::as_u64).unwrap_or(0),
        pending
    );
    let abnormal = rows.iter().filter(|r| r[5] == RESULTS[1].0).count();
    assert_eq!(r["abnormal_operations"], abnormal);
    // Both files are listed with their SHA-256.
    for f in ["results.jsonl", "results.csv"] {
        let sha = sha256_hex(&std::fs::read(public.join(f)).unwrap());
        assert_eq!(v["files"][f], Value::String(sha), "{f}");
    }
    let page = std::fs::read_to_string(public.join("index.html")).unwrap();
    for needle in [
        "id=\"results\"",
        "抽查结果公告",
        "id=\"result-search\"",
        "id=\"results-by-county\"",
    ] {
        assert!(page.contains(needle), "the page lacks {needle}");
    }
    rows
}

/// The demo plan's one task and its targets, from a public bundle.
fn plan_tasks(public: &Path) -> Vec<(String, Vec<String>)> {
    let id = public_json(public)["task"]["id"].as_str().unwrap().to_string();
    vec![(id, listed(&public.join("targets.csv")))]
}

#[test]
fn part_of_the_results_publishes_every_target_the_rest_pending() {
    let w = Work::new();
    let plan = repo().join("plans/demo.toml");
    let bundle = recorded(&w, &plan, |i| i < 30 || i == 100);
    // Before any correction, a public bundle without results is the same
    // as one with them, less the results.
    let before = w.out("before");
    std::fs::rename(bundle.join("results.jsonl"), w.out("log")).unwrap();
    publish(&bundle, &before).ok();
    std::fs::rename(w.out("log"), bundle.join("results.jsonl")).unwrap();
    let without = public_json(&before);
    assert!(without.get("results").is_none());
    assert!(!before.join("results.csv").exists() && !before.join("results.jsonl").exists());

    // A correction: the first firm's result in force is now on line 32.
    let filled = records(&w.out("filled.csv"));
    let mut correction = vec![filled[0].clone(), filled[1].clone()];
    let col = |name: &str| filled[0].iter().position(|h| h == name).unwrap();
    correction[1][col("result")] = "发现问题待后续处理".into();
    correction[1][col("measure_1")] = "责令限期整改".into();
    write_records(&w.out("correction.csv"), &correction);
    results(&[
        "correct",
        &p(&bundle),
        "--from",
        &p(&w.out("correction.csv")),
        "--reason",
        "录入有误",
        "--today",
        TODAY,
    ])
    .ok();

    let public = w.out("pub");
    publish(&bundle, &public).ok().stdout_has(&[
        "results announced: 31 recorded, 3196 pending",
        "results.csv",
        "results.jsonl",
    ]);
    let rows = check_announcement(&bundle, &public, &plan_tasks(&public));
    assert_eq!(rows.len(), 3227);
    assert_eq!(rows.iter().filter(|r| r[5] == PENDING).count(), 3227 - 31);
    assert_eq!(rows[0][5], "发现问题待后续处理", "the correction is in force");
    assert_eq!(rows[0][7], "责令限期整改");
    assert_eq!(rows[0][8], "32");
    assert_eq!(rows[1][8], "2");
    assert_eq!(rows[100][8], "31");
    assert_eq!(rows[30][5], PENDING);
    let v = public_json(&public);
    assert_eq!(v["results"]["lines"], 32);
    assert_eq!(v["results"]["recorded"], 31);
    assert_eq!(v["results"]["by_result"]["发现问题待后续处理"], 1);

    // Results only add: public.json without them is the one before.
    let mut with = v.clone();
    with.as_object_mut().unwrap().remove("results");
    for f in ["results.csv", "results.jsonl", "index.html"] {
        with["files"].as_object_mut().unwrap().remove(f);
    }
    let mut bare = without.clone();
    bare["files"].as_object_mut().unwrap().remove("index.html");
    assert_eq!(with, bare);

    verify(&public, &[]).ok().stdout_has(&[
        "results: 31 recorded, 3196 pending",
        "results: results.jsonl's 32 lines (1 corrections, 0 substitutions) chain from the source manifest's SHA-256",
        "on the visit's team",
        "results.csv: one row for each of the 3227 drawn firms",
        "index.html: shows exactly the data",
        "that the results are what the inspectors found",
    ]);
    verify(&before, &[]).ok();
}

#[test]
fn every_result_recorded_leaves_none_pending() {
    let w = Work::new();
    let bundle = recorded(&w, &repo().join("plans/demo.toml"), |_| true);
    let public = w.out("pub");
    publish(&bundle, &public)
        .ok()
        .stdout_has(&["results announced: 3227 recorded, 0 pending"]);
    let rows = check_announcement(&bundle, &public, &plan_tasks(&public));
    assert!(rows.iter().all(|r| r[5] != PENDING));
    let v = public_json(&public);
    assert_eq!(v["results"]["pending"], 0);
    assert!(v["results"]["by_result"].get(PENDING).is_none());
    assert_eq!(v["results"]["by_result"]["未发现问题"], 1076);
    verify(&public, &[])
        .ok()
        .stdout_has(&["3227 results in force, 0 pending"]);
}

/// A copy of the public bundle `public` as `out/NAME`, with the lines of
/// its file `file` changed by `edit`; public.json records the file's new
/// SHA-256 when `rehash`, so that the check behind the hash is what fails.
fn tampered(
    w: &Work,
    public: &Path,
    name: &str,
    file: &str,
    rehash: bool,
    edit: impl FnOnce(&mut Vec<String>),
) -> PathBuf {
    let to = w.out(name);
    for (rel, bytes) in snapshot(public) {
        write_file(&to, &rel, bytes);
    }
    let path = to.join(file);
    let mut lines: Vec<String> = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    edit(&mut lines);
    std::fs::write(&path, lines.iter().map(|l| format!("{l}\n")).collect::<String>()).unwrap();
    if rehash {
        let mut v = public_json(&to);
        v["files"][file] = Value::String(sha256_hex(&std::fs::read(&path).unwrap()));
        write_public_json(&to, &v);
    }
    to
}

/// Makes every line's `prev` the SHA-256 of the line before (of the
/// source manifest for the first), as a forger would.
fn rechain(lines: &mut [String], source: &str) {
    let mut prev = source.to_string();
    for l in lines.iter_mut() {
        let at = l.find("\"prev\":\"").unwrap() + "\"prev\":\"".len();
        l.replace_range(at..at + 64, &prev);
        prev = sha256_hex(l.as_bytes());
    }
}

#[test]
fn an_edited_removed_or_moved_line_fails_and_is_named() {
    let w = Work::new();
    let bundle = recorded(&w, &repo().join("plans/demo.toml"), |i| i < 20);
    let public = w.out("pub");
    publish(&bundle, &public).ok();
    verify(&public, &[]).ok();
    let lines = log_lines(&public);
    assert_eq!(lines.len(), 20);
    let date = |l: &str| {
        let v: Value = serde_json::from_str(l).unwrap();
        format!("\"inspected_on\":\"{}\"", v["inspected_on"].as_str().unwrap())
    };
    let other_day = "\"inspected_on\":\"2025-03-02\"";
    assert!(!lines.iter().any(|l| l.contains(other_day)));

    // Without public.json's hash made to match, the hash fails too.
    let t = tampered(&w, &public, "t0", "results.jsonl", false, |l| l.swap(2, 3));
    verify(&t, &[]).not_verified(&["results.jsonl: SHA-256 is", "results.jsonl, line 3: numbered 4"]);

    // The log: an edit in the middle breaks the next line's prev.
    let t = tampered(&w, &public, "t1", "results.jsonl", true, |l| {
        l[4] = l[4].replace(&date(&l[4]), other_day);
    });
    verify(&t, &[]).not_verified(&["results.jsonl, line 6: prev is", "the SHA-256 of line 5 is"]);
    // A field written another way is not the log's form.
    let t = tampered(&w, &public, "t1b", "results.jsonl", true, |l| {
        l[6] = l[6].replacen("\"line\":7,", "\"line\": 7,", 1);
    });
    verify(&t, &[]).not_verified(&["results.jsonl, line 7: not in the log's canonical form"]);
    // A line removed from the middle.
    let t = tampered(&w, &public, "t2", "results.jsonl", true, |l| {
        l.remove(7);
    });
    verify(&t, &[]).not_verified(&["results.jsonl, line 8: numbered 9"]);
    // The last line removed: public.json's count and head.
    let t = tampered(&w, &public, "t3", "results.jsonl", true, |l| {
        l.pop();
    });
    verify(&t, &[]).not_verified(&["results.jsonl, line 20: missing: public.json records 20 lines, the file has 19"]);
    // The last line edited: no later line shows it, public.json's head does.
    let t = tampered(&w, &public, "t4", "results.jsonl", true, |l| {
        l[19] = l[19].replace(&date(&l[19]), other_day);
    });
    verify(&t, &[]).not_verified(&[
        "results.jsonl, line 20: its SHA-256 is",
        "(the last line was edited), but public.json's head is",
    ]);
    // Two lines swapped.
    let t = tampered(&w, &public, "t5", "results.jsonl", true, |l| l.swap(10, 11));
    verify(&t, &[]).not_verified(&["results.jsonl, line 11: numbered 12"]);
    // A line added after publishing.
    let t = tampered(&w, &public, "t6", "results.jsonl", true, |l| {
        let last = l[19].clone();
        l.push(last);
    });
    verify(&t, &[]).not_verified(&["results.jsonl, line 21:"]);

    // results.csv: a recorded row's result.
    let t = tampered(&w, &public, "c1", "results.csv", true, |l| {
        assert!(l[2].contains(RESULTS[1].0));
        l[2] = l[2].replace(RESULTS[1].0, RESULTS[0].0);
    });
    verify(&t, &[]).not_verified(&[
        "results.csv, line 3: ",
        &format!(
            "result is \"{}\", but results.jsonl gives \"{}\"",
            RESULTS[0].0, RESULTS[1].0
        ),
    ]);
    // A pending row made to look recorded.
    let t = tampered(&w, &public, "c2", "results.csv", true, |l| {
        assert!(l[40].contains(",待录入,,,"));
        l[40] = l[40].replace(",待录入,,,", ",未发现问题,2025-03-01,无须后续处置,3");
    });
    verify(&t, &[]).not_verified(&[
        "results.csv, line 41: ",
        "result is \"未发现问题\", but results.jsonl gives \"待录入\"",
    ]);
    // A row's line number.
    let t = tampered(&w, &public, "c3", "results.csv", true, |l| {
        assert!(l[5].ends_with(",5"));
        l[5] = format!("{}6", &l[5][..l[5].len() - 1]);
    });
    verify(&t, &[]).not_verified(&["results.csv, line 6: ", "line is \"6\", but results.jsonl gives \"5\""]);
    // A row removed: the firm is named with the line it belongs on.
    let t = tampered(&w, &public, "c4", "results.csv", true, |l| {
        l.remove(49);
    });
    verify(&t, &[]).not_verified(&["results.csv, line 50: the row of", "is missing"]);
    // A row removed at the end.
    let t = tampered(&w, &public, "c5", "results.csv", true, |l| {
        l.pop();
    });
    verify(&t, &[]).not_verified(&["results.csv, line 3228: the row of", "is missing"]);
    // A row twice.
    let t = tampered(&w, &public, "c6", "results.csv", true, |l| {
        let row = l[7].clone();
        l.insert(8, row);
    });
    verify(&t, &[]).not_verified(&["results.csv, line 9: ", "listed twice (first on line 8)"]);
    // Two rows swapped.
    let t = tampered(&w, &public, "c7", "results.csv", true, |l| l.swap(30, 31));
    verify(&t, &[]).not_verified(&["results.csv, line 31: ", "is out of order"]);
    // A firm that was not drawn.
    let t = tampered(&w, &public, "c8", "results.csv", true, |l| {
        l[60] = l[60].replacen(",9", ",8", 1);
    });
    let run = verify(&t, &[]);
    run.not_verified(&["results.csv, line 61: "]);

    // public.json's counts.
    let t = tampered(&w, &public, "j1", "results.csv", false, |_| {});
    let mut v = public_json(&t);
    v["results"]["pending"] = Value::from(v["results"]["pending"].as_u64().unwrap() - 1);
    write_public_json(&t, &v);
    verify(&t, &[]).not_verified(&["public.json: results records 20 recorded, 3206 pending"]);
    // The untouched bundle still verifies.
    verify(&public, &[]).ok();
}

#[test]
fn a_log_that_does_not_check_is_not_published() {
    let w = Work::new();
    let bundle = recorded(&w, &repo().join("plans/demo.toml"), |i| i < 5);
    let path = bundle.join("results.jsonl");
    let mut lines = log_lines(&bundle);
    lines.swap(1, 2);
    std::fs::write(&path, lines.iter().map(|l| format!("{l}\n")).collect::<String>()).unwrap();
    let out = w.out("pub");
    publish(&bundle, &out).not_verified(&["nothing published", "results.jsonl, line 2: numbered 3"]);
    assert_no_output(&out);
}

#[test]
fn withheld_ids_leave_the_team_check_out_and_substitutions_replay() {
    let w = Work::new();
    let data = repo().join("data");
    let text = std::fs::read_to_string(repo().join("plans/demo.toml"))
        .unwrap()
        .replace("\"../data/", &format!("\"{}/", data.display()))
        .replace("inspector_names = true", "inspector_names = false");
    let plan = w.write("plan.toml", text);
    let bundle = w.out("b");
    draw(&plan, SEED, &bundle, &[]).ok();
    // The first firm's first officer cannot go; a substitute inspects.
    let template = w.out("template.csv");
    results(&["template", &p(&bundle), "--out", &p(&template)]).ok();
    let first = records(&template)[1].clone();
    let officer = first[3].split(';').next().unwrap().to_string();
    results(&[
        "substitute",
        &p(&bundle),
        "--firm",
        &first[0],
        "--inspector",
        &officer,
        "--reason",
        "休假",
    ])
    .ok();
    results(&["template", &p(&bundle), "--out", &p(&w.out("template2.csv"))]).ok();
    fill(&w.out("template2.csv"), &w.out("filled.csv"), |i| i < 4);
    results(&[
        "record",
        &p(&bundle),
        "--from",
        &p(&w.out("filled.csv")),
        "--today",
        TODAY,
    ])
    .ok();

    let public = w.out("pub");
    publish(&bundle, &public).ok();
    let rows = check_announcement(&bundle, &public, &plan_tasks(&public));
    assert_eq!(rows[0][8], "2", "line 1 is the substitution");
    let v = public_json(&public);
    let withheld = v["withheld"].as_array().unwrap();
    let names = withheld.iter().find(|x| x["item"] == "inspector_names").unwrap();
    assert!(names["note"].as_str().unwrap().contains("results.jsonl"), "{names}");
    // The ids are only in the log.
    for f in ["assignments.csv", "results.csv", "index.html", "public.json"] {
        let text = std::fs::read_to_string(public.join(f)).unwrap();
        assert!(!text.contains(&officer), "{f} names {officer}");
    }
    verify(&public, &[]).ok().stdout_has(&[
        "(0 corrections, 1 substitutions)",
        "two officers or more, a result category",
        "that the officers who inspected each firm were on its visit's team: the teams' ids are withheld",
    ]);
    // A substitution of a slot the team does not have, in a chain made
    // again from the source manifest: the rules refuse it.
    let source = v["source_manifest_sha256"].as_str().unwrap().to_string();
    let t = tampered(&w, &public, "t", "results.jsonl", true, |l| {
        l[0] = l[0].replacen("\"slot\":1,", "\"slot\":3,", 1);
        rechain(l, &source);
    });
    let mut forged = public_json(&t);
    forged["results"]["head"] = Value::String(sha256_hex(log_lines(&t).last().unwrap().as_bytes()));
    write_public_json(&t, &forged);
    verify(&t, &[]).not_verified(&["results.jsonl, line 1: slot: visit", "has no slot 3"]);
}

#[test]
fn a_batch_publishes_its_results_and_edits_fail() {
    let w = Work::new();
    let bundle = recorded(&w, &repo().join("plans/joint-2025.toml"), |i| i % 50 == 0);
    let public = w.out("pub");
    publish(&bundle, &public).ok().stdout_has(&[
        "published batch QDN-2025-LH",
        "results announced: 56 recorded, 2712 pending",
    ]);
    let v = public_json(&public);
    let tasks: Vec<(String, Vec<String>)> = v["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let id = t["id"].as_str().unwrap().to_string();
            let codes = listed(&public.join(format!("tasks/{id}/targets.csv")));
            (id, codes)
        })
        .collect();
    let rows = check_announcement(&bundle, &public, &tasks);
    assert_eq!(rows.len() as u64, v["totals"]["targets"].as_u64().unwrap());
    // A task's department is its row's.
    let depts: std::collections::BTreeMap<&str, &str> = v["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["id"].as_str().unwrap(), t["department"].as_str().unwrap()))
        .collect();
    assert!(rows.iter().all(|r| depts[r[0].as_str()] == r[4]));
    let page = std::fs::read_to_string(public.join("index.html")).unwrap();
    assert!(page.contains("抽查计划公告") && page.contains("抽查结果公告"));
    verify(&public, &[]).ok().stdout_has(&[
        "results: 56 recorded, 2712 pending",
        "results: results.jsonl's 56 lines",
        "results.csv: one row for each of the 2768 drawn firms",
    ]);
    let t = tampered(&w, &public, "t1", "results.jsonl", true, |l| l.swap(20, 21));
    verify(&t, &[]).not_verified(&["results.jsonl, line 21: numbered 22"]);
    let t = tampered(&w, &public, "t2", "results.csv", true, |l| {
        l.remove(1000);
    });
    verify(&t, &[]).not_verified(&["results.csv, line 1001: the row of", "is missing"]);
    let t = tampered(&w, &public, "t3", "results.csv", true, |l| {
        l[1] = l[1].replacen(RESULTS[0].0, RESULTS[2].0, 1);
    });
    verify(&t, &[]).not_verified(&["results.csv, line 2: ", "result is"]);
}
