//! The README shows what the program really prints: its demo command is
//! run as written, and the summary block quoted under it must be what
//! the command prints.

use crate::util::*;

/// The README's text.
fn readme() -> String {
    std::fs::read_to_string(repo().join("README.md")).expect("README.md")
}

/// The arguments of the README's demo draw (`cargo run --release -- …`),
/// up to `--out`, whose value each run chooses itself.
fn demo_command_args(readme: &str) -> Vec<String> {
    let line = readme
        .lines()
        .find(|l| l.starts_with("cargo run --release -- draw "))
        .expect("README has the demo draw command");
    let args: Vec<String> = line["cargo run --release -- ".len()..]
        .split_whitespace()
        .take_while(|a| *a != "--out")
        .map(str::to_string)
        .collect();
    assert!(
        args.iter().all(|a| !a.contains(['"', '\'', '$'])),
        "unexpected shell syntax: {args:?}"
    );
    args
}

/// The first code block after the sentence that introduces the summary.
fn quoted_summary(readme: &str) -> Vec<String> {
    let at = readme
        .find("After a draw spotcheck prints:")
        .expect("README introduces the summary");
    let rest = &readme[at..];
    let start = rest.find("```\n").expect("a code block follows") + 4;
    let end = start + rest[start..].find("```").expect("the code block ends");
    rest[start..end].lines().map(str::to_string).collect()
}

#[test]
fn the_readme_summary_is_what_the_demo_command_prints() {
    let text = readme();
    let quoted = quoted_summary(&text);
    assert!(
        quoted.len() > 5 && quoted.iter().any(|l| l.contains("targets drawn")),
        "{quoted:?}"
    );
    let w = Work::new();
    let out = w.out("demo");
    let mut args = demo_command_args(&text);
    args.push("--out".into());
    args.push(out.display().to_string());
    let run = spotcheck_in(Some(&repo()), &args);
    run.ok();
    let printed: Vec<&str> = run.stdout.lines().collect();
    for (i, line) in quoted.iter().enumerate() {
        assert_eq!(
            printed.get(i).copied(),
            Some(line.as_str()),
            "README.md's summary differs from what `spotcheck {}` prints, at its line {}:\n{}",
            args.join(" "),
            i + 1,
            run.stdout
        );
    }
}

#[test]
fn the_readme_batch_lines_are_what_the_batch_draw_prints() {
    let text = readme();
    let line = text
        .lines()
        .find(|l| l.starts_with("spotcheck draw --plan plans/joint-2025.toml --seed "))
        .expect("README has the batch draw command");
    let args: Vec<String> = line["spotcheck ".len()..]
        .split_whitespace()
        .take_while(|a| *a != "--out")
        .map(str::to_string)
        .collect();
    let at = text
        .find("The summary of that draw ends with:")
        .expect("README quotes the batch summary");
    let rest = &text[at..];
    let start = rest.find("```\n").expect("a code block follows") + 4;
    let end = start + rest[start..].find("```").expect("the code block ends");
    let quoted: Vec<&str> = rest[start..end].lines().collect();
    assert!(quoted.iter().any(|l| l.contains("visits to")), "{quoted:?}");
    let w = Work::new();
    let mut args = args;
    args.push("--out".into());
    args.push(w.out("batch").display().to_string());
    let run = spotcheck_in(Some(&repo()), &args);
    run.ok();
    for q in quoted {
        assert!(
            run.stdout.lines().any(|l| l == q),
            "README.md quotes {q:?}, which `spotcheck {}` does not print:\n{}",
            args.join(" "),
            run.stdout
        );
    }
}
