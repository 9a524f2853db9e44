//! The record forms (`spotcheck forms`): one printable page per visit of a
//! plan (the demo plan) or a batch (the joint plan), an index and all the
//! forms in one page; values from the files escaped; never over an
//! existing directory.
//!
//! With SPOTCHECK_BROWSER=1 a form is also opened and printed to A4 in
//! Debian's headless Chromium (tests/browser/check-forms.mjs), and its
//! screenshot and PDF saved as target/test-artifacts/form.png and form.pdf.

use crate::util::*;
use spotcheck::base::html::esc;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// `spotcheck forms BUNDLE --out OUT`.
fn forms(bundle: &Path, out: &Path) -> Run {
    spotcheck([
        "forms",
        &bundle.display().to_string(),
        "--out",
        &out.display().to_string(),
    ])
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The form files a list of credit codes gives, in list order.
fn form_names<'a>(codes: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    codes
        .into_iter()
        .enumerate()
        .map(|(i, c)| format!("{:04}-{c}.html", i + 1))
        .collect()
}

/// `names` with `all.html` and `index.html`, sorted as `entries` gives them.
fn with_index(mut names: Vec<String>) -> Vec<String> {
    names.push("all.html".into());
    names.push("index.html".into());
    names.sort();
    names
}

/// Panics unless `page` contains every one of `needles`.
#[track_caller]
fn has(page: &str, what: &str, needles: &[&str]) {
    for n in needles {
        assert!(page.contains(n), "{what} lacks {n:?}");
    }
}

/// A column of a CSV file by the key column, e.g. each inspector's
/// certificate number by id.
fn column_by(path: &Path, key: &str, value: &str) -> BTreeMap<String, String> {
    read_csv(path)
        .into_iter()
        .map(|r| (r[key].clone(), r[value].clone()))
        .collect()
}

#[test]
fn a_plans_forms_name_each_target_its_task_and_its_whole_team() {
    let w = Work::new();
    let bundle = w.out("demo");
    draw(&repo().join("plans/demo.toml"), "20250301-QDN", &bundle, &[]).ok();
    let out = w.out("forms");
    let targets = read_targets(&bundle);
    forms(&bundle, &out)
        .ok()
        .stdout_has(&[&format!("{} forms written to ", targets.len())]);

    let names = form_names(targets.iter().map(|t| t.uscc.as_str()));
    assert_eq!(
        entries(&out),
        with_index(names.clone()),
        "a form per target, in list order"
    );

    let m = manifest(&bundle);
    let mut teams: BTreeMap<String, Vec<BTreeMap<String, String>>> = BTreeMap::new();
    for a in read_csv(&bundle.join("assignments.csv")) {
        teams.entry(a["uscc"].clone()).or_default().push(a);
    }
    let certs = column_by(&repo().join("data/inspectors.csv"), "inspector_id", "cert_no");
    let addresses = column_by(&repo().join("data/enterprises.csv"), "uscc", "address");
    let areas = column_by(&repo().join("data/enterprises.csv"), "uscc", "supervising_area");
    for (t, name) in targets.iter().zip(&names) {
        let page = read(&out.join(name));
        let what = format!("{name} ({})", t.name);
        assert_eq!(page.matches("<section class=\"form\"").count(), 1, "{what}");
        has(
            &page,
            &what,
            &[
                "<html lang=\"zh-CN\">",
                "随机抽查情况记录表",
                &format!("class=\"firm-name\">{}</td>", esc(&t.name)),
                &format!(">{}</td>", t.uscc),
                &format!(">{}</td>", esc(&t.county)),
                &format!(">{}</td>", esc(&t.industry)),
                &format!("class=\"address\">{}</td>", esc(&addresses[&t.uscc])),
                &format!(">{}</td>", esc(&areas[&t.uscc])),
                &format!(">{}</td>", esc(&m.task.id)),
                &format!(">{}</td>", esc(&m.task.name)),
                &format!(">{}</td>", esc(&m.task.department)),
                &format!("{} 至 {}", m.task.start, m.task.end),
                "企业负责人",
                "□未发现问题",
                "□已迁出",
            ],
        );
        for item in &m.task.items {
            has(&page, &what, &[&format!("<td>{}</td>", esc(item))]);
        }
        assert_eq!(
            page.matches("<table class=\"block item\"").count(),
            m.task.items.len(),
            "{what}"
        );
        let team = &teams[&t.uscc];
        assert_eq!(team.len(), 2, "the demo plan's teams have two officers");
        assert_eq!(page.matches("<tr class=\"officer\"").count(), team.len(), "{what}");
        for a in team {
            let id = &a["inspector_id"];
            has(
                &page,
                &what,
                &[
                    &format!("data-id=\"{}\"", esc(id)),
                    &format!("<td>{}</td>", esc(&a["inspector_name"])),
                    &format!(">{}</td>", esc(&a["department"])),
                    &format!(">{}</td>", esc(&certs[id])),
                    &format!(
                        "{}<span class=\"who-id\">（{}）</span>",
                        esc(&a["inspector_name"]),
                        esc(id)
                    ),
                ],
            );
        }
    }

    // The index links every form in list order; all.html holds them all.
    let index = read(&out.join("index.html"));
    let mut at = 0;
    for name in &names {
        let found = index[at..]
            .find(&format!("<a href=\"{name}\">"))
            .unwrap_or_else(|| panic!("the index lacks {name}, or not in order"));
        at += found + 1;
    }
    let all = read(&out.join("all.html"));
    let codes: Vec<&str> = all
        .split("<section class=\"form\" data-uscc=\"")
        .skip(1)
        .map(|s| &s[..18])
        .collect();
    let expected: Vec<&str> = targets.iter().map(|t| t.uscc.as_str()).collect();
    assert_eq!(codes, expected, "all.html has every form, in list order");

    // Never over an existing directory: refused, and nothing in it changes.
    let before = snapshot(&out);
    forms(&bundle, &out).error(&["already exists"]);
    assert_eq!(snapshot(&out), before);
    // Not a bundle: refused, nothing written.
    let nothing = w.out("nothing");
    forms(&w.out("no-such-bundle"), &nothing).error(&[]);
    assert_no_output(&nothing);
}

