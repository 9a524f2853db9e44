//! Properties of the consistent sampler on generated directories of a
//! few hundred to a few thousand firms: row order does not matter, a
//! larger ratio extends a smaller one, k is exactly ceil(N × ratio) within
//! the plan's bounds, and adding one firm moves no one else.

use crate::util::*;
use proptest::prelude::*;
use spotcheck::draw::targets::draw_targets;
use spotcheck::inputs::directory::Directory;
use spotcheck::inputs::plan::Plan;
use spotcheck::inputs::table::{RawFile, TextEncoding};
use spotcheck_demo::DemoEnterprise;
use std::collections::BTreeMap;
use std::path::Path;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 16,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// A deterministic shuffle (Fisher–Yates with SplitMix64).
fn shuffle<T>(items: &mut [T], mut state: u64) {
    let mut next = || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    for i in (1..items.len()).rev() {
        let j = (next() % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
}

/// Parses a plan with the given `[targets]` body (the frame is unused:
/// directories are given directly).
fn plan(targets: &str) -> Plan {
    Plan::parse(
        "plan.toml",
        &plan_text("enterprises = \"e.csv\"", targets),
        Path::new("."),
    )
    .expect("plan parses")
}

/// The draw of `rows` under `plan` and `seed`, through the library: the
/// rows of `targets.csv` as far as the draw decides them.
fn draw_rows(plan: &Plan, rows: &[DemoEnterprise], seed: &str) -> Vec<TargetRow> {
    let dir = Directory::parse(
        RawFile::from_bytes("e.csv".into(), csv_bytes(rows)),
        TextEncoding::Auto,
        &plan.targets.classes,
    )
    .expect("directory parses");
    let draw = draw_targets(plan, &dir, None, seed);
    draw.targets
        .iter()
        .map(|t| {
            let f = &dir.firms[t.firm];
            TargetRow {
                stratum: draw.strata[t.stratum].label.clone(),
                rank: t.rank,
                ticket: t.ticket.to_string(),
                uscc: f.uscc().to_string(),
                name: String::new(),
                credit_class: dir.value(f.credit_class).to_string(),
                county: dir.value(f.county).to_string(),
                industry: dir.value(f.industry).to_string(),
            }
        })
        .collect()
}

/// Rows grouped by stratum, as lists of credit codes in rank order.
fn by_stratum(rows: &[TargetRow]) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in rows {
        let list = out.entry(r.stratum.clone()).or_default();
        assert_eq!(r.rank, list.len() as u64 + 1, "ranks in {}", r.stratum);
        list.push(r.uscc.clone());
    }
    out
}

/// Ratios per class in basis points (A, B, C, D).
fn ratios() -> impl Strategy<Value = [u32; 4]> {
    [0u32..=1000, 0u32..=2000, 0u32..=5000, 0u32..=10_000]
}

fn percent(bp: u32) -> String {
    format!("{}.{:02}%", bp / 100, bp % 100)
}

fn stratify(two_level: bool) -> &'static str {
    if two_level {
        "stratify_by = [\"credit_class\", \"county\"]"
    } else {
        "stratify_by = [\"credit_class\"]"
    }
}

fn targets_body(two_level: bool, bp: [u32; 4], extra: &str) -> String {
    format!(
        "{}\nratio = {{ A = \"{}\", B = \"{}\", C = \"{}\", D = \"{}\" }}\n{extra}",
        stratify(two_level),
        percent(bp[0]),
        percent(bp[1]),
        percent(bp[2]),
        percent(bp[3])
    )
}

fn label(r: &DemoEnterprise, two_level: bool) -> String {
    if two_level {
        format!("{}/{}", r.credit_class, r.county)
    } else {
        r.credit_class.to_string()
    }
}

