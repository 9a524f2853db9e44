//! `spotcheck results export` with the real binary: the demo plan drawn,
//! its results recorded from a filled-in template and exported; the
//! publicity file as CSV and as a workbook, the credit feedback, and the
//! history drawn from by the next year's plan; a batch whose firms have
//! several results; a bundle without results.

use crate::results::{record, template};
use crate::util::*;
use calamine::{Data, Reader, Xlsx, open_workbook};
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const BOM: &str = "\u{feff}";
const PUBLICITY_HEADER: &str =
    "统一社会信用代码,企业名称,抽查任务编号,抽查任务名称,检查结果,检查日期,检查实施机关,后续处置";
const FEEDBACK_HEADER: &str = "uscc,name,task,result,inspected_on,credit_class,suggested_class,reason";

const NO_PROBLEM: &str = "未发现问题";
const UNREACHABLE: &str = "通过登记的住所（经营场所）无法联系";
const FALSE_DISCLOSURE: &str = "公示信息隐瞒真实情况弄虚作假";
const CORRECTED: &str = "发现问题已责令改正";
const ABNORMAL: &str = "列入经营异常名录";

/// What a test records for one (task, firm).
#[derive(Debug, Clone)]
struct Recorded {
    result: &'static str,
    measure: &'static str,
    on: NaiveDate,
    inspectors: String,
}

/// A CSV file's header and rows, without a BOM.
fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let bytes = bytes.strip_prefix(BOM.as_bytes()).unwrap_or(&bytes);
    let mut r = csv::Reader::from_reader(bytes);
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

fn starts_with_bom(path: &Path) -> bool {
    std::fs::read(path).unwrap().starts_with(BOM.as_bytes())
}

/// Fills in the template at `t`: `pick(k, task, uscc)` gives a row's
/// result and measure, or `None` to leave it out. The date is the
/// window's start plus `k mod 20` days (at most its end); the inspectors
/// are the team the template names. Writes `out` and returns what it
/// recorded, by (task, uscc).
fn fill(
    t: &Path,
    out: &Path,
    pick: impl Fn(usize, &str, &str) -> Option<(&'static str, &'static str)>,
) -> BTreeMap<(String, String), Recorded> {
    let (header, rows) = read_csv(t);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let mut w = csv::Writer::from_path(out).unwrap();
    w.write_record(&header).unwrap();
    let mut recorded = BTreeMap::new();
    for (k, mut row) in rows.into_iter().enumerate() {
        let (task, uscc) = (row[col("task")].clone(), row[col("uscc")].clone());
        let Some((result, measure)) = pick(k, &task, &uscc) else {
            continue;
        };
        let window = row[col("window")].clone();
        let (start, end) = window.split_once(" ~ ").unwrap();
        let start = NaiveDate::parse_from_str(start, "%Y-%m-%d").unwrap();
        let end = NaiveDate::parse_from_str(end, "%Y-%m-%d").unwrap();
        let on = (start + chrono::Days::new((k % 20) as u64)).min(end);
        row[col("inspected_on")] = on.to_string();
        row[col("result")] = result.to_string();
        row[col("checked_1")] = "是".into();
        row[col("method_1")] = "实地检查".into();
        row[col("measure_1")] = measure.into();
        recorded.insert(
            (task, uscc),
            Recorded {
                result,
                measure,
                on,
                inspectors: row[col("inspector_ids")].clone(),
            },
        );
        w.write_record(&row).unwrap();
    }
    w.flush().unwrap();
    recorded
}

fn export(bundle: &Path, out: &Path) -> Run {
    spotcheck([
        "results",
        "export",
        &bundle.display().to_string(),
        "--out",
        &out.display().to_string(),
    ])
}

/// Days since 1899-12-30: an Excel serial date.
fn excel_serial(d: NaiveDate) -> f64 {
    (d - NaiveDate::from_ymd_opt(1899, 12, 30).unwrap()).num_days() as f64
}

