//! A seed nobody can choose. Before any randomness exists the regulator
//! publishes a commitment: the hashes of the plan and every input, a
//! future drand round and/or a dice event, and SHA-256 of a secret. After
//! the round and the dice are public, the secret is revealed and the seed
//! follows from all of them by one hash (see SPEC.md).

use crate::base::sha256::sha256_hex;
use crate::draw::SPEC_VERSION;
use crate::inputs::record::{InputRecord, PlanRecord, TaskRecord};
use crate::seed::beacon::{self, BeaconRound};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Version of the commitment format written now: it binds the frame.
pub const COMMIT_VERSION: &str = "spotcheck-commit/2";
/// The first commitment format, without the frame; still accepted.
pub const COMMIT_VERSION_1: &str = "spotcheck-commit/1";
/// Version of the seed derivation.
pub const SEED_VERSION: &str = "spotcheck-seed/1";
/// The dice format, in the spirit of RFC 3797 §4.
pub const DICE_FORMAT: &str = "each source's numbers in decimal, sorted ascending, each followed by \".\"; \
     each source followed by \"/\" (RFC 3797 §4), e.g. \"2.5.6./1.3.4./\"";

/// The commitment time was read from the computer's clock.
pub const CLOCK_SYSTEM: &str = "system";
/// The commitment time was typed in (`commit --time`): a rehearsal.
pub const CLOCK_GIVEN: &str = "given";

/// File names of the evidence inside a bundle.
pub const COMMITMENT_JSON: &str = "commitment.json";
/// The revealed secret.
pub const SECRET_TXT: &str = "secret.txt";
/// The drand round as drand's HTTP API returned it.
pub const BEACON_JSON: &str = "beacon.json";

/// The committed drand round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BeaconCommit {
    pub chain_hash: String,
    pub round: u64,
    /// When the round will be produced (UTC).
    pub round_time: String,
}

/// The committed dice event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiceCommit {
    /// Where and when the dice will be rolled.
    pub event: String,
    /// How many sources (dice, lottery draws) the string will have.
    pub sources: u32,
    pub format: String,
}

/// The frame as the plan and inputs fix it before any randomness exists
/// (SPEC.md, frame tree): who is in it, in which stratum, and how many
/// are eligible in each stratum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrameCommit {
    pub leaf_format: String,
    /// Firms in the directory (leaves of the tree).
    pub leaves: u64,
    /// The tree's root, 64 lowercase hex characters.
    pub merkle_root: String,
    /// Each stratum's N (eligible firms), in stratum order (the byte
    /// order of the labels), without the labels, which may be withheld.
    pub strata_n: Vec<u64>,
}

impl FrameCommit {
    /// What differs between this committed frame and one drawn or
    /// published; empty when they agree.
    pub fn differences(&self, leaf_format: &str, leaves: u64, merkle_root: &str, strata_n: &[u64]) -> Vec<String> {
        let mut out = Vec::new();
        if self.leaf_format != leaf_format {
            out.push(format!(
                "frame: leaf format {leaf_format:?}, but the commitment has {:?}",
                self.leaf_format
            ));
        }
        if self.leaves != leaves {
            out.push(format!(
                "frame: {leaves} firms in the tree, but the commitment has {}",
                self.leaves
            ));
        }
        if self.merkle_root != merkle_root {
            out.push(format!(
                "frame: Merkle root {merkle_root}, but the commitment has {}",
                self.merkle_root
            ));
        }
        if self.strata_n.len() != strata_n.len() {
            out.push(format!(
                "frame: {} strata, but the commitment has {}",
                strata_n.len(),
                self.strata_n.len()
            ));
        } else {
            for (i, (found, committed)) in strata_n.iter().zip(&self.strata_n).enumerate() {
                if found != committed {
                    out.push(format!(
                        "frame: stratum {} (in stratum order) has N = {found}, but the commitment has N = {committed}",
                        i + 1
                    ));
                }
            }
        }
        out
    }
}

/// What the regulator publishes before the randomness exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Commitment {
    pub version: String,
    pub spec_version: String,
    pub task: TaskRecord,
    /// UTC, RFC 3339.
    pub committed_at: String,
    /// `system` (the computer's clock) or `given` (a time passed with
    /// --time, for rehearsals).
    pub clock: String,
    pub plan: PlanRecord,
    /// Input files by role; paths relative to the commitment file.
    pub inputs: BTreeMap<String, InputRecord>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub beacon: Option<BeaconCommit>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub dice: Option<DiceCommit>,
    /// hexlower(SHA-256(secret)), the secret being 64 hex characters.
    pub secret_sha256: String,
    /// SHA-256 of the commitment file this one replaces, for a re-draw.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub replaces: Option<String>,
    /// The frame (format 2 on; absent from format 1 and from a batch's).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub frame: Option<FrameCommit>,
    /// A batch's tasks, each with its strata's N (SPEC.md §10.6), instead
    /// of `frame`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub tasks: Option<Vec<TaskFrameCommit>>,
}

