//! The results log (SPEC.md §11.4): `results.jsonl` in the bundle's
//! directory, one JSON object per line, each carrying the SHA-256 of the
//! line before it (of `manifest.json` for the first). Lines are only
//! ever added: a correction or a substitution is a line of its own.

use crate::base::error::{Error, Result};
use crate::base::sha256::sha256_hex;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

pub use crate::bundle::manifest::RESULTS_LOG;

/// One line of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The line's number, from 1.
    pub line: u64,
    /// SHA-256 of the previous line's bytes (without its line feed); for
    /// line 1, of the bundle's `manifest.json`.
    pub prev: String,
    /// When it was recorded (RFC 3339, the recording machine's clock).
    pub recorded_at: String,
    #[serde(flatten)]
    pub body: Body,
}

/// What a line records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Body {
    /// A firm's result in a task.
    Result(Inspected),
    /// A result that replaces an earlier one, which stays in the log.
    Correction(Correction),
    /// An officer of a visit's team replaced by the next in the ranking.
    Substitution(Substitution),
}

/// One firm's result in one task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inspected {
    pub task: String,
    pub uscc: String,
    pub inspected_on: String,
    pub inspectors: Vec<String>,
    /// The category's name (SPEC.md §11.1).
    pub result: String,
    pub items: Vec<ItemEntry>,
    /// The row it came from.
    pub source: Source,
}

/// One item's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemEntry {
    pub item: String,
    pub checked: bool,
    pub method: String,
    pub problem: String,
    pub measure: String,
}

/// The file and row a result was read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// The file's name (without its folder), and `#SHEET` for a sheet.
    pub file: String,
    pub sha256: String,
    /// The line (a sheet: the row).
    pub line: u64,
}

/// A correction: `corrects` is the line of the result it replaces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Correction {
    pub corrects: u64,
    pub reason: String,
    #[serde(flatten)]
    pub result: Inspected,
}

/// A substitution on a visit's team (SPEC.md §11.5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Substitution {
    /// The visit: a plan's firm code, a batch's visit id.
    pub visit: String,
    pub slot: u32,
    pub department: String,
    pub replaced: String,
    pub substitute: String,
    /// The substitute's place (from 1) in the visit's ranking of the
    /// whole inspector directory.
    pub rank: u64,
    pub reason: String,
}

impl Entry {
    /// The line as the log holds it (no line feed).
    pub fn to_line(&self) -> String {
        serde_json::to_string(self).expect("a log entry serializes")
    }
}

/// A log line that breaks the chain or the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    /// The 1-based line of `results.jsonl`.
    pub line: u64,
    pub message: String,
}

impl std::fmt::Display for Broken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{RESULTS_LOG}, line {}: {}", self.line, self.message)
    }
}

/// A log read back: its entries and the chain's head.
#[derive(Debug, Clone, Default)]
pub struct Chain {
    pub entries: Vec<Entry>,
    /// SHA-256 of the last line (of the manifest when there is none).
    pub head: String,
    /// The file's bytes, to append to.
    pub bytes: Vec<u8>,
}