/// The publicity workbook's rows as the CSV writes them.
fn workbook_rows(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut book: Xlsx<_> = open_workbook(path).expect("open publicity.xlsx");
    assert_eq!(book.sheet_names(), ["抽查结果"]);
    let range = book.worksheet_range("抽查结果").unwrap();
    let mut rows = range.rows();
    let header = rows.next().unwrap().iter().map(|c| c.to_string()).collect();
    let rows = rows
        .map(|r| {
            r.iter()
                .enumerate()
                .map(|(i, c)| match c {
                    Data::DateTime(d) => {
                        assert_eq!(i, 5, "only 检查日期 is a date");
                        let days = d.as_f64() as i64;
                        (NaiveDate::from_ymd_opt(1899, 12, 30).unwrap() + chrono::Days::new(days as u64)).to_string()
                    }
                    Data::String(s) => s.clone(),
                    Data::Empty => String::new(),
                    other => panic!("unexpected cell {other:?}"),
                })
                .collect()
        })
        .collect();
    (header, rows)
}

/// Firm code → (name, credit class), from a bundle's targets.csv.
fn targets_of(bundle: &Path) -> BTreeMap<String, (String, String)> {
    read_targets(bundle)
        .into_iter()
        .map(|t| (t.uscc, (t.name, t.credit_class)))
        .collect()
}

/// The demo plan moved a year on, reading `history` as its history.
fn next_year_plan(w: &Work, history: &Path) -> PathBuf {
    let data = repo().join("data");
    let text = std::fs::read_to_string(repo().join("plans/demo.toml"))
        .unwrap()
        .replace("id = \"QDN-2025-001\"", "id = \"QDN-2026-001\"")
        .replace("2025年度", "2026年度")
        .replace("start = 2025-03-01", "start = 2026-03-01")
        .replace("end = 2025-11-30", "end = 2026-11-30")
        .replace(
            "\"../data/history.csv\"",
            &format!("{:?}", history.display().to_string()),
        )
        .replace("\"../data/", &format!("\"{}/", data.display()));
    assert!(text.contains("QDN-2026-001") && text.contains("start = 2026-03-01"));
    assert!(text.contains("exclude_inspected_within_days = 365"));
    w.write("next.toml", text)
}

