//! `index.html` of a public bundle: one self-contained page (inline CSS,
//! JavaScript and SVG; no network) showing the task, the seed, the
//! strata, two charts, the searchable list of targets and teams, the
//! results announcement when results are published, and how to check the
//! draw. Chinese first, with an English toggle. The searches of this page
//! and of a batch's share one filter (`page.js`).
//!
//! The page is a pure function of the public data, so that
//! `spotcheck verify` can render it again and compare.

use crate::bundle::manifest::{ExcludedRecord, tool_version};
use crate::inputs::plan::{Plan, Targets};
use crate::inputs::result_words::Outcome;
use crate::public::announcement::{PENDING, ResultRow};
use crate::public::format::{PublicAssignment, PublicManifest, PublicResults, PublicStratum, PublicTarget};
use crate::seed::record::SeedRecord;
use std::collections::BTreeMap;
use std::fmt::Write;

pub use crate::base::html::esc;

pub(crate) const CSS: &str = include_str!("page/page.css");
pub(crate) const JS: &str = include_str!("page/page.js");
/// The plan page's own check of its list (SPEC.md §2 and §3), run in the
/// reader's browser; it follows `page.js` in the same script element.
pub(crate) const VERIFY_JS: &str = include_str!("page/verify.js");
/// A firm's check of its proof (SPEC.md §9) in the plan page; it follows
/// `verify.js` in the same script element.
pub(crate) const PROOF_JS: &str = include_str!("page/proof.js");
/// The drand beacon's BLS signature check (`@noble/curves`, pinned and
/// bundled by `scripts/vendor-bls.sh`; its licence is at its top), in its
/// own script element before the page's, on pages of a ceremony with a
/// beacon.
pub(crate) const BLS_JS: &str = include_str!("page/vendor/bls.js");
/// The results announcement's style, on pages that have one.
pub(crate) const RESULTS_CSS: &str = include_str!("page/results.css");

/// What the page shows.
pub struct PageData<'a> {
    /// The public manifest; its `files` are not used.
    pub manifest: &'a PublicManifest,
    /// The plan parsed from the manifest's plan text.
    pub plan: &'a Plan,
    pub targets: &'a [PublicTarget],
    pub assignments: &'a [PublicAssignment],
    /// The rows of `results.csv`, when the bundle publishes results
    /// (`manifest.results`).
    pub results: Option<&'a [ResultRow]>,
    /// The public bundle's files by name; of these the ceremony evidence
    /// (`commitment.json`, `secret.txt`, `beacon.json`) is inlined, so
    /// that the page can check its seed (SPEC.md §5.3).
    pub evidence: &'a BTreeMap<String, Vec<u8>>,
}

/// A UI string in both languages (both already plain text; escaped
/// here). CSS shows the page's language only.
pub(crate) fn t(zh: &str, en: &str) -> String {
    format!(
        "<span data-l=\"zh\">{}</span><span data-l=\"en\">{}</span>",
        esc(zh),
        esc(en)
    )
}

/// Like [`t`], for fragments that are already HTML.
pub(crate) fn t_html(zh: &str, en: &str) -> String {
    format!("<span data-l=\"zh\">{zh}</span><span data-l=\"en\">{en}</span>")
}

/// Renders the page.
pub fn render(d: &PageData) -> String {
    let m = d.manifest;
    let mut h = String::with_capacity(4096 + d.targets.len() * 700);
    let title_zh = format!("{} · 抽查结果公示", m.task.name);
    let title_en = format!("{} · published draw", m.task.name);
    let results = m.results.as_ref().zip(d.results);
    let css: &[&str] = if results.is_some() { &[CSS, RESULTS_CSS] } else { &[CSS] };
    page_start(&mut h, &title_zh, &title_en, css);
    header(&mut h, d);
    h.push_str("<main>\n");
    rehearsal_banner(&mut h, &m.seed);
    verify_section(&mut h, d);
    seed_section(&mut h, &m.seed);
    evidence_element(&mut h, &m.seed, d.evidence);
    summary_section(&mut h, d);
    strata_section(&mut h, d);
    charts_section(&mut h, d);
    list_section(&mut h, d);
    proof_section(&mut h);
    if let Some((record, rows)) = results {
        results_section(&mut h, record, rows, false);
    }
    check_section(&mut h, d);
    plan_section(&mut h, d);
    h.push_str("</main>\n");
    let script = [JS, VERIFY_JS, PROOF_JS].concat();
    if has_beacon(&m.seed, d.evidence) {
        page_end(&mut h, &m.source_manifest_sha256, &[BLS_JS, &script]);
    } else {
        page_end(&mut h, &m.source_manifest_sha256, &[&script]);
    }
    h
}

/// Where the page reports its own check (`verify.js`): the progress line
/// and the list of checks are filled in by the script; what it does not
/// check is said here. The section carries what a firm's proof is checked
/// against that the page does not show elsewhere: the task's id and the
/// frame's number of leaves.
fn verify_section(h: &mut String, d: &PageData) {
    let m = d.manifest;
    verify_box(
        h,
        &format!("data-task=\"{}\" data-leaves=\"{}\"", esc(&m.task.id), m.frame.leaves),
        (
            "打开本页面时，浏览器按抽查规范（SPEC.md 第 2、3 节）复算名单：每家企业的随机号 T(seed, uscc)、每层的序号与抽取数 k；公开仪式抽取的，还按第 5.3 节由承诺文件、秘密值、信标与骰子串复算种子，并核验 drand 信标的签名；本页面与 public.json 及其所列文件放在一起时，核验各文件的哈希值与结果日志的哈希链。无需安装任何软件，也不连接外部网络。",
            "When this page opens, your browser recomputes the list by the specification (SPEC.md §2 and §3): every firm's ticket T(seed, uscc), each stratum's ranks and its k; for a ceremony draw, also the seed from the commitment, the secret, the beacon and the dice string (§5.3), and the drand beacon's signature; beside public.json and its files, also every file's hash and the results log's hash chain. Nothing to install; nothing leaves your computer.",
        ),
        (
            "本页面不能核验：未列出的符合条件企业中没有随机号更小者，以及 Merkle 树所定的每层企业数 N（这两项需要监管部门的名录，由 spotcheck verify 核验）；每家企业可在下文用自己的证明文件核验本企业。",
            "Not checked here: that no unlisted eligible firm has a smaller ticket, and each stratum's N as the Merkle tree fixes it (both need the regulator's directory; spotcheck verify checks them). A firm can check itself below, with its proof file.",
        ),
    );
}

/// The section `verify.js` reports into, a plan's page's or a batch's:
/// `attrs` (the section's data attributes, already HTML), what the page
/// checks (`intro`) and what it cannot (`not_checked`), both plain text
/// in Chinese and English; between them the progress line, the list of
/// checks and the folder chooser. The chooser is for the files beside
/// the page when the browser does not let a page opened from disk read
/// them; `verify.js` shows it only then.
pub(crate) fn verify_box(h: &mut String, attrs: &str, intro: (&str, &str), not_checked: (&str, &str)) {
    let _ = writeln!(
        h,
        "<section id=\"verify\" {attrs}>\n<h2>{}</h2>\n<p>{}</p>\n\
         <p id=\"verify-progress\" aria-live=\"polite\">{}</p>\n<ul id=\"verify-checks\" class=\"checks\"></ul>\n\
         <div id=\"verify-chooser\" class=\"drop\" hidden>\n<p>{}</p>\n\
         <p><label>{} <input id=\"verify-folder\" type=\"file\" webkitdirectory multiple></label></p>\n</div>\n\
         <p class=\"note\" id=\"verify-not-checked\">{}</p>\n</section>",
        t("本页面的自动核验", "This page checks itself"),
        t(intro.0, intro.1),
        t("需要启用 JavaScript 才能核验。", "Checking needs JavaScript."),
        t(
            "从本机打开时，浏览器不允许页面读取同一文件夹中的其他文件。要核验 public.json 所列各文件的哈希值与结果日志，请选择公开包所在的文件夹，或把该文件夹拖到这里。文件只在本机读取，不会上传。",
            "Opened from disk, the browser does not let the page read the files beside it. To check the hashes of the files public.json lists, and the results log, choose the public bundle's folder, or drop it here. The files are read on this computer only; nothing is uploaded.",
        ),
        t("选择文件夹：", "Choose the folder:"),
        t(not_checked.0, not_checked.1),
    );
}

