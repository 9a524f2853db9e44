//! The seed ceremony end to end: commit, draw from the commitment with
//! the drand round and dice, verify; and tampering with each piece of
//! evidence.

use crate::util::*;
use spotcheck_demo::{DemoConfig, generate};
use std::path::{Path, PathBuf};

const BEACON_ROUND: &str = "657413";
/// Before round 657413 (produced 2023-09-15T11:00:03Z).
const COMMIT_TIME: &str = "2023-09-15T10:00:00Z";
const DICE: &str = "1.3.5./2.4.6./";

/// A work folder with a generated world (firms, inspectors, conflicts,
/// history) and a plan that draws teams.
fn world() -> Work {
    let w = Work::new();
    let data = generate(&DemoConfig {
        enterprises: 3000,
        inspectors: 300,
        conflicts: 20,
        history: 300,
        seed: 7,
    });
    data.write_to_dir(&w.root().join("in")).expect("write demo data");
    let plan = r#"[task]
id = "T-2025-C"
name = "仪式测试"
department = "黔东南州市场监督管理局"
start = 2025-03-01
end = 2025-11-30

[frame]
enterprises = "enterprises.csv"
history = "history.csv"

[targets]
stratify_by = ["credit_class"]
ratio = { A = "1%", B = "3%", C = "10%", D = "30%" }
exclude_inspected_within_days = 365

[inspectors]
directory = "inspectors.csv"
conflicts = "conflicts.csv"
team = { "市场监管局" = 2 }
"#;
    w.write("plan.toml", plan);
    w
}

fn beacon() -> PathBuf {
    repo().join("tests/data/beacon-657413.json")
}

fn commit(w: &Work, name: &str, extra: &[&str]) -> Run {
    let mut args: Vec<String> = vec![
        "commit".into(),
        "--plan".into(),
        w.input("plan.toml").display().to_string(),
        "--out".into(),
        w.root().join(name).display().to_string(),
        "--beacon-round".into(),
        BEACON_ROUND.into(),
        "--time".into(),
        COMMIT_TIME.into(),
        "--dice-event".into(),
        "公开摇号会".into(),
        "--dice-sources".into(),
        "2".into(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    spotcheck(args)
}

fn ceremony_draw(w: &Work, commitment: &str, out: &Path, dice: &str) -> Run {
    let c = w.root().join(commitment);
    spotcheck([
        "draw".to_string(),
        "--commitment".into(),
        c.display().to_string(),
        "--reveal".into(),
        c.with_extension("secret").display().to_string(),
        "--beacon".into(),
        beacon().display().to_string(),
        "--dice".into(),
        dice.into(),
        "--out".into(),
        out.display().to_string(),
    ])
}

#[test]
fn full_ceremony_commit_draw_verify() {
    let w = world();
    commit(&w, "commitment.json", &[])
        .ok()
        .stdout_has(&["round 657413", "mode 0600"]);
    let secret = w.root().join("commitment.secret");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&secret).unwrap().permissions().mode() & 0o777, 0o600);
    let public = std::fs::read_to_string(w.root().join("commitment.json")).unwrap();
    let key = std::fs::read_to_string(&secret).unwrap();
    assert!(
        !public.contains(key.trim()),
        "the secret must not be in the public commitment"
    );

    let b1 = w.out("b1");
    ceremony_draw(&w, "commitment.json", &b1, DICE).ok();
    let m = manifest(&b1);
    assert_eq!(m.seed.source, "ceremony");
    assert_eq!(m.seed.ceremony.as_ref().unwrap().beacon_round, Some(657413));
    verify(&b1, &[]).ok().stdout_has(&["verified", "round 657413"]);

    // The same commitment drawn again gives the identical bundle.
    let b2 = w.out("b2");
    ceremony_draw(&w, "commitment.json", &b2, DICE).ok();
    assert_eq!(snapshot(&b1), snapshot(&b2));
}

#[test]
fn draw_refuses_changed_inputs_bad_dice_and_wrong_secret() {
    let w = world();
    commit(&w, "commitment.json", &[]).ok();
    // Dice not in canonical order, or with a missing source.
    ceremony_draw(&w, "commitment.json", &w.out("x"), "5.3.1./2.4.6./")
        .error(&["spotcheck: error: --dice: ", "1.3.5./2.4.6./"]);
    ceremony_draw(&w, "commitment.json", &w.out("x"), "1.3.5./")
        .error(&["spotcheck: error: --dice: 1 source given, 2 sources committed"]);
    assert_no_output(&w.out("x"));
    // An input edited after the commitment.
    let history = w.input("history.csv");
    let text = std::fs::read_to_string(&history).unwrap();
    let edited = text.replacen("2024-", "2023-", 1);
    assert_ne!(text, edited);
    std::fs::write(&history, edited).unwrap();
    ceremony_draw(&w, "commitment.json", &w.out("x"), DICE)
        .error(&["history.csv: input history has changed since the commitment"]);
    assert_no_output(&w.out("x"));
    std::fs::write(&history, text).unwrap();
    // A secret that does not match.
    std::fs::write(w.root().join("commitment.secret"), format!("{}\n", "ab".repeat(32))).unwrap();
    ceremony_draw(&w, "commitment.json", &w.out("x"), DICE)
        .error(&["commitment.secret: SHA-256 of the revealed secret"]);
    assert_no_output(&w.out("x"));
}

