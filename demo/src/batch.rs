//! A large batch plan for benchmarks (SPEC §10): a year of many small
//! tasks over the demo data.
//!
//! [`batch_plan`] writes `batch.toml` for a number of tasks and a seed.
//! Each task is directed to one county and usually one industry the item
//! applies to, has one item or two (a joint task of two departments, or
//! an item with 企业公示信息), a low ratio, or for key items ratios by
//! credit class capped by `max`, and a window of two to eight weeks. The
//! plan names `enterprises.csv`, `history.csv`, `inspectors.csv` and
//! `items.csv` beside it, as [`crate::DemoData::write_to_dir`] writes them;
//! [`write_batch_plan`] writes the plan and the item list.
//!
//! The plan is feasible for the demo data: windows of market-regulation
//! items that need a specialty other than 企业公示信息 lie in a season of
//! their own (特种设备 in March–April, 食品安全 May–June, 药品 July, 计量
//! August, 产品质量 September to mid October, 价格监管 to November, 广告监管
//! December), so a visit that joins several tasks never needs an officer
//! holding two such specialties, which few do; every other department's
//! items need one specialty each, or 食品安全 with 公共卫生 for the health
//! commission, held together. `max_assignments` is left out, so the load
//! grows with the number of tasks. About four targets per task: 5,000
//! tasks draw some 20,000 targets among some 15,000 firms, in some 18,500
//! visits.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use chrono::{Days, NaiveDate};

use crate::{
    COMPANY_INDUSTRIES, COUNTIES, ITEMS, ITEMS_FILE, InspectionItem, MARKET_REGULATION, below, chance, index, pick,
    rng_for, write_items_csv, ymd,
};

/// Name of the plan written by [`write_batch_plan`].
pub const BATCH_PLAN_FILE: &str = "batch.toml";

const STREAM_BATCH: u64 = 5;

/// The batch's period.
const YEAR: (NaiveDate, NaiveDate) = (ymd(2025, 1, 1), ymd(2025, 12, 31));

/// The organiser (lead department) of a task whose first item belongs to
/// `department`.
fn organiser(department: &str) -> &'static str {
    match department {
        MARKET_REGULATION => "黔东南州市场监督管理局",
        "税务局" => "国家税务总局黔东南州税务局",
        "卫生健康局" => "黔东南州卫生健康局",
        "应急管理局" => "黔东南州应急管理局",
        "生态环境局" => "黔东南州生态环境局",
        other => panic!("no organiser for {other}"),
    }
}

/// A market-regulation item that needs a specialty few officers combine
/// with another: anything but 企业公示信息 or none.
fn seasonal(item: &InspectionItem) -> bool {
    item.department == MARKET_REGULATION && !item.specialty.is_empty() && item.specialty != "企业公示信息"
}

/// The season of a [`seasonal`] item's tasks; the whole year otherwise.
fn season(item: &InspectionItem) -> (NaiveDate, NaiveDate) {
    if !seasonal(item) {
        return YEAR;
    }
    match item.specialty {
        "特种设备" => (ymd(2025, 3, 1), ymd(2025, 4, 30)),
        "食品安全" => (ymd(2025, 5, 1), ymd(2025, 6, 30)),
        "药品" => (ymd(2025, 7, 1), ymd(2025, 7, 31)),
        "计量" => (ymd(2025, 8, 1), ymd(2025, 8, 31)),
        "产品质量" => (ymd(2025, 9, 1), ymd(2025, 10, 15)),
        "价格监管" => (ymd(2025, 10, 16), ymd(2025, 11, 30)),
        "广告监管" => (ymd(2025, 12, 1), ymd(2025, 12, 31)),
        other => panic!("no season for {other}"),
    }
}

/// The industries both items apply to (`None`: every industry).
fn common_industries(a: &InspectionItem, b: Option<&InspectionItem>) -> Option<Vec<&'static str>> {
    let mut set: Option<Vec<&'static str>> = None;
    for i in std::iter::once(a).chain(b) {
        if i.industries.is_empty() {
            continue;
        }
        set = Some(match set {
            None => i.industries.to_vec(),
            Some(s) => s.into_iter().filter(|x| i.industries.contains(x)).collect(),
        });
    }
    set
}

/// Whether `b` may join `a` in one task.
fn joins(a: &InspectionItem, b: &InspectionItem) -> bool {
    a.code != b.code && !(seasonal(a) && seasonal(b)) && common_industries(a, Some(b)).is_none_or(|s| !s.is_empty())
}

/// A TOML basic string.
fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

fn list(values: &[&str]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| quoted(v)).collect();
    format!("[{}]", quoted.join(", "))
}

