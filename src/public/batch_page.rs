//! `index.html` of a batch's public bundle: one self-contained page (the
//! plan page's CSS and script, plus a few lines of its own; no network)
//! with the plan announcement (抽查计划公告: the tasks and the items), the
//! seed, each task's announcement (抽查任务公告: its targets, searchable,
//! its seed and how to check it), a firm lookup over the whole batch and,
//! when results are published, the results announcement.
//! Chinese first, with an English toggle.
//!
//! Task announcements are closed `<details>` (the first one open), so that
//! a browser lays out only what is opened: a batch of thousands of tasks
//! still loads at once. The page is a pure function of the public data,
//! so that `spotcheck verify` can render it again and compare.

use crate::inputs::batch_plan::BatchPlan;
use crate::inputs::plan::Targets;
use crate::public::announcement::ResultRow;
use crate::public::batch_format::{PublicBatchManifest, PublicTask, PublicVisit};
use crate::public::format::PublicTarget;
use crate::public::page::{
    BLS_JS, CSS, JS, RESULTS_CSS, VERIFY_JS, card, esc, evidence_element, excluded_reasons, has_beacon, page_end,
    page_header, page_start, py_str, rehearsal_banner, results_section, seed_section, strata_table, t, t_html,
    ticket_head, verify_box,
};
use std::collections::BTreeMap;
use std::fmt::Write;

const BATCH_CSS: &str = include_str!("page/batch.css");
const BATCH_JS: &str = include_str!("page/batch.js");

/// Above this many tasks the plan announcement's task table starts
/// folded (it can be opened and filtered).
const OPEN_TASK_TABLE_UP_TO: usize = 200;

/// What the page shows.
pub struct BatchPageData<'a> {
    /// The public manifest; its `files` are not used.
    pub manifest: &'a PublicBatchManifest,
    /// The batch plan parsed from the manifest's plan text.
    pub plan: &'a BatchPlan,
    /// Each task's public targets, in the order of `manifest.tasks`.
    pub targets: &'a [Vec<PublicTarget>],
    pub visits: &'a [PublicVisit],
    /// The rows of `results.csv`, when the bundle publishes results
    /// (`manifest.results`).
    pub results: Option<&'a [ResultRow]>,
    /// The public bundle's files by name; of these the ceremony evidence
    /// is inlined, so that the page can check its seed (SPEC.md §5.3).
    pub evidence: &'a BTreeMap<String, Vec<u8>>,
}

/// The anchor of a task's announcement.
pub fn task_anchor(id: &str) -> String {
    format!("task-{id}")
}

/// Renders the page.
pub fn render_batch_page(d: &BatchPageData) -> String {
    let m = d.manifest;
    let targets: usize = d.targets.iter().map(Vec::len).sum();
    let mut h = String::with_capacity(16384 + targets * 600 + d.visits.len() * 400 + m.tasks.len() * 1500);
    let title_zh = format!("{} · 抽查计划与结果公示", m.batch.name);
    let title_en = format!("{} · published plan and draws", m.batch.name);
    let results = m.results.as_ref().zip(d.results);
    let css: &[&str] = if results.is_some() {
        &[CSS, BATCH_CSS, RESULTS_CSS]
    } else {
        &[CSS, BATCH_CSS]
    };
    page_start(&mut h, &title_zh, &title_en, css);
    header(&mut h, d);
    h.push_str("<main>\n");
    rehearsal_banner(&mut h, &m.seed);
    plan_announcement(&mut h, d);
    seed_section(&mut h, &m.seed);
    evidence_element(&mut h, &m.seed, d.evidence);
    task_announcements(&mut h, d);
    lookup_section(&mut h, d);
    if let Some((record, rows)) = results {
        results_section(&mut h, record, rows, true);
    }
    verify_section(&mut h);
    check_section(&mut h, d);
    let _ = writeln!(
        h,
        "<section id=\"plan\">\n<details><summary>{}</summary>\n<p class=\"note\">SHA-256 <code>{}</code></p>\n<pre id=\"plan-text\">{}</pre>\n</details>\n</section>",
        t("抽查计划原文", "The plan, as committed"),
        esc(&m.plan.sha256),
        esc(&m.plan.text)
    );
    h.push_str("</main>\n");
    let script = [JS, VERIFY_JS].concat();
    if has_beacon(&m.seed, d.evidence) {
        page_end(&mut h, &m.source_manifest_sha256, &[BLS_JS, &script, BATCH_JS]);
    } else {
        page_end(&mut h, &m.source_manifest_sha256, &[&script, BATCH_JS]);
    }
    h
}

