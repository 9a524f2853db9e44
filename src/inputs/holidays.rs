//! The holiday calendar (节假日安排) and working-day arithmetic: which days
//! are working days in mainland China, as the State Council's yearly
//! notice (国务院办公厅关于XXXX年部分节假日安排的通知) sets them, and the
//! n-th working day after a date, by which the deadlines to publish
//! results and to list a firm as abnormal run.
//!
//! A calendar is a CSV file (SPEC-calendar.md): one row per day the notice
//! names, `休` (a day off) or `班` (a weekend day worked, 调休上班), and a
//! `# source YEAR: NOTICE` line for every year it covers. A day of a year
//! no source line names is never guessed: it is a [`MissingYear`] error.
//! The calendar `calendars/cn.csv` is built into the program
//! ([`HolidayCalendar::shipped`]).

use crate::base::error::InputError;
use crate::inputs::history::parse_date;
use crate::inputs::table::{Column, RawFile, Table, TextEncoding, UTF8_BOM};
use chrono::{Datelike, NaiveDate, Weekday};
use std::collections::BTreeMap;

/// Columns of a holiday calendar.
pub const COLUMNS: &[Column] = &[
    Column {
        name: "date",
        aliases: &["日期"],
        required: true,
    },
    Column {
        name: "day",
        aliases: &["类型", "安排"],
        required: true,
    },
    Column {
        name: "name",
        aliases: &["名称", "节日"],
        required: false,
    },
];

/// Words for a day off (休): a public holiday, or a weekend day inside one.
pub const REST_WORDS: &[&str] = &["休", "rest"];
/// Words for a make-up working day (班, 调休上班), always a weekend day.
pub const WORK_WORDS: &[&str] = &["班", "work"];

/// The path the built-in calendar goes by.
pub const SHIPPED_PATH: &str = "calendars/cn.csv";

/// The bytes of the built-in calendar.
const SHIPPED: &[u8] = include_bytes!("../../calendars/cn.csv");

/// The GB18030 byte-order mark, kept in front of a first line that is a
/// comment.
const GB18030_BOM: &[u8] = b"\x84\x31\x95\x33";

/// What the notice makes of a day it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayKind {
    /// 休: a day off.
    Rest,
    /// 班: a Saturday or Sunday that is a working day.
    Work,
}

/// A day a calendar names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarDay {
    pub kind: DayKind,
    /// The holiday it belongs to (春节, …); may be empty.
    pub name: String,
}

/// The working days of the years a calendar covers.
#[derive(Debug, Clone)]
pub struct HolidayCalendar {
    /// The file as the user named it ([`SHIPPED_PATH`] for the built-in
    /// one).
    pub path: String,
    /// Whether this is the calendar built into the program.
    pub built_in: bool,
    /// hexlower(SHA-256) of the file's bytes as stored.
    pub sha256: String,
    /// The encoding the file was read with.
    pub encoding: TextEncoding,
    /// The source (the notice) of each year covered.
    sources: BTreeMap<i32, String>,
    /// The days named, 休 or 班.
    days: BTreeMap<NaiveDate, CalendarDay>,
}

/// A date of a year the calendar does not cover: working days are never
/// guessed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the holiday calendar {calendar} does not cover {year} (it covers {}); working days are never guessed: \
     add the State Council's notice for {year} (国务院办公厅关于{year}年部分节假日安排的通知) to a calendar file \
     and give it with --calendar",
    covered_list(.covered)
)]
pub struct MissingYear {
    /// The year not covered.
    pub year: i32,
    /// The years the calendar covers.
    pub covered: Vec<i32>,
    /// The calendar, as the message names it.
    pub calendar: String,
}

fn covered_list(years: &[i32]) -> String {
    if years.is_empty() {
        return "no year".into();
    }
    years.iter().map(i32::to_string).collect::<Vec<_>>().join(", ")
}

/// A line of the file whose first character is `#`.
struct Comment {
    /// 1-based line number.
    line: u64,
    /// Its bytes after the `#`, as stored (not yet decoded).
    text: Vec<u8>,
}