/// For a ceremony draw, what `verify.js` needs to derive the seed again:
/// the evidence files as text and the dice string, as JSON in a
/// `<script type="application/json" id="evidence">` element. `<`, `>`
/// and `&` are written as JSON escapes, so that no text of the evidence
/// can close the element.
pub(crate) fn evidence_element(h: &mut String, seed: &SeedRecord, files: &BTreeMap<String, Vec<u8>>) {
    let Some(c) = &seed.ceremony else {
        return;
    };
    let text = |name: &str| files.get(name).map(|b| String::from_utf8_lossy(b).into_owned());
    let value = serde_json::json!({
        "commitment": text(crate::seed::ceremony::COMMITMENT_JSON),
        "secret": text(crate::seed::ceremony::SECRET_TXT),
        "beacon": text(crate::seed::ceremony::BEACON_JSON),
        "dice": c.dice,
    });
    let json = serde_json::to_string(&value)
        .unwrap_or_default()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026");
    let _ = writeln!(h, "<script type=\"application/json\" id=\"evidence\">{json}</script>");
}

/// Whether the page carries a ceremony's beacon, and so the BLS check
/// (`BLS_JS`) that `verify.js` runs on it.
pub(crate) fn has_beacon(seed: &SeedRecord, files: &BTreeMap<String, Vec<u8>>) -> bool {
    seed.ceremony.is_some() && files.contains_key(crate::seed::ceremony::BEACON_JSON)
}

/// The page's start, up to `<body>`: its title in both languages and
/// the style sheets `css`, one after the other.
pub(crate) fn page_start(h: &mut String, title_zh: &str, title_en: &str, css: &[&str]) {
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; \
         script-src 'unsafe-inline'; worker-src blob:; connect-src 'self'; img-src data:; base-uri 'none'; \
         form-action 'none'\">\n\
         <meta name=\"generator\" content=\"{}\">\n\
         <title data-zh=\"{}\" data-en=\"{}\">{}</title>\n<style>\n{}</style>\n</head>\n\
         <body data-lang=\"zh\">\n",
        esc(&tool_version()),
        esc(title_zh),
        esc(title_en),
        esc(title_zh),
        css.concat()
    );
}

/// The page's end, from `<footer>`: who made it, the source manifest's
/// SHA-256 (`source_sha256`) and the `scripts`, each in its own element.
pub(crate) fn page_end(h: &mut String, source_sha256: &str, scripts: &[&str]) {
    let _ = write!(
        h,
        "<footer>\n<p>{}</p>\n<p>{} <code id=\"source-sha256\">{}</code></p>\n</footer>\n",
        t(
            &format!(
                "本页面由 {} 生成。页面所含数据均在本文件中，不连接任何网络。",
                tool_version()
            ),
            &format!(
                "Made by {}. Everything this page shows is inside this one file; it makes no network requests.",
                tool_version()
            ),
        ),
        t(
            "来源清单（manifest.json）SHA-256：",
            "Source manifest (manifest.json) SHA-256:"
        ),
        esc(source_sha256)
    );
    for js in scripts {
        let _ = write!(h, "<script>\n{js}</script>\n");
    }
    h.push_str("</body>\n</html>\n");
}

fn header(h: &mut String, d: &PageData) {
    let task = &d.manifest.task;
    let items = if task.items.is_empty() {
        "—".to_string()
    } else {
        esc(&task.items.join("、"))
    };
    page_header(
        h,
        t(
            "双随机、一公开 · 抽查结果公示",
            "Double random, one public · published inspection draw",
        ),
        "task-name",
        &task.name,
        [
            (t("任务编号", "Task"), format!("<code>{}</code>", esc(&task.id))),
            (t("实施部门", "Department"), esc(&task.department)),
            (
                t("检查时间", "Inspection window"),
                format!("{} — {}", esc(&task.start), esc(&task.end)),
            ),
            (t("抽查事项", "Inspection items"), items),
        ],
    );
}

/// The page's header: the `kicker` line (HTML), the language button, the
/// name as the heading with id `heading_id`, and the `facts` (label and
/// value, both HTML).
pub(crate) fn page_header(
    h: &mut String,
    kicker: String,
    heading_id: &str,
    name: &str,
    facts: impl IntoIterator<Item = (String, String)>,
) {
    let _ = write!(
        h,
        "<header>\n<div class=\"top\"><p class=\"kicker\">{}</p>\
         <button id=\"lang-toggle\" type=\"button\" data-zh=\"English\" data-en=\"中文\" \
         data-label-zh=\"Switch to English\" data-label-en=\"切换到中文\" aria-label=\"Switch to English\">English</button></div>\n\
         <h1 id=\"{heading_id}\">{}</h1>\n<dl class=\"facts\">\n",
        kicker,
        esc(name)
    );
    for (label, value) in facts {
        let _ = writeln!(h, "<dt>{label}</dt><dd>{value}</dd>");
    }
    h.push_str("</dl>\n</header>\n");
}

/// A banner over everything else when the commitment's time was typed in.
pub(crate) fn rehearsal_banner(h: &mut String, seed: &SeedRecord) {
    if !seed.ceremony.as_ref().is_some_and(|c| c.rehearsal) {
        return;
    }
    let _ = writeln!(
        h,
        "<div class=\"warn rehearsal\" role=\"alert\" id=\"rehearsal\"><p><b>{}</b> {}</p></div>",
        t("演练，不是正式抽查。", "Rehearsal, not a public draw."),
        t(
            "承诺文件的时间是操作人员输入的（spotcheck commit --time），不是计算机时钟读取的。因此无法证明承诺是在公开随机数产生之前作出的：承诺可能是在已知随机数之后才作出、并倒填了时间。本页面的名单不能作为正式抽查结果。",
            "The commitment's time was typed in by the operator (spotcheck commit --time), not read from the computer's clock. So nothing shows that the commitment was made before the public randomness existed: it may have been made, and back-dated, after the randomness was known. The list on this page is not the result of a public draw.",
        )
    );
}

