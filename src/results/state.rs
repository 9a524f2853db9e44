//! The results so far: a log's entries applied one by one to what the
//! bundle drew, under SPEC.md §11.4's rules. Recording a file, a
//! correction or a substitution applies its new entries the same way
//! before they are written, so the log is checked by one set of rules
//! whether it is being made or read back.

use crate::inputs::history::parse_date;
use crate::inputs::result_words::{Outcome, parse_measure, parse_methods};
use crate::results::drawn::{Drawn, Member};
use crate::results::log::{Body, Broken, Entry, Inspected};
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// Why an entry is refused, and the results file's column it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The results file's column (`uscc`, `task`, `inspected_on`, …).
    pub column: String,
    /// The item it concerns, when it concerns one.
    pub item: Option<String>,
    pub message: String,
}

fn refuse(column: &str, message: impl Into<String>) -> Refusal {
    Refusal {
        column: column.to_string(),
        item: None,
        message: message.into(),
    }
}

fn refuse_item(column: &str, item: &str, message: impl Into<String>) -> Refusal {
    Refusal {
        item: Some(item.to_string()),
        ..refuse(column, message)
    }
}

/// Says who is the right substitute on a visit's slot, given the state
/// before the substitution: (inspector id, rank). Built from a replay of
/// the draw ([`crate::results::substitute`]).
pub trait Ranker {
    fn substitute(&self, state: &State, visit: usize, slot: u32) -> Result<(String, u64), String>;
}

/// The results of a bundle after some entries of its log.
#[derive(Debug, Clone)]
pub struct State<'d> {
    pub drawn: &'d Drawn,
    pub entries: Vec<Entry>,
    /// Per inspection, the index in `entries` of its result in force.
    pub results: Vec<Option<usize>>,
    /// Per visit, its team now: as drawn, with the substitutions applied.
    pub teams: Vec<Vec<Member>>,
    /// Per visit, the officers who were replaced (they cannot go).
    pub replaced: Vec<Vec<String>>,
    /// Visits on a team now minus visits as drawn, per inspector id.
    pub load_change: BTreeMap<String, i64>,
    /// SHA-256 of the last line (of the manifest before any).
    pub head: String,
}

