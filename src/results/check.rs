//! `verify` of a bundle with results: the draw's replay, then the log's
//! chain and rules, substitutions checked against the replayed rankings.

use crate::base::error::Result;
use crate::bundle::verify::{Finding, Report};
use crate::inputs::plan::Overrides;
use crate::results::drawn::Drawn;
use crate::results::log::{Body, check_chain, log_path, read_log_bytes};
use crate::results::state::{Ranker, State};
use crate::results::substitute::{DrawRanker, replay};
use std::path::Path;

/// Verifies a bundle and, when it has one, its results log. `noted_head`
/// is a head published or noted earlier: the log must still hold the
/// line it names (a log cut short after it is found out this way only).
pub fn verify(dir: &Path, overrides: &Overrides, noted_head: Option<&str>) -> Result<Report> {
    let (mut report, replayed) = replay(dir, overrides)?;
    if !log_path(dir).exists() {
        if noted_head.is_some() {
            report.findings.push(Finding::Results(
                "a head was given (--head), but the bundle has no results.jsonl".into(),
            ));
        }
        return Ok(report);
    }
    let bytes = read_log_bytes(dir)?;
    let drawn = match Drawn::open(dir) {
        Ok(d) => d,
        Err(e) => {
            report
                .findings
                .push(Finding::Results(format!("results cannot be checked: {e}")));
            return Ok(report);
        }
    };
    let chain = match check_chain(&bytes, &drawn.manifest_sha256) {
        Ok(c) => c,
        Err(b) => {
            report.findings.push(Finding::Results(b.to_string()));
            return Ok(report);
        }
    };
    let seed = crate::bundle::run::bundle_seed(dir)?;
    let ranker = replayed.as_ref().and_then(|r| DrawRanker::new(r, &seed));
    let substitutions = chain
        .entries
        .iter()
        .filter(|e| matches!(e.body, Body::Substitution(_)))
        .count();
    if substitutions > 0 && ranker.is_none() {
        report.warnings.push(
            "warning: the substitutions in results.jsonl were not checked against the draw's rankings: its inputs could not be read"
                .into(),
        );
    }
    let state = match State::replay(&drawn, &chain.entries, ranker.as_ref().map(|r| r as &dyn Ranker)) {
        Ok(s) => s,
        Err(b) => {
            report.findings.push(Finding::Results(b.to_string()));
            return Ok(report);
        }
    };
    if let Some(head) = noted_head {
        let head = head.trim().to_ascii_lowercase();
        let lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').filter(|l| !l.is_empty()).collect();
        let found = lines
            .iter()
            .position(|l| crate::base::sha256::sha256_hex(l) == head)
            .map(|i| i + 1);
        match found {
            Some(n) => report
                .notes
                .push(format!("the noted head {head} is line {n} of results.jsonl")),
            None if head == drawn.manifest_sha256 => {}
            None => report.findings.push(Finding::Results(format!(
                "results.jsonl: no line has the noted head {head}: the line it named was changed or removed"
            ))),
        }
    }
    let corrections = chain
        .entries
        .iter()
        .filter(|e| matches!(e.body, Body::Correction(_)))
        .count();
    report.notes.push(format!(
        "results.jsonl: {} lines ({} corrections, {substitutions} substitutions), {} of {} results recorded; head {}",
        chain.entries.len(),
        corrections,
        state.recorded(),
        drawn.inspections.len(),
        state.head
    ));
    Ok(report)
}
