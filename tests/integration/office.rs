//! What the office receives: the Excel workbook and the calendar files.

use crate::util::*;
use calamine::{Data, Reader, Xlsx, open_workbook};

#[test]
fn export_writes_a_workbook_with_the_expected_sheets_and_rows() {
    let b = repo().join("plans/demo.toml");
    let w = Work::new();
    let bundle = w.out("demo");
    draw(&b, "office", &bundle, &[]).ok();
    let xlsx = w.out("demo.xlsx");
    let args = [
        "export".to_string(),
        bundle.display().to_string(),
        "--xlsx".into(),
        xlsx.display().to_string(),
    ];
    spotcheck(&args).ok().stdout_has(&["workbook written"]);
    spotcheck(&args).error(&["already exists"]);

    let m = manifest(&bundle);
    let mut book: Xlsx<_> = open_workbook(&xlsx).expect("open the workbook");
    assert_eq!(
        book.sheet_names(),
        ["任务信息", "抽查对象", "检查组", "人员工作量", "分层汇总"]
    );
    let targets = book.worksheet_range("抽查对象").unwrap();
    assert_eq!(targets.height() as u64, m.totals.targets + 1);
    // Codes and tickets stay text; ranks are numbers.
    let row = targets.rows().nth(1).unwrap();
    assert!(matches!(&row[3], Data::String(code) if code.len() == 18));
    assert!(matches!(&row[2], Data::String(t) if t.starts_with("0.") && t.len() > 60));
    assert!(matches!(row[1], Data::Float(_) | Data::Int(_)));
    let teams = book.worksheet_range("检查组").unwrap();
    assert_eq!(teams.height() as u64, m.teams.as_ref().unwrap().assignments + 1);
    let load = book.worksheet_range("人员工作量").unwrap();
    assert_eq!(load.height() as u64, m.teams.as_ref().unwrap().inspectors_used + 1);
}

#[test]
fn notices_include_calendars_that_parse() {
    let w = Work::new();
    let bundle = w.out("demo");
    draw(&repo().join("plans/demo.toml"), "calendar", &bundle, &[]).ok();
    let out = w.out("notices");
    spotcheck([
        "notices",
        &bundle.display().to_string(),
        "--out",
        &out.display().to_string(),
    ])
    .ok();
    let first = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "ics"))
        .expect("an .ics file");
    let text = std::fs::read_to_string(&first).unwrap();
    assert!(text.starts_with("BEGIN:VCALENDAR\r\n") && text.ends_with("END:VCALENDAR\r\n"));
    let calendar: icalendar::Calendar = text.parse().expect("parses as iCalendar");
    assert!(!calendar.components.is_empty());
    assert!(text.contains("DTSTART;VALUE=DATE:20250301"));
    for line in text.split("\r\n") {
        assert!(line.len() <= 75, "line longer than 75 octets: {line}");
    }
}
