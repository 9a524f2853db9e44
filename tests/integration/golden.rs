//! Bundles that must not change: the SHA-256 of `targets.csv`,
//! `assignments.csv` and `manifest.json` of fixed draws, on the committed
//! demo data and on generated directories. A change to the code that
//! changes any of them changes what a published draw replays to; if that
//! is meant, it is a new SPEC version, not an edit of this table.
//!
//! Each draw runs in a work folder laid out like the repository
//! (`plans/`, `data/`, the bundle in `out/`), with relative paths, so that
//! the paths the manifest records are the same on every machine.

use crate::util::*;
use sha2::{Digest, Sha256};
use spotcheck_demo::{DemoConfig, generate};
use std::path::Path;

/// Where a case's directories come from.
#[derive(Clone, Copy)]
enum Data {
    /// The committed files under `data/`.
    Committed,
    /// `generate` with this many firms and this generator seed.
    Generated { firms: usize, seed: u64 },
}

/// One draw and the hashes of its three files (`-` where the file is
/// not written).
struct Case {
    data: Data,
    plan: &'static str,
    seed: &'static str,
    targets: &'static str,
    assignments: &'static str,
    manifest: &'static str,
}

const CASES: &[Case] = &[
    Case {
        data: Data::Committed,
        plan: "demo.toml",
        seed: "20250301",
        targets: "797236a4f31938e06165f3ef0acbec439719f163cf7e3b57cc8455611d3ce5d3",
        assignments: "58aa206758bf240a62d9285fb2d0add8eb7b5d08f89b6784ca7a35e835105149",
        manifest: "086ed36fcb6edd1a8f585056b024c46c6d909d9009a843b3ad8b6b27adccd9ba",
    },
    Case {
        data: Data::Committed,
        plan: "demo.toml",
        seed: "01382438112797316654",
        targets: "612f66c7d02e067e01ed08c4db46119b956f80e406a8971dbac371816c1f4b3d",
        assignments: "b1363df66acc92fd39cf4f47af18c939f11cffd7d78f6692a2bf612e9db39665",
        manifest: "7246c2dd9488b344ecbda0324f4dd1c40b7ce9bab4caf81291d85f00125887fe",
    },
    Case {
        data: Data::Committed,
        plan: "demo-targets.toml",
        seed: "20250301",
        targets: "797236a4f31938e06165f3ef0acbec439719f163cf7e3b57cc8455611d3ce5d3",
        assignments: "-",
        manifest: "5c3e9dc29505209ac36289ebc54131d4b32a4086b6ba251bfccd550c9e67e229",
    },
    Case {
        data: Data::Committed,
        plan: "demo-targets.toml",
        seed: "年度抽查 2025",
        targets: "9b7cad276c25fe0d81e6405766977e4a7d3cbcdb832a794faa6edc4ecdf03a33",
        assignments: "-",
        manifest: "b14bda8121651d1ea330afef393270b05e0b6bbee5c3a81b3133c9799cf87b25",
    },
    Case {
        data: Data::Committed,
        plan: "joint.toml",
        seed: "20250301",
        targets: "c0ef1981a5399795dfc1db4820bf4dcb211f08bd369da89949c893121e841088",
        assignments: "ef005a1a40ce6cda1b6eddf57dc6a0f76f1ba623fe21ff75b8dd4e510c7017c7",
        manifest: "441c40860792df852b61b7d0863d038eb0388111ca18238376fe0341975a3ef0",
    },
    Case {
        data: Data::Committed,
        plan: "joint.toml",
        seed: "7",
        targets: "36730b63a2863bef9f59e56f4d34fbf33bc298391a9769f2d4b4b6e73c615baf",
        assignments: "4231cfd93af46d2383d3a904854c47aac5924f1ab1364d686c59cf10e037d9b2",
        manifest: "57cf4d47641fe41ee1e0a64b5cf3ee11ba7443d8965028a0d39bda0af72345b0",
    },
    Case {
        data: Data::Generated { firms: 20_000, seed: 7 },
        plan: "demo.toml",
        seed: "20250301",
        targets: "3cfe8b25543806f53e05c2cfa1b3b845bf3faf9876d722ee051d42aa0c4d01ca",
        assignments: "da7c59f1348228454f07e9aab86615b2b12e89edefb9df142d271b5beb63528b",
        manifest: "f017a688b7fb2b47a9c5c468c3101bf1d05a4b8fd3e9d2442dcc1c8e46b46478",
    },
    Case {
        data: Data::Generated { firms: 20_000, seed: 7 },
        plan: "joint.toml",
        seed: "42",
        targets: "9e0b5fdfda2f463bd7f3d404ce49ad4e2b18251d763b38f5365f5f05f57aa68c",
        assignments: "e077e8bcdeffb861f47c2e66129560cd4aaeefbf7d0f7536106b117286f3afb1",
        manifest: "3c4db2fef37341aeff269c43c8813b3cd3bbcf023cda72219ed290f0e2eea74a",
    },
    Case {
        data: Data::Generated { firms: 20_000, seed: 7 },
        plan: "demo-targets.toml",
        seed: "42",
        targets: "088d49aa53c66d5712c676ba3a1c764567ce5d76a4feebb0a8243130bc788d2d",
        assignments: "-",
        manifest: "0d3059479d7e63f22b9b2429f5e2c3614d66c17ea1139ebc2058f1c437ab8e2a",
    },
];

