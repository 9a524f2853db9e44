//! The first random: drawing targets. A pure function of the plan, the
//! directories and the seed; `draw` and `verify` both call it.

use crate::base::fx::FxHashMap;
use crate::draw::ticket::{SeedHash, Ticket, TicketKey};
use crate::inputs::directory::{Directory, Enterprise, InactiveReason, Status};
use crate::inputs::history::History;
use crate::inputs::plan::{Plan, StratumField};
use crate::inputs::ratio::Ratio;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

/// One stratum of the eligible frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stratum {
    /// The `stratify_by` values joined with `/`, e.g. `B/凯里市`.
    pub label: String,
    /// The credit class, when strata are formed by class.
    pub class: Option<String>,
    /// The ratio that applied.
    pub ratio: Ratio,
    /// Eligible firms in the stratum.
    pub n: u64,
    /// Firms drawn.
    pub k: u64,
}

/// One drawn firm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Index into [`TargetDraw::strata`].
    pub stratum: usize,
    /// 1-based rank within the stratum.
    pub rank: u64,
    pub ticket: Ticket,
    /// Index into the directory's firms.
    pub firm: usize,
}

/// Counts of firms left out of the eligible frame, by reason. A firm is
/// counted under the first reason that applies, in this field order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Excluded {
    /// Not active, by status reason (deregistered, revoked, …).
    pub inactive: BTreeMap<&'static str, u64>,
    /// Outside the directed draw's counties.
    pub outside_counties: u64,
    /// Outside the directed draw's industries.
    pub outside_industries: u64,
    /// Inspected within the plan's exclusion window.
    pub recently_inspected: u64,
    /// In a batch, already at the batch's most visits (SPEC.md §10.3).
    pub visit_cap: u64,
}

impl Excluded {
    /// All excluded firms.
    pub fn total(&self) -> u64 {
        self.inactive.values().sum::<u64>()
            + self.outside_counties
            + self.outside_industries
            + self.recently_inspected
            + self.visit_cap
    }
}

/// The result of the first random.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetDraw {
    /// Strata in byte order of their labels.
    pub strata: Vec<Stratum>,
    /// Targets in stratum order, then rank.
    pub targets: Vec<Target>,
    pub excluded: Excluded,
    /// Firms in the eligible frame.
    pub eligible: u64,
}

/// The stratum label of a firm: its `stratify_by` values joined with `/`.
pub fn stratum_label(fields: &[StratumField], directory: &Directory, firm: &Enterprise) -> String {
    label_parts(fields, directory, firm).collect::<Vec<_>>().join("/")
}

/// The texts that [`stratum_label`] joins, in order.
pub fn label_parts<'a>(
    fields: &'a [StratumField],
    directory: &'a Directory,
    firm: &'a Enterprise,
) -> impl Iterator<Item = &'a str> + Clone {
    fields.iter().map(|f| directory.value(f.value_of(firm)))
}

/// A firm's stratum as a number: its `stratify_by` values, at most three
/// (a plan names each field once) of 32 bits each. Firms with the same
/// key have the same label.
pub fn stratum_key(fields: &[StratumField], firm: &Enterprise) -> u128 {
    fields
        .iter()
        .fold(0u128, |key, f| key << 32 | u128::from(f.value_of(firm).0))
}

/// The `k` entries with the lowest keys, in order. Each entry is (the
/// key's prefix, an index), and `key` gives an index's full key: keys
/// with different prefixes order as their prefixes, so only the entries
/// whose prefix is at most the k-th lowest need their full key.
fn lowest<K: Ord>(mut entries: Vec<(u32, u32)>, k: usize, key: impl Fn(u32) -> K) -> Vec<(K, u32)> {
    if k == 0 {
        return Vec::new();
    }
    if k < entries.len() {
        let (_, &mut (cut, _), _) = entries.select_nth_unstable(k - 1);
        entries.retain(|&(prefix, _)| prefix <= cut);
    }
    let mut keyed: Vec<(K, u32)> = entries.into_iter().map(|(_, i)| (key(i), i)).collect();
    keyed.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    keyed.truncate(k);
    keyed
}