pub(crate) fn seed_section(h: &mut String, s: &SeedRecord) {
    let _ = writeln!(
        h,
        "<section id=\"ceremony\">\n<h2>{}</h2>",
        t("随机种子从何而来", "Where the random seed came from")
    );
    match &s.ceremony {
        Some(c) => {
            let _ = writeln!(
                h,
                "<p>{}</p>\n<dl class=\"facts\">",
                t(
                    "抽取前，监管部门公布了承诺文件（commitment.json），锁定了抽查计划、各名录文件的哈希值和将来才产生的公开随机数；抽取时公开秘密值。种子由承诺、秘密值与公开随机数经一次 SHA-256 计算得出，任何人（包括监管部门）都无法事先选择。",
                    "Before the draw the regulator published a commitment (commitment.json) fixing the plan, the hashes of every list and a source of public randomness that did not exist yet; at the draw it revealed a secret. The seed is one SHA-256 of the commitment, the secret and the public randomness, so nobody, the regulator included, could choose it in advance.",
                )
            );
            let mut rows: Vec<(String, String)> = vec![
                if c.rehearsal {
                    (
                        t("承诺文件所写时间", "Time written in the commitment"),
                        t_html(
                            &format!("{}（操作人员输入的时间，<b>演练</b>）", esc(&c.committed_at)),
                            &format!(
                                "{} (typed in by the operator: a <b>rehearsal</b>)",
                                esc(&c.committed_at)
                            ),
                        ),
                    )
                } else {
                    (
                        t("承诺生成时间", "Commitment made at"),
                        t(
                            &format!("{}（计算机时钟）", c.committed_at),
                            &format!("{} (the computer's clock)", c.committed_at),
                        ),
                    )
                },
                (
                    t("承诺文件 SHA-256", "Commitment SHA-256"),
                    format!("<code>{}</code>", esc(&c.commitment_sha256)),
                ),
                (
                    t(
                        "秘密值 SHA-256（秘密值见 secret.txt）",
                        "Secret SHA-256 (the secret is in secret.txt)",
                    ),
                    format!("<code>{}</code>", esc(&c.secret_sha256)),
                ),
            ];
            if let Some(r) = c.beacon_round {
                let time = c.beacon_time.as_deref().unwrap_or("");
                rows.push((
                    t("drand 公共随机信标", "drand randomness beacon"),
                    t_html(
                        &format!("quicknet 第 <b>{r}</b> 轮，产生于 {}", esc(time)),
                        &format!("quicknet round <b>{r}</b>, produced at {}", esc(time)),
                    ),
                ));
            }
            if let Some(x) = &c.beacon_randomness {
                rows.push((t("信标随机数", "Beacon randomness"), format!("<code>{}</code>", esc(x))));
            }
            if let Some(dice) = &c.dice {
                rows.push((
                    t("现场摇号（骰子）", "Dice rolled in public"),
                    format!("<code>{}</code>", esc(dice)),
                ));
            }
            if let Some(old) = &c.replaces {
                rows.push((
                    t("本次承诺替代的承诺", "Replaces the commitment"),
                    format!("<code>{}</code>", esc(old)),
                ));
            }
            rows.push((
                t("种子", "Seed"),
                format!("<code class=\"seed\" id=\"seed\">{}</code>", esc(&s.value)),
            ));
            for (k, v) in rows {
                let _ = writeln!(h, "<dt>{k}</dt><dd>{v}</dd>");
            }
            h.push_str("</dl>\n");
            let round = c.beacon_time.as_deref().map(|time| {
                (
                    format!("drand 第 {} 轮的产生时间（{}）", c.beacon_round.unwrap_or(0), time),
                    format!(
                        "the time drand round {} was produced ({time})",
                        c.beacon_round.unwrap_or(0)
                    ),
                )
            });
            let (zh_when, en_when) =
                round.unwrap_or_else(|| ("现场摇号的时间".into(), "the time the dice were rolled".into()));
            let _ = writeln!(
                h,
                "<div class=\"note\" id=\"not-checked-publication\"><p><b>{}</b> {}</p></div>",
                t("软件无法检查的一点：", "What no software can check:"),
                t(
                    &format!(
                        "承诺文件必须在公开随机数产生之前就已公布。spotcheck 只能检查承诺文件中写明的时间，无法知道它实际何时公布。请自行核对：网站发布承诺文件的时间、网页存档（如互联网档案馆）中的副本或公告栏的张贴记录，都应早于{zh_when}。"
                    ),
                    &format!(
                        "the commitment must have been published before the public randomness existed. spotcheck can only check the time written in the commitment, not when it really was published. Check it yourself: the time the website published commitment.json, an archived copy of that page (e.g. the Internet Archive) or the notice board's record must all be earlier than {en_when}."
                    ),
                )
            );
        }
        None => {
            let _ = writeln!(
                h,
                "<div class=\"warn\" role=\"alert\" id=\"operator-seed\"><p><b>{}</b> {}</p></div>\n\
                 <dl class=\"facts\"><dt>{}</dt><dd><code class=\"seed\" id=\"seed\">{}</code></dd></dl>",
                t("注意：", "Warning:"),
                t(
                    "本次抽取的种子由操作人员直接输入（试抽），不是通过公开仪式产生的。名单确实由该种子计算得出，但无法证明种子是在结果已知之前确定的。正式抽查应使用 spotcheck commit 公开承诺后再抽取。",
                    "the seed of this draw was typed by the operator (a trial), not made in a public ceremony. The list does follow from this seed, but nothing shows that the seed was fixed before the result was known. A real draw publishes a commitment first (spotcheck commit).",
                ),
                t("种子", "Seed"),
                esc(&s.value)
            );
        }
    }
    h.push_str("</section>\n");
}

pub(crate) fn card(h: &mut String, id: &str, n: u64, zh: &str, en: &str) {
    let _ = writeln!(
        h,
        "<div class=\"card\" id=\"{id}\"><span class=\"num\">{n}</span><span class=\"what\">{}</span></div>",
        t(zh, en)
    );
}

pub(crate) fn reason(key: &str) -> (String, String) {
    let (zh, en) = match key {
        "deregistered" => ("已注销", "deregistered"),
        "revoked" => ("已吊销", "revoked"),
        "cancelled" => ("已撤销", "cancelled"),
        "moved-out" => ("已迁出", "moved out"),
        other => (other, other),
    };
    (zh.to_string(), en.to_string())
}

/// Why firms were left out, with how many each, in Chinese and in
/// English (`None` when none were): the reasons of inactive firms, then
/// outside the counties or industries of the `whose` (`plan`, `task`),
/// inspected recently, and at the year's most visits when `cap`.
pub(crate) fn excluded_reasons(e: &ExcludedRecord, whose: &str, cap: bool) -> Option<(String, String)> {
    let mut parts: Vec<(String, String, u64)> = e
        .inactive
        .iter()
        .map(|(k, v)| {
            let (zh, en) = reason(k);
            (zh, en, *v)
        })
        .collect();
    let counties = format!("outside the {whose}'s counties");
    let industries = format!("outside the {whose}'s industries");
    let mut more = vec![
        ("不在定向抽查的区县", counties.as_str(), e.outside_counties),
        ("不在定向抽查的行业", industries.as_str(), e.outside_industries),
        ("近期已被检查", "inspected recently", e.recently_inspected),
    ];
    if cap {
        more.push(("已达全年检查次数上限", "at the year's most visits", e.visit_cap));
    }
    for (zh, en, v) in more {
        if v > 0 {
            parts.push((zh.into(), en.into(), v));
        }
    }
    if parts.is_empty() {
        return None;
    }
    let zh: Vec<String> = parts.iter().map(|(z, _, v)| format!("{z} {v} 家")).collect();
    let en: Vec<String> = parts.iter().map(|(_, e, v)| format!("{e} {v}")).collect();
    Some((zh.join("，"), en.join(", ")))
}

fn summary_section(h: &mut String, d: &PageData) {
    let m = d.manifest;
    let _ = writeln!(
        h,
        "<section id=\"summary\">\n<h2>{}</h2>\n<div class=\"cards\">",
        t("本次抽取概况", "This draw in numbers")
    );
    card(
        h,
        "n-directory",
        m.totals.directory_rows,
        "名录中的企业",
        "firms in the directory",
    );
    card(
        h,
        "n-eligible",
        m.totals.eligible,
        "符合抽查条件",
        "eligible for this task",
    );
    card(h, "n-excluded", m.excluded.total, "不在抽查范围", "left out");
    card(h, "n-targets", m.totals.targets, "抽中的检查对象", "firms drawn");
    h.push_str("</div>\n");
    if let Some((zh, en)) = excluded_reasons(&m.excluded, "plan", false) {
        let _ = writeln!(
            h,
            "<p class=\"note\">{}</p>",
            t(&format!("不在抽查范围的原因：{zh}。"), &format!("Left out: {en}."))
        );
    }
    let _ = writeln!(
        h,
        "<p class=\"note\">{} <code id=\"merkle-root\">{}</code></p>\n</section>",
        t(
            &format!(
                "名录全部 {} 家企业（含不在范围者）的分层与资格，以 Merkle 树根公布：",
                m.frame.leaves
            ),
            &format!(
                "The stratum and eligibility of all {} firms of the directory are fixed by the Merkle root:",
                m.frame.leaves
            )
        ),
        esc(&m.frame.merkle_root)
    );
}

fn strata_section(h: &mut String, d: &PageData) {
    let m = d.manifest;
    let _ = write!(
        h,
        "<section id=\"strata\">\n<h2>{}</h2>\n",
        t("分层与抽取数", "Strata and sample sizes")
    );
    let span = strata_table(h, &m.strata, "id=\"strata-table\"", Some(&d.plan.targets));
    let _ = writeln!(
        h,
        "</tbody>\n<tfoot><tr><td colspan=\"{span}\">{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td><td></td></tr></tfoot>\n</table>\n</div>",
        t("合计", "Total"),
        m.totals.eligible,
        m.totals.targets
    );
    let mut notes = Vec::new();
    if !d.plan.publish.credit_classes {
        if crate::public::format::opaque_labels(d.plan) {
            notes.push(t(
                "依照抽查计划，企业的信用风险分类不予公开：各分层以 S1、S2…（按分层顺序）表示，名单中也不列分类。企业可凭本企业的证明文件核对自己所在的分层。",
                "As the plan says, firms' credit-risk classes are not published: strata are shown as S1, S2, … (in stratum order) and the list has no class column. A firm can check its own stratum with its proof.",
            ));
        } else {
            notes.push(t(
                "依照抽查计划，企业的信用风险分类不予公开。",
                "As the plan says, firms' credit-risk classes are not published.",
            ));
        }
    }
    notes.push(t(
        "每层的抽取数 k 按计划规定的比例（及上下限）由 N 计算；每家企业都有一个由种子和统一社会信用代码算出的随机号，每层抽取随机号最小的 k 家。",
        "Each stratum's k follows from its N by the plan's ratio (and bounds). Every firm gets a ticket computed from the seed and its credit code; each stratum takes the k smallest tickets.",
    ));
    for n in notes {
        let _ = writeln!(h, "<p class=\"note\">{n}</p>");
    }
    h.push_str("</section>\n");
}

