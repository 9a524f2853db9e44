//! Helpers shared by the integration tests: temporary work folders with
//! plans and generated directories, and running the real binary.

#![allow(dead_code)]

#[path = "../support/run.rs"]
mod run;

#[path = "../support/results.rs"]
mod results_file;

pub use results_file::*;
pub use run::*;
use spotcheck_demo::{self as demo, DemoEnterprise};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// The repository root (where `plans/` and `data/` are).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `spotcheck draw --plan PLAN --seed SEED --out OUT [extra…]`.
pub fn draw(plan: &Path, seed: &str, out: &Path, extra: &[&str]) -> Run {
    let mut args: Vec<std::ffi::OsString> = vec![
        "draw".into(),
        "--plan".into(),
        plan.into(),
        "--seed".into(),
        seed.into(),
        "--out".into(),
        out.into(),
    ];
    args.extend(extra.iter().map(|a| a.into()));
    spotcheck(args)
}

/// `spotcheck verify DIR [extra…]`.
pub fn verify(dir: &Path, extra: &[&str]) -> Run {
    let mut args: Vec<std::ffi::OsString> = vec!["verify".into(), dir.into()];
    args.extend(extra.iter().map(|a| a.into()));
    spotcheck(args)
}

/// A plan's text with a fixed `[task]`, the given `[frame]` entries and
/// `[targets]` entries (each a TOML body, one `key = value` a line).
pub fn plan_text(frame: &str, targets: &str) -> String {
    format!(
        "[task]\n\
         id = \"TEST-001\"\n\
         name = \"集成测试抽查\"\n\
         department = \"黔东南州市场监督管理局\"\n\
         start = 2025-03-01\n\
         end = 2025-11-30\n\
         items = [\"企业公示信息\"]\n\
         \n\
         [frame]\n\
         {frame}\n\
         \n\
         [targets]\n\
         {targets}\n"
    )
}

/// The `[targets]` body used when a test does not care: strata by class,
/// the Henan ratios.
pub const CLASS_TARGETS: &str =
    "stratify_by = [\"credit_class\"]\nratio = { A = \"1%\", B = \"2%\", C = \"10%\", D = \"30%\" }";

/// Writes `text` as `dir/name` and returns the path.
pub fn write_file(dir: &Path, name: &str, text: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p).expect("create folder");
    }
    std::fs::write(&path, text).expect("write file");
    path
}

/// Writes a plan as `dir/name`.
pub fn write_plan(dir: &Path, name: &str, text: &str) -> PathBuf {
    write_file(dir, name, text)
}

/// `n` demo firms for `seed` (reproducible).
pub fn firms(n: usize, seed: u64) -> Vec<DemoEnterprise> {
    demo::enterprises(n, seed)
}

/// The enterprise CSV of `rows` as spotcheck's demo writes it (UTF-8, LF).
pub fn csv_bytes(rows: &[DemoEnterprise]) -> Vec<u8> {
    let mut out = Vec::new();
    demo::write_enterprises_csv(rows, &mut out).expect("write csv to memory");
    out
}

/// Writes the enterprise CSV of `rows` as `dir/name`.
pub fn write_enterprises(dir: &Path, name: &str, rows: &[DemoEnterprise]) -> PathBuf {
    write_file(dir, name, csv_bytes(rows))
}

/// Generates a directory of `n` firms for `seed` and writes it as
/// `dir/name`.
pub fn directory_csv(dir: &Path, name: &str, n: usize, seed: u64) -> (PathBuf, Vec<DemoEnterprise>) {
    let rows = firms(n, seed);
    (write_enterprises(dir, name, &rows), rows)
}

/// Names in a folder, sorted ("" entries never; hidden ones included).
pub fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Panics if `out` exists or a `.partial-` temporary is left beside it.
#[track_caller]
pub fn assert_no_output(out: &Path) {
    assert!(out.symlink_metadata().is_err(), "{} was left behind", out.display());
    let parent = out.parent().expect("out has a parent");
    let partial: Vec<String> = entries(parent)
        .into_iter()
        .filter(|n| n.contains(".partial-"))
        .collect();
    assert!(
        partial.is_empty(),
        "temporary folders left in {}: {partial:?}",
        parent.display()
    );
}

/// Every file under `dir`, by relative path, with its bytes.
pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).expect("read folder") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).expect("under root").to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).expect("read file"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// The records of a CSV file, after an optional BOM, by header name.
pub fn csv_maps(bytes: &[u8]) -> Vec<BTreeMap<String, String>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(bytes);
    let mut r = csv::Reader::from_reader(bytes);
    let head: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|rec| {
            head.iter()
                .cloned()
                .zip(rec.unwrap().iter().map(String::from))
                .collect()
        })
        .collect()
}