fn sha256_file(path: &Path) -> String {
    match std::fs::read(path) {
        Ok(bytes) => hex::encode(Sha256::digest(&bytes)),
        Err(_) => "-".to_string(),
    }
}

/// A work folder with the repository's plans and the case's data.
fn lay_out(data: Data) -> Work {
    let w = Work::new();
    let root = w.root();
    for dir in ["plans", "data"] {
        std::fs::create_dir_all(root.join(dir)).expect("create folder");
    }
    for entry in std::fs::read_dir(repo().join("plans")).expect("plans/") {
        let path = entry.expect("plans/ entry").path();
        std::fs::copy(&path, root.join("plans").join(path.file_name().expect("name"))).expect("copy plan");
    }
    match data {
        Data::Committed => {
            for name in ["enterprises.csv", "history.csv", "inspectors.csv", "conflicts.csv"] {
                std::fs::copy(repo().join("data").join(name), root.join("data").join(name)).expect("copy data");
            }
        }
        Data::Generated { firms, seed } => {
            let config = DemoConfig {
                enterprises: firms,
                inspectors: 300,
                conflicts: 20,
                history: 1000,
                seed,
            };
            generate(&config)
                .write_to_dir(&root.join("data"))
                .expect("write generated data");
        }
    }
    w
}

#[test]
fn bundles_are_byte_identical_to_the_recorded_ones() {
    let mut found = Vec::new();
    let mut wrong = 0;
    for (i, case) in CASES.iter().enumerate() {
        let w = lay_out(case.data);
        let out = format!("out/{i}");
        let plan = format!("plans/{}", case.plan);
        spotcheck_in(
            Some(w.root()),
            ["draw", "--plan", &plan, "--seed", case.seed, "--out", &out],
        )
        .ok();
        let bundle = w.root().join(&out);
        let got = [
            sha256_file(&bundle.join("targets.csv")),
            sha256_file(&bundle.join("assignments.csv")),
            sha256_file(&bundle.join("manifest.json")),
        ];
        if got != [case.targets, case.assignments, case.manifest] {
            wrong += 1;
        }
        found.push(format!(
            "{} {} {}: targets {} assignments {} manifest {}",
            match case.data {
                Data::Committed => "committed".to_string(),
                Data::Generated { firms, seed } => format!("generated({firms}, {seed})"),
            },
            case.plan,
            case.seed,
            got[0],
            got[1],
            got[2]
        ));
    }
    assert_eq!(
        wrong,
        0,
        "{wrong} bundles differ from the recorded ones:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_generator_reproduces_the_committed_demo_data() {
    let w = Work::new();
    let written = generate(&DemoConfig::default())
        .write_to_dir(w.root())
        .expect("write demo data");
    assert_eq!(written.len(), 6, "{written:?}");
    for path in written {
        let name = path.file_name().expect("name").to_string_lossy().into_owned();
        let committed = std::fs::read(repo().join("data").join(&name)).expect("committed file");
        let made = std::fs::read(&path).expect("generated file");
        assert!(made == committed, "data/{name} differs from what the generator writes");
    }
}