/// The table of `strata` up to its last row: the table's attribute is
/// `table` (its id or class); with the `plan` (`mark`), each row names
/// its stratum, N and k, and, where the ratio is public, the ratio and
/// the plan's `min` and `max` for its class, for the page's own check of
/// k (`verify.js`). The class and ratio columns are shown when some
/// stratum has one. Returns how many columns come before N.
pub(crate) fn strata_table(h: &mut String, strata: &[PublicStratum], table: &str, mark: Option<&Targets>) -> usize {
    let classes = strata.iter().any(|s| s.credit_class.is_some());
    let ratios = strata.iter().any(|s| s.ratio.is_some());
    let _ = write!(
        h,
        "<div class=\"table-wrap strata-wrap\">\n<table {table}>\n<thead><tr><th>{}</th>",
        t("分层", "Stratum")
    );
    if classes {
        let _ = write!(h, "<th>{}</th>", t("信用风险分类", "Credit class"));
    }
    if ratios {
        let _ = write!(h, "<th class=\"r\">{}</th>", t("抽取比例", "Ratio"));
    }
    let _ = writeln!(
        h,
        "<th class=\"r\">{}</th><th class=\"r\">{}</th><th class=\"r\">{}</th></tr></thead>\n<tbody>",
        t("符合条件企业数 N", "Eligible firms N"),
        t("抽取数 k", "Drawn k"),
        t("抽中概率 k/N", "Probability k/N")
    );
    for s in strata {
        if let Some(targets) = mark {
            let _ = write!(
                h,
                "<tr data-stratum=\"{}\" data-n=\"{}\" data-k=\"{}\"",
                esc(&s.label),
                s.n,
                s.k
            );
            if let Some(ratio) = &s.ratio {
                let _ = write!(h, " data-ratio=\"{}\"", esc(ratio));
                let class = s.credit_class.as_deref().unwrap_or("");
                if let Some(min) = targets.min.get(class) {
                    let _ = write!(h, " data-min=\"{min}\"");
                }
                if let Some(max) = targets.max.get(class) {
                    let _ = write!(h, " data-max=\"{max}\"");
                }
            }
            if let Some(c) = &s.label_commitment {
                let _ = write!(h, " data-label-commitment=\"{}\"", esc(c));
            }
            h.push('>');
        } else {
            h.push_str("<tr>");
        }
        let _ = write!(h, "<td>{}</td>", esc(&s.label));
        if classes {
            let _ = write!(h, "<td>{}</td>", esc(s.credit_class.as_deref().unwrap_or("")));
        }
        if ratios {
            let _ = write!(h, "<td class=\"r\">{}</td>", esc(s.ratio.as_deref().unwrap_or("")));
        }
        let _ = writeln!(
            h,
            "<td class=\"r\">{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td></tr>",
            s.n,
            s.k,
            esc(&s.probability)
        );
    }
    1 + classes as usize + ratios as usize
}

/// A tick step of 1, 2 or 5 times a power of ten, about `max / 5`.
fn nice_step(max: u64) -> u64 {
    let rough = (max as f64 / 5.0).max(1.0);
    let mag = 10f64.powi(rough.log10().floor() as i32);
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|f| f * mag)
        .find(|s| *s >= rough)
        .unwrap_or(10.0 * mag);
    (step.round() as u64).max(1)
}

/// Estimated width in pixels of a label at 12px.
fn text_width(s: &str) -> f64 {
    s.chars().map(|c| if (c as u32) >= 0x1100 { 12.5 } else { 7.2 }).sum()
}

/// A horizontal bar chart as inline SVG, with category labels, a value
/// axis with ticks, both axis titles and each bar's value.
fn bar_chart(id: &str, cat_title: (&str, &str), value_title: (&str, &str), bars: &[(String, u64)]) -> String {
    let max = bars.iter().map(|b| b.1).max().unwrap_or(0).max(1);
    let step = nice_step(max);
    let top_tick = max.div_ceil(step) * step;
    let label_w = bars.iter().map(|b| text_width(&b.0)).fold(40.0, f64::max).min(220.0);
    let width = 640.0;
    let left = (label_w + 14.0).round();
    let right = 54.0;
    let top = 26.0;
    let bar_h = 18.0;
    let gap = 8.0;
    let plot_w = width - left - right;
    let plot_h = bars.len() as f64 * (bar_h + gap) + gap;
    let height = top + plot_h + 46.0;
    let x = |v: u64| left + plot_w * v as f64 / top_tick as f64;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<svg id=\"{id}\" class=\"chart\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" \
         role=\"img\" aria-label=\"{} / {}\" xmlns=\"http://www.w3.org/2000/svg\">",
        esc(value_title.0),
        esc(value_title.1)
    );
    // Category axis title, above the labels.
    let _ = writeln!(
        s,
        "<text class=\"axis-title\" x=\"{:.1}\" y=\"14\" text-anchor=\"end\" data-l=\"zh\">{}</text>\
         <text class=\"axis-title\" x=\"{:.1}\" y=\"14\" text-anchor=\"end\" data-l=\"en\">{}</text>",
        left - 8.0,
        esc(cat_title.0),
        left - 8.0,
        esc(cat_title.1)
    );
    // Grid and ticks.
    let mut v = 0;
    while v <= top_tick {
        let gx = x(v);
        let _ = writeln!(
            s,
            "<line class=\"grid\" x1=\"{gx:.1}\" y1=\"{top}\" x2=\"{gx:.1}\" y2=\"{:.1}\"/>\
             <text class=\"tick\" x=\"{gx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{v}</text>",
            top + plot_h,
            top + plot_h + 15.0
        );
        v += step;
    }
    for (i, (label, value)) in bars.iter().enumerate() {
        let y = top + gap + i as f64 * (bar_h + gap);
        let w = x(*value) - left;
        let _ = writeln!(
            s,
            "<g class=\"bar-row\" data-label=\"{}\" data-value=\"{value}\">\
             <text class=\"cat\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\
             <rect class=\"bar\" x=\"{left}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{bar_h}\"><title>{}: {value}</title></rect>\
             <text class=\"val\" x=\"{:.1}\" y=\"{:.1}\">{value}</text></g>",
            esc(label),
            left - 8.0,
            y + bar_h - 4.5,
            esc(label),
            esc(label),
            left + w + 5.0,
            y + bar_h - 4.5
        );
    }
    // Axes.
    let _ = writeln!(
        s,
        "<line class=\"axis\" x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{:.1}\"/>\
         <line class=\"axis\" x1=\"{left}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\"/>",
        top + plot_h,
        top + plot_h,
        left + plot_w,
        top + plot_h
    );
    let _ = writeln!(
        s,
        "<text class=\"axis-title\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" data-l=\"zh\">{}</text>\
         <text class=\"axis-title\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" data-l=\"en\">{}</text>\n</svg>",
        left + plot_w / 2.0,
        height - 8.0,
        esc(value_title.0),
        left + plot_w / 2.0,
        height - 8.0,
        esc(value_title.1)
    );
    s
}

/// A string in Chinese and English.
type Pair<'a> = (&'a str, &'a str);

fn charts_section(h: &mut String, d: &PageData) {
    let m = d.manifest;
    let classes_shown = d.plan.publish.credit_classes && d.targets.iter().all(|t| t.credit_class.is_some());
    let (first_title, first_axis, first_bars): (Pair, Pair, Vec<(String, u64)>) = if classes_shown {
        let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
        for t in d.targets {
            *counts.entry(t.credit_class.as_deref().unwrap_or("")).or_default() += 1;
        }
        let mut bars: Vec<(String, u64)> = d
            .plan
            .targets
            .classes
            .iter()
            .map(|c| (c.clone(), counts.remove(c.as_str()).unwrap_or(0)))
            .collect();
        bars.extend(counts.into_iter().map(|(c, n)| (c.to_string(), n)));
        (
            ("按信用风险分类", "Targets by credit class"),
            ("信用风险分类", "Credit class"),
            bars,
        )
    } else {
        let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
        for t in d.targets {
            *counts.entry(t.stratum.as_str()).or_default() += 1;
        }
        let bars = m
            .strata
            .iter()
            .map(|s| (s.label.clone(), counts.get(s.label.as_str()).copied().unwrap_or(0)))
            .collect();
        (("按分层", "Targets by stratum"), ("分层", "Stratum"), bars)
    };
    let mut counties: BTreeMap<&str, u64> = BTreeMap::new();
    for t in d.targets {
        *counties.entry(t.county.as_str()).or_default() += 1;
    }
    let mut county_bars: Vec<(String, u64)> = counties.into_iter().map(|(c, n)| (c.to_string(), n)).collect();
    county_bars.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let value_title = ("抽中企业数（家）", "Firms drawn");
    let _ = writeln!(
        h,
        "<section id=\"charts\">\n<h2>{}</h2>\n<div class=\"charts\">\n\
         <div class=\"chart-box\"><h3>{}</h3>\n{}</div>\n\
         <div class=\"chart-box\"><h3>{}</h3>\n{}</div>\n</div>\n</section>",
        t("抽查对象分布", "Where the targets are"),
        t(first_title.0, first_title.1),
        bar_chart("chart-strata", first_axis, value_title, &first_bars),
        t("按区县", "Targets by county"),
        bar_chart("chart-county", ("区县", "County"), value_title, &county_bars)
    );
}