fn header(h: &mut String, d: &BatchPageData) {
    let b = &d.manifest.batch;
    page_header(
        h,
        t(
            "双随机、一公开 · 部门联合抽查计划与结果公示",
            "Double random, one public · joint inspection plan and draws",
        ),
        "batch-name",
        &b.name,
        [
            (t("计划编号", "Plan"), format!("<code>{}</code>", esc(&b.id))),
            (t("牵头单位", "Organiser"), esc(&b.department)),
            (t("计划期间", "Period"), format!("{} — {}", esc(&b.start), esc(&b.end))),
        ],
    );
}

/// A task's strata in short: `A 3%: 11/366`, one per stratum.
fn strata_short(task: &PublicTask) -> String {
    let parts: Vec<String> = task
        .strata
        .iter()
        .map(|s| {
            let ratio = s.ratio.as_deref().map(|r| format!(" {r}")).unwrap_or_default();
            format!(
                "<span class=\"m\">{}{}: <b>{}</b>/{}</span>",
                esc(&s.label),
                esc(&ratio),
                s.k,
                s.n
            )
        })
        .collect();
    parts.join(" ")
}

fn item_names(task: &PublicTask) -> String {
    let names: Vec<String> = task.items.iter().map(|i| esc(&i.name)).collect();
    names.join("、")
}

fn task_key(task: &PublicTask) -> String {
    let mut key = format!(
        "{} {} {}",
        task.id.to_lowercase(),
        task.name.to_lowercase(),
        task.department.to_lowercase()
    );
    for i in &task.items {
        let _ = write!(key, " {} {}", i.code.to_lowercase(), i.name.to_lowercase());
    }
    key
}

