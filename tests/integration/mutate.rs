//! A short run of `scripts/mutate.py`: single-byte changes of a trial
//! bundle, a ceremony bundle, its public bundle and two proofs must each
//! be refused by `verify` or `check-proof` (exit 3 or 1), never accepted
//! (exit 0, but for the parts the script lists as known) and never make
//! the binary panic. The long run (README.md, "Checking a draw") is the
//! same script with larger numbers.
//!
//! The script needs only Python 3's standard library. The interpreter is
//! `SPOTCHECK_PYTHON`, else `python3` on the path; without either this
//! test prints a note and passes, unless `CI` or `SPOTCHECK_REQUIRE_PYTHON`
//! is set.

use crate::util::*;
use std::path::PathBuf;
use std::process::Command;

fn required() -> bool {
    ["CI", "SPOTCHECK_REQUIRE_PYTHON"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()))
}

/// An interpreter that runs Python 3, or `None` (skip).
fn python() -> Option<PathBuf> {
    let candidates: Vec<PathBuf> = std::env::var_os("SPOTCHECK_PYTHON")
        .filter(|s| !s.is_empty())
        .map(PathBuf::from)
        .into_iter()
        .chain([PathBuf::from("python3")])
        .collect();
    for p in candidates {
        let ok = Command::new(&p)
            .args(["-c", "import sys; assert sys.version_info >= (3, 8)"])
            .output()
            .is_ok_and(|o| o.status.success());
        if ok {
            return Some(p);
        }
    }
    assert!(
        !required(),
        "no Python 3 for scripts/mutate.py (SPOTCHECK_PYTHON or python3)"
    );
    eprintln!("note: no Python 3 found; skipping the mutation run (scripts/mutate.py)");
    None
}

#[test]
fn single_byte_changes_are_never_accepted_and_never_panic() {
    let Some(python) = python() else { return };
    let out = Command::new(python)
        .arg(repo().join("scripts/mutate.py"))
        .args([
            "--per-target",
            "60",
            "--seed",
            "20250301",
            "--firms",
            "1500",
            "--bin",
            bin(),
        ])
        .output()
        .expect("run scripts/mutate.py");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "scripts/mutate.py found a hole or a panic:\n{text}"
    );
    // The table has a row per target, and the total counts every mutation.
    let total = text
        .lines()
        .find(|l| l.starts_with("total"))
        .unwrap_or_else(|| panic!("no total row:\n{text}"));
    let counts: Vec<u64> = total.split_whitespace().skip(1).map(|n| n.parse().unwrap()).collect();
    assert_eq!(counts[0], 240, "4 targets × 60 mutations:\n{text}");
    assert_eq!(&counts[5..], &[0, 0], "no holes, no panics:\n{text}");
    eprintln!("{text}");
}