proptest! {
    #![proptest_config(config())]

    /// Shuffling the directory's rows (header kept first) gives a
    /// byte-identical targets.csv, through the real binary and files.
    #[test]
    fn row_order_does_not_matter(
        data_seed in any::<u64>(),
        n in 300usize..2000,
        order in any::<u64>(),
        seed in "[0-9A-Za-z][0-9A-Za-z ]{0,15}",
        two_level in any::<bool>(),
    ) {
        let w = Work::new();
        let mut rows = firms(n, data_seed);
        w.enterprises(&rows);
        w.plan(&targets_body(two_level, [100, 300, 1000, 3000], ""));
        let a = w.draw_ok(&seed, "a");
        shuffle(&mut rows, order);
        w.enterprises(&rows);
        let b = w.draw_ok(&seed, "b");
        let ta = std::fs::read(a.join("targets.csv")).unwrap();
        let tb = std::fs::read(b.join("targets.csv")).unwrap();
        prop_assert!(ta == tb, "targets.csv differs after shuffling the rows");
        let (ma, mb) = (manifest(&a), manifest(&b));
        prop_assert_eq!(ma.strata, mb.strata);
        prop_assert_ne!(&ma.inputs["enterprises"].sha256, &mb.inputs["enterprises"].sha256);
    }

    /// Raising ratios only appends to each stratum's list.
    #[test]
    fn larger_ratio_extends_the_smaller_sample(
        data_seed in any::<u64>(),
        n in 300usize..2000,
        seed in "[0-9a-z]{1,12}",
        low in ratios(),
        raise in [0u32..=3000, 0u32..=3000, 0u32..=3000, 0u32..=3000],
        two_level in any::<bool>(),
    ) {
        let rows = firms(n, data_seed);
        let high: Vec<u32> = low.iter().zip(raise).map(|(l, r)| (l + r).min(10_000)).collect();
        let high = [high[0], high[1], high[2], high[3]];
        let small = draw_rows(&plan(&targets_body(two_level, low, "")), &rows, &seed);
        let large = draw_rows(&plan(&targets_body(two_level, high, "")), &rows, &seed);
        let (small, large) = (by_stratum(&small), by_stratum(&large));
        for (stratum, list) in &small {
            let bigger = large.get(stratum).map(Vec::as_slice).unwrap_or(&[]);
            prop_assert!(bigger.len() >= list.len(), "stratum {} shrank", stratum);
            prop_assert_eq!(&bigger[..list.len()], list.as_slice(), "stratum {} is not a prefix", stratum);
        }
    }

    /// Each stratum has exactly k = min(N, min(max(ceil(N × bp / 10000),
    /// lo), hi)) rows.
    #[test]
    fn each_stratum_has_exactly_k(
        data_seed in any::<u64>(),
        n in 300usize..2000,
        seed in "[0-9a-z]{1,12}",
        bp in ratios(),
        d_min in 0u64..40,
        a_max in 1u64..30,
        two_level in any::<bool>(),
    ) {
        let rows = firms(n, data_seed);
        let p = plan(&targets_body(two_level, bp, &format!("min = {{ D = {d_min} }}\nmax = {{ A = {a_max} }}")));
        let drawn = draw_rows(&p, &rows, &seed);
        let drawn = by_stratum(&drawn);
        let mut sizes: BTreeMap<String, (char, u64)> = BTreeMap::new();
        for r in rows.iter().filter(|r| r.is_active()) {
            sizes.entry(label(r, two_level)).or_insert((r.credit_class, 0)).1 += 1;
        }
        for (stratum, (class, big_n)) in &sizes {
            let i = "ABCD".find(*class).unwrap();
            let mut k = (big_n * bp[i] as u64).div_ceil(10_000);
            if *class == 'D' {
                k = k.max(d_min);
            }
            if *class == 'A' {
                k = k.min(a_max);
            }
            let k = k.min(*big_n);
            let got = drawn.get(stratum).map_or(0, Vec::len) as u64;
            prop_assert_eq!(got, k, "stratum {} of N = {}", stratum, big_n);
        }
        prop_assert!(drawn.keys().all(|s| sizes.contains_key(s)));
    }

    /// Adding one firm (anywhere in the file) moves no one else: other
    /// strata are unchanged, and in its own stratum the list without the
    /// new firm and the old list are prefixes of one another.
    #[test]
    fn adding_one_firm_moves_no_one_else(
        data_seed in any::<u64>(),
        n in 300usize..2000,
        seed in "[0-9a-z]{1,12}",
        pick in any::<prop::sample::Index>(),
        place in any::<prop::sample::Index>(),
        bp in ratios(),
        two_level in any::<bool>(),
    ) {
        let mut all = firms(n + 1, data_seed);
        let mut newcomer = all.remove(pick.index(n + 1));
        newcomer.status = "存续".into();
        let before_rows = all.clone();
        let mut after_rows = all;
        after_rows.insert(place.index(n + 1), newcomer.clone());
        let p = plan(&targets_body(two_level, bp, ""));
        let before = draw_rows(&p, &before_rows, &seed);
        let after = draw_rows(&p, &after_rows, &seed);
        let (before, after) = (by_stratum(&before), by_stratum(&after));
        let home = label(&newcomer, two_level);
        let mut strata: Vec<&String> = before.keys().chain(after.keys()).collect();
        strata.sort();
        strata.dedup();
        for stratum in strata {
            let old = before.get(stratum).cloned().unwrap_or_default();
            let new = after.get(stratum).cloned().unwrap_or_default();
            if *stratum != home {
                prop_assert_eq!(&old, &new, "stratum {} changed", stratum);
                continue;
            }
            let without: Vec<String> = new.iter().filter(|u| **u != newcomer.uscc).cloned().collect();
            let common = old.len().min(without.len());
            prop_assert_eq!(&old[..common], &without[..common], "stratum {}: others moved", stratum);
            // k grows by at most one when N grows by one.
            prop_assert!(new.len() == old.len() || new.len() == old.len() + 1);
            if new.contains(&newcomer.uscc) {
                // Whoever it displaced was last in the old list.
                prop_assert!(without.len() + 1 >= old.len());
            } else {
                prop_assert_eq!(&without, &new);
            }
        }
    }
}

