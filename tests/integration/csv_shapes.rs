//! A differential test of the enterprise directory's CSV shapes: one set
//! of firms written in many valid shapes (quoting, line ends, a BOM,
//! Chinese header names, column order, extra columns, blank rows, spaces
//! around fields, sizes on either side of the 1 MiB at which files are
//! mapped and cut into pieces read in parallel, GB18030 declared or
//! detected) must draw byte-identical bundles: the same `targets.csv` and
//! `assignments.csv`, and the same `manifest.json` but for the inputs'
//! SHA-256 and encodings (a draw that declares GB18030 reads every input
//! so, and is given the other inputs in GB18030 too).
//!
//! Shapes come from a fixed xorshift generator, so a failure reproduces;
//! the failing shape is printed in full.

use crate::util::*;
use serde_json::Value;
use spotcheck_demo::{DemoConfig, DemoEnterprise, generate};
use std::fmt;
use std::path::{Path, PathBuf};

/// Below this size a file is read whole and copied; from it on, mapped
/// (src/inputs/file_bytes.rs). Files of twice 256 KiB or more are cut
/// into pieces (src/inputs/table.rs).
const MIB: usize = 1 << 20;

/// xorshift64*: small, fixed, enough for choosing shapes.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Utf8,
    Utf8Bom,
    /// GB18030 with `--encoding gb18030`.
    Gb18030Declared,
    /// GB18030 found by its Chinese header (no flag).
    Gb18030Detected,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quoting {
    /// Only fields that need it (a comma, quote or line break).
    Needed,
    /// Every field, header included.
    All,
    /// Each field by a coin toss, and those that need it.
    Some,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineEnds {
    Lf,
    CrLf,
    /// Each row's end by a coin toss.
    Mixed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Size {
    /// As the rows come.
    Natural,
    /// Padded (by an extra column) to exactly this many bytes.
    Exactly(usize),
}

/// One way of writing the directory.
#[derive(Debug, Clone)]
struct Shape {
    /// Which of the test's data sets ("plain", or "special" names with
    /// commas, quotes and line breaks): shown when the shape fails.
    #[allow(dead_code)]
    data: &'static str,
    encoding: Encoding,
    quoting: Quoting,
    line_ends: LineEnds,
    final_line_end: bool,
    /// Spell each known column by an alias (or English in mixed case).
    aliases: bool,
    shuffle_columns: bool,
    /// Extra columns besides the demo's `address` and `registered_on`.
    extra_columns: usize,
    /// One in this many rows is followed by a blank line or a row of
    /// empty fields (0: none).
    blank_rows: usize,
    /// One in this many fields has spaces or a tab around it (0: none).
    spaces: usize,
    /// Status words in another accepted spelling (English, any case).
    status_words: bool,
    size: Size,
    /// The seed of this shape's coin tosses.
    seed: u64,
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self:?}")
    }
}

/// A column as written: its header and its values.
struct Column {
    header: String,
    values: Vec<String>,
}

/// The SPEC §1.1 names: English first, then the accepted aliases.
const NAMES: &[(&str, &[&str])] = &[
    ("uscc", &["统一社会信用代码"]),
    ("name", &["企业名称", "名称"]),
    ("credit_class", &["信用风险分类", "信用风险类别"]),
    ("county", &["所属区县", "区县"]),
    ("industry", &["行业", "所属行业"]),
    ("status", &["登记状态", "经营状态"]),
    ("supervising_area", &["监管片区", "所属片区", "管辖单位"]),
];

/// Other spellings of the demo's status words (SPEC §1.1).
fn other_status(rng: &mut Rng, status: &str) -> String {
    let words: &[&str] = match status {
        "存续" | "在业" | "开业" => &["存续", "在业", "开业", "在营", "active", "Active", "ACTIVE"],
        "注销" => &["注销", "deregistered", "Deregistered"],
        "吊销" => &["吊销", "吊销，未注销", "revoked", "REVOKED"],
        "撤销" => &["撤销", "cancelled", "Cancelled"],
        "迁出" => &["迁出", "moved-out", "moved out", "Moved Out"],
        other => return other.to_string(),
    };
    rng.pick(words).to_string()
}

fn mixed_case(rng: &mut Rng, s: &str) -> String {
    s.chars()
        .map(|c| if rng.chance(2) { c.to_ascii_uppercase() } else { c })
        .collect()
}

