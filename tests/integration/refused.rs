//! Inputs that must be refused, and the points where SPEC.md settles
//! what a reader of the inputs does: each refusal exits 1, names the
//! file (and, where there is one, the line and column) and writes
//! nothing.

use crate::util::*;
use spotcheck_demo::{DemoConfig, DemoEnterprise, generate};
use std::path::Path;

/// Draws into `out/bundle`, expects an error naming all of `needles`,
/// and checks that nothing was written.
#[track_caller]
fn draw_fails(w: &Work, extra: &[&str], needles: &[&str]) -> Run {
    let (run, out) = w.draw("1", "bundle", extra);
    run.error(needles);
    assert_no_output(&out);
    assert!(entries(&w.root().join("out")).is_empty(), "out/ is not empty");
    run
}

/// The draw of `rows` from a plain UTF-8 LF file, for comparison.
fn reference_targets(rows: &[DemoEnterprise], seed: &str) -> Vec<u8> {
    let w = Work::new();
    w.enterprises(rows);
    w.plan(CLASS_TARGETS);
    let out = w.draw_ok(seed, "reference");
    std::fs::read(out.join("targets.csv")).unwrap()
}

fn targets_bytes(bundle: &Path) -> Vec<u8> {
    std::fs::read(bundle.join("targets.csv")).unwrap()
}

/// The demo CSV's header line.
fn header(rows: &[DemoEnterprise]) -> String {
    let text = String::from_utf8(csv_bytes(rows)).unwrap();
    text.lines().next().unwrap().to_string()
}

// ---------------------------------------------------------------------------
// A directory without firms
// ---------------------------------------------------------------------------

#[test]
fn a_directory_without_firms_is_refused() {
    let (w, rows) = Work::with_firms(5, 60);
    let header = header(&rows);
    let commas = ",".repeat(header.matches(',').count());
    for body in ["", "\n\n\r\n", &format!("{commas}\n {commas}\n")[..]] {
        w.write("enterprises.csv", format!("{header}\n{body}"));
        draw_fails(&w, &[], &["enterprises.csv", "no firms", "no data rows"]);
    }
}

// ---------------------------------------------------------------------------
// Control characters
// ---------------------------------------------------------------------------

#[test]
fn control_characters_in_a_field_are_refused_with_line_and_column() {
    for (i, c) in ['\0', '\u{1b}', '\u{7f}', '\u{85}', '\u{0b}'].into_iter().enumerate() {
        let (w, mut rows) = Work::with_firms(300, 61);
        rows[7].name = format!("甲{c}公司");
        rows[200].county = format!("{c}凯里市");
        w.enterprises(&rows);
        let code = format!("U+{:04X}", c as u32);
        draw_fails(
            &w,
            &[],
            &["enterprises.csv, line 9, column name", &code, "control character"],
        );
        // Alone in a row of the big file, read in pieces: the same error.
        rows[7].name = "甲公司".into();
        w.enterprises(&rows);
        draw_fails(&w, &[], &["enterprises.csv, line 202, column county", &code]);
        // In a quoted field too.
        let text = String::from_utf8(csv_bytes(&rows)).unwrap();
        let text = text.replacen(&format!(",{c}凯里市,"), &format!(",\"{c}凯里市\","), 1);
        assert!(text.contains('"'), "case {i}");
        w.write("enterprises.csv", text);
        draw_fails(&w, &[], &["line 202, column county", &code]);
    }
}

#[test]
fn a_control_character_in_the_header_or_another_input_is_refused() {
    let (w, rows) = Work::with_firms(50, 62);
    let text = String::from_utf8(csv_bytes(&rows)).unwrap();
    w.write("enterprises.csv", text.replacen("name", "name\0", 1));
    draw_fails(&w, &[], &["enterprises.csv, line 1", "U+0000"]);
    w.enterprises(&rows);
    w.write(
        "history.csv",
        format!("uscc,inspected_on\n{},2025-01-01\u{1}\n", rows[0].uscc),
    );
    let frame = "enterprises = \"enterprises.csv\"\nhistory = \"history.csv\"";
    w.write("plan.toml", plan_text(frame, CLASS_TARGETS));
    draw_fails(&w, &[], &["history.csv, line 2, column inspected_on", "U+0001"]);
}

#[test]
fn tabs_inside_fields_are_kept() {
    let (w, mut rows) = Work::with_firms(300, 63);
    rows[3].name = "甲\t公司".into();
    w.enterprises(&rows);
    let out = w.draw_ok("s", "bundle");
    assert_eq!(targets_bytes(&out), reference_targets(&rows, "s"));
}