#[test]
fn the_demo_plans_results_export_for_the_publicity_system_credit_and_next_years_draw() {
    let w = Work::new();
    let bundle = w.out("b");
    draw(&repo().join("plans/demo.toml"), "20250301-QDN", &bundle, &[]).ok();
    let firms = targets_of(&bundle);
    let t = w.input("template.csv");
    template(&bundle, &t);

    // The firms given a result that raises their class: the first firms
    // of each class in the template's order.
    let (_, rows) = read_csv(&t);
    let mut by_class: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in &rows {
        by_class.entry(firms[&r[0]].1.clone()).or_default().push(r[0].clone());
    }
    let nth = |class: &str, n: usize| by_class[class][n].clone();
    let special: BTreeMap<String, (&'static str, &'static str)> = [
        (nth("B", 0), (UNREACHABLE, "无须后续处置")),      // B → D, abnormal
        (nth("B", 1), (CORRECTED, "责令限期整改")),        // B → C
        (nth("A", 0), (FALSE_DISCLOSURE, "移送办案机构")), // A → D, abnormal
        (nth("A", 1), (CORRECTED, "责令限期整改")),        // A → B
        (nth("C", 0), (CORRECTED, "责令限期整改")),        // C → D
        (nth("D", 0), (UNREACHABLE, "无须后续处置")),      // D: already the highest
        (nth("D", 1), (CORRECTED, "责令限期整改")),        // D: already the highest
    ]
    .into_iter()
    .collect();
    let expected_feedback: BTreeMap<String, (&str, bool)> = [
        (nth("B", 0), ("D", true)),
        (nth("B", 1), ("C", false)),
        (nth("A", 0), ("D", true)),
        (nth("A", 1), ("B", false)),
        (nth("C", 0), ("D", false)),
    ]
    .into_iter()
    .collect();
    let pick = |_: usize, _: &str, uscc: &str| Some(special.get(uscc).copied().unwrap_or((NO_PROBLEM, "无须后续处置")));

    // First the results of all but five firms: the pending are left out.
    let part = w.input("part.csv");
    let first = fill(&t, &part, |k, task, uscc| {
        (k >= 5).then(|| pick(k, task, uscc)).flatten()
    });
    record(&bundle, &part, &["--today", "2025-12-31"]).ok();
    let e1 = w.out("export-1");
    export(&bundle, &e1).ok().stdout_has(&[
        "publicity.csv: ",
        &format!("{} results in force of {}", first.len(), firms.len()),
        "5 pending left out",
    ]);
    let (_, p1) = read_csv(&e1.join("publicity.csv"));
    assert_eq!(p1.len(), firms.len() - 5);
    export(&bundle, &e1).error(&["already exists"]);

    // Then the other five, from a new template.
    let t2 = w.input("template-2.csv");
    template(&bundle, &t2);
    let rest = w.input("rest.csv");
    let second = fill(&t2, &rest, |k, task, uscc| pick(k + 1000, task, uscc));
    assert_eq!(second.len(), 5);
    record(&bundle, &rest, &["--today", "2025-12-31"]).ok();
    let mut recorded = first;
    recorded.extend(second);
    assert_eq!(recorded.len(), firms.len());

    let out = w.out("export");
    let run = export(&bundle, &out);
    run.ok().stdout_has(&[
        &format!(
            "publicity.csv: {n} results in force of {n}; 0 pending left out",
            n = firms.len()
        ),
        &format!("publicity.xlsx: {} rows", firms.len()),
        &format!("history.csv: {n} rows, {n} firms", n = firms.len()),
        "credit-feedback.csv: 5 firms to raise a credit class; 2 already at the highest class left out",
    ]);
    assert_eq!(
        entries(&out),
        ["credit-feedback.csv", "history.csv", "publicity.csv", "publicity.xlsx"]
    );

    // publicity.csv: one row per result, by code (one task), the columns
    // the platforms take.
    let path = out.join("publicity.csv");
    assert!(starts_with_bom(&path));
    let (header, publicity) = read_csv(&path);
    assert_eq!(header.join(","), PUBLICITY_HEADER);
    assert_eq!(publicity.len(), recorded.len());
    let codes: Vec<&str> = publicity.iter().map(|r| r[0].as_str()).collect();
    assert!(codes.windows(2).all(|p| p[0] < p[1]), "by code");
    for row in &publicity {
        let r = &recorded[&(row[2].clone(), row[0].clone())];
        assert_eq!(row[1], firms[&row[0]].0);
        assert_eq!(row[2], "QDN-2025-001");
        assert_eq!(row[3], "2025年度企业公示信息双随机抽查");
        assert_eq!(row[4], r.result);
        assert_eq!(row[5], r.on.to_string());
        assert_eq!(row[6], "黔东南州市场监督管理局");
        assert_eq!(row[7], r.measure);
    }

    // publicity.xlsx: the same rows, dates as dates.
    let (xheader, xrows) = workbook_rows(&out.join("publicity.xlsx"));
    assert_eq!(xheader.join(","), PUBLICITY_HEADER);
    assert_eq!(xrows, publicity);
    let mut book: Xlsx<_> = open_workbook(out.join("publicity.xlsx")).unwrap();
    let range = book.worksheet_range("抽查结果").unwrap();
    let on = NaiveDate::parse_from_str(&publicity[0][5], "%Y-%m-%d").unwrap();
    assert!(matches!(&range.rows().nth(1).unwrap()[5], Data::DateTime(d) if d.as_f64() == excel_serial(on)));

    // credit-feedback.csv: exactly the firms raised, with their classes.
    let path = out.join("credit-feedback.csv");
    assert!(starts_with_bom(&path));
    let (header, feedback) = read_csv(&path);
    assert_eq!(header.join(","), FEEDBACK_HEADER);
    let got: BTreeMap<String, (&str, bool)> = feedback
        .iter()
        .map(|r| {
            let suggested = ["A", "B", "C", "D"].into_iter().find(|c| *c == r[6]).unwrap();
            (r[0].clone(), (suggested, r[7].contains(ABNORMAL)))
        })
        .collect();
    assert_eq!(got, expected_feedback);
    for r in &feedback {
        let rec = &recorded[&(r[2].clone(), r[0].clone())];
        assert_eq!(
            (r[1].as_str(), r[5].as_str()),
            (firms[&r[0]].0.as_str(), firms[&r[0]].1.as_str())
        );
        assert_eq!((r[3].as_str(), r[4].clone()), (rec.result, rec.on.to_string()));
        assert!(r[7].starts_with(rec.result), "{r:?}");
    }
    let codes: Vec<&str> = feedback.iter().map(|r| r[0].as_str()).collect();
    assert!(codes.windows(2).all(|p| p[0] < p[1]), "by code");

    // history.csv: the format SPEC §1.2 reads, by code.
    let path = out.join("history.csv");
    assert!(!starts_with_bom(&path));
    let (header, history) = read_csv(&path);
    assert_eq!(header, ["uscc", "inspected_on", "inspector_ids"]);
    assert_eq!(history.len(), recorded.len());
    let mut expected: Vec<Vec<String>> = recorded
        .iter()
        .map(|((_, uscc), r)| vec![uscc.clone(), r.on.to_string(), r.inspectors.clone()])
        .collect();
    expected.sort();
    assert_eq!(history, expected);
    assert!(history.iter().all(|r| r[2].split(';').count() == 2));

    // The next year's plan reads it: no firm inspected in 2025 is drawn,
    // and every one of them that is active is left out as recently
    // inspected (its date is on or after 2026-03-01 − 365 days).
    let plan = next_year_plan(&w, &path);
    let next = w.out("next");
    draw(&plan, "20260301-QDN", &next, &[]).ok();
    let inspected: BTreeSet<&str> = history.iter().map(|r| r[0].as_str()).collect();
    let drawn_next = read_targets(&next);
    assert!(drawn_next.len() > 3000, "{} targets", drawn_next.len());
    let again: Vec<&str> = drawn_next
        .iter()
        .map(|t| t.uscc.as_str())
        .filter(|u| inspected.contains(u))
        .collect();
    assert!(again.is_empty(), "drawn again: {again:?}");
    let (dheader, directory) = read_csv(&repo().join("data/enterprises.csv"));
    let (code, status) = (
        dheader.iter().position(|h| h == "uscc").unwrap(),
        dheader.iter().position(|h| h == "status").unwrap(),
    );
    let active_inspected = directory
        .iter()
        .filter(|r| inspected.contains(r[code].as_str()))
        .filter(|r| ["存续", "在业", "开业", "在营"].contains(&r[status].as_str()))
        .count();
    assert_eq!(active_inspected, inspected.len(), "every target was active");
    let m = manifest(&next);
    assert_eq!(m.excluded.recently_inspected, active_inspected as u64);
    assert_eq!(m.task.id, "QDN-2026-001");
}

