//! A firm's own proof: that it is in the directory of a draw, in which
//! stratum, whether it was eligible, and why it was or was not drawn.
//!
//! `spotcheck prove DIR USCC` (the regulator, from the private bundle)
//! rebuilds the frame's Merkle tree with the same code as the draw and
//! writes the firm's leaf, its audit path and the facts of its stratum.
//! `spotcheck check-proof PROOF.json PUBLIC_DIR` (anyone, with the public
//! bundle only) checks the leaf up to the published root, the ticket
//! against the public seed, and the firm's place in `targets.csv`.
//!
//! A proof holds the firm's real stratum label, which may be its credit
//! class: it is for the firm, not for publication.

use crate::base::error::{Error, Result};
use crate::bundle::view::BundleView;
use crate::draw::frame::{self, Leaf};
use crate::draw::targets::draw_targets;
use crate::draw::ticket::{Ticket, ticket};
use crate::inputs::plan::{Overrides, Plan};
use crate::public::format::{self, PublicTarget};
use crate::public::publish;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The format of a proof file.
pub const PROOF_FORMAT: &str = "spotcheck-proof/1";

/// A firm's proof.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Proof {
    /// [`PROOF_FORMAT`].
    pub format: String,
    pub task_id: String,
    /// What ties the proof to one public bundle.
    pub public: ProofLink,
    /// The firm's leaf of the frame tree.
    pub leaf: Leaf,
    /// 0-based index of the leaf (leaves are sorted by credit code).
    pub leaf_index: u64,
    /// Leaves in the tree.
    pub tree_size: u64,
    /// RFC 6962 audit path, from the leaf up, hex.
    pub audit_path: Vec<String>,
    /// ticket(seed, uscc).
    pub ticket: String,
    /// The firm's stratum: present exactly when the firm is eligible.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub stratum: Option<ProofStratum>,
    pub drawn: bool,
    /// Rank within the stratum, when drawn.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub rank: Option<u64>,
}

/// The key facts of the public manifest the proof links to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProofLink {
    /// SHA-256 of the private bundle's manifest.json (public.json's
    /// `source_manifest_sha256`).
    pub source_manifest_sha256: String,
    pub merkle_root: String,
    pub seed: String,
}

/// The firm's stratum as published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProofStratum {
    /// 0-based position in public.json's `strata` (stratum order): the
    /// evidence that maps the leaf's label to the public label.
    pub index: u64,
    /// The label in public.json (`S2` when classes are withheld).
    pub public_label: String,
    pub n: u64,
    pub k: u64,
    /// The k-th smallest ticket of the stratum (the last drawn); none
    /// when k is 0.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub cutoff_ticket: Option<String>,
    /// With opaque public labels: the salt that opens the stratum's
    /// `label_commitment` for the leaf's label.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub label_salt: Option<String>,
}

impl Proof {
    /// The proof as written: pretty JSON and a final newline.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec_pretty(self).expect("proof serializes");
        out.push(b'\n');
        out
    }
}

