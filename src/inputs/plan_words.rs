//! Values of a plan that serde would describe in Rust's words ("u64"),
//! and serde's messages about the others, said in the words of a plan's
//! reader: what was expected and what was found.

use serde::Deserialize;

/// Defines a whole number read from a plan whose errors say, in the
/// user's words, what it counts.
macro_rules! whole_number {
    ($(#[$doc:meta])* $name:ident, $t:ty, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
        pub struct $name(pub $t);

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<$name, D::Error> {
                struct Whole;
                impl serde::de::Visitor<'_> for Whole {
                    type Value = $name;
                    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                        f.write_str($what)
                    }
                    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<$name, E> {
                        <$t>::try_from(v)
                            .map($name)
                            .map_err(|_| E::invalid_value(serde::de::Unexpected::Signed(v), &self))
                    }
                    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<$name, E> {
                        <$t>::try_from(v)
                            .map($name)
                            .map_err(|_| E::invalid_value(serde::de::Unexpected::Unsigned(v), &self))
                    }
                }
                d.deserialize_any(Whole)
            }
        }
    };
}

whole_number!(
    /// A number of firms (`targets.min`, `targets.max`).
    Firms,
    u64,
    "a whole number of firms, 0 or more"
);
whole_number!(
    /// A number of days (`targets.exclude_inspected_within_days`).
    Days,
    u32,
    "a whole number of days, 0 or more"
);
whole_number!(
    /// A number of officers or of assignments (`[inspectors]`).
    Officers,
    u32,
    "a whole number, 1 or more"
);

/// A serde message about a plan's value, in the user's words: what was
/// expected, then what was found. Serde names Rust types ("u64", "a
/// boolean"); a plan's reader knows TOML values.
pub(crate) fn in_user_words(message: &str) -> String {
    let expected_words = |e: &str| -> String {
        match e {
            "u8" | "u16" | "u32" | "u64" | "usize" => "a whole number, 0 or more".into(),
            "a boolean" => "true or false, without quotes".into(),
            "a string" => "text in quotes".into(),
            "a sequence" => "a list in brackets, like [\"a\", \"b\"]".into(),
            "a map" => "a table, like { A = 1 }".into(),
            "a TOML datetime" => "a date without quotes, like 2025-03-01 (a TOML datetime)".into(),
            e if e.starts_with("struct ") => "a table".into(),
            e => e.to_string(),
        }
    };
    let found_words = |u: &str| -> String {
        let u = u.trim();
        for prefix in ["integer ", "floating point ", "boolean "] {
            if let Some(v) = u.strip_prefix(prefix) {
                return v.trim_matches('`').to_string();
            }
        }
        match u {
            "map" => "a table".into(),
            "sequence" => "a list".into(),
            u => u.strip_prefix("string ").unwrap_or(u).to_string(),
        }
    };
    for kind in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = message.strip_prefix(kind)
            && let Some((found, expected)) = rest.split_once(", expected ")
        {
            return format!("expected {}, found {}", expected_words(expected), found_words(found));
        }
    }
    message.to_string()
}

/// The dotted key a TOML error is about (`targets.min.D`), when the
/// parser knows it. The parser shows it only when it shows no text of
/// the plan.
pub(crate) fn error_key(e: &toml::de::Error) -> Option<String> {
    let mut bare = e.clone();
    bare.set_input(None);
    let shown = bare.to_string();
    let line = shown.lines().rev().find_map(|l| l.strip_prefix("in `"))?;
    Some(line.strip_suffix('`')?.to_string())
}
