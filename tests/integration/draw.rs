//! The draw on the committed demo data and on generated directories.

use crate::util::*;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

fn demo_plan() -> PathBuf {
    repo().join("plans/demo.toml")
}

/// Reads a CSV with a header into maps, one per row.
fn read_csv_maps(path: &Path) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).expect("open csv");
    let headers = r.headers().expect("header").clone();
    r.records()
        .map(|rec| {
            let rec = rec.expect("row");
            headers
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// Checks a bundle's targets against its manifest: per stratum exactly k
/// rows ranked 1..k with increasing tickets, strata in manifest order,
/// no firm twice. Returns the rows.
#[track_caller]
fn check_bundle_shape(bundle: &Path) -> Vec<TargetRow> {
    let m = manifest(bundle);
    let rows = read_targets(bundle);
    let mut by_stratum: BTreeMap<&str, Vec<&TargetRow>> = BTreeMap::new();
    for r in &rows {
        by_stratum.entry(&r.stratum).or_default().push(r);
    }
    for s in &m.strata {
        let got = by_stratum.remove(s.label.as_str()).unwrap_or_default();
        assert_eq!(got.len() as u64, s.k, "stratum {}: rows vs k", s.label);
        assert!(s.k <= s.n, "stratum {}: k > n", s.label);
        for (i, r) in got.iter().enumerate() {
            assert_eq!(r.rank, i as u64 + 1, "stratum {} ranks", s.label);
            assert!(r.ticket.starts_with("0.") && r.ticket[2..].bytes().all(|b| b.is_ascii_digit()));
            assert!(r.ticket.len() >= 66, "ticket cut short: {}", r.ticket);
            assert_eq!(
                r.ticket,
                spotcheck::draw::ticket::ticket(&m.seed.value, &r.uscc).as_str()
            );
        }
        for pair in got.windows(2) {
            assert!(pair[0].ticket < pair[1].ticket, "tickets not increasing in {}", s.label);
        }
        if let Some(class) = &s.credit_class {
            assert!(got.iter().all(|r| &r.credit_class == class));
        }
    }
    assert!(
        by_stratum.is_empty(),
        "rows of strata not in the manifest: {:?}",
        by_stratum.keys()
    );
    // Strata appear in the manifest's (byte) order, contiguously.
    let order: Vec<&str> = m.strata.iter().filter(|s| s.k > 0).map(|s| s.label.as_str()).collect();
    let mut seen: Vec<&str> = rows.iter().map(|r| r.stratum.as_str()).collect();
    seen.dedup();
    assert_eq!(seen, order);
    let mut labels: Vec<&str> = m.strata.iter().map(|s| s.label.as_str()).collect();
    let sorted = {
        let mut l = labels.clone();
        l.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
        l
    };
    assert_eq!(labels, sorted, "strata not in byte order");
    labels.dedup();
    assert_eq!(labels.len(), m.strata.len());
    let distinct: HashSet<&str> = rows.iter().map(|r| r.uscc.as_str()).collect();
    assert_eq!(distinct.len(), rows.len(), "a firm drawn twice");
    assert_eq!(m.totals.targets, rows.len() as u64);
    assert_eq!(m.totals.strata, m.strata.len() as u64);
    assert_eq!(m.totals.eligible, m.strata.iter().map(|s| s.n).sum::<u64>());
    assert_eq!(m.totals.directory_rows, m.totals.eligible + m.excluded.total);
    rows
}

#[test]
fn demo_draw_succeeds_and_is_well_formed() {
    let w = Work::new();
    let out = w.out("demo");
    let run = draw(&demo_plan(), "2025-03-01 demo", &out, &[]);
    run.ok();
    let m = manifest(&out);
    let mut files: Vec<String> = m.outputs.keys().cloned().chain(["manifest.json".to_string()]).collect();
    files.sort();
    assert_eq!(entries(&out), files);
    assert!(m.outputs.contains_key("targets.csv"));
    let text = std::fs::read_to_string(out.join("targets.csv")).unwrap();
    assert!(text.starts_with(&format!("{TARGETS_HEADER}\n")));
    assert!(text.ends_with('\n') && !text.contains('\r'));
    let rows = check_bundle_shape(&out);

    // The summary: task line, a header, one line per stratum with its
    // numbers, totals, the seed, where the files went.
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines[0], "QDN-2025-001 2025年度企业公示信息双随机抽查");
    let header: Vec<&str> = lines[1].split_whitespace().collect();
    assert_eq!(header, ["stratum", "N", "k", "ratio", "probability"]);
    let labels: Vec<&str> = m.strata.iter().map(|s| s.label.as_str()).collect();
    assert_eq!(labels, ["A", "B", "C", "D"]);
    for (s, line) in m.strata.iter().zip(&lines[2..]) {
        let cells: Vec<&str> = line.split_whitespace().collect();
        let n = s.n.to_string();
        let k = s.k.to_string();
        assert_eq!(
            cells,
            [s.label.as_str(), &n, &k, &s.ratio, &s.probability],
            "summary line {line:?}"
        );
    }
    run.stdout_has(&[
        &format!(
            "4 strata; {} targets drawn from {} eligible firms (80000 in the directory, {} excluded)",
            rows.len(),
            m.totals.eligible,
            m.excluded.total
        ),
        "seed (operator): 2025-03-01 demo",
        &format!("written to {}", out.display()),
        "targets.csv",
        "manifest.json",
    ]);

    // The plan's ratios and the D minimum of 20 (ceil, in integers).
    for s in &m.strata {
        let bp = match s.label.as_str() {
            "A" => 100,
            "B" => 300,
            "C" => 1000,
            _ => 3000,
        };
        let mut k = (s.n * bp).div_ceil(10_000);
        if s.label == "D" {
            k = k.max(20);
        }
        assert_eq!(s.k, k.min(s.n), "k of {}", s.label);
    }

    // The manifest records the plan and inputs.
    assert_eq!(m.plan.text, std::fs::read_to_string(demo_plan()).unwrap());
    assert_eq!(m.task.id, "QDN-2025-001");
    assert_eq!(m.seed.value, "2025-03-01 demo");
    assert_eq!(m.seed.source, "operator");
    assert!(m.inputs.contains_key("enterprises") && m.inputs.contains_key("history"));
    assert_eq!(m.inputs["enterprises"].rows, 80_000);
    for (name, sha) in &m.outputs {
        let bytes = std::fs::read(out.join(name)).unwrap();
        assert_eq!(&spotcheck::base::sha256::sha256_hex(&bytes), sha, "outputs.{name}");
    }

    // Every target is active, in the directory with the same facts, and
    // not inspected in the 365 days before the window.
    let firms: HashMap<String, HashMap<String, String>> = read_csv_maps(&repo().join("data/enterprises.csv"))
        .into_iter()
        .map(|r| (r["uscc"].clone(), r))
        .collect();
    let mut last: HashMap<String, String> = HashMap::new();
    for h in read_csv_maps(&repo().join("data/history.csv")) {
        let e = last.entry(h["uscc"].clone()).or_default();
        if *e < h["inspected_on"] {
            *e = h["inspected_on"].clone();
        }
    }
    let mut recent = 0;
    for r in &rows {
        let f = &firms[&r.uscc];
        assert!(
            spotcheck::inputs::directory::ACTIVE_STATUSES.contains(&f["status"].as_str()),
            "{r:?}"
        );
        assert_eq!(
            (&f["name"], &f["credit_class"], &f["county"], &f["industry"]),
            (&r.name, &r.credit_class, &r.county, &r.industry)
        );
        if last.get(&r.uscc).is_some_and(|d| d.as_str() >= "2024-03-01") {
            recent += 1;
        }
    }
    assert_eq!(recent, 0, "targets inspected within 365 days");
    assert!(m.excluded.recently_inspected > 0);
    let inactive = firms
        .values()
        .filter(|f| !spotcheck::inputs::directory::ACTIVE_STATUSES.contains(&f["status"].as_str()))
        .count();
    assert_eq!(m.excluded.inactive.values().sum::<u64>(), inactive as u64);
}

#[test]
fn same_seed_twice_gives_identical_bundles() {
    let w = Work::new();
    let (a, b) = (w.out("first"), w.out("second"));
    draw(&demo_plan(), "same seed", &a, &[]).ok();
    draw(&demo_plan(), "same seed", &b, &[]).ok();
    let (sa, sb) = (snapshot(&a), snapshot(&b));
    assert!(sa.contains_key("manifest.json") && sa.contains_key("targets.csv"));
    assert!(sa == sb, "bundles differ");
}

#[test]
fn seed_is_text_not_a_number() {
    let (w, _) = Work::with_firms(2000, 50);
    let a = w.draw_ok("007", "a");
    let b = w.draw_ok("7", "b");
    let c = w.draw_ok("7.0", "c");
    let (ta, tb, tc) = (read_targets(&a), read_targets(&b), read_targets(&c));
    assert_eq!(manifest(&a).seed.value, "007");
    assert_eq!(manifest(&b).seed.value, "7");
    let usccs = |t: &[TargetRow]| t.iter().map(|r| r.uscc.clone()).collect::<Vec<_>>();
    assert_ne!(usccs(&ta), usccs(&tb));
    assert_ne!(usccs(&tb), usccs(&tc));
    // Same sizes: the seed changes who, not how many.
    assert_eq!(ta.len(), tb.len());
    check_bundle_shape(&a);
    check_bundle_shape(&b);
}

#[test]
fn unicode_and_spaced_seeds_are_kept_exactly() {
    let (w, _) = Work::with_firms(500, 51);
    for (i, seed) in ["黔东南州 2025年3月1日 第1批", " 42", "42 ", "fc18 73a1"]
        .iter()
        .enumerate()
    {
        let out = w.draw_ok(seed, &format!("b{i}"));
        assert_eq!(manifest(&out).seed.value, *seed);
        check_bundle_shape(&out);
        verify(&out, &[]).ok();
    }
    let t = |n: &str| read_targets(&w.out(n));
    assert_ne!(t("b1"), t("b2"));
}

#[test]
fn relative_paths_from_another_working_directory() {
    let (w, _) = Work::with_firms(500, 52);
    let run = spotcheck_in(
        Some(w.root()),
        ["draw", "--plan", "in/plan.toml", "--seed", "1", "--out", "out/rel"],
    );
    run.ok();
    let m = manifest(&w.out("rel"));
    assert_eq!(m.inputs["enterprises"].path, "../../in/enterprises.csv");
    assert_eq!(m.plan.path, "in/plan.toml");
    // Verify from elsewhere, by absolute path, and from inside the bundle.
    verify(&w.out("rel"), &[]).ok();
    spotcheck_in(Some(&w.out("rel")), ["verify", "."]).ok();
}

#[test]
fn stratified_by_class_and_county_with_bounds() {
    let (w, rows) = Work::with_firms(3000, 53);
    w.plan(
        "stratify_by = [\"credit_class\", \"county\"]\n\
         ratio = { A = \"1%\", B = \"2.5%\", C = \"10%\", D = \"30%\" }\n\
         min = { D = 3 }\n\
         max = { B = 4 }",
    );
    let out = w.draw_ok("strata", "b");
    check_bundle_shape(&out);
    let m = manifest(&out);
    let mut n: BTreeMap<String, u64> = BTreeMap::new();
    for r in rows.iter().filter(|r| r.is_active()) {
        *n.entry(format!("{}/{}", r.credit_class, r.county)).or_default() += 1;
    }
    assert_eq!(
        m.strata
            .iter()
            .map(|s| (s.label.clone(), s.n))
            .collect::<BTreeMap<_, _>>(),
        n
    );
    for s in &m.strata {
        let class = s.credit_class.as_deref().unwrap();
        let bp = match class {
            "A" => 100,
            "B" => 250,
            "C" => 1000,
            _ => 3000,
        };
        let mut k = (s.n * bp).div_ceil(10_000);
        if class == "D" {
            k = k.max(3);
        }
        if class == "B" {
            k = k.min(4);
        }
        assert_eq!(s.k, k.min(s.n), "k of {}", s.label);
    }
}

#[test]
fn directed_draw_keeps_only_the_listed_counties_and_industries() {
    let (w, rows) = Work::with_firms(3000, 54);
    w.plan(
        "stratify_by = [\"county\"]\n\
         ratio = \"20%\"\n\
         counties = [\"凯里市\", \"黎平县\"]\n\
         industries = [\"批发和零售业\", \"住宿和餐饮业\"]",
    );
    let out = w.draw_ok("directed", "b");
    let targets = check_bundle_shape(&out);
    let m = manifest(&out);
    assert_eq!(
        m.strata.iter().map(|s| s.label.as_str()).collect::<Vec<_>>(),
        ["凯里市", "黎平县"]
    );
    assert!(
        targets
            .iter()
            .all(|t| ["凯里市", "黎平县"].contains(&t.county.as_str()))
    );
    assert!(
        targets
            .iter()
            .all(|t| ["批发和零售业", "住宿和餐饮业"].contains(&t.industry.as_str()))
    );
    let active: Vec<_> = rows.iter().filter(|r| r.is_active()).collect();
    let in_counties = active
        .iter()
        .filter(|r| ["凯里市", "黎平县"].contains(&r.county.as_str()))
        .count() as u64;
    let eligible = active
        .iter()
        .filter(|r| ["凯里市", "黎平县"].contains(&r.county.as_str()))
        .filter(|r| ["批发和零售业", "住宿和餐饮业"].contains(&r.industry.as_str()))
        .count() as u64;
    assert_eq!(m.totals.eligible, eligible);
    assert_eq!(m.excluded.outside_counties, active.len() as u64 - in_counties);
    assert_eq!(m.excluded.outside_industries, in_counties - eligible);
}

#[test]
fn zero_ratio_and_full_coverage() {
    let (w, rows) = Work::with_firms(400, 55);
    w.plan("ratio = { A = \"0%\", B = \"0.01%\", C = \"50%\", D = \"100%\" }");
    let out = w.draw_ok("edge", "b");
    check_bundle_shape(&out);
    let m = manifest(&out);
    let k: BTreeMap<&str, (u64, u64)> = m.strata.iter().map(|s| (s.label.as_str(), (s.n, s.k))).collect();
    assert_eq!(k["A"].1, 0);
    assert_eq!(k["B"].1, 1);
    assert_eq!(k["C"].1, k["C"].0.div_ceil(2));
    assert_eq!(k["D"].1, k["D"].0);
    let active_d = rows.iter().filter(|r| r.credit_class == 'D' && r.is_active()).count() as u64;
    assert_eq!(k["D"].0, active_d);
    verify(&out, &[]).ok();
}

#[test]
fn draw_with_history_exclusion_and_override_flags() {
    let w = Work::new();
    let data = spotcheck_demo::generate(&spotcheck_demo::DemoConfig {
        enterprises: 2000,
        inspectors: 120,
        conflicts: 5,
        history: 600,
        seed: 56,
    });
    w.enterprises(&data.enterprises);
    let mut h = Vec::new();
    spotcheck_demo::write_history_csv(&data.history, &mut h).unwrap();
    w.write("history.csv", &h);
    w.write(
        "plan.toml",
        plan_text(
            "enterprises = \"enterprises.csv\"\nhistory = \"history.csv\"",
            &format!("{CLASS_TARGETS}\nexclude_inspected_within_days = 365"),
        ),
    );
    let out = w.draw_ok("history", "b");
    check_bundle_shape(&out);
    let m = manifest(&out);
    let since = chrono::NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
    let recent: HashSet<&str> = data
        .history
        .iter()
        .filter(|i| i.inspected_on >= since)
        .map(|i| i.uscc.as_str())
        .collect();
    let active_recent = data
        .enterprises
        .iter()
        .filter(|e| e.is_active() && recent.contains(e.uscc.as_str()))
        .count() as u64;
    assert!(active_recent > 0);
    assert_eq!(m.excluded.recently_inspected, active_recent);
    assert!(read_targets(&out).iter().all(|t| !recent.contains(t.uscc.as_str())));
    verify(&out, &[]).ok();

    // --history with an empty history: nobody is excluded for it.
    w.write("empty-history.csv", "uscc,inspected_on,inspector_ids\n");
    let empty = w.input("empty-history.csv");
    let (run, out2) = w.draw("history", "b2", &["--history", empty.to_str().unwrap()]);
    run.ok();
    assert_eq!(manifest(&out2).excluded.recently_inspected, 0);
    assert_eq!(manifest(&out2).inputs["history"].rows, 0);
    verify(&out2, &[]).ok();
}

#[test]
fn names_with_commas_quotes_and_line_breaks_survive() {
    let (w, mut rows) = Work::with_firms(300, 57);
    for r in rows.iter_mut() {
        r.name = format!("{}, \"分店\"\n二号", r.name);
        r.credit_class = 'D';
        r.status = "存续".into();
    }
    w.enterprises(&rows);
    w.plan("ratio = \"100%\"");
    let out = w.draw_ok("names", "b");
    let names: HashSet<String> = read_targets(&out).into_iter().map(|t| t.name).collect();
    let expected: HashSet<String> = rows.iter().map(|r| r.name.clone()).collect();
    assert_eq!(names, expected);
    verify(&out, &[]).ok();
}
