//! The second random: an inspection team for every target, drawn from
//! the inspector directory under the legal rules.
//!
//! Targets are staffed in ascending order of their tickets (across all
//! strata). For a target with credit code U the team seed is
//! `S ‖ ":team:" ‖ U`; every inspector gets the consistent-sampler ticket
//! of his or her id under that seed, and each slot takes the first
//! inspector, in ticket order, who passes every [`Rule`].

use crate::draw::targets::TargetDraw;
use crate::draw::ticket::{IdBlock, SeedHash, TicketKey};
use crate::inputs::directory::Directory;
use crate::inputs::history::History;
use crate::inputs::inspectors::{Conflicts, InspectorDirectory, TeamRules};
use crate::inputs::plan::Task;
use crate::inputs::uscc::Uscc;
use chrono::NaiveDate;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::fmt::Write;

/// The team seed of a target: `S ‖ ":team:" ‖ uscc`.
pub fn team_seed(seed: &str, uscc: &str) -> String {
    format!("{seed}:team:{uscc}")
}

/// The rules an inspector must pass to fill a slot, in the order they
/// are checked (a shortfall report counts each inspector under the
/// first rule he or she fails).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rule {
    /// In the slot's department.
    Department,
    /// Active (在岗).
    Active,
    /// Enforcement certificate valid through the task's last day.
    Certificate,
    /// Holds every required specialty.
    Specialty,
    /// No recusal entry with the firm.
    Conflict,
    /// Not of the firm's supervising area (所所交叉).
    CrossArea,
    /// Not among the firm's last inspectors (rotation).
    LastInspector,
    /// Below the plan's `max_assignments`.
    Workload,
    /// Not already on this team.
    AlreadyOnTeam,
}

impl Rule {
    /// Every rule, in checking order.
    pub const ALL: [Rule; 9] = [
        Rule::Department,
        Rule::Active,
        Rule::Certificate,
        Rule::Specialty,
        Rule::Conflict,
        Rule::CrossArea,
        Rule::LastInspector,
        Rule::Workload,
        Rule::AlreadyOnTeam,
    ];

    /// A short description for reports.
    pub fn describe(self) -> &'static str {
        match self {
            Rule::Department => "in another department",
            Rule::Active => "not active (在岗)",
            Rule::Certificate => "certificate expires before the task ends",
            Rule::Specialty => "lacks a required specialty",
            Rule::Conflict => "recused (回避) from this firm",
            Rule::CrossArea => "from the firm's own patrol area (所所交叉)",
            Rule::LastInspector => "inspected this firm last time",
            Rule::Workload => "already at max_assignments",
            Rule::AlreadyOnTeam => "already on this team",
        }
    }
}

/// One officer on one target's team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// Index into [`TargetDraw::targets`].
    pub target: usize,
    /// 1-based slot within the team.
    pub slot: u32,
    pub department: String,
    /// Index into the inspector directory.
    pub inspector: usize,
}

/// The teams of every target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamDraw {
    /// In target order (as in targets.csv), then slot.
    pub assignments: Vec<Assignment>,
    /// Assignments per inspector, by directory index.
    pub load: Vec<u64>,
}

/// A slot that no inspector could fill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shortfall {
    pub target: usize,
    pub slot: u32,
    pub department: String,
    /// How many inspectors each rule removed (first failing rule).
    pub removed: Vec<(Rule, u64)>,
}

/// Everything the team draw reads. For a plan's teams (`draw_teams`),
/// `rules.team` and `rules.required_specialties` say what each team needs;
/// a batch's visits carry their own ([`Job`]).
pub struct TeamInputs<'a> {
    pub rules: &'a TeamRules,
    pub firms: &'a Directory,
    pub inspectors: &'a InspectorDirectory,
    pub conflicts: Option<&'a Conflicts>,
    pub history: Option<&'a History>,
}

/// One team to staff: a plan's target (SPEC.md §4) or a batch's visit
/// (§10.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job<'a> {
    /// Index into the directory's firms.
    pub firm: usize,
    /// The team seed.
    pub seed: String,
    /// The team's departments in byte order of their names, with their
    /// slots and the specialties each of their officers needs.
    pub needs: Vec<Need<'a>>,
    /// Certificates must be valid through this day.
    pub end: NaiveDate,
}

/// One department's part of a team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Need<'a> {
    pub department: &'a str,
    pub slots: u32,
    pub specialties: Vec<&'a str>,
}

