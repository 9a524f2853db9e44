//! "One public": `spotcheck publish`, `verify` of a public bundle,
//! `prove` and `check-proof`, on the demo plan (trial and ceremony).
//!
//! With SPOTCHECK_BROWSER=1 the published page is also checked in
//! Debian's headless Chromium (tests/browser/check.mjs; needs
//! `apt-get install chromium fonts-noto-cjk` and `npm ci` in
//! tests/browser), and its screenshot saved as
//! target/test-artifacts/index.png; a page with results (the results
//! announcement) as target/test-artifacts/results.png.
//!
//! The demo directory has 80,000 firms: run in release mode.

#[path = "support/run.rs"]
mod run;

#[path = "support/results.rs"]
mod results_file;

use run::{Run, spotcheck};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use tempfile::TempDir;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn p(path: &Path) -> String {
    path.display().to_string()
}

/// A work folder; `plan` is the demo plan, with its `[publish]` table
/// replaced when `publish` is given.
struct Work {
    tmp: TempDir,
    plan: PathBuf,
}

impl Work {
    fn new(publish: Option<&str>) -> Work {
        let tmp = tempfile::Builder::new().prefix("spotcheck-public-").tempdir().unwrap();
        let data = repo().join("data");
        let mut text = std::fs::read_to_string(repo().join("plans/demo.toml"))
            .unwrap()
            .replace("\"../data/", &format!("\"{}/", data.display()));
        if let Some(publish) = publish {
            let at = text.find("[publish]").expect("the demo plan has [publish]");
            text.truncate(at);
            text.push_str("[publish]\n");
            text.push_str(publish);
            text.push('\n');
        }
        let plan = tmp.path().join("plan.toml");
        std::fs::write(&plan, text).unwrap();
        Work { tmp, plan }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    /// A trial draw with `seed` into NAME.
    fn trial(&self, seed: &str, name: &str) -> PathBuf {
        let out = self.path(name);
        spotcheck(["draw", "--plan", &p(&self.plan), "--seed", seed, "--out", &p(&out)]).ok();
        out
    }

    /// A ceremony (commitment, drand round 657413) and its draw into NAME.
    fn ceremony(&self, name: &str) -> PathBuf {
        self.ceremony_with(name, None)
    }

    /// A ceremony as [`Work::ceremony`], with `dice` (RFC 3797's form)
    /// thrown at a committed public event too, when given.
    fn ceremony_with(&self, name: &str, dice: Option<&str>) -> PathBuf {
        let commitment = self.path(&format!("{name}-commitment.json"));
        let mut commit = vec![
            "commit".to_string(),
            "--plan".into(),
            p(&self.plan),
            "--out".into(),
            p(&commitment),
            "--beacon-round".into(),
            "657413".into(),
            "--time".into(),
            "2023-09-15T10:00:00Z".into(),
        ];
        if dice.is_some() {
            commit.extend(["--dice-event".into(), "2023-09-15 11:00 县局会议室，三颗骰子".into()]);
        }
        spotcheck(commit).ok();
        let out = self.path(name);
        let mut draw = vec![
            "draw".to_string(),
            "--commitment".into(),
            p(&commitment),
            "--reveal".into(),
            p(&self.path(&format!("{name}-commitment.secret"))),
            "--beacon".into(),
            p(&repo().join("tests/data/beacon-657413.json")),
            "--out".into(),
            p(&out),
        ];
        if let Some(dice) = dice {
            draw.extend(["--dice".into(), dice.to_string()]);
        }
        spotcheck(draw).ok();
        out
    }

    fn publish(&self, bundle: &Path, name: &str) -> PathBuf {
        let out = self.path(name);
        spotcheck(["publish", &p(bundle), "--out", &p(&out)]).ok();
        out
    }
}

fn files_in(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

fn csv_rows(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

fn column(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no {name} column"))
}

fn json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn write_json(path: &Path, v: &Value) {
    let mut bytes = serde_json::to_vec_pretty(v).unwrap();
    bytes.push(b'\n');
    std::fs::write(path, bytes).unwrap();
}

/// Every key anywhere in a JSON value.
fn keys(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                out.insert(k.clone());
                keys(x, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| keys(x, out)),
        _ => {}
    }
}

#[test]
fn trial_bundle_publishes_verifies_and_never_overwrites() {
    let w = Work::new(None);
    let bundle = w.trial("public trial", "b");
    let public = w.publish(&bundle, "pub");
    assert_eq!(
        files_in(&public),
        ["assignments.csv", "index.html", "public.json", "targets.csv"]
            .map(String::from)
            .into()
    );
    let m = json(&public.join("public.json"));
    assert_eq!(m["format"], "spotcheck-public/1");
    let private = std::fs::read(bundle.join("manifest.json")).unwrap();
    assert_eq!(
        m["source_manifest_sha256"],
        spotcheck::base::sha256::sha256_hex(&private)
    );
    for f in ["assignments.csv", "index.html", "targets.csv"] {
        let bytes = std::fs::read(public.join(f)).unwrap();
        assert_eq!(m["files"][f], spotcheck::base::sha256::sha256_hex(&bytes), "{f}");
    }
    let (_, targets) = csv_rows(&public.join("targets.csv"));
    assert_eq!(m["totals"]["targets"], targets.len());

    spotcheck(["verify", &p(&public)]).ok().has(&[
        "verified:",
        "checked:",
        "tickets: each of the",
        "index.html: shows exactly the data",
        "not checked:",
        "that each stratum's N is the true count of eligible firms",
        "check-proof",
        "the seed was chosen by the operator",
    ]);

    // The seed's note and the list of what is withheld follow from the
    // seed's source and the plan; neither is the publisher's to reword.
    let pj = public.join("public.json");
    let honest = json(&pj);
    let mut forged = honest.clone();
    forged["seed"]["note"] = "drawn at the public meeting, notarised".into();
    write_json(&pj, &forged);
    spotcheck(["verify", &p(&public)])
        .expect_code(3)
        .has(&["seed: the note reads"]);
    let mut forged = honest.clone();
    forged["withheld"][0]["item"] = "nothing".into();
    write_json(&pj, &forged);
    spotcheck(["verify", &p(&public)]).expect_code(3).has(&["withheld:"]);
    write_json(&pj, &honest);
    spotcheck(["verify", &p(&public)]).ok();

    // Never over an existing directory.
    spotcheck(["publish", &p(&bundle), "--out", &p(&public)])
        .expect_code(1)
        .has(&["already exists"]);

    // A bundle that does not verify is not published.
    let targets_csv = bundle.join("targets.csv");
    let text = std::fs::read_to_string(&targets_csv).unwrap();
    std::fs::write(&targets_csv, text.replacen(",1,", ",9,", 1)).unwrap();
    let refused = w.path("refused");
    spotcheck(["publish", &p(&bundle), "--out", &p(&refused)])
        .expect_code(3)
        .has(&["NOT VERIFIED", "targets.csv"]);
    assert!(!refused.exists());
}

#[test]
fn ceremony_bundle_publishes_its_evidence_and_tampering_fails_verify() {
    let w = Work::new(None);
    let bundle = w.ceremony("b");
    let public = w.publish(&bundle, "pub");
    for f in ["commitment.json", "secret.txt", "beacon.json"] {
        assert_eq!(
            std::fs::read(public.join(f)).unwrap(),
            std::fs::read(bundle.join(f)).unwrap(),
            "{f} copied as it is"
        );
    }
    let run = spotcheck(["verify", &p(&public)]);
    run.ok().has(&[
        "ceremony: commitment of 2023-09-15T10:00:00Z",
        "drand quicknet round 657413",
        "sample sizes:",
        "teams: each of the",
    ]);
    assert!(!run.stderr.contains("chosen by the operator"), "{run:?}");

    let copy = |name: &str| {
        let to = w.path(name);
        std::fs::create_dir(&to).unwrap();
        for f in files_in(&public) {
            std::fs::copy(public.join(&f), to.join(&f)).unwrap();
        }
        to
    };
    // A changed list: hash mismatch, and the edited ticket is caught.
    let d = copy("t1");
    let path = d.join("targets.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let line = text.lines().nth(1).unwrap();
    let ticket = line.split(',').nth(2).unwrap();
    let forged = format!("0.0{}", &ticket[2..ticket.len() - 1]);
    std::fs::write(&path, text.replacen(ticket, &forged, 1)).unwrap();
    spotcheck(["verify", &p(&d)]).expect_code(3).has(&[
        "NOT VERIFIED",
        "targets.csv: SHA-256",
        "is not ticket(seed, code)",
    ]);
    // The same edit with public.json's hash updated is still caught.
    let m_path = d.join("public.json");
    let mut m = json(&m_path);
    m["files"]["targets.csv"] = spotcheck::base::sha256::sha256_hex(&std::fs::read(&path).unwrap()).into();
    write_json(&m_path, &m);
    spotcheck(["verify", &p(&d)])
        .expect_code(3)
        .has(&["is not ticket(seed, code)"]);

    // Another secret: the ceremony does not hold.
    let d = copy("t2");
    std::fs::write(d.join("secret.txt"), format!("{}\n", "0".repeat(64))).unwrap();
    spotcheck(["verify", &p(&d)])
        .expect_code(3)
        .has(&["secret.txt: SHA-256", "ceremony:"]);

    // Another seed in public.json.
    let d = copy("t3");
    let mut m = json(&d.join("public.json"));
    m["seed"]["value"] = "1".into();
    write_json(&d.join("public.json"), &m);
    spotcheck(["verify", &p(&d)])
        .expect_code(3)
        .has(&["ceremony: the evidence gives the seed"]);

    // A k that does not follow the plan.
    let d = copy("t4");
    let mut m = json(&d.join("public.json"));
    m["strata"][0]["k"] = (m["strata"][0]["k"].as_u64().unwrap() + 1).into();
    write_json(&d.join("public.json"), &m);
    spotcheck(["verify", &p(&d)])
        .expect_code(3)
        .has(&["does not follow the plan's rule"]);

    // A forged Merkle root, or a forged N, consistent with the rest of
    // public.json: the commitment bound both before the randomness.
    let d = copy("t6");
    let mut m = json(&d.join("public.json"));
    let root = m["frame"]["merkle_root"].as_str().unwrap().to_string();
    m["frame"]["merkle_root"] = format!("{}{}", if root.starts_with('0') { "1" } else { "0" }, &root[1..]).into();
    write_json(&d.join("public.json"), &m);
    spotcheck(["verify", &p(&d)])
        .expect_code(3)
        .has(&["ceremony: frame: Merkle root"]);
    let d = copy("t7");
    let mut m = json(&d.join("public.json"));
    m["strata"][0]["n"] = (m["strata"][0]["n"].as_u64().unwrap() + 1).into();
    write_json(&d.join("public.json"), &m);
    spotcheck(["verify", &p(&d)])
        .expect_code(3)
        .has(&["ceremony: frame: stratum 1 (in stratum order) has N ="]);

    // An extra file.
    let d = copy("t5");
    std::fs::write(d.join("extra.txt"), "x").unwrap();
    spotcheck(["verify", &p(&d)])
        .expect_code(3)
        .has(&["extra.txt: in the folder but not listed"]);
}

/// Inspector ids and names, and each drawn firm's class, from a private
/// bundle.
fn private_secrets(bundle: &Path) -> (BTreeSet<String>, BTreeSet<String>, Vec<(String, String)>) {
    let (h, rows) = csv_rows(&bundle.join("assignments.csv"));
    let (id, name) = (column(&h, "inspector_id"), column(&h, "inspector_name"));
    let ids = rows.iter().map(|r| r[id].clone()).collect();
    let names = rows.iter().map(|r| r[name].clone()).collect();
    let (h, rows) = csv_rows(&bundle.join("targets.csv"));
    let (u, c) = (column(&h, "uscc"), column(&h, "credit_class"));
    let classes = rows.iter().map(|r| (r[u].clone(), r[c].clone())).collect();
    (ids, names, classes)
}

#[test]
fn withheld_data_is_absent_from_every_public_file() {
    let w = Work::new(Some("credit_classes = false\ninspector_names = false"));
    let bundle = w.trial("withheld", "b");
    let public = w.publish(&bundle, "pub");
    spotcheck(["verify", &p(&public)]).ok();
    let (ids, names, classes) = private_secrets(&bundle);
    let class_values: BTreeSet<&str> = ["A", "B", "C", "D"].into();

    // The lists: no class or inspector column, and no field holding a
    // class, an inspector id or an inspector name.
    let (h, rows) = csv_rows(&public.join("targets.csv"));
    assert_eq!(h, ["stratum", "rank", "ticket", "uscc", "name", "county", "industry"]);
    let (ha, arows) = csv_rows(&public.join("assignments.csv"));
    assert_eq!(ha, ["uscc", "name", "county", "slot", "department"]);
    for row in rows.iter().chain(&arows) {
        for field in row {
            assert!(!class_values.contains(field.as_str()), "a class in {row:?}");
            assert!(
                !ids.contains(field) && !names.contains(field),
                "an inspector in {row:?}"
            );
        }
    }
    let strata: BTreeSet<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(strata, ["S1", "S2", "S3", "S4"].into());

    // public.json: opaque strata, no class or ratio keys; the plan text
    // (policy) is the only place class names appear.
    let m = json(&public.join("public.json"));
    let mut all = BTreeSet::new();
    keys(&m, &mut all);
    for k in ["credit_class", "ratio", "inspector_id", "inspector_name"] {
        assert!(!all.contains(k), "public.json has a {k} key");
    }
    let withheld: Vec<&str> = m["withheld"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["item"].as_str().unwrap())
        .collect();
    assert!(withheld.contains(&"credit_class") && withheld.contains(&"inspector_names"));

    // Every file: no inspector id or name anywhere, no class cell in the
    // page, and no firm's code next to its class.
    for f in files_in(&public) {
        let text = std::fs::read_to_string(public.join(&f)).unwrap();
        assert!(!text.contains("QDN-SJ-"), "{f} has an inspector id");
        for n in &names {
            assert!(!text.contains(n.as_str()), "{f} has the inspector name {n}");
        }
        for c in &class_values {
            assert!(!text.contains(&format!("<td>{c}</td>")), "{f} has a class cell {c}");
            assert!(!text.contains(&format!(",{c}\n")), "{f} ends a CSV row with class {c}");
        }
        for (uscc, class) in classes.iter().take(300) {
            for pattern in [format!("{uscc},{class},"), format!("{uscc}\",\"{class}")] {
                assert!(!text.contains(&pattern), "{f} gives {uscc}'s class");
            }
        }
    }
    let page = std::fs::read_to_string(public.join("index.html")).unwrap();
    assert!(!page.contains("data-class"));
    assert!(page.contains("执法检查人员的姓名和编号不予公开"));
}

#[test]
fn published_classes_and_names_appear_when_the_plan_allows() {
    let w = Work::new(Some("credit_classes = true\ninspector_names = true"));
    let bundle = w.trial("open", "b");
    let public = w.publish(&bundle, "pub");
    spotcheck(["verify", &p(&public)]).ok();
    let (ids, _, classes) = private_secrets(&bundle);
    let (h, rows) = csv_rows(&public.join("targets.csv"));
    assert_eq!(h.last().map(String::as_str), Some("credit_class"));
    let published: Vec<(String, String)> = rows.iter().map(|r| (r[3].clone(), r[7].clone())).collect();
    assert_eq!(published, classes);
    let (ha, arows) = csv_rows(&public.join("assignments.csv"));
    assert!(ha.contains(&"inspector_name".to_string()));
    let shown: BTreeSet<String> = arows.iter().map(|r| r[column(&ha, "inspector_id")].clone()).collect();
    assert_eq!(shown, ids);
    let m = json(&public.join("public.json"));
    assert_eq!(m["strata"][0]["label"], "A");
    assert_eq!(m["strata"][0]["credit_class"], "A");
    assert!(m["strata"][0].get("label_commitment").is_none());
}

/// Codes of a drawn firm, an eligible firm not drawn and a firm not
/// eligible, found from the private bundle and the demo directory.
fn three_firms(bundle: &Path) -> (String, String, String) {
    let (h, rows) = csv_rows(&bundle.join("targets.csv"));
    let drawn: BTreeSet<String> = rows.iter().map(|r| r[column(&h, "uscc")].clone()).collect();
    let first = rows[0][column(&h, "uscc")].clone();
    let (h, firms) = csv_rows(&repo().join("data/enterprises.csv"));
    let (u, status) = (column(&h, "uscc"), column(&h, "status"));
    let (hh, hist) = csv_rows(&repo().join("data/history.csv"));
    let inspected: BTreeSet<&String> = hist.iter().map(|r| &r[column(&hh, "uscc")]).collect();
    let undrawn = firms
        .iter()
        .find(|f| f[status] == "存续" && !drawn.contains(&f[u]) && !inspected.contains(&f[u]))
        .expect("an undrawn active firm")[u]
        .clone();
    let inactive = firms
        .iter()
        .find(|f| f[status] == "吊销" || f[status] == "注销")
        .expect("an inactive firm")[u]
        .clone();
    (first, undrawn, inactive)
}

fn prove(bundle: &Path, uscc: &str, out: &Path) -> Run {
    spotcheck(["prove", &p(bundle), uscc, "--out", &p(out)])
}

fn check_proof(proof: &Path, public: &Path) -> Run {
    spotcheck(["check-proof", &p(proof), &p(public)])
}

#[test]
fn proofs_check_for_drawn_undrawn_and_ineligible_firms() {
    let w = Work::new(None);
    let bundle = w.ceremony("b");
    let public = w.publish(&bundle, "pub");
    let (drawn, undrawn, inactive) = three_firms(&bundle);

    let proof = w.path("drawn.json");
    prove(&bundle, &drawn, &proof).ok().has(&["drawn, rank 1"]);
    check_proof(&proof, &public).ok().has(&[
        "proof checked",
        "因此被抽中",
        "so it was drawn",
        "leads to public.json's Merkle root",
    ]);
    let v = json(&proof);
    assert_eq!(v["format"], "spotcheck-proof/1");
    assert_eq!(v["drawn"], true);
    assert_eq!(v["rank"], 1);
    assert_eq!(v["stratum"]["public_label"], "S1");
    assert!(v["stratum"]["label_salt"].is_string());

    let proof = w.path("undrawn.json");
    prove(&bundle, &undrawn, &proof).ok().has(&["not drawn"]);
    check_proof(&proof, &public).ok().has(&[
        "因此本次未被抽中",
        "so it was not drawn",
        "larger than the last one drawn",
    ]);

    let proof = w.path("inactive.json");
    prove(&bundle, &inactive, &proof).ok().has(&["not eligible (inactive:"]);
    // SPEC.md §9: an ineligible firm's proof names no stratum, even when
    // its label is one of the draw's strata.
    assert!(
        json(&proof).get("stratum").is_none(),
        "an ineligible firm has no stratum"
    );
    check_proof(&proof, &public)
        .ok()
        .has(&["不属于本次抽查范围", "could not be drawn"]);

    // Codes outside the directory, and never over an existing file.
    prove(&bundle, "91640121750822310D", &w.path("x.json"))
        .expect_code(1)
        .has(&["not in the enterprise directory"]);
    prove(&bundle, "91640121750822310X", &w.path("x.json"))
        .expect_code(1)
        .has(&["not a valid credit code"]);
    prove(&bundle, &drawn, &proof).expect_code(1).has(&["already exists"]);
}

#[test]
fn check_proof_fails_after_any_edit() {
    let w = Work::new(None);
    let bundle = w.ceremony("b");
    let public = w.publish(&bundle, "pub");
    let (drawn, undrawn, inactive) = three_firms(&bundle);
    let proofs: Vec<(String, Value)> = [("drawn", &drawn), ("undrawn", &undrawn), ("inactive", &inactive)]
        .iter()
        .map(|(what, uscc)| {
            let path = w.path(&format!("{what}.json"));
            prove(&bundle, uscc, &path).ok();
            check_proof(&path, &public).ok();
            (what.to_string(), json(&path))
        })
        .collect();
    let edited = w.path("edited.json");
    let fails = |v: &Value, needle: &str| {
        write_json(&edited, v);
        check_proof(&edited, &public)
            .expect_code(3)
            .has(&["PROOF FAILED", needle]);
    };
    // An ineligible firm's proof that names a stratum (a drawn firm's).
    let mut e = proofs[2].1.clone();
    e["stratum"] = proofs[0].1["stratum"].clone();
    fails(&e, "the firm is not eligible, but the proof names a stratum");
    // A file that is not a well-formed proof is an input error (exit 1).
    let malformed = |bytes: &[u8], needle: &str| {
        std::fs::write(&edited, bytes).unwrap();
        let run = check_proof(&edited, &public);
        run.expect_code(1);
        assert!(
            run.stderr.starts_with("spotcheck: error: ")
                && run.stderr.contains("edited.json: ")
                && run.stderr.contains(needle),
            "{run:?}"
        );
    };
    malformed(b"not json", "not a spotcheck proof");
    let mut e = proofs[0].1.clone();
    e["format"] = "spotcheck-proof/9".into();
    malformed(&serde_json::to_vec(&e).unwrap(), "expected \"spotcheck-proof/1\"");
    let mut e = proofs[0].1.clone();
    e.as_object_mut().unwrap().remove("ticket");
    malformed(&serde_json::to_vec(&e).unwrap(), "missing field `ticket`");
    for (what, v) in &proofs {
        println!("editing the {what} proof");
        let mut e = v.clone();
        e["leaf"]["stratum"] = if e["leaf"]["stratum"] == "A" { "B" } else { "A" }.into();
        fails(&e, "do not lead to public.json's Merkle root");
        let mut e = v.clone();
        e["leaf"]["eligibility"] = if e["leaf"]["eligibility"] == "eligible" {
            "recently-inspected"
        } else {
            "eligible"
        }
        .into();
        fails(&e, "Merkle root");
        let mut e = v.clone();
        let mut hop = e["audit_path"][3].as_str().unwrap().to_string();
        hop.replace_range(0..1, if hop.starts_with('0') { "1" } else { "0" });
        e["audit_path"][3] = hop.into();
        fails(&e, "do not lead to public.json's Merkle root");
        let mut e = v.clone();
        e["leaf_index"] = (e["leaf_index"].as_u64().unwrap() + 1).into();
        fails(&e, "Merkle root");
        let mut e = v.clone();
        e["ticket"] = "0.0001".into();
        fails(&e, "is not ticket(public seed, code)");
        if v.get("stratum").is_none() {
            continue; // an ineligible firm's proof names no stratum
        }
        let mut e = v.clone();
        e["stratum"]["index"] = ((e["stratum"]["index"].as_u64().unwrap() + 1) % 4).into();
        fails(&e, "stratum");
        let mut e = v.clone();
        e["stratum"]["k"] = (e["stratum"]["k"].as_u64().unwrap() + 1).into();
        fails(&e, "the proof says N =");
        let mut e = v.clone();
        e["stratum"]["cutoff_ticket"] = "0.5".into();
        fails(&e, "cut-off ticket");
    }
    // Claims about the outcome.
    let (_, d) = &proofs[0];
    let mut e = d.clone();
    e["rank"] = 2.into();
    fails(&e, "targets.csv does not list it so");
    let (_, u) = &proofs[1];
    let mut e = u.clone();
    e["drawn"] = true.into();
    e["rank"] = 1.into();
    fails(&e, "targets.csv does not list it so");

    // Edits to the public bundle.
    let proof = w.path("drawn.json");
    let m_path = public.join("public.json");
    let original = std::fs::read(&m_path).unwrap();
    let mut m = json(&m_path);
    let root = m["frame"]["merkle_root"].as_str().unwrap().to_string();
    m["frame"]["merkle_root"] = format!("{}{}", if root.starts_with('0') { "1" } else { "0" }, &root[1..]).into();
    write_json(&m_path, &m);
    check_proof(&proof, &public).expect_code(3).has(&[
        "Merkle root is not public.json's",
        "do not lead to public.json's Merkle root",
    ]);
    std::fs::write(&m_path, &original).unwrap();
    check_proof(&proof, &public).ok();

    let t_path = public.join("targets.csv");
    let text = std::fs::read_to_string(&t_path).unwrap();
    let without: String = text
        .lines()
        .filter(|l| !l.contains(&drawn))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&t_path, &without).unwrap();
    check_proof(&proof, &public)
        .expect_code(3)
        .has(&["targets.csv is missing or is not the file", "does not list it so"]);
    check_proof(&w.path("undrawn.json"), &public)
        .expect_code(3)
        .has(&["targets.csv is missing or is not the file"]);
    std::fs::write(&t_path, &text).unwrap();
    check_proof(&proof, &public).ok();
}

#[test]
fn the_page_works_in_a_browser() {
    if !browser_wanted("index.html in Chromium (see tests/browser/check.mjs)") {
        return;
    }
    // With credit classes published, the ratios are public and the page
    // checks each stratum's k (the demo plan withholds them).
    let w = Work::new(Some("credit_classes = true\ninspector_names = true"));
    let bundle = w.ceremony("b");
    let public = w.publish(&bundle, "spotcheck-public-classes");
    check_in_browser("check.mjs", &public, "index-classes.png");

    // The demo plan, by a ceremony with a beacon and dice; with the
    // proofs of a drawn, an undrawn and an ineligible firm, which the page
    // checks when pasted (and forged copies, which it refuses).
    let w = Work::new(None);
    let bundle = w.ceremony_with("b", Some("1.3.5./"));
    let public = w.publish(&bundle, "spotcheck-public-demo");
    let proofs = w.path("proofs");
    std::fs::create_dir(&proofs).unwrap();
    let (drawn, undrawn, inactive) = three_firms(&bundle);
    for (name, firm) in [("drawn", &drawn), ("undrawn", &undrawn), ("inactive", &inactive)] {
        prove(&bundle, firm, &proofs.join(format!("{name}.json"))).ok();
    }
    let stdout = check_in_browser_with("check.mjs", &public, "index.png", &[("SPOTCHECK_PROOFS", &proofs)]);
    // The page's own check: its time for the demo's targets, and its
    // section when it passed and when an edited copy failed.
    for line in stdout.lines().filter(|l| l.starts_with("the page checked its")) {
        println!("{line}");
    }
    for shot in [
        "verified.png",
        "verified-ceremony.png",
        "verify-failed.png",
        "verified-files.png",
        "verify-files-failed.png",
        "proof-ok.png",
        "proof-forged.png",
    ] {
        assert!(repo().join("target/test-artifacts").join(shot).exists(), "{shot}");
    }
}

#[test]
fn the_pages_bls_check_works_in_a_browser() {
    if !browser_wanted("the page's BLS check in Chromium (tests/browser/check-bls.mjs)") {
        return;
    }
    let out = Command::new("node")
        .arg(repo().join("tests/browser/check-bls.mjs"))
        .output()
        .expect("run node (is Node.js installed?)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("all browser checks passed"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_long_page_loads_and_checks_itself_in_a_browser() {
    if !browser_wanted("a long list in Chromium (see tests/browser/check-long.mjs)") {
        return;
    }
    // 120,000 demo firms, every eligible one drawn: a list of over
    // 100,000 targets.
    let tmp = tempfile::Builder::new().prefix("spotcheck-public-").tempdir().unwrap();
    let directory = tmp.path().join("enterprises.csv");
    let firms = spotcheck_demo::enterprises(120_000, 20250301);
    spotcheck_demo::write_enterprises_csv(&firms, std::fs::File::create(&directory).unwrap()).unwrap();
    let plan = tmp.path().join("plan.toml");
    std::fs::write(
        &plan,
        format!(
            "[task]\nid = \"LONG-2025\"\nname = \"长名单\"\ndepartment = \"黔东南州市场监督管理局\"\n\
             start = 2025-03-01\nend = 2025-11-30\nitems = [\"企业公示信息\"]\n\n[frame]\nenterprises = \"{}\"\n\n\
             [targets]\nstratify_by = [\"credit_class\"]\nratio = {{ A = \"100%\", B = \"100%\", C = \"100%\", D = \"100%\" }}\n\n\
             [publish]\ncredit_classes = true\n",
            directory.display()
        ),
    )
    .unwrap();
    let bundle = tmp.path().join("b");
    spotcheck(["draw", "--plan", &p(&plan), "--seed", "20250301", "--out", &p(&bundle)]).ok();
    let public = tmp.path().join("spotcheck-public-long");
    spotcheck(["publish", &p(&bundle), "--out", &p(&public)]).ok();
    let (_, rows) = csv_rows(&public.join("targets.csv"));
    assert!(rows.len() > 100_000, "{} targets", rows.len());
    let stdout = check_in_browser("check-long.mjs", &public, "long-verified.png");
    for line in stdout.lines().filter(|l| l.contains("targets: loaded in")) {
        println!("{line}");
    }
}

/// Records the results of the template rows of `bundle` that `pick`
/// takes (`spotcheck results template`, then `record`).
fn record_results(bundle: &Path, work: &Path, pick: impl Fn(usize) -> bool) {
    let template = work.join("template.csv");
    spotcheck(["results", "template", &p(bundle), "--out", &p(&template)]).ok();
    let filled = work.join("filled.csv");
    results_file::fill(&template, &filled, pick);
    spotcheck([
        "results",
        "record",
        &p(bundle),
        "--from",
        &p(&filled),
        "--today",
        "2025-12-31",
    ])
    .ok();
}

#[test]
fn the_results_page_works_in_a_browser() {
    if !browser_wanted("a page with results in Chromium (see tests/browser/results.mjs)") {
        return;
    }
    let w = Work::new(None);
    let bundle = w.ceremony("b");
    record_results(&bundle, w.tmp.path(), |i| i < 40 || i % 29 == 0);
    let public = w.publish(&bundle, "spotcheck-public-results");
    spotcheck(["verify", &p(&public)]).ok();
    check_in_browser("check.mjs", &public, "results-page.png");
    assert!(repo().join("target/test-artifacts/results.png").exists());
}

/// Whether the browser checks are to run (`SPOTCHECK_BROWSER=1`); says
/// which check is skipped when not.
fn browser_wanted(what: &str) -> bool {
    let wanted = std::env::var_os("SPOTCHECK_BROWSER").is_some_and(|v| v == "1");
    if !wanted {
        eprintln!("skipped: set SPOTCHECK_BROWSER=1 to check {what}");
    }
    wanted
}

/// Runs `tests/browser/<script>` in Node on the public bundle `public`,
/// saving its screenshot as `target/test-artifacts/<shot>`, and fails
/// unless every browser check passed; returns what it printed.
fn check_in_browser(script: &str, public: &Path, shot: &str) -> String {
    check_in_browser_with(script, public, shot, &[])
}

/// [`check_in_browser`], with the environment variables `env` set.
fn check_in_browser_with(script: &str, public: &Path, shot: &str, env: &[(&str, &Path)]) -> String {
    let artifacts = repo().join("target/test-artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    let shot = artifacts.join(shot);
    let out = Command::new("node")
        .arg(repo().join("tests/browser").join(script))
        .arg(public)
        .arg(&shot)
        .envs(env.iter().copied())
        .output()
        .expect("run node (is Node.js installed?)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "browser check failed:\n{stdout}\n{stderr}\n(needs: apt-get install chromium fonts-noto-cjk; npm ci in tests/browser)"
    );
    assert!(stdout.contains("all browser checks passed"), "{stdout}");
    assert!(shot.exists());
    stdout.into_owned()
}

#[test]
fn the_batch_page_works_in_a_browser() {
    if !browser_wanted("a batch's index.html in Chromium (see tests/browser/check-batch.mjs)") {
        return;
    }
    let tmp = tempfile::Builder::new().prefix("spotcheck-public-").tempdir().unwrap();
    let bundle = tmp.path().join("b");
    spotcheck([
        "draw",
        "--plan",
        &p(&repo().join("plans/joint-2025.toml")),
        "--seed",
        "20250301-QDN",
        "--out",
        &p(&bundle),
    ])
    .ok();
    let public = tmp.path().join("spotcheck-public-batch");
    spotcheck(["publish", &p(&bundle), "--out", &p(&public)]).ok();
    let stdout = check_in_browser("check-batch.mjs", &public, "batch.png");
    assert!(repo().join("target/test-artifacts/batch-verified-files.png").exists());

    // The same batch by a ceremony with a beacon and dice: the page
    // derives the seed and checks the beacon's signature.
    let commitment = tmp.path().join("commitment.json");
    spotcheck([
        "commit",
        "--plan",
        &p(&repo().join("plans/joint-2025.toml")),
        "--out",
        &p(&commitment),
        "--beacon-round",
        "657413",
        "--dice-event",
        "2023-09-15 11:00 联席会议，三颗骰子",
        "--time",
        "2023-09-15T10:00:00Z",
    ])
    .ok();
    let ceremony = tmp.path().join("c");
    spotcheck([
        "draw",
        "--commitment",
        &p(&commitment),
        "--reveal",
        &p(&tmp.path().join("commitment.secret")),
        "--beacon",
        &p(&repo().join("tests/data/beacon-657413.json")),
        "--dice",
        "2.4.6./",
        "--out",
        &p(&ceremony),
    ])
    .ok();
    let public_ceremony = tmp.path().join("spotcheck-public-batch-ceremony");
    spotcheck(["publish", &p(&ceremony), "--out", &p(&public_ceremony)]).ok();
    check_in_browser("check-batch.mjs", &public_ceremony, "batch-ceremony.png");
    // The page's own check of every task: its time.
    for line in stdout.lines().filter(|l| l.starts_with("the page checked")) {
        println!("{line}");
    }

    // With results: the results announcement after the lookup.
    record_results(&bundle, tmp.path(), |i| i % 7 == 0);
    let public = tmp.path().join("spotcheck-public-batch-results");
    spotcheck(["publish", &p(&bundle), "--out", &p(&public)]).ok();
    check_in_browser("check-batch.mjs", &public, "batch-results-page.png");
    assert!(
        repo()
            .join("target/test-artifacts/batch-results-page-results.png")
            .exists()
    );
}