/// Why a firm is left out of the eligible frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Exclusion {
    /// Not active, and why.
    Inactive(InactiveReason),
    OutsideCounties,
    OutsideIndustries,
    RecentlyInspected,
    /// A batch's firm that already has the most visits (SPEC.md §10.3).
    VisitCap,
}

impl Exclusion {
    /// The firm's eligibility as written in frame leaves (SPEC.md):
    /// `eligible`, or the reason it is not.
    pub fn describe(e: Option<Exclusion>) -> &'static str {
        match e {
            None => "eligible",
            Some(Exclusion::Inactive(r)) => match r {
                InactiveReason::Deregistered => "inactive:deregistered",
                InactiveReason::Revoked => "inactive:revoked",
                InactiveReason::Cancelled => "inactive:cancelled",
                InactiveReason::MovedOut => "inactive:moved-out",
            },
            Some(Exclusion::OutsideCounties) => "outside-counties",
            Some(Exclusion::OutsideIndustries) => "outside-industries",
            Some(Exclusion::RecentlyInspected) => "recently-inspected",
            Some(Exclusion::VisitCap) => "visit-cap",
        }
    }
}

/// Why each firm, in directory order, is not in the eligible frame, if it
/// is not ([`Eligibility::of`]); worked out on all processors.
pub fn exclusions(plan: &Plan, directory: &Directory, history: Option<&History>) -> Vec<Option<Exclusion>> {
    let rules = Eligibility::new(plan, directory, history);
    directory.firms.par_iter().map(|f| rules.of(f)).collect()
}

/// The plan's eligibility rules, with the exclusion window's first day
/// worked out once.
pub(crate) struct Eligibility<'a> {
    plan: &'a Plan,
    directory: &'a Directory,
    /// The history and the first day of the window, when the plan
    /// excludes recent inspections.
    recent: Option<(&'a History, chrono::NaiveDate)>,
}

