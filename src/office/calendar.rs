//! An inspector's assignments as an iCalendar file (RFC 5545), to import
//! into a phone or desktop calendar.
//!
//! The file has one all-day VEVENT spanning the task window, whose
//! DESCRIPTION lists every firm to visit (code, name, county, the
//! directory's extra columns such as the address, team mates), and one
//! VTODO per firm (due on the window's last day, LOCATION the address
//! when known). Every calendar imports the event, so the full list is
//! there everywhere; clients with tasks (Thunderbird, Evolution, Apple
//! Reminders via CalDAV …) also get one checkable item per firm, and the
//! others (Google Calendar, iOS and Outlook imports) skip the VTODOs
//! without complaint. One VEVENT per firm would instead stack a bar per
//! firm on every day of a months-long window, since a visit has no date
//! of its own.
//!
//! The text is written here rather than with a calendar crate, to keep
//! the output byte-for-byte deterministic and under our control: TEXT
//! values escaped (`\\`, `\;`, `\,`, `\n`), content lines folded at 75
//! octets without splitting a UTF-8 character or an escape pair, CRLF
//! line ends. UIDs are derived from the task id, the inspector id and the
//! firm's code, and DTSTAMP is passed in, so the same listing gives the
//! same file.

use crate::bundle::manifest::tool_version;
use crate::office::listing::{Listing, Visit};
use crate::office::workbook::{extra_column_label, is_address_column};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use sha2::{Digest, Sha256};
use std::fmt::Write;

/// Octets a content line may take, excluding its CRLF (RFC 5545 §3.1).
pub const MAX_LINE_OCTETS: usize = 75;

/// Why a calendar could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IcsError {
    /// A task date is not a calendar date.
    #[error("the task's {field} date {value:?} is not a date (YYYY-MM-DD)")]
    BadDate { field: &'static str, value: String },
    /// The task window ends before it starts.
    #[error("the task window ends ({end}) before it starts ({start})")]
    EndBeforeStart { start: String, end: String },
    /// DTSTAMP is not a UTC date-time in basic form.
    #[error("DTSTAMP {0:?} is not a UTC date-time like 20250301T080000Z")]
    BadStamp(String),
}