/// The first `n` firms of the demo directory, each name and address
/// with markup in it; returns the path of the CSV file.
fn marked_up_directory(w: &Work, n: usize) -> PathBuf {
    let text = read(&repo().join("data/enterprises.csv"));
    let mut rows = csv_maps(text.as_bytes());
    rows.truncate(n);
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let mut out = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    out.write_record(&header).unwrap();
    for mut r in rows {
        r.get_mut("name").unwrap().push_str("<分店>&");
        r.get_mut("address").unwrap().push_str(" \"A&B\"");
        out.write_record(header.iter().map(|h| r[*h].as_str())).unwrap();
    }
    w.write("enterprises.csv", out.into_inner().unwrap())
}

/// The demo plan reading `enterprises`, without its conflict list (which
/// names firms of the whole directory); without `[inspectors]` when not
/// `teams`.
fn demo_plan_on(w: &Work, enterprises: &Path, teams: bool) -> PathBuf {
    let data = repo().join("data");
    let mut text = read(&repo().join("plans/demo.toml"))
        .replace("\"../data/enterprises.csv\"", &format!("\"{}\"", enterprises.display()))
        .replace("\"../data/", &format!("\"{}/", data.display()));
    text = text
        .lines()
        .filter(|l| !l.starts_with("conflicts = "))
        .collect::<Vec<_>>()
        .join("\n");
    if !teams {
        let at = text.find("[inspectors]").unwrap();
        let publish = text.find("[publish]").unwrap();
        text.replace_range(at..publish, "");
    }
    w.write(if teams { "plan.toml" } else { "plan-no-teams.toml" }, text)
}

#[test]
fn forms_escape_the_files_values_and_a_draw_without_teams_leaves_blanks() {
    let w = Work::new();
    let enterprises = marked_up_directory(&w, 400);
    let bundle = w.out("tiny");
    draw(&demo_plan_on(&w, &enterprises, true), "escapes", &bundle, &[]).ok();
    let out = w.out("forms");
    forms(&bundle, &out).ok();
    let targets = read_targets(&bundle);
    assert!(!targets.is_empty());
    let mut pages: Vec<(String, String)> = form_names(targets.iter().map(|t| t.uscc.as_str()))
        .into_iter()
        .map(|n| (n.clone(), read(&out.join(&n))))
        .collect();
    pages.push(("index.html".into(), read(&out.join("index.html"))));
    pages.push(("all.html".into(), read(&out.join("all.html"))));
    for (name, page) in &pages {
        assert!(
            !page.contains("<分店>") && !page.contains("店>&"),
            "{name} has raw markup"
        );
        assert!(page.contains("&lt;分店&gt;&amp;"), "{name} lacks the escaped name");
        assert!(!page.contains("<script"), "{name} has a script");
        assert!(
            !page.contains("http:") && !page.contains("https:"),
            "{name} names the network"
        );
    }
    for (name, page) in &pages[..targets.len()] {
        assert!(
            page.contains("&quot;A&amp;B&quot;</td>"),
            "{name} lacks the escaped address"
        );
        assert_eq!(page.matches("<tr class=\"officer\"").count(), 2, "{name}");
    }

    // Without teams: two blank officers and two blank signatures a form.
    let bundle = w.out("no-teams");
    draw(&demo_plan_on(&w, &enterprises, false), "escapes", &bundle, &[]).ok();
    assert!(!bundle.join("assignments.csv").exists());
    let out = w.out("forms-no-teams");
    forms(&bundle, &out).ok();
    let targets = read_targets(&bundle);
    for name in form_names(targets.iter().map(|t| t.uscc.as_str())) {
        let page = read(&out.join(&name));
        assert_eq!(page.matches("<tr class=\"officer blank\"").count(), 2, "{name}");
        assert_eq!(page.matches("<tr class=\"officer\"").count(), 0, "{name}");
        assert_eq!(page.matches("<tr class=\"signature").count(), 3, "{name}");
        assert!(page.contains("执法证号"), "{name}");
    }
}