fn plan_announcement(h: &mut String, d: &BatchPageData) {
    let m = d.manifest;
    let b = &m.batch;
    let n = m.tasks.len();
    let _ = writeln!(
        h,
        "<section id=\"plan-announcement\">\n<h2>{}</h2>\n<p>{}</p>\n<div class=\"cards\">",
        t("抽查计划公告", "Plan announcement"),
        t(
            &format!(
                "{}制定《{}》，计划期间 {} 至 {}，共 {} 项抽查任务。各任务的检查对象由同一个随机种子抽取；同一企业被时间重叠的多项任务抽中时，合并为一次检查（进一次门、查多项事）。",
                b.department, b.name, b.start, b.end, n
            ),
            &format!(
                "{} set out the plan “{}” for {} to {}: {} inspection tasks. Every task's targets are drawn from one random seed; a firm drawn by tasks whose windows overlap is inspected once for all of them.",
                b.department, b.name, b.start, b.end, n
            ),
        )
    );
    let tt = &m.totals;
    card(h, "n-tasks", tt.tasks, "抽查任务", "tasks");
    card(
        h,
        "n-targets",
        tt.targets,
        "抽中的检查对象（按任务计）",
        "targets (over all tasks)",
    );
    card(h, "n-visits", tt.visits, "检查户次", "visits");
    card(h, "n-firms", tt.firms, "涉及企业", "firms visited");
    card(h, "n-joint", tt.joint_visits, "联合检查户次", "joint visits");
    h.push_str("</div>\n");
    let _ = writeln!(
        h,
        "<h3>{}</h3>\n<div class=\"search-bar\"><label for=\"task-filter\">{}</label>\
         <input id=\"task-filter\" type=\"search\" autocomplete=\"off\" spellcheck=\"false\" \
         placeholder=\"输入任务编号、名称、部门或事项\" data-ph-zh=\"输入任务编号、名称、部门或事项\" \
         data-ph-en=\"Type a task's id, name, department or item\">\
         <p id=\"task-count\" data-count=\"{n}\" aria-live=\"polite\">{}</p></div>",
        t("抽查任务", "The tasks"),
        t("筛选任务：", "Filter tasks:"),
        t_html(
            &format!("共 {n} 项，显示 <b class=\"n\">{n}</b> 项"),
            &format!("showing <b class=\"n\">{n}</b> of {n} tasks")
        )
    );
    let open = if n <= OPEN_TASK_TABLE_UP_TO { " open" } else { "" };
    let _ = writeln!(
        h,
        "<details id=\"task-list\"{open}><summary>{}</summary>\n<div class=\"table-wrap task-wrap\">\n<table id=\"task-table\">\n\
         <thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>\n<tbody>",
        t(&format!("任务一览（{n} 项）"), &format!("All {n} tasks")),
        t("任务编号", "Task"),
        t("任务名称", "Name"),
        t("牵头部门", "Lead department"),
        t("抽查事项", "Items"),
        t("检查时间", "Window"),
        t(
            "分层 比例：抽取数 k / 符合条件 N",
            "Stratum ratio: drawn k / eligible N"
        ),
    );
    for task in &m.tasks {
        let _ = writeln!(
            h,
            "<tr data-task=\"{}\" data-key=\"{}\"><td class=\"code\"><a href=\"#{}\">{}</a></td><td>{}</td><td>{}</td>\
             <td>{}</td><td class=\"when\">{} — {}</td><td class=\"strata\">{}</td></tr>",
            esc(&task.id),
            esc(&task_key(task)),
            esc(&task_anchor(&task.id)),
            esc(&task.id),
            esc(&task.name),
            esc(&task.department),
            item_names(task),
            esc(&task.start),
            esc(&task.end),
            strata_short(task)
        );
    }
    let _ = writeln!(
        h,
        "</tbody>\n</table>\n</div>\n</details>\n<p id=\"no-task\" class=\"note\" hidden>{}</p>",
        t("没有符合条件的任务。", "No task matches.")
    );
    let _ = writeln!(
        h,
        "<h3>{}</h3>\n<div class=\"table-wrap\">\n<table id=\"items-table\">\n<thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>\n<tbody>",
        t("抽查事项清单（本计划所用事项）", "The items these tasks inspect"),
        t("事项编码", "Code"),
        t("事项名称", "Item"),
        t("实施部门", "Department"),
        t("抽查类别", "Category"),
        t("检查依据", "Legal basis"),
        t("检查方式", "Method"),
    );
    for item in &m.items {
        let category = match item.category.as_str() {
            "重点" => t("重点", "key"),
            "一般" => t("一般", "general"),
            other => esc(other),
        };
        let _ = writeln!(
            h,
            "<tr data-item=\"{}\"><td class=\"code\">{}</td><td>{}</td><td>{}</td><td>{category}</td><td>{}</td><td>{}</td></tr>",
            esc(&item.code),
            esc(&item.code),
            esc(&item.name),
            esc(&item.department),
            esc(&item.legal_basis),
            esc(&item.method)
        );
    }
    h.push_str("</tbody>\n</table>\n</div>\n");
    if !d.plan.publish.credit_classes {
        let _ = writeln!(
            h,
            "<p class=\"note\">{}</p>",
            t(
                "依照抽查计划，企业的信用风险分类不予公开：按分类分层的任务，其分层以 S1、S2…（按分层顺序）表示，名单中也不列分类。",
                "As the plan says, firms' credit-risk classes are not published: a task whose strata are formed by class shows them as S1, S2, … (in stratum order), and its list has no class column.",
            )
        );
    }
    h.push_str("</section>\n");
}