/// The teams of jobs, by job: (slot, inspector) in slot order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staffed {
    pub teams: Vec<Vec<(u32, usize)>>,
    /// Teams per inspector, by directory index.
    pub load: Vec<u64>,
}

/// What the rules ask of a target's firm, looked up once per target.
struct FirmFacts<'a> {
    uscc: Uscc,
    supervising_area: &'a str,
    /// Who inspected the firm last time.
    last_inspectors: &'a [String],
}

impl<'a> TeamInputs<'a> {
    fn facts(&self, firm: usize) -> FirmFacts<'a> {
        let f = &self.firms.firms[firm];
        FirmFacts {
            uscc: f.uscc(),
            supervising_area: self.firms.value(f.supervising_area),
            last_inspectors: self
                .history
                .and_then(|h| h.last_inspection(f.code))
                .map_or(&[], |l| &l.inspector_ids[..]),
        }
    }

    /// The first rule inspector `i` fails for a slot of `need` on a firm
    /// whose team must be certified through `end`, given loads and the
    /// team so far.
    fn first_failure(
        &self,
        i: usize,
        need: &Need,
        end: NaiveDate,
        f: &FirmFacts,
        load: &[u64],
        team: &[usize],
    ) -> Option<Rule> {
        let p = &self.inspectors.inspectors[i];
        if p.department != need.department {
            return Some(Rule::Department);
        }
        if let Some(rule) = self.static_failure(i, end, &need.specialties) {
            return Some(rule);
        }
        if self.conflicts.is_some_and(|c| c.recused(&p.id, &f.uscc)) {
            return Some(Rule::Conflict);
        }
        if self.rules.cross_area && *p.area == *f.supervising_area {
            return Some(Rule::CrossArea);
        }
        if self.rules.avoid_last_inspectors && f.last_inspectors.contains(&p.id) {
            return Some(Rule::LastInspector);
        }
        if self.rules.max_assignments.is_some_and(|cap| load[i] >= cap as u64) {
            return Some(Rule::Workload);
        }
        if team.contains(&i) {
            return Some(Rule::AlreadyOnTeam);
        }
        None
    }

    /// Rules that do not depend on the firm.
    fn static_failure(&self, i: usize, end: NaiveDate, specialties: &[&str]) -> Option<Rule> {
        let p = &self.inspectors.inspectors[i];
        if !p.active {
            return Some(Rule::Active);
        }
        if p.cert_expires < end {
            return Some(Rule::Certificate);
        }
        if !specialties.iter().all(|s| p.specialties.iter().any(|h| h == s)) {
            return Some(Rule::Specialty);
        }
        None
    }
}

/// Draws a team for every target, or reports every slot that cannot be
/// filled.
pub fn draw_teams(
    inputs: &TeamInputs,
    task: &Task,
    targets: &TargetDraw,
    seed: &str,
) -> Result<TeamDraw, Vec<Shortfall>> {
    let mut order: Vec<usize> = (0..targets.targets.len()).collect();
    order.sort_by(|&a, &b| {
        let (ta, tb) = (&targets.targets[a], &targets.targets[b]);
        ta.ticket
            .cmp(&tb.ticket)
            .then_with(|| inputs.firms.firms[ta.firm].code.cmp(&inputs.firms.firms[tb.firm].code))
    });
    let jobs: Vec<Job> = order
        .iter()
        .map(|&t| target_job(inputs, task, targets.targets[t].firm, seed))
        .collect();
    let staffed = staff(inputs, &jobs).map_err(|short| {
        short
            .into_iter()
            .map(|x| Shortfall {
                target: order[x.target],
                ..x
            })
            .collect::<Vec<_>>()
    })?;
    let mut teams: Vec<&[(u32, usize)]> = vec![&[]; targets.targets.len()];
    for (pos, &t) in order.iter().enumerate() {
        teams[t] = &staffed.teams[pos];
    }
    let mut assignments = Vec::new();
    for (t, team) in teams.into_iter().enumerate() {
        for &(slot, i) in team {
            let department = inputs.inspectors.inspectors[i].department.clone();
            assignments.push(Assignment {
                target: t,
                slot,
                department,
                inspector: i,
            });
        }
    }
    Ok(TeamDraw {
        assignments,
        load: staffed.load,
    })
}

