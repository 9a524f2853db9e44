//! `spotcheck verify`: passes on an honest bundle, fails (exit 3) on any
//! change to the bundle or its inputs, and says what differs.

use crate::util::*;
use std::path::{Path, PathBuf};

/// A work folder with 600 firms and one honest bundle `out/b`.
fn honest() -> (Work, PathBuf) {
    let (w, _) = Work::with_firms(600, 60);
    w.plan("stratify_by = [\"credit_class\"]\nratio = { A = \"2%\", B = \"5%\", C = \"10%\", D = \"30%\" }");
    let out = w.draw_ok("verify me", "b");
    (w, out)
}

fn edit(path: &Path, f: impl FnOnce(String) -> String) {
    let text = std::fs::read_to_string(path).unwrap();
    std::fs::write(path, f(text)).unwrap();
}

fn edit_lines(path: &Path, f: impl FnOnce(&mut Vec<String>)) {
    edit(path, |text| {
        let mut lines: Vec<String> = text.lines().map(String::from).collect();
        f(&mut lines);
        lines.join("\n") + "\n"
    });
}

/// Edits the manifest as the library's type and writes it back exactly as
/// a draw would, so that only the edited value differs.
fn edit_typed_manifest(bundle: &Path, f: impl FnOnce(&mut spotcheck::bundle::manifest::Manifest)) {
    let mut m = manifest(bundle);
    f(&mut m);
    std::fs::write(bundle.join("manifest.json"), m.to_bytes()).unwrap();
}