fn excluded_note(task: &PublicTask) -> Option<(String, String)> {
    let (zh, en) = excluded_reasons(&task.excluded, "task", true)?;
    Some((format!("不在抽查范围：{zh}。"), format!("Left out: {en}.")))
}

fn task_announcements(h: &mut String, d: &BatchPageData) {
    let m = d.manifest;
    let classes = d.plan.publish.credit_classes;
    let _ = writeln!(
        h,
        "<section id=\"task-announcements\">\n<h2>{}</h2>\n<p class=\"note\">{}</p>",
        t("抽查任务公告", "Task announcements"),
        t_html(
            "每项任务的种子为 <code>S:task:任务编号</code>（S 为上面的种子），各层抽取随机号最小的 k 家。点击任务展开其公告。",
            "Each task's seed is <code>S:task:TASK-ID</code> (S is the seed above); each stratum takes the k smallest tickets. Click a task to open its announcement.",
        )
    );
    for (i, (task, targets)) in m.tasks.iter().zip(d.targets).enumerate() {
        let open = if i == 0 { " open" } else { "" };
        let k = targets.len();
        let _ = writeln!(
            h,
            "<details class=\"task-ann\" id=\"{}\" data-task=\"{}\" data-key=\"{}\"{open}>\n\
             <summary><code>{}</code> {} <span class=\"when\">{} — {}</span> <span class=\"k\">{}</span></summary>\n<div class=\"ann\">",
            esc(&task_anchor(&task.id)),
            esc(&task.id),
            esc(&task_key(task)),
            esc(&task.id),
            esc(&task.name),
            esc(&task.start),
            esc(&task.end),
            t(&format!("抽中 {k} 家"), &format!("{k} drawn"))
        );
        let items: Vec<String> = task
            .items
            .iter()
            .map(|i| format!("{}（<code>{}</code>）", esc(&i.name), esc(&i.code)))
            .collect();
        let _ = writeln!(
            h,
            "<dl class=\"facts\"><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{} — {}</dd><dt>{}</dt><dd>{}</dd>\
             <dt>{}</dt><dd><code class=\"seed task-seed\">{}</code></dd><dt>{}</dt><dd>{}</dd></dl>",
            t("牵头部门", "Lead department"),
            esc(&task.department),
            t("检查时间", "Inspection window"),
            esc(&task.start),
            esc(&task.end),
            t("抽查事项", "Items"),
            items.join("、"),
            t("任务种子 S_t", "Task seed S_t"),
            esc(&task.seed),
            t("企业数", "Firms"),
            t(
                &format!(
                    "名录 {} 家，符合条件 {} 家，抽中 {} 家",
                    task.totals.directory_rows, task.totals.eligible, task.totals.targets
                ),
                &format!(
                    "{} in the directory, {} eligible, {} drawn",
                    task.totals.directory_rows, task.totals.eligible, task.totals.targets
                )
            )
        );
        if let Some((zh, en)) = excluded_note(task) {
            let _ = writeln!(h, "<p class=\"note\">{}</p>", t(&zh, &en));
        }
        task_strata_table(
            h,
            task,
            d.plan.tasks.iter().find(|p| p.task.id == task.id).map(|p| &p.targets),
        );
        let _ = writeln!(
            h,
            "<div class=\"search-bar\"><input class=\"task-search\" type=\"search\" autocomplete=\"off\" spellcheck=\"false\" \
             aria-label=\"查找\" placeholder=\"输入统一社会信用代码或企业名称\" data-ph-zh=\"输入统一社会信用代码或企业名称\" \
             data-ph-en=\"Type a credit code or a firm's name\">\
             <p class=\"task-count\" data-count=\"{k}\" aria-live=\"polite\">{}</p></div>",
            t_html(
                &format!("共 {k} 家，显示 <b class=\"n\">{k}</b> 家"),
                &format!("showing <b class=\"n\">{k}</b> of {k} firms")
            )
        );
        let _ = write!(
            h,
            "<div class=\"table-wrap task-list-wrap\">\n<table class=\"task-targets\">\n<thead><tr><th>{}</th><th class=\"r\">{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th>",
            t("分层", "Stratum"),
            t("层内序号", "Rank"),
            t("统一社会信用代码", "Credit code"),
            t("企业名称", "Name"),
            t("区县", "County"),
            t("行业", "Industry"),
        );
        if classes {
            let _ = write!(h, "<th>{}</th>", t("信用风险分类", "Credit class"));
        }
        let _ = writeln!(h, "<th>{}</th></tr></thead>\n<tbody>", t("随机号", "Ticket"));
        for tg in targets {
            let _ = write!(
                h,
                "<tr data-uscc=\"{}\" data-key=\"{} {}\"><td>{}</td><td class=\"r\">{}</td><td class=\"code\">{}</td>\
                 <td class=\"name\">{}</td><td>{}</td><td>{}</td>",
                esc(&tg.uscc),
                esc(&tg.uscc.to_lowercase()),
                esc(&tg.name.to_lowercase()),
                esc(&tg.stratum),
                tg.rank,
                esc(&tg.uscc),
                esc(&tg.name),
                esc(&tg.county),
                esc(&tg.industry)
            );
            if classes {
                let _ = write!(h, "<td>{}</td>", esc(tg.credit_class.as_deref().unwrap_or("")));
            }
            let _ = writeln!(
                h,
                "<td class=\"ticket\"><code title=\"{}\">{}…</code></td></tr>",
                esc(&tg.ticket),
                esc(ticket_head(&tg.ticket))
            );
        }
        let _ = writeln!(
            h,
            "</tbody>\n</table>\n</div>\n<p class=\"note no-match\" hidden>{}</p>",
            t("本任务没有抽中该企业。", "This task did not draw such a firm.")
        );
        let first = task.strata.first();
        let (label, sk) = first.map_or((String::new(), 0), |s| (s.label.clone(), s.k));
        let _ = writeln!(
            h,
            "<details class=\"how\"><summary>{}</summary><pre><code>import consistent_sampler\n\n\
             S_t = {}  # 任务种子 / the task seed\n\
             # ids：分层 {} 全部符合条件企业的统一社会信用代码（监管部门名录）\n\
             # ids: the codes of every eligible firm of stratum {} (the regulator's directory)\n\
             print(list(consistent_sampler.sampler(ids, seed=S_t, take={sk}, output='id')))</code></pre></details>\n</div>\n</details>",
            t("如何核验本任务", "How to check this task"),
            esc(&py_str(&task.seed)),
            esc(&label),
            esc(&label)
        );
    }
    h.push_str("</section>\n");
}