/// The batch plan of `tasks` tasks for `seed` (the same text for the same
/// arguments).
pub fn batch_plan(tasks: usize, seed: u64) -> String {
    let mut rng = rng_for(seed, STREAM_BATCH);
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(
        w,
        "# A benchmark batch (SPEC §10): {tasks} small tasks over one year, made by\n\
         # `generate_demo_data --batch-tasks {tasks} --seed {seed}` for the demo data\n\
         # written beside it (`generate_demo_data --out` with the default sizes).\n\
         # Market-regulation items needing a specialty other than 企业公示信息 keep\n\
         # to a season each, so that no visit needs an officer with two of them.\n\
         # No max_assignments: the load grows with the number of tasks.\n"
    );
    let _ = writeln!(w, "[batch]");
    let _ = writeln!(w, "id = \"QDN-2025-BENCH\"");
    let _ = writeln!(
        w,
        "name = {}",
        quoted(&format!("黔东南州2025年度部门联合抽查基准计划（{tasks}项任务）"))
    );
    let _ = writeln!(w, "department = \"黔东南州市场监督管理局\"");
    let _ = writeln!(w, "start = {}\nend = {}", YEAR.0, YEAR.1);
    let _ = writeln!(w, "items = {}", quoted(ITEMS_FILE));
    let _ = writeln!(w, "leave_out_visited = true\n");
    let _ = writeln!(
        w,
        "[frame]\nenterprises = \"enterprises.csv\"\nhistory = \"history.csv\"\n"
    );
    let _ = writeln!(
        w,
        "[inspectors]\ndirectory = \"inspectors.csv\"\ncross_area = true\navoid_last_inspectors = true"
    );

    let width = tasks.to_string().len().max(5);
    for n in 1..=tasks {
        let county = pick(&mut rng, &COUNTIES).name;
        let first = pick(&mut rng, &ITEMS);
        let second = if chance(&mut rng, 300) {
            let candidates: Vec<&InspectionItem> = ITEMS.iter().filter(|b| joins(first, b)).collect();
            Some(candidates[index(&mut rng, candidates.len())])
        } else {
            None
        };
        let industry = match common_industries(first, second) {
            Some(allowed) if chance(&mut rng, 850) => Some(*pick(&mut rng, &allowed)),
            None if chance(&mut rng, 500) => Some(COMPANY_INDUSTRIES[index(&mut rng, COMPANY_INDUSTRIES.len())].0),
            _ => None,
        };
        let (from, to) = match second {
            Some(b) if seasonal(b) => season(b),
            _ => season(first),
        };
        let days = (to - from).num_days() as u64 + 1;
        let length = 14 + below(&mut rng, days.min(60) - 14 + 1);
        let start = from + Days::new(below(&mut rng, days - length + 1));
        let end = start + Days::new(length - 1);

        let items: Vec<&InspectionItem> = std::iter::once(first).chain(second).collect();
        let mut team: BTreeMap<&str, u32> = BTreeMap::new();
        for i in &items {
            team.insert(i.department, 0);
        }
        let each = if team.len() == 1 { 2 } else { 1 };
        let team: Vec<String> = team.keys().map(|d| format!("{} = {each}", quoted(d))).collect();
        let codes: Vec<&str> = items.iter().map(|i| i.code).collect();
        let mut name = format!("{county}{}{}", industry.unwrap_or(""), first.name);
        if let Some(b) = second {
            let _ = write!(name, "与{}联合抽查", b.name);
        }

        let _ = writeln!(w, "\n[[task]]");
        let _ = writeln!(w, "id = \"QDN-2025-B-{n:0width$}\"");
        let _ = writeln!(w, "name = {}", quoted(&name));
        let _ = writeln!(w, "department = {}", quoted(organiser(first.department)));
        let _ = writeln!(w, "items = {}", list(&codes));
        let _ = writeln!(w, "start = {start}\nend = {end}");
        let _ = writeln!(w, "team = {{ {} }}", team.join(", "));
        let _ = writeln!(w, "[task.targets]");
        if items.iter().any(|i| i.is_key()) {
            let _ = writeln!(w, "ratio = {{ A = \"0.5%\", B = \"1%\", C = \"3%\", D = \"10%\" }}");
            let _ = writeln!(w, "max = {{ A = 1, B = 2, C = 1, D = 1 }}");
        } else {
            let ratios: &[&str] = if industry.is_some() {
                &["0.2%", "0.3%", "0.5%"]
            } else {
                &["0.05%", "0.1%"]
            };
            let _ = writeln!(w, "stratify_by = [\"county\"]");
            let _ = writeln!(w, "ratio = {}", quoted(ratios[index(&mut rng, ratios.len())]));
        }
        let _ = writeln!(w, "counties = {}", list(&[county]));
        if let Some(industry) = industry {
            let _ = writeln!(w, "industries = {}", list(&[industry]));
        }
    }
    out
}

/// Writes [`BATCH_PLAN_FILE`] (`tasks` tasks for `seed`) and the item list
/// [`ITEMS_FILE`] into `dir`, creating it if needed. Returns the paths
/// written.
pub fn write_batch_plan(dir: &Path, tasks: usize, seed: u64) -> io::Result<Vec<PathBuf>> {
    fs::create_dir_all(dir)?;
    let plan = dir.join(BATCH_PLAN_FILE);
    fs::write(&plan, batch_plan(tasks, seed))?;
    let items = dir.join(ITEMS_FILE);
    let mut file = BufWriter::new(fs::File::create(&items)?);
    write_items_csv(&mut file)?;
    file.flush()?;
    Ok(vec![plan, items])
}