/// Makes the proof of firm `uscc` from the private bundle `dir`.
pub fn prove(dir: &Path, uscc: &str, overrides: &Overrides) -> Result<Proof> {
    let code = uscc.trim().to_uppercase();
    let private = publish::open_private(dir, overrides)?;
    let bundle_error = |message: String| Error::Bundle {
        path: dir.display().to_string(),
        message,
    };
    let tree = &private.tree;
    let Some(index) = tree.find(&code) else {
        let why = match crate::inputs::uscc::validate(&code) {
            Ok(()) => String::new(),
            Err(e) => format!(" ({code:?} is not a valid credit code: {e})"),
        };
        return Err(bundle_error(format!(
            "{code} is not in the enterprise directory of this draw ({} firms){why}; a firm that is not in \
             the directory has no proof",
            tree.leaves.len()
        )));
    };
    let inputs = &private.inputs;
    let m = &private.manifest;
    let seed = &m.seed.value;
    let draw = draw_targets(&inputs.plan, &inputs.enterprises, inputs.history.as_ref(), seed);
    let same = draw.strata.len() == m.strata.len()
        && draw
            .strata
            .iter()
            .zip(&m.strata)
            .all(|(a, b)| a.label == b.label && a.n == b.n && a.k == b.k);
    if !same {
        return Err(bundle_error(
            "the strata drawn again differ from the manifest's; run spotcheck verify".into(),
        ));
    }
    let leaf = tree.leaves[index].clone();
    let opaque = format::opaque_labels(&inputs.plan);
    let key = format::frame_key(tree);
    // Only an eligible firm is in a stratum of the draw (SPEC.md §9): an
    // ineligible firm whose label matches a stratum was not counted in its
    // N, and is given no stratum (nor its salt).
    let stratum_index = if leaf.eligibility == "eligible" {
        draw.strata.iter().position(|s| s.label == leaf.stratum)
    } else {
        None
    };
    let mut drawn = None;
    let mut cutoff = None;
    if let Some(s) = stratum_index {
        for t in draw.targets.iter().filter(|t| t.stratum == s) {
            if inputs.enterprises.firms[t.firm].uscc() == *code {
                drawn = Some(t.rank);
            }
            cutoff = Some(t.ticket.to_string());
        }
    }
    // The private targets.csv must say the same.
    let view = BundleView::open(dir)?;
    let listed = view.targets.iter().find(|t| t.uscc == code);
    if listed.map(|t| t.rank) != drawn {
        return Err(bundle_error(format!(
            "targets.csv does not match the draw for {code}; run spotcheck verify"
        )));
    }
    let stratum = stratum_index.map(|i| {
        let s = &draw.strata[i];
        ProofStratum {
            index: i as u64,
            public_label: format::public_label(opaque, i, &s.label),
            n: s.n,
            k: s.k,
            cutoff_ticket: cutoff,
            label_salt: opaque.then(|| format::label_salt(&key, &s.label)),
        }
    });
    Ok(Proof {
        format: PROOF_FORMAT.to_string(),
        task_id: m.task.id.clone(),
        public: ProofLink {
            source_manifest_sha256: private.manifest_sha256.clone(),
            merkle_root: m.frame.merkle_root.clone(),
            seed: seed.clone(),
        },
        leaf_index: index as u64,
        tree_size: tree.leaves.len() as u64,
        audit_path: frame::path(&tree.hashes, index).iter().map(hex::encode).collect(),
        ticket: ticket(seed, &code).to_string(),
        stratum,
        drawn: drawn.is_some(),
        rank: drawn,
        leaf,
    })
}

/// What checking a proof found.
#[derive(Debug, Clone, Default)]
pub struct ProofReport {
    /// Empty when the proof holds.
    pub failures: Vec<String>,
    /// What was checked.
    pub checked: Vec<String>,
    /// The outcome in plain words, Chinese then English lines.
    pub explanation: Vec<String>,
}

impl ProofReport {
    /// Whether the proof holds.
    pub fn ok(&self) -> bool {
        self.failures.is_empty()
    }
}

/// The reason a firm was not eligible, in Chinese and English.
fn eligibility_words(e: &str, plan: Option<&Plan>) -> (String, String) {
    match e {
        "outside-counties" => (
            "不在本次定向抽查的区县范围内".into(),
            "outside the counties of this directed draw".into(),
        ),
        "outside-industries" => (
            "不在本次定向抽查的行业范围内".into(),
            "outside the industries of this directed draw".into(),
        ),
        "recently-inspected" => {
            let days = plan.and_then(|p| p.targets.exclude_inspected_within_days);
            match days {
                Some(d) => (
                    format!("在本次检查开始前 {d} 天内已被检查过，为避免重复检查而不列入"),
                    format!("inspected within {d} days before this task began, so left out to avoid repeated checks"),
                ),
                None => ("近期已被检查".into(), "inspected recently".into()),
            }
        }
        other => match other.strip_prefix("inactive:") {
            Some(r) => {
                let zh = match r {
                    "deregistered" => "已注销",
                    "revoked" => "已吊销",
                    "cancelled" => "已撤销",
                    "moved-out" => "已迁出",
                    x => x,
                };
                (
                    format!("登记状态为{zh}，不在正常经营的企业范围内"),
                    format!("registered as {r}, so not among active firms"),
                )
            }
            None => (other.to_string(), other.to_string()),
        },
    }
}

fn decode_hash(s: &str) -> Option<[u8; 32]> {
    hex::decode(s).ok()?.try_into().ok()
}