#[test]
fn a_batchs_forms_are_one_per_visit_with_every_task_and_item() {
    let w = Work::new();
    let original = read(&repo().join("data/items.csv"));
    let items_path = w.write("items.csv", &original);
    let bundle = w.out("joint");
    draw(
        &repo().join("plans/joint-2025.toml"),
        "20250301-QDN",
        &bundle,
        &["--items", &items_path.display().to_string()],
    )
    .ok();
    let out = w.out("forms");
    let visits = read_csv(&bundle.join("visits.csv"));
    forms(&bundle, &out)
        .ok()
        .stdout_has(&[&format!("{} forms written to ", visits.len())]);
    let names = form_names(visits.iter().map(|v| v["uscc"].as_str()));
    assert_eq!(
        entries(&out),
        with_index(names.clone()),
        "a form per visit, in list order"
    );

    let m = spotcheck::bundle::batch::read_batch_manifest(&bundle).unwrap();
    let tasks: BTreeMap<&str, _> = m.tasks.iter().map(|t| (t.id.as_str(), t)).collect();
    let items: BTreeMap<String, BTreeMap<String, String>> = read_csv(&items_path)
        .into_iter()
        .map(|i| (i["code"].clone(), i))
        .collect();
    let names_of = column_by(&repo().join("data/inspectors.csv"), "inspector_id", "name");
    let addresses = column_by(&repo().join("data/enterprises.csv"), "uscc", "address");
    let mut joint = 0;
    for (v, name) in visits.iter().zip(&names) {
        let page = read(&out.join(name));
        let what = format!("{name} ({})", v["visit"]);
        has(
            &page,
            &what,
            &[
                &format!("data-visit=\"{}\"", esc(&v["visit"])),
                &format!("class=\"firm-name\">{}</td>", esc(&v["name"])),
                &format!(">{}</td>", esc(&v["county"])),
                &format!("class=\"address\">{}</td>", esc(&addresses[&v["uscc"]])),
                &format!("{} 至 {}", v["start"], v["end"]),
                "牵头部门",
            ],
        );
        let task_ids: Vec<&str> = v["tasks"].split(';').collect();
        joint += usize::from(task_ids.len() > 1);
        assert_eq!(page.matches("<tr class=\"task\"").count(), task_ids.len(), "{what}");
        for id in &task_ids {
            let t = tasks[id];
            has(
                &page,
                &what,
                &[&format!(
                    "<td class=\"code\">{}</td><td>{}</td><td>{}</td>",
                    esc(id),
                    esc(&t.name),
                    esc(&t.department)
                )],
            );
        }
        let codes: Vec<&str> = v["items"].split(';').collect();
        assert_eq!(
            page.matches("<table class=\"block item\"").count(),
            codes.len(),
            "{what}"
        );
        for code in &codes {
            let i = &items[*code];
            has(
                &page,
                &what,
                &[
                    &format!("data-code=\"{}\"", esc(code)),
                    &format!(
                        "{} {}<span class=\"dept\">（{}）</span>",
                        esc(code),
                        esc(&i["name"]),
                        esc(&i["department"])
                    ),
                    &format!("<td>{}</td>", esc(&i["legal_basis"])),
                    &format!("<td>{}</td>", esc(&i["method"])),
                ],
            );
        }
        let officers: Vec<&str> = v["inspector_ids"].split(';').collect();
        assert_eq!(page.matches("<tr class=\"officer\"").count(), officers.len(), "{what}");
        for id in officers {
            has(
                &page,
                &what,
                &[
                    &format!("data-id=\"{}\"", esc(id)),
                    &format!("<td>{}</td>", esc(&names_of[id])),
                ],
            );
        }
    }
    assert!(joint > 0, "the joint plan has visits of more than one task");
    // A firm with two visits has two forms, numbered apart.
    let mut seen = BTreeSet::new();
    let twice = visits
        .iter()
        .find(|v| !seen.insert(v["uscc"].as_str()))
        .expect("a firm visited twice");
    let files: Vec<&String> = names
        .iter()
        .filter(|n| n.ends_with(&format!("-{}.html", twice["uscc"])))
        .collect();
    assert!(files.len() >= 2, "{files:?}");

    // An item list changed since the draw is refused; without one, the
    // forms name the items by their codes.
    std::fs::write(
        &items_path,
        original.replace("《排污许可管理条例》", "《排污许可管理条例》第十条"),
    )
    .unwrap();
    let changed = w.out("changed");
    forms(&bundle, &changed).error(&["not the one the batch was drawn with"]);
    assert_no_output(&changed);
    std::fs::remove_file(&items_path).unwrap();
    let bare = w.out("bare");
    forms(&bundle, &bare).ok();
    let v = visits.iter().find(|v| v["tasks"].contains(';')).unwrap();
    let page = read(&bare.join(&names[visits.iter().position(|x| x["visit"] == v["visit"]).unwrap()]));
    for code in v["items"].split(';') {
        let i = &items[code];
        assert!(page.contains(&format!("<td>{}</td></tr>", esc(code))), "{code} alone");
        assert!(!page.contains(&esc(&i["name"])), "no item name without the item list");
    }
}

