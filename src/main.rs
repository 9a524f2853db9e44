//! The `spotcheck` command: parses arguments, calls the library, reports
//! errors. Exit codes: 0 success, 1 error, 2 usage, 3 verification failed.

use chrono::{DateTime, FixedOffset, Utc};
use clap::{Args, Parser, Subcommand};
use spotcheck::bundle;
use spotcheck::error::Error;
use spotcheck::run::{self, SeedSource};

use spotcheck::notices;
use spotcheck::plan::Overrides;
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
    /// Publish a commitment to the inputs and to future public randomness.
    Commit(CommitArgs),
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
    /// The plan (TOML), for a trial draw with --seed.
    #[arg(
        long,
        value_name = "TOML",
        required_unless_present = "commitment",
        conflicts_with = "commitment"
    )]
    plan: Option<PathBuf>,
    /// The seed, as text, for a trial draw: the manifest records that the
    /// operator chose it.
    #[arg(long, value_name = "S", requires = "plan")]
    seed: Option<String>,
    /// The published commitment (from `spotcheck commit`).
    #[arg(long, value_name = "JSON", requires = "reveal")]
    commitment: Option<PathBuf>,
    /// The secret file written by `spotcheck commit`, revealed now.
    #[arg(long, value_name = "FILE", requires = "commitment")]
    reveal: Option<PathBuf>,
    /// The committed drand round, as drand's HTTP API returns it.
    #[arg(long, value_name = "JSON", requires = "commitment")]
    beacon: Option<PathBuf>,
    /// The dice or lottery numbers drawn at the committed event.
    #[arg(long, value_name = "NUMBERS", requires = "commitment")]
    dice: Option<String>,
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
struct CommitArgs {
    /// The plan (TOML).
    #[arg(long, value_name = "TOML")]
    plan: PathBuf,
    /// The commitment file to publish; must not exist.
    #[arg(long, value_name = "JSON")]
    out: PathBuf,
    /// Where to write the secret (mode 0600); default: OUT with the
    /// extension .secret. Keep it private until the draw.
    #[arg(long, value_name = "FILE")]
    secret_out: Option<PathBuf>,
    /// Commit to the first drand quicknet round at or after this time,
    /// e.g. 2025-03-01T10:00:00+08:00 (the public draw meeting).
    #[arg(long, value_name = "TIME", conflicts_with = "beacon_round")]
    beacon_at: Option<DateTime<FixedOffset>>,
    /// Commit to this drand quicknet round.
    #[arg(long, value_name = "R")]
    beacon_round: Option<u64>,
    /// Commit to dice or lottery numbers drawn at this public event.
    #[arg(long, value_name = "TEXT")]
    dice_event: Option<String>,
    /// How many sources (dice, lotteries) the dice string will have.
    #[arg(long, value_name = "N", default_value_t = 1, requires = "dice_event")]
    dice_sources: u32,
    /// The commitment this one replaces, for a re-draw.
    #[arg(long, value_name = "JSON")]
    replaces: Option<PathBuf>,
    /// The commitment time instead of the system clock (rehearsals).
    #[arg(long, value_name = "TIME")]
    time: Option<DateTime<FixedOffset>>,
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
        Command::Commit(a) => commit(a),
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
    let source = match (a.plan, a.seed, a.commitment, a.reveal) {
        (Some(plan), Some(seed), None, None) => SeedSource::Operator { plan, seed },
        (None, None, Some(commitment), Some(secret)) => SeedSource::Ceremony {
            commitment,
            secret,
            beacon: a.beacon,
            dice: a.dice,
        },
        (Some(_), None, _, _) => usage("--plan needs --seed (a trial); a public draw uses --commitment and --reveal"),
        _ => usage("give either --plan and --seed, or --commitment and --reveal"),
    };
    let b = run::draw(&source, &a.inputs.overrides(a.encoding), &a.out)?;
    println!("{}", spotcheck::summary::draw_summary(&b.manifest, &a.out));
    Ok(ExitCode::SUCCESS)
}

fn usage(message: &str) -> ! {
    use clap::CommandFactory;
    Cli::command()
        .error(clap::error::ErrorKind::ArgumentConflict, message)
        .exit()
}

fn commit(a: CommitArgs) -> Result<ExitCode, Error> {
    let req = run::CommitRequest {
        plan: a.plan,
        out: a.out.clone(),
        secret_out: a.secret_out,
        beacon_round: a.beacon_round,
        beacon_at: a.beacon_at.map(|t| t.with_timezone(&Utc)),
        dice_event: a.dice_event,
        dice_sources: a.dice_sources,
        replaces: a.replaces,
        time: a.time.map(|t| t.with_timezone(&Utc)),
        overrides: a.inputs.overrides(a.encoding),
    };
    let done = run::commit(&req)?;
    let c = &done.commitment;
    println!("commitment written to {} (SHA-256 {})", a.out.display(), done.sha256);
    println!("  committed at {} ({} clock)", c.committed_at, c.clock);
    for (role, input) in &c.inputs {
        println!("  {role}: {} rows, SHA-256 {}", input.rows, input.sha256);
    }
    if let Some(b) = &c.beacon {
        println!("  drand quicknet round {} (produced at {})", b.round, b.round_time);
    }
    if let Some(d) = &c.dice {
        println!("  dice: {} source(s) at {}", d.sources, d.event);
    }
    println!(
        "  secret written to {} (mode 0600): keep it private until the draw",
        done.secret_path.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn verify(a: VerifyArgs) -> Result<ExitCode, Error> {
    let report = spotcheck::verify::verify(Path::new(&a.dir), &a.inputs.overrides(None))?;
    if report.ok() {
        println!("verified: {} ({})", a.dir.display(), report.summary);
        for n in &report.notes {
            println!("  {n}");
        }
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