impl HolidayCalendar {
    /// The calendar built into the program: `calendars/cn.csv`.
    pub fn shipped() -> HolidayCalendar {
        let file = RawFile::from_bytes(SHIPPED_PATH.into(), SHIPPED.to_vec());
        let mut calendar = HolidayCalendar::parse(file, TextEncoding::Utf8).expect("the built-in calendar is valid");
        calendar.built_in = true;
        calendar
    }

    /// Parses a calendar file (SPEC-calendar.md). The first error found
    /// is returned: errors in rows, in file order; then errors of source
    /// lines, in file order; then the first row of a year without a
    /// source line; then the earliest year without a row.
    pub fn parse(file: RawFile, encoding: TextEncoding) -> Result<HolidayCalendar, InputError> {
        if file.sheet.is_some() {
            return Err(InputError::file(
                &file.display,
                "a holiday calendar is a CSV file, not a workbook (its # source lines have no place in a sheet); \
                 save it as CSV",
            ));
        }
        let path = file.display.clone();
        let sha256 = file.sha256();
        let (blanked, comments) = strip_comments(&file.bytes);
        let mut days: BTreeMap<NaiveDate, (u64, CalendarDay)> = BTreeMap::new();
        let table = Table::read(
            RawFile::from_bytes(path.clone(), blanked),
            encoding,
            COLUMNS,
            |table, row| {
                let field = |i: usize, msg: String| InputError::field(&table.path, row.line, COLUMNS[i].name, msg);
                let text = table.get(row, 0);
                let date = parse_date(text).ok_or_else(|| {
                    field(
                        0,
                        format!(
                            "{text:?} is not a date; expected YYYY-MM-DD (or YYYY/MM/DD; month and day may have \
                             one digit)"
                        ),
                    )
                })?;
                let word = table.get(row, 1);
                let kind = day_kind(word).ok_or_else(|| {
                    field(
                        1,
                        format!(
                            "{word:?} is neither 休 (a day off; also rest) nor 班 (a weekend day worked, 调休上班; \
                             also work)"
                        ),
                    )
                })?;
                if kind == DayKind::Work && !is_weekend(date) {
                    return Err(field(
                        1,
                        format!(
                            "{date} is a {}, but a make-up working day (班) is always a Saturday or a Sunday; \
                             a Monday to Friday is a working day unless it is 休",
                            weekday_name(date.weekday())
                        ),
                    ));
                }
                if let Some((first, _)) = days.get(&date) {
                    return Err(field(
                        0,
                        format!("{date} is listed twice, on lines {first} and {}", row.line),
                    ));
                }
                let name = table.get(row, 2).to_string();
                days.insert(date, (row.line, CalendarDay { kind, name }));
                Ok(())
            },
        )?;
        let encoding = table.header.encoding;
        let sources = read_sources(&path, encoding, &comments)?;
        if sources.is_empty() {
            return Err(InputError::file(
                &path,
                "no source line; a calendar covers a year only through a line `# source YEAR: NOTICE` naming the \
                 State Council's notice it copies",
            ));
        }
        let uncovered = days
            .iter()
            .filter(|(date, _)| !sources.contains_key(&date.year()))
            .min_by_key(|(_, (line, _))| *line);
        if let Some((date, (line, _))) = uncovered {
            let year = date.year();
            let covered: Vec<i32> = sources.keys().copied().collect();
            return Err(InputError::field(
                &path,
                *line,
                COLUMNS[0].name,
                format!(
                    "{date} is in {year}, a year without a source line; add `# source {year}: NOTICE` naming the \
                     State Council's notice for {year} (the file covers {})",
                    covered_list(&covered)
                ),
            ));
        }
        for (year, (line, _)) in &sources {
            if !days.keys().any(|d| d.year() == *year) {
                return Err(InputError::line(
                    &path,
                    *line,
                    format!("{year} has a source line but no day; list every 休 and 班 day of its notice"),
                ));
            }
        }
        Ok(HolidayCalendar {
            path,
            built_in: false,
            sha256,
            encoding,
            sources: sources.into_iter().map(|(y, (_, s))| (y, s)).collect(),
            days: days.into_iter().map(|(d, (_, day))| (d, day)).collect(),
        })
    }

    /// The years covered, in order, each with its source (the notice).
    pub fn years(&self) -> Vec<(i32, String)> {
        self.sources.iter().map(|(y, s)| (*y, s.clone())).collect()
    }

