//! What the office receives for a batch: the notices (CSV and calendar per
//! inspector), one inspector's list and the workbook, on the joint plan.

use crate::util::*;
use calamine::{Data, Reader, Xlsx, open_workbook};
use icalendar::parser::{read_calendar, unfold};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Draws `plans/joint-2025.toml` into `out/joint`.
fn joint_batch(w: &Work) -> PathBuf {
    let bundle = w.out("joint");
    draw(&repo().join("plans/joint-2025.toml"), "20250301-QDN", &bundle, &[]).ok();
    bundle
}

fn notices(bundle: &Path, out: &Path) {
    spotcheck([
        "notices",
        &bundle.display().to_string(),
        "--out",
        &out.display().to_string(),
    ])
    .ok()
    .stdout_has(&["notice files"]);
}

/// An inspector on a visit of more than one task (there is one in the
/// joint plan: its tasks overlap on purpose).
fn joint_inspector(bundle: &Path) -> String {
    let visits = read_csv(&bundle.join("visits.csv"));
    let joint = visits
        .iter()
        .find(|v| v["tasks"].contains(';'))
        .expect("the joint plan has a joint visit");
    joint["inspector_ids"].split(';').next().unwrap().to_string()
}

#[test]
fn every_inspector_with_a_visit_gets_a_notice_and_the_rows_add_up() {
    let w = Work::new();
    let bundle = joint_batch(&w);
    let out = w.out("notices");
    notices(&bundle, &out);

    let assignments = read_csv(&bundle.join("assignments.csv"));
    let ids: BTreeSet<&str> = assignments.iter().map(|a| a["inspector_id"].as_str()).collect();
    let mut expected: Vec<String> = ids
        .iter()
        .flat_map(|id| [format!("{id}.csv"), format!("{id}.ics")])
        .collect();
    expected.sort();
    assert_eq!(entries(&out), expected, "a CSV and a calendar per inspector on a team");

    let mut rows = 0;
    for id in &ids {
        let bytes = std::fs::read(out.join(format!("{id}.csv"))).unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "{id}.csv has a BOM for Excel");
        let notice = csv_maps(&bytes);
        assert!(notice.iter().all(|r| r["执法人员编号"] == *id));
        rows += notice.len();
    }
    assert_eq!(
        rows,
        assignments.len(),
        "the notices' visit rows add up to assignments.csv"
    );
    spotcheck([
        "notices",
        &bundle.display().to_string(),
        "--out",
        &out.display().to_string(),
    ])
    .error(&["exists"]);
}