/// Staffs jobs one after another in the order given: each slot takes the
/// inspector with the smallest ticket under the job's team seed who
/// passes every rule. A [`Shortfall`]'s `target` is the job's index.
pub fn staff(inputs: &TeamInputs, jobs: &[Job]) -> Result<Staffed, Vec<Shortfall>> {
    let n = inputs.inspectors.inspectors.len();
    // Candidates that pass the firm-independent rules, per (department,
    // specialties, last day): one pool for all of a plan's targets.
    let mut pool_of: BTreeMap<(&str, &[&str], NaiveDate), usize> = BTreeMap::new();
    let mut pools: Vec<Vec<usize>> = Vec::new();
    let job_pools: Vec<Vec<usize>> = jobs
        .iter()
        .map(|job| {
            job.needs
                .iter()
                .map(|need| {
                    *pool_of
                        .entry((need.department, &need.specialties[..], job.end))
                        .or_insert_with(|| {
                            pools.push(
                                (0..n)
                                    .filter(|&i| {
                                        inputs.inspectors.inspectors[i].department == need.department
                                            && inputs.static_failure(i, job.end, &need.specialties).is_none()
                                    })
                                    .collect(),
                            );
                            pools.len() - 1
                        })
                })
                .collect()
        })
        .collect();
    let mut load = vec![0u64; n];
    let mut teams: Vec<Vec<(u32, usize)>> = vec![Vec::new(); jobs.len()];
    let mut shortfalls = Vec::new();
    // The tickets do not depend on who was picked before, so each job's
    // best few candidates per department are ranked up front, on every
    // core; the picking below is sequential because loads are.
    let top = precompute_rankings(jobs, &job_pools, &pools, inputs);
    for (j, job) in jobs.iter().enumerate() {
        let facts = inputs.facts(job.firm);
        let mut team: Vec<usize> = Vec::new();
        let mut slot = 0u32;
        let mut short = false;
        for (d, need) in job.needs.iter().enumerate() {
            let pool = &pools[job_pools[j][d]];
            let mut ranked = std::borrow::Cow::Borrowed(&top[j][d]);
            for _ in 0..need.slots {
                slot += 1;
                let passes = |i: usize| inputs.first_failure(i, need, job.end, &facts, &load, &team).is_none();
                let mut pick = ranked.iter().copied().find(|&i| passes(i));
                if pick.is_none() && ranked.len() < pool.len() {
                    // Everyone in the short list failed: rank the whole pool.
                    ranked = std::borrow::Cow::Owned(rank(&SeedHash::new(&job.seed), pool, inputs, usize::MAX));
                    pick = ranked.iter().copied().find(|&i| passes(i));
                }
                match pick {
                    Some(i) => {
                        team.push(i);
                        teams[j].push((slot, i));
                    }
                    None => {
                        short = true;
                        let mut removed: BTreeMap<Rule, u64> = BTreeMap::new();
                        for i in 0..n {
                            if let Some(rule) = inputs.first_failure(i, need, job.end, &facts, &load, &team) {
                                *removed.entry(rule).or_default() += 1;
                            }
                        }
                        shortfalls.push(Shortfall {
                            target: j,
                            slot,
                            department: need.department.to_string(),
                            removed: removed.into_iter().collect(),
                        });
                    }
                }
            }
        }
        if short {
            teams[j].clear();
        } else {
            for &i in &team {
                load[i] += 1;
            }
        }
    }
    if !shortfalls.is_empty() {
        return Err(shortfalls);
    }
    Ok(Staffed { teams, load })
}

/// The substitute for slot `slot` of a staffed job (SPEC.md §11.5): in
/// the job's ranking of the whole directory (ascending ticket under its
/// team seed), the first inspector who is not `unable` and passes every
/// rule for the slot's department, with `team` the team now and `load`
/// the visits each inspector has now. Returns the inspector and his or
/// her place in the ranking (from 1); or, when no one passes, how many
/// each rule removed.
pub fn substitute(
    inputs: &TeamInputs,
    job: &Job,
    slot: u32,
    team: &[usize],
    load: &[u64],
    unable: &[usize],
) -> Result<(usize, u64), String> {
    let mut first = 0u32;
    let need = job
        .needs
        .iter()
        .find(|n| {
            first += n.slots;
            slot <= first
        })
        .ok_or_else(|| format!("the team has no slot {slot}"))?;
    let all: Vec<usize> = (0..inputs.inspectors.inspectors.len()).collect();
    let facts = inputs.facts(job.firm);
    let mut removed: BTreeMap<Rule, u64> = BTreeMap::new();
    let mut unavailable = 0u64;
    for (place, i) in rank(&SeedHash::new(&job.seed), &all, inputs, usize::MAX)
        .into_iter()
        .enumerate()
    {
        if unable.contains(&i) {
            unavailable += 1;
            continue;
        }
        match inputs.first_failure(i, need, job.end, &facts, load, team) {
            None => return Ok((i, place as u64 + 1)),
            Some(rule) => *removed.entry(rule).or_default() += 1,
        }
    }
    let mut why: Vec<String> = removed
        .into_iter()
        .map(|(rule, n)| format!("{n} {}", rule.describe()))
        .collect();
    why.push(format!("{unavailable} replaced before"));
    Err(format!(
        "no inspector of {} can take slot {slot}: {}",
        need.department,
        why.join(", ")
    ))
}

