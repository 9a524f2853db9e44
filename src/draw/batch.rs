//! A batch's draw (SPEC.md §10): each task's targets under its task seed,
//! the visits that merge a firm's overlapping tasks, and one team per
//! visit. A pure function of the batch's inputs and the seed.

use crate::draw::targets::{Eligibility, Excluded, Exclusion, TargetDraw, draw_among};
use crate::draw::teams::{Job, Need, Remedies, Shortfall, Staffed, TeamInputs, shortfall_body, staff};
use crate::draw::ticket::SeedHash;
use crate::inputs::directory::{Directory, Status, Value};
use crate::inputs::read_batch::BatchInputs;
use chrono::NaiveDate;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

/// The task seed: `S ‖ ":task:" ‖ task id` (SPEC.md §10.3).
pub fn task_seed(seed: &str, task_id: &str) -> String {
    format!("{seed}:task:{task_id}")
}

/// The seed that orders visits for staffing: `S ‖ ":visits"` (§10.5).
pub fn visits_seed(seed: &str) -> String {
    format!("{seed}:visits")
}

/// One firm's visit for one or more tasks (SPEC.md §10.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visit {
    /// `uscc ‖ ":" ‖ first task id`.
    pub id: String,
    /// Index into the directory's firms.
    pub firm: usize,
    /// The visit's tasks, as indices in batch order (ascending).
    pub tasks: Vec<usize>,
    /// The window every task of the visit allows.
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// Everything a batch draws.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchDraw {
    /// Per task in batch order: its seed and its targets.
    pub tasks: Vec<(String, TargetDraw)>,
    /// Visits in byte order of their ids.
    pub visits: Vec<Visit>,
    /// The teams, by visit (as `visits`), when the batch has inspectors.
    pub teams: Option<Staffed>,
}

/// Draws a whole batch, or reports the slots that cannot be filled.
pub fn draw_batch(inputs: &BatchInputs, seed: &str) -> Result<BatchDraw, String> {
    let tasks = draw_tasks(inputs, seed);
    let visits = merge_visits(inputs, &tasks);
    let teams = match staffing(inputs) {
        None => None,
        Some(team_inputs) => {
            let (order, jobs) = visit_jobs(inputs, &visits, seed);
            match staff(&team_inputs, &jobs) {
                Ok(staffed) => {
                    let mut teams = vec![Vec::new(); visits.len()];
                    for (pos, team) in staffed.teams.into_iter().enumerate() {
                        teams[order[pos]] = team;
                    }
                    Some(Staffed {
                        teams,
                        load: staffed.load,
                    })
                }
                Err(short) => {
                    return Err(shortfall_report(inputs, &team_inputs, &visits, &order, &short));
                }
            }
        }
    };
    Ok(BatchDraw { tasks, visits, teams })
}

/// Each task's N per stratum, as a commitment records them: the draw
/// without `visit-cap` exclusions (SPEC.md §10.6).
pub fn tasks_strata_n(inputs: &BatchInputs) -> Vec<(String, Vec<u64>)> {
    let cells = Cells::of(&inputs.enterprises);
    (0..inputs.plan.tasks.len())
        .into_par_iter()
        .map(|i| {
            let draw = draw_task(inputs, &cells, i, "N", None);
            (
                inputs.plan.tasks[i].task.id.clone(),
                draw.strata.iter().map(|s| s.n).collect(),
            )
        })
        .collect()
}

/// The team draw's view of the batch's inputs, when it has inspectors.
pub fn staffing(inputs: &BatchInputs) -> Option<TeamInputs<'_>> {
    Some(TeamInputs {
        rules: inputs.plan.inspectors.as_ref()?,
        firms: &inputs.enterprises,
        inspectors: inputs.inspectors.as_ref()?,
        conflicts: inputs.conflicts.as_ref(),
        history: inputs.history.as_ref(),
    })
}

/// The active firms of the directory by (county, industry), so that a
/// task directed to a county reads only that county's firms.
struct Cells<'a> {
    directory: &'a Directory,
    /// Active firms by (county, industry), each list in directory order.
    cells: BTreeMap<(Value, Value), Vec<u32>>,
    /// Firms that are not active, by reason.
    inactive: Excluded,
    active: u64,
}

