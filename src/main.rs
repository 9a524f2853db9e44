//! The `spotcheck` command: parses arguments, calls the library, reports
//! errors. Exit codes: 0 success, 1 error, 2 usage, 3 verification failed.

use chrono::{DateTime, FixedOffset, Utc};
use clap::{Args, Parser, Subcommand};
use spotcheck::base::error::Error;
use spotcheck::bundle::run::{self, SeedSource};
use spotcheck::bundle::write::{write_new_dir, write_new_file};

use spotcheck::bundle::view::BundleView;
use spotcheck::inputs::plan::Overrides;
use spotcheck::inputs::table::TextEncoding;
use spotcheck::office::{OfficeError, listing, notices};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// `println!`, except that a reader of standard output that has gone
/// away (`spotcheck verify DIR | head -1`) is no reason to panic: the
/// rest of the output is dropped, and the exit code stays the command's.
macro_rules! say {
    ($($arg:tt)*) => {
        say_line(format_args!($($arg)*))
    };
}

fn say_line(line: std::fmt::Arguments) {
    if let Err(e) = writeln!(std::io::stdout().lock(), "{line}")
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        eprintln!("spotcheck: error: standard output: {e}");
    }
}

/// Exit code when a bundle does not verify.
const EXIT_VERIFY_FAILED: u8 = 3;

/// Exit code of `status` when results are overdue.
const EXIT_OVERDUE: u8 = 4;

#[derive(Parser)]
#[command(
    name = "spotcheck",
    version,
    about = "Verifiable \"double random, one public\" inspection draws"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// No progress line on standard error (it is shown only when standard
    /// error is a terminal, and never written into a bundle).
    #[arg(long, global = true)]
    quiet: bool,
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
    /// Write an Excel workbook of a bundle, for offices that use Excel or WPS.
    Export(ExportArgs),
    /// Write one printable record form (随机抽查情况记录表) per visit, for
    /// the team to fill in.
    Forms(FormsArgs),
    /// Verify a bundle and write its public version (public.json, lists,
    /// evidence, index.html) as a new directory.
    Publish(PublishArgs),
    /// Write one firm's proof of its place in the draw (for that firm).
    Prove(ProveArgs),
    /// Check a firm's proof against a public bundle.
    CheckProof(CheckProofArgs),
    /// Record the inspections' results, correct them, replace an officer
    /// who cannot go, or export them (SPEC.md §11).
    #[command(subcommand)]
    Results(ResultsCommand),
    /// Show, per task and department, what is recorded and pending and
    /// when results are due; exit code 4 when any are overdue.
    Status(StatusArgs),
}

