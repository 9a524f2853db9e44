//! The short report printed after a draw.

use crate::bundle::manifest::Manifest;
use std::fmt::Write;
use std::path::Path;

/// A text table of strata, totals and where the files went.
pub fn draw_summary(manifest: &Manifest, dir: &Path) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{} {}", manifest.task.id, manifest.task.name);
    let width = manifest
        .strata
        .iter()
        .map(|r| display_width(&r.label))
        .max()
        .unwrap_or(7)
        .max(7);
    let _ = writeln!(
        s,
        "  {}  {:>7} {:>7} {:>6}  {:>11}",
        pad("stratum", width),
        "N",
        "k",
        "ratio",
        "probability"
    );
    for r in &manifest.strata {
        let _ = writeln!(
            s,
            "  {}  {:>7} {:>7} {:>6}  {:>11}",
            pad(&r.label, width),
            r.n,
            r.k,
            r.ratio,
            r.probability
        );
    }
    let t = &manifest.totals;
    let _ = writeln!(
        s,
        "  {} strata; {} targets drawn from {} eligible firms ({} in the directory, {} excluded)",
        t.strata, t.targets, t.eligible, t.directory_rows, manifest.excluded.total
    );
    if let Some(teams) = &manifest.teams {
        let heading = format!(
            "teams of {}: {{}} inspectors used; assignments per inspector",
            teams.team_size
        );
        team_lines(&mut s, teams, &heading, "assignments");
    }
    seed_lines(&mut s, &manifest.seed);
    let _ = write!(s, "  written to {}", dir.display());
    for name in manifest.outputs.keys() {
        let _ = write!(s, "\n    {name}");
    }
    let _ = write!(s, "\n    manifest.json");
    s
}

/// The load lines: `heading` (with `{}` for the inspectors used), the
/// load's spread, and a line per department counting its `places`.
fn team_lines(s: &mut String, teams: &crate::bundle::manifest::TeamSummary, heading: &str, places: &str) {
    let _ = writeln!(
        s,
        "  {} min {} / median {} / max {}",
        heading.replacen("{}", &teams.inspectors_used.to_string(), 1),
        teams.load_min,
        teams.load_median,
        teams.load_max
    );
    for (dept, d) in &teams.departments {
        let _ = writeln!(
            s,
            "    {dept}: {} inspectors, {} {places}, at most {} each",
            d.inspectors_used, d.assignments, d.load_max
        );
    }
}

/// The seed, and a rehearsal's warning.
fn seed_lines(s: &mut String, seed: &crate::seed::record::SeedRecord) {
    let _ = writeln!(s, "  seed ({}): {}", seed.source, seed.value);
    if seed.ceremony.as_ref().is_some_and(|c| c.rehearsal) {
        let _ = writeln!(
            s,
            "  REHEARSAL: the commitment's time was typed in (commit --time); this is not a public draw"
        );
    }
}

/// Columns a string takes in a terminal: two for CJK characters.
fn display_width(s: &str) -> usize {
    s.chars().map(|c| if (c as u32) >= 0x1100 { 2 } else { 1 }).sum()
}

fn pad(s: &str, width: usize) -> String {
    format!("{s}{}", " ".repeat(width.saturating_sub(display_width(s))))
}

/// The report after a batch: per task one line, then the visits, the
/// load and where the files went.
pub fn batch_summary(manifest: &crate::bundle::batch::BatchManifest, dir: &Path) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{} {}", manifest.batch.id, manifest.batch.name);
    let width = manifest
        .tasks
        .iter()
        .map(|t| display_width(&t.id))
        .max()
        .unwrap_or(4)
        .max(4);
    let _ = writeln!(
        s,
        "  {}  {:<10} {:<10} {:>7} {:>7}  name",
        pad("task", width),
        "start",
        "end",
        "N",
        "k",
    );
    let shown = 30;
    for t in manifest.tasks.iter().take(shown) {
        let _ = writeln!(
            s,
            "  {}  {:<10} {:<10} {:>7} {:>7}  {}",
            pad(&t.id, width),
            t.start,
            t.end,
            t.totals.eligible,
            t.totals.targets,
            t.name
        );
    }
    if manifest.tasks.len() > shown {
        let _ = writeln!(
            s,
            "  … and {} more tasks (manifest.json lists them all)",
            manifest.tasks.len() - shown
        );
    }
    let t = &manifest.totals;
    let _ = writeln!(
        s,
        "  {} tasks; {} targets; {} visits to {} firms ({} visits carry more than one task)",
        t.tasks, t.targets, t.visits, t.firms, t.joint_visits
    );
    if let Some(teams) = &manifest.teams {
        let heading = "teams: {} inspectors used; visits per inspector over the batch";
        team_lines(&mut s, teams, heading, "places on teams");
    }
    seed_lines(&mut s, &manifest.seed);
    let _ = write!(s, "  written to {}", dir.display());
    let tasks = manifest.outputs.keys().filter(|n| n.starts_with("tasks/")).count();
    let _ = write!(s, "\n    tasks/<id>/targets.csv ({tasks} files)");
    for name in manifest.outputs.keys().filter(|n| !n.starts_with("tasks/")) {
        let _ = write!(s, "\n    {name}");
    }
    let _ = write!(s, "\n    manifest.json");
    s
}