/// One task of a batch as its commitment fixes it: each stratum's N.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskFrameCommit {
    pub id: String,
    pub strata_n: Vec<u64>,
}

/// The note on a format-1 commitment, which does not bind the frame.
pub const FRAME_NOT_BOUND_NOTE: &str = "the commitment is of format spotcheck-commit/1, which does not bind the \
     frame: its Merkle root and each stratum's N were fixed only at the draw";

impl Commitment {
    /// The file as published: pretty JSON and a final newline.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec_pretty(self).expect("commitment serializes");
        out.push(b'\n');
        out
    }

    /// Whether this is a rehearsal: its time was typed in, so nothing
    /// shows that it was made before the public randomness existed.
    pub fn is_rehearsal(&self) -> bool {
        self.clock != CLOCK_SYSTEM
    }

    /// The commitment time.
    pub fn committed_at(&self) -> Result<DateTime<Utc>, CeremonyError> {
        DateTime::parse_from_rfc3339(&self.committed_at)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| CeremonyError::Commitment(format!("committed_at {:?}: {e}", self.committed_at)))
    }
}

/// A UTC time as written in commitments and manifests.
pub fn utc_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A new 256-bit secret from the operating system, as 64 hex characters.
pub fn new_secret() -> Result<String, CeremonyError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| CeremonyError::Secret(format!("the system's random source failed: {e}")))?;
    Ok(hex::encode(bytes))
}

/// Which piece of evidence is wrong, and how.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CeremonyError {
    #[error("commitment: {0}")]
    Commitment(String),
    #[error("secret: {0}")]
    Secret(String),
    #[error("beacon: {0}")]
    Beacon(String),
    #[error("dice: {0}")]
    Dice(String),
    #[error("input {role} {message}")]
    Input { role: String, message: String },
    #[error("plan: {0}")]
    Plan(String),
    #[error("seed: {0}")]
    Seed(String),
}

/// The public randomness and secret revealed after the commitment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    /// The commitment file, byte for byte.
    pub commitment: Vec<u8>,
    /// The secret file's text.
    pub secret: String,
    /// The beacon JSON, byte for byte, when a round was committed.
    pub beacon: Option<Vec<u8>>,
    /// The dice string, when a dice event was committed.
    pub dice: Option<String>,
}

/// What a checked ceremony yields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub commitment: Commitment,
    pub commitment_sha256: String,
    pub secret: String,
    /// (round, randomness hex, round time).
    pub beacon: Option<(u64, String, String)>,
    pub dice: Option<String>,
    /// The seed S.
    pub seed: String,
}

/// S = hexlower(SHA-256 of the UTF-8 text
/// `spotcheck-seed/1\ncommitment:C\nsecret:K\nbeacon:B\ndice:D\n`), with
/// C the commitment file's SHA-256, K the secret, B the beacon randomness
/// (hex) and D the dice string; an absent source is the empty string.
pub fn derive_seed(commitment_sha256: &str, secret: &str, beacon_randomness: &str, dice: &str) -> String {
    let text = format!(
        "{SEED_VERSION}\ncommitment:{commitment_sha256}\nsecret:{secret}\nbeacon:{beacon_randomness}\ndice:{dice}\n"
    );
    sha256_hex(text.as_bytes())
}

/// "1 source", "2 sources".
pub fn count(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Checks a dice string against the committed format and source count.
pub fn check_dice(dice: &str, sources: u32) -> Result<(), String> {
    let Some(body) = dice.strip_suffix('/') else {
        return Err(format!("{dice:?} must end with \"/\"; expected {DICE_FORMAT}"));
    };
    let parts: Vec<&str> = body.split('/').collect();
    if parts.len() != sources as usize {
        return Err(format!(
            "{} given, {} committed",
            count(parts.len() as u64, "source"),
            count(u64::from(sources), "source")
        ));
    }
    let mut canonical = String::new();
    for part in &parts {
        let Some(numbers) = part.strip_suffix('.') else {
            return Err(format!("source {part:?} must end with \".\"; expected {DICE_FORMAT}"));
        };
        let mut values = Vec::new();
        for n in numbers.split('.') {
            if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) || n.len() > 18 {
                return Err(format!("{n:?} is not a decimal number; expected {DICE_FORMAT}"));
            }
            values.push(n.parse::<u64>().expect("digits"));
        }
        values.sort_unstable();
        for v in values {
            canonical.push_str(&format!("{v}."));
        }
        canonical.push('/');
    }
    if canonical != dice {
        return Err(format!(
            "{dice:?} is not in canonical form; write it as {canonical:?} ({DICE_FORMAT})"
        ));
    }
    Ok(())
}

