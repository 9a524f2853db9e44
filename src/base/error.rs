//! Errors of the library. Every input error names the file and, where
//! there is one, the line and the column. The office layer adds its own
//! (`office::OfficeError`) for the files it makes.

use std::fmt;
use std::path::PathBuf;

/// Where in an input a problem is, and what was expected there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// The file as the user named it.
    pub path: String,
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
            line: None,
            column: None,
            message: message.into(),
        }
    }

    /// A problem on one line.
    pub fn line(path: impl Into<String>, line: u64, message: impl Into<String>) -> InputError {
        InputError {
            path: path.into(),
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
            line: Some(line),
            column: Some(column.into()),
            message: message.into(),
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path)?;
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
        }
        if let Some(column) = &self.column {
            write!(f, ", column {column}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for InputError {}

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