    /// Whether the calendar covers `year`.
    pub fn covers(&self, year: i32) -> bool {
        self.sources.contains_key(&year)
    }

    /// The day the calendar names on `date`, if any (most dates are
    /// ordinary weekdays and weekends, which it does not name).
    pub fn day(&self, date: NaiveDate) -> Option<&CalendarDay> {
        self.days.get(&date)
    }

    /// Every day the calendar names, in date order.
    pub fn days(&self) -> impl Iterator<Item = (NaiveDate, &CalendarDay)> + '_ {
        self.days.iter().map(|(d, day)| (*d, day))
    }

    /// The calendar as a message names it.
    pub fn describe(&self) -> String {
        if self.built_in {
            format!("{} (built in)", self.path)
        } else {
            self.path.clone()
        }
    }

    /// Whether `date` is a working day: a Monday to Friday not named 休,
    /// or a day named 班. An error when its year is not covered.
    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, MissingYear> {
        if !self.covers(date.year()) {
            return Err(self.missing(date.year()));
        }
        Ok(match self.days.get(&date).map(|d| d.kind) {
            Some(DayKind::Rest) => false,
            Some(DayKind::Work) => true,
            None => !is_weekend(date),
        })
    }

    /// The `n`-th working day after `from`: `from` itself never counts,
    /// and `n` = 0 gives `from`. Every day after `from` up to the result
    /// must be of a covered year; the first that is not is the error.
    pub fn add_working_days(&self, from: NaiveDate, n: u32) -> Result<NaiveDate, MissingYear> {
        let mut date = from;
        let mut counted = 0;
        while counted < n {
            // A covered year has four digits: the last date of chrono is far
            // beyond any, and is never reached.
            date = date.succ_opt().ok_or_else(|| self.missing(date.year() + 1))?;
            if self.is_working_day(date)? {
                counted += 1;
            }
        }
        Ok(date)
    }

    fn missing(&self, year: i32) -> MissingYear {
        MissingYear {
            year,
            covered: self.sources.keys().copied().collect(),
            calendar: self.describe(),
        }
    }
}