impl<'d> State<'d> {
    /// No results yet.
    pub fn new(drawn: &'d Drawn) -> State<'d> {
        State {
            drawn,
            entries: Vec::new(),
            results: vec![None; drawn.inspections.len()],
            teams: drawn.visits.iter().map(|v| v.team.clone()).collect(),
            replaced: vec![Vec::new(); drawn.visits.len()],
            load_change: BTreeMap::new(),
            head: drawn.manifest_sha256.clone(),
        }
    }

    /// Applies a log's entries in order; the first that breaks a rule is
    /// named. With a `ranker`, every substitution's substitute is
    /// checked against the ranking; without, only its form.
    pub fn replay(drawn: &'d Drawn, entries: &[Entry], ranker: Option<&dyn Ranker>) -> Result<State<'d>, Broken> {
        let mut state = State::new(drawn);
        for e in entries {
            state.apply(e.clone(), ranker).map_err(|r| Broken {
                line: e.line,
                message: format!("{}: {}", r.column, r.message),
            })?;
        }
        if let Some(last) = entries.last() {
            state.head = crate::base::sha256::sha256_hex(last.to_line().as_bytes());
        }
        Ok(state)
    }

    /// The number of results in force.
    pub fn recorded(&self) -> usize {
        self.results.iter().filter(|r| r.is_some()).count()
    }

    /// The result in force for inspection `i`.
    pub fn result_of(&self, i: usize) -> Option<&Inspected> {
        self.results[i].map(|e| match &self.entries[e].body {
            Body::Result(r) => r,
            Body::Correction(c) => &c.result,
            Body::Substitution(_) => unreachable!("results point at results"),
        })
    }

    /// The line of the log that holds inspection `i`'s result in force.
    pub fn result_line(&self, i: usize) -> Option<u64> {
        self.results[i].map(|e| self.entries[e].line)
    }

    /// Checks one entry against the state and applies it.
    pub fn apply(&mut self, entry: Entry, ranker: Option<&dyn Ranker>) -> Result<(), Refusal> {
        match &entry.body {
            Body::Result(r) => {
                let i = self.check_result(r)?;
                if let Some(line) = self.result_line(i) {
                    return Err(refuse(
                        "uscc",
                        format!(
                            "{} already has a result in task {} (results.jsonl line {line}); a change is a correction (spotcheck results correct), with a reason",
                            r.uscc, r.task
                        ),
                    ));
                }
                self.results[i] = Some(self.entries.len());
            }
            Body::Correction(c) => {
                let i = self.check_result(&c.result)?;
                let Some(line) = self.result_line(i) else {
                    return Err(refuse(
                        "uscc",
                        format!(
                            "{} has no result in task {} to correct; record it first (spotcheck results record)",
                            c.result.uscc, c.result.task
                        ),
                    ));
                };
                if c.corrects != line {
                    return Err(refuse(
                        "corrects",
                        format!(
                            "corrects line {}, but the result in force is on line {line}",
                            c.corrects
                        ),
                    ));
                }
                if c.reason.trim().is_empty() {
                    return Err(refuse("reason", "a correction needs a reason"));
                }
                self.results[i] = Some(self.entries.len());
            }
            Body::Substitution(s) => {
                let v = self
                    .drawn
                    .visit_by_key(&s.visit)
                    .ok_or_else(|| refuse("visit", format!("{} is not a visit of this draw", s.visit)))?;
                let team = &self.teams[v];
                let Some(pos) = team.iter().position(|m| m.slot == s.slot) else {
                    return Err(refuse("slot", format!("visit {} has no slot {}", s.visit, s.slot)));
                };
                if !team[pos].id.is_empty() && team[pos].id != s.replaced {
                    return Err(refuse(
                        "replaced",
                        format!(
                            "slot {} of visit {} is held by {}, not {}",
                            s.slot, s.visit, team[pos].id, s.replaced
                        ),
                    ));
                }
                if team[pos].department != s.department {
                    return Err(refuse(
                        "department",
                        format!(
                            "slot {} is the {}'s, not the {}'s",
                            s.slot, team[pos].department, s.department
                        ),
                    ));
                }
                if s.reason.trim().is_empty() {
                    return Err(refuse("reason", "a substitution needs a reason"));
                }
                if let Some(ranker) = ranker {
                    let (id, rank) = ranker
                        .substitute(self, v, s.slot)
                        .map_err(|m| refuse("substitute", m))?;
                    if (id.as_str(), rank) != (s.substitute.as_str(), s.rank) {
                        return Err(refuse(
                            "substitute",
                            format!(
                                "{} (rank {}) is logged, but the ranking gives {id} (rank {rank})",
                                s.substitute, s.rank
                            ),
                        ));
                    }
                } else if team.iter().any(|m| m.id == s.substitute) {
                    return Err(refuse("substitute", format!("{} is already on the team", s.substitute)));
                }
                *self.load_change.entry(s.replaced.clone()).or_default() -= 1;
                *self.load_change.entry(s.substitute.clone()).or_default() += 1;
                self.replaced[v].push(s.replaced.clone());
                self.teams[v][pos].id = s.substitute.clone();
                self.teams[v][pos].name = String::new();
            }
        }
        self.head = crate::base::sha256::sha256_hex(entry.to_line().as_bytes());
        self.entries.push(entry);
        Ok(())
    }

    /// The rules every result (or correction) meets; its inspection.
    fn check_result(&self, r: &Inspected) -> Result<usize, Refusal> {
        let d = self.drawn;
        let Some(i) = d.find(&r.task, &r.uscc) else {
            let tasks = d.tasks_of(&r.uscc);
            return Err(if tasks.is_empty() {
                refuse("uscc", format!("{} was not drawn in this bundle", r.uscc))
            } else {
                let ids: Vec<&str> = tasks.iter().map(|&t| d.tasks[t].id.as_str()).collect();
                refuse(
                    "task",
                    format!(
                        "{} was not drawn by task {:?}; it was by {}",
                        r.uscc,
                        r.task,
                        ids.join(", ")
                    ),
                )
            });
        };
        let x = &d.inspections[i];
        let visit = &d.visits[x.visit];
        let on: NaiveDate = parse_date(&r.inspected_on)
            .ok_or_else(|| refuse("inspected_on", format!("{:?} is not a date", r.inspected_on)))?;
        if on < visit.start || on > visit.end {
            return Err(refuse(
                "inspected_on",
                format!("{on} is outside the visit's window {} to {}", visit.start, visit.end),
            ));
        }
        let mut seen: Vec<&str> = Vec::new();
        for id in &r.inspectors {
            if seen.contains(&id.as_str()) {
                return Err(refuse("inspector_ids", format!("{id} is listed twice")));
            }
            seen.push(id);
        }
        if seen.len() < 2 {
            return Err(refuse(
                "inspector_ids",
                "an inspection needs at least two officers (行政处罚法 Art. 42); list their ids, separated by ;",
            ));
        }
        let team = &self.teams[x.visit];
        // A team read from public files may lack its officers' ids (they
        // are withheld): then no officer is checked against it.
        if !team.is_empty()
            && team.iter().all(|m| !m.id.is_empty())
            && let Some(id) = seen.iter().find(|id| !team.iter().any(|m| m.id == **id))
        {
            let ids: Vec<&str> = team.iter().map(|m| m.id.as_str()).collect();
            return Err(refuse(
                "inspector_ids",
                format!(
                    "{id} is not on the visit's team ({}); an officer who cannot go is replaced with spotcheck results substitute",
                    ids.join(";")
                ),
            ));
        }
        if Outcome::parse(&r.result).is_none_or(|o| o.name() != r.result) {
            return Err(refuse(
                "result",
                format!("{:?} is not a result category's name", r.result),
            ));
        }
        let items = &d.tasks[x.task].items;
        let mut listed: Vec<&str> = Vec::new();
        for item in &r.items {
            if !items.contains(&item.item) {
                return Err(refuse_item(
                    "item",
                    &item.item,
                    format!("{} is not an item of task {} ({})", item.item, r.task, items.join(", ")),
                ));
            }
            if listed.contains(&item.item.as_str()) {
                return Err(refuse_item(
                    "item",
                    &item.item,
                    format!("item {} is given twice", item.item),
                ));
            }
            listed.push(&item.item);
            let canonical = |f: fn(&str) -> Option<String>, s: &str| f(s).is_some_and(|c| c == s);
            if item.checked && (!canonical(parse_measure, &item.measure) || !canonical(parse_methods, &item.method)) {
                return Err(refuse_item(
                    "measure",
                    &item.item,
                    format!("item {}: unknown measure or method", item.item),
                ));
            }
            let has_outcome = !item.method.is_empty() || !item.problem.is_empty() || !item.measure.is_empty();
            if !item.checked && has_outcome {
                return Err(refuse_item(
                    "checked",
                    &item.item,
                    format!("item {} was not checked, yet has an outcome", item.item),
                ));
            }
        }
        if let Some(missing) = items.iter().find(|i| !listed.contains(&i.as_str())) {
            return Err(refuse(
                "item",
                format!(
                    "item {missing} of task {} is missing: say whether it was checked",
                    r.task
                ),
            ));
        }
        Ok(i)
    }
}