/// A time as DTSTAMP wants it: UTC, basic form (`20250301T080000Z`).
pub fn dtstamp(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// The UID of the window event (`firm` = `None`) or of one firm's to-do:
/// a hash of task id, inspector id and firm code, so that re-importing
/// the same file updates rather than duplicates, and two inspectors'
/// files never collide in a shared calendar.
pub fn uid(task_id: &str, inspector_id: &str, firm: Option<&str>) -> String {
    let mut h = Sha256::new();
    let (kind, code) = match firm {
        None => ("window", ""),
        Some(code) => ("firm", code),
    };
    for part in ["spotcheck-ics/1", kind, task_id, inspector_id, code] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    let digest = h.finalize();
    format!("{}@spotcheck", hex::encode(&digest[..16]))
}

/// The iCalendar file of one inspector's listing. `dtstamp` is the
/// DTSTAMP of every component, a UTC time in basic form (see
/// [`dtstamp`]); passing it in keeps the output reproducible.
pub fn calendar(listing: &Listing, dtstamp: &str) -> Result<String, IcsError> {
    check_stamp(dtstamp)?;
    let Window { start, end, after_end } = window(&listing.start, &listing.end)?;

    let mut w = Writer::default();
    w.begin_calendar(&format!("{}（{}）", listing.task_name, listing.inspector_name));

    let window_uid = uid(&listing.task_id, &listing.inspector_id, None);
    w.raw("BEGIN", "VEVENT");
    w.raw("UID", &window_uid);
    w.raw("DTSTAMP", dtstamp);
    w.raw("DTSTART;VALUE=DATE", &start);
    w.raw("DTEND;VALUE=DATE", &after_end);
    w.text(
        "SUMMARY",
        &format!("{}：检查{}户企业", listing.task_name, listing.visits.len()),
    );
    w.text("DESCRIPTION", &window_description(listing));
    w.raw("TRANSP", "TRANSPARENT");
    w.raw("END", "VEVENT");

    for v in &listing.visits {
        w.raw("BEGIN", "VTODO");
        w.raw("UID", &uid(&listing.task_id, &listing.inspector_id, Some(&v.uscc)));
        w.raw("DTSTAMP", dtstamp);
        w.raw("DTSTART;VALUE=DATE", &start);
        w.raw("DUE;VALUE=DATE", &end);
        w.text("SUMMARY", &format!("检查：{}", v.name));
        if let Some(address) = address(v) {
            w.text("LOCATION", address);
        }
        w.text("DESCRIPTION", &todo_description(listing, v));
        w.raw("STATUS", "NEEDS-ACTION");
        w.raw("RELATED-TO", &window_uid);
        w.raw("END", "VTODO");
    }
    w.raw("END", "VCALENDAR");
    Ok(w.out)
}

/// An all-day window in iCalendar's basic date form: its first and last
/// day, and the day after (DTEND is exclusive).
pub(crate) struct Window {
    pub start: String,
    pub end: String,
    pub after_end: String,
}

/// The window from `start` to `end` (`YYYY-MM-DD`, inclusive).
pub(crate) fn window(start: &str, end: &str) -> Result<Window, IcsError> {
    let first = date("start", start)?;
    let last = date("end", end)?;
    if last < first {
        return Err(IcsError::EndBeforeStart {
            start: start.to_string(),
            end: end.to_string(),
        });
    }
    let after = last.succ_opt().ok_or_else(|| IcsError::BadDate {
        field: "end",
        value: end.to_string(),
    })?;
    Ok(Window {
        start: ics_date(first),
        end: ics_date(last),
        after_end: ics_date(after),
    })
}

pub(crate) fn check_stamp(s: &str) -> Result<(), IcsError> {
    let ok = s.len() == 16
        && s.ends_with('Z')
        && NaiveDateTime::parse_from_str(&s[..15], "%Y%m%dT%H%M%S").is_ok()
        && s[..15].bytes().all(|b| b.is_ascii_digit() || b == b'T');
    if ok {
        Ok(())
    } else {
        Err(IcsError::BadStamp(s.to_string()))
    }
}

fn date(field: &'static str, value: &str) -> Result<NaiveDate, IcsError> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| IcsError::BadDate {
        field,
        value: value.to_string(),
    })
}

fn ics_date(d: NaiveDate) -> String {
    d.format("%Y%m%d").to_string()
}

/// The firm's address, from the first address column that has one.
pub(crate) fn address(v: &Visit) -> Option<&str> {
    v.details
        .iter()
        .find(|(k, val)| is_address_column(k) && !val.trim().is_empty())
        .map(|(_, val)| val.as_str())
}

/// The firm's lines: code, county, details (address first), team.
pub(crate) fn firm_lines(out: &mut String, v: &Visit) {
    let _ = writeln!(out, "统一社会信用代码：{}", v.uscc);
    let _ = writeln!(out, "所属区县：{}", v.county);
    if let Some(a) = address(v) {
        let _ = writeln!(out, "地址：{a}");
    }
    for (k, val) in &v.details {
        if !is_address_column(k) && !val.trim().is_empty() {
            let _ = writeln!(out, "{}：{}", extra_column_label(k), val);
        }
    }
    let mates = if v.team_mates.is_empty() {
        "无".to_string()
    } else {
        v.team_mates.join("；")
    };
    let _ = writeln!(out, "同组人员：{mates}");
}