/// A task's strata, marked for the page's check of k (`verify.js`) with
/// the bounds of `targets`, the task's own targets of the plan.
fn task_strata_table(h: &mut String, task: &PublicTask, targets: Option<&Targets>) {
    strata_table(h, &task.strata, "class=\"task-strata\"", targets);
    h.push_str("</tbody>\n</table>\n</div>\n");
}

fn lookup_section(h: &mut String, d: &BatchPageData) {
    let m = d.manifest;
    let names: BTreeMap<&str, &str> = m.items.iter().map(|i| (i.code.as_str(), i.name.as_str())).collect();
    let teams = d.visits.iter().any(|v| v.team.is_some());
    let n = d.visits.len();
    let _ = writeln!(
        h,
        "<section id=\"lookup\">\n<h2>{}</h2>\n<p>{}</p>\n<div class=\"search-bar\"><label for=\"firm-search\">{}</label>\
         <input id=\"firm-search\" type=\"search\" autocomplete=\"off\" spellcheck=\"false\" \
         placeholder=\"输入统一社会信用代码或企业名称\" data-ph-zh=\"输入统一社会信用代码或企业名称\" \
         data-ph-en=\"Type a credit code or a firm's name\">\
         <p id=\"visit-count\" data-count=\"0\" aria-live=\"polite\">{}</p></div>",
        t("企业查询", "Find a firm"),
        t(
            &format!(
                "全年共 {n} 户次检查。输入企业的统一社会信用代码或名称（至少两个字符），查看该企业被哪些任务抽中、何时检查、检查哪些事项。"
            ),
            &format!(
                "{n} visits over the year. Type a firm's credit code or name (two characters or more) to see which tasks drew it, when it is visited and for which items."
            )
        ),
        t("查找企业：", "Find:"),
        t_html(
            &format!("共 {n} 户次，找到 <b class=\"n\">0</b> 户次"),
            &format!("<b class=\"n\">0</b> of {n} visits found")
        )
    );
    let _ = write!(
        h,
        "<div class=\"table-wrap visits-wrap\">\n<table id=\"visits\">\n<thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th>",
        t("统一社会信用代码", "Credit code"),
        t("企业名称", "Name"),
        t("区县", "County"),
        t("检查时间", "Window"),
        t("抽查任务", "Tasks"),
        t("抽查事项", "Items"),
    );
    if teams {
        let _ = write!(h, "<th>{}</th>", t("检查组", "Inspection team"));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for v in d.visits {
        let tasks: Vec<String> = v
            .tasks
            .iter()
            .map(|id| format!("<a href=\"#{}\">{}</a>", esc(&task_anchor(id)), esc(id)))
            .collect();
        let items: Vec<String> = v
            .items
            .iter()
            .map(|c| esc(names.get(c.as_str()).copied().unwrap_or(c)))
            .collect();
        let _ = write!(
            h,
            "<tr data-uscc=\"{}\" data-visit=\"{}\" data-key=\"{} {}\" hidden><td class=\"code\">{}</td><td class=\"name\">{}</td>\
             <td>{}</td><td class=\"when\">{} — {}</td><td class=\"tasks\">{}</td><td>{}</td>",
            esc(&v.uscc),
            esc(&v.visit),
            esc(&v.uscc.to_lowercase()),
            esc(&v.name.to_lowercase()),
            esc(&v.uscc),
            esc(&v.name),
            esc(&v.county),
            esc(&v.start),
            esc(&v.end),
            tasks.join(" "),
            items.join("、")
        );
        if teams {
            let members: Vec<String> = v
                .team
                .as_deref()
                .unwrap_or(&[])
                .iter()
                .map(|(dept, id, name)| format!("<span class=\"m\">{}（{}，{}）</span>", esc(name), esc(id), esc(dept)))
                .collect();
            let _ = write!(h, "<td class=\"team\">{}</td>", members.join("、"));
        }
        h.push_str("</tr>\n");
    }
    let _ = writeln!(
        h,
        "</tbody>\n</table>\n</div>\n<p id=\"no-visit\" class=\"note\" hidden>{}</p>\n</section>",
        t(
            "没有找到。未列出的企业本年度未被本计划的任何任务抽中。",
            "Not found. A firm not listed was not drawn by any task of this plan."
        )
    );
}

/// Where the page reports its own check (`verify.js`, run over every
/// task: each task's tickets T(S_t, uscc), its ranks and its k; the
/// ceremony; the files and the results log beside the page).
fn verify_section(h: &mut String) {
    verify_box(
        h,
        "data-verify=\"batch\"",
        (
            "打开本页面时，浏览器按抽查规范复算每项任务的名单：任务种子 S_t = S:task:任务编号（SPEC.md 第 10.3 节）、每家企业的随机号 T(S_t, uscc)、每层的序号与抽取数 k（第 2、3 节）；公开仪式抽取的，还按第 5.3 节复算种子并核验 drand 信标的签名；本页面与 public.json 及其所列文件放在一起时，核验各文件的哈希值与结果日志的哈希链。无需安装任何软件，也不连接外部网络。",
            "When this page opens, your browser recomputes every task's list by the specification: the task seed S_t = S:task:TASK-ID (SPEC.md §10.3), every firm's ticket T(S_t, uscc), each stratum's ranks and its k (§2, §3); for a ceremony draw, also the seed (§5.3) and the drand beacon's signature; beside public.json and its files, also every file's hash and the results log's hash chain. Nothing to install; nothing leaves your computer.",
        ),
        (
            "本页面不能核验：未列出的符合条件企业中没有随机号更小者，以及每层企业数 N（这需要监管部门的名录）；检查户次的合并与检查人员的分配。这些请用 spotcheck verify 核验（见下文）。",
            "Not checked here: that no unlisted eligible firm has a smaller ticket, and each stratum's N (both need the regulator's directory); how the visits merge the tasks, and the teams. Check those with spotcheck verify (below).",
        ),
    );
}

fn check_section(h: &mut String, d: &BatchPageData) {
    let m = d.manifest;
    let dir = "<span class=\"dir\">PUBLIC_DIR</span>";
    let _ = writeln!(
        h,
        "<section id=\"check\">\n<h2>{}</h2>\n<p>{}</p>\n<ol class=\"steps\">",
        t("如何核验本计划的抽取", "How to check these draws"),
        t_html(
            &format!(
                "下载本页面所在的文件夹（{dir}，含 public.json、tasks/任务编号/targets.csv、visits.csv 等），安装 spotcheck，然后："
            ),
            &format!(
                "Download the folder this page is in ({dir}, with public.json, tasks/TASK-ID/targets.csv, visits.csv and the rest), install spotcheck, then:"
            )
        )
    );
    let _ = writeln!(
        h,
        "<li><p>{}</p><pre><code>spotcheck verify {dir}</code></pre></li>",
        t(
            "核验整个公开包：文件哈希、种子仪式、每项任务的每个随机号、每层的排序与抽取数、检查户次的合并。它会逐项列出核验了什么、没有核验什么。",
            "Check the whole public bundle: file hashes, the seed ceremony, every ticket of every task, each stratum's order and size, how the visits merge the tasks. It lists what it checked and what it could not check.",
        )
    );
    let seed = esc(&py_str(&m.seed.value));
    let _ = writeln!(
        h,
        "<li><p>{}</p><pre><code>pip install consistent-sampler==1.0.10\n</code></pre>\
         <pre><code>import csv, json\nimport consistent_sampler\n\n\
         S = {seed}  # 种子 / the seed\n\
         batch = json.load(open(\"{dir}/public.json\", encoding=\"utf-8\"))\n\
         for task in batch[\"tasks\"]:\n\
         \x20   S_t = S + \":task:\" + task[\"id\"]  # 任务种子 / the task seed\n\
         \x20   assert S_t == task[\"seed\"]\n\
         \x20   with open(\"{dir}/tasks/\" + task[\"id\"] + \"/targets.csv\", encoding=\"utf-8\") as f:\n\
         \x20       for row in csv.DictReader(f):\n\
         \x20           assert consistent_sampler.first_fraction(row[\"uscc\"], S_t) == row[\"ticket\"]\n\n\
         # 一层的抽取：ids 为该层全部符合条件企业的代码（在监管部门的名录中）\n\
         # a stratum's draw: ids are the codes of all its eligible firms (in the regulator's directory)\n\
         print(list(consistent_sampler.sampler(ids, seed=S_t, take=k, output='id')))</code></pre></li>",
        t(
            "不用 spotcheck，也可用 Python 和 Rivest 的 consistent_sampler 独立复算每项任务的随机号：",
            "Without spotcheck, recompute every task's tickets independently with Python and Rivest's consistent_sampler:",
        ),
    );
    h.push_str("</ol>\n</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_and_keys() {
        assert_eq!(task_anchor("QDN-1"), "task-QDN-1");
    }
}
