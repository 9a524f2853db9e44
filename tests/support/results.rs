//! Filling in a results template (`spotcheck results template`) the way
//! an office would: shared by the test targets (`#[path]`-included).

#![allow(dead_code)]

use std::path::Path;

/// The results the filled rows get, in turn, with their measure.
pub const RESULTS: [(&str, &str); 3] = [
    ("未发现问题", "无须后续处置"),
    ("通过登记的住所（经营场所）无法联系", "无须后续处置"),
    ("发现问题已责令改正", "责令限期整改"),
];

/// The CSV records of a file, its header first (a UTF-8 byte-order mark
/// dropped).
pub fn records(path: &Path) -> Vec<Vec<String>> {
    let bytes = std::fs::read(path).unwrap();
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let mut r = csv::ReaderBuilder::new().has_headers(false).from_reader(bytes);
    r.records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect()
}

/// Writes CSV records (LF line ends).
pub fn write_records(path: &Path, rows: &[Vec<String>]) {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_path(path)
        .unwrap();
    for r in rows {
        w.write_record(r).unwrap();
    }
    w.flush().unwrap();
}

/// Writes the rows of the template `template` that `pick` takes (by their
/// index among the template's rows), filled in: the window's first day,
/// [`RESULTS`] in turn, every item checked on site. Returns how many.
pub fn fill(template: &Path, out: &Path, pick: impl Fn(usize) -> bool) -> usize {
    let rows = records(template);
    let header = rows[0].clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let mut filled = vec![header.clone()];
    for (_, row) in rows[1..].iter().enumerate().filter(|(i, _)| pick(*i)) {
        let mut r = row.clone();
        let (result, measure) = RESULTS[(filled.len() - 1) % RESULTS.len()];
        r[col("inspected_on")] = r[col("window")].split(" ~ ").next().unwrap().to_string();
        r[col("result")] = result.to_string();
        let mut g = 1;
        while let Some(item) = header.iter().position(|h| *h == format!("item_{g}")) {
            if !r[item].is_empty() {
                r[col(&format!("checked_{g}"))] = "是".into();
                r[col(&format!("method_{g}"))] = "实地检查".into();
                r[col(&format!("measure_{g}"))] = measure.into();
            }
            g += 1;
        }
        filled.push(r);
    }
    write_records(out, &filled);
    filled.len() - 1
}
