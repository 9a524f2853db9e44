//! The results announcement (抽查结果公告) of a public bundle (SPEC.md §11,
//! the public results): the bundle's results log as it is
//! (`results.jsonl`), `results.csv` (every drawn firm once per task, with
//! its result in force or `待录入`), and `public.json`'s `results` record.
//!
//! Both `publish` and `verify PUBLIC_DIR` make them the same way: what the
//! draw was is read from the public lists ([`plan_lists`],
//! [`batch_lists`]), the log's chain is checked from the source manifest's
//! SHA-256, its entries are replayed under the results' rules, and the
//! list and the counts follow from the state they give
//! ([`Announcement::of_log`]). `verify` then compares them with the files.

use crate::base::sha256::sha256_hex;
use crate::inputs::batch_plan::BatchPlan;
use crate::inputs::plan::Plan;
use crate::inputs::result_words::Outcome;
use crate::public::batch_format::{PublicBatchManifest, PublicVisit};
use crate::public::format::{PublicAssignment, PublicManifest, PublicResults, PublicTarget, Withheld, csv_writer};
use crate::results::drawn::{Drawn, Inspection, Lists, Member, TaskInfo, Visit, day, teams_by_key};
use crate::results::log::{Body, check_chain};
use crate::results::state::State;
use std::collections::BTreeMap;
use std::path::Path;

pub use crate::results::log::RESULTS_LOG;

/// The public list of results.
pub const RESULTS_CSV: &str = "results.csv";

/// What `results.csv` and the page say of a drawn firm without a result.
pub const PENDING: &str = "待录入";

/// One row of `results.csv`: a drawn firm in one task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultRow {
    pub task: String,
    pub uscc: String,
    pub name: String,
    pub county: String,
    /// The task's department (a batch's: its lead department).
    pub department: String,
    /// The category's name in force, or [`PENDING`].
    pub result: String,
    /// Empty when pending.
    pub inspected_on: String,
    /// The follow-up measures of the checked items, each once, joined by `;`.
    pub measures: String,
    /// The log's line of the result in force; none when pending.
    pub line: Option<u64>,
}

impl ResultRow {
    /// Whether no result is recorded yet.
    pub fn pending(&self) -> bool {
        self.line.is_none()
    }
}

/// The header of `results.csv`.
pub const RESULTS_HEADER: [&str; 9] = [
    "task",
    "uscc",
    "name",
    "county",
    "department",
    "result",
    "inspected_on",
    "measures",
    "line",
];

/// Every drawn (task, firm) of `state`'s bundle, in the order of its
/// lists, with its result in force.
pub fn result_rows(state: &State) -> Vec<ResultRow> {
    let d = state.drawn;
    d.inspections
        .iter()
        .enumerate()
        .map(|(i, x)| {
            let task = &d.tasks[x.task];
            let (result, inspected_on, measures) = match state.result_of(i) {
                Some(r) => {
                    let mut measures: Vec<&str> = Vec::new();
                    for item in r.items.iter().filter(|it| it.checked && !it.measure.is_empty()) {
                        if !measures.contains(&item.measure.as_str()) {
                            measures.push(&item.measure);
                        }
                    }
                    (r.result.clone(), r.inspected_on.clone(), measures.join(";"))
                }
                None => (PENDING.to_string(), String::new(), String::new()),
            };
            ResultRow {
                task: task.id.clone(),
                uscc: x.uscc.clone(),
                name: x.name.clone(),
                county: x.county.clone(),
                department: task.department.clone(),
                result,
                inspected_on,
                measures,
                line: state.result_line(i),
            }
        })
        .collect()
}

/// `results.csv` (UTF-8, LF, no byte-order mark).
pub fn results_csv(rows: &[ResultRow]) -> Vec<u8> {
    let mut w = csv_writer();
    w.write_record(RESULTS_HEADER).expect("write to memory");
    for r in rows {
        let line = r.line.map(|l| l.to_string()).unwrap_or_default();
        w.write_record([
            r.task.as_str(),
            &r.uscc,
            &r.name,
            &r.county,
            &r.department,
            &r.result,
            &r.inspected_on,
            &r.measures,
            &line,
        ])
        .expect("write to memory");
    }
    w.into_inner().expect("flush to memory")
}

/// What a log gives: `public.json`'s record and `results.csv`'s rows.
#[derive(Debug, Clone)]
pub struct Announcement {
    pub record: PublicResults,
    pub rows: Vec<ResultRow>,
    /// Lines of the log that substitute an officer.
    pub substitutions: usize,
    /// Lines that correct a result.
    pub corrections: usize,
}

