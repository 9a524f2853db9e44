//! The record forms (随机抽查情况记录表) that a team takes on its visit
//! and fills in on site: one printable HTML page per visit, an index of
//! them, and all of them in one file to print in one go.
//!
//! A form carries what the draw decided (the task or tasks, the window,
//! the firm, its address, the items, the team) and leaves boxes for what
//! the team finds: the day of the inspection, per item whether and how it
//! was checked, what was found and what follows, the overall result in the
//! thirteen categories of the publicity system, and the signatures. The
//! boxes carry the words that a results file takes
//! ([`crate::inputs::result_words`]), so that what is ticked is what is
//! then recorded.
//!
//! Every page is self-contained (inline CSS, no script, no network) and
//! prints on A4, a form starting on a new page.

use crate::base::error::Result;
use crate::base::html::esc;
use crate::bundle::batch_view::BatchView;
use crate::bundle::view::{BundleView, drawn_input};
use crate::inputs::inspectors::InspectorDirectory;
use crate::inputs::items::ItemList;
use crate::inputs::record::InputRecord;
use crate::inputs::result_words::{MEASURES, METHODS, Outcome};
use crate::inputs::table::TextEncoding;
use crate::office::batch_listing::{ItemRef, TaskRef, item_ref, task_refs, tasks_by_id};
use crate::office::listing::{Extras, firm_details};
use crate::office::notices::safe_file_name;
use crate::office::workbook::{extra_column_label, is_address_column};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

/// The index of a form set.
pub const INDEX_HTML: &str = "index.html";
/// Every form of a set in one page, to print them all at once.
pub const ALL_HTML: &str = "all.html";

/// The firm a form is for, as the bundle and the directory give it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormFirm {
    pub uscc: String,
    pub name: String,
    pub county: String,
    pub industry: String,
    /// The directory's address column; empty when it is not known.
    pub address: String,
    /// The supervising area (监管片区), when the directory has one that is
    /// not the county.
    pub area: String,
    /// The directory's other extra columns, by column name.
    pub details: BTreeMap<String, String>,
}

/// An officer of a visit's team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Officer {
    pub slot: u32,
    pub department: String,
    pub id: String,
    pub name: String,
    /// The certificate number (执法证号), from the inspector directory the
    /// bundle was drawn with; empty when that file is not there.
    pub cert_no: String,
}

/// One visit's form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    /// The visit id of a batch (`uscc:first task`); `None` for a plan.
    pub visit: Option<String>,
    /// The task, or for a batch's joint visit every task, in batch order.
    pub tasks: Vec<TaskRef>,
    /// The window of the visit.
    pub start: String,
    pub end: String,
    pub firm: FormFirm,
    /// The items to check. A plan's items are names only (no code).
    pub items: Vec<ItemRef>,
    /// In slot order; empty when the draw has no teams.
    pub team: Vec<Officer>,
}

/// The forms of one bundle, in the order of its lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormSet {
    /// The task (plan) or batch id.
    pub id: String,
    /// The task's or the batch's name.
    pub name: String,
    /// The task's department or the batch's organiser.
    pub department: String,
    /// Whether the forms come from a batch (its tasks have a lead
    /// department each).
    pub batch: bool,
    pub forms: Vec<Form>,
}

/// The certificate numbers (执法证号) by inspector id, from the inspector
/// directory a bundle was drawn with; empty when that file is not where
/// the manifest says, or is not the same file.
pub fn certificates(dir: &Path, inputs: &BTreeMap<String, InputRecord>) -> BTreeMap<String, String> {
    drawn_inspectors(dir, inputs)
        .map(|d| d.inspectors.into_iter().map(|i| (i.id, i.cert_no)).collect())
        .unwrap_or_default()
}

/// The inspector directory a bundle was drawn with, when it is still
/// where the manifest says and the same file.
fn drawn_inspectors(dir: &Path, inputs: &BTreeMap<String, InputRecord>) -> Option<InspectorDirectory> {
    let record = inputs.get("inspectors")?;
    let raw = drawn_input(dir, record)?;
    let encoding = TextEncoding::from_record(&record.encoding).unwrap_or_default();
    InspectorDirectory::parse(raw, encoding).ok()
}

