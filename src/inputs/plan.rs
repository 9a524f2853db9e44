//! The inspection plan (抽查计划), a TOML file, read into validated
//! settings. Unknown keys are errors; every message names the key.

use crate::base::error::InputError;
use crate::base::sha256::sha256_hex;
use crate::inputs::directory::{Enterprise, Value};
use crate::inputs::input_path::InputPath;
use crate::inputs::plan_words::{Days, Firms, error_key, in_user_words};
use crate::inputs::ratio::Ratio;
use crate::inputs::table::TextEncoding;
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The credit classes accepted when a plan does not declare its own.
pub const DEFAULT_CLASSES: [&str; 4] = ["A", "B", "C", "D"];

/// A field of the enterprise directory that strata can be formed by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StratumField {
    /// 信用风险分类.
    CreditClass,
    /// 所属区县.
    County,
    /// 行业.
    Industry,
}

impl StratumField {
    /// A firm's value of this field.
    pub fn value_of(self, firm: &Enterprise) -> Value {
        match self {
            StratumField::CreditClass => firm.credit_class,
            StratumField::County => firm.county,
            StratumField::Industry => firm.industry,
        }
    }

    /// The field's name in plans and outputs.
    pub fn name(self) -> &'static str {
        match self {
            StratumField::CreditClass => "credit_class",
            StratumField::County => "county",
            StratumField::Industry => "industry",
        }
    }
}

/// The task a plan describes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    pub id: String,
    pub name: String,
    pub department: String,
    /// First day of the inspection window.
    pub start: NaiveDate,
    /// Last day of the inspection window (inclusive).
    pub end: NaiveDate,
    /// Inspection items (抽查事项), for publication.
    pub items: Vec<String>,
}

/// Where the directories come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub enterprises: InputPath,
    pub history: Option<InputPath>,
    pub encoding: TextEncoding,
}

/// How many to draw in a stratum of a class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ratios {
    /// One ratio for every stratum.
    All(Ratio),
    /// A ratio per credit class.
    ByClass(BTreeMap<String, Ratio>),
}

/// The target draw's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Targets {
    pub stratify_by: Vec<StratumField>,
    /// Accepted credit classes, in order.
    pub classes: Vec<String>,
    pub ratios: Ratios,
    /// Per-class lower bound on k (still at most N).
    pub min: BTreeMap<String, u64>,
    /// Per-class upper bound on k.
    pub max: BTreeMap<String, u64>,
    /// Directed draw: only these counties, when set.
    pub counties: Option<Vec<String>>,
    /// Directed draw: only these industries, when set.
    pub industries: Option<Vec<String>>,
    /// Exclude firms inspected on or after `start − days`.
    pub exclude_inspected_within_days: Option<u32>,
}

impl Targets {
    /// The ratio for a stratum of class `class`.
    pub fn ratio_for(&self, class: &str) -> Ratio {
        match &self.ratios {
            Ratios::All(r) => *r,
            Ratios::ByClass(m) => m[class],
        }
    }
}

/// A validated plan, with the text it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The plan file as named by the user.
    pub path: String,
    /// The plan's text, byte for byte.
    pub text: String,
    /// hexlower(SHA-256(text)).
    pub sha256: String,
    pub task: Task,
    pub frame: Frame,
    pub targets: Targets,
    /// The `[inspectors]` table, when the plan assigns teams.
    pub inspectors: Option<crate::inputs::inspectors::TeamRules>,
    /// What the public bundle may show.
    pub publish: Publish,
    /// How output files are written.
    pub output: Output,
}

/// The `[output]` table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Output {
    /// Start every CSV output with a UTF-8 byte-order mark, so that Excel
    /// shows Chinese right when the file is opened by double-click.
    #[serde(default)]
    pub csv_bom: bool,
}

/// The `[publish]` table: what `spotcheck publish` may put on the web.
/// A firm's code and name are always public.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Publish {
    /// Show each target's credit class (and class-based stratum labels).
    /// Off by default: many provinces keep classes internal.
    #[serde(default)]
    pub credit_classes: bool,
    /// Show inspectors' names and ids in the team list.
    #[serde(default = "yes")]
    pub inspector_names: bool,
}

fn yes() -> bool {
    true
}

