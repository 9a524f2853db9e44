//! The second random's settings: the `[inspectors]` table of a plan.

use crate::inputs::input_path::InputPath;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// The fewest officers an inspection may have (行政处罚法 Art. 42).
pub const MIN_TEAM: u32 = 2;

/// The `[inspectors]` table as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTeamRules {
    directory: String,
    conflicts: Option<String>,
    team: BTreeMap<String, crate::inputs::plan_words::Officers>,
    max_assignments: Option<crate::inputs::plan_words::Officers>,
    #[serde(default = "yes")]
    cross_area: bool,
    /// Written or not: written `true` without a history is refused, left
    /// out it is `true` and, without a history, does nothing.
    avoid_last_inspectors: Option<bool>,
    #[serde(default)]
    required_specialties: Vec<String>,
}

fn yes() -> bool {
    true
}

/// How teams are drawn, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamRules {
    /// The inspector directory (执法检查人员名录库).
    pub directory: InputPath,
    /// The recusal list (回避), if any.
    pub conflicts: Option<InputPath>,
    /// Officers per department, in the byte order of the department
    /// names; each department's slots are filled in that order.
    pub team: Vec<(String, u32)>,
    /// The most targets one inspector may get in this task.
    pub max_assignments: Option<u32>,
    /// 所所交叉: no inspector inspects a firm of his or her own area.
    pub cross_area: bool,
    /// Rotation: no inspector inspects a firm he or she inspected last.
    pub avoid_last_inspectors: bool,
    /// Whether the plan writes `avoid_last_inspectors = true` (rather than
    /// leaving it to its default): then a history file is needed.
    pub avoid_last_inspectors_written: bool,
    /// Specialties every officer must hold.
    pub required_specialties: Vec<String>,
}

impl TeamRules {
    /// Total officers per team.
    pub fn team_size(&self) -> u32 {
        self.team.iter().map(|(_, n)| n).sum()
    }
}

impl RawTeamRules {
    /// Validates the table; errors are (key, message).
    pub fn validate(self, base: &Path) -> Result<TeamRules, (String, String)> {
        let resolve = |written: String| InputPath::in_plan(written, base);
        let team: BTreeMap<String, u32> = self.team.into_iter().map(|(d, n)| (d, n.0)).collect();
        let max_assignments = self.max_assignments.map(|m| m.0);
        for (dept, n) in &team {
            if *n == 0 {
                return Err((format!("team.{dept}"), "must be at least 1 officer".into()));
            }
        }
        let total = team.values().fold(0u32, |sum, n| sum.saturating_add(*n));
        if total < MIN_TEAM {
            return Err((
                "team".into(),
                format!(
                    "a team of {total} officer(s) is not allowed: an inspection needs at least \
                     {MIN_TEAM} law-enforcement officers (行政处罚法 Art. 42)"
                ),
            ));
        }
        if max_assignments == Some(0) {
            return Err(("max_assignments".into(), "must be at least 1".into()));
        }
        Ok(TeamRules {
            directory: resolve(self.directory),
            conflicts: self.conflicts.map(resolve),
            team: team.into_iter().collect(),
            max_assignments,
            cross_area: self.cross_area,
            avoid_last_inspectors: self.avoid_last_inspectors.unwrap_or(true),
            avoid_last_inspectors_written: self.avoid_last_inspectors == Some(true),
            required_specialties: self.required_specialties,
        })
    }
}

use crate::base::error::InputError;
use crate::inputs::history::parse_date;
use crate::inputs::table::{Column, RawFile, Table, TextEncoding};
use chrono::NaiveDate;

/// Columns of the inspector directory.
pub const COLUMNS: &[Column] = &[
    Column {
        name: "inspector_id",
        aliases: &["执法人员编号", "人员编号"],
        required: true,
    },
    Column {
        name: "name",
        aliases: &["姓名"],
        required: true,
    },
    Column {
        name: "department",
        aliases: &["所属部门", "部门"],
        required: true,
    },
    Column {
        name: "area",
        aliases: &["所属片区", "所属区县"],
        required: true,
    },
    Column {
        name: "cert_no",
        aliases: &["执法证号"],
        required: true,
    },
    Column {
        name: "cert_expires",
        aliases: &["执法证有效期至", "有效期至"],
        required: true,
    },
    Column {
        name: "specialties",
        aliases: &["执法领域"],
        required: false,
    },
    Column {
        name: "status",
        aliases: &["状态", "在岗状态"],
        required: true,
    },
];

/// Statuses of an inspector who can be sent out.
pub const ACTIVE_STATUSES: &[&str] = &["在岗", "active"];
/// Statuses of an inspector who cannot.
pub const INACTIVE_STATUSES: &[&str] = &[
    "离岗", "退休", "调离", "停职", "休假", "借调", "inactive", "retired", "on leave", "left",
];

/// One law-enforcement officer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspector {
    pub id: String,
    pub name: String,
    pub department: String,
    /// The patrol area of the officer's station.
    pub area: String,
    pub cert_no: String,
    pub cert_expires: NaiveDate,
    pub specialties: Vec<String>,
    pub active: bool,
    pub line: u64,
}