/// The job of a plan's target on firm `firm` (SPEC.md §4): the plan's
/// team, every officer with the required specialties, certified through
/// the task's end.
pub fn target_job<'a>(inputs: &TeamInputs<'a>, task: &Task, firm: usize, seed: &str) -> Job<'a> {
    let specialties: Vec<&str> = inputs.rules.required_specialties.iter().map(String::as_str).collect();
    Job {
        firm,
        seed: team_seed(seed, &inputs.firms.firms[firm].uscc()),
        needs: inputs
            .rules
            .team
            .iter()
            .map(|(d, c)| Need {
                department: d,
                slots: *c,
                specialties: specialties.clone(),
            })
            .collect(),
        end: task.end,
    }
}

/// How many of a target's best-ranked candidates are kept per department
/// before picking; when all of them fail the rules, the whole pool is
/// ranked. The result is the same either way.
const SHORT_LIST: usize = 16;

/// The `limit` lowest-ticket members of `pool`, in ticket order.
fn rank(seed: &SeedHash, pool: &[usize], inputs: &TeamInputs, limit: usize) -> Vec<usize> {
    let mut keyed: Vec<(TicketKey, usize)> = pool
        .iter()
        .map(|&i| (seed.key(&inputs.inspectors.inspectors[i].id), i))
        .collect();
    if limit < keyed.len() {
        keyed.select_nth_unstable(limit - 1);
        keyed.truncate(limit);
    }
    keyed.sort_unstable();
    keyed.iter().map(|&(_, i)| i).collect()
}

/// The `cap` lowest ticket prefixes offered ([`SeedHash::prefix`]), in
/// order. Prefixes order as their tickets unless two are equal, so the
/// list is exact unless two offered prefixes that could be on it were
/// equal; then it knows it is not.
struct ShortList {
    cap: usize,
    /// (prefix, inspector), ascending.
    entries: Vec<(u32, usize)>,
    tied: bool,
}

impl ShortList {
    fn new(cap: usize) -> ShortList {
        ShortList {
            cap,
            entries: Vec::with_capacity(cap + 1),
            tied: false,
        }
    }

    /// No prefix above this can join the list.
    fn bound(&self) -> u32 {
        match self.entries.last() {
            Some(&(last, _)) if self.entries.len() == self.cap => last,
            _ => u32::MAX,
        }
    }

    fn offer(&mut self, prefix: u32, i: usize) {
        if prefix > self.bound() {
            return;
        }
        let at = self.entries.partition_point(|e| e.0 < prefix);
        // An equal prefix on the list is at `at`. One that has left it
        // had a prefix at or above the list's last, so an equal prefix
        // that could still matter meets its equal or the last here.
        if self.entries.get(at).is_some_and(|e| e.0 == prefix) {
            self.tied = true;
        }
        self.entries.insert(at, (prefix, i));
        self.entries.truncate(self.cap);
    }

    /// The inspectors in ticket order, unless prefixes tied.
    fn members(self) -> Option<Vec<usize>> {
        (!self.tied).then(|| self.entries.iter().map(|&(_, i)| i).collect())
    }
}

/// A department's pool, with each member's id prepared for hashing under
/// every target's seed; `None` when an id is too long for that.
struct Pool<'a> {
    members: &'a [usize],
    blocks: Option<Vec<IdBlock>>,
}