/// Edits the manifest as free JSON (keys come out re-ordered).
fn edit_manifest(bundle: &Path, f: impl FnOnce(&mut serde_json::Value)) {
    let path = bundle.join("manifest.json");
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    f(&mut v);
    let mut bytes = serde_json::to_vec_pretty(&v).unwrap();
    bytes.push(b'\n');
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn honest_bundle_verifies_with_the_operator_seed_warning() {
    let (_w, out) = honest();
    let run = verify(&out, &[]);
    run.ok();
    assert!(run.stdout.starts_with("verified"), "{run:?}");
    let m = manifest(&out);
    run.stdout_has(&[&format!(
        "{} targets in {} strata from 600 firms",
        m.totals.targets, m.totals.strata
    )]);
    assert!(
        run.stderr.contains(spotcheck::seed::record::OPERATOR_SEED_WARNING),
        "{run:?}"
    );
    assert!(run.stderr.contains("--seed"), "{run:?}");
}

#[test]
fn verify_does_not_modify_the_bundle() {
    let (_w, out) = honest();
    let before = snapshot(&out);
    verify(&out, &[]).ok();
    verify(&out, &[]).ok();
    assert!(snapshot(&out) == before);
}

#[test]
fn edited_row_fails_and_names_the_line() {
    let (_w, out) = honest();
    let path = out.join("targets.csv");
    edit_lines(&path, |lines| {
        let mut f: Vec<String> = lines[3].split(',').map(String::from).collect();
        f[4] = "某某有限公司".into();
        lines[3] = f.join(",");
    });
    verify(&out, &[]).not_verified(&["targets.csv: differs from the replayed draw", "line 4:", "某某有限公司"]);
}

#[test]
fn replaced_firm_fails() {
    let (_w, out) = honest();
    let rows = read_targets(&out);
    let path = out.join("targets.csv");
    // Put another drawn firm's code on line 2: a favour done by hand.
    let other = rows.last().unwrap().uscc.clone();
    edit_lines(&path, |lines| {
        let mut f: Vec<String> = lines[1].split(',').map(String::from).collect();
        f[3] = other.clone();
        lines[1] = f.join(",");
    });
    verify(&out, &[]).not_verified(&["targets.csv", "line 2:", &other]);
}

#[test]
fn swapped_rows_fail() {
    let (_w, out) = honest();
    let path = out.join("targets.csv");
    edit_lines(&path, |lines| lines.swap(2, 3));
    verify(&out, &[]).not_verified(&["targets.csv", "line 3:", "line 4:"]);
}

#[test]
fn dropped_row_fails() {
    let (_w, out) = honest();
    let path = out.join("targets.csv");
    let n = std::fs::read_to_string(&path).unwrap().lines().count();
    edit_lines(&path, |lines| {
        lines.pop();
    });
    verify(&out, &[]).not_verified(&["targets.csv", &format!("{n} lines expected, {} found", n - 1)]);
}

#[test]
fn crlf_targets_fail() {
    let (_w, out) = honest();
    edit(&out.join("targets.csv"), |t| t.replace('\n', "\r\n"));
    verify(&out, &[]).not_verified(&["targets.csv", "line endings or trailing bytes differ"]);
}

#[test]
fn missing_targets_fail() {
    let (_w, out) = honest();
    std::fs::remove_file(out.join("targets.csv")).unwrap();
    verify(&out, &[]).not_verified(&["targets.csv: missing from the bundle"]);
}

#[test]
fn manifest_k_edit_fails() {
    let (_w, out) = honest();
    let k = manifest(&out).strata[1].k;
    edit_typed_manifest(&out, |m| m.strata[1].k += 1);
    verify(&out, &[]).not_verified(&[
        "manifest.json: differs from the replayed draw",
        &format!(".strata[1].k: expected {k}, found {}", k + 1),
    ]);
}

#[test]
fn manifest_seed_edit_fails() {
    let (_w, out) = honest();
    edit_typed_manifest(&out, |m| m.seed.value = "verify me too".into());
    verify(&out, &[]).not_verified(&["targets.csv: differs", "manifest.json: differs", ".outputs.targets.csv"]);
}

#[test]
fn manifest_seed_note_and_source_are_not_the_operators_to_write() {
    let (_w, out) = honest();
    edit_typed_manifest(&out, |m| m.seed.note = "drawn at the public meeting, notarised".into());
    verify(&out, &[]).not_verified(&["manifest.json: differs", ".seed.note"]);
    let (_w, out) = honest();
    edit_typed_manifest(&out, |m| m.seed.source = "ceremony".into());
    verify(&out, &[]).not_verified(&["unknown seed source \"ceremony\""]);
}

#[test]
fn a_reader_that_goes_away_is_no_panic() {
    // `spotcheck verify DIR | head -c 0`: standard output is closed before
    // anything is written; the verdict is still the exit code.
    let (_w, out) = honest();
    let mut child = std::process::Command::new(bin())
        .arg("verify")
        .arg(&out)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run spotcheck");
    drop(child.stdout.take());
    let done = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&done.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(done.status.code(), Some(0), "{stderr}");
}

#[test]
fn manifest_junk_fails() {
    let (_w, out) = honest();
    edit_manifest(&out, |v| v["approved_by"] = "局长".into());
    verify(&out, &[]).not_verified(&["manifest.json", "approved_by"]);

    let (_w, out) = honest();
    edit_manifest(&out, |v| v["strata"][0]["note"] = "junk".into());
    verify(&out, &[]).not_verified(&["manifest.json", "note"]);

    let (_w, out) = honest();
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(out.join("manifest.json"))
        .unwrap();
    std::io::Write::write_all(&mut f, b"{\"more\": 1}\n").unwrap();
    verify(&out, &[]).not_verified(&["manifest.json"]);

    let (_w, out) = honest();
    edit(&out.join("manifest.json"), |t| t.replace("  ", "    "));
    verify(&out, &[]).not_verified(&["manifest.json", "same values, different bytes"]);

    let (_w, out) = honest();
    std::fs::write(out.join("manifest.json"), "not json").unwrap();
    verify(&out, &[]).not_verified(&["manifest.json", "not a spotcheck manifest"]);
}

#[test]
fn manifest_plan_edits_fail() {
    // The plan text changed without its hash.
    let (_w, out) = honest();
    edit_typed_manifest(&out, |m| {
        m.plan.text = m.plan.text.replace("D = \"30%\"", "D = \"40%\"")
    });
    verify(&out, &[]).not_verified(&["plan text in manifest.json does not match its SHA-256"]);

    // The plan text and its hash changed together: the replay differs.
    let (_w, out) = honest();
    edit_typed_manifest(&out, |m| {
        m.plan.text = m.plan.text.replace("D = \"30%\"", "D = \"40%\"");
        m.plan.sha256 = spotcheck::base::sha256::sha256_hex(m.plan.text.as_bytes());
    });
    verify(&out, &[]).not_verified(&["targets.csv: differs", "manifest.json: differs"]);

    // A plan that no longer parses.
    let (_w, out) = honest();
    edit_typed_manifest(&out, |m| {
        m.plan.text = m.plan.text.replace("[targets]", "[targets]\nbogus = 1");
        m.plan.sha256 = spotcheck::base::sha256::sha256_hex(m.plan.text.as_bytes());
    });
    verify(&out, &[]).not_verified(&["does not parse", "bogus"]);
}

#[test]
fn other_spec_version_fails() {
    let (_w, out) = honest();
    edit_typed_manifest(&out, |m| m.spec_version = "spotcheck-draw/2".into());
    verify(&out, &[]).not_verified(&["spec_version", "spotcheck-draw/2"]);
}

#[test]
fn appended_firm_in_the_input_fails_and_names_the_hash() {
    let (w, out) = honest();
    let recorded = manifest(&out).inputs["enterprises"].sha256.clone();
    // A new, valid firm (row 601 of the same generator).
    let extra = firms(601, 60).pop().unwrap();
    let mut line = csv_bytes(std::slice::from_ref(&extra));
    let body = line.split_off(line.iter().position(|&b| b == b'\n').unwrap() + 1);
    let path = w.input("enterprises.csv");
    let mut f = std::fs::OpenOptions::new().append(true).open(&path).unwrap();
    std::io::Write::write_all(&mut f, &body).unwrap();
    drop(f);
    let found = spotcheck::base::sha256::sha256_hex(&std::fs::read(&path).unwrap());
    verify(&out, &[]).not_verified(&[
        "input enterprises (",
        "enterprises.csv) has changed",
        &format!("SHA-256 recorded {recorded}, found {found}"),
    ]);
}

#[test]
fn appended_invalid_line_in_the_input_fails() {
    let (w, out) = honest();
    let path = w.input("enterprises.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let last = text.lines().last().unwrap().to_string();
    std::fs::write(&path, format!("{text}{last}\n")).unwrap();
    verify(&out, &[]).not_verified(&[
        "input enterprises",
        "has changed",
        "input no longer valid",
        "appears twice",
    ]);
}

#[test]
fn blank_line_appended_to_the_input_fails() {
    let (w, out) = honest();
    let path = w.input("enterprises.csv");
    edit(&path, |t| t + "\n");
    verify(&out, &[]).not_verified(&["input enterprises", "has changed"]);
}

#[test]
fn extra_file_in_the_bundle_fails() {
    let (_w, out) = honest();
    std::fs::write(out.join("notes.txt"), "looks harmless").unwrap();
    verify(&out, &[]).not_verified(&["notes.txt: not a file that a draw writes"]);

    let (_w, out) = honest();
    std::fs::create_dir(out.join("extra")).unwrap();
    std::fs::write(out.join("extra/targets.csv"), "x").unwrap();
    verify(&out, &[]).not_verified(&["extra/targets.csv: not a file that a draw writes"]);
}

#[test]
fn moved_input_is_found_with_the_flag() {
    let (w, out) = honest();
    let moved = w.root().join("archive/2025/enterprises.csv");
    std::fs::create_dir_all(moved.parent().unwrap()).unwrap();
    std::fs::rename(w.input("enterprises.csv"), &moved).unwrap();
    verify(&out, &[]).error(&[
        "enterprises input recorded in the manifest is not here",
        "--enterprises",
    ]);
    let run = verify(&out, &["--enterprises", moved.to_str().unwrap()]);
    run.ok();
    assert!(run.stdout.starts_with("verified"));

    // The flag does not let another file pass.
    let other = w.root().join("other.csv");
    std::fs::write(&other, csv_bytes(&firms(600, 61))).unwrap();
    verify(&out, &["--enterprises", other.to_str().unwrap()]).not_verified(&["input enterprises", "has changed"]);
}

#[test]
fn moved_bundle_with_its_inputs_still_verifies() {
    let (w, out) = honest();
    let new_root = w.root().join("copied");
    std::fs::create_dir_all(new_root.join("in")).unwrap();
    std::fs::create_dir_all(new_root.join("out")).unwrap();
    std::fs::rename(w.input("enterprises.csv"), new_root.join("in/enterprises.csv")).unwrap();
    std::fs::rename(&out, new_root.join("out/b")).unwrap();
    verify(&new_root.join("out/b"), &[]).ok();
}

#[test]
fn not_a_bundle_is_an_error() {
    let w = Work::new();
    verify(&w.root().join("out"), &[]).error(&["no manifest.json here"]);
    verify(&w.root().join("nowhere"), &[]).error(&["no manifest.json here"]);
}

/// A manifest whose seed source is relabelled from `operator` must not
/// verify silently: the relabelling hides that the operator chose the seed.
#[test]
fn relabelled_seed_source_does_not_verify_silently() {
    let (_w, out) = honest();
    edit_typed_manifest(&out, |m| {
        m.seed.source = "ceremony".into();
        m.seed.note = "drand quicknet round 657413, fixed in advance".into();
    });
    let run = verify(&out, &[]);
    assert!(
        run.code == 3 || run.stderr.contains(spotcheck::seed::record::OPERATOR_SEED_WARNING),
        "a relabelled operator seed verified without warning:\n{run:?}"
    );
}

#[test]
fn bundle_drawn_with_override_flags_verifies() {
    let (w, _) = honest();
    // The plan names in/enterprises.csv; the draw reads another file.
    let other = w.write("another/directory.csv", csv_bytes(&firms(700, 62)));
    let (run, out) = w.draw("flags", "flagged", &["--enterprises", other.to_str().unwrap()]);
    run.ok();
    let m = manifest(&out);
    assert_eq!(m.inputs["enterprises"].path, "../../in/another/directory.csv");
    assert_eq!(m.totals.directory_rows, 700);
    verify(&out, &[]).ok();
    // Changing the file the plan names does not matter; changing the one
    // that was read does.
    std::fs::write(w.input("enterprises.csv"), "junk").unwrap();
    verify(&out, &[]).ok();
    edit(&other, |t| t.replacen("\n", "\n\n", 1));
    verify(&out, &[]).not_verified(&["input enterprises", "another/directory.csv", "has changed"]);
}
