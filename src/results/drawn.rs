//! What a bundle drew, seen from the results side (SPEC.md §11.3): the
//! tasks, and every (task, firm) that expects one result, with the
//! window and team of the visit that inspects it. A plan's target is a
//! visit of its own, its team keyed by the firm's code; a batch's visit
//! is keyed by its visit id.

use crate::base::error::{Error, Result};
use crate::base::sha256::sha256_hex;
use crate::bundle::batch::is_batch_bundle;
use crate::bundle::batch_view::BatchView;
use crate::bundle::manifest::MANIFEST_JSON;
use crate::bundle::view::BundleView;
use crate::inputs::history::parse_date;
use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One task of the bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskInfo {
    pub id: String,
    pub name: String,
    pub department: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// Item codes (a batch) or names (a plan's `task.items`).
    pub items: Vec<String>,
}

/// One officer of a team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub slot: u32,
    pub department: String,
    /// Empty when not known: a team read from public files that withhold
    /// inspectors' ids.
    pub id: String,
    pub name: String,
}

/// One visit: a firm, a window and a team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visit {
    /// The team's key: the firm's code (a plan) or the visit id (a batch).
    pub key: String,
    pub uscc: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// The tasks it serves, by index into [`Drawn::tasks`].
    pub tasks: Vec<usize>,
    /// As drawn, in slot order; empty without teams.
    pub team: Vec<Member>,
}

/// One (task, firm) that expects a result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspection {
    /// Index into [`Drawn::tasks`].
    pub task: usize,
    pub uscc: String,
    pub name: String,
    pub county: String,
    pub credit_class: String,
    /// Index into [`Drawn::visits`].
    pub visit: usize,
}

/// What [`Drawn::from_lists`] builds a [`Drawn`] from: the fields of a
/// bundle's draw that its public files state.
#[derive(Debug, Clone, Default)]
pub struct Lists {
    pub batch: bool,
    /// The task's id, name and department (a plan), or the batch's.
    pub id: String,
    pub name: String,
    pub department: String,
    /// SHA-256 of the bundle's `manifest.json`: the chain's start.
    pub manifest_sha256: String,
    pub tasks: Vec<TaskInfo>,
    pub visits: Vec<Visit>,
    /// In the order of the bundle's lists.
    pub inspections: Vec<Inspection>,
    /// The plan's credit classes, lowest risk first.
    pub classes: Vec<String>,
}

impl Lists {
    /// A plan's lists: its one task, each target (code, name, county,
    /// credit class, in list order) a visit of its own keyed by its code,
    /// with its team from `teams` (by code), in slot order.
    pub fn of_plan<'a>(
        task: TaskInfo,
        targets: impl Iterator<Item = (&'a str, &'a str, &'a str, &'a str)>,
        mut teams: BTreeMap<&str, Vec<Member>>,
        manifest_sha256: String,
        classes: Vec<String>,
    ) -> Lists {
        let mut visits = Vec::new();
        let mut inspections = Vec::new();
        for (uscc, name, county, credit_class) in targets {
            inspections.push(Inspection {
                task: 0,
                uscc: uscc.to_string(),
                name: name.to_string(),
                county: county.to_string(),
                credit_class: credit_class.to_string(),
                visit: visits.len(),
            });
            let mut team = teams.remove(uscc).unwrap_or_default();
            team.sort_by_key(|x| x.slot);
            visits.push(Visit {
                key: uscc.to_string(),
                uscc: uscc.to_string(),
                start: task.start,
                end: task.end,
                tasks: vec![0],
                team,
            });
        }
        Lists {
            batch: false,
            id: task.id.clone(),
            name: task.name.clone(),
            department: task.department.clone(),
            manifest_sha256,
            tasks: vec![task],
            visits,
            inspections,
            classes,
        }
    }
}

/// Everything a results log is checked against.
#[derive(Debug, Clone)]
pub struct Drawn {
    pub dir: PathBuf,
    pub batch: bool,
    /// The bundle's id: the task's (a plan) or the batch's.
    pub id: String,
    pub name: String,
    pub department: String,
    /// SHA-256 of the bundle's `manifest.json`: the chain's start.
    pub manifest_sha256: String,
    pub tasks: Vec<TaskInfo>,
    pub visits: Vec<Visit>,
    /// In the order of the bundle's lists: by task, then as its
    /// `targets.csv` lists them.
    pub inspections: Vec<Inspection>,
    /// (task id, uscc) → index into `inspections`.
    index: BTreeMap<(String, String), usize>,
    /// uscc → indexes into `inspections`, in bundle order.
    by_firm: BTreeMap<String, Vec<usize>>,
    /// The plan's credit classes, lowest risk first.
    pub classes: Vec<String>,
}

