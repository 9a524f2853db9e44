//! Bad inputs: each gives a clear message, exit code 1 and no bundle
//! (nor a `.partial-` temporary) left behind.

use crate::util::*;
use std::path::Path;

const N: usize = 300;

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

/// A character of the code alphabet other than `c`.
fn other_char(c: char) -> char {
    if c == '0' { '1' } else { '0' }
}

#[test]
fn bad_check_character_names_file_line_column_code_and_right_character() {
    let (w, mut rows) = Work::with_firms(N, 11);
    let i = 7; // data row 8, file line 9
    let good = rows[i].uscc.clone();
    let right = spotcheck::inputs::uscc::check_char(&good[..17]).unwrap();
    assert_eq!(good.chars().last(), Some(right));
    let bad = format!("{}{}", &good[..17], other_char(right));
    rows[i].uscc = bad.clone();
    w.enterprises(&rows);
    draw_fails(
        &w,
        &[],
        &[
            "enterprises.csv, line 9, column uscc",
            &bad,
            &format!("should be '{right}'"),
        ],
    );
}

#[test]
fn bad_organisation_check_is_reported() {
    let (w, mut rows) = Work::with_firms(N, 12);
    // Change character 17 (the GB 11714 check) and fix character 18 so that
    // only the inner check is wrong.
    let good = rows[20].uscc.clone();
    let inner = good.as_bytes()[16] as char;
    let mut first17 = format!("{}{}", &good[..16], other_char(inner));
    first17.push(spotcheck::inputs::uscc::check_char(&first17).unwrap());
    rows[20].uscc = first17.clone();
    w.enterprises(&rows);
    draw_fails(
        &w,
        &[],
        &["line 22, column uscc", &first17, &format!("should be '{inner}'")],
    );
}

#[test]
fn malformed_codes_are_reported() {
    for (bad, needle) in [
        ("91522601MA6DXXXX", "expected 18 characters, found 16"),
        ("9152260IMA6D3W2L0X", "character 8 is 'I'"),
        ("91A22601MA6D3W2L0X", "positions 3-8"),
        ("９1522601MA6D3W2L0X", "character 1"),
    ] {
        let (w, mut rows) = Work::with_firms(50, 13);
        rows[3].uscc = bad.to_string();
        w.enterprises(&rows);
        draw_fails(&w, &[], &["line 5, column uscc", bad, needle]);
    }
}

#[test]
fn duplicate_code_names_both_lines() {
    let (w, mut rows) = Work::with_firms(N, 14);
    let mut dup = rows[3].clone();
    dup.name.push_str("分公司");
    rows.push(dup.clone());
    w.enterprises(&rows);
    let last = N + 2;
    draw_fails(
        &w,
        &[],
        &[
            &format!("line {last}, column uscc"),
            &dup.uscc,
            &format!("appears twice, on lines 5 and {last}"),
        ],
    );
}

#[test]
fn unknown_credit_class_lists_the_accepted_ones() {
    let (w, mut rows) = Work::with_firms(N, 15);
    rows[10].credit_class = 'E';
    w.enterprises(&rows);
    draw_fails(
        &w,
        &[],
        &["line 12, column credit_class", "\"E\"", "A, B, C, D", "targets.classes"],
    );
}

#[test]
fn a_plan_declaring_class_e_accepts_it() {
    let (w, mut rows) = Work::with_firms(N, 16);
    for r in rows.iter_mut().step_by(10) {
        r.credit_class = 'E';
    }
    w.enterprises(&rows);
    w.plan(
        "stratify_by = [\"credit_class\"]\n\
         classes = [\"A\", \"B\", \"C\", \"D\", \"E\"]\n\
         ratio = { A = \"1%\", B = \"2%\", C = \"10%\", D = \"30%\", E = \"50%\" }",
    );
    let out = w.draw_ok("1", "bundle");
    let m = manifest(&out);
    let e = m.strata.iter().find(|s| s.label == "E").expect("a stratum E");
    let active_e = rows.iter().filter(|r| r.credit_class == 'E' && r.is_active()).count() as u64;
    assert_eq!(e.n, active_e);
    assert_eq!(e.k, active_e.div_ceil(2));
    let drawn_e = read_targets(&out).iter().filter(|t| t.stratum == "E").count() as u64;
    assert_eq!(drawn_e, e.k);

    // Without the declaration the same file is refused.
    std::fs::remove_dir_all(&out).unwrap();
    w.plan("stratify_by = [\"credit_class\"]\nratio = \"5%\"");
    draw_fails(&w, &[], &["column credit_class", "A, B, C, D"]);
}