fn day_kind(word: &str) -> Option<DayKind> {
    let lower = word.to_ascii_lowercase();
    if REST_WORDS.contains(&lower.as_str()) {
        Some(DayKind::Rest)
    } else if WORK_WORDS.contains(&lower.as_str()) {
        Some(DayKind::Work)
    } else {
        None
    }
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

/// The file with every comment line made empty, its line breaks kept (so
/// that the table reader, which skips empty lines, numbers the other
/// lines as in the file), and the comments. A line is what lies between
/// line breaks (CR, LF, CRLF); it is a comment when its first character is
/// `#`, after a byte-order mark on the first line (which is kept). Lines
/// are numbered as the table reader numbers them: 1 + the LFs before.
fn strip_comments(bytes: &[u8]) -> (Vec<u8>, Vec<Comment>) {
    let mut out = Vec::with_capacity(bytes.len());
    let mut comments = Vec::new();
    let mut line = 1;
    let mut start = 0;
    while start <= bytes.len() {
        let end = bytes[start..]
            .iter()
            .position(|&b| matches!(b, b'\r' | b'\n'))
            .map_or(bytes.len(), |i| start + i);
        let text = &bytes[start..end];
        let bom = if start == 0 {
            [UTF8_BOM, GB18030_BOM]
                .into_iter()
                .find(|bom| text.starts_with(bom))
                .map_or(0, <[u8]>::len)
        } else {
            0
        };
        if text.get(bom) == Some(&b'#') {
            out.extend_from_slice(&text[..bom]);
            comments.push(Comment {
                line,
                text: text[bom + 1..].to_vec(),
            });
        } else {
            out.extend_from_slice(text);
        }
        if end == bytes.len() {
            break;
        }
        out.push(bytes[end]);
        if bytes[end] == b'\n' {
            line += 1;
        }
        start = end + 1;
    }
    (out, comments)
}

/// The source lines among the comments, by year, each with its line:
/// `# source YEAR: TEXT`. A comment whose first word (after white space)
/// is `source`, in any ASCII case, is a source line and must be so
/// written; any other comment is ignored, but must be valid text.
fn read_sources(
    path: &str,
    encoding: TextEncoding,
    comments: &[Comment],
) -> Result<BTreeMap<i32, (u64, String)>, InputError> {
    let mut sources: BTreeMap<i32, (u64, String)> = BTreeMap::new();
    for comment in comments {
        let text = decode(path, encoding, comment)?;
        let Some((year, notice)) = source_line(&text) else {
            continue;
        };
        let bad = |message: String| InputError::line(path, comment.line, message);
        let expected = "expected `# source YEAR: NOTICE`, YEAR four digits (as 2026) and NOTICE the State Council's \
                        notice for that year";
        let year = year.map_err(|written| bad(format!("{written:?} is not a year; {expected}")))?;
        let notice = notice.ok_or_else(|| bad(format!("no notice after the year; {expected}")))?;
        if let Some(c) = notice.chars().find(|c| c.is_control() && *c != '\t') {
            return Err(bad(format!(
                "the notice holds the control character U+{:04X}",
                u32::from(c)
            )));
        }
        if let Some((first, _)) = sources.get(&year) {
            return Err(bad(format!(
                "{year} has two source lines, on lines {first} and {}",
                comment.line
            )));
        }
        sources.insert(year, (comment.line, notice.to_string()));
    }
    Ok(sources)
}

/// A comment's text (after the `#`) in the file's encoding.
fn decode(path: &str, encoding: TextEncoding, comment: &Comment) -> Result<String, InputError> {
    let text = if encoding == TextEncoding::Gb18030 {
        encoding_rs::GB18030
            .decode_without_bom_handling_and_without_replacement(&comment.text)
            .map(|t| t.into_owned())
    } else {
        String::from_utf8(comment.text.clone()).ok()
    };
    text.ok_or_else(|| {
        InputError::line(
            path,
            comment.line,
            format!("not valid {} text; check the file's encoding", encoding.name()),
        )
    })
}

/// A source line's year (or what stands in its place) and notice, when
/// `text` (a comment after its `#`) is a source line.
type Source<'a> = (Result<i32, &'a str>, Option<&'a str>);

fn source_line(text: &str) -> Option<Source<'_>> {
    let rest = text.trim_start();
    let word_end = rest.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(rest.len());
    if !rest[..word_end].eq_ignore_ascii_case("source") {
        return None;
    }
    let rest = rest[word_end..].trim_start();
    let (year, notice) = match rest.split_once([':', '：']) {
        Some((year, notice)) => (year.trim_end(), Some(notice.trim()).filter(|n| !n.is_empty())),
        None => (rest.trim_end(), None),
    };
    let parsed = if year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit()) {
        year.parse().map_err(|_| year)
    } else {
        Err(year)
    };
    Some((parsed, notice))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::sha256::sha256_hex;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn parse(text: &str) -> Result<HolidayCalendar, InputError> {
        parse_bytes(text.as_bytes().to_vec())
    }

    fn parse_bytes(bytes: Vec<u8>) -> Result<HolidayCalendar, InputError> {
        HolidayCalendar::parse(RawFile::from_bytes("cal.csv".into(), bytes), TextEncoding::Auto)
    }

    /// The error of a calendar that should not parse.
    fn error(text: &str) -> InputError {
        match parse(text) {
            Ok(_) => panic!("parsed:\n{text}"),
            Err(e) => e,
        }
    }

    #[test]
    fn the_shipped_calendar_covers_2024_to_2026() {
        let calendar = HolidayCalendar::shipped();
        let years: Vec<i32> = calendar.years().iter().map(|(y, _)| *y).collect();
        assert_eq!(years, [2024, 2025, 2026]);
        for (year, number) in [
            (2024, "国办发明电〔2023〕7号"),
            (2025, "国办发明电〔2024〕12号"),
            (2026, "国办发明电〔2025〕7号"),
        ] {
            let source = &calendar.sources[&year];
            assert!(
                source.contains(&format!("关于{year}年部分节假日安排的通知")),
                "{source}"
            );
            assert!(source.contains(number), "{source}");
        }
        assert_eq!(calendar.sha256, sha256_hex(SHIPPED));
        assert!(calendar.built_in);
        assert_eq!(calendar.describe(), "calendars/cn.csv (built in)");
    }

    /// The notices, written out again here as spans: every day of a span
    /// is 休 (weekend days inside it too), and the 班 days are listed.
    /// The file must hold exactly these days and no other.
    #[test]
    fn the_shipped_calendar_is_the_notices() {
        type Span = (&'static str, (u32, u32), (u32, u32), &'static [(u32, u32)]);
        let notices: &[(i32, &[Span])] = &[
            (
                2024,
                &[
                    ("元旦", (1, 1), (1, 1), &[]),
                    ("春节", (2, 10), (2, 17), &[(2, 4), (2, 18)]),
                    ("清明节", (4, 4), (4, 6), &[(4, 7)]),
                    ("劳动节", (5, 1), (5, 5), &[(4, 28), (5, 11)]),
                    ("端午节", (6, 8), (6, 10), &[]),
                    ("中秋节", (9, 15), (9, 17), &[(9, 14)]),
                    ("国庆节", (10, 1), (10, 7), &[(9, 29), (10, 12)]),
                ],
            ),
            (
                2025,
                &[
                    ("元旦", (1, 1), (1, 1), &[]),
                    ("春节", (1, 28), (2, 4), &[(1, 26), (2, 8)]),
                    ("清明节", (4, 4), (4, 6), &[]),
                    ("劳动节", (5, 1), (5, 5), &[(4, 27)]),
                    ("端午节", (5, 31), (6, 2), &[]),
                    ("国庆节、中秋节", (10, 1), (10, 8), &[(9, 28), (10, 11)]),
                ],
            ),
            (
                2026,
                &[
                    ("元旦", (1, 1), (1, 3), &[(1, 4)]),
                    ("春节", (2, 15), (2, 23), &[(2, 14), (2, 28)]),
                    ("清明节", (4, 4), (4, 6), &[]),
                    ("劳动节", (5, 1), (5, 5), &[(5, 9)]),
                    ("端午节", (6, 19), (6, 21), &[]),
                    ("中秋节", (9, 25), (9, 27), &[]),
                    ("国庆节", (10, 1), (10, 7), &[(9, 20), (10, 10)]),
                ],
            ),
        ];
        let mut expected = BTreeMap::new();
        for &(year, spans) in notices {
            for &(name, (m0, d0), (m1, d1), worked) in spans {
                let mut d = day(year, m0, d0);
                while d <= day(year, m1, d1) {
                    assert!(expected.insert(d, (DayKind::Rest, name)).is_none(), "{d}");
                    d = d.succ_opt().unwrap();
                }
                for &(m, dd) in worked {
                    let d = day(year, m, dd);
                    assert!(is_weekend(d), "{d} is not a weekend day");
                    assert!(expected.insert(d, (DayKind::Work, name)).is_none(), "{d}");
                }
            }
        }
        let calendar = HolidayCalendar::shipped();
        let found: BTreeMap<NaiveDate, (DayKind, &str)> =
            calendar.days().map(|(d, c)| (d, (c.kind, c.name.as_str()))).collect();
        assert_eq!(found, expected);
        // The totals the notices give: 30, 28 and 33 days off, 8, 5 and 6
        // make-up days.
        for (year, rest, work) in [(2024, 30, 8), (2025, 28, 5), (2026, 33, 6)] {
            let count = |k| calendar.days().filter(|(d, c)| d.year() == year && c.kind == k).count();
            assert_eq!((count(DayKind::Rest), count(DayKind::Work)), (rest, work), "{year}");
        }
    }

    #[test]
    fn working_days_are_weekdays_not_off_and_make_up_days() {
        let calendar = HolidayCalendar::shipped();
        let working = |y, m, d| calendar.is_working_day(day(y, m, d)).unwrap();
        assert!(working(2025, 1, 27)); // Monday
        assert!(!working(2025, 1, 28)); // Tuesday, 春节
        assert!(working(2025, 1, 26)); // Sunday, 班
        assert!(!working(2025, 1, 25)); // Saturday
        assert!(!working(2025, 2, 1)); // Saturday inside 春节
        assert!(working(2026, 1, 4)); // Sunday, 班
    }

    #[test]
    fn twenty_working_days_after_a_window_ending_before_the_spring_festival_2025() {
        // The window ends Friday 2025-01-24.
        //   Jan 25 Sat  -
        //   Jan 26 Sun  1 (班)
        //   Jan 27 Mon  2
        //   Jan 28 Tue – Feb 4 Tue  春节, off
        //   Feb 5–7 Wed–Fri  3 4 5
        //   Feb 8 Sat  6 (班)
        //   Feb 9 Sun  -
        //   Feb 10–14  7 8 9 10 11
        //   Feb 17–21  12 13 14 15 16
        //   Feb 24–27  17 18 19 20: Thursday 2025-02-27
        let calendar = HolidayCalendar::shipped();
        assert_eq!(calendar.add_working_days(day(2025, 1, 24), 20), Ok(day(2025, 2, 27)));
        // The 6th is the make-up Saturday.
        assert_eq!(calendar.add_working_days(day(2025, 1, 24), 6), Ok(day(2025, 2, 8)));
    }

    #[test]
    fn twenty_working_days_across_national_day_2025() {
        // The window ends Friday 2025-09-26.
        //   Sep 27 Sat  -
        //   Sep 28 Sun  1 (班)
        //   Sep 29–30 Mon–Tue  2 3
        //   Oct 1 Wed – Oct 8 Wed  国庆节、中秋节, off
        //   Oct 9–10 Thu–Fri  4 5
        //   Oct 11 Sat  6 (班)
        //   Oct 12 Sun  -
        //   Oct 13–17  7 8 9 10 11
        //   Oct 20–24  12 13 14 15 16
        //   Oct 27–30  17 18 19 20: Thursday 2025-10-30
        let calendar = HolidayCalendar::shipped();
        assert_eq!(calendar.add_working_days(day(2025, 9, 26), 20), Ok(day(2025, 10, 30)));
        // Ending Tuesday 2025-09-30: Oct 9 10 11(班) are 1 2 3, Oct 13–17
        // 4–8, Oct 20–24 9–13, Oct 27–31 14–18, Nov 3–4 19 20.
        assert_eq!(calendar.add_working_days(day(2025, 9, 30), 20), Ok(day(2025, 11, 4)));
    }

    #[test]
    fn twenty_working_days_across_the_spring_festival_2026() {
        // The window ends Friday 2026-02-13.
        //   Feb 14 Sat  1 (班)
        //   Feb 15 Sun – Feb 23 Mon  春节, off
        //   Feb 24–27 Tue–Fri  2 3 4 5
        //   Feb 28 Sat  6 (班)
        //   Mar 1 Sun  -
        //   Mar 2–6  7 8 9 10 11
        //   Mar 9–13  12 13 14 15 16
        //   Mar 16–19  17 18 19 20: Thursday 2026-03-19
        let calendar = HolidayCalendar::shipped();
        assert_eq!(calendar.add_working_days(day(2026, 2, 13), 20), Ok(day(2026, 3, 19)));
        assert_eq!(calendar.add_working_days(day(2026, 2, 13), 1), Ok(day(2026, 2, 14)));
    }

    #[test]
    fn ten_working_days_after_an_inspection_before_national_day_2024() {
        // Inspected Friday 2024-09-27; the firm could not be reached.
        //   Sep 28 Sat  -
        //   Sep 29 Sun  1 (班)
        //   Sep 30 Mon  2
        //   Oct 1 Tue – Oct 7 Mon  国庆节, off
        //   Oct 8–11 Tue–Fri  3 4 5 6
        //   Oct 12 Sat  7 (班)
        //   Oct 13 Sun  -
        //   Oct 14–16 Mon–Wed  8 9 10: Wednesday 2024-10-16
        let calendar = HolidayCalendar::shipped();
        assert_eq!(calendar.add_working_days(day(2024, 9, 27), 10), Ok(day(2024, 10, 16)));
    }

    #[test]
    fn the_start_never_counts_and_zero_days_is_the_start() {
        let calendar = HolidayCalendar::shipped();
        // Monday 2025-03-03 is a working day; the first after it is Tuesday.
        assert_eq!(calendar.add_working_days(day(2025, 3, 3), 1), Ok(day(2025, 3, 4)));
        assert_eq!(calendar.add_working_days(day(2025, 3, 3), 0), Ok(day(2025, 3, 3)));
        // A day off as the start: the first working day after it.
        assert_eq!(calendar.add_working_days(day(2025, 10, 1), 1), Ok(day(2025, 10, 9)));
        // Zero days from a year not covered is the start, consulting nothing.
        assert_eq!(calendar.add_working_days(day(2030, 6, 1), 0), Ok(day(2030, 6, 1)));
    }

    #[test]
    fn a_deadline_into_a_year_not_covered_is_an_error() {
        let calendar = HolidayCalendar::shipped();
        // From Sunday 2026-12-20: Dec 21–25 and Dec 28–31 are 9 working
        // days; the 10th would be in 2027, which the calendar does not cover.
        assert_eq!(calendar.add_working_days(day(2026, 12, 20), 9), Ok(day(2026, 12, 31)));
        let e = calendar.add_working_days(day(2026, 12, 20), 20).unwrap_err();
        assert_eq!(e.year, 2027);
        assert_eq!(e.covered, [2024, 2025, 2026]);
        assert_eq!(
            e.to_string(),
            "the holiday calendar calendars/cn.csv (built in) does not cover 2027 (it covers 2024, 2025, 2026); \
             working days are never guessed: add the State Council's notice for 2027 \
             (国务院办公厅关于2027年部分节假日安排的通知) to a calendar file and give it with --calendar"
        );
        // A day of an earlier year is no better.
        assert_eq!(calendar.is_working_day(day(2023, 12, 29)).unwrap_err().year, 2023);
        assert_eq!(calendar.add_working_days(day(2023, 12, 28), 1).unwrap_err().year, 2023);
    }

    const SOURCE: &str = "# source 2025: 国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号）\n";

    /// The notice [`SOURCE`] names.
    fn notice() -> &'static str {
        SOURCE.strip_prefix("# source 2025: ").unwrap().trim_end()
    }

    #[test]
    fn a_calendar_is_read_with_its_comments_and_sources() {
        let c = parse(&format!(
            "# a comment, \"quoted\", with, commas\n{SOURCE}日期,类型,名称\n2025/1/26,班,春节\n\n#2025-01-27,休,\n\
             2025-1-28,REST,春节\n2025-02-08,Work,\n"
        ))
        .unwrap();
        assert_eq!(c.years(), [(2025, notice().to_string())]);
        assert_eq!(c.day(day(2025, 1, 26)).map(|d| d.kind), Some(DayKind::Work));
        assert_eq!(c.day(day(2025, 1, 28)).map(|d| d.name.as_str()), Some("春节"));
        assert_eq!(c.day(day(2025, 2, 8)).map(|d| d.name.as_str()), Some(""));
        // The commented row is no row.
        assert_eq!(c.day(day(2025, 1, 27)), None);
        assert_eq!(c.is_working_day(day(2025, 1, 27)), Ok(true));
        assert!(!c.built_in);
        assert_eq!(c.encoding, TextEncoding::Utf8);
    }

    #[test]
    fn source_lines_may_be_written_loosely_but_not_wrongly() {
        for line in [
            "#source 2025: N",
            "#   Source   2025 :N",
            "# SOURCE 2025：国务院办公厅",
            "#\tsource 2025:\tN\t",
        ] {
            let c = parse(&format!("{line}\ndate,day\n2025-01-01,休\n")).unwrap_or_else(|e| panic!("{line}: {e}"));
            assert_eq!(c.years().len(), 1, "{line}");
        }
        // Comments that merely mention sources are comments.
        let e = error("# sources: see below\n# the source\ndate,day\n2025-01-01,休\n");
        assert_eq!((e.line, e.column.as_deref()), (None, None));
        assert!(e.message.contains("no source line"), "{e}");
    }

    #[test]
    fn each_error_names_its_line_and_column() {
        let header = "date,day,name\n";
        for (rows, line, column, words) in [
            ("2025-01-01,休,元旦\n2025-13-01,休,x\n", 4, "date", "is not a date"),
            ("2025-1-1 ,休,\n20250102,休,\n", 4, "date", "\"20250102\" is not a date"),
            ("2025-01-01,假,元旦\n", 3, "day", "neither 休"),
            (
                "2025-01-01,休,元旦\n2025/1/1,休,元旦\n",
                4,
                "date",
                "listed twice, on lines 3 and 4",
            ),
            ("2025-01-27,班,\n", 3, "day", "2025-01-27 is a Monday"),
            (
                "2025-01-01,休,\n2024-12-31,休,\n",
                4,
                "date",
                "2024, a year without a source line",
            ),
        ] {
            let e = error(&format!("{SOURCE}{header}{rows}"));
            assert_eq!(e.path, "cal.csv");
            assert_eq!((e.line, e.column.as_deref()), (Some(line), Some(column)), "{e}");
            assert!(e.message.contains(words), "{e}");
        }
        // A source line's errors name its line; it has no column.
        for (source, words) in [
            ("# source 25: N", "\"25\" is not a year"),
            ("# source 2O25: N", "\"2O25\" is not a year"),
            ("# source: N", "\"\" is not a year"),
            ("# source 2025", "no notice after the year"),
            ("# source 2025:  ", "no notice after the year"),
            ("# source 2025: M", "2025 has two source lines, on lines 1 and 3"),
        ] {
            let e = error(&format!("{SOURCE}{header}{source}\n2025-01-01,休,\n"));
            assert_eq!((e.line, e.column.as_deref()), (Some(3), None), "{e}");
            assert!(e.message.contains(words), "{e}");
        }
        let e = error(&format!("{header}2025-01-01,休,\n"));
        assert_eq!((e.line, e.column.as_deref()), (None, None));
        assert!(e.message.contains("no source line"), "{e}");
        let e = error(&format!("{SOURCE}# source 2026: N\n{header}2025-01-01,休,\n"));
        assert_eq!((e.line, e.column.as_deref()), (Some(2), None));
        assert!(e.message.contains("2026 has a source line but no day"), "{e}");
    }

    #[test]
    fn comment_lines_keep_the_line_numbers_of_the_file() {
        // Line 7 is the bad row, after comments before and after the header,
        // a blank line and a commented row; with LF and with CRLF.
        for newline in ["\n", "\r\n"] {
            let text = [
                "# calendar",
                SOURCE.trim_end(),
                "date,day,name",
                "# 春节",
                "2025-01-28,休,春节 # not a comment",
                "",
                "2025-01-29,xiu,春节",
                "#2025-01-30,bad,",
            ]
            .join(newline);
            let e = error(&text);
            assert_eq!((e.line, e.column.as_deref()), (Some(7), Some("day")), "{e}");
        }
        // A byte-order mark before a first comment line.
        let mut bytes = UTF8_BOM.to_vec();
        bytes.extend_from_slice(format!("{SOURCE}date,day\n2025-01-28,休\n2025-01-28,休\n").as_bytes());
        let e = parse_bytes(bytes).unwrap_err();
        assert_eq!((e.line, e.column.as_deref()), (Some(4), Some("date")), "{e}");
        // A bad source year on line 5, after the header and rows.
        let e = error(&format!("# x\n{SOURCE}date,day\n2025-01-28,休\n# source 2x26: N\n"));
        assert_eq!(e.line, Some(5), "{e}");
    }

    #[test]
    fn a_gb18030_calendar_is_read_with_its_sources() {
        let text = format!("# 说明\n{SOURCE}日期,类型,名称\n2025-01-28,休,春节\n2025-01-26,班,春节\n");
        let (bytes, _, _) = encoding_rs::GB18030.encode(&text);
        let c = parse_bytes(bytes.into_owned()).unwrap();
        assert_eq!(c.encoding, TextEncoding::Gb18030);
        assert_eq!(c.years()[0].1, notice());
        assert_eq!(c.day(day(2025, 1, 28)).map(|d| d.name.as_str()), Some("春节"));
        // A comment that is not text in the file's encoding.
        let mut bytes = b"# \xff\xfe\n".to_vec();
        bytes.extend_from_slice(format!("{SOURCE}date,day\n2025-01-28,rest\n").as_bytes());
        let e = parse_bytes(bytes).unwrap_err();
        assert_eq!(e.line, Some(1), "{e}");
        assert!(e.message.contains("not valid utf-8"), "{e}");
    }

    #[test]
    fn a_workbook_is_refused() {
        use crate::inputs::xlsx::SheetChoice;
        let file = RawFile::workbook_from_bytes("cal.xlsx".into(), Vec::new(), SheetChoice::First);
        let e = HolidayCalendar::parse(file, TextEncoding::Auto).unwrap_err();
        assert!(e.message.contains("not a workbook"), "{e}");
    }
}
