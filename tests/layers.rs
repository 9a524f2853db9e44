//! The library's folders are layers, and imports run one way: down.
//!
//! This test reads `src/`, lists every reference from one module file to
//! another (`crate::…`, `super::…`, `self::…` and paths through a child
//! module of `mod.rs`), and fails on an edge that runs up the layer order,
//! an edge between two folders of the same rank, an edge into the crate
//! root, a folder missing from the order, or a circle of files or folders.
//!
//! `src/lib.rs` and `src/main.rs` are the top: they may use every layer and
//! are not checked themselves.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fs;
use std::io;
use std::path::Path;

/// The layers, each a folder of `src/`, with their rank. A folder may use
/// a folder of lower rank, and itself; never one of equal or higher rank.
const LAYERS: &[(&str, u32)] = &[
    ("base", 0), // what every layer may use
    ("inputs", 1),
    ("draw", 2),
    ("seed", 3),
    ("bundle", 4),
    ("results", 5),
    ("public", 6),
    ("office", 6),
];

/// The crate root: the file `crate::x` means when no module `x` exists.
const ROOT_FILE: &str = "src/lib.rs";

/// The binary's root: outside the library, and not checked.
const BINARY_FILE: &str = "src/main.rs";

/// The name the crate root goes by in the folder edges.
const ROOT_LAYER: &str = "lib.rs";

#[test]
fn imports_run_one_way_down() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let findings = check_layers(&src).expect("read src/");
    assert!(findings.layers.len() > 1, "no layer folders found in {}", src.display());

    println!("folder edges (number of file pairs):");
    for ((from, to), count) in &findings.folder_edges {
        println!("  {from} -> {to} ({count})");
    }
    assert!(
        findings.problems.is_empty(),
        "imports must run one way down the layers {LAYERS:?}:\n  {}",
        findings.problems.join("\n  ")
    );
}

/// What [`check_layers`] found in a source tree.
#[derive(Debug, Default)]
struct Findings {
    /// The layers present, from the folders and files of `src/`.
    layers: BTreeSet<String>,
    /// Every reference from one file to another, as `src/…` names.
    file_edges: BTreeSet<(String, String)>,
    /// Folder to folder, with the number of file pairs behind each.
    folder_edges: BTreeMap<(String, String), usize>,
    /// Everything that breaks the order, one line each.
    problems: Vec<String>,
}

/// Reads the source tree at `src` and checks it against [`LAYERS`].
fn check_layers(src: &Path) -> io::Result<Findings> {
    let modules = module_files(src)?;
    let mut findings = Findings::default();

    for entry in fs::read_dir(src)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            findings.layers.insert(entry.file_name().to_string_lossy().into_owned());
        }
    }
    findings
        .layers
        .extend(modules.keys().filter_map(|path| path.first().cloned()));
    for layer in &findings.layers {
        if rank(layer).is_none() {
            let problem = if src.join(layer).is_dir() {
                format!("folder src/{layer} is not in the layer order: place it in LAYERS")
            } else {
                format!("src/{layer}.rs is outside the layer folders: move it into one")
            };
            findings.problems.push(problem);
        }
    }

    for (path, file) in &modules {
        if file == ROOT_FILE {
            continue;
        }
        let code = fs::read_to_string(src.join(file.trim_start_matches("src/")))?;
        let is_module = |candidate: &[String]| modules.contains_key(candidate);
        for reference in references(&code, path, &is_module) {
            let target = resolve(&modules, &reference);
            if target != file {
                findings.file_edges.insert((file.clone(), target.to_string()));
            }
        }
    }

    for (from, to) in &findings.file_edges {
        let (from_layer, to_layer) = (layer_of(from), layer_of(to));
        if from_layer == to_layer {
            continue;
        }
        *findings
            .folder_edges
            .entry((from_layer.to_string(), to_layer.to_string()))
            .or_default() += 1;
        if to_layer == ROOT_LAYER {
            findings
                .problems
                .push(format!("{from} -> {to} ({from_layer} may not use the crate root)"));
        } else if let (Some(from_rank), Some(to_rank)) = (rank(from_layer), rank(to_layer))
            && to_rank >= from_rank
        {
            findings
                .problems
                .push(format!("{from} -> {to} ({from_layer} may not use {to_layer})"));
        }
    }

    let file_graph = graph(
        findings
            .file_edges
            .iter()
            .map(|(from, to)| (from.as_str(), to.as_str())),
    );
    for circle in circles(&file_graph) {
        findings.problems.push(format!("circle: {}", circle.join(" -> ")));
    }
    let folder_graph = graph(
        findings
            .folder_edges
            .keys()
            .map(|(from, to)| (from.as_str(), to.as_str())),
    );
    for circle in circles(&folder_graph) {
        findings
            .problems
            .push(format!("folder circle: {}", circle.join(" -> ")));
    }
    Ok(findings)
}