/// For each job and department, its short list: the same as [`rank`]
/// with [`SHORT_LIST`], but for each inspector one hash compression and
/// no full ticket.
fn precompute_rankings(
    jobs: &[Job],
    job_pools: &[Vec<usize>],
    pools: &[Vec<usize>],
    inputs: &TeamInputs,
) -> Vec<Vec<Vec<usize>>> {
    let pools: Vec<Pool> = pools
        .iter()
        .map(|members| {
            let blocks = members
                .iter()
                .map(|&i| IdBlock::new(&inputs.inspectors.inspectors[i].id))
                .collect();
            Pool { members, blocks }
        })
        .collect();
    let short_list = |seed: &SeedHash, pool: &Pool| {
        if let Some(blocks) = &pool.blocks {
            let mut list = ShortList::new(SHORT_LIST);
            let (members, blocks) = (pool.members.chunks_exact(4), blocks.chunks_exact(4));
            let rest = members.remainder().iter().zip(blocks.remainder());
            for (four, blocks) in members.zip(blocks) {
                let prefixes = seed.prefixes_up_to(std::array::from_fn(|n| &blocks[n]), list.bound());
                for (&i, prefix) in four.iter().zip(prefixes) {
                    if let Some(prefix) = prefix {
                        list.offer(prefix, i);
                    }
                }
            }
            for (&i, block) in rest {
                list.offer(seed.prefix(block), i);
            }
            if let Some(members) = list.members() {
                return members;
            }
        }
        rank(seed, pool.members, inputs, SHORT_LIST)
    };
    jobs.par_iter()
        .zip(job_pools)
        .map(|(job, pools_of_job)| {
            let seed = SeedHash::new(&job.seed);
            pools_of_job.iter().map(|&p| short_list(&seed, &pools[p])).collect()
        })
        .collect()
}

/// A report of the slots that could not be filled and what would help.
pub fn shortfall_report(inputs: &TeamInputs, task: &Task, targets: &TargetDraw, shortfalls: &[Shortfall]) -> String {
    let mut s = String::new();
    let targets_short: std::collections::BTreeSet<usize> = shortfalls.iter().map(|x| x.target).collect();
    let _ = writeln!(
        s,
        "cannot staff {} of {} targets with teams of {} (nothing was written)",
        targets_short.len(),
        targets.targets.len(),
        inputs.rules.team_size()
    );
    let slot = |x: &Shortfall| {
        let i = targets.targets[x.target].firm;
        let f = &inputs.firms.firms[i];
        format!(
            "{} {} ({}), slot {} ({})",
            f.uscc(),
            inputs.firms.details(i).name,
            inputs.firms.value(f.supervising_area),
            x.slot,
            x.department
        )
    };
    let remedies = Remedies {
        cap: inputs.rules.max_assignments.map(|cap| format!("now {cap}")),
        certificate: format!("expire before {}", task.end),
        specialty: inputs.rules.required_specialties.join(", "),
    };
    shortfall_body(&mut s, shortfalls, slot, &remedies);
    s
}

/// What a shortfall report suggests, in the words of its draw.
pub struct Remedies {
    /// The workload cap, as the report says it ("now 25").
    pub cap: Option<String>,
    /// Which certificates need renewing ("expire before 2025-11-30").
    pub certificate: String,
    /// The specialties to train inspectors in.
    pub specialty: String,
}