// ---------------------------------------------------------------------------
// Files that are not regular files
// ---------------------------------------------------------------------------

/// Makes a named pipe at `path`. While `run` runs, a guard opens the pipe
/// for writing whenever a reader waits on it, and closes it at once: a
/// reader that opened it sees an empty file instead of waiting for ever,
/// so that a failure of this test is a message, not a hang.
fn with_fifo<T>(path: &Path, run: impl FnOnce() -> T) -> T {
    use rustix::fs::{CWD, FileType, Mode, OFlags};
    rustix::fs::mknodat(CWD, path, FileType::Fifo, Mode::from_raw_mode(0o600), 0).expect("mkfifo");
    let done = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                // Fails (ENXIO) unless a reader has the pipe open.
                drop(rustix::fs::open(path, OFlags::WRONLY | OFlags::NONBLOCK, Mode::empty()));
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
        });
        let result = run();
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        result
    })
}

#[test]
fn a_pipe_or_a_folder_as_an_input_is_refused() {
    let w = Work::new();
    let data = generate(&DemoConfig {
        enterprises: 400,
        inspectors: 60,
        conflicts: 5,
        history: 50,
        seed: 64,
    });
    data.write_to_dir(&w.root().join("in")).expect("write demo data");
    let plan = plan_text(
        "enterprises = \"enterprises.csv\"\nhistory = \"history.csv\"",
        "ratio = { A = \"1%\", B = \"3%\", C = \"10%\", D = \"30%\" }\n\n\
         [inspectors]\n\
         directory = \"inspectors.csv\"\n\
         conflicts = \"conflicts.csv\"\n\
         team = { \"市场监管局\" = 2 }",
    );
    w.write("plan.toml", &plan);
    w.draw_ok("s", "first");
    std::fs::remove_dir_all(w.out("first")).unwrap();
    for name in [
        "enterprises.csv",
        "history.csv",
        "inspectors.csv",
        "conflicts.csv",
        "plan.toml",
    ] {
        let path = w.input(name);
        let kept = std::fs::read(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        with_fifo(&path, || {
            draw_fails(&w, &[], &[name, "a pipe, socket or device, not a regular file"]);
        });
        std::fs::remove_file(&path).unwrap();
        std::fs::create_dir(&path).unwrap();
        draw_fails(&w, &[], &[name, "is a folder, not a regular file"]);
        std::fs::remove_dir(&path).unwrap();
        std::fs::write(&path, kept).unwrap();
    }
    w.draw_ok("s", "again");
}

// ---------------------------------------------------------------------------
// Encodings
// ---------------------------------------------------------------------------

/// The demo CSV with its header in Chinese.
fn chinese_header_csv(rows: &[DemoEnterprise]) -> String {
    let text = String::from_utf8(csv_bytes(rows)).unwrap();
    let (_, body) = text.split_once('\n').unwrap();
    format!("统一社会信用代码,企业名称,信用风险分类,所属区县,行业,登记状态,监管片区,地址,成立日期\n{body}")
}

fn gb18030(text: &str) -> Vec<u8> {
    let (gb, _, unmappable) = encoding_rs::GB18030.encode(text);
    assert!(!unmappable);
    gb.into_owned()
}

#[test]
fn gb18030_is_detected_on_the_header_record_not_the_first_line() {
    let (w, rows) = Work::with_firms(300, 65);
    let text = chinese_header_csv(&rows);
    // Blank lines before the header.
    let blank_first = format!("\r\n\n{text}");
    // A quoted header name with a line break, before the others; the
    // rows get an empty field for it.
    let quoted = text
        .replacen("统一社会信用代码", "\"备注\n（内部）\",统一社会信用代码", 1)
        .replace('\n', "\n,")
        .replacen("\n,（内部）", "\n（内部）", 1);
    let quoted = quoted.strip_suffix(',').unwrap().to_string();
    for file in [blank_first, quoted] {
        w.write("enterprises.csv", gb18030(&file));
        let out = w.draw_ok("s", "bundle");
        assert_eq!(manifest(&out).inputs["enterprises"].encoding, "gb18030");
        assert_eq!(targets_bytes(&out), reference_targets(&rows, "s"));
        verify(&out, &[]).ok();
        std::fs::remove_dir_all(out).unwrap();
    }
}

#[test]
fn a_utf8_bom_under_a_declared_gb18030_is_refused() {
    let (w, rows) = Work::with_firms(50, 66);
    let text = String::from_utf8(csv_bytes(&rows)).unwrap();
    w.write("enterprises.csv", format!("\u{feff}{text}"));
    draw_fails(
        &w,
        &["--encoding", "gb18030"],
        &["enterprises.csv, line 1", "UTF-8 byte-order mark", "gb18030"],
    );
    // Declared utf-8 or undeclared, the mark is dropped.
    for extra in [&["--encoding", "utf-8"][..], &[]] {
        let (run, out) = w.draw("s", "ok", extra);
        run.ok();
        assert_eq!(targets_bytes(&out), reference_targets(&rows, "s"));
        std::fs::remove_dir_all(out).unwrap();
    }
}

// ---------------------------------------------------------------------------
// Plan errors in the user's words
// ---------------------------------------------------------------------------

/// The demo plan with `from` replaced by `to`.
fn demo_plan_with(w: &Work, from: &str, to: &str) {
    let text = std::fs::read_to_string(repo().join("plans/demo.toml")).unwrap();
    assert!(text.contains(from), "{from}");
    let text = text
        .replacen(from, to, 1)
        .replace("../data/", &format!("{}/data/", repo().display()));
    w.write("plan.toml", text);
}

#[test]
fn plan_value_errors_name_the_key_and_say_what_is_expected() {
    let w = Work::new();
    let ratio = "ratio = { A = \"1%\", B = \"3%\", C = \"10%\", D = \"30%\" }";
    for (from, to, needles) in [
        (
            "min = { D = 20 }",
            "min = { D = -1 }",
            &["targets.min.D", "a whole number of firms, 0 or more", "found -1"][..],
        ),
        (
            "min = { D = 20 }",
            "min = { D = 2.5 }",
            &["targets.min.D", "whole number of firms"],
        ),
        ("min = { D = 20 }", "min = 20", &["targets.min", "a table"]),
        (
            ratio,
            "ratio = 0.05",
            &["targets.ratio", "a percentage in quotes, like \"5%\"", "found 0.05"],
        ),
        (
            ratio,
            "ratio = { A = \"1%\", B = 3, C = \"10%\", D = \"30%\" }",
            &["targets.ratio.B", "a percentage in quotes, like \"5%\"", "found 3"],
        ),
        (
            "exclude_inspected_within_days = 365",
            "exclude_inspected_within_days = \"365\"",
            &["targets.exclude_inspected_within_days", "a whole number of days"],
        ),
        (
            "stratify_by = [\"credit_class\"]",
            "stratify_by = \"credit_class\"",
            &["targets.stratify_by", "a list in brackets"],
        ),
        ("id = \"QDN-2025-001\"", "id = 2025", &["task.id", "text in quotes"]),
        (
            "start = 2025-03-01",
            "start = \"2025-03-01\"",
            &["task.start", "a date without quotes"],
        ),
        (
            "credit_classes = false",
            "credit_classes = \"no\"",
            &["publish.credit_classes", "true or false"],
        ),
        (
            "max_assignments = 25",
            "max_assignments = -3",
            &["inspectors.max_assignments", "a whole number, 1 or more"],
        ),
        (
            "cross_area = true",
            "cross_area = 1",
            &["inspectors.cross_area", "true or false"],
        ),
        (
            "\"市场监管局\" = 2",
            "\"市场监管局\" = \"2\"",
            &["inspectors.team.市场监管局", "a whole number"],
        ),
    ] {
        demo_plan_with(&w, from, to);
        let run = draw_fails(&w, &[], &["plan.toml, line"]);
        run.error(needles);
        for internal in ["u64", "u32", "untagged", "RawRatio", "a boolean", "a sequence", "a map"] {
            assert!(!run.stderr.contains(internal), "{to}: {}", run.stderr);
        }
    }
}

// ---------------------------------------------------------------------------
// What SPEC.md settles
// ---------------------------------------------------------------------------

/// SPEC §1.0: fields are trimmed of Unicode white space, and rows whose
/// fields are all empty once trimmed are skipped, whatever their width;
/// other rows of another width than the header are errors.
#[test]
fn white_space_and_blank_rows_of_any_width_are_as_the_spec_says() {
    let (w, rows) = Work::with_firms(300, 70);
    let text = String::from_utf8(csv_bytes(&rows)).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    // Names padded with every kind of white space that may occur.
    let spaces = "\t \u{a0}\u{1680}\u{2000}\u{200a}\u{2028}\u{2029}\u{202f}\u{205f}\u{3000}";
    lines[5] = lines[5].replacen(',', &format!(",{spaces}"), 1);
    lines.insert(9, format!("\u{3000},{spaces}"));
    lines.insert(20, ",,".into());
    lines.insert(30, format!("{}{}", " ,".repeat(12), "\u{a0}"));
    w.write("enterprises.csv", lines.join("\n") + "\n");
    let out = w.draw_ok("s", "bundle");
    assert_eq!(manifest(&out).inputs["enterprises"].rows, 300);
    assert_eq!(targets_bytes(&out), reference_targets(&rows, "s"));
    std::fs::remove_dir_all(out).unwrap();
    // A row with a non-blank field and too few or too many fields.
    for bad in ["X,", &format!("{},x", lines[40])] {
        lines.insert(50, bad.to_string());
        w.write("enterprises.csv", lines.join("\n") + "\n");
        draw_fails(&w, &[], &["enterprises.csv, line 51", "fields as in the header"]);
        lines.remove(50);
    }
}

/// SPEC §1.0: the declared encoding is every CSV input's.
#[test]
fn a_declared_encoding_applies_to_every_csv_input() {
    let (w, rows) = Work::with_firms(300, 71);
    w.write(
        "enterprises.csv",
        spotcheck_demo::enterprises_csv_gb18030(&rows).unwrap(),
    );
    let history = format!("检查日期,统一社会信用代码\n2025-01-05,{}\n", rows[0].uscc);
    w.write("history.csv", gb18030(&history));
    let frame = "enterprises = \"enterprises.csv\"\nhistory = \"history.csv\"\nencoding = \"gb18030\"";
    w.write("plan.toml", plan_text(frame, CLASS_TARGETS));
    let out = w.draw_ok("s", "bundle");
    assert_eq!(manifest(&out).inputs["history"].encoding, "gb18030");
    verify(&out, &[]).ok();
    std::fs::remove_dir_all(out).unwrap();
    // The same history in UTF-8, with its mark, is refused under gb18030.
    w.write("history.csv", format!("\u{feff}{history}"));
    draw_fails(&w, &[], &["history.csv, line 1", "UTF-8 byte-order mark"]);
}

/// SPEC §1.1: the table of check characters is the code's alphabet, in
/// order, and its vector holds.
#[test]
fn the_spec_table_of_check_characters_is_the_one_used() {
    let spec = std::fs::read_to_string(repo().join("SPEC.md")).unwrap();
    let row = |name: &str| -> Vec<String> {
        let line = spec
            .lines()
            .find(|l| l.starts_with(&format!("| {name} |")))
            .unwrap_or_else(|| panic!("no row {name}"));
        line.split('|')
            .skip(2)
            .map(|c| c.trim().trim_matches('`').to_string())
            .filter(|c| !c.is_empty())
            .collect()
    };
    let (chars, values) = (row("character"), row("value"));
    assert_eq!(chars.concat(), spotcheck::inputs::uscc::CHARSET);
    for (c, v) in chars.iter().zip(&values) {
        let c = c.chars().next().unwrap();
        assert_eq!(spotcheck::inputs::uscc::char_value(c), Some(v.parse().unwrap()), "{c}");
    }
    assert_eq!(spotcheck::inputs::uscc::check_char("91350100M000100Y4"), Some('3'));
    assert!(spec.contains("(31 − 28) mod 31 = 3, the character `3`"));
}

/// SPEC §1.5: left out, `stratify_by` is `["credit_class"]`.
#[test]
fn stratify_by_left_out_is_by_credit_class() {
    let (w, rows) = Work::with_firms(300, 72);
    w.plan("ratio = { A = \"1%\", B = \"2%\", C = \"10%\", D = \"30%\" }");
    let out = w.draw_ok("s", "bundle");
    assert_eq!(targets_bytes(&out), reference_targets(&rows, "s"));
}

/// SPEC §1.5: the ratio grammar.
#[test]
fn ratios_outside_the_grammar_are_refused() {
    for bad in ["05%", "5.%", ".5%", " 5%", "5 %", "5"] {
        let (w, _) = Work::with_firms(50, 73);
        w.plan(&format!("ratio = \"{bad}\""));
        draw_fails(&w, &[], &["targets.ratio", bad]);
    }
    let (w, _) = Work::with_firms(50, 73);
    w.plan("ratio = \"0.5%\"");
    w.draw_ok("s", "ok");
}

/// A plan with teams of the given `[inspectors]` extra lines, with or
/// without a history.
fn team_world(history: bool, extra: &str) -> Work {
    let w = Work::new();
    let data = generate(&DemoConfig {
        enterprises: 400,
        inspectors: 60,
        conflicts: 0,
        history: 50,
        seed: 74,
    });
    data.write_to_dir(&w.root().join("in")).expect("write demo data");
    let frame = if history {
        "enterprises = \"enterprises.csv\"\nhistory = \"history.csv\""
    } else {
        "enterprises = \"enterprises.csv\""
    };
    let targets = format!(
        "ratio = \"5%\"\n\n[inspectors]\ndirectory = \"inspectors.csv\"\nteam = {{ \"市场监管局\" = 2 }}\n{extra}"
    );
    w.write("plan.toml", plan_text(frame, &targets));
    w
}

/// SPEC §1.5: `avoid_last_inspectors = true` written without a history
/// is refused; left out, it does nothing without one.
#[test]
fn avoiding_the_last_inspectors_needs_a_history_when_asked_for() {
    let w = team_world(false, "avoid_last_inspectors = true");
    draw_fails(
        &w,
        &[],
        &["inspectors.avoid_last_inspectors", "frame.history", "--history"],
    );
    // A history given on the command line counts as one in [frame].
    let history = w.input("history.csv").display().to_string();
    let (run, out) = w.draw("s", "with-flag", &["--history", &history]);
    run.ok();
    assert!(manifest(&out).inputs.contains_key("history"));
    verify(&out, &[]).ok();
    team_world(false, "").draw_ok("s", "ok");
    team_world(false, "avoid_last_inspectors = false").draw_ok("s", "ok");
    team_world(true, "avoid_last_inspectors = true").draw_ok("s", "ok");
}

/// SPEC §3.2: a class with no eligible firm is no stratum.
#[test]
fn strata_without_an_eligible_firm_are_not_listed() {
    let (w, mut rows) = Work::with_firms(300, 75);
    for r in rows.iter_mut().filter(|r| r.credit_class == 'A') {
        r.status = "注销".into();
    }
    w.enterprises(&rows);
    let out = w.draw_ok("s", "bundle");
    let labels: Vec<String> = manifest(&out).strata.iter().map(|s| s.label.clone()).collect();
    assert_eq!(labels, ["B", "C", "D"]);
}

/// SPEC §1.1: a `/` in a value of a stratum field is refused.
#[test]
fn a_slash_in_a_stratum_value_is_refused() {
    let (w, mut rows) = Work::with_firms(300, 76);
    rows[10].industry = "批发/零售业".into();
    rows[20].county = "凯里/市".into();
    rows[20].status = "注销".into();
    w.enterprises(&rows);
    // Not a stratum field: drawn.
    std::fs::remove_dir_all(w.draw_ok("s", "ok")).unwrap();
    w.plan("stratify_by = [\"credit_class\", \"county\"]\nratio = \"5%\"");
    draw_fails(
        &w,
        &[],
        &["enterprises.csv, line 22, column county", "凯里/市", "\"/\""],
    );
    w.plan("stratify_by = [\"industry\"]\nratio = \"5%\"");
    draw_fails(&w, &[], &["enterprises.csv, line 12, column industry", "批发/零售业"]);
}

/// SPEC §1.1: the statuses SPEC lists beyond the common ones, and §1.2's
/// dates.
#[test]
fn statuses_and_dates_are_those_the_spec_lists() {
    let (w, mut rows) = Work::with_firms(300, 77);
    rows[1].status = "canceled".into();
    rows[2].status = "吊销,未注销".into();
    rows[3].status = "Moved Out".into();
    w.enterprises(&rows);
    let history = format!(
        "uscc,inspected_on\n{},2025-5-7\n{},2025/05/07\n",
        rows[4].uscc, rows[5].uscc
    );
    w.write("history.csv", &history);
    let frame = "enterprises = \"enterprises.csv\"\nhistory = \"history.csv\"";
    let targets = format!("{CLASS_TARGETS}\nexclude_inspected_within_days = 365");
    w.write("plan.toml", plan_text(frame, &targets));
    std::fs::remove_dir_all(w.draw_ok("s", "ok")).unwrap();
    for bad in ["2025-05/07", "25-5-7", "2025-005-07", "20250507"] {
        w.write("history.csv", history.replacen("2025-5-7", bad, 1));
        draw_fails(&w, &[], &["history.csv, line 2, column inspected_on", bad]);
    }
}