/// The inspector directory (执法检查人员名录库).
#[derive(Debug, Clone)]
pub struct InspectorDirectory {
    pub path: String,
    pub sha256: String,
    pub encoding: TextEncoding,
    /// Officers in file order.
    pub inspectors: Vec<Inspector>,
}

impl InspectorDirectory {
    /// Parses and checks an inspector directory.
    pub fn parse(file: RawFile, encoding: TextEncoding) -> Result<InspectorDirectory, InputError> {
        let mut seen = std::collections::HashMap::new();
        let mut inspectors = Vec::new();
        let table = Table::read(file, encoding, COLUMNS, |table, row| {
            let field = |i: usize, msg: String| InputError::field(&table.path, row.line, COLUMNS[i].name, msg);
            let id = table.get(row, 0);
            if id.is_empty() {
                return Err(field(0, "empty; every inspector needs an id".into()));
            }
            if let Some(first) = seen.insert(id.to_string(), row.line) {
                return Err(field(
                    0,
                    format!(
                        "inspector id {id} appears twice, on {} {first} and {}",
                        table.lines_word(),
                        row.line
                    ),
                ));
            }
            for i in [1, 2, 3] {
                if table.get(row, i).is_empty() {
                    return Err(field(i, "empty; every inspector needs one".into()));
                }
            }
            let expires = table.get(row, 5);
            let cert_expires = parse_date(expires)
                .ok_or_else(|| field(5, format!("{expires:?} is not a date; expected YYYY-MM-DD (or YYYY/MM/DD; month and day may have one digit)")))?;
            let status = table.get(row, 7);
            let lower = status.to_ascii_lowercase();
            let active = if ACTIVE_STATUSES.contains(&lower.as_str()) {
                true
            } else if INACTIVE_STATUSES.contains(&lower.as_str()) {
                false
            } else {
                return Err(field(
                    7,
                    format!(
                        "unknown status {status:?}; expected {} (active) or {} (not active)",
                        ACTIVE_STATUSES.join(", "),
                        INACTIVE_STATUSES.join(", ")
                    ),
                ));
            };
            inspectors.push(Inspector {
                id: id.to_string(),
                name: table.get(row, 1).to_string(),
                department: table.get(row, 2).to_string(),
                area: table.get(row, 3).to_string(),
                cert_no: table.get(row, 4).to_string(),
                cert_expires,
                specialties: table
                    .get(row, 6)
                    .split([';', '；'])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect(),
                active,
                line: row.line,
            });
            Ok(())
        })?;
        Ok(InspectorDirectory {
            path: table.path.clone(),
            sha256: table.sha256.clone(),
            encoding: table.encoding,
            inspectors,
        })
    }
}

/// Columns of the conflict (recusal) list.
pub const CONFLICT_COLUMNS: &[Column] = &[
    Column {
        name: "inspector_id",
        aliases: &["执法人员编号", "人员编号"],
        required: true,
    },
    Column {
        name: "uscc",
        aliases: &["统一社会信用代码"],
        required: true,
    },
    Column {
        name: "reason",
        aliases: &["回避原因", "原因"],
        required: false,
    },
];

/// The recusal list (回避): pairs that must not meet.
#[derive(Debug, Clone, Default)]
pub struct Conflicts {
    pub path: String,
    pub sha256: String,
    pub encoding: TextEncoding,
    pub rows: usize,
    /// Credit codes each inspector is recused from, by inspector id.
    pub pairs: std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
}

impl Conflicts {
    /// Whether inspector `id` is recused from the firm `uscc`.
    pub fn recused(&self, id: &str, uscc: &str) -> bool {
        self.pairs.get(id).is_some_and(|codes| codes.contains(uscc))
    }

    /// Parses a conflict list; every inspector and code in it must exist.
    pub fn parse(
        file: RawFile,
        encoding: TextEncoding,
        inspectors: &InspectorDirectory,
        firms: &crate::inputs::directory::Directory,
    ) -> Result<Conflicts, InputError> {
        let ids: std::collections::HashSet<&str> = inspectors.inspectors.iter().map(|i| i.id.as_str()).collect();
        let mut pairs: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> =
            std::collections::BTreeMap::new();
        let table = Table::read(file, encoding, CONFLICT_COLUMNS, |table, row| {
            let id = table.get(row, 0);
            let code = table.get(row, 1);
            if !ids.contains(id) {
                return Err(InputError::field(
                    &table.path,
                    row.line,
                    "inspector_id",
                    format!("inspector {id:?} is not in the inspector directory {}", inspectors.path),
                ));
            }
            let (_, packed) = table.credit_code(row, 1, "uscc")?;
            if firms.find(packed).is_none() {
                return Err(InputError::field(
                    &table.path,
                    row.line,
                    "uscc",
                    format!("credit code {code} is not in the enterprise directory {}", firms.path),
                ));
            }
            pairs.entry(id.to_string()).or_default().insert(code.to_string());
            Ok(())
        })?;
        Ok(Conflicts {
            path: table.path.clone(),
            sha256: table.sha256.clone(),
            encoding: table.encoding,
            rows: table.rows as usize,
            pairs,
        })
    }
}
