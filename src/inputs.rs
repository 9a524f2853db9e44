//! Reading every input a plan names, once, with its hash.

use crate::directory::Directory;
use crate::error::Result;
use crate::history::History;
use crate::inspectors::{Conflicts, InspectorDirectory};
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
    /// The inspector directory, when the plan draws teams.
    pub inspectors: Option<InspectorDirectory>,
    /// The recusal list, when the plan has one.
    pub conflicts: Option<Conflicts>,
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
        check_directed_names(&plan, &enterprises)?;
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
        let mut inspectors = None;
        let mut conflicts = None;
        if let Some(rules) = &plan.inspectors {
            let path = rules.directory.resolved.clone();
            let dir = InspectorDirectory::parse(RawFile::read(&path)?, enc)?;
            files.insert(
                "inspectors".to_string(),
                InputInfo {
                    path,
                    sha256: dir.sha256.clone(),
                    rows: dir.inspectors.len() as u64,
                    encoding: dir.encoding,
                },
            );
            if let Some(p) = &rules.conflicts {
                let c = Conflicts::parse(RawFile::read(&p.resolved)?, enc, &dir, &enterprises)?;
                files.insert(
                    "conflicts".to_string(),
                    InputInfo {
                        path: p.resolved.clone(),
                        sha256: c.sha256.clone(),
                        rows: c.rows as u64,
                        encoding: c.encoding,
                    },
                );
                conflicts = Some(c);
            }
            inspectors = Some(dir);
        }
        Ok(Inputs {
            plan,
            enterprises,
            history,
            inspectors,
            conflicts,
            files,
        })
    }
}

/// A directed draw's counties and industries must be in the directory: a
/// misspelt name would silently draw nothing from it.
fn check_directed_names(plan: &Plan, directory: &Directory) -> Result<()> {
    let t = &plan.targets;
    for (key, names, is_county) in [
        ("targets.counties", &t.counties, true),
        ("targets.industries", &t.industries, false),
    ] {
        let Some(names) = names else { continue };
        let present: std::collections::BTreeSet<&str> = directory
            .firms
            .iter()
            .map(|f| directory.value(if is_county { f.county } else { f.industry }))
            .collect();
        for name in names {
            if !present.contains(name.as_str()) {
                return Err(crate::error::InputError::file(
                    &plan.path,
                    format!(
                        "{key}: {name:?} does not appear in the enterprise directory {}; check the spelling",
                        directory.path
                    ),
                )
                .into());
            }
        }
    }
    Ok(())
}
