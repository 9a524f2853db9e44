//! An inspector's visits over a batch as an iCalendar file (RFC 5545):
//! one all-day VEVENT per visit, spanning the visit's window, with the
//! firm's address as LOCATION and, in DESCRIPTION, the firm, the window,
//! the visit's tasks, its items (name, legal basis, method) and the
//! co-inspectors.
//!
//! A batch's visits have windows of their own (a joint visit's is the
//! overlap of its tasks' windows), so each is an event, marked TRANSPARENT
//! so that a months-long window does not show the inspector as busy. The
//! lines are written, escaped and folded as [`crate::office::calendar`]
//! writes a plan's; UIDs come from the batch id, the inspector id and the
//! visit id, so that the same bundle gives the same file and re-importing
//! it updates the events.

use crate::office::batch_listing::{BatchListing, BatchVisit};
use crate::office::calendar::{IcsError, Window, Writer, address, check_stamp, firm_lines, uid, window};
use std::fmt::Write;

/// The iCalendar file of one inspector's batch listing; `dtstamp` as
/// [`crate::office::calendar::calendar`] takes it.
pub fn batch_calendar(l: &BatchListing, dtstamp: &str) -> Result<String, IcsError> {
    check_stamp(dtstamp)?;
    let mut w = Writer::default();
    w.begin_calendar(&format!("{}（{}）", l.batch_name, l.inspector_name));
    for v in &l.visits {
        let Window { start, after_end, .. } = window(&v.start, &v.end)?;
        w.raw("BEGIN", "VEVENT");
        w.raw("UID", &uid(&l.batch_id, &l.inspector_id, Some(&v.visit)));
        w.raw("DTSTAMP", dtstamp);
        w.raw("DTSTART;VALUE=DATE", &start);
        w.raw("DTEND;VALUE=DATE", &after_end);
        w.text("SUMMARY", &summary(v));
        if let Some(a) = address(&v.firm) {
            w.text("LOCATION", a);
        }
        w.text("DESCRIPTION", &visit_description(l, v));
        w.raw("TRANSP", "TRANSPARENT");
        w.raw("END", "VEVENT");
    }
    w.raw("END", "VCALENDAR");
    Ok(w.out)
}

fn summary(v: &BatchVisit) -> String {
    match v.tasks.len() {
        0 | 1 => format!("检查：{}", v.firm.name),
        n => format!("联合检查：{}（{}项任务）", v.firm.name, n),
    }
}

/// The visit's lines: the firm, the window, tasks, items, the inspector.
pub(crate) fn visit_description(l: &BatchListing, v: &BatchVisit) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "企业名称：{}", v.firm.name);
    firm_lines(&mut s, &v.firm);
    let _ = writeln!(s, "检查期限：{} 至 {}", v.start, v.end);
    let _ = writeln!(s, "检查编号：{}", v.visit);
    let _ = writeln!(s, "\n抽查任务（{}项）：", v.tasks.len());
    for t in &v.tasks {
        let _ = writeln!(s, "{} {}（{}）", t.id, t.name, t.department);
    }
    let _ = writeln!(s, "\n抽查事项（{}项）：", v.items.len());
    for (n, i) in v.items.iter().enumerate() {
        let _ = writeln!(s, "{}. {} {}", n + 1, i.code, i.name);
        if !i.legal_basis.is_empty() {
            let _ = writeln!(s, "检查依据：{}", i.legal_basis);
        }
        if !i.method.is_empty() {
            let _ = writeln!(s, "检查方式：{}", i.method);
        }
    }
    let _ = writeln!(
        s,
        "\n执法人员：{}（{}），{}，组内序号{}",
        l.inspector_name, l.inspector_id, v.department, v.firm.slot
    );
    let _ = writeln!(s, "批次：{} {}", l.batch_id, l.batch_name);
    s.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::office::batch_listing::tests::listing;
    use crate::office::calendar::MAX_LINE_OCTETS;
    use icalendar::parser::{Component, read_calendar, unfold};

    const STAMP: &str = "20250101T000000Z";

    fn prop<'a>(c: &'a Component<'_>, name: &str) -> &'a str {
        c.find_prop(name)
            .unwrap_or_else(|| panic!("{} has no {name}", c.name.as_str()))
            .val
            .as_str()
    }

    #[test]
    fn one_event_per_visit_over_its_window() {
        let l = listing();
        let text = batch_calendar(&l, STAMP).unwrap();
        let unfolded = unfold(&text);
        let cal = read_calendar(&unfolded).unwrap();
        let names: Vec<&str> = cal.components.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["VEVENT", "VEVENT"]);
        let (a, b) = (&cal.components[0], &cal.components[1]);
        assert_eq!(prop(a, "DTSTART"), "20250301");
        assert_eq!(prop(a, "DTEND"), "20250501", "exclusive: the day after 2025-04-30");
        assert_eq!(prop(b, "DTSTART"), "20250901");
        assert_eq!(prop(b, "DTEND"), "20251016");
        assert_eq!(prop(a, "SUMMARY"), "联合检查：凯里市远锐食品有限公司（2项任务）");
        assert_eq!(prop(b, "SUMMARY"), "检查：凯里市金通超市有限公司");
        assert_eq!(prop(a, "LOCATION"), "凯里市大十字街1号,2楼");
        assert!(b.find_prop("LOCATION").is_none());
        assert_eq!(prop(a, "TRANSP"), "TRANSPARENT");
        assert_ne!(prop(a, "UID"), prop(b, "UID"));
        assert_eq!(
            prop(a, "UID"),
            uid("QDN-2025-LH", "QDN-SJ-0420", Some("91522601MAM43G6RXK:QDN-2025-LH-001"))
        );
        let desc = prop(a, "DESCRIPTION");
        assert_eq!(desc, visit_description(&l, &l.visits[0]));
        assert!(desc.starts_with("企业名称：凯里市远锐食品有限公司\n统一社会信用代码：91522601MAM43G6RXK\n"));
        assert!(desc.contains("地址：凯里市大十字街1号,2楼\n"));
        assert!(desc.contains("同组人员：石文 (QDN-SJ-0128)；王芳 (QDN-WJ-0007)\n"));
        assert!(desc.contains("检查期限：2025-03-01 至 2025-04-30\n"));
        assert!(desc.contains("QDN-2025-LH-007 公共场所卫生抽查（黔东南州卫生健康局）\n"));
        assert!(desc.contains(
            "1. SJ-SP-01 食品生产企业监督检查\n检查依据：《中华人民共和国食品安全法》第一百一十条\n检查方式：实地检查、抽样检验\n"
        ));
        assert!(desc.contains("执法人员：邰明杰（QDN-SJ-0420），市场监管局，组内序号2"));
        for line in text.split("\r\n") {
            assert!(line.len() <= MAX_LINE_OCTETS, "{line}");
        }
        assert_eq!(text, batch_calendar(&l, STAMP).unwrap(), "deterministic");
    }

    #[test]
    fn a_bad_window_is_a_typed_error() {
        let mut l = listing();
        l.visits[1].end = "2025-08-01".into();
        assert!(matches!(
            batch_calendar(&l, STAMP),
            Err(IcsError::EndBeforeStart { .. })
        ));
        assert!(matches!(batch_calendar(&listing(), "2025"), Err(IcsError::BadStamp(_))));
    }
}
