//! An input file as a plan names it: the words written, and the file
//! they name.

use std::path::{Path, PathBuf};

/// An input file named by a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputPath {
    /// As written in the plan (or on the command line).
    pub written: String,
    /// Resolved against the plan's folder.
    pub resolved: PathBuf,
}

impl InputPath {
    /// A path written in a plan, resolved against the plan's folder `base`.
    pub fn in_plan(written: String, base: &Path) -> InputPath {
        InputPath {
            resolved: base.join(&written),
            written,
        }
    }

    /// A path given on the command line, taken as it is.
    pub fn given(path: &Path) -> InputPath {
        InputPath {
            written: path.display().to_string(),
            resolved: path.to_path_buf(),
        }
    }
}