/// The teams as they stand after the substitutions of the bundle's
/// results log (SPEC.md §11.5), when it has one: a form goes with the
/// officers who will go. A substitute's name comes from the inspector
/// directory when it is there.
fn with_substitutions(set: &mut FormSet, dir: &Path, inputs: &BTreeMap<String, InputRecord>) -> Result<()> {
    if !crate::results::log::log_path(dir).exists() {
        return Ok(());
    }
    let opened = crate::results::record::Opened::open(dir)?;
    let state = opened.state()?;
    let directory = drawn_inspectors(dir, inputs);
    let name_of = |id: &str| {
        directory
            .as_ref()
            .and_then(|d| d.inspectors.iter().find(|i| i.id == id))
            .map(|i| (i.name.clone(), i.cert_no.clone()))
            .unwrap_or_default()
    };
    for form in &mut set.forms {
        let key = form.visit.clone().unwrap_or_else(|| form.firm.uscc.clone());
        let Some(v) = opened.drawn.visit_by_key(&key) else {
            continue;
        };
        for member in &state.teams[v] {
            if let Some(o) = form.team.iter_mut().find(|o| o.slot == member.slot)
                && o.id != member.id
            {
                let (name, cert_no) = name_of(&member.id);
                o.id = member.id.clone();
                o.name = name;
                o.cert_no = cert_no;
            }
        }
    }
    Ok(())
}

fn firm(extras: &Extras, uscc: &str, name: &str, county: &str, industry: &str) -> FormFirm {
    let mut details = firm_details(extras, uscc);
    let address = details
        .iter()
        .find(|(k, v)| is_address_column(k) && !v.trim().is_empty())
        .map(|(k, _)| k.clone());
    let address = address.and_then(|k| details.remove(&k)).unwrap_or_default();
    details.retain(|_, v| !v.trim().is_empty());
    let area = extras
        .as_ref()
        .and_then(|x| x.areas.get(uscc).cloned())
        .unwrap_or_default();
    FormFirm {
        uscc: uscc.to_string(),
        name: name.to_string(),
        county: county.to_string(),
        industry: industry.to_string(),
        address,
        area,
        details,
    }
}

fn officer(certs: &BTreeMap<String, String>, slot: u32, department: &str, id: &str, name: &str) -> Officer {
    Officer {
        slot,
        department: department.to_string(),
        id: id.to_string(),
        name: name.to_string(),
        cert_no: certs.get(id).cloned().unwrap_or_default(),
    }
}

/// The forms of a plan's bundle: one per target, in the order of
/// `targets.csv`. `extras` as [`BundleView::firm_extras`] gives, `certs`
/// as [`certificates`].
pub fn plan_forms(view: &BundleView, extras: &Extras, certs: &BTreeMap<String, String>) -> FormSet {
    let t = &view.manifest.task;
    let task = TaskRef {
        id: t.id.clone(),
        name: t.name.clone(),
        department: t.department.clone(),
    };
    let items: Vec<ItemRef> = t
        .items
        .iter()
        .map(|name| ItemRef {
            name: name.clone(),
            ..item_ref(&None, "")
        })
        .collect();
    let mut teams: BTreeMap<&str, Vec<Officer>> = BTreeMap::new();
    for a in &view.assignments {
        let o = officer(certs, a.slot, &a.department, &a.inspector_id, &a.inspector_name);
        teams.entry(a.uscc.as_str()).or_default().push(o);
    }
    let forms = view
        .targets
        .iter()
        .map(|target| Form {
            visit: None,
            tasks: vec![task.clone()],
            start: t.start.clone(),
            end: t.end.clone(),
            firm: firm(extras, &target.uscc, &target.name, &target.county, &target.industry),
            items: items.clone(),
            team: teams.get(target.uscc.as_str()).cloned().unwrap_or_default(),
        })
        .collect();
    FormSet {
        id: t.id.clone(),
        name: t.name.clone(),
        department: t.department.clone(),
        batch: false,
        forms,
    }
}