/// A bad beacon file is named as itself, not as the commitment.
#[test]
fn a_bad_beacon_file_is_named() {
    let w = world();
    commit(&w, "commitment.json", &[]).ok();
    let c = w.root().join("commitment.json");
    let bad = w.write("bad-beacon.json", "{\"round\": 657413}");
    let run = spotcheck([
        "draw".to_string(),
        "--commitment".into(),
        c.display().to_string(),
        "--reveal".into(),
        c.with_extension("secret").display().to_string(),
        "--beacon".into(),
        bad.display().to_string(),
        "--dice".into(),
        DICE.into(),
        "--out".into(),
        w.out("x").display().to_string(),
    ]);
    run.error(&["bad-beacon.json: "]);
    assert!(!run.stderr.contains("commitment.json"), "{run:?}");
    assert_no_output(&w.out("x"));
}

#[test]
fn a_round_before_the_commitment_is_refused() {
    let w = world();
    let run = spotcheck([
        "commit",
        "--plan",
        &w.input("plan.toml").display().to_string(),
        "--out",
        &w.root().join("c.json").display().to_string(),
        "--beacon-round",
        BEACON_ROUND,
        "--time",
        "2023-09-16T00:00:00Z",
    ]);
    run.error(&["657413", "not after the commitment time"]);
    assert!(!w.root().join("c.json").exists() && !w.root().join("c.secret").exists());
}

#[test]
fn a_redraw_names_the_commitment_it_replaces() {
    let w = world();
    commit(&w, "c1.json", &[]).ok();
    let old = w.root().join("c1.json");
    commit(&w, "c2.json", &["--replaces", &old.display().to_string()]).ok();
    let b = w.out("redraw");
    ceremony_draw(&w, "c2.json", &b, DICE).ok();
    let replaces = manifest(&b).seed.ceremony.unwrap().replaces.unwrap();
    assert_eq!(
        replaces,
        spotcheck::base::sha256::sha256_hex(&std::fs::read(&old).unwrap())
    );
    verify(&b, &[]).ok().stdout_has(&["replaces"]);
    // Commit never writes over a published commitment.
    commit(&w, "c1.json", &[]).error(&["already exists"]);
}

/// Tampering with each piece of evidence makes verify fail with exit 3 and
/// name the piece.
#[test]
fn tampering_with_each_piece_fails_verify() {
    let w = world();
    commit(&w, "commitment.json", &[]).ok();
    let honest = w.out("honest");
    ceremony_draw(&w, "commitment.json", &honest, DICE).ok();

    let copy = |name: &str| {
        let dir = w.out(name);
        std::fs::create_dir_all(&dir).unwrap();
        for (file, bytes) in snapshot(&honest) {
            std::fs::write(dir.join(file), bytes).unwrap();
        }
        dir
    };
    let edit = |dir: &Path, file: &str, from: &str, to: &str| {
        let p = dir.join(file);
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.contains(from), "{file} lacks {from:?}");
        std::fs::write(&p, text.replacen(from, to, 1)).unwrap();
    };

    let d = copy("secret");
    let key = std::fs::read_to_string(d.join("secret.txt")).unwrap();
    let flipped = if key.starts_with('0') {
        key.replacen('0', "1", 1)
    } else {
        format!("0{}", &key[1..])
    };
    std::fs::write(d.join("secret.txt"), flipped).unwrap();
    verify(&d, &[]).not_verified(&["secret"]);

    let d = copy("beacon");
    edit(&d, "beacon.json", "b713718a", "b713718b");
    verify(&d, &[]).not_verified(&["beacon"]);

    let d = copy("beacon-round");
    edit(&d, "beacon.json", "657413", "657414");
    verify(&d, &[]).not_verified(&["beacon"]);

    let d = copy("commitment");
    edit(&d, "commitment.json", COMMIT_TIME, "2023-09-15T09:00:00Z");
    verify(&d, &[]).not_verified(&["commitment"]);

    let d = copy("dice");
    edit(&d, "manifest.json", DICE, "1.3.5./2.4.7./");
    verify(&d, &[]).not_verified(&["ceremony"]);

    // An input edited after the draw no longer matches the commitment.
    let d = copy("input");
    let conflicts = w.input("conflicts.csv");
    let text = std::fs::read_to_string(&conflicts).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    std::fs::write(&conflicts, format!("{}\n", lines[..lines.len() - 1].join("\n"))).unwrap();
    verify(&d, &[]).not_verified(&["conflicts"]);
    std::fs::write(&conflicts, text).unwrap();
    verify(&d, &[]).ok();
}