impl<'a> Cells<'a> {
    fn of(directory: &'a Directory) -> Cells<'a> {
        let mut cells: BTreeMap<(Value, Value), Vec<u32>> = BTreeMap::new();
        let mut inactive = Excluded::default();
        let mut active = 0;
        for (i, f) in directory.firms.iter().enumerate() {
            match f.status() {
                Status::Inactive(reason) => inactive.count(Exclusion::Inactive(reason)),
                _ => {
                    active += 1;
                    let index = u32::try_from(i).expect("fewer than 2^32 firms");
                    cells.entry((f.county, f.industry)).or_default().push(index);
                }
            }
        }
        Cells {
            directory,
            cells,
            inactive,
            active,
        }
    }

    /// Whether a value's text is among `names` (or there are no names).
    fn wanted(&self, names: &Option<Vec<String>>, v: Value) -> bool {
        names
            .as_ref()
            .is_none_or(|names| names.iter().any(|n| n == self.directory.value(v)))
    }
}

/// How many visits each firm has so far and the end of its current
/// visit's window, while tasks are drawn in batch order under
/// `max_visits_per_firm`.
struct VisitCount {
    cap: u32,
    firms: Vec<(u32, Option<NaiveDate>)>,
}

impl VisitCount {
    /// Whether a firm would need a visit beyond the cap for a task that
    /// starts on `start`.
    fn capped(&self, firm: usize, start: NaiveDate) -> bool {
        let (visits, open_end) = self.firms[firm];
        visits >= self.cap && open_end.is_none_or(|end| start > end)
    }

    /// Counts the visits that a task's targets join or open (§10.4).
    fn add(&mut self, draw: &TargetDraw, start: NaiveDate, end: NaiveDate) {
        for t in &draw.targets {
            let (visits, open_end) = &mut self.firms[t.firm];
            match open_end {
                Some(e) if start <= *e => *e = (*e).min(end),
                _ => {
                    *visits += 1;
                    *open_end = Some(end);
                }
            }
        }
    }
}

/// Every task's targets, in batch order.
fn draw_tasks(inputs: &BatchInputs, seed: &str) -> Vec<(String, TargetDraw)> {
    let cells = Cells::of(&inputs.enterprises);
    let n = inputs.plan.tasks.len();
    let seeds: Vec<String> = inputs.plan.tasks.iter().map(|t| task_seed(seed, &t.task.id)).collect();
    let draws: Vec<TargetDraw> = match inputs.plan.batch.max_visits_per_firm {
        None => (0..n)
            .into_par_iter()
            .map(|i| draw_task(inputs, &cells, i, &seeds[i], None))
            .collect(),
        Some(cap) => {
            let mut count = VisitCount {
                cap,
                firms: vec![(0, None); inputs.enterprises.firms.len()],
            };
            let mut draws = Vec::with_capacity(n);
            for (i, s) in seeds.iter().enumerate() {
                let draw = draw_task(inputs, &cells, i, s, Some(&count));
                let task = &inputs.plan.tasks[i].task;
                count.add(&draw, task.start, task.end);
                draws.push(draw);
            }
            draws
        }
    };
    seeds.into_iter().zip(draws).collect()
}

/// Task `i`'s targets under `seed`: SPEC.md §3 over the task's counties
/// and industries, with the batch's additions (§10.3).
fn draw_task(inputs: &BatchInputs, cells: &Cells, i: usize, seed: &str, count: Option<&VisitCount>) -> TargetDraw {
    let plan = inputs.plan.task_plan(i, inputs.general_only(i));
    let t = &plan.targets;
    let directory = &inputs.enterprises;
    let mut excluded = cells.inactive.clone();
    let mut in_counties = 0u64;
    let mut eligible = Vec::new();
    let rules = Eligibility::new(&plan, directory, inputs.history.as_ref());
    for (&(county, industry), firms) in &cells.cells {
        if !cells.wanted(&t.counties, county) {
            continue;
        }
        in_counties += firms.len() as u64;
        if !cells.wanted(&t.industries, industry) {
            continue;
        }
        for &f in firms {
            let firm = &directory.firms[f as usize];
            let reason = rules.recently_inspected(firm).or_else(|| {
                count
                    .is_some_and(|c| c.capped(f as usize, plan.task.start))
                    .then_some(Exclusion::VisitCap)
            });
            match reason {
                Some(e) => excluded.count(e),
                None => eligible.push(f),
            }
        }
    }
    let candidates = eligible.len() as u64 + excluded.recently_inspected + excluded.visit_cap;
    excluded.outside_counties = cells.active - in_counties;
    excluded.outside_industries = in_counties - candidates;
    draw_among(&plan, directory, eligible, excluded, seed)
}

/// The visits of every firm drawn (SPEC.md §10.4), in byte order of id.
fn merge_visits(inputs: &BatchInputs, tasks: &[(String, TargetDraw)]) -> Vec<Visit> {
    let mut drawn: Vec<(usize, usize)> = tasks
        .iter()
        .enumerate()
        .flat_map(|(i, (_, draw))| draw.targets.iter().map(move |t| (t.firm, i)))
        .collect();
    drawn.sort_unstable();
    let mut visits: Vec<Visit> = Vec::new();
    let mut open: Option<usize> = None;
    for (firm, i) in drawn {
        let task = &inputs.plan.tasks[i].task;
        match open.map(|v| &mut visits[v]) {
            Some(v) if v.firm == firm && task.start <= v.end => {
                v.tasks.push(i);
                v.start = task.start;
                v.end = v.end.min(task.end);
            }
            _ => {
                visits.push(Visit {
                    id: format!("{}:{}", inputs.enterprises.firms[firm].uscc(), task.id),
                    firm,
                    tasks: vec![i],
                    start: task.start,
                    end: task.end,
                });
                open = Some(visits.len() - 1);
            }
        }
    }
    visits.sort_by(|a, b| a.id.as_bytes().cmp(b.id.as_bytes()));
    visits
}

/// The item codes of a visit: its tasks' items, each once, in order of
/// first appearance.
pub fn visit_items<'a>(inputs: &'a BatchInputs, visit: &Visit) -> Vec<&'a str> {
    let mut items: Vec<&str> = Vec::new();
    for &i in &visit.tasks {
        for code in &inputs.plan.tasks[i].task.items {
            if !items.contains(&code.as_str()) {
                items.push(code);
            }
        }
    }
    items
}