/// The forms of a batch's bundle: one per visit, in the order of
/// `visits.csv`. `extras` as [`BatchView::firm_extras`] gives, `items` as
/// [`BatchView::items`] (without it an item is its code alone), `certs`
/// as [`certificates`].
pub fn batch_forms(
    view: &BatchView,
    extras: &Extras,
    items: &Option<ItemList>,
    certs: &BTreeMap<String, String>,
) -> FormSet {
    let tasks = tasks_by_id(view);
    let industries: BTreeMap<&str, &str> = view
        .targets
        .iter()
        .flatten()
        .map(|t| (t.uscc.as_str(), t.industry.as_str()))
        .collect();
    let forms = view
        .visits
        .iter()
        .map(|v| Form {
            visit: Some(v.visit.clone()),
            tasks: task_refs(&tasks, &v.task_ids()),
            start: v.start.clone(),
            end: v.end.clone(),
            firm: firm(
                extras,
                &v.uscc,
                &v.name,
                &v.county,
                industries.get(v.uscc.as_str()).copied().unwrap_or_default(),
            ),
            items: v.item_codes().iter().map(|c| item_ref(items, c)).collect(),
            team: view
                .team(&v.visit)
                .into_iter()
                .map(|a| officer(certs, a.slot, &a.department, &a.inspector_id, &a.inspector_name))
                .collect(),
        })
        .collect();
    let b = &view.manifest.batch;
    FormSet {
        id: b.id.clone(),
        name: b.name.clone(),
        department: b.department.clone(),
        batch: true,
        forms,
    }
}

/// The forms of the bundle (a plan's or a batch's) in `dir`, with the
/// firms' addresses, the items and the certificate numbers when the
/// inputs are there. A batch's item list that is there but is not the
/// one it was drawn with is an error. The teams are those after the
/// substitutions of the results log.
pub fn forms_in(dir: &Path) -> Result<FormSet> {
    if crate::bundle::batch::is_batch_bundle(dir) {
        let view = BatchView::open(dir)?;
        let items = view.items()?;
        let certs = certificates(&view.dir, &view.manifest.inputs);
        let mut set = batch_forms(&view, &view.firm_extras(), &items, &certs);
        with_substitutions(&mut set, dir, &view.manifest.inputs)?;
        Ok(set)
    } else {
        let view = BundleView::open(dir)?;
        let certs = certificates(&view.dir, &view.manifest.inputs);
        let mut set = plan_forms(&view, &view.firm_extras(), &certs);
        with_substitutions(&mut set, dir, &view.manifest.inputs)?;
        Ok(set)
    }
}

/// The file name of each form, in list order: `NNNN-<credit code>.html`,
/// numbered from 1 with at least four digits, so that the files sort in
/// the order of the list and a firm with two visits has two files.
pub fn form_file_names(set: &FormSet) -> Vec<String> {
    let width = set.forms.len().to_string().len().max(4);
    set.forms
        .iter()
        .enumerate()
        .map(|(i, f)| format!("{:0width$}-{}.html", i + 1, safe_file_name(&f.firm.uscc)))
        .collect()
}

/// Every file of a form set, by name: a page per form
/// ([`form_file_names`]), [`INDEX_HTML`] listing them and [`ALL_HTML`]
/// with all of them.
pub fn form_files(set: &FormSet) -> BTreeMap<String, Vec<u8>> {
    let names = form_file_names(set);
    let total = set.forms.len();
    let sections: Vec<String> = set
        .forms
        .iter()
        .enumerate()
        .map(|(i, f)| form_section(set, f, i + 1, total))
        .collect();
    let mut files = BTreeMap::new();
    for ((name, section), f) in names.iter().zip(&sections).zip(&set.forms) {
        let title = format!("随机抽查情况记录表 · {}", f.firm.name);
        files.insert(name.clone(), document(&title, "forms", section).into_bytes());
    }
    let all = document(
        &format!("随机抽查情况记录表 · {}（全部）", set.name),
        "forms",
        &sections.concat(),
    );
    files.insert(ALL_HTML.to_string(), all.into_bytes());
    files.insert(INDEX_HTML.to_string(), index_page(set, &names).into_bytes());
    files
}

const CSS: &str = include_str!("forms/forms.css");

/// A whole page around `body` (already HTML); `class` is the body's.
fn document(title: &str, class: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>\n{CSS}</style>\n</head>\n<body class=\"{class}\">\n{body}</body>\n</html>\n",
        esc(title)
    )
}

/// A check box with its label (plain text).
fn option(label: &str) -> String {
    format!("<span class=\"opt\">□{}</span>", esc(label))
}

/// Check boxes for `labels`, the words a results file takes
/// ([`crate::inputs::result_words`]); with `other`, one more for 其他 and
/// a line to write what.
fn options<'a>(labels: impl IntoIterator<Item = &'a str>, other: bool) -> String {
    let mut boxes: Vec<String> = labels.into_iter().map(option).collect();
    if other {
        boxes.push("<span class=\"opt\">□其他<span class=\"fill\"></span></span>".to_string());
    }
    boxes.join(" ")
}