/// Checks the whole chain of evidence and derives the seed: the
/// commitment parses, the secret matches it, the beacon is the committed
/// round with a valid signature and comes after the commitment, and the
/// dice are as declared.
pub fn check(evidence: &Evidence) -> Result<Checked, CeremonyError> {
    let commitment: Commitment = serde_json::from_slice(&evidence.commitment)
        .map_err(|e| CeremonyError::Commitment(format!("not a spotcheck commitment: {e}")))?;
    match (commitment.version.as_str(), &commitment.frame) {
        (COMMIT_VERSION, Some(_)) if commitment.tasks.is_some() => {
            return Err(CeremonyError::Commitment(
                "a commitment has \"frame\" (a plan's) or \"tasks\" (a batch's), not both".into(),
            ));
        }
        (COMMIT_VERSION, Some(_)) | (COMMIT_VERSION_1, None) => {}
        (COMMIT_VERSION, None) if commitment.tasks.is_some() => {}
        (COMMIT_VERSION, None) => {
            return Err(CeremonyError::Commitment(format!(
                "a {COMMIT_VERSION} commitment must have \"frame\""
            )));
        }
        (COMMIT_VERSION_1, Some(_)) => {
            return Err(CeremonyError::Commitment(format!(
                "a {COMMIT_VERSION_1} commitment has no \"frame\"; write version {COMMIT_VERSION}"
            )));
        }
        (other, _) => {
            return Err(CeremonyError::Commitment(format!(
                "version {other:?} is neither {COMMIT_VERSION} nor {COMMIT_VERSION_1}"
            )));
        }
    }
    if let Some(f) = &commitment.frame
        && (f.merkle_root.len() != 64 || !f.merkle_root.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
    {
        return Err(CeremonyError::Commitment(format!(
            "frame.merkle_root {:?}: expected 64 lowercase hex characters",
            f.merkle_root
        )));
    }
    if commitment.spec_version != SPEC_VERSION {
        return Err(CeremonyError::Commitment(format!(
            "spec_version {:?} is not one this tool implements ({SPEC_VERSION})",
            commitment.spec_version
        )));
    }
    if commitment.clock != CLOCK_SYSTEM && commitment.clock != CLOCK_GIVEN {
        return Err(CeremonyError::Commitment(format!(
            "clock {:?} is neither {CLOCK_SYSTEM:?} nor {CLOCK_GIVEN:?}",
            commitment.clock
        )));
    }
    let committed_at = commitment.committed_at()?;
    let commitment_sha256 = sha256_hex(&evidence.commitment);

    let secret = evidence.secret.trim().to_string();
    if secret.len() != 64 || !secret.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(CeremonyError::Secret("expected 64 lowercase hex characters".into()));
    }
    let found = sha256_hex(secret.as_bytes());
    if found != commitment.secret_sha256 {
        return Err(CeremonyError::Secret(format!(
            "SHA-256 of the revealed secret is {found}, but the commitment says {}",
            commitment.secret_sha256
        )));
    }

    let beacon = match (&commitment.beacon, &evidence.beacon) {
        (None, None) => None,
        (None, Some(_)) => {
            return Err(CeremonyError::Beacon(
                "given, but the commitment declared no beacon".into(),
            ));
        }
        (Some(c), None) => {
            return Err(CeremonyError::Beacon(format!(
                "the commitment declared drand round {}; give --beacon",
                c.round
            )));
        }
        (Some(c), Some(bytes)) => {
            if c.chain_hash != beacon::QUICKNET_CHAIN_HASH {
                return Err(CeremonyError::Commitment(format!(
                    "unknown drand chain {}",
                    c.chain_hash
                )));
            }
            let text = std::str::from_utf8(bytes).map_err(|_| CeremonyError::Beacon("not UTF-8 JSON".into()))?;
            let round: BeaconRound = beacon::parse_round(text).map_err(|e| CeremonyError::Beacon(e.to_string()))?;
            let randomness = beacon::verify_round(&round, c.round).map_err(|e| CeremonyError::Beacon(e.to_string()))?;
            let round_time = beacon::round_time(c.round);
            if round_time <= committed_at {
                return Err(CeremonyError::Beacon(format!(
                    "round {} was produced at {}, not after the commitment time {}",
                    c.round,
                    utc_text(round_time),
                    commitment.committed_at
                )));
            }
            Some((c.round, hex::encode(randomness), utc_text(round_time)))
        }
    };
    let dice = match (&commitment.dice, &evidence.dice) {
        (None, None) => None,
        (None, Some(_)) => {
            return Err(CeremonyError::Dice(
                "given, but the commitment declared no dice event".into(),
            ));
        }
        (Some(d), None) => {
            return Err(CeremonyError::Dice(format!(
                "the commitment declared dice at {:?}; give --dice",
                d.event
            )));
        }
        (Some(d), Some(s)) => {
            check_dice(s, d.sources).map_err(CeremonyError::Dice)?;
            Some(s.clone())
        }
    };
    let seed = derive_seed(
        &commitment_sha256,
        &secret,
        beacon.as_ref().map_or("", |b| b.1.as_str()),
        dice.as_deref().unwrap_or(""),
    );
    Ok(Checked {
        commitment,
        commitment_sha256,
        secret,
        beacon,
        dice,
        seed,
    })
}

