//! Reading every input a plan names, once, with its hash.

use crate::base::error::Result;
use crate::inputs::directory::{Directory, Enterprise, Value};
use crate::inputs::history::History;
use crate::inputs::inspectors::TeamRules;
use crate::inputs::inspectors::{Conflicts, InspectorDirectory};
use crate::inputs::plan::{Frame, Plan, StratumField, Targets};
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
        let read = Read::files(
            &plan.frame,
            &plan.targets.classes,
            plan.inspectors.as_ref(),
            |directory| {
                let names = DirectoryNames::of(directory);
                check_directed_names(&plan.path, &plan.targets, &names, directory)?;
                check_stratum_values(&plan.targets.stratify_by, directory, &names)
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
pub(crate) fn check_stratum_values(
    fields: &[StratumField],
    directory: &Directory,
    names: &DirectoryNames,
) -> Result<()> {
    let bad = |field: StratumField, v: Value| names.holds(field, v) && directory.value(v).contains('/');
    // Values are few: they are looked at first, and the firms only when
    // one of them is refused.
    if !fields.iter().any(|&field| names.values(field).any(|v| bad(field, v))) {
        return Ok(());
    }
    for firm in &directory.firms {
        for &field in fields {
            let v = field.value_of(firm);
            if bad(field, v) {
                return Err(crate::base::error::InputError::field(
                    &directory.path,
                    firm.line,
                    field.name(),
                    format!(
                        "{:?} holds a \"/\", which joins the values of a stratum label \
                         (targets.stratify_by); write the value without it",
                        directory.value(v)
                    ),
                )
                .in_sheet(directory.sheet.as_deref())
                .into());
            }
        }
    }
    unreachable!("a refused value is some firm's")
}

/// Which values a directory's firms have as their credit class, county
/// and industry.
pub(crate) struct DirectoryNames<'a> {
    directory: &'a Directory,
    /// For each value, whether some firm has it as its class, county,
    /// industry (in [`DirectoryNames::FIELDS`] order): a mark per value,
    /// as values are few, made on every processor.
    marks: Vec<[bool; 3]>,
}

impl<'a> DirectoryNames<'a> {
    const FIELDS: [StratumField; 3] = [StratumField::CreditClass, StratumField::County, StratumField::Industry];

    pub(crate) fn of(directory: &'a Directory) -> DirectoryNames<'a> {
        use rayon::prelude::*;
        let mark = |mut marks: Vec<[bool; 3]>, firm: &Enterprise| {
            for (k, field) in Self::FIELDS.into_iter().enumerate() {
                let i = field.value_of(firm).0 as usize;
                if marks.len() <= i {
                    marks.resize(i + 1, [false; 3]);
                }
                marks[i][k] = true;
            }
            marks
        };
        let either = |mut a: Vec<[bool; 3]>, b: Vec<[bool; 3]>| {
            if a.len() < b.len() {
                a.resize(b.len(), [false; 3]);
            }
            a.iter_mut()
                .zip(b)
                .for_each(|(a, b)| *a = [a[0] | b[0], a[1] | b[1], a[2] | b[2]]);
            a
        };
        let marks = directory
            .firms
            .par_iter()
            .with_min_len(1 << 16)
            .fold(Vec::new, mark)
            .reduce(Vec::new, either);
        DirectoryNames { directory, marks }
    }

    /// Whether some firm has `v` as its `field`.
    fn holds(&self, field: StratumField, v: Value) -> bool {
        let k = Self::FIELDS.iter().position(|&f| f == field).expect("every field");
        self.marks.get(v.0 as usize).is_some_and(|m| m[k])
    }

    /// The values some firm has as its `field`.
    fn values(&self, field: StratumField) -> impl Iterator<Item = Value> + '_ {
        (0..self.marks.len() as u32)
            .map(Value)
            .filter(move |&v| self.holds(field, v))
    }

    /// Whether some firm has `name` as its `field`.
    fn names(&self, field: StratumField, name: &str) -> bool {
        self.values(field).any(|v| self.directory.value(v) == name)
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
    for (key, wanted, field) in [
        ("targets.counties", &targets.counties, StratumField::County),
        ("targets.industries", &targets.industries, StratumField::Industry),
    ] {
        let Some(wanted) = wanted else { continue };
        for name in wanted {
            if !names.names(field, name) {
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