/// Some text for an extra column: ASCII and Chinese, now and then with a
/// comma or a quote.
fn filler(rng: &mut Rng) -> String {
    let parts = ["备注", "note", "无", "x", "待核实", "ok", " ", "1", "，", "、"];
    let mut s: String = (0..rng.below(4)).map(|_| *rng.pick(&parts)).collect();
    if rng.chance(20) {
        s.push(',');
    }
    if rng.chance(30) {
        s.push('"');
    }
    s
}

fn needs_quotes(s: &str) -> bool {
    s.contains([',', '"', '\n', '\r'])
}

fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// The columns of `rows` for `shape` (before padding).
fn columns(shape: &Shape, rng: &mut Rng, rows: &[DemoEnterprise]) -> Vec<Column> {
    let detected = shape.encoding == Encoding::Gb18030Detected;
    let mut cols: Vec<Column> = NAMES
        .iter()
        .enumerate()
        .map(|(i, (english, aliases))| {
            let mut header = if shape.aliases && !rng.chance(4) {
                rng.pick(aliases).to_string()
            } else if shape.aliases {
                mixed_case(rng, english)
            } else {
                english.to_string()
            };
            // A GB18030 file is recognised by a Chinese name in its header.
            if detected && i == 0 {
                header = aliases[0].to_string();
            }
            if shape.aliases && rng.chance(5) {
                header = format!(" {header} ");
            }
            let values = rows
                .iter()
                .map(|r| match i {
                    0 => r.uscc.clone(),
                    1 => r.name.clone(),
                    2 => r.credit_class.to_string(),
                    3 => r.county.clone(),
                    4 => r.industry.clone(),
                    5 if shape.status_words => other_status(rng, &r.status),
                    5 => r.status.clone(),
                    _ => r.supervising_area.clone(),
                })
                .collect();
            Column { header, values }
        })
        .collect();
    cols.push(Column {
        header: "address".into(),
        values: rows.iter().map(|r| r.address.clone()).collect(),
    });
    cols.push(Column {
        header: "registered_on".into(),
        values: rows
            .iter()
            .map(|r| r.registered_on.format("%Y-%m-%d").to_string())
            .collect(),
    });
    for k in 0..shape.extra_columns {
        let header = rng
            .pick(&["备注", "联系电话", "extra", "Note", "法定代表人"])
            .to_string();
        cols.push(Column {
            header: format!("{header}{k}"),
            values: rows.iter().map(|_| filler(rng)).collect(),
        });
    }
    if shape.spaces > 0 {
        for c in cols.iter_mut() {
            for v in c.values.iter_mut() {
                if rng.chance(shape.spaces) {
                    let pad = *rng.pick(&[" ", "  ", "\t", " \t"]);
                    *v = match rng.below(3) {
                        0 => format!("{pad}{v}"),
                        1 => format!("{v}{pad}"),
                        _ => format!("{pad}{v}{pad}"),
                    };
                }
            }
        }
    }
    if shape.shuffle_columns {
        rng.shuffle(&mut cols);
    }
    cols
}

/// The text of `cols` in `shape` (UTF-8, before any re-encoding or BOM).
fn render(shape: &Shape, rng: &mut Rng, cols: &[Column]) -> String {
    let field = |s: &str, rng: &mut Rng| -> String {
        let quote = needs_quotes(s)
            || match shape.quoting {
                Quoting::Needed => false,
                Quoting::All => true,
                Quoting::Some => rng.chance(2),
            };
        if quote { quoted(s) } else { s.to_string() }
    };
    let line_end = |rng: &mut Rng| match shape.line_ends {
        LineEnds::Lf => "\n",
        LineEnds::CrLf => "\r\n",
        LineEnds::Mixed => *rng.pick(&["\n", "\r\n"]),
    };
    let n = cols[0].values.len();
    let mut out = String::new();
    let header: Vec<String> = cols.iter().map(|c| field(&c.header, rng)).collect();
    out.push_str(&header.join(","));
    for i in 0..n {
        out.push_str(line_end(rng));
        let row: Vec<String> = cols.iter().map(|c| field(&c.values[i], rng)).collect();
        out.push_str(&row.join(","));
        if shape.blank_rows > 0 && rng.chance(shape.blank_rows) {
            out.push_str(line_end(rng));
            if rng.chance(2) {
                let empty: Vec<String> = cols.iter().map(|_| field("", rng)).collect();
                out.push_str(&empty.join(","));
            }
        }
    }
    if shape.final_line_end {
        out.push_str(line_end(rng));
    }
    out
}

