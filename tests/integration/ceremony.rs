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