#[test]
fn unknown_status_is_refused() {
    let (w, mut rows) = Work::with_firms(N, 17);
    rows[4].status = "歇业".into();
    w.enterprises(&rows);
    draw_fails(&w, &[], &["line 6, column status", "歇业", "存续", "注销"]);
}

#[test]
fn missing_required_column_is_named() {
    let (w, rows) = Work::with_firms(50, 18);
    let text = String::from_utf8(csv_bytes(&rows))
        .unwrap()
        .replacen("status,", "state,", 1);
    w.write("enterprises.csv", text);
    draw_fails(&w, &[], &["enterprises.csv, line 1", "no column status", "登记状态"]);
}

#[test]
fn ragged_row_is_refused() {
    let (w, rows) = Work::with_firms(50, 19);
    let mut text = String::from_utf8(csv_bytes(&rows)).unwrap();
    text.push_str("91522601MA6D3W2L0X,甲\n");
    w.write("enterprises.csv", text);
    draw_fails(&w, &[], &["enterprises.csv, line 52", "2 fields", "9 fields"]);
}

#[test]
fn empty_directory_file_is_refused() {
    let w = Work::new();
    w.write("enterprises.csv", "");
    w.plan(CLASS_TARGETS);
    draw_fails(&w, &[], &["enterprises.csv", "empty file"]);
}

#[test]
fn missing_directory_file_is_refused() {
    let w = Work::new();
    w.plan(CLASS_TARGETS);
    draw_fails(&w, &[], &["enterprises.csv"]);
}

/// The draw of `rows` from a plain UTF-8 LF file, for comparison.
fn reference_targets(rows: &[spotcheck_demo::DemoEnterprise], seed: &str) -> Vec<u8> {
    let w = Work::new();
    w.enterprises(rows);
    w.plan(CLASS_TARGETS);
    let out = w.draw_ok(seed, "reference");
    std::fs::read(out.join("targets.csv")).unwrap()
}

fn targets_bytes(bundle: &Path) -> Vec<u8> {
    std::fs::read(bundle.join("targets.csv")).unwrap()
}

#[test]
fn gb18030_with_english_headers_needs_the_flag() {
    let (w, rows) = Work::with_firms(N, 20);
    w.write(
        "enterprises.csv",
        spotcheck_demo::enterprises_csv_gb18030(&rows).unwrap(),
    );
    // The first row holds a Chinese name, so line 2 is the first bad one.
    draw_fails(
        &w,
        &[],
        &["enterprises.csv, line 2", "not valid UTF-8", "--encoding gb18030"],
    );
    draw_fails(&w, &["--encoding", "utf-8"], &["--encoding gb18030"]);

    let (run, out) = w.draw("s", "bundle", &["--encoding", "gb18030"]);
    run.ok();
    assert_eq!(manifest(&out).inputs["enterprises"].encoding, "gb18030");
    assert_eq!(targets_bytes(&out), reference_targets(&rows, "s"));
}

/// A bundle drawn with `--encoding gb18030` must verify: the manifest
/// records the encoding of each input.
#[test]
fn bundle_drawn_with_encoding_flag_verifies() {
    let (w, rows) = Work::with_firms(N, 20);
    w.write(
        "enterprises.csv",
        spotcheck_demo::enterprises_csv_gb18030(&rows).unwrap(),
    );
    let (run, out) = w.draw("s", "bundle", &["--encoding", "gb18030"]);
    run.ok();
    let run = verify(&out, &[]);
    run.ok();
    assert!(run.stdout.starts_with("verified"));
}

#[test]
fn gb18030_declared_in_the_plan_draws_and_verifies() {
    let (w, rows) = Work::with_firms(N, 26);
    w.write(
        "enterprises.csv",
        spotcheck_demo::enterprises_csv_gb18030(&rows).unwrap(),
    );
    w.write(
        "plan.toml",
        plan_text(
            "enterprises = \"enterprises.csv\"\nencoding = \"gb18030\"",
            CLASS_TARGETS,
        ),
    );
    let out = w.draw_ok("s", "bundle");
    assert_eq!(manifest(&out).inputs["enterprises"].encoding, "gb18030");
    assert_eq!(targets_bytes(&out), reference_targets(&rows, "s"));
    verify(&out, &[]).ok();
}

