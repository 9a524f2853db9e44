//! Recording a file of results, or of corrections, into a bundle's log:
//! every row is checked against the draw and the log so far, and either
//! every row becomes a line of the log or none does.

use crate::base::error::{Error, InputError, Result};
use crate::inputs::results_file::{ResultRow, ResultsFile, group_column};
use crate::inputs::table::{RawFile, TextEncoding};
use crate::results::drawn::Drawn;
use crate::results::log::{self, Body, Chain, Correction, Entry, Inspected, ItemEntry, Source};
use crate::results::state::{Refusal, State};
use chrono::NaiveDate;
use std::path::Path;

/// New results, or corrections of results in force.
#[derive(Debug, Clone)]
pub enum Mode {
    Record,
    Correct { reason: String },
}

/// What a recording did.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// Lines added to the log.
    pub added: usize,
    /// Lines in the log now.
    pub lines: u64,
    /// Inspections with a result in force, of `expected`.
    pub recorded: usize,
    pub expected: usize,
    /// The chain's head now.
    pub head: String,
}

/// A bundle, its log read and checked.
pub struct Opened {
    pub drawn: Drawn,
    pub chain: Chain,
}

impl Opened {
    /// Reads the bundle and its log, and checks the log's chain; a log
    /// that does not check is an error here (`verify` reports it as a
    /// finding).
    pub fn open(dir: &Path) -> Result<Opened> {
        let drawn = Drawn::open(dir)?;
        let bytes = log::read_log_bytes(dir)?;
        let chain = log::check_chain(&bytes, &drawn.manifest_sha256).map_err(|b| broken(dir, b))?;
        Ok(Opened { drawn, chain })
    }

    /// The state after the log's entries, each checked by the rules as it
    /// is applied; the first that breaks one is an error.
    pub fn state(&self) -> Result<State<'_>> {
        State::replay(&self.drawn, &self.chain.entries, None).map_err(|b| broken(&self.drawn.dir, b))
    }
}

/// A log that does not check, as the error of a command that reads it.
fn broken(dir: &Path, b: log::Broken) -> Error {
    Error::Bundle {
        path: dir.display().to_string(),
        message: format!("{b}; nothing was recorded (spotcheck verify checks the whole log)"),
    }
}

/// The time a line is recorded at.
pub fn now() -> String {
    chrono::Local::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

/// Records the rows of `from` (CSV or a sheet of a workbook).
pub fn record(dir: &Path, from: &Path, encoding: TextEncoding, today: NaiveDate, mode: &Mode) -> Result<Recorded> {
    let opened = Opened::open(dir)?;
    let file = ResultsFile::parse(RawFile::read(from)?, encoding, opened.drawn.item_groups())?;
    let mut state = opened.state()?;
    let recorded_at = now();
    let source_name = {
        let (path, _) = crate::inputs::xlsx::locate(from);
        let name = path
            .file_name()
            .map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
        match &file.sheet {
            Some(sheet) => format!("{name}#{sheet}"),
            None => name,
        }
    };
    let mut lines = Vec::new();
    for row in &file.rows {
        let fail = |column: &str, message: String| -> Error { file.error(row.line, column, message).into() };
        let task = resolve_task(&opened.drawn, row).map_err(|(c, m)| fail(c, m))?;
        if row.inspected_on > today {
            return Err(fail(
                "inspected_on",
                format!("{} is in the future (today is {today})", row.inspected_on),
            ));
        }
        let result = Inspected {
            task: task.clone(),
            uscc: row.uscc.clone(),
            inspected_on: row.inspected_on.to_string(),
            inspectors: row.inspectors.clone(),
            result: row.outcome.name().to_string(),
            items: row
                .items
                .iter()
                .map(|i| ItemEntry {
                    item: i.item.clone(),
                    checked: i.checked,
                    method: i.method.clone(),
                    problem: i.problem.clone(),
                    measure: i.measure.clone(),
                })
                .collect(),
            source: Source {
                file: source_name.clone(),
                sha256: file.sha256.clone(),
                line: row.line,
            },
        };
        let body = match mode {
            Mode::Record => Body::Result(result),
            Mode::Correct { reason } => {
                let corrects = opened
                    .drawn
                    .find(&task, &row.uscc)
                    .and_then(|i| state.result_line(i))
                    .unwrap_or(0);
                Body::Correction(Correction {
                    corrects,
                    reason: reason.clone(),
                    result,
                })
            }
        };
        let entry = Entry {
            line: state.entries.len() as u64 + 1,
            prev: state.head.clone(),
            recorded_at: recorded_at.clone(),
            body,
        };
        let line = entry.to_line();
        state
            .apply(entry, None)
            .map_err(|r| Error::from(refusal_in_file(&file, row, r)))?;
        lines.push(line);
    }
    log::append(dir, &opened.chain, &lines)?;
    Ok(Recorded {
        added: lines.len(),
        lines: state.entries.len() as u64,
        recorded: state.recorded(),
        expected: opened.drawn.inspections.len(),
        head: state.head.clone(),
    })
}

/// The task a row is for: its `task` column, or the one task that drew
/// the firm.
fn resolve_task(drawn: &Drawn, row: &ResultRow) -> Result<String, (&'static str, String)> {
    if !row.task.is_empty() {
        return Ok(row.task.clone());
    }
    let tasks = drawn.tasks_of(&row.uscc);
    match tasks[..] {
        [] => Err(("uscc", format!("{} was not drawn in this bundle", row.uscc))),
        [t] => Ok(drawn.tasks[t].id.clone()),
        _ => {
            let ids: Vec<&str> = tasks.iter().map(|&t| drawn.tasks[t].id.as_str()).collect();
            Err((
                "task",
                format!(
                    "empty, but {} was drawn by {} tasks ({}): say which",
                    row.uscc,
                    ids.len(),
                    ids.join(", ")
                ),
            ))
        }
    }
}

/// A refusal as an error at the row and column of the file.
fn refusal_in_file(file: &ResultsFile, row: &ResultRow, r: Refusal) -> InputError {
    let column = match &r.item {
        Some(item) => {
            let g = row
                .items
                .iter()
                .find(|i| &i.item == item)
                .map_or(row.items.len() + 1, |i| i.group);
            let field = match r.column.as_str() {
                "measure" => 4,
                "checked" => 1,
                _ => 0,
            };
            group_column(field, g)
        }
        None if r.column == "item" => group_column(0, row.items.len() + 1),
        None => r.column.clone(),
    };
    file.error(row.line, &column, r.message)
}