/// A visit's team: every department its tasks' teams name, with the
/// largest count asked, in byte order; each department's officers need
/// the specialties of the visit's items of that department (§10.5).
pub fn visit_needs<'a>(inputs: &'a BatchInputs, visit: &Visit) -> Vec<Need<'a>> {
    let mut slots: BTreeMap<&str, u32> = BTreeMap::new();
    for &i in &visit.tasks {
        for (d, n) in &inputs.plan.tasks[i].team {
            let c = slots.entry(d.as_str()).or_default();
            *c = (*c).max(*n);
        }
    }
    let items = visit_items(inputs, visit);
    slots
        .into_iter()
        .map(|(department, slots)| {
            let specialties: BTreeSet<&str> = items
                .iter()
                .filter_map(|code| inputs.items.get(code))
                .filter(|item| item.department == department)
                .filter_map(|item| item.specialty.as_deref())
                .collect();
            Need {
                department,
                slots,
                specialties: specialties.into_iter().collect(),
            }
        })
        .collect()
}

/// A visit's job (§10.5): its team seed, its needs, its window's end.
pub fn visit_job<'a>(inputs: &'a BatchInputs, visit: &Visit, seed: &str) -> Job<'a> {
    Job {
        firm: visit.firm,
        seed: crate::draw::teams::team_seed(seed, &visit.id),
        needs: visit_needs(inputs, visit),
        end: visit.end,
    }
}

/// The visits in staffing order (ascending `T(S ‖ ":visits", V)`, ties by
/// `V`) as indices into `visits`, and their jobs in that order.
fn visit_jobs<'a>(inputs: &'a BatchInputs, visits: &[Visit], seed: &str) -> (Vec<usize>, Vec<Job<'a>>) {
    let order_seed = SeedHash::new(&visits_seed(seed));
    let mut keyed: Vec<_> = visits
        .par_iter()
        .enumerate()
        .map(|(v, visit)| (order_seed.key(&visit.id), v))
        .collect();
    keyed.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| visits[a.1].id.as_bytes().cmp(visits[b.1].id.as_bytes()))
    });
    let order: Vec<usize> = keyed.into_iter().map(|(_, v)| v).collect();
    let jobs = order
        .iter()
        .map(|&v| {
            let visit = &visits[v];
            visit_job(inputs, visit, seed)
        })
        .collect();
    (order, jobs)
}

/// What stopped a batch's teams: per slot, the task(s), the visit and how
/// many inspectors each rule removed; then what would help.
fn shortfall_report(
    inputs: &BatchInputs,
    team_inputs: &TeamInputs,
    visits: &[Visit],
    order: &[usize],
    shortfalls: &[Shortfall],
) -> String {
    let mut s = String::new();
    let short: BTreeSet<usize> = shortfalls.iter().map(|x| x.target).collect();
    let _ = writeln!(
        s,
        "cannot staff {} of {} visits of batch {} (nothing was written)",
        short.len(),
        visits.len(),
        inputs.plan.batch.id
    );
    let slot = |x: &Shortfall| {
        let visit = &visits[order[x.target]];
        let tasks: Vec<&str> = visit
            .tasks
            .iter()
            .map(|&i| inputs.plan.tasks[i].task.id.as_str())
            .collect();
        let f = &inputs.enterprises.firms[visit.firm];
        format!(
            "task {}: visit {} ({}, {}, {} – {}), slot {} ({})",
            tasks.join(", "),
            visit.id,
            inputs.enterprises.details(visit.firm).name,
            inputs.enterprises.value(f.supervising_area),
            visit.start,
            visit.end,
            x.slot,
            x.department
        )
    };
    let remedies = Remedies {
        cap: team_inputs
            .rules
            .max_assignments
            .map(|cap| format!("now {cap}, counted over the batch")),
        certificate: "expire before a visit's window ends".into(),
        specialty: "the specialties of the visit's items".into(),
    };
    shortfall_body(&mut s, shortfalls, slot, &remedies);
    s
}