fn task_lines(out: &mut String, l: &Listing) {
    let _ = writeln!(out, "任务编号：{}", l.task_id);
    let _ = writeln!(out, "任务名称：{}", l.task_name);
    let _ = writeln!(out, "实施部门：{}", l.department);
    let _ = writeln!(out, "检查期限：{} 至 {}", l.start, l.end);
    let _ = writeln!(out, "执法人员：{}（{}）", l.inspector_name, l.inspector_id);
}

fn window_description(l: &Listing) -> String {
    let mut s = String::new();
    task_lines(&mut s, l);
    let _ = writeln!(s, "检查对象（{}户）：", l.visits.len());
    for (i, v) in l.visits.iter().enumerate() {
        let _ = writeln!(s, "\n{}. {}", i + 1, v.name);
        firm_lines(&mut s, v);
    }
    s.trim_end().to_string()
}

fn todo_description(l: &Listing, v: &Visit) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "企业名称：{}", v.name);
    firm_lines(&mut s, v);
    s.push('\n');
    task_lines(&mut s, l);
    s.trim_end().to_string()
}

/// Escapes a TEXT value (RFC 5545 §3.3.11). Line breaks of any kind
/// become `\n`; other control characters, which TEXT may not hold, are
/// dropped (a tab is kept).
fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push_str("\\n");
                }
            }
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds one content line (without its CRLF) into physical lines of at
/// most [`MAX_LINE_OCTETS`] octets, each continuation starting with a
/// space; never splits a UTF-8 character or a backslash escape.
fn fold_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 64 * 3);
    let mut used = 0;
    let mut chars = line.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let mut end = i + c.len_utf8();
        if c == '\\'
            && let Some((j, d)) = chars.next()
        {
            end = j + d.len_utf8();
        }
        let unit = &line[i..end];
        if used + unit.len() > MAX_LINE_OCTETS {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push_str(unit);
        used += unit.len();
    }
    out
}

/// Collects content lines, folded and CRLF-terminated.
#[derive(Default)]
pub(crate) struct Writer {
    pub out: String,
}

impl Writer {
    /// A property whose value is already in its wire form.
    pub fn raw(&mut self, name: &str, value: &str) {
        self.out.push_str(&fold_line(&format!("{name}:{value}")));
        self.out.push_str("\r\n");
    }

    /// A TEXT property.
    pub fn text(&mut self, name: &str, value: &str) {
        self.raw(name, &escape_text(value));
    }