/// The body of a shortfall report: the first 20 unfilled slots, each
/// with how many inspectors each rule removed, then what would fix it.
pub fn shortfall_body(
    s: &mut String,
    shortfalls: &[Shortfall],
    slot: impl Fn(&Shortfall) -> String,
    remedies: &Remedies,
) {
    let mut totals: BTreeMap<Rule, u64> = BTreeMap::new();
    let mut depts: BTreeMap<&str, u64> = BTreeMap::new();
    for (shown, x) in shortfalls.iter().enumerate() {
        for (rule, c) in &x.removed {
            *totals.entry(*rule).or_default() += c;
        }
        *depts.entry(x.department.as_str()).or_default() += 1;
        if shown < 20 {
            let _ = writeln!(s, "  {}:", slot(x));
            for (rule, c) in &x.removed {
                if *rule != Rule::Department {
                    let _ = writeln!(s, "      {c:>4} removed: {}", rule.describe());
                }
            }
        }
    }
    if shortfalls.len() > 20 {
        let _ = writeln!(s, "  … and {} more slots", shortfalls.len() - 20);
    }
    let _ = writeln!(s, "what would fix it:");
    for (dept, c) in &depts {
        let _ = writeln!(s, "  - add eligible inspectors to {dept} ({c} slots unfilled)");
    }
    if let (Some(cap), true) = (&remedies.cap, totals.contains_key(&Rule::Workload)) {
        let _ = writeln!(s, "  - raise inspectors.max_assignments ({cap})");
    }
    if totals.contains_key(&Rule::Certificate) {
        let _ = writeln!(s, "  - renew enforcement certificates that {}", remedies.certificate);
    }
    if totals.contains_key(&Rule::Specialty) {
        let _ = writeln!(s, "  - train inspectors in {}", remedies.specialty);
    }
    if totals.contains_key(&Rule::CrossArea) {
        let _ = writeln!(s, "  - bring in inspectors from other patrol areas");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::draw::targets::draw_targets;
    use crate::inputs::plan::Plan;
    use crate::inputs::table::{RawFile, TextEncoding};
    use std::path::Path;

    #[test]
    fn short_list_is_the_lowest_tickets_in_order() {
        let ids: Vec<String> = (0..400).map(|i| format!("QDN-SJ-{i:04}")).collect();
        for seed in ["a", "b", "20250301-QDN:team:91640121750822310D"] {
            let seed = SeedHash::new(seed);
            let mut list = ShortList::new(SHORT_LIST);
            for (i, id) in ids.iter().enumerate() {
                list.offer(seed.prefix(&IdBlock::new(id).unwrap()), i);
            }
            let mut all: Vec<usize> = (0..ids.len()).collect();
            all.sort_by_key(|&i| seed.key(&ids[i]));
            assert_eq!(list.members().unwrap(), all[..SHORT_LIST]);
        }
    }

    #[test]
    fn short_list_knows_when_prefixes_tie() {
        let list = |offers: &[u32]| {
            let mut l = ShortList::new(3);
            for (i, &p) in offers.iter().enumerate() {
                l.offer(p, i);
            }
            l.members()
        };
        assert_eq!(list(&[50, 10, 40, 30, 20]), Some(vec![1, 4, 3]));
        // Equal prefixes on the list, at its end, or meeting a member that
        // later leaves it: the order needs the full tickets.
        assert_eq!(list(&[5, 5, 9]), None);
        assert_eq!(list(&[1, 2, 3, 3]), None);
        assert_eq!(list(&[9, 1, 9, 2, 3]), None);
        // Equal prefixes above the list do not matter.
        assert_eq!(list(&[1, 2, 3, 7, 7]), Some(vec![0, 1, 2]));
        assert_eq!(list(&[7, 1, 2, 3, 7]), Some(vec![1, 2, 3]));
    }

    const SEED: &str = "20250301-QDN";
    const FIRM: &str = "91640121750822310D";

    /// One firm; four market-regulation officers and one tax officer. Under
    /// SEED the firm's team seed ranks SJ-0001, SJ-0002, SW-0001, SJ-0003
    /// (SPEC.md §4), so with no rule in the way the team is SJ-0001 and
    /// SJ-0002 (SJ-0004 ranks between SJ-0002 and SJ-0003).
    struct World {
        plan_extra: String,
        inspector_rows: Vec<String>,
        conflicts: Option<String>,
        history: Option<String>,
        firms: Vec<String>,
    }

    fn officer(id: &str, dept: &str, area: &str, expires: &str, specialties: &str, status: &str) -> String {
        format!("{id},name-{id},{dept},{area},C-{id},{expires},{specialties},{status}")
    }

    impl World {
        fn new() -> World {
            let ok = |id: &str, dept: &str| officer(id, dept, "其他所", "2030-01-01", "企业公示信息", "在岗");
            World {
                plan_extra: String::new(),
                inspector_rows: vec![
                    ok("QDN-SJ-0001", "市场监管局"),
                    ok("QDN-SJ-0002", "市场监管局"),
                    ok("QDN-SJ-0003", "市场监管局"),
                    ok("QDN-SJ-0004", "市场监管局"),
                    ok("QDN-SW-0001", "税务局"),
                ],
                conflicts: None,
                history: None,
                firms: vec![format!("{FIRM},甲公司,B,凯里市,制造业,存续,凯里市城区所")],
            }
        }

        fn team(&self) -> Result<Vec<String>, Vec<Shortfall>> {
            self.team_with_seed(SEED)
        }

        fn team_with_seed(&self, seed: &str) -> Result<Vec<String>, Vec<Shortfall>> {
            let plan_text = format!(
                "[task]\nid = \"T\"\nname = \"n\"\ndepartment = \"d\"\nstart = 2025-03-01\nend = 2025-11-30\n\
                 [frame]\nenterprises = \"e.csv\"\n[targets]\nratio = \"100%\"\n\
                 [inspectors]\ndirectory = \"i.csv\"\nteam = {{ \"市场监管局\" = 2 }}\n\
                 required_specialties = [\"企业公示信息\"]\n{}",
                self.plan_extra
            );
            let plan = Plan::parse("p.toml", &plan_text, Path::new(".")).unwrap();
            let firms = crate::inputs::directory::Directory::parse(
                RawFile::from_bytes(
                    "e.csv".into(),
                    format!(
                        "uscc,name,credit_class,county,industry,status,supervising_area\n{}\n",
                        self.firms.join("\n")
                    )
                    .into_bytes(),
                ),
                TextEncoding::Auto,
                &plan.targets.classes,
            )
            .unwrap();
            let text = format!(
                "inspector_id,name,department,area,cert_no,cert_expires,specialties,status\n{}\n",
                self.inspector_rows.join("\n")
            );
            let inspectors = InspectorDirectory::parse(
                RawFile::from_bytes("i.csv".into(), text.into_bytes()),
                TextEncoding::Auto,
            )
            .unwrap();
            let conflicts = self.conflicts.as_ref().map(|c| {
                Conflicts::parse(
                    RawFile::from_bytes("c.csv".into(), format!("inspector_id,uscc,reason\n{c}\n").into_bytes()),
                    TextEncoding::Auto,
                    &inspectors,
                    &firms,
                )
                .unwrap()
            });
            let history = self.history.as_ref().map(|h| {
                History::parse(
                    RawFile::from_bytes(
                        "h.csv".into(),
                        format!("uscc,inspected_on,inspector_ids\n{h}\n").into_bytes(),
                    ),
                    TextEncoding::Auto,
                )
                .unwrap()
            });
            let targets = draw_targets(&plan, &firms, history.as_ref(), seed);
            let rules = plan.inspectors.as_ref().unwrap();
            let inputs = TeamInputs {
                rules,
                firms: &firms,
                inspectors: &inspectors,
                conflicts: conflicts.as_ref(),
                history: history.as_ref(),
            };
            let teams = draw_teams(&inputs, &plan.task, &targets, seed)?;
            Ok(teams
                .assignments
                .iter()
                .map(|a| inspectors.inspectors[a.inspector].id.clone())
                .collect())
        }
    }

    fn first_fails(edit: impl FnOnce(&mut World)) -> Vec<String> {
        let mut w = World::new();
        edit(&mut w);
        let team = w.team().unwrap();
        assert!(!team.contains(&"QDN-SJ-0001".to_string()), "{team:?}");
        assert_eq!(team, ["QDN-SJ-0002", "QDN-SJ-0004"]);
        team
    }

    #[test]
    fn with_no_rule_in_the_way_the_lowest_tickets_win() {
        assert_eq!(World::new().team().unwrap(), ["QDN-SJ-0001", "QDN-SJ-0002"]);
    }

    #[test]
    fn rule_department() {
        first_fails(|w| {
            w.inspector_rows[0] = officer("QDN-SJ-0001", "税务局", "其他所", "2030-01-01", "企业公示信息", "在岗")
        });
    }

    #[test]
    fn rule_active() {
        first_fails(|w| {
            w.inspector_rows[0] = officer(
                "QDN-SJ-0001",
                "市场监管局",
                "其他所",
                "2030-01-01",
                "企业公示信息",
                "退休",
            )
        });
    }

    #[test]
    fn rule_certificate_valid_through_the_window() {
        // Expires the day before the task ends.
        first_fails(|w| {
            w.inspector_rows[0] = officer(
                "QDN-SJ-0001",
                "市场监管局",
                "其他所",
                "2025-11-29",
                "企业公示信息",
                "在岗",
            )
        });
        let mut w = World::new();
        w.inspector_rows[0] = officer(
            "QDN-SJ-0001",
            "市场监管局",
            "其他所",
            "2025-11-30",
            "企业公示信息",
            "在岗",
        );
        assert_eq!(w.team().unwrap()[0], "QDN-SJ-0001", "valid on the last day is enough");
    }

    #[test]
    fn rule_specialty() {
        first_fails(|w| {
            w.inspector_rows[0] = officer("QDN-SJ-0001", "市场监管局", "其他所", "2030-01-01", "食品安全", "在岗")
        });
    }

    #[test]
    fn rule_conflict() {
        first_fails(|w| w.conflicts = Some(format!("QDN-SJ-0001,{FIRM},亲属关系")));
    }

    #[test]
    fn rule_cross_area() {
        let own_area = |w: &mut World| {
            w.inspector_rows[0] = officer(
                "QDN-SJ-0001",
                "市场监管局",
                "凯里市城区所",
                "2030-01-01",
                "企业公示信息",
                "在岗",
            )
        };
        first_fails(own_area);
        let mut w = World::new();
        own_area(&mut w);
        w.plan_extra = "cross_area = false\n".into();
        assert_eq!(w.team().unwrap()[0], "QDN-SJ-0001");
    }

    #[test]
    fn rule_last_inspectors() {
        let last = |w: &mut World| w.history = Some(format!("{FIRM},2020-05-01,QDN-SJ-0001;QDN-SJ-0009"));
        first_fails(last);
        let mut w = World::new();
        last(&mut w);
        w.plan_extra = "avoid_last_inspectors = false\n".into();
        assert_eq!(w.team().unwrap()[0], "QDN-SJ-0001");
    }

    /// When no cap binds, every eligible officer has the same chance of
    /// being on a target's team: over 2,000 fixed seeds, ten officers'
    /// counts pass a chi-square test of uniformity (9 degrees of freedom;
    /// 27.88 is the 0.1% critical value). The seeds are fixed, so the test
    /// gives the same answer every run.
    #[test]
    fn officers_are_drawn_uniformly() {
        let mut w = World::new();
        w.inspector_rows = (1..=10)
            .map(|i| {
                officer(
                    &format!("QDN-SJ-{i:04}"),
                    "市场监管局",
                    "其他所",
                    "2030-01-01",
                    "企业公示信息",
                    "在岗",
                )
            })
            .collect();
        let runs = 2000;
        let mut counts = BTreeMap::new();
        for r in 0..runs {
            for id in w.team_with_seed(&format!("fairness-{r}")).unwrap() {
                *counts.entry(id).or_insert(0u64) += 1;
            }
        }
        assert_eq!(counts.len(), 10);
        let expected = (runs * 2) as f64 / 10.0;
        let chi2: f64 = counts.values().map(|&c| (c as f64 - expected).powi(2) / expected).sum();
        assert!(chi2 < 27.88, "chi-square {chi2:.2} over counts {counts:?}");
        // And the test can fail: a biased picker (always the lowest id)
        // would give a chi-square far above the bound.
        let biased: f64 = (0..10)
            .map(|i| {
                if i < 2 {
                    (runs as f64 - expected).powi(2)
                } else {
                    expected.powi(2)
                }
            })
            .sum::<f64>()
            / expected;
        assert!(biased > 27.88);
    }

    #[test]
    fn rule_workload() {
        let mut w = World::new();
        for code in ["91640221MA75XXUL75", "9164022122816188X8", "91350100M000100Y43"] {
            w.firms.push(format!("{code},乙公司,B,凯里市,制造业,存续,凯里市城区所"));
        }
        // Four firms need eight places; four officers with a cap of one
        // can fill two teams only.
        w.plan_extra = "max_assignments = 1\n".into();
        let short = w.team().unwrap_err();
        assert!(
            short.iter().any(|s| s.removed.contains(&(Rule::Workload, 4))),
            "{short:?}"
        );
        w.plan_extra = "max_assignments = 2\n".into();
        let team = w.team().unwrap();
        assert_eq!(team.len(), 8);
        for id in ["QDN-SJ-0001", "QDN-SJ-0002", "QDN-SJ-0003", "QDN-SJ-0004"] {
            assert_eq!(team.iter().filter(|t| *t == id).count(), 2, "{team:?}");
        }
    }

    #[test]
    fn rule_already_on_team_and_shortfall_report() {
        // Only one officer can serve: the second slot cannot be filled.
        let mut w = World::new();
        w.inspector_rows.truncate(1);
        w.inspector_rows.push(officer(
            "QDN-SW-0001",
            "税务局",
            "其他所",
            "2030-01-01",
            "企业公示信息",
            "在岗",
        ));
        let short = w.team().unwrap_err();
        assert_eq!(short.len(), 1);
        assert_eq!(short[0].slot, 2);
        assert!(
            short[0].removed.contains(&(Rule::AlreadyOnTeam, 1)),
            "{:?}",
            short[0].removed
        );
        assert!(
            short[0].removed.contains(&(Rule::Department, 1)),
            "{:?}",
            short[0].removed
        );
    }
}