#[test]
fn a_bundle_without_results_has_nothing_to_export() {
    let w = Work::new();
    let bundle = w.out("b");
    draw(&repo().join("plans/demo.toml"), "empty", &bundle, &[]).ok();
    let out = w.out("export");
    export(&bundle, &out).error(&[
        "no results are recorded yet",
        "nothing to export",
        "spotcheck results record",
    ]);
    assert_no_output(&out);
}

/// A batch of two tasks over the same firms (every active food producer
/// of 丹寨县), months apart: each firm has two visits, two teams and two
/// results.
fn two_task_batch(w: &Work) -> PathBuf {
    let data = repo().join("data");
    let d = data.display();
    let task = |id: &str, item: &str, start: &str, end: &str| {
        format!(
            "[[task]]\nid = \"{id}\"\nname = \"任务{id}\"\ndepartment = \"黔东南州市场监督管理局\"\n\
             items = [\"{item}\"]\nstart = {start}\nend = {end}\nteam = {{ \"市场监管局\" = 2 }}\n[task.targets]\n\
             ratio = \"100%\"\ncounties = [\"丹寨县\"]\nindustries = [\"食品生产\"]\n\n"
        )
    };
    let text = format!(
        "[batch]\nid = \"B-EXPORT\"\nname = \"导出测试批次\"\ndepartment = \"黔东南州市场监督管理局\"\n\
         start = 2025-01-01\nend = 2025-12-31\nitems = \"{d}/items.csv\"\n\n\
         [frame]\nenterprises = \"{d}/enterprises.csv\"\n\n\
         [inspectors]\ndirectory = \"{d}/inspectors.csv\"\nconflicts = \"{d}/conflicts.csv\"\n\n{}{}",
        task("T1", "SJ-SP-01", "2025-03-01", "2025-04-30"),
        task("T2", "SJ-GS-01", "2025-09-01", "2025-10-31"),
    );
    w.write("batch.toml", text)
}

