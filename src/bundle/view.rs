//! Reading a bundle's lists back: the targets, the teams and, when the
//! inputs can be found, each firm's extra columns (address …).

use crate::base::error::{Error, Result};
use crate::bundle::make::{ASSIGNMENTS_CSV, TARGETS_CSV};
use crate::bundle::manifest::Manifest;
use crate::bundle::manifest::read_manifest;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One row of `targets.csv`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetRow {
    pub stratum: String,
    pub rank: u64,
    pub ticket: String,
    pub uscc: String,
    pub name: String,
    pub credit_class: String,
    pub county: String,
    pub industry: String,
}

/// One row of `assignments.csv`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignmentRow {
    pub uscc: String,
    pub name: String,
    pub county: String,
    pub slot: u32,
    pub department: String,
    pub inspector_id: String,
    pub inspector_name: String,
}

/// The directory columns that spotcheck does not use, for drawn firms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirmExtras {
    /// Column names, in file order.
    pub headers: Vec<String>,
    /// Values by credit code, in `headers` order.
    pub values: BTreeMap<String, Vec<String>>,
    /// The supervising area (监管片区) by credit code, for the firms whose
    /// area is not just their county (as it is when the directory has no
    /// such column).
    pub areas: BTreeMap<String, String>,
}

/// The input file a bundle was drawn with, when it is still where the
/// manifest says (a relative path is taken from the bundle directory) and
/// its SHA-256 is the recorded one; `None` otherwise.
pub fn drawn_input(dir: &Path, record: &crate::inputs::record::InputRecord) -> Option<crate::inputs::table::RawFile> {
    let path = Path::new(&record.path);
    let path = if path.is_absolute() {
        path.to_path_buf()
    } else {
        dir.join(path)
    };
    let raw = crate::inputs::table::RawFile::read(&path).ok()?;
    (raw.sha256() == record.sha256).then_some(raw)
}

/// A bundle's manifest and lists.
#[derive(Debug, Clone)]
pub struct BundleView {
    pub dir: PathBuf,
    pub manifest: Manifest,
    pub targets: Vec<TargetRow>,
    /// Empty when the plan drew no teams.
    pub assignments: Vec<AssignmentRow>,
}

fn read_rows<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Vec<T>> {
    let mut reader = csv::ReaderBuilder::new().from_path(path).map_err(|e| Error::Bundle {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    reader
        .deserialize()
        .collect::<Result<Vec<T>, _>>()
        .map_err(|e| Error::Bundle {
            path: path.display().to_string(),
            message: format!("not a spotcheck list: {e}"),
        })
}

impl BundleView {
    /// Reads the manifest, targets.csv and (if present) assignments.csv.
    pub fn open(dir: &Path) -> Result<BundleView> {
        let manifest = read_manifest(dir)?;
        let targets = read_rows(&dir.join(TARGETS_CSV))?;
        let path = dir.join(ASSIGNMENTS_CSV);
        let assignments = if path.exists() { read_rows(&path)? } else { Vec::new() };
        Ok(BundleView {
            dir: dir.to_path_buf(),
            manifest,
            targets,
            assignments,
        })
    }

    /// Opens a bundle whose draw has teams; an error for one without.
    pub fn open_with_teams(dir: &Path) -> Result<BundleView> {
        let view = BundleView::open(dir)?;
        if view.assignments.is_empty() {
            return Err(Error::Bundle {
                path: dir.display().to_string(),
                message: "this draw has no teams (the plan had no [inspectors] table)".into(),
            });
        }
        Ok(view)
    }

    /// Inspector ids with their names, in id order.
    pub fn inspectors(&self) -> BTreeMap<String, String> {
        self.assignments
            .iter()
            .map(|a| (a.inspector_id.clone(), a.inspector_name.clone()))
            .collect()
    }

    /// The assignments of one inspector, in target order.
    pub fn of_inspector(&self, id: &str) -> Vec<&AssignmentRow> {
        self.assignments.iter().filter(|a| a.inspector_id == id).collect()
    }

    /// The other officers on a firm's team, as "name (id)".
    pub fn team_mates(&self, uscc: &str, id: &str) -> Vec<String> {
        self.assignments
            .iter()
            .filter(|a| a.uscc == uscc && a.inspector_id != id)
            .map(|a| format!("{} ({})", a.inspector_name, a.inspector_id))
            .collect()
    }

    /// Extra columns of the drawn firms (address and the like), read from
    /// the enterprise directory that the manifest names, when it is there.
    pub fn firm_extras(&self) -> Option<FirmExtras> {
        let record = self.manifest.inputs.get("enterprises")?;
        let path = Path::new(&record.path);
        let path = if path.is_absolute() {
            path.to_path_buf()
        } else {
            self.dir.join(path)
        };
        let raw = crate::inputs::table::RawFile::read(&path).ok()?;
        let encoding = crate::inputs::table::TextEncoding::from_record(&record.encoding)?;
        let classes: Vec<String> = self.manifest_classes();
        let directory = crate::inputs::directory::Directory::parse(raw, encoding, &classes).ok()?;
        let wanted: std::collections::BTreeSet<&str> = self.targets.iter().map(|t| t.uscc.as_str()).collect();
        let mut reader = directory.details_reader();
        let mut out = BTreeMap::new();
        let mut areas = BTreeMap::new();
        for (i, f) in directory.firms.iter().enumerate() {
            if wanted.contains(f.uscc().as_str()) {
                out.insert(f.uscc().to_string(), reader.details(i).extra);
                if f.supervising_area != f.county {
                    areas.insert(f.uscc().to_string(), directory.value(f.supervising_area).to_string());
                }
            }
        }
        Some(FirmExtras {
            headers: directory.extra_headers.clone(),
            values: out,
            areas,
        })
    }

    fn manifest_classes(&self) -> Vec<String> {
        crate::inputs::plan::Plan::parse(&self.manifest.plan.path, &self.manifest.plan.text, &self.dir)
            .map(|p| p.targets.classes)
            .unwrap_or_else(|_| {
                crate::inputs::plan::DEFAULT_CLASSES
                    .iter()
                    .map(|c| c.to_string())
                    .collect()
            })
    }
}