/// Tickets equal in their first nine digits still order by the full
/// ticket, as consistent_sampler compares them (as strings).
#[test]
fn near_equal_tickets_order_by_the_full_ticket() {
    let seed = "collide";
    let (small_code, large_code) = colliding_codes(seed, 9);
    let (ts, tl) = (
        spotcheck::draw::ticket::ticket(seed, &small_code),
        spotcheck::draw::ticket::ticket(seed, &large_code),
    );
    assert_eq!(ts.as_str()[..11], tl.as_str()[..11]);
    assert!(small_code < large_code && ts > tl);

    let w = Work::new();
    let mut rows = firms(2, 80);
    rows[0].uscc = small_code.clone();
    rows[1].uscc = large_code.clone();
    for r in rows.iter_mut() {
        r.credit_class = 'B';
        r.status = "存续".into();
    }
    w.enterprises(&rows);
    // k = 1 of 2: the smaller full ticket wins.
    w.plan("ratio = \"50%\"");
    let out = w.draw_ok(seed, "half");
    let t = read_targets(&out);
    assert_eq!(t.len(), 1);
    assert_eq!(t[0].uscc, large_code);
    // k = 2 of 2: ranked by the full ticket.
    w.plan("ratio = \"100%\"");
    let out = w.draw_ok(seed, "all");
    let t = read_targets(&out);
    assert_eq!(
        t.iter().map(|r| r.uscc.as_str()).collect::<Vec<_>>(),
        [large_code.as_str(), small_code.as_str()]
    );
    assert_eq!(t[0].ticket, tl.as_str());
    verify(&out, &[]).ok();
}
