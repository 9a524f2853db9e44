//! Errors of the library. Every input error names the file and, where
//! there is one, the line and the column (for a workbook's sheet: the
//! sheet, the row and the column). The office layer adds its own
//! (`office::OfficeError`) for the files it makes.

use std::fmt;
use std::path::PathBuf;

/// Where in an input a problem is, and what was expected there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// The file as the user named it.
    pub path: String,
    /// The sheet, when the file is a workbook: then [`InputError::line`]
    /// is the row as the spreadsheet numbers it.
    pub sheet: Option<String>,
    /// 1-based line number in the file, when the problem is on a line.
    pub line: Option<u64>,
    /// The column (header name), when the problem is in a field.
    pub column: Option<String>,
    /// What is wrong and what was expected.
    pub message: String,
}

impl InputError {
    /// A problem with the whole file.
    pub fn file(path: impl Into<String>, message: impl Into<String>) -> InputError {
        InputError {
            path: path.into(),
            sheet: None,
            line: None,
            column: None,
            message: message.into(),
        }
    }

    /// A problem on one line.
    pub fn line(path: impl Into<String>, line: u64, message: impl Into<String>) -> InputError {
        InputError {
            path: path.into(),
            sheet: None,
            line: Some(line),
            column: None,
            message: message.into(),
        }
    }

    /// A problem in one field of one line.
    pub fn field(
        path: impl Into<String>,
        line: u64,
        column: impl Into<String>,
        message: impl Into<String>,
    ) -> InputError {
        InputError {
            path: path.into(),
            sheet: None,
            line: Some(line),
            column: Some(column.into()),
            message: message.into(),
        }
    }

    /// The same problem, in sheet `sheet` of the workbook (none: as it is).
    /// An error that already names a sheet keeps it.
    pub fn in_sheet(mut self, sheet: Option<&str>) -> InputError {
        if self.sheet.is_none() {
            self.sheet = sheet.map(String::from);
        }
        self
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path)?;
        if let Some(sheet) = &self.sheet {
            write!(f, ", sheet {sheet}")?;
        }
        match (self.line, &self.sheet) {
            (Some(row), Some(_)) => write!(f, ", row {row}")?,
            (Some(line), None) => write!(f, ", line {line}")?,
            (None, _) => {}
        }
        if let Some(column) = &self.column {
            write!(f, ", column {column}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for InputError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sheet_has_rows_a_file_lines() {
        let csv = InputError::field("data/e.csv", 5000, "uscc", "bad");
        assert_eq!(csv.to_string(), "data/e.csv, line 5000, column uscc: bad");
        let xlsx = InputError::field("data/e.xlsx", 5000, "uscc", "bad").in_sheet(Some("企业名录"));
        assert_eq!(
            xlsx.to_string(),
            "data/e.xlsx, sheet 企业名录, row 5000, column uscc: bad"
        );
        assert_eq!(xlsx.clone().in_sheet(Some("other")).sheet.as_deref(), Some("企业名录"));
        assert_eq!(csv.clone().in_sheet(None), csv);
        let whole = InputError::file("data/e.xlsx", "empty").in_sheet(Some("S"));
        assert_eq!(whole.to_string(), "data/e.xlsx, sheet S: empty");
    }
}

/// Everything that can stop a command before it produces a result.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// An input file (directory, history, plan, …) is not as expected.
    #[error("{0}")]
    Input(#[from] InputError),
    /// The output directory already exists.
    #[error(
        "{}: already exists; spotcheck never writes over an earlier output, choose a new name",
        .0.display()
    )]
    OutputExists(PathBuf),
    /// The inputs are valid but the plan cannot be carried out.
    #[error("{0}")]
    Infeasible(String),
    /// A bundle cannot be read as a bundle at all.
    #[error("{path}: {message}")]
    Bundle { path: String, message: String },
}

impl Error {
    /// An I/O error on a path.
    pub fn io(path: impl AsRef<std::path::Path>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.as_ref().display().to_string(),
            source,
        }
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
