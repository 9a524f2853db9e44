//! What a bundle's manifest records of its seed: the value, where it
//! came from and, for a ceremony, the evidence in short.

use serde::{Deserialize, Serialize};

/// Where the seed came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedRecord {
    /// The seed string S, exactly.
    pub value: String,
    /// `operator` (typed on the command line) or `ceremony`.
    pub source: String,
    /// What a reader should know about the source.
    pub note: String,
    /// The ceremony the seed came from, when it did.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub ceremony: Option<CeremonyRecord>,
}

/// How a ceremony's seed was made, for readers of the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CeremonyRecord {
    /// SHA-256 of `commitment.json`.
    pub commitment_sha256: String,
    pub committed_at: String,
    pub secret_sha256: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub beacon_round: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub beacon_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub beacon_randomness: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub dice: Option<String>,
    /// The commitment that this draw's commitment replaces, if any.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub replaces: Option<String>,
    /// The commitment's time was typed in (`commit --time`), not read
    /// from the clock: a rehearsal, not a public draw. Absent when false,
    /// so that the records of other draws read as before.
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub rehearsal: bool,
}

impl SeedRecord {
    /// The note that goes with this record's source: the note is not the
    /// operator's to write, so `verify` holds a bundle to this one.
    pub fn expected_note(&self) -> &'static str {
        match &self.ceremony {
            None => OPERATOR_NOTE,
            Some(c) if c.rehearsal => REHEARSAL_NOTE,
            Some(_) => CEREMONY_NOTE,
        }
    }

    /// What a reader of a check or of a publication is warned of about
    /// this seed: one typed by the operator, or a rehearsal's.
    pub fn warning(&self) -> Option<&'static str> {
        match &self.ceremony {
            None => Some(OPERATOR_SEED_WARNING),
            Some(c) if c.rehearsal => Some(REHEARSAL_WARNING),
            Some(_) => None,
        }
    }
}

/// The warning printed for a seed typed by an operator.
pub const OPERATOR_SEED_WARNING: &str = "warning: the seed was chosen by the operator (--seed), not by a public \
     ceremony; this bundle proves that the list follows from the seed, not that the seed was chosen before the \
     result was known";

/// The warning printed for a rehearsal: a commitment whose time was typed in.
pub const REHEARSAL_WARNING: &str = "warning: REHEARSAL: the commitment's time was typed in (commit --time), not \
     read from the clock; the commitment may have been made after the public randomness was known, so this is \
     not a public draw";

/// The manifest's note on a seed typed on the command line.
pub const OPERATOR_NOTE: &str = "typed on the command line with --seed; suitable for trials, not for a public draw";

/// The manifest's note on a ceremony seed whose commitment was made in
/// the usual way.
pub const CEREMONY_NOTE: &str = "derived from the published commitment, the revealed secret and the public \
     randomness (SPEC.md, seed derivation)";

/// The manifest's note on a rehearsal's seed.
pub const REHEARSAL_NOTE: &str = "REHEARSAL: derived from a commitment whose time was typed in (commit --time), \
     not read from the clock; nothing shows that the commitment existed before the public randomness, so this \
     is not a public draw";
