//! A batch plan (SPEC.md §10.2): a year's joint plan of many tasks that
//! share one directory, one inspector list and one seed.

use crate::base::error::InputError;
use crate::base::sha256::sha256_hex;
use crate::inputs::input_path::InputPath;
use crate::inputs::inspectors::{MIN_TEAM, TeamRules};
use crate::inputs::plan::{Frame, Output, Plan, Publish, RawTargets, Targets, Task, date, toml_error};
use crate::inputs::plan_words::Officers;
use crate::inputs::table::TextEncoding;
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// The `[batch]` table, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchHeader {
    pub id: String,
    pub name: String,
    /// The organiser.
    pub department: String,
    /// The batch's period: every task's window lies in it.
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// The item list (抽查事项清单).
    pub items: InputPath,
    /// Tasks of general items only leave out firms inspected since
    /// `start` (SPEC.md §10.3).
    pub leave_out_visited: bool,
    /// The most visits one firm may get in the batch.
    pub max_visits_per_firm: Option<u32>,
}

/// One task of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchTask {
    /// The task; its `items` are item codes.
    pub task: Task,
    pub targets: Targets,
    /// Officers per department, in byte order of the names.
    pub team: Vec<(String, u32)>,
}

/// A validated batch plan, with the text it came from. Tasks are in
/// batch order: ascending (start, end, id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchPlan {
    pub path: String,
    pub text: String,
    pub sha256: String,
    pub batch: BatchHeader,
    pub frame: Frame,
    /// The shared `[inspectors]` rules, with an empty `team` (each task has
    /// its own) and no required specialties (they follow from the items).
    pub inspectors: Option<TeamRules>,
    pub tasks: Vec<BatchTask>,
    pub publish: Publish,
    pub output: Output,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBatchPlan {
    batch: RawBatch,
    frame: crate::inputs::plan::RawFrame,
    inspectors: Option<RawSharedRules>,
    #[serde(default)]
    publish: Publish,
    #[serde(default)]
    output: Output,
    #[serde(default)]
    task: Vec<RawBatchTask>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBatch {
    id: String,
    name: String,
    department: String,
    start: toml::value::Datetime,
    end: toml::value::Datetime,
    items: String,
    #[serde(default)]
    leave_out_visited: bool,
    max_visits_per_firm: Option<Officers>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSharedRules {
    directory: String,
    conflicts: Option<String>,
    max_assignments: Option<Officers>,
    #[serde(default = "yes")]
    cross_area: bool,
    avoid_last_inspectors: Option<bool>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBatchTask {
    id: String,
    name: String,
    department: String,
    items: Vec<String>,
    start: toml::value::Datetime,
    end: toml::value::Datetime,
    team: Option<BTreeMap<String, Officers>>,
    targets: RawTargets,
}

/// Whether plan text is a batch plan: it has a top-level `[batch]` table.
pub fn is_batch(text: &str) -> bool {
    text.parse::<toml::Table>()
        .map(|t| t.contains_key("batch"))
        .unwrap_or(false)
}

/// Whether a task id can name a folder of the bundle (SPEC.md §10.2).
fn valid_task_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && !id.starts_with('.')
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

impl BatchPlan {
    /// Reads and validates a batch plan file.
    pub fn load(path: &Path) -> Result<BatchPlan, crate::base::error::Error> {
        let text = crate::inputs::plan::read_plan_text(path)?;
        let base = path.parent().unwrap_or(Path::new("."));
        Ok(BatchPlan::parse(&path.display().to_string(), &text, base)?)
    }

    /// Parses batch plan text; relative input paths are resolved against
    /// `base`.
    pub fn parse(path: &str, text: &str, base: &Path) -> Result<BatchPlan, InputError> {
        let raw: RawBatchPlan = toml::from_str(text).map_err(|e| toml_error(path, text, &e))?;
        let key_error = |key: &str, message: String| InputError::file(path, format!("{key}: {message}"));
        let resolve = |written: String| InputPath::in_plan(written, base);

        let b = raw.batch;
        let start = date(&b.start).map_err(|m| key_error("batch.start", m))?;
        let end = date(&b.end).map_err(|m| key_error("batch.end", m))?;
        if end < start {
            return Err(key_error("batch.end", format!("{end} is before batch.start {start}")));
        }
        if b.id.trim().is_empty() {
            return Err(key_error("batch.id", "must not be empty".into()));
        }
        if b.max_visits_per_firm.is_some_and(|m| m.0 == 0) {
            return Err(key_error("batch.max_visits_per_firm", "must be at least 1".into()));
        }
        let batch = BatchHeader {
            id: b.id,
            name: b.name,
            department: b.department,
            start,
            end,
            items: resolve(b.items),
            leave_out_visited: b.leave_out_visited,
            max_visits_per_firm: b.max_visits_per_firm.map(|m| m.0),
        };
        let encoding = match raw.frame.encoding {
            None => TextEncoding::Auto,
            Some(e) => e.parse().map_err(|m| key_error("frame.encoding", m))?,
        };
        let frame = Frame {
            enterprises: resolve(raw.frame.enterprises),
            history: raw.frame.history.map(resolve),
            encoding,
        };
        let inspectors = match raw.inspectors {
            None => None,
            Some(r) => {
                if r.max_assignments.is_some_and(|m| m.0 == 0) {
                    return Err(key_error("inspectors.max_assignments", "must be at least 1".into()));
                }
                Some(TeamRules {
                    directory: resolve(r.directory),
                    conflicts: r.conflicts.map(resolve),
                    team: Vec::new(),
                    max_assignments: r.max_assignments.map(|m| m.0),
                    cross_area: r.cross_area,
                    avoid_last_inspectors: r.avoid_last_inspectors.unwrap_or(true),
                    avoid_last_inspectors_written: r.avoid_last_inspectors == Some(true),
                    required_specialties: Vec::new(),
                })
            }
        };
        if raw.task.is_empty() {
            return Err(InputError::file(
                path,
                "a batch needs at least one task: add a [[task]] table",
            ));
        }
        let mut tasks: Vec<BatchTask> = Vec::with_capacity(raw.task.len());
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        let mut classes: Option<(String, Vec<String>)> = None;
        for (n, t) in raw.task.into_iter().enumerate() {
            let id = t.id;
            let at = |key: &str, message: String| key_error(&format!("task[{}] ({id:?}).{key}", n + 1), message);
            if !valid_task_id(&id) {
                return Err(at(
                    "id",
                    "a task id is 1 to 64 ASCII letters, digits, '-', '_' or '.', not starting with '.'".into(),
                ));
            }
            if let Some(first) = seen.insert(id.clone(), n + 1) {
                return Err(at("id", format!("task[{first}] has the same id; task ids are unique")));
            }
            let start = date(&t.start).map_err(|m| at("start", m))?;
            let end = date(&t.end).map_err(|m| at("end", m))?;
            if end < start {
                return Err(at("end", format!("{end} is before start {start}")));
            }
            if start < batch.start || end > batch.end {
                return Err(at(
                    "start",
                    format!(
                        "the window {start} – {end} is not within the batch's period {} – {}",
                        batch.start, batch.end
                    ),
                ));
            }
            if t.items.is_empty() {
                return Err(at("items", "must name at least one item code".into()));
            }
            let written_classes = t.targets.classes.clone();
            let targets = t.targets.validate("targets").map_err(|(key, m)| at(&key, m))?;
            if let Some(written) = &written_classes {
                match &classes {
                    None => classes = Some((id.clone(), written.clone())),
                    Some((other, c)) if c != written => {
                        return Err(at(
                            "targets.classes",
                            format!(
                                "differs from task {other:?}'s; a batch reads one directory, with one set of classes"
                            ),
                        ));
                    }
                    Some(_) => {}
                }
            }
            let team: Vec<(String, u32)> = match (&inspectors, t.team) {
                (Some(_), None) => {
                    return Err(at(
                        "team",
                        "missing: the batch has [inspectors], so every task needs a team".into(),
                    ));
                }
                (None, Some(_)) => {
                    return Err(at("team", "a team needs the batch's [inspectors] table".into()));
                }
                (None, None) => Vec::new(),
                (Some(_), Some(team)) => {
                    let team: Vec<(String, u32)> = team.into_iter().map(|(d, n)| (d, n.0)).collect();
                    if let Some((d, _)) = team.iter().find(|(_, n)| *n == 0) {
                        return Err(at(&format!("team.{d}"), "must be at least 1 officer".into()));
                    }
                    let total = team.iter().fold(0u32, |s, (_, n)| s.saturating_add(*n));
                    if total < MIN_TEAM {
                        return Err(at(
                            "team",
                            format!(
                                "a team of {total} officer(s) is not allowed: an inspection needs at least \
                                 {MIN_TEAM} law-enforcement officers (行政处罚法 Art. 42)"
                            ),
                        ));
                    }
                    team
                }
            };
            tasks.push(BatchTask {
                task: Task {
                    id,
                    name: t.name,
                    department: t.department,
                    start,
                    end,
                    items: t.items,
                },
                targets,
                team,
            });
        }
        if let Some((_, written)) = classes {
            for t in &mut tasks {
                t.targets.classes = written.clone();
            }
        }
        tasks.sort_by(|a, b| {
            (a.task.start, a.task.end, a.task.id.as_bytes()).cmp(&(b.task.start, b.task.end, b.task.id.as_bytes()))
        });
        Ok(BatchPlan {
            path: path.to_string(),
            text: text.to_string(),
            sha256: sha256_hex(text.as_bytes()),
            batch,
            frame,
            inspectors,
            tasks,
            publish: raw.publish,
            output: raw.output,
        })
    }

    /// The batch as a commitment records it: its `task`, with no items.
    pub fn task_record(&self) -> crate::inputs::record::TaskRecord {
        let b = &self.batch;
        crate::inputs::record::TaskRecord {
            id: b.id.clone(),
            name: b.name.clone(),
            department: b.department.clone(),
            start: b.start.to_string(),
            end: b.end.to_string(),
            items: Vec::new(),
        }
    }

    /// The classes every task accepts (they are the same for all).
    pub fn classes(&self) -> &[String] {
        &self.tasks[0].targets.classes
    }

    /// Task `i` (in batch order) as a plan of its own, for the target
    /// draw: the batch's frame, the task's window and `[targets]`, and
    /// `leave_out_visited` folded into `exclude_inspected_within_days`
    /// (SPEC.md §10.3). The plan's text is left empty: the batch's is
    /// recorded once.
    pub fn task_plan(&self, i: usize, general_only: bool) -> Plan {
        let t = &self.tasks[i];
        let mut targets = t.targets.clone();
        if self.batch.leave_out_visited && general_only {
            let days = u32::try_from((t.task.start - self.batch.start).num_days()).unwrap_or(u32::MAX);
            let own = targets.exclude_inspected_within_days.unwrap_or(0);
            targets.exclude_inspected_within_days = Some(own.max(days));
        }
        Plan {
            path: self.path.clone(),
            text: String::new(),
            sha256: self.sha256.clone(),
            task: t.task.clone(),
            frame: self.frame.clone(),
            targets,
            inspectors: None,
            publish: self.publish,
            output: self.output,
        }
    }

    /// The settings that need a history have one (after `--history`).
    pub fn check_history_needs(&self) -> Result<(), InputError> {
        if self.frame.history.is_some() {
            return Ok(());
        }
        let key_error = |key: &str, message: &str| InputError::file(&self.path, format!("{key}: {message}"));
        if self.batch.leave_out_visited {
            return Err(key_error(
                "batch.leave_out_visited",
                "needs a history file: set frame.history, or give --history",
            ));
        }
        if let Some(t) = self
            .tasks
            .iter()
            .find(|t| t.targets.exclude_inspected_within_days.is_some())
        {
            return Err(key_error(
                &format!("task {:?}: targets.exclude_inspected_within_days", t.task.id),
                "needs a history file: set frame.history, or give --history",
            ));
        }
        crate::inputs::plan::avoid_last_needs_history(&self.path, self.inspectors.as_ref())
    }

    /// Applies command-line overrides of input paths.
    pub fn apply(&mut self, o: &crate::inputs::plan::Overrides) {
        o.apply_to(&mut self.frame, self.inspectors.as_mut());
        if let Some(p) = &o.items {
            self.batch.items = InputPath::given(p);
        }
    }
}