impl Announcement {
    /// Checks the log `bytes` (chain and rules) against what `lists` say
    /// was drawn, and makes the announcement. An error names the line of
    /// `results.jsonl` (or says why the lists cannot be used).
    pub fn of_log(dir: &Path, lists: Lists, bytes: &[u8]) -> Result<Announcement, String> {
        let chain = check_chain(bytes, &lists.manifest_sha256).map_err(|b| b.to_string())?;
        let drawn = Drawn::from_lists(dir, lists).map_err(|e| format!("results cannot be checked: {e}"))?;
        let state = State::replay(&drawn, &chain.entries, None).map_err(|b| b.to_string())?;
        let rows = result_rows(&state);
        let mut by_result: BTreeMap<String, u64> = BTreeMap::new();
        let mut abnormal = 0;
        for r in &rows {
            *by_result.entry(r.result.clone()).or_default() += 1;
            if !r.pending() && Outcome::parse(&r.result).is_some_and(Outcome::abnormal_operations) {
                abnormal += 1;
            }
        }
        let recorded = state.recorded() as u64;
        let count = |f: fn(&Body) -> bool| chain.entries.iter().filter(|e| f(&e.body)).count();
        Ok(Announcement {
            record: PublicResults {
                log: RESULTS_LOG.to_string(),
                lines: chain.entries.len() as u64,
                head: chain.head.clone(),
                recorded,
                pending: rows.len() as u64 - recorded,
                by_result,
                abnormal_operations: abnormal,
            },
            rows,
            substitutions: count(|b| matches!(b, Body::Substitution(_))),
            corrections: count(|b| matches!(b, Body::Correction(_))),
        })
    }

    /// Adds the log (byte for byte) and `results.csv` to a public
    /// bundle's files.
    pub fn add_files(&self, log: &[u8], files: &mut BTreeMap<String, Vec<u8>>) {
        files.insert(RESULTS_LOG.to_string(), log.to_vec());
        files.insert(RESULTS_CSV.to_string(), results_csv(&self.rows));
    }
}

/// The note that inspectors' ids are public in the log, added to what a
/// public bundle with results withholds of the inspectors (their ids are
/// in every result's `inspectors`, and the log is published byte for
/// byte, as its chain needs).
pub fn note_ids_in_log(withheld: &mut [Withheld]) {
    for w in withheld.iter_mut().filter(|w| w.item == "inspector_names") {
        w.note.push_str(
            "; but results.jsonl, published byte for byte so that its chain can be checked, gives the ids of the \
             officers who inspected each firm and of substituted officers (never their names)",
        );
    }
}

/// What a public bundle says of the teams that results are checked
/// against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Teams {
    /// No teams were drawn.
    None,
    /// Every officer's id is public.
    Known,
    /// The ids are withheld: slots and departments only.
    Withheld,
}

/// What a plan's public bundle says was drawn: one task, each target a
/// visit of its own keyed by its code, with its team from
/// `assignments.csv` (ids empty when withheld); and what is known of the
/// teams.
pub fn plan_lists(
    m: &PublicManifest,
    plan: &Plan,
    targets: &[PublicTarget],
    assignments: &[PublicAssignment],
) -> Result<(Lists, Teams), String> {
    let t = &m.task;
    let task = TaskInfo::from_text(&t.id, &t.name, &t.department, &t.start, &t.end, t.items.clone())?;
    let teams = teams_by_key(assignments.iter().map(|a| {
        let member = Member {
            slot: a.slot,
            department: a.department.clone(),
            id: a.inspector_id.clone().unwrap_or_default(),
            name: a.inspector_name.clone().unwrap_or_default(),
        };
        (a.uscc.as_str(), member)
    }));
    let known = if m.teams.is_none() {
        Teams::None
    } else if assignments
        .iter()
        .all(|a| a.inspector_id.as_ref().is_some_and(|i| !i.is_empty()))
    {
        Teams::Known
    } else {
        Teams::Withheld
    };
    let rows = targets.iter().map(|r| {
        let class = r.credit_class.as_deref().unwrap_or_default();
        (r.uscc.as_str(), r.name.as_str(), r.county.as_str(), class)
    });
    let lists = Lists::of_plan(
        task,
        rows,
        teams,
        m.source_manifest_sha256.clone(),
        plan.targets.classes.clone(),
    );
    Ok((lists, known))
}