/// The demo CSV with its header in Chinese.
fn chinese_header_csv(rows: &[spotcheck_demo::DemoEnterprise]) -> String {
    let text = String::from_utf8(csv_bytes(rows)).unwrap();
    let (_, body) = text.split_once('\n').unwrap();
    format!("统一社会信用代码,企业名称,信用风险分类,所属区县,行业,登记状态,监管片区,地址,成立日期\n{body}")
}

#[test]
fn gb18030_with_chinese_headers_is_detected() {
    let (w, rows) = Work::with_firms(N, 21);
    let text = chinese_header_csv(&rows);
    let (gb, _, unmappable) = encoding_rs::GB18030.encode(&text);
    assert!(!unmappable);
    w.write("enterprises.csv", &gb);
    let (run, out) = w.draw("s", "bundle", &[]);
    run.ok();
    assert_eq!(manifest(&out).inputs["enterprises"].encoding, "gb18030");
    assert_eq!(targets_bytes(&out), reference_targets(&rows, "s"));
    verify(&out, &[]).ok();
}

#[test]
fn gb18030_with_a_bad_byte_names_its_line() {
    let (w, rows) = Work::with_firms(50, 22);
    let text = chinese_header_csv(&rows);
    let (gb, _, _) = encoding_rs::GB18030.encode(&text);
    let mut bytes = gb.into_owned();
    // Line 4 starts after the third newline; a lone 0xFF is never GB18030.
    let pos = bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').nth(2).unwrap().0 + 1;
    bytes.insert(pos + 20, 0xFF);
    w.write("enterprises.csv", &bytes);
    draw_fails(&w, &["--encoding", "gb18030"], &["enterprises.csv, line 4", "GB18030"]);
}

#[test]
fn utf8_bom_and_crlf_give_the_same_draw() {
    let (w, rows) = Work::with_firms(N, 23);
    let text = String::from_utf8(csv_bytes(&rows)).unwrap();
    w.write("enterprises.csv", format!("\u{feff}{}", text.replace('\n', "\r\n")));
    let out = w.draw_ok("s", "bundle");
    assert_eq!(manifest(&out).inputs["enterprises"].encoding, "utf-8");
    assert_eq!(manifest(&out).inputs["enterprises"].rows, N as u64);
    assert_eq!(targets_bytes(&out), reference_targets(&rows, "s"));
    verify(&out, &[]).ok();
}

#[test]
fn crlf_errors_name_the_right_line() {
    let (w, mut rows) = Work::with_firms(N, 24);
    rows[40].status = "停业".into();
    let text = String::from_utf8(csv_bytes(&rows)).unwrap();
    w.write("enterprises.csv", format!("\u{feff}{}", text.replace('\n', "\r\n")));
    draw_fails(&w, &[], &["line 42, column status", "停业"]);
}

#[test]
fn chinese_headers_in_utf8_with_blank_lines_give_the_same_draw() {
    let (w, rows) = Work::with_firms(N, 25);
    let text = chinese_header_csv(&rows).replacen('\n', "\n\n", 3);
    w.write("enterprises.csv", format!("{text}\n\n"));
    let out = w.draw_ok("s", "bundle");
    assert_eq!(manifest(&out).inputs["enterprises"].rows, N as u64);
    assert_eq!(targets_bytes(&out), reference_targets(&rows, "s"));
}

// ---------------------------------------------------------------------------
// Plan errors
// ---------------------------------------------------------------------------

fn plan_fails(targets: &str, needles: &[&str]) {
    let (w, _) = Work::with_firms(50, 30);
    w.plan(targets);
    draw_fails(&w, &[], needles);
}

