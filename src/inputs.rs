//! Reading every input a plan names, once, with its hash.

use crate::directory::Directory;
use crate::error::Result;
use crate::history::History;
use crate::plan::Plan;
use crate::table::{RawFile, TextEncoding};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Facts about one input file, for the manifest and the commitment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputInfo {
    /// Where it was read from.
    pub path: PathBuf,
    pub sha256: String,
    pub rows: u64,
    pub encoding: TextEncoding,
}

/// A plan and everything it reads.
#[derive(Debug, Clone)]
pub struct Inputs {
    pub plan: Plan,
    pub enterprises: Directory,
    pub history: Option<History>,
    /// Input files by role (`enterprises`, `history`, …), in name order.
    pub files: BTreeMap<String, InputInfo>,
}

impl Inputs {
    /// Reads and checks every input of `plan`.
    pub fn load(plan: Plan) -> Result<Inputs> {
        let mut files = BTreeMap::new();
        let enc = plan.frame.encoding;
        let path = plan.frame.enterprises.resolved.clone();
        let raw = RawFile::read(&path)?;
        let enterprises = Directory::parse(raw, enc, &plan.targets.classes)?;
        files.insert(
            "enterprises".to_string(),
            InputInfo {
                path,
                sha256: enterprises.sha256.clone(),
                rows: enterprises.firms.len() as u64,
                encoding: enterprises.encoding,
            },
        );
        let history = match &plan.frame.history {
            None => None,
            Some(p) => {
                let raw = RawFile::read(&p.resolved)?;
                let h = History::parse(raw, enc)?;
                files.insert(
                    "history".to_string(),
                    InputInfo {
                        path: p.resolved.clone(),
                        sha256: h.sha256.clone(),
                        rows: h.rows as u64,
                        encoding: h.encoding,
                    },
                );
                Some(h)
            }
        };
        Ok(Inputs {
            plan,
            enterprises,
            history,
            files,
        })
    }
}