/// Runs tests/browser/check-forms.mjs on `form`, saving its screenshot as
/// `target/test-artifacts/<shot>` (and the PDF beside it); fails unless
/// every browser check passed.
fn check_in_browser(form: &Path, shot: &str, firm: &str, items: usize, pages: usize) {
    let artifacts = repo().join("target/test-artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    let shot = artifacts.join(shot);
    let out = std::process::Command::new("node")
        .arg(repo().join("tests/browser/check-forms.mjs"))
        .arg(form)
        .arg(&shot)
        .arg(firm)
        .arg(items.to_string())
        .arg(pages.to_string())
        .output()
        .expect("run node (is Node.js installed?)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "browser check of {} failed:\n{stdout}\n{stderr}\n(needs: apt-get install chromium fonts-noto-cjk; npm ci in tests/browser)",
        form.display()
    );
    assert!(stdout.contains("all browser checks passed"), "{stdout}");
    assert!(shot.exists() && shot.with_extension("pdf").exists());
}

#[test]
fn forms_print_on_a4_in_a_browser() {
    if std::env::var_os("SPOTCHECK_BROWSER").is_none_or(|v| v != "1") {
        eprintln!("skipped: set SPOTCHECK_BROWSER=1 to print a form in Chromium (see tests/browser/check-forms.mjs)");
        return;
    }
    let w = Work::new();
    // A plan's form: one item, a team of two, one page.
    let bundle = w.out("demo");
    draw(&repo().join("plans/demo.toml"), "20250301-QDN", &bundle, &[]).ok();
    let out = w.out("forms");
    forms(&bundle, &out).ok();
    let targets = read_targets(&bundle);
    let first = &form_names([targets[0].uscc.as_str()])[0];
    check_in_browser(&out.join(first), "form.png", &targets[0].name, 1, 1);

    // The batch's visit with the most items: every item on the form, two
    // pages.
    let bundle = w.out("joint");
    draw(&repo().join("plans/joint-2025.toml"), "20250301-QDN", &bundle, &[]).ok();
    let out = w.out("joint-forms");
    forms(&bundle, &out).ok();
    let visits = read_csv(&bundle.join("visits.csv"));
    let (i, v) = visits
        .iter()
        .enumerate()
        .max_by_key(|(i, v)| (v["items"].split(';').count(), std::cmp::Reverse(*i)))
        .unwrap();
    let items = v["items"].split(';').count();
    assert!(items >= 3, "the joint plan has a visit of three items");
    let name = &form_names(visits.iter().map(|v| v["uscc"].as_str()))[i];
    check_in_browser(&out.join(name), "form-joint.png", &v["name"], items, 2);

    // all.html of a small draw: each form on a page of its own, and the
    // escaped names shown as text.
    let enterprises = marked_up_directory(&w, 400);
    let bundle = w.out("tiny");
    draw(&demo_plan_on(&w, &enterprises, true), "escapes", &bundle, &[]).ok();
    let out = w.out("tiny-forms");
    forms(&bundle, &out).ok();
    let targets = read_targets(&bundle);
    let n = targets.len();
    check_in_browser(&out.join("all.html"), "forms-all.png", &targets[0].name, n, n);
}