#[test]
fn unknown_plan_key_is_named() {
    plan_fails(
        &format!("{CLASS_TARGETS}\nratios_extra = true"),
        &["plan.toml", "ratios_extra"],
    );
    let (w, _) = Work::with_firms(50, 30);
    let text =
        plan_text("enterprises = \"enterprises.csv\"", CLASS_TARGETS).replace("[task]", "[task]\ncolour = \"red\"");
    w.write("plan.toml", text);
    draw_fails(&w, &[], &["plan.toml, line 2", "unknown field `colour`"]);
    let text = format!(
        "{}\n[team]\nsize = 2\n",
        plan_text("enterprises = \"enterprises.csv\"", CLASS_TARGETS)
    );
    w.write("plan.toml", text);
    draw_fails(&w, &[], &["plan.toml", "team"]);
}

#[test]
fn ratio_over_100_percent_names_its_key() {
    plan_fails(
        "stratify_by = [\"credit_class\"]\nratio = { A = \"1%\", B = \"2%\", C = \"10%\", D = \"100.5%\" }",
        &["targets.ratio.D", "100.5%", "over 100%"],
    );
    plan_fails(
        "stratify_by = [\"credit_class\"]\nratio = { A = \"1%\", B = \"2%\", C = \"101%\", D = \"30%\" }",
        &["targets.ratio.C", "over 100%"],
    );
    plan_fails("ratio = \"250%\"", &["targets.ratio", "over 100%"]);
}

#[test]
fn other_ratio_mistakes_name_their_key() {
    plan_fails(
        "ratio = { A = \"1%\", B = \"2%\", C = \"10%\", D = \"30\" }",
        &["targets.ratio.D", "no % sign"],
    );
    plan_fails(
        "ratio = { A = \"1%\", B = \"2%\", C = \"10%\" }",
        &["targets.ratio", "no ratio for credit class D"],
    );
    plan_fails(
        "ratio = { A = \"1%\", B = \"2%\", C = \"10%\", D = \"30%\", E = \"50%\" }",
        &["targets.ratio.E", "unknown credit class"],
    );
    plan_fails(
        "stratify_by = [\"county\"]\nratio = { A = \"1%\", B = \"2%\", C = \"10%\", D = \"30%\" }",
        &["targets.ratio", "credit_class"],
    );
}

#[test]
fn bad_dates_are_refused() {
    let (w, _) = Work::with_firms(50, 31);
    let good = plan_text("enterprises = \"enterprises.csv\"", CLASS_TARGETS);
    assert!(good.contains("start = 2025-03-01\n"));
    w.write("plan.toml", good.replace("start = 2025-03-01", "start = 2025-02-30"));
    draw_fails(&w, &[], &["plan.toml, line 5", "invalid date"]);
    w.write(
        "plan.toml",
        good.replace("start = 2025-03-01", "start = \"1 March 2025\""),
    );
    draw_fails(&w, &[], &["plan.toml, line 5", "datetime"]);
    w.write(
        "plan.toml",
        good.replace("start = 2025-03-01", "start = 2025-03-01T09:00:00"),
    );
    draw_fails(&w, &[], &["task.start", "not a plain date"]);
}

#[test]
fn end_before_start_names_task_end() {
    let (w, _) = Work::with_firms(50, 32);
    let good = plan_text("enterprises = \"enterprises.csv\"", CLASS_TARGETS);
    w.write("plan.toml", good.replace("end = 2025-11-30", "end = 2025-02-28"));
    draw_fails(&w, &[], &["task.end", "2025-02-28 is before task.start 2025-03-01"]);
}

#[test]
fn history_exclusion_without_history_is_refused() {
    plan_fails(
        &format!("{CLASS_TARGETS}\nexclude_inspected_within_days = 365"),
        &["targets.exclude_inspected_within_days", "frame.history"],
    );
}

#[test]
fn min_above_max_is_refused() {
    plan_fails(
        &format!("{CLASS_TARGETS}\nmin = {{ D = 20 }}\nmax = {{ D = 10 }}"),
        &["targets.min.D", "above targets.max.D"],
    );
}

#[test]
fn unknown_encoding_flag_is_a_usage_error() {
    let (w, _) = Work::with_firms(50, 33);
    let (run, out) = w.draw("1", "bundle", &["--encoding", "latin-1"]);
    run.expect_code(2);
    assert!(run.stderr.contains("latin-1"), "{run:?}");
    assert_no_output(&out);
}