#[test]
fn one_inspectors_notice_lists_exactly_his_visits_with_their_tasks_and_items() {
    let w = Work::new();
    let bundle = joint_batch(&w);
    let out = w.out("notices");
    notices(&bundle, &out);
    let id = joint_inspector(&bundle);

    let visits: BTreeMap<String, BTreeMap<String, String>> = read_csv(&bundle.join("visits.csv"))
        .into_iter()
        .map(|v| (v["visit"].clone(), v))
        .collect();
    let assignments = read_csv(&bundle.join("assignments.csv"));
    let mine: BTreeSet<&str> = assignments
        .iter()
        .filter(|a| a["inspector_id"] == id)
        .map(|a| a["visit"].as_str())
        .collect();
    let items: BTreeMap<String, BTreeMap<String, String>> = read_csv(&repo().join("data/items.csv"))
        .into_iter()
        .map(|i| (i["code"].clone(), i))
        .collect();
    let m = spotcheck::bundle::batch::read_batch_manifest(&bundle).unwrap();
    let task_names: BTreeMap<&str, &str> = m.tasks.iter().map(|t| (t.id.as_str(), t.name.as_str())).collect();

    let notice = read_csv(&out.join(format!("{id}.csv")));
    let listed: BTreeSet<&str> = notice.iter().map(|r| r["检查编号"].as_str()).collect();
    assert_eq!(listed, mine, "exactly the inspector's visits");
    assert_eq!(notice.len(), mine.len(), "each once");
    assert!(
        notice.iter().any(|r| r["抽查任务"].contains('\n')),
        "a joint visit lists its tasks"
    );
    for row in &notice {
        let v = &visits[&row["检查编号"]];
        assert_eq!(row["统一社会信用代码"], v["uscc"]);
        assert_eq!(row["企业名称"], v["name"]);
        assert_eq!(row["所属区县"], v["county"]);
        assert_eq!((&row["检查开始"], &row["检查结束"]), (&v["start"], &v["end"]));
        assert!(!row["地址"].is_empty(), "the directory's address is there");
        let tasks: Vec<String> = v["tasks"]
            .split(';')
            .map(|t| format!("{t} {}", task_names[t]))
            .collect();
        assert_eq!(row["抽查任务"], tasks.join("\n"));
        let codes: Vec<&str> = v["items"].split(';').collect();
        let names: Vec<String> = codes.iter().map(|c| format!("{c} {}", items[*c]["name"])).collect();
        assert_eq!(row["抽查事项"], names.join("\n"));
        let bases: Vec<String> = codes
            .iter()
            .map(|c| format!("{c}：{}", items[*c]["legal_basis"]))
            .collect();
        assert_eq!(row["检查依据"], bases.join("\n"));
        let methods: Vec<String> = codes.iter().map(|c| format!("{c}：{}", items[*c]["method"])).collect();
        assert_eq!(row["检查方式"], methods.join("\n"));
        let mates: Vec<String> = assignments
            .iter()
            .filter(|a| a["visit"] == v["visit"] && a["inspector_id"] != id)
            .map(|a| format!("{} ({})", a["inspector_name"], a["inspector_id"]))
            .collect();
        assert_eq!(row["同组人员"], mates.join("；"));
    }

    // `assignments` gives the same list, as CSV, JSON and a table.
    let dir = bundle.display().to_string();
    let run = spotcheck(["assignments", &dir, "--inspector", &id, "--format", "csv", "--bom"]);
    run.ok();
    let notice_text = String::from_utf8(std::fs::read(out.join(format!("{id}.csv"))).unwrap()).unwrap();
    assert_eq!(run.stdout, notice_text, "the notice is the CSV listing with a BOM");
    let run = spotcheck(["assignments", &dir, "--inspector", &id, "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&run.ok().stdout).unwrap();
    assert_eq!(json["inspector_id"], id.as_str());
    let json_visits = json["visits"].as_array().unwrap();
    assert_eq!(json_visits.len(), mine.len());
    for v in json_visits {
        let codes = visits[v["visit"].as_str().unwrap()]["items"].split(';').count();
        assert_eq!(v["items"].as_array().unwrap().len(), codes);
        assert!(!v["items"][0]["legal_basis"].as_str().unwrap().is_empty());
    }
    spotcheck(["assignments", &dir, "--inspector", &id]).ok().stdout_has(&[
        &format!("{id} "),
        &format!(": {} visits", mine.len()),
        "      task: ",
        "      item: ",
    ]);
    spotcheck(["assignments", &dir, "--inspector", "QDN-NOBODY"]).error(&["has no visit in this batch"]);
}

#[test]
fn the_calendar_parses_with_one_event_per_visit() {
    let w = Work::new();
    let bundle = joint_batch(&w);
    let out = w.out("notices");
    notices(&bundle, &out);
    let id = joint_inspector(&bundle);
    let visits: BTreeMap<String, BTreeMap<String, String>> = read_csv(&bundle.join("visits.csv"))
        .into_iter()
        .map(|v| (v["visit"].clone(), v))
        .collect();
    let mine: Vec<String> = read_csv(&bundle.join("assignments.csv"))
        .into_iter()
        .filter(|a| a["inspector_id"] == id)
        .map(|a| a["visit"].clone())
        .collect();

    let text = std::fs::read_to_string(out.join(format!("{id}.ics"))).unwrap();
    assert!(text.starts_with("BEGIN:VCALENDAR\r\n") && text.ends_with("END:VCALENDAR\r\n"));
    let calendar: icalendar::Calendar = text.parse().expect("parses as iCalendar");
    assert_eq!(calendar.components.len(), mine.len());
    let unfolded = unfold(&text);
    let parsed = read_calendar(&unfolded).unwrap();
    let prop = |c: &icalendar::parser::Component<'_>, name: &str| c.find_prop(name).unwrap().val.to_string();
    let mut seen = BTreeSet::new();
    for event in &parsed.components {
        assert_eq!(event.name.as_str(), "VEVENT");
        let desc = prop(event, "DESCRIPTION");
        let visit = mine
            .iter()
            .find(|v| desc.contains(&format!("检查编号：{v}\n")))
            .expect("the event names one of the inspector's visits");
        assert!(seen.insert(visit.clone()), "one event per visit");
        let v = &visits[visit];
        assert_eq!(prop(event, "DTSTART"), v["start"].replace('-', ""));
        let last = chrono::NaiveDate::parse_from_str(&v["end"], "%Y-%m-%d").unwrap();
        assert_eq!(
            prop(event, "DTEND"),
            last.succ_opt().unwrap().format("%Y%m%d").to_string()
        );
        for code in v["items"].split(';') {
            assert!(desc.contains(code), "{code} in the event of {visit}");
        }
        assert!(!prop(event, "LOCATION").is_empty());
    }
    assert_eq!(seen.len(), mine.len());
    for line in text.split("\r\n") {
        assert!(line.len() <= 75, "line longer than 75 octets: {line}");
    }
}

#[test]
fn the_workbook_has_six_sheets_with_the_right_rows() {
    let w = Work::new();
    let bundle = joint_batch(&w);
    let xlsx = w.out("joint.xlsx");
    let args = [
        "export".to_string(),
        bundle.display().to_string(),
        "--xlsx".into(),
        xlsx.display().to_string(),
    ];
    spotcheck(&args).ok().stdout_has(&["workbook written", "50 tasks"]);
    spotcheck(&args).error(&["already exists"]);

    let m = spotcheck::bundle::batch::read_batch_manifest(&bundle).unwrap();
    let mut book: Xlsx<_> = open_workbook(&xlsx).expect("open the workbook");
    assert_eq!(
        book.sheet_names(),
        ["计划", "事项", "抽查对象", "检查", "人员分配", "工作量"]
    );
    let data_rows = |book: &mut Xlsx<_>, sheet: &str| book.worksheet_range(sheet).unwrap().height() - 1;

    // The plan: a row per task in batch order, then the totals.
    let plan = book.worksheet_range("计划").unwrap();
    let ids: Vec<String> = plan
        .rows()
        .skip(1)
        .take(m.tasks.len())
        .map(|r| r[0].to_string())
        .collect();
    let expected: Vec<String> = m.tasks.iter().map(|t| t.id.clone()).collect();
    assert_eq!(ids, expected);
    let total = plan.rows().nth(m.tasks.len() + 1).unwrap();
    assert_eq!(total[0], Data::String("合计".into()));
    assert_eq!(total[8], Data::Float(m.totals.targets as f64), "k over all tasks");
    let first = plan.rows().nth(1).unwrap();
    assert!(matches!(first[4], Data::DateTime(_)), "windows are dates");
    assert_eq!(first[8], Data::Float(m.tasks[0].totals.targets as f64));

    assert_eq!(
        data_rows(&mut book, "事项"),
        read_csv(&repo().join("data/items.csv")).len()
    );
    assert_eq!(data_rows(&mut book, "抽查对象") as u64, m.totals.targets);
    assert_eq!(data_rows(&mut book, "检查") as u64, m.totals.visits);
    assert_eq!(
        data_rows(&mut book, "人员分配"),
        read_csv(&bundle.join("assignments.csv")).len()
    );
    assert_eq!(data_rows(&mut book, "工作量"), read_csv(&bundle.join("load.csv")).len());

    // Each target row names its task; codes stay text.
    let targets = book.worksheet_range("抽查对象").unwrap();
    let row = targets.rows().nth(1).unwrap();
    assert_eq!(row[0], Data::String(m.tasks[0].id.clone()));
    assert!(matches!(&row[4], Data::String(code) if code.len() == 18));
    let visits = book.worksheet_range("检查").unwrap();
    let joint = visits
        .rows()
        .skip(1)
        .filter(|r| matches!(r[6], Data::Float(n) if n > 1.0))
        .count() as u64;
    assert_eq!(joint, m.totals.joint_visits, "the task counts of the visits");
}

#[test]
fn a_changed_item_list_is_refused_and_a_missing_one_leaves_the_codes() {
    let w = Work::new();
    let original = std::fs::read_to_string(repo().join("data/items.csv")).unwrap();
    let items = w.write("items.csv", &original);
    let bundle = w.out("joint");
    let items_flag = items.display().to_string();
    draw(
        &repo().join("plans/joint-2025.toml"),
        "20250301-QDN",
        &bundle,
        &["--items", &items_flag],
    )
    .ok();
    let dir = bundle.display().to_string();

    std::fs::write(
        &items,
        original.replace("《排污许可管理条例》", "《排污许可管理条例》第十条"),
    )
    .unwrap();
    spotcheck(["notices", &dir, "--out", &w.out("changed").display().to_string()])
        .error(&["not the one the batch was drawn with"]);
    assert_no_output(&w.out("changed"));

    std::fs::remove_file(&items).unwrap();
    let out = w.out("notices");
    notices(&bundle, &out);
    let id = joint_inspector(&bundle);
    for row in read_csv(&out.join(format!("{id}.csv"))) {
        for line in row["抽查事项"].lines() {
            assert!(!line.contains(' '), "only the code without the item list: {line}");
        }
    }
    let xlsx = w.out("joint.xlsx");
    spotcheck(["export", &dir, "--xlsx", &xlsx.display().to_string()]).ok();
    let mut book: Xlsx<_> = open_workbook(&xlsx).unwrap();
    let sheet = book.worksheet_range("事项").unwrap();
    assert!(sheet.height() > 1, "the codes the tasks name");
    assert!(
        sheet
            .rows()
            .skip(1)
            .all(|r| r[1] == Data::Empty || r[1] == Data::String(String::new()))
    );
}
