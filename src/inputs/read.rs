//! Reading every input a plan names, once, with its hash.

use crate::base::error::Result;
use crate::inputs::directory::Directory;
use crate::inputs::history::History;
use crate::inputs::inspectors::{Conflicts, InspectorDirectory};
use crate::inputs::plan::Plan;
use crate::inputs::table::{RawFile, TextEncoding};
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
    ///
    /// The history and the inspector directory are read on a thread of
    /// their own while the enterprise directory is read; errors are
    /// reported in the same order as if they were read one after another
    /// (enterprises, history, inspectors, conflicts).
    pub fn load(plan: Plan) -> Result<Inputs> {
        plan.check_history_needs()?;
        let mut files = BTreeMap::new();
        let enc = plan.frame.encoding;
        let path = plan.frame.enterprises.resolved.clone();
        let (enterprises, (history, inspector_dir)) = std::thread::scope(|scope| {
            let others = scope.spawn(|| {
                let history = plan
                    .frame
                    .history
                    .as_ref()
                    .map(|p| -> Result<History> { Ok(History::parse(RawFile::read(&p.resolved)?, enc)?) });
                let inspectors = plan.inspectors.as_ref().map(|rules| -> Result<InspectorDirectory> {
                    Ok(InspectorDirectory::parse(
                        RawFile::read(&rules.directory.resolved)?,
                        enc,
                    )?)
                });
                (history, inspectors)
            });
            let enterprises =
                RawFile::read(&path).and_then(|raw| Ok(Directory::parse(raw, enc, &plan.targets.classes)?));
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
        check_directed_names(&plan, &enterprises)?;
        check_stratum_values(&plan, &enterprises)?;
        let history = match (&plan.frame.history, history) {
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
        if let (Some(rules), Some(dir)) = (&plan.inspectors, inspector_dir) {
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

/// A value of a `stratify_by` field must not hold `/`: stratum labels
/// join the values with `/`, so `批发/零售` + `凯里市` and `批发` +
/// `零售/凯里市` would make one label of two strata. The first firm in
/// file order with such a value is refused, by its line and column.
fn check_stratum_values(plan: &Plan, directory: &Directory) -> Result<()> {
    use crate::inputs::plan::StratumField;
    let mut slash: Vec<Option<bool>> = Vec::new();
    for firm in &directory.firms {
        for field in &plan.targets.stratify_by {
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
                return Err(crate::base::error::InputError::file(
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