#[test]
fn missing_arguments_are_usage_errors() {
    let (w, _) = Work::with_firms(50, 34);
    let out = w.out("bundle");
    let plan = w.input("plan.toml");
    let run = spotcheck([
        "draw".as_ref(),
        "--plan".as_ref(),
        plan.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    run.expect_code(2);
    assert!(run.stderr.contains("--seed"), "{run:?}");
    assert_no_output(&out);
}

// ---------------------------------------------------------------------------
// The output directory
// ---------------------------------------------------------------------------

#[test]
fn existing_bundle_is_never_overwritten() {
    let (w, _) = Work::with_firms(N, 40);
    let out = w.draw_ok("first", "bundle");
    std::fs::write(out.join("notes.txt"), "kept").unwrap();
    let before = snapshot(&out);
    let (run, _) = w.draw("second", "bundle", &[]);
    run.error(&["bundle", "already exists"]);
    assert_eq!(snapshot(&out), before, "the existing bundle was changed");
    assert_eq!(entries(&w.root().join("out")), vec!["bundle".to_string()]);
}

#[test]
fn existing_empty_folder_or_file_is_refused() {
    let (w, _) = Work::with_firms(N, 41);
    std::fs::create_dir(w.out("empty")).unwrap();
    w.draw("1", "empty", &[]).0.error(&["empty", "already exists"]);
    assert!(entries(&w.out("empty")).is_empty());
    std::fs::write(w.out("file"), "x").unwrap();
    w.draw("1", "file", &[]).0.error(&["file", "already exists"]);
    assert_eq!(std::fs::read(w.out("file")).unwrap(), b"x");
    assert_eq!(
        entries(&w.root().join("out")),
        vec!["empty".to_string(), "file".to_string()]
    );
}

#[test]
fn missing_parent_folders_are_created() {
    let (w, _) = Work::with_firms(N, 42);
    let out = w.out("2025/batch-1/bundle");
    draw(&w.input("plan.toml"), "1", &out, &[]).ok();
    assert_eq!(
        entries(&out),
        vec!["manifest.json".to_string(), "targets.csv".to_string()]
    );
    verify(&out, &[]).ok();
}

#[test]
fn output_under_a_file_is_an_error() {
    let (w, _) = Work::with_firms(50, 43);
    let out = w.input("enterprises.csv").join("bundle");
    let run = draw(&w.input("plan.toml"), "1", &out, &[]);
    run.error(&["enterprises.csv"]);
    assert_eq!(entries(&w.root().join("in")), ["enterprises.csv", "plan.toml"]);
}

/// A directed draw naming a county that is not in the directory would
/// silently draw nothing there: it is an error naming the key.
#[test]
fn misspelt_county_in_a_directed_draw_is_refused() {
    let (w, _) = Work::with_firms(300, 21);
    w.plan("ratio = \"5%\"\ncounties = [\"凯里市\", \"凯里县\"]");
    let (run, out) = w.draw("s", "b", &[]);
    run.error(&["targets.counties", "凯里县"]);
    assert_no_output(&out);
}

#[test]
fn empty_seed_is_refused() {
    let (w, _) = Work::with_firms(50, 22);
    let (run, out) = w.draw(" ", "b", &[]);
    run.error(&["seed"]);
    assert_no_output(&out);
}

#[test]
fn inputs_read_side_by_side_report_their_errors_in_order() {
    // The history is read while the directory is: when both are bad, the
    // directory's error is the one reported, as when they were read in
    // turn; when only the history is bad, its error is.
    let (w, mut rows) = Work::with_firms(N, 41);
    w.write("history.csv", "uscc,inspected_on\n91522601MA6DXXXX,2025-01-01\n");
    let frame = "enterprises = \"enterprises.csv\"\nhistory = \"history.csv\"";
    let targets = format!("{CLASS_TARGETS}\nexclude_inspected_within_days = 365");
    w.write("plan.toml", plan_text(frame, &targets));
    draw_fails(&w, &[], &["history.csv, line 2, column uscc", "91522601MA6DXXXX"]);
    rows[4].uscc = "91522601MA6DYYYY".into();
    w.enterprises(&rows);
    let run = draw_fails(&w, &[], &["enterprises.csv, line 6, column uscc", "91522601MA6DYYYY"]);
    assert!(!run.stderr.contains("history.csv"), "{}", run.stderr);
}