/// The rank of a layer in [`LAYERS`], if it has one.
fn rank(layer: &str) -> Option<u32> {
    LAYERS.iter().find(|(name, _)| *name == layer).map(|(_, rank)| *rank)
}

/// The layer of a file named `src/…`: its folder, or the crate root.
fn layer_of(file: &str) -> &str {
    if file == ROOT_FILE {
        return ROOT_LAYER;
    }
    let inside = file.trim_start_matches("src/");
    match inside.split_once('/') {
        Some((folder, _)) => folder,
        None => inside.trim_end_matches(".rs"),
    }
}

/// Every `.rs` file of the library by its module path: `src/draw/ticket.rs`
/// is `["draw", "ticket"]`, `src/draw/mod.rs` is `["draw"]` and `src/lib.rs`
/// is `[]`. `src/main.rs` is left out; files of other kinds are ignored.
fn module_files(src: &Path) -> io::Result<BTreeMap<Vec<String>, String>> {
    let mut modules = BTreeMap::new();
    let mut folders = vec![Vec::<String>::new()];
    while let Some(folder) = folders.pop() {
        let dir = folder.iter().fold(src.to_path_buf(), |dir, part| dir.join(part));
        for entry in fs::read_dir(&dir)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let mut path = folder.clone();
            if entry.file_type()?.is_dir() {
                path.push(name);
                folders.push(path);
                continue;
            }
            let Some(stem) = name.strip_suffix(".rs") else { continue };
            let file = format!(
                "src/{}",
                folder.iter().chain([&name]).cloned().collect::<Vec<_>>().join("/")
            );
            if file == BINARY_FILE {
                continue;
            }
            let is_folder_file = stem == "mod" || (folder.is_empty() && stem == "lib");
            if !is_folder_file {
                path.push(stem.to_string());
            }
            modules.insert(path, file);
        }
    }
    Ok(modules)
}

/// The file a module path lands in: the longest prefix of it that is a
/// module file (`crate::inputs::plan::Plan` is `src/inputs/plan.rs`,
/// `crate::inputs::Inputs` is `src/inputs/mod.rs`), else the crate root.
fn resolve<'a>(modules: &'a BTreeMap<Vec<String>, String>, path: &[String]) -> &'a str {
    (0..=path.len())
        .rev()
        .find_map(|len| modules.get(&path[..len]))
        .map_or(ROOT_FILE, String::as_str)
}

/// A piece of Rust code, with comments, whitespace and literals left out.
#[derive(Debug, Clone, PartialEq)]
enum Token {
    /// An identifier, keyword or number.
    Word(String),
    /// `::`
    PathSep,
    /// `{`
    Open,
    /// `}`
    Close,
    /// `,`
    Comma,
    /// `*`
    Star,
    /// Any other punctuation.
    Other(char),
}

