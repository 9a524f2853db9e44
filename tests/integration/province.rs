//! A province-sized directory (1,000,000 firms, 188 MB, read in windows):
//! its row order does not change the draw, a bad last row is refused as
//! a small file's is, and Ctrl-C leaves nothing behind.

use crate::util::*;
use std::io::Write;
use std::path::Path;

/// Firms in the directory: enough that it is read in several windows.
const FIRMS: usize = 1_000_000;
const SEED: u64 = 20_250_301;

/// Writes the demo directory of [`FIRMS`] firms as `in/enterprises.csv`
/// and the class plan beside it.
fn province() -> Work {
    let w = Work::new();
    let file = std::fs::File::create(w.input("enterprises.csv")).expect("create");
    spotcheck_demo::write_enterprises_stream(FIRMS, SEED, std::io::BufWriter::new(file)).expect("write");
    w.plan(CLASS_TARGETS);
    w
}

/// The same rows as `from`, header first, the data rows in another order:
/// row `j` of the new file is row `j × 999,983 mod n` of the old (a prime
/// to the number of rows, so every row once).
fn reorder(from: &Path, to: &Path) {
    let text = std::fs::read(from).expect("read");
    let mut lines: Vec<&[u8]> = text.split(|&b| b == b'\n').filter(|l| !l.is_empty()).collect();
    let header = lines.remove(0);
    let n = lines.len();
    let mut out = std::io::BufWriter::new(std::fs::File::create(to).expect("create"));
    out.write_all(header).and_then(|_| out.write_all(b"\n")).expect("write");
    for j in 0..n {
        let row = lines[(j * 999_983) % n];
        out.write_all(row).and_then(|_| out.write_all(b"\n")).expect("write");
    }
    out.flush().expect("flush");
}

#[test]
fn row_order_does_not_change_a_province_draw() {
    let a = province();
    let b = Work::new();
    reorder(&a.input("enterprises.csv"), &b.input("enterprises.csv"));
    b.plan(CLASS_TARGETS);
    let (first, second) = (a.draw_ok("20250301", "bundle"), b.draw_ok("20250301", "bundle"));
    let (first, second) = (snapshot(&first), snapshot(&second));
    assert_eq!(first.keys().collect::<Vec<_>>(), second.keys().collect::<Vec<_>>());
    // Every file is the same, byte for byte; the manifest records the
    // directory's own hash, and the plan's path as given (each work
    // folder's), which are the only things that differ.
    let hash = |w: &Work| spotcheck::base::sha256::sha256_hex(&std::fs::read(w.input("enterprises.csv")).unwrap());
    let (ha, hb) = (hash(&a), hash(&b));
    assert_ne!(ha, hb, "the rows are in another order");
    for (name, bytes) in &first {
        let other = &second[name];
        if name == "manifest.json" {
            let text = String::from_utf8(bytes.clone()).unwrap();
            assert_eq!(text.matches(&ha).count(), 1, "the directory's hash, once");
            let (ra, rb) = (a.root().display().to_string(), b.root().display().to_string());
            let text = text.replace(&ha, &hb).replace(&ra, &rb);
            assert!(text.as_bytes() == other.as_slice(), "manifest.json differs");
        } else {
            assert!(bytes == other, "{name} differs");
        }
    }
    verify(&b.out("bundle"), &[]).ok();
    // The names are read back from the large file in place: each is the
    // name on the firm's own row.
    let text = std::fs::read_to_string(a.input("enterprises.csv")).expect("read");
    let names: std::collections::HashMap<&str, &str> = text
        .lines()
        .skip(1)
        .map(|row| {
            let mut fields = row.split(',');
            (fields.next().unwrap(), fields.next().unwrap())
        })
        .collect();
    let targets = String::from_utf8(first["targets.csv"].clone()).unwrap();
    let mut rows = 0;
    for row in targets.lines().skip(1) {
        let fields: Vec<&str> = row.split(',').collect();
        assert_eq!(names[fields[3]], fields[4], "{row}");
        rows += 1;
    }
    assert!(rows > 10_000, "{rows} targets");
}

#[test]
fn a_province_directory_in_gb18030_draws_as_in_utf8() {
    // The same rows saved as GB18030 (140 MB, its text read in several
    // windows once decoded): the same list, and the manifest records the
    // stored file's own hash.
    let a = province();
    let b = Work::new();
    let text = std::fs::read_to_string(a.input("enterprises.csv")).expect("read");
    let (stored, _, unmappable) = encoding_rs::GB18030.encode(&text);
    assert!(!unmappable);
    b.write("enterprises.csv", &stored);
    b.plan(CLASS_TARGETS);
    let first = a.draw_ok("20250301", "bundle");
    let (run, second) = b.draw("20250301", "bundle", &["--encoding", "gb18030"]);
    run.ok();
    let list = |dir: &Path| std::fs::read(dir.join("targets.csv")).expect("targets.csv");
    assert!(list(&first) == list(&second), "targets.csv differs");
    let manifest = std::fs::read_to_string(second.join("manifest.json")).expect("manifest");
    let hash = spotcheck::base::sha256::sha256_hex(&stored);
    assert!(manifest.contains(&hash), "the stored file's hash {hash}");
    assert!(manifest.contains("gb18030"), "{manifest}");
    verify(&second, &[]).ok();
}

#[test]
fn a_bad_last_row_of_a_province_directory_is_refused_by_line_and_field() {
    let w = province();
    let path = w.input("enterprises.csv");
    let mut text = std::fs::read(&path).expect("read");
    // The last row's credit class becomes one the plan does not know.
    let start = text[..text.len() - 1].iter().rposition(|&b| b == b'\n').unwrap() + 1;
    let row = String::from_utf8(text[start..].to_vec()).unwrap();
    let class = row.split(',').nth(2).unwrap().to_string();
    let bad = row.replacen(&format!(",{class},"), ",E,", 1);
    assert_ne!(row, bad);
    text.truncate(start);
    text.extend_from_slice(bad.as_bytes());
    std::fs::write(&path, text).expect("write");
    let (run, out) = w.draw("20250301", "bundle", &[]);
    let line = format!("line {}", FIRMS + 1);
    run.error(&[&line, "credit_class", "unknown credit class \"E\""]);
    assert_no_output(&out);
}

#[test]
fn ctrl_c_during_a_draw_leaves_no_bundle_and_no_temporary_files() {
    let w = province();
    let out = w.out("bundle");
    let mut child = std::process::Command::new(bin())
        .arg("draw")
        .arg("--plan")
        .arg(w.input("plan.toml"))
        .args(["--seed", "20250301", "--out"])
        .arg(&out)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start the draw");
    // Reading a million firms takes the better part of a second.
    std::thread::sleep(std::time::Duration::from_millis(150));
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let status = child.wait().expect("wait");
    assert_eq!(status.code(), Some(130), "interrupted: {status:?}");
    assert_no_output(&out);
    assert_eq!(entries(&w.root().join("out")), Vec::<String>::new());
}