#[derive(Args)]
struct StatusArgs {
    /// The bundle directory.
    dir: PathBuf,
    /// The day to count from (default: the system's date).
    #[arg(long, value_name = "DATE")]
    today: Option<chrono::NaiveDate>,
    /// A holiday calendar file (date, 休 or 班, name; `# source YEAR:` lines)
    /// instead of the built-in one.
    #[arg(long, value_name = "CSV")]
    calendar: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum ResultsCommand {
    /// Record a file of results (CSV or xlsx), one row per firm and task:
    /// every row, or none.
    Record(RecordArgs),
    /// Record corrections of results already recorded; the old entries stay.
    Correct(CorrectArgs),
    /// Replace an officer who cannot go by the next inspector in the
    /// visit's ranking who passes every rule.
    Substitute(SubstituteArgs),
    /// Write the results file to fill in: one row per firm and task still
    /// without a result, with its team and items.
    Template(TemplateArgs),
    /// Write the results in force as a new directory: the file for the
    /// credit publicity system (CSV and xlsx), the inspection history for
    /// the next plan, and the firms whose credit class should go up.
    Export(ExportResultsArgs),
}

#[derive(Args)]
struct ExportResultsArgs {
    /// The bundle directory.
    dir: PathBuf,
    /// The new directory for the files; must not exist.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

#[derive(Args)]
struct TemplateArgs {
    /// The bundle directory.
    dir: PathBuf,
    /// The CSV file to write; must not exist.
    #[arg(long, value_name = "CSV")]
    out: PathBuf,
}

#[derive(Args)]
struct RecordArgs {
    /// The bundle directory.
    dir: PathBuf,
    /// The results file: CSV (UTF-8 or GB18030) or FILE.xlsx[#SHEET].
    #[arg(long, value_name = "FILE")]
    from: PathBuf,
    /// Encoding of a CSV file: auto, utf-8 or gb18030.
    #[arg(long, value_name = "ENC")]
    encoding: Option<TextEncoding>,
    /// Today's date, for the check that no inspection is in the future
    /// (default: the system's date).
    #[arg(long, value_name = "DATE")]
    today: Option<chrono::NaiveDate>,
}

#[derive(Args)]
struct CorrectArgs {
    #[command(flatten)]
    record: RecordArgs,
    /// Why the results are corrected (kept in the log).
    #[arg(long, value_name = "TEXT")]
    reason: String,
}

#[derive(Args)]
struct SubstituteArgs {
    /// The bundle directory.
    dir: PathBuf,
    /// The firm's code (统一社会信用代码).
    #[arg(long, value_name = "USCC")]
    firm: String,
    /// The task, when the firm has several visits (a batch).
    #[arg(long, value_name = "ID")]
    task: Option<String>,
    /// The officer who cannot go.
    #[arg(long, value_name = "ID")]
    inspector: String,
    /// Why (leave, a conflict found late …; kept in the log).
    #[arg(long, value_name = "TEXT")]
    reason: String,
    #[command(flatten)]
    inputs: InputFlags,
}

#[derive(Args)]
struct PublishArgs {
    /// The (private) bundle directory.
    dir: PathBuf,
    /// The new public directory; must not exist.
    #[arg(long, value_name = "PUBLIC_DIR")]
    out: PathBuf,
    #[command(flatten)]
    inputs: InputFlags,
}

#[derive(Args)]
struct ProveArgs {
    /// The (private) bundle directory.
    dir: PathBuf,
    /// The firm's unified social credit code (统一社会信用代码).
    uscc: String,
    /// The proof file to write; must not exist.
    #[arg(long, value_name = "PROOF.json")]
    out: PathBuf,
    #[command(flatten)]
    inputs: InputFlags,
}

#[derive(Args)]
struct CheckProofArgs {
    /// The proof file (from `spotcheck prove`).
    proof: PathBuf,
    /// The public bundle directory (from `spotcheck publish`).
    public_dir: PathBuf,
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
struct ExportArgs {
    /// The bundle directory.
    dir: PathBuf,
    /// The workbook to write; must not exist.
    #[arg(long, value_name = "FILE")]
    xlsx: PathBuf,
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
struct FormsArgs {
    /// The bundle directory (a plan's or a batch's).
    #[arg(value_name = "BUNDLE")]
    dir: PathBuf,
    /// The new directory for the forms; must not exist.
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
    /// Use this item list (抽查事项清单) instead of the batch plan's.
    #[arg(long, value_name = "CSV")]
    items: Option<PathBuf>,
}

impl InputFlags {
    fn overrides(&self, encoding: Option<TextEncoding>) -> Overrides {
        Overrides {
            enterprises: self.enterprises.clone(),
            history: self.history.clone(),
            inspectors: self.inspectors.clone(),
            conflicts: self.conflicts.clone(),
            items: self.items.clone(),
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
    /// A results head published or noted earlier: the log must still hold
    /// the line it names.
    #[arg(long, value_name = "SHA256")]
    head: Option<String>,
    #[command(flatten)]
    inputs: InputFlags,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if !cli.quiet && std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        spotcheck::base::progress::show();
    }
    // Ctrl-C: a write under way ends first (its output whole, or nothing
    // and no temporary file), and no other starts.
    let _ = ctrlc::set_handler(|| {
        let _stopped = spotcheck::bundle::write::stop_writing();
        spotcheck::base::progress::done();
        eprintln!("spotcheck: interrupted; an output being written was finished first, and nothing partial is left");
        std::process::exit(130);
    });
    let result = dispatch(cli.command);
    spotcheck::base::progress::done();
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("spotcheck: error: {e}");
            ExitCode::from(1)
        }
    }
}

/// Runs one command; the library's error types meet here.
fn dispatch(command: Command) -> Result<ExitCode, Box<dyn std::error::Error>> {
    Ok(match command {
        Command::Commit(a) => commit(a)?,
        Command::Draw(a) => draw(a)?,
        Command::Verify(a) => verify(a)?,
        Command::Assignments(a) => assignments(a)?,
        Command::Notices(a) => notices(a)?,
        Command::Export(a) => export(a)?,
        Command::Forms(a) => forms(a)?,
        Command::Publish(a) => publish(a)?,
        Command::Prove(a) => prove(a)?,
        Command::CheckProof(a) => check_proof(a)?,
        Command::Results(c) => results(c)?,
        Command::Status(a) => status(a)?,
    })
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
    let drawn = run::draw(&source, &a.inputs.overrides(a.encoding), &a.out);
    spotcheck::base::progress::done();
    match drawn? {
        run::Drawn::Plan(b) => say!("{}", spotcheck::bundle::summary::draw_summary(&b.manifest, &a.out)),
        run::Drawn::Batch(b) => say!("{}", spotcheck::bundle::summary::batch_summary(&b.manifest, &a.out)),
    }
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
    let done = run::commit(&req);
    spotcheck::base::progress::done();
    let done = done?;
    let c = &done.commitment;
    say!("commitment written to {} (SHA-256 {})", a.out.display(), done.sha256);
    say!("  committed at {} ({} clock)", c.committed_at, c.clock);
    if c.is_rehearsal() {
        say!("  REHEARSAL: the time was typed in (--time); every draw, check and page from this commitment says so");
    }
    for (role, input) in &c.inputs {
        say!("  {role}: {} rows, SHA-256 {}", input.rows, input.sha256);
    }
    if let Some(b) = &c.beacon {
        say!("  drand quicknet round {} (produced at {})", b.round, b.round_time);
    }
    if let Some(d) = &c.dice {
        say!(
            "  dice: {} at {}",
            spotcheck::seed::ceremony::count(u64::from(d.sources), "source"),
            d.event
        );
    }
    say!(
        "  secret written to {} (mode 0600): keep it private until the draw",
        done.secret_path.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn verify(a: VerifyArgs) -> Result<ExitCode, Error> {
    if spotcheck::public::format::is_public_dir(&a.dir) {
        return verify_public(&a);
    }
    let dir = Path::new(&a.dir);
    let report = spotcheck::results::check::verify(dir, &a.inputs.overrides(None), a.head.as_deref());
    spotcheck::base::progress::done();
    let report = report?;
    if report.ok() {
        say!("verified: {} ({})", a.dir.display(), report.summary);
        for n in &report.notes {
            say!("  {n}");
        }
        for w in &report.warnings {
            eprintln!("{w}");
        }
        Ok(ExitCode::SUCCESS)
    } else {
        say!("NOT VERIFIED: {}", a.dir.display());
        for f in &report.findings {
            say!("  - {f}");
        }
        for w in &report.warnings {
            eprintln!("{w}");
        }
        Ok(ExitCode::from(EXIT_VERIFY_FAILED))
    }
}

fn assignments(a: AssignmentsArgs) -> Result<ExitCode, Error> {
    if spotcheck::bundle::batch::is_batch_bundle(&a.dir) {
        use spotcheck::office::batch_listing::*;
        let l = open_batch_listing(&a.dir, &a.inspector)?;
        let bytes = match a.format {
            Format::Table => batch_listing_table(&l).into_bytes(),
            Format::Csv => batch_listing_csv(&l, a.bom),
            Format::Json => batch_listing_json(&l),
        };
        return match std::io::stdout().lock().write_all(&bytes) {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::io("standard output", e)),
            _ => Ok(ExitCode::SUCCESS),
        };
    }
    let view = BundleView::open_with_teams(&a.dir)?;
    let extras = view.firm_extras();
    let Some(listing) = listing::listing(&view, &a.inspector, &extras) else {
        return Err(Error::Bundle {
            path: a.dir.display().to_string(),
            message: format!("inspector {} has no assignment in this draw", a.inspector),
        });
    };
    let mut out = std::io::stdout().lock();
    let written = match a.format {
        Format::Table => out.write_all(listing::listing_table(&listing).as_bytes()),
        Format::Csv => out.write_all(&listing::listing_csv(&listing, a.bom)),
        Format::Json => {
            let mut json = serde_json::to_vec_pretty(&listing).expect("listing serializes");
            json.push(b'\n');
            out.write_all(&json)
        }
    };
    match written {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => return Err(Error::io("standard output", e)),
        _ => {}
    }
    Ok(ExitCode::SUCCESS)
}

fn notices(a: NoticesArgs) -> Result<ExitCode, OfficeError> {
    let files = if spotcheck::bundle::batch::is_batch_bundle(&a.dir) {
        spotcheck::office::batch_notices::batch_notices_in(&a.dir)?
    } else {
        let view = BundleView::open_with_teams(&a.dir)?;
        notices::notices(&view, &view.firm_extras())?
    };
    write_new_dir(&a.out, &files)?;
    say!(
        "{} notice files (CSV and calendar) written to {}",
        files.len(),
        a.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn forms(a: FormsArgs) -> Result<ExitCode, Error> {
    use spotcheck::office::forms::{form_files, forms_in};
    let set = forms_in(&a.dir)?;
    write_new_dir(&a.out, &form_files(&set))?;
    say!("{} forms written to {}", set.forms.len(), a.out.display());
    Ok(ExitCode::SUCCESS)
}

fn verify_public(a: &VerifyArgs) -> Result<ExitCode, Error> {
    let f = &a.inputs;
    if f.enterprises.is_some() || f.history.is_some() || f.inspectors.is_some() || f.conflicts.is_some() {
        eprintln!("note: input flags do not apply to a public bundle and were ignored");
    }
    let report = if spotcheck::public::batch_format::is_public_batch(&a.dir) {
        spotcheck::public::check_batch::verify_public_batch(&a.dir)?
    } else {
        spotcheck::public::check::verify_public(&a.dir)?
    };
    if report.ok() {
        say!("verified: {} ({})", a.dir.display(), report.summary);
    } else {
        say!("NOT VERIFIED: {}", a.dir.display());
        for f in &report.findings {
            say!("  - {f}");
        }
    }
    if !report.checked.is_empty() {
        say!("checked:");
        for c in &report.checked {
            say!("  - {c}");
        }
    }
    say!("not checked:");
    for n in &report.not_checked {
        say!("  - {n}");
    }
    for w in &report.warnings {
        eprintln!("{w}");
    }
    Ok(if report.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_VERIFY_FAILED)
    })
}

fn publish(a: PublishArgs) -> Result<ExitCode, Error> {
    use spotcheck::public::publish::Published;
    use spotcheck::public::publish_batch::{PublishedBatch, publish_batch};
    let overrides = a.inputs.overrides(None);
    let (line, files, withheld, seed, warnings) = if spotcheck::bundle::batch::is_batch_bundle(&a.dir) {
        match publish_batch(&a.dir, &a.out, &overrides)? {
            PublishedBatch::NotVerified(report) => (Err(report), Default::default(), vec![], None, vec![]),
            PublishedBatch::Written { manifest: m, warnings } => (
                Ok(format!(
                    "published batch {} to {}: {} tasks, {} targets, {} visits{}",
                    m.batch.id,
                    a.out.display(),
                    m.totals.tasks,
                    m.totals.targets,
                    m.totals.visits,
                    results_line(m.results.as_ref())
                )),
                m.files,
                m.withheld,
                Some(m.seed),
                warnings,
            ),
        }
    } else {
        match spotcheck::public::publish::publish(&a.dir, &a.out, &overrides)? {
            Published::NotVerified(report) => (Err(report), Default::default(), vec![], None, vec![]),
            Published::Written { manifest: m, warnings } => (
                Ok(format!(
                    "published {} to {}: {} targets in {} strata{}",
                    m.task.id,
                    a.out.display(),
                    m.totals.targets,
                    m.strata.len(),
                    results_line(m.results.as_ref())
                )),
                m.files,
                m.withheld,
                Some(m.seed),
                warnings,
            ),
        }
    };
    let line = match line {
        Ok(line) => line,
        Err(report) => {
            say!("NOT VERIFIED: {} (nothing published)", a.dir.display());
            for f in &report.findings {
                say!("  - {f}");
            }
            return Ok(ExitCode::from(EXIT_VERIFY_FAILED));
        }
    };
    say!("{line}");
    say!("    public.json");
    let task_lists = files.keys().filter(|n| n.starts_with("tasks/")).count();
    if task_lists > 0 {
        say!("    tasks/<id>/targets.csv ({task_lists} files)");
    }
    for name in files.keys().filter(|n| !n.starts_with("tasks/")) {
        say!("    {name}");
    }
    for w in &withheld {
        say!("  withheld: {}: {}", w.item, w.note);
    }
    if let Some(w) = seed.as_ref().and_then(|s| s.warning()) {
        eprintln!("{w}");
    }
    for w in &warnings {
        eprintln!("{w}");
    }
    Ok(ExitCode::SUCCESS)
}

/// What `publish` says of the results it published.
fn results_line(results: Option<&spotcheck::public::format::PublicResults>) -> String {
    results.map_or_else(String::new, |r| {
        format!(
            "; results announced: {} recorded, {} pending (results.jsonl: {} lines, head {})",
            r.recorded, r.pending, r.lines, r.head
        )
    })
}

fn prove(a: ProveArgs) -> Result<ExitCode, Error> {
    let proof = spotcheck::public::proof::prove(&a.dir, &a.uscc, &a.inputs.overrides(None))?;
    spotcheck::bundle::write::write_new_file(&a.out, &proof.to_bytes(), false)?;
    let outcome = match (&proof.stratum, proof.drawn, proof.rank) {
        (Some(s), true, Some(rank)) => format!("drawn, rank {rank} of {} in stratum {}", s.k, s.public_label),
        (Some(s), false, _) if proof.leaf.eligibility == "eligible" => {
            format!("eligible in stratum {}, not drawn", s.public_label)
        }
        _ => format!("not eligible ({})", proof.leaf.eligibility),
    };
    say!(
        "proof for {} written to {}: {outcome}",
        proof.leaf.uscc,
        a.out.display()
    );
    say!("  it holds the firm's stratum (which may name its credit class): give it to that firm only");
    Ok(ExitCode::SUCCESS)
}

fn check_proof(a: CheckProofArgs) -> Result<ExitCode, Error> {
    let report = spotcheck::public::proof::check_proof(&a.proof, &a.public_dir)?;
    if report.ok() {
        say!("proof checked: {}", a.proof.display());
        for line in &report.explanation {
            say!("{line}");
        }
        say!("checked:");
        for c in &report.checked {
            say!("  - {c}");
        }
        Ok(ExitCode::SUCCESS)
    } else {
        say!("PROOF FAILED: {}", a.proof.display());
        for f in &report.failures {
            say!("  - {f}");
        }
        Ok(ExitCode::from(EXIT_VERIFY_FAILED))
    }
}

fn export(a: ExportArgs) -> Result<ExitCode, OfficeError> {
    if a.xlsx.symlink_metadata().is_ok() {
        return Err(Error::OutputExists(a.xlsx).into());
    }
    if spotcheck::bundle::batch::is_batch_bundle(&a.dir) {
        let (bytes, v) = spotcheck::office::batch_workbook::batch_workbook_in(&a.dir)?;
        write_new_file(&a.xlsx, &bytes, false)?;
        let (t, n) = (v.targets.len(), v.assignments.len());
        say!(
            "workbook written to {} ({t} tasks, {} visits, {n} assignments)",
            a.xlsx.display(),
            v.visits.len()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let view = BundleView::open(&a.dir)?;
    let extras = view.firm_extras();
    let bytes = spotcheck::office::workbook::workbook(&view, &extras)?;
    write_new_file(&a.xlsx, &bytes, false)?;
    say!(
        "workbook written to {} ({} targets, {} assignments)",
        a.xlsx.display(),
        view.targets.len(),
        view.assignments.len()
    );
    Ok(ExitCode::SUCCESS)
}

fn results(c: ResultsCommand) -> Result<ExitCode, OfficeError> {
    use spotcheck::results::record::{Mode, record};
    let today = |t: Option<chrono::NaiveDate>| t.unwrap_or_else(|| chrono::Local::now().date_naive());
    let (a, mode) = match c {
        ResultsCommand::Record(a) => (a, Mode::Record),
        ResultsCommand::Correct(c) => (c.record, Mode::Correct { reason: c.reason }),
        ResultsCommand::Substitute(a) => {
            let s = spotcheck::results::substitute::substitute(
                &a.dir,
                &a.inputs.overrides(None),
                &a.firm,
                a.task.as_deref(),
                &a.inspector,
                &a.reason,
            )?;
            say!(
                "{} {} replaces {} on slot {} ({}) of visit {}: rank {} in the visit's ranking",
                s.entry.substitute,
                s.substitute_name,
                s.entry.replaced,
                s.entry.slot,
                s.entry.department,
                s.entry.visit,
                s.entry.rank
            );
            say!("  logged as line {} of results.jsonl; head {}", s.line, s.head);
            return Ok(ExitCode::SUCCESS);
        }
        ResultsCommand::Template(a) => {
            let opened = spotcheck::results::record::Opened::open(&a.dir)?;
            let state = opened.state()?;
            write_new_file(&a.out, &spotcheck::results::template::template_csv(&state), false)?;
            say!(
                "{} rows to fill in written to {}",
                opened.drawn.inspections.len() - state.recorded(),
                a.out.display()
            );
            return Ok(ExitCode::SUCCESS);
        }
        ResultsCommand::Export(a) => return export_results(&a),
    };
    let r = record(&a.dir, &a.from, a.encoding.unwrap_or_default(), today(a.today), &mode)?;
    let what = match mode {
        Mode::Record => "results",
        Mode::Correct { .. } => "corrections",
    };
    say!(
        "{} {what} recorded from {}: {} of {} results now recorded, {} pending",
        r.added,
        a.from.display(),
        r.recorded,
        r.expected,
        r.expected - r.recorded
    );
    say!("  results.jsonl has {} lines; head {}", r.lines, r.head);
    Ok(ExitCode::SUCCESS)
}

fn status(a: StatusArgs) -> Result<ExitCode, Error> {
    use spotcheck::inputs::holidays::HolidayCalendar;
    let calendar = match &a.calendar {
        Some(path) => HolidayCalendar::parse(spotcheck::inputs::table::RawFile::read(path)?, TextEncoding::Auto)?,
        None => HolidayCalendar::shipped(),
    };
    let opened = spotcheck::results::record::Opened::open(&a.dir)?;
    let state = opened.state()?;
    let today = a.today.unwrap_or_else(|| chrono::Local::now().date_naive());
    let s =
        spotcheck::results::status::status(&state, &calendar, today).map_err(|e| Error::Infeasible(e.to_string()))?;
    if a.json {
        say!("{}", serde_json::to_string_pretty(&s).expect("status serializes"));
    } else {
        say!("{}", s.to_text().trim_end());
    }
    Ok(if s.overdue {
        ExitCode::from(EXIT_OVERDUE)
    } else {
        ExitCode::SUCCESS
    })
}

fn export_results(a: &ExportResultsArgs) -> Result<ExitCode, OfficeError> {
    use spotcheck::results::export::*;
    let (files, e) = spotcheck::office::results_workbook::results_export_in(&a.dir)?;
    write_new_dir(&a.out, &files)?;
    let published = e.publicity.len();
    say!(
        "results of {} exported to {} (results.jsonl head {})",
        e.id,
        a.out.display(),
        e.head
    );
    say!(
        "  {PUBLICITY_CSV}: {published} results in force of {}; {} pending left out",
        e.expected,
        e.pending
    );
    let sheet = spotcheck::office::results_workbook::SHEET_RESULTS;
    say!("  {PUBLICITY_XLSX}: {published} rows on sheet {sheet}");
    say!(
        "  {HISTORY_CSV}: {} rows, {} firms (for the next plan's frame.history)",
        e.history.len(),
        e.history_firms()
    );
    say!(
        "  {FEEDBACK_CSV}: {} firms to raise a credit class; {} already at the highest class left out",
        e.feedback.len(),
        e.not_raised
    );
    Ok(ExitCode::SUCCESS)
}