/// The names of a list of fixed words (name, code).
fn names<'a>(words: &'a [(&'a str, &'a str)]) -> impl Iterator<Item = &'a str> {
    words.iter().map(|(name, _)| *name)
}

/// `n` lines to write on.
fn ruled(n: usize) -> String {
    "<span class=\"line\"></span>".repeat(n)
}

/// The blank for a date: 年 月 日 with room before each.
const DATE_BLANK: &str =
    "<span class=\"date\"><span class=\"y\"></span>年<span class=\"m\"></span>月<span class=\"m\"></span>日</span>";

/// The ordinal of an item in Chinese (一, 二, …), up to 99; beyond that
/// the number itself.
fn chinese_number(n: usize) -> String {
    const DIGITS: [&str; 10] = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        1..=9 => DIGITS[n].to_string(),
        10..=19 => format!("十{}", DIGITS[n % 10]),
        20..=99 => format!("{}十{}", DIGITS[n / 10], DIGITS[n % 10]),
        _ => n.to_string(),
    }
}

/// One form, as a `<section>`: `number` of `total` in its set.
fn form_section(set: &FormSet, f: &Form, number: usize, total: usize) -> String {
    let mut s = String::new();
    let firm = &f.firm;
    let _ = writeln!(
        s,
        "<section class=\"form\" data-uscc=\"{}\"{}>",
        esc(&firm.uscc),
        f.visit
            .as_ref()
            .map(|v| format!(" data-visit=\"{}\"", esc(v)))
            .unwrap_or_default()
    );
    // Heading: the form's title and its number in the set.
    let _ = writeln!(
        s,
        "<header class=\"head\">\n<h1>随机抽查情况记录表</h1>\n\
         <p class=\"no\">编号：{number:04}<span class=\"of\">／{total}</span></p>\n</header>"
    );

    // The task or tasks.
    let dept_label = if set.batch { "牵头部门" } else { "发起部门" };
    s.push_str("<table class=\"block tasks\">\n<colgroup><col class=\"c-id\"><col><col class=\"c-dept\"></colgroup>\n");
    let _ = writeln!(
        s,
        "<tr><th>任务编号</th><th>抽查任务名称</th><th>{dept_label}</th></tr>"
    );
    for t in &f.tasks {
        let _ = writeln!(
            s,
            "<tr class=\"task\"><td class=\"code\">{}</td><td>{}</td><td>{}</td></tr>",
            esc(&t.id),
            esc(&t.name),
            esc(&t.department)
        );
    }
    s.push_str("</table>\n");

    // The visit: its id, window and the day of the inspection.
    s.push_str("<table class=\"block visit\">\n<colgroup><col class=\"c-label\"><col><col class=\"c-label\"><col></colgroup>\n");
    if let Some(v) = &f.visit {
        let _ = writeln!(
            s,
            "<tr><th>检查编号</th><td colspan=\"3\" class=\"code\">{}</td></tr>",
            esc(v)
        );
    }
    let _ = writeln!(
        s,
        "<tr><th>检查时限</th><td>{} 至 {}</td><th>检查日期</th><td>{DATE_BLANK}</td></tr>",
        esc(&f.start),
        esc(&f.end)
    );
    s.push_str("</table>\n");

    // The firm.
    s.push_str("<h2>一、检查对象</h2>\n");
    s.push_str(
        "<table class=\"block firm\">\n<colgroup><col class=\"c-label\"><col><col class=\"c-label\"><col></colgroup>\n",
    );
    let _ = writeln!(
        s,
        "<tr><th>企业名称</th><td colspan=\"3\" class=\"firm-name\">{}</td></tr>",
        esc(&firm.name)
    );
    let _ = writeln!(
        s,
        "<tr><th>统一社会信用代码</th><td class=\"code\">{}</td><th>所属区县</th><td>{}</td></tr>",
        esc(&firm.uscc),
        esc(&firm.county)
    );
    let _ = writeln!(
        s,
        "<tr><th>住所（经营场所）</th><td colspan=\"3\" class=\"address\">{}</td></tr>",
        esc(&firm.address)
    );
    // Industry, area and the directory's other columns, two to a row.
    let mut pairs: Vec<(String, String)> = vec![("所属行业".into(), firm.industry.clone())];
    if !firm.area.is_empty() {
        pairs.push(("监管片区".into(), firm.area.clone()));
    }
    pairs.extend(
        firm.details
            .iter()
            .map(|(k, v)| (extra_column_label(k).to_string(), v.clone())),
    );
    for row in pairs.chunks(2) {
        s.push_str("<tr>");
        for (k, v) in row {
            let _ = write!(s, "<th>{}</th><td>{}</td>", esc(k), esc(v));
        }
        if row.len() == 1 {
            s.push_str("<th></th><td></td>");
        }
        s.push_str("</tr>\n");
    }
    s.push_str("<tr><th>现场负责人</th><td></td><th>联系电话</th><td></td></tr>\n</table>\n");

    // The team.
    s.push_str("<h2>二、检查人员</h2>\n");
    s.push_str(
        "<table class=\"block team\">\n<colgroup><col class=\"c-slot\"><col class=\"c-dept\"><col class=\"c-id\"><col><col class=\"c-cert\"></colgroup>\n\
         <tr><th>序号</th><th>所属部门</th><th>执法人员编号</th><th>姓名</th><th>执法证号</th></tr>\n",
    );
    if f.team.is_empty() {
        for slot in 1..=2 {
            let _ = writeln!(
                s,
                "<tr class=\"officer blank\"><td>{slot}</td><td></td><td></td><td></td><td></td></tr>"
            );
        }
    }
    for o in &f.team {
        let _ = writeln!(
            s,
            "<tr class=\"officer\" data-id=\"{}\"><td>{}</td><td>{}</td><td class=\"code\">{}</td><td>{}</td><td class=\"code\">{}</td></tr>",
            esc(&o.id),
            o.slot,
            esc(&o.department),
            esc(&o.id),
            esc(&o.name),
            esc(&o.cert_no)
        );
    }
    s.push_str("</table>\n");

    // The items.
    s.push_str("<h2>三、检查事项及情况</h2>\n");
    for (i, item) in f.items.iter().enumerate() {
        let title = [item.code.as_str(), item.name.as_str()]
            .iter()
            .filter(|x| !x.is_empty())
            .map(|x| esc(x))
            .collect::<Vec<_>>()
            .join(" ");
        let _ = write!(
            s,
            "<table class=\"block item\" data-code=\"{}\">\n<colgroup><col class=\"c-head\"><col></colgroup>\n\
             <tr class=\"item-head\"><th>事项{}</th><td>{title}",
            esc(&item.code),
            chinese_number(i + 1)
        );
        if !item.department.is_empty() {
            let _ = write!(s, "<span class=\"dept\">（{}）</span>", esc(&item.department));
        }
        s.push_str("</td></tr>\n");
        if !item.legal_basis.is_empty() {
            let _ = writeln!(s, "<tr><th>检查依据</th><td>{}</td></tr>", esc(&item.legal_basis));
        }
        if !item.method.is_empty() {
            let _ = writeln!(s, "<tr><th>规定方式</th><td>{}</td></tr>", esc(&item.method));
        }
        let _ = write!(
            s,
            "<tr><th>是否检查</th><td>{}</td></tr>\n\
             <tr><th>检查方式</th><td>{}</td></tr>\n\
             <tr><th>发现问题</th><td class=\"lines\">{}</td></tr>\n\
             <tr><th>后续处置</th><td>{}</td></tr>\n</table>\n",
            options(["是", "否"], false),
            options(names(METHODS), true),
            ruled(3),
            options(names(MEASURES), true)
        );
    }

    // The overall result.
    s.push_str("<h2>四、检查结果</h2>\n");
    let _ = write!(
        s,
        "<table class=\"block result\">\n<colgroup><col class=\"c-head\"><col></colgroup>\n\
         <tr><th>检查结果<br><small>（勾选）</small></th><td class=\"results\">{}</td></tr>\n\
         <tr><th>情况说明</th><td class=\"lines\">{}</td></tr>\n</table>\n",
        Outcome::ALL.iter().map(|o| option(o.name())).collect::<String>(),
        ruled(2)
    );

    // The signatures.
    s.push_str("<h2>五、签字确认</h2>\n");
    s.push_str(
        "<table class=\"block sign\">\n<colgroup><col class=\"c-head\"><col><col class=\"c-date\"></colgroup>\n",
    );
    let officers: Vec<String> = if f.team.is_empty() {
        vec![String::new(), String::new()]
    } else {
        f.team
            .iter()
            .map(|o| format!("{}<span class=\"who-id\">（{}）</span>", esc(&o.name), esc(&o.id)))
            .collect()
    };
    let rows = officers.len();
    for (i, who) in officers.iter().enumerate() {
        let head = if i == 0 {
            format!("<th rowspan=\"{rows}\">检查人员<br>签字</th>")
        } else {
            String::new()
        };
        let _ = writeln!(
            s,
            "<tr class=\"signature\">{head}<td><span class=\"who\">{who}</span></td><td>{DATE_BLANK}</td></tr>"
        );
    }
    let _ = writeln!(
        s,
        "<tr class=\"signature firm-sign\"><th>企业负责人<br>签字</th><td><span class=\"stamp\">（企业盖章）</span></td><td>{DATE_BLANK}</td></tr>"
    );
    s.push_str("</table>\n");
    let _ = writeln!(
        s,
        "<p class=\"foot\">{}　{}　第 {number} 份，共 {total} 份</p>",
        esc(&f.tasks.iter().map(|t| t.id.as_str()).collect::<Vec<_>>().join("、")),
        esc(&firm.uscc)
    );
    s.push_str("</section>\n");
    s
}