pub(crate) fn ticket_head(ticket: &str) -> &str {
    let end = ticket.char_indices().nth(14).map_or(ticket.len(), |(i, _)| i);
    &ticket[..end]
}

/// Where a firm checks its own proof (`spotcheck-proof/1`, SPEC.md §9)
/// in the page (`proof.js`): pasted, chosen or dropped.
fn proof_section(h: &mut String) {
    let _ = writeln!(
        h,
        "<section id=\"proof\">\n<h2>{}</h2>\n<p>{}</p>\n<div class=\"drop\" id=\"proof-drop\">\n\
         <p><label>{} <input id=\"proof-file\" type=\"file\" accept=\".json,application/json\"></label></p>\n\
         <textarea id=\"proof-text\" rows=\"4\" spellcheck=\"false\" aria-label=\"proof.json\" \
         placeholder=\"{{&quot;format&quot;: &quot;spotcheck-proof/1&quot;, …}}\"></textarea>\n\
         <p><button id=\"proof-check\" type=\"button\">{}</button></p>\n</div>\n\
         <p id=\"proof-verdict\" aria-live=\"polite\"></p>\n<ul id=\"proof-checks\" class=\"checks\"></ul>\n\
         <div id=\"proof-explanation\"></div>\n</section>",
        t("核验本企业的证明文件", "Check a firm's proof"),
        t(
            "企业可向监管部门索取本企业的证明文件 proof.json（监管部门用 spotcheck prove 生成）。把它拖到这里、选择该文件或粘贴其内容，本页面即按抽查规范第 9 节核验：本企业在名录的 Merkle 树中、它的分层与资格、它的随机号，以及它为何被抽中或未被抽中。文件只在本机读取，不会上传。",
            "A firm can ask the regulator for its proof, proof.json (made with spotcheck prove). Drop it here, choose it, or paste it, and this page checks it by SPEC.md §9: that the firm is in the directory's Merkle tree, its stratum and eligibility, its ticket, and why it was or was not drawn. The file is read on this computer only; nothing is uploaded.",
        ),
        t("选择 proof.json：", "Choose proof.json:"),
        t("核验", "Check"),
    );
}

/// A list of more targets than this shows this many until searched.
const LIST_SHOWN_UP_TO: usize = 5000;

fn list_section(h: &mut String, d: &PageData) {
    let total = d.targets.len();
    let classes = d.plan.publish.credit_classes;
    let mut teams: BTreeMap<&str, Vec<&PublicAssignment>> = BTreeMap::new();
    for a in d.assignments {
        teams.entry(a.uscc.as_str()).or_default().push(a);
    }
    let has_teams = d.manifest.teams.is_some();
    let _ = writeln!(
        h,
        "<section id=\"list\">\n<h2>{}</h2>\n<div class=\"search-bar\">\
         <label for=\"search\">{}</label>\
         <input id=\"search\" type=\"search\" autocomplete=\"off\" spellcheck=\"false\" \
         placeholder=\"输入统一社会信用代码或企业名称\" data-ph-zh=\"输入统一社会信用代码或企业名称\" \
         data-ph-en=\"Type a credit code or a firm's name\">\
         <p id=\"match-count\" data-count=\"{total}\" aria-live=\"polite\">{}</p></div>",
        t("抽查对象名单", "The firms drawn"),
        t("查找：", "Search:"),
        t_html(
            &format!("共 {total} 家，显示 <b class=\"n\">{total}</b> 家"),
            &format!("showing <b class=\"n\">{total}</b> of {total} firms")
        )
    );
    // A long list shows its first rows and what a search finds: the
    // browser lays out only the rows shown.
    let shown = d.targets.len().min(LIST_SHOWN_UP_TO);
    if shown < d.targets.len() {
        let _ = writeln!(
            h,
            "<p class=\"note\" id=\"list-limit\">{}</p>",
            t(
                &format!("名单较长：未查找时显示前 {shown} 家；查找时最多显示 {shown} 家符合的企业。"),
                &format!(
                    "A long list: the first {shown} firms are shown until you search; a search shows at most {shown} of the firms it finds."
                )
            )
        );
    }
    if has_teams && !d.plan.publish.inspector_names {
        let _ = writeln!(
            h,
            "<p class=\"note\" id=\"names-withheld\">{}</p>",
            t(
                "依照抽查计划，执法检查人员的姓名和编号不予公开，仅列出其所属部门。",
                "As the plan says, inspectors' names and ids are not published; only their departments are.",
            )
        );
    }
    // Each row is its own grid (so that the browser lays out only the
    // rows on screen): the columns get fixed widths from the data.
    let px = |header: &str, data: &mut dyn Iterator<Item = &str>, lo: f64, hi: f64| {
        // Header cells are bold and a little larger (15px) than data (14px).
        let head = text_width(header) * 15.0 / 12.0 * 1.1;
        let w = data.map(text_width).fold(0.0, f64::max) * 14.0 / 12.0;
        format!("{:.0}px", (head.max(w) + 18.0).clamp(lo, hi))
    };
    let mut cols = vec![
        px(
            "Stratum",
            &mut d.targets.iter().map(|t| t.stratum.as_str()),
            56.0,
            240.0,
        ),
        "76px".to_string(),
        "172px".to_string(),
        "minmax(180px,2fr)".to_string(),
        px("County", &mut d.targets.iter().map(|t| t.county.as_str()), 60.0, 200.0),
        px(
            "Industry",
            &mut d.targets.iter().map(|t| t.industry.as_str()),
            80.0,
            220.0,
        ),
    ];
    let mut headers = vec![
        ("", t("分层", "Stratum")),
        (" r", t("层内序号", "Rank")),
        ("", t("统一社会信用代码", "Credit code")),
        ("", t("企业名称", "Name")),
        ("", t("区县", "County")),
        ("", t("行业", "Industry")),
    ];
    if classes {
        cols.push("112px".into());
        headers.push(("", t("信用风险分类", "Credit class")));
    }
    if has_teams {
        cols.push("minmax(180px,2fr)".into());
        headers.push(("", t("检查组", "Inspection team")));
    }
    cols.push("136px".into());
    headers.push(("", t("随机号", "Ticket")));
    // page.js reads a long list's limit from the table.
    let limit = if shown < d.targets.len() {
        format!(" data-limit=\"{shown}\"")
    } else {
        String::new()
    };
    let _ = write!(
        h,
        "<div class=\"table-wrap list-wrap\">\n<table id=\"targets\" role=\"table\" style=\"--cols: {}\"{limit}>\n\
         <thead role=\"rowgroup\"><tr role=\"row\">",
        cols.join(" ")
    );
    for (class, label) in headers {
        let _ = write!(h, "<th role=\"columnheader\" class=\"c{class}\">{label}</th>");
    }
    h.push_str("</tr></thead>\n<tbody role=\"rowgroup\">\n");
    for (i, tg) in d.targets.iter().enumerate() {
        let key = format!("{} {}", tg.uscc.to_lowercase(), tg.name.to_lowercase());
        let hidden = if i < shown { "" } else { " hidden" };
        let _ = write!(
            h,
            "<tr role=\"row\" data-uscc=\"{}\" data-key=\"{}\"{hidden}><td role=\"cell\">{}</td><td role=\"cell\" class=\"r\">{}</td>\
             <td role=\"cell\" class=\"code\">{}</td><td role=\"cell\" class=\"name\">{}</td>\
             <td role=\"cell\" class=\"county\">{}</td><td role=\"cell\">{}</td>",
            esc(&tg.uscc),
            esc(&key),
            esc(&tg.stratum),
            tg.rank,
            esc(&tg.uscc),
            esc(&tg.name),
            esc(&tg.county),
            esc(&tg.industry)
        );
        if classes {
            let _ = write!(
                h,
                "<td role=\"cell\">{}</td>",
                esc(tg.credit_class.as_deref().unwrap_or(""))
            );
        }
        if has_teams {
            let mut members: Vec<&&PublicAssignment> = teams
                .get(tg.uscc.as_str())
                .map(|v| v.iter().collect())
                .unwrap_or_default();
            members.sort_by_key(|a| a.slot);
            let parts: Vec<String> = if members.iter().all(|a| a.inspector_name.is_some()) && !members.is_empty() {
                members
                    .iter()
                    .map(|a| {
                        format!(
                            "{}（{}）",
                            a.inspector_name.as_deref().unwrap_or(""),
                            a.inspector_id.as_deref().unwrap_or("")
                        )
                    })
                    .collect()
            } else {
                let mut by_dept: Vec<(&str, usize)> = Vec::new();
                for a in &members {
                    match by_dept.iter_mut().find(|(d, _)| *d == a.department) {
                        Some(e) => e.1 += 1,
                        None => by_dept.push((a.department.as_str(), 1)),
                    }
                }
                by_dept.iter().map(|(d, n)| format!("{d} ×{n}")).collect()
            };
            // One member per unbreakable piece.
            let cell: Vec<String> = parts
                .iter()
                .map(|p| format!("<span class=\"m\">{}</span>", esc(p)))
                .collect();
            let _ = write!(h, "<td role=\"cell\" class=\"team\">{}</td>", cell.join("、"));
        }
        let _ = writeln!(
            h,
            "<td role=\"cell\" class=\"ticket\"><code title=\"{}\">{}…</code></td></tr>",
            esc(&tg.ticket),
            esc(ticket_head(&tg.ticket))
        );
    }
    let _ = writeln!(
        h,
        "</tbody>\n</table>\n</div>\n<p id=\"no-match\" class=\"note\" hidden>{}</p>",
        t(
            "没有找到。未列出的企业本次未被抽中；企业可向监管部门索取证明文件，用 spotcheck check-proof 核对。",
            "Not found. A firm not listed was not drawn this time; it can ask the regulator for its proof and check it with spotcheck check-proof.",
        )
    );
    h.push_str("</section>\n");
}