/// A bundle's record that does not read, as an error naming the bundle.
fn unreadable(dir: &Path) -> impl Fn(String) -> Error + '_ {
    move |message| Error::Bundle {
        path: dir.display().to_string(),
        message,
    }
}

fn date(dir: &Path, what: &str, s: &str) -> Result<NaiveDate> {
    day(what, s).map_err(unreadable(dir))
}

/// An assignments list's rows, each a visit's key and one officer, as
/// teams by key, in slot order as listed.
pub fn teams_by_key<'a>(rows: impl Iterator<Item = (&'a str, Member)>) -> BTreeMap<&'a str, Vec<Member>> {
    let mut teams: BTreeMap<&str, Vec<Member>> = BTreeMap::new();
    for (key, member) in rows {
        teams.entry(key).or_default().push(member);
    }
    teams
}

/// A date of a bundle's record, as SPEC.md §1.2 writes dates.
pub fn day(what: &str, s: &str) -> std::result::Result<NaiveDate, String> {
    parse_date(s).ok_or_else(|| format!("{what} {s:?} is not a date"))
}

impl TaskInfo {
    /// A task from the text of its record (a manifest's or a public
    /// bundle's).
    pub fn from_text(
        id: &str,
        name: &str,
        department: &str,
        start: &str,
        end: &str,
        items: Vec<String>,
    ) -> std::result::Result<TaskInfo, String> {
        Ok(TaskInfo {
            id: id.to_string(),
            name: name.to_string(),
            department: department.to_string(),
            start: day("task start", start)?,
            end: day("task end", end)?,
            items,
        })
    }
}

impl Drawn {
    /// Reads a plan's or a batch's bundle.
    pub fn open(dir: &Path) -> Result<Drawn> {
        let manifest_bytes =
            std::fs::read(dir.join(MANIFEST_JSON)).map_err(|e| Error::io(dir.join(MANIFEST_JSON), e))?;
        let mut lists = if is_batch_bundle(dir) {
            Drawn::batch_lists(dir)?
        } else {
            Drawn::plan_lists(dir)?
        };
        lists.manifest_sha256 = sha256_hex(&manifest_bytes);
        Drawn::from_lists(dir, lists).map_err(unreadable(dir))
    }