#[test]
fn trial_seed_is_marked_and_warned() {
    let w = world();
    let b = w.out("trial");
    draw(&w.input("plan.toml"), "007", &b, &[]).ok();
    assert_eq!(manifest(&b).seed.source, "operator");
    let run = verify(&b, &[]);
    run.ok();
    assert!(run.stderr.contains("chosen by the operator"), "{run:?}");
}

fn publish(bundle: &Path, out: &Path) -> Run {
    spotcheck([
        "publish".to_string(),
        bundle.display().to_string(),
        "--out".into(),
        out.display().to_string(),
    ])
}

/// A commitment whose time was typed in (`--time`) is a rehearsal in the
/// draw summary, the manifest, verify, publish, public.json and the page.
#[test]
fn a_rehearsal_says_so_everywhere() {
    let w = world();
    commit(&w, "commitment.json", &[])
        .ok()
        .stdout_has(&["given clock", "REHEARSAL"]);
    let b = w.out("rehearsal");
    ceremony_draw(&w, "commitment.json", &b, DICE)
        .ok()
        .stdout_has(&["REHEARSAL"]);
    let m = manifest(&b);
    let record = m.seed.ceremony.as_ref().unwrap();
    assert!(record.rehearsal);
    assert!(m.seed.note.starts_with("REHEARSAL"), "{}", m.seed.note);
    let run = verify(&b, &[]);
    run.ok()
        .stdout_has(&["REHEARSAL", "not checked: that commitment.json was public"]);
    assert!(run.stderr.contains("warning: REHEARSAL"), "{run:?}");
    let p = w.out("rehearsal-public");
    let run = publish(&b, &p);
    run.ok();
    assert!(run.stderr.contains("warning: REHEARSAL"), "{run:?}");
    let public: serde_json::Value = serde_json::from_slice(&std::fs::read(p.join("public.json")).unwrap()).unwrap();
    assert_eq!(public["seed"]["ceremony"]["rehearsal"], serde_json::Value::Bool(true));
    let page = std::fs::read_to_string(p.join("index.html")).unwrap();
    assert!(page.contains("id=\"rehearsal\""), "the page has no rehearsal banner");
    assert!(page.contains("演练") && page.contains("Rehearsal"));
    assert!(page.contains("id=\"not-checked-publication\""));
    let run = verify(&p, &[]);
    run.ok().stdout_has(&["not checked:", "archived copy"]);
    assert!(run.stderr.contains("warning: REHEARSAL"), "{run:?}");
}

/// A commitment on the computer's clock is no rehearsal, and its records
/// carry no rehearsal field at all.
#[test]
fn a_commitment_on_the_clock_is_no_rehearsal() {
    let w = world();
    let c = w.root().join("live.json");
    spotcheck([
        "commit",
        "--plan",
        &w.input("plan.toml").display().to_string(),
        "--out",
        &c.display().to_string(),
        "--dice-event",
        "公开摇号会",
    ])
    .ok()
    .stdout_has(&["system clock"]);
    let b = w.out("live");
    let run = spotcheck([
        "draw".to_string(),
        "--commitment".into(),
        c.display().to_string(),
        "--reveal".into(),
        c.with_extension("secret").display().to_string(),
        "--dice".into(),
        "4./".into(),
        "--out".into(),
        b.display().to_string(),
    ]);
    run.ok();
    assert!(!run.stdout.contains("REHEARSAL"), "{run:?}");
    let text = std::fs::read_to_string(b.join("manifest.json")).unwrap();
    assert!(!text.contains("rehearsal") && !text.contains("REHEARSAL"));
    let run = verify(&b, &[]);
    run.ok();
    assert!(!run.stderr.contains("REHEARSAL"), "{run:?}");
    let p = w.out("live-public");
    publish(&b, &p).ok();
    let page = std::fs::read_to_string(p.join("index.html")).unwrap();
    assert!(!page.contains("id=\"rehearsal\""));
    assert!(page.contains("id=\"not-checked-publication\""));

    // A rehearsal (back-dated with --time) cannot replace it, nor can a
    // commitment replace a later one.
    let rerun = commit(&w, "redo.json", &["--replaces", &c.display().to_string()]);
    rerun.error(&["live.json: --replaces:", "later than the new one"]);
    assert!(!w.root().join("redo.json").exists());
    spotcheck([
        "commit",
        "--plan",
        &w.input("plan.toml").display().to_string(),
        "--out",
        &w.root().join("redo.json").display().to_string(),
        "--dice-event",
        "公开摇号会",
        "--time",
        "2099-01-01T00:00:00Z",
        "--replaces",
        &c.display().to_string(),
    ])
    .error(&["live.json: --replaces:", "a rehearsal (--time) cannot replace it"]);
    assert!(!w.root().join("redo.json").exists());
}