/// What a batch's public bundle says was drawn: its tasks, the visits of
/// `visits.csv` with their teams (when names are withheld, each team's
/// departments by slot as its tasks ask, ids empty), and every task's
/// targets; and what is known of the teams.
pub fn batch_lists(
    m: &PublicBatchManifest,
    plan: &BatchPlan,
    targets: &[Vec<PublicTarget>],
    visits: &[PublicVisit],
) -> Result<(Lists, Teams), String> {
    let tasks = m
        .tasks
        .iter()
        .map(|t| {
            let items = t.items.iter().map(|i| i.code.clone()).collect();
            TaskInfo::from_text(&t.id, &t.name, &t.department, &t.start, &t.end, items)
        })
        .collect::<Result<Vec<_>, String>>()?;
    let index: BTreeMap<&str, usize> = tasks.iter().enumerate().map(|(i, t)| (t.id.as_str(), i)).collect();
    let teams_drawn = m.teams.is_some();
    let mut known = if teams_drawn { Teams::Known } else { Teams::None };
    let mut out = Vec::with_capacity(visits.len());
    let mut visit_of: BTreeMap<(usize, &str), usize> = BTreeMap::new();
    for v in visits {
        let mut served = Vec::with_capacity(v.tasks.len());
        for id in &v.tasks {
            let t = *index
                .get(id.as_str())
                .ok_or_else(|| format!("visit {} names task {id}, which public.json does not list", v.visit))?;
            visit_of.insert((t, v.uscc.as_str()), out.len());
            served.push(t);
        }
        let team = match &v.team {
            Some(members) => members
                .iter()
                .enumerate()
                .map(|(i, (department, id, name))| Member {
                    slot: i as u32 + 1,
                    department: department.clone(),
                    id: id.clone(),
                    name: name.clone(),
                })
                .collect(),
            None if teams_drawn => {
                known = Teams::Withheld;
                let mut slots: BTreeMap<&str, u32> = BTreeMap::new();
                for &t in &served {
                    for (d, n) in plan.tasks.get(t).map(|p| &p.team).into_iter().flatten() {
                        let c = slots.entry(d.as_str()).or_default();
                        *c = (*c).max(*n);
                    }
                }
                slots
                    .iter()
                    .flat_map(|(d, n)| std::iter::repeat_n(*d, *n as usize))
                    .enumerate()
                    .map(|(i, d)| Member {
                        slot: i as u32 + 1,
                        department: d.to_string(),
                        id: String::new(),
                        name: String::new(),
                    })
                    .collect()
            }
            None => Vec::new(),
        };
        out.push(Visit {
            key: v.visit.clone(),
            uscc: v.uscc.clone(),
            start: day("visit start", &v.start)?,
            end: day("visit end", &v.end)?,
            tasks: served,
            team,
        });
    }
    let mut inspections = Vec::new();
    for (t, rows) in targets.iter().enumerate() {
        for r in rows {
            let visit = *visit_of.get(&(t, r.uscc.as_str())).ok_or_else(|| {
                format!(
                    "task {}'s target {} is on no visit of visits.csv",
                    tasks.get(t).map_or("?", |x| x.id.as_str()),
                    r.uscc
                )
            })?;
            inspections.push(Inspection {
                task: t,
                uscc: r.uscc.clone(),
                name: r.name.clone(),
                county: r.county.clone(),
                credit_class: r.credit_class.clone().unwrap_or_default(),
                visit,
            });
        }
    }
    let b = &m.batch;
    let lists = Lists {
        batch: true,
        id: b.id.clone(),
        name: b.name.clone(),
        department: b.department.clone(),
        manifest_sha256: m.source_manifest_sha256.clone(),
        tasks,
        visits: out,
        inspections,
        classes: plan
            .tasks
            .first()
            .map(|t| t.targets.classes.clone())
            .unwrap_or_default(),
    };
    Ok((lists, known))
}

/// What checking a public bundle's results found, to be added to its
/// report.
#[derive(Debug, Clone, Default)]
pub struct ResultsCheck {
    pub findings: Vec<String>,
    pub checked: Vec<String>,
    pub not_checked: Vec<String>,
    /// What the log gives, when it could be replayed (for the page).
    pub announcement: Option<Announcement>,
}

/// At most this many rows of `results.csv` that differ from the log are
/// named one by one.
const NAMED_ROWS: usize = 10;