    /// Opens the VCALENDAR with spotcheck's product id and the calendar's
    /// display name.
    pub fn begin_calendar(&mut self, name: &str) {
        self.raw("BEGIN", "VCALENDAR");
        self.text("PRODID", &format!("-//spotcheck//{}//ZH", tool_version()));
        self.raw("VERSION", "2.0");
        self.raw("CALSCALE", "GREGORIAN");
        self.text("X-WR-CALNAME", name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use icalendar::parser::{Component, read_calendar, unfold};
    use std::collections::BTreeMap;

    const STAMP: &str = "20250220T080000Z";

    fn visit(uscc: &str, name: &str, address: Option<&str>, mates: &[&str]) -> Visit {
        let mut details = BTreeMap::new();
        if let Some(a) = address {
            details.insert("address".to_string(), a.to_string());
            details.insert("registered_on".to_string(), "2021-03-28".to_string());
        }
        Visit {
            uscc: uscc.into(),
            name: name.into(),
            county: "凯里市".into(),
            slot: 1,
            details,
            team_mates: mates.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn listing() -> Listing {
        Listing {
            task_id: "QDN-2025-001".into(),
            task_name: "2025年度企业公示信息双随机抽查".into(),
            department: "黔东南州市场监督管理局".into(),
            start: "2025-03-01".into(),
            end: "2025-11-30".into(),
            inspector_id: "QDN-SJ-0420".into(),
            inspector_name: "邰明杰".into(),
            visits: vec![
                visit(
                    "91522601MAM43G6RXK",
                    "凯里市远锐装饰工程有限公司",
                    Some("贵州省黔东南州凯里市旁海镇中街388号"),
                    &["石文 (QDN-SJ-0128)"],
                ),
                visit(
                    "915226016175322770",
                    "凯里市金通超市有限公司,分店;一部\\二部",
                    Some("凯里市大十字街1号,2楼;\n后门"),
                    &["潘颖慧 (QDN-SJ-0002)", "龙伟杰 (QDN-SJ-0001)"],
                ),
                visit("93522601MA7KNDJA1Q", "凯里市凤博肉牛养殖专业合作社", None, &[]),
            ],
        }
    }

    fn parse(text: &str) -> icalendar::parser::Calendar<'static> {
        let unfolded: &'static str = Box::leak(unfold(text).into_boxed_str());
        read_calendar(unfolded).unwrap()
    }

    fn prop<'a>(c: &'a Component<'_>, name: &str) -> &'a str {
        c.find_prop(name)
            .unwrap_or_else(|| panic!("{} has no {name}", c.name.as_str()))
            .val
            .as_str()
    }

    fn param<'a>(c: &'a Component<'_>, name: &str, key: &str) -> Option<&'a str> {
        c.find_prop(name)?
            .params
            .iter()
            .find(|p| p.key.as_str() == key)
            .and_then(|p| p.val.as_ref())
            .map(|v| v.as_str())
    }

    #[test]
    fn parses_back_with_an_independent_parser() {
        let l = listing();
        let text = calendar(&l, STAMP).unwrap();
        let cal = parse(&text);
        let top: BTreeMap<&str, &str> = cal
            .properties
            .iter()
            .map(|p| (p.name.as_str(), p.val.as_str()))
            .collect();
        assert_eq!(top["VERSION"], "2.0");
        assert_eq!(top["CALSCALE"], "GREGORIAN");
        assert!(top["PRODID"].starts_with("-//spotcheck//spotcheck "));

        let names: Vec<&str> = cal.components.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["VEVENT", "VTODO", "VTODO", "VTODO"]);
        let ev = &cal.components[0];
        assert_eq!(prop(ev, "DTSTART"), "20250301");
        assert_eq!(param(ev, "DTSTART", "VALUE"), Some("DATE"));
        assert_eq!(
            prop(ev, "DTEND"),
            "20251201",
            "DTEND is exclusive: the day after the end"
        );
        assert_eq!(param(ev, "DTEND", "VALUE"), Some("DATE"));
        assert_eq!(prop(ev, "DTSTAMP"), STAMP);
        assert_eq!(prop(ev, "SUMMARY"), "2025年度企业公示信息双随机抽查：检查3户企业");
        assert_eq!(prop(ev, "TRANSP"), "TRANSPARENT");

        // The parser unescapes TEXT: what comes back is exactly what went in.
        let desc = prop(ev, "DESCRIPTION");
        assert_eq!(desc, window_description(&l));
        assert!(desc.contains("\n1. 凯里市远锐装饰工程有限公司\n统一社会信用代码：91522601MAM43G6RXK\n"));
        assert!(desc.contains("地址：贵州省黔东南州凯里市旁海镇中街388号\n成立日期：2021-03-28\n"));
        assert!(desc.contains("同组人员：潘颖慧 (QDN-SJ-0002)；龙伟杰 (QDN-SJ-0001)"));
        assert!(desc.contains("凯里市金通超市有限公司,分店;一部\\二部"));
        assert!(desc.ends_with("同组人员：无"));

        let todo = &cal.components[2];
        assert_eq!(prop(todo, "SUMMARY"), "检查：凯里市金通超市有限公司,分店;一部\\二部");
        assert_eq!(prop(todo, "LOCATION"), "凯里市大十字街1号,2楼;\n后门");
        assert_eq!(prop(todo, "DTSTART"), "20250301");
        assert_eq!(prop(todo, "DUE"), "20251130", "due on the window's last day");
        assert_eq!(param(todo, "DUE", "VALUE"), Some("DATE"));
        assert_eq!(prop(todo, "RELATED-TO"), prop(ev, "UID"));
        assert!(prop(todo, "DESCRIPTION").starts_with("企业名称：凯里市金通超市有限公司,分店;一部\\二部\n"));
        assert!(
            cal.components[3].find_prop("LOCATION").is_none(),
            "no address, no LOCATION"
        );

        let uids: std::collections::BTreeSet<&str> = cal.components.iter().map(|c| prop(c, "UID")).collect();
        assert_eq!(uids.len(), 4);
        assert_eq!(
            prop(todo, "UID"),
            uid("QDN-2025-001", "QDN-SJ-0420", Some("915226016175322770"))
        );
    }

    #[test]
    fn lines_are_crlf_and_folded_at_75_octets() {
        let mut l = listing();
        // A long Chinese address: one logical DESCRIPTION line of well over
        // a thousand octets, with three-octet characters throughout.
        l.visits[0]
            .details
            .insert("address".into(), "贵州省黔东南苗族侗族自治州".repeat(20));
        let text = calendar(&l, STAMP).unwrap();
        assert!(text.ends_with("\r\n"));
        assert!(!text.replace("\r\n", "").contains('\n'), "no bare LF");
        assert!(!text.replace("\r\n", "").contains('\r'), "no bare CR");
        let lines: Vec<&str> = text.trim_end_matches("\r\n").split("\r\n").collect();
        let mut folded = 0;
        for (i, line) in lines.iter().enumerate() {
            assert!(
                line.len() <= MAX_LINE_OCTETS,
                "line {i} has {} octets: {line}",
                line.len()
            );
            assert!(!line.is_empty());
            if line.starts_with(' ') {
                folded += 1;
                // The line before did not end inside an escape pair.
                let prev = lines[i - 1];
                let trailing = prev.bytes().rev().take_while(|&b| b == b'\\').count();
                assert_eq!(trailing % 2, 0, "escape split across a fold: {prev}");
            }
        }
        assert!(
            folded > 20,
            "the long description is folded ({folded} continuation lines)"
        );
        // Lines are filled: a folded line that ends early only does so
        // because the next character would not fit.
        let long: Vec<&str> = lines.iter().copied().filter(|x| x.len() >= 73).collect();
        assert!(!long.is_empty());
        // Unfolding gives back the logical DESCRIPTION.
        let cal = parse(&text);
        let desc = prop(&cal.components[0], "DESCRIPTION");
        assert!(desc.contains(&"贵州省黔东南苗族侗族自治州".repeat(20)));
        assert_eq!(desc, window_description(&l));
    }

    #[test]
    fn folding_boundaries() {
        let exact = "X".repeat(75);
        assert_eq!(fold_line(&exact), exact);
        let over = "X".repeat(76);
        assert_eq!(fold_line(&over), format!("{}\r\n X", "X".repeat(75)));
        // 74 ASCII octets then a 3-octet character: it moves to the next line.
        let s = format!("{}中文", "a".repeat(74));
        assert_eq!(fold_line(&s), format!("{}\r\n 中文", "a".repeat(74)));
        // An escape pair at the boundary stays together.
        let s = format!("{}\\,b", "a".repeat(74));
        assert_eq!(fold_line(&s), format!("{}\r\n \\,b", "a".repeat(74)));
        // Continuation lines hold 74 octets after their space.
        let s = "字".repeat(60);
        let folded = fold_line(&s);
        let parts: Vec<&str> = folded.split("\r\n").collect();
        assert_eq!(parts[0].len(), 75);
        assert_eq!(parts[1].len(), 1 + 72);
        assert_eq!(parts.concat().replace(' ', ""), s);
    }

    #[test]
    fn escaping() {
        assert_eq!(escape_text(r"a\b;c,d"), r"a\\b\;c\,d");
        assert_eq!(escape_text("一\n二\r\n三\r四"), r"一\n二\n三\n四");
        assert_eq!(escape_text("tab\there\u{7}bell"), "tab\therebell");
        assert_eq!(escape_text("全角，；：不转义"), "全角，；：不转义");
        assert_eq!(escape_text("冒号:保留"), "冒号:保留");
    }

    #[test]
    fn dates_at_month_year_and_leap_boundaries() {
        let cases = [
            ("2025-12-01", "2025-12-31", "20251201", "20260101", "20251231"),
            ("2024-02-01", "2024-02-28", "20240201", "20240229", "20240228"),
            ("2024-02-29", "2024-02-29", "20240229", "20240301", "20240229"),
            ("2025-02-01", "2025-02-28", "20250201", "20250301", "20250228"),
        ];
        for (start, end, dtstart, dtend, due) in cases {
            let mut l = listing();
            l.start = start.into();
            l.end = end.into();
            let text = calendar(&l, STAMP).unwrap();
            let cal = parse(&text);
            assert_eq!(prop(&cal.components[0], "DTSTART"), dtstart);
            assert_eq!(prop(&cal.components[0], "DTEND"), dtend, "{start}..{end}");
            assert_eq!(prop(&cal.components[1], "DUE"), due);
        }
    }

    #[test]
    fn bad_inputs_are_typed_errors() {
        let mut l = listing();
        l.end = "2025-02-30".into();
        assert_eq!(
            calendar(&l, STAMP),
            Err(IcsError::BadDate {
                field: "end",
                value: "2025-02-30".into()
            })
        );
        let mut l = listing();
        l.end = "2025-02-01".into();
        assert!(matches!(calendar(&l, STAMP), Err(IcsError::EndBeforeStart { .. })));
        for bad in [
            "2025-02-20T08:00:00Z",
            "20250220T080000",
            "20251320T080000Z",
            "2025022XT080000Z",
        ] {
            assert_eq!(calendar(&listing(), bad), Err(IcsError::BadStamp(bad.into())));
        }
    }

    #[test]
    fn deterministic_and_per_inspector() {
        let l = listing();
        assert_eq!(calendar(&l, STAMP).unwrap(), calendar(&l, STAMP).unwrap());
        let mut other = l.clone();
        other.inspector_id = "QDN-SJ-0128".into();
        assert_ne!(
            uid(&l.task_id, &l.inspector_id, None),
            uid(&other.task_id, &other.inspector_id, None)
        );
        assert_ne!(
            uid("T", "I", None),
            uid("T", "I", Some("")),
            "window and firm UIDs differ"
        );
        assert_ne!(uid("AB", "C", None), uid("A", "BC", None), "parts are length-prefixed");
        let t = chrono::DateTime::parse_from_rfc3339("2025-02-20T16:00:00+08:00").unwrap();
        assert_eq!(dtstamp(t.with_timezone(&Utc)), STAMP);
    }

    #[test]
    fn calendar_of_a_drawn_bundle() {
        let dir = tempfile::tempdir().unwrap();
        let view = crate::office::workbook::tests::demo_bundle(dir.path(), true);
        let extras = view.firm_extras();
        let id = view.inspectors().keys().next().unwrap().clone();
        let l = crate::office::listing::listing(&view, &id, &extras).unwrap();
        let text = calendar(&l, STAMP).unwrap();
        let cal = parse(&text);
        let todos: Vec<&Component> = cal.components.iter().filter(|c| c.name.as_str() == "VTODO").collect();
        assert_eq!(todos.len(), l.visits.len());
        assert_eq!(prop(&cal.components[0], "DTEND"), "20251201");
        for (t, v) in todos.iter().zip(&l.visits) {
            assert!(prop(t, "DESCRIPTION").contains(&v.uscc));
            assert_eq!(Some(prop(t, "LOCATION")), address(v));
        }
        assert!(text.split("\r\n").all(|line| line.len() <= MAX_LINE_OCTETS));
    }
}