/// The bytes of the text in the shape's encoding.
fn encode(shape: &Shape, text: &str) -> Vec<u8> {
    match shape.encoding {
        Encoding::Utf8 => text.as_bytes().to_vec(),
        Encoding::Utf8Bom => [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(),
        Encoding::Gb18030Declared | Encoding::Gb18030Detected => {
            let (bytes, _, unmappable) = encoding_rs::GB18030.encode(text);
            assert!(!unmappable);
            bytes.into_owned()
        }
    }
}

/// The directory file of `rows` in `shape`.
fn directory_bytes(shape: &Shape, rows: &[DemoEnterprise]) -> Vec<u8> {
    let mut rng = Rng::new(shape.seed);
    let mut cols = columns(shape, &mut rng, rows);
    let Size::Exactly(target) = shape.size else {
        return encode(shape, &render(shape, &mut Rng::new(shape.seed ^ 1), &cols));
    };
    // Pad with a column of ASCII letters (one byte each in every
    // encoding), spread over the rows, to reach exactly `target` bytes.
    let at = rng.below(cols.len() + 1);
    cols.insert(
        at,
        Column {
            header: "padding".into(),
            values: vec![String::new(); rows.len()],
        },
    );
    let base = encode(shape, &render(shape, &mut Rng::new(shape.seed ^ 1), &cols)).len();
    assert!(
        base <= target,
        "{shape}: {base} bytes before padding, more than {target}"
    );
    let extra = target - base;
    let n = rows.len();
    for (i, v) in cols[at].values.iter_mut().enumerate() {
        let len = extra / n + usize::from(i < extra % n);
        *v = "abcdefghijklmnopqrstuvwxyz"
            .chars()
            .cycle()
            .skip(i % 26)
            .take(len)
            .collect();
    }
    let bytes = encode(shape, &render(shape, &mut Rng::new(shape.seed ^ 1), &cols));
    assert_eq!(bytes.len(), target, "{shape}: padding missed its size");
    bytes
}

/// Firms whose names need quoting: line breaks (LF and CRLF) inside,
/// commas, quotes.
fn special(rows: &[DemoEnterprise]) -> Vec<DemoEnterprise> {
    rows.iter()
        .enumerate()
        .map(|(i, r)| {
            let mut r = r.clone();
            let chars: Vec<char> = r.name.chars().collect();
            let (a, b) = chars.split_at(chars.len() / 2);
            let (a, b): (String, String) = (a.iter().collect(), b.iter().collect());
            r.name = match i % 12 {
                0 => format!("{a}\n{b}"),
                3 => format!("{a}\r\n{b}"),
                5 => format!("{a},{b}"),
                7 => format!("{a}\"{b}\""),
                9 => format!("\"{a}\",\n{b}"),
                _ => r.name,
            };
            r
        })
        .collect()
}

const PLAN: &str = r#"[task]
id = "T-CSV-SHAPES"
name = "格式差分测试"
department = "黔东南州市场监督管理局"
start = 2025-03-01
end = 2025-11-30

[frame]
enterprises = "enterprises.csv"
history = "../common/history.csv"

[targets]
stratify_by = ["credit_class", "county"]
ratio = { A = "2%", B = "3%", C = "10%", D = "30%" }
exclude_inspected_within_days = 365

[inspectors]
directory = "../common/inspectors.csv"
conflicts = "../common/conflicts.csv"
team = { "市场监管局" = 2 }
"#;

const SEED: &str = "csv-shapes-2025";

/// A work folder with the other inputs in `utf8/common/` and, encoded
/// as GB18030 for the draws that declare it (`--encoding` applies to
/// every input), in `gb18030/common/`; and the firms.
fn world() -> (Work, Vec<DemoEnterprise>) {
    let w = Work::new();
    let data = generate(&DemoConfig {
        enterprises: 3000,
        inspectors: 300,
        conflicts: 20,
        history: 300,
        seed: 2025,
    });
    let utf8 = w.root().join("utf8/common");
    data.write_to_dir(&utf8).expect("write demo data");
    std::fs::remove_file(utf8.join("enterprises.csv")).expect("remove enterprises.csv");
    for name in ["history.csv", "inspectors.csv", "conflicts.csv"] {
        let text = std::fs::read_to_string(utf8.join(name)).expect("read common input");
        let (bytes, _, unmappable) = encoding_rs::GB18030.encode(&text);
        assert!(!unmappable);
        write_file(&w.root().join("gb18030/common"), name, bytes);
    }
    (w, data.enterprises)
}

/// Draws from `bytes` in its own folder `name/` and gives the bundle.
fn draw_shape(w: &Work, name: &str, bytes: &[u8], encoding_flag: bool, what: &dyn fmt::Display) -> PathBuf {
    let parent = if encoding_flag { "gb18030" } else { "utf8" };
    let dir = w.root().join(parent).join(name);
    write_file(&dir, "enterprises.csv", bytes);
    write_file(&dir, "plan.toml", PLAN);
    let out = dir.join("bundle");
    // Relative paths from the shape's folder, so that the manifests name
    // the same files.
    let mut args = vec!["draw", "--plan", "plan.toml", "--seed", SEED, "--out", "bundle"];
    if encoding_flag {
        args.extend(["--encoding", "gb18030"]);
    }
    let run = spotcheck_in(Some(&dir), args);
    assert_eq!(run.code, 0, "draw failed for {what}:\n{run:?}");
    let v = verify(&out, &[]);
    assert_eq!(v.code, 0, "verify failed for {what}:\n{v:?}");
    out
}

/// The manifest without the inputs' SHA-256 and encodings.
fn comparable_manifest(bundle: &Path) -> Value {
    let text = std::fs::read_to_string(bundle.join("manifest.json")).expect("read manifest.json");
    let mut m: Value = serde_json::from_str(&text).expect("manifest.json is JSON");
    let inputs = m["inputs"].as_object_mut().expect("inputs");
    assert_eq!(inputs.len(), 4, "four inputs recorded");
    for input in inputs.values_mut() {
        let input = input.as_object_mut().expect("an input record");
        input.remove("sha256").expect("sha256 recorded");
        input.remove("encoding").expect("encoding recorded");
    }
    m
}

/// The first line where two texts differ, for messages.
fn first_difference(a: &[u8], b: &[u8]) -> String {
    let (a, b) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
    for (i, (x, y)) in a.lines().zip(b.lines()).enumerate() {
        if x != y {
            return format!("line {}:\n  expected {x:?}\n  got      {y:?}", i + 1);
        }
    }
    format!("lengths differ: {} and {} lines", a.lines().count(), b.lines().count())
}

#[track_caller]
fn assert_same_bundle(reference: &Path, got: &Path, what: &dyn fmt::Display) {
    for file in ["targets.csv", "assignments.csv"] {
        let a = std::fs::read(reference.join(file)).expect("reference file");
        let b = std::fs::read(got.join(file)).expect("shape's file");
        assert!(a == b, "{file} differs for {what}\n{}", first_difference(&a, &b));
    }
    let (a, b) = (comparable_manifest(reference), comparable_manifest(got));
    assert!(
        a == b,
        "manifest.json differs for {what}\n{}",
        first_difference(
            serde_json::to_string_pretty(&a).unwrap().as_bytes(),
            serde_json::to_string_pretty(&b).unwrap().as_bytes()
        )
    );
}

/// A random shape of `data` from `rng`.
fn random_shape(rng: &mut Rng, data: &'static str, size: Size) -> Shape {
    Shape {
        data,
        encoding: *rng.pick(&[
            Encoding::Utf8,
            Encoding::Utf8Bom,
            Encoding::Gb18030Declared,
            Encoding::Gb18030Detected,
        ]),
        quoting: *rng.pick(&[Quoting::Needed, Quoting::All, Quoting::Some]),
        line_ends: *rng.pick(&[LineEnds::Lf, LineEnds::CrLf, LineEnds::Mixed]),
        final_line_end: rng.chance(4) || !rng.chance(3),
        aliases: rng.chance(2),
        shuffle_columns: rng.chance(2),
        extra_columns: rng.below(4),
        blank_rows: *rng.pick(&[0, 0, 50, 500]),
        spaces: *rng.pick(&[0, 0, 10, 100]),
        status_words: rng.chance(2),
        size,
        seed: rng.next(),
    }
}

/// The plain shape: what the demo writes, but through this test's writer.
fn plain(data: &'static str, seed: u64) -> Shape {
    Shape {
        data,
        encoding: Encoding::Utf8,
        quoting: Quoting::Needed,
        line_ends: LineEnds::Lf,
        final_line_end: true,
        aliases: false,
        shuffle_columns: false,
        extra_columns: 0,
        blank_rows: 0,
        spaces: 0,
        status_words: false,
        size: Size::Natural,
        seed,
    }
}

/// The shapes tried on each data set: one change at a time from the
/// plain shape, then the sizes around 1 MiB, then random mixtures.
fn shapes(data: &'static str, rng: &mut Rng) -> Vec<Shape> {
    let p = plain(data, rng.next());
    let mut v = vec![
        p.clone(),
        Shape {
            quoting: Quoting::All,
            ..p.clone()
        },
        Shape {
            quoting: Quoting::Some,
            ..p.clone()
        },
        Shape {
            line_ends: LineEnds::CrLf,
            ..p.clone()
        },
        Shape {
            line_ends: LineEnds::Mixed,
            final_line_end: false,
            ..p.clone()
        },
        Shape {
            encoding: Encoding::Utf8Bom,
            quoting: Quoting::All,
            ..p.clone()
        },
        Shape {
            aliases: true,
            ..p.clone()
        },
        Shape {
            shuffle_columns: true,
            extra_columns: 3,
            ..p.clone()
        },
        Shape {
            blank_rows: 20,
            spaces: 5,
            status_words: true,
            ..p.clone()
        },
        Shape {
            encoding: Encoding::Gb18030Declared,
            ..p.clone()
        },
        Shape {
            encoding: Encoding::Gb18030Detected,
            line_ends: LineEnds::CrLf,
            ..p.clone()
        },
    ];
    // Either side of 1 MiB (copied or mapped), and well over it (many
    // pieces): unquoted and LF, CRLF or mixed, so that the pieces are read
    // in parallel where the data allow it.
    for (i, size) in [MIB - 1, MIB, MIB + 1, 5 * MIB / 2].into_iter().enumerate() {
        let line_ends = [LineEnds::Lf, LineEnds::CrLf, LineEnds::Mixed, LineEnds::CrLf][i];
        v.push(Shape {
            size: Size::Exactly(size),
            line_ends,
            shuffle_columns: true,
            ..p.clone()
        });
        let mut s = random_shape(rng, data, Size::Exactly(size));
        s.quoting = Quoting::Needed;
        v.push(s);
    }
    for _ in 0..8 {
        let size = *rng.pick(&[
            Size::Natural,
            Size::Natural,
            Size::Exactly(MIB - 1),
            Size::Exactly(MIB + 7),
        ]);
        v.push(random_shape(rng, data, size));
    }
    v
}

#[test]
fn every_csv_shape_draws_the_same_bundle() {
    let (w, firms) = world();
    let sets: [(&'static str, Vec<DemoEnterprise>); 2] = [("plain", firms.clone()), ("special", special(&firms))];
    let mut rng = Rng::new(20250301);
    let mut drawn = 0;
    for (data, rows) in &sets {
        // The reference: the demo's own writer (UTF-8, LF, quoted only where
        // needed, English header).
        let reference = draw_shape(&w, &format!("{data}-ref"), &csv_bytes(rows), false, data);
        let targets = read_targets(&reference);
        assert!(targets.len() > 100, "the plan draws enough firms to compare");
        if *data == "special" {
            assert!(
                targets.iter().any(|t| t.name.contains('\n')),
                "some drawn firm has a line break in its name"
            );
        }
        for (i, shape) in shapes(data, &mut rng).into_iter().enumerate() {
            let bytes = directory_bytes(&shape, rows);
            let flag = shape.encoding == Encoding::Gb18030Declared;
            let got = draw_shape(&w, &format!("{data}-{i}"), &bytes, flag, &shape);
            assert_same_bundle(&reference, &got, &shape);
            let encoding = manifest(&got).inputs["enterprises"].encoding.clone();
            let expected = match shape.encoding {
                Encoding::Utf8 | Encoding::Utf8Bom => "utf-8",
                _ => "gb18030",
            };
            assert_eq!(encoding, expected, "recorded encoding for {shape}");
            std::fs::remove_dir_all(got.parent().expect("the shape's folder")).expect("clean up");
            drawn += 1;
        }
    }
    eprintln!("{drawn} shapes drew the reference bundles");
}