/// The records of the CSV file at `path`, by header name.
pub fn read_csv(path: &Path) -> Vec<BTreeMap<String, String>> {
    csv_maps(&std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

/// One row of `targets.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetRow {
    pub stratum: String,
    pub rank: u64,
    pub ticket: String,
    pub uscc: String,
    pub name: String,
    pub credit_class: String,
    pub county: String,
    pub industry: String,
}

/// The header every `targets.csv` starts with.
pub const TARGETS_HEADER: &str = "stratum,rank,ticket,uscc,name,credit_class,county,industry";

/// Reads a bundle's `targets.csv` (checking its header).
pub fn read_targets(bundle: &Path) -> Vec<TargetRow> {
    let bytes = std::fs::read(bundle.join("targets.csv")).expect("read targets.csv");
    parse_targets(&bytes)
}

/// Parses the bytes of a `targets.csv` (checking its header).
pub fn parse_targets(bytes: &[u8]) -> Vec<TargetRow> {
    let text = std::str::from_utf8(bytes).expect("targets.csv is UTF-8");
    assert_eq!(text.lines().next(), Some(TARGETS_HEADER), "targets.csv header");
    let mut r = csv::Reader::from_reader(bytes);
    r.records()
        .map(|rec| {
            let rec = rec.expect("targets.csv row");
            assert_eq!(rec.len(), 8, "targets.csv row width: {rec:?}");
            TargetRow {
                stratum: rec[0].to_string(),
                rank: rec[1].parse().expect("rank is a number"),
                ticket: rec[2].to_string(),
                uscc: rec[3].to_string(),
                name: rec[4].to_string(),
                credit_class: rec[5].to_string(),
                county: rec[6].to_string(),
                industry: rec[7].to_string(),
            }
        })
        .collect()
}

/// Reads a bundle's manifest through the library.
pub fn manifest(bundle: &Path) -> spotcheck::bundle::manifest::Manifest {
    spotcheck::bundle::manifest::read_manifest(bundle).expect("read manifest.json")
}

/// A temporary work folder: `in/` for inputs and the plan, `out/` for
/// bundles.
pub struct Work {
    pub tmp: TempDir,
}

impl Work {
    pub fn new() -> Work {
        let tmp = tempfile::Builder::new()
            .prefix("spotcheck-it-")
            .tempdir()
            .expect("temp dir");
        std::fs::create_dir_all(tmp.path().join("in")).expect("in/");
        std::fs::create_dir_all(tmp.path().join("out")).expect("out/");
        Work { tmp }
    }

    pub fn root(&self) -> &Path {
        self.tmp.path()
    }

    /// `in/NAME`.
    pub fn input(&self, name: &str) -> PathBuf {
        self.root().join("in").join(name)
    }

    /// `out/NAME`.
    pub fn out(&self, name: &str) -> PathBuf {
        self.root().join("out").join(name)
    }

    /// Writes `in/NAME`.
    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        write_file(&self.root().join("in"), name, bytes)
    }

    /// Writes `in/enterprises.csv` with `rows`.
    pub fn enterprises(&self, rows: &[DemoEnterprise]) -> PathBuf {
        self.write("enterprises.csv", csv_bytes(rows))
    }

    /// Writes `in/plan.toml` reading `in/enterprises.csv`, with the given
    /// `[targets]` body.
    pub fn plan(&self, targets: &str) -> PathBuf {
        self.write("plan.toml", plan_text("enterprises = \"enterprises.csv\"", targets))
    }

    /// A work folder with `n` firms for `seed` and the class plan.
    pub fn with_firms(n: usize, seed: u64) -> (Work, Vec<DemoEnterprise>) {
        let w = Work::new();
        let rows = firms(n, seed);
        w.enterprises(&rows);
        w.plan(CLASS_TARGETS);
        (w, rows)
    }

    /// Draws with `in/plan.toml` into `out/NAME`.
    pub fn draw(&self, seed: &str, name: &str, extra: &[&str]) -> (Run, PathBuf) {
        let out = self.out(name);
        (draw(&self.input("plan.toml"), seed, &out, extra), out)
    }

    /// Draws and panics unless it succeeded.
    pub fn draw_ok(&self, seed: &str, name: &str) -> PathBuf {
        let (run, out) = self.draw(seed, name, &[]);
        run.ok();
        out
    }
}

/// Two valid credit codes whose tickets under `seed` agree in their first
/// `digits` digits, with code order opposite to ticket order (so that a
/// tie broken by code instead of by the full ticket shows).
pub fn colliding_codes(seed: &str, digits: usize) -> (String, String) {
    let s = spotcheck::draw::ticket::SeedHash::new(seed);
    let mut seen: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    for i in 0u64..3_000_000 {
        let code = spotcheck::inputs::uscc::complete(&format!("91522601{i:08}")).expect("valid prefix");
        let t = s.ticket(&code);
        let head = t.as_str()[..2 + digits].to_string();
        if let Some(other) = seen.get(&head) {
            let to = s.ticket(other);
            // `other` has the smaller code; keep the pair if its ticket is larger.
            if to > t {
                return (other.clone(), code);
            }
        } else {
            seen.insert(head, code);
        }
    }
    panic!("no collision found");
}