/// A result category's name in English (the log records the Chinese).
fn result_en(name: &str) -> &str {
    if name == PENDING {
        return "pending";
    }
    match Outcome::parse(name) {
        Some(Outcome::NoProblem) => "no problem found",
        Some(Outcome::NotDisclosed) => "did not disclose what it must",
        Some(Outcome::FalseDisclosure) => "disclosed false information",
        Some(Outcome::Unreachable) => "cannot be reached at its registered address",
        Some(Outcome::Corrected) => "problem found, ordered to correct it",
        Some(Outcome::PendingAction) => "problem found, further action pending",
        Some(Outcome::NoActivity) => "none of the inspected business found",
        Some(Outcome::Closed) => "closed, or being wound up",
        Some(Outcome::Obstructed) => "refused the inspection (serious)",
        Some(Outcome::Deregistered) => "deregistered",
        Some(Outcome::Revoked) => "licence revoked",
        Some(Outcome::Cancelled) => "registration cancelled",
        Some(Outcome::MovedOut) => "moved out",
        None => name,
    }
}

/// A count's share of `total` as a bar and a percentage.
fn share(n: u64, total: u64) -> String {
    let pct = if total == 0 {
        0.0
    } else {
        n as f64 * 100.0 / total as f64
    };
    format!("<span class=\"share\"><span class=\"fill\" style=\"width:{pct:.1}%\"></span></span> {pct:.1}%")
}