/// Splits code into tokens. Comments (line, doc and nested block comments),
/// string literals (plain, byte, C and raw) and char literals are dropped,
/// so that text inside them is never read as code. A `'` starts a char
/// literal when it is followed by an escape or by one character and a `'`;
/// otherwise it starts a lifetime or a label, which is dropped too.
fn tokens(code: &str) -> Vec<Token> {
    let chars: Vec<char> = code.chars().collect();
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    let is_word_char = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            _ if c.is_whitespace() => i += 1,
            '/' if at(i + 1) == '/' => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '/' if at(i + 1) == '*' => {
                let mut depth = 0;
                while i < chars.len() {
                    if at(i) == '/' && at(i + 1) == '*' {
                        depth += 1;
                        i += 2;
                    } else if at(i) == '*' && at(i + 1) == '/' {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
            }
            '"' => i = after_string(&chars, i),
            '\'' if at(i + 1) == '\\' => {
                i += 3;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
            }
            '\'' if at(i + 2) == '\'' => i += 3,
            '\'' => {
                i += 1;
                while is_word_char(at(i)) {
                    i += 1;
                }
            }
            _ if is_word_char(c) => {
                let start = i;
                while is_word_char(at(i)) {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                let mut hashes = 0;
                while at(i + hashes) == '#' {
                    hashes += 1;
                }
                let raw_prefix = matches!(word.as_str(), "r" | "br" | "cr");
                if raw_prefix && at(i + hashes) == '"' {
                    i = after_raw_string(&chars, i + hashes, hashes);
                } else if word == "r" && hashes == 1 && is_word_char(at(i + 1)) {
                    // A raw identifier, `r#name`.
                    let start = i + 1;
                    i = start;
                    while is_word_char(at(i)) {
                        i += 1;
                    }
                    out.push(Token::Word(chars[start..i].iter().collect()));
                } else {
                    out.push(Token::Word(word));
                }
            }
            ':' if at(i + 1) == ':' => {
                out.push(Token::PathSep);
                i += 2;
            }
            _ => {
                out.push(match c {
                    '{' => Token::Open,
                    '}' => Token::Close,
                    ',' => Token::Comma,
                    '*' => Token::Star,
                    _ => Token::Other(c),
                });
                i += 1;
            }
        }
    }
    out
}

/// The position after the string literal whose opening `"` is at `open`.
fn after_string(chars: &[char], open: usize) -> usize {
    let mut i = open + 1;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            '"' => return i + 1,
            _ => i += 1,
        }
    }
    i
}

/// The position after the raw string whose opening `"` is at `open` and
/// which closes with a `"` and `hashes` times `#`.
fn after_raw_string(chars: &[char], open: usize, hashes: usize) -> usize {
    let mut i = open + 1;
    while i < chars.len() {
        if chars[i] == '"' && chars[i + 1..].iter().take(hashes).filter(|&&c| c == '#').count() == hashes {
            return i + 1 + hashes;
        }
        i += 1;
    }
    i
}