/// Checks the results of the public bundle in `dir` with its own files:
/// the log's chain from the source manifest (`lists.manifest_sha256`) to
/// the head and line count of `record`, its entries under the results'
/// rules against `lists` (officers against their teams when the teams'
/// ids are known), the
/// counts of `record`, and `results.csv` row by row. Findings name the
/// line of `results.jsonl` or of `results.csv`.
pub fn check_results(dir: &Path, record: &PublicResults, lists: Result<(Lists, Teams), String>) -> ResultsCheck {
    let mut c = ResultsCheck::default();
    if record.log != RESULTS_LOG {
        c.findings.push(format!(
            "public.json: results.log is {:?}, not {RESULTS_LOG}",
            record.log
        ));
    }
    let Ok(bytes) = std::fs::read(dir.join(RESULTS_LOG)) else {
        c.findings
            .push(format!("{RESULTS_LOG}: missing, but public.json records results"));
        return c;
    };
    let (lists, teams) = match lists {
        Ok(l) => l,
        Err(e) => {
            c.findings.push(format!("results cannot be checked: {e}"));
            return c;
        }
    };
    let source = lists.manifest_sha256.clone();
    let a = match Announcement::of_log(dir, lists, &bytes) {
        Ok(a) => a,
        Err(e) => {
            c.findings.push(e);
            return c;
        }
    };
    let before = c.findings.len();
    check_head(&bytes, &source, record, &a.record, &mut c.findings);
    let found = &a.record;
    let counts = |r: &PublicResults| (r.recorded, r.pending, r.by_result.clone(), r.abnormal_operations);
    if c.findings.len() == before && counts(record) != counts(found) {
        c.findings.push(format!(
            "public.json: results records {} recorded, {} pending, {:?} by result and {} for the abnormal-operations \
             list, but results.jsonl gives {}, {}, {:?} and {}",
            record.recorded,
            record.pending,
            record.by_result,
            record.abnormal_operations,
            found.recorded,
            found.pending,
            found.by_result,
            found.abnormal_operations
        ));
    }
    let log_ok = c.findings.len() == before;
    let before = c.findings.len();
    check_results_csv(dir, &a.rows, &mut c.findings);
    let csv_ok = c.findings.len() == before;
    if log_ok {
        let mut line = format!(
            "results: results.jsonl's {} lines ({} corrections, {} substitutions) chain from the source manifest's \
             SHA-256 to the head {}… that public.json records; each entry follows the results' rules (a drawn firm \
             of its task, a date in its visit's window, two officers or more{}, a result category, every item of \
             the task once; a correction replaces the result in force); {} results in force, {} pending, {} for \
             the abnormal-operations list, as public.json records",
            found.lines,
            a.corrections,
            a.substitutions,
            &found.head[..16.min(found.head.len())],
            if teams == Teams::Known {
                " on the visit's team"
            } else {
                ""
            },
            found.recorded,
            found.pending,
            found.abnormal_operations
        );
        if found.lines == 0 {
            line.push_str(" (no result yet)");
        }
        c.checked.push(line);
    }
    if csv_ok {
        c.checked.push(format!(
            "results.csv: one row for each of the {} drawn firms of each task, in the order of the lists, each with \
             the result in force (or {PENDING}), its date, follow-up measures and line of results.jsonl, exactly as \
             the log gives them",
            a.rows.len()
        ));
    }
    c.not_checked.push(
        "that the results are what the inspectors found: results.jsonl records what the office entered, and when \
         (recorded_at is the recording computer's clock)"
            .into(),
    );
    c.not_checked.push(
        "that results.jsonl is the office's whole log: lines recorded after publishing are not here; a later \
         publication's log must start with these lines (its line N must have this head)"
            .into(),
    );
    if teams == Teams::Withheld {
        c.not_checked.push(
            "that the officers who inspected each firm were on its visit's team: the teams' ids are withheld, so \
             results were replayed with teams of unknown officers"
                .into(),
        );
    }
    if teams != Teams::None {
        c.not_checked.push(
            "that each substituted officer is the next in the visit's ranking who passes the draw's rules: needs \
             the inspector directory, the recusal list and the history (spotcheck verify on the bundle checks it)"
                .into(),
        );
    }
    c.announcement = Some(a);
    c
}

