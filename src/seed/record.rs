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
}