/// Checks `proof` against the public bundle in `public_dir`, with
/// nothing but its files.
pub fn check_proof(proof_path: &Path, public_dir: &Path) -> Result<ProofReport> {
    let mut r = ProofReport::default();
    let bytes = std::fs::read(proof_path).map_err(|e| Error::io(proof_path, e))?;
    if !public_dir.join(format::PUBLIC_JSON).exists() {
        return Err(Error::Bundle {
            path: public_dir.display().to_string(),
            message: "no public.json here; give the public bundle's folder".into(),
        });
    }
    // A file that is not a proof at all is an input error; only a
    // well-formed proof can fail to check.
    let not_a_proof = |message: String| Error::Bundle {
        path: proof_path.display().to_string(),
        message,
    };
    let proof: Proof = serde_json::from_slice(&bytes).map_err(|e| {
        not_a_proof(format!(
            "not a spotcheck proof ({PROOF_FORMAT} JSON, as spotcheck prove writes it): {e}"
        ))
    })?;
    if proof.format != PROOF_FORMAT {
        return Err(not_a_proof(format!(
            "format {:?}: expected {PROOF_FORMAT:?}",
            proof.format
        )));
    }
    let m = match format::read_public_manifest(public_dir) {
        Ok(m) => m,
        Err(e) => {
            r.failures.push(e);
            return Ok(r);
        }
    };
    let plan = Plan::parse("public.json (plan)", &m.plan.text, public_dir).ok();
    // Link to this public bundle.
    if proof.task_id != m.task.id {
        r.failures.push(format!(
            "the proof is for task {}, the public bundle for {}",
            proof.task_id, m.task.id
        ));
    }
    if proof.public.source_manifest_sha256 != m.source_manifest_sha256 {
        r.failures
            .push("the proof is for another draw: its manifest SHA-256 is not public.json's".into());
    }
    if proof.public.seed != m.seed.value {
        r.failures.push("the proof's seed is not public.json's seed".into());
    }
    if proof.public.merkle_root != m.frame.merkle_root {
        r.failures.push("the proof's Merkle root is not public.json's".into());
    }
    // targets.csv must be the published one.
    let targets_sha = std::fs::read(public_dir.join(crate::bundle::make::TARGETS_CSV))
        .ok()
        .map(|b| crate::base::sha256::sha256_hex(&b));
    if targets_sha.as_ref() != m.files.get(crate::bundle::make::TARGETS_CSV) {
        r.failures
            .push("targets.csv is missing or is not the file whose SHA-256 public.json records".into());
    }
    // The leaf, up to the published root.
    let uscc = proof.leaf.uscc.clone();
    let path: Option<Vec<[u8; 32]>> = proof.audit_path.iter().map(|h| decode_hash(h)).collect();
    let root = decode_hash(&m.frame.merkle_root);
    match (path, root) {
        (Some(path), Some(root)) => {
            if proof.tree_size != m.frame.leaves {
                r.failures.push(format!(
                    "the proof's tree has {} leaves, public.json's frame {}",
                    proof.tree_size, m.frame.leaves
                ));
            }
            let found = frame::root_from_path(proof.leaf.hash(), proof.leaf_index, m.frame.leaves, &path);
            if found == Some(root) {
                r.checked.push(format!(
                    "leaf {:?} (index {} of {}) leads to public.json's Merkle root {}…",
                    proof.leaf.data(),
                    proof.leaf_index,
                    m.frame.leaves,
                    &m.frame.merkle_root[..16]
                ));
            } else {
                r.failures.push(
                    "the leaf and its audit path do not lead to public.json's Merkle root (the leaf, its index or the path was changed)"
                        .into(),
                );
            }
        }
        _ => r
            .failures
            .push("the audit path or the Merkle root is not hex SHA-256".into()),
    }
    // The ticket.
    let expected = ticket(&m.seed.value, &uscc);
    if proof.ticket == expected.as_str() {
        r.checked
            .push("the ticket is ticket(public seed, code) (consistent_sampler's first_fraction)".into());
    } else {
        r.failures.push(format!(
            "the proof's ticket {} is not ticket(public seed, code) = {expected}",
            proof.ticket
        ));
    }
    let targets = format::read_public_targets(public_dir, plan.as_ref().is_some_and(|p| p.publish.credit_classes))
        .unwrap_or_else(|e| {
            r.failures.push(e);
            Vec::new()
        });
    let listed: Vec<&PublicTarget> = targets.iter().filter(|t| t.uscc == uscc).collect();
    let eligible = proof.leaf.eligibility == "eligible";
    let opaque = plan.as_ref().is_some_and(format::opaque_labels);
    let mut stratum_facts = None;
    if !eligible && proof.stratum.is_some() {
        r.failures
            .push("the firm is not eligible, but the proof names a stratum (only an eligible firm is in one)".into());
    }
    match &proof.stratum {
        Some(ps) => match m.strata.get(ps.index as usize) {
            None => r.failures.push(format!(
                "the proof's stratum index {} is not a stratum of public.json ({} strata)",
                ps.index,
                m.strata.len()
            )),
            Some(s) => {
                let before = r.failures.len();
                if s.label != ps.public_label {
                    r.failures.push(format!(
                        "stratum {} of public.json is {}, not {}",
                        ps.index + 1,
                        s.label,
                        ps.public_label
                    ));
                }
                match (&s.label_commitment, &ps.label_salt) {
                    (Some(c), Some(salt)) => {
                        if s.label != format!("S{}", ps.index + 1) {
                            r.failures
                                .push(format!("opaque stratum {} is not labelled S{}", s.label, ps.index + 1));
                        }
                        if &format::label_commitment(salt, &proof.leaf.stratum) != c {
                            r.failures.push(format!(
                                "the leaf's stratum does not open the label commitment of {} in public.json",
                                s.label
                            ));
                        }
                    }
                    (None, None) => {
                        if opaque || s.label != proof.leaf.stratum {
                            r.failures.push(format!(
                                "the leaf's stratum {:?} is not public stratum {}",
                                proof.leaf.stratum, s.label
                            ));
                        }
                    }
                    _ => r
                        .failures
                        .push("the proof and public.json disagree on whether stratum labels are withheld".into()),
                }
                if ps.n != s.n || ps.k != s.k {
                    r.failures.push(format!(
                        "the proof says N = {}, k = {}; public.json says N = {}, k = {} for {}",
                        ps.n, ps.k, s.n, s.k, s.label
                    ));
                }
                let listed_max = targets
                    .iter()
                    .filter(|t| t.stratum == s.label)
                    .filter_map(|t| Ticket::parse(&t.ticket))
                    .max()
                    .map(|t| t.as_str().to_string());
                if listed_max != ps.cutoff_ticket {
                    r.failures.push(format!(
                        "the proof's cut-off ticket is not the largest ticket listed in stratum {}",
                        s.label
                    ));
                }
                if r.failures.len() == before {
                    r.checked.push(format!(
                        "the leaf's stratum is public stratum {} (position {} in public.json), with N = {} and k = {}",
                        s.label,
                        ps.index + 1,
                        s.n,
                        s.k
                    ));
                    stratum_facts = Some((s.label.clone(), s.n, s.k));
                }
            }
        },
        None if eligible => r
            .failures
            .push("the firm is eligible, but the proof names no stratum".into()),
        None => {}
    }
    let t_mine = Ticket::parse(&proof.ticket);
    if !eligible {
        if proof.drawn || !listed.is_empty() {
            r.failures.push(format!(
                "{uscc} is not eligible, but it is drawn or listed in targets.csv"
            ));
        } else {
            r.checked
                .push("the firm is not eligible and is not listed in targets.csv".into());
            let (zh, en) = eligibility_words(&proof.leaf.eligibility, plan.as_ref());
            r.explanation.push(format!(
                "企业 {uscc} 在本次抽查的企业名录中，但{zh}，不属于本次抽查范围，因此没有参加抽取，不会被抽中。"
            ));
            r.explanation.push(format!(
                "Firm {uscc} is in the directory of this draw, but it was {en}; it was not part of this draw and could not be drawn."
            ));
        }
    } else if let Some((label, n, k)) = stratum_facts {
        let rows: Vec<&PublicTarget> = targets.iter().filter(|t| t.stratum == label).collect();
        if proof.drawn {
            match (listed.as_slice(), proof.rank) {
                ([row], Some(rank)) if row.stratum == label && row.rank == rank && row.ticket == proof.ticket => {
                    r.checked.push(format!(
                        "targets.csv lists the firm in stratum {label} at rank {rank} with this ticket"
                    ));
                    r.explanation.push(format!(
                        "企业 {uscc} 在本次抽查的企业名录中，符合抽查条件，属于分层 {label}（该层共 {n} 家企业，抽取 {k} 家）。它的随机号在该层排第 {rank} 位，排在前 {k} 位之内，因此被抽中。"
                    ));
                    r.explanation.push(format!(
                        "Firm {uscc} is in the directory of this draw, eligible, in stratum {label} ({n} firms, {k} drawn). Its ticket is number {rank} in that stratum, within the first {k}, so it was drawn."
                    ));
                }
                _ => r.failures.push(format!(
                    "the proof says {uscc} was drawn at rank {}, but targets.csv does not list it so in stratum {label}",
                    proof.rank.map_or_else(|| "(none)".to_string(), |r| r.to_string())
                )),
            }
        } else {
            let max = rows.iter().filter_map(|t| Ticket::parse(&t.ticket)).max();
            let mut fine = true;
            if !listed.is_empty() {
                r.failures
                    .push(format!("the proof says {uscc} was not drawn, but targets.csv lists it"));
                fine = false;
            }
            if rows.len() as u64 != k {
                r.failures.push(format!(
                    "targets.csv lists {} firms in stratum {label}, not k = {k}",
                    rows.len()
                ));
                fine = false;
            }
            match (&t_mine, &max) {
                (Some(mine), Some(max)) if mine > max => {}
                (Some(_), None) if k == 0 => {}
                _ => {
                    r.failures.push(format!(
                        "the firm's ticket is not larger than every ticket drawn in stratum {label}"
                    ));
                    fine = false;
                }
            }
            if fine {
                r.checked.push(format!(
                    "the firm is not listed; stratum {label} lists exactly k = {k} firms, and the firm's ticket is larger than the last one drawn"
                ));
                let last = max.map_or_else(|| "—".to_string(), |t| short_ticket(t.as_str()));
                let mine = short_ticket(&proof.ticket);
                r.explanation.push(format!(
                    "企业 {uscc} 在本次抽查的企业名录中，符合抽查条件，属于分层 {label}（该层共 {n} 家企业，抽取随机号最小的 {k} 家）。它的随机号 {mine} 大于该层最后一家被抽中企业的随机号 {last}，因此本次未被抽中。"
                ));
                r.explanation.push(format!(
                    "Firm {uscc} is in the directory of this draw, eligible, in stratum {label} ({n} firms; the {k} smallest tickets are drawn). Its ticket {mine} is larger than the last ticket drawn in that stratum, {last}, so it was not drawn."
                ));
            }
        }
    }
    if r.ok() {
        r.explanation.push(
            "随机号由公开的种子和企业的统一社会信用代码计算得出（consistent_sampler.first_fraction(代码, 种子)），任何人都可以复算；企业在名录中的分层和资格由 public.json 公布的 Merkle 树根锁定，事后无法更改。"
                .into(),
        );
        r.explanation.push(
            "The ticket follows from the public seed and the firm's credit code (consistent_sampler.first_fraction(code, seed)), so anyone can recompute it; the firm's stratum and eligibility are fixed by the Merkle root published in public.json and cannot be changed afterwards."
                .into(),
        );
    }
    Ok(r)
}

fn short_ticket(t: &str) -> String {
    let end = t.char_indices().nth(14).map_or(t.len(), |(i, _)| i);
    if end < t.len() {
        format!("{}…", &t[..end])
    } else {
        t.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_in_plain_words() {
        let (zh, en) = eligibility_words("inactive:revoked", None);
        assert!(zh.contains("已吊销"), "{zh}");
        assert!(en.contains("revoked"), "{en}");
        let (zh, _) = eligibility_words("outside-counties", None);
        assert!(zh.contains("区县"));
    }

    #[test]
    fn short_tickets() {
        assert_eq!(short_ticket("0.123"), "0.123");
        assert_eq!(short_ticket("0.12345678901234567"), "0.123456789012…");
    }
}