/// The log's head and line count against `public.json`'s: a line removed
/// at the end, added after, or an edited last line (whose change no later
/// line's `prev` shows) is named.
fn check_head(bytes: &[u8], source: &str, record: &PublicResults, found: &PublicResults, out: &mut Vec<String>) {
    if found.lines < record.lines {
        out.push(format!(
            "{RESULTS_LOG}, line {}: missing: public.json records {} lines, the file has {} (its last lines were \
             removed)",
            found.lines + 1,
            record.lines,
            found.lines
        ));
    } else if found.lines > record.lines {
        out.push(format!(
            "{RESULTS_LOG}, line {}: not counted in public.json, which records {} lines (lines were added after \
             publishing)",
            record.lines + 1,
            record.lines
        ));
    } else if found.head != record.head {
        let what = if found.lines == 0 {
            format!("{RESULTS_LOG}: has no line, so its head is the source manifest's SHA-256 {source}")
        } else {
            let last = bytes
                .strip_suffix(b"\n")
                .and_then(|b| b.rsplit(|&x| x == b'\n').next())
                .unwrap_or_default();
            format!(
                "{RESULTS_LOG}, line {}: its SHA-256 is {} (the last line was edited)",
                found.lines,
                sha256_hex(last)
            )
        };
        out.push(format!("{what}, but public.json's head is {}", record.head));
    }
}

/// The rows of the public `results.csv` with their lines; an error names
/// the line.
fn read_results_csv(path: &Path) -> Result<Vec<(u64, Vec<String>)>, String> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(path)
        .map_err(|e| format!("{RESULTS_CSV}: {e}"))?;
    let mut rows = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let rec = rec.map_err(|e| {
            let line = e.position().map_or(String::new(), |p| format!(", line {}", p.line()));
            format!("{RESULTS_CSV}{line}: {e}")
        })?;
        let line = rec.position().map_or(i as u64 + 1, |p| p.line());
        let fields: Vec<String> = rec.iter().map(String::from).collect();
        if i == 0 {
            if fields != RESULTS_HEADER {
                return Err(format!(
                    "{RESULTS_CSV}, line {line}: the header is {}, expected {}",
                    fields.join(","),
                    RESULTS_HEADER.join(",")
                ));
            }
            continue;
        }
        if fields.len() != RESULTS_HEADER.len() {
            return Err(format!(
                "{RESULTS_CSV}, line {line}: {} fields, expected {}",
                fields.len(),
                RESULTS_HEADER.len()
            ));
        }
        rows.push((line, fields));
    }
    Ok(rows)
}

