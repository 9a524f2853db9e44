//! Substitutions (SPEC.md §11.5): an officer who cannot go is replaced by
//! the next inspector in the visit's own ranking who passes every rule of
//! the draw, never by hand. The ranking and the rules are the draw's
//! (`draw::teams::substitute`), on the inputs of a replay of the bundle.

use crate::base::error::{Error, Result};
use crate::bundle::make::Outcome;
use crate::bundle::verify::Report;
use crate::draw::batch::{BatchDraw, staffing, visit_job};
use crate::draw::teams::{Job, TeamInputs, target_job};
use crate::inputs::plan::Overrides;
use crate::inputs::read::Inputs;
use crate::inputs::read_batch::BatchInputs;
use crate::results::drawn::Drawn;
use crate::results::log::{self, Body, Entry, Substitution};
use crate::results::record::{Opened, now};
use crate::results::state::{Ranker, State};
use std::collections::BTreeMap;
use std::path::Path;

/// A bundle's draw, replayed from its inputs.
pub enum Replayed {
    Plan(Box<(Inputs, Outcome)>),
    Batch(Box<(BatchInputs, BatchDraw)>),
}

/// Replays a plan's or a batch's bundle: the verification report and,
/// when the inputs could be read, the draw.
pub fn replay(dir: &Path, overrides: &Overrides) -> Result<(Report, Option<Replayed>)> {
    Ok(if crate::bundle::batch::is_batch_bundle(dir) {
        let (r, d) = crate::bundle::verify_batch::replay_batch(dir, overrides)?;
        (r, d.map(|d| Replayed::Batch(Box::new(d))))
    } else {
        let (r, d) = crate::bundle::verify::replay(dir, overrides)?;
        (r, d.map(|d| Replayed::Plan(Box::new(d))))
    })
}

/// The draw's rankings and rules, for every visit.
pub struct DrawRanker<'a> {
    inputs: TeamInputs<'a>,
    /// By visit key (a plan's firm code, a batch's visit id).
    jobs: BTreeMap<String, Job<'a>>,
    /// Visits per inspector as drawn.
    load: Vec<u64>,
    index: BTreeMap<&'a str, usize>,
}

impl<'a> DrawRanker<'a> {
    /// The ranker of a replayed draw; `None` when it drew no teams.
    pub fn new(replayed: &'a Replayed, seed: &str) -> Option<DrawRanker<'a>> {
        let (inputs, jobs, load) = match replayed {
            Replayed::Plan(b) => {
                let (inputs, outcome) = &**b;
                let team_inputs = TeamInputs {
                    rules: inputs.plan.inspectors.as_ref()?,
                    firms: &inputs.enterprises,
                    inspectors: inputs.inspectors.as_ref()?,
                    conflicts: inputs.conflicts.as_ref(),
                    history: inputs.history.as_ref(),
                };
                let teams = outcome.teams.as_ref()?;
                let jobs = outcome
                    .targets
                    .targets
                    .iter()
                    .map(|t| {
                        let uscc = inputs.enterprises.firms[t.firm].uscc().to_string();
                        (uscc, target_job(&team_inputs, &inputs.plan.task, t.firm, seed))
                    })
                    .collect();
                (team_inputs, jobs, teams.load.clone())
            }
            Replayed::Batch(b) => {
                let (inputs, draw) = &**b;
                let team_inputs = staffing(inputs)?;
                let teams = draw.teams.as_ref()?;
                let jobs = draw
                    .visits
                    .iter()
                    .map(|v| (v.id.clone(), visit_job(inputs, v, seed)))
                    .collect();
                (team_inputs, jobs, teams.load.clone())
            }
        };
        let index = inputs
            .inspectors
            .inspectors
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.as_str(), i))
            .collect();
        Some(DrawRanker {
            inputs,
            jobs,
            load,
            index,
        })
    }
}