impl Default for Publish {
    fn default() -> Self {
        Publish {
            credit_classes: false,
            inspector_names: true,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlan {
    task: RawTask,
    frame: RawFrame,
    targets: RawTargets,
    inspectors: Option<crate::inputs::inspectors::RawTeamRules>,
    #[serde(default)]
    publish: Publish,
    #[serde(default)]
    output: Output,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTask {
    id: String,
    name: String,
    department: String,
    start: toml::value::Datetime,
    end: toml::value::Datetime,
    #[serde(default)]
    items: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFrame {
    pub(crate) enterprises: String,
    pub(crate) history: Option<String>,
    pub(crate) encoding: Option<String>,
}

/// `targets.ratio` as written: one percentage, or one per class.
enum RawRatio {
    All(String),
    ByClass(BTreeMap<String, String>),
}

/// What a ratio is, in the words of plan errors.
const RATIO_EXPECTED: &str = "a percentage in quotes, like \"5%\"";

impl<'de> Deserialize<'de> for RawRatio {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<RawRatio, D::Error> {
        struct Either;
        impl<'de> serde::de::Visitor<'de> for Either {
            type Value = RawRatio;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                write!(
                    f,
                    "{RATIO_EXPECTED}, or one per credit class, like {{ A = \"1%\", B = \"3%\" }}"
                )
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<RawRatio, E> {
                Ok(RawRatio::All(v.to_string()))
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(self, mut map: M) -> Result<RawRatio, M::Error> {
                let mut out = BTreeMap::new();
                while let Some(class) = map.next_key::<String>()? {
                    let Percentage(ratio) = map.next_value()?;
                    out.insert(class, ratio);
                }
                Ok(RawRatio::ByClass(out))
            }
        }
        d.deserialize_any(Either)
    }
}

/// One class's ratio as written.
struct Percentage(String);

impl<'de> Deserialize<'de> for Percentage {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Percentage, D::Error> {
        struct Text;
        impl serde::de::Visitor<'_> for Text {
            type Value = Percentage;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(RATIO_EXPECTED)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Percentage, E> {
                Ok(Percentage(v.to_string()))
            }
        }
        d.deserialize_any(Text)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTargets {
    #[serde(default = "default_stratify")]
    stratify_by: Vec<StratumField>,
    pub(crate) classes: Option<Vec<String>>,
    ratio: RawRatio,
    #[serde(default)]
    min: BTreeMap<String, Firms>,
    #[serde(default)]
    max: BTreeMap<String, Firms>,
    counties: Option<Vec<String>>,
    industries: Option<Vec<String>>,
    exclude_inspected_within_days: Option<Days>,
}

fn default_stratify() -> Vec<StratumField> {
    vec![StratumField::CreditClass]
}

impl Overrides {
    /// Puts the paths given into a frame and the team rules' inputs (a
    /// plan's or a batch plan's).
    pub fn apply_to(&self, frame: &mut Frame, rules: Option<&mut crate::inputs::inspectors::TeamRules>) {
        if let Some(p) = &self.enterprises {
            frame.enterprises = InputPath::given(p);
        }
        if let Some(p) = &self.history {
            frame.history = Some(InputPath::given(p));
        }
        if let Some(e) = self.encoding {
            frame.encoding = e;
        }
        if let Some(rules) = rules {
            if let Some(p) = &self.inspectors {
                rules.directory = InputPath::given(p);
            }
            if let Some(p) = &self.conflicts {
                rules.conflicts = Some(InputPath::given(p));
            }
        }
    }
}

/// Written `avoid_last_inspectors = true` needs a history (checked when
/// there is none): a plan's or a batch plan's.
pub(crate) fn avoid_last_needs_history(
    path: &str,
    rules: Option<&crate::inputs::inspectors::TeamRules>,
) -> Result<(), InputError> {
    if rules.is_some_and(|r| r.avoid_last_inspectors_written) {
        return Err(InputError::file(
            path,
            "inspectors.avoid_last_inspectors: needs a history file to know the last inspectors: set frame.history \
             or give --history, or leave the key out (without a history it does nothing)",
        ));
    }
    Ok(())
}

/// A plan file's text (a plan's or a batch plan's): a regular file, UTF-8.
pub fn read_plan_text(path: &Path) -> Result<String, crate::base::error::Error> {
    let io = |e| crate::base::error::Error::io(path, e);
    let (mut file, _) = crate::inputs::file_bytes::open_regular(path).map_err(io)?;
    let mut text = String::new();
    std::io::Read::read_to_string(&mut file, &mut text).map_err(io)?;
    Ok(text)
}

/// Settings that override a plan's input paths (command-line flags).
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub enterprises: Option<PathBuf>,
    pub history: Option<PathBuf>,
    pub inspectors: Option<PathBuf>,
    pub conflicts: Option<PathBuf>,
    /// A batch's item list.
    pub items: Option<PathBuf>,
    pub encoding: Option<TextEncoding>,
}

impl Plan {
    /// Reads and validates a plan file.
    pub fn load(path: &Path) -> Result<Plan, crate::base::error::Error> {
        let text = read_plan_text(path)?;
        let base = path.parent().unwrap_or(Path::new("."));
        Ok(Plan::parse(&path.display().to_string(), &text, base)?)
    }

    /// Parses plan text; relative input paths are resolved against `base`.
    pub fn parse(path: &str, text: &str, base: &Path) -> Result<Plan, InputError> {
        let raw: RawPlan = toml::from_str(text).map_err(|e| toml_error(path, text, &e))?;
        let key_error = |key: &str, message: String| InputError::file(path, format!("{key}: {message}"));

        let start = date(&raw.task.start).map_err(|m| key_error("task.start", m))?;
        let end = date(&raw.task.end).map_err(|m| key_error("task.end", m))?;
        if end < start {
            return Err(key_error("task.end", format!("{end} is before task.start {start}")));
        }
        if raw.task.id.trim().is_empty() {
            return Err(key_error("task.id", "must not be empty".into()));
        }
        let task = Task {
            id: raw.task.id,
            name: raw.task.name,
            department: raw.task.department,
            start,
            end,
            items: raw.task.items,
        };

        let resolve = |written: String| InputPath::in_plan(written, base);
        let encoding = match raw.frame.encoding {
            None => TextEncoding::Auto,
            Some(e) => e.parse().map_err(|m| key_error("frame.encoding", m))?,
        };
        let frame = Frame {
            enterprises: resolve(raw.frame.enterprises),
            history: raw.frame.history.map(resolve),
            encoding,
        };

        let targets = raw.targets.validate("targets").map_err(|(key, m)| key_error(&key, m))?;
        let inspectors = match raw.inspectors {
            None => None,
            Some(r) => Some(
                r.validate(base)
                    .map_err(|(key, m)| key_error(&format!("inspectors.{key}"), m))?,
            ),
        };
        Ok(Plan {
            path: path.to_string(),
            text: text.to_string(),
            sha256: sha256_hex(text.as_bytes()),
            task,
            frame,
            targets,
            inspectors,
            publish: raw.publish,
            output: raw.output,
        })
    }

    /// The settings that need a history file have one: checked once the
    /// command line's `--history` is applied, so that a history given
    /// there counts as much as one in `[frame]`.
    pub fn check_history_needs(&self) -> Result<(), InputError> {
        if self.frame.history.is_some() {
            return Ok(());
        }
        let key_error = |key: &str, message: &str| InputError::file(&self.path, format!("{key}: {message}"));
        if self.targets.exclude_inspected_within_days.is_some() {
            return Err(key_error(
                "targets.exclude_inspected_within_days",
                "needs a history file: set frame.history, or give --history",
            ));
        }
        avoid_last_needs_history(&self.path, self.inspectors.as_ref())
    }

    /// Applies command-line overrides of input paths.
    pub fn apply(&mut self, o: &Overrides) {
        o.apply_to(&mut self.frame, self.inspectors.as_mut());
    }
}

impl RawTargets {
    /// Validates a `[targets]` table; errors are (key, message), the key
    /// written under `prefix` (`targets`, or a batch task's
    /// `task.targets`).
    pub(crate) fn validate(self, prefix: &str) -> Result<Targets, (String, String)> {
        let t = self;
        let key_error = |key: &str, message: String| {
            (
                format!("{prefix}{}", key.strip_prefix("targets").unwrap_or(key)),
                message,
            )
        };
        if t.stratify_by.is_empty() {
            return Err(key_error("targets.stratify_by", "must name at least one field".into()));
        }
        for (i, f) in t.stratify_by.iter().enumerate() {
            if t.stratify_by[..i].contains(f) {
                return Err(key_error(
                    "targets.stratify_by",
                    format!("{} is listed twice", f.name()),
                ));
            }
        }
        let classes = match t.classes {
            None => DEFAULT_CLASSES.iter().map(|c| c.to_string()).collect(),
            Some(c) => {
                if c.is_empty() {
                    return Err(key_error("targets.classes", "must list at least one class".into()));
                }
                c
            }
        };
        let by_class = t.stratify_by.contains(&StratumField::CreditClass);
        let ratios = match t.ratio {
            RawRatio::All(s) => Ratios::All(s.parse().map_err(|m| key_error("targets.ratio", m))?),
            RawRatio::ByClass(m) => {
                if !by_class {
                    return Err(key_error(
                        "targets.ratio",
                        "per-class ratios need \"credit_class\" in targets.stratify_by; \
                         or give one ratio such as ratio = \"5%\""
                            .into(),
                    ));
                }
                let mut out = BTreeMap::new();
                for (class, s) in m {
                    check_class(&classes, &class).map_err(|m| key_error(&format!("targets.ratio.{class}"), m))?;
                    let r = s.parse().map_err(|m| key_error(&format!("targets.ratio.{class}"), m))?;
                    out.insert(class, r);
                }
                for class in &classes {
                    if !out.contains_key(class) {
                        return Err(key_error("targets.ratio", format!("no ratio for credit class {class}")));
                    }
                }
                Ratios::ByClass(out)
            }
        };
        for (key, bounds) in [("targets.min", &t.min), ("targets.max", &t.max)] {
            if !bounds.is_empty() && !by_class {
                return Err(key_error(
                    key,
                    "per-class bounds need \"credit_class\" in targets.stratify_by".into(),
                ));
            }
            for class in bounds.keys() {
                check_class(&classes, class).map_err(|m| key_error(&format!("{key}.{class}"), m))?;
            }
        }
        let bound =
            |m: BTreeMap<String, Firms>| -> BTreeMap<String, u64> { m.into_iter().map(|(k, v)| (k, v.0)).collect() };
        let (min, max) = (bound(t.min), bound(t.max));
        for (class, lo) in &min {
            if let Some(hi) = max.get(class)
                && lo > hi
            {
                return Err(key_error(
                    &format!("targets.min.{class}"),
                    format!("{lo} is above targets.max.{class} = {hi}"),
                ));
            }
        }
        Ok(Targets {
            stratify_by: t.stratify_by,
            classes,
            ratios,
            min,
            max,
            counties: t.counties,
            industries: t.industries,
            exclude_inspected_within_days: t.exclude_inspected_within_days.map(|d| d.0),
        })
    }
}

/// A TOML reading error as a plan's reader would put it: the line, the
/// key, what was expected and what was found.
pub(crate) fn toml_error(path: &str, text: &str, e: &toml::de::Error) -> InputError {
    let line = e.span().map(|s| 1 + text[..s.start].matches('\n').count() as u64);
    let message = in_user_words(e.message().trim());
    let message = match error_key(e) {
        Some(key) => format!("{key}: {message}"),
        None => message,
    };
    InputError {
        path: path.to_string(),
        sheet: None,
        line,
        column: None,
        message,
    }
}

fn check_class(classes: &[String], class: &str) -> Result<(), String> {
    if classes.iter().any(|c| c == class) {
        Ok(())
    } else {
        Err(format!(
            "unknown credit class {class:?}; the plan's classes are {}",
            classes.join(", ")
        ))
    }
}

pub(crate) fn date(d: &toml::value::Datetime) -> Result<NaiveDate, String> {
    match (d.date, d.time, d.offset) {
        (Some(date), None, None) => NaiveDate::from_ymd_opt(date.year as i32, date.month as u32, date.day as u32)
            .ok_or_else(|| format!("{d} is not a calendar date")),
        _ => Err(format!("{d} is not a plain date; write it as 2025-03-01")),
    }
}
