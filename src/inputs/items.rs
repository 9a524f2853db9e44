//! The item list (抽查事项清单): what can be inspected, by which
//! department, on what legal basis, and with which specialty.

use crate::base::error::InputError;
use crate::inputs::table::{Column, RawFile, Table, TextEncoding};
use std::collections::BTreeMap;

/// Columns of the item list (SPEC.md §10.1).
pub const COLUMNS: &[Column] = &[
    Column {
        name: "code",
        aliases: &["事项编码", "抽查事项编码"],
        required: true,
    },
    Column {
        name: "name",
        aliases: &["事项名称", "抽查事项"],
        required: true,
    },
    Column {
        name: "department",
        aliases: &["部门", "实施部门"],
        required: true,
    },
    Column {
        name: "category",
        aliases: &["抽查类别"],
        required: true,
    },
    Column {
        name: "legal_basis",
        aliases: &["检查依据", "法律依据"],
        required: true,
    },
    Column {
        name: "method",
        aliases: &["检查方式"],
        required: true,
    },
    Column {
        name: "specialty",
        aliases: &["执法领域"],
        required: true,
    },
];

/// Words for a key item (重点检查事项).
pub const KEY_WORDS: &[&str] = &["重点", "重点检查事项", "key"];
/// Words for a general item (一般检查事项).
pub const GENERAL_WORDS: &[&str] = &["一般", "一般检查事项", "general"];

/// One inspection item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub code: String,
    pub name: String,
    /// The department whose inspectors check it (as in the inspector
    /// directory).
    pub department: String,
    /// A key item (重点检查事项) rather than a general one.
    pub key: bool,
    pub legal_basis: String,
    pub method: String,
    /// The specialty an inspector needs to check it, if any.
    pub specialty: Option<String>,
}

/// The item list, by code.
#[derive(Debug, Clone, Default)]
pub struct ItemList {
    pub path: String,
    pub sha256: String,
    pub encoding: TextEncoding,
    pub rows: usize,
    pub items: BTreeMap<String, Item>,
}

impl ItemList {
    /// The item with this code.
    pub fn get(&self, code: &str) -> Option<&Item> {
        self.items.get(code)
    }

    /// Parses an item list; codes are unique and not empty.
    pub fn parse(file: RawFile, encoding: TextEncoding) -> Result<ItemList, InputError> {
        let mut items: BTreeMap<String, Item> = BTreeMap::new();
        let mut lines: BTreeMap<String, u64> = BTreeMap::new();
        let table = Table::read(file, encoding, COLUMNS, |table, row| {
            let field = |i: usize, msg: String| InputError::field(&table.path, row.line, COLUMNS[i].name, msg);
            let code = table.get(row, 0);
            if code.is_empty() {
                return Err(field(0, "empty; every item needs a code".into()));
            }
            if let Some(first) = lines.insert(code.to_string(), row.line) {
                return Err(field(
                    0,
                    format!("item code {code} appears twice, on lines {first} and {}", row.line),
                ));
            }
            for i in [1, 2] {
                if table.get(row, i).is_empty() {
                    return Err(field(i, "empty; every item needs one".into()));
                }
            }
            let category = table.get(row, 3);
            let lower = category.to_ascii_lowercase();
            let key = if KEY_WORDS.contains(&lower.as_str()) {
                true
            } else if GENERAL_WORDS.contains(&lower.as_str()) {
                false
            } else {
                return Err(field(
                    3,
                    format!(
                        "unknown category {category:?}; expected {} (key item) or {} (general item)",
                        KEY_WORDS.join(", "),
                        GENERAL_WORDS.join(", ")
                    ),
                ));
            };
            let specialty = table.get(row, 6);
            items.insert(
                code.to_string(),
                Item {
                    code: code.to_string(),
                    name: table.get(row, 1).to_string(),
                    department: table.get(row, 2).to_string(),
                    key,
                    legal_basis: table.get(row, 4).to_string(),
                    method: table.get(row, 5).to_string(),
                    specialty: (!specialty.is_empty()).then(|| specialty.to_string()),
                },
            );
            Ok(())
        })?;
        if items.is_empty() {
            return Err(InputError::file(&table.path, "the item list has no items"));
        }
        Ok(ItemList {
            path: table.path.clone(),
            sha256: table.sha256.clone(),
            encoding: table.encoding,
            rows: table.rows as usize,
            items,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ItemList, InputError> {
        ItemList::parse(
            RawFile::from_bytes("items.csv".into(), text.as_bytes().to_vec()),
            TextEncoding::Auto,
        )
    }

    const HEADER: &str = "事项编码,事项名称,部门,抽查类别,检查依据,检查方式,执法领域\n";

    #[test]
    fn an_item_list_is_read_by_its_chinese_names() {
        let list = parse(&format!(
            "{HEADER}SJ-01,企业公示信息,市场监管局,一般,《企业信息公示暂行条例》,书面检查,\n\
             SJ-02,食品生产,市场监管局,重点检查事项,《食品安全法》,实地检查,食品安全\n"
        ))
        .unwrap();
        assert_eq!(list.items.len(), 2);
        assert!(!list.get("SJ-01").unwrap().key);
        assert_eq!(list.get("SJ-01").unwrap().specialty, None);
        assert!(list.get("SJ-02").unwrap().key);
        assert_eq!(list.get("SJ-02").unwrap().specialty.as_deref(), Some("食品安全"));
    }

    #[test]
    fn a_repeated_code_and_an_unknown_category_are_named() {
        let e = parse(&format!("{HEADER}A,a,d,一般,b,m,\nA,a,d,一般,b,m,\n")).unwrap_err();
        assert_eq!(e.line, Some(3));
        assert!(e.message.contains("appears twice"), "{e}");
        let e = parse(&format!("{HEADER}A,a,d,重要,b,m,\n")).unwrap_err();
        assert_eq!(e.column.as_deref(), Some("category"));
        assert!(e.message.contains("重点"), "{e}");
    }
}