/// The index: every form in list order, with its task, firm, county,
/// team and link.
fn index_page(set: &FormSet, names: &[String]) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        "<main class=\"index\">\n<h1>随机抽查情况记录表</h1>\n<p class=\"sub\">{}（{}）　{}</p>\n\
         <p>共 {} 份记录表，每份一个文件，按抽查名单的顺序编号；<a href=\"{ALL_HTML}\">全部记录表（一次打印）</a>。</p>\n\
         <table class=\"list\">\n<thead><tr><th class=\"n\">序号</th>{}<th>抽查任务</th><th>企业名称</th>\
         <th>统一社会信用代码</th><th>所属区县</th><th>检查人员</th><th>记录表</th></tr></thead>\n<tbody>\n",
        esc(&set.name),
        esc(&set.id),
        esc(&set.department),
        set.forms.len(),
        if set.batch { "<th>检查时限</th>" } else { "" }
    );
    for (i, (f, name)) in set.forms.iter().zip(names).enumerate() {
        let tasks: Vec<String> = f
            .tasks
            .iter()
            .map(|t| format!("{} {}", esc(&t.id), esc(&t.name)))
            .collect();
        let team: Vec<String> = f
            .team
            .iter()
            .map(|o| format!("<span class=\"nowrap\">{}（{}）</span>", esc(&o.name), esc(&o.id)))
            .collect();
        let window = if set.batch {
            format!("<td class=\"code nowrap\">{}<br>{}</td>", esc(&f.start), esc(&f.end))
        } else {
            String::new()
        };
        let _ = writeln!(
            s,
            "<tr><td class=\"n\">{}</td>{window}<td>{}</td><td>{}</td><td class=\"code nowrap\">{}</td><td class=\"nowrap\">{}</td><td>{}</td><td class=\"nowrap\"><a href=\"{}\">{}</a></td></tr>",
            i + 1,
            tasks.join("<br>"),
            esc(&f.firm.name),
            esc(&f.firm.uscc),
            esc(&f.firm.county),
            team.join("<br>"),
            esc(name),
            esc(name)
        );
    }
    s.push_str("</tbody>\n</table>\n</main>\n");
    document(&format!("随机抽查情况记录表 · {}", set.name), "index", &s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set() -> FormSet {
        let item = |code: &str, name: &str| ItemRef {
            code: code.into(),
            name: name.into(),
            department: "市场监管局".into(),
            legal_basis: "《企业信息公示暂行条例》".into(),
            method: "实地检查".into(),
        };
        let form = |uscc: &str, name: &str, team: Vec<Officer>| Form {
            visit: None,
            tasks: vec![TaskRef {
                id: "T-1".into(),
                name: "公示信息抽查".into(),
                department: "黔东南州市场监督管理局".into(),
            }],
            start: "2025-03-01".into(),
            end: "2025-11-30".into(),
            firm: FormFirm {
                uscc: uscc.into(),
                name: name.into(),
                county: "凯里市".into(),
                industry: "制造业".into(),
                address: "大十字街1号".into(),
                area: String::new(),
                details: BTreeMap::new(),
            },
            items: vec![item("SJ-GS-01", "年报检查"), item("SJ-DJ-01", "住所检查")],
            team,
        };
        let officer = |slot: u32, id: &str| Officer {
            slot,
            department: "市场监管局".into(),
            id: id.into(),
            name: format!("人员{id}"),
            cert_no: "黔执001".into(),
        };
        FormSet {
            id: "T-1".into(),
            name: "公示信息抽查".into(),
            department: "黔东南州市场监督管理局".into(),
            batch: false,
            forms: vec![
                form(
                    "91522601MAN3RD5R72",
                    "凯里市<甲>&乙公司",
                    vec![officer(1, "P1"), officer(2, "P2")],
                ),
                form("91522601MAN3RD5R72", "凯里市甲公司", Vec::new()),
            ],
        }
    }

    #[test]
    fn files_are_numbered_in_list_order_with_an_index_and_all() {
        let files = form_files(&set());
        let names: Vec<&str> = files.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            [
                "0001-91522601MAN3RD5R72.html",
                "0002-91522601MAN3RD5R72.html",
                "all.html",
                "index.html"
            ]
        );
        let all = String::from_utf8(files["all.html"].clone()).unwrap();
        assert_eq!(all.matches("<section class=\"form\"").count(), 2);
        let index = String::from_utf8(files["index.html"].clone()).unwrap();
        assert!(index.contains("<a href=\"0002-91522601MAN3RD5R72.html\">"));
        assert!(index.contains("人员P1（P1）</span><br><span class=\"nowrap\">人员P2（P2）"));
    }

    #[test]
    fn a_form_escapes_values_and_has_every_box() {
        let files = form_files(&set());
        let page = String::from_utf8(files["0001-91522601MAN3RD5R72.html"].clone()).unwrap();
        assert!(page.starts_with("<!DOCTYPE html>\n<html lang=\"zh-CN\">"));
        assert!(page.contains("凯里市&lt;甲&gt;&amp;乙公司"));
        assert!(!page.contains("<甲>"));
        assert!(!page.contains("<script") && !page.contains("http"), "self-contained");
        assert_eq!(page.matches("<table class=\"block item\"").count(), 2);
        assert!(page.contains("事项一") && page.contains("事项二"));
        let results = Outcome::ALL.map(|o| o.name());
        for label in names(METHODS)
            .chain(names(MEASURES))
            .chain(results)
            .chain(["其他", "是", "否"])
        {
            assert!(page.contains(&format!("□{label}")), "{label}");
        }
        for label in [
            "实地检查",
            "委托专业机构",
            "无须后续处置",
            "抄告相关部门",
            "未发现问题",
            "已迁出",
        ] {
            assert!(page.contains(&format!("□{label}")), "{label}");
        }
        assert_eq!(page.matches("class=\"results\"><span class=\"opt\">").count(), 1);
        assert_eq!(page.matches("□其他").count(), 2 * 2, "method and measure of each item");
        assert_eq!(page.matches("<tr class=\"officer\"").count(), 2);
        assert_eq!(page.matches("<tr class=\"signature").count(), 3);
        assert!(page.contains("黔执001"));
        // Without a team: two blank officers to fill in, and two signatures.
        let blank = String::from_utf8(files["0002-91522601MAN3RD5R72.html"].clone()).unwrap();
        assert_eq!(blank.matches("<tr class=\"officer blank\"").count(), 2);
        assert_eq!(blank.matches("<tr class=\"signature").count(), 3);
    }

    #[test]
    fn items_are_numbered_in_chinese() {
        assert_eq!(chinese_number(1), "一");
        assert_eq!(chinese_number(10), "十");
        assert_eq!(chinese_number(12), "十二");
        assert_eq!(chinese_number(20), "二十");
        assert_eq!(chinese_number(35), "三十五");
        assert_eq!(chinese_number(100), "100");
    }

    #[test]
    fn wide_sets_keep_their_order_in_names() {
        let mut s = set();
        let f = s.forms[0].clone();
        s.forms = vec![f; 10_000];
        let names = form_file_names(&s);
        assert_eq!(names[0], "00001-91522601MAN3RD5R72.html");
        assert_eq!(names[9_999], "10000-91522601MAN3RD5R72.html");
    }
}