    /// What a bundle drew, as its public files state it (SPEC.md §11, the
    /// public results):
    /// no private bundle is read. `lists` is checked for what an index
    /// needs (every inspection's task and visit exist, no (task, firm)
    /// twice); a team whose ids are not public has members with an empty
    /// `id` (slot and department only), and one not known at all is
    /// empty: either way [`crate::results::state::State`] checks no
    /// officer against it.
    pub fn from_lists(dir: &Path, lists: Lists) -> std::result::Result<Drawn, String> {
        let Lists {
            batch,
            id,
            name,
            department,
            manifest_sha256,
            tasks,
            visits,
            inspections,
            classes,
        } = lists;
        for v in &visits {
            if let Some(&t) = v.tasks.iter().find(|&&t| t >= tasks.len()) {
                return Err(format!("visit {} serves task {t}, which is not listed", v.key));
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for x in &inspections {
            let Some(task) = tasks.get(x.task) else {
                return Err(format!("{} is drawn by task {}, which is not listed", x.uscc, x.task));
            };
            if x.visit >= visits.len() {
                return Err(format!("{} of task {} is on no listed visit", x.uscc, task.id));
            }
            if !seen.insert((x.task, x.uscc.as_str())) {
                return Err(format!("{} is listed twice in task {}", x.uscc, task.id));
            }
        }
        let drawn = Drawn {
            dir: dir.to_path_buf(),
            batch,
            id,
            name,
            department,
            manifest_sha256,
            tasks,
            visits,
            inspections,
            index: BTreeMap::new(),
            by_firm: BTreeMap::new(),
            classes,
        };
        Ok(drawn.indexed())
    }

    /// With its look-ups by (task, firm) and by firm.
    fn indexed(mut self) -> Drawn {
        self.index = self
            .inspections
            .iter()
            .enumerate()
            .map(|(i, x)| ((self.tasks[x.task].id.clone(), x.uscc.clone()), i))
            .collect();
        for (i, x) in self.inspections.iter().enumerate() {
            self.by_firm.entry(x.uscc.clone()).or_default().push(i);
        }
        self
    }

    /// A plan bundle's lists (`manifest_sha256` left empty).
    fn plan_lists(dir: &Path) -> Result<Lists> {
        let view = BundleView::open(dir)?;
        let t = &view.manifest.task;
        let task = TaskInfo::from_text(&t.id, &t.name, &t.department, &t.start, &t.end, t.items.clone())
            .map_err(unreadable(dir))?;
        let teams = teams_by_key(view.assignments.iter().map(|a| {
            let member = Member {
                slot: a.slot,
                department: a.department.clone(),
                id: a.inspector_id.clone(),
                name: a.inspector_name.clone(),
            };
            (a.uscc.as_str(), member)
        }));
        let plan = crate::inputs::plan::Plan::parse(&view.manifest.plan.path, &view.manifest.plan.text, dir)?;
        let targets = view.targets.iter().map(|r| {
            (
                r.uscc.as_str(),
                r.name.as_str(),
                r.county.as_str(),
                r.credit_class.as_str(),
            )
        });
        Ok(Lists::of_plan(
            task,
            targets,
            teams,
            String::new(),
            plan.targets.classes.clone(),
        ))
    }

    /// A batch bundle's lists (`manifest_sha256` left empty).
    fn batch_lists(dir: &Path) -> Result<Lists> {
        let view = BatchView::open(dir)?;
        let m = &view.manifest;
        let tasks = m
            .tasks
            .iter()
            .map(|t| TaskInfo::from_text(&t.id, &t.name, &t.department, &t.start, &t.end, t.items.clone()))
            .collect::<std::result::Result<Vec<_>, String>>()
            .map_err(unreadable(dir))?;
        let task_index: BTreeMap<&str, usize> = tasks.iter().enumerate().map(|(i, t)| (t.id.as_str(), i)).collect();
        let mut teams = teams_by_key(view.assignments.iter().map(|a| {
            let member = Member {
                slot: a.slot,
                department: a.department.clone(),
                id: a.inspector_id.clone(),
                name: a.inspector_name.clone(),
            };
            (a.visit.as_str(), member)
        }));
        let mut visits = Vec::new();
        let mut visit_of: BTreeMap<(usize, &str), usize> = BTreeMap::new();
        for v in &view.visits {
            let mut served = Vec::new();
            for id in v.task_ids() {
                let t = *task_index.get(id).ok_or_else(|| Error::Bundle {
                    path: dir.display().to_string(),
                    message: format!("visits.csv names task {id}, which the manifest does not list"),
                })?;
                visit_of.insert((t, v.uscc.as_str()), visits.len());
                served.push(t);
            }
            visits.push(Visit {
                key: v.visit.clone(),
                uscc: v.uscc.clone(),
                start: date(dir, "visit start", &v.start)?,
                end: date(dir, "visit end", &v.end)?,
                tasks: served,
                team: teams.remove(v.visit.as_str()).unwrap_or_default(),
            });
        }
        let mut inspections = Vec::new();
        for (t, rows) in view.targets.iter().enumerate() {
            for r in rows {
                let visit = *visit_of.get(&(t, r.uscc.as_str())).ok_or_else(|| Error::Bundle {
                    path: dir.display().to_string(),
                    message: format!("task {}'s target {} is on no visit in visits.csv", tasks[t].id, r.uscc),
                })?;
                inspections.push(Inspection {
                    task: t,
                    uscc: r.uscc.clone(),
                    name: r.name.clone(),
                    county: r.county.clone(),
                    credit_class: r.credit_class.clone(),
                    visit,
                });
            }
        }
        let plan = crate::inputs::batch_plan::BatchPlan::parse(&m.plan.path, &m.plan.text, dir)?;
        let classes = plan
            .tasks
            .first()
            .map(|t| t.targets.classes.clone())
            .unwrap_or_default();
        Ok(Lists {
            batch: true,
            id: m.batch.id.clone(),
            name: m.batch.name.clone(),
            department: m.batch.department.clone(),
            manifest_sha256: String::new(),
            tasks,
            visits,
            inspections,
            classes,
        })
    }

    /// The inspection of `uscc` in task `task`.
    pub fn find(&self, task: &str, uscc: &str) -> Option<usize> {
        self.index.get(&(task.to_string(), uscc.to_string())).copied()
    }

    /// The tasks that drew `uscc`, in bundle order.
    pub fn tasks_of(&self, uscc: &str) -> Vec<usize> {
        self.by_firm
            .get(uscc)
            .map_or_else(Vec::new, |v| v.iter().map(|&i| self.inspections[i].task).collect())
    }

    /// The visit whose team key is `key`.
    pub fn visit_by_key(&self, key: &str) -> Option<usize> {
        self.visits.iter().position(|v| v.key == key)
    }

    /// The most items any task has: the item groups a results file needs.
    pub fn item_groups(&self) -> usize {
        self.tasks.iter().map(|t| t.items.len()).max().unwrap_or(0)
    }

    /// Whether the bundle drew teams.
    pub fn has_teams(&self) -> bool {
        self.visits.iter().any(|v| !v.team.is_empty())
    }
}