/// `results.csv` against the rows the log gives: every drawn (task, firm)
/// once, in order, with the log's values; and then its bytes.
fn check_results_csv(dir: &Path, expected: &[ResultRow], out: &mut Vec<String>) {
    let path = dir.join(RESULTS_CSV);
    if !path.exists() {
        out.push(format!("{RESULTS_CSV}: missing, but public.json records results"));
        return;
    }
    let rows = match read_results_csv(&path) {
        Ok(r) => r,
        Err(e) => {
            out.push(e);
            return;
        }
    };
    let before = out.len();
    let key = |task: &str, uscc: &str| (task.to_string(), uscc.to_string());
    let position: BTreeMap<(String, String), usize> = expected
        .iter()
        .enumerate()
        .map(|(i, r)| (key(&r.task, &r.uscc), i))
        .collect();
    let mut seen: BTreeMap<(String, String), u64> = BTreeMap::new();
    let mut differ = 0;
    for (line, f) in &rows {
        let k = key(&f[0], &f[1]);
        let at = format!("{RESULTS_CSV}, line {line}: {} in task {}", f[1], f[0]);
        let Some(&i) = position.get(&k) else {
            out.push(format!("{at}: not a firm that task drew"));
            continue;
        };
        if let Some(first) = seen.get(&k) {
            out.push(format!("{at}: listed twice (first on line {first})"));
            continue;
        }
        seen.insert(k, *line);
        let e = &expected[i];
        let want = [
            ("name", e.name.clone(), "the lists give"),
            ("county", e.county.clone(), "the lists give"),
            ("department", e.department.clone(), "public.json gives the task"),
            ("result", e.result.clone(), "results.jsonl gives"),
            ("inspected_on", e.inspected_on.clone(), "results.jsonl gives"),
            ("measures", e.measures.clone(), "results.jsonl gives"),
            (
                "line",
                e.line.map(|l| l.to_string()).unwrap_or_default(),
                "results.jsonl gives",
            ),
        ];
        let wrong: Vec<String> = want
            .iter()
            .zip(&f[2..])
            .filter(|((_, w, _), found)| w != *found)
            .map(|((field, w, whose), found)| format!("{field} is {found:?}, but {whose} {w:?}"))
            .collect();
        if !wrong.is_empty() {
            differ += 1;
            if differ <= NAMED_ROWS {
                out.push(format!("{at}: {}", wrong.join("; ")));
            }
        }
    }
    if differ > NAMED_ROWS {
        out.push(format!("{RESULTS_CSV}: {differ} rows in all differ from the log"));
    }
    let mut missing = 0;
    for (i, e) in expected.iter().enumerate() {
        if !seen.contains_key(&key(&e.task, &e.uscc)) {
            missing += 1;
            if missing <= NAMED_ROWS {
                out.push(format!(
                    "{RESULTS_CSV}, line {}: the row of {} in task {} ({}) is missing",
                    i + 2,
                    e.uscc,
                    e.task,
                    e.result
                ));
            }
        }
    }
    if missing > NAMED_ROWS {
        out.push(format!("{RESULTS_CSV}: {missing} drawn firms in all have no row"));
    }
    if out.len() > before {
        return;
    }
    // Every row once and right: then in order, and the bytes as written.
    for ((line, f), e) in rows.iter().zip(expected) {
        if (f[0].as_str(), f[1].as_str()) != (e.task.as_str(), e.uscc.as_str()) {
            out.push(format!(
                "{RESULTS_CSV}, line {line}: {} in task {} is out of order: the lists put {} of task {} here",
                f[1], f[0], e.uscc, e.task
            ));
            return;
        }
    }
    if std::fs::read(&path).ok().as_deref() != Some(results_csv(expected).as_slice()) {
        out.push(format!(
            "{RESULTS_CSV}: its rows are the log's, but its bytes are not the file publish writes (quoting, line \
             ends or a byte-order mark)"
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(task: &str, uscc: &str, result: &str, line: Option<u64>) -> ResultRow {
        ResultRow {
            task: task.into(),
            uscc: uscc.into(),
            name: "某公司".into(),
            county: "凯里市".into(),
            department: "市场监管局".into(),
            result: result.into(),
            inspected_on: if line.is_some() {
                "2025-06-01".into()
            } else {
                String::new()
            },
            measures: if line.is_some() {
                "无须后续处置".into()
            } else {
                String::new()
            },
            line,
        }
    }

    fn findings(expected: &[ResultRow], text: &str) -> Vec<String> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(RESULTS_CSV), text).unwrap();
        let mut out = Vec::new();
        check_results_csv(dir.path(), expected, &mut out);
        out
    }

    #[test]
    fn results_csv_is_checked_row_by_row() {
        let rows = vec![
            row("T", "U1", "未发现问题", Some(1)),
            row("T", "U2", PENDING, None),
            row("T", "U3", "已注销", Some(2)),
        ];
        let text = String::from_utf8(results_csv(&rows)).unwrap();
        assert!(text.starts_with("task,uscc,name,county,department,result,inspected_on,measures,line\n"));
        assert!(text.contains("\nT,U2,某公司,凯里市,市场监管局,待录入,,,\n"), "{text}");
        assert!(findings(&rows, &text).is_empty());
        let lines: Vec<&str> = text.lines().collect();
        let join = |ls: &[&str]| ls.iter().map(|l| format!("{l}\n")).collect::<String>();

        let deleted = join(&[lines[0], lines[1], lines[3]]);
        let f = findings(&rows, &deleted);
        assert_eq!(f, ["results.csv, line 3: the row of U2 in task T (待录入) is missing"]);

        let edited = text.replace("待录入", "未发现问题");
        let f = findings(&rows, &edited);
        assert_eq!(f.len(), 1);
        assert!(
            f[0].starts_with("results.csv, line 3: U2 in task T: result is \"未发现问题\""),
            "{f:?}"
        );

        let doubled = join(&[lines[0], lines[1], lines[2], lines[2], lines[3]]);
        assert!(findings(&rows, &doubled)[0].starts_with("results.csv, line 4: U2 in task T: listed twice"));

        let swapped = join(&[lines[0], lines[2], lines[1], lines[3]]);
        assert!(findings(&rows, &swapped)[0].starts_with("results.csv, line 2: U2 in task T is out of order"));

        let extra = format!("{text}T,U9,x,y,z,未发现问题,,,\n");
        assert!(findings(&rows, &extra)[0].starts_with("results.csv, line 5: U9 in task T: not a firm"));

        let crlf = text.replace('\n', "\r\n");
        assert!(findings(&rows, &crlf)[0].contains("its bytes are not the file publish writes"));

        let header = text.replacen("task,", "Task,", 1);
        assert!(findings(&rows, &header)[0].starts_with("results.csv, line 1: the header is"));
    }
}