/// Every module path the code of the file with module path `here` refers
/// to, as full paths from the crate root (unresolved; they may run past the
/// module into items).
///
/// A path is read where it starts: at `crate::`, `super::`, `self::`, or a
/// name followed by `::` that `is_module` knows as a child of the current
/// module or of one of its enclosing modules in the same file (so
/// `pub use ticket::Ticket;` in `src/draw/mod.rs` refers to
/// `src/draw/ticket.rs`; other names, such as `std::`, are other crates).
/// Grouped imports are followed to every leaf.
///
/// `super` and `self` are taken relative to the module they appear in: the
/// file's module, or an inline `mod name { … }` block inside it, whose
/// braces are tracked. So `use super::*;` inside `mod tests { … }` of
/// `src/draw/ticket.rs` means `draw::ticket`, the file itself, and is no
/// edge; in `src/draw/ticket.rs` itself, `super::frame` means `draw::frame`;
/// in `src/draw/mod.rs`, `super::` is the crate root.
fn references(code: &str, here: &[String], is_module: &dyn Fn(&[String]) -> bool) -> Vec<Vec<String>> {
    let tokens = tokens(code);
    let word = |i: usize| match tokens.get(i) {
        Some(Token::Word(word)) => Some(word.as_str()),
        _ => None,
    };
    let is_sep = |i: usize| tokens.get(i) == Some(&Token::PathSep);

    let mut found = Vec::new();
    let mut depth = 0;
    // Inline modules open at this point, with the brace depth inside each.
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let scope: Vec<String> = here
            .iter()
            .cloned()
            .chain(inline.iter().map(|(name, _)| name.clone()))
            .collect();
        match &tokens[i] {
            Token::Word(keyword) if keyword == "mod" => {
                if let (Some(name), Some(Token::Open)) = (word(i + 1), tokens.get(i + 2)) {
                    depth += 1;
                    inline.push((name.to_string(), depth));
                    i += 3;
                    continue;
                }
            }
            Token::Open => depth += 1,
            Token::Close => {
                if inline.last().is_some_and(|(_, inside)| *inside == depth) {
                    inline.pop();
                }
                depth = depth.saturating_sub(1);
            }
            Token::Word(first) if is_sep(i + 1) && !(i > 0 && is_sep(i - 1)) => {
                let start = match first.as_str() {
                    "crate" => Some((Vec::new(), i + 2)),
                    "self" => Some((scope.clone(), i + 2)),
                    "super" => {
                        let mut base = scope.clone();
                        base.pop();
                        let mut next = i + 2;
                        while word(next) == Some("super") && is_sep(next + 1) {
                            base.pop();
                            next += 2;
                        }
                        Some((base, next))
                    }
                    _ => (here.len()..=scope.len()).rev().find_map(|len| {
                        let mut child = scope[..len].to_vec();
                        child.push(first.clone());
                        is_module(&child).then(|| (scope[..len].to_vec(), i))
                    }),
                };
                if let Some((base, next)) = start {
                    let (paths, end) = use_tree(&tokens, next, base);
                    found.extend(paths);
                    i = end.max(i + 1);
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    found
}

/// Reads the rest of a path or import tree starting at token `start`,
/// below `prefix`: `a::b`, `a::{b, c::{self, d as e}}`, `a::*`. Returns
/// every path it names and the position after it.
fn use_tree(tokens: &[Token], start: usize, prefix: Vec<String>) -> (Vec<Vec<String>>, usize) {
    let mut path = prefix;
    let mut i = start;
    loop {
        match tokens.get(i) {
            Some(Token::Word(segment)) => {
                if segment != "self" {
                    path.push(segment.clone());
                }
                i += 1;
                if tokens.get(i) == Some(&Token::PathSep) {
                    i += 1;
                    continue;
                }
                if tokens.get(i) == Some(&Token::Word("as".into())) {
                    i += 2;
                }
                return (vec![path], i);
            }
            Some(Token::Star) => return (vec![path], i + 1),
            Some(Token::Open) => {
                i += 1;
                let mut paths = Vec::new();
                loop {
                    match tokens.get(i) {
                        None => break,
                        Some(Token::Close) => {
                            i += 1;
                            break;
                        }
                        Some(Token::Comma) => i += 1,
                        Some(_) => {
                            let (inner, end) = use_tree(tokens, i, path.clone());
                            paths.extend(inner);
                            i = end.max(i + 1);
                        }
                    }
                }
                return (paths, i);
            }
            _ => return (vec![path], i),
        }
    }
}

/// A directed graph from its edges.
fn graph<'a>(edges: impl Iterator<Item = (&'a str, &'a str)>) -> BTreeMap<&'a str, BTreeSet<&'a str>> {
    let mut graph: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (from, to) in edges {
        graph.entry(from).or_default().insert(to);
    }
    graph
}

/// The circles of a graph: for every node on some circle, a shortest circle
/// through it, written from its first node (in sorted order) back to it.
/// Each circle is listed once.
fn circles(graph: &BTreeMap<&str, BTreeSet<&str>>) -> BTreeSet<Vec<String>> {
    let mut found = BTreeSet::new();
    for &start in graph.keys() {
        // Breadth first from `start`, remembering how each node was reached.
        let mut reached_from: BTreeMap<&str, &str> = BTreeMap::new();
        let mut queue = VecDeque::from([start]);
        let mut last = None;
        'search: while let Some(node) = queue.pop_front() {
            for &next in graph.get(node).into_iter().flatten() {
                if next == start {
                    last = Some(node);
                    break 'search;
                }
                if !reached_from.contains_key(next) {
                    reached_from.insert(next, node);
                    queue.push_back(next);
                }
            }
        }
        let Some(mut node) = last else { continue };
        let mut circle = vec![node];
        while node != start {
            node = reached_from[node];
            circle.push(node);
        }
        circle.reverse();
        let first = (0..circle.len()).min_by_key(|&k| circle[k]).unwrap_or(0);
        circle.rotate_left(first);
        circle.push(circle[0]);
        found.insert(circle.into_iter().map(String::from).collect());
    }
    found
}

/// A source tree in a temporary folder: `files` are paths under `src/`
/// with their text. `lib.rs` is added.
fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary folder");
    let src = dir.path().join("src");
    for (name, text) in [("lib.rs", "")].iter().chain(files) {
        let file = src.join(name);
        fs::create_dir_all(file.parent().expect("parent")).expect("create folder");
        fs::write(file, text).expect("write file");
    }
    dir
}