impl Ranker for DrawRanker<'_> {
    fn substitute(&self, state: &State, visit: usize, slot: u32) -> Result<(String, u64), String> {
        let key = &state.drawn.visits[visit].key;
        let job = self
            .jobs
            .get(key)
            .ok_or_else(|| format!("the replayed draw has no visit {key}"))?;
        let mut load = self.load.clone();
        for (id, change) in &state.load_change {
            if let Some(&i) = self.index.get(id.as_str()) {
                load[i] = load[i].saturating_add_signed(*change);
            }
        }
        let team: Vec<usize> = state.teams[visit]
            .iter()
            .filter_map(|m| self.index.get(m.id.as_str()).copied())
            .collect();
        let holder = state.teams[visit]
            .iter()
            .find(|m| m.slot == slot)
            .map(|m| m.id.clone())
            .unwrap_or_default();
        let mut unable: Vec<usize> = state.replaced[visit]
            .iter()
            .filter_map(|id| self.index.get(id.as_str()).copied())
            .collect();
        unable.extend(self.index.get(holder.as_str()));
        let (i, rank) = crate::draw::teams::substitute(&self.inputs, job, slot, &team, &load, &unable)?;
        Ok((self.inputs.inspectors.inspectors[i].id.clone(), rank))
    }
}

/// What a substitution did.
#[derive(Debug, Clone)]
pub struct Substituted {
    pub entry: Substitution,
    pub substitute_name: String,
    pub line: u64,
    pub head: String,
}

/// Replaces officer `inspector` on the visit of `uscc` (in `task`, when
/// the firm has several) by the next in the ranking, and logs it.
pub fn substitute(
    dir: &Path,
    overrides: &Overrides,
    uscc: &str,
    task: Option<&str>,
    inspector: &str,
    reason: &str,
) -> Result<Substituted> {
    let opened = Opened::open(dir)?;
    let refused = |message: String| Error::Bundle {
        path: dir.display().to_string(),
        message,
    };
    if reason.trim().is_empty() {
        return Err(refused("a substitution needs a reason (--reason)".into()));
    }
    let drawn: &Drawn = &opened.drawn;
    let mut visits: Vec<usize> = drawn
        .inspections
        .iter()
        .filter(|x| x.uscc == uscc && task.is_none_or(|t| drawn.tasks[x.task].id == t))
        .map(|x| x.visit)
        .collect();
    visits.dedup();
    let v = match visits[..] {
        [v] => v,
        [] => {
            return Err(refused(format!(
                "{uscc} was not drawn{}",
                task.map(|t| format!(" by task {t}")).unwrap_or_default()
            )));
        }
        _ => {
            return Err(refused(format!(
                "{uscc} has {} visits in this batch: name the task (--task)",
                visits.len()
            )));
        }
    };
    let mut state = opened.state()?;
    let Some(member) = state.teams[v].iter().find(|m| m.id == inspector).cloned() else {
        let ids: Vec<&str> = state.teams[v].iter().map(|m| m.id.as_str()).collect();
        return Err(refused(format!(
            "{inspector} is not on the team of visit {} ({})",
            drawn.visits[v].key,
            if ids.is_empty() {
                "this draw has no teams".to_string()
            } else {
                ids.join(";")
            }
        )));
    };
    let (report, replayed) = replay(dir, overrides)?;
    if !report.ok() {
        let first = report.findings.first().map(ToString::to_string).unwrap_or_default();
        return Err(refused(format!(
            "the bundle does not verify, so its rankings cannot be trusted; nothing was logged (spotcheck verify): {first}"
        )));
    }
    let seed = crate::bundle::run::bundle_seed(dir)?;
    let ranker = replayed
        .as_ref()
        .and_then(|r| DrawRanker::new(r, &seed))
        .ok_or_else(|| refused("this draw has no teams".into()))?;
    let (substitute, rank) = ranker
        .substitute(&state, v, member.slot)
        .map_err(|m| refused(format!("{m}; nothing was logged")))?;
    let substitute_name = ranker
        .index
        .get(substitute.as_str())
        .map(|&i| ranker.inputs.inspectors.inspectors[i].name.clone())
        .unwrap_or_default();
    let entry = Substitution {
        visit: drawn.visits[v].key.clone(),
        slot: member.slot,
        department: member.department.clone(),
        replaced: inspector.to_string(),
        substitute,
        rank,
        reason: reason.trim().to_string(),
    };
    let line = Entry {
        line: state.entries.len() as u64 + 1,
        prev: state.head.clone(),
        recorded_at: now(),
        body: Body::Substitution(entry.clone()),
    };
    let text = line.to_line();
    state
        .apply(line, Some(&ranker))
        .map_err(|r| refused(format!("{}: {}", r.column, r.message)))?;
    log::append(dir, &opened.chain, &[text])?;
    Ok(Substituted {
        entry,
        substitute_name,
        line: state.entries.len() as u64,
        head: state.head.clone(),
    })
}