impl<'a> Eligibility<'a> {
    pub(crate) fn new(plan: &'a Plan, directory: &'a Directory, history: Option<&'a History>) -> Eligibility<'a> {
        let recent = match (plan.targets.exclude_inspected_within_days, history) {
            (Some(days), Some(history)) => Some((history, plan.task.start - chrono::Days::new(days as u64))),
            _ => None,
        };
        Eligibility {
            plan,
            directory,
            recent,
        }
    }

    /// Why a firm is not in the eligible frame, if it is not. The reasons
    /// are tried in this order and the first that applies is the reason.
    pub(crate) fn of(&self, firm: &Enterprise) -> Option<Exclusion> {
        let t = &self.plan.targets;
        if let Status::Inactive(reason) = firm.status() {
            return Some(Exclusion::Inactive(reason));
        }
        if let Some(counties) = &t.counties
            && !counties.iter().any(|c| c == self.directory.value(firm.county))
        {
            return Some(Exclusion::OutsideCounties);
        }
        if let Some(industries) = &t.industries
            && !industries.iter().any(|c| c == self.directory.value(firm.industry))
        {
            return Some(Exclusion::OutsideIndustries);
        }
        self.recently_inspected(firm)
    }

    /// Whether the plan's exclusion window leaves the firm out.
    pub(crate) fn recently_inspected(&self, firm: &Enterprise) -> Option<Exclusion> {
        if let Some((history, since)) = self.recent
            && history.last_inspected(firm.code).is_some_and(|on| on >= since)
        {
            return Some(Exclusion::RecentlyInspected);
        }
        None
    }
}

impl Excluded {
    /// Counts one firm left out for `e`.
    pub fn count(&mut self, e: Exclusion) {
        match e {
            Exclusion::Inactive(r) => *self.inactive.entry(r.as_str()).or_default() += 1,
            Exclusion::OutsideCounties => self.outside_counties += 1,
            Exclusion::OutsideIndustries => self.outside_industries += 1,
            Exclusion::RecentlyInspected => self.recently_inspected += 1,
            Exclusion::VisitCap => self.visit_cap += 1,
        }
    }
}

/// k for a stratum of `n` firms: ceil(n × ratio), raised to the class's
/// `min`, lowered to its `max`, and never above n.
pub fn sample_size(plan: &Plan, class: Option<&str>, ratio: Ratio, n: u64) -> u64 {
    let mut k = ratio.of(n);
    if let Some(class) = class {
        if let Some(&lo) = plan.targets.min.get(class) {
            k = k.max(lo);
        }
        if let Some(&hi) = plan.targets.max.get(class) {
            k = k.min(hi);
        }
    }
    k.min(n)
}

/// Draws the targets: every eligible firm gets its consistent-sampler
/// ticket under `seed`; each stratum takes its k smallest tickets.
pub fn draw_targets(plan: &Plan, directory: &Directory, history: Option<&History>, seed: &str) -> TargetDraw {
    draw_targets_from(plan, directory, &exclusions(plan, directory, history), seed)
}

/// Each stratum's N (eligible firms), in stratum order. It does not
/// depend on the seed; it is worked out by the draw itself, with a seed
/// whose tickets are not used, so that it cannot differ from a draw's N.
pub fn strata_n(plan: &Plan, directory: &Directory, exclusions: &[Option<Exclusion>]) -> Vec<u64> {
    draw_targets_from(plan, directory, exclusions, "N")
        .strata
        .iter()
        .map(|s| s.n)
        .collect()
}

/// [`draw_targets`] with every firm's exclusion already worked out
/// ([`exclusions`]).
pub fn draw_targets_from(
    plan: &Plan,
    directory: &Directory,
    exclusions: &[Option<Exclusion>],
    seed: &str,
) -> TargetDraw {
    let mut excluded = Excluded::default();
    for e in exclusions.iter().flatten() {
        excluded.count(*e);
    }
    let eligible = exclusions
        .iter()
        .enumerate()
        .filter(|(_, e)| e.is_none())
        .map(|(i, _)| u32::try_from(i).expect("fewer than 2^32 firms"));
    draw_among(plan, directory, eligible, excluded, seed)
}

/// The target draw over the eligible firms given (indices into the
/// directory, in any order), with the excluded firms already counted:
/// strata, sizes and selection (SPEC.md §3.2–3.4). A batch's tasks come
/// here with the firms of their own counties and industries.
pub fn draw_among(
    plan: &Plan,
    directory: &Directory,
    eligible_firms: impl IntoIterator<Item = u32>,
    excluded: Excluded,
    seed: &str,
) -> TargetDraw {
    let seed_hash = SeedHash::new(seed);
    let fields = &plan.targets.stratify_by;
    // Each eligible firm as (the first 9 digits of its ticket, its index),
    // by stratum; a stratum is found by its firms' values, and its label
    // made once. The order of this map never reaches the draw: strata are
    // ordered by label below.
    let mut strata_of: FxHashMap<u128, usize> = FxHashMap::default();
    let mut buckets: Vec<(String, Vec<(u32, u32)>)> = Vec::new();
    let mut eligible = 0;
    // The firm before and its bucket: neighbours often share a stratum.
    let mut last: Option<(u128, usize)> = None;
    for index in eligible_firms {
        let firm = &directory.firms[index as usize];
        eligible += 1;
        let key = stratum_key(fields, firm);
        let b = match last {
            Some((k, b)) if k == key => b,
            _ => *strata_of.entry(key).or_insert_with(|| {
                buckets.push((stratum_label(fields, directory, firm), Vec::new()));
                buckets.len() - 1
            }),
        };
        last = Some((key, b));
        buckets[b].1.push((0, index));
    }
    // The prefixes of the tickets, on every processor, in place.
    for (_, bucket) in &mut buckets {
        bucket.par_iter_mut().with_min_len(1 << 12).for_each(|entry| {
            entry.0 = seed_hash.prefix_of(directory.firms[entry.1 as usize].uscc().bytes());
        });
    }
    // Strata in label order; values whose texts join to the same label
    // (a `/` inside a value) share their stratum.
    let mut by_label: BTreeMap<String, Vec<(u32, u32)>> = BTreeMap::new();
    for (label, bucket) in buckets {
        match by_label.entry(label) {
            Entry::Vacant(e) => {
                e.insert(bucket);
            }
            Entry::Occupied(mut e) => e.get_mut().extend(bucket),
        }
    }
    let by_class = fields.contains(&StratumField::CreditClass);
    // Each stratum's k lowest, the strata side by side; then the drawn
    // firms' tickets written out, on every processor.
    let drawn: Vec<(Stratum, Vec<(TicketKey, u32)>)> = by_label
        .into_iter()
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|(label, bucket)| {
            let first = bucket.iter().map(|&(_, i)| i).min().expect("a stratum has a firm");
            let class_text = directory.value(directory.firms[first as usize].credit_class);
            let class = by_class.then(|| class_text.to_string());
            let ratio = plan.targets.ratio_for(class_text);
            let n = bucket.len() as u64;
            let k = sample_size(plan, class.as_deref(), ratio, n) as usize;
            let drawn = lowest(bucket, k, |i| {
                let uscc = directory.firms[i as usize].uscc();
                (seed_hash.key(&uscc), uscc)
            });
            let stratum = Stratum {
                label,
                class,
                ratio,
                n,
                k: k as u64,
            };
            (stratum, drawn.into_iter().map(|((key, _), firm)| (key, firm)).collect())
        })
        .collect();
    let mut strata = Vec::with_capacity(drawn.len());
    let mut chosen = Vec::new();
    for (s, (stratum, firms)) in drawn.into_iter().enumerate() {
        strata.push(stratum);
        chosen.extend(
            firms
                .into_iter()
                .enumerate()
                .map(|(rank, (key, firm))| (s, rank, key, firm)),
        );
    }
    let targets = chosen
        .into_par_iter()
        .with_min_len(1 << 10)
        .map(|(s, rank, key, firm)| Target {
            stratum: s,
            rank: rank as u64 + 1,
            ticket: key.ticket(),
            firm: firm as usize,
        })
        .collect();
    TargetDraw {
        strata,
        targets,
        excluded,
        eligible,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inputs::table::{RawFile, TextEncoding};
    use proptest::prelude::*;
    use std::path::Path;

    #[test]
    fn an_exclusion_stays_small() {
        // One is kept for every firm of the directory.
        assert!(std::mem::size_of::<Option<Exclusion>>() <= 2);
    }

    #[test]
    fn values_that_join_to_the_same_label_share_a_stratum() {
        let plan = Plan::parse(
            "p.toml",
            "[task]\nid = \"T\"\nname = \"n\"\ndepartment = \"d\"\nstart = 2025-03-01\nend = 2025-11-30\n\
             [frame]\nenterprises = \"e.csv\"\n[targets]\nstratify_by = [\"county\", \"industry\"]\nratio = \"100%\"\n",
            Path::new("."),
        )
        .unwrap();
        let rows: Vec<String> = [("凯里市/城区", "制造业"), ("凯里市", "城区/制造业"), ("凯里市", "城区")]
            .iter()
            .enumerate()
            .map(|(i, (county, industry))| {
                let code = crate::inputs::uscc::complete(&format!("91522601{i:08}")).unwrap();
                format!("{code},甲{i},B,{county},{industry},存续")
            })
            .collect();
        let text = format!("uscc,name,credit_class,county,industry,status\n{}\n", rows.join("\n"));
        let directory = Directory::parse(
            RawFile::from_bytes("e.csv".into(), text.into_bytes()),
            TextEncoding::Auto,
            &plan.targets.classes,
        )
        .unwrap();
        let draw = draw_targets(&plan, &directory, None, "seed");
        let strata: Vec<(&str, u64)> = draw.strata.iter().map(|s| (s.label.as_str(), s.n)).collect();
        assert_eq!(strata, [("凯里市/城区", 1), ("凯里市/城区/制造业", 2)]);
        assert_eq!(draw.targets.len(), 3);
    }

    proptest! {
        /// Prefixes that tie (up to three entries each here) are decided
        /// by the full keys, as if every entry had been sorted by them.
        #[test]
        fn lowest_is_the_start_of_the_full_order(
            full in proptest::collection::vec(0u32..60, 0..40),
            k in 0usize..45,
        ) {
            // A full key, and its prefix: its first digit of two.
            let entries: Vec<(u32, u32)> = full.iter().enumerate().map(|(i, &f)| (f / 10, i as u32)).collect();
            let key = |i: u32| (full[i as usize], i);
            let mut all: Vec<((u32, u32), u32)> = (0..full.len() as u32).map(|i| (key(i), i)).collect();
            all.sort();
            all.truncate(k);
            prop_assert_eq!(lowest(entries, k, key), all);
        }
    }
}
