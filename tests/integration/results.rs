//! The results (SPEC §11): recording, corrections, substitutions, the
//! log's chain and `verify`, on the demo plan and the joint batch.

use crate::util::*;
use std::path::{Path, PathBuf};

/// `spotcheck results template BUNDLE --out OUT`, read back: the header
/// and the rows.
pub fn template(bundle: &Path, out: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    spotcheck([
        "results",
        "template",
        &bundle.display().to_string(),
        "--out",
        &out.display().to_string(),
    ])
    .ok();
    let bytes = std::fs::read(out).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let mut r = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

/// Fills a template's row `n`: a date in the window, a result, every
/// item checked on site with no follow-up.
pub fn fill(header: &[String], row: &mut [String], n: usize, result: &str) {
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let window = row[col("window")].clone();
    let (start, end) = window.split_once(" ~ ").unwrap();
    let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let span = (day(end) - day(start)).num_days() as usize + 1;
    row[col("inspected_on")] = (day(start) + chrono::Days::new((9 + n % 18) as u64 % span as u64)).to_string();
    row[col("result")] = result.to_string();
    for g in 1.. {
        let Some(i) = header.iter().position(|h| *h == format!("item_{g}")) else {
            break;
        };
        if row[i].is_empty() {
            continue;
        }
        row[i + 1] = "是".into();
        row[i + 2] = "实地检查".into();
        row[i + 4] = if result == "未发现问题" {
            "无须后续处置"
        } else {
            "责令限期整改"
        }
        .into();
    }
}

pub fn write_csv(path: &Path, header: &[String], rows: &[Vec<String>]) -> PathBuf {
    let mut w = csv::Writer::from_path(path).unwrap();
    w.write_record(header).unwrap();
    for r in rows {
        w.write_record(r).unwrap();
    }
    w.flush().unwrap();
    path.to_path_buf()
}

pub fn record(bundle: &Path, file: &Path, extra: &[&str]) -> Run {
    let mut args = vec![
        "results".to_string(),
        "record".into(),
        bundle.display().to_string(),
        "--from".into(),
        file.display().to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    spotcheck(args)
}

/// `spotcheck results substitute BUNDLE --firm FIRM --inspector GONE --reason WHY`.
pub fn substitute(bundle: &Path, firm: &str, gone: &str, why: &str) -> Run {
    let bundle = bundle.display().to_string();
    spotcheck([
        "results",
        "substitute",
        &bundle,
        "--firm",
        firm,
        "--inspector",
        gone,
        "--reason",
        why,
    ])
}

/// The result for the n-th firm: mostly none found, some others.
pub fn result_for(n: usize) -> &'static str {
    match n % 50 {
        7 => "通过登记的住所（经营场所）无法联系",
        19 => "发现问题已责令改正",
        33 => "公示信息隐瞒真实情况弄虚作假",
        _ => "未发现问题",
    }
}

fn log_lines(bundle: &Path) -> Vec<String> {
    std::fs::read_to_string(bundle.join("results.jsonl"))
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

#[test]
fn results_are_recorded_corrected_and_substituted_and_verify_checks_them() {
    let w = Work::new();
    let bundle = w.out("demo");
    draw(&repo().join("plans/demo.toml"), "20250301-QDN", &bundle, &[]).ok();
    let targets = read_targets(&bundle);

    // Two officers cannot go: each is replaced by the next in the ranking.
    let (header, rows) = template(&bundle, &w.out("t0.csv"));
    assert_eq!(rows.len(), targets.len());
    let ids = header.iter().position(|h| h == "inspector_ids").unwrap();
    for (n, row) in rows.iter().take(2).enumerate() {
        let gone = row[ids].split(';').next().unwrap().to_string();
        substitute(&bundle, &row[0], &gone, if n == 0 { "休假" } else { "发现回避情形" })
            .ok()
            .stdout_has(&[&format!("replaces {gone} on slot 1"), "rank "]);
    }
    verify(&bundle, &[])
        .ok()
        .stdout_has(&["2 lines (0 corrections, 2 substitutions), 0 of 3227"]);
    // The record forms go with the officers who will go.
    let forms = w.out("forms");
    spotcheck([
        "forms",
        &bundle.display().to_string(),
        "--out",
        &forms.display().to_string(),
    ])
    .ok();
    let form = std::fs::read_to_string(forms.join(format!("0001-{}.html", rows[0][0]))).unwrap();
    let log = std::fs::read_to_string(bundle.join("results.jsonl")).unwrap();
    let substitute = log
        .split(r#""substitute":""#)
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let replaced = rows[0][ids].split(';').next().unwrap();
    assert!(
        form.contains(substitute) && !form.contains(replaced),
        "{substitute} replaces {replaced}"
    );

    // The template now names the substitutes; record every firm in two files.
    let (header, mut rows) = template(&bundle, &w.out("t1.csv"));
    for (n, row) in rows.iter_mut().enumerate() {
        fill(&header, row, n, result_for(n));
    }
    let old_team = targets[0].uscc.clone();
    assert_eq!(rows[0][0], old_team);
    let first = write_csv(&w.out("r1.csv"), &header, &rows[..1000]);
    let second = write_csv(&w.out("r2.csv"), &header, &rows[1000..]);
    record(&bundle, &first, &[])
        .ok()
        .stdout_has(&["1000 results recorded", "1000 of 3227"]);
    let before = std::fs::read(bundle.join("results.jsonl")).unwrap();
    record(&bundle, &first, &[]).error(&["r1.csv, line 2, column uscc", "already has a result", "correct"]);
    assert_eq!(
        std::fs::read(bundle.join("results.jsonl")).unwrap(),
        before,
        "a refused file adds nothing"
    );
    record(&bundle, &second, &[])
        .ok()
        .stdout_has(&["3227 of 3227 results now recorded, 0 pending"]);

    // Three corrections, with a reason; the old lines stay.
    let mut fixed: Vec<Vec<String>> = rows[..3].to_vec();
    for row in &mut fixed {
        fill(&header, row, 0, "发现问题待后续处理");
    }
    let fixes = write_csv(&w.out("fix.csv"), &header, &fixed);
    spotcheck([
        "results",
        "correct",
        &bundle.display().to_string(),
        "--from",
        &fixes.display().to_string(),
        "--reason",
        "录入错误",
    ])
    .ok()
    .stdout_has(&["3 corrections recorded"]);
    let lines = log_lines(&bundle);
    assert_eq!(lines.len(), 2 + 3227 + 3);
    assert!(
        lines[3229].contains(r#""kind":"correction","corrects":3,"reason":"录入错误""#),
        "{}",
        lines[3229]
    );
    let run = verify(&bundle, &[]);
    run.ok()
        .stdout_has(&["3232 lines (3 corrections, 2 substitutions), 3227 of 3227 results recorded"]);
    let head = run.stdout.split("head ").nth(1).unwrap().trim().to_string();
    assert_eq!(head.len(), 64);
    verify(&bundle, &["--head", &head]).ok().stdout_has(&["is line 3232"]);
}

/// Draws the demo plan and records results for its first 20 firms.
fn recorded_bundle(w: &Work) -> PathBuf {
    let bundle = w.out("demo");
    draw(&repo().join("plans/demo.toml"), "20250301-QDN", &bundle, &[]).ok();
    let (header, mut rows) = template(&bundle, &w.out("t.csv"));
    rows.truncate(20);
    for (n, row) in rows.iter_mut().enumerate() {
        fill(&header, row, n, result_for(n));
    }
    record(&bundle, &write_csv(&w.out("r.csv"), &header, &rows), &[]).ok();
    bundle
}

#[test]
fn a_tampered_log_fails_verify_naming_the_line() {
    let w = Work::new();
    let bundle = recorded_bundle(&w);
    let run = verify(&bundle, &[]);
    run.ok();
    let head = run.stdout.split("head ").nth(1).unwrap().trim().to_string();
    let lines = log_lines(&bundle);
    let log = bundle.join("results.jsonl");
    let put =
        |lines: &[String]| std::fs::write(&log, lines.iter().map(|l| format!("{l}\n")).collect::<String>()).unwrap();
    let expect = |extra: &[&str], needle: &str| {
        let run = verify(&bundle, extra);
        run.expect_code(3).stdout_has(&["NOT VERIFIED", needle]);
    };

    // An edited line is caught at the next line.
    let mut edited = lines.clone();
    edited[4] = edited[4].replace("未发现问题", "发现问题已责令改正");
    put(&edited);
    expect(&[], "results.jsonl, line 6: prev is");
    // A line removed from the middle.
    let mut removed = lines.clone();
    removed.remove(9);
    put(&removed);
    expect(&[], "results.jsonl, line 10: numbered 11");
    // Two lines swapped.
    let mut swapped = lines.clone();
    swapped.swap(2, 3);
    put(&swapped);
    expect(&[], "results.jsonl, line 3: numbered 4");
    // A field added, spaces put in.
    let mut spaced = lines.clone();
    spaced[0] = spaced[0].replacen(r#""line":1"#, r#""line": 1"#, 1);
    put(&spaced);
    expect(&[], "results.jsonl, line 1: not in the log's canonical form");
    // The last line edited, or removed: the chain alone holds, the noted
    // head does not.
    let mut last = lines.clone();
    last.pop();
    put(&last);
    verify(&bundle, &[]).ok();
    expect(&["--head", &head], "no line has the noted head");
    let mut changed = lines.clone();
    let n = changed.len() - 1;
    changed[n] = changed[n].replace("2025-03-", "2025-04-");
    put(&changed);
    expect(&["--head", &head], "no line has the noted head");
    // A line chained properly that breaks a rule: a result for a firm
    // that was not drawn.
    put(&lines);
    verify(&bundle, &["--head", &head]).ok();
    let n = lines.len();
    let first = &lines[0];
    let body = &first[first.find(r#","recorded_at""#).unwrap()..];
    let uscc = body.split(r#""uscc":""#).nth(1).unwrap()[..18].to_string();
    let forged = format!(
        r#"{{"line":{},"prev":"{}"{}"#,
        n + 1,
        spotcheck::base::sha256::sha256_hex(lines[n - 1].as_bytes()),
        body.replace(&uscc, "91640121750822310D")
    );
    let mut more = lines.clone();
    more.push(forged);
    put(&more);
    expect(
        &[],
        &format!("results.jsonl, line {}: uscc: 91640121750822310D was not drawn", n + 1),
    );
}

#[test]
fn refused_rows_name_the_file_row_and_column_and_record_nothing() {
    let w = Work::new();
    let bundle = w.out("demo");
    draw(&repo().join("plans/demo.toml"), "20250301-QDN", &bundle, &[]).ok();
    let (header, mut rows) = template(&bundle, &w.out("t.csv"));
    rows.truncate(5);
    for (n, row) in rows.iter_mut().enumerate() {
        fill(&header, row, n, "未发现问题");
    }
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (ids, on, result, measure) = (
        col("inspector_ids"),
        col("inspected_on"),
        col("result"),
        col("measure_1"),
    );
    let group: Vec<usize> = ["item_1", "checked_1", "method_1", "measure_1"].map(col).to_vec();
    type Edit = Box<dyn Fn(&mut Vec<String>)>;
    let cases: Vec<(&str, Edit, &[&str])> = vec![
        (
            "not drawn",
            Box::new(|r| r[0] = "91640121750822310D".into()),
            &["line 4, column uscc", "was not drawn"],
        ),
        (
            "not on the team",
            Box::new(move |r| r[ids] = "QDN-SJ-0001;QDN-SJ-0002".into()),
            &[
                "line 4, column inspector_ids",
                "not on the visit's team",
                "results substitute",
            ],
        ),
        (
            "one officer",
            Box::new(move |r| {
                let first = r[ids].split(';').next().unwrap().to_string();
                r[ids] = first;
            }),
            &["line 4, column inspector_ids", "at least two officers"],
        ),
        (
            "outside the window",
            Box::new(move |r| r[on] = "2025-12-02".into()),
            &[
                "line 4, column inspected_on",
                "outside the visit's window 2025-03-01 to 2025-11-30",
            ],
        ),
        (
            "unknown result",
            Box::new(move |r| r[result] = "基本合格".into()),
            &["line 4, column result", "unknown result", "未发现问题 (no-problem)"],
        ),
        (
            "unknown measure",
            Box::new(move |r| r[measure] = "罚款".into()),
            &["line 4, column measure_1", "unknown measure", "其他：TEXT"],
        ),
        (
            "item missing",
            Box::new(move |r| {
                for &c in &group {
                    r[c] = String::new();
                }
            }),
            &["line 4, column item_1", "is missing"],
        ),
        (
            "twice in the file",
            Box::new(|_| {}),
            &["line 4, column uscc", "already has a result"],
        ),
    ];
    for (what, edit, needles) in cases {
        let mut rows = rows.clone();
        if what == "twice in the file" {
            rows[2] = rows[0].clone();
        } else {
            edit(&mut rows[2]);
        }
        let file = write_csv(&w.out(&format!("{}.csv", what.replace(' ', "-"))), &header, &rows);
        let run = record(&bundle, &file, &[]);
        run.error(needles);
        assert!(
            !bundle.join("results.jsonl").exists(),
            "{what}: nothing may be recorded"
        );
    }
    // In the future: a date after the day of recording.
    let file = write_csv(&w.out("ok.csv"), &header, &rows);
    record(&bundle, &file, &["--today", "2025-03-05"])
        .error(&["column inspected_on", "is in the future (today is 2025-03-05)"]);
    assert!(!bundle.join("results.jsonl").exists());
    record(&bundle, &file, &[]).ok();
    // A correction needs a result to correct.
    let (header2, mut more) = template(&bundle, &w.out("t2.csv"));
    fill(&header2, &mut more[0], 0, "未发现问题");
    let file = write_csv(&w.out("c.csv"), &header2, &more[..1]);
    spotcheck([
        "results",
        "correct",
        &bundle.display().to_string(),
        "--from",
        &file.display().to_string(),
        "--reason",
        "x",
    ])
    .error(&[
        "c.csv, line 2, column uscc",
        "no result in task QDN-2025-001 to correct",
    ]);
}

#[test]
fn a_batch_records_one_result_per_task_of_a_joint_visit() {
    let w = Work::new();
    let bundle = w.out("joint");
    draw(&repo().join("plans/joint-2025.toml"), "20250301-QDN", &bundle, &[]).ok();
    let (header, mut rows) = template(&bundle, &w.out("t.csv"));
    let targets: usize = std::fs::read_dir(bundle.join("tasks"))
        .unwrap()
        .map(|e| {
            std::fs::read_to_string(e.unwrap().path().join("targets.csv"))
                .unwrap()
                .lines()
                .count()
                - 1
        })
        .sum();
    assert_eq!(rows.len(), targets, "one row per task's target");
    // A firm drawn by two tasks: each needs its own row, and a row without
    // its task is refused.
    let mut seen = std::collections::BTreeMap::new();
    let twice = rows
        .iter()
        .find(|r| seen.insert(r[0].clone(), ()).is_some())
        .map(|r| r[0].clone())
        .expect("the joint plan has a firm drawn by two tasks");
    // An officer of that firm's visit cannot go: the next in the visit's
    // ranking takes the slot, for every task of the visit.
    let gone = rows.iter().find(|r| r[0] == twice).unwrap()[3]
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let run = substitute(&bundle, &twice, &gone, "借调");
    run.ok().stdout_has(&[&format!("replaces {gone} on slot 1")]);
    let substitute = run.stdout.split_whitespace().next().unwrap().to_string();
    let (_, again) = template(&bundle, &w.out("t2.csv"));
    for row in again.iter().filter(|r| r[0] == twice) {
        assert!(row[3].starts_with(&format!("{substitute};")), "{row:?}");
    }
    rows = again;
    for (n, row) in rows.iter_mut().enumerate() {
        fill(&header, row, n, result_for(n));
    }
    let mut untasked: Vec<Vec<String>> = rows.iter().filter(|r| r[0] == twice).cloned().collect();
    untasked[0][1] = String::new();
    let file = write_csv(&w.out("untasked.csv"), &header, &untasked[..1]);
    record(&bundle, &file, &[]).error(&["line 2, column task", "was drawn by 2 tasks"]);
    let file = write_csv(&w.out("all.csv"), &header, &rows);
    record(&bundle, &file, &[]).ok().stdout_has(&["0 pending"]);
    verify(&bundle, &[])
        .ok()
        .stdout_has(&[&format!("{targets} of {targets} results recorded")]);
}

/// The demo plan without teams, its window ending on `end`.
fn plan_ending(w: &Work, end: &str) -> PathBuf {
    let text = std::fs::read_to_string(repo().join("plans/demo-targets.toml"))
        .unwrap()
        .replace("\"../data/", &format!("\"{}/", repo().join("data").display()))
        .replace("end = 2025-11-30", &format!("end = {end}"));
    assert!(text.contains(&format!("end = {end}")));
    w.write(&format!("plan-{end}.toml"), text)
}

fn status(bundle: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["status".to_string(), bundle.display().to_string()];
    args.extend(extra.iter().map(|s| s.to_string()));
    spotcheck(args)
}

#[test]
fn results_are_due_twenty_working_days_after_the_window_across_the_holidays() {
    let w = Work::new();
    // National Day 2025: Oct 1–8 off, Sunday Sep 28 and Saturday Oct 11
    // worked. From Fri Sep 26: Sep 28, 29, 30 (3), Oct 9, 10, 11 (6),
    // Oct 13–17 (11), 20–24 (16), 27–30 (20).
    // Spring Festival 2026: Feb 15–23 off, Saturdays Feb 14 and 28
    // worked. From Fri Feb 13: Feb 14 (1), 24–27 (5), 28 (6), Mar 2–6
    // (11), 9–13 (16), 16–19 (20).
    for (end, due, before, after) in [
        ("2025-09-26", "2025-10-30", "2025-10-30", "2025-10-31"),
        ("2026-02-13", "2026-03-19", "2026-03-19", "2026-03-20"),
    ] {
        let plan = plan_ending(&w, end);
        let bundle = w.out(&format!("b-{end}"));
        draw(&plan, "20250301-QDN", &bundle, &[]).ok();
        let drawn = read_targets(&bundle).len();
        status(&bundle, &["--today", before]).ok().stdout_has(&[&format!(
            "window ends {end}, results due {due}: drawn {drawn}, recorded 0, pending {drawn}"
        )]);
        status(&bundle, &["--today", after])
            .expect_code(4)
            .stdout_has(&["OVERDUE: 1 task(s)", &format!("overdue {drawn}")]);
        let json = status(&bundle, &["--today", after, "--json"]);
        let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
        assert_eq!(v["tasks"][0]["due"], due);
        assert_eq!(v["overdue"], true);
    }
    // A calendar without the year a deadline falls in is an error, not a
    // guess.
    let only_2025: String = std::fs::read_to_string(repo().join("calendars/cn.csv"))
        .unwrap()
        .lines()
        .filter(|l| !l.contains("2026"))
        .map(|l| format!("{l}\n"))
        .collect();
    let calendar = w.write("cal-2025.csv", only_2025);
    let bundle = w.out("b-2026-02-13");
    status(&bundle, &["--calendar", &calendar.display().to_string()]).error(&[
        "does not cover 2026",
        "(it covers 2024, 2025)",
        "--calendar",
    ]);
}

#[test]
fn status_lists_the_firms_for_the_abnormal_operations_list_with_their_day() {
    let w = Work::new();
    let bundle = recorded_bundle(&w);
    let run = status(&bundle, &["--today", "2025-06-01"]);
    run.ok().stdout_has(&[
        "recorded 20, pending 3207",
        "abnormal-operations list (经营异常名录), within 10 working days of the inspection: 1",
    ]);
    // Firm 7 of the file was found unreachable, inspected on Monday Mar
    // 17: Mar 18–21 (4), 24–28 (9), 31 (10).
    run.stdout_has(&["通过登记的住所（经营场所）无法联系  inspected 2025-03-17, list by 2025-03-31 (past)"]);
}

#[test]
fn results_come_from_a_workbook_sheet_or_a_gb18030_file_as_offices_keep_them() {
    let w = Work::new();
    let bundle = w.out("demo");
    draw(&repo().join("plans/demo.toml"), "20250301-QDN", &bundle, &[]).ok();
    let (header, mut rows) = template(&bundle, &w.out("t.csv"));
    rows.truncate(30);
    for (n, row) in rows.iter_mut().enumerate() {
        fill(&header, row, n, result_for(n));
    }
    // A workbook whose sheet 检查结果 has the first 20 rows, the header in
    // Chinese; row 12 (the 11th firm) has an unknown result at first.
    let chinese: Vec<&str> = header
        .iter()
        .map(|h| match h.as_str() {
            "uscc" => "统一社会信用代码",
            "task" => "任务编号",
            "inspected_on" => "检查日期",
            "inspector_ids" => "检查人员编号",
            "result" => "检查结果",
            "item_1" => "检查事项1",
            "checked_1" => "是否检查1",
            "method_1" => "检查方式1",
            "problem_1" => "发现问题1",
            "measure_1" => "后续处置1",
            other => other,
        })
        .collect();
    let write_book = |path: &Path, rows: &[Vec<String>]| {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet().set_name("检查结果").unwrap();
        for (c, h) in chinese.iter().enumerate() {
            sheet.write_string(0, c as u16, *h).unwrap();
        }
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                sheet.write_string(r as u32 + 1, c as u16, v).unwrap();
            }
        }
        book.save(path).unwrap();
    };
    let book = w.out("results.xlsx");
    let mut bad = rows[..20].to_vec();
    bad[10][4] = "合格".into();
    write_book(&book, &bad);
    let sheet = format!("{}#检查结果", book.display());
    record(&bundle, Path::new(&sheet), &[]).error(&["results.xlsx, sheet 检查结果, row 12, column result"]);
    std::fs::remove_file(&book).unwrap();
    write_book(&book, &rows[..20]);
    record(&bundle, Path::new(&sheet), &[])
        .ok()
        .stdout_has(&["20 results recorded"]);
    assert!(
        std::fs::read_to_string(bundle.join("results.jsonl"))
            .unwrap()
            .contains(r##""file":"results.xlsx#检查结果""##)
    );
    // The other ten as a GB18030 export.
    let mut text = String::new();
    text.push_str(&chinese.join(","));
    text.push('\n');
    for row in &rows[20..] {
        text.push_str(&row.join(","));
        text.push('\n');
    }
    let (gb, _, _) = encoding_rs::GB18030.encode(&text);
    let file = w.write("gb.csv", gb.as_ref());
    record(&bundle, &file, &[])
        .ok()
        .stdout_has(&["10 results recorded", "30 of 3227"]);
    verify(&bundle, &[]).ok();
}

/// The whole year of one task: draw, substitutions, results for every
/// target with corrections, status, publication, its check, the export,
/// and next year's draw that leaves out the firms inspected.
#[test]
fn a_whole_cycle_from_the_draw_to_next_years_draw() {
    let w = Work::new();
    let bundle = w.out("demo");
    draw(&repo().join("plans/demo.toml"), "20250301-QDN", &bundle, &[]).ok();
    let targets = read_targets(&bundle);
    let drawn = targets.len();
    let (_, rows) = template(&bundle, &w.out("t0.csv"));
    for row in &rows[..2] {
        let gone = row[3].split(';').nth(1).unwrap().to_string();
        substitute(&bundle, &row[0], &gone, "休假").ok();
    }
    let (header, mut rows) = template(&bundle, &w.out("t1.csv"));
    assert_eq!(rows.len(), drawn);
    for (n, row) in rows.iter_mut().enumerate() {
        fill(&header, row, n, result_for(n));
    }
    let half = drawn / 2;
    record(&bundle, &write_csv(&w.out("r1.csv"), &header, &rows[..half]), &[]).ok();
    status(&bundle, &["--today", "2025-12-01"])
        .ok()
        .stdout_has(&[&format!("recorded {half}, pending {}", drawn - half)]);
    record(&bundle, &write_csv(&w.out("r2.csv"), &header, &rows[half..]), &[]).ok();
    let mut fixes = rows[10..13].to_vec();
    for row in &mut fixes {
        fill(&header, row, 0, "发现问题已责令改正");
    }
    spotcheck([
        "results",
        "correct",
        &bundle.display().to_string(),
        "--from",
        &write_csv(&w.out("fix.csv"), &header, &fixes).display().to_string(),
        "--reason",
        "复核更正",
    ])
    .ok();
    // Every result is in by the due day: nothing pending, nothing overdue.
    status(&bundle, &["--today", "2026-01-05"])
        .ok()
        .stdout_has(&[&format!("drawn {drawn}, recorded {drawn}, pending 0  done")]);
    let lines = 2 + drawn + 3;
    verify(&bundle, &[]).ok().stdout_has(&[&format!(
        "{lines} lines (3 corrections, 2 substitutions), {drawn} of {drawn} results recorded"
    )]);

    // Published: every drawn firm once, with its result in force.
    let public = w.out("public");
    spotcheck([
        "publish",
        &bundle.display().to_string(),
        "--out",
        &public.display().to_string(),
    ])
    .ok();
    verify(&public, &[]).ok();
    let published = std::fs::read_to_string(public.join("results.csv")).unwrap();
    assert_eq!(published.lines().count(), drawn + 1);
    assert!(!published.contains("待录入"));
    let corrected: Vec<&str> = published.lines().filter(|l| l.contains("发现问题已责令改正")).collect();
    let expected_corrected = (0..drawn)
        .filter(|&n| result_for(n) == "发现问题已责令改正" && !(10..13).contains(&n))
        .count()
        + 3;
    assert_eq!(corrected.len(), expected_corrected);
    let p: serde_json::Value = serde_json::from_slice(&std::fs::read(public.join("public.json")).unwrap()).unwrap();
    assert_eq!(p["results"]["lines"], lines as u64);
    assert_eq!(p["results"]["recorded"], drawn as u64);
    assert_eq!(p["results"]["pending"], 0);

    // Exported: the publicity file, next year's history, the credit feedback.
    let export = w.out("export");
    spotcheck([
        "results",
        "export",
        &bundle.display().to_string(),
        "--out",
        &export.display().to_string(),
    ])
    .ok();
    let history = std::fs::read_to_string(export.join("history.csv")).unwrap();
    assert_eq!(history.lines().count(), drawn + 1);
    let publicity = std::fs::read_to_string(export.join("publicity.csv")).unwrap();
    assert_eq!(publicity.lines().count(), drawn + 1);

    // Next year's draw reads that history and leaves out every firm
    // inspected this year.
    let next = std::fs::read_to_string(repo().join("plans/demo-targets.toml"))
        .unwrap()
        .replace(
            "\"../data/history.csv\"",
            &format!("{:?}", export.join("history.csv").display().to_string()),
        )
        .replace("\"../data/", &format!("\"{}/", repo().join("data").display()))
        .replace("QDN-2025-001", "QDN-2026-001")
        .replace("start = 2025-03-01", "start = 2026-03-01")
        .replace("end = 2025-11-30", "end = 2026-11-30");
    let plan = w.write("next.toml", next);
    let second = w.out("next");
    draw(&plan, "20260301-QDN", &second, &[]).ok();
    let m = manifest(&second);
    assert_eq!(m.excluded.recently_inspected, drawn as u64);
    let before: std::collections::BTreeSet<String> = targets.iter().map(|t| t.uscc.clone()).collect();
    let again = read_targets(&second)
        .into_iter()
        .filter(|t| before.contains(&t.uscc))
        .count();
    assert_eq!(again, 0, "no firm inspected this year is drawn again");
    assert_eq!(m.totals.directory_rows, manifest(&bundle).totals.directory_rows);
}