/// Checks a tree made by [`tree`].
fn check_tree(files: &[(&str, &str)]) -> Findings {
    let dir = tree(files);
    check_layers(&dir.path().join("src")).expect("check")
}

/// The file edges as `from -> to` lines, for short assertions.
fn edge_lines(findings: &Findings) -> Vec<String> {
    findings
        .file_edges
        .iter()
        .map(|(from, to)| format!("{from} -> {to}"))
        .collect()
}

#[test]
fn an_upward_edge_is_caught() {
    let findings = check_tree(&[
        ("base/mod.rs", "pub mod fx;"),
        ("base/fx.rs", "use crate::draw::ticket::Ticket;"),
        ("draw/mod.rs", "pub mod ticket;"),
        ("draw/ticket.rs", "use crate::base::fx;\npub struct Ticket;"),
    ]);
    assert_eq!(
        findings.problems,
        [
            "src/base/fx.rs -> src/draw/ticket.rs (base may not use draw)",
            "circle: src/base/fx.rs -> src/draw/ticket.rs -> src/base/fx.rs",
            "folder circle: base -> draw -> base",
        ]
    );
    assert_eq!(findings.folder_edges.get(&("draw".into(), "base".into())), Some(&1));
}

#[test]
fn public_and_office_may_not_use_each_other() {
    let findings = check_tree(&[
        ("public/mod.rs", "pub mod page;"),
        ("public/page.rs", "fn f() { crate::office::notices::write(); }"),
        ("office/mod.rs", "pub mod notices;"),
        ("office/notices.rs", "pub fn write() {}"),
    ]);
    assert_eq!(
        findings.problems,
        ["src/public/page.rs -> src/office/notices.rs (public may not use office)"]
    );
}

#[test]
fn a_circle_inside_one_folder_is_caught() {
    let findings = check_tree(&[
        ("office/mod.rs", "pub mod calendar;\npub mod notices;"),
        ("office/notices.rs", "use super::calendar::Day;\npub struct Notice;"),
        ("office/calendar.rs", "pub struct Day(crate::office::notices::Notice);"),
    ]);
    assert_eq!(
        findings.problems,
        ["circle: src/office/calendar.rs -> src/office/notices.rs -> src/office/calendar.rs"]
    );
}

#[test]
fn grouped_imports_are_followed_to_every_leaf() {
    let findings = check_tree(&[
        ("inputs/mod.rs", "pub mod plan;\npub mod table;\npub struct Inputs;"),
        ("inputs/plan.rs", ""),
        ("inputs/table.rs", ""),
        ("draw/mod.rs", "pub mod ticket;"),
        ("draw/ticket.rs", ""),
        (
            "bundle/make.rs",
            "use crate::{draw::ticket::Ticket, inputs::{plan::{self, Plan}, table as t}};\n\
             use crate::inputs::{self, *};",
        ),
    ]);
    assert_eq!(
        edge_lines(&findings),
        [
            "src/bundle/make.rs -> src/draw/ticket.rs",
            "src/bundle/make.rs -> src/inputs/mod.rs",
            "src/bundle/make.rs -> src/inputs/plan.rs",
            "src/bundle/make.rs -> src/inputs/table.rs",
        ]
    );
    assert_eq!(findings.folder_edges.get(&("bundle".into(), "inputs".into())), Some(&3));
    // `bundle` has no `mod.rs` here; that is for the compiler to catch.
    assert!(findings.problems.is_empty(), "{:?}", findings.problems);
}