/// The results announcement (抽查结果公告): the counts by result and by
/// county, and a lookup of a firm's result and follow-up (two characters
/// or more; at most 200 rows shown), pending firms as 待录入. With
/// `tasks` (a batch), each row names its task and department.
pub(crate) fn results_section(h: &mut String, record: &PublicResults, rows: &[ResultRow], tasks: bool) {
    let total = rows.len() as u64;
    let _ = writeln!(
        h,
        "<section id=\"results\" data-lines=\"{}\" data-head=\"{}\">\n<h2>{}</h2>\n<p>{}</p>\n<div class=\"cards\">",
        record.lines,
        esc(&record.head),
        t("抽查结果公告", "Results announcement"),
        t_html(
            &format!(
                "每一{}被抽中的企业都在下面列出：已录入的显示检查结果，尚未录入的显示“{PENDING}”。结果录入在结果日志 results.jsonl 中，\
                 每行记有上一行的 SHA-256；本公告依据其全部 {} 行，最后一行的 SHA-256 为 <code id=\"results-head\">{}</code>。结果如经更正，以更正后的为准。",
                if tasks { "项任务" } else { "家" },
                record.lines,
                esc(&record.head)
            ),
            &format!(
                "Every firm drawn{} is listed below: with its result once recorded, as “pending” until then. Results are \
                 recorded in the log results.jsonl, each line carrying the SHA-256 of the line before; this \
                 announcement follows all of its {} lines, the last of which has SHA-256 <code>{}</code>. A corrected \
                 result is shown as corrected.",
                if tasks { " by each task" } else { "" },
                record.lines,
                esc(&record.head)
            )
        )
    );
    if tasks {
        card(
            h,
            "n-results-targets",
            total,
            "抽查对象（按任务计）",
            "targets (over all tasks)",
        );
    } else {
        card(h, "n-results-targets", total, "抽查对象", "firms drawn");
    }
    card(h, "n-recorded", record.recorded, "已录入结果", "results recorded");
    card(h, "n-pending", record.pending, "待录入", "pending");
    card(
        h,
        "n-abnormal",
        record.abnormal_operations,
        "列入经营异常名录",
        "for the abnormal-operations list",
    );
    h.push_str("</div>\n<div class=\"charts\">\n");
    // By result: the categories in the publicity system's order, then
    // any other name, then the pending.
    let mut by_result: Vec<(&str, u64)> = Outcome::ALL
        .iter()
        .filter_map(|o| record.by_result.get(o.name()).map(|n| (o.name(), *n)))
        .collect();
    for (name, n) in &record.by_result {
        if name != PENDING && !by_result.iter().any(|(x, _)| x == name) {
            by_result.push((name, *n));
        }
    }
    if let Some(n) = record.by_result.get(PENDING) {
        by_result.push((PENDING, *n));
    }
    let _ = writeln!(
        h,
        "<div class=\"chart-box\"><h3>{}</h3>\n<table id=\"results-by-result\" class=\"counts\">\n\
         <thead><tr><th>{}</th><th class=\"r\">{}</th><th>{}</th></tr></thead>\n<tbody>",
        t("按检查结果", "By result"),
        t("检查结果", "Result"),
        t("数量", "Count"),
        t("占比", "Share")
    );
    for (name, n) in &by_result {
        let pending = if *name == PENDING { " class=\"pending\"" } else { "" };
        let _ = writeln!(
            h,
            "<tr data-result=\"{}\" data-value=\"{n}\"{pending}><td>{}</td><td class=\"r\">{n}</td><td class=\"share-cell\">{}</td></tr>",
            esc(name),
            t(name, result_en(name)),
            share(*n, total)
        );
    }
    let _ = writeln!(
        h,
        "</tbody>\n<tfoot><tr><td>{}</td><td class=\"r\">{total}</td><td></td></tr></tfoot>\n</table></div>",
        t("合计", "Total")
    );
    // By county: drawn, recorded, pending and abnormal, most drawn first.
    let mut counties: BTreeMap<&str, [u64; 4]> = BTreeMap::new();
    for r in rows {
        let c = counties.entry(r.county.as_str()).or_default();
        c[0] += 1;
        if r.pending() {
            c[2] += 1;
        } else {
            c[1] += 1;
            if Outcome::parse(&r.result).is_some_and(Outcome::abnormal_operations) {
                c[3] += 1;
            }
        }
    }
    let mut counties: Vec<(&str, [u64; 4])> = counties.into_iter().collect();
    counties.sort_by(|a, b| b.1[0].cmp(&a.1[0]).then_with(|| a.0.cmp(b.0)));
    let _ = writeln!(
        h,
        "<div class=\"chart-box\"><h3>{}</h3>\n<table id=\"results-by-county\" class=\"counts\">\n\
         <thead><tr><th>{}</th><th class=\"r\">{}</th><th class=\"r\">{}</th><th class=\"r\">{}</th><th class=\"r\">{}</th></tr></thead>\n<tbody>",
        t("按区县", "By county"),
        t("区县", "County"),
        t("抽查对象", "Drawn"),
        t("已录入", "Recorded"),
        t("待录入", "Pending"),
        t("经营异常", "Abnormal")
    );
    for (county, [n, done, pending, abnormal]) in &counties {
        let _ = writeln!(
            h,
            "<tr data-county=\"{}\"><td>{}</td><td class=\"r\">{n}</td><td class=\"r\">{done}</td>\
             <td class=\"r\">{pending}</td><td class=\"r\">{abnormal}</td></tr>",
            esc(county),
            esc(county)
        );
    }
    h.push_str("</tbody>\n</table></div>\n</div>\n");
    // The lookup.
    let _ = writeln!(
        h,
        "<h3>{}</h3>\n<div class=\"search-bar\"><label for=\"result-search\">{}</label>\
         <input id=\"result-search\" type=\"search\" autocomplete=\"off\" spellcheck=\"false\" \
         placeholder=\"输入统一社会信用代码或企业名称\" data-ph-zh=\"输入统一社会信用代码或企业名称\" \
         data-ph-en=\"Type a credit code or a firm's name\">\
         <p id=\"result-count\" data-count=\"0\" aria-live=\"polite\">{}</p></div>",
        t("查询企业的检查结果", "Find a firm's result"),
        t("查找：", "Find:"),
        t_html(
            &format!("共 {total} 条，找到 <b class=\"n\">0</b> 条（输入至少两个字符）"),
            &format!("<b class=\"n\">0</b> of {total} found (type two characters or more)")
        )
    );
    let _ = write!(
        h,
        "<div class=\"table-wrap results-wrap\">\n<table id=\"results-table\">\n<thead><tr>"
    );
    let mut headers = Vec::new();
    if tasks {
        headers.push(t("抽查任务", "Task"));
    }
    headers.extend([
        t("统一社会信用代码", "Credit code"),
        t("企业名称", "Name"),
        t("区县", "County"),
        t("检查结果", "Result"),
        t("检查日期", "Inspected on"),
        t("后续处置", "Follow-up"),
    ]);
    if tasks {
        headers.push(t("实施部门", "Department"));
    }
    headers.push(t("日志行", "Log line"));
    for head in headers {
        let _ = write!(h, "<th>{head}</th>");
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for r in rows {
        let _ = write!(
            h,
            "<tr data-uscc=\"{}\" data-task=\"{}\" data-key=\"{} {}\" hidden>",
            esc(&r.uscc),
            esc(&r.task),
            esc(&r.uscc.to_lowercase()),
            esc(&r.name.to_lowercase())
        );
        if tasks {
            let _ = write!(h, "<td class=\"code\">{}</td>", esc(&r.task));
        }
        let result = if r.pending() {
            format!("<td class=\"result pending\">{}</td>", t(PENDING, "pending"))
        } else {
            format!("<td class=\"result\">{}</td>", t(&r.result, result_en(&r.result)))
        };
        let _ = write!(
            h,
            "<td class=\"code\">{}</td><td class=\"name\">{}</td><td>{}</td>{result}<td class=\"when\">{}</td><td class=\"measures\">{}</td>",
            esc(&r.uscc),
            esc(&r.name),
            esc(&r.county),
            esc(&r.inspected_on),
            esc(&r.measures.replace(';', "；"))
        );
        if tasks {
            let _ = write!(h, "<td>{}</td>", esc(&r.department));
        }
        let line = r.line.map_or_else(|| "—".to_string(), |l| l.to_string());
        let _ = writeln!(h, "<td class=\"r line\">{line}</td></tr>");
    }
    let _ = writeln!(
        h,
        "</tbody>\n</table>\n</div>\n<p id=\"no-result\" class=\"note\" hidden>{}</p>\n<p class=\"note\">{}</p>\n</section>",
        t(
            "没有找到。未列出的企业本次未被抽中。",
            "Not found. A firm not listed was not drawn."
        ),
        t_html(
            "results.csv 列出每家被抽中企业的结果；<code>spotcheck verify <span class=\"dir\">PUBLIC_DIR</span></code> 核验结果日志的每一行都接续上一行、符合录入规则，且 results.csv 与日志完全一致。",
            "results.csv lists every drawn firm's result; <code>spotcheck verify <span class=\"dir\">PUBLIC_DIR</span></code> checks that each line of the log follows the one before and the recording rules, and that results.csv is exactly what the log gives."
        )
    );
}

/// A Python string literal of `s` (a JSON string is one).
pub(crate) fn py_str(s: &str) -> String {
    serde_json::to_string(s).expect("a string serializes")
}

fn check_section(h: &mut String, d: &PageData) {
    let m = d.manifest;
    let dir = "<span class=\"dir\">PUBLIC_DIR</span>";
    let example = d.targets.first().map_or("91640121750822310D", |t| t.uscc.as_str());
    let (k_label, k) = m.strata.first().map_or((String::new(), 0), |s| (s.label.clone(), s.k));
    let _ = writeln!(
        h,
        "<section id=\"check\">\n<h2>{}</h2>\n<p>{}</p>\n<ol class=\"steps\">",
        t("如何核验本次抽取", "How to check this draw"),
        t_html(
            &format!("下载本页面所在的文件夹（{dir}，含 public.json、targets.csv 等），安装 spotcheck，然后："),
            &format!(
                "Download the folder this page is in ({dir}, with public.json, targets.csv and the rest), install spotcheck, then:"
            )
        )
    );
    let _ = writeln!(
        h,
        "<li><p>{}</p><pre><code>spotcheck verify {dir}</code></pre></li>",
        t(
            "核验整个公开包：文件哈希、种子仪式、每个随机号、每层的排序与抽取数、检查组人数。它会逐项列出核验了什么、没有核验什么。",
            "Check the whole public bundle: file hashes, the seed ceremony, every ticket, each stratum's order and size, the teams' make-up. It lists what it checked and what it could not check.",
        )
    );
    let _ = writeln!(
        h,
        "<li><p>{}</p><pre><code>spotcheck check-proof PROOF.json {dir}</code></pre></li>",
        t(
            "企业核对自己：向监管部门索取本企业的证明文件（监管部门用 spotcheck prove 生成），它证明本企业在名录中、属于哪一层、是否符合条件，以及为何被抽中或未被抽中。",
            "A firm checks itself: it asks the regulator for its proof (made with spotcheck prove), which shows that the firm is in the directory, in which stratum, whether it was eligible, and why it was or was not drawn.",
        )
    );
    let seed = esc(&py_str(&m.seed.value));
    let _ = writeln!(
        h,
        "<li><p>{}</p><pre><code>pip install consistent-sampler==1.0.10\n</code></pre>\
         <pre><code>import csv\nimport consistent_sampler\n\n\
         S = {seed}  # 种子 / the seed\n\n\
         # 复算名单中每家企业的随机号 / recompute every listed ticket\n\
         with open(\"{dir}/targets.csv\", encoding=\"utf-8\") as f:\n\
         \x20   for row in csv.DictReader(f):\n\
         \x20       assert consistent_sampler.first_fraction(row[\"uscc\"], S) == row[\"ticket\"]\n\n\
         # 任一企业的随机号 / the ticket of any firm\n\
         print(consistent_sampler.first_fraction(\"{}\", S))\n\n\
         # 一层的抽取：ids 为该层全部符合条件企业的代码（在监管部门的名录中）\n\
         # a stratum's draw: ids are the codes of all its eligible firms (in the regulator's directory)\n\
         k = {k}  # {}\n\
         print(list(consistent_sampler.sampler(ids, seed=S, take=k, output='id')))</code></pre></li>",
        t(
            "不用 spotcheck，也可用 Python 和 Rivest 的 consistent_sampler 独立复算随机号：",
            "Without spotcheck, recompute tickets independently with Python and Rivest's consistent_sampler:",
        ),
        esc(example),
        esc(&format!("分层 {k_label} 的 k / stratum {k_label}'s k"))
    );
    h.push_str("</ol>\n</section>\n");
}

fn plan_section(h: &mut String, d: &PageData) {
    let _ = writeln!(
        h,
        "<section id=\"plan\">\n<details><summary>{}</summary>\n<p class=\"note\">SHA-256 <code>{}</code></p>\n<pre id=\"plan-text\">{}</pre>\n</details>\n</section>",
        t("抽查计划原文", "The plan, as committed"),
        esc(&d.manifest.plan.sha256),
        esc(&d.manifest.plan.text)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_steps() {
        assert_eq!(nice_step(1), 1);
        assert_eq!(nice_step(7), 2);
        assert_eq!(nice_step(1522), 500);
        assert_eq!(nice_step(656), 200);
        assert_eq!(nice_step(100), 20);
    }

    #[test]
    fn charts_have_axes_and_values() {
        let svg = bar_chart(
            "c",
            ("县", "County"),
            ("家", "Firms"),
            &[("凯里市".into(), 12), ("<x>".into(), 3)],
        );
        assert!(svg.contains("data-value=\"12\""));
        assert!(svg.contains("&lt;x&gt;"));
        assert!(!svg.contains("<x>"));
        assert!(svg.contains(">County</text>") && svg.contains(">Firms</text>"));
    }

    fn hostile_page() -> String {
        use crate::bundle::manifest::{ExcludedRecord, FrameRecord, Totals};
        use crate::inputs::record::TaskRecord;
        use crate::public::format::{PublicPlan, PublicStratum};
        use crate::seed::record::SeedRecord;
        let text = "[task]\nid = \"T<1>\"\nname = \"<script>alert('task')</script>\"\ndepartment = \"d&d\"\n\
                    start = 2025-03-01\nend = 2025-03-02\n[frame]\nenterprises = \"e.csv\"\n\
                    [targets]\nstratify_by = [\"county\"]\nratio = \"5%\"\n";
        let plan = Plan::parse("p.toml", text, std::path::Path::new(".")).unwrap();
        let manifest = PublicManifest {
            format: crate::public::format::PUBLIC_FORMAT.into(),
            source_manifest_sha256: "0".repeat(64),
            spec_version: crate::draw::SPEC_VERSION.into(),
            tool: "t".into(),
            published_by: "t".into(),
            task: TaskRecord {
                id: "T<1>".into(),
                name: "<script>alert('task')</script>".into(),
                department: "d&d".into(),
                start: "2025-03-01".into(),
                end: "2025-03-02".into(),
                items: vec!["<i>item</i>".into()],
            },
            plan: PublicPlan {
                sha256: crate::base::sha256::sha256_hex(text.as_bytes()),
                text: text.into(),
            },
            inputs: Default::default(),
            seed: SeedRecord {
                value: "\"</pre><script>alert(1)</script>".into(),
                source: "operator".into(),
                note: "n".into(),
                ceremony: None,
            },
            strata: vec![PublicStratum {
                label: "<b>x</b>".into(),
                credit_class: None,
                ratio: Some("5%".into()),
                n: 20,
                k: 1,
                probability: "0.050000".into(),
                label_commitment: None,
            }],
            excluded: ExcludedRecord {
                inactive: Default::default(),
                outside_counties: 0,
                outside_industries: 0,
                recently_inspected: 0,
                visit_cap: 0,
                total: 0,
            },
            totals: Totals {
                directory_rows: 20,
                eligible: 20,
                strata: 1,
                targets: 1,
            },
            frame: FrameRecord {
                leaf_format: "spotcheck-leaf/1".into(),
                leaves: 20,
                merkle_root: "ab".repeat(32),
            },
            teams: None,
            results: Some(PublicResults {
                log: "results.jsonl".into(),
                lines: 1,
                head: "\"<i>head</i>".into(),
                recorded: 1,
                pending: 0,
                by_result: [("<script>alert(3)</script>".to_string(), 1)].into(),
                abnormal_operations: 0,
            }),
            withheld: vec![],
            files: Default::default(),
        };
        let results = [ResultRow {
            task: "T<1>".into(),
            uscc: "91640121750822310D".into(),
            name: "<img src=x onerror=alert(4)>".into(),
            county: "<b>x</b>".into(),
            department: "d&d".into(),
            result: "<script>alert(3)</script>".into(),
            inspected_on: "<i>2025</i>".into(),
            measures: "<u>m</u>;其他：<s>x</s>".into(),
            line: Some(1),
        }];
        let targets = [PublicTarget {
            stratum: "<b>x</b>".into(),
            rank: 1,
            ticket: "0.5".into(),
            uscc: "91640121750822310D".into(),
            name: "<img src=x onerror=alert(2)>\"'".into(),
            county: "<b>x</b>".into(),
            industry: "&amp;".into(),
            credit_class: None,
        }];
        render(&PageData {
            manifest: &manifest,
            plan: &plan,
            targets: &targets,
            assignments: &[],
            results: Some(&results),
            evidence: &Default::default(),
        })
    }

    #[test]
    fn data_is_escaped_everywhere() {
        let page = hostile_page();
        assert_eq!(page.matches("<script").count(), 1, "only the page's own script");
        assert!(!page.contains("<img"));
        assert!(!page.contains("<b>x</b>"));
        assert!(!page.contains("<i>item</i>"));
        assert!(page.contains("&lt;img src=x onerror=alert(2)&gt;&quot;&#39;"));
        assert!(page.contains("&amp;amp;"));
        assert!(page.contains("id=\"operator-seed\""));
        assert!(page.contains("id=\"results\"") && page.contains("id=\"result-search\""));
        for raw in ["<u>", "<s>", "<i>", "onerror=alert(4)>"] {
            assert!(!page.contains(raw), "{raw}");
        }
        assert!(page.contains("&lt;script&gt;alert(3)&lt;/script&gt;"));
    }

    #[test]
    fn the_page_is_self_contained() {
        let page = hostile_page();
        for needle in ["http://", "https://", "src=\"", "@import", "url(", "<link"] {
            for (i, _) in page.match_indices(needle) {
                // The only URL is the SVG namespace, which is never fetched.
                let svg_ns = page[..i].ends_with("xmlns=\"") && page[i..].starts_with("http://www.w3.org/2000/svg\"");
                assert!(svg_ns, "{needle} at {i}");
            }
        }
        assert!(page.contains("default-src 'none'"));
    }

    #[test]
    fn the_page_can_check_itself() {
        let page = hostile_page();
        assert!(page.contains("<section id=\"verify\" data-task=\"T&lt;1&gt;\" data-leaves=\""));
        assert!(page.contains("<section id=\"proof\">") && page.contains("id=\"verify-folder\""));
        assert!(
            page.contains("<tr data-stratum=\"&lt;b&gt;x&lt;/b&gt;\" data-n=\"20\" data-k=\"1\" data-ratio=\"5%\">")
        );
        assert!(page.contains("crypto.subtle.digest") && page.contains("data-verify-status"));
        assert!(page.contains("id=\"verify-not-checked\""));
    }

    #[test]
    fn the_evidence_cannot_close_its_element() {
        use crate::seed::record::{CeremonyRecord, SeedRecord};
        let seed = SeedRecord {
            value: "s".into(),
            source: "ceremony".into(),
            note: "n".into(),
            ceremony: Some(CeremonyRecord {
                commitment_sha256: "c".into(),
                committed_at: "t".into(),
                secret_sha256: "k".into(),
                beacon_round: None,
                beacon_time: None,
                beacon_randomness: None,
                dice: Some("</script><b>&amp;".into()),
                replaces: None,
                rehearsal: false,
            }),
        };
        let hostile = "{\"x\": \"</script><script>alert(5)</script><!-- &\"}\n";
        let files: BTreeMap<String, Vec<u8>> = [
            ("commitment.json".to_string(), hostile.as_bytes().to_vec()),
            ("secret.txt".to_string(), b"01\n".to_vec()),
        ]
        .into();
        let mut h = String::new();
        evidence_element(&mut h, &seed, &files);
        let start = "<script type=\"application/json\" id=\"evidence\">";
        assert!(h.starts_with(start) && h.ends_with("</script>\n"));
        let inner = &h[start.len()..h.len() - "</script>\n".len()];
        for raw in ['<', '>', '&'] {
            assert!(!inner.contains(raw), "{raw}");
        }
        let v: serde_json::Value = serde_json::from_str(inner).unwrap();
        assert_eq!(v["commitment"], hostile);
        assert_eq!(v["secret"], "01\n");
        assert_eq!(v["beacon"], serde_json::Value::Null);
        assert_eq!(v["dice"], "</script><b>&amp;");
        let mut none = String::new();
        evidence_element(&mut none, &SeedRecord { ceremony: None, ..seed }, &files);
        assert!(none.is_empty(), "a trial draw has no evidence");
    }

    #[test]
    fn python_literals() {
        assert_eq!(py_str("a\"b\\c"), "\"a\\\"b\\\\c\"");
    }
}