#[test]
fn a_batch_firm_with_several_results_gets_one_row_with_the_highest_suggestion() {
    let w = Work::new();
    let bundle = w.out("b");
    draw(&two_task_batch(&w), "export", &bundle, &[]).ok();
    let mut firms: BTreeMap<String, (String, String)> = BTreeMap::new();
    for task in ["T1", "T2"] {
        firms.extend(targets_of(&bundle.join("tasks").join(task)));
    }
    let of_class = |class: &str| -> Vec<String> {
        firms
            .iter()
            .filter(|(_, (_, c))| c == class)
            .map(|(u, _)| u.clone())
            .collect()
    };
    let (a, b) = (of_class("A"), of_class("B"));
    // x (B): corrected in T1, unreachable in T2 → D from T2, abnormal.
    // y (B): corrected in both → C, from T1 (the earlier).
    // z (A): unreachable in T1, corrected in T2 → D from T1, abnormal.
    // p (B): corrected in T1, T2 pending → C; T2 not published.
    let (x, y, z, p) = (b[0].clone(), b[1].clone(), a[0].clone(), b[2].clone());
    let t = w.input("template.csv");
    template(&bundle, &t);
    let filled = w.input("filled.csv");
    let recorded = fill(&t, &filled, |_, task, uscc| {
        let corrected = (CORRECTED, "责令限期整改");
        let unreachable = (UNREACHABLE, "无须后续处置");
        match (task, uscc) {
            ("T1", u) if u == x || u == y || u == p => Some(corrected),
            ("T2", u) if u == x => Some(unreachable),
            ("T2", u) if u == y => Some(corrected),
            ("T1", u) if u == z => Some(unreachable),
            ("T2", u) if u == z => Some(corrected),
            ("T2", u) if u == p => None,
            _ => Some((NO_PROBLEM, "无须后续处置")),
        }
    });
    record(&bundle, &filled, &["--today", "2025-12-31"]).ok();
    let out = w.out("export");
    export(&bundle, &out).ok().stdout_has(&[
        &format!(
            "{} results in force of {}; 1 pending left out",
            recorded.len(),
            recorded.len() + 1
        ),
        "credit-feedback.csv: 4 firms",
        "0 already at the highest class",
    ]);

    // Publicity: T1's rows by code, then T2's; p's T2 is not there.
    let (_, publicity) = read_csv(&out.join("publicity.csv"));
    assert_eq!(publicity.len(), recorded.len());
    let keys: Vec<(String, String)> = publicity.iter().map(|r| (r[2].clone(), r[0].clone())).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert!(!keys.contains(&("T2".to_string(), p.clone())));
    assert_eq!(workbook_rows(&out.join("publicity.xlsx")).1, publicity);

    let (_, feedback) = read_csv(&out.join("credit-feedback.csv"));
    let got: Vec<[&str; 5]> = feedback
        .iter()
        .map(|r| {
            [
                r[0].as_str(),
                r[2].as_str(),
                r[3].as_str(),
                r[6].as_str(),
                r[7].as_str(),
            ]
        })
        .collect();
    let abnormal_reason = format!("{UNREACHABLE}：风险分类调至最高类；{ABNORMAL}");
    let one_up = format!("{CORRECTED}：风险分类上调一类");
    let mut expected = vec![
        [x.as_str(), "T2", UNREACHABLE, "D", abnormal_reason.as_str()],
        [y.as_str(), "T1", CORRECTED, "C", one_up.as_str()],
        [z.as_str(), "T1", UNREACHABLE, "D", abnormal_reason.as_str()],
        [p.as_str(), "T1", CORRECTED, "C", one_up.as_str()],
    ];
    expected.sort();
    assert_eq!(got, expected);

    // History: a row per result, a firm's rows by date.
    let (_, history) = read_csv(&out.join("history.csv"));
    assert_eq!(history.len(), recorded.len());
    let of_x: Vec<&str> = history.iter().filter(|r| r[0] == x).map(|r| r[1].as_str()).collect();
    assert_eq!(of_x.len(), 2);
    assert!(of_x[0] < of_x[1] && of_x[0].starts_with("2025-03") && of_x[1].starts_with("2025-09"));
    let mut sorted = history.clone();
    sorted.sort();
    assert_eq!(history, sorted);
}