#[test]
fn comments_and_literals_do_not_count() {
    let code = r###"
        //! See crate::draw::ticket.
        /// Like crate::draw::ticket::Ticket.
        // use crate::draw::ticket;
        /* crate::draw::ticket /* nested crate::draw */ crate::draw::ticket */
        fn f<'a>(s: &'a str) -> &'static str {
            let _ = ("crate::draw::ticket", "\"crate::draw\"", b"crate::draw", c"crate::draw");
            let _ = (r"crate::draw", r#"a "quoted" crate::draw::ticket"#, br##"crate::draw"##);
            let _ = ('"', '\'', '\u{7b}', b'{', '{', 'x');
            let _ = s; 'outer: loop { break 'outer; }
            crate::base::fx::hash()
        }
    "###;
    let findings = check_tree(&[
        ("base/mod.rs", "pub mod fx;\npub mod read;"),
        ("base/fx.rs", "pub fn hash() {}"),
        ("base/read.rs", code),
        ("draw/mod.rs", "pub mod ticket;"),
        ("draw/ticket.rs", ""),
    ]);
    assert_eq!(edge_lines(&findings), ["src/base/read.rs -> src/base/fx.rs"]);
    assert!(findings.problems.is_empty(), "{:?}", findings.problems);
}

#[test]
fn super_and_self_are_read_relative_to_their_module() {
    let findings = check_tree(&[
        ("inputs/mod.rs", "pub mod plan;\npub struct Inputs;"),
        ("inputs/plan.rs", ""),
        (
            "draw/mod.rs",
            "mod frame;\npub mod ticket;\npub use self::ticket::Ticket;\nuse super::inputs::Inputs;\n\
             pub use frame::Frame;",
        ),
        (
            "draw/frame.rs",
            "use super::ticket;\nmod inner { use super::super::ticket::Ticket; }",
        ),
        (
            "draw/ticket.rs",
            "use self::inner::X;\npub struct Ticket;\n\
             #[cfg(test)]\nmod tests { use super::*; fn g() { super::Ticket; } }",
        ),
    ]);
    assert_eq!(
        edge_lines(&findings),
        [
            "src/draw/frame.rs -> src/draw/ticket.rs",
            "src/draw/mod.rs -> src/draw/frame.rs",
            "src/draw/mod.rs -> src/draw/ticket.rs",
            "src/draw/mod.rs -> src/inputs/mod.rs",
        ]
    );
    assert!(findings.problems.is_empty(), "{:?}", findings.problems);
}

#[test]
fn an_edge_into_the_crate_root_is_caught() {
    let findings = check_tree(&[
        ("draw/mod.rs", "pub mod frame;\nuse super::*;"),
        ("draw/frame.rs", "fn f() -> usize { crate::processors() }"),
    ]);
    assert_eq!(
        findings.problems,
        [
            "src/draw/frame.rs -> src/lib.rs (draw may not use the crate root)",
            "src/draw/mod.rs -> src/lib.rs (draw may not use the crate root)",
        ]
    );
}

#[test]
fn a_folder_outside_the_order_is_caught() {
    let findings = check_tree(&[
        ("base/mod.rs", ""),
        ("extra/mod.rs", "pub mod more;"),
        ("extra/more.rs", "use crate::base;"),
        ("stray.rs", ""),
        ("public/page/page.js", "crate::office::x"),
    ]);
    assert_eq!(
        findings.problems,
        [
            "folder src/extra is not in the layer order: place it in LAYERS",
            "src/stray.rs is outside the layer folders: move it into one",
        ]
    );
}

#[test]
fn circles_are_found_once_each() {
    let graph = graph([("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("d", "d"), ("e", "a")].into_iter());
    let found: Vec<String> = circles(&graph).into_iter().map(|circle| circle.join(" -> ")).collect();
    assert_eq!(found, ["a -> b -> c -> a", "d -> d"]);
}
