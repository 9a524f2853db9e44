//! Reading every input a plan names, once, with its hash.

use crate::base::error::Result;
use crate::inputs::directory::Directory;
use crate::inputs::history::History;
use crate::inputs::inspectors::TeamRules;
use crate::inputs::inspectors::{Conflicts, InspectorDirectory};
use crate::inputs::plan::{Frame, Plan, StratumField, Targets};
use crate::inputs::table::{RawFile, TextEncoding};
use std::collections::{BTreeMap, BTreeSet};
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
    ///
    /// The history and the inspector directory are read on a thread of
    /// their own while the enterprise directory is read; errors are
    /// reported in the same order as if they were read one after another
    /// (enterprises, history, inspectors, conflicts).
    pub fn load(plan: Plan) -> Result<Inputs> {
        plan.check_history_needs()?;
        let read = Read::files(
            &plan.frame,
            &plan.targets.classes,
            plan.inspectors.as_ref(),
            |directory| {
                check_directed_names(&plan.path, &plan.targets, &DirectoryNames::of(directory), directory)?;
                check_stratum_values(&plan.targets.stratify_by, directory)
            },
        )?;
        Ok(Inputs {
            plan,
            enterprises: read.enterprises,
            history: read.history,
            inspectors: read.inspectors,
            conflicts: read.conflicts,
            files: read.files,
        })
    }
}

/// The inputs that plans and batch plans share, read.
pub(crate) struct Read {
    pub enterprises: Directory,
    pub history: Option<History>,
    pub inspectors: Option<InspectorDirectory>,
    pub conflicts: Option<Conflicts>,
    pub files: BTreeMap<String, InputInfo>,
}

impl Read {
    /// Reads the frame's files and, with team rules, the inspector
    /// directory and conflicts. `check` looks at the enterprise directory
    /// before the other files' errors are reported.
    ///
    /// The history and the inspector directory are read on a thread of
    /// their own while the enterprise directory is read; errors are
    /// reported in the same order as if they were read one after another
    /// (enterprises, history, inspectors, conflicts).
    pub(crate) fn files(
        frame: &Frame,
        classes: &[String],
        rules: Option<&TeamRules>,
        check: impl FnOnce(&Directory) -> Result<()>,
    ) -> Result<Read> {
        let mut files = BTreeMap::new();
        let enc = frame.encoding;
        let path = frame.enterprises.resolved.clone();
        let (enterprises, (history, inspector_dir)) = std::thread::scope(|scope| {
            let others = scope.spawn(|| {
                let history = frame
                    .history
                    .as_ref()
                    .map(|p| -> Result<History> { Ok(History::parse(RawFile::read(&p.resolved)?, enc)?) });
                let inspectors = rules.map(|rules| -> Result<InspectorDirectory> {
                    Ok(InspectorDirectory::parse(
                        RawFile::read(&rules.directory.resolved)?,
                        enc,
                    )?)
                });
                (history, inspectors)
            });
            let enterprises = RawFile::read(&path).and_then(|raw| Ok(Directory::parse(raw, enc, classes)?));
            (enterprises, others.join().expect("input thread"))
        });
        let enterprises = enterprises?;
        files.insert(
            "enterprises".to_string(),
            InputInfo {
                path,
                sha256: enterprises.sha256.clone(),
                rows: enterprises.firms.len() as u64,
                encoding: enterprises.encoding,
            },
        );
        check(&enterprises)?;
        let history = match (&frame.history, history) {
            (Some(p), Some(h)) => {
                let h = h?;
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
            _ => None,
        };
        let mut inspectors = None;
        let mut conflicts = None;
        if let (Some(rules), Some(dir)) = (rules, inspector_dir) {
            let path = rules.directory.resolved.clone();
            let dir = dir?;
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
        Ok(Read {
            enterprises,
            history,
            inspectors,
            conflicts,
            files,
        })
    }
}

/// A value of a `stratify_by` field must not hold `/`: stratum labels
/// join the values with `/`, so `批发/零售` + `凯里市` and `批发` +
/// `零售/凯里市` would make one label of two strata. The first firm in
/// file order with such a value is refused, by its line and column.
pub(crate) fn check_stratum_values(fields: &[StratumField], directory: &Directory) -> Result<()> {
    let mut slash: Vec<Option<bool>> = Vec::new();
    for firm in &directory.firms {
        for field in fields {
            let v = match field {
                StratumField::CreditClass => firm.credit_class,
                StratumField::County => firm.county,
                StratumField::Industry => firm.industry,
            };
            let i = v.0 as usize;
            if slash.len() <= i {
                slash.resize(i + 1, None);
            }
            let text = directory.value(v);
            if *slash[i].get_or_insert_with(|| text.contains('/')) {
                return Err(crate::base::error::InputError::field(
                    &directory.path,
                    firm.line,
                    field.name(),
                    format!(
                        "{text:?} holds a \"/\", which joins the values of a stratum label \
                         (targets.stratify_by); write the value without it"
                    ),
                )
                .in_sheet(directory.sheet.as_deref())
                .into());
            }
        }
    }
    Ok(())
}

/// The counties and the industries that a directory names.
pub(crate) struct DirectoryNames<'a> {
    counties: BTreeSet<&'a str>,
    industries: BTreeSet<&'a str>,
}

impl<'a> DirectoryNames<'a> {
    pub(crate) fn of(directory: &'a Directory) -> DirectoryNames<'a> {
        // Which values appear as a county, and as an industry: a mark per
        // value (they are few), not a set that every firm is put into.
        let mut seen: Vec<[bool; 2]> = Vec::new();
        for f in &directory.firms {
            for (k, v) in [f.county, f.industry].into_iter().enumerate() {
                let i = v.0 as usize;
                if seen.len() <= i {
                    seen.resize(i + 1, [false; 2]);
                }
                seen[i][k] = true;
            }
        }
        let named = |k: usize| -> BTreeSet<&'a str> {
            (0..seen.len())
                .filter(|&i| seen[i][k])
                .map(|i| directory.value(crate::inputs::directory::Value(i as u32)))
                .collect()
        };
        DirectoryNames {
            counties: named(0),
            industries: named(1),
        }
    }
}

/// A directed draw's counties and industries must be in the directory: a
/// misspelt name would silently draw nothing from it. `path` is the plan
/// and `prefix` what the keys are written under (`targets.`).
pub(crate) fn check_directed_names(
    path: &str,
    targets: &Targets,
    names: &DirectoryNames,
    directory: &Directory,
) -> Result<()> {
    check_directed_names_under(path, "", targets, names, directory)
}

/// [`check_directed_names`], naming the keys after `prefix` (a batch's
/// task).
pub(crate) fn check_directed_names_under(
    path: &str,
    prefix: &str,
    targets: &Targets,
    names: &DirectoryNames,
    directory: &Directory,
) -> Result<()> {
    for (key, wanted, present) in [
        ("targets.counties", &targets.counties, &names.counties),
        ("targets.industries", &targets.industries, &names.industries),
    ] {
        let Some(wanted) = wanted else { continue };
        for name in wanted {
            if !present.contains(name.as_str()) {
                return Err(crate::base::error::InputError::file(
                    path,
                    format!(
                        "{prefix}{key}: {name:?} does not appear in the enterprise directory {}; check the spelling",
                        directory.path
                    ),
                )
                .into());
            }
        }
    }
    Ok(())
}
