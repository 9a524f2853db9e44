//! Writes the reproducible Qiandongnan demo data set.
//!
//! ```text
//! cargo run --release -p spotcheck-demo -- \
//!     [--out data] [--enterprises 80000] [--inspectors 700] \
//!     [--conflicts 30] [--history 3000] [--seed 20250301] [--n N]
//! ```
//!
//! `--n N` writes a directory of N firms (20,000,000 for a province) one
//! row at a time; the other files stay the size of the demo's.
//!
//! The defaults reproduce the committed files under `data/` byte for byte.
//! All the work is done by the `spotcheck_demo` library beside it.

use std::path::PathBuf;
use std::process::ExitCode;

use spotcheck_demo::{self as demo, DemoConfig};

const USAGE: &str = "usage: generate_demo_data [--out DIR] [--enterprises N] [--inspectors N] \
                     [--conflicts N] [--history N] [--seed N] [--n N]
       generate_demo_data --batch-tasks N [--out DIR] [--seed N]

Writes the demo data (enterprises.csv, inspectors.csv, conflicts.csv, history.csv, items.csv and a
GB18030 sample) into DIR (default data; the defaults reproduce the committed files). With
--batch-tasks N it writes only batch.toml, a benchmark batch plan of N small tasks over 2025, and
the item list items.csv it names; the plan reads enterprises.csv, history.csv and inspectors.csv
from DIR too, so generate the data there first. With --n N, enterprises.csv has N firms, written
one at a time (a province's directory: --n 20000000, about 1.9 GB); its first rows are the demo's, and
the other files are made from at most the first --enterprises of them.";

/// What the command line asks for.
struct Args {
    out: PathBuf,
    config: DemoConfig,
    batch_tasks: Option<usize>,
    /// `--n`: the directory's size, written as a stream.
    directory_rows: Option<usize>,
}

fn parse_args() -> Result<Args, String> {
    let mut out = PathBuf::from("data");
    let mut config = DemoConfig::default();
    let mut batch_tasks = None;
    let mut directory_rows = None;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "-h" || flag == "--help" {
            return Err(String::new());
        }
        let (name, inline) = match flag.split_once('=') {
            Some((n, v)) => (n.to_string(), Some(v.to_string())),
            None => (flag.clone(), None),
        };
        let value = match inline.or_else(|| args.next()) {
            Some(v) => v,
            None => return Err(format!("{name} needs a value")),
        };
        let number = || -> Result<u64, String> {
            value
                .parse::<u64>()
                .map_err(|_| format!("{name} expects a whole number, got {value:?}"))
        };
        match name.as_str() {
            "--out" => out = PathBuf::from(&value),
            "--enterprises" => config.enterprises = number()? as usize,
            "--inspectors" => config.inspectors = number()? as usize,
            "--conflicts" => config.conflicts = number()? as usize,
            "--history" => config.history = number()? as usize,
            "--seed" => config.seed = number()?,
            "--batch-tasks" => batch_tasks = Some(number()? as usize),
            "--n" => directory_rows = Some(number()? as usize),
            _ => return Err(format!("unknown option {name}")),
        }
    }
    if batch_tasks == Some(0) {
        return Err("--batch-tasks needs at least one task".to_string());
    }
    if let Some(n) = directory_rows {
        config.enterprises = config.enterprises.min(n);
    }
    Ok(Args {
        out,
        config,
        batch_tasks,
        directory_rows,
    })
}

fn main() -> ExitCode {
    let Args {
        out,
        config,
        batch_tasks,
        directory_rows,
    } = match parse_args() {
        Ok(parsed) => parsed,
        Err(message) => {
            if message.is_empty() {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if let Some(tasks) = batch_tasks {
        return match demo::batch::write_batch_plan(&out, tasks, config.seed) {
            Ok(paths) => {
                for path in paths {
                    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
                    println!("wrote {} ({size} bytes)", path.display());
                }
                println!("batch plan of {tasks} tasks (seed {})", config.seed);
                ExitCode::SUCCESS
            }
            Err(err) => {
                eprintln!("error: writing {}: {err}", out.display());
                ExitCode::FAILURE
            }
        };
    }
    let data = demo::generate(&config);
    match data.write_to_dir_with_directory(&out, directory_rows.map(|n| (n, config.seed))) {
        Ok(paths) => {
            for path in paths {
                let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
                println!("wrote {} ({size} bytes)", path.display());
            }
            println!(
                "{} enterprises, {} inspectors, {} conflicts, {} past inspections (seed {})",
                directory_rows.unwrap_or(data.enterprises.len()),
                data.inspectors.len(),
                data.conflicts.len(),
                data.history.len(),
                config.seed
            );
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: writing {}: {err}", out.display());
            ExitCode::FAILURE
        }
    }
}
