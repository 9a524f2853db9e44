//! The `spotcheck` command: parses arguments, calls the library, reports
//! errors. Exit codes: 0 success, 1 error, 2 usage, 3 verification failed.

use clap::{Args, Parser, Subcommand};
use spotcheck::bundle::{self, Provenance};
use spotcheck::error::Error;
use spotcheck::inputs::Inputs;
use spotcheck::manifest::{SeedRecord, tool_version};
use spotcheck::notices;
use spotcheck::plan::{Overrides, Plan};
use spotcheck::table::TextEncoding;
use spotcheck::view::BundleView;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Exit code when a bundle does not verify.
const EXIT_VERIFY_FAILED: u8 = 3;

#[derive(Parser)]
#[command(
    name = "spotcheck",
    version,
    about = "Verifiable \"double random, one public\" inspection draws"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Draw inspection targets (and teams) and write a new bundle.
    Draw(DrawArgs),
    /// Replay a bundle and check that it is exactly what its inputs give.
    Verify(VerifyArgs),
    /// Show one inspector's assignments from a bundle.
    Assignments(AssignmentsArgs),
    /// Write one notice file per inspector, ready to hand out.
    Notices(NoticesArgs),
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Table,
    Csv,
    Json,
}

#[derive(Args)]
struct AssignmentsArgs {
    /// The bundle directory.
    dir: PathBuf,
    /// The inspector's id (执法人员编号).
    #[arg(long, value_name = "ID")]
    inspector: String,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// Start CSV output with a UTF-8 BOM, for Excel.
    #[arg(long)]
    bom: bool,
}

#[derive(Args)]
struct NoticesArgs {
    /// The bundle directory.
    dir: PathBuf,
    /// The new directory for the notices; must not exist.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

#[derive(Args)]
struct InputFlags {
    /// Use this enterprise directory instead of the plan's.
    #[arg(long, value_name = "CSV")]
    enterprises: Option<PathBuf>,
    /// Use this inspection history instead of the plan's.
    #[arg(long, value_name = "CSV")]
    history: Option<PathBuf>,
    /// Use this inspector directory instead of the plan's.
    #[arg(long, value_name = "CSV")]
    inspectors: Option<PathBuf>,
    /// Use this conflict (recusal) list instead of the plan's.
    #[arg(long, value_name = "CSV")]
    conflicts: Option<PathBuf>,
}

impl InputFlags {
    fn overrides(&self, encoding: Option<TextEncoding>) -> Overrides {
        Overrides {
            enterprises: self.enterprises.clone(),
            history: self.history.clone(),
            inspectors: self.inspectors.clone(),
            conflicts: self.conflicts.clone(),
            encoding,
        }
    }
}

#[derive(Args)]
struct DrawArgs {
    /// The plan (TOML).
    #[arg(long, value_name = "TOML")]
    plan: PathBuf,
    /// The seed, as text. For trials: the manifest records that the
    /// operator chose it.
    #[arg(long, value_name = "S")]
    seed: String,
    /// The new bundle directory; must not exist.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Encoding of the CSV inputs: auto, utf-8 or gb18030.
    #[arg(long, value_name = "ENC")]
    encoding: Option<TextEncoding>,
    #[command(flatten)]
    inputs: InputFlags,
}

#[derive(Args)]
struct VerifyArgs {
    /// The bundle directory.
    dir: PathBuf,
    #[command(flatten)]
    inputs: InputFlags,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Draw(a) => draw(a),
        Command::Verify(a) => verify(a),
        Command::Assignments(a) => assignments(a),
        Command::Notices(a) => notices(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("spotcheck: error: {e}");
            ExitCode::from(1)
        }
    }
}

fn draw(a: DrawArgs) -> Result<ExitCode, Error> {
    if a.out.symlink_metadata().is_ok() {
        return Err(Error::OutputExists(a.out));
    }
    let mut plan = Plan::load(&a.plan)?;
    plan.apply(&a.inputs.overrides(a.encoding));
    let inputs = Inputs::load(plan)?;
    let provenance = Provenance {
        tool: tool_version(),
        plan_path: a.plan.display().to_string(),
        input_paths: inputs
            .files
            .iter()
            .map(|(role, info)| (role.clone(), bundle::relative_path(&info.path, &a.out)))
            .collect(),
        seed: SeedRecord {
            value: a.seed,
            source: "operator".into(),
            note: "typed on the command line with --seed; suitable for trials, not for a public draw".into(),
        },
    };
    let (_, b) = bundle::make(&inputs, &provenance)?;
    bundle::write_new_dir(&a.out, &b.files)?;
    println!("{}", spotcheck::summary::draw_summary(&b.manifest, &a.out));
    Ok(ExitCode::SUCCESS)
}

fn verify(a: VerifyArgs) -> Result<ExitCode, Error> {
    let report = spotcheck::verify::verify(Path::new(&a.dir), &a.inputs.overrides(None))?;
    if report.ok() {
        println!("verified: {} ({})", a.dir.display(), report.summary);
        for w in &report.warnings {
            eprintln!("{w}");
        }
        Ok(ExitCode::SUCCESS)
    } else {
        println!("NOT VERIFIED: {}", a.dir.display());
        for f in &report.findings {
            println!("  - {f}");
        }
        for w in &report.warnings {
            eprintln!("{w}");
        }
        Ok(ExitCode::from(EXIT_VERIFY_FAILED))
    }
}

fn assignments(a: AssignmentsArgs) -> Result<ExitCode, Error> {
    let view = BundleView::open(&a.dir)?;
    if view.assignments.is_empty() {
        return Err(Error::Bundle {
            path: a.dir.display().to_string(),
            message: "this draw has no teams (the plan had no [inspectors] table)".into(),
        });
    }
    let extras = view.firm_extras();
    let Some(listing) = notices::listing(&view, &a.inspector, &extras) else {
        return Err(Error::Bundle {
            path: a.dir.display().to_string(),
            message: format!("inspector {} has no assignment in this draw", a.inspector),
        });
    };
    let mut out = std::io::stdout().lock();
    let written = match a.format {
        Format::Table => out.write_all(notices::listing_table(&listing).as_bytes()),
        Format::Csv => out.write_all(&notices::listing_csv(&listing, a.bom)),
        Format::Json => {
            let mut json = serde_json::to_vec_pretty(&listing).expect("listing serializes");
            json.push(b'\n');
            out.write_all(&json)
        }
    };
    written.map_err(|e| Error::io("standard output", e))?;
    Ok(ExitCode::SUCCESS)
}

fn notices(a: NoticesArgs) -> Result<ExitCode, Error> {
    let view = BundleView::open(&a.dir)?;
    if view.assignments.is_empty() {
        return Err(Error::Bundle {
            path: a.dir.display().to_string(),
            message: "this draw has no teams (the plan had no [inspectors] table)".into(),
        });
    }
    let extras = view.firm_extras();
    let files = notices::notices(&view, &extras);
    bundle::write_new_dir(&a.out, &files)?;
    println!("{} notices written to {}", files.len(), a.out.display());
    Ok(ExitCode::SUCCESS)
}