/// Reads the log bytes and checks the chain: every line is an entry in
/// canonical form, numbered in order, whose `prev` is the SHA-256 of the
/// line before (of the manifest for the first).
pub fn check_chain(bytes: &[u8], manifest_sha256: &str) -> Result<Chain, Broken> {
    let mut entries = Vec::new();
    let mut head = manifest_sha256.to_string();
    if bytes.is_empty() {
        return Ok(Chain {
            entries,
            head,
            bytes: Vec::new(),
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        Broken {
            line,
            message: "not UTF-8 text".into(),
        }
    })?;
    let body = text.strip_suffix('\n').ok_or_else(|| Broken {
        line: text.lines().count() as u64,
        message: "the last line has no line feed: the file was cut short or edited".into(),
    })?;
    for (i, line) in body.split('\n').enumerate() {
        let n = i as u64 + 1;
        let broken = |message: String| Broken { line: n, message };
        let entry: Entry = serde_json::from_str(line).map_err(|e| broken(format!("not a results entry ({e})")))?;
        if entry.to_line() != line {
            return Err(broken(
                "not in the log's canonical form (a field was edited, added or moved)".into(),
            ));
        }
        if entry.line != n {
            return Err(broken(format!(
                "numbered {} (lines were removed, added or moved)",
                entry.line
            )));
        }
        if entry.prev != head {
            let of = if n == 1 {
                "the bundle's manifest.json".to_string()
            } else {
                format!("line {}", n - 1)
            };
            return Err(broken(format!(
                "prev is {}, but the SHA-256 of {of} is {head}: a line before it was edited, removed or moved",
                entry.prev
            )));
        }
        head = sha256_hex(line.as_bytes());
        entries.push(entry);
    }
    Ok(Chain {
        entries,
        head,
        bytes: bytes.to_vec(),
    })
}

/// The log's path in a bundle.
pub fn log_path(dir: &Path) -> PathBuf {
    dir.join(RESULTS_LOG)
}

/// The log's bytes; none when there is no log yet.
pub fn read_log_bytes(dir: &Path) -> Result<Vec<u8>> {
    match std::fs::read(log_path(dir)) {
        Ok(b) => Ok(b),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(Error::io(log_path(dir), e)),
    }
}

/// Adds `lines` to the log that `chain` read, all or none: the new log
/// is written beside the old one, flushed, and takes its name in one
/// step. Refused when the log changed since it was read, or another
/// recording holds the lock.
pub fn append(dir: &Path, chain: &Chain, lines: &[String]) -> Result<()> {
    let path = log_path(dir);
    let lock = dir.join(format!("{RESULTS_LOG}.lock"));
    let held = std::fs::OpenOptions::new().write(true).create_new(true).open(&lock);
    if let Err(e) = held {
        let message = if e.kind() == std::io::ErrorKind::AlreadyExists {
            format!(
                "another recording is under way ({} exists); if none is, remove that file",
                lock.display()
            )
        } else {
            e.to_string()
        };
        return Err(Error::Bundle {
            path: dir.display().to_string(),
            message,
        });
    }
    let result = (|| {
        if read_log_bytes(dir)? != chain.bytes {
            return Err(Error::Bundle {
                path: path.display().to_string(),
                message: "changed while these results were checked; nothing was recorded, run the command again".into(),
            });
        }
        let mut bytes = chain.bytes.clone();
        for l in lines {
            bytes.extend_from_slice(l.as_bytes());
            bytes.push(b'\n');
        }
        let tmp = dir.join(format!(".{RESULTS_LOG}.{}.tmp", std::process::id()));
        let write = || -> std::io::Result<()> {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&bytes)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &path)?;
            std::fs::File::open(dir)?.sync_all()
        };
        write().map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            Error::io(&path, e)
        })
    })();
    let _ = std::fs::remove_file(&lock);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(line: u64, prev: &str) -> Entry {
        Entry {
            line,
            prev: prev.into(),
            recorded_at: "2025-06-01T10:00:00+08:00".into(),
            body: Body::Substitution(Substitution {
                visit: "U".into(),
                slot: 1,
                department: "市场监管局".into(),
                replaced: "A".into(),
                substitute: "B".into(),
                rank: 3,
                reason: "休假".into(),
            }),
        }
    }

    fn log(n: u64) -> Vec<u8> {
        let mut prev = "m".repeat(64);
        let mut out = Vec::new();
        for i in 1..=n {
            let l = entry(i, &prev).to_line();
            prev = sha256_hex(l.as_bytes());
            out.extend_from_slice(l.as_bytes());
            out.push(b'\n');
        }
        out
    }

    #[test]
    fn a_chain_reads_and_its_head_is_the_last_lines_hash() {
        let bytes = log(3);
        let chain = check_chain(&bytes, &"m".repeat(64)).unwrap();
        assert_eq!(chain.entries.len(), 3);
        let last = std::str::from_utf8(&bytes).unwrap().lines().last().unwrap();
        assert_eq!(chain.head, sha256_hex(last.as_bytes()));
        let line = entry(1, "p").to_line();
        assert!(line.starts_with(r#"{"line":1,"prev":"p","recorded_at":"#), "{line}");
        assert!(line.contains(r#""kind":"substitution","visit":"U""#), "{line}");
    }

    #[test]
    fn edits_removals_and_moves_name_the_line() {
        let m = "m".repeat(64);
        let text = String::from_utf8(log(4)).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let edited = text.replace("休假", "病假");
        assert_eq!(check_chain(edited.as_bytes(), &m).unwrap_err().line, 2);
        let removed = format!("{}\n{}\n{}\n", lines[0], lines[2], lines[3]);
        assert_eq!(check_chain(removed.as_bytes(), &m).unwrap_err().line, 2);
        let moved = format!("{}\n{}\n{}\n{}\n", lines[0], lines[2], lines[1], lines[3]);
        assert_eq!(check_chain(moved.as_bytes(), &m).unwrap_err().line, 2);
        let spaced = text.replacen("\"slot\":1", "\"slot\": 1", 1);
        assert_eq!(check_chain(spaced.as_bytes(), &m).unwrap_err().line, 1);
        assert_eq!(check_chain(&log(2), &"x".repeat(64)).unwrap_err().line, 1);
        let cut = &text.as_bytes()[..text.len() - 1];
        assert_eq!(check_chain(cut, &m).unwrap_err().line, 4);
    }
}