/// Checks that the inputs read now are the committed ones.
pub fn check_inputs(commitment: &Commitment, inputs: &BTreeMap<String, (String, String)>) -> Result<(), CeremonyError> {
    for (role, record) in &commitment.inputs {
        match inputs.get(role) {
            None => {
                return Err(CeremonyError::Input {
                    role: role.clone(),
                    message: "is committed but was not read".into(),
                });
            }
            Some((_, sha)) if *sha != record.sha256 => {
                return Err(CeremonyError::Input {
                    role: role.clone(),
                    message: format!(
                        "has changed since the commitment: SHA-256 committed {}, found {sha}",
                        record.sha256
                    ),
                });
            }
            _ => {}
        }
    }
    for role in inputs.keys() {
        if !commitment.inputs.contains_key(role) {
            return Err(CeremonyError::Input {
                role: role.clone(),
                message: "read but not committed".into(),
            });
        }
    }
    Ok(())
}

impl Checked {
    /// The manifest's record of this ceremony.
    pub fn record(&self) -> crate::seed::record::CeremonyRecord {
        let c = &self.commitment;
        crate::seed::record::CeremonyRecord {
            commitment_sha256: self.commitment_sha256.clone(),
            committed_at: c.committed_at.clone(),
            secret_sha256: c.secret_sha256.clone(),
            beacon_round: self.beacon.as_ref().map(|b| b.0),
            beacon_time: self.beacon.as_ref().map(|b| b.2.clone()),
            beacon_randomness: self.beacon.as_ref().map(|b| b.1.clone()),
            dice: self.dice.clone(),
            replaces: c.replaces.clone(),
            rehearsal: c.is_rehearsal(),
        }
    }
}

impl fmt::Display for Checked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "commitment {} of {}",
            &self.commitment_sha256[..16],
            self.commitment.committed_at
        )?;
        if let Some((round, _, time)) = &self.beacon {
            write!(f, "; drand round {round} ({time})")?;
        }
        if let Some(d) = &self.dice {
            write!(f, "; dice {d}")?;
        }
        if self.commitment.is_rehearsal() {
            write!(f, "; REHEARSAL (commitment time typed in)")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dice_format() {
        assert_eq!(check_dice("2.5.6./1.3.4./", 2), Ok(()));
        assert!(
            check_dice("5.2.6./1.3.4./", 2)
                .unwrap_err()
                .contains("\"2.5.6./1.3.4./\"")
        );
        assert_eq!(
            check_dice("2.5.6./", 2).unwrap_err(),
            "1 source given, 2 sources committed"
        );
        assert!(check_dice("2.5.6.", 1).is_err());
        assert!(check_dice("02.5./", 1).is_err());
        assert!(check_dice("a./", 1).is_err());
    }

    #[test]
    fn seed_derivation_is_text() {
        let s = derive_seed("c", "k", "", "1.2./");
        assert_eq!(
            s,
            sha256_hex(b"spotcheck-seed/1\ncommitment:c\nsecret:k\nbeacon:\ndice:1.2./\n")
        );
        assert_eq!(s.len(), 64);
    }

    /// SPEC.md §5.3.
    #[test]
    fn spec_seed_vector() {
        let k = "0000000000000000000000000000000000000000000000000000000000000001";
        assert_eq!(
            sha256_hex(k.as_bytes()),
            "c386d8e8d07342f2e39e189c8e6c57bb205bb373fe4e3a6f69404a8bb767b417"
        );
        let s = derive_seed(
            "d1e731c005f932b97040a11aa41ee7070b6442d81cb5b2cf8ef8e19a66cba2ad",
            k,
            "fc1873a13f3545aeade8401532ef5519920652eee6b0d2b19ca12643b87b3587",
            "1.3.5./2.4.6./",
        );
        assert_eq!(s, "7302305d82c831ff1923a7139768ba0e5276a3288b1c61d37bc4ffaf3723baa1");
    }

    #[test]
    fn secrets_are_fresh_hex() {
        let (a, b) = (new_secret().unwrap(), new_secret().unwrap());
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
    }
}