/// Rewrites a commitment file with `edit` applied to its JSON.
fn edit_commitment(path: &Path, edit: impl FnOnce(&mut serde_json::Value)) {
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    edit(&mut v);
    let mut bytes = serde_json::to_vec_pretty(&v).unwrap();
    bytes.push(b'\n');
    std::fs::write(path, bytes).unwrap();
}

/// The commitment binds the frame: its Merkle root and each stratum's N,
/// worked out at commit time, are the draw's; a draw whose inputs give
/// another frame is refused, and so is a bundle whose commitment differs.
#[test]
fn the_commitment_binds_the_frame() {
    let w = world();
    commit(&w, "commitment.json", &[]).ok();
    let c: serde_json::Value =
        serde_json::from_slice(&std::fs::read(w.root().join("commitment.json")).unwrap()).unwrap();
    assert_eq!(c["version"], "spotcheck-commit/2");
    let b = w.out("bound");
    ceremony_draw(&w, "commitment.json", &b, DICE).ok();
    let m = manifest(&b);
    assert_eq!(c["frame"]["merkle_root"], m.frame.merkle_root.as_str());
    assert_eq!(c["frame"]["leaves"], m.frame.leaves);
    assert_eq!(c["frame"]["leaf_format"], m.frame.leaf_format.as_str());
    let n: Vec<u64> = m.strata.iter().map(|s| s.n).collect();
    assert_eq!(c["frame"]["strata_n"], serde_json::json!(n));
    let run = verify(&b, &[]);
    run.ok();
    assert!(!run.stdout.contains("does not bind the frame"), "{run:?}");

    // A commitment naming another root, or another N, gives no draw.
    for (name, edit) in [("root.json", "merkle_root"), ("n.json", "strata_n")] {
        std::fs::copy(w.root().join("commitment.json"), w.root().join(name)).unwrap();
        std::fs::copy(
            w.root().join("commitment.secret"),
            w.root().join(name).with_extension("secret"),
        )
        .unwrap();
        edit_commitment(&w.root().join(name), |v| {
            if edit == "merkle_root" {
                v["frame"]["merkle_root"] = "0".repeat(64).into();
            } else {
                let first = v["frame"]["strata_n"][0].as_u64().unwrap();
                v["frame"]["strata_n"][0] = (first + 1).into();
            }
        });
        let out = w.out(name);
        ceremony_draw(&w, name, &out, DICE).error(&[name, "do not give the committed frame", "frame:"]);
        assert_no_output(&out);
    }

    // A bundle whose commitment names another root does not verify.
    let d = w.out("forged-root");
    std::fs::create_dir_all(&d).unwrap();
    for (file, bytes) in snapshot(&b) {
        std::fs::write(d.join(file), bytes).unwrap();
    }
    edit_commitment(&d.join("commitment.json"), |v| {
        v["frame"]["merkle_root"] = "0".repeat(64).into();
    });
    verify(&d, &[]).not_verified(&["frame: Merkle root"]);
}

/// A commitment of format 1 (no frame) still gives a draw that verifies,
/// privately and publicly, with a note that it does not bind the frame.
#[test]
fn a_format_1_commitment_still_verifies_with_a_note() {
    let w = world();
    commit(&w, "commitment.json", &[]).ok();
    edit_commitment(&w.root().join("commitment.json"), |v| {
        v["version"] = "spotcheck-commit/1".into();
        v.as_object_mut().unwrap().remove("frame");
    });
    let b = w.out("old");
    ceremony_draw(&w, "commitment.json", &b, DICE).ok();
    verify(&b, &[]).ok().stdout_has(&["does not bind the frame"]);
    let p = w.out("old-public");
    publish(&b, &p).ok();
    verify(&p, &[]).ok().stdout_has(&["does not bind the frame"]);

    // A format 1 commitment with a frame, or format 2 without, is refused.
    let c = w.root().join("commitment.json");
    edit_commitment(&c, |v| v["version"] = "spotcheck-commit/2".into());
    ceremony_draw(&w, "commitment.json", &w.out("x"), DICE).error(&["must have \"frame\""]);
}
