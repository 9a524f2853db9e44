//! The words of an inspection's result (SPEC.md §11.1): the thirteen
//! result categories of the enterprise credit publicity system, the
//! follow-up measures and the inspection methods, each by its Chinese
//! name or a short code.

/// One of the result categories in use (one per firm and task).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    NoProblem,
    NotDisclosed,
    FalseDisclosure,
    Unreachable,
    Corrected,
    PendingAction,
    NoActivity,
    Closed,
    Obstructed,
    Deregistered,
    Revoked,
    Cancelled,
    MovedOut,
}

impl Outcome {
    /// Every category, in the order the publicity system lists them.
    pub const ALL: [Outcome; 13] = [
        Outcome::NoProblem,
        Outcome::NotDisclosed,
        Outcome::FalseDisclosure,
        Outcome::Unreachable,
        Outcome::Corrected,
        Outcome::PendingAction,
        Outcome::NoActivity,
        Outcome::Closed,
        Outcome::Obstructed,
        Outcome::Deregistered,
        Outcome::Revoked,
        Outcome::Cancelled,
        Outcome::MovedOut,
    ];

    /// The category's name as the publicity system writes it; this is
    /// what the results log records.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::NoProblem => "未发现问题",
            Outcome::NotDisclosed => "未按规定公示应当公示的信息",
            Outcome::FalseDisclosure => "公示信息隐瞒真实情况弄虚作假",
            Outcome::Unreachable => "通过登记的住所（经营场所）无法联系",
            Outcome::Corrected => "发现问题已责令改正",
            Outcome::PendingAction => "发现问题待后续处理",
            Outcome::NoActivity => "未发现开展本次抽查涉及的经营活动",
            Outcome::Closed => "已关闭停业或正在组织清算",
            Outcome::Obstructed => "不配合检查情节严重",
            Outcome::Deregistered => "已注销",
            Outcome::Revoked => "已被吊销",
            Outcome::Cancelled => "已被撤销",
            Outcome::MovedOut => "已迁出",
        }
    }

    /// The short code (SPEC.md §11.1).
    pub fn code(self) -> &'static str {
        match self {
            Outcome::NoProblem => "no-problem",
            Outcome::NotDisclosed => "not-disclosed",
            Outcome::FalseDisclosure => "false-disclosure",
            Outcome::Unreachable => "unreachable",
            Outcome::Corrected => "corrected",
            Outcome::PendingAction => "pending-action",
            Outcome::NoActivity => "no-activity",
            Outcome::Closed => "closed",
            Outcome::Obstructed => "obstructed",
            Outcome::Deregistered => "deregistered",
            Outcome::Revoked => "revoked",
            Outcome::Cancelled => "cancelled",
            Outcome::MovedOut => "moved-out",
        }
    }

    /// Reads a category by its name (with full-width or ASCII
    /// parentheses) or its code (ASCII case ignored).
    pub fn parse(s: &str) -> Option<Outcome> {
        let s = s.trim();
        let wide = s.replace('(', "（").replace(')', "）");
        Outcome::ALL
            .into_iter()
            .find(|o| o.name() == wide || o.code().eq_ignore_ascii_case(s))
    }

    /// Whether the firm goes on the abnormal-operations list (经营异常名录)
    /// within 10 working days: unreachable at its registered address, or
    /// its public information was false.
    pub fn abnormal_operations(self) -> bool {
        matches!(self, Outcome::Unreachable | Outcome::FalseDisclosure)
    }

    /// Whether the result calls for a higher credit-risk class, and which
    /// (SPEC.md §11.7): the list's highest for a serious result, one class
    /// up for a problem found.
    pub fn credit_raise(self) -> Option<Raise> {
        match self {
            Outcome::FalseDisclosure | Outcome::Unreachable | Outcome::Obstructed => Some(Raise::ToHighest),
            Outcome::NotDisclosed | Outcome::Corrected | Outcome::PendingAction => Some(Raise::OneClass),
            _ => None,
        }
    }

    /// A one-line list of every name and code, for error messages.
    pub fn expected() -> String {
        Outcome::ALL
            .iter()
            .map(|o| format!("{} ({})", o.name(), o.code()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// How far a result raises a firm's credit-risk class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Raise {
    /// To the next class of the plan's list (A → B …).
    OneClass,
    /// To the last class of the plan's list (D).
    ToHighest,
}

/// Follow-up measures with a fixed name; anything else is written
/// `其他：TEXT` (or `other: TEXT`).
pub const MEASURES: &[(&str, &str)] = &[
    ("无须后续处置", "none"),
    ("责令限期整改", "rectify"),
    ("移送办案机构", "refer-case"),
    ("抄告相关部门", "notify-department"),
];

/// Inspection methods with a fixed name; anything else `其他：TEXT`.
pub const METHODS: &[(&str, &str)] = &[
    ("实地检查", "on-site"),
    ("书面检查", "documents"),
    ("网络监测", "online"),
    ("检验检测", "testing"),
    ("委托专业机构", "agency"),
];

/// Reads a measure or a method from `words` (name or code), or the
/// "other" form, as the name the log records. `None`: not one of them.
fn fixed_or_other(s: &str, words: &[(&str, &str)]) -> Option<String> {
    let s = s.trim();
    if let Some((name, _)) = words.iter().find(|(n, c)| *n == s || c.eq_ignore_ascii_case(s)) {
        return Some(name.to_string());
    }
    let rest = ["其他：", "其他:", "other:", "Other:", "OTHER:"]
        .iter()
        .find_map(|p| s.strip_prefix(p))?
        .trim();
    (!rest.is_empty()).then(|| format!("其他：{rest}"))
}

/// A follow-up measure as the log records it.
pub fn parse_measure(s: &str) -> Option<String> {
    fixed_or_other(s, MEASURES)
}

/// One or more inspection methods, separated by `;`, `；` or `、`, as the
/// log records them (joined by `;`, each once, in the order given).
pub fn parse_methods(s: &str) -> Option<String> {
    let mut out: Vec<String> = Vec::new();
    for part in s.split([';', '；', '、']) {
        let m = fixed_or_other(part, METHODS)?;
        if !out.contains(&m) {
            out.push(m);
        }
    }
    Some(out.join(";"))
}

/// Whether an item was checked: 是/否, yes/no, y/n, true/false, 1/0.
pub fn parse_checked(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "是" | "yes" | "y" | "true" | "1" | "已检查" => Some(true),
        "否" | "no" | "n" | "false" | "0" | "未检查" => Some(false),
        _ => None,
    }
}

/// The words a measure may be, for error messages.
pub fn expected_measures() -> String {
    expected(MEASURES)
}

/// The words a method may be, for error messages.
pub fn expected_methods() -> String {
    expected(METHODS)
}

fn expected(words: &[(&str, &str)]) -> String {
    let mut s: Vec<String> = words.iter().map(|(n, c)| format!("{n} ({c})")).collect();
    s.push("其他：TEXT".into());
    s.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_category_reads_by_name_and_code() {
        for o in Outcome::ALL {
            assert_eq!(Outcome::parse(o.name()), Some(o));
            assert_eq!(Outcome::parse(o.code()), Some(o));
            assert_eq!(Outcome::parse(&o.code().to_uppercase()), Some(o));
        }
        assert_eq!(
            Outcome::parse("通过登记的住所(经营场所)无法联系"),
            Some(Outcome::Unreachable)
        );
        assert_eq!(Outcome::parse("没问题"), None);
        assert_eq!(Outcome::parse(""), None);
    }

    #[test]
    fn measures_and_methods() {
        assert_eq!(parse_measure("责令限期整改").as_deref(), Some("责令限期整改"));
        assert_eq!(parse_measure("refer-case").as_deref(), Some("移送办案机构"));
        assert_eq!(parse_measure("其他: 约谈").as_deref(), Some("其他：约谈"));
        assert_eq!(parse_measure("其他："), None);
        assert_eq!(parse_measure("罚款"), None);
        assert_eq!(
            parse_methods("实地检查、书面检查;实地检查").as_deref(),
            Some("实地检查;书面检查")
        );
        assert_eq!(parse_methods("on-site").as_deref(), Some("实地检查"));
        assert_eq!(parse_methods("电话"), None);
        assert_eq!(parse_checked("是"), Some(true));
        assert_eq!(parse_checked("No"), Some(false));
        assert_eq!(parse_checked("x"), None);
    }

    #[test]
    fn abnormal_and_credit() {
        let abnormal: Vec<_> = Outcome::ALL.into_iter().filter(|o| o.abnormal_operations()).collect();
        assert_eq!(abnormal, [Outcome::FalseDisclosure, Outcome::Unreachable]);
        assert_eq!(Outcome::NoProblem.credit_raise(), None);
        assert_eq!(Outcome::Obstructed.credit_raise(), Some(Raise::ToHighest));
    }
}
